/*
 * export.c - one export run (see export.h).
 *
 * The first page is fetched by this thread alone: it says how many items
 * there are and how many the server really puts on a page (a server may
 * clamp the limit we ask for; the page size is taken from what it returned,
 * never from what we asked).  The remaining pages go to the pool; this
 * thread writes them in order as they come back, counts the items, and
 * publishes the file only if everything was written.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fetch.h"
#include "log.h"
#include "pool.h"
#include "profile.h"
#include "writer.h"
#include "xalloc.h"

#define MAX_PAGE_BYTES ((size_t)1 << 30)   /* one page's NDJSON */

struct export {
	const struct options *o;
	struct fetch_run run;
	struct writer *w;
	long long total;
	long long npages;
	long long items;                /* items written */
	int closed;                     /* stdout's reader went away */

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

/* Items page seq should hold if nothing changed on the server. */
static long long
expected_items(const struct export *ex, long long seq)
{
	long long left = ex->total - seq * ex->run.page_size;

	return left < ex->run.page_size ? left : ex->run.page_size;
}

static enum pool_work
export_work(void *arg, long long seq, struct pool_page *page)
{
	struct worker_ctx *wc = arg;
	struct export *ex = wc->ex;
	struct fetch_info info;
	enum exit_status st;
	char msg[1024];

	st = fetch_page(wc->f, seq * ex->run.page_size, &page->data, &info, msg,
	    sizeof msg);
	if (st != exit_ok) {
		export_fail(ex, st, msg);
		return pool_work_failed;
	}
	page->items = info.items;
	if (info.items != expected_items(ex, seq))
		log_warn("offset %lld: %lld items where %lld were expected "
		    "(the data changed during the export?)",
		    seq * ex->run.page_size, info.items, expected_items(ex, seq));
	return pool_work_done;
}

static int
export_emit(void *arg, long long seq, struct pool_page *page)
{
	struct export *ex = arg;

	(void)seq;
	switch (writer_write(ex->w, page->data.data, page->data.len)) {
	case writer_ok:
		ex->items += page->items;
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

static const struct pool_ops export_ops = { export_work, export_emit };

enum exit_status
export_run(const struct options *o, const atomic_int *cancel)
{
	struct export ex;
	struct worker_ctx *wc = NULL;
	void **wctx = NULL;
	struct fetch_info info;
	struct pool_page first;
	enum pool_result pr;
	enum exit_status st = exit_ok;
	char err[256], msg[1024], *shown;
	CURLU *base;
	struct limiter limiter;
	int i, nworkers = 0;

	memset(&ex, 0, sizeof ex);
	limiter_init(&limiter, 0);
	pthread_mutex_init(&ex.fail_lock, NULL);
	buf_init(&first.data, MAX_PAGE_BYTES);
	ex.o = o;
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
	limiter_destroy(&limiter);
	limiter_init(&limiter, o->rate);
	ex.run.limiter = &limiter;
	ex.run.cancel = cancel;

	if ((ex.w = writer_open(o->output)) == NULL) {
		st = exit_output;
		goto out;
	}
	wc = xcalloc(o->workers, sizeof *wc);
	wctx = xcalloc(o->workers, sizeof *wctx);
	for (i = 0; i < o->workers; i++) {
		wc[i].ex = &ex;
		if ((wc[i].f = fetcher_new(&ex.run)) == NULL) {
			st = exit_failure;
			goto out;
		}
		wctx[i] = &wc[i];
		nworkers++;
	}

	/* The first page, on worker 0's connection so it stays in use. */
	if ((st = fetch_page(wc[0].f, 0, &first.data, &info, msg,
	    sizeof msg)) != exit_ok) {
		if (st != exit_interrupted)
			log_error("%s", msg);
		goto out;
	}
	if (!info.has_total) {
		shown = log_redact_url(o->url);
		log_error("%s: no total item count in the first response "
		    "(%s%s%s%s%s); name it with --total-header or --profile",
		    shown, o->profile.total_header ? "no header " : "",
		    o->profile.total_header ? o->profile.total_header : "",
		    o->profile.total_header && o->profile.total_path ? ", " : "",
		    o->profile.total_path ? "no body field " : "",
		    o->profile.total_path ? o->profile.total_path : "");
		free(shown);
		st = exit_protocol;
		goto out;
	}
	ex.total = info.total;
	log_info("total: %lld items (%s)", ex.total, info.total_source);
	if (info.items < ex.total && info.items != o->limit) {
		if (info.items == 0) {
			log_error("offset 0: the first page is empty but the "
			    "total is %lld", ex.total);
			st = exit_protocol;
			goto out;
		}
		log_warn("asked for %ld items per page, the server sent %lld: "
		    "using %lld", o->limit, info.items, info.items);
		ex.run.page_size = (long)info.items;
	}
	ex.npages = info.items >= ex.total ? 1 :
	    (ex.total + ex.run.page_size - 1) / ex.run.page_size;
	log_info("%lld pages of %ld items, %d workers", ex.npages,
	    ex.run.page_size, o->workers);

	first.items = info.items;
	if (export_emit(&ex, 0, &first) != 0)
		goto finish;
	pr = pool_run(nworkers, wctx, 1, ex.npages, 2 * nworkers,
	    MAX_PAGE_BYTES, &export_ops, &ex, cancel);
	if (pr == pool_result_cancelled) {
		st = exit_interrupted;
		goto out;
	}
finish:
	if (ex.fail_status != exit_ok) {
		if (ex.fail_msg[0] != '\0' && ex.fail_status != exit_interrupted)
			log_error("%s", ex.fail_msg);
		st = ex.fail_status;
		goto out;
	}
	if (ex.closed) {
		/* Our reader stopped reading (| head): not an error. */
		log_info("standard output closed after %lld items", ex.items);
		st = exit_ok;
		goto out;
	}
	if (ex.items != ex.total) {
		log_error("verification failed: wrote %lld items, the total "
		    "was %lld", ex.items, ex.total);
		st = exit_mismatch;
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
	log_info("wrote %lld items in %lld pages to %s", ex.items, ex.npages,
	    o->output);
out:
	if (st != exit_ok && st != exit_mismatch)
		writer_abort(ex.w);
	else if (ex.w != NULL)
		writer_abort(ex.w);     /* stdout closed early: nothing to keep */
	for (i = 0; i < nworkers; i++)
		fetcher_free(wc[i].f);
	free(wc);
	free(wctx);
	buf_free(&first.data);
	curl_url_cleanup(base);
	limiter_destroy(&limiter);
	pthread_mutex_destroy(&ex.fail_lock);
	return st;
}
