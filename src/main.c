/*
 * main.c - argv to options, options to a run, a run to an exit status.
 *
 * Signals: SIGINT and SIGTERM are blocked in every thread and taken by one
 * thread in sigwait(), which only records the signal in an atomic flag; the
 * run sees it, stops its transfers, removes its temporary file and ends
 * with status 128 + signal.  SIGPIPE is ignored: a closed standard output
 * shows up as EPIPE from write(2) and ends the run quietly.
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
#include "http.h"
#include "log.h"
#include "status.h"

/* The signal that asked us to stop, or CAUGHT_TIMEOUT for --max-time. */
#define CAUGHT_TIMEOUT (-1)
static atomic_int caught;

struct sigctx {
	sigset_t set;
	long max_time;          /* seconds, 0: none */
};

static void *
signal_main(void *arg)
{
	struct sigctx *sc = arg;
	sigset_t *set = &sc->set;
	struct timespec deadline, left;
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += sc->max_time;
	for (;;) {
		if (sc->max_time > 0 && atomic_load(&caught) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &left);
			left.tv_sec = deadline.tv_sec - left.tv_sec;
			left.tv_nsec = deadline.tv_nsec - left.tv_nsec;
			if (left.tv_nsec < 0) {
				left.tv_sec--;
				left.tv_nsec += 1000000000L;
			}
			if (left.tv_sec < 0)
				left.tv_sec = left.tv_nsec = 0;
			sig = sigtimedwait(set, NULL, &left);
			if (sig < 0) {
				if (errno == EAGAIN)
					atomic_store(&caught, CAUGHT_TIMEOUT);
				continue;
			}
		} else if (sigwait(set, &sig) != 0)
			continue;
		if (atomic_load(&caught) != 0) {
			/* A second signal: the person means it. */
			signal(sig, SIG_DFL);
			pthread_sigmask(SIG_UNBLOCK, set, NULL);
			raise(sig);
		}
		atomic_store(&caught, sig);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct sigctx sc;
	struct options o;
	pthread_t sigthread;
	enum exit_status st;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sc.set);
	sigaddset(&sc.set, SIGINT);
	sigaddset(&sc.set, SIGTERM);
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
		    !(strcmp(o.output, "-") == 0 && isatty(STDOUT_FILENO));
	if (o.gzip && strcmp(o.output, "-") == 0 && isatty(STDOUT_FILENO)) {
		/* As gzip(1) does. */
		log_error("refusing to write gzip data to a terminal: use -o FILE "
		    "or a pipe");
		cli_free(&o);
		return exit_usage;
	}
	log_set_erase_line(o.progress);
	if (http_global_init() < 0) {
		cli_free(&o);
		return exit_failure;
	}
	sc.max_time = o.max_time;
	if ((rc = pthread_create(&sigthread, NULL, signal_main, &sc)) != 0) {
		log_error("cannot start the signal thread: %s", strerror(rc));
		http_global_cleanup();
		cli_free(&o);
		return exit_failure;
	}
	pthread_detach(sigthread);

	st = export_run(&o, &caught);
	if (st == exit_interrupted && atomic_load(&caught) == CAUGHT_TIMEOUT) {
		log_error("--max-time %ld s reached; nothing was published",
		    o.max_time);
		st = exit_failure;
	} else if (st == exit_interrupted && atomic_load(&caught) != 0) {
		log_error("interrupted by %s; nothing was published",
		    atomic_load(&caught) == SIGINT ? "SIGINT" : "SIGTERM");
		st = 128 + atomic_load(&caught);
	}
	http_global_cleanup();
	cli_free(&o);
	return st;
}
