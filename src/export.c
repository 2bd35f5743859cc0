/*
 * export.c - one export run (see export.h).
 *
 * The first page is fetched by this thread alone: it says how many items
 * (or pages) there are and how many the server really puts on a page (a
 * server may clamp the limit we ask for; the page size is taken from what
 * it returned, never from what we asked).  Then one of three plans:
 *
 *   planned  a total or a page count is known: every page is a job for the
 *            pool, fetched concurrently, written in order;
 *   probing  --no-total: the pool runs ahead of the last page known to be
 *            full, up to its window, and the first empty page is the end
 *            (a short page alone is not);
 *   cursor   each page names the next: one page after another, in constant
 *            memory, refusing a cursor that comes back (a loop).
 *
 * This thread writes the pages in order as they come back, counts them,
 * drops duplicates across page boundaries (--key), reads the total again at
 * the end, and publishes the file only if everything was written.
 * Anything that does not add up is reported and ends in exit_mismatch.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fetch.h"
#include "gzmember.h"
#include "log.h"
#include "pool.h"
#include "profile.h"
#include "progress.h"
#include "writer.h"
#include "xalloc.h"

#define MAX_PAGE_BYTES ((size_t)1 << 30)   /* one page's NDJSON */

/* Sorted hashes of one page's keys, for --key. */
struct keyset {
	uint64_t *h;
	size_t n, cap;
};

struct export {
	const struct options *o;
	struct fetch_run run;
	struct writer *w;
	const atomic_int *cancel;
	long long total;                /* items announced; -1: unknown */
	long long pages;                /* pages announced; -1: unknown */
	long long npages;               /* jobs planned, or POOL_NO_END */
	long long items;                /* items written */
	long long duplicates;           /* dropped by --key */
	atomic_llong short_pages;       /* pages with fewer items than due */
	int closed;                     /* stdout's reader went away */
	struct progress progress;       /* this thread's alone */
	int recheck;                    /* job npages reads the total again */
	int mismatch;                   /* report it in the exit status; set
	                                   by the recheck job's worker before
	                                   pool_run joins it */

	/* --key: the emitter filters, then compresses. */
	struct gzmember *gz;
	struct buf filtered, packed;
	struct keyset prev, cur;

	/* The first failure of a worker, reported once by this thread. */
	pthread_mutex_t fail_lock;
	enum exit_status fail_status;
	char fail_msg[1024];
};

struct worker_ctx {
	struct export *ex;
	struct fetcher *f;
};

static void
export_fail(struct export *ex, enum exit_status st, const char *msg)
{
	pthread_mutex_lock(&ex->fail_lock);
	if (ex->fail_status == exit_ok) {
		ex->fail_status = st;
		snprintf(ex->fail_msg, sizeof ex->fail_msg, "%s", msg);
	}
	pthread_mutex_unlock(&ex->fail_lock);
}

static uint64_t
fnv1a(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ *s++) * 1099511628211ULL;
	return h;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Items page seq holds if nothing changes on the server; -1 if unknown. */
static long long
expected_items(const struct export *ex, long long seq)
{
	long long left;

	if (ex->total < 0)
		return -1;
	left = ex->total - seq * ex->run.page_size;
	return left < ex->run.page_size ? left : ex->run.page_size;
}

static void export_recheck(struct export *ex, struct fetcher *f,
    struct buf *scratch);

static enum pool_work
export_work(void *arg, long long seq, struct pool_page *page)
{
	struct worker_ctx *wc = arg;
	struct export *ex = wc->ex;
	struct fetch_info info;
	enum exit_status st;
	long long want;
	char msg[1024];

	/* One job past the last page reads the total again, on a worker that
	 * would otherwise idle through the last round; it emits nothing. */
	if (ex->recheck && seq == ex->npages) {
		export_recheck(ex, wc->f, &page->data);
		return pool_work_done;
	}
	memset(&info, 0, sizeof info);
	st = fetch_page(wc->f, seq * ex->run.page_size, ex->run.page_size, NULL,
	    &page->data, ex->o->key ? &page->keys : NULL, &info, msg,
	    sizeof msg);
	page->items = info.items;
	fetch_info_clear(&info);
	if (st != exit_ok) {
		export_fail(ex, st, msg);
		return pool_work_failed;
	}
	if (ex->npages == POOL_NO_END)
		return page->items == 0 ? pool_work_end : pool_work_done;
	want = expected_items(ex, seq);
	if (want >= 0 && page->items != want) {
		atomic_fetch_add(&ex->short_pages, 1);
		log_warn("offset %lld: %lld items where %lld were due (the data "
		    "changed during the export?)", seq * ex->run.page_size,
		    page->items, want);
	}
	return pool_work_done;
}

static int
export_write(struct export *ex, const struct buf *b)
{
	switch (writer_write(ex->w, b->data, b->len)) {
	case writer_ok:
		return 0;
	case writer_closed:
		ex->closed = 1;
		return -1;
	case writer_error:
		break;
	}
	export_fail(ex, exit_output, "");
	return -1;
}

/* --key: drops the items whose key the previous page had, then writes. */
static int
emit_unique(struct export *ex, struct pool_page *page)
{
	struct fetch_item it;
	const char *p = page->keys.data, *end = p + page->keys.len;
	struct keyset tmp;
	uint64_t h;
	long long kept = 0;

	buf_reset(&ex->filtered);
	ex->cur.n = 0;
	while (p < end) {
		memcpy(&it, p, sizeof it);
		p += sizeof it;
		if (it.keylen >= 0) {
			h = fnv1a(p, (size_t)it.keylen);
			p += it.keylen;
			if (ex->prev.n > 0 && bsearch(&h, ex->prev.h, ex->prev.n,
			    sizeof h, cmp_u64) != NULL) {
				ex->duplicates++;
				continue;
			}
			if (ex->cur.n == ex->cur.cap) {
				ex->cur.cap = ex->cur.cap ? 2 * ex->cur.cap : 256;
				ex->cur.h = xrealloc(ex->cur.h,
				    ex->cur.cap * sizeof *ex->cur.h);
			}
			ex->cur.h[ex->cur.n++] = h;
		}
		buf_add(&ex->filtered, page->data.data + it.line_off, it.line_len);
		kept++;
	}
	qsort(ex->cur.h, ex->cur.n, sizeof *ex->cur.h, cmp_u64);
	tmp = ex->prev;
	ex->prev = ex->cur;
	ex->cur = tmp;

	if (ex->gz != NULL) {
		buf_reset(&ex->packed);
		if (gzmember_compress(ex->gz, ex->filtered.data, ex->filtered.len,
		    &ex->packed) < 0) {
			export_fail(ex, exit_protocol, "a page is too large");
			return -1;
		}
		if (export_write(ex, &ex->packed) < 0)
			return -1;
	} else if (export_write(ex, &ex->filtered) < 0)
		return -1;
	ex->items += kept;
	progress_update(&ex->progress, ex->items, writer_bytes(ex->w));
	return 0;
}

static int
export_emit(void *arg, long long seq, struct pool_page *page)
{
	struct export *ex = arg;

	if (ex->recheck && seq == ex->npages)
		return 0;               /* the re-read of the total */
	if (ex->o->key != NULL)
		return emit_unique(ex, page);
	if (export_write(ex, &page->data) < 0)
		return -1;
	ex->items += page->items;
	progress_update(&ex->progress, ex->items, writer_bytes(ex->w));
	return 0;
}

static const struct pool_ops export_ops = { export_work, export_emit };

/* How a missing total is explained. */
static void
no_total_error(const struct export *ex)
{
	const struct profile *pr = &ex->o->profile;
	char *shown = log_redact_url(ex->o->url);

	log_error("%s: no total item count in the first response (%s%s%s%s%s%s); "
	    "name it with --total-header or --total-path, or use --no-total",
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
	char msg[1024];
	/* The page profile counts pages: ask for pages of the same size. */
	long limit = ex->o->profile.style == profile_style_page ?
	    ex->run.page_size : 1;

	memset(&info, 0, sizeof info);
	if (fetch_page(f, 0, limit, NULL, scratch, NULL, &info, msg,
	    sizeof msg) != exit_ok)
		log_warn("could not read the total again at the end: %s", msg);
	else if (ex->total >= 0 && info.has_total && info.total != ex->total) {
		log_error("the total changed during the export: %lld items at "
		    "the start, %lld at the end (ask the API for a stable order: "
		    "see --sort-param and --key)", ex->total, info.total);
		ex->mismatch = 1;
	} else if (ex->total < 0 && ex->pages >= 0 && info.has_pages &&
	    info.pages != ex->pages) {
		log_error("the page count changed during the export: %lld at the "
		    "start, %lld at the end", ex->pages, info.pages);
		ex->mismatch = 1;
	}
	fetch_info_clear(&info);
}

/* The planned and probing plans: the first page, then the pool. */
static enum exit_status
export_offsets(struct export *ex, struct worker_ctx *wc, void **wctx,
    int nworkers)
{
	const struct options *o = ex->o;
	struct fetch_info info;
	struct pool_page first;
	enum pool_result pr;
	enum exit_status st;
	long long n0;
	char msg[1024];

	memset(&info, 0, sizeof info);
	buf_init(&first.data, MAX_PAGE_BYTES);
	buf_init(&first.keys, MAX_PAGE_BYTES);
	st = fetch_page(wc[0].f, 0, o->limit, NULL, &first.data,
	    o->key ? &first.keys : NULL, &info, msg, sizeof msg);
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
	n0 = first.items = info.items;
	ex->total = ex->pages = -1;
	if (o->no_total) {
		ex->npages = n0 == 0 ? 1 : POOL_NO_END;
		if (n0 > 0 && n0 < o->limit) {
			/* A clamp or the end: both are safe with this size. */
			log_info("offset 0: %lld items where %ld were asked for: "
			    "probing with pages of %lld", n0, o->limit, n0);
			ex->run.page_size = (long)n0;
		}
		log_info("no total: fetching up to %d pages ahead until an "
		    "empty page", 2 * nworkers);
	} else if (info.has_total) {
		ex->total = info.total;
		progress_total(&ex->progress, ex->total);
		log_info("total: %lld items (%s)", ex->total, info.total_source);
		if (n0 < ex->total && n0 != o->limit) {
			if (n0 == 0) {
				log_error("offset 0: the first page is empty but the "
				    "total is %lld", ex->total);
				st = exit_protocol;
				goto out;
			}
			log_warn("asked for %ld items per page, the server sent "
			    "%lld: using %lld", o->limit, n0, n0);
			ex->run.page_size = (long)n0;
		}
		ex->npages = n0 >= ex->total ? 1 :
		    (ex->total + ex->run.page_size - 1) / ex->run.page_size;
	} else if (info.has_pages) {
		ex->pages = info.pages;
		log_info("total: %lld pages", ex->pages);
		if (ex->pages > 1 && n0 != o->limit) {
			log_warn("asked for %ld items per page, the server sent "
			    "%lld: using %lld", o->limit, n0, n0);
			ex->run.page_size = n0 > 0 ? (long)n0 : o->limit;
		}
		ex->npages = ex->pages > 0 ? ex->pages : 1;
	} else {
		no_total_error(ex);
		st = exit_protocol;
		goto out;
	}
	if (ex->npages != POOL_NO_END)
		log_info("%lld pages of %ld items, %d workers", ex->npages,
		    ex->run.page_size, nworkers);

	if (export_emit(ex, 0, &first) != 0)
		goto out;
	ex->recheck = ex->total >= 0 || ex->pages >= 0;
	pr = pool_run(nworkers, wctx, 1, ex->npages + ex->recheck, 2 * nworkers,
	    MAX_PAGE_BYTES, &export_ops, ex, ex->cancel);
	if (pr == pool_result_cancelled) {
		st = exit_interrupted;
		goto out;
	}
out:
	fetch_info_clear(&info);
	buf_free(&first.data);
	buf_free(&first.keys);
	return st;
}

/*
 * Is h among the cursors seen?  Adds it if not.  An open-addressing set
 * (cap a power of two, at most half full, 0 marking a free slot), so that
 * a walk of many pages stays linear.
 */
static int
seen_before(struct keyset *s, uint64_t h)
{
	size_t i, j;
	uint64_t *old;

	if (h == 0)
		h = 1;
	if (2 * (s->n + 1) > s->cap) {
		old = s->h;
		j = s->cap;
		s->cap = s->cap ? 2 * s->cap : 64;
		s->h = xcalloc(s->cap, sizeof *s->h);
		s->n = 0;
		while (j-- > 0)
			if (old[j] != 0)
				(void)seen_before(s, old[j]);
		free(old);
	}
	for (i = h & (s->cap - 1); s->h[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->h[i] == h)
			return 1;
	s->h[i] = h;
	s->n++;
	return 0;
}

/* The cursor plan: one page after another. */
static enum exit_status
export_cursor(struct export *ex, struct fetcher *f)
{
	const struct options *o = ex->o;
	const struct profile *pr = &o->profile;
	struct fetch_info info;
	struct pool_page page;
	struct keyset seen = { NULL, 0, 0 };
	enum exit_status st = exit_ok;
	char msg[1024], *url, *next, *tmp;
	long long n;

	memset(&info, 0, sizeof info);
	buf_init(&page.data, MAX_PAGE_BYTES);
	buf_init(&page.keys, MAX_PAGE_BYTES);
	ex->total = ex->pages = -1;
	tmp = profile_page_url(pr, ex->run.base, 0, o->limit);
	url = tmp != NULL ? xstrdup(tmp) : NULL;
	curl_free(tmp);
	for (n = 0; url != NULL; n++) {
		if (atomic_load(ex->cancel)) {
			st = exit_interrupted;
			break;
		}
		st = fetch_page(f, n, o->limit, url, &page.data,
		    o->key ? &page.keys : NULL, &info, msg, sizeof msg);
		if (st != exit_ok) {
			if (st != exit_interrupted)
				log_error("%s", msg);
			break;
		}
		if (n == 0 && info.has_total) {
			ex->total = info.total;
			log_info("total: %lld items (%s)", ex->total,
			    info.total_source);
		}
		page.items = info.items;
		if (export_emit(ex, n, &page) != 0)
			break;
		next = NULL;
		if (info.next != NULL) {
			if (seen_before(&seen, fnv1a(info.next,
			    strlen(info.next)))) {
				log_error("page %lld: %s: the API gave a cursor it "
				    "had given before (a loop): \"%.80s\"", n + 1,
				    info.url, info.next);
				st = exit_protocol;
				break;
			}
			tmp = profile_next_url(pr, ex->run.base, url, info.next,
			    o->limit);
			if (tmp == NULL) {
				log_error("page %lld: %s: cannot follow the next "
				    "page's \"%.80s\"", n + 1, info.url, info.next);
				st = exit_protocol;
				break;
			}
			next = xstrdup(tmp);
			curl_free(tmp);
		}
		free(url);
		url = next;
	}
	free(url);
	free(seen.h);
	fetch_info_clear(&info);
	buf_free(&page.data);
	buf_free(&page.keys);
	if (st == exit_ok)
		log_info("%lld pages", n);
	return st;
}

enum exit_status
export_run(const struct options *o, const atomic_int *cancel)
{
	struct export ex;
	struct worker_ctx *wc = NULL;
	void **wctx = NULL;
	struct limiter limiter;
	enum exit_status st = exit_ok;
	char err[256], *shown;
	CURLU *base;
	int i, nworkers = 0;

	memset(&ex, 0, sizeof ex);
	pthread_mutex_init(&ex.fail_lock, NULL);
	limiter_init(&limiter, o->rate);
	buf_init(&ex.filtered, MAX_PAGE_BYTES);
	buf_init(&ex.packed, MAX_PAGE_BYTES);
	ex.o = o;
	ex.cancel = cancel;
	progress_init(&ex.progress, o->progress > 0);
	if ((base = profile_base_url(&o->profile, o->url, err, sizeof err)) ==
	    NULL) {
		shown = log_redact_url(o->url);
		log_error("%s: %s", shown, err);
		free(shown);
		st = exit_usage;
		goto out;
	}
	ex.run.o = o;
	ex.run.base = base;
	ex.run.page_size = o->limit;
	ex.run.max_page = MAX_PAGE_BYTES;
	ex.run.defer_gzip = o->key != NULL;
	ex.run.limiter = &limiter;
	ex.run.cancel = cancel;
	ex.run.http.userpwd = o->userpwd;
	ex.run.http.headers = o->headers;
	ex.run.http.connect_timeout = o->connect_timeout;
	ex.run.http.speed_limit = o->speed_limit;
	ex.run.http.speed_time = o->speed_time;
	ex.run.http.max_body = o->max_body;
	ex.run.http.max_redirs = o->max_redirs;
	ex.run.http.cacert = o->cacert;
	ex.run.http.capath = o->capath;
	ex.run.http.insecure = o->insecure;
	ex.run.http.netrc = o->netrc;
	ex.run.http.netrc_file = o->netrc_file;
	ex.run.http.cancel = cancel;
	if (o->key != NULL && o->gzip)
		ex.gz = gzmember_new(o->level);

	if ((ex.w = writer_open(o->output)) == NULL) {
		st = exit_output;
		goto out;
	}
	/* A cursor walks one page at a time: one worker is all it uses. */
	if (o->profile.style == profile_style_cursor)
		nworkers = 1;
	else
		nworkers = o->workers;
	wc = xcalloc(nworkers, sizeof *wc);
	wctx = xcalloc(nworkers, sizeof *wctx);
	for (i = 0; i < nworkers; i++) {
		wc[i].ex = &ex;
		if ((wc[i].f = fetcher_new(&ex.run)) == NULL) {
			nworkers = i;
			st = exit_failure;
			goto out;
		}
		wctx[i] = &wc[i];
	}

	if (o->profile.style == profile_style_cursor)
		st = export_cursor(&ex, wc[0].f);
	else
		st = export_offsets(&ex, wc, wctx, nworkers);
	progress_done(&ex.progress);
	if (st != exit_ok)
		goto out;

	if (ex.fail_status != exit_ok) {
		if (ex.fail_msg[0] != '\0' && ex.fail_status != exit_interrupted)
			log_error("%s", ex.fail_msg);
		st = ex.fail_status;
		goto out;
	}
	if (ex.closed) {
		/* Our reader stopped reading (| head): not an error. */
		log_info("standard output closed after %lld items", ex.items);
		goto out;
	}
	if (ex.duplicates > 0) {
		log_error("%lld duplicate items (same --key %s) dropped: the data "
		    "shifted during the export", ex.duplicates, o->key);
		ex.mismatch = 1;
	}
	if (ex.total >= 0 && ex.items + ex.duplicates != ex.total) {
		log_error("verification failed: wrote %lld items, the total was "
		    "%lld", ex.items, ex.total);
		ex.mismatch = 1;
	} else if (atomic_load(&ex.short_pages) > 0 && ex.duplicates == 0) {
		log_error("verification failed: %lld pages were short",
		    (long long)atomic_load(&ex.short_pages));
		ex.mismatch = 1;
	}
	if (writer_commit(ex.w) != writer_ok) {
		ex.w = NULL;
		st = exit_output;
		goto out;
	}
	ex.w = NULL;
	if (atomic_load(&ex.run.retried) > 0)
		log_warn("%ld requests were retried (%ld throttled by the "
		    "server); every page arrived whole",
		    atomic_load(&ex.run.retried), atomic_load(&ex.run.throttled));
	log_info("wrote %lld items to %s", ex.items, o->output);
	if (ex.mismatch)
		st = exit_mismatch;
out:
	writer_abort(ex.w);     /* nothing to keep unless committed */
	for (i = 0; i < nworkers; i++)
		fetcher_free(wc[i].f);
	free(wc);
	free(wctx);
	gzmember_free(ex.gz);
	buf_free(&ex.filtered);
	buf_free(&ex.packed);
	free(ex.prev.h);
	free(ex.cur.h);
	curl_url_cleanup(base);
	limiter_destroy(&limiter);
	pthread_mutex_destroy(&ex.fail_lock);
	return st;
}
