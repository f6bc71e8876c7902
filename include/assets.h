/* The page's assets (www/), compiled in by scripts/embed-www.sh: a Pi on an
 * isolated network renders the page with nothing fetched from elsewhere. */
#ifndef MURICLE_ASSETS_H
#define MURICLE_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path; /* "/static/app.js" */
	const char *type;
	const char *data;
	size_t len;
	const char *etag; /* quoted, from the content */
};

extern const struct asset assets[];
extern const size_t assets_count;

#endif
