/*
 * profile.h - how an API pages and where it keeps its total.
 *
 * A profile is a row of a fixed table (softlayer, offset, range, page, drf,
 * odata, scim, cursor, infoblox, meraki, f5, servicenow).  The command line
 * copies one row and overrides fields (--offset-param, --items-path, ...);
 * from then on the copy is read-only and shared by every thread.
 * profile_page_url() and profile_page_headers() are the only places that
 * know how a page is asked for.
 *
 * Pages are numbered by item offset everywhere in invdump; a profile turns
 * an offset into its own terms (a 1-based index, a page number, a Range
 * header).  Cursor profiles have no offsets: each page names the next.
 */
#ifndef INVDUMP_PROFILE_H
#define INVDUMP_PROFILE_H

#include <curl/curl.h>

enum profile_style {
	profile_style_offset,     /* ?OFFSET_PARAM=base+o&LIMIT_PARAM=n */
	profile_style_softlayer,  /* ?resultLimit=o,n */
	profile_style_range,      /* Range: o-(o+n-1), Range-Unit: items */
	profile_style_page,       /* ?PAGE_PARAM=base+o/n&LIMIT_PARAM=n */
	profile_style_cursor,     /* sequential: ?LIMIT_PARAM=n, then the next
	                             URL, or CURSOR_PARAM=token */
	profile_style_single      /* one request; the body, whatever it is, is
	                             one item (F5 /mgmt/tm/sys/version) */
};

struct profile {
	const char *name;
	const char *summary;          /* one line for --help */
	enum profile_style style;
	const char *offset_param;     /* offset, start index or page number */
	const char *limit_param;
	int base;                     /* the first offset/page: 0 or 1 */
	const char *extra_query;      /* always sent, e.g. "$count=true" */
	const char *sort_param;       /* "name=value" asking for a stable
	                                 order, or NULL */
	const char *total_header;     /* response header with the item total
	                                 ("Content-Range": its /N part) */
	const char *pages_header;     /* response header with the page count */
	int link_last;                /* page count from Link rel="last" */
	const char *items_path;       /* "" : the body is the items array */
	const char *total_path;       /* body field holding the total, or NULL */
	const char *next_path;        /* cursor: body field with the next URL
	                                 or token, or NULL */
	const char *cursor_param;     /* cursor: where a token goes back, or
	                                 NULL when next_path holds a URL */
	int link_next;                /* cursor: next from Link rel="next" */
};

/* Pages one after another (cursor, single): no offsets, no pool. */
#define profile_sequential(p) \
	((p)->style == profile_style_cursor || (p)->style == profile_style_single)

/* The row named name, or NULL. */
const struct profile *profile_find(const char *name);
/* The table, for --help; ends with a row whose name is NULL. */
const struct profile *profile_table(void);

/*
 * Parses url once for profile_page_url(): returns NULL (and a message in
 * err, of size errsz) when it is not an absolute http or https URL.  Query
 * parameters the profile sets itself (offset, limit, cursor) are removed
 * from it; every other parameter is kept as it was, byte for byte, and the
 * profile's extra query and sort parameter are added unless the URL has
 * them already.
 */
CURLU *profile_base_url(const struct profile *p, const char *url,
    char *err, size_t errsz);

/* How many of url's query parameters the profile sets itself (offset,
 * limit, cursor), which profile_base_url drops; they go to buf, as
 * "name=value&...", for a warning. */
int profile_own_params(const struct profile *p, const char *url, char *buf,
    size_t n);

/* Returns the URL of the page at offset with limit items (for a cursor
 * profile: the first page, offset ignored), newly allocated with curl's
 * allocator (free it with curl_free); NULL if out of memory. */
char *profile_page_url(const struct profile *p, const CURLU *base,
    long long offset, long limit);

/* The URL of the page after the one at cur, given the next value the page
 * gave: a URL (absolute, or relative to cur) when the profile has no
 * cursor_param, else a token.  Curl-allocated; NULL if it is not usable. */
char *profile_next_url(const struct profile *p, const CURLU *base,
    const char *cur, const char *next, long limit);

/* Request headers the page at offset needs beyond the user's (Range for
 * the range profile), or NULL; free with curl_slist_free_all. */
struct curl_slist *profile_page_headers(const struct profile *p,
    long long offset, long limit);

/* The cookie that stands for Basic credentials once an answer set it
 * (the profile's cookies are then on), or NULL. */
const char *profile_auth_cookie(const struct profile *pr);

#endif
