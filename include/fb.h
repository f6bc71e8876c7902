/*
 * A 1-bit frame buffer laid out as SSD1306 and SH1106 controllers take it:
 * pages of 8 rows, one byte per column, the lowest bit the top row. Drawing
 * is pure and clips at the edges; PBM (P1) in and out for the tests and
 * for anyone's image viewer.
 */
#ifndef MURICLE_FB_H
#define MURICLE_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "font.h"

struct buf;

#define FB_MAX_W 128
#define FB_MAX_H 64

struct fb {
	unsigned w, h;                          /* h a multiple of 8 */
	uint8_t bytes[FB_MAX_W * FB_MAX_H / 8]; /* page p, column x: bytes[p * w + x] */
};

void fb_init(struct fb *fb, unsigned w, unsigned h);
void fb_clear(struct fb *fb);
void fb_set(struct fb *fb, int x, int y, bool on);
bool fb_get(const struct fb *fb, int x, int y);
void fb_line(struct fb *fb, int x0, int y0, int x1, int y1);
/* Draw UTF-8 text with its top left at (x, y); returns the x after it. */
int fb_text(struct fb *fb, const struct font *f, int x, int y, const char *utf8);
int fb_text_width(const struct font *f, const char *utf8);

/* PBM "P1": a header, then one line of 0s and 1s per row (1 is lit). */
void fb_write_pbm(const struct fb *fb, struct buf *out);
/* Read what fb_write_pbm writes (comments allowed); 0, or -1 if it is not that. */
int fb_read_pbm(struct fb *fb, const char *text);

#endif
