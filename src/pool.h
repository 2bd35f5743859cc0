/*
 * pool.h - the job queue, its helpers and the reorder window.
 *
 * Jobs are numbered 0, 1, 2, ... (page N is job N).  Up to W helpers,
 * tasks of the run's crew (crew.h), each holding one of the W worker
 * contexts, take the lowest job not yet taken and fill a pool_page with
 * its bytes; the calling thread hands finished pages to emit() strictly in
 * job order, and works the next page to emit itself when no helper has
 * taken it (every crew thread may be busy elsewhere).
 * Memory is bounded by the bytes of finished pages waiting for the one
 * before them (struct pool_window), not by a count of pages: one slow page
 * does not stop the pages behind it from being fetched while their bytes
 * fit; a job that must wait (a retry after a delay) is put aside, and its
 * worker takes other jobs meanwhile.  The pool knows nothing of HTTP or
 * files.
 */
#ifndef INVDUMP_POOL_H
#define INVDUMP_POOL_H

#include <stdatomic.h>

#include "buf.h"

/* A job's tries so far, zero at its first run: the one record of a page's
 * retries, which the pool keeps with the page (a job put aside with
 * pool_work_later keeps it) and fetch_page_step updates. */
struct pool_later {
	int attempts;           /* failed attempts */
	int timeouts;           /* ... of which timed out */
	double started;         /* when the job was first run (monotonic s) */
	long wait_ms;           /* set by work(): run it again after this */
};

struct pool_page {
	struct buf data;        /* the bytes to emit (reused between jobs) */
	struct buf keys;        /* the caller's per-item notes (reused) */
	struct buf hashes;      /* the caller's item hashes (reused) */
	long long items;        /* items in data, for the caller's counts */
	struct pool_later later;
};

enum pool_work {
	pool_work_done = 0,     /* page filled */
	pool_work_end,          /* this job is past the end: no job from here
	                           on is emitted (for APIs without a total) */
	pool_work_last,         /* page filled, and it is the last: no job
	                           after it is emitted */
	pool_work_failed,       /* stop the run; the callback said why */
	pool_work_later         /* not done: run this job again after
	                           page->later.wait_ms; the worker takes
	                           other jobs meanwhile */
};

struct pool_ops {
	/* In a helper or the calling thread: fill page (already reset) with
	 * job seq.  wctx is one of the worker contexts, which no other job
	 * uses meanwhile. */
	enum pool_work (*work)(void *wctx, long long seq, struct pool_page *page);
	/* In the calling thread, in seq order: returns 0, or -1 to stop. */
	int (*emit)(void *ectx, long long seq, struct pool_page *page);
	/* Or NULL.  In the calling thread, once helper i was queued and
	 * before the next is: may wait a little, to let it go first. */
	void (*started)(void *ectx, int i);
};

enum pool_result {
	pool_result_ok,         /* every job up to the end was emitted */
	pool_result_failed,     /* work() or emit() failed */
	pool_result_cancelled   /* *cancel was set */
};

/*
 * How far workers may run ahead of the next job to emit.  A worker takes a
 * job only while fewer than max_ahead jobs past the next to emit are taken
 * and the finished pages held for the emitter take fewer than max_bytes
 * (their buffers' capacity); the next job to emit is always taken.  So at
 * most max_bytes plus W pages in flight plus W spare buffers are alive.
 */
struct pool_window {
	long long max_ahead;    /* jobs; at least 1 */
	size_t max_bytes;
};

/*
 * Runs jobs first..end-1 (end may be POOL_NO_END when only work() can tell
 * where the end is) with nworkers worker contexts wctx[], on helpers that
 * crew's threads run and on the calling thread, within the window win;
 * page_max caps each page's buffers.  Returns when all are emitted, one
 * failed, or *cancel became non-zero, and no helper touches the pool any
 * more (those still queued are taken back).
 */
#define POOL_NO_END 0x7fffffffffffffffLL
struct crew;
enum pool_result pool_run(struct crew *crew, int nworkers, void **wctx,
    long long first, long long end, const struct pool_window *win,
    size_t page_max, const struct pool_ops *ops, void *ectx,
    const atomic_int *cancel);

#endif
