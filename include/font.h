/*
 * Bitmap fonts for the display, converted at build time from Debian's
 * console fonts (Terminus, SIL Open Font License 1.1) by tools/psf2c.
 */
#ifndef MURICLE_FONT_H
#define MURICLE_FONT_H

#include <stddef.h>
#include <stdint.h>

struct font {
	unsigned width, height;
	size_t n;
	const uint32_t *codes; /* n code points, ascending */
	const uint8_t *bits;   /* n glyphs: height rows of (width + 7) / 8 bytes, MSB leftmost */
};

extern const struct font font_small; /* Terminus 12x6 */
extern const struct font font_large; /* Terminus Bold 24x12 */

/* A code point's glyph; the one of '?' when the font has none. */
const uint8_t *font_glyph(const struct font *f, uint32_t cp);

#endif
