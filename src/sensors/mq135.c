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
#include "buf.h"
#include "driver.h"
#include "i2c.h"
#include "mq135.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

enum { V_VOLTAGE, V_RESISTANCE, V_RZERO, V_CRZERO, V_PPM, V_CPPM };

struct mq135 {
	struct ads1115_input in;
	struct mq135_params p;
	struct sensor *temp_src, *hum_src; /* NULL: use the constants */
	double temp, hum;
	double divider; /* sensor volts per ADC volt */
	struct ads1115_read *read;
};

/* A correction input: the source sensor's latest good value, or the
 * constant. Without one, why says what is missing. */
static bool mq135_input(struct sensor *src, const char *name, double constant, double *out,
                        char *why, size_t len)
{
	if (src == NULL) {
		*out = constant;
		return true;
	}
	const struct sensor_value *v = sensor_value(src, name);
	if (src->status == SENSOR_ERROR) {
		snprintf(why, len, "no %s: %s is failing", name, src->name);
		return false;
	}
	if (v == NULL || !v->valid) {
		snprintf(why, len, "waiting for %s's %s", src->name, name);
		return false;
	}
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
	/* Everything from the voltage and temperature as calibrated. */
	sensor_set(s, V_VOLTAGE, volts);
	volts = s->values[V_VOLTAGE].v;
	double rs = mq135_resistance(&m->p, volts);
	if (rs <= 0) {
		sensor_fail(
		        s, "MQ135 output at %.3f V is outside 0-%.1f V: check its power and wiring",
		        volts, m->p.supply);
		return;
	}
	sensor_set(s, V_RESISTANCE, rs);
	rs = s->values[V_RESISTANCE].v;
	sensor_set(s, V_RZERO, mq135_rzero(&m->p, rs));
	sensor_set(s, V_PPM, mq135_ppm(&m->p, rs));
	double t, h;
	char why[SENSOR_WHY_MAX];
	if (mq135_input(m->temp_src, "temperature", m->temp, &t, why, sizeof why) &&
	    mq135_input(m->hum_src, "humidity", m->hum, &h, why, sizeof why)) {
		double crs = rs / mq135_correction(&m->p, t, h);
		sensor_set(s, V_CRZERO, mq135_rzero(&m->p, crs));
		sensor_set(s, V_CPPM, mq135_ppm(&m->p, crs));
	} else {
		/* No number rather than a wrong one: the source has no good reading. */
		sensor_withhold(s, V_CRZERO, "%s", why);
		sensor_withhold(s, V_CPPM, "%s", why);
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
	.note = "Its ppm values are estimates from the sensor's curve, not measurements of "
	        "CO₂, and need calibration.",
	.guide = "/static/mq135.html",
	.start = mq135_start,
	.cancel = mq135_cancel,
	.destroy = mq135_destroy,
};

/* Take the correction's temperature and humidity from the sensors the
 * configuration names; none keeps the constant. */
static void mq135_link(struct sensor *s, const struct sensor_conf *sc, driver_find_fn find,
                       void *ctx)
{
	const struct mq135_conf *c = config_driver_conf(sc, struct mq135_conf);
	struct mq135 *m = s->priv;

	m->temp_src = find(ctx, c->temperature_from);
	m->hum_src = find(ctx, c->humidity_from);
}

static struct sensor *mq135_create(const struct sensor_conf *sc, const struct driver_env *env)
{
	const struct mq135_conf *c = config_driver_conf(sc, struct mq135_conf);
	struct mq135 *m = xcalloc(1, sizeof *m);

	m->in.bus = env->bus(env->ctx, c->i2c.bus);
	m->in.addr = (uint8_t)c->i2c.address;
	m->in.channel = c->channel;
	m->in.range = ads1115_range_index(c->range);
	m->in.rate = ads1115_rate_index(c->data_rate);
	m->p = c->mq;
	m->divider = c->divider;
	m->temp = c->temperature;
	m->hum = c->humidity;
	struct sensor *s = driver_sensor_new(sc, &mq135_ops, m);
	snprintf(s->where, sizeof s->where, "AIN%u of ADS1115 0x%02x on %s", c->channel, m->in.addr,
	         m->in.bus->path);
	return s;
}

/* An MQ135 on 5 V near 450 ppm has about 0.88 V across its load. */
static void mq135_simulate(struct sim *sim, const struct sensor_conf *sc)
{
	const struct mq135_conf *c = config_driver_conf(sc, struct mq135_conf);

	sim_i2c_attach(sim, c->i2c.bus, (uint8_t)c->i2c.address, &sim_ads1115_ops,
	               sim_ads1115_new(0.88 / c->divider, sim_seed(sim)));
}

/* Channels of one ADS1115 share its address. */
static bool mq135_shares_chip(const struct sensor_conf *a, const struct sensor_conf *b)
{
	return config_driver_conf(a, struct mq135_conf)->channel !=
	       config_driver_conf(b, struct mq135_conf)->channel;
}

/* A correction source must name another sensor that measures it. */
static void validate_source(const struct sensor_conf *sc, const struct config *cfg,
                            struct config_report *r, const char *key, const char *name,
                            enum quantity q)
{
	const struct sensor_conf *src = config_sensor(cfg, name);

	if (name[0] == '\0')
		return;
	if (src == NULL || src == sc)
		config_error(r, sc->line, "[mq135 %s]: %s = %s names no other sensor", sc->name,
		             key, name);
	else if (!config_sensor_measures(cfg, name, q))
		config_error(r, sc->line, "[mq135 %s]: %s = %s, a %s, which measures no %s",
		             sc->name, key, name, src->driver->kind, quantity(q)->name);
}

static void mq135_validate(const struct sensor_conf *sc, const struct config *cfg,
                           struct config_report *r)
{
	const struct mq135_conf *c = config_driver_conf(sc, struct mq135_conf);

	validate_source(sc, cfg, r, "temperature_from", c->temperature_from, Q_TEMPERATURE);
	validate_source(sc, cfg, r, "humidity_from", c->humidity_from, Q_HUMIDITY);
}

static bool parse_range(const char *v, void *dst)
{
	char *end;
	double d = strtod(v, &end);

	if (*v == '\0' || *end != '\0' || ads1115_range_index(d) < 0)
		return false;
	*(double *)dst = d;
	return true;
}

static void range_allowed(struct buf *b)
{
	buf_puts(b, "one of ");
	for (size_t i = 0; i < sizeof ads1115_ranges / sizeof ads1115_ranges[0]; i++)
		buf_printf(b, "%s%.3f", i ? ", " : "", ads1115_ranges[i]);
}

static bool parse_rate(const char *v, void *dst)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v == '\0' || *v == '-' || *end != '\0' || n > 1000 ||
	    ads1115_rate_index((unsigned)n) < 0)
		return false;
	*(unsigned *)dst = (unsigned)n;
	return true;
}

static void rate_allowed(struct buf *b)
{
	buf_puts(b, "one of ");
	for (size_t i = 0; i < sizeof ads1115_rates / sizeof ads1115_rates[0]; i++)
		buf_printf(b, "%s%u", i ? ", " : "", ads1115_rates[i]);
}

#define T                             struct mq135_conf
#define MQ(f, name, lo, hi, def, doc) CONF_KEY_NUM(T, mq.f, name, lo, hi, def, doc)

/* The curve and correction defaults are those of the project muricle grew from. */
static const struct conf_key mq135_keys[] = {
	DRIVER_I2C_KEYS(T, "0x48"),
	CONF_KEY_UINT(T, channel, "channel", 0, 3, NULL, "the ADS1115 input (AIN0-3)"),
	CONF_KEY_CUSTOM(T, range, "range", parse_range, range_allowed, "4.096",
	                "the ADC's full-scale range in volts"),
	CONF_KEY_CUSTOM(T, data_rate, "data_rate", parse_rate, rate_allowed, "128",
	                "the ADC's samples per second"),
	CONF_KEY_NUM(T, divider, "voltage_divider", 1, 100, "1",
	             "sensor volts per volt at the ADC input (a divider in front of it)"),
	MQ(supply, "supply_voltage", 1, 24, "5", "volts across the sensor and load resistor"),
	MQ(rload, "load_resistance", 0.01, 10000, "10", "the module's load resistor in kOhm"),
	MQ(rzero, "rzero", 0.01, 100000, "76.63",
	   "the sensor's resistance in clean air, kOhm: calibrate it (docs/mq135.md)"),
	MQ(para, "para", -1e9, 1e9, "116.6020682", "the ppm curve: para * (rs / rzero)^-parb"),
	MQ(parb, "parb", -1e9, 1e9, "2.769034857", "the ppm curve's exponent"),
	MQ(cora, "cora", -1e9, 1e9, "0.00035", "temperature/humidity correction constant a"),
	MQ(corb, "corb", -1e9, 1e9, "0.02718", "correction constant b"),
	MQ(corc, "corc", -1e9, 1e9, "1.39538", "correction constant c"),
	MQ(cord, "cord", -1e9, 1e9, "0.0018", "correction constant d"),
	MQ(core, "core", -1e9, 1e9, "-0.003333333", "correction constant e"),
	MQ(corf, "corf", -1e9, 1e9, "-0.001923077", "correction constant f"),
	MQ(corg, "corg", -1e9, 1e9, "1.130128205", "correction constant g"),
	MQ(atmoco2, "atmospheric_co2", 100, 100000, "397.13",
	   "ppm CO2 of outside air, for calibrating rzero"),
	CONF_KEY_NUM(T, temperature, "temperature", -40, 85, "20",
	             "degC for the correction when no temperature_from is given"),
	CONF_KEY_NUM(T, humidity, "humidity", 0, 100, "33",
	             "%RH for the correction when no humidity_from is given (33: factor 1)"),
	CONF_KEY_STR(T, temperature_from, "temperature_from", NULL,
	             "the sensor whose temperature corrects the reading"),
	CONF_KEY_STR(T, humidity_from, "humidity_from", NULL,
	             "the sensor whose humidity corrects the reading"),
	CONF_KEY_END,
};

#undef MQ
#undef T

/* The Prometheus names say what each is: a resistance, or an estimate. */
static const struct value_spec mq135_values[] = {
	[V_VOLTAGE] = { "voltage", Q_VOLTAGE, 0, NULL, "Sensor output voltage" },
	[V_RESISTANCE] = { "resistance", Q_RESISTANCE, 0, "sensor_resistance",
	                   "Sensor resistance Rs" },
	[V_RZERO] = { "rzero", Q_RESISTANCE, 0, "rzero_resistance",
	              "Resistance R₀ (clean-air reference)" },
	[V_CRZERO] = { "corrected_rzero", Q_RESISTANCE, 0, "corrected_rzero_resistance",
	               "R₀ corrected for temperature and humidity" },
	[V_PPM] = { "ppm", Q_GAS_ESTIMATE, 0, "co2_estimate", "CO₂-equivalent estimate" },
	[V_CPPM] = { "corrected_ppm", Q_GAS_ESTIMATE, 0, "corrected_co2_estimate",
	             "CO₂-equivalent estimate, corrected" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct driver mq135_driver = {
	.kind = "mq135",
	.summary = "An MQ135 air-quality sensor on one input of an ADS1115 ADC on I2C; its ppm "
	           "is an estimate.",
	.wiring = DRIVER_I2C,
	.keys = mq135_keys,
	.conf_size = sizeof(struct mq135_conf),
	.values = mq135_values,
	.validate = mq135_validate,
	.shares_chip = mq135_shares_chip,
	.create = mq135_create,
	.simulate = mq135_simulate,
	.link = mq135_link,
};
