#include "oled.h"

/* From the datasheets (SSD1306 rev 1.1 section 9 and its application note's
 * set-up sequence; SH1106 V2.3 section 9). */
size_t oled_init_commands(const struct oled_geometry *g, uint8_t *out)
{
	size_t n = 0;
	bool sh1106 = g->controller == OLED_SH1106;

	out[n++] = 0xAE;                  /* display off while setting up */
	out[n++] = 0xD5, out[n++] = 0x80; /* clock: divide 1, default frequency */
	out[n++] = 0xA8, out[n++] = (uint8_t)(g->height - 1); /* multiplex ratio */
	out[n++] = 0xD3, out[n++] = 0x00;                     /* no display offset */
	out[n++] = 0x40;                                      /* start line 0 */
	if (sh1106) {
		out[n++] = 0xAD, out[n++] = 0x8B; /* DC-DC converter on */
	} else {
		out[n++] = 0x8D, out[n++] = 0x14; /* charge pump on */
		out[n++] = 0x20, out[n++] = 0x02; /* page addressing, as the SH1106 has only */
	}
	/* Upright: columns and rows remapped, as modules are wired; 180°: not. */
	out[n++] = g->rotate180 ? 0xA0 : 0xA1;
	out[n++] = g->rotate180 ? 0xC0 : 0xC8;
	out[n++] = 0xDA, out[n++] = g->height == 64 ? 0x12 : 0x02; /* COM pins */
	out[n++] = 0x81, out[n++] = (uint8_t)(g->contrast > 255 ? 255 : g->contrast);
	out[n++] = 0xD9, out[n++] = sh1106 ? 0x22 : 0xF1; /* pre-charge */
	out[n++] = 0xDB, out[n++] = sh1106 ? 0x35 : 0x40; /* VCOMH */
	out[n++] = 0xA4;                                  /* show the RAM */
	out[n++] = 0xA6;                                  /* not inverted */
	if (!sh1106)
		out[n++] = 0x2E; /* no scrolling */
	out[n++] = 0xAF;         /* display on */
	return n;
}

size_t oled_page_commands(const struct oled_geometry *g, unsigned page, uint8_t *out)
{
	unsigned column = g->controller == OLED_SH1106 ? 2 : 0;

	out[0] = (uint8_t)(0xB0 | (page & 7));
	out[1] = (uint8_t)(0x00 | (column & 0x0F)); /* lower nibble */
	out[2] = (uint8_t)(0x10 | (column >> 4));   /* higher nibble */
	return 3;
}

size_t oled_power_commands(bool on, uint8_t *out)
{
	out[0] = on ? 0xAF : 0xAE;
	return 1;
}

size_t oled_contrast_commands(unsigned contrast, uint8_t *out)
{
	out[0] = 0x81;
	out[1] = (uint8_t)(contrast > 255 ? 255 : contrast);
	return 2;
}
