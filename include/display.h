/*
 * The OLED display: a sink of readings that shows one value after another
 * (display_page.h draws them) on an SSD1306 or SH1106 over I2C (oled.h).
 * Only the 8-row pages that changed are sent, in chunks of 32 bytes, one
 * transfer at a time, so that a sensor on the same bus waits for one chunk
 * at most. A display that does not answer is an error with its reason, is
 * set up again every 10 s, and never holds up a sensor.
 */
#ifndef MURICLE_DISPLAY_H
#define MURICLE_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fb.h"

struct buf;
struct conf_key;
struct config_report;
struct event_base;
struct history;
struct i2c_bus;
struct sensor;
struct sink_ops;

extern const struct conf_key display_keys[];
void display_section_opened(struct config *cfg, int line);
void display_validate(const struct config *cfg, struct config_report *r);

enum display_status { DISPLAY_PENDING, DISPLAY_OK, DISPLAY_ERROR, DISPLAY_OFF };

struct display_stats {
	enum display_status status;
	char error[160];                    /* when status is DISPLAY_ERROR */
	char page[2 * CONFIG_NAME_MAX + 2]; /* "sensor/value" shown, "" for none */
	uint64_t frames;                    /* frames sent in full */
	uint64_t transfers;                 /* I2C transfers that succeeded */
	bool dim;
};

struct display;

/* changed(ctx, frame) runs whenever display_stats() changes; frame is true
 * when a frame just reached the panel (for the page's mirror). */
struct display *display_new(struct event_base *base, const struct display_conf *c,
                            struct i2c_bus *bus, const struct history *history,
                            void (*changed)(void *ctx, bool frame), void *ctx);
/* The sensors whose values it shows (at start and at every reload). */
void display_set_sensors(struct display *d, struct sensor *const *sensors, size_t n);
void display_free(struct display *d);

const struct display_stats *display_stats(const struct display *d);
/* What the panel shows now: the last frame that reached it (dark before). */
const struct fb *display_shown(const struct display *d);
/* That frame as SVG, for GET /api/v1/display. */
void display_render_svg(const struct fb *fb, struct buf *out);
const char *display_status_name(enum display_status st);

extern const struct sink_ops display_sink;

#endif
