#include "request.h"

#include <stdlib.h>

#include "log.h"
#include "xmalloc.h"

void http_add_header(struct http_req *r, const char *name, const char *value)
{
	if (r->nheaders + 2 > 2 * HTTP_MAX_HEADERS)
		fatal("http: more than %d headers on one response", HTTP_MAX_HEADERS);
	r->headers[r->nheaders++] = xstrdup(name);
	r->headers[r->nheaders++] = xstrdup(value);
}

void http_req_clear_headers(struct http_req *r)
{
	for (size_t i = 0; i < r->nheaders; i++)
		free(r->headers[i]);
	r->nheaders = 0;
}
