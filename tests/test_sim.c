/* The simulated weather: weather-like (slow pressure, a daily temperature
 * cycle), reproducible from its seed, with noise of the asked size. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"

#define HOUR 3600.0
#define DAY  86400.0
#define T0   1.7e9 /* 2023-11-14 */

START_TEST(pressure_drifts_like_weather)
{
	double worst = 0, widest = 0;

	for (unsigned seed = 1; seed <= 20; seed++) {
		struct sim_weather w;
		double lo = INFINITY, hi = -INFINITY;
		sim_weather_init(&w, seed, 0);
		for (double t = T0; t < T0 + 30 * DAY; t += 300) {
			double p = sim_weather_at(&w, t).pressure_hpa;
			double later = sim_weather_at(&w, t + HOUR).pressure_hpa;
			worst = fmax(worst, fabs(later - p));
			lo = fmin(lo, p);
			hi = fmax(hi, p);
			ck_assert(p > 990 && p < 1036);
		}
		widest = fmax(widest, hi - lo);
		ck_assert_msg(hi - lo > 8, "seed %u: the pressure moves %.1f hPa in 30 days", seed,
		              hi - lo);
	}
	ck_assert_msg(worst <= 2.0, "the pressure changes %.2f hPa in an hour", worst);
	ck_assert_msg(worst >= 0.5, "the pressure barely moves (%.2f hPa an hour)", worst);
}
END_TEST

START_TEST(temperature_follows_the_day)
{
	struct sim_weather w;

	sim_weather_init(&w, 7, 0);
	for (int d = 0; d < 10; d++) {
		double start = T0 - fmod(T0, DAY) + d * DAY; /* midnight UTC */
		double lo = INFINITY, hi = -INFINITY, t_lo = 0, t_hi = 0;
		for (double t = start; t < start + DAY; t += 600) {
			struct sim_air a = sim_weather_at(&w, t);
			if (a.temp_c < lo)
				lo = a.temp_c, t_lo = t;
			if (a.temp_c > hi)
				hi = a.temp_c, t_hi = t;
			ck_assert(a.humidity >= 5 && a.humidity <= 95);
			ck_assert(a.gas > 0.9 && a.gas < 1.1);
		}
		ck_assert_msg(hi - lo > 3 && hi - lo < 8, "day %d: %.1f to %.1f °C", d, lo, hi);
		double warmest = fmod(t_hi - start, DAY) / HOUR,
		       coldest = fmod(t_lo - start, DAY) / HOUR;
		ck_assert_msg(warmest > 11 && warmest < 19, "day %d: warmest at %.1f h", d,
		              warmest);
		ck_assert_msg(coldest < 7 || coldest > 23, "day %d: coldest at %.1f h", d, coldest);
	}
}
END_TEST

START_TEST(a_seed_repeats)
{
	struct sim_weather a, b, c;

	sim_weather_init(&a, 42, 1);
	sim_weather_init(&b, 42, 1);
	sim_weather_init(&c, 43, 1);
	struct sim_air x = sim_weather_at(&a, T0), y = sim_weather_at(&b, T0),
	               z = sim_weather_at(&c, T0);
	ck_assert(x.pressure_hpa == y.pressure_hpa && x.temp_c == y.temp_c);
	ck_assert(x.pressure_hpa != z.pressure_hpa);
	for (int i = 0; i < 100; i++)
		ck_assert(sim_weather_noise(&a) == sim_weather_noise(&b));
	/* Another model of the same seed: the same weather, its own noise. */
	struct sim_weather other;
	sim_weather_init(&other, 42, 2);
	ck_assert(sim_weather_at(&other, T0).pressure_hpa == x.pressure_hpa);
	ck_assert(sim_weather_noise(&other) != sim_weather_noise(&a));
}
END_TEST

START_TEST(noise_is_standard_normal)
{
	struct sim_weather w;
	double sum = 0, sq = 0;
	const int n = 100000;

	sim_weather_init(&w, 3, 9);
	for (int i = 0; i < n; i++) {
		double x = sim_weather_noise(&w);
		ck_assert(isfinite(x));
		sum += x;
		sq += x * x;
	}
	double mean = sum / n, sd = sqrt(sq / n - mean * mean);
	ck_assert_msg(fabs(mean) < 0.02, "mean %.4f", mean);
	ck_assert_msg(fabs(sd - 1) < 0.02, "deviation %.4f", sd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("weather");

	tcase_add_test(tc, pressure_drifts_like_weather);
	tcase_add_test(tc, temperature_follows_the_day);
	tcase_add_test(tc, a_seed_repeats);
	tcase_add_test(tc, noise_is_standard_normal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
