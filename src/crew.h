/*
 * crew.h - the run's worker threads: W of them, started once per run,
 * taking tasks from one FIFO queue.
 *
 * A task is a function and its argument in a struct crew_task that the
 * caller owns and keeps alive until the task has run or was taken back.
 * The run's tasks are of two kinds: "run this target" (fleet.c) and "work
 * the jobs of this pool" (pool.c's helpers).  Nothing waits for a crew
 * thread to come: a pool's calling thread runs its next job itself when no
 * helper took it (pool.c), and a thread that waits for the run to end may
 * run queued tasks itself (crew_help).  So the run's threads are the crew's
 * W, the main thread and the signal thread (main.c), however many targets
 * and pools the run has.
 *
 * Locks: crew.lock guards the queue and the counts; it is a leaf (a task
 * runs with it released).
 */
#ifndef INVDUMP_CREW_H
#define INVDUMP_CREW_H

#include <pthread.h>

struct crew;

struct crew_task {
	void (*fn)(void *arg);
	void *arg;
	struct crew_task *next;         /* the crew's, while queued */
	int queued;                     /* the crew's (crew.lock) */
};

/* Starts n threads (n >= 0); NULL when a thread could not be started
 * (pthread_create's code in *err; the threads started are stopped). */
struct crew *crew_new(int n, int *err);
/* Waits for the queue to empty and every task to end, then stops and
 * joins the threads. */
void crew_free(struct crew *c);

/* Its threads. */
int crew_size(const struct crew *c);

/* Queues t (fn and arg set) behind every task queued before it. */
void crew_add(struct crew *c, struct crew_task *t);
/* Takes t out of the queue if no thread has begun it: 1 when it did
 * (t will not run), 0 when it has begun or ended. */
int crew_take_back(struct crew *c, struct crew_task *t);
/* The calling thread runs the task at the head of the queue, if one is
 * queued within ms milliseconds: 1 when it ran one. */
int crew_help(struct crew *c, long ms);

#endif
