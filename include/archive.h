/*
 * The history file: loaded at start, saved every `flush` seconds when it
 * changed (encoded one series per turn of the loop, then written on a
 * worker thread, atomically: see file.h) and once more at stop, directly,
 * once the loop has finished; so a power cut loses at most one flush
 * interval. A damaged or
 * foreign file is renamed aside (history.bad-TIME) with a warning, and the
 * daemon starts with an empty history.
 */
#ifndef MURICLE_ARCHIVE_H
#define MURICLE_ARCHIVE_H

#include <stdbool.h>

struct archive;
struct event_base;
struct history;

/* The folder for state: dir if set, else $STATE_DIRECTORY (systemd's
 * StateDirectory=), else /var/lib/muricle. */
const char *archive_state_dir(const char *dir);
/* Load DIR/NAME into h (whose series are set up) and start saving it. */
struct archive *archive_new(struct event_base *base, struct history *h, const char *dir,
                            const char *name, double flush);
void archive_set_flush(struct archive *a, double flush);
/* Save now, waiting for it (at stop). */
void archive_flush_now(struct archive *a);
/* Whether the last save (or the load) worked, for the metrics. */
bool archive_ok(const struct archive *a);
void archive_free(struct archive *a);

#endif
