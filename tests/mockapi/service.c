/*
 * service.c - the endpoints that are not lists: /truth, /stats, /redirect,
 * /redirect-keep, /status/NNN.  They are never delayed, rate limited,
 * faulted or counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/xalloc.h"
#include "profiles.h"
#include "reply.h"

#define TRUTH_CHUNK (64 * 1024)

struct truth {
	struct data_view v;
	uint64_t pos;           /* next item to encode */
	struct buf b;           /* encoded, not yet handed to MHD */
	size_t off;             /* of b, already handed */
};

static ssize_t
truth_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct truth *t = cls;
	size_t n;

	(void)pos;
	if (t->off == t->b.len) {
		buf_reset(&t->b);
		t->off = 0;
		data_truth(&t->b, &t->v, &t->pos, TRUTH_CHUNK);
		if (t->b.len == 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = t->b.len - t->off < max ? t->b.len - t->off : max;
	memcpy(out, t->b.data + t->off, n);
	t->off += n;
	return (ssize_t)n;
}

static void
truth_free(void *cls)
{
	struct truth *t = cls;

	buf_free(&t->b);
	free(t);
}

/* The canonical NDJSON of the whole dataset as it is now, streamed
 * (chunked) so that its size does not matter. */
enum MHD_Result
svc_truth(struct req *r)
{
	struct MHD_Response *resp;
	struct truth *t = xcalloc(1, sizeof(*t));

	t->v = r->view;
	buf_init(&t->b, 0);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    TRUTH_CHUNK, truth_read, t, truth_free);
	if (resp == NULL)
		abort();
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	return reply_queue(r, 200, resp);
}

enum MHD_Result
svc_stats(struct req *r)
{
	struct buf b;
	char *s;

	s = xasprintf("{\"requests\":%llu,\"connections\":%llu,"
	    "\"status_429\":%llu,\"status_5xx\":%llu,\"faults\":%llu,"
	    "\"drifted\":%d,\"items\":%llu,\"resets\":%llu,"
	    "\"peak_latency\":%llu}",
	    (unsigned long long)atomic_load(&mock_stats.requests),
	    (unsigned long long)atomic_load(&mock_stats.connections),
	    (unsigned long long)atomic_load(&mock_stats.status_429),
	    (unsigned long long)atomic_load(&mock_stats.status_5xx),
	    (unsigned long long)atomic_load(&mock_stats.faults),
	    data_drifted(), (unsigned long long)r->view.n,
	    (unsigned long long)atomic_load(&mock_stats.resets),
	    (unsigned long long)atomic_load(&mock_stats.peak_sleeping));
	buf_init(&b, 0);
	buf_adds(&b, s);
	free(s);
	return reply_queue(r, 200, reply_body(r, &b, "application/json", 0));
}

/* 302 to ?to=URL; keep: with this request's other query parameters (raw,
 * in their order) appended to URL's. */
static enum MHD_Result
redirect(struct req *r, int keep)
{
	struct MHD_Response *resp;
	const char *to = reply_arg(r, "to");
	const char *q = strchr(r->uri, '?'), *seg, *end;
	struct buf b, loc;
	char sep;

	if (to == NULL || *to == '\0' || strpbrk(to, "\r\n") != NULL)
		return reply_error(r, 400, "redirect needs ?to=URL");
	buf_init(&loc, 0);
	buf_adds(&loc, to);
	sep = strchr(to, '?') != NULL ? '&' : '?';
	for (seg = keep && q ? q + 1 : NULL; seg != NULL;
	    seg = *end ? end + 1 : NULL) {
		if ((end = strchr(seg, '&')) == NULL)
			end = seg + strlen(seg);
		if (end == seg || (end - seg >= 3 && strncmp(seg, "to=", 3) == 0))
			continue;
		buf_addc(&loc, sep);
		buf_add(&loc, seg, (size_t)(end - seg));
		sep = '&';
	}
	buf_init(&b, 0);
	buf_adds(&b, "{\"location\":");
	data_json_str(&b, buf_cstr(&loc));
	buf_addc(&b, '}');
	resp = reply_body(r, &b, "application/json", 0);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
	    buf_cstr(&loc));
	buf_free(&loc);
	return reply_queue(r, 302, resp);
}

enum MHD_Result
svc_redirect(struct req *r)
{
	return redirect(r, 0);
}

enum MHD_Result
svc_redirect_keep(struct req *r)
{
	return redirect(r, 1);
}

enum MHD_Result
svc_status(struct req *r)
{
	struct MHD_Response *resp;
	const char *s = r->path + strlen("/status/");
	struct buf b;
	char *end, *body;
	unsigned long st;

	st = strtoul(s, &end, 10);
	if (end == s || *end != '\0' || st < 200 || st > 599)
		return reply_error(r, 400, "status must be 200..599");
	buf_init(&b, 0);
	if (st != 204 && st != 304) {
		body = xasprintf("{\"status\":%lu,\"error\":\"status %lu "
		    "on request\"}", st, st);
		buf_adds(&b, body);
		free(body);
	}
	resp = reply_body(r, &b, "application/json", 0);
	if (st == 429 || st == 503)
		MHD_add_response_header(resp, "Retry-After", "1");
	if (st == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Basic realm=\"mock\"");
	return reply_queue(r, (unsigned)st, resp);
}
