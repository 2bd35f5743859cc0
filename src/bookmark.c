/*
 * bookmark.c - values compared as what they mean, the largest a run saw,
 * and the filter that asks for the items at or after it (see bookmark.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>

#include "bookmark.h"
#include "query.h"
#include "thread.h"
#include "xalloc.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian): Howard Hinnant's
 * days_from_civil, which needs no time zone and no libc. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse: y-m-d of a day count. */
static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* n decimal digits at *p, advancing it; -1 when they are not there. */
static long
digits(const char **p, const char *end, int n)
{
	long x = 0;

	for (; n > 0; n--, (*p)++) {
		if (*p >= end || **p < '0' || **p > '9')
			return -1;
		x = x * 10 + (**p - '0');
	}
	return x;
}

/* Z, z, +HH, +HH:MM, +HHMM (or -): the offset in minutes; 0 at the end;
 * -1 when something else follows. */
static int
parse_zone(const char **p, const char *end, struct bookmark_value *v)
{
	long h, mi = 0;
	int sign;

	if (*p == end)
		return 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		v->zone = 1;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return -1;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if ((h = digits(p, end, 2)) < 0 || h > 23)
		return -1;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && (mi = digits(p, end, 2)) < 0)
		return -1;
	if (mi > 59)
		return -1;
	v->zone = 1;
	v->offset_min = sign * (int)(h * 60 + mi);
	return 0;
}

/* HH:MM[:SS[.fff]] at *p: seconds of the day and v's nsec and frac. */
static long
parse_clock(const char **p, const char *end, struct bookmark_value *v)
{
	long h, mi, s = 0, scale = 100000000;

	if ((h = digits(p, end, 2)) < 0 || h > 24 || *p >= end || **p != ':' ||
	    ((*p)++, (mi = digits(p, end, 2)) < 0) || mi > 59)
		return -1;
	if (*p < end && **p == ':') {
		(*p)++;
		/* 60: a leap second, as RFC 3339 allows */
		if ((s = digits(p, end, 2)) < 0 || s > 60)
			return -1;
		if (*p < end && (**p == '.' || **p == ',')) {
			if (++(*p) >= end || **p < '0' || **p > '9')
				return -1;
			for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
				v->nsec += (**p - '0') * scale;
				scale /= 10;
				v->frac++;
			}
		}
	}
	if (h == 24 && (mi || s || v->nsec))
		return -1;
	return h * 3600 + mi * 60 + s;
}

/* An ISO 8601 date, date and time, with or without a zone: 0, or -1. */
static int
parse_instant(const char *s, size_t n, struct bookmark_value *v)
{
	const char *p = s, *end = s + n;
	long y, m, d, clock = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if ((y = digits(&p, end, 4)) < 0 || p >= end || *p++ != '-' ||
	    (m = digits(&p, end, 2)) < 1 || m > 12 || p >= end ||
	    *p++ != '-' || (d = digits(&p, end, 2)) < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if ((clock = parse_clock(&p, end, v)) < 0)
			return -1;
		v->has_time = 1;
	}
	if (parse_zone(&p, end, v) < 0 || p != end)
		return -1;
	v->sec = days_from_civil(y, (int)m, (int)d) * 86400 + clock -
	    (long long)v->offset_min * 60;
	v->kind = bookmark_instant;
	return 0;
}

/* Past a run of digits at p; *any: there was one. */
static const char *
skip_digits(const char *p, const char *end, int *any)
{
	const char *from = p;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	*any = p > from;
	return p;
}

/* The fraction and exponent after a number's integer part: 0, or -1. */
static int
parse_tail(const char *p, const char *end, struct bookmark_value *v)
{
	const char *f;
	int any;

	if (p < end && *p == '.') {
		f = ++p;
		p = skip_digits(p, end, &any);
		if (!any)
			return -1;
		v->fdigits = f;
		for (v->nfdigits = (size_t)(p - f); v->nfdigits > 0 &&
		    f[v->nfdigits - 1] == '0'; v->nfdigits--)
			;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		p = skip_digits(p, end, &any);
		if (!any)
			return -1;
		v->exponent = 1;
	}
	return p == end ? 0 : -1;
}

/* A JSON number (RFC 8259's grammar), its parts noted: 0, or -1. */
static int
parse_number(const char *s, size_t n, struct bookmark_value *v)
{
	const char *p = s, *end = s + n;
	int any;

	if (p < end && *p == '-') {
		v->negative = 1;
		p++;
	}
	/* a leading zero before another digit is not JSON */
	if (p + 1 < end && *p == '0' && p[1] >= '0' && p[1] <= '9')
		return -1;
	v->digits = p;
	p = skip_digits(p, end, &any);
	if (!any)
		return -1;
	v->ndigits = (size_t)(p - v->digits);
	while (v->ndigits > 1 && *v->digits == '0')
		v->digits++, v->ndigits--;
	if (parse_tail(p, end, v) < 0)
		return -1;
	v->kind = bookmark_number;
	return 0;
}

void
bookmark_parse(const char *text, size_t len, int is_string,
    struct bookmark_value *v)
{
	memset(v, 0, sizeof *v);
	v->text = text;
	v->len = len;
	v->is_string = is_string;
	/* A number sent as a string ("1733000000") is a number still. */
	if (parse_number(text, len, v) == 0)
		return;
	memset(v, 0, sizeof *v);
	v->text = text;
	v->len = len;
	v->is_string = is_string;
	if (parse_instant(text, len, v) < 0)
		v->kind = bookmark_unusable;
}

/* Two numbers' magnitudes, by digits: integer part, then fraction. */
static int
magnitude_cmp(const struct bookmark_value *a, const struct bookmark_value *b)
{
	size_t n;
	int c;

	if (a->ndigits != b->ndigits)
		return a->ndigits < b->ndigits ? -1 : 1;
	if ((c = memcmp(a->digits, b->digits, a->ndigits)) != 0)
		return c < 0 ? -1 : 1;
	n = a->nfdigits < b->nfdigits ? a->nfdigits : b->nfdigits;
	if (n > 0 && (c = memcmp(a->fdigits, b->fdigits, n)) != 0)
		return c < 0 ? -1 : 1;
	return a->nfdigits == b->nfdigits ? 0 : a->nfdigits < b->nfdigits ?
	    -1 : 1;
}

/* A number with an exponent, as a double (the program's locale is "C":
 * it never calls setlocale). */
static double
number_double(const struct bookmark_value *v)
{
	char buf[64];
	size_t n = v->len < sizeof buf - 1 ? v->len : sizeof buf - 1;

	memcpy(buf, v->text, n);
	buf[n] = '\0';
	return strtod(buf, NULL);
}

static int
number_cmp(const struct bookmark_value *a, const struct bookmark_value *b)
{
	double x, y;
	int zero_a, zero_b, c;

	if (a->exponent || b->exponent) {
		x = number_double(a);
		y = number_double(b);
		return x < y ? -1 : x > y;
	}
	zero_a = a->ndigits == 1 && *a->digits == '0' && a->nfdigits == 0;
	zero_b = b->ndigits == 1 && *b->digits == '0' && b->nfdigits == 0;
	if (zero_a && zero_b)
		return 0;       /* -0 is 0 */
	if (a->negative != b->negative && !(zero_a || zero_b))
		return a->negative ? -1 : 1;
	if (zero_a || zero_b)
		return zero_a ? (b->negative ? 1 : -1) : (a->negative ? -1 : 1);
	c = magnitude_cmp(a, b);
	return a->negative ? -c : c;
}

int
bookmark_cmp(const struct bookmark_value *a, const struct bookmark_value *b)
{
	if (a->kind == bookmark_number)
		return number_cmp(a, b);
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

/* Past the JSON string starting at p (its opening quote); end if torn. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return end;
}

/* Past one JSON value starting at p. */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p < end && *p == '"')
		return skip_string(p, end);
	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0)
			return p;
		p++;
	}
	return end;
}

int
bookmark_find(const char *line, size_t len, const char *field, size_t flen,
    const char **val, size_t *vlen, int *is_string)
{
	const char *p = line, *end = line + len, *k, *kend, *v;

	if (p >= end || *p++ != '{')
		return 0;
	while (p < end && *p == '"') {
		k = p + 1;
		p = skip_string(p, end);
		kend = p - 1;
		if (p >= end || *p != ':')
			return 0;
		v = ++p;
		p = skip_value(p, end);
		if ((size_t)(kend - k) == flen && memcmp(k, field, flen) == 0) {
			if (*v == '"' && p - v >= 2) {
				*val = v + 1;
				*vlen = (size_t)(p - v - 2);
				*is_string = 1;
				return 1;
			}
			if (p == v || *v == '{' || *v == '[' || *v == 'n')
				return 0;
			*val = v;
			*vlen = (size_t)(p - v);
			*is_string = 0;
			return 1;
		}
		if (p < end && *p == ',')
			p++;
	}
	return 0;
}

void
bookmark_max_init(struct bookmark_max *m, const char *field)
{
	memset(m, 0, sizeof *m);
	thread_mutex_init(&m->lock);
	m->field = field;
	m->flen = strlen(field);
}

void
bookmark_max_free(struct bookmark_max *m)
{
	free(m->best);
	thread_mutex_destroy(&m->lock);
}

/* Merges a page's largest value (and its counts) into m, under its lock. */
static void
bookmark_merge(struct bookmark_max *m, const struct bookmark_value *page,
    long long seen, long long missing, long long unusable, const char *bad,
    size_t badlen)
{
	struct bookmark_value cur;

	thread_lock(&m->lock);
	m->seen += seen;
	m->missing += missing;
	m->unusable += unusable;
	if (bad != NULL && m->example[0] == '\0')
		snprintf(m->example, sizeof m->example, "%.*s",
		    (int)(badlen < 60 ? badlen : 60), bad);
	if (page->kind != bookmark_unusable) {
		if (m->best != NULL)
			bookmark_parse(m->best, strlen(m->best), m->best_string,
			    &cur);
		if (m->best != NULL && cur.kind != page->kind) {
			/* a page of the other kind: none of it counts */
			m->seen -= seen;
			m->unusable += seen;
			if (m->example[0] == '\0')
				snprintf(m->example, sizeof m->example, "%.*s",
				    (int)(page->len < 60 ? page->len : 60),
				    page->text);
		} else if (m->best == NULL || bookmark_cmp(page, &cur) > 0) {
			free(m->best);
			m->best = xstrndup(page->text, page->len);
			m->best_string = page->is_string;
		}
	}
	thread_unlock(&m->lock);
}

void
bookmark_scan(struct bookmark_max *m, const char *lines, size_t len)
{
	const char *p = lines, *end = lines + len, *nl, *val, *bad = NULL;
	struct bookmark_value best, v;
	long long seen = 0, missing = 0, unusable = 0;
	size_t vlen, badlen = 0;
	int str;

	best.kind = bookmark_unusable;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (!bookmark_find(p, (size_t)(nl - p), m->field, m->flen, &val,
		    &vlen, &str)) {
			missing++;
			continue;
		}
		bookmark_parse(val, vlen, str, &v);
		if (v.kind == bookmark_unusable || (best.kind !=
		    bookmark_unusable && v.kind != best.kind)) {
			if (unusable++ == 0)
				bad = val, badlen = vlen;
			continue;
		}
		seen++;
		if (best.kind == bookmark_unusable || bookmark_cmp(&v, &best) > 0)
			best = v;
	}
	bookmark_merge(m, &best, seen, missing, unusable, bad, badlen);
}

/* How an instant is written into a request. */
enum instant_style {
	style_own,              /* as v was: its separator, offset, fraction */
	style_servicenow,       /* YYYY-MM-DD HH:MM:SS, UTC, whole seconds */
	style_softlayer         /* MM/DD/YYYY HH:MM:SS, v's own offset */
};

/* The instant at sec (UTC) and nsec, as v was written or in style. */
static int
format_instant(const struct bookmark_value *v, long long sec, long nsec,
    enum instant_style style, char *buf, size_t bufsz)
{
	long long y, local, day;
	int m, d, n, off = style == style_servicenow ? 0 : v->offset_min;
	long rem;
	char frac[16] = "", zone[16] = "";

	local = sec + (long long)off * 60;
	day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	rem = (long)(local - day * 86400);
	civil_from_days(day, &y, &m, &d);
	if (y < 1 || y > 9999)
		return -1;
	if (style == style_softlayer)
		n = snprintf(buf, bufsz, "%02d/%02d/%04lld %02ld:%02ld:%02ld", m, d,
		    y, rem / 3600, rem / 60 % 60, rem % 60);
	else if (style == style_servicenow)
		n = snprintf(buf, bufsz, "%04lld-%02d-%02d %02ld:%02ld:%02ld", y,
		    m, d, rem / 3600, rem / 60 % 60, rem % 60);
	else if (!v->has_time)
		n = snprintf(buf, bufsz, "%04lld-%02d-%02d", y, m, d);
	else {
		if (v->frac > 0)
			snprintf(frac, sizeof frac, ".%09ld", nsec);
		frac[v->frac > 9 ? 10 : v->frac > 0 ? v->frac + 1 : 0] = '\0';
		if (v->zone && off == 0 && (v->text[v->len - 1] == 'Z' ||
		    v->text[v->len - 1] == 'z'))
			snprintf(zone, sizeof zone, "Z");
		else if (v->zone)
			snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' :
			    '+', abs(off) / 60, abs(off) % 60);
		n = snprintf(buf, bufsz, "%04lld-%02d-%02d%c%02ld:%02ld:%02ld%s%s",
		    y, m, d, v->text[10], rem / 3600, rem / 60 % 60, rem % 60,
		    frac, zone);
	}
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

int
bookmark_back(const struct bookmark_value *v, long long lookback, char *buf,
    size_t bufsz)
{
	long long x;
	int n;

	if (lookback == 0 || v->kind == bookmark_unusable) {
		n = snprintf(buf, bufsz, "%.*s", (int)v->len, v->text);
		return n < 0 || (size_t)n >= bufsz ? -1 : 0;
	}
	if (v->kind == bookmark_instant)
		return format_instant(v, v->sec - lookback, v->nsec, style_own,
		    buf, bufsz);
	/* A number goes back lookback units: Unix seconds, for a time. */
	if (!v->exponent && v->nfdigits == 0 && v->ndigits < 18) {
		x = strtoll(v->text, NULL, 10) - lookback;
		n = snprintf(buf, bufsz, "%lld", x);
	} else
		n = snprintf(buf, bufsz, "%.17g", number_double(v) -
		    (double)lookback);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

static int
host_is(const char *url, const char *host)
{
	const char *p = strstr(url, "://");
	size_t n = strlen(host);

	return p != NULL && strncasecmp(p + 3, host, n) == 0 &&
	    (p[3 + n] == '/' || p[3 + n] == '\0' || p[3 + n] == ':' ||
	    p[3 + n] == '?');
}

enum bookmark_filter
bookmark_filter_of(const struct target *t)
{
	const char *name = t->profile.name;

	if (strstr(t->url, "{since}") != NULL)
		return bookmark_filter_placeholder;
	if (strcmp(name, "drf") == 0)
		return bookmark_filter_drf;
	if (strcmp(name, "servicenow") == 0)
		return bookmark_filter_servicenow;
	if (strcmp(name, "softlayer") == 0)
		return bookmark_filter_softlayer;
	/* GitHub and GitHub Enterprise (/api/v3/) page with the page
	 * profile; another API of that profile may not know since=. */
	if (strcmp(name, "page") == 0 && (host_is(t->url, "api.github.com") ||
	    strstr(t->url, "/api/v3/") != NULL))
		return bookmark_filter_github;
	return bookmark_filter_none;
}

/* s percent-encoded (all but RFC 3986's unreserved) onto the end of *out. */
static void
append_encoded(char **out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(*out);
	char *p;

	*out = xrealloc(*out, n + 3 * strlen(s) + 1);
	for (p = *out + n; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			*p++ = (char)c;
		else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
}

/* url's query parameters but those whose text holds {since}: a first run
 * without a value asks for everything. */
static char *
drop_placeholders(const char *url)
{
	const char *q = strchr(url, '?'), *c;
	struct query_param qp;
	char *out;
	int n = 0;

	if (q == NULL)
		return xstrdup(url);
	out = xstrndup(url, (size_t)(q - url));
	for (c = q + 1; query_next(&c, &qp); ) {
		char *tmp;

		if (qp.len == 0 || memmem(qp.start, qp.len, "{since}", 7) != NULL)
			continue;
		tmp = xasprintf("%s%c%.*s", out, n++ ? '&' : '?', (int)qp.len,
		    qp.start);
		free(out);
		out = tmp;
	}
	return out;
}

/* url with every {since} replaced by value, percent-encoded. */
static char *
fill_placeholders(const char *url, const char *value)
{
	const char *p, *at;
	char *out = xstrdup("");
	size_t n;

	for (p = url; (at = strstr(p, "{since}")) != NULL; p = at + 7) {
		n = strlen(out);
		out = xrealloc(out, n + (size_t)(at - p) + 1);
		memcpy(out + n, p, (size_t)(at - p));
		out[n + (size_t)(at - p)] = '\0';
		append_encoded(&out, value);
	}
	n = strlen(out);
	out = xrealloc(out, n + strlen(p) + 1);
	strcpy(out + n, p);
	return out;
}

/* url with name=value (value encoded) added to its query. */
static char *
add_param(const char *url, const char *name, const char *value)
{
	char *out = xasprintf("%s%c%s=", url, strchr(url, '?') ? '&' : '?',
	    name);

	append_encoded(&out, value);
	return out;
}

/* ServiceNow: FIELD>=VALUE, ANDed (^) to the URL's own sysparm_query. */
static char *
servicenow_url(const char *url, const char *field, const char *value)
{
	const char *q = strchr(url, '?'), *c;
	struct query_param qp;
	char *cond = xasprintf("%s%%3E%%3D", field), *out, *tmp;

	append_encoded(&cond, value);
	for (c = q != NULL ? q + 1 : ""; query_next(&c, &qp); )
		if (query_name_is(&qp, "sysparm_query") && qp.value != NULL) {
			size_t at = (size_t)(qp.value + qp.value_len - url);

			out = xasprintf("%.*s%s%s%s", (int)at, url,
			    qp.value_len > 0 ? "%5E" : "", cond, url + at);
			free(cond);
			return out;
		}
	tmp = xasprintf("%s%csysparm_query=%s", url, q ? '&' : '?', cond);
	free(cond);
	return tmp;
}

/* SoftLayer's objectFilter, by yajl_gen: {"PROP":{"FIELD":{"operation":
 * "greaterThanDate","options":[{"name":"date","value":[VALUE]}]}}}. */
static char *
softlayer_filter(const char *prop, const char *field, const char *value)
{
	static const char *const keys[] = { "name", "date", "value" };
	yajl_alloc_funcs funcs;
	const unsigned char *text;
	size_t len;
	char *out;
	yajl_gen g;

	xalloc_yajl_funcs(&funcs);
	g = yajl_gen_alloc(&funcs);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)prop, strlen(prop));
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)field, strlen(field));
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)"operation", 9);
	yajl_gen_string(g, (const unsigned char *)"greaterThanDate", 15);
	yajl_gen_string(g, (const unsigned char *)"options", 7);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	yajl_gen_string(g, (const unsigned char *)keys[0], 4);
	yajl_gen_string(g, (const unsigned char *)keys[1], 4);
	yajl_gen_string(g, (const unsigned char *)keys[2], 5);
	yajl_gen_array_open(g);
	yajl_gen_string(g, (const unsigned char *)value, strlen(value));
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &text, &len);
	out = xstrndup((const char *)text, len);
	yajl_gen_free(g);
	return out;
}

/* SoftLayer: an objectFilter on the method's property (getVirtualGuests:
 * virtualGuests), added to a URL that has none. */
static char *
softlayer_url(const char *url, const char *field, const char *value,
    char *err, size_t errsz)
{
	const char *m = strrchr(url, '/'), *end;
	char *json, *out, prop[128];
	size_t n;

	if (strstr(url, "objectFilter=") != NULL) {
		snprintf(err, errsz, "the URL has an objectFilter of its own: put "
		    "{since} in it where the date goes (invdump adds one only "
		    "to a URL without)");
		return NULL;
	}
	if (m == NULL || strncmp(m + 1, "get", 3) != 0 || m[4] < 'A' ||
	    m[4] > 'Z') {
		snprintf(err, errsz, "cannot tell the SoftLayer property from "
		    "the URL (.../SoftLayer_Account/getVirtualGuests): put "
		    "objectFilter=...{since}... in the URL");
		return NULL;
	}
	end = m + 4 + strcspn(m + 4, ".?/#");
	n = (size_t)(end - (m + 4));
	if (n >= sizeof prop) {
		snprintf(err, errsz, "the SoftLayer method name is too long");
		return NULL;
	}
	snprintf(prop, sizeof prop, "%c%.*s", m[4] - 'A' + 'a', (int)n - 1,
	    m + 5);
	json = softlayer_filter(prop, field, value);
	out = add_param(url, "objectFilter", json);
	free(json);
	return out;
}

/* The value a filter sends: from, lookback earlier, in its form. */
static int
filter_value(enum bookmark_filter f, const struct bookmark_value *from,
    long long lookback, char *buf, size_t bufsz)
{
	if (from->kind == bookmark_instant && f == bookmark_filter_servicenow)
		return format_instant(from, from->sec - lookback, 0,
		    style_servicenow, buf, bufsz);
	/* greaterThanDate is exclusive and to the second: one second before
	 * the bookmark's own second makes it >=. */
	if (from->kind == bookmark_instant && f == bookmark_filter_softlayer)
		return format_instant(from, from->sec - lookback - 1, 0,
		    style_softlayer, buf, bufsz);
	return bookmark_back(from, lookback, buf, bufsz);
}

char *
bookmark_url(const struct target *t, const char *field,
    const struct bookmark_value *from, long long lookback, char *err,
    size_t errsz)
{
	enum bookmark_filter f = bookmark_filter_of(t);
	char value[128], *gte;

	if (f == bookmark_filter_none) {
		snprintf(err, errsz, "the %s profile has no filter invdump "
		    "knows: put {since} in the URL where the API takes the "
		    "value (e.g. ?%s_gte={since} for json-server, "
		    "?%s__gte={since} for django-filter)", t->profile.name,
		    field, field);
		return NULL;
	}
	if (from == NULL) {
		char *out = drop_placeholders(t->url);

		if (strstr(out, "{since}") == NULL)
			return out;
		free(out);
		snprintf(err, errsz, "{since} outside the URL's query needs a "
		    "value even on the first run: give one with --since");
		return NULL;
	}
	if (filter_value(f, from, lookback, value, sizeof value) < 0) {
		snprintf(err, errsz, "the bookmark %.*s cannot go back %lld s",
		    (int)from->len, from->text, lookback);
		return NULL;
	}
	switch (f) {
	case bookmark_filter_placeholder:
		return fill_placeholders(t->url, value);
	case bookmark_filter_drf:
		gte = xasprintf("%s__gte", field);
		break;
	case bookmark_filter_servicenow:
		return servicenow_url(t->url, field, value);
	case bookmark_filter_softlayer:
		return softlayer_url(t->url, field, value, err, errsz);
	default:
		gte = xstrdup("since");
		break;
	}
	{
		char *out = add_param(t->url, gte, value);

		free(gte);
		return out;
	}
}
