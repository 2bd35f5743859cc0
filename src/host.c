/*
 * host.c - per-host request caps and limiters (see host.h).
 *
 * The list is short (the hosts of one run) and searched under its lock;
 * a host is never freed before the run ends, so the pointer hosts_get()
 * returns is used without the list's lock.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "host.h"
#include "origin.h"
#include "thread.h"
#include "xalloc.h"

/* How often a waiting worker looks at its cancel flag. */
#define HOST_POLL_MS 100

void
hosts_init(struct hosts *hs, int per_host, double rate, int run_cap)
{
	memset(hs, 0, sizeof *hs);
	thread_mutex_init(&hs->lock);
	thread_cond_init(&hs->run_freed);
	hs->per_host = per_host;
	hs->rate = rate;
	hs->run_cap = run_cap;
}

void
hosts_join(struct hosts *hs, struct hosts_member *m)
{
	m->inflight = 0;
	thread_lock(&hs->lock);
	hs->members++;
	thread_unlock(&hs->lock);
}

void
hosts_part(struct hosts *hs, struct hosts_member *m)
{
	(void)m;
	thread_lock(&hs->lock);
	hs->members--;
	thread_unlock(&hs->lock);
	/* The others' shares grew. */
	thread_broadcast(&hs->run_freed);
}

/* May m take a run slot now (a free one, within its share)?  hosts.lock
 * held. */
static int
run_may(const struct hosts *hs, const struct hosts_member *m)
{
	int share;

	if (hs->run_cap <= 0)
		return 1;
	share = hs->members > 0 ? (hs->run_cap + hs->members - 1) /
	    hs->members : hs->run_cap;
	return hs->run_inflight < hs->run_cap && m->inflight < share;
}

/* Is w the first waiter that may take a run slot now: none queued before
 * it may?  hosts.lock held. */
static int
run_first(const struct hosts *hs, const struct host_waiter *w)
{
	const struct host_waiter *x;

	for (x = hs->waiters; x != NULL && x != w; x = x->next)
		if (run_may(hs, x->m))
			return 0;
	return 1;
}

/* Takes a run slot for m.  hosts.lock held. */
static void
run_take(struct hosts *hs, struct hosts_member *m)
{
	hs->run_inflight++;
	m->inflight++;
}

/* The queue of waiters: w joins its tail, or leaves it. */
static void
waiter_add(struct host_waiter **head, struct host_waiter *w)
{
	struct host_waiter **pp;

	w->next = NULL;
	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = w;
}

static void
waiter_remove(struct host_waiter **head, struct host_waiter *w)
{
	struct host_waiter **pp;

	for (pp = head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
}

static void
run_give(struct hosts *hs, struct hosts_member *m)
{
	thread_lock(&hs->lock);
	hs->run_inflight--;
	m->inflight--;
	thread_unlock(&hs->lock);
	if (hs->run_cap > 0)
		thread_broadcast(&hs->run_freed);
}

void
hosts_destroy(struct hosts *hs)
{
	struct host *h, *next;

	for (h = hs->list; h != NULL; h = next) {
		next = h->next;
		limiter_destroy(&h->limiter);
		thread_cond_destroy(&h->freed);
		thread_mutex_destroy(&h->lock);
		free(h->origin);
		free(h);
	}
	thread_cond_destroy(&hs->run_freed);
	thread_mutex_destroy(&hs->lock);
	memset(hs, 0, sizeof *hs);
}

struct host *
hosts_get(struct hosts *hs, const char *url)
{
	struct host *h;
	char *origin;

	if ((origin = origin_of(url)) == NULL)
		return NULL;
	thread_lock(&hs->lock);
	for (h = hs->list; h != NULL; h = h->next)
		if (strcmp(h->origin, origin) == 0)
			break;
	if (h == NULL) {
		h = xcalloc(1, sizeof *h);
		h->origin = origin;
		origin = NULL;
		limiter_init(&h->limiter, hs->rate);
		thread_mutex_init(&h->lock);
		thread_cond_init(&h->freed);
		h->next = hs->list;
		hs->list = h;
	}
	thread_unlock(&hs->lock);
	free(origin);
	return h;
}

/* Gives back a slot of h. */
static void
host_give(struct host *h)
{
	thread_lock(&h->lock);
	h->inflight--;
	thread_unlock(&h->lock);
	/* Every waiter: the first in the queue takes it. */
	thread_broadcast(&h->freed);
}

double
host_busy(struct host *h)
{
	double d = 0;

	thread_lock(&h->lock);
	if (h->inflight > 0)
		d = clock_now() - h->busy_since;
	thread_unlock(&h->lock);
	return d;
}

/* May a request take a slot of h now?  h.lock held. */
static int
host_may(const struct hosts *hs, const struct host *h)
{
	return hs->per_host <= 0 || h->inflight < hs->per_host;
}

/* Takes a slot of h.  h.lock held. */
static void
host_take(struct host *h)
{
	if (h->inflight == 0)
		h->busy_since = clock_now();
	if (++h->inflight > h->peak)
		h->peak = h->inflight;
}

/* A slot of h, in the order asked: 0, or -1 when *cancel became non-zero
 * (nothing held). */
static int
host_wait(struct hosts *hs, struct host *h, const atomic_int *cancel)
{
	struct host_waiter w;
	int rc = 0;

	thread_lock(&h->lock);
	if (h->waiters == NULL && host_may(hs, h)) {
		host_take(h);
		thread_unlock(&h->lock);
		return 0;
	}
	w.m = NULL;
	waiter_add(&h->waiters, &w);
	while (h->waiters != &w || !host_may(hs, h)) {
		if (atomic_load(cancel) != 0) {
			rc = -1;
			break;
		}
		thread_wait_ms(&h->freed, &h->lock, HOST_POLL_MS);
	}
	waiter_remove(&h->waiters, &w);
	if (rc == 0)
		host_take(h);
	thread_unlock(&h->lock);
	/* The next in the queue is first now. */
	thread_broadcast(&h->freed);
	return rc;
}

/* A run slot for m, in the order asked (a fresh request passes none that
 * waits, unless that one's share is used up): 0, or -1 when *cancel
 * became non-zero (nothing held). */
static int
run_wait(struct hosts *hs, struct hosts_member *m, const atomic_int *cancel)
{
	struct host_waiter w;
	int rc = 0;

	thread_lock(&hs->lock);
	if (hs->waiters == NULL && run_may(hs, m)) {
		run_take(hs, m);
		thread_unlock(&hs->lock);
		return 0;
	}
	w.m = m;
	waiter_add(&hs->waiters, &w);
	while (!run_may(hs, m) || !run_first(hs, &w)) {
		if (atomic_load(cancel) != 0) {
			rc = -1;
			break;
		}
		thread_wait_ms(&hs->run_freed, &hs->lock, HOST_POLL_MS);
	}
	waiter_remove(&hs->waiters, &w);
	if (rc == 0)
		run_take(hs, m);
	thread_unlock(&hs->lock);
	thread_broadcast(&hs->run_freed);
	return rc;
}

/*
 * A request waits for its host's slot, then its limiter's token, and
 * only then for one of the run's slots: a request held back by its own
 * host (--per-host, a rate limit) holds none of the run's slots, which
 * the other targets' ready requests use meanwhile.  Each wait is first
 * come, first served.
 */
int
host_enter(struct hosts *hs, struct host *h, struct hosts_member *m,
    const atomic_int *cancel)
{
	if (host_wait(hs, h, cancel) < 0)
		return -1;
	if (limiter_acquire(&h->limiter, cancel) < 0 ||
	    run_wait(hs, m, cancel) < 0) {
		host_give(h);
		return -1;
	}
	return 0;
}

int
host_try_enter(struct hosts *hs, struct host *h, struct hosts_member *m)
{
	int ok;

	thread_lock(&hs->lock);
	if ((ok = hs->waiters == NULL && run_may(hs, m)))
		run_take(hs, m);
	thread_unlock(&hs->lock);
	if (!ok)
		return -1;
	thread_lock(&h->lock);
	if ((ok = h->waiters == NULL && host_may(hs, h)))
		host_take(h);
	thread_unlock(&h->lock);
	if (!ok) {
		run_give(hs, m);
		return -1;
	}
	return 0;
}

void
host_leave(struct hosts *hs, struct host *h, struct hosts_member *m)
{
	host_give(h);
	run_give(hs, m);
}
