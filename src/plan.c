/*
 * plan.c - page arithmetic (see plan.h).
 */
#include <limits.h>

#include "plan.h"

int
plan_make(struct plan *p, long long total, long long pages, long page_size)
{
	p->total = total;
	p->pages = pages;
	p->page_size = page_size;
	p->npages = -1;
	if (page_size <= 0)
		return -1;
	if (total >= 0) {
		/* ceil(total / page_size) without total + page_size - 1. */
		p->npages = total / page_size + (total % page_size != 0);
		if (p->npages == 0)
			p->npages = 1;  /* the first page, empty */
	} else if (pages >= 0)
		p->npages = pages > 0 ? pages : 1;
	/* Every offset, the first item past the last page, and one job more
	 * (the re-read of the total) must fit. */
	if (p->npages > (LLONG_MAX - 1) / page_size)
		return -1;
	return 0;
}

int
plan_offset(const struct plan *p, long long seq, long long *offset)
{
	if (seq < 0 || p->page_size <= 0 || seq > LLONG_MAX / p->page_size)
		return -1;
	*offset = seq * p->page_size;
	return 0;
}

void
plan_expect(const struct plan *p, long long seq, long long *min,
    long long *max)
{
	long long off, left;

	*min = 0;
	*max = p->page_size;
	if (p->npages < 0 || seq >= p->npages)
		return;
	if (seq < p->npages - 1) {
		*min = p->page_size;
		return;
	}
	if (p->total >= 0) {
		/* the last page: what is left (seq * page_size fits: plan_make) */
		off = seq * p->page_size;
		left = p->total - off;
		*min = *max = left < p->page_size ? left : p->page_size;
	} else
		*min = p->npages > 1 ? 1 : 0;
}
