/*
 * test_pool.c - the pool emits in job order whatever order workers finish
 * in, never runs more than `window` jobs ahead, stops at an end found at
 * run time, and stops on failure and on cancel.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"
#include "tap.h"

struct run {
	long long end_at;               /* work() says "end" from here on */
	long long fail_at;              /* work() fails here */
	long long cancel_at;            /* emit() sets cancel here */
	atomic_int cancel;
	atomic_llong max_ahead;         /* largest seq - emitted seen */
	atomic_llong emitted;
	long long order_errors;
	long long next;
	char log[64];
};

static void
nap(long long seq)
{
	struct timespec ts = { 0, (seq * 7919 % 13) * 100000L };

	nanosleep(&ts, NULL);
}

static enum pool_work
work(void *arg, long long seq, struct pool_page *page)
{
	struct run *r = arg;
	long long ahead = seq - atomic_load(&r->emitted);
	long long m = atomic_load(&r->max_ahead);

	while (ahead > m && !atomic_compare_exchange_weak(&r->max_ahead, &m, ahead))
		;
	nap(seq);
	if (seq >= r->end_at)
		return pool_work_end;
	if (seq == r->fail_at)
		return pool_work_failed;
	page->items = seq;
	return buf_add(&page->data, &seq, sizeof seq) == 0 ? pool_work_done :
	    pool_work_failed;
}

static int
emit(void *arg, long long seq, struct pool_page *page)
{
	struct run *r = arg;
	long long v;

	memcpy(&v, page->data.data, sizeof v);
	if (seq != r->next || v != seq || page->items != seq ||
	    page->data.len != sizeof v)
		r->order_errors++;
	r->next++;
	atomic_store(&r->emitted, r->next);
	if (seq == r->cancel_at)
		atomic_store(&r->cancel, 1);
	return 0;
}

static const struct pool_ops ops = { work, emit };

static enum pool_result
go(struct run *r, int workers, long long first, long long end, int window)
{
	void *ctx[64];
	int i;

	for (i = 0; i < workers; i++)
		ctx[i] = r;
	r->next = first;
	atomic_store(&r->emitted, first);
	return pool_run(workers, ctx, first, end, window, 1 << 20, &ops, r,
	    &r->cancel, NULL);
}

static void
init(struct run *r)
{
	memset(r, 0, sizeof *r);
	r->end_at = r->fail_at = r->cancel_at = POOL_NO_END;
}

int
main(void)
{
	struct run r;
	enum pool_result pr;
	int w;

	for (w = 1; w <= 16; w *= 4) {
		init(&r);
		pr = go(&r, w, 1, 2001, 2 * w);
		ok(pr == pool_result_ok && r.next == 2001 && r.order_errors == 0,
		    "%d workers: 2000 jobs emitted in order", w);
		ok(atomic_load(&r.max_ahead) < 2 * w,
		    "%d workers: never more than the window ahead (max %lld < %d)",
		    w, (long long)atomic_load(&r.max_ahead), 2 * w);
	}

	init(&r);
	ok(go(&r, 4, 5, 5, 8) == pool_result_ok && r.next == 5,
	    "no jobs: nothing emitted");

	init(&r);
	r.end_at = 137;
	pr = go(&r, 8, 0, POOL_NO_END, 16);
	ok(pr == pool_result_ok && r.next == 137 && r.order_errors == 0,
	    "an end found at run time: exactly jobs 0..136 emitted (got %lld)",
	    r.next);

	init(&r);
	r.fail_at = 300;
	pr = go(&r, 8, 0, 1000, 16);
	ok(pr == pool_result_failed && r.next <= 300 && r.order_errors == 0,
	    "a failing job stops the run before it is emitted (emitted %lld)",
	    r.next);

	init(&r);
	r.cancel_at = 50;
	pr = go(&r, 8, 0, 100000, 16);
	ok(pr == pool_result_cancelled && r.next < 100, "cancel stops the run "
	    "promptly (emitted %lld)", r.next);
	return tap_done();
}
