/*
 * Whole files. Reading: one call with a size limit (the configuration, the
 * history). Writing, for files that must never be half written: write a
 * temporary file beside the
 * target, fsync it, rename it over the target and fsync the folder. A power
 * cut leaves either the old file or the new one.
 *
 * file_write_async does the same on a worker thread, because fsync on
 * an SD card can take long enough to stall every request on the loop.
 */
#ifndef MURICLE_FILE_H
#define MURICLE_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct file_job;

/* 0, or -1 with what failed and why in err. */
int file_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Called on the loop when the write is over: rc and err as file_write_atomic. */
typedef void (*file_done_fn)(void *arg, int rc, const char *err);
/* Write data (the job takes it, malloc'ed) to path on a worker thread. */
struct file_job *file_write_async(struct event_base *base, const char *path, char *data, size_t len,
                                  file_done_fn done, void *arg);
/* Wait for the job to finish without its callback, and free it. */
void file_wait(struct file_job *job);

/* Read a whole file of at most max bytes into a malloc'ed, NUL-terminated
 * buffer. NULL with errno set (ENOENT: no such file; EFBIG: larger than max;
 * EINVAL: not a regular file; EIO: it shrank while being read). */
char *file_read(const char *path, size_t max, size_t *len);

/* A secret's first line, from path when it is not empty, else from the
 * systemd credential $CREDENTIALS_DIRECTORY/credential (LoadCredential=).
 * 1: read into out (at most outlen - 1 bytes); 0: neither is given; -1:
 * unreadable or empty, with the path and the reason in err. */
int file_read_secret(const char *path, const char *credential, char *out, size_t outlen, char *err,
                     size_t errlen);

#endif
