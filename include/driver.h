/*
 * A sensor kind, described in one place: its section in the configuration
 * (keys with type, default, range and doc), its values, the checks single
 * keys cannot make, how to build it, its simulated chip and its links to
 * other sensors. The daemon and the parser work from these descriptions
 * alone; adding a kind is its driver file plus one line in drivers.c.
 */
#ifndef MURICLE_DRIVER_H
#define MURICLE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "sensor.h"

struct event_base;
struct gpio;
struct i2c_bus;
struct sim;

/* What the sensor is wired to. The driver's configuration struct begins
 * with the matching struct, so shared checks (address clashes, the
 * simulated chip, bus handles) need not know the driver. DRIVER_OTHER: a
 * sensor on neither interface (the test suite's fake). */
enum driver_wiring { DRIVER_I2C, DRIVER_GPIO, DRIVER_OTHER };

struct i2c_conf {
	char bus[CONFIG_PATH_MAX + 1];
	unsigned address;
};

struct gpio_conf {
	char chip[CONFIG_PATH_MAX + 1]; /* empty: search every chip for the line name */
	char line[CONFIG_NAME_MAX + 1]; /* line name ("GPIO17") or offset ("17") */
	bool active_low;
};

/* The keys every I2C or GPIO section has, as key table entries. */
#define DRIVER_I2C_KEYS(T, addr)                                                                   \
	CONF_KEY_STR(T, i2c.bus, "bus", "/dev/i2c-1", "the I2C bus's device"),                     \
	        CONF_KEY_ADDR(T, i2c.address, "address", addr, "the chip's 7-bit I2C address")
#define DRIVER_GPIO_KEYS(T, low)                                                                   \
	CONF_KEY_STR(T, gpio.chip, "chip", NULL,                                                   \
	             "the GPIO chip (gpiochip0); empty: find the line by name on any chip"),       \
	        CONF_KEY_STR(T, gpio.line, "gpio", NULL,                                           \
	                     "the line's name (GPIO17), or its offset on chip"),                   \
	        CONF_KEY_BOOL(T, gpio.active_low, "active_low", low,                               \
	                      "the line is low when the LED is lit or the button pressed")

/* What a driver may use to build its sensor. */
struct driver_env {
	struct event_base *base;
	struct gpio *gpio;
	/* The handle of an I2C bus, shared by the sensors on it. */
	struct i2c_bus *(*bus)(void *ctx, const char *path);
	/* Ask for a measurement of every sensor. */
	void (*measure)(void *ctx);
	void *ctx;
};

/* Find another sensor by name (NULL for "" or none). */
typedef struct sensor *(*driver_find_fn)(void *ctx, const char *name);

struct driver {
	const char *kind;    /* the section: [kind NAME] */
	const char *summary; /* one line for muricle.conf(5) */
	enum driver_wiring wiring;
	const struct conf_key *keys; /* the driver's own struct, conf_size bytes */
	size_t conf_size;
	const struct value_spec *values; /* what it measures, ended by a NULL name */
	/* Checks that need the whole file (may be NULL): report with config_error. */
	void (*validate)(const struct sensor_conf *sc, const struct config *cfg,
	                 struct config_report *r);
	/* Whether two sensors of this kind may use one I2C address (channels of
	 * one chip); NULL: never. */
	bool (*shares_chip)(const struct sensor_conf *a, const struct sensor_conf *b);
	struct sensor *(*create)(const struct sensor_conf *sc, const struct driver_env *env);
	/* With --simulate: put a model of the chip on its simulated bus (I2C only). */
	void (*simulate)(struct sim *sim, const struct sensor_conf *sc);
	/* A standing warning about a configuration that works but surprises
	 * (may be NULL): write it, with what to change, to out, or leave out
	 * empty. Asked at start and at every reload; logged and shown. */
	void (*advise)(const struct sensor_conf *sc, const struct config *cfg, char *out,
	               size_t len);
	/* Once every sensor exists: take what it needs from others (may be NULL). */
	void (*link)(struct sensor *s, const struct sensor_conf *sc, driver_find_fn find,
	             void *ctx);
};

/* The built-in kinds, NULL-terminated (drivers.c). */
extern const struct driver *const drivers[];

/* A driver's I2C or GPIO part of a sensor's configuration, or NULL. */
const struct i2c_conf *driver_i2c(const struct sensor_conf *sc);
const struct gpio_conf *driver_gpio(const struct sensor_conf *sc);
/* "0x77 on /dev/i2c-1" or "GPIO line GPIO17 on gpiochip0, active low". */
void driver_where(const struct sensor_conf *sc, char *out, size_t outlen);
/* For a driver's create: a sensor with the driver's values (calibrated as
 * configured) and a `where` from the wiring. */
struct sensor *driver_sensor_new(const struct sensor_conf *sc, const struct sensor_ops *ops,
                                 void *priv);

#endif
