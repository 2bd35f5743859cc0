/*
 * main.c - argv to options, options to a run, a run to an exit status.
 *
 * Signals.  The signals that would end the process (HUP, INT, QUIT, TERM,
 * ALRM, USR1, USR2, XCPU, VTALRM) are blocked in every thread before any
 * thread exists, and taken by one thread in sigwait(); none of them can
 * ever kill the process with its default action, however many arrive.
 *
 *  - The first one only sets the atomic cancel flag: the run stops its
 *    transfers (within a second), removes its temporary file and ends with
 *    status 128 + signal (129 HUP, 130 INT, 131 QUIT, 143 TERM).
 *  - Another one in the next STOP_GRACE seconds is noted, not obeyed: the
 *    run is already stopping, and timeout(1) and supervisors send SIGTERM
 *    twice (to the process, then to its group).
 *  - If the run is still going once STOP_GRACE has passed and a signal
 *    came after the first (before or since), the signal thread removes the
 *    temporary file itself (writer_emergency_unlink) and _exits with 128 +
 *    the first signal - unless the file is being or has been published,
 *    in which case the run has finished its work and is let end.
 *
 * The --max-time timer counts as a first signal (the status of a stop
 * that follows it is then 128 + the later signal).  SIGHUP and the others
 * but INT, QUIT and TERM are left ignored when they were ignored at start
 * (nohup); INT and QUIT are taken even then, since shells ignore them in
 * background jobs that scripts then stop with kill -INT.  SIGQUIT gives no
 * core dump: it is a way to stop, like the others.  SIGPIPE is ignored: a
 * closed standard output shows up as EPIPE from write(2) and ends the run
 * quietly.  SIGXFSZ is ignored, so a file size limit is a write error
 * (EFBIG).  SIGKILL, and crashes (SEGV, ABRT, ...), can leave the
 * temporary file, .NAME.XXXXXX beside the destination.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "crew.h"
#include "fleet.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "progress.h"
#include "s3xml.h"
#include "status.h"
#include "thread.h"
#include "writer.h"

/* The signal that asked us to stop, or CAUGHT_TIMEOUT for --max-time. */
#define CAUGHT_TIMEOUT (-1)
static atomic_int caught;

/* Seconds a stopping run has before a further signal ends it outright. */
#define STOP_GRACE 3

struct sigctx {
	sigset_t set;
	long max_time;          /* seconds, 0: none */
};

/* Signals that stop the run; ignoring one at start counts (but INT, QUIT
 * and TERM: see the top of the file). */
static const struct {
	int sig;
	const char *name;
	int always;
} stop_signals[] = {
	{ SIGHUP, "SIGHUP", 0 },
	{ SIGINT, "SIGINT", 1 },
	{ SIGQUIT, "SIGQUIT", 1 },
	{ SIGTERM, "SIGTERM", 1 },
	{ SIGALRM, "SIGALRM", 0 },
	{ SIGUSR1, "SIGUSR1", 0 },
	{ SIGUSR2, "SIGUSR2", 0 },
	{ SIGXCPU, "SIGXCPU", 0 },
	{ SIGVTALRM, "SIGVTALRM", 0 },
};
#define NSTOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

static const char *
signal_name(int sig)
{
	size_t i;

	for (i = 0; i < NSTOP_SIGNALS; i++)
		if (stop_signals[i].sig == sig)
			return stop_signals[i].name;
	return "a signal";
}

static void
timespec_add_sec(struct timespec *t, long sec)
{
	t->tv_sec += sec;
}

/* Waits for a signal of set until the monotonic time *until (NULL: for
 * ever); 0 when the time came first. */
static int
signal_wait(const sigset_t *set, const struct timespec *until)
{
	struct timespec now, left;
	int sig;

	if (until == NULL)
		return sigwait(set, &sig) == 0 ? sig : -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left.tv_sec = until->tv_sec - now.tv_sec;
	left.tv_nsec = until->tv_nsec - now.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_sec--;
		left.tv_nsec += 1000000000L;
	}
	if (left.tv_sec < 0)
		return 0;
	if ((sig = sigtimedwait(set, NULL, &left)) < 0)
		return errno == EAGAIN ? 0 : -1;
	return sig;
}

/*
 * The run did not stop in time and was told again: remove the temporary
 * file from here and end the process.  Returns only when the file is
 * being or has been published, or its state does not settle.
 */
static void
stop_now(int first, int again)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i, status;

	status = 128 + (first > 0 ? first : again);
	for (i = 0; i < 100; i++) {
		switch (writer_emergency_unlink()) {
		case writer_emergency_clean:
			if (first > 0)
				log_error("interrupted by %s, and %s after the run "
				    "had not stopped in %d s: stopping now; nothing "
				    "was published", signal_name(first),
				    signal_name(again), STOP_GRACE);
			else
				log_error("--max-time reached, and %s after the run "
				    "had not stopped in %d s: stopping now; nothing "
				    "was published", signal_name(again), STOP_GRACE);
			_exit(status);
		case writer_emergency_published:
			return;
		case writer_emergency_busy:
			nanosleep(&tick, NULL);
			break;
		}
	}
}

/* What every s3:// object is created with, from the flags: set before
 * any thread starts. */
static void
s3_settings(const struct options *o)
{
	static const char *const sse[] = { NULL, "AES256", "aws:kms" };
	struct writer_s3 s;

	s.sse = sse[o->s3_sse];
	s.kms_key = o->s3_kms_key;
	s.acl = o->s3_acl == 1 ? "bucket-owner-full-control" : NULL;
	writer_s3_set(&s);
}

static void *
signal_main(void *arg)
{
	struct sigctx *sc = arg;
	struct timespec deadline, grace_end;
	int sig, again = 0, grace_over = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	timespec_add_sec(&deadline, sc->max_time);
	for (;;) {
		/* STOP_FAILED is the run stopping itself, not a signal: the
		 * first signal after it is a first signal. */
		if (atomic_load(&caught) == 0 ||
		    atomic_load(&caught) == STOP_FAILED)
			sig = signal_wait(&sc->set,
			    sc->max_time > 0 ? &deadline : NULL);
		else
			sig = signal_wait(&sc->set, grace_over ? NULL : &grace_end);
		if (sig < 0)
			continue;
		if (atomic_load(&caught) == 0 ||
		    atomic_load(&caught) == STOP_FAILED) {
			/* A first signal, or the --max-time deadline. */
			clock_gettime(CLOCK_MONOTONIC, &grace_end);
			timespec_add_sec(&grace_end, STOP_GRACE);
			atomic_store(&caught, sig > 0 ? sig : CAUGHT_TIMEOUT);
			fleet_signal(atomic_load(&caught));
			continue;
		}
		if (sig == 0) {
			grace_over = 1;
			if (again != 0)
				stop_now(atomic_load(&caught), again);
			continue;
		}
		again = sig;
		if (grace_over)
			stop_now(atomic_load(&caught), again);
	}
	return NULL;
}

/*
 * The run: one export or a jobs file's; its exit status (a stop by a
 * signal or by --max-time said, and mapped to the process's status); then
 * --metrics, last, whatever became of it.
 */
static enum exit_status
main_run(const struct options *o)
{
	struct export_outcome out;
	struct metrics *m;
	struct crew *crew;
	enum exit_status st, stopped;
	int ok, err = 0;

	if ((m = metrics_new(o, &ok)) == NULL && !ok)
		return exit_output;
	/* The run's W threads, one crew for a target or a thousand. */
	if ((crew = crew_new(o->workers, &err)) == NULL) {
		log_error("cannot start %d worker threads: %s (lower --workers, "
		    "or raise the limit on processes)", o->workers,
		    strerror(err));
		metrics_free(m);
		return exit_failure;
	}
	if (o->jobs != NULL)
		st = fleet_run(o, crew, &caught, m);
	else {
		st = export_run(o, &o->targets[0], crew, NULL, NULL, &caught,
		    m != NULL ? &out : NULL);
		metrics_note(m, 0, &out.figures, st);
		if (m != NULL)
			free(out.manifest);
	}
	/* The status of a target a signal or --max-time stopped. */
	stopped = atomic_load(&caught) == CAUGHT_TIMEOUT ? exit_failure :
	    atomic_load(&caught) > 0 ? 128 + atomic_load(&caught) :
	    exit_interrupted;
	if (st == exit_interrupted && atomic_load(&caught) == CAUGHT_TIMEOUT) {
		log_error("--max-time %ld s reached; nothing was published",
		    o->max_time);
		st = exit_failure;
	} else if (st == exit_interrupted && atomic_load(&caught) != 0) {
		log_error("interrupted by %s; nothing was published",
		    signal_name(atomic_load(&caught)));
		st = 128 + atomic_load(&caught);
	}
	crew_free(crew);
	st = metrics_write(m, st, stopped);
	metrics_free(m);
	return st;
}

int
main(int argc, char **argv)
{
	static struct sigctx sc;
	struct options o;
	struct sigaction sa;
	pthread_t sigthread;
	enum exit_status st;
	size_t i;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	sigemptyset(&sc.set);
	for (i = 0; i < NSTOP_SIGNALS; i++)
		if (stop_signals[i].always ||
		    sigaction(stop_signals[i].sig, NULL, &sa) < 0 ||
		    sa.sa_handler != SIG_IGN)
			sigaddset(&sc.set, stop_signals[i].sig);
	/* Before any thread (libcurl's resolver threads included) exists. */
	pthread_sigmask(SIG_BLOCK, &sc.set, NULL);

	switch (cli_parse(argc, argv, &o)) {
	case cli_exit_ok:
		cli_free(&o);
		return exit_ok;
	case cli_exit_usage:
		cli_free(&o);
		return exit_usage;
	case cli_run:
		break;
	}
	log_set_level(o.quiet ? log_level_quiet : o.verbose);
	/* Not when the data itself goes to the same terminal. */
	if (o.progress < 0)
		o.progress = !o.quiet && !o.verbose && isatty(STDERR_FILENO) &&
		    !(strcmp(o.targets[0].output, "-") == 0 && isatty(STDOUT_FILENO));
	if (o.targets[0].gzip && strcmp(o.targets[0].output, "-") == 0 && isatty(STDOUT_FILENO)) {
		/* As gzip(1) does. */
		log_error("refusing to write gzip data to a terminal: use -o FILE "
		    "or a pipe");
		cli_free(&o);
		return exit_usage;
	}
	log_set_erase_line(o.progress == progress_tty);
	if (http_global_init() < 0) {
		cli_free(&o);
		return exit_failure;
	}
	s3xml_init();           /* before any thread may parse */
	s3_settings(&o);
	sc.max_time = o.max_time;
	if ((rc = thread_create(&sigthread, signal_main, &sc)) != 0) {
		log_error("cannot start the signal thread: %s", strerror(rc));
		http_global_cleanup();
		cli_free(&o);
		return exit_failure;
	}
	pthread_detach(sigthread);

	st = main_run(&o);
	http_global_cleanup();
	cli_free(&o);
	return st;
}
