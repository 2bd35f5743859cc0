/*
 * query.h - walking the parameters of a URL's query string.
 *
 * libcurl parses and builds URLs but does not split a query into its
 * parameters; this does, and nothing more: no decoding (curl_easy_unescape
 * does that), no allocation.  "a=1&&b" yields "a=1", "" and "b".
 */
#ifndef INVDUMP_QUERY_H
#define INVDUMP_QUERY_H

#include <stddef.h>

struct query_param {
	const char *start;      /* the whole "name=value", as written */
	size_t len;
	size_t name_len;        /* start[0..name_len) is the name */
	const char *value;      /* after the '=', or NULL when there is none */
	size_t value_len;
};

/* Reads the parameter at *cursor into *qp and moves *cursor past it and
 * its '&'; returns 0, leaving *qp alone, when *cursor is at the end. */
int query_next(const char **cursor, struct query_param *qp);

/* Does the parameter's name equal name? */
int query_name_is(const struct query_param *qp, const char *name);

#endif
