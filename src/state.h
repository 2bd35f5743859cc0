/*
 * state.h - what one run of a target leaves for the next: the state file
 * (--state), its lock, the bookmark of an incremental export (--bookmark),
 * and the run-to-run sanity limits (--min-items, --max-drop).
 *
 * The state file is one JSON document for any number of targets (the
 * command line's is named "", a jobs file's by section), read with
 * yajl_tree, written with yajl_gen, published like a manifest (a
 * temporary file beside it, mode 0600, fsync, rename, fsync of the
 * directory) and only after the target's destination and manifest are
 * published: a failed run leaves it as it was.  One line, keys in this
 * order (shown spread out):
 *
 *   { "schema_version": 1,
 *     "targets": {
 *       "": { "bookmark_field": "updated_at",      or null
 *             "bookmark": "2026-12-01T10:00:05Z",  string or number; null
 *             "items": 1037,                       the last run's count
 *             "items_full": 5120,                  the last full run's; null
 *             "updated_at": "2026-12-01T10:02:11Z" } } }
 *
 * A run holds FILE.lock (flock, exclusive, never waited for) from before
 * its first request to its end: a second run of the same job fails at
 * once with exit status 6 and leaves everything alone.  The targets of one
 * jobs run that share a state file share its lock.
 */
#ifndef INVDUMP_STATE_H
#define INVDUMP_STATE_H

#include <stddef.h>

#include "bookmark.h"
#include "cli.h"
#include "manifest.h"
#include "status.h"

#define STATE_SCHEMA_VERSION 1

/* One target's entry. */
struct state_entry {
	char *field;                    /* bookmark_field, or NULL */
	char *bookmark;                 /* its text, or NULL */
	int bookmark_string;            /* a JSON string (else a number) */
	long long items;                /* -1: unknown */
	long long items_full;           /* -1: unknown */
};

void state_entry_free(struct state_entry *e);

/*
 * Reads target name's entry from a state file's text (len bytes): 1 when
 * it has one, 0 when it has none (e is then empty), -1 with why in err
 * when the text is not a state file.
 */
int state_read_text(const char *text, size_t len, const char *name,
    struct state_entry *e, char *err, size_t errsz);

/*
 * The state file's text with target name's entry set to e (every other
 * target's kept as it was in old, which may be NULL); newly allocated, or
 * NULL with why in err.
 */
char *state_text(const char *old, size_t oldlen, const char *name,
    const struct state_entry *e, char *err, size_t errsz);

/* --lookback: 90, 90s, 10m, 2h, 1d as seconds; -1 when not one. */
long long state_parse_duration(const char *s);
/* --max-drop: N or P%: 0, or -1. */
int state_parse_drop(const char *s, long long *value, int *percent);

/* The options that do not go together, for cli.c (have_manifest: the
 * target has a manifest, its own or its jobs run's): 0, or -1 after a
 * message. */
int state_check_target(const struct target *t, int have_manifest);

/* One run's side of it, for export.c. */
struct state_lock;
struct state_run {
	const struct target *t;
	const char *name;               /* the entry's: t->name, or "" */
	const char *manifest;           /* the previous manifest to read */
	int fleet_manifest;             /* ... a jobs run's */
	struct state_lock *lock;
	struct state_entry prev;        /* what the state file said */
	long long prev_items;           /* the last full run's count; -1 */
	char prev_from[64];             /* where it comes from ... */
	const char *prev_path;          /* ... and that file's path */
	int incremental;                /* the URL asks from a bookmark */
	const char *limited;            /* the limit the run failed
	                                   ("min-items", "max-drop"), or NULL */
	char *url;                      /* the URL asked */
	char *before;                   /* the bookmark asked from, or NULL */
	int before_string;
	int marking;                    /* mark is kept (--bookmark) */
	struct bookmark_max mark;       /* the largest value seen */
	char *after;                    /* the bookmark to keep, or NULL */
	int after_string;
	struct manifest_bookmark shown; /* state_manifest's */
};

/*
 * Before the first request: takes the lock, reads the state (and the
 * previous manifest for --max-drop), and makes *copy, t with the URL that
 * asks from the bookmark.  exit_ok, or the run's status after a message
 * (6: locked or unreadable; 2: a bookmark the URL cannot take).  o gives
 * a jobs run's manifest.  state_end is due either way.
 */
enum exit_status state_begin(struct state_run *sr, const char *manifest,
    int fleet_manifest, const struct target *t, struct target *copy);

/* Once the export adds up, before anything is published: the sanity
 * limits and the bookmark to keep; exit_ok, or exit_mismatch (3) /
 * exit_protocol (7) after a message naming the numbers. */
enum exit_status state_judge(struct state_run *sr, long long items);

/* After the destination (and manifest) are published: the state file;
 * 0, or -1 after a message. */
int state_commit(struct state_run *sr, long long items);

/* What the manifest says of the bookmark, or NULL without one. */
const struct manifest_bookmark *state_manifest(struct state_run *sr);

/* Releases the lock and frees sr (safe after a failed state_begin). */
void state_end(struct state_run *sr);

#endif
