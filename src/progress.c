/*
 * progress.c - the progress line (see progress.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "progress.h"

void
progress_init(struct progress *p, enum progress_mode mode)
{
	p->mode = mode;
	p->shown = 0;
	p->start = p->last = clock_now();
	p->total = -1;
}

void
progress_total(struct progress *p, long long total)
{
	p->total = total;
}

double
progress_elapsed(const struct progress *p)
{
	return clock_now() - p->start;
}

void
progress_human(char *dst, size_t n, unsigned long long bytes)
{
	if (bytes >= 10ULL << 30)
		snprintf(dst, n, "%.1f GiB", bytes / 1073741824.0);
	else if (bytes >= 10ULL << 20)
		snprintf(dst, n, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(dst, n, "%.1f KiB", bytes / 1024.0);
}

/* "1234 of 5000 items (24%)" or "1234 items", and the ETA if known. */
static int
progress_line(const struct progress *p, const struct progress_counts *c,
    double secs, char *line, size_t n)
{
	double rate = secs > 0 ? c->items / secs : 0;
	char size[32], eta[32] = "";
	int k;

	progress_human(size, sizeof size, c->bytes);
	if (p->total > 0 && rate > 0 && c->items < p->total)
		snprintf(eta, sizeof eta, ", ETA %.0f s",
		    (p->total - c->items) / rate);
	if (p->total > 0)
		k = snprintf(line, n, "invdump: %lld of %lld items (%lld%%)",
		    c->items, p->total, c->items * 100 / p->total);
	else
		k = snprintf(line, n, "invdump: %lld items", c->items);
	if (k < 0 || (size_t)k >= n)
		return k;
	return k + snprintf(line + k, n - (size_t)k, ", %.0f/s, %s, %ld in "
	    "flight, %ld retries, %ld throttled, %.1f s%s", rate, size,
	    c->inflight, c->retries, c->throttles, secs, eta);
}

void
progress_update(struct progress *p, const struct progress_counts *c)
{
	char line[256];
	double now;
	int n;

	if (p->mode == progress_off)
		return;
	now = clock_now();
	if (now - p->last < (p->mode == progress_tty ? 0.2 :
	    PROGRESS_PLAIN_SECONDS))
		return;
	p->last = now;
	if (p->mode == progress_tty) {
		line[0] = '\r';
		n = snprintf(line + 1, sizeof line - 1, "\033[K");
		n = progress_line(p, c, now - p->start, line + 4,
		    sizeof line - 4);
		if (n > 0 && (size_t)n < sizeof line - 4 &&
		    write(STDERR_FILENO, line, (size_t)n + 4) > 0)
			p->shown = 1;
		return;
	}
	n = progress_line(p, c, now - p->start, line, sizeof line - 1);
	if (n > 0 && (size_t)n < sizeof line - 1) {
		line[n] = '\n';
		if (write(STDERR_FILENO, line, (size_t)n + 1) < 0)
			return;
	}
}

void
progress_done(struct progress *p)
{
	if (p->shown && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		return;
	p->shown = 0;
}
