/* The backend-independent part of GPIO: what errors mean. */
#include "gpio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool gpio_is_offset(const char *line)
{
	return *line != '\0' && strspn(line, "0123456789") == strlen(line);
}

void gpio_describe_error(char *err, size_t errlen, int e, const struct gpio_request *rq)
{
	const char *on = rq->chip && rq->chip[0] ? " on " : "";
	const char *chip = rq->chip ? rq->chip : "";

	switch (e) {
	case ENOENT:
	case ENODEV:
	case EINVAL:
		snprintf(err, errlen, "no GPIO line '%s'%s%s (gpioinfo lists the lines)", rq->line,
		         on, chip);
		break;
	case EACCES:
	case EPERM:
		snprintf(err, errlen,
		         "no permission to use GPIO line %s: run as a member of group gpio",
		         rq->line);
		break;
	case EBUSY:
		snprintf(err, errlen,
		         "GPIO line %s is in use by another program (gpioinfo shows which)",
		         rq->line);
		break;
	default: snprintf(err, errlen, "cannot request GPIO line %s: %s", rq->line, strerror(e));
	}
}
