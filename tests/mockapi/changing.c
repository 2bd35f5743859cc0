/*
 * changing.c - a dataset that changes between runs, for incremental
 * exports (invdump's --bookmark) and the run-to-run sanity limits.
 *
 *   /changing/reset?n=N     N items (default 1000), ids 1..N, version 1,
 *                           ten updated in each second from
 *                           2026-12-01T00:00:00Z on; the clock at the last
 *   /changing/mutate?insert=I&update=U&delete=D[&same=1][&advance=S]
 *                   [&late=L]
 *                           the clock goes S seconds on (default 60; not
 *                           with same=1: the changes fall in the second of
 *                           the latest change, the bookmark's own), then U
 *                           items (picked by a fixed stride among those
 *                           present) get version+1, D are deleted, I new
 *                           ones are added, all stamped with the clock, or
 *                           L seconds before it (late=: a transaction that
 *                           commits after later ones were listed)
 *   /changing/truth         every item present, one line each, as listed
 *   /changing/items         DRF: ?offset=&limit=, {"count","next",
 *                           "results"}, in id order; filters
 *                           updated_at__gte= and since= (>=), and
 *                           updated_at__gt= (>, the lossy one), each an
 *                           ISO 8601 instant compared as one
 *   /changing/feathers      FeathersJS: ?$skip=&$limit=, {"total","limit",
 *                           "skip","data"}; filter updated_at[$gte]=; any
 *                           other parameter is taken as a field to match,
 *                           which no item has: {"total":0,...,"data":[]}
 *
 * An item: {"id":N,"name":"item-N","version":V,"updated_at":T,"pad":...}
 * with T whole seconds written three ways by id % 3: ...Z, ...+02:00,
 * ...-05:00 (one instant each).  List requests are counted, delayed and
 * faulted like the others (main.c); one mutex guards the dataset.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/xalloc.h"
#include "profiles.h"
#include "reply.h"

#define CHANGING_START 1796083200LL     /* 2026-12-01T00:00:00Z */
#define CHANGING_MAX 1000000

struct citem {
	uint64_t id;
	uint64_t version;
	long long at;           /* updated, seconds since the epoch */
	int gone;
};

static struct {
	pthread_mutex_t lock;
	struct citem *items;
	size_t n, cap;
	uint64_t next_id;
	long long clock;
	size_t pick;            /* the stride's position */
} ds = { .lock = PTHREAD_MUTEX_INITIALIZER, .clock = CHANGING_START };

static void
cadd(long long at)
{
	if (ds.n == ds.cap) {
		ds.cap = ds.cap ? 2 * ds.cap : 1024;
		ds.items = xrealloc(ds.items, ds.cap * sizeof *ds.items);
	}
	ds.items[ds.n].id = ++ds.next_id;
	ds.items[ds.n].version = 1;
	ds.items[ds.n].at = at;
	ds.items[ds.n].gone = 0;
	ds.n++;
}

/* y-m-d of a day count since 1970 (Hinnant's civil_from_days). */
static void
civil(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static long long
days(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The item's line, its time in one of three offsets. */
static void
cline(struct buf *b, const struct citem *it)
{
	static const int offs[] = { 0, 120, -300 };
	int off = offs[it->id % 3], m, d;
	long long local = it->at + off * 60, y, day = local / 86400;
	long rem = (long)(local % 86400);
	char zone[16], s[256];

	civil(day, &y, &m, &d);
	if (off == 0)
		snprintf(zone, sizeof zone, "Z");
	else
		snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+',
		    abs(off) / 60, abs(off) % 60);
	snprintf(s, sizeof s, "{\"id\":%" PRIu64 ",\"name\":\"item-%" PRIu64
	    "\",\"version\":%" PRIu64 ",\"updated_at\":\"%04lld-%02d-%02dT"
	    "%02ld:%02ld:%02ld%s\",\"pad\":\"%0*d\"}", it->id, it->id,
	    it->version, y, m, d, rem / 3600, rem / 60 % 60, rem % 60, zone,
	    (int)(it->id % 64), 0);
	buf_adds(b, s);
}

/* An ISO 8601 instant, whole seconds (a fraction is cut: the server's
 * resolution), Z or an offset: seconds since the epoch, or -1. */
static long long
cparse(const char *s)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, n = 0;
	long long t;
	char sign = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo,
	    &d, &h, &mi, &sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == '+' || *s == '-') {
		sign = *s;
		if (sscanf(s + 1, "%2d:%2d", &oh, &om) != 2)
			return -1;
	} else if (*s != 'Z' && *s != '\0')
		return -1;
	t = days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return sign == '-' ? t + oh * 3600 + om * 60 : t - oh * 3600 - om * 60;
}

/* /changing/reset?n=N */
enum MHD_Result
svc_changing_reset(struct req *r)
{
	uint64_t n = 1000;
	struct buf b;
	size_t i;

	if (reply_arg_u64(r, "n", &n) < 0 || n > CHANGING_MAX)
		return reply_error(r, 400, "n: 0..1000000");
	pthread_mutex_lock(&ds.lock);
	ds.n = 0;
	ds.next_id = 0;
	ds.pick = 0;
	ds.clock = CHANGING_START;
	for (i = 0; i < n; i++)
		cadd(CHANGING_START + (long long)(i / 10));
	ds.clock = CHANGING_START + (n > 0 ? (long long)((n - 1) / 10) : 0);
	pthread_mutex_unlock(&ds.lock);
	buf_init(&b, 0);
	buf_adds(&b, "{\"ok\":true}");
	return reply_queue(r, 200, reply_body(r, &b, "application/json", 0));
}

/* The next present item by the stride, or NULL when none is. */
static struct citem *
cpick(void)
{
	size_t tries;

	for (tries = 0; tries < ds.n; tries++) {
		ds.pick = (ds.pick + 7919) % ds.n;
		if (!ds.items[ds.pick].gone)
			return &ds.items[ds.pick];
	}
	return NULL;
}

/* /changing/mutate?insert=I&update=U&delete=D[&same=1][&advance=S] */
enum MHD_Result
svc_changing_mutate(struct req *r)
{
	uint64_t ins = 0, upd = 0, del = 0, adv = 60, late = 0, i;
	const char *same = reply_arg(r, "same");
	struct citem *it;
	struct buf b;
	char s[96];

	if (reply_arg_u64(r, "insert", &ins) < 0 || reply_arg_u64(r, "update",
	    &upd) < 0 || reply_arg_u64(r, "delete", &del) < 0 ||
	    reply_arg_u64(r, "advance", &adv) < 0 ||
	    reply_arg_u64(r, "late", &late) < 0 || ins > CHANGING_MAX ||
	    late > 86400)
		return reply_error(r, 400, "insert, update, delete, advance, "
		    "late: numbers");
	pthread_mutex_lock(&ds.lock);
	if (same == NULL || strcmp(same, "1") != 0)
		ds.clock += (long long)adv;
	for (i = 0; i < upd && (it = cpick()) != NULL; i++) {
		it->version++;
		it->at = ds.clock - (long long)late;
	}
	for (i = 0; i < del && (it = cpick()) != NULL; i++)
		it->gone = 1;
	for (i = 0; i < ins; i++)
		cadd(ds.clock - (long long)late);
	snprintf(s, sizeof s, "{\"clock\":%lld}", ds.clock);
	pthread_mutex_unlock(&ds.lock);
	buf_init(&b, 0);
	buf_adds(&b, s);
	return reply_queue(r, 200, reply_body(r, &b, "application/json", 0));
}

/* /changing/truth */
enum MHD_Result
svc_changing_truth(struct req *r)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	pthread_mutex_lock(&ds.lock);
	for (i = 0; i < ds.n; i++)
		if (!ds.items[i].gone) {
			cline(&b, &ds.items[i]);
			buf_addc(&b, '\n');
		}
	pthread_mutex_unlock(&ds.lock);
	return reply_queue(r, 200, reply_body(r, &b, "text/plain", 0));
}

/* A filter: items at or after (gt: after) from; from -1: every item. */
struct cfilter {
	long long from;
	int gt;
	int none;               /* an unknown parameter: nothing matches */
};

static int
cmatch(const struct citem *it, const struct cfilter *f)
{
	if (it->gone || f->none)
		return 0;
	if (f->from < 0)
		return 1;
	return f->gt ? it->at > f->from : it->at >= f->from;
}

/* A page of the filtered items, as the wrapper asks: its count in *total. */
static void
cpage(struct buf *b, const struct cfilter *f, uint64_t off, uint64_t lim,
    uint64_t *total)
{
	uint64_t k = 0, put = 0;
	size_t i;

	buf_addc(b, '[');
	pthread_mutex_lock(&ds.lock);
	for (i = 0; i < ds.n; i++) {
		if (!cmatch(&ds.items[i], f))
			continue;
		if (k >= off && put < lim) {
			if (put++ > 0)
				buf_addc(b, ',');
			cline(b, &ds.items[i]);
		}
		k++;
	}
	pthread_mutex_unlock(&ds.lock);
	buf_addc(b, ']');
	*total = k;
}

/* A filter parameter's value: the instant, or -2 when it is not one. */
static long long
cfrom(struct req *r, const char *name)
{
	const char *v = reply_arg(r, name);

	return v == NULL ? -1 : cparse(v) < 0 ? -2 : cparse(v);
}

/* /changing/items: DRF's shape. */
enum MHD_Result
prof_changing(struct req *r)
{
	struct cfilter f = { -1, 0, 0 };
	uint64_t off = 0, lim = 100, total;
	long long gte = cfrom(r, "updated_at__gte"), since = cfrom(r, "since"),
	    gt = cfrom(r, "updated_at__gt");
	struct buf b, items;
	char s[64];

	if (reply_arg_u64(r, "offset", &off) < 0 ||
	    reply_arg_u64(r, "limit", &lim) < 0 || gte == -2 || since == -2 ||
	    gt == -2)
		return reply_error(r, 400, "offset and limit: numbers; "
		    "updated_at__gte, updated_at__gt, since: ISO 8601 instants");
	f.from = gte >= 0 ? gte : since >= 0 ? since : gt;
	f.gt = gt >= 0 && gte < 0 && since < 0;
	lim = prof_clamp(lim);
	buf_init(&items, 0);
	cpage(&items, &f, off, lim, &total);
	buf_init(&b, 0);
	snprintf(s, sizeof s, "{\"count\":%" PRIu64 ",\"next\":", total);
	buf_adds(&b, s);
	if (off + lim < total) {
		snprintf(s, sizeof s, "%" PRIu64, off + lim);
		buf_addc(&b, '"');
		reply_url(r, &b, "offset", s, NULL);
		buf_addc(&b, '"');
	} else
		buf_adds(&b, "null");
	buf_adds(&b, ",\"results\":");
	buf_add(&b, items.data, items.len);
	buf_addc(&b, '}');
	buf_free(&items);
	return prof_serve(r, 200, reply_body(r, &b, "application/json", 1));
}

/* A query argument other than Feathers' own and the one filter known. */
static enum MHD_Result
cunknown(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind, (void)value;
	if (strcmp(key, "$skip") != 0 && strcmp(key, "$limit") != 0 &&
	    strcmp(key, "updated_at[$gte]") != 0)
		*(int *)cls = 1;
	return MHD_YES;
}

/* /changing/feathers: FeathersJS's shape; unknown parameters filter. */
enum MHD_Result
prof_feathers(struct req *r)
{
	struct cfilter f = { -1, 0, 0 };
	uint64_t off = 0, lim = 10, total;
	struct buf b, items;
	char s[128];

	if (reply_arg_u64(r, "$skip", &off) < 0 ||
	    reply_arg_u64(r, "$limit", &lim) < 0 ||
	    (f.from = cfrom(r, "updated_at[$gte]")) == -2)
		return reply_error(r, 400, "$skip and $limit: numbers");
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, cunknown,
	    &f.none);
	lim = prof_clamp(lim);
	buf_init(&items, 0);
	cpage(&items, &f, off, lim, &total);
	buf_init(&b, 0);
	snprintf(s, sizeof s, "{\"total\":%" PRIu64 ",\"limit\":%" PRIu64
	    ",\"skip\":%" PRIu64 ",\"data\":", total, lim, off);
	buf_adds(&b, s);
	buf_add(&b, items.data, items.len);
	buf_addc(&b, '}');
	buf_free(&items);
	return prof_serve(r, 200, reply_body(r, &b, "application/json", 1));
}
