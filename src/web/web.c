#include "web.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "measure.h"
#include "render.h"
#include "sensor.h"
#include "xmalloc.h"

#define TYPE_HTML "text/html; charset=utf-8"
#define TYPE_JSON "application/json"

struct route {
	const char *path;
	const char *allow; /* the Allow header for a 405 */
	bool post;
	void (*fn)(struct web *w, struct http_req *r);
};

/* Send b with the headers every dynamic answer gets. */
static void reply_buf(struct http_req *r, unsigned status, const char *type, struct buf *b)
{
	size_t len;
	char *body = buf_steal(b, &len);

	http_add_header(r, "Cache-Control", "no-store");
	http_add_header(r, "X-Content-Type-Options", "nosniff");
	http_reply(r, status, type, body, len);
}

static bool is_api(struct http_req *r)
{
	return strncmp(http_req_path(r), "/api/", 5) == 0;
}

static void reply_error(struct http_req *r, unsigned status, const char *text)
{
	struct buf b;

	buf_init(&b);
	if (is_api(r))
		render_error_json(&b, status, text);
	else
		render_error_html(&b, status, text);
	reply_buf(r, status, is_api(r) ? TYPE_JSON : TYPE_HTML, &b);
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
	};
	return v;
}

static void page_get(struct web *w, struct http_req *r)
{
	struct buf b;
	struct render_view v = web_view(w);

	buf_init(&b);
	render_html(&b, &v);
	http_add_header(r, "Content-Security-Policy",
	                "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	reply_buf(r, 200, TYPE_HTML, &b);
}

static void api_sensors(struct web *w, struct http_req *r)
{
	struct buf b;
	struct render_view v = web_view(w);

	buf_init(&b);
	render_json(&b, &v);
	reply_buf(r, 200, TYPE_JSON, &b);
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
		reply_error(wt->req, 503, "the daemon is shutting down");
	else if (wt->redirect) {
		http_add_header(wt->req, "Location", "/");
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "measured: see /\n");
		reply_buf(wt->req, 303, "text/plain; charset=utf-8", &b);
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

static const struct route routes[] = {
	{ "/", "GET, HEAD", false, page_get },
	{ "/measure", "POST", true, page_measure },
	{ "/api/v1/sensors", "GET, HEAD", false, api_sensors },
	{ "/api/v1/measure", "POST", true, api_measure },
};

void web_handle(void *ctx, struct http_req *r)
{
	struct web *w = ctx;
	const char *path = http_req_path(r);
	const char *method = http_req_method(r);

	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *rt = &routes[i];
		if (strcmp(path, rt->path) != 0)
			continue;
		bool ok = rt->post ? strcmp(method, "POST") == 0
		                   : strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		if (ok) {
			rt->fn(w, r);
		} else {
			http_add_header(r, "Allow", rt->allow);
			reply_error(r, 405, "method not allowed here");
		}
		return;
	}
	reply_error(r, 404, "no such page");
}
