/*
 * One single-shot ADS1115 conversion: write the config word (which starts
 * it), wait one conversion period on a timer, check the OS bit says it is
 * done, read the result. Registers are 16 bit, most significant byte first:
 * word transfers (see i2c_read_word).
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>

#include "ads1115.h"
#include "i2c.h"
#include "loop.h"
#include "xmalloc.h"

#define ADS1115_MAX_POLLS 3 /* extra waits of a tenth of a period each */

enum step { WRITE_CONFIG, WAIT, READ_CONFIG, READ_CONVERSION };

struct ads1115_read {
	struct ads1115_input in;
	ads1115_done_fn done;
	void *arg;
	enum step step;
	struct i2c_req *req;
	struct event *wait;
	uint8_t buf[2];
	int polls;
};

static void ads1115_step(int err, void *arg);

static void ads1115_finish(struct ads1115_read *r, int err, double volts)
{
	ads1115_done_fn done = r->done;
	void *arg = r->arg;

	event_free(r->wait);
	free(r);
	done(arg, err, volts);
}

static void ads1115_wait(struct ads1115_read *r, unsigned us)
{
	struct timeval tv = loop_timeval(us / 1e6);

	r->step = WAIT;
	evtimer_add(r->wait, &tv);
}

static void ads1115_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ads1115_step(0, arg);
}

static void ads1115_step(int err, void *arg)
{
	struct ads1115_read *r = arg;

	r->req = NULL;
	if (err != 0) {
		ads1115_finish(r, err, 0);
		return;
	}
	switch (r->step) {
	case WRITE_CONFIG: ads1115_wait(r, ads1115_conversion_us(r->in.rate)); return;
	case WAIT:
		r->step = READ_CONFIG;
		r->req = i2c_read_word(r->in.bus, r->in.addr, ADS1115_REG_CONFIG, r->buf,
		                       ads1115_step, r);
		return;
	case READ_CONFIG:
		if (!(r->buf[0] & ADS1115_OS >> 8)) {
			/* Still converting: the oscillator runs slow, or this is not an ADS1115. */
			if (++r->polls > ADS1115_MAX_POLLS) {
				ads1115_finish(r, EINPROGRESS, 0);
				return;
			}
			ads1115_wait(r, ads1115_conversion_us(r->in.rate) / 10);
			return;
		}
		r->step = READ_CONVERSION;
		r->req = i2c_read_word(r->in.bus, r->in.addr, ADS1115_REG_CONVERSION, r->buf,
		                       ads1115_step, r);
		return;
	case READ_CONVERSION: ads1115_finish(r, 0, ads1115_volts(r->buf, r->in.range)); return;
	}
}

struct ads1115_read *ads1115_read(struct event_base *base, const struct ads1115_input *in,
                                  ads1115_done_fn done, void *arg)
{
	struct ads1115_read *r = xcalloc(1, sizeof *r);
	uint16_t cfg = ads1115_config(in->channel, in->range, in->rate);
	uint8_t word[2] = { (uint8_t)(cfg >> 8), (uint8_t)cfg };

	r->in = *in;
	r->done = done;
	r->arg = arg;
	r->wait = evtimer_new(base, ads1115_wait_cb, r);
	r->step = WRITE_CONFIG;
	r->req = i2c_write_word(in->bus, in->addr, ADS1115_REG_CONFIG, word, ads1115_step, r);
	return r;
}

void ads1115_cancel(struct ads1115_read *r)
{
	if (r == NULL)
		return;
	i2c_cancel(r->req);
	event_free(r->wait);
	free(r);
}
