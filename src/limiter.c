/*
 * limiter.c - the adaptive rate limiter of a host (see limiter.h).
 *
 * The limiter is off until the first throttle (or on from the start with
 * --rate).  What it learns is the rate the server accepts.  A throttle
 * means the server's bucket was empty; so it was at the throttle before,
 * and every request accepted between the two was a token the server
 * refilled in between: accepted / elapsed is the server's rate, whatever
 * its burst, give or take one request (measured from the oldest throttle
 * of the last ten seconds, or the latest before them, at least half a
 * second back, so the error shrinks as the run goes on).  Throttles less than a quarter second
 * after the last one are the same wave (requests already in flight) and
 * teach nothing.  At the first throttle, what got through so far spread
 * over at least a second stands in (a server's burst is commonly a
 * second's worth); a later throttle too soon to measure from cuts by 0.7.
 *
 * The bucket then sends at the learned rate, paced (a burst would find the
 * server's bucket empty), creeping above it so that the next throttle comes
 * and measures again, and a server that allows more is found: by 0.5/n a
 * second for a measure of n requests (one more or less is 1/n of it), from
 * 2% down to 0.5%: each throttle costs its page a Retry-After.  Against a
 * 20 requests/s server: about one rejected request every two seconds past
 * the first wave, where cutting by a factor and growing back along a
 * cubic (the AWS SDKs' adaptive mode) costs 27 rejected requests and a
 * quarter of the rate on 200 pages.
 *
 * Quota headers (RateLimit-Remaining/-Reset, X-RateLimit-*) say it
 * outright: no more than Remaining requests, less those still in flight,
 * go out before Reset.
 */
#include <math.h>
#include <string.h>

#include "clock.h"
#include "limiter.h"
#include "retry.h"
#include "thread.h"

#define MIN_RATE        0.5     /* requests per second */
#define WAVE_SECONDS    0.25    /* throttles closer than this: one wave */
#define SPAN_MIN        0.5     /* a rate is measured over at least this */
#define SPAN_MAX        10.0    /* ... from a throttle no older than this */
#define CREEP           0.02    /* above the learned rate, per second, */
#define CREEP_MIN       0.005   /* ... down to this as measures get better */
#define CUT             0.7     /* a throttle too soon to measure from */

void
limiter_init(struct limiter *l, double ceiling)
{
	memset(l, 0, sizeof *l);
	thread_mutex_init(&l->lock);
	l->ceiling = ceiling;
	l->start = l->last_refill = clock_now();
	if (ceiling > 0) {
		l->enabled = 1;
		l->fill_rate = ceiling;
		l->tokens = 1;
		/* A burst of at most one second's worth of tokens. */
		l->burst = ceiling < 1 ? 1 : ceiling;
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
	if (now > l->last_refill)
		l->tokens += (now - l->last_refill) * l->fill_rate;
	if (l->tokens > l->burst)
		l->tokens = l->burst;
	l->last_refill = now;
}

/* The rate in force at now: the learned one, crept up since the last
 * throttle (at most twice), within MIN_RATE and --rate. */
static void
limiter_set_rate(struct limiter *l, double now)
{
	double rate, up;

	if (l->learned <= 0)
		return;         /* never throttled: only --rate applies */
	up = 1 + l->creep * (now - l->last_throttle);
	rate = l->learned * (up > 2 ? 2 : up);
	if (rate < MIN_RATE)
		rate = MIN_RATE;
	if (l->ceiling > 0 && rate > l->ceiling)
		rate = l->ceiling;
	limiter_refill(l, now);
	l->fill_rate = rate;
}

double
limiter_try_at(struct limiter *l, double now)
{
	if (l->quota_known) {
		if (now >= l->quota_reset)
			l->quota_known = 0;     /* the quota was renewed */
		else if (l->quota_left <= 0)
			return l->quota_reset - now;
	}
	if (l->enabled) {
		limiter_set_rate(l, now);
		limiter_refill(l, now);
		/* (Within rounding: a wait of 1e-17 s would never pass.) */
		if (l->tokens < 1 - 1e-9)
			return (1 - l->tokens) / l->fill_rate;
		l->tokens -= 1;
	}
	if (l->quota_known)
		l->quota_left--;
	l->inflight++;
	return 0;
}

int
limiter_acquire(struct limiter *l, const atomic_int *cancel)
{
	double wait;

	for (;;) {
		thread_lock(&l->lock);
		wait = limiter_try_at(l, clock_now());
		thread_unlock(&l->lock);
		if (wait <= 0)
			return 0;
		if (retry_sleep_ms((long)ceil(wait * 1000), cancel) < 0)
			return -1;
	}
}

/* A throttle that starts a wave: what was accepted since an earlier one
 * is the server's rate. */
static void
limiter_learn(struct limiter *l, double now)
{
	double span, el, n;
	int i;

	l->creep = CREEP;
	if (l->nmarks == 0) {
		el = now - l->start;
		l->learned = l->accepted / (el > 1 ? el : 1);
	} else {
		/* The oldest of the last SPAN_MAX seconds, or else the latest
		 * (the server's bucket was empty then too, unless it filled
		 * up meanwhile: then this is too low, and the creep finds it). */
		for (i = 0; i < l->nmarks; i++)
			if (now - l->marks[i].t <= SPAN_MAX)
				break;
		if (i == l->nmarks)
			i = l->nmarks - 1;
		span = now - l->marks[i].t;
		if (span >= SPAN_MIN) {
			n = (double)(l->accepted - l->marks[i].accepted);
			l->learned = n / span;
			/* One request more or less is 1/n of it. */
			l->creep = n > 0 ? 0.5 / n : CREEP;
			if (l->creep > CREEP)
				l->creep = CREEP;
			if (l->creep < CREEP_MIN)
				l->creep = CREEP_MIN;
		} else
			l->learned *= CUT;
	}
	if (l->learned < MIN_RATE)
		l->learned = MIN_RATE;
	if (l->nmarks == LIMITER_MARKS) {
		memmove(l->marks, l->marks + 1, (LIMITER_MARKS - 1) *
		    sizeof *l->marks);
		l->nmarks--;
	}
	l->marks[l->nmarks].t = now;
	l->marks[l->nmarks].accepted = l->accepted;
	l->nmarks++;
}

void
limiter_update_at(struct limiter *l, int throttled, double now)
{
	if (l->inflight > 0)
		l->inflight--;
	if (!throttled) {
		l->accepted++;
		return;
	}
	l->throttles++;
	if (l->nmarks > 0 && now - l->marks[l->nmarks - 1].t < WAVE_SECONDS)
		return;         /* sent before the first of them came back */
	limiter_learn(l, now);
	if (!l->enabled)
		l->enabled = 1;
	/* The server's bucket is empty: so is ours, and it paces. */
	l->last_throttle = now;
	l->burst = 1;
	l->tokens = 0;
	l->last_refill = now;
	limiter_set_rate(l, now);
}

void
limiter_update(struct limiter *l, int throttled)
{
	thread_lock(&l->lock);
	limiter_update_at(l, throttled, clock_now());
	thread_unlock(&l->lock);
}

void
limiter_quota_at(struct limiter *l, long long remaining, double reset_s,
    double now)
{
	if (reset_s <= 0 || remaining < 0) {
		l->quota_known = 0;
		return;
	}
	l->quota_known = 1;
	l->quota_left = remaining - l->inflight;
	l->quota_reset = now + reset_s;
}

void
limiter_quota(struct limiter *l, long long remaining, double reset_s)
{
	thread_lock(&l->lock);
	limiter_quota_at(l, remaining, reset_s, clock_now());
	thread_unlock(&l->lock);
}

long long
limiter_quota_left(struct limiter *l)
{
	long long left = -1;

	thread_lock(&l->lock);
	if (l->quota_known && clock_now() < l->quota_reset)
		left = l->quota_left > 0 ? l->quota_left : 0;
	thread_unlock(&l->lock);
	return left;
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
