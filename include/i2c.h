/*
 * An I2C bus as sensor drivers see it: register reads and writes that
 * complete later, on the event loop, through a callback. The Linux backend
 * runs the (blocking) i2c-dev ioctls on a worker thread; the simulated one
 * answers from device models after an optional delay. Drivers never know
 * which one they talk to.
 */
#ifndef MURICLE_I2C_H
#define MURICLE_I2C_H

#include <stddef.h>
#include <stdint.h>

/* Largest transfer: what an SMBus I2C-block transfer can carry. */
#define I2C_XFER_MAX 32

struct i2c_bus;
struct i2c_req;

/* err is 0 or an errno value. A read's data is already in the caller's buffer. */
typedef void (*i2c_done_fn)(int err, void *arg);

struct i2c_bus_ops {
	/* Start req; complete it later with i2c_req_complete(), on the loop thread. */
	void (*submit)(struct i2c_bus *bus, struct i2c_req *req);
	/* Forget req: its callback must never run. The backend frees it. */
	void (*cancel)(struct i2c_bus *bus, struct i2c_req *req);
	void (*destroy)(struct i2c_bus *bus);
};

struct i2c_bus {
	const struct i2c_bus_ops *ops;
	char path[128];
};

/* One transfer in flight. Owned by the bus from submit until completion. */
struct i2c_req {
	struct i2c_bus *bus;
	uint8_t addr;
	uint8_t reg;
	int write;
	int word;   /* one 16-bit register, most significant byte first */
	int stream; /* reg is a control byte, not a register: it never advances */
	uint8_t data[I2C_XFER_MAX];
	size_t len;
	uint8_t *dst; /* where a read's data goes on completion */
	i2c_done_fn done;
	void *arg;
	void *backend; /* the backend's per-request state */
};

/* Read len bytes starting at register reg into dst (which must stay valid
 * until completion or cancel). Returns a handle for i2c_cancel. */
struct i2c_req *i2c_read(struct i2c_bus *bus, uint8_t addr, uint8_t reg, uint8_t *dst, size_t len,
                         i2c_done_fn done, void *arg);
/* Write len bytes (copied) starting at register reg. */
struct i2c_req *i2c_write(struct i2c_bus *bus, uint8_t addr, uint8_t reg, const uint8_t *src,
                          size_t len, i2c_done_fn done, void *arg);
/* A plain write: the control byte, then len bytes (copied), as one I2C
 * transfer (an SMBus I2C-block write carries exactly that). On an adapter
 * without block writes each byte goes in a transfer of its own, after the
 * same control byte: what controllers such as the SSD1306 take. */
struct i2c_req *i2c_send(struct i2c_bus *bus, uint8_t addr, uint8_t control, const uint8_t *src,
                         size_t len, i2c_done_fn done, void *arg);
/* Read or write one 16-bit register whose most significant byte comes
 * first (as on the ADS1115): SMBus word transfers, byte-swapped, where the
 * bus has them. data[0] is the most significant byte. */
struct i2c_req *i2c_read_word(struct i2c_bus *bus, uint8_t addr, uint8_t reg, uint8_t dst[2],
                              i2c_done_fn done, void *arg);
struct i2c_req *i2c_write_word(struct i2c_bus *bus, uint8_t addr, uint8_t reg, const uint8_t src[2],
                               i2c_done_fn done, void *arg);
/* Cancel a transfer in flight; its callback will not run. */
void i2c_cancel(struct i2c_req *req);
void i2c_bus_free(struct i2c_bus *bus);

/* A bus on /dev/i2c-N. Transfers run on a worker thread of its own (the
 * kernel makes every i2c-dev ioctl blocking) and complete on base's loop. */
struct event_base;
struct i2c_bus *i2c_linux_bus(struct event_base *base, const char *path);
/* For tests: the same, as on a wedged adapter: every transfer blocks its
 * worker for `seconds`, then fails with ETIMEDOUT. */
struct i2c_bus *i2c_linux_bus_wedged(struct event_base *base, const char *path, double seconds);

/* For backends: deliver the result, run the callback and free req. */
void i2c_req_complete(struct i2c_req *req, int err);

/* Describe an I2C failure so that a user knows what to do about it. */
void i2c_describe_error(char *out, size_t outlen, int err, const char *bus, unsigned addr);

#endif
