/* The routes, called directly with requests made without sockets: status,
 * headers and body of each answer. */
#include <check.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "buf.h"
#include "events.h"
#include "history.h"
#include "measure.h"
#include "metrics.h"
#include "sensor.h"
#include "sink.h"
#include "testutil.h"
#include "web.h"

static void nop(struct sensor *s)
{
	(void)s;
}

/* Finishes at once with a reading of 21.5. */
static void start_now(struct sensor *s)
{
	sensor_set(s, 0, 21.5);
	sensor_done(s);
}

static const struct sensor_ops ops = { "test", NULL, NULL, start_now, nop, nop };

struct rig {
	struct event_base *base;
	struct sensor *s[1];
	struct web w;
	struct histogram durations;
};

static void rig_init(struct rig *r)
{
	static const struct measure_conf mc = { .interval = 3600, .timeout = 1, .stale_after = 3 };

	memset(r, 0, sizeof *r);
	r->base = tu_loop();
	r->s[0] = sensor_new(&ops, "room", NULL);
	tu_add_value(r->s[0], "temperature", Q_TEMPERATURE, 1);
	r->w = (struct web){
		.title = "Test <page>",
		.sensors = r->s,
		.n = 1,
		.measure = measure_new(r->base, r->s, 1, &mc),
		.history = history_new(3600, 60),
		.events = events_new(r->base),
		.durations = &r->durations,
	};
	history_sync(r->w.history, r->s, 1, 3600, 60);
}

static void rig_free(struct rig *r)
{
	web_cache_free(&r->w);
	measure_free(r->w.measure);
	events_free(r->w.events);
	history_free(r->w.history);
	sensor_free(r->s[0]);
	event_base_free(r->base);
}

/* Call the router and check the answer came at once. */
static void call(struct rig *r, struct tu_req *t)
{
	web_handle(&r->w, &t->req);
	ck_assert_msg(t->status != 0, "%s %s: no answer", t->req.method, t->req.path);
}

static json_object *json_body(const struct tu_req *t)
{
	json_object *o = json_tokener_parse(t->body);

	ck_assert_msg(o != NULL, "not JSON: %s", t->body);
	return o;
}

START_TEST(page_and_api)
{
	struct rig r;
	struct tu_req t;
	char h[256];

	rig_init(&r);
	tu_req_init(&t, "GET", "/");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_str_eq(t.type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(tu_req_sent(&t, "Content-Security-Policy", h, sizeof h));
	ck_assert_str_eq(tu_req_sent(&t, "Cache-Control", h, sizeof h), "no-cache");
	ck_assert_ptr_nonnull(strstr(t.body, "<title>Test &lt;page&gt;</title>"));
	ck_assert_ptr_nonnull(strstr(t.body, "No measurement yet."));
	tu_req_free(&t);

	tu_req_init(&t, "HEAD", "/api/v1/sensors");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_str_eq(t.type, "application/json");
	json_object *o = json_body(&t), *v;
	ck_assert(json_object_object_get_ex(o, "sensors", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	json_object_put(o);
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

/* GET /{,api/v1/sensors} come from one rendering per change: the same
 * bytes and ETag until a sink hears of a change (a change nobody tells of
 * is not shown), 304 to a client that has them. */
static void get(struct rig *r, struct tu_req *t, const char *path, const char *inm)
{
	tu_req_init(t, "GET", path);
	if (inm != NULL)
		tu_req_header(t, "If-None-Match", inm);
	call(r, t);
}

START_TEST(rendered_once_per_change)
{
	struct rig r;
	struct tu_req t;
	char etag[64], h[64], *page;

	rig_init(&r);
	r.s[0]->status = SENSOR_OK;
	sensor_set(r.s[0], 0, 21.5);
	get(&r, &t, "/", NULL);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_ptr_nonnull(tu_req_sent(&t, "ETag", etag, sizeof etag));
	ck_assert_ptr_nonnull(strstr(t.body, "21.5 °C"));
	page = strdup(t.body);
	tu_req_free(&t);

	get(&r, &t, "/", etag);
	ck_assert_uint_eq(t.status, 304);
	ck_assert_str_eq(tu_req_sent(&t, "ETag", h, sizeof h), etag);
	tu_req_free(&t);
	get(&r, &t, "/api/v1/sensors", "\"other\", W/");
	ck_assert_uint_eq(t.status, 200); /* not its tag */
	tu_req_free(&t);

	r.s[0]->values[0].v = 30; /* behind the sinks' back: not shown */
	get(&r, &t, "/", NULL);
	ck_assert_str_eq(t.body, page);
	ck_assert_str_eq(tu_req_sent(&t, "ETag", h, sizeof h), etag);
	tu_req_free(&t);

	sensor_set(r.s[0], 0, 22.5);
	web_sink.reading(&r.w, r.s[0], 1.7e9); /* as a reading tells it */
	get(&r, &t, "/", etag);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_ptr_nonnull(strstr(t.body, "22.5 °C"));
	ck_assert_str_ne(tu_req_sent(&t, "ETag", h, sizeof h), etag);
	tu_req_free(&t);
	get(&r, &t, "/api/v1/sensors", h);
	ck_assert_uint_eq(t.status, 304); /* the same rendering */
	tu_req_free(&t);
	get(&r, &t, "/metrics", NULL);
	ck_assert_ptr_nonnull(
	        strstr(t.body, "muricle_temperature_celsius{sensor=\"room\"} 22.5\n"));
	tu_req_free(&t);
	free(page);
	rig_free(&r);
}
END_TEST

START_TEST(errors)
{
	static const struct {
		const char *method, *path, *arg, *value;
		unsigned status;
		const char *type, *allow, *text;
	} cases[] = {
		{ "POST", "/", NULL, NULL, 405, "text/html; charset=utf-8", "GET, HEAD", "405" },
		{ "DELETE", "/api/v1/measure", NULL, NULL, 405, "application/json", "POST", "405" },
		{ "GET", "/nope", NULL, NULL, 404, "text/html; charset=utf-8", NULL,
		  "no such page" },
		{ "GET", "/api/v2/x", NULL, NULL, 404, "application/json", NULL, "no such page" },
		{ "GET", "/api/v1/history", "since", "soon", 400, "application/json", NULL,
		  "since: give a time" },
		{ "GET", "/api/v1/history", "sensor", "cellar", 404, "application/json", NULL,
		  "no history for sensor=cellar" },
		{ "PUT", "/static/app.js", NULL, NULL, 405, "text/html; charset=utf-8", "GET, HEAD",
		  "405" },
		/* A request that cannot carry a stream (this one has none). */
		{ "GET", "/events", NULL, NULL, 501, "text/html; charset=utf-8", NULL,
		  "cannot carry an event stream" },
	};
	struct rig r;
	char h[64];

	rig_init(&r);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tu_req t;
		tu_req_init(&t, cases[i].method, cases[i].path);
		if (cases[i].arg != NULL)
			tu_req_arg(&t, cases[i].arg, cases[i].value);
		call(&r, &t);
		ck_assert_msg(t.status == cases[i].status, "%s %s: %u", cases[i].method,
		              cases[i].path, t.status);
		ck_assert_str_eq(t.type, cases[i].type);
		if (cases[i].allow != NULL)
			ck_assert_str_eq(tu_req_sent(&t, "Allow", h, sizeof h), cases[i].allow);
		ck_assert_msg(strstr(t.body, cases[i].text), "%s %s: %s", cases[i].method,
		              cases[i].path, t.body);
		if (strcmp(cases[i].type, "application/json") == 0)
			json_object_put(json_body(&t));
		tu_req_free(&t);
	}
	rig_free(&r);
}
END_TEST

/* Host names, cross-site control requests and the control password, as
 * access.h describes them. */
START_TEST(access_checks)
{
	static const struct {
		const char *method, *path, *host, *origin, *referer, *site, *auth;
		unsigned status;
	} cases[] = {
		{ "GET", "/api/v1/sensors", "127.0.0.1:8080", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", "[::1]:8080", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", "localhost:8080", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", "GreenHouse", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", "greenhouse.local.:80", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", "weather.example.org", NULL, NULL, NULL, NULL, 200 },
		{ "GET", "/api/v1/sensors", NULL, NULL, NULL, NULL, NULL, 200 }, /* HTTP/1.0 */
		/* DNS rebinding: a name of somebody else's. */
		{ "GET", "/api/v1/sensors", "evil.example", NULL, NULL, NULL, NULL, 421 },
		{ "GET", "/", "greenhouse.evil.example", NULL, NULL, NULL, NULL, 421 },
		{ "GET", "/", "greenhouse.localx", NULL, NULL, NULL, NULL, 421 },
		{ "GET", "/", "a b", NULL, NULL, NULL, NULL, 400 },
		{ "GET", "/", "127.0.0.1:80x", NULL, NULL, NULL, NULL, 400 },
		{ "GET", "/", "[::1", NULL, NULL, NULL, NULL, 400 },
		{ "GET", "/", "[evil]:80", NULL, NULL, NULL, NULL, 400 },
		/* Cross-site control requests; the password comes after. */
		{ "POST", "/measure", "127.0.0.1:8080", "http://evil.example", NULL, NULL, NULL,
		  403 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", "null", NULL, NULL, NULL, 403 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, "http://evil.example/x", NULL,
		  NULL, 403 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, "cross-site", NULL,
		  403 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", "http://127.0.0.1:8081", NULL, NULL,
		  NULL, 403 },
		/* Same origin, no password: asked for one. */
		{ "POST", "/measure", "127.0.0.1:8080", "http://127.0.0.1:8080", NULL,
		  "same-origin", NULL, 401 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, NULL,
		  "Basic Og==", 401 },
		/* pi:wrong, then pi:s3cret:x (a colon in the password), Bearer. */
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, NULL,
		  "Basic cGk6d3Jvbmc=", 401 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, NULL,
		  "Bearer s3cret:", 401 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, NULL, "Basic !!!!",
		  401 },
		{ "POST", "/api/v1/measure", "127.0.0.1:8080", NULL, NULL, NULL,
		  "Basic cGk6czNjcmV0Ong=", 200 },
		{ "POST", "/measure", "127.0.0.1:8080", "http://127.0.0.1:8080",
		  "http://127.0.0.1:8080/", "same-origin", "bearer s3cret:x", 303 },
		{ "POST", "/api/v1/measure", NULL, NULL, NULL, NULL, "Bearer s3cret:x", 200 },
	};
	struct rig r;
	struct access a;
	char h[64];

	rig_init(&r);
	access_init(&a, "GreenHouse", "weather.example.org, *.nope");
	ck_assert(!a.any_host);
	access_set_password(&a, "s3cret:x");
	r.w.access = &a;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tu_req t;
		tu_req_init(&t, cases[i].method, cases[i].path);
		if (cases[i].host != NULL)
			tu_req_header(&t, "Host", cases[i].host);
		if (cases[i].origin != NULL)
			tu_req_header(&t, "Origin", cases[i].origin);
		if (cases[i].referer != NULL)
			tu_req_header(&t, "Referer", cases[i].referer);
		if (cases[i].site != NULL)
			tu_req_header(&t, "Sec-Fetch-Site", cases[i].site);
		if (cases[i].auth != NULL)
			tu_req_header(&t, "Authorization", cases[i].auth);
		web_handle(&r.w, &t.req);
		tu_run_for(r.base, 0.02);
		ck_assert_msg(t.status == cases[i].status,
		              "case %zu: %s %s Host %s: %u, not %u: %s", i, cases[i].method,
		              cases[i].path, cases[i].host, t.status, cases[i].status, t.body);
		if (t.status == 401)
			ck_assert_ptr_nonnull(tu_req_sent(&t, "WWW-Authenticate", h, sizeof h));
		tu_req_free(&t);
	}
	/* "*" answers to any name; no password: the same-origin form measures. */
	access_init(&a, "pi", "*");
	for (int i = 0; i < 2; i++) {
		struct tu_req t;
		tu_req_init(&t, "POST", "/measure");
		tu_req_header(&t, "Host", "anything.example:8080");
		tu_req_header(&t, "Origin", i == 0 ? "http://anything.example:8080" : "http://x");
		web_handle(&r.w, &t.req);
		tu_run_for(r.base, 0.02);
		ck_assert_uint_eq(t.status, i == 0 ? 303 : 403);
		tu_req_free(&t);
	}
	/* A password that cannot be read: measuring is refused, reading is not. */
	access_lock(&a);
	struct tu_req t;
	tu_req_init(&t, "POST", "/api/v1/measure");
	web_handle(&r.w, &t.req);
	ck_assert_uint_eq(t.status, 503);
	ck_assert_ptr_nonnull(strstr(t.body, "control password"));
	tu_req_free(&t);
	tu_req_init(&t, "GET", "/api/v1/sensors");
	web_handle(&r.w, &t.req);
	ck_assert_uint_eq(t.status, 200);
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

/* The history as CSV: the JSON's filters, a header line, one line per
 * point, an empty reading where one failed. */
START_TEST(history_as_csv)
{
	struct rig r;
	struct tu_req t;
	char h[128];

	rig_init(&r);
	sensor_set(r.s[0], 0, 20.4);
	history_record(r.w.history, r.s[0], 1796176560);
	r.s[0]->values[0].valid = false; /* a failed reading */
	history_record(r.w.history, r.s[0], 1796176620);
	sensor_set(r.s[0], 0, -3.5);
	history_record(r.w.history, r.s[0], 1796176680);

	tu_req_init(&t, "GET", "/api/v1/history.csv");
	tu_req_arg(&t, "sensor", "room");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_str_eq(t.type, "text/csv; charset=utf-8; header=present");
	ck_assert_str_eq(tu_req_sent(&t, "Content-Disposition", h, sizeof h),
	                 "attachment; filename=\"muricle-room.csv\"");
	ck_assert_str_eq(t.body, "sensor,value,unit,time,unix_time,reading\r\n"
	                         "room,temperature,°C,2026-12-02T01:56:00Z,1796176560,20.4\r\n"
	                         "room,temperature,°C,2026-12-02T01:57:00Z,1796176620,\r\n"
	                         "room,temperature,°C,2026-12-02T01:58:00Z,1796176680,-3.5\r\n");
	tu_req_free(&t);

	/* The CSV holds exactly the JSON's points: rebuilt from the JSON, line by line. */
	for (int i = 0; i < 40; i++) {
		sensor_set(r.s[0], 0, (i * 37 % 23) - 11.25);
		r.s[0]->values[0].valid = i % 7 != 3;
		history_record(r.w.history, r.s[0], 1796176740.0 + 60 * i);
	}
	const char *since[] = { NULL, "1796177000" };
	for (size_t k = 0; k < 2; k++) {
		struct tu_req js, csv;
		tu_req_init(&js, "GET", "/api/v1/history");
		tu_req_init(&csv, "GET", "/api/v1/history.csv");
		if (since[k] != NULL) {
			tu_req_arg(&js, "since", since[k]);
			tu_req_arg(&csv, "since", since[k]);
		}
		call(&r, &js);
		call(&r, &csv);
		json_object *root = json_body(&js), *series, *points;
		struct buf want;
		buf_init(&want);
		buf_puts(&want, "sensor,value,unit,time,unix_time,reading\r\n");
		ck_assert(json_object_object_get_ex(root, "series", &series));
		size_t n = 0;
		for (size_t i = 0; i < json_object_array_length(series); i++) {
			json_object *se = json_object_array_get_idx(series, i), *o;
			ck_assert(json_object_object_get_ex(se, "points", &points));
			for (size_t j = 0; j < json_object_array_length(points); j++, n++) {
				json_object *pt = json_object_array_get_idx(points, j);
				json_object *tv = json_object_array_get_idx(pt, 0),
				            *vv = json_object_array_get_idx(pt, 1);
				time_t secs = (time_t)json_object_get_int64(tv);
				struct tm tm;
				char when[32];
				gmtime_r(&secs, &tm);
				strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
				json_object_object_get_ex(se, "sensor", &o);
				buf_printf(&want, "%s,", json_object_get_string(o));
				json_object_object_get_ex(se, "value", &o);
				buf_printf(&want, "%s,", json_object_get_string(o));
				json_object_object_get_ex(se, "unit", &o);
				buf_printf(&want, "%s,%s,%lld,%s\r\n",
				           o ? json_object_get_string(o) : "", when,
				           (long long)secs,
				           vv != NULL ? json_object_to_json_string(vv) : "");
			}
		}
		ck_assert_uint_gt(n, since[k] ? 20 : 40);
		ck_assert_str_eq(csv.body, want.data);
		buf_free(&want);
		json_object_put(root);
		tu_req_free(&js);
		tu_req_free(&csv);
	}

	tu_req_init(&t, "GET", "/api/v1/history.csv");
	tu_req_arg(&t, "since", "1796176600");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_ptr_null(strstr(t.body, "1796176560"));
	ck_assert_ptr_nonnull(strstr(t.body, "1796176680"));
	ck_assert_str_eq(tu_req_sent(&t, "Content-Disposition", h, sizeof h),
	                 "attachment; filename=\"muricle.csv\"");
	tu_req_free(&t);

	tu_req_init(&t, "GET", "/api/v1/history.csv");
	tu_req_arg(&t, "sensor", "cellar");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 404);
	json_object_put(json_body(&t));
	tu_req_free(&t);
	tu_req_init(&t, "GET", "/api/v1/history.csv");
	tu_req_arg(&t, "since", "soon");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 400);
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

START_TEST(assets_revalidate)
{
	struct rig r;
	struct tu_req t;
	char etag[128];

	rig_init(&r);
	tu_req_init(&t, "GET", "/static/app.js");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_ptr_nonnull(tu_req_sent(&t, "ETag", etag, sizeof etag));
	ck_assert_uint_gt(t.len, 1000);
	tu_req_free(&t);
	tu_req_init(&t, "GET", "/static/app.js");
	tu_req_header(&t, "if-none-match", etag);
	call(&r, &t);
	ck_assert_uint_eq(t.status, 304);
	ck_assert_uint_eq(t.len, 0);
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

/* The calibration guide the MQ135 card links to, and the page's units. */
START_TEST(guide_and_quantities)
{
	struct rig r;
	struct tu_req t;

	rig_init(&r);
	tu_req_init(&t, "GET", "/static/mq135.html");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_str_eq(t.type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(
	        strstr(t.body, "<title>The MQ135 and what its \"ppm\" means</title>"));
	ck_assert_ptr_nonnull(strstr(t.body, "<table>")); /* the Markdown tables became tables */
	ck_assert_ptr_nonnull(strstr(t.body, "<a href=\"/\">Back to the sensors</a>"));
	tu_req_free(&t);

	tu_req_init(&t, "GET", "/api/v1/quantities");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	json_object *root = json_body(&t), *list;
	ck_assert(json_object_object_get_ex(root, "quantities", &list));
	ck_assert_int_gt((int)json_object_array_length(list), 5);
	json_object_put(root);
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

/* The corners of the protocol: odd methods, HEAD on a stream, bytes that
 * are not text echoed into JSON, entity-tag lists. */
START_TEST(protocol_corners)
{
	struct rig r;
	struct tu_req t;
	char etag[128];

	rig_init(&r);
	static const char *const bad_methods[] = { "", "G E T", "GET\r\n", "\x01" };
	for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
		tu_req_init(&t, bad_methods[i], "/");
		call(&r, &t);
		ck_assert_uint_eq(t.status, 400);
		tu_req_free(&t);
	}
	tu_req_init(&t, "BREW", "/");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 405);
	tu_req_free(&t);

	tu_req_init(&t, "HEAD", "/events");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_str_eq(t.type, "text/event-stream; charset=utf-8");
	ck_assert_uint_eq(t.len, 0);
	tu_req_free(&t);

	char long_name[200];
	memset(long_name, 'x', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	tu_req_init(&t, "GET", "/api/v1/history");
	tu_req_arg(&t, "sensor", "\xff\xfe\"\n");
	tu_req_arg(&t, "value", long_name);
	call(&r, &t);
	ck_assert_uint_eq(t.status, 404);
	json_object_put(json_body(&t)); /* still valid JSON */
	ck_assert_ptr_nonnull(strstr(t.body, "sensor=??\\\"? value=xxxx"));
	ck_assert_ptr_nonnull(strstr(t.body, "x..."));
	ck_assert_uint_lt(t.len, 200);
	tu_req_free(&t);

	tu_req_init(&t, "GET", "/static/style.css");
	call(&r, &t);
	ck_assert_ptr_nonnull(tu_req_sent(&t, "ETag", etag, sizeof etag));
	tu_req_free(&t);
	char list[300];
	snprintf(list, sizeof list, "\"0000\", W/%s", etag);
	tu_req_init(&t, "GET", "/static/style.css");
	tu_req_header(&t, "If-None-Match", list);
	call(&r, &t);
	ck_assert_uint_eq(t.status, 304);
	tu_req_free(&t);
	ck_assert(web_etag_matches("*", etag));
	ck_assert(web_etag_matches(etag, etag));
	ck_assert(!web_etag_matches("\"0000\", W/\"1111\"", etag));
	ck_assert(!web_etag_matches("garbage", etag));
	ck_assert(!web_etag_matches("\"unterminated", etag));
	ck_assert(!web_etag_matches("", etag));
	rig_free(&r);
}
END_TEST

/* A measure request is answered when the round ends, later on the loop. */
START_TEST(measure_answers_after_the_round)
{
	struct rig r;
	struct tu_req t, form;
	char h[64];

	rig_init(&r);
	tu_req_init(&t, "POST", "/api/v1/measure");
	web_handle(&r.w, &t.req);
	tu_req_init(&form, "POST", "/measure");
	web_handle(&r.w, &form.req);
	tu_run_for(r.base, 0.05);
	ck_assert_uint_eq(t.status, 200);
	json_object *o = json_body(&t), *v;
	ck_assert(json_object_object_get_ex(o, "measurements", &v));
	ck_assert_int_eq(json_object_get_int(v), 1);
	json_object_put(o);
	ck_assert_ptr_nonnull(strstr(t.body, "\"text\":\"21.5 °C\""));
	/* The page's form: one round for both, then back to the page. */
	ck_assert_uint_eq(form.status, 303);
	ck_assert_str_eq(tu_req_sent(&form, "Location", h, sizeof h), "/");
	tu_req_free(&t);
	tu_req_free(&form);

	/* Every answer was counted, by route, method and code. */
	tu_req_init(&t, "GET", "/metrics");
	call(&r, &t);
	ck_assert_uint_eq(t.status, 200);
	ck_assert_ptr_nonnull(strstr(
	        t.body, "muricle_http_requests_total{path=\"/api/v1/measure\",method=\"POST\","
	                "code=\"200\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(
	        t.body,
	        "muricle_http_requests_total{path=\"/measure\",method=\"POST\",code=\"303\"} 1\n"));
	ck_assert_ptr_nonnull(
	        strstr(t.body, "muricle_temperature_celsius{sensor=\"room\"} 21.5\n"));
	tu_req_free(&t);
	rig_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("web");

	tcase_add_test(tc, page_and_api);
	tcase_add_test(tc, rendered_once_per_change);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, access_checks);
	tcase_add_test(tc, history_as_csv);
	tcase_add_test(tc, assets_revalidate);
	tcase_add_test(tc, guide_and_quantities);
	tcase_add_test(tc, protocol_corners);
	tcase_add_test(tc, measure_answers_after_the_round);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
