/*
 * retry.h - which failures are retried, how long to wait, and the one rate
 * limiter the whole pool shares.
 *
 * retry_classify() turns one attempt's outcome into a verdict; retry_delay()
 * says how long this worker waits before its next attempt (exponential
 * backoff with full jitter, capped, or what the server asked for in
 * Retry-After / RateLimit-Reset, clamped).  The limiter is shared by all
 * workers: every request first takes a token from it, and every response
 * tells it whether the server throttled.  It learns the rate the server
 * accepts from what got through between two throttles (the server's bucket
 * is empty at both), sends at that rate, and creeps above it until the
 * next throttle measures it again.  A server's quota headers
 * (RateLimit-Remaining/-Reset, X-RateLimit-*) are obeyed before it comes to
 * a throttle.  --rate is a hard ceiling whatever it learns.
 */
#ifndef INVDUMP_RETRY_H
#define INVDUMP_RETRY_H

#include <pthread.h>
#include <stdatomic.h>

#include <curl/curl.h>

enum retry_verdict {
	retry_verdict_no,        /* permanent: report and stop */
	retry_verdict_yes,       /* transient: try again after a delay */
	retry_verdict_throttled  /* the server said slow down: try again, and
	                            slow the whole pool */
};

struct retry_signal {
	CURLcode curl;           /* CURLE_OK, or why there was no complete
	                            response */
	int truncated;           /* the body ended before its JSON did */
	long status;             /* HTTP status, 0 if none */
	int ratelimit_exhausted; /* X-RateLimit-Remaining: 0 (or RateLimit-) */
	int retry_after;         /* the response carried Retry-After */
	long os_errno;           /* the system's error under curl's, or 0 */
};

enum retry_verdict retry_classify(const struct retry_signal *s);
/* 1 for the libcurl codes that mean a transient network failure. */
int retry_transient(CURLcode rc);

/*
 * How long to wait before attempt number attempt (1 for the first retry):
 * hint_ms >= 0 is what the server asked for (Retry-After and the like),
 * used as it is but clamped to [0, cap_ms]; otherwise a uniformly random
 * delay in [0, min(cap_ms, base_ms * 2^(attempt-1))].  *seed is the
 * caller's own random state (one per worker: no shared state here).
 */
long retry_delay_ms(int attempt, long hint_ms, long base_ms, long cap_ms,
    unsigned int *seed);

/*
 * What the server asked for, in milliseconds, or -1: retry_after_s is
 * libcurl's CURLINFO_RETRY_AFTER (seconds; 0, a date in the past or
 * "Retry-After: 0" are no hint at all: backoff applies, never a retry at
 * once); reset is the value of RateLimit-Reset
 * or X-RateLimit-Reset (delta seconds, or a Unix time when it is larger
 * than a year's worth of seconds), NULL if absent; now is the Unix time.
 */
long retry_hint_ms(long long retry_after_s, const char *reset, long long now);

/* The shared limiter. */
#define LIMITER_MARKS 8
struct limiter {
	pthread_mutex_t lock;
	double ceiling;          /* --rate, 0 for none */
	int enabled;             /* a bucket in force (ceiling, or throttled) */
	double fill_rate;        /* tokens per second */
	double tokens;
	double burst;            /* the bucket's size in tokens */
	double last_refill;      /* monotonic seconds */
	/* what the server accepts */
	double start;            /* limiter_init's time */
	long accepted;           /* responses that were not throttles */
	double learned;          /* the server's rate, 0 until a throttle */
	double creep;            /* above it per second since the last */
	double last_throttle;
	struct limiter_mark {
		double t;        /* a throttle, the first of its wave */
		long accepted;   /* accepted then */
	} marks[LIMITER_MARKS];  /* the latest, oldest first */
	int nmarks;
	/* a quota the server announced (RateLimit-Remaining/-Reset) */
	long inflight;           /* tokens taken, responses not yet seen */
	int quota_known;
	long long quota_left;    /* requests left before quota_reset */
	double quota_reset;
	/* counts, for the summary */
	long throttles;
};

void limiter_init(struct limiter *l, double ceiling);
void limiter_destroy(struct limiter *l);
/* Waits for a token; returns early (-1) when *cancel is set. */
int limiter_acquire(struct limiter *l, const atomic_int *cancel);
/* Reports a response: throttled or not. */
void limiter_update(struct limiter *l, int throttled);
/* Reports what a response said of the server's quota: remaining requests
 * until reset_s seconds from now. */
void limiter_quota(struct limiter *l, long long remaining, double reset_s);
/* The requests left of the quota the server announced, before its reset;
 * -1 when none is known. */
long long limiter_quota_left(struct limiter *l);
/* The current rate in force (requests per second), 0 when unlimited. */
double limiter_rate(struct limiter *l);

/* The same at a given time (monotonic seconds), for tests: _try takes a
 * token and returns 0, or returns how many seconds to wait for one. */
double limiter_try_at(struct limiter *l, double now);
void limiter_update_at(struct limiter *l, int throttled, double now);
void limiter_quota_at(struct limiter *l, long long remaining, double reset_s,
    double now);

/* Sleeps ms milliseconds, waking early (-1) when *cancel is set. */
int retry_sleep_ms(long ms, const atomic_int *cancel);


#endif
