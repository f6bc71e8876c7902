/* Debouncing for GPIO inputs whose backend cannot do it in hardware: after
 * any raw edge, wait until the line has been quiet for the period, then
 * report its value if it differs from the last one reported. */
#ifndef MURICLE_DEBOUNCE_H
#define MURICLE_DEBOUNCE_H

#include "gpio.h"

struct debounce;

/* read returns the line's logical value now (or < 0 on error). */
struct debounce *debounce_new(struct event_base *base, unsigned period_us, int (*read)(void *),
                              void *line, gpio_edge_fn report, void *arg);
/* A raw edge happened: (re)start the quiet period. */
void debounce_edge(struct debounce *d);
void debounce_free(struct debounce *d);

#endif
