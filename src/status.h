/*
 * status.h - invdump's exit statuses, shared by every module that can end a
 * run.  They are documented in README and man/invdump.1; keep all three in
 * step.  A run ends with the most serious status it met.
 */
#ifndef INVDUMP_STATUS_H
#define INVDUMP_STATUS_H

enum exit_status {
	exit_ok = 0,            /* every item written, verified, published */
	exit_failure = 1,       /* network or HTTP failure; nothing published */
	exit_usage = 2,         /* bad flag, bad URL */
	exit_mismatch = 3,      /* published, but the item count does not match
	                           the total (or the total changed) */
	exit_auth = 4,          /* HTTP 401/403, TLS verification failure */
	exit_throttled = 5,     /* gave up: rate-limited past --retries */
	exit_output = 6,        /* could not write, sync or publish the output */
	exit_protocol = 7,      /* a response we cannot use: not JSON, wrong
	                           shape, no total, over a size limit */
	exit_interrupted = 130  /* SIGINT/SIGTERM: 128 + signal number */
};

#endif
