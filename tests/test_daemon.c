/* The seams, as a new kind of sensor and a new output would use them: a
 * driver and a sink that exist only in this file run in the real daemon
 * (in process, on simulated hardware) without a line of daemon.c knowing
 * them. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "driver.h"
#include "measure.h"
#include "sensor.h"
#include "sink.h"
#include "testutil.h"
#include "xmalloc.h"

/* The fake kind: [fake NAME] with a `level`, measured at once. */
struct fake_conf {
	double level;
};

static void fake_start(struct sensor *s)
{
	sensor_set(s, 0, *(double *)s->priv);
	sensor_done(s);
}

static void fake_nop(struct sensor *s)
{
	(void)s;
}

static void fake_destroy(struct sensor *s)
{
	free(s->priv);
}

static const struct sensor_ops fake_ops = {
	"fake", NULL, NULL, fake_start, fake_nop, fake_destroy
};

static struct sensor *fake_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	double *level = xcalloc(1, sizeof *level);

	(void)env;
	*level = config_driver_conf(sc, struct fake_conf)->level;
	return driver_sensor_new(sc, &fake_ops, level);
}

static const struct conf_key fake_keys[] = {
	CONF_KEY_NUM(struct fake_conf, level, "level", 0, 100, "7", "what the fake reads"),
	CONF_KEY_END,
};

static const struct value_spec fake_values[] = {
	{ "level", Q_NUMBER, 1, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct driver fake_driver = {
	.kind = "fake",
	.summary = "A sensor that exists only in the tests.",
	.wiring = DRIVER_OTHER,
	.keys = fake_keys,
	.conf_size = sizeof(struct fake_conf),
	.values = fake_values,
	.create = fake_create,
};

/* The second sink: what a display or an MQTT client would hear. */
struct heard {
	int readings, rounds;
	double last;
	char sensor[32];
};

static void heard_reading(void *arg, const struct sensor *s, double t)
{
	struct heard *h = arg;

	(void)t;
	if (strcmp(s->ops->type, "fake") != 0)
		return;
	h->readings++;
	h->last = s->values[0].valid ? s->values[0].v : -1;
	snprintf(h->sensor, sizeof h->sensor, "%s", s->name);
}

static void heard_round(void *arg, const struct measure *m, double duration)
{
	(void)m;
	if (duration >= 0)
		((struct heard *)arg)->rounds++;
}

static const struct sink_ops heard_sink = { "test", heard_reading, NULL, heard_round };

static void *run(void *arg)
{
	daemon_run(arg);
	return NULL;
}

START_TEST(a_new_kind_and_a_new_sink)
{
	const struct driver *kinds[16];
	size_t n = 0;
	static struct config cfg;
	struct buf e;
	char text[256], err[256];
	unsigned port = tu_free_port();

	for (const struct driver *const *d = drivers; *d != NULL; d++)
		kinds[n++] = *d;
	kinds[n++] = &fake_driver; /* the one line a new kind adds to the table */
	kinds[n] = NULL;
	snprintf(text, sizeof text,
	         "[daemon]\nlisten = 127.0.0.1:%u\nmin_gap = 0\nhistory = 0\ninterval = 3600\n"
	         "[fake gauge]\nlevel = 42\nlevel.offset = 1.5\n[blinker led]\ngpio = GPIO17\n",
	         port);
	buf_init(&e);
	ck_assert_msg(config_parse_with(&cfg, "t", text, &e, kinds) == 0, "%s", e.data);
	buf_free(&e);

	struct daemon *d = daemon_new(&cfg, NULL, "t", true, err, sizeof err);
	ck_assert_msg(d != NULL, "%s", err);
	struct heard h = { 0 };
	sinks_add(daemon_sinks(d), &heard_sink, &h);
	pthread_t thread;
	ck_assert_int_eq(pthread_create(&thread, NULL, run, d), 0);

	struct tu_resp r;
	bool ok = false;
	for (int i = 0; i < 100 && !ok; i++) {
		usleep(50000);
		if (tu_request(port, "GET", "/api/v1/sensors", &r) != 0)
			continue;
		ok = strstr(r.body, "\"name\":\"gauge\",\"type\":\"fake\"") != NULL &&
		     strstr(r.body, "\"level\":{\"value\":43.5,\"text\":\"43.5\"") != NULL;
		if (ok)
			ck_assert_msg(strstr(r.body, "\"calibrated\":true,\"raw\":42.000"), "%s",
			              r.body);
		tu_resp_free(&r);
	}
	ck_assert_msg(ok, "the fake sensor's reading never showed");
	ck_assert_int_eq(tu_request(port, "POST", "/api/v1/measure", &r), 0);
	ck_assert_int_eq(r.status, 200);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(port, "GET", "/metrics", &r), 0);
	ck_assert_msg(strstr(r.body, "\nmuricle_level{sensor=\"gauge\"} 43.5\n"), "%s", r.body);
	tu_resp_free(&r);
	ck_assert_int_eq(tu_request(port, "GET", "/", &r), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "data-sensor=\"gauge\""));
	ck_assert_ptr_nonnull(strstr(r.body, "43.5"));
	tu_resp_free(&r);

	kill(getpid(), SIGTERM);
	pthread_join(thread, NULL);
	daemon_free(d);
	/* The sink heard both rounds' readings of the new kind, calibrated. */
	ck_assert_int_ge(h.readings, 2);
	ck_assert_int_ge(h.rounds, 2);
	ck_assert_str_eq(h.sensor, "gauge");
	ck_assert_double_eq(h.last, 43.5);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_new_kind_and_a_new_sink);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
