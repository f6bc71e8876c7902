#include "history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "sensor.h"
#include "sink.h"
#include "xmalloc.h"

#define HISTORY_MAGIC   "MURICLEH"
#define HISTORY_VERSION 1u

static size_t history_capacity(double span, double interval)
{
	return span > 0 ? (size_t)ceil(span / interval) : 0;
}

struct history *history_new(double span, double interval)
{
	struct history *h = xcalloc(1, sizeof *h);

	h->interval = interval;
	h->cap = history_capacity(span, interval);
	return h;
}

static void series_clear(struct history_series *se)
{
	free(se->sensor);
	free(se->value);
	free(se->points);
}

void history_free(struct history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++)
		series_clear(&h->series[i]);
	free(h->series);
	free(h);
}

struct history_point history_get(const struct history_series *se, size_t i)
{
	return se->points[(se->head + se->cap - se->len + i) % se->cap];
}

/* Append a point, dropping the oldest when the ring is full. */
static void series_push(struct history_series *se, struct history_point p)
{
	if (se->cap == 0)
		return;
	se->points[se->head] = p;
	se->head = (se->head + 1) % se->cap;
	if (se->len < se->cap)
		se->len++;
}

/* Give a series room for cap points, keeping the newest. */
static void series_resize(struct history_series *se, size_t cap)
{
	size_t keep = se->len < cap ? se->len : cap;
	struct history_point *pts = cap ? xcalloc(cap, sizeof *pts) : NULL;

	for (size_t i = 0; i < keep; i++)
		pts[i] = history_get(se, se->len - keep + i);
	free(se->points);
	se->points = pts;
	se->cap = cap;
	se->len = keep;
	se->head = cap ? keep % cap : 0;
}

static struct history_series *series_find(const struct history *h, const char *sensor,
                                          const char *value)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->series[i].sensor, sensor) == 0 &&
		    strcmp(h->series[i].value, value) == 0)
			return &h->series[i];
	return NULL;
}

const struct history_series *history_find(const struct history *h, const char *sensor,
                                          const char *value)
{
	return series_find(h, sensor, value);
}

/* Whether one of the sensors has this value, and it is a trend (quantity.h). */
static bool wanted(struct sensor *const *sensors, size_t n, const struct history_series *se)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(sensors[i]->name, se->sensor) != 0)
			continue;
		const struct sensor_value *sv = sensor_value(sensors[i], se->value);
		return sv != NULL && sv->q->trend;
	}
	return false;
}

size_t history_sync(struct history *h, struct sensor *const *sensors, size_t n, double span,
                    double interval)
{
	size_t dropped = 0, kept = 0;

	h->interval = interval;
	h->cap = history_capacity(span, interval);
	for (size_t i = 0; i < h->n; i++) {
		struct history_series *se = &h->series[i];
		if (!wanted(sensors, n, se)) {
			series_clear(se);
			dropped++;
			h->dirty = true;
			continue;
		}
		if (se->cap != h->cap)
			series_resize(se, h->cap);
		h->series[kept++] = *se;
	}
	h->n = kept;
	h->generation++;
	for (size_t i = 0; i < n; i++) {
		const struct sensor *s = sensors[i];
		for (size_t j = 0; j < s->nvalues; j++) {
			if (!s->values[j].q->trend || series_find(h, s->name, s->values[j].name))
				continue;
			h->series = xrealloc(h->series, (h->n + 1) * sizeof *h->series);
			struct history_series *se = &h->series[h->n++];
			memset(se, 0, sizeof *se);
			se->sensor = xstrdup(s->name);
			se->value = xstrdup(s->values[j].name);
			series_resize(se, h->cap);
		}
	}
	return dropped;
}

void history_record(struct history *h, const struct sensor *s, double t)
{
	struct history_point p = { .t = t > 0 ? (uint32_t)t : 0 };

	for (size_t j = 0; j < s->nvalues; j++) {
		const struct sensor_value *sv = &s->values[j];
		struct history_series *se = series_find(h, s->name, sv->name);
		if (se == NULL || se->cap == 0)
			continue;
		p.v = sv->valid ? (float)sv->v : NAN;
		/* Close to the newest point: replace it rather than push one out. */
		if (se->len > 0) {
			struct history_point last = history_get(se, se->len - 1);
			if (p.t >= last.t && p.t - last.t < h->interval / 4) {
				se->points[(se->head + se->cap - 1) % se->cap] = p;
				h->dirty = true;
				continue;
			}
		}
		series_push(se, p);
		h->dirty = true;
	}
}

static void history_reading(void *arg, const struct sensor *s, double t)
{
	history_record(arg, s, t);
}

const struct sink_ops history_sink = { .name = "history", .reading = history_reading };

size_t history_memory(const struct history *h)
{
	size_t bytes = 0;

	for (size_t i = 0; i < h->n; i++)
		bytes += h->series[i].cap * sizeof(struct history_point);
	return bytes;
}

/* Little-endian on disk, whatever the machine. */
static void put_u32(struct buf *b, uint32_t v)
{
	char le[4] = { (char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
		       (char)(v >> 24 & 0xff) };
	buf_add(b, le, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_str(struct buf *b, const char *s)
{
	unsigned char n = (unsigned char)strlen(s);

	buf_add(b, (const char *)&n, 1);
	buf_add(b, s, n);
}

struct history_encoder {
	struct history *h;
	struct buf *out;
	unsigned generation;
	size_t next;    /* the series the next step writes */
	size_t crc_len; /* out->data[0, crc_len) is in crc */
	uLong crc;
};

static void le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* One series: its names, its count, its points oldest first. */
static void encode_series(const struct history_series *se, struct buf *out)
{
	unsigned char chunk[8 * 512];
	size_t n = 0;

	put_str(out, se->sensor);
	put_str(out, se->value);
	put_u32(out, (uint32_t)se->len);
	for (size_t k = 0; k < se->len; k++) {
		struct history_point p = history_get(se, k);
		uint32_t bits;
		memcpy(&bits, &p.v, 4);
		le32(chunk + n, p.t);
		le32(chunk + n + 4, bits);
		if ((n += 8) == sizeof chunk) {
			buf_add(out, (const char *)chunk, n);
			n = 0;
		}
	}
	buf_add(out, (const char *)chunk, n);
}

struct history_encoder *history_encoder_new(struct history *h, struct buf *out)
{
	struct history_encoder *e = xcalloc(1, sizeof *e);

	e->h = h;
	e->out = out;
	e->generation = h->generation;
	e->crc = crc32(0, NULL, 0);
	buf_add(out, HISTORY_MAGIC, 8);
	put_u32(out, HISTORY_VERSION);
	put_u32(out, (uint32_t)h->n);
	/* What changes from now on goes into the next file. */
	h->dirty = false;
	return e;
}

int history_encoder_step(struct history_encoder *e)
{
	struct buf *out = e->out;

	if (e->h->generation != e->generation) {
		e->h->dirty = true;
		return -1;
	}
	if (e->next < e->h->n)
		encode_series(&e->h->series[e->next++], out);
	e->crc =
	        crc32(e->crc, (const Bytef *)out->data + e->crc_len, (uInt)(out->len - e->crc_len));
	e->crc_len = out->len;
	if (e->next < e->h->n)
		return 0;
	put_u32(out, (uint32_t)e->crc);
	return 1;
}

void history_encoder_free(struct history_encoder *e)
{
	free(e);
}

void history_encode(struct history *h, struct buf *out)
{
	struct history_encoder *e = history_encoder_new(h, out);

	while (history_encoder_step(e) == 0)
		;
	history_encoder_free(e);
}

/* A reader over the file's bytes that never reads past the end. */
struct reader {
	const unsigned char *p, *end;
};

static bool take(struct reader *r, size_t n, const unsigned char **out)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	*out = r->p;
	r->p += n;
	return true;
}

static bool take_u32(struct reader *r, uint32_t *v)
{
	const unsigned char *p;

	if (!take(r, 4, &p))
		return false;
	*v = get_u32(p);
	return true;
}

static bool take_str(struct reader *r, char *out, size_t outlen)
{
	const unsigned char *p, *s;

	if (!take(r, 1, &p) || *p >= outlen || !take(r, *p, &s))
		return false;
	memcpy(out, s, *p);
	out[*p] = '\0';
	return strlen(out) == *p; /* no NUL inside */
}

/* Walk the series in a file's body; with h, add their points to it.
 * Returns the points added (or that would be), -1 if inconsistent. */
static long walk(struct history *h, struct reader r)
{
	uint32_t n;
	long taken = 0;

	if (!take_u32(&r, &n))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		char sensor[64], value[64];
		uint32_t count;
		const unsigned char *pts;
		if (!take_str(&r, sensor, sizeof sensor) || !take_str(&r, value, sizeof value) ||
		    !take_u32(&r, &count) || count > (size_t)(r.end - r.p) / 8 ||
		    !take(&r, (size_t)count * 8, &pts))
			return -1;
		struct history_series *se = h ? series_find(h, sensor, value) : NULL;
		for (uint32_t k = 0; se != NULL && k < count; k++) {
			struct history_point p = { .t = get_u32(pts + 8 * k) };
			uint32_t bits = get_u32(pts + 8 * k + 4);
			memcpy(&p.v, &bits, 4);
			series_push(se, p);
			taken++;
		}
	}
	return r.p == r.end ? taken : -1;
}

long history_decode(struct history *h, const char *data, size_t len, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)data;

	if (len < 16 || memcmp(data, HISTORY_MAGIC, 8) != 0) {
		snprintf(err, errlen, "not a muricle history file");
		return -1;
	}
	if (get_u32(u + 8) != HISTORY_VERSION) {
		snprintf(err, errlen, "history file version %u, this muricle reads version %u",
		         (unsigned)get_u32(u + 8), HISTORY_VERSION);
		return -1;
	}
	if (crc32(0, u, (uInt)(len - 4)) != get_u32(u + len - 4)) {
		snprintf(err, errlen, "checksum mismatch: the file is damaged or was cut short");
		return -1;
	}
	/* Check all of it before taking any of it. */
	struct reader r = { u + 12, u + len - 4 };
	if (walk(NULL, r) < 0) {
		snprintf(err, errlen,
		         "the file's contents are inconsistent: not written by muricle");
		return -1;
	}
	return walk(h, r);
}
