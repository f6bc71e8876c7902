/* See datasheet.h. Written in the datasheets' own spelling on purpose. */
#include "datasheet.h"

int32_t ds_bme280_t(const struct bme280_calib *c, int32_t adc_T, int32_t *t_fine)
{
	int32_t var1, var2, T;

	var1 = ((((adc_T >> 3) - ((int32_t)c->t1 << 1))) * ((int32_t)c->t2)) >> 11;
	var2 = (((((adc_T >> 4) - ((int32_t)c->t1)) * ((adc_T >> 4) - ((int32_t)c->t1))) >> 12) *
	        ((int32_t)c->t3)) >>
	       14;
	*t_fine = var1 + var2;
	T = (*t_fine * 5 + 128) >> 8;
	return T;
}

uint32_t ds_bme280_p(const struct bme280_calib *c, int32_t adc_P, int32_t t_fine)
{
	int64_t var1, var2, p;

	var1 = ((int64_t)t_fine) - 128000;
	var2 = var1 * var1 * (int64_t)c->p6;
	var2 = var2 + ((var1 * (int64_t)c->p5) << 17);
	var2 = var2 + (((int64_t)c->p4) << 35);
	var1 = ((var1 * var1 * (int64_t)c->p3) >> 8) + ((var1 * (int64_t)c->p2) << 12);
	var1 = (((((int64_t)1) << 47) + var1)) * ((int64_t)c->p1) >> 33;
	if (var1 == 0)
		return 0;
	p = 1048576 - adc_P;
	/* The one step a CPU traps on rather than wraps (INT64_MIN / -1): taken
	 * as wrapping, which is what the daemon's arithmetic answers. */
	if (var1 == -1)
		p = -(((p << 31) - var2) * 3125);
	else
		p = (((p << 31) - var2) * 3125) / var1;
	var1 = (((int64_t)c->p9) * (p >> 13) * (p >> 13)) >> 25;
	var2 = (((int64_t)c->p8) * p) >> 19;
	p = ((p + var1 + var2) >> 8) + (((int64_t)c->p7) << 4);
	return (uint32_t)p;
}

uint32_t ds_bme280_h(const struct bme280_calib *c, int32_t adc_H, int32_t t_fine)
{
	int32_t v_x1_u32r;

	v_x1_u32r = (t_fine - ((int32_t)76800));
	v_x1_u32r = (((((adc_H << 14) - (((int32_t)c->h4) << 20) - (((int32_t)c->h5) * v_x1_u32r)) +
	               ((int32_t)16384)) >>
	              15) *
	             (((((((v_x1_u32r * ((int32_t)c->h6)) >> 10) *
	                  (((v_x1_u32r * ((int32_t)c->h3)) >> 11) + ((int32_t)32768))) >>
	                 10) +
	                ((int32_t)2097152)) *
	                       ((int32_t)c->h2) +
	               8192) >>
	              14));
	v_x1_u32r = (v_x1_u32r -
	             (((((v_x1_u32r >> 15) * (v_x1_u32r >> 15)) >> 7) * ((int32_t)c->h1)) >> 4));
	v_x1_u32r = (v_x1_u32r < 0 ? 0 : v_x1_u32r);
	v_x1_u32r = (v_x1_u32r > 419430400 ? 419430400 : v_x1_u32r);
	return (uint32_t)(v_x1_u32r >> 12);
}

bool ds_bmp180(const struct bmp180_calib *c, int32_t UT, int32_t UP, unsigned oss, int32_t *T,
               int32_t *P)
{
	int32_t X1, X2, X3, B3, B5, B6, p;
	uint32_t B4, B7;

	X1 = (UT - c->ac6) * c->ac5 >> 15;
	if (X1 + c->md == 0)
		return false;
	X2 = c->mc * 2048 / (X1 + c->md);
	B5 = X1 + X2;
	*T = (B5 + 8) >> 4;
	B6 = B5 - 4000;
	X1 = (c->b2 * (B6 * B6 >> 12)) >> 11;
	X2 = c->ac2 * B6 >> 11;
	X3 = X1 + X2;
	B3 = ((((int32_t)c->ac1 * 4 + X3) << oss) + 2) / 4;
	X1 = c->ac3 * B6 >> 13;
	X2 = (c->b1 * (B6 * B6 >> 12)) >> 16;
	X3 = ((X1 + X2) + 2) >> 2;
	B4 = c->ac4 * (uint32_t)(X3 + 32768) >> 15;
	B7 = ((uint32_t)UP - B3) * (50000 >> oss);
	if (B4 == 0)
		return false;
	if (B7 < 0x80000000)
		p = (B7 * 2) / B4;
	else
		p = (B7 / B4) * 2;
	X1 = (p >> 8) * (p >> 8);
	X1 = (X1 * 3038) >> 16;
	X2 = (-7357 * p) >> 16;
	p = p + ((X1 + X2 + 3791) >> 4);
	*P = p;
	return true;
}
