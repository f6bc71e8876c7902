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

struct gpio;
struct gpio_line;

struct gpio_request {
	const char *chip; /* NULL or "": search every chip for the line name */
	const char *line; /* a line name, or a decimal offset on chip */
	enum gpio_dir dir;
	bool active_low;
	int value; /* initial logical value of an output */
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

struct gpio_line {
	struct gpio *gpio;
};

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
