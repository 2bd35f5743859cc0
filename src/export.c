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
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fetch.h"
#include "gzmember.h"
#include "hash.h"
#include "log.h"
#include "origin.h"
#include "plan.h"
#include "pool.h"
#include "profile.h"
#include "progress.h"
#include "query.h"
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
	const struct target *t;
	struct fetch_run run;
	struct writer *w;
	atomic_int *stop;               /* a signal's number, or STOP_FAILED */
	char *origin;                   /* the user's URL's origin */
	struct plan plan;               /* total, pages, page size */
	long long npages;               /* jobs planned, or POOL_NO_END */
	long long items;                /* items written */
	long long duplicates;           /* dropped by --key */
	long long repeats;              /* pages starting with an item of the
	                                   page before (emitter's) */
	int has_first;                  /* first_hash is page 0's first item */
	uint64_t first_hash;
	struct buf prev_hashes;         /* the last page emitted, its items'
	                                   hashes (emitter's) */
	atomic_llong short_pages;       /* pages with fewer items than due */
	atomic_llong long_pages;        /* last pages with more than due */
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
	int zero = 0;

	pthread_mutex_lock(&ex->fail_lock);
	if (ex->fail_status == exit_ok) {
		ex->fail_status = st;
		snprintf(ex->fail_msg, sizeof ex->fail_msg, "%s", msg);
	}
	pthread_mutex_unlock(&ex->fail_lock);
	/* Stop every other page now: their work can no longer be used. */
	if (st != exit_interrupted)
		atomic_compare_exchange_strong(ex->stop, &zero, STOP_FAILED);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How the profile names the position of a page, for messages: "offset=",
 * "page=", "resultLimit=", "the Range header". */
static const char *
position_name(const struct profile *pr, char *buf, size_t n)
{
	if (pr->style == profile_style_range)
		return "the Range header";
	if (pr->style == profile_style_cursor)
		return "the cursor";
	snprintf(buf, n, "%s=", pr->offset_param);
	return buf;
}

static const char *
size_name(const struct profile *pr, char *buf, size_t n)
{
	if (pr->style == profile_style_range)
		return "the Range header";
	if (pr->style == profile_style_softlayer)
		return "resultLimit=";
	snprintf(buf, n, "%s=", pr->limit_param ? pr->limit_param : "limit");
	return buf;
}

/* What the usual way out is when a server does not page as the profile
 * says. */
#define PAGING_HINTS "json-server pages with --offset-param _start " \
	"--limit-param _limit; an API whose pages name their next one (DRF " \
	"page numbers, OData server paging) is followed with -p cursor"

/*
 * The checks every page must pass, whatever the plan: no more items than
 * asked for, and (past the first) not the first page's first item again.
 * Returns 0, or -1 with the reason in msg (exit_protocol).
 */
static int
check_page(struct export *ex, long long seq, long long offset,
    const struct pool_page *page, char *msg, size_t msgsz)
{
	const struct profile *pr = &ex->t->profile;
	uint64_t h;
	char name[80];

	if (pr->style != profile_style_cursor &&
	    page->items > ex->plan.page_size) {
		snprintf(msg, msgsz, "offset %lld: %lld items where at most %ld "
		    "were asked for: the server does not honour %s (check "
		    "--limit-param and -p; %s)", offset, page->items,
		    ex->plan.page_size, size_name(pr, name, sizeof name),
		    PAGING_HINTS);
		return -1;
	}
	if (seq > 0 && ex->has_first && page->hashes.len >= sizeof h) {
		memcpy(&h, page->hashes.data, sizeof h);
		if (h == ex->first_hash) {
			if (pr->style == profile_style_cursor)
				snprintf(msg, msgsz, "page %lld starts with the "
				    "first page's first item: the server ignores "
				    "the cursor it was sent (check --cursor-param "
				    "and --next-path)", seq + 1);
			else
				snprintf(msg, msgsz, "offset %lld starts with the "
				    "same item as offset 0: the server ignores %s "
				    "(check --offset-param and -p; %s)", offset,
				    position_name(pr, name, sizeof name),
				    PAGING_HINTS);
			return -1;
		}
	}
	return 0;
}

static void export_recheck(struct export *ex, struct fetcher *f,
    struct buf *scratch);

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
		log_warn("offset %lld: %lld items where %lld were due (page %lld "
		    "of %lld)%s", offset, n, min, seq + 1, ex->npages,
		    seq + 1 < ex->npages ? ": the run ends here (the total was "
		    "wrong, or items were deleted during the export)" : "");
		/* Nothing past a page that is not full can be trusted to
		 * follow on from it: no requests to a planned end that a
		 * bogus total put at 2^63. */
		if (seq + 1 < ex->npages)
			return n == 0 ? pool_work_end : pool_work_last;
	} else if (n > max) {
		atomic_fetch_add(&ex->long_pages, 1);
		log_warn("offset %lld: %lld items where %lld were due (items were "
		    "added during the export?)", offset, n, max);
	}
	return pool_work_done;
}

static enum pool_work
export_work(void *arg, long long seq, struct pool_page *page)
{
	struct worker_ctx *wc = arg;
	struct export *ex = wc->ex;
	struct fetch_info info;
	struct fetch_req req;
	enum exit_status st;
	long long offset;
	char msg[1024];

	/* One job past the last page reads the total again, on a worker that
	 * would otherwise idle through the last round; it emits nothing. */
	if (ex->recheck && seq == ex->npages) {
		export_recheck(ex, wc->f, &page->data);
		return pool_work_done;
	}
	if (plan_offset(&ex->plan, seq, &offset) < 0) {
		snprintf(msg, sizeof msg, "page %lld: its offset would pass "
		    "2^63 - 1: the server never sent an empty page", seq + 1);
		export_fail(ex, exit_protocol, msg);
		return pool_work_failed;
	}
	memset(&info, 0, sizeof info);
	req.offset = offset;
	req.limit = ex->plan.page_size;
	req.url = NULL;
	req.out = &page->data;
	req.keys = ex->t->key ? &page->keys : NULL;
	req.hashes = &page->hashes;
	st = fetch_page(wc->f, &req, &info, msg, sizeof msg);
	page->items = info.items;
	fetch_info_clear(&info);
	if (st == exit_ok && check_page(ex, seq, offset, page, msg,
	    sizeof msg) < 0)
		st = exit_protocol;
	if (st != exit_ok) {
		export_fail(ex, st, msg);
		return pool_work_failed;
	}
	return page_verdict(ex, seq, offset, page->items);
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
			h = hash_bytes(p, (size_t)it.keylen);
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

/*
 * Does the page start with an item of the page before?  Data inserted
 * ahead of the page while the export ran shifts every later page by as
 * much; the first item of the later page then is one already written.
 */
static void
check_boundary(struct export *ex, long long seq, const struct pool_page *page)
{
	const uint64_t *prev = (const uint64_t *)(void *)ex->prev_hashes.data;
	size_t i, n = ex->prev_hashes.len / sizeof *prev;
	uint64_t h;

	if (seq > 0 && page->hashes.len >= sizeof h && ex->t->key == NULL) {
		memcpy(&h, page->hashes.data, sizeof h);
		for (i = 0; i < n; i++)
			if (prev[i] == h) {
				ex->repeats++;
				log_warn("page %lld begins with an item of the page "
				    "before (items were added ahead of it during "
				    "the export)", seq + 1);
				break;
			}
	}
	buf_reset(&ex->prev_hashes);
	(void)buf_add(&ex->prev_hashes, page->hashes.data, page->hashes.len);
}

static int
export_emit(void *arg, long long seq, struct pool_page *page)
{
	struct export *ex = arg;

	if (ex->recheck && seq == ex->npages)
		return 0;               /* the re-read of the total */
	check_boundary(ex, seq, page);
	if (ex->t->key != NULL)
		return emit_unique(ex, page);
	if (export_write(ex, &page->data) < 0)
		return -1;
	ex->items += page->items;
	progress_update(&ex->progress, ex->items, writer_bytes(ex->w));
	return 0;
}

static const struct pool_ops export_ops = { export_work, export_emit };

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
	else if (ex->plan.total >= 0 && info.has_total &&
	    info.total != ex->plan.total) {
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

/* Resolves next against the URL it came from; curl-allocated or NULL. */
static char *
resolve_url(const char *from, const char *next)
{
	CURLU *u = curl_url();
	char *url = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, from, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, next, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		url = NULL;
	curl_url_cleanup(u);
	return url;
}

/* The first parameter of next's query that page's query lacks (or has with
 * another value), as "name=value" in buf; 0 if none. */
static int
new_param(const char *page, const char *next, char *buf, size_t n)
{
	CURLU *u = curl_url(), *v = curl_url();
	char *q1 = NULL, *q2 = NULL;
	const char *c1, *c2;
	struct query_param a, b;
	int found = 0, same;

	if (u == NULL || v == NULL ||
	    curl_url_set(u, CURLUPART_URL, page, 0) != CURLUE_OK ||
	    curl_url_set(v, CURLUPART_URL, next, 0) != CURLUE_OK ||
	    curl_url_get(v, CURLUPART_QUERY, &q2, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_QUERY, &q1, 0) != CURLUE_OK)
		q1 = NULL;
	for (c2 = q2; !found && query_next(&c2, &b); ) {
		same = 0;
		for (c1 = q1 != NULL ? q1 : ""; !same && query_next(&c1, &a); )
			same = a.len == b.len && memcmp(a.start, b.start,
			    a.len) == 0;
		if (!same) {
			snprintf(buf, n, "%.*s", (int)(b.len > 60 ? 60 : b.len),
			    b.start);
			found = 1;
		}
	}
out:
	curl_free(q1);
	curl_free(q2);
	curl_url_cleanup(u);
	curl_url_cleanup(v);
	return found;
}

/* Does the query of url carry a parameter named name? */
static int
has_param(const char *url, const char *name)
{
	CURLU *u = curl_url();
	char *q = NULL;
	const char *c;
	struct query_param qp;
	int found = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK)
		for (c = q; !found && query_next(&c, &qp); )
			found = query_name_is(&qp, name);
	curl_free(q);
	curl_url_cleanup(u);
	return found;
}

/*
 * The first page of an offset-style profile named its next page (a body
 * field or Link rel="next"): if that link moves with a parameter other than
 * the profile's, the server pages another way and every page we would ask
 * for by offset could be the first one again.  Returns 0, or -1 after
 * saying so.
 */
static int
check_next_link(const struct export *ex, const struct fetch_info *info)
{
	const struct profile *pr = &ex->t->profile;
	const char *next, *from;
	char *url, *shown, param[80], name[80];
	int bad;

	if (pr->style == profile_style_cursor || pr->style == profile_style_range)
		return 0;
	if (info->guesses == 1 && info->guess != NULL) {
		next = info->guess;
		from = info->guess_name;
	} else if (info->link_next != NULL) {
		next = info->link_next;
		from = "Link rel=\"next\"";
	} else
		return 0;
	if ((url = resolve_url(info->url, next)) == NULL)
		return 0;       /* a token, not a link: nothing to compare */
	bad = !has_param(url, pr->offset_param) &&
	    new_param(info->url, url, param, sizeof param);
	if (bad) {
		shown = log_redact_url(url);
		log_error("offset 0: the response's next page (%s: %s) moves "
		    "with %s, not with %s: the server does not page the way "
		    "-p %s says, and asking by offset would fetch the first "
		    "page again and again; follow its next links instead: -p "
		    "cursor%s%s%s%s%s", from, shown, param,
		    position_name(pr, name, sizeof name), pr->name,
		    info->link_next != NULL && next == info->link_next ? "" :
		    " --next-path ", info->link_next != NULL &&
		    next == info->link_next ? "" : from,
		    pr->items_path != NULL && *pr->items_path != '\0' ?
		    " --items-path " : "", pr->items_path != NULL ?
		    pr->items_path : "", pr->total_path != NULL ?
		    " (and --total-path to keep the count checked)" : "");
		free(shown);
	}
	curl_free(url);
	return bad ? -1 : 0;
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

/* The first page's counts turned into a plan; exit_ok or why not. */
static enum exit_status
plan_first(struct export *ex, const struct fetch_info *info, long long n0,
    int nworkers)
{
	const struct target *t = ex->t;
	long page_size = t->limit;

	if (t->no_total) {
		if (n0 > 0 && n0 < t->limit) {
			/* A clamp or the end: both are safe with this size. */
			log_info("offset 0: %lld items where %ld were asked for: "
			    "probing with pages of %lld", n0, t->limit, n0);
			page_size = (long)n0;
		}
		(void)plan_make(&ex->plan, -1, -1, page_size);
		ex->npages = n0 == 0 ? 1 : POOL_NO_END;
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
	return exit_ok;
}

/* The planned and probing plans: the first page, then the pool. */
static enum exit_status
export_offsets(struct export *ex, struct worker_ctx *wc, void **wctx,
    int nworkers)
{
	const struct target *t = ex->t;
	struct fetch_info info;
	struct fetch_req req;
	struct pool_page first;
	enum pool_result pr;
	enum exit_status st;
	char msg[1024];
	int terr = 0;

	memset(&info, 0, sizeof info);
	memset(&first, 0, sizeof first);
	buf_init(&first.data, MAX_PAGE_BYTES);
	buf_init(&first.keys, MAX_PAGE_BYTES);
	buf_init(&first.hashes, MAX_PAGE_BYTES);
	memset(&req, 0, sizeof req);
	req.limit = t->limit;
	req.out = &first.data;
	req.keys = t->key ? &first.keys : NULL;
	req.hashes = &first.hashes;
	st = fetch_page(wc[0].f, &req, &info, msg, sizeof msg);
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
	first.items = info.items;
	(void)plan_make(&ex->plan, -1, -1, t->limit);
	if (check_page(ex, 0, 0, &first, msg, sizeof msg) < 0) {
		log_error("%s", msg);
		st = exit_protocol;
		goto out;
	}
	if (check_next_link(ex, &info) < 0) {
		st = exit_protocol;
		goto out;
	}
	if (first.hashes.len >= sizeof ex->first_hash) {
		memcpy(&ex->first_hash, first.hashes.data, sizeof ex->first_hash);
		ex->has_first = 1;
	}
	if ((st = plan_first(ex, &info, first.items, nworkers)) != exit_ok)
		goto out;
	if (page_verdict(ex, 0, 0, first.items) != pool_work_done)
		ex->npages = 1;
	if (export_emit(ex, 0, &first) != 0)
		goto out;
	ex->recheck = ex->plan.total >= 0 || ex->plan.pages >= 0;
	if (ex->npages == 1 && ex->plan.npages != 1)
		ex->recheck = 0;        /* ended at once: nothing to re-read */
	pr = pool_run(nworkers, wctx, 1, ex->npages + ex->recheck, 2 * nworkers,
	    MAX_PAGE_BYTES, &export_ops, ex, ex->stop, &terr);
	if (pr == pool_result_thread) {
		log_error("cannot start %d worker threads: %s (lower --workers, "
		    "or raise the limit on processes)", nworkers, strerror(terr));
		st = exit_failure;
	} else if (pr == pool_result_cancelled &&
	    ex->fail_status == exit_ok)
		st = exit_interrupted;
out:
	fetch_info_clear(&info);
	buf_free(&first.data);
	buf_free(&first.keys);
	buf_free(&first.hashes);
	return st;
}

/*
 * The URL of the page after the one at url, from what that page said, or
 * NULL at the end; exit_protocol (after saying why) when the page says
 * there is more but gives no way to follow, or names a page on another
 * origin.
 */
static enum exit_status
cursor_next(struct export *ex, const char *url, const struct fetch_info *info,
    long long n, char **next)
{
	const struct profile *pr = &ex->t->profile;
	enum origin_verdict v;
	const char *val = info->next;
	char *tmp = NULL, *shown;

	*next = NULL;
	if (val != NULL)
		tmp = profile_next_url(pr, ex->run.base, url, val,
		    ex->t->limit);
	else if (pr->next_path == NULL && info->guesses > 1) {
		log_error("page %lld: %s: the body names its next page in more "
		    "than one field (%s, ...): choose one with --next-path",
		    n + 1, info->url, info->guess_name);
		return exit_protocol;
	} else if (pr->next_path == NULL && info->guesses == 1) {
		val = info->guess;
		if (val == NULL) {
			log_error("page %lld: %s: the body's \"%s\" is not a URL "
			    "or a token: name the next page's field with "
			    "--next-path", n + 1, info->url, info->guess_name);
			return exit_protocol;
		}
		if (pr->cursor_param != NULL)
			tmp = profile_next_url(pr, ex->run.base, url, val,
			    ex->t->limit);
		else if (strncmp(val, "http://", 7) == 0 ||
		    strncmp(val, "https://", 8) == 0 || *val == '/' ||
		    *val == '?')
			tmp = resolve_url(url, val);
		else {
			log_error("page %lld: %s: the body's \"%s\" holds a token "
			    "(\"%.40s\"), not a URL: say which query parameter "
			    "sends it back with --cursor-param", n + 1,
			    info->url, info->guess_name, val);
			return exit_protocol;
		}
	} else if (info->more) {
		log_error("page %lld: %s: the body says there is more "
		    "(has_more) but names no next page that invdump can follow "
		    "(see --next-path and --cursor-param)", n + 1, info->url);
		return exit_protocol;
	} else
		return exit_ok;         /* the end */
	if (tmp == NULL) {
		log_error("page %lld: %s: cannot follow the next page's "
		    "\"%.80s\"", n + 1, info->url, val);
		return exit_protocol;
	}
	v = origin_check(ex->origin, tmp, ex->t->allow_origins);
	if (v != origin_same && v != origin_allowed) {
		shown = log_redact_url(tmp);
		log_error("page %lld: %s: the next page %s is on %s", n + 1,
		    info->url, shown, origin_verdict_text(v));
		free(shown);
		curl_free(tmp);
		return exit_protocol;
	}
	*next = xstrdup(tmp);
	curl_free(tmp);
	return exit_ok;
}

/* The cursor plan: one page after another. */
static enum exit_status
export_cursor(struct export *ex, struct fetcher *f)
{
	const struct target *t = ex->t;
	struct fetch_info info;
	struct fetch_req req;
	struct pool_page page;
	struct keyset seen = { NULL, 0, 0 };
	enum exit_status st = exit_ok;
	char msg[1024], *url, *next, *tmp;
	long long n;

	memset(&info, 0, sizeof info);
	memset(&page, 0, sizeof page);
	buf_init(&page.data, MAX_PAGE_BYTES);
	buf_init(&page.keys, MAX_PAGE_BYTES);
	buf_init(&page.hashes, MAX_PAGE_BYTES);
	(void)plan_make(&ex->plan, -1, -1, t->limit);
	tmp = profile_page_url(&t->profile, ex->run.base, 0, t->limit);
	url = tmp != NULL ? xstrdup(tmp) : NULL;
	curl_free(tmp);
	for (n = 0; url != NULL; n++) {
		if (atomic_load(ex->stop)) {
			st = exit_interrupted;
			break;
		}
		memset(&req, 0, sizeof req);
		req.offset = n;
		req.limit = t->limit;
		req.url = url;
		req.out = &page.data;
		req.keys = t->key ? &page.keys : NULL;
		req.hashes = &page.hashes;
		st = fetch_page(f, &req, &info, msg, sizeof msg);
		if (st != exit_ok) {
			if (st != exit_interrupted)
				log_error("%s", msg);
			break;
		}
		page.items = info.items;
		if (n == 0 && info.has_total) {
			ex->plan.total = info.total;
			log_info("total: %lld items (%s)", info.total,
			    info.total_source);
		}
		if (check_page(ex, n, n, &page, msg, sizeof msg) < 0) {
			log_error("%s", msg);
			st = exit_protocol;
			break;
		}
		if (n == 0 && page.hashes.len >= sizeof ex->first_hash) {
			memcpy(&ex->first_hash, page.hashes.data,
			    sizeof ex->first_hash);
			ex->has_first = 1;
		}
		if (export_emit(ex, n, &page) != 0)
			break;
		if (info.next != NULL && seen_before(&seen,
		    hash_bytes(info.next, strlen(info.next)))) {
			log_error("page %lld: %s: the API gave a cursor it had "
			    "given before (a loop): \"%.80s\"", n + 1, info.url,
			    info.next);
			st = exit_protocol;
			break;
		}
		if ((st = cursor_next(ex, url, &info, n, &next)) != exit_ok)
			break;
		free(url);
		url = next;
	}
	free(url);
	free(seen.h);
	fetch_info_clear(&info);
	buf_free(&page.data);
	buf_free(&page.keys);
	buf_free(&page.hashes);
	if (st == exit_ok)
		log_info("%lld pages", n);
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
	if (ex->plan.total >= 0 && ex->items + ex->duplicates != ex->plan.total) {
		log_error("verification failed: wrote %lld items, the total was "
		    "%lld", ex->items, ex->plan.total);
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
	h->cacert = o->cacert;
	h->capath = o->capath;
	h->insecure = o->insecure;
	h->netrc = t->netrc;
	h->netrc_file = t->netrc_file;
	h->cancel = ex->stop;
	h->origin = ex->origin;
	h->allow_origins = t->allow_origins;
}

/* Publishes, or not: what the run's findings allow. */
static enum exit_status
export_finish(struct export *ex, enum exit_status st)
{
	const struct target *t = ex->t;

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
	if (ex->mismatch && !t->keep_mismatch && strcmp(t->output, "-") != 0) {
		log_error("nothing was published to %s: the export does not add "
		    "up (--keep-mismatch publishes it all the same)", t->output);
		return exit_mismatch;
	}
	if (writer_commit(ex->w) != writer_ok) {
		ex->w = NULL;
		return exit_output;
	}
	ex->w = NULL;
	if (atomic_load(&ex->run.retried) > 0)
		log_warn("%ld requests were retried (%ld throttled by the "
		    "server); every page arrived whole",
		    atomic_load(&ex->run.retried), atomic_load(&ex->run.throttled));
	log_info("wrote %lld items to %s", ex->items, t->output);
	return ex->mismatch ? exit_mismatch : exit_ok;
}

enum exit_status
export_run(const struct options *o, const struct target *t, atomic_int *stop)
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
	buf_init(&ex.prev_hashes, MAX_PAGE_BYTES);
	ex.o = o;
	ex.t = t;
	ex.stop = stop;
	progress_init(&ex.progress, o->progress > 0);
	if ((base = profile_base_url(&t->profile, t->url, err, sizeof err)) ==
	    NULL || (ex.origin = origin_of(t->url)) == NULL) {
		shown = log_redact_url(t->url);
		log_error("%s: %s", shown, base == NULL ? err :
		    "not an http or https URL");
		free(shown);
		st = exit_usage;
		goto out;
	}
	ex.run.o = o;
	ex.run.t = t;
	ex.run.base = base;
	ex.run.max_page = MAX_PAGE_BYTES;
	ex.run.defer_gzip = t->key != NULL;
	ex.run.limiter = &limiter;
	ex.run.cancel = stop;
	export_http_conf(&ex, o, t);
	if (t->key != NULL && t->gzip)
		ex.gz = gzmember_new(o->level);

	if ((ex.w = writer_open(t->output)) == NULL) {
		st = exit_output;
		goto out;
	}
	/* A cursor walks one page at a time: one worker is all it uses. */
	nworkers = t->profile.style == profile_style_cursor ? 1 : o->workers;
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

	if (t->profile.style == profile_style_cursor)
		st = export_cursor(&ex, wc[0].f);
	else
		st = export_offsets(&ex, wc, wctx, nworkers);
	progress_done(&ex.progress);
	st = export_finish(&ex, st);
out:
	writer_abort(ex.w);     /* nothing to keep unless committed */
	for (i = 0; i < nworkers; i++)
		fetcher_free(wc[i].f);
	free(wc);
	free(wctx);
	gzmember_free(ex.gz);
	buf_free(&ex.filtered);
	buf_free(&ex.packed);
	buf_free(&ex.prev_hashes);
	free(ex.prev.h);
	free(ex.cur.h);
	free(ex.origin);
	curl_url_cleanup(base);
	limiter_destroy(&limiter);
	pthread_mutex_destroy(&ex.fail_lock);
	return st;
}
