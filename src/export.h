/*
 * export.h - one export run: open the output, fetch the first page, read
 * the total, plan the pages, run the pool, verify the count, publish.
 */
#ifndef INVDUMP_EXPORT_H
#define INVDUMP_EXPORT_H

#include <stdatomic.h>
#include <time.h>

#include "cli.h"
#include "host.h"
#include "status.h"

/* What *stop holds when the run stops itself: one page failed for good,
 * and every other transfer must end at once. */
#define STOP_FAILED (-2)

/* One export's figures, as its summary line gives them (for --metrics). */
struct export_figures {
	long long items;        /* lines written (--expand: the details') */
	long long pages;        /* pages written */
	unsigned long long bytes; /* bytes written, as stored */
	long long requests;     /* every request, retries included */
	long long retries;
	long long throttles;
	double seconds;         /* how long it ran */
	time_t ended;           /* when it ended */
};

/* What became of one export, for a run of many (fleet.c) and --metrics. */
struct export_outcome {
	char *manifest;         /* this target's manifest as a JSON object
	                           (manifest_json), published or not; the
	                           caller frees it; NULL if it could not be
	                           made */
	struct export_figures figures;
};

/* What a run of many knows of a target before it starts. */
struct export_hint {
	long long pages;        /* the pages an earlier run of it found (the
	                           run's previous manifest); 0: unknown */
	struct session *session; /* its login, shared with other targets
	                           (sessions_of); NULL: the export makes its
	                           own if the target logs in */
};

/*
 * Runs the export of target t with the run's settings o; its pools'
 * helpers come from crew, the run's threads (crew.h).  hosts is the
 * run's (shared by the exports of a fleet), or NULL for one of its own;
 * hint is NULL, or what the fleet knows of t.
 * *stop holds the number of a signal that asked to stop (0 while none
 * did); the run itself stores STOP_FAILED there (only over 0) when it
 * fails.  out (or NULL) receives what became of it.  Returns the exit
 * status.
 */
struct crew;
enum exit_status export_run(const struct options *o, const struct target *t,
    struct crew *crew, struct hosts *hosts, const struct export_hint *hint,
    atomic_int *stop, struct export_outcome *out);

#endif
