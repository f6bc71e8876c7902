#include "daemon.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "blinker.h"
#include "buf.h"
#include "bme280.h"
#include "button.h"
#include "bmp180.h"
#include "config.h"
#include "events.h"
#include "gpio.h"
#include "http.h"
#include "history.h"
#include "i2c.h"
#include "log.h"
#include "loop.h"
#include "measure.h"
#include "metrics.h"
#include "mq135.h"
#include "render.h"
#include "sensor.h"
#include "service.h"
#include "sim.h"
#include "web.h"
#include "xmalloc.h"

#define DRAIN_TIMEOUT 2.0 /* seconds to finish answering at shutdown */

struct daemon {
	struct config cfg;
	const char *config_path; /* NULL: the default path or the built-in default */
	bool simulate;
	bool activated; /* serving on a socket systemd passed */
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct i2c_bus *buses[CONFIG_MAX_SENSORS];
	size_t nbuses;
	struct sensor *sensors[CONFIG_MAX_SENSORS];
	size_t nsensors;
	struct measure *measure;
	/* These outlive reloads. */
	struct history *history;
	struct archive *archive; /* NULL: history = 0 */
	struct events *events;
	struct histogram durations;
	struct web web;
	struct http *http;
	struct event *sigint, *sigterm, *sighup, *drain, *watchdog;
	double drain_deadline;
};

static void daemon_reload(struct daemon *d);

/* One bus handle per path, shared by the sensors on it. */
static struct i2c_bus *daemon_bus(struct daemon *d, const char *path)
{
	for (size_t i = 0; i < d->nbuses; i++)
		if (strcmp(d->buses[i]->path, path) == 0)
			return d->buses[i];
	struct i2c_bus *bus = d->sim ? sim_i2c_bus(d->sim, path) : i2c_linux_bus(d->base, path);
	d->buses[d->nbuses++] = bus;
	return bus;
}

/* The one-line summary systemd shows in `systemctl status`. */
static void daemon_summary(struct daemon *d, struct buf *b)
{
	struct render_view v = {
		.sensors = d->sensors,
		.n = d->nsensors,
		.last_time = measure_last_time(d->measure),
	};
	render_summary(b, &v);
}

/* A sensor finished a reading or changed: record it, tell the event
 * streams, and keep systemd's STATUS= current. */
static void daemon_sensor_cb(struct sensor *s, enum sensor_change what, void *arg)
{
	struct daemon *d = arg;
	struct buf b;

	if (what == SENSOR_READ) {
		double t = sensor_now_wall();
		history_record(d->history, s, t);
		web_publish_reading(&d->web, s, t);
	} else {
		web_publish_change(&d->web, s);
	}
	buf_init(&b);
	daemon_summary(d, &b);
	service_status(b.data);
	buf_free(&b);
}

/* A measurement round started or ended. */
static void daemon_round_cb(void *arg, bool started, double duration)
{
	struct daemon *d = arg;

	if (!started)
		histogram_observe(&d->durations, duration);
	web_publish_round(&d->web, started ? -1 : duration);
}

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
	http_quiesce(d->http);
	events_close_all(d->events);  /* clients reconnect to whoever serves next */
	measure_shutdown(d->measure); /* waiting requests get a 503 */
	d->drain_deadline = sensor_now_mono() + DRAIN_TIMEOUT;
	daemon_drain_cb(-1, 0, d);
}

/* With --simulate: put a model of the sensor's chip on its simulated bus,
 * unless the configuration wants it absent. */
static void daemon_sim_device(struct daemon *d, const struct sensor_conf *sc)
{
	if (d->sim == NULL || !config_kind_is_i2c(sc->kind) ||
	    config_list_has(d->cfg.sim.absent, sc->name))
		return;
	uint8_t addr = (uint8_t)sc->address;
	if (sim_i2c_device(d->sim, sc->bus, addr) != NULL)
		return; /* another channel of the same ADS1115 */
	if (sc->kind == KIND_BMP180)
		sim_i2c_attach(d->sim, sc->bus, addr, &sim_bmp180_ops, sim_bmp180_new());
	else if (sc->kind == KIND_MQ135)
		/* An MQ135 on 5 V near 450 ppm has about 0.88 V across its load. */
		sim_i2c_attach(d->sim, sc->bus, addr, &sim_ads1115_ops,
		               sim_ads1115_new(0.88 / sc->divider));
	else
		sim_i2c_attach(d->sim, sc->bus, addr, &sim_bme280_ops,
		               sim_bme280_new(sc->kind == KIND_BME280));
}

/* A button was pressed: measure every sensor. */
static void daemon_button_cb(void *arg)
{
	struct daemon *d = arg;

	measure_request(d->measure, NULL, NULL);
}

/* A sensor built so far, by name; NULL for "" or none. */
static struct sensor *daemon_find(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->nsensors; i++)
		if (strcmp(d->sensors[i]->name, name) == 0)
			return d->sensors[i];
	return NULL;
}

static struct sensor *daemon_sensor(struct daemon *d, const struct sensor_conf *sc)
{
	switch (sc->kind) {
	case KIND_BLINKER: return blinker_sensor_new(sc, d->gpio);
	case KIND_BMP180: return bmp180_sensor_new(sc, daemon_bus(d, sc->bus));
	case KIND_BME280:
	case KIND_BMP280: return bme280_sensor_new(sc, daemon_bus(d, sc->bus));
	case KIND_MQ135: return mq135_sensor_new(sc, daemon_bus(d, sc->bus));
	case KIND_BUTTON: return button_sensor_new(sc, d->gpio, daemon_button_cb, d);
	}
	fatal("sensor %s: kind %d has no driver", sc->name, (int)sc->kind);
}

static void daemon_add_sensors(struct daemon *d)
{
	for (size_t i = 0; i < d->cfg.nsensors; i++) {
		const struct sensor_conf *sc = &d->cfg.sensors[i];
		daemon_sim_device(d, sc);
		struct sensor *s = daemon_sensor(d, sc);
		d->sensors[d->nsensors++] = s;
		log_info("sensor %s: %s, %s", s->name, s->ops->type, s->where);
	}
	/* Now that all exist: the MQ135s' correction sources. */
	for (size_t i = 0; i < d->cfg.nsensors; i++) {
		const struct sensor_conf *sc = &d->cfg.sensors[i];
		if (sc->kind == KIND_MQ135)
			mq135_use(d->sensors[i], daemon_find(d, sc->temperature_from),
			          daemon_find(d, sc->humidity_from));
	}
}

/* The hardware, sensors and scheduler, from d->cfg. */
static void daemon_build(struct daemon *d)
{
	const struct config *cfg = &d->cfg;

	if (d->simulate) {
		d->sim = sim_new(d->base, cfg->sim.i2c_delay, cfg->sim.gpio_dir);
		d->gpio = sim_gpio(d->sim);
	} else {
		d->gpio = gpio_linux_new(d->base);
		log_info("GPIO through %s", gpio_linux_version());
	}
	daemon_add_sensors(d);
	for (size_t i = 0; i < d->nsensors; i++)
		sensor_observe(d->sensors[i], daemon_sensor_cb, d);
	size_t dropped = history_sync(d->history, d->sensors, d->nsensors, cfg->history * 3600,
	                              cfg->interval);
	if (dropped > 0)
		log_info("history: dropped %zu series of values no sensor has any more", dropped);
	struct measure_conf mc = {
		.interval = cfg->interval,
		.timeout = cfg->timeout,
		.stale_after = cfg->stale_after,
		.on_round = daemon_round_cb,
		.arg = d,
	};
	d->measure = measure_new(d->base, d->sensors, d->nsensors, &mc);
	d->web.title = d->cfg.title;
	d->web.sensors = d->sensors;
	d->web.n = d->nsensors;
	d->web.measure = d->measure;
	d->web.simulated = d->simulate;
}

/* Undo daemon_build: what is in flight is abandoned, lines and buses released. */
static void daemon_teardown(struct daemon *d)
{
	measure_free(d->measure);
	d->measure = NULL;
	for (size_t i = 0; i < d->nsensors; i++)
		sensor_free(d->sensors[i]);
	d->nsensors = 0;
	for (size_t i = 0; i < d->nbuses; i++)
		i2c_bus_free(d->buses[i]);
	d->nbuses = 0;
	gpio_free(d->gpio);
	d->gpio = NULL;
	sim_free(d->sim);
	d->sim = NULL;
}

static bool daemon_same_listen(const struct config *a, const struct config *b)
{
	return strcmp(a->listen_host, b->listen_host) == 0 && a->listen_port == b->listen_port;
}

/* SIGHUP: read the configuration again and apply it, or keep the running
 * one and say why. The HTTP server stays, with its connections, unless the
 * address changed; requests waiting for a measurement get the new one's. */
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
	    (fd = http_listen(cfg->listen_host, cfg->listen_port, err, sizeof err)) < 0) {
		log_err("SIGHUP: %s: keeping the running configuration", err);
		goto done;
	}
	struct measure_waiters *waiting = NULL;
	if (relisten) {
		measure_shutdown(d->measure); /* their server goes: they get a 503 */
		events_close_all(d->events);
	} else
		waiting = measure_take_waiters(d->measure);
	daemon_teardown(d);
	if (strcmp(cfg->state_dir, d->cfg.state_dir) != 0 ||
	    (cfg->history > 0) != (d->archive != NULL))
		log_warn("SIGHUP: a new state_directory, or history turned on or off, takes effect "
		         "at restart");
	d->cfg = *cfg;
	daemon_build(d);
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
	measure_give_waiters(d->measure, waiting);
	log_info("SIGHUP: configuration reloaded from %s, %zu sensors", name, d->nsensors);
done:
	buf_free(&errors);
	free(cfg);
	buf_init(&errors);
	daemon_summary(d, &errors);
	service_ready(errors.data);
	buf_free(&errors);
}

struct daemon *daemon_new(const struct config *cfg, const char *config_path,
                          const char *config_name, bool simulate, char *err, size_t errlen)
{
	struct daemon *d = xcalloc(1, sizeof *d);
	d->cfg = *cfg;
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
	daemon_build(d);
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
		log_info("using the socket systemd passed; 'listen' is not used");
	else if ((fd = http_listen(cfg->listen_host, cfg->listen_port, err, errlen)) < 0)
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

void daemon_free(struct daemon *d)
{
	if (d == NULL)
		return;
	/* Answer waiting requests before the server goes, then the sensors. */
	if (d->measure != NULL)
		measure_shutdown(d->measure);
	events_free(d->events);
	http_free(d->http);
	daemon_teardown(d);
	archive_free(d->archive);
	history_free(d->history);
	struct event *evs[] = { d->sigint, d->sigterm, d->sighup, d->drain, d->watchdog };
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	if (d->base != NULL)
		event_base_free(d->base);
	free(d);
}
