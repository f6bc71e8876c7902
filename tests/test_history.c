/* The history: the ring per value, the MEASURE-spam rule, keeping series
 * across a reload, and the file format refusing damaged or foreign bytes. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "history.h"
#include "sensor.h"
#include "file.h"
#include "testutil.h"

static void nop(struct sensor *s)
{
	(void)s;
}

static const struct sensor_ops ops = { "test", NULL, NULL, nop, nop, nop };

/* A barometer with two numbers and an on/off value. */
static struct sensor *baro(const char *name)
{
	struct sensor *s = sensor_new(&ops, name, NULL);

	tu_add_value(s, "temperature", Q_TEMPERATURE, 1);
	tu_add_value(s, "pressure", Q_PRESSURE, 2);
	tu_add_value(s, "alarm", Q_ON_OFF, 0);
	return s;
}

static void reading(struct history *h, struct sensor *s, double t, double temp, double p)
{
	sensor_set(s, 0, temp);
	sensor_set(s, 1, p);
	history_record(h, s, t);
}

static void sensor_drop(struct sensor *s)
{
	free(s->name);
	free(s);
}

START_TEST(ring_keeps_the_newest)
{
	struct sensor *s = baro("b");
	struct history *h = history_new(600, 60); /* 10 points */

	history_sync(h, &s, 1, 600, 60);
	ck_assert_uint_eq(h->n, 2); /* no series for the on/off value */
	ck_assert_ptr_null(history_find(h, "b", "alarm"));
	for (int i = 0; i < 25; i++)
		reading(h, s, 1000 + 60.0 * i, i, 1000 + i);
	const struct history_series *se = history_find(h, "b", "pressure");
	ck_assert_uint_eq(se->len, 10);
	ck_assert_uint_eq(history_get(se, 0).t, 1000 + 60 * 15);
	ck_assert_float_eq(history_get(se, 9).v, 1024);
	ck_assert_uint_eq(history_memory(h), 2 * 10 * sizeof(struct history_point));
	history_free(h);
	sensor_drop(s);
}
END_TEST

START_TEST(close_readings_replace_the_newest)
{
	struct sensor *s = baro("b");
	struct history *h = history_new(600, 60);

	history_sync(h, &s, 1, 600, 60);
	reading(h, s, 1000, 20, 1000);
	reading(h, s, 1005, 21, 1001); /* MEASURE pressed 5 s later: replaces */
	reading(h, s, 1010, 22, 1002);
	reading(h, s, 1030, 23, 1003); /* 20 s after: a point of its own */
	const struct history_series *se = history_find(h, "b", "temperature");
	ck_assert_uint_eq(se->len, 2);
	ck_assert_uint_eq(history_get(se, 0).t, 1010);
	ck_assert_float_eq(history_get(se, 0).v, 22);
	ck_assert_uint_eq(history_get(se, 1).t, 1030);
	history_free(h);
	sensor_drop(s);
}
END_TEST

START_TEST(failed_reading_is_a_gap)
{
	struct sensor *s = baro("b");
	struct history *h = history_new(600, 60);

	history_sync(h, &s, 1, 600, 60);
	reading(h, s, 1000, 20, 1000);
	for (size_t i = 0; i < s->nvalues; i++)
		s->values[i].valid = false; /* as sensor_fail leaves them */
	history_record(h, s, 1060);
	const struct history_series *se = history_find(h, "b", "pressure");
	ck_assert_uint_eq(se->len, 2);
	ck_assert(isnan(history_get(se, 1).v));
	history_free(h);
	sensor_drop(s);
}
END_TEST

START_TEST(sync_keeps_resizes_and_drops)
{
	struct sensor *a = baro("a"), *b = baro("b");
	struct sensor *both[] = { a, b };
	struct history *h = history_new(600, 60);

	history_sync(h, both, 2, 600, 60);
	for (int i = 0; i < 10; i++) {
		reading(h, a, 1000 + 60.0 * i, i, i);
		reading(h, b, 1000 + 60.0 * i, i, i);
	}
	/* Reload: b is gone, the interval doubled (5 points now). */
	ck_assert_uint_eq(history_sync(h, &a, 1, 600, 120), 2);
	ck_assert_uint_eq(h->n, 2);
	ck_assert_ptr_null(history_find(h, "b", "pressure"));
	const struct history_series *se = history_find(h, "a", "pressure");
	ck_assert_uint_eq(se->cap, 5);
	ck_assert_uint_eq(se->len, 5);
	ck_assert_float_eq(history_get(se, 0).v, 5);
	ck_assert_float_eq(history_get(se, 4).v, 9);
	reading(h, a, 2000, 10, 10);
	ck_assert_float_eq(history_get(se, 4).v, 10);
	/* History off: series stay, with nothing in them. */
	history_sync(h, &a, 1, 0, 60);
	ck_assert_uint_eq(history_find(h, "a", "pressure")->len, 0);
	reading(h, a, 3000, 1, 1);
	ck_assert_uint_eq(history_find(h, "a", "pressure")->len, 0);
	history_free(h);
	sensor_drop(a);
	sensor_drop(b);
}
END_TEST

/* A history with a few points, encoded. */
static struct history *sample(struct sensor *s, struct buf *out)
{
	struct history *h = history_new(3600, 60);

	history_sync(h, &s, 1, 3600, 60);
	reading(h, s, 1000, 20.5, 1013.25);
	reading(h, s, 1060, NAN, 1013.5);
	reading(h, s, 1120, 21.5, 1014);
	buf_init(out);
	history_encode(h, out);
	ck_assert(!h->dirty);
	return h;
}

/* In steps, one series each: the same bytes; a reading during the steps
 * leaves the history dirty for the next save; a change of the series (a
 * reload) abandons the encoding. */
START_TEST(encoding_in_steps)
{
	struct sensor *s[2] = { baro("a"), baro("b") };
	struct history *h = history_new(3600, 60);
	struct buf whole, steps;

	history_sync(h, s, 2, 3600, 60);
	reading(h, s[0], 1000, 20.5, 1013.25);
	reading(h, s[1], 1000, 19.5, 1012.25);
	buf_init(&whole);
	history_encode(h, &whole);
	buf_init(&steps);
	struct history_encoder *e = history_encoder_new(h, &steps);
	ck_assert_int_eq(history_encoder_step(e), 0); /* a.temperature */
	ck_assert_int_eq(history_encoder_step(e), 0);
	ck_assert_int_eq(history_encoder_step(e), 0);
	ck_assert(!h->dirty);
	ck_assert_int_eq(history_encoder_step(e), 1); /* b.pressure, and the checksum */
	history_encoder_free(e);
	ck_assert_uint_eq(steps.len, whole.len);
	ck_assert(memcmp(steps.data, whole.data, whole.len) == 0);

	buf_reset(&steps);
	e = history_encoder_new(h, &steps);
	ck_assert_int_eq(history_encoder_step(e), 0);
	reading(h, s[1], 1060, 19.0, 1012.0);
	ck_assert(h->dirty);
	history_sync(h, s, 1, 3600, 60);
	ck_assert_int_eq(history_encoder_step(e), -1);
	ck_assert(h->dirty);
	history_encoder_free(e);
	buf_free(&whole);
	buf_free(&steps);
	history_free(h);
	for (int i = 0; i < 2; i++) {
		free(s[i]->name);
		free(s[i]);
	}
}
END_TEST

START_TEST(encode_decode_round_trip)
{
	struct sensor *s = baro("b");
	struct buf b;
	char err[160];
	struct history *h = sample(s, &b);
	struct history *back = history_new(3600, 60);

	history_sync(back, &s, 1, 3600, 60);
	ck_assert_int_eq(history_decode(back, b.data, b.len, err, sizeof err), 6);
	const struct history_series *se = history_find(back, "b", "temperature");
	ck_assert_uint_eq(se->len, 3);
	ck_assert_uint_eq(history_get(se, 2).t, 1120);
	ck_assert_float_eq(history_get(se, 2).v, 21.5);
	ck_assert(isnan(history_get(se, 1).v));
	ck_assert_float_eq(history_get(history_find(back, "b", "pressure"), 0).v, 1013.25);
	/* A series the file has but the daemon no longer does is skipped. */
	struct sensor *other = baro("other");
	struct history *h2 = history_new(3600, 60);
	history_sync(h2, &other, 1, 3600, 60);
	ck_assert_int_eq(history_decode(h2, b.data, b.len, err, sizeof err), 0);
	history_free(h2);
	sensor_drop(other);
	history_free(back);
	history_free(h);
	buf_free(&b);
	sensor_drop(s);
}
END_TEST

START_TEST(decode_refuses_damage)
{
	struct sensor *s = baro("b");
	struct buf b;
	char err[160];
	struct history *h = sample(s, &b);
	struct history *back = history_new(3600, 60);

	history_sync(back, &s, 1, 3600, 60);
	/* Every single flipped bit and every truncation is caught. */
	for (size_t i = 0; i < b.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			b.data[i] ^= (char)(1 << bit);
			ck_assert_int_eq(history_decode(back, b.data, b.len, err, sizeof err), -1);
			b.data[i] ^= (char)(1 << bit);
		}
		ck_assert_int_eq(history_decode(back, b.data, i, err, sizeof err), -1);
	}
	ck_assert_uint_eq(history_find(back, "b", "pressure")->len, 0); /* nothing taken */
	ck_assert_int_eq(history_decode(back, "hello, world, this is text", 26, err, sizeof err),
	                 -1);
	ck_assert_str_eq(err, "not a muricle history file");
	history_free(back);
	history_free(h);
	buf_free(&b);
	sensor_drop(s);
}
END_TEST

START_TEST(decode_refuses_a_consistent_checksum_over_nonsense)
{
	/* Right magic, version and CRC, but a series count that runs past the
	 * end: the CRC only proves the bytes are as written, not who wrote them. */
	static const char body[] = "MURICLEH\x01\x00\x00\x00\xff\xff\x00\x00";
	struct buf b;
	char err[160];
	struct history *h = history_new(60, 60);

	buf_init(&b);
	buf_add(&b, body, sizeof body - 1);
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)b.data, (uInt)b.len);
	char le[4] = { (char)(crc & 0xff), (char)(crc >> 8 & 0xff), (char)(crc >> 16 & 0xff),
		       (char)(crc >> 24) };
	buf_add(&b, le, 4);
	ck_assert_int_eq(history_decode(h, b.data, b.len, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "inconsistent"));
	history_free(h);
	buf_free(&b);
}
END_TEST

START_TEST(file_write_atomic_replaces_whole)
{
	char *dir = tu_tempdir();
	char path[512], err[512];
	size_t len;

	snprintf(path, sizeof path, "%s/state", dir);
	ck_assert_int_eq(file_write_atomic(path, "first", 5, err, sizeof err), 0);
	ck_assert_int_eq(file_write_atomic(path, "second", 6, err, sizeof err), 0);
	char *data = file_read(path, 100, &len);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(data, "second");
	free(data);
	ck_assert_ptr_null(file_read(path, 3, &len));
	ck_assert_int_eq(errno, EFBIG);
	/* No temporary file is left behind. */
	snprintf(path, sizeof path, "%s/state.tmp", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* A folder that does not exist: an error that names the file. */
	snprintf(path, sizeof path, "%s/missing/state", dir);
	ck_assert_int_eq(file_write_atomic(path, "x", 1, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing/state.tmp"));
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");

	tcase_add_test(tc, ring_keeps_the_newest);
	tcase_add_test(tc, close_readings_replace_the_newest);
	tcase_add_test(tc, failed_reading_is_a_gap);
	tcase_add_test(tc, sync_keeps_resizes_and_drops);
	tcase_add_test(tc, encode_decode_round_trip);
	tcase_add_test(tc, encoding_in_steps);
	tcase_add_test(tc, decode_refuses_damage);
	tcase_add_test(tc, decode_refuses_a_consistent_checksum_over_nonsense);
	tcase_add_test(tc, file_write_atomic_replaces_whole);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
