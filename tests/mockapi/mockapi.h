/*
 * mockapi.h - what the modules of the test server share: the options (set by
 * main before the daemon starts, read-only afterwards), the counters behind
 * /stats, and the per-request record.
 */
#ifndef MOCKAPI_H
#define MOCKAPI_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <microhttpd.h>

#include "data.h"

struct mock_config {
	unsigned port;          /* the bound port, once listening */
	char address[16];       /* the bound address, "127.X.Y.Z" */
	uint64_t seed;
	unsigned latency_ms;
	uint64_t hold_first;    /* --hold-first N; 0: none */
	uint64_t max_limit;     /* 0: no clamp */
	char *auth_expect;      /* "Basic base64(user:pass)" or NULL */
	double rate;            /* requests per second; 0: unlimited */
	int rate_headers;       /* --rate-headers: say the bucket's state */
	int gzip;               /* compress list bodies when accepted */
	int tls;                /* serving HTTPS: own links say https */
	int fake_total_set;     /* --fake-total given */
	uint64_t fake_total;    /* /offset/items' X-Total-Count */
	uint64_t fake_pages;    /* /page/items' page count; 0: the real one */
	char *next_origin;      /* --next-origin "scheme://host[:port]" or
	                           NULL: the links the server writes */
	int hang;               /* --hang: list requests never answered */
	uint64_t reset_first;   /* --reset-first: connections reset */
	uint64_t detail_fail[16]; /* --detail-fail G: /items/ID 404s */
	int ndetail_fail;
};
extern struct mock_config mock_cfg;

struct mock_stats {
	atomic_ullong requests;         /* list requests received */
	atomic_ullong connections;      /* TCP connections accepted */
	atomic_ullong status_429;
	atomic_ullong status_5xx;
	atomic_ullong faults;           /* faults injected */
	atomic_ullong resets;           /* connections reset (--reset-first) */
	atomic_ullong sleeping;         /* list requests in their latency */
	atomic_ullong peak_sleeping;    /* ... the most at once */
};
extern struct mock_stats mock_stats;

/* One request; created by the URI log callback, freed when it completes. */
struct req {
	struct MHD_Connection *conn;
	char *uri;              /* raw request target, query included */
	const char *path;       /* decoded path (MHD's url) */
	int started;            /* the access handler has seen it */
	int gzip_ok;            /* Accept-Encoding allows gzip */
	int fault;              /* body fault to apply (enum fault_kind) */
	int quota;              /* --rate-headers: RateLimit-* to send */
	long long remaining, reset;
	struct data_view view;  /* dataset snapshot for this request */
	struct buf upload;      /* a login's body (session.c) */
	char set_cookie[96];    /* a Set-Cookie the answer carries, or "" */
};

/* Sleeps ms milliseconds; returns -1 early when the server is stopping. */
int mock_sleep_ms(unsigned ms);
int mock_stopping(void);
/* --hold-first: holds the first list request at offset 0 (see main.c). */
void mock_hold(uint64_t offset);

/* base64 of s, newly allocated (main.c). */
char *mock_base64(const char *s);

/* A 64-bit mixer (splitmix64's finalizer) for the seeded decisions. */
static inline uint64_t
mock_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#endif
