/* Bosch BME280 (temperature, pressure, humidity) and BMP280 (no humidity):
 * datasheet arithmetic (pure) and the sensor driver. */
#ifndef MURICLE_BME280_H
#define MURICLE_BME280_H

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"

#define BME280_CHIP_ID          0x60
#define BMP280_CHIP_ID          0x58
#define BME280_REG_ID           0xD0
#define BME280_REG_CALIB_TP     0x88 /* 26 bytes, 0x88-0xA1 (dig_H1 last) */
#define BME280_CALIB_TP_LEN     26
#define BME280_REG_CALIB_H      0xE1 /* 7 bytes, 0xE1-0xE7 */
#define BME280_CALIB_H_LEN      7
#define BME280_REG_DIG_H1       0xA1 /* the last trimming byte of the first block */
#define BME280_REG_RESET        0xE0
#define BME280_REG_CTRL_HUM     0xF2
#define BME280_REG_STATUS       0xF3
#define BME280_REG_CTRL_MEAS    0xF4
#define BME280_REG_CONFIG       0xF5
#define BME280_REG_DATA         0xF7 /* press[3] at 0xF7, temp[3] at 0xFA, hum[2] at 0xFD */
#define BME280_DATA_TEMP        3    /* offsets in the data block */
#define BME280_DATA_HUM         6
#define BME280_MODE_FORCED      0x01
#define BME280_MODE_MASK        0x03
#define BME280_STATUS_MEASURING 0x08

/* A [bme280] or [bmp280] section; one struct for both kinds: a BMP280's section has no humidity
 * key. */
struct bme280_conf {
	struct i2c_conf i2c;
	unsigned os_t, os_p, os_h; /* oversampling counts */
	double sea_level;          /* hPa */
	double altitude_offset;    /* m */
};

/* Trimming parameters (datasheet 4.2.2). */
struct bme280_calib {
	uint16_t t1;
	int16_t t2, t3;
	uint16_t p1;
	int16_t p2, p3, p4, p5, p6, p7, p8, p9;
	uint8_t h1, h3;
	int16_t h2, h4, h5;
	int8_t h6;
};

/* Decode the trimming registers; h may be NULL for a BMP280. */
void bme280_parse_calib(const uint8_t tp[BME280_CALIB_TP_LEN], const uint8_t *h,
                        struct bme280_calib *c);
/* The oversampling register code for 0 (skip), 1, 2, 4, 8 or 16; -1 otherwise. */
int bme280_osrs(unsigned times);
/* Maximum forced-mode measurement time in microseconds (datasheet 9.1), for
 * oversampling counts (0 = skipped). */
unsigned bme280_measure_us(unsigned t, unsigned p, unsigned h);
/* Integer compensation (datasheet 4.2.3). t_fine is passed from the
 * temperature to the others. Temperature in 0.01 degC; pressure in Pa/256;
 * humidity in %RH/1024. Pressure is 0 when the calibration is unusable. */
int32_t bme280_temperature(const struct bme280_calib *c, int32_t adc_t, int32_t *t_fine);
uint32_t bme280_pressure(const struct bme280_calib *c, int32_t adc_p, int32_t t_fine);
uint32_t bme280_humidity(const struct bme280_calib *c, int32_t adc_h, int32_t t_fine);

#endif
