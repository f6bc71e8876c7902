/*
 * The sensor framework. Every sensor implements sensor_ops; the framework
 * keeps its values, status, error count and timestamps, enforces a deadline
 * on each measurement and logs status changes (not every failure).
 */
#ifndef MURICLE_SENSOR_H
#define MURICLE_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "quantity.h"

struct event;
struct event_base;
struct sinks;

#define SENSOR_MAX_VALUES CONFIG_MAX_VALUES /* one limit, the configuration's calib[] too */
#define SENSOR_ERROR_MAX  160

enum sensor_status {
	SENSOR_PENDING, /* not measured yet */
	SENSOR_OK,
	SENSOR_ERROR, /* the last measurement failed: values are withheld */
	SENSOR_STALE, /* no good measurement for too long: values are old */
};

/* A value a driver offers: drivers list theirs in a table of these. */
struct value_spec {
	const char *name; /* in the API, the page and the configuration */
	enum quantity q;
	int decimals;       /* 0: the quantity's; a driver sets more when it resolves more */
	const char *metric; /* Prometheus name stem; NULL: the name */
	const char *
	        label; /* for people, "Resistance R₀ (clean-air reference)"; NULL: the quantity's */
};

#define SENSOR_WHY_MAX 96

struct sensor_value {
	const char *name;
	const char *label;
	const struct quantity_info *q;
	int decimals;
	const char *metric;
	bool valid;
	double v;        /* calibrated: raw * factor + offset */
	double raw;      /* as the driver measured it */
	bool calibrated; /* factor and offset come from the configuration */
	double factor, offset;
	char why[SENSOR_WHY_MAX]; /* why there is no value, when the sensor itself is fine */
};

struct sensor;

struct sensor_ops {
	const char *type;
	const char *note;  /* said on the page under every sensor of this kind, or NULL */
	const char *guide; /* the page the note links to (under /static), or NULL */
	/* Begin a measurement. Finish it, now or later on the loop, with
	 * sensor_done() or sensor_fail(). */
	void (*start)(struct sensor *s);
	/* Abandon the measurement in flight: no callback of it may run after. */
	void (*cancel)(struct sensor *s);
	void (*destroy)(struct sensor *s);
};

typedef void (*sensor_done_fn)(struct sensor *s, void *arg);

struct sensor {
	const struct sensor_ops *ops;
	char *name;
	void *priv;
	struct event_base *base;
	char where[200]; /* e.g. "0x77 on /dev/i2c-1", for logs */

	struct sensor_value values[SENSOR_MAX_VALUES];
	size_t nvalues;

	enum sensor_status status;
	char error[SENSOR_ERROR_MAX];
	char warning[SENSOR_ERROR_MAX]; /* a driver's advice on its configuration, or "" */
	uint64_t errors;                /* failed measurements since start */
	unsigned fails;                 /* failed measurements in a row */
	double last_ok;      /* wall clock (s since epoch) of the last good read, 0 never */
	double last_ok_mono; /* the same on the monotonic clock */

	struct sinks *sinks; /* told of every reading and change */

	/* In-flight measurement. */
	bool busy;
	struct event *deadline;
	sensor_done_fn done;
	void *done_arg;
};

/* For drivers. */
struct sensor *sensor_new(const struct sensor_ops *ops, const char *name, void *priv);
/* Add the values of a spec list (ended by a NULL name), in its order. */
void sensor_add_values(struct sensor *s, const struct value_spec *specs);
/* The index of a value by name; fatal if there is none (a driver's own list). */
size_t sensor_value_index(const struct sensor *s, const char *name);
/* Calibrate a value: from now on it is raw * factor + offset. */
void sensor_calibrate(struct sensor *s, size_t idx, double factor, double offset);
/* Set a value as measured (drivers, during or outside a measurement); it
 * is stored calibrated, so values derived from it must read it back. */
void sensor_set(struct sensor *s, size_t idx, double v);
/* sensor_set of the exact fixed-point result num / den (den > 0, |num| <
 * 2^52), rounded once, in integers, to the value's decimals (halves away
 * from zero), so that what is shown is the exact result's rounding. */
void sensor_set_fixed(struct sensor *s, size_t idx, int64_t num, int64_t den);
/* Withhold a value: no number, and this reason why, until it is set. */
void sensor_withhold(struct sensor *s, size_t idx, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* A value by name, or NULL. */
const struct sensor_value *sensor_value(const struct sensor *s, const char *name);
/* Finish the measurement in flight successfully. */
void sensor_done(struct sensor *s);
/* Finish it as failed; the text says what went wrong and what to do. */
void sensor_fail(struct sensor *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For the scheduler: run on base's loop and tell sinks (may be NULL) of
 * every reading and change. */
void sensor_attach(struct sensor *s, struct event_base *base, struct sinks *sinks);
/* Start a measurement that must finish within timeout seconds; done runs
 * on the loop when it finishes either way. */
void sensor_start(struct sensor *s, double timeout, sensor_done_fn done, void *arg);
/* Mark an ok sensor stale if its last good read is older than max_age. */
void sensor_check_stale(struct sensor *s, double now_mono, double max_age);
/* Stop what is in flight without a callback. */
void sensor_abort(struct sensor *s);
void sensor_free(struct sensor *s);

const char *sensor_status_name(enum sensor_status st);
/* The monotonic and wall clocks, in seconds. */
double sensor_now_mono(void);
double sensor_now_wall(void);

#endif
