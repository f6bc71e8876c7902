/*
 * The i2c-dev backend. Every i2c-dev ioctl blocks until the bus transfer
 * ends (O_NONBLOCK does nothing there), and a wedged bus blocks for the
 * adapter's timeout, so the ioctls run on one worker thread per bus. The loop
 * thread only queues requests and collects results, which the worker hands
 * back through an eventfd.
 *
 * Transfers are SMBus byte, word and I2C-block transfers: they work on the
 * Pi's i2c-bcm2835 and on the kernel's i2c-stub. Without I2C-block support a
 * multi-byte access goes byte by byte. The bus stays open while transfers
 * are queued and is closed when the queue runs dry.
 *
 * Freeing a bus never waits for its worker: a worker stuck in an ioctl on a
 * wedged bus is abandoned, and frees the bus itself when the kernel returns.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <i2c/smbus.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "i2c.h"
#include "log.h"
#include "xmalloc.h"

struct job {
	struct i2c_req *req;
	int err;
	bool cancelled;
	struct job *next;
};

struct linux_bus {
	struct i2c_bus bus;
	struct event_base *base;
	int efd; /* the worker signals finished jobs here */
	struct event *ev;
	pthread_t thread;

	pthread_mutex_t lock; /* guards everything below it */
	pthread_cond_t cond;
	struct job *todo, *todo_tail;
	struct job *done, *done_tail;
	bool stop; /* the loop let go of the bus: the worker frees it */

	/* The worker's own. */
	int fd;
	unsigned long funcs;
	double wedge; /* tests: each transfer blocks this long, then times out */
};

static void push(struct job **head, struct job **tail, struct job *j)
{
	j->next = NULL;
	if (*tail != NULL)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

/* Open the bus and check it can do what we need. Worker thread. */
static int bus_open(struct linux_bus *b)
{
	b->fd = open(b->bus.path, O_RDWR | O_CLOEXEC);
	if (b->fd < 0)
		return errno;
	if (ioctl(b->fd, I2C_FUNCS, &b->funcs) < 0 ||
	    (b->funcs & I2C_FUNC_SMBUS_BYTE_DATA) != I2C_FUNC_SMBUS_BYTE_DATA) {
		close(b->fd);
		b->fd = -1;
		return EOPNOTSUPP;
	}
	return 0;
}

/* One transfer, blocking. Worker thread. Returns 0 or an errno value. */
static int transfer(struct linux_bus *b, struct i2c_req *r)
{
	int rc;

	if (b->wedge > 0) {
		struct timespec ts = { (time_t)b->wedge,
			               (long)((b->wedge - (double)(time_t)b->wedge) * 1e9) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return ETIMEDOUT;
	}
	if (b->fd < 0 && (rc = bus_open(b)) != 0)
		return rc;
	if (ioctl(b->fd, I2C_SLAVE, (unsigned long)r->addr) < 0)
		return errno; /* EBUSY: a kernel driver owns the address */
	/* SMBus sends a word's low byte first; these chips send the high one. */
	if (r->word && (b->funcs & (r->write ? I2C_FUNC_SMBUS_WRITE_WORD_DATA
	                                     : I2C_FUNC_SMBUS_READ_WORD_DATA))) {
		if (r->write)
			rc = i2c_smbus_write_word_data(b->fd, r->reg,
			                               (uint16_t)(r->data[0] | r->data[1] << 8));
		else if ((rc = i2c_smbus_read_word_data(b->fd, r->reg)) >= 0) {
			r->data[0] = (uint8_t)rc;
			r->data[1] = (uint8_t)(rc >> 8);
		}
		return rc < 0 ? -rc : 0;
	}
	bool block = b->funcs &
	             (r->write ? I2C_FUNC_SMBUS_WRITE_I2C_BLOCK : I2C_FUNC_SMBUS_READ_I2C_BLOCK);
	if (r->len > 1 && block) {
		if (r->write)
			rc = i2c_smbus_write_i2c_block_data(b->fd, r->reg, (uint8_t)r->len,
			                                    r->data);
		else if ((rc = i2c_smbus_read_i2c_block_data(b->fd, r->reg, (uint8_t)r->len,
		                                             r->data)) >= 0 &&
		         (size_t)rc != r->len)
			rc = -EIO; /* a short read */
		return rc < 0 ? -rc : 0;
	}
	/* Byte by byte: registers one after the other, or the same control byte. */
	for (size_t i = 0; i < r->len; i++) {
		uint8_t reg = r->stream ? r->reg : (uint8_t)(r->reg + i);
		rc = r->write ? i2c_smbus_write_byte_data(b->fd, reg, r->data[i])
		              : i2c_smbus_read_byte_data(b->fd, reg);
		if (rc < 0)
			return -rc;
		if (!r->write)
			r->data[i] = (uint8_t)rc;
	}
	return 0;
}

static void free_jobs(struct job *j)
{
	while (j != NULL) {
		struct job *next = j->next;
		free(j->req);
		free(j);
		j = next;
	}
}

static void *worker(void *arg)
{
	struct linux_bus *b = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->stop && b->todo == NULL)
			pthread_cond_wait(&b->cond, &b->lock);
		if (b->stop)
			break;
		struct job *j = b->todo;
		b->todo = j->next;
		if (b->todo == NULL)
			b->todo_tail = NULL;
		pthread_mutex_unlock(&b->lock);

		int err = transfer(b, j->req);

		pthread_mutex_lock(&b->lock);
		if (b->stop) {
			/* Nobody waits for it any more. */
			free(j->req);
			free(j);
			break;
		}
		if (b->todo == NULL && b->fd >= 0) {
			/* Idle: let go of the adapter, so that it can be unplugged or
			 * its module reloaded; the next transfer opens it again. */
			close(b->fd);
			b->fd = -1;
		}
		j->err = err;
		push(&b->done, &b->done_tail, j);
		if (write(b->efd, &one, sizeof one) < 0)
			abort(); /* an eventfd write only fails on overflow */
	}
	pthread_mutex_unlock(&b->lock);
	/* The loop has let go of the bus (linux_destroy): the rest is ours. */
	if (b->fd >= 0)
		close(b->fd);
	close(b->efd);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
	return NULL;
}

/* Collect finished jobs on the loop thread and deliver them. */
static void collect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct linux_bus *b = arg;
	uint64_t n;

	(void)what;
	if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
		log_warn("i2c %s: eventfd: %s", b->bus.path, strerror(errno));
	pthread_mutex_lock(&b->lock);
	struct job *j = b->done;
	b->done = b->done_tail = NULL;
	pthread_mutex_unlock(&b->lock);
	while (j != NULL) {
		struct job *next = j->next;
		if (j->cancelled)
			free(j->req);
		else
			i2c_req_complete(j->req, j->err);
		free(j);
		j = next;
	}
}

static void linux_submit(struct i2c_bus *bus, struct i2c_req *req)
{
	struct linux_bus *b = (struct linux_bus *)bus;
	struct job *j = xcalloc(1, sizeof *j);

	j->req = req;
	req->backend = j;
	pthread_mutex_lock(&b->lock);
	push(&b->todo, &b->todo_tail, j);
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void linux_cancel(struct i2c_bus *bus, struct i2c_req *req)
{
	struct linux_bus *b = (struct linux_bus *)bus;
	struct job *j = req->backend, *prev = NULL;

	pthread_mutex_lock(&b->lock);
	for (struct job *t = b->todo; t != NULL; prev = t, t = t->next) {
		if (t != j)
			continue;
		/* Not started yet: drop it now. */
		if (prev != NULL)
			prev->next = j->next;
		else
			b->todo = j->next;
		if (b->todo_tail == j)
			b->todo_tail = prev;
		pthread_mutex_unlock(&b->lock);
		free(req);
		free(j);
		return;
	}
	/* On the worker or finished: forget it when it comes back. */
	j->cancelled = true;
	pthread_mutex_unlock(&b->lock);
}

/* Let go of the bus without waiting: a transfer in progress may take the
 * adapter's timeout, and the loop must not. The worker frees the bus when
 * it is done; after the unlock below, b belongs to it. */
static void linux_destroy(struct i2c_bus *bus)
{
	struct linux_bus *b = (struct linux_bus *)bus;
	pthread_t thread = b->thread;

	event_free(b->ev); /* the worker never touches it */
	pthread_mutex_lock(&b->lock);
	struct job *todo = b->todo, *done = b->done;
	b->todo = b->todo_tail = b->done = b->done_tail = NULL;
	b->stop = true;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
	free_jobs(todo);
	free_jobs(done);
	pthread_detach(thread);
}

static const struct i2c_bus_ops linux_bus_ops = {
	.submit = linux_submit,
	.cancel = linux_cancel,
	.destroy = linux_destroy,
};

static struct i2c_bus *linux_bus_new(struct event_base *base, const char *path, double wedge)
{
	struct linux_bus *b = xcalloc(1, sizeof *b);

	b->wedge = wedge;

	b->bus.ops = &linux_bus_ops;
	snprintf(b->bus.path, sizeof b->bus.path, "%s", path);
	b->base = base;
	b->fd = -1;
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0)
		fatal("eventfd: %s", strerror(errno));
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->ev = event_new(base, b->efd, EV_READ | EV_PERSIST, collect_cb, b);
	event_add(b->ev, NULL);
	int rc = pthread_create(&b->thread, NULL, worker, b);
	if (rc != 0)
		fatal("i2c %s: cannot start its worker thread: %s", path, strerror(rc));
	return &b->bus;
}

struct i2c_bus *i2c_linux_bus(struct event_base *base, const char *path)
{
	return linux_bus_new(base, path, 0);
}

struct i2c_bus *i2c_linux_bus_wedged(struct event_base *base, const char *path, double seconds)
{
	return linux_bus_new(base, path, seconds);
}
