/*
 * BMP180 datasheet arithmetic (Bosch BST-BMP180-DS000-09), with no I/O, so
 * that tests check it against the datasheet's worked example. The datasheet's
 * "long" is 32 bits and its "x / 2^n" an arithmetic shift (its worked
 * example only comes out so); every step is in those widths (wrap.h), so
 * any register content gives the reference code's result without undefined
 * behaviour.
 */
#include "bmp180.h"

#include "wrap.h"

bool bmp180_parse_calib(const uint8_t raw[BMP180_CALIB_LEN], struct bmp180_calib *c)
{
	uint16_t w[BMP180_CALIB_LEN / 2];

	for (int i = 0; i < BMP180_CALIB_LEN / 2; i++) {
		w[i] = (uint16_t)(raw[2 * i] << 8 | raw[2 * i + 1]);
		if (w[i] == 0x0000 || w[i] == 0xFFFF)
			return false;
	}
	c->ac1 = (int16_t)w[0];
	c->ac2 = (int16_t)w[1];
	c->ac3 = (int16_t)w[2];
	c->ac4 = w[3];
	c->ac5 = w[4];
	c->ac6 = w[5];
	c->b1 = (int16_t)w[6];
	c->b2 = (int16_t)w[7];
	c->mb = (int16_t)w[8];
	c->mc = (int16_t)w[9];
	c->md = (int16_t)w[10];
	return true;
}

unsigned bmp180_conversion_us(int oss)
{
	/* Datasheet table 8: maximum conversion times. */
	static const unsigned pressure[4] = { 4500, 7500, 13500, 25500 };

	return oss < 0 ? 4500 : pressure[oss & 3];
}

int32_t bmp180_raw_pressure(const uint8_t out[3], unsigned oss)
{
	return (int32_t)(((uint32_t)out[0] << 16 | (uint32_t)out[1] << 8 | out[2]) >> (8 - oss));
}

bool bmp180_compensate(const struct bmp180_calib *c, int32_t ut, int32_t up, unsigned oss,
                       int32_t *temp_01c, int32_t *pressure_pa)
{
	if (oss > 3)
		return false;
	/* Temperature (datasheet 3.5, "calculate true temperature"). */
	int32_t x1 = w32_asr(w32_mul(w32_sub(ut, c->ac6), c->ac5), 15);
	int32_t den = w32_add(x1, c->md);
	if (den == 0)
		return false;
	int32_t x2 = w32_div(c->mc * 2048, den);
	int32_t b5 = w32_add(x1, x2);
	*temp_01c = w32_asr(w32_add(b5, 8), 4);

	/* Pressure ("calculate true pressure"). */
	int32_t b6 = w32_sub(b5, 4000);
	int32_t b6sq = w32_asr(w32_mul(b6, b6), 12);
	x1 = w32_asr(w32_mul(c->b2, b6sq), 11);
	x2 = w32_asr(w32_mul(c->ac2, b6), 11);
	int32_t x3 = w32_add(x1, x2);
	int32_t b3 = w32_add(w32_shl(w32_add(w32_mul(c->ac1, 4), x3), oss), 2) / 4;
	x1 = w32_asr(w32_mul(c->ac3, b6), 13);
	x2 = w32_asr(w32_mul(c->b1, b6sq), 16);
	x3 = w32_asr(w32_add(w32_add(x1, x2), 2), 2);
	uint32_t b4 = ((uint32_t)c->ac4 * (uint32_t)w32_add(x3, 32768)) >> 15;
	uint32_t b7 = ((uint32_t)up - (uint32_t)b3) * (50000u >> oss);
	if (b4 == 0)
		return false;
	int32_t p = (int32_t)(b7 < 0x80000000u ? b7 * 2 / b4 : b7 / b4 * 2);
	x1 = w32_mul(w32_asr(p, 8), w32_asr(p, 8));
	x1 = w32_asr(w32_mul(x1, 3038), 16);
	x2 = w32_asr(w32_mul(-7357, p), 16);
	*pressure_pa = w32_add(p, w32_asr(w32_add(w32_add(x1, x2), 3791), 4));
	return true;
}
