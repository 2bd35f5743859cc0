/*
 * work.c - what a worker does with a page of one export: one try at it
 * (work_fetch), the first round's gate (page 0's plan, which every page
 * after the first round waits for), what its count says of the plan
 * (work_judge), the totals later pages carry, and the re-read of the total
 * at the end (work_totals).  The pool's callbacks are work_ops.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "log.h"
#include "run.h"
#include "thread.h"
#include "xalloc.h"


/*
 * One try at a page for the pool: a page to wait for comes back with
 * page->later.wait_ms > 0 (the pool puts it aside, and this worker takes
 * other pages meanwhile), its tries so far kept in page->later.
 */
static enum exit_status
work_fetch(struct worker_ctx *wc, const struct fetch_req *req,
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
 * The pool queued helper i on the crew.  Page 0's answer makes the plan
 * that every page after the first round waits for, so its request goes
 * first rather than fighting the other helpers' starts for two cores: they
 * are queued once it is out, or after PAGE0_HEAD_MS at most (a slow
 * connect, or --no-hedge, which cannot tell).
 */
#define PAGE0_HEAD_MS   2

static void
work_started(void *ectx, int i)
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
work_note_totals(struct export *ex, long long seq, const struct fetch_info *info)
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
work_early(struct worker_ctx *wc, long long seq, struct fetch_req *req,
    struct fetch_info *info, struct pool_page *page, enum exit_status *st,
    char *msg, size_t msgsz)
{
	struct export *ex = wc->ex;

	if (seq > ex->spec || atomic_load(&ex->gate) != 0 ||
	    page->later.attempts != 0)
		return 0;
	req->offset = seq * ex->t->limit;  /* seq < 256: no overflow */
	req->limit = ex->t->limit;
	*st = work_fetch(wc, req, info, page, msg, msgsz);
	return 1;
}

/* Page seq by the plan page 0 made: exit_ok, or why not (in msg). */
static enum exit_status
work_planned(struct worker_ctx *wc, long long seq, struct fetch_req *req,
    struct fetch_info *info, struct pool_page *page, char *msg, size_t msgsz)
{
	struct export *ex = wc->ex;

	if (plan_offset(&ex->plan, seq, &req->offset) < 0) {
		snprintf(msg, msgsz, "page %lld: its offset would pass 2^63 - 1: "
		    "the server never sent an empty page", seq + 1);
		return exit_protocol;
	}
	req->limit = ex->plan.page_size;
	return work_fetch(wc, req, info, page, msg, msgsz);
}

/* A fetched page judged: its totals noted, its checks, where it ends. */
static enum pool_work
work_judge(struct export *ex, long long seq, long long offset,
    struct pool_page *page, struct fetch_info *info, enum exit_status st,
    char *msg, size_t msgsz)
{
	enum pool_work v;

	page->items = info->items;
	if (st == exit_ok)
		work_note_totals(ex, seq, info);
	fetch_info_clear(info);
	if (st == exit_ok && check_page(ex, seq, offset, page, msg, msgsz) < 0)
		st = exit_protocol;
	if (st != exit_ok) {
		fail_run(ex, st, msg);
		return pool_work_failed;
	}
	v = check_end(ex, seq, offset, page->items);
	if (v == pool_work_last || v == pool_work_end)
		atomic_store(&ex->ended, 1);
	return v;
}

/* Reads the total again at the end of the export and compares; the page
 * itself lands in scratch and is not written. */
static void
work_recheck(struct export *ex, struct fetcher *f, struct buf *scratch)
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
 * Page 0, the pool's first job: what it says makes the plan, which opens
 * the gate for the pages waiting for it.  Its failures are said here, as
 * the run's own (not a page's among others).
 */
static enum pool_work
work_first(struct worker_ctx *wc, struct pool_page *page)
{
	struct export *ex = wc->ex;
	enum exit_status st;

	if (ex->spec > 0)
		fetcher_on_sent(wc->f, page0_out, ex);
	st = page0_fetch(ex, wc->f, page, ex->o->workers);
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

/*
 * Page seq > 0.  Pages 1..ex->spec may be asked early (work_early).
 * Then every page waits for page 0's plan (the gate): an early page past
 * the end is dropped unseen (its failure too: some APIs answer 400 or 404
 * there); one asked with a size the server clamped is asked again with the
 * size page 0 got; the others pass the same checks as every page.
 */
static enum pool_work
work_page(void *arg, long long seq, struct pool_page *page)
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
		work_recheck(ex, wc->f, &page->data);
		return pool_work_done;
	}
	if (seq == 0 && ex->first_in_pool)
		return work_first(wc, page);
	memset(&info, 0, sizeof info);
	memset(&req, 0, sizeof req);
	req.out = &page->data;
	req.keys = ex->t->key ? &page->keys : NULL;
	req.hashes = &page->hashes;
	early = work_early(wc, seq, &req, &info, page, &st, msg, sizeof msg);
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
		st = work_planned(wc, seq, &req, &info, page, msg, sizeof msg);
		if (st == exit_ok && page->later.wait_ms > 0)
			return pool_work_later;
	}
	return work_judge(ex, seq, req.offset, page, &info, st, msg,
	    sizeof msg);
}

const struct pool_ops work_ops = {
	work_page, emit_page, work_started
};

/* What the totals of the pages after page 0 said; without any, the total
 * is read again now (f: a fetcher no worker uses any more). */
void
work_totals(struct export *ex, struct fetcher *f)
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
	work_recheck(ex, f, &scratch);
	buf_free(&scratch);
}
