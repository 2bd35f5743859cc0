/*
 * total.c - reading a total (or a page count) from header values
 * (see total.h).
 *
 * Header values come from the network: every parser here walks the string
 * once, bounds itself by the NUL, and refuses rather than guesses.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "total.h"
#include "query.h"
#include "xalloc.h"

static int
total_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int
total_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Reads the digits at *sp into *out, refusing overflow, and advances *sp.
 * Returns 0, or -1 when there is no digit or the value passes LLONG_MAX.
 */
static int
total_digits(const char **sp, long long *out)
{
	const char *s = *sp;
	long long v = 0;
	int d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = *s - '0';
		if (v > (LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int
total_parse_count(const char *s, long long *out)
{
	long long v;

	if (s == NULL)
		return -1;
	while (total_is_space(*s))
		s++;
	if (total_digits(&s, &v) == -1)
		return -1;
	while (total_is_space(*s))
		s++;
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

/* RFC 9110 tchar, what a range unit is made of. */
static int
total_is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

int
total_from_content_range(const char *v, long long *total)
{
	long long first, last, n;

	if (v == NULL)
		return -1;
	while (total_is_space(*v))
		v++;
	/* A unit ("bytes", "items") starts with a letter; a range does not. */
	if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z')) {
		while (total_is_tchar(*v))
			v++;
		if (!total_is_space(*v))
			return -1;
		while (total_is_space(*v))
			v++;
	}
	if (*v == '*')
		v++;
	else {
		if (total_digits(&v, &first) == -1 || *v++ != '-' ||
		    total_digits(&v, &last) == -1 || first > last)
			return -1;
	}
	if (*v++ != '/')
		return -1;
	if (*v == '*') {
		v++;
		n = -1;
	} else if (total_digits(&v, &n) == -1)
		return -1;
	while (total_is_space(*v))
		v++;
	if (*v != '\0')
		return -1;
	if (n < 0)
		return 0;
	*total = n;
	return 1;
}

/* Skips a quoted-string starting at the opening quote; returns the
 * position after the closing quote (or the NUL if unterminated). */
static const char *
total_skip_quoted(const char *s)
{
	for (s++; *s != '\0' && *s != '"'; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
	return *s == '"' ? s + 1 : s;
}

/*
 * Whether the space-separated relation list [s, e) names rel, compared
 * without regard to case.  A quoted list may hold backslash escapes; they
 * are not honoured: no registered relation type needs one.
 */
static int
total_rel_has(const char *s, const char *e, const char *rel)
{
	size_t rlen = strlen(rel), i;
	const char *w;

	while (s < e) {
		while (s < e && (total_is_space(*s) || *s == '\n' || *s == '\r'))
			s++;
		for (w = s; s < e && !total_is_space(*s) && *s != '\n' &&
		    *s != '\r'; s++)
			;
		if ((size_t)(s - w) != rlen || rlen == 0)
			continue;
		for (i = 0; i < rlen; i++)
			if (total_lower((unsigned char)w[i]) !=
			    total_lower((unsigned char)rel[i]))
				break;
		if (i == rlen)
			return 1;
	}
	return 0;
}

/* Skips to the ',' that ends the current link, outside quotes and <>. */
static const char *
total_skip_link(const char *s)
{
	while (*s != '\0' && *s != ',') {
		if (*s == '"')
			s = total_skip_quoted(s);
		else if (*s == '<') {
			while (*s != '\0' && *s != '>')
				s++;
			if (*s == '>')
				s++;
		} else
			s++;
	}
	return s;
}

static const char *
total_skip_space(const char *s)
{
	while (total_is_space(*s))
		s++;
	return s;
}

/* One link-param at s (just past its ';'): its name in nb..ne and its
 * value, quotes taken off, in vb..ve (empty when it has none).  Returns
 * the end of the parameter. */
static const char *
total_link_param(const char *s, const char **nb, const char **ne,
    const char **vb, const char **ve)
{
	s = total_skip_space(s);
	for (*nb = s; *s != '\0' && *s != '=' && *s != ';' && *s != ',' &&
	    !total_is_space(*s); s++)
		;
	*ne = s;
	s = total_skip_space(s);
	*vb = *ve = s;
	if (*s != '=')
		return s;
	s = total_skip_space(s + 1);
	if (*s == '"') {
		*vb = s + 1;
		s = total_skip_quoted(s);
		*ve = s > *vb && s[-1] == '"' ? s - 1 : s;
		return s;
	}
	for (*vb = s; *s != '\0' && *s != ';' && *s != ',' &&
	    !total_is_space(*s); s++)
		;
	*ve = s;
	return s;
}

/* The link-params after a link's URI: *( OWS ";" OWS link-param ).  Sets
 * *match when the first rel parameter (RFC 8288 3.3: only the first
 * counts) holds rel; returns where the parameters end. */
static const char *
total_link_params(const char *s, const char *rel, int *match)
{
	const char *nb, *ne, *vb, *ve;
	int seen_rel = 0;

	*match = 0;
	for (;;) {
		s = total_skip_space(s);
		if (*s != ';')
			return s;
		s = total_link_param(s + 1, &nb, &ne, &vb, &ve);
		if (ne - nb == 3 && total_lower((unsigned char)nb[0]) == 'r' &&
		    total_lower((unsigned char)nb[1]) == 'e' &&
		    total_lower((unsigned char)nb[2]) == 'l' && !seen_rel) {
			seen_rel = 1;
			*match = total_rel_has(vb, ve, rel);
		}
	}
}

char *
total_link_rel(const char *s, const char *rel)
{
	const char *ub, *ue;
	int match;

	if (s == NULL || rel == NULL)
		return NULL;
	for (;;) {
		while (total_is_space(*s) || *s == ',')
			s++;
		if (*s == '\0')
			return NULL;
		if (*s != '<') {
			s = total_skip_link(s);
			continue;
		}
		ub = ++s;
		while (*s != '\0' && *s != '>')
			s++;
		if (*s == '\0')
			return NULL;
		ue = s++;
		s = total_link_params(s, rel, &match);
		if (*s != ',' && *s != '\0') {
			/* not a parameter: drop this link, keep the rest */
			s = total_skip_link(s);
			continue;
		}
		if (match) {
			while (ub < ue && total_is_space(*ub))
				ub++;
			while (ue > ub && total_is_space(ue[-1]))
				ue--;
			return xstrndup(ub, ue - ub);
		}
	}
}

/* Percent-decodes s..e with libcurl (a NULL handle is allowed since
 * 7.82); the result is curl's to free (curl_free), NULL if out of memory. */
static char *
total_unescape(const char *s, const char *e, size_t *len)
{
	int n = 0;
	char *d = curl_easy_unescape(NULL, s, (int)(e - s), &n);

	*len = d != NULL ? (size_t)n : 0;
	return d;
}

/* Parses url into a new CURLU handle, resolving a relative reference
 * against a placeholder base; NULL if it does not parse. */
static CURLU *
total_url_parse(const char *url)
{
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK)
		return u;
	/* Link targets may be relative (RFC 8288 3.1); only the query
	 * matters here, so any base will do. */
	if (curl_url_set(u, CURLUPART_URL, "http://base.invalid/", 0) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		return u;
	curl_url_cleanup(u);
	return NULL;
}

int
total_query_param(const char *url, const char *name, long long *out)
{
	CURLU *u;
	CURLUcode rc;
	char *q = NULL, *k, *v;
	const char *p, *vp;
	struct query_param qp;
	long long n;
	size_t klen, vlen;
	int found = 0;

	if (url == NULL || *url == '\0' || name == NULL ||
	    (u = total_url_parse(url)) == NULL)
		return -1;
	rc = curl_url_get(u, CURLUPART_QUERY, &q, 0);
	curl_url_cleanup(u);
	if (rc == CURLUE_NO_QUERY)
		return 0;
	if (rc != CURLUE_OK)
		return -1;
	for (p = q; !found && query_next(&p, &qp); ) {
		if ((k = total_unescape(qp.start, qp.start + qp.name_len,
		    &klen)) == NULL) {
			found = -1;
			break;
		}
		if (klen == strlen(name) && memcmp(k, name, klen) == 0) {
			found = 1;
			/* A name without '=' holds no count. */
			v = qp.value == NULL ? NULL : total_unescape(qp.value,
			    qp.value + qp.value_len, &vlen);
			vp = v;
			if (v == NULL || total_digits(&vp, &n) == -1 ||
			    vp != v + vlen)
				found = -1;
			else
				*out = n;
			curl_free(v);
		}
		curl_free(k);
	}
	curl_free(q);
	return found;
}

int
total_link_last(const char *link, const char *param, long long *out)
{
	char *url;
	int rc;

	if ((url = total_link_rel(link, "last")) == NULL)
		return 0;
	rc = total_query_param(url, param, out);
	free(url);
	return rc;
}
