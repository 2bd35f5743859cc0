/*
 * test_expand.c - --expand's relations (expand.c): no output line holds a
 * key twice.  A relation NAME that an item has as a top-level key is the
 * run's failure (exit 7) when the listing pushes the item, naming the key
 * and the item, unless --expand-replace, which puts the relation's value in
 * the place of the item's own member (one member of that key: an item with
 * it twice is refused); otherwise relations are appended as the item's last
 * members, in the order given; a detail that fails for good leaves its
 * whole item out, counted.  The collision rule is tested on
 * expand_push alone; what is written, through expand_run against canned.h's
 * loopback server, one worker so that the replies come in job order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canned.h"
#include "crew.h"
#include "expand.h"
#include "export.h"
#include "log.h"
#include "origin.h"
#include "run.h"
#include "tap.h"

static struct options opt;
static struct target tgt;
static struct export ex;
static atomic_int stop;
static struct hosts hosts;
static char url[128];
static char dir[64];

/* An export whose target has the --expand arguments rel (NULL-ended);
 * named: the NAME=TEMPLATE form. */
static struct expand *
ex_make(const char *const *rel, int named, int replace, int port)
{
	struct expand *xp;
	char err[256];
	int i;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/items", port);
	memset(&opt, 0, sizeof opt);
	opt.workers = 1;
	opt.retries = 0;
	opt.max_item = 1 << 20;
	opt.max_depth = 64;
	opt.level = 1;
	memset(&tgt, 0, sizeof tgt);
	tgt.url = url;
	tgt.profile = *profile_find("offset");
	for (i = 0; rel[i] != NULL; i++)
		tgt.expand[i] = rel[i];
	tgt.nexpand = i;
	tgt.expand_named = named;
	tgt.expand_replace = replace;
	memset(&ex, 0, sizeof ex);
	atomic_store(&stop, 0);
	ex.o = &opt;
	ex.t = &tgt;
	ex.stop = &stop;
	ex.origin = origin_of(url);
	pthread_mutex_init(&ex.fail_lock, NULL);
	progress_init(&ex.progress, progress_off);
	ex.run.o = &opt;
	ex.run.t = &tgt;
	ex.run.base = profile_base_url(&tgt.profile, url, err, sizeof err);
	ex.run.http.connect_timeout = 5;
	ex.run.http.speed_limit = 1;
	ex.run.http.speed_time = 5;
	ex.run.http.cancel = &stop;
	ex.run.http.origin = ex.origin;
	ex.run.max_page = 1 << 20;
	ex.run.cancel = &stop;
	hosts_init(&hosts, 0, 0, 0);
	hosts_join(&hosts, &ex.member);
	ex.run.hosts = &hosts;
	ex.run.home = hosts_get(&hosts, url);
	ex.run.member = &ex.member;
	/* The listing is a task of the crew's; the details' emitter works
	 * its own pages when no crew thread is free. */
	ex.crew = crew_new(2, NULL);
	xp = expand_new(&ex);
	ex.xp = xp;
	return xp;
}

static void
ex_free(void)
{
	expand_free(ex.xp);
	ex.xp = NULL;
	crew_free(ex.crew);
	ex.crew = NULL;
	writer_abort(ex.w);
	ex.w = NULL;
	hosts_part(&hosts, &ex.member);
	hosts_destroy(&hosts);
	curl_url_cleanup((CURLU *)ex.run.base);
	free(ex.origin);
	pthread_mutex_destroy(&ex.fail_lock);
}

static int
push(const char *line)
{
	return expand_push(ex.xp, line, strlen(line));
}

static void
test_collision(void)
{
	static const char *const tags[] = {
		"tags=http://h.example/items/{id}/tags", NULL
	};
	static const char *const two[] = {
		"owner=http://h.example/u/{owner}",
		"tags=http://h.example/items/{id}/tags", NULL
	};
	static const char *const detail[] = { "http://h.example/items/{id}", NULL };

	if (!ok(ex_make(tags, 1, 0, 1) != NULL, "an expansion is made"))
		return;
	ok(push("{\"id\":1,\"name\":\"a\"}") == 0 && ex.fail_status == exit_ok,
	    "an item without the relation's key: pushed");
	ok(push("{\"id\":3,\"meta\":{\"tags\":[]}}") == 0 &&
	    ex.fail_status == exit_ok, "the key further down the item (not "
	    "top-level): no collision, pushed");
	ok(push("{\"id\":2,\"tags\":[\"x\"]}") < 0 &&
	    ex.fail_status == exit_protocol && atomic_load(&stop) == STOP_FAILED,
	    "an item that has the relation's NAME as a key: the run fails, "
	    "exit 7, and stops");
	ok(strstr(ex.fail_msg, "id=2: the item has the key \"tags\" already: "
	    "--expand tags=... would write it twice") == ex.fail_msg &&
	    strstr(ex.fail_msg, "--expand-replace") != NULL,
	    "... the message names the item, the key and the way out (%s)",
	    ex.fail_msg);
	ex_free();

	ex_make(tags, 1, 0, 1);
	ok(push("{\"id\":4,\"ta\\u0067s\":1}") < 0 &&
	    ex.fail_status == exit_protocol, "a key written with an escape "
	    "(\"ta\\u0067s\") is the same key: refused");
	ex_free();

	ex_make(two, 1, 0, 1);
	ok(push("{\"id\":5,\"tags\":1}") < 0 && strstr(ex.fail_msg,
	    "the item has the key \"tags\" already") != NULL,
	    "two relations: the second's NAME collides, named (%s)", ex.fail_msg);
	ex_free();

	ex_make(tags, 1, 0, 1);
	ok(push("[1,2]") < 0 && ex.fail_status == exit_protocol &&
	    strstr(ex.fail_msg, "item 1 of the listing is not a JSON object")
	    != NULL, "NAME=: an item that is no object has nowhere to attach "
	    "a relation: exit 7 (%s)", ex.fail_msg);
	ex_free();

	ex_make(tags, 1, 1, 1);
	ok(push("{\"id\":6,\"tags\":[\"x\"]}") == 0 && ex.fail_status == exit_ok,
	    "--expand-replace: the item with the key is pushed (the emitter "
	    "replaces the member)");
	ex_free();

	ex_make(detail, 0, 0, 1);
	ok(push("{\"id\":7,\"tags\":1}") == 0 && ex.fail_status == exit_ok,
	    "--expand URL (the detail replaces the item): no key to collide");
	ex_free();
}

/* The listing: pushes the item lines of arg (NULL-ended). */
static enum exit_status
listing(struct export *e, void *arg)
{
	const char *const *items = arg;
	int i;

	for (i = 0; items[i] != NULL; i++)
		if (expand_push(e->xp, items[i], strlen(items[i])) < 0)
			return e->fail_status != exit_ok ? e->fail_status :
			    exit_failure;
	return exit_ok;
}

/* expand_run over items, relations relf[] (each a format whose %d is the
 * canned server's port), the canned replies r; what was written. */
static struct expand_counts counts;    /* the last run_items's */
static int mismatch;                    /* ... and what expand_verify said */

static enum exit_status
run_items(const char *const *relf, int named, int replace,
    const char *const *items,
    const struct canned_reply *r, int nr, char *out, size_t outsz,
    int *requests)
{
	char relbuf[4][128];
	const char *rel[5];
	struct canned c;
	enum exit_status st;
	char path[128];
	FILE *f;
	size_t n = 0;
	int i;

	out[0] = '\0';
	*requests = -1;
	if (canned_start(&c, r, nr) < 0)
		return exit_failure;
	for (i = 0; i < 4 && relf[i] != NULL; i++) {
		snprintf(relbuf[i], sizeof relbuf[i], relf[i], c.port);
		rel[i] = relbuf[i];
	}
	rel[i] = NULL;
	if (ex_make(rel, named, replace, c.port) == NULL) {
		canned_stop(&c);
		return exit_failure;
	}
	snprintf(path, sizeof path, "%s/out.ndjson", dir);
	ex.w = writer_open(path);
	st = expand_run(ex.xp, listing, (void *)items);
	if (st == exit_ok && ex.fail_status != exit_ok)
		st = ex.fail_status;
	expand_verify(ex.xp);
	expand_counts(ex.xp, &counts);
	mismatch = ex.mismatch;
	if (st == exit_ok && ex.w != NULL && writer_publish(ex.w) == writer_ok &&
	    (f = fopen(path, "rb")) != NULL) {
		n = fread(out, 1, outsz - 1, f);
		fclose(f);
	}
	out[n] = '\0';
	unlink(path);
	*requests = canned_requests(&c);
	ex_free();
	canned_stop(&c);
	return st;
}

static void
test_written(void)
{
	static const char *const tags[] = {
		"tags=http://127.0.0.1:%d/items/{id}/tags", NULL
	};
	static const char *const both[] = {
		"owner=http://127.0.0.1:%d/users/{id}",
		"tags=http://127.0.0.1:%d/items/{id}/tags", NULL
	};
	static const char *const items[] = {
		"{\"id\":1,\"tags\":\"old\",\"n\":1}",
		"{\"id\":2,\"n\":2,\"tags\":null}", NULL
	};
	static const char *const plain[] = {
		"{\"id\":1}", "{\"id\":2,\"n\":{}}", NULL
	};
	static const char *const twice[] = {
		"{\"id\":1,\"tags\":1,\"tags\":2}", NULL
	};
	static const char *const clash[] = {
		"{\"id\":1}", "{\"id\":2,\"tags\":0}", NULL
	};
	static const struct canned_reply ab[] = {
		{ "200 OK", "[\"a\"]", canned_reply },
		{ "200 OK", "{\"b\": 1}", canned_reply },
	};
	static const struct canned_reply abcd[] = {
		{ "200 OK", "{\"login\":\"u1\"}", canned_reply },
		{ "200 OK", "[\"a\"]", canned_reply },
		{ "200 OK", "{\"login\":\"u2\"}", canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	char out[1024];
	int nreq;
	enum exit_status st;

	st = run_items(tags, 1, 1, items, ab, 2, out, sizeof out, &nreq);
	ok(st == exit_ok && strcmp(out, "{\"id\":1,\"tags\":[\"a\"],\"n\":1}\n"
	    "{\"id\":2,\"n\":2,\"tags\":{\"b\":1}}\n") == 0 && nreq == 2,
	    "--expand-replace: each relation's value in the place of the "
	    "item's member, which keeps its position; the key once");

	st = run_items(tags, 1, 0, plain, ab, 2, out, sizeof out, &nreq);
	ok(st == exit_ok && strcmp(out, "{\"id\":1,\"tags\":[\"a\"]}\n"
	    "{\"id\":2,\"n\":{},\"tags\":{\"b\":1}}\n") == 0,
	    "without it: the relation appended as the item's last member, "
	    "compact");

	st = run_items(both, 1, 0, plain, abcd, 4, out, sizeof out, &nreq);
	ok(st == exit_ok && strcmp(out, "{\"id\":1,\"owner\":{\"login\":"
	    "\"u1\"},\"tags\":[\"a\"]}\n{\"id\":2,\"n\":{},\"owner\":{"
	    "\"login\":\"u2\"},\"tags\":[]}\n") == 0 && nreq == 4,
	    "two relations: appended in the order given");

	st = run_items(tags, 1, 1, twice, ab, 2, out, sizeof out, &nreq);
	ok(st == exit_protocol && strstr(ex.fail_msg,
	    "the item has the key \"tags\" 2 times: --expand-replace cannot "
	    "replace one member of it") != NULL,
	    "--expand-replace on an item with the key twice: the run fails, "
	    "exit 7 (%s)", ex.fail_msg);

	st = run_items(tags, 1, 0, clash, ab, 2, out, sizeof out, &nreq);
	ok(st == exit_protocol && strstr(ex.fail_msg,
	    "id=2: the item has the key \"tags\" already") != NULL,
	    "a collision in the second item, under expand_run: the run fails, "
	    "exit 7 (%s)", ex.fail_msg);
}

/* A detail that fails for good leaves its item out, counted; the run
 * goes on and does not add up (exit 3 at the end) - but credentials
 * refused before any detail got through are the run's failure. */
static void
test_failed(void)
{
	static const char *const detail[] = {
		"http://127.0.0.1:%d/items/{id}", NULL
	};
	static const char *const both[] = {
		"owner=http://127.0.0.1:%d/users/{id}",
		"tags=http://127.0.0.1:%d/items/{id}/tags", NULL
	};
	static const char *const three[] = {
		"{\"id\":1}", "{\"id\":2}", "{\"id\":3}", NULL
	};
	static const char *const unfit[] = {
		"{\"id\":1}", "{\"no_id\":2}", NULL
	};
	static const struct canned_reply mid404[] = {
		{ "200 OK", "{\"id\":1,\"full\":true}", canned_reply },
		{ "404 Not Found", "gone", canned_reply },
		{ "200 OK", "{\"id\":3,\"full\":true}", canned_reply },
	};
	static const struct canned_reply rel404[] = {
		{ "200 OK", "\"u1\"", canned_reply },
		{ "404 Not Found", "gone", canned_reply },
		{ "200 OK", "\"u2\"", canned_reply },
		{ "200 OK", "[]", canned_reply },
		{ "200 OK", "\"u3\"", canned_reply },
		{ "200 OK", "[3]", canned_reply },
	};
	static const struct canned_reply auth_first[] = {
		{ "401 Unauthorized", "who", canned_reply },
		{ "200 OK", "{}", canned_reply },
		{ "200 OK", "{}", canned_reply },
	};
	static const struct canned_reply auth_later[] = {
		{ "200 OK", "{\"id\":1}", canned_reply },
		{ "401 Unauthorized", "who", canned_reply },
		{ "200 OK", "{\"id\":3}", canned_reply },
	};
	static const struct canned_reply one[] = {
		{ "200 OK", "{\"id\":1,\"full\":true}", canned_reply },
	};
	char out[1024];
	int nreq;
	enum exit_status st;

	st = run_items(detail, 0, 0, three, mid404, 3, out, sizeof out, &nreq);
	ok(st == exit_ok && strcmp(out, "{\"id\":1,\"full\":true}\n"
	    "{\"id\":3,\"full\":true}\n") == 0 && nreq == 3,
	    "--expand URL: each item replaced by its detail; a 404 leaves "
	    "item 2 out and the others are written");
	ok(counts.fetched == 2 && counts.failed == 1 &&
	    counts.items_failed == 1 && counts.lines == 2 && mismatch,
	    "... counted (2 fetched, 1 failed, 1 item left out, 2 lines), and "
	    "the run does not add up (exit 3)");

	st = run_items(both, 1, 0, three, rel404, 6, out, sizeof out, &nreq);
	ok(st == exit_ok && strcmp(out, "{\"id\":2,\"owner\":\"u2\","
	    "\"tags\":[]}\n{\"id\":3,\"owner\":\"u3\",\"tags\":[3]}\n")
	    == 0 && counts.items_failed == 1 && counts.failed == 1,
	    "one relation of item 1 failed: the whole item left out, never "
	    "written without it");

	st = run_items(detail, 0, 0, unfit, one, 1, out, sizeof out, &nreq);
	ok(st == exit_ok && nreq == 1 && counts.failed == 1 &&
	    counts.items_failed == 1 && strcmp(out, "{\"id\":1,\"full\":"
	    "true}\n") == 0, "an item the template cannot be filled from: "
	    "left out, counted, never asked");

	st = run_items(detail, 0, 0, three, auth_first, 3, out, sizeof out,
	    &nreq);
	ok(st == exit_auth && strstr(ex.fail_msg, "HTTP 401") != NULL,
	    "a 401 before any detail got through: the run's failure, exit 4 "
	    "(%s)", ex.fail_msg);

	st = run_items(detail, 0, 0, three, auth_later, 3, out, sizeof out,
	    &nreq);
	ok(st == exit_ok && counts.failed == 1 && mismatch &&
	    strcmp(out, "{\"id\":1}\n{\"id\":3}\n") == 0,
	    "a 401 once a detail got through: that item's failure only");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_expand.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || http_global_init() < 0)
		return 1;
	log_set_level(log_level_quiet);
	test_collision();
	test_written();
	test_failed();
	http_global_cleanup();
	rmdir(dir);
	return tap_done();
}
