/* A push button on a GPIO input. Its values are whether it is pressed and
 * how often it was; a press can trigger a measurement of every sensor. */
#ifndef MURICLE_BUTTON_H
#define MURICLE_BUTTON_H

#include "driver.h"

enum button_action { BUTTON_NONE, BUTTON_MEASURE };

/* A [button] section. */
struct button_conf {
	struct gpio_conf gpio;
	int bias;        /* enum gpio_bias */
	double debounce; /* seconds */
	int action;      /* enum button_action */
};

#endif
