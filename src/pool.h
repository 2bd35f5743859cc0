/*
 * pool.h - worker threads, the job queue and the reorder window.
 *
 * Jobs are numbered 0, 1, 2, ... (page N is job N).  W worker threads take
 * the lowest job not yet taken and fill a pool_page with its bytes; the
 * calling thread hands finished pages to emit() strictly in job order.  A
 * worker may run at most `window` jobs ahead of the next one to emit, so
 * memory is bounded by window pages whatever the number of jobs.  The pool
 * knows nothing of HTTP or files.
 */
#ifndef INVDUMP_POOL_H
#define INVDUMP_POOL_H

#include <stdatomic.h>

#include "buf.h"

struct pool_page {
	struct buf data;        /* the bytes to emit (reused between jobs) */
	struct buf keys;        /* the caller's per-item notes (reused) */
	struct buf hashes;      /* the caller's item hashes (reused) */
	long long items;        /* items in data, for the caller's counts */
};

enum pool_work {
	pool_work_done = 0,     /* page filled */
	pool_work_end,          /* this job is past the end: no job from here
	                           on is emitted (for APIs without a total) */
	pool_work_last,         /* page filled, and it is the last: no job
	                           after it is emitted */
	pool_work_failed        /* stop the run; the callback said why */
};

struct pool_ops {
	/* In a worker thread: fill page (already reset) with job seq.  wctx
	 * is this worker's own context. */
	enum pool_work (*work)(void *wctx, long long seq, struct pool_page *page);
	/* In the calling thread, in seq order: returns 0, or -1 to stop. */
	int (*emit)(void *ectx, long long seq, struct pool_page *page);
};

enum pool_result {
	pool_result_ok,         /* every job up to the end was emitted */
	pool_result_failed,     /* work() or emit() failed */
	pool_result_cancelled,  /* *cancel was set */
	pool_result_thread      /* a worker thread could not be created
	                           (*thread_error holds pthread_create's code);
	                           nothing was emitted after that */
};

/*
 * Runs jobs first..end-1 (end may be POOL_NO_END when only work() can tell
 * where the end is) on nworkers threads, wctx[i] being worker i's context,
 * with at most window pages in flight; page_max caps each page's bytes.
 * Returns when all are emitted, one failed, or *cancel became non-zero.
 * thread_error (or NULL) receives pthread_create's error code.
 */
#define POOL_NO_END 0x7fffffffffffffffLL
enum pool_result pool_run(int nworkers, void **wctx, long long first,
    long long end, int window, size_t page_max, const struct pool_ops *ops,
    void *ectx, const atomic_int *cancel, int *thread_error);

#endif
