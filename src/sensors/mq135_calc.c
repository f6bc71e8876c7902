/* MQ135 arithmetic, as in the project muricle grew from. No I/O. */
#include <math.h>

#include "mq135.h"

double mq135_resistance(const struct mq135_params *p, double vout)
{
	if (!(vout > 0) || !(vout < p->supply))
		return -1;
	/* The sensor and the load resistor divide the supply. */
	return p->rload * (p->supply - vout) / vout;
}

double mq135_correction(const struct mq135_params *p, double t, double h)
{
	if (t < 20)
		return p->cora * t * t - p->corb * t + p->corc - (h - 33.0) * p->cord;
	return p->core * t + p->corf * h + p->corg;
}

double mq135_ppm(const struct mq135_params *p, double resistance)
{
	return p->para * pow(resistance / p->rzero, -p->parb);
}

double mq135_rzero(const struct mq135_params *p, double resistance)
{
	return resistance * pow(p->atmoco2 / p->para, 1.0 / p->parb);
}
