/*
 * expand.h - --expand: for every item of the listing, its detail (or its
 * relations) fetched concurrently and written in the listing's order;
 * internal to the run (export.c, emit.c).
 *
 * The listing runs as without --expand, as a task of the run's crew
 * (crew.h), with few workers; its emitter hands each item line to expand_push instead of the
 * writer.  The details are a second pool (pool.c) over job numbers
 * item * R + relation, on the run's main thread, whose emitter alone
 * writes the output.  See the top of expand.c.
 */
#ifndef INVDUMP_EXPAND_H
#define INVDUMP_EXPAND_H

#include <stddef.h>

#include "cli.h"
#include "status.h"

struct export;
struct expand;

/* The listing's own run: the cursor walk or the offset plans. */
typedef enum exit_status expand_listing_fn(struct export *ex, void *arg);

/*
 * Makes the run's expansion from the target's --expand templates (checked
 * by cli.c already): NULL with a message said when a template cannot be
 * made.  Called on the main thread before any
 * fetcher is made.
 */
struct expand *expand_new(struct export *ex);
void expand_free(struct expand *xp);

/* Workers the listing gets of --workers (the details get all of them;
 * requests in flight stay within --workers: the export's share of the
 * run's hosts, host.h). */
int expand_listing_workers(const struct options *o);

/* The listing's emitter: one item line (no newline).  0, or -1 when the
 * run stops (a failure was recorded, or the output's reader went away). */
int expand_push(struct expand *xp, const char *line, size_t len);

/* Runs listing(ex, arg) on a thread and the details here; returns when
 * both are over, with the run's status (exit_ok: see ex's findings). */
enum exit_status expand_run(struct expand *xp, expand_listing_fn *listing,
    void *arg);

/* After the run: sets ex->mismatch (saying why) when details failed. */
void expand_verify(struct expand *xp);

/* What the run did, for the summary and the manifest. */
struct expand_counts {
	long long lines;                /* lines written */
	long long fetched;              /* detail requests that succeeded */
	long long failed;               /* ... that failed for good */
	long long items_failed;         /* items left out for it */
	long long requests, retried, throttled; /* of the detail requests */
};
void expand_counts(const struct expand *xp, struct expand_counts *c);

#endif
