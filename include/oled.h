/*
 * The SSD1306 and SH1106 OLED controllers' I2C protocol, pure: every
 * transfer is a control byte (OLED_COMMANDS or OLED_DATA) and then bytes.
 * Both are driven in page addressing mode, one 8-row page at a time; the
 * SH1106 has 132 columns of RAM of which a 128-column panel shows 2..129.
 */
#ifndef MURICLE_OLED_H
#define MURICLE_OLED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OLED_COMMANDS 0x00 /* Co = 0, D/C# = 0: the rest are commands */
#define OLED_DATA     0x40 /* Co = 0, D/C# = 1: the rest are display data */

enum oled_controller { OLED_SSD1306, OLED_SH1106 };

struct oled_geometry {
	enum oled_controller controller;
	unsigned width, height; /* 128 x 64 or 128 x 32 */
	bool rotate180;
	unsigned contrast; /* 0-255 */
};

/* The commands that set the panel up and turn it on; returns how many
 * bytes were written to out (at most OLED_INIT_MAX). */
#define OLED_INIT_MAX 32
size_t oled_init_commands(const struct oled_geometry *g, uint8_t *out);
/* The commands that put the write pointer at page p, the panel's first column. */
#define OLED_PAGE_MAX 3
size_t oled_page_commands(const struct oled_geometry *g, unsigned page, uint8_t *out);
/* Display on or off (off keeps the RAM: burn-in care), and the contrast. */
size_t oled_power_commands(bool on, uint8_t *out);
size_t oled_contrast_commands(unsigned contrast, uint8_t *out);

#endif
