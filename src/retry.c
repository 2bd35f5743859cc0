/*
 * retry.c - retry verdicts, backoff, and the shared adaptive limiter (see
 * retry.h).
 *
 * The limiter follows the AWS SDKs' "adaptive" retry mode: a token bucket
 * that is off until the first throttle (or on from the start with --rate);
 * the rate of requests sent is measured in half-second buckets and
 * smoothed (before the first bucket ends, what was sent so far stands in
 * for it); on a throttle the fill rate becomes beta times the lower of that
 * measure and the rate in force, and from then on follows the cubic
 * W(t) = C (t - K)^3 + Wmax, so that it climbs back quickly while far
 * below the rate that failed and slowly near it.  The rate never goes past
 * twice what was measured, never below MIN_RATE, and never past --rate.
 *
 * beta is 0.9, not the SDKs' 0.7: a sawtooth cut by 0.7 averages about 85%
 * of what the server allows, and an export is long enough to care.  Cuts
 * by 0.9 come more often - measured against a 20 requests/s server, 200
 * pages: 5-9 rejected requests with 0.7, still far under what a retry
 * adapter causes - and keep the average near the server's rate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "retry.h"
#include "total.h"
#include "thread.h"

#define BETA            0.9     /* see the design note above */
#define SCALE           0.4     /* the cubic's C */
#define SMOOTH          0.8
#define MIN_RATE        0.5     /* requests per second */
#define BUCKET_SECONDS  0.5

double
retry_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
retry_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:  /* also the stall limit */
	case CURLE_PARTIAL_FILE:        /* body shorter than Content-Length */
	case CURLE_RECV_ERROR:          /* reset, broken chunking */
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING: /* a gzip body cut short */
	case CURLE_WEIRD_SERVER_REPLY:
		return 1;
	default:
		/* TLS verification, too many redirects, a refused protocol,
		 * bad options: trying again would fail the same way. */
		return 0;
	}
}

enum retry_verdict
retry_classify(const struct retry_signal *s)
{
	/* A handshake cut by the network (a reset, a closed socket) is the
	 * network's failure, not TLS's: libcurl reports both alike. */
	if (s->curl == CURLE_SSL_CONNECT_ERROR && s->os_errno != 0)
		return retry_verdict_yes;
	if (s->curl != CURLE_OK)
		return retry_transient(s->curl) ? retry_verdict_yes :
		    retry_verdict_no;
	if (s->truncated)
		return retry_verdict_yes;
	switch (s->status) {
	case 429:
		return retry_verdict_throttled;
	case 403:
		/* GitHub's rate limits: X-RateLimit-Remaining: 0, or (the
		 * secondary limit) Retry-After. */
		return s->ratelimit_exhausted || s->retry_after ?
		    retry_verdict_throttled : retry_verdict_no;
	case 408:
	case 425:
	case 500:
	case 502:
	case 503:
	case 504:
		return retry_verdict_yes;
	default:
		return retry_verdict_no;
	}
}

long
retry_delay_ms(int attempt, long hint_ms, long base_ms, long cap_ms,
    unsigned int *seed)
{
	long ceiling = base_ms;
	int i;

	if (hint_ms >= 0)
		return hint_ms > cap_ms ? cap_ms : hint_ms;
	for (i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	/* Full jitter: anywhere between nothing and the ceiling. */
	return (long)((double)rand_r(seed) / ((double)RAND_MAX + 1) *
	    (ceiling + 1));
}

long
retry_hint_ms(long long retry_after_s, const char *reset, long long now)
{
	long long v;

	if (retry_after_s > 0)
		return (long)(retry_after_s > 86400 ? 86400000 :
		    retry_after_s * 1000);
	if (reset != NULL && total_parse_count(reset, &v) == 0) {
		if (v > 365LL * 86400)  /* a Unix time (GitHub's style) */
			v = v > now ? v - now : 0;
		return (long)(v > 86400 ? 86400000 : v * 1000);
	}
	return -1;
}

int
retry_sleep_ms(long ms, const atomic_int *cancel)
{
	struct timespec ts;
	long step;

	while (ms > 0) {
		if (cancel != NULL && atomic_load(cancel))
			return -1;
		step = ms > 100 ? 100 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return cancel != NULL && atomic_load(cancel) ? -1 : 0;
}

void
limiter_init(struct limiter *l, double ceiling)
{
	memset(l, 0, sizeof *l);
	thread_mutex_init(&l->lock);
	l->ceiling = ceiling;
	l->measure_start = l->last_refill = retry_now();
	if (ceiling > 0) {
		l->enabled = 1;
		l->fill_rate = ceiling;
		l->tokens = 1;
	}
}

void
limiter_destroy(struct limiter *l)
{
	thread_mutex_destroy(&l->lock);
}

static void
limiter_refill(struct limiter *l, double now)
{
	double cap = l->fill_rate < 1 ? 1 : l->fill_rate;

	/* A burst of at most one second's worth of tokens. */
	l->tokens += (now - l->last_refill) * l->fill_rate;
	if (l->tokens > cap)
		l->tokens = cap;
	l->last_refill = now;
}

int
limiter_acquire(struct limiter *l, const atomic_int *cancel)
{
	double now, wait;

	for (;;) {
		thread_lock(&l->lock);
		if (!l->enabled) {
			thread_unlock(&l->lock);
			return 0;
		}
		now = retry_now();
		limiter_refill(l, now);
		if (l->tokens >= 1) {
			l->tokens -= 1;
			thread_unlock(&l->lock);
			return 0;
		}
		wait = (1 - l->tokens) / l->fill_rate;
		thread_unlock(&l->lock);
		if (retry_sleep_ms((long)ceil(wait * 1000), cancel) < 0)
			return -1;
	}
}

static void
limiter_measure(struct limiter *l, double now)
{
	double elapsed = now - l->measure_start;

	l->measure_count++;
	if (elapsed >= BUCKET_SECONDS) {
		double current = l->measure_count / elapsed;

		l->measured = l->measured == 0 ? current :
		    SMOOTH * current + (1 - SMOOTH) * l->measured;
		l->measure_count = 0;
		l->measure_start = now;
	}
}

void
limiter_update(struct limiter *l, int throttled)
{
	double now, rate, base;

	thread_lock(&l->lock);
	now = retry_now();
	limiter_measure(l, now);
	if (throttled) {
		if (l->measured > 0)
			base = l->measured;
		else {
			/* No full bucket yet: what was sent so far. */
			double elapsed = now - l->measure_start;

			base = l->measure_count / (elapsed > 0.1 ? elapsed : 0.1);
		}
		if (l->enabled && l->fill_rate < base)
			base = l->fill_rate;
		l->last_max = base;
		l->window = cbrt(l->last_max * (1 - BETA) / SCALE);
		l->last_throttle = now;
		rate = base * BETA;
		l->throttles++;
		if (!l->enabled) {
			l->enabled = 1;
			l->tokens = 0;
			l->last_refill = now;
		}
	} else if (l->last_throttle > 0) {
		double t = now - l->last_throttle - l->window;

		rate = SCALE * t * t * t + l->last_max;
	} else {
		/* Never throttled: only --rate applies. */
		thread_unlock(&l->lock);
		return;
	}
	if (l->measured > 0 && rate > 2 * l->measured)
		rate = 2 * l->measured;
	if (rate < MIN_RATE)
		rate = MIN_RATE;
	if (l->ceiling > 0 && rate > l->ceiling)
		rate = l->ceiling;
	if (l->enabled) {
		limiter_refill(l, now);
		l->fill_rate = rate;
	}
	thread_unlock(&l->lock);
}

double
limiter_rate(struct limiter *l)
{
	double r;

	thread_lock(&l->lock);
	r = l->enabled ? l->fill_rate : 0;
	thread_unlock(&l->lock);
	return r;
}
