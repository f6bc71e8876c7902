/*
 * The configuration file. libinih does the INI syntax; the sections and
 * keys come from tables (the [daemon] and [simulation] ones here, each
 * sensor kind's from its driver); this file checks every value against
 * them, and reports "file:line: problem".
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "file.h"
#include "gpio.h"
#include "log.h"
#include "display.h"
#include "mqtt.h"
#include "xmalloc.h"

#define CONFIG_FILE_MAX (256 * 1024)

static bool parse_listen(const char *v, void *dst)
{
	struct config_listen *l = dst;

	l->given = true; /* config_defaults takes it back for the default */
	return config_parse_listen(v, l->host, sizeof l->host, &l->port) == 0;
}

static void listen_allowed(struct buf *b)
{
	buf_puts(b, "ADDRESS:PORT with a numeric IPv4 address or [IPv6] address and a port "
	            "from 1 to 65535");
}

static const struct conf_key daemon_keys[] = {
	CONF_KEY_CUSTOM(struct config, listen, "listen", parse_listen, listen_allowed,
	                "127.0.0.1:8080",
	                "address and port of the page and API; not used under socket activation"),
	CONF_KEY_STR(struct config, title, "title", "muricle", "the page's title"),
	CONF_KEY_NUM(struct config, interval, "interval", 0.1, 86400, "60",
	             "seconds between periodic measurements of every sensor"),
	CONF_KEY_UINT(struct config, stale_after, "stale_after", 1, 1000, "3",
	              "intervals without a good reading before a sensor is stale"),
	CONF_KEY_NUM(struct config, timeout, "timeout", 0.05, 60, "5",
	             "seconds one sensor may take before its measurement counts as failed"),
	CONF_KEY_NUM(struct config, min_gap, "min_gap", 0, 3600, "5",
	             "seconds after a measurement during which a request to measure (page, API, "
	             "button, MQTT) is answered with that measurement's readings instead of a "
	             "new one: barometers such as the BMP180 and BME280 warm themselves when "
	             "measured back to back; periodic measurements are not held back"),
	CONF_KEY_NUM(struct config, history, "history", 0, 8760, "24",
	             "hours of readings kept per value for the charts (0: none; at most 100000 "
	             "readings per value)"),
	CONF_KEY_NUM(struct config, history_flush, "history_flush", 1, 86400, "600",
	             "seconds between saves of the history file"),
	CONF_KEY_STR(struct config, state_dir, "state_directory", NULL,
	             "folder of the history file; empty: the first of $STATE_DIRECTORY, else "
	             "/var/lib/muricle"),
	CONF_KEY_STR(struct config, allowed_hosts, "allowed_hosts", NULL,
	             "more host names (comma-separated) the page answers to, besides IP addresses, "
	             "localhost and this machine's name with and without .local; others get 421, "
	             "against DNS rebinding; * answers to any"),
	CONF_KEY_STR(struct config, control_password_file, "control_password_file", NULL,
	             "a file whose first line is the password that measuring from the page or "
	             "the API needs (readable by muricle only); empty: "
	             "$CREDENTIALS_DIRECTORY/control-password (systemd LoadCredential=) if "
	             "given, else no password"),
	CONF_KEY_END,
};

static const struct conf_key sim_keys[] = {
	CONF_KEY_NUM(struct config, sim.i2c_delay, "i2c_delay", 0, 10, NULL,
	             "seconds each simulated I2C transfer takes"),
	CONF_KEY_NUM(struct config, sim.bus_khz, "bus_khz", 0, 3400, "0",
	             "0: simulated transfers overlap; else each bus carries one at a time, as long "
	             "as its bytes take at this clock in kHz (100: standard mode), so that devices "
	             "sharing a bus wait for each other"),
	CONF_KEY_STR(struct config, sim.absent, "absent", NULL,
	             "I2C sensors (comma-separated names) whose simulated chip does not answer"),
	CONF_KEY_STR(struct config, sim.gpio_dir, "gpio_dir", NULL,
	             "a folder where simulated line levels are written, for tests"),
	CONF_KEY_UINT(struct config, sim.seed, "seed", 0, 4294967295u, "1",
	              "the seed of the simulated weather (read at start), so that a run repeats"),
	CONF_KEY_NUM(struct config, sim.faults.eio_rate, "eio_rate", 0, 1, "0",
	             "chance that a simulated transfer starts a burst of I/O errors (EIO)"),
	CONF_KEY_UINT(struct config, sim.faults.eio_burst, "eio_burst", 1, 1000, "3",
	              "transfers that fail in each burst of I/O errors"),
	CONF_KEY_NUM(struct config, sim.faults.nack_rate, "nack_rate", 0, 1, "0",
	             "chance that a simulated chip does not acknowledge a transfer (ENXIO)"),
	CONF_KEY_NUM(struct config, sim.faults.stall_rate, "stall_rate", 0, 1, "0",
	             "chance that a simulated transfer stalls"),
	CONF_KEY_NUM(struct config, sim.faults.stall, "stall", 0, 60, "2",
	             "seconds a stalled transfer takes"),
	CONF_KEY_UINT(struct config, sim.faults.seed, "fault_seed", 0, 4294967295u, "1",
	              "the seed of the injected faults, so that a run repeats"),
	CONF_KEY_END,
};

/* The sections that are not sensors: one each, without a name. */
static const struct {
	const char *name;
	const char *summary;
	const struct conf_key *keys;
	/* A section that turns something on says so when it opens (may be NULL);
	 * its checks run once the file is read (may be NULL). */
	void (*opened)(struct config *cfg, int line);
	void (*validate)(const struct config *cfg, struct config_report *r);
} singles[] = {
	{ "daemon", "The daemon: its address, timing and history.", daemon_keys, NULL, NULL },
	{ "simulation", "Only read with --simulate: the simulated hardware.", sim_keys, NULL,
	  NULL },
	{ "mqtt",
	  "Publishing to an MQTT broker, with Home Assistant discovery; off without this "
	  "section.",
	  mqtt_keys, mqtt_section_opened, mqtt_validate },
	{ "display",
	  "An SSD1306 or SH1106 OLED display on I2C, showing one value after another with its "
	  "trend; off without this section.",
	  display_keys, display_section_opened, display_validate },
};
#define NSINGLES (sizeof singles / sizeof singles[0])

struct config_report {
	const char *name;
	struct buf *errors;
	int first_error; /* first line this file reported, 0 if none */
	int nerrors;
};

struct parse {
	struct config *cfg;
	const struct driver *const *kinds;
	struct config_report r;

	const char *text; /* reader position */
	int line;

	/* The section being read: none, a bad one, or its keys and struct. */
	enum { SEC_NONE, SEC_BAD, SEC_OPEN } sec;
	const struct conf_key *keys;
	void *base;             /* what the keys' offsets are relative to */
	struct sensor_conf *sc; /* a sensor's section, or NULL */
	bool *seen;             /* a flag per key: given in this section */
	bool *seen_single[NSINGLES];
	bool *seen_sensor[CONFIG_MAX_SENSORS];
};

static void verror(struct config_report *r, int line, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));

/* Record one problem as "file:line: message". */
static void verror(struct config_report *r, int line, const char *fmt, va_list ap)
{
	if (line > 0) {
		buf_printf(r->errors, "%s:%d: ", r->name, line);
		if (r->first_error == 0 || line < r->first_error)
			r->first_error = line;
	} else {
		buf_printf(r->errors, "%s: ", r->name);
	}
	buf_vprintf(r->errors, fmt, ap);
	buf_puts(r->errors, "\n");
	r->nerrors++;
}

void config_error(struct config_report *r, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(r, line, fmt, ap);
	va_end(ap);
}

static void perr(struct parse *p, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void perr(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(&p->r, line, fmt, ap);
	va_end(ap);
}

static size_t nkeys(const struct conf_key *keys)
{
	size_t n = 0;

	while (keys[n].name != NULL)
		n++;
	return n;
}

/* "[daemon], [simulation], [blinker NAME], ... or [mq135 NAME]" */
static void section_names(struct buf *b, const struct driver *const *kinds)
{
	for (size_t i = 0; i < NSINGLES; i++)
		buf_printf(b, "[%s], ", singles[i].name);
	for (size_t k = 0; kinds[k] != NULL; k++)
		buf_printf(b, "%s[%s NAME]", kinds[k + 1] == NULL ? "or " : "", kinds[k]->kind);
}

/* The words of a CONF_CHOICE key, "a, b, c". */
static void choice_words(struct buf *b, const struct conf_key *k)
{
	for (int i = 0; k->choices[i] != NULL; i++)
		buf_printf(b, "%s%s", i ? ", " : "", k->choices[i]);
}

/* Parse v into the key's field. Returns NULL, or what the key wants
 * (static or in `why`) when v is not allowed. */
static const char *parse_value(const struct conf_key *k, void *dst, const char *v, struct buf *why)
{
	char *end;

	switch (k->type) {
	case CONF_STR:
		if (strlen(v) >= k->size) {
			buf_printf(why, "at most %zu characters", k->size - 1);
			return why->data;
		}
		strcpy(dst, v);
		return NULL;
	case CONF_BOOL: {
		static const char *yes[] = { "true", "yes", "on", "1" };
		static const char *no[] = { "false", "no", "off", "0" };
		for (int i = 0; i < 4; i++) {
			if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
				*(bool *)dst = strcasecmp(v, yes[i]) == 0;
				return NULL;
			}
		}
		return "true or false";
	}
	case CONF_NUM: {
		errno = 0;
		double d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || d < k->min ||
		    d > k->max) {
			buf_printf(why, "a number from %g to %g", k->min, k->max);
			return why->data;
		}
		*(double *)dst = d;
		return NULL;
	}
	case CONF_UINT:
	case CONF_ADDR: {
		errno = 0;
		unsigned long u = strtoul(v, &end, 0);
		if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || u < k->min ||
		    u > k->max) {
			if (k->type == CONF_ADDR)
				return "a 7-bit I2C address from 0x03 to 0x77";
			buf_printf(why, "a whole number from %.0f to %.0f", k->min, k->max);
			return why->data;
		}
		*(unsigned *)dst = (unsigned)u;
		return NULL;
	}
	case CONF_CHOICE:
		for (int i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(v, k->choices[i]) == 0) {
				*(int *)dst = i;
				return NULL;
			}
		}
		buf_puts(why, "one of ");
		choice_words(why, k);
		return why->data;
	case CONF_CUSTOM:
		if (k->parse(v, dst))
			return NULL;
		k->allowed(why);
		return why->data;
	}
	return "?";
}

/* Parse one value into its field, or report what is wrong with it. */
static void set_key(struct parse *p, const struct conf_key *k, const char *v)
{
	struct buf why;

	buf_init(&why);
	const char *want = parse_value(k, (char *)p->base + k->off, v, &why);
	if (want != NULL && k->type == CONF_STR)
		perr(p, p->line, "'%s' is too long (%s)", k->name, want);
	else if (want != NULL)
		perr(p, p->line, "'%s' must be %s, not '%s'", k->name, want, v);
	buf_free(&why);
}

/* Give every key of a section its default. */
static void set_defaults(const struct conf_key *keys, void *base, const char *section)
{
	struct buf why;

	buf_init(&why);
	for (const struct conf_key *k = keys; k->name != NULL; k++) {
		if (k->def == NULL)
			continue;
		if (parse_value(k, (char *)base + k->off, k->def, &why) != NULL)
			fatal("config: the default of [%s] %s, '%s', is not valid", section,
			      k->name, k->def);
	}
	buf_free(&why);
}

/* Set the values a file does not give. */
static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	for (size_t i = 0; i < NSINGLES; i++)
		set_defaults(singles[i].keys, cfg, singles[i].name);
	cfg->listen.given = false;
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

/* Open the section [daemon] or [simulation], or say it is not one. */
static bool begin_single(struct parse *p, const char *type, const char *name)
{
	for (size_t i = 0; i < NSINGLES; i++) {
		if (strcmp(type, singles[i].name) != 0)
			continue;
		if (name != NULL) {
			perr(p, p->line, "[%s] takes no name", type);
			return true;
		}
		if (p->seen_single[i] == NULL)
			p->seen_single[i] = xcalloc(nkeys(singles[i].keys) + 1, sizeof(bool));
		p->sec = SEC_OPEN;
		p->keys = singles[i].keys;
		p->base = p->cfg;
		p->sc = NULL;
		p->seen = p->seen_single[i];
		if (singles[i].opened != NULL)
			singles[i].opened(p->cfg, p->line);
		return true;
	}
	return false;
}

/* Open a section from its header text (between the brackets). */
static void begin_section(struct parse *p, char *hdr)
{
	char *type = strtok(hdr, " \t");
	char *name = strtok(NULL, " \t");
	char *extra = strtok(NULL, " \t");
	const struct driver *drv = NULL;

	p->sec = SEC_BAD;
	if (type == NULL) {
		perr(p, p->line, "empty section name");
		return;
	}
	if (begin_single(p, type, name))
		return;
	for (size_t k = 0; p->kinds[k] != NULL && drv == NULL; k++)
		if (strcmp(type, p->kinds[k]->kind) == 0)
			drv = p->kinds[k];
	if (drv == NULL) {
		struct buf known;
		buf_init(&known);
		section_names(&known, p->kinds);
		perr(p, p->line, "unknown section [%s]: expected %s", type, known.data);
		buf_free(&known);
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
	const struct sensor_conf *other = config_sensor(cfg, name);
	if (other != NULL) {
		perr(p, p->line, "sensor name '%s' is already used at line %d", name, other->line);
		return;
	}
	if (cfg->nsensors == CONFIG_MAX_SENSORS) {
		perr(p, p->line, "too many sensors (at most %d)", CONFIG_MAX_SENSORS);
		return;
	}
	if (drv->conf_size > CONFIG_DRIVER_CONF_MAX)
		fatal("driver %s: its configuration takes %zu bytes, more than %d", drv->kind,
		      drv->conf_size, CONFIG_DRIVER_CONF_MAX);
	struct sensor_conf *sc = &cfg->sensors[cfg->nsensors];
	memset(sc, 0, sizeof *sc);
	sc->driver = drv;
	strcpy(sc->name, name);
	sc->line = p->line;
	for (size_t i = 0; i < CONFIG_MAX_VALUES; i++)
		sc->calib[i].factor = 1;
	set_defaults(drv->keys, sc->conf, drv->kind);
	p->sec = SEC_OPEN;
	p->keys = drv->keys;
	p->base = sc->conf;
	p->sc = sc;
	p->seen = p->seen_sensor[cfg->nsensors] = xcalloc(nkeys(drv->keys) + 1, sizeof(bool));
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

/* The points of a VALUE.calibrate. */
struct points {
	size_t n;
	double raw[CONFIG_CALIB_POINTS], real[CONFIG_CALIB_POINTS];
};

/* Parse "RAW -> REAL, RAW -> REAL, ...". */
static bool parse_points(const char *v, struct points *c)
{
	const char *s = v;

	c->n = 0;
	for (;;) {
		char *end;
		if (c->n == CONFIG_CALIB_POINTS)
			return false;
		errno = 0;
		double raw = strtod(s, &end);
		if (end == s || errno != 0 || !isfinite(raw))
			return false;
		s = end + strspn(end, " \t");
		if (strncmp(s, "->", 2) != 0)
			return false;
		s += 2;
		double real = strtod(s, &end);
		if (end == s || errno != 0 || !isfinite(real))
			return false;
		c->raw[c->n] = raw;
		c->real[c->n++] = real;
		s = end + strspn(end, " \t");
		if (*s == '\0')
			return c->n >= 2;
		if (*s != ',')
			return false;
		s++;
	}
}

/* The least-squares line through the points: real = raw * factor + offset. */
static bool fit_line(const struct points *c, struct calib *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0;

	for (size_t i = 0; i < c->n; i++) {
		mx += c->raw[i] / (double)c->n;
		my += c->real[i] / (double)c->n;
	}
	for (size_t i = 0; i < c->n; i++) {
		sxx += (c->raw[i] - mx) * (c->raw[i] - mx);
		sxy += (c->raw[i] - mx) * (c->real[i] - my);
	}
	if (!(sxx > 0))
		return false; /* every point at one raw reading: no line */
	double factor = sxy / sxx, offset = my - factor * mx;
	if (!isfinite(factor) || !isfinite(offset) || factor == 0)
		return false;
	out->factor = factor;
	out->offset = offset;
	return true;
}

/* "VALUE.offset", "VALUE.factor" or "VALUE.calibrate" in a sensor's section. */
static void set_calibration(struct parse *p, const char *key, const char *v)
{
	const struct driver *drv = p->sc->driver;
	const char *dot = strchr(key, '.');
	const char *what = dot + 1;
	size_t i;

	for (i = 0; drv->values[i].name != NULL; i++)
		if (strncmp(drv->values[i].name, key, (size_t)(dot - key)) == 0 &&
		    drv->values[i].name[dot - key] == '\0')
			break;
	const struct quantity_info *q = drv->values[i].name ? quantity(drv->values[i].q) : NULL;
	if (q == NULL || !q->trend) {
		struct buf known;
		buf_init(&known);
		for (size_t j = 0; drv->values[j].name != NULL; j++) {
			const struct quantity_info *qj = quantity(drv->values[j].q);
			if (qj->trend)
				buf_printf(&known, "%s%s", known.len ? ", " : "",
				           drv->values[j].name);
		}
		perr(p, p->line, "'%s': [%s] has no value '%.*s' to calibrate (it has: %s)", key,
		     drv->kind, (int)(dot - key), key, known.len ? known.data : "none");
		buf_free(&known);
		return;
	}
	struct calib *c = &p->sc->calib[i];
	bool is_offset = strcmp(what, "offset") == 0, is_factor = strcmp(what, "factor") == 0;
	bool is_points = strcmp(what, "calibrate") == 0;
	if (!is_offset && !is_factor && !is_points) {
		perr(p, p->line, "'%s': a value takes .offset, .factor or .calibrate", key);
		return;
	}
	if ((is_offset && c->has_offset) || (is_factor && c->has_factor) ||
	    (is_points && c->has_points)) {
		perr(p, p->line, "'%s' is given twice in this section", key);
		return;
	}
	if ((is_points && (c->has_offset || c->has_factor)) || (!is_points && c->has_points)) {
		perr(p, p->line,
		     "'%s': %.*s.calibrate sets the factor and offset itself: give either it or "
		     ".offset and .factor",
		     key, (int)(dot - key), key);
		return;
	}
	char *end;
	errno = 0;
	double d = is_points ? 0 : strtod(v, &end);
	if (is_points) {
		struct points pts;
		if (!parse_points(v, &pts)) {
			perr(p, p->line,
			     "'%s' must be 2 to %d points 'RAW -> REAL' separated by commas, like "
			     "'0 -> 0.4, 30 -> 29.1', not '%s'",
			     key, CONFIG_CALIB_POINTS, v);
			return;
		}
		if (!fit_line(&pts, c)) {
			perr(p, p->line,
			     "'%s': these points give no usable line: give readings at different "
			     "raw "
			     "values that do not all map to one value",
			     key);
			return;
		}
		c->has_points = true;
	} else if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || fabs(d) > 1e6 ||
	           (is_factor && d == 0)) {
		perr(p, p->line, "'%s' must be a %snumber from -1e6 to 1e6, not '%s'", key,
		     is_factor ? "non-zero " : "", v);
		return;
	} else if (is_offset) {
		c->offset = d;
		c->has_offset = true;
	} else {
		c->factor = d;
		c->has_factor = true;
	}
	c->set = true;
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
	if (p->sc != NULL && strchr(name, '.') != NULL) {
		set_calibration(p, name, value);
		return 1;
	}
	for (size_t i = 0; p->keys[i].name != NULL; i++) {
		if (strcmp(p->keys[i].name, name) != 0)
			continue;
		if (p->seen[i]) {
			perr(p, p->line, "'%s' is given twice in this section", name);
			return 1;
		}
		p->seen[i] = true;
		set_key(p, &p->keys[i], value);
		return 1;
	}
	struct buf known;
	buf_init(&known);
	for (size_t i = 0; p->keys[i].name != NULL; i++)
		buf_printf(&known, "%s%s", i ? ", " : "", p->keys[i].name);
	perr(p, p->line, "unknown key '%s' (known here: %s%s)", name, known.data,
	     p->sc != NULL ? "; and VALUE.offset, VALUE.factor, VALUE.calibrate" : "");
	buf_free(&known);
	return 1;
}

/* The line a GPIO sensor names, and clashes between sensors. */
static void validate_wiring(struct parse *p, const struct sensor_conf *a)
{
	const struct gpio_conf *ga = driver_gpio(a);
	const struct i2c_conf *ia = driver_i2c(a);
	const char *kind = a->driver->kind;

	if (ga != NULL && ga->line[0] == '\0')
		perr(p, a->line, "[%s %s] needs 'gpio' (a line name like GPIO17)", kind, a->name);
	else if (ga != NULL && gpio_is_offset(ga->line) && ga->chip[0] == '\0')
		perr(p, a->line, "[%s %s]: gpio = %s is a line offset, so it needs 'chip' too",
		     kind, a->name, ga->line);
	for (const struct sensor_conf *b = p->cfg->sensors; b < a; b++) {
		const struct gpio_conf *gb = driver_gpio(b);
		const struct i2c_conf *ib = driver_i2c(b);
		/* Sensors share an address only as channels of one chip. */
		if (ia != NULL && ib != NULL && strcmp(ia->bus, ib->bus) == 0 &&
		    ia->address == ib->address &&
		    !(a->driver == b->driver && a->driver->shares_chip != NULL &&
		      a->driver->shares_chip(a, b)))
			perr(p, a->line, "'%s' and '%s' both use address 0x%02x on %s", b->name,
			     a->name, ia->address, ia->bus);
		if (ga != NULL && gb != NULL && strcmp(ga->line, gb->line) == 0 &&
		    strcmp(ga->chip, gb->chip) == 0)
			perr(p, a->line, "'%s' and '%s' both use GPIO line %s", b->name, a->name,
			     ga->line);
	}
}

/* Check what single keys cannot: required keys and clashes between sensors. */
static void validate(struct parse *p)
{
	struct config *cfg = p->cfg;

	if (cfg->nsensors == 0) {
		struct buf known;
		buf_init(&known);
		for (size_t k = 0; p->kinds[k] != NULL; k++)
			buf_printf(&known, "%s[%s NAME]",
			           k == 0            ? ""
			           : p->kinds[k + 1] ? ", "
			                             : " or ",
			           p->kinds[k]->kind);
		perr(p, 0, "no sensors configured: add a section %s", known.data);
		buf_free(&known);
	}
	if (cfg->history * 3600 / cfg->interval > CONFIG_HISTORY_MAX_POINTS)
		perr(p, 0,
		     "history = %g h at interval = %g s is %.0f readings per value, more than "
		     "%d: shorten history or lengthen interval",
		     cfg->history, cfg->interval, cfg->history * 3600 / cfg->interval,
		     CONFIG_HISTORY_MAX_POINTS);
	if (cfg->state_dir[0] != '\0' && cfg->state_dir[0] != '/')
		perr(p, 0, "state_directory = %s: give an absolute path", cfg->state_dir);
	for (size_t i = 0; i < NSINGLES; i++)
		if (singles[i].validate != NULL)
			singles[i].validate(cfg, &p->r);
	for (size_t i = 0; i < cfg->nsensors; i++) {
		const struct sensor_conf *a = &cfg->sensors[i];
		validate_wiring(p, a);
		if (a->driver->validate != NULL)
			a->driver->validate(a, cfg, &p->r);
	}
}

int config_parse_with(struct config *cfg, const char *name, const char *text, struct buf *errors,
                      const struct driver *const *kinds)
{
	struct parse p = {
		.cfg = cfg, .kinds = kinds, .r = { .name = name, .errors = errors }, .text = text
	};

	config_defaults(cfg);
	int rc = ini_parse_stream(reader, &p, handler, &p);
	if (rc < 0) {
		perr(&p, 0, "out of memory while parsing");
	} else if (rc > 0 && (p.r.first_error == 0 || rc < p.r.first_error)) {
		/* inih found a line it could not read and we had nothing to say about it. */
		perr(&p, rc,
		     "cannot read this line: expected 'key = value', '[section]' or a comment");
	}
	validate(&p);
	for (size_t i = 0; i < NSINGLES; i++)
		free(p.seen_single[i]);
	for (size_t i = 0; i < CONFIG_MAX_SENSORS; i++)
		free(p.seen_sensor[i]);
	return p.r.nerrors ? -1 : 0;
}

int config_parse(struct config *cfg, const char *name, const char *text, struct buf *errors)
{
	return config_parse_with(cfg, name, text, errors, drivers);
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

bool config_sensor_measures(const struct config *cfg, const char *name, enum quantity q)
{
	const struct sensor_conf *sc = config_sensor(cfg, name);

	if (sc == NULL)
		return false;
	for (const struct value_spec *v = sc->driver->values; v->name != NULL; v++)
		if (v->q == q)
			return true;
	return false;
}

bool config_sensor_same(const struct sensor_conf *a, const struct sensor_conf *b)
{
	if (a->driver != b->driver || strcmp(a->name, b->name) != 0 ||
	    memcmp(a->conf, b->conf, a->driver->conf_size) != 0)
		return false;
	for (size_t i = 0; i < CONFIG_MAX_VALUES; i++)
		if (a->calib[i].factor != b->calib[i].factor ||
		    a->calib[i].offset != b->calib[i].offset)
			return false;
	return true;
}

/* What a key takes, in words: "a number from 0.1 to 86400". */
static void describe_range(struct buf *b, const struct conf_key *k)
{
	switch (k->type) {
	case CONF_STR: buf_printf(b, "text, at most %zu characters", k->size - 1); break;
	case CONF_BOOL: buf_puts(b, "true or false"); break;
	case CONF_NUM: buf_printf(b, "a number from %g to %g", k->min, k->max); break;
	case CONF_UINT: buf_printf(b, "a whole number from %.0f to %.0f", k->min, k->max); break;
	case CONF_ADDR: buf_puts(b, "an I2C address from 0x03 to 0x77"); break;
	case CONF_CHOICE:
		buf_puts(b, "one of ");
		choice_words(b, k);
		break;
	case CONF_CUSTOM: k->allowed(b); break;
	}
}

/* Text for roff: a leading dot or quote would be read as a request, and a
 * backslash as an escape. */
static void put_text(struct buf *b, const char *s, bool roff)
{
	if (!roff) {
		buf_puts(b, s);
		return;
	}
	if (*s == '.' || *s == '\'')
		buf_puts(b, "\\&");
	for (; *s != '\0'; s++) {
		if (strncmp(s, "°", strlen("°")) == 0) {
			buf_puts(b, "\\(de");
			s += strlen("°") - 1;
		} else if (strncmp(s, "Ω", strlen("Ω")) == 0) {
			buf_puts(b, "\\(*W");
			s += strlen("Ω") - 1;
		} else if (*s == '\\')
			buf_puts(b, "\\e");
		else if (*s == '-')
			buf_puts(b, "\\-");
		else
			buf_add(b, s, 1);
	}
}

/* Upper-case the first letter of a sentence. */
static void capitalize(struct buf *b)
{
	if (b->data[0] >= 'a' && b->data[0] <= 'z')
		b->data[0] = (char)(b->data[0] - 'a' + 'A');
}

static void describe_keys(struct buf *b, const struct conf_key *keys, bool roff)
{
	for (const struct conf_key *k = keys; k->name != NULL; k++) {
		if (roff) {
			buf_puts(b, ".TP\n.B ");
			put_text(b, k->name, true);
			buf_puts(b, "\n");
		} else {
			buf_printf(b, "  %s\n      ", k->name);
		}
		struct buf doc;
		buf_init(&doc);
		buf_puts(&doc, k->doc);
		capitalize(&doc);
		put_text(b, doc.data, roff);
		buf_free(&doc);
		buf_puts(b, roff ? ".\n" : ".\n      ");
		struct buf r;
		buf_init(&r);
		describe_range(&r, k);
		buf_puts(&r, "; default: ");
		buf_puts(&r, k->def != NULL         ? k->def
		             : k->type == CONF_STR  ? "empty"
		             : k->type == CONF_BOOL ? "false"
		                                    : "0");
		buf_puts(&r, ".");
		capitalize(&r);
		put_text(b, r.data, roff);
		buf_free(&r);
		buf_puts(b, "\n");
	}
}

void config_describe(struct buf *b, bool roff)
{
	for (size_t i = 0; i < NSINGLES; i++) {
		buf_printf(b, roff ? ".SS [%s]\n" : "[%s]\n", singles[i].name);
		put_text(b, singles[i].summary, roff);
		buf_puts(b, "\n");
		describe_keys(b, singles[i].keys, roff);
		if (!roff)
			buf_puts(b, "\n");
	}
	for (size_t k = 0; drivers[k] != NULL; k++) {
		const struct driver *d = drivers[k];
		buf_printf(b, roff ? ".SS [%s \\fIname\\fP]\n" : "[%s NAME]\n", d->kind);
		struct buf t;
		buf_init(&t);
		buf_printf(&t, "%s%sValues: ", d->summary, roff ? " " : "\n");
		for (const struct value_spec *v = d->values; v->name != NULL; v++) {
			const struct quantity_info *q = quantity(v->q);
			buf_printf(&t, "%s%s", v == d->values ? "" : ", ", v->name);
			if (q->unit[0] != '\0')
				buf_printf(&t, " (%s)", q->unit);
		}
		put_text(b, t.data, roff);
		buf_free(&t);
		buf_puts(b, ".\n");
		describe_keys(b, d->keys, roff);
		if (!roff)
			buf_puts(b, "\n");
	}
}
