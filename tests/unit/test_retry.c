/*
 * test_retry.c - retry verdicts, backoff bounds, server hints, and the
 * shared limiter.  Timing is asserted only as a lower bound (a pace that
 * is never exceeded), which a busy machine cannot make fail; what the
 * limiter learns from a rate-limited server is checked against a simulated
 * server on a simulated clock (limiter_try_at, limiter_update_at), which
 * no machine can make fail either.
 */
#include <string.h>

#include "clock.h"
#include "limiter.h"
#include "retry.h"
#include "tap.h"

/*
 * A simulated run: workers that always have a page to ask for, a server
 * with a token bucket (rate, burst) answering after latency, throttled
 * pages asked again later by whichever worker is free.  Returns the
 * simulated time at which the pages were all accepted; *rejected counts
 * the throttles.  Everything happens on the limiter's _at functions.
 */
static double
simulate(double rate, double burst, int workers, double latency, long pages,
    long *rejected)
{
	struct limiter l;
	double t[64], tokens = burst, last = 0, now, wait;
	int busy[64], ok[64], i, w;
	long accepted = 0;

	limiter_init(&l, 0);
	l.start = l.last_refill = 0;
	*rejected = 0;
	for (i = 0; i < workers; i++) {
		t[i] = 0;
		busy[i] = 0;
	}
	while (accepted < pages) {
		for (w = 0, i = 1; i < workers; i++)
			if (t[i] < t[w])
				w = i;
		now = t[w];
		if (busy[w]) {
			/* the response */
			limiter_update_at(&l, !ok[w], now);
			accepted += ok[w];
			*rejected += !ok[w];
			busy[w] = 0;
			continue;
		}
		if ((wait = limiter_try_at(&l, now)) > 0) {
			t[w] = now + wait;
			continue;
		}
		/* the server's bucket, when the request arrives */
		tokens += (now + latency / 2 - last) * rate;
		last = now + latency / 2;
		if (tokens > burst)
			tokens = burst;
		ok[w] = tokens >= 1;
		if (ok[w])
			tokens -= 1;
		busy[w] = 1;
		t[w] = now + latency;
	}
	limiter_destroy(&l);
	return now;
}

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
	t0 = clock_now();
	for (i = 0; i < 1000; i++)
		limiter_acquire(&l, NULL);
	ok(limiter_rate(&l) == 0, "unthrottled and no --rate: no limit");
	limiter_destroy(&l);

	limiter_init(&l, 0);
	a = limiter_quota_left(&l) == -1;
	limiter_quota(&l, 10, 60);
	a = a && limiter_quota_left(&l) == 10;
	limiter_acquire(&l, NULL);
	a = a && limiter_quota_left(&l) == 9;
	limiter_quota(&l, 0, 60);
	a = a && limiter_quota_left(&l) == 0;
	limiter_quota(&l, 5, 0);
	ok(a && limiter_quota_left(&l) == -1, "the quota left: unknown (-1) "
	    "until announced, then counted down by the requests; unknown "
	    "again without a reset time");
	limiter_destroy(&l);

	/* t0 before the limiter starts: its clock (and the one token it
	 * starts with) cannot then begin before t0, however long this thread
	 * is preempted between the two. */
	t0 = clock_now();
	limiter_init(&l, 50);
	for (i = 0; i < 26; i++)
		limiter_acquire(&l, NULL);
	ok(clock_now() - t0 >= 0.45, "--rate 50: 26 requests take at least "
	    "0.5 s (took %.3f s)", clock_now() - t0);
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
	ok(r1 <= r0 * 1.01, "a throttle of the same wave does not raise it "
	    "(%.1f, %.1f)", r1, r0);
	limiter_destroy(&l);

	/* Learning a server's rate (simulated clock). */
	{
		double bound, took;
		long rej;

		/* 20 requests/s, burst 20, 20 ms, 10 workers, 200 pages: the
		 * bucket allows them in (200 - 20) / 20 s + the latency. */
		bound = (200 - 20) / 20.0 + 0.02;
		took = simulate(20, 20, 10, 0.02, 200, &rej);
		ok(took <= 1.05 * bound, "20/s, burst 20, 200 pages: %.2f s, "
		    "within 5%% of the bucket's %.2f s", took, bound);
		ok(rej <= 20, "... with %ld rejected requests (at most 20)", rej);

		/* A long run: the rate holds, rejections stay rare. */
		bound = (2000 - 20) / 20.0 + 0.02;
		took = simulate(20, 20, 10, 0.02, 2000, &rej);
		ok(took <= 1.03 * bound, "20/s, 2000 pages: %.2f s (bound "
		    "%.2f s)", took, bound);
		ok(rej <= 50, "... %ld rejected requests", rej);

		/* A large burst then a low rate: learned from what gets
		 * through between throttles, not from the burst. */
		bound = (400 - 100) / 5.0 + 0.05;
		took = simulate(5, 100, 16, 0.05, 400, &rej);
		ok(took <= 1.05 * bound, "5/s, burst 100, 400 pages: %.2f s "
		    "(bound %.2f s)", took, bound);
		ok(rej <= 100, "... %ld rejected requests (at most a burst's "
		    "worth, while the rate is learned)", rej);
	}

	/* A quota the server announced. */
	limiter_init(&l, 0);
	ok(limiter_try_at(&l, 100.0) == 0, "no quota, no throttle: no wait");
	limiter_update_at(&l, 0, 100.1);
	limiter_quota_at(&l, 2, 5, 100.1);
	ok(limiter_try_at(&l, 100.2) == 0 && limiter_try_at(&l, 100.2) == 0,
	    "RateLimit-Remaining: 2: two requests go");
	ok(limiter_try_at(&l, 100.3) > 4.7, "... the third waits for the "
	    "reset (RateLimit-Reset: 5)");
	ok(limiter_try_at(&l, 105.2) == 0, "... and goes once it is past");
	limiter_update_at(&l, 0, 105.3);
	limiter_update_at(&l, 0, 105.3);
	limiter_try_at(&l, 105.3);
	limiter_quota_at(&l, 1, 3, 105.4);
	ok(limiter_try_at(&l, 105.5) > 2.8, "Remaining: 1 with one request "
	    "still in flight: nothing more goes before the reset");
	limiter_destroy(&l);
	return tap_done();
}
