/*
 * Simulated hardware: I2C buses with device models and a GPIO chip laid out
 * like a Raspberry Pi's header (lines GPIO0-GPIO27 on gpiochip0). The real
 * drivers run against it unchanged.
 */
#ifndef MURICLE_SIM_H
#define MURICLE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct gpio;
struct i2c_bus;

#define SIM_GPIO_LINES 28

/* A register-level device model. read and write return 0 or an errno value. */
struct sim_device_ops {
	int (*read)(void *dev, uint8_t reg, uint8_t *buf, size_t len);
	int (*write)(void *dev, uint8_t reg, const uint8_t *buf, size_t len);
	void (*destroy)(void *dev);
};

struct sim;

/* Faults the simulated buses inject, to test what a flaky bus does. Each
 * transfer starts an EIO burst (eio_burst transfers failing with EIO) with
 * probability eio_rate, else is not acknowledged (ENXIO) with nack_rate,
 * else takes `stall` seconds more with stall_rate. Reproducible from seed. */
struct sim_faults {
	double eio_rate, nack_rate, stall_rate;
	unsigned eio_burst;
	double stall;
	unsigned seed;
};

/* delay: seconds each transfer takes; gpio_dir: if not empty, every line
 * level change is mirrored into gpio_dir/GPIOn ("0" or "1") for tests. */
struct sim *sim_new(struct event_base *base, double delay, const char *gpio_dir);
/* Change them (on reload); transfers in flight keep their delay. */
void sim_configure(struct sim *sim, double delay, const char *gpio_dir);
/* khz > 0: each bus carries one transfer at a time, timed by its bytes at
 * this clock (100: standard mode), so that devices sharing a bus wait for
 * each other as on a real one; 0 (the default): transfers overlap. */
void sim_set_bus_rate(struct sim *sim, double khz);
/* Inject these faults from now on (NULL or all rates 0: none). */
void sim_set_faults(struct sim *sim, const struct sim_faults *f);
/* Faults injected so far, of each kind. */
struct sim_fault_counts {
	uint64_t eio, nack, stall;
};
struct sim_fault_counts sim_fault_counts(const struct sim *sim);
void sim_free(struct sim *sim);

/* Put a device model on a bus at an address; the sim then owns dev. */
void sim_i2c_attach(struct sim *sim, const char *bus, uint8_t addr,
                    const struct sim_device_ops *ops, void *dev);
/* The model at an address, or NULL. */
void *sim_i2c_device(struct sim *sim, const char *bus, uint8_t addr);
/* Take a device off the bus (it stops answering) and destroy it. */
void sim_i2c_detach(struct sim *sim, const char *bus, uint8_t addr);
/* A bus handle for drivers; free it with i2c_bus_free. */
struct i2c_bus *sim_i2c_bus(struct sim *sim, const char *path);

/* The GPIO provider for drivers; free it with gpio_free. */
struct gpio *sim_gpio(struct sim *sim);
/* The physical level of a line (0 or 1), as a test probe would see it. */
int sim_gpio_level(struct sim *sim, unsigned offset);
/* Drive an input line from outside, as a button or a pull would. */
void sim_gpio_drive(struct sim *sim, unsigned offset, int level);

/* The simulated weather (sim_weather.c): a deterministic function of the
 * seed and the wall clock, plus a noise stream per model (salt). */
#define SIM_WEATHER_PHASES 7
struct sim_weather {
	double phase[SIM_WEATHER_PHASES];
	uint64_t noise;
};
struct sim_air {
	double temp_c, pressure_hpa, humidity;
	double gas; /* what an MQ135 smells, 1 on average */
};
void sim_weather_init(struct sim_weather *w, unsigned seed, unsigned salt);
/* The air at t (seconds since the epoch); the daily cycle follows local time. */
struct sim_air sim_weather_at(const struct sim_weather *w, double t);
/* A normal deviate (mean 0, deviation 1) from the model's own stream. */
double sim_weather_noise(struct sim_weather *w);
/* The seed the models made from now on use (the configuration's `seed`). */
void sim_set_seed(struct sim *sim, unsigned seed);
unsigned sim_seed(const struct sim *sim);

/* The BMP180 model (datasheet register map and conversion times). */
struct sim_bmp180;
extern const struct sim_device_ops sim_bmp180_ops;
/* Its readings follow the weather of seed, with the datasheet's noise. */
struct sim_bmp180 *sim_bmp180_new(unsigned seed);
/* Fix the true temperature and pressure, without noise. */
void sim_bmp180_set(struct sim_bmp180 *m, double temp_c, double pressure_hpa);
/* How many result reads came before the conversion had finished. */
unsigned sim_bmp180_early_reads(const struct sim_bmp180 *m);

/* The BME280 model, or a BMP280 when humidity is false (chip id 0x58). */
struct sim_bme280;
extern const struct sim_device_ops sim_bme280_ops;
struct sim_bme280 *sim_bme280_new(bool humidity, unsigned seed);
void sim_bme280_set(struct sim_bme280 *m, double temp_c, double pressure_hpa, double humidity);
unsigned sim_bme280_early_reads(const struct sim_bme280 *m);

/* The ADS1115 model; inputs follow centre volts times the weather's gas
 * level until a test sets them. */
struct sim_ads1115;
extern const struct sim_device_ops sim_ads1115_ops;
struct sim_ads1115 *sim_ads1115_new(double centre, unsigned seed);
void sim_ads1115_set(struct sim_ads1115 *m, unsigned channel, double volts);
unsigned sim_ads1115_early_reads(const struct sim_ads1115 *m);

/* The SSD1306 (or SH1106) OLED controller model: a width x height panel. */
struct fb;
struct sim_oled;
extern const struct sim_device_ops sim_oled_ops;
struct sim_oled *sim_oled_new(bool sh1106, unsigned width, unsigned height);
/* What the panel shows now (dark when it is off). */
void sim_oled_frame(const struct sim_oled *m, struct fb *fb);
struct sim_oled_state {
	bool on;
	unsigned contrast;
	unsigned commands, data_bytes; /* received so far */
};
struct sim_oled_state sim_oled_state(const struct sim_oled *m);

#endif
