/*
 * test_origin.c - origins and the rule that credentials stay with theirs.
 */
#include <stdlib.h>
#include <string.h>

#include "origin.h"
#include "tap.h"

static int
is(const char *url, const char *want)
{
	char *o = origin_of(url);
	int r = (o == NULL && want == NULL) ||
	    (o != NULL && want != NULL && strcmp(o, want) == 0);

	if (!r)
		printf("# %s: got %s, expected %s\n", url, o ? o : "NULL",
		    want ? want : "NULL");
	free(o);
	return r;
}

int
main(void)
{
	struct curl_slist *allow = NULL;
	const char *own = "https://api.example.com:443";

	ok(is("https://api.example.com/v1/x?a=1", own), "default port filled");
	ok(is("HTTPS://API.Example.COM:443/", own), "case and explicit port");
	ok(is("http://127.0.0.1:8080/a", "http://127.0.0.1:8080"), "http");
	ok(is("http://[::1]:81/", "http://[::1]:81"), "IPv6 literal");
	ok(is("ftp://example.com/", NULL), "ftp is no origin of ours");
	ok(is("/relative", NULL), "a relative URL has none");

	ok(origin_check(own, "https://api.example.com/next?p=2", NULL) ==
	    origin_same, "same origin");
	ok(origin_check(own, "https://api.example.com:8443/", NULL) ==
	    origin_foreign, "another port is another origin");
	ok(origin_check(own, "https://evil.example.com/", NULL) ==
	    origin_foreign, "another host is another origin");
	ok(origin_check(own, "http://api.example.com/", NULL) ==
	    origin_downgrade, "https to http is a downgrade");
	allow = curl_slist_append(allow, "https://api2.example.com:443");
	allow = curl_slist_append(allow, "http://api.example.com:80");
	ok(origin_check(own, "https://api2.example.com/x", allow) ==
	    origin_allowed, "an allowed origin");
	ok(origin_check(own, "http://api.example.com/", allow) ==
	    origin_downgrade, "a downgrade even when allowed");
	ok(origin_check(own, "file:///etc/passwd", allow) == origin_bad,
	    "a file URL is refused");
	ok(origin_check("http://a:80", "https://a/", NULL) == origin_foreign,
	    "http to https is another origin too");
	curl_slist_free_all(allow);
	return tap_done();
}
