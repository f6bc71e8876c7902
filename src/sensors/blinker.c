#include "blinker.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gpio.h"
#include "log.h"
#include "sensor.h"
#include "xmalloc.h"

struct blinker {
	struct gpio *gpio;
	struct gpio_line *line; /* NULL until requested */
	char chip[CONFIG_PATH_MAX + 1];
	char name[CONFIG_NAME_MAX + 1];
	bool active_low;
	struct timeval blink;
	struct event *off;
	size_t v_led;
};

/* Drive the LED and record the state as the sensor's value. */
static int blinker_light(struct sensor *s, int on)
{
	struct blinker *b = s->priv;
	int rc = gpio_set(b->line, on);

	if (rc == 0)
		sensor_set(s, b->v_led, on);
	return rc;
}

/* The blink time is over: dark again. */
static void blinker_off_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sensor *s = arg;

	(void)fd;
	(void)what;
	if (blinker_light(s, 0) < 0)
		log_warn("sensor %s: cannot switch the LED off", s->name);
}

static void blinker_start(struct sensor *s)
{
	struct blinker *b = s->priv;
	char err[160];

	if (b->line == NULL) {
		struct gpio_request rq = {
			.chip = b->chip,
			.line = b->name,
			.dir = GPIO_OUTPUT,
			.active_low = b->active_low,
			.value = 0,
		};
		b->line = gpio_request(b->gpio, &rq, err, sizeof err);
		if (b->line == NULL) {
			sensor_fail(s, "%s", err);
			return;
		}
	}
	if (b->off == NULL)
		b->off = evtimer_new(s->base, blinker_off_cb, s);
	if (blinker_light(s, 1) < 0) {
		sensor_fail(s, "cannot drive GPIO line %s", b->name);
		return;
	}
	evtimer_add(b->off, &b->blink); /* restarts the time if already lit */
	sensor_done(s);
}

static void blinker_cancel(struct sensor *s)
{
	(void)s; /* start finishes at once: nothing is ever in flight */
}

static void blinker_destroy(struct sensor *s)
{
	struct blinker *b = s->priv;

	if (b->off != NULL)
		event_free(b->off);
	if (b->line != NULL) {
		gpio_set(b->line, 0);
		gpio_release(b->line);
	}
	free(b);
}

static const struct sensor_ops blinker_ops = {
	.type = "blinker",
	.start = blinker_start,
	.cancel = blinker_cancel,
	.destroy = blinker_destroy,
};

struct sensor *blinker_sensor_new(const struct sensor_conf *sc, struct gpio *gpio)
{
	struct blinker *b = xcalloc(1, sizeof *b);

	b->gpio = gpio;
	snprintf(b->chip, sizeof b->chip, "%s", sc->chip);
	snprintf(b->name, sizeof b->name, "%s", sc->gpio);
	b->active_low = sc->active_low;
	b->blink.tv_sec = (time_t)sc->blink;
	b->blink.tv_usec = (suseconds_t)lround((sc->blink - floor(sc->blink)) * 1e6);
	struct sensor *s = sensor_new(&blinker_ops, sc->name, b);
	b->v_led = sensor_add_value(s, "led", "", 0, true);
	snprintf(s->where, sizeof s->where, "GPIO line %s%s%s%s", sc->gpio,
	         sc->chip[0] ? " on " : "", sc->chip, sc->active_low ? ", active low" : "");
	return s;
}
