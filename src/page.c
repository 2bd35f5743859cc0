/*
 * page.c - one page of an API response, streamed from JSON to NDJSON
 * (see page.h).
 *
 * yajl's parser drives a set of callbacks; the body splits into three
 * regions and every callback first asks which one it is in:
 *
 *   envelope  everything outside the items array.  Nothing is written; the
 *             current key path is tracked so that items_path, total_path
 *             and next_path can be recognised when their value starts.
 *   items     the items array itself (depth idepth): each value that starts
 *             here begins a line.
 *   item      anything deeper than idepth: written compactly, token by
 *             token, straight into the caller's buf (see "The writer").
 *
 * The envelope keeps a per-level stack (bounded by max_depth, so it is a
 * fixed array) holding the length the key path had when the container
 * opened; a key truncates the path to that length and appends itself, so
 * there is no per-key allocation and no strlen of the whole path.  Paths
 * longer than the longest wanted path cannot match anything and collapse
 * into one "too long" length, which also keeps the path storage fixed.
 * Containers inside items are not tracked at all: that is the hot path.
 *
 * Each finished item leaves its line's place in out (and, with key_field,
 * its key's place in keybuf) in arrays that grow by doubling and are kept
 * across pages, so a page costs no allocation per item once they are big
 * enough.  Places are offsets rather than pointers because out and keybuf
 * move when they grow.  Finding the key costs one state test per key and
 * per scalar inside items: the key field is looked for only among the keys
 * one level into an object item (key_look), its value is the next value
 * seen (key_next), and after that the item is not looked at again
 * (key_done).  A key is copied from yajl's unescaped token after the token
 * has been written out, so keybuf never holds more than out did.
 *
 * Two gaps in yajl 2.1 are closed here because the output must be valid
 * UTF-8 and keep string content exactly:
 *  - its decoder turns unpaired UTF-16 surrogate escapes ("\ud800") into
 *    '?' or into a wrong character, silently.  The raw bytes are scanned for
 *    surrogate escapes before yajl sees them (backslashes occur only inside
 *    strings, so a memchr pass finds them all cheaply) and an unpaired one is
 *    a syntax error;
 *  - its UTF-8 check accepts overlong forms, encoded surrogates and code
 *    points above U+10FFFF.  Strings and keys written out are checked
 *    strictly, in the same pass that escapes them.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "buf.h"
#include "page.h"
#include "xalloc.h"

#define PAGE_DEPTH_DEFAULT	64
#define PAGE_DEPTH_MAX		128	/* page.h's promise (yajl_gen's limit, when
					   items were written through it) */
#define PAGE_NOT_OPEN		UINT_MAX
#define PAGE_NO_PATH		SIZE_MAX
/* Whitespace and punctuation allowed on top of max_item while a token is
 * pending: the guard is about memory, not a second item limit. */
#define PAGE_TOKEN_SLACK	4096

/*
 * The survey: when the body is not the shape asked for (an object where
 * the items array belongs, or no array at items_path), the message names
 * the arrays the body does hold, and a number that looks like a total, at
 * the root or one object down ("data", "result.items"), with the options
 * that would take them.  A few members are noted, with paths short enough
 * to type, of plain characters only: a key is the one piece of the body a
 * message quotes.  An object at the root of an items array is read on, as
 * the envelope is, for at most PAGE_SURVEY_BYTES past its '{'.
 */
#define PAGE_SURVEY_MAX		8	/* members noted */
#define PAGE_SURVEY_NUMBERS	2	/* of which totals, at most */
#define PAGE_SURVEY_PATH	64	/* longest path noted */
#define PAGE_SURVEY_BYTES	((size_t)1 << 20)
#define PAGE_SURVEY_SHOWN	3	/* arrays named in the message */
#define PAGE_NO_MEMBER		UINT_MAX

/* Where the surrogate-escape scanner is inside an escape sequence. */
enum page_esc {
	esc_none = 0,		/* outside any escape: memchr for '\\' */
	esc_backslash,		/* after '\\' */
	esc_hex,		/* in the 4 hex digits of a first \u */
	esc_want_backslash,	/* after a high surrogate: need "\\u" */
	esc_want_u,
	esc_low_hex		/* in the 4 hex digits of the low half */
};

/* Where page_fast is between two items, as yajl's state would say. */
enum page_fast_st {
	fast_start,		/* after the items' '[' */
	fast_need_val,		/* after a ',' */
	fast_got_val		/* after an item */
};

struct page_level {
	int is_map;
	size_t base;		/* key path length when this container opened */
	unsigned member;	/* the survey's array this is, or NO_MEMBER */
};

/* An array or a total-like number the survey noted. */
struct page_member {
	char path[PAGE_SURVEY_PATH + 1];
	int is_array;
	int closed;		/* an array's ']' was read: n is its count */
	size_t n;		/* an array's items so far */
};

/* A byte range of out (a line) or of keybuf (a key). */
struct page_span {
	size_t off;
	size_t len;
};

#define PAGE_NO_KEY		SIZE_MAX	/* page_span.off of a missing key */

/* Where the current item is in the search for its key field. */
enum page_keyst {
	key_look = 0,		/* an object item, field not seen yet */
	key_next,		/* the next value is the key */
	key_done		/* found, absent by shape, or no key_field */
};

struct page_parser {
	struct page_opts o;
	struct buf *out;
	yajl_handle yh;
	yajl_alloc_funcs af;

	enum page_status st;
	char err[512];

	size_t fed;		/* body bytes before the chunk being parsed */
	size_t mark;		/* body offset just after the last token */
	size_t tok_lim;		/* longest gap allowed between two marks */
	unsigned maxdepth;
	unsigned depth;		/* open containers; the root is depth 1 */
	unsigned idepth;	/* depth of the open items array, or NOT_OPEN */
	int nonblank;		/* a byte other than JSON whitespace was fed */
	int seen_items;

	/* current item */
	int item_open;
	char sep;		/* what goes before the next token: ',' after
				   a value, ':' after a key, 0 after an opening
				   bracket or at the item's start */
	size_t item_start;	/* out->len where the item began */
	size_t item_lim;	/* out->len the item must not pass */
	size_t nitems;
	enum page_keyst key_st;
	struct page_span key;	/* in keybuf; off PAGE_NO_KEY: none */

	/* items of this body: lines[i] in out, keys[i] in keybuf */
	struct page_span *lines;
	struct page_span *keys;	/* NULL without key_field */
	size_t spans_cap;
	size_t key_len;		/* strlen(key_field) */
	struct buf keybuf;

	/* key path of the envelope */
	size_t items_len, total_len, next_len;	/* PAGE_NO_PATH: unused */
	size_t toolong;		/* path length meaning "matches nothing" */
	size_t pathlen;
	char *path;
	struct page_level lv[PAGE_DEPTH_MAX + 1];

	int have_total;
	long long total;
	int have_next;
	struct buf next;

	/* next-page fields found by name (page_next_guess) */
	int truncated;		/* page_finish: the JSON had not ended */
	int guess_n;		/* non-null candidates seen */
	int guess_more;		/* has_more/hasMore was true */
	const char *guess_name;	/* the first one's name */
	struct buf guess;	/* its value */

	/* the survey of a body of the wrong shape */
	int survey;		/* an object at the root of an items array:
				   read on, for the message only */
	size_t survey_from;	/* body offset of its '{' */
	struct page_member seen[PAGE_SURVEY_MAX];
	unsigned nseen, nnumbers;
	unsigned opening;	/* the member whose '[' is being opened */

	/* the fast path (page_fast) */
	int fast;		/* items are being read by page_fast */
	int enter_fast;		/* a callback stopped yajl to hand over */
	int no_fast;		/* this body stays with yajl */
	int muted;		/* callbacks ignore yajl (page_yajl_prime) */
	enum page_fast_st fstate;

	/* surrogate-escape scanner */
	enum page_esc esc;
	int esc_n;		/* hex digits read */
	unsigned esc_val;
	size_t esc_pos;		/* body offset of the escape's backslash */
};

static const char *
page_path_name(const char *path)
{
	return path != NULL ? path : "";
}

/* Body offset of the parser's position, for messages. */
static size_t
page_offset(const page_parser *p)
{
	return p->fed + yajl_get_bytes_consumed(p->yh);
}

static void page_fail(page_parser *, enum page_status, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static void page_survey_say(page_parser *);

/*
 * Records the first error only, and takes a half-written item back out of
 * the output so that out always ends on a complete line.
 */
static void
page_fail(page_parser *p, enum page_status st, const char *fmt, ...)
{
	va_list ap;

	if (p->st != page_status_ok)
		return;
	p->st = st;
	if (p->survey) {
		/* The body was the wrong shape from its first byte: whatever
		 * ended the survey, that is what is said (never a retry). */
		p->st = page_status_shape;
		page_survey_say(p);
	} else {
		va_start(ap, fmt);
		vsnprintf(p->err, sizeof(p->err), fmt, ap);
		va_end(ap);
	}
	if (p->item_open) {
		p->out->len = p->item_start;
		p->item_open = 0;
	}
}

/* Turns yajl's own error ("lexical error: invalid char in json text.\n")
 * into one line with the offset. */
static void
page_fail_yajl(page_parser *p, size_t off)
{
	unsigned char *e;
	size_t n;

	e = yajl_get_error(p->yh, 0, NULL, 0);
	n = e != NULL ? strlen((char *)e) : 0;
	while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == '.' || e[n - 1] == ' '))
		n--;
	page_fail(p, page_status_syntax, "%.*s at byte %zu", (int)n,
	    e != NULL ? (char *)e : "parse error", off);
	if (e != NULL)
		yajl_free_error(p->yh, e);
}

#define PAGE_ONES	UINT64_C(0x0101010101010101)
#define PAGE_HIGHS	UINT64_C(0x8080808080808080)

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF.  The length of the sequence that starts at s[0] (>= 0x80), or
 * 0 when it is not valid (or not whole within left bytes).
 */
static size_t
page_utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t more, i;

	if (c < 0xc2)
		return 0;
	else if (c < 0xe0)
		more = 1;
	else if (c < 0xf0) {
		more = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c < 0xf5) {
		more = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (more >= left || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= more; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return more + 1;
}

/* The whole of s is strict UTF-8; ASCII is skipped eight bytes at a time. */
static int
page_utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint64_t w;

	while (i < n) {
		while (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if (w & PAGE_HIGHS)
				break;
			i += 8;
		}
		if (i == n)
			break;
		if (s[i] < 0x80)
			i++;
		else if ((k = page_utf8_seq(s + i, n - i)) == 0)
			return 0;
		else
			i += k;
	}
	return 1;
}

static int
page_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Scans a chunk for \u escapes of UTF-16 surrogates, carrying state across
 * chunks.  Returns how many bytes of the chunk yajl may see: all of them,
 * or those up to and including the backslash of an unpaired surrogate
 * escape (*bad set, with the backslash's body offset in esc_pos).  A chunked
 * feed may already have shown yajl the escape's first few bytes; those
 * cannot end a token or be an error, but the backslash can (outside a
 * string), so yajl always sees it and the outcome does not depend on the
 * chunking.  Malformed escapes are left for yajl to report.
 */
static size_t
page_scan_escapes(page_parser *p, const unsigned char *s, size_t n, int *bad)
{
	const unsigned char *q;
	size_t i = 0;
	int h;

	*bad = 0;
	while (i < n) {
		switch (p->esc) {
		case esc_none:
			q = memchr(s + i, '\\', n - i);
			if (q == NULL)
				return n;
			i = q - s;
			p->esc_pos = p->fed + i;
			p->esc = esc_backslash;
			break;
		case esc_backslash:
			p->esc = s[i] == 'u' ? esc_hex : esc_none;
			p->esc_n = 0;
			p->esc_val = 0;
			break;
		case esc_hex:
		case esc_low_hex:
			if ((h = page_hexval(s[i])) < 0) {
				if (p->esc == esc_low_hex)
					goto unpaired;
				p->esc = esc_none;
				continue;	/* yajl reports the bad digit */
			}
			p->esc_val = p->esc_val << 4 | (unsigned)h;
			if (++p->esc_n < 4)
				break;
			if (p->esc == esc_low_hex) {
				if (p->esc_val < 0xdc00 || p->esc_val > 0xdfff)
					goto unpaired;
				p->esc = esc_none;
			} else if (p->esc_val >= 0xd800 && p->esc_val <= 0xdbff)
				p->esc = esc_want_backslash;
			else if (p->esc_val >= 0xdc00 && p->esc_val <= 0xdfff)
				goto unpaired;
			else
				p->esc = esc_none;
			break;
		case esc_want_backslash:
			if (s[i] != '\\')
				goto unpaired;
			p->esc = esc_want_u;
			break;
		case esc_want_u:
			if (s[i] != 'u')
				goto unpaired;
			p->esc = esc_low_hex;
			p->esc_n = 0;
			p->esc_val = 0;
			break;
		}
		i++;
	}
	return n;
unpaired:
	*bad = 1;
	return p->esc_pos >= p->fed ? p->esc_pos - p->fed + 1 : 0;
}

/*
 * The writer.  Each token goes straight into out with the separator yajl_gen
 * would have put before it, reserving the token's worst case once (a
 * string: 6 bytes per byte, as \u00XX) and filling it with plain stores.
 * Numbers are copied as sent; strings come from yajl unescaped, and are
 * escaped minimally by runs: eight bytes at a time are tested for '"',
 * '\\', bytes below 0x20 and bytes above 0x7f, and only the words that hold
 * one go byte by byte, escaping the first three and checking the UTF-8 of
 * the last strictly (yajl's own check is lax) - one pass for both.  A
 * token whose worst case might pass the item limit or the buffer cap goes
 * through page_put in the pieces yajl_gen printed (the separator, a quote,
 * each run and escape, a quote), so that the limit reported, and the bytes
 * kept, are those of the piecewise writer.
 */

/* One piece, within the item limit and the buffer cap. */
static int
page_put(page_parser *p, const char *s, size_t n)
{
	struct buf *b = p->out;

	if (n > p->item_lim - b->len) {
		page_fail(p, page_status_too_big,
		    "item %zu is over the %zu-byte item limit (max_item)",
		    p->nitems + 1, p->o.max_item);
		return 0;
	}
	if (buf_add(b, s, n) == -1) {
		page_fail(p, page_status_too_big,
		    "page output is over the %zu-byte buffer cap", b->max);
		return 0;
	}
	return 1;
}

/* Room for n more bytes of the item, or NULL when they might pass the item
 * limit or the buffer cap (the caller then writes piece by piece). */
static inline char *
page_room(page_parser *p, size_t n)
{
	struct buf *b = p->out;

	if (n > p->item_lim - b->len || n > b->max - b->len)
		return NULL;
	if (n < b->cap - b->len)
		return b->data + b->len;
	return buf_reserve(b, n);
}

/* The separator, then a token written as is (a number's literal, true,
 * false, null, a bracket); sep becomes next. */
static int
page_out_raw(page_parser *p, const char *s, size_t n, char next)
{
	char *d;

	if (n < SIZE_MAX && (d = page_room(p, n + 1)) != NULL) {
		if (p->sep != '\0')
			d[0] = p->sep;
		memcpy(d + (p->sep != '\0'), s, n);
		p->out->len += n + (p->sep != '\0');
	} else if ((p->sep != '\0' && !page_put(p, &p->sep, 1)) ||
	    !page_put(p, s, n))
		return 0;
	p->sep = next;
	return 1;
}

/* Nonzero when one of the 8 bytes may need escaping: '"', '\\', a byte
 * below 0x20 (or, falsely, one at 0x80 and above: those go the slow way). */
static inline uint64_t
page_special8(uint64_t w)
{
	return (w | (w - PAGE_ONES * 0x20) | ((w ^ PAGE_ONES * '"') - PAGE_ONES) |
	    ((w ^ PAGE_ONES * '\\') - PAGE_ONES)) & PAGE_HIGHS;
}

/*
 * Where the first byte of w (in memory order) is '"', '\\', below 0x20 or
 * above 0x7f: bit 8k+7 is set for byte k, and the lowest set bit is exact
 * (a borrow can flag a byte only above a byte that is flagged rightly);
 * 0 when there is none.
 */
static inline uint64_t
page_stop8(uint64_t w)
{
	uint64_t q = w ^ PAGE_ONES * '"', b = w ^ PAGE_ONES * '\\';

	return (((q - PAGE_ONES) & ~q) | ((b - PAGE_ONES) & ~b) |
	    ((w - PAGE_ONES * 0x20) & ~w) | w) & PAGE_HIGHS;
}

/* The escape of c ('"', '\\' or below 0x20) in d; returns its length. */
static size_t
page_escape(unsigned char c, char *d)
{
	static const char hex[] = "0123456789ABCDEF";

	d[0] = '\\';
	switch (c) {
	case '"':	d[1] = '"'; return 2;
	case '\\':	d[1] = '\\'; return 2;
	case '\b':	d[1] = 'b'; return 2;
	case '\f':	d[1] = 'f'; return 2;
	case '\n':	d[1] = 'n'; return 2;
	case '\r':	d[1] = 'r'; return 2;
	case '\t':	d[1] = 't'; return 2;
	}
	d[1] = 'u';
	d[2] = '0';
	d[3] = '0';
	d[4] = hex[c >> 4];
	d[5] = hex[c & 0xf];
	return 6;
}

static inline int
page_needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* s escaped minimally into d (room for 6n bytes), its UTF-8 checked on
 * the way; returns the end, or NULL when s is not strict UTF-8. */
static char *
page_encode(char *d, const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint64_t w;

	for (;;) {
		while (n - i >= 8) {
			memcpy(&w, s + i, 8);
			if (page_special8(w))
				break;
			memcpy(d, &w, 8);
			d += 8;
			i += 8;
		}
		if (i == n)
			return d;
		/* the rest of a word that tested positive, or the tail */
		do {
			if (s[i] >= 0x80) {
				if ((k = page_utf8_seq(s + i, n - i)) == 0)
					return NULL;
				memcpy(d, s + i, k);
				d += k;
				i += k - 1;
			} else if (page_needs_escape(s[i]))
				d += page_escape(s[i], d);
			else
				*d++ = (char)s[i];
		} while (++i % 8 != 0 && i < n);
	}
}

/* A string, piece by piece as yajl_gen printed it. */
static int
page_put_string(page_parser *p, const unsigned char *s, size_t n)
{
	char esc[6];
	size_t beg = 0, end;

	if ((p->sep != '\0' && !page_put(p, &p->sep, 1)) ||
	    !page_put(p, "\"", 1))
		return 0;
	for (end = 0; end < n; end++) {
		if (!page_needs_escape(s[end]))
			continue;
		if (!page_put(p, (const char *)s + beg, end - beg) ||
		    !page_put(p, esc, page_escape(s[end], esc)))
			return 0;
		beg = end + 1;
	}
	return page_put(p, (const char *)s + beg, n - beg) &&
	    page_put(p, "\"", 1);
}

/* The separator, then a string (a value, or a key when next is ':'). */
static int
page_out_string(page_parser *p, const char *s, size_t n, char next)
{
	const unsigned char *u = (const unsigned char *)s;
	char *d, *e;

	if (n <= (SIZE_MAX - 3) / 6 && (d = page_room(p, 6 * n + 3)) != NULL) {
		e = d;
		if (p->sep != '\0')
			*e++ = p->sep;
		*e++ = '"';
		if ((e = page_encode(e, u, n)) == NULL)
			goto invalid;
		*e++ = '"';
		p->out->len += (size_t)(e - d);
	} else if (!page_utf8_valid(u, n))
		goto invalid;
	else if (!page_put_string(p, u, n))
		return 0;
	p->sep = next;
	return 1;
invalid:
	page_fail(p, page_status_syntax,
	    "invalid UTF-8 in a string before byte %zu", page_offset(p));
	return 0;
}

static void
page_item_begin(page_parser *p)
{
	p->item_open = 1;
	p->item_start = p->out->len;
	if (p->o.max_item == 0 || p->o.max_item > SIZE_MAX - p->item_start)
		p->item_lim = SIZE_MAX;
	else
		p->item_lim = p->item_start + p->o.max_item;
	p->sep = '\0';
	p->key_st = p->keys != NULL ? key_look : key_done;
	p->key.off = PAGE_NO_KEY;
	p->key.len = 0;
}

/* out holds at least two bytes per item, so the sizes cannot overflow. */
static void
page_spans_grow(page_parser *p)
{
	p->spans_cap *= 2;
	if (p->lines != NULL)
		p->lines = xrealloc(p->lines, p->spans_cap * sizeof(*p->lines));
	if (p->keys != NULL)
		p->keys = xrealloc(p->keys, p->spans_cap * sizeof(*p->keys));
}

static int
page_item_end(page_parser *p)
{
	if (p->st != page_status_ok)
		return 0;
	if (buf_addc(p->out, '\n') == -1) {
		page_fail(p, page_status_too_big,
		    "page output is over the %zu-byte buffer cap", p->out->max);
		return 0;
	}
	if (p->lines != NULL) {
		if (p->nitems == p->spans_cap)
			page_spans_grow(p);
		p->lines[p->nitems].off = p->item_start;
		p->lines[p->nitems].len = p->out->len - p->item_start;
		if (p->keys != NULL)
			p->keys[p->nitems] = p->key;
	}
	p->item_open = 0;
	p->nitems++;
	return 1;
}

/*
 * yajl's lexer keeps a token that spans chunks in memory, so a token is
 * bounded by max_item even under skipped keys.  The gap since the previous
 * token is measured here, at each token, and after each feed for a token
 * still pending: the verdict then does not depend on how the body was cut.
 */
static int
page_mark(page_parser *p)
{
	size_t off;

	if (p->o.max_item == 0)
		return 1;
	off = page_offset(p);
	if (off - p->mark > p->tok_lim) {
		page_fail(p, page_status_too_big,
		    "a JSON token over the %zu-byte item limit (max_item) "
		    "after byte %zu", p->o.max_item, p->mark);
		return 0;
	}
	p->mark = off;
	return 1;
}

static int
page_path_is(const page_parser *p, size_t len, const char *path)
{
	return p->pathlen == len && memcmp(p->path, path, len) == 0;
}


enum page_vtype {
	vt_null, vt_bool, vt_number, vt_string, vt_object, vt_array
};

static const char *const page_vtype_name[] = {
	"null", "a boolean", "a number", "a string", "an object", "an array"
};

/* A non-negative decimal integer made of digits only, without overflow. */
static int
page_parse_count(const char *s, size_t n, long long *out)
{
	long long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (LLONG_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* A key path that can be typed as an option's value as it is, and shown:
 * letters, digits and _ - @ $ . only. */
static int
page_plain_path(const char *s, size_t n)
{
	size_t i;
	char c;

	if (n == 0 || n > PAGE_SURVEY_PATH)
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c == '@' || c == '$' || c == '.'))
			return 0;
	}
	return 1;
}

/* s[0..n) is word, ASCII letters compared without case. */
static int
page_word_is(const char *s, size_t n, const char *word)
{
	size_t i;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != word[i])
			return 0;
	return 1;
}

/* The name of an item count: total, totalCount, total_items,
 * totalResults, count, @odata.count, itemCount, item_count; not a page
 * count (totalPages) nor a word that ends in "count" (discount). */
static int
page_total_like(const char *path, size_t n)
{
	const char *s;
	size_t i, k;

	for (i = n; i > 0 && path[i - 1] != '.'; i--)
		;
	s = path + i;
	k = n - i;
	for (i = 0; i + 4 <= k; i++)
		if (page_word_is(s + i, 4, "page"))
			return 0;
	return (k >= 5 && page_word_is(s, 5, "total")) ||
	    page_word_is(s, k, "count") ||
	    (k > 5 && memcmp(s + k - 5, "Count", 5) == 0) ||
	    (k > 6 && memcmp(s + k - 6, "_count", 6) == 0);
}

/*
 * A value starts outside the items, below the root: an element of an
 * array the survey noted is counted; an array, or a number that looks
 * like a total, at the root or one object down is noted.
 */
static void
page_survey_note(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	const struct page_level *l = &p->lv[p->depth];
	struct page_member *m;
	long long v;

	if (!l->is_map) {
		if (l->member != PAGE_NO_MEMBER)
			p->seen[l->member].n++;
		return;
	}
	if (p->depth > 2 || p->pathlen >= p->toolong ||
	    !page_plain_path(p->path, p->pathlen))
		return;
	if (t == vt_array) {
		if (p->nseen - p->nnumbers >= PAGE_SURVEY_MAX -
		    PAGE_SURVEY_NUMBERS)
			return;
		p->opening = p->nseen;
	} else if (t != vt_number || p->nnumbers >= PAGE_SURVEY_NUMBERS ||
	    !page_total_like(p->path, p->pathlen) ||
	    page_parse_count(s, n, &v) != 0)
		return;
	else
		p->nnumbers++;
	m = &p->seen[p->nseen++];
	memcpy(m->path, p->path, p->pathlen);
	m->path[p->pathlen] = '\0';
	m->is_array = t == vt_array;
	m->closed = 0;
	m->n = 0;
}

/* Appends to s (size sz, holding *len bytes) as far as it fits. */
static void page_add(char *, size_t, size_t *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
page_add(char *s, size_t sz, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*len >= sz - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(s + *len, sz - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = (size_t)k < sz - *len ? *len + (size_t)k : sz - 1;
}

/*
 * What the survey found, as the rest of a sentence: 'an array at "data"
 * (50 items) and a number at "total": try --items-path data --total-path
 * total'.  The largest array is the one to try.  0 (s untouched) when it
 * found no array.
 */
static int
page_survey_hint(const page_parser *p, char *s, size_t sz)
{
	const struct page_member *m, *best = NULL, *num = NULL;
	unsigned i, arrays = 0, shown = 0, parts, said = 0;
	size_t len = 0;

	for (i = 0; i < p->nseen; i++) {
		m = &p->seen[i];
		if (!m->is_array) {
			if (num == NULL && !p->have_total)
				num = m;
			continue;
		}
		arrays++;
		if (best == NULL || m->n > best->n)
			best = m;
	}
	if (best == NULL)
		return 0;
	shown = arrays < PAGE_SURVEY_SHOWN ? arrays : PAGE_SURVEY_SHOWN;
	parts = shown + (arrays > shown) + (num != NULL);
	s[0] = '\0';
	for (i = 0; i < p->nseen && said < shown; i++) {
		m = &p->seen[i];
		if (!m->is_array)
			continue;
		said++;
		page_add(s, sz, &len, "%san array at \"%s\" (%s%zu item%s)",
		    said == 1 ? "" : said == parts ? " and " : ", ", m->path,
		    m->closed ? "" : "at least ", m->n, m->n == 1 ? "" : "s");
	}
	if (arrays > shown)
		page_add(s, sz, &len, "%s%u more array%s",
		    ++said == parts ? " and " : ", ", arrays - shown,
		    arrays - shown == 1 ? "" : "s");
	if (num != NULL)
		page_add(s, sz, &len, " and a number at \"%s\"", num->path);
	page_add(s, sz, &len, ": try --items-path %s", best->path);
	if (num != NULL)
		page_add(s, sz, &len, " --total-path %s", num->path);
	return 1;
}

/* The survey's message, in place of whatever ended it. */
static void
page_survey_say(page_parser *p)
{
	char hint[sizeof(p->err)];
	size_t len = 0;

	p->err[0] = '\0';
	page_add(p->err, sizeof(p->err), &len,
	    "expected an array at the root, found an object");
	if (page_survey_hint(p, hint, sizeof(hint)))
		page_add(p->err, sizeof(p->err), &len, " with %s", hint);
	else
		page_add(p->err, sizeof(p->err), &len, ", and no array in it "
		    "(at its top or one object down) to try as --items-path");
}

/*
 * The fields by which APIs commonly name their next page (DRF, OData,
 * Slack/Stripe-style cursors, JSON:API links, Facebook's paging), for a
 * profile that was not told where its next page is, and for noticing a
 * server that pages differently from what the profile says.
 */
static const char *const page_next_names[] = {
	"next", "next_page", "nextPage", "next_url", "nextUrl", "next_link",
	"nextLink", "@odata.nextLink", "odata.nextLink", "next_cursor",
	"nextCursor", "links.next", "paging.next", "_links.next.href",
	"meta.next", "pagination.next", NULL
};
static const char *const page_more_names[] = {
	"has_more", "hasMore", "more", NULL
};

static size_t
page_longest_name(const char *const *names)
{
	size_t n = 0;

	for (; *names != NULL; names++)
		if (strlen(*names) > n)
			n = strlen(*names);
	return n;
}

static const char *
page_path_among(const page_parser *p, const char *const *names)
{
	for (; *names != NULL; names++)
		if (page_path_is(p, strlen(*names), *names))
			return *names;
	return NULL;
}

/* A value at one of the next-page names: counts the non-null ones. */
static void
page_guess_value(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	const char *name;

	if (p->depth > 3)
		return;
	if ((name = page_path_among(p, page_more_names)) != NULL) {
		if (t == vt_bool && s[0] == 't')
			p->guess_more = 1;
		return;
	}
	if ((name = page_path_among(p, page_next_names)) == NULL)
		return;
	if (t == vt_null || t == vt_bool || (t == vt_string && n == 0))
		return;
	/* An object or array there is no next page we can follow, but it
	 * says more may come: counted, with no value. */
	if (p->guess_n++ == 0) {
		p->guess_name = name;
		buf_reset(&p->guess);
		if ((t == vt_string || t == vt_number) &&
		    memchr(s, '\0', n) == NULL)
			buf_add(&p->guess, s, n);
		buf_cstr(&p->guess);
	}
}

/*
 * A value starts outside the items: checks the root's shape and whether
 * the value sits at one of the wanted paths.  s/n hold a scalar's text.
 */
static int
page_envelope_value(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	const char *want = p->items_len == PAGE_NO_PATH ? "an array" :
	    "an object";

	if (p->depth == 0) {
		if (p->items_len == PAGE_NO_PATH) {
			if (t == vt_array) {
				p->seen_items = 1;
				p->idepth = 1;
				return 1;
			}
			if (t == vt_object) {
				/* Not a page; read on to say what it holds. */
				p->survey = 1;
				p->survey_from = page_offset(p);
				return 1;
			}
		} else if (t == vt_object)
			return 1;
		page_fail(p, page_status_shape,
		    "expected %s at the root, found %s", want,
		    page_vtype_name[t]);
		return 0;
	}
	if (page_path_is(p, p->items_len, p->o.items_path)) {
		if (t != vt_array) {
			page_fail(p, page_status_shape,
			    "\"%s\" is %s, not an array", p->o.items_path,
			    page_vtype_name[t]);
			return 0;
		}
		if (p->seen_items) {
			page_fail(p, page_status_shape,
			    "\"%s\" appears twice in the body",
			    p->o.items_path);
			return 0;
		}
		p->seen_items = 1;
		p->idepth = p->depth + 1;
		return 1;
	}
	if (p->survey && page_offset(p) - p->survey_from > PAGE_SURVEY_BYTES) {
		page_fail(p, page_status_shape, "survey over");
		return 0;
	}
	page_survey_note(p, t, s, n);
	if (page_path_is(p, p->total_len, p->o.total_path)) {
		/* An unusable total is no total: the caller has others. */
		if ((t == vt_number || t == vt_string) &&
		    page_parse_count(s, n, &p->total) == 0)
			p->have_total = 1;
	}
	if (p->o.guess_next)
		page_guess_value(p, t, s, n);
	if (page_path_is(p, p->next_len, p->o.next_path)) {
		/* A next cursor we cannot read must not look like "last page":
		 * that would end the export early without a word. */
		if (t == vt_null)
			p->have_next = 0;
		else if ((t == vt_string || t == vt_number) &&
		    memchr(s, '\0', n) == NULL) {
			buf_reset(&p->next);
			buf_add(&p->next, s, n);
			buf_cstr(&p->next);
			p->have_next = 1;
		} else {
			page_fail(p, page_status_shape,
			    "\"%s\" is %s, not a string, number or null",
			    p->o.next_path, t == vt_string ?
			    "a string with a NUL byte" : page_vtype_name[t]);
			return 0;
		}
	}
	return 1;
}

static int
page_envelope_open(page_parser *p, int is_map)
{
	struct page_level *l;

	p->opening = PAGE_NO_MEMBER;
	if (!page_envelope_value(p, is_map ? vt_object : vt_array, NULL, 0))
		return 0;
	l = &p->lv[++p->depth];
	l->is_map = is_map;
	l->base = p->pathlen;
	l->member = p->opening;
	/* Array elements have no key: nothing under them can match. */
	if (!is_map)
		p->pathlen = p->toolong;
	return 1;
}

static int
page_envelope_close(page_parser *p)
{
	if (p->depth == p->idepth)
		p->idepth = PAGE_NOT_OPEN;
	if (p->lv[p->depth].member != PAGE_NO_MEMBER)
		p->seen[p->lv[p->depth].member].closed = 1;
	p->pathlen = p->lv[p->depth].base;
	p->depth--;
	return 1;
}

/* A scalar inside an item: s/n hold a string's unescaped content, or the
 * literal text of a number, true, false or null. */
static int
page_out_scalar(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	if (t == vt_string)
		return page_out_string(p, s, n, ',');
	return page_out_raw(p, s, n, ',');
}

/*
 * A scalar that is the value of the item's key field: written out like any
 * other, then kept.  Only scalars other than null make a key.
 */
static int
page_key_value(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	if (!page_out_scalar(p, t, s, n))
		return 0;
	p->key_st = key_done;
	if (t == vt_null)
		return 1;
	p->key.off = p->keybuf.len;
	p->key.len = n;
	if (buf_add(&p->keybuf, s, n) == -1) {
		page_fail(p, page_status_too_big,
		    "page keys are over the %zu-byte buffer cap", p->keybuf.max);
		return 0;
	}
	return 1;
}

static int page_fast_enter(page_parser *, enum page_fast_st);

static int
page_cb_scalar(page_parser *p, enum page_vtype t, const char *s, size_t n)
{
	if (p->muted)
		return 1;
	if (!page_mark(p))
		return 0;
	if (p->depth > p->idepth) {
		if (p->key_st == key_next)
			return page_key_value(p, t, s, n);
		return page_out_scalar(p, t, s, n);
	}
	if (p->depth == p->idepth) {
		page_item_begin(p);
		if (!page_out_scalar(p, t, s, n) || !page_item_end(p))
			return 0;
		return page_fast_enter(p, fast_got_val);
	}
	return page_envelope_value(p, t, s, n);
}

static int
page_cb_null(void *ctx)
{
	return page_cb_scalar(ctx, vt_null, "null", 4);
}

static int
page_cb_boolean(void *ctx, int v)
{
	return page_cb_scalar(ctx, vt_bool, v ? "true" : "false", v ? 4 : 5);
}

static int
page_cb_number(void *ctx, const char *s, size_t n)
{
	return page_cb_scalar(ctx, vt_number, s, n);
}

static int
page_cb_string(void *ctx, const unsigned char *s, size_t n)
{
	return page_cb_scalar(ctx, vt_string, (const char *)s, n);
}

static int
page_cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
	page_parser *p = ctx;
	size_t base, len;

	if (p->muted)
		return 1;
	if (!page_mark(p))
		return 0;
	if (p->depth > p->idepth) {
		if (!page_out_string(p, (const char *)s, n, ':'))
			return 0;
		if (p->key_st == key_look && p->depth == p->idepth + 1 &&
		    n == p->key_len && memcmp(s, p->o.key_field, n) == 0)
			p->key_st = key_next;
		return 1;
	}
	base = p->lv[p->depth].base;
	len = base + (p->depth > 1) + n;
	if (base >= p->toolong || len >= p->toolong || len < n) {
		p->pathlen = p->toolong;
		return 1;
	}
	if (p->depth > 1)
		p->path[base++] = '.';
	memcpy(p->path + base, s, n);
	p->pathlen = len;
	return 1;
}

static int
page_cb_open(page_parser *p, int is_map)
{
	if (p->muted)
		return 1;
	if (!page_mark(p))
		return 0;
	if (p->depth >= p->maxdepth) {
		page_fail(p, page_status_too_deep,
		    "nesting deeper than %u levels (max_depth) at byte %zu",
		    p->maxdepth, page_offset(p));
		return 0;
	}
	if (p->depth >= p->idepth) {
		if (p->depth == p->idepth)
			page_item_begin(p);
		else if (p->key_st == key_next)
			p->key_st = key_done;	/* an object or array: no key */
		p->depth++;
		return page_out_raw(p, is_map ? "{" : "[", 1, '\0');
	}
	if (!page_envelope_open(p, is_map))
		return 0;
	return p->depth == p->idepth ? page_fast_enter(p, fast_start) : 1;
}

static int
page_cb_close(page_parser *p, int is_map)
{
	if (p->muted)
		return 1;
	if (!page_mark(p))
		return 0;
	if (p->depth > p->idepth) {
		p->depth--;
		p->sep = '\0';
		if (!page_out_raw(p, is_map ? "}" : "]", 1, ','))
			return 0;
		if (p->depth != p->idepth)
			return 1;
		if (!page_item_end(p))
			return 0;
		return page_fast_enter(p, fast_got_val);
	}
	return page_envelope_close(p);
}

static int
page_cb_start_map(void *ctx)
{
	return page_cb_open(ctx, 1);
}

static int
page_cb_end_map(void *ctx)
{
	return page_cb_close(ctx, 1);
}

static int
page_cb_start_array(void *ctx)
{
	return page_cb_open(ctx, 0);
}

static int
page_cb_end_array(void *ctx)
{
	return page_cb_close(ctx, 0);
}

static const yajl_callbacks page_callbacks = {
	page_cb_null,
	page_cb_boolean,
	NULL,			/* integers and doubles come as */
	NULL,			/* raw text through yajl_number */
	page_cb_number,
	page_cb_string,
	page_cb_start_map,
	page_cb_map_key,
	page_cb_end_map,
	page_cb_start_array,
	page_cb_end_array
};


/*
 * The fast path.  Between two items of the items array, yajl is stopped
 * (a callback returns 0 and sets enter_fast) and page_fast reads the items
 * itself: whole items within the chunk, in the plain form servers send
 * (JSON whitespace, the usual escapes), written compactly as the writer
 * would write them.  Anything else - an item cut by the chunk's end, an
 * error, a limit, another whitespace, the items' closing ']' - goes back
 * to yajl at the boundary before it: page_yajl_prime gives a new handle the
 * state yajl had there by parsing a stand-in for the envelope and the
 * items before (callbacks muted), and yajl reads on from that byte, with
 * every check and message of the slow path.  yajl's end of an item may hand
 * over again; a refusal other than the chunk's end keeps the body with
 * yajl (no_fast), so a body the fast path does not suit costs one extra
 * handle, not one per item.  Key fields are yajl's alone.
 *
 * Output is never longer than the bytes read (whitespace goes, escapes
 * stay or shrink), plus a '\n' an item each coming after a ',': room for
 * the chunk plus one byte is reserved once.
 */
#define PF_NO	(SIZE_MAX - 1)	/* not for the fast path: yajl decides */
#define PF_MORE	SIZE_MAX	/* the chunk ends inside the value */

static void
page_yajl_new(page_parser *p)
{
	if (p->yh != NULL)
		yajl_free(p->yh);
	p->yh = yajl_alloc(&page_callbacks, &p->af, p);
}

/* A new yajl handle in the state yajl had at fstate: the envelope's open
 * containers, the items' '[', and a value and a ',' as fstate says. */
static void
page_yajl_prime(page_parser *p)
{
	unsigned char syn[4 * PAGE_DEPTH_MAX + 8];
	size_t k = 0;
	unsigned d;

	page_yajl_new(p);
	for (d = 1; d < p->idepth; d++)
		if (p->lv[d].is_map) {
			memcpy(syn + k, "{\"\":", 4);
			k += 4;
		} else
			syn[k++] = '[';
	syn[k++] = '[';
	if (p->fstate != fast_start) {
		memcpy(syn + k, "null", 4);
		k += 4;
	}
	if (p->fstate == fast_need_val)
		syn[k++] = ',';
	p->muted = 1;
	(void)yajl_parse(p->yh, syn, k);
	p->muted = 0;
	p->fast = 0;
}

/* From a callback at an items boundary: stops yajl (returns 0) so that
 * page_feed hands the rest of the chunk to page_fast. */
static int
page_fast_enter(page_parser *p, enum page_fast_st st)
{
	if (p->no_fast || p->keys != NULL)
		return 1;
	p->fstate = st;
	p->enter_fast = 1;
	return 0;
}

static inline size_t
pf_ws(const unsigned char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' ||
	    s[i] == '\t'))
		i++;
	return i;
}

/* Four hex digits, or -1. */
static long
pf_hex4(const unsigned char *s)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = page_hexval(s[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* A code point from a \u escape as the writer writes its UTF-8. */
static char *
pf_codepoint(char *d, unsigned long cp)
{
	if (cp < 0x80) {
		if (page_needs_escape((unsigned char)cp))
			return d + page_escape((unsigned char)cp, d);
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xc0 | cp >> 6);
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xe0 | cp >> 12);
		*d++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*d++ = (char)(0xf0 | cp >> 18);
		*d++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*d++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	}
	return d;
}

/* Copies the bytes of s[*i..n) that need no look, eight at a time, to
 * *d (the room covers the bytes read); moves *d and *i to the first that
 * does, or to the last word's end. */
static inline void
pf_plain8(const unsigned char *s, size_t *i, size_t n, char **d)
{
	uint64_t w, m;
	size_t k;

	while (n - *i >= 8) {
		memcpy(&w, s + *i, 8);
		memcpy(*d, &w, 8);
		if ((m = page_stop8(w)) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			k = (size_t)__builtin_ctzll(m) / 8;
#else
			k = 0;	/* the lowest bit is the last byte */
#endif
			*d += k;
			*i += k;
			return;
		}
		*d += 8;
		*i += 8;
	}
}

/* A \u escape at s[i] (a surrogate pair read whole), written as UTF-8 at
 * *d; the index past it, or PF_MORE / PF_NO. */
static inline size_t
pf_unicode(const unsigned char *s, size_t i, size_t n, char **d)
{
	long cp, lo;

	if (n - i < 6)
		return PF_MORE;
	if ((cp = pf_hex4(s + i + 2)) < 0)
		return PF_NO;
	i += 6;
	if (cp >= 0xd800 && cp <= 0xdfff) {
		if (cp > 0xdbff)
			return PF_NO;
		if (n - i < 6)
			return PF_MORE;
		if (s[i] != '\\' || s[i + 1] != 'u' ||
		    (lo = pf_hex4(s + i + 2)) < 0xdc00 || lo > 0xdfff)
			return PF_NO;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		i += 6;
	}
	*d = pf_codepoint(*d, (unsigned long)cp);
	return i;
}

/* An escape at s[i] == '\\', as the writer would escape it again at *d;
 * the index past it, or PF_MORE / PF_NO. */
static inline size_t
pf_escape(const unsigned char *s, size_t i, size_t n, char **d)
{
	if (n - i < 2)
		return PF_MORE;
	switch (s[i + 1]) {
	case '"': case '\\': case 'b': case 'f': case 'n': case 'r':
	case 't':
		*(*d)++ = '\\';
		*(*d)++ = (char)s[i + 1];
		return i + 2;
	case '/':
		*(*d)++ = '/';
		return i + 2;
	case 'u':
		return pf_unicode(s, i, n, d);
	default:
		return PF_NO;
	}
}

/* A string at s[i] == '"': what yajl would unescape and the writer escape
 * again, strict UTF-8. */
static size_t
pf_string(const unsigned char *s, size_t i, size_t n, char **dp)
{
	char *d = *dp;
	size_t k;
	unsigned char c;

	*d++ = '"';
	i++;
	for (;;) {
		pf_plain8(s, &i, n, &d);
		if (i >= n)
			return PF_MORE;
		c = s[i];
		if (c == '"') {
			*d++ = '"';
			*dp = d;
			return i + 1;
		}
		if (c >= 0x80) {
			/* invalid, or cut by the chunk's end: yajl decides */
			if ((k = page_utf8_seq(s + i, n - i)) == 0)
				return n - i < 4 ? PF_MORE : PF_NO;
			memcpy(d, s + i, k);
			d += k;
			i += k;
		} else if (c == '\\') {
			if ((i = pf_escape(s, i, n, &d)) >= PF_NO)
				return i;
		} else if (c < 0x20)
			return PF_NO;
		else {
			*d++ = (char)c;
			i++;
		}
	}
}

static inline int
pf_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A number, copied as sent; it must be followed by a byte in the chunk
 * (yajl, too, cannot end it before). */
static size_t
pf_number(const unsigned char *s, size_t i, size_t n, char **dp)
{
	size_t j = i, k;

	if (s[j] == '-' && ++j == n)
		return PF_MORE;
	if (s[j] == '0')
		j++;
	else if (s[j] >= '1' && s[j] <= '9')
		while (++j < n && pf_digit(s[j]))
			;
	else
		return PF_NO;
	if (j < n && s[j] == '.') {
		for (k = ++j; j < n && pf_digit(s[j]); j++)
			;
		if (j == k)
			return j == n ? PF_MORE : PF_NO;
	}
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		if (++j < n && (s[j] == '+' || s[j] == '-'))
			j++;
		for (k = j; j < n && pf_digit(s[j]); j++)
			;
		if (j == k)
			return j == n ? PF_MORE : PF_NO;
	}
	if (j == n)
		return PF_MORE;
	memcpy(*dp, s + i, j - i);
	*dp += j - i;
	return j;
}

static size_t
pf_literal(const unsigned char *s, size_t i, size_t n, char **dp,
    const char *lit, size_t len)
{
	if (n - i < len)
		return PF_MORE;
	if (memcmp(s + i, lit, len) != 0)
		return PF_NO;
	memcpy(*dp, lit, len);
	*dp += len;
	return i + len;
}

/* A value at s[i] (not whitespace) inside depth open containers; returns
 * the index after it, PF_NO or PF_MORE. */
static size_t
pf_value(page_parser *p, const unsigned char *s, size_t i, size_t n,
    char **dp, unsigned depth)
{
	char *d;
	size_t r;
	unsigned char close;

	switch (s[i]) {
	case '"':
		return pf_string(s, i, n, dp);
	case 't':
		return pf_literal(s, i, n, dp, "true", 4);
	case 'f':
		return pf_literal(s, i, n, dp, "false", 5);
	case 'n':
		return pf_literal(s, i, n, dp, "null", 4);
	case '{':
		close = '}';
		break;
	case '[':
		close = ']';
		break;
	default:
		return pf_number(s, i, n, dp);
	}
	if (depth >= p->maxdepth)
		return PF_NO;
	d = *dp;
	*d++ = (char)s[i];
	if ((i = pf_ws(s, i + 1, n)) == n)
		return PF_MORE;
	if (s[i] != close) {
		for (;;) {
			if (close == '}') {
				if (s[i] != '"')
					return PF_NO;
				if ((r = pf_string(s, i, n, &d)) >= PF_NO)
					return r;
				if ((i = pf_ws(s, r, n)) == n)
					return PF_MORE;
				if (s[i] != ':')
					return PF_NO;
				*d++ = ':';
				if ((i = pf_ws(s, i + 1, n)) == n)
					return PF_MORE;
			}
			if ((r = pf_value(p, s, i, n, &d, depth + 1)) >= PF_NO)
				return r;
			if ((i = pf_ws(s, r, n)) == n)
				return PF_MORE;
			if (s[i] == close)
				break;
			if (s[i] != ',')
				return PF_NO;
			*d++ = ',';
			if ((i = pf_ws(s, i + 1, n)) == n)
				return PF_MORE;
		}
	}
	*d++ = (char)close;
	*dp = d;
	return i + 1;
}

/* Back to yajl at s[i]; stop: for the rest of the body. */
static size_t
page_fast_leave(page_parser *p, size_t i, int stop)
{
	if (stop)
		p->no_fast = 1;
	page_yajl_prime(p);
	return i;
}

/* Items from s (p->fed is s's body offset); returns the bytes taken. */
static size_t
page_fast(page_parser *p, const unsigned char *s, size_t n)
{
	struct buf *b = p->out;
	size_t i = 0, r;
	char *d;

	if (n >= b->max - b->len || buf_reserve(b, n + 1) == NULL)
		return page_fast_leave(p, 0, 1);
	for (;;) {
		if ((i = pf_ws(s, i, n)) == n)
			return n;
		if (p->fstate == fast_got_val) {
			if (s[i] != ',')
				return page_fast_leave(p, i, 1);
			p->fstate = fast_need_val;
			i++;
			continue;
		}
		if (s[i] == ']')
			return page_fast_leave(p, i, 1);
		page_item_begin(p);
		d = b->data + b->len;
		r = pf_value(p, s, i, n, &d, p->idepth);
		if (r < PF_NO)
			b->len = (size_t)(d - b->data);
		/* The item limit and the gap between tokens (page_mark): the
		 * gaps inside the item are within its span from the mark. */
		if (r >= PF_NO || b->len > p->item_lim || (p->o.max_item != 0 &&
		    p->fed + r - p->mark > p->tok_lim)) {
			b->len = p->item_start;
			p->item_open = 0;
			return page_fast_leave(p, i, r != PF_MORE);
		}
		if (p->o.max_item != 0)
			p->mark = p->fed + r;
		page_item_end(p);
		p->fstate = fast_got_val;
		i = r;
	}
}

static size_t
page_path_len(const char *path)
{
	return path != NULL && *path != '\0' ? strlen(path) : PAGE_NO_PATH;
}

page_parser *
page_new(const struct page_opts *opts, struct buf *out)
{
	page_parser *p;
	size_t longest = 0;

	p = xcalloc(1, sizeof(*p));
	p->o = *opts;
	p->out = out;
	p->maxdepth = opts->max_depth == 0 ? PAGE_DEPTH_DEFAULT :
	    opts->max_depth > PAGE_DEPTH_MAX ? PAGE_DEPTH_MAX : opts->max_depth;
	p->items_len = page_path_len(opts->items_path);
	p->total_len = page_path_len(opts->total_path);
	p->next_len = page_path_len(opts->next_path);
	if (p->items_len != PAGE_NO_PATH)
		longest = p->items_len;
	if (p->total_len != PAGE_NO_PATH && p->total_len > longest)
		longest = p->total_len;
	if (p->next_len != PAGE_NO_PATH && p->next_len > longest)
		longest = p->next_len;
	if (opts->guess_next) {
		if (page_longest_name(page_next_names) > longest)
			longest = page_longest_name(page_next_names);
		if (page_longest_name(page_more_names) > longest)
			longest = page_longest_name(page_more_names);
	}
	/* Room for the survey's paths, too. */
	p->toolong = (longest > PAGE_SURVEY_PATH ? longest : PAGE_SURVEY_PATH) +
	    1;
	p->tok_lim = opts->max_item > SIZE_MAX - PAGE_TOKEN_SLACK ? SIZE_MAX :
	    opts->max_item + PAGE_TOKEN_SLACK;
	p->path = xmalloc(p->toolong);
	buf_init(&p->next, 0);
	buf_init(&p->guess, 0);
	p->spans_cap = 256;
	if (opts->key_field != NULL && *opts->key_field != '\0') {
		p->key_len = strlen(opts->key_field);
		p->keys = xmalloc(p->spans_cap * sizeof(*p->keys));
	} else
		p->o.key_field = NULL;
	if (p->keys != NULL)
		p->lines = xmalloc(p->spans_cap * sizeof(*p->lines));
	/* Every key byte was written to out first: out's cap bounds keybuf. */
	buf_init(&p->keybuf, out->max);

	xalloc_yajl_funcs(&p->af);
	page_reset(p);
	return p;
}

void
page_reset(page_parser *p)
{
	/* yajl 2.1 has no way to rewind a handle. */
	page_yajl_new(p);
	p->fast = 0;
	p->enter_fast = 0;
	p->no_fast = 0;
	p->muted = 0;

	p->st = page_status_ok;
	p->err[0] = '\0';
	p->fed = 0;
	p->mark = 0;
	p->nonblank = 0;
	p->depth = 0;
	p->idepth = PAGE_NOT_OPEN;
	p->seen_items = 0;
	p->item_open = 0;
	p->nitems = 0;
	p->key_st = key_done;
	p->pathlen = 0;
	p->lv[0].is_map = 0;
	p->lv[0].base = 0;
	p->lv[0].member = PAGE_NO_MEMBER;
	p->survey = 0;
	p->survey_from = 0;
	p->nseen = 0;
	p->nnumbers = 0;
	p->opening = PAGE_NO_MEMBER;
	p->have_total = 0;
	p->total = 0;
	p->have_next = 0;
	buf_reset(&p->next);
	p->truncated = 0;
	p->guess_n = 0;
	p->guess_more = 0;
	p->guess_name = NULL;
	buf_reset(&p->guess);
	buf_reset(&p->keybuf);
	p->esc = esc_none;
}

enum page_status
page_feed(page_parser *p, const void *data, size_t n)
{
	const unsigned char *s = data;
	yajl_status ys;
	size_t i, ok_n, pos, k, fed0;
	int bad;

	if (p->st != page_status_ok || n == 0)
		return p->st;
	for (i = 0; !p->nonblank && i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			p->nonblank = 1;
	/* yajl sees the bytes before the first problem, which is reported
	 * once they are parsed (unless they hold an earlier one). */
	ok_n = page_scan_escapes(p, s, n, &bad);
	fed0 = p->fed;
	/* p->fed is the body offset of s + pos, where yajl or page_fast
	 * takes up the chunk. */
	for (pos = 0; pos < ok_n; pos += k, p->fed += k) {
		if (p->fast) {
			k = page_fast(p, s + pos, ok_n - pos);
			continue;
		}
		ys = yajl_parse(p->yh, s + pos, ok_n - pos);
		if (p->enter_fast) {
			p->enter_fast = 0;
			p->fast = 1;
			k = yajl_get_bytes_consumed(p->yh);
			continue;
		}
		if (ys == yajl_status_error)
			page_fail_yajl(p, page_offset(p));
		else if (ys != yajl_status_ok)
			page_fail(p, page_status_syntax,
			    "parse stopped at byte %zu", page_offset(p));
		break;
	}
	p->fed = fed0 + ok_n;
	if (bad)
		page_fail(p, page_status_syntax,
		    "unpaired UTF-16 surrogate escape at byte %zu", p->esc_pos);
	if (p->st == page_status_ok && p->o.max_item != 0 &&
	    p->fed - p->mark > p->tok_lim)
		page_fail(p, page_status_too_big,
		    "a JSON token over the %zu-byte item limit (max_item) "
		    "after byte %zu", p->o.max_item, p->mark);
	return p->st;
}

enum page_status
page_finish(page_parser *p)
{
	yajl_status ys;
	size_t off;

	if (p->st != page_status_ok)
		return p->st;
	/* yajl ends the body: it finds what is missing, and no item's end
	 * may stop it now. */
	p->no_fast = 1;
	if (p->fast)
		page_yajl_prime(p);
	ys = yajl_complete_parse(p->yh);
	if (p->st != page_status_ok)
		return p->st;	/* a callback refused the last token */
	if (p->survey) {
		/* Whole or cut short, an object is not the items array. */
		page_fail(p, page_status_shape, "an object");
		return p->st;
	}
	if (!p->nonblank) {
		p->truncated = 1;
		page_fail(p, page_status_syntax, "empty body");
		return p->st;
	}
	if (ys == yajl_status_error) {
		/* Every byte fed was accepted: only the end is missing. */
		p->truncated = 1;
		/* yajl counts from the single space it parses to finish. */
		off = p->fed;
		page_fail_yajl(p, off);
		return p->st;
	}
	/* An envelope that carries the total but no items array is an empty
	 * page (F5 leaves "items" out of an empty collection); one without
	 * either is not a page at all (an error object). */
	if (!p->seen_items && !(p->have_total && p->total_len != PAGE_NO_PATH)) {
		char hint[sizeof(p->err)];

		if (page_survey_hint(p, hint, sizeof(hint)))
			page_fail(p, page_status_shape, "no \"%s\" array in "
			    "the body, but %s", page_path_name(p->o.items_path),
			    hint);
		else
			page_fail(p, page_status_shape, "no \"%s\" array in "
			    "the body", page_path_name(p->o.items_path));
	}
	return p->st;
}

size_t
page_items(const page_parser *p)
{
	return p->nitems;
}

void
page_record_lines(page_parser *p)
{
	if (p->lines == NULL)
		p->lines = xmalloc(p->spans_cap * sizeof(*p->lines));
}

int
page_item(const page_parser *p, size_t i, const char **key, size_t *keylen,
    size_t *line_off, size_t *line_len)
{
	const struct page_span *k = NULL;

	if (i >= p->nitems || p->lines == NULL)
		return -1;
	if (line_off != NULL)
		*line_off = p->lines[i].off;
	if (line_len != NULL)
		*line_len = p->lines[i].len;
	if (p->keys != NULL && p->keys[i].off != PAGE_NO_KEY)
		k = &p->keys[i];
	if (key != NULL)
		/* an empty key may come before keybuf has any memory */
		*key = k == NULL ? NULL : p->keybuf.data != NULL ?
		    p->keybuf.data + k->off : "";
	if (keylen != NULL)
		*keylen = k != NULL ? k->len : 0;
	return 0;
}

int
page_total(const page_parser *p, long long *total)
{
	if (!p->have_total)
		return 0;
	*total = p->total;
	return 1;
}

const char *
page_next(const page_parser *p)
{
	return p->have_next ? p->next.data : NULL;
}

int
page_next_guess(const page_parser *p, const char **name, const char **value)
{
	if (name != NULL)
		*name = p->guess_name;
	if (value != NULL)
		*value = p->guess_n > 0 && p->guess.len > 0 ? p->guess.data :
		    NULL;
	return p->guess_n;
}

int
page_truncated(const page_parser *p)
{
	return p->truncated;
}

int
page_says_more(const page_parser *p)
{
	return p->guess_more;
}

const char *
page_error(const page_parser *p)
{
	return p->err;
}

void
page_free(page_parser *p)
{
	if (p == NULL)
		return;
	yajl_free(p->yh);
	buf_free(&p->next);
	buf_free(&p->guess);
	buf_free(&p->keybuf);
	free(p->lines);
	free(p->keys);
	free(p->path);
	free(p);
}
