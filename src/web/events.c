#include "events.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "xmalloc.h"

struct client {
	struct events *ev;
	struct http_stream *stream;
	LIST_ENTRY(client) link;
};

struct events {
	struct event *ping;
	LIST_HEAD(client_list, client) clients;
	unsigned n;
};

static void events_unlink(struct events *ev, struct client *c)
{
	LIST_REMOVE(c, link);
	if (--ev->n == 0)
		evtimer_del(ev->ping);
	free(c);
}

/* The client went away. */
static void events_closed_cb(void *arg)
{
	struct client *c = arg;

	log_debug("events: a client left, %u remain", c->ev->n - 1);
	events_unlink(c->ev, c);
}

/* Queue text for one client; drop it if it has fallen too far behind. */
static void events_send(struct client *c, const char *text, size_t len)
{
	if (http_stream_send(c->stream, text, len, EVENTS_MAX_QUEUED) == 0)
		return;
	log_info("events: dropping a client that does not read its stream");
	http_stream_end(c->stream);
	events_unlink(c->ev, c);
}

/* Send to all; a client may be dropped on the way. */
static void events_broadcast(struct events *ev, const char *text, size_t len)
{
	struct client *c = LIST_FIRST(&ev->clients);

	while (c != NULL) {
		struct client *next = LIST_NEXT(c, link);
		events_send(c, text, len);
		c = next;
	}
}

static void events_ping_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	events_broadcast(arg, ": ping\n\n", 8);
}

struct events *events_new(struct event_base *base)
{
	struct events *ev = xcalloc(1, sizeof *ev);

	ev->ping = event_new(base, -1, EV_PERSIST, events_ping_cb, ev);
	LIST_INIT(&ev->clients);
	return ev;
}

/* "event: TYPE\ndata: DATA\n\n" */
static void events_format(struct buf *b, const char *type, const char *data)
{
	size_t len = strcspn(data, "\n");

	buf_printf(b, "event: %s\ndata: ", type);
	buf_add(b, data, len);
	buf_puts(b, "\n\n");
}

enum events_result events_subscribe(struct events *ev, struct http_req *r, const char *state,
                                    const char *round)
{
	struct timeval tv = { EVENTS_PING, 0 };
	struct buf b;

	if (ev->n >= EVENTS_MAX_CLIENTS)
		return EVENTS_FULL;
	struct client *c = xcalloc(1, sizeof *c);
	c->ev = ev;
	http_add_header(r, "Cache-Control", "no-store");
	/* Ask proxies (nginx) not to hold the stream back. */
	http_add_header(r, "X-Accel-Buffering", "no");
	c->stream = http_stream_start(r, "text/event-stream; charset=utf-8", events_closed_cb, c);
	if (c->stream == NULL) {
		free(c);
		http_req_clear_headers(r);
		return EVENTS_NO_STREAM;
	}
	LIST_INSERT_HEAD(&ev->clients, c, link);
	if (ev->n++ == 0)
		evtimer_add(ev->ping, &tv);
	/* Clients that lose the stream try again after 3 s. */
	buf_init(&b);
	buf_puts(&b, "retry: 3000\n\n");
	events_format(&b, "state", state);
	events_format(&b, "measurement", round);
	events_send(c, b.data, b.len);
	buf_free(&b);
	log_debug("events: a client joined, %u now", ev->n);
	return EVENTS_OK;
}

void events_publish(struct events *ev, const char *type, const char *data)
{
	struct buf b;

	if (ev->n == 0)
		return;
	buf_init(&b);
	events_format(&b, type, data);
	events_broadcast(ev, b.data, b.len);
	buf_free(&b);
}

unsigned events_clients(const struct events *ev)
{
	return ev->n;
}

void events_close_all(struct events *ev)
{
	while (!LIST_EMPTY(&ev->clients)) {
		struct client *c = LIST_FIRST(&ev->clients);
		http_stream_end(c->stream);
		events_unlink(ev, c);
	}
}

void events_free(struct events *ev)
{
	if (ev == NULL)
		return;
	events_close_all(ev);
	event_free(ev->ping);
	free(ev);
}
