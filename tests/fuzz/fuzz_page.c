/*
 * fuzz_page.c - libFuzzer target for the page parser.
 *
 * Input: two option bytes, then the body.
 *   byte 0: bit 0 items_path "results" (else root array), bit 1 total_path
 *           "count", bit 2 next_path "meta.next", bits 3-4 max_item
 *           {none, 16, 64, 1000}, bits 5-7 max_depth {default, 1, 2, 3, 8,
 *           128, 1000, 64}
 *   byte 1: bits 0-4 chunk size (0: whole body), bits 5-7 output cap
 *           {none, 8, 32, 100, 256, 1024, 4096, 65536}
 *
 * Each body is parsed twice, in chunks and whole, by one parser reset in
 * between, and these must hold:
 *   - out holds only complete lines, as many as page_items();
 *   - every line is one JSON value (yajl_tree), strict UTF-8, without a raw
 *     byte below 0x20, within max_item and the output cap;
 *   - a success has no error text, a failure a one-line one;
 *   - chunking never changes a success (same lines, total and next) nor
 *     turns a failure into one.  The two failures may differ only when one
 *     is the pending-token guard, which can fire before a later syntax
 *     error is reached.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc
 *        tests/fuzz/fuzz_page.c src/page.c src/buf.c src/xalloc.c -lyajl
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "buf.h"
#include "page.h"

#include "fuzz_check.h"

struct result {
	enum page_status st;
	char *out;
	size_t len;
	size_t items;
	int has_total;
	long long total;
	char *next;
};

/* An independent strict UTF-8 check, to cross-examine page.c's own. */
static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

static void
check_lines(const struct buf *out, size_t items, size_t max_item)
{
	const char *s, *e, *nl;
	char *line, err[128];
	yajl_val v;
	size_t n, count = 0, i;

	if (out->len == 0) {
		CHECK(items == 0);
		return;
	}
	s = out->data;
	e = out->data + out->len;
	CHECK(out->data[out->len - 1] == '\n');
	while (s < e) {
		nl = memchr(s, '\n', e - s);
		CHECK(nl != NULL);
		n = nl - s;
		CHECK(n > 0);
		CHECK(max_item == 0 || n <= max_item);
		for (i = 0; i < n; i++)
			CHECK((unsigned char)s[i] >= 0x20);
		CHECK(utf8_ok((const unsigned char *)s, n));
		line = malloc(n + 1);
		memcpy(line, s, n);
		line[n] = '\0';
		v = yajl_tree_parse(line, err, sizeof(err));
		CHECK(v != NULL);
		yajl_tree_free(v);
		free(line);
		count++;
		s = nl + 1;
	}
	CHECK(count == items);
}

static void
run(page_parser *p, struct buf *out, const struct page_opts *o,
    const uint8_t *body, size_t n, size_t chunk, struct result *r)
{
	const char *e, *next;
	size_t off, k;

	page_reset(p);
	buf_reset(out);
	r->st = page_status_ok;
	for (off = 0; off < n && r->st == page_status_ok; off += k) {
		k = chunk == 0 || chunk > n - off ? n - off : chunk;
		r->st = page_feed(p, body + off, k);
	}
	if (r->st == page_status_ok)
		r->st = page_finish(p);
	CHECK(r->st >= page_status_ok && r->st <= page_status_too_deep);
	if (r->st != page_status_ok)
		CHECK(page_feed(p, "[]", 2) == r->st);

	e = page_error(p);
	if (r->st == page_status_ok)
		CHECK(e[0] == '\0');
	else
		CHECK(e[0] != '\0' && strchr(e, '\n') == NULL);
	CHECK(out->max == 0 || out->len <= out->max);
	check_lines(out, page_items(p), o->max_item);

	r->out = malloc(out->len + 1);
	memcpy(r->out, out->data ? out->data : "", out->len);
	r->len = out->len;
	r->items = page_items(p);
	r->has_total = page_total(p, &r->total);
	if (r->has_total)
		CHECK(r->total >= 0);
	next = page_next(p);
	r->next = next != NULL ? strdup(next) : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t max_items[] = { 0, 16, 64, 1000 };
	static const unsigned depths[] = { 0, 1, 2, 3, 8, 128, 1000, 64 };
	static const size_t caps[] = { 0, 8, 32, 100, 256, 1024, 4096, 65536 };
	struct page_opts o;
	struct result a, b;
	struct buf out;
	page_parser *p;
	size_t chunk;

	if (size < 2)
		return 0;
	memset(&o, 0, sizeof(o));
	o.items_path = data[0] & 1 ? "results" : NULL;
	o.total_path = data[0] & 2 ? "count" : NULL;
	o.next_path = data[0] & 4 ? "meta.next" : NULL;
	o.guess_next = !(data[0] & 4);
	o.max_item = max_items[(data[0] >> 3) & 3];
	o.max_depth = depths[data[0] >> 5];
	chunk = data[1] & 31;
	buf_init(&out, caps[data[1] >> 5]);

	p = page_new(&o, &out);
	run(p, &out, &o, data + 2, size - 2, chunk, &a);
	run(p, &out, &o, data + 2, size - 2, 0, &b);
	page_free(p);
	buf_free(&out);

	if (a.st == page_status_ok || b.st == page_status_ok) {
		CHECK(a.st == b.st);
		CHECK(a.len == b.len && memcmp(a.out, b.out, a.len) == 0);
		CHECK(a.items == b.items);
		CHECK(a.has_total == b.has_total &&
		    (!a.has_total || a.total == b.total));
		CHECK((a.next == NULL) == (b.next == NULL));
		CHECK(a.next == NULL || strcmp(a.next, b.next) == 0);
	} else if (a.st != page_status_too_big && b.st != page_status_too_big)
		CHECK(a.st == b.st);
	free(a.out);
	free(b.out);
	free(a.next);
	free(b.next);
	return 0;
}
