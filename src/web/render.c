#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "display.h"
#include "history.h"
#include "mqtt.h"
#include "sensor.h"

/* ISO 8601 UTC with milliseconds, e.g. 2026-11-26T10:00:00.123Z. */
/* A moment to the second: in UTC with a T (ISO 8601), or in local time as
 * the page shows it before its script runs. The page is rendered once per
 * change, so it names the moment, not its age. */
static void put_time(struct buf *b, double t, bool utc)
{
	time_t secs = (time_t)t;
	struct tm tm;
	char s[32];

	if (utc)
		gmtime_r(&secs, &tm);
	else
		localtime_r(&secs, &tm);
	strftime(s, sizeof s, utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	buf_puts(b, s);
}

static void put_iso(struct buf *b, double t)
{
	put_time(b, t, true);
	buf_printf(b, ".%03dZ", (int)((t - floor(t)) * 1000));
}

/* A quoted ISO 8601 time, or null for none (t <= 0). */
static void put_iso_or_null(struct buf *b, double t)
{
	if (t > 0) {
		buf_puts(b, "\"");
		put_iso(b, t);
		buf_puts(b, "\"");
	} else {
		buf_puts(b, "null");
	}
}

void render_value_text(struct buf *b, const struct sensor_value *sv)
{
	if (!sv->valid) {
		buf_puts(b, "—");
	} else if (sv->q->boolean) {
		buf_puts(b, sv->v != 0 ? "on" : "off");
	} else if (sv->q == quantity(Q_TIMESTAMP)) {
		put_time(b, sv->v, false);
	} else {
		buf_printf(b, "%.*f%s%s", sv->decimals, sv->v, sv->q->unit[0] ? " " : "",
		           sv->q->unit);
	}
}

/* The page works without JavaScript; www/app.js makes it live and adds the
 * charts, finding what it updates by the ids, classes and data- attributes. */
void render_html(struct buf *b, const struct render_view *v)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	            "<meta name=\"color-scheme\" content=\"light dark\"><title>");
	buf_html(b, v->title);
	buf_puts(b, "</title><link rel=\"icon\" href=\"/static/favicon.svg\">"
	            "<link rel=\"stylesheet\" href=\"/static/style.css\">"
	            "<script src=\"/static/app.js\" defer></script></head>\n<body>\n<main>\n"
	            "<header><h1>");
	buf_html(b, v->title);
	buf_puts(b, "</h1><span id=\"live\" class=\"live\" role=\"status\"></span></header>\n");
	if (v->simulated)
		buf_puts(b, "<p class=\"sim\"><strong>Simulated hardware:</strong> these readings "
		            "come from device models, not from real sensors.</p>\n");
	buf_puts(b, "<form method=\"post\" action=\"/measure\" id=\"measure\">"
	            "<button type=\"submit\">MEASURE</button></form>\n"
	            "<p class=\"meta\" id=\"round\" aria-live=\"polite\">");
	if (v->rounds == 0)
		buf_puts(b, "No measurement yet.");
	else {
		buf_printf(b, "Measurement %llu, at ", (unsigned long long)v->rounds);
		put_time(b, v->last_time, false);
		buf_puts(b, ".");
	}
	if (v->measuring)
		buf_puts(b, " Measuring now…");
	buf_puts(b, "</p>\n");
	if (v->mqtt != NULL) {
		struct buf t;
		buf_init(&t);
		render_mqtt_text(&t, v->mqtt);
		buf_puts(b, "<p class=\"meta\" id=\"mqtt\">");
		buf_html(b, t.data);
		buf_puts(b, "</p>\n");
		buf_free(&t);
	}

	if (v->display != NULL) {
		const struct display_stats *d = v->display;
		const char *st = display_status_name(d->status);
		buf_printf(b,
		           "<section class=\"sensor display\" id=\"display\" "
		           "aria-labelledby=\"h-display\">"
		           "<h2 id=\"h-display\">display <span class=\"status status-%s\">%s</span>"
		           "</h2>\n<img class=\"mirror\" src=\"/api/v1/display\" width=\"256\" "
		           "height=\"128\" alt=\"What the display shows\">\n<p class=\"error\"",
		           st, st);
		if (d->status == DISPLAY_ERROR) {
			buf_puts(b, ">");
			buf_html(b, d->error);
		} else {
			buf_puts(b, " hidden>");
		}
		buf_puts(b, "</p></section>\n");
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct sensor *s = v->sensors[i];
		const char *st = sensor_status_name(s->status);
		buf_puts(b, "<section class=\"sensor\" data-sensor=\"");
		buf_html(b, s->name);
		buf_puts(b, "\" aria-labelledby=\"h-");
		buf_html(b, s->name);
		buf_puts(b, "\"><h2 id=\"h-");
		buf_html(b, s->name);
		buf_puts(b, "\">");
		buf_html(b, s->name);
		buf_printf(b, " <span class=\"status status-%s\">%s</span></h2>\n<table>", st, st);
		for (size_t j = 0; j < s->nvalues; j++) {
			const struct sensor_value *sv = &s->values[j];
			buf_puts(b, "<tr data-value=\"");
			buf_html(b, sv->name);
			buf_printf(b, "\" data-quantity=\"%s\"%s><th scope=\"row\" title=\"",
			           sv->q->name, sv->q->boolean ? " data-boolean" : "");
			buf_html(b, sv->name);
			buf_puts(b, "\">");
			buf_html(b, sv->label);
			if (sv->calibrated)
				buf_puts(b, " <small class=\"cal\">calibrated</small>");
			buf_puts(b, "</th><td class=\"value\">");
			struct buf t;
			buf_init(&t);
			render_value_text(&t, sv);
			buf_html(b, t.data);
			buf_free(&t);
			buf_puts(b, "</td><td class=\"why\">");
			if (!sv->valid && s->status != SENSOR_ERROR)
				buf_html(b, sv->why);
			buf_puts(b, "</td></tr>");
		}
		buf_puts(b, "</table>\n<p class=\"error\"");
		if (s->status == SENSOR_ERROR) {
			buf_puts(b, ">");
			buf_html(b, s->error);
			buf_printf(b, " (%llu failed reads)", (unsigned long long)s->errors);
		} else {
			buf_puts(b, " hidden>");
		}
		buf_puts(b, "</p>\n<p class=\"warning\"");
		if (s->warning[0] != '\0') {
			buf_puts(b, ">");
			buf_html(b, s->warning);
		} else {
			buf_puts(b, " hidden>");
		}
		buf_puts(b, "</p>\n");
		if (s->ops->note != NULL) {
			buf_puts(b, "<p class=\"note\">");
			buf_html(b, s->ops->note);
			if (s->ops->guide != NULL) {
				buf_puts(b, " <a href=\"");
				buf_html(b, s->ops->guide);
				buf_puts(b, "\">How to calibrate it</a>");
			}
			buf_puts(b, "</p>\n");
		}
		/* www/app.js shows the charts, open on wide screens, closed on phones. */
		buf_puts(b, "<details class=\"trends\" hidden><summary>Charts</summary>"
		            "<div class=\"charts\"></div></details>\n");
		buf_puts(b, "<p class=\"meta\">");
		buf_html(b, s->ops->type);
		buf_puts(b, ", ");
		buf_html(b, s->where);
		buf_puts(b, ". <span class=\"age\">");
		if (s->last_ok_mono > 0) {
			buf_puts(b, "Last good reading at ");
			put_time(b, s->last_ok, false);
			buf_puts(b, ".");
		} else {
			buf_puts(b, "No good reading yet.");
		}
		buf_puts(b, "</span></p></section>\n");
	}
	buf_puts(b, "</main>\n</body></html>\n");
}

void render_sensor_json(struct buf *b, const struct sensor *s)
{
	buf_puts(b, "{\"name\":");
	buf_json_str(b, s->name);
	buf_puts(b, ",\"type\":");
	buf_json_str(b, s->ops->type);
	buf_puts(b, ",\"where\":");
	buf_json_str(b, s->where);
	buf_printf(b, ",\"status\":\"%s\",\"error\":", sensor_status_name(s->status));
	if (s->status == SENSOR_ERROR)
		buf_json_str(b, s->error);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"warning\":");
	if (s->warning[0] != '\0')
		buf_json_str(b, s->warning);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"errors\":%llu,\"last_update\":", (unsigned long long)s->errors);
	if (s->last_ok > 0) {
		buf_puts(b, "\"");
		put_iso(b, s->last_ok);
		buf_puts(b, "\"");
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"values\":{");
	for (size_t j = 0; j < s->nvalues; j++) {
		const struct sensor_value *sv = &s->values[j];
		buf_puts(b, j ? "," : "");
		buf_json_str(b, sv->name);
		buf_puts(b, ":{\"value\":");
		if (!sv->valid)
			buf_puts(b, "null");
		else if (sv->q->boolean)
			buf_puts(b, sv->v != 0 ? "true" : "false");
		else
			buf_printf(b, "%.*f", sv->decimals, sv->v);
		struct buf t;
		buf_init(&t);
		render_value_text(&t, sv);
		buf_puts(b, ",\"text\":");
		buf_json_str(b, t.data);
		buf_free(&t);
		buf_puts(b, ",\"unit\":");
		if (sv->q->unit[0] != '\0')
			buf_json_str(b, sv->q->unit);
		else
			buf_puts(b, "null");
		buf_puts(b, ",\"label\":");
		buf_json_str(b, sv->label);
		buf_puts(b, ",\"why\":");
		if (!sv->valid && sv->why[0] != '\0')
			buf_json_str(b, sv->why);
		else
			buf_puts(b, "null");
		buf_printf(b, ",\"quantity\":\"%s\",\"decimals\":%d,\"calibrated\":%s", sv->q->name,
		           sv->decimals, sv->calibrated ? "true" : "false");
		if (sv->calibrated && sv->valid)
			buf_printf(b, ",\"raw\":%.*f", sv->decimals + 2, sv->raw);
		buf_puts(b, "}");
	}
	buf_puts(b, "}}");
}

/* The fields render_json and render_round_json share. */
static void put_round(struct buf *b, const struct render_view *v)
{
	buf_printf(b,
	           "\"measurements\":%llu,\"measuring\":%s,\"simulated\":%s,\"last_measurement\":",
	           (unsigned long long)v->rounds, v->measuring ? "true" : "false",
	           v->simulated ? "true" : "false");
	put_iso_or_null(b, v->last_time);
}

void render_mqtt_text(struct buf *b, const struct mqtt_stats *m)
{
	if (m->connected) {
		buf_puts(b, "MQTT: connected.");
		return;
	}
	size_t n = strlen(m->error);

	buf_puts(b, "MQTT: not connected");
	if (n > 0) {
		buf_puts(b, ": ");
		buf_puts(b, m->error);
	}
	if (n == 0 || m->error[n - 1] != '.')
		buf_puts(b, ".");
}

/* ,"mqtt":{...}: whether the broker is connected, since when, why not. */
static void put_mqtt(struct buf *b, const struct render_view *v)
{
	const struct mqtt_stats *m = v->mqtt;

	if (m == NULL)
		return;
	buf_printf(b, ",\"mqtt\":{\"connected\":%s,\"since\":", m->connected ? "true" : "false");
	put_iso_or_null(b, m->since);
	buf_puts(b, ",\"error\":");
	if (m->error[0] != '\0')
		buf_json_str(b, m->error);
	else
		buf_puts(b, "null");
	struct buf t;
	buf_init(&t);
	render_mqtt_text(&t, m);
	buf_puts(b, ",\"text\":");
	buf_json_str(b, t.data);
	buf_free(&t);
	buf_printf(b, ",\"sent\":%llu,\"dropped\":%llu}", (unsigned long long)m->sent,
	           (unsigned long long)m->dropped);
}

void render_display_json(struct buf *b, const struct display_stats *d)
{
	buf_printf(b, "{\"status\":\"%s\",\"error\":", display_status_name(d->status));
	if (d->status == DISPLAY_ERROR)
		buf_json_str(b, d->error);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"page\":");
	if (d->page[0] != '\0')
		buf_json_str(b, d->page);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"dim\":%s,\"frames\":%llu,\"transfers\":%llu}", d->dim ? "true" : "false",
	           (unsigned long long)d->frames, (unsigned long long)d->transfers);
}

/* ,"display":{...}: its state, why not ok, what it shows. */
static void put_display(struct buf *b, const struct render_view *v)
{
	if (v->display == NULL)
		return;
	buf_puts(b, ",\"display\":");
	render_display_json(b, v->display);
}

void render_json(struct buf *b, const struct render_view *v)
{
	buf_puts(b, "{");
	put_round(b, v);
	put_mqtt(b, v);
	put_display(b, v);
	buf_puts(b, ",\"sensors\":[");
	for (size_t i = 0; i < v->n; i++) {
		buf_puts(b, i ? "," : "");
		render_sensor_json(b, v->sensors[i]);
	}
	buf_puts(b, "]}\n");
}

void render_round_json(struct buf *b, const struct render_view *v, double duration)
{
	buf_puts(b, "{\"time\":\"");
	put_iso(b, v->now_wall);
	buf_puts(b, "\",");
	put_round(b, v);
	if (duration >= 0)
		buf_printf(b, ",\"duration\":%.4f", duration);
	buf_puts(b, "}\n");
}

void render_reading_json(struct buf *b, const struct sensor *s, double t)
{
	buf_puts(b, "{\"time\":\"");
	put_iso(b, t);
	buf_printf(b, "\",\"t\":%.0f,\"sensor\":", floor(t));
	render_sensor_json(b, s);
	buf_puts(b, "}\n");
}

/* Whether a series is asked for, and the sensor value it belongs to (NULL
 * when the sensor is gone). */
static bool series_wanted(const struct history_series *se, const struct render_view *v,
                          const char *sensor, const char *value, const struct sensor_value **sv)
{
	if ((sensor != NULL && strcmp(sensor, se->sensor) != 0) ||
	    (value != NULL && strcmp(value, se->value) != 0))
		return false;
	*sv = NULL;
	for (size_t k = 0; k < v->n && *sv == NULL; k++)
		if (strcmp(v->sensors[k]->name, se->sensor) == 0)
			*sv = sensor_value(v->sensors[k], se->value);
	return true;
}

size_t render_history(struct buf *b, const struct history *h, const struct render_view *v,
                      const char *sensor, const char *value, double since)
{
	size_t matched = 0;

	buf_printf(b, "{\"interval\":%g,\"capacity\":%zu,\"series\":[", h->interval, h->cap);
	for (size_t i = 0; i < h->n; i++) {
		const struct history_series *se = &h->series[i];
		const struct sensor_value *sv;
		if (!series_wanted(se, v, sensor, value, &sv))
			continue;
		int decimals = sv != NULL ? sv->decimals : 2;
		const char *unit = sv != NULL ? sv->q->unit : "";
		buf_puts(b, matched++ ? ",{\"sensor\":" : "{\"sensor\":");
		buf_json_str(b, se->sensor);
		buf_puts(b, ",\"value\":");
		buf_json_str(b, se->value);
		buf_puts(b, ",\"label\":");
		buf_json_str(b, sv != NULL ? sv->label : se->value);
		buf_puts(b, ",\"quantity\":");
		if (sv != NULL)
			buf_json_str(b, sv->q->name);
		else
			buf_puts(b, "null");
		buf_puts(b, ",\"unit\":");
		if (unit[0] != '\0')
			buf_json_str(b, unit);
		else
			buf_puts(b, "null");
		buf_printf(b, ",\"decimals\":%d,\"points\":[", decimals);
		bool firstp = true;
		for (size_t k = 0; k < se->len; k++) {
			struct history_point p = history_get(se, k);
			if (p.t < since)
				continue;
			buf_printf(b, firstp ? "[%lu," : ",[%lu,", (unsigned long)p.t);
			firstp = false;
			if (isfinite(p.v))
				buf_printf(b, "%.*f]", decimals, (double)p.v);
			else
				buf_puts(b, "null]");
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}\n");
	return matched;
}

/* A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
 * break, quotes doubled. */
static void put_csv(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_puts(b, "\"");
	for (; *s != '\0'; s++)
		buf_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	buf_puts(b, "\"");
}

size_t render_history_csv(struct buf *b, const struct history *h, const struct render_view *v,
                          const char *sensor, const char *value, double since)
{
	size_t matched = 0;

	buf_puts(b, "sensor,value,unit,time,unix_time,reading\r\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct history_series *se = &h->series[i];
		const struct sensor_value *sv;
		if (!series_wanted(se, v, sensor, value, &sv))
			continue;
		matched++;
		int decimals = sv != NULL ? sv->decimals : 2;
		for (size_t k = 0; k < se->len; k++) {
			struct history_point p = history_get(se, k);
			if (p.t < since)
				continue;
			put_csv(b, se->sensor);
			buf_puts(b, ",");
			put_csv(b, se->value);
			buf_puts(b, ",");
			put_csv(b, sv != NULL ? sv->q->unit : "");
			buf_puts(b, ",");
			time_t secs = (time_t)p.t;
			struct tm tm;
			char when[32];
			gmtime_r(&secs, &tm);
			strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
			buf_printf(b, "%s,%lu,", when, (unsigned long)p.t);
			if (isfinite(p.v))
				buf_printf(b, "%.*f", decimals, (double)p.v);
			buf_puts(b, "\r\n"); /* an empty reading: it failed */
		}
	}
	return matched;
}

void render_summary(struct buf *b, const struct render_view *v)
{
	size_t ok = 0, shown = 0;

	for (size_t i = 0; i < v->n; i++)
		ok += v->sensors[i]->status == SENSOR_OK;
	if (ok == v->n)
		buf_printf(b, "%zu sensor%s ok", v->n, v->n == 1 ? "" : "s");
	else
		buf_printf(b, "%zu of %zu sensors ok", ok, v->n);
	for (size_t i = 0; i < v->n; i++) {
		const struct sensor *s = v->sensors[i];
		if (s->status == SENSOR_OK)
			continue;
		if (shown++ == 3) {
			buf_puts(b, ", ...");
			break;
		}
		buf_printf(b, "%s%s: %s", shown == 1 ? " (" : ", ", s->name,
		           sensor_status_name(s->status));
	}
	if (shown > 0)
		buf_puts(b, ")");
	if (v->mqtt != NULL)
		buf_puts(b, v->mqtt->connected ? ", MQTT connected" : ", MQTT not connected");
	if (v->last_time > 0) {
		time_t t = (time_t)v->last_time;
		struct tm tm;
		char when[16];
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		buf_printf(b, ", last measured %s", when);
	} else {
		buf_puts(b, ", not measured yet");
	}
}

void render_error_html(struct buf *b, unsigned status, const char *text)
{
	buf_printf(b,
	           "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	           "<title>%u</title></head><body><h1>%u</h1><p>",
	           status, status);
	buf_html(b, text);
	buf_puts(b, "</p><p><a href=\"/\">Back to the sensors</a></p></body></html>\n");
}

void render_error_json(struct buf *b, unsigned status, const char *text)
{
	buf_printf(b, "{\"status\":%u,\"error\":", status);
	buf_json_str(b, text);
	buf_puts(b, "}\n");
}
