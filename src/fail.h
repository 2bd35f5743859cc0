/*
 * fail.h - an export's failure, warnings and stop: what every module of
 * the run may call (export, emit, expand, cursor, resume, check), and which
 * calls nothing above it (log, thread, xalloc only).
 *
 * The first failure is the run's (the others are its consequences); it
 * stops every other transfer of the export at once through its stop flag
 * (STOP_FAILED), which every transfer, retry sleep, limiter wait and the
 * pool watch.  Warnings are said and kept for the manifest.  All of it
 * under the export's fail_lock: any thread may call.
 */
#ifndef INVDUMP_FAIL_H
#define INVDUMP_FAIL_H

#include "status.h"
#include "writer.h"

struct export;

/* Records the export's first failure and stops it (but a stop asked by a
 * signal, exit_interrupted, stops nothing more). */
void fail_run(struct export *ex, enum exit_status st, const char *msg);

/* Says a warning and keeps it for the manifest. */
void fail_warn(struct export *ex, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What a writer call's status means for the export: 0 to go on, -1 to
 * stop (a reader that went away, quietly; anything else, as a failure of
 * the output). */
int fail_output(struct export *ex, enum writer_status st);

#endif
