/*
 * bookmark.h - an incremental export's bookmark: the values of one field
 * of the items (updated_at, last_updated, sys_updated_on, modifyDate),
 * compared as what they mean, the largest one a run saw, and the request
 * that asks for the items at or after it.
 *
 * A value is an instant or a number.  Instants are ISO 8601 / RFC 3339
 * (2026-12-01T10:00:05Z, 2026-12-01T12:00:05.25+02:00, ServiceNow's
 * 2026-12-01 10:00:05, a date alone), compared as points in time: an
 * offset is applied, a time without one is UTC, fractions to the
 * nanosecond.  Numbers are compared as numbers (integers by their digits,
 * whatever their size).  An instant and a number are never compared: the
 * value that is neither, or of the other kind, is "unusable".
 *
 * The request (bookmark_url) is always inclusive (>=): an item updated in
 * the bookmark's own second, after the run that saw the bookmark, is asked
 * for again, never lost.  Items may therefore repeat across runs.
 */
#ifndef INVDUMP_BOOKMARK_H
#define INVDUMP_BOOKMARK_H

#include <pthread.h>
#include <stddef.h>

#include "cli.h"

enum bookmark_kind { bookmark_unusable, bookmark_number, bookmark_instant };

struct bookmark_value {
	enum bookmark_kind kind;
	const char *text;               /* as written (not owned) */
	size_t len;
	int is_string;                  /* a JSON string, else a number token */
	/* bookmark_instant */
	long long sec;                  /* since 1970-01-01T00:00:00Z */
	long nsec;
	int offset_min;                 /* the offset it was written with */
	int zone;                       /* it had Z or an offset */
	int frac;                       /* digits after the seconds */
	int has_time;                   /* not a date alone */
	/* bookmark_number */
	int negative;
	const char *digits;             /* the integer part, no leading zeros */
	size_t ndigits;
	const char *fdigits;            /* the fraction, no trailing zeros */
	size_t nfdigits;
	int exponent;                   /* an exponent: compared as doubles */
};

/* Parses text (len bytes; is_string: it was a JSON string): its kind is
 * bookmark_unusable when it is neither an instant nor a number. */
void bookmark_parse(const char *text, size_t len, int is_string,
    struct bookmark_value *v);

/* <0, 0, >0 as a is before, at, after b; both of one usable kind. */
int bookmark_cmp(const struct bookmark_value *a,
    const struct bookmark_value *b);

/*
 * Finds the top-level member field of one compact JSON object (an NDJSON
 * line as page.h writes it): 1 with its value (a string's bytes, without
 * the quotes, or a scalar's token) in *val, *vlen, *is_string; 0 when the
 * line has no such member or its value is null, an object or an array.
 */
int bookmark_find(const char *line, size_t len, const char *field,
    size_t flen, const char **val, size_t *vlen, int *is_string);

/* The largest value a run saw; pages are scanned by the workers (any
 * thread), merged under lock. */
struct bookmark_max {
	pthread_mutex_t lock;
	const char *field;
	size_t flen;
	char *best;                     /* the largest value's text, or NULL */
	int best_string;
	long long seen;                 /* items that had a usable value */
	long long missing;              /* ... that had none (or null) */
	long long unusable;             /* ... one of no kind, or the other */
	char example[80];               /* the first unusable value */
};

void bookmark_max_init(struct bookmark_max *m, const char *field);
void bookmark_max_free(struct bookmark_max *m);
/* Scans one page's NDJSON lines (len bytes). */
void bookmark_scan(struct bookmark_max *m, const char *lines, size_t len);

/* How a profile asks for the items at or after a value. */
enum bookmark_filter {
	bookmark_filter_none,           /* the URL must hold {since} */
	bookmark_filter_placeholder,    /* {since} in the URL */
	bookmark_filter_drf,            /* FIELD__gte= (django-filter) */
	bookmark_filter_servicenow,     /* sysparm_query=...^FIELD>= */
	bookmark_filter_github,         /* since= */
	bookmark_filter_softlayer       /* objectFilter greaterThanDate */
};

/* Which one t's URL and profile use. */
enum bookmark_filter bookmark_filter_of(const struct target *t);

/*
 * t's URL asking for the items whose field is at or after from (NULL:
 * every item: a {since} parameter is left out), lookback seconds earlier;
 * newly allocated, or NULL with why in err.
 */
char *bookmark_url(const struct target *t, const char *field,
    const struct bookmark_value *from, long long lookback, char *err,
    size_t errsz);

/* The value lookback seconds before v, in v's own form, into buf; -1 when
 * it does not fit or v cannot go back (an instant before year 1). */
int bookmark_back(const struct bookmark_value *v, long long lookback,
    char *buf, size_t bufsz);

#endif
