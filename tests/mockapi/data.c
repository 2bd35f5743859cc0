/*
 * data.c - the mock dataset and its two JSON encodings (see data.h).
 *
 * The item layout is written once, in data_item(), as calls on a tiny JSON
 * encoder (struct jenc).  The encoder alone decides how the item looks:
 *
 *   canonical: no whitespace; strings escape only \" \\ \b \f \n \r \t and
 *              other bytes < 0x20 as \u00XX (upper-case hex); everything
 *              else, '/' and 0x7F and U+2028 included, is raw UTF-8.
 *   wire:      '/' as \/, bytes < 0x20 and 0x7F as \u00xx (lower-case hex);
 *              non-ASCII as \uxxxx (surrogate pairs above U+FFFF) when
 *              (g + g/8) is even, raw UTF-8 when odd; items with g % 5 == 0
 *              are pretty-printed.  Invalid UTF-8 is passed through raw.
 *
 * Numbers are literal text and are the same in both forms.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "data.h"

struct lit {
	const char *s;
	size_t len;
};
#define LIT(x) { x, sizeof(x) - 1 }

static const char *const nums[8] = {
	"18446744073709551617",
	"1e400",
	"-0.0",
	"0.1000000000000000055511151231257827",
	"1E+2",
	"-12.5e-3",
	"0",
	"-9223372036854775809",
};

static const struct lit notes[8] = {
	LIT("caf\xc3\xa9"),
	LIT("\xf0\x9f\x98\x80 emoji"),
	LIT("nul\0inside"),
	LIT("quote\" backslash\\ slash/ \b\f\n\r\t"),
	LIT("\x01\x1f control\x7f"),
	LIT("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
	LIT("\xe2\x80\xa8\xe2\x80\xa9seps"),
	LIT("plain"),
};

static const struct lit badnote = LIT("bad \xc3\x28 utf8");

/* Between page items; all valid JSON whitespace. */
static const char *const seps[4] = { ",", ", ", ",\n", ",\r\n\t" };

#define JENC_DEPTH 8

struct jenc {
	struct buf *b;
	int canon;
	int ascii;              /* wire: non-ASCII as \u escapes */
	int pretty;
	int depth;
	int first[JENC_DEPTH];  /* nothing written yet at this depth */
};

static struct {
	pthread_mutex_t lock;
	uint64_t items, item_size, after, ins, del, served;
	int drifted;
} ds = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
data_init(uint64_t items, uint64_t item_size, uint64_t drift_after,
    uint64_t drift_ins, uint64_t drift_del)
{
	ds.items = items;
	ds.item_size = item_size;
	ds.after = drift_after;
	ds.ins = drift_ins;
	ds.del = drift_del < items ? drift_del : items;
}

void
data_view(struct data_view *v)
{
	pthread_mutex_lock(&ds.lock);
	v->items = ds.items;
	v->item_size = ds.item_size;
	v->drifted = ds.drifted;
	v->ins = ds.drifted ? ds.ins : 0;
	v->keep = ds.drifted ? ds.items - ds.del : ds.items;
	pthread_mutex_unlock(&ds.lock);
	v->n = v->ins + v->keep;
}

void
data_served(void)
{
	pthread_mutex_lock(&ds.lock);
	ds.served++;
	if (ds.after != 0 && ds.served >= ds.after)
		ds.drifted = 1;
	pthread_mutex_unlock(&ds.lock);
}

int
data_drifted(void)
{
	int d;

	pthread_mutex_lock(&ds.lock);
	d = ds.drifted;
	pthread_mutex_unlock(&ds.lock);
	return d;
}

uint64_t
data_gen(const struct data_view *v, uint64_t pos)
{
	return pos < v->ins ? v->items + pos : pos - v->ins;
}

uint64_t
data_pos_after_id(const struct data_view *v, uint64_t id)
{
	uint64_t g;

	if (id < DATA_ID_BASE)
		return 0;
	g = id - DATA_ID_BASE;
	if (g < v->items)       /* an original; past the end when deleted */
		return g < v->keep ? v->ins + g + 1 : v->n;
	if (g - v->items < v->ins)
		return g - v->items + 1;
	return v->n;
}

/* --- the encoder ------------------------------------------------------ */

static void
je_hex4(struct jenc *e, unsigned u)
{
	char tmp[8];

	snprintf(tmp, sizeof(tmp), e->canon ? "\\u%04X" : "\\u%04x", u & 0xffff);
	buf_add(e->b, tmp, 6);
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length and
 * sets *cp, or 0 when it is not valid UTF-8. */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len, i;
	unsigned c, min;

	if (s[0] >= 0xf0 && s[0] < 0xf5) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else if (s[0] >= 0xe0 && s[0] < 0xf0) {
		len = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xc2 && s[0] < 0xe0) {
		len = 2, c = s[0] & 0x1f, min = 0x80;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return 0;
	*cp = c;
	return len;
}

static void
je_str(struct jenc *e, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, len;
	unsigned cp;
	char esc;

	buf_addc(e->b, '"');
	for (i = 0; i < n; i++) {
		esc = 0;
		switch (s[i]) {
		case '"':  esc = '"'; break;
		case '\\': esc = '\\'; break;
		case '/':  esc = e->canon ? 0 : '/'; break;
		case '\b': esc = e->canon ? 'b' : 0; break;
		case '\f': esc = e->canon ? 'f' : 0; break;
		case '\n': esc = e->canon ? 'n' : 0; break;
		case '\r': esc = e->canon ? 'r' : 0; break;
		case '\t': esc = e->canon ? 't' : 0; break;
		}
		if (esc) {
			buf_addc(e->b, '\\');
			buf_addc(e->b, esc);
		} else if (s[i] < 0x20 || (s[i] == 0x7f && !e->canon)) {
			je_hex4(e, s[i]);
		} else if (s[i] >= 0x80 && e->ascii &&
		    (len = utf8_decode(s + i, n - i, &cp)) != 0) {
			if (cp >= 0x10000) {
				cp -= 0x10000;
				je_hex4(e, 0xd800 | cp >> 10);
				je_hex4(e, 0xdc00 | (cp & 0x3ff));
			} else
				je_hex4(e, cp);
			i += len - 1;
		} else
			buf_addc(e->b, (char)s[i]);
	}
	buf_addc(e->b, '"');
}

static void
je_newline(struct jenc *e)
{
	int i;

	buf_addc(e->b, '\n');
	for (i = 0; i < e->depth; i++)
		buf_add(e->b, "  ", 2);
}

/* Before a key or an array element. */
static void
je_next(struct jenc *e)
{
	if (!e->first[e->depth])
		buf_addc(e->b, ',');
	e->first[e->depth] = 0;
	if (e->pretty)
		je_newline(e);
}

static void
je_open(struct jenc *e, char c)
{
	buf_addc(e->b, c);
	e->depth++;
	e->first[e->depth] = 1;
}

static void
je_close(struct jenc *e, char c)
{
	int empty = e->first[e->depth];

	e->depth--;
	if (e->pretty && !empty)
		je_newline(e);
	buf_addc(e->b, c);
}

static void
je_key(struct jenc *e, const char *k)
{
	je_next(e);
	je_str(e, k, strlen(k));
	buf_addc(e->b, ':');
	if (e->pretty)
		buf_addc(e->b, ' ');
}

/* A number or true/false/null, written as given. */
static void
je_lit(struct jenc *e, const char *s)
{
	buf_adds(e->b, s);
}

/* --- the item ---------------------------------------------------------- */

/*
 * Fills p with n bytes of words drawn from a small vocabulary, the same for
 * the same item: text that compresses about as well as real inventory
 * fields do (a run of one letter would make gzip look free).  Plain ASCII
 * letters and spaces, so both encodings write it the same way.
 */
static void
pad_words(char *p, uint64_t n, uint64_t g)
{
	static const char *const words[32] = {
		"rack", "row", "eth0", "vlan", "prod", "staging", "db", "web",
		"cache", "primary", "replica", "us", "east", "west", "zone",
		"subnet", "gateway", "router", "switch", "port", "tenant",
		"owner", "backup", "nightly", "linux", "ubuntu", "kernel",
		"disk", "ssd", "memory", "cpu", "active"
	};
	uint64_t x = g * 0x9E3779B97F4A7C15ULL + 1, i = 0;
	const char *w;

	while (i < n) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		for (w = words[x % 32]; *w != '\0' && i < n; w++)
			p[i++] = *w;
		if (i < n)
			p[i++] = (x >> 8) % 4 == 0 ? '-' : ' ';
	}
}

static void
item_layout(struct jenc *e, uint64_t g, uint64_t padlen, int flags)
{
	const struct lit *note;
	char tmp[64], *p;

	je_open(e, '{');
	je_key(e, "id");
	snprintf(tmp, sizeof(tmp), "%" PRIu64, DATA_ID_BASE + g);
	je_lit(e, tmp);
	je_key(e, "hostname");
	snprintf(tmp, sizeof(tmp), "host-%06" PRIu64 ".example.com", g);
	je_str(e, tmp, strlen(tmp));
	je_key(e, "seq");
	snprintf(tmp, sizeof(tmp), "%" PRIu64, g);
	je_lit(e, tmp);
	je_key(e, "num");
	je_lit(e, nums[g % 8]);
	je_key(e, "note");
	note = (flags & DATA_BADUTF8) ? &badnote : &notes[g % 8];
	je_str(e, note->s, note->len);
	je_key(e, "tags");
	je_open(e, '[');
	if (g % 3 != 0) {
		je_next(e);
		je_str(e, "a", 1);
		je_next(e);
		je_str(e, "b", 1);
	}
	je_close(e, ']');
	je_key(e, "nested");
	je_open(e, '{');
	je_key(e, "ok");
	je_lit(e, "true");
	je_key(e, "none");
	je_lit(e, "null");
	je_key(e, "f");
	je_lit(e, "false");
	je_key(e, "list");
	je_open(e, '[');
	je_next(e);
	je_lit(e, "1");
	je_next(e);
	je_lit(e, "2.5");
	je_next(e);
	je_open(e, '{');
	je_key(e, "x");
	je_str(e, "y", 1);
	je_close(e, '}');
	je_close(e, ']');
	je_close(e, '}');
	je_key(e, "pad");
	buf_addc(e->b, '"');
	if (padlen != 0 && (p = buf_reserve(e->b, padlen)) != NULL) {
		pad_words(p, padlen, g);
		e->b->len += padlen;
	}
	buf_addc(e->b, '"');
	je_close(e, '}');
}

void
data_item(struct buf *b, const struct data_view *v, uint64_t g,
    enum data_form f, int flags)
{
	struct jenc e;
	uint64_t padlen = 0;
	size_t start = b->len, natural;

	memset(&e, 0, sizeof(e));
	e.b = b;
	if (v->item_size != 0) {
		/* Measure the canonical form without padding, then undo it. */
		e.canon = 1;
		item_layout(&e, g, 0, flags);
		natural = b->len - start;
		b->len = start;
		if (v->item_size > natural)
			padlen = v->item_size - natural;
		memset(&e, 0, sizeof(e));
		e.b = b;
	}
	if (f == data_form_canon)
		e.canon = 1;
	else {
		/* Not plain g % 2: the note cycles by g % 8, so every note
		 * would always get the same form.  This flips the parity on
		 * every block of 8, so each note is sent both ways. */
		e.ascii = (g + g / 8) % 2 == 0;
		e.pretty = g % 5 == 0;
	}
	item_layout(&e, g, padlen, flags);
}

void
data_array(struct buf *b, const struct data_view *v, uint64_t off,
    uint64_t cnt, int flags)
{
	uint64_t i;

	buf_addc(b, '[');
	for (i = 0; i < cnt && off + i < v->n; i++) {
		if (i > 0)
			buf_adds(b, seps[(off + i) % 4]);
		data_item(b, v, data_gen(v, off + i), data_form_wire,
		    i == 0 ? flags : 0);
	}
	buf_addc(b, ']');
}

void
data_truth(struct buf *b, const struct data_view *v, uint64_t *pos,
    size_t want)
{
	while (*pos < v->n && b->len < want) {
		data_item(b, v, data_gen(v, *pos), data_form_canon, 0);
		buf_addc(b, '\n');
		(*pos)++;
	}
}

void
data_json_str(struct buf *b, const char *s)
{
	struct jenc e;

	memset(&e, 0, sizeof(e));
	e.b = b;
	e.canon = 1;
	je_str(&e, s, strlen(s));
}
