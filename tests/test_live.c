/*
 * Integration: the live parts of muricled on simulated hardware. The event
 * stream (GET /events: state, readings, rounds, LED changes, pings, the
 * bound on streams, shutdown), the history API and its file across
 * restarts (damaged and unwritable cases included), /metrics checked by
 * promtool, and the page's assets with their ETags.
 */
#include <check.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "testutil.h"

static const char conf_fast[] = "[daemon]\n"
                                "listen = 127.0.0.1:@PORT@\n"
                                "min_gap = 0\n"
                                "interval = 3600\n"
                                "[blinker led]\n"
                                "gpio = GPIO17\n"
                                "blink = 0.5\n"
                                "[bmp180 baro]\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An event stream read over a raw socket, its chunked body decoded. */
struct stream {
	int fd;
	char raw[1 << 16];
	size_t rawlen;
	bool head_done, ended;
	char head[4096];
	struct buf body;
	size_t seen; /* stream_wait has looked up to here */
};

static void stream_open(struct stream *st, unsigned port)
{
	memset(st, 0, sizeof *st);
	buf_init(&st->body);
	buf_puts(&st->body, "");
	st->fd = tu_connect(port);
	ck_assert_int_ge(st->fd, 0);
	tu_send(st->fd,
	        "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
}

/* Move complete chunks from raw into body. */
static void stream_decode(struct stream *st)
{
	if (!st->head_done) {
		char *end = memmem(st->raw, st->rawlen, "\r\n\r\n", 4);
		if (end == NULL)
			return;
		size_t n = (size_t)(end - st->raw) + 4;
		ck_assert_uint_lt(n, sizeof st->head);
		memcpy(st->head, st->raw, n);
		st->head[n] = '\0';
		memmove(st->raw, st->raw + n, st->rawlen - n);
		st->rawlen -= n;
		st->head_done = true;
	}
	for (;;) {
		char *eol = memmem(st->raw, st->rawlen, "\r\n", 2);
		if (eol == NULL)
			return;
		size_t size = strtoul(st->raw, NULL, 16);
		size_t hdr = (size_t)(eol - st->raw) + 2;
		if (st->rawlen < hdr + size + 2)
			return;
		if (size == 0)
			st->ended = true;
		buf_add(&st->body, st->raw + hdr, size);
		memmove(st->raw, st->raw + hdr + size + 2, st->rawlen - hdr - size - 2);
		st->rawlen -= hdr + size + 2;
	}
}

/* Wait until the body shows want after what earlier waits saw; true if it did. */
static bool stream_wait(struct stream *st, const char *want, double timeout_s)
{
	double until = now_s() + timeout_s;

	for (;;) {
		char *hit = strstr(st->body.data + st->seen, want);
		if (hit != NULL) {
			st->seen = (size_t)(hit - st->body.data) + strlen(want);
			return true;
		}
		if (st->ended || now_s() > until)
			return false;
		struct pollfd p = { st->fd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = read(st->fd, st->raw + st->rawlen, sizeof st->raw - st->rawlen);
		if (n <= 0)
			return false;
		st->rawlen += (size_t)n;
		stream_decode(st);
	}
}

static void stream_close(struct stream *st)
{
	close(st->fd);
	buf_free(&st->body);
}

/* Wait for the round the daemon runs at start to end. */
static void first_round_done(unsigned port)
{
	struct tu_resp r;

	for (int i = 0; i < 100; i++) {
		ck_assert_int_eq(tu_request(port, "GET", "/api/v1/sensors", &r), 0);
		bool done = strstr(r.body, "\"measurements\":0,") == NULL &&
		            strstr(r.body, "\"measuring\":false") != NULL;
		tu_resp_free(&r);
		if (done)
			return;
		usleep(50000);
	}
	ck_abort_msg("the first measurement did not end");
}

START_TEST(events_follow_a_measurement)
{
	struct tu_daemon d = { 0 };
	struct stream st;
	struct tu_resp r;

	tu_daemon_start(&d, conf_fast);
	first_round_done(d.port);
	stream_open(&st, d.port);
	ck_assert(stream_wait(&st, "event: state\ndata: {", 5));
	ck_assert_ptr_nonnull(strcasestr(st.head, "Content-Type: text/event-stream"));
	ck_assert_ptr_nonnull(strcasestr(st.head, "Transfer-Encoding: chunked"));
	ck_assert_ptr_nonnull(strstr(st.body.data, "retry: 3000\n"));
	/* The state event is the whole of /api/v1/sensors, on one line. */
	char *data = strstr(st.body.data, "event: state\ndata: ") + 19;
	char *line = strndup(data, strcspn(data, "\n"));
	json_object *state = json_tokener_parse(line);
	ck_assert_msg(state != NULL, "state is not JSON: %s", line);
	json_object_put(state);
	free(line);

	/* A measure request: the round starts, both sensors report, it ends. */
	ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	ck_assert(stream_wait(&st, "event: measurement\ndata: {", 5));
	ck_assert_msg(stream_wait(&st, "\"measuring\":true", 5), "%s", st.body.data);
	ck_assert(stream_wait(&st, "event: reading\ndata: {\"time\":", 5));
	ck_assert(stream_wait(&st, "event: reading\ndata: {\"time\":", 5));
	ck_assert(stream_wait(&st, "\"measuring\":false", 5));
	ck_assert(stream_wait(&st, "\"duration\":", 5));
	ck_assert_ptr_nonnull(strstr(st.body.data, "\"name\":\"baro\""));
	ck_assert_ptr_nonnull(strstr(st.body.data, "\"led\":{\"value\":true"));
	/* The blink ends by itself: a change event says the LED is off. */
	ck_assert(stream_wait(&st, "event: sensor\ndata: {\"name\":\"led\"", 5));
	ck_assert(stream_wait(&st, "\"led\":{\"value\":false", 1));
	/* Other requests are answered while the stream is open. */
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);

	/* Stopping ends the stream at once rather than waiting out the drain. */
	double t0 = now_s();
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	ck_assert_double_lt(now_s() - t0, 1.5);
	stream_wait(&st, "never", 1);
	ck_assert(st.ended);
	stream_close(&st);
	tu_daemon_free(&d);
}
END_TEST

START_TEST(streams_are_bounded_and_dead_ones_found)
{
	struct tu_daemon d = { 0 };
	static struct stream st[33];
	struct tu_resp r;
	char v[64];

	tu_daemon_start(&d, conf_fast);
	for (int i = 0; i < 32; i++) {
		stream_open(&st[i], d.port);
		ck_assert_msg(stream_wait(&st[i], "event: state", 5), "stream %d", i);
	}
	/* One too many: 503 with a hint when to come back. */
	int fd = tu_connect(d.port);
	tu_send(fd, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 5000), 0);
	ck_assert_int_eq(r.status, 503);
	ck_assert_str_eq(tu_header(&r, "Retry-After", v, sizeof v), "30");
	tu_resp_free(&r);
	close(fd);
	/* Eight clients leave without a word; the 15 s ping finds them. */
	for (int i = 0; i < 8; i++)
		stream_close(&st[i]);
	ck_assert(stream_wait(&st[8], ": ping\n\n", 20));
	stream_open(&st[32], d.port);
	ck_assert(stream_wait(&st[32], "event: state", 5));
	ck_assert_int_eq(tu_request(d.port, "GET", "/metrics", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_event_streams 25\n"));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	for (int i = 8; i < 33; i++)
		stream_close(&st[i]);
	tu_daemon_free(&d);
}
END_TEST

/* The points of one series in a /api/v1/history answer. */
static size_t history_points(unsigned port, const char *query, long *first_t)
{
	struct tu_resp r;
	char path[256];
	json_object *root, *series, *pts;

	snprintf(path, sizeof path, "/api/v1/history%s", query);
	ck_assert_int_eq(tu_request(port, "GET", path, &r), 0);
	ck_assert_int_eq(r.status, 200);
	root = json_tokener_parse(r.body);
	ck_assert_msg(root != NULL, "not JSON: %s", r.body);
	ck_assert(json_object_object_get_ex(root, "series", &series));
	ck_assert_int_eq((int)json_object_array_length(series), 1);
	ck_assert(json_object_object_get_ex(json_object_array_get_idx(series, 0), "points", &pts));
	size_t n = json_object_array_length(pts);
	if (first_t != NULL && n > 0)
		*first_t = (long)json_object_get_int64(
		        json_object_array_get_idx(json_object_array_get_idx(pts, 0), 0));
	json_object_put(root);
	tu_resp_free(&r);
	return n;
}

static const char conf_history[] = "[daemon]\n"
                                   "listen = 127.0.0.1:@PORT@\n"
                                   "min_gap = 0\n"
                                   "interval = 1\n"
                                   "history = 1\n"
                                   "history_flush = 1\n"
                                   "state_directory = %s\n"
                                   "[bmp180 baro]\n";

static void start_with_state(struct tu_daemon *d, const char *state)
{
	char conf[sizeof conf_history + 256];

	snprintf(conf, sizeof conf, conf_history, state);
	tu_daemon_start(d, conf);
}

START_TEST(history_survives_a_restart)
{
	char *state = tu_tempdir();
	char path[512];
	struct tu_daemon d = { 0 };
	struct stat sb;
	long first = 0, first2 = 0;

	start_with_state(&d, state);
	sleep(4);
	size_t n = history_points(d.port, "?sensor=baro&value=pressure", &first);
	ck_assert_uint_ge(n, 3);
	/* A reload rebuilds the sensors; the history stays. */
	kill(d.pid, SIGHUP);
	bool reloaded = false;
	for (int i = 0; i < 100 && !reloaded; i++) {
		char *log = tu_daemon_log(&d);
		reloaded = strstr(log, "SIGHUP: configuration reloaded") != NULL;
		free(log);
		usleep(50000);
	}
	ck_assert(reloaded);
	long first_reloaded = 0;
	ck_assert_uint_ge(history_points(d.port, "?sensor=baro&value=pressure", &first_reloaded),
	                  n);
	ck_assert_int_eq(first_reloaded, first);
	/* The flush every second wrote the file while it ran. */
	snprintf(path, sizeof path, "%s/history-simulated", state);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);

	start_with_state(&d, state);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "history: loaded "));
	free(log);
	size_t n2 = history_points(d.port, "?sensor=baro&value=pressure", &first2);
	ck_assert_uint_ge(n2, n);
	ck_assert_int_eq(first2, first);
	/* since: only the newer points. */
	char q[128];
	snprintf(q, sizeof q, "?sensor=baro&value=pressure&since=%ld", first + 2);
	ck_assert_uint_lt(history_points(d.port, q, NULL), n2);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	free(state);
}
END_TEST

START_TEST(damaged_history_is_set_aside)
{
	char *state = tu_tempdir();
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	free(tu_write_file(state, "history-simulated", "MURICLEH this is not what was written"));
	start_with_state(&d, state);
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	char *log = tu_daemon_log(&d);
	ck_assert_msg(strstr(log, "<4>history: ") != NULL && strstr(log, "moved it to ") != NULL,
	              "%s", log);
	ck_assert_ptr_nonnull(strstr(log, "history-simulated.bad-"));
	free(log);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls %s | grep -q '^history-simulated.bad-'", state);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	free(state);
}
END_TEST

START_TEST(unwritable_state_is_one_warning)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	start_with_state(&d, "/nonexistent/muricle");
	sleep(4); /* four flushes */
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/history?value=pressure", &r), 0);
	ck_assert_int_eq(r.status, 200); /* kept in memory */
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(d.port, "GET", "/metrics", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_history_saved 0\n"));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	char *first = strstr(log, "<4>history: cannot save: ");
	ck_assert_msg(first != NULL, "%s", log);
	ck_assert_ptr_nonnull(strstr(first, "/nonexistent/muricle/history-simulated.tmp"));
	ck_assert_ptr_null(strstr(first + 1, "<4>history: cannot save: "));
	ck_assert_ptr_nonnull(strstr(log, "<4>history: cannot save at stop: "));
	free(log);
	tu_daemon_free(&d);
}
END_TEST

START_TEST(metrics_pass_promtool)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;
	char v[128], cmd[600], out[4096];

	tu_daemon_start(&d, conf_fast);
	first_round_done(d.port);
	ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(d.port, "GET", "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(tu_header(&r, "Content-Type", v, sizeof v),
	                 "text/plain; version=0.0.4; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_pressure_pascals{sensor=\"baro\"} 10"));
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_temperature_celsius{sensor=\"baro\"} "));
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_led{sensor=\"led\"} "));
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_measurement_duration_seconds_count 2\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_http_requests_total{path=\"/api/v1/"
	                                     "measure\",method=\"POST\",code=\"200\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_simulated 1\n"));
	char *file = tu_write_file(d.dir, "metrics.txt", r.body);
	tu_resp_free(&r);
	/* promtool prints nothing and exits 0 on a clean exposition. */
	snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", file);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int rc = pclose(p);
	ck_assert_msg(rc == 0 && n == 0, "promtool (exit %d): %s", rc, out);
	free(file);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

START_TEST(assets_revalidate_with_etags)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;
	char etag[128], v[128], req[512];

	tu_daemon_start(&d, conf_fast);
	ck_assert_int_eq(tu_request(d.port, "GET", "/static/app.js", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(tu_header(&r, "ETag", etag, sizeof etag));
	ck_assert_str_eq(tu_header(&r, "Cache-Control", v, sizeof v), "no-cache");
	ck_assert_ptr_nonnull(strstr(r.body, "new EventSource(\"/events\")"));
	tu_resp_free(&r);
	int fd = tu_connect(d.port);
	snprintf(req, sizeof req,
	         "GET /static/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: %s\r\n\r\n",
	         etag);
	tu_send(fd, req);
	ck_assert_int_eq(tu_read_response(fd, &r, true, 5000), 0);
	ck_assert_int_eq(r.status, 304);
	tu_resp_free(&r);
	/* Another ETag: the file itself. */
	tu_send(fd,
	        "GET /static/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"old\"\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 5000), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	close(fd);
	/* The page asks for nothing from elsewhere. */
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_ptr_null(strstr(r.body, "http://"));
	ck_assert_ptr_null(strstr(r.body, "https://"));
	ck_assert_ptr_nonnull(tu_header(&r, "Content-Security-Policy", v, sizeof v));
	ck_assert_ptr_nonnull(strstr(v, "default-src 'self'"));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase_create("live");

	tcase_add_test(tc, events_follow_a_measurement);
	tcase_add_test(tc, streams_are_bounded_and_dead_ones_found);
	tcase_add_test(tc, history_survives_a_restart);
	tcase_add_test(tc, damaged_history_is_set_aside);
	tcase_add_test(tc, unwritable_state_is_one_warning);
	tcase_add_test(tc, metrics_pass_promtool);
	tcase_add_test(tc, assets_revalidate_with_etags);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
