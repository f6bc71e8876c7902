#include "baro.h"

#include <math.h>

double baro_altitude(double pressure_pa, double sea_level_pa)
{
	return 44330.0 * (1.0 - pow(pressure_pa / sea_level_pa, 1.0 / 5.255));
}
