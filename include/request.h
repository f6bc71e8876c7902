/*
 * A request as the routes see it. The HTTP server builds one from a
 * libmicrohttpd connection (http.c); a test or a fuzzer builds one from
 * plain strings (tests/testutil.c), so routes can be called without
 * sockets. A route answers at once with http_reply, or later, from another
 * event on the loop (a request that waits for a measurement).
 */
#ifndef MURICLE_REQUEST_H
#define MURICLE_REQUEST_H

#include <stddef.h>

#define HTTP_MAX_HEADERS 8 /* response headers a route may add */

struct http_req;
struct http_stream;

/* The client went away (or the server stops); the stream is freed after
 * this returns. */
typedef void (*http_stream_closed_fn)(void *arg);

struct http_req_ops {
	/* A query-string argument or a request header, or NULL. */
	const char *(*arg)(const struct http_req *r, const char *name);
	const char *(*header)(const struct http_req *r, const char *name);
	/* Send the answer with r->headers; takes body (malloc'ed, may be NULL
	 * when len is 0). r may be gone once this returns. */
	void (*reply)(struct http_req *r, unsigned status, const char *content_type, char *body,
	              size_t len);
	/* Answer with a stream (see http.h); NULL where streams are not served. */
	struct http_stream *(*stream)(struct http_req *r, const char *content_type,
	                              http_stream_closed_fn closed, void *arg);
};

struct http_req {
	const struct http_req_ops *ops;
	const char *method, *path;           /* path is decoded, without the query */
	char *headers[2 * HTTP_MAX_HEADERS]; /* response headers: name, value, ... */
	size_t nheaders;
};

static inline const char *http_req_method(const struct http_req *r)
{
	return r->method;
}

static inline const char *http_req_path(const struct http_req *r)
{
	return r->path;
}

static inline const char *http_req_arg(const struct http_req *r, const char *name)
{
	return r->ops->arg(r, name);
}

static inline const char *http_req_header(const struct http_req *r, const char *name)
{
	return r->ops->header(r, name);
}

/* Add a response header for the coming answer (names and values are copied). */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Free the response headers (for implementations, once they are sent). */
void http_req_clear_headers(struct http_req *r);

static inline void http_reply(struct http_req *r, unsigned status, const char *content_type,
                              char *body, size_t len)
{
	r->ops->reply(r, status, content_type, body, len);
}

/* Answer r with a stream, or NULL where streams are not served. */
static inline struct http_stream *http_stream_start(struct http_req *r, const char *content_type,
                                                    http_stream_closed_fn closed, void *arg)
{
	return r->ops->stream != NULL ? r->ops->stream(r, content_type, closed, arg) : NULL;
}

#endif
