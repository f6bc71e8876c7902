/*
 * systemd integration through sd-daemon: readiness and status, the
 * watchdog, reload and stop notices, and socket activation. Without systemd
 * (no NOTIFY_SOCKET, no LISTEN_FDS) every call is a no-op.
 */
#ifndef MURICLE_SERVICE_H
#define MURICLE_SERVICE_H

#include <stddef.h>

struct event_base;
struct event;

/* The listening socket systemd passed: its fd, -1 if none was passed, or
 * -2 with a message in err if what was passed cannot be used. */
int service_listen_fd(char *err, size_t errlen);
/* READY=1 with a status line. */
void service_ready(const char *status);
/* STATUS=, sent only when it changed. */
void service_status(const char *status);
/* RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload expects. */
void service_reloading(void);
void service_stopping(void);
/* When WatchdogSec= is set: a timer on base sending WATCHDOG=1 at half the
 * interval, from the loop itself, so a stalled loop gets the service
 * restarted. NULL when there is no watchdog. */
struct event *service_watchdog(struct event_base *base);

#endif
