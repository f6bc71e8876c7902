/* Helpers shared by the tests: temporary files, the daemon as a child
 * process, and a raw-socket HTTP client (so tests see keep-alive exactly). */
#ifndef MURICLE_TESTUTIL_H
#define MURICLE_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

struct event_base;
struct i2c_bus;
struct sensor;
struct sim;
typedef struct Suite Suite;

/* Run a Check suite; the process's exit status (EXIT_SUCCESS if all passed). */
int tu_run_suite(Suite *s);

/* A fresh temporary directory (removed by nobody: it lives in /tmp). */
char *tu_tempdir(void);
/* Write text to dir/name and return the path (malloc'ed). */
char *tu_write_file(const char *dir, const char *name, const char *text);
/* Read a whole file, or NULL. */
char *tu_read_file(const char *path);
unsigned tu_free_port(void);

struct tu_daemon {
	/* Set before start: */
	bool real;               /* run without --simulate */
	bool pass_listener;      /* pass a listening socket as systemd does */
	const char *const *env;  /* extra "NAME=VALUE" for the daemon, NULL-terminated */
	const char *const *wrap; /* a command to run the daemon under, NULL-terminated */
	pid_t pid;
	unsigned port;
	char *dir, *conf, *log;
};

/* Start $MURICLED (--simulate unless d->real) on a config made from conf_fmt, in which
 * @PORT@ stands for a free port and @DIR@ for the daemon's temporary
 * directory. Waits until it accepts connections. */
void tu_daemon_start(struct tu_daemon *d, const char *conf_fmt);
/* SIGTERM it and return its exit status (-1 if it did not exit normally). */
int tu_daemon_stop(struct tu_daemon *d);
/* Forget a stopped daemon's paths. */
void tu_daemon_free(struct tu_daemon *d);
/* The daemon's log so far. */
char *tu_daemon_log(const struct tu_daemon *d);

int tu_connect(unsigned port);
/* A listening TCP socket on 127.0.0.1:port. */
int tu_listen(unsigned port);
/* Send all of text; -1 if the peer closed first. */
int tu_send(int fd, const char *text);

struct tu_resp {
	int status;
	char head[4096]; /* status line and headers */
	char *body;
	size_t body_len;
};

/* Read one response; head_only for answers to HEAD. Returns 0, or -1 on
 * timeout (timeout_ms) or a closed connection. */
int tu_read_response(int fd, struct tu_resp *r, bool head_only, int timeout_ms);
void tu_resp_free(struct tu_resp *r);
/* A header's value (copied into out), or NULL. */
const char *tu_header(const struct tu_resp *r, const char *name, char *out, size_t outlen);
/* One request on a new connection, answer read; the connection is closed. */
int tu_request(unsigned port, const char *method, const char *path, struct tu_resp *r);
/* Whether fd has data (or EOF) to read within timeout_ms. */
bool tu_readable(int fd, int timeout_ms);

/* A request made without sockets, for calling routes directly. */
#include "request.h"
#define TU_REQ_MAX 8
struct tu_req {
	struct http_req req;
	const char *args[2 * TU_REQ_MAX + 1], *headers[2 * TU_REQ_MAX + 1]; /* name, value... */
	unsigned status;                                                    /* 0 until answered */
	char type[128];
	char *body;
	size_t len;
	char sent[1024]; /* the response headers, "Name: value\n" each */
};
void tu_req_init(struct tu_req *t, const char *method, const char *path);
void tu_req_arg(struct tu_req *t, const char *name, const char *value);
void tu_req_header(struct tu_req *t, const char *name, const char *value);
/* A response header's value (copied into out), or NULL. */
const char *tu_req_sent(const struct tu_req *t, const char *name, char *out, size_t outlen);
void tu_req_free(struct tu_req *t);

/* A loop made as the daemon makes its own (loop_new). */
struct event_base *tu_loop(void);
/* Run the loop until *flag becomes true or timeout_s passes; true if it did. */
bool tu_run_until(struct event_base *base, const bool *flag, double timeout_s);
/* Run the loop for a while. */
void tu_run_for(struct event_base *base, double seconds);

/* Add one value (name must outlive s: a literal) to a hand-made sensor. */
#include "quantity.h"
size_t tu_add_value(struct sensor *s, const char *name, enum quantity q, int decimals);

/* One sensor driver on a simulated /dev/i2c-1, on a loop of its own. */
struct tu_rig {
	struct event_base *base;
	struct sim *sim;
	struct i2c_bus *bus; /* /dev/i2c-1 on sim */
	struct sensor *s;    /* given with tu_rig_attach */
	void *model;         /* the simulated chip the test attached, or NULL */
	bool done;
};
/* Every simulated transfer takes i2c_delay seconds. */
void tu_rig_init(struct tu_rig *r, double i2c_delay);
/* Give the rig its sensor, made on r->bus. */
void tu_rig_attach(struct tu_rig *r, struct sensor *s);
/* Build the sensor of the first section of conf through its driver, on
 * r->bus, and attach it. */
struct sensor *tu_rig_sensor(struct tu_rig *r, const char *conf);
/* Measure once (the sensor's deadline: timeout s) and wait for the end. */
void tu_rig_measure(struct tu_rig *r, double timeout);
void tu_rig_free(struct tu_rig *r);

/* A reproducible pseudo-random stream (splitmix64) from *state. */
uint64_t tu_rand(uint64_t *state);

#endif
