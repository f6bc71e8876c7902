/* The sensor framework and scheduler: concurrency, coalescing, status
 * transitions, staleness; and the Blinker on the simulated GPIO chip. */
#include <check.h>
#include <math.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blinker.h"
#include "button.h"
#include "config.h"
#include "driver.h"
#include "gpio.h"
#include "loop.h"
#include "measure.h"
#include "sensor.h"
#include "sim.h"
#include "sink.h"
#include "testutil.h"

/* A scripted sensor: finishes after `delay` seconds, or fails, or never. */
struct fake {
	double delay; /* < 0: never finishes */
	bool fail;
	int starts, cancels;
	struct event *ev;
	size_t v;
};

static int started_total;

static void fake_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sensor *s = arg;
	struct fake *f = s->priv;

	(void)fd;
	(void)what;
	if (f->fail) {
		sensor_fail(s, "scripted failure");
	} else {
		sensor_set(s, f->v, 42.0);
		sensor_done(s);
	}
}

static void fake_start(struct sensor *s)
{
	struct fake *f = s->priv;

	f->starts++;
	started_total++;
	if (f->delay < 0)
		return;
	struct timeval tv = { 0, (suseconds_t)(f->delay * 1e6) };
	evtimer_add(f->ev, &tv);
}

static void fake_cancel(struct sensor *s)
{
	struct fake *f = s->priv;

	f->cancels++;
	evtimer_del(f->ev);
}

static void fake_destroy(struct sensor *s)
{
	struct fake *f = s->priv;

	event_free(f->ev);
	free(f);
}

static const struct sensor_ops fake_ops = { "fake",     NULL,        NULL,
	                                    fake_start, fake_cancel, fake_destroy };

static struct sensor *fake_new(struct event_base *base, const char *name, double delay)
{
	struct fake *f = calloc(1, sizeof *f);
	struct sensor *s = sensor_new(&fake_ops, name, f);

	f->delay = delay;
	f->ev = evtimer_new(base, fake_finish_cb, s);
	static const struct value_spec x[] = { { "x", Q_NUMBER, 1, NULL, NULL },
		                               { NULL, 0, 0, NULL, NULL } };

	sensor_add_values(s, x);
	f->v = 0;
	return s;
}

static struct fake *fk(struct sensor *s)
{
	return s->priv;
}

struct waits {
	int calls;
	bool completed;
	int started_at_call; /* started_total when the callback ran */
	bool flag;
};

static void wait_cb(void *arg, bool completed)
{
	struct waits *w = arg;

	w->calls++;
	w->completed = completed;
	w->started_at_call = started_total;
	w->flag = true;
}

static const struct measure_conf conf = { .interval = 3600, .timeout = 2, .stale_after = 3 };

START_TEST(all_sensors_start_together)
{
	struct event_base *base = tu_loop();
	struct sensor *s[3] = { fake_new(base, "a", 0.05), fake_new(base, "b", 0.15),
		                fake_new(base, "c", 0.01) };
	struct measure *m = measure_new(base, s, 3, &conf);
	struct waits w = { 0 };

	started_total = 0;
	measure_request(m, wait_cb, &w);
	/* Every sensor was started before any finished: the round runs them
	 * side by side, so it lasts as long as the slowest, not the sum. */
	ck_assert_int_eq(started_total, 3);
	ck_assert(measure_in_flight(m));
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(w.calls, 1);
	ck_assert(w.completed);
	ck_assert_uint_eq(measure_rounds(m), 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(s[i]->status, SENSOR_OK);
		ck_assert_double_eq(s[i]->values[0].v, 42.0);
	}
	/* The round ended when the slowest sensor did. */
	ck_assert_double_ge(measure_last_duration(m), 0.15);
	measure_free(m);
	for (int i = 0; i < 3; i++)
		sensor_free(s[i]);
	event_base_free(base);
}
END_TEST

START_TEST(requests_in_flight_join_the_round)
{
	struct event_base *base = tu_loop();
	struct sensor *s[2] = { fake_new(base, "a", 0.05), fake_new(base, "b", 0.1) };
	struct measure *m = measure_new(base, s, 2, &conf);
	struct waits w1 = { 0 }, w2 = { 0 }, w3 = { 0 };

	measure_request(m, wait_cb, &w1);
	measure_request(m, wait_cb, &w2);
	measure_request(m, NULL, NULL); /* a periodic tick joins too */
	ck_assert_int_eq(fk(s[0])->starts, 1);
	ck_assert(tu_run_until(base, &w2.flag, 5));
	ck_assert(w1.flag);
	ck_assert_int_eq(fk(s[0])->starts, 1);
	ck_assert_int_eq(fk(s[1])->starts, 1);
	ck_assert_uint_eq(measure_rounds(m), 1);
	/* After the round, a new request starts a new one. */
	measure_request(m, wait_cb, &w3);
	ck_assert(tu_run_until(base, &w3.flag, 5));
	ck_assert_int_eq(fk(s[0])->starts, 2);
	ck_assert_uint_eq(measure_rounds(m), 2);
	measure_free(m);
	sensor_free(s[0]);
	sensor_free(s[1]);
	event_base_free(base);
}
END_TEST

/* Requests within min_gap of a round get that round at once; after the
 * gap a request measures again; periodic rounds are not held back. */
START_TEST(min_gap_answers_with_the_last_round)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "a", 0.02) };
	struct measure_conf c = conf;
	c.min_gap = 0.3;
	struct measure *m = measure_new(base, s, 1, &c);
	struct waits w = { 0 };

	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	/* Four clients posting back to back for 1 s. */
	double start = sensor_now_mono();
	int answers = 0;
	while (sensor_now_mono() - start < 1.0) {
		struct waits x[4] = { 0 };
		for (int i = 0; i < 4; i++)
			measure_request(m, wait_cb, &x[i]);
		ck_assert(tu_run_until(base, &x[3].flag, 5));
		for (int i = 0; i < 4; i++) {
			ck_assert(x[i].completed);
			answers++;
		}
	}
	/* 1 s / (0.3 s gap + 0.02 s round): about 3 rounds more, not hundreds. */
	ck_assert_uint_ge(measure_rounds(m), 3);
	ck_assert_uint_le(measure_rounds(m), 6);
	ck_assert_int_gt(answers, 40);
	/* Inside the gap, the answer is immediate: no round starts. */
	struct waits y = { 0 };
	int starts = fk(s[0])->starts;
	uint64_t rounds = measure_rounds(m);
	if (!measure_in_flight(m)) {
		measure_request(m, wait_cb, &y);
		ck_assert_int_eq(y.calls, 1);
		ck_assert_int_eq(fk(s[0])->starts, starts);
		ck_assert_uint_eq(measure_rounds(m), rounds);
	}
	/* Periodic sampling measures within the gap. */
	c.interval = 0.05;
	measure_set_sensors(m, s, 1, &c);
	measure_start_sampling(m);
	tu_run_for(base, 0.3);
	ck_assert_uint_ge(measure_rounds(m), rounds + 3);
	measure_free(m);
	sensor_free(s[0]);
	event_base_free(base);
}
END_TEST

START_TEST(status_transitions)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "a", 0) };
	struct measure *m = measure_new(base, s, 1, &conf);
	struct waits w = { 0 };

	ck_assert_int_eq(s[0]->status, SENSOR_PENDING);
	ck_assert(!s[0]->values[0].valid);

	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	ck_assert(s[0]->values[0].valid);
	double first_ok = s[0]->last_ok_mono;

	fk(s[0])->fail = true;
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(s[0]->status, SENSOR_ERROR);
	ck_assert_str_eq(s[0]->error, "scripted failure");
	ck_assert_uint_eq(s[0]->errors, 1);
	ck_assert(!s[0]->values[0].valid); /* never a number after a failed read */
	ck_assert_double_eq(s[0]->last_ok_mono, first_ok);

	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_uint_eq(s[0]->errors, 2);

	fk(s[0])->fail = false;
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	ck_assert_str_eq(s[0]->error, "");
	ck_assert_uint_eq(s[0]->errors, 2); /* a count since start, not reset */
	ck_assert(s[0]->values[0].valid);

	/* No good read for longer than stale_after intervals: stale, values kept. */
	sensor_check_stale(s[0], s[0]->last_ok_mono + 10, 30);
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	sensor_check_stale(s[0], s[0]->last_ok_mono + 31, 30);
	ck_assert_int_eq(s[0]->status, SENSOR_STALE);
	ck_assert(s[0]->values[0].valid);

	measure_free(m);
	sensor_free(s[0]);
	event_base_free(base);
}
END_TEST

START_TEST(a_hung_sensor_times_out_alone)
{
	struct event_base *base = tu_loop();
	struct sensor *s[2] = { fake_new(base, "hung", -1), fake_new(base, "fine", 0.01) };
	struct measure_conf c = conf;
	struct waits w = { 0 };

	c.timeout = 0.2;
	struct measure *m = measure_new(base, s, 2, &c);
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(s[0]->status, SENSOR_ERROR);
	ck_assert_int_eq(fk(s[0])->cancels, 1);
	ck_assert_msg(strstr(s[0]->error, "not responding"), "%s", s[0]->error);
	ck_assert_int_eq(s[1]->status, SENSOR_OK);
	ck_assert(!s[0]->busy && !measure_in_flight(m));
	measure_free(m);
	sensor_free(s[0]);
	sensor_free(s[1]);
	event_base_free(base);
}
END_TEST

/* A failed sensor is retried alone with growing delays until it answers. */
START_TEST(failed_sensor_retries_with_backoff)
{
	struct event_base *base = tu_loop();
	struct sensor *s[2] = { fake_new(base, "flaky", 0), fake_new(base, "fine", 0) };
	struct measure_conf c = {
		.interval = 3600, .timeout = 1, .stale_after = 3, .retry_min = 0.05
	};
	struct measure *m = measure_new(base, s, 2, &c);
	struct waits w = { 0 };

	fk(s[0])->fail = true;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(s[0]->status, SENSOR_ERROR);
	/* Retries come at 0.05, 0.1 and 0.2 s after each failure: three
	 * within 0.5 s, not a fourth (which would be due at 0.75 s). */
	tu_run_for(base, 0.5);
	ck_assert_int_eq(fk(s[0])->starts, 4);
	ck_assert_uint_eq(s[0]->fails, 4);
	ck_assert_int_eq(fk(s[1])->starts, 1);   /* the healthy one is left alone */
	ck_assert_uint_eq(measure_rounds(m), 1); /* retries are not rounds */
	/* The device answers again: the next retry brings it back. */
	fk(s[0])->fail = false;
	tu_run_for(base, 0.6);
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	ck_assert_uint_eq(s[0]->fails, 0);
	int starts = fk(s[0])->starts;
	tu_run_for(base, 0.3);
	ck_assert_int_eq(fk(s[0])->starts, starts); /* and then stops retrying */
	measure_free(m);
	sensor_free(s[0]);
	sensor_free(s[1]);
	event_base_free(base);
}
END_TEST

/* A round that starts while a retry runs waits for that retry's result. */
START_TEST(round_joins_a_retry_in_flight)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "flaky", 0.2) };
	struct measure_conf c = {
		.interval = 3600, .timeout = 1, .stale_after = 3, .retry_min = 0.05
	};
	struct measure *m = measure_new(base, s, 1, &c);
	struct waits w = { 0 };

	fk(s[0])->fail = true;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	fk(s[0])->fail = false;
	tu_run_for(base, 0.1); /* the retry has started and runs for 0.2 s */
	ck_assert(s[0]->busy);
	ck_assert_int_eq(fk(s[0])->starts, 2);
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(fk(s[0])->starts, 2); /* not started twice */
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	ck_assert_uint_eq(measure_rounds(m), 2);
	measure_free(m);
	sensor_free(s[0]);
	event_base_free(base);
}
END_TEST

START_TEST(shutdown_answers_waiters)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "slow", 10) };
	struct measure *m = measure_new(base, s, 1, &conf);
	struct waits w = { 0 };

	measure_request(m, wait_cb, &w);
	measure_shutdown(m);
	ck_assert_int_eq(w.calls, 1);
	ck_assert(!w.completed);
	ck_assert_int_eq(fk(s[0])->cancels, 1);
	/* Once stopped, a request is refused at once and measures nothing. */
	measure_request(m, wait_cb, &w);
	ck_assert_int_eq(w.calls, 2);
	ck_assert(!w.completed);
	ck_assert_int_eq(fk(s[0])->starts, 1);
	measure_free(m);
	sensor_free(s[0]);
	event_base_free(base);
}
END_TEST

START_TEST(periodic_sampling_and_stale)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "a", 0) };
	struct measure_conf c = { .interval = 0.05, .timeout = 1, .stale_after = 2 };
	struct measure *m = measure_new(base, s, 1, &c);

	measure_start_sampling(m);
	tu_run_for(base, 0.3);
	ck_assert_uint_ge(measure_rounds(m), 3);
	ck_assert_int_eq(s[0]->status, SENSOR_OK);
	/* The sensor stops answering: after 2 intervals of silence it is stale. */
	fk(s[0])->delay = -1;
	fk(s[0])->starts = 0;
	tu_run_for(base, 0.4);
	ck_assert_int_eq(s[0]->status, SENSOR_STALE);
	measure_free(m);
	sensor_free(s[0]);
	event_base_free(base);
}
END_TEST

struct heard {
	int reads, changes, starts, ends;
};

static void hear_reading(void *arg, const struct sensor *s, double t)
{
	(void)s;
	ck_assert(t > 1e9); /* wall-clock time */
	((struct heard *)arg)->reads++;
}

static void hear_changed(void *arg, const struct sensor *s)
{
	(void)s;
	((struct heard *)arg)->changes++;
}

static void hear_round(void *arg, const struct measure *m, double duration)
{
	struct heard *h = arg;

	ck_assert_ptr_nonnull(m);
	if (duration < 0)
		h->starts++;
	else
		h->ends++;
}

static const struct sink_ops all_ears = { "test", hear_reading, hear_changed, hear_round };
static const struct sink_ops readings_only = { "test", hear_reading, NULL, NULL };

/* What the history and the event stream rely on: every finished reading,
 * good or failed, and every change outside one, once, to every sink. */
START_TEST(sinks_hear_readings_and_changes)
{
	struct event_base *base = tu_loop();
	struct sensor *s[1] = { fake_new(base, "a", 0.01) };
	struct sinks *sinks = sinks_new();
	struct heard h = { 0 }, second = { 0 };
	struct measure_conf c = { .interval = 0.1, .timeout = 1, .stale_after = 2, .sinks = sinks };

	sinks_add(sinks, &all_ears, &h);
	sinks_add(sinks, &readings_only, &second);
	struct measure *m = measure_new(base, s, 1, &c);
	struct waits w = { 0 };

	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(h.reads, 1);
	ck_assert_int_eq(h.changes, 0); /* the value set during the reading is part of it */
	ck_assert_int_eq(h.starts, 1);
	ck_assert_int_eq(h.ends, 1);
	sensor_set(s[0], fk(s[0])->v, 42.0);
	ck_assert_int_eq(h.changes, 0); /* the same value: nothing changed */
	sensor_set(s[0], fk(s[0])->v, 43.0);
	ck_assert_int_eq(h.changes, 1);
	fk(s[0])->fail = true;
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(h.reads, 2); /* a failed reading is a reading */
	/* Silent for longer than stale_after intervals: one change, to stale. */
	fk(s[0])->fail = false;
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	fk(s[0])->delay = -1;
	measure_start_sampling(m);
	tu_run_for(base, 0.45);
	ck_assert_int_eq(s[0]->status, SENSOR_STALE);
	ck_assert_int_eq(h.changes, 2);
	/* The second sink heard the same readings, and nothing else. */
	ck_assert_int_eq(second.reads, h.reads);
	ck_assert_int_eq(second.changes + second.starts + second.ends, 0);
	/* Taken off the list, it hears no more. */
	sinks_remove(sinks, &readings_only, &second);
	int before = second.reads;
	sensor_set(s[0], fk(s[0])->v, 44.0);
	fk(s[0])->delay = 0.01;
	w.flag = false;
	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_int_eq(second.reads, before);
	ck_assert_int_gt(h.reads, before);
	measure_free(m);
	sensor_free(s[0]);
	sinks_free(sinks);
	event_base_free(base);
}
END_TEST

/* On reload the scheduler stays: its counters go on, a request waiting for
 * the abandoned round gets the next one's answer, the new sensors measure. */
START_TEST(new_sensors_keep_the_counters)
{
	struct event_base *base = tu_loop();
	struct sensor *s[2] = { fake_new(base, "a", 0.01), fake_new(base, "b", 0.3) };
	struct measure *m = measure_new(base, s, 1, &conf);
	struct waits w = { 0 };

	measure_request(m, wait_cb, &w);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert_uint_eq(measure_rounds(m), 1);
	w.flag = false;
	measure_request(m, wait_cb, &w); /* in flight when the sensors change */
	measure_set_sensors(m, s + 1, 1, &conf);
	ck_assert_int_eq(fk(s[0])->cancels, 1);
	ck_assert(!w.flag);
	measure_start_sampling(m);
	ck_assert(tu_run_until(base, &w.flag, 5));
	ck_assert(w.completed);
	ck_assert_uint_eq(measure_rounds(m), 2);
	ck_assert_int_eq(s[1]->status, SENSOR_OK);
	measure_free(m);
	sensor_free(s[0]);
	sensor_free(s[1]);
	event_base_free(base);
}
END_TEST

/* A GPIO sensor from a configuration section, through its driver. */
static struct sensor *gpio_sensor(struct event_base *base, struct gpio *gpio, const char *text,
                                  void (*measure)(void *ctx))
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	ck_assert_msg(config_parse(&cfg, "t", text, &e) == 0, "%s", e.data);
	buf_free(&e);
	struct driver_env env = { .base = base, .gpio = gpio, .measure = measure };
	struct sensor *s = cfg.sensors[0].driver->create(&cfg.sensors[0], &env);
	sensor_attach(s, base, NULL);
	return s; /* cppcheck-suppress returnDanglingLifetime ; drivers keep no pointer to env */
}

/* The Blinker on the simulated chip: the level a probe on the pin sees. */
static void blinker_rig(struct event_base **base, struct sim **sim, struct gpio **gpio,
                        struct sensor **s, bool active_low, double blink)
{
	char text[128];

	snprintf(text, sizeof text, "[blinker led]\ngpio = GPIO17\nactive_low = %d\nblink = %g\n",
	         active_low, blink);
	*base = tu_loop();
	*sim = sim_new(*base, 0, NULL);
	*gpio = sim_gpio(*sim);
	*s = gpio_sensor(*base, *gpio, text, NULL);
}

static void noop_done(struct sensor *s, void *arg)
{
	(void)s;
	(void)arg;
}

START_TEST(blinker_lights_then_goes_dark)
{
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct sensor *s;
	bool active_low = _i;
	int lit = active_low ? 0 : 1;

	blinker_rig(&base, &sim, &gpio, &s, active_low, 0.5);
	sensor_start(s, 1, noop_done, NULL);
	ck_assert_int_eq(s->status, SENSOR_OK);
	ck_assert_int_eq(sim_gpio_level(sim, 17), lit);
	ck_assert(s->values[0].valid && s->values[0].v == 1);
	tu_run_for(base, 0.3);
	/* A new measurement while lit restarts the time. */
	sensor_start(s, 1, noop_done, NULL);
	tu_run_for(base, 0.3);
	ck_assert_int_eq(sim_gpio_level(sim, 17), lit); /* 0.6 s after the first start */
	tu_run_for(base, 0.4);
	ck_assert_int_eq(sim_gpio_level(sim, 17), !lit);
	ck_assert(s->values[0].valid && s->values[0].v == 0);
	sensor_free(s);
	gpio_free(gpio);
	sim_free(sim);
	event_base_free(base);
}
END_TEST

extern const struct driver blinker_driver;

/* blink >= interval: the LED would never go dark, and the driver says so. */
START_TEST(blinker_advice)
{
	static struct config cfg;
	struct buf e;
	char w[SENSOR_ERROR_MAX];

	buf_init(&e);
	ck_assert_int_eq(config_parse(&cfg, "t",
	                              "[daemon]\ninterval = 5\n[blinker led]\n"
	                              "gpio = GPIO17\nblink = 5\n",
	                              &e),
	                 0);
	w[0] = '\0';
	blinker_driver.advise(&cfg.sensors[0], &cfg, w, sizeof w);
	ck_assert_str_eq(w, "blink (5 s) is not shorter than interval (5 s), so the LED never goes "
	                    "dark between measurements: make blink shorter");
	ck_assert_int_eq(config_parse(&cfg, "t",
	                              "[daemon]\ninterval = 5\n[blinker led]\n"
	                              "gpio = GPIO17\nblink = 4.5\n",
	                              &e),
	                 0);
	w[0] = '\0';
	blinker_driver.advise(&cfg.sensors[0], &cfg, w, sizeof w);
	ck_assert_str_eq(w, "");
	buf_free(&e);
}
END_TEST

START_TEST(blinker_line_missing)
{
	struct event_base *base = tu_loop();
	struct sim *sim = sim_new(base, 0, NULL);
	struct gpio *gpio = sim_gpio(sim);
	struct sensor *s = gpio_sensor(base, gpio, "[blinker led]\ngpio = GPIO99\n", NULL);
	sensor_start(s, 1, noop_done, NULL);
	ck_assert_int_eq(s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(s->error, "no GPIO line 'GPIO99'"), "%s", s->error);
	ck_assert(!s->values[0].valid);
	sensor_free(s);
	gpio_free(gpio);
	sim_free(sim);
	event_base_free(base);
}
END_TEST

START_TEST(gpio_inputs_and_busy_lines)
{
	struct event_base *base = tu_loop();
	struct sim *sim = sim_new(base, 0, NULL);
	struct gpio *gpio = sim_gpio(sim);
	char err[160];
	struct gpio_request in = {
		.chip = "gpiochip0", .line = "27", .dir = GPIO_INPUT, .active_low = true
	};
	struct gpio_line *l = gpio_request(gpio, &in, err, sizeof err);

	ck_assert_ptr_nonnull(l);
	sim_gpio_drive(sim, 27, 0); /* a button to ground, active low: pressed */
	ck_assert_int_eq(gpio_get(l), 1);
	sim_gpio_drive(sim, 27, 1);
	ck_assert_int_eq(gpio_get(l), 0);
	ck_assert_int_lt(gpio_set(l, 1), 0); /* inputs cannot be driven */
	struct gpio_request again = { .line = "GPIO27", .dir = GPIO_OUTPUT };
	ck_assert_ptr_null(gpio_request(gpio, &again, err, sizeof err));
	ck_assert_msg(strstr(err, "already in use"), "%s", err);
	gpio_release(l);
	gpio_free(gpio);
	sim_free(sim);
	event_base_free(base);
}
END_TEST

static int presses_seen;

static void on_press(void *arg)
{
	(void)arg;
	presses_seen++;
}

static struct sensor *button_rig(struct event_base **base, struct sim **sim, struct gpio **gpio,
                                 int action)
{
	char text[128];

	snprintf(text, sizeof text, "[button b]\ngpio = GPIO27\naction = %s\n",
	         action == BUTTON_MEASURE ? "measure" : "none");
	*base = tu_loop();
	*sim = sim_new(*base, 0, NULL);
	*gpio = sim_gpio(*sim);
	struct sensor *s = gpio_sensor(*base, *gpio, text, on_press);
	presses_seen = 0;
	return s;
}

START_TEST(button_presses_are_debounced)
{
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct sensor *s = button_rig(&base, &sim, &gpio, BUTTON_MEASURE);

	/* The first measurement requests the line: pulled up, not pressed. */
	sensor_start(s, 1, noop_done, NULL);
	ck_assert_int_eq(s->status, SENSOR_OK);
	ck_assert_int_eq(sim_gpio_level(sim, 27), 1);
	ck_assert(s->values[0].valid && s->values[0].v == 0);
	ck_assert(!s->values[2].valid); /* no last press yet, and why */
	ck_assert_str_eq(s->values[2].why, "not pressed since muricle started");
	double before = floor(sensor_now_wall());

	/* A bouncing press: five edges within the 20 ms debounce, one press. */
	for (int i = 0; i < 5; i++) {
		sim_gpio_drive(sim, 27, i % 2);
		tu_run_for(base, 0.002);
	}
	sim_gpio_drive(sim, 27, 0); /* to ground: pressed (active low) */
	tu_run_for(base, 0.1);
	ck_assert_int_eq(presses_seen, 1);
	ck_assert(s->values[0].v == 1);
	ck_assert(s->values[1].valid && s->values[1].v == 1);
	ck_assert(s->values[2].valid && s->values[2].v >= before &&
	          s->values[2].v <= sensor_now_wall());
	ck_assert_str_eq(s->values[2].why, "");

	/* A glitch shorter than the debounce time is no press at all. */
	sim_gpio_drive(sim, 27, 1);
	tu_run_for(base, 0.1);
	ck_assert(s->values[0].v == 0);
	sim_gpio_drive(sim, 27, 0);
	tu_run_for(base, 0.005);
	sim_gpio_drive(sim, 27, 1);
	tu_run_for(base, 0.1);
	ck_assert_int_eq(presses_seen, 1);

	sim_gpio_drive(sim, 27, 0);
	tu_run_for(base, 0.1);
	ck_assert_int_eq(presses_seen, 2);
	ck_assert(s->values[1].v == 2);
	sensor_free(s);
	gpio_free(gpio);
	sim_free(sim);
	event_base_free(base);
}
END_TEST

START_TEST(button_without_action)
{
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct sensor *s = button_rig(&base, &sim, &gpio, BUTTON_NONE);

	sensor_start(s, 1, noop_done, NULL);
	sim_gpio_drive(sim, 27, 0);
	tu_run_for(base, 0.1);
	ck_assert_int_eq(presses_seen, 0); /* counted, but triggers nothing */
	ck_assert(s->values[1].v == 1);
	sensor_free(s);
	gpio_free(gpio);
	sim_free(sim);
	event_base_free(base);
}
END_TEST

START_TEST(button_config_errors)
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	ck_assert_int_eq(config_parse(&cfg, "t", "[button b]\ngpio = GPIO5\nbias = up\n", &e), -1);
	ck_assert_msg(strstr(e.data, "t:3: 'bias' must be one of as_is, disable, pull_up, "
	                             "pull_down, not 'up'"),
	              "%s", e.data);
	buf_reset(&e);
	ck_assert_int_eq(config_parse(&cfg, "t", "[button b]\ngpio = GPIO5\naction = reboot\n", &e),
	                 -1);
	ck_assert_msg(strstr(e.data, "t:3: 'action' must be one of none, measure, not 'reboot'"),
	              "%s", e.data);
	buf_reset(&e);
	ck_assert_int_eq(config_parse(&cfg, "t",
	                              "[button b]\ngpio = GPIO5\n[blinker l]\ngpio = GPIO5\n", &e),
	                 -1);
	ck_assert_msg(strstr(e.data, "t:3: 'b' and 'l' both use GPIO line GPIO5"), "%s", e.data);
	buf_reset(&e);
	ck_assert_int_eq(config_parse(&cfg, "t", "[button b]\n", &e), -1);
	ck_assert_msg(strstr(e.data, "t:1: [button b] needs 'gpio'"), "%s", e.data);
	buf_reset(&e);
	ck_assert_int_eq(config_parse(&cfg, "t", "[button b]\ngpio = GPIO5\n", &e), 0);
	const struct button_conf *bc = config_driver_conf(&cfg.sensors[0], struct button_conf);
	ck_assert(bc->gpio.active_low);
	ck_assert_int_eq(bc->bias, GPIO_BIAS_PULL_UP);
	ck_assert_double_eq(bc->debounce, 0.02);
	ck_assert_int_eq(bc->action, BUTTON_MEASURE);
	buf_free(&e);
}
END_TEST

static char order[8];
static struct event *next_step;

/* Note that an event ran; the first step makes the next one ready. */
static void note_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	strncat(order, arg, sizeof order - strlen(order) - 1);
	if (strcmp(arg, "s") == 0)
		event_active(next_step, EV_TIMEOUT, 1);
}

/* A chain of hardware steps (a transfer done, the next one started) runs
 * to its end before HTTP work that was ready before it (see loop.h). */
START_TEST(hardware_events_run_before_http)
{
	struct event_base *base = tu_loop();
	struct event *http = event_new(base, -1, 0, note_cb, "h");
	struct event *step = event_new(base, -1, 0, note_cb, "s");

	next_step = event_new(base, -1, 0, note_cb, "t");
	ck_assert_int_eq(event_base_get_npriorities(base), LOOP_PRIORITIES);
	ck_assert_int_eq(event_get_priority(step), LOOP_PRIO_DEFAULT);
	event_priority_set(http, LOOP_PRIO_HTTP);
	order[0] = '\0';
	event_active(http, EV_TIMEOUT, 1); /* ready first */
	event_active(step, EV_TIMEOUT, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ck_assert_str_eq(order, "sth");
	event_free(http);
	event_free(step);
	event_free(next_step);
	event_base_free(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("measure");
	TCase *tc = tcase_create("measure");

	tcase_add_test(tc, hardware_events_run_before_http);
	tcase_add_test(tc, all_sensors_start_together);
	tcase_add_test(tc, requests_in_flight_join_the_round);
	tcase_add_test(tc, min_gap_answers_with_the_last_round);
	tcase_add_test(tc, status_transitions);
	tcase_add_test(tc, a_hung_sensor_times_out_alone);
	tcase_add_test(tc, failed_sensor_retries_with_backoff);
	tcase_add_test(tc, round_joins_a_retry_in_flight);
	tcase_add_test(tc, shutdown_answers_waiters);
	tcase_add_test(tc, periodic_sampling_and_stale);
	tcase_add_test(tc, sinks_hear_readings_and_changes);
	tcase_add_test(tc, new_sensors_keep_the_counters);
	tcase_add_loop_test(tc, blinker_lights_then_goes_dark, 0, 2);
	tcase_add_test(tc, blinker_line_missing);
	tcase_add_test(tc, blinker_advice);
	tcase_add_test(tc, gpio_inputs_and_busy_lines);
	tcase_add_test(tc, button_presses_are_debounced);
	tcase_add_test(tc, button_without_action);
	tcase_add_test(tc, button_config_errors);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
