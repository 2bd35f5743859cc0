/*
 * test_pool.c - the pool emits in job order whatever order workers finish
 * in; never holds more finished pages than its window's bytes (nor runs
 * more jobs ahead than max_ahead); lets the pages behind a slow one be
 * fetched while they fit; stops at an end found at run time (pool_work_end,
 * pool_work_last); stops on failure and on cancel; and calls started(i)
 * after worker i's helper is queued and before the next is (page 0's head
 * start).  With no crew thread free the calling thread works the pages
 * itself, so that W pools on W crew threads all end (no deadlock); the
 * crew runs its tasks in the order queued, and a task taken back does not
 * run.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crew.h"
#include "pool.h"
#include "tap.h"

static struct crew *crew;       /* the tests' pools' helpers */

#define PAGE_BYTES 1000         /* a page's data: 1024 bytes of buffer */

struct run {
	long long end_at;               /* work() says "end" from here on */
	long long last_at;              /* work() says "last" here */
	long long fail_at;              /* work() fails here */
	long long cancel_at;            /* emit() sets cancel here */
	long long slow_at;              /* work() sleeps slow_ms here */
	long slow_ms;
	long long slow_until;           /* ... or until this many are done */
	long long later_every;          /* every later_every-th job */
	long long later_from;           /* ... from this one */
	int later_times;                /* ... is put aside this many times */
	long later_ms;                  /* ... for this long */
	atomic_llong laters;            /* pool_work_later said */
	atomic_llong later_early;       /* ... and run again too soon */
	atomic_int cancel;
	atomic_llong max_ahead;         /* largest seq - emitted seen */
	atomic_llong emitted;           /* the next job to emit */
	atomic_llong nemitted;          /* pages emitted */
	atomic_llong done;              /* pages work() filled */
	atomic_llong max_held;          /* largest done - emitted seen */
	int hold_first;                 /* started(0) waits for job first */
	long long first;
	atomic_int nstarted;            /* workers started() was told of */
	atomic_int started_order_errors;
	atomic_int begun;               /* work() calls begun */
	atomic_int first_done;          /* job first's work() is over */
	atomic_int begun_during;        /* ... and jobs begun until then */
	atomic_int begun_at_aside;      /* begun when job later_from was put aside */
	atomic_llong begun_aside;       /* jobs begun while it was aside (max) */
	long long order_errors;
	long long next;
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Milliseconds, give or take the clock's resolution: a job put aside is
 * checked against when it was due less 2 ms. */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6 + 2;
}

static void
nap(long long seq)
{
	struct timespec ts = { 0, (seq * 7919 % 13) * 100000L };

	nanosleep(&ts, NULL);
}

static void
note_max(atomic_llong *m, long long v)
{
	long long cur = atomic_load(m);

	while (v > cur && !atomic_compare_exchange_weak(m, &cur, v))
		;
}

static enum pool_work
work(void *arg, long long seq, struct pool_page *page)
{
	struct run *r = arg;
	char fill[PAGE_BYTES - sizeof seq];

	atomic_fetch_add(&r->begun, 1);
	/* Job first is the first taken: with hold_first, the workers that
	 * start() let up would take the next jobs while it sleeps. */
	if (seq == r->first && r->hold_first) {
		sleep_ms(20);
		atomic_store(&r->begun_during, atomic_load(&r->begun));
		atomic_store(&r->first_done, 1);
	}
	note_max(&r->max_ahead, seq - atomic_load(&r->emitted));
	if (page->later.attempts > 0 && now_ms() < page->later.started)
		atomic_fetch_add(&r->later_early, 1);
	if (page->later.attempts > 0 && seq == r->later_from)
		note_max(&r->begun_aside, atomic_load(&r->begun) - 1 -
		    atomic_load(&r->begun_at_aside));
	if (r->later_every > 0 && seq % r->later_every == r->later_from &&
	    page->later.attempts < r->later_times) {
		page->later.attempts++;
		page->later.started = now_ms() + r->later_ms;
		page->later.wait_ms = r->later_ms;
		atomic_fetch_add(&r->laters, 1);
		if (seq == r->later_from)
			atomic_store(&r->begun_at_aside, atomic_load(&r->begun));
		return pool_work_later;
	}
	if (seq == r->slow_at && r->slow_until > 0) {
		/* Until the others have moved on (10 s at most). */
		for (int i = 0; i < 10000 &&
		    atomic_load(&r->done) < r->slow_until; i++)
			sleep_ms(1);
	} else if (seq == r->slow_at)
		sleep_ms(r->slow_ms);
	else
		nap(seq);
	if (seq >= r->end_at)
		return pool_work_end;
	if (seq == r->fail_at)
		return pool_work_failed;
	page->items = seq;
	memset(fill, 'x', sizeof fill);
	if (buf_add(&page->data, &seq, sizeof seq) < 0 ||
	    buf_add(&page->data, fill, sizeof fill) < 0)
		return pool_work_failed;
	/* Counted before the pool holds it, so done - emitted is an upper
	 * bound of what it holds. */
	note_max(&r->max_held, atomic_fetch_add(&r->done, 1) + 1 -
	    atomic_load(&r->nemitted));
	return seq == r->last_at ? pool_work_last : pool_work_done;
}

static int
emit(void *arg, long long seq, struct pool_page *page)
{
	struct run *r = arg;
	long long v;

	memcpy(&v, page->data.data, sizeof v);
	if (seq != r->next || v != seq || page->items != seq ||
	    page->data.len != PAGE_BYTES)
		r->order_errors++;
	r->next++;
	atomic_store(&r->emitted, r->next);
	atomic_fetch_add(&r->nemitted, 1);
	if (seq == r->cancel_at)
		atomic_store(&r->cancel, 1);
	return 0;
}

/* Worker i is up: with hold_first, worker 0 alone runs until job first
 * is over (5 s at most). */
static void
started(void *arg, int i)
{
	struct run *r = arg;
	int waited;

	if (atomic_load(&r->nstarted) != i)
		atomic_fetch_add(&r->started_order_errors, 1);
	atomic_store(&r->nstarted, i + 1);
	for (waited = 0; r->hold_first && i == 0 &&
	    !atomic_load(&r->first_done) && waited < 5000; waited++)
		sleep_ms(1);
}

static const struct pool_ops ops = { work, emit, started };

static enum pool_result
go_win(struct run *r, int workers, long long first, long long end,
    long long max_ahead, size_t max_bytes)
{
	struct pool_window win = { max_ahead, max_bytes };
	void *ctx[64];
	int i;

	for (i = 0; i < workers; i++)
		ctx[i] = r;
	r->next = r->first = first;
	atomic_store(&r->emitted, first);
	return pool_run(crew, workers, ctx, first, end, &win, 1 << 20, &ops, r,
	    &r->cancel);
}

static enum pool_result
go(struct run *r, int workers, long long first, long long end, int window)
{
	return go_win(r, workers, first, end, window, (size_t)1 << 30);
}

static void
init(struct run *r)
{
	memset(r, 0, sizeof *r);
	r->end_at = r->last_at = r->fail_at = r->cancel_at = r->slow_at =
	    POOL_NO_END;
}

/* The crew runs tasks in the order they were queued (one thread). */
struct fifo {
	struct crew_task task;
	int id;
	int *order;
	atomic_int *n;
};

static void
fifo_task(void *arg)
{
	struct fifo *f = arg;

	f->order[atomic_fetch_add(f->n, 1)] = f->id;
	if (f->id == 0)
		sleep_ms(50);   /* the others are queued meanwhile */
}

static void
test_crew_fifo(void)
{
	struct crew *c = crew_new(1, NULL);
	struct fifo f[8];
	atomic_int n;
	int order[8], i, bad = 0, back, ran;

	if (!ok(c != NULL, "a crew of one thread"))
		return;
	atomic_store(&n, 0);
	for (i = 0; i < 8; i++) {
		f[i].task.fn = fifo_task;
		f[i].task.arg = &f[i];
		f[i].id = i;
		f[i].order = order;
		f[i].n = &n;
		crew_add(c, &f[i].task);
	}
	back = crew_take_back(c, &f[5].task);
	while (atomic_load(&n) == 0)
		sleep_ms(1);
	ran = crew_take_back(c, &f[0].task);
	crew_free(c);           /* waits for the queue to run dry */
	for (i = 0; i < atomic_load(&n); i++)
		bad += order[i] != (i < 5 ? i : i + 1);
	ok(back == 1 && atomic_load(&n) == 7 && bad == 0, "tasks run in the "
	    "order queued; the one taken back does not run (%d ran, %d out of "
	    "order)", atomic_load(&n), bad);
	ok(ran == 0, "a task begun cannot be taken back");
}

/* W pools, each called from a task of a crew of W threads: every thread is
 * a pool's caller, no helper gets one, and each pool still ends, its caller
 * working its pages. */
struct nested {
	struct crew_task task;
	struct crew *c;
	struct run r;
	enum pool_result pr;
};

static void
nested_task(void *arg)
{
	struct nested *n = arg;
	struct pool_window win = { 8, (size_t)1 << 30 };
	void *ctx[4] = { &n->r, &n->r, &n->r, &n->r };

	n->r.next = n->r.first = 0;
	atomic_store(&n->r.emitted, 0);
	n->pr = pool_run(n->c, 4, ctx, 0, 300, &win, 1 << 20, &ops, &n->r,
	    &n->r.cancel);
}

static void
test_crew_nested(void)
{
	struct crew *c = crew_new(3, NULL), *none = crew_new(0, NULL);
	struct nested n[3];
	struct run r;
	int i, good = 0;

	if (!ok(c != NULL && none != NULL, "crews of three threads and none"))
		return;
	for (i = 0; i < 3; i++) {
		init(&n[i].r);
		n[i].c = c;
		n[i].pr = pool_result_failed;
		n[i].task.fn = nested_task;
		n[i].task.arg = &n[i];
		crew_add(c, &n[i].task);
	}
	crew_free(c);
	for (i = 0; i < 3; i++)
		good += n[i].pr == pool_result_ok && n[i].r.next == 300 &&
		    n[i].r.order_errors == 0;
	ok(good == 3, "3 pools on a crew of 3, each the caller of its own: "
	    "all ended, 300 jobs each in order (%d of 3)", good);

	init(&r);
	{
		struct pool_window win = { 8, (size_t)1 << 30 };
		void *ctx[4] = { &r, &r, &r, &r };

		r.later_every = 50;
		r.later_from = 3;
		r.later_times = 1;
		r.later_ms = 20;
		r.next = r.first = 0;
		atomic_store(&r.emitted, 0);
		ok(pool_run(none, 4, ctx, 0, 200, &win, 1 << 20, &ops, &r,
		    &r.cancel) == pool_result_ok && r.next == 200 &&
		    r.order_errors == 0, "a crew of no threads: the caller works "
		    "200 jobs (4 put aside once) and emits them in order");
	}
	crew_free(none);
}

int
main(void)
{
	struct run r;
	enum pool_result pr;
	long long bound;
	int w;

	if ((crew = crew_new(16, NULL)) == NULL) {
		ok(0, "a crew of 16 threads");
		return tap_done();
	}
	for (w = 1; w <= 16; w *= 4) {
		init(&r);
		pr = go(&r, w, 1, 2001, 2 * w);
		ok(pr == pool_result_ok && r.next == 2001 && r.order_errors == 0,
		    "%d workers: 2000 jobs emitted in order", w);
		ok(atomic_load(&r.max_ahead) < 2 * w,
		    "%d workers: never more than max_ahead jobs ahead (max %lld "
		    "< %d)", w, (long long)atomic_load(&r.max_ahead), 2 * w);
	}

	/* One slow page: with room in bytes the others go on meanwhile. */
	init(&r);
	r.slow_at = 5;
	r.slow_until = 200;
	pr = go_win(&r, 4, 0, 3000, 100000, (size_t)1 << 30);
	ok(pr == pool_result_ok && r.next == 3000 && r.order_errors == 0,
	    "a slow page, a window of 1 GiB: 3000 jobs emitted in order");
	ok(atomic_load(&r.max_ahead) > 64,
	    "... and the pages behind it were fetched meanwhile (%lld ahead "
	    "at most)", (long long)atomic_load(&r.max_ahead));

	/* The same with a window of 20 pages' bytes: held pages stay under
	 * it, give or take the W pages in flight when it filled. */
	init(&r);
	r.slow_at = 5;
	r.slow_ms = 300;
	pr = go_win(&r, 4, 0, 3000, 100000, 20 * 1024);
	bound = 20 + 4 + 1;
	ok(pr == pool_result_ok && r.next == 3000 && r.order_errors == 0,
	    "a slow page, a window of 20 KiB: 3000 jobs emitted in order");
	ok(atomic_load(&r.max_held) <= bound,
	    "... at most %lld finished pages waited for the emitter (%lld)",
	    bound, (long long)atomic_load(&r.max_held));
	ok(atomic_load(&r.max_ahead) <= bound + 4,
	    "... and no job ran further ahead than that (%lld)",
	    (long long)atomic_load(&r.max_ahead));

	/* A window smaller than one page: one page at a time still moves. */
	init(&r);
	pr = go_win(&r, 4, 0, 200, 100000, 1);
	ok(pr == pool_result_ok && r.next == 200 && r.order_errors == 0,
	    "a window smaller than a page: 200 jobs emitted in order");
	ok(atomic_load(&r.max_held) <= 1 + 4,
	    "... with at most 1 + W pages held (%lld)",
	    (long long)atomic_load(&r.max_held));

	/* Jobs put aside: run again once due, emitted in order, and the
	 * worker takes other jobs meanwhile (one worker too). */
	for (w = 1; w <= 8; w *= 8) {
		init(&r);
		r.later_every = 50;
		r.later_from = 3;
		r.later_times = 2;
		r.later_ms = 100;
		pr = go_win(&r, w, 0, 400, 100000, (size_t)1 << 30);
		ok(pr == pool_result_ok && r.next == 400 && r.order_errors == 0 &&
		    atomic_load(&r.laters) == 16,
		    "%d workers, 8 jobs put aside twice each: 400 jobs emitted in "
		    "order", w);
		ok(atomic_load(&r.later_early) == 0,
		    "... none run again before it was due");
		ok(atomic_load(&r.begun_aside) > 0,
		    "... the others went on meanwhile (%lld jobs begun while "
		    "job 3 was aside)", (long long)atomic_load(&r.begun_aside));
	}

	/* Put aside past an end found meanwhile: dropped, never run again. */
	init(&r);
	r.later_every = 1000;
	r.later_from = 12;
	r.later_times = 1000000;
	r.later_ms = 50;
	r.end_at = 10;
	pr = go_win(&r, 4, 0, POOL_NO_END, 100000, (size_t)1 << 30);
	ok(pr == pool_result_ok && r.next == 10 && r.order_errors == 0,
	    "a job put aside past the end: jobs 0..9 emitted, then the end "
	    "(got %lld)", r.next);

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
	r.end_at = 137;
	pr = go_win(&r, 8, 0, POOL_NO_END, 100000, (size_t)1 << 30);
	ok(pr == pool_result_ok && r.next == 137 && r.order_errors == 0,
	    "the same with a window of bytes only: jobs 0..136 (got %lld)",
	    r.next);

	init(&r);
	r.last_at = 99;
	pr = go_win(&r, 8, 0, 1000, 100000, (size_t)1 << 30);
	ok(pr == pool_result_ok && r.next == 100 && r.order_errors == 0,
	    "pool_work_last at job 99: jobs 0..99 emitted, none after (got "
	    "%lld)", r.next);

	init(&r);
	r.last_at = 99;
	r.slow_at = 99;
	r.slow_ms = 100;
	pr = go_win(&r, 8, 0, 1000, 100000, (size_t)1 << 30);
	ok(pr == pool_result_ok && r.next == 100 && r.order_errors == 0,
	    "... also when the pages after it finished first (got %lld)",
	    r.next);

	init(&r);
	r.fail_at = 300;
	pr = go(&r, 8, 0, 1000, 16);
	ok(pr == pool_result_failed && r.next <= 300 && r.order_errors == 0,
	    "a failing job stops the run before it is emitted (emitted %lld)",
	    r.next);

	init(&r);
	r.fail_at = 300;
	pr = go_win(&r, 8, 0, 1000, 100000, (size_t)1 << 30);
	ok(pr == pool_result_failed && r.next <= 300 && r.order_errors == 0,
	    "... with a window of bytes too (emitted %lld)", r.next);

	init(&r);
	r.cancel_at = 50;
	pr = go(&r, 8, 0, 100000, 16);
	ok(pr == pool_result_cancelled && r.next < 100, "cancel stops the run "
	    "promptly (emitted %lld)", r.next);

	init(&r);
	r.cancel_at = 50;
	pr = go_win(&r, 8, 0, 100000, 100000, (size_t)1 << 30);
	ok(pr == pool_result_cancelled && r.next < 100,
	    "... with a window of bytes too (emitted %lld)", r.next);

	/* started(): once per worker, in order, each after its worker is up
	 * and before the next one is made: a started(0) that waits for the
	 * first job keeps the other workers from starting meanwhile. */
	for (w = 1; w <= 16; w *= 4) {
		init(&r);
		r.hold_first = 1;
		pr = go(&r, w, 7, 500, 2 * w);
		ok(pr == pool_result_ok && r.next == 500 && r.order_errors == 0 &&
		    atomic_load(&r.nstarted) == w &&
		    atomic_load(&r.started_order_errors) == 0,
		    "%d workers: started() told of each, in order", w);
		ok(atomic_load(&r.begun_during) == 1,
		    "... and no other job began while started(0) held job 7 "
		    "alone (%d did)", atomic_load(&r.begun_during) - 1);
	}
	test_crew_fifo();
	test_crew_nested();
	crew_free(crew);
	return tap_done();
}
