/*
 * export.h - one export run: open the output, fetch the first page, read
 * the total, plan the pages, run the pool, verify the count, publish.
 */
#ifndef INVDUMP_EXPORT_H
#define INVDUMP_EXPORT_H

#include <stdatomic.h>

#include "cli.h"
#include "status.h"

/* What *stop holds when the run stops itself: one page failed for good,
 * and every other transfer must end at once. */
#define STOP_FAILED (-2)

/* Runs the export of target t with the run's settings o.  *stop holds the number of a signal that
 * asked to stop (0 while none did); the run itself stores STOP_FAILED
 * there (only over 0) when it fails.  Returns the exit status. */
enum exit_status export_run(const struct options *o, const struct target *t,
    atomic_int *stop);

#endif
