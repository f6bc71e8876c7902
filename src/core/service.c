#include "service.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

static char last_status[256];

int service_listen_fd(char *err, size_t errlen)
{
	int n = sd_listen_fds(1);

	if (n == 0)
		return -1;
	if (n < 0) {
		snprintf(err, errlen, "socket activation: %s", strerror(-n));
		return -2;
	}
	if (n > 1) {
		snprintf(err, errlen, "socket activation passed %d sockets; muricle takes one", n);
		return -2;
	}
	if (sd_is_socket_inet(SD_LISTEN_FDS_START, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0) {
		snprintf(err, errlen,
		         "socket activation passed something other than a listening "
		         "TCP socket (check ListenStream= in muricle.socket)");
		return -2;
	}
	return SD_LISTEN_FDS_START;
}

void service_ready(const char *status)
{
	snprintf(last_status, sizeof last_status, "%s", status);
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void service_status(const char *status)
{
	if (strcmp(status, last_status) == 0)
		return;
	snprintf(last_status, sizeof last_status, "%s", status);
	sd_notifyf(0, "STATUS=%s", status);
}

void service_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	           (unsigned long long)ts.tv_sec * 1000000 + (unsigned long long)ts.tv_nsec / 1000);
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

static void service_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

struct event *service_watchdog(struct event_base *base)
{
	uint64_t usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return NULL;
	struct timeval tv = { (time_t)(usec / 2 / 1000000), (suseconds_t)(usec / 2 % 1000000) };
	struct event *ev = event_new(base, -1, EV_PERSIST, service_watchdog_cb, NULL);
	event_add(ev, &tv);
	sd_notify(0, "WATCHDOG=1");
	log_info("watchdog: every %.1f s", usec / 2 / 1e6);
	return ev;
}
