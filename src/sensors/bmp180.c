/*
 * The BMP180 driver: an asynchronous state machine over the I2C bus
 * interface. Conversion waits are libevent timers sized by the datasheet;
 * nothing sleeps or polls.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#include "baro.h"
#include "bmp180.h"
#include "driver.h"
#include "i2c.h"
#include "loop.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

enum { V_TEMPERATURE, V_PRESSURE, V_ALTITUDE };

enum step {
	IDLE,
	READ_ID,
	READ_CALIB,
	START_T, /* control write for a temperature conversion in flight */
	WAIT_T,
	READ_T,
	START_P,
	WAIT_P,
	READ_P,
};

struct bmp180 {
	struct i2c_bus *bus;
	uint8_t addr;
	unsigned oss;
	double sea_level_pa, altitude_offset;

	bool calibrated;
	struct bmp180_calib calib;

	enum step step;
	struct i2c_req *req;
	struct event *wait;
	uint8_t buf[BMP180_CALIB_LEN];
	int32_t ut;
};

static void bmp180_step(int err, void *arg);

static void bmp180_read(struct sensor *s, enum step step, uint8_t reg, size_t len)
{
	struct bmp180 *b = s->priv;

	b->step = step;
	b->req = i2c_read(b->bus, b->addr, reg, b->buf, len, bmp180_step, s);
}

static void bmp180_command(struct sensor *s, enum step step, uint8_t cmd)
{
	struct bmp180 *b = s->priv;

	b->step = step;
	b->req = i2c_write(b->bus, b->addr, BMP180_REG_CTRL, &cmd, 1, bmp180_step, s);
}

/* Wait out a conversion on a timer, then go on with step. */
static void bmp180_wait(struct sensor *s, enum step step, int oss)
{
	struct bmp180 *b = s->priv;
	unsigned us = bmp180_conversion_us(oss);
	struct timeval tv = loop_timeval(us / 1e6);

	b->step = step;
	evtimer_add(b->wait, &tv);
}

static void bmp180_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bmp180_step(0, arg);
}

static void bmp180_fail_io(struct sensor *s, int err)
{
	struct bmp180 *b = s->priv;
	char text[SENSOR_ERROR_MAX];

	b->step = IDLE;
	b->calibrated = false; /* the device may come back as another one */
	i2c_describe_error(text, sizeof text, err, b->bus->path, b->addr);
	sensor_fail(s, "%s", text);
}

/* Compensate and publish, or refuse readings outside the chip's range. */
static void bmp180_finish(struct sensor *s, int32_t up)
{
	struct bmp180 *b = s->priv;
	int32_t t, p;

	b->step = IDLE;
	if (!bmp180_compensate(&b->calib, b->ut, up, b->oss, &t, &p)) {
		b->calibrated = false;
		sensor_fail(s, "calibration data make no sense: will read it again");
		return;
	}
	/* Datasheet operating range: 300-1100 hPa, -40 to +85 degC. */
	if (p < 30000 || p > 110000 || t < -400 || t > 850) {
		b->calibrated = false;
		sensor_fail(s, "implausible reading (%.1f degC, %.2f hPa): check the chip",
		            t / 10.0, p / 100.0);
		return;
	}
	sensor_set_fixed(s, V_TEMPERATURE, t, 10);
	sensor_set_fixed(s, V_PRESSURE, p, 100);
	/* From the pressure as calibrated. */
	sensor_set(s, V_ALTITUDE,
	           baro_altitude(s->values[V_PRESSURE].v * 100, b->sea_level_pa) +
	                   b->altitude_offset);
	sensor_done(s);
}

/* Advance the measurement after a transfer or a wait finished. */
static void bmp180_step(int err, void *arg)
{
	struct sensor *s = arg;
	struct bmp180 *b = s->priv;

	b->req = NULL;
	if (err != 0) {
		bmp180_fail_io(s, err);
		return;
	}
	switch (b->step) {
	case READ_ID:
		if (b->buf[0] != BMP180_CHIP_ID) {
			b->step = IDLE;
			sensor_fail(s, "chip id 0x%02x at 0x%02x on %s is not a BMP180's (0x%02x)",
			            b->buf[0], b->addr, b->bus->path, BMP180_CHIP_ID);
			return;
		}
		bmp180_read(s, READ_CALIB, BMP180_REG_CALIB, BMP180_CALIB_LEN);
		return;
	case READ_CALIB:
		if (!bmp180_parse_calib(b->buf, &b->calib)) {
			b->step = IDLE;
			sensor_fail(s,
			            "calibration EEPROM reads back 0x0000 or 0xFFFF: check wiring");
			return;
		}
		b->calibrated = true;
		bmp180_command(s, START_T, BMP180_CMD_TEMP);
		return;
	case START_T: bmp180_wait(s, WAIT_T, -1); return;
	case WAIT_T: bmp180_read(s, READ_T, BMP180_REG_OUT, 2); return;
	case READ_T:
		b->ut = b->buf[0] << 8 | b->buf[1];
		bmp180_command(s, START_P, (uint8_t)(BMP180_CMD_PRESSURE | b->oss << 6));
		return;
	case START_P: bmp180_wait(s, WAIT_P, (int)b->oss); return;
	case WAIT_P: bmp180_read(s, READ_P, BMP180_REG_OUT, 3); return;
	case READ_P: bmp180_finish(s, bmp180_raw_pressure(b->buf, b->oss)); return;
	case IDLE: break;
	}
}

static void bmp180_start(struct sensor *s)
{
	struct bmp180 *b = s->priv;

	if (b->wait == NULL)
		b->wait = evtimer_new(s->base, bmp180_wait_cb, s);
	if (b->calibrated)
		bmp180_command(s, START_T, BMP180_CMD_TEMP);
	else
		bmp180_read(s, READ_ID, BMP180_REG_ID, 1);
}

static void bmp180_cancel(struct sensor *s)
{
	struct bmp180 *b = s->priv;

	i2c_cancel(b->req);
	b->req = NULL;
	if (b->wait != NULL)
		evtimer_del(b->wait);
	b->step = IDLE;
}

static void bmp180_destroy(struct sensor *s)
{
	struct bmp180 *b = s->priv;

	bmp180_cancel(s);
	if (b->wait != NULL)
		event_free(b->wait);
	free(b);
}

static const struct sensor_ops bmp180_ops = {
	.type = "bmp180",
	.start = bmp180_start,
	.cancel = bmp180_cancel,
	.destroy = bmp180_destroy,
};

static struct sensor *bmp180_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	const struct bmp180_conf *c = config_driver_conf(sc, struct bmp180_conf);
	struct bmp180 *b = xcalloc(1, sizeof *b);

	b->bus = env->bus(env->ctx, c->i2c.bus);
	b->addr = (uint8_t)c->i2c.address;
	b->oss = c->oversampling;
	b->sea_level_pa = c->sea_level * 100.0;
	b->altitude_offset = c->altitude_offset;
	return driver_sensor_new(sc, &bmp180_ops, b);
}

static void bmp180_simulate(struct sim *sim, const struct sensor_conf *sc)
{
	const struct i2c_conf *c = driver_i2c(sc);

	sim_i2c_attach(sim, c->bus, (uint8_t)c->address, &sim_bmp180_ops,
	               sim_bmp180_new(sim_seed(sim)));
}

static const struct conf_key bmp180_keys[] = {
	DRIVER_I2C_KEYS(struct bmp180_conf, "0x77"),
	CONF_KEY_UINT(struct bmp180_conf, oversampling, "oversampling", 0, 3, "3",
	              "0 (4.5 ms, noisiest) to 3 (25.5 ms, finest)"),
	CONF_KEY_NUM(struct bmp180_conf, sea_level, "sea_level_pressure", 300, 1100, "1013.25",
	             "today's sea-level pressure in hPa, for the altitude"),
	CONF_KEY_NUM(struct bmp180_conf, altitude_offset, "altitude_offset", -1000, 10000, NULL,
	             "metres added to the altitude, to correct a known error"),
	CONF_KEY_END,
};

static const struct value_spec bmp180_values[] = {
	[V_TEMPERATURE] = { "temperature", Q_TEMPERATURE, 0, NULL, NULL },
	[V_PRESSURE] = { "pressure", Q_PRESSURE, 0, NULL, NULL },
	[V_ALTITUDE] = { "altitude", Q_ALTITUDE, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL },
};

const struct driver bmp180_driver = {
	.kind = "bmp180",
	.summary = "A Bosch BMP180 barometer on I2C.",
	.wiring = DRIVER_I2C,
	.keys = bmp180_keys,
	.conf_size = sizeof(struct bmp180_conf),
	.values = bmp180_values,
	.create = bmp180_create,
	.simulate = bmp180_simulate,
};
