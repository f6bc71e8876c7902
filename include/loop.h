/* The event loop every part of muricle runs on. */
#ifndef MURICLE_LOOP_H
#define MURICLE_LOOP_H

#include <stddef.h>
#include <sys/time.h>

struct event_base;

/* Event priorities: hardware steps (timers, I2C completions, GPIO edges)
 * run at the default, LOOP_PRIO_DEFAULT; HTTP work at LOOP_PRIO_HTTP, after
 * them. One MHD_run under a flood of requests takes a millisecond or more;
 * without this every step of a measurement would wait for one. */
#define LOOP_PRIORITIES   3
#define LOOP_PRIO_DEFAULT 1
#define LOOP_PRIO_HTTP    2

/* A libevent loop on epoll with a precise monotonic clock and the
 * priorities above. libevent's
 * default clock is CLOCK_MONOTONIC_COARSE (a few ms per tick), with which a
 * 4.5 ms conversion timer can fire before the chip has finished. NULL with a
 * message in err if epoll is not available. */
struct event_base *loop_new(char *err, size_t errlen);

/* Seconds (>= 0, with decimals) as a timeval for timers, to the microsecond. */
struct timeval loop_timeval(double seconds);

#endif
