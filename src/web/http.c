#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "loop.h"
#include "xmalloc.h"

#define HTTP_CONNECTION_LIMIT 1100
#define HTTP_BODY_MAX         16384         /* bytes; bodies are counted, not kept */
#define HTTP_BODY_DISCARD     (1024 * 1024) /* a chunked body past this: closed, not answered */
#define HTTP_IDLE_TIMEOUT     30            /* seconds a keep-alive connection may idle */
/* Request memory per connection (MHD's default is 32 KiB): ample for these
 * routes' requests, and it is what 1,000 idle clients cost. */
#define HTTP_CONNECTION_MEMORY 8192

/* A request on an MHD connection; method and path are MHD's for its life. */
struct mhd_req {
	struct http_req req;
	struct http *http;
	struct MHD_Connection *conn;
	size_t body_len;
	bool handled; /* the handler has seen it */
	bool suspended;
	LIST_ENTRY(mhd_req) link;      /* in http.suspended while suspended */
	struct MHD_Response *response; /* answer waiting to be queued */
	unsigned status;
	struct http_stream *stream; /* the answer is a stream */
};

struct http_stream {
	struct mhd_req *req; /* NULL once the connection is gone */
	struct buf out;      /* waiting to be sent from out.data + sent */
	size_t sent;
	bool asleep; /* suspended: nothing to send */
	bool ended;
	http_stream_closed_fn closed;
	void *arg;
	LIST_ENTRY(http_stream) link; /* in http.streams */
};

struct http {
	struct event_base *base;
	struct MHD_Daemon *mhd;
	struct event *io;    /* MHD's epoll fd is readable */
	struct event *timer; /* MHD_get_timeout */
	struct event *kick;  /* run MHD soon: never shares the timer (see notes) */
	http_handler handler;
	void *ctx;
	unsigned busy;
	LIST_HEAD(req_list, mhd_req) suspended;
	LIST_HEAD(stream_list, http_stream) streams;
};

static const struct http_req_ops mhd_req_ops;

int http_listen(const char *host, unsigned port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		sslen = sizeof *in4;
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		sslen = sizeof *in6;
	} else {
		snprintf(err, errlen, "'%s' is not a numeric IPv4 or IPv6 address", host);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, 128) < 0) {
		const char *why = strerror(errno);
		const char *hint =
		        errno == EADDRINUSE ? ": another program uses this port"
		        : errno == EACCES
		                ? ": ports below 1024 need privileges or socket activation"
		        : errno == EADDRNOTAVAIL ? ": no interface has this address"
		                                 : "";
		snprintf(err, errlen, "cannot listen on %s%s%s:%u: %s%s",
		         ss.ss_family == AF_INET6 ? "[" : "", host,
		         ss.ss_family == AF_INET6 ? "]" : "", port, why, hint);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void http_describe_socket(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
			port = ntohs(a->sin6_port);
		} else if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
			port = ntohs(a->sin_port);
		}
	}
	bool v6 = ss.ss_family == AF_INET6;
	snprintf(out, outlen, "http://%s%s%s:%u/", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* Let MHD do its work, then re-arm the timer it asks for. */
static void http_run(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES) {
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
		evtimer_add(h->timer, &tv);
	} else {
		evtimer_del(h->timer);
	}
}

static void http_event_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	http_run(arg);
}

static enum MHD_Result http_queue(struct mhd_req *r)
{
	enum MHD_Result rc = MHD_queue_response(r->conn, r->status, r->response);

	MHD_destroy_response(r->response);
	r->response = NULL;
	return rc;
}

static enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
	struct http *h = cls;
	struct mhd_req *r = *con_cls;

	(void)version;
	(void)upload_data;
	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->req.ops = &mhd_req_ops;
		r->req.method = method;
		r->req.path = url;
		r->http = h;
		r->conn = conn;
		*con_cls = r;
		h->busy++;
		/* No route takes a large body: refuse it before reading any. */
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > HTTP_BODY_MAX) {
			r->handled = true;
			char *msg = xstrdup("request body too large\n");
			http_reply(&r->req, 413, "text/plain; charset=utf-8", msg, strlen(msg));
			return http_queue(r);
		}
		/* Otherwise answer on a later call: a response queued now
		 * would close the keep-alive connection. */
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		r->body_len += *upload_data_size;
		*upload_data_size = 0;
		/* A body without a length (chunked) is read to its end, then
		 * refused like one with a length; one far past the limit is cut. */
		return r->body_len > HTTP_BODY_DISCARD ? MHD_NO : MHD_YES;
	}
	if (r->body_len > HTTP_BODY_MAX && !r->handled) {
		r->handled = true;
		char *msg = xstrdup("request body too large\n");
		http_reply(&r->req, 413, "text/plain; charset=utf-8", msg, strlen(msg));
		return http_queue(r);
	}
	if (r->response != NULL)
		return http_queue(r); /* resumed with its answer */
	if (r->handled)
		return MHD_YES;
	r->handled = true;
	h->handler(h->ctx, &r->req);
	if (r->response != NULL)
		return http_queue(r);
	r->suspended = true;
	LIST_INSERT_HEAD(&h->suspended, r, link);
	MHD_suspend_connection(conn);
	return MHD_YES;
}

/* The stream's connection closed: tell its owner and forget it. */
static void http_stream_gone(struct http_stream *st)
{
	LIST_REMOVE(st, link);
	st->req->stream = NULL;
	st->req = NULL;
	if (st->closed != NULL)
		st->closed(st->arg);
	buf_free(&st->out);
	free(st);
}

static void http_completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct mhd_req *r = *con_cls;

	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	if (r->stream != NULL)
		http_stream_gone(r->stream);
	if (r->response != NULL)
		MHD_destroy_response(r->response);
	http_req_clear_headers(&r->req);
	free(r);
	*con_cls = NULL;
	h->busy--;
}

/* Percent-decoding as libmicrohttpd's own, but a decoded NUL becomes DEL,
 * a control character the router refuses: "/%00" must not be "/". */
static size_t http_unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
	size_t n = MHD_http_unescape(s);

	(void)cls;
	(void)conn;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			s[i] = 0x7f;
	return n;
}

/* libmicrohttpd's messages, in its own format strings. */
__attribute__((format(printf, 2, 0))) static void http_log_cb(void *cls, const char *fmt,
                                                              va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

struct http *http_new(struct event_base *base, int listen_fd, http_handler handler, void *ctx,
                      char *err, size_t errlen)
{
	struct http *h = xcalloc(1, sizeof *h);

	h->base = base;
	h->handler = handler;
	h->ctx = ctx;
	LIST_INIT(&h->suspended);
	LIST_INIT(&h->streams);
	h->mhd = MHD_start_daemon(
	        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	        http_access_cb, h, MHD_OPTION_EXTERNAL_LOGGER, http_log_cb, h,
	        MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb,
	        h, MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTION_LIMIT,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT,
	        MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, MHD_OPTION_UNESCAPE_CALLBACK,
	        http_unescape_cb, h, MHD_OPTION_END);
	if (h->mhd == NULL) {
		snprintf(err, errlen, "libmicrohttpd failed to start (see debug log, -v)");
		close(listen_fd);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	h->io = event_new(base, info->epoll_fd, EV_READ | EV_PERSIST, http_event_cb, h);
	h->timer = evtimer_new(base, http_event_cb, h);
	h->kick = event_new(base, -1, 0, http_event_cb, h);
	/* Requests wait for the hardware's steps, never the other way round. */
	event_priority_set(h->io, LOOP_PRIO_HTTP);
	event_priority_set(h->timer, LOOP_PRIO_HTTP);
	event_priority_set(h->kick, LOOP_PRIO_HTTP);
	event_add(h->io, NULL);
	http_run(h);
	return h;
}

void http_quiesce(struct http *h)
{
	MHD_socket fd = MHD_quiesce_daemon(h->mhd);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

unsigned http_busy(const struct http *h)
{
	return h->busy;
}

void http_free(struct http *h)
{
	if (h == NULL)
		return;
	/* MHD must not stop with suspended connections: answer and resume them. */
	while (!LIST_EMPTY(&h->suspended)) {
		char *msg = xstrdup("shutting down\n");
		http_reply(&LIST_FIRST(&h->suspended)->req, 503, "text/plain; charset=utf-8", msg,
		           strlen(msg));
	}
	for (struct http_stream *st = LIST_FIRST(&h->streams); st != NULL; st = LIST_NEXT(st, link))
		http_stream_end(st);
	MHD_run(h->mhd);
	MHD_stop_daemon(h->mhd);
	event_free(h->io);
	event_free(h->timer);
	event_free(h->kick);
	free(h);
}

static const char *mhd_req_arg(const struct http_req *req, const char *name)
{
	const struct mhd_req *r = (const struct mhd_req *)req;

	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *mhd_req_header(const struct http_req *req, const char *name)
{
	const struct mhd_req *r = (const struct mhd_req *)req;

	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* What every answer of ours carries: its type, the route's headers, and a
 * Referrer-Policy so that the page's links and forms tell other sites
 * nothing. */
static void http_response_headers(struct MHD_Response *resp, const char *content_type,
                                  const struct http_req *req)
{
	if (content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	for (size_t i = 0; i < req->nheaders; i += 2)
		MHD_add_response_header(resp, req->headers[i], req->headers[i + 1]);
}

static void mhd_req_reply(struct http_req *req, unsigned status, const char *content_type,
                          char *body, size_t len)
{
	struct mhd_req *r = (struct mhd_req *)req;
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(
	        len, body ? body : xcalloc(1, 1), free);

	if (resp == NULL)
		fatal("http: cannot create a response");
	http_response_headers(resp, content_type, req);
	r->status = status;
	r->response = resp;
	if (r->suspended) {
		r->suspended = false;
		LIST_REMOVE(r, link);
		MHD_resume_connection(r->conn);
		/* Resuming does not wake an external loop: run MHD ourselves. */
		event_active(r->http->kick, EV_TIMEOUT, 1);
	}
}

/* MHD asks for the next bytes of a stream. */
static ssize_t http_stream_reader(void *cls, uint64_t pos, char *out, size_t max)
{
	struct http_stream *st = cls;
	size_t n = st->out.len - st->sent;

	(void)pos;
	if (n > 0) {
		if (n > max)
			n = max;
		memcpy(out, st->out.data + st->sent, n);
		st->sent += n;
		if (st->sent == st->out.len) {
			buf_reset(&st->out);
			st->sent = 0;
		}
		return (ssize_t)n;
	}
	if (st->ended)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing to send: sleep until there is. Returning 0 awake would spin. */
	st->asleep = true;
	MHD_suspend_connection(st->req->conn);
	return 0;
}

static void http_stream_wake(struct http_stream *st)
{
	if (!st->asleep || st->req == NULL)
		return;
	st->asleep = false;
	MHD_resume_connection(st->req->conn);
	event_active(st->req->http->kick, EV_TIMEOUT, 1);
}

static struct http_stream *mhd_req_stream(struct http_req *req, const char *content_type,
                                          http_stream_closed_fn closed, void *arg)
{
	struct mhd_req *r = (struct mhd_req *)req;
	struct http_stream *st = xcalloc(1, sizeof *st);
	struct http *h = r->http;

	st->req = r;
	st->closed = closed;
	st->arg = arg;
	buf_init(&st->out);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	                                                              http_stream_reader, st, NULL);
	if (resp == NULL)
		fatal("http: cannot create a stream response");
	http_response_headers(resp, content_type, req);
	r->status = 200;
	r->response = resp;
	r->stream = st;
	LIST_INSERT_HEAD(&h->streams, st, link);
	return st;
}

static const struct http_req_ops mhd_req_ops = {
	.arg = mhd_req_arg,
	.header = mhd_req_header,
	.reply = mhd_req_reply,
	.stream = mhd_req_stream,
};

int http_stream_send(struct http_stream *st, const char *data, size_t len, size_t max)
{
	if (st->ended)
		return 0;
	if (st->out.len - st->sent + len > max)
		return -1;
	if (st->sent > 0) {
		/* Drop what went out, so the buffer holds only what waits. */
		st->out.len -= st->sent;
		memmove(st->out.data, st->out.data + st->sent, st->out.len + 1);
		st->sent = 0;
	}
	buf_add(&st->out, data, len);
	http_stream_wake(st);
	return 0;
}

void http_stream_end(struct http_stream *st)
{
	st->closed = NULL;
	st->ended = true;
	http_stream_wake(st);
}
