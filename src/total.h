/*
 * total.h - reading a total (or a page count) from response header values.
 *
 * Pure functions: no I/O, no global state, safe from any thread.  They take
 * one header's value (the part after "Name:"), never a whole header block,
 * and never log: a value that does not parse is the caller's to report, and
 * the caller decides whether that is fatal or just "no total here".
 */
#ifndef INVDUMP_TOTAL_H
#define INVDUMP_TOTAL_H

/*
 * A non-negative decimal integer, as in X-Total-Count or
 * softlayer-total-items: digits only, with optional spaces and tabs around
 * them.  Signs, other characters, an empty value and values above
 * LLONG_MAX are refused.  Returns 0 and sets *out, or -1 (*out untouched).
 */
int total_parse_count(const char *s, long long *out);

/*
 * The complete length from a Content-Range value: "0-99/1234",
 * "items 0-99/1234" (any unit name before the range), and a star in place
 * of the range for an unsatisfied one ("*" then "/1234").  Returns 1
 * with *total set; 0 when the server says it does not know (a star in place
 * of the length); -1 when the value is malformed (including a range whose
 * first position is after its last).
 */
int total_from_content_range(const char *v, long long *total);

/*
 * The target of the first link with relation rel in a Link header value
 * (RFC 8288): `<https://a/?page=2>; rel="next", <https://a/?page=9>;
 * rel="last"`.  rel may be quoted or not and may list several relations
 * (rel="last end"); relations compare case-insensitively; only a link's
 * first rel parameter counts.  Commas and semicolons inside <...> and inside
 * quoted parameters (title="a, b") do not split links.  Returns a newly
 * allocated copy of the URL, as written (it may be relative), that the
 * caller frees; NULL if no link has that relation.
 */
char *total_link_rel(const char *link, const char *rel);

/*
 * The integer query parameter name of a URL ("page" in ".../v?page=7&x=1"),
 * parsed with libcurl's URL API.  Name and value are percent-decoded before
 * use, so "page%5Bnumber%5D=7" matches name "page[number]".  A relative URL
 * ("/v?page=7") is accepted too.  The first occurrence counts.  Returns 1
 * with *out set; 0 when the URL has no such parameter; -1 when the URL does
 * not parse or the value is not a non-negative integer.
 */
int total_query_param(const char *url, const char *name, long long *out);

/*
 * The integer query parameter param of the rel="last" link of a Link header
 * value: the page count of APIs in the GitHub style.  Returns 1 with *out
 * set; 0 when there is no last link or it has no such parameter; -1 when
 * the last link's URL or the parameter's value is malformed.
 */
int total_link_last(const char *link, const char *param, long long *out);

#endif
