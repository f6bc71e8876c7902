#include "blinker.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "gpio.h"
#include "log.h"
#include "loop.h"
#include "sensor.h"
#include "xmalloc.h"

struct blinker {
	struct gpio *gpio;
	struct gpio_line *line;     /* NULL until requested */
	struct gpio_conf line_conf; /* chip and line name, as configured */
	bool active_low;
	struct timeval blink;
	struct event *off;
};

enum { V_LED };

/* Drive the LED and record the state as the sensor's value. */
static int blinker_light(struct sensor *s, int on)
{
	struct blinker *b = s->priv;
	int rc = gpio_set(b->line, on);

	if (rc == 0)
		sensor_set(s, V_LED, on);
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
			.chip = b->line_conf.chip,
			.line = b->line_conf.line,
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
		sensor_fail(s, "cannot drive GPIO line %s", b->line_conf.line);
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

static struct sensor *blinker_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	const struct blinker_conf *c = config_driver_conf(sc, struct blinker_conf);
	struct blinker *b = xcalloc(1, sizeof *b);

	b->gpio = env->gpio;
	b->line_conf = c->gpio;
	b->active_low = c->gpio.active_low;
	b->blink = loop_timeval(c->blink);
	return driver_sensor_new(sc, &blinker_ops, b);
}

/* Lit for `blink` after each round: with rounds closer than that it never goes dark. */
static void blinker_advise(const struct sensor_conf *sc, const struct config *cfg, char *out,
                           size_t len)
{
	const struct blinker_conf *c = config_driver_conf(sc, struct blinker_conf);

	if (c->blink >= cfg->interval)
		snprintf(out, len,
		         "blink (%g s) is not shorter than interval (%g s), so the LED never "
		         "goes dark between measurements: make blink shorter",
		         c->blink, cfg->interval);
}

static const struct conf_key blinker_keys[] = {
	DRIVER_GPIO_KEYS(struct blinker_conf, "false"),
	CONF_KEY_NUM(struct blinker_conf, blink, "blink", 0.01, 3600, "5",
	             "seconds the LED stays lit after a measurement"),
	CONF_KEY_END,
};

static const struct value_spec blinker_values[] = {
	[V_LED] = { "led", Q_ON_OFF, 0, NULL, "LED" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct driver blinker_driver = {
	.kind = "blinker",
	.summary = "An LED on a GPIO line, lit while measuring.",
	.wiring = DRIVER_GPIO,
	.keys = blinker_keys,
	.conf_size = sizeof(struct blinker_conf),
	.values = blinker_values,
	.create = blinker_create,
	.advise = blinker_advise,
};
