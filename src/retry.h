/*
 * retry.h - which failures are retried and how long to wait: the retry
 * policy.  (The rate limiter that every request of a host goes through is
 * limiter.h's.)
 *
 * retry_classify() turns one attempt's outcome into a verdict; retry_delay()
 * says how long this worker waits before its next attempt (exponential
 * backoff with full jitter, capped, or what the server asked for in
 * Retry-After / RateLimit-Reset, clamped).
 */
#ifndef INVDUMP_RETRY_H
#define INVDUMP_RETRY_H

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

/* Sleeps ms milliseconds, waking early (-1) when *cancel is set. */
int retry_sleep_ms(long ms, const atomic_int *cancel);

#endif
