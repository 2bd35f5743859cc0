/*
 * metrics.h - --metrics FILE: the run's figures for a scheduler's
 * monitoring, in the Prometheus text exposition format (version 0.0.4),
 * for node_exporter's textfile collector.
 *
 * Written once the run has ended, after every publish and manifest, on
 * success and on failure alike, through the writer's atomic publish (a
 * temporary file beside FILE, fsync, rename, fsync of the directory), mode
 * 0644: the collector never reads half a file, and the figures hold no
 * secret.  Every series is a gauge (the last run's value):
 *
 *   per target, labelled target="NAME" (a jobs file's section; for one
 *   URL --metrics-target, else the URL's host and path, never its user,
 *   query or fragment) and shard="I/N" with --shard:
 *     invdump_items, invdump_pages, invdump_output_bytes,
 *     invdump_requests, invdump_retries, invdump_throttled_responses,
 *     invdump_duration_seconds, invdump_exit_status,
 *     invdump_last_success_timestamp_seconds
 *   for the whole run, labelled run="BASE" (FILE's name without .prom):
 *     invdump_run_targets, invdump_run_targets_failed,
 *     invdump_run_duration_seconds, invdump_run_exit_status,
 *     invdump_run_last_success_timestamp_seconds
 *
 * A last-success time is this run's end when it succeeded, else the one
 * the file at FILE holds for the same series (0 when none does), so that
 * "no success for 26 hours" holds across failed runs.
 */
#ifndef INVDUMP_METRICS_H
#define INVDUMP_METRICS_H

#include "cli.h"
#include "export.h"
#include "status.h"

struct metrics;

/*
 * The run's metrics, or NULL when o asks for none.  *ok is 0 (after a
 * message) when FILE cannot be written (its directory does not exist or is
 * not writable, FILE is a directory): the run should not start.
 */
struct metrics *metrics_new(const struct options *o, int *ok);

/* What became of target i of the run (one thread at a time). */
void metrics_note(struct metrics *m, int i, const struct export_figures *f,
    enum exit_status st);

/*
 * Writes the file for a run that ended with st (the process's exit status);
 * a target the run's end stopped (a signal, --max-time), or never began,
 * reports stopped, the status the process gives that stop.  Returns st, or
 * exit_output when the file could not be written and st was exit_ok (the
 * exports stay published; the message says so).  Safe on NULL.
 */
enum exit_status metrics_write(struct metrics *m, enum exit_status st,
    enum exit_status stopped);

void metrics_free(struct metrics *m);

#endif
