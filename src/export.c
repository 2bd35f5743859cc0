/*
 * export.c - one export run (see export.h).
 *
 * The first page says how many items (or pages) there are and how many the
 * server really puts on a page (a server may clamp the limit we ask for;
 * the page size is taken from what it returned, never from what we asked).
 * In the planned and probing plans it is the pool's first job, and pages
 * 1..W-1 are asked at the same time when their offsets do not depend on
 * what it says (not under --rate or --no-total): the total costs no round
 * trip of its own.  With --shard, --resume, and for a target of a jobs run
 * (unless the run before found pages in it), page 0 is asked alone first
 * (export_offsets_from).  Then one of three plans:
 *
 *   planned  a total or a page count is known: every page is a job for the
 *            pool, fetched concurrently, written in order;
 *   probing  --no-total: the pool runs ahead of the last page known to be
 *            full, up to its window, and the first short or empty page is
 *            the end;
 *   cursor   each page names the next: one page after another, in constant
 *            memory, refusing a cursor that comes back (a loop).
 *
 * Nothing the server says is taken on trust.  Every page but the last must
 * be full and none may hold more than was asked for; a page that starts
 * with the first page's first item means the server ignores the paging
 * parameter; a first page whose next link pages with another parameter
 * means the profile is wrong; a next page on another origin gets no
 * request (credentials stay with their origin).  Those end the run with
 * exit_protocol.  A short or empty page before the planned end ends the
 * run there; an item repeated across a page boundary, a count that differs
 * from the total, a total that changed: exit_mismatch, and nothing is
 * published unless --keep-mismatch.
 *
 * The first permanent failure of any page stops every other page at once:
 * it stores STOP_FAILED in the run's stop flag, which every transfer, wait
 * and retry of this run watches.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "fail.h"
#include "log.h"
#include "manifest.h"
#include "origin.h"
#include "profile.h"
#include "run.h"
#include "state.h"
#include "thread.h"
#include "xalloc.h"

static void export_recheck(struct export *ex, struct fetcher *f,
    struct buf *scratch);
static enum pool_work export_first(struct worker_ctx *wc,
    struct pool_page *page);
static void export_totals(struct export *ex, struct fetcher *f);

/* Is a page of n items, job seq, the end of a planned or probed run? */
static enum pool_work
page_verdict(struct export *ex, long long seq, long long offset, long long n)
{
	long long min, max;

	if (ex->npages == POOL_NO_END) {
		/* Probing: the first page that is not full is the last. */
		if (n == 0)
			return pool_work_end;
		return n < ex->plan.page_size ? pool_work_last : pool_work_done;
	}
	plan_expect(&ex->plan, seq, &min, &max);
	if (n < min) {
		atomic_fetch_add(&ex->short_pages, 1);
		fail_warn(ex, "offset %lld: %lld items where %lld were due "
		    "(page %lld of %lld)%s", offset, n, min, seq + 1, ex->npages,
		    seq + 1 < ex->npages ? ": the run ends here (the total was "
		    "wrong, or items were deleted during the export)" : "");
		/* Nothing past a page that is not full can be trusted to
		 * follow on from it: no requests to a planned end that a
		 * bogus total put at 2^63. */
		if (seq + 1 < ex->npages)
			return n == 0 ? pool_work_end : pool_work_last;
	} else if (n > max) {
		atomic_fetch_add(&ex->long_pages, 1);
		fail_warn(ex, "offset %lld: %lld items where %lld were due (items were "
		    "added during the export?)", offset, n, max);
	}
	return pool_work_done;
}

/*
 * One try at a page for the pool: a page to wait for comes back with
 * page->later.wait_ms > 0 (the pool puts it aside, and this worker takes
 * other pages meanwhile), its tries so far kept in page->later.
 */
static enum exit_status
export_fetch(struct worker_ctx *wc, const struct fetch_req *req,
    struct fetch_info *info, struct pool_page *page, char *msg, size_t msgsz)
{
	return fetch_page_step(wc->f, req, info, &page->later, msg, msgsz);
}

/* Opens the gate: 1, page 0 made the plan; -1, it failed (said already). */
static void
gate_open(struct export *ex, int v)
{
	thread_lock(&ex->gate_lock);
	atomic_store(&ex->gate, v);
	thread_broadcast(&ex->gate_cond);
	thread_unlock(&ex->gate_lock);
}

/* Page 0's request is out (fetcher_on_sent). */
static void
page0_out(void *arg)
{
	struct export *ex = arg;

	thread_lock(&ex->gate_lock);
	ex->page0_out = 1;
	thread_broadcast(&ex->gate_cond);
	thread_unlock(&ex->gate_lock);
}

/*
 * The pool started worker i.  Page 0's answer makes the plan that every
 * page after the first round waits for, so its request goes first rather
 * than fighting the other workers' starts for two cores: they are started
 * once it is out, or after PAGE0_HEAD_MS at most (a slow connect, or
 * --no-hedge, which cannot tell).
 */
#define PAGE0_HEAD_MS   2

static void
export_started(void *ectx, int i)
{
	struct export *ex = ectx;
	int waited;

	if (i != 0 || !ex->first_in_pool || ex->spec == 0)
		return;
	thread_lock(&ex->gate_lock);
	for (waited = 0; waited < PAGE0_HEAD_MS && !ex->page0_out &&
	    atomic_load(&ex->gate) == 0 && !atomic_load(ex->stop); waited++)
		thread_wait_ms(&ex->gate_cond, &ex->gate_lock, 1);
	thread_unlock(&ex->gate_lock);
}

/* Waits for page 0's plan: 0, or -1 when page 0 failed or the run stops. */
static int
gate_wait(struct export *ex)
{
	int g;

	if (atomic_load(&ex->gate) == 1)
		return 0;
	thread_lock(&ex->gate_lock);
	while ((g = atomic_load(&ex->gate)) == 0 && !atomic_load(ex->stop))
		thread_wait_ms(&ex->gate_cond, &ex->gate_lock, 100);
	thread_unlock(&ex->gate_lock);
	return g == 1 ? 0 : -1;
}

/*
 * Every page that carries the total (or the page count) is compared with
 * page 0's: the latest that differs is said at the end.  This is the
 * re-read of the total, for free: the pages of the last round carry the
 * total as it was at the end of the export.
 */
static void
note_totals(struct export *ex, long long seq, const struct fetch_info *info)
{
	const struct plan *p = &ex->plan;
	int seen, differs;

	if (p->total >= 0) {
		seen = info->has_total;
		differs = seen && info->total != p->total;
	} else {
		seen = p->pages >= 0 && info->has_pages;
		differs = seen && info->pages != p->pages;
	}
	if (!seen)
		return;
	atomic_fetch_add(&ex->totals_seen, 1);
	thread_lock(&ex->fail_lock);
	if (info->has_total && seq > ex->seen_seq) {
		ex->seen_seq = seq;
		ex->seen_total = info->total;
	}
	if (differs && seq > ex->changed_seq) {
		ex->changed_seq = seq;
		ex->changed_total = info->has_total ? info->total : -1;
		ex->changed_pages = info->has_pages ? info->pages : -1;
	}
	thread_unlock(&ex->fail_lock);
}

/*
 * Page seq, early: asked with page 0, before its total is known (their
 * offsets do not depend on it), at the size the user asked for.  Only a
 * first try goes early: one that must be tried again waits for page 0
 * instead, so a server that refused the first round gets it once.
 * Returns 1 when it was asked (st and msg say how it went), 0 when not.
 */
static int
export_early(struct worker_ctx *wc, long long seq, struct fetch_req *req,
    struct fetch_info *info, struct pool_page *page, enum exit_status *st,
    char *msg, size_t msgsz)
{
	struct export *ex = wc->ex;

	if (seq > ex->spec || atomic_load(&ex->gate) != 0 ||
	    page->later.attempts != 0)
		return 0;
	req->offset = seq * ex->t->limit;  /* seq < 256: no overflow */
	req->limit = ex->t->limit;
	*st = export_fetch(wc, req, info, page, msg, msgsz);
	return 1;
}

/* Page seq by the plan page 0 made: exit_ok, or why not (in msg). */
static enum exit_status
export_planned(struct worker_ctx *wc, long long seq, struct fetch_req *req,
    struct fetch_info *info, struct pool_page *page, char *msg, size_t msgsz)
{
	struct export *ex = wc->ex;

	if (plan_offset(&ex->plan, seq, &req->offset) < 0) {
		snprintf(msg, msgsz, "page %lld: its offset would pass 2^63 - 1: "
		    "the server never sent an empty page", seq + 1);
		return exit_protocol;
	}
	req->limit = ex->plan.page_size;
	return export_fetch(wc, req, info, page, msg, msgsz);
}

/* A fetched page judged: its totals noted, its checks, where it ends. */
static enum pool_work
export_judge(struct export *ex, long long seq, long long offset,
    struct pool_page *page, struct fetch_info *info, enum exit_status st,
    char *msg, size_t msgsz)
{
	enum pool_work v;

	page->items = info->items;
	if (st == exit_ok)
		note_totals(ex, seq, info);
	fetch_info_clear(info);
	if (st == exit_ok && check_page(ex, seq, offset, page, msg, msgsz) < 0)
		st = exit_protocol;
	if (st != exit_ok) {
		fail_run(ex, st, msg);
		return pool_work_failed;
	}
	v = page_verdict(ex, seq, offset, page->items);
	if (v == pool_work_last || v == pool_work_end)
		atomic_store(&ex->ended, 1);
	return v;
}

/*
 * Page seq > 0.  Pages 1..ex->spec may be asked early (export_early).
 * Then every page waits for page 0's plan (the gate): an early page past
 * the end is dropped unseen (its failure too: some APIs answer 400 or 404
 * there); one asked with a size the server clamped is asked again with the
 * size page 0 got; the others pass the same checks as every page.
 */
static enum pool_work
export_work(void *arg, long long seq, struct pool_page *page)
{
	struct worker_ctx *wc = arg;
	struct export *ex = wc->ex;
	struct fetch_info info;
	struct fetch_req req;
	enum exit_status st = exit_ok;
	int early;
	char msg[1024];

	log_set_target(ex->t->name, &ex->first_error);
	/* The sharded or resumed plan: one job past the last page reads the
	 * total again, on a worker that would otherwise idle through the
	 * last round; it emits nothing. */
	if (ex->recheck && seq == ex->end_page) {
		export_recheck(ex, wc->f, &page->data);
		return pool_work_done;
	}
	if (seq == 0 && ex->first_in_pool)
		return export_first(wc, page);
	memset(&info, 0, sizeof info);
	memset(&req, 0, sizeof req);
	req.out = &page->data;
	req.keys = ex->t->key ? &page->keys : NULL;
	req.hashes = &page->hashes;
	early = export_early(wc, seq, &req, &info, page, &st, msg, sizeof msg);
	if (early && st == exit_ok && page->later.wait_ms > 0)
		return pool_work_later;
	if (ex->first_in_pool && gate_wait(ex) < 0) {
		fetch_info_clear(&info);
		fail_run(ex, exit_interrupted, "");
		return pool_work_failed;
	}
	if (ex->first_in_pool && seq >= ex->end_page) {
		if (early)
			atomic_fetch_add(&ex->spec_past_end, 1);
		fetch_info_clear(&info);
		return pool_work_end;
	}
	if (early && ex->plan.page_size != ex->t->limit) {
		/* Asked with the size page 0 asked for, not the one the
		 * server gave it: these items are not page seq's. */
		atomic_fetch_add(&ex->spec_resized, 1);
		fetch_info_clear(&info);
		memset(&page->later, 0, sizeof page->later);
		early = 0;
	}
	if (!early) {
		st = export_planned(wc, seq, &req, &info, page, msg, sizeof msg);
		if (st == exit_ok && page->later.wait_ms > 0)
			return pool_work_later;
	}
	return export_judge(ex, seq, req.offset, page, &info, st, msg,
	    sizeof msg);
}

static const struct pool_ops export_ops = {
	export_work, emit_page, export_started
};

/* How a missing total is explained: each likely cause with its fix. */
static void
no_total_error(const struct export *ex)
{
	const struct profile *pr = &ex->t->profile;
	char *shown = log_redact_url(ex->t->url);

	log_error("%s: no total item count in the first response (%s%s%s%s%s%s). "
	    "If the API sends one, name it with --total-header or --total-path; "
	    "if it pages with other parameters, name them (json-server: "
	    "--offset-param _start --limit-param _limit, which also makes it "
	    "send X-Total-Count); if each page names the next, use -p cursor; "
	    "only if it gives no total at all, --no-total",
	    shown, pr->total_header ? "no header " : "",
	    pr->total_header ? pr->total_header : "",
	    pr->total_header && pr->total_path ? ", " : "",
	    pr->total_path ? "no body field " : "",
	    pr->total_path ? pr->total_path : "",
	    !pr->total_header && !pr->total_path ? "the profile names none" : "");
	free(shown);
}

/* Reads the total again at the end of the export and compares; the page
 * itself lands in scratch and is not written. */
static void
export_recheck(struct export *ex, struct fetcher *f, struct buf *scratch)
{
	struct fetch_info info;
	struct fetch_req req;
	enum exit_status st;
	char msg[1024];

	memset(&req, 0, sizeof req);
	/* The page profile counts pages: ask for pages of the same size. */
	req.limit = ex->t->profile.style == profile_style_page ?
	    ex->plan.page_size : 1;
	req.out = scratch;
	memset(&info, 0, sizeof info);
	if ((st = fetch_page(f, &req, &info, msg, sizeof msg)) != exit_ok) {
		if (st != exit_interrupted)
			log_warn("could not read the total again at the end: %s",
			    msg);
	}
	else if ((ex->total_end = info.has_total ? info.total : -1) >= 0 &&
	    ex->plan.total >= 0 && info.total != ex->plan.total) {
		log_error("the total changed during the export: %lld items at "
		    "the start, %lld at the end (ask the API for a stable order: "
		    "see --sort-param and --key)", ex->plan.total, info.total);
		ex->mismatch = 1;
	} else if (ex->plan.total < 0 && ex->plan.pages >= 0 &&
	    info.has_pages && info.pages != ex->plan.pages) {
		log_error("the page count changed during the export: %lld at the "
		    "start, %lld at the end", ex->plan.pages, info.pages);
		ex->mismatch = 1;
	}
	fetch_info_clear(&info);
}

/*
 * The pages this run exports: all of them, or with --shard I/N the I-th of
 * N contiguous ranges, and how many items they must hold.
 */
static enum exit_status
plan_shard(struct export *ex)
{
	const struct target *t = ex->t;
	long long np = ex->npages, n = t->shard_count, i = t->shard_index;
	long long ps = ex->plan.page_size;

	ex->first_page = 0;
	ex->end_page = np;
	if (n > 0) {
		/* i * np / n without the product overflowing */
		ex->first_page = np / n * i + np % n * i / n;
		ex->end_page = np / n * (i + 1) + np % n * (i + 1) / n;
		log_info("shard %lld of %lld: pages %lld to %lld", i, n,
		    ex->first_page, ex->end_page - 1);
	}
	ex->expect_items = -1;
	if (ex->plan.total >= 0)
		ex->expect_items = ex->end_page >= np ?
		    ex->plan.total - ex->first_page * ps :
		    (ex->end_page - ex->first_page) * ps;
	return exit_ok;
}

/* The first page's counts turned into a plan; exit_ok or why not. */
static enum exit_status
plan_first(struct export *ex, const struct fetch_info *info, long long n0,
    int nworkers)
{
	const struct target *t = ex->t;
	long page_size = t->limit;

	if (t->no_total && t->shard_count > 0) {
		log_error("--shard needs the page count up front: it cannot be "
		    "used with --no-total");
		return exit_usage;
	}
	if (t->no_total) {
		ex->first_page = 0;
		ex->expect_items = -1;
		if (n0 > 0 && n0 < t->limit) {
			/* A clamp or the end: both are safe with this size. */
			log_info("offset 0: %lld items where %ld were asked for: "
			    "probing with pages of %lld", n0, t->limit, n0);
			page_size = (long)n0;
		}
		(void)plan_make(&ex->plan, -1, -1, page_size);
		ex->npages = ex->end_page = n0 == 0 ? 1 : POOL_NO_END;
		log_info("no total: fetching up to %d pages ahead until a page "
		    "that is not full", 2 * nworkers);
		return exit_ok;
	}
	if (info->has_total) {
		progress_total(&ex->progress, info->total);
		log_info("total: %lld items (%s)", info->total,
		    info->total_source);
		if (n0 < info->total && n0 != t->limit) {
			if (n0 == 0) {
				log_error("offset 0: the first page is empty but "
				    "the total is %lld", info->total);
				return exit_protocol;
			}
			log_warn("asked for %ld items per page, the server sent "
			    "%lld: using %lld", t->limit, n0, n0);
			page_size = (long)n0;
		}
		if (plan_make(&ex->plan, info->total, -1, page_size) < 0) {
			log_error("the total of %lld items (%s) cannot be paged "
			    "in pages of %ld: an offset would pass 2^63 - 1",
			    info->total, info->total_source, page_size);
			return exit_protocol;
		}
	} else if (info->has_pages) {
		log_info("total: %lld pages", info->pages);
		if (info->pages > 1 && n0 != t->limit) {
			log_warn("asked for %ld items per page, the server sent "
			    "%lld: using %lld", t->limit, n0, n0);
			page_size = n0 > 0 ? (long)n0 : t->limit;
		}
		if (plan_make(&ex->plan, -1, info->pages, page_size) < 0) {
			log_error("a page count of %lld cannot be paged in pages "
			    "of %ld: an offset would pass 2^63 - 1",
			    info->pages, page_size);
			return exit_protocol;
		}
	} else {
		no_total_error(ex);
		return exit_protocol;
	}
	ex->npages = ex->plan.npages;
	log_info("%lld pages of %ld items, %d workers", ex->npages,
	    ex->plan.page_size, nworkers);
	return plan_shard(ex);
}

/*
 * How far the pool may run ahead of the page being written.  Planned: as far
 * as --window-bytes of finished pages allow, so that a page that waits (a
 * Retry-After, a stall, a retry) does not stop the pages behind it.
 * Probing: 2W pages, since every page past the end is a wasted request;
 * one target of many: one page ahead, so at most one request past its end.
 */
static void
export_window(const struct export *ex, int nworkers, struct pool_window *win)
{
	win->max_bytes = (size_t)ex->o->window_bytes;
	win->max_ahead = !ex->t->no_total ? (long long)1 << 30 :
	    ex->fleet ? 1 : 2LL * nworkers;
}

/*
 * Page 0 into page, and what it says: the checks every first page must
 * pass, its hash, the plan (for nworkers workers), where it ends.  Its
 * failures are said here.
 */
static enum exit_status
export_page0(struct export *ex, struct fetcher *f, struct pool_page *page,
    int nworkers)
{
	const struct target *t = ex->t;
	struct fetch_info info;
	struct fetch_req req;
	enum exit_status st;
	char msg[1024];

	memset(&info, 0, sizeof info);
	memset(&req, 0, sizeof req);
	req.limit = t->limit;
	req.out = &page->data;
	req.keys = t->key ? &page->keys : NULL;
	req.hashes = &page->hashes;
	/* Not put aside between tries: the other workers wait for it. */
	st = fetch_page(f, &req, &info, msg, sizeof msg);
	if (st != exit_ok) {
		if (st != exit_interrupted)
			log_error("%s", msg);
		goto out;
	}
	if (info.conflict[0] != '\0') {
		log_error("the first response's totals disagree: %s",
		    info.conflict);
		ex->mismatch = 1;
	}
	page->items = info.items;
	(void)plan_make(&ex->plan, -1, -1, t->limit);
	if (check_page(ex, 0, 0, page, msg, sizeof msg) < 0) {
		log_error("%s", msg);
		st = exit_protocol;
		goto out;
	}
	if (check_next_link(ex, &info) < 0) {
		st = exit_protocol;
		goto out;
	}
	if (page->hashes.len >= sizeof ex->first_hash) {
		memcpy(&ex->first_hash, page->hashes.data, sizeof ex->first_hash);
		ex->has_first = 1;
	}
	if ((st = plan_first(ex, &info, page->items, nworkers)) != exit_ok)
		goto out;
	if (page_verdict(ex, 0, 0, page->items) != pool_work_done)
		ex->npages = ex->end_page = 1;
out:
	fetch_info_clear(&info);
	return st;
}

/*
 * One target of many: worker threads for the pages [start, end_page),
 * lent by the run (at most one per page; two when probing, which runs one
 * page ahead), each with its fetcher, made now (wc[0]'s fetched page 0).
 * Returns how many, or 0 when the run stops while it waits for one.
 */
static int
export_lend(struct export *ex, struct worker_ctx *wc, int nworkers,
    long long start, long long end)
{
	int n = nworkers, i;

	if (ex->end_page == POOL_NO_END && n > 2)
		n = 2;
	if (end - start < n)
		n = (int)(end - start);
	n = hosts_threads_take(ex->run.hosts, n, ex->stop);
	for (i = 1; i < n; i++)
		if (wc[i].f == NULL && (wc[i].f = fetcher_new(&ex->run)) ==
		    NULL) {
			hosts_threads_give(ex->run.hosts, n - i);
			return i;
		}
	return n;
}

/* Runs the pool over [start, end) on n workers; exit_ok or why not. */
static enum exit_status
export_pool(struct export *ex, void **wctx, int n, long long start,
    long long end)
{
	struct pool_window win;
	enum pool_result pr;
	int terr = 0;

	export_window(ex, n, &win);
	pr = pool_run(n, wctx, start, end, &win, MAX_PAGE_BYTES, &export_ops,
	    ex, ex->stop, &terr);
	if (pr == pool_result_thread) {
		log_error("cannot start %d worker threads: %s (lower --workers, "
		    "or raise the limit on processes)", n, strerror(terr));
		return exit_failure;
	}
	if (pr == pool_result_cancelled && ex->fail_status == exit_ok)
		return exit_interrupted;
	return exit_ok;         /* a page's failure is in ex->fail_status */
}

/*
 * One target of many: the pages [start, end) in rounds of LEND_PAGES pages
 * a thread, each round on the threads the run lends it then: its share,
 * which grows as the other targets end.  A page that ended the run (short,
 * or empty) ends the rounds.
 */
#define LEND_PAGES 8

static enum exit_status
export_lent(struct export *ex, struct worker_ctx *wc, void **wctx,
    int nworkers, long long start, long long end)
{
	enum exit_status st = exit_ok;
	long long upto;
	int n;

	while (start < end) {
		if ((n = export_lend(ex, wc, nworkers, start, end)) == 0)
			return exit_interrupted;
		upto = end - start > (long long)LEND_PAGES * n ?
		    start + (long long)LEND_PAGES * n : end;
		st = export_pool(ex, wctx, n, start, upto);
		hosts_threads_give(ex->run.hosts, n);
		if (st != exit_ok || atomic_load(ex->stop) != 0 || ex->closed ||
		    atomic_load(&ex->ended))
			break;
		start = upto;
	}
	return st;
}

/*
 * With --shard or --resume, and for one target of many: the first page on
 * this thread alone, then the pool from the first page this run writes
 * (nothing asked early).  A target of many borrows its workers from the
 * run only for the pages left, and reads the total again only when no
 * page after the first carried it (export_totals).
 */
static enum exit_status
export_offsets_from(struct export *ex, struct worker_ctx *wc, void **wctx,
    int nworkers)
{
	struct pool_page first;
	enum exit_status st;
	long long start, end;
	int own_recheck = ex->t->resume || ex->t->shard_count > 0;

	memset(&first, 0, sizeof first);
	buf_init(&first.data, MAX_PAGE_BYTES);
	buf_init(&first.keys, MAX_PAGE_BYTES);
	buf_init(&first.hashes, MAX_PAGE_BYTES);
	if (!own_recheck)       /* export_totals reads them */
		ex->changed_seq = ex->seen_seq = -1;
	if ((st = export_page0(ex, wc[0].f, &first, nworkers)) != exit_ok)
		goto out;
	if ((st = resume_start(ex, ex->plan.total, ex->plan.page_size)) !=
	    exit_ok)
		goto out;
	if ((start = resume_next_page(ex)) < ex->first_page)
		start = ex->first_page;
	if (start == 0 && ex->end_page > 0 && emit_page(ex, 0, &first) != 0)
		goto out;
	if (start > ex->end_page)
		start = ex->end_page;
	if (start < 1)
		start = 1;
	ex->recheck = own_recheck && (ex->plan.total >= 0 ||
	    ex->plan.pages >= 0);
	if (ex->npages == 1 && ex->plan.npages != 1)
		ex->recheck = 0;        /* ended at once: nothing to re-read */
	end = ex->end_page + ex->recheck;
	st = ex->fleet ? export_lent(ex, wc, wctx, nworkers, start, end) :
	    export_pool(ex, wctx, nworkers, start, end);
	if (st == exit_ok && !own_recheck && ex->fail_status == exit_ok &&
	    !ex->closed)
		export_totals(ex, wc[0].f);
out:
	buf_free(&first.data);
	buf_free(&first.keys);
	buf_free(&first.hashes);
	return st;
}

/*
 * Page 0, the pool's first job: what it says makes the plan, which opens
 * the gate for the pages waiting for it.  Its failures are said here, as
 * the run's own (not a page's among others).
 */
static enum pool_work
export_first(struct worker_ctx *wc, struct pool_page *page)
{
	struct export *ex = wc->ex;
	enum exit_status st;

	if (ex->spec > 0)
		fetcher_on_sent(wc->f, page0_out, ex);
	st = export_page0(ex, wc->f, page, ex->o->workers);
	fetcher_on_sent(wc->f, NULL, NULL);
	if (st != exit_ok) {
		ex->first_status = st;
		fail_run(ex, st, "");        /* said above */
		gate_open(ex, -1);
		return pool_work_failed;
	}
	gate_open(ex, 1);
	return ex->end_page == 1 ? pool_work_last : pool_work_done;
}

/* What the totals of the pages after page 0 said; without any, the total
 * is read again now (f: a fetcher no worker uses any more). */
static void
export_totals(struct export *ex, struct fetcher *f)
{
	struct buf scratch;

	/* For the manifest: the last total a page carried (one page: its). */
	if (ex->seen_seq >= 0)
		ex->total_end = ex->seen_total;
	else if (ex->end_page <= 1)
		ex->total_end = ex->plan.total;
	if (ex->changed_seq >= 0) {
		if (ex->plan.total >= 0)
			log_error("the total changed during the export: %lld "
			    "items at the start, %lld at the end (ask the API "
			    "for a stable order: see --sort-param and --key)",
			    ex->plan.total, ex->changed_total);
		else
			log_error("the page count changed during the export: "
			    "%lld at the start, %lld at the end",
			    ex->plan.pages, ex->changed_pages);
		ex->mismatch = 1;
		return;
	}
	if (atomic_load(&ex->totals_seen) > 0 || ex->end_page <= 1 ||
	    ex->end_page == POOL_NO_END ||
	    (ex->plan.total < 0 && ex->plan.pages < 0))
		return;
	buf_init(&scratch, MAX_PAGE_BYTES);
	export_recheck(ex, f, &scratch);
	buf_free(&scratch);
}

/*
 * Is the host close to the end of a request budget it announced (fewer
 * left than twice the pages this target may ask early)?  Then nothing is
 * asked before page 0 says what there is: a request past the end would
 * be one of the few left.
 */
static int
export_quota_low(struct export *ex)
{
	long long left = limiter_quota_left(&ex->run.home->limiter);

	return left >= 0 && left < 2LL * ex->o->workers;
}

/*
 * The planned and probing plans: one pool from page 0 on.  Unless --rate
 * or --no-total, pages 1..W-1 are asked together with page 0 (the first
 * round trip is the total's and theirs at once); the rest wait for page
 * 0's plan.
 */
static enum exit_status
export_offsets(struct export *ex, struct worker_ctx *wc, void **wctx,
    int nworkers)
{
	const struct target *t = ex->t;
	enum exit_status st;
	long n;

	if (t->resume || t->shard_count > 0 || (ex->fleet &&
	    (ex->known_pages < 2 || t->no_total || export_quota_low(ex))))
		return export_offsets_from(ex, wc, wctx, nworkers);
	/* One target of many that an earlier run found pages in: a first
	 * round as a lone export's, on the threads the run lends it. */
	if (ex->fleet && (nworkers = export_lend(ex, wc, nworkers, 0,
	    ex->known_pages)) == 0)
		return exit_interrupted;
	ex->first_in_pool = 1;
	thread_mutex_init(&ex->gate_lock);
	thread_cond_init(&ex->gate_cond);
	ex->changed_seq = ex->seen_seq = -1;
	ex->npages = ex->end_page = POOL_NO_END;
	/* An incremental run's list is mostly one page: none asked early. */
	ex->spec = t->no_total || ex->o->rate > 0 || ex->state->incremental ?
	    0 : nworkers - 1;
	st = export_pool(ex, wctx, nworkers, 0, POOL_NO_END);
	if (st != exit_failure && ex->first_status != exit_ok)
		st = ex->first_status;
	if ((n = atomic_load(&ex->spec_past_end)) > 0)
		log_info("%ld speculative requests past the end", n);
	if ((n = atomic_load(&ex->spec_resized)) > 0)
		log_info("%ld speculative requests asked for %ld items where the "
		    "server pages by %ld: asked again", n, t->limit,
		    ex->plan.page_size);
	if ((n = atomic_load(&ex->run.hedge.sent)) > 0)
		log_info("%ld hedged requests (a second request for a response "
		    "that stalled; %ld answered first)", n,
		    atomic_load(&ex->run.hedge.won));
	if (ex->fleet)
		hosts_threads_give(ex->run.hosts, nworkers);
	if (st == exit_ok && ex->fail_status == exit_ok && !ex->closed)
		export_totals(ex, wc[0].f);
	thread_cond_destroy(&ex->gate_cond);
	thread_mutex_destroy(&ex->gate_lock);
	return st;
}

/* Does what was written add up?  Sets ex->mismatch after saying why not. */
static void
export_verify(struct export *ex)
{
	const char *key = ex->t->key;

	if (ex->duplicates > 0) {
		log_error("%lld duplicate items (same --key %s) dropped: the data "
		    "shifted during the export", ex->duplicates, key);
		ex->mismatch = 1;
	}
	if (ex->repeats > 0) {
		log_error("%lld pages began with an item already written: items "
		    "were added during the export, so some are in the output "
		    "twice (ask the API for a stable order: see --sort-param, "
		    "or drop repeats with --key)", ex->repeats);
		ex->mismatch = 1;
	}
	if (ex->expect_items >= 0 &&
	    ex->items + ex->duplicates != ex->expect_items) {
		log_error("verification failed: wrote %lld items, %lld were due "
		    "(the total was %lld)", ex->items, ex->expect_items,
		    ex->plan.total);
		ex->mismatch = 1;
	} else if ((atomic_load(&ex->short_pages) > 0 ||
	    atomic_load(&ex->long_pages) > 0) && ex->duplicates == 0) {
		log_error("verification failed: %lld pages held fewer items "
		    "than due and %lld more", (long long)atomic_load(
		    &ex->short_pages), (long long)atomic_load(&ex->long_pages));
		ex->mismatch = 1;
	}
}

/* The settings every request of the run shares. */
static void
export_http_conf(struct export *ex, const struct options *o,
    const struct target *t)
{
	struct http_conf *h = &ex->run.http;

	h->userpwd = t->userpwd;
	h->headers = t->headers;
	h->connect_timeout = o->connect_timeout;
	h->speed_limit = o->speed_limit;
	h->speed_time = o->speed_time;
	h->max_body = o->max_body;
	h->max_redirs = o->max_redirs;
	h->cacert = t->cacert;
	h->capath = t->capath;
	h->insecure = o->insecure;
	h->netrc = t->netrc;
	h->netrc_file = t->netrc_file;
	h->cancel = ex->stop;
	h->origin = ex->origin;
	h->allow_origins = t->allow_origins;
}

/* What the manifest says of this run ended with st; files only when
 * published. */
static void
export_manifest_info(struct export *ex, enum exit_status st, int published,
    struct manifest_info *mi, struct manifest_shard *shard,
    struct manifest_details *details)
{
	struct expand_counts xc;
	const struct target *t = ex->t;
	size_t n = 0;

	memset(mi, 0, sizeof *mi);
	mi->source_url = t->url;
	mi->profile = t->profile.name;
	mi->started = ex->started;
	mi->ended = time(NULL);
	mi->total_start = ex->plan.total;
	mi->total_end = ex->total_end;
	mi->items = ex->items;
	mi->pages = ex->pages_written;
	mi->requests = atomic_load(&ex->run.requests);
	mi->retries = atomic_load(&ex->run.retried);
	mi->throttles = atomic_load(&ex->run.throttled);
	if (published && ex->w != NULL) {
		mi->files = writer_parts(ex->w, &n);
		mi->nfiles = n;
	}
	mi->verified = st == exit_ok && !ex->mismatch && ex->expect_items >= 0;
	mi->warnings = (const char *const *)ex->warnings;
	mi->nwarnings = (size_t)ex->nwarnings;
	mi->exit_status = (int)st;
	mi->bookmark = state_manifest(ex->state);
	if (st != exit_ok)
		mi->error = ex->fail_msg[0] != '\0' ? ex->fail_msg :
		    atomic_load(&ex->first_error.taken) ?
		    ex->first_error.text : status_text(st);
	if (t->shard_count > 0) {
		shard->index = t->shard_index;
		shard->count = t->shard_count;
		shard->first_page = ex->first_page;
		shard->last_page = ex->end_page - 1;
		mi->shard = shard;
	}
	if (ex->xp != NULL) {
		expand_counts(ex->xp, &xc);
		details->listed = ex->items;
		details->fetched = xc.fetched;
		details->failed = xc.failed;
		details->items_failed = xc.items_failed;
		mi->details = details;
		mi->items = xc.lines;
		mi->requests += xc.requests;
		mi->retries += xc.retried;
		mi->throttles += xc.throttled;
	}
}

/* The manifest, once the files are in place. */
static int
export_manifest(struct export *ex, enum exit_status st)
{
	struct manifest_info mi;
	struct manifest_shard shard;
	struct manifest_details details;
	char err[512];

	if (ex->t->manifest == NULL)
		return 0;
	export_manifest_info(ex, st, 1, &mi, &shard, &details);
	if (manifest_write(ex->t->manifest, &mi, ex->t->mode, err,
	    sizeof err) < 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Publishes, or not: what the run's findings allow. */
static enum exit_status
export_finish(struct export *ex, enum exit_status st)
{
	const struct target *t = ex->t;

	if (ex->w != NULL)
		ex->bytes = writer_bytes(ex->w);
	if (st != exit_ok)
		return st;
	if (ex->fail_status != exit_ok) {
		if (ex->fail_msg[0] != '\0' && ex->fail_status != exit_interrupted)
			log_error("%s", ex->fail_msg);
		return ex->fail_status;
	}
	if (ex->closed) {
		/* Our reader stopped reading (| head): not an error. */
		log_info("standard output closed after %lld items", ex->items);
		return exit_ok;
	}
	export_verify(ex);
	if (ex->xp != NULL)
		expand_verify(ex->xp);
	if (ex->mismatch && !t->keep_mismatch && strcmp(t->output, "-") != 0) {
		log_error("nothing was published to %s: the export does not add "
		    "up (--keep-mismatch publishes it all the same)", t->output);
		return exit_mismatch;
	}
	st = ex->mismatch ? exit_mismatch : exit_ok;
	if (ex->items == 0)
		fail_warn(ex, "0 items%s", ex->state->incremental ? ": nothing "
		    "changed since the bookmark" : ": the API listed none (a "
		    "token without the scope, a filter it does not know, or "
		    "an empty source?)");
	if (!ex->mismatch && (st = state_judge(ex->state, ex->items)) !=
	    exit_ok)
		return st;
	if (writer_publish(ex->w) != writer_ok)
		return exit_output;
	ex->published = 1;
	if (export_manifest(ex, st) < 0 ||
	    (st == exit_ok && state_commit(ex->state, ex->items) < 0))
		return exit_output;
	if (atomic_load(&ex->run.retried) > 0)
		log_warn("%ld requests were retried (%ld throttled by the "
		    "server); every page arrived whole",
		    atomic_load(&ex->run.retried), atomic_load(&ex->run.throttled));
	if (ex->xp != NULL) {
		struct expand_counts xc;

		expand_counts(ex->xp, &xc);
		log_info("wrote %lld items (of %lld listed) to %s", xc.lines,
		    ex->items, t->output);
	} else
		log_info("wrote %lld items to %s", ex->items, t->output);
	return st;
}


/* The one line at the end of every run (not with -q). */
static void
export_summary(struct export *ex, enum exit_status st)
{
	char size[32], verdict[128], details[128] = "";
	struct expand_counts xc;

	if (ex->closed)
		return;
	progress_human(size, sizeof size, ex->bytes);
	if (st == exit_ok && ex->plan.total >= 0)
		snprintf(verdict, sizeof verdict, "verified against the total "
		    "of %lld", ex->plan.total);
	else if (st == exit_ok)
		snprintf(verdict, sizeof verdict, "complete (the API gives no "
		    "total to check against)");
	else if (st == exit_mismatch && ex->state->limited)
		snprintf(verdict, sizeof verdict, "failed --%s (nothing "
		    "published)", ex->state->limited);
	else if (st == exit_mismatch)
		snprintf(verdict, sizeof verdict, "did NOT add up (%s)",
		    ex->t->keep_mismatch ? "published all the same" :
		    "nothing published");
	else
		snprintf(verdict, sizeof verdict, "failed (exit status %d): "
		    "nothing published", (int)st);
	expand_counts(ex->xp, &xc);
	if (ex->xp != NULL)
		snprintf(details, sizeof details, " (%lld listed; %lld details "
		    "fetched, %lld failed)", ex->items, xc.fetched, xc.failed);
	/* A target of many is named by log.c (log_set_target). */
	log_note("%lld items%s, %lld pages, %s, %.2f s; requests in all: %ld, "
	    "%ld retried, %ld throttled: %s%s",
	    ex->xp != NULL ? xc.lines : ex->items, details, ex->pages_written,
	    size, progress_elapsed(&ex->progress),
	    atomic_load(&ex->run.requests) + (long)xc.requests,
	    atomic_load(&ex->run.retried) + (long)xc.retried,
	    atomic_load(&ex->run.throttled) + (long)xc.throttled, verdict,
	    ex->items == 0 ? " (warning: 0 items)" : "");
}

/* The output: what the target's flags allow, the journal, the writer. */
static enum exit_status
export_output(struct export *ex)
{
	const struct target *t = ex->t;
	struct writer_opts wopts;
	enum exit_status st;

	if (t->shard_count > 0 && profile_sequential(&t->profile)) {
		log_error("--shard: the %s profile follows one page after another; "
		    "its pages cannot be split among shards", t->profile.name);
		return exit_usage;
	}
	if ((t->split_items || t->split_bytes) && strcmp(t->output, "-") == 0) {
		log_error("--split-items and --split-bytes need -o FILE: parts "
		    "are files named after it");
		return exit_usage;
	}
	memset(&wopts, 0, sizeof wopts);
	if ((st = resume_open(ex, &wopts)) != exit_ok)
		return st;
	wopts.mode = t->mode;
	wopts.split_items = (unsigned long long)t->split_items;
	wopts.split_bytes = (unsigned long long)t->split_bytes;
	if ((ex->w = writer_open_opts(t->output, &wopts)) == NULL)
		return exit_output;
	return exit_ok;
}

/* Frees what the run's state holds (not the writer: see export_run). */
static void
export_free(struct export *ex)
{
	int i;

	gzmember_free(ex->gz);
	buf_free(&ex->filtered);
	buf_free(&ex->packed);
	buf_free(&ex->prev_hashes);
	for (i = 0; i < ex->nwarnings; i++)
		free(ex->warnings[i]);
	hashset_free(&ex->prev);
	hashset_free(&ex->cur);
	free(ex->origin);
	thread_mutex_destroy(&ex->fail_lock);
}

/* The listing's workers, for expand_run's listing thread. */
struct listing_args {
	struct worker_ctx *wc;
	void **wctx;
	int nworkers;
};

/* The listing: the cursor walk, or the offset plans. */
static enum exit_status
export_listing(struct export *ex, void *arg)
{
	struct listing_args *la = arg;

	if (profile_sequential(&ex->t->profile))
		return cursor_run(ex, la->wc[0].f);
	return export_offsets(ex, la->wc, la->wctx, la->nworkers);
}

/* The export's state before anything is asked (export_run's first part). */
static void
export_init(struct export *ex, const struct options *o,
    const struct target *t, atomic_int *stop, const struct export_hint *hint)
{
	memset(ex, 0, sizeof *ex);
	thread_mutex_init(&ex->fail_lock);
	ex->known_pages = hint != NULL ? hint->pages : 0;
	buf_init(&ex->filtered, MAX_PAGE_BYTES);
	buf_init(&ex->packed, MAX_PAGE_BYTES);
	buf_init(&ex->prev_hashes, MAX_PAGE_BYTES);
	ex->o = o;
	ex->t = t;
	ex->stop = stop;
	ex->started = time(NULL);
	ex->expect_items = ex->total_end = ex->last_seq = -1;
	ex->plan.total = ex->plan.pages = ex->plan.npages = -1;
	log_set_target(t->name, &ex->first_error);
	progress_init(&ex->progress, o->progress > 0 ?
	    (enum progress_mode)o->progress : progress_off);
}

/*
 * The target's URL, its host, the run's settings for its requests, and
 * the export joined to the run's hosts (*joined set); exit_ok or why not
 * (said).  *base receives the parsed URL, or NULL.
 */
static enum exit_status
export_setup(struct export *ex, struct hosts *hosts, CURLU **base,
    int *joined)
{
	const struct target *t = ex->t;
	char err[256], *shown;

	if ((*base = profile_base_url(&t->profile, t->url, err, sizeof err)) ==
	    NULL || (ex->origin = origin_of(t->url)) == NULL ||
	    (ex->run.home = hosts_get(hosts, t->url)) == NULL) {
		shown = log_redact_url(t->url);
		log_error("%s: %s", shown, *base == NULL ? err :
		    "not an http or https URL");
		free(shown);
		return exit_usage;
	}
	if (profile_own_params(&t->profile, t->url, err, sizeof err) > 0)
		log_warn("the URL's own %s is replaced: invdump asks for every "
		    "page itself, from the first (remove it from the URL)", err);
	ex->run.o = ex->o;
	ex->run.t = t;
	ex->run.base = *base;
	ex->run.max_page = MAX_PAGE_BYTES;
	/* --key and --expand: the listing's pages stay NDJSON (the emitter,
	 * or the details' emitter, compresses what it writes). */
	ex->run.defer_gzip = t->key != NULL || t->nexpand > 0;
	ex->run.hosts = hosts;
	ex->run.hedge.first_free = !ex->fleet;
	ex->run.member = &ex->member;
	hosts_join(hosts, &ex->member);
	*joined = 1;
	ex->run.cancel = ex->stop;
	export_http_conf(ex, ex->o, t);
	if (t->key != NULL && t->gzip && t->nexpand == 0)
		ex->gz = gzmember_new(ex->o->level);
	if (t->nexpand > 0 && (ex->xp = expand_new(ex)) == NULL)
		return exit_usage;
	return export_output(ex);
}

/*
 * The workers' contexts, la->nworkers of them: a cursor walks one page at
 * a time, one worker is all it uses.  One target of many makes its
 * workers' fetchers once page 0 says how many of the run's threads it may
 * use (export_lend); others make them all now.  exit_ok or exit_failure.
 */
static enum exit_status
export_workers(struct export *ex, struct listing_args *la)
{
	const struct options *o = ex->o;
	struct hosts *hs = ex->run.hosts;
	int i, n;

	n = profile_sequential(&ex->t->profile) ? 1 : ex->xp != NULL ?
	    expand_listing_workers(o) : ex->fleet && hs->thread_cap > 0 ?
	    hs->thread_cap : o->workers;
	la->nworkers = n;
	la->wc = xcalloc(n, sizeof *la->wc);
	la->wctx = xcalloc(n, sizeof *la->wctx);
	for (i = 0; i < n; i++) {
		la->wc[i].ex = ex;
		la->wctx[i] = &la->wc[i];
		if ((i == 0 || !ex->fleet) &&
		    (la->wc[i].f = fetcher_new(&ex->run)) == NULL)
			return exit_failure;
	}
	return exit_ok;
}

/* What became of the export, for the caller (a fleet's manifest). */
static void
export_outcome(struct export *ex, enum exit_status st,
    struct export_outcome *out)
{
	struct manifest_info mi;
	struct manifest_shard shard;
	struct manifest_details details;
	char err[256];

	export_manifest_info(ex, st, ex->published, &mi, &shard, &details);
	out->manifest = manifest_json(&mi, err, sizeof err);
}

enum exit_status
export_run(const struct options *o, const struct target *t,
    struct hosts *hosts, const struct export_hint *hint, atomic_int *stop,
    struct export_outcome *out)
{
	struct listing_args la = { NULL, NULL, 0 };
	struct state_run sr;
	struct target tc;
	struct export ex;
	struct hosts own;
	enum exit_status st;
	CURLU *base = NULL;
	int i, joined = 0;

	export_init(&ex, o, t, stop, hint);
	ex.fleet = hosts != NULL;
	if (hosts == NULL) {
		/* One member, whose share is --workers: what keeps
		 * --expand's two pools within it. */
		hosts_init(&own, o->per_host, o->rate, o->workers);
		hosts = &own;
	}
	if (out != NULL)
		memset(out, 0, sizeof *out);
	/* The state's lock and the bookmark's URL, before any request. */
	st = state_begin(&sr, ex.fleet ? o->manifest : t->manifest, ex.fleet, t,
	    &tc);
	ex.t = &tc;
	ex.state = &sr;
	ex.run.mark = sr.marking ? &sr.mark : NULL;
	/* The pages a full run found say nothing of what changed since. */
	if (sr.incremental)
		ex.known_pages = 0;
	if (st != exit_ok ||
	    (st = export_setup(&ex, hosts, &base, &joined)) != exit_ok ||
	    (st = export_workers(&ex, &la)) != exit_ok)
		goto out;
	if (ex.xp != NULL)
		st = expand_run(ex.xp, export_listing, &la);
	else
		st = export_listing(&ex, &la);
	progress_done(&ex.progress);
	st = export_finish(&ex, st);
	if (st != exit_interrupted)
		export_summary(&ex, st);
out:
	if (out != NULL)
		export_outcome(&ex, st, out);
	if (resume_keep(&ex, st)) {
		writer_leave(ex.w);
		ex.w = NULL;
	}
	writer_abort(ex.w);     /* nothing to keep unless committed */
	resume_close(&ex);
	for (i = 0; i < la.nworkers; i++)
		fetcher_free(la.wc[i].f);
	free(la.wc);
	free(la.wctx);
	expand_free(ex.xp);
	export_free(&ex);
	state_end(&sr);
	curl_url_cleanup(base);
	if (joined)
		hosts_part(hosts, &ex.member);
	if (hosts == &own)
		hosts_destroy(&own);
	log_set_target(NULL, NULL);
	return st;
}
