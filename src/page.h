/*
 * page.h - one page of an API response, streamed from JSON to NDJSON.
 *
 * A page parser is fed the response body in pieces exactly as they arrive
 * (from libcurl's write callback) and appends one compact JSON line per item
 * of the items array to the caller's output buffer.  It never does I/O and
 * never sees the whole body at once.
 *
 * Fidelity contract (DESIGN.md): numbers are written byte-for-byte as sent;
 * key order is kept; string content is kept exactly and re-escaped minimally:
 * \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00XX (upper-case hex),
 * everything else as raw UTF-8 ("\/" becomes "/"; U+2028 and 0x7F stay raw).
 * Each line ends in '\n'.  Items may be any JSON value: scalars and arrays
 * make lines too.  What cannot be kept exactly is refused, never altered:
 * invalid UTF-8 (checked strictly: no overlong forms, no encoded surrogates,
 * nothing above U+10FFFF) and \u escapes of unpaired UTF-16 surrogates,
 * which yajl 2.1 would silently turn into '?' or a wrong character, are
 * syntax errors.
 *
 * Paths are dotted key paths from the root object: "results", "data.items",
 * "@odata.count".  A path is compared with the keys joined by '.', so a key
 * that itself contains a dot still matches.  A path goes through objects
 * only: nothing inside an array (other than the items) is ever matched.  An
 * empty or NULL items_path means the body's root is the items array.  All
 * other keys are skipped, at any depth, without output.
 *
 * A parser belongs to one thread at a time; parsers share nothing.
 */
#ifndef INVDUMP_PAGE_H
#define INVDUMP_PAGE_H

#include <stddef.h>

#include "buf.h"

struct page_opts {
	const char *items_path;  /* NULL/"" : root array */
	const char *total_path;  /* a number (or a string of digits) anywhere in
	                            the root object, before or after the items;
	                            NULL: none */
	const char *next_path;   /* a string or number (cursor, next URL, page id);
	                            JSON null means "no next"; NULL: none */
	size_t max_item;         /* largest compact item in bytes, without its
	                            '\n'; 0: no cap.  Also bounds every single
	                            token (plus 4 KiB of whitespace), even under
	                            skipped keys: yajl holds a token that spans
	                            feeds in memory */
	unsigned max_depth;      /* deepest nesting of the body, the root being
	                            depth 1; 0: default 64;
	                            never more than 128 (yajl_gen's own limit) */
	const char *key_field;   /* a top-level field of each item (e.g. "id")
	                            whose value identifies the item, compared
	                            with the key as a whole (no dotted paths);
	                            NULL/"": none.  See page_item */
	int guess_next;          /* look for the next page under the names
	                            APIs commonly use (page_next_guess) */
};

enum page_status {
	page_status_ok = 0,
	page_status_syntax,      /* not JSON, invalid UTF-8, an unpaired surrogate
	                            escape, trailing garbage, an empty body */
	page_status_shape,       /* JSON, but not the expected shape (object where
	                            the array belongs, no items path, the items
	                            path twice, a next_path value that is not a
	                            string, number or null, ...) */
	page_status_too_big,     /* an item (or a token) over max_item, or out
	                            over out->max */
	page_status_too_deep     /* nesting over max_depth */
};

typedef struct page_parser page_parser;

/*
 * Creates a parser that appends NDJSON lines to *out (which the caller owns
 * and must keep alive until page_free).  opts is copied, its strings are
 * not: they must outlive the parser.
 */
page_parser *page_new(const struct page_opts *opts, struct buf *out);

/*
 * Feeds the next n bytes of the body.  After an error, further feeds are
 * ignored and return the same error.  On any error, out is taken back to
 * the end of the last complete line: it keeps the page_items() whole items
 * written before the failure, never a partial one.  The caller still
 * discards the page.
 */
enum page_status page_feed(page_parser *p, const void *data, size_t n);

/* Ends the body: reports truncated JSON or an empty body
 * (page_status_syntax), and a missing items array when items_path is set
 * (page_status_shape) - unless the body has total_path's total, which
 * makes it an empty page (F5 leaves "items" out of an empty collection).
 * Call page_reset before feeding another body. */
enum page_status page_finish(page_parser *p);

/* 1 when page_finish failed because the body ended before its JSON did
 * (or was empty): a body cut short, worth fetching again; 0 for JSON that
 * is complete but wrong, which the server would send again. */
int page_truncated(const page_parser *p);

/* Items written so far (complete lines in out). */
size_t page_items(const page_parser *p);

/*
 * Item i (0-based) of the body parsed since the last page_reset (or
 * page_new), for dropping items repeated across page boundaries:
 * *line_off and *line_len locate its line in out, as a byte index into
 * out->data (counting whatever out held before the body) and a length that
 * includes the '\n'.  *key and *keylen give the value of key_field: a
 * string's content (the raw bytes after unescaping, possibly holding NUL)
 * or the literal text of a number, true or false; not NUL-terminated.
 * *key is NULL (and *keylen 0) when key_field is NULL, the item is not an
 * object, it has no such top-level field, or the value is null, an object
 * or an array.  A repeated field counts at its first occurrence only.
 * Lines are recorded only when key_field is set or page_record_lines was
 * called: a
 * hostile page of tiny items ([0,0,0,...]) would otherwise cost 16 bytes of
 * memory for every 2 bytes of body on every export.  Any of the four
 * result pointers may be NULL.
 *
 * Returns 0, or -1 when i >= page_items(p) or nothing was recorded (after
 * an error, the whole items before it are still there).  The key points into memory owned by the
 * parser, valid until the next page_feed, page_reset or page_free.
 */
int page_item(const page_parser *p, size_t i, const char **key,
    size_t *keylen, size_t *line_off, size_t *line_len);

/* Records each item's line for page_item from the next body on, even
 * without a key_field (16 bytes of memory an item). */
void page_record_lines(page_parser *p);

/* 1 and *total set when total_path was seen with a non-negative integer
 * (a number or a string of digits; the last one wins); 0 otherwise: a
 * negative, fractional, oversized or non-numeric value counts as absent. */
int page_total(const page_parser *p, long long *total);

/* The value at next_path as text (a string's content, or a number's literal),
 * NUL-terminated, NULL when absent or null.  Owned by the parser, valid until
 * the next feed, reset or free.  A string holding a NUL byte is a shape error
 * rather than a shortened cursor. */
const char *page_next(const page_parser *p);

/*
 * With guess_next: how many of the common next-page fields (next,
 * next_page, @odata.nextLink, next_cursor, links.next, ...; see page.c)
 * the body held with a value other than null, false or "".  *name and
 * *value (either may be NULL) get the first one's name and its text (a
 * string's content or a number's literal; NULL when it was an object or
 * an array), owned by the parser until the next feed, reset or free.
 */
int page_next_guess(const page_parser *p, const char **name,
    const char **value);

/* With guess_next: 1 when the body said "has_more": true (or hasMore,
 * more). */
int page_says_more(const page_parser *p);

/* A one-line description of the first error, e.g.
 * "lexical error: invalid char in json text at byte 17" (bytes count from 0,
 * at the point where the parser stopped).  Never quotes the body, but for
 * the paths of members made of letters, digits and _ - @ $ . when the body
 * is an object without the items array asked for: "expected an array at the
 * root, found an object with an array at "data" (50 items) and a number at
 * "total": try --items-path data --total-path total" (arrays at the top or
 * one object down, the largest one to try; a number whose name says total
 * or count).  With no items_path, such an object is read on for that alone
 * (1 MiB past its '{' at most, then the error; always page_status_shape,
 * never truncated); with one, the whole envelope is read as always.  Owned
 * by the parser; "" when there is no error. */
const char *page_error(const page_parser *p);

/* Rewinds the parser for a new body (a retry, or the next page), keeping its
 * memory.  Does not touch out. */
void page_reset(page_parser *p);

void page_free(page_parser *p);

#endif
