/*
 * limiter.h - the rate limiter a host's requests share.
 *
 * Every request first takes a token from it, and every response tells it
 * whether the server throttled.  It learns the rate the server accepts
 * from what got through between two throttles (the server's bucket is
 * empty at both), sends at that rate, and creeps above it until the next
 * throttle measures it again.  A server's quota headers
 * (RateLimit-Remaining/-Reset, X-RateLimit-*) are obeyed before it comes to
 * a throttle.  --rate is a hard ceiling whatever it learns.
 */
#ifndef INVDUMP_LIMITER_H
#define INVDUMP_LIMITER_H

#include <pthread.h>
#include <stdatomic.h>

/* A host's limiter. */
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

#endif
