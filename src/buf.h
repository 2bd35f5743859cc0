/*
 * buf.h - growable byte buffers with a hard cap.
 *
 * A buf grows geometrically up to its cap (max).  An append that would pass
 * the cap fails and sets the sticky `toobig` flag; the buffer is left as it
 * was before the failing append.  Memory comes from xalloc, so growth below
 * the cap never fails.  The data is not NUL-terminated unless the caller
 * appends a NUL; buf_cstr() does that without counting it in len.
 */
#ifndef INVDUMP_BUF_H
#define INVDUMP_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;     /* hard cap on len; 0 means SIZE_MAX */
	int toobig;     /* set once an append was refused */
};

void buf_init(struct buf *b, size_t max);
/* Appends n bytes; returns 0, or -1 (and sets toobig) past the cap. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addc(struct buf *b, char c);
int buf_adds(struct buf *b, const char *s);
/* Makes room for n more bytes; returns a pointer to them or NULL past the cap. */
char *buf_reserve(struct buf *b, size_t n);
/* Returns data NUL-terminated (the NUL is not counted in len); NULL past the cap. */
const char *buf_cstr(struct buf *b);
/* Empties the buffer, keeping its memory and clearing toobig. */
void buf_reset(struct buf *b);
/* Frees the memory; the buffer may be used again after buf_init(). */
void buf_free(struct buf *b);

#endif
