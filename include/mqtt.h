/*
 * MQTT with Home Assistant discovery, on the event loop. libmosquitto does
 * the protocol; its socket is a libevent read event, a write event is armed
 * while it has bytes to send, and a timer runs its keepalive. The broker's
 * name is resolved with libevent's evdns, so nothing blocks the loop. A
 * reading of a sensor is published, retained, as the sensor's JSON of
 * /api/v1/sensors at PREFIX/SENSOR/state; PREFIX/status is "online" while
 * connected and "offline" (the last will) once not. Home Assistant finds the
 * values, the LED and button and a Measure button through discovery.
 */
#ifndef MURICLE_MQTT_H
#define MURICLE_MQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct buf;
struct event_base;
struct mqtt;
struct sensor;
struct sink_ops;

/* The [mqtt] section's keys (its struct is config.mqtt). */
extern const struct conf_key mqtt_keys[];
/* The file has the section: MQTT is on. */
void mqtt_section_opened(struct config *cfg, int line);
/* Its checks, once the file is read. */
void mqtt_validate(const struct config *cfg, struct config_report *r);

/* What the device says about itself in discovery. */
struct mqtt_device {
	const char *title;   /* the page's title */
	unsigned http_port;  /* for the configuration_url */
	double expire_after; /* seconds after which Home Assistant shows a value as unavailable */
};

/* Connect (and keep reconnecting) as c says; measure(ctx) runs when Home
 * Assistant presses the Measure button, changed(ctx) whenever mqtt_stats()
 * changes (connected or not, the error, a message sent or dropped). */
struct mqtt *mqtt_new(struct event_base *base, const struct mqtt_conf *c,
                      const struct mqtt_device *dev, void (*measure)(void *ctx),
                      void (*changed)(void *ctx), void *ctx);
/* The sensors to announce; those announced before and gone now are removed
 * from Home Assistant. */
void mqtt_set_sensors(struct mqtt *m, struct sensor *const *sensors, size_t n,
                      const struct mqtt_device *dev);
/* Take the settings of c that need no new connection (discovery, QoS,
 * retain, queue); mqtt_set_sensors then publishes accordingly. */
void mqtt_reconfigure(struct mqtt *m, const struct mqtt_conf *c);
/* Whether a and b connect alike (host, port, credentials, ids, prefix). */
bool mqtt_conf_same_connection(const struct mqtt_conf *a, const struct mqtt_conf *b);
/* Say "offline" and disconnect (at stop). */
void mqtt_stop(struct mqtt *m);
void mqtt_free(struct mqtt *m);

/* The sink that publishes readings (its arg: the struct mqtt). */
extern const struct sink_ops mqtt_sink;

/* For /metrics and the API. */
struct mqtt_stats {
	bool connected;
	double since;           /* wall clock of the last connect or disconnect, 0 never */
	uint64_t sent, dropped; /* messages handed to the socket; refused as the queue was full */
	char error[160];        /* why the last connection failed or ended, "" if none */
};
const struct mqtt_stats *mqtt_stats(const struct mqtt *m);

#endif
