/*
 * BME280/BMP280 datasheet arithmetic (Bosch BST-BME280-DS002, sections 4.2.2,
 * 4.2.3 and 9.1), with no I/O. Temperature and humidity are the datasheet's
 * BME280_S32_t code, pressure its 64-bit variant, step by step in the
 * datasheet's widths (wrap.h): any register content gives the reference
 * code's result, without undefined behaviour.
 */
#include "bme280.h"

#include <stddef.h>

#include "wrap.h"

static uint16_t u16le(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

void bme280_parse_calib(const uint8_t tp[BME280_CALIB_TP_LEN], const uint8_t *h,
                        struct bme280_calib *c)
{
	c->t1 = u16le(tp + 0);
	c->t2 = (int16_t)u16le(tp + 2);
	c->t3 = (int16_t)u16le(tp + 4);
	c->p1 = u16le(tp + 6);
	c->p2 = (int16_t)u16le(tp + 8);
	c->p3 = (int16_t)u16le(tp + 10);
	c->p4 = (int16_t)u16le(tp + 12);
	c->p5 = (int16_t)u16le(tp + 14);
	c->p6 = (int16_t)u16le(tp + 16);
	c->p7 = (int16_t)u16le(tp + 18);
	c->p8 = (int16_t)u16le(tp + 20);
	c->p9 = (int16_t)u16le(tp + 22);
	c->h1 = tp[25]; /* 0xA1; 0xA0 is unused */
	if (h == NULL) {
		c->h2 = c->h4 = c->h5 = 0;
		c->h3 = 0;
		c->h6 = 0;
		return;
	}
	c->h2 = (int16_t)u16le(h + 0); /* 0xE1-0xE2 */
	c->h3 = h[2];                  /* 0xE3 */
	/* dig_H4 is 0xE4[7:0] . 0xE5[3:0]; dig_H5 is 0xE6[7:0] . 0xE5[7:4], both signed 12 bit. */
	c->h4 = (int16_t)((int8_t)h[3] * 16 | (h[4] & 0x0F));
	c->h5 = (int16_t)((int8_t)h[5] * 16 | h[4] >> 4);
	c->h6 = (int8_t)h[6];
}

int bme280_osrs(unsigned times)
{
	switch (times) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2;
	case 4: return 3;
	case 8: return 4;
	case 16: return 5;
	default: return -1;
	}
}

unsigned bme280_measure_us(unsigned t, unsigned p, unsigned h)
{
	/* t_measure,max = 1.25 + 2.3*T + (2.3*P + 0.575) + (2.3*H + 0.575) ms,
	 * a term dropped when its measurement is skipped. */
	unsigned us = 1250 + 2300 * t;

	if (p > 0)
		us += 2300 * p + 575;
	if (h > 0)
		us += 2300 * h + 575;
	return us;
}

int32_t bme280_temperature(const struct bme280_calib *c, int32_t adc_t, int32_t *t_fine)
{
	int32_t t1 = c->t1, t2 = c->t2, t3 = c->t3;
	int32_t var1 = w32_asr(w32_mul(w32_sub(w32_asr(adc_t, 3), w32_shl(t1, 1)), t2), 11);
	int32_t d = w32_sub(w32_asr(adc_t, 4), t1);
	int32_t var2 = w32_asr(w32_mul(w32_asr(w32_mul(d, d), 12), t3), 14);

	*t_fine = w32_add(var1, var2);
	return w32_asr(w32_add(w32_mul(*t_fine, 5), 128), 8);
}

uint32_t bme280_pressure(const struct bme280_calib *c, int32_t adc_p, int32_t t_fine)
{
	int64_t var1 = (int64_t)t_fine - 128000;
	int64_t var2 = w64_mul(w64_mul(var1, var1), c->p6);

	var2 = w64_add(var2, w64_shl(w64_mul(var1, c->p5), 17));
	var2 = w64_add(var2, w64_shl(c->p4, 35));
	var1 = w64_add(w64_asr(w64_mul(w64_mul(var1, var1), c->p3), 8),
	               w64_shl(w64_mul(var1, c->p2), 12));
	var1 = w64_asr(w64_mul(w64_add(w64_shl(1, 47), var1), c->p1), 33);
	if (var1 == 0)
		return 0; /* the datasheet's guard against a division by zero */
	int64_t p = w64_sub(1048576, adc_p);
	p = w64_div(w64_mul(w64_sub(w64_shl(p, 31), var2), 3125), var1);
	var1 = w64_asr(w64_mul(w64_mul(c->p9, w64_asr(p, 13)), w64_asr(p, 13)), 25);
	var2 = w64_asr(w64_mul(c->p8, p), 19);
	p = w64_add(w64_asr(w64_add(w64_add(p, var1), var2), 8), w64_shl(c->p7, 4));
	return (uint32_t)p;
}

uint32_t bme280_humidity(const struct bme280_calib *c, int32_t adc_h, int32_t t_fine)
{
	int32_t h1 = c->h1, h2 = c->h2, h3 = c->h3, h4 = c->h4, h5 = c->h5, h6 = c->h6;
	int32_t v = w32_sub(t_fine, 76800);
	int32_t a = w32_asr(
	        w32_add(w32_sub(w32_sub(w32_shl(adc_h, 14), w32_shl(h4, 20)), w32_mul(h5, v)),
	                16384),
	        15);
	int32_t b = w32_asr(w32_mul(v, h6), 10);

	b = w32_asr(w32_mul(b, w32_add(w32_asr(w32_mul(v, h3), 11), 32768)), 10);
	b = w32_asr(w32_add(w32_mul(w32_add(b, 2097152), h2), 8192), 14);
	v = w32_mul(a, b);
	v = w32_sub(v,
	            w32_asr(w32_mul(w32_asr(w32_mul(w32_asr(v, 15), w32_asr(v, 15)), 7), h1), 4));
	if (v < 0)
		v = 0;
	if (v > 419430400)
		v = 419430400;
	return (uint32_t)v >> 12;
}
