/* MQ135 arithmetic, as in the project muricle grew from. No I/O. */
#include <math.h>

#include "mq135.h"

void mq135_defaults(struct mq135_params *p)
{
	p->rload = 10.0;
	p->rzero = 76.63;
	p->para = 116.6020682;
	p->parb = 2.769034857;
	p->cora = 0.00035;
	p->corb = 0.02718;
	p->corc = 1.39538;
	p->cord = 0.0018;
	p->core = -0.003333333;
	p->corf = -0.001923077;
	p->corg = 1.130128205;
	p->atmoco2 = 397.13;
	p->supply = 5.0;
}

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
