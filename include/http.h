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

#include "request.h"

struct event_base;
struct http;

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

/*
 * Streams: an answer of unknown length that goes on while the loop runs
 * (Server-Sent Events). The connection sleeps (suspended) while there is
 * nothing to send. A client that left is only noticed when something is
 * sent, so the owner should send now and then.
 */
/* http_stream_start (request.h) answers with one. */
/* Queue bytes to send. Returns -1 (and sends nothing) if more than max
 * bytes would wait: the client does not keep up. */
int http_stream_send(struct http_stream *s, const char *data, size_t len, size_t max);
/* Send what is queued, then finish the answer. The stream is no longer
 * the caller's: closed is not called and s must not be used again. */
void http_stream_end(struct http_stream *s);

#endif
