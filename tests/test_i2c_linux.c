/* The i2c-dev backend's plumbing on a machine without I2C: requests run on
 * the worker thread and complete on the loop thread, cancelled ones never
 * call back, and errors say what to do. Real transfers are tested against
 * the kernel's i2c-stub in the VM (make vm-check). */
#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i2c.h"
#include "testutil.h"

struct result {
	int calls;
	int err;
	bool on_loop_thread;
	bool done;
};

static pthread_t loop_thread;

static void done_cb(int err, void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->err = err;
	r->on_loop_thread = pthread_equal(pthread_self(), loop_thread);
	r->done = true;
}

START_TEST(missing_bus)
{
	struct event_base *base = tu_loop();
	struct i2c_bus *bus = i2c_linux_bus(base, "/dev/i2c-99");
	struct result r = { 0 };
	uint8_t buf[2];
	char text[160];

	loop_thread = pthread_self();
	i2c_read(bus, 0x77, 0xD0, buf, 2, done_cb, &r);
	ck_assert_int_eq(r.calls, 0); /* never synchronously */
	ck_assert(tu_run_until(base, &r.done, 10));
	ck_assert_int_eq(r.err, ENOENT);
	ck_assert(r.on_loop_thread);
	i2c_describe_error(text, sizeof text, r.err, "/dev/i2c-99", 0x77);
	ck_assert_str_eq(text, "/dev/i2c-99 does not exist: enable I2C (raspi-config, or "
	                       "dtparam=i2c_arm=on)");
	i2c_bus_free(bus);
	event_base_free(base);
}
END_TEST

START_TEST(not_an_i2c_bus)
{
	struct event_base *base = tu_loop();
	struct i2c_bus *bus = i2c_linux_bus(base, "/dev/null");
	struct result r = { 0 };
	uint8_t b = 0x2E;
	char text[160];

	loop_thread = pthread_self();
	i2c_write(bus, 0x77, 0xF4, &b, 1, done_cb, &r);
	ck_assert(tu_run_until(base, &r.done, 10));
	ck_assert_int_eq(r.err, EOPNOTSUPP);
	i2c_describe_error(text, sizeof text, r.err, "/dev/null", 0x77);
	ck_assert_str_eq(text, "/dev/null is not an I2C bus with SMBus byte transfers");
	i2c_bus_free(bus);
	event_base_free(base);
}
END_TEST

START_TEST(cancelled_requests_never_call_back)
{
	struct event_base *base = tu_loop();
	struct i2c_bus *bus = i2c_linux_bus(base, "/dev/i2c-99");
	struct result r[20] = { { 0 } };
	struct i2c_req *req[20];
	uint8_t buf[20][4];

	loop_thread = pthread_self();
	for (int i = 0; i < 20; i++)
		req[i] = i2c_read(bus, 0x48, 0, buf[i], 2, done_cb, &r[i]);
	/* Cancel every other one: some still queued, some on the worker or done. */
	for (int i = 0; i < 20; i += 2)
		i2c_cancel(req[i]);
	ck_assert(tu_run_until(base, &r[19].done, 10));
	tu_run_for(base, 0.2);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(r[i].calls, i % 2 ? 1 : 0);
		if (i % 2)
			ck_assert(r[i].on_loop_thread);
	}
	i2c_bus_free(bus);
	event_base_free(base);
}
END_TEST

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A worker stuck in a transfer (a wedged adapter blocks for its timeout) is
 * abandoned: freeing the bus, as a reload does, returns at once, no callback
 * runs, and the worker frees the bus when its transfer ends (ASan and
 * valgrind see that it does, and that nothing is used after). */
START_TEST(a_stuck_worker_is_abandoned_not_joined)
{
	struct event_base *base = tu_loop();
	struct i2c_bus *bus = i2c_linux_bus_wedged(base, "/dev/i2c-1", 1.5);
	struct result r[3] = { { 0 } };
	uint8_t buf[3][2];

	loop_thread = pthread_self();
	struct i2c_req *stuck = i2c_read(bus, 0x77, 0xD0, buf[0], 2, done_cb, &r[0]);
	i2c_read(bus, 0x77, 0xD0, buf[1], 2, done_cb, &r[1]); /* queued behind it */
	tu_run_for(base, 0.1); /* the worker is in the first transfer now */
	i2c_cancel(stuck);
	double t0 = now();
	i2c_bus_free(bus);
	double took = now() - t0;
	ck_assert_msg(took < 0.5, "freeing the bus waited %.3f s for its worker", took);
	/* Another bus on the same path works meanwhile. */
	struct i2c_bus *again = i2c_linux_bus(base, "/dev/i2c-99");
	i2c_read(again, 0x77, 0xD0, buf[2], 2, done_cb, &r[2]);
	ck_assert(tu_run_until(base, &r[2].done, 10));
	ck_assert_int_eq(r[2].err, ENOENT);
	tu_run_for(base, 1.8); /* the stuck transfer ends, its worker cleans up */
	ck_assert_int_eq(r[0].calls, 0);
	ck_assert_int_eq(r[1].calls, 0);
	i2c_bus_free(again);
	event_base_free(base);
}
END_TEST

START_TEST(errors_say_what_to_do)
{
	static const struct {
		int err;
		const char *text;
	} cases[] = {
		{ EACCES, "no permission to open /dev/i2c-1: run as a member of group i2c" },
		{ EBUSY, "address 0x77 on /dev/i2c-1 is claimed by a kernel driver" },
		{ ENXIO, "no device answers at 0x77 on /dev/i2c-1: check wiring and address" },
		{ EREMOTEIO, "no device answers at 0x77 on /dev/i2c-1" },
		{ ENODEV, "no device answers at 0x77 on /dev/i2c-1" },
		{ ETIMEDOUT, "bus /dev/i2c-1 timed out talking to 0x77" },
		{ EIO, "I2C transfer with 0x77 on /dev/i2c-1 failed: Input/output error" },
	};
	char text[160];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		i2c_describe_error(text, sizeof text, cases[i].err, "/dev/i2c-1", 0x77);
		ck_assert_msg(strncmp(text, cases[i].text, strlen(cases[i].text)) == 0, "%s", text);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("i2c_linux");
	TCase *tc = tcase_create("i2c_linux");

	tcase_add_test(tc, missing_bus);
	tcase_add_test(tc, not_an_i2c_bus);
	tcase_add_test(tc, cancelled_requests_never_call_back);
	tcase_add_test(tc, a_stuck_worker_is_abandoned_not_joined);
	tcase_add_test(tc, errors_say_what_to_do);
	suite_add_tcase(s, tc);
	return tu_run_suite(s);
}
