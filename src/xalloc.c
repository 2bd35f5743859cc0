/*
 * xalloc.c - allocation that never returns NULL (see xalloc.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_common.h>

#include "xalloc.h"

static void
xalloc_die(size_t n)
{
	/* No allocation here: we are out of memory. */
	fprintf(stderr, "invdump: out of memory (%zu bytes)\n", n);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xalloc_die(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die(nmemb * size);
	return p;
}

void *
xalign(size_t align, size_t n)
{
	void *p;

	if (posix_memalign(&p, align, n ? n : 1) != 0)
		xalloc_die(n);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		xalloc_die(n);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		xalloc_die(0);
	return p;
}

static void *
yajl_xmalloc(void *ctx, size_t n)
{
	(void)ctx;
	return xmalloc(n);
}

static void *
yajl_xrealloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return xrealloc(p, n);
}

static void
yajl_xfree(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

void
xalloc_yajl_funcs(yajl_alloc_funcs *f)
{
	f->malloc = yajl_xmalloc;
	f->realloc = yajl_xrealloc;
	f->free = yajl_xfree;
	f->ctx = NULL;
}
