/*
 * manifest.c - the run's manifest, built with yajl_gen and published
 * atomically (see manifest.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "log.h"
#include "manifest.h"
#include "xalloc.h"

/* A generator that remembers its first failure, so that building the
 * document reads as a list of fields. */
struct gen {
	yajl_gen g;
	yajl_gen_status st;
	const char *key;        /* the field being written, for the message */
};

static void
gen_check(struct gen *g, yajl_gen_status st)
{
	if (g->st == yajl_gen_status_ok)
		g->st = st;
}

static void
gen_key(struct gen *g, const char *key)
{
	if (g->st != yajl_gen_status_ok)
		return;
	g->key = key;
	gen_check(g, yajl_gen_string(g->g, (const unsigned char *)key,
	    strlen(key)));
}

static void
gen_str(struct gen *g, const char *s)
{
	if (g->st != yajl_gen_status_ok)
		return;
	if (s == NULL)
		gen_check(g, yajl_gen_null(g->g));
	else
		gen_check(g, yajl_gen_string(g->g, (const unsigned char *)s,
		    strlen(s)));
}

static void
gen_int(struct gen *g, long long v)
{
	if (g->st == yajl_gen_status_ok)
		gen_check(g, yajl_gen_integer(g->g, v));
}

/* Up to 2^64 - 1: past yajl_gen_integer's long long. */
static void
gen_uint(struct gen *g, unsigned long long v)
{
	char num[24];
	int n;

	if (g->st != yajl_gen_status_ok)
		return;
	n = snprintf(num, sizeof num, "%llu", v);
	gen_check(g, yajl_gen_number(g->g, num, (size_t)n));
}

/* v, or null when it is negative (unknown). */
static void
gen_int_or_null(struct gen *g, long long v)
{
	if (g->st != yajl_gen_status_ok)
		return;
	if (v < 0)
		gen_check(g, yajl_gen_null(g->g));
	else
		gen_check(g, yajl_gen_integer(g->g, v));
}

static void
gen_bool(struct gen *g, int v)
{
	if (g->st == yajl_gen_status_ok)
		gen_check(g, yajl_gen_bool(g->g, v != 0));
}

static void
gen_null(struct gen *g)
{
	if (g->st == yajl_gen_status_ok)
		gen_check(g, yajl_gen_null(g->g));
}

static void
gen_open(struct gen *g, int map)
{
	if (g->st == yajl_gen_status_ok)
		gen_check(g, map ? yajl_gen_map_open(g->g) :
		    yajl_gen_array_open(g->g));
}

static void
gen_close(struct gen *g, int map)
{
	if (g->st == yajl_gen_status_ok)
		gen_check(g, map ? yajl_gen_map_close(g->g) :
		    yajl_gen_array_close(g->g));
}

static void
gen_time(struct gen *g, time_t t)
{
	char buf[32];

	if (g->st != yajl_gen_status_ok)
		return;
	if (t == (time_t)-1)
		gen_null(g);
	else if (manifest_time(t, buf, sizeof buf) < 0)
		g->st = yajl_gen_invalid_number;
	else
		gen_str(g, buf);
}

int
manifest_time(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

static void
errf(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static const char *
gen_status_text(yajl_gen_status st)
{
	switch (st) {
	case yajl_gen_invalid_string:
		return "not valid UTF-8";
	case yajl_gen_invalid_number:
		return "not representable";
	default:
		return "rejected by the JSON generator";
	}
}

/* The files a run published, as an array of objects. */
static void
gen_files(struct gen *g, const struct writer_part *files, size_t n)
{
	size_t i;

	gen_open(g, 0);
	for (i = 0; i < n; i++) {
		gen_open(g, 1);
		gen_key(g, "path");
		gen_str(g, files[i].path);
		gen_key(g, "items");
		gen_uint(g, files[i].items);
		gen_key(g, "bytes");
		gen_uint(g, files[i].bytes);
		gen_key(g, "sha256");
		gen_str(g, files[i].sha256);
		if (files[i].etag[0] != '\0') {
			gen_key(g, "etag");
			gen_str(g, files[i].etag);
		}
		gen_close(g, 1);
	}
	gen_close(g, 0);
}

/* The "shard" member's value: null, or the shard's four numbers. */
static void
gen_shard(struct gen *g, const struct manifest_shard *sh)
{
	if (sh == NULL) {
		gen_null(g);
		return;
	}
	gen_open(g, 1);
	gen_key(g, "index");
	gen_int(g, sh->index);
	gen_key(g, "count");
	gen_int(g, sh->count);
	gen_key(g, "first_page");
	gen_int(g, sh->first_page);
	gen_key(g, "last_page");
	gen_int(g, sh->last_page);
	gen_close(g, 1);
}

/* The "details" member (--expand only). */
static void
gen_details(struct gen *g, const struct manifest_details *d)
{
	if (d == NULL)
		return;
	gen_key(g, "details");
	gen_open(g, 1);
	gen_key(g, "listed");
	gen_int(g, d->listed);
	gen_key(g, "fetched");
	gen_int(g, d->fetched);
	gen_key(g, "failed");
	gen_int(g, d->failed);
	gen_key(g, "items_failed");
	gen_int(g, d->items_failed);
	gen_close(g, 1);
}

/* The counters, from the totals to the throttles. */
static void
gen_counts(struct gen *g, const struct manifest_info *in)
{
	gen_key(g, "total_at_start");
	gen_int_or_null(g, in->total_start);
	gen_key(g, "total_at_end");
	gen_int_or_null(g, in->total_end);
	gen_key(g, "items_written");
	gen_int(g, in->items);
	gen_key(g, "pages");
	gen_int(g, in->pages);
	gen_key(g, "requests");
	gen_int(g, in->requests);
	gen_key(g, "retries");
	gen_int(g, in->retries);
	gen_key(g, "throttles");
	gen_int(g, in->throttles);
}

/* A bookmark's value: a string, a number's text, or null. */
static void
gen_mark(struct gen *g, const char *v, int is_string)
{
	if (v == NULL || is_string)
		gen_str(g, v);
	else if (g->st == yajl_gen_status_ok)
		gen_check(g, yajl_gen_number(g->g, v, strlen(v)));
}

/* "bookmark": {"field", "before", "after"}, when there is one. */
static void
gen_bookmark(struct gen *g, const struct manifest_bookmark *b)
{
	if (b == NULL)
		return;
	gen_key(g, "bookmark");
	gen_open(g, 1);
	gen_key(g, "field");
	gen_str(g, b->field);
	gen_key(g, "before");
	gen_mark(g, b->before, b->before_string);
	gen_key(g, "after");
	gen_mark(g, b->after, b->after_string);
	gen_close(g, 1);
}

/* A run's members, in the order manifest.h shows, into an open object. */
static void
gen_members(struct gen *g, const struct manifest_info *in)
{
	char *url = in->source_url != NULL ? log_redact_url(in->source_url) :
	    NULL;
	size_t i;

	gen_key(g, "schema_version");
	gen_int(g, MANIFEST_SCHEMA_VERSION);
	gen_key(g, "invdump_version");
	gen_str(g, PACKAGE_VERSION);
	gen_key(g, "source_url");
	gen_str(g, url);
	free(url);
	gen_key(g, "profile");
	gen_str(g, in->profile);
	gen_key(g, "started_at");
	gen_time(g, in->started);
	gen_key(g, "ended_at");
	gen_time(g, in->ended);
	gen_counts(g, in);
	gen_key(g, "files");
	gen_files(g, in->files, in->nfiles);
	gen_key(g, "verified");
	gen_bool(g, in->verified);
	gen_key(g, "warnings");
	gen_open(g, 0);
	for (i = 0; i < in->nwarnings; i++)
		gen_str(g, in->warnings[i]);
	gen_close(g, 0);
	gen_key(g, "exit_status");
	gen_int(g, in->exit_status);
	gen_key(g, "shard");
	gen_shard(g, in->shard);
	gen_details(g, in->details);
	gen_bookmark(g, in->bookmark);
	gen_key(g, "error");
	gen_str(g, in->error);
}

/* A generator on one line that checks UTF-8. */
static void
gen_start(struct gen *g)
{
	yajl_alloc_funcs funcs;

	xalloc_yajl_funcs(&funcs);
	g->g = yajl_gen_alloc(&funcs);
	g->st = yajl_gen_status_ok;
	g->key = "";
	/* One line: yajl's beautifier spreads an empty array over three. */
	yajl_gen_config(g->g, yajl_gen_validate_utf8, 1);
}

/* g's document as a NUL-terminated text ending in a newline, or NULL with
 * the field that failed in err; frees the generator. */
static char *
gen_finish(struct gen *g, char *err, size_t errsz)
{
	const unsigned char *out;
	char *json = NULL;
	size_t len;

	if (g->st != yajl_gen_status_ok)
		errf(err, errsz, "manifest: the field %s is %s", g->key,
		    gen_status_text(g->st));
	else {
		yajl_gen_get_buf(g->g, &out, &len);
		json = xmalloc(len + 2);
		memcpy(json, out, len);
		json[len++] = '\n';
		json[len] = '\0';
	}
	yajl_gen_free(g->g);
	return json;
}

char *
manifest_json(const struct manifest_info *in, char *err, size_t errsz)
{
	struct gen g;

	gen_start(&g);
	gen_open(&g, 1);
	gen_members(&g, in);
	gen_close(&g, 1);
	return gen_finish(&g, err, errsz);
}

yajl_gen_status
manifest_gen_tree(yajl_gen g, yajl_val v)
{
	yajl_gen_status st;
	size_t i;

	if (YAJL_IS_STRING(v))
		return yajl_gen_string(g, (const unsigned char *)v->u.string,
		    strlen(v->u.string));
	if (YAJL_IS_NUMBER(v))
		return yajl_gen_number(g, YAJL_GET_NUMBER(v),
		    strlen(YAJL_GET_NUMBER(v)));
	if (YAJL_IS_OBJECT(v)) {
		st = yajl_gen_map_open(g);
		for (i = 0; i < YAJL_GET_OBJECT(v)->len &&
		    st == yajl_gen_status_ok; i++) {
			st = yajl_gen_string(g, (const unsigned char *)
			    YAJL_GET_OBJECT(v)->keys[i],
			    strlen(YAJL_GET_OBJECT(v)->keys[i]));
			if (st == yajl_gen_status_ok)
				st = manifest_gen_tree(g,
				    YAJL_GET_OBJECT(v)->values[i]);
		}
		return st == yajl_gen_status_ok ? yajl_gen_map_close(g) : st;
	}
	if (YAJL_IS_ARRAY(v)) {
		st = yajl_gen_array_open(g);
		for (i = 0; i < YAJL_GET_ARRAY(v)->len &&
		    st == yajl_gen_status_ok; i++)
			st = manifest_gen_tree(g, YAJL_GET_ARRAY(v)->values[i]);
		return st == yajl_gen_status_ok ? yajl_gen_array_close(g) : st;
	}
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return yajl_gen_bool(g, YAJL_IS_TRUE(v));
	return yajl_gen_null(g);
}

/* One target of a run of many: its name, then the members of its own
 * manifest (parsed back from manifest_json's text), or its status alone. */
static void
gen_target(struct gen *g, const struct manifest_target *t)
{
	yajl_val root = NULL;
	size_t i;

	gen_open(g, 1);
	gen_key(g, "target");
	gen_str(g, t->name);
	if (t->json != NULL)
		root = yajl_tree_parse(t->json, NULL, 0);
	if (root != NULL && YAJL_IS_OBJECT(root))
		for (i = 0; i < YAJL_GET_OBJECT(root)->len; i++) {
			gen_key(g, YAJL_GET_OBJECT(root)->keys[i]);
			if (g->st == yajl_gen_status_ok)
				gen_check(g, manifest_gen_tree(g->g,
				    YAJL_GET_OBJECT(root)->values[i]));
		}
	else {
		gen_key(g, "exit_status");
		gen_int(g, t->exit_status);
	}
	yajl_tree_free(root);
	gen_close(g, 1);
}

char *
manifest_fleet_json(const char *jobs_file, time_t started, time_t ended,
    int exit_status, const struct manifest_target *targets, size_t n,
    char *err, size_t errsz)
{
	struct gen g;
	size_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += targets[i].exit_status == 0;
	gen_start(&g);
	gen_open(&g, 1);
	gen_key(&g, "schema_version");
	gen_int(&g, MANIFEST_SCHEMA_VERSION);
	gen_key(&g, "invdump_version");
	gen_str(&g, PACKAGE_VERSION);
	gen_key(&g, "jobs_file");
	gen_str(&g, jobs_file);
	gen_key(&g, "started_at");
	gen_time(&g, started);
	gen_key(&g, "ended_at");
	gen_time(&g, ended);
	gen_key(&g, "targets_total");
	gen_int(&g, (long long)n);
	gen_key(&g, "targets_ok");
	gen_int(&g, (long long)ok);
	gen_key(&g, "exit_status");
	gen_int(&g, exit_status);
	gen_key(&g, "targets");
	gen_open(&g, 0);
	for (i = 0; i < n; i++)
		gen_target(&g, &targets[i]);
	gen_close(&g, 0);
	gen_close(&g, 1);
	return gen_finish(&g, err, errsz);
}

int
manifest_write(const char *path, const struct manifest_info *info, int mode)
{
	char err[512], *json;
	int ret;

	if ((json = manifest_json(info, err, sizeof err)) == NULL) {
		log_error("%s: %s", path, err);
		return -1;
	}
	ret = manifest_publish(path, json, mode);
	free(json);
	return ret;
}

int
manifest_publish(const char *path, const char *json, int mode)
{
	if (strcmp(path, "-") == 0 || path[0] == '\0') {
		log_error("the manifest needs a file name, not \"%s\"", path);
		return -1;
	}
	return writer_put(path, json, strlen(json), mode);
}

/* The pages a successful target object of a jobs run's manifest found, or
 * 0; *name set to its "target" name (NULL when it has none). */
static long long
known_one(yajl_val o, const char **name)
{
	static const char *tp[] = { "target", NULL };
	static const char *pp[] = { "pages", NULL };
	static const char *sp[] = { "exit_status", NULL };
	yajl_val t = yajl_tree_get(o, tp, yajl_t_string);
	yajl_val p = yajl_tree_get(o, pp, yajl_t_number);
	yajl_val s = yajl_tree_get(o, sp, yajl_t_number);

	*name = t != NULL ? YAJL_GET_STRING(t) : NULL;
	if (p == NULL || !YAJL_IS_INTEGER(p) || s == NULL ||
	    !YAJL_IS_INTEGER(s) || YAJL_GET_INTEGER(s) != 0 ||
	    YAJL_GET_INTEGER(p) < 0)
		return 0;
	return YAJL_GET_INTEGER(p);
}

void
manifest_known_pages_text(const char *text, const char *const *names,
    size_t n, long long *pages)
{
	static const char *tp[] = { "targets", NULL };
	yajl_val root, arr;
	const char *name;
	long long np;
	size_t i, j;

	memset(pages, 0, n * sizeof *pages);
	if ((root = yajl_tree_parse(text, NULL, 0)) == NULL)
		return;
	if ((arr = yajl_tree_get(root, tp, yajl_t_array)) != NULL)
		for (i = 0; i < YAJL_GET_ARRAY(arr)->len; i++) {
			np = known_one(YAJL_GET_ARRAY(arr)->values[i], &name);
			for (j = 0; name != NULL && j < n; j++)
				if (names[j] != NULL &&
				    strcmp(names[j], name) == 0)
					pages[j] = np;
		}
	yajl_tree_free(root);
}

/* A manifest is small: one object a target.  Larger is not ours. */
#define KNOWN_MAX ((size_t)64 << 20)

void
manifest_known_pages(const char *path, const char *const *names, size_t n,
    long long *pages)
{
	struct buf b;
	char chunk[65536];
	ssize_t r;
	int fd;

	memset(pages, 0, n * sizeof *pages);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	buf_init(&b, KNOWN_MAX);
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(&b, chunk, (size_t)r) < 0) {
			r = -1;
			break;
		}
	close(fd);
	if (r == 0 && buf_add(&b, "", 1) == 0)
		manifest_known_pages_text(b.data, names, n, pages);
	buf_free(&b);
}
