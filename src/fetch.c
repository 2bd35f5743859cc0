/*
 * fetch.c - one page from request to gzip member (see fetch.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/mprintf.h>

#include "bookmark.h"
#include "clock.h"
#include "fetch.h"
#include "hash.h"
#include "log.h"
#include "pack.h"
#include "page.h"
#include "profile.h"
#include "total.h"
#include "verdict.h"
#include "xalloc.h"

/*
 * A fetcher has two lanes, each an HTTP client (a connection), a page
 * parser and the NDJSON it writes: http, parser and nd are the lane in
 * use; http2, parser2 and nd2 the spare, for a second request when a
 * response stalls (hedging: off when http2 is NULL).  When the spare's
 * response wins, the lanes trade places.  Both clients share one multi,
 * so the connection left open is reused whichever lane asks next.
 */
struct fetcher {
	struct fetch_run *run;
	struct http_multi *multi;
	struct http_client *http, *http2;
	page_parser *parser, *parser2;
	struct buf *nd, *nd2;
	struct buf lane_nd[2];
	struct page_opts popts;
	struct packer *pk;      /* NULL: pages leave uncompressed */
	unsigned int seed;      /* this worker's jitter */
	int single;             /* the object profile: the body is one item,
	                           parsed as [ body ] */
	int opened;             /* single: the "[" was fed */
	int opened2;            /* ... to the spare lane's parser */
	struct host *host;      /* the host of the request under way */
	int hedge_slot;         /* its hedge holds a slot of that host */
	int warm;               /* fetcher_warm ran */
	int out;                /* a request of ours went out (counted in
	                           run->fetchers_out) */
	void (*once)(void *);   /* fetcher_on_sent: called when the next
	                           request is out */
	void *once_arg;
};

/* What one attempt says about retrying it. */
struct attempt {
	struct retry_signal sig;
	long hint_ms;           /* what the server asked us to wait, or -1 */
};

/*
 * A worker's first answer should not pay for first touching its memory:
 * a fresh compressor's tables and the NDJSON buffer are faulted in page by
 * page on first use (10 us a fault on a VM: 0.5 to 1 ms per worker), and
 * the first round's answers come at about the same time, so every worker
 * would pay it at once, two cores between them, on the run's critical
 * path.  Instead, once a request has waited HTTP_IDLE_MS for its answer
 * and every worker's first request is out (fetcher_idle): give the NDJSON
 * buffer a page's room and compress sample lines, once.  The parser has
 * not written a byte yet (http_on_sent); it finds the buffer empty, as it
 * left it.
 */
#define WARM_BYTES      (32 * 1024)

static void
fetcher_warm(struct fetcher *f)
{
	char line[128];
	unsigned i;
	int n;

	f->warm = 1;
	buf_reset(f->nd);
	for (i = 0; f->nd->len < WARM_BYTES; i++) {
		n = snprintf(line, sizeof line, "{\"id\":%u,\"name\":\"host-%u"
		    "\",\"ip\":\"10.%u.%u.%u\",\"up\":%s}\n", i, i * 7919u,
		    i >> 16 & 255, i >> 8 & 255, i & 255, i & 1 ? "true" :
		    "false");
		if (buf_add(f->nd, line, (size_t)n) < 0)
			break;
	}
	(void)pack_lines(f->pk, f->nd);
	buf_reset(f->nd);
}

/* The main lane's request is out (http_on_sent). */
static int
fetcher_sent(void *arg)
{
	struct fetcher *f = arg;
	void (*fn)(void *) = f->once;

	if (!f->out) {
		f->out = 1;
		atomic_fetch_add(&f->run->fetchers_out, 1);
	}
	if (fn != NULL) {
		f->once = NULL;
		fn(f->once_arg);
	}
	return 1;
}

/* It has waited HTTP_IDLE_MS: warm up, once, but not while other workers
 * are still starting (their first requests are not all out): the CPU is
 * theirs first (two cores, or one under valgrind). */
static int
fetcher_idle(void *arg)
{
	struct fetcher *f = arg;

	if (f->warm)
		return 1;
	if (atomic_load(&f->run->fetchers_out) < atomic_load(&f->run->fetchers))
		return 0;
	fetcher_warm(f);
	return 1;
}

void
fetcher_on_sent(struct fetcher *f, void (*fn)(void *), void *arg)
{
	f->once = fn;
	f->once_arg = arg;
}

struct fetcher *
fetcher_new(struct fetch_run *run)
{
	struct fetcher *f = xcalloc(1, sizeof *f);

	f->run = run;
	run->hedge.on = run->o->hedge;
	if (run->hedge.on && ((f->multi = http_multi_new()) == NULL ||
	    (f->http2 = http_client_new_multi(&run->http, f->multi)) ==
	    NULL)) {
		http_multi_free(f->multi);
		free(f);
		return NULL;
	}
	if ((f->http = http_client_new_multi(&run->http, f->multi)) == NULL) {
		http_client_free(f->http2);
		http_multi_free(f->multi);
		free(f);
		return NULL;
	}
	f->nd = &f->lane_nd[0];
	f->nd2 = &f->lane_nd[1];
	f->popts.items_path = run->t->profile.items_path;
	f->popts.total_path = run->t->profile.total_path;
	f->popts.next_path = run->t->profile.next_path;
	f->popts.key_field = run->t->key;
	f->single = run->t->profile.style == profile_style_single;
	f->popts.guess_next = !f->single;
	f->popts.max_item = (size_t)run->o->max_item;
	f->popts.max_depth = (unsigned)run->o->max_depth;
	f->seed = (unsigned int)(uintptr_t)f ^ (unsigned int)time(NULL);
	buf_init(&f->lane_nd[0], run->max_page);
	buf_init(&f->lane_nd[1], run->max_page);
	f->pk = packer_new(run->t->gzip && pack_on_worker(run->t),
	    run->o->level, 0);
	atomic_fetch_add(&run->fetchers, 1);
	/* Both lanes: after a hedge won, the spare is the main lane. */
	http_on_sent(f->http, fetcher_sent, fetcher_idle, f);
	if (f->http2 != NULL)
		http_on_sent(f->http2, fetcher_sent, fetcher_idle, f);
	return f;
}

void
fetcher_free(struct fetcher *f)
{
	if (f == NULL)
		return;
	atomic_fetch_sub(&f->run->fetchers, 1);
	if (f->out)
		atomic_fetch_sub(&f->run->fetchers_out, 1);
	if (f->parser != NULL)
		page_free(f->parser);
	if (f->parser2 != NULL)
		page_free(f->parser2);
	packer_free(f->pk);
	buf_free(&f->lane_nd[0]);
	buf_free(&f->lane_nd[1]);
	http_client_free(f->http);
	http_client_free(f->http2);
	http_multi_free(f->multi);
	free(f);
}

static int
fetch_body(void *arg, const char *data, size_t n)
{
	struct fetcher *f = arg;

	if (f->single && !f->opened) {
		f->opened = 1;
		if (page_feed(f->parser, "[", 1) != page_status_ok)
			return -1;
	}
	return page_feed(f->parser, data, n) == page_status_ok ? 0 : -1;
}

static int
fetch_body2(void *arg, const char *data, size_t n)
{
	struct fetcher *f = arg;

	if (f->single && !f->opened2) {
		f->opened2 = 1;
		if (page_feed(f->parser2, "[", 1) != page_status_ok)
			return -1;
	}
	return page_feed(f->parser2, data, n) == page_status_ok ? 0 : -1;
}

/*
 * Hedging (see fetch.h): the recent page times, lock-free (a ring of
 * microseconds); a stall is no byte for max(4 x p95, HEDGE_FLOOR).
 */
#define HEDGE_FLOOR     1.0     /* seconds */
#define HEDGE_SHARE     0.05    /* of the requests sent */

static void
hedge_note(struct fetch_hedge *h, double seconds)
{
	unsigned long i = atomic_fetch_add(&h->next, 1);

	atomic_store(&h->times_us[i % FETCH_HEDGE_TIMES],
	    (long long)(seconds * 1e6));
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static double
hedge_after(struct fetch_hedge *h)
{
	long long t[FETCH_HEDGE_TIMES];
	unsigned long n = atomic_load(&h->next);
	double p95;
	int i, k;

	if (n > FETCH_HEDGE_TIMES)
		n = FETCH_HEDGE_TIMES;
	if (n == 0)
		return HEDGE_FLOOR;
	for (i = 0; i < (int)n; i++)
		t[i] = atomic_load(&h->times_us[i]);
	qsort(t, n, sizeof *t, cmp_ll);
	k = (int)(0.95 * (double)(n - 1) + 0.5);
	p95 = t[k] / 1e6;
	return 4 * p95 > HEDGE_FLOOR ? 4 * p95 : HEDGE_FLOOR;
}

/* May one more hedge go?  Counts it when it may; it takes a slot of the
 * host under --per-host, only if one is free now. */
static int
hedge_allow(void *arg)
{
	struct fetcher *f = arg;
	struct fetch_run *run = f->run;
	long sent = atomic_load(&run->hedge.sent);
	double cap = HEDGE_SHARE * (double)atomic_load(&run->requests);

	do {
		if ((sent >= 1 || !run->hedge.first_free) && sent + 1 > cap)
			return 0;
	} while (!atomic_compare_exchange_weak(&run->hedge.sent, &sent,
	    sent + 1));
	if (host_try_enter(run->hosts, f->host, run->member) < 0) {
		atomic_fetch_sub(&run->hedge.sent, 1);
		return 0;
	}
	f->hedge_slot = 1;
	return 1;
}


/* Records one total; a second source that disagrees is a conflict. */
static void
note_total(struct fetch_info *info, long long v, const char *fmt,
    const char *name)
{
	char source[64];

	snprintf(source, sizeof source, fmt, name);
	if (!info->has_total) {
		info->has_total = 1;
		info->total = v;
		snprintf(info->total_source, sizeof info->total_source, "%s",
		    source);
	} else if (info->total != v && info->conflict[0] == '\0')
		snprintf(info->conflict, sizeof info->conflict,
		    "%s says %lld items, %s says %lld", info->total_source,
		    info->total, source, v);
}

static void
note_pages(struct fetch_info *info, long long v, const char *source)
{
	if (!info->has_pages) {
		info->has_pages = 1;
		info->pages = v;
	} else if (info->pages != v && info->conflict[0] == '\0')
		snprintf(info->conflict, sizeof info->conflict,
		    "the page counts disagree: %lld, and %lld from %s",
		    info->pages, v, source);
}

/*
 * Reads every total the profile names: the header, the page count (Link
 * rel="last", X-Total-Pages) and the body field.  Sources that disagree are
 * recorded in info->conflict.  A header that is present but unreadable is
 * an error: guessing would hide a misconfiguration.
 */
static enum exit_status
fetch_total(struct fetcher *f, struct fetch_info *info, const char *where,
    char *msg, size_t msgsz)
{
	const struct profile *pr = &f->run->t->profile;
	const char *v;
	char *link, shown[64];
	long long n;
	int rc;

	if (pr->total_header != NULL &&
	    (v = http_header(f->http, pr->total_header)) != NULL) {
		if (strcasecmp(pr->total_header, "Content-Range") == 0)
			rc = total_from_content_range(v, &n);
		else
			rc = total_parse_count(v, &n) == 0 ? 1 : -1;
		if (rc < 0) {
			log_snippet(shown, sizeof shown, v, strlen(v));
			snprintf(msg, msgsz, "%s: header %s: \"%s\" is not a count",
			    where, pr->total_header, shown);
			return exit_protocol;
		}
		if (rc == 1)
			note_total(info, n, "header %s", pr->total_header);
	}
	if (pr->pages_header != NULL &&
	    (v = http_header(f->http, pr->pages_header)) != NULL &&
	    total_parse_count(v, &n) == 0)
		note_pages(info, n, pr->pages_header);
	if (pr->link_last &&
	    (link = http_header_all(f->http, "Link")) != NULL) {
		if (total_link_last(link, pr->offset_param, &n) == 1)
			note_pages(info, n, "Link rel=\"last\"");
		free(link);
	}
	if (pr->total_path != NULL && page_total(f->parser, &n))
		note_total(info, n, "body %s", pr->total_path);
	return exit_ok;
}

/* The next page as the profile names it, from the body's --next-path or
 * Link rel="next"; also every hint of a next page, for the caller to judge
 * a server that pages differently from what the profile says. */
static void
fetch_next(struct fetcher *f, struct fetch_info *info)
{
	const struct profile *pr = &f->run->t->profile;
	const char *v, *name;
	char *link;

	if ((link = http_header_all(f->http, "Link")) != NULL) {
		info->link_next = total_link_rel(link, "next");
		free(link);
	}
	if (pr->next_path != NULL && (v = page_next(f->parser)) != NULL &&
	    *v != '\0')
		info->next = xstrdup(v);
	else if (pr->link_next && info->link_next != NULL)
		info->next = xstrdup(info->link_next);
	info->guesses = page_next_guess(f->parser, &name, &v);
	info->guess_name = name;
	info->guess = v != NULL ? xstrdup(v) : NULL;
	info->more = page_says_more(f->parser);
}

/* One hash per item line of the page, for the caller's checks that no item
 * comes twice (a server that ignores the offset, data that shifted). */
static int
fetch_hashes(const struct buf *nd, struct buf *hashes)
{
	const char *p = nd->data, *end = nd->data + nd->len, *nl;
	uint64_t h;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		h = hash_bytes(p, (size_t)(nl - p));
		if (buf_add(hashes, &h, sizeof h) < 0)
			return -1;
		p = nl + 1;
	}
	return 0;
}



/* Notes each item's line and key for the emitter's de-duplication. */
static int
fetch_keys(struct fetcher *f, struct buf *keys)
{
	struct fetch_item it;
	const char *key;
	size_t i, n = page_items(f->parser), klen;

	for (i = 0; i < n; i++) {
		if (page_item(f->parser, i, &key, &klen, &it.line_off,
		    &it.line_len) < 0)
			return -1;
		it.keylen = key != NULL ? (long)klen : -1;
		if (buf_add(keys, &it, sizeof it) < 0 ||
		    (key != NULL && buf_add(keys, key, klen) < 0))
			return -1;
	}
	return 0;
}



/* The page's lines, hashed and handed over (compressed unless the emitter
 * will): into req->out. */
static enum exit_status
fetch_pack(struct fetcher *f, const struct fetch_req *req, const char *where,
    char *msg, size_t msgsz)
{
	if (req->hashes != NULL && fetch_hashes(f->nd, req->hashes) < 0) {
		snprintf(msg, msgsz, "%s: too many items in one page", where);
		return exit_protocol;
	}
	if (f->run->mark != NULL)
		bookmark_scan(f->run->mark, f->nd->data, f->nd->len);
	if (f->pk == NULL) {
		/* Hand the lines over without a copy; the parser keeps
		 * writing through f->nd, which now owns out's old memory. */
		struct buf tmp = *req->out;

		*req->out = *f->nd;
		*f->nd = tmp;
	} else {
		/* Compressed into room for the worst case (the size of the
		 * lines), then copied out at its own size: a page that waits
		 * in the window holds what it is, not the lines' room. */
		const struct buf *z = pack_lines(f->pk, f->nd);

		if (z == NULL || buf_add(req->out, z->data, z->len) < 0) {
			snprintf(msg, msgsz, "%s: page too large to compress",
			    where);
			return exit_protocol;
		}
	}
	return exit_ok;
}

/* The body, parsed: its items, totals, next page and keys. */
static enum exit_status
fetch_parse(struct fetcher *f, const struct fetch_req *req,
    const struct http_result *res, struct fetch_info *info, struct attempt *at,
    const char *where, char *msg, size_t msgsz)
{
	enum page_status ps;
	char *shown;

	if (res->too_big) {
		shown = http_effective_url(f->http);
		snprintf(msg, msgsz, "%s: GET %s: the body is over --max-body "
		    "(%lld bytes)", where, shown, f->run->o->max_body);
		free(shown);
		return exit_protocol;
	}
	if (res->outcome == http_outcome_aborted)
		ps = page_feed(f->parser, "", 0);
	else {
		/* Every byte parsed but the JSON unfinished: the body was cut
		 * short (a truncated gzip body can look complete to HTTP).
		 * Well-formed JSON of the wrong shape is not retried: the
		 * server meant it. */
		ps = page_status_ok;
		if (f->single && f->opened)
			ps = page_feed(f->parser, "]", 1);
		if (ps == page_status_ok)
			ps = page_finish(f->parser);
		at->sig.truncated = ps != page_status_ok &&
		    page_truncated(f->parser);
	}
	if (ps != page_status_ok) {
		shown = http_effective_url(f->http);
		snprintf(msg, msgsz, "%s: GET %s: HTTP %ld: %s (body starts: "
		    "\"%s\")", where, shown, res->status, page_error(f->parser),
		    http_snippet(f->http));
		free(shown);
		return exit_protocol;
	}
	info->items = page_items(f->parser);
	if (fetch_total(f, info, where, msg, msgsz) != exit_ok)
		return exit_protocol;
	fetch_next(f, info);
	if (req->keys != NULL && fetch_keys(f, req->keys) < 0) {
		snprintf(msg, msgsz, "%s: the page's keys are too large", where);
		return exit_protocol;
	}
	if (log_get_level() >= log_level_verbose) {
		shown = http_effective_url(f->http);
		log_info("%s: GET %s: HTTP %ld, %zu bytes, %lld items, %.3f s",
		    where, shown, res->status, res->body_bytes, info->items,
		    res->seconds);
		free(shown);
	}
	return exit_ok;
}

/* The spare lane's response won: it becomes the lane in use. */
static void
fetch_lanes_swap(struct fetcher *f)
{
	struct http_client *h = f->http;
	page_parser *p = f->parser;
	struct buf *b = f->nd;
	int o;

	f->http = f->http2;
	f->http2 = h;
	f->parser = f->parser2;
	f->parser2 = p;
	f->nd = f->nd2;
	f->nd2 = b;
	o = f->opened;
	f->opened = f->opened2;
	f->opened2 = o;
}

/* Empties what one attempt fills. */
static void
fetch_reset(struct fetcher *f, const struct fetch_req *req,
    struct fetch_info *info, struct attempt *at, char *msg)
{
	fetch_info_clear(info);
	memset(at, 0, sizeof *at);
	at->hint_ms = -1;
	msg[0] = '\0';
	buf_reset(req->out);
	if (req->keys != NULL)
		buf_reset(req->keys);
	if (req->hashes != NULL)
		buf_reset(req->hashes);
	buf_reset(f->nd);
	f->opened = 0;
	if (f->parser == NULL)
		f->parser = page_new(&f->popts, f->nd);
	else
		page_reset(f->parser);
	if (f->http2 != NULL) {
		/* The spare lane, for a second request if this one stalls. */
		buf_reset(f->nd2);
		f->opened2 = 0;
		if (f->parser2 == NULL)
			f->parser2 = page_new(&f->popts, f->nd2);
		else
			page_reset(f->parser2);
	}
}

/* The request itself, hedged when the fetcher has a spare lane. */
static void
fetch_request(struct fetcher *f, const char *url,
    const struct curl_slist *extra, const char *where, struct http_result *res)
{
	struct http_hedge hg;

	atomic_fetch_add(&f->run->requests, 1);
	atomic_fetch_add(&f->run->inflight, 1);
	if (f->http2 != NULL) {
		memset(&hg, 0, sizeof hg);
		hg.spare = f->http2;
		hg.fn = fetch_body2;
		hg.ctx = f;
		hg.after_s = hedge_after(&f->run->hedge);
		hg.allow = hedge_allow;
		hg.arg = f;
		http_get_hedged(f->http, url, extra, fetch_body, f, &hg, res);
		if (f->hedge_slot) {
			host_leave(f->run->hosts, f->host, f->run->member);
			f->hedge_slot = 0;
		}
		if (hg.won) {
			fetch_lanes_swap(f);
			atomic_fetch_add(&f->run->hedge.won, 1);
		}
		if (hg.sent) {
			atomic_fetch_add(&f->run->requests, 1); /* counted too */
			log_info("%s: no byte for %.1f s: asked again on another "
			    "connection; the %s answered first", where,
			    hg.after_s, hg.won ? "second" : "first");
		}
		if (res->outcome == http_outcome_ok)
			hedge_note(&f->run->hedge, res->seconds);
	} else
		http_get(f->http, url, extra, fetch_body, f, res);
	atomic_fetch_sub(&f->run->inflight, 1);
}

/* A request refused for its token goes again with a new one this many
 * times at most (each renewal is the session's single flight). */
#define FETCH_TOKEN_TRIES 3

/*
 * The request, with the session's token when the target has one: a
 * refusal of the token (401, or a 403 about it) renews it and asks
 * again.  exit_ok with the answer in res, or the session's failure.
 */
static enum exit_status
fetch_authed(struct fetcher *f, const struct fetch_req *req, const char *url,
    const char *where, struct http_result *res, char *msg, size_t msgsz)
{
	struct session *s = f->run->session;
	const struct profile *pr = &f->run->t->profile;
	struct curl_slist *extra;
	unsigned long gen = 0;
	enum exit_status st;
	char why[512];
	int i;

	for (i = 0; i < FETCH_TOKEN_TRIES; i++) {
		extra = profile_page_headers(pr, req->offset, req->limit);
		if (s != NULL && (st = session_attach(s, url, &extra, &gen, why,
		    sizeof why)) != exit_ok) {
			curl_slist_free_all(extra);
			snprintf(msg, msgsz, "%s: %s", where, why);
			return st;
		}
		fetch_request(f, url, extra, where, res);
		curl_slist_free_all(extra);
		if (gen == 0)
			break;
		if (res->outcome == http_outcome_ok) {
			session_accepted(s, gen);
			break;
		}
		if (res->outcome != http_outcome_status ||
		    !session_token_refusal(res->status, http_snippet(f->http)))
			break;
		if ((st = session_refused(s, gen, why, sizeof why)) != exit_ok) {
			snprintf(msg, msgsz, "%s: HTTP %ld: %s", where,
			    res->status, why);
			return st;
		}
		log_info("%s: HTTP %ld: the token was refused; asking again "
		    "with a new one", where, res->status);
	}
	return exit_ok;
}

/* One attempt at one page. */
static enum exit_status
fetch_once(struct fetcher *f, const struct fetch_req *req,
    struct fetch_info *info, char *msg, size_t msgsz, struct attempt *at)
{
	const struct fetch_run *run = f->run;
	const struct profile *pr = &run->t->profile;
	struct http_result res;
	enum exit_status st;
	char *url, where[64];

	fetch_reset(f, req, info, at, msg);
	if (req->what != NULL)
		snprintf(where, sizeof where, "%s", req->what);
	else
		snprintf(where, sizeof where, "%s %lld", req->url != NULL ?
		    "page" : "offset", req->offset);
	url = req->url != NULL ? curl_maprintf("%s", req->url) :
	    profile_page_url(pr, run->base, req->offset, req->limit);
	if (url == NULL) {
		snprintf(msg, msgsz, "%s: cannot build the page URL", where);
		return exit_failure;
	}
	st = fetch_authed(f, req, url, where, &res, msg, msgsz);
	info->url = log_redact_url(url);
	curl_free(url);
	if (st != exit_ok)
		return st;
	verdict_signal(f->http, &res, &at->sig, &at->hint_ms);

	/* PostgREST: a range that starts past the end is an empty page. */
	if (res.outcome == http_outcome_status && res.status == 416 &&
	    pr->style == profile_style_range) {
		if (log_get_level() >= log_level_verbose)
			log_info("%s: GET %s: HTTP 416: past the end", where,
			    info->url);
		buf_reset(f->nd);
		return fetch_pack(f, req, where, msg, msgsz);
	}
	if ((st = verdict_response(f->http, &res, where, msg, msgsz)) !=
	    exit_ok ||
	    (st = fetch_parse(f, req, &res, info, at, where, msg, msgsz)) !=
	    exit_ok)
		return st;
	return fetch_pack(f, req, where, msg, msgsz);
}

void
fetch_info_clear(struct fetch_info *info)
{
	free(info->next);
	free(info->link_next);
	free(info->guess);
	free(info->url);
	memset(info, 0, sizeof *info);
}

/*
 * A request that timed out (no byte for --speed-time, or no connection in
 * --connect-timeout) is tried at most this many times: a server that
 * accepts and never answers ends the run in minutes, not in hours of
 * retries, while a single stalled response still gets a second chance.
 */
#define MAX_TIMEOUTS 3

/* Has this page used up its tries?  Appends why to msg: the attempts at
 * this page (or detail) alone, which the run's summary, counting every
 * request of the run, does not repeat. */
static int
fetch_give_up(const struct fetch_run *run, const struct fetch_req *req,
    int attempt, int timeouts, double start, char *msg, size_t msgsz)
{
	const struct options *o = run->o;
	size_t n = strlen(msg);

	if (attempt < o->retries && timeouts < MAX_TIMEOUTS &&
	    (o->retry_max_time <= 0 || clock_now() - start < o->retry_max_time))
		return 0;
	snprintf(msg + n, msgsz - n, " (gave up on this %s after %d %s%s)",
	    req->what != NULL ? "detail" : "page", attempt + 1,
	    attempt ? "attempts" : "attempt", timeouts >= MAX_TIMEOUTS ?
	    ", each timed out" : "");
	return 1;
}

enum exit_status
fetch_page_step(struct fetcher *f, const struct fetch_req *req,
    struct fetch_info *info, struct pool_later *rs, char *msg, size_t msgsz)
{
	struct fetch_run *run = f->run;
	const struct options *o = run->o;
	struct attempt at;
	struct host *h;
	enum retry_verdict v;
	enum exit_status st;
	long long remaining;
	double reset_s;

	rs->wait_ms = 0;
	if (rs->attempts == 0 && rs->started == 0)
		rs->started = clock_now();
	/* The host this request goes to: a cursor's next page or a detail
	 * may be on another than the target's. */
	h = req->url != NULL ? hosts_get(run->hosts, req->url) : NULL;
	if (h == NULL)
		h = run->home;
	if (host_enter(run->hosts, h, run->member, run->cancel) < 0) {
		snprintf(msg, msgsz, "offset %lld: interrupted", req->offset);
		return exit_interrupted;
	}
	f->host = h;
	st = fetch_once(f, req, info, msg, msgsz, &at);
	host_leave(run->hosts, h, run->member);
	v = st == exit_ok || st == exit_interrupted ? retry_verdict_no :
	    retry_classify(&at.sig);
	limiter_update(&h->limiter, v == retry_verdict_throttled);
	if (verdict_quota(f->http, (long long)time(NULL), &remaining, &reset_s))
		limiter_quota(&h->limiter, remaining, reset_s);
	if (st == exit_ok || v == retry_verdict_no)
		return st;
	if (v == retry_verdict_throttled)
		atomic_fetch_add(&run->throttled, 1);
	if (at.sig.curl == CURLE_OPERATION_TIMEDOUT)
		rs->timeouts++;
	if (fetch_give_up(run, req, rs->attempts, rs->timeouts, rs->started,
	    msg, msgsz))
		return v == retry_verdict_throttled ? exit_throttled : st;
	rs->wait_ms = retry_delay_ms(rs->attempts + 1, at.hint_ms, 250,
	    o->retry_max_time > 0 && o->retry_max_time < 60 ?
	    o->retry_max_time * 1000 : 60000, &f->seed);
	rs->attempts++;
	atomic_fetch_add(&run->retried, 1);
	log_info("%s; retry %d of %d in %.2f s", msg, rs->attempts, o->retries,
	    rs->wait_ms / 1000.0);
	if (rs->wait_ms == 0)
		rs->wait_ms = 1;        /* "again", not "done" */
	fetch_info_clear(info);
	return exit_ok;
}

enum exit_status
fetch_page(struct fetcher *f, const struct fetch_req *req,
    struct fetch_info *info, char *msg, size_t msgsz)
{
	struct pool_later rs;
	enum exit_status st;

	memset(&rs, 0, sizeof rs);
	for (;;) {
		st = fetch_page_step(f, req, info, &rs, msg, msgsz);
		if (st != exit_ok || rs.wait_ms == 0)
			return st;
		if (retry_sleep_ms(rs.wait_ms, f->run->cancel) < 0) {
			snprintf(msg, msgsz, "offset %lld: interrupted",
			    req->offset);
			return exit_interrupted;
		}
	}
}
