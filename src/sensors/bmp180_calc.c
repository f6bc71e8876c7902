/*
 * BMP180 datasheet arithmetic (Bosch BST-BMP180-DS000-09), with no I/O, so
 * that tests check it against the datasheet's worked example.
 */
#include "bmp180.h"

/* The datasheet writes "x / 2^n" and means an arithmetic shift (floor) on
 * signed values: its worked example only comes out so. Spelled as floor
 * division to stay well defined in C for negative x. */
static int64_t shr(int64_t x, unsigned n)
{
	int64_t d = (int64_t)1 << n;
	return x >= 0 ? x / d : -((-x + d - 1) / d);
}

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
	/* Temperature (datasheet 3.5, "calculate true temperature"). */
	int64_t x1 = shr(((int64_t)ut - c->ac6) * c->ac5, 15);
	if (x1 + c->md == 0)
		return false;
	int64_t x2 = ((int64_t)c->mc * 2048) / (x1 + c->md);
	int64_t b5 = x1 + x2;
	*temp_01c = (int32_t)shr(b5 + 8, 4);

	/* Pressure ("calculate true pressure"). */
	int64_t b6 = b5 - 4000;
	x1 = shr(c->b2 * shr(b6 * b6, 12), 11);
	x2 = shr(c->ac2 * b6, 11);
	int64_t x3 = x1 + x2;
	int64_t b3 = ((((int64_t)c->ac1 * 4 + x3) << oss) + 2) / 4;
	x1 = shr(c->ac3 * b6, 13);
	x2 = shr(c->b1 * shr(b6 * b6, 12), 16);
	x3 = shr(x1 + x2 + 2, 2);
	uint32_t b4 = (uint32_t)(((uint64_t)c->ac4 * (uint32_t)(x3 + 32768)) >> 15);
	uint32_t b7 = (uint32_t)(((uint32_t)up - (uint32_t)b3) * (uint32_t)(50000 >> oss));
	int64_t p;
	if (b4 == 0)
		return false;
	if (b7 < 0x80000000u)
		p = ((uint64_t)b7 * 2) / b4;
	else
		p = (b7 / b4) * 2;
	x1 = shr(p, 8) * shr(p, 8);
	x1 = shr(x1 * 3038, 16);
	x2 = shr(-7357 * p, 16);
	p += shr(x1 + x2 + 3791, 4);
	*pressure_pa = (int32_t)p;
	return true;
}
