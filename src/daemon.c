#include "daemon.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "access.h"
#include "archive.h"
#include "buf.h"
#include "config.h"
#include "display.h"
#include "driver.h"
#include "events.h"
#include "file.h"
#include "gpio.h"
#include "http.h"
#include "history.h"
#include "i2c.h"
#include "log.h"
#include "loop.h"
#include "measure.h"
#include "metrics.h"
#include "mqtt.h"
#include "render.h"
#include "sensor.h"
#include "service.h"
#include "sim.h"
#include "sink.h"
#include "web.h"
#include "xmalloc.h"

#define DRAIN_TIMEOUT 2.0 /* seconds to finish answering at shutdown */

struct daemon {
	struct config cfg;       /* cfg.sensors[i] built sensors[i] */
	const char *config_path; /* NULL: the default path or the built-in default */
	bool simulate;
	bool activated; /* serving on a socket systemd passed */
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct i2c_bus *buses[CONFIG_MAX_SENSORS + 1]; /* the display's too */
	size_t nbuses;
	struct sensor *sensors[CONFIG_MAX_SENSORS];
	size_t nsensors;
	/* These outlive reloads. */
	struct measure *measure;
	struct sinks *sinks;
	struct history *history;
	struct archive *archive; /* NULL: history = 0 */
	struct events *events;
	struct histogram durations;
	struct mqtt *mqtt;       /* NULL: no [mqtt] section */
	struct display *display; /* NULL: no [display] section */
	struct web web;
	struct access access; /* the routes' host, origin and password checks */
	struct http *http;
	struct event *sigint, *sigterm, *sighup, *drain, *watchdog;
	double drain_deadline;
};

static void daemon_reload(struct daemon *d);

/* One bus handle per path, shared by the sensors on it. */
static struct i2c_bus *daemon_bus(void *ctx, const char *path)
{
	struct daemon *d = ctx;

	for (size_t i = 0; i < d->nbuses; i++)
		if (strcmp(d->buses[i]->path, path) == 0)
			return d->buses[i];
	struct i2c_bus *bus = d->sim ? sim_i2c_bus(d->sim, path) : i2c_linux_bus(d->base, path);
	d->buses[d->nbuses++] = bus;
	return bus;
}

/* Let go of the buses no sensor uses any more. */
static void daemon_drop_buses(struct daemon *d)
{
	size_t kept = 0;

	for (size_t i = 0; i < d->nbuses; i++) {
		bool used = d->cfg.display.enabled &&
		            strcmp(d->cfg.display.bus, d->buses[i]->path) == 0;
		for (size_t j = 0; j < d->cfg.nsensors && !used; j++) {
			const struct i2c_conf *c = driver_i2c(&d->cfg.sensors[j]);
			used = c != NULL && strcmp(c->bus, d->buses[i]->path) == 0;
		}
		if (used)
			d->buses[kept++] = d->buses[i];
		else
			i2c_bus_free(d->buses[i]);
	}
	d->nbuses = kept;
}

/* The one-line summary systemd shows in `systemctl status`. */
static void daemon_summary(struct daemon *d, struct buf *b)
{
	struct render_view v = {
		.sensors = d->sensors,
		.n = d->nsensors,
		.last_time = measure_last_time(d->measure),
		.mqtt = d->mqtt != NULL ? mqtt_stats(d->mqtt) : NULL,
	};
	render_summary(b, &v);
}

/* A sink: keep systemd's STATUS= current. */
static void daemon_status(void *arg)
{
	struct buf b;

	buf_init(&b);
	daemon_summary(arg, &b);
	service_status(b.data);
	buf_free(&b);
}

static void daemon_status_reading(void *arg, const struct sensor *s, double t)
{
	(void)s;
	(void)t;
	daemon_status(arg);
}

static void daemon_status_changed(void *arg, const struct sensor *s)
{
	(void)s;
	daemon_status(arg);
}

static const struct sink_ops daemon_status_sink = {
	.name = "systemd status",
	.reading = daemon_status_reading,
	.changed = daemon_status_changed,
};

/* Still answering requests at shutdown? Stop once done or out of time. */
static void daemon_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { 0, 10000 };

	(void)fd;
	(void)what;
	if (http_busy(d->http) == 0 || sensor_now_mono() > d->drain_deadline) {
		if (http_busy(d->http) != 0)
			log_warn("closing %u unfinished requests", http_busy(d->http));
		event_base_loopbreak(d->base);
		return;
	}
	evtimer_add(d->drain, &tv);
}

static void daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (d->drain_deadline != 0)
		return; /* already stopping */
	if (sig == SIGHUP) {
		daemon_reload(d);
		return;
	}
	log_info("%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	service_stopping();
	if (d->mqtt != NULL)
		mqtt_stop(d->mqtt); /* Home Assistant shows the device as unavailable */
	http_quiesce(d->http);
	events_close_all(d->events);  /* clients reconnect to whoever serves next */
	measure_shutdown(d->measure); /* waiting requests get a 503 */
	d->drain_deadline = sensor_now_mono() + DRAIN_TIMEOUT;
	daemon_drain_cb(-1, 0, d);
}

/* With --simulate: put a model of each I2C sensor's chip on its simulated
 * bus, unless the configuration wants it absent; take away those that
 * should be absent now. */
static void daemon_sim_devices(struct daemon *d)
{
	for (size_t i = 0; d->sim != NULL && i < d->cfg.nsensors; i++) {
		const struct sensor_conf *sc = &d->cfg.sensors[i];
		const struct i2c_conf *c = driver_i2c(sc);
		if (c == NULL || sc->driver->simulate == NULL)
			continue;
		if (config_list_has(d->cfg.sim.absent, sc->name))
			sim_i2c_detach(d->sim, c->bus, (uint8_t)c->address);
		else if (sim_i2c_device(d->sim, c->bus, (uint8_t)c->address) == NULL)
			sc->driver->simulate(d->sim, sc); /* once per chip, for all its channels */
	}
	const struct display_conf *dc = &d->cfg.display;
	if (d->sim != NULL && dc->enabled &&
	    sim_i2c_device(d->sim, dc->bus, (uint8_t)dc->address) == NULL)
		sim_i2c_attach(d->sim, dc->bus, (uint8_t)dc->address, &sim_oled_ops,
		               sim_oled_new(dc->controller == 1, 128, dc->height == 1 ? 32 : 64));
}

/* A button was pressed: measure every sensor. */
static void daemon_measure(void *arg)
{
	struct daemon *d = arg;

	measure_request(d->measure, NULL, NULL);
}

/* A sensor by name; NULL for "" or none. */
static struct sensor *daemon_find(void *ctx, const char *name)
{
	struct daemon *d = ctx;

	for (size_t i = 0; i < d->nsensors; i++)
		if (strcmp(d->sensors[i]->name, name) == 0)
			return d->sensors[i];
	return NULL;
}

/* Make d's sensors those of cfg: a sensor whose section did not change is
 * kept (with its state and counters), the others are built anew. The
 * sensors not kept are freed before any is built, so that a new one can
 * have their GPIO line. */
static void daemon_sensors(struct daemon *d, const struct config *cfg)
{
	struct sensor *next[CONFIG_MAX_SENSORS] = { NULL };
	struct driver_env env = {
		.base = d->base,
		.gpio = d->gpio,
		.bus = daemon_bus,
		.measure = daemon_measure,
		.ctx = d,
	};

	for (size_t i = 0; i < d->nsensors; i++) {
		bool kept = false;
		for (size_t j = 0; j < cfg->nsensors && !kept; j++) {
			if (next[j] == NULL &&
			    config_sensor_same(&d->cfg.sensors[i], &cfg->sensors[j])) {
				next[j] = d->sensors[i];
				kept = true;
			}
		}
		if (!kept)
			sensor_free(d->sensors[i]);
	}
	d->cfg = *cfg;
	daemon_sim_devices(d);
	for (size_t i = 0; i < cfg->nsensors; i++) {
		if (next[i] != NULL)
			continue;
		next[i] = cfg->sensors[i].driver->create(&cfg->sensors[i], &env);
		log_info("sensor %s: %s, %s", next[i]->name, next[i]->ops->type, next[i]->where);
	}
	memcpy(d->sensors, next, sizeof next);
	d->nsensors = cfg->nsensors;
	daemon_drop_buses(d);
	/* Now that all exist: links between them (the MQ135's correction sources). */
	for (size_t i = 0; i < d->nsensors; i++)
		if (cfg->sensors[i].driver->link != NULL)
			cfg->sensors[i].driver->link(d->sensors[i], &cfg->sensors[i], daemon_find,
			                             d);
	/* Advice on the whole configuration, which may have changed around a kept sensor. */
	for (size_t i = 0; i < d->nsensors; i++) {
		struct sensor *s = d->sensors[i];
		char w[sizeof s->warning] = "";
		if (cfg->sensors[i].driver->advise != NULL)
			cfg->sensors[i].driver->advise(&cfg->sensors[i], cfg, w, sizeof w);
		if (w[0] != '\0' && strcmp(w, s->warning) != 0)
			log_warn("sensor %s: %s", s->name, w);
		memcpy(s->warning, w, sizeof w);
	}
	size_t dropped = history_sync(d->history, d->sensors, d->nsensors, cfg->history * 3600,
	                              cfg->interval);
	if (dropped > 0)
		log_info("history: dropped %zu series of values no sensor has any more", dropped);
}

static struct measure_conf daemon_measure_conf(const struct daemon *d)
{
	struct measure_conf mc = {
		.interval = d->cfg.interval,
		.timeout = d->cfg.timeout,
		.stale_after = d->cfg.stale_after,
		.min_gap = d->cfg.min_gap,
		.sinks = d->sinks,
	};
	return mc;
}

/* The display's state changed: the page and the API show it anew, and with
 * a new frame on the panel, the page's mirror follows. */
static void daemon_display_changed(void *ctx, bool frame)
{
	struct daemon *d = ctx;

	web_invalidate(&d->web);
	if (frame)
		web_publish_display(&d->web);
}

/* No display: it hears no more readings and sends nothing more. */
static void daemon_display_stop(struct daemon *d)
{
	if (d->display != NULL) {
		sinks_remove(d->sinks, &display_sink, d->display);
		display_free(d->display);
		d->display = NULL;
	}
	d->web.display = NULL;
	web_invalidate(&d->web);
}

/* The display of d->cfg, made anew (after daemon_sensors, which keeps its bus). */
static void daemon_display(struct daemon *d)
{
	daemon_display_stop(d);
	if (!d->cfg.display.enabled)
		return;
	d->display = display_new(d->base, &d->cfg.display, daemon_bus(d, d->cfg.display.bus),
	                         d->history, daemon_display_changed, d);
	sinks_add(d->sinks, &display_sink, d->display);
	d->web.display = d->display;
	display_set_sensors(d->display, d->sensors, d->nsensors);
}

/* What discovery says of this muricle. */
static struct mqtt_device daemon_mqtt_device(const struct daemon *d)
{
	struct mqtt_device dev = {
		.title = d->cfg.title,
		.http_port = d->cfg.listen.port,
		.expire_after = d->cfg.interval * d->cfg.stale_after,
	};
	return dev;
}

/* The broker connected or not, a message went: the page and the API show it. */
static void daemon_mqtt_changed(void *ctx)
{
	struct daemon *d = ctx;

	web_invalidate(&d->web);
}

/* Start, keep or restart the MQTT client for d->cfg; its sensors are d's. */
static void daemon_mqtt(struct daemon *d, const struct mqtt_conf *before)
{
	struct mqtt_device dev = daemon_mqtt_device(d);
	const struct mqtt_conf *c = &d->cfg.mqtt;

	if (d->mqtt != NULL && (!c->enabled || !mqtt_conf_same_connection(before, c))) {
		sinks_remove(d->sinks, &mqtt_sink, d->mqtt);
		mqtt_stop(d->mqtt);
		mqtt_free(d->mqtt);
		d->mqtt = NULL;
	}
	if (c->enabled && d->mqtt == NULL) {
		d->mqtt = mqtt_new(d->base, c, &dev, daemon_measure, daemon_mqtt_changed, d);
		sinks_add(d->sinks, &mqtt_sink, d->mqtt);
	} else if (d->mqtt != NULL) {
		mqtt_reconfigure(d->mqtt, c);
	}
	if (d->mqtt != NULL)
		mqtt_set_sensors(d->mqtt, d->sensors, d->nsensors, &dev);
	d->web.mqtt = d->mqtt;
	web_invalidate(&d->web);
}

/* Who may use the page and measure (access.h), as configured. */
static void daemon_access(struct daemon *d)
{
	char host[ACCESS_NAME_MAX + 1] = "", password[256], err[4200];

	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	access_init(&d->access, host, d->cfg.allowed_hosts);
	switch (file_read_secret(d->cfg.control_password_file, "control-password", password,
	                         sizeof password, err, sizeof err)) {
	case 1:
		access_set_password(&d->access, password);
		log_info("measuring from the page and the API needs the control password");
		break;
	case 0: break;
	default:
		access_lock(&d->access);
		log_err("the control password: %s; measuring on request is refused until it can "
		        "be read (fix it, then reload)",
		        err);
		break;
	}
	OPENSSL_cleanse(password, sizeof password);
	d->web.access = &d->access;
}

/* What the routes show. */
static void daemon_web(struct daemon *d)
{
	daemon_access(d);
	d->web.title = d->cfg.title;
	d->web.sensors = d->sensors;
	d->web.n = d->nsensors;
	d->web.measure = d->measure;
	d->web.simulated = d->simulate;
	web_invalidate(&d->web); /* new sensors, titles, warnings */
}

static bool daemon_same_listen(const struct config *a, const struct config *b)
{
	return strcmp(a->listen.host, b->listen.host) == 0 && a->listen.port == b->listen.port;
}

/* SIGHUP: read the configuration again and apply it, or keep the running
 * one and say why. The HTTP server stays, with its connections, unless the
 * address changed; so do the scheduler, its counters, unchanged sensors
 * and their buses. Requests waiting for a measurement get the next one's. */
static void daemon_reload(struct daemon *d)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	struct buf errors;
	const char *name;
	char err[256];
	int fd = -1;

	service_reloading();
	buf_init(&errors);
	if (config_read(cfg, d->config_path, &name, &errors) < 0) {
		config_log_errors(&errors);
		log_err("SIGHUP: %s is not valid: keeping the running configuration", name);
		goto done;
	}
	bool relisten = !d->activated && !daemon_same_listen(cfg, &d->cfg);
	if (relisten &&
	    (fd = http_listen(cfg->listen.host, cfg->listen.port, err, sizeof err)) < 0) {
		log_err("SIGHUP: %s: keeping the running configuration", err);
		goto done;
	}
	if (relisten) {
		measure_drop_waiters(d->measure); /* their server goes: they get a 503 */
		events_close_all(d->events);
	}
	if (strcmp(cfg->state_dir, d->cfg.state_dir) != 0 ||
	    (cfg->history > 0) != (d->archive != NULL))
		log_warn("SIGHUP: a new state_directory, or history turned on or off, takes effect "
		         "at restart");
	/* Nothing may measure while sensors go and come. */
	struct measure_conf mc = daemon_measure_conf(d);
	struct mqtt_conf mqtt_before = d->cfg.mqtt;
	measure_set_sensors(d->measure, NULL, 0, &mc);
	/* The display goes first: its transfer in flight may be on a bus that goes. */
	daemon_display_stop(d);
	if (d->sim != NULL) {
		sim_configure(d->sim, cfg->sim.i2c_delay, cfg->sim.gpio_dir);
		sim_set_faults(d->sim, &cfg->sim.faults);
		sim_set_bus_rate(d->sim, cfg->sim.bus_khz);
	}
	daemon_sensors(d, cfg);
	mc = daemon_measure_conf(d);
	measure_set_sensors(d->measure, d->sensors, d->nsensors, &mc);
	daemon_web(d);
	daemon_mqtt(d, &mqtt_before);
	daemon_display(d);
	if (d->archive != NULL)
		archive_set_flush(d->archive, cfg->history_flush);
	if (relisten) {
		http_free(d->http);
		d->http = http_new(d->base, fd, web_handle, &d->web, err, sizeof err);
		if (d->http == NULL)
			fatal("SIGHUP: %s", err);
		http_describe_socket(fd, err, sizeof err);
		log_info("serving %s", err);
	}
	measure_start_sampling(d->measure);
	log_info("SIGHUP: configuration reloaded from %s, %zu sensors", name, d->nsensors);
done:
	buf_free(&errors);
	free(cfg);
	buf_init(&errors);
	daemon_summary(d, &errors);
	service_ready(errors.data);
	buf_free(&errors);
}

/* Serving on the socket systemd passed: say where, and that a configured
 * `listen` is not what decides it. */
static void daemon_activated(int fd, const struct config_listen *listen)
{
	struct sockaddr_storage ss = { 0 }; /* AF_UNSPEC if getsockname fails */
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?", where[INET6_ADDRSTRLEN + 16];
	unsigned port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		port = ntohs(a->sin6_port);
		snprintf(where, sizeof where, "[%s]:%u", host, port);
	} else if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		port = ntohs(a->sin_port);
		snprintf(where, sizeof where, "%s:%u", host, port);
	} else {
		snprintf(where, sizeof where, "a socket that is not IP");
	}
	log_info("using the socket systemd passed: %s", where);
	if (listen->given) {
		bool v6 = strchr(listen->host, ':') != NULL;
		log_notice("'listen = %s%s%s:%u' in the configuration is not used: systemd passed "
		           "the socket (muricle.socket decides the address; change it with "
		           "'systemctl edit muricle.socket')",
		           v6 ? "[" : "", listen->host, v6 ? "]" : "", listen->port);
	}
}

struct daemon *daemon_new(const struct config *cfg, const char *config_path,
                          const char *config_name, bool simulate, char *err, size_t errlen)
{
	struct daemon *d = xcalloc(1, sizeof *d);
	d->config_path = config_path;
	d->simulate = simulate;
	d->base = loop_new(err, errlen);
	if (d->base == NULL)
		goto fail;

	log_info("muricle %s starting, config %s, %s hardware", MURICLE_VERSION, config_name,
	         simulate ? "simulated" : "real");
	d->history = history_new(cfg->history * 3600, cfg->interval);
	d->events = events_new(d->base);
	d->web.history = d->history;
	d->web.events = d->events;
	d->web.durations = &d->durations;
	d->web.start_time = sensor_now_wall();
	d->sinks = sinks_new();
	sinks_add(d->sinks, &history_sink, d->history);
	sinks_add(d->sinks, &web_sink, &d->web);
	sinks_add(d->sinks, &histogram_sink, &d->durations);
	sinks_add(d->sinks, &daemon_status_sink, d);
	if (simulate) {
		d->sim = sim_new(d->base, cfg->sim.i2c_delay, cfg->sim.gpio_dir);
		sim_set_seed(d->sim, cfg->sim.seed);
		sim_set_faults(d->sim, &cfg->sim.faults);
		sim_set_bus_rate(d->sim, cfg->sim.bus_khz);
		d->gpio = sim_gpio(d->sim);
	} else {
		d->gpio = gpio_linux_new(d->base);
		log_info("GPIO through %s", gpio_linux_version());
	}
	daemon_sensors(d, cfg); /* d->cfg has none yet */
	struct measure_conf mc = daemon_measure_conf(d);
	d->measure = measure_new(d->base, d->sensors, d->nsensors, &mc);
	daemon_web(d);
	daemon_mqtt(d, &cfg->mqtt);
	daemon_display(d);
	if (cfg->history > 0) {
		/* Simulated readings never mix with real ones. */
		d->archive =
		        archive_new(d->base, d->history, archive_state_dir(cfg->state_dir),
		                    simulate ? "history-simulated" : "history", cfg->history_flush);
		d->web.archive = d->archive;
		log_info("history: %g h per value, %zu kB in memory, saved every %g s",
		         cfg->history, history_memory(d->history) / 1024, cfg->history_flush);
	}

	/* A socket systemd passed wins over the configured address. */
	int fd = service_listen_fd(err, errlen);
	if (fd == -2)
		goto fail;
	d->activated = fd >= 0;
	if (d->activated)
		daemon_activated(fd, &cfg->listen);
	else if ((fd = http_listen(cfg->listen.host, cfg->listen.port, err, errlen)) < 0)
		goto fail;
	d->http = http_new(d->base, fd, web_handle, &d->web, err, errlen);
	if (d->http == NULL)
		goto fail;
	char where[80];
	http_describe_socket(fd, where, sizeof where);
	log_info("serving %s", where);

	d->sigint = evsignal_new(d->base, SIGINT, daemon_signal_cb, d);
	d->sigterm = evsignal_new(d->base, SIGTERM, daemon_signal_cb, d);
	d->sighup = evsignal_new(d->base, SIGHUP, daemon_signal_cb, d);
	d->drain = evtimer_new(d->base, daemon_drain_cb, d);
	event_add(d->sigint, NULL);
	event_add(d->sigterm, NULL);
	event_add(d->sighup, NULL);
	return d;
fail:
	daemon_free(d);
	return NULL;
}

int daemon_run(struct daemon *d)
{
	struct buf b;

	/* The server listens already: ready, then the first measurement. */
	buf_init(&b);
	daemon_summary(d, &b);
	service_ready(b.data);
	buf_free(&b);
	d->watchdog = service_watchdog(d->base);
	measure_start_sampling(d->measure);
	if (event_base_dispatch(d->base) < 0) {
		log_err("the event loop failed");
		return EXIT_FAILURE;
	}
	if (d->archive != NULL)
		archive_flush_now(d->archive);
	log_info("stopped");
	return EXIT_SUCCESS;
}

struct sinks *daemon_sinks(struct daemon *d)
{
	return d->sinks;
}

void daemon_free(struct daemon *d)
{
	if (d == NULL)
		return;
	/* Answer waiting requests before the server goes, then the sensors. */
	if (d->measure != NULL)
		measure_shutdown(d->measure);
	events_free(d->events);
	http_free(d->http);
	web_cache_free(&d->web);
	mqtt_free(d->mqtt);
	display_free(d->display);
	measure_free(d->measure);
	for (size_t i = 0; i < d->nsensors; i++)
		sensor_free(d->sensors[i]);
	for (size_t i = 0; i < d->nbuses; i++)
		i2c_bus_free(d->buses[i]);
	gpio_free(d->gpio);
	sim_free(d->sim);
	archive_free(d->archive);
	history_free(d->history);
	sinks_free(d->sinks);
	struct event *evs[] = { d->sigint, d->sigterm, d->sighup, d->drain, d->watchdog };
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	if (d->base != NULL)
		event_base_free(d->base);
	free(d);
}
