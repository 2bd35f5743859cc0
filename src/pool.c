/*
 * pool.c - worker threads, job queue and reorder window (see pool.h).
 *
 * Design
 *
 * One mutex (pool.lock) guards everything shared; there is no other lock,
 * so there is no lock order to get wrong.  Two condition variables hang on
 * it: `ready` (a page was finished, or the run failed) wakes the emitting
 * thread, `room` (the emitter moved on, or the run ended) wakes workers.
 *
 * The window is a ring of `window` slots.  Job seq lives in slot
 * seq % window.  A worker takes job `next_take` only while
 * next_take < next_emit + window, so the slot it is about to fill has been
 * emitted and released already: a slot belongs to exactly one worker
 * between take and finish, and to the emitter between finish and release,
 * and its buffer is touched without the lock by whoever owns it.  This is
 * pigz's write_first/seq hand-off, with a fixed pool of page buffers whose
 * memory is reused from job to job.
 *
 * Waits are timed (100 ms) so that a cancel set by the signal thread is
 * seen without that thread having to know about the pool.
 *
 * The program's threads (doc/DESIGN.md has the whole picture): the main
 * thread, which runs pool_run and is the only one that emits; the W
 * workers started here; the signal thread (main.c); libcurl's resolver
 * threads.  The locks a worker takes while it works (limiter, fail_lock,
 * libcurl's share locks) are all leaves, and none is taken while
 * pool.lock is held: the lock is dropped around work() and emit().
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"
#include "xalloc.h"
#include "thread.h"

struct slot {
	struct pool_page page;
	int ready;                      /* finished, not yet emitted */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	pthread_cond_t room;
	long long next_take;            /* lowest job nobody took */
	long long next_emit;            /* lowest job not emitted */
	long long end;                  /* no job at or past this is run */
	int window;
	struct slot *slots;
	int stop;                       /* failed or cancelled: all leave */
	int failed;
	const struct pool_ops *ops;
	const atomic_int *cancel;
};

struct worker {
	struct pool *pool;
	void *wctx;
	pthread_t tid;
};


static int
cancelled(const struct pool *p)
{
	return p->cancel != NULL && atomic_load(p->cancel);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	struct slot *s;
	enum pool_work r;
	long long seq;

	thread_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->next_take < p->end &&
		    p->next_take >= p->next_emit + p->window) {
			if (cancelled(p))
				p->stop = 1;
			else
				thread_wait_ms(&p->room, &p->lock, 100);
		}
		if (p->stop || p->next_take >= p->end)
			break;
		seq = p->next_take++;
		s = &p->slots[seq % p->window];
		thread_unlock(&p->lock);

		buf_reset(&s->page.data);
		buf_reset(&s->page.keys);
		buf_reset(&s->page.hashes);
		s->page.items = 0;
		r = p->ops->work(w->wctx, seq, &s->page);

		thread_lock(&p->lock);
		switch (r) {
		case pool_work_done:
			s->ready = 1;
			break;
		case pool_work_end:
			/* Jobs past an end are dropped, even if done already. */
			if (seq < p->end)
				p->end = seq;
			break;
		case pool_work_last:
			s->ready = 1;
			if (seq + 1 < p->end)
				p->end = seq + 1;
			break;
		case pool_work_failed:
			p->stop = p->failed = 1;
			break;
		}
		thread_signal(&p->ready);
		if (r != pool_work_done && r != pool_work_last)
			thread_broadcast(&p->room);
	}
	thread_unlock(&p->lock);
	return NULL;
}

/* Starts nworkers threads; returns how many started (pthread_create's
 * error, if one failed, in *thread_error). */
static int
pool_start(struct pool *p, struct worker *w, int nworkers, void **wctx,
    int *thread_error)
{
	int i, rc;

	for (i = 0; i < nworkers; i++) {
		w[i].pool = p;
		w[i].wctx = wctx[i];
		if ((rc = thread_create(&w[i].tid, worker_main, &w[i])) != 0) {
			/* Fewer workers than asked would still be correct, but
			 * a limit that bites here is one the person must hear
			 * of: the run fails rather than quietly slowing down. */
			if (thread_error != NULL)
				*thread_error = rc;
			break;
		}
	}
	return i;
}

/* The calling thread's part: hands finished pages to emit() in order.
 * Called and returns with the lock held. */
static void
pool_emit_all(struct pool *p, void *ectx)
{
	struct slot *s;
	int rc;

	while (!p->stop && p->next_emit < p->end) {
		s = &p->slots[p->next_emit % p->window];
		if (!s->ready) {
			if (cancelled(p))
				p->stop = 1;
			else
				thread_wait_ms(&p->ready, &p->lock, 100);
			continue;
		}
		/* The slot is ours until next_emit moves past it. */
		thread_unlock(&p->lock);
		rc = p->ops->emit(ectx, p->next_emit, &s->page);
		thread_lock(&p->lock);
		s->ready = 0;
		if (rc != 0) {
			p->stop = p->failed = 1;
			break;
		}
		p->next_emit++;
		thread_broadcast(&p->room);
	}
}

static void
pool_init(struct pool *p, long long first, long long end, int window,
    size_t page_max, const struct pool_ops *ops, const atomic_int *cancel)
{
	int i;

	memset(p, 0, sizeof *p);
	thread_mutex_init(&p->lock);
	thread_cond_init(&p->ready);
	thread_cond_init(&p->room);
	p->next_take = p->next_emit = first;
	p->end = end;
	p->window = window < 1 ? 1 : window;
	p->ops = ops;
	p->cancel = cancel;
	p->slots = xcalloc(p->window, sizeof *p->slots);
	for (i = 0; i < p->window; i++) {
		buf_init(&p->slots[i].page.data, page_max);
		buf_init(&p->slots[i].page.keys, page_max);
		buf_init(&p->slots[i].page.hashes, page_max);
	}
}

static void
pool_destroy(struct pool *p)
{
	int i;

	for (i = 0; i < p->window; i++) {
		buf_free(&p->slots[i].page.data);
		buf_free(&p->slots[i].page.keys);
		buf_free(&p->slots[i].page.hashes);
	}
	free(p->slots);
	thread_cond_destroy(&p->room);
	thread_cond_destroy(&p->ready);
	thread_mutex_destroy(&p->lock);
}

enum pool_result
pool_run(int nworkers, void **wctx, long long first, long long end, int window,
    size_t page_max, const struct pool_ops *ops, void *ectx,
    const atomic_int *cancel, int *thread_error)
{
	struct pool p;
	struct worker *w;
	enum pool_result result = pool_result_ok;
	int i, started;

	if (first >= end)
		return pool_result_ok;
	pool_init(&p, first, end, window, page_max, ops, cancel);
	w = xcalloc(nworkers, sizeof *w);
	started = pool_start(&p, w, nworkers, wctx, thread_error);

	thread_lock(&p.lock);
	if (started < nworkers)
		p.stop = p.failed = 1;
	pool_emit_all(&p, ectx);
	if (started < nworkers)
		result = pool_result_thread;
	else if (p.failed)
		result = pool_result_failed;
	else if (p.stop || cancelled(&p))
		result = p.next_emit >= p.end ? pool_result_ok :
		    pool_result_cancelled;
	p.stop = 1;
	thread_broadcast(&p.room);
	thread_unlock(&p.lock);

	for (i = 0; i < started; i++)
		thread_join(w[i].tid);
	free(w);
	pool_destroy(&p);
	return result;
}
