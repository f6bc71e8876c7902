/* The libgpiod shim on a machine without the lines asked for: clear errors,
 * no crash. Driving real lines is tested against gpio-sim in the VM. */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "gpio.h"
#include "testutil.h"

START_TEST(missing_lines)
{
	struct event_base *base = tu_loop();
	struct gpio *g = gpio_linux_new(base);
	char err[160];
	struct gpio_request by_name = { .line = "MURICLE_TEST_NO_SUCH_LINE", .dir = GPIO_OUTPUT };
	struct gpio_request by_offset = { .chip = "gpiochip99", .line = "17", .dir = GPIO_INPUT };
	struct gpio_request named_on_chip = { .chip = "/dev/gpiochip99", .line = "GPIO17" };

	ck_assert_ptr_null(gpio_request(g, &by_name, err, sizeof err));
	ck_assert_str_eq(err,
	                 "no GPIO line 'MURICLE_TEST_NO_SUCH_LINE' (gpioinfo lists the lines)");
	ck_assert_ptr_null(gpio_request(g, &by_offset, err, sizeof err));
	ck_assert_str_eq(err, "no GPIO line '17' on gpiochip99 (gpioinfo lists the lines)");
	ck_assert_ptr_null(gpio_request(g, &named_on_chip, err, sizeof err));
	ck_assert_str_eq(err,
	                 "no GPIO line 'GPIO17' on /dev/gpiochip99 (gpioinfo lists the lines)");
	ck_assert_ptr_nonnull(strstr(gpio_linux_version(), "libgpiod "));
	gpio_free(g);
	event_base_free(base);
}
END_TEST

START_TEST(errors_say_what_to_do)
{
	struct gpio_request rq = { .line = "GPIO17" };
	char err[160];

	gpio_describe_error(err, sizeof err, EACCES, &rq);
	ck_assert_str_eq(err,
	                 "no permission to use GPIO line GPIO17: run as a member of group gpio");
	gpio_describe_error(err, sizeof err, EBUSY, &rq);
	ck_assert_str_eq(err,
	                 "GPIO line GPIO17 is in use by another program (gpioinfo shows which)");
	gpio_describe_error(err, sizeof err, EIO, &rq);
	ck_assert_str_eq(err, "cannot request GPIO line GPIO17: Input/output error");
	ck_assert(gpio_is_offset("17"));
	ck_assert(!gpio_is_offset("GPIO17"));
	ck_assert(!gpio_is_offset(""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpio_linux");
	TCase *tc = tcase_create("gpio_linux");

	tcase_add_test(tc, missing_lines);
	tcase_add_test(tc, errors_say_what_to_do);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
