/*
 * emit.c - the ordered writer's side of the run: pages arrive here in page
 * order, on the one thread that runs the export's pool (pool_run's caller:
 * the main thread, a crew thread running the target with --jobs, the crew
 * thread running the listing with --expand).
 *
 * Owns what happens between a finished page and the output: the check
 * that a page does not begin with an item of the page before (data added
 * during the export), --key's dropping of repeated items (and then the
 * compression the workers left undone), the item count, and the progress
 * line.  Never fetches; never runs on a worker.
 */
#include <stdint.h>
#include <string.h>

#include "expand.h"
#include "fail.h"
#include "hash.h"
#include "log.h"
#include "run.h"
#include "writer.h"

/* The progress line, from the run's counters. */
static void
emit_progress(struct export *ex)
{
	struct progress_counts c;

	if (ex->xp != NULL)
		return;         /* the details' emitter says it (expand.c) */
	c.items = ex->items;
	c.bytes = writer_bytes(ex->w);
	c.requests = atomic_load(&ex->run.requests);
	c.inflight = atomic_load(&ex->run.inflight);
	c.retries = atomic_load(&ex->run.retried);
	c.throttles = atomic_load(&ex->run.throttled);
	progress_update(&ex->progress, &c);
}

/* The page's lines to the writer; with --expand, item by item to the
 * details (expand.c), which write what they make of them. */
static int
emit_write(struct export *ex, const struct buf *b)
{
	const char *p = b->data, *end = b->data + b->len, *nl;

	if (ex->xp != NULL) {
		for (; p < end; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			if (expand_push(ex->xp, p, (size_t)(nl - p)) < 0)
				return -1;
		}
		return 0;
	}
	return fail_output(ex, writer_write(ex->w, b->data, b->len));
}

/* --key: drops the items whose key the previous page had, then writes. */
static int
emit_unique(struct export *ex, struct pool_page *page)
{
	struct fetch_item it;
	const char *p = page->keys.data, *end = p + page->keys.len;
	const struct buf *out;
	struct hashset tmp;
	uint64_t h;
	long long kept = 0;

	buf_reset(&ex->filtered);
	hashset_clear(&ex->cur);
	while (p < end) {
		memcpy(&it, p, sizeof it);
		p += sizeof it;
		if (it.keylen >= 0) {
			h = hash_bytes(p, (size_t)it.keylen);
			p += it.keylen;
			if (hashset_has(&ex->prev, h)) {
				ex->duplicates++;
				continue;
			}
			(void)hashset_add(&ex->cur, h);
		}
		buf_add(&ex->filtered, page->data.data + it.line_off, it.line_len);
		kept++;
	}
	tmp = ex->prev;
	ex->prev = ex->cur;
	ex->cur = tmp;

	if ((out = pack_lines(ex->pk, &ex->filtered)) == NULL) {
		fail_run(ex, exit_protocol, "a page is too large");
		return -1;
	}
	if (emit_write(ex, out) < 0)
		return -1;
	ex->items += kept;
	emit_progress(ex);
	return 0;
}

/*
 * Does the page start with an item of the page before?  Data inserted
 * ahead of the page while the export ran shifts every later page by as
 * much; the first item of the later page then is one already written.
 */
static void
emit_boundary(struct export *ex, long long seq, const struct pool_page *page)
{
	const uint64_t *prev = (const uint64_t *)(void *)ex->prev_hashes.data;
	size_t i, n = ex->prev_hashes.len / sizeof *prev;
	uint64_t h;

	if (seq > 0 && page->hashes.len >= sizeof h && ex->t->key == NULL) {
		memcpy(&h, page->hashes.data, sizeof h);
		for (i = 0; i < n; i++)
			if (prev[i] == h) {
				ex->repeats++;
				log_warn("page %lld begins with an item of the page "
				    "before (items were added ahead of it during "
				    "the export)", seq + 1);
				break;
			}
	}
	buf_reset(&ex->prev_hashes);
	(void)buf_add(&ex->prev_hashes, page->hashes.data, page->hashes.len);
}

int
emit_page(void *arg, long long seq, struct pool_page *page)
{
	struct export *ex = arg;
	long long before = ex->items;
	int rc;

	if (ex->recheck && seq == ex->end_page)
		return 0;               /* the re-read of the total */
	emit_boundary(ex, seq, page);
	ex->pages_written++;
	ex->last_seq = seq;
	if (ex->t->key != NULL)
		rc = emit_unique(ex, page);
	else if ((rc = emit_write(ex, &page->data)) == 0) {
		ex->items += page->items;
		emit_progress(ex);
	}
	if (rc != 0)
		return rc;
	/* A page ends here: where a split output may be cut. */
	if (ex->xp == NULL && fail_output(ex, writer_page_end(ex->w,
	    (unsigned long long)(ex->items - before))) < 0)
		return -1;
	/* The cursor plan checkpoints itself, with its next page. */
	if (!profile_sequential(&ex->t->profile) &&
	    resume_checkpoint(ex, seq, NULL, 0) < 0)
		return fail_output(ex, writer_error);
	return 0;
}
