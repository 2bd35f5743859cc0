/*
 * manifest.h - what a run did, as a JSON file beside its output.
 *
 * A manifest tells a warehouse loader or a nightly job which files a run
 * published (path, items, bytes, SHA-256), from what, when, and whether it
 * added up.  It is built with yajl_gen only and published by the writer,
 * like the output itself (writer.h: a temporary file beside it, its mode,
 * fsync, rename, the directory's fsync; the signal thread's clean-up covers
 * it).  Like the writer, it prints its own messages.
 *
 * The document, on one line ending in a newline (shown spread out here;
 * keys in this order; schema_version goes up when a key changes meaning or
 * goes away, not when one is added):
 *
 *   {
 *     "schema_version": 1,
 *     "invdump_version": "0.1.0",
 *     "source_url": "https://api.example.com/items?api_key=***",
 *     "profile": "drf",
 *     "started_at": "2026-11-30T18:45:48Z",      UTC, RFC 3339
 *     "ended_at": "2026-11-30T18:52:03Z",
 *     "total_at_start": 1037,                    null when unknown
 *     "total_at_end": 1037,
 *     "items_written": 1037,
 *     "pages": 11, "requests": 13, "retries": 2, "throttles": 1,
 *     "files": [ { "path": "inv-00000.ndjson.gz", "items": 1000,
 *                  "bytes": 53127, "sha256": "9f86d0..." }, ... ],
 *     "verified": true,
 *     "warnings": [ "..." ],
 *     "exit_status": 0,
 *     "shard": null,       or {"index":I,"count":N,"first_page":A,"last_page":B}
 *     "bookmark": {"field":"updated_at","before":null,"after":"2026-..."}
 *                          only with --bookmark: asked from (null: every
 *                          item), kept for the next run
 *     "error": null        or why it failed: "offset 300: GET ...: HTTP 503"
 *   }
 *
 * A run of many targets (--jobs with --manifest) has one manifest for all
 * of them, failed or not, each target's object as above (its "files"
 * empty unless published) with its section's name first:
 *
 *   { "schema_version": 1, "invdump_version": "0.1.0",
 *     "jobs_file": "fleet.ini", "started_at": ..., "ended_at": ...,
 *     "targets_total": 6, "targets_ok": 5, "exit_status": 1,
 *     "targets": [ { "target": "ltm@bigip1", "schema_version": 1, ... } ] }
 */
#ifndef INVDUMP_MANIFEST_H
#define INVDUMP_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "writer.h"

#define MANIFEST_SCHEMA_VERSION 1

struct manifest_shard {
	long long index;        /* this shard, 0..count-1 */
	long long count;
	long long first_page;   /* the pages it exported, both included */
	long long last_page;
};

/*
 * Filled by the caller; nothing in it is kept or freed.  Strings are UTF-8
 * (a string that is not makes manifest_write fail); a NULL string is
 * written as null.
 */
/* --expand: what the details came to. */
struct manifest_details {
	long long listed;               /* items of the listing */
	long long fetched;              /* detail requests that succeeded */
	long long failed;               /* ... that failed for good */
	long long items_failed;         /* items left out for it */
};

/* --bookmark: the value asked from and the one kept for the next run
 * (NULL: null); each a string or, when its flag is 0, a number's text. */
struct manifest_bookmark {
	const char *field;
	const char *before, *after;
	int before_string, after_string;
};

struct manifest_info {
	const char *source_url;         /* as given: credentials in it are
	                                   redacted by log_redact_url() */
	const char *profile;
	time_t started, ended;          /* (time_t)-1: null */
	long long total_start;          /* the total the API gave at the
	                                   start; < 0: unknown (null) */
	long long total_end;            /* at the re-read; < 0: null */
	long long items;                /* items written */
	long long pages, requests, retries, throttles;
	const struct writer_part *files;        /* writer_parts() */
	size_t nfiles;
	int verified;                   /* the count added up */
	const char *const *warnings;
	size_t nwarnings;
	int exit_status;
	const struct manifest_shard *shard;     /* NULL: null */
	const char *error;              /* NULL: null */
	const struct manifest_details *details; /* NULL: no "details" member
	                                           (no --expand) */
	const struct manifest_bookmark *bookmark; /* NULL: no "bookmark"
	                                           member (no --bookmark) */
};

/*
 * The manifest as a NUL-terminated JSON text ending in a newline, newly
 * allocated (the caller frees it), or NULL with a message in err.
 */
char *manifest_json(const struct manifest_info *info, char *err, size_t errsz);

/*
 * Publishes the manifest at path, mode (permission bits; 0 for 0600), all
 * or nothing, through the writer.  Returns 0, or -1 after a message naming
 * path (a field that is not UTF-8, or the writer's message); then nothing
 * was published, but when only the directory's fsync failed: the manifest
 * is in place and the message says so.
 */
int manifest_write(const char *path, const struct manifest_info *info,
    int mode);

/* One target of a run of many: its section's name and its manifest_json
 * text (NULL: the object is {"target": name, "exit_status": ...} alone). */
struct manifest_target {
	const char *name;
	const char *json;
	int exit_status;
};

/* The run's manifest of n targets, as manifest_json: the run's members,
 * then "targets", each target's name followed by the members of its own
 * manifest_json text (read back and written again by yajl_gen). */
char *manifest_fleet_json(const char *jobs_file, time_t started,
    time_t ended, int exit_status, const struct manifest_target *targets,
    size_t n, char *err, size_t errsz);

/* Writes a value read by yajl_tree into g again as it was (numbers as
 * their own text, nothing rounded); the first status that is not ok. */
yajl_gen_status manifest_gen_tree(yajl_gen g, yajl_val v);

/* Publishes text (a manifest) at path, as manifest_write. */
int manifest_publish(const char *path, const char *text, int mode);

/* t as "2026-11-30T18:45:48Z" (UTC) in buf; 0, or -1 when it cannot be. */
int manifest_time(time_t t, char *buf, size_t bufsz);

/*
 * What an earlier jobs run's manifest (at path, or as text) says each of n
 * targets found: pages[i] for names[i], its "pages" when that target
 * succeeded, else 0 (no such file, not a manifest, no such target, a
 * failed one).  A hint for asking pages early, never a promise: every page
 * is checked as always.  Reads at most 64 MiB; never fails.
 */
void manifest_known_pages(const char *path, const char *const *names,
    size_t n, long long *pages);
void manifest_known_pages_text(const char *text, const char *const *names,
    size_t n, long long *pages);

#endif
