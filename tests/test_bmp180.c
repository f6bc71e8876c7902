/* BMP180: datasheet arithmetic, and the driver against the simulated chip. */
#include <check.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baro.h"
#include "bmp180.h"
#include "config.h"
#include "i2c.h"
#include "sensor.h"
#include "sim.h"
#include "testutil.h"
#include "reference/datasheet.h"

/* The worked example of datasheet section 3.5. */
static const struct bmp180_calib example = {
	.ac1 = 408,
	.ac2 = -72,
	.ac3 = -14383,
	.ac4 = 32741,
	.ac5 = 32757,
	.ac6 = 23153,
	.b1 = 6190,
	.b2 = 4,
	.mb = -32768,
	.mc = -8711,
	.md = 2868,
};

START_TEST(datasheet_example)
{
	int32_t t, p;

	ck_assert(bmp180_compensate(&example, 27898, 23843, 0, &t, &p));
	ck_assert_int_eq(t, 150);   /* 15.0 degC */
	ck_assert_int_eq(p, 69964); /* Pa */
}
END_TEST

/* At oversampling oss the chip returns UP with oss more bits: the same air
 * must compensate to (nearly) the same pressure at every setting. */
START_TEST(every_oversampling)
{
	for (unsigned oss = 0; oss <= 3; oss++) {
		int32_t t, p;
		ck_assert(bmp180_compensate(&example, 27898, 23843 << oss, oss, &t, &p));
		ck_assert_int_eq(t, 150);
		ck_assert_msg(abs(p - 69964) <= 2, "oss %u gave %d Pa", oss, p);
		/* And raw bytes decode by the datasheet's shift for this oss. */
		uint32_t raw = (uint32_t)(23843 << oss) << (8 - oss);
		uint8_t out[3] = { (uint8_t)(raw >> 16), (uint8_t)(raw >> 8), (uint8_t)raw };
		ck_assert_int_eq(bmp180_raw_pressure(out, oss), 23843 << oss);
	}
	ck_assert_uint_eq(bmp180_conversion_us(-1), 4500);
	ck_assert_uint_eq(bmp180_conversion_us(0), 4500);
	ck_assert_uint_eq(bmp180_conversion_us(1), 7500);
	ck_assert_uint_eq(bmp180_conversion_us(2), 13500);
	ck_assert_uint_eq(bmp180_conversion_us(3), 25500);
}
END_TEST

/* Any calibration and any reading: the datasheet's 32-bit results (or its
 * division by zero refused), and under UBSan no undefined behaviour. */
START_TEST(every_input_matches_the_datasheet_code)
{
	uint64_t seed = 0x626d70313830;

	for (int i = 0; i < 300000; i++) {
		struct bmp180_calib c = example;
		if (i >= 1000) {
			c.ac1 = (int16_t)tu_rand(&seed);
			c.ac2 = (int16_t)tu_rand(&seed);
			c.ac3 = (int16_t)tu_rand(&seed);
			c.ac4 = (uint16_t)tu_rand(&seed);
			c.ac5 = (uint16_t)tu_rand(&seed);
			c.ac6 = (uint16_t)tu_rand(&seed);
			c.b1 = (int16_t)tu_rand(&seed);
			c.b2 = (int16_t)tu_rand(&seed);
			c.mb = (int16_t)tu_rand(&seed);
			c.mc = (int16_t)tu_rand(&seed);
			c.md = (int16_t)tu_rand(&seed);
		}
		unsigned oss = (unsigned)(tu_rand(&seed) & 3);
		int32_t ut = (int32_t)(tu_rand(&seed) & 0xFFFF);
		uint8_t out[3] = { (uint8_t)tu_rand(&seed), (uint8_t)tu_rand(&seed),
			           (uint8_t)tu_rand(&seed) };
		int32_t up = bmp180_raw_pressure(out, oss);
		int32_t t = 0, p = 0, rt = 0, rp = 0;
		bool ok = bmp180_compensate(&c, ut, up, oss, &t, &p);
		ck_assert_int_eq(ok, ds_bmp180(&c, ut, up, oss, &rt, &rp));
		if (ok) {
			ck_assert_int_eq(t, rt);
			ck_assert_int_eq(p, rp);
		}
	}
	int32_t t, p;
	ck_assert(!bmp180_compensate(&example, 27898, 23843, 4, &t, &p));
}
END_TEST

START_TEST(calibration_parsing)
{
	uint8_t raw[BMP180_CALIB_LEN];
	const int16_t words[11] = { 408,   -72,  -14383, (int16_t)32741, (int16_t)32757,
		                    23153, 6190, 4,      -32768,         -8711,
		                    2868 };
	struct bmp180_calib c;

	for (int i = 0; i < 11; i++) {
		raw[2 * i] = (uint8_t)((uint16_t)words[i] >> 8);
		raw[2 * i + 1] = (uint8_t)words[i];
	}
	ck_assert(bmp180_parse_calib(raw, &c));
	ck_assert_int_eq(c.ac1, 408);
	ck_assert_int_eq(c.ac3, -14383);
	ck_assert_uint_eq(c.ac4, 32741);
	ck_assert_int_eq(c.mb, -32768);
	ck_assert_int_eq(c.md, 2868);
	raw[6] = raw[7] = 0xFF; /* a bus that reads all ones */
	ck_assert(!bmp180_parse_calib(raw, &c));
	raw[6] = raw[7] = 0x00;
	ck_assert(!bmp180_parse_calib(raw, &c));
}
END_TEST

START_TEST(altitude)
{
	ck_assert_double_eq_tol(baro_altitude(101325, 101325), 0, 1e-9);
	/* Datasheet 3.6: about 8.4 m per hPa near sea level. */
	ck_assert_double_eq_tol(baro_altitude(101225, 101325), 8.4, 0.1);
	ck_assert_double_eq_tol(baro_altitude(69964, 101325), 3016, 5);
}
END_TEST

/* The driver against the simulated chip, in process. */
static void rig_init(struct tu_rig *r, unsigned oss, bool attach, double delay)
{
	char conf[64];

	snprintf(conf, sizeof conf, "[bmp180 baro]\noversampling = %u\n", oss);
	tu_rig_init(r, delay);
	if (attach) {
		r->model = sim_bmp180_new(1);
		sim_i2c_attach(r->sim, "/dev/i2c-1", 0x77, &sim_bmp180_ops, r->model);
	}
	tu_rig_sensor(r, conf);
}

START_TEST(driver_reads_true_values)
{
	struct tu_rig r;

	rig_init(&r, (unsigned)_i, true, 0);
	sim_bmp180_set(r.model, 23.4, 1002.5);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert(r.s->values[0].valid && r.s->values[1].valid && r.s->values[2].valid);
	ck_assert_double_eq_tol(r.s->values[0].v, 23.4, 0.051);
	ck_assert_double_eq_tol(r.s->values[1].v, 1002.5, 0.02);
	ck_assert_double_eq_tol(r.s->values[2].v, baro_altitude(100250, 101325), 0.2);
	/* It waited out every conversion: no result was read early. */
	ck_assert_uint_eq(sim_bmp180_early_reads(r.model), 0);
	/* A second read uses the cached calibration and follows the air. */
	sim_bmp180_set(r.model, -5.0, 950.0);
	tu_rig_measure(&r, 5);
	ck_assert_double_eq_tol(r.s->values[0].v, -5.0, 0.051);
	ck_assert_double_eq_tol(r.s->values[1].v, 950.0, 0.02);
	ck_assert_uint_eq(sim_bmp180_early_reads(r.model), 0);
	tu_rig_free(&r);
}
END_TEST

/* A flaky bus (EIO bursts, NACKs, stalls past the deadline): a failed
 * reading never shows a number, the error count is the count of failed
 * readings, and the first good reading after a fault is the air's. */
START_TEST(faults_never_freeze_a_value)
{
	struct tu_rig r;
	const struct sim_faults f = { .eio_rate = 0.04,
		                      .eio_burst = 3,
		                      .nack_rate = 0.03,
		                      .stall_rate = 0.02,
		                      .stall = 0.3,
		                      .seed = 42 };
	int failed = 0, recovered = 0;
	bool last_failed = false;

	rig_init(&r, 0, true, 0);
	sim_set_faults(r.sim, &f);
	for (int i = 0; i < 150; i++) {
		double t = 10 + i * 0.1, hpa = 990 + i * 0.2; /* the air moves */
		sim_bmp180_set(r.model, t, hpa);
		tu_rig_measure(&r, 0.2);
		if (r.s->status == SENSOR_ERROR) {
			failed++;
			for (size_t k = 0; k < r.s->nvalues; k++)
				ck_assert_msg(!r.s->values[k].valid,
				              "a failed reading shows a number");
			ck_assert(r.s->error[0] != '\0');
			last_failed = true;
		} else {
			ck_assert_int_eq(r.s->status, SENSOR_OK);
			ck_assert_double_eq_tol(r.s->values[0].v, t, 0.051);
			ck_assert_double_eq_tol(r.s->values[1].v, hpa,
			                        0.06); /* the model rounds its raw words */
			recovered += last_failed;
			last_failed = false;
		}
		ck_assert_uint_eq(r.s->errors, (uint64_t)failed);
	}
	struct sim_fault_counts n = sim_fault_counts(r.sim);
	ck_assert_msg(n.eio > 0 && n.nack > 0 && n.stall > 0, "eio %llu nack %llu stall %llu",
	              (unsigned long long)n.eio, (unsigned long long)n.nack,
	              (unsigned long long)n.stall);
	ck_assert_int_gt(failed, 5);
	ck_assert_int_gt(recovered, 3);
	/* Faults off: every reading good again. */
	sim_set_faults(r.sim, NULL);
	for (int i = 0; i < 5; i++) {
		tu_rig_measure(&r, 0.2);
		ck_assert_int_eq(r.s->status, SENSOR_OK);
	}
	tu_rig_free(&r);
}
END_TEST

/* Calibrated values: the altitude comes from the calibrated pressure, and
 * the API's raw value is the reading before calibration. */
START_TEST(calibrated_pressure_moves_the_altitude)
{
	struct tu_rig r;

	tu_rig_init(&r, 0);
	r.model = sim_bmp180_new(1);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x77, &sim_bmp180_ops, r.model);
	tu_rig_sensor(&r, "[bmp180 baro]\npressure.offset = 10\n"
	                  "temperature.calibrate = 0 -> 1, 20 -> 19\n");
	sim_bmp180_set(r.model, 21.0, 1003.25);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	const struct sensor_value *t = &r.s->values[0], *p = &r.s->values[1], *a = &r.s->values[2];
	ck_assert(p->calibrated && t->calibrated && !a->calibrated);
	ck_assert_double_eq_tol(p->raw, 1003.25, 0.02);
	ck_assert_double_eq_tol(p->v, 1013.25, 0.02);
	/* At the calibrated 1013.25 hPa the altitude over 1013.25 hPa is 0. */
	ck_assert_double_eq_tol(a->v, 0, 0.2);
	ck_assert_double_eq_tol(t->raw, 21.0, 0.051);
	ck_assert_double_eq_tol(t->v, 1 + 21.0 * 0.9, 0.06);
	tu_rig_free(&r);
}
END_TEST

/* Left to the weather, readings scatter by the datasheet's noise (0.05 hPa
 * RMS in standard mode) around a pressure that barely moves in seconds. */
START_TEST(weather_readings_have_the_chips_noise)
{
	struct tu_rig r;
	double sum = 0, sq = 0, first = 0;
	const int n = 60;

	tu_rig_init(&r, 0);
	r.model = sim_bmp180_new(5);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x77, &sim_bmp180_ops, r.model);
	tu_rig_sensor(&r, "[bmp180 baro]\n");
	for (int i = 0; i < n; i++) {
		tu_rig_measure(&r, 5);
		ck_assert_int_eq(r.s->status, SENSOR_OK);
		double p = r.s->values[1].v;
		first = i == 0 ? p : first;
		ck_assert_msg(fabs(p - first) < 0.5, "%.2f then %.2f hPa", first, p);
		sum += p;
		sq += p * p;
	}
	double mean = sum / n, sd = sqrt(sq / n - mean * mean);
	ck_assert_msg(sd > 0.02 && sd < 0.12, "readings scatter by %.3f hPa", sd);
	ck_assert(mean > 990 && mean < 1036);
	tu_rig_free(&r);
}
END_TEST

START_TEST(missing_device_then_recovery)
{
	struct tu_rig r;

	rig_init(&r, 3, false, 0);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "no device answers at 0x77 on /dev/i2c-1"), "%s",
	              r.s->error);
	ck_assert(!r.s->values[0].valid && !r.s->values[1].valid);
	ck_assert_uint_eq(r.s->errors, 1);

	r.model = sim_bmp180_new(1);
	sim_bmp180_set(r.model, 20.0, 1013.0);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x77, &sim_bmp180_ops, r.model);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert_double_eq_tol(r.s->values[1].v, 1013.0, 0.02);
	ck_assert_uint_eq(r.s->errors, 1);
	tu_rig_free(&r);
}
END_TEST

/* Another chip at the address: refuse it, by its id. */
static int other_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	(void)dev;
	for (size_t i = 0; i < len; i++)
		buf[i] = reg + i == BMP180_REG_ID ? 0x58 : 0; /* a BMP280 */
	return 0;
}
static int other_write(void *dev, uint8_t reg, const uint8_t *buf, size_t len)
{
	(void)dev, (void)reg, (void)buf, (void)len;
	return 0;
}
static void other_destroy(void *dev)
{
	(void)dev;
}
static const struct sim_device_ops other_ops = { other_read, other_write, other_destroy };

START_TEST(wrong_chip_id)
{
	struct tu_rig r;

	rig_init(&r, 0, false, 0);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x77, &other_ops, NULL);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "chip id 0x58") && strstr(r.s->error, "not a BMP180"),
	              "%s", r.s->error);
	tu_rig_free(&r);
}
END_TEST

/* A bus slower than the timeout: the measurement fails, nothing hangs, and
 * the late transfer is cancelled rather than delivered. */
START_TEST(timeout_on_slow_bus)
{
	struct tu_rig r;

	rig_init(&r, 0, true, 0.5);
	tu_rig_measure(&r, 0.1);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "not responding"), "%s", r.s->error);
	ck_assert(!r.s->busy);
	tu_run_for(r.base, 0.7); /* the cancelled transfer must not come back */
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	tu_rig_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bmp180");
	TCase *tc = tcase_create("bmp180");

	tcase_add_test(tc, datasheet_example);
	tcase_add_test(tc, every_oversampling);
	tcase_add_test(tc, every_input_matches_the_datasheet_code);
	tcase_add_test(tc, calibration_parsing);
	tcase_add_test(tc, altitude);
	tcase_add_loop_test(tc, driver_reads_true_values, 0, 4);
	tcase_add_test(tc, missing_device_then_recovery);
	tcase_add_test(tc, weather_readings_have_the_chips_noise);
	tcase_add_test(tc, calibrated_pressure_moves_the_altitude);
	tcase_add_test(tc, faults_never_freeze_a_value);
	tcase_add_test(tc, wrong_chip_id);
	tcase_add_test(tc, timeout_on_slow_bus);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
