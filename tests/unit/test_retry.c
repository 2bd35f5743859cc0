/*
 * test_retry.c - retry verdicts, backoff bounds, server hints, and the
 * shared limiter.  Timing is asserted only as a lower bound (a pace that
 * is never exceeded), which a busy machine cannot make fail.
 */
#include <string.h>

#include "retry.h"
#include "tap.h"

static enum retry_verdict
status(long st, int rl)
{
	struct retry_signal s;

	memset(&s, 0, sizeof s);
	s.status = st;
	s.ratelimit_exhausted = rl;
	return retry_classify(&s);
}

static enum retry_verdict
transport(CURLcode rc)
{
	struct retry_signal s;

	memset(&s, 0, sizeof s);
	s.curl = rc;
	return retry_classify(&s);
}

int
main(void)
{
	static const long yes[] = { 408, 425, 500, 502, 503, 504 };
	static const long no[] = { 400, 401, 404, 405, 410, 422, 501 };
	struct retry_signal trunc;
	struct limiter l;
	unsigned int seed = 42;
	long d, max;
	double t0, r0, r1;
	size_t i;
	int a, bad;

	for (i = 0, bad = 0; i < sizeof yes / sizeof *yes; i++)
		bad += status(yes[i], 0) != retry_verdict_yes;
	ok(bad == 0, "408 425 500 502 503 504 are retried");
	for (i = 0, bad = 0; i < sizeof no / sizeof *no; i++)
		bad += status(no[i], 0) != retry_verdict_no;
	ok(bad == 0, "400 401 404 405 410 422 501 are not");
	ok(status(429, 0) == retry_verdict_throttled, "429 throttles");
	ok(status(403, 0) == retry_verdict_no, "a plain 403 is final");
	ok(status(403, 1) == retry_verdict_throttled,
	    "a 403 with X-RateLimit-Remaining: 0 throttles");
	ok(transport(CURLE_COULDNT_CONNECT) == retry_verdict_yes &&
	    transport(CURLE_COULDNT_RESOLVE_HOST) == retry_verdict_yes &&
	    transport(CURLE_PARTIAL_FILE) == retry_verdict_yes &&
	    transport(CURLE_RECV_ERROR) == retry_verdict_yes &&
	    transport(CURLE_OPERATION_TIMEDOUT) == retry_verdict_yes &&
	    transport(CURLE_BAD_CONTENT_ENCODING) == retry_verdict_yes &&
	    transport(CURLE_GOT_NOTHING) == retry_verdict_yes,
	    "connection, DNS, short body, reset, stall, bad gzip are retried");
	ok(transport(CURLE_PEER_FAILED_VERIFICATION) == retry_verdict_no &&
	    transport(CURLE_TOO_MANY_REDIRECTS) == retry_verdict_no &&
	    transport(CURLE_UNSUPPORTED_PROTOCOL) == retry_verdict_no,
	    "TLS verification, redirect loops, other protocols are not");
	memset(&trunc, 0, sizeof trunc);
	trunc.status = 200;
	trunc.truncated = 1;
	ok(retry_classify(&trunc) == retry_verdict_yes,
	    "a 200 whose JSON was cut short is retried");
	trunc.truncated = 0;
	ok(retry_classify(&trunc) == retry_verdict_no,
	    "a complete 200 of the wrong shape (an error object) is not");
	memset(&trunc, 0, sizeof trunc);
	trunc.status = 403;
	trunc.retry_after = 1;
	ok(retry_classify(&trunc) == retry_verdict_throttled,
	    "a 403 with Retry-After (GitHub's secondary limit) throttles");
	memset(&trunc, 0, sizeof trunc);
	trunc.curl = CURLE_SSL_CONNECT_ERROR;
	ok(retry_classify(&trunc) == retry_verdict_no,
	    "a TLS handshake that failed by itself is not retried");
	trunc.os_errno = 104;   /* ECONNRESET */
	ok(retry_classify(&trunc) == retry_verdict_yes,
	    "a handshake cut by a reset is");

	for (a = 1, bad = 0; a <= 12; a++) {
		max = 250L << (a - 1);
		if (max > 30000)
			max = 30000;
		for (i = 0; i < 2000; i++) {
			d = retry_delay_ms(a, -1, 250, 30000, &seed);
			bad += d < 0 || d > max;
		}
	}
	ok(bad == 0, "full jitter stays within [0, min(cap, base*2^n)]");
	for (i = 0, max = 0; i < 2000; i++)
		if ((d = retry_delay_ms(6, -1, 250, 30000, &seed)) > max)
			max = d;
	ok(max > 4000, "and spreads over the range (max of 2000 draws %ld ms)", max);
	ok(retry_delay_ms(1, 5000, 250, 30000, &seed) == 5000,
	    "a server hint is used as it is");
	ok(retry_delay_ms(1, 999999, 250, 30000, &seed) == 30000,
	    "and clamped to the cap");

	ok(retry_hint_ms(3, NULL, 0) == 3000, "Retry-After: 3 -> 3 s");
	ok(retry_hint_ms(-20, NULL, 0) == -1,
	    "a Retry-After date in the past -> no hint (libcurl gives a negative)");
	ok(retry_hint_ms(0, NULL, 0) == -1,
	    "Retry-After: 0 -> no hint: backoff, not a retry at once");
	ok(retry_hint_ms(0, "7", 1700000000) == 7000, "RateLimit-Reset: 7 -> 7 s");
	ok(retry_hint_ms(0, "1700000012", 1700000000) == 12000,
	    "X-RateLimit-Reset as a Unix time -> the seconds until then");
	ok(retry_hint_ms(0, "1600000000", 1700000000) == 0,
	    "a reset time in the past -> now");
	ok(retry_hint_ms(0, "soon", 0) == -1 && retry_hint_ms(0, NULL, 0) == -1,
	    "no usable hint -> -1");

	limiter_init(&l, 0);
	t0 = retry_now();
	for (i = 0; i < 1000; i++)
		limiter_acquire(&l, NULL);
	ok(limiter_rate(&l) == 0, "unthrottled and no --rate: no limit");
	limiter_destroy(&l);

	limiter_init(&l, 50);
	t0 = retry_now();
	for (i = 0; i < 26; i++)
		limiter_acquire(&l, NULL);
	ok(retry_now() - t0 >= 0.45, "--rate 50: 26 requests take at least "
	    "0.5 s (took %.3f s)", retry_now() - t0);
	for (i = 0; i < 100; i++)
		limiter_update(&l, 0);
	ok(limiter_rate(&l) <= 50, "the ceiling holds however well it goes");
	limiter_destroy(&l);

	limiter_init(&l, 0);
	for (i = 0; i < 200; i++)
		limiter_update(&l, 0);
	limiter_update(&l, 1);
	r0 = limiter_rate(&l);
	ok(r0 > 0, "a throttle turns the limiter on (%.1f req/s)", r0);
	limiter_update(&l, 1);
	r1 = limiter_rate(&l);
	ok(r1 < r0, "a second throttle lowers the rate (%.1f < %.1f)", r1, r0);
	limiter_destroy(&l);
	return tap_done();
}
