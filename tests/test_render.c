/* The page and the JSON API rendered from sensor state: escaping, validity,
 * and failed reads never showing as numbers. */
#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render.h"
#include "sensor.h"

static void nop(struct sensor *s)
{
	(void)s;
}

static const struct sensor_ops ops = { "test<type>", nop, nop, nop };

struct fixture {
	struct sensor *s[2];
	struct render_view v;
};

static void fixture_init(struct fixture *f, const char *title)
{
	f->s[0] = sensor_new(&ops, "<script>alert(1)</script>", NULL);
	sensor_add_value(f->s[0], "temp\"erature", "°C", 1, false);
	sensor_add_value(f->s[0], "led", "", 0, true);
	strcpy(f->s[0]->where, "0x77 on /dev/i2c-1 & more");
	f->s[1] = sensor_new(&ops, "baro", NULL);
	sensor_add_value(f->s[1], "pressure", "hPa", 2, false);
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
	ck_assert_ptr_nonnull(strstr(b.data, "5 s ago"));
	/* The MEASURE button is a form POST: works without JavaScript. */
	ck_assert_ptr_nonnull(strstr(b.data, "<form method=\"post\" action=\"/measure\">"));
	ck_assert_ptr_null(strstr(b.data, "<script"));
	ck_assert_ptr_null(strstr(b.data, "Simulated hardware"));
	buf_reset(&b);
	f.v.simulated = true;
	render_html(&b, &f.v);
	ck_assert_ptr_nonnull(strstr(b.data, "Simulated hardware"));
	buf_free(&b);
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
	ck_assert(json_object_object_get_ex(s0, "age", &o));
	ck_assert_double_eq_tol(json_object_get_double(o), 5, 1e-9);
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

int main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, html_escapes_config_strings);
	tcase_add_test(tc, json_is_valid_and_complete);
	tcase_add_test(tc, error_bodies);
	tcase_add_test(tc, json_strings_escape_control_characters);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
