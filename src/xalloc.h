/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Every allocator here either returns usable memory or ends the process with
 * a message on stderr (exit status 1).  Callers never test for NULL.  The
 * same functions are handed to yajl through xalloc_yajl_funcs so that the
 * parser and generator follow the same rule.
 */
#ifndef INVDUMP_XALLOC_H
#define INVDUMP_XALLOC_H

#include <stddef.h>

#include <yajl/yajl_common.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* n bytes at an address that is a multiple of align (a power of two, a
 * multiple of sizeof(void *)); freed with free. */
void *xalign(size_t align, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills *f with allocators for yajl_alloc()/yajl_gen_alloc(). */
void xalloc_yajl_funcs(yajl_alloc_funcs *f);

#endif
