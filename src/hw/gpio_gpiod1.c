/*
 * GPIO through libgpiod 1.6 (Debian 12, Raspberry Pi OS bookworm). The
 * Makefile builds this file or gpio_gpiod2.c, whichever matches the
 * installed libgpiod. 1.6 has no hardware debounce: inputs are debounced in
 * software (debounce.c).
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debounce.h"
#include "gpio.h"
#include "log.h"
#include "xmalloc.h"

#define CONSUMER "muricle"

struct gpiod1 {
	struct gpio gpio;
	struct event_base *base;
};

struct gpiod1_line {
	struct gpio_line line;
	struct gpiod_line *gl; /* owns its chip: closing the chip releases the line */
	char name[64];
	struct event *ev; /* edge events */
	struct debounce *db;
};

/* Find the line: by name on every chip, or by name or offset on one chip. */
static struct gpiod_line *gpiod1_find(const struct gpio_request *rq)
{
	if (rq->chip == NULL || rq->chip[0] == '\0')
		return gpiod_line_find(rq->line);
	if (gpio_is_offset(rq->line))
		return gpiod_line_get(rq->chip, (unsigned)strtoul(rq->line, NULL, 10));
	struct gpiod_chip *chip = gpiod_chip_open_lookup(rq->chip);
	if (chip == NULL)
		return NULL;
	struct gpiod_line *l = gpiod_chip_find_line(chip, rq->line);
	if (l == NULL) {
		int e = errno;
		gpiod_chip_close(chip);
		errno = e;
	}
	return l;
}

static int gpiod1_read(void *line)
{
	return gpiod_line_get_value(((struct gpiod1_line *)line)->gl);
}

/* Edge events are ready: read the whole batch, then debounce. */
static void gpiod1_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gpiod1_line *l = arg;
	struct gpiod_line_event evs[16];

	(void)what;
	if (gpiod_line_event_read_fd_multiple(fd, evs, 16) < 0 && errno != EAGAIN) {
		log_warn("GPIO line %s: reading events failed: %s", l->name, strerror(errno));
		return;
	}
	debounce_edge(l->db);
}

static struct gpio_line *gpiod1_request(struct gpio *g, const struct gpio_request *rq, char *err,
                                        size_t errlen)
{
	struct gpiod1 *gd = (struct gpiod1 *)g;
	struct gpiod_line *gl = gpiod1_find(rq);

	if (gl == NULL) {
		gpio_describe_error(err, errlen, errno ? errno : ENOENT, rq);
		return NULL;
	}
	struct gpiod_line_request_config cfg = { .consumer = CONSUMER };
	if (rq->dir == GPIO_OUTPUT)
		cfg.request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
	else if (rq->on_edge != NULL)
		cfg.request_type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
	else
		cfg.request_type = GPIOD_LINE_REQUEST_DIRECTION_INPUT;
	if (rq->active_low)
		cfg.flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	static const int bias[] = {
		[GPIO_BIAS_AS_IS] = 0,
		[GPIO_BIAS_DISABLE] = GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE,
		[GPIO_BIAS_PULL_UP] = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP,
		[GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN,
	};
	cfg.flags |= bias[rq->bias];
	if (gpiod_line_request(gl, &cfg, rq->value) < 0) {
		gpio_describe_error(err, errlen, errno, rq);
		gpiod_line_close_chip(gl);
		return NULL;
	}

	struct gpiod1_line *l = xcalloc(1, sizeof *l);
	l->line.gpio = g;
	l->gl = gl;
	snprintf(l->name, sizeof l->name, "%s", rq->line);
	if (rq->on_edge != NULL) {
		int fd = gpiod_line_event_get_fd(gl);
		/* The event fd blocks by default; the loop must never wait on it. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		l->db = debounce_new(gd->base, rq->debounce_us, gpiod1_read, l, rq->on_edge,
		                     rq->arg);
		l->ev = event_new(gd->base, fd, EV_READ | EV_PERSIST, gpiod1_event_cb, l);
		event_add(l->ev, NULL);
	}
	return &l->line;
}

static int gpiod1_set(struct gpio_line *line, int value)
{
	struct gpiod1_line *l = (struct gpiod1_line *)line;

	return gpiod_line_set_value(l->gl, value) < 0 ? -errno : 0;
}

static int gpiod1_get(struct gpio_line *line)
{
	int v = gpiod1_read(line);

	return v < 0 ? -errno : v;
}

static void gpiod1_release(struct gpio_line *line)
{
	struct gpiod1_line *l = (struct gpiod1_line *)line;

	if (l->ev != NULL)
		event_free(l->ev);
	debounce_free(l->db);
	gpiod_line_release(l->gl);
	gpiod_line_close_chip(l->gl);
	free(l);
}

static void gpiod1_destroy(struct gpio *g)
{
	free(g);
}

static const struct gpio_ops gpiod1_ops = {
	.request = gpiod1_request,
	.set = gpiod1_set,
	.get = gpiod1_get,
	.release = gpiod1_release,
	.destroy = gpiod1_destroy,
};

const char *gpio_linux_version(void)
{
	static char v[32];

	snprintf(v, sizeof v, "libgpiod %s", gpiod_version_string());
	return v;
}

struct gpio *gpio_linux_new(struct event_base *base)
{
	struct gpiod1 *g = xcalloc(1, sizeof *g);

	g->gpio.ops = &gpiod1_ops;
	g->base = base;
	return &g->gpio;
}
