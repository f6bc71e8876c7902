/* Allocation that cannot fail: running out of memory is fatal in this one place. */
#ifndef MURICLE_XMALLOC_H
#define MURICLE_XMALLOC_H

#include <stddef.h>

void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
