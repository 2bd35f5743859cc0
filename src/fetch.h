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
#include "http.h"
#include "retry.h"
#include "status.h"

struct fetch_run {
	const struct options *o;
	const CURLU *base;              /* the user's URL, parsed once */
	struct http_conf http;
	long page_size;                 /* items asked for per page */
	size_t max_page;                /* cap on one page's NDJSON bytes */
	int defer_gzip;                 /* --key: pages stay NDJSON, the emitter
	                                   de-duplicates, then compresses */
	struct limiter *limiter;        /* shared by every worker */
	const atomic_int *cancel;
	atomic_long retried;            /* attempts that were retried */
	atomic_long throttled;          /* ... of which the server throttled */
};

struct fetcher;

/* What one page said besides its items. */
struct fetch_info {
	long long items;
	int has_total;
	long long total;
	char total_source[64];          /* "header X-Total-Count", "body count" */
	int has_pages;                  /* a page count (page profile) */
	long long pages;
	char conflict[256];             /* two sources disagreed: which, how */
	char *next;                     /* cursor: the next page's URL, or NULL
	                                   (the caller frees it) */
	char *url;                      /* the URL asked for (redacted; the
	                                   caller frees it) */
};

struct fetcher *fetcher_new(struct fetch_run *run);
void fetcher_free(struct fetcher *f);

/*
 * Fetches the page at offset with limit items (or, when url is not NULL,
 * that URL: a cursor's next page) into out, retrying transient failures
 * (each attempt starts the page afresh, so a retried page is
 * byte-identical to an unretried one); keys (or NULL) gets the items' keys
 * as described below (a gzip member when the run
 * compresses, else NDJSON), which is reset first.  Returns exit_ok, or
 * the exit status this failure deserves with a one-line message (naming the
 * offset and the redacted URL) in msg.
 */
enum exit_status fetch_page(struct fetcher *f, long long offset, long limit,
    const char *url, struct buf *out, struct buf *keys,
    struct fetch_info *info, char *msg, size_t msgsz);

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
