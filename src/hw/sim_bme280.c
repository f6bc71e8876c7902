/*
 * A BME280 (or BMP280) register model: chip id, trimming registers, forced
 * mode with the datasheet's maximum measurement time, the "measuring" status
 * bit, and result registers that fill in only when the measurement is done.
 * Raw values come from inverting the datasheet compensation, so a correct
 * driver reads back the true values.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bme280.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

struct sim_bme280 {
	uint8_t regs[256];
	bool humidity;
	struct bme280_calib calib;
	struct sim_weather weather;
	bool fixed;
	double temp_c, pressure_hpa, humidity_pct;
	double busy_until; /* monotonic seconds; 0 when idle */
	unsigned early_reads;
};

/* Trimming values: T and P from the BMP280 datasheet's worked example (3.12),
 * H typical of a real BME280. Little-endian, from BME280_REG_CALIB_TP and
 * BME280_REG_CALIB_H. */
static const int32_t trim_tp[12] = { 27504, 26435, -1000, 36477, -10685, 3024,
	                             2855,  140,   -7,    15500, -14600, 6000 };
static const uint8_t trim_h1 = 75;
static const int16_t trim_h2 = 362, trim_h4 = 324, trim_h5 = 50;
static const uint8_t trim_h3 = 0;
static const int8_t trim_h6 = 30;

struct sim_bme280 *sim_bme280_new(bool humidity, unsigned seed)
{
	struct sim_bme280 *m = xcalloc(1, sizeof *m);
	uint8_t *r = m->regs;

	m->humidity = humidity;
	r[BME280_REG_ID] = humidity ? BME280_CHIP_ID : BMP280_CHIP_ID;
	for (int i = 0; i < 12; i++) {
		r[BME280_REG_CALIB_TP + 2 * i] = (uint8_t)trim_tp[i];
		r[BME280_REG_CALIB_TP + 2 * i + 1] = (uint8_t)(trim_tp[i] >> 8);
	}
	if (humidity) {
		uint8_t *h = &r[BME280_REG_CALIB_H]; /* dig_H2 to dig_H6, datasheet table 16 */
		r[BME280_REG_DIG_H1] = trim_h1;
		h[0] = (uint8_t)trim_h2;
		h[1] = (uint8_t)(trim_h2 >> 8);
		h[2] = trim_h3;
		h[3] = (uint8_t)(trim_h4 >> 4);
		h[4] = (uint8_t)((trim_h4 & 0x0F) | (trim_h5 & 0x0F) << 4);
		h[5] = (uint8_t)(trim_h5 >> 4);
		h[6] = (uint8_t)trim_h6;
	}
	/* Result registers hold their reset values until a first measurement. */
	uint8_t *data = &r[BME280_REG_DATA];
	data[0] = data[BME280_DATA_TEMP] = data[BME280_DATA_HUM] = 0x80;
	bme280_parse_calib(&r[BME280_REG_CALIB_TP], humidity ? &r[BME280_REG_CALIB_H] : NULL,
	                   &m->calib);
	sim_weather_init(&m->weather, seed, humidity ? 280 : 2800);
	return m;
}

void sim_bme280_set(struct sim_bme280 *m, double temp_c, double pressure_hpa, double humidity)
{
	m->fixed = true;
	m->temp_c = temp_c;
	m->pressure_hpa = pressure_hpa;
	m->humidity_pct = humidity;
}

unsigned sim_bme280_early_reads(const struct sim_bme280 *m)
{
	return m->early_reads;
}

/* The true values now: fixed by a test, or the weather with the noise the
 * datasheet gives (1.3 Pa, 0.005 °C, 0.02 %RH); it runs a little warm. */
static void truth(struct sim_bme280 *m, double *t, double *p, double *h)
{
	if (m->fixed) {
		*t = m->temp_c;
		*p = m->pressure_hpa;
		*h = m->humidity_pct;
		return;
	}
	struct sim_air a = sim_weather_at(&m->weather, sensor_now_wall());
	*t = a.temp_c + 0.3 + 0.005 * sim_weather_noise(&m->weather);
	*p = a.pressure_hpa + 0.013 * sim_weather_noise(&m->weather);
	*h = a.humidity - 1.0 + 0.02 * sim_weather_noise(&m->weather);
}

/* Raw 20-bit (or 16-bit) value whose compensation comes closest to target.
 * f is monotonic in raw: increasing (up) or decreasing. */
static int32_t invert(const struct sim_bme280 *m, int32_t t_fine, int which, double target,
                      int32_t hi)
{
	int32_t lo = 0;
	bool up = which != 1; /* pressure falls as its raw value rises */

	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2, tf;
		double v;
		if (which == 0)
			v = bme280_temperature(&m->calib, mid, &tf);
		else if (which == 1)
			v = bme280_pressure(&m->calib, mid, t_fine);
		else
			v = bme280_humidity(&m->calib, mid, t_fine);
		if ((v >= target) == up)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The measurement is over: latch the results. */
static void finish(struct sim_bme280 *m)
{
	double t, p, h;
	int32_t t_fine;
	uint8_t *r = m->regs;

	truth(m, &t, &p, &h);
	int32_t adc_t = invert(m, 0, 0, round(t * 100), (1 << 20) - 1);
	bme280_temperature(&m->calib, adc_t, &t_fine);
	int32_t adc_p = invert(m, t_fine, 1, round(p * 100 * 256), (1 << 20) - 1);
	uint8_t *data = &r[BME280_REG_DATA];
	data[0] = (uint8_t)(adc_p >> 12);
	data[1] = (uint8_t)(adc_p >> 4);
	data[2] = (uint8_t)(adc_p << 4);
	data[BME280_DATA_TEMP] = (uint8_t)(adc_t >> 12);
	data[BME280_DATA_TEMP + 1] = (uint8_t)(adc_t >> 4);
	data[BME280_DATA_TEMP + 2] = (uint8_t)(adc_t << 4);
	if (m->humidity) {
		int32_t adc_h = invert(m, t_fine, 2, round(h * 1024), 0xFFFF);
		data[BME280_DATA_HUM] = (uint8_t)(adc_h >> 8);
		data[BME280_DATA_HUM + 1] = (uint8_t)adc_h;
	}
	m->busy_until = 0;
	r[BME280_REG_STATUS] &= (uint8_t)~BME280_STATUS_MEASURING;
	r[BME280_REG_CTRL_MEAS] &= (uint8_t)~BME280_MODE_MASK; /* back to sleep mode */
}

static void settle(struct sim_bme280 *m)
{
	if (m->busy_until != 0 && sensor_now_mono() >= m->busy_until)
		finish(m);
}

static unsigned count(unsigned code)
{
	return code == 0 ? 0 : 1u << (code > 5 ? 4 : code - 1);
}

static int model_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	struct sim_bme280 *m = dev;

	settle(m);
	if (m->busy_until != 0 && reg + len > BME280_REG_DATA)
		m->early_reads++; /* a real chip would hand out the previous results */
	for (size_t i = 0; i < len; i++)
		buf[i] = m->regs[(uint8_t)(reg + i)];
	return 0;
}

static int model_write(void *dev, uint8_t reg, const uint8_t *buf, size_t len)
{
	struct sim_bme280 *m = dev;

	settle(m);
	for (size_t i = 0; i < len; i++) {
		uint8_t a = (uint8_t)(reg + i), v = buf[i];
		if (a == BME280_REG_RESET) {
			continue; /* reset: nothing to model */
		} else if (a == BME280_REG_CTRL_HUM && m->humidity) {
			m->regs[a] = v & 0x07;
		} else if (a == BME280_REG_CTRL_MEAS) {
			m->regs[a] = v;
			unsigned mode = v & BME280_MODE_MASK;
			if (mode == 1 || mode == 2) { /* forced: one measurement */
				unsigned h = m->humidity ? count(m->regs[BME280_REG_CTRL_HUM]) : 0;
				unsigned us =
				        bme280_measure_us(count(v >> 5), count(v >> 2 & 7), h);
				m->busy_until = sensor_now_mono() + us / 1e6;
				m->regs[BME280_REG_STATUS] |= BME280_STATUS_MEASURING;
			}
		} else if (a == BME280_REG_CONFIG) {
			m->regs[a] = v;
		} else {
			return EREMOTEIO; /* read-only or reserved */
		}
	}
	return 0;
}

static void model_destroy(void *dev)
{
	free(dev);
}

const struct sim_device_ops sim_bme280_ops = {
	.read = model_read,
	.write = model_write,
	.destroy = model_destroy,
};
