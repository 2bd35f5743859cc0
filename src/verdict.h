/*
 * verdict.h - what one HTTP response means for its page: a page to parse,
 * or a failure with the exit status it deserves and a message fit for the
 * person at the terminal, plus what the response says about trying again
 * (retry.h decides whether to).
 *
 * Never retries, sleeps or parses a body; reads only the response's status,
 * headers and first bytes.
 */
#ifndef INVDUMP_VERDICT_H
#define INVDUMP_VERDICT_H

#include <stddef.h>

#include "http.h"
#include "retry.h"
#include "status.h"

/*
 * exit_ok when res is a response whose body is the page (a 2xx, or a body
 * the parser stopped); otherwise the status for this failure, with
 * "WHERE: GET URL: why" in msg (the URL redacted).
 */
enum exit_status verdict_response(struct http_client *h,
    const struct http_result *res, const char *where, char *msg,
    size_t msgsz);

/* Fills sig (status, curl code, rate-limit signs) and *hint_ms (what the
 * server asked us to wait, or -1) from the response. */
void verdict_signal(struct http_client *h, const struct http_result *res,
    struct retry_signal *sig, long *hint_ms);

/* The quota a response announced: 1 with the requests left and the
 * seconds until they are renewed (RateLimit-Remaining/-Reset, or
 * X-RateLimit-*; a Reset past a year's worth of seconds is a Unix time,
 * now being the Unix time), 0 when it announced none. */
int verdict_quota(struct http_client *h, long long now, long long *remaining,
    double *reset_s);

#endif
