/*
 * GPIO through libgpiod 2.x (Debian 13, Raspberry Pi OS trixie). The
 * Makefile builds this file or gpio_gpiod1.c, whichever matches the
 * installed libgpiod. Debouncing is asked of the kernel (which does it in
 * the GPIO chip or in gpiolib).
 */
#include <dirent.h>
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

struct gpiod2 {
	struct gpio gpio;
	struct event_base *base;
};

struct gpiod2_line {
	struct gpio_line line;
	struct gpiod_line_request *req; /* owns its fd; the chip is closed */
	unsigned offset;
	char name[64];
	struct gpiod_edge_event_buffer *events;
	struct event *ev;
	struct debounce *report; /* period 0: reports changes only */
};

/* Open the chip a spec names ("gpiochip0" or a path). */
static struct gpiod_chip *gpiod2_open(const char *chip)
{
	char path[300];

	if (strchr(chip, '/') != NULL)
		return gpiod_chip_open(chip);
	snprintf(path, sizeof path, "/dev/%s", chip);
	return gpiod_chip_open(path);
}

/* Find the line: by name on every chip, or by name or offset on one chip. */
static struct gpiod_chip *gpiod2_find(const struct gpio_request *rq, unsigned *offset)
{
	if (rq->chip != NULL && rq->chip[0] != '\0') {
		struct gpiod_chip *chip = gpiod2_open(rq->chip);
		if (chip == NULL)
			return NULL;
		int off = gpio_is_offset(rq->line)
		                  ? atoi(rq->line)
		                  : gpiod_chip_get_line_offset_from_name(chip, rq->line);
		if (off < 0) {
			gpiod_chip_close(chip);
			errno = ENOENT;
			return NULL;
		}
		*offset = (unsigned)off;
		return chip;
	}
	DIR *dev = opendir("/dev");
	struct dirent *d;
	if (dev == NULL)
		return NULL;
	while ((d = readdir(dev)) != NULL) {
		char path[300];
		if (strncmp(d->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof path, "/dev/%s", d->d_name);
		struct gpiod_chip *chip =
		        gpiod_is_gpiochip_device(path) ? gpiod_chip_open(path) : NULL;
		if (chip == NULL)
			continue;
		int off = gpiod_chip_get_line_offset_from_name(chip, rq->line);
		if (off >= 0) {
			closedir(dev);
			*offset = (unsigned)off;
			return chip;
		}
		gpiod_chip_close(chip);
	}
	closedir(dev);
	errno = ENOENT;
	return NULL;
}

static int gpiod2_read(void *line)
{
	struct gpiod2_line *l = line;
	enum gpiod_line_value v = gpiod_line_request_get_value(l->req, l->offset);

	return v == GPIOD_LINE_VALUE_ERROR ? -1 : v == GPIOD_LINE_VALUE_ACTIVE;
}

/* Edge events are ready (already debounced by the kernel): read the batch,
 * then report the line's value if it changed. */
static void gpiod2_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gpiod2_line *l = arg;

	(void)fd;
	(void)what;
	if (gpiod_line_request_read_edge_events(l->req, l->events, 16) < 0 && errno != EAGAIN) {
		log_warn("GPIO line %s: reading events failed: %s", l->name, strerror(errno));
		return;
	}
	debounce_edge(l->report);
}

/* The request, from its settings. NULL with errno set. */
static struct gpiod_line_request *gpiod2_request_line(struct gpiod_chip *chip, unsigned offset,
                                                      const struct gpio_request *rq)
{
	static const enum gpiod_line_bias bias[] = {
		[GPIO_BIAS_AS_IS] = GPIOD_LINE_BIAS_AS_IS,
		[GPIO_BIAS_DISABLE] = GPIOD_LINE_BIAS_DISABLED,
		[GPIO_BIAS_PULL_UP] = GPIOD_LINE_BIAS_PULL_UP,
		[GPIO_BIAS_PULL_DOWN] = GPIOD_LINE_BIAS_PULL_DOWN,
	};
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;

	if (ls == NULL || lc == NULL || rc == NULL)
		fatal("libgpiod: out of memory");
	gpiod_line_settings_set_active_low(ls, rq->active_low);
	if (rq->dir == GPIO_OUTPUT) {
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
		gpiod_line_settings_set_output_value(ls, rq->value ? GPIOD_LINE_VALUE_ACTIVE
		                                                   : GPIOD_LINE_VALUE_INACTIVE);
	} else {
		gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		gpiod_line_settings_set_bias(ls, bias[rq->bias]);
		if (rq->on_edge != NULL) {
			gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
			gpiod_line_settings_set_debounce_period_us(ls, rq->debounce_us);
		}
	}
	gpiod_request_config_set_consumer(rc, CONSUMER);
	if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
		req = gpiod_chip_request_lines(chip, rc, lc);
	int e = errno;
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	errno = e;
	return req;
}

static struct gpio_line *gpiod2_request(struct gpio *g, const struct gpio_request *rq, char *err,
                                        size_t errlen)
{
	struct gpiod2 *gd = (struct gpiod2 *)g;
	unsigned offset;
	struct gpiod_chip *chip = gpiod2_find(rq, &offset);

	if (chip == NULL) {
		gpio_describe_error(err, errlen, errno ? errno : ENOENT, rq);
		return NULL;
	}
	struct gpiod_line_request *req = gpiod2_request_line(chip, offset, rq);
	int e = errno;
	gpiod_chip_close(chip); /* the request keeps its own fd */
	if (req == NULL) {
		gpio_describe_error(err, errlen, e, rq);
		return NULL;
	}

	struct gpiod2_line *l = xcalloc(1, sizeof *l);
	l->line.gpio = g;
	l->req = req;
	l->offset = offset;
	snprintf(l->name, sizeof l->name, "%s", rq->line);
	if (rq->on_edge != NULL) {
		int fd = gpiod_line_request_get_fd(req);
		/* The event fd blocks by default; the loop must never wait on it. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		l->events = gpiod_edge_event_buffer_new(16);
		if (l->events == NULL)
			fatal("libgpiod: out of memory");
		l->report = debounce_new(gd->base, 0, gpiod2_read, l, rq->on_edge, rq->arg);
		l->ev = event_new(gd->base, fd, EV_READ | EV_PERSIST, gpiod2_event_cb, l);
		event_add(l->ev, NULL);
	}
	return &l->line;
}

static int gpiod2_set(struct gpio_line *line, int value)
{
	struct gpiod2_line *l = (struct gpiod2_line *)line;

	return gpiod_line_request_set_value(l->req, l->offset,
	                                    value ? GPIOD_LINE_VALUE_ACTIVE
	                                          : GPIOD_LINE_VALUE_INACTIVE) < 0
	               ? -errno
	               : 0;
}

static int gpiod2_get(struct gpio_line *line)
{
	int v = gpiod2_read(line);

	return v < 0 ? -errno : v;
}

static void gpiod2_release(struct gpio_line *line)
{
	struct gpiod2_line *l = (struct gpiod2_line *)line;

	if (l->ev != NULL)
		event_free(l->ev);
	debounce_free(l->report);
	if (l->events != NULL)
		gpiod_edge_event_buffer_free(l->events);
	gpiod_line_request_release(l->req);
	free(l);
}

static void gpiod2_destroy(struct gpio *g)
{
	free(g);
}

static const struct gpio_ops gpiod2_ops = {
	.request = gpiod2_request,
	.set = gpiod2_set,
	.get = gpiod2_get,
	.release = gpiod2_release,
	.destroy = gpiod2_destroy,
};

const char *gpio_linux_version(void)
{
	static char v[32];

	snprintf(v, sizeof v, "libgpiod %s", gpiod_api_version());
	return v;
}

struct gpio *gpio_linux_new(struct event_base *base)
{
	struct gpiod2 *g = xcalloc(1, sizeof *g);

	g->gpio.ops = &gpiod2_ops;
	g->base = base;
	return &g->gpio;
}
