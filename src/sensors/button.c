#include "button.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "gpio.h"
#include "log.h"
#include "sensor.h"
#include "xmalloc.h"

struct button {
	struct gpio *gpio;
	struct gpio_line *line; /* NULL until requested */
	struct gpio_request rq;
	struct gpio_conf line_conf; /* chip and line name, as configured */
	void (*on_press)(void *arg);
	void *arg;
	struct sensor *s;
	unsigned long presses;
};

enum { V_PRESSED, V_PRESSES, V_LAST_PRESS };

/* A debounced change of the line. */
static void button_edge(void *arg, int value)
{
	struct button *b = arg;
	struct sensor *s = b->s;

	sensor_set(s, V_PRESSED, value);
	if (value != 1)
		return;
	sensor_set(s, V_PRESSES, (double)++b->presses);
	sensor_set(s, V_LAST_PRESS, floor(sensor_now_wall()));
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
		sensor_fail(s, "cannot read GPIO line %s", b->line_conf.line);
		return;
	}
	sensor_set(s, V_PRESSED, v);
	sensor_set(s, V_PRESSES, (double)b->presses);
	if (b->presses == 0)
		sensor_withhold(s, V_LAST_PRESS, "not pressed since muricle started");
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

static struct sensor *button_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	const struct button_conf *c = config_driver_conf(sc, struct button_conf);
	struct button *b = xcalloc(1, sizeof *b);

	b->gpio = env->gpio;
	b->line_conf = c->gpio;
	b->on_press = c->action == BUTTON_MEASURE ? env->measure : NULL;
	b->arg = env->ctx;
	b->rq = (struct gpio_request){
		.chip = b->line_conf.chip,
		.line = b->line_conf.line,
		.dir = GPIO_INPUT,
		.active_low = c->gpio.active_low,
		.bias = (enum gpio_bias)c->bias,
		.on_edge = button_edge,
		.arg = b,
		.debounce_us = (unsigned)(c->debounce * 1e6),
	};
	b->s = driver_sensor_new(sc, &button_ops, b);
	return b->s;
}

/* In the order of enum gpio_bias and enum button_action. */
static const char *const bias_words[] = { "as_is", "disable", "pull_up", "pull_down", NULL };
static const char *const action_words[] = { "none", "measure", NULL };

/* To ground, with the pull-up: pressed is low. */
static const struct conf_key button_keys[] = {
	DRIVER_GPIO_KEYS(struct button_conf, "true"),
	CONF_KEY_CHOICE(struct button_conf, bias, "bias", bias_words, "pull_up",
	                "the line's internal resistor"),
	CONF_KEY_NUM(struct button_conf, debounce, "debounce", 0, 1, "0.02",
	             "seconds the line must be steady before a change counts"),
	CONF_KEY_CHOICE(struct button_conf, action, "action", action_words, "measure",
	                "what a press does besides counting"),
	CONF_KEY_END,
};

static const struct value_spec button_values[] = {
	[V_PRESSED] = { "pressed", Q_ON_OFF, 0, NULL, "Pressed" },
	[V_PRESSES] = { "presses", Q_COUNT, 0, NULL, "Presses" },
	[V_LAST_PRESS] = { "last_press", Q_TIMESTAMP, 0, "last_press", "Last press" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct driver button_driver = {
	.kind = "button",
	.summary = "A push button on a GPIO line; a press can measure every sensor.",
	.wiring = DRIVER_GPIO,
	.keys = button_keys,
	.conf_size = sizeof(struct button_conf),
	.values = button_values,
	.create = button_create,
};
