/* The Blinker: an LED on a GPIO line, treated as a sensor. Measuring lights
 * it for `blink` seconds (a new measurement restarts the time); its value
 * is the LED state. */
#ifndef MURICLE_BLINKER_H
#define MURICLE_BLINKER_H

struct gpio;
struct sensor;
struct sensor_conf;

struct sensor *blinker_sensor_new(const struct sensor_conf *sc, struct gpio *gpio);

#endif
