/* The event loop every part of muricle runs on. */
#ifndef MURICLE_LOOP_H
#define MURICLE_LOOP_H

#include <stddef.h>

struct event_base;

/* A libevent loop on epoll with a precise monotonic clock. libevent's
 * default clock is CLOCK_MONOTONIC_COARSE (a few ms per tick), with which a
 * 4.5 ms conversion timer can fire before the chip has finished. NULL with a
 * message in err if epoll is not available. */
struct event_base *loop_new(char *err, size_t errlen);

#endif
