/* A push button on a GPIO input. Its values are whether it is pressed and
 * how often it was; a press can trigger a measurement of every sensor. */
#ifndef MURICLE_BUTTON_H
#define MURICLE_BUTTON_H

struct gpio;
struct sensor;
struct sensor_conf;

/* on_press runs on the loop at each debounced press (may be NULL). */
struct sensor *button_sensor_new(const struct sensor_conf *sc, struct gpio *gpio,
                                 void (*on_press)(void *arg), void *arg);

#endif
