#include "file.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

/* Sync the folder that holds path, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;

	if (fd >= 0)
		close(fd);
	free(copy);
	errno = saved;
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	char tmp[4096];
	const char *step = "create";
	const char *p = data;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	step = "write";
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	step = "fsync";
	if (fsync(fd) < 0)
		goto fail;
	step = "close";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	step = "rename";
	if (rename(tmp, path) < 0)
		goto fail;
	if (sync_dir(path) < 0) {
		snprintf(err, errlen, "fsync the folder of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s %s: %s%s", step, step[0] == 'r' ? path : tmp, strerror(errno),
	         errno == EACCES || errno == EROFS ? " (is the state directory writable?)" : "");
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

struct file_job {
	char *path, *data;
	size_t len;
	int rc;
	char err[512];
	int efd;
	pthread_t thread;
	struct event *ev;
	file_done_fn done;
	void *arg;
};

static void *file_worker(void *arg)
{
	struct file_job *job = arg;
	uint64_t one = 1;

	job->rc = file_write_atomic(job->path, job->data, job->len, job->err, sizeof job->err);
	if (write(job->efd, &one, sizeof one) != sizeof one)
		abort(); /* an eventfd write only fails on overflow */
	return NULL;
}

static void file_job_free(struct file_job *job)
{
	pthread_join(job->thread, NULL);
	event_free(job->ev);
	close(job->efd);
	free(job->path);
	free(job->data);
	free(job);
}

static void file_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct file_job *job = arg;
	file_done_fn done = job->done;
	void *done_arg = job->arg;
	char err[sizeof job->err];
	int rc = job->rc;

	(void)fd;
	(void)what;
	snprintf(err, sizeof err, "%s", job->err);
	file_job_free(job);
	done(done_arg, rc, err);
}

struct file_job *file_write_async(struct event_base *base, const char *path, char *data, size_t len,
                                  file_done_fn done, void *arg)
{
	struct file_job *job = xcalloc(1, sizeof *job);

	job->path = xstrdup(path);
	job->data = data;
	job->len = len;
	job->done = done;
	job->arg = arg;
	job->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (job->efd < 0)
		fatal("eventfd: %s", strerror(errno));
	job->ev = event_new(base, job->efd, EV_READ, file_done_cb, job);
	event_add(job->ev, NULL);
	int rc = pthread_create(&job->thread, NULL, file_worker, job);
	if (rc != 0)
		fatal("cannot start a thread to save %s: %s", path, strerror(rc));
	return job;
}

void file_wait(struct file_job *job)
{
	if (job != NULL)
		file_job_free(job);
}

char *file_read(const char *path, size_t max, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *data = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	data = xcalloc(1, (size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* shrank while reading */
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return data;
fail:;
	int saved = errno;
	free(data);
	close(fd);
	errno = saved;
	return NULL;
}

int file_read_secret(const char *path, const char *credential, char *out, size_t outlen, char *err,
                     size_t errlen)
{
	char where[4096];
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	size_t len;

	if (path != NULL && path[0] != '\0')
		snprintf(where, sizeof where, "%s", path);
	else if (creds != NULL && creds[0] != '\0')
		snprintf(where, sizeof where, "%s/%s", creds, credential);
	else
		return 0;
	char *text = file_read(where, 4096, &len);
	if (text == NULL) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", where, strerror(e));
		/* No credential passed is no secret; a named file must be there. */
		return path != NULL && path[0] != '\0' ? -1 : e == ENOENT ? 0 : -1;
	}
	text[strcspn(text, "\r\n")] = '\0';
	int rc = 1;
	if (text[0] == '\0') {
		snprintf(err, errlen, "%s is empty", where);
		rc = -1;
	} else if (strlen(text) >= outlen) {
		snprintf(err, errlen, "the first line of %s is longer than %zu bytes", where,
		         outlen - 1);
		rc = -1;
	} else {
		memcpy(out, text, strlen(text) + 1);
	}
	memset(text, 0, len);
	free(text);
	return rc;
}
