/* Bosch BMP180 barometer: datasheet arithmetic (pure) and the sensor driver. */
#ifndef MURICLE_BMP180_H
#define MURICLE_BMP180_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"

#define BMP180_CHIP_ID      0x55
#define BMP180_REG_CALIB    0xAA /* 22 bytes, 0xAA-0xBF */
#define BMP180_CALIB_LEN    22
#define BMP180_REG_ID       0xD0
#define BMP180_REG_RESET    0xE0 /* write BMP180_RESET_WORD: soft reset */
#define BMP180_RESET_WORD   0xB6
#define BMP180_REG_CTRL     0xF4
#define BMP180_REG_OUT      0xF6 /* MSB, LSB, XLSB at 0xF6-0xF8 */
#define BMP180_CMD_TEMP     0x2E
#define BMP180_CMD_PRESSURE 0x34 /* | oss << 6 */
#define BMP180_CMD_MASK     0x1F /* ctrl_meas bits 4-0: which measurement */
#define BMP180_CTRL_SCO     0x20 /* start of conversion: set while converting */

/* A [bmp180] section. */
struct bmp180_conf {
	struct i2c_conf i2c;
	unsigned oversampling;
	double sea_level;       /* hPa */
	double altitude_offset; /* m */
};

/* Calibration coefficients from the EEPROM (datasheet 3.4). */
struct bmp180_calib {
	int16_t ac1, ac2, ac3;
	uint16_t ac4, ac5, ac6;
	int16_t b1, b2, mb, mc, md;
};

/* Decode the 22 EEPROM bytes (big-endian words, datasheet 3.4). Returns
 * false if any word is 0x0000 or 0xFFFF, which the datasheet names as a
 * sign of a failed read. */
bool bmp180_parse_calib(const uint8_t raw[BMP180_CALIB_LEN], struct bmp180_calib *c);
/* Conversion time in microseconds for temperature (oss < 0) or pressure. */
unsigned bmp180_conversion_us(int oss);
/* Raw pressure from the 3 result bytes at oversampling oss (datasheet 3.3). */
int32_t bmp180_raw_pressure(const uint8_t out[3], unsigned oss);
/* Compensate raw readings (datasheet 3.5): temperature in 0.1 degC, pressure
 * in Pa. False if the calibration makes the formulas divide by zero. */
bool bmp180_compensate(const struct bmp180_calib *c, int32_t ut, int32_t up, unsigned oss,
                       int32_t *temp_01c, int32_t *pressure_pa);

#endif
