#include "fb.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

const uint8_t *font_glyph(const struct font *f, uint32_t cp)
{
	size_t lo = 0, hi = f->n, size = (f->width + 7) / 8 * f->height;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->codes[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < f->n && f->codes[lo] == cp)
		return f->bits + lo * size;
	return cp == '?' ? f->bits : font_glyph(f, '?');
}

void fb_init(struct fb *fb, unsigned w, unsigned h)
{
	fb->w = w > FB_MAX_W ? FB_MAX_W : w;
	fb->h = h > FB_MAX_H ? FB_MAX_H : h / 8 * 8;
	fb_clear(fb);
}

void fb_clear(struct fb *fb)
{
	memset(fb->bytes, 0, sizeof fb->bytes);
}

void fb_set(struct fb *fb, int x, int y, bool on)
{
	if (x < 0 || y < 0 || (unsigned)x >= fb->w || (unsigned)y >= fb->h)
		return;
	uint8_t *b = &fb->bytes[(unsigned)y / 8 * fb->w + (unsigned)x];
	uint8_t bit = (uint8_t)(1u << ((unsigned)y % 8));
	*b = on ? (uint8_t)(*b | bit) : (uint8_t)(*b & ~bit);
}

bool fb_get(const struct fb *fb, int x, int y)
{
	if (x < 0 || y < 0 || (unsigned)x >= fb->w || (unsigned)y >= fb->h)
		return false;
	return fb->bytes[(unsigned)y / 8 * fb->w + (unsigned)x] >> ((unsigned)y % 8) & 1;
}

/* Bresenham's line, both ends included. */
void fb_line(struct fb *fb, int x0, int y0, int x1, int y1)
{
	int dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;

	for (;;) {
		fb_set(fb, x0, y0, true);
		if (x0 == x1 && y0 == y1)
			return;
		int e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* The next code point of UTF-8 text; a broken sequence reads as '?'. */
static uint32_t next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = *p++;
	int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

	if (c >= 0x80 && more == 0) {
		*s = (const char *)p;
		return '?';
	}
	c &= more == 3 ? 0x07u : more == 2 ? 0x0Fu : more == 1 ? 0x1Fu : 0x7Fu;
	for (; more > 0; more--) {
		if ((*p & 0xC0) != 0x80) {
			*s = (const char *)p;
			return '?';
		}
		c = c << 6 | (*p++ & 0x3Fu);
	}
	*s = (const char *)p;
	return c;
}

int fb_text(struct fb *fb, const struct font *f, int x, int y, const char *utf8)
{
	unsigned row = (f->width + 7) / 8;

	while (*utf8 != '\0') {
		const uint8_t *g = font_glyph(f, next_cp(&utf8));
		for (unsigned r = 0; r < f->height; r++)
			for (unsigned c = 0; c < f->width; c++)
				if (g[r * row + c / 8] & (0x80u >> (c % 8)))
					fb_set(fb, x + (int)c, y + (int)r, true);
		x += (int)f->width;
	}
	return x;
}

int fb_text_width(const struct font *f, const char *utf8)
{
	int n = 0;

	while (*utf8 != '\0') {
		next_cp(&utf8);
		n++;
	}
	return n * (int)f->width;
}

void fb_write_pbm(const struct fb *fb, struct buf *out)
{
	buf_printf(out, "P1\n%u %u\n", fb->w, fb->h);
	for (unsigned y = 0; y < fb->h; y++) {
		for (unsigned x = 0; x < fb->w; x++)
			buf_add(out, fb_get(fb, (int)x, (int)y) ? "1" : "0", 1);
		buf_add(out, "\n", 1);
	}
}

/* The next token of a PBM header or body, skipping blanks and comments. */
static const char *pbm_skip(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '#')
			return p;
		while (*p != '\0' && *p != '\n')
			p++;
	}
}

int fb_read_pbm(struct fb *fb, const char *text)
{
	char *end;
	const char *p = pbm_skip(text);

	if (strncmp(p, "P1", 2) != 0)
		return -1;
	unsigned long w = strtoul(pbm_skip(p + 2), &end, 10);
	unsigned long h = strtoul(pbm_skip(end), &end, 10);
	if (w == 0 || w > FB_MAX_W || h == 0 || h > FB_MAX_H || h % 8 != 0)
		return -1;
	fb_init(fb, (unsigned)w, (unsigned)h);
	p = end;
	for (unsigned long i = 0; i < w * h; i++) {
		p = pbm_skip(p);
		if (*p != '0' && *p != '1')
			return -1;
		fb_set(fb, (int)(i % w), (int)(i / w), *p++ == '1');
	}
	return *pbm_skip(p) == '\0' ? 0 : -1;
}
