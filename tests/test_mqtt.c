/*
 * MQTT against a real broker: Debian's mosquitto on a loopback port of the
 * test's own, read with mosquitto_sub and written with mosquitto_pub, as
 * Home Assistant would. Discovery payloads, states, the retained "online"
 * and the last will, the Measure button, reconnecting after the broker
 * restarts, a broker that never answers, password authentication, and a
 * reload that removes a sensor.
 */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

struct broker {
	pid_t pid;
	unsigned port;
	char *dir;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start mosquitto on b->port (a free one when 0); extra is more of its
 * configuration. Waits until it accepts connections. */
static void broker_start(struct broker *b, const char *extra)
{
	char conf[512];

	if (b->port == 0)
		b->port = tu_free_port();
	if (b->dir == NULL)
		b->dir = tu_tempdir();
	/* user root: as root, mosquitto would read the password file as user mosquitto. */
	snprintf(conf, sizeof conf, "listener %u 127.0.0.1\npersistence false\nuser root\n%s",
	         b->port, extra ? extra : "allow_anonymous true\n");
	char *path = tu_write_file(b->dir, "mosquitto.conf", conf);
	b->pid = fork();
	ck_assert_int_ge(b->pid, 0);
	if (b->pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "w", stderr) == NULL)
			_exit(127);
		execlp("mosquitto", "mosquitto", "-c", path, (char *)NULL);
		_exit(127);
	}
	free(path);
	for (int i = 0; i < 500; i++) {
		int fd = tu_connect(b->port);
		if (fd >= 0) {
			close(fd);
			return;
		}
		usleep(10000);
	}
	ck_abort_msg("mosquitto did not start on port %u", b->port);
}

static void broker_stop(struct broker *b)
{
	int st;

	kill(b->pid, SIGTERM);
	waitpid(b->pid, &st, 0);
}

static void broker_free(struct broker *b)
{
	broker_stop(b);
	free(b->dir);
}

/* What mosquitto_sub prints ("TOPIC PAYLOAD" lines) for topic within
 * seconds, at most count messages (retained ones come at once). */
static char *subscribe(const struct broker *b, const char *topic, int count, int seconds,
                       const char *auth)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "mosquitto_sub -h 127.0.0.1 -p %u %s -t '%s' -v -C %d -W %d",
	         b->port, auth ? auth : "", topic, count, seconds);
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	int c;

	ck_assert_ptr_nonnull(p);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	pclose(p);
	fclose(m);
	return out;
}

static void publish(const struct broker *b, const char *topic, const char *payload)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "mosquitto_pub -h 127.0.0.1 -p %u -t '%s' -m '%s'", b->port,
	         topic, payload);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *broker_host = "localhost";

/* The daemon's configuration: the sensors, then [mqtt] at the broker. */
static void daemon_start(struct tu_daemon *d, const struct broker *b, const char *sensors,
                         const char *mqtt_extra)
{
	char conf[4096];

	snprintf(
	        conf, sizeof conf,
	        "[daemon]\nlisten = 127.0.0.1:@PORT@\nmin_gap = 0\ninterval = 3600\nhistory = 0\n%s"
	        "[mqtt]\nhost = %s\nport = %u\nkeepalive = 5\ntopic_prefix = test/pi\n%s",
	        sensors, broker_host, b->port, mqtt_extra ? mqtt_extra : "");
	tu_daemon_start(d, conf);
}

/* Poll /api/v1/sensors until its "mqtt" says connected (or not). */
static bool wait_connected(const struct tu_daemon *d, bool want, double seconds)
{
	double deadline = now_s() + seconds;

	while (now_s() < deadline) {
		struct tu_resp r;
		if (tu_request(d->port, "GET", "/api/v1/sensors", &r) == 0) {
			bool yes = strstr(r.body, "\"mqtt\":{\"connected\":true") != NULL;
			tu_resp_free(&r);
			if (yes == want)
				return true;
		}
		usleep(100000);
	}
	return false;
}

static const char sensors[] = "[bme280 env]\n[mq135 air]\ntemperature_from = env\n"
                              "[blinker led]\ngpio = GPIO17\n[button push]\ngpio = GPIO27\n";

/* A member of a JSON object, as a string ("" if missing). */
static const char *str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* Every value is announced once, with what Home Assistant needs. */
START_TEST(discovery_and_state)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };

	broker_start(&b, NULL);
	daemon_start(&d, &b, sensors, NULL);
	ck_assert_msg(wait_connected(&d, true, 10), "never connected");
	struct tu_resp page;
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &page), 0);
	ck_assert_ptr_nonnull(
	        strstr(page.body, "<p class=\"meta\" id=\"mqtt\">MQTT: connected.</p>"));
	tu_resp_free(&page);
	/* bme280 4 + mq135 6 + led 1 + button 2 values, and the Measure button. */
	char *out = subscribe(&b, "homeassistant/#", 14, 10, NULL);
	int n = 0;
	char ids[14][96];
	for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n"), n++) {
		char *sp = strchr(line, ' ');
		ck_assert_ptr_nonnull(sp);
		*sp = '\0';
		json_object *o = json_tokener_parse(sp + 1);
		ck_assert_msg(o != NULL, "not JSON on %s: %s", line, sp + 1);
		json_object *dev, *idl;
		ck_assert(json_object_object_get_ex(o, "device", &dev));
		ck_assert(json_object_object_get_ex(dev, "identifiers", &idl));
		ck_assert_str_eq(str(o, "availability_topic"), "test/pi/status");
		ck_assert_msg(strncmp(str(o, "unique_id"), "muricle_", 8) == 0, "%s", line);
		snprintf(ids[n], sizeof ids[n], "%s", str(o, "unique_id"));
		for (int k = 0; k < n; k++)
			ck_assert_str_ne(ids[k], ids[n]);
		if (strstr(line, "/button/") != NULL) {
			ck_assert_str_eq(str(o, "command_topic"), "test/pi/measure");
		} else {
			ck_assert_msg(strncmp(str(o, "state_topic"), "test/pi/", 8) == 0, "%s",
			              line);
			ck_assert_ptr_nonnull(
			        strstr(str(o, "value_template"), "value_json.values."));
		}
		if (strstr(line, "/env_temperature/")) {
			ck_assert_str_eq(str(o, "device_class"), "temperature");
			ck_assert_str_eq(str(o, "unit_of_measurement"), "°C");
			ck_assert_str_eq(str(o, "state_class"), "measurement");
			ck_assert_str_eq(str(o, "expire_after"), "10800"); /* 3 intervals */
		}
		if (strstr(line, "/env_pressure/"))
			ck_assert_str_eq(str(o, "device_class"), "atmospheric_pressure");
		if (strstr(line, "/env_humidity/"))
			ck_assert_str_eq(str(o, "device_class"), "humidity");
		if (strstr(line, "/air_ppm/")) /* an estimate, not a CO2 measurement */
			ck_assert_str_eq(str(o, "device_class"), "");
		if (strstr(line, "/push_presses/"))
			ck_assert_str_eq(str(o, "state_class"), "total_increasing");
		if (strstr(line, "/led_led/"))
			ck_assert_msg(strncmp(line, "homeassistant/binary_sensor/", 28) == 0, "%s",
			              line);
		json_object_put(o);
	}
	ck_assert_int_eq(n, 14);
	free(out);

	out = subscribe(&b, "test/pi/status", 1, 5, NULL);
	ck_assert_str_eq(out, "test/pi/status online\n");
	free(out);
	out = subscribe(&b, "test/pi/env/state", 1, 5, NULL);
	json_object *o = json_tokener_parse(strchr(out, ' ') + 1);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "status"), "ok");
	json_object_put(o);
	free(out);

	/* The same ids after a restart: Home Assistant keeps its entities. */
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	out = subscribe(&b, "test/pi/status", 1, 5, NULL);
	ck_assert_str_eq(out, "test/pi/status offline\n"); /* said at a clean stop too */
	free(out);
	tu_daemon_free(&d);
	memset(&d, 0, sizeof d);
	daemon_start(&d, &b, sensors, NULL);
	ck_assert(wait_connected(&d, true, 10));
	out = subscribe(&b, "homeassistant/sensor/+/env_temperature/config", 1, 5, NULL);
	for (int k = 0; k < 14; k++)
		if (strstr(ids[k], "_env_temperature"))
			ck_assert_msg(strstr(out, ids[k]), "%s not in %s", ids[k], out);
	free(out);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	broker_free(&b);
}
END_TEST

/* Home Assistant's Measure button measures; a daemon that dies says
 * "offline" through its last will. */
START_TEST(measure_button_and_last_will)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	broker_start(&b, NULL);
	daemon_start(&d, &b, "[bmp180 baro]\n",
	             "protocol = 5\n"); /* MQTT 5 here, 3.1.1 elsewhere */
	ck_assert(wait_connected(&d, true, 10));
	usleep(500000); /* the start-up measurement ends */
	publish(&b, "test/pi/measure", "PRESS");
	bool measured = false;
	for (int i = 0; i < 50 && !measured; i++) {
		usleep(100000);
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		measured = strstr(r.body, "\"measurements\":2,") != NULL;
		tu_resp_free(&r);
	}
	ck_assert_msg(measured, "the Measure button did not measure");
	kill(d.pid, SIGKILL);
	waitpid(d.pid, NULL, 0);
	char *out = subscribe(&b, "test/pi/status", 1, 5, NULL);
	ck_assert_str_eq(out, "test/pi/status offline\n");
	free(out);
	tu_daemon_free(&d);
	broker_free(&b);
}
END_TEST

/* The broker goes away and comes back: the daemon reconnects and announces
 * itself again (this broker keeps nothing across a restart). */
START_TEST(reconnects_after_the_broker_restarts)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };

	broker_start(&b, NULL);
	daemon_start(&d, &b, "[bmp180 baro]\n", NULL);
	ck_assert(wait_connected(&d, true, 10));
	broker_stop(&b);
	ck_assert_msg(wait_connected(&d, false, 10), "the daemon did not notice");
	struct tu_resp r;
	ck_assert_int_eq(tu_request(d.port, "GET", "/metrics", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\nmuricle_mqtt_connected 0\n"));
	tu_resp_free(&r);
	broker_start(&b, NULL);
	ck_assert_msg(wait_connected(&d, true, 20), "no reconnect");
	char *out = subscribe(&b, "test/pi/status", 1, 5, NULL);
	ck_assert_str_eq(out, "test/pi/status online\n");
	free(out);
	out = subscribe(&b, "homeassistant/sensor/+/baro_pressure/config", 1, 5, NULL);
	ck_assert_ptr_nonnull(strstr(out, "\"unique_id\""));
	free(out);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	char *log = tu_daemon_log(&d);
	ck_assert_ptr_nonnull(strstr(log, "mqtt: disconnected from localhost:"));
	free(log);
	tu_daemon_free(&d);
	broker_free(&b);
}
END_TEST

/* A "broker" that takes the connection and never answers: the page stays
 * fast, the client gives up after its timeout and says why. */
START_TEST(a_broker_that_never_answers)
{
	struct broker b = { .port = tu_free_port() };
	int silent = tu_listen(b.port); /* the kernel accepts; nobody reads */
	struct tu_daemon d = { 0 };
	struct tu_resp r;

	daemon_start(&d, &b, "[bmp180 baro]\n", NULL);
	for (int i = 0; i < 20; i++) {
		double t0 = now_s();
		ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
		ck_assert_int_eq(r.status, 200);
		tu_resp_free(&r);
		ck_assert_msg(now_s() - t0 < 1.0, "GET / took %.3f s", now_s() - t0);
		/* A measurement too: a BMP180 round takes some 40 ms simulated. */
		t0 = now_s();
		ck_assert_int_eq(tu_request(d.port, "POST", "/api/v1/measure", &r), 0);
		ck_assert_int_eq(r.status, 200);
		tu_resp_free(&r);
		ck_assert_msg(now_s() - t0 < 1.0, "a measurement took %.3f s", now_s() - t0);
		usleep(100000);
	}
	bool said = false;
	for (int i = 0; i < 150 && !said; i++) {
		usleep(100000);
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		said = strstr(r.body, "accepted the connection but never answered") != NULL;
		tu_resp_free(&r);
	}
	ck_assert_msg(said, "no error for the silent broker");
	ck_assert_int_eq(tu_request(d.port, "GET", "/", &r), 0);
	ck_assert_msg(strstr(r.body, "MQTT: not connected: localhost:"), "%s", r.body);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	close(silent);
}
END_TEST

/* A broker with a password file: the right password connects, a wrong one
 * is refused with the broker's reason. */
START_TEST(password_authentication)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };
	char cmd[512], extra[512];

	b.dir = tu_tempdir();
	snprintf(cmd, sizeof cmd, "mosquitto_passwd -c -b %s/passwd pi s3cret 2>/dev/null", b.dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(extra, sizeof extra, "allow_anonymous false\npassword_file %s/passwd\n", b.dir);
	broker_start(&b, extra);
	char *good = tu_write_file(b.dir, "good", "s3cret\n");
	char *bad = tu_write_file(b.dir, "bad", "guess\n");
	snprintf(extra, sizeof extra, "username = pi\npassword_file = %s\n", good);
	daemon_start(&d, &b, "[bmp180 baro]\n", extra);
	ck_assert_msg(wait_connected(&d, true, 10), "the right password did not connect");
	char *out = subscribe(&b, "test/pi/status", 1, 5, "-u pi -P s3cret");
	ck_assert_str_eq(out, "test/pi/status online\n");
	free(out);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);

	memset(&d, 0, sizeof d);
	snprintf(extra, sizeof extra, "username = pi\npassword_file = %s\n", bad);
	daemon_start(&d, &b, "[bmp180 baro]\n", extra);
	bool refused = false;
	struct tu_resp r;
	for (int i = 0; i < 50 && !refused; i++) {
		usleep(100000);
		ck_assert_int_eq(tu_request(d.port, "GET", "/api/v1/sensors", &r), 0);
		refused = strstr(r.body, "the broker refused the connection") != NULL;
		tu_resp_free(&r);
	}
	ck_assert_msg(refused, "a wrong password was not reported");
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	free(good);
	free(bad);
	broker_free(&b);
}
END_TEST

/* Wait for the API's mqtt error to hold text. */
static bool wait_error(const struct tu_daemon *d, const char *text, double seconds)
{
	double deadline = now_s() + seconds;

	while (now_s() < deadline) {
		struct tu_resp r;
		if (tu_request(d->port, "GET", "/api/v1/sensors", &r) == 0) {
			bool yes = strstr(r.body, text) != NULL;
			tu_resp_free(&r);
			if (yes)
				return true;
		}
		usleep(100000);
	}
	return false;
}

/* TLS with certificates the test makes: the broker's is verified against
 * the CA and the configured name, and the client shows its own. */
START_TEST(tls_with_certificates)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };
	char cmd[2048], extra[1024], auth[512];

	b.dir = tu_tempdir();
	snprintf(cmd, sizeof cmd,
	         "cd %s && exec 2>/dev/null && "
	         "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=test CA' "
	         "-keyout ca.key -out ca.pem && "
	         "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout srv.key "
	         "-out srv.csr && printf 'subjectAltName=DNS:localhost\\n' > srv.ext && "
	         "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
	         "-extfile srv.ext -out srv.pem && "
	         "openssl req -newkey rsa:2048 -nodes -subj /CN=muricle -keyout cli.key "
	         "-out cli.csr && openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key "
	         "-CAcreateserial -days 2 -out cli.pem",
	         b.dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(extra, sizeof extra,
	         "allow_anonymous true\ncafile %1$s/ca.pem\ncertfile %1$s/srv.pem\n"
	         "keyfile %1$s/srv.key\nrequire_certificate true\n",
	         b.dir);
	broker_start(&b, extra);

	snprintf(extra, sizeof extra,
	         "tls = true\nca_file = %1$s/ca.pem\ncert_file = %1$s/cli.pem\n"
	         "key_file = %1$s/cli.key\n",
	         b.dir);
	daemon_start(&d, &b, "[bmp180 baro]\n", extra);
	ck_assert_msg(wait_connected(&d, true, 10), "no TLS connection");
	snprintf(auth, sizeof auth,
	         "-h localhost --cafile %1$s/ca.pem --cert %1$s/cli.pem --key %1$s/cli.key", b.dir);
	char *out = subscribe(&b, "test/pi/status", 1, 5, auth);
	ck_assert_str_eq(out, "test/pi/status online\n");
	free(out);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);

	/* The certificate names localhost, not 127.0.0.1: refused. */
	memset(&d, 0, sizeof d);
	broker_host = "127.0.0.1";
	daemon_start(&d, &b, "[bmp180 baro]\n", extra);
	broker_host = "localhost";
	ck_assert_msg(
	        wait_error(&d, "the broker's certificate is refused: IP address mismatch", 10),
	        "a certificate for another name was not refused");
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);

	/* A CA file that is not there: said at once, no connection tried. */
	memset(&d, 0, sizeof d);
	snprintf(extra, sizeof extra, "tls = true\nca_file = %s/missing.pem\n", b.dir);
	daemon_start(&d, &b, "[bmp180 baro]\n", extra);
	ck_assert(wait_error(&d, "TLS: cannot load the CA file", 5));
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	broker_free(&b);
}
END_TEST

/* A sensor taken out of the configuration leaves Home Assistant: its
 * discovery topics are cleared on reload. */
START_TEST(reload_clears_removed_sensors)
{
	struct broker b = { 0 };
	struct tu_daemon d = { 0 };
	char conf[512];

	broker_start(&b, NULL);
	daemon_start(&d, &b, "[bmp180 baro]\n[blinker led]\ngpio = GPIO17\n", NULL);
	ck_assert(wait_connected(&d, true, 10));
	char *out = subscribe(&b, "homeassistant/binary_sensor/+/led_led/config", 1, 5, NULL);
	ck_assert_ptr_nonnull(strstr(out, "led_led"));
	free(out);
	snprintf(conf, sizeof conf,
	         "[daemon]\nlisten = 127.0.0.1:%u\nmin_gap = 0\ninterval = 3600\nhistory = "
	         "0\n[bmp180 baro]\n"
	         "[mqtt]\nhost = localhost\nport = %u\nkeepalive = 5\ntopic_prefix = test/pi\n",
	         d.port, b.port);
	FILE *f = fopen(d.conf, "w");
	fputs(conf, f);
	fclose(f);
	kill(d.pid, SIGHUP);
	usleep(1000000);
	/* No retained message is left for it (-W ends the wait empty-handed). */
	out = subscribe(&b, "homeassistant/binary_sensor/+/led_led/config", 1, 2, NULL);
	ck_assert_msg(out[0] == '\0', "still announced: %s", out);
	free(out);
	out = subscribe(&b, "homeassistant/sensor/+/baro_pressure/config", 1, 5, NULL);
	ck_assert_ptr_nonnull(strstr(out, "baro_pressure"));
	free(out);
	ck_assert_int_eq(tu_daemon_stop(&d), 0);
	tu_daemon_free(&d);
	broker_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mqtt");
	TCase *tc = tcase_create("mqtt");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, discovery_and_state);
	tcase_add_test(tc, measure_button_and_last_will);
	tcase_add_test(tc, reconnects_after_the_broker_restarts);
	tcase_add_test(tc, a_broker_that_never_answers);
	tcase_add_test(tc, password_authentication);
	tcase_add_test(tc, reload_clears_removed_sensors);
	tcase_add_test(tc, tls_with_certificates);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
