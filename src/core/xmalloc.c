#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Allocate zeroed memory or die. */
void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatal("out of memory allocating %zu bytes", n * size);
	return p;
}

/* Resize memory or die. */
void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (q == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return q;
}

/* Duplicate a string or die. */
char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL)
		fatal("out of memory copying a string");
	return d;
}
