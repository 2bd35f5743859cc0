/*
 * manifest.c - the run's manifest, built with yajl_gen and published
 * atomically (see manifest.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

char *
manifest_json(const struct manifest_info *in, char *err, size_t errsz)
{
	yajl_alloc_funcs funcs;
	struct gen g = { NULL, yajl_gen_status_ok, "" };
	const unsigned char *out;
	char *url = NULL, *json = NULL;
	size_t len, i;

	xalloc_yajl_funcs(&funcs);
	g.g = yajl_gen_alloc(&funcs);
	/* One line: yajl's beautifier spreads an empty array over three. */
	yajl_gen_config(g.g, yajl_gen_validate_utf8, 1);
	if (in->source_url != NULL)
		url = log_redact_url(in->source_url);

	gen_open(&g, 1);
	gen_key(&g, "schema_version");
	gen_int(&g, MANIFEST_SCHEMA_VERSION);
	gen_key(&g, "invdump_version");
	gen_str(&g, PACKAGE_VERSION);
	gen_key(&g, "source_url");
	gen_str(&g, url);
	gen_key(&g, "profile");
	gen_str(&g, in->profile);
	gen_key(&g, "started_at");
	gen_time(&g, in->started);
	gen_key(&g, "ended_at");
	gen_time(&g, in->ended);
	gen_key(&g, "total_at_start");
	gen_int_or_null(&g, in->total_start);
	gen_key(&g, "total_at_end");
	gen_int_or_null(&g, in->total_end);
	gen_key(&g, "items_written");
	gen_int(&g, in->items);
	gen_key(&g, "pages");
	gen_int(&g, in->pages);
	gen_key(&g, "requests");
	gen_int(&g, in->requests);
	gen_key(&g, "retries");
	gen_int(&g, in->retries);
	gen_key(&g, "throttles");
	gen_int(&g, in->throttles);
	gen_key(&g, "files");
	gen_open(&g, 0);
	for (i = 0; i < in->nfiles; i++) {
		gen_open(&g, 1);
		gen_key(&g, "path");
		gen_str(&g, in->files[i].path);
		gen_key(&g, "items");
		gen_uint(&g, in->files[i].items);
		gen_key(&g, "bytes");
		gen_uint(&g, in->files[i].bytes);
		gen_key(&g, "sha256");
		gen_str(&g, in->files[i].sha256);
		gen_close(&g, 1);
	}
	gen_close(&g, 0);
	gen_key(&g, "verified");
	gen_bool(&g, in->verified);
	gen_key(&g, "warnings");
	gen_open(&g, 0);
	for (i = 0; i < in->nwarnings; i++)
		gen_str(&g, in->warnings[i]);
	gen_close(&g, 0);
	gen_key(&g, "exit_status");
	gen_int(&g, in->exit_status);
	gen_key(&g, "shard");
	if (in->shard == NULL)
		gen_null(&g);
	else {
		gen_open(&g, 1);
		gen_key(&g, "index");
		gen_int(&g, in->shard->index);
		gen_key(&g, "count");
		gen_int(&g, in->shard->count);
		gen_key(&g, "first_page");
		gen_int(&g, in->shard->first_page);
		gen_key(&g, "last_page");
		gen_int(&g, in->shard->last_page);
		gen_close(&g, 1);
	}
	if (in->details != NULL) {
		gen_key(&g, "details");
		gen_open(&g, 1);
		gen_key(&g, "listed");
		gen_int(&g, in->details->listed);
		gen_key(&g, "fetched");
		gen_int(&g, in->details->fetched);
		gen_key(&g, "failed");
		gen_int(&g, in->details->failed);
		gen_key(&g, "items_failed");
		gen_int(&g, in->details->items_failed);
		gen_close(&g, 1);
	}
	gen_bookmark(&g, in->bookmark);
	gen_key(&g, "error");
	gen_str(&g, in->error);
	gen_close(&g, 1);

	if (g.st != yajl_gen_status_ok) {
		errf(err, errsz, "manifest: the field %s is %s", g.key,
		    gen_status_text(g.st));
		goto out;
	}
	yajl_gen_get_buf(g.g, &out, &len);
	json = xmalloc(len + 2);
	memcpy(json, out, len);
	json[len++] = '\n';
	json[len] = '\0';
out:
	free(url);
	yajl_gen_free(g.g);
	return json;
}

/* The JSON text of g's buffer less its last byte (an object's "}"). */
static void
buf_gen_open(struct buf *b, yajl_gen g)
{
	const unsigned char *out;
	size_t len;

	yajl_gen_get_buf(g, &out, &len);
	buf_add(b, out, len - 1);
}

char *
manifest_fleet_json(const char *jobs_file, time_t started, time_t ended,
    int exit_status, const struct manifest_target *targets, size_t n,
    char *err, size_t errsz)
{
	yajl_alloc_funcs funcs;
	struct gen g = { NULL, yajl_gen_status_ok, "" };
	struct buf b;
	char *json = NULL;
	size_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += targets[i].exit_status == 0;
	xalloc_yajl_funcs(&funcs);
	buf_init(&b, 0);
	g.g = yajl_gen_alloc(&funcs);
	yajl_gen_config(g.g, yajl_gen_validate_utf8, 1);
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
	gen_close(&g, 1);
	if (g.st != yajl_gen_status_ok)
		goto bad;
	buf_gen_open(&b, g.g);
	buf_adds(&b, ",\"targets\":[");
	for (i = 0; i < n; i++) {
		/* {"target":NAME, then the target's own object's members
		 * (manifest_json's text, itself made by yajl_gen). */
		yajl_gen_clear(g.g);
		yajl_gen_reset(g.g, NULL);
		gen_open(&g, 1);
		gen_key(&g, "target");
		gen_str(&g, targets[i].name);
		if (targets[i].json == NULL) {
			gen_key(&g, "exit_status");
			gen_int(&g, targets[i].exit_status);
		}
		gen_close(&g, 1);
		if (g.st != yajl_gen_status_ok)
			goto bad;
		if (i > 0)
			buf_adds(&b, ",");
		if (targets[i].json == NULL) {
			const unsigned char *out;
			size_t len;

			yajl_gen_get_buf(g.g, &out, &len);
			buf_add(&b, out, len);
			continue;
		}
		buf_gen_open(&b, g.g);
		buf_adds(&b, ",");
		/* Past the object's "{", and without its "\n". */
		buf_add(&b, targets[i].json + 1, strlen(targets[i].json) - 1);
		while (b.len > 0 && b.data[b.len - 1] == '\n')
			b.len--;        /* its "}" closes ours */
	}
	buf_adds(&b, "]}\n");
	json = xmalloc(b.len + 1);
	memcpy(json, b.data, b.len);
	json[b.len] = '\0';
	goto out;
bad:
	errf(err, errsz, "manifest: the field %s is %s", g.key,
	    gen_status_text(g.st));
out:
	buf_free(&b);
	yajl_gen_free(g.g);
	return json;
}

/* Writes all of data to fd; 0 or -1 with errno. */
static int
write_all(int fd, const char *data, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, data, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += r;
		n -= (size_t)r;
	}
	return 0;
}

int
manifest_write(const char *path, const struct manifest_info *info, int mode,
    char *err, size_t errsz)
{
	char *json;
	int ret;

	if ((json = manifest_json(info, err, errsz)) == NULL)
		return -1;
	ret = manifest_write_text(path, json, mode, err, errsz);
	free(json);
	return ret;
}

int
manifest_write_text(const char *path, const char *json, int mode, char *err,
    size_t errsz)
{
	char *copy = NULL, *dir = NULL, *tmp = NULL;
	struct stat st;
	int fd = -1, dfd, ret = -1, created = 0, renamed = 0;

	if (mode == 0)
		mode = WRITER_MODE_DEFAULT;
	if (mode < 0 || mode > 0777) {
		errf(err, errsz, "%s: mode %s%#o is not a file permission "
		    "(0..0777)", path, mode < 0 ? "-" : "",
		    mode < 0 ? 0u - (unsigned)mode : (unsigned)mode);
		return -1;
	}
	if (strcmp(path, "-") == 0 || path[0] == '\0') {
		errf(err, errsz, "the manifest needs a file name, not \"%s\"",
		    path);
		return -1;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errf(err, errsz, "%s: is a directory", path);
		return -1;
	}
	copy = xstrdup(path);
	dir = xstrdup(dirname(copy));
	free(copy);
	copy = xstrdup(path);
	tmp = xasprintf("%s/.%s.XXXXXX", dir, basename(copy));
	/* mkostemp creates the file 0600; fchmod below gives the mode. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		errf(err, errsz, "%s: cannot create a temporary file in %s: %s",
		    path, dir, strerror(errno));
		goto out;
	}
	created = 1;
	if (write_all(fd, json, strlen(json)) < 0) {
		errf(err, errsz, "%s: write to the temporary file %s failed: %s",
		    path, tmp, strerror(errno));
		goto out;
	}
	if ((fstat(fd, &st) < 0 || (int)(st.st_mode & 07777) != mode) &&
	    fchmod(fd, (mode_t)mode) < 0) {
		errf(err, errsz, "%s: cannot set mode %04o on the temporary "
		    "file %s: %s", path, (unsigned)mode, tmp, strerror(errno));
		goto out;
	}
	if (fsync(fd) < 0) {
		errf(err, errsz, "%s: fsync of the temporary file %s failed: %s",
		    path, tmp, strerror(errno));
		goto out;
	}
	/* Linux releases the descriptor even when close fails. */
	if (close(fd) < 0) {
		fd = -1;
		errf(err, errsz, "%s: close of the temporary file %s failed: %s",
		    path, tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		errf(err, errsz, "%s: cannot rename the temporary file %s to it: "
		    "%s", path, tmp, strerror(errno));
		goto out;
	}
	renamed = 1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(dfd) < 0 && errno != EINVAL) {
			errf(err, errsz, "%s: published, but the fsync of its "
			    "directory %s failed, so the new name may not survive "
			    "a crash: %s", path, dir, strerror(errno));
			close(dfd);
			goto out;
		}
		close(dfd);
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (created && !renamed)
		unlink(tmp);
	free(copy);
	free(dir);
	free(tmp);
	return ret;
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
