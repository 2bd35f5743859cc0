/*
 * faults.c - faults injected into list responses (see faults.h).
 *
 * The per-page counts live in one hash table under one mutex; an entry is
 * (fault, path, offset) -> times faulted.  Entries are only ever added, and
 * freed by fault_free() after the daemon has stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/xalloc.h"
#include "faults.h"
#include "reply.h"

#define FAULT_MAX 16
#define HIT_BUCKETS 4096
#define HUGE_SIZE (200ULL * 1024 * 1024)
#define DEEP_LEVELS 100000
#define STALL_MS 60000

static const struct {
	const char *name;
	enum fault_kind kind;
} kinds[] = {
	{ "500", fault_500 },
	{ "503", fault_503 },
	{ "429", fault_429 },
	{ "429date", fault_429date },
	{ "403rl", fault_403rl },
	{ "403ra", fault_403ra },
	{ "503ra0", fault_503ra0 },
	{ "503ra1", fault_503ra1 },
	{ "404", fault_404 },
	{ "html502", fault_html502 },
	{ "errorobj", fault_errorobj },
	{ "huge", fault_huge },
	{ "deep", fault_deep },
	{ "drop", fault_drop },
	{ "stall", fault_stall },
	{ "gzip-trunc", fault_gzip_trunc },
	{ "gzip-half", fault_gzip_half },
	{ "badutf8", fault_badutf8 },
};

struct fault {
	enum fault_kind kind;
	uint64_t salt;          /* hash of the kind's name */
	double rate;
	uint64_t times;         /* 0: every request, for ever */
	uint64_t from, to;      /* pages (offsets) it may pick, inclusive */
};

struct hit {
	struct hit *next;
	int fault;
	uint64_t path;          /* hash of the request path */
	uint64_t key;
	uint64_t count;
};

static struct fault faults[FAULT_MAX];
static int nfaults;
static struct hit *hits[HIT_BUCKETS];
static pthread_mutex_t hits_lock = PTHREAD_MUTEX_INITIALIZER;

static const char html502[] =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Reads a decimal number at s; -1 when there is none. */
static int
read_u64(const char *s, char **end, uint64_t *x)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*x = strtoull(s, end, 10);
	return errno == 0 ? 0 : -1;
}

/* Parses the @FROM[-[TO]] suffix of a spec. */
static int
read_range(const char *s, struct fault *f)
{
	char *end;

	if (read_u64(s, &end, &f->from) < 0)
		return -1;
	f->to = f->from;
	if (*end == '-') {
		if (end[1] == '\0') {          /* FROM-: to the end */
			f->to = UINT64_MAX;
			return 0;
		}
		if (read_u64(end + 1, &end, &f->to) < 0 || f->to < f->from)
			return -1;
	}
	return *end == '\0' ? 0 : -1;
}

/* KIND[:RATE[:TIMES]] into f. */
static int
fault_parse(const char *spec, struct fault *f)
{
	const char *colon;
	char *end;
	size_t n, i;

	colon = strchr(spec, ':');
	n = colon ? (size_t)(colon - spec) : strlen(spec);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].name) == n &&
		    strncmp(kinds[i].name, spec, n) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	f->kind = kinds[i].kind;
	f->salt = str_hash(kinds[i].name);
	f->rate = 1.0;
	f->times = 1;
	if (colon != NULL) {
		f->rate = strtod(colon + 1, &end);
		if (end == colon + 1 || f->rate < 0 || f->rate > 1 ||
		    (*end != '\0' && *end != ':'))
			return -1;
		if (*end == ':') {
			if (end[1] < '0' || end[1] > '9')
				return -1;
			f->times = strtoull(end + 1, &end, 10);
			if (*end != '\0')
				return -1;
		}
	}
	return 0;
}

int
fault_add(const char *spec)
{
	struct fault *f;
	const char *at;
	char *head;
	int ok;

	if (nfaults == FAULT_MAX)
		return -1;
	f = &faults[nfaults];
	f->from = 0;
	f->to = UINT64_MAX;
	if ((at = strchr(spec, '@')) != NULL) {
		if (read_range(at + 1, f) < 0)
			return -1;
		head = xstrndup(spec, (size_t)(at - spec));
		ok = fault_parse(head, f);
		free(head);
	} else
		ok = fault_parse(spec, f);
	if (ok < 0)
		return -1;
	nfaults++;
	return 0;
}

void
fault_free(void)
{
	struct hit *h, *next;
	size_t i;

	for (i = 0; i < HIT_BUCKETS; i++) {
		for (h = hits[i]; h != NULL; h = next) {
			next = h->next;
			free(h);
		}
		hits[i] = NULL;
	}
}

static int
picked(const struct fault *f, uint64_t key)
{
	uint64_t h;

	if (f->rate >= 1.0)
		return 1;
	h = mock_mix(mock_cfg.seed ^ mock_mix(f->salt ^ mock_mix(key)));
	return (double)(h >> 11) * 0x1p-53 < f->rate;
}

/* Counts one more fault of this page; 0 once it has had its TIMES. */
static int
take(int fi, const char *path, uint64_t key)
{
	uint64_t ph = str_hash(path);
	size_t bucket = mock_mix(ph ^ mock_mix(key) ^ (uint64_t)fi) %
	    HIT_BUCKETS;
	struct hit *h;
	int ok;

	pthread_mutex_lock(&hits_lock);
	for (h = hits[bucket]; h != NULL; h = h->next)
		if (h->fault == fi && h->path == ph && h->key == key)
			break;
	if (h == NULL) {
		h = xcalloc(1, sizeof(*h));
		h->fault = fi;
		h->path = ph;
		h->key = key;
		h->next = hits[bucket];
		hits[bucket] = h;
	}
	ok = faults[fi].times == 0 || h->count < faults[fi].times;
	if (ok)
		h->count++;
	pthread_mutex_unlock(&hits_lock);
	return ok;
}

static ssize_t
huge_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	uint64_t i, j;
	size_t n;

	(void)cls;
	if (pos >= HUGE_SIZE)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (mock_stopping())
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = HUGE_SIZE - pos < max ? (size_t)(HUGE_SIZE - pos) : max;
	memset(buf, 'x', n);
	/* the body is ["xxx...xxx"]: patch the first and last two bytes */
	for (i = 0; i < 2; i++) {
		if (i >= pos && i < pos + n)
			buf[i - pos] = "[\""[i];
		j = HUGE_SIZE - 2 + i;
		if (j >= pos && j < pos + n)
			buf[j - pos] = "\"]"[i];
	}
	return (ssize_t)n;
}

/* A replacement answer for one of the first kinds. */
static enum MHD_Result
replace(struct req *r, enum fault_kind kind)
{
	struct MHD_Response *resp;
	struct buf b;
	char date[64];
	struct tm tm;
	time_t t;

	buf_init(&b, 0);
	switch (kind) {
	case fault_500:
		return reply_error(r, 500, "internal server error (injected)");
	case fault_503:
		return reply_error(r, 503, "service unavailable (injected)");
	case fault_429:
	case fault_429date:
		buf_adds(&b, "{\"error\":\"too many requests (injected)\"}");
		resp = reply_body(r, &b, "application/json", 0);
		if (kind == fault_429) {
			MHD_add_response_header(resp, "Retry-After", "1");
		} else {
			/* whole seconds: +2 keeps it at least 1 s ahead */
			t = time(NULL) + 2;
			gmtime_r(&t, &tm);
			strftime(date, sizeof(date),
			    "%a, %d %b %Y %H:%M:%S GMT", &tm);
			MHD_add_response_header(resp, "Retry-After", date);
		}
		return reply_queue(r, 429, resp);
	case fault_403rl:
		buf_adds(&b, "{\"message\":\"API rate limit exceeded "
		    "(injected)\"}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, "X-RateLimit-Limit", "60");
		MHD_add_response_header(resp, "X-RateLimit-Remaining", "0");
		reply_header(resp, "X-RateLimit-Reset", "%lld",
		    (long long)time(NULL) + 1);
		return reply_queue(r, 403, resp);
	case fault_403ra:
		/* GitHub's secondary rate limit: no X-RateLimit-Remaining: 0,
		 * only a Retry-After */
		buf_adds(&b, "{\"message\":\"You have exceeded a secondary "
		    "rate limit. Please wait a few minutes before you try "
		    "again. (injected)\",\"documentation_url\":\"https://"
		    "docs.github.com/rest/overview/rate-limits-for-the-rest-"
		    "api#about-secondary-rate-limits\"}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, "Retry-After", "1");
		return reply_queue(r, 403, resp);
	case fault_503ra0:
	case fault_503ra1:
		buf_adds(&b, kind == fault_503ra0 ? "{\"error\":\"service "
		    "unavailable, retry now (injected)\"}" : "{\"error\":"
		    "\"service unavailable (injected)\"}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, "Retry-After",
		    kind == fault_503ra0 ? "0" : "1");
		return reply_queue(r, 503, resp);
	case fault_404:
		return reply_error(r, 404, "not found (injected)");
	case fault_html502:
		buf_adds(&b, html502);
		return reply_queue(r, 502,
		    reply_body(r, &b, "text/html", 0));
	case fault_errorobj:
		buf_adds(&b, "{\"error\":\"internal\"}");
		return reply_queue(r, 200,
		    reply_body(r, &b, "application/json", 0));
	case fault_huge:
		resp = MHD_create_response_from_callback(HUGE_SIZE, 64 * 1024,
		    huge_read, NULL, NULL);
		if (resp == NULL)
			abort();
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "application/json");
		return reply_queue(r, 200, resp);
	case fault_deep:
		if (buf_reserve(&b, 2 * DEEP_LEVELS) == NULL)
			abort();
		memset(b.data, '[', DEEP_LEVELS);
		memset(b.data + DEEP_LEVELS, ']', DEEP_LEVELS);
		b.len = 2 * DEEP_LEVELS;
		return reply_queue(r, 200,
		    reply_body(r, &b, "application/json", 0));
	default:
		abort();
	}
}

int
fault_gate(struct req *r, uint64_t key, enum MHD_Result *ret)
{
	const struct fault *f;
	int i;

	mock_hold(key);
	r->fault = fault_none;
	for (i = 0; i < nfaults; i++) {
		f = &faults[i];
		if ((f->kind == fault_gzip_trunc ||
		    f->kind == fault_gzip_half) && !r->gzip_ok)
			continue;
		if (key < f->from || key > f->to || !picked(f, key) ||
		    !take(i, r->path, key))
			continue;
		atomic_fetch_add(&mock_stats.faults, 1);
		if (f->kind >= fault_drop) {
			r->fault = f->kind;
			return 0;
		}
		*ret = replace(r, f->kind);
		return 1;
	}
	return 0;
}

struct stream {
	int kind;
	int stalled;
	char *data;
	size_t len;
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t stop, n;

	if (s->kind == fault_drop) {
		stop = s->len / 2;
		if (pos >= stop)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	} else {
		stop = s->len > 200 ? 100 : s->len / 2;
		if (pos >= stop && !s->stalled) {
			s->stalled = 1;
			if (mock_sleep_ms(STALL_MS) < 0)
				return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		if (s->stalled)
			stop = s->len;
	}
	if (pos >= stop)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = stop - pos < max ? stop - pos : max;
	memcpy(buf, s->data + pos, n);
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	free(s->data);
	free(s);
}

struct MHD_Response *
fault_stream(int kind, char *data, size_t len)
{
	struct stream *s = xcalloc(1, sizeof(*s));

	s->kind = kind;
	s->data = data;
	s->len = len;
	return MHD_create_response_from_callback(len, 4096, stream_read, s,
	    stream_free);
}
