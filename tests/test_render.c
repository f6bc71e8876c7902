/* The page and the JSON API rendered from sensor state: escaping, validity,
 * and failed reads never showing as numbers. */
#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "history.h"
#include "metrics.h"
#include "quantity.h"
#include "render.h"
#include "sensor.h"
#include "testutil.h"

static void nop(struct sensor *s)
{
	(void)s;
}

static const struct sensor_ops ops = { "test<type>", NULL, NULL, nop, nop, nop };

struct fixture {
	struct sensor *s[2];
	struct render_view v;
};

static void fixture_init(struct fixture *f, const char *title)
{
	f->s[0] = sensor_new(&ops, "<script>alert(1)</script>", NULL);
	tu_add_value(f->s[0], "temp\"erature", Q_TEMPERATURE, 1);
	tu_add_value(f->s[0], "led", Q_ON_OFF, 0);
	strcpy(f->s[0]->where, "0x77 on /dev/i2c-1 & more");
	f->s[1] = sensor_new(&ops, "baro", NULL);
	tu_add_value(f->s[1], "pressure", Q_PRESSURE, 2);
	f->v = (struct render_view){ .title = title,
		                     .sensors = f->s,
		                     .n = 2,
		                     .rounds = 3,
		                     .last_time = 1.7e9,
		                     .now_wall = 1.7e9 + 5,
		                     .now_mono = 100 };
	/* Sensor 0: good. Sensor 1: failed after a good read. */
	f->s[0]->status = SENSOR_OK;
	sensor_set(f->s[0], 0, 21.345);
	sensor_set(f->s[0], 1, 1);
	f->s[0]->last_ok = 1.7e9;
	f->s[0]->last_ok_mono = 95;
	sensor_set(f->s[1], 0, 1002.5);
	f->s[1]->values[0].valid = false;
	f->s[1]->status = SENSOR_ERROR;
	f->s[1]->errors = 4;
	strcpy(f->s[1]->error, "no device answers at 0x77 <b>");
}

static void fixture_free(struct fixture *f)
{
	for (int i = 0; i < 2; i++) {
		free(f->s[i]->name);
		free(f->s[i]);
	}
}

START_TEST(html_escapes_config_strings)
{
	struct fixture f;
	struct buf b;

	fixture_init(&f, "Kitchen <b>&</b> \"Pi\"");
	buf_init(&b);
	render_html(&b, &f.v);
	ck_assert_ptr_null(strstr(b.data, "<script>"));
	ck_assert_ptr_null(strstr(b.data, "<b>"));
	ck_assert_ptr_nonnull(
	        strstr(b.data, "<title>Kitchen &lt;b&gt;&amp;&lt;/b&gt; &quot;Pi&quot;</title>"));
	ck_assert_ptr_nonnull(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(b.data, "temp&quot;erature"));
	ck_assert_ptr_null(strstr(b.data, "& more"));
	ck_assert_ptr_nonnull(strstr(b.data, "1 &amp; more"));
	ck_assert_ptr_nonnull(
	        strstr(b.data, "no device answers at 0x77 &lt;b&gt; (4 failed reads)"));
	/* Values with units; the LED as on/off; the failed one as a dash. */
	ck_assert_ptr_nonnull(strstr(b.data, "21.3 °C"));
	ck_assert_ptr_nonnull(strstr(b.data, ">on<"));
	ck_assert_ptr_null(strstr(b.data, "1002"));
	ck_assert_ptr_nonnull(strstr(b.data, "status-error"));
	ck_assert_ptr_nonnull(strstr(b.data, "Measurement 3, at 2023-11-14 22:13:20."));
	ck_assert_ptr_nonnull(strstr(b.data, "Last good reading at 2023-11-14 22:13:20."));
	/* The MEASURE button is a form POST: works without JavaScript. */
	ck_assert_ptr_nonnull(
	        strstr(b.data, "<form method=\"post\" action=\"/measure\" id=\"measure\">"));
	/* The one script is the page's own file: no inline code (CSP forbids it). */
	const char *script = strstr(b.data, "<script src=\"/static/app.js\" defer></script>");
	ck_assert_ptr_nonnull(script);
	ck_assert_ptr_eq(strstr(b.data, "<script"), script);
	ck_assert_ptr_null(strstr(script + 1, "<script"));
	ck_assert_ptr_null(strstr(b.data, "style="));
	ck_assert_ptr_null(strstr(b.data, "Simulated hardware"));
	buf_reset(&b);
	f.v.simulated = true;
	render_html(&b, &f.v);
	ck_assert_ptr_nonnull(strstr(b.data, "Simulated hardware"));
	buf_free(&b);
	fixture_free(&f);
}
END_TEST

/* The page and the JSON name moments, not ages, so that web.c can keep
 * them until the state changes: the same state renders the same bytes at
 * any time. */
START_TEST(renderings_do_not_age)
{
	struct fixture f;
	struct buf html, json, later;

	fixture_init(&f, "t");
	buf_init(&html);
	buf_init(&json);
	buf_init(&later);
	render_html(&html, &f.v);
	render_json(&json, &f.v);
	f.v.now_wall += 3600;
	f.v.now_mono += 3600;
	render_html(&later, &f.v);
	ck_assert_str_eq(later.data, html.data);
	buf_reset(&later);
	render_json(&later, &f.v);
	ck_assert_str_eq(later.data, json.data);
	buf_free(&html);
	buf_free(&json);
	buf_free(&later);
	fixture_free(&f);
}
END_TEST

START_TEST(json_is_valid_and_complete)
{
	struct fixture f;
	struct buf b;

	fixture_init(&f, "t");
	buf_init(&b);
	render_json(&b, &f.v);
	struct json_tokener *tok = json_tokener_new();
	json_object *root = json_tokener_parse_ex(tok, b.data, (int)b.len);
	ck_assert_msg(root != NULL && json_tokener_get_error(tok) == json_tokener_success,
	              "invalid JSON: %s", b.data);
	json_tokener_free(tok);

	json_object *o, *sensors, *s0, *s1, *vals, *v;
	ck_assert(json_object_object_get_ex(root, "measurements", &o));
	ck_assert_int_eq(json_object_get_int(o), 3);
	ck_assert(json_object_object_get_ex(root, "simulated", &o));
	ck_assert(json_object_is_type(o, json_type_boolean) && !json_object_get_boolean(o));
	ck_assert(json_object_object_get_ex(root, "sensors", &sensors));
	ck_assert_int_eq((int)json_object_array_length(sensors), 2);
	s0 = json_object_array_get_idx(sensors, 0);
	s1 = json_object_array_get_idx(sensors, 1);
	ck_assert(json_object_object_get_ex(s0, "name", &o));
	ck_assert_str_eq(json_object_get_string(o), "<script>alert(1)</script>");
	ck_assert(json_object_object_get_ex(s0, "status", &o));
	ck_assert_str_eq(json_object_get_string(o), "ok");
	ck_assert(json_object_object_get_ex(s0, "last_update", &o));
	ck_assert_str_eq(json_object_get_string(o), "2023-11-14T22:13:20.000Z");
	ck_assert(!json_object_object_get_ex(s0, "age", &o)); /* it would change by itself */
	ck_assert(!json_object_object_get_ex(root, "time", &o));
	ck_assert(json_object_object_get_ex(s0, "values", &vals));
	ck_assert(json_object_object_get_ex(vals, "temp\"erature", &v));
	ck_assert(json_object_object_get_ex(v, "value", &o));
	ck_assert_double_eq_tol(json_object_get_double(o), 21.3, 1e-9);
	ck_assert(json_object_object_get_ex(v, "unit", &o));
	ck_assert_str_eq(json_object_get_string(o), "°C");
	ck_assert(json_object_object_get_ex(vals, "led", &v));
	ck_assert(json_object_object_get_ex(v, "value", &o));
	ck_assert(json_object_is_type(o, json_type_boolean) && json_object_get_boolean(o));

	/* The failed sensor: error text and count, and null instead of a number. */
	ck_assert(json_object_object_get_ex(s1, "status", &o));
	ck_assert_str_eq(json_object_get_string(o), "error");
	ck_assert(json_object_object_get_ex(s1, "error", &o));
	ck_assert_str_eq(json_object_get_string(o), "no device answers at 0x77 <b>");
	ck_assert(json_object_object_get_ex(s1, "errors", &o));
	ck_assert_int_eq(json_object_get_int(o), 4);
	ck_assert(json_object_object_get_ex(s1, "values", &vals));
	ck_assert(json_object_object_get_ex(vals, "pressure", &v));
	ck_assert(json_object_object_get_ex(v, "value", &o));
	ck_assert(o == NULL); /* JSON null */
	json_object_put(root);
	buf_free(&b);
	fixture_free(&f);
}
END_TEST

START_TEST(error_bodies)
{
	struct buf b;

	buf_init(&b);
	render_error_json(&b, 404, "no \"such\" page");
	json_object *root = json_tokener_parse(b.data);
	ck_assert_ptr_nonnull(root);
	json_object_put(root);
	buf_reset(&b);
	render_error_html(&b, 405, "<nope>");
	ck_assert_ptr_nonnull(strstr(b.data, "&lt;nope&gt;"));
	buf_free(&b);
}
END_TEST

START_TEST(json_strings_escape_control_characters)
{
	struct buf b;

	buf_init(&b);
	buf_json_str(&b, "a\"b\\c\n\x01</script>");
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\n\\u0001\\u003c/script>\"");
	buf_free(&b);
}
END_TEST

/* A parsed JSON document, or a failed test. */
static json_object *parse(const char *text)
{
	json_object *root = json_tokener_parse(text);

	ck_assert_msg(root != NULL, "invalid JSON: %s", text);
	return root;
}

/* What a person reads: labels instead of identifiers, why a value is
 * missing, a driver's advice and note with its guide, a time as a time. */
static const struct sensor_ops noted_ops = {
	"air", "Its ppm is an estimate.", "/static/g.html", nop, nop, nop
};

START_TEST(labels_reasons_and_advice)
{
	static const struct value_spec specs[] = {
		{ "rzero", Q_RESISTANCE, 0, NULL, "Resistance R₀ (clean-air reference)" },
		{ "corrected_ppm", Q_GAS_ESTIMATE, 0, NULL, NULL },
		{ "last_press", Q_TIMESTAMP, 0, NULL, "Last press" },
		{ NULL, 0, 0, NULL, NULL },
	};
	struct sensor *s = sensor_new(&noted_ops, "air", NULL);
	struct sensor *list[1] = { s };
	struct render_view v = { .title = "t", .sensors = list, .n = 1, .now_wall = 1.7e9 };
	struct buf b;

	setenv("TZ", "UTC", 1);
	tzset();
	sensor_add_values(s, specs);
	s->status = SENSOR_OK;
	sensor_set(s, 0, 76.5);
	sensor_withhold(s, 1, "waiting for barometer's temperature");
	sensor_set(s, 2, 1.7e9);
	strcpy(s->warning, "blink (5 s) is not shorter than interval (5 s)");
	buf_init(&b);
	render_html(&b, &v);
	ck_assert_msg(strstr(b.data, "<th scope=\"row\" title=\"rzero\">Resistance R₀ (clean-air "
	                             "reference)</th>"),
	              "%s", b.data);
	ck_assert_msg(strstr(b.data, "title=\"corrected_ppm\">Estimate</th><td class=\"value\">—"
	                             "</td><td class=\"why\">waiting for barometer&#39;s "
	                             "temperature</td>"),
	              "%s", b.data);
	ck_assert(strstr(b.data, "<td class=\"value\">2023-11-14 22:13:20</td>"));
	ck_assert(strstr(b.data, "<p class=\"warning\">blink (5 s) is not shorter than interval"));
	ck_assert(strstr(b.data, "<p class=\"note\">Its ppm is an estimate. <a "
	                         "href=\"/static/g.html\">How to calibrate it</a></p>"));

	buf_reset(&b);
	render_sensor_json(&b, s);
	json_object *root = parse(b.data), *vals, *o, *val;
	ck_assert(json_object_object_get_ex(root, "warning", &o));
	ck_assert_str_eq(json_object_get_string(o),
	                 "blink (5 s) is not shorter than interval (5 s)");
	ck_assert(json_object_object_get_ex(root, "values", &vals));
	ck_assert(json_object_object_get_ex(vals, "rzero", &val));
	ck_assert(json_object_object_get_ex(val, "label", &o));
	ck_assert_str_eq(json_object_get_string(o), "Resistance R₀ (clean-air reference)");
	ck_assert(json_object_object_get_ex(val, "why", &o) && o == NULL);
	ck_assert(json_object_object_get_ex(vals, "corrected_ppm", &val));
	ck_assert(json_object_object_get_ex(val, "why", &o));
	ck_assert_str_eq(json_object_get_string(o), "waiting for barometer's temperature");
	ck_assert(json_object_object_get_ex(vals, "last_press", &val));
	ck_assert(json_object_object_get_ex(val, "value", &o));
	ck_assert_int_eq(json_object_get_int64(o), 1700000000);
	json_object_put(root);

	/* A reading clears the reason; a failure gives the sensor's error instead. */
	sensor_set(s, 1, 420);
	ck_assert_str_eq(s->values[1].why, "");
	sensor_withhold(s, 1, "again");
	s->busy = true;
	sensor_fail(s, "bus gone");
	ck_assert_str_eq(s->values[1].why, "");
	buf_free(&b);
	free(s->name);
	free(s);
}
END_TEST

/* The page's unit choices: each converts, and says by how much. */
START_TEST(quantities_json)
{
	struct buf b;

	buf_init(&b);
	quantity_render_json(&b);
	json_object *root = parse(b.data), *list, *o;
	ck_assert(json_object_object_get_ex(root, "quantities", &list));
	ck_assert_int_eq((int)json_object_array_length(list), Q_COUNT_OF_QUANTITIES);
	bool fahrenheit = false, inhg = false;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *q = json_object_array_get_idx(list, i), *units;
		ck_assert(json_object_object_get_ex(q, "label", &o));
		ck_assert(json_object_object_get_ex(q, "units", &units));
		for (size_t k = 0; k < json_object_array_length(units); k++) {
			json_object *u = json_object_array_get_idx(units, k), *scale, *offset;
			ck_assert(json_object_object_get_ex(u, "unit", &o));
			ck_assert(json_object_object_get_ex(u, "scale", &scale));
			ck_assert(json_object_object_get_ex(u, "offset", &offset));
			double x = json_object_get_double(scale),
			       y = json_object_get_double(offset);
			if (strcmp(json_object_get_string(o), "°F") == 0) {
				fahrenheit = true;
				ck_assert_double_eq_tol(100 * x + y, 212, 1e-9); /* water boils */
			}
			if (strcmp(json_object_get_string(o), "inHg") == 0) {
				inhg = true;
				ck_assert_double_eq_tol(1013.25 * x, 29.9213,
				                        1e-4); /* one atmosphere */
			}
		}
	}
	ck_assert(fahrenheit && inhg);
	json_object_put(root);
	buf_free(&b);
}
END_TEST

START_TEST(history_json_filters_and_gaps)
{
	struct fixture f;
	struct buf b;
	json_object *o, *series, *pts;

	fixture_init(&f, "t");
	struct history *h = history_new(3600, 60);
	history_sync(h, f.s, 2, 3600, 60);
	history_record(h, f.s[0], 1000);
	history_record(h, f.s[1], 1000); /* failed: a gap */
	sensor_set(f.s[1], 0, 1003.456);
	history_record(h, f.s[1], 1060);
	buf_init(&b);
	ck_assert_uint_eq(render_history(&b, h, &f.v, NULL, NULL, 0), 2);
	json_object *root = parse(b.data);
	ck_assert(json_object_object_get_ex(root, "interval", &o));
	ck_assert_int_eq(json_object_get_int(o), 60);
	ck_assert(json_object_object_get_ex(root, "series", &series));
	ck_assert_int_eq((int)json_object_array_length(series), 2); /* the LED has none */
	json_object_put(root);

	buf_reset(&b);
	ck_assert_uint_eq(render_history(&b, h, &f.v, "baro", "pressure", 0), 1);
	root = parse(b.data);
	ck_assert(json_object_object_get_ex(root, "series", &series));
	ck_assert_int_eq((int)json_object_array_length(series), 1);
	json_object *se = json_object_array_get_idx(series, 0);
	ck_assert(json_object_object_get_ex(se, "unit", &o));
	ck_assert_str_eq(json_object_get_string(o), "hPa");
	ck_assert(json_object_object_get_ex(se, "points", &pts));
	ck_assert_int_eq((int)json_object_array_length(pts), 2);
	json_object *p0 = json_object_array_get_idx(pts, 0);
	ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(p0, 0)), 1000);
	ck_assert(json_object_array_get_idx(p0, 1) == NULL); /* null: the failed read */
	json_object *p1 = json_object_array_get_idx(pts, 1);
	ck_assert_double_eq_tol(json_object_get_double(json_object_array_get_idx(p1, 1)), 1003.46,
	                        1e-9);
	json_object_put(root);

	buf_reset(&b);
	ck_assert_uint_eq(render_history(&b, h, &f.v, "baro", NULL, 1030), 1);
	ck_assert_ptr_nonnull(strstr(b.data, "\"points\":[[1060,1003.46]]"));
	buf_free(&b);
	history_free(h);
	fixture_free(&f);
}
END_TEST

/* The name comes from the value's quantity, never from its unit's spelling. */
static void check_name(const char *value, const char *metric, enum quantity q, const char *want,
                       double want_scale)
{
	struct sensor *s = sensor_new(&ops, "s", NULL);
	struct value_spec one[2] = { { value, q, 0, metric, NULL }, { NULL, 0, 0, NULL, NULL } };
	char name[128];
	double scale;

	sensor_add_values(s, one);
	metrics_value_name(name, sizeof name, &s->values[0], &scale);
	ck_assert_str_eq(name, want);
	ck_assert_double_eq(scale, want_scale);
	free(s->name);
	free(s);
}

START_TEST(metric_names_in_base_units)
{
	check_name("temperature", NULL, Q_TEMPERATURE, "muricle_temperature_celsius", 1);
	check_name("pressure", NULL, Q_PRESSURE, "muricle_pressure_pascals", 100);
	check_name("humidity", NULL, Q_HUMIDITY, "muricle_humidity_ratio", 0.01);
	check_name("rzero", "rzero_resistance", Q_RESISTANCE, "muricle_rzero_resistance_ohms",
	           1000);
	check_name("ppm", "co2_estimate", Q_GAS_ESTIMATE, "muricle_co2_estimate_ppm", 1);
	check_name("level_ppm", NULL, Q_GAS_ESTIMATE, "muricle_level_ppm", 1);
	check_name("led", NULL, Q_ON_OFF, "muricle_led", 1);
	check_name("presses", NULL, Q_COUNT, "muricle_presses_total", 1);
}
END_TEST

START_TEST(metrics_exposition)
{
	struct fixture f;
	struct buf b;
	struct histogram hg = { 0 };
	struct http_counters hc = { 0 };

	fixture_init(&f, "t");
	/* A second sensor with a temperature: one family, two samples. */
	struct sensor *more[3] = { f.s[0], f.s[1], sensor_new(&ops, "other", NULL) };
	tu_add_value(more[2], "temp\"erature", Q_TEMPERATURE, 1);
	sensor_set(more[2], 0, 19.5);
	f.v.sensors = more;
	f.v.n = 3;
	histogram_observe(&hg, 0.004);
	histogram_observe(&hg, 0.03);
	histogram_observe(&hg, 99);
	http_count(&hc, "/", "GET", 200);
	http_count(&hc, "/", "GET", 200);
	http_count(&hc, "other", "GET", 404);
	struct metrics_view m = { .v = &f.v,
		                  .durations = &hg,
		                  .http = &hc,
		                  .event_clients = 2,
		                  .start_time = 1.7e9,
		                  .history_saved = true };
	buf_init(&b);
	render_metrics_state(&b, &f.v, &hg);
	render_metrics(&b, &m);
	const char *t = b.data;
	/* One TYPE line per family, its samples right after it. */
	const char *type = strstr(t, "# TYPE muricle_temp\"erature_celsius gauge\n");
	ck_assert_ptr_nonnull(type);
	ck_assert_ptr_null(strstr(type + 1, "# TYPE muricle_temp\"erature_celsius"));
	ck_assert_ptr_nonnull(strstr(
	        t, "muricle_temp\"erature_celsius{sensor=\"<script>alert(1)</script>\"} 21.345\n"
	           "muricle_temp\"erature_celsius{sensor=\"other\"} 19.5\n"));
	ck_assert_ptr_nonnull(strstr(t, "muricle_led{sensor=\"<script>alert(1)</script>\"} 1\n"));
	/* The failed pressure has no sample, only its family. */
	ck_assert_ptr_nonnull(strstr(t, "# TYPE muricle_pressure_pascals gauge\n"));
	ck_assert_ptr_null(strstr(t, "muricle_pressure_pascals{"));
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_sensor_status{sensor=\"baro\",status=\"error\"} 1\n"));
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_sensor_status{sensor=\"baro\",status=\"ok\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "muricle_sensor_read_errors_total{sensor=\"baro\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(
	        t, "muricle_sensor_last_success_timestamp_seconds{sensor=\"baro\"} 0.000\n"));
	/* Cumulative buckets; 99 s only in +Inf. */
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_measurement_duration_seconds_bucket{le=\"0.005\"} 1\n"));
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_measurement_duration_seconds_bucket{le=\"0.05\"} 2\n"));
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_measurement_duration_seconds_bucket{le=\"5\"} 2\n"));
	ck_assert_ptr_nonnull(
	        strstr(t, "muricle_measurement_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "muricle_measurement_duration_seconds_count 3\n"));
	ck_assert_ptr_nonnull(strstr(
	        t, "muricle_http_requests_total{path=\"/\",method=\"GET\",code=\"200\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(
	        t, "muricle_http_requests_total{path=\"other\",method=\"GET\",code=\"404\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "muricle_event_streams 2\n"));
	buf_free(&b);
	free(more[2]->name);
	free(more[2]);
	fixture_free(&f);
}
END_TEST

START_TEST(reading_event_json)
{
	struct fixture f;
	struct buf b;
	json_object *o;

	fixture_init(&f, "t");
	buf_init(&b);
	render_reading_json(&b, f.s[1], 1.7e9 + 0.25);
	ck_assert_ptr_eq(strchr(b.data, '\n'), b.data + b.len - 1); /* one line: one SSE data: */
	json_object *root = parse(b.data);
	ck_assert(json_object_object_get_ex(root, "t", &o));
	ck_assert_int_eq(json_object_get_int64(o), 1700000000);
	ck_assert(json_object_object_get_ex(root, "sensor", &o));
	ck_assert(json_object_object_get_ex(o, "status", &o));
	ck_assert_str_eq(json_object_get_string(o), "error");
	json_object_put(root);
	buf_reset(&b);
	render_round_json(&b, &f.v, 0.0301);
	root = parse(b.data);
	ck_assert(json_object_object_get_ex(root, "duration", &o));
	ck_assert_double_eq_tol(json_object_get_double(o), 0.0301, 1e-9);
	ck_assert(json_object_object_get_ex(root, "time", &o)); /* the page's clock */
	ck_assert_str_eq(json_object_get_string(o), "2023-11-14T22:13:25.000Z");
	json_object_put(root);
	buf_free(&b);
	fixture_free(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, html_escapes_config_strings);
	tcase_add_test(tc, json_is_valid_and_complete);
	tcase_add_test(tc, renderings_do_not_age);
	tcase_add_test(tc, error_bodies);
	tcase_add_test(tc, json_strings_escape_control_characters);
	tcase_add_test(tc, history_json_filters_and_gaps);
	tcase_add_test(tc, metric_names_in_base_units);
	tcase_add_test(tc, metrics_exposition);
	tcase_add_test(tc, reading_event_json);
	tcase_add_test(tc, labels_reasons_and_advice);
	tcase_add_test(tc, quantities_json);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
