/*
 * writer.c - every byte that leaves the process, over a sink (see writer.h
 * and sink.h).
 *
 * The writer counts the bytes and items of each part, takes its SHA-256,
 * decides at page ends where a split output's parts end and names them;
 * the sink (a file, split parts in a directory, standard output, S3)
 * stores the bytes and publishes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "digest.h"
#include "log.h"
#include "sink.h"
#include "tempfile.h"
#include "writer.h"
#include "xalloc.h"

struct writer {
	struct sink *sink;
	int split;
	int between;            /* split: the last part was cut; the next
	                           write begins another */
	int done;               /* writer_publish was called */
	int published;          /* the files are in place */
	unsigned long long split_items, split_bytes;
	char *path;             /* destination */
	char *stem, *ext;       /* split: part i is stem-%05zu ext */
	struct writer_part *parts;      /* parts[nparts - 1]: the current */
	size_t nparts, cap;
	struct digest *dg;      /* of the current part */
	unsigned long long bytes;
};

/* Set before any thread starts, read-only after (see writer_s3_set). */
static struct writer_s3 s3_settings;

void
writer_s3_set(const struct writer_s3 *s)
{
	s3_settings = *s;
}

enum writer_emergency
writer_emergency_unlink(void)
{
	return slot_sweep();
}

static void
writer_free(struct writer *w)
{
	size_t i;

	for (i = 0; i < w->nparts; i++)
		free(w->parts[i].path);
	free(w->parts);
	digest_free(w->dg);
	free(w->path);
	free(w->stem);
	free(w->ext);
	free(w);
}

/* Appends a part named path (taken); its digest starts over. */
static enum writer_status
part_add(struct writer *w, char *path)
{
	struct writer_part *p;

	if (w->nparts == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4;
		w->parts = xrealloc(w->parts, w->cap * sizeof *w->parts);
	}
	p = &w->parts[w->nparts++];
	memset(p, 0, sizeof *p);
	p->path = path;
	if (digest_reset(w->dg) < 0) {
		log_error("%s: SHA-256 cannot be started (libcrypto)", path);
		return writer_error;
	}
	return writer_ok;
}

static const char *const split_exts[] = {
	".ndjson.gz", ".ndjson", ".jsonl.gz", ".jsonl", ".json.gz", ".gz"
};

/* Splits path into stem and extension (see writer.h). */
static void
split_name(struct writer *w)
{
	const char *base = strrchr(w->path, '/');
	size_t len = strlen(w->path), blen, elen, i;

	base = base != NULL ? base + 1 : w->path;
	blen = strlen(base);
	for (i = 0; i < sizeof split_exts / sizeof split_exts[0]; i++) {
		elen = strlen(split_exts[i]);
		if (blen > elen &&
		    strcmp(base + blen - elen, split_exts[i]) == 0) {
			w->stem = xstrndup(w->path, len - elen);
			w->ext = xstrdup(split_exts[i]);
			return;
		}
	}
	w->stem = xstrdup(w->path);
	w->ext = xstrdup("");
}

static char *
part_name(const struct writer *w, size_t i)
{
	return xasprintf("%s-%05zu%s", w->stem, i, w->ext);
}

/* The options' mode and split settings; -1 after a message. */
static int
take_opts(struct writer *w, const struct writer_opts *opts, int *mode)
{
	*mode = WRITER_MODE_DEFAULT;
	if (opts == NULL)
		return 0;
	if (opts->mode < 0 || opts->mode > 0777) {
		log_error("%s: mode %s%#o is not a file permission (0..0777)",
		    w->path, opts->mode < 0 ? "-" : "", opts->mode < 0 ?
		    0u - (unsigned)opts->mode : (unsigned)opts->mode);
		return -1;
	}
	if (opts->mode != 0)
		*mode = opts->mode;
	w->split_items = opts->split_items;
	w->split_bytes = opts->split_bytes;
	w->split = w->split_items > 0 || w->split_bytes > 0;
	return 0;
}

/* Standard output, or a device or FIFO: written in place, never split. */
static struct sink *
open_direct(struct writer *w, const char *path)
{
	if (w->split) {
		if (strcmp(path, "-") == 0)
			log_error("standard output cannot be split into files");
		else
			log_error("%s: is not a regular file: it cannot be split "
			    "into files", path);
		return NULL;
	}
	return sink_stdout_open(path);
}

/* An S3 object, or a split output's objects. */
static struct sink *
open_s3(struct writer *w, const char *path, const struct writer_opts *opts)
{
	size_t psize = opts != NULL && opts->s3_part_size > 0 ?
	    (size_t)opts->s3_part_size : S3_PART_DEFAULT;
	char *p0 = xstrdup(path);
	struct sink *s;

	if (opts != NULL && opts->resume_tmp != NULL) {
		log_error("%s: an upload cannot be resumed (--resume writes to "
		    "local files only)", path);
		free(p0);
		return NULL;
	}
	if (w->split) {
		split_name(w);
		free(p0);
		p0 = part_name(w, 0);
	}
	if ((s = sink_s3_open(path, p0, w->split, psize, opts != NULL ?
	    (size_t)opts->s3_cutoff : 0, &s3_settings,
	    opts != NULL ? opts->refused : NULL)) == NULL)
		free(p0);
	else
		part_add(w, p0);
	return s;
}

/* The sink path asks for, its first part named in w. */
static struct sink *
open_sink(struct writer *w, const char *path, const struct writer_opts *opts,
    int mode)
{
	struct stat st;
	struct sink *s;
	char *p0;

	if (strncmp(path, "s3://", 5) == 0)
		return open_s3(w, path, opts);
	if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 &&
	    !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		if ((s = open_direct(w, path)) != NULL)
			part_add(w, xstrdup(path));
		return s;
	}
	if (w->split) {
		split_name(w);
		p0 = part_name(w, 0);
		if ((s = sink_split_open(path, p0, mode)) == NULL)
			free(p0);
		else
			part_add(w, p0);
		return s;
	}
	if (opts != NULL && opts->resume_tmp != NULL) {
		s = sink_file_resume(path, mode, opts->resume_tmp,
		    opts->resume_bytes, w->dg);
		if (s != NULL) {
			w->nparts = 0;
			w->parts = xcalloc(1, sizeof *w->parts);
			w->cap = w->nparts = 1;
			w->parts[0].path = xstrdup(path);
			w->parts[0].bytes = w->bytes = opts->resume_bytes;
			w->parts[0].items = opts->resume_items;
		}
		return s;
	}
	if ((s = sink_file_open(path, mode)) != NULL)
		part_add(w, xstrdup(path));
	return s;
}

struct writer *
writer_open_opts(const char *path, const struct writer_opts *opts)
{
	struct writer *w = xcalloc(1, sizeof *w);
	int mode;

	w->path = xstrdup(strcmp(path, "-") == 0 ? "standard output" : path);
	w->dg = digest_new();
	if (take_opts(w, opts, &mode) < 0 ||
	    (w->sink = open_sink(w, path, opts, mode)) == NULL) {
		writer_free(w);
		return NULL;
	}
	/* A part whose digest could not start: nothing can be trusted. */
	if (w->nparts == 0 || (w->bytes == 0 && digest_reset(w->dg) < 0)) {
		log_error("%s: SHA-256 cannot be started (libcrypto)", path);
		writer_abort(w);
		return NULL;
	}
	return w;
}

int
writer_local(const char *path)
{
	return strcmp(path, "-") != 0 && strncmp(path, "s3://", 5) != 0;
}

struct writer *
writer_open(const char *path)
{
	return writer_open_opts(path, NULL);
}

/* A split output's next part, at its first write after a cut. */
static enum writer_status
part_next(struct writer *w)
{
	char *name = part_name(w, w->nparts);

	if (w->sink->ops->begin(w->sink, name) != writer_ok) {
		free(name);
		return writer_error;
	}
	w->between = 0;
	return part_add(w, name);
}

enum writer_status
writer_write(struct writer *w, const void *data, size_t n)
{
	struct writer_part *part;
	enum writer_status st;

	if (n == 0)
		return writer_ok;
	if (w->done) {
		log_error("%s: written to after its publication", w->path);
		return writer_error;
	}
	if (w->between && part_next(w) != writer_ok)
		return writer_error;
	part = &w->parts[w->nparts - 1];
	if (digest_update(w->dg, data, n) < 0) {
		log_error("%s: SHA-256 failed (libcrypto)", part->path);
		return writer_error;
	}
	if ((st = w->sink->ops->write(w->sink, data, n)) != writer_ok)
		return st;
	part->bytes += n;
	w->bytes += n;
	return writer_ok;
}

/* The current part's SHA-256, once it has all its bytes. */
static enum writer_status
part_digest(struct writer *w)
{
	struct writer_part *part = &w->parts[w->nparts - 1];

	if (digest_final(w->dg, part->sha256) < 0) {
		log_error("%s: SHA-256 failed (libcrypto)", part->path);
		return writer_error;
	}
	return writer_ok;
}

enum writer_status
writer_page_end(struct writer *w, unsigned long long items)
{
	struct writer_part *part;
	int cut;

	if (w->done) {
		log_error("%s: written to after its publication", w->path);
		return writer_error;
	}
	if (w->between && items > 0 && part_next(w) != writer_ok)
		return writer_error;
	part = &w->parts[w->nparts - 1];
	part->items += items;
	if (!w->split || w->between)
		return w->sink->ops->page_end(w->sink, 0);
	cut = (w->split_items > 0 && part->items >= w->split_items) ||
	    (w->split_bytes > 0 && part->bytes >= w->split_bytes);
	if (!cut)
		return w->sink->ops->page_end(w->sink, 0);
	w->between = 1;
	if (part_digest(w) != writer_ok) {
		w->sink->ops->page_end(w->sink, 1);
		return writer_error;
	}
	return w->sink->ops->page_end(w->sink, 1);
}

/* Each part's ETag, from a sink that has them. */
static void
take_etags(struct writer *w)
{
	const char *e;
	size_t i;

	for (i = 0; i < w->nparts && w->sink->ops->etag != NULL; i++)
		if ((e = w->sink->ops->etag(w->sink, i)) != NULL)
			snprintf(w->parts[i].etag, sizeof w->parts[i].etag,
			    "%s", e);
}

enum writer_status
writer_publish(struct writer *w)
{
	enum writer_status st;

	if (w->done) {
		log_error("%s: published twice", w->path);
		return writer_error;
	}
	w->done = 1;
	if (!w->between && part_digest(w) != writer_ok)
		return writer_error;    /* writer_abort removes it all */
	w->sink->sha256 = w->parts[w->nparts - 1].sha256;
	st = w->sink->ops->publish(w->sink);
	w->published = w->sink->placed;
	if (w->published)
		take_etags(w);
	return st;
}

enum writer_status
writer_commit(struct writer *w)
{
	enum writer_status st = writer_publish(w);

	writer_abort(w);
	return st;
}

void
writer_abort(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->sink != NULL)
		w->sink->ops->abandon(w->sink, 0);
	writer_free(w);
}

int
writer_put(const char *path, const void *data, size_t n, int mode)
{
	struct writer_opts opts = { 0 };
	struct writer *w;
	enum writer_status st;

	opts.mode = mode;
	if ((w = writer_open_opts(path, &opts)) == NULL)
		return -1;
	st = writer_write(w, data, n);
	if (st == writer_ok)
		st = writer_page_end(w, 0);
	if (st == writer_ok)
		st = writer_publish(w);
	writer_abort(w);
	return st == writer_ok ? 0 : -1;
}

void
writer_leave(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->sink != NULL)
		w->sink->ops->abandon(w->sink, 1);
	writer_free(w);
}

const char *
writer_temp_path(const struct writer *w)
{
	return w->sink->ops->temp_path(w->sink);
}

int
writer_sync(struct writer *w)
{
	return w->sink->ops->sync(w->sink);
}

unsigned long long
writer_bytes(const struct writer *w)
{
	return w->bytes;
}

const struct writer_part *
writer_parts(const struct writer *w, size_t *n)
{
	if (!w->published) {
		*n = 0;
		return NULL;
	}
	*n = w->nparts;
	return w->parts;
}
