#include "display.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "display_page.h"
#include "driver.h"
#include "history.h"
#include "i2c.h"
#include "log.h"
#include "loop.h"
#include "oled.h"
#include "quantity.h"
#include "sensor.h"
#include "sink.h"
#include "xmalloc.h"

#define RETRY_SECONDS 10
#define REDRAW_GAP    1.0 /* seconds between two readings drawn */
#define CHUNK         32  /* data bytes per transfer: an SMBus block */
#define MAX_PAGES     64  /* values it cycles through */
#define MAX_XFERS     (3 + 8 * (1 + FB_MAX_W / CHUNK))
#define MAX_POINTS    512

/* --- Configuration ------------------------------------------------------- */

static const char *const controller_words[] = { "ssd1306", "sh1106", NULL };
static const char *const height_words[] = { "64", "32", NULL };
static const char *const rotation_words[] = { "0", "180", NULL };

/* "HH:MM-HH:MM", or empty for none. */
static bool parse_hours(const char *v, void *dst)
{
	struct config_hours *h = dst;
	unsigned a, b, c, e;
	char end;

	if (v[0] == '\0') {
		h->from = h->to = -1;
		return true;
	}
	if (sscanf(v, "%u:%u-%u:%u%c", &a, &b, &c, &e, &end) != 4 || a > 23 || c > 23 || b > 59 ||
	    e > 59 || (a == c && b == e))
		return false;
	h->from = (int)(a * 60 + b);
	h->to = (int)(c * 60 + e);
	return true;
}

static void hours_allowed(struct buf *b)
{
	buf_puts(b, "HH:MM-HH:MM (24-hour clock; may pass midnight, as 23:00-07:00), or empty");
}

const struct conf_key display_keys[] = {
	CONF_KEY_STR(struct config, display.bus, "bus", "/dev/i2c-1", "the I2C bus's device"),
	CONF_KEY_ADDR(struct config, display.address, "address", "0x3c",
	              "the display's 7-bit I2C address (0x3c, or 0x3d with its jumper moved)"),
	CONF_KEY_CHOICE(struct config, display.controller, "controller", controller_words,
	                "ssd1306", "the controller: ssd1306 (0.96\" modules) or sh1106 (1.3\")"),
	CONF_KEY_CHOICE(struct config, display.height, "height", height_words, "64",
	                "rows of the 128-column panel"),
	CONF_KEY_CHOICE(struct config, display.rotation, "rotation", rotation_words, "0",
	                "degrees the picture is turned, for a module mounted upside down"),
	CONF_KEY_UINT(struct config, display.contrast, "contrast", 0, 255, "207",
	              "brightness, 0-255"),
	CONF_KEY_NUM(struct config, display.page_seconds, "page_seconds", 1, 3600, "3",
	             "seconds each value is shown"),
	CONF_KEY_NUM(struct config, display.trend_minutes, "trend_minutes", 1, 10080, "60",
	             "minutes of history the trendline shows"),
	CONF_KEY_STR(struct config, display.values, "values", NULL,
	             "the values shown, as SENSOR.VALUE separated by commas; empty: every "
	             "value the page charts"),
	CONF_KEY_CUSTOM(struct config, display.off_between, "off_between", parse_hours,
	                hours_allowed, "", "hours the display is off, against burn-in"),
	CONF_KEY_CUSTOM(struct config, display.dim_between, "dim_between", parse_hours,
	                hours_allowed, "", "hours the display is dimmed to the lowest contrast"),
	CONF_KEY_BOOL(struct config, display.pixel_shift, "pixel_shift", "true",
	              "move the picture by a pixel every 5 minutes, against burn-in"),
	CONF_KEY_END,
};

void display_section_opened(struct config *cfg, int line)
{
	if (!cfg->display.enabled) {
		cfg->display.enabled = true;
		cfg->display.line = line;
	}
}

/* "sensor.value" in a list: found, and a value the history keeps. */
static bool value_known(const struct config *cfg, const char *item, char *why, size_t len)
{
	const char *dot = strchr(item, '.');

	if (dot == NULL || dot == item || dot[1] == '\0') {
		snprintf(why, len, "'%s' is not SENSOR.VALUE", item);
		return false;
	}
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sensor_conf *sc = &cfg->sensors[i];
		if (strlen(sc->name) != (size_t)(dot - item) ||
		    strncmp(sc->name, item, (size_t)(dot - item)) != 0)
			continue;
		for (const struct value_spec *v = sc->driver->values; v->name != NULL; v++)
			if (strcmp(v->name, dot + 1) == 0) {
				if (quantity(v->q)->trend)
					return true;
				snprintf(why, len, "'%s' is not a measurement with a trend", item);
				return false;
			}
		snprintf(why, len, "sensor '%s' has no value '%s'", sc->name, dot + 1);
		return false;
	}
	snprintf(why, len, "there is no sensor '%.*s'", (int)(dot - item), item);
	return false;
}

void display_validate(const struct config *cfg, struct config_report *r)
{
	const struct display_conf *c = &cfg->display;
	char list[sizeof c->values], why[200];

	if (!c->enabled)
		return;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct i2c_conf *ic = driver_i2c(&cfg->sensors[i]);
		if (ic != NULL && ic->address == c->address && strcmp(ic->bus, c->bus) == 0)
			config_error(r, c->line, "[display] and '%s' both use address 0x%02x on %s",
			             cfg->sensors[i].name, c->address, c->bus);
	}
	snprintf(list, sizeof list, "%s", c->values);
	for (char *save = NULL, *it = strtok_r(list, ", ", &save); it != NULL;
	     it = strtok_r(NULL, ", ", &save))
		if (!value_known(cfg, it, why, sizeof why))
			config_error(r, c->line, "[display] values: %s", why);
}

/* --- The display ----------------------------------------------------------- */

struct xfer {
	uint8_t control;
	uint8_t len;
	uint8_t data[CHUNK];
};

struct page_ref {
	const struct sensor *s;
	size_t value;
};

struct display {
	struct event_base *base;
	struct display_conf c;
	struct oled_geometry g;
	struct i2c_bus *bus;
	const struct history *history;
	void (*changed)(void *ctx, bool frame);
	void *ctx;

	struct page_ref pages[MAX_PAGES];
	size_t npages, page;
	struct event *tick, *retry;
	struct event *redraw; /* a reading's redraw, held back (REDRAW_GAP) */
	double redrawn;       /* when a reading last redrew (monotonic s) */

	bool ready;   /* set up since the last failure */
	bool powered; /* as last told; the panel starts dark */
	unsigned contrast_set;
	struct fb target, shown_fb; /* the frame on its way, the one on the panel */
	bool shown_valid;

	struct xfer xfers[MAX_XFERS];
	size_t nxfers, next;
	struct i2c_req *req;
	bool again; /* a new frame was asked for while one was on its way */
	struct display_stats stats;
};

static void display_push(struct display *d);

/* The stats changed, and with frame, the panel shows a new frame. */
static void display_changed(struct display *d, bool frame)
{
	if (d->changed != NULL)
		d->changed(d->ctx, frame);
}

const char *display_status_name(enum display_status st)
{
	static const char *const names[] = { "pending", "ok", "error", "off" };
	return names[st];
}

static bool in_hours(const struct config_hours *h, int minute)
{
	if (h->from < 0)
		return false;
	return h->from < h->to ? minute >= h->from && minute < h->to
	                       : minute >= h->from || minute < h->to;
}

/* The trend of the page's value: its history over trend_minutes. */
static size_t trend_points(const struct display *d, const struct page_ref *p, uint32_t now,
                           struct history_point *out)
{
	const struct history_series *se =
	        d->history ? history_find(d->history, p->s->name, p->s->values[p->value].name)
	                   : NULL;
	double from = now - d->c.trend_minutes * 60;
	size_t n = 0, first = 0;

	if (se == NULL)
		return 0;
	while (first < se->len && history_get(se, first).t < from)
		first++;
	if (se->len - first > MAX_POINTS)
		first = se->len - MAX_POINTS;
	for (size_t i = first; i < se->len; i++)
		out[n++] = history_get(se, i);
	return n;
}

/* Draw the page shown now into d->target. */
static void display_draw(struct display *d, time_t now)
{
	static struct history_point points[MAX_POINTS];
	char number[32] = "";

	fb_init(&d->target, d->g.width, d->g.height);
	d->stats.page[0] = '\0';
	if (d->npages == 0)
		return;
	const struct page_ref *p = &d->pages[d->page % d->npages];
	const struct sensor_value *sv = &p->s->values[p->value];
	if (sv->valid)
		snprintf(number, sizeof number, "%.*f", sv->decimals, sv->v);
	struct display_page page = {
		.sensor = p->s->name,
		.value = sv->name,
		.number = sv->valid ? number : NULL,
		.unit = sv->q->unit,
		.status = p->s->status,
		.points = points,
		.npoints = trend_points(d, p, (uint32_t)now, points),
		.now = (uint32_t)now,
		.span = d->c.trend_minutes * 60,
		.interval = d->history ? d->history->interval : 60,
	};
	display_draw_page(&d->target, &page);
	snprintf(d->stats.page, sizeof d->stats.page, "%s/%s", p->s->name, sv->name);
	/* Against burn-in: a pixel right, down, left, up, every 5 minutes. */
	if (d->c.pixel_shift) {
		static const int dx[] = { 0, 1, 1, 0 }, dy[] = { 0, 0, 1, 1 };
		int k = (int)(now / 300 % 4);
		if (dx[k] || dy[k]) {
			struct fb moved;
			fb_init(&moved, d->target.w, d->target.h);
			for (unsigned y = 0; y < d->target.h; y++)
				for (unsigned x = 0; x < d->target.w; x++)
					if (fb_get(&d->target, (int)x, (int)y))
						fb_set(&moved, (int)x + dx[k], (int)y + dy[k],
						       true);
			d->target = moved;
		}
	}
}

static void queue(struct display *d, uint8_t control, const uint8_t *data, size_t len)
{
	struct xfer *x = &d->xfers[d->nxfers++];

	x->control = control;
	x->len = (uint8_t)len;
	memcpy(x->data, data, len);
}

static void display_fail(struct display *d, int err)
{
	char text[sizeof d->stats.error];

	i2c_describe_error(text, sizeof text, err, d->c.bus, d->c.address);
	if (d->stats.status != DISPLAY_ERROR || strcmp(text, d->stats.error) != 0)
		log_err("display (0x%02x on %s): %s; trying again every %d s", d->c.address,
		        d->c.bus, text, RETRY_SECONDS);
	snprintf(d->stats.error, sizeof d->stats.error, "%s", text);
	d->stats.status = DISPLAY_ERROR;
	display_changed(d, false);
	d->ready = false;
	d->powered = false;
	d->shown_valid = false;
	d->nxfers = d->next = 0;
	struct timeval tv = { RETRY_SECONDS, 0 };
	evtimer_add(d->retry, &tv);
}

static void send_next(struct display *d);

static void sent_cb(int err, void *arg)
{
	struct display *d = arg;

	d->req = NULL;
	if (err != 0) {
		display_fail(d, err);
		return;
	}
	d->stats.transfers++;
	if (++d->next < d->nxfers) {
		display_changed(d, false);
		send_next(d);
		return;
	}
	/* The whole frame is on the panel. */
	d->nxfers = d->next = 0;
	d->ready = true;
	if (d->stats.status == DISPLAY_ERROR || d->stats.status == DISPLAY_PENDING)
		log_info("display (0x%02x on %s): ok", d->c.address, d->c.bus);
	d->stats.status = d->powered ? DISPLAY_OK : DISPLAY_OFF;
	d->shown_fb = d->target;
	d->shown_valid = true;
	d->stats.frames++;
	display_changed(d, true);
	if (d->again) {
		d->again = false;
		display_push(d);
	}
}

static void send_next(struct display *d)
{
	const struct xfer *x = &d->xfers[d->next];

	d->req = i2c_send(d->bus, (uint8_t)d->c.address, x->control, x->data, x->len, sent_cb, d);
}

/* Draw the frame of now and send what the panel does not show yet. */
static void display_send(struct display *d)
{
	uint8_t cmd[OLED_INIT_MAX] = { 0 };
	time_t now = time(NULL);
	struct tm tm;

	if (d->req != NULL) {
		d->again = true;
		return;
	}
	localtime_r(&now, &tm);
	int minute = tm.tm_hour * 60 + tm.tm_min;
	bool off = in_hours(&d->c.off_between, minute);
	bool dim = !off && in_hours(&d->c.dim_between, minute);
	unsigned contrast = dim ? 1 : d->c.contrast;

	d->nxfers = d->next = 0;
	if (!d->ready) {
		queue(d, OLED_COMMANDS, cmd, oled_init_commands(&d->g, cmd));
		d->powered = true;
		d->contrast_set = d->c.contrast;
		d->shown_valid = false;
	}
	if (off == d->powered) {
		queue(d, OLED_COMMANDS, cmd, oled_power_commands(!off, cmd));
		d->powered = !off;
		/* Back on: the panel's RAM still holds the frame from before, not
		 * the dark one the mirror showed, so all of it goes again. */
		if (!off)
			d->shown_valid = false;
	}
	if (contrast != d->contrast_set) {
		queue(d, OLED_COMMANDS, cmd, oled_contrast_commands(contrast, cmd));
		d->contrast_set = contrast;
	}
	d->stats.dim = dim;
	if (off) {
		fb_init(&d->target, d->g.width, d->g.height); /* the mirror shows it dark */
	} else {
		display_draw(d, now);
		for (unsigned p = 0; p < d->target.h / 8; p++) {
			const uint8_t *row = &d->target.bytes[p * d->target.w];
			if (d->shown_valid &&
			    memcmp(row, &d->shown_fb.bytes[p * d->target.w], d->target.w) == 0)
				continue;
			queue(d, OLED_COMMANDS, cmd, oled_page_commands(&d->g, p, cmd));
			for (unsigned x = 0; x < d->target.w; x += CHUNK)
				queue(d, OLED_DATA, row + x, CHUNK);
		}
	}
	if (d->nxfers == 0) { /* nothing changed */
		if (d->stats.status != DISPLAY_ERROR)
			d->stats.status = d->powered ? DISPLAY_OK : DISPLAY_OFF;
		return;
	}
	send_next(d);
}

/* display_send, telling of a new page, dimming or status. */
static void display_push(struct display *d)
{
	char page[sizeof d->stats.page];
	bool dim = d->stats.dim;
	enum display_status status = d->stats.status;

	memcpy(page, d->stats.page, sizeof page);
	display_send(d);
	if (strcmp(page, d->stats.page) != 0 || dim != d->stats.dim || status != d->stats.status)
		display_changed(d, false);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct display *d = arg;

	(void)fd;
	(void)what;
	if (d->npages > 0)
		d->page = (d->page + 1) % d->npages;
	if (d->stats.status != DISPLAY_ERROR)
		display_push(d);
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	display_push(arg);
}

static void redraw_cb(evutil_socket_t fd, short what, void *arg)
{
	struct display *d = arg;

	(void)fd;
	(void)what;
	d->redrawn = sensor_now_mono();
	if (d->stats.status != DISPLAY_ERROR)
		display_push(d);
}

struct display *display_new(struct event_base *base, const struct display_conf *c,
                            struct i2c_bus *bus, const struct history *history,
                            void (*changed)(void *ctx, bool frame), void *ctx)
{
	struct display *d = xcalloc(1, sizeof *d);

	d->base = base;
	d->c = *c;
	d->g = (struct oled_geometry){ c->controller == 1 ? OLED_SH1106 : OLED_SSD1306, 128,
		                       c->height == 1 ? 32 : 64, c->rotation == 1, c->contrast };
	d->bus = bus;
	d->history = history;
	d->changed = changed;
	d->ctx = ctx;
	fb_init(&d->shown_fb, d->g.width, d->g.height);
	d->tick = event_new(base, -1, EV_PERSIST, tick_cb, d);
	d->retry = evtimer_new(base, retry_cb, d);
	d->redraw = evtimer_new(base, redraw_cb, d);
	d->redrawn = -REDRAW_GAP;
	struct timeval tv = loop_timeval(c->page_seconds);
	event_add(d->tick, &tv);
	log_info("display: %s %ux%u at 0x%02x on %s, a value every %g s",
	         d->g.controller == OLED_SH1106 ? "SH1106" : "SSD1306", d->g.width, d->g.height,
	         c->address, c->bus, c->page_seconds);
	return d;
}

void display_set_sensors(struct display *d, struct sensor *const *sensors, size_t n)
{
	d->npages = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sensor *s = sensors[i];
		for (size_t j = 0; j < s->nvalues && d->npages < MAX_PAGES; j++) {
			char item[2 * CONFIG_NAME_MAX + 2];
			snprintf(item, sizeof item, "%s.%s", s->name, s->values[j].name);
			bool want = d->c.values[0] != '\0' ? config_list_has(d->c.values, item)
			                                   : s->values[j].q->trend;
			if (want)
				d->pages[d->npages++] = (struct page_ref){ s, j };
		}
	}
	d->page = 0;
	display_push(d);
}

void display_free(struct display *d)
{
	if (d == NULL)
		return;
	i2c_cancel(d->req);
	event_free(d->tick);
	event_free(d->retry);
	event_free(d->redraw);
	free(d);
}

const struct display_stats *display_stats(const struct display *d)
{
	return &d->stats;
}

const struct fb *display_shown(const struct display *d)
{
	return &d->shown_fb;
}

/* A lit pixel is a white square on black, runs of a row as one rectangle. */
void display_render_svg(const struct fb *fb, struct buf *out)
{
	buf_printf(out,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u %u\" "
	           "width=\"%u\" height=\"%u\" shape-rendering=\"crispEdges\">"
	           "<rect width=\"%u\" height=\"%u\" fill=\"#000\"/><g fill=\"#fff\">",
	           fb->w, fb->h, fb->w * 2, fb->h * 2, fb->w, fb->h);
	for (unsigned y = 0; y < fb->h; y++)
		for (unsigned x = 0; x < fb->w;) {
			if (!fb_get(fb, (int)x, (int)y)) {
				x++;
				continue;
			}
			unsigned run = x;
			while (run < fb->w && fb_get(fb, (int)run, (int)y))
				run++;
			buf_printf(out, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"1\"/>", x, y,
			           run - x);
			x = run;
		}
	buf_puts(out, "</g></svg>\n");
}

/* --- As a sink ------------------------------------------------------------ */

static bool on_page(const struct display *d, const struct sensor *s)
{
	return d->npages > 0 && d->pages[d->page % d->npages].s == s;
}

/* A new reading of the value shown is drawn at once, or REDRAW_GAP after
 * the last reading drawn: sensors measured back to back would otherwise
 * keep the bus they share with the display busy with frames nobody can
 * read that fast. */
static void display_sink_reading(void *arg, const struct sensor *s, double t)
{
	struct display *d = arg;

	(void)t;
	if (!on_page(d, s) || d->stats.status == DISPLAY_ERROR || evtimer_pending(d->redraw, NULL))
		return;
	double wait = d->redrawn + REDRAW_GAP - sensor_now_mono();
	struct timeval tv = loop_timeval(wait > 0 ? wait : 0);
	evtimer_add(d->redraw, &tv);
}

static void display_sink_changed(void *arg, const struct sensor *s)
{
	display_sink_reading(arg, s, 0);
}

const struct sink_ops display_sink = {
	.name = "display",
	.reading = display_sink_reading,
	.changed = display_sink_changed,
	.round = NULL,
};
