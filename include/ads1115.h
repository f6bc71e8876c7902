/*
 * TI ADS1115 16-bit ADC: register arithmetic (pure) and an asynchronous
 * single-shot read over the I2C bus interface, used by the sensors that sit
 * behind it (a plain voltage input, the MQ135).
 */
#ifndef MURICLE_ADS1115_H
#define MURICLE_ADS1115_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADS1115_REG_CONVERSION 0x00
#define ADS1115_REG_CONFIG     0x01
#define ADS1115_OS             0x8000 /* write: start a conversion; read: 1 when idle */
#define ADS1115_MODE_SINGLE    0x0100 /* single-shot mode (else continuous) */
#define ADS1115_CONFIG_RESET   0x8583 /* the config register at power-up (table 8) */

struct event_base;
struct i2c_bus;

/* The full-scale ranges (V) and data rates (samples/s) the chip offers. */
extern const double ads1115_ranges[6];
extern const unsigned ads1115_rates[8];

/* Index of a full-scale range (volts, e.g. 4.096) or data rate; -1 if none. */
int ads1115_range_index(double volts);
int ads1115_rate_index(unsigned sps);
/* Config word for a single-shot conversion of channel (AINn against GND),
 * comparator off (datasheet table 8). */
uint16_t ads1115_config(unsigned channel, int range_index, int rate_index);
/* Microseconds to wait for a conversion: one period at the data rate, plus
 * the 10% the internal oscillator may be slow, plus wake-up time. */
unsigned ads1115_conversion_us(int rate_index);
/* Volts from the conversion register's two bytes (MSB first). */
double ads1115_volts(const uint8_t raw[2], int range_index);

/* One channel of one chip, read in single-shot mode. */
struct ads1115_input {
	struct i2c_bus *bus;
	uint8_t addr;
	unsigned channel;
	int range, rate; /* indexes */
};

/* err: 0 or an errno value (EINPROGRESS: the conversion never finished). */
typedef void (*ads1115_done_fn)(void *arg, int err, double volts);

struct ads1115_read;
/* Start a conversion; done runs on base's loop. */
struct ads1115_read *ads1115_read(struct event_base *base, const struct ads1115_input *in,
                                  ads1115_done_fn done, void *arg);
/* Abandon it: done will not run. */
void ads1115_cancel(struct ads1115_read *r);

#endif
