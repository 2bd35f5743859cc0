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

/* What a status means, in a few words (for a manifest's "error"). */
static inline const char *
status_text(enum exit_status st)
{
	switch (st) {
	case exit_ok:
		return "ok";
	case exit_failure:
		return "network or HTTP failure";
	case exit_usage:
		return "usage error";
	case exit_mismatch:
		return "the items do not add up";
	case exit_auth:
		return "authentication or TLS failure";
	case exit_throttled:
		return "rate-limited: the server kept refusing requests";
	case exit_output:
		return "output error";
	case exit_protocol:
		return "unusable response";
	default:
		return "interrupted";
	}
}

#endif
