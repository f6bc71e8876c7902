/*
 * Sinks: where readings go. The sensors and the scheduler tell one list of
 * sinks of every finished reading, every change outside one, and every
 * measurement round. The history, the event streams, systemd's status line
 * and the metrics are sinks; a display or an MQTT client registers the same
 * way. Nothing that produces readings knows who listens.
 */
#ifndef MURICLE_SINK_H
#define MURICLE_SINK_H

struct measure;
struct sensor;

/* Any of these may be NULL. They run on the loop and must return quickly. */
struct sink_ops {
	const char *name; /* for the log */
	/* A measurement of s finished, well or not, at wall-clock time t. */
	void (*reading)(void *arg, const struct sensor *s, double t);
	/* A value or the status of s changed outside a measurement (the LED
	 * going dark, a press, a sensor going stale). */
	void (*changed)(void *arg, const struct sensor *s);
	/* A round of m started (duration < 0) or ended after duration seconds. */
	void (*round)(void *arg, const struct measure *m, double duration);
};

struct sinks;

struct sinks *sinks_new(void);
/* Register a sink; it hears what happens from now on, after those added
 * before it. */
void sinks_add(struct sinks *l, const struct sink_ops *ops, void *arg);
/* Take it off the list (not from inside one of its own callbacks). */
void sinks_remove(struct sinks *l, const struct sink_ops *ops, void *arg);
void sinks_free(struct sinks *l);

/* For the sensors and the scheduler: tell every sink. l may be NULL. */
void sinks_reading(struct sinks *l, const struct sensor *s, double t);
void sinks_changed(struct sinks *l, const struct sensor *s);
void sinks_round(struct sinks *l, const struct measure *m, double duration);

#endif
