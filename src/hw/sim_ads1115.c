/*
 * An ADS1115 register model: config and conversion registers (16 bit, most
 * significant byte first), single-shot conversions that take one period at
 * the configured data rate, the OS bit low while converting, and an input
 * voltage per channel that tests set or that drifts slowly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "ads1115.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

struct sim_ads1115 {
	uint16_t config, conversion;
	double volts[4];
	bool fixed[4];
	double centre; /* of the drift */
	struct sim_weather weather;
	double busy_until;
	unsigned early_reads;
};

struct sim_ads1115 *sim_ads1115_new(double centre, unsigned seed)
{
	struct sim_ads1115 *m = xcalloc(1, sizeof *m);

	m->centre = centre;
	m->config = ADS1115_CONFIG_RESET;
	sim_weather_init(&m->weather, seed, 1115);
	return m;
}

void sim_ads1115_set(struct sim_ads1115 *m, unsigned channel, double volts)
{
	m->volts[channel & 3] = volts;
	m->fixed[channel & 3] = true;
}

unsigned sim_ads1115_early_reads(const struct sim_ads1115 *m)
{
	return m->early_reads;
}

/* An input: as a test set it, or the centre following the weather's gas
 * level, with 0.5 mV of noise. */
static double input(struct sim_ads1115 *m, unsigned ch)
{
	if (m->fixed[ch])
		return m->volts[ch];
	struct sim_air a = sim_weather_at(&m->weather, sensor_now_wall());
	return m->centre * a.gas + 0.0005 * sim_weather_noise(&m->weather);
}

static void settle(struct sim_ads1115 *m)
{
	if (m->busy_until == 0 || sensor_now_mono() < m->busy_until)
		return;
	unsigned mux = m->config >> 12 & 7, pga = m->config >> 9 & 7;
	double fsr = ads1115_ranges[pga < 6 ? pga : 5];
	/* Single-ended inputs only (MUX 1xx); differential ones read 0 here. */
	double v = mux >= 4 ? input(m, mux - 4) : 0;
	double code = round(v / fsr * 32768);
	m->conversion = (uint16_t)(int16_t)(code > 32767 ? 32767 : code < -32768 ? -32768 : code);
	m->busy_until = 0;
}

static int model_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	struct sim_ads1115 *m = dev;
	uint16_t v;

	settle(m);
	if (len != 2)
		return EIO;
	if (reg == ADS1115_REG_CONVERSION) {
		if (m->busy_until != 0)
			m->early_reads++;
		v = m->conversion;
	} else if (reg == ADS1115_REG_CONFIG) {
		v = (uint16_t)((m->config & ~ADS1115_OS) | (m->busy_until != 0 ? 0 : ADS1115_OS));
	} else {
		v = 0; /* the comparator thresholds: unused */
	}
	buf[0] = (uint8_t)(v >> 8);
	buf[1] = (uint8_t)v;
	return 0;
}

static int model_write(void *dev, uint8_t reg, const uint8_t *buf, size_t len)
{
	struct sim_ads1115 *m = dev;

	settle(m);
	if (len != 2)
		return EIO;
	if (reg != ADS1115_REG_CONFIG)
		return 0;
	m->config = (uint16_t)(buf[0] << 8 | buf[1]);
	if ((m->config & ADS1115_OS) && (m->config & ADS1115_MODE_SINGLE)) /* start a single shot */
		m->busy_until = sensor_now_mono() + 1.0 / ads1115_rates[m->config >> 5 & 7];
	return 0;
}

static void model_destroy(void *dev)
{
	free(dev);
}

const struct sim_device_ops sim_ads1115_ops = {
	.read = model_read,
	.write = model_write,
	.destroy = model_destroy,
};
