#include "quantity.h"

#include <stddef.h>

#include "buf.h"
#include "log.h"

/* Home Assistant's device classes: temperature in °C, atmospheric_pressure
 * in hPa, humidity in %, voltage in V. A gas estimate gets none: it is not
 * a measurement of any one gas. The other units are the page's choices:
 * 1 hPa = 0.02953 inHg = 0.75006 mmHg, 1 m = 3.2808 ft. */
static const struct quantity_info table[Q_COUNT_OF_QUANTITIES] = {
	[Q_TEMPERATURE] = { .name = "temperature",
	                    .label = "Temperature",
	                    .unit = "°C",
	                    .decimals = 1,
	                    .base = "celsius",
	                    .to_base = 1,
	                    .ha_class = "temperature",
	                    .ha_unit = "°C",
	                    .trend = true,
	                    .choices = { { "°F", 1.8, 32, 0 } } },
	[Q_PRESSURE] = { .name = "pressure",
	                 .label = "Pressure",
	                 .unit = "hPa",
	                 .decimals = 2,
	                 .base = "pascals",
	                 .to_base = 100,
	                 .ha_class = "atmospheric_pressure",
	                 .ha_unit = "hPa",
	                 .trend = true,
	                 .choices = { { "inHg", 0.0295299830714, 0, 0 },
	                              { "mmHg", 0.750061683, 0, -1 },
	                              { "kPa", 0.1, 0, 1 } } },
	[Q_ALTITUDE] = { .name = "altitude",
	                 .label = "Altitude",
	                 .unit = "m",
	                 .decimals = 1,
	                 .base = "meters",
	                 .to_base = 1,
	                 .ha_unit = "m",
	                 .trend = true,
	                 .choices = { { "ft", 3.28083989501, 0, 0 } } },
	[Q_HUMIDITY] = { .name = "humidity",
	                 .label = "Humidity",
	                 .unit = "%",
	                 .decimals = 1,
	                 .base = "ratio",
	                 .to_base = 0.01,
	                 .ha_class = "humidity",
	                 .ha_unit = "%",
	                 .trend = true },
	[Q_VOLTAGE] = { .name = "voltage",
	                .label = "Voltage",
	                .unit = "V",
	                .decimals = 3,
	                .base = "volts",
	                .to_base = 1,
	                .ha_class = "voltage",
	                .ha_unit = "V",
	                .trend = true },
	[Q_RESISTANCE] = { .name = "resistance",
	                   .label = "Resistance",
	                   .unit = "kΩ",
	                   .decimals = 2,
	                   .base = "ohms",
	                   .to_base = 1000,
	                   .ha_unit = "kΩ",
	                   .trend = true },
	[Q_GAS_ESTIMATE] = { .name = "gas_estimate",
	                     .label = "Estimate",
	                     .unit = "ppm",
	                     .decimals = 0,
	                     .base = "ppm",
	                     .to_base = 1,
	                     .ha_unit = "ppm",
	                     .trend = true },
	[Q_ON_OFF] = { .name = "on_off",
	               .label = "State",
	               .unit = "",
	               .boolean = true,
	               .base = "",
	               .to_base = 1 },
	[Q_COUNT] = { .name = "count",
	              .label = "Count",
	              .unit = "",
	              .base = "",
	              .to_base = 1,
	              .counter = true },
	[Q_NUMBER] = { .name = "number",
	               .label = "Number",
	               .unit = "",
	               .decimals = 2,
	               .base = "",
	               .to_base = 1,
	               .trend = true },
	/* Home Assistant wants a timestamp as ISO 8601 text: see mqtt.c. */
	[Q_TIMESTAMP] = { .name = "timestamp",
	                  .label = "Time",
	                  .unit = "",
	                  .base = "timestamp_seconds",
	                  .to_base = 1,
	                  .ha_class = "timestamp" },
};

const struct quantity_info *quantity(enum quantity q)
{
	if ((unsigned)q >= Q_COUNT_OF_QUANTITIES || table[q].name == NULL)
		fatal("quantity %d is not in the table", (int)q);
	return &table[q];
}

void quantity_render_json(struct buf *b)
{
	buf_puts(b, "{\"quantities\":[");
	for (size_t i = 0; i < Q_COUNT_OF_QUANTITIES; i++) {
		const struct quantity_info *q = &table[i];
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		buf_json_str(b, q->name);
		buf_puts(b, ",\"label\":");
		buf_json_str(b, q->label);
		buf_puts(b, ",\"unit\":");
		if (q->unit[0] != '\0')
			buf_json_str(b, q->unit);
		else
			buf_puts(b, "null");
		buf_puts(b, ",\"units\":[");
		for (size_t k = 0; k < QUANTITY_MAX_CHOICES && q->choices[k].unit != NULL; k++) {
			const struct unit_choice *c = &q->choices[k];
			buf_puts(b, k ? ",{\"unit\":" : "{\"unit\":");
			buf_json_str(b, c->unit);
			buf_printf(b, ",\"scale\":%.12g,\"offset\":%.12g,\"extra_decimals\":%d}",
			           c->scale, c->offset, c->extra_decimals);
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}\n");
}
