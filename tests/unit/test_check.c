/*
 * test_check.c - what every page must be, whatever the server says
 * (check.c): no more items than asked for (offset profiles), not page 0's
 * first item again on a later page (every profile), and a first page whose
 * next link moves with the profile's own parameter.  Each refusal's message
 * names the page and what to check.  Pure functions: no network.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "run.h"
#include "tap.h"

static struct target tgt;
static struct export ex;

/* A page of n items named by the strings in items (their hashes). */
static void
page_of(struct pool_page *pg, const char *const *items, int n)
{
	uint64_t h;
	int i;

	buf_reset(&pg->hashes);
	for (i = 0; i < n; i++) {
		h = hash_bytes(items[i], strlen(items[i]));
		buf_add(&pg->hashes, &h, sizeof h);
	}
	pg->items = n;
}

static void
use_profile(const char *name, long page_size)
{
	memset(&tgt, 0, sizeof tgt);
	tgt.profile = *profile_find(name);
	memset(&ex, 0, sizeof ex);
	ex.t = &tgt;
	ex.plan.page_size = page_size;
	ex.first_hash = hash_bytes("{\"id\":1}", 8);
	ex.has_first = 1;
}

static void
test_page_size(void)
{
	static const char *const four[] = {
		"{\"id\":5}", "{\"id\":6}", "{\"id\":7}", "{\"id\":8}"
	};
	struct pool_page pg;
	char msg[1024];

	memset(&pg, 0, sizeof pg);
	buf_init(&pg.hashes, 1 << 20);
	use_profile("offset", 3);
	page_of(&pg, four, 3);
	ok(check_page(&ex, 1, 3, &pg, msg, sizeof msg) == 0,
	    "a page of as many items as asked for passes");
	page_of(&pg, four, 4);
	msg[0] = '\0';
	ok(check_page(&ex, 1, 3, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "offset 3: 4 items where at most 3 were asked for: "
	    "the server does not honour limit=") == msg,
	    "one item more than asked for: refused, naming the offset and "
	    "the limit parameter (%s)", msg);
	ok(check_page(&ex, 0, 0, &pg, msg, sizeof msg) < 0,
	    "... page 0 too");

	use_profile("softlayer", 3);
	page_of(&pg, four, 4);
	ok(check_page(&ex, 1, 3, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "does not honour resultLimit=") != NULL,
	    "softlayer: named as resultLimit= (%s)", msg);

	use_profile("range", 3);
	page_of(&pg, four, 4);
	ok(check_page(&ex, 1, 3, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "does not honour the Range header") != NULL,
	    "range: named as the Range header (%s)", msg);

	use_profile("cursor", 3);
	page_of(&pg, four, 4);
	ok(check_page(&ex, 1, 3, &pg, msg, sizeof msg) == 0,
	    "a cursor profile's page may hold more than asked for (the server "
	    "sizes it; nothing is planned from the size)");
	buf_free(&pg.hashes);
}

static void
test_first_again(void)
{
	static const char *const again[] = { "{\"id\":1}", "{\"id\":2}" };
	static const char *const later[] = { "{\"id\":2}", "{\"id\":1}" };
	struct pool_page pg;
	char msg[1024];

	memset(&pg, 0, sizeof pg);
	buf_init(&pg.hashes, 1 << 20);
	use_profile("offset", 2);
	page_of(&pg, again, 2);
	ok(check_page(&ex, 0, 0, &pg, msg, sizeof msg) == 0,
	    "page 0 itself starts with page 0's first item: passes");
	msg[0] = '\0';
	ok(check_page(&ex, 3, 6, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "offset 6 starts with the same item as offset 0: the "
	    "server ignores offset= (check --offset-param") == msg,
	    "a later page starting with page 0's first item: refused, naming "
	    "its offset and the offset parameter (%s)", msg);
	page_of(&pg, later, 2);
	ok(check_page(&ex, 3, 6, &pg, msg, sizeof msg) == 0,
	    "page 0's first item further down a later page: passes (only a "
	    "page's first item is compared)");
	page_of(&pg, again, 0);
	ok(check_page(&ex, 3, 6, &pg, msg, sizeof msg) == 0,
	    "an empty later page passes (its shortness is the plan's to judge)");
	page_of(&pg, again, 2);
	ex.has_first = 0;
	ok(check_page(&ex, 3, 6, &pg, msg, sizeof msg) == 0,
	    "page 0 empty (no first item known): nothing to compare with");

	use_profile("page", 2);
	page_of(&pg, again, 2);
	ok(check_page(&ex, 3, 6, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "the server ignores page=") != NULL,
	    "page profile: names page= (%s)", msg);

	use_profile("cursor", 2);
	page_of(&pg, again, 2);
	ok(check_page(&ex, 2, 2, &pg, msg, sizeof msg) < 0 &&
	    strstr(msg, "page 3 starts with the first page's first item: the "
	    "server ignores the cursor it was sent") == msg,
	    "cursor profile: page seq+1 named, the cursor blamed (%s)", msg);
	buf_free(&pg.hashes);
}

/* What check_next_link said on stderr (the last call's). */
static char said[2048];

/* check_next_link for the drf profile's first page. */
static int
next_link(const char *link, const char *guess, int guesses)
{
	struct fetch_info info;
	FILE *tmp = tmpfile();
	int rc, saved = dup(2);
	size_t n = 0;

	memset(&info, 0, sizeof info);
	info.url = (char *)"https://netbox.example/api/dcim/devices/?limit=50"
	    "&offset=0";
	info.link_next = (char *)link;
	info.guess = (char *)guess;
	info.guess_name = "next";
	info.guesses = guesses;
	fflush(stderr);
	if (tmp != NULL)
		dup2(fileno(tmp), 2);
	rc = check_next_link(&ex, &info);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (tmp != NULL) {
		rewind(tmp);
		n = fread(said, 1, sizeof said - 1, tmp);
		fclose(tmp);
	}
	said[n] = '\0';
	said[strcspn(said, "\n")] = '\0';     /* one line, for TAP */
	return rc;
}

static void
test_next_link(void)
{
	use_profile("drf", 50);
	ok(next_link(NULL, "https://netbox.example/api/dcim/devices/?limit=50"
	    "&offset=50", 1) == 0, "a body's next link that moves with "
	    "offset=: the profile's paging, passes");
	ok(next_link(NULL, "https://netbox.example/api/dcim/devices/?limit=50"
	    "&page=2", 1) < 0, "a body's next link that moves with page= "
	    "instead: refused (the server pages another way)");
	ok(strstr(said, "offset 0: the response's next page (next: https://"
	    "netbox.example/api/dcim/devices/?limit=50&page=2) moves with "
	    "page=2, not with offset=") != NULL && strstr(said, "-p cursor "
	    "--next-path next --items-path results") != NULL,
	    "... said: the link, the parameter it moves with, and the "
	    "command line to follow it instead (%s)", said);
	ok(next_link(NULL, "?limit=50&page=2", 1) < 0,
	    "... a relative one too (resolved against the page's URL)");
	ok(next_link(NULL, "?limit=50&offset=50&cursor=x", 1) == 0 &&
	    said[0] == '\0',
	    "a next link that moves offset= and another parameter: passes");
	ok(next_link(NULL, "https://netbox.example/api/dcim/devices/?limit=50"
	    "&page=2", 2) == 0, "two candidate next fields in the body: "
	    "no guess trusted, nothing refused");
	ok(next_link("https://netbox.example/api/dcim/devices/?limit=50"
	    "&page=2", NULL, 0) < 0 && strstr(said, "(Link rel=\"next\": ")
	    != NULL && strstr(said, "-p cursor --items-path") != NULL,
	    "Link rel=\"next\" moving with page=: refused; -p cursor follows "
	    "the Link without --next-path (%s)", said);
	ok(next_link("https://netbox.example/api/dcim/devices/?limit=50"
	    "&offset=50", NULL, 0) == 0, "Link rel=\"next\" moving with "
	    "offset=: passes");
	ok(next_link(NULL, "b64token", 1) == 0,
	    "a token, not a link: nothing to compare, passes");
	use_profile("cursor", 50);
	ok(next_link("?page=2", NULL, 0) == 0,
	    "a cursor profile follows its links: never refused here");
	use_profile("range", 50);
	ok(next_link("?page=2", NULL, 0) == 0,
	    "the range profile pages by header: never refused here");
}

static void
test_resolve(void)
{
	char *u;

	u = check_resolve_url("https://h.example/a/b?x=1", "?offset=5");
	ok(u != NULL && strcmp(u, "https://h.example/a/b?offset=5") == 0,
	    "a relative next link resolves against its page (%s)", u);
	curl_free(u);
	u = check_resolve_url("https://h.example/a/b?x=1",
	    "http://other.example/c");
	ok(u != NULL && strcmp(u, "http://other.example/c") == 0,
	    "an absolute one stays as it is (%s)", u);
	curl_free(u);
}

int
main(void)
{
	log_set_level(log_level_quiet);
	test_page_size();
	test_first_again();
	test_next_link();
	test_resolve();
	return tap_done();
}
