/*
 * verdict.c - what a response means (see verdict.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "total.h"
#include "verdict.h"

/* A failure of TLS itself (exit_auth), as opposed to the network under it:
 * a handshake cut by a reset is the network's (and retried). */
static int
verdict_tls_error(CURLcode rc, long os_errno)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
		return os_errno == 0;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
		return 1;
	default:
		return 0;
	}
}

static int
ratelimit_exhausted(struct http_client *h)
{
	const char *v = http_header(h, "X-RateLimit-Remaining");
	long long n;

	if (v == NULL)
		v = http_header(h, "RateLimit-Remaining");
	return v != NULL && total_parse_count(v, &n) == 0 && n == 0;
}

enum exit_status
verdict_response(struct http_client *h, const struct http_result *res,
    const char *where, char *msg, size_t msgsz)
{
	enum exit_status st;
	char *shown;

	switch (res->outcome) {
	case http_outcome_aborted:
	case http_outcome_ok:
		return exit_ok;
	case http_outcome_cancelled:
		st = exit_interrupted;
		break;
	case http_outcome_refused:
		st = exit_protocol;
		break;
	case http_outcome_transport:
		st = verdict_tls_error(res->curl, res->os_errno) ? exit_auth :
		    exit_failure;
		break;
	case http_outcome_status:
	default:
		st = res->status == 401 || res->status == 403 ? exit_auth :
		    exit_failure;
		break;
	}
	shown = http_effective_url(h);
	if (res->outcome == http_outcome_cancelled)
		snprintf(msg, msgsz, "%s: GET %s: interrupted", where, shown);
	else if (res->outcome != http_outcome_status)
		snprintf(msg, msgsz, "%s: GET %s: %s", where, shown, res->error);
	else
		snprintf(msg, msgsz, "%s: GET %s: HTTP %ld%s (body: \"%s\")",
		    where, shown, res->status,
		    res->status == 401 ? " Unauthorized: check --user" :
		    res->status == 403 ? " Forbidden" :
		    res->status == 404 ? " Not Found" : "", http_snippet(h));
	free(shown);
	return st;
}

void
verdict_signal(struct http_client *h, const struct http_result *res,
    struct retry_signal *sig, long *hint_ms)
{
	const char *reset;

	*hint_ms = -1;
	sig->curl = res->outcome == http_outcome_transport ? res->curl :
	    CURLE_OK;
	sig->os_errno = res->os_errno;
	sig->status = res->status;
	if (res->outcome != http_outcome_status)
		return;
	sig->ratelimit_exhausted = ratelimit_exhausted(h);
	sig->retry_after = http_header(h, "Retry-After") != NULL;
	reset = http_header(h, "RateLimit-Reset");
	if (reset == NULL)
		reset = http_header(h, "X-RateLimit-Reset");
	*hint_ms = retry_hint_ms(res->retry_after, reset, (long long)time(NULL));
}

int
verdict_quota(struct http_client *h, long long now, long long *remaining,
    double *reset_s)
{
	const char *rem = http_header(h, "RateLimit-Remaining");
	const char *reset = http_header(h, "RateLimit-Reset");
	long long r, v;

	if (rem == NULL || reset == NULL) {
		rem = http_header(h, "X-RateLimit-Remaining");
		reset = http_header(h, "X-RateLimit-Reset");
	}
	if (rem == NULL || reset == NULL || total_parse_count(rem, &r) < 0 ||
	    total_parse_count(reset, &v) < 0)
		return 0;
	if (v > 365LL * 86400)  /* a Unix time (GitHub's style) */
		v = v > now ? v - now : 0;
	*remaining = r;
	*reset_s = (double)(v > 86400 ? 86400 : v);
	return 1;
}
