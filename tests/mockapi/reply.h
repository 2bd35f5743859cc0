/*
 * reply.h - building and queueing answers: query arguments, JSON bodies,
 * optional gzip, absolute URLs for next links, status counters.
 */
#ifndef MOCKAPI_REPLY_H
#define MOCKAPI_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "mockapi.h"

/* A query argument (decoded) or NULL. */
const char *reply_arg(struct req *r, const char *name);
/* A request header or NULL. */
const char *reply_hdr(struct req *r, const char *name);
/* Whether Accept-Encoding allows gzip (a q=0 refuses it). */
int reply_gzip_ok(struct req *r);
/* Parses a decimal argument: 0 when absent (*v untouched), 1 when read,
 * -1 when present but not a number in [0, 2^63). */
int reply_arg_u64(struct req *r, const char *name, uint64_t *v);

/*
 * Makes a response from body (its memory is taken over, the buf is left
 * empty).  List bodies (list != 0) are gzip'd when --gzip is on and the
 * client accepts it, and get r->fault's body fault applied.
 */
struct MHD_Response *reply_body(struct req *r, struct buf *body,
    const char *ctype, int list);
void reply_header(struct MHD_Response *resp, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Queues and releases resp; counts 429 and 5xx answers. */
enum MHD_Result reply_queue(struct req *r, unsigned status,
    struct MHD_Response *resp);
/* Queues {"error":msg} with the given status. */
enum MHD_Result reply_error(struct req *r, unsigned status, const char *msg);

/*
 * Appends the absolute URL of this request (on reply_link_origin()) with
 * some query arguments set:
 * the NULL-terminated list holds key, value pairs; a key already in the
 * query keeps its place, others are appended; a NULL value removes the key.
 * Values must already be URL-safe.
 */
void reply_url(struct req *r, struct buf *out, ...)
    __attribute__((sentinel));
/* Appends "http://host" for this request (its Host header when sane);
 * "https://host" when serving TLS. */
void reply_origin(struct req *r, struct buf *out);
/* The origin of the links the server writes: --next-origin when given,
 * else reply_origin(). */
void reply_link_origin(struct req *r, struct buf *out);

/* Appends a whole gzip member (RFC 1952) holding p[0..n-1] to out. */
void reply_gzip(const char *p, size_t n, struct buf *out);

#endif
