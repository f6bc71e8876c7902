/*
 * The configuration file: parsing and validation, no I/O beyond reading it.
 * The [daemon] and [simulation] sections are described here; each sensor
 * kind describes its own section in its driver (see driver.h), and the
 * parser works from those descriptions alone.
 */
#ifndef MURICLE_CONFIG_H
#define MURICLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "quantity.h"
#include "sim.h"

#define CONFIG_MAX_SENSORS 16
#define CONFIG_NAME_MAX    32
#define CONFIG_PATH_MAX    128
/* Bytes a driver's own configuration struct may take. */
#define CONFIG_DRIVER_CONF_MAX 1024
/* Points kept per value at most: history / interval may not exceed it. */
#define CONFIG_HISTORY_MAX_POINTS 100000
/* Values a sensor may have at most. */
#define CONFIG_MAX_VALUES 8
/* Points of a linear calibration at most. */
#define CONFIG_CALIB_POINTS 8

#ifndef MURICLE_SYSCONFDIR
#define MURICLE_SYSCONFDIR "/etc"
#endif
#define CONFIG_DEFAULT_PATH MURICLE_SYSCONFDIR "/muricle/muricle.conf"

struct driver;

/* How a key's value is read. */
enum conf_type {
	CONF_STR,    /* text of at most size - 1 bytes */
	CONF_BOOL,   /* true/false, yes/no, on/off, 1/0 */
	CONF_NUM,    /* a double from min to max */
	CONF_UINT,   /* an unsigned from min to max */
	CONF_ADDR,   /* a 7-bit I2C address, stored as unsigned */
	CONF_CHOICE, /* one of choices, stored as its index (int) */
	CONF_CUSTOM, /* parse() decides; `allowed` says what it takes */
};

/* One key of a section: where it goes, what it takes, its default. */
struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;  /* in the section's struct */
	size_t size; /* CONF_STR: the buffer's size */
	double min, max;
	const char *def;            /* default as written in a file; NULL: empty, false or 0 */
	const char *doc;            /* one line for muricle.conf(5) */
	const char *const *choices; /* CONF_CHOICE, NULL-terminated */
	bool (*parse)(const char *v, void *dst); /* CONF_CUSTOM */
	void (*allowed)(struct buf *b);          /* CONF_CUSTOM: says what it takes */
};

/* Key table entries, ended by { NULL }. */
#define CONF_KEY_STR(T, f, name, def, doc)                                                         \
	{                                                                                          \
		name, CONF_STR, offsetof(T, f), sizeof(((T *)0)->f), 0, 0, def, doc, NULL, NULL,   \
		        NULL                                                                       \
	}
#define CONF_KEY_BOOL(T, f, name, def, doc)                                                        \
	{                                                                                          \
		name, CONF_BOOL, offsetof(T, f), 0, 0, 0, def, doc, NULL, NULL, NULL               \
	}
#define CONF_KEY_NUM(T, f, name, lo, hi, def, doc)                                                 \
	{                                                                                          \
		name, CONF_NUM, offsetof(T, f), 0, lo, hi, def, doc, NULL, NULL, NULL              \
	}
#define CONF_KEY_UINT(T, f, name, lo, hi, def, doc)                                                \
	{                                                                                          \
		name, CONF_UINT, offsetof(T, f), 0, lo, hi, def, doc, NULL, NULL, NULL             \
	}
#define CONF_KEY_ADDR(T, f, name, def, doc)                                                        \
	{                                                                                          \
		name, CONF_ADDR, offsetof(T, f), 0, 0x03, 0x77, def, doc, NULL, NULL, NULL         \
	}
#define CONF_KEY_CHOICE(T, f, name, words, def, doc)                                               \
	{                                                                                          \
		name, CONF_CHOICE, offsetof(T, f), 0, 0, 0, def, doc, words, NULL, NULL            \
	}
#define CONF_KEY_CUSTOM(T, f, name, fn, allowed, def, doc)                                         \
	{                                                                                          \
		name, CONF_CUSTOM, offsetof(T, f), 0, 0, 0, def, doc, NULL, fn, allowed            \
	}
#define CONF_KEY_END                                                                               \
	{                                                                                          \
		NULL, CONF_STR, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL                           \
	}

/*
 * Per-value calibration, written in the sensor's section:
 *   VALUE.offset = -2.5                          shown = raw + offset
 *   VALUE.factor = 1.02                          shown = raw * factor (before the offset)
 *   VALUE.calibrate = 0 -> 0.3, 30 -> 29.6 ...   least-squares line through the points
 */
struct calib {
	bool set;      /* any of it given */
	double factor; /* 1 unless given */
	double offset; /* 0 unless given */
	/* Which keys gave them (VALUE.calibrate gives both). */
	bool has_factor, has_offset, has_points;
};

struct sensor_conf {
	const struct driver *driver;
	char name[CONFIG_NAME_MAX + 1];
	int line;                              /* where its section starts, for messages */
	struct calib calib[CONFIG_MAX_VALUES]; /* in the order of the driver's values */
	/* The driver's own struct (driver->conf_size bytes); see config_driver_conf. */
	_Alignas(max_align_t) unsigned char conf[CONFIG_DRIVER_CONF_MAX];
};

/* The driver's configuration struct of a sensor section. */
#define config_driver_conf(sc, T) ((const T *)(const void *)(sc)->conf)

/* The [mqtt] section (keys in mqtt.c). Off unless the file has one. */
struct mqtt_conf {
	bool enabled;
	int line; /* of the section, for messages */
	char host[CONFIG_PATH_MAX + 1];
	unsigned port;
	char client_id[65];                      /* empty: muricle-HOSTNAME */
	char username[65];                       /* empty: none */
	char password_file[CONFIG_PATH_MAX + 1]; /* the password, never in this file */
	char topic_prefix[CONFIG_PATH_MAX + 1];  /* empty: muricle/HOSTNAME */
	bool discovery;
	char discovery_prefix[65];
	unsigned qos;
	bool retain;
	unsigned keepalive; /* seconds */
	unsigned queue;     /* messages that may wait for the socket */
	int protocol;       /* 0: MQTT 3.1.1, 1: MQTT 5 */
	bool tls;
	char ca_file[CONFIG_PATH_MAX + 1]; /* empty: the system's CAs */
	char cert_file[CONFIG_PATH_MAX + 1], key_file[CONFIG_PATH_MAX + 1];
};

/* Hours of the day, as minutes since midnight; from < 0: none. A range
 * may pass midnight (23:00-07:00). */
struct config_hours {
	int from, to;
};

/* The [display] section (keys in display.c): an SSD1306 or SH1106 OLED on
 * I2C. Off unless the file has one. */
struct display_conf {
	bool enabled;
	int line;
	char bus[CONFIG_PATH_MAX + 1];
	unsigned address;
	int controller; /* 0: SSD1306, 1: SH1106 */
	int height;     /* 0: 64 rows, 1: 32 */
	int rotation;   /* 0: upright, 1: 180° */
	unsigned contrast;
	double page_seconds;
	double trend_minutes;
	char values[512]; /* "sensor.value, ..."; empty: every charted value */
	struct config_hours off_between, dim_between;
	bool pixel_shift;
};

struct config_listen {
	char host[64];
	unsigned port;
	bool given; /* in the file, not the default: worth a notice when it is not used */
};

struct config {
	struct config_listen listen;
	char title[65];
	double interval;      /* seconds between periodic measurements */
	unsigned stale_after; /* intervals without a good read before "stale" */
	double min_gap;       /* s after a round when requests get that round */
	double timeout;       /* seconds a sensor may take before it counts as failed */
	double history;       /* hours of readings kept per value (0: none) */
	double history_flush; /* seconds between saves of the history */
	char state_dir[CONFIG_PATH_MAX + 1]; /* empty: $STATE_DIRECTORY or /var/lib/muricle */
	char allowed_hosts[1024];            /* more names of this daemon, comma-separated */
	char control_password_file[CONFIG_PATH_MAX + 1]; /* empty: the credential, if any */

	struct sensor_conf sensors[CONFIG_MAX_SENSORS];
	size_t nsensors;

	/* Only read with --simulate. */
	struct {
		double i2c_delay; /* seconds added to every simulated transfer */
		double bus_khz;   /* > 0: serial buses at this clock */
		char absent[256]; /* sensor names whose simulated device is missing */
		char gpio_dir[CONFIG_PATH_MAX + 1]; /* mirror line levels into files here */
		unsigned seed;                      /* of the simulated weather */
		struct sim_faults faults;
	} sim;

	struct mqtt_conf mqtt;
	struct display_conf display;
};

/* Embedded copy of etc/muricle.conf, the built-in default. */
extern const char config_embedded[];

/* Parse text named `name` (for messages) into cfg, with the built-in
 * sensor kinds. On error returns -1 and appends one "name:line: message"
 * line per problem to errors. */
int config_parse(struct config *cfg, const char *name, const char *text, struct buf *errors);
/* The same with another table of sensor kinds (NULL-terminated). */
int config_parse_with(struct config *cfg, const char *name, const char *text, struct buf *errors,
                      const struct driver *const *kinds);
/* Read and parse a file; a missing or unreadable file is an error too. */
int config_load(struct config *cfg, const char *path, struct buf *errors);
/* Parse "ADDRESS:PORT" or "[IPv6]:PORT" with numeric addresses only. */
int config_parse_listen(const char *v, char *host, size_t hostlen, unsigned *port);
/* Read the file at path; or, when path is NULL, the default path, or the
 * embedded default when that file does not exist. *name says which. */
int config_read(struct config *cfg, const char *path, const char **name, struct buf *errors);
/* Log each line of errors at error priority. */
void config_log_errors(const struct buf *errors);
/* Find a sensor's config by name, or NULL. */
const struct sensor_conf *config_sensor(const struct config *cfg, const char *name);
/* Whether the sensor named `name` offers a value of quantity q. */
bool config_sensor_measures(const struct config *cfg, const char *name, enum quantity q);
/* Say whether `name` is listed in a comma-separated list. */
bool config_list_has(const char *list, const char *name);
/* Whether two sensor configurations would build the same sensor. */
bool config_sensor_same(const struct sensor_conf *a, const struct sensor_conf *b);

/* For a driver's validate(): report a problem at a line of the file. */
struct config_report;
void config_error(struct config_report *r, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Every section and key with its default, range and doc line, for
 * muricle.conf(5) (roff) or the terminal. */
void config_describe(struct buf *b, bool roff);

#endif
