/*
 * The BME280/BMP280 driver: forced mode, one measurement per request. The
 * wait is a timer sized by the datasheet's maximum measurement time for the
 * configured oversampling; nothing sleeps or polls.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#include "baro.h"
#include "bme280.h"
#include "buf.h"
#include "driver.h"
#include "i2c.h"
#include "loop.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

enum step { IDLE, READ_ID, READ_TP, READ_H, WRITE_HUM, WRITE_MEAS, WAIT, READ_DATA };

struct bme280 {
	struct i2c_bus *bus;
	uint8_t addr;
	bool humidity;             /* a BME280; a BMP280 has none */
	unsigned os_t, os_p, os_h; /* oversampling counts */
	double sea_level_pa, altitude_offset;

	bool calibrated;
	uint8_t tp[BME280_CALIB_TP_LEN];
	struct bme280_calib calib;

	enum step step;
	struct i2c_req *req;
	struct event *wait;
	uint8_t buf[BME280_CALIB_TP_LEN];
	size_t v_temp, v_pressure, v_humidity, v_altitude; /* the two kinds' lists differ */
};

extern const struct driver bme280_driver;

static void bme280_step(int err, void *arg);

static void bme280_read(struct sensor *s, enum step step, uint8_t reg, size_t len)
{
	struct bme280 *b = s->priv;

	b->step = step;
	b->req = i2c_read(b->bus, b->addr, reg, b->buf, len, bme280_step, s);
}

static void bme280_write(struct sensor *s, enum step step, uint8_t reg, uint8_t value)
{
	struct bme280 *b = s->priv;

	b->step = step;
	b->req = i2c_write(b->bus, b->addr, reg, &value, 1, bme280_step, s);
}

/* ctrl_hum first (it takes effect with the next ctrl_meas write), then
 * ctrl_meas in forced mode starts one measurement. */
static void bme280_trigger(struct sensor *s)
{
	struct bme280 *b = s->priv;

	if (b->humidity && b->step != WRITE_HUM)
		bme280_write(s, WRITE_HUM, BME280_REG_CTRL_HUM, (uint8_t)bme280_osrs(b->os_h));
	else
		bme280_write(s, WRITE_MEAS, BME280_REG_CTRL_MEAS,
		             (uint8_t)(bme280_osrs(b->os_t) << 5 | bme280_osrs(b->os_p) << 2 |
		                       BME280_MODE_FORCED));
}

static void bme280_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bme280_step(0, arg);
}

/* Compensate and publish, or refuse readings outside the chip's range. */
static void bme280_finish(struct sensor *s)
{
	struct bme280 *b = s->priv;
	const uint8_t *d = b->buf;
	int32_t adc_p = (int32_t)((uint32_t)d[0] << 12 | (uint32_t)d[1] << 4 | d[2] >> 4);
	int32_t adc_t = (int32_t)((uint32_t)d[3] << 12 | (uint32_t)d[4] << 4 | d[5] >> 4);
	int32_t t_fine;

	b->step = IDLE;
	if (adc_t == 0x80000 || adc_p == 0x80000) {
		/* The reset value: the chip did not measure. */
		sensor_fail(s,
		            "the chip returned no measurement (result registers at reset value)");
		return;
	}
	int32_t t = bme280_temperature(&b->calib, adc_t, &t_fine);
	uint32_t p = bme280_pressure(&b->calib, adc_p, t_fine); /* Pa * 256 */
	/* Datasheet operating range: 300-1100 hPa, -40 to +85 degC. */
	if (p < 30000u * 256 || p > 110000u * 256 || t < -4000 || t > 8500) {
		b->calibrated = false;
		sensor_fail(s, "implausible reading (%.2f degC, %.2f hPa): check the chip",
		            t / 100.0, p / 25600.0);
		return;
	}
	sensor_set_fixed(s, b->v_temp, t, 100);
	sensor_set_fixed(s, b->v_pressure, p, 25600);
	/* From the pressure as calibrated. */
	sensor_set(s, b->v_altitude,
	           baro_altitude(s->values[b->v_pressure].v * 100, b->sea_level_pa) +
	                   b->altitude_offset);
	if (b->humidity) {
		int32_t adc_h = d[6] << 8 | d[7];
		sensor_set_fixed(s, b->v_humidity, bme280_humidity(&b->calib, adc_h, t_fine), 1024);
	}
	sensor_done(s);
}

/* Advance the measurement after a transfer or the wait finished. */
static void bme280_step(int err, void *arg)
{
	struct sensor *s = arg;
	struct bme280 *b = s->priv;
	uint8_t want = b->humidity ? BME280_CHIP_ID : BMP280_CHIP_ID;

	b->req = NULL;
	if (err != 0) {
		char text[SENSOR_ERROR_MAX];
		b->step = IDLE;
		b->calibrated = false;
		i2c_describe_error(text, sizeof text, err, b->bus->path, b->addr);
		sensor_fail(s, "%s", text);
		return;
	}
	switch (b->step) {
	case READ_ID:
		if (b->buf[0] != want) {
			b->step = IDLE;
			sensor_fail(s, "chip id 0x%02x at 0x%02x on %s is not a %s's (0x%02x)%s",
			            b->buf[0], b->addr, b->bus->path, s->ops->type, want,
			            b->buf[0] == (b->humidity ? BMP280_CHIP_ID : BME280_CHIP_ID)
			                    ? (b->humidity ? ": it is a BMP280, configure [bmp280]"
			                                   : ": it is a BME280, configure [bme280]")
			                    : "");
			return;
		}
		bme280_read(s, READ_TP, BME280_REG_CALIB_TP, BME280_CALIB_TP_LEN);
		return;
	case READ_TP:
		for (size_t i = 0; i < BME280_CALIB_TP_LEN; i++)
			b->tp[i] = b->buf[i];
		if (b->humidity) {
			bme280_read(s, READ_H, BME280_REG_CALIB_H, BME280_CALIB_H_LEN);
			return;
		}
		bme280_parse_calib(b->tp, NULL, &b->calib);
		b->calibrated = true;
		bme280_trigger(s);
		return;
	case READ_H:
		bme280_parse_calib(b->tp, b->buf, &b->calib);
		b->calibrated = true;
		bme280_trigger(s);
		return;
	case WRITE_HUM: bme280_trigger(s); return;
	case WRITE_MEAS: {
		unsigned us = bme280_measure_us(b->os_t, b->os_p, b->humidity ? b->os_h : 0);
		struct timeval tv = loop_timeval(us / 1e6);
		b->step = WAIT;
		evtimer_add(b->wait, &tv);
		return;
	}
	case WAIT: bme280_read(s, READ_DATA, BME280_REG_DATA, b->humidity ? 8 : 6); return;
	case READ_DATA: bme280_finish(s); return;
	case IDLE: break;
	}
}

static void bme280_start(struct sensor *s)
{
	struct bme280 *b = s->priv;

	if (b->wait == NULL)
		b->wait = evtimer_new(s->base, bme280_wait_cb, s);
	b->step = IDLE;
	if (!b->calibrated)
		bme280_read(s, READ_ID, BME280_REG_ID, 1);
	else
		bme280_trigger(s);
}

static void bme280_cancel(struct sensor *s)
{
	struct bme280 *b = s->priv;

	i2c_cancel(b->req);
	b->req = NULL;
	if (b->wait != NULL)
		evtimer_del(b->wait);
	b->step = IDLE;
}

static void bme280_destroy(struct sensor *s)
{
	struct bme280 *b = s->priv;

	bme280_cancel(s);
	if (b->wait != NULL)
		event_free(b->wait);
	free(b);
}

static const struct sensor_ops bme280_ops = {
	.type = "bme280",
	.start = bme280_start,
	.cancel = bme280_cancel,
	.destroy = bme280_destroy,
};

static const struct sensor_ops bmp280_ops = {
	.type = "bmp280",
	.start = bme280_start,
	.cancel = bme280_cancel,
	.destroy = bme280_destroy,
};

static struct sensor *bme280_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	const struct bme280_conf *c = config_driver_conf(sc, struct bme280_conf);
	struct bme280 *b = xcalloc(1, sizeof *b);

	b->bus = env->bus(env->ctx, c->i2c.bus);
	b->addr = (uint8_t)c->i2c.address;
	b->humidity = sc->driver == &bme280_driver;
	b->os_t = c->os_t;
	b->os_p = c->os_p;
	b->os_h = c->os_h;
	b->sea_level_pa = c->sea_level * 100.0;
	b->altitude_offset = c->altitude_offset;
	struct sensor *s = driver_sensor_new(sc, b->humidity ? &bme280_ops : &bmp280_ops, b);
	b->v_temp = sensor_value_index(s, "temperature");
	b->v_pressure = sensor_value_index(s, "pressure");
	b->v_humidity = b->humidity ? sensor_value_index(s, "humidity") : 0;
	b->v_altitude = sensor_value_index(s, "altitude");
	return s;
}

static void bme280_simulate(struct sim *sim, const struct sensor_conf *sc)
{
	const struct i2c_conf *c = driver_i2c(sc);

	sim_i2c_attach(sim, c->bus, (uint8_t)c->address, &sim_bme280_ops,
	               sim_bme280_new(sc->driver == &bme280_driver, sim_seed(sim)));
}

static bool parse_osrs(const char *v, void *dst)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *v == '-' || *end != '\0' || bme280_osrs((unsigned)n) <= 0 || n > 16)
		return false;
	*(unsigned *)dst = (unsigned)n;
	return true;
}

static void osrs_allowed(struct buf *b)
{
	buf_puts(b, "1, 2, 4, 8 or 16");
}

#define OSRS(f, name, what)                                                                        \
	CONF_KEY_CUSTOM(struct bme280_conf, f, name, parse_osrs, osrs_allowed, "1",                \
	                "samples averaged per " what " reading (more: less noise, longer)")

/* Most BME280 and BMP280 boards strap the address to 0x76; one sample each
 * is Bosch's choice for weather monitoring. */
#define BARO_KEYS_BEFORE                                                                           \
	DRIVER_I2C_KEYS(struct bme280_conf, "0x76"),                                               \
	        OSRS(os_t, "oversampling_temperature", "temperature"),                             \
	        OSRS(os_p, "oversampling_pressure", "pressure")
#define BARO_KEYS_AFTER                                                                            \
	CONF_KEY_NUM(struct bme280_conf, sea_level, "sea_level_pressure", 300, 1100, "1013.25",    \
	             "today's sea-level pressure in hPa, for the altitude"),                       \
	        CONF_KEY_NUM(struct bme280_conf, altitude_offset, "altitude_offset", -1000, 10000, \
	                     NULL, "metres added to the altitude, to correct a known error")

static const struct conf_key bme280_keys[] = {
	BARO_KEYS_BEFORE,
	OSRS(os_h, "oversampling_humidity", "humidity"),
	BARO_KEYS_AFTER,
	CONF_KEY_END,
};

static const struct conf_key bmp280_keys[] = {
	BARO_KEYS_BEFORE,
	BARO_KEYS_AFTER,
	CONF_KEY_END,
};

static const struct value_spec bme280_values[] = {
	{ "temperature", Q_TEMPERATURE, 2, NULL, NULL },
	{ "pressure", Q_PRESSURE, 0, NULL, NULL },
	{ "humidity", Q_HUMIDITY, 0, NULL, NULL },
	{ "altitude", Q_ALTITUDE, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct value_spec bmp280_values[] = {
	{ "temperature", Q_TEMPERATURE, 2, NULL, NULL },
	{ "pressure", Q_PRESSURE, 0, NULL, NULL },
	{ "altitude", Q_ALTITUDE, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct driver bme280_driver = {
	.kind = "bme280",
	.summary = "A Bosch BME280 (temperature, pressure, humidity) on I2C.",
	.wiring = DRIVER_I2C,
	.keys = bme280_keys,
	.conf_size = sizeof(struct bme280_conf),
	.values = bme280_values,
	.create = bme280_create,
	.simulate = bme280_simulate,
};

const struct driver bmp280_driver = {
	.kind = "bmp280",
	.summary = "A Bosch BMP280 (a BME280 without humidity) on I2C.",
	.wiring = DRIVER_I2C,
	.keys = bmp280_keys,
	.conf_size = sizeof(struct bme280_conf),
	.values = bmp280_values,
	.create = bme280_create,
	.simulate = bme280_simulate,
};
