/* The sensor page (HTML) and the JSON API, rendered from sensor state with
 * no I/O, so tests call them directly. */
#ifndef MURICLE_RENDER_H
#define MURICLE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct history;
struct mqtt_stats;
struct sensor;

struct display_stats;

struct render_view {
	const char *title;
	struct sensor *const *sensors;
	size_t n;
	uint64_t rounds; /* measurements finished */
	bool measuring;
	bool simulated;   /* readings come from device models */
	double last_time; /* wall clock of the last measurement, 0 if none */
	double now_wall, now_mono;
	const struct mqtt_stats *mqtt;       /* NULL: MQTT is off */
	const struct display_stats *display; /* NULL: no display */
};

void render_html(struct buf *b, const struct render_view *v);
/* "MQTT: connected." or "MQTT: not connected: WHY.", for the page and the API. */
void render_mqtt_text(struct buf *b, const struct mqtt_stats *m);
/* A value as shown: "21.35 °C", "on", or "—" without a good reading. */
struct sensor_value;
void render_value_text(struct buf *b, const struct sensor_value *sv);
/* GET /api/v1/sensors. It and render_html depend on the sensors' state
 * only, not on the moment (web.c renders them once per change); the
 * events carry the time. */
void render_json(struct buf *b, const struct render_view *v);
/* The display's state, as in the API's "display" (and the stream's event). */
void render_display_json(struct buf *b, const struct display_stats *d);
/* One sensor as in render_json's "sensors" list. */
void render_sensor_json(struct buf *b, const struct sensor *s);
/* The measurement fields of render_json, the time (now_wall) and the
 * round's duration in seconds unless it is negative (the "measurement"
 * event). */
void render_round_json(struct buf *b, const struct render_view *v, double duration);
/* A finished reading of s at wall-clock time t (the "reading" event). */
void render_reading_json(struct buf *b, const struct sensor *s, double t);
/* GET /api/v1/history: the series matching sensor and value (NULL: any)
 * with their points at or after since (s since the epoch). Returns how many
 * series matched. */
size_t render_history(struct buf *b, const struct history *h, const struct render_view *v,
                      const char *sensor, const char *value, double since);
/* GET /api/v1/history.csv: the same points as CSV (RFC 4180), one line
 * each: sensor, value, unit, time (ISO 8601 UTC), unix_time, reading (empty
 * where the reading failed). */
size_t render_history_csv(struct buf *b, const struct history *h, const struct render_view *v,
                          const char *sensor, const char *value, double since);
/* One line for systemd's STATUS=: "4 sensors ok, last measured 10:32:05"
 * or "3 of 4 sensors ok (air: error), last measured 10:32:05". */
void render_summary(struct buf *b, const struct render_view *v);
/* A compact page or JSON object saying what went wrong with a request. */
void render_error_html(struct buf *b, unsigned status, const char *text);
void render_error_json(struct buf *b, unsigned status, const char *text);

#endif
