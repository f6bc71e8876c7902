/* What every driver shares: its wiring's part of the configuration, and
 * sensors made with the driver's values and calibration. */
#include "driver.h"

#include <stdio.h>

#include "sensor.h"

const struct i2c_conf *driver_i2c(const struct sensor_conf *sc)
{
	return sc->driver->wiring == DRIVER_I2C ? config_driver_conf(sc, struct i2c_conf) : NULL;
}

const struct gpio_conf *driver_gpio(const struct sensor_conf *sc)
{
	return sc->driver->wiring == DRIVER_GPIO ? config_driver_conf(sc, struct gpio_conf) : NULL;
}

void driver_where(const struct sensor_conf *sc, char *out, size_t outlen)
{
	const struct i2c_conf *i2c = driver_i2c(sc);
	const struct gpio_conf *g = driver_gpio(sc);

	if (i2c != NULL)
		snprintf(out, outlen, "0x%02x on %s", i2c->address, i2c->bus);
	else if (g == NULL)
		snprintf(out, outlen, "%s", sc->driver->kind);
	else
		snprintf(out, outlen, "GPIO line %s%s%s%s", g->line, g->chip[0] ? " on " : "",
		         g->chip, g->active_low ? ", active low" : "");
}

struct sensor *driver_sensor_new(const struct sensor_conf *sc, const struct sensor_ops *ops,
                                 void *priv)
{
	struct sensor *s = sensor_new(ops, sc->name, priv);

	sensor_add_values(s, sc->driver->values);
	for (size_t i = 0; i < s->nvalues; i++)
		if (sc->calib[i].set)
			sensor_calibrate(s, i, sc->calib[i].factor, sc->calib[i].offset);
	driver_where(sc, s->where, sizeof s->where);
	return s;
}
