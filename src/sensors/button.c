#include "button.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gpio.h"
#include "log.h"
#include "sensor.h"
#include "xmalloc.h"

struct button {
	struct gpio *gpio;
	struct gpio_line *line; /* NULL until requested */
	struct gpio_request rq;
	char chip[CONFIG_PATH_MAX + 1];
	char name[CONFIG_NAME_MAX + 1];
	void (*on_press)(void *arg);
	void *arg;
	struct sensor *s;
	unsigned long presses;
	size_t v_pressed, v_presses;
};

/* A debounced change of the line. */
static void button_edge(void *arg, int value)
{
	struct button *b = arg;
	struct sensor *s = b->s;

	sensor_set(s, b->v_pressed, value);
	if (value != 1)
		return;
	sensor_set(s, b->v_presses, (double)++b->presses);
	log_info("button %s pressed%s", s->name, b->on_press != NULL ? ": measuring" : "");
	if (b->on_press != NULL)
		b->on_press(b->arg);
}

/* Measuring a button reads its line; the first measurement also requests it. */
static void button_start(struct sensor *s)
{
	struct button *b = s->priv;
	char err[160];

	if (b->line == NULL) {
		b->line = gpio_request(b->gpio, &b->rq, err, sizeof err);
		if (b->line == NULL) {
			sensor_fail(s, "%s", err);
			return;
		}
	}
	int v = gpio_get(b->line);
	if (v < 0) {
		sensor_fail(s, "cannot read GPIO line %s", b->name);
		return;
	}
	sensor_set(s, b->v_pressed, v);
	sensor_set(s, b->v_presses, (double)b->presses);
	sensor_done(s);
}

static void button_cancel(struct sensor *s)
{
	(void)s; /* start finishes at once */
}

static void button_destroy(struct sensor *s)
{
	struct button *b = s->priv;

	gpio_release(b->line);
	free(b);
}

static const struct sensor_ops button_ops = {
	.type = "button",
	.start = button_start,
	.cancel = button_cancel,
	.destroy = button_destroy,
};

struct sensor *button_sensor_new(const struct sensor_conf *sc, struct gpio *gpio,
                                 void (*on_press)(void *arg), void *arg)
{
	struct button *b = xcalloc(1, sizeof *b);

	b->gpio = gpio;
	snprintf(b->chip, sizeof b->chip, "%s", sc->chip);
	snprintf(b->name, sizeof b->name, "%s", sc->gpio);
	b->on_press = sc->action == BUTTON_MEASURE ? on_press : NULL;
	b->arg = arg;
	b->rq = (struct gpio_request){
		.chip = b->chip,
		.line = b->name,
		.dir = GPIO_INPUT,
		.active_low = sc->active_low,
		.bias = sc->bias,
		.on_edge = button_edge,
		.arg = b,
		.debounce_us = (unsigned)(sc->debounce * 1e6),
	};
	struct sensor *s = sensor_new(&button_ops, sc->name, b);
	b->s = s;
	b->v_pressed = sensor_add_value(s, "pressed", "", 0, true);
	b->v_presses = sensor_add_value(s, "presses", "", 0, false);
	snprintf(s->where, sizeof s->where, "GPIO line %s%s%s%s", sc->gpio,
	         sc->chip[0] ? " on " : "", sc->chip, sc->active_low ? ", active low" : "");
	return s;
}
