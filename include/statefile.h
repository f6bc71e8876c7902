/*
 * Files that must never be half written: write a temporary file beside the
 * target, fsync it, rename it over the target and fsync the folder. A power
 * cut leaves either the old file or the new one.
 *
 * statefile_write_async does the same on a worker thread, because fsync on
 * an SD card can take long enough to stall every request on the loop.
 */
#ifndef MURICLE_STATEFILE_H
#define MURICLE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct statefile_job;

/* 0, or -1 with what failed and why in err. */
int statefile_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Called on the loop when the write is over: rc and err as statefile_write. */
typedef void (*statefile_done_fn)(void *arg, int rc, const char *err);
/* Write data (the job takes it, malloc'ed) to path on a worker thread. */
struct statefile_job *statefile_write_async(struct event_base *base, const char *path, char *data,
                                            size_t len, statefile_done_fn done, void *arg);
/* Wait for the job to finish without its callback, and free it. */
void statefile_wait(struct statefile_job *job);

/* Read a whole file of at most max bytes into a malloc'ed buffer.
 * NULL with errno set (ENOENT: no such file; EFBIG: larger than max). */
char *statefile_read(const char *path, size_t max, size_t *len);

#endif
