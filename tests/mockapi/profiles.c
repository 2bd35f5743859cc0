/*
 * profiles.c - one handler per pagination convention (see profiles.h).
 *
 * Each handler reads its arguments, works out the page as (offset, count)
 * over the request's dataset snapshot, asks fault_gate() about that offset,
 * and answers with the wire-form items wrapped the way its API does.  Page
 * sizes are clamped to --max-limit; totals always count the whole dataset.
 * A page answered without a fault is counted for the drift (data_served).
 * The small helpers at the top are shared with quirks.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/xalloc.h"
#include "data.h"
#include "faults.h"
#include "profiles.h"
#include "reply.h"

#define JSON "application/json"

#define TAG_CURSOR   0x63757273ULL     /* tokens of one kind never decode */
#define TAG_INFOBLOX 0x69626c78ULL     /* as tokens of another */

uint64_t
prof_clamp(uint64_t lim)
{
	if (mock_cfg.max_limit != 0 && lim > mock_cfg.max_limit)
		return mock_cfg.max_limit;
	return lim;
}

/* How many items a page of lim items at off really holds. */
uint64_t
prof_avail(const struct data_view *v, uint64_t off, uint64_t lim)
{
	if (off >= v->n)
		return 0;
	return lim < v->n - off ? lim : v->n - off;
}

int
prof_flags(const struct req *r)
{
	return r->fault == fault_badutf8 ? DATA_BADUTF8 : 0;
}

void
prof_add_u64(struct buf *b, uint64_t x)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRIu64, x);
	buf_adds(b, tmp);
}

/* Appends the URL as a JSON string, or null when u is empty. */
void
prof_add_url_or_null(struct buf *b, struct buf *u)
{
	if (u->len == 0)
		buf_adds(b, "null");
	else
		data_json_str(b, buf_cstr(u));
}

/* Queues a dataset page; counts it for the drift when no fault touched it. */
enum MHD_Result
prof_serve(struct req *r, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret = reply_queue(r, status, resp);

	if (r->fault == fault_none)
		data_served();
	return ret;
}

/* --- opaque tokens: hex of the offset mixed with the seed, and a check -- */

static void
token_make(char out[32], uint64_t off, uint64_t tag)
{
	uint64_t x = off ^ mock_mix(mock_cfg.seed ^ tag);

	snprintf(out, 32, "%016" PRIx64 "%08" PRIx32, x,
	    (uint32_t)mock_mix(x ^ tag ^ mock_cfg.seed));
}

static int
token_read(const char *s, uint64_t tag, uint64_t *off)
{
	char hex[17], *end;
	uint64_t x;
	char check[32];

	if (strlen(s) != 24)
		return -1;
	memcpy(hex, s, 16);
	hex[16] = '\0';
	x = strtoull(hex, &end, 16);
	if (*end != '\0')
		return -1;
	*off = x ^ mock_mix(mock_cfg.seed ^ tag);
	token_make(check, *off, tag);
	return strcmp(check, s) == 0 ? 0 : -1;
}

/* --- offset/limit with a root array ------------------------------------ */

/* total: 0 none, 1 the true one, 2 --fake-total when given. */
static enum MHD_Result
offset_page(struct req *r, int total)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t off = 0, lim = 100;
	struct buf b;

	if (reply_arg_u64(r, "offset", &off) < 0 ||
	    reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "offset and limit must be numbers");
	lim = prof_clamp(lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, off, lim, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	if (total)
		reply_header(resp, "X-Total-Count", "%" PRIu64,
		    total == 2 && mock_cfg.fake_total_set ?
		    mock_cfg.fake_total : r->view.n);
	return prof_serve(r, 200, resp);
}

enum MHD_Result
prof_offset(struct req *r)
{
	return offset_page(r, 2);
}

enum MHD_Result
prof_nototal(struct req *r)
{
	return offset_page(r, 0);
}

/* resultLimit=OFFSET,LIMIT; without it, everything. */
enum MHD_Result
prof_softlayer(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *rl = reply_arg(r, "resultLimit");
	uint64_t off = 0, lim = r->view.n;
	unsigned long long o, l;
	struct buf b;
	int used;

	if (rl != NULL) {
		if (sscanf(rl, "%llu,%llu%n", &o, &l, &used) != 2 ||
		    rl[used] != '\0' || rl[0] < '0' || rl[0] > '9')
			return reply_error(r, 400,
			    "resultLimit must be OFFSET,LIMIT");
		off = o;
		lim = prof_clamp(l);
	}
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, off, lim, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	reply_header(resp, "softlayer-total-items", "%" PRIu64, r->view.n);
	return prof_serve(r, 200, resp);
}

enum MHD_Result
prof_html(struct req *r)
{
	enum MHD_Result ret;
	struct buf b;

	if (fault_gate(r, 0, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "<!DOCTYPE html>\n<html><head><title>Sign in</title>"
	    "</head>\n<body><h1>Please sign in</h1><p>This is not JSON."
	    "</p></body></html>\n");
	return reply_queue(r, 200, reply_body(r, &b, "text/html", 1));
}

enum MHD_Result
prof_object(struct req *r)
{
	enum MHD_Result ret;
	struct buf b;

	if (fault_gate(r, 0, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"error\":\"something broke\",\"code\":42}");
	return reply_queue(r, 200, reply_body(r, &b, JSON, 1));
}

/* --- PostgREST: Range: A-B (items, inclusive) --------------------------- */

enum MHD_Result
prof_range(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *h = reply_hdr(r, "Range");
	const char *prefer = reply_hdr(r, "Prefer");
	uint64_t n = r->view.n, a = 0, cnt, lim = n;
	unsigned long long x, y;
	char total[24];
	struct buf b;
	int used = 0;

	if (prefer != NULL && strstr(prefer, "count=exact") != NULL)
		snprintf(total, sizeof(total), "%" PRIu64, n);
	else
		strcpy(total, "*");
	if (h != NULL) {
		if (strncmp(h, "items=", 6) == 0)
			h += 6;
		if (h[0] < '0' || h[0] > '9')
			return reply_error(r, 416, "Range must be A-B");
		if (sscanf(h, "%llu-%llu%n", &x, &y, &used) == 2 &&
		    h[used] == '\0' && y >= x) {
			lim = prof_clamp(y - x < UINT64_MAX ? y - x + 1 : y - x);
		} else if (sscanf(h, "%llu-%n", &x, &used) == 1 &&
		    h[used] == '\0') {
			lim = prof_clamp(x < n ? n - x : 0);
		} else
			return reply_error(r, 416, "Range must be A-B");
		a = x;
		if (a >= n && !(a == 0 && n == 0)) {
			buf_init(&b, 0);
			buf_adds(&b, "{\"code\":\"PGRST103\",\"message\":"
			    "\"Requested range not satisfiable\"}");
			resp = reply_body(r, &b, JSON, 0);
			reply_header(resp, "Content-Range", "*/%" PRIu64, n);
			return reply_queue(r, 416, resp);
		}
	}
	cnt = prof_avail(&r->view, a, lim);
	if (fault_gate(r, a, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, a, cnt, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	if (cnt == 0)
		reply_header(resp, "Content-Range", "*/%s", total);
	else
		reply_header(resp, "Content-Range", "%" PRIu64 "-%" PRIu64
		    "/%s", a, a + cnt - 1, total);
	MHD_add_response_header(resp, "Range-Unit", "items");
	return prof_serve(r, a == 0 && cnt == n ? 200 : 206, resp);
}

/* --- GitHub / GitLab: page=P&per_page=S -------------------------------- */

static void
link_add(struct req *r, struct buf *link, const char *rel, uint64_t page,
    uint64_t per)
{
	char p[24], s[24];

	snprintf(p, sizeof(p), "%" PRIu64, page);
	snprintf(s, sizeof(s), "%" PRIu64, per);
	if (link->len != 0)
		buf_adds(link, ", ");
	buf_addc(link, '<');
	reply_url(r, link, "page", p, "per_page", s, NULL);
	buf_adds(link, ">; rel=\"");
	buf_adds(link, rel);
	buf_addc(link, '"');
}

enum MHD_Result
prof_page(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t n = r->view.n, p = 1, per = 30, pages, off;
	struct buf b, link;

	if (reply_arg_u64(r, "page", &p) < 0 ||
	    reply_arg_u64(r, "per_page", &per) < 0 || per == 0)
		return reply_error(r, 400, "page and per_page must be numbers");
	if (p == 0)
		p = 1;
	per = prof_clamp(per);
	pages = n == 0 ? 1 : (n - 1) / per + 1;
	if (mock_cfg.fake_pages != 0)
		pages = mock_cfg.fake_pages;
	off = p - 1 > n / per ? n : (p - 1) * per;
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, off, per, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	buf_init(&link, 0);
	if (p < pages) {
		link_add(r, &link, "next", p + 1, per);
		link_add(r, &link, "last", pages, per);
	}
	if (p > 1) {
		link_add(r, &link, "first", 1, per);
		link_add(r, &link, "prev", p - 1, per);
	}
	if (link.len != 0)
		MHD_add_response_header(resp, "Link", buf_cstr(&link));
	buf_free(&link);
	if (mock_cfg.fake_pages == 0)
		reply_header(resp, "X-Total", "%" PRIu64, n);
	reply_header(resp, "X-Total-Pages", "%" PRIu64, pages);
	reply_header(resp, "X-Page", "%" PRIu64, p);
	reply_header(resp, "X-Per-Page", "%" PRIu64, per);
	if (p < pages)
		reply_header(resp, "X-Next-Page", "%" PRIu64, p + 1);
	if (p > 1)
		reply_header(resp, "X-Prev-Page", "%" PRIu64, p - 1);
	return prof_serve(r, 200, resp);
}

/* --- Django REST framework: {"count","next","previous","results"} ------- */

static enum MHD_Result
drf_page(struct req *r, int late)
{
	enum MHD_Result ret;
	uint64_t off = 0, lim = 100, cnt;
	struct buf b, next, prev;
	char o[24], l[24];

	if (reply_arg_u64(r, "offset", &off) < 0 ||
	    reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "offset and limit must be numbers");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&next, 0);
	buf_init(&prev, 0);
	snprintf(l, sizeof(l), "%" PRIu64, lim);
	if (lim != 0 && off + cnt < r->view.n) {
		snprintf(o, sizeof(o), "%" PRIu64, off + cnt);
		reply_url(r, &next, "limit", l, "offset", o, NULL);
	}
	if (off > 0) {
		snprintf(o, sizeof(o), "%" PRIu64, off > lim ? off - lim : 0);
		reply_url(r, &prev, "limit", l, "offset", o, NULL);
	}
	buf_init(&b, 0);
	if (!late) {
		buf_adds(&b, "{\"count\":");
		prof_add_u64(&b, r->view.n);
		buf_adds(&b, ",\"next\":");
	} else
		buf_adds(&b, "{\n  \"next\": ");
	prof_add_url_or_null(&b, &next);
	buf_adds(&b, late ? ",\n  \"previous\": " : ",\"previous\":");
	prof_add_url_or_null(&b, &prev);
	buf_adds(&b, late ? ",\n  \"results\": " : ",\"results\":");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	if (late) {
		buf_adds(&b, ",\n  \"count\": ");
		prof_add_u64(&b, r->view.n);
		buf_adds(&b, "\n");
	}
	buf_addc(&b, '}');
	buf_free(&next);
	buf_free(&prev);
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

enum MHD_Result
prof_drf(struct req *r)
{
	return drf_page(r, 0);
}

enum MHD_Result
prof_drf_late(struct req *r)
{
	return drf_page(r, 1);
}

/* --- OData: $skip, $top, $count=true ------------------------------------ */

enum MHD_Result
prof_odata(struct req *r)
{
	enum MHD_Result ret;
	const char *count = reply_arg(r, "$count");
	uint64_t off = 0, lim = 100, cnt;
	struct buf b, next;
	char o[24], l[24];

	if (reply_arg_u64(r, "$skip", &off) < 0 ||
	    reply_arg_u64(r, "$top", &lim) < 0)
		return reply_error(r, 400, "$skip and $top must be numbers");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"@odata.context\":\"");
	reply_origin(r, &b);
	buf_adds(&b, "/odata/$metadata#items\"");
	if (count != NULL && strcmp(count, "true") == 0) {
		buf_adds(&b, ",\"@odata.count\":");
		prof_add_u64(&b, r->view.n);
	}
	buf_adds(&b, ",\"value\":");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	if (lim != 0 && off + cnt < r->view.n) {
		buf_init(&next, 0);
		snprintf(o, sizeof(o), "%" PRIu64, off + cnt);
		snprintf(l, sizeof(l), "%" PRIu64, lim);
		reply_url(r, &next, "$skip", o, "$top", l, NULL);
		buf_adds(&b, ",\"@odata.nextLink\":");
		data_json_str(&b, buf_cstr(&next));
		buf_free(&next);
	}
	buf_addc(&b, '}');
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

/* --- SCIM 2.0: startIndex (1-based), count ------------------------------ */

enum MHD_Result
prof_scim(struct req *r)
{
	enum MHD_Result ret;
	uint64_t start = 1, lim = 100, cnt;
	struct buf b;

	if (reply_arg_u64(r, "startIndex", &start) < 0 ||
	    reply_arg_u64(r, "count", &lim) < 0)
		return reply_error(r, 400, "startIndex and count must be "
		    "numbers");
	if (start == 0)
		start = 1;
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, start - 1, lim);
	if (fault_gate(r, start - 1, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:"
	    "ListResponse\"],\"totalResults\":");
	prof_add_u64(&b, r->view.n);
	buf_adds(&b, ",\"itemsPerPage\":");
	prof_add_u64(&b, cnt);
	buf_adds(&b, ",\"startIndex\":");
	prof_add_u64(&b, start);
	buf_adds(&b, ",\"Resources\":");
	data_array(&b, &r->view, start - 1, cnt, prof_flags(r));
	buf_addc(&b, '}');
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

/* --- cursors ------------------------------------------------------------ */

/* {"data":[...],"next_cursor":"tok"|null} and a Link rel="next"; loop: the
 * third page hands out the second page's cursor again. */
static enum MHD_Result
cursor_page(struct req *r, int loop)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *tok = reply_arg(r, "cursor");
	uint64_t off = 0, lim = 100, cnt, nextoff;
	struct buf b, link;
	char next[32], l[24];

	if (reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "limit must be a number");
	if (tok != NULL && *tok != '\0' &&
	    token_read(tok, TAG_CURSOR, &off) < 0)
		return reply_error(r, 400, "invalid cursor");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	nextoff = off + cnt;
	if (loop && lim != 0 && off == 2 * lim)
		nextoff = lim;
	next[0] = '\0';
	if (lim != 0 && off + cnt < r->view.n)
		token_make(next, nextoff, TAG_CURSOR);
	buf_init(&b, 0);
	buf_adds(&b, "{\"data\":");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	buf_adds(&b, ",\"next_cursor\":");
	if (next[0] != '\0') {
		buf_addc(&b, '"');
		buf_adds(&b, next);
		buf_addc(&b, '"');
	} else
		buf_adds(&b, "null");
	buf_addc(&b, '}');
	resp = reply_body(r, &b, JSON, 1);
	if (next[0] != '\0') {
		snprintf(l, sizeof(l), "%" PRIu64, lim);
		buf_init(&link, 0);
		buf_addc(&link, '<');
		reply_url(r, &link, "limit", l, "cursor", next, NULL);
		buf_adds(&link, ">; rel=\"next\"");
		MHD_add_response_header(resp, "Link", buf_cstr(&link));
		buf_free(&link);
	}
	return prof_serve(r, 200, resp);
}

enum MHD_Result
prof_cursor(struct req *r)
{
	return cursor_page(r, 0);
}

enum MHD_Result
prof_cursor_loop(struct req *r)
{
	return cursor_page(r, 1);
}

/* {"next":URL|null,"results":[...]}; after=K skips the first K items. */
enum MHD_Result
prof_cursor_url(struct req *r)
{
	enum MHD_Result ret;
	uint64_t off = 0, lim = 100, cnt;
	struct buf b, next;
	char a[24], l[24];

	if (reply_arg_u64(r, "limit", &lim) < 0 ||
	    reply_arg_u64(r, "after", &off) < 0)
		return reply_error(r, 400, "limit and after must be numbers");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&next, 0);
	if (lim != 0 && off + cnt < r->view.n) {
		snprintf(a, sizeof(a), "%" PRIu64, off + cnt);
		snprintf(l, sizeof(l), "%" PRIu64, lim);
		reply_url(r, &next, "limit", l, "after", a, NULL);
	}
	buf_init(&b, 0);
	buf_adds(&b, "{\"next\": ");
	prof_add_url_or_null(&b, &next);
	buf_adds(&b, ", \"results\": ");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	buf_addc(&b, '}');
	buf_free(&next);
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

/* --- Infoblox WAPI: _paging=1&_return_as_object=1&_max_results=N -------- */

static enum MHD_Result
infoblox_error(struct req *r, const char *text)
{
	char *msg = xasprintf("AdmConProtoError: %s", text);
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "{ \"Error\": ");
	data_json_str(&b, msg);
	free(msg);
	buf_adds(&b, ",\n  \"code\": \"Client.Ibap.Proto\",\n  \"text\": ");
	data_json_str(&b, text);
	buf_adds(&b, "\n}");
	return reply_queue(r, 400, reply_body(r, &b, JSON, 0));
}

static int
arg_is(struct req *r, const char *name, const char *val)
{
	const char *s = reply_arg(r, name);

	return s != NULL && strcmp(s, val) == 0;
}

enum MHD_Result
prof_infoblox(struct req *r)
{
	enum MHD_Result ret;
	const char *s = reply_arg(r, "_max_results");
	const char *pid = reply_arg(r, "_page_id");
	size_t plen = strlen(r->path);
	uint64_t off = 0, lim = 1000, cnt;
	char next[32], *end;
	struct buf b;
	int asobj = arg_is(r, "_return_as_object", "1");

	if (plen < 8 || strcmp(r->path + plen - 8, "/network") != 0)
		return reply_error(r, 404, "unknown WAPI object");
	if (s != NULL) {
		/* a negative N means "fail when more"; both read as |N| */
		lim = strtoull(*s == '-' ? s + 1 : s, &end, 10);
		if (*s == '\0' || *end != '\0' || lim == 0)
			return infoblox_error(r, "Invalid value for "
			    "_max_results");
	}
	if (!arg_is(r, "_paging", "1")) {
		if (r->view.n > 1000 || (s != NULL && r->view.n > lim))
			return infoblox_error(r, "Result set too large "
			    "(> 1000)");
		if (fault_gate(r, 0, &ret))
			return ret;
		buf_init(&b, 0);
		if (asobj)
			buf_adds(&b, "{\"result\":");
		data_array(&b, &r->view, 0, r->view.n, prof_flags(r));
		if (asobj)
			buf_addc(&b, '}');
		return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
	}
	if (!asobj)
		return infoblox_error(r, "_return_as_object needs to be "
		    "enabled for paging requests.");
	if (pid != NULL && token_read(pid, TAG_INFOBLOX, &off) < 0)
		return infoblox_error(r, "Page id is not valid");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"result\": ");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	if (off + cnt < r->view.n) {
		token_make(next, off + cnt, TAG_INFOBLOX);
		buf_adds(&b, ", \"next_page_id\": \"");
		buf_adds(&b, next);
		buf_addc(&b, '"');
	}
	buf_addc(&b, '}');
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

/* --- Meraki: perPage=N&startingAfter=ID, Link: <…>; rel=next ------------ */

enum MHD_Result
prof_meraki(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t off = 0, lim = 1000, cnt, id;
	struct buf b, link;
	char l[24], last[24];
	int has = 0;

	if (reply_arg_u64(r, "perPage", &lim) < 0 || lim == 0 ||
	    (has = reply_arg_u64(r, "startingAfter", &id)) < 0)
		return reply_error(r, 400, "perPage and startingAfter must "
		    "be numbers");
	if (has)
		off = data_pos_after_id(&r->view, id);
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	snprintf(l, sizeof(l), "%" PRIu64, lim);
	buf_init(&link, 0);
	buf_addc(&link, '<');
	reply_url(r, &link, "perPage", l, "startingAfter", NULL, NULL);
	buf_adds(&link, ">; rel=first");
	if (off + cnt < r->view.n) {
		snprintf(last, sizeof(last), "%" PRIu64,
		    DATA_ID_BASE + data_gen(&r->view, off + cnt - 1));
		buf_adds(&link, ", <");
		reply_url(r, &link, "perPage", l, "startingAfter", last, NULL);
		buf_adds(&link, ">; rel=next");
	}
	MHD_add_response_header(resp, "Link", buf_cstr(&link));
	buf_free(&link);
	return prof_serve(r, 200, resp);
}
