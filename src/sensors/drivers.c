/* The sensor kinds muricle knows. A new kind is its driver file (which
 * defines `const struct driver KIND_driver`) and its name on this list. */
#include "driver.h"

#define DRIVERS(X) X(blinker) X(button) X(bmp180) X(bme280) X(bmp280) X(mq135)

#define DECLARE(kind) extern const struct driver kind##_driver;
#define ENTRY(kind)   &kind##_driver,

DRIVERS(DECLARE)

const struct driver *const drivers[] = { DRIVERS(ENTRY) NULL };
