/*
 * mockapi - the test server for invdump: one dataset, served through every
 * pagination convention invdump knows, with latency, rate limits, faults and
 * drift on demand, and the ground truth the client's output must equal.
 *
 * USAGE
 *   mockapi [OPTIONS]
 *
 *   Binds 127.0.0.1 (or the --address given, loopback too) only.  Once
 *   listening, prints the port and a newline on stdout and, with
 *   --port-file, writes it to FILE.tmp and renames that to FILE.  Exits 0
 *   on SIGTERM/SIGINT or after --lifetime; 2 on a bad option.
 *
 *   --address A         the loopback address to bind, 127.0.0.0/8 only
 *                       (default 127.0.0.1): on Linux every 127.x.y.z
 *                       answers, so servers side by side can each have
 *                       an address of their own, as a fleet's appliances
 *                       do; any other address is refused (status 2)
 *   --port N            port to bind (default 0: any free one)
 *   --port-file FILE    write the bound port here (atomically)
 *   --lifetime SECS     exit by itself after this long (default 300)
 *   --items N           dataset size (default 1000)
 *   --item-size BYTES   pad each item's canonical form to this many bytes
 *                       (default 0: natural size, about 250 bytes)
 *   --seed S            seeds fault picks and cursor tokens (default 1)
 *   --latency-ms MS     sleep before answering each list request
 *   --hold-first N      the first list request for the page at offset 0
 *                       (after its --latency-ms sleep) is not answered
 *                       until N list requests, itself included, have
 *                       arrived (as "requests" counts them: since the
 *                       server started; the others may come before or
 *                       after it), or 60 s have passed (then it is
 *                       answered anyway); no other request is held.  For
 *                       a client that asks pages before page 0's answer:
 *                       the answer waits for them, whatever the client's
 *                       speed (the endpoints that ignore the offset count
 *                       every page as offset 0: their first is held)
 *   --max-limit N       largest page the server honours (totals stay true)
 *   --require-user U:P  list requests need HTTP Basic auth, else 401
 *   --log FILE          append "METHOD URI | Header: value | ..." per request
 *                       for Authorization, Range, Range-Unit, Prefer,
 *                       Accept-Encoding, User-Agent, Cookie, X-Api-Key,
 *                       Host (in that order, those sent)
 *   --rate R            token bucket, R per second with burst R; over it:
 *                       429 with Retry-After: 1
 *   --rate-headers      with --rate, every list answer says the bucket's
 *                       state: RateLimit-Limit R, RateLimit-Remaining (the
 *                       whole tokens left), RateLimit-Reset (whole seconds
 *                       until the bucket is full)
 *   --gzip              gzip list bodies when Accept-Encoding allows it
 *   --fault KIND[:RATE[:TIMES]][@FROM[-[TO]]]
 *                       repeatable; RATE 0..1 (default 1: every page),
 *                       TIMES per page (default 1; 0: for ever); @: only
 *                       the page at offset FROM, FROM..TO (inclusive), or
 *                       FROM and after (FROM-).  The first fault (in the
 *                       order given) that picks a request applies.
 *                       KIND: 500 503 429 429date 403rl 403ra 503ra0 503ra1
 *                       404 html502 errorobj huge deep drop stall
 *                       gzip-trunc gzip-half badutf8
 *   --drift-after K --drift-insert N --drift-delete M
 *                       after K list pages served without a fault, insert
 *                       N new items (new, higher ids) at the front and
 *                       delete the last M original items, once
 *   --tls-cert FILE --tls-key FILE
 *                       serve HTTPS with this PEM certificate and key
 *                       (absolute URLs the server writes then say https)
 *   --reset-first K     reset (RST, SO_LINGER 0) the first K connections
 *                       accepted, after reading what the client sent
 *                       first (its TLS ClientHello, or its request); serve
 *                       the others as usual.  The server then accepts on
 *                       a socket of its own and hands connections to MHD
 *   --fake-total N      /offset/items says X-Total-Count: N (0..2^64-1)
 *                       whatever the dataset holds; pages past the real
 *                       end are empty arrays
 *   --fake-pages N      /page/items says there are N pages: X-Total-Pages
 *                       N, Link rel="last" page=N, rel="next" on every
 *                       page before N; no X-Total
 *   --next-origin URL   every link the server writes (next, last, prev,
 *                       first: bodies and Link headers) points to URL
 *                       (scheme://host[:port]) instead of this server;
 *                       the path and query stay
 *   --hang              list requests are read, counted and never
 *                       answered: nothing is sent until the server stops
 *   --detail-fail G     repeatable (16 at most): /items/ID of the item
 *                       with generator index G (id 9007199254740993+G),
 *                       and its relations, always answer 404
 *   -v, --verbose       libmicrohttpd's own error messages on stderr
 *
 * ENDPOINTS (GET; JSON bodies are application/json; unknown path: 404)
 *   List endpoints (counted, delayed, rate limited, faulted; page sizes are
 *   clamped to --max-limit; a missing size takes the default shown):
 *   /offset/items?offset=O&limit=L (0/100)   root array, X-Total-Count
 *   /nototal/items?offset=O&limit=L          the same without a total
 *   /softlayer/SoftLayer_Account/getVirtualGuests.json?resultLimit=O,L
 *                          root array, softlayer-total-items; no
 *                          resultLimit: every item
 *   /html/items            200, an HTML page;  /object/items: 200,
 *                          {"error":"something broke","code":42}
 *   /range/items           PostgREST: Range: A-B or A- (inclusive); no
 *                          Range: every item (200); Content-Range A-B/N with
 *                          Prefer: count=exact, else A-B/STAR (a literal
 *                          asterisk); 206 when partial; a start past the
 *                          end: 416 with Content-Range STAR/N
 *   /page/items?page=P&per_page=S (1/30)     root array; GitHub Link
 *                          (next, last, first, prev: only those that
 *                          exist) and GitLab X-Total, X-Total-Pages, X-Page,
 *                          X-Per-Page, X-Next-Page, X-Prev-Page (the last
 *                          two only when that page exists)
 *   /drf/items?offset=O&limit=L (0/100)      {"count","next","previous",
 *                          "results"};  /drf-late/items: "count" last
 *   /odata/items?$skip=O&$top=L (0/100)      {"@odata.context",
 *                          "@odata.count" (with $count=true), "value",
 *                          "@odata.nextLink" (when more remain)}
 *   /scim/Users?startIndex=S&count=C (1/100) SCIM ListResponse
 *   /cursor/items?limit=L[&cursor=T] (100)   {"data","next_cursor"} and
 *                          Link rel="next"; /cursor-loop/items: the third
 *                          page's next cursor is the second page's again
 *   /cursor-url/items?limit=L[&after=K]      {"next":URL|null,"results"};
 *                          after=K skips the first K items
 *   /infoblox/wapi/vX.Y/network?_paging=1&_return_as_object=1
 *                          &_max_results=N[&_page_id=ID] (N 1000)
 *                          {"result","next_page_id" (absent on the last
 *                          page)}; without _paging and more than 1000 items:
 *                          400 AdmConProtoError
 *   /meraki/api/v1/organizations/1/devices?perPage=N[&startingAfter=ID]
 *                          (1000) root array of the items after the one
 *                          with that id; Link <..>; rel=first, rel=next
 *   Servers a client must not take on trust (quirks.c):
 *   /ignore/items?limit=L (100)     offset IGNORED: always the first L
 *                          items; root array, X-Total-Count true
 *   /ignore-nototal/items           the same without a total
 *   /jsonserver/items      json-server 0.17 (typicode): offset, limit and
 *                          other unknown parameters are ignored; _page=P
 *                          (from 1) with _limit=L (10) pages, with a Link
 *                          (first/prev/next/last as json-server gives
 *                          them); else _end=E slices [_start, E); else
 *                          _limit=L slices [_start, _start+L); _start
 *                          alone does nothing; X-Total-Count only with
 *                          _end, _limit or _page (as in its plural.js,
 *                          _limit alone included); root array; no paging
 *                          parameter: every item
 *   /drf-page/items?page=P[&page_size=S] (1/10)   DRF PageNumberPagination:
 *                          offset/limit ignored; {"count","next",
 *                          "previous","results"}, next/previous keep the
 *                          other query parameters, sorted by name (DRF's
 *                          replace_query_param), previous of page 2 has
 *                          no page=; page=last; a page that does not
 *                          exist: 404 {"detail":"Invalid page."}
 *   /biglimit/items?offset=O&limit=L (0/100)  offset honoured, 3 * L
 *                          items returned (fewer at the end); X-Total-Count
 *   /next-page/items, /odata-next/items, /links-next/items
 *                          ?limit=L[&after=K] (100/0), like /cursor-url:
 *                          {"items","next_page":URL|null};
 *                          {"@odata.context","value","@odata.nextLink":URL
 *                          (absent on the last page)};
 *                          {"data","links":{"self":URL,"next":URL|null}}
 *   /has-more/items?limit=L[&starting_after=ID]   Stripe's list:
 *                          {"object":"list","url","has_more":true|false,
 *                          "data"}, no next page named anywhere
 *   /detail-error/items    200 {"detail":"Invalid page."}, always
 *   Vendor APIs as the real ones answer (vendors.c):
 *   /f5/mgmt/tm/ltm/pool?$top=N&$skip=M   F5 iControl REST collection:
 *                          {"kind","selfLink","currentItemCount",
 *                          "itemsPerPage","pageIndex","startIndex",
 *                          "totalItems","totalPages","items","nextLink"
 *                          (when more remain),"previousLink" (past the
 *                          first page)}; links on https://localhost with
 *                          ver=; no "items" member on a page without items;
 *                          no $top: every item from $skip on, no paging
 *                          fields
 *   /f5/mgmt/tm/sys/version   one JSON object (pretty-printed, escaped
 *                          slashes), not a list; its canonical line at
 *                          /truth-object
 *   /f5/mgmt/tm/cm/failover-status   the same for the failover status
 *                          (ACTIVE, green); its canonical line at
 *                          /truth-object?path=/f5/mgmt/tm/cm/failover-status
 *   /servicenow/api/now/table/cmdb_ci?sysparm_offset=O&sysparm_limit=L
 *                          (0/10000) {"result":[...]}, X-Total-Count, and
 *                          Link <URL>;rel="first",...,rel="prev" (past the
 *                          first page),rel="next" (when more remain),
 *                          rel="last" (no spaces; none when one page holds
 *                          all); other parameters (sysparm_query=...) kept,
 *                          the order is the dataset's
 *   Details and relations (details.c; list requests: counted, delayed,
 *   rate limited, faulted with the item's generator index G as offset):
 *   /items/ID              the item with that id in wire form (so its
 *                          canonical line is /truth's); an id not in the
 *                          dataset, or --detail-fail's: 404
 *   /items/ID/rel/NAME     NAME of [a-z0-9_]: names starting with "list"
 *                          give an array of G % 3 objects {"of":ID,"i":I},
 *                          the others {"of":ID,"rel":"NAME","n":G % 7,
 *                          "s":"x/\"y\""}
 *   A dataset that changes between runs (changing.c; the comment at its
 *   top): /changing/items (DRF, filters updated_at__gte, since,
 *   updated_at__gt), /changing/feathers (FeathersJS: an unknown parameter
 *   matches nothing); services /changing/reset, /changing/mutate,
 *   /changing/truth
 *   Service endpoints (never delayed, faulted or counted):
 *   /truth-expand?rel=A,B  /truth with "A":rel A,"B":rel B appended to
 *                          each item (canonical; built whole: small sets)
 *   /truth                 the canonical NDJSON of the current dataset
 *                          (text/plain, chunked)
 *   /truth-object[?path=P] the canonical line of the object at P (one of
 *                          the two above; default /f5/mgmt/tm/sys/version;
 *                          another path: 404)
 *   /stats                 {"requests","connections","status_429",
 *                          "status_5xx","faults","drifted","items",
 *                          "resets","peak_latency"}: peak_latency is the
 *                          most list requests at once in their
 *                          --latency-ms sleep (requests in flight)
 *   /redirect?to=URL       302 to URL
 *   /redirect-keep?to=URL  302 to URL with the request's other query
 *                          parameters appended (so a client's paging
 *                          parameters survive the redirect)
 *   /status/NNN            status NNN (200..599) with a small JSON body
 *
 * DATASET
 *   Item g (0-based) has, in this order: "id" 9007199254740993+g, "hostname"
 *   "host-%06d.example.com", "seq" g, "num" (by g % 8) 18446744073709551617,
 *   1e400, -0.0, 0.1000000000000000055511151231257827, 1E+2, -12.5e-3, 0,
 *   -9223372036854775809, "note" (by g % 8) "café", "😀 emoji", "nul" NUL
 *   "inside", `quote" backslash\ slash/ ` BS FF LF CR TAB, 0x01 0x1F
 *   " control" 0x7F, "日本語", U+2028 U+2029 "seps", "plain"; "tags"
 *   ["a","b"] ([] when g % 3 == 0), "nested" {"ok":true,"none":null,
 *   "f":false,"list":[1,2.5,{"x":"y"}]}, "pad" ('x' up to --item-size).
 *   Lists send the wire form (other escapes, some items pretty-printed);
 *   /truth sends the canonical form, one item per line.  Details: data.c.
 *   The badutf8 fault replaces the first item's note by "bad " C3 28 " utf8".
 *
 * COUNTERS
 *   "requests" counts every list request received, whatever its answer
 *   (--hang's included); "connections" those MHD served, "resets" those
 *   --reset-first reset; the drift counts only list pages answered from the
 *   dataset without a fault (so it works on /page/items as on the others).
 *   A fault picks pages by offset, and counts its TIMES per (path, offset).
 *   gzip-trunc/gzip-half apply only when the request accepts gzip (then
 *   whether or not --gzip is on): gzip-trunc drops the 8-byte trailer,
 *   gzip-half keeps half the deflate data.  stall sends ~100 bytes, waits
 *   60 s (or until the server stops), then the rest.  deep is 100000 '['
 *   then 100000 ']'.  huge is ["xxx…"], 200 MiB, with a Content-Length.
 *   429date's Retry-After is an HTTP date 2 s ahead (1 s resolution).
 *   403ra is GitHub's secondary rate limit: 403, Retry-After: 1, {"message":
 *   "You have exceeded a secondary rate limit..."}, no X-RateLimit-*.
 *   503ra0 is a 503 with Retry-After: 0, 503ra1 one with Retry-After: 1.
 *   404 is a 404 with a JSON body.
 *
 * THREADS
 * libmicrohttpd runs a thread per connection, so a sleeping request does
 * not hold up others.  The options (mock_cfg) are written by main before
 * the daemon starts and only read afterwards.  --reset-first adds one
 * thread, the accept loop, which alone touches its socket and count; a
 * --hang request sleeps in its own thread, and so does --hold-first's.
 * Shared mutable state: the counters (atomics), the dataset's drift
 * (data.c, one mutex), the fault counts (faults.c, one mutex), the rate
 * bucket, the log and the hold (one mutex each).  No code holds two of
 * these locks at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../src/xalloc.h"
#include "data.h"
#include "faults.h"
#include "mockapi.h"
#include "profiles.h"
#include "reply.h"
#include "session.h"

enum exit_status {
	exit_ok = 0,
	exit_fail = 1,
	exit_usage = 2
};

struct mock_config mock_cfg;
struct mock_stats mock_stats;

static const struct route {
	const char *path;
	int prefix;             /* path is a prefix of the request's */
	int list;               /* counted, delayed, limited, faulted */
	prof_handler fn;
} routes[] = {
	{ "/offset/items", 0, 1, prof_offset },
	{ "/nototal/items", 0, 1, prof_nototal },
	{ "/softlayer/SoftLayer_Account/getVirtualGuests.json", 0, 1,
	    prof_softlayer },
	{ "/html/items", 0, 1, prof_html },
	{ "/object/items", 0, 1, prof_object },
	{ "/range/items", 0, 1, prof_range },
	{ "/page/items", 0, 1, prof_page },
	{ "/drf/items", 0, 1, prof_drf },
	{ "/drf-late/items", 0, 1, prof_drf_late },
	{ "/odata/items", 0, 1, prof_odata },
	{ "/scim/Users", 0, 1, prof_scim },
	{ "/cursor/items", 0, 1, prof_cursor },
	{ "/cursor-url/items", 0, 1, prof_cursor_url },
	{ "/cursor-loop/items", 0, 1, prof_cursor_loop },
	{ "/infoblox/wapi/", 1, 1, prof_infoblox },
	{ "/meraki/api/v1/organizations/1/devices", 0, 1, prof_meraki },
	{ "/ignore/items", 0, 1, prof_ignore },
	{ "/ignore-nototal/items", 0, 1, prof_ignore_nototal },
	{ "/jsonserver/items", 0, 1, prof_jsonserver },
	{ "/drf-page/items", 0, 1, prof_drf_page },
	{ "/biglimit/items", 0, 1, prof_biglimit },
	{ "/next-page/items", 0, 1, prof_next_page },
	{ "/odata-next/items", 0, 1, prof_odata_next },
	{ "/links-next/items", 0, 1, prof_links_next },
	{ "/has-more/items", 0, 1, prof_has_more },
	{ "/detail-error/items", 0, 1, prof_detail_error },
	{ "/f5/mgmt/tm/ltm/pool", 0, 1, prof_f5_pool },
	{ "/f5/mgmt/tm/sys/version", 0, 1, prof_f5_version },
	{ "/f5/mgmt/tm/cm/failover-status", 0, 1, prof_f5_failover },
	{ "/servicenow/api/now/table/cmdb_ci", 0, 1, prof_servicenow },
	{ "/items/", 1, 1, prof_detail },
	{ "/changing/items", 0, 1, prof_changing },
	{ "/changing/feathers", 0, 1, prof_feathers },
	{ "/changing/reset", 0, 0, svc_changing_reset },
	{ "/changing/mutate", 0, 0, svc_changing_mutate },
	{ "/changing/truth", 0, 0, svc_changing_truth },
	{ "/truth-expand", 0, 0, svc_truth_expand },
	{ "/truth", 0, 0, svc_truth },
	{ "/truth-object", 0, 0, svc_truth_object },
	{ "/stats", 0, 0, svc_stats },
	{ "/redirect", 0, 0, svc_redirect },
	{ "/redirect-keep", 0, 0, svc_redirect_keep },
	{ "/status/", 1, 0, svc_status },
};

static const char *const logged[] = {
	"Authorization", "Range", "Range-Unit", "Prefer", "Accept-Encoding",
	"User-Agent", "Cookie", "X-Api-Key", "Host",
};

static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;    /* on CLOCK_MONOTONIC */
	int stopping;
} stop = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct {
	pthread_mutex_t lock;
	double tokens;
	struct timespec last;
} bucket = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* --hold-first: the cond is broadcast on every list request counted, and
 * when the server stops. */
#define HOLD_MAX_S      60
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;    /* on CLOCK_MONOTONIC */
	int taken;              /* the first request at offset 0 has come */
	int stopping;           /* stop_all's, under this lock */
} hold = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mockapi [--address 127.X.Y.Z] [--port N] "
	    "[--port-file FILE]\n"
	    "               [--lifetime SECS] [--items N] "
	    "[--item-size BYTES] [--seed S]\n"
	    "               [--latency-ms MS] [--hold-first N] "
	    "[--max-limit N]\n"
	    "               [--require-user USER:PASS] [--log FILE] [--rate R]\n"
	    "               [--rate-headers]\n"
	    "               [--gzip] [--fault KIND[:RATE[:TIMES]]"
	    "[@FROM[-[TO]]]]...\n"
	    "               [--drift-after K --drift-insert N "
	    "--drift-delete M]\n"
	    "               [--tls-cert FILE --tls-key FILE] "
	    "[--reset-first K]\n"
	    "               [--fake-total N] [--fake-pages N] "
	    "[--next-origin URL]\n"
	    "               [--hang] [--detail-fail G]... [--session SPEC] "
	    "[-v]\n"
	    "See the comment at the top of tests/mockapi/main.c.\n");
}

static void __attribute__((format(printf, 1, 2), noreturn))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mockapi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(exit_usage);
}

static uint64_t
opt_u64(const char *name, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || x < min ||
	    x > max)
		usage_error("--%s wants a number in %llu..%llu, not '%s'",
		    name, (unsigned long long)min, (unsigned long long)max,
		    s);
	return x;
}

/* --next-origin: scheme://host[:port], a trailing slash dropped. */
static char *
origin_arg(const char *s)
{
	const char *host;
	size_t n = strlen(s), hlen;

	if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		usage_error("--next-origin wants http://HOST[:PORT] or "
		    "https://HOST[:PORT], not '%s'", s);
	if (n > 0 && s[n - 1] == '/')
		n--;
	hlen = host < s + n ? (size_t)(s + n - host) : 0;
	if (hlen == 0 || strcspn(host, "/?#\"\\ \t\r\n") < hlen)
		usage_error("--next-origin wants http://HOST[:PORT] or "
		    "https://HOST[:PORT], not '%s'", s);
	return xstrndup(s, n);
}

char *
mock_base64(const char *s)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i, o = 0;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	unsigned v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* --- stopping and sleeping ---------------------------------------------- */

int
mock_sleep_ms(unsigned ms)
{
	struct timespec until;
	int stopping;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&stop.lock);
	while (!stop.stopping &&
	    pthread_cond_timedwait(&stop.cond, &stop.lock, &until) != ETIMEDOUT)
		;
	stopping = stop.stopping;
	pthread_mutex_unlock(&stop.lock);
	return stopping ? -1 : 0;
}

int
mock_stopping(void)
{
	int s;

	pthread_mutex_lock(&stop.lock);
	s = stop.stopping;
	pthread_mutex_unlock(&stop.lock);
	return s;
}

static void
stop_all(void)
{
	pthread_mutex_lock(&stop.lock);
	stop.stopping = 1;
	pthread_cond_broadcast(&stop.cond);
	pthread_mutex_unlock(&stop.lock);
	pthread_mutex_lock(&hold.lock);
	hold.stopping = 1;
	pthread_cond_broadcast(&hold.cond);
	pthread_mutex_unlock(&hold.lock);
}

/* --hold-first N: called by fault_gate() with the page's offset; the first
 * request at offset 0 waits until the request count reaches N, for
 * HOLD_MAX_S seconds at most, or until the server stops.  (Not N - 1 more
 * after it: a client's early requests may reach the server before its
 * page 0 does.) */
void
mock_hold(uint64_t offset)
{
	struct timespec until;
	int rc = 0;

	if (mock_cfg.hold_first < 2 || offset != 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += HOLD_MAX_S;
	pthread_mutex_lock(&hold.lock);
	if (!hold.taken) {
		hold.taken = 1;
		while (!hold.stopping && rc != ETIMEDOUT &&
		    atomic_load(&mock_stats.requests) < mock_cfg.hold_first)
			rc = pthread_cond_timedwait(&hold.cond, &hold.lock,
			    &until);
	}
	pthread_mutex_unlock(&hold.lock);
}

/* --- request gates -------------------------------------------------------- */

/* Takes a token; *left is what remains, *full the seconds until the
 * bucket is full again. */
static int
rate_take(double *left, double *full)
{
	struct timespec now;
	double dt, burst = mock_cfg.rate < 1 ? 1 : mock_cfg.rate;
	int ok;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&bucket.lock);
	dt = (double)(now.tv_sec - bucket.last.tv_sec) +
	    (double)(now.tv_nsec - bucket.last.tv_nsec) / 1e9;
	bucket.last = now;
	bucket.tokens += dt * mock_cfg.rate;
	if (bucket.tokens > burst)
		bucket.tokens = burst;
	ok = bucket.tokens >= 1.0;
	if (ok)
		bucket.tokens -= 1.0;
	*left = bucket.tokens;
	*full = (burst - bucket.tokens) / mock_cfg.rate;
	pthread_mutex_unlock(&bucket.lock);
	return ok;
}

static int
auth_ok(struct req *r)
{
	const char *h = reply_hdr(r, MHD_HTTP_HEADER_AUTHORIZATION);

	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (h += 6; *h == ' '; h++)
		;
	return strcmp(h, mock_cfg.auth_expect) == 0;
}

/* --rate-headers: what the answer says of the bucket (IETF RateLimit
 * headers: the requests left, the whole seconds until it is full). */
static void
quota(struct req *r, double left, double full)
{
	if (!mock_cfg.rate_headers)
		return;
	r->quota = 1;
	r->remaining = (long long)left;
	r->reset = (long long)full + (full > (long long)full);
}

/* Counts a list request and applies latency, auth and the rate limit;
 * returns 1 when it queued the answer itself (its result in *ret). */
static int
gate(struct req *r, enum MHD_Result *ret)
{
	struct MHD_Response *resp;
	struct buf b;
	double left = 0, full = 0;

	atomic_fetch_add(&mock_stats.requests, 1);
	if (mock_cfg.hold_first > 1) {
		/* a held request may be waiting for this one */
		pthread_mutex_lock(&hold.lock);
		pthread_cond_broadcast(&hold.cond);
		pthread_mutex_unlock(&hold.lock);
	}
	if (mock_cfg.hang) {
		/* --hang: nothing is sent; the connection is held until the
		 * server stops, then closed */
		while (mock_sleep_ms(1000) == 0)
			;
		*ret = MHD_NO;
		return 1;
	}
	if (mock_cfg.latency_ms != 0) {
		unsigned long long now, peak;

		now = atomic_fetch_add(&mock_stats.sleeping, 1) + 1;
		peak = atomic_load(&mock_stats.peak_sleeping);
		while (now > peak && !atomic_compare_exchange_weak(
		    &mock_stats.peak_sleeping, &peak, now))
			;
		mock_sleep_ms(mock_cfg.latency_ms);
		atomic_fetch_sub(&mock_stats.sleeping, 1);
	}
	if (mock_session_on() && mock_session_gate(r, ret))
		return 1;
	if (mock_cfg.auth_expect != NULL && !auth_ok(r)) {
		buf_init(&b, 0);
		buf_adds(&b, "{\"error\":\"authentication required\","
		    "\"status\":401}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Basic realm=\"mock\"");
		*ret = reply_queue(r, 401, resp);
		return 1;
	}
	if (mock_cfg.rate > 0 && !rate_take(&left, &full)) {
		quota(r, left, full);
		buf_init(&b, 0);
		buf_adds(&b, "{\"error\":\"rate limit exceeded\","
		    "\"status\":429}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, "Retry-After", "1");
		*ret = reply_queue(r, 429, resp);
		return 1;
	}
	if (mock_cfg.rate > 0)
		quota(r, left, full);
	return 0;
}

static void
log_request(struct req *r, const char *method)
{
	struct buf b;
	const char *v;
	size_t i;

	if (log_file == NULL)
		return;
	buf_init(&b, 0);
	buf_adds(&b, method);
	buf_addc(&b, ' ');
	buf_adds(&b, r->uri);
	for (i = 0; i < sizeof(logged) / sizeof(logged[0]); i++) {
		if ((v = reply_hdr(r, logged[i])) == NULL)
			continue;
		buf_adds(&b, " | ");
		buf_adds(&b, logged[i]);
		buf_adds(&b, ": ");
		buf_adds(&b, v);
	}
	buf_addc(&b, '\n');
	pthread_mutex_lock(&log_lock);
	fwrite(b.data, 1, b.len, log_file);
	fflush(log_file);
	pthread_mutex_unlock(&log_lock);
	buf_free(&b);
}

/* --- libmicrohttpd callbacks ------------------------------------------- */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req *r = xcalloc(1, sizeof(*r));

	(void)cls;
	r->conn = conn;
	r->uri = xstrdup(uri);
	buf_init(&r->upload, 1 << 16);
	return r;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r != NULL) {
		buf_free(&r->upload);
		free(r->uri);
		free(r);
		*req_cls = NULL;
	}
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **sock_cls,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)sock_cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&mock_stats.connections, 1);
}

static const struct route *
route_find(const char *path)
{
	size_t i, n;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		n = strlen(routes[i].path);
		if (routes[i].prefix ? strncmp(path, routes[i].path, n) == 0 :
		    strcmp(path, routes[i].path) == 0)
			return &routes[i];
	}
	return NULL;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	const struct route *rt;
	struct req *r = *req_cls;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	(void)upload;
	if (r == NULL)
		return MHD_NO;
	if (!r->started) {
		r->started = 1;
		r->conn = conn;
		r->path = url;
		log_request(r, method);
		return MHD_YES;
	}
	if (mock_session_on() && mock_session_route(method, url)) {
		if (*upload_size != 0) {        /* a login's body */
			buf_add(&r->upload, upload, *upload_size);
			*upload_size = 0;
			return MHD_YES;
		}
		return mock_session_serve(r, method, url);
	}
	if (*upload_size != 0) {        /* a body we do not want */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_error(r, 405, "only GET is served here");
	if ((rt = route_find(url)) == NULL)
		return reply_error(r, 404, "no such endpoint");
	r->gzip_ok = reply_gzip_ok(r);
	if (rt->list) {
		if (gate(r, &ret))
			return ret;
	}
	data_view(&r->view);
	return rt->fn(r);
}

/* --- --reset-first: a listener of our own ------------------------------ */

/*
 * With --reset-first the daemon has no listening socket: this thread
 * accepts, resets the first K connections, and hands the others to MHD
 * (MHD_add_connection), which then serves them as usual.
 */
static struct {
	int fd;
	pthread_t thread;
	struct MHD_Daemon *d;
	uint64_t accepted;      /* this thread's alone */
} lsn = { .fd = -1 };

static int
listen_on(struct in_addr addr, uint16_t port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr = addr;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	mock_cfg.port = ntohs(sa.sin_port);
	return fd;
}

/* Reads what the client sends first (a TLS ClientHello, or an HTTP
 * request), waiting up to a second, then closes with SO_LINGER 0: the
 * client sees a reset (RST), not an orderly close. */
static void
reset_conn(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char junk[4096];

	if (poll(&p, 1, 1000) > 0 && recv(fd, junk, sizeof(junk), 0) < 0)
		junk[0] = '\0';
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	atomic_fetch_add(&mock_stats.resets, 1);
}

static void *
accept_loop(void *arg)
{
	struct sockaddr_storage ss;
	struct pollfd p;
	socklen_t len;
	int fd;

	(void)arg;
	while (!mock_stopping()) {
		p.fd = lsn.fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 200) <= 0)
			continue;
		len = sizeof(ss);
		if ((fd = accept4(lsn.fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC)) < 0)
			continue;
		if (lsn.accepted++ < mock_cfg.reset_first) {
			reset_conn(fd);
			continue;
		}
		/* MHD owns fd from here, and closes it on failure */
		(void)MHD_add_connection(lsn.d, fd, (struct sockaddr *)&ss,
		    len);
	}
	return NULL;
}

/* --- main ------------------------------------------------------------------ */

static void
write_port_file(const char *path, unsigned port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f;

	if ((f = fopen(tmp, "w")) == NULL ||
	    fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "mockapi: %s: %s\n", tmp, strerror(errno));
		exit(exit_fail);
	}
	free(tmp);
}

/* A whole PEM file, NUL-terminated, for --tls-cert and --tls-key. */
static char *
read_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	char *pem;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "mockapi: %s: cannot read\n", path);
		exit(exit_fail);
	}
	pem = xmalloc((size_t)n + 1);
	if (fread(pem, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "mockapi: %s: short read\n", path);
		exit(exit_fail);
	}
	pem[n] = '\0';
	fclose(f);
	return pem;
}

int
main(int argc, char **argv)
{
	enum {
		opt_port = 256, opt_port_file, opt_lifetime, opt_items,
		opt_item_size, opt_seed, opt_latency, opt_max_limit,
		opt_require_user, opt_log, opt_rate, opt_fault, opt_gzip,
		opt_drift_after, opt_drift_insert, opt_drift_delete, opt_help,
		opt_tls_cert, opt_tls_key, opt_fake_total, opt_fake_pages,
		opt_next_origin, opt_hang, opt_reset_first, opt_rate_headers,
		opt_detail_fail, opt_hold_first, opt_address, opt_session
	};
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, opt_address },
		{ "port", required_argument, NULL, opt_port },
		{ "port-file", required_argument, NULL, opt_port_file },
		{ "lifetime", required_argument, NULL, opt_lifetime },
		{ "items", required_argument, NULL, opt_items },
		{ "item-size", required_argument, NULL, opt_item_size },
		{ "seed", required_argument, NULL, opt_seed },
		{ "latency-ms", required_argument, NULL, opt_latency },
		{ "hold-first", required_argument, NULL, opt_hold_first },
		{ "max-limit", required_argument, NULL, opt_max_limit },
		{ "require-user", required_argument, NULL, opt_require_user },
		{ "log", required_argument, NULL, opt_log },
		{ "rate", required_argument, NULL, opt_rate },
		{ "fault", required_argument, NULL, opt_fault },
		{ "gzip", no_argument, NULL, opt_gzip },
		{ "rate-headers", no_argument, NULL, opt_rate_headers },
		{ "drift-after", required_argument, NULL, opt_drift_after },
		{ "drift-insert", required_argument, NULL, opt_drift_insert },
		{ "drift-delete", required_argument, NULL, opt_drift_delete },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, opt_help },
		{ "tls-cert", required_argument, NULL, opt_tls_cert },
		{ "tls-key", required_argument, NULL, opt_tls_key },
		{ "fake-total", required_argument, NULL, opt_fake_total },
		{ "fake-pages", required_argument, NULL, opt_fake_pages },
		{ "next-origin", required_argument, NULL, opt_next_origin },
		{ "hang", no_argument, NULL, opt_hang },
		{ "detail-fail", required_argument, NULL, opt_detail_fail },
		{ "reset-first", required_argument, NULL, opt_reset_first },
		{ "session", required_argument, NULL, opt_session },
		{ NULL, 0, NULL, 0 }
	};
	const char *port_file = NULL, *log_path = NULL;
	const char *tls_cert = NULL, *tls_key = NULL;
	char *cert_pem = NULL, *key_pem = NULL;
	struct MHD_OptionItem tls_opts[3];
	uint64_t port = 0, lifetime = 300, items = 1000, item_size = 0;
	uint64_t drift_after = 0, drift_ins = 0, drift_del = 0;
	int c, verbose = 0, drift_set = 0, status = exit_ok;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	struct in_addr addr = { .s_addr = htonl(INADDR_LOOPBACK) };
	pthread_condattr_t ca;
	struct timespec end, now, left;
	sigset_t sigs;
	char *endp;

	mock_cfg.seed = 1;
	while ((c = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (c) {
		case opt_address:
			/* tests talk to 127.0.0.0/8 only, never to a network */
			if (inet_pton(AF_INET, optarg, &addr) != 1 ||
			    (ntohl(addr.s_addr) >> 24) != 127)
				usage_error("--address wants a loopback address "
				    "127.X.Y.Z, not '%s'", optarg);
			break;
		case opt_port:
			port = opt_u64("port", optarg, 0, 65535);
			break;
		case opt_port_file:
			port_file = optarg;
			break;
		case opt_lifetime:
			lifetime = opt_u64("lifetime", optarg, 1, 86400 * 7);
			break;
		case opt_items:
			items = opt_u64("items", optarg, 0, 1ULL << 40);
			break;
		case opt_item_size:
			item_size = opt_u64("item-size", optarg, 0, 1 << 30);
			break;
		case opt_seed:
			mock_cfg.seed = opt_u64("seed", optarg, 0, UINT64_MAX);
			break;
		case opt_latency:
			mock_cfg.latency_ms = (unsigned)opt_u64("latency-ms",
			    optarg, 0, 3600 * 1000);
			break;
		case opt_hold_first:
			mock_cfg.hold_first = opt_u64("hold-first", optarg, 1,
			    1000000);
			break;
		case opt_max_limit:
			mock_cfg.max_limit = opt_u64("max-limit", optarg, 1,
			    UINT64_MAX);
			break;
		case opt_require_user:
			if (strchr(optarg, ':') == NULL)
				usage_error("--require-user wants USER:PASS");
			free(mock_cfg.auth_expect);
			mock_cfg.auth_expect = mock_base64(optarg);
			break;
		case opt_log:
			log_path = optarg;
			break;
		case opt_rate:
			errno = 0;
			mock_cfg.rate = strtod(optarg, &endp);
			if (endp == optarg || *endp != '\0' || errno != 0 ||
			    !(mock_cfg.rate > 0 && mock_cfg.rate < 1e9))
				usage_error("--rate wants a positive number, "
				    "not '%s'", optarg);
			break;
		case opt_fault:
			if (fault_add(optarg) < 0)
				usage_error("bad --fault '%s' (at most 16 of "
				    "KIND[:RATE[:TIMES]][@FROM[-[TO]]])",
				    optarg);
			break;
		case opt_gzip:
			mock_cfg.gzip = 1;
			break;
		case opt_rate_headers:
			mock_cfg.rate_headers = 1;
			break;
		case opt_drift_after:
			drift_after = opt_u64("drift-after", optarg, 1,
			    UINT64_MAX);
			drift_set = 1;
			break;
		case opt_drift_insert:
			drift_ins = opt_u64("drift-insert", optarg, 0,
			    1ULL << 40);
			break;
		case opt_drift_delete:
			drift_del = opt_u64("drift-delete", optarg, 0,
			    1ULL << 40);
			break;
		case opt_tls_cert:
			tls_cert = optarg;
			break;
		case opt_tls_key:
			tls_key = optarg;
			break;
		case opt_fake_total:
			mock_cfg.fake_total = opt_u64("fake-total", optarg, 0,
			    UINT64_MAX);
			mock_cfg.fake_total_set = 1;
			break;
		case opt_fake_pages:
			mock_cfg.fake_pages = opt_u64("fake-pages", optarg, 1,
			    UINT64_MAX);
			break;
		case opt_next_origin:
			free(mock_cfg.next_origin);
			mock_cfg.next_origin = origin_arg(optarg);
			break;
		case opt_hang:
			mock_cfg.hang = 1;
			break;
		case opt_detail_fail:
			if (mock_cfg.ndetail_fail == 16)
				usage_error("--detail-fail: 16 at most");
			mock_cfg.detail_fail[mock_cfg.ndetail_fail++] =
			    opt_u64("detail-fail", optarg, 0, UINT64_MAX);
			break;
		case opt_reset_first:
			mock_cfg.reset_first = opt_u64("reset-first", optarg, 1,
			    1000000);
			break;
		case opt_session:
			if (mock_session_config(optarg) < 0)
				usage_error("bad --session '%s' (see the comment "
				    "at the top of tests/mockapi/session.c)",
				    optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case opt_help:
			usage(stdout);
			exit(exit_ok);
		default:
			usage(stderr);
			exit(exit_usage);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!drift_set && (drift_ins != 0 || drift_del != 0))
		usage_error("--drift-insert/--drift-delete need --drift-after");
	if ((tls_cert == NULL) != (tls_key == NULL))
		usage_error("--tls-cert and --tls-key go together");
	memset(tls_opts, 0, sizeof tls_opts);
	tls_opts[0].option = MHD_OPTION_END;
	if (tls_cert != NULL) {
		cert_pem = read_pem(tls_cert);
		key_pem = read_pem(tls_key);
		tls_opts[0].option = MHD_OPTION_HTTPS_MEM_KEY;
		tls_opts[0].ptr_value = key_pem;
		tls_opts[1].option = MHD_OPTION_HTTPS_MEM_CERT;
		tls_opts[1].ptr_value = cert_pem;
		tls_opts[2].option = MHD_OPTION_END;
	}
	mock_cfg.tls = tls_cert != NULL;
	data_init(items, item_size, drift_after, drift_ins, drift_del);
	if (log_path != NULL && (log_file = fopen(log_path, "a")) == NULL) {
		fprintf(stderr, "mockapi: %s: %s\n", log_path,
		    strerror(errno));
		exit(exit_fail);
	}

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&stop.cond, &ca);
	pthread_cond_init(&hold.cond, &ca);
	pthread_condattr_destroy(&ca);
	bucket.tokens = mock_cfg.rate < 1 ? 1 : mock_cfg.rate;
	clock_gettime(CLOCK_MONOTONIC, &bucket.last);

	/* Threads started from here on inherit these blocked signals; only
	 * the main thread takes them, in sigtimedwait(). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr = addr;
	inet_ntop(AF_INET, &addr, mock_cfg.address, sizeof(mock_cfg.address));
	if (mock_cfg.reset_first != 0 &&
	    (lsn.fd = listen_on(addr, (uint16_t)port)) < 0) {
		fprintf(stderr, "mockapi: cannot listen on %s:%u: %s\n",
		    mock_cfg.address, (unsigned)port, strerror(errno));
		exit(exit_fail);
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
	    (verbose ? MHD_USE_ERROR_LOG : 0) | (tls_cert ? MHD_USE_TLS : 0) |
	    (lsn.fd >= 0 ? MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC : 0),
	    (uint16_t)port, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    MHD_OPTION_ARRAY, tls_opts,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "mockapi: cannot listen on %s:%u\n",
		    mock_cfg.address, (unsigned)port);
		exit(exit_fail);
	}
	if (lsn.fd >= 0) {
		lsn.d = d;
		if (pthread_create(&lsn.thread, NULL, accept_loop, NULL) != 0) {
			fprintf(stderr, "mockapi: cannot start a thread\n");
			exit(exit_fail);
		}
	} else if ((info = MHD_get_daemon_info(d,
	    MHD_DAEMON_INFO_BIND_PORT)) == NULL || info->port == 0) {
		fprintf(stderr, "mockapi: cannot tell the bound port\n");
		MHD_stop_daemon(d);
		exit(exit_fail);
	} else
		mock_cfg.port = info->port;
	if (port_file != NULL)
		write_port_file(port_file, mock_cfg.port);
	printf("%u\n", mock_cfg.port);
	if (fflush(stdout) != 0)
		status = exit_fail;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)lifetime;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		if (sigtimedwait(&sigs, NULL, &left) >= 0)
			break;
		if (errno != EINTR && errno != EAGAIN)
			break;
	}

	stop_all();
	if (lsn.fd >= 0) {
		pthread_join(lsn.thread, NULL);
		close(lsn.fd);
	}
	MHD_stop_daemon(d);
	free(mock_cfg.next_origin);
	free(cert_pem);
	free(key_pem);
	fault_free();
	free(mock_cfg.auth_expect);
	if (log_file != NULL && fclose(log_file) != 0)
		status = exit_fail;
	pthread_cond_destroy(&stop.cond);
	pthread_cond_destroy(&hold.cond);
	return status;
}
