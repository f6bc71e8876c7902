/*
 * The simulated bus and GPIO chip. A transfer reaches its device model when
 * it is submitted and completes on the loop after the configured delay, so
 * drivers see the same asynchronous behaviour as with the i2c-dev worker.
 */
#include "sim.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "debounce.h"
#include "gpio.h"
#include "i2c.h"
#include "log.h"
#include "loop.h"
#include "sensor.h"
#include "xmalloc.h"

struct sim_dev {
	char bus[128];
	uint8_t addr;
	const struct sim_device_ops *ops;
	void *dev;
	struct sim_dev *next;
};

struct sim_line {
	int level;   /* physical */
	bool driven; /* by sim_gpio_drive; otherwise an input follows its pull */
	bool requested;
	bool active_low;
	enum gpio_dir dir;
	struct debounce *db; /* set when the requester wants edges */
};

struct sim {
	struct event_base *base;
	struct timeval delay;
	struct sim_faults faults;
	uint64_t rng;      /* the faults' random state */
	unsigned eio_left; /* transfers still failing in this burst */
	struct sim_fault_counts injected;
	char gpio_dir[256];
	unsigned seed;   /* the weather's */
	double bus_rate; /* bits per second of a serial bus; 0: no bus timing */
	struct sim_dev *devs;
	struct sim_line lines[SIM_GPIO_LINES];
};

struct sim_xfer {
	struct event *ev;
	struct i2c_req *req;
	int err;
	LIST_ENTRY(sim_xfer) link;
};

struct sim_bus {
	struct i2c_bus bus;
	struct sim *sim;
	double free_at; /* with a bus rate: when the last transfer ends (monotonic s) */
	LIST_HEAD(xfer_list, sim_xfer) pending;
};

struct sim *sim_new(struct event_base *base, double delay, const char *gpio_dir)
{
	struct sim *sim = xcalloc(1, sizeof *sim);

	sim->base = base;
	sim->seed = 1;
	sim_configure(sim, delay, gpio_dir);
	return sim;
}

void sim_configure(struct sim *sim, double delay, const char *gpio_dir)
{
	sim->delay = loop_timeval(delay);
	snprintf(sim->gpio_dir, sizeof sim->gpio_dir, "%s", gpio_dir ? gpio_dir : "");
}

void sim_set_faults(struct sim *sim, const struct sim_faults *f)
{
	if (f == NULL) {
		memset(&sim->faults, 0, sizeof sim->faults);
	} else {
		sim->faults = *f;
		sim->rng = f->seed;
	}
	sim->eio_left = 0;
	if (f != NULL && (f->eio_rate > 0 || f->nack_rate > 0 || f->stall_rate > 0))
		log_warn("simulation: injecting faults: EIO bursts %.3f (x%u), NACKs %.3f, "
		         "stalls %.3f (%.1f s)",
		         f->eio_rate, f->eio_burst, f->nack_rate, f->stall_rate, f->stall);
}

void sim_set_seed(struct sim *sim, unsigned seed)
{
	sim->seed = seed;
}

unsigned sim_seed(const struct sim *sim)
{
	return sim->seed;
}

void sim_set_bus_rate(struct sim *sim, double khz)
{
	sim->bus_rate = khz * 1000;
}

/*
 * With a bus rate, a bus carries one transfer at a time, as a real one does:
 * a transfer starts when the one before it ends and lasts as long as its
 * bits take (9 per byte with the acknowledge: the address, the register or
 * control byte, the data; a read adds the repeated start's address).
 */
static struct timeval sim_bus_slot(struct sim_bus *sb, const struct i2c_req *req)
{
	size_t bytes = 2 + req->len + (req->write ? 0 : 1);
	double now = sensor_now_mono();
	double start = sb->free_at > now ? sb->free_at : now;

	sb->free_at = start + (double)bytes * 9 / sb->sim->bus_rate;
	return loop_timeval(sb->free_at - now);
}

struct sim_fault_counts sim_fault_counts(const struct sim *sim)
{
	return sim->injected;
}

/* A uniform number in [0, 1) (splitmix64). */
static double sim_random(struct sim *sim)
{
	uint64_t z = (sim->rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* The fault this transfer meets: an errno value, or 0 with *stall set when
 * it takes longer, or none. */
static int sim_fault(struct sim *sim, bool *stall)
{
	const struct sim_faults *f = &sim->faults;

	*stall = false;
	if (sim->eio_left > 0) {
		sim->eio_left--;
		sim->injected.eio++;
		return EIO;
	}
	if (f->eio_rate <= 0 && f->nack_rate <= 0 && f->stall_rate <= 0)
		return 0;
	double x = sim_random(sim);
	if (x < f->eio_rate) {
		sim->eio_left = f->eio_burst > 0 ? f->eio_burst - 1 : 0;
		sim->injected.eio++;
		return EIO;
	}
	if (x < f->eio_rate + f->nack_rate) {
		sim->injected.nack++;
		return ENXIO;
	}
	if (x < f->eio_rate + f->nack_rate + f->stall_rate) {
		sim->injected.stall++;
		*stall = true;
	}
	return 0;
}

void sim_free(struct sim *sim)
{
	if (sim == NULL)
		return;
	while (sim->devs != NULL) {
		struct sim_dev *d = sim->devs;
		sim->devs = d->next;
		d->ops->destroy(d->dev);
		free(d);
	}
	free(sim);
}

static struct sim_dev **sim_find(struct sim *sim, const char *bus, uint8_t addr)
{
	struct sim_dev **pp;

	for (pp = &sim->devs; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->addr == addr && strcmp((*pp)->bus, bus) == 0)
			break;
	return pp;
}

void sim_i2c_attach(struct sim *sim, const char *bus, uint8_t addr,
                    const struct sim_device_ops *ops, void *dev)
{
	sim_i2c_detach(sim, bus, addr);
	struct sim_dev *d = xcalloc(1, sizeof *d);
	snprintf(d->bus, sizeof d->bus, "%s", bus);
	d->addr = addr;
	d->ops = ops;
	d->dev = dev;
	d->next = sim->devs;
	sim->devs = d;
}

void *sim_i2c_device(struct sim *sim, const char *bus, uint8_t addr)
{
	struct sim_dev *d = *sim_find(sim, bus, addr);

	return d != NULL ? d->dev : NULL;
}

void sim_i2c_detach(struct sim *sim, const char *bus, uint8_t addr)
{
	struct sim_dev **pp = sim_find(sim, bus, addr);
	struct sim_dev *d = *pp;

	if (d == NULL)
		return;
	*pp = d->next;
	d->ops->destroy(d->dev);
	free(d);
}

static void xfer_unlink(struct sim_xfer *x)
{
	LIST_REMOVE(x, link);
	event_free(x->ev);
}

/* Deliver a finished transfer on the loop. */
static void xfer_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim_xfer *x = arg;
	struct i2c_req *req = x->req;
	int err = x->err;

	(void)fd;
	(void)what;
	xfer_unlink(x);
	free(x);
	i2c_req_complete(req, err);
}

static void sim_bus_submit(struct i2c_bus *bus, struct i2c_req *req)
{
	struct sim_bus *sb = (struct sim_bus *)bus;
	struct sim_dev *d = *sim_find(sb->sim, bus->path, req->addr);
	struct sim_xfer *x = xcalloc(1, sizeof *x);

	bool stall = false;
	int fault = d != NULL ? sim_fault(sb->sim, &stall) : 0;
	struct timeval delay = sb->sim->delay;

	x->req = req;
	if (d == NULL)
		x->err = ENXIO; /* nobody acknowledges the address */
	else if (fault != 0)
		x->err = fault; /* the transfer never reached the chip */
	else if (req->write)
		x->err = d->ops->write(d->dev, req->reg, req->data, req->len);
	else
		x->err = d->ops->read(d->dev, req->reg, req->data, req->len);
	x->ev = evtimer_new(sb->sim->base, xfer_done_cb, x);
	LIST_INSERT_HEAD(&sb->pending, x, link);
	req->backend = x;
	if (stall) {
		struct timeval more = loop_timeval(sb->sim->faults.stall);
		evutil_timeradd(&delay, &more, &delay);
	}
	if (sb->sim->bus_rate > 0) {
		struct timeval slot = sim_bus_slot(sb, req);
		evutil_timeradd(&delay, &slot, &delay);
	}
	evtimer_add(x->ev, &delay);
}

static void sim_bus_cancel(struct i2c_bus *bus, struct i2c_req *req)
{
	struct sim_xfer *x = req->backend;

	(void)bus;
	xfer_unlink(x);
	free(x);
	free(req);
}

static void sim_bus_destroy(struct i2c_bus *bus)
{
	struct sim_bus *sb = (struct sim_bus *)bus;

	while (!LIST_EMPTY(&sb->pending))
		sim_bus_cancel(bus, LIST_FIRST(&sb->pending)->req);
	free(sb);
}

static const struct i2c_bus_ops sim_bus_ops = {
	.submit = sim_bus_submit,
	.cancel = sim_bus_cancel,
	.destroy = sim_bus_destroy,
};

struct i2c_bus *sim_i2c_bus(struct sim *sim, const char *path)
{
	struct sim_bus *sb = xcalloc(1, sizeof *sb);

	sb->bus.ops = &sim_bus_ops;
	snprintf(sb->bus.path, sizeof sb->bus.path, "%s", path);
	sb->sim = sim;
	LIST_INIT(&sb->pending);
	return &sb->bus;
}

/* GPIO. */

struct sim_gpio {
	struct gpio gpio;
	struct sim *sim;
};

struct sim_gpio_line {
	struct gpio_line line;
	struct sim *sim;
	unsigned offset;
};

/* Mirror a level into gpio_dir for tests; a tmpfs write, simulation only. */
static void sim_gpio_mirror(struct sim *sim, unsigned offset)
{
	char path[300], text[3];

	if (sim->gpio_dir[0] == '\0')
		return;
	snprintf(path, sizeof path, "%s/GPIO%u", sim->gpio_dir, offset);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_warn("simulation: cannot write %s: %s", path, strerror(errno));
		return;
	}
	int n = snprintf(text, sizeof text, "%d\n", sim->lines[offset].level);
	if (write(fd, text, (size_t)n) != n)
		log_warn("simulation: cannot write %s: %s", path, strerror(errno));
	close(fd);
}

static int sim_parse_line(const char *chip, const char *name)
{
	char *end;

	if (chip != NULL && chip[0] != '\0' && strcmp(chip, "gpiochip0") != 0 &&
	    strcmp(chip, "/dev/gpiochip0") != 0)
		return -1;
	if (strncmp(name, "GPIO", 4) == 0)
		name += 4;
	else if (!gpio_is_offset(name) || chip == NULL || chip[0] == '\0')
		return -1; /* a bare offset needs a chip */
	long off = strtol(name, &end, 10);
	if (*name == '\0' || *end != '\0' || off < 0 || off >= SIM_GPIO_LINES)
		return -1;
	return (int)off;
}

static int sim_gpio_read(void *line);

static struct gpio_line *sim_gpio_request(struct gpio *g, const struct gpio_request *rq, char *err,
                                          size_t errlen)
{
	struct sim *sim = ((struct sim_gpio *)g)->sim;
	int off = sim_parse_line(rq->chip, rq->line);

	if (off < 0) {
		snprintf(err, errlen,
		         "no GPIO line '%s'%s%s (simulated gpiochip0 has GPIO0-GPIO%d)", rq->line,
		         rq->chip && rq->chip[0] ? " on " : "", rq->chip ? rq->chip : "",
		         SIM_GPIO_LINES - 1);
		return NULL;
	}
	struct sim_line *sl = &sim->lines[off];
	if (sl->requested) {
		snprintf(err, errlen, "GPIO line %s is already in use", rq->line);
		return NULL;
	}
	sl->requested = true;
	sl->active_low = rq->active_low;
	sl->dir = rq->dir;
	struct sim_gpio_line *l = xcalloc(1, sizeof *l);
	l->line.gpio = g;
	l->sim = sim;
	l->offset = (unsigned)off;
	if (rq->dir == GPIO_OUTPUT) {
		sl->level = (rq->value != 0) ^ rq->active_low;
		sim_gpio_mirror(sim, l->offset);
	} else if (!sl->driven && rq->bias != GPIO_BIAS_AS_IS && rq->bias != GPIO_BIAS_DISABLE) {
		sl->level = rq->bias == GPIO_BIAS_PULL_UP;
	}
	if (rq->dir == GPIO_INPUT && rq->on_edge != NULL)
		sl->db = debounce_new(sim->base, rq->debounce_us, sim_gpio_read, l, rq->on_edge,
		                      rq->arg);
	return &l->line;
}

static int sim_gpio_set(struct gpio_line *line, int value)
{
	struct sim_gpio_line *l = (struct sim_gpio_line *)line;
	struct sim_line *sl = &l->sim->lines[l->offset];

	if (sl->dir != GPIO_OUTPUT)
		return -EPERM;
	int level = (value != 0) ^ sl->active_low;
	if (level != sl->level) {
		sl->level = level;
		sim_gpio_mirror(l->sim, l->offset);
	}
	return 0;
}

static int sim_gpio_get(struct gpio_line *line)
{
	struct sim_gpio_line *l = (struct sim_gpio_line *)line;
	struct sim_line *sl = &l->sim->lines[l->offset];

	return sl->level ^ sl->active_low;
}

static int sim_gpio_read(void *line)
{
	return sim_gpio_get(line);
}

static void sim_gpio_release(struct gpio_line *line)
{
	struct sim_gpio_line *l = (struct sim_gpio_line *)line;

	struct sim_line *sl = &l->sim->lines[l->offset];

	sl->requested = false;
	sl->dir = GPIO_INPUT;
	debounce_free(sl->db);
	sl->db = NULL;
	free(l);
}

static void sim_gpio_destroy(struct gpio *g)
{
	free(g);
}

static const struct gpio_ops sim_gpio_ops = {
	.request = sim_gpio_request,
	.set = sim_gpio_set,
	.get = sim_gpio_get,
	.release = sim_gpio_release,
	.destroy = sim_gpio_destroy,
};

struct gpio *sim_gpio(struct sim *sim)
{
	struct sim_gpio *g = xcalloc(1, sizeof *g);

	g->gpio.ops = &sim_gpio_ops;
	g->sim = sim;
	return &g->gpio;
}

int sim_gpio_level(struct sim *sim, unsigned offset)
{
	return offset < SIM_GPIO_LINES ? sim->lines[offset].level : -1;
}

void sim_gpio_drive(struct sim *sim, unsigned offset, int level)
{
	if (offset >= SIM_GPIO_LINES)
		return;
	struct sim_line *sl = &sim->lines[offset];
	if (sl->dir != GPIO_INPUT)
		return;
	sl->driven = true;
	if (sl->level == (level != 0))
		return;
	sl->level = level != 0;
	sim_gpio_mirror(sim, offset);
	if (sl->db != NULL)
		debounce_edge(sl->db);
}
