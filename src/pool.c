/*
 * pool.c - job queue, helpers and reorder window (see pool.h).
 *
 * Design
 *
 * One mutex (pool.lock) guards everything shared; there is no other lock,
 * so there is no lock order to get wrong.  Two condition variables hang on
 * it: `ready` (a page was finished, or the run failed) wakes the emitting
 * thread, `room` (the emitter moved on, or the run ended) wakes workers.
 *
 * The window.  Job seq's page is found in slot seq & mask of a ring that
 * doubles when a worker takes a job a whole ring ahead of the next to emit
 * (jobs next_emit..next_take-1 are moved to their new places).  A worker
 * takes job next_take while next_take - next_emit < max_ahead and the pages
 * finished and held for the emitter take fewer than max_bytes (held: their
 * buffers' capacity); job next_emit itself is always taken, so the run
 * moves on whatever the window.  Bounding bytes rather than pages lets the
 * pages behind one slow page (a Retry-After, a stall, a retry) be fetched
 * in the meantime: compressed pages are small.
 *
 * A page (struct pool_page and its buffers) belongs to exactly one worker
 * between take and finish, and to the emitter between finish and release,
 * and its buffers are touched without the lock by whoever owns it.  Pages
 * released go to a list of at most W spares, whose memory the next jobs
 * reuse (pigz's pool of buffers); beyond that they are freed.  This is
 * pigz's write_first/seq hand-off.
 *
 * A job whose work() says pool_work_later keeps its slot and page and goes
 * on the list of jobs put aside, with the time it is due; a worker looking
 * for work takes the lowest due job put aside before any new one, and
 * otherwise waits no longer than until the first is due.  The worker that
 * put it aside takes other jobs meanwhile: a Retry-After of one second
 * costs the run that page's second, not a worker's.
 *
 * Helpers.  pool_run queues W helpers on the run's crew (crew.c), one per
 * worker context, and does not wait for them: a helper that begins takes
 * a free context (waiting while the emitter holds the last one) and works
 * jobs until none is left for it.  The emitter, while the page it must
 * emit next is not ready, works that page itself when nobody has taken it
 * (new, or put aside and due) and a context is free: so a pool ends even
 * when every crew thread is busy elsewhere (W targets, each the caller of
 * its own pool, would otherwise each wait for helpers that never come).
 * It takes no other job, so the window is the same whoever works.  At the
 * end the helpers still queued are taken back (crew_take_back) and those
 * under way are waited for (`outstanding`, `left`): pool_run returns only
 * when no helper touches the pool.
 *
 * Waits are timed (100 ms) so that a cancel set by the signal thread is
 * seen without that thread having to know about the pool.
 *
 * The threads of a pool (doc/DESIGN.md has the whole picture): the one
 * that runs pool_run (the main thread, a crew thread running a target
 * with --jobs or --expand's listing), the only one that emits; the crew's
 * threads that run its helpers; the signal thread (main.c); libcurl's
 * resolver threads.  The locks a job takes while it works (limiter,
 * fail_lock, libcurl's share locks) are all leaves, and none is taken
 * while pool.lock is held: the lock is dropped around work() and emit().
 * crew.lock is never taken with pool.lock held either.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "crew.h"
#include "pool.h"
#include "xalloc.h"
#include "thread.h"

struct slot {
	struct pool_page *page;         /* the job's page, from take on */
	size_t bytes;                   /* its size once finished */
	int ready;                      /* finished, not yet emitted */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	pthread_cond_t room;
	long long next_take;            /* lowest job nobody took */
	long long next_emit;            /* lowest job not emitted */
	long long end;                  /* no job at or past this is run */
	struct pool_window win;
	size_t held;                    /* bytes of finished pages not yet
	                                   emitted */
	struct slot *slots;             /* ring of mask + 1 */
	struct aside {
		long long seq;
		double due;             /* monotonic seconds */
	} *aside;                       /* jobs put aside (pool_work_later) */
	int naside, maxaside;
	long long mask;
	struct pool_page **spare;       /* released pages kept for reuse */
	int nspare, maxspare;
	size_t page_max;
	int stop;                       /* failed or cancelled: all leave */
	int failed;
	const struct pool_ops *ops;
	const atomic_int *cancel;
	struct crew *crew;
	struct crew_task *helpers;      /* one per worker context */
	int nhelpers;
	int outstanding;                /* helpers queued or under way */
	pthread_cond_t left;            /* a helper left */
	void **ctx;                     /* worker contexts nobody holds */
	int nctx;
};


static int
cancelled(const struct pool *p)
{
	return p->cancel != NULL && atomic_load(p->cancel);
}

static void
aside_add(struct pool *p, long long seq, long wait_ms)
{
	if (p->naside == p->maxaside) {
		p->maxaside = p->maxaside ? 2 * p->maxaside : 16;
		p->aside = xrealloc(p->aside, (size_t)p->maxaside *
		    sizeof *p->aside);
	}
	p->aside[p->naside].seq = seq;
	p->aside[p->naside].due = clock_now() + (wait_ms > 0 ? wait_ms : 0) / 1e3;
	p->naside++;
}

/* The lowest job put aside that is due (removed from the list), or -1;
 * *wait_ms is how long until the first one is due (or 100).  Lock held. */
static long long
aside_take(struct pool *p, long *wait_ms)
{
	double now = clock_now(), first = now + 0.1;
	int i, best = -1;
	long long seq;

	for (i = 0; i < p->naside; i++) {
		if (p->aside[i].due <= now) {
			if (best < 0 || p->aside[i].seq < p->aside[best].seq)
				best = i;
		} else if (p->aside[i].due < first)
			first = p->aside[i].due;
	}
	*wait_ms = (long)((first - now) * 1e3) + 1;
	if (best < 0)
		return -1;
	seq = p->aside[best].seq;
	p->aside[best] = p->aside[--p->naside];
	return seq;
}

static size_t
page_bytes(const struct pool_page *pg)
{
	return pg->data.cap + pg->keys.cap + pg->hashes.cap;
}

static void
page_free(struct pool_page *pg)
{
	if (pg == NULL)
		return;
	buf_free(&pg->data);
	buf_free(&pg->keys);
	buf_free(&pg->hashes);
	free(pg);
}

/* A page for a job: a spare one, or a new one.  Lock held. */
static struct pool_page *
page_get(struct pool *p)
{
	struct pool_page *pg;

	if (p->nspare > 0)
		return p->spare[--p->nspare];
	pg = xcalloc(1, sizeof *pg);
	buf_init(&pg->data, p->page_max);
	buf_init(&pg->keys, p->page_max);
	buf_init(&pg->hashes, p->page_max);
	return pg;
}

/* Gives a page back: kept as a spare, or freed.  Lock held. */
static void
page_put(struct pool *p, struct pool_page *pg)
{
	if (p->nspare < p->maxspare)
		p->spare[p->nspare++] = pg;
	else
		page_free(pg);
}

/* Room in the ring for job seq (the ring doubles).  Lock held. */
static void
ring_fit(struct pool *p, long long seq)
{
	struct slot *n;
	long long cap = p->mask + 1, s;

	if (seq - p->next_emit < cap)
		return;
	while (seq - p->next_emit >= cap)
		cap *= 2;
	n = xcalloc((size_t)cap, sizeof *n);
	for (s = p->next_emit; s < p->next_take; s++)
		n[s & (cap - 1)] = p->slots[s & p->mask];
	free(p->slots);
	p->slots = n;
	p->mask = cap - 1;
}

/* May a worker take job next_take now?  Lock held. */
static int
may_take(const struct pool *p)
{
	if (p->next_take == p->next_emit)
		return 1;
	return p->next_take - p->next_emit < p->win.max_ahead &&
	    p->held < p->win.max_bytes;
}

/* Drops a job that will never be emitted: its page goes back.  Lock held. */
static void
job_drop(struct pool *p, long long seq)
{
	struct slot *s = &p->slots[seq & p->mask];

	if (s->page != NULL)
		page_put(p, s->page);
	s->page = NULL;
	s->ready = 0;
}

/*
 * The next job for a worker: a job put aside that is due, else a new one
 * if the window allows; waits for either.  Returns its number with its
 * page in *pg, or -1 when the worker should leave.  Lock held.
 */
static long long
job_next(struct pool *p, struct pool_page **pg)
{
	long long seq;
	long wait;

	for (;;) {
		if (!p->stop && cancelled(p))
			p->stop = 1;
		if (p->stop)
			return -1;
		if ((seq = aside_take(p, &wait)) >= 0) {
			if (seq >= p->end) {
				job_drop(p, seq);
				continue;
			}
			*pg = p->slots[seq & p->mask].page;
			return seq;
		}
		if (p->next_take < p->end && may_take(p)) {
			seq = p->next_take;
			ring_fit(p, seq);
			p->next_take++;
			*pg = page_get(p);
			memset(&(*pg)->later, 0, sizeof (*pg)->later);
			p->slots[seq & p->mask].page = *pg;
			p->slots[seq & p->mask].ready = 0;
			return seq;
		}
		if (p->naside == 0 && p->next_take >= p->end)
			return -1;
		thread_wait_ms(&p->room, &p->lock, p->naside > 0 && wait < 100 ?
		    wait : 100);
	}
}

/* What work() said of job seq.  Lock held. */
static void
job_done(struct pool *p, long long seq, struct pool_page *pg,
    enum pool_work r)
{
	struct slot *s = &p->slots[seq & p->mask];

	switch (r) {
	case pool_work_done:
	case pool_work_later:
		break;
	case pool_work_end:
		/* Jobs past an end are dropped, even if done already. */
		if (seq < p->end)
			p->end = seq;
		break;
	case pool_work_last:
		if (seq + 1 < p->end)
			p->end = seq + 1;
		break;
	case pool_work_failed:
		p->stop = p->failed = 1;
		break;
	}
	if (seq >= p->end || p->stop ||
	    (r != pool_work_done && r != pool_work_last &&
	    r != pool_work_later)) {
		/* Never emitted: the page goes back at once. */
		job_drop(p, seq);
	} else if (r == pool_work_later) {
		aside_add(p, seq, pg->later.wait_ms);
	} else {
		s->ready = 1;
		s->bytes = page_bytes(pg);
		p->held += s->bytes;
	}
	thread_signal(&p->ready);
	if (r != pool_work_done && r != pool_work_last)
		thread_broadcast(&p->room);
}

/* Job seq on this thread with worker context wctx: work() without the
 * lock, then job_done.  Called and returns with the lock held. */
static void
job_work(struct pool *p, void *wctx, long long seq, struct pool_page *pg)
{
	enum pool_work r;

	thread_unlock(&p->lock);
	buf_reset(&pg->data);
	buf_reset(&pg->keys);
	buf_reset(&pg->hashes);
	pg->items = 0;
	pg->later.wait_ms = 0;
	r = p->ops->work(wctx, seq, pg);
	thread_lock(&p->lock);
	/* The ring may have grown meanwhile: job_done finds the slot again. */
	job_done(p, seq, pg, r);
}

/* Is there nothing left for a helper to do?  Lock held. */
static int
pool_over(struct pool *p)
{
	if (!p->stop && cancelled(p))
		p->stop = 1;
	return p->stop || (p->naside == 0 && p->next_take >= p->end);
}

/* A crew task: a helper takes a free worker context (waiting while the
 * calling thread holds the last one) and works jobs until there are none
 * left for it; then it leaves, and says so. */
static void
helper_main(void *arg)
{
	struct pool *p = arg;
	struct pool_page *pg = NULL;
	long long seq;
	void *wctx;

	thread_lock(&p->lock);
	while (p->nctx == 0 && !pool_over(p))
		thread_wait_ms(&p->room, &p->lock, 100);
	if (!p->stop && p->nctx > 0) {
		wctx = p->ctx[--p->nctx];
		while ((seq = job_next(p, &pg)) >= 0)
			job_work(p, wctx, seq, pg);
		p->ctx[p->nctx++] = wctx;
	}
	p->outstanding--;
	thread_broadcast(&p->left);
	thread_unlock(&p->lock);
}

/* Queues a helper a worker context (one per context); the calling thread
 * works the next job itself when none of them has taken it. */
static void
pool_start(struct pool *p, int nworkers, void *ectx)
{
	int i;

	p->helpers = xcalloc(nworkers > 0 ? (size_t)nworkers : 1,
	    sizeof *p->helpers);
	p->nhelpers = nworkers;
	for (i = 0; i < nworkers; i++) {
		p->helpers[i].fn = helper_main;
		p->helpers[i].arg = p;
		thread_lock(&p->lock);
		p->outstanding++;
		thread_unlock(&p->lock);
		crew_add(p->crew, &p->helpers[i]);
		if (p->ops->started != NULL)
			p->ops->started(ectx, i);
	}
}

/* Job next_emit, new or put aside and due, when nobody has taken it: the
 * emitter works it itself, so that the run goes on with no helper (every
 * crew thread busy).  1 when it did; else 0, and *wait_ms is how long the
 * emitter may wait before it looks again.  Lock held. */
static int
pool_run_next(struct pool *p, long *wait_ms)
{
	struct pool_page *pg;
	long long seq = p->next_emit;
	double now;
	void *wctx;
	int i;

	*wait_ms = 100;
	if (p->nctx == 0 || seq >= p->end)
		return 0;
	if (p->next_take == seq) {
		ring_fit(p, seq);
		p->next_take++;
		pg = page_get(p);
		memset(&pg->later, 0, sizeof pg->later);
		p->slots[seq & p->mask].page = pg;
		p->slots[seq & p->mask].ready = 0;
	} else {
		for (i = 0; i < p->naside && p->aside[i].seq != seq; i++)
			;
		if (i == p->naside)
			return 0;
		if (p->aside[i].due > (now = clock_now())) {
			/* Put aside: due before the next look, perhaps. */
			if ((p->aside[i].due - now) * 1e3 < 100)
				*wait_ms = (long)((p->aside[i].due - now) * 1e3) + 1;
			return 0;
		}
		p->aside[i] = p->aside[--p->naside];
		pg = p->slots[seq & p->mask].page;
	}
	wctx = p->ctx[--p->nctx];
	job_work(p, wctx, seq, pg);
	p->ctx[p->nctx++] = wctx;
	thread_broadcast(&p->room);     /* a helper may wait for it */
	return 1;
}

/* The calling thread's part: hands finished pages to emit() in order,
 * working the next one itself when nobody took it.  Called and returns
 * with the lock held. */
static void
pool_emit_all(struct pool *p, void *ectx)
{
	struct slot *s;
	struct pool_page *pg;
	long wait;
	int rc;

	while (!p->stop && p->next_emit < p->end) {
		if (cancelled(p)) {
			p->stop = 1;
			break;
		}
		s = &p->slots[p->next_emit & p->mask];
		if (p->next_emit >= p->next_take || !s->ready) {
			if (!pool_run_next(p, &wait))
				thread_wait_ms(&p->ready, &p->lock, wait);
			continue;
		}
		/* The page is ours until it is released. */
		pg = s->page;
		thread_unlock(&p->lock);
		rc = p->ops->emit(ectx, p->next_emit, pg);
		thread_lock(&p->lock);
		/* The ring may have grown during emit(): find the slot again. */
		s = &p->slots[p->next_emit & p->mask];
		s->ready = 0;
		s->page = NULL;
		p->held -= s->bytes;
		page_put(p, pg);
		if (rc != 0) {
			p->stop = p->failed = 1;
			break;
		}
		p->next_emit++;
		thread_broadcast(&p->room);
	}
}

static void
pool_init(struct pool *p, int nworkers, void **wctx, long long first,
    long long end, const struct pool_window *win, size_t page_max,
    const struct pool_ops *ops, const atomic_int *cancel)
{
	long long cap = 16;
	int i;

	memset(p, 0, sizeof *p);
	thread_mutex_init(&p->lock);
	thread_cond_init(&p->ready);
	thread_cond_init(&p->room);
	p->next_take = p->next_emit = first;
	p->end = end;
	p->win = *win;
	if (p->win.max_ahead < 1)
		p->win.max_ahead = 1;
	while (cap < 2LL * nworkers && cap < p->win.max_ahead)
		cap *= 2;
	p->slots = xcalloc((size_t)cap, sizeof *p->slots);
	p->mask = cap - 1;
	p->maxspare = nworkers;
	p->spare = xcalloc(nworkers > 0 ? (size_t)nworkers : 1,
	    sizeof *p->spare);
	p->page_max = page_max;
	p->ops = ops;
	p->cancel = cancel;
	thread_cond_init(&p->left);
	p->ctx = xcalloc(nworkers > 0 ? (size_t)nworkers : 1, sizeof *p->ctx);
	for (i = nworkers - 1; i >= 0; i--)
		p->ctx[p->nctx++] = wctx[i];
}

/* No helper is queued or under way. */
static void
pool_destroy(struct pool *p)
{
	long long s;

	free(p->helpers);
	free(p->ctx);
	thread_cond_destroy(&p->left);
	for (s = p->next_emit; s < p->next_take; s++)
		page_free(p->slots[s & p->mask].page);
	while (p->nspare > 0)
		page_free(p->spare[--p->nspare]);
	free(p->spare);
	free(p->aside);
	free(p->slots);
	thread_cond_destroy(&p->room);
	thread_cond_destroy(&p->ready);
	thread_mutex_destroy(&p->lock);
}

/* The pool ends: helpers still queued are taken back, and the calling
 * thread waits for those under way to leave (none touches p after). */
static void
pool_join(struct pool *p)
{
	int i;

	for (i = 0; i < p->nhelpers; i++)
		if (crew_take_back(p->crew, &p->helpers[i])) {
			thread_lock(&p->lock);
			p->outstanding--;
			thread_unlock(&p->lock);
		}
	thread_lock(&p->lock);
	while (p->outstanding > 0)
		thread_wait_ms(&p->left, &p->lock, 100);
	thread_unlock(&p->lock);
}

enum pool_result
pool_run(struct crew *crew, int nworkers, void **wctx, long long first,
    long long end, const struct pool_window *win, size_t page_max,
    const struct pool_ops *ops, void *ectx, const atomic_int *cancel)
{
	struct pool p;
	enum pool_result result = pool_result_ok;

	if (first >= end)
		return pool_result_ok;
	pool_init(&p, nworkers, wctx, first, end, win, page_max, ops, cancel);
	p.crew = crew;
	pool_start(&p, nworkers, ectx);

	thread_lock(&p.lock);
	pool_emit_all(&p, ectx);
	if (p.failed)
		result = pool_result_failed;
	else if (p.stop || cancelled(&p))
		result = p.next_emit >= p.end ? pool_result_ok :
		    pool_result_cancelled;
	p.stop = 1;
	thread_broadcast(&p.room);
	thread_unlock(&p.lock);

	pool_join(&p);
	pool_destroy(&p);
	return result;
}
