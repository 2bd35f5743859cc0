/*
 * test_total.c - totals and page counts from header values.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "total.h"

struct count_case {
	const char *in;
	int rc;
	long long want;
};

static const struct count_case counts[] = {
	{ "0", 0, 0 },
	{ "1234", 0, 1234 },
	{ "  42\t", 0, 42 },
	{ "\t7 ", 0, 7 },
	{ "007", 0, 7 },
	{ "9223372036854775807", 0, 9223372036854775807LL },
	{ "9223372036854775808", -1, 0 },
	{ "99999999999999999999", -1, 0 },
	{ "", -1, 0 },
	{ "   ", -1, 0 },
	{ "-1", -1, 0 },
	{ "+1", -1, 0 },
	{ "12a", -1, 0 },
	{ "1 2", -1, 0 },
	{ "1.0", -1, 0 },
	{ "0x10", -1, 0 },
	{ "1e3", -1, 0 },
	{ "12\n", -1, 0 },
};

struct range_case {
	const char *in;
	int rc;
	long long want;
};

static const struct range_case ranges[] = {
	{ "0-99/1234", 1, 1234 },
	{ "items 0-99/1234", 1, 1234 },
	{ "bytes 0-0/1", 1, 1 },
	{ "  items  100-199/200  ", 1, 200 },
	{ "*/1234", 1, 1234 },
	{ "items */0", 1, 0 },
	{ "0-99/*", 0, 0 },
	{ "items 0-24/*", 0, 0 },
	{ "0-99/9223372036854775807", 1, 9223372036854775807LL },
	{ "0-99/9223372036854775808", -1, 0 },
	{ "", -1, 0 },
	{ "items", -1, 0 },
	{ "items 0-99", -1, 0 },
	{ "0-99/", -1, 0 },
	{ "0-99/12x", -1, 0 },
	{ "99-0/100", -1, 0 },
	{ "-5/10", -1, 0 },
	{ "0-/10", -1, 0 },
	{ "0-99/-1", -1, 0 },
	{ "items=0-99/1234", -1, 0 },
	{ "0-99 /1234", -1, 0 },
	{ "*/*", 0, 0 },
};

struct link_case {
	const char *in;
	const char *rel;
	const char *want;	/* NULL: no such link */
};

static const struct link_case links[] = {
	{ "<https://a/x?page=2>; rel=\"next\", <https://a/x?page=9>; rel=\"last\"",
	  "next", "https://a/x?page=2" },
	{ "<https://a/x?page=2>; rel=\"next\", <https://a/x?page=9>; rel=\"last\"",
	  "last", "https://a/x?page=9" },
	{ "<https://a/x?page=2>; rel=\"next\"", "last", NULL },
	{ "<https://a/x?page=2>;rel=next,<https://a/x?page=9>;rel=last",
	  "last", "https://a/x?page=9" },
	{ "<https://a/x?p=9>; REL=\"Last\"", "last", "https://a/x?p=9" },
	{ "<https://a/x?p=9>; rel=\"last\"", "LAST", "https://a/x?p=9" },
	{ "<https://a/1>; rel=\"prev first\", <https://a/9>; rel=\"last  end\"",
	  "end", "https://a/9" },
	{ "<https://a/1>; rel=\"prev first\"", "first", "https://a/1" },
	{ "<https://a/1>; rel=\"prevfirst\"", "first", NULL },
	{ "<https://a/1>; title=\"a, <b>; rel=last\"; rel=\"first\", "
	  "<https://a/9>; title='x'; rel=last", "last", "https://a/9" },
	{ "<https://a/1>; title=\"say \\\"hi\\\", rel=last\", <https://a/9>; "
	  "rel=last", "last", "https://a/9" },
	{ "<https://a/x?a=1,2;b=3>; rel=\"last\"", "last",
	  "https://a/x?a=1,2;b=3" },
	{ "<https://a/1>; rel=\"first\"; rel=\"last\"", "last", NULL },
	{ "<https://a/1>; rel=\"next\", <https://a/2>; rel=\"next\"", "next",
	  "https://a/1" },
	{ "  < https://a/1 > ;  rel = \"last\" ", "last", "https://a/1" },
	{ "</items?page=3>; rel=\"last\"", "last", "/items?page=3" },
	{ "garbage, <https://a/9>; rel=last", "last", "https://a/9" },
	{ "<https://a/1> junk; rel=last, <https://a/9>; rel=last", "last",
	  "https://a/9" },
	{ "<https://a/1; rel=last", "last", NULL },
	{ "<https://a/1>; rel=\"last", "last", "https://a/1" },
	{ "<https://a/1>; rel", "last", NULL },
	{ "<https://a/1>; rel=", "last", NULL },
	{ "", "last", NULL },
	{ ",,, ,", "last", NULL },
	{ "<https://a/1>; rel=\"last\"", "", NULL },
};

struct query_case {
	const char *url;
	const char *name;
	int rc;
	long long want;
};

static const struct query_case queries[] = {
	{ "https://api.x/v1/items?page=7&per_page=100", "page", 1, 7 },
	{ "https://api.x/v1/items?page=7&per_page=100", "per_page", 1, 100 },
	{ "https://api.x/v1/items?per_page=100", "page", 0, 0 },
	{ "https://api.x/v1/items", "page", 0, 0 },
	{ "https://api.x/v1/items?", "page", 0, 0 },
	{ "https://api.x/v1/items?page=7#page=8", "page", 1, 7 },
	{ "https://api.x/v1/items?xpage=1&page=2", "page", 1, 2 },
	{ "https://api.x/v1/items?page=2&page=3", "page", 1, 2 },
	{ "https://api.x/v1/items?&&page=4&", "page", 1, 4 },
	{ "https://api.x/v1/items?page%5Bnumber%5D=12&page%5Bsize%5D=50",
	  "page[number]", 1, 12 },
	{ "https://api.x/v1/items?p%61ge=%35", "page", 1, 5 },
	{ "https://api.x/v1/items?page=abc", "page", -1, 0 },
	{ "https://api.x/v1/items?page=-1", "page", -1, 0 },
	{ "https://api.x/v1/items?page=", "page", -1, 0 },
	{ "https://api.x/v1/items?page", "page", -1, 0 },
	{ "https://api.x/v1/items?page=5%00", "page", -1, 0 },
	{ "https://api.x/v1/items?page%00=5", "page", 0, 0 },
	{ "https://api.x/v1/items?page=99999999999999999999", "page", -1, 0 },
	{ "/v1/items?page=3", "page", 1, 3 },
	{ "items?offset=200&limit=100", "offset", 1, 200 },
	{ "http://[::1]:8080/x?page=2", "page", 1, 2 },
	{ "http://exa mple/?page=2", "page", -1, 0 },
	{ "", "page", -1, 0 },
};

struct last_case {
	const char *link;
	const char *param;
	int rc;
	long long want;
};

static const struct last_case lasts[] = {
	{ "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", "
	  "<https://api.github.com/repositories/1/issues?page=34>; rel=\"last\"",
	  "page", 1, 34 },
	{ "<https://a/x?page=2>; rel=\"next\"", "page", 0, 0 },
	{ "<https://a/x?offset=900>; rel=\"last\"", "page", 0, 0 },
	{ "<https://a/x?page=last>; rel=\"last\"", "page", -1, 0 },
	{ "<https://a/x?page%5Bnumber%5D=40>; rel=\"last\"", "page[number]", 1,
	  40 },
	{ "", "page", 0, 0 },
};

/* Test names must stay on one TAP line. */
static const char *
vis(const char *s)
{
	static char b[256];
	size_t o = 0;

	for (; *s != '\0' && o < sizeof(b) - 3; s++) {
		if (*s == '\n' || *s == '\t') {
			b[o++] = '\\';
			b[o++] = *s == '\n' ? 'n' : 't';
		} else
			b[o++] = *s;
	}
	b[o] = '\0';
	return b;
}

int
main(void)
{
	size_t i;
	long long v;
	int rc;
	char *s;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		v = -7;
		rc = total_parse_count(counts[i].in, &v);
		ok(rc == counts[i].rc && (rc != 0 || v == counts[i].want) &&
		    (rc == 0 || v == -7), "total_parse_count(\"%s\") = %d, %lld",
		    vis(counts[i].in), rc, v);
	}
	ok(total_parse_count(NULL, &v) == -1, "total_parse_count(NULL)");

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		v = -7;
		rc = total_from_content_range(ranges[i].in, &v);
		ok(rc == ranges[i].rc && (rc != 1 || v == ranges[i].want) &&
		    (rc == 1 || v == -7),
		    "total_from_content_range(\"%s\") = %d, %lld",
		    ranges[i].in, rc, v);
	}
	ok(total_from_content_range(NULL, &v) == -1,
	    "total_from_content_range(NULL)");

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		s = total_link_rel(links[i].in, links[i].rel);
		ok(links[i].want == NULL ? s == NULL :
		    s != NULL && strcmp(s, links[i].want) == 0,
		    "total_link_rel(%s, \"%s\") = %s", links[i].in, links[i].rel,
		    s ? s : "NULL");
		free(s);
	}
	ok(total_link_rel(NULL, "last") == NULL, "total_link_rel(NULL)");

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		v = -7;
		rc = total_query_param(queries[i].url, queries[i].name, &v);
		ok(rc == queries[i].rc && (rc != 1 || v == queries[i].want) &&
		    (rc == 1 || v == -7), "total_query_param(\"%s\", \"%s\") = "
		    "%d, %lld", queries[i].url, queries[i].name, rc, v);
	}

	for (i = 0; i < sizeof(lasts) / sizeof(lasts[0]); i++) {
		v = -7;
		rc = total_link_last(lasts[i].link, lasts[i].param, &v);
		ok(rc == lasts[i].rc && (rc != 1 || v == lasts[i].want),
		    "total_link_last(%s, \"%s\") = %d, %lld", lasts[i].link,
		    lasts[i].param, rc, v);
	}
	return tap_done();
}
