/*
 * What a display page shows, drawn into a frame buffer: a value of one
 * sensor with its name, its number and unit or its state when it has no
 * good number (error, stale, pending: never a frozen number), and a
 * trendline of its recent history. Pure: the driver sends the frame.
 */
#ifndef MURICLE_DISPLAY_PAGE_H
#define MURICLE_DISPLAY_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "fb.h"
#include "history.h"
#include "sensor.h"

struct display_page {
	const char *sensor; /* "barometer" */
	const char *value;  /* "pressure" */
	const char *number; /* as shown, "1013.25"; NULL without a good reading */
	const char *unit;   /* "hPa", or "" */
	enum sensor_status status;
	/* The trend: points oldest first (NaN: a failed reading), over the
	 * span seconds that end at now; readings interval seconds apart. */
	const struct history_point *points;
	size_t npoints;
	uint32_t now;
	double span, interval;
};

void display_draw_page(struct fb *fb, const struct display_page *p);

#endif
