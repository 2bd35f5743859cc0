/* test_profile.c - page URLs keep the user's query and add the profile's. */
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "tap.h"

static int
url_is(const struct profile *p, const char *base, long long off, long lim,
    const char *want)
{
	char err[256];
	CURLU *u = profile_base_url(p, base, err, sizeof err);
	char *got;
	int same;

	if (u == NULL) {
		tap_diag("base URL refused: %s", err);
		return 0;
	}
	got = profile_page_url(p, u, off, lim);
	same = got != NULL && strcmp(got, want) == 0;
	if (!same)
		tap_diag("got  %s\n# want %s", got ? got : "(null)", want);
	curl_free(got);
	curl_url_cleanup(u);
	return same;
}

int
main(void)
{
	const struct profile *off = profile_find("offset");
	const struct profile *sl = profile_find("softlayer");
	struct profile custom;
	char err[256];
	CURLU *u;

	ok(off != NULL && sl != NULL && profile_find("OFFSET") == off &&
	    profile_find("nope") == NULL, "profiles are found by name, any case");
	ok(url_is(off, "http://h/items", 200, 100,
	    "http://h/items?offset=200&limit=100"), "offset: parameters added");
	ok(url_is(off, "http://h/items?filter=a%20b&x=1", 0, 5,
	    "http://h/items?filter=a%20b&x=1&offset=0&limit=5"),
	    "offset: the user's parameters kept byte for byte");
	ok(url_is(off, "http://h/items?limit=7&a=1&offset=9", 10, 5,
	    "http://h/items?a=1&offset=10&limit=5"),
	    "offset: the user's own offset/limit replaced");
	ok(url_is(off, "http://h/items?f=a%2Cb&limit=7#frag", 0, 5,
	    "http://h/items?f=a%2Cb&offset=0&limit=5"),
	    "offset: upper-case escapes kept when a parameter is replaced");
	ok(url_is(sl, "https://api.softlayer.com/rest/v3.1/SoftLayer_Account/"
	    "getVirtualGuests.json?objectMask=mask[id,hostname]", 300, 100,
	    "https://api.softlayer.com/rest/v3.1/SoftLayer_Account/"
	    "getVirtualGuests.json?objectMask=mask[id,hostname]&resultLimit=300,100"),
	    "softlayer: resultLimit=OFFSET,LIMIT after the object mask");
	custom = *off;
	custom.offset_param = "$skip";
	custom.limit_param = "$top";
	ok(url_is(&custom, "http://h/v?$count=true", 10, 10,
	    "http://h/v?$count=true&$skip=10&$top=10"), "overridden names");
	ok((u = profile_base_url(off, "ftp://h/x", err, sizeof err)) == NULL &&
	    strstr(err, "http") != NULL, "ftp refused: %s", err);
	ok((u = profile_base_url(off, "file:///etc/passwd", err, sizeof err)) ==
	    NULL, "file refused");
	ok((u = profile_base_url(off, "not a url", err, sizeof err)) == NULL,
	    "garbage refused: %s", err);
	return tap_done();
}
