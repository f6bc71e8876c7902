/* libFuzzer: the router, through the request interface (request.h), as
 * libmicrohttpd would call it. The input is lines: the method, the path,
 * the query (name=value&...), then headers ("Name: value"). Every request
 * must be answered exactly once, at once or when the round it waits for
 * ends or is abandoned; a JSON answer must be valid JSON in valid UTF-8. */
#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "history.h"
#include "measure.h"
#include "metrics.h"
#include "request.h"
#include "sensor.h"
#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 16

struct freq {
	struct http_req req;
	const char *args[2 * MAX_PAIRS], *headers[2 * MAX_PAIRS];
	size_t nargs, nheaders;
	unsigned status;
};

static const char *lookup(const char *const *kv, size_t n, const char *name, bool fold)
{
	for (size_t i = 0; i < n; i += 2)
		if (fold ? strcasecmp(kv[i], name) == 0 : strcmp(kv[i], name) == 0)
			return kv[i + 1];
	return NULL;
}

static const char *get_arg(const struct http_req *r, const char *name)
{
	const struct freq *f = (const struct freq *)r;

	return lookup(f->args, f->nargs, name, false);
}

static const char *get_header(const struct http_req *r, const char *name)
{
	const struct freq *f = (const struct freq *)r;

	return lookup(f->headers, f->nheaders, name, true);
}

static void reply(struct http_req *r, unsigned status, const char *type, char *body, size_t len)
{
	struct freq *f = (struct freq *)r;

	if (f->status != 0 || status < 100 || status > 599)
		abort();
	f->status = status;
	if (type != NULL && strncmp(type, "application/json", 16) == 0) {
		json_tokener *tok = json_tokener_new();
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		json_object *o = json_tokener_parse_ex(tok, body != NULL ? body : "", (int)len);
		if (o == NULL || json_tokener_get_parse_end(tok) != len)
			abort(); /* not one valid JSON text */
		json_object_put(o);
		json_tokener_free(tok);
	}
	free(body);
	http_req_clear_headers(r);
}

static const struct http_req_ops ops = { get_arg, get_header, reply, NULL };

static void nop(struct sensor *s)
{
	(void)s;
}

static void start_now(struct sensor *s)
{
	sensor_set(s, 0, 21.5);
	sensor_done(s);
}

static const struct sensor_ops sensor_ops = { "fuzz", NULL, NULL, start_now, nop, nop };

static struct event_base *base;

static struct web *rig(void)
{
	static struct web w;
	static struct sensor *s[1];
	static struct histogram durations;
	static const struct measure_conf mc = { .interval = 3600, .timeout = 1, .stale_after = 3 };

	if (w.sensors != NULL)
		return &w;
	static const struct value_spec values[] = { { "temperature", Q_TEMPERATURE, 1, NULL, NULL },
		                                    { NULL, 0, 0, NULL, NULL } };

	base = event_base_new();
	s[0] = sensor_new(&sensor_ops, "room", NULL);
	sensor_add_values(s[0], values);
	w = (struct web){
		.title = "Fuzz",
		.sensors = s,
		.n = 1,
		.measure = measure_new(base, s, 1, &mc),
		.history = history_new(3600, 60),
		.events = events_new(base),
		.durations = &durations,
	};
	history_sync(w.history, s, 1, 3600, 60);
	return &w;
}

/* Cut *p at the next c (or the end); the piece, NUL-terminated in place. */
static char *piece(char **p, char c)
{
	char *s = *p, *e;

	if (s == NULL)
		return NULL;
	e = strchr(s, c);
	if (e != NULL) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = NULL;
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web *w = rig();
	char *text = malloc(size + 1), *rest = text, *query, *kv;
	struct freq f;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&f, 0, sizeof f);
	f.req.ops = &ops;
	f.req.method = piece(&rest, '\n');
	f.req.path = piece(&rest, '\n');
	if (f.req.path == NULL)
		f.req.path = "/";
	query = piece(&rest, '\n');
	while ((kv = piece(&query, '&')) != NULL && f.nargs < 2 * MAX_PAIRS) {
		char *name = piece(&kv, '=');
		f.args[f.nargs++] = name;
		f.args[f.nargs++] = kv != NULL ? kv : "";
	}
	char *line;
	while ((line = piece(&rest, '\n')) != NULL && f.nheaders < 2 * MAX_PAIRS) {
		char *name = piece(&line, ':');
		while (line != NULL && *line == ' ')
			line++;
		f.headers[f.nheaders++] = name;
		f.headers[f.nheaders++] = line != NULL ? line : "";
	}
	web_handle(w, &f.req);
	for (int i = 0; i < 4 && f.status == 0; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	if (f.status == 0)
		measure_drop_waiters(w->measure);
	if (f.status == 0)
		abort(); /* never answered */
	free(text);
	return 0;
}
