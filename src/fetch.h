/*
 * fetch.h - one page: its URL, the request, the streaming parse, the gzip
 * member, and a verdict with a message fit for the person at the terminal.
 *
 * A fetcher belongs to one worker (it owns that worker's HTTP client,
 * parser, deflate stream and scratch buffer); the fetch_run it points to
 * is shared and read-only while workers run.
 */
#ifndef INVDUMP_FETCH_H
#define INVDUMP_FETCH_H

#include <stdatomic.h>

#include <curl/curl.h>

#include "buf.h"
#include "cli.h"
#include "host.h"
#include "http.h"
#include "pool.h"
#include "retry.h"
#include "session.h"
#include "status.h"
#include "thread.h"

/* Hedging: a second request for a response that stalls (fetch.c). */
#define FETCH_HEDGE_TIMES 64
struct fetch_hedge {
	int on;                         /* spare lanes in every fetcher */
	int first_free;                 /* the first hedge needs no share of
	                                   the requests (a lone export; a
	                                   target of many has none, so that a
	                                   slow appliance's one request costs
	                                   one request) */
	atomic_llong times_us[FETCH_HEDGE_TIMES]; /* recent page times */
	atomic_ulong next;
	atomic_long sent;               /* second requests sent */
	atomic_long won;                /* ... that answered first */
};

struct bookmark_max;

struct fetch_run {
	const struct options *o;        /* the run's settings */
	const struct target *t;         /* what this export fetches */
	const CURLU *base;              /* the user's URL, parsed once */
	struct http_conf http;
	size_t max_page;                /* cap on one page's NDJSON bytes */
	struct session *session;        /* the target's login, or NULL */
	struct hosts *hosts;            /* the run's hosts: caps, limiters */
	struct host *home;              /* the target's own (its URL's) */
	struct hosts_member *member;    /* this export's share of the run */
	const atomic_int *cancel;       /* a signal, or another page failed */
	atomic_long requests;           /* requests sent */
	atomic_long inflight;           /* requests under way */
	atomic_long retried;            /* attempts that were retried */
	atomic_long throttled;          /* ... of which the server throttled */
	struct fetch_hedge hedge;       /* .on: set by fetcher_new (the main
	                                   thread, before any worker) */
	atomic_int fetchers;            /* fetchers alive ... */
	atomic_int fetchers_out;        /* ... whose first request went out */
	struct bookmark_max *mark;      /* --bookmark: every page's lines are
	                                   scanned for its largest value; or
	                                   NULL */
};

struct fetcher;

/* One page to fetch. */
struct fetch_req {
	long long offset;               /* its offset (the cursor plan: its
	                                   number), for the URL and messages */
	long limit;                     /* items asked for */
	const char *url;                /* a cursor's next page, or NULL: the
	                                   profile builds the URL */
	const char *what;               /* names it in messages ("id=123"),
	                                   or NULL: "page N", "offset N" */
	struct buf *out;                /* the page: a gzip member, or NDJSON
	                                   (no compression, or --key) */
	struct buf *keys;               /* --key notes (below), or NULL */
	struct buf *hashes;             /* one uint64_t (hash.h) per item
	                                   line, in order, or NULL */
};

/* What one page said besides its items. */
struct fetch_info {
	long long items;
	int has_total;
	long long total;
	char total_source[64];          /* "header X-Total-Count", "body count" */
	int has_pages;                  /* a page count (page profile) */
	long long pages;
	char conflict[256];             /* two sources disagreed: which, how */
	char *next;                     /* the next page as the profile names it
	                                   (--next-path, or Link rel=next for
	                                   the profiles that use it), or NULL */
	char *link_next;                /* Link rel="next", whatever the profile */
	int guesses;                    /* common next-page fields in the body
	                                   (page_next_guess) */
	const char *guess_name;         /* the first one's name (static) */
	char *guess;                    /* its value, or NULL */
	int more;                       /* the body said has_more: true */
	char *url;                      /* the URL asked for (redacted) */
};

struct fetcher *fetcher_new(struct fetch_run *run);
void fetcher_free(struct fetcher *f);
/* fn(arg), once, on the fetcher's thread, when its next request is out
 * (fn NULL: no longer).  Not with --no-hedge, whose clients have no such
 * moment (http_on_sent). */
void fetcher_on_sent(struct fetcher *f, void (*fn)(void *), void *arg);

/*
 * Fetches one page into req->out, retrying transient failures (each
 * attempt starts the page afresh, so a retried page is byte-identical to
 * an unretried one); req->keys and req->hashes are reset first.  Returns
 * exit_ok, or the exit status this failure deserves with a one-line
 * message (naming the offset and the redacted URL) in msg.
 */
enum exit_status fetch_page(struct fetcher *f, const struct fetch_req *req,
    struct fetch_info *info, char *msg, size_t msgsz);

/*
 * One attempt at a page (after the limiter's token), its tries so far in
 * rs (the pool's own record of the page, zero before the first): exit_ok
 * with rs->wait_ms == 0 when the page is in req->out; exit_ok with
 * rs->wait_ms > 0 when it failed in a way worth trying again that long
 * from now (call again with the same rs; nothing of it is in req->out or
 * info); or the page's final failure, as fetch_page, with rs->wait_ms 0.
 */
enum exit_status fetch_page_step(struct fetcher *f,
    const struct fetch_req *req, struct fetch_info *info,
    struct pool_later *rs, char *msg, size_t msgsz);

/*
 * With --key, keys receives one fetch_item per item followed by its key's
 * bytes (keylen of them; keylen -1: the item has no key).  Items appear in
 * order; line_off/line_len locate each item's line in out.
 */
struct fetch_item {
	size_t line_off;
	size_t line_len;
	long keylen;
};

/* Frees what fetch_page allocated in info. */
void fetch_info_clear(struct fetch_info *info);

#endif
