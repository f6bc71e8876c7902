/*
 * Integration: the real muricled on simulated hardware, on a free loopback
 * port, spoken to over raw sockets. The simulated bus is slowed down (0.3 s
 * per transfer) so a measurement takes over a second: long enough to see
 * other requests answered while it runs.
 */
#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

static const char conf_slow[] = "[daemon]\n"
                                "listen = 127.0.0.1:@PORT@\n"
                                "min_gap = 0\n"
                                "title = Test <Pi>\n"
                                "interval = 3600\n"
                                "[blinker led]\n"
                                "gpio = GPIO17\n"
                                "active_low = true\n"
                                "blink = 3\n"
                                "[bmp180 baro]\n"
                                "[simulation]\n"
                                "i2c_delay = 0.3\n"
                                "gpio_dir = @DIR@\n";

static struct tu_daemon daemon_;

static void slow_daemon_up(void)
{
	tu_daemon_start(&daemon_, conf_slow);
}

static void slow_daemon_down(void)
{
	ck_assert_int_eq(tu_daemon_stop(&daemon_), 0);
	tu_daemon_free(&daemon_);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static json_object *parse_json(const struct tu_resp *r)
{
	json_object *o = json_tokener_parse(r->body);

	ck_assert_msg(o != NULL, "not JSON: %s", r->body);
	return o;
}

static int64_t json_int(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_int64(v);
}

static void send_measure(int fd)
{
	tu_send(fd,
	        "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
}

/* Wait for the start-up measurement so later ones take the usual time. */
static void wait_idle(void)
{
	for (int i = 0; i < 200; i++) {
		struct tu_resp r;
		ck_assert_int_eq(tu_request(daemon_.port, "GET", "/api/v1/sensors", &r), 0);
		bool busy = strstr(r.body, "\"measuring\":true") != NULL;
		tu_resp_free(&r);
		if (!busy)
			return;
		usleep(50000);
	}
	ck_abort_msg("the daemon stayed busy measuring");
}

START_TEST(page_is_answered_while_measuring)
{
	struct tu_resp r;

	wait_idle();
	int m = tu_connect(daemon_.port);
	send_measure(m);
	usleep(50000); /* let the measurement begin */

	/* The page and the API answer at once, while the measurement runs. */
	ck_assert_int_eq(tu_request(daemon_.port, "GET", "/", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Measuring now"));
	ck_assert_ptr_nonnull(strstr(r.body, "Simulated hardware"));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(daemon_.port, "GET", "/api/v1/sensors", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\"measuring\":true"));
	ck_assert_ptr_nonnull(strstr(r.body, "\"simulated\":true"));
	tu_resp_free(&r);
	/* ...and the measurement has not answered yet: it takes over a second. */
	ck_assert_msg(!tu_readable(m, 0), "the measurement finished before the page was served");

	ck_assert_int_eq(tu_read_response(m, &r, false, 20000), 0);
	ck_assert_int_eq(r.status, 200);
	json_object *o = parse_json(&r);
	json_object *sensors, *baro, *st;
	ck_assert(json_object_object_get_ex(o, "sensors", &sensors));
	baro = json_object_array_get_idx(sensors, 1);
	ck_assert(json_object_object_get_ex(baro, "status", &st));
	ck_assert_str_eq(json_object_get_string(st), "ok");
	json_object_put(o);
	tu_resp_free(&r);
	close(m);
}
END_TEST

START_TEST(concurrent_measures_share_one_measurement)
{
	struct tu_resp r1, r2, r0;

	wait_idle();
	ck_assert_int_eq(tu_request(daemon_.port, "GET", "/api/v1/sensors", &r0), 0);
	json_object *o0 = parse_json(&r0);
	int64_t before = json_int(o0, "measurements");

	int a = tu_connect(daemon_.port), b = tu_connect(daemon_.port);
	send_measure(a);
	usleep(100000);
	send_measure(b);
	ck_assert_int_eq(tu_read_response(a, &r1, false, 20000), 0);
	ck_assert_int_eq(tu_read_response(b, &r2, false, 20000), 0);
	json_object *o1 = parse_json(&r1), *o2 = parse_json(&r2);
	ck_assert_int_eq(json_int(o1, "measurements"), before + 1);
	ck_assert_int_eq(json_int(o2, "measurements"), before + 1);

	json_object_put(o0);
	json_object_put(o1);
	json_object_put(o2);
	tu_resp_free(&r0);
	tu_resp_free(&r1);
	tu_resp_free(&r2);
	close(a);
	close(b);
}
END_TEST

static int led_level(void)
{
	char path[512];

	snprintf(path, sizeof path, "%s/GPIO17", daemon_.dir);
	char *text = tu_read_file(path);
	int level = text ? atoi(text) : -1;
	free(text);
	return level;
}

START_TEST(led_lights_for_the_blink_time)
{
	struct tu_resp r;
	char loc[64];

	wait_idle();
	/* Let a start-up blink run out first. Active low: lit means level 0. */
	for (double end = now_s() + 6; led_level() != 1 && now_s() < end;)
		usleep(50000);
	ck_assert_int_eq(led_level(), 1);

	/* The page's form: measure, then 303 back to the page. */
	ck_assert_int_eq(tu_request(daemon_.port, "POST", "/measure", &r), 0);
	double answered = now_s();
	ck_assert_int_eq(r.status, 303);
	ck_assert_str_eq(tu_header(&r, "Location", loc, sizeof loc), "/");
	tu_resp_free(&r);
	ck_assert_int_eq(led_level(), 0);

	while (led_level() == 0 && now_s() < answered + 10)
		usleep(20000);
	double dark = now_s();
	ck_assert_int_eq(led_level(), 1);
	/* It stayed lit for the rest of its 3 s after the ~1.2 s measurement. */
	ck_assert_msg(dark - answered > 1.0, "dark after %.2f s", dark - answered);
}
END_TEST

START_TEST(keep_alive_connections_are_reused)
{
	struct tu_resp r;
	char v[64];
	int fd = tu_connect(daemon_.port);

	for (int i = 0; i < 3; i++) {
		tu_send(fd, "GET /api/v1/sensors HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_null(tu_header(&r, "Connection", v, sizeof v));
		tu_resp_free(&r);
	}
	/* HEAD on the same connection: headers only, then the socket goes on. */
	tu_send(fd, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, true, 10000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(tu_header(&r, "Content-Length", v, sizeof v));
	ck_assert_int_gt(atoi(v), 100);
	tu_resp_free(&r);
	tu_send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Test &lt;Pi&gt;"));
	tu_resp_free(&r);
	close(fd);
}
END_TEST

static const struct {
	const char *method, *path;
	int status;
	const char *allow; /* expected Allow header, or NULL */
	const char *type;  /* expected Content-Type prefix */
} codes[] = {
	{ "GET", "/nope", 404, NULL, "text/html" },
	{ "GET", "/api/v1/nope", 404, NULL, "application/json" },
	{ "DELETE", "/", 405, "GET, HEAD", "text/html" },
	{ "POST", "/", 405, "GET, HEAD", "text/html" },
	{ "GET", "/measure", 405, "POST", "text/html" },
	{ "GET", "/api/v1/measure", 405, "POST", "application/json" },
	{ "PUT", "/api/v1/sensors", 405, "GET, HEAD", "application/json" },
	{ "HEAD", "/api/v1/sensors", 200, NULL, "application/json" },
	{ "GET", "/api/v1/history", 200, NULL, "application/json" },
	{ "GET", "/api/v1/history?sensor=nope", 404, NULL, "application/json" },
	{ "GET", "/api/v1/history?since=yesterday", 400, NULL, "application/json" },
	{ "POST", "/api/v1/history", 405, "GET, HEAD", "application/json" },
	{ "GET", "/metrics", 200, NULL, "text/plain; version=0.0.4" },
	{ "POST", "/events", 405, "GET, HEAD", "text/html" },
	{ "HEAD", "/events", 200, NULL, "text/event-stream" },
	{ "BREW", "/", 405, "GET, HEAD", "text/html" },
	{ "GET", "/static/app.js", 200, NULL, "text/javascript" },
	{ "GET", "/static/style.css", 200, NULL, "text/css" },
	{ "GET", "/static/favicon.svg", 200, NULL, "image/svg+xml" },
	{ "POST", "/static/app.js", 405, "GET, HEAD", "text/html" },
	{ "GET", "/static/../etc/passwd", 404, NULL, "text/html" },
};

START_TEST(status_codes)
{
	struct tu_resp r;
	char v[128];

	ck_assert_int_eq(tu_request(daemon_.port, codes[_i].method, codes[_i].path, &r), 0);
	ck_assert_int_eq(r.status, codes[_i].status);
	if (codes[_i].allow != NULL)
		ck_assert_str_eq(tu_header(&r, "Allow", v, sizeof v), codes[_i].allow);
	ck_assert_ptr_nonnull(tu_header(&r, "Content-Type", v, sizeof v));
	ck_assert_msg(strncmp(v, codes[_i].type, strlen(codes[_i].type)) == 0, "%s", v);
	tu_resp_free(&r);
}
END_TEST

START_TEST(malformed_requests)
{
	struct tu_resp r;
	int fd;

	fd = tu_connect(daemon_.port);
	tu_send(fd, "THIS IS NOT HTTP\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 400);
	tu_resp_free(&r);
	close(fd);

	/* A body larger than any route takes: refused before it is read. */
	fd = tu_connect(daemon_.port);
	tu_send(fd, "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
	            "100000\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 413);
	tu_resp_free(&r);
	close(fd);

	/* A body without a length past the limit: read to its end, then 413. */
	fd = tu_connect(daemon_.port);
	tu_send(fd, "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	            "Transfer-Encoding: chunked\r\n\r\n");
	char piece[4096 + 16];
	snprintf(piece, sizeof piece, "1000\r\n%04096d\r\n", 0);
	for (int i = 0; i < 5; i++)
		tu_send(fd, piece);
	tu_send(fd, "0\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 413);
	/* Answers made before any route carry the policy too. */
	ck_assert_ptr_nonnull(strstr(r.head, "Referrer-Policy: same-origin"));
	tu_resp_free(&r);
	close(fd);

	/* NUL and other control characters in the path: never another path. */
	static const char *const odd[] = { "/%00", "/api/v1/sensors%00.json", "/%0a", "/%7f" };
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		ck_assert_int_eq(tu_request(daemon_.port, "GET", odd[i], &r), 0);
		ck_assert_msg(r.status == 400, "%s: %d", odd[i], r.status);
		tu_resp_free(&r);
	}

	/* Headers larger than the connection's memory. */
	char chunk[8192];
	memset(chunk, 'x', sizeof chunk - 1);
	chunk[sizeof chunk - 1] = '\0';
	fd = tu_connect(daemon_.port);
	tu_send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
	for (int i = 0; i < 6; i++)
		tu_send(fd, chunk);
	tu_send(fd, "\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_ge(r.status, 400);
	ck_assert_int_lt(r.status, 500);
	tu_resp_free(&r);
	close(fd);

	/* A client that leaves mid-request changes nothing for the next. */
	fd = tu_connect(daemon_.port);
	tu_send(fd, "GET / HTTP/1.1\r\nHo");
	close(fd);
	ck_assert_int_eq(tu_request(daemon_.port, "GET", "/", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
}
END_TEST

/* The default gap between measurements: clients posting back to back for
 * 2 s get answers with fresh readings, but the sensors measure only about
 * once per gap (5 s), not hundreds of times. */
START_TEST(measure_requests_within_the_gap_share_the_last_round)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\ninterval = 3600\n"
	                    "[bmp180 baro]\n");
	ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
	json_object *o = parse_json(&r);
	int64_t first = json_int(o, "measurements");
	json_object_put(o);
	tu_resp_free(&r);
	int answers = 0;
	for (double t0 = now_s(); now_s() - t0 < 2;) {
		ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "\"status\":\"ok\""));
		o = parse_json(&r);
		ck_assert_int_eq(json_int(o, "measurements"), first);
		json_object_put(o);
		tu_resp_free(&r);
		answers++;
	}
	ck_assert_int_gt(answers, 20);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

/* Control protection through real sockets: another site's form is refused,
 * a foreign Host name too, the password is asked for and taken; a POST
 * whose client half-closed its side is still answered. */
START_TEST(control_needs_same_origin_and_the_password)
{
	char *dir = tu_tempdir();
	char *pw = tu_write_file(dir, "control-password", "pass word\n");
	char text[512];
	struct tu_daemon d = { 0 };
	struct tu_resp r;
	int fd;

	snprintf(text, sizeof text,
	         "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
	         "control_password_file = %s\n[bmp180 baro]\n[simulation]\ni2c_delay = 0.1\n",
	         pw);
	tu_daemon_start(&d, text);
	fd = tu_connect(d.port);
	tu_send(fd, "POST /measure HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
	            "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 403);
	tu_resp_free(&r);
	tu_send(fd, "GET /api/v1/sensors HTTP/1.1\r\nHost: rebound.example\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 421);
	tu_resp_free(&r);
	tu_send(fd,
	        "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_ptr_nonnull(strstr(r.head, "WWW-Authenticate: Basic realm=\"muricle\""));
	ck_assert_ptr_nonnull(strstr(r.head, "Referrer-Policy: same-origin"));
	tu_resp_free(&r);
	close(fd);
	/* "any:pass word", half-closed once sent: answered after the round. */
	fd = tu_connect(d.port);
	tu_send(fd, "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	            "Authorization: Basic YW55OnBhc3Mgd29yZA==\r\nContent-Length: 0\r\n\r\n");
	shutdown(fd, SHUT_WR);
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"status\":\"ok\""));
	tu_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "needs the control password"));
	free(log);
	tu_daemon_free(&d);

	/* A password file that cannot be read: measuring is refused, not open. */
	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\ninterval = 3600\n"
	                    "control_password_file = /nonexistent/control-password\n"
	                    "[bmp180 baro]\n");
	ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
	ck_assert_int_eq(r.status, 503);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	log = tu_daemon_log(&d);
	ck_assert_msg(
	        strstr(log, "the control password: cannot read /nonexistent/control-password"),
	        "%s", log);
	free(log);
	tu_daemon_free(&d);
	free(pw);
	free(dir);
}
END_TEST

/* A separate daemon whose barometer is missing. */
START_TEST(missing_sensor_is_an_error_not_a_number)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
	                    "[blinker led]\ngpio = GPIO17\n[bmp180 baro]\n"
	                    "[simulation]\nabsent = baro\n");
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
		ck_assert_int_eq(r.status, 200);
		if (i < 3)
			tu_resp_free(&r);
	}
	json_object *o = parse_json(&r), *sensors, *baro, *v, *vals, *p;
	ck_assert(json_object_object_get_ex(o, "sensors", &sensors));
	baro = json_object_array_get_idx(sensors, 1);
	ck_assert(json_object_object_get_ex(baro, "status", &v));
	ck_assert_str_eq(json_object_get_string(v), "error");
	ck_assert(json_object_object_get_ex(baro, "error", &v));
	ck_assert_msg(strstr(json_object_get_string(v), "no device answers at 0x77 on /dev/i2c-1"),
	              "%s", json_object_get_string(v));
	ck_assert_int_eq(json_int(baro, "errors"), 5); /* start-up + 4 */
	ck_assert(json_object_object_get_ex(baro, "values", &vals));
	ck_assert(json_object_object_get_ex(vals, "pressure", &p));
	ck_assert(json_object_object_get_ex(p, "value", &v));
	ck_assert(v == NULL);
	json_object_put(o);
	tu_resp_free(&r);

	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	/* Five failed reads, one error line: logged on the change only. */
	char *log = tu_daemon_log(&d);
	int n = 0;
	for (char *p2 = log; (p2 = strstr(p2, "<3>sensor baro")) != NULL; p2++)
		n++;
	ck_assert_msg(n == 1, "%d error lines in:\n%s", n, log);
	ck_assert_ptr_nonnull(strstr(log, "<6>muricle 0.1.0 starting"));
	ck_assert_ptr_nonnull(strstr(log, "<6>serving http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(log, "<6>sensor baro: bmp180, 0x77 on /dev/i2c-1"));
	free(log);
	tu_daemon_free(&d);
}
END_TEST

/* Without --simulate, on a machine without these devices: each sensor is
 * in error with a message that says what to do, and the daemon serves on. */
START_TEST(real_hardware_missing)
{
	struct tu_daemon d = { .real = true };
	struct tu_resp r;

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
	                    "[blinker led]\ngpio = MURICLE_TEST_NO_SUCH_LINE\n"
	                    "[bmp180 baro]\nbus = /dev/i2c-99\n");
	ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"simulated\":false"));
	ck_assert_ptr_nonnull(strstr(r.body, "no GPIO line 'MURICLE_TEST_NO_SUCH_LINE'"));
	ck_assert_ptr_nonnull(strstr(r.body, "/dev/i2c-99 does not exist: enable I2C"));
	ck_assert_ptr_null(strstr(r.body, "\"status\":\"ok\""));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_ptr_null(strstr(r.body, "Simulated hardware"));
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "real hardware"));
	free(log);
	tu_daemon_free(&d);
}
END_TEST

/* SIGTERM mid-measurement: the waiting client gets an answer, exit 0. */
START_TEST(shutdown_answers_requests_in_flight)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	tu_daemon_start(&d, conf_slow);
	int fd = tu_connect(d.port);
	send_measure(fd);
	usleep(100000);
	kill(d.pid, SIGTERM);
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 503);
	tu_resp_free(&r);
	close(fd);
	int st;
	ck_assert_int_eq(waitpid(d.pid, &st, 0), d.pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "<6>SIGTERM: shutting down"));
	free(log);
	tu_daemon_free(&d);
}
END_TEST

/* User plus system CPU time of a process, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64];
	long utime = -1, stime = -1;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	char *text = tu_read_file(path);
	ck_assert_ptr_nonnull(text);
	/* Fields 14 and 15, counted after the ")" that ends the command name. */
	char *p = strrchr(text, ')');
	ck_assert(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime,
	                      &stime) == 2);
	free(text);
	return utime + stime;
}

/* Between samples the loop sleeps: no polling, no spinning. A loop that
 * spun would burn about 100 ticks a second here. */
START_TEST(idle_daemon_sleeps)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
	                    "[blinker led]\ngpio = GPIO17\nblink = 0.2\n[bmp180 baro]\n");
	/* Keep-alive clients that stay connected must not cost anything either. */
	int fd = tu_connect(d.port);
	tu_send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	tu_resp_free(&r);
	usleep(500000);
	long before = cpu_ticks(d.pid);
	sleep(3);
	long used = cpu_ticks(d.pid) - before;
	ck_assert_msg(used <= 5, "idle daemon used %ld ticks in 3 s", used);
	close(fd);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

/* The command line, as a user meets it. */
static int run(const char *args, char **out)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "%s %s 2>&1", getenv("MURICLED"), args);
	FILE *p = popen(cmd, "r");
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int c;
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	fclose(m);
	int st = pclose(p);
	*out = text;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(command_line)
{
	char *out, *dir = tu_tempdir(), args[512];

	ck_assert_int_eq(run("--version", &out), 0);
	ck_assert_str_eq(out, "muricled 0.1.0\n");
	free(out);
	ck_assert_int_eq(run("--help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "--check-config"));
	free(out);
	ck_assert_int_eq(run("--bogus", &out), 2);
	free(out);
	ck_assert_int_eq(run("-c etc/muricle.conf --check-config", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "etc/muricle.conf: ok, 4 sensors"));
	free(out);

	char *bad = tu_write_file(dir, "bad.conf", "[daemon]\ninterval = soon\n[blinkr]\n");
	snprintf(args, sizeof args, "--check-config -c %s", bad);
	ck_assert_int_eq(run(args, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "bad.conf:2: 'interval' must be a number"));
	ck_assert_ptr_nonnull(strstr(out, "bad.conf:3: unknown section [blinkr]"));
	free(out);
	/* Starting on a bad config: the same lines at error priority, exit 1. */
	snprintf(args, sizeof args, "--simulate -c %s", bad);
	ck_assert_int_eq(run(args, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "<3>"));
	ck_assert_ptr_nonnull(strstr(out, "bad.conf:2:"));
	free(out);
	snprintf(args, sizeof args, "--simulate -c %s/missing.conf", dir);
	ck_assert_int_eq(run(args, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "missing.conf: cannot read: No such file or directory"));
	free(out);
	free(bad);
	free(dir);
}
END_TEST

START_TEST(port_in_use_is_reported)
{
	struct tu_daemon d = { 0 };
	char *out, *dir = tu_tempdir(), args[512], conf[256];

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\n[blinker led]\ngpio = GPIO17\n");
	snprintf(conf, sizeof conf,
	         "[daemon]\nlisten = 127.0.0.1:%u\n[blinker led]\ngpio = GPIO17\n", d.port);
	char *path = tu_write_file(dir, "c.conf", conf);
	snprintf(args, sizeof args, "--simulate -c %s", path);
	ck_assert_int_eq(run(args, &out), 1);
	ck_assert_msg(strstr(out, "Address already in use"), "%s", out);
	free(out);
	free(path);
	free(dir);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *shared = tcase_create("shared-daemon");
	TCase *own = tcase_create("own-daemon");

	tcase_add_unchecked_fixture(shared, slow_daemon_up, slow_daemon_down);
	tcase_set_timeout(shared, 60);
	tcase_add_test(shared, page_is_answered_while_measuring);
	tcase_add_test(shared, concurrent_measures_share_one_measurement);
	tcase_add_test(shared, led_lights_for_the_blink_time);
	tcase_add_test(shared, keep_alive_connections_are_reused);
	tcase_add_loop_test(shared, status_codes, 0, (int)(sizeof codes / sizeof codes[0]));
	tcase_add_test(shared, malformed_requests);
	tcase_set_timeout(own, 60);
	tcase_add_test(own, measure_requests_within_the_gap_share_the_last_round);
	tcase_add_test(own, control_needs_same_origin_and_the_password);
	tcase_add_test(own, missing_sensor_is_an_error_not_a_number);
	tcase_add_test(own, shutdown_answers_requests_in_flight);
	tcase_add_test(own, command_line);
	tcase_add_test(own, port_in_use_is_reported);
	tcase_add_test(own, idle_daemon_sleeps);
	tcase_add_test(own, real_hardware_missing);
	suite_add_tcase(s, shared);
	suite_add_tcase(s, own);
	return tu_run_suite(s);
}
