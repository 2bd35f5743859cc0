/*
 * reply.c - building and queueing answers (see reply.h).
 *
 * Every body is built whole in a buf and handed to MHD with its length, so
 * answers carry a Content-Length and keep-alive works; only the faults and
 * /truth stream through content readers.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "../../src/xalloc.h"
#include "faults.h"
#include "reply.h"

#define URL_MAX_ARGS 8

const char *
reply_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

const char *
reply_hdr(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int
reply_arg_u64(struct req *r, const char *name, uint64_t *v)
{
	const char *s = reply_arg(r, name);
	uint64_t x = 0;

	if (s == NULL)
		return 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) || x > (INT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 1;
}

int
reply_gzip_ok(struct req *r)
{
	const char *ae = reply_hdr(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	const char *p, *end, *semi;
	size_t n;

	if (ae == NULL)
		return 0;
	for (p = ae; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		semi = memchr(p, ';', (size_t)(end - p));
		n = (size_t)((semi ? semi : end) - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!((n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(p, "x-gzip", 6) == 0) ||
		    (n == 1 && *p == '*')))
			continue;
		if (semi != NULL) {
			/* q=0, q=0.0, q=0.000 refuse it */
			const char *q = semi + 1;

			while (*q == ' ')
				q++;
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=' &&
			    strtod(q + 2, NULL) == 0.0)
				return 0;
		}
		return 1;
	}
	return 0;
}

void
reply_gzip(const char *p, size_t n, struct buf *out)
{
	z_stream zs;
	char *dst;
	uLong bound;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "mockapi: deflateInit2 failed\n");
		abort();
	}
	bound = deflateBound(&zs, (uLong)n) + 32;
	if ((dst = buf_reserve(out, bound)) == NULL)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)p;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)dst;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		fprintf(stderr, "mockapi: deflate did not finish\n");
		abort();
	}
	out->len += bound - zs.avail_out;
	deflateEnd(&zs);
}

struct MHD_Response *
reply_body(struct req *r, struct buf *body, const char *ctype, int list)
{
	struct MHD_Response *resp;
	struct buf gz;
	int fault = list ? r->fault : fault_none, enc = 0;
	char *data = body->data;
	size_t len = body->len;

	body->data = NULL;
	body->len = body->cap = 0;
	if (fault == fault_gzip_trunc || fault == fault_gzip_half ||
	    (list && mock_cfg.gzip && r->gzip_ok)) {
		buf_init(&gz, 0);
		reply_gzip(data ? data : "", len, &gz);
		free(data);
		if (fault == fault_gzip_trunc)
			gz.len -= 8;    /* the CRC32 and ISIZE trailer */
		else if (fault == fault_gzip_half)
			gz.len = 10 + (gz.len - 18) / 2;
		data = gz.data;
		len = gz.len;
		enc = 1;
	}
	if (data == NULL)               /* an empty buf owns no memory */
		data = xcalloc(1, 1);
	if (fault == fault_drop || fault == fault_stall)
		resp = fault_stream(fault, data, len);
	else
		resp = MHD_create_response_from_buffer(len, data,
		    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		fprintf(stderr, "mockapi: cannot create a response\n");
		abort();
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (enc)
		MHD_add_response_header(resp,
		    MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return resp;
}

void
reply_header(struct MHD_Response *resp, const char *name, const char *fmt,
    ...)
{
	char v[512];
	va_list ap;
	int n;

	/* Header values here are numbers and dates, well under the size. */
	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v))
		abort();
	MHD_add_response_header(resp, name, v);
}

enum MHD_Result
reply_queue(struct req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (r->quota) {
		reply_header(resp, "RateLimit-Limit", "%.0f",
		    mock_cfg.rate < 1 ? 1 : mock_cfg.rate);
		reply_header(resp, "RateLimit-Remaining", "%lld", r->remaining);
		reply_header(resp, "RateLimit-Reset", "%lld", r->reset);
	}
	if (r->set_cookie[0] != '\0')
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (status == 429)
		atomic_fetch_add(&mock_stats.status_429, 1);
	else if (status >= 500)
		atomic_fetch_add(&mock_stats.status_5xx, 1);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
reply_error(struct req *r, unsigned status, const char *msg)
{
	struct buf b;
	char tmp[32];

	buf_init(&b, 0);
	buf_adds(&b, "{\"error\":");
	data_json_str(&b, msg);
	snprintf(tmp, sizeof(tmp), ",\"status\":%u}", status);
	buf_adds(&b, tmp);
	return reply_queue(r, status,
	    reply_body(r, &b, "application/json", 0));
}

void
reply_origin(struct req *r, struct buf *out)
{
	const char *host = reply_hdr(r, MHD_HTTP_HEADER_HOST);
	const char *p;
	char tmp[32];

	buf_adds(out, mock_cfg.tls ? "https://" : "http://");
	if (host != NULL && *host != '\0' && strlen(host) < 256) {
		for (p = host; *p != '\0'; p++)
			if (!isalnum((unsigned char)*p) &&
			    strchr(".-:[]", *p) == NULL)
				break;
		if (*p == '\0') {
			buf_adds(out, host);
			return;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s:%u", mock_cfg.address, mock_cfg.port);
	buf_adds(out, tmp);
}

void
reply_link_origin(struct req *r, struct buf *out)
{
	if (mock_cfg.next_origin != NULL)
		buf_adds(out, mock_cfg.next_origin);
	else
		reply_origin(r, out);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether the raw (percent-encoded) key k[0..n-1] decodes to name. */
static int
key_is(const char *k, size_t n, const char *name)
{
	size_t i;
	int c;

	for (i = 0; i < n; i++, name++) {
		c = (unsigned char)k[i];
		if (c == '%' && i + 2 < n && hexval(k[i + 1]) >= 0 &&
		    hexval(k[i + 2]) >= 0) {
			c = hexval(k[i + 1]) << 4 | hexval(k[i + 2]);
			i += 2;
		} else if (c == '+')
			c = ' ';
		if (*name == '\0' || (unsigned char)*name != c)
			return 0;
	}
	return *name == '\0';
}

void
reply_url(struct req *r, struct buf *out, ...)
{
	const char *keys[URL_MAX_ARGS], *vals[URL_MAX_ARGS];
	const char *q, *seg, *end, *eq;
	int used[URL_MAX_ARGS] = { 0 };
	int nk = 0, k;
	char sep = '?';
	va_list ap;

	va_start(ap, out);
	while (nk < URL_MAX_ARGS &&
	    (keys[nk] = va_arg(ap, const char *)) != NULL) {
		vals[nk] = va_arg(ap, const char *);
		nk++;
	}
	va_end(ap);

	reply_link_origin(r, out);
	q = strchr(r->uri, '?');
	buf_add(out, r->uri, q ? (size_t)(q - r->uri) : strlen(r->uri));
	for (seg = q ? q + 1 : NULL; seg != NULL; seg = *end ? end + 1 : NULL) {
		if ((end = strchr(seg, '&')) == NULL)
			end = seg + strlen(seg);
		if (end == seg)
			continue;
		if ((eq = memchr(seg, '=', (size_t)(end - seg))) == NULL)
			eq = end;
		for (k = 0; k < nk; k++)
			if (key_is(seg, (size_t)(eq - seg), keys[k]))
				break;
		if (k < nk) {
			used[k] = 1;
			if (vals[k] == NULL)
				continue;
			buf_addc(out, sep);
			buf_add(out, seg, (size_t)(eq - seg));
			buf_addc(out, '=');
			buf_adds(out, vals[k]);
		} else {
			buf_addc(out, sep);
			buf_add(out, seg, (size_t)(end - seg));
		}
		sep = '&';
	}
	for (k = 0; k < nk; k++) {
		if (used[k] || vals[k] == NULL)
			continue;
		buf_addc(out, sep);
		buf_adds(out, keys[k]);
		buf_addc(out, '=');
		buf_adds(out, vals[k]);
		sep = '&';
	}
}
