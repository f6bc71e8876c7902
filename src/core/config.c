/*
 * The configuration file. libinih does the INI syntax; this file knows the
 * sections and keys, checks every value and reports "file:line: problem".
 *
 * inih's handler is not told line numbers, so parsing goes through
 * ini_parse_stream with a reader that hands inih one line at a time and
 * counts them. The reader also sees section headers first, which lets empty
 * or misspelled sections be reported even when they hold no keys.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ads1115.h"
#include "log.h"
#include "file.h"
#include "gpio.h"
#include "xmalloc.h"

#define CONFIG_FILE_MAX (256 * 1024)

enum key_type {
	K_STR,
	K_BOOL,
	K_NUM,
	K_UINT,
	K_ADDR,
	K_LISTEN,
	K_OVERSAMPLE,
	K_RANGE,
	K_RATE,
	K_CHOICE, /* one of the words in `choices`, stored as its index */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;
	size_t size; /* K_STR: buffer size */
	double min, max;
	const char *const *choices; /* K_CHOICE: NULL-terminated */
};

/* In the order of enum gpio_bias. */
static const char *const bias_words[] = { "as_is", "disable", "pull_up", "pull_down", NULL };
/* In the order of enum button_action. */
static const char *const action_words[] = { "none", "measure", NULL };

#define STR(s, f) K_STR, offsetof(s, f), sizeof(((s *)0)->f), 0, 0, NULL

static const struct key daemon_keys[] = {
	{ "listen", K_LISTEN, 0, 0, 0, 0, NULL },
	{ "title", STR(struct config, title) },
	{ "interval", K_NUM, offsetof(struct config, interval), 0, 0.1, 86400, NULL },
	{ "stale_after", K_UINT, offsetof(struct config, stale_after), 0, 1, 1000, NULL },
	{ "timeout", K_NUM, offsetof(struct config, timeout), 0, 0.05, 60, NULL },
	{ "history", K_NUM, offsetof(struct config, history), 0, 0, 8760, NULL },
	{ "history_flush", K_NUM, offsetof(struct config, history_flush), 0, 1, 86400, NULL },
	{ "state_directory", STR(struct config, state_dir) },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct key sim_keys[] = {
	{ "i2c_delay", K_NUM, offsetof(struct config, sim.i2c_delay), 0, 0, 10, NULL },
	{ "absent", STR(struct config, sim.absent) },
	{ "gpio_dir", STR(struct config, sim.gpio_dir) },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct key blinker_keys[] = {
	{ "chip", STR(struct sensor_conf, chip) },
	{ "gpio", STR(struct sensor_conf, gpio) },
	{ "active_low", K_BOOL, offsetof(struct sensor_conf, active_low), 0, 0, 0, NULL },
	{ "blink", K_NUM, offsetof(struct sensor_conf, blink), 0, 0.01, 3600, NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct key bmp180_keys[] = {
	{ "bus", STR(struct sensor_conf, bus) },
	{ "address", K_ADDR, offsetof(struct sensor_conf, address), 0, 0x03, 0x77, NULL },
	{ "oversampling", K_UINT, offsetof(struct sensor_conf, oversampling), 0, 0, 3, NULL },
	{ "sea_level_pressure", K_NUM, offsetof(struct sensor_conf, sea_level), 0, 300, 1100,
	  NULL },
	{ "altitude_offset", K_NUM, offsetof(struct sensor_conf, altitude_offset), 0, -1000, 10000,
	  NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct key bme280_keys[] = {
	{ "bus", STR(struct sensor_conf, bus) },
	{ "address", K_ADDR, offsetof(struct sensor_conf, address), 0, 0x03, 0x77, NULL },
	{ "oversampling_temperature", K_OVERSAMPLE, offsetof(struct sensor_conf, os_t), 0, 1, 16,
	  NULL },
	{ "oversampling_pressure", K_OVERSAMPLE, offsetof(struct sensor_conf, os_p), 0, 1, 16,
	  NULL },
	{ "oversampling_humidity", K_OVERSAMPLE, offsetof(struct sensor_conf, os_h), 0, 1, 16,
	  NULL },
	{ "sea_level_pressure", K_NUM, offsetof(struct sensor_conf, sea_level), 0, 300, 1100,
	  NULL },
	{ "altitude_offset", K_NUM, offsetof(struct sensor_conf, altitude_offset), 0, -1000, 10000,
	  NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

/* The BMP280 is a BME280 without humidity. */
static const struct key bmp280_keys[] = {
	{ "bus", STR(struct sensor_conf, bus) },
	{ "address", K_ADDR, offsetof(struct sensor_conf, address), 0, 0x03, 0x77, NULL },
	{ "oversampling_temperature", K_OVERSAMPLE, offsetof(struct sensor_conf, os_t), 0, 1, 16,
	  NULL },
	{ "oversampling_pressure", K_OVERSAMPLE, offsetof(struct sensor_conf, os_p), 0, 1, 16,
	  NULL },
	{ "sea_level_pressure", K_NUM, offsetof(struct sensor_conf, sea_level), 0, 300, 1100,
	  NULL },
	{ "altitude_offset", K_NUM, offsetof(struct sensor_conf, altitude_offset), 0, -1000, 10000,
	  NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct key button_keys[] = {
	{ "chip", STR(struct sensor_conf, chip) },
	{ "gpio", STR(struct sensor_conf, gpio) },
	{ "active_low", K_BOOL, offsetof(struct sensor_conf, active_low), 0, 0, 0, NULL },
	{ "bias", K_CHOICE, offsetof(struct sensor_conf, bias), 0, 0, 0, bias_words },
	{ "debounce", K_NUM, offsetof(struct sensor_conf, debounce), 0, 0, 1, NULL },
	{ "action", K_CHOICE, offsetof(struct sensor_conf, action), 0, 0, 0, action_words },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

#define MQ(f, lo, hi) K_NUM, offsetof(struct sensor_conf, mq.f), 0, lo, hi, NULL

static const struct key mq135_keys[] = {
	{ "bus", STR(struct sensor_conf, bus) },
	{ "address", K_ADDR, offsetof(struct sensor_conf, address), 0, 0x03, 0x77, NULL },
	{ "channel", K_UINT, offsetof(struct sensor_conf, channel), 0, 0, 3, NULL },
	{ "range", K_RANGE, offsetof(struct sensor_conf, range), 0, 0, 0, NULL },
	{ "data_rate", K_RATE, offsetof(struct sensor_conf, data_rate), 0, 0, 0, NULL },
	{ "voltage_divider", K_NUM, offsetof(struct sensor_conf, divider), 0, 1, 100, NULL },
	{ "supply_voltage", MQ(supply, 1, 24) },
	{ "load_resistance", MQ(rload, 0.01, 10000) },
	{ "rzero", MQ(rzero, 0.01, 100000) },
	{ "para", MQ(para, -1e9, 1e9) },
	{ "parb", MQ(parb, -1e9, 1e9) },
	{ "cora", MQ(cora, -1e9, 1e9) },
	{ "corb", MQ(corb, -1e9, 1e9) },
	{ "corc", MQ(corc, -1e9, 1e9) },
	{ "cord", MQ(cord, -1e9, 1e9) },
	{ "core", MQ(core, -1e9, 1e9) },
	{ "corf", MQ(corf, -1e9, 1e9) },
	{ "corg", MQ(corg, -1e9, 1e9) },
	{ "atmospheric_co2", MQ(atmoco2, 100, 100000) },
	{ "temperature", K_NUM, offsetof(struct sensor_conf, temperature), 0, -40, 85, NULL },
	{ "humidity", K_NUM, offsetof(struct sensor_conf, humidity), 0, 0, 100, NULL },
	{ "temperature_from", STR(struct sensor_conf, temperature_from) },
	{ "humidity_from", STR(struct sensor_conf, humidity_from) },
	{ NULL, 0, 0, 0, 0, 0, NULL },
};

static const struct {
	const char *name;
	enum sensor_kind kind;
	const struct key *keys;
} kinds[] = {
	{ "blinker", KIND_BLINKER, blinker_keys }, { "bmp180", KIND_BMP180, bmp180_keys },
	{ "bme280", KIND_BME280, bme280_keys },    { "bmp280", KIND_BMP280, bmp280_keys },
	{ "mq135", KIND_MQ135, mq135_keys },       { "button", KIND_BUTTON, button_keys },
};

#define KIND_NAMES                                                                                 \
	"[blinker NAME], [button NAME], [bmp180 NAME], [bme280 NAME], [bmp280 NAME] or "           \
	"[mq135 NAME]"

static bool bme280_osrs_ok(unsigned long n)
{
	return n == 1 || n == 2 || n == 4 || n == 8 || n == 16;
}

bool config_kind_is_i2c(enum sensor_kind kind)
{
	return kind != KIND_BLINKER && kind != KIND_BUTTON;
}

enum section { SEC_NONE, SEC_DAEMON, SEC_SIM, SEC_SENSOR, SEC_BAD };

struct parse {
	struct config *cfg;
	const char *name;
	struct buf *errors;
	int first_error; /* first line this file reported, 0 if none */
	int nerrors;

	const char *text; /* reader position */
	int line;

	enum section sec;
	const struct key *keys;
	void *base;     /* what the keys' offsets are relative to */
	unsigned *seen; /* bitmask of keys given in this section */
	unsigned seen_daemon, seen_sim, seen_sensor[CONFIG_MAX_SENSORS];
};

static void perr(struct parse *p, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Record one problem as "file:line: message". */
static void perr(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0) {
		buf_printf(p->errors, "%s:%d: ", p->name, line);
		if (p->first_error == 0 || line < p->first_error)
			p->first_error = line;
	} else {
		buf_printf(p->errors, "%s: ", p->name);
	}
	va_start(ap, fmt);
	buf_vprintf(p->errors, fmt, ap);
	va_end(ap);
	buf_puts(p->errors, "\n");
	p->nerrors++;
}

const char *config_kind_name(enum sensor_kind kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

/* Set the values a file does not give. */
static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	strcpy(cfg->listen_host, "127.0.0.1");
	cfg->listen_port = 8080;
	strcpy(cfg->title, "muricle");
	cfg->interval = 60;
	cfg->stale_after = 3;
	cfg->timeout = 5;
	cfg->history = 24;
	cfg->history_flush = 600;
}

static void sensor_defaults(struct sensor_conf *sc, enum sensor_kind kind)
{
	memset(sc, 0, sizeof *sc);
	sc->kind = kind;
	sc->blink = 5;
	strcpy(sc->bus, "/dev/i2c-1");
	/* Most BME280 and BMP280 boards strap the address to 0x76. */
	sc->address = kind == KIND_BMP180 ? 0x77 : 0x76;
	sc->oversampling = 3;
	sc->os_t = sc->os_p = sc->os_h = 1; /* Bosch's choice for weather monitoring */
	if (kind == KIND_MQ135)
		sc->address = 0x48; /* ADDR pin to GND */
	sc->range = 4.096;
	sc->data_rate = 128;
	sc->divider = 1;
	mq135_defaults(&sc->mq);
	if (kind == KIND_BUTTON) {
		sc->active_low = true; /* to ground, with the pull-up */
		sc->bias = GPIO_BIAS_PULL_UP;
		sc->debounce = 0.02;
		sc->action = BUTTON_MEASURE;
	}
	sc->temperature = 20;
	sc->humidity = 33; /* where the correction factor is 1 */
	sc->sea_level = 1013.25;
}

static bool valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) > CONFIG_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		      ('0' <= *s && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Open a section from its header text (between the brackets). */
static void begin_section(struct parse *p, char *hdr)
{
	char *type = strtok(hdr, " \t");
	char *name = strtok(NULL, " \t");
	char *extra = strtok(NULL, " \t");

	p->sec = SEC_BAD;
	if (type == NULL) {
		perr(p, p->line, "empty section name");
		return;
	}
	if (strcmp(type, "daemon") == 0 || strcmp(type, "simulation") == 0) {
		if (name != NULL) {
			perr(p, p->line, "[%s] takes no name", type);
			return;
		}
		bool d = type[0] == 'd';
		p->sec = d ? SEC_DAEMON : SEC_SIM;
		p->keys = d ? daemon_keys : sim_keys;
		p->base = p->cfg;
		p->seen = d ? &p->seen_daemon : &p->seen_sim;
		return;
	}
	size_t k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(type, kinds[k].name) == 0)
			break;
	if (k == sizeof kinds / sizeof kinds[0]) {
		perr(p, p->line,
		     "unknown section [%s]: expected [daemon], [simulation], " KIND_NAMES, type);
		return;
	}
	if (extra != NULL) {
		perr(p, p->line, "section [%s %s %s...]: a sensor section is [TYPE] or [TYPE NAME]",
		     type, name, extra);
		return;
	}
	if (name == NULL)
		name = type;
	if (!valid_name(name)) {
		perr(p, p->line, "sensor name '%s': use 1 to %d letters, digits, '-' or '_'", name,
		     CONFIG_NAME_MAX);
		return;
	}
	struct config *cfg = p->cfg;
	for (size_t i = 0; i < cfg->nsensors; i++) {
		if (strcmp(cfg->sensors[i].name, name) == 0) {
			perr(p, p->line, "sensor name '%s' is already used at line %d", name,
			     cfg->sensors[i].line);
			return;
		}
	}
	if (cfg->nsensors == CONFIG_MAX_SENSORS) {
		perr(p, p->line, "too many sensors (at most %d)", CONFIG_MAX_SENSORS);
		return;
	}
	struct sensor_conf *sc = &cfg->sensors[cfg->nsensors];
	sensor_defaults(sc, kinds[k].kind);
	strcpy(sc->name, name);
	sc->line = p->line;
	p->sec = SEC_SENSOR;
	p->keys = kinds[k].keys;
	p->base = sc;
	p->seen = &p->seen_sensor[cfg->nsensors];
	cfg->nsensors++;
}

/* Feed inih one line, counting lines and spotting section headers. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *s = p->text;

	if (*s == '\0')
		return NULL;
	const char *nl = strchr(s, '\n');
	size_t len = nl ? (size_t)(nl - s) + 1 : strlen(s);
	p->text = s + len;
	p->line++;
	if (len >= (size_t)num) {
		perr(p, p->line, "line is longer than %d characters", num - 2);
		strcpy(str, "\n");
		return str;
	}
	memcpy(str, s, len);
	str[len] = '\0';

	char *t = str + strspn(str, " \t");
	if (*t == '[') {
		char *end = strchr(t, ']');
		if (end != NULL) {
			char hdr[256];
			size_t n = (size_t)(end - t - 1);
			memcpy(hdr, t + 1, n);
			hdr[n] = '\0';
			begin_section(p, hdr);
		}
	}
	return str;
}

/* Parse one value into its field. Returns 0, or -1 after reporting. */
static int set_key(struct parse *p, const struct key *k, const char *v)
{
	char *end;
	void *dst = (char *)p->base + k->off;

	switch (k->type) {
	case K_STR:
		if (strlen(v) >= k->size) {
			perr(p, p->line, "'%s' is too long (at most %zu characters)", k->name,
			     k->size - 1);
			return -1;
		}
		strcpy(dst, v);
		return 0;
	case K_BOOL: {
		static const char *yes[] = { "true", "yes", "on", "1" };
		static const char *no[] = { "false", "no", "off", "0" };
		for (int i = 0; i < 4; i++) {
			if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
				*(bool *)dst = strcasecmp(v, yes[i]) == 0;
				return 0;
			}
		}
		perr(p, p->line, "'%s' must be true or false, not '%s'", k->name, v);
		return -1;
	}
	case K_NUM: {
		errno = 0;
		double d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || d < k->min ||
		    d > k->max) {
			perr(p, p->line, "'%s' must be a number from %g to %g, not '%s'", k->name,
			     k->min, k->max, v);
			return -1;
		}
		*(double *)dst = d;
		return 0;
	}
	case K_UINT:
	case K_ADDR: {
		errno = 0;
		unsigned long u = strtoul(v, &end, 0);
		if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || u < k->min ||
		    u > k->max) {
			if (k->type == K_ADDR)
				perr(p, p->line,
				     "'%s' must be a 7-bit I2C address from 0x03 to 0x77, not '%s'",
				     k->name, v);
			else
				perr(p, p->line,
				     "'%s' must be a whole number from %g to %g, not '%s'", k->name,
				     k->min, k->max, v);
			return -1;
		}
		*(unsigned *)dst = (unsigned)u;
		return 0;
	}
	case K_OVERSAMPLE:
		errno = 0;
		unsigned long os = strtoul(v, &end, 10);
		if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || !bme280_osrs_ok(os)) {
			perr(p, p->line, "'%s' must be 1, 2, 4, 8 or 16, not '%s'", k->name, v);
			return -1;
		}
		*(unsigned *)dst = (unsigned)os;
		return 0;
	case K_RANGE:
	case K_RATE: {
		double d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' ||
		    (k->type == K_RANGE ? ads1115_range_index(d)
		                        : ads1115_rate_index((unsigned)d)) < 0 ||
		    (k->type == K_RATE && d != (unsigned)d)) {
			perr(p, p->line, "'%s' must be one of %s, not '%s'", k->name,
			     k->type == K_RANGE ? "6.144, 4.096, 2.048, 1.024, 0.512, 0.256"
			                        : "8, 16, 32, 64, 128, 250, 475, 860",
			     v);
			return -1;
		}
		if (k->type == K_RANGE)
			*(double *)dst = d;
		else
			*(unsigned *)dst = (unsigned)d;
		return 0;
	}
	case K_CHOICE: {
		struct buf words;
		for (int i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(v, k->choices[i]) == 0) {
				*(int *)dst = i;
				return 0;
			}
		}
		buf_init(&words);
		for (int i = 0; k->choices[i] != NULL; i++)
			buf_printf(&words, "%s%s", i ? ", " : "", k->choices[i]);
		perr(p, p->line, "'%s' must be one of %s, not '%s'", k->name, words.data, v);
		buf_free(&words);
		return -1;
	}
	case K_LISTEN:
		if (config_parse_listen(v, p->cfg->listen_host, sizeof p->cfg->listen_host,
		                        &p->cfg->listen_port) == 0)
			return 0;
		perr(p, p->line,
		     "'listen' must be ADDRESS:PORT with a numeric IPv4 address or [IPv6] address "
		     "and a port from 1 to 65535, not '%s'",
		     v);
		return -1;
	}
	return -1;
}

/* Take one "key = value" from inih. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;

	(void)section; /* the reader already opened it */
	if (p->sec == SEC_BAD)
		return 1; /* already reported at the header */
	if (p->sec == SEC_NONE) {
		perr(p, p->line, "'%s' is outside any section: put it under [daemon]", name);
		return 1;
	}
	for (unsigned i = 0; p->keys[i].name != NULL; i++) {
		if (strcmp(p->keys[i].name, name) != 0)
			continue;
		if (*p->seen & (1u << i)) {
			perr(p, p->line, "'%s' is given twice in this section", name);
			return 1;
		}
		*p->seen |= 1u << i;
		set_key(p, &p->keys[i], value);
		return 1;
	}
	struct buf known;
	buf_init(&known);
	for (unsigned i = 0; p->keys[i].name != NULL; i++)
		buf_printf(&known, "%s%s", i ? ", " : "", p->keys[i].name);
	perr(p, p->line, "unknown key '%s' (known here: %s)", name, known.data);
	buf_free(&known);
	return 1;
}

/* Check what single keys cannot: required keys and clashes between sensors. */
/* An MQ135's correction source must name a sensor that measures it. */
static void validate_source(struct parse *p, const struct sensor_conf *a, const char *key,
                            const char *name, bool humidity)
{
	const struct sensor_conf *src = config_sensor(p->cfg, name);

	if (name[0] == '\0')
		return;
	if (src == NULL || src == a)
		perr(p, a->line, "[mq135 %s]: %s = %s names no other sensor", a->name, key, name);
	else if (humidity ? src->kind != KIND_BME280
	                  : src->kind != KIND_BMP180 && src->kind != KIND_BME280 &&
	                            src->kind != KIND_BMP280)
		perr(p, a->line, "[mq135 %s]: %s = %s, a %s, which measures no %s", a->name, key,
		     name, config_kind_name(src->kind), humidity ? "humidity" : "temperature");
}

static void validate(struct parse *p)
{
	struct config *cfg = p->cfg;

	if (cfg->nsensors == 0)
		perr(p, 0, "no sensors configured: add a section " KIND_NAMES);
	if (cfg->history * 3600 / cfg->interval > CONFIG_HISTORY_MAX_POINTS)
		perr(p, 0,
		     "history = %g h at interval = %g s is %.0f readings per value, more than "
		     "%d: shorten history or lengthen interval",
		     cfg->history, cfg->interval, cfg->history * 3600 / cfg->interval,
		     CONFIG_HISTORY_MAX_POINTS);
	if (cfg->state_dir[0] != '\0' && cfg->state_dir[0] != '/')
		perr(p, 0, "state_directory = %s: give an absolute path", cfg->state_dir);
	for (size_t i = 0; i < cfg->nsensors; i++) {
		struct sensor_conf *a = &cfg->sensors[i];
		if (a->kind == KIND_MQ135) {
			validate_source(p, a, "temperature_from", a->temperature_from, false);
			validate_source(p, a, "humidity_from", a->humidity_from, true);
		}
		if (!config_kind_is_i2c(a->kind)) {
			const char *kind = config_kind_name(a->kind);
			if (a->gpio[0] == '\0')
				perr(p, a->line, "[%s %s] needs 'gpio' (a line name like GPIO17)",
				     kind, a->name);
			else if (strspn(a->gpio, "0123456789") == strlen(a->gpio) &&
			         a->chip[0] == '\0')
				perr(p, a->line,
				     "[%s %s]: gpio = %s is a line offset, so it needs 'chip' too",
				     kind, a->name, a->gpio);
		}
		for (size_t j = 0; j < i; j++) {
			struct sensor_conf *b = &cfg->sensors[j];
			/* Sensors share an address only as channels of one ADS1115. */
			bool channels = a->kind == KIND_MQ135 && b->kind == KIND_MQ135 &&
			                a->channel != b->channel;
			if (config_kind_is_i2c(a->kind) && config_kind_is_i2c(b->kind) &&
			    !channels && strcmp(a->bus, b->bus) == 0 && a->address == b->address)
				perr(p, a->line, "'%s' and '%s' both use address 0x%02x on %s",
				     b->name, a->name, a->address, a->bus);
			if (!config_kind_is_i2c(a->kind) && !config_kind_is_i2c(b->kind) &&
			    strcmp(a->gpio, b->gpio) == 0 && strcmp(a->chip, b->chip) == 0)
				perr(p, a->line, "'%s' and '%s' both use GPIO line %s", b->name,
				     a->name, a->gpio);
		}
	}
}

int config_parse(struct config *cfg, const char *name, const char *text, struct buf *errors)
{
	struct parse p = { .cfg = cfg, .name = name, .errors = errors, .text = text };

	config_defaults(cfg);
	int rc = ini_parse_stream(reader, &p, handler, &p);
	if (rc < 0) {
		perr(&p, 0, "out of memory while parsing");
	} else if (rc > 0 && (p.first_error == 0 || rc < p.first_error)) {
		/* inih found a line it could not read and we had nothing to say about it. */
		perr(&p, rc,
		     "cannot read this line: expected 'key = value', '[section]' or a comment");
	}
	validate(&p);
	return p.nerrors ? -1 : 0;
}

int config_load(struct config *cfg, const char *path, struct buf *errors)
{
	size_t got;
	char *text = file_read(path, CONFIG_FILE_MAX, &got);

	if (text == NULL) {
		if (errno == EFBIG || errno == EINVAL)
			buf_printf(errors, "%s: not a regular file of at most %d bytes\n", path,
			           CONFIG_FILE_MAX);
		else
			buf_printf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	if (memchr(text, '\0', got) != NULL) {
		buf_printf(errors, "%s: contains a NUL byte: not a text file\n", path);
		free(text);
		return -1;
	}
	int rc = config_parse(cfg, path, text, errors);
	free(text);
	return rc;
}

int config_parse_listen(const char *v, char *host, size_t hostlen, unsigned *port)
{
	char h[64];
	const char *colon;

	if (v[0] == '[') {
		const char *end = strchr(v, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		size_t n = (size_t)(end - v - 1);
		if (n == 0 || n >= sizeof h)
			return -1;
		memcpy(h, v + 1, n);
		h[n] = '\0';
		colon = end + 1;
		struct in6_addr a6;
		if (inet_pton(AF_INET6, h, &a6) != 1)
			return -1;
	} else {
		colon = strrchr(v, ':');
		if (colon == NULL)
			return -1;
		size_t n = (size_t)(colon - v);
		if (n == 0 || n >= sizeof h)
			return -1;
		memcpy(h, v, n);
		h[n] = '\0';
		struct in_addr a4;
		if (inet_pton(AF_INET, h, &a4) != 1)
			return -1;
	}
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || colon[1] == '-' || *end != '\0' || errno != 0 || p < 1 ||
	    p > 65535 || strlen(h) >= hostlen)
		return -1;
	strcpy(host, h);
	*port = (unsigned)p;
	return 0;
}

int config_read(struct config *cfg, const char *path, const char **name, struct buf *errors)
{
	if (path != NULL) {
		*name = path;
		return config_load(cfg, path, errors);
	}
	if (access(CONFIG_DEFAULT_PATH, F_OK) == 0 || errno != ENOENT) {
		*name = CONFIG_DEFAULT_PATH;
		return config_load(cfg, CONFIG_DEFAULT_PATH, errors);
	}
	*name = "(built-in default)";
	return config_parse(cfg, *name, config_embedded, errors);
}

void config_log_errors(const struct buf *errors)
{
	const char *s = errors->data ? errors->data : "";

	while (*s != '\0') {
		size_t n = strcspn(s, "\n");
		log_err("%.*s", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

const struct sensor_conf *config_sensor(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsensors; i++)
		if (strcmp(cfg->sensors[i].name, name) == 0)
			return &cfg->sensors[i];
	return NULL;
}

bool config_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; *s != '\0';) {
		s += strspn(s, ", \t");
		size_t len = strcspn(s, ", \t");
		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len;
	}
	return false;
}
