#include "debounce.h"

#include <event2/event.h>
#include <stdlib.h>

#include "xmalloc.h"

struct debounce {
	struct event *quiet;
	struct timeval period;
	int (*read)(void *);
	void *line;
	gpio_edge_fn report;
	void *arg;
	int last; /* last value reported, -1 before the first */
};

/* The line has been quiet for the period: report a real change. */
static void debounce_quiet_cb(evutil_socket_t fd, short what, void *arg)
{
	struct debounce *d = arg;
	int v = d->read(d->line);

	(void)fd;
	(void)what;
	if (v < 0 || v == d->last)
		return; /* a glitch that came back, or an unreadable line */
	d->last = v;
	d->report(d->arg, v);
}

struct debounce *debounce_new(struct event_base *base, unsigned period_us, int (*read)(void *),
                              void *line, gpio_edge_fn report, void *arg)
{
	struct debounce *d = xcalloc(1, sizeof *d);

	d->quiet = evtimer_new(base, debounce_quiet_cb, d);
	d->period.tv_sec = period_us / 1000000;
	d->period.tv_usec = period_us % 1000000;
	d->read = read;
	d->line = line;
	d->report = report;
	d->arg = arg;
	d->last = read(line);
	return d;
}

void debounce_edge(struct debounce *d)
{
	evtimer_add(d->quiet, &d->period); /* restarts a pending period */
}

void debounce_free(struct debounce *d)
{
	if (d == NULL)
		return;
	event_free(d->quiet);
	free(d);
}
