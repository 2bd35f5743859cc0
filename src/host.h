/*
 * host.h - what one server gets: the run's per-host request cap and the
 * rate limiter of each host.
 *
 * A run that asks many servers (a jobs file over a fleet, details on
 * another host) keeps one struct host per origin (origin.h: scheme, host,
 * port), made the first time a request goes there and kept to the end of
 * the run.  Each has its own limiter (retry.h), so a host that throttles
 * slows only the requests to itself, and its own count of requests under
 * way, which --per-host N caps: a worker whose request would be the N+1st
 * to that host waits for one of them to end.  --rate is each host's
 * ceiling.  A request is bracketed by host_enter() (a slot, then a token)
 * and host_leave(); a hedge (fetch.c) takes a slot only when one is free
 * at once (host_try_enter), never a token.
 *
 * Locks: hosts.lock guards the list; host.lock the host's count (its
 * condition hangs on it); the limiter has its own.  None is taken while
 * another is held.  A struct host, once made, stays at its address until
 * hosts_destroy(), so pointers to it may be kept without a lock.
 */
#ifndef INVDUMP_HOST_H
#define INVDUMP_HOST_H

#include <pthread.h>
#include <stdatomic.h>

#include "retry.h"

struct host {
	char *origin;                   /* "https://api.example.com:443" */
	struct limiter limiter;
	pthread_mutex_t lock;
	pthread_cond_t freed;           /* a request to this host ended */
	int inflight;                   /* requests under way */
	int peak;                       /* the most at once (for tests, -v) */
	struct host *next;
};

struct hosts {
	pthread_mutex_t lock;
	struct host *list;
	int per_host;                   /* cap on requests at once; 0: none */
	double rate;                    /* each host's ceiling; 0: none */
};

void hosts_init(struct hosts *hs, int per_host, double rate);
void hosts_destroy(struct hosts *hs);

/* The host of an absolute http(s) URL, made when first asked for; NULL
 * when url has no origin (not an absolute http or https URL). */
struct host *hosts_get(struct hosts *hs, const char *url);

/* Waits for a free slot (under --per-host) and a token of the host's
 * limiter; returns 0, or -1 when *cancel became non-zero (nothing held). */
int host_enter(struct hosts *hs, struct host *h, const atomic_int *cancel);
/* A slot now, or -1 (no waiting, no token): for a hedge. */
int host_try_enter(struct hosts *hs, struct host *h);
/* Ends what host_enter or host_try_enter began. */
void host_leave(struct host *h);

#endif
