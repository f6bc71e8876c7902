/*
 * A BMP180 register model: chip id, calibration EEPROM, control register with
 * the start-of-conversion bit, result registers that fill in only once the
 * datasheet's conversion time has passed. Raw values are found by inverting
 * the datasheet compensation, so a correct driver reads back the true values.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bmp180.h"
#include "sensor.h"
#include "sim.h"
#include "xmalloc.h"

struct sim_bmp180 {
	uint8_t regs[256];
	struct bmp180_calib calib;
	struct sim_weather weather;
	bool fixed;
	double temp_c, pressure_hpa;
	int32_t last_ut;   /* the temperature behind the last pressure conversion */
	double busy_until; /* monotonic seconds; 0 when idle */
	uint8_t pending_cmd;
	unsigned early_reads;
};

/* The datasheet's example calibration (section 3.5). */
static const uint16_t example_calib[11] = {
	408, (uint16_t)-72,    (uint16_t)-14383, 32741, 32757, 23153, 6190,
	4,   (uint16_t)-32768, (uint16_t)-8711,  2868,
};

struct sim_bmp180 *sim_bmp180_new(unsigned seed)
{
	struct sim_bmp180 *m = xcalloc(1, sizeof *m);

	m->regs[BMP180_REG_ID] = BMP180_CHIP_ID;
	for (int i = 0; i < 11; i++) {
		m->regs[BMP180_REG_CALIB + 2 * i] = (uint8_t)(example_calib[i] >> 8);
		m->regs[BMP180_REG_CALIB + 2 * i + 1] = (uint8_t)example_calib[i];
	}
	bmp180_parse_calib(&m->regs[BMP180_REG_CALIB], &m->calib);
	sim_weather_init(&m->weather, seed, 180);
	return m;
}

void sim_bmp180_set(struct sim_bmp180 *m, double temp_c, double pressure_hpa)
{
	m->fixed = true;
	m->temp_c = temp_c;
	m->pressure_hpa = pressure_hpa;
}

unsigned sim_bmp180_early_reads(const struct sim_bmp180 *m)
{
	return m->early_reads;
}

/* The true values now: fixed by a test, or the weather with the noise of
 * the datasheet's standard mode (0.05 hPa RMS; 0.03 °C). The chip sits a
 * little cooler than the room. */
static void truth(struct sim_bmp180 *m, double *t, double *p)
{
	if (m->fixed) {
		*t = m->temp_c;
		*p = m->pressure_hpa;
		return;
	}
	struct sim_air a = sim_weather_at(&m->weather, sensor_now_wall());
	*t = a.temp_c - 0.4 + 0.03 * sim_weather_noise(&m->weather);
	*p = a.pressure_hpa + 0.05 * sim_weather_noise(&m->weather);
}

/* Smallest raw value in [lo, hi] whose compensated result reaches target.
 * The formulas are monotonic only on part of the raw range (temperature
 * divides by X1 + MD, pressure wraps below B3), so callers pass that part. */
static int32_t invert(const struct sim_bmp180 *m, bool temp, int32_t ut, unsigned oss,
                      double target, int32_t lo, int32_t hi)
{
	while (lo < hi) {
		int32_t mid = lo + (hi - lo) / 2, t, p;
		bool ok = temp ? bmp180_compensate(&m->calib, mid, 0, oss, &t, &p)
		               : bmp180_compensate(&m->calib, ut, mid, oss, &t, &p);
		if (ok && (temp ? t : p) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Fill the result registers with a finished conversion. */
static void finish(struct sim_bmp180 *m)
{
	double t, p;

	truth(m, &t, &p);
	/* X1 + MD > 0 from here on; see invert(). */
	int32_t ut_lo = m->calib.ac6 - (int32_t)((int64_t)m->calib.md * 32768 / m->calib.ac5) + 2;
	uint8_t *out = &m->regs[BMP180_REG_OUT];
	if ((m->pending_cmd & BMP180_CMD_MASK) == (BMP180_CMD_TEMP & BMP180_CMD_MASK)) {
		int32_t ut = invert(m, true, 0, 0, round(t * 10), ut_lo, 0xFFFF);
		m->last_ut = ut;
		out[0] = (uint8_t)(ut >> 8);
		out[1] = (uint8_t)ut;
	} else {
		unsigned oss = m->pending_cmd >> 6;
		if (m->last_ut == 0)
			m->last_ut = invert(m, true, 0, 0, round(t * 10), ut_lo, 0xFFFF);
		/* B3 is about 1700 << oss for this calibration; 300 hPa needs UP > 10000. */
		int32_t up = invert(m, false, m->last_ut, oss, round(p * 100), 2000 << oss,
		                    (1 << (16 + oss)) - 1);
		uint32_t raw = (uint32_t)up << (8 - oss);
		out[0] = (uint8_t)(raw >> 16);
		out[1] = (uint8_t)(raw >> 8);
		out[2] = (uint8_t)raw;
	}
	m->busy_until = 0;
	m->regs[BMP180_REG_CTRL] &= (uint8_t)~BMP180_CTRL_SCO;
}

static void settle(struct sim_bmp180 *m)
{
	if (m->busy_until != 0 && sensor_now_mono() >= m->busy_until)
		finish(m);
}

static int model_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	struct sim_bmp180 *m = dev;

	settle(m);
	if (m->busy_until != 0 && reg < BMP180_REG_OUT + 3 && reg + len > BMP180_REG_OUT)
		m->early_reads++; /* a real chip would hand out the previous result */
	for (size_t i = 0; i < len; i++)
		buf[i] = m->regs[(uint8_t)(reg + i)];
	return 0;
}

static int model_write(void *dev, uint8_t reg, const uint8_t *buf, size_t len)
{
	struct sim_bmp180 *m = dev;

	settle(m);
	if (reg == BMP180_REG_RESET && len == 1 && buf[0] == BMP180_RESET_WORD) {
		m->busy_until = 0;
		return 0;
	}
	if (reg != BMP180_REG_CTRL || len != 1)
		return EREMOTEIO; /* the chip NACKs writes elsewhere */
	/* ctrl_meas: oss in bits 7-6, sco in bit 5, the measurement in bits 4-0
	 * (0x0E temperature, 0x14 pressure); the commands 0x2E and 0x34 set sco. */
	uint8_t cmd = buf[0];
	int oss;
	if ((cmd & BMP180_CMD_MASK) == (BMP180_CMD_TEMP & BMP180_CMD_MASK) && cmd >> 6 == 0)
		oss = -1;
	else if ((cmd & BMP180_CMD_MASK) == (BMP180_CMD_PRESSURE & BMP180_CMD_MASK))
		oss = cmd >> 6;
	else
		return 0; /* other values start nothing */
	m->pending_cmd = cmd;
	m->regs[BMP180_REG_CTRL] = cmd | BMP180_CTRL_SCO;
	m->busy_until = sensor_now_mono() + bmp180_conversion_us(oss) / 1e6;
	return 0;
}

static void model_destroy(void *dev)
{
	free(dev);
}

const struct sim_device_ops sim_bmp180_ops = {
	.read = model_read,
	.write = model_write,
	.destroy = model_destroy,
};
