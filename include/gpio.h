/*
 * GPIO lines as sensors see them: request a line by name ("GPIO17") or by
 * chip and offset, then drive or read it. Values are logical: with
 * active_low the backend inverts them at the pin. The Linux backend sits on
 * libgpiod; the simulated one keeps levels in memory.
 */
#ifndef MURICLE_GPIO_H
#define MURICLE_GPIO_H

#include <stdbool.h>
#include <stddef.h>

enum gpio_dir { GPIO_INPUT, GPIO_OUTPUT };
enum gpio_bias { GPIO_BIAS_AS_IS, GPIO_BIAS_DISABLE, GPIO_BIAS_PULL_UP, GPIO_BIAS_PULL_DOWN };

/* Called on the loop with the line's logical value after it changed. */
typedef void (*gpio_edge_fn)(void *arg, int value);

struct gpio;
struct gpio_line;

struct gpio_request {
	const char *chip; /* NULL or "": search every chip for the line name */
	const char *line; /* a line name, or a decimal offset on chip */
	enum gpio_dir dir;
	bool active_low;
	int value; /* initial logical value of an output */
	enum gpio_bias bias;
	/* Inputs: report changes. A change counts once the line has been
	 * steady for debounce_us. */
	gpio_edge_fn on_edge;
	void *arg;
	unsigned debounce_us;
};

struct gpio_ops {
	struct gpio_line *(*request)(struct gpio *g, const struct gpio_request *rq, char *err,
	                             size_t errlen);
	int (*set)(struct gpio_line *l, int value);
	int (*get)(struct gpio_line *l);
	void (*release)(struct gpio_line *l);
	void (*destroy)(struct gpio *g);
};

struct gpio {
	const struct gpio_ops *ops;
};

/* The GPIO chips of this machine, through libgpiod (1.6 or 2.x, whichever
 * the build found). Edge events arrive on base's loop. */
struct event_base;
struct gpio *gpio_linux_new(struct event_base *base);
/* "libgpiod 1.6.3", for the log. */
const char *gpio_linux_version(void);

struct gpio_line {
	struct gpio *gpio;
};

/* For backends: say what an errno from requesting a line means to a user. */
void gpio_describe_error(char *err, size_t errlen, int e, const struct gpio_request *rq);
/* For backends: whether a line spec is an offset ("17") rather than a name. */
bool gpio_is_offset(const char *line);

/* Request a line; NULL with a message in err if it cannot be had. */
static inline struct gpio_line *gpio_request(struct gpio *g, const struct gpio_request *rq,
                                             char *err, size_t errlen)
{
	return g->ops->request(g, rq, err, errlen);
}

/* Drive an output to a logical value; 0 or -errno. */
static inline int gpio_set(struct gpio_line *l, int value)
{
	return l->gpio->ops->set(l, value);
}

/* Read a line's logical value: 0, 1 or -errno. */
static inline int gpio_get(struct gpio_line *l)
{
	return l->gpio->ops->get(l);
}

static inline void gpio_release(struct gpio_line *l)
{
	if (l != NULL)
		l->gpio->ops->release(l);
}

static inline void gpio_free(struct gpio *g)
{
	if (g != NULL)
		g->ops->destroy(g);
}

#endif
