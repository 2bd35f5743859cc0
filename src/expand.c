/*
 * expand.c - --expand: the listing, then the details (see expand.h).
 *
 * DESIGN
 *
 * Two pools, one run.  The listing (export_offsets or cursor_run, exactly
 * as without --expand) runs as a task of the run's crew (crew.h), queued
 * before the details' helpers so that a crew thread takes it first, with
 * expand_listing_workers() workers: a page carries ~100 items, so a few
 * listing requests keep all the detail requests busy.  Its emitter, in
 * page order, hands every item line to expand_push, which copies it into
 * a bounded ring of items (ITEMS_HELD lines, ITEMS_BYTES bytes); a full
 * ring makes the listing's emitter wait, so the listing's own window fills
 * and its workers stop: memory stays flat at any total.
 *
 * The details are pool.c's jobs, numbered item * R + r for the R templates
 * (one without NAME=, one per relation with).  A job's worker waits for its
 * item in the ring (or the listing's end: then the job is past the end),
 * copies it, fills the template, and fetches the URL through fetch.c as a
 * single-object body (the object profile: [body] is one line), with the
 * run's limiter, verdicts and retries; a wait for a retry puts the job
 * aside as a listing page's would be.  An item leaves the ring once its R
 * jobs are over (done or failed for good), so the ring's head may wait for
 * a job put aside.  The pool's window bounds the details held for the
 * emitter (bytes, and MAX_AHEAD_ITEMS items).
 *
 * The details' emitter is the export's own thread (the main thread, or the
 * crew thread running the target with --jobs), the only writer of the
 * output: in job order it assembles each item's line (the detail itself,
 * or the item with "NAME":relation appended as its last members), gathers
 * lines into batches (one gzip member, one writer page end each) and
 * writes them.
 *
 * No line holds a key twice.  A relation's NAME that the item has as a
 * top-level key (tmpl_members, one yajl walk of the item) ends the run
 * (exit 7) when the listing pushes the item, before any of its details is
 * asked; with --expand-replace the emitter walks the item instead and
 * puts the relation's value in the place of the member's own, so the key
 * keeps its position.  A detail that fails for good (after retries, or a field
 * the template cannot be filled from) leaves its item out: said on stderr
 * (the first MAX_SAID), counted, and the run ends "does not add up" (exit
 * 3); but a detail throttled past its retries (exit 5), or refused for its
 * credentials (401/403) before any detail got through (exit 4), ends the
 * run at once, as a listing page would.  A signal, --max-time, the
 * listing's failure or the output's stop every request of both pools (the
 * run's stop flag; the ring's abort).
 *
 * Requests in flight: both pools' fetchers count as the export's one
 * member of the run's hosts (host.h), whose share is at most --workers.
 *
 * Credentials: a detail URL on the listing's origin or an --allow-origin
 * one goes through a fetcher with the target's credentials (-u, -H,
 * netrc); any other through one without (no Authorization, no -H, no
 * user:password, no netrc); https to http is refused.
 *
 * Locks: xp->lock guards the ring (head, pushed, bytes, ended, aborted);
 * it is a leaf, like every lock of the run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crew.h"
#include "expand.h"
#include "export.h"
#include "fail.h"
#include "pack.h"
#include "log.h"
#include "origin.h"
#include "profile.h"
#include "run.h"
#include "thread.h"
#include "tmpl.h"
#include "xalloc.h"

#define ITEMS_HELD      1024            /* item lines in the ring */
#define ITEMS_BYTES     ((size_t)8 << 20)
#define MAX_AHEAD_ITEMS 1024            /* details ahead of the emitter */
#define WINDOW_BYTES    ((size_t)8 << 20)
#define BATCH_BYTES     ((size_t)64 << 10)
#define BATCH_LINES     256
#define MAX_SAID        20              /* failures said one by one */

struct held {
	char *line;             /* NULL: free */
	size_t len;
	int refs;               /* jobs of this item not over yet */
};

struct expand {
	struct export *ex;
	int named;                      /* NAME=TEMPLATE form */
	int nrel;                       /* R */
	int replace;                    /* --expand-replace */
	struct tmpl *tm[TARGET_MAX_EXPAND];
	const char *name[TARGET_MAX_EXPAND];
	size_t namelen[TARGET_MAX_EXPAND];

	/* The details' requests: with and without credentials. */
	struct target dt;
	struct fetch_run trusted, bare;
	int made;                       /* the ring and buffers exist */

	/* The ring of items (lock). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct held ring[ITEMS_HELD];
	long long head;                 /* the oldest item held */
	long long pushed;               /* items pushed */
	size_t bytes;
	int ended;                      /* the listing is over */
	int aborted;                    /* the details stopped */

	/* The listing's task (a crew thread's). */
	expand_listing_fn *listing;
	void *listing_arg;
	enum exit_status listing_status;
	struct crew_task listing_task;
	int listing_over;               /* its task ended (lock) */

	/* The emitter's (main thread). */
	struct buf line, batch;
	struct packer *pk;      /* the batches' (NULL: not compressed) */
	long long batch_lines;
	int item_failed;
	long long lines, items_failed, said;

	/* The emitter's, with --expand-replace: the item's members that
	 * relations replace (nrepl of them, order[] by place in the item)
	 * and the relations' values for them, in vals. */
	struct tmpl_member mem[TARGET_MAX_EXPAND];
	int order[TARGET_MAX_EXPAND], nrepl;
	size_t val_at[TARGET_MAX_EXPAND], val_len[TARGET_MAX_EXPAND];
	struct buf vals, spliced;
	atomic_llong fetched, failed;
};

struct xworker {
	struct expand *xp;
	struct fetcher *trusted, *bare;
};

int
expand_listing_workers(const struct options *o)
{
	return o->workers / 16 > 1 ? o->workers / 16 : 1;
}

/* A run for the details: the object profile, no --key, no compression
 * (the emitter compresses whole lines). */
static void
expand_fetch_run(struct expand *xp, struct fetch_run *r, int credentials)
{
	struct export *ex = xp->ex;

	memset(r, 0, sizeof *r);
	r->o = ex->o;
	r->t = &xp->dt;
	r->base = ex->run.base;
	r->http = ex->run.http;
	r->max_page = MAX_PAGE_BYTES;
	r->hosts = ex->run.hosts;
	r->session = credentials ? ex->run.session : NULL;
	r->home = ex->run.home;
	r->member = ex->run.member;
	r->cancel = ex->run.cancel;
	r->hedge.first_free = ex->run.hedge.first_free;
	if (!credentials) {
		r->http.userpwd = NULL;
		r->http.headers = NULL;
		r->http.netrc = 0;
		r->http.netrc_file = NULL;
		r->http.jar = NULL;
		r->http.auth_cookie = NULL;
		/* No credentials to guard on its redirects. */
		r->http.origin = NULL;
		r->http.allow_origins = NULL;
	}
}

struct expand *
expand_new(struct export *ex)
{
	const struct target *t = ex->t;
	struct expand *xp = xcalloc(1, sizeof *xp);
	const char *arg, *eq;
	char err[256];
	int i;

	xp->ex = ex;
	xp->nrel = t->nexpand;
	xp->named = t->expand_named;
	xp->replace = t->expand_replace;
	for (i = 0; i < t->nexpand; i++) {
		arg = t->expand[i];
		if (xp->named && (eq = strchr(arg, '=')) != NULL) {
			xp->name[i] = arg;
			xp->namelen[i] = (size_t)(eq - arg);
			arg = eq + 1;
		}
		if ((xp->tm[i] = tmpl_new(arg, err, sizeof err)) == NULL) {
			log_error("--expand %s: %s", t->expand[i], err);
			expand_free(xp);
			return NULL;
		}
	}
	xp->dt = *t;
	xp->dt.profile = *profile_find("object");
	xp->dt.key = NULL;
	xp->dt.gzip = 0;
	xp->made = 1;
	expand_fetch_run(xp, &xp->trusted, 1);
	expand_fetch_run(xp, &xp->bare, 0);
	thread_mutex_init(&xp->lock);
	thread_cond_init(&xp->cond);
	buf_init(&xp->line, MAX_PAGE_BYTES);
	buf_init(&xp->batch, MAX_PAGE_BYTES);
	buf_init(&xp->vals, MAX_PAGE_BYTES);
	buf_init(&xp->spliced, MAX_PAGE_BYTES);
	xp->pk = packer_new(t->gzip, ex->o->level, MAX_PAGE_BYTES);
	return xp;
}

void
expand_free(struct expand *xp)
{
	int i;

	if (xp == NULL)
		return;
	for (i = 0; i < xp->nrel; i++)
		tmpl_free(xp->tm[i]);
	if (xp->made) {
		thread_cond_destroy(&xp->cond);
		thread_mutex_destroy(&xp->lock);
		for (i = 0; i < ITEMS_HELD; i++)
			free(xp->ring[i].line);
		buf_free(&xp->line);
		buf_free(&xp->batch);
		buf_free(&xp->vals);
		buf_free(&xp->spliced);
		packer_free(xp->pk);
	}
	free(xp);
}

/* --- the ring of items ------------------------------------------------ */

/* Item i (line, len bytes) for messages: its first template's first
 * field ("id=123"), else its number. */
static void
item_label(const struct expand *xp, const char *line, size_t len,
    long long i, char *label, size_t labelsz)
{
	char err[256];

	free(tmpl_fill(xp->tm[0], line, len, label, labelsz, err, sizeof err));
	if (label[0] == '\0')
		snprintf(label, labelsz, "item %lld", i + 1);
}

/* Without --expand-replace, a relation named as one of the item's own
 * top-level keys would write that key twice: the run's failure, said
 * before any detail of the item is asked. */
static int
expand_collides(struct expand *xp, const char *line, size_t len)
{
	struct tmpl_member m[TARGET_MAX_EXPAND];
	char label[96], msg[768];
	int r;

	if (tmpl_members(line, len, xp->name, xp->namelen, xp->nrel, m) < 0) {
		item_label(xp, line, len, xp->pushed, label, sizeof label);
		snprintf(msg, sizeof msg, "%s: the listing's item is not a JSON "
		    "object that can be read", label);
		fail_run(xp->ex, exit_protocol, msg);
		return -1;
	}
	for (r = 0; r < xp->nrel && m[r].count == 0; r++)
		;
	if (r == xp->nrel)
		return 0;
	item_label(xp, line, len, xp->pushed, label, sizeof label);
	snprintf(msg, sizeof msg, "%s: the item has the key \"%.*s\" already: "
	    "--expand %.*s=... would write it twice; give the relation "
	    "another NAME, or --expand-replace to put it in the place of the "
	    "item's own", label, (int)xp->namelen[r], xp->name[r],
	    (int)xp->namelen[r], xp->name[r]);
	fail_run(xp->ex, exit_protocol, msg);
	return -1;
}

int
expand_push(struct expand *xp, const char *line, size_t len)
{
	struct export *ex = xp->ex;
	struct held *h;
	char msg[256], start[64];
	int rc = 0;

	if (xp->named && (len == 0 || line[0] != '{')) {
		/* The line is not NUL-terminated: at most its first bytes. */
		log_snippet(start, sizeof start, line, len < 20 ? len : 20);
		snprintf(msg, sizeof msg, "item %lld of the listing is not a "
		    "JSON object (it starts \"%s\"): --expand NAME=... has "
		    "nothing to attach its relations to", xp->pushed + 1, start);
		fail_run(ex, exit_protocol, msg);
		return -1;
	}
	if (xp->named && !xp->replace && expand_collides(xp, line, len) < 0)
		return -1;
	thread_lock(&xp->lock);
	while (!xp->aborted && !atomic_load(ex->stop) &&
	    (xp->pushed - xp->head >= ITEMS_HELD ||
	    (xp->bytes + len > ITEMS_BYTES && xp->pushed > xp->head)))
		thread_wait_ms(&xp->cond, &xp->lock, 100);
	if (xp->aborted || atomic_load(ex->stop))
		rc = -1;
	else {
		h = &xp->ring[xp->pushed % ITEMS_HELD];
		h->line = xstrndup(line, len);
		h->len = len;
		h->refs = xp->nrel;
		xp->bytes += len;
		xp->pushed++;
		thread_broadcast(&xp->cond);
	}
	thread_unlock(&xp->lock);
	return rc;
}

/* Item i into out: 1; 0 past the listing's end; -1 when the run stops. */
static int
ring_get(struct expand *xp, long long i, struct buf *out)
{
	int rc;

	thread_lock(&xp->lock);
	while (i >= xp->pushed && !xp->ended && !atomic_load(xp->ex->stop))
		thread_wait_ms(&xp->cond, &xp->lock, 100);
	if (i < xp->pushed) {
		const struct held *h = &xp->ring[i % ITEMS_HELD];

		rc = buf_add(out, h->line, h->len) < 0 ? -1 : 1;
	} else
		rc = xp->ended ? 0 : -1;
	thread_unlock(&xp->lock);
	return rc;
}

/* One job of item i is over: the item leaves when its last one is. */
static void
ring_release(struct expand *xp, long long i)
{
	struct held *h;

	thread_lock(&xp->lock);
	h = &xp->ring[i % ITEMS_HELD];
	if (--h->refs == 0) {
		free(h->line);
		h->line = NULL;
		xp->bytes -= h->len;
		while (xp->head < xp->pushed &&
		    xp->ring[xp->head % ITEMS_HELD].line == NULL)
			xp->head++;
		thread_broadcast(&xp->cond);
	}
	thread_unlock(&xp->lock);
}

static void
ring_close(struct expand *xp, int abort)
{
	thread_lock(&xp->lock);
	if (abort)
		xp->aborted = 1;
	else
		xp->ended = 1;
	thread_broadcast(&xp->cond);
	thread_unlock(&xp->lock);
}

/* --- the details' pool ------------------------------------------------- */

/* A detail that failed for good: its message is the page. */
static enum pool_work
detail_failed(struct expand *xp, long long i, struct pool_page *page,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum pool_work
detail_failed(struct expand *xp, long long i, struct pool_page *page,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	buf_reset(&page->data);
	(void)buf_adds(&page->data, msg);
	page->items = -1;
	atomic_fetch_add(&xp->failed, 1);
	ring_release(xp, i);
	return pool_work_done;
}

static enum pool_work
expand_work(void *arg, long long seq, struct pool_page *page)
{
	struct xworker *xw = arg;
	struct expand *xp = xw->xp;
	struct export *ex = xp->ex;
	long long i = seq / xp->nrel;
	int r = (int)(seq % xp->nrel), rc;
	struct fetcher **f;
	struct fetch_info info;
	struct fetch_req req;
	enum origin_verdict v;
	enum exit_status st;
	char label[96], err[512], msg[1024], *url, *shown;

	if ((rc = ring_get(xp, i, &page->keys)) <= 0)
		return rc == 0 ? pool_work_end : pool_work_failed;
	url = tmpl_fill(xp->tm[r], page->keys.data, page->keys.len, label,
	    sizeof label, err, sizeof err);
	if (label[0] == '\0')
		snprintf(label, sizeof label, "item %lld", i + 1);
	if (url == NULL)
		return detail_failed(xp, i, page, "%s: --expand %s: %s", label,
		    ex->t->expand[r], err);
	v = origin_check(ex->origin, url, ex->t->allow_origins);
	if (v == origin_downgrade || v == origin_bad) {
		shown = log_redact_url(url);
		free(url);
		rc = (int)v;
		detail_failed(xp, i, page, "%s: %s: refused: %s", label, shown,
		    origin_verdict_text((enum origin_verdict)rc));
		free(shown);
		return pool_work_done;
	}
	f = v == origin_foreign ? &xw->bare : &xw->trusted;
	memset(&req, 0, sizeof req);
	memset(&info, 0, sizeof info);
	req.offset = i;
	req.url = url;
	req.what = label;
	req.out = &page->data;
	st = fetch_page_step(*f, &req, &info, &page->later, msg, sizeof msg);
	fetch_info_clear(&info);
	free(url);
	if (st == exit_ok && page->later.wait_ms > 0)
		return pool_work_later;
	if (st == exit_interrupted)
		return pool_work_failed;
	/* A server that keeps throttling, or credentials refused before
	 * any detail got through, are the run's failure, not an item's:
	 * every other detail would meet them too. */
	if (st == exit_throttled || (st == exit_auth &&
	    atomic_load(&xp->fetched) == 0)) {
		fail_run(ex, st, msg);
		return pool_work_failed;
	}
	if (st != exit_ok)
		return detail_failed(xp, i, page, "%s", msg);
	page->items = 1;
	atomic_fetch_add(&xp->fetched, 1);
	ring_release(xp, i);
	return pool_work_done;
}

/* --- the details' emitter (the main thread) ---------------------------- */

static void
expand_progress(struct expand *xp)
{
	struct export *ex = xp->ex;
	struct progress_counts c;

	c.items = xp->lines;
	c.bytes = writer_bytes(ex->w);
	c.requests = atomic_load(&ex->run.requests) +
	    atomic_load(&xp->trusted.requests) + atomic_load(&xp->bare.requests);
	c.inflight = atomic_load(&ex->run.inflight) +
	    atomic_load(&xp->trusted.inflight) + atomic_load(&xp->bare.inflight);
	c.retries = atomic_load(&ex->run.retried) +
	    atomic_load(&xp->trusted.retried) + atomic_load(&xp->bare.retried);
	c.throttles = atomic_load(&ex->run.throttled) +
	    atomic_load(&xp->trusted.throttled) +
	    atomic_load(&xp->bare.throttled);
	progress_update(&ex->progress, &c);
}

/* The batch to the writer: one gzip member, one page end. */
static int
expand_flush(struct expand *xp)
{
	struct export *ex = xp->ex;
	const struct buf *b;

	if (xp->batch_lines == 0)
		return 0;
	if ((b = pack_lines(xp->pk, &xp->batch)) == NULL) {
		fail_run(ex, exit_output, "details: cannot compress");
		return -1;
	}
	if (fail_output(ex, writer_write(ex->w, b->data, b->len)) < 0 ||
	    fail_output(ex, writer_page_end(ex->w,
	    (unsigned long long)xp->batch_lines)) < 0)
		return -1;
	xp->lines += xp->batch_lines;
	xp->batch_lines = 0;
	buf_reset(&xp->batch);
	expand_progress(xp);
	return 0;
}

/* A line without its newline. */
static size_t
chomp(const struct buf *b)
{
	return b->len > 0 && b->data[b->len - 1] == '\n' ? b->len - 1 : b->len;
}

static int
expand_too_big(struct expand *xp)
{
	fail_run(xp->ex, exit_protocol, "an expanded item is over 1 GiB");
	return -1;
}

/*
 * With --expand-replace: which of the item's members (item, len bytes)
 * relations replace, in order of their place in it.  An item that holds
 * such a key more than once is the run's failure: replacing one would
 * leave the other's old value, and the key twice.
 */
static int
expand_replaced(struct expand *xp, long long i, const char *item, size_t len)
{
	char label[96], msg[512];
	int r, k;

	xp->nrepl = 0;
	buf_reset(&xp->vals);
	if (tmpl_members(item, len, xp->name, xp->namelen, xp->nrel,
	    xp->mem) < 0) {
		item_label(xp, item, len, i, label, sizeof label);
		snprintf(msg, sizeof msg, "%s: the listing's item is not a JSON "
		    "object that can be read", label);
		fail_run(xp->ex, exit_protocol, msg);
		return -1;
	}
	for (r = 0; r < xp->nrel; r++) {
		if (xp->mem[r].count > 1) {
			item_label(xp, item, len, i, label, sizeof label);
			snprintf(msg, sizeof msg, "%s: the item has the key "
			    "\"%.*s\" %d times: --expand-replace cannot replace "
			    "one member of it", label, (int)xp->namelen[r],
			    xp->name[r], xp->mem[r].count);
			fail_run(xp->ex, exit_protocol, msg);
			return -1;
		}
		if (xp->mem[r].count == 0)
			continue;
		for (k = xp->nrepl++; k > 0 &&
		    xp->mem[xp->order[k - 1]].start > xp->mem[r].start; k--)
			xp->order[k] = xp->order[k - 1];
		xp->order[k] = r;
	}
	return 0;
}

/* Item i's line begins: the item without its closing brace (NAME=). */
static int
expand_begin(struct expand *xp, long long i, const struct buf *keys)
{
	size_t n = chomp(keys);

	buf_reset(&xp->line);
	xp->item_failed = 0;
	xp->nrepl = 0;
	if (!xp->named)
		return 0;
	if (xp->replace && expand_replaced(xp, i, keys->data, n) < 0)
		return -1;
	if (buf_add(&xp->line, keys->data, n ? n - 1 : 0) < 0)
		return expand_too_big(xp);
	return 0;
}

/* Relation r's value: kept for the member it replaces, or appended to
 * the line as "NAME":value. */
static int
expand_attach(struct expand *xp, int r, const struct buf *data)
{
	size_t n = xp->line.len;
	int ok = 0;

	if (xp->nrepl > 0 && xp->mem[r].count > 0) {
		xp->val_at[r] = xp->vals.len;
		xp->val_len[r] = chomp(data);
		return buf_add(&xp->vals, data->data, chomp(data));
	}
	if (n > 0 && xp->line.data[n - 1] != '{')
		ok |= buf_addc(&xp->line, ',');
	ok |= buf_addc(&xp->line, '"');
	ok |= buf_add(&xp->line, xp->name[r], xp->namelen[r]);
	ok |= buf_adds(&xp->line, "\":");
	ok |= buf_add(&xp->line, data->data, chomp(data));
	return ok;
}

/* The whole line: the item's replaced values swapped for the relations'
 * (every member keeps its place), closed; NULL when over 1 GiB. */
static const struct buf *
expand_line(struct expand *xp)
{
	struct buf *out = &xp->line;
	size_t at = 0;
	int k, r, ok = 0;

	if (xp->nrepl > 0) {
		out = &xp->spliced;
		buf_reset(out);
		for (k = 0; k < xp->nrepl; k++) {
			r = xp->order[k];
			ok |= buf_add(out, xp->line.data + at,
			    xp->mem[r].start - at);
			ok |= buf_add(out, xp->vals.data + xp->val_at[r],
			    xp->val_len[r]);
			at = xp->mem[r].end;
		}
		ok |= buf_add(out, xp->line.data + at, xp->line.len - at);
	}
	if (xp->named)
		ok |= buf_adds(out, "}\n");
	return ok < 0 ? NULL : out;
}

static int
expand_emit(void *arg, long long seq, struct pool_page *page)
{
	struct expand *xp = arg;
	const struct buf *line;
	int r = (int)(seq % xp->nrel), ok = 0;

	if (r == 0 && expand_begin(xp, seq / xp->nrel, &page->keys) < 0)
		return -1;
	if (page->items < 0) {
		xp->item_failed = 1;
		if (xp->said++ < MAX_SAID)
			log_error("detail failed: %.*s", (int)page->data.len,
			    page->data.data);
	} else if (xp->named)
		ok = expand_attach(xp, r, &page->data);
	else
		ok = buf_add(&xp->line, page->data.data, page->data.len);
	if (ok < 0)
		return expand_too_big(xp);
	if (r < xp->nrel - 1)
		return 0;
	if (xp->item_failed) {
		xp->items_failed++;
		return 0;
	}
	if ((line = expand_line(xp)) == NULL ||
	    buf_add(&xp->batch, line->data, line->len) < 0)
		return expand_too_big(xp);
	xp->batch_lines++;
	if (xp->batch.len >= BATCH_BYTES || xp->batch_lines >= BATCH_LINES)
		return expand_flush(xp);
	return 0;
}

static const struct pool_ops expand_ops = { expand_work, expand_emit, NULL };

/* --- the run --------------------------------------------------------- */

/* A crew task: the listing, then the ring's end. */
static void
expand_listing_main(void *arg)
{
	struct expand *xp = arg;
	struct export *ex = xp->ex;
	int zero = 0;

	log_set_target(ex->t->name, &ex->first_error);
	xp->listing_status = xp->listing(ex, xp->listing_arg);
	/* A listing that failed stops the details: their items would be an
	 * export that can be only partly right. */
	if (xp->listing_status != exit_ok)
		atomic_compare_exchange_strong(ex->stop, &zero, STOP_FAILED);
	thread_lock(&xp->lock);
	xp->listing_over = 1;
	thread_unlock(&xp->lock);
	ring_close(xp, 0);
}

/* The listing's task is over, or was taken back before it began (then
 * nothing was listed: the details stopped first). */
static void
expand_listing_join(struct expand *xp)
{
	if (crew_take_back(xp->ex->crew, &xp->listing_task)) {
		xp->listing_status = exit_ok;
		return;
	}
	thread_lock(&xp->lock);
	while (!xp->listing_over)
		thread_wait_ms(&xp->cond, &xp->lock, 100);
	thread_unlock(&xp->lock);
}

enum exit_status
expand_run(struct expand *xp, expand_listing_fn *listing, void *arg)
{
	struct export *ex = xp->ex;
	const struct options *o = ex->o;
	struct xworker *xw;
	void **wctx;
	struct pool_window win;
	enum pool_result pr;
	enum exit_status st = exit_ok;
	int i, n = o->workers;

	xp->listing = listing;
	xp->listing_arg = arg;
	/* Queued before the details' helpers: a crew thread takes it first. */
	xp->listing_task.fn = expand_listing_main;
	xp->listing_task.arg = xp;
	crew_add(ex->crew, &xp->listing_task);
	xw = xcalloc((size_t)n, sizeof *xw);
	wctx = xcalloc((size_t)n, sizeof *wctx);
	for (i = 0; i < n; i++) {
		xw[i].xp = xp;
		wctx[i] = &xw[i];
		if ((xw[i].trusted = fetcher_new(&xp->trusted)) == NULL ||
		    (xw[i].bare = fetcher_new(&xp->bare)) == NULL) {
			log_error("cannot make the details' HTTP clients");
			ring_close(xp, 1);
			atomic_store(ex->stop, STOP_FAILED);
			n = i + 1;
			pr = pool_result_failed;
			st = exit_failure;
			goto out;
		}
	}
	win.max_bytes = WINDOW_BYTES;
	win.max_ahead = (long long)MAX_AHEAD_ITEMS * xp->nrel;
	pr = pool_run(ex->crew, n, wctx, 0, POOL_NO_END, &win, MAX_PAGE_BYTES,
	    &expand_ops, xp, ex->stop);
	if (pr == pool_result_ok && expand_flush(xp) < 0)
		pr = pool_result_failed;
	if (pr != pool_result_ok) {
		/* The listing waits no more for room in the ring. */
		ring_close(xp, 1);
	}
out:
	expand_listing_join(xp);
	for (i = 0; i < n; i++) {
		fetcher_free(xw[i].trusted);
		fetcher_free(xw[i].bare);
	}
	free(xw);
	free(wctx);
	if (st != exit_ok)
		return st;
	if (xp->listing_status != exit_ok)
		return xp->listing_status;
	if (pr != pool_result_ok && ex->fail_status == exit_ok &&
	    !ex->closed && atomic_load(ex->stop) != 0)
		st = exit_interrupted;
	return st;
}

void
expand_verify(struct expand *xp)
{
	long long failed = atomic_load(&xp->failed);

	if (failed == 0)
		return;
	if (xp->said > MAX_SAID)
		log_error("... and %lld more failed details (the first %d "
		    "are shown)", xp->said - MAX_SAID, MAX_SAID);
	log_error("%lld detail requests failed: %lld items are left out of "
	    "the output", failed, xp->items_failed);
	xp->ex->mismatch = 1;
}

void
expand_counts(const struct expand *xp, struct expand_counts *c)
{
	memset(c, 0, sizeof *c);
	if (xp == NULL)
		return;
	c->lines = xp->lines;
	c->fetched = atomic_load(&xp->fetched);
	c->failed = atomic_load(&xp->failed);
	c->items_failed = xp->items_failed;
	c->requests = atomic_load(&xp->trusted.requests) +
	    atomic_load(&xp->bare.requests);
	c->retried = atomic_load(&xp->trusted.retried) +
	    atomic_load(&xp->bare.retried);
	c->throttled = atomic_load(&xp->trusted.throttled) +
	    atomic_load(&xp->bare.throttled);
}
