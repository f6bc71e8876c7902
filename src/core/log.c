#include "log.h"

#include <stdio.h>
#include <stdlib.h>

static bool verbose;

/* Turn debug lines on or off. */
void log_set_verbose(bool v)
{
	verbose = v;
}

/* Write one line as "<prio>text": journald reads the prefix as the priority. */
void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[1024];

	if (prio >= LOG_DEBUG && !verbose)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "<%d>%s\n", prio, line);
}

/* Log one line at a priority. */
void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/* Log a critical line and exit: only for states the daemon cannot continue from. */
void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
