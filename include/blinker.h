/* The Blinker: an LED on a GPIO line, treated as a sensor. Measuring lights
 * it for `blink` seconds (a new measurement restarts the time); its value
 * is the LED state. */
#ifndef MURICLE_BLINKER_H
#define MURICLE_BLINKER_H

#include "driver.h"

/* A [blinker] section. */
struct blinker_conf {
	struct gpio_conf gpio;
	double blink; /* seconds */
};

#endif
