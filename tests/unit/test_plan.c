/*
 * test_plan.c - page arithmetic at its edges: 0, 1, page boundaries and
 * totals near 2^63.
 */
#include <limits.h>

#include "plan.h"
#include "tap.h"

static int
expect(const struct plan *p, long long seq, long long min, long long max)
{
	long long a, b;

	plan_expect(p, seq, &a, &b);
	if (a == min && b == max)
		return 1;
	printf("# page %lld: expected %lld..%lld, got %lld..%lld\n", seq, min, max,
	    a, b);
	return 0;
}

int
main(void)
{
	struct plan p;
	long long off;

	ok(plan_make(&p, 0, -1, 100) == 0 && p.npages == 1 &&
	    expect(&p, 0, 0, 0), "total 0: one page, empty");
	ok(plan_make(&p, 1, -1, 100) == 0 && p.npages == 1 &&
	    expect(&p, 0, 1, 1), "total 1: one page of 1");
	ok(plan_make(&p, 100, -1, 100) == 0 && p.npages == 1 &&
	    expect(&p, 0, 100, 100), "total 100 by 100: one full page");
	ok(plan_make(&p, 101, -1, 100) == 0 && p.npages == 2 &&
	    expect(&p, 0, 100, 100) && expect(&p, 1, 1, 1),
	    "total 101 by 100: a full page, then 1");
	ok(plan_make(&p, 1037, -1, 100) == 0 && p.npages == 11 &&
	    expect(&p, 9, 100, 100) && expect(&p, 10, 37, 37),
	    "total 1037 by 100: 10 full pages, then 37");
	ok(expect(&p, 11, 0, 100), "past the plan: anything up to a page");
	ok(plan_make(&p, -1, 5, 30) == 0 && p.npages == 5 &&
	    expect(&p, 3, 30, 30) && expect(&p, 4, 1, 30),
	    "5 pages: full ones, then the last holds 1..30");
	ok(plan_make(&p, -1, 1, 30) == 0 && expect(&p, 0, 0, 30),
	    "1 page: 0..30");
	ok(plan_make(&p, -1, 0, 30) == 0 && p.npages == 1,
	    "0 pages: the first page alone");
	ok(plan_make(&p, -1, -1, 30) == 0 && p.npages == -1 &&
	    expect(&p, 7, 0, 30), "no plan: anything up to a page");
	ok(plan_make(&p, 10, -1, 0) < 0, "a page size of 0 is refused");

	ok(plan_make(&p, LLONG_MAX, -1, 100) < 0,
	    "total 2^63-1 by 100: the last page would end past 2^63-1");
	ok(plan_make(&p, 9223372036854775700LL, -1, 100) == 0 &&
	    p.npages == 92233720368547757LL, "total 2^63-108 by 100: pageable");
	ok(plan_offset(&p, p.npages - 1, &off) == 0 &&
	    off == 9223372036854775600LL, "and its last offset fits");
	ok(expect(&p, p.npages - 1, 100, 100), "and its last page is full");
	ok(plan_make(&p, LLONG_MAX, -1, 1) < 0,
	    "total 2^63-1 by 1: one job more would overflow");
	ok(plan_make(&p, -1, LLONG_MAX, 30) < 0,
	    "X-Total-Pages 2^63-1 by 30: refused");
	ok(plan_make(&p, -1, LLONG_MAX / 30, 30) == 0,
	    "the largest page count that fits: accepted");
	ok(plan_make(&p, -1, LLONG_MAX / 30 + 1, 30) < 0,
	    "one more: refused");
	ok(plan_make(&p, 9223372036854775800LL, -1, 100) == 0 &&
	    p.npages == 92233720368547758LL, "total near 2^63: no overflow");
	plan_make(&p, -1, -1, 100);
	ok(plan_offset(&p, LLONG_MAX / 100, &off) == 0 &&
	    plan_offset(&p, LLONG_MAX / 100 + 1, &off) < 0,
	    "offsets past 2^63-1 are refused");
	ok(plan_offset(&p, -1, &off) < 0, "a negative page is refused");
	return tap_done();
}
