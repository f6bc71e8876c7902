#include <math.h>
#include <stdio.h>
#include <string.h>

#include "display_page.h"

/* Text that fits in width pixels: cut, with an ellipsis, when it does not. */
static void fit(char *out, size_t len, const struct font *f, const char *text, int width)
{
	int most = width / (int)f->width;

	snprintf(out, len, "%s", text);
	if (fb_text_width(f, out) <= width)
		return;
	/* Keep most - 1 characters (whole UTF-8 sequences), then "…". */
	size_t i = 0;
	for (int n = 0; out[i] != '\0' && n < most - 1; n++)
		do
			i++;
		while ((out[i] & 0xC0) == 0x80);
	snprintf(out + i, len - i, "…");
}

/* The trend in the box (x0, y0)-(x1, y1): the line scaled to its own min
 * and max, broken where a reading failed or readings are missing, with
 * dotted lines at the min and the max when the box is tall enough. */
static void trend(struct fb *fb, const struct display_page *p, int x0, int y0, int x1, int y1)
{
	double lo = INFINITY, hi = -INFINITY;
	double from = (double)p->now - p->span;

	for (size_t i = 0; i < p->npoints; i++)
		if (isfinite(p->points[i].v) && p->points[i].t >= from) {
			lo = fmin(lo, p->points[i].v);
			hi = fmax(hi, p->points[i].v);
		}
	if (!isfinite(lo))
		return; /* nothing to draw: the title and state say enough */
	if (hi - lo < 1e-9) {
		lo -= 1;
		hi += 1;
	}
	/* The min and the max, where there is room for them. */
	for (int x = x0; y1 - y0 >= 16 && x <= x1; x += 3) {
		fb_set(fb, x, y0, true);
		fb_set(fb, x, y1, true);
	}
	int px = 0, py = 0;
	bool pen = false;
	double prev = -INFINITY;
	for (size_t i = 0; i < p->npoints; i++) {
		const struct history_point *q = &p->points[i];
		if (q->t < from)
			continue;
		if (!isfinite(q->v) || q->t - prev > 2.5 * p->interval) {
			pen = false;
		}
		prev = q->t;
		if (!isfinite(q->v))
			continue;
		int x = x0 + (int)lround((q->t - from) / p->span * (x1 - x0));
		int y = y1 - (int)lround((q->v - lo) / (hi - lo) * (y1 - y0));
		if (pen)
			fb_line(fb, px, py, x, y);
		else
			fb_set(fb, x, y, true);
		px = x;
		py = y;
		pen = true;
	}
}

void display_draw_page(struct fb *fb, const struct display_page *p)
{
	char text[96], title[96];
	const struct font *small = &font_small, *large = &font_large;
	int w = (int)fb->w;
	bool tall = fb->h >= 64;

	fb_clear(fb);
	snprintf(title, sizeof title, "%s %s", p->sensor, p->value);
	fit(text, sizeof text, small, title, w);
	fb_text(fb, small, 0, 0, text);

	const char *state = p->status == SENSOR_ERROR   ? "ERROR"
	                    : p->status == SENSOR_STALE ? "STALE"
	                    : p->number == NULL         ? "PENDING"
	                                                : NULL;
	int y = (int)small->height + 1;
	if (tall && state != NULL) {
		fb_text(fb, large, 0, y, state);
	} else if (tall) {
		int uw = p->unit[0] != '\0' ? fb_text_width(small, p->unit) + 2 : 0;
		if (fb_text_width(large, p->number) + uw <= w) {
			int x = fb_text(fb, large, 0, y, p->number);
			fb_text(fb, small, x + 2, y + (int)large->height - (int)small->height,
			        p->unit);
		} else {
			snprintf(title, sizeof title, "%s %s", p->number, p->unit);
			fit(text, sizeof text, small, title, w);
			fb_text(fb, small, 0, y, text);
		}
	} else {
		snprintf(title, sizeof title, "%s%s%s", state ? state : p->number,
		         state || p->unit[0] == '\0' ? "" : " ", state ? "" : p->unit);
		fit(text, sizeof text, small, title, w);
		fb_text(fb, small, 0, y, text);
	}
	int top = tall ? y + (int)large->height + 2 : y + (int)small->height + 1;
	trend(fb, p, 0, top, w - 1, (int)fb->h - 1);
}
