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

/* May m take a run slot now?  Takes it when it may (hosts.lock held). */
static int
run_take(struct hosts *hs, struct hosts_member *m)
{
	int share;

	if (hs->run_cap > 0) {
		share = hs->members > 0 ? (hs->run_cap + hs->members - 1) /
		    hs->members : hs->run_cap;
		if (hs->run_inflight >= hs->run_cap || m->inflight >= share)
			return 0;
	}
	hs->run_inflight++;
	m->inflight++;
	return 1;
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
	thread_signal(&h->freed);
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

/* Takes a slot if one is free; 1 when it did. */
static int
host_take(const struct hosts *hs, struct host *h)
{
	if (hs->per_host > 0 && h->inflight >= hs->per_host)
		return 0;
	if (h->inflight == 0)
		h->busy_since = clock_now();
	if (++h->inflight > h->peak)
		h->peak = h->inflight;
	return 1;
}

/*
 * A request waits for its host's slot, then its limiter's token, and
 * only then for one of the run's slots: a request held back by its own
 * host (--per-host, a rate limit) holds none of the run's slots, which
 * the other targets' ready requests use meanwhile.
 */
int
host_enter(struct hosts *hs, struct host *h, struct hosts_member *m,
    const atomic_int *cancel)
{
	thread_lock(&h->lock);
	while (!host_take(hs, h)) {
		if (atomic_load(cancel) != 0) {
			thread_unlock(&h->lock);
			return -1;
		}
		thread_wait_ms(&h->freed, &h->lock, HOST_POLL_MS);
	}
	thread_unlock(&h->lock);
	if (limiter_acquire(&h->limiter, cancel) < 0)
		goto give_host;
	thread_lock(&hs->lock);
	while (!run_take(hs, m)) {
		if (atomic_load(cancel) != 0) {
			thread_unlock(&hs->lock);
			goto give_host;
		}
		thread_wait_ms(&hs->run_freed, &hs->lock, HOST_POLL_MS);
	}
	thread_unlock(&hs->lock);
	return 0;
give_host:
	host_give(h);
	return -1;
}

int
host_try_enter(struct hosts *hs, struct host *h, struct hosts_member *m)
{
	int ok;

	thread_lock(&hs->lock);
	ok = run_take(hs, m);
	thread_unlock(&hs->lock);
	if (!ok)
		return -1;
	thread_lock(&h->lock);
	ok = host_take(hs, h);
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

int
hosts_threads_take(struct hosts *hs, int want, const atomic_int *cancel)
{
	int n, k;

	if (hs->thread_cap <= 0)
		return want;
	thread_lock(&hs->lock);
	while (hs->threads_used >= hs->thread_cap) {
		if (atomic_load(cancel) != 0) {
			thread_unlock(&hs->lock);
			return 0;
		}
		thread_wait_ms(&hs->run_freed, &hs->lock, HOST_POLL_MS);
	}
	n = hs->thread_cap - hs->threads_used;
	if (n > want)
		n = want;
	/* No more than a share of them: threads lent to a target that
	 * waits (a rate limit, a slow server) are no other target's. */
	k = hs->members > hs->expect ? hs->members : hs->expect;
	if (k > 1 && n > (hs->thread_cap + k - 1) / k)
		n = (hs->thread_cap + k - 1) / k;
	hs->threads_used += n;
	thread_unlock(&hs->lock);
	return n;
}

void
hosts_expect(struct hosts *hs, int n)
{
	thread_lock(&hs->lock);
	hs->expect = n;
	thread_unlock(&hs->lock);
}

void
hosts_threads_give(struct hosts *hs, int n)
{
	if (hs->thread_cap <= 0 || n <= 0)
		return;
	thread_lock(&hs->lock);
	hs->threads_used -= n;
	thread_unlock(&hs->lock);
	thread_broadcast(&hs->run_freed);
}
