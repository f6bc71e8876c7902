/* The routes: the sensor page, the JSON API and the measure actions. */
#ifndef MURICLE_WEB_H
#define MURICLE_WEB_H

#include <stdbool.h>
#include <stddef.h>

struct http_req;
struct measure;
struct sensor;

struct web {
	const char *title;
	struct sensor *const *sensors;
	size_t n;
	struct measure *measure;
	bool simulated;
};

/* The http_handler for muricle's routes; ctx is a struct web. */
void web_handle(void *ctx, struct http_req *req);

#endif
