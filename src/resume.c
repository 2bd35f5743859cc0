/*
 * resume.c - the run's side of the resume journal (journal.h): which
 * journal belongs to this command, checkpoints as pages are written, and
 * taking up a killed run where its last checkpoint left it.
 *
 * Only a run given --resume is journalled (give it every time: the run
 * that gets killed needs it too), and only to a plain file (not standard
 * output, a device or split parts).  A checkpoint syncs the temporary file first, then
 * appends to the journal and syncs it, so whatever a checkpoint counts is
 * on disk; they come at most once a second, from the emitter's thread only.
 * Never fetches or decides the plan; export.c and cursor.c ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "hash.h"
#include "journal.h"
#include "log.h"
#include "run.h"
#include "writer.h"
#include "xalloc.h"

#define CHECKPOINT_SECONDS 1.0

/* What must be the same for a journal to be this command's. */
static uint64_t
resume_id(const struct export *ex)
{
	const struct target *t = ex->t;
	char *s = xasprintf("%s|%s|%ld|%s|%s|%s|%s|%d|%d|%lld/%lld|%s|%s",
	    t->url, t->profile.name, t->limit,
	    t->profile.items_path ? t->profile.items_path : "",
	    t->profile.offset_param ? t->profile.offset_param : "",
	    t->profile.limit_param ? t->profile.limit_param : "",
	    t->key ? t->key : "", t->gzip, ex->o->level, t->shard_index,
	    t->shard_count, t->profile.next_path ? t->profile.next_path : "",
	    t->profile.cursor_param ? t->profile.cursor_param : "");
	uint64_t h = hash_bytes(s, strlen(s));

	free(s);
	return h;
}

int
resume_wanted(const struct export *ex)
{
	const struct target *t = ex->t;

	return writer_local(t->output) && t->split_items == 0 &&
	    t->split_bytes == 0;
}

/* A journal from a killed run that is not being resumed: its temporary
 * file would stay for ever. */
static void
resume_forget(const char *jpath)
{
	struct journal_state st;
	char err[256];

	if (journal_read(jpath, &st, err, sizeof err) == 1 && st.tmp != NULL &&
	    strstr(st.tmp, "/.") != NULL) {
		log_info("removing %s and %s, left by an interrupted run (use "
		    "--resume to continue one)", jpath, st.tmp);
		unlink(st.tmp);
	}
	journal_state_free(&st);
	unlink(jpath);
}

enum exit_status
resume_open(struct export *ex, struct writer_opts *wopts)
{
	const struct target *t = ex->t;
	char err[512];
	int rc;

	if (!resume_wanted(ex)) {
		if (t->resume) {
			log_error("--resume needs -o FILE (a local file) without --split-items "
			    "or --split-bytes");
			return exit_usage;
		}
		return exit_ok;
	}
	ex->jpath = journal_path(t->output);
	if (!t->resume) {
		resume_forget(ex->jpath);
		return exit_ok;
	}
	rc = journal_read(ex->jpath, &ex->rs, err, sizeof err);
	if (rc < 0) {
		log_error("--resume: %s (remove it to start afresh)", err);
		return exit_usage;
	}
	if (rc == 0) {
		log_info("--resume: no journal at %s: starting from the first "
		    "page", ex->jpath);
		return exit_ok;
	}
	if (ex->rs.id != resume_id(ex)) {
		log_error("--resume: %s was written for another command (URL, "
		    "profile, page size, --key or compression differ; it was "
		    "for %s): remove it, or run that command", ex->jpath,
		    ex->rs.url ? ex->rs.url : "?");
		return exit_usage;
	}
	if (access(ex->rs.tmp, F_OK) != 0) {
		log_warn("--resume: %s is gone: starting from the first page",
		    ex->rs.tmp);
		journal_state_free(&ex->rs);
		unlink(ex->jpath);
		return exit_ok;
	}
	ex->resuming = 1;
	wopts->resume_tmp = ex->rs.tmp;
	wopts->resume_bytes = ex->rs.has_at ? ex->rs.bytes : 0;
	wopts->resume_items = ex->rs.has_at ? (unsigned long long)ex->rs.items : 0;
	return exit_ok;
}

enum exit_status
resume_start(struct export *ex, long long total, long page_size)
{
	const char *tmp;
	char *shown;

	/* Only a run that may be resumed keeps a journal: --resume each
	 * time, the first run included. */
	if (ex->jpath == NULL || !ex->t->resume ||
	    (tmp = writer_temp_path(ex->w)) == NULL)
		return exit_ok;
	if (ex->resuming) {
		if (page_size != ex->rs.page_size) {
			log_error("--resume: the server now pages by %ld items, "
			    "the interrupted run by %ld: remove %s to start "
			    "afresh", page_size, ex->rs.page_size, ex->jpath);
			return exit_protocol;
		}
		if (total != ex->rs.total)
			fail_warn(ex, "the total changed since the interrupted "
			    "run: %lld then, %lld now", ex->rs.total, total);
		if (ex->rs.has_at)
			log_info("--resume: %lld pages (%lld items, %llu bytes) "
			    "kept from the interrupted run", ex->rs.seq + 1,
			    ex->rs.items, ex->rs.bytes);
		ex->journal = journal_append(ex->jpath);
	} else {
		shown = log_redact_url(ex->t->url);
		ex->journal = journal_create(ex->jpath, resume_id(ex), shown,
		    tmp, total, page_size);
		free(shown);
	}
	ex->last_checkpoint = clock_now();
	return ex->journal != NULL ? exit_ok : exit_output;
}

/* The pages a resumed run already has: the next one to fetch, or 0. */
long long
resume_next_page(struct export *ex)
{
	const uint64_t *h;
	size_t i;

	if (!ex->resuming || !ex->rs.has_at)
		return 0;
	ex->items = ex->rs.items;
	ex->last_seq = ex->rs.seq;
	ex->pages_written = ex->rs.seq + 1 - ex->first_page;
	buf_reset(&ex->prev_hashes);
	(void)buf_add(&ex->prev_hashes, ex->rs.lines.data, ex->rs.lines.len);
	h = (const uint64_t *)(void *)ex->rs.keys.data;
	hashset_clear(&ex->prev);
	for (i = 0; i < ex->rs.keys.len / sizeof *h; i++)
		(void)hashset_add(&ex->prev, h[i]);
	return ex->rs.seq + 1;
}

/* The hashes of a set, for the journal. */
static void
set_hashes(const struct hashset *s, struct buf *out)
{
	size_t i;

	buf_reset(out);
	for (i = 0; i < s->cap; i++)
		if (s->slot[i] != 0)
			(void)buf_add(out, &s->slot[i], sizeof s->slot[i]);
}

int
resume_checkpoint(struct export *ex, long long seq, const char *next,
    int force)
{
	struct buf keys;
	double now;
	int rc;

	if (ex->journal == NULL || seq < 0)
		return 0;
	now = clock_now();
	if (!force && now - ex->last_checkpoint < CHECKPOINT_SECONDS)
		return 0;
	ex->last_checkpoint = now;
	if (writer_sync(ex->w) < 0)
		return -1;
	buf_init(&keys, 0);
	if (ex->t->key != NULL)
		set_hashes(&ex->prev, &keys);
	rc = journal_checkpoint(ex->journal, seq, ex->items, writer_bytes(ex->w),
	    next, ex->t->key != NULL ? &keys : NULL, &ex->prev_hashes);
	buf_free(&keys);
	return rc;
}

int
resume_keep(struct export *ex, enum exit_status st)
{
	if (ex->journal == NULL || !ex->t->resume || ex->closed ||
	    (st != exit_failure && st != exit_throttled &&
	    st != exit_interrupted))
		return 0;
	if (resume_checkpoint(ex, ex->last_seq, ex->cursor_next, 1) < 0)
		return 0;
	log_error("the partial export (%lld items) is kept for --resume: %s",
	    ex->items, writer_temp_path(ex->w));
	journal_close(ex->journal, 0);
	ex->journal = NULL;
	return 1;
}

void
resume_close(struct export *ex)
{
	/* A journal ends with its run: whatever it described was published
	 * or removed.  Only a crash (or resume_keep) leaves one. */
	journal_close(ex->journal, 1);
	ex->journal = NULL;
	if (ex->jpath != NULL && ex->resuming)
		unlink(ex->jpath);
	free(ex->jpath);
	ex->jpath = NULL;
	free(ex->cursor_next);
	ex->cursor_next = NULL;
	journal_state_free(&ex->rs);
}
