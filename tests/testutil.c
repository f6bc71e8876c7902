#include "testutil.h"

#include "buf.h"
#include "config.h"
#include "driver.h"
#include "i2c.h"
#include "loop.h"
#include "sensor.h"
#include "sim.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

char *tu_tempdir(void)
{
	char *t = strdup("/tmp/muricle-test-XXXXXX");

	if (t == NULL || mkdtemp(t) == NULL)
		die("mkdtemp: %s", strerror(errno));
	return t;
}

char *tu_write_file(const char *dir, const char *name, const char *text)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		die("asprintf");
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die("write %s: %s", path, strerror(errno));
	return path;
}

char *tu_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	FILE *m = open_memstream(&text, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return text;
}

unsigned tu_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("free port: %s", strerror(errno));
	close(fd);
	return ntohs(sa.sin_port);
}

int tu_listen(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0)
		die("listen on %u: %s", port, strerror(errno));
	return fd;
}

int tu_connect(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tu_send(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		ssize_t n = send(fd, text, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1; /* the server may answer and close early */
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Replace @PORT@ and @DIR@ in fmt. */
static char *subst(const char *fmt, unsigned port, const char *dir)
{
	char *out = NULL, num[16];
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	snprintf(num, sizeof num, "%u", port);
	while (*fmt != '\0') {
		if (strncmp(fmt, "@PORT@", 6) == 0) {
			fputs(num, m);
			fmt += 6;
		} else if (strncmp(fmt, "@DIR@", 5) == 0) {
			fputs(dir, m);
			fmt += 5;
		} else {
			fputc(*fmt++, m);
		}
	}
	fclose(m);
	return out;
}

void tu_daemon_start(struct tu_daemon *d, const char *conf_fmt)
{
	const char *bin = getenv("MURICLED");
	char *conf;

	if (bin == NULL)
		die("set MURICLED to the daemon binary (make check does)");
	if (d->port == 0)
		d->port = tu_free_port();
	d->dir = tu_tempdir();
	if (strstr(conf_fmt, "@PORT@") == NULL)
		die("the test config needs listen = 127.0.0.1:@PORT@");
	conf = subst(conf_fmt, d->port, d->dir);
	d->conf = tu_write_file(d->dir, "muricle.conf", conf);
	free(conf);
	if (asprintf(&d->log, "%s/log", d->dir) < 0)
		die("asprintf");
	int lfd = d->pass_listener ? tu_listen(d->port) : -1;
	d->pid = fork();
	if (d->pid < 0)
		die("fork: %s", strerror(errno));
	if (d->pid == 0) {
		const char *argv[16];
		size_t n = 0;
		int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		/* The history file goes beside the config, as systemd's StateDirectory= would. */
		setenv("STATE_DIRECTORY", d->dir, 1);
		for (size_t i = 0; d->env != NULL && d->env[i] != NULL; i++)
			putenv((char *)d->env[i]);
		if (lfd >= 0) {
			/* The socket activation protocol: fds from 3, LISTEN_PID is us. */
			char pid[32];
			dup2(lfd, 3);
			snprintf(pid, sizeof pid, "%d", (int)getpid());
			setenv("LISTEN_FDS", "1", 1);
			setenv("LISTEN_PID", pid, 1);
		}
		for (size_t i = 0; d->wrap != NULL && d->wrap[i] != NULL; i++)
			argv[n++] = d->wrap[i];
		argv[n++] = bin;
		if (!d->real)
			argv[n++] = "--simulate";
		argv[n++] = "-v";
		argv[n++] = "-c";
		argv[n++] = d->conf;
		argv[n] = NULL;
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	if (lfd >= 0)
		close(lfd);
	double deadline = now_s() + 20;
	while (now_s() < deadline) {
		int fd = tu_connect(d->port);
		if (fd >= 0) {
			close(fd);
			return;
		}
		int st;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			char *log = tu_read_file(d->log);
			die("muricled exited at start:\n%s", log ? log : "");
		}
		usleep(20000);
	}
	die("muricled did not listen on port %u within 20 s", d->port);
}

int tu_daemon_stop(struct tu_daemon *d)
{
	int st;

	kill(d->pid, SIGTERM);
	for (int i = 0; i < 2000; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	return -1;
}

void tu_daemon_free(struct tu_daemon *d)
{
	free(d->dir);
	free(d->conf);
	free(d->log);
}

struct event_base *tu_loop(void)
{
	char err[128];
	struct event_base *base = loop_new(err, sizeof err);

	if (base == NULL)
		die("%s", err);
	return base;
}

char *tu_daemon_log(const struct tu_daemon *d)
{
	char *log = tu_read_file(d->log);
	return log ? log : strdup("");
}

bool tu_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) > 0;
}

/* Read into buf until it holds at least want bytes. */
static int read_some(int fd, char **buf, size_t *len, size_t *cap, int timeout_ms)
{
	if (!tu_readable(fd, timeout_ms))
		return -1;
	if (*len + 4096 > *cap) {
		*cap = (*len + 4096) * 2;
		char *grown = realloc(*buf, *cap);
		if (grown == NULL)
			die("out of memory");
		*buf = grown;
	}
	ssize_t n = recv(fd, *buf + *len, *cap - *len - 1, 0);
	if (n <= 0)
		return -1;
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return 0;
}

int tu_read_response(int fd, struct tu_resp *r, bool head_only, int timeout_ms)
{
	char *buf = NULL, *end;
	size_t len = 0, cap = 0;

	memset(r, 0, sizeof *r);
	/* Byte by byte through the head, so nothing of a next response is eaten. */
	for (;;) {
		if (!tu_readable(fd, timeout_ms))
			goto fail;
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 1024;
			char *grown = realloc(buf, cap);
			if (grown == NULL)
				die("out of memory");
			buf = grown;
		}
		if (recv(fd, buf + len, 1, 0) != 1)
			goto fail;
		buf[++len] = '\0';
		if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	end = buf + len;
	snprintf(r->head, sizeof r->head, "%.*s", (int)(end - buf), buf);
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		goto fail;
	char cl[32];
	size_t want = 0;
	if (!head_only && tu_header(r, "Content-Length", cl, sizeof cl))
		want = strtoul(cl, NULL, 10);
	free(buf);
	buf = NULL;
	len = cap = 0;
	while (len < want)
		if (read_some(fd, &buf, &len, &cap, timeout_ms) < 0)
			goto fail;
	r->body = buf ? buf : strdup("");
	r->body_len = len;
	return 0;
fail:
	free(buf);
	return -1;
}

void tu_resp_free(struct tu_resp *r)
{
	free(r->body);
	r->body = NULL;
}

const char *tu_header(const struct tu_resp *r, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	for (const char *l = strstr(r->head, "\r\n"); l != NULL; l = strstr(l + 2, "\r\n")) {
		const char *h = l + 2;
		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			h += n + 1;
			h += strspn(h, " ");
			size_t len = strcspn(h, "\r");
			snprintf(out, outlen, "%.*s", (int)len, h);
			return out;
		}
	}
	return NULL;
}

int tu_request(unsigned port, const char *method, const char *path, struct tu_resp *r)
{
	char req[512];
	int fd = tu_connect(port);

	if (fd < 0)
		return -1;
	snprintf(req, sizeof req,
	         "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", method, path,
	         strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
	tu_send(fd, req);
	int rc = tu_read_response(fd, r, strcmp(method, "HEAD") == 0, 20000);
	close(fd);
	return rc;
}

static const char *tu_lookup(const char *const *list, const char *name, bool nocase)
{
	for (size_t i = 0; list[i] != NULL; i += 2)
		if (nocase ? strcasecmp(list[i], name) == 0 : strcmp(list[i], name) == 0)
			return list[i + 1];
	return NULL;
}

static const char *tu_req_get_arg(const struct http_req *r, const char *name)
{
	return tu_lookup(((const struct tu_req *)r)->args, name, false);
}

static const char *tu_req_get_header(const struct http_req *r, const char *name)
{
	return tu_lookup(((const struct tu_req *)r)->headers, name, true);
}

static void tu_req_reply(struct http_req *r, unsigned status, const char *type, char *body,
                         size_t len)
{
	struct tu_req *t = (struct tu_req *)r;
	size_t n = 0;

	if (t->status != 0)
		die("%s %s answered twice", r->method, r->path);
	t->status = status;
	snprintf(t->type, sizeof t->type, "%s", type ? type : "");
	t->body = body ? body : calloc(1, 1);
	t->len = len;
	for (size_t i = 0; i < r->nheaders; i += 2)
		n += (size_t)snprintf(t->sent + n, sizeof t->sent - n, "%s: %s\n", r->headers[i],
		                      r->headers[i + 1]);
	http_req_clear_headers(r);
}

static const struct http_req_ops tu_req_ops = {
	.arg = tu_req_get_arg,
	.header = tu_req_get_header,
	.reply = tu_req_reply,
	.stream = NULL,
};

void tu_req_init(struct tu_req *t, const char *method, const char *path)
{
	memset(t, 0, sizeof *t);
	t->req.ops = &tu_req_ops;
	t->req.method = method;
	t->req.path = path;
}

static void tu_push(const char **list, const char *name, const char *value)
{
	size_t i = 0;

	while (list[i] != NULL)
		i += 2;
	if (i + 2 >= 2 * TU_REQ_MAX)
		die("too many arguments or headers");
	list[i] = name;
	list[i + 1] = value;
}

void tu_req_arg(struct tu_req *t, const char *name, const char *value)
{
	tu_push(t->args, name, value);
}

void tu_req_header(struct tu_req *t, const char *name, const char *value)
{
	tu_push(t->headers, name, value);
}

const char *tu_req_sent(const struct tu_req *t, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);

	for (const char *l = t->sent; *l != '\0'; l = strchr(l, '\n') + 1) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			const char *v = l + n + 2;
			snprintf(out, outlen, "%.*s", (int)strcspn(v, "\n"), v);
			return out;
		}
	}
	return NULL;
}

void tu_req_free(struct tu_req *t)
{
	http_req_clear_headers(&t->req);
	free(t->body);
	t->body = NULL;
}

static void tu_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
}

bool tu_run_until(struct event_base *base, const bool *flag, double timeout_s)
{
	double deadline = now_s() + timeout_s;
	/* A periodic no-op wakes the loop so the flag and deadline get checked. */
	struct event *tick = event_new(base, -1, EV_PERSIST, tu_tick_cb, NULL);
	struct timeval tv = { 0, 5000 };

	event_add(tick, &tv);
	while (!*flag && now_s() < deadline)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(tick);
	return *flag;
}

void tu_run_for(struct event_base *base, double seconds)
{
	bool never = false;

	tu_run_until(base, &never, seconds);
}

int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void tu_rig_init(struct tu_rig *r, double i2c_delay)
{
	memset(r, 0, sizeof *r);
	r->base = tu_loop();
	r->sim = sim_new(r->base, i2c_delay, NULL);
	r->bus = sim_i2c_bus(r->sim, "/dev/i2c-1");
}

void tu_rig_attach(struct tu_rig *r, struct sensor *s)
{
	r->s = s;
	sensor_attach(s, r->base, NULL);
}

size_t tu_add_value(struct sensor *s, const char *name, enum quantity q, int decimals)
{
	struct value_spec one[2] = { { name, q, decimals, NULL, NULL },
		                     { NULL, 0, 0, NULL, NULL } };

	sensor_add_values(s, one);
	return s->nvalues - 1;
}

static struct i2c_bus *tu_rig_bus(void *ctx, const char *path)
{
	struct tu_rig *r = ctx;

	if (strcmp(path, r->bus->path) != 0)
		die("the rig has only %s, not %s", r->bus->path, path);
	return r->bus;
}

struct sensor *tu_rig_sensor(struct tu_rig *r, const char *conf)
{
	static struct config cfg;
	struct buf e;

	buf_init(&e);
	if (config_parse(&cfg, "rig", conf, &e) < 0)
		die("%s", e.data);
	buf_free(&e);
	struct driver_env env = { .base = r->base, .bus = tu_rig_bus, .ctx = r };
	struct sensor *s = cfg.sensors[0].driver->create(&cfg.sensors[0], &env);
	tu_rig_attach(r, s);
	return s; /* cppcheck-suppress returnDanglingLifetime ; drivers keep no pointer to env */
}

static void tu_rig_done(struct sensor *s, void *arg)
{
	(void)s;
	((struct tu_rig *)arg)->done = true;
}

void tu_rig_measure(struct tu_rig *r, double timeout)
{
	r->done = false;
	sensor_start(r->s, timeout, tu_rig_done, r);
	ck_assert(tu_run_until(r->base, &r->done, 10));
}

void tu_rig_free(struct tu_rig *r)
{
	sensor_free(r->s);
	i2c_bus_free(r->bus);
	sim_free(r->sim);
	event_base_free(r->base);
}

uint64_t tu_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}
