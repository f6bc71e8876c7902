/* libFuzzer: each sensor's arithmetic on arbitrary calibration and raw
 * bytes, as a glitched read or a faulty chip gives them. BMP180 and BME280
 * results must equal the datasheets' reference code (tests/reference); the
 * ADS1115 and MQ135 steps must give a number or a refusal, never a trap. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ads1115.h"
#include "buf.h"
#include "config.h"
#include "baro.h"
#include "bme280.h"
#include "bmp180.h"
#include "mq135.h"
#include "reference/datasheet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout; shorter inputs are padded with zeros. */
#define BME_LEN (BME280_CALIB_TP_LEN + 7 + 8 + 4) /* trimming, humidity trimming, adc, t_fine */
#define BMP_LEN (BMP180_CALIB_LEN + 2 + 3 + 1)    /* calibration, UT, UP, oss */
#define ADS_LEN (2 + 1 + 1 + 1)                   /* conversion, range, rate, channel */
#define MQ_LEN  (8 * 5)                           /* doubles */
#define ALL_LEN (BME_LEN + BMP_LEN + ADS_LEN + MQ_LEN)

static void bme(const uint8_t *d)
{
	struct bme280_calib c;
	const uint8_t *a = d + BME280_CALIB_TP_LEN + 7;

	bme280_parse_calib(d, d + BME280_CALIB_TP_LEN, &c);
	int32_t adc_p = (int32_t)((uint32_t)a[0] << 12 | (uint32_t)a[1] << 4 | a[2] >> 4);
	int32_t adc_t = (int32_t)((uint32_t)a[3] << 12 | (uint32_t)a[4] << 4 | a[5] >> 4);
	int32_t adc_h = a[6] << 8 | a[7];
	int32_t tf, tf_ref, any;
	memcpy(&any, a + 8, sizeof any);
	if (bme280_temperature(&c, adc_t, &tf) != ds_bme280_t(&c, adc_t, &tf_ref) || tf != tf_ref)
		abort();
	if (bme280_pressure(&c, adc_p, tf) != ds_bme280_p(&c, adc_p, tf) ||
	    bme280_pressure(&c, adc_p, any) != ds_bme280_p(&c, adc_p, any))
		abort();
	if (bme280_humidity(&c, adc_h, tf) != ds_bme280_h(&c, adc_h, tf) ||
	    bme280_humidity(&c, adc_h, any) != ds_bme280_h(&c, adc_h, any))
		abort();
}

static void bmp(const uint8_t *d)
{
	struct bmp180_calib c;
	const uint8_t *a = d + BMP180_CALIB_LEN;

	if (!bmp180_parse_calib(d, &c))
		memset(&c, 0, sizeof c); /* refused: the arithmetic still takes anything */
	unsigned oss = a[5] & 3;
	int32_t ut = a[0] << 8 | a[1];
	int32_t up = bmp180_raw_pressure(a + 2, oss);
	int32_t t = 0, p = 0, rt = 0, rp = 0;
	bool ok = bmp180_compensate(&c, ut, up, oss, &t, &p);
	if (ok != ds_bmp180(&c, ut, up, oss, &rt, &rp) || (ok && (t != rt || p != rp)))
		abort();
	if (ok)
		(void)baro_altitude(p, 101325);
}

static void ads(const uint8_t *d)
{
	/* The indexes as the configuration gives them: from the chip's tables. */
	int range = d[2] % 6, rate = d[3] % 8;
	double v = ads1115_volts(d, range);

	if (!isfinite(v) || fabs(v) > 6.144)
		abort();
	(void)ads1115_config(d[4] & 3, range, rate);
	(void)ads1115_conversion_us(rate);
}

/* The MQ135 constants as the configuration's defaults give them. */
static struct mq135_params mq_defaults(void)
{
	static struct config cfg;
	struct buf errors;

	buf_init(&errors);
	if (config_parse(&cfg, "fuzz", "[mq135 air]\n", &errors) < 0)
		abort();
	buf_free(&errors);
	return config_driver_conf(&cfg.sensors[0], struct mq135_conf)->mq;
}

static void mq(const uint8_t *d)
{
	static struct mq135_params defaults;
	static bool have;
	double x[4];

	if (!have) {
		defaults = mq_defaults();
		have = true;
	}
	struct mq135_params p = defaults;

	memcpy(x, d, sizeof x);
	memcpy(&p.rload, d + sizeof x, sizeof p.rload);
	double rs = mq135_resistance(&p, x[0]);
	(void)mq135_correction(&p, x[1], x[2]);
	(void)mq135_ppm(&p, rs);
	(void)mq135_rzero(&p, x[3]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t d[ALL_LEN] = { 0 };

	memcpy(d, data, size < sizeof d ? size : sizeof d);
	bme(d);
	bmp(d + BME_LEN);
	ads(d + BME_LEN + BMP_LEN);
	mq(d + BME_LEN + BMP_LEN + ADS_LEN);
	return 0;
}
