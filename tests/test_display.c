/* The display's drawing: the frame buffer's layout, lines, text in the
 * Terminus glyphs, PBM in and out, and whole pages compared bit for bit
 * with golden frames in tests/display/ (PBM files: open them in any image
 * viewer). MURICLE_WRITE_GOLDEN=1 writes them anew, to be looked at before
 * they are committed. */
#include <check.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "display.h"
#include "display_page.h"
#include "i2c.h"
#include "sink.h"
#include "fb.h"
#include "font.h"
#include "oled.h"
#include "sensor.h"
#include "sim.h"
#include "testutil.h"

START_TEST(pages_of_eight_rows)
{
	struct fb fb;

	fb_init(&fb, 128, 64);
	fb_set(&fb, 3, 9, true); /* page 1, column 3, bit 1 */
	ck_assert_uint_eq(fb.bytes[1 * 128 + 3], 0x02);
	ck_assert(fb_get(&fb, 3, 9));
	fb_set(&fb, 127, 63, true);
	ck_assert_uint_eq(fb.bytes[7 * 128 + 127], 0x80);
	fb_set(&fb, -1, 0, true); /* clipped, not written elsewhere */
	fb_set(&fb, 128, 0, true);
	fb_set(&fb, 0, 64, true);
	size_t lit = 0;
	for (size_t i = 0; i < sizeof fb.bytes; i++)
		lit += (size_t)__builtin_popcount(fb.bytes[i]);
	ck_assert_uint_eq(lit, 2);
	fb_set(&fb, 3, 9, false);
	ck_assert(!fb_get(&fb, 3, 9));

	fb_init(&fb, 128, 32);
	ck_assert_uint_eq(fb.h, 32);
	fb_set(&fb, 0, 40, true); /* beyond a 32-row display */
	ck_assert(!fb_get(&fb, 0, 40));
}
END_TEST

START_TEST(lines_reach_both_ends)
{
	struct fb fb;

	fb_init(&fb, 128, 64);
	fb_line(&fb, 2, 60, 100, 5);
	ck_assert(fb_get(&fb, 2, 60) && fb_get(&fb, 100, 5));
	/* One pixel per column on a shallow line. */
	for (int x = 2; x <= 100; x++) {
		int n = 0;
		for (int y = 0; y < 64; y++)
			n += fb_get(&fb, x, y);
		ck_assert_int_ge(n, 1);
	}
}
END_TEST

START_TEST(glyphs_from_the_font)
{
	/* The fonts come from the build: Terminus 12x6 and Bold 24x12. */
	ck_assert_uint_eq(font_small.width, 6);
	ck_assert_uint_eq(font_small.height, 12);
	ck_assert_uint_eq(font_large.width, 12);
	ck_assert_uint_eq(font_large.height, 24);
	/* A space is blank, an 'l' is not; a character the font lacks is '?'. */
	const uint8_t *space = font_glyph(&font_small, ' '), *ell = font_glyph(&font_small, 'l');
	int lit = 0;
	for (unsigned i = 0; i < font_small.height; i++) {
		ck_assert_uint_eq(space[i], 0);
		lit += ell[i] != 0;
	}
	ck_assert_int_gt(lit, 5);
	ck_assert_ptr_eq(font_glyph(&font_small, 0x4E2D), font_glyph(&font_small, '?'));
	ck_assert_ptr_ne(font_glyph(&font_small, 0x00B0), font_glyph(&font_small, '?')); /* ° */
	ck_assert_ptr_ne(font_glyph(&font_small, 0x03A9), font_glyph(&font_small, '?')); /* Ω */

	struct fb fb;
	fb_init(&fb, 128, 64);
	ck_assert_int_eq(fb_text_width(&font_small, "21.5 °C"), 7 * 6);
	ck_assert_int_eq(fb_text(&fb, &font_small, 10, 0, "kΩ"), 10 + 12);
	ck_assert_int_eq(fb_text_width(&font_small, "\xff\xfe"), 12); /* bytes that are not UTF-8 */
}
END_TEST

START_TEST(pbm_round_trip)
{
	struct fb a, b;
	struct buf out;

	fb_init(&a, 128, 32);
	fb_line(&a, 0, 0, 127, 31);
	fb_text(&a, &font_small, 20, 2, "muricle");
	buf_init(&out);
	fb_write_pbm(&a, &out);
	ck_assert(strncmp(out.data, "P1\n128 32\n", 10) == 0);
	ck_assert_int_eq(fb_read_pbm(&b, out.data), 0);
	ck_assert_uint_eq(b.w, 128);
	ck_assert_uint_eq(b.h, 32);
	ck_assert_mem_eq(a.bytes, b.bytes, sizeof a.bytes);
	ck_assert_int_eq(fb_read_pbm(&b, "P1\n# a comment\n8 8\n"
	                                 "10000000\n"
	                                 "0000000"),
	                 -1);
	ck_assert_int_eq(fb_read_pbm(&b, "P4\n8 8\n"), -1);
	ck_assert_int_eq(fb_read_pbm(&b, "P1\n8 7\n"), -1);
	ck_assert_int_eq(fb_read_pbm(&b, "P1\n300 8\n"), -1);
	buf_free(&out);
}
END_TEST

/* A pressure hour: a slow rise with the chip's noise, one failed reading
 * and ten minutes the daemon was not running. */
static size_t pressure_hour(struct history_point *pts, uint32_t now)
{
	size_t n = 0;

	for (int i = 0; i <= 60; i++) {
		if (i > 20 && i < 31)
			continue; /* not running */
		uint32_t t = now - 3600 + 60 * (uint32_t)i;
		double v = 1012.0 + 1.5 * i / 60.0 + 0.08 * sin(i * 1.7);
		pts[n++] = (struct history_point){ t, i == 45 ? NAN : (float)v };
	}
	return n;
}

static void golden(const char *name, const struct fb *fb)
{
	char path[256];
	struct buf out;

	snprintf(path, sizeof path, "tests/display/%s.pbm", name);
	buf_init(&out);
	fb_write_pbm(fb, &out);
	if (getenv("MURICLE_WRITE_GOLDEN") != NULL) {
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(out.data, f);
		fclose(f);
	}
	char *want = tu_read_file(path);
	ck_assert_msg(want != NULL, "%s is missing", path);
	struct fb expected;
	ck_assert_msg(fb_read_pbm(&expected, want) == 0, "%s is not a P1 PBM", path);
	ck_assert_uint_eq(expected.w, fb->w);
	ck_assert_uint_eq(expected.h, fb->h);
	if (memcmp(expected.bytes, fb->bytes, sizeof fb->bytes) != 0) {
		/* Leave what was drawn beside it, to compare in an image viewer. */
		snprintf(path, sizeof path, "%s/%s.actual.pbm",
		         getenv("ARTIFACTS") ? getenv("ARTIFACTS") : "/tmp", name);
		FILE *f = fopen(path, "w");
		if (f != NULL) {
			fputs(out.data, f);
			fclose(f);
		}
		ck_abort_msg("the %s frame differs from tests/display/%s.pbm: see %s", name, name,
		             path);
	}
	free(want);
	buf_free(&out);
}

static const uint32_t NOW = 1796176800;

/* The barometer's pressure page over the hour before NOW; a test changes
 * what it is about. */
static struct display_page pressure_page(struct history_point *pts)
{
	struct display_page p = { .sensor = "barometer",
		                  .value = "pressure",
		                  .number = "1013.52",
		                  .unit = "hPa",
		                  .status = SENSOR_OK,
		                  .points = pts,
		                  .npoints = pressure_hour(pts, NOW),
		                  .now = NOW,
		                  .span = 3600,
		                  .interval = 60 };
	return p;
}

START_TEST(golden_pressure)
{
	struct history_point pts[64];
	struct fb fb;
	struct display_page p = pressure_page(pts);

	fb_init(&fb, 128, 64);
	display_draw_page(&fb, &p);
	golden("pressure", &fb);
	/* The gap and the failed reading break the line: no lit pixel in the
	 * trend's columns of the ten minutes the daemon was not running. */
	for (int x = 44; x < 65; x++)
		for (int y = 40; y < 63; y++)
			ck_assert_msg(!fb_get(&fb, x, y), "lit at %d,%d", x, y);
}
END_TEST

START_TEST(golden_error_and_stale)
{
	struct history_point pts[64];
	struct fb fb;
	struct display_page p = pressure_page(pts);

	p.number = NULL;
	p.status = SENSOR_ERROR;

	fb_init(&fb, 128, 64);
	display_draw_page(&fb, &p);
	golden("error", &fb);
	/* Stale: the last number is not shown as if it were current. */
	p.status = SENSOR_STALE;
	p.number = "1013.52";
	display_draw_page(&fb, &p);
	golden("stale", &fb);
}
END_TEST

START_TEST(golden_pending_and_long_names)
{
	struct fb fb;
	struct display_page p = { .sensor = "greenhouse_north_wall",
		                  .value = "corrected_rzero",
		                  .number = NULL,
		                  .unit = "kΩ",
		                  .status = SENSOR_PENDING,
		                  .now = NOW,
		                  .span = 3600,
		                  .interval = 60 };

	fb_init(&fb, 128, 64);
	display_draw_page(&fb, &p);
	golden("pending", &fb);
}
END_TEST

START_TEST(golden_small_display)
{
	struct history_point pts[64];
	struct fb fb;
	struct display_page p = pressure_page(pts);

	p.sensor = "air";
	p.value = "ppm";
	p.number = "412";
	p.unit = "ppm";

	fb_init(&fb, 128, 32);
	display_draw_page(&fb, &p);
	golden("small", &fb);
}
END_TEST

/* --- The controller model ------------------------------------------------ */

static void model_send(struct sim_oled *m, uint8_t control, const uint8_t *b, size_t n)
{
	ck_assert_int_eq(sim_oled_ops.write(m, control, b, n), 0);
}

/* What a driver sends: the set-up, then each page in 32-byte chunks. */
static void send_frame(struct sim_oled *m, const struct oled_geometry *g, const struct fb *fb)
{
	uint8_t cmd[OLED_INIT_MAX];

	model_send(m, OLED_COMMANDS, cmd, oled_init_commands(g, cmd));
	for (unsigned p = 0; p < fb->h / 8; p++) {
		model_send(m, OLED_COMMANDS, cmd, oled_page_commands(g, p, cmd));
		for (unsigned x = 0; x < fb->w; x += 32)
			model_send(m, OLED_DATA, &fb->bytes[p * fb->w + x], 32);
	}
}

static void drawn(struct fb *fb, unsigned w, unsigned h)
{
	static struct history_point pts[64];
	struct display_page p = pressure_page(pts);

	fb_init(fb, w, h);
	display_draw_page(fb, &p);
}

/* The panel shows what was drawn, on either controller and size, upright
 * or turned by 180°. */
START_TEST(the_panel_shows_the_drawn_frame)
{
	static const struct {
		enum oled_controller c;
		unsigned h;
		bool rotate;
	} cases[] = {
		{ OLED_SSD1306, 64, false }, { OLED_SH1106, 64, false },
		{ OLED_SSD1306, 32, false }, { OLED_SSD1306, 64, true },
		{ OLED_SH1106, 64, true },
	};
	const unsigned i = (unsigned)_i;
	struct oled_geometry g = { cases[i].c, 128, cases[i].h, cases[i].rotate, 0xCF };
	struct fb want, got;
	struct sim_oled *m = sim_oled_new(cases[i].c == OLED_SH1106, 128, cases[i].h);

	drawn(&want, 128, cases[i].h);
	send_frame(m, &g, &want);
	sim_oled_frame(m, &got);
	struct sim_oled_state st = sim_oled_state(m);
	ck_assert(st.on);
	ck_assert_uint_eq(st.contrast, 0xCF);
	ck_assert_uint_eq(st.data_bytes, 128 * cases[i].h / 8);
	for (unsigned y = 0; y < want.h; y++)
		for (unsigned x = 0; x < want.w; x++) {
			/* Turned: the panel's top left is the frame's bottom right. */
			bool w = cases[i].rotate
			                 ? fb_get(&want, 127 - (int)x, (int)want.h - 1 - (int)y)
			                 : fb_get(&want, (int)x, (int)y);
			ck_assert_msg(fb_get(&got, (int)x, (int)y) == w, "case %u: pixel %u,%u", i,
			              x, y);
		}
	sim_oled_ops.destroy(m);
}
END_TEST

/* The SSD1306's other addressing modes, windows, and the commands that
 * change the picture without touching the RAM. */
START_TEST(the_model_decodes_commands)
{
	struct sim_oled *m = sim_oled_new(false, 128, 64);
	struct fb f;
	uint8_t ones[32];

	memset(ones, 0xFF, sizeof ones);
	/* Upright, on; horizontal addressing in the window columns 16-31, pages 2-3. */
	static const uint8_t setup[] = { 0xA1, 0xC8, 0xAF, 0x20, 0x00, 0x21, 16, 31, 0x22, 2, 3 };
	model_send(m, OLED_COMMANDS, setup, sizeof setup);
	model_send(m, OLED_DATA, ones, 32); /* 16 columns of page 2, then of page 3 */
	sim_oled_frame(m, &f);
	ck_assert(fb_get(&f, 16, 16) && fb_get(&f, 31, 31));
	ck_assert(!fb_get(&f, 15, 16) && !fb_get(&f, 32, 16) && !fb_get(&f, 16, 15) &&
	          !fb_get(&f, 16, 32));
	/* Vertical addressing: down pages 4-5, then the next column. */
	static const uint8_t vertical[] = { 0x20, 0x01, 0x21, 0, 127, 0x22, 4, 5 };
	model_send(m, OLED_COMMANDS, vertical, sizeof vertical);
	model_send(m, OLED_DATA, ones, 4); /* columns 0 and 1 of pages 4 and 5 */
	sim_oled_frame(m, &f);
	ck_assert(fb_get(&f, 0, 32) && fb_get(&f, 1, 47) && !fb_get(&f, 2, 32));
	/* Inverted, then off: the RAM stays, the picture goes. */
	static const uint8_t invert[] = { 0xA7 };
	model_send(m, OLED_COMMANDS, invert, 1);
	sim_oled_frame(m, &f);
	ck_assert(!fb_get(&f, 16, 16) && fb_get(&f, 0, 0));
	uint8_t off[1];
	model_send(m, OLED_COMMANDS, off, oled_power_commands(false, off));
	sim_oled_frame(m, &f);
	ck_assert(!fb_get(&f, 0, 0));
	ck_assert(!sim_oled_state(m).on);
	/* Co set: a command, then another control byte with data after it. */
	static const uint8_t mixed[] = { 0xAF, 0x00, 0xA6 }; /* after control 0x80 */
	model_send(m, 0x80, mixed, sizeof mixed);
	sim_oled_frame(m, &f);
	ck_assert(fb_get(&f, 16, 16) && !fb_get(&f, 0, 0));
	uint8_t contrast[2];
	model_send(m, OLED_COMMANDS, contrast, oled_contrast_commands(300, contrast));
	ck_assert_uint_eq(sim_oled_state(m).contrast, 255);
	sim_oled_ops.destroy(m);

	/* The SH1106: 132 columns, the panel shows 2 to 129. */
	m = sim_oled_new(true, 128, 64);
	static const uint8_t sh[] = { 0xA1, 0xC8, 0xAF, 0xB0, 0x00, 0x10 };
	model_send(m, OLED_COMMANDS, sh, sizeof sh);
	model_send(m, OLED_DATA, ones, 3); /* RAM columns 0, 1, 2 */
	sim_oled_frame(m, &f);
	ck_assert(fb_get(&f, 0, 0) && !fb_get(&f, 1, 0));
	sim_oled_ops.destroy(m);
}
END_TEST

/* --- The display, end to end on the simulated bus -------------------------- */

static void nop(struct sensor *s)
{
	(void)s;
}

static const struct sensor_ops fake_ops = { "fake", NULL, NULL, nop, nop, nop };

/* A loop, a simulated bus and a sensor "room" with a temperature: what a
 * display hears from. */
struct rig {
	struct event_base *base;
	struct sim *sim;
	struct i2c_bus *bus;
	struct sensor *s;
};

static void rig_init(struct rig *r)
{
	r->base = tu_loop();
	r->sim = sim_new(r->base, 0, NULL);
	r->bus = sim_i2c_bus(r->sim, "/dev/i2c-1");
	r->s = sensor_new(&fake_ops, "room", NULL);
	tu_add_value(r->s, "temperature", Q_TEMPERATURE, 1);
}

static void rig_free(struct rig *r)
{
	free(r->s->name);
	free(r->s);
	i2c_bus_free(r->bus);
	sim_free(r->sim);
	event_base_free(r->base);
}

static int frames_seen;
static struct display *watched; /* its stats as last told: told */
static struct display_stats told;

static void changed_cb(void *ctx, bool frame)
{
	(void)ctx;
	if (frame)
		frames_seen++;
	if (watched != NULL)
		told = *display_stats(watched);
}

/* Every change of the stats was told (the page's cache relies on it). */
static void ck_told(const struct display *d)
{
	const struct display_stats *s = display_stats(d);

	ck_assert_int_eq(s->status, told.status);
	ck_assert_str_eq(s->error, told.error);
	ck_assert_str_eq(s->page, told.page);
	ck_assert_uint_eq(s->frames, told.frames);
	ck_assert_uint_eq(s->transfers, told.transfers);
	ck_assert(s->dim == told.dim);
}

static struct display_conf display_conf(const char *extra)
{
	static struct config cfg;
	struct buf e;
	char text[512];

	snprintf(text, sizeof text,
	         "[bmp180 b]\n[display]\npage_seconds = 1\npixel_shift = false\n%s", extra);
	buf_init(&e);
	ck_assert_msg(config_parse(&cfg, "t", text, &e) == 0, "%s", e.data);
	buf_free(&e);
	return cfg.display;
}

/* Pages cycle, each frame reaches the panel as drawn, and only the pages
 * (8-row bands) that changed are sent again. */
START_TEST(frames_reach_the_panel)
{
	struct rig r;
	struct sim_oled *model = sim_oled_new(false, 128, 64);
	struct display_conf c = display_conf("");
	struct fb panel;

	rig_init(&r);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x3C, &sim_oled_ops, model);
	tu_add_value(r.s, "humidity", Q_HUMIDITY, 0);
	tu_add_value(r.s, "led", Q_ON_OFF, 0); /* not charted: not shown */
	r.s->status = SENSOR_OK;
	sensor_set(r.s, 0, 21.5);
	sensor_set(r.s, 1, 40);
	frames_seen = 0;
	struct display *d = watched = display_new(r.base, &c, r.bus, NULL, changed_cb, NULL);
	display_set_sensors(d, &r.s, 1);
	tu_run_for(r.base, 0.2);
	ck_assert_int_eq(frames_seen, 1);
	ck_told(d);
	ck_assert_str_eq(display_stats(d)->page, "room/temperature");
	ck_assert_int_eq(display_stats(d)->status, DISPLAY_OK);
	sim_oled_frame(model, &panel);
	ck_assert_mem_eq(panel.bytes, display_shown(d)->bytes, sizeof panel.bytes);
	unsigned first = sim_oled_state(model).data_bytes;
	ck_assert_uint_eq(first, 1024); /* the whole frame, once */

	tu_run_for(r.base, 1.0); /* the next page */
	ck_told(d);
	ck_assert_str_eq(display_stats(d)->page, "room/humidity");
	sim_oled_frame(model, &panel);
	ck_assert_mem_eq(panel.bytes, display_shown(d)->bytes, sizeof panel.bytes);
	/* The trend band is empty on both pages (no history): not sent again. */
	unsigned second = sim_oled_state(model).data_bytes - first;
	ck_assert_uint_lt(second, 1024);
	ck_assert_uint_eq(second % 128, 0);
	tu_run_for(r.base, 1.0);
	ck_assert_str_eq(display_stats(d)->page, "room/temperature"); /* and round again */

	/* A new reading of the sensor shown: redrawn at once. */
	sensor_set(r.s, 0, 30.0);
	display_sink.reading(d, r.s, 0);
	tu_run_for(r.base, 0.1);
	sim_oled_frame(model, &panel);
	ck_assert_mem_eq(panel.bytes, display_shown(d)->bytes, sizeof panel.bytes);
	struct fb want;
	fb_init(&want, 128, 64);
	struct display_page p = { .sensor = "room",
		                  .value = "temperature",
		                  .number = "30.0",
		                  .unit = "°C",
		                  .status = SENSOR_OK,
		                  .now = 0,
		                  .span = 3600,
		                  .interval = 60 };
	display_draw_page(&want, &p);
	ck_assert_mem_eq(panel.bytes, want.bytes, sizeof want.bytes);
	ck_told(d);
	watched = NULL;
	display_free(d);
	rig_free(&r);
}
END_TEST

/* No display at the address: an error saying what to check, no frame; it
 * comes up once the display answers. */
START_TEST(a_missing_display_is_an_error_then_recovers)
{
	struct rig r;
	struct display_conf c = display_conf("address = 0x3d\ncontroller = sh1106\n");

	rig_init(&r);
	frames_seen = 0;
	struct display *d = watched = display_new(r.base, &c, r.bus, NULL, changed_cb, NULL);
	display_set_sensors(d, &r.s, 1);
	tu_run_for(r.base, 0.2);
	ck_told(d); /* the error */
	ck_assert_int_eq(display_stats(d)->status, DISPLAY_ERROR);
	ck_assert_str_eq(display_stats(d)->error,
	                 "no device answers at 0x3d on /dev/i2c-1: check wiring and address");
	ck_assert_int_eq(frames_seen, 0);
	struct sim_oled *model = sim_oled_new(true, 128, 64);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x3D, &sim_oled_ops, model);
	tu_run_for(r.base, 10.5); /* the next attempt */
	ck_told(d);
	ck_assert_int_eq(display_stats(d)->status, DISPLAY_OK);
	ck_assert_int_ge(frames_seen, 1);
	struct fb panel;
	sim_oled_frame(model, &panel);
	ck_assert_mem_eq(panel.bytes, display_shown(d)->bytes, sizeof panel.bytes);
	watched = NULL;
	display_free(d);
	rig_free(&r);
}
END_TEST

/* Readings measured back to back are drawn once a second at most. */
START_TEST(readings_are_drawn_once_a_second)
{
	struct rig r;
	struct display_conf c = display_conf("");

	rig_init(&r);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x3C, &sim_oled_ops, sim_oled_new(false, 128, 64));
	r.s->status = SENSOR_OK;
	sensor_set(r.s, 0, 21.5);
	frames_seen = 0;
	struct display *d = display_new(r.base, &c, r.bus, NULL, changed_cb, NULL);
	display_set_sensors(d, &r.s, 1); /* one page: the ticks draw nothing new */
	tu_run_for(r.base, 0.1);
	ck_assert_int_eq(frames_seen, 1);
	sensor_set(r.s, 0, 22.5);
	display_sink.reading(d, r.s, 0);
	tu_run_for(r.base, 0.1);
	ck_assert_int_eq(frames_seen, 2); /* the first at once */
	for (int i = 0; i < 6; i++) {
		sensor_set(r.s, 0, 23.5 + i);
		display_sink.reading(d, r.s, 0);
		tu_run_for(r.base, 0.1);
	}
	ck_assert_int_eq(frames_seen, 2); /* 0.8 s: the next ones wait */
	tu_run_for(r.base, 0.4);
	ck_assert_int_eq(frames_seen, 3); /* the last of them */
	display_free(d);
	rig_free(&r);
}
END_TEST

/* A sensor sharing the display's bus waits for one of its transfers at
 * most, not for a frame: on a serial simulated bus at 10 kHz a 32-byte
 * chunk takes 31.5 ms and the whole frame a second, so reads made while the
 * frame goes must each be answered within a chunk and their own bytes. */
struct probe {
	struct i2c_bus *bus;
	uint8_t id;
	double asked, worst;
	unsigned answers;
};

static void probe_done(int err, void *arg)
{
	struct probe *p = arg;

	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(p->id, 0x55); /* the BMP180's chip id */
	p->worst = fmax(p->worst, sensor_now_mono() - p->asked);
	p->answers++;
	ck_told(watched); /* while the frame goes */
}

static void probe_ask(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	(void)fd;
	(void)what;
	p->asked = sensor_now_mono();
	i2c_read(p->bus, 0x77, 0xD0, &p->id, 1, probe_done, p);
}

START_TEST(a_sensor_waits_for_one_chunk_at_most)
{
	struct rig r;
	struct display_conf c = display_conf("");
	struct probe p = { 0 };
	struct event *ev[8];

	rig_init(&r);
	sim_set_bus_rate(r.sim, 10);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x3C, &sim_oled_ops, sim_oled_new(false, 128, 64));
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x77, &sim_bmp180_ops, sim_bmp180_new(1));
	r.s->status = SENSOR_OK;
	sensor_set(r.s, 0, 21.5);
	struct display *d = watched = display_new(r.base, &c, r.bus, NULL, changed_cb, NULL);
	display_set_sensors(d, &r.s, 1);
	p.bus = r.bus;
	for (int i = 0; i < 8; i++) { /* through the first frame's second */
		struct timeval at = { 0, 50000 + i * 110000 };
		ev[i] = evtimer_new(r.base, probe_ask, &p);
		evtimer_add(ev[i], &at);
	}
	tu_run_for(r.base, 1.2);
	ck_assert_uint_eq(p.answers, 8);
	ck_assert_uint_ge(display_stats(d)->transfers, 32); /* the frame was going */
	double chunk = (2 + 32) * 9 / 10e3, own = (2 + 1 + 1) * 9 / 10e3;
	ck_assert_msg(p.worst >= own, "the bus answered in %.1f ms: not timed", p.worst * 1e3);
	ck_assert_msg(p.worst < chunk + own + 0.02, "a read waited %.1f ms (one chunk: %.1f ms)",
	              p.worst * 1e3, chunk * 1e3);
	for (int i = 0; i < 8; i++)
		event_free(ev[i]);
	watched = NULL;
	display_free(d);
	rig_free(&r);
}
END_TEST

/* Dim hours: the lowest contrast, and back when they end (here: at once,
 * as a reload would). */
START_TEST(dim_hours_lower_the_contrast)
{
	struct rig r;
	struct sim_oled *model = sim_oled_new(false, 128, 64);
	char hours[64];
	time_t now = time(NULL), a = now - 60, b = now + 180;
	struct tm ta, tb;

	rig_init(&r);
	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	snprintf(hours, sizeof hours, "contrast = 200\ndim_between = %02d:%02d-%02d:%02d\n",
	         ta.tm_hour, ta.tm_min, tb.tm_hour, tb.tm_min);
	struct display_conf c = display_conf(hours);
	sim_i2c_attach(r.sim, "/dev/i2c-1", 0x3C, &sim_oled_ops, model);
	struct display *d = watched = display_new(r.base, &c, r.bus, NULL, changed_cb, NULL);
	display_set_sensors(d, &r.s, 1);
	tu_run_for(r.base, 0.2);
	ck_told(d);
	ck_assert(display_stats(d)->dim);
	ck_assert_uint_eq(sim_oled_state(model).contrast, 1);
	ck_assert(sim_oled_state(model).on);
	watched = NULL;
	display_free(d);
	c.dim_between.from = -1;
	d = display_new(r.base, &c, r.bus, NULL, NULL, NULL);
	display_set_sensors(d, &r.s, 1);
	tu_run_for(r.base, 0.2);
	ck_assert(!display_stats(d)->dim);
	ck_assert_uint_eq(sim_oled_state(model).contrast, 200);
	display_free(d);
	rig_free(&r);
}
END_TEST

START_TEST(display_configuration)
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	ck_assert_int_eq(config_parse(&cfg, "t", "[bmp180 b]\n[display]\n", &e), 0);
	ck_assert(cfg.display.enabled);
	ck_assert_str_eq(cfg.display.bus, "/dev/i2c-1");
	ck_assert_uint_eq(cfg.display.address, 0x3C);
	ck_assert_int_eq(cfg.display.controller, 0);
	ck_assert_double_eq(cfg.display.page_seconds, 3);
	ck_assert_int_eq(cfg.display.off_between.from, -1);
	ck_assert_int_eq(config_parse(&cfg, "t", "[bmp180 b]\n", &e), 0);
	ck_assert(!cfg.display.enabled);
	ck_assert_int_eq(
	        config_parse(&cfg, "t", "[bmp180 b]\n[display]\noff_between = 23:00-07:30\n", &e),
	        0);
	ck_assert_int_eq(cfg.display.off_between.from, 23 * 60);
	ck_assert_int_eq(cfg.display.off_between.to, 7 * 60 + 30);
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "[display]\noff_between = 25:00-07:00\n",
		  "t:2: 'off_between' must be HH:MM-HH:MM" },
		{ "[display]\ncontroller = ssd1309\n",
		  "t:2: 'controller' must be one of ssd1306, sh1106" },
		{ "[display]\nheight = 48\n", "t:2: 'height' must be one of 64, 32" },
		{ "[display]\naddress = 0x48\n[mq135 air]\n",
		  "t:1: [display] and 'air' both use address 0x48 on /dev/i2c-1" },
		{ "[display]\nvalues = baro.pressure\n",
		  "t:1: [display] values: there is no sensor 'baro'" },
		{ "[display]\nvalues = b.depth\n[bmp180 b]\n",
		  "t:1: [display] values: sensor 'b' has no value 'depth'" },
		{ "[display]\nvalues = led.led\n[blinker led]\ngpio = GPIO17\n",
		  "t:1: [display] values: 'led.led' is not a measurement with a trend" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&e);
		ck_assert_int_eq(config_parse(&cfg, "t", bad[i].text, &e), -1);
		ck_assert_msg(strstr(e.data, bad[i].error) != NULL, "%s: %s", bad[i].text, e.data);
	}
	buf_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("display");
	TCase *tc = tcase_create("drawing");

	tcase_set_timeout(tc, 30); /* a display that comes up waits 10 s for the retry */

	tcase_add_test(tc, pages_of_eight_rows);
	tcase_add_test(tc, lines_reach_both_ends);
	tcase_add_test(tc, glyphs_from_the_font);
	tcase_add_test(tc, pbm_round_trip);
	tcase_add_test(tc, golden_pressure);
	tcase_add_test(tc, golden_error_and_stale);
	tcase_add_test(tc, golden_pending_and_long_names);
	tcase_add_test(tc, golden_small_display);
	tcase_add_loop_test(tc, the_panel_shows_the_drawn_frame, 0, 5);
	tcase_add_test(tc, the_model_decodes_commands);
	tcase_add_test(tc, display_configuration);
	tcase_add_test(tc, frames_reach_the_panel);
	tcase_add_test(tc, a_missing_display_is_an_error_then_recovers);
	tcase_add_test(tc, readings_are_drawn_once_a_second);
	tcase_add_test(tc, a_sensor_waits_for_one_chunk_at_most);
	tcase_add_test(tc, dim_hours_lower_the_contrast);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
