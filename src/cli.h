/*
 * cli.h - the command line: getopt_long, --help, validation of every flag.
 *
 * cli_parse() fills struct options from argv (and, later, the environment)
 * and validates everything it can without touching the network, so that a
 * bad flag is reported before any request is made.  The options are
 * read-only once parsed and shared by every thread.  Every flag is a row
 * of one table in cli.c, from which getopt_long's options and --help are
 * both made.
 */
#ifndef INVDUMP_CLI_H
#define INVDUMP_CLI_H

#include <curl/curl.h>

#include "profile.h"
#include "session.h"

enum compress_mode { compress_auto, compress_gzip, compress_none };

/* --expand: templates (or relations) of one target, at most. */
#define TARGET_MAX_EXPAND 16

/*
 * One export: an API URL, how it pages, its credentials, where it goes.
 * A run of many targets is a list of these; everything a target does not
 * say comes from the run's options.
 */
struct target {
	const char *name;               /* a jobs file's section, or NULL */
	const char *url;
	const char *output;             /* "-" is stdout */
	int gzip;                       /* resolved from --compress and output */
	long limit;                     /* items per page */
	struct profile profile;         /* a copy of the table row, overridden */
	char *userpwd;                  /* "user:secret" or NULL */
	struct curl_slist *headers;     /* -H, in order */
	int netrc;                      /* use ~/.netrc (or netrc_file) */
	const char *netrc_file;
	struct curl_slist *allow_origins; /* --allow-origin, normalised */
	int no_total;                   /* probe ahead instead of a total */
	const char *key;                /* --key: de-duplicate by this field */
	int keep_mismatch;              /* publish even when it does not add up */
	int mode;                       /* of published files (0600) */
	long long split_items;          /* --split-items: 0 none */
	long long split_bytes;          /* --split-bytes: 0 none */
	long long s3_part_size;         /* --s3-part-size: 0 the default */
	long long s3_cutoff;            /* --s3-upload-cutoff: 0 the default */
	const char *manifest;           /* --manifest PATH, or NULL */
	int resume;                     /* --resume: continue from the journal */
	long long shard_index;          /* --shard I/N: I, 0-based ... */
	long long shard_count;          /* ... of N; 0: no sharding */
	const char *cacert;             /* --cacert FILE, or NULL */
	const char *capath;             /* --capath DIR, or NULL */
	const char *expand[TARGET_MAX_EXPAND]; /* --expand, as given */
	int nexpand;
	int expand_named;               /* ... in the NAME=TEMPLATE form */
	int expand_replace;             /* a relation may replace the item's
	                                   member of its NAME */
	struct session_conf session;    /* how it logs in (--session) */
	int cookies;                    /* --cookies: the run's cookie jar */
	const char *cookie_jar;         /* --cookie-jar FILE, or NULL */
	long long min_items;            /* --min-items: fewer fail; 0 none */
	long long max_drop;             /* --max-drop N, or P (percent) ... */
	int max_drop_pct;               /* ... when this is set */
	int max_drop_set;               /* --max-drop was given */
	const char *state;              /* --state FILE, or NULL */
	const char *bookmark;           /* --bookmark FIELD, or NULL */
	const char *since;              /* --since VALUE: the first bookmark */
	long long lookback;             /* --lookback, in seconds */
	int full;                       /* --full: ask for every item */
};

/* The run's settings, shared by every target and every thread. */
struct options {
	struct target *targets;         /* ntargets of them */
	int ntargets;
	struct jobs_file *jobs;         /* --jobs: the parsed file the targets'
	                                   strings point into, or NULL */
	const char *jobs_path;          /* --jobs FILE */
	const char *manifest;           /* with --jobs: the run's manifest */
	int manifest_mode;              /* ... its mode (--mode; 0: 0600) */
	const char *metrics;            /* --metrics FILE, or NULL */
	const char *metrics_target;     /* --metrics-target: one URL's label */
	int level;                      /* 1..9 */
	int s3_sse;                     /* --s3-sse: 0 none, 1 AES256, 2
	                                   aws:kms */
	const char *s3_kms_key;         /* --s3-sse-kms-key-id, or NULL */
	int s3_acl;                     /* --s3-acl: 0 none, 1
	                                   bucket-owner-full-control */
	int workers;                    /* 1..256: the run's concurrency */
	int per_host;                   /* requests at once to one host; 0:
	                                   no cap but --workers */
	long long window_bytes;         /* finished pages held for the writer */
	int hedge;                      /* ask a stalled page again (1) */
	long connect_timeout;           /* seconds */
	long max_time;                  /* whole run, seconds; 0: none */
	long speed_limit;               /* stall: below this many bytes/s ... */
	long speed_time;                /* ... for this many seconds */
	int retries;                    /* retries of one page */
	long retry_max_time;            /* seconds one page may keep retrying */
	double rate;                    /* requests/s ceiling; 0: none */
	long long max_body;             /* bytes of one response body */
	long long max_item;             /* bytes of one compact item */
	int max_depth;                  /* nesting of a body */
	long max_redirs;
	int insecure;
	int progress;                   /* enum progress_mode; -1: tty when
	                                   stderr is a terminal */
	int verbose;                    /* count of -v */
	int quiet;
};

enum cli_result {
	cli_run,        /* go on with the export */
	cli_exit_ok,    /* --help or --version was printed */
	cli_exit_usage  /* an error was printed */
};

/*
 * Fills *o from argv; messages go to stderr, --help and --version to
 * stdout.  The strings in *o point into argv, which must outlive it; the
 * secret of -u is masked ('*') in argv itself.  Whatever it returns, *o
 * is the caller's to release with cli_free().  May be called again (it
 * restarts getopt_long), but not from two threads at once.
 */
enum cli_result cli_parse(int argc, char **argv, struct options *o);
void cli_free(struct options *o);

#endif
