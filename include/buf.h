/* A growable text buffer with the escaping the renderers need. */
#ifndef MURICLE_BUF_H
#define MURICLE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append s with &, <, >, " and ' escaped for HTML text and attributes. */
void buf_html(struct buf *b, const char *s);
/* Append s as a quoted JSON string. */
void buf_json_str(struct buf *b, const char *s);
/* Hand the contents to the caller (free() them) and leave b empty. */
char *buf_steal(struct buf *b, size_t *len);

#endif
