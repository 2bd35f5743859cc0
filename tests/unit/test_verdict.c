/*
 * test_verdict.c - what one response means: a page to parse or a failure
 * with its exit status and message (verdict_response), the retry signs it
 * carries and what retry_classify makes of them (verdict_signal), and the
 * quota it announces (verdict_quota).  Real libcurl transfers against a
 * loopback server of canned replies (canned.h): no network.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "canned.h"
#include "http.h"
#include "tap.h"
#include "verdict.h"

static struct http_conf conf;

/* A sink for bodies; returns -1 (stop) when told to. */
static int
body_fn(void *ctx, const char *data, size_t n)
{
	(void)data;
	(void)n;
	return ctx != NULL ? -1 : 0;
}

/* One GET of url on a fresh client; the verdict, the signal, the message. */
struct got {
	struct http_result res;
	enum exit_status st;
	struct retry_signal sig;
	long hint_ms;
	enum retry_verdict v;
	char msg[1024];
	int quota;
	long long remaining;
	double reset_s;
};

static void
get(const char *url, int stop_body, long long now, struct got *g)
{
	struct http_client *h = http_client_new(&conf);

	memset(g, 0, sizeof *g);
	if (h == NULL) {
		snprintf(g->msg, sizeof g->msg, "no client");
		g->st = -1;
		return;
	}
	http_get(h, url, NULL, body_fn, stop_body ? (void *)1 : NULL, &g->res);
	g->st = verdict_response(h, &g->res, "offset 40", g->msg, sizeof g->msg);
	verdict_signal(h, &g->res, &g->sig, &g->hint_ms);
	g->v = retry_classify(&g->sig);
	g->quota = verdict_quota(h, now, &g->remaining, &g->reset_s);
	http_client_free(h);
}

/* Statuses: which are failures, of which status, and what they say. */
static void
test_statuses(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK", "[1,2]", canned_reply },
		{ "401 Unauthorized", "{\"detail\":\"no\"}", canned_reply },
		{ "403 Forbidden", "nope", canned_reply },
		{ "404 Not Found", "gone", canned_reply },
		{ "500 Internal Server Error", "oops", canned_reply },
		{ "400 Bad Request", "bad", canned_reply },
		{ "200 OK", "[1,2,3]", canned_reply },
	};
	struct canned c;
	struct got g;
	char url[128];

	if (!ok(canned_start(&c, r, 7) == 0, "the canned server starts"))
		return;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/items?offset=40", c.port);

	get(url, 0, 0, &g);
	ok(g.st == exit_ok && g.res.outcome == http_outcome_ok &&
	    g.v == retry_verdict_no && g.hint_ms == -1,
	    "200: a page to parse (exit_ok), nothing to retry, no hint");

	get(url, 0, 0, &g);
	ok(g.st == exit_auth && g.v == retry_verdict_no,
	    "401: exit 4 (auth), not retried (got %d)", (int)g.st);
	ok(strstr(g.msg, "offset 40: GET http://127.0.0.1:") == g.msg &&
	    strstr(g.msg, "/items?offset=40: HTTP 401 Unauthorized: check "
	    "--user (body: \"{\\\"detail\\\":\\\"no\\\"}\")") != NULL,
	    "401: the message names where, the URL, the status, --user and "
	    "the body's start, its quotes escaped (%s)", g.msg);

	get(url, 0, 0, &g);
	ok(g.st == exit_auth && g.v == retry_verdict_no &&
	    strstr(g.msg, "HTTP 403 Forbidden (body: \"nope\")") != NULL,
	    "403 without rate-limit signs: exit 4, not retried (%s)", g.msg);

	get(url, 0, 0, &g);
	ok(g.st == exit_failure && g.v == retry_verdict_no &&
	    strstr(g.msg, "HTTP 404 Not Found (body: \"gone\")") != NULL,
	    "404: exit 1, not retried (%s)", g.msg);

	get(url, 0, 0, &g);
	ok(g.st == exit_failure && g.v == retry_verdict_yes &&
	    strstr(g.msg, "HTTP 500 (body: \"oops\")") != NULL,
	    "500: exit 1 if it lasts, retried (%s)", g.msg);

	get(url, 0, 0, &g);
	ok(g.st == exit_failure && g.v == retry_verdict_no,
	    "400: exit 1, not retried");

	get(url, 1, 0, &g);
	ok(g.res.outcome == http_outcome_aborted && g.st == exit_ok,
	    "a body the parser stopped: still the page's (exit_ok), the "
	    "parser says why");
	ok(canned_requests(&c) == 7, "one request each");
	canned_stop(&c);
}

/* Rate-limit signs: throttles, hints, quotas. */
static void
test_throttles(void)
{
	static const struct canned_reply r[] = {
		{ "429 Too Many Requests\r\nRetry-After: 3", "slow", canned_reply },
		{ "403 Forbidden\r\nX-RateLimit-Remaining: 0\r\n"
		    "X-RateLimit-Reset: 7", "limit", canned_reply },
		{ "403 Forbidden\r\nRetry-After: 2", "secondary", canned_reply },
		{ "200 OK\r\nRateLimit-Remaining: 5\r\nRateLimit-Reset: 30\r\n"
		    "X-RateLimit-Remaining: 99\r\nX-RateLimit-Reset: 99", "[]",
		    canned_reply },
		{ "200 OK\r\nX-RateLimit-Remaining: 12\r\n"
		    "X-RateLimit-Reset: 1700000060", "[]", canned_reply },
		{ "200 OK\r\nRateLimit-Remaining: 1\r\nRateLimit-Reset: 999999",
		    "[]", canned_reply },
		{ "200 OK\r\nRateLimit-Remaining: 1", "[]", canned_reply },
		{ "200 OK\r\nRateLimit-Remaining: many\r\nRateLimit-Reset: 3",
		    "[]", canned_reply },
	};
	struct canned c;
	struct got g;
	char url[128];

	if (!ok(canned_start(&c, r, 8) == 0, "the canned server starts"))
		return;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", c.port);

	get(url, 0, 0, &g);
	ok(g.st == exit_failure && g.sig.status == 429 && g.sig.retry_after &&
	    g.hint_ms == 3000 && g.v == retry_verdict_throttled,
	    "429 with Retry-After: 3: a throttle, 3000 ms asked (got %ld)",
	    g.hint_ms);

	get(url, 0, 0, &g);
	ok(g.sig.ratelimit_exhausted && g.hint_ms == 7000 &&
	    g.v == retry_verdict_throttled,
	    "403 with X-RateLimit-Remaining: 0: a throttle (GitHub's), its "
	    "Reset the hint: 7000 ms (got %ld)", g.hint_ms);

	get(url, 0, 0, &g);
	ok(g.sig.retry_after && !g.sig.ratelimit_exhausted &&
	    g.v == retry_verdict_throttled && g.hint_ms == 2000,
	    "403 with Retry-After (a secondary limit): a throttle");

	get(url, 0, 0, &g);
	ok(g.st == exit_ok && g.quota == 1 && g.remaining == 5 &&
	    g.reset_s == 30, "RateLimit-Remaining/-Reset: the quota, 5 "
	    "requests in 30 s; the pair wins over X-RateLimit-*");

	get(url, 0, 1700000000LL, &g);
	ok(g.quota == 1 && g.remaining == 12 && g.reset_s == 60,
	    "X-RateLimit-Reset as a Unix time: seconds from now (60; got %g)",
	    g.reset_s);

	get(url, 0, 0, &g);
	ok(g.quota == 1 && g.reset_s == 86400,
	    "a Reset of more than a day (but not a Unix time): a day at most");

	get(url, 0, 0, &g);
	ok(g.quota == 0, "Remaining without Reset: no quota");

	get(url, 0, 0, &g);
	ok(g.quota == 0, "a Remaining that is no count: no quota");
	canned_stop(&c);
}

/* No complete response: the network's failures and TLS's. */
static void
test_transport(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK", "[1,2,3", canned_cut },
		{ "200 OK", "", canned_reset },
		{ "200 OK", "not TLS", canned_reply },
		{ "200 OK", "", canned_hang },
	};
	struct canned c;
	struct got g;
	char url[128];
	atomic_int cancel = 1;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", canned_dead_port());
	get(url, 0, 0, &g);
	ok(g.res.outcome == http_outcome_transport && g.st == exit_failure &&
	    g.sig.curl == CURLE_COULDNT_CONNECT && g.sig.status == 0 &&
	    g.v == retry_verdict_yes && g.hint_ms == -1,
	    "connection refused: exit 1, retried, no hint (curl %d)",
	    (int)g.sig.curl);
	ok(strstr(g.msg, "offset 40: GET http://127.0.0.1:") == g.msg,
	    "... the message names where and the URL (%s)", g.msg);

	if (!ok(canned_start(&c, r, 4) == 0, "the canned server starts"))
		return;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", c.port);
	get(url, 0, 0, &g);
	ok(g.res.outcome == http_outcome_transport && g.st == exit_failure &&
	    g.sig.curl == CURLE_PARTIAL_FILE && g.v == retry_verdict_yes,
	    "a body shorter than its Content-Length: exit 1, retried "
	    "(curl %d)", (int)g.sig.curl);

	snprintf(url, sizeof url, "https://127.0.0.1:%d/", c.port);
	get(url, 0, 0, &g);
	ok(g.res.outcome == http_outcome_transport && g.st == exit_failure &&
	    g.v == retry_verdict_yes,
	    "a TLS handshake cut by a reset: the network's (exit 1, "
	    "retried), not TLS's (curl %d, errno %ld, exit %d)",
	    (int)g.sig.curl, g.sig.os_errno, (int)g.st);

	get(url, 0, 0, &g);
	ok(g.res.outcome == http_outcome_transport && g.st == exit_auth &&
	    g.v == retry_verdict_no,
	    "a server that does not speak TLS on https: exit 4, not retried "
	    "(curl %d, errno %ld, exit %d)", (int)g.sig.curl, g.sig.os_errno,
	    (int)g.st);

	snprintf(url, sizeof url, "http://127.0.0.1:%d/", c.port);
	conf.cancel = &cancel;
	get(url, 0, 0, &g);
	conf.cancel = NULL;
	ok(g.st == exit_interrupted && strstr(g.msg, ": interrupted") != NULL,
	    "a transfer cancelled: exit 130, \"interrupted\" (%s)", g.msg);
	canned_stop(&c);
}

/* The URL in a message is redacted: no password, no secret parameter. */
static void
test_redacted(void)
{
	static const struct canned_reply r[] = {
		{ "500 Internal Server Error", "x", canned_reply },
	};
	struct canned c;
	struct got g;
	char url[160];

	if (!ok(canned_start(&c, r, 1) == 0, "the canned server starts"))
		return;
	snprintf(url, sizeof url, "http://user:hunter2@127.0.0.1:%d/"
	    "items?api_key=hunter3&offset=0", c.port);
	get(url, 0, 0, &g);
	ok(g.st == exit_failure && strstr(g.msg, "hunter2") == NULL &&
	    strstr(g.msg, "hunter3") == NULL && strstr(g.msg, "offset=0"),
	    "a failure's message never holds the URL's secrets (%s)", g.msg);
	canned_stop(&c);
}

int
main(void)
{
	if (http_global_init() < 0)
		return 1;
	conf.connect_timeout = 5;
	conf.speed_limit = 1;
	conf.speed_time = 5;
	test_statuses();
	test_throttles();
	test_transport();
	test_redacted();
	http_global_cleanup();
	return tap_done();
}
