/* The backend-independent half of an I2C bus: requests and error texts. */
#include "i2c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

static struct i2c_req *i2c_submit(struct i2c_bus *bus, uint8_t addr, uint8_t reg, int write,
                                  size_t len, i2c_done_fn done, void *arg)
{
	if (len == 0 || len > I2C_XFER_MAX)
		fatal("i2c: transfer of %zu bytes (1 to %d allowed)", len, I2C_XFER_MAX);
	struct i2c_req *req = xcalloc(1, sizeof *req);
	req->bus = bus;
	req->addr = addr;
	req->reg = reg;
	req->write = write;
	req->len = len;
	req->done = done;
	req->arg = arg;
	return req;
}

struct i2c_req *i2c_read(struct i2c_bus *bus, uint8_t addr, uint8_t reg, uint8_t *dst, size_t len,
                         i2c_done_fn done, void *arg)
{
	struct i2c_req *req = i2c_submit(bus, addr, reg, 0, len, done, arg);
	req->dst = dst;
	bus->ops->submit(bus, req);
	return req;
}

struct i2c_req *i2c_write(struct i2c_bus *bus, uint8_t addr, uint8_t reg, const uint8_t *src,
                          size_t len, i2c_done_fn done, void *arg)
{
	struct i2c_req *req = i2c_submit(bus, addr, reg, 1, len, done, arg);
	memcpy(req->data, src, len);
	bus->ops->submit(bus, req);
	return req;
}

struct i2c_req *i2c_send(struct i2c_bus *bus, uint8_t addr, uint8_t control, const uint8_t *src,
                         size_t len, i2c_done_fn done, void *arg)
{
	struct i2c_req *req = i2c_submit(bus, addr, control, 1, len, done, arg);

	req->stream = 1;
	memcpy(req->data, src, len);
	bus->ops->submit(bus, req);
	return req;
}

struct i2c_req *i2c_read_word(struct i2c_bus *bus, uint8_t addr, uint8_t reg, uint8_t dst[2],
                              i2c_done_fn done, void *arg)
{
	struct i2c_req *req = i2c_submit(bus, addr, reg, 0, 2, done, arg);

	req->word = 1;
	req->dst = dst;
	bus->ops->submit(bus, req);
	return req;
}

struct i2c_req *i2c_write_word(struct i2c_bus *bus, uint8_t addr, uint8_t reg, const uint8_t src[2],
                               i2c_done_fn done, void *arg)
{
	struct i2c_req *req = i2c_submit(bus, addr, reg, 1, 2, done, arg);

	req->word = 1;
	memcpy(req->data, src, 2);
	bus->ops->submit(bus, req);
	return req;
}

void i2c_cancel(struct i2c_req *req)
{
	if (req != NULL)
		req->bus->ops->cancel(req->bus, req);
}

void i2c_bus_free(struct i2c_bus *bus)
{
	if (bus != NULL)
		bus->ops->destroy(bus);
}

void i2c_req_complete(struct i2c_req *req, int err)
{
	if (err == 0 && !req->write)
		memcpy(req->dst, req->data, req->len);
	i2c_done_fn done = req->done;
	void *arg = req->arg;
	free(req);
	done(err, arg);
}

void i2c_describe_error(char *out, size_t outlen, int err, const char *bus, unsigned addr)
{
	switch (err) {
	case ENOENT:
		snprintf(out, outlen,
		         "%s does not exist: enable I2C (raspi-config, or dtparam=i2c_arm=on)",
		         bus);
		break;
	case EACCES:
	case EPERM:
		snprintf(out, outlen, "no permission to open %s: run as a member of group i2c",
		         bus);
		break;
	case EBUSY:
		snprintf(out, outlen,
		         "address 0x%02x on %s is claimed by a kernel driver: unbind or blacklist "
		         "it",
		         addr, bus);
		break;
	case ENXIO: /* the address was not acknowledged */
	case EREMOTEIO:
	case ENODEV: /* how some adapters (i2c-stub) say the same */
		snprintf(out, outlen, "no device answers at 0x%02x on %s: check wiring and address",
		         addr, bus);
		break;
	case EOPNOTSUPP:
		snprintf(out, outlen, "%s is not an I2C bus with SMBus byte transfers", bus);
		break;
	case ETIMEDOUT:
		snprintf(out, outlen,
		         "bus %s timed out talking to 0x%02x: check wiring and pull-ups", bus,
		         addr);
		break;
	default:
		snprintf(out, outlen, "I2C transfer with 0x%02x on %s failed: %s", addr, bus,
		         strerror(err));
	}
}
