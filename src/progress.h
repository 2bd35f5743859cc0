/*
 * progress.h - what the person sees while a run goes on, and the one
 * summary line at its end.
 *
 * On a terminal: one self-rewriting line on stderr, redrawn at most five
 * times a second.  Elsewhere (cron, CI, kubectl logs), with
 * --progress=plain: a plain line every few seconds.  Both say items (of
 * the total, with a percentage and an ETA when the total is known),
 * items/s, requests in flight, retries and throttles.  Only the thread
 * that writes the output updates it, so it costs nothing on the hot path.
 */
#ifndef INVDUMP_PROGRESS_H
#define INVDUMP_PROGRESS_H

enum progress_mode {
	progress_off = 0,
	progress_tty = 1,       /* one line, rewritten in place */
	progress_plain = 2      /* a new line every PROGRESS_PLAIN_SECONDS */
};

#define PROGRESS_PLAIN_SECONDS 5.0

/* What a line shows; the counters are the run's. */
struct progress_counts {
	long long items;
	unsigned long long bytes;
	long requests, inflight, retries, throttles;
};

struct progress {
	enum progress_mode mode;
	int shown;              /* a tty line is on the screen */
	double start, last;     /* monotonic seconds */
	long long total;        /* -1: unknown */
};

void progress_init(struct progress *p, enum progress_mode mode);
void progress_total(struct progress *p, long long total);
/* Shows the counts if the mode's interval has passed. */
void progress_update(struct progress *p, const struct progress_counts *c);
/* Erases a tty line, so that what follows starts on a clean one. */
void progress_done(struct progress *p);
/* Seconds since progress_init. */
double progress_elapsed(const struct progress *p);
/* "12.3 MiB" */
void progress_human(char *dst, size_t n, unsigned long long bytes);

#endif
