/* The routes: the sensor page and its assets, the JSON API, the measure
 * actions, the event stream and the metrics. */
#ifndef MURICLE_WEB_H
#define MURICLE_WEB_H

#include <stdbool.h>
#include <stddef.h>

struct access;
struct buf;

#include "metrics.h"

struct archive;
struct events;
struct history;
struct http_req;
struct measure;
struct mqtt;
struct sensor;
struct sink_ops;
struct web_cache;

struct web {
	const char *title;
	struct sensor *const *sensors;
	size_t n;
	struct measure *measure;
	bool simulated;
	struct history *history;
	struct events *events;
	const struct archive *archive; /* NULL: the history is not saved */
	const struct histogram *durations;
	double start_time;
	struct http_counters counters; /* kept across reloads */
	const struct mqtt *mqtt;       /* NULL: MQTT is off */
	const struct display *display; /* NULL: no display */
	const struct access *access;   /* NULL: no host, origin or password checks */
	uint64_t version;              /* of the sensors' state: web_invalidate */
	struct web_cache *cache;       /* the renderings of that state */
};

/* The page, /api/v1/sensors and the state part of /metrics are rendered
 * once per change, when a request asks for them. What changes them: a
 * reading, a change or a round (the web sink calls this), a reload, and a
 * change in MQTT's or the display's state (the daemon does, from their
 * changed callbacks). */
void web_invalidate(struct web *w);
void web_cache_free(struct web *w);

/* The state every page and stream starts from, as GET /api/v1/sensors
 * (valid until the next change). */
const char *web_state_json(struct web *w);

/* Tell the event streams: a reading of s finished at wall-clock time t; a
 * value or the status of s changed; a round started (duration < 0) or ended. */
void web_publish_reading(struct web *w, const struct sensor *s, double t);
void web_publish_change(struct web *w, const struct sensor *s);
void web_publish_round(struct web *w, double duration);
/* A new frame is on the display: the page reloads its mirror. */
void web_publish_display(struct web *w);

/* The event streams as a sink of readings, changes and rounds (its arg:
 * the struct web). */
extern const struct sink_ops web_sink;

/* Whether an If-None-Match header matches etag (a quoted entity tag):
 * "*", or a list of tags compared weakly, as RFC 9110 says. */
bool web_etag_matches(const char *header, const char *etag);

/* The http_handler for muricle's routes; ctx is a struct web. */
void web_handle(void *ctx, struct http_req *req);

#endif
