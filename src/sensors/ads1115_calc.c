/* ADS1115 register arithmetic (TI SBAS444, section 9.6), no I/O. */
#include <math.h>

#include "ads1115.h"

const double ads1115_ranges[6] = { 6.144, 4.096, 2.048, 1.024, 0.512, 0.256 };
const unsigned ads1115_rates[8] = { 8, 16, 32, 64, 128, 250, 475, 860 };

int ads1115_range_index(double volts)
{
	for (int i = 0; i < 6; i++)
		if (fabs(ads1115_ranges[i] - volts) < 1e-9)
			return i;
	return -1;
}

int ads1115_rate_index(unsigned sps)
{
	for (int i = 0; i < 8; i++)
		if (ads1115_rates[i] == sps)
			return i;
	return -1;
}

uint16_t ads1115_config(unsigned channel, int range_index, int rate_index)
{
	/* OS=1 start | MUX=1cc AINc vs GND | PGA | MODE=1 single shot | DR |
	 * COMP_MODE, COMP_POL, COMP_LAT = 0 | COMP_QUE=11 comparator off */
	return (uint16_t)(ADS1115_OS | (4u + (channel & 3)) << 12 | (unsigned)range_index << 9 |
	                  ADS1115_MODE_SINGLE | (unsigned)rate_index << 5 | 0x3);
}

unsigned ads1115_conversion_us(int rate_index)
{
	return (unsigned)(1e6 / ads1115_rates[rate_index] * 1.1) + 100;
}

double ads1115_volts(const uint8_t raw[2], int range_index)
{
	int16_t v = (int16_t)((uint16_t)raw[0] << 8 | raw[1]);

	return v * ads1115_ranges[range_index] / 32768.0;
}
