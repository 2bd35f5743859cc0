/*
 * export.h - one export run: open the output, fetch the first page, read
 * the total, plan the pages, run the pool, verify the count, publish.
 */
#ifndef INVDUMP_EXPORT_H
#define INVDUMP_EXPORT_H

#include <stdatomic.h>

#include "cli.h"
#include "status.h"

/* Runs the export o describes.  *cancel holds the number of a signal that
 * asked to stop (0 while none did).  Returns the exit status. */
enum exit_status export_run(const struct options *o, const atomic_int *cancel);

#endif
