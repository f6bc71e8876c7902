/*
 * systemd integration, the way systemd meets the daemon: the notify protocol
 * through a test NOTIFY_SOCKET (READY, STATUS, WATCHDOG at the right pace,
 * STOPPING), socket activation by hand and through systemd-socket-activate,
 * and the one-line status summary.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "render.h"
#include "sensor.h"
#include "testutil.h"

static const char conf[] = "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
                           "[blinker led]\ngpio = GPIO17\n[bmp180 baro]\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A datagram socket to play systemd's part; its path goes in *path. */
static int notify_socket(char **path)
{
	char *dir = tu_tempdir();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert(asprintf(path, "NOTIFY_SOCKET=%s/notify", dir) > 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	free(dir);
	return fd;
}

/* The next message, or NULL after timeout_s. */
static char *next_message(int fd, double timeout_s)
{
	static char msg[1024];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	/* Past the deadline, stop: poll() would take a negative timeout as
	 * "forever", and the watchdog's pings would keep it going. */
	if (timeout_s <= 0 || poll(&p, 1, (int)(timeout_s * 1000)) <= 0)
		return NULL;
	ssize_t n = recv(fd, msg, sizeof msg - 1, 0);
	ck_assert_int_gt(n, 0);
	msg[n] = '\0';
	return msg;
}

/* Messages until one contains what, or NULL after timeout_s. */
static char *wait_message(int fd, const char *what, double timeout_s)
{
	double end = now_s() + timeout_s;
	char *m;

	while ((m = next_message(fd, end - now_s())) != NULL)
		if (strstr(m, what) != NULL)
			return m;
	return NULL;
}

START_TEST(notify_protocol)
{
	char *env_socket;
	int ns = notify_socket(&env_socket);
	const char *env[] = { env_socket, "WATCHDOG_USEC=400000", NULL };
	struct tu_daemon d = { .env = env };
	char *m;

	tu_daemon_start(&d, conf);
	m = wait_message(ns, "READY=1", 10);
	ck_assert_msg(m != NULL, "no READY=1");
	ck_assert_msg(strstr(m, "STATUS=0 of 2 sensors ok (led: pending, baro: pending), not "
	                        "measured yet"),
	              "%s", m);
	/* After the first measurement the status says how the sensors are. */
	m = wait_message(ns, "STATUS=2 sensors ok, last measured ", 10);
	ck_assert_msg(m != NULL, "no STATUS after the first measurement");

	/* WATCHDOG=1 at half of WATCHDOG_USEC: about 10 in 2 s. */
	int pings = 0;
	double end = now_s() + 2.0;
	while ((m = next_message(ns, end - now_s())) != NULL)
		pings += strstr(m, "WATCHDOG=1") != NULL;
	ck_assert_msg(pings >= 6 && pings <= 14, "%d watchdog pings in 2 s", pings);

	kill(d.pid, SIGTERM);
	ck_assert_msg(wait_message(ns, "STOPPING=1", 10) != NULL, "no STOPPING=1");
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "<6>watchdog: every 0.2 s"));
	free(log);
	tu_daemon_free(&d);
	free(env_socket);
	close(ns);
}
END_TEST

START_TEST(no_watchdog_no_pings)
{
	char *env_socket;
	int ns = notify_socket(&env_socket);
	const char *env[] = { env_socket, NULL };
	struct tu_daemon d = { .env = env };
	char *m;

	tu_daemon_start(&d, conf);
	ck_assert_ptr_nonnull(wait_message(ns, "READY=1", 10));
	double end = now_s() + 1.0;
	while ((m = next_message(ns, end - now_s())) != NULL)
		ck_assert_ptr_null(strstr(m, "WATCHDOG=1"));
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	free(env_socket);
	close(ns);
}
END_TEST

/* The daemon serves on the socket it is given. The configuration names the
 * same port: binding it itself would fail, so serving proves it used ours. */
START_TEST(socket_activation)
{
	struct tu_daemon d = { .pass_listener = true };
	struct tu_resp r;

	tu_daemon_start(&d, conf);
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	char where[64];
	snprintf(where, sizeof where, "using the socket systemd passed: 127.0.0.1:%u", d.port);
	ck_assert_msg(strstr(log, where) != NULL, "%s", log);
	ck_assert_ptr_nonnull(strstr(log, "<6>serving http://127.0.0.1:"));
	/* The file names an address: a notice that it is not the one in use. */
	ck_assert_msg(strstr(log, "<5>'listen = 127.0.0.1:") != NULL &&
	                      strstr(log, "' in the configuration is not used: systemd passed the "
	                                  "socket (muricle.socket decides the address; change it "
	                                  "with 'systemctl edit muricle.socket')") != NULL,
	              "%s", log);
	free(log);
	tu_daemon_free(&d);
}
END_TEST

START_TEST(systemd_socket_activate)
{
	char listen[64];
	unsigned port = tu_free_port();
	struct tu_resp r;

	snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
	const char *wrap[] = { "systemd-socket-activate", "-l", listen, NULL };
	struct tu_daemon d = { .wrap = wrap, .port = port };

	tu_daemon_start(&d, conf);
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_msg(strstr(log, "using the socket systemd passed") != NULL, "%s", log);
	free(log);
	tu_daemon_free(&d);
}
END_TEST

/* Something that is not a listening TCP socket: a clear error, exit 1. */
START_TEST(wrong_socket_passed)
{
	char *dir = tu_tempdir(), *path, cmd[512];

	path = tu_write_file(dir, "c.conf", "[daemon]\n[blinker led]\ngpio = GPIO17\n");
	snprintf(cmd, sizeof cmd,
	         "exec 3</dev/null; LISTEN_FDS=1 exec sh -c 'LISTEN_PID=$$ exec %s --simulate -c "
	         "%s' "
	         "2>&1",
	         getenv("MURICLED"), path);
	FILE *p = popen(cmd, "r");
	char out[4096] = "";
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	ck_assert_msg(strstr(out, "passed something other than a listening TCP socket"), "%s", out);
	free(path);
	free(dir);
}
END_TEST

/* Rewrite the daemon's configuration file, keeping its port. */
static void rewrite_conf(const struct tu_daemon *d, const char *body)
{
	FILE *f = fopen(d->conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "[daemon]\nlisten = 127.0.0.1:%u\nmin_gap = 0\ninterval = 3600\n%s", d->port,
	        body);
	fclose(f);
}

START_TEST(reload_applies_the_new_configuration)
{
	char *env_socket;
	int ns = notify_socket(&env_socket);
	const char *env[] = { env_socket, NULL };
	struct tu_daemon d = { .env = env };
	struct tu_resp r;
	char *m;

	tu_daemon_start(&d, conf);
	ck_assert_ptr_nonnull(wait_message(ns, "READY=1", 10));
	/* A keep-alive client, connected before the reload. */
	int fd = tu_connect(d.port);
	tu_send(fd, "GET /api/v1/sensors HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	tu_resp_free(&r);

	rewrite_conf(&d, "title = Reloaded\n[blinker led]\ngpio = GPIO17\n[bme280 env]\n"
	                 "[bmp180 baro]\n");
	kill(d.pid, SIGHUP);
	m = wait_message(ns, "RELOADING=1", 10);
	ck_assert_msg(m != NULL, "no RELOADING=1");
	ck_assert_msg(strstr(m, "MONOTONIC_USEC="), "%s", m);
	ck_assert_msg(wait_message(ns, "READY=1", 10) != NULL, "no READY=1 after the reload");

	/* The same connection goes on, and sees the new configuration. */
	tu_send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
	ck_assert_int_eq(tu_read_response(fd, &r, false, 10000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "<title>Reloaded</title>"));
	ck_assert_ptr_nonnull(strstr(r.body, "data-sensor=\"env\""));
	tu_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "SIGHUP: configuration reloaded from"));
	ck_assert_ptr_nonnull(strstr(log, "3 sensors"));
	free(log);
	tu_daemon_free(&d);
	free(env_socket);
	close(ns);
}
END_TEST

START_TEST(reload_keeps_a_running_configuration_over_a_bad_one)
{
	char *env_socket;
	int ns = notify_socket(&env_socket);
	const char *env[] = { env_socket, NULL };
	struct tu_daemon d = { .env = env };
	struct tu_resp r;

	tu_daemon_start(&d, conf);
	ck_assert_ptr_nonnull(wait_message(ns, "READY=1", 10));
	rewrite_conf(&d, "[blinker led]\ngpio = GPIO17\nblnk = 3\n");
	kill(d.pid, SIGHUP);
	ck_assert_ptr_nonnull(wait_message(ns, "RELOADING=1", 10));
	ck_assert_ptr_nonnull(wait_message(ns, "READY=1", 10));
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\"name\":\"baro\"")); /* the old sensors */
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_msg(strstr(log, "muricle.conf:7: unknown key 'blnk'"), "%s", log);
	ck_assert_ptr_nonnull(strstr(log, "is not valid: keeping the running configuration"));
	free(log);
	tu_daemon_free(&d);
	free(env_socket);
	close(ns);
}
END_TEST

/* A request waiting for a measurement when the reload comes is answered by
 * the new configuration's measurement, not dropped. */
START_TEST(reload_answers_waiting_requests)
{
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	tu_daemon_start(&d, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\n"
	                    "[bmp180 baro]\n[simulation]\ni2c_delay = 0.3\n");
	usleep(3000000); /* the start-up measurement ends */
	int fd = tu_connect(d.port);
	tu_send(fd,
	        "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
	usleep(200000);
	rewrite_conf(&d, "[bmp180 baro]\n[simulation]\ni2c_delay = 0.1\n");
	kill(d.pid, SIGHUP);
	ck_assert_int_eq(tu_read_response(fd, &r, false, 20000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "\"status\":\"ok\""));
	tu_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

/* The "errors" count of a sensor in a /api/v1/sensors body, -1 if absent. */
static long errors_of(const char *body, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof key, "\"name\":\"%s\"", name);
	if ((p = strstr(body, key)) == NULL || (p = strstr(p, "\"errors\":")) == NULL)
		return -1;
	return strtol(p + 9, NULL, 10);
}

/* A reload while a transfer is stalled (2 s each, simulated) blocks nothing:
 * the page answers at once and still counts the measurements made before;
 * an unchanged sensor keeps its state and error count; the request waiting
 * for the abandoned round gets the next one's answer. */
START_TEST(reload_during_a_stalled_transfer)
{
	static const char body[] = "interval = 3600\ntimeout = 20\n[mq135 air]\n[bmp180 gone]\n"
	                           "[simulation]\ni2c_delay = 2\nabsent = gone\n";
	struct tu_daemon d = { 0 };
	struct tu_resp r;
	char text[512];

	snprintf(text, sizeof text, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\n%s", body);
	tu_daemon_start(&d, text);
	/* The start-up measurement: an ADS1115 conversion is three transfers. */
	bool measured = false;
	for (int i = 0; i < 200 && !measured; i++) {
		usleep(100000);
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		measured = strstr(r.body, "\"measurements\":1,") != NULL;
		tu_resp_free(&r);
	}
	ck_assert_msg(measured, "no first measurement within 20 s");
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
	long errors = errors_of(r.body, "gone");
	ck_assert_int_ge(errors, 1);
	tu_resp_free(&r);

	int fd = tu_connect(d.port);
	tu_send(fd,
	        "POST /api/v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
	usleep(300000); /* its first transfer is under way */
	rewrite_conf(&d,
	             "title = Reloaded\ntimeout = 20\n[mq135 air]\n[bmp180 gone]\n[simulation]\n"
	             "i2c_delay = 2\nabsent = gone\n");
	kill(d.pid, SIGHUP);
	usleep(50000);
	double t0 = now_s();
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	double took = now_s() - t0;
	ck_assert_msg(took < 1.0, "GET / took %.3f s during the reload", took);
	ck_assert_ptr_nonnull(strstr(r.body, "<title>Reloaded</title>"));
	ck_assert_msg(strstr(r.body, "Measurement 1,"), "the count restarted: %s", r.body);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
	ck_assert_int_ge(errors_of(r.body, "gone"), errors);
	ck_assert_msg(strstr(r.body, "\"name\":\"gone\"") &&
	                      strstr(strstr(r.body, "\"name\":\"gone\""), "\"status\":\"error\""),
	              "%s", r.body);
	tu_resp_free(&r);

	ck_assert_int_eq(tu_read_response(fd, &r, false, 30000), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(strstr(r.body, "\"measurements\":2,"), "%s", r.body);
	tu_resp_free(&r);
	close(fd);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The 99th percentile of n latencies of GET / (sorted in place). */
static double page_p99(unsigned port, double *t, int n)
{
	struct tu_resp r;

	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		ck_assert_int_eq(tu_request(port, "GET", "/", &r), 0);
		t[i] = now_s() - t0;
		ck_assert_int_eq(r.status, 200);
		tu_resp_free(&r);
		usleep(10000);
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	return t[n * 99 / 100];
}

/* The daemon on a flaky simulated bus (EIO bursts, NACKs, stalls longer
 * than the timeout): failed readings show no number, errors are counted,
 * the page answers as fast as without faults, and once the faults stop
 * every sensor is good again within one interval. */
START_TEST(faults_on_the_bus)
{
	static const char body[] = "interval = 0.5\ntimeout = 0.3\nhistory = 0\n[bmp180 baro]\n"
	                           "[mq135 air]\n[simulation]\n";
	static const char faults[] = "eio_rate = 0.05\neio_burst = 4\nnack_rate = 0.05\n"
	                             "stall_rate = 0.05\nstall = 1.5\nfault_seed = 3\n";
	struct tu_daemon d = { 0 };
	struct tu_resp r;
	char text[1024], flaky[1024];
	double t[200];

	snprintf(text, sizeof text, "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\n%s", body);
	tu_daemon_start(&d, text);
	usleep(1000000);
	double base = page_p99(d.port, t, 100);
	snprintf(flaky, sizeof flaky, "[daemon]\nlisten = 127.0.0.1:%u\nmin_gap = 0\n%s%s", d.port,
	         body, faults);
	char *path = tu_write_file(d.dir, "muricle.conf", flaky);
	ck_assert_str_eq(path, d.conf);
	free(path);
	kill(d.pid, SIGHUP);
	long errors = 0;
	double faulty = 0;
	for (int round = 0; round < 4; round++) {
		double p = page_p99(d.port, t, 50);
		faulty = p > faulty ? p : faulty;
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		json_object *o = json_tokener_parse(r.body), *sensors;
		ck_assert(json_object_object_get_ex(o, "sensors", &sensors));
		for (size_t i = 0; i < json_object_array_length(sensors); i++) {
			json_object *sn = json_object_array_get_idx(sensors, i), *v, *vals;
			ck_assert(json_object_object_get_ex(sn, "status", &v));
			bool failed = strcmp(json_object_get_string(v), "error") == 0;
			ck_assert(json_object_object_get_ex(sn, "values", &vals));
			json_object_object_foreach(vals, name, val)
			{
				json_object *x;
				ck_assert(json_object_object_get_ex(val, "value", &x));
				ck_assert_msg(!failed || x == NULL,
				              "%s shows a number after a failure", name);
			}
		}
		json_object_put(o);
		errors = errors_of(r.body, "baro") + errors_of(r.body, "air");
		tu_resp_free(&r);
	}
	ck_assert_msg(errors > 0, "no reading failed: were faults injected?");
	/* A loop that waited for a stall would show 1.5 s. */
	ck_assert_msg(faulty < base + 0.25, "page p99 %.1f ms with faults, %.1f ms without",
	              faulty * 1e3, base * 1e3);
	/* Faults off: every sensor good within one interval (and a timeout). */
	snprintf(flaky, sizeof flaky, "[daemon]\nlisten = 127.0.0.1:%u\nmin_gap = 0\n%s", d.port,
	         body);
	path = tu_write_file(d.dir, "muricle.conf", flaky);
	free(path);
	kill(d.pid, SIGHUP);
	bool all_ok = false;
	double t0 = now_s();
	while (!all_ok && now_s() - t0 < 5) {
		usleep(50000);
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		all_ok = strstr(r.body, "\"status\":\"error\"") == NULL &&
		         strstr(r.body, "\"status\":\"pending\"") == NULL;
		tu_resp_free(&r);
	}
	ck_assert_msg(all_ok, "not recovered 5 s after the faults stopped");
	ck_assert_msg(now_s() - t0 < 0.5 + 0.3 + 1.5 + 0.2, "recovery took %.2f s", now_s() - t0);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "simulation: injecting faults"));
	free(log);
	tu_daemon_free(&d);
}
END_TEST

static void nop(struct sensor *s)
{
	(void)s;
}
static const struct sensor_ops ops = { "t", NULL, NULL, nop, nop, nop };

START_TEST(summary_line)
{
	struct sensor *s[4];
	const char *names[] = { "led", "baro", "air", "env" };
	struct buf b;

	setenv("TZ", "UTC", 1);
	tzset();
	for (int i = 0; i < 4; i++) {
		s[i] = sensor_new(&ops, names[i], NULL);
		s[i]->status = SENSOR_OK;
	}
	struct render_view v = { .sensors = s, .n = 4, .last_time = 1764153125.5 };
	buf_init(&b);
	render_summary(&b, &v);
	ck_assert_str_eq(b.data, "4 sensors ok, last measured 10:32:05");
	s[2]->status = SENSOR_ERROR;
	s[3]->status = SENSOR_STALE;
	buf_reset(&b);
	render_summary(&b, &v);
	ck_assert_str_eq(b.data,
	                 "2 of 4 sensors ok (air: error, env: stale), last measured 10:32:05");
	v.last_time = 0;
	v.n = 1;
	buf_reset(&b);
	render_summary(&b, &v);
	ck_assert_str_eq(b.data, "1 sensor ok, not measured yet");
	buf_free(&b);
	for (int i = 0; i < 4; i++) {
		free(s[i]->name);
		free(s[i]);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("service");
	TCase *tc = tcase_create("service");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, notify_protocol);
	tcase_add_test(tc, no_watchdog_no_pings);
	tcase_add_test(tc, socket_activation);
	tcase_add_test(tc, systemd_socket_activate);
	tcase_add_test(tc, wrong_socket_passed);
	tcase_add_test(tc, summary_line);
	tcase_add_test(tc, reload_applies_the_new_configuration);
	tcase_add_test(tc, reload_keeps_a_running_configuration_over_a_bad_one);
	tcase_add_test(tc, reload_answers_waiting_requests);
	tcase_add_test(tc, reload_during_a_stalled_transfer);
	tcase_add_test(tc, faults_on_the_bus);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
