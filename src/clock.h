/*
 * clock.h - the program's one clock: monotonic seconds, for timeouts,
 * retry waits, limiters, hedging, progress and checkpoints alike.  Never
 * the time of day (that is time(2), for manifests and messages).
 */
#ifndef INVDUMP_CLOCK_H
#define INVDUMP_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double clock_now(void);

#endif
