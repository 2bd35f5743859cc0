/*
 * state.c - the state file, its lock, the bookmark's way into the request
 * and back, and the run-to-run sanity limits (see state.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "log.h"
#include "manifest.h"
#include "state.h"
#include "thread.h"
#include "xalloc.h"

/* A state file or manifest is small; a larger file is not ours. */
#define STATE_MAX ((size_t)64 << 20)

void
state_entry_free(struct state_entry *e)
{
	free(e->field);
	free(e->bookmark);
	memset(e, 0, sizeof *e);
	e->items = e->items_full = -1;
}

/* A count member of an entry: its value, or -1 when it is not one. */
static long long
count_of(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	return v != NULL && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 ?
	    YAJL_GET_INTEGER(v) : -1;
}

/* The entry's members into e: 0, or -1 with why in err. */
static int
entry_read(yajl_val obj, struct state_entry *e, char *err, size_t errsz)
{
	static const char *fp[] = { "bookmark_field", NULL };
	static const char *bp[] = { "bookmark", NULL };
	yajl_val f = yajl_tree_get(obj, fp, yajl_t_any);
	yajl_val b = yajl_tree_get(obj, bp, yajl_t_any);

	if (!YAJL_IS_OBJECT(obj) || (f != NULL && !YAJL_IS_NULL(f) &&
	    !YAJL_IS_STRING(f)) || (b != NULL && !YAJL_IS_NULL(b) &&
	    !YAJL_IS_STRING(b) && !YAJL_IS_NUMBER(b))) {
		snprintf(err, errsz, "an entry is not an object of a "
		    "bookmark_field (string) and a bookmark (string or number)");
		return -1;
	}
	if (YAJL_IS_STRING(f))
		e->field = xstrdup(YAJL_GET_STRING(f));
	if (YAJL_IS_STRING(b)) {
		e->bookmark = xstrdup(YAJL_GET_STRING(b));
		e->bookmark_string = 1;
	} else if (YAJL_IS_NUMBER(b))
		e->bookmark = xstrdup(YAJL_GET_NUMBER(b));
	e->items = count_of(obj, "items");
	e->items_full = count_of(obj, "items_full");
	return 0;
}

int
state_read_text(const char *text, size_t len, const char *name,
    struct state_entry *e, char *err, size_t errsz)
{
	static const char *vp[] = { "schema_version", NULL };
	static const char *tp[] = { "targets", NULL };
	yajl_val root, v, targets;
	char perr[256];
	size_t i;
	int ret = 0;

	memset(e, 0, sizeof *e);
	e->items = e->items_full = -1;
	if (memchr(text, '\0', len) != NULL || text[len] != '\0') {
		snprintf(err, errsz, "not a state file (a NUL byte in it)");
		return -1;
	}
	if ((root = yajl_tree_parse(text, perr, sizeof perr)) == NULL) {
		snprintf(err, errsz, "not JSON: %.*s", (int)strcspn(perr, "\n"),
		    perr);
		return -1;
	}
	v = yajl_tree_get(root, vp, yajl_t_number);
	targets = yajl_tree_get(root, tp, yajl_t_object);
	if (v == NULL || !YAJL_IS_INTEGER(v) || targets == NULL) {
		snprintf(err, errsz, "not a state file (no schema_version and "
		    "targets)");
		ret = -1;
	} else if (YAJL_GET_INTEGER(v) != STATE_SCHEMA_VERSION) {
		snprintf(err, errsz, "schema_version %lld, which this invdump "
		    "does not know (it writes %d)", YAJL_GET_INTEGER(v),
		    STATE_SCHEMA_VERSION);
		ret = -1;
	}
	for (i = 0; ret == 0 && i < YAJL_GET_OBJECT(targets)->len; i++)
		if (strcmp(YAJL_GET_OBJECT(targets)->keys[i], name) == 0) {
			ret = entry_read(YAJL_GET_OBJECT(targets)->values[i], e,
			    err, errsz) < 0 ? -1 : 1;
			break;
		}
	yajl_tree_free(root);
	if (ret < 0)
		state_entry_free(e);
	return ret;
}

static void
gen_s(yajl_gen g, const char *s)
{
	if (s == NULL)
		yajl_gen_null(g);
	else
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
gen_count(yajl_gen g, const char *key, long long n)
{
	gen_s(g, key);
	if (n < 0)
		yajl_gen_null(g);
	else
		yajl_gen_integer(g, n);
}

/* One entry, as state.h shows it. */
static void
gen_entry(yajl_gen g, const struct state_entry *e)
{
	char now[32];

	yajl_gen_map_open(g);
	gen_s(g, "bookmark_field");
	gen_s(g, e->field);
	gen_s(g, "bookmark");
	if (e->bookmark != NULL && !e->bookmark_string)
		yajl_gen_number(g, e->bookmark, strlen(e->bookmark));
	else
		gen_s(g, e->bookmark);
	gen_count(g, "items", e->items);
	gen_count(g, "items_full", e->items_full);
	gen_s(g, "updated_at");
	gen_s(g, manifest_time(time(NULL), now, sizeof now) == 0 ? now : NULL);
	yajl_gen_map_close(g);
}

char *
state_text(const char *old, size_t oldlen, const char *name,
    const struct state_entry *e, char *err, size_t errsz)
{
	static const char *tp[] = { "targets", NULL };
	yajl_val root = NULL, targets = NULL;
	yajl_alloc_funcs funcs;
	const unsigned char *text;
	size_t len, i;
	char *out = NULL;
	struct state_entry seen;
	yajl_gen g;

	/* Only a state file's other targets are kept (state_begin refused
	 * to run on anything else). */
	if (old != NULL && state_read_text(old, oldlen, name, &seen, err,
	    errsz) >= 0 && (root = yajl_tree_parse(old, NULL, 0)) != NULL)
		targets = yajl_tree_get(root, tp, yajl_t_object);
	if (old != NULL)
		state_entry_free(&seen);
	xalloc_yajl_funcs(&funcs);
	g = yajl_gen_alloc(&funcs);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	yajl_gen_map_open(g);
	gen_s(g, "schema_version");
	yajl_gen_integer(g, STATE_SCHEMA_VERSION);
	gen_s(g, "targets");
	yajl_gen_map_open(g);
	for (i = 0; targets != NULL && i < YAJL_GET_OBJECT(targets)->len; i++)
		if (strcmp(YAJL_GET_OBJECT(targets)->keys[i], name) != 0) {
			gen_s(g, YAJL_GET_OBJECT(targets)->keys[i]);
			(void)manifest_gen_tree(g, YAJL_GET_OBJECT(targets)->values[i]);
		}
	gen_s(g, name);
	gen_entry(g, e);
	yajl_gen_map_close(g);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &text, &len) != yajl_gen_status_ok)
		snprintf(err, errsz, "a name or value is not UTF-8");
	else
		out = xasprintf("%.*s\n", (int)len, (const char *)text);
	yajl_gen_free(g);
	yajl_tree_free(root);
	return out;
}

long long
state_parse_duration(const char *s)
{
	long long x = 0, unit = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (LLONG_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
	case 's':
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (*p != '\0' && p[1] != '\0')
		return -1;
	return x > LLONG_MAX / unit / 1000 ? -1 : x * unit;
}

int
state_parse_drop(const char *s, long long *value, int *percent)
{
	const char *p = s;
	long long x = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (LLONG_MAX - 9) / 10)
			return -1;
		x = x * 10 + (*p - '0');
	}
	*percent = *p == '%';
	if ((*percent && (p[1] != '\0' || x > 100)) ||
	    (!*percent && *p != '\0'))
		return -1;
	*value = x;
	return 0;
}

int
state_check_target(const struct target *t, int have_manifest)
{
	const char *bad = NULL;

	if (t->bookmark == NULL && (t->since != NULL || t->lookback > 0 ||
	    t->full))
		bad = t->since != NULL ? "--since" : t->full ? "--full" :
		    "--lookback";
	if (bad != NULL) {
		log_error("%s: only with --bookmark FIELD (the field whose "
		    "values say what changed)", bad);
		return -1;
	}
	if (t->bookmark != NULL && t->state == NULL) {
		log_error("--bookmark: name a --state FILE, where the bookmark "
		    "is kept from one run to the next");
		return -1;
	}
	if (t->bookmark != NULL && (t->resume || t->shard_count > 0)) {
		log_error("--bookmark: not with %s (the largest value is that "
		    "of the items this process fetched)", t->resume ?
		    "--resume" : "--shard");
		return -1;
	}
	if (t->bookmark == NULL && strstr(t->url, "{since}") != NULL) {
		log_error("the URL has {since}: name the field it filters on "
		    "with --bookmark FIELD (and a --state FILE)");
		return -1;
	}
	if (t->bookmark != NULL && bookmark_filter_of(t) ==
	    bookmark_filter_none) {
		log_error("--bookmark: the %s profile has no filter invdump "
		    "knows: put {since} in the URL where the API takes the "
		    "value (?%s_gte={since} for json-server, ?%s__gte={since} "
		    "for django-filter)", t->profile.name, t->bookmark,
		    t->bookmark);
		return -1;
	}
	if (t->max_drop_set && t->state == NULL && !have_manifest) {
		log_error("--max-drop: the previous run's count comes from a "
		    "--state FILE or the previous --manifest: name one");
		return -1;
	}
	return 0;
}

/* The locks this process holds: a jobs run's targets that share a state
 * file share its lock (flock would refuse a second descriptor). */
struct state_lock {
	struct state_lock *next;
	char *path;                     /* FILE.lock */
	int fd;
	int refs;
	pthread_mutex_t write_lock;     /* one read-modify-write at a time */
};

static pthread_mutex_t locks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state_lock *locks;

/* FILE.lock, taken (or shared): NULL after a message. */
static struct state_lock *
lock_take(const char *state)
{
	char *path = xasprintf("%s.lock", state);
	struct state_lock *l;
	int fd;

	thread_lock(&locks_lock);
	for (l = locks; l != NULL && strcmp(l->path, path) != 0; l = l->next)
		;
	if (l != NULL) {
		l->refs++;
		goto out;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		log_error("%s: cannot open the state file's lock: %s (is its "
		    "directory there and writable?)", path, strerror(errno));
	else if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		log_error("%s: another run of this job holds the lock of %s "
		    "(%s): this run stops before any request; run it again "
		    "once that one has ended", path, state, errno ==
		    EWOULDBLOCK ? "locked" : strerror(errno));
		close(fd);
	} else {
		l = xcalloc(1, sizeof *l);
		l->path = path;
		l->fd = fd;
		l->refs = 1;
		thread_mutex_init(&l->write_lock);
		l->next = locks;
		locks = l;
		path = NULL;
	}
out:
	thread_unlock(&locks_lock);
	free(path);
	return l;
}

static void
lock_give(struct state_lock *l)
{
	struct state_lock **pp;

	if (l == NULL)
		return;
	thread_lock(&locks_lock);
	if (--l->refs == 0) {
		for (pp = &locks; *pp != l; pp = &(*pp)->next)
			;
		*pp = l->next;
		close(l->fd);   /* releases the flock */
		thread_mutex_destroy(&l->write_lock);
		free(l->path);
		free(l);
	}
	thread_unlock(&locks_lock);
}

/* A small file whole, NUL-terminated, into b: 1, 0 when it is not there,
 * -1 with why in err. */
static int
read_small(const char *path, struct buf *b, char *err, size_t errsz)
{
	char chunk[65536];
	ssize_t r;
	int fd;

	buf_init(b, STATE_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "cannot open it: %s", strerror(errno));
		return -1;
	}
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		if (buf_add(b, chunk, (size_t)r) < 0) {
			snprintf(err, errsz, "larger than %zu MiB", STATE_MAX >> 20);
			close(fd);
			return -1;
		}
	if (r < 0)
		snprintf(err, errsz, "cannot read it: %s", strerror(errno));
	close(fd);
	return r < 0 || buf_cstr(b) == NULL ? -1 : 1;
}

/* An object's member key, or NULL. */
static yajl_val
member(yajl_val obj, const char *key, yajl_type type)
{
	const char *path[] = { key, NULL };

	return obj != NULL ? yajl_tree_get(obj, path, type) : NULL;
}

/* What the previous manifest says this target wrote: a full run's
 * items_written when it succeeded, else -1. */
static long long
manifest_items(const char *text, const char *name, int fleet)
{
	yajl_val root, arr, obj = NULL, v, t;
	long long n = -1;
	size_t i;

	if ((root = yajl_tree_parse(text, NULL, 0)) == NULL)
		return -1;
	if (!fleet)
		obj = root;
	else if ((arr = member(root, "targets", yajl_t_array)) != NULL)
		for (i = 0; i < YAJL_GET_ARRAY(arr)->len; i++) {
			t = member(YAJL_GET_ARRAY(arr)->values[i], "target",
			    yajl_t_string);
			if (YAJL_IS_STRING(t) &&
			    strcmp(t->u.string, name) == 0)
				obj = YAJL_GET_ARRAY(arr)->values[i];
		}
	v = member(obj, "exit_status", yajl_t_number);
	t = member(member(obj, "bookmark", yajl_t_object), "before", yajl_t_any);
	if (v != NULL && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) == 0 &&
	    (t == NULL || YAJL_IS_NULL(t)))
		n = count_of(obj, "items_written");
	yajl_tree_free(root);
	return n;
}

/* The state file's entry (and the previous manifest's count): exit_ok, or
 * exit_output after a message. */
static enum exit_status
state_load(struct state_run *sr)
{
	const struct target *t = sr->t;
	char err[512];
	struct buf b;
	int r;

	sr->prev.items = sr->prev.items_full = sr->prev_items = -1;
	if (t->state != NULL) {
		if ((r = read_small(t->state, &b, err, sizeof err)) > 0 &&
		    (r = state_read_text(b.data, b.len, sr->name, &sr->prev,
		    err, sizeof err)) >= 0 && sr->prev.items_full >= 0) {
			sr->prev_items = sr->prev.items_full;
			snprintf(sr->prev_from, sizeof sr->prev_from, "the state "
			    "file");
			sr->prev_path = t->state;
		}
		buf_free(&b);
		if (r < 0) {
			log_error("%s: %s: the state file is left as it is and "
			    "nothing is asked; mend it, or remove it for a full "
			    "export", t->state, err);
			return exit_output;
		}
	}
	if (sr->prev_items < 0 && t->max_drop_set && sr->manifest != NULL) {
		if (read_small(sr->manifest, &b, err, sizeof err) > 0)
			sr->prev_items = manifest_items(b.data, sr->name,
			    sr->fleet_manifest);
		buf_free(&b);
		snprintf(sr->prev_from, sizeof sr->prev_from, "the manifest");
		sr->prev_path = sr->manifest;
	}
	return exit_ok;
}

/* The bookmark to ask from (sr->before), and the URL that asks: exit_ok,
 * or exit_usage after a message. */
static enum exit_status
state_url(struct state_run *sr, struct target *copy)
{
	const struct target *t = sr->t;
	struct bookmark_value from;
	char err[512];

	if (sr->prev.bookmark != NULL && sr->prev.field != NULL &&
	    strcmp(sr->prev.field, t->bookmark) != 0)
		log_warn("%s: the bookmark kept is of %s, not %s: a full "
		    "export", t->state, sr->prev.field, t->bookmark);
	else if (!t->full && sr->prev.bookmark != NULL) {
		sr->before = xstrdup(sr->prev.bookmark);
		sr->before_string = sr->prev.bookmark_string;
	}
	if (!t->full && sr->before == NULL && t->since != NULL) {
		sr->before = xstrdup(t->since);
		sr->before_string = 1;
	}
	if (sr->before != NULL) {
		bookmark_parse(sr->before, strlen(sr->before), sr->before_string,
		    &from);
		if (from.kind == bookmark_unusable) {
			log_error("%s: the bookmark \"%s\" is neither a time "
			    "(ISO 8601) nor a number: fix it, or use --full",
			    t->since != NULL && sr->prev.bookmark == NULL ?
			    "--since" : t->state, sr->before);
			return exit_usage;
		}
	}
	sr->url = bookmark_url(t, t->bookmark, sr->before != NULL ? &from :
	    NULL, t->lookback, err, sizeof err);
	if (sr->url == NULL) {
		log_error("--bookmark %s: %s", t->bookmark, err);
		return exit_usage;
	}
	sr->incremental = sr->before != NULL;
	copy->url = sr->url;
	return exit_ok;
}

enum exit_status
state_begin(struct state_run *sr, const char *manifest, int fleet_manifest,
    const struct target *t, struct target *copy)
{
	enum exit_status st;

	memset(sr, 0, sizeof *sr);
	*copy = *t;
	sr->t = t;
	sr->name = t->name != NULL ? t->name : "";
	sr->manifest = manifest;
	sr->fleet_manifest = fleet_manifest;
	sr->prev.items = sr->prev.items_full = sr->prev_items = -1;
	if (t->state == NULL && !t->max_drop_set)
		return exit_ok;
	if (t->state != NULL && (sr->lock = lock_take(t->state)) == NULL)
		return exit_output;
	if ((st = state_load(sr)) != exit_ok)
		return st;
	if (t->bookmark == NULL)
		return exit_ok;
	if ((st = state_url(sr, copy)) != exit_ok)
		return st;
	bookmark_max_init(&sr->mark, t->bookmark);
	sr->marking = 1;
	if (sr->incremental)
		log_info("%s: the items whose %s is at or after %s%s", t->state,
		    t->bookmark, sr->before, t->lookback > 0 ? " (less "
		    "--lookback)" : "");
	return exit_ok;
}

/* --min-items and --max-drop: exit_ok, or exit_mismatch after a message. */
static enum exit_status
state_limits(struct state_run *sr, long long items)
{
	const struct target *t = sr->t;
	long long drop = sr->prev_items - items;
	char out[512];

	/* Standard output has had the items already: nothing to hold back. */
	snprintf(out, sizeof out, strcmp(t->output, "-") == 0 ? "the items "
	    "went to standard output all the same" : "nothing was published "
	    "to %s", t->output);
	if (t->min_items > 0 && items < t->min_items) {
		log_error("%lld items, fewer than --min-items %lld: %s (a token "
		    "that lost a scope, a filter the API does not know, or a "
		    "real drop: look at the source before lowering the limit)",
		    items, t->min_items, out);
		sr->limited = "min-items";
		return exit_mismatch;
	}
	if (!t->max_drop_set || sr->incremental || sr->prev_items <= 0 ||
	    drop <= 0)
		return exit_ok;
	if (t->max_drop_pct ? (double)drop * 100.0 > (double)t->max_drop *
	    (double)sr->prev_items : drop > t->max_drop) {
		log_error("%lld items where the previous run had %lld (by %s "
		    "%s): %lld fewer (%.1f%%), more than --max-drop %lld%s; %s "
		    "(if the source did shrink, run once without --max-drop)",
		    items, sr->prev_items, sr->prev_from, sr->prev_path, drop,
		    100.0 * (double)drop / (double)sr->prev_items, t->max_drop,
		    t->max_drop_pct ? "%" : "", out);
		sr->limited = "max-drop";
		return exit_mismatch;
	}
	return exit_ok;
}

/* The bookmark to keep: the largest value seen, never below the one asked
 * from; exit_ok, or exit_protocol after a message. */
static enum exit_status
state_mark(struct state_run *sr, long long items)
{
	struct bookmark_max *m = &sr->mark;
	struct bookmark_value best, before;
	const char *field = sr->t->bookmark;

	if (m->missing + m->unusable > 0 && m->seen > 0)
		log_warn("--bookmark %s: %lld of %lld items had %s (e.g. "
		    "\"%s\"): the bookmark is the largest of the others",
		    field, m->missing + m->unusable, items, m->unusable > 0 ?
		    "a value that is not a time or number, or not of the "
		    "others' kind" : "none", m->example);
	if (m->seen == 0 && items > 0) {
		log_error("--bookmark %s: none of the %lld items has a time or "
		    "number there%s%s%s: is %s the API's name for it? Nothing "
		    "was published", field, items, m->example[0] ? " (e.g. \"" :
		    "", m->example, m->example[0] ? "\")" : "", field);
		return exit_protocol;
	}
	if (m->best == NULL) {
		sr->after = sr->before != NULL ? xstrdup(sr->before) : NULL;
		sr->after_string = sr->before_string;
		return exit_ok;
	}
	bookmark_parse(m->best, strlen(m->best), m->best_string, &best);
	if (sr->before != NULL)
		bookmark_parse(sr->before, strlen(sr->before),
		    sr->before_string, &before);
	if (sr->before != NULL && before.kind != best.kind) {
		log_error("--bookmark %s: the items' values (\"%s\") and the "
		    "bookmark kept (\"%s\") are not of one kind (a time and a "
		    "number): use --full", field, m->best, sr->before);
		return exit_protocol;
	}
	if (sr->before != NULL && sr->incremental &&
	    bookmark_cmp(&before, &best) > 0) {
		sr->after = xstrdup(sr->before);
		sr->after_string = sr->before_string;
	} else {
		sr->after = xstrdup(m->best);
		sr->after_string = m->best_string;
	}
	return exit_ok;
}

enum exit_status
state_judge(struct state_run *sr, long long items)
{
	enum exit_status st;

	if ((st = state_limits(sr, items)) != exit_ok)
		return st;
	return sr->marking ? state_mark(sr, items) : exit_ok;
}

int
state_commit(struct state_run *sr, long long items)
{
	const struct target *t = sr->t;
	struct state_entry e;
	char err[512];
	char *text = NULL;
	struct buf b;
	int r, ret = -1;

	if (t->state == NULL)
		return 0;
	memset(&e, 0, sizeof e);
	e.field = t->bookmark != NULL ? (char *)t->bookmark : sr->prev.field;
	e.bookmark = t->bookmark != NULL ? sr->after : sr->prev.bookmark;
	e.bookmark_string = t->bookmark != NULL ? sr->after_string :
	    sr->prev.bookmark_string;
	e.items = items;
	e.items_full = sr->incremental ? sr->prev.items_full : items;
	thread_lock(&sr->lock->write_lock);
	if ((r = read_small(t->state, &b, err, sizeof err)) >= 0)
		text = state_text(r > 0 ? b.data : NULL, b.len, sr->name, &e,
		    err, sizeof err);
	/* Published as the output is, through the writer. */
	if (text != NULL) {
		if (writer_put(t->state, text, strlen(text), 0600) == 0)
			ret = 0;
		else
			snprintf(err, sizeof err, "see the message above");
	}
	thread_unlock(&sr->lock->write_lock);
	if (ret < 0)
		log_error("%s: the state file was not written: %s (the export "
		    "is published; the next run asks from the bookmark kept "
		    "before, and may repeat items)", t->state, err);
	else if (t->bookmark != NULL)
		log_info("%s: the next run asks for %s at or after %s", t->state,
		    t->bookmark, e.bookmark != NULL ? e.bookmark : "(every item)");
	buf_free(&b);
	free(text);
	return ret;
}

const struct manifest_bookmark *
state_manifest(struct state_run *sr)
{
	if (sr == NULL || !sr->marking)
		return NULL;
	sr->shown.field = sr->t->bookmark;
	sr->shown.before = sr->before;
	sr->shown.before_string = sr->before_string;
	sr->shown.after = sr->after;
	sr->shown.after_string = sr->after_string;
	return &sr->shown;
}

void
state_end(struct state_run *sr)
{
	if (sr->marking)
		bookmark_max_free(&sr->mark);
	state_entry_free(&sr->prev);
	free(sr->url);
	free(sr->before);
	free(sr->after);
	lock_give(sr->lock);
	memset(sr, 0, sizeof *sr);
}
