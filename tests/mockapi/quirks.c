/*
 * quirks.c - servers a client must not take on trust (see profiles.h):
 * they ignore the paging parameters they were sent, return more than was
 * asked, name the next page in fields other than the usual one, or say
 * there is more without saying where, or dress an error up as a 200.
 *
 * Same rules as profiles.c: page sizes clamped to --max-limit where the
 * server honours a size at all, fault_gate() asked with the page's offset,
 * totals true, pages served from the request's dataset snapshot.
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
#define SORT_SEGS 64

/* --- offset ignored ------------------------------------------------------ */

/* Honours limit, never offset: every page is the first one. */
static enum MHD_Result
ignore_page(struct req *r, int total)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t lim = 100;
	struct buf b;

	if (reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "limit must be a number");
	lim = prof_clamp(lim);
	if (fault_gate(r, 0, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, 0, lim, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	if (total)
		reply_header(resp, "X-Total-Count", "%" PRIu64, r->view.n);
	return prof_serve(r, 200, resp);
}

enum MHD_Result
prof_ignore(struct req *r)
{
	return ignore_page(r, 1);
}

enum MHD_Result
prof_ignore_nototal(struct req *r)
{
	return ignore_page(r, 0);
}

/* --- json-server 0.17 -------------------------------------------------- */

/* JavaScript's parseInt(s, 10): 1 and *v when s starts with a number. */
static int
js_int(const char *s, int64_t *v)
{
	int neg = 0;
	int64_t x = 0;

	if (s == NULL)
		return 0;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		if (x < INT64_MAX / 10 - 9)
			x = x * 10 + (*s - '0');
	*v = neg ? -x : x;
	return 1;
}

/* A query parameter JavaScript finds truthy: present and not empty. */
static int
js_given(const char *s)
{
	return s != NULL && *s != '\0';
}

/* A lodash slice bound: negative counts from the end, clamped to [0, n]. */
static uint64_t
js_bound(int64_t x, uint64_t n)
{
	if (x < 0)
		return (uint64_t)-x >= n ? 0 : n - (uint64_t)-x;
	return (uint64_t)x > n ? n : (uint64_t)x;
}

static void
js_link(struct req *r, struct buf *link, const char *rel, uint64_t page)
{
	char p[24];

	snprintf(p, sizeof p, "%" PRIu64, page);
	if (link->len != 0)
		buf_adds(link, ", ");
	buf_addc(link, '<');
	reply_url(r, link, "_page", p, NULL);
	buf_adds(link, ">; rel=\"");
	buf_adds(link, rel);
	buf_addc(link, '"');
}

/*
 * typicode/json-server 0.17's list route, paging only: unknown parameters
 * (offset, limit, ...) are dropped; _page (from 1) with _limit (default
 * 10) pages, with a Link header; else _end slices [_start, _end); else
 * _limit slices [_start, _start + _limit); _start alone does nothing.
 * X-Total-Count is sent when _end, _limit or _page is given.
 */
enum MHD_Result
prof_jsonserver(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *s_start = reply_arg(r, "_start");
	const char *s_end = reply_arg(r, "_end");
	const char *s_limit = reply_arg(r, "_limit");
	const char *s_page = reply_arg(r, "_page");
	uint64_t n = r->view.n, a = 0, e = n, page = 1, per = 10, last;
	int64_t x, start = 0;
	struct buf b, link;
	int paged = js_given(s_page);

	if (js_int(s_start, &x))
		start = x;
	if (paged) {
		if (js_int(s_page, &x) && x >= 1)
			page = (uint64_t)x;
		if (js_int(s_limit, &x) && x > 0)
			per = (uint64_t)x;
		a = page - 1 > n / per ? n : (page - 1) * per;
		e = a + (per < n - a ? per : n - a);
	} else if (js_given(s_end)) {
		a = js_bound(start, n);
		e = js_int(s_end, &x) ? js_bound(x, n) : 0;
	} else if (js_given(s_limit)) {
		a = js_bound(start, n);
		e = js_int(s_limit, &x) && x > 0 ? a + (uint64_t)x : a;
		if (e > n || e < a)
			e = n;
	}
	if (e < a)
		e = a;
	if (fault_gate(r, a, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, a, e - a, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	if (js_given(s_end) || js_given(s_limit) || paged) {
		reply_header(resp, "X-Total-Count", "%" PRIu64, n);
		MHD_add_response_header(resp, "Access-Control-Expose-Headers",
		    paged ? "X-Total-Count, Link" : "X-Total-Count");
	}
	if (paged && e > a) {
		/* utils.getPage(): first and last only when there is more
		 * than one page; prev and next when they exist */
		last = (n - 1) / per + 1;
		buf_init(&link, 0);
		if (e - a != n)
			js_link(r, &link, "first", 1);
		if (page > 1)
			js_link(r, &link, "prev", page - 1);
		if (e < n)
			js_link(r, &link, "next", page + 1);
		if (e - a != n)
			js_link(r, &link, "last", last);
		if (link.len != 0)
			MHD_add_response_header(resp, "Link", buf_cstr(&link));
		buf_free(&link);
	}
	return prof_serve(r, 200, resp);
}

/* --- Django REST framework's PageNumberPagination ----------------------- */

struct seg {
	const char *p;
	size_t n;               /* the whole key=value */
	size_t klen;            /* the key */
};

static int
seg_before(const struct seg *x, const struct seg *y)
{
	size_t m = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->p, y->p, m);

	return c < 0 || (c == 0 && x->klen < y->klen);
}

/*
 * DRF's replace_query_param() / remove_query_param(): this request's URL
 * with page set to `page` (removed when NULL), the query's parameters
 * sorted by name (stable) as Python's urlencode(sorted(...)) writes them.
 */
static void
drf_page_url(struct req *r, struct buf *out, const char *page)
{
	const char *q = strchr(r->uri, '?'), *seg, *end, *eq;
	struct seg segs[SORT_SEGS], t;
	char pseg[32];
	size_t ns = 0, i, j;

	reply_link_origin(r, out);
	buf_add(out, r->uri, q ? (size_t)(q - r->uri) : strlen(r->uri));
	for (seg = q ? q + 1 : NULL; seg != NULL; seg = *end ? end + 1 : NULL) {
		if ((end = strchr(seg, '&')) == NULL)
			end = seg + strlen(seg);
		if ((eq = memchr(seg, '=', (size_t)(end - seg))) == NULL)
			eq = end;
		if (end == seg || ns == SORT_SEGS - 1 ||
		    ((size_t)(eq - seg) == 4 && memcmp(seg, "page", 4) == 0))
			continue;
		segs[ns].p = seg;
		segs[ns].n = (size_t)(end - seg);
		segs[ns].klen = (size_t)(eq - seg);
		ns++;
	}
	if (page != NULL) {
		snprintf(pseg, sizeof pseg, "page=%s", page);
		segs[ns].p = pseg;
		segs[ns].n = strlen(pseg);
		segs[ns].klen = 4;
		ns++;
	}
	for (i = 1; i < ns; i++) {              /* insertion sort: stable */
		t = segs[i];
		for (j = i; j > 0 && seg_before(&t, &segs[j - 1]); j--)
			segs[j] = segs[j - 1];
		segs[j] = t;
	}
	for (i = 0; i < ns; i++) {
		buf_addc(out, i == 0 ? '?' : '&');
		buf_add(out, segs[i].p, segs[i].n);
	}
}

/*
 * ?page=N (from 1, or "last"), page_size=S (default 10, a bad one ignored);
 * offset and limit mean nothing to it.  A page that does not exist: 404
 * {"detail":"Invalid page."}.
 */
enum MHD_Result
prof_drf_page(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *ps = reply_arg(r, "page");
	uint64_t n = r->view.n, size = 10, page = 1, pages, off, cnt;
	struct buf b, next, prev;
	char p[24];

	if (reply_arg_u64(r, "page_size", &size) < 0 || size == 0)
		size = 10;
	size = prof_clamp(size);
	pages = n == 0 ? 1 : (n - 1) / size + 1;
	if (ps != NULL && strcmp(ps, "last") == 0)
		page = pages;
	else if (ps != NULL && (reply_arg_u64(r, "page", &page) < 0 ||
	    page < 1 || page > pages)) {
		buf_init(&b, 0);
		buf_adds(&b, "{\"detail\":\"Invalid page.\"}");
		return reply_queue(r, 404, reply_body(r, &b, JSON, 0));
	}
	off = (page - 1) * size;
	cnt = prof_avail(&r->view, off, size);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&next, 0);
	buf_init(&prev, 0);
	if (page < pages) {
		snprintf(p, sizeof p, "%" PRIu64, page + 1);
		drf_page_url(r, &next, p);
	}
	if (page > 1) {
		snprintf(p, sizeof p, "%" PRIu64, page - 1);
		drf_page_url(r, &prev, page == 2 ? NULL : p);
	}
	buf_init(&b, 0);
	buf_adds(&b, "{\"count\":");
	prof_add_u64(&b, n);
	buf_adds(&b, ",\"next\":");
	prof_add_url_or_null(&b, &next);
	buf_adds(&b, ",\"previous\":");
	prof_add_url_or_null(&b, &prev);
	buf_adds(&b, ",\"results\":");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	buf_addc(&b, '}');
	buf_free(&next);
	buf_free(&prev);
	resp = reply_body(r, &b, JSON, 1);
	return prof_serve(r, 200, resp);
}

/* --- more than was asked for -------------------------------------------- */

/* offset honoured, 3 * limit items returned (fewer at the end). */
enum MHD_Result
prof_biglimit(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t off = 0, lim = 100;
	struct buf b;

	if (reply_arg_u64(r, "offset", &off) < 0 ||
	    reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "offset and limit must be numbers");
	lim = prof_clamp(lim);
	lim = lim > UINT64_MAX / 3 ? UINT64_MAX : 3 * lim;
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	data_array(&b, &r->view, off, lim, prof_flags(r));
	resp = reply_body(r, &b, JSON, 1);
	reply_header(resp, "X-Total-Count", "%" PRIu64, r->view.n);
	return prof_serve(r, 200, resp);
}

/* --- the next page named in other fields -------------------------------- */

enum next_style {
	next_page,              /* {"items","next_page":URL|null} */
	next_odata,             /* {"value","@odata.nextLink":URL} */
	next_links,             /* {"data","links":{"self","next":URL|null}} */
	next_has_more           /* {"object","url","has_more","data"} */
};

/*
 * limit=L (100) and after=K (skip K items), like /cursor-url/items; the
 * has_more style pages Stripe's way instead, starting_after=ID, and names
 * no next page at all.
 */
static enum MHD_Result
field_page(struct req *r, enum next_style st)
{
	enum MHD_Result ret;
	uint64_t off = 0, lim = 100, cnt, id = 0;
	struct buf b, next, self;
	char a[24], l[24];
	int has;

	if (reply_arg_u64(r, "limit", &lim) < 0)
		return reply_error(r, 400, "limit must be a number");
	if (st == next_has_more) {
		if ((has = reply_arg_u64(r, "starting_after", &id)) < 0)
			return reply_error(r, 400, "starting_after must be "
			    "an id");
		if (has)
			off = data_pos_after_id(&r->view, id);
	} else if (reply_arg_u64(r, "after", &off) < 0)
		return reply_error(r, 400, "after must be a number");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&next, 0);
	if (lim != 0 && off + cnt < r->view.n && st != next_has_more) {
		snprintf(a, sizeof a, "%" PRIu64, off + cnt);
		snprintf(l, sizeof l, "%" PRIu64, lim);
		reply_url(r, &next, "limit", l, "after", a, NULL);
	}
	buf_init(&b, 0);
	switch (st) {
	case next_page:
		buf_adds(&b, "{\"items\":");
		data_array(&b, &r->view, off, cnt, prof_flags(r));
		buf_adds(&b, ",\"next_page\":");
		prof_add_url_or_null(&b, &next);
		break;
	case next_odata:
		buf_adds(&b, "{\"@odata.context\":\"");
		reply_origin(r, &b);
		buf_adds(&b, "/odata/$metadata#items\",\"value\":");
		data_array(&b, &r->view, off, cnt, prof_flags(r));
		if (next.len != 0) {
			buf_adds(&b, ",\"@odata.nextLink\":");
			prof_add_url_or_null(&b, &next);
		}
		break;
	case next_links:
		buf_init(&self, 0);
		reply_url(r, &self, NULL);
		buf_adds(&b, "{\"data\":");
		data_array(&b, &r->view, off, cnt, prof_flags(r));
		buf_adds(&b, ",\"links\":{\"self\":");
		prof_add_url_or_null(&b, &self);
		buf_adds(&b, ",\"next\":");
		prof_add_url_or_null(&b, &next);
		buf_addc(&b, '}');
		buf_free(&self);
		break;
	case next_has_more:
		buf_adds(&b, "{\"object\":\"list\",\"url\":\"/has-more/items\","
		    "\"has_more\":");
		buf_adds(&b, off + cnt < r->view.n ? "true" : "false");
		buf_adds(&b, ",\"data\":");
		data_array(&b, &r->view, off, cnt, prof_flags(r));
		break;
	}
	buf_addc(&b, '}');
	buf_free(&next);
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

enum MHD_Result
prof_next_page(struct req *r)
{
	return field_page(r, next_page);
}

enum MHD_Result
prof_odata_next(struct req *r)
{
	return field_page(r, next_odata);
}

enum MHD_Result
prof_links_next(struct req *r)
{
	return field_page(r, next_links);
}

enum MHD_Result
prof_has_more(struct req *r)
{
	return field_page(r, next_has_more);
}

/* --- an error dressed as a 200 ------------------------------------------ */

enum MHD_Result
prof_detail_error(struct req *r)
{
	enum MHD_Result ret;
	struct buf b;

	if (fault_gate(r, 0, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"detail\":\"Invalid page.\"}");
	return reply_queue(r, 200, reply_body(r, &b, JSON, 1));
}
