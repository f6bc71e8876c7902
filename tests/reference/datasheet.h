/*
 * The compensation formulas as the Bosch datasheets print them, in their
 * integer types (BMP180: BST-BMP180-DS000-09 section 3.5; BME280:
 * BST-BME280-DS002 section 4.2.3, the 32-bit temperature and humidity code
 * and the 64-bit pressure code). Built with -fwrapv, as the code that runs
 * them on real systems is, so that their overflows wrap: they are the
 * reference the daemon's own arithmetic must equal for every input.
 */
#ifndef MURICLE_DATASHEET_H
#define MURICLE_DATASHEET_H

#include <stdbool.h>
#include <stdint.h>

#include "bme280.h"
#include "bmp180.h"

int32_t ds_bme280_t(const struct bme280_calib *c, int32_t adc_t, int32_t *t_fine);
uint32_t ds_bme280_p(const struct bme280_calib *c, int32_t adc_p, int32_t t_fine);
uint32_t ds_bme280_h(const struct bme280_calib *c, int32_t adc_h, int32_t t_fine);
/* false where the datasheet would divide by zero. */
bool ds_bmp180(const struct bmp180_calib *c, int32_t ut, int32_t up, unsigned oss, int32_t *t,
               int32_t *p);

#endif
