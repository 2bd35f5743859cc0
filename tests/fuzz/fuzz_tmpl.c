/*
 * fuzz_tmpl.c - libFuzzer target for --expand's URL templates (tmpl.h).
 *
 * Input: one option byte, the template up to the first NUL byte, then the
 * item (the rest; none without a NUL).
 *   byte 0: bits 0-2 the label's size {no label, 1, 2, 8, 16, 64, 80,
 *           256}; bit 3 a newline after the item (tmpl.h allows one);
 *           bit 4 tmpl_check() too
 *
 * The template is parsed by tmpl_new(), checked by tmpl_check(), and
 * filled by tmpl_fill() from the item; an oracle made of yajl_tree and the
 * template read here says what the fill must give.  These must hold:
 *   - tmpl_new() refuses exactly an unbalanced brace and an empty or
 *     malformed field name (empty, '.' at an end, "..", a blank, '{' or a
 *     control byte, longer than 1024); tmpl_first_field() is the first
 *     {field}; a failure has a message;
 *   - tmpl_check() = 0: the template, every field "1", is an absolute http
 *     or https URL to curl; else a message;
 *   - a filled URL is the template's text with each field replaced by its
 *     value, the first in the item's order at that dotted path (through
 *     objects only): a string percent-encoded, a number, true or false as
 *     written.  So no raw byte below 0x21 or above 0x7e in it comes from
 *     the item: it has as many as the template's text;
 *   - a fill fails when a field is missing, null, an object or an array,
 *     the item is not an object (with fields) or not JSON (yajl without
 *     comments; nesting over 130), with a message; never otherwise;
 *   - the label fits its buffer (ASan sees one byte more) and is "" or a
 *     prefix of FIELD=VALUE for the first field, "FIELD=" whole when it
 *     fits.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_tmpl
 * Run:   tests/fuzz/fuzz_tmpl -dict=tests/fuzz/tmpl.dict corpus-tmpl/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "tmpl.h"

#include "fuzz_check.h"

#define MAX_PATH 1024
#define MAX_DEPTH 130

/* The template as read here: literal text and {field}s. */
struct part {
	int field;
	const char *s;
	size_t len;
	yajl_val v;             /* the oracle's value of a field, or NULL */
};

struct oracle {
	struct part *p;         /* room for one part per byte of text */
	size_t n;
	int first;              /* the first field's part, or -1 */
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MAX_PATH || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '{' || s[i] == ' ' || s[i] == '\t' ||
		    (unsigned char)s[i] < 0x20 ||
		    (i + 1 < n && s[i] == '.' && s[i + 1] == '.'))
			return 0;
	return 1;
}

static void
add(struct oracle *o, int field, const char *s, size_t len)
{
	if (field && o->first < 0)
		o->first = (int)o->n;
	o->p[o->n].field = field;
	o->p[o->n].s = s;
	o->p[o->n].len = len;
	o->p[o->n].v = NULL;
	o->n++;
}

/* Reads the template; 0 when tmpl_new() must refuse it. */
static int
read_template(struct oracle *o, const char *text)
{
	const char *p = text, *lit = text, *close;

	o->n = 0;
	o->first = -1;
	for (; *p != '\0'; p++) {
		if (*p == '}')
			return 0;
		if (*p != '{')
			continue;
		if ((close = strchr(p + 1, '}')) == NULL ||
		    !name_ok(p + 1, (size_t)(close - p - 1)))
			return 0;
		if (p > lit)
			add(o, 0, lit, (size_t)(p - lit));
		add(o, 1, p + 1, (size_t)(close - p - 1));
		p = close;
		lit = close + 1;
	}
	if (p > lit)
		add(o, 0, lit, (size_t)(p - lit));
	return 1;
}

static size_t
depth(yajl_val v)
{
	size_t i, d, max = 0;

	if (YAJL_IS_OBJECT(v)) {
		for (i = 0; i < v->u.object.len; i++)
			if ((d = depth(v->u.object.values[i])) > max)
				max = d;
		return max + 1;
	}
	if (YAJL_IS_ARRAY(v)) {
		for (i = 0; i < v->u.array.len; i++)
			if ((d = depth(v->u.array.values[i])) > max)
				max = d;
		return max + 1;
	}
	return 0;
}

/* Gives each field the first value at its path, in the item's order. */
static void
find(struct oracle *o, yajl_val obj, char *path, size_t plen)
{
	size_t i, j, klen, len;
	yajl_val v;

	for (i = 0; i < obj->u.object.len; i++) {
		klen = strlen(obj->u.object.keys[i]);
		len = plen + (plen > 0) + klen;
		if (len > MAX_PATH)
			continue;
		if (plen > 0)
			path[plen] = '.';
		memcpy(path + plen + (plen > 0), obj->u.object.keys[i], klen);
		v = obj->u.object.values[i];
		for (j = 0; j < o->n; j++)
			if (o->p[j].field && o->p[j].v == NULL &&
			    o->p[j].len == len && memcmp(o->p[j].s, path, len) == 0)
				o->p[j].v = v;
		if (YAJL_IS_OBJECT(v))
			find(o, v, path, len);
	}
}

/* What the fill must give: the URL, or NULL when it must fail. */
static char *
expect(struct oracle *o, yajl_val item, const char **first_value)
{
	char path[MAX_PATH + 1];
	struct buf b;
	const char *s;
	char *esc;
	size_t i;

	*first_value = NULL;
	if (o->first >= 0 && !YAJL_IS_OBJECT(item))
		return NULL;
	if (o->first >= 0)
		find(o, item, path, 0);
	buf_init(&b, 0);
	for (i = 0; i < o->n; i++) {
		yajl_val v = o->p[i].v;

		if (!o->p[i].field) {
			buf_add(&b, o->p[i].s, o->p[i].len);
			continue;
		}
		if (YAJL_IS_STRING(v)) {
			s = YAJL_GET_STRING(v);
			esc = curl_easy_escape(NULL, s, (int)strlen(s));
			CHECK(esc != NULL);
			buf_adds(&b, esc);
			curl_free(esc);
		} else if (YAJL_IS_NUMBER(v))
			buf_adds(&b, s = YAJL_GET_NUMBER(v));
		else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
			buf_adds(&b, s = YAJL_IS_TRUE(v) ? "true" : "false");
		else {
			buf_free(&b);
			return NULL;
		}
		if ((int)i == o->first)
			*first_value = s;
	}
	buf_addc(&b, '\0');
	return b.data;
}

/* Bytes below 0x21 or above 0x7e in [s, s + n). */
static size_t
raw_bytes(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += (unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e;
	return k;
}

static void
check_url_shape(const struct oracle *o, const char *url)
{
	size_t i, raw = 0;

	for (i = 0; i < o->n; i++)
		if (!o->p[i].field)
			raw += raw_bytes(o->p[i].s, o->p[i].len);
	CHECK(raw_bytes(url, strlen(url)) == raw);
	if (o->n > 0 && !o->p[0].field)
		CHECK(strncmp(url, o->p[0].s, o->p[0].len) == 0);
}

/* tmpl_check() said yes: the template, filled with "1", is to curl. */
static void
check_absolute(const struct oracle *o)
{
	struct buf b;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < o->n; i++)
		buf_add(&b, o->p[i].field ? "1" : o->p[i].s,
		    o->p[i].field ? 1 : o->p[i].len);
	CHECK(u != NULL);
	CHECK(curl_url_set(u, CURLUPART_URL, buf_cstr(&b), 0) == CURLUE_OK);
	CHECK(curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK);
	CHECK(strcasecmp(scheme, "http") == 0 ||
	    strcasecmp(scheme, "https") == 0);
	CHECK(curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	buf_free(&b);
}

/* The label after a fill; filled: the first field has a value (value,
 * when the oracle knows it). */
static void
check_label(const struct oracle *o, const char *label, size_t labelsz,
    int filled, const char *value)
{
	char *want;
	size_t n, name;

	n = strnlen(label, labelsz);
	CHECK(n < labelsz);
	if (o->first < 0) {
		CHECK(n == 0);
		return;
	}
	name = o->p[o->first].len;
	CHECK(strncmp(label, o->p[o->first].s, n < name ? n : name) == 0);
	if (n > name)
		CHECK(label[name] == '=');
	if (filled)
		CHECK(n >= (name + 1 < labelsz - 1 ? name + 1 : labelsz - 1));
	if (value == NULL)
		return;
	want = malloc(name + 2 + strlen(value));
	memcpy(want, o->p[o->first].s, name);
	want[name] = '=';
	strcpy(want + name + 1, value);
	CHECK(strncmp(label, want, n) == 0);
	free(want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t labelszs[] = { 0, 1, 2, 8, 16, 64, 80, 256 };
	static struct oracle o;
	const char *nul, *value = NULL;
	char err[256], *text, *item, *url, *want, *label = NULL;
	size_t tlen, ilen, labelsz;
	yajl_val tree;
	struct tmpl *t;
	int ok;

	if (size < 1)
		return 0;
	labelsz = labelszs[data[0] & 7];
	nul = memchr(data + 1, '\0', size - 1);
	tlen = nul != NULL ? (size_t)(nul - (const char *)data - 1) : size - 1;
	text = strndup((const char *)data + 1, tlen);
	ilen = nul != NULL ? size - 2 - tlen : 0;
	item = malloc(ilen + 2);
	memcpy(item, nul != NULL ? nul + 1 : "", ilen);
	if (data[0] & 8)
		item[ilen++] = '\n';

	o.p = malloc((tlen + 1) * sizeof *o.p);
	ok = read_template(&o, text);
	err[0] = '\0';
	t = tmpl_new(text, err, sizeof err);
	CHECK((t != NULL) == ok);
	if (t == NULL) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
		goto out;
	}
	CHECK(o.first < 0 ? tmpl_first_field(t) == NULL :
	    strlen(tmpl_first_field(t)) == o.p[o.first].len &&
	    memcmp(tmpl_first_field(t), o.p[o.first].s, o.p[o.first].len) == 0);
	if (data[0] & 16) {
		err[0] = '\0';
		if (tmpl_check(t, err, sizeof err) == 0)
			check_absolute(&o);
		else
			CHECK(err[0] != '\0');
	}

	if (labelsz > 0)
		label = malloc(labelsz);
	err[0] = '\0';
	url = tmpl_fill(t, item, ilen, label, labelsz, err, sizeof err);
	if (url == NULL)
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
	else
		check_url_shape(&o, url);

	if (label != NULL)
		check_label(&o, label, labelsz, url != NULL, NULL);

	/* The oracle, for an item without NUL or \u0000 (yajl_tree's strings
	 * end at one).  yajl_tree allows comments, the walk does not: with a
	 * '/' in the item, the fill may fail where the oracle did not. */
	item[ilen] = '\0';
	tree = NULL;
	if (strlen(item) == ilen && strstr(item, "\\u0000") == NULL) {
		tree = yajl_tree_parse(item, NULL, 0);
		want = tree == NULL || depth(tree) > MAX_DEPTH ? NULL :
		    expect(&o, tree, &value);
		if (url != NULL)
			CHECK(want != NULL && strcmp(want, url) == 0);
		else
			CHECK(want == NULL || strchr(item, '/') != NULL);
		if (label != NULL && url != NULL)
			check_label(&o, label, labelsz, 1, value);
		free(want);
	}
	yajl_tree_free(tree);
	free(url);
	free(label);
	tmpl_free(t);
out:
	free(o.p);
	free(text);
	free(item);
	return 0;
}
