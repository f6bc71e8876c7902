/*
 * The MQ135 sensor: one ADS1115 conversion, then the arithmetic of
 * mq135_calc.c. The temperature and humidity correction reads another
 * sensor's latest good value, or configured constants.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ads1115.h"
#include "config.h"
#include "i2c.h"
#include "mq135.h"
#include "sensor.h"
#include "xmalloc.h"

struct mq135 {
	struct ads1115_input in;
	struct mq135_params p;
	struct sensor *temp_src, *hum_src; /* NULL: use the constants */
	double temp, hum;
	double divider; /* sensor volts per ADC volt */
	struct ads1115_read *read;
	size_t v_volts, v_res, v_rzero, v_crzero, v_ppm, v_cppm;
};

/* A correction input: the source sensor's latest good value, or the constant. */
static bool mq135_input(struct sensor *src, const char *name, double constant, double *out)
{
	if (src == NULL) {
		*out = constant;
		return true;
	}
	const struct sensor_value *v = sensor_value(src, name);
	if (v == NULL || !v->valid || src->status == SENSOR_ERROR)
		return false;
	*out = v->v;
	return true;
}

static void mq135_done(void *arg, int err, double volts)
{
	struct sensor *s = arg;
	struct mq135 *m = s->priv;
	char text[SENSOR_ERROR_MAX];

	m->read = NULL;
	volts *= m->divider;
	if (err == EINPROGRESS) {
		sensor_fail(
		        s, "the ADC at 0x%02x on %s never finished a conversion: is it an ADS1115?",
		        m->in.addr, m->in.bus->path);
		return;
	}
	if (err != 0) {
		i2c_describe_error(text, sizeof text, err, m->in.bus->path, m->in.addr);
		sensor_fail(s, "ADS1115: %s", text);
		return;
	}
	double rs = mq135_resistance(&m->p, volts);
	if (rs <= 0) {
		sensor_fail(
		        s, "MQ135 output at %.3f V is outside 0-%.1f V: check its power and wiring",
		        volts, m->p.supply);
		return;
	}
	sensor_set(s, m->v_volts, volts);
	sensor_set(s, m->v_res, rs);
	sensor_set(s, m->v_rzero, mq135_rzero(&m->p, rs));
	sensor_set(s, m->v_ppm, mq135_ppm(&m->p, rs));
	double t, h;
	if (mq135_input(m->temp_src, "temperature", m->temp, &t) &&
	    mq135_input(m->hum_src, "humidity", m->hum, &h)) {
		double crs = rs / mq135_correction(&m->p, t, h);
		sensor_set(s, m->v_crzero, mq135_rzero(&m->p, crs));
		sensor_set(s, m->v_cppm, mq135_ppm(&m->p, crs));
	} else {
		/* No number rather than a wrong one: the source has no good reading. */
		s->values[m->v_crzero].valid = false;
		s->values[m->v_cppm].valid = false;
	}
	sensor_done(s);
}

static void mq135_start(struct sensor *s)
{
	struct mq135 *m = s->priv;

	m->read = ads1115_read(s->base, &m->in, mq135_done, s);
}

static void mq135_cancel(struct sensor *s)
{
	struct mq135 *m = s->priv;

	ads1115_cancel(m->read);
	m->read = NULL;
}

static void mq135_destroy(struct sensor *s)
{
	mq135_cancel(s);
	free(s->priv);
}

static const struct sensor_ops mq135_ops = {
	.type = "mq135",
	.start = mq135_start,
	.cancel = mq135_cancel,
	.destroy = mq135_destroy,
};

void mq135_use(struct sensor *s, struct sensor *temp, struct sensor *hum)
{
	struct mq135 *m = s->priv;

	m->temp_src = temp;
	m->hum_src = hum;
}

struct sensor *mq135_sensor_new(const struct sensor_conf *sc, struct i2c_bus *bus)
{
	struct mq135 *m = xcalloc(1, sizeof *m);

	m->in.bus = bus;
	m->in.addr = (uint8_t)sc->address;
	m->in.channel = sc->channel;
	m->in.range = ads1115_range_index(sc->range);
	m->in.rate = ads1115_rate_index(sc->data_rate);
	m->p = sc->mq;
	m->divider = sc->divider;
	m->temp = sc->temperature;
	m->hum = sc->humidity;
	struct sensor *s = sensor_new(&mq135_ops, sc->name, m);
	m->v_volts = sensor_add_value(s, "voltage", "V", 3, false);
	m->v_res = sensor_add_value(s, "resistance", "kΩ", 2, false);
	m->v_rzero = sensor_add_value(s, "rzero", "kΩ", 2, false);
	m->v_crzero = sensor_add_value(s, "corrected_rzero", "kΩ", 2, false);
	m->v_ppm = sensor_add_value(s, "ppm", "ppm", 0, false);
	m->v_cppm = sensor_add_value(s, "corrected_ppm", "ppm", 0, false);
	snprintf(s->where, sizeof s->where, "AIN%u of ADS1115 0x%02x on %s", sc->channel,
	         m->in.addr, bus->path);
	return s;
}
