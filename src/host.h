/*
 * host.h - what one server gets: the run's per-host request cap and the
 * rate limiter of each host.
 *
 * A run that asks many servers (a jobs file over a fleet, details on
 * another host) keeps one struct host per origin (origin.h: scheme, host,
 * port), made the first time a request goes there and kept to the end of
 * the run.  Each has its own limiter (limiter.h), so a host that throttles
 * slows only the requests to itself, and its own count of requests under
 * way, which --per-host N caps: a worker whose request would be the N+1st
 * to that host waits for one of them to end.  Waiters for a slot are
 * served in the order they came (a queue on the host, and one on the
 * run's hosts): a fresh request takes no slot while one is waiting for
 * it, so that one target's next request cannot pass another's again and
 * again (-w 1).  --rate is each host's
 * ceiling.  A request is bracketed by host_enter() (a slot of its host,
 * a token, then one of the run's slots) and host_leave(); a hedge
 * (fetch.c) takes the slots only when they are free at once
 * (host_try_enter), never a token.
 *
 * A run of many targets (fleet.c) also shares --workers among them: each
 * export is a member of the run's hosts, and a request first takes one of
 * the run's run_cap slots, while its export has fewer under way than its
 * share, run_cap divided by the exports running (rounded up).  So a slow
 * or dead appliance holds at most its share, and once the others are
 * done, the last one gets them all.  A run of one target has one member:
 * its share is all of --workers, for its listing and --expand's details
 * together.  run_cap 0 is no cap.
 *
 * Locks: hosts.lock guards the list, the run's slots and the members'
 * counts (run_freed hangs on it); host.lock the
 * host's count (its condition hangs on it); the limiter has its own.  None is taken while
 * another is held.  A struct host, once made, stays at its address until
 * hosts_destroy(), so pointers to it may be kept without a lock.
 */
#ifndef INVDUMP_HOST_H
#define INVDUMP_HOST_H

#include <pthread.h>
#include <stdatomic.h>

#include "limiter.h"

/* A request waiting for a slot, in its queue (on the waiter's stack). */
struct host_waiter {
	struct host_waiter *next;
	struct hosts_member *m;         /* for a run slot: whose share */
};

struct host {
	char *origin;                   /* "https://api.example.com:443" */
	struct limiter limiter;
	pthread_mutex_t lock;
	pthread_cond_t freed;           /* a request to this host ended */
	int inflight;                   /* requests under way */
	int peak;                       /* the most at once (for tests, -v) */
	double busy_since;              /* clock_now() when inflight last
	                                   went from 0 to 1 */
	struct host_waiter *waiters;    /* for a slot, first come first */
	struct host *next;
};

struct hosts {
	pthread_mutex_t lock;
	struct host *list;
	int per_host;                   /* cap on requests at once; 0: none */
	double rate;                    /* each host's ceiling; 0: none */
	int run_cap;                    /* requests at once in all; 0: none */
	int run_inflight;
	int members;                    /* exports running */
	struct host_waiter *waiters;    /* for a run slot, first come first */
	pthread_cond_t run_freed;       /* a run slot was given back, or a
	                                   member left */
};

/* One export of a run of many: its requests under way. */
struct hosts_member {
	int inflight;                   /* under hosts.lock */
};

void hosts_init(struct hosts *hs, int per_host, double rate, int run_cap);
void hosts_destroy(struct hosts *hs);

/* The host of an absolute http(s) URL, made when first asked for; NULL
 * when url has no origin (not an absolute http or https URL). */
struct host *hosts_get(struct hosts *hs, const char *url);

/* An export begins and ends (its requests all ended). */
void hosts_join(struct hosts *hs, struct hosts_member *m);
void hosts_part(struct hosts *hs, struct hosts_member *m);

/* Waits for a run slot within m's share (a run of many), a free slot of
 * h (under --per-host) and a token of h's limiter; returns 0, or -1 when
 * *cancel became non-zero (nothing held). */
int host_enter(struct hosts *hs, struct host *h, struct hosts_member *m,
    const atomic_int *cancel);
/* The same slots now, or -1 (no waiting, no token): for a hedge. */
int host_try_enter(struct hosts *hs, struct host *h, struct hosts_member *m);
/* Ends what host_enter or host_try_enter began. */
void host_leave(struct hosts *hs, struct host *h, struct hosts_member *m);

/* How long h has had a request under way without a break, in seconds
 * (0 when none is): a slow server's shows at once, before it answers. */
double host_busy(struct host *h);

#endif
