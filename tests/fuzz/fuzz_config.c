/* libFuzzer: the configuration parser on any text. Every input either
 * parses or fails with at least one message; none crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char *text = malloc(size + 1);
	struct buf errors;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	buf_init(&errors);
	if (config_parse(&cfg, "fuzz.conf", text, &errors) < 0 && errors.len == 0)
		abort(); /* a refusal must say why */
	buf_free(&errors);
	free(text);
	return 0;
}
