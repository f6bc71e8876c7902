/*
 * A model of an SSD1306 or SH1106 OLED controller on I2C: it decodes the
 * command stream (the three addressing modes, column and page windows,
 * display on/off, contrast, inversion, segment remap, COM scan direction,
 * start line and offset) into its own display RAM, and shows what the
 * panel would. So --simulate runs the real driver end to end, and tests
 * compare the panel with the frame that was drawn.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fb.h"
#include "sim.h"
#include "xmalloc.h"

#define RAM_COLS 132 /* the SH1106's; an SSD1306 uses 128 of them */

struct sim_oled {
	bool sh1106;
	unsigned width, height;
	uint8_t ram[8][RAM_COLS];
	unsigned page, col;
	unsigned mode; /* SSD1306 0x20: 0 horizontal, 1 vertical, 2 page */
	unsigned col_lo, col_hi, page_lo, page_hi; /* the 0x21 and 0x22 windows */
	bool on, inverse, all_on, seg_remap, com_remap;
	unsigned contrast, start_line, offset, mux;
	uint8_t cmd[3]; /* a command waiting for its parameters */
	size_t have, need;
	unsigned commands, data_bytes;
};

struct sim_oled *sim_oled_new(bool sh1106, unsigned width, unsigned height)
{
	struct sim_oled *m = xcalloc(1, sizeof *m);

	m->sh1106 = sh1106;
	m->width = width;
	m->height = height;
	m->mode = 2; /* both reset to page addressing */
	m->col_hi = 127;
	m->page_hi = 7;
	m->contrast = 0x7F;
	m->mux = 63;
	return m;
}

/* Parameters a command takes after its first byte. */
static size_t params(const struct sim_oled *m, uint8_t c)
{
	switch (c) {
	case 0x81:
	case 0xA8:
	case 0xD3:
	case 0xD5:
	case 0xD9:
	case 0xDA:
	case 0xDB:
	case 0xAD: return 1;
	case 0x8D:
	case 0x20: return m->sh1106 ? 0 : 1;
	case 0x21:
	case 0x22: return m->sh1106 ? 0 : 2;
	default: return 0;
	}
}

static void command(struct sim_oled *m, const uint8_t *c)
{
	uint8_t op = c[0];

	m->commands++;
	if (op <= 0x0F) { /* page mode: the column's lower nibble */
		m->col = (m->col & 0xF0) | op;
	} else if (op <= 0x1F) { /* and its higher one */
		m->col = (m->col & 0x0F) | (unsigned)(op & 0x0F) << 4;
	} else if (op >= 0x40 && op <= 0x7F) {
		m->start_line = op & 0x3F;
	} else if (op >= 0xB0 && op <= 0xB7) {
		m->page = op & 7;
	} else if (!m->sh1106 && op == 0x20) {
		m->mode = c[1] & 3;
	} else if (!m->sh1106 && op == 0x21) {
		m->col_lo = c[1] & 0x7F;
		m->col_hi = c[2] & 0x7F;
		m->col = m->col_lo;
	} else if (!m->sh1106 && op == 0x22) {
		m->page_lo = c[1] & 7;
		m->page_hi = c[2] & 7;
		m->page = m->page_lo;
	} else {
		switch (op) {
		case 0x81: m->contrast = c[1]; break;
		case 0xA8: m->mux = c[1] & 0x3F; break;
		case 0xD3: m->offset = c[1] & 0x3F; break;
		case 0xA0:
		case 0xA1: m->seg_remap = op & 1; break;
		case 0xA4:
		case 0xA5: m->all_on = op & 1; break;
		case 0xA6:
		case 0xA7: m->inverse = op & 1; break;
		case 0xAE:
		case 0xAF: m->on = op & 1; break;
		case 0xC0:
		case 0xC8: m->com_remap = op == 0xC8; break;
		default: break; /* clock, pre-charge, VCOMH, pumps, scrolling: not the picture */
		}
	}
}

static void data(struct sim_oled *m, uint8_t b)
{
	unsigned cols = m->sh1106 ? RAM_COLS : 128;

	m->data_bytes++;
	if (m->col < cols)
		m->ram[m->page][m->col] = b;
	if (m->sh1106 || m->mode == 2) { /* page mode: the column advances, the page stays */
		if (++m->col >= (m->sh1106 ? RAM_COLS : m->col_hi + 1))
			m->col = m->sh1106 ? RAM_COLS - 1 : m->col_lo;
	} else if (m->mode == 0) { /* horizontal: across the window, then the next page */
		if (++m->col > m->col_hi) {
			m->col = m->col_lo;
			m->page = m->page >= m->page_hi ? m->page_lo : m->page + 1;
		}
	} else { /* vertical: down the window, then the next column */
		if (++m->page > m->page_hi) {
			m->page = m->page_lo;
			m->col = m->col >= m->col_hi ? m->col_lo : m->col + 1;
		}
	}
}

/* One transfer: control byte, then bytes. With Co set, one byte follows and
 * then another control byte. */
static int oled_write(void *dev, uint8_t control, const uint8_t *buf, size_t len)
{
	struct sim_oled *m = dev;

	for (size_t i = 0; i < len; i++) {
		bool is_data = control & 0x40;
		if (is_data) {
			data(m, buf[i]);
		} else {
			if (m->have == 0)
				m->need = params(m, buf[i]);
			m->cmd[m->have++] = buf[i];
			if (m->have > m->need) {
				command(m, m->cmd);
				m->have = 0;
			}
		}
		if ((control & 0x80) && i + 1 < len)
			control = buf[++i];
	}
	return 0;
}

static int oled_read(void *dev, uint8_t reg, uint8_t *buf, size_t len)
{
	(void)dev;
	(void)reg;
	(void)buf;
	(void)len;
	return EIO; /* on I2C these controllers are write-only */
}

static void oled_destroy(void *dev)
{
	free(dev);
}

const struct sim_device_ops sim_oled_ops = { oled_read, oled_write, oled_destroy };

/* What the panel shows. Modules are wired so that remapped segments and
 * COM lines (A1, C8) show RAM column 0 and row 0 at the top left; without
 * them the picture is turned by 180°. */
void sim_oled_frame(const struct sim_oled *m, struct fb *fb)
{
	unsigned pad = m->sh1106 ? 2 : 0;

	fb_init(fb, m->width, m->height);
	for (unsigned y = 0; y < m->height; y++)
		for (unsigned x = 0; x < m->width; x++) {
			unsigned col = (m->seg_remap ? x : m->width - 1 - x) + pad;
			unsigned row = ((m->com_remap ? y : m->height - 1 - y) + m->start_line +
			                m->offset) %
			               64;
			bool lit = m->ram[row / 8][col] >> (row % 8) & 1;
			lit = m->all_on || (lit != m->inverse);
			fb_set(fb, (int)x, (int)y, m->on && lit);
		}
}

struct sim_oled_state sim_oled_state(const struct sim_oled *m)
{
	struct sim_oled_state s = { m->on, m->contrast, m->commands, m->data_bytes };
	return s;
}
