#include "web.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "archive.h"
#include "assets.h"
#include "buf.h"
#include "display.h"
#include "events.h"
#include "history.h"
#include "request.h"
#include "measure.h"
#include "metrics.h"
#include "mqtt.h"
#include "quantity.h"
#include "render.h"
#include "sensor.h"
#include "sink.h"
#include "xmalloc.h"

#define TYPE_HTML    "text/html; charset=utf-8"
#define TYPE_JSON    "application/json"
#define TYPE_TEXT    "text/plain; charset=utf-8"
#define TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define TYPE_CSV     "text/csv; charset=utf-8; header=present"

struct route {
	const char *path;
	const char *allow; /* the methods it takes, as the Allow header of a 405 says */
	void (*fn)(struct web *w, struct http_req *r);
	bool control; /* makes the sensors measure: checked by access.h */
};

static const char *path_label(struct http_req *r);
static bool allowed(const char *allow, const char *method);

static const char *method_label(struct http_req *r)
{
	static const char *const known[] = { "GET", "HEAD", "POST" };

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(http_req_method(r), known[i]) == 0)
			return known[i];
	return "other";
}

static void count(struct web *w, struct http_req *r, unsigned status)
{
	http_count(&w->counters, path_label(r), method_label(r), status);
}

/* Send b with the headers every dynamic answer gets. */
static void reply_buf(struct web *w, struct http_req *r, unsigned status, const char *type,
                      struct buf *b)
{
	size_t len;
	char *body = buf_steal(b, &len);

	count(w, r, status);
	http_add_header(r, "Cache-Control", "no-store");
	http_add_header(r, "X-Content-Type-Options", "nosniff");
	http_reply(r, status, type, body, len);
}

static bool is_api(struct http_req *r)
{
	return strncmp(http_req_path(r), "/api/", 5) == 0;
}

static void reply_error(struct web *w, struct http_req *r, unsigned status, const char *text)
{
	struct buf b;

	buf_init(&b);
	if (is_api(r))
		render_error_json(&b, status, text);
	else
		render_error_html(&b, status, text);
	reply_buf(w, r, status, is_api(r) ? TYPE_JSON : TYPE_HTML, &b);
}

struct web_cache {
	bool valid;
	uint64_t version;    /* w->version when rendered */
	uint64_t renderings; /* so far: each one's ETag differs */
	struct buf html, json, metrics;
	char etag[48]; /* of html and json */
};

void web_invalidate(struct web *w)
{
	w->version++;
}

void web_cache_free(struct web *w)
{
	struct web_cache *c = w->cache;

	if (c == NULL)
		return;
	buf_free(&c->html);
	buf_free(&c->json);
	buf_free(&c->metrics);
	free(c);
	w->cache = NULL;
}

static struct render_view web_view(const struct web *w);

/* The renderings of the state as it is now: those of the last request
 * unless something changed since. */
static const struct web_cache *web_rendered(struct web *w)
{
	struct web_cache *c = w->cache;
	if (c == NULL) {
		c = w->cache = xcalloc(1, sizeof *c);
		buf_init(&c->html);
		buf_init(&c->json);
		buf_init(&c->metrics);
	}
	if (c->valid && c->version == w->version)
		return c;
	struct render_view v = web_view(w);
	buf_reset(&c->html);
	buf_reset(&c->json);
	buf_reset(&c->metrics);
	render_html(&c->html, &v);
	render_json(&c->json, &v);
	render_metrics_state(&c->metrics, &v, w->durations);
	c->version = w->version;
	c->valid = true;
	/* The start (in µs) makes the tags of an earlier run differ. */
	snprintf(c->etag, sizeof c->etag, "\"%llx-%llx\"",
	         (unsigned long long)(w->start_time * 1e6), (unsigned long long)++c->renderings);
	return c;
}

static struct render_view web_view(const struct web *w)
{
	struct render_view v = {
		.title = w->title,
		.sensors = w->sensors,
		.n = w->n,
		.rounds = measure_rounds(w->measure),
		.measuring = measure_in_flight(w->measure),
		.simulated = w->simulated,
		.last_time = measure_last_time(w->measure),
		.now_wall = sensor_now_wall(),
		.now_mono = sensor_now_mono(),
		.mqtt = w->mqtt != NULL ? mqtt_stats(w->mqtt) : NULL,
		.display = w->display != NULL ? display_stats(w->display) : NULL,
	};
	return v;
}

const char *web_state_json(struct web *w)
{
	return web_rendered(w)->json.data;
}

void web_publish_reading(struct web *w, const struct sensor *s, double t)
{
	struct buf b;

	if (events_clients(w->events) == 0)
		return;
	buf_init(&b);
	render_reading_json(&b, s, t);
	events_publish(w->events, "reading", b.data);
	buf_free(&b);
}

void web_publish_change(struct web *w, const struct sensor *s)
{
	struct buf b;

	if (events_clients(w->events) == 0)
		return;
	buf_init(&b);
	render_sensor_json(&b, s);
	events_publish(w->events, "sensor", b.data);
	buf_free(&b);
}

void web_publish_round(struct web *w, double duration)
{
	struct buf b;
	struct render_view v;

	if (events_clients(w->events) == 0)
		return;
	v = web_view(w);
	buf_init(&b);
	render_round_json(&b, &v, duration);
	events_publish(w->events, "measurement", b.data);
	buf_free(&b);
}

void web_publish_display(struct web *w)
{
	struct buf b;

	if (events_clients(w->events) == 0 || w->display == NULL)
		return;
	buf_init(&b);
	render_display_json(&b, display_stats(w->display));
	buf_puts(&b, "\n");
	events_publish(w->events, "display", b.data);
	buf_free(&b);
}

static void web_sink_reading(void *arg, const struct sensor *s, double t)
{
	web_invalidate(arg);
	web_publish_reading(arg, s, t);
}

static void web_sink_changed(void *arg, const struct sensor *s)
{
	web_invalidate(arg);
	web_publish_change(arg, s);
}

static void web_sink_round(void *arg, const struct measure *m, double duration)
{
	(void)m;
	web_invalidate(arg);
	web_publish_round(arg, duration);
}

const struct sink_ops web_sink = {
	.name = "event streams",
	.reading = web_sink_reading,
	.changed = web_sink_changed,
	.round = web_sink_round,
};

/* A rendering of the cache: 304 to a client that has it (its ETag), or a
 * copy (an answer may still be going out when the cache is rendered anew). */
static void reply_rendered(struct web *w, struct http_req *r, const char *type,
                           const struct buf *body, const char *etag)
{
	const char *inm = http_req_header(r, "If-None-Match");
	bool fresh = inm != NULL && web_etag_matches(inm, etag);

	count(w, r, fresh ? 304 : 200);
	http_add_header(r, "ETag", etag);
	/* Kept, but asked again every time: it changes with every reading. */
	http_add_header(r, "Cache-Control", "no-cache");
	http_add_header(r, "X-Content-Type-Options", "nosniff");
	if (fresh) {
		http_reply(r, 304, NULL, NULL, 0);
		return;
	}
	char *copy = xcalloc(1, body->len + 1);
	memcpy(copy, body->data, body->len + 1);
	http_reply(r, 200, type, copy, body->len);
}

static void page_get(struct web *w, struct http_req *r)
{
	const struct web_cache *c = web_rendered(w);

	http_add_header(r, "Content-Security-Policy",
	                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
	reply_rendered(w, r, TYPE_HTML, &c->html, c->etag);
}

static void api_sensors(struct web *w, struct http_req *r)
{
	const struct web_cache *c = web_rendered(w);

	reply_rendered(w, r, TYPE_JSON, &c->json, c->etag);
}

/* What the display shows now, as SVG; 404 without a display. */
static void api_display(struct web *w, struct http_req *r)
{
	struct buf b;

	if (w->display == NULL) {
		reply_error(w, r, 404, "there is no [display] in the configuration");
		return;
	}
	buf_init(&b);
	display_render_svg(display_shown(w->display), &b);
	reply_buf(w, r, 200, "image/svg+xml", &b);
}

/* The quantities, their units and the page's other units (quantity.h). */
static void api_quantities(struct web *w, struct http_req *r)
{
	struct buf b;

	buf_init(&b);
	quantity_render_json(&b);
	reply_buf(w, r, 200, TYPE_JSON, &b);
}

/* A client's text in an answer: printable ASCII only (so the JSON stays
 * valid whatever bytes came), and at most 48 characters of it. */
static void put_echo(struct buf *b, const char *s)
{
	size_t i;

	for (i = 0; i < 48 && s[i] != '\0'; i++)
		buf_add(b, s[i] >= 0x20 && s[i] < 0x7f ? &s[i] : "?", 1);
	if (s[i] != '\0')
		buf_puts(b, "...");
}

/* Whether a name may go into a file name as it is: short, letters, digits,
 * "_" and "-". */
static bool safe_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 40 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* GET /api/v1/history?sensor=NAME&value=NAME&since=UNIX_SECONDS, as JSON
 * or as CSV. */
static void history_get_as(struct web *w, struct http_req *r, bool csv)
{
	const char *sensor = http_req_arg(r, "sensor");
	const char *value = http_req_arg(r, "value");
	const char *since_s = http_req_arg(r, "since");
	double since = 0;
	struct buf b;

	if (since_s != NULL) {
		char *end;
		since = strtod(since_s, &end);
		if (since_s[0] == '\0' || *end != '\0' || !isfinite(since)) {
			reply_error(
			        w, r, 400,
			        "since: give a time in seconds since the epoch, like 1764150000");
			return;
		}
	}
	struct render_view v = web_view(w);
	buf_init(&b);
	size_t matched = csv ? render_history_csv(&b, w->history, &v, sensor, value, since)
	                     : render_history(&b, w->history, &v, sensor, value, since);
	if (matched == 0 && (sensor != NULL || value != NULL)) {
		buf_reset(&b);
		buf_puts(&b, "no history for sensor=");
		put_echo(&b, sensor ? sensor : "(any)");
		buf_puts(&b, " value=");
		put_echo(&b, value ? value : "(any)");
		buf_puts(&b, " (on/off values have none)");
		reply_error(w, r, 404, b.data);
		buf_free(&b);
		return;
	}
	if (csv) {
		char disp[160];
		snprintf(disp, sizeof disp, "attachment; filename=\"muricle%s%s%s%s.csv\"",
		         sensor != NULL && safe_name(sensor) ? "-" : "",
		         sensor != NULL && safe_name(sensor) ? sensor : "",
		         value != NULL && safe_name(value) ? "-" : "",
		         value != NULL && safe_name(value) ? value : "");
		http_add_header(r, "Content-Disposition", disp);
	}
	reply_buf(w, r, 200, csv ? TYPE_CSV : TYPE_JSON, &b);
}

static void api_history(struct web *w, struct http_req *r)
{
	history_get_as(w, r, false);
}

static void api_history_csv(struct web *w, struct http_req *r)
{
	history_get_as(w, r, true);
}

static void metrics_get(struct web *w, struct http_req *r)
{
	struct render_view v = web_view(w);
	struct metrics_view m = {
		.v = &v,
		.durations = w->durations,
		.http = &w->counters,
		.event_clients = events_clients(w->events),
		.start_time = w->start_time,
		.history_saved = w->archive == NULL || archive_ok(w->archive),
		.mqtt = v.mqtt,
	};
	struct buf b;

	const struct web_cache *c = web_rendered(w);

	buf_init(&b);
	buf_add(&b, c->metrics.data, c->metrics.len);
	render_metrics(&b, &m);
	reply_buf(w, r, 200, TYPE_METRICS, &b);
}

static void events_get(struct web *w, struct http_req *r)
{
	struct buf b;

	buf_init(&b);
	if (strcmp(http_req_method(r), "HEAD") == 0) {
		/* What a GET would start with; a stream has no length to give. */
		reply_buf(w, r, 200, "text/event-stream; charset=utf-8", &b);
		return;
	}
	struct render_view v = web_view(w);
	render_round_json(&b, &v, -1); /* with the time, for the page's clock */
	switch (events_subscribe(w->events, r, web_state_json(w), b.data)) {
	case EVENTS_OK: count(w, r, 200); break;
	case EVENTS_FULL:
		http_add_header(r, "Retry-After", "30");
		reply_error(w, r, 503, "too many open event streams; try again later");
		break;
	case EVENTS_NO_STREAM:
		reply_error(w, r, 501, "this connection cannot carry an event stream");
		break;
	}
	buf_free(&b);
}

struct waiting {
	struct web *web;
	struct http_req *req;
	bool redirect; /* the page's form: answer 303 to / */
};

/* The measurement a request waited for is over: answer it. */
static void measured_cb(void *arg, bool completed)
{
	struct waiting *wt = arg;

	if (!completed)
		reply_error(wt->web, wt->req, 503, "the daemon is shutting down");
	else if (wt->redirect) {
		http_add_header(wt->req, "Location", "/");
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "measured: see /\n");
		reply_buf(wt->web, wt->req, 303, TYPE_TEXT, &b);
	} else {
		api_sensors(wt->web, wt->req);
	}
	free(wt);
}

static void start_measure(struct web *w, struct http_req *r, bool redirect)
{
	struct waiting *wt = xcalloc(1, sizeof *wt);

	wt->web = w;
	wt->req = r;
	wt->redirect = redirect;
	measure_request(w->measure, measured_cb, wt);
}

static void page_measure(struct web *w, struct http_req *r)
{
	start_measure(w, r, true);
}

static void api_measure(struct web *w, struct http_req *r)
{
	start_measure(w, r, false);
}

bool web_etag_matches(const char *header, const char *etag)
{
	size_t n = strlen(etag);
	const char *s = header;

	for (;;) {
		s += strspn(s, " \t,");
		if (*s == '\0')
			return false;
		if (*s == '*')
			return true; /* any current representation */
		if (strncmp(s, "W/", 2) == 0)
			s += 2; /* If-None-Match compares weakly (RFC 9110 13.1.2) */
		if (*s != '"')
			return false; /* not a list of entity tags */
		const char *end = strchr(s + 1, '"');
		if (end == NULL)
			return false;
		if ((size_t)(end + 1 - s) == n && strncmp(s, etag, n) == 0)
			return true;
		s = end + 1;
	}
}

/* The page's assets, revalidated with their ETag. */
static bool asset_get(struct web *w, struct http_req *r)
{
	const char *path = http_req_path(r);

	for (size_t i = 0; i < assets_count; i++) {
		const struct asset *a = &assets[i];
		if (strcmp(path, a->path) != 0)
			continue;
		if (!allowed("GET, HEAD", http_req_method(r))) {
			http_add_header(r, "Allow", "GET, HEAD");
			reply_error(w, r, 405, "method not allowed here");
			return true;
		}
		const char *inm = http_req_header(r, "If-None-Match");
		bool fresh = inm != NULL && web_etag_matches(inm, a->etag);
		count(w, r, fresh ? 304 : 200);
		http_add_header(r, "ETag", a->etag);
		http_add_header(r, "Cache-Control", "no-cache");
		http_add_header(r, "X-Content-Type-Options", "nosniff");
		if (fresh) {
			http_reply(r, 304, NULL, NULL, 0);
		} else {
			char *body = xcalloc(1, a->len + 1);
			memcpy(body, a->data, a->len);
			http_reply(r, 200, a->type, body, a->len);
		}
		return true;
	}
	return false;
}

static const struct route routes[] = {
	{ "/", "GET, HEAD", page_get, false },
	{ "/measure", "POST", page_measure, true },
	{ "/events", "GET, HEAD", events_get, false },
	{ "/metrics", "GET, HEAD", metrics_get, false },
	{ "/api/v1/sensors", "GET, HEAD", api_sensors, false },
	{ "/api/v1/history", "GET, HEAD", api_history, false },
	{ "/api/v1/history.csv", "GET, HEAD", api_history_csv, false },
	{ "/api/v1/measure", "POST", api_measure, true },
	{ "/api/v1/quantities", "GET, HEAD", api_quantities, false },
	{ "/api/v1/display", "GET, HEAD", api_display, false },
};
static const size_t nroutes = sizeof routes / sizeof routes[0];

/* The route's path, for the request counters: a fixed set of labels. */
static const char *path_label(struct http_req *r)
{
	const char *path = http_req_path(r);

	for (size_t i = 0; i < nroutes; i++)
		if (strcmp(path, routes[i].path) == 0)
			return routes[i].path;
	for (size_t i = 0; i < assets_count; i++)
		if (strcmp(path, assets[i].path) == 0)
			return assets[i].path;
	return "other";
}

/* Whether method is one of the ", "-separated words of allow. */
static bool allowed(const char *allow, const char *method)
{
	size_t n = strlen(method);

	if (n == 0)
		return false;
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += n)
		if ((p == allow || p[-1] == ' ') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

/* A method is an HTTP token (RFC 9110 5.6.2): letters, digits and a few
 * marks, at least one. */
static bool is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!(('A' <= *s && *s <= 'Z') || ('a' <= *s && *s <= 'z') ||
		      ('0' <= *s && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s) != NULL))
			return false;
	return true;
}

void web_handle(void *ctx, struct http_req *r)
{
	struct web *w = ctx;
	const char *path = http_req_path(r);
	const char *method = http_req_method(r);
	char why[160];
	unsigned refused;

	if (!is_token(method)) {
		reply_error(w, r, 400, "the request's method is not an HTTP method");
		return;
	}
	for (const char *c = path; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			reply_error(w, r, 400, "the path has control characters");
			return;
		}
	if (w->access != NULL && (refused = access_check_host(w->access, r, why, sizeof why))) {
		reply_error(w, r, refused, why);
		return;
	}
	for (size_t i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		if (strcmp(path, rt->path) != 0)
			continue;
		if (!allowed(rt->allow, method)) {
			http_add_header(r, "Allow", rt->allow);
			reply_error(w, r, 405, "method not allowed here");
		} else if (rt->control && w->access != NULL &&
		           (refused = access_check_control(w->access, r, why, sizeof why))) {
			reply_error(w, r, refused, why);
		} else {
			rt->fn(w, r);
		}
		return;
	}
	if (!asset_get(w, r))
		reply_error(w, r, 404, "no such page");
}
