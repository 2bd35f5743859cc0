/*
 * progress.c - the progress line (see progress.h).
 */
#include <stdio.h>
#include <unistd.h>

#include "progress.h"
#include "retry.h"

void
progress_init(struct progress *p, int on)
{
	p->on = on;
	p->shown = 0;
	p->start = p->last = retry_now();
	p->total = -1;
}

void
progress_total(struct progress *p, long long total)
{
	p->total = total;
}

static void
human(char *dst, size_t n, unsigned long long bytes)
{
	if (bytes >= 10ULL << 30)
		snprintf(dst, n, "%.1f GiB", bytes / 1073741824.0);
	else if (bytes >= 10ULL << 20)
		snprintf(dst, n, "%.1f MiB", bytes / 1048576.0);
	else
		snprintf(dst, n, "%.1f KiB", bytes / 1024.0);
}

void
progress_update(struct progress *p, long long items, unsigned long long bytes)
{
	char line[160], size[32];
	double now;
	int n;

	if (!p->on)
		return;
	now = retry_now();
	if (now - p->last < 0.2)
		return;
	p->last = now;
	human(size, sizeof size, bytes);
	if (p->total > 0)
		n = snprintf(line, sizeof line, "\r\033[Kinvdump: %lld of %lld "
		    "items (%lld%%), %s written, %.1f s", items, p->total,
		    items * 100 / p->total, size, now - p->start);
	else
		n = snprintf(line, sizeof line, "\r\033[Kinvdump: %lld items, "
		    "%s written, %.1f s", items, size, now - p->start);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) > 0)
		p->shown = 1;
}

void
progress_done(struct progress *p)
{
	if (p->shown && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		return;
	p->shown = 0;
}
