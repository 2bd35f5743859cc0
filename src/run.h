/*
 * run.h - what the modules of one export run share (export.c, emit.c,
 * check.c, cursor.c, resume.c, expand.c, fail.c); internal: nothing outside
 * them includes it.
 *
 * struct export is the run's state.  The export's own thread owns it (the
 * main thread, a crew thread running the target with --jobs, the crew
 * thread running the listing with --expand); workers read o, t, plan, first_hash and has_first
 * (written before the pool starts), add to the atomic counters, and report
 * a failure through fail_run (fail.h: fail_lock); the emitter fields are that
 * thread's alone.
 */
#ifndef INVDUMP_RUN_H
#define INVDUMP_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "expand.h"
#include "fetch.h"
#include "pack.h"
#include "hashset.h"
#include "journal.h"
#include "log.h"
#include "plan.h"
#include "pool.h"
#include "progress.h"
#include "status.h"
#include "writer.h"

#define MAX_PAGE_BYTES ((size_t)1 << 30)   /* one page's NDJSON */

struct export {
	const struct options *o;
	const struct target *t;
	struct fetch_run run;
	struct crew *crew;              /* the run's threads (crew.h) */
	struct session *own_session;    /* made and ended by this export */
	struct http_jar *own_jar;       /* its cookie jar, when not its
	                                   session's */
	struct writer *w;
	atomic_int *stop;               /* a signal's number, or STOP_FAILED */
	char *origin;                   /* the user's URL's origin */
	struct plan plan;               /* total, pages, page size */
	long long npages;               /* pages planned, or POOL_NO_END */
	long long first_page, end_page; /* this run's pages: [first, end), all
	                                   of them but with --shard */
	long long expect_items;         /* items due in them; -1: unknown */
	long long total_end;            /* the total re-read at the end; -1 */
	time_t started;
	long long items;                /* items written */
	long long pages_written;        /* pages emitted */
	unsigned long long bytes;       /* bytes written, kept for the summary */
	long long duplicates;           /* dropped by --key */
	long long repeats;              /* pages starting with an item of the
	                                   page before (emitter's) */
	int has_first;                  /* first_hash is page 0's first item */
	uint64_t first_hash;
	struct buf prev_hashes;         /* the last page emitted, its items'
	                                   hashes (emitter's) */
	atomic_llong short_pages;       /* pages with fewer items than due */
	atomic_llong long_pages;        /* last pages with more than due */
	int closed;                     /* stdout's reader went away */
	struct progress progress;       /* this thread's alone */
	int recheck;                    /* job end_page reads the total again
	                                   (not in the first-round plan: pages
	                                   carry the total, or export_totals
	                                   reads it after the pool) */
	int mismatch;                   /* report it in the exit status; set
	                                   by page 0's worker before pool_run
	                                   joins it, or by this thread */

	/* --key: the emitter filters, then compresses. */
	struct packer *pk;              /* --key: packs what the emitter keeps */
	struct buf filtered;
	struct hashset prev, cur;       /* keys of the page before, this one */

	/* --resume (resume.c): the journal, and what it said at the start. */
	char *jpath;
	struct journal *journal;
	struct journal_state rs;
	int resuming;                   /* rs holds a run to take up */
	double last_checkpoint;
	char *cursor_next;              /* the cursor plan's next page */
	long long last_seq;             /* the last page written; -1: none */

	/* What the manifest lists as warnings (fail_lock). */
	char *warnings[32];
	int nwarnings;

	/* One target of many (--jobs): page 0 alone first, nothing asked
	 * early; fetchers made only for the pages left after page 0
	 * (export_fetchers), whose helpers are the run's crew's. */
	int fleet;
	atomic_int ended;               /* a page ended the run (short, empty) */
	long long known_pages;          /* pages an earlier run found; 0 */

	/* The first round (export.c): pages 1..spec asked together with page
	 * 0, before it says the total; every other page waits for it. */
	int first_in_pool;              /* page 0 is the pool's first job
	                                   (neither --shard nor --resume) */
	atomic_int gate;                /* 0: page 0 pending; 1: planned
	                                   (plan, npages, first_hash and the
	                                   rest are written); -1: failed */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int page0_out;                  /* its request is out (gate_lock) */
	long long spec;                 /* last page asked early; 0: none */
	enum exit_status first_status;  /* page 0's failure, said already */
	atomic_long spec_past_end;      /* early requests past the end */
	atomic_long spec_resized;       /* ... asked with a clamped size */

	/* The totals later pages carried (under fail_lock): the latest one
	 * that differs from page 0's, by page number. */
	atomic_llong totals_seen;
	long long changed_seq;          /* -1: none differed */
	long long seen_seq, seen_total; /* the last page (by number) that
	                                   carried the total, and that total */
	long long changed_total, changed_pages;

	/* --expand: the details (expand.c), or NULL. */
	struct expand *xp;

	/* --state, --bookmark, the sanity limits (state.c). */
	struct state_run *state;

	/* The first failure of a worker, reported once by this thread. */
	pthread_mutex_t fail_lock;
	enum exit_status fail_status;
	char fail_msg[1024];
	int published;                  /* the files are in place */
	struct hosts_member member;     /* its share of the run's requests */
	struct log_first first_error;   /* what the manifest's "error" says
	                                   when fail_msg does not */
};

struct worker_ctx {
	struct export *ex;
	struct fetcher *f;
};

/* emit.c: writes page seq (in order; the pool's emit callback). */
int emit_page(void *ex, long long seq, struct pool_page *page);

/* check.c: what every page must be (see doc/DESIGN.md, "Checks"). */
int check_page(const struct export *ex, long long seq, long long offset,
    const struct pool_page *page, char *msg, size_t msgsz);
int check_next_link(const struct export *ex, const struct fetch_info *info);
char *check_resolve_url(const char *from, const char *next);
/* Is a page of n items, job seq at offset, the end of a planned or probed
 * run?  A page shorter or longer than due is a warning kept for the
 * manifest. */
enum pool_work check_end(struct export *ex, long long seq, long long offset,
    long long n);

/* page0.c: page 0 into page, its checks, the plan for nworkers workers
 * and where it ends; its failures are said there. */
enum exit_status page0_fetch(struct export *ex, struct fetcher *f,
    struct pool_page *page, int nworkers);

/* work.c: the pool's callbacks for an export's pages (work, emit,
 * started). */
extern const struct pool_ops work_ops;
/* What the totals of the pages after page 0 said; without any, the total
 * is read again now (f: a fetcher no worker uses any more). */
void work_totals(struct export *ex, struct fetcher *f);

/* finish.c: publishes, or not, what the run's findings (and st) allow;
 * the run's exit status. */
struct export_outcome;
enum exit_status finish_run(struct export *ex, enum exit_status st);
/* --cookie-jar: the target's cookies written whatever the run came to;
 * st, or exit_output when only that failed. */
enum exit_status finish_cookie_jar(struct export *ex, enum exit_status st);
/* The one line at the end of every run (not with -q). */
void finish_summary(struct export *ex, enum exit_status st);
/* For a run of many: the target's manifest object, published or not. */
void finish_outcome(struct export *ex, enum exit_status st,
    struct export_outcome *out);

/* resume.c: the journal (see the top of resume.c). */
int resume_wanted(const struct export *ex);
/* Before the writer opens: reads the journal; may fill wopts' resume_*. */
enum exit_status resume_open(struct export *ex, struct writer_opts *wopts);
/* Once the total and page size are known: starts or reopens the journal. */
enum exit_status resume_start(struct export *ex, long long total,
    long page_size);
/* The first page a resumed run still needs (0: all), with the run's counts
 * and hashes restored. */
long long resume_next_page(struct export *ex);
/* A checkpoint after page seq, if one is due (or force): 0 or -1. */
int resume_checkpoint(struct export *ex, long long seq, const char *next,
    int force);
/* A failed --resume run keeps its file and journal for the next: 1 if. */
int resume_keep(struct export *ex, enum exit_status st);
void resume_close(struct export *ex);

/* cursor.c: the cursor plan. */
enum exit_status cursor_run(struct export *ex, struct fetcher *f);

#endif
