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

struct event;
struct event_base;

#define SENSOR_MAX_VALUES 8
#define SENSOR_ERROR_MAX  160

enum sensor_status {
	SENSOR_PENDING, /* not measured yet */
	SENSOR_OK,
	SENSOR_ERROR, /* the last measurement failed: values are withheld */
	SENSOR_STALE, /* no good measurement for too long: values are old */
};

struct sensor_value {
	const char *name;
	const char *unit; /* "" for none */
	int decimals;
	bool boolean; /* shown as on/off, true/false */
	bool valid;
	double v;
};

struct sensor;

struct sensor_ops {
	const char *type;
	/* Begin a measurement. Finish it, now or later on the loop, with
	 * sensor_done() or sensor_fail(). */
	void (*start)(struct sensor *s);
	/* Abandon the measurement in flight: no callback of it may run after. */
	void (*cancel)(struct sensor *s);
	void (*destroy)(struct sensor *s);
};

typedef void (*sensor_done_fn)(struct sensor *s, void *arg);

enum sensor_change {
	SENSOR_READ,    /* a measurement finished, well or not */
	SENSOR_CHANGED, /* a value or the status changed outside a measurement */
};
/* Told of every reading and change, for the history and live pages. */
typedef void (*sensor_observer_fn)(struct sensor *s, enum sensor_change what, void *arg);

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
	uint64_t errors;     /* failed measurements since start */
	unsigned fails;      /* failed measurements in a row */
	double last_ok;      /* wall clock (s since epoch) of the last good read, 0 never */
	double last_ok_mono; /* the same on the monotonic clock */

	sensor_observer_fn observer;
	void *observer_arg;

	/* In-flight measurement. */
	bool busy;
	struct event *deadline;
	sensor_done_fn done;
	void *done_arg;
};

/* For drivers. */
struct sensor *sensor_new(const struct sensor_ops *ops, const char *name, void *priv);
size_t sensor_add_value(struct sensor *s, const char *name, const char *unit, int decimals,
                        bool boolean);
/* Set a value (drivers, during or outside a measurement). */
void sensor_set(struct sensor *s, size_t idx, double v);
/* A value by name, or NULL. */
const struct sensor_value *sensor_value(const struct sensor *s, const char *name);
/* Finish the measurement in flight successfully. */
void sensor_done(struct sensor *s);
/* Finish it as failed; the text says what went wrong and what to do. */
void sensor_fail(struct sensor *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Watch a sensor's readings and changes (one observer per sensor). */
void sensor_observe(struct sensor *s, sensor_observer_fn fn, void *arg);

/* For the scheduler. */
void sensor_attach(struct sensor *s, struct event_base *base);
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
