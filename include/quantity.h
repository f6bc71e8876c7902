/*
 * What a value measures. One table gives, for each quantity, the unit and
 * decimals the page and the API show, the Prometheus base unit and the
 * factor to it, and the Home Assistant device class and unit. Nothing else
 * in muricle knows a unit by its spelling.
 */
#ifndef MURICLE_QUANTITY_H
#define MURICLE_QUANTITY_H

#include <stdbool.h>

enum quantity {
	Q_TEMPERATURE,
	Q_PRESSURE,
	Q_ALTITUDE,
	Q_HUMIDITY,
	Q_VOLTAGE,
	Q_RESISTANCE,
	Q_GAS_ESTIMATE, /* a concentration estimated from a sensor's curve, not measured */
	Q_ON_OFF,
	Q_COUNT,     /* events since start, only ever growing */
	Q_NUMBER,    /* a plain number without a unit */
	Q_TIMESTAMP, /* a moment, in seconds since the epoch */
	Q_COUNT_OF_QUANTITIES
};

/* Another unit the page may show a quantity in: shown = v * scale + offset,
 * with the value's decimals plus extra_decimals. The API keeps `unit`. */
struct unit_choice {
	const char *unit;
	double scale, offset;
	int extra_decimals;
};

#define QUANTITY_MAX_CHOICES 3

struct quantity_info {
	const char *name;     /* "temperature", in the API */
	const char *label;    /* "Temperature", for people; a value may name itself better */
	const char *unit;     /* as shown: "°C"; "" for none */
	int decimals;         /* shown, unless a driver knows its resolution better */
	bool boolean;         /* shown as on/off */
	const char *base;     /* Prometheus base unit suffix: "celsius"; "" for none */
	double to_base;       /* shown unit * to_base = base unit (100 for hPa) */
	bool counter;         /* a Prometheus counter (..._total), not a gauge */
	const char *ha_class; /* Home Assistant device class, NULL if it has none */
	const char *ha_unit;  /* the unit Home Assistant expects with it */
	bool trend;           /* kept in the history and charted: a measurement over time */
	struct unit_choice
	        choices[QUANTITY_MAX_CHOICES]; /* other units, unit NULL after the last */
};

const struct quantity_info *quantity(enum quantity q);
/* The quantities and their unit choices, as JSON (GET /api/v1/quantities). */
struct buf;
void quantity_render_json(struct buf *b);

#endif
