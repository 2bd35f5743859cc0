/*
 * progress.h - one self-rewriting line on stderr for the person at the
 * terminal: items (of the total, when known), bytes written, time.
 *
 * Only the thread that writes the output updates it, at most five times a
 * second, so it costs nothing on the hot path.  Off unless asked for (main
 * turns it on when stderr is a terminal and neither -q nor -v is given).
 */
#ifndef INVDUMP_PROGRESS_H
#define INVDUMP_PROGRESS_H

struct progress {
	int on;
	int shown;              /* a line is on the screen */
	double start, last;     /* monotonic seconds */
	long long total;        /* -1: unknown */
};

void progress_init(struct progress *p, int on);
void progress_total(struct progress *p, long long total);
/* Redraws the line if 200 ms have passed since the last time. */
void progress_update(struct progress *p, long long items,
    unsigned long long bytes);
/* Erases the line, so that what follows starts on a clean one. */
void progress_done(struct progress *p);

#endif
