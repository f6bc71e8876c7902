/* ADS1115 register arithmetic, MQ135 arithmetic, and the MQ135 sensor
 * against a simulated ADS1115. */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ads1115.h"
#include "config.h"
#include "i2c.h"
#include "mq135.h"
#include "sensor.h"
#include "sim.h"
#include "testutil.h"

extern const struct driver mq135_driver;

/* The [mq135] section's defaults, as its key table gives them. */
static void defaults(struct mq135_params *p)
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	ck_assert(config_parse(&cfg, "t", "[mq135 air]\n", &e) == 0);
	buf_free(&e);
	*p = config_driver_conf(&cfg.sensors[0], struct mq135_conf)->mq;
}

START_TEST(config_word)
{
	/* OS | MUX 100 (AIN0) | PGA 001 (4.096 V) | single shot | DR 100 (128/s) | comparator off
	 */
	ck_assert_uint_eq(ads1115_config(0, ads1115_range_index(4.096), ads1115_rate_index(128)),
	                  0xC383);
	/* AIN3, 0.256 V, 860/s */
	ck_assert_uint_eq(ads1115_config(3, ads1115_range_index(0.256), ads1115_rate_index(860)),
	                  0xFBE3);
	/* AIN1, 6.144 V, 8/s */
	ck_assert_uint_eq(ads1115_config(1, ads1115_range_index(6.144), ads1115_rate_index(8)),
	                  0xD103);
	ck_assert_int_eq(ads1115_range_index(3.3), -1);
	ck_assert_int_eq(ads1115_rate_index(100), -1);
	/* One period at the rate, 10% oscillator tolerance, 100 us wake-up. */
	ck_assert_uint_eq(ads1115_conversion_us(ads1115_rate_index(128)), 8693);
	ck_assert_uint_eq(ads1115_conversion_us(ads1115_rate_index(860)), 1379);
}
END_TEST

START_TEST(conversion_to_volts)
{
	int r = ads1115_range_index(4.096);
	uint8_t full[2] = { 0x7F, 0xFF }, neg[2] = { 0x80, 0x00 }, mid[2] = { 0x40, 0x00 };

	ck_assert_double_eq_tol(ads1115_volts(full, r), 4.096 * 32767 / 32768, 1e-9);
	ck_assert_double_eq_tol(ads1115_volts(neg, r), -4.096, 1e-9);
	ck_assert_double_eq_tol(ads1115_volts(mid, r), 2.048, 1e-9);
}
END_TEST

START_TEST(mq135_arithmetic)
{
	struct mq135_params p;

	defaults(&p);
	/* Half the supply across the load: the sensor equals the load resistor. */
	ck_assert_double_eq_tol(mq135_resistance(&p, 2.5), 10.0, 1e-9);
	ck_assert_double_eq_tol(mq135_resistance(&p, 1.0), 40.0, 1e-9);
	ck_assert(mq135_resistance(&p, 0) < 0);
	ck_assert(mq135_resistance(&p, 5.0) < 0);
	/* At rs = rzero the curve gives PARA ppm. */
	ck_assert_double_eq_tol(mq135_ppm(&p, p.rzero), 116.6020682, 1e-6);
	/* More gas, lower resistance, more ppm. */
	ck_assert(mq135_ppm(&p, 30) > mq135_ppm(&p, 40));
	/* Calibrating: with rzero taken from a reading in outside air, that reading
	 * shows the atmosphere's CO2. */
	struct mq135_params cal = p;
	cal.rzero = mq135_rzero(&p, 47.0);
	ck_assert_double_eq_tol(mq135_ppm(&cal, 47.0), p.atmoco2, 1e-6);
	/* The constants make the correction 1 at 20 degC and 33 %RH. */
	ck_assert_double_eq_tol(mq135_correction(&p, 20, 33), 1.0, 1e-6);
	/* Below 20 degC the other branch: CORA t^2 - CORB t + CORC - (h - 33) CORD. */
	ck_assert_double_eq_tol(mq135_correction(&p, 10, 33),
	                        0.00035 * 100 - 0.02718 * 10 + 1.39538, 1e-9);
	ck_assert_double_eq_tol(mq135_correction(&p, 25, 60),
	                        -0.003333333 * 25 - 0.001923077 * 60 + 1.130128205, 1e-9);
}
END_TEST

/* A stand-in for the correction's source sensor. */
static void nop(struct sensor *s)
{
	(void)s;
}
static const struct sensor_ops src_ops = { "bme280", NULL, NULL, nop, nop, nop };

static struct sensor *found;

static struct sensor *find(void *ctx, const char *name)
{
	(void)ctx;
	return name[0] != '\0' ? found : NULL;
}

static void rig_init(struct tu_rig *r, bool attach)
{
	tu_rig_init(r, 0);
	if (attach) {
		r->model = sim_ads1115_new(0.88, 1);
		sim_i2c_attach(r->sim, "/dev/i2c-1", 0x48, &sim_ads1115_ops, r->model);
	}
	tu_rig_sensor(r, "[mq135 air]\nchannel = 2\n");
}

static double val(const struct sensor *s, const char *name)
{
	const struct sensor_value *v = sensor_value(s, name);

	ck_assert_ptr_nonnull(v);
	ck_assert_msg(v->valid, "%s is not valid", name);
	return v->v;
}

START_TEST(reads_through_the_adc)
{
	struct tu_rig r;
	struct mq135_params p;

	defaults(&p);
	rig_init(&r, true);
	sim_ads1115_set(r.model, 2, 1.0);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert_double_eq_tol(val(r.s, "voltage"), 1.0, 0.0002);
	ck_assert_double_eq_tol(val(r.s, "resistance"), 40.0, 0.01);
	ck_assert_double_eq_tol(val(r.s, "ppm"), mq135_ppm(&p, 40.0), 0.1);
	ck_assert_double_eq_tol(val(r.s, "rzero"), mq135_rzero(&p, 40.0), 0.01);
	/* The constants 20 degC / 33 %RH make the correction 1. */
	ck_assert_double_eq_tol(val(r.s, "corrected_ppm"), val(r.s, "ppm"), 0.01);
	ck_assert_uint_eq(sim_ads1115_early_reads(r.model), 0);
	tu_rig_free(&r);
}
END_TEST

START_TEST(correction_from_another_sensor)
{
	struct tu_rig r;
	struct mq135_params p;

	defaults(&p);
	rig_init(&r, true);
	static const struct value_spec th[] = {
		{ "temperature", Q_TEMPERATURE, 2, NULL, NULL },
		{ "humidity", Q_HUMIDITY, 0, NULL, NULL },
		{ NULL, 0, 0, NULL, NULL },
	};
	static struct config cfg;
	struct buf e;
	struct sensor *env = sensor_new(&src_ops, "env", NULL);
	size_t t = 0, h = 1;

	sensor_add_values(env, th);
	buf_init(&e);
	ck_assert(config_parse(&cfg, "t",
	                       "[mq135 air]\ntemperature_from = env\nhumidity_from = env\n"
	                       "[bme280 env]\n",
	                       &e) == 0);
	buf_free(&e);
	found = env;
	mq135_driver.link(r.s, &cfg.sensors[0], find, NULL);
	sim_ads1115_set(r.model, 2, 1.0);

	/* No good reading from the source yet: no corrected numbers. */
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_OK);
	ck_assert(!sensor_value(r.s, "corrected_ppm")->valid);
	ck_assert(!sensor_value(r.s, "corrected_rzero")->valid);
	ck_assert(sensor_value(r.s, "ppm")->valid);
	ck_assert_str_eq(sensor_value(r.s, "corrected_ppm")->why, "waiting for env's temperature");
	ck_assert_str_eq(sensor_value(r.s, "corrected_rzero")->why,
	                 "waiting for env's temperature");
	ck_assert_str_eq(sensor_value(r.s, "ppm")->why, "");
	/* The source fails: the reason says so. */
	env->status = SENSOR_ERROR;
	tu_rig_measure(&r, 5);
	ck_assert_str_eq(sensor_value(r.s, "corrected_ppm")->why, "no temperature: env is failing");

	env->status = SENSOR_OK;
	sensor_set(env, t, 10.0);
	sensor_set(env, h, 80.0);
	tu_rig_measure(&r, 5);
	double crs = 40.0 / mq135_correction(&p, 10.0, 80.0);
	ck_assert_double_eq_tol(val(r.s, "corrected_ppm"), mq135_ppm(&p, crs), 0.1);
	ck_assert_double_eq_tol(val(r.s, "corrected_rzero"), mq135_rzero(&p, crs), 0.01);
	ck_assert_str_eq(sensor_value(r.s, "corrected_ppm")->why, "");

	/* A calibrated source: the correction uses the calibrated temperature. */
	sensor_calibrate(env, t, 1, -2.5);
	sensor_set(env, t, 12.5); /* shows 10.0 */
	tu_rig_measure(&r, 5);
	ck_assert_double_eq_tol(val(r.s, "corrected_ppm"), mq135_ppm(&p, crs), 0.1);
	free(env->name);
	free(env);
	tu_rig_free(&r);
}
END_TEST

START_TEST(unpowered_sensor)
{
	struct tu_rig r;

	rig_init(&r, true);
	sim_ads1115_set(r.model, 2, 0.0);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "outside 0-5.0 V: check its power"), "%s", r.s->error);
	for (size_t i = 0; i < r.s->nvalues; i++)
		ck_assert(!r.s->values[i].valid);
	tu_rig_free(&r);
}
END_TEST

START_TEST(missing_adc)
{
	struct tu_rig r;

	rig_init(&r, false);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "ADS1115: no device answers at 0x48 on /dev/i2c-1"), "%s",
	              r.s->error);
	tu_rig_free(&r);
}
END_TEST

/* A chip whose conversions never finish (OS stays 0): a clear timeout. */
static int stuck_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	(void)dev, (void)reg;
	for (size_t i = 0; i < len; i++)
		buf[i] = 0;
	return 0;
}
static int stuck_write(void *dev, uint8_t reg, const uint8_t *buf, size_t len)
{
	(void)dev, (void)reg, (void)buf, (void)len;
	return 0;
}
static void stuck_destroy(void *dev)
{
	(void)dev;
}
static const struct sim_device_ops stuck_ops = { stuck_read, stuck_write, stuck_destroy };

START_TEST(conversion_that_never_ends)
{
	struct tu_rig r;

	rig_init(&r, false);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x48, &stuck_ops, NULL);
	tu_rig_measure(&r, 5);
	ck_assert_int_eq(r.s->status, SENSOR_ERROR);
	ck_assert_msg(strstr(r.s->error, "never finished a conversion: is it an ADS1115?"), "%s",
	              r.s->error);
	tu_rig_free(&r);
}
END_TEST

START_TEST(config)
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	ck_assert_int_eq(config_parse(&cfg, "t",
	                              "[mq135 a]\nrange = 2.048\ndata_rate = 860\nrzero = 55.1\n"
	                              "voltage_divider = 1.5\ntemperature_from = env\n"
	                              "[mq135 b]\nchannel = 1\nhumidity = 50\n[bme280 env]\n",
	                              &e),
	                 0);
	const struct mq135_conf *a = config_driver_conf(&cfg.sensors[0], struct mq135_conf);
	ck_assert_double_eq(a->range, 2.048);
	ck_assert_uint_eq(a->data_rate, 860);
	ck_assert_double_eq(a->mq.rzero, 55.1);
	ck_assert_double_eq(a->mq.rload, 10.0);
	ck_assert_double_eq(a->divider, 1.5);
	ck_assert_uint_eq(a->i2c.address, 0x48);
	ck_assert_str_eq(a->temperature_from, "env");
	ck_assert_double_eq(config_driver_conf(&cfg.sensors[1], struct mq135_conf)->humidity, 50);

	static const char *bad[][2] = {
		{ "[mq135 a]\nrange = 3.3\n", "t:2: 'range' must be one of 6.144, 4.096" },
		{ "[mq135 a]\ndata_rate = 100\n", "t:2: 'data_rate' must be one of 8, 16" },
		{ "[mq135 a]\nchannel = 4\n", "t:2: 'channel' must be a whole number from 0 to 3" },
		{ "[mq135 a]\ntemperature_from = nope\n",
		  "t:1: [mq135 a]: temperature_from = nope names no other sensor" },
		{ "[mq135 a]\nhumidity_from = b\n[bmp180 b]\n",
		  "t:1: [mq135 a]: humidity_from = b, a bmp180, which measures no humidity" },
		{ "[mq135 a]\n[mq135 b]\n", "t:2: 'a' and 'b' both use address 0x48" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&e);
		ck_assert_int_eq(config_parse(&cfg, "t", bad[i][0], &e), -1);
		ck_assert_msg(strstr(e.data, bad[i][1]), "wanted \"%s\" in %s", bad[i][1], e.data);
	}
	buf_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mq135");
	TCase *tc = tcase_create("mq135");

	tcase_add_test(tc, config_word);
	tcase_add_test(tc, conversion_to_volts);
	tcase_add_test(tc, mq135_arithmetic);
	tcase_add_test(tc, reads_through_the_adc);
	tcase_add_test(tc, correction_from_another_sensor);
	tcase_add_test(tc, unpowered_sensor);
	tcase_add_test(tc, missing_adc);
	tcase_add_test(tc, conversion_that_never_ends);
	tcase_add_test(tc, config);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
