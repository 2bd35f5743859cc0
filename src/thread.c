/*
 * thread.c - pthread calls that cannot fail (see thread.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "thread.h"

/* A failure that only a bug can cause: say which call, and stop. */
static void
thread_fail(const char *call, int rc)
{
	fprintf(stderr, "invdump: internal error: %s: %s\n", call, strerror(rc));
	abort();
}

#define CHECK(call, expr)                                                \
	do {                                                             \
		int rc_ = (expr);                                        \
		if (rc_ != 0)                                            \
			thread_fail(call, rc_);                          \
	} while (0)

void
thread_mutex_init(pthread_mutex_t *m)
{
	CHECK("pthread_mutex_init", pthread_mutex_init(m, NULL));
}

void
thread_mutex_destroy(pthread_mutex_t *m)
{
	CHECK("pthread_mutex_destroy", pthread_mutex_destroy(m));
}

void
thread_lock(pthread_mutex_t *m)
{
	CHECK("pthread_mutex_lock", pthread_mutex_lock(m));
}

void
thread_unlock(pthread_mutex_t *m)
{
	CHECK("pthread_mutex_unlock", pthread_mutex_unlock(m));
}

void
thread_cond_init(pthread_cond_t *c)
{
	CHECK("pthread_cond_init", pthread_cond_init(c, NULL));
}

void
thread_cond_destroy(pthread_cond_t *c)
{
	CHECK("pthread_cond_destroy", pthread_cond_destroy(c));
}

void
thread_signal(pthread_cond_t *c)
{
	CHECK("pthread_cond_signal", pthread_cond_signal(c));
}

void
thread_broadcast(pthread_cond_t *c)
{
	CHECK("pthread_cond_broadcast", pthread_cond_broadcast(c));
}

void
thread_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, long ms)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	rc = pthread_cond_timedwait(c, m, &ts);
	if (rc != 0 && rc != ETIMEDOUT)
		thread_fail("pthread_cond_timedwait", rc);
}

int
thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	return pthread_create(t, NULL, fn, arg);
}

void
thread_join(pthread_t t)
{
	CHECK("pthread_join", pthread_join(t, NULL));
}
