/* The daemon: one libevent loop (epoll) owning the sensors, the scheduler,
 * the HTTP server and the signals. */
#ifndef MURICLE_DAEMON_H
#define MURICLE_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct daemon;
struct sinks;

/* Build everything from cfg, read from config_path (NULL: the default,
 * which a reload reads again); NULL with a message in err on failure. */
struct daemon *daemon_new(const struct config *cfg, const char *config_path,
                          const char *config_name, bool simulate, char *err, size_t errlen);
/* Serve until SIGINT or SIGTERM; returns the process exit status. */
int daemon_run(struct daemon *d);
void daemon_free(struct daemon *d);
/* The sinks every reading, change and round goes to: a sink added here
 * hears them from the next one on, and must outlive the daemon. */
struct sinks *daemon_sinks(struct daemon *d);

#endif
