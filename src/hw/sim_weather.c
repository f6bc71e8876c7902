/*
 * The simulated weather the device models read: slow drift a barometer on a
 * shelf would see, the same for every model of one seed, with each model's
 * own noise on top.
 *
 * Pressure: three slow waves (periods of 97, 41 and 17 hours) and the
 * semidiurnal atmospheric tide (12 hours, 0.8 hPa); their slopes add up to
 * at most 1.85 hPa an hour. Temperature: a daily cycle by the local clock,
 * warmest at 15:00, and a slow wave of 71 hours. Humidity falls as the air
 * warms. The gas an MQ135 smells peaks in the evening, as in a lived-in room.
 */
#include <math.h>
#include <time.h>

#include "sim.h"

enum { P97, P41, P17, TIDE, WARM, DAMP, GAS };

#define HOUR 3600.0

/* splitmix64, as a uniform number in [0, 1). */
static double uniform(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

void sim_weather_init(struct sim_weather *w, unsigned seed, unsigned salt)
{
	uint64_t s = seed;

	for (int i = 0; i < SIM_WEATHER_PHASES; i++)
		w->phase[i] = 2 * M_PI * uniform(&s);
	w->noise = ((uint64_t)seed << 32 | salt) * 0xd1342543de82ef95u + 1;
}

static double wave(const struct sim_weather *w, double t, double amplitude, double hours, int i)
{
	return amplitude * sin(2 * M_PI * t / (hours * HOUR) + w->phase[i]);
}

struct sim_air sim_weather_at(const struct sim_weather *w, double t)
{
	time_t secs = (time_t)floor(t);
	struct tm tm;
	struct sim_air a;

	localtime_r(&secs, &tm);
	double day = (tm.tm_hour * HOUR + tm.tm_min * 60.0 + tm.tm_sec + (t - floor(t))) / 86400;
	a.pressure_hpa = 1013.0 + wave(w, t, 7.0, 97, P97) + wave(w, t, 3.5, 41, P41) +
	                 wave(w, t, 1.2, 17, P17) + wave(w, t, 0.8, 12, TIDE);
	a.temp_c = 20.0 + 2.5 * cos(2 * M_PI * (day - 15.0 / 24)) + wave(w, t, 1.5, 71, WARM);
	a.humidity = 50.0 - 2.0 * (a.temp_c - 20.0) + wave(w, t, 6.0, 53, DAMP);
	a.humidity = fmin(fmax(a.humidity, 5.0), 95.0);
	a.gas = 1.0 + 0.04 * cos(2 * M_PI * (day - 20.0 / 24)) + wave(w, t, 0.01, 29, GAS);
	return a;
}

double sim_weather_noise(struct sim_weather *w)
{
	/* Box-Muller; 1 - u keeps the logarithm finite. */
	double u = 1.0 - uniform(&w->noise), v = uniform(&w->noise);

	return sqrt(-2.0 * log(u)) * cos(2 * M_PI * v);
}
