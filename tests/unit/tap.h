/*
 * tap.h - the smallest TAP producer, for Automake's tap-driver.sh.
 *
 * ok() prints one "ok N - name" or "not ok N - name" line; tap_done()
 * prints the plan and returns the exit status (0 only if all passed).
 */
#ifndef INVDUMP_TAP_H
#define INVDUMP_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static int tap_ok(int cond, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

static void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));

static void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define ok tap_ok

#endif
