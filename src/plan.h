/*
 * plan.h - the arithmetic of pages: how many, where each starts, how many
 * items each must hold.
 *
 * Everything is overflow-checked: a total or page count sent by a server is
 * data, and 2^63 - 1 is a value like any other.  This module only counts;
 * it never does I/O and never decides what to tell the person.
 */
#ifndef INVDUMP_PLAN_H
#define INVDUMP_PLAN_H

struct plan {
	long long total;        /* items announced; -1: unknown */
	long long pages;        /* pages announced; -1: unknown */
	long page_size;         /* items per page, as the server really pages */
	long long npages;       /* pages to fetch; -1: unknown (probe) */
};

/*
 * Fills p from what the first page said: a total (or -1), a page count (or
 * -1) and the page size.  Returns 0, or -1 when the pages cannot be
 * numbered: an offset or a page number would pass 2^63 - 1, or page_size
 * is not positive.
 */
int plan_make(struct plan *p, long long total, long long pages,
    long page_size);

/* The offset of page seq in *offset: 0, or -1 on overflow. */
int plan_offset(const struct plan *p, long long seq, long long *offset);

/*
 * How many items page seq must hold if nothing changes on the server:
 * *min..*max.  Every page before the last is full; the last holds what is
 * left of the total, or (with only a page count) 1..page_size; without a
 * plan, anything up to page_size.
 */
void plan_expect(const struct plan *p, long long seq, long long *min,
    long long *max);

#endif
