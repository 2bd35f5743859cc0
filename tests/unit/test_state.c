/* test_state.c - bookmark values compared as what they mean, the line
 * scan, the filters a profile adds, and the state file read and written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookmark.h"
#include "profile.h"
#include "state.h"
#include "tap.h"

/* a against b, both parsed as JSON strings (numbers: as tokens). */
static int
cmp(const char *a, int astr, const char *b, int bstr)
{
	struct bookmark_value x, y;

	bookmark_parse(a, strlen(a), astr, &x);
	bookmark_parse(b, strlen(b), bstr, &y);
	if (x.kind == bookmark_unusable || x.kind != y.kind)
		return 99;
	return bookmark_cmp(&x, &y);
}

static int
kind(const char *s)
{
	struct bookmark_value v;

	bookmark_parse(s, strlen(s), 1, &v);
	return (int)v.kind;
}

static void
test_instants(void)
{
	ok(cmp("2026-12-01T10:00:05Z", 1, "2026-12-01T12:00:05+02:00", 1) == 0,
	    "an instant with an offset equals its UTC form");
	ok(cmp("2026-12-01T10:00:05Z", 1, "2026-12-01T05:00:05-0500", 1) == 0,
	    "an offset without a colon");
	ok(cmp("2026-12-01T10:00:05.5Z", 1, "2026-12-01T10:00:05Z", 1) > 0,
	    "a fraction of a second counts");
	ok(cmp("2026-12-01T10:00:05.000000001Z", 1,
	    "2026-12-01T10:00:05.000000000Z", 1) > 0, "to the nanosecond");
	ok(cmp("2026-12-01T10:00:05,25Z", 1, "2026-12-01T10:00:05.25Z", 1) == 0,
	    "a decimal comma");
	ok(cmp("2026-12-01 10:00:05", 1, "2026-12-01T10:00:05Z", 1) == 0,
	    "ServiceNow's form (no zone: UTC)");
	ok(cmp("2026-12-02T00:30:00+01:00", 1, "2026-12-01T23:30:00Z", 1) == 0 &&
	    cmp("2026-12-02T00:30:00+01:00", 1, "2026-12-01T23:59:59Z", 1) < 0,
	    "an offset that crosses midnight: the day before in UTC");
	ok(cmp("2026-12-01T23:30:00-01:00", 1, "2026-12-02T00:00:00Z", 1) > 0,
	    "a negative offset: later than the next day's midnight UTC");
	ok(cmp("2026-12-01", 1, "2026-11-30T23:59:59Z", 1) > 0,
	    "a date alone is its midnight UTC");
	ok(cmp("1969-12-31T23:59:59Z", 1, "1970-01-01T00:00:00Z", 1) < 0,
	    "before the epoch");
	ok(cmp("2024-02-29T00:00:00Z", 1, "2024-02-28T23:59:59Z", 1) > 0,
	    "a leap day");
	ok(kind("2023-02-29T00:00:00Z") == bookmark_unusable,
	    "no 29 February in 2023");
	ok(kind("2026-13-01T00:00:00Z") == bookmark_unusable &&
	    kind("2026-12-01T25:00:00Z") == bookmark_unusable &&
	    kind("2026-12-01T10:00:05Q") == bookmark_unusable &&
	    kind("2026-12-01T10:00:05.Z") == bookmark_unusable &&
	    kind("yesterday") == bookmark_unusable && kind("") ==
	    bookmark_unusable, "what is not an instant is unusable");
}

static void
test_numbers(void)
{
	ok(cmp("10", 0, "9", 0) > 0, "10 > 9 (not as strings)");
	ok(cmp("-10", 0, "-9", 0) < 0, "-10 < -9");
	ok(cmp("0", 0, "-0", 0) == 0 && cmp("-0.0", 0, "0", 0) == 0,
	    "-0 is 0");
	ok(cmp("18446744073709551617", 0, "18446744073709551616", 0) > 0,
	    "integers past 2^64 by their digits");
	ok(cmp("1.50", 0, "1.5", 0) == 0 && cmp("1.05", 0, "1.5", 0) < 0,
	    "fractions by their digits");
	ok(cmp("1e3", 0, "999", 0) > 0 && cmp("-1E+2", 0, "-99.5", 0) < 0,
	    "exponents");
	ok(cmp("1733000000", 1, "1733000001", 0) < 0,
	    "a number sent as a string is a number");
	ok(cmp("10", 0, "2026-12-01", 1) == 99,
	    "a number and an instant are not compared");
	ok(kind("01") == bookmark_unusable && kind("1.") == bookmark_unusable &&
	    kind("-") == bookmark_unusable, "what JSON refuses is unusable");
}

static void
test_find(void)
{
	const char *line = "{\"id\":1,\"a\":{\"updated_at\":\"x\"},\"s\":\"u\\\"pdated_at\","
	    "\"updated_at\":\"2026-12-01T10:00:05Z\",\"n\":12}";
	const char *v;
	size_t n;
	int str;

	ok(bookmark_find(line, strlen(line), "updated_at", 10, &v, &n, &str) &&
	    str && n == 20 && memcmp(v, "2026-12-01T10:00:05Z", 20) == 0,
	    "the top-level member, not a nested one or a string's text");
	ok(bookmark_find(line, strlen(line), "n", 1, &v, &n, &str) && !str &&
	    n == 2 && memcmp(v, "12", 2) == 0, "a number, the last member");
	ok(!bookmark_find(line, strlen(line), "a", 1, &v, &n, &str),
	    "an object is no value");
	ok(!bookmark_find("{\"u\":null}", 10, "u", 1, &v, &n, &str),
	    "null is no value");
	ok(!bookmark_find("{\"u\":1", 6, "x", 1, &v, &n, &str) &&
	    !bookmark_find("[1]", 3, "x", 1, &v, &n, &str),
	    "a torn line, an array");
}

static void
test_scan(void)
{
	struct bookmark_max m;
	const char *page =
	    "{\"id\":1,\"u\":\"2026-12-01T10:00:05Z\"}\n"
	    "{\"id\":2,\"u\":\"2026-12-01T11:00:05+01:00\"}\n"
	    "{\"id\":3}\n"
	    "{\"id\":4,\"u\":\"soon\"}\n"
	    "{\"id\":5,\"u\":\"2026-12-01T10:00:05.5Z\"}\n";

	bookmark_max_init(&m, "u");
	bookmark_scan(&m, page, strlen(page));
	ok(m.best != NULL && strcmp(m.best, "2026-12-01T10:00:05.5Z") == 0,
	    "the largest as an instant, not as text");
	ok(m.seen == 3 && m.missing == 1 && m.unusable == 1 &&
	    strcmp(m.example, "soon") == 0, "counts of the others");
	bookmark_scan(&m, "{\"u\":\"2026-11-01T00:00:00Z\"}\n", 28);
	ok(strcmp(m.best, "2026-12-01T10:00:05.5Z") == 0,
	    "a later page's smaller value changes nothing");
	bookmark_scan(&m, "{\"u\":1}\n{\"u\":2}\n", 16);
	ok(strcmp(m.best, "2026-12-01T10:00:05.5Z") == 0 && m.seen == 4 &&
	    m.unusable == 3, "a page of numbers after instants: unusable, all");
	bookmark_max_free(&m);
}

/* t's URL for a bookmark from, with lookback. */
static char *
url_of(const char *profile, const char *url, const char *field,
    const char *from, long long lookback)
{
	struct target t;
	struct bookmark_value v;
	char err[256];

	memset(&t, 0, sizeof t);
	t.profile = *profile_find(profile);
	t.url = url;
	if (from != NULL)
		bookmark_parse(from, strlen(from), 1, &v);
	return bookmark_url(&t, field, from != NULL ? &v : NULL, lookback, err,
	    sizeof err);
}

static int
url_is(char *got, const char *want)
{
	int r = got != NULL && strcmp(got, want) == 0;

	if (!r)
		printf("# got %s\n# want %s\n", got ? got : "(null)", want);
	free(got);
	return r;
}

static void
test_urls(void)
{
	ok(url_is(url_of("offset", "http://h/i?a=1&updated_at_gte={since}", "u",
	    "2026-12-01T12:00:05+02:00", 0),
	    "http://h/i?a=1&updated_at_gte=2026-12-01T12%3A00%3A05%2B02%3A00"),
	    "{since}: the value as kept, percent-encoded");
	ok(url_is(url_of("offset", "http://h/i?a=1&u_gte={since}&b=2", "u",
	    NULL, 0), "http://h/i?a=1&b=2"),
	    "{since} without a bookmark: the parameter is left out");
	ok(url_is(url_of("offset", "http://h/i?s={since}", "u",
	    "2026-12-01T00:05:00.250Z", 600),
	    "http://h/i?s=2026-11-30T23%3A55%3A00.250Z"),
	    "--lookback: 10 minutes earlier, in the value's own form");
	ok(url_is(url_of("offset", "http://h/i?s={since}", "u",
	    "2026-12-01T00:05:00+02:00", 3600),
	    "http://h/i?s=2026-11-30T23%3A05%3A00%2B02%3A00"),
	    "--lookback keeps the value's offset");
	ok(url_is(url_of("drf", "https://nb/api/dcim/devices/?site=x",
	    "last_updated", "2026-12-01T10:00:05.123456Z", 0),
	    "https://nb/api/dcim/devices/?site=x&last_updated__gte="
	    "2026-12-01T10%3A00%3A05.123456Z"), "drf/NetBox: FIELD__gte");
	ok(url_is(url_of("servicenow", "https://sn/api/now/table/cmdb_ci?"
	    "sysparm_query=active%3Dtrue", "sys_updated_on",
	    "2026-12-01 10:00:05", 0), "https://sn/api/now/table/cmdb_ci?"
	    "sysparm_query=active%3Dtrue%5Esys_updated_on%3E%3D2026-12-01%2010%3A00"
	    "%3A05"), "ServiceNow: ANDed to the URL's own sysparm_query");
	ok(url_is(url_of("servicenow", "https://sn/api/now/table/cmdb_ci",
	    "sys_updated_on", "2026-12-01T12:00:05.9+02:00", 0),
	    "https://sn/api/now/table/cmdb_ci?sysparm_query=sys_updated_on%3E%3D"
	    "2026-12-01%2010%3A00%3A05"), "ServiceNow: UTC, whole seconds");
	ok(url_is(url_of("page", "https://api.github.com/repos/o/r/issues?"
	    "state=all", "updated_at", "2026-12-01T10:00:05Z", 0),
	    "https://api.github.com/repos/o/r/issues?state=all&since="
	    "2026-12-01T10%3A00%3A05Z"), "GitHub: since=");
	ok(url_is(url_of("softlayer", "https://api.softlayer.com/rest/v3.1/"
	    "SoftLayer_Account/getVirtualGuests.json", "modifyDate",
	    "2026-12-01T10:00:05-06:00", 0), "https://api.softlayer.com/rest/"
	    "v3.1/SoftLayer_Account/getVirtualGuests.json?objectFilter="
	    "%7B%22virtualGuests%22%3A%7B%22modifyDate%22%3A%7B%22operation%22"
	    "%3A%22greaterThanDate%22%2C%22options%22%3A%5B%7B%22name%22%3A"
	    "%22date%22%2C%22value%22%3A%5B%2212%2F01%2F2026%2010%3A00%3A04%22"
	    "%5D%7D%5D%7D%7D%7D"),
	    "SoftLayer: greaterThanDate one second before, its own wall time");
	ok(url_of("offset", "http://h/i", "u", "2026-12-01", 0) == NULL,
	    "a profile with no filter and no {since}: refused");
	ok(url_of("offset", "http://h/i/{since}/x", "u", NULL, 0) == NULL,
	    "{since} in the path without a value: refused");
}

static void
test_file(void)
{
	struct state_entry e, r;
	char err[256], *a, *b;

	memset(&e, 0, sizeof e);
	e.field = "updated_at";
	e.bookmark = "2026-12-01T10:00:05Z";
	e.bookmark_string = 1;
	e.items = 12;
	e.items_full = 5000;
	a = state_text(NULL, 0, "", &e, err, sizeof err);
	e.field = "n";
	e.bookmark = "18446744073709551617";
	e.bookmark_string = 0;
	e.items_full = -1;
	b = state_text(a, strlen(a), "ltm@bigip1", &e, err, sizeof err);
	ok(a != NULL && b != NULL && strchr(b, '\n') == b + strlen(b) - 1,
	    "written, one line");
	ok(b != NULL && state_read_text(b, strlen(b), "", &r, err,
	    sizeof err) == 1 && strcmp(r.field, "updated_at") == 0 &&
	    strcmp(r.bookmark, "2026-12-01T10:00:05Z") == 0 &&
	    r.bookmark_string && r.items == 12 && r.items_full == 5000,
	    "another target's entry is kept as it was");
	state_entry_free(&r);
	ok(b != NULL && state_read_text(b, strlen(b), "ltm@bigip1", &r, err,
	    sizeof err) == 1 && strcmp(r.bookmark, "18446744073709551617") ==
	    0 && !r.bookmark_string && r.items_full == -1,
	    "a number stays a number, digit for digit");
	state_entry_free(&r);
	ok(b != NULL && state_read_text(b, strlen(b), "other", &r, err,
	    sizeof err) == 0 && r.bookmark == NULL && r.items == -1,
	    "no entry: 0, empty");
	ok(state_read_text("{\"targets\":{}}", 14, "", &r, err, sizeof err) < 0 &&
	    state_read_text("nope", 4, "", &r, err, sizeof err) < 0 &&
	    state_read_text("{\"schema_version\":9,\"targets\":{}}", 33, "", &r,
	    err, sizeof err) < 0 && strstr(err, "schema_version 9") != NULL,
	    "not a state file: refused, saying why");
	ok(state_read_text("{\"schema_version\":1,\"targets\":{\"\":{"
	    "\"bookmark\":[1]}}}", 49, "", &r, err, sizeof err) < 0,
	    "a bookmark that is neither string nor number: refused");
	free(a);
	free(b);
}

static void
test_parse(void)
{
	long long v;
	int pct;

	ok(state_parse_duration("90") == 90 && state_parse_duration("10m") ==
	    600 && state_parse_duration("2h") == 7200 &&
	    state_parse_duration("1d") == 86400 && state_parse_duration("5s") == 5,
	    "durations");
	ok(state_parse_duration("") < 0 && state_parse_duration("m") < 0 &&
	    state_parse_duration("10mm") < 0 && state_parse_duration("-1") < 0 &&
	    state_parse_duration("99999999999999999d") < 0, "not durations");
	ok(state_parse_drop("50%", &v, &pct) == 0 && v == 50 && pct &&
	    state_parse_drop("1000", &v, &pct) == 0 && v == 1000 && !pct,
	    "--max-drop: a percentage, a count");
	ok(state_parse_drop("101%", &v, &pct) < 0 &&
	    state_parse_drop("5x", &v, &pct) < 0 &&
	    state_parse_drop("%", &v, &pct) < 0, "--max-drop: refused");
}

int
main(void)
{
	test_instants();
	test_numbers();
	test_find();
	test_scan();
	test_urls();
	test_file();
	test_parse();
	return tap_done();
}
