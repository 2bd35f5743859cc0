/*
 * fail.c - an export's failure, warnings and stop (see fail.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "export.h"
#include "fail.h"
#include "log.h"
#include "run.h"
#include "thread.h"
#include "xalloc.h"

void
fail_run(struct export *ex, enum exit_status st, const char *msg)
{
	int zero = 0;

	thread_lock(&ex->fail_lock);
	if (ex->fail_status == exit_ok) {
		ex->fail_status = st;
		snprintf(ex->fail_msg, sizeof ex->fail_msg, "%s", msg);
	}
	thread_unlock(&ex->fail_lock);
	/* Stop every other page now: their work can no longer be used. */
	if (st != exit_interrupted)
		atomic_compare_exchange_strong(ex->stop, &zero, STOP_FAILED);
}

void
fail_warn(struct export *ex, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warn("%s", msg);
	thread_lock(&ex->fail_lock);
	if (ex->nwarnings < (int)(sizeof ex->warnings / sizeof *ex->warnings))
		ex->warnings[ex->nwarnings++] = xstrdup(msg);
	thread_unlock(&ex->fail_lock);
}

int
fail_output(struct export *ex, enum writer_status st)
{
	switch (st) {
	case writer_ok:
		return 0;
	case writer_closed:
		ex->closed = 1;
		return -1;
	case writer_error:
		break;
	}
	fail_run(ex, exit_output, "");
	return -1;
}
