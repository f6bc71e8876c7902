/* muricled: command line, configuration, then the daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "daemon.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: muricled [OPTION]...\n"
	           "Serve sensor readings (GPIO, I2C) as a web page, a JSON API and more.\n"
	           "\n"
	           "  -c, --config PATH   configuration file (default " CONFIG_DEFAULT_PATH ";\n"
	           "                      when that is missing, the built-in reference board)\n"
	           "  -s, --simulate      run the configured sensors on simulated hardware\n"
	           "  -t, --check-config  check the configuration, print a summary and exit\n"
	           "  -k, --list-keys     list every section and key with its default and range\n"
	           "  -v, --verbose       log debug lines too\n"
	           "  -h, --help          show this help and exit\n"
	           "  -V, --version       show the version and exit\n"
	           "\n"
	           "Logs go to standard error with <N> priority prefixes for journald.\n"
	           "Every setting is explained in the example file " CONFIG_DEFAULT_PATH ".\n");
}

/* Raise the soft open-file limit to the hard one (capped), for many clients. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Load the configuration; prints problems and returns -1 on failure. */
static int load_config(struct config *cfg, const char *path, const char **name, bool plain)
{
	struct buf errors;

	buf_init(&errors);
	int rc = config_read(cfg, path, name, &errors);
	if (plain)
		fputs(errors.data ? errors.data : "", stderr);
	else
		config_log_errors(&errors);
	buf_free(&errors);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "simulate", no_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 't' },
		{ "list-keys", optional_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool simulate = false, check = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:stkvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'k': {
			/* --list-keys=roff writes the part of muricle.conf(5) it makes. */
			bool roff = optarg != NULL && strcmp(optarg, "roff") == 0;
			if (optarg != NULL && !roff) {
				fprintf(stderr,
				        "muricled: --list-keys takes no value but 'roff'\n");
				return 2;
			}
			struct buf b;
			buf_init(&b);
			config_describe(&b, roff);
			fputs(b.data, stdout);
			buf_free(&b);
			return EXIT_SUCCESS;
		}
		case 'c': path = optarg; break;
		case 's': simulate = true; break;
		case 't': check = true; break;
		case 'v': log_set_verbose(true); break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("muricled %s\n", MURICLE_VERSION); return EXIT_SUCCESS;
		default: fprintf(stderr, "Try 'muricled --help'.\n"); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "muricled: unexpected argument '%s'\nTry 'muricled --help'.\n",
		        argv[optind]);
		return 2;
	}

	static struct config cfg; /* large: keep it off the stack */
	const char *name;
	if (load_config(&cfg, path, &name, check) < 0) {
		if (!check)
			log_err("not starting: fix the configuration above (muricled "
			        "--check-config)");
		return EXIT_FAILURE;
	}
	if (check) {
		printf("%s: ok, %zu sensor%s, listen %s:%u\n", name, cfg.nsensors,
		       cfg.nsensors == 1 ? "" : "s", cfg.listen.host, cfg.listen.port);
		return EXIT_SUCCESS;
	}

	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	char err[256];
	struct daemon *d = daemon_new(&cfg, path, name, simulate, err, sizeof err);
	if (d == NULL) {
		log_err("%s", err);
		return EXIT_FAILURE;
	}
	int rc = daemon_run(d);
	daemon_free(d);
	return rc;
}
