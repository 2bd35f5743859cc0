/*
 * cursor.c - the cursor plan: each page names the next, so pages come one
 * after another, in constant memory, on the export's own thread (the main
 * thread, or a crew thread running the target with --jobs).
 *
 * Owns following a next page: the profile's own (--next-path, Link
 * rel="next"), else the one common next-page field a body has; refusing a
 * cursor that comes back (a loop), a next page on another origin, and a
 * body that says there is more but cannot be followed.  Never runs the
 * pool: a cursor cannot be fetched ahead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hashset.h"
#include "log.h"
#include "origin.h"
#include "profile.h"
#include "run.h"
#include "xalloc.h"

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
			tmp = check_resolve_url(url, val);
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

/* The first page to ask for, and its number: page 0, or the page after
 * the last checkpoint of a resumed walk (NULL when it had ended). */
static enum exit_status
cursor_start(struct export *ex, char **url, long long *n)
{
	const struct target *t = ex->t;
	enum exit_status st;
	char *tmp;

	*n = 0;
	(void)plan_make(&ex->plan, -1, -1, t->limit);
	tmp = profile_page_url(&t->profile, ex->run.base, 0, t->limit);
	*url = tmp != NULL ? xstrdup(tmp) : NULL;
	curl_free(tmp);
	if ((st = resume_start(ex, -1, t->limit)) != exit_ok) {
		free(*url);
		*url = NULL;
	} else if ((*n = resume_next_page(ex)) > 0) {
		free(*url);
		*url = ex->rs.next != NULL ? xstrdup(ex->rs.next) : NULL;
		if (ex->rs.total >= 0)
			ex->plan.total = ex->expect_items = ex->rs.total;
	}
	return st;
}

/* What a walk keeps from page to page. */
struct walk {
	struct fetch_info info;
	struct pool_page page;
	struct hashset seen;    /* the cursors followed */
};

/* Page n of the walk, at url: fetched, checked, written, and the cursor
 * to the next (*next; NULL at the end).  0 to go on; -1 to stop, with
 * *st why (exit_ok when the emitter failed: that is the run's failure). */
static int
cursor_page(struct export *ex, struct fetcher *f, struct walk *wk,
    const char *url, long long n, char **next, enum exit_status *st)
{
	const struct target *t = ex->t;
	struct fetch_req req;
	char msg[1024];

	memset(&req, 0, sizeof req);
	req.offset = n;
	req.limit = t->limit;
	req.url = url;
	req.out = &wk->page.data;
	req.keys = t->key ? &wk->page.keys : NULL;
	req.hashes = &wk->page.hashes;
	*next = NULL;
	if ((*st = fetch_page(f, &req, &wk->info, msg, sizeof msg)) != exit_ok) {
		if (*st != exit_interrupted)
			log_error("%s", msg);
		return -1;
	}
	wk->page.items = wk->info.items;
	if (n == 0 && wk->info.has_total) {
		ex->plan.total = ex->expect_items = wk->info.total;
		log_info("total: %lld items (%s)", wk->info.total,
		    wk->info.total_source);
	}
	if (check_page(ex, n, n, &wk->page, msg, sizeof msg) < 0) {
		log_error("%s", msg);
		*st = exit_protocol;
		return -1;
	}
	if (n == 0 && wk->page.hashes.len >= sizeof ex->first_hash) {
		memcpy(&ex->first_hash, wk->page.hashes.data,
		    sizeof ex->first_hash);
		ex->has_first = 1;
	}
	if (emit_page(ex, n, &wk->page) != 0)
		return -1;
	if (t->profile.style != profile_style_single &&
	    (*st = cursor_next(ex, url, &wk->info, n, next)) != exit_ok)
		return -1;
	/* The URL to be asked, however the page named it (a header, a
	 * named field, a field guessed, relative or absolute). */
	if (*next != NULL && hashset_add(&wk->seen, hash_bytes(*next,
	    strlen(*next)))) {
		log_error("page %lld: %s: the API gave a cursor it had given "
		    "before (a loop): \"%.80s\"", n + 1, wk->info.url, *next);
		free(*next);
		*next = NULL;
		*st = exit_protocol;
		return -1;
	}
	return 0;
}

/* The cursor plan: one page after another. */
enum exit_status
cursor_run(struct export *ex, struct fetcher *f)
{
	struct walk wk = { .seen = HASHSET_INIT };
	enum exit_status st = exit_ok;
	char *url, *next;
	long long n = 0;

	buf_init(&wk.page.data, MAX_PAGE_BYTES);
	buf_init(&wk.page.keys, MAX_PAGE_BYTES);
	buf_init(&wk.page.hashes, MAX_PAGE_BYTES);
	st = cursor_start(ex, &url, &n);
	for (; url != NULL; n++) {
		if (atomic_load(ex->stop)) {
			st = exit_interrupted;
			break;
		}
		if (cursor_page(ex, f, &wk, url, n, &next, &st) < 0)
			break;
		free(ex->cursor_next);
		ex->cursor_next = next != NULL ? xstrdup(next) : NULL;
		if (resume_checkpoint(ex, n, next, 0) < 0) {
			free(next);
			st = exit_output;
			break;
		}
		free(url);
		url = next;
	}
	free(url);
	hashset_free(&wk.seen);
	fetch_info_clear(&wk.info);
	buf_free(&wk.page.data);
	buf_free(&wk.page.keys);
	buf_free(&wk.page.hashes);
	if (st == exit_ok)
		log_info("%lld pages", n);
	return st;
}
