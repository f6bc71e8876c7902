#include "metrics.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mqtt.h"
#include "render.h"
#include "sensor.h"
#include "sink.h"

static const double bounds[METRICS_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};

void histogram_observe(struct histogram *hg, double v)
{
	for (size_t i = 0; i < METRICS_BUCKETS; i++) {
		if (v <= bounds[i]) {
			hg->buckets[i]++;
			break;
		}
	}
	hg->count++;
	hg->sum += v;
}

static void histogram_round(void *arg, const struct measure *m, double duration)
{
	(void)m;
	if (duration >= 0)
		histogram_observe(arg, duration);
}

const struct sink_ops histogram_sink = { .name = "metrics", .round = histogram_round };

void http_count(struct http_counters *hc, const char *path, const char *method, unsigned code)
{
	for (size_t i = 0; i < hc->n; i++) {
		struct http_counter *c = &hc->c[i];
		if (c->code == code && strcmp(c->path, path) == 0 &&
		    strcmp(c->method, method) == 0) {
			c->n++;
			return;
		}
	}
	if (hc->n == METRICS_MAX_COUNTERS)
		return; /* routes x methods x codes cannot get here; stay bounded anyway */
	hc->c[hc->n++] = (struct http_counter){ path, method, code, 1 };
}

void metrics_value_name(char *out, size_t outlen, const struct sensor_value *sv, double *scale)
{
	const struct quantity_info *q = sv->q;
	size_t ml = strlen(sv->metric), bl = strlen(q->base);

	*scale = q->to_base;
	/* "co2_estimate" in ppm is muricle_co2_estimate_ppm; a value already
	 * named after its unit does not get it twice. */
	bool has_unit = bl == 0 || (ml >= bl && strcmp(sv->metric + ml - bl, q->base) == 0);
	snprintf(out, outlen, "muricle_%s%s%s%s", sv->metric, has_unit ? "" : "_",
	         has_unit ? "" : q->base, q->counter ? "_total" : "");
}

/* A label value, escaped as the format asks. */
static void put_label(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_add(b, s, 1);
	}
	buf_puts(b, "\"");
}

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Whether an earlier value (sensor i, value j) already had this metric name:
 * all samples of a family are written together, under its first use. */
static bool seen_before(const struct render_view *v, size_t si, size_t vj, const char *name)
{
	char other[128];
	double scale;

	for (size_t i = 0; i <= si; i++) {
		const struct sensor *s = v->sensors[i];
		for (size_t j = 0; j < s->nvalues && (i < si || j < vj); j++) {
			metrics_value_name(other, sizeof other, &s->values[j], &scale);
			if (strcmp(other, name) == 0)
				return true;
		}
	}
	return false;
}

/* One gauge family per value name: every sensor that has it. */
static void put_values(struct buf *b, const struct render_view *v)
{
	char name[128], other[128];
	double scale, oscale;

	for (size_t i = 0; i < v->n; i++) {
		const struct sensor *s = v->sensors[i];
		for (size_t j = 0; j < s->nvalues; j++) {
			const struct sensor_value *sv = &s->values[j];
			metrics_value_name(name, sizeof name, sv, &scale);
			if (seen_before(v, i, j, name))
				continue;
			buf_printf(b, "# HELP %s The %s %s%s%s%s.\n# TYPE %s %s\n", name, sv->name,
			           sv->q->counter ? "count since the sensor was set up" : "reading",
			           sv->q->boolean ? " (1 on, 0 off)" : "",
			           sv->q->unit[0] ? ", shown on the page in " : "", sv->q->unit,
			           name, sv->q->counter ? "counter" : "gauge");
			for (size_t k = i; k < v->n; k++) {
				const struct sensor *o = v->sensors[k];
				for (size_t l = 0; l < o->nvalues; l++) {
					const struct sensor_value *ov = &o->values[l];
					metrics_value_name(other, sizeof other, ov, &oscale);
					if (strcmp(other, name) != 0 || !ov->valid)
						continue;
					buf_printf(b, "%s{sensor=", name);
					put_label(b, o->name);
					buf_printf(b, "} %.10g\n", ov->v * oscale);
				}
			}
		}
	}
}

static void put_sensors(struct buf *b, const struct render_view *v)
{
	static const enum sensor_status all[] = { SENSOR_PENDING, SENSOR_OK, SENSOR_ERROR,
		                                  SENSOR_STALE };

	family(b, "muricle_sensor_status", "gauge",
	       "1 for the sensor's current status (pending, ok, error, stale), 0 for the others.");
	for (size_t i = 0; i < v->n; i++)
		for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
			buf_puts(b, "muricle_sensor_status{sensor=");
			put_label(b, v->sensors[i]->name);
			buf_printf(b, ",status=\"%s\"} %d\n", sensor_status_name(all[k]),
			           v->sensors[i]->status == all[k]);
		}
	family(b, "muricle_sensor_last_success_timestamp_seconds", "gauge",
	       "When the sensor last gave a good reading (0: never since start).");
	for (size_t i = 0; i < v->n; i++) {
		buf_puts(b, "muricle_sensor_last_success_timestamp_seconds{sensor=");
		put_label(b, v->sensors[i]->name);
		buf_printf(b, "} %.3f\n", v->sensors[i]->last_ok);
	}
	family(b, "muricle_sensor_read_errors_total", "counter",
	       "Failed measurements since the sensor was set up (start or reload).");
	for (size_t i = 0; i < v->n; i++) {
		buf_puts(b, "muricle_sensor_read_errors_total{sensor=");
		put_label(b, v->sensors[i]->name);
		buf_printf(b, "} %llu\n", (unsigned long long)v->sensors[i]->errors);
	}
}

static void put_durations(struct buf *b, const struct histogram *hg)
{
	uint64_t cum = 0;

	family(b, "muricle_measurement_duration_seconds", "histogram",
	       "How long a measurement of every sensor took.");
	for (size_t i = 0; i < METRICS_BUCKETS; i++) {
		cum += hg->buckets[i];
		buf_printf(b, "muricle_measurement_duration_seconds_bucket{le=\"%g\"} %llu\n",
		           bounds[i], (unsigned long long)cum);
	}
	buf_printf(b,
	           "muricle_measurement_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	           "muricle_measurement_duration_seconds_sum %.6f\n"
	           "muricle_measurement_duration_seconds_count %llu\n",
	           (unsigned long long)hg->count, hg->sum, (unsigned long long)hg->count);
}

void render_metrics_state(struct buf *b, const struct render_view *v,
                          const struct histogram *durations)
{
	put_values(b, v);
	put_sensors(b, v);
	put_durations(b, durations);
	family(b, "muricle_measurements_total", "counter",
	       "Measurements of every sensor finished since start.");
	buf_printf(b, "muricle_measurements_total %llu\n", (unsigned long long)durations->count);
}

void render_metrics(struct buf *b, const struct metrics_view *m)
{
	const struct render_view *v = m->v;

	family(b, "muricle_http_requests_total", "counter",
	       "HTTP answers sent, by route and status.");
	for (size_t i = 0; i < m->http->n; i++) {
		const struct http_counter *c = &m->http->c[i];
		buf_puts(b, "muricle_http_requests_total{path=");
		put_label(b, c->path);
		buf_puts(b, ",method=");
		put_label(b, c->method);
		buf_printf(b, ",code=\"%u\"} %llu\n", c->code, (unsigned long long)c->n);
	}
	family(b, "muricle_event_streams", "gauge", "Clients following GET /events.");
	buf_printf(b, "muricle_event_streams %u\n", m->event_clients);
	family(b, "muricle_history_saved", "gauge",
	       "1 if the last save of the history file worked (or none was due), else 0.");
	buf_printf(b, "muricle_history_saved %d\n", m->history_saved);
	if (m->mqtt != NULL) {
		family(b, "muricle_mqtt_connected", "gauge",
		       "1 while the MQTT broker is connected.");
		buf_printf(b, "muricle_mqtt_connected %d\n", m->mqtt->connected);
		family(b, "muricle_mqtt_messages_sent_total", "counter",
		       "MQTT messages handed to the broker's connection.");
		buf_printf(b, "muricle_mqtt_messages_sent_total %llu\n",
		           (unsigned long long)m->mqtt->sent);
		family(b, "muricle_mqtt_messages_dropped_total", "counter",
		       "MQTT messages dropped: not connected, or the queue was full.");
		buf_printf(b, "muricle_mqtt_messages_dropped_total %llu\n",
		           (unsigned long long)m->mqtt->dropped);
	}
	family(b, "muricle_simulated", "gauge", "1 if the readings come from simulated hardware.");
	buf_printf(b, "muricle_simulated %d\n", v->simulated);
	family(b, "muricle_start_time_seconds", "gauge", "When the daemon started.");
	buf_printf(b, "muricle_start_time_seconds %.3f\n", m->start_time);
	family(b, "muricle_build_info", "gauge", "The daemon's version, always 1.");
	buf_puts(b, "muricle_build_info{version=");
	put_label(b, MURICLE_VERSION);
	buf_puts(b, "} 1\n");
}
