/*
 * GET /metrics in Prometheus' text exposition format (version 0.0.4), from
 * the same state as the page, with no I/O. Each value is a gauge named after
 * it in base units (muricle_temperature_celsius, muricle_pressure_pascals,
 * muricle_humidity_ratio, muricle_resistance_ohms...), labelled by sensor;
 * a value with no good reading has no sample.
 */
#ifndef MURICLE_METRICS_H
#define MURICLE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct sink_ops;
struct render_view;

/* Measurement round durations, in seconds. */
#define METRICS_BUCKETS 10
struct histogram {
	uint64_t buckets[METRICS_BUCKETS]; /* observations <= the bound, not cumulative */
	uint64_t count;
	double sum;
};
void histogram_observe(struct histogram *hg, double v);
/* A sink that observes every finished round's duration (its arg: the histogram). */
extern const struct sink_ops histogram_sink;

/* Answers sent, by route ("other" for none), method and status. */
#define METRICS_MAX_COUNTERS 64
struct http_counter {
	const char *path, *method;
	unsigned code;
	uint64_t n;
};
struct http_counters {
	struct http_counter c[METRICS_MAX_COUNTERS];
	size_t n;
};
/* Count one answer; path and method must outlive the counters. */
void http_count(struct http_counters *hc, const char *path, const char *method, unsigned code);

struct metrics_view {
	const struct render_view *v;
	const struct histogram *durations;
	const struct http_counters *http;
	unsigned event_clients;
	double start_time;             /* wall clock */
	bool history_saved;            /* the last save of the history worked */
	const struct mqtt_stats *mqtt; /* NULL: MQTT is off */
};

/* GET /metrics in two parts: what depends on the sensors' state only (the
 * values, statuses, errors, the measurements' durations: rendered once per
 * change), then the rest (requests, streams, MQTT, start), per scrape. */
void render_metrics_state(struct buf *b, const struct render_view *v,
                          const struct histogram *durations);
void render_metrics(struct buf *b, const struct metrics_view *m);

/* The metric name of a value ("muricle_pressure_pascals") from its
 * quantity, and the factor from the unit shown to the base unit (100 for hPa). */
struct sensor_value;
void metrics_value_name(char *out, size_t outlen, const struct sensor_value *sv, double *scale);

#endif
