/*
 * thread.h - the pthread calls invdump makes, behind calls that cannot
 * fail (after pigz's yarn.c).
 *
 * pthread functions return their error rather than set errno.  The ones
 * that can only fail through a bug here (locking a mutex we own, waiting on
 * a condition with the right mutex, destroying what we initialised) print
 * the error and abort: going on would corrupt the run.  The one failure
 * that the world can cause, thread_create's (a limit on processes, no
 * memory), is returned for the caller to report.
 */
#ifndef INVDUMP_THREAD_H
#define INVDUMP_THREAD_H

#include <pthread.h>
#include <stdatomic.h>

void thread_mutex_init(pthread_mutex_t *m);
void thread_mutex_destroy(pthread_mutex_t *m);
void thread_lock(pthread_mutex_t *m);
void thread_unlock(pthread_mutex_t *m);

void thread_cond_init(pthread_cond_t *c);
void thread_cond_destroy(pthread_cond_t *c);
void thread_signal(pthread_cond_t *c);
void thread_broadcast(pthread_cond_t *c);
/* Waits at most ms milliseconds (a timeout is normal: callers poll). */
void thread_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, long ms);

/* Returns 0, or pthread_create's error (EAGAIN: a limit on threads). */
int thread_create(pthread_t *t, void *(*fn)(void *), void *arg);
void thread_join(pthread_t t);

#endif
