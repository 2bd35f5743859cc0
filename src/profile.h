/*
 * profile.h - how an API pages and where it keeps its total.
 *
 * A profile is a row of a fixed table (softlayer, offset, ...).  The command
 * line copies one row and overrides fields (--offset-param, --items-path,
 * ...); from then on the copy is read-only and shared by every thread.
 * profile_page_url() is the only place that knows how a page is asked for.
 */
#ifndef INVDUMP_PROFILE_H
#define INVDUMP_PROFILE_H

#include <curl/curl.h>

enum profile_style {
	profile_style_offset,     /* ?OFFSET_PARAM=o&LIMIT_PARAM=n */
	profile_style_softlayer   /* ?resultLimit=o,n */
};

struct profile {
	const char *name;
	const char *summary;          /* one line for --help */
	enum profile_style style;
	const char *offset_param;
	const char *limit_param;
	const char *total_header;     /* response header holding the total */
	const char *items_path;       /* "" : the body is the items array */
	const char *total_path;       /* body field holding the total, or NULL */
};

/* The row named name, or NULL. */
const struct profile *profile_find(const char *name);
/* The table, for --help; ends with a row whose name is NULL. */
const struct profile *profile_table(void);

/*
 * Parses url once for profile_page_url(): returns NULL (and a message in
 * err, of size errsz) when it is not an absolute http or https URL.  Query
 * parameters the profile sets itself (offset, limit, resultLimit) are
 * removed from it; every other parameter is kept as it was.
 */
CURLU *profile_base_url(const struct profile *p, const char *url,
    char *err, size_t errsz);

/* Returns the URL of the page at offset with limit items, newly allocated
 * with curl's allocator (free it with curl_free). */
char *profile_page_url(const struct profile *p, const CURLU *base,
    long long offset, long limit);

#endif
