/*
 * The history: a ring of readings per value, so charts do not start empty.
 * Each ring holds `span / interval` points of 8 bytes (time in whole
 * seconds, value as a float; a failed reading is NaN and shows as a gap).
 * A reading that comes less than interval / 4 after the newest point
 * replaces it, so pressing MEASURE often does not push older hours out.
 * On/off values have no history.
 *
 * Pure logic: no I/O. history_encode/history_decode turn it into the bytes
 * of the history file and back (see archive.h for the file itself).
 */
#ifndef MURICLE_HISTORY_H
#define MURICLE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct sensor;
struct sink_ops;

struct history_point {
	uint32_t t; /* wall clock, s since the epoch */
	float v;    /* NaN: the reading failed */
};

struct history_series {
	char *sensor, *value;
	struct history_point *points; /* a ring of cap points */
	size_t cap, len, head;        /* head: where the next point goes */
};

struct history {
	struct history_series *series;
	size_t n;
	double interval;     /* s between periodic readings */
	size_t cap;          /* points per series */
	bool dirty;          /* changed since the last encoding started */
	unsigned generation; /* bumped when the set of series changes */
};

/* span and interval in seconds; span 0 keeps nothing. */
struct history *history_new(double span, double interval);
void history_free(struct history *h);
/* Make the series match these sensors' values: keep those that still exist
 * (resized to the new span and interval, newest points kept), add the new
 * ones, drop the rest. Returns how many series were dropped. */
size_t history_sync(struct history *h, struct sensor *const *sensors, size_t n, double span,
                    double interval);
/* Record a finished reading of s at wall-clock time t. */
void history_record(struct history *h, const struct sensor *s, double t);
/* The history as a sink of readings (its arg: the struct history). */
extern const struct sink_ops history_sink;
/* A series by names, or NULL. */
const struct history_series *history_find(const struct history *h, const char *sensor,
                                          const char *value);
/* The i-th point of a series, oldest first (i < len). */
struct history_point history_get(const struct history_series *se, size_t i);
/* Bytes of point storage, for the docs and the log. */
size_t history_memory(const struct history *h);

/* The history file's bytes: magic, version, series, CRC-32 of it all. */
void history_encode(struct history *h, struct buf *out);
/* The same in steps of one series each, so that a large history (16
 * series of 100,000 points is 13 MB) never holds the loop for long; each
 * series is written as it is at its step. */
struct history_encoder;
struct history_encoder *history_encoder_new(struct history *h, struct buf *out);
/* Encode the next series: 1 when the file is complete, 0 when more steps
 * are due, -1 when the set of series changed meanwhile (a reload): out is
 * then useless, and h stays dirty. */
int history_encoder_step(struct history_encoder *e);
void history_encoder_free(struct history_encoder *e);
/* Add the points of a history file to h's matching series (series h does
 * not have are skipped). Returns the points taken, or -1 with the reason in
 * err when the bytes are not an intact history file. */
long history_decode(struct history *h, const char *data, size_t len, char *err, size_t errlen);

#endif
