/*
 * test_page.c - the streaming JSON → NDJSON page parser.
 *
 * Every case is fed whole and then in every chunk size from 1 to 31 bytes
 * (yajl's own test discipline: tokens split at every possible place), and
 * the output is compared byte for byte.  The chunked runs reuse one parser
 * through page_reset, so reuse after errors is covered too.  One TAP line
 * per case; a failure names the chunk size that broke it.
 *
 * Every run also walks page_item: the lines must tile out from where the
 * body began, in order.  The cases with a key field add out's earlier
 * contents and the key expected of each item; every other case is run a
 * second time with key_field "id", which must change nothing in out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "page.h"
#include "tap.h"

#define WHOLE 0
#define MAXCHUNK 31

struct pcase {
	const char *name;
	const char *in;
	size_t inlen;		/* 0: strlen(in) */
	struct page_opts o;
	size_t out_max;		/* cap on the output buffer; 0: none */
	enum page_status want;
	/* ok: the exact output.  error: what out must hold, the complete
	 * lines before the failing item (NULL: not checked). */
	const char *out;
	size_t outlen;		/* 0: strlen(out) */
	int has_total;
	long long total;
	const char *next;	/* expected page_next(); NULL: none */
	const char *errsub;	/* substring of page_error() */
};

/* The key page_item must give for one item. */
struct kexp {
	const char *s;		/* NULL: no key */
	size_t n;
};

struct kcase {
	struct pcase c;
	const char *prefix;	/* in out before the body; NULL: nothing */
	const struct kexp *keys;	/* one per item */
	size_t nkeys;
};

static const char *const status_name[] = {
	"ok", "syntax", "shape", "too_big", "too_deep"
};

static char diag[512];

/*
 * page_item for every item and one past the end: the lines follow each
 * other from base to the end of out, and each key is the one in k (with
 * check_keys) or none (without a key field).
 */
static int
check_items(const page_parser *p, const struct buf *out, size_t base,
    const struct kcase *k, int check_keys)
{
	const struct kexp *e;
	const char *key;
	size_t keylen, lo, ll, pos = base, i;

	if (k != NULL && page_items(p) != k->nkeys) {
		snprintf(diag, sizeof(diag), "%zu items, want %zu keys",
		    page_items(p), k->nkeys);
		return 0;
	}
	for (i = 0; i < page_items(p); i++) {
		if (page_item(p, i, &key, &keylen, &lo, &ll) != 0) {
			snprintf(diag, sizeof(diag), "page_item(%zu) failed", i);
			return 0;
		}
		if (lo != pos || ll == 0 || ll > out->len - lo ||
		    out->data[lo + ll - 1] != '\n' ||
		    memchr(out->data + lo, '\n', ll - 1) != NULL) {
			snprintf(diag, sizeof(diag), "item %zu: line at %zu+%zu, "
			    "want at %zu", i, lo, ll, pos);
			return 0;
		}
		pos += ll;
		if (!check_keys)
			continue;
		e = k != NULL ? &k->keys[i] : NULL;
		if (e == NULL || e->s == NULL) {
			if (key != NULL || keylen != 0) {
				snprintf(diag, sizeof(diag), "item %zu: key "
				    "[%.*s], want none", i, (int)keylen,
				    key ? key : "");
				return 0;
			}
		} else if (key == NULL || keylen != e->n ||
		    memcmp(key, e->s, keylen) != 0) {
			snprintf(diag, sizeof(diag), "item %zu: key [%.*s] "
			    "(%zu bytes), want [%s] (%zu)", i, (int)keylen,
			    key ? key : "(none)", keylen, e->s, e->n);
			return 0;
		}
	}
	if (pos != out->len) {
		snprintf(diag, sizeof(diag), "lines end at %zu, out at %zu", pos,
		    out->len);
		return 0;
	}
	if (page_item(p, i, &key, &keylen, &lo, &ll) != -1) {
		snprintf(diag, sizeof(diag), "page_item past the end succeeded");
		return 0;
	}
	return 1;
}

/* Runs one case with one chunk size; returns 1 if all matched, else 0
 * with a description in diag.  out may already hold bytes: the body's
 * output is what follows them. */
static int
run(page_parser *p, struct buf *out, const struct pcase *c,
    const struct kcase *k, int check_keys, size_t chunk)
{
	size_t inlen = c->inlen ? c->inlen : strlen(c->in);
	size_t base = out->len;
	size_t outlen, off, n, lines, i;
	const char *want_out = c->out;
	const char *got;
	enum page_status st = page_status_ok;
	long long total;
	const char *next;

	for (off = 0; off < inlen && st == page_status_ok; off += n) {
		n = chunk == WHOLE || chunk > inlen - off ? inlen - off : chunk;
		st = page_feed(p, c->in + off, n);
	}
	if (st == page_status_ok)
		st = page_finish(p);
	/* after an error, feeding more must keep the error */
	if (st != page_status_ok && page_feed(p, "[1]", 3) != st) {
		snprintf(diag, sizeof(diag), "feed after error changed status");
		return 0;
	}
	if (st != c->want) {
		snprintf(diag, sizeof(diag), "status %s, want %s (%s)",
		    status_name[st], status_name[c->want], page_error(p));
		return 0;
	}
	if (st == page_status_ok && page_error(p)[0] != '\0') {
		snprintf(diag, sizeof(diag), "error text on success: %s",
		    page_error(p));
		return 0;
	}
	if (st != page_status_ok) {
		const char *e = page_error(p);
		if (e[0] == '\0' || strchr(e, '\n') != NULL ||
		    (c->errsub != NULL && strstr(e, c->errsub) == NULL)) {
			snprintf(diag, sizeof(diag), "error \"%s\", want \"%s\"",
			    e, c->errsub ? c->errsub : "");
			return 0;
		}
	}
	if (out->len < base) {
		snprintf(diag, sizeof(diag), "out shrank below its %zu bytes",
		    base);
		return 0;
	}
	for (lines = 0, i = base; i < out->len; i++)
		if (out->data[i] == '\n')
			lines++;
	if (lines != page_items(p) ||
	    (out->len > base && out->data[out->len - 1] != '\n')) {
		snprintf(diag, sizeof(diag), "%zu lines, page_items %zu, "
		    "len %zu", lines, page_items(p), out->len - base);
		return 0;
	}
	got = out->data != NULL ? out->data + base : "";
	if (want_out != NULL) {
		outlen = c->outlen ? c->outlen : strlen(want_out);
		if (out->len - base != outlen ||
		    memcmp(got, want_out, outlen) != 0) {
			snprintf(diag, sizeof(diag), "output [%.*s], want [%s]",
			    (int)(out->len - base > 200 ? 200 : out->len - base),
			    got, want_out);
			return 0;
		}
	}
	if (!check_items(p, out, base, k, check_keys))
		return 0;
	if (st != page_status_ok)
		return 1;
	if (page_total(p, &total) != c->has_total ||
	    (c->has_total && total != c->total)) {
		snprintf(diag, sizeof(diag), "total %d/%lld, want %d/%lld",
		    page_total(p, &total), total, c->has_total, c->total);
		return 0;
	}
	next = page_next(p);
	if ((next == NULL) != (c->next == NULL) ||
	    (next != NULL && strcmp(next, c->next) != 0)) {
		snprintf(diag, sizeof(diag), "next \"%s\", want \"%s\"",
		    next ? next : "(none)", c->next ? c->next : "(none)");
		return 0;
	}
	return 1;
}

/* Empties out but for the case's earlier contents. */
static void
prepare(struct buf *out, const struct kcase *k)
{
	buf_reset(out);
	if (k != NULL && k->prefix != NULL)
		buf_adds(out, k->prefix);
}

/* A fresh parser for the whole body, then one reused parser for every
 * chunk size; returns 1 if all passed. */
static int
check_opts(const struct pcase *c, const struct page_opts *o,
    const struct kcase *k, int check_keys, const char *variant)
{
	struct buf out;
	page_parser *p;
	size_t chunk;
	int good = 1;

	buf_init(&out, c->out_max);
	prepare(&out, k);
	p = page_new(o, &out);
	page_record_lines(p);   /* check_items looks at every line */
	if (!run(p, &out, c, k, check_keys, WHOLE)) {
		good = 0;
		tap_diag("%s%s: whole body: %s", c->name, variant, diag);
	}
	page_free(p);
	p = page_new(o, &out);
	page_record_lines(p);
	for (chunk = 1; good && chunk <= MAXCHUNK; chunk++) {
		prepare(&out, k);
		page_reset(p);
		if (!run(p, &out, c, k, check_keys, chunk)) {
			good = 0;
			tap_diag("%s%s: chunk size %zu: %s", c->name, variant,
			    chunk, diag);
		}
	}
	page_free(p);
	buf_free(&out);
	return good;
}

/* A case as given, then (without a key field of its own) with one. */
static void
check_keyed(const struct pcase *c, const struct kcase *k)
{
	struct page_opts o = c->o;
	int good;

	good = check_opts(c, &o, k, 1, "");
	if (good && o.key_field == NULL) {
		o.key_field = "id";
		good = check_opts(c, &o, k, 0, " (key_field \"id\")");
	}
	ok(good, "%s", c->name);
}

static void
check(const struct pcase *c)
{
	check_keyed(c, NULL);
}

#define ROOT		{ NULL, NULL, NULL, 0, 0, NULL, 0 }
#define ITEMS(path)	{ path, NULL, NULL, 0, 0, NULL, 0 }

static const struct pcase cases[] = {
	/* numbers, byte for byte */
	{ "numbers keep their text",
	  "[18446744073709551617,1e400,-0.0,0.1000000000000000055511151231257827,"
	  "-9223372036854775809,1E+2,0,-1,1.5e-10,2E-3,123456789012345678901234567890]",
	  0, ROOT, 0, page_status_ok,
	  "18446744073709551617\n1e400\n-0.0\n0.1000000000000000055511151231257827\n"
	  "-9223372036854775809\n1E+2\n0\n-1\n1.5e-10\n2E-3\n"
	  "123456789012345678901234567890\n", 0, 0, 0, NULL, NULL },
	{ "numbers inside objects",
	  "[{\"id\":18446744073709551617,\"x\":-0.0,\"y\":[1E+2,1e400]}]",
	  0, ROOT, 0, page_status_ok,
	  "{\"id\":18446744073709551617,\"x\":-0.0,\"y\":[1E+2,1e400]}\n",
	  0, 0, 0, NULL, NULL },

	/* strings */
	{ "surrogate pair becomes 4-byte UTF-8",
	  "[\"\\ud83d\\ude00\",\"a\\uD83D\\uDE00b\"]", 0, ROOT, 0, page_status_ok,
	  "\"\xf0\x9f\x98\x80\"\n\"a\xf0\x9f\x98\x80" "b\"\n", 0, 0, 0, NULL, NULL },
	{ "\\u0000 is a NUL byte, re-escaped",
	  "[\"a\\u0000b\",{\"k\\u0000\":\"\\u0000\"}]", 0, ROOT, 0, page_status_ok,
	  "\"a\\u0000b\"\n{\"k\\u0000\":\"\\u0000\"}\n", 0, 0, 0, NULL, NULL },
	{ "every escape",
	  "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", 0, ROOT, 0, page_status_ok,
	  "\"\\\"\\\\/\\b\\f\\n\\r\\t\"\n", 0, 0, 0, NULL, NULL },
	{ "control characters as upper-case \\u00XX",
	  "[\"\\u0001\\u001f\\u001F\\u000b\\u007f\\u0080\"]", 0, ROOT, 0,
	  page_status_ok,
	  "\"\\u0001\\u001F\\u001F\\u000B\x7f\xc2\x80\"\n", 0, 0, 0, NULL, NULL },
	{ "raw UTF-8, U+2028, U+2029, 0x7F kept raw",
	  "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",\"\xe2\x80\xa8\xe2\x80\xa9\","
	  "\"\x7f\",\"\\u2028\\u00e9\"]", 0, ROOT, 0, page_status_ok,
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n\"\xe2\x80\xa8\xe2\x80\xa9\"\n"
	  "\"\x7f\"\n\"\xe2\x80\xa8\xc3\xa9\"\n", 0, 0, 0, NULL, NULL },
	{ "escaped backslash before u is not a \\u escape",
	  "[\"\\\\ud800\",\"\\\\\\ud83d\\ude00\"]", 0, ROOT, 0, page_status_ok,
	  "\"\\\\ud800\"\n\"\\\\\xf0\x9f\x98\x80\"\n", 0, 0, 0, NULL, NULL },
	{ "keys keep order and escapes",
	  "[{\"z\":1,\"a\":2,\"m\":3,\"k\\\"ey\":4,\"\\u00e9\":5,\"\":6}]", 0, ROOT,
	  0, page_status_ok,
	  "{\"z\":1,\"a\":2,\"m\":3,\"k\\\"ey\":4,\"\xc3\xa9\":5,\"\":6}\n",
	  0, 0, 0, NULL, NULL },

	/* shapes of items */
	{ "nested, empty and scalar items",
	  "[{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":[]},{\"e\":{}},[],{},[[[]]],"
	  "true,false,null,\"s\",1]", 0, ROOT, 0, page_status_ok,
	  "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":[]}\n{\"e\":{}}\n[]\n{}\n[[[]]]\n"
	  "true\nfalse\nnull\n\"s\"\n1\n", 0, 0, 0, NULL, NULL },
	{ "empty root array", "[]", 0, ROOT, 0, page_status_ok, "", 0, 0, 0,
	  NULL, NULL },
	{ "pretty-printed input",
	  " \r\n\t[\n  {\n    \"a\" : 1 ,\n    \"b\" : [ true , null ]\n  } ,\n"
	  "  \"x y\"\n]\n\n", 0, ROOT, 0, page_status_ok,
	  "{\"a\":1,\"b\":[true,null]}\n\"x y\"\n", 0, 0, 0, NULL, NULL },

	/* items path, total, next */
	{ "results with total after",
	  "{\"results\":[{\"id\":1},{\"id\":2}],\"count\":2}", 0,
	  { "results", "count", NULL, 0, 0, NULL , 0 }, 0, page_status_ok,
	  "{\"id\":1}\n{\"id\":2}\n", 0, 1, 2, NULL, NULL },
	{ "results with total before, and skipped keys",
	  "{\"count\":1234,\"next\":\"https://x/?page=2\",\"previous\":null,"
	  "\"facets\":{\"results\":[9],\"deep\":[[{\"count\":7}]]},"
	  "\"list\":[{\"results\":[8],\"count\":6}],\"results\":[1,2,3]}", 0,
	  { "results", "count", "next", 0, 0, NULL , 0 }, 0, page_status_ok,
	  "1\n2\n3\n", 0, 1, 1234, "https://x/?page=2", NULL },
	{ "data.items with meta.next_cursor",
	  "{\"meta\":{\"total\":\"42\",\"next_cursor\":\"abc==\"},"
	  "\"data\":{\"items\":[{\"a\":[]}],\"other\":[5]}}", 0,
	  { "data.items", "meta.total", "meta.next_cursor", 0, 0, NULL , 0 }, 0,
	  page_status_ok, "{\"a\":[]}\n", 0, 1, 42, "abc==", NULL },
	{ "@odata.count and value",
	  "{\"@odata.context\":\"x\",\"@odata.count\":3,\"value\":[{\"n\":1}],"
	  "\"@odata.nextLink\":\"https://h/v?$skip=1\"}", 0,
	  { "value", "@odata.count", "@odata.nextLink", 0, 0, NULL , 0 }, 0,
	  page_status_ok, "{\"n\":1}\n", 0, 1, 3, "https://h/v?$skip=1", NULL },
	{ "dotted key matches a dotted path",
	  "{\"a.b\":[1]}", 0, ITEMS("a.b"), 0, page_status_ok, "1\n", 0, 0, 0,
	  NULL, NULL },
	{ "nested keys match a dotted path",
	  "{\"a\":{\"x\":[0],\"b\":[2]}}", 0, ITEMS("a.b"), 0, page_status_ok,
	  "2\n", 0, 0, 0, NULL, NULL },
	{ "an empty top-level key is not the root",
	  "{\"\":{\"results\":[9]},\"results\":[1]}", 0, ITEMS("results"), 0,
	  page_status_ok, "1\n", 0, 0, 0, NULL, NULL },
	{ "next as a number",
	  "{\"items\":[],\"next_page\":17}", 0, { "items", NULL, "next_page", 0, 0, NULL , 0 },
	  0, page_status_ok, "", 0, 0, 0, "17", NULL },
	{ "next null means none",
	  "{\"items\":[1],\"next\":null}", 0, { "items", NULL, "next", 0, 0, NULL , 0 },
	  0, page_status_ok, "1\n", 0, 0, 0, NULL, NULL },
	{ "unusable totals are no total",
	  "{\"items\":[],\"a\":-1,\"b\":1.5,\"c\":\"12x\",\"d\":null,"
	  "\"e\":99999999999999999999}", 0, { "items", "a", NULL, 0, 0, NULL , 0 }, 0,
	  page_status_ok, "", 0, 0, 0, NULL, NULL },
	{ "total path absent",
	  "{\"items\":[1]}", 0, { "items", "total", "next", 0, 0, NULL , 0 }, 0,
	  page_status_ok, "1\n", 0, 0, 0, NULL, NULL },
	{ "long keys in the envelope",
	  "{\"a_very_long_key_that_is_longer_than_any_wanted_path\":"
	  "{\"results\":[0]},\"results\":[1]}", 0, ITEMS("results"), 0,
	  page_status_ok, "1\n", 0, 0, 0, NULL, NULL },

	/* limits that pass */
	{ "item exactly max_item",
	  "[{\"a\":\"0123456789\"},\"123456789012345678\"]", 0,
	  { NULL, NULL, NULL, 20, 0, NULL , 0 }, 0, page_status_ok,
	  "{\"a\":\"0123456789\"}\n\"123456789012345678\"\n", 0, 0, 0, NULL, NULL },
	{ "depth exactly max_depth",
	  "[[[[1]]]]", 0, { NULL, NULL, NULL, 0, 4, NULL , 0 }, 0, page_status_ok,
	  "[[[1]]]\n", 0, 0, 0, NULL, NULL },
	{ "output exactly at the buffer cap",
	  "[1234567,1]", 0, ROOT, 10, page_status_ok, "1234567\n1\n", 0, 0, 0,
	  NULL, NULL },

	/* syntax errors */
	{ "HTML is not JSON", "<html><body>502 Bad Gateway</body></html>", 0,
	  ROOT, 0, page_status_syntax, "", 0, 0, 0, NULL, "lexical error" },
	{ "truncated body", "[{\"a\":1},{\"b\":[2,", 0, ROOT, 0,
	  page_status_syntax, "{\"a\":1}\n", 0, 0, 0, NULL, "premature EOF" },
	{ "truncated inside a string", "[\"abc", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "premature EOF" },
	{ "truncated root string", "\"abc", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "premature EOF" },
	{ "trailing garbage", "[1] x", 0, ROOT, 0, page_status_syntax, "1\n", 0,
	  0, 0, NULL, "trailing garbage" },
	{ "two values", "[1][2]", 0, ROOT, 0, page_status_syntax, "1\n", 0, 0, 0,
	  NULL, "trailing garbage" },
	{ "empty body", "", 0, ROOT, 0, page_status_syntax, "", 0, 0, 0, NULL,
	  "empty body" },
	{ "whitespace body", " \r\n\t ", 0, ROOT, 0, page_status_syntax, "", 0, 0,
	  0, NULL, "empty body" },
	{ "invalid UTF-8", "[1,\"\xc3\x28\"]", 0, ROOT, 0, page_status_syntax,
	  "1\n", 0, 0, 0, NULL, "at byte" },
	{ "overlong UTF-8", "[\"\xc0\x80\"]", 0, ROOT, 0, page_status_syntax,
	  "", 0, 0, 0, NULL, "UTF-8" },
	{ "raw surrogate in UTF-8", "[{\"\xed\xa0\x80\":1}]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "UTF-8" },
	{ "UTF-8 above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "UTF-8" },
	{ "lone high surrogate escape", "[1,\"x\\ud800abc\"]", 0, ROOT, 0,
	  page_status_syntax, "1\n", 0, 0, 0, NULL,
	  "unpaired UTF-16 surrogate escape at byte 5" },
	{ "high surrogate at the end of a string", "[\"abc\\uD83D\"]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "surrogate escape at byte 5" },
	{ "lone low surrogate escape", "[\"\\udc00\"]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "surrogate" },
	{ "high surrogate then a non-surrogate", "[\"\\ud83d\\u0041\"]", 0, ROOT,
	  0, page_status_syntax, "", 0, 0, 0, NULL, "surrogate" },
	{ "two high surrogates", "[\"\\ud83d\\ud83d\"]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "surrogate" },
	{ "surrogate escape outside a string", "[1\\ud800]", 0, ROOT, 0,
	  page_status_syntax, "1\n", 0, 0, 0, NULL, "invalid char" },
	{ "bad hex in \\u", "[\"\\u12G4\"]", 0, ROOT, 0, page_status_syntax, "",
	  0, 0, 0, NULL, "hex" },
	{ "raw control character in a string", "[\"a\tb\"]", 0, ROOT, 0,
	  page_status_syntax, "", 0, 0, 0, NULL, "lexical error" },
	{ "leading zero", "[01]", 0, ROOT, 0, page_status_syntax, NULL, 0, 0, 0,
	  NULL, NULL },
	{ "comments are not JSON", "[1 /* c */]", 0, ROOT, 0,
	  page_status_syntax, NULL, 0, 0, 0, NULL, NULL },

	/* shape errors */
	{ "error object where the root array belongs",
	  "{\"error\":\"rate limited\"}", 0, ROOT, 0, page_status_shape, "", 0, 0,
	  0, NULL, "expected an array at the root, found an object" },
	{ "an envelope where the root array belongs: its array and total named",
	  "{\"total\":2,\"data\":[{\"id\":1},{\"id\":2}]}", 0, ROOT, 0,
	  page_status_shape, "", 0, 0, 0, NULL,
	  "expected an array at the root, found an object with an array at "
	  "\"data\" (2 items) and a number at \"total\": "
	  "try --items-path data --total-path total" },
	{ "an envelope: one object down, a page count is no total",
	  "{\"ok\":true,\"result\":{\"totalPages\":3,\"items\":[[1],{\"a\""
	  ":[2,3]},4],\"item_count\":\"3\",\"totalCount\":9},\"x\":[]}", 0,
	  ROOT, 0, page_status_shape, "", 0, 0, 0, NULL,
	  "with an array at \"result.items\" (3 items), an array at \"x\" "
	  "(0 items) and a number at \"result.totalCount\": try --items-path "
	  "result.items --total-path result.totalCount" },
	{ "an envelope: the largest array is the one to try; four named as three "
	  "and one more", "{\"a\":[1],\"b\":[1,2,3],\"c\":[],\"d\":[1,2]}", 0,
	  ROOT, 0, page_status_shape, "", 0, 0, 0, NULL,
	  "with an array at \"a\" (1 item), an array at \"b\" (3 items), an "
	  "array at \"c\" (0 items) and 1 more array: try --items-path b" },
	{ "an envelope: arrays two objects down, in arrays, or under keys that "
	  "need quoting are not offered",
	  "{\"a\":{\"b\":{\"c\":[1]}},\"d\":[{\"e\":[1]}],\"f g\":[1],"
	  "\"\\u001b[31m\":[2],\"count\":3}", 0, ROOT, 0,
	  page_status_shape, "", 0, 0, 0, NULL,
	  "with an array at \"d\" (1 item) and a number at \"count\": "
	  "try --items-path d --total-path count" },
	{ "an error object: no array to offer", "{\"error\":{\"code\":42,"
	  "\"message\":\"no\"}}", 0, ROOT, 0, page_status_shape, "", 0, 0, 0,
	  NULL, "expected an array at the root, found an object, and no array in "
	  "it (at its top or one object down) to try as --items-path" },
	{ "an envelope cut short: still its shape, with what was read",
	  "{\"count\":7,\"data\":[1,2", 0, ROOT, 0, page_status_shape, "", 0, 0,
	  0, NULL, "with an array at \"data\" (at least 2 items) and a number at "
	  "\"count\": try --items-path data --total-path count" },
	{ "an envelope with a syntax error: still its shape",
	  "{\"data\":[1,2]x}", 0, ROOT, 0, page_status_shape, "", 0, 0,
	  0, NULL, "with an array at \"data\" (2 items): try --items-path data" },
	{ "scalar root", "\"hello\"", 0, ROOT, 0, page_status_shape, "", 0, 0, 0,
	  NULL, "expected an array at the root, found a string" },
	{ "array where the root object belongs", "[{\"results\":[]}]", 0,
	  ITEMS("results"), 0, page_status_shape, "", 0, 0, 0, NULL,
	  "expected an object at the root, found an array" },
	{ "number root with an items path", "42", 0, ITEMS("results"), 0,
	  page_status_shape, "", 0, 0, 0, NULL,
	  "expected an object at the root, found a number" },
	{ "missing items path", "{\"data\":[1],\"count\":1}", 0,
	  ITEMS("results"), 0, page_status_shape, "", 0, 0, 0, NULL,
	  "no \"results\" array in the body, but an array at \"data\" (1 item) "
	  "and a number at \"count\": try --items-path data --total-path count" },
	{ "missing items path: nothing to offer", "{\"detail\":\"Not found.\"}",
	  0, ITEMS("results"), 0, page_status_shape, "", 0, 0, 0, NULL,
	  "no \"results\" array in the body" },
	{ "items path under an array is not the path",
	  "{\"data\":[{\"items\":[1]}]}", 0, ITEMS("data.items"), 0,
	  page_status_shape, "", 0, 0, 0, NULL,
	  "no \"data.items\" array in the body" },
	{ "object at the items path", "{\"results\":{\"a\":1}}", 0,
	  ITEMS("results"), 0, page_status_shape, "", 0, 0, 0, NULL,
	  "\"results\" is an object, not an array" },
	{ "null at the items path", "{\"results\":null}", 0, ITEMS("results"), 0,
	  page_status_shape, "", 0, 0, 0, NULL, "\"results\" is null, not an array" },
	{ "items path twice", "{\"results\":[1],\"results\":[2]}", 0,
	  ITEMS("results"), 0, page_status_shape, "1\n", 0, 0, 0, NULL,
	  "appears twice" },
	{ "next is an object", "{\"items\":[],\"next\":{\"href\":\"x\"}}", 0,
	  { "items", NULL, "next", 0, 0, NULL , 0 }, 0, page_status_shape, "", 0, 0, 0,
	  NULL, "\"next\" is an object" },
	{ "next has a NUL byte", "{\"items\":[],\"next\":\"a\\u0000\"}", 0,
	  { "items", NULL, "next", 0, 0, NULL , 0 }, 0, page_status_shape, "", 0, 0, 0,
	  NULL, "NUL" },

	/* limits */
	{ "item over max_item",
	  "[{\"a\":\"0123456789\"},{\"b\":\"0123456789\"},{\"c\":1}]", 0,
	  { NULL, NULL, NULL, 17, 0, NULL , 0 }, 0, page_status_too_big, "", 0, 0, 0, NULL,
	  "17-byte item limit (max_item)" },
	{ "second item over max_item",
	  "[{\"a\":\"0123456789\"},\"1234567890123456789\"]", 0,
	  { NULL, NULL, NULL, 20, 0, NULL , 0 }, 0, page_status_too_big,
	  "{\"a\":\"0123456789\"}\n", 0, 0, 0, NULL, "item 2 is over" },
	{ "output over the buffer cap", "[1234567,12]", 0, ROOT, 10,
	  page_status_too_big, "1234567\n", 0, 0, 0, NULL, "buffer cap" },
	{ "newline over the buffer cap", "[1234567,1]", 0, ROOT, 9,
	  page_status_too_big, "1234567\n", 0, 0, 0, NULL, "buffer cap" },
	{ "depth over max_depth", "[[[[[1]]]]]", 0, { NULL, NULL, NULL, 0, 4, NULL , 0 },
	  0, page_status_too_deep, "", 0, 0, 0, NULL, "deeper than 4 levels" },
	{ "depth over max_depth under an ignored key",
	  "{\"junk\":{\"a\":[[{}]]},\"results\":[1]}", 0,
	  { "results", NULL, NULL, 0, 4, NULL , 0 }, 0, page_status_too_deep, "", 0, 0, 0,
	  NULL, "max_depth" },
};

#define K(lit)		{ lit, sizeof(lit) - 1 }
#define NOKEY		{ NULL, 0 }
#define KEYS(...)	.keys = (const struct kexp[]){ __VA_ARGS__ }, \
	.nkeys = sizeof((const struct kexp[]){ __VA_ARGS__ }) / \
	    sizeof(struct kexp)
#define KEYED(field)	{ NULL, NULL, NULL, 0, 0, field, 0 }

static const struct kcase kcases[] = {
	{ .c = { .name = "keys: numbers keep their text",
	    .in = "[{\"id\":18446744073709551617},{\"id\":-0.0},"
	    "{\"x\":1,\"id\":1e400}]", .o = KEYED("id"),
	    .out = "{\"id\":18446744073709551617}\n{\"id\":-0.0}\n"
	    "{\"x\":1,\"id\":1e400}\n" },
	  KEYS(K("18446744073709551617"), K("-0.0"), K("1e400")) },
	{ .c = { .name = "keys: strings are unescaped, NUL and all",
	    .in = "[{\"id\":\"a\\\"b\"},{\"id\":\"\\u00e9\"},{\"id\":\"\\u0000x\"},"
	    "{\"id\":\"\"},{\"id\":\"\\ud83d\\ude00\\/\"}]", .o = KEYED("id"),
	    .out = "{\"id\":\"a\\\"b\"}\n{\"id\":\"\xc3\xa9\"}\n"
	    "{\"id\":\"\\u0000x\"}\n{\"id\":\"\"}\n"
	    "{\"id\":\"\xf0\x9f\x98\x80/\"}\n" },
	  KEYS(K("a\"b"), K("\xc3\xa9"), K("\0x"), K(""),
	      K("\xf0\x9f\x98\x80/")) },
	{ .c = { .name = "keys: a key longer than any chunk",
	    .in = "[{\"id\":\"0123456789\\tabcdefghijklmnopqrstuvwxyz\\u00e9"
	    "ABCD\"}]", .o = KEYED("id"),
	    .out = "{\"id\":\"0123456789\\tabcdefghijklmnopqrstuvwxyz\xc3\xa9"
	    "ABCD\"}\n" },
	  KEYS(K("0123456789\tabcdefghijklmnopqrstuvwxyz\xc3\xa9" "ABCD")) },
	{ .c = { .name = "keys: booleans", .in = "[{\"id\":true},{\"id\":false}]",
	    .o = KEYED("id"), .out = "{\"id\":true}\n{\"id\":false}\n" },
	  KEYS(K("true"), K("false")) },
	{ .c = { .name = "keys: null, missing, nested or a container is none",
	    .in = "[{\"id\":null},{\"x\":1},{\"id\":{\"id\":1}},{\"id\":[1]},"
	    "{\"a\":{\"id\":2},\"b\":[{\"id\":4}],\"id\":3},{}]",
	    .o = KEYED("id"),
	    .out = "{\"id\":null}\n{\"x\":1}\n{\"id\":{\"id\":1}}\n{\"id\":[1]}\n"
	    "{\"a\":{\"id\":2},\"b\":[{\"id\":4}],\"id\":3}\n{}\n" },
	  KEYS(NOKEY, NOKEY, NOKEY, NOKEY, K("3"), NOKEY) },
	{ .c = { .name = "keys: a repeated field counts once, the first",
	    .in = "[{\"id\":1,\"id\":2},{\"id\":null,\"id\":2},{\"id\":{},\"id\":5},"
	    "{\"x\":{\"id\":1},\"id\":6,\"id\":7}]", .o = KEYED("id"),
	    .out = "{\"id\":1,\"id\":2}\n{\"id\":null,\"id\":2}\n"
	    "{\"id\":{},\"id\":5}\n{\"x\":{\"id\":1},\"id\":6,\"id\":7}\n" },
	  KEYS(K("1"), NOKEY, NOKEY, K("6")) },
	{ .c = { .name = "keys: items that are not objects have none",
	    .in = "[1,\"id\",true,null,[{\"id\":1}],[\"id\",1],{\"id\":7},[]]",
	    .o = KEYED("id"),
	    .out = "1\n\"id\"\ntrue\nnull\n[{\"id\":1}]\n[\"id\",1]\n{\"id\":7}\n"
	    "[]\n" },
	  KEYS(NOKEY, NOKEY, NOKEY, NOKEY, NOKEY, NOKEY, K("7"), NOKEY) },
	{ .c = { .name = "keys: field names compared exactly, after unescaping",
	    .in = "[{\"i\":1,\"idx\":2,\"ID\":3,\"id \":4,\"\":5},{\"\\u0069d\":\"u\"},"
	    "{\"i\\u0000d\":1,\"id\":\"z\"}]", .o = KEYED("id"),
	    .out = "{\"i\":1,\"idx\":2,\"ID\":3,\"id \":4,\"\":5}\n{\"id\":\"u\"}\n"
	    "{\"i\\u0000d\":1,\"id\":\"z\"}\n" },
	  KEYS(NOKEY, K("u"), K("z")) },
	{ .c = { .name = "keys: a dotted field is one key, not a path",
	    .in = "[{\"a\":{\"b\":1},\"a.b\":\"x\",\"id\":9},{\"a\":{\"b\":1}}]",
	    .o = KEYED("a.b"),
	    .out = "{\"a\":{\"b\":1},\"a.b\":\"x\",\"id\":9}\n{\"a\":{\"b\":1}}\n" },
	  KEYS(K("x"), NOKEY) },
	{ .c = { .name = "keys: under items_path, not in the envelope",
	    .in = "{\"id\":\"env\",\"results\":[{\"id\":1,\"x\":{\"id\":9}},"
	    "{\"y\":{\"id\":2}}],\"meta\":{\"id\":3}}",
	    .o = { "results", NULL, NULL, 0, 0, "id" , 0 },
	    .out = "{\"id\":1,\"x\":{\"id\":9}}\n{\"y\":{\"id\":2}}\n" },
	  KEYS(K("1"), NOKEY) },
	{ .c = { .name = "keys: lines count what out held before the body",
	    .in = "{\"count\":2,\"results\":[{\"id\":\"a\"},{\"id\":\"b\"}]}",
	    .o = { "results", "count", NULL, 0, 0, "id" , 0 },
	    .out = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n", .has_total = 1,
	    .total = 2 },
	  .prefix = "x\n{\"id\":\"b\"}\n", KEYS(K("a"), K("b")) },
	{ .c = { .name = "keys: pretty-printed input",
	    .in = " [ { \"n\" : 1 , \"id\" : \"x y\" } ,\n {\"id\" :\n 2 } ] ",
	    .o = KEYED("id"), .out = "{\"n\":1,\"id\":\"x y\"}\n{\"id\":2}\n" },
	  KEYS(K("x y"), K("2")) },
	{ .c = { .name = "keys: whole items before a truncation keep theirs",
	    .in = "[{\"id\":1},{\"id\":\"2\"},{\"id\":3,\"x\":", .o = KEYED("id"),
	    .want = page_status_syntax, .out = "{\"id\":1}\n{\"id\":\"2\"}\n",
	    .errsub = "premature EOF" },
	  .prefix = "earlier\n", KEYS(K("1"), K("2")) },
	{ .c = { .name = "keys: invalid UTF-8 in a key is refused",
	    .in = "[{\"id\":\"ok\"},{\"id\":\"\xc0\x80\"}]", .o = KEYED("id"),
	    .want = page_status_syntax, .out = "{\"id\":\"ok\"}\n",
	    .errsub = "UTF-8" },
	  KEYS(K("ok")) },
	{ .c = { .name = "keys: an item over max_item",
	    .in = "[{\"id\":\"abc\"},{\"id\":\"abcdefg\"}]",
	    .o = { NULL, NULL, NULL, 12, 0, "id" , 0 }, .want = page_status_too_big,
	    .out = "{\"id\":\"abc\"}\n", .errsub = "item 2 is over" },
	  KEYS(K("abc")) },
	{ .c = { .name = "keys: none in an empty page", .in = "[]",
	    .o = KEYED("id"), .out = "" },
	  .prefix = "x\n" },
	{ .c = { .name = "keys: an empty string is a key, even the first",
	    .in = "[{\"id\":\"\"},{\"id\":\"\"}]", .o = KEYED("id"),
	    .out = "{\"id\":\"\"}\n{\"id\":\"\"}\n" },
	  KEYS(K(""), K("")) },
	{ .c = { .name = "keys: an empty key_field is none",
	    .in = "[{\"\":1}]", .o = KEYED(""), .out = "{\"\":1}\n" },
	  KEYS(NOKEY) },
};

/* Keys by the thousand, every fifth one missing: the per-item arrays and
 * the key buffer grow while the body streams in. */
static void
check_many_keys(void)
{
	enum { N = 1500 };
	struct kcase k;
	struct kexp *e;
	char *in, *out, *keys, *ip, *op, *kp;
	size_t i;

	in = malloc(N * 40 + 2);
	out = malloc(N * 40 + 1);
	keys = malloc(N * 20);
	e = calloc(N, sizeof(*e));
	ip = in;
	op = out;
	kp = keys;
	*ip++ = '[';
	for (i = 0; i < N; i++) {
		if (i % 5 == 4) {
			ip += sprintf(ip, "%s{\"n\":%zu}", i ? "," : "", i);
			op += sprintf(op, "{\"n\":%zu}\n", i);
			continue;
		}
		ip += sprintf(ip, "%s{\"id\":\"k%zu\",\"n\":%zu}", i ? "," : "",
		    i, i);
		op += sprintf(op, "{\"id\":\"k%zu\",\"n\":%zu}\n", i, i);
		e[i].s = kp;
		e[i].n = (size_t)sprintf(kp, "k%zu", i);
		kp += e[i].n + 1;
	}
	strcpy(ip, "]");
	memset(&k, 0, sizeof(k));
	k.c.name = "keys: 1500 items";
	k.c.in = in;
	k.c.o.key_field = "id";
	k.c.out = out;
	k.prefix = "x\n";
	k.keys = e;
	k.nkeys = N;
	check_keyed(&k.c, &k);
	free(e);
	free(keys);
	free(out);
	free(in);
}

/* Bodies too large to spell out. */
static void
check_generated(void)
{
	struct pcase c;
	char *s, *e;
	size_t i, n;

	/* 100000 '[' under a skipped key: refused at the default depth */
	n = 100000;
	s = malloc(n + 64);
	strcpy(s, "{\"junk\":");
	memset(s + 8, '[', n);
	strcpy(s + 8 + n, "]");
	memset(&c, 0, sizeof(c));
	c.name = "100000-deep value under an ignored key";
	c.in = s;
	c.o.items_path = "results";
	c.want = page_status_too_deep;
	c.out = "";
	c.errsub = "deeper than 64 levels";
	check(&c);

	/* max_depth is clamped to 128: 128 levels pass, 129 do not */
	memset(&c, 0, sizeof(c));
	c.o.max_depth = 1000;
	for (i = 0; i < 128; i++)
		s[i] = '[';
	for (i = 0; i < 128; i++)
		s[128 + i] = ']';
	s[256] = '\0';
	e = malloc(300);
	for (i = 0; i < 127; i++)
		e[i] = '[';
	for (i = 0; i < 127; i++)
		e[127 + i] = ']';
	e[254] = '\n';
	e[255] = '\0';
	c.name = "128 levels pass with max_depth over 128";
	c.in = s;
	c.want = page_status_ok;
	c.out = e;
	check(&c);
	memmove(s + 1, s, 257);
	s[0] = '[';
	strcat(s, "]");
	c.name = "129 levels are refused with max_depth over 128";
	c.want = page_status_too_deep;
	c.out = "";
	c.errsub = "deeper than 128";
	check(&c);
	free(e);
	free(s);

	/* a token over max_item under a skipped key is refused whatever the
	 * chunking: yajl would otherwise buffer it whole */
	n = 6000;
	s = malloc(n + 64);
	strcpy(s, "{\"junk\":\"");
	memset(s + 9, 'x', n);
	strcpy(s + 9 + n, "\",\"results\":[1]}");
	memset(&c, 0, sizeof(c));
	c.name = "huge token under a skipped key";
	c.in = s;
	c.o.items_path = "results";
	c.o.max_item = 100;
	c.want = page_status_too_big;
	c.out = "";
	c.errsub = "token over the 100-byte item limit";
	check(&c);
	free(s);

	/* more items than the parser's first span arrays hold */
	check_many_keys();
}

/*
 * Two pages through one parser into one buffer, as the caller
 * de-duplicating across a page boundary sees them: after page_reset the
 * items are the new page's, their lines at their place in the shared out.
 */
static void
check_keys_reset(void)
{
	struct page_opts o = { "results", NULL, NULL, 0, 0, "id", 0 };
	const char *one = "{\"results\":[{\"id\":\"a\"},{\"id\":\"b\"},"
	    "{\"id\":\"c\"}]}";
	const char *two = "{\"results\":[{\"id\":\"c\"},{\"id\":\"d\"}]}";
	struct buf out;
	page_parser *p;
	const char *key;
	size_t keylen, lo, ll;
	char last[8];
	int good = 1;

	buf_init(&out, 0);
	p = page_new(&o, &out);
	good &= page_feed(p, one, strlen(one)) == page_status_ok;
	good &= page_finish(p) == page_status_ok;
	good &= page_item(p, 2, &key, &keylen, &lo, &ll) == 0 && keylen == 1 &&
	    lo == 22 && ll == 11;
	memcpy(last, key, keylen);
	page_reset(p);
	good &= page_items(p) == 0 && page_item(p, 0, &key, NULL, NULL, NULL) ==
	    -1;
	good &= page_feed(p, two, strlen(two)) == page_status_ok;
	good &= page_finish(p) == page_status_ok;
	good &= page_items(p) == 2 && out.len == 55;
	good &= page_item(p, 0, &key, &keylen, &lo, &ll) == 0 &&
	    keylen == 1 && memcmp(key, last, 1) == 0 && lo == 33 && ll == 11;
	good &= page_item(p, 1, &key, &keylen, NULL, &ll) == 0 && keylen == 1 &&
	    key[0] == 'd' && ll == 11;
	good &= page_item(p, 1, NULL, NULL, &lo, NULL) == 0 && lo == 44;
	good &= page_item(p, 2, &key, &keylen, &lo, &ll) == -1;
	good &= memcmp(out.data + 33, "{\"id\":\"c\"}\n{\"id\":\"d\"}\n", 22) == 0;

	/* without key_field nothing is recorded, unless asked for: then
	 * lines, and no keys */
	page_free(p);
	o.key_field = NULL;
	p = page_new(&o, &out);
	good &= page_feed(p, two, strlen(two)) == page_status_ok;
	good &= page_items(p) == 2 && page_item(p, 1, &key, &keylen, &lo, &ll) ==
	    -1;
	page_free(p);
	p = page_new(&o, &out);
	page_record_lines(p);
	good &= page_feed(p, two, strlen(two)) == page_status_ok;
	good &= page_item(p, 1, &key, &keylen, &lo, &ll) == 0 && key == NULL &&
	    keylen == 0 && lo == 88 && ll == 11;
	page_free(p);
	buf_free(&out);
	ok(good, "page_reset starts a new page's items; lines stay absolute");
}

/* A parser left in an error reads the next body cleanly after a reset. */
static void
check_reset(void)
{
	struct page_opts o = { "results", "count", "next", 0, 0, NULL, 0 };
	struct buf out;
	page_parser *p;
	long long total = -1;
	int good = 1;
	const char *bad = "{\"count\":5,\"next\":\"n\",\"results\":[{\"a\":";
	const char *fine = "{\"results\":[1,2]}";

	buf_init(&out, 0);
	p = page_new(&o, &out);
	good &= page_feed(p, bad, strlen(bad)) == page_status_ok;
	good &= page_finish(p) == page_status_syntax;
	good &= page_total(p, &total) == 1 && total == 5;
	good &= page_next(p) != NULL && strcmp(page_next(p), "n") == 0;
	page_reset(p);
	buf_reset(&out);
	good &= page_error(p)[0] == '\0';
	good &= page_feed(p, fine, strlen(fine)) == page_status_ok;
	good &= page_finish(p) == page_status_ok;
	good &= page_items(p) == 2 && out.len == 4 &&
	    memcmp(out.data, "1\n2\n", 4) == 0;
	good &= page_total(p, &total) == 0 && page_next(p) == NULL;
	page_free(p);
	buf_free(&out);
	ok(good, "page_reset forgets the failed body's total, next and error");
}

/* Pages appended to one buffer, as a caller batching pages would. */
static void
check_append(void)
{
	struct page_opts o = { NULL, NULL, NULL, 8, 0, NULL, 0 };
	struct buf out;
	page_parser *p;
	int good = 1;

	buf_init(&out, 0);
	buf_adds(&out, "x\n");
	p = page_new(&o, &out);
	good &= page_feed(p, "[12345678]", 10) == page_status_ok;
	good &= page_finish(p) == page_status_ok;
	page_reset(p);
	good &= page_feed(p, "[1,123456789]", 13) == page_status_too_big;
	good &= page_items(p) == 1;
	good &= out.len == 13 && memcmp(out.data, "x\n12345678\n1\n", 13) == 0;
	page_free(p);
	buf_free(&out);
	ok(good, "max_item counts from the item's start in a shared buffer");
}

/* An envelope with the total and no items array is an empty page; one
 * without either (an error object) is not a page. */
static void
check_missing_items(void)
{
	struct page_opts o = { "items", "totalItems", NULL, 0, 0, NULL, 1 };
	struct buf out;
	page_parser *p;
	const char *empty = "{\"kind\":\"x\",\"totalItems\":0,\"pageIndex\":1}";
	const char *err = "{\"detail\":\"Invalid page.\"}";
	const char *next = "{\"next\":\"https://x/?page=2\",\"items\":[1],"
	    "\"links\":{\"next\":\"/other\"},\"has_more\":true}";
	const char *name, *val;
	int n;

	buf_init(&out, 0);
	p = page_new(&o, &out);
	ok(page_feed(p, empty, strlen(empty)) == page_status_ok &&
	    page_finish(p) == page_status_ok && page_items(p) == 0,
	    "missing items with the total (F5's empty collection): an empty page");
	page_reset(p);
	ok(page_feed(p, err, strlen(err)) == page_status_ok &&
	    page_finish(p) == page_status_shape && !page_truncated(p),
	    "missing items and no total: a shape error, not a cut body");
	page_reset(p);
	buf_reset(&out);
	n = page_feed(p, next, strlen(next)) == page_status_ok &&
	    page_finish(p) == page_status_ok ? page_next_guess(p, &name, &val) : -1;
	ok(n == 2 && strcmp(name, "next") == 0 &&
	    strcmp(val, "https://x/?page=2") == 0 && page_says_more(p),
	    "next-page guesses: two fields counted, the first named, has_more seen");
	page_reset(p);
	ok(page_feed(p, "{\"items\":[1,", 11) == page_status_ok && page_finish(p) ==
	    page_status_syntax && page_truncated(p),
	    "JSON cut short: truncated (worth a retry)");
	page_free(p);
	buf_free(&out);
}

/* An object at the root of an items array is read on for its message, for
 * 1 MiB at most: the same count said, whole or in pieces, and the transfer
 * stopped there. */
static void
check_survey_cap(void)
{
	struct page_opts o = ROOT;
	struct buf body, out;
	page_parser *p;
	enum page_status st = page_status_ok;
	size_t off, n, fed = 0;
	char whole[512];
	int i;

	buf_init(&body, 0);
	buf_init(&out, 0);
	buf_adds(&body, "{\"count\":200000,\"data\":[");
	for (i = 0; i < 200000; i++)
		buf_adds(&body, i ? ",{\"id\":1234567}" : "{\"id\":1234567}");
	buf_adds(&body, "]}");
	p = page_new(&o, &out);
	if (page_feed(p, body.data, body.len) == page_status_ok)
		(void)page_finish(p);
	snprintf(whole, sizeof(whole), "%s", page_error(p));
	ok(strstr(whole, "array at \"data\" (at least ") != NULL &&
	    strstr(whole, "try --items-path data --total-path count") != NULL,
	    "a 3 MB envelope: read for 1 MiB, its array counted so far (%s)",
	    whole);
	page_reset(p);
	for (off = 0; off < body.len && st == page_status_ok; off += n) {
		n = body.len - off < 16384 ? body.len - off : 16384;
		st = page_feed(p, body.data + off, n);
		fed = off + n;
	}
	ok(st == page_status_shape && fed <= ((size_t)1 << 20) + 2 * 16384 &&
	    strcmp(page_error(p), whole) == 0,
	    "in 16 KiB pieces: stopped after %zu bytes, the same message", fed);
	page_free(p);
	buf_free(&out);
	buf_free(&body);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
	for (i = 0; i < sizeof(kcases) / sizeof(kcases[0]); i++)
		check_keyed(&kcases[i].c, &kcases[i]);
	check_generated();
	check_reset();
	check_missing_items();
	check_survey_cap();
	check_keys_reset();
	check_append();
	return tap_done();
}
