/*
 * finish.c - the end of one export: whether it adds up (finish_verify),
 * publishing or not (finish_run), its manifest, the summary line, and the
 * outcome a run of many targets keeps for its own manifest.
 */
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fail.h"
#include "log.h"
#include "run.h"
#include "manifest.h"
#include "state.h"
#include "xalloc.h"


/* Does what was written add up?  Sets ex->mismatch after saying why not. */
static void
finish_verify(struct export *ex)
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
	if (ex->expect_items >= 0 &&
	    ex->items + ex->duplicates != ex->expect_items) {
		log_error("verification failed: wrote %lld items, %lld were due "
		    "(the total was %lld)", ex->items, ex->expect_items,
		    ex->plan.total);
		ex->mismatch = 1;
	} else if ((atomic_load(&ex->short_pages) > 0 ||
	    atomic_load(&ex->long_pages) > 0) && ex->duplicates == 0) {
		log_error("verification failed: %lld pages held fewer items "
		    "than due and %lld more", (long long)atomic_load(
		    &ex->short_pages), (long long)atomic_load(&ex->long_pages));
		ex->mismatch = 1;
	}
}

/* What the manifest says of this run ended with st; files only when
 * published. */
static void
finish_manifest_info(struct export *ex, enum exit_status st, int published,
    struct manifest_info *mi, struct manifest_shard *shard,
    struct manifest_details *details)
{
	struct expand_counts xc;
	const struct target *t = ex->t;
	size_t n = 0;

	memset(mi, 0, sizeof *mi);
	mi->source_url = t->url;
	mi->profile = t->profile.name;
	mi->started = ex->started;
	mi->ended = time(NULL);
	mi->total_start = ex->plan.total;
	mi->total_end = ex->total_end;
	mi->items = ex->items;
	mi->pages = ex->pages_written;
	mi->requests = atomic_load(&ex->run.requests);
	mi->retries = atomic_load(&ex->run.retried);
	mi->throttles = atomic_load(&ex->run.throttled);
	if (published && ex->w != NULL) {
		mi->files = writer_parts(ex->w, &n);
		mi->nfiles = n;
	}
	mi->verified = st == exit_ok && !ex->mismatch && ex->expect_items >= 0;
	mi->warnings = (const char *const *)ex->warnings;
	mi->nwarnings = (size_t)ex->nwarnings;
	mi->exit_status = (int)st;
	mi->bookmark = state_manifest(ex->state);
	if (st != exit_ok)
		mi->error = ex->fail_msg[0] != '\0' ? ex->fail_msg :
		    atomic_load(&ex->first_error.taken) ?
		    ex->first_error.text : status_text(st);
	if (t->shard_count > 0) {
		shard->index = t->shard_index;
		shard->count = t->shard_count;
		shard->first_page = ex->first_page;
		shard->last_page = ex->end_page - 1;
		mi->shard = shard;
	}
	if (ex->xp != NULL) {
		expand_counts(ex->xp, &xc);
		details->listed = ex->items;
		details->fetched = xc.fetched;
		details->failed = xc.failed;
		details->items_failed = xc.items_failed;
		mi->details = details;
		mi->items = xc.lines;
		mi->requests += xc.requests;
		mi->retries += xc.retried;
		mi->throttles += xc.throttled;
	}
}

/* The manifest, once the files are in place. */
static int
finish_manifest(struct export *ex, enum exit_status st)
{
	struct manifest_info mi;
	struct manifest_shard shard;
	struct manifest_details details;

	if (ex->t->manifest == NULL)
		return 0;
	finish_manifest_info(ex, st, 1, &mi, &shard, &details);
	return manifest_write(ex->t->manifest, &mi, ex->t->mode);
}

/* Publishes, or not: what the run's findings allow. */
enum exit_status
finish_run(struct export *ex, enum exit_status st)
{
	const struct target *t = ex->t;

	if (ex->w != NULL)
		ex->bytes = writer_bytes(ex->w);
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
	finish_verify(ex);
	if (ex->xp != NULL)
		expand_verify(ex->xp);
	if (ex->mismatch && !t->keep_mismatch && strcmp(t->output, "-") != 0) {
		log_error("nothing was published to %s: the export does not add "
		    "up (--keep-mismatch publishes it all the same)", t->output);
		return exit_mismatch;
	}
	st = ex->mismatch ? exit_mismatch : exit_ok;
	/* A run that asks from the bookmark a run before kept (>=) gets that
	 * run's last items again, unless they were deleted: none at all is
	 * more often a filter the API does not know (json-server answers []
	 * for a FIELD_gte= of a field no item has) than a quiet night. */
	if (ex->items == 0 && ex->state->incremental &&
	    ex->state->prev.bookmark != NULL)
		fail_warn(ex, "0 items: not even those at the bookmark kept "
		    "(%s), which the filter (>=) asks for again: deleted "
		    "since, or the API did not apply the filter (a parameter "
		    "it does not know?)", ex->state->prev.bookmark);
	else if (ex->items == 0)
		fail_warn(ex, "0 items%s", ex->state->incremental ? ": nothing "
		    "changed since the bookmark" : ": the API listed none (a "
		    "token without the scope, a filter it does not know, or "
		    "an empty source?)");
	if (!ex->mismatch && (st = state_judge(ex->state, ex->items)) !=
	    exit_ok)
		return st;
	if (writer_publish(ex->w) != writer_ok)
		return exit_output;
	ex->published = 1;
	if (finish_manifest(ex, st) < 0 ||
	    (st == exit_ok && state_commit(ex->state, ex->items) < 0))
		return exit_output;
	if (atomic_load(&ex->run.retried) > 0)
		log_warn("%ld requests were retried (%ld throttled by the "
		    "server); every page arrived whole",
		    atomic_load(&ex->run.retried), atomic_load(&ex->run.throttled));
	if (ex->xp != NULL) {
		struct expand_counts xc;

		expand_counts(ex->xp, &xc);
		log_info("wrote %lld items (of %lld listed) to %s", xc.lines,
		    ex->items, t->output);
	} else
		log_info("wrote %lld items to %s", ex->items, t->output);
	return st;
}


/* The one line at the end of every run (not with -q). */
void
finish_summary(struct export *ex, enum exit_status st)
{
	char size[32], verdict[128], details[128] = "";
	struct expand_counts xc;

	if (ex->closed)
		return;
	progress_human(size, sizeof size, ex->bytes);
	if (st == exit_ok && ex->plan.total >= 0)
		snprintf(verdict, sizeof verdict, "verified against the total "
		    "of %lld", ex->plan.total);
	else if (st == exit_ok)
		snprintf(verdict, sizeof verdict, "complete (the API gives no "
		    "total to check against)");
	else if (st == exit_mismatch && ex->state->limited)
		snprintf(verdict, sizeof verdict, "failed --%s (nothing "
		    "published)", ex->state->limited);
	else if (st == exit_mismatch)
		snprintf(verdict, sizeof verdict, "did NOT add up (%s)",
		    ex->t->keep_mismatch ? "published all the same" :
		    "nothing published");
	else
		snprintf(verdict, sizeof verdict, "failed (exit status %d): "
		    "nothing published", (int)st);
	expand_counts(ex->xp, &xc);
	if (ex->xp != NULL)
		snprintf(details, sizeof details, " (%lld listed; %lld details "
		    "fetched, %lld failed)", ex->items, xc.fetched, xc.failed);
	/* A target of many is named by log.c (log_set_target). */
	log_note("%lld items%s, %lld pages, %s, %.2f s; requests in all: %ld, "
	    "%ld retried, %ld throttled: %s%s",
	    ex->xp != NULL ? xc.lines : ex->items, details, ex->pages_written,
	    size, progress_elapsed(&ex->progress),
	    atomic_load(&ex->run.requests) + (long)xc.requests,
	    atomic_load(&ex->run.retried) + (long)xc.retried,
	    atomic_load(&ex->run.throttled) + (long)xc.throttled, verdict,
	    ex->items == 0 ? " (warning: 0 items)" : "");
}

/* What became of the export, for the caller (a fleet's manifest, the
 * metrics). */
void
finish_outcome(struct export *ex, enum exit_status st,
    struct export_outcome *out)
{
	struct manifest_info mi;
	struct manifest_shard shard;
	struct manifest_details details;
	char err[256];

	finish_manifest_info(ex, st, ex->published, &mi, &shard, &details);
	out->manifest = manifest_json(&mi, err, sizeof err);
	out->figures.items = mi.items;
	out->figures.pages = mi.pages;
	out->figures.bytes = ex->bytes;
	out->figures.requests = mi.requests;
	out->figures.retries = mi.retries;
	out->figures.throttles = mi.throttles;
	out->figures.seconds = progress_elapsed(&ex->progress);
	out->figures.ended = mi.ended;
}

/* --cookie-jar: the cookies of the target's host, written whatever the
 * run came to (a file of its own, 0600); a failure to write it is an
 * output error when nothing else failed. */
enum exit_status
finish_cookie_jar(struct export *ex, enum exit_status st)
{
	char *text;
	int rc;

	if (ex->t->cookie_jar == NULL)
		return st;
	text = http_cookies_text(ex->run.http.jar, ex->t->url);
	rc = writer_put(ex->t->cookie_jar, text, strlen(text), 0600);
	free(text);
	if (rc < 0) {
		log_error("--cookie-jar %s: not written (see above)",
		    ex->t->cookie_jar);
		return st == exit_ok ? exit_output : st;
	}
	return st;
}
