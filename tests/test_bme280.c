/* BME280/BMP280: datasheet arithmetic and the driver against the simulated chip. */
#include <check.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baro.h"
#include "bme280.h"
#include "config.h"
#include "i2c.h"
#include "sensor.h"
#include "sim.h"
#include "testutil.h"
#include "wrap.h"
#include "reference/datasheet.h"

/* The BMP280 datasheet's worked example (section 3.12). */
static const struct bme280_calib example = {
	.t1 = 27504,
	.t2 = 26435,
	.t3 = -1000,
	.p1 = 36477,
	.p2 = -10685,
	.p3 = 3024,
	.p4 = 2855,
	.p5 = 140,
	.p6 = -7,
	.p7 = 15500,
	.p8 = -14600,
	.p9 = 6000,
	/* humidity: values typical of a real BME280 */
	.h1 = 75,
	.h2 = 362,
	.h3 = 0,
	.h4 = 324,
	.h5 = 50,
	.h6 = 30,
};

/* The datasheet's floating-point formulas (4.2.3, "double" versions), as an
 * independent check of the integer ones. */
static double ref_t_fine(const struct bme280_calib *c, int32_t adc_t)
{
	double v1 = (adc_t / 16384.0 - c->t1 / 1024.0) * c->t2;
	double v2 =
	        (adc_t / 131072.0 - c->t1 / 8192.0) * (adc_t / 131072.0 - c->t1 / 8192.0) * c->t3;
	return v1 + v2;
}

static double ref_pressure(const struct bme280_calib *c, int32_t adc_p, double t_fine)
{
	double v1 = t_fine / 2.0 - 64000.0;
	double v2 = v1 * v1 * c->p6 / 32768.0;
	v2 = v2 + v1 * c->p5 * 2.0;
	v2 = v2 / 4.0 + c->p4 * 65536.0;
	v1 = (c->p3 * v1 * v1 / 524288.0 + c->p2 * v1) / 524288.0;
	v1 = (1.0 + v1 / 32768.0) * c->p1;
	double p = 1048576.0 - adc_p;
	p = (p - v2 / 4096.0) * 6250.0 / v1;
	v1 = c->p9 * p * p / 2147483648.0;
	v2 = p * c->p8 / 32768.0;
	return p + (v1 + v2 + c->p7) / 16.0;
}

static double ref_humidity(const struct bme280_calib *c, int32_t adc_h, double t_fine)
{
	double h = t_fine - 76800.0;
	h = (adc_h - (c->h4 * 64.0 + c->h5 / 16384.0 * h)) *
	    (c->h2 / 65536.0 * (1.0 + c->h6 / 67108864.0 * h * (1.0 + c->h3 / 67108864.0 * h)));
	h = h * (1.0 - c->h1 * h / 524288.0);
	return h > 100 ? 100 : h < 0 ? 0 : h;
}

START_TEST(datasheet_example)
{
	int32_t t_fine;

	ck_assert_int_eq(bme280_temperature(&example, 519888, &t_fine), 2508); /* 25.08 degC */
	ck_assert_int_eq(t_fine, 128422);
	double pa = bme280_pressure(&example, 415148, t_fine) / 256.0;
	ck_assert_double_eq_tol(pa, 100653.27, 0.05);
}
END_TEST

START_TEST(integer_formulas_agree_with_floating_point)
{
	for (int32_t adc_t = 400000; adc_t <= 600000; adc_t += 20000) {
		int32_t t_fine;
		int32_t t = bme280_temperature(&example, adc_t, &t_fine);
		double ref_fine = ref_t_fine(&example, adc_t);
		ck_assert_double_eq_tol(t / 100.0, ref_fine / 5120.0, 0.011);
		for (int32_t adc_p = 250000; adc_p <= 500000; adc_p += 25000) {
			double pa = bme280_pressure(&example, adc_p, t_fine) / 256.0;
			ck_assert_msg(fabs(pa - ref_pressure(&example, adc_p, ref_fine)) < 1.0,
			              "adc_t %d adc_p %d: %.2f vs %.2f", adc_t, adc_p, pa,
			              ref_pressure(&example, adc_p, ref_fine));
		}
		for (int32_t adc_h = 20000; adc_h <= 40000; adc_h += 2000) {
			double rh = bme280_humidity(&example, adc_h, t_fine) / 1024.0;
			ck_assert_msg(fabs(rh - ref_humidity(&example, adc_h, ref_fine)) < 0.1,
			              "adc_h %d: %.3f vs %.3f", adc_h, rh,
			              ref_humidity(&example, adc_h, ref_fine));
		}
	}
}
END_TEST

/* Any trimming and any reading, the chip's or a glitch's: the same integers
 * as the datasheet's code, and (under UBSan) no undefined behaviour. */
START_TEST(every_input_matches_the_datasheet_code)
{
	uint64_t seed = 0x6d757269636c65;

	for (int i = 0; i < 300000; i++) {
		uint8_t tp[BME280_CALIB_TP_LEN], h[7];
		for (size_t k = 0; k < sizeof tp; k++)
			tp[k] = (uint8_t)tu_rand(&seed);
		for (size_t k = 0; k < sizeof h; k++)
			h[k] = (uint8_t)tu_rand(&seed);
		struct bme280_calib c;
		bme280_parse_calib(tp, h, &c);
		if (i < 1000)
			c = example; /* the chip's own calibration, raw values anywhere */
		int32_t adc_t = (int32_t)(tu_rand(&seed) & 0xFFFFF);
		int32_t adc_p = (int32_t)(tu_rand(&seed) & 0xFFFFF);
		int32_t adc_h = (int32_t)(tu_rand(&seed) & 0xFFFF);
		int32_t tf, tf_ref;
		ck_assert_int_eq(bme280_temperature(&c, adc_t, &tf),
		                 ds_bme280_t(&c, adc_t, &tf_ref));
		ck_assert_int_eq(tf, tf_ref);
		ck_assert_uint_eq(bme280_pressure(&c, adc_p, tf), ds_bme280_p(&c, adc_p, tf));
		ck_assert_uint_eq(bme280_humidity(&c, adc_h, tf), ds_bme280_h(&c, adc_h, tf));
		/* t_fine itself from anywhere: pressure and humidity take any. */
		int32_t any = (int32_t)tu_rand(&seed);
		ck_assert_uint_eq(bme280_pressure(&c, adc_p, any), ds_bme280_p(&c, adc_p, any));
		ck_assert_uint_eq(bme280_humidity(&c, adc_h, any), ds_bme280_h(&c, adc_h, any));
	}
}
END_TEST

static void nop(struct sensor *s)
{
	(void)s;
}

/* A shown number is the exact result rounded once: 23.45 degC (2345) is a
 * tie that 2345 / 100.0 (23.4499...) would print as 23.4. */
START_TEST(ties_round_once)
{
	char out[32];

	snprintf(out, sizeof out, "%.1f", (double)round_div(2345 * 10, 100) / 10);
	ck_assert_str_eq(out, "23.5");
	snprintf(out, sizeof out, "%.1f", (double)round_div(-2345 * 10, 100) / 10);
	ck_assert_str_eq(out, "-23.5");
	/* 101325.5 Pa in Q24.8, shown in hPa to 2 decimals. */
	snprintf(out, sizeof out, "%.2f", (double)round_div(25939328 * 100LL, 25600) / 100);
	ck_assert_str_eq(out, "1013.26");
	/* 46.25 %RH in Q22.10. */
	snprintf(out, sizeof out, "%.1f", (double)round_div(47360 * 10, 1024) / 10);
	ck_assert_str_eq(out, "46.3");
	ck_assert_int_eq(round_div(7, 2), 4);
	ck_assert_int_eq(round_div(-7, 2), -4);
	ck_assert_int_eq(round_div(6, 4), 2);
	/* What the drivers call: rounded to each value's own decimals. */
	static const struct sensor_ops none = { "t", NULL, NULL, nop, nop, nop };
	struct sensor *sn = sensor_new(&none, "t", NULL);
	size_t t = tu_add_value(sn, "temperature", Q_TEMPERATURE, 0);
	size_t p = tu_add_value(sn, "pressure", Q_PRESSURE, 0);
	sensor_set_fixed(sn, t, -2345, 100);
	ck_assert_double_eq(sn->values[t].v, -23.5);
	sensor_set_fixed(sn, p, 25939328, 25600);
	ck_assert_double_eq(sn->values[p].v, 1013.26);
	sensor_free(sn);
}
END_TEST

START_TEST(trimming_registers)
{
	uint8_t tp[BME280_CALIB_TP_LEN] = { 0x70, 0x6B, 0x43, 0x67, 0x18, 0xFC };
	/* dig_H4 = -200 (0xF38), dig_H5 = -3 (0xFFD): their nibbles share 0xE5. */
	uint8_t h[BME280_CALIB_H_LEN] = { 0x6A, 0x01, 0x00, 0xF3, 0xD8, 0xFF, 0xE2 };
	struct bme280_calib c;

	tp[25] = 75;
	bme280_parse_calib(tp, h, &c);
	ck_assert_uint_eq(c.t1, 27504);
	ck_assert_int_eq(c.t2, 26435);
	ck_assert_int_eq(c.t3, -1000);
	ck_assert_uint_eq(c.h1, 75);
	ck_assert_int_eq(c.h2, 362);
	ck_assert_int_eq(c.h4, -200);
	ck_assert_int_eq(c.h5, -3);
	ck_assert_int_eq(c.h6, -30);
}
END_TEST

START_TEST(measurement_time)
{
	ck_assert_uint_eq(bme280_measure_us(1, 1, 1), 9300); /* 1.25+2.3+2.875+2.875 ms */
	ck_assert_uint_eq(bme280_measure_us(1, 1, 0), 6425);
	ck_assert_uint_eq(bme280_measure_us(16, 16, 16), 112800);
	ck_assert_int_eq(bme280_osrs(1), 1);
	ck_assert_int_eq(bme280_osrs(16), 5);
	ck_assert_int_eq(bme280_osrs(3), -1);
}
END_TEST

static void rig_init(struct tu_rig *r, const char *kind, bool chip_has_humidity, unsigned os)
{
	char conf[256];
	bool bme = strcmp(kind, "bme280") == 0;

	snprintf(conf, sizeof conf,
	         "[%s env]\noversampling_temperature = %u\noversampling_pressure = %u\n%s%u\n",
	         kind, os, os, bme ? "oversampling_humidity = " : "; ", os);
	tu_rig_init(r, 0);
	r->model = sim_bme280_new(chip_has_humidity, 1);
	sim_i2c_attach(r->sim, "/dev/i2c-1", 0x76, &sim_bme280_ops, r->model);
	tu_rig_sensor(r, conf);
}

static const unsigned oversampling[] = { 1, 2, 4, 8, 16 };

START_TEST(bme280_reads_true_values)
{
	struct tu_rig r;

	rig_init(&r, "bme280", true, oversampling[_i]);
	sim_bme280_set(r.model, 19.37, 998.42, 63.5);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert_uint_eq(r.s->nvalues, 4);
	ck_assert_str_eq(r.s->values[2].name, "humidity");
	ck_assert_double_eq_tol(r.s->values[0].v, 19.37, 0.006);
	ck_assert_double_eq_tol(r.s->values[1].v, 998.42, 0.006);
	ck_assert_double_eq_tol(r.s->values[2].v, 63.5, 0.05);
	ck_assert_double_eq_tol(r.s->values[3].v, baro_altitude(99842, 101325), 0.1);
	ck_assert_uint_eq(sim_bme280_early_reads(r.model), 0);
	sim_bme280_set(r.model, -12.5, 1032.0, 12.0);
	tu_rig_measure(&r, 5);
	ck_assert_double_eq_tol(r.s->values[0].v, -12.5, 0.006);
	ck_assert_double_eq_tol(r.s->values[1].v, 1032.0, 0.006);
	ck_assert_double_eq_tol(r.s->values[2].v, 12.0, 0.05);
	ck_assert_uint_eq(sim_bme280_early_reads(r.model), 0);
	tu_rig_free(&r);
}
END_TEST

START_TEST(bmp280_has_no_humidity)
{
	struct tu_rig r;

	rig_init(&r, "bmp280", false, 1);
	sim_bme280_set(r.model, 25.0, 1000.0, 0);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert_uint_eq(r.s->nvalues, 3);
	for (size_t i = 0; i < r.s->nvalues; i++)
		ck_assert_str_ne(r.s->values[i].name, "humidity");
	ck_assert_double_eq_tol(r.s->values[1].v, 1000.0, 0.006);
	tu_rig_free(&r);
}
END_TEST

START_TEST(wrong_variant_is_named)
{
	struct tu_rig r;

	rig_init(&r, "bmp280", true, 1); /* configured BMP280, a BME280 answers */
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "chip id 0x60") &&
	                      strstr(r.s->error, "it is a BME280, configure [bme280]"),
	              "%s", r.s->error);
	tu_rig_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bme280");
	TCase *tc = tcase_create("bme280");

	tcase_add_test(tc, datasheet_example);
	tcase_add_test(tc, integer_formulas_agree_with_floating_point);
	tcase_add_test(tc, every_input_matches_the_datasheet_code);
	tcase_add_test(tc, ties_round_once);
	tcase_add_test(tc, trimming_registers);
	tcase_add_test(tc, measurement_time);
	tcase_add_loop_test(tc, bme280_reads_true_values, 0, 5);
	tcase_add_test(tc, bmp280_has_no_humidity);
	tcase_add_test(tc, wrong_variant_is_named);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
