/*
 * fleet.c - many targets in one run (see fleet.h).
 *
 * The targets run as tasks of the run's crew (crew.h), at most L at once:
 * L = min(targets, W + 1), the crew's W threads and the main thread, which
 * runs queued tasks too while it waits for the run to end (or (W + 1) / 2
 * when a target has --expand, whose listing is a task of its own).  A
 * target's task takes a target not yet begun (fleet_pick: a slow host's
 * first, else one call to every host before a second to any), runs its
 * export, and queues itself again for the next.  An export runs page 0 on
 * its own thread, nothing asked early (a one-page list or an object costs
 * one request, a dead appliance only its own tries), then its pool for
 * the pages left, whose helpers are crew tasks like any other: a pool
 * whose helpers are not free works its pages on its own thread
 * (pool.c).  So the run's threads are the crew's W, main and the signal
 * thread, whatever the number of targets.  The run's hosts (host.h) let no
 * more than --workers requests be in flight in all, and no export more than
 * its share of them (--workers / the exports running); a request takes one
 * of those slots last, after its own host's slot and token, so that a
 * target held back by its host (--per-host, a rate limit) or only waiting
 * holds none, and a slow or dead appliance holds only the slots of its own
 * requests in flight.  Each export has a stop flag of its own: its failure
 * (STOP_FAILED) stops its own pages only.  A signal (or --max-time) is
 * copied from the run's flag to every export's flag by the signal thread
 * (fleet_signal) and, between tasks, by the main thread.  The tasks share
 * the lock around the next target and the run's hosts (host.h: --per-host
 * and each host's limiter, whichever target asks it).  With --manifest,
 * the run's manifest lists every target's outcome.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crew.h"
#include "export.h"
#include "fleet.h"
#include "log.h"
#include "manifest.h"
#include "metrics.h"
#include "session.h"
#include "thread.h"
#include "xalloc.h"

struct fleet {
	const struct options *o;        /* the run's, as given */
	struct options each;            /* the same with each export's workers */
	pthread_mutex_t lock;
	int next;                       /* no target before it is left */
	char *taken;                    /* per target: begun */
	int *hidx;                      /* ... its index in hlist, or -1 */
	struct host **hlist;            /* the targets' distinct hosts */
	int *hbegun;                    /* per host: its targets begun */
	int nhosts;
	struct export_hint *hints;      /* per target: from the manifest of
	                                   the run before (--manifest) */
	int k;                          /* targets under way at most: L */
	struct crew *crew;              /* the run's threads */
	struct fleet_task {
		struct crew_task task;
		struct fleet *fl;
		double *busy;           /* fleet_pick's, per host */
	} *tasks;                       /* k of them */
	atomic_int *stops;              /* one per target */
	enum exit_status *status;       /* one per target */
	atomic_int running;             /* tasks queued or under way */
	struct hosts hosts;             /* every target's */
	struct export_outcome *out;     /* one per target */
	struct sessions *sessions;      /* the targets' logins */
};

/*
 * Each target's host, and the distinct hosts, for fleet_pick.  A target
 * whose URL has no origin has none (its export says why).
 */
static void
fleet_hosts(struct fleet *fl)
{
	struct host *h;
	int i, j, n = fl->o->ntargets;

	fl->hidx = xcalloc((size_t)n, sizeof *fl->hidx);
	fl->hlist = xcalloc((size_t)n, sizeof *fl->hlist);
	fl->hbegun = xcalloc((size_t)n, sizeof *fl->hbegun);
	fl->taken = xcalloc((size_t)n, sizeof *fl->taken);
	for (i = 0; i < n; i++) {
		fl->hidx[i] = -1;
		if ((h = hosts_get(&fl->hosts, fl->o->targets[i].url)) == NULL)
			continue;
		for (j = 0; j < fl->nhosts && fl->hlist[j] != h; j++)
			;
		if (j == fl->nhosts)
			fl->hlist[fl->nhosts++] = h;
		fl->hidx[i] = j;
	}
}

/*
 * What the run before this one found of each target, from the manifest
 * this run will replace: a target that had pages asks them at once.
 */
static void
fleet_hints(struct fleet *fl)
{
	size_t i, n = (size_t)fl->o->ntargets;
	const char **names = xcalloc(n, sizeof *names);
	long long *pages = xcalloc(n, sizeof *pages);

	fl->hints = xcalloc(n, sizeof *fl->hints);
	if (fl->o->manifest != NULL) {
		for (i = 0; i < n; i++)
			names[i] = fl->o->targets[i].name;
		manifest_known_pages(fl->o->manifest, names, n, pages);
		for (i = 0; i < n; i++)
			fl->hints[i].pages = pages[i];
	}
	free(names);
	free(pages);
}

/*
 * The next target to run, or -1: one of the host that has had a request
 * unanswered the longest, once that is FLEET_SLOW or more (its other calls
 * will be as slow: the sooner they start, the sooner the run ends); else
 * one of a host with the fewest targets begun, so that every appliance is
 * asked once before any is asked twice.  File order breaks ties.  The
 * hosts are read before fl->lock is taken (no lock within another).
 */
#define FLEET_SLOW 0.1

static int
fleet_pick(struct fleet *fl, double *busy)
{
	int i, h, pick = -1, slow = -1, least = -1;

	for (h = 0; h < fl->nhosts; h++)
		busy[h] = host_busy(fl->hlist[h]);
	thread_lock(&fl->lock);
	while (fl->next < fl->o->ntargets && fl->taken[fl->next])
		fl->next++;
	for (i = fl->next; i < fl->o->ntargets; i++) {
		if (fl->taken[i])
			continue;
		if ((h = fl->hidx[i]) < 0) {
			pick = i;       /* fails at once: no host to wait for */
			break;
		}
		if (busy[h] >= FLEET_SLOW && (slow < 0 ||
		    busy[h] > busy[fl->hidx[slow]]))
			slow = i;
		if (least < 0 || fl->hbegun[h] < fl->hbegun[fl->hidx[least]])
			least = i;
	}
	if (pick < 0)
		pick = slow >= 0 ? slow : least;
	if (pick >= 0) {
		fl->taken[pick] = 1;
		if (fl->hidx[pick] >= 0)
			fl->hbegun[fl->hidx[pick]]++;
	}
	thread_unlock(&fl->lock);
	return pick;
}

/* A crew task: the next target's export; then the task is queued again
 * for the one after, or ends when none is left. */
static void
fleet_task(void *arg)
{
	struct fleet_task *ft = arg;
	struct fleet *fl = ft->fl;
	int i;

	if ((i = fleet_pick(fl, ft->busy)) < 0) {
		atomic_fetch_sub(&fl->running, 1);
		return;
	}
	fl->status[i] = export_run(&fl->each, &fl->o->targets[i], fl->crew,
	    &fl->hosts, &fl->hints[i], &fl->stops[i], &fl->out[i]);
	sessions_done(fl->sessions, i);
	crew_add(fl->crew, &ft->task);
}

/* The run's stop flag, when set, copied to every export's. */
static void
fleet_copy_stop(struct fleet *fl, int sig)
{
	int i;

	if (sig == 0)
		return;
	for (i = 0; i < fl->o->ntargets; i++) {
		int zero = 0;

		atomic_compare_exchange_strong(&fl->stops[i], &zero, sig);
	}
}

/* The fleet the signal thread passes a signal on to (fleet_signal). */
static pthread_mutex_t watched_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fleet *watched;

void
fleet_signal(int sig)
{
	thread_lock(&watched_lock);
	if (watched != NULL)
		fleet_copy_stop(watched, sig);
	thread_unlock(&watched_lock);
}

/* The main thread's part until every target has ended: queued tasks, and
 * a signal passed on to every export between them. */
static void
fleet_watch(struct fleet *fl, const atomic_int *stop)
{
	thread_lock(&watched_lock);
	watched = fl;
	thread_unlock(&watched_lock);
	while (atomic_load(&fl->running) > 0) {
		fleet_copy_stop(fl, atomic_load(stop));
		crew_help(fl->crew, 100);
	}
	thread_lock(&watched_lock);
	watched = NULL;
	thread_unlock(&watched_lock);
}

/*
 * --expand's details, which have a pool of their own in each export, when
 * k exports run at once out of w requests: enough for more than its share
 * (so that the last targets running can use the slots the others gave
 * back), at least FLEET_THREADS / k, at most w.
 */
#define FLEET_THREADS 256

static int
fleet_workers(int w, int k)
{
	int n = 2 * ((w + k - 1) / k);

	if (n < (FLEET_THREADS + k - 1) / k)
		n = (FLEET_THREADS + k - 1) / k;
	return n < w ? n : w;
}

/* --manifest: every target's outcome, published or not. */
static enum exit_status
fleet_manifest(struct fleet *fl, time_t started, enum exit_status st)
{
	const struct options *o = fl->o;
	struct manifest_target *mt;
	char err[512], *json;
	int i, rc;

	mt = xcalloc((size_t)o->ntargets, sizeof *mt);
	for (i = 0; i < o->ntargets; i++) {
		mt[i].name = o->targets[i].name;
		mt[i].json = fl->out[i].manifest;
		mt[i].exit_status = (int)fl->status[i];
	}
	json = manifest_fleet_json(o->jobs_path, started, time(NULL), (int)st,
	    mt, (size_t)o->ntargets, err, sizeof err);
	if (json == NULL)
		log_error("%s: %s", o->manifest, err);
	rc = json == NULL ? -1 : manifest_publish(o->manifest, json,
	    o->manifest_mode);
	free(json);
	free(mt);
	return rc < 0 && st == exit_ok ? exit_output : st;
}

/* The run's state for k targets at once: hosts, hints, sessions' hints, every
 * target's stop flag, status (interrupted until it ends) and outcome. */
static void
fleet_init(struct fleet *fl, const struct options *o, int k)
{
	int i;

	fl->o = o;
	fl->each = *o;
	fl->each.workers = fleet_workers(o->workers, k);
	fl->k = k;
	fl->each.progress = 0;  /* many lines at once would garble each other */
	fl->stops = xcalloc((size_t)o->ntargets, sizeof *fl->stops);
	fl->status = xcalloc((size_t)o->ntargets, sizeof *fl->status);
	fl->out = xcalloc((size_t)o->ntargets, sizeof *fl->out);
	hosts_init(&fl->hosts, o->per_host, o->rate, o->workers);
	fleet_hosts(fl);
	fleet_hints(fl);
	for (i = 0; i < o->ntargets; i++) {
		fl->hints[i].session = sessions_of(fl->sessions, i);
		fl->status[i] = exit_interrupted;
	}
	thread_mutex_init(&fl->lock);
}

/* Every target's status said and noted for the metrics; the run's: the
 * first failed target's in file order (st if that failed already). */
static enum exit_status
fleet_tally(struct fleet *fl, struct metrics *m, enum exit_status st)
{
	const struct options *o = fl->o;
	int i, ok = 0;

	for (i = 0; i < o->ntargets; i++) {
		metrics_note(m, i, &fl->out[i].figures, fl->status[i]);
		if (fl->status[i] == exit_ok)
			ok++;
		else if (st == exit_ok)
			st = fl->status[i];
		if (fl->status[i] != exit_ok)
			log_error("[%s]: exit status %d", o->targets[i].name ?
			    o->targets[i].name : o->targets[i].url,
			    (int)fl->status[i]);
	}
	log_note("%d of %d targets succeeded", ok, o->ntargets);
	return st;
}

static void
fleet_free(struct fleet *fl)
{
	int i;

	for (i = 0; i < fl->o->ntargets; i++)
		free(fl->out[i].manifest);
	free(fl->out);
	hosts_destroy(&fl->hosts);
	sessions_free(fl->sessions);
	free(fl->hidx);
	free(fl->hlist);
	free(fl->hbegun);
	free(fl->taken);
	free(fl->hints);
	free(fl->stops);
	free(fl->status);
	thread_mutex_destroy(&fl->lock);
}

/* Targets under way at once: one per thread that runs tasks (the
 * crew's and main), half as many when a target has --expand, whose
 * listing takes a thread of its own. */
static int
fleet_width(const struct options *o, int threads)
{
	int i, k = threads;

	for (i = 0; i < o->ntargets; i++)
		if (o->targets[i].nexpand > 0)
			k = threads / 2 > 1 ? threads / 2 : 1;
	return o->ntargets < k ? o->ntargets : k;
}

enum exit_status
fleet_run(const struct options *o, struct crew *crew, atomic_int *stop,
    struct metrics *m)
{
	time_t t0 = time(NULL);
	struct fleet fl;
	enum exit_status st = exit_ok;
	int i, k;
	char err[512];

	memset(&fl, 0, sizeof fl);
	/* Every login's credentials are read before any target starts; the
	 * targets that share an origin and credentials share one. */
	if ((fl.sessions = sessions_new(o, stop, err, sizeof err)) == NULL) {
		log_error("%s", err);
		return exit_usage;
	}
	k = fleet_width(o, crew_size(crew) + 1);
	fleet_init(&fl, o, k);
	fl.crew = crew;
	fl.tasks = xcalloc((size_t)k, sizeof *fl.tasks);
	atomic_store(&fl.running, k);
	for (i = 0; i < k; i++) {
		fl.tasks[i].fl = &fl;
		fl.tasks[i].busy = xcalloc((size_t)fl.nhosts + 1,
		    sizeof *fl.tasks[i].busy);
		fl.tasks[i].task.fn = fleet_task;
		fl.tasks[i].task.arg = &fl.tasks[i];
		crew_add(crew, &fl.tasks[i].task);
	}
	fleet_watch(&fl, stop);
	for (i = 0; i < k; i++)
		free(fl.tasks[i].busy);
	free(fl.tasks);
	st = fleet_tally(&fl, m, st);
	if (o->manifest != NULL)
		st = fleet_manifest(&fl, t0, st);
	fleet_free(&fl);
	return st;
}
