/* The configuration file: parsing and validation, no I/O beyond reading it. */
#ifndef MURICLE_CONFIG_H
#define MURICLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "mq135.h"

#define CONFIG_MAX_SENSORS 16
#define CONFIG_NAME_MAX    32
#define CONFIG_PATH_MAX    128
/* Points kept per value at most: history / interval may not exceed it. */
#define CONFIG_HISTORY_MAX_POINTS 100000

#ifndef MURICLE_SYSCONFDIR
#define MURICLE_SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT_PATH MURICLE_SYSCONFDIR "/muricle/muricle.conf"

enum sensor_kind {
	KIND_BLINKER,
	KIND_BMP180,
	KIND_BME280,
	KIND_BMP280,
	KIND_MQ135,
	KIND_BUTTON,
};

enum button_action { BUTTON_NONE, BUTTON_MEASURE };

struct sensor_conf {
	enum sensor_kind kind;
	char name[CONFIG_NAME_MAX + 1];
	int line; /* where its section starts, for messages */

	/* blinker */
	char chip[CONFIG_PATH_MAX + 1]; /* empty: search every chip for the line name */
	char gpio[CONFIG_NAME_MAX + 1]; /* line name ("GPIO17") or offset ("17") */
	bool active_low;
	double blink; /* seconds */

	/* button */
	int bias;        /* enum gpio_bias */
	double debounce; /* seconds */
	int action;      /* enum button_action */

	/* I2C sensors */
	char bus[CONFIG_PATH_MAX + 1];
	unsigned address;
	unsigned oversampling;     /* BMP180: 0-3 */
	unsigned os_t, os_p, os_h; /* BME280: oversampling counts, 1-16 */
	double sea_level;          /* hPa */
	double altitude_offset;    /* m */

	/* MQ135 through an ADS1115 */
	unsigned channel;   /* AIN0-3 */
	double range;       /* full-scale volts */
	unsigned data_rate; /* samples/s */
	double divider;     /* sensor volts per volt at the ADC input */
	struct mq135_params mq;
	double temperature, humidity;               /* correction constants */
	char temperature_from[CONFIG_NAME_MAX + 1]; /* or another sensor's reading */
	char humidity_from[CONFIG_NAME_MAX + 1];
};

struct config {
	char listen_host[64];
	unsigned listen_port;
	char title[65];
	double interval;      /* seconds between periodic measurements */
	unsigned stale_after; /* intervals without a good read before "stale" */
	double timeout;       /* seconds a sensor may take before it counts as failed */
	double history;       /* hours of readings kept per value (0: none) */
	double history_flush; /* seconds between saves of the history */
	char state_dir[CONFIG_PATH_MAX + 1]; /* empty: $STATE_DIRECTORY or /var/lib/muricle */

	struct sensor_conf sensors[CONFIG_MAX_SENSORS];
	size_t nsensors;

	/* Only read with --simulate. */
	struct {
		double i2c_delay; /* seconds added to every simulated transfer */
		char absent[256]; /* sensor names whose simulated device is missing */
		char gpio_dir[CONFIG_PATH_MAX + 1]; /* mirror line levels into files here */
	} sim;
};

/* Embedded copy of etc/muricle.conf, the built-in default. */
extern const char config_embedded[];

/* Parse text named `name` (for messages) into cfg. On error returns -1 and
 * appends one "name:line: message" line per problem to errors. */
int config_parse(struct config *cfg, const char *name, const char *text, struct buf *errors);
/* Read and parse a file; a missing or unreadable file is an error too. */
int config_load(struct config *cfg, const char *path, struct buf *errors);
/* Parse "ADDRESS:PORT" or "[IPv6]:PORT" with numeric addresses only. */
int config_parse_listen(const char *v, char *host, size_t hostlen, unsigned *port);
/* Whether a sensor of this kind sits on an I2C bus. */
bool config_kind_is_i2c(enum sensor_kind kind);
/* Read the file at path; or, when path is NULL, the default path, or the
 * embedded default when that file does not exist. *name says which. */
int config_read(struct config *cfg, const char *path, const char **name, struct buf *errors);
/* Log each line of errors at error priority. */
void config_log_errors(const struct buf *errors);
/* Find a sensor's config by name, or NULL. */
const struct sensor_conf *config_sensor(const struct config *cfg, const char *name);
/* Say whether `name` is listed in a comma-separated list. */
bool config_list_has(const char *list, const char *name);
const char *config_kind_name(enum sensor_kind kind);

#endif
