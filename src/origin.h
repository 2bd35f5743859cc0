/*
 * origin.h - whose server a URL is: the rule that credentials go only to
 * the origin they were given for.
 *
 * An origin is scheme, host and port (RFC 6454), written
 * "scheme://host:port" in lower case with the default port filled in, so
 * that two spellings of one origin compare equal as strings.  This module
 * owns the decision whether a URL other than the user's may be asked at
 * all (a next link, a redirect); it never does I/O and never prints.
 */
#ifndef INVDUMP_ORIGIN_H
#define INVDUMP_ORIGIN_H

#include <curl/curl.h>

enum origin_verdict {
	origin_same,            /* the user's own origin */
	origin_allowed,         /* another origin the user allowed */
	origin_foreign,         /* another origin: refused */
	origin_downgrade,       /* https to http: refused, always */
	origin_bad              /* not an absolute http(s) URL: refused */
};

/* The origin of an absolute http or https URL, newly allocated; NULL when
 * url is not one. */
char *origin_of(const char *url);

/*
 * May url be asked, given the user's origin (from origin_of) and the
 * origins the user allowed (--allow-origin, each already normalised with
 * origin_of; NULL for none)?  A downgrade from https to http is refused
 * even to an allowed origin.
 */
enum origin_verdict origin_check(const char *own, const char *url,
    const struct curl_slist *allowed);

/* A phrase for a refusal: "another origin", "a downgrade from https to
 * http", ... */
const char *origin_verdict_text(enum origin_verdict v);

#endif
