/*
 * tmpl.c - --expand's URL templates (see tmpl.h).
 *
 * The item is walked once per fill with yajl's callbacks (the same
 * allocator as everywhere), keeping the dotted path of the value at hand;
 * a value whose path is a field of the template is kept, the rest is
 * skipped.  Items are small (one listing item), so this costs little next
 * to the request it builds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <yajl/yajl_parse.h>

#include "buf.h"
#include "origin.h"
#include "tmpl.h"
#include "xalloc.h"

#define TMPL_MAX_PATH  1024     /* a field's name, in bytes */
#define TMPL_MAX_DEPTH 130      /* page.h allows 128 */

struct part {
	int field;              /* 1: {name}, 0: literal text */
	char *s;
	size_t len;
};

struct tmpl {
	struct part *parts;
	size_t nparts;
	int first;              /* the first field's part, or -1 */
};

enum val_kind { val_missing, val_string, val_raw, val_null, val_object,
	val_array };

struct val {
	enum val_kind kind;
	char *s;
	size_t len;
};

struct walk {
	const struct tmpl *t;
	struct val *vals;               /* one per part */
	char path[TMPL_MAX_PATH + 1];
	size_t vlen;                    /* the current value's path length;
	                                   (size_t)-1: no field can match */
	size_t prefix[TMPL_MAX_DEPTH];  /* a map frame's own path length */
	int is_map[TMPL_MAX_DEPTH];
	int depth;
	int arrays;                     /* arrays open: nothing inside matches */
	int root_object;
};

#define NO_PATH ((size_t)-1)

static void
tmpl_add(struct tmpl *t, int field, const char *s, size_t len)
{
	struct part *p;

	t->parts = xrealloc(t->parts, (t->nparts + 1) * sizeof *t->parts);
	p = &t->parts[t->nparts++];
	p->field = field;
	p->s = xstrndup(s, len);
	p->len = len;
	if (field && t->first < 0)
		t->first = (int)t->nparts - 1;
}

static int
field_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > TMPL_MAX_PATH || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '{' || s[i] == ' ' || s[i] == '\t' ||
		    (s[i] == '.' && s[i + 1] == '.') ||
		    (unsigned char)s[i] < 0x20)
			return 0;
	return 1;
}

struct tmpl *
tmpl_new(const char *text, char *err, size_t errsz)
{
	struct tmpl *t = xcalloc(1, sizeof *t);
	const char *p = text, *lit = text, *close;

	t->first = -1;
	while (*p != '\0') {
		if (*p == '}') {
			snprintf(err, errsz, "a '}' without its '{' at column %zu",
			    (size_t)(p - text) + 1);
			goto bad;
		}
		if (*p != '{') {
			p++;
			continue;
		}
		if ((close = strchr(p + 1, '}')) == NULL) {
			snprintf(err, errsz, "the '{' at column %zu is never "
			    "closed", (size_t)(p - text) + 1);
			goto bad;
		}
		if (!field_ok(p + 1, (size_t)(close - p - 1))) {
			snprintf(err, errsz, "'%.*s' is not a field name (a "
			    "dotted path such as id or owner.id)",
			    (int)(close - p + 1 > 80 ? 80 : close - p + 1), p);
			goto bad;
		}
		if (p > lit)
			tmpl_add(t, 0, lit, (size_t)(p - lit));
		tmpl_add(t, 1, p + 1, (size_t)(close - p - 1));
		p = lit = close + 1;
	}
	if (p > lit)
		tmpl_add(t, 0, lit, (size_t)(p - lit));
	return t;
bad:
	tmpl_free(t);
	return NULL;
}

void
tmpl_free(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nparts; i++)
		free(t->parts[i].s);
	free(t->parts);
	free(t);
}

const char *
tmpl_first_field(const struct tmpl *t)
{
	return t->first >= 0 ? t->parts[t->first].s : NULL;
}

/* The URL with every field replaced by its value (vals) or by dummy. */
static char *
tmpl_build(const struct tmpl *t, const struct val *vals, const char *dummy,
    char *err, size_t errsz)
{
	static const char *const what[] = { "missing", "", "", "null",
		"an object", "an array" };
	struct buf b;
	char *esc;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < t->nparts; i++) {
		const struct part *p = &t->parts[i];

		if (!p->field || dummy != NULL) {
			buf_adds(&b, p->field ? dummy : p->s);
			continue;
		}
		switch (vals[i].kind) {
		case val_string:
			esc = curl_easy_escape(NULL, vals[i].s, (int)vals[i].len);
			if (esc == NULL) {
				snprintf(err, errsz, "field %s: cannot be "
				    "percent-encoded", p->s);
				goto bad;
			}
			buf_adds(&b, esc);
			curl_free(esc);
			break;
		case val_raw:
			buf_add(&b, vals[i].s, vals[i].len);
			break;
		default:
			snprintf(err, errsz, "field %s is %s: it cannot fill in "
			    "the URL", p->s, what[vals[i].kind]);
			goto bad;
		}
	}
	buf_addc(&b, '\0');
	return b.data;
bad:
	buf_free(&b);
	return NULL;
}

int
tmpl_check(const struct tmpl *t, char *err, size_t errsz)
{
	char *url, *origin = NULL;
	CURLU *u;
	int rc = -1;

	if ((url = tmpl_build(t, NULL, "1", err, errsz)) == NULL)
		return -1;
	if ((u = curl_url()) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    (origin = origin_of(url)) == NULL)
		snprintf(err, errsz, "'%.120s' (filled in) is not an absolute "
		    "http or https URL", url);
	else
		rc = 0;
	curl_url_cleanup(u);
out:
	free(origin);
	free(url);
	return rc;
}

/* --- the walk -------------------------------------------------------- */

/* A value begins at the current path: kept if a field names it. */
static void
walk_value(struct walk *w, enum val_kind kind, const char *s, size_t len)
{
	const struct tmpl *t = w->t;
	size_t i;

	if (w->depth == 0) {
		w->root_object = kind == val_object;
		return;
	}
	if (!w->is_map[w->depth - 1] || w->arrays > 0 || w->vlen == NO_PATH)
		return;
	for (i = 0; i < t->nparts; i++)
		if (t->parts[i].field && t->parts[i].len == w->vlen &&
		    memcmp(t->parts[i].s, w->path, w->vlen) == 0 &&
		    w->vals[i].kind == val_missing) {
			w->vals[i].kind = kind;
			if (s != NULL) {
				w->vals[i].s = xstrndup(s, len);
				w->vals[i].len = len;
			}
		}
}

static int
cb_null(void *ctx)
{
	walk_value(ctx, val_null, NULL, 0);
	return 1;
}

static int
cb_boolean(void *ctx, int v)
{
	walk_value(ctx, val_raw, v ? "true" : "false", v ? 4 : 5);
	return 1;
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
	walk_value(ctx, val_raw, s, len);
	return 1;
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
	walk_value(ctx, val_string, (const char *)s, len);
	return 1;
}

static int
walk_open(struct walk *w, int map)
{
	walk_value(w, map ? val_object : val_array, NULL, 0);
	if (w->depth == TMPL_MAX_DEPTH)
		return 0;
	w->is_map[w->depth] = map;
	/* A map's members' paths start with the path of the map itself
	 * (none for the root, none inside an array). */
	w->prefix[w->depth] = w->depth == 0 ? 0 : w->arrays > 0 ||
	    !w->is_map[w->depth - 1] ? NO_PATH : w->vlen;
	if (!map)
		w->arrays++;
	w->depth++;
	w->vlen = NO_PATH;
	return 1;
}

static int
walk_close(struct walk *w)
{
	w->depth--;
	if (!w->is_map[w->depth])
		w->arrays--;
	w->vlen = NO_PATH;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return walk_open(ctx, 1);
}

static int
cb_start_array(void *ctx)
{
	return walk_open(ctx, 0);
}

static int
cb_end(void *ctx)
{
	return walk_close(ctx);
}

static int
cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct walk *w = ctx;
	size_t pre = w->prefix[w->depth - 1];

	w->vlen = NO_PATH;
	if (pre == NO_PATH || pre + (pre > 0) + len > TMPL_MAX_PATH)
		return 1;
	if (pre > 0)
		w->path[pre++] = '.';
	memcpy(w->path + pre, key, len);
	w->vlen = pre + len;
	return 1;
}

static const yajl_callbacks walk_callbacks = {
	cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
	cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end
};

/* "FIELD=VALUE" of the first field, cut to fit; "" without one. */
static void
tmpl_label(const struct tmpl *t, const struct val *vals, char *label,
    size_t labelsz)
{
	const struct val *v;

	if (label == NULL || labelsz == 0)
		return;
	label[0] = '\0';
	if (t->first < 0)
		return;
	v = &vals[t->first];
	if (v->kind == val_string || v->kind == val_raw)
		snprintf(label, labelsz, "%s=%.*s", t->parts[t->first].s,
		    (int)(v->len > 64 ? 64 : v->len), v->s);
}

char *
tmpl_fill(const struct tmpl *t, const char *item, size_t len, char *label,
    size_t labelsz, char *err, size_t errsz)
{
	yajl_alloc_funcs af;
	struct walk *w = xcalloc(1, sizeof *w);
	yajl_handle h;
	char *url = NULL;
	size_t i;

	if (label != NULL && labelsz > 0)
		label[0] = '\0';
	w->t = t;
	w->vals = xcalloc(t->nparts ? t->nparts : 1, sizeof *w->vals);
	w->vlen = NO_PATH;
	xalloc_yajl_funcs(&af);
	h = yajl_alloc(&walk_callbacks, &af, w);
	if (yajl_parse(h, (const unsigned char *)item, len) != yajl_status_ok ||
	    yajl_complete_parse(h) != yajl_status_ok)
		snprintf(err, errsz, "the item is not JSON that can be read");
	else if (!w->root_object && t->first >= 0)
		snprintf(err, errsz, "the item is not a JSON object: field %s "
		    "cannot be found in it", t->parts[t->first].s);
	else {
		tmpl_label(t, w->vals, label, labelsz);
		url = tmpl_build(t, w->vals, NULL, err, errsz);
	}
	yajl_free(h);
	for (i = 0; i < t->nparts; i++)
		free(w->vals[i].s);
	free(w->vals);
	free(w);
	return url;
}

/* --- an item's top-level members ------------------------------------- */

struct members_walk {
	yajl_handle h;
	const char *item;
	size_t len;
	const char *const *names;
	const size_t *lens;
	int n;
	struct tmpl_member *m;
	int depth;              /* 1: inside the root object */
	int cur;                /* the name of the member at hand, or -1 */
	int root_object;
};

/* A value ends (yajl has just read its last byte): the member at hand's
 * value, if it is one of a top-level member we look for. */
static void
members_value_end(struct members_walk *w)
{
	if (w->depth == 0)
		return;
	if (w->depth == 1 && w->cur >= 0) {
		if (w->m[w->cur].count == 1)
			w->m[w->cur].end = yajl_get_bytes_consumed(w->h);
		w->cur = -1;
	}
}

static int
mb_scalar(void *ctx)
{
	members_value_end(ctx);
	return 1;
}

static int
mb_boolean(void *ctx, int v)
{
	(void)v;
	return mb_scalar(ctx);
}

static int
mb_number(void *ctx, const char *s, size_t len)
{
	(void)s;
	(void)len;
	return mb_scalar(ctx);
}

static int
mb_string(void *ctx, const unsigned char *s, size_t len)
{
	(void)s;
	(void)len;
	return mb_scalar(ctx);
}

static int
mb_start(struct members_walk *w, int map)
{
	if (w->depth == 0)
		w->root_object = map;
	w->depth++;
	return 1;
}

static int
mb_start_map(void *ctx)
{
	return mb_start(ctx, 1);
}

static int
mb_start_array(void *ctx)
{
	return mb_start(ctx, 0);
}

static int
mb_end(void *ctx)
{
	struct members_walk *w = ctx;

	w->depth--;
	members_value_end(w);
	return 1;
}

static int
mb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct members_walk *w = ctx;
	size_t at;
	int i;

	if (w->depth != 1)
		return 1;
	for (i = 0; i < w->n; i++)
		if (w->lens[i] == len && memcmp(w->names[i], key, len) == 0)
			break;
	if (i == w->n)
		return 1;
	w->cur = i;
	if (w->m[i].count++ > 0)
		return 1;
	/* yajl has read the key: the value follows its ':' (and any
	 * blanks, though an item line has none). */
	at = yajl_get_bytes_consumed(w->h);
	while (at < w->len && (w->item[at] == ':' || w->item[at] == ' ' ||
	    w->item[at] == '\t' || w->item[at] == '\r' || w->item[at] == '\n'))
		at++;
	w->m[i].start = at;
	return 1;
}

static const yajl_callbacks members_callbacks = {
	mb_scalar, mb_boolean, NULL, NULL, mb_number, mb_string,
	mb_start_map, mb_map_key, mb_end, mb_start_array, mb_end
};

int
tmpl_members(const char *item, size_t len, const char *const *names,
    const size_t *lens, int n, struct tmpl_member *m)
{
	yajl_alloc_funcs af;
	struct members_walk w;
	int rc = 0;

	memset(&w, 0, sizeof w);
	memset(m, 0, (size_t)n * sizeof *m);
	w.item = item;
	w.len = len;
	w.names = names;
	w.lens = lens;
	w.n = n;
	w.m = m;
	w.cur = -1;
	xalloc_yajl_funcs(&af);
	w.h = yajl_alloc(&members_callbacks, &af, &w);
	if (yajl_parse(w.h, (const unsigned char *)item, len) !=
	    yajl_status_ok || yajl_complete_parse(w.h) != yajl_status_ok ||
	    !w.root_object)
		rc = -1;
	yajl_free(w.h);
	return rc;
}
