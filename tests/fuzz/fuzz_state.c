/*
 * fuzz_state.c - libFuzzer target for the state file reader
 * (state_read_text), which a run trusts for the bookmark it asks from, and
 * for what state_text writes back from it.
 *
 * Input: the state file's text (any bytes; a NUL is refused, as the
 * reader refuses it).
 *
 * These must hold for every input, for the names "", "a" and "b":
 *   - the reader says 1, 0 or -1; 0 and -1 leave the entry empty;
 *   - counts are -1 or more;
 *   - an entry read (1) for "a", written back by state_text, reads back
 *     the same (field, bookmark, its kind, counts), and "b"'s answer does
 *     not change unless the text has a \u0000 (which cuts a C string);
 *   - a bookmark that parses is equal to itself, and bookmark_find on the
 *     text stays within it.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_state
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookmark.h"
#include "state.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

static int
same_entry(const struct state_entry *a, const struct state_entry *b)
{
	return same_str(a->field, b->field) && same_str(a->bookmark,
	    b->bookmark) && (a->bookmark == NULL || a->bookmark_string ==
	    b->bookmark_string) && a->items == b->items &&
	    a->items_full == b->items_full;
}

/* "a"'s entry written back: itself again, "b" as it was. */
static void
round_trip(const char *text, size_t size, const struct state_entry *a)
{
	struct state_entry b0, b1, again;
	char err[256], *out;
	int rb0, rb1;

	out = state_text(text, size, "a", a, err, sizeof err);
	if (out == NULL)
		return;         /* a string that is not UTF-8: refused */
	CHECK(state_read_text(out, strlen(out), "a", &again, err,
	    sizeof err) == 1);
	CHECK(same_entry(a, &again));
	rb0 = state_read_text(text, size, "b", &b0, err, sizeof err);
	rb1 = state_read_text(out, strlen(out), "b", &b1, err, sizeof err);
	if (memmem(text, size, "\\u0000", 6) == NULL) {
		CHECK(rb0 == rb1);
		CHECK(same_entry(&b0, &b1));
	}
	state_entry_free(&again);
	state_entry_free(&b0);
	state_entry_free(&b1);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "", "a", "b" };
	struct state_entry e;
	struct bookmark_value v;
	char err[256], *text = malloc(size + 1);
	const char *val;
	size_t i, vlen;
	int r, str;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		r = state_read_text(text, size, names[i], &e, err, sizeof err);
		CHECK(r >= -1 && r <= 1);
		CHECK(e.items >= -1 && e.items_full >= -1);
		CHECK(r == 1 || (e.field == NULL && e.bookmark == NULL));
		if (e.bookmark != NULL) {
			bookmark_parse(e.bookmark, strlen(e.bookmark),
			    e.bookmark_string, &v);
			CHECK(v.kind == bookmark_unusable ||
			    bookmark_cmp(&v, &v) == 0);
		}
		if (r == 1 && i == 1)
			round_trip(text, size, &e);
		state_entry_free(&e);
	}
	if (bookmark_find(text, size, "a", 1, &val, &vlen, &str))
		CHECK(val >= text && val + vlen <= text + size);
	free(text);
	return 0;
}
