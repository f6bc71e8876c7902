#include "mqtt.h"

#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <math.h>
#include <arpa/inet.h>
#include <mosquitto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "log.h"
#include "loop.h"
#include "render.h"
#include "sensor.h"
#include "sink.h"
#include "xmalloc.h"

#define MQTT_CONNECT_TIMEOUT 10.0 /* seconds for a broker to accept us */
#define MQTT_RETRY_MAX       60.0 /* seconds between attempts at most */
#define MQTT_MAX_ANNOUNCED   (CONFIG_MAX_SENSORS * CONFIG_MAX_VALUES + 1)

/* In the order of the protocol values of struct mqtt_conf. */
static const char *const protocol_words[] = { "3.1.1", "5", NULL };

const struct conf_key mqtt_keys[] = {
	CONF_KEY_STR(struct config, mqtt.host, "host", NULL,
	             "the broker's host name or address (required)"),
	CONF_KEY_UINT(struct config, mqtt.port, "port", 1, 65535, "1883", "the broker's port"),
	CONF_KEY_STR(struct config, mqtt.client_id, "client_id", NULL,
	             "the MQTT client id; empty: muricle-HOSTNAME"),
	CONF_KEY_STR(struct config, mqtt.username, "username", NULL,
	             "the user name for the broker; empty: none"),
	CONF_KEY_STR(struct config, mqtt.password_file, "password_file", NULL,
	             "a file holding the password (first line), readable by muricle only; "
	             "$CREDENTIALS_DIRECTORY/mqtt-password (systemd LoadCredential=) when empty"),
	CONF_KEY_STR(struct config, mqtt.topic_prefix, "topic_prefix", NULL,
	             "the topics' prefix; empty: muricle/HOSTNAME"),
	CONF_KEY_BOOL(struct config, mqtt.discovery, "discovery", "true",
	              "announce the values to Home Assistant (MQTT discovery)"),
	CONF_KEY_STR(struct config, mqtt.discovery_prefix, "discovery_prefix", "homeassistant",
	             "Home Assistant's discovery prefix"),
	CONF_KEY_UINT(struct config, mqtt.qos, "qos", 0, 2, "0", "the QoS of what is published"),
	CONF_KEY_BOOL(struct config, mqtt.retain, "retain", "true",
	              "publish the sensors' states retained"),
	CONF_KEY_UINT(struct config, mqtt.keepalive, "keepalive", 5, 3600, "60",
	              "seconds between keepalive pings"),
	CONF_KEY_UINT(struct config, mqtt.queue, "queue", 10, 100000, "1000",
	              "messages that may wait for a slow broker before more are dropped"),
	CONF_KEY_CHOICE(struct config, mqtt.protocol, "protocol", protocol_words, "3.1.1",
	                "the MQTT version spoken"),
	CONF_KEY_BOOL(struct config, mqtt.tls, "tls", "false",
	              "connect with TLS, verifying the broker's certificate and name"),
	CONF_KEY_STR(struct config, mqtt.ca_file, "ca_file", NULL,
	             "the CA certificates (PEM) the broker's must chain to; empty: the system's"),
	CONF_KEY_STR(struct config, mqtt.cert_file, "cert_file", NULL,
	             "a client certificate (PEM), for brokers that ask for one"),
	CONF_KEY_STR(struct config, mqtt.key_file, "key_file", NULL,
	             "the client certificate's private key (PEM, unencrypted)"),
	CONF_KEY_END,
};

void mqtt_section_opened(struct config *cfg, int line)
{
	if (!cfg->mqtt.enabled) {
		cfg->mqtt.enabled = true;
		cfg->mqtt.line = line;
	}
}

void mqtt_validate(const struct config *cfg, struct config_report *r)
{
	const struct mqtt_conf *c = &cfg->mqtt;

	if (c->enabled && c->host[0] == '\0')
		config_error(r, c->line, "[mqtt] needs 'host' (the broker's name or address)");
	if (!c->tls && (c->ca_file[0] || c->cert_file[0] || c->key_file[0]))
		config_error(r, c->line, "[mqtt]: ca_file, cert_file and key_file need tls = true");
	if ((c->cert_file[0] == '\0') != (c->key_file[0] == '\0'))
		config_error(r, c->line, "[mqtt]: give cert_file and key_file together");
}

struct announced {
	char topic[CONFIG_PATH_MAX + 160];
};

struct mqtt {
	struct event_base *base;
	struct evdns_base *dns;
	struct evdns_getaddrinfo_request *resolving;
	struct mosquitto *mosq;
	struct mqtt_conf c;
	struct mqtt_device dev;
	void (*measure)(void *ctx);
	void (*changed)(void *ctx); /* stats changed */
	void *ctx;

	char hostname[65];
	char node[33]; /* from /etc/machine-id: stable across restarts and reinstalls */
	char prefix[CONFIG_PATH_MAX + 1];
	char address[CONFIG_PATH_MAX + 1]; /* the broker's resolved address */

	struct event *rd, *wr; /* on the mosquitto socket while it has one */
	struct event *misc;    /* keepalive, once a second */
	struct event *retry;   /* the next attempt to connect */
	double retry_delay;
	double connect_started; /* monotonic; 0 when not connecting */
	bool connected, stopping;
	bool refused; /* the broker answered our CONNECT with a refusal */
	SSL_CTX *ssl_ctx;
	char tls_refused[120]; /* why OpenSSL refused the broker's certificate */
	bool tls_broken;       /* the certificates could not be loaded: do not connect */

	struct sensor *const *sensors;
	size_t nsensors;
	struct announced announced[MQTT_MAX_ANNOUNCED];
	size_t nannounced;

	size_t waiting; /* published since the socket last had nothing to send */
	struct mqtt_stats stats;
};

static void mqtt_schedule_retry(struct mqtt *m, const char *why);

static void mqtt_error(struct mqtt *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stats changed: the page and the API show them anew. */
static void mqtt_changed(struct mqtt *m)
{
	if (m->changed != NULL)
		m->changed(m->ctx);
}

/* Remember why the connection failed or ended. */
static void mqtt_error(struct mqtt *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->stats.error, sizeof m->stats.error, fmt, ap);
	va_end(ap);
	mqtt_changed(m);
}

/* Arm the write event while libmosquitto has bytes to send. */
static void mqtt_update_write(struct mqtt *m)
{
	if (m->wr == NULL)
		return;
	if (mosquitto_want_write(m->mosq))
		event_add(m->wr, NULL);
	else {
		event_del(m->wr);
		m->waiting = 0;
	}
}

static void mqtt_drop_socket(struct mqtt *m)
{
	if (m->rd != NULL)
		event_free(m->rd);
	if (m->wr != NULL)
		event_free(m->wr);
	m->rd = m->wr = NULL;
}

/* Publish one message; dropped (and counted) when `queue` messages already
 * wait for the socket. */
static void mqtt_publish(struct mqtt *m, const char *topic, const char *payload, bool retain,
                         int qos)
{
	if (!m->connected)
		return; /* nothing waits: the states are published anew on connecting */
	if (m->waiting >= m->c.queue) {
		m->stats.dropped++;
		mqtt_changed(m);
		return;
	}
	int rc =
	        mosquitto_publish(m->mosq, NULL, topic, (int)strlen(payload), payload, qos, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		m->stats.dropped++;
		mqtt_changed(m);
		log_debug("mqtt: cannot publish %s: %s", topic, mosquitto_strerror(rc));
		return;
	}
	m->stats.sent++;
	mqtt_changed(m);
	m->waiting++;
	mqtt_update_write(m);
}

/* PREFIX/SENSOR/state: the sensor as in /api/v1/sensors. */
static void mqtt_publish_state(struct mqtt *m, const struct sensor *s)
{
	char topic[sizeof m->prefix + 48];
	struct buf b;

	snprintf(topic, sizeof topic, "%s/%s/state", m->prefix, s->name);
	buf_init(&b);
	render_sensor_json(&b, s);
	mqtt_publish(m, topic, b.data, m->c.retain, (int)m->c.qos);
	buf_free(&b);
}

/* The "device" object every entity of this muricle shares. */
static void put_device(struct mqtt *m, struct buf *b)
{
	buf_printf(b,
	           ",\"availability_topic\":\"%s/"
	           "status\",\"device\":{\"identifiers\":[\"muricle_%s\"],"
	           "\"name\":",
	           m->prefix, m->node);
	buf_json_str(b, m->dev.title[0] != '\0' && strcmp(m->dev.title, "muricle") != 0
	                        ? m->dev.title
	                        : m->hostname);
	buf_printf(b,
	           ",\"model\":\"muricle\",\"manufacturer\":\"muricle\",\"sw_version\":\"%s\","
	           "\"configuration_url\":\"http://%s:%u/\"}}",
	           MURICLE_VERSION, m->hostname, m->dev.http_port);
}

/* Announce every value (and the Measure button) to Home Assistant. */
static void mqtt_announce(struct mqtt *m, struct announced *now, size_t *nnow)
{
	char topic[sizeof now->topic];
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < m->nsensors; i++) {
		const struct sensor *s = m->sensors[i];
		for (size_t j = 0; j < s->nvalues; j++) {
			const struct sensor_value *sv = &s->values[j];
			const struct quantity_info *q = sv->q;
			snprintf(topic, sizeof topic, "%s/%s/%s/%s_%s/config",
			         m->c.discovery_prefix, q->boolean ? "binary_sensor" : "sensor",
			         m->node, s->name, sv->name);
			buf_reset(&b);
			buf_printf(&b,
			           "{\"name\":\"%s %s\",\"unique_id\":\"muricle_%s_%s_%s\","
			           "\"object_id\":\"%s_%s_%s\",\"state_topic\":\"%s/%s/state\",",
			           s->name, sv->name, m->node, s->name, sv->name, m->hostname,
			           s->name, sv->name, m->prefix, s->name);
			if (q->boolean)
				buf_printf(&b,
				           "\"value_template\":\"{{ 'ON' if "
				           "value_json.values.%s.value "
				           "else 'OFF' }}\"",
				           sv->name);
			else if (q == quantity(Q_TIMESTAMP)) /* ISO 8601, no state class */
				buf_printf(
				        &b,
				        "\"value_template\":\"{{ "
				        "value_json.values.%s.value | "
				        "timestamp_custom('%%Y-%%m-%%dT%%H:%%M:%%S+00:00', false) "
				        "if value_json.values.%s.value is number else None }}\"",
				        sv->name, sv->name);
			else
				buf_printf(
				        &b,
				        "\"value_template\":\"{{ value_json.values.%s.value }}\","
				        "\"state_class\":\"%s\"",
				        sv->name, q->counter ? "total_increasing" : "measurement");
			if (q->ha_class != NULL)
				buf_printf(&b, ",\"device_class\":\"%s\"", q->ha_class);
			if (q->ha_unit != NULL)
				buf_printf(&b, ",\"unit_of_measurement\":\"%s\"", q->ha_unit);
			if (q->trend && m->dev.expire_after > 0)
				buf_printf(&b, ",\"expire_after\":%.0f", ceil(m->dev.expire_after));
			put_device(m, &b);
			mqtt_publish(m, topic, b.data, true, 1);
			if (*nnow < MQTT_MAX_ANNOUNCED)
				snprintf(now[(*nnow)++].topic, sizeof topic, "%s", topic);
		}
	}
	snprintf(topic, sizeof topic, "%s/button/%s/measure/config", m->c.discovery_prefix,
	         m->node);
	buf_reset(&b);
	buf_printf(&b,
	           "{\"name\":\"Measure\",\"unique_id\":\"muricle_%s_measure\",\"object_id\":\"%s_"
	           "measure\",\"command_topic\":\"%s/measure\",\"payload_press\":\"PRESS\"",
	           m->node, m->hostname, m->prefix);
	put_device(m, &b);
	mqtt_publish(m, topic, b.data, true, 1);
	if (*nnow < MQTT_MAX_ANNOUNCED)
		snprintf(now[(*nnow)++].topic, sizeof topic, "%s", topic);
	buf_free(&b);
}

/* Tell Home Assistant about the sensors as they are now: announce them, and
 * clear (empty retained payload) what was announced before and is gone. */
static void mqtt_publish_all(struct mqtt *m)
{
	static struct announced now[MQTT_MAX_ANNOUNCED];
	size_t nnow = 0;

	if (!m->connected)
		return;
	if (m->c.discovery) {
		mqtt_announce(m, now, &nnow);
		for (size_t i = 0; i < m->nannounced; i++) {
			bool still = false;
			for (size_t k = 0; k < nnow && !still; k++)
				still = strcmp(now[k].topic, m->announced[i].topic) == 0;
			if (!still)
				mqtt_publish(m, m->announced[i].topic, "", true, 1);
		}
		memcpy(m->announced, now, nnow * sizeof now[0]);
		m->nannounced = nnow;
	}
	for (size_t i = 0; i < m->nsensors; i++)
		mqtt_publish_state(m, m->sensors[i]);
}

static void mqtt_on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt *m = arg;
	char topic[sizeof m->prefix + 16];

	(void)mosq;
	if (rc != 0) {
		mqtt_error(m, "the broker refused the connection: %s",
		           mosquitto_connack_string(rc));
		m->refused = true;
		return; /* the disconnect that follows schedules a retry */
	}
	m->refused = false;
	m->connected = true;
	m->connect_started = 0;
	m->retry_delay = 1;
	m->stats.connected = true;
	m->stats.since = sensor_now_wall();
	m->stats.error[0] = '\0';
	mqtt_changed(m);
	log_info("mqtt: connected to %s:%u as %s", m->c.host, m->c.port, m->c.client_id);
	snprintf(topic, sizeof topic, "%s/status", m->prefix);
	mqtt_publish(m, topic, "online", true, 1);
	snprintf(topic, sizeof topic, "%s/measure", m->prefix);
	mosquitto_subscribe(m->mosq, NULL, topic, 1);
	mqtt_publish_all(m);
	mqtt_update_write(m);
}

static void mqtt_on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt *m = arg;

	(void)mosq;
	if (m->connected)
		log_warn("mqtt: disconnected from %s:%u%s%s", m->c.host, m->c.port,
		         rc != 0 ? ": " : "", rc != 0 ? mosquitto_strerror(rc) : "");
	m->connected = false;
	m->stats.connected = false;
	m->stats.since = sensor_now_wall();
	mqtt_changed(m);
}

/* A message on PREFIX/measure: Home Assistant's Measure button. */
static void mqtt_on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *msg)
{
	struct mqtt *m = arg;

	(void)mosq;
	if (msg->payloadlen == 5 && memcmp(msg->payload, "PRESS", 5) == 0) {
		log_info("mqtt: measure pressed");
		m->measure(m->ctx);
	}
}

/* The connection is gone (or never came): forget the socket, try again later. */
static void mqtt_lost(struct mqtt *m, const char *why)
{
	if (m->connected) {
		mosquitto_disconnect(m->mosq);
		mqtt_on_disconnect(m->mosq, m, MOSQ_ERR_CONN_LOST);
	}
	mqtt_drop_socket(m);
	m->connect_started = 0;
	if (!m->stopping)
		mqtt_schedule_retry(m, why);
}

/* What libmosquitto's code means; for TLS, why the broker's certificate
 * was refused ("hostname mismatch") when it was. */
static void mqtt_describe(struct mqtt *m, int rc, char *out, size_t outlen)
{
	if (rc == MOSQ_ERR_TLS && m->tls_refused[0] != '\0') {
		snprintf(out, outlen, "TLS: the broker's certificate is refused: %s",
		         m->tls_refused);
	} else {
		snprintf(out, outlen, "%s",
		         rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	}
}

/* libmosquitto's return codes: NO_CONN and CONN_LOST end the connection. */
static void mqtt_check(struct mqtt *m, int rc, const char *what)
{
	if (rc == MOSQ_ERR_SUCCESS) {
		mqtt_update_write(m);
		return;
	}
	char why[512];
	if (!m->connected && rc == MOSQ_ERR_KEEPALIVE)
		snprintf(why, sizeof why, "%s:%u accepted the connection but never answered",
		         m->c.host, m->c.port);
	else if (rc == MOSQ_ERR_KEEPALIVE)
		snprintf(why, sizeof why, "%s:%u stopped answering (no reply to keepalive pings)",
		         m->c.host, m->c.port);
	else {
		char text[240];
		mqtt_describe(m, rc, text, sizeof text);
		snprintf(why, sizeof why, "%s: %s", what, text);
	}
	if (!m->refused) /* the broker's own reason says more */
		mqtt_error(m, "%s", why);
	mqtt_lost(m, why);
}

static void mqtt_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt *m = arg;

	(void)fd;
	(void)what;
	mqtt_check(m, mosquitto_loop_read(m->mosq, 1), "reading from the broker");
}

static void mqtt_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt *m = arg;

	(void)fd;
	(void)what;
	mqtt_check(m, mosquitto_loop_write(m->mosq, 1), "writing to the broker");
}

/* Once a second: keepalive, and a broker that never answers our CONNECT. */
static void mqtt_misc_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt *m = arg;

	(void)fd;
	(void)what;
	if (m->rd == NULL)
		return;
	if (!m->connected && m->connect_started > 0 &&
	    sensor_now_mono() - m->connect_started > MQTT_CONNECT_TIMEOUT) {
		mqtt_error(m, "%s:%u accepted the connection but never answered", m->c.host,
		           m->c.port);
		mqtt_lost(m, m->stats.error);
		return;
	}
	mqtt_check(m, mosquitto_loop_misc(m->mosq), "keeping the connection alive");
}

/* The broker's address is known: connect without waiting. */
static void mqtt_connect(struct mqtt *m)
{
	m->tls_refused[0] = '\0';
	int rc = mosquitto_connect_async(m->mosq, m->address, (int)m->c.port, (int)m->c.keepalive);

	m->refused = false;

	if (rc != MOSQ_ERR_SUCCESS) {
		char why[512];
		int e = errno;
		/* The packaged unit keeps the daemon off the network unless told. */
		bool fenced = rc == MOSQ_ERR_ERRNO &&
		              (e == EAFNOSUPPORT || e == EACCES || e == EPERM || e == ENETUNREACH);
		char text[240];
		errno = e;
		mqtt_describe(m, rc, text, sizeof text);
		snprintf(why, sizeof why, "cannot connect to %s:%u: %s%s", m->c.host, m->c.port,
		         text,
		         fenced ? " (under systemd, allow the network: see MQTT in muricled(8))"
		                : "");
		mqtt_error(m, "%s", why);
		mqtt_lost(m, why);
		return;
	}
	int fd = mosquitto_socket(m->mosq);
	m->rd = event_new(m->base, fd, EV_READ | EV_PERSIST, mqtt_read_cb, m);
	m->wr = event_new(m->base, fd, EV_WRITE, mqtt_write_cb, m);
	event_add(m->rd, NULL);
	m->connect_started = sensor_now_mono();
	mqtt_update_write(m);
}

static void mqtt_resolved_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	struct mqtt *m = arg;

	m->resolving = NULL;
	if (err == EVUTIL_EAI_CANCEL)
		return; /* mqtt_free */
	if (err != 0 || ai == NULL) {
		char why[512];
		snprintf(why, sizeof why, "cannot resolve %s: %s", m->c.host,
		         evutil_gai_strerror(err));
		mqtt_error(m, "%s", why);
		mqtt_schedule_retry(m, why);
		return;
	}
	/* A copy of the address where its type's alignment is sure. */
	struct sockaddr_storage ss = { 0 };
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen < sizeof ss ? (size_t)ai->ai_addrlen : sizeof ss);
	if (evutil_inet_ntop(ai->ai_family,
	                     ai->ai_family == AF_INET6
	                             ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
	                             : (void *)&((struct sockaddr_in *)&ss)->sin_addr,
	                     m->address, sizeof m->address) == NULL)
		snprintf(m->address, sizeof m->address, "%s", m->c.host);
	evutil_freeaddrinfo(ai);
	mqtt_connect(m);
}

/* Resolve the broker's name on the loop (evdns never blocks), then connect. */
static void mqtt_start(struct mqtt *m)
{
	if (m->tls_broken)
		return; /* said once; a reload with mended files tries again */
	struct evutil_addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };

	m->resolving = evdns_getaddrinfo(m->dns, m->c.host, NULL, &hints, mqtt_resolved_cb, m);
}

static void mqtt_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mqtt_start(arg);
}

/* Try again after 1, 2, 4 ... seconds, at most a minute; log the first
 * failure of a series only, not every retry. */
static void mqtt_schedule_retry(struct mqtt *m, const char *why)
{
	struct timeval tv = loop_timeval(m->retry_delay);

	if (m->retry_delay <= 1)
		log_warn("mqtt: %s; retrying", why);
	else
		log_debug("mqtt: %s; retrying in %.0f s", why, m->retry_delay);
	evtimer_add(m->retry, &tv);
	m->retry_delay = fmin(m->retry_delay * 2, MQTT_RETRY_MAX);
}

/* TLS through an OpenSSL context of our own: libmosquitto would check the
 * certificate against the address it connects to, which is the numeric one
 * evdns found; OpenSSL checks it against the name configured. */
/* Note why a certificate is refused, for the error the user sees. */
static int mqtt_tls_verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt *m = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (!ok && m != NULL)
		snprintf(m->tls_refused, sizeof m->tls_refused, "%s",
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(x)));
	return ok;
}

static void mqtt_tls(struct mqtt *m)
{
	const struct mqtt_conf *c = &m->c;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	bool ok = ctx != NULL && SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1;

	if (ok)
		ok = c->ca_file[0] != '\0'
		             ? SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) == 1
		             : SSL_CTX_set_default_verify_paths(ctx) == 1;
	if (ok && c->cert_file[0] != '\0')
		ok = SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) == 1 &&
		     SSL_CTX_use_PrivateKey_file(ctx, c->key_file, SSL_FILETYPE_PEM) == 1 &&
		     SSL_CTX_check_private_key(ctx) == 1;
	if (!ok) {
		char why[256];
		ERR_error_string_n(ERR_get_error(), why, sizeof why);
		mqtt_error(m, "TLS: cannot load %s: %s",
		           c->cert_file[0] ? "the certificates" : "the CA file", why);
		log_err("mqtt: %s", m->stats.error);
		m->tls_broken = true;
		SSL_CTX_free(ctx);
		return;
	}
	SSL_CTX_set_app_data(ctx, m);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, mqtt_tls_verify_cb);
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
	struct in6_addr a6;
	struct in_addr a4;
	if (inet_pton(AF_INET, c->host, &a4) == 1 || inet_pton(AF_INET6, c->host, &a6) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(param, c->host);
	else
		X509_VERIFY_PARAM_set1_host(param, c->host, 0);
	/* Ours as it is: libmosquitto's defaults would want its own CA settings. */
	mosquitto_int_option(m->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
	mosquitto_void_option(m->mosq, MOSQ_OPT_SSL_CTX, ctx);
	m->ssl_ctx = ctx;
}

/* The password: from password_file, else the systemd credential. */
static bool mqtt_password(const struct mqtt_conf *c, char *out, size_t outlen)
{
	char err[4200];
	int rc = file_read_secret(c->password_file, "mqtt-password", out, outlen, err, sizeof err);

	if (rc < 0)
		log_err("mqtt: the password: %s", err);
	return rc > 0;
}

static void read_machine_id(char *out, size_t outlen, const char *fallback)
{
	size_t len;
	char *id = file_read("/etc/machine-id", 256, &len);

	if (id != NULL && len >= 12) {
		snprintf(out, outlen, "%.12s", id);
	} else {
		size_t k = 0;
		for (const char *s = fallback; *s != '\0' && k + 1 < outlen; s++)
			out[k++] = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ? *s : '_';
		out[k] = '\0';
	}
	free(id);
}

struct mqtt *mqtt_new(struct event_base *base, const struct mqtt_conf *c,
                      const struct mqtt_device *dev, void (*measure)(void *ctx),
                      void (*changed)(void *ctx), void *ctx)
{
	static bool lib_ready;
	struct mqtt *m = xcalloc(1, sizeof *m);
	char topic[sizeof m->prefix + 16], password[256];

	if (!lib_ready) {
		mosquitto_lib_init();
		lib_ready = true;
	}
	m->base = base;
	m->c = *c;
	m->dev = *dev;
	m->measure = measure;
	m->changed = changed;
	m->ctx = ctx;
	m->retry_delay = 1;
	if (gethostname(m->hostname, sizeof m->hostname - 1) != 0 || m->hostname[0] == '\0')
		snprintf(m->hostname, sizeof m->hostname, "muricle");
	m->hostname[strcspn(m->hostname, ".")] = '\0';
	read_machine_id(m->node, sizeof m->node, m->hostname);
	if (m->c.client_id[0] == '\0')
		snprintf(m->c.client_id, sizeof m->c.client_id, "muricle-%.50s", m->hostname);
	if (c->topic_prefix[0] != '\0')
		snprintf(m->prefix, sizeof m->prefix, "%s", c->topic_prefix);
	else
		snprintf(m->prefix, sizeof m->prefix, "muricle/%.100s", m->hostname);

	m->mosq = mosquitto_new(m->c.client_id, true, m);
	if (m->mosq == NULL)
		fatal("mqtt: cannot create a client: %s", strerror(errno));
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	                     c->protocol == 1 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
	if (c->tls)
		mqtt_tls(m);
	mosquitto_connect_callback_set(m->mosq, mqtt_on_connect);
	mosquitto_disconnect_callback_set(m->mosq, mqtt_on_disconnect);
	mosquitto_message_callback_set(m->mosq, mqtt_on_message);
	snprintf(topic, sizeof topic, "%s/status", m->prefix);
	mosquitto_will_set(m->mosq, topic, 7, "offline", 1, true);
	if (c->username[0] != '\0') {
		bool have = mqtt_password(c, password, sizeof password);
		mosquitto_username_pw_set(m->mosq, c->username, have ? password : NULL);
		memset(password, 0, sizeof password);
	}

	m->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	                                      EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (m->dns == NULL)
		m->dns = evdns_base_new(base, 0); /* no resolv.conf: /etc/hosts and numbers */
	m->misc = event_new(base, -1, EV_PERSIST, mqtt_misc_cb, m);
	m->retry = evtimer_new(base, mqtt_retry_cb, m);
	struct timeval second = { 1, 0 };
	event_add(m->misc, &second);
	mqtt_start(m);
	return m;
}

void mqtt_set_sensors(struct mqtt *m, struct sensor *const *sensors, size_t n,
                      const struct mqtt_device *dev)
{
	m->sensors = sensors;
	m->nsensors = n;
	m->dev = *dev;
	mqtt_publish_all(m);
}

void mqtt_reconfigure(struct mqtt *m, const struct mqtt_conf *c)
{
	m->c.discovery = c->discovery;
	snprintf(m->c.discovery_prefix, sizeof m->c.discovery_prefix, "%s", c->discovery_prefix);
	m->c.qos = c->qos;
	m->c.retain = c->retain;
	m->c.queue = c->queue;
	if (!c->discovery) {
		/* Take back what was announced. */
		for (size_t i = 0; i < m->nannounced; i++)
			mqtt_publish(m, m->announced[i].topic, "", true, 1);
		m->nannounced = 0;
	}
}

bool mqtt_conf_same_connection(const struct mqtt_conf *a, const struct mqtt_conf *b)
{
	return strcmp(a->host, b->host) == 0 && a->port == b->port && a->tls == b->tls &&
	       a->protocol == b->protocol && strcmp(a->ca_file, b->ca_file) == 0 &&
	       strcmp(a->cert_file, b->cert_file) == 0 && strcmp(a->key_file, b->key_file) == 0 &&
	       strcmp(a->client_id, b->client_id) == 0 && strcmp(a->username, b->username) == 0 &&
	       strcmp(a->password_file, b->password_file) == 0 &&
	       strcmp(a->topic_prefix, b->topic_prefix) == 0 && a->keepalive == b->keepalive;
}

void mqtt_stop(struct mqtt *m)
{
	char topic[sizeof m->prefix + 16];

	m->stopping = true;
	if (!m->connected)
		return;
	snprintf(topic, sizeof topic, "%s/status", m->prefix);
	mqtt_publish(m, topic, "offline", true, 1);
	mosquitto_loop_write(m->mosq, 1); /* as far as the socket takes it now */
	mosquitto_disconnect(m->mosq);
	mosquitto_loop_write(m->mosq, 1);
}

void mqtt_free(struct mqtt *m)
{
	if (m == NULL)
		return;
	if (m->resolving != NULL)
		evdns_getaddrinfo_cancel(m->resolving); /* its callback runs, with an error */
	m->stopping = true;
	mqtt_drop_socket(m);
	event_free(m->misc);
	event_free(m->retry);
	mosquitto_destroy(m->mosq);
	SSL_CTX_free(m->ssl_ctx);
	evdns_base_free(m->dns, 0);
	free(m);
}

static void mqtt_sink_reading(void *arg, const struct sensor *s, double t)
{
	(void)t;
	mqtt_publish_state(arg, s);
}

static void mqtt_sink_changed(void *arg, const struct sensor *s)
{
	mqtt_publish_state(arg, s);
}

const struct sink_ops mqtt_sink = {
	.name = "mqtt",
	.reading = mqtt_sink_reading,
	.changed = mqtt_sink_changed,
};

const struct mqtt_stats *mqtt_stats(const struct mqtt *m)
{
	return &m->stats;
}
