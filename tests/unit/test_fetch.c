/*
 * test_fetch.c - one page, one attempt at a time (fetch_page_step): the
 * page's retry state (struct pool_later) after each attempt - done, again
 * after a wait (and nothing of the failed attempt in the page), or given
 * up with the status the failure deserves - and the page itself: its
 * lines, hashes, total and URL.  Real transfers against canned.h's
 * loopback server; the waits are returned, never slept.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "canned.h"
#include "clock.h"
#include "fetch.h"
#include "hash.h"
#include "log.h"
#include "tap.h"

static struct options opt;
static struct target tgt;
static struct fetch_run run;
static struct hosts hosts;
static struct hosts_member member;
static atomic_int cancel;
static CURLU *base;

/* A run against the canned server on port: the offset profile, 2 items
 * a page, retries as given. */
static struct fetcher *
fetch_setup(int port, int retries, long retry_max_time)
{
	static char url[128];
	char err[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/items?sort=id", port);
	memset(&opt, 0, sizeof opt);
	opt.workers = 1;
	opt.retries = retries;
	opt.retry_max_time = retry_max_time;
	opt.max_item = 1 << 20;
	opt.max_depth = 64;
	opt.level = 1;
	memset(&tgt, 0, sizeof tgt);
	tgt.url = url;
	tgt.profile = *profile_find("offset");
	tgt.limit = 2;
	base = profile_base_url(&tgt.profile, url, err, sizeof err);
	memset(&run, 0, sizeof run);
	run.o = &opt;
	run.t = &tgt;
	run.base = base;
	run.http.connect_timeout = 5;
	run.http.speed_limit = 1;
	run.http.speed_time = 1;       /* a stall is a timeout after 1 s */
	run.http.cancel = &cancel;
	run.max_page = 1 << 20;
	hosts_init(&hosts, 0, 0, 0);
	hosts_join(&hosts, &member);
	run.hosts = &hosts;
	run.home = hosts_get(&hosts, url);
	run.member = &member;
	run.cancel = &cancel;
	return base != NULL ? fetcher_new(&run) : NULL;
}

static void
fetch_teardown(struct fetcher *f)
{
	fetcher_free(f);
	hosts_part(&hosts, &member);
	hosts_destroy(&hosts);
	curl_url_cleanup(base);
}

/* One page's request and its buffers. */
struct page {
	struct fetch_req req;
	struct buf out, hashes;
	struct fetch_info info;
	struct pool_later rs;
	char msg[1024];
};

static void
page_init(struct page *p, long long offset)
{
	memset(p, 0, sizeof *p);
	buf_init(&p->out, 1 << 20);
	buf_init(&p->hashes, 1 << 20);
	p->req.offset = offset;
	p->req.limit = 2;
	p->req.out = &p->out;
	p->req.hashes = &p->hashes;
}

static void
page_free(struct page *p)
{
	fetch_info_clear(&p->info);
	buf_free(&p->out);
	buf_free(&p->hashes);
}

static enum exit_status
step(struct fetcher *f, struct page *p)
{
	p->msg[0] = '\0';
	return fetch_page_step(f, &p->req, &p->info, &p->rs, p->msg,
	    sizeof p->msg);
}

/* A good page at once; a 503 then a good page; a 429's Retry-After. */
static void
test_retried(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK\r\nX-Total-Count: 5", "[{\"id\":1},{\"id\":2}]", canned_reply },
		{ "503 Service Unavailable", "busy", canned_reply },
		{ "200 OK\r\nX-Total-Count: 5", "[{\"id\":3}, {\"id\": 4}]", canned_reply },
		{ "200 OK", "[{\"id\":6},{\"id\":", canned_reply },
		{ "200 OK", "[{\"id\":6}]", canned_reply },
		{ "429 Too Many Requests\r\nRetry-After: 2", "slow down", canned_reply },
		{ "200 OK\r\nX-Total-Count: 5", "[{\"id\":5}]", canned_reply },
	};
	struct canned c;
	struct fetcher *f;
	struct page p;
	char line[256];
	uint64_t h;
	enum exit_status st;
	double t0;

	if (!ok(canned_start(&c, r, 7) == 0, "the canned server starts"))
		return;
	if (!ok((f = fetch_setup(c.port, 3, 0)) != NULL, "a fetcher is made"))
		goto out;

	page_init(&p, 0);
	st = step(f, &p);
	memcpy(&h, p.hashes.data, sizeof h);
	ok(st == exit_ok && p.rs.wait_ms == 0 && p.rs.attempts == 0,
	    "a 200: done at the first attempt (no wait, no attempt failed)");
	ok(p.out.len == 18 && memcmp(p.out.data, "{\"id\":1}\n{\"id\":2}\n", 18)
	    == 0 && p.info.items == 2 && p.info.has_total &&
	    p.info.total == 5, "... the page: its NDJSON lines, 2 items, the "
	    "total 5 of X-Total-Count");
	ok(p.hashes.len == 2 * sizeof h && h == hash_bytes("{\"id\":1}", 8),
	    "... one hash per item, of its line");
	ok(strcmp(canned_request(&c, 0, line, sizeof line),
	    "GET /items?sort=id&offset=0&limit=2 HTTP/1.1") == 0,
	    "... asked with the profile's offset and limit (%s)", line);
	page_free(&p);

	page_init(&p, 2);
	t0 = clock_now();
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms > 0 && p.rs.wait_ms <= 250 &&
	    p.rs.attempts == 1 && p.rs.started >= t0 &&
	    atomic_load(&run.retried) == 1,
	    "a 503: again, after a backoff within 250 ms (got %ld ms), one "
	    "attempt failed, the first's time kept", p.rs.wait_ms);
	ok(p.out.len == 0 && p.info.items == 0 && p.info.url == NULL,
	    "... nothing of the failed attempt in the page or its info");
	t0 = p.rs.started;
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms == 0 && p.rs.attempts == 1 &&
	    p.rs.started == t0 && p.info.items == 2 &&
	    p.out.len == 18 && memcmp(p.out.data, "{\"id\":3}\n{\"id\":4}\n", 18)
	    == 0, "... called again with the same state: done, compact lines, "
	    "the tries so far kept");
	page_free(&p);

	page_init(&p, 4);
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms > 0 && p.rs.attempts == 1,
	    "a complete 200 whose JSON is cut short: tried again");
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms == 0 && p.info.items == 1,
	    "... then done");
	page_free(&p);

	/* Last: a throttle slows the host's later requests (its limiter). */
	page_init(&p, 6);
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms == 2000 && p.rs.attempts == 1 &&
	    atomic_load(&run.throttled) == 1,
	    "a 429 with Retry-After: 2: a throttle, again in the 2000 ms asked "
	    "(got %ld)", p.rs.wait_ms);
	st = step(f, &p);
	ok(st == exit_ok && p.rs.wait_ms == 0 && p.info.items == 1,
	    "... then done");
	page_free(&p);
	ok(atomic_load(&run.requests) == 7, "seven requests in all");
	fetch_teardown(f);
out:
	canned_stop(&c);
}

/* Given up: the status each failure deserves, and why. */
static void
test_given_up(void)
{
	static const struct canned_reply r[] = {
		{ "404 Not Found", "no", canned_reply },
		{ "500 Internal Server Error", "a", canned_reply },
		{ "500 Internal Server Error", "b", canned_reply },
		{ "500 Internal Server Error", "c", canned_reply },
		{ "200 OK", "{\"detail\":\"Invalid page.\"}", canned_reply },
		{ "502 Bad Gateway", "x", canned_reply },
		{ "429 Too Many Requests", "a", canned_reply },
		{ "429 Too Many Requests", "b", canned_reply },
		{ "429 Too Many Requests", "c", canned_reply },
	};
	struct canned c;
	struct fetcher *f;
	struct page p;
	enum exit_status st;
	int i;

	if (!ok(canned_start(&c, r, 9) == 0, "the canned server starts"))
		return;
	if (!ok((f = fetch_setup(c.port, 2, 0)) != NULL, "a fetcher is made"))
		goto out;

	page_init(&p, 0);
	st = step(f, &p);
	ok(st == exit_failure && p.rs.wait_ms == 0 && p.rs.attempts == 0 &&
	    strstr(p.msg, "offset 0: GET ") == p.msg &&
	    strstr(p.msg, "HTTP 404") != NULL && strstr(p.msg, "gave up") ==
	    NULL, "a 404: failed for good at once, exit 1, no retry said "
	    "(%s)", p.msg);
	page_free(&p);

	page_init(&p, 2);
	for (i = 0; i < 3 && (st = step(f, &p)) == exit_ok &&
	    p.rs.wait_ms > 0; i++)
		;
	ok(i == 2 && st == exit_failure && p.rs.wait_ms == 0 &&
	    p.rs.attempts == 2 && strstr(p.msg, "HTTP 500") != NULL &&
	    strstr(p.msg, "(gave up on this page after 3 attempts)") != NULL,
	    "--retries 2 and a lasting 500: two waits, then exit 1 after 3 "
	    "attempts, said (%s)", p.msg);
	page_free(&p);

	page_init(&p, 6);
	st = step(f, &p);
	ok(st == exit_protocol && p.rs.wait_ms == 0 && p.rs.attempts == 0,
	    "a complete 200 of the wrong shape: exit 7 at once, not retried "
	    "(%s)", p.msg);
	page_free(&p);

	/* --retries 5 --retry-max-time 10, the page's first try 100 s ago. */
	opt.retries = 5;
	opt.retry_max_time = 10;
	page_init(&p, 8);
	p.rs.started = clock_now() - 100;
	st = step(f, &p);
	ok(st == exit_failure && p.rs.wait_ms == 0 &&
	    strstr(p.msg, "(gave up on this page after 1 attempt)") != NULL,
	    "past --retry-max-time since its first try: given up at the next "
	    "failure, whatever --retries (%s)", p.msg);
	page_free(&p);
	/* Last: throttles slow the host's later requests (its limiter, which
	 * paces them at the rate accepted so far). */
	opt.retries = 2;
	opt.retry_max_time = 0;
	page_init(&p, 4);
	for (i = 0; i < 3 && (st = step(f, &p)) == exit_ok &&
	    p.rs.wait_ms > 0; i++)
		;
	ok(i == 2 && st == exit_throttled && p.rs.attempts == 2 &&
	    strstr(p.msg, "(gave up on this page after 3 attempts)") != NULL,
	    "throttled past --retries: exit 5 (got %d)", (int)st);
	page_free(&p);
	fetch_teardown(f);
out:
	canned_stop(&c);
}

/* A request that times out is tried 3 times at most, whatever --retries;
 * the state counts them (two already, the third here: 1 s of stall). */
static void
test_timeouts(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK", "", canned_hang },
	};
	struct canned c;
	struct fetcher *f;
	struct page p;
	enum exit_status st;

	if (!ok(canned_start(&c, r, 1) == 0, "the canned server starts"))
		return;
	if (!ok((f = fetch_setup(c.port, 10, 0)) != NULL, "a fetcher is made"))
		goto out;
	page_init(&p, 0);
	p.rs.attempts = 2;
	p.rs.timeouts = 2;
	st = step(f, &p);
	ok(st == exit_failure && p.rs.timeouts == 3 && p.rs.wait_ms == 0 &&
	    strstr(p.msg, "after 3 attempts, each timed out)") != NULL,
	    "a third timeout: given up with --retries 10, said (%s)", p.msg);
	page_free(&p);
	fetch_teardown(f);
out:
	canned_stop(&c);
}

/* A stop asked before the request: interrupted, nothing to retry. */
static void
test_cancelled(void)
{
	struct fetcher *f;
	struct page p;
	enum exit_status st;

	if (!ok((f = fetch_setup(canned_dead_port(), 3, 0)) != NULL,
	    "a fetcher is made"))
		return;
	atomic_store(&cancel, 1);
	page_init(&p, 0);
	st = step(f, &p);
	ok(st == exit_interrupted && p.rs.wait_ms == 0 && p.rs.attempts == 0 &&
	    atomic_load(&run.retried) == 0 && strstr(p.msg, "interrupted"),
	    "the run stopped: interrupted, and not tried again (%s)", p.msg);
	atomic_store(&cancel, 0);
	page_free(&p);
	fetch_teardown(f);
}

int
main(void)
{
	if (http_global_init() < 0)
		return 1;
	log_set_level(log_level_quiet);
	test_retried();
	test_given_up();
	test_timeouts();
	test_cancelled();
	http_global_cleanup();
	return tap_done();
}
