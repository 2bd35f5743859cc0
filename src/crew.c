/*
 * crew.c - the run's worker threads and their one queue (see crew.h).
 *
 * Each thread takes the task at the head of the queue, runs it with the
 * lock released, and takes the next; with none queued it waits on `work`
 * (timed, so that no wake-up can be lost for long).  After each task the
 * thread's log target (log.h) is cleared: it named that task's target.  crew_free lets the
 * queue run dry, then tells the threads to leave and joins them.
 */
#include <stdlib.h>

#include "crew.h"
#include "log.h"
#include "thread.h"
#include "xalloc.h"

struct crew {
	pthread_mutex_t lock;
	pthread_cond_t work;            /* a task was queued, or leave */
	pthread_cond_t idle;            /* a task ended */
	struct crew_task *head, *tail;
	int running;                    /* tasks under way */
	int leave;
	int n;
	pthread_t *tids;
};

/* The head of the queue, taken out of it, or NULL.  Lock held. */
static struct crew_task *
crew_pop(struct crew *c)
{
	struct crew_task *t = c->head;

	if (t == NULL)
		return NULL;
	c->head = t->next;
	if (c->head == NULL)
		c->tail = NULL;
	t->next = NULL;
	t->queued = 0;
	c->running++;
	return t;
}

/* Runs t, taken by crew_pop.  Called and returns with the lock held. */
static void
crew_run_task(struct crew *c, struct crew_task *t)
{
	thread_unlock(&c->lock);
	t->fn(t->arg);          /* t may be gone once fn returns */
	/* A job names its target on this thread's lines (log.c); the next
	 * task may be another target's, and this one's may have ended. */
	log_set_target(NULL, NULL);
	thread_lock(&c->lock);
	c->running--;
	thread_broadcast(&c->idle);
}

static void *
crew_main(void *arg)
{
	struct crew *c = arg;
	struct crew_task *t;

	thread_lock(&c->lock);
	for (;;) {
		if ((t = crew_pop(c)) != NULL) {
			crew_run_task(c, t);
			continue;
		}
		if (c->leave)
			break;
		thread_wait_ms(&c->work, &c->lock, 1000);
	}
	thread_unlock(&c->lock);
	return NULL;
}

struct crew *
crew_new(int n, int *err)
{
	struct crew *c = xcalloc(1, sizeof *c);
	int i, rc;

	thread_mutex_init(&c->lock);
	thread_cond_init(&c->work);
	thread_cond_init(&c->idle);
	c->tids = xcalloc(n > 0 ? (size_t)n : 1, sizeof *c->tids);
	for (i = 0; i < n; i++) {
		if ((rc = thread_create(&c->tids[i], crew_main, c)) != 0) {
			if (err != NULL)
				*err = rc;
			c->n = i;
			crew_free(c);
			return NULL;
		}
	}
	c->n = n;
	return c;
}

void
crew_free(struct crew *c)
{
	int i;

	if (c == NULL)
		return;
	thread_lock(&c->lock);
	while (c->head != NULL || c->running > 0)
		thread_wait_ms(&c->idle, &c->lock, 100);
	c->leave = 1;
	thread_broadcast(&c->work);
	thread_unlock(&c->lock);
	for (i = 0; i < c->n; i++)
		thread_join(c->tids[i]);
	free(c->tids);
	thread_cond_destroy(&c->idle);
	thread_cond_destroy(&c->work);
	thread_mutex_destroy(&c->lock);
	free(c);
}

int
crew_size(const struct crew *c)
{
	return c->n;
}

void
crew_add(struct crew *c, struct crew_task *t)
{
	thread_lock(&c->lock);
	t->next = NULL;
	t->queued = 1;
	if (c->tail != NULL)
		c->tail->next = t;
	else
		c->head = t;
	c->tail = t;
	/* Every waiter: crew_help's caller may be one of them. */
	thread_broadcast(&c->work);
	thread_unlock(&c->lock);
}

int
crew_take_back(struct crew *c, struct crew_task *t)
{
	struct crew_task **pp, *prev = NULL;
	int found = 0;

	thread_lock(&c->lock);
	if (t->queued) {
		for (pp = &c->head; *pp != NULL; prev = *pp, pp = &(*pp)->next)
			if (*pp == t) {
				*pp = t->next;
				if (c->tail == t)
					c->tail = prev;
				t->next = NULL;
				t->queued = 0;
				found = 1;
				break;
			}
	}
	thread_unlock(&c->lock);
	return found;
}

int
crew_help(struct crew *c, long ms)
{
	struct crew_task *t;

	thread_lock(&c->lock);
	if (c->head == NULL && ms > 0)
		thread_wait_ms(&c->work, &c->lock, ms);
	if ((t = crew_pop(c)) != NULL)
		crew_run_task(c, t);
	thread_unlock(&c->lock);
	return t != NULL;
}
