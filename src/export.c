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
#include "session.h"
#include "state.h"
#include "thread.h"
#include "xalloc.h"


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
 * One target of many: the worker contexts for the pages [start, end) (at
 * most one per page; two when probing, which runs one page ahead), each
 * with its fetcher, made now (wc[0]'s fetched page 0), so that a target
 * of one page makes no more.  Returns how many; the pool's helpers come
 * from the run's crew, shared by every target.
 */
static int
export_fetchers(struct export *ex, struct worker_ctx *wc, int nworkers,
    long long start, long long end)
{
	int n = nworkers, i;

	if (ex->end_page == POOL_NO_END && n > 2)
		n = 2;
	if (end - start < n)
		n = (int)(end - start);
	if (n < 1)
		n = 1;
	for (i = 1; i < n; i++)
		if (wc[i].f == NULL && (wc[i].f = fetcher_new(&ex->run)) ==
		    NULL)
			return i;
	return n;
}

/* Runs the pool over [start, end) on n workers; exit_ok or why not. */
static enum exit_status
export_pool(struct export *ex, void **wctx, int n, long long start,
    long long end)
{
	struct pool_window win;
	enum pool_result pr;

	export_window(ex, n, &win);
	pr = pool_run(ex->crew, n, wctx, start, end, &win, MAX_PAGE_BYTES,
	    &work_ops, ex, ex->stop);
	if (pr == pool_result_cancelled && ex->fail_status == exit_ok)
		return exit_interrupted;
	return exit_ok;         /* a page's failure is in ex->fail_status */
}

/*
 * With --shard or --resume, and for one target of many: the first page on
 * this thread alone, then the pool from the first page this run writes
 * (nothing asked early).  A target of many borrows its workers from the
 * run only for the pages left, and reads the total again only when no
 * page after the first carried it (work_totals).
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
	if (!own_recheck)       /* work_totals reads them */
		ex->changed_seq = ex->seen_seq = -1;
	if ((st = page0_fetch(ex, wc[0].f, &first, nworkers)) != exit_ok)
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
	if (ex->fleet)
		nworkers = export_fetchers(ex, wc, nworkers, start, end);
	st = export_pool(ex, wctx, nworkers, start, end);
	if (st == exit_ok && !own_recheck && ex->fail_status == exit_ok &&
	    !ex->closed)
		work_totals(ex, wc[0].f);
out:
	buf_free(&first.data);
	buf_free(&first.keys);
	buf_free(&first.hashes);
	return st;
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
	 * round as a lone export's, on as many workers as it had pages. */
	if (ex->fleet)
		nworkers = export_fetchers(ex, wc, nworkers, 0, ex->known_pages);
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
	if (st == exit_ok && ex->fail_status == exit_ok && !ex->closed)
		work_totals(ex, wc[0].f);
	thread_cond_destroy(&ex->gate_cond);
	thread_mutex_destroy(&ex->gate_lock);
	return st;
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
	h->auth_cookie = profile_auth_cookie(&t->profile);
}

/*
 * The target's cookie jar, when it keeps cookies (--cookies,
 * --cookie-jar, a profile's auth cookie): its session's, whose login's
 * cookies are in it, or one of its own; never another login's, so that
 * a cookie standing for credentials serves those credentials alone.
 */
static enum exit_status
export_jar(struct export *ex)
{
	const struct target *t = ex->t;
	struct http_conf *h = &ex->run.http;

	if (!t->cookies && t->cookie_jar == NULL && h->auth_cookie == NULL)
		return exit_ok;
	if (ex->run.session != NULL &&
	    (h->jar = session_jar(ex->run.session)) != NULL)
		return exit_ok;
	if ((ex->own_jar = http_jar_new()) == NULL)
		return exit_failure;
	h->jar = ex->own_jar;
	return exit_ok;
}

/* The output: what the target's flags allow, the journal, the writer. */
static enum exit_status
export_output(struct export *ex)
{
	const struct target *t = ex->t;
	struct writer_opts wopts;
	enum exit_status st;
	int refused = 0;

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
	wopts.s3_part_size = (unsigned long long)t->s3_part_size;
	wopts.s3_cutoff = (unsigned long long)t->s3_cutoff;
	wopts.refused = &refused;
	if ((ex->w = writer_open_opts(t->output, &wopts)) == NULL)
		return refused ? exit_auth : exit_output;
	return exit_ok;
}

/* Frees what the run's state holds (not the writer: see export_run). */
static void
export_free(struct export *ex)
{
	int i;

	packer_free(ex->pk);
	buf_free(&ex->filtered);
	buf_free(&ex->prev_hashes);
	for (i = 0; i < ex->nwarnings; i++)
		free(ex->warnings[i]);
	hashset_free(&ex->prev);
	hashset_free(&ex->cur);
	free(ex->origin);
	thread_mutex_destroy(&ex->fail_lock);
}

/* The listing's workers, for expand_run's listing task. */
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
	ex->run.hosts = hosts;
	ex->run.hedge.first_free = !ex->fleet;
	ex->run.member = &ex->member;
	hosts_join(hosts, &ex->member);
	*joined = 1;
	ex->run.cancel = ex->stop;
	export_http_conf(ex, ex->o, t);
	if (export_jar(ex) != exit_ok)
		return exit_failure;
	/* --key: the emitter packs what it keeps (--expand: the details'
	 * emitter packs its batches). */
	if (!pack_on_worker(t) && t->nexpand == 0)
		ex->pk = packer_new(t->gzip, ex->o->level, MAX_PAGE_BYTES);
	if (t->nexpand > 0 && (ex->xp = expand_new(ex)) == NULL)
		return exit_usage;
	return export_output(ex);
}

/*
 * The workers' contexts, la->nworkers of them: a cursor walks one page at
 * a time, one worker is all it uses.  One target of many makes its
 * workers' fetchers once page 0 says how many pages are left
 * (export_fetchers); others make them all now.  exit_ok or exit_failure.
 */
static enum exit_status
export_workers(struct export *ex, struct listing_args *la)
{
	const struct options *o = ex->o;
	int i, n;

	n = profile_sequential(&ex->t->profile) ? 1 : ex->xp != NULL ?
	    expand_listing_workers(o) : o->workers;
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

/* The target's login: a fleet's shared one, or one of its own (made now:
 * the credentials are read before anything is asked). */
static enum exit_status
export_session(struct export *ex, const struct export_hint *hint)
{
	char err[512];

	if (hint != NULL && hint->session != NULL) {
		ex->run.session = hint->session;
		return exit_ok;
	}
	if (ex->t->session.profile == NULL)
		return exit_ok;
	ex->own_session = session_new(ex->o, ex->t, ex->stop, err, sizeof err);
	if (ex->own_session == NULL) {
		log_error("%s", err);
		return exit_usage;
	}
	ex->run.session = ex->own_session;
	return exit_ok;
}

enum exit_status
export_run(const struct options *o, const struct target *t,
    struct crew *crew, struct hosts *hosts, const struct export_hint *hint,
    atomic_int *stop, struct export_outcome *out)
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
	ex.crew = crew;
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
	    (st = export_session(&ex, hint)) != exit_ok ||
	    (st = export_setup(&ex, hosts, &base, &joined)) != exit_ok ||
	    (st = export_workers(&ex, &la)) != exit_ok)
		goto out;
	if (ex.xp != NULL)
		st = expand_run(ex.xp, export_listing, &la);
	else
		st = export_listing(&ex, &la);
	progress_done(&ex.progress);
	st = finish_run(&ex, st);
	st = finish_cookie_jar(&ex, st);
	if (st != exit_interrupted)
		finish_summary(&ex, st);
out:
	if (out != NULL)
		finish_outcome(&ex, st, out);
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
	/* After every client of theirs: */
	session_free(ex.own_session);   /* logs out, on failure as on success */
	http_jar_free(ex.own_jar);
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