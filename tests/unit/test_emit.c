/*
 * test_emit.c - the ordered emitter (emit_page, emit.c): pages reach the
 * output in page order, whatever order the workers finish them in (through
 * pool_run, as the run calls it); every page is one page end of the writer
 * (a split output is cut there); the boundary check counts a page that
 * begins with an item of the page before, and only of the page before;
 * --key drops the items whose key the page before had, then compresses
 * what it keeps; the re-read of the total (job end_page) writes nothing.
 * The output is a real writer's, read back from the published files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "crew.h"
#include "hash.h"
#include "log.h"
#include "run.h"
#include "tap.h"

static char dir[64];
static struct target tgt;
static struct export ex;
static atomic_int stop;

/* A fresh export writing to dir/NAME, split into a part per page when
 * split (so that each page end shows as a part). */
static int
ex_open(const char *name, const char *key, int split)
{
	struct writer_opts wo;
	char path[128];

	memset(&tgt, 0, sizeof tgt);
	tgt.profile = *profile_find("offset");
	tgt.key = key;
	memset(&ex, 0, sizeof ex);
	ex.t = &tgt;
	ex.stop = &stop;
	ex.last_seq = -1;
	pthread_mutex_init(&ex.fail_lock, NULL);
	buf_init(&ex.prev_hashes, 1 << 20);
	buf_init(&ex.filtered, 1 << 20);
	/* hashsets start as zeroes (hashset.h): memset above */
	progress_init(&ex.progress, progress_off);
	memset(&wo, 0, sizeof wo);
	wo.split_items = split ? 1 : 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ex.w = writer_open_opts(path, &wo);
	return ex.w != NULL ? 0 : -1;
}

static void
ex_close(void)
{
	writer_abort(ex.w);
	packer_free(ex.pk);
	buf_free(&ex.prev_hashes);
	buf_free(&ex.filtered);
	hashset_free(&ex.prev);
	hashset_free(&ex.cur);
	pthread_mutex_destroy(&ex.fail_lock);
}

/* Fills pg with the lines of text ("a\nb\n"), their hashes and, when key,
 * --key's notes with each line's key: the text after its first ':' up to
 * its end (the lines are "k:v"). */
static void
page_fill(struct pool_page *pg, const char *text, int key)
{
	const char *p = text, *nl, *colon;
	struct fetch_item it;
	uint64_t h;

	buf_reset(&pg->data);
	buf_reset(&pg->hashes);
	buf_reset(&pg->keys);
	pg->items = 0;
	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		h = hash_bytes(p, (size_t)(nl - p));
		buf_add(&pg->hashes, &h, sizeof h);
		if (key) {
			colon = memchr(p, ':', (size_t)(nl - p));
			it.line_off = pg->data.len;
			it.line_len = (size_t)(nl + 1 - p);
			it.keylen = colon != NULL ? (long)(nl - colon - 1) : -1;
			buf_add(&pg->keys, &it, sizeof it);
			if (colon != NULL)
				buf_add(&pg->keys, colon + 1, (size_t)it.keylen);
		}
		buf_add(&pg->data, p, (size_t)(nl + 1 - p));
		pg->items++;
	}
}

static void
page_init(struct pool_page *pg)
{
	memset(pg, 0, sizeof *pg);
	buf_init(&pg->data, 1 << 20);
	buf_init(&pg->hashes, 1 << 20);
	buf_init(&pg->keys, 1 << 20);
}

static void
page_free(struct pool_page *pg)
{
	buf_free(&pg->data);
	buf_free(&pg->hashes);
	buf_free(&pg->keys);
}

/* A published file's bytes, gunzipped when gz; NUL-terminated in out. */
static size_t
slurp(const char *path, int gz, char *out, size_t n)
{
	gzFile z;
	FILE *f;
	size_t got = 0;
	int r;

	if (gz) {
		if ((z = gzopen(path, "rb")) == NULL)
			return 0;
		if ((r = gzread(z, out, (unsigned)(n - 1))) > 0)
			got = (size_t)r;
		gzclose(z);
	} else if ((f = fopen(path, "rb")) != NULL) {
		got = fread(out, 1, n - 1, f);
		fclose(f);
	}
	out[got] = '\0';
	return got;
}

/* Three pages by hand: page ends, the boundary check and its reach. */
static void
test_boundary(void)
{
	static const char *const pages[] = {
		"a\nb\nc\n", "d\ne\n", "e\nf\n", "b\ng\n", "h\n"
	};
	const struct writer_part *parts = NULL;
	struct pool_page pg;
	char text[256];
	size_t n = 0;
	int i, rc = 0;

	if (!ok(ex_open("bound.ndjson", NULL, 1) == 0, "the writer opens"))
		return;
	page_init(&pg);
	for (i = 0; i < 5; i++) {
		page_fill(&pg, pages[i], 0);
		rc |= emit_page(&ex, i, &pg);
		if (i == 2)
			ok(ex.repeats == 1, "page 3 begins with the last item of "
			    "page 2: one repeat counted (items added ahead of it)");
	}
	ok(rc == 0 && ex.repeats == 1, "page 4 begins with an item of page 1 "
	    "(not the page before): no repeat counted");
	ok(ex.items == 10 && ex.pages_written == 5 && ex.last_seq == 4,
	    "counts: 10 items, 5 pages, the last page 4 (repeats are still "
	    "written: the count check judges them)");
	ok(writer_publish(ex.w) == writer_ok &&
	    (parts = writer_parts(ex.w, &n)) != NULL && n == 5 &&
	    parts[0].items == 3 && parts[1].items == 2 && parts[4].items == 1,
	    "every page is one page end of the writer: a part per page with "
	    "--split-items 1, each holding its page's items");
	if (n == 5) {
		text[0] = '\0';
		for (i = 0; i < 5; i++)
			slurp(parts[i].path, 0, text + strlen(text),
			    sizeof text - strlen(text));
		ok(strcmp(text, "a\nb\nc\nd\ne\ne\nf\nb\ng\nh\n") == 0,
		    "the pages' bytes, in order, unchanged");
	}
	page_free(&pg);
	ex_close();
}

/* --key: repeats of the page before are dropped; then one gzip member. */
static void
test_key(void)
{
	static const char *const pages[] = {
		"x:1\nx:2\n", "y:2\ny:3\nnokey\n", "z:1\nz:3\n"
	};
	const struct writer_part *parts = NULL;
	struct pool_page pg;
	char text[256];
	size_t n = 0;
	int i, rc = 0;

	if (!ok(ex_open("key.ndjson.gz", "id", 0) == 0, "the writer opens"))
		return;
	ex.pk = packer_new(1, 6, 0);
	page_init(&pg);
	for (i = 0; i < 3; i++) {
		page_fill(&pg, pages[i], 1);
		rc |= emit_page(&ex, i, &pg);
	}
	ok(rc == 0 && ex.duplicates == 2 && ex.items == 5,
	    "--key: an item whose key the page before had is dropped (key 2 on "
	    "page 1, key 3 on page 2), 2 dropped and 5 kept (got %lld, %lld)",
	    ex.duplicates, ex.items);
	ok(ex.repeats == 0, "--key: no boundary check (the keys judge repeats)");
	if (writer_publish(ex.w) == writer_ok &&
	    (parts = writer_parts(ex.w, &n)) != NULL && n == 1) {
		slurp(parts[0].path, 1, text, sizeof text);
		ok(strcmp(text, "x:1\nx:2\ny:3\nnokey\nz:1\n") == 0,
		    "what is kept is compressed (gzip members), in order; an item "
		    "without the key is kept; key 1 again two pages later is "
		    "kept: only the page before counts");
	} else
		ok(0, "the output is published");
	page_free(&pg);
	ex_close();
}

/* The re-read of the total is a job of the pool past the pages: nothing. */
static void
test_recheck(void)
{
	struct pool_page pg;

	if (!ok(ex_open("recheck.ndjson", NULL, 0) == 0, "the writer opens"))
		return;
	page_init(&pg);
	ex.recheck = 1;
	ex.end_page = 1;
	page_fill(&pg, "a\n", 0);
	emit_page(&ex, 0, &pg);
	page_fill(&pg, "z\ny\n", 0);
	ok(emit_page(&ex, 1, &pg) == 0 && ex.items == 1 &&
	    ex.pages_written == 1 && writer_bytes(ex.w) == 2,
	    "job end_page, the total's re-read, writes and counts nothing");
	page_free(&pg);
	ex_close();
}

/* Through the pool: workers finish in reverse order, pages come out in
 * order. */
#define NPAGES 12

static enum pool_work
slow_first(void *wctx, long long seq, struct pool_page *page)
{
	struct timespec ts = { 0, (long)(NPAGES - seq) * 1000 * 1000 };
	char line[64];

	(void)wctx;
	nanosleep(&ts, NULL);   /* the earlier the page, the later it ends */
	snprintf(line, sizeof line, "{\"page\":%lld,\"i\":0}\n"
	    "{\"page\":%lld,\"i\":1}\n", seq, seq);
	page_fill(page, line, 0);
	return pool_work_done;
}

static void
test_order(void)
{
	static const struct pool_ops ops = { slow_first, emit_page, NULL };
	struct pool_window win = { 64, (size_t)1 << 20 };
	const struct writer_part *parts = NULL;
	void *wctx[4] = { NULL, NULL, NULL, NULL };
	char text[2048], want[2048], line[64];
	size_t n = 0;
	struct crew *crew;
	int i;

	if (!ok(ex_open("order.ndjson", NULL, 0) == 0, "the writer opens"))
		return;
	crew = crew_new(4, NULL);

	ok(crew != NULL && pool_run(crew, 4, wctx, 0, NPAGES, &win, 1 << 20,
	    &ops, &ex, &stop) == pool_result_ok, "12 pages on 4 workers, the "
	    "first ending last");
	crew_free(crew);
	want[0] = '\0';
	for (i = 0; i < NPAGES; i++) {
		snprintf(line, sizeof line, "{\"page\":%d,\"i\":0}\n"
		    "{\"page\":%d,\"i\":1}\n", i, i);
		strcat(want, line);
	}
	if (writer_publish(ex.w) == writer_ok &&
	    (parts = writer_parts(ex.w, &n)) != NULL && n == 1) {
		slurp(parts[0].path, 0, text, sizeof text);
		ok(strcmp(text, want) == 0 && ex.items == 2 * NPAGES &&
		    ex.last_seq == NPAGES - 1, "the output holds page 0, then "
		    "page 1, ... page 11: page order, not the order they ended");
	} else
		ok(0, "the output is published");
	ex_close();
}

/* Removes what the tests published. */
static void
cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_emit.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	log_set_level(log_level_quiet);
	test_boundary();
	test_key();
	test_recheck();
	test_order();
	cleanup();
	return tap_done();
}
