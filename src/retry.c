/*
 * retry.c - retry verdicts, backoff and server hints (see retry.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "retry.h"
#include "total.h"
#include "thread.h"

int
retry_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:  /* also the stall limit */
	case CURLE_PARTIAL_FILE:        /* body shorter than Content-Length */
	case CURLE_RECV_ERROR:          /* reset, broken chunking */
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING: /* a gzip body cut short */
	case CURLE_WEIRD_SERVER_REPLY:
		return 1;
	default:
		/* TLS verification, too many redirects, a refused protocol,
		 * bad options: trying again would fail the same way. */
		return 0;
	}
}

enum retry_verdict
retry_classify(const struct retry_signal *s)
{
	/* A handshake cut by the network (a reset, a closed socket) is the
	 * network's failure, not TLS's: libcurl reports both alike. */
	if (s->curl == CURLE_SSL_CONNECT_ERROR && s->os_errno != 0)
		return retry_verdict_yes;
	if (s->curl != CURLE_OK)
		return retry_transient(s->curl) ? retry_verdict_yes :
		    retry_verdict_no;
	if (s->truncated)
		return retry_verdict_yes;
	switch (s->status) {
	case 429:
		return retry_verdict_throttled;
	case 403:
		/* GitHub's rate limits: X-RateLimit-Remaining: 0, or (the
		 * secondary limit) Retry-After. */
		return s->ratelimit_exhausted || s->retry_after ?
		    retry_verdict_throttled : retry_verdict_no;
	case 408:
	case 425:
	case 500:
	case 502:
	case 503:
	case 504:
		return retry_verdict_yes;
	default:
		return retry_verdict_no;
	}
}

long
retry_delay_ms(int attempt, long hint_ms, long base_ms, long cap_ms,
    unsigned int *seed)
{
	long ceiling = base_ms;
	int i;

	if (hint_ms >= 0)
		return hint_ms > cap_ms ? cap_ms : hint_ms;
	for (i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	/* Full jitter: anywhere between nothing and the ceiling. */
	return (long)((double)rand_r(seed) / ((double)RAND_MAX + 1) *
	    (ceiling + 1));
}

long
retry_hint_ms(long long retry_after_s, const char *reset, long long now)
{
	long long v;

	if (retry_after_s > 0)
		return (long)(retry_after_s > 86400 ? 86400000 :
		    retry_after_s * 1000);
	if (reset != NULL && total_parse_count(reset, &v) == 0) {
		if (v > 365LL * 86400)  /* a Unix time (GitHub's style) */
			v = v > now ? v - now : 0;
		return (long)(v > 86400 ? 86400000 : v * 1000);
	}
	return -1;
}

int
retry_sleep_ms(long ms, const atomic_int *cancel)
{
	struct timespec ts;
	long step;

	while (ms > 0) {
		if (cancel != NULL && atomic_load(cancel))
			return -1;
		step = ms > 100 ? 100 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = step * 1000000L;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return cancel != NULL && atomic_load(cancel) ? -1 : 0;
}
