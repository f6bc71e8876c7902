#include "sensor.h"

#include <event2/event.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sink.h"
#include "loop.h"
#include "wrap.h"
#include "xmalloc.h"

static const char *status_names[] = { "pending", "ok", "error", "stale" };

const char *sensor_status_name(enum sensor_status st)
{
	return status_names[st];
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double sensor_now_mono(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

double sensor_now_wall(void)
{
	return clock_s(CLOCK_REALTIME);
}

struct sensor *sensor_new(const struct sensor_ops *ops, const char *name, void *priv)
{
	struct sensor *s = xcalloc(1, sizeof *s);

	s->ops = ops;
	s->name = xstrdup(name);
	s->priv = priv;
	s->status = SENSOR_PENDING;
	return s;
}

void sensor_add_values(struct sensor *s, const struct value_spec *specs)
{
	for (; specs->name != NULL; specs++) {
		if (s->nvalues == SENSOR_MAX_VALUES)
			fatal("sensor %s: more than %d values", s->name, SENSOR_MAX_VALUES);
		struct sensor_value *v = &s->values[s->nvalues++];
		v->name = specs->name;
		v->q = quantity(specs->q);
		v->label = specs->label ? specs->label : v->q->label;
		v->decimals = specs->decimals ? specs->decimals : v->q->decimals;
		v->metric = specs->metric ? specs->metric : specs->name;
		v->factor = 1;
	}
}

size_t sensor_value_index(const struct sensor *s, const char *name)
{
	for (size_t i = 0; i < s->nvalues; i++)
		if (strcmp(s->values[i].name, name) == 0)
			return i;
	fatal("sensor %s has no value %s", s->name, name);
}

const struct sensor_value *sensor_value(const struct sensor *s, const char *name)
{
	for (size_t i = 0; i < s->nvalues; i++)
		if (strcmp(s->values[i].name, name) == 0)
			return &s->values[i];
	return NULL;
}

void sensor_calibrate(struct sensor *s, size_t idx, double factor, double offset)
{
	struct sensor_value *sv = &s->values[idx];

	sv->factor = factor;
	sv->offset = offset;
	sv->calibrated = factor != 1 || offset != 0;
}

void sensor_set(struct sensor *s, size_t idx, double raw)
{
	struct sensor_value *sv = &s->values[idx];
	double v = raw * sv->factor + sv->offset;
	bool changed = sv->valid != isfinite(v) || (isfinite(v) && sv->v != v);

	sv->raw = raw;
	sv->v = v;
	sv->valid = isfinite(v);
	sv->why[0] = '\0';
	/* During a measurement the reading tells of it when it ends. */
	if (changed && !s->busy)
		sinks_changed(s->sinks, s);
}

void sensor_withhold(struct sensor *s, size_t idx, const char *fmt, ...)
{
	struct sensor_value *sv = &s->values[idx];
	char why[SENSOR_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	bool changed = sv->valid || strcmp(why, sv->why) != 0;
	sv->valid = false;
	snprintf(sv->why, sizeof sv->why, "%s", why);
	if (changed && !s->busy)
		sinks_changed(s->sinks, s);
}

void sensor_set_fixed(struct sensor *s, size_t idx, int64_t num, int64_t den)
{
	int64_t scale = 1;

	for (int i = 0; i < s->values[idx].decimals && i < 6; i++)
		scale *= 10;
	sensor_set(s, idx, (double)round_div(num * scale, den) / (double)scale);
}

/* Log a change of status once, at the level it deserves. */
static void sensor_set_status(struct sensor *s, enum sensor_status st)
{
	enum sensor_status old = s->status;

	s->status = st;
	if (st == old)
		return;
	switch (st) {
	case SENSOR_OK:
		if (old == SENSOR_PENDING)
			log_info("sensor %s (%s, %s): ok", s->name, s->ops->type, s->where);
		else
			log_msg(LOG_NOTICE, "sensor %s: recovered after %s", s->name,
			        sensor_status_name(old));
		break;
	case SENSOR_ERROR:
		log_err("sensor %s (%s, %s): %s", s->name, s->ops->type, s->where, s->error);
		break;
	case SENSOR_STALE:
		log_warn("sensor %s: stale, no good reading for %.0f s", s->name,
		         sensor_now_mono() - s->last_ok_mono);
		break;
	case SENSOR_PENDING: break;
	}
}

/* End the in-flight measurement and tell the scheduler. */
static void sensor_finish(struct sensor *s)
{
	sensor_done_fn done = s->done;
	void *arg = s->done_arg;

	s->busy = false;
	s->done = NULL;
	if (s->deadline != NULL)
		evtimer_del(s->deadline);
	sinks_reading(s->sinks, s, sensor_now_wall());
	if (done != NULL)
		done(s, arg);
}

void sensor_done(struct sensor *s)
{
	s->last_ok = sensor_now_wall();
	s->last_ok_mono = sensor_now_mono();
	s->error[0] = '\0';
	s->fails = 0;
	sensor_set_status(s, SENSOR_OK);
	sensor_finish(s);
}

void sensor_fail(struct sensor *s, const char *fmt, ...)
{
	va_list ap;
	char text[SENSOR_ERROR_MAX];

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	s->errors++;
	s->fails++;
	for (size_t i = 0; i < s->nvalues; i++) {
		s->values[i].valid = false; /* a failed read never shows as a number */
		s->values[i].why[0] = '\0'; /* the sensor's error says why */
	}
	if (s->status == SENSOR_ERROR) {
		log_debug("sensor %s: still failing: %s", s->name, text);
		snprintf(s->error, sizeof s->error, "%s", text);
	} else {
		snprintf(s->error, sizeof s->error, "%s", text);
		sensor_set_status(s, SENSOR_ERROR);
	}
	sensor_finish(s);
}

/* A measurement ran past its deadline: abandon it and count a failure. */
static void sensor_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sensor *s = arg;

	(void)fd;
	(void)what;
	if (!s->busy)
		return;
	s->ops->cancel(s);
	sensor_fail(s, "no result within the timeout: the device or bus is not responding");
}

void sensor_attach(struct sensor *s, struct event_base *base, struct sinks *sinks)
{
	s->base = base;
	s->sinks = sinks;
	if (s->deadline == NULL)
		s->deadline = evtimer_new(base, sensor_deadline_cb, s);
}

void sensor_start(struct sensor *s, double timeout, sensor_done_fn done, void *arg)
{
	struct timeval tv = loop_timeval(timeout);

	s->busy = true;
	s->done = done;
	s->done_arg = arg;
	evtimer_add(s->deadline, &tv);
	s->ops->start(s);
}

void sensor_check_stale(struct sensor *s, double now_mono, double max_age)
{
	if (s->status == SENSOR_OK && now_mono - s->last_ok_mono > max_age) {
		sensor_set_status(s, SENSOR_STALE);
		sinks_changed(s->sinks, s);
	}
}

void sensor_abort(struct sensor *s)
{
	if (!s->busy)
		return;
	s->ops->cancel(s);
	s->busy = false;
	s->done = NULL;
	evtimer_del(s->deadline);
}

void sensor_free(struct sensor *s)
{
	if (s == NULL)
		return;
	sensor_abort(s);
	if (s->deadline != NULL)
		event_free(s->deadline);
	s->ops->destroy(s);
	free(s->name);
	free(s);
}
