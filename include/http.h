/*
 * libmicrohttpd driven by the libevent loop: no MHD threads. MHD's epoll fd
 * is a libevent read event, MHD_get_timeout arms a timer, and a separate
 * "kick" event runs MHD after a suspended request got its answer.
 *
 * The handler sees each request once, when it has fully arrived. It answers
 * at once with http_reply, or later: then the connection is suspended until
 * http_reply is called from another event on the loop.
 */
#ifndef MURICLE_HTTP_H
#define MURICLE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct http;
struct http_req;

typedef void (*http_handler)(void *ctx, struct http_req *req);

/* Bind and listen on a numeric address; -1 with a message in err. */
int http_listen(const char *host, unsigned port, char *err, size_t errlen);
/* "http://ADDRESS:PORT/" for a listening socket, for the log. */
void http_describe_socket(int fd, char *out, size_t outlen);
/* Serve on a listening socket (the http object takes it). */
struct http *http_new(struct event_base *base, int listen_fd, http_handler handler, void *ctx,
                      char *err, size_t errlen);
/* Stop accepting connections; requests already in progress go on. */
void http_quiesce(struct http *h);
/* Requests that have arrived but whose answer has not been sent yet. */
unsigned http_busy(const struct http *h);
void http_free(struct http *h);

const char *http_req_method(const struct http_req *r);
const char *http_req_path(const struct http_req *r);
/* A query-string argument or a request header, or NULL. */
const char *http_req_arg(const struct http_req *r, const char *name);
const char *http_req_header(const struct http_req *r, const char *name);
/* Add a response header for the coming http_reply (names and values are copied). */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Answer the request; takes body (malloc'ed, may be NULL when len is 0). */
void http_reply(struct http_req *r, unsigned status, const char *content_type, char *body,
                size_t len);

/*
 * Streams: an answer of unknown length that goes on while the loop runs
 * (Server-Sent Events). The connection sleeps (suspended) while there is
 * nothing to send. A client that left is only noticed when something is
 * sent, so the owner should send now and then.
 */
struct http_stream;
/* The client went away (or the server stops); the stream is freed after
 * this returns. */
typedef void (*http_stream_closed_fn)(void *arg);
/* Answer r with a stream. */
struct http_stream *http_stream_start(struct http_req *r, const char *content_type,
                                      http_stream_closed_fn closed, void *arg);
/* Queue bytes to send. Returns -1 (and sends nothing) if more than max
 * bytes would wait: the client does not keep up. */
int http_stream_send(struct http_stream *s, const char *data, size_t len, size_t max);
/* Send what is queued, then finish the answer. The stream is no longer
 * the caller's: closed is not called and s must not be used again. */
void http_stream_end(struct http_stream *s);

#endif
