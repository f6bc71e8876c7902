#include "measure.h"

#include <event2/event.h>
#include <math.h>
#include <stdlib.h>

#include "log.h"
#include "loop.h"
#include "sensor.h"
#include "sink.h"
#include "xmalloc.h"

struct waiter {
	measure_fn fn;
	void *arg;
	struct waiter *next;
};

/* One sensor as the scheduler sees it. */
struct slot {
	struct measure *m;
	struct sensor *s;
	bool in_round;       /* the round in flight waits for it */
	struct event *retry; /* after a failure: try again alone, sooner than the next round */
};

struct measure {
	struct event_base *base;
	struct slot *slots;
	size_t n;
	struct measure_conf conf;
	struct event *tick;

	bool stopped; /* after measure_shutdown: no more rounds */
	bool in_flight;
	size_t pending; /* sensors still measuring in this round */
	double started_mono, ended_mono;
	struct waiter *waiters;

	uint64_t rounds;
	double last_time, last_duration;
};

static void measure_retry_cb(evutil_socket_t fd, short what, void *arg);

/* Give the scheduler its sensors: a slot each, attached to the loop. */
static void measure_slots(struct measure *m, struct sensor **sensors, size_t n)
{
	m->n = n;
	m->slots = xcalloc(n, sizeof *m->slots);
	for (size_t i = 0; i < n; i++) {
		m->slots[i].m = m;
		m->slots[i].s = sensors[i];
		m->slots[i].retry = evtimer_new(m->base, measure_retry_cb, &m->slots[i]);
		sensor_attach(sensors[i], m->base, m->conf.sinks);
	}
}

static void measure_set_conf(struct measure *m, const struct measure_conf *conf)
{
	m->conf = *conf;
	if (m->conf.retry_min <= 0)
		m->conf.retry_min = 1;
}

struct measure *measure_new(struct event_base *base, struct sensor **sensors, size_t n,
                            const struct measure_conf *conf)
{
	struct measure *m = xcalloc(1, sizeof *m);

	m->base = base;
	measure_set_conf(m, conf);
	measure_slots(m, sensors, n);
	return m;
}

/* Stop every sensor's measurement and retry; the round in flight is over. */
static void measure_abandon(struct measure *m)
{
	for (size_t i = 0; i < m->n; i++) {
		evtimer_del(m->slots[i].retry);
		m->slots[i].in_round = false;
		sensor_abort(m->slots[i].s);
	}
	m->in_flight = false;
}

static void measure_free_slots(struct measure *m)
{
	for (size_t i = 0; i < m->n; i++)
		event_free(m->slots[i].retry);
	free(m->slots);
	m->slots = NULL;
	m->n = 0;
}

/* Tell everyone who waited for this round, then forget them. */
static void measure_notify(struct measure *m, bool completed)
{
	struct waiter *w = m->waiters;

	/* Detach first: a callback may ask for the next round. */
	m->waiters = NULL;
	while (w != NULL) {
		struct waiter *next = w->next;
		w->fn(w->arg, completed);
		free(w);
		w = next;
	}
}

static void measure_round_end(struct measure *m)
{
	m->in_flight = false;
	m->rounds++;
	m->last_time = sensor_now_wall();
	m->ended_mono = sensor_now_mono();
	m->last_duration = m->ended_mono - m->started_mono;
	log_debug("measurement %llu took %.1f ms", (unsigned long long)m->rounds,
	          m->last_duration * 1e3);
	sinks_round(m->conf.sinks, m, m->last_duration);
	measure_notify(m, true);
}

/* Backoff after consecutive failures: retry_min, doubling, at most interval. */
static double measure_backoff(const struct measure *m, unsigned fails)
{
	double d = m->conf.retry_min * pow(2, fails > 0 ? fails - 1 : 0);

	return d < m->conf.interval ? d : m->conf.interval;
}

/* A sensor finished, in a round or in a retry of its own. */
static void measure_sensor_done(struct sensor *s, void *arg)
{
	struct slot *sl = arg;
	struct measure *m = sl->m;

	if (s->status == SENSOR_ERROR && !m->stopped) {
		struct timeval tv = loop_timeval(measure_backoff(m, s->fails));
		evtimer_add(sl->retry, &tv);
	}
	if (sl->in_round) {
		sl->in_round = false;
		if (--m->pending == 0)
			measure_round_end(m);
	}
}

static void measure_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct slot *sl = arg;

	(void)fd;
	(void)what;
	if (sl->s->busy)
		return; /* a round is measuring it already */
	log_debug("sensor %s: retrying after %u failures", sl->s->name, sl->s->fails);
	sensor_start(sl->s, sl->m->conf.timeout, measure_sensor_done, sl);
}

static void measure_round_start(struct measure *m)
{
	m->in_flight = true;
	m->started_mono = sensor_now_mono();
	sinks_round(m->conf.sinks, m, -1);
	/* Hold one count across the loop: a sensor may finish synchronously. */
	m->pending = 1;
	for (size_t i = 0; i < m->n; i++) {
		struct slot *sl = &m->slots[i];
		sl->in_round = true;
		m->pending++;
		evtimer_del(sl->retry);
		/* A sensor busy with a retry joins the round when that finishes. */
		if (!sl->s->busy)
			sensor_start(sl->s, m->conf.timeout, measure_sensor_done, sl);
	}
	if (--m->pending == 0)
		measure_round_end(m);
}

/* A round now, or join the one in flight (periodic, and on request). */
static void measure_round(struct measure *m)
{
	if (m->in_flight)
		log_debug("measure request joins measurement %llu",
		          (unsigned long long)m->rounds + 1);
	else
		measure_round_start(m);
}

void measure_request(struct measure *m, measure_fn fn, void *arg)
{
	if (m->stopped) {
		if (fn != NULL)
			fn(arg, false);
		return;
	}
	if (!m->in_flight && m->rounds > 0 && sensor_now_mono() - m->ended_mono < m->conf.min_gap) {
		log_debug("measure request within %.1f s of measurement %llu: answered with it",
		          m->conf.min_gap, (unsigned long long)m->rounds);
		if (fn != NULL)
			fn(arg, true);
		return;
	}
	if (fn != NULL) {
		struct waiter *w = xcalloc(1, sizeof *w);
		w->fn = fn;
		w->arg = arg;
		w->next = m->waiters;
		m->waiters = w;
	}
	measure_round(m);
}

/* Periodic sampling: mark stale sensors, then measure. */
static void measure_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct measure *m = arg;
	double now = sensor_now_mono();

	(void)fd;
	(void)what;
	for (size_t i = 0; i < m->n; i++)
		sensor_check_stale(m->slots[i].s, now, m->conf.interval * m->conf.stale_after);
	if (!m->stopped)
		measure_round(m);
}

void measure_start_sampling(struct measure *m)
{
	struct timeval tv = loop_timeval(m->conf.interval);

	if (m->tick == NULL)
		m->tick = event_new(m->base, -1, EV_PERSIST, measure_tick_cb, m);
	event_add(m->tick, &tv);
	if (!m->stopped)
		measure_round(m);
}

void measure_set_sensors(struct measure *m, struct sensor **sensors, size_t n,
                         const struct measure_conf *conf)
{
	measure_abandon(m);
	measure_free_slots(m);
	measure_set_conf(m, conf);
	measure_slots(m, sensors, n);
}

void measure_drop_waiters(struct measure *m)
{
	measure_notify(m, false);
}

void measure_shutdown(struct measure *m)
{
	m->stopped = true;
	if (m->tick != NULL)
		event_del(m->tick);
	measure_abandon(m);
	measure_notify(m, false);
}

void measure_free(struct measure *m)
{
	if (m == NULL)
		return;
	measure_shutdown(m);
	if (m->tick != NULL)
		event_free(m->tick);
	measure_free_slots(m);
	free(m);
}

uint64_t measure_rounds(const struct measure *m)
{
	return m->rounds;
}

bool measure_in_flight(const struct measure *m)
{
	return m->in_flight;
}

double measure_last_time(const struct measure *m)
{
	return m->last_time;
}

double measure_last_duration(const struct measure *m)
{
	return m->last_duration;
}
