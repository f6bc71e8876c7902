/*
 * The footprint reference for make bench: the least program that serves
 * HTTP the way muricled does (libmicrohttpd in one libevent epoll loop, no
 * threads), answering "ok" to everything, or the bytes of FILE. Its idle
 * RSS is what the libraries cost before muricle adds anything; answering a
 * saved copy of muricle's page, its requests/s are the library's ceiling
 * for a body of that size.
 *
 *   bare PORT [FILE]
 */
#include <event2/event.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

static struct MHD_Daemon *mhd;
static struct event *timer;
static char *body = "ok\n";
static size_t body_len = 3;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state)
{
	(void)cls, (void)url, (void)method, (void)version, (void)data, (void)size;
	if (*state == NULL) {
		*state = body; /* answer on the second call, as muricled does */
		return MHD_YES;
	}
	struct MHD_Response *r =
	        MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static void run(evutil_socket_t fd, short what, void *arg)
{
	MHD_UNSIGNED_LONG_LONG ms;

	(void)fd, (void)what, (void)arg;
	MHD_run(mhd);
	if (MHD_get_timeout(mhd, &ms) == MHD_YES) {
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
		evtimer_add(timer, &tv);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: bare PORT [FILE]\n");
		return 2;
	}
	if (argc == 3) {
		static char file[1 << 20];
		FILE *f = fopen(argv[2], "rb");
		if (f == NULL) {
			perror(argv[2]);
			return 1;
		}
		body_len = fread(file, 1, sizeof file, f);
		fclose(f);
		body = file;
	}
	struct event_base *base = event_base_new();
	mhd = MHD_start_daemon(MHD_USE_EPOLL, (uint16_t)atoi(argv[1]), NULL, NULL, answer, NULL,
	                       MHD_OPTION_END);
	if (base == NULL || mhd == NULL) {
		fprintf(stderr, "bare: cannot start\n");
		return 1;
	}
	int efd = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
	struct event *io = event_new(base, efd, EV_READ | EV_PERSIST, run, NULL);
	timer = evtimer_new(base, run, NULL);
	event_add(io, NULL);
	event_base_dispatch(base);
	return 0;
}
