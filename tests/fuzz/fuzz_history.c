/* libFuzzer: the history file decoder. The first byte chooses the framing:
 * even, the input is the whole file (magic, version and checksum must be
 * right by chance); odd, the rest is wrapped in a valid header and CRC so
 * that the body's walk is what is fuzzed. Whatever decodes must encode to
 * a file that decodes again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "buf.h"
#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_u32(struct buf *b, uint32_t v)
{
	char le[4] = { (char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
		       (char)(v >> 24 & 0xff) };

	buf_add(b, le, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf file, again;
	char err[256];

	if (size == 0)
		return 0;
	buf_init(&file);
	buf_init(&again);
	if (data[0] & 1) {
		buf_add(&file, "MURICLEH", 8);
		put_u32(&file, 1);
		buf_add(&file, (const char *)data + 1, size - 1);
		put_u32(&file, (uint32_t)crc32(0, (const Bytef *)file.data, (uInt)file.len));
	} else {
		buf_add(&file, (const char *)data + 1, size - 1);
	}
	struct history *h = history_new(7 * 86400, 60);
	if (history_decode(h, file.data, file.len, err, sizeof err) >= 0) {
		history_encode(h, &again);
		struct history *h2 = history_new(7 * 86400, 60);
		if (history_decode(h2, again.data, again.len, err, sizeof err) < 0)
			abort(); /* our own file refused */
		history_free(h2);
	}
	history_free(h);
	buf_free(&file);
	buf_free(&again);
	return 0;
}
