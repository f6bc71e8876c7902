/*
 * Server-Sent Events (GET /events): every client gets the whole state when it
 * connects, then one event per reading, change and measurement round. Idle
 * streams get a ": ping" comment every EVENTS_PING seconds so clients that
 * left are found; the number of streams is bounded, and a client that does
 * not read what is sent is dropped (it reconnects and gets the state anew).
 */
#ifndef MURICLE_EVENTS_H
#define MURICLE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#define EVENTS_PING        15          /* seconds */
#define EVENTS_MAX_CLIENTS 32          /* streams at once */
#define EVENTS_MAX_QUEUED  (256 << 10) /* bytes a client may fall behind */

struct event_base;
struct events;
struct http_req;

struct events *events_new(struct event_base *base);
/* Answer r with an event stream that starts with a "state" event carrying
 * state and a "measurement" event carrying round (one line of JSON each;
 * the second has the time): EVENTS_OK; or, with r not answered, EVENTS_FULL
 * when all streams are taken, EVENTS_NO_STREAM when r cannot carry one. */
enum events_result { EVENTS_OK, EVENTS_FULL, EVENTS_NO_STREAM };
enum events_result events_subscribe(struct events *ev, struct http_req *r, const char *state,
                                    const char *round);
/* Send an event to every client; data is one line of JSON (a trailing
 * newline is dropped). */
void events_publish(struct events *ev, const char *type, const char *data);
unsigned events_clients(const struct events *ev);
/* End every stream (at shutdown): clients see the end and reconnect later. */
void events_close_all(struct events *ev);
void events_free(struct events *ev);

#endif
