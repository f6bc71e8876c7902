#include "archive.h"

#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "history.h"
#include "log.h"
#include "loop.h"
#include "sensor.h"
#include "file.h"
#include "xmalloc.h"

/* A history file larger than this is not one muricle wrote. */
#define ARCHIVE_MAX_BYTES                                                                          \
	((size_t)CONFIG_MAX_SENSORS * SENSOR_MAX_VALUES * (CONFIG_HISTORY_MAX_POINTS * 8 + 80) + 64)

struct archive {
	struct event_base *base;
	struct history *h;
	char path[4096];
	struct event *timer;
	struct event *step;              /* encodes the next series */
	struct history_encoder *encoder; /* a save being encoded, into `encoded` */
	struct buf encoded;
	struct file_job *job; /* a save being written */
	bool ok;              /* the last save worked (or none was needed) */
};

const char *archive_state_dir(const char *dir)
{
	static char env[4096];
	const char *sd = getenv("STATE_DIRECTORY");

	if (dir != NULL && dir[0] != '\0')
		return dir;
	if (sd != NULL && sd[0] != '\0') {
		/* systemd lists one folder per StateDirectory= entry, ':'-separated. */
		snprintf(env, sizeof env, "%.*s", (int)strcspn(sd, ":"), sd);
		return env;
	}
	return "/var/lib/muricle";
}

/* The file cannot be used: keep it for a human, out of the way. */
static void archive_set_aside(struct archive *a, const char *why)
{
	char aside[sizeof a->path + 48], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(aside, sizeof aside, "%s.bad-%s", a->path, stamp);
	if (rename(a->path, aside) == 0)
		log_warn("history: %s: %s; moved it to %s and started an empty history", a->path,
		         why, aside);
	else
		log_warn("history: %s: %s; cannot move it aside (%s): it will be replaced", a->path,
		         why, strerror(errno));
}

static void archive_load(struct archive *a)
{
	char err[256];
	size_t len;
	char *data = file_read(a->path, ARCHIVE_MAX_BYTES, &len);

	if (data == NULL) {
		if (errno == ENOENT)
			log_info("history: no %s yet: starting an empty history", a->path);
		else if (errno == EFBIG || errno == EINVAL)
			archive_set_aside(a, errno == EFBIG ? "too large to be a history file"
			                                    : "not a regular file");
		else
			log_warn("history: cannot read %s: %s; starting an empty history", a->path,
			         strerror(errno));
		return;
	}
	long n = history_decode(a->h, data, len, err, sizeof err);
	if (n < 0)
		archive_set_aside(a, err);
	else
		log_info("history: loaded %ld readings from %s", n, a->path);
	free(data);
}

static void archive_saved_cb(void *arg, int rc, const char *err)
{
	struct archive *a = arg;

	a->job = NULL;
	if (rc < 0 && a->ok)
		log_warn("history: cannot save: %s; keeping it in memory and trying again", err);
	else if (rc == 0 && !a->ok)
		log_msg(LOG_NOTICE, "history: saved to %s again", a->path);
	a->ok = rc == 0;
	if (rc < 0)
		a->h->dirty = true; /* not on disk: the next flush tries again */
}

/* Encode one series per turn of the loop (at HTTP's priority, so requests
 * and encoding take turns), then write the file on a worker thread. */
static void archive_step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct archive *a = arg;
	struct timeval now = { 0, 0 };
	size_t len;

	(void)fd;
	(void)what;
	int rc = history_encoder_step(a->encoder);
	if (rc == 0) {
		evtimer_add(a->step, &now);
		return;
	}
	history_encoder_free(a->encoder);
	a->encoder = NULL;
	if (rc < 0) {
		buf_reset(&a->encoded); /* the series changed (a reload): the next flush */
		return;
	}
	char *data = buf_steal(&a->encoded, &len);
	a->job = file_write_async(a->base, a->path, data, len, archive_saved_cb, a);
}

static void archive_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct archive *a = arg;
	struct timeval now = { 0, 0 };

	(void)fd;
	(void)what;
	if (a->job != NULL || a->encoder != NULL || !a->h->dirty)
		return;
	buf_reset(&a->encoded);
	a->encoder = history_encoder_new(a->h, &a->encoded);
	evtimer_add(a->step, &now);
}

/* Forget a save still being encoded. */
static void archive_drop_encoding(struct archive *a)
{
	if (a->encoder == NULL)
		return;
	evtimer_del(a->step);
	history_encoder_free(a->encoder);
	a->encoder = NULL;
	a->h->dirty = true;
}

void archive_set_flush(struct archive *a, double flush)
{
	struct timeval tv = loop_timeval(flush);

	event_add(a->timer, &tv);
}

struct archive *archive_new(struct event_base *base, struct history *h, const char *dir,
                            const char *name, double flush)
{
	struct archive *a = xcalloc(1, sizeof *a);

	a->base = base;
	a->h = h;
	a->ok = true;
	snprintf(a->path, sizeof a->path, "%s/%s", dir, name);
	archive_load(a);
	h->dirty = false;
	a->timer = event_new(base, -1, EV_PERSIST, archive_timer_cb, a);
	a->step = evtimer_new(base, archive_step_cb, a);
	event_priority_set(a->step, LOOP_PRIO_HTTP);
	buf_init(&a->encoded);
	archive_set_flush(a, flush);
	return a;
}

void archive_flush_now(struct archive *a)
{
	char err[512];
	struct buf b;

	archive_drop_encoding(a);
	file_wait(a->job);
	a->job = NULL;
	if (!a->h->dirty)
		return;
	buf_init(&b);
	history_encode(a->h, &b);
	if (file_write_atomic(a->path, b.data, b.len, err, sizeof err) < 0)
		log_warn("history: cannot save at stop: %s", err);
	else
		log_info("history: saved to %s", a->path);
	buf_free(&b);
}

bool archive_ok(const struct archive *a)
{
	return a->ok;
}

void archive_free(struct archive *a)
{
	if (a == NULL)
		return;
	archive_drop_encoding(a);
	file_wait(a->job);
	event_free(a->timer);
	event_free(a->step);
	buf_free(&a->encoded);
	free(a);
}
