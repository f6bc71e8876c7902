/*
 * The measurement scheduler. A round measures every sensor at once, so it
 * takes as long as the slowest one. A request that arrives while a round is
 * in flight joins it rather than starting another. Rounds also run every
 * `interval` seconds. A sensor whose reading failed is retried on its own
 * after 1, 2, 4... seconds (at most `interval`), so it recovers by itself
 * soon after its device answers again.
 */
#ifndef MURICLE_MEASURE_H
#define MURICLE_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sensor;
struct sinks;

struct measure_conf {
	double interval;      /* seconds between periodic rounds */
	double timeout;       /* per sensor */
	unsigned stale_after; /* intervals */
	double retry_min;     /* first retry of a failed sensor after this (s; 0: 1 s) */
	double min_gap;       /* s after a round during which requests get that round */
	struct sinks *sinks;  /* told of rounds, and by the sensors of readings (may be NULL) */
};

/* completed is false if the round was abandoned at shutdown. */
typedef void (*measure_fn)(void *arg, bool completed);

struct measure;

struct measure *measure_new(struct event_base *base, struct sensor **sensors, size_t n,
                            const struct measure_conf *conf);
/* Measure these sensors from now on, with conf (on reload). The round in
 * flight is abandoned; its waiters stay and get the next round's answer.
 * The counters (rounds, last time) go on. */
void measure_set_sensors(struct measure *m, struct sensor **sensors, size_t n,
                         const struct measure_conf *conf);
/* Start (or restart, with the current interval) periodic sampling, with a
 * first round now. */
void measure_start_sampling(struct measure *m);
/* Ask for a round and be told when it ends (fn may be NULL). Within
 * min_gap seconds of the end of the last round, none starts: fn hears of
 * that round at once (completed = true), so that no number of requests
 * keeps the sensors measuring (and self-heating) back to back; periodic
 * rounds are not held back. After measure_shutdown, fn hears completed =
 * false at once. */
void measure_request(struct measure *m, measure_fn fn, void *arg);
/* Tell the requests waiting for the round in flight that it is abandoned
 * (completed = false), as when the server they came through goes. */
void measure_drop_waiters(struct measure *m);
/* Abandon what is in flight and refuse new rounds; waiters hear
 * completed = false. */
void measure_shutdown(struct measure *m);
void measure_free(struct measure *m);

/* Rounds finished so far; the one in flight, if any, is this plus one. */
uint64_t measure_rounds(const struct measure *m);
bool measure_in_flight(const struct measure *m);
/* Wall-clock time (s since epoch) and duration (s) of the last finished round. */
double measure_last_time(const struct measure *m);
double measure_last_duration(const struct measure *m);

#endif
