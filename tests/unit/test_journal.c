/*
 * test_journal.c - the resume journal: what is written is read back, the
 * last whole checkpoint wins, a torn tail is ignored, garbage is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "tap.h"

static void
append(const char *path, const char *s)
{
	FILE *f = fopen(path, "a");

	fputs(s, f);
	fclose(f);
}

int
main(void)
{
	char dir[] = "/tmp/test_journal.XXXXXX", path[256], err[256];
	struct journal_state st;
	struct journal *j;
	struct buf keys, lines;
	uint64_t h[3] = { 1, 0xdeadbeefcafef00dULL, UINT64_MAX }, got;
	char *jp;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/j", dir);
	jp = journal_path("/data/out/devices.ndjson.gz");
	ok(strcmp(jp, "/data/out/.devices.ndjson.gz.invdump-journal") == 0,
	    "the journal sits beside the destination, hidden");
	free(jp);

	ok(journal_read(path, &st, err, sizeof err) == 0, "none yet: 0");
	journal_state_free(&st);
	j = journal_create(path, 0x0123456789abcdefULL, "https://x/y?k=***",
	    "/data/.out.XXXX", 1037, 100);
	ok(j != NULL, "created");
	buf_init(&keys, 0);
	buf_init(&lines, 0);
	buf_add(&keys, h, sizeof h);
	buf_add(&lines, h, 2 * sizeof *h);
	ok(journal_checkpoint(j, 3, 400, 12345, NULL, &keys, &lines) == 0 &&
	    journal_checkpoint(j, 5, 600, 23456, "https://x/y?cursor=abc",
	    NULL, &lines) == 0, "two checkpoints");
	journal_close(j, 0);
	ok(journal_read(path, &st, err, sizeof err) == 1, "read back");
	ok(st.id == 0x0123456789abcdefULL && strcmp(st.url,
	    "https://x/y?k=***") == 0 && strcmp(st.tmp, "/data/.out.XXXX") == 0 &&
	    st.total == 1037 && st.page_size == 100, "the header");
	ok(st.has_at && st.seq == 5 && st.items == 600 && st.bytes == 23456 &&
	    st.next != NULL && strcmp(st.next, "https://x/y?cursor=abc") == 0,
	    "the last checkpoint wins");
	ok(st.keys.len == 0 && st.lines.len == 2 * sizeof got,
	    "its own hashes, not the earlier ones");
	memcpy(&got, st.lines.data + sizeof got, sizeof got);
	ok(got == h[1], "hashes round-trip");
	journal_state_free(&st);

	append(path, "keys 1 2\nat 9 900 99");
	ok(journal_read(path, &st, err, sizeof err) == 1 && st.seq == 5,
	    "a torn last line is ignored");
	journal_state_free(&st);
	append(path, "9\n");
	ok(journal_read(path, &st, err, sizeof err) == 1 && st.seq == 9 &&
	    st.bytes == 999 && st.keys.len == 2 * sizeof got && st.next == NULL,
	    "completed, it counts");
	journal_state_free(&st);

	j = journal_append(path);
	ok(j != NULL && journal_checkpoint(j, 10, 1000, 1111, NULL, NULL,
	    NULL) == 0, "appending after a read");
	journal_close(j, 0);
	ok(journal_read(path, &st, err, sizeof err) == 1 && st.seq == 10,
	    "... is read too");
	journal_state_free(&st);

	unlink(path);
	append(path, "not a journal\n");
	ok(journal_read(path, &st, err, sizeof err) == -1 &&
	    strstr(err, "not an invdump journal") != NULL, "garbage is refused");
	journal_state_free(&st);
	unlink(path);
	append(path, "invdump-journal 1\nid 12\n");
	ok(journal_read(path, &st, err, sizeof err) == -1,
	    "a header cut short is refused");
	journal_state_free(&st);
	j = journal_create(path, 1, "u", "t", -1, 10);
	journal_close(j, 1);
	ok(access(path, F_OK) != 0, "closing with remove deletes it");
	buf_free(&keys);
	buf_free(&lines);
	rmdir(dir);
	return tap_done();
}
