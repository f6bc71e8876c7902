#include "quantity.h"

#include <stddef.h>

#include "log.h"

/* Home Assistant's device classes: temperature in °C, atmospheric_pressure
 * in hPa, humidity in %, voltage in V. A gas estimate gets none: it is not
 * a measurement of any one gas. */
static const struct quantity_info table[Q_COUNT_OF_QUANTITIES] = {
	[Q_TEMPERATURE] = { "temperature", "°C", 1, false, "celsius", 1, false, "temperature",
	                    "°C" },
	[Q_PRESSURE] = { "pressure", "hPa", 2, false, "pascals", 100, false, "atmospheric_pressure",
	                 "hPa" },
	[Q_ALTITUDE] = { "altitude", "m", 1, false, "meters", 1, false, NULL, "m" },
	[Q_HUMIDITY] = { "humidity", "%", 1, false, "ratio", 0.01, false, "humidity", "%" },
	[Q_VOLTAGE] = { "voltage", "V", 3, false, "volts", 1, false, "voltage", "V" },
	[Q_RESISTANCE] = { "resistance", "kΩ", 2, false, "ohms", 1000, false, NULL, "kΩ" },
	[Q_GAS_ESTIMATE] = { "gas_estimate", "ppm", 0, false, "ppm", 1, false, NULL, "ppm" },
	[Q_ON_OFF] = { "on_off", "", 0, true, "", 1, false, NULL, NULL },
	[Q_COUNT] = { "count", "", 0, false, "", 1, true, NULL, NULL },
	[Q_NUMBER] = { "number", "", 2, false, "", 1, false, NULL, NULL },
};

const struct quantity_info *quantity(enum quantity q)
{
	if ((unsigned)q >= Q_COUNT_OF_QUANTITIES || table[q].name == NULL)
		fatal("quantity %d is not in the table", (int)q);
	return &table[q];
}
