/*
 * The MQ135 air-quality sensor, read through an ADS1115. Its "ppm" is an
 * estimate: the sensor's resistance falls with many gases, and the curve
 * that maps it to CO2 ppm holds only for a calibrated rzero. The arithmetic
 * and default constants are those of the project muricle grew from.
 */
#ifndef MURICLE_MQ135_H
#define MURICLE_MQ135_H

#include "driver.h"

struct mq135_params {
	double rload;      /* kOhm, the load resistor on the module */
	double rzero;      /* kOhm, the sensor's resistance in clean air */
	double para, parb; /* the ppm curve: ppm = para * (rs / rzero)^-parb */
	double cora, corb, corc, cord, core, corf, corg; /* temperature/humidity correction */
	double atmoco2; /* ppm CO2 of the outside air, for calibrating rzero */
	double supply;  /* V across the sensor and load resistor */
};

/* Sensor resistance (kOhm) from the voltage across the load resistor; < 0
 * when the voltage is outside (0, supply). */
double mq135_resistance(const struct mq135_params *p, double vout);
/* Factor by which temperature (degC) and relative humidity (%) change the
 * resistance. */
double mq135_correction(const struct mq135_params *p, double temp, double humidity);
double mq135_ppm(const struct mq135_params *p, double resistance);
/* The rzero that would make this reading show atmoco2 ppm. */
double mq135_rzero(const struct mq135_params *p, double resistance);

/* An [mq135] section: the sensor on one input of an ADS1115. */
struct mq135_conf {
	struct i2c_conf i2c;
	unsigned channel;   /* AIN0-3 */
	double range;       /* full-scale volts */
	unsigned data_rate; /* samples/s */
	double divider;     /* sensor volts per volt at the ADC input */
	struct mq135_params mq;
	double temperature, humidity;               /* correction constants */
	char temperature_from[CONFIG_NAME_MAX + 1]; /* or another sensor's reading */
	char humidity_from[CONFIG_NAME_MAX + 1];
};

#endif
