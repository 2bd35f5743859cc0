/*
 * fleet.h - a run of many targets (--jobs): they run side by side, each an
 * export of its own (export.h), and a target that fails stops no other.
 */
#ifndef INVDUMP_FLEET_H
#define INVDUMP_FLEET_H

#include <stdatomic.h>

#include "cli.h"
#include "status.h"

struct crew;
struct metrics;

/*
 * Runs every target of o as tasks of crew, the calling thread running
 * queued tasks too until all have ended; *stop as for export_run (a signal
 * stops them all); m (or NULL) is noted what became of each target.
 * Returns exit_ok when every target succeeded, else the status of the
 * first target (in the file's order) that did not.
 */
enum exit_status fleet_run(const struct options *o, struct crew *crew,
    atomic_int *stop, struct metrics *m);

/* From the signal thread, once it stored sig in the run's stop flag: a
 * running fleet passes it on to every export at once (its main thread may
 * be running a target). */
void fleet_signal(int sig);

#endif
