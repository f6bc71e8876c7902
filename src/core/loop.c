#include "loop.h"

#include <event2/event.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct event_base *loop_new(char *err, size_t errlen)
{
	struct event_config *ec = event_config_new();

	if (ec == NULL) {
		snprintf(err, errlen, "libevent: out of memory");
		return NULL;
	}
	event_config_avoid_method(ec, "select");
	event_config_avoid_method(ec, "poll");
	event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
	struct event_base *base = event_base_new_with_config(ec);
	event_config_free(ec);
	if (base == NULL || strcmp(event_base_get_method(base), "epoll") != 0) {
		snprintf(err, errlen, "libevent could not set up an epoll loop%s",
		         getenv("EVENT_NOEPOLL") ? " (EVENT_NOEPOLL is set)" : "");
		if (base != NULL)
			event_base_free(base);
		return NULL;
	}
	/* New events get the middle priority, LOOP_PRIO_DEFAULT. */
	if (event_base_priority_init(base, LOOP_PRIORITIES) < 0) {
		snprintf(err, errlen, "libevent could not set up event priorities");
		event_base_free(base);
		return NULL;
	}
	return base;
}

struct timeval loop_timeval(double seconds)
{
	long long us = seconds > 0 ? llround(seconds * 1e6) : 0;
	struct timeval tv = { (time_t)(us / 1000000), (suseconds_t)(us % 1000000) };

	return tv;
}
