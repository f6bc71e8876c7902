#include "daemon.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blinker.h"
#include "buf.h"
#include "bme280.h"
#include "button.h"
#include "bmp180.h"
#include "config.h"
#include "gpio.h"
#include "http.h"
#include "i2c.h"
#include "log.h"
#include "loop.h"
#include "measure.h"
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
	struct event_base *base;
	struct sim *sim;
	struct gpio *gpio;
	struct i2c_bus *buses[CONFIG_MAX_SENSORS];
	size_t nbuses;
	struct sensor *sensors[CONFIG_MAX_SENSORS];
	size_t nsensors;
	struct measure *measure;
	struct web web;
	struct http *http;
	struct event *sigint, *sigterm, *sighup, *drain, *watchdog;
	double drain_deadline;
};

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

/* A sensor finished: keep systemd's STATUS= current. */
static void daemon_update_cb(void *arg)
{
	struct daemon *d = arg;
	struct buf b;

	buf_init(&b);
	daemon_summary(d, &b);
	service_status(b.data);
	buf_free(&b);
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
	if (sig == SIGHUP) {
		log_msg(LOG_NOTICE, "SIGHUP: reloading the configuration is not supported yet, "
		                    "restart muricle to apply changes");
		return;
	}
	if (d->drain_deadline != 0)
		return; /* already stopping */
	log_info("%s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	service_stopping();
	http_quiesce(d->http);
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

struct daemon *daemon_new(const struct config *cfg, const char *config_name, bool simulate,
                          char *err, size_t errlen)
{
	struct daemon *d = xcalloc(1, sizeof *d);
	d->cfg = *cfg;
	d->base = loop_new(err, errlen);
	if (d->base == NULL)
		goto fail;

	log_info("muricle %s starting, config %s, %s hardware", MURICLE_VERSION, config_name,
	         simulate ? "simulated" : "real");
	if (simulate) {
		d->sim = sim_new(d->base, cfg->sim.i2c_delay, cfg->sim.gpio_dir);
		d->gpio = sim_gpio(d->sim);
	} else {
		d->gpio = gpio_linux_new(d->base);
		log_info("GPIO through %s", gpio_linux_version());
	}
	daemon_add_sensors(d);
	struct measure_conf mc = {
		.interval = cfg->interval,
		.timeout = cfg->timeout,
		.stale_after = cfg->stale_after,
		.on_update = daemon_update_cb,
		.arg = d,
	};
	d->measure = measure_new(d->base, d->sensors, d->nsensors, &mc);

	/* A socket systemd passed wins over the configured address. */
	int fd = service_listen_fd(err, errlen);
	if (fd == -2)
		goto fail;
	if (fd >= 0)
		log_info("using the socket systemd passed; 'listen' is not used");
	else if ((fd = http_listen(cfg->listen_host, cfg->listen_port, err, errlen)) < 0)
		goto fail;
	d->web.title = d->cfg.title;
	d->web.sensors = d->sensors;
	d->web.n = d->nsensors;
	d->web.measure = d->measure;
	d->web.simulated = simulate;
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
	http_free(d->http);
	measure_free(d->measure);
	for (size_t i = 0; i < d->nsensors; i++)
		sensor_free(d->sensors[i]);
	for (size_t i = 0; i < d->nbuses; i++)
		i2c_bus_free(d->buses[i]);
	gpio_free(d->gpio);
	sim_free(d->sim);
	struct event *evs[] = { d->sigint, d->sigterm, d->sighup, d->drain, d->watchdog };
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	if (d->base != NULL)
		event_base_free(d->base);
	free(d);
}
