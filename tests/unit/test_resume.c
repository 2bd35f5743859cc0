/*
 * test_resume.c - the run's side of the resume journal (resume.c): a run
 * killed after a checkpoint is taken up where the checkpoint left it (the
 * temporary file cut back to it, counts and the boundary check's hashes
 * restored), and its output is byte for byte an uninterrupted run's; a
 * journal of another command, a changed page size, a changed total and a
 * lost temporary file are each caught; a failed run keeps its work
 * (resume_keep) only for the failures worth another try; only a plain
 * file is journalled.  Pages go through the real emitter and writer; no
 * network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "run.h"
#include "tap.h"

static char dir[64], out[128];
static struct options opt;
static struct target tgt;
static struct export ex;
static atomic_int stop;

static const char *const pages[] = {
	"{\"id\":1}\n{\"id\":2}\n", "{\"id\":3}\n{\"id\":4}\n",
	"{\"id\":4}\n{\"id\":5}\n"
};

/* The target: -o out --resume (when resume), 2 items a page. */
static void
target_set(int resume, long limit)
{
	memset(&opt, 0, sizeof opt);
	opt.level = 6;
	memset(&tgt, 0, sizeof tgt);
	tgt.url = "https://api.example/items?token=s3cret";
	tgt.profile = *profile_find("offset");
	tgt.output = out;
	tgt.limit = limit;
	tgt.resume = resume;
}

/* A run begins as export.c begins it: resume_open, then the writer. */
static enum exit_status
run_open(void)
{
	struct writer_opts wo;
	enum exit_status st;

	memset(&ex, 0, sizeof ex);
	atomic_store(&stop, 0);
	ex.o = &opt;
	ex.t = &tgt;
	ex.stop = &stop;
	ex.last_seq = -1;
	pthread_mutex_init(&ex.fail_lock, NULL);
	buf_init(&ex.prev_hashes, 1 << 20);
	progress_init(&ex.progress, progress_off);
	memset(&wo, 0, sizeof wo);
	if ((st = resume_open(&ex, &wo)) != exit_ok)
		return st;
	ex.w = writer_open_opts(out, &wo);
	return ex.w != NULL ? exit_ok : exit_output;
}

/* Ends it: published (publish), or left as a killed run leaves it. */
static void
run_close(int publish)
{
	int i;

	if (publish) {
		writer_commit(ex.w);
		resume_close(&ex);
	} else {
		writer_leave(ex.w);
		free(ex.jpath);
		journal_state_free(&ex.rs);
		/* A kill closes the journal's descriptor, not its file. */
		journal_close(ex.journal, 0);
	}
	ex.w = NULL;
	for (i = 0; i < ex.nwarnings; i++)
		free(ex.warnings[i]);
	buf_free(&ex.prev_hashes);
	pthread_mutex_destroy(&ex.fail_lock);
}

static int
emit(long long seq)
{
	struct pool_page pg;
	const char *p, *nl;
	uint64_t h;
	int rc;

	memset(&pg, 0, sizeof pg);
	buf_init(&pg.data, 1 << 20);
	buf_init(&pg.hashes, 1 << 20);
	for (p = pages[seq]; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		h = hash_bytes(p, (size_t)(nl - p));
		buf_add(&pg.hashes, &h, sizeof h);
		pg.items++;
	}
	buf_adds(&pg.data, pages[seq]);
	rc = emit_page(&ex, seq, &pg);
	buf_free(&pg.data);
	buf_free(&pg.hashes);
	return rc;
}

static size_t
slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got = 0;

	if (f != NULL) {
		got = fread(buf, 1, n - 1, f);
		fclose(f);
	}
	buf[got] = '\0';
	return got;
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Killed after page 1's checkpoint, with page 2 half written: taken up. */
static void
test_take_up(void)
{
	char *jpath = journal_path(out), tmp[256], got[256];
	const char *t;

	target_set(1, 2);
	ok(run_open() == exit_ok && !ex.resuming && resume_wanted(&ex),
	    "no journal: a run from the first page");
	ok(resume_start(&ex, 6, 2) == exit_ok && exists(jpath),
	    "--resume: the journal is started with the total and page size");
	emit(0);
	emit(1);
	ok(resume_checkpoint(&ex, 1, NULL, 1) == 0, "a checkpoint after page 1");
	writer_write(ex.w, "{\"id\":4}\n{\"i", 12);    /* torn by the kill */
	t = writer_temp_path(ex.w);
	snprintf(tmp, sizeof tmp, "%s", t != NULL ? t : "");
	run_close(0);
	ok(exists(tmp) && exists(jpath) && !exists(out),
	    "killed: the temporary file and the journal stay, nothing "
	    "published");

	ok(run_open() == exit_ok && ex.resuming, "run again with --resume: "
	    "the journal is this command's");
	ok(resume_start(&ex, 6, 2) == exit_ok && ex.nwarnings == 0,
	    "same page size, same total: no warning");
	ok(resume_next_page(&ex) == 2 && ex.items == 4 && ex.last_seq == 1 &&
	    ex.pages_written == 2 && writer_bytes(ex.w) == 36,
	    "it goes on at page 2, with 4 items and 36 bytes kept (the torn "
	    "tail cut; got %llu bytes)", writer_bytes(ex.w));
	emit(2);
	ok(ex.repeats == 1, "the boundary check across the resume: page 3 "
	    "begins with page 2's last item, which the checkpoint's hashes "
	    "know");
	ok(ex.items == 6, "6 items in all");
	run_close(1);
	slurp(out, got, sizeof got);
	ok(strcmp(got, "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4}\n"
	    "{\"id\":4}\n{\"id\":5}\n") == 0 && !exists(tmp) &&
	    !exists(jpath), "published: byte for byte an uninterrupted run's; "
	    "the temporary file and the journal are gone");
	unlink(out);
	free(jpath);
}

/* What is caught when a run is taken up. */
static void
test_refused(void)
{
	char *jpath = journal_path(out), tmp[256];
	const char *t;

	/* A killed run to take up. */
	target_set(1, 2);
	run_open();
	resume_start(&ex, 6, 2);
	emit(0);
	resume_checkpoint(&ex, 0, NULL, 1);
	t = writer_temp_path(ex.w);
	snprintf(tmp, sizeof tmp, "%s", t != NULL ? t : "");
	run_close(0);

	target_set(1, 3);
	ok(run_open() == exit_usage && exists(jpath) && exists(tmp),
	    "another command (another page size asked): refused, exit 2, its "
	    "journal and file left alone");
	run_close(0);

	target_set(1, 2);
	ok(run_open() == exit_ok && ex.resuming &&
	    resume_start(&ex, 6, 3) == exit_protocol,
	    "the server now pages by another size: exit 7");
	run_close(0);

	ok(run_open() == exit_ok && resume_start(&ex, 8, 2) == exit_ok &&
	    ex.nwarnings == 1 && strstr(ex.warnings[0], "the total changed "
	    "since the interrupted run: 6 then, 8 now") != NULL,
	    "a changed total: taken up, with a warning kept for the manifest");
	ok(resume_keep(&ex, exit_mismatch) == 0 && resume_keep(&ex,
	    exit_protocol) == 0 && ex.journal != NULL, "a run that failed for "
	    "good (3, 7) keeps "
	    "nothing for --resume");
	ok(resume_keep(&ex, exit_failure) == 1 && ex.journal == NULL &&
	    exists(jpath) && exists(tmp),
	    "a network failure (1) keeps its work for the next run");
	run_close(0);

	unlink(tmp);
	ok(run_open() == exit_ok && !ex.resuming && !exists(jpath),
	    "its temporary file gone: started afresh, the journal removed");
	run_close(1);

	/* A journal left by a killed --resume run, and a run without it. */
	target_set(1, 2);
	run_open();
	resume_start(&ex, 6, 2);
	t = writer_temp_path(ex.w);
	snprintf(tmp, sizeof tmp, "%s", t != NULL ? t : "");
	run_close(0);
	target_set(0, 2);
	ok(run_open() == exit_ok && !exists(jpath) && !exists(tmp),
	    "a run without --resume removes a killed run's journal and "
	    "temporary file");
	ok(resume_start(&ex, 6, 2) == exit_ok && ex.journal == NULL &&
	    !exists(jpath), "... and keeps no journal itself");
	run_close(1);
	unlink(out);
	free(jpath);
}

static void
test_wanted(void)
{
	struct writer_opts wo;

	target_set(1, 2);
	memset(&ex, 0, sizeof ex);
	ex.t = &tgt;
	tgt.output = "-";
	memset(&wo, 0, sizeof wo);
	ok(!resume_wanted(&ex) && resume_open(&ex, &wo) == exit_usage,
	    "--resume to standard output: refused, exit 2");
	tgt.output = out;
	tgt.split_items = 100;
	ok(!resume_wanted(&ex) && resume_open(&ex, &wo) == exit_usage,
	    "--resume with split parts: refused, exit 2");
	tgt.resume = 0;
	ok(resume_open(&ex, &wo) == exit_ok && ex.jpath == NULL,
	    "split parts without --resume: no journal");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[128];

	snprintf(dir, sizeof dir, "%s/test_resume.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(out, sizeof out, "%s/items.ndjson", dir);
	log_set_level(log_level_quiet);
	test_take_up();
	test_refused();
	test_wanted();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
