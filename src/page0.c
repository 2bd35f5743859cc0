/*
 * page0.c - page 0 and what it says: the checks every first page must
 * pass, its first item's hash, and the plan that the rest of the export
 * follows (planned by a total or a page count, or probing with
 * --no-total), cut to this shard's pages with --shard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "log.h"
#include "run.h"
#include "thread.h"
#include "xalloc.h"


/* How a missing total is explained: each likely cause with its fix. */
static void
page0_no_total(const struct export *ex)
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

/*
 * The pages this run exports: all of them, or with --shard I/N the I-th of
 * N contiguous ranges, and how many items they must hold.
 */
static enum exit_status
page0_shard(struct export *ex)
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
page0_plan(struct export *ex, const struct fetch_info *info, long long n0,
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
		page0_no_total(ex);
		return exit_protocol;
	}
	ex->npages = ex->plan.npages;
	log_info("%lld pages of %ld items, %d workers", ex->npages,
	    ex->plan.page_size, nworkers);
	return page0_shard(ex);
}

/*
 * Page 0 into page, and what it says: the checks every first page must
 * pass, its hash, the plan (for nworkers workers), where it ends.  Its
 * failures are said here.
 */
enum exit_status
page0_fetch(struct export *ex, struct fetcher *f, struct pool_page *page,
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
	if ((st = page0_plan(ex, &info, page->items, nworkers)) != exit_ok)
		goto out;
	if (check_end(ex, 0, 0, page->items) != pool_work_done)
		ex->npages = ex->end_page = 1;
out:
	fetch_info_clear(&info);
	return st;
}
