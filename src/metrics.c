/*
 * metrics.c - the run's figures in the Prometheus text format (see
 * metrics.h).
 *
 * The text is made in memory (open_memstream), then handed to the writer,
 * whose publish is the output's: a temporary file beside FILE, renamed
 * over it.  Label values are escaped as the format asks (backslash, double
 * quote, newline) and made valid UTF-8 (a byte that is not becomes '?'),
 * which the format requires and a parser checks.  The previous file is
 * read back only for the last-success times; a series is found there by
 * the exact text of its name and labels, which this module wrote.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "writer.h"
#include "xalloc.h"

/* The largest previous file read back for its last-success times. */
#define METRICS_MAX_PREVIOUS (16 << 20)

#define METRICS_MODE 0644

struct metrics_target {
	char *labels;                   /* target="..."[,shard="I/N"] */
	struct export_figures f;
	enum exit_status st;
};

struct metrics {
	const char *path;               /* FILE, "-" for standard output */
	char *run_labels;               /* run="..." */
	double started;                 /* clock_now() at the start */
	struct metrics_target *t;       /* one per target */
	int n;
	char *previous;                 /* the file before this run, or NULL */
	char **lines;                   /* its last-success lines, sorted */
	size_t nlines;
};

/* The length of the valid UTF-8 sequence at p, or 0. */
static int
utf8_len(const unsigned char *p)
{
	int len, i;

	len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 2 :
	    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 4 : 0;
	for (i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates, past U+10FFFF. */
	if (len == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
	    (p[0] == 0xed && p[1] >= 0xa0)))
		return 0;
	if (len == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90)))
		return 0;
	return len;
}

/*
 * Appends s to f as a label value: escaped, and valid UTF-8 (an invalid
 * byte becomes '?').
 */
static void
metrics_value(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int len;

	while (*p != '\0') {
		if (*p == '\\' || *p == '"') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if ((len = utf8_len(p)) == 0) {
			fputc('?', f);
			p++;
		} else {
			fwrite(p, 1, (size_t)len, f);
			p += len;
		}
	}
}

/* open_memstream() failed: out of memory, as xalloc.c ends. */
static void
metrics_oom(void)
{
	log_error("out of memory");
	exit(exit_failure);
}

/* name="value", escaped, as a new string. */
static char *
metrics_label(const char *name, const char *value)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (f == NULL)
		metrics_oom();
	fprintf(f, "%s=\"", name);
	metrics_value(f, value);
	fputc('"', f);
	if (fclose(f) != 0)
		metrics_oom();
	return s;
}

/*
 * A single run's target label when none is given: the URL's host (and
 * port when it names one) and path, never its user, query or fragment.
 */
static char *
metrics_url_name(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *path = NULL, *name;

	if (u == NULL)
		metrics_oom();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("invalid-url");
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		path = NULL;
	name = xasprintf("%s%s%s%s", host, port != NULL ? ":" : "",
	    port != NULL ? port : "", path != NULL && strcmp(path, "/") != 0 ?
	    path : "");
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return name;
}

/* The labels of target t of a run with options o. */
static char *
metrics_target_labels(const struct options *o, const struct target *t)
{
	char *name, *label, *s, shard[64];

	if (t->name != NULL)
		name = xstrdup(t->name);
	else if (o->metrics_target != NULL)
		name = xstrdup(o->metrics_target);
	else
		name = metrics_url_name(t->url);
	label = metrics_label("target", name);
	free(name);
	if (t->shard_count == 0)
		return label;
	snprintf(shard, sizeof shard, "%lld/%lld", t->shard_index,
	    t->shard_count);
	name = metrics_label("shard", shard);
	s = xasprintf("%s,%s", label, name);
	free(label);
	free(name);
	return s;
}

/* run="BASE": FILE's name without .prom ("invdump" for standard output). */
static char *
metrics_run_labels(const char *path)
{
	char *copy = xstrdup(strcmp(path, "-") == 0 ? "invdump" : path);
	char *base = basename(copy), *label;
	size_t n;

	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".prom") == 0)
		base[n - 5] = '\0';
	label = metrics_label("run", base);
	free(copy);
	return label;
}

/* 0 when FILE can be written, else -1 after a message. */
static int
metrics_check(const char *path)
{
	char *copy, *dir;
	struct stat st;
	int rc = 0;

	if (strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("--metrics %s: is a directory; name a file in it, such "
		    "as %s/invdump.prom", path, path);
		return -1;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (access(dir, W_OK | X_OK) < 0) {
		log_error("--metrics %s: cannot write in %s (%s): create the "
		    "directory or let this user write there (node_exporter's "
		    "textfile collector directory, e.g. "
		    "/var/lib/prometheus/node-exporter); nothing was fetched",
		    path, dir, strerror(errno));
		rc = -1;
	}
	free(copy);
	return rc;
}

/* The previous file at path, NUL-terminated, or NULL. */
static char *
metrics_previous(const char *path)
{
	struct stat st;
	FILE *f;
	char *text;
	size_t n;

	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode) || st.st_size > METRICS_MAX_PREVIOUS)
		return NULL;
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	text = xmalloc((size_t)st.st_size + 1);
	n = fread(text, 1, (size_t)st.st_size, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The previous file's last-success lines, each NUL-terminated in place,
 * sorted: a run of thousands of targets finds each one's by bsearch.
 */
static void
metrics_index(struct metrics *m)
{
	char *line = m->previous, *end;
	size_t cap = 0;

	while (line != NULL && *line != '\0') {
		if ((end = strchr(line, '\n')) != NULL)
			*end++ = '\0';
		if (strncmp(line, "invdump_", 8) == 0 &&
		    strstr(line, "last_success_timestamp_seconds{") != NULL) {
			if (m->nlines == cap) {
				cap = cap == 0 ? 64 : 2 * cap;
				m->lines = xrealloc(m->lines, cap * sizeof *m->lines);
			}
			m->lines[m->nlines++] = line;
		}
		line = end;
	}
	if (m->nlines > 1)
		qsort(m->lines, m->nlines, sizeof *m->lines, line_cmp);
}

struct metrics *
metrics_new(const struct options *o, int *ok)
{
	struct metrics *m;
	int i;

	*ok = 1;
	if (o->metrics == NULL)
		return NULL;
	if (metrics_check(o->metrics) < 0) {
		*ok = 0;
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->path = o->metrics;
	m->started = clock_now();
	m->run_labels = metrics_run_labels(o->metrics);
	m->n = o->ntargets;
	m->t = xcalloc((size_t)m->n, sizeof *m->t);
	for (i = 0; i < m->n; i++) {
		m->t[i].labels = metrics_target_labels(o, &o->targets[i]);
		m->t[i].st = exit_interrupted;
	}
	m->previous = metrics_previous(o->metrics);
	metrics_index(m);
	return m;
}

void
metrics_note(struct metrics *m, int i, const struct export_figures *f,
    enum exit_status st)
{
	if (m == NULL || i < 0 || i >= m->n)
		return;
	m->t[i].f = *f;
	m->t[i].st = st;
}

/* bsearch: a line that starts with the key. */
static int
head_cmp(const void *key, const void *elt)
{
	const char *k = key;

	return strncmp(k, *(char *const *)elt, strlen(k));
}

/* The value the previous file gave name{labels}, or 0. */
static long long
metrics_carried(const struct metrics *m, const char *name,
    const char *labels)
{
	char *head = xasprintf("%s{%s} ", name, labels);
	char **line;
	long long v = 0;

	line = m->nlines == 0 ? NULL : bsearch(head, m->lines, m->nlines,
	    sizeof *m->lines, head_cmp);
	if (line != NULL)
		v = strtoll(*line + strlen(head), NULL, 10);
	free(head);
	return v;
}

/* A family's head: one HELP and one TYPE line. */
static void
metrics_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The families of one figure per target. */
enum metrics_figure {
	fig_items, fig_pages, fig_bytes, fig_requests, fig_retries,
	fig_throttles, fig_count
};

static const struct {
	const char *name;
	const char *help;
} metrics_figures[fig_count] = {
	{ "invdump_items", "Items (NDJSON lines) the target's last run "
	    "wrote." },
	{ "invdump_pages", "Pages the target's last run wrote." },
	{ "invdump_output_bytes", "Bytes the target's last run wrote, as "
	    "stored (compressed)." },
	{ "invdump_requests", "HTTP requests of the target's last run, "
	    "retries included." },
	{ "invdump_retries", "Requests of the target's last run that were "
	    "tried again." },
	{ "invdump_throttled_responses", "Responses of the target's last run "
	    "that asked it to slow down (429, 503 with Retry-After)." },
};

static long long
figure(const struct export_figures *f, enum metrics_figure k)
{
	switch (k) {
	case fig_items:
		return f->items;
	case fig_pages:
		return f->pages;
	case fig_bytes:
		return (long long)f->bytes;
	case fig_requests:
		return f->requests;
	case fig_retries:
		return f->retries;
	default:
		return f->throttles;
	}
}

/* Every target's families. */
static void
metrics_targets(FILE *f, const struct metrics *m, time_t now)
{
	const char *ls = "invdump_last_success_timestamp_seconds";
	enum metrics_figure k;
	int i;

	for (k = 0; k < fig_count; k++) {
		metrics_head(f, metrics_figures[k].name, metrics_figures[k].help);
		for (i = 0; i < m->n; i++)
			fprintf(f, "%s{%s} %lld\n", metrics_figures[k].name,
			    m->t[i].labels, figure(&m->t[i].f, k));
	}
	metrics_head(f, "invdump_duration_seconds", "Seconds the target's "
	    "last run took.");
	for (i = 0; i < m->n; i++)
		fprintf(f, "invdump_duration_seconds{%s} %.3f\n", m->t[i].labels,
		    m->t[i].f.seconds);
	metrics_head(f, "invdump_exit_status", "Exit status of the target's "
	    "last run (0 success; see invdump(1)).");
	for (i = 0; i < m->n; i++)
		fprintf(f, "invdump_exit_status{%s} %d\n", m->t[i].labels,
		    (int)m->t[i].st);
	metrics_head(f, ls, "Unix time the target last succeeded (0: never "
	    "at this metrics file).");
	for (i = 0; i < m->n; i++)
		fprintf(f, "%s{%s} %lld\n", ls, m->t[i].labels,
		    m->t[i].st == exit_ok ? (long long)(m->t[i].f.ended > 0 ?
		    m->t[i].f.ended : now) : metrics_carried(m, ls,
		    m->t[i].labels));
}

/* The run's families. */
static void
metrics_run(FILE *f, const struct metrics *m, enum exit_status st,
    time_t now)
{
	const char *ls = "invdump_run_last_success_timestamp_seconds";
	int i, failed = 0;

	for (i = 0; i < m->n; i++)
		failed += m->t[i].st != exit_ok;
	metrics_head(f, "invdump_run_targets", "Targets of the last run.");
	fprintf(f, "invdump_run_targets{%s} %d\n", m->run_labels, m->n);
	metrics_head(f, "invdump_run_targets_failed", "Targets of the last "
	    "run that did not succeed.");
	fprintf(f, "invdump_run_targets_failed{%s} %d\n", m->run_labels,
	    failed);
	metrics_head(f, "invdump_run_duration_seconds", "Seconds the last "
	    "run took.");
	fprintf(f, "invdump_run_duration_seconds{%s} %.3f\n", m->run_labels,
	    clock_now() - m->started);
	metrics_head(f, "invdump_run_exit_status", "Exit status of the last "
	    "run (0: every target succeeded; see invdump(1)).");
	fprintf(f, "invdump_run_exit_status{%s} %d\n", m->run_labels, (int)st);
	metrics_head(f, ls, "Unix time every target of a run last succeeded "
	    "(0: never at this metrics file).");
	fprintf(f, "%s{%s} %lld\n", ls, m->run_labels, st == exit_ok ?
	    (long long)now : metrics_carried(m, ls, m->run_labels));
}

/* The whole text, or NULL. */
static char *
metrics_text(struct metrics *m, enum exit_status st, enum exit_status stopped,
    size_t *len)
{
	time_t now = time(NULL);
	char *text = NULL;
	FILE *f;
	int i;

	for (i = 0; i < m->n; i++)
		if (m->t[i].st == exit_interrupted)
			m->t[i].st = stopped;
	if ((f = open_memstream(&text, len)) == NULL)
		metrics_oom();
	metrics_targets(f, m, now);
	metrics_run(f, m, st, now);
	if (fclose(f) != 0)
		metrics_oom();
	return text;
}

enum exit_status
metrics_write(struct metrics *m, enum exit_status st, enum exit_status stopped)
{
	char *text;
	size_t len = 0;
	int rc;

	if (m == NULL)
		return st;
	text = metrics_text(m, st, stopped, &len);
	rc = writer_put(m->path, text, len, METRICS_MODE);
	free(text);
	if (rc == 0)
		return st;
	log_error("--metrics %s: not written (see above); %s", m->path,
	    st == exit_ok ? "the export is published all the same; exit "
	    "status 6" : "the run's own exit status stands");
	return st == exit_ok ? exit_output : st;
}

void
metrics_free(struct metrics *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->t[i].labels);
	free(m->t);
	free(m->run_labels);
	free(m->previous);
	free(m->lines);
	free(m);
}
