/*
 * http.h - everything invdump asks of libcurl.
 *
 * http_global_init() runs once, before any thread starts: it initialises
 * libcurl and creates the share handle through which all clients share DNS
 * answers and TLS sessions (not connections: libcurl 7.88 must not share
 * its connection cache across threads).  Each worker owns one http_client,
 * a CURL easy handle reused for every request so that its connection stays
 * alive.  A client is used by one thread at a time.
 *
 * The body is handed to the caller's callback as it arrives; the first
 * bytes of every body are also kept for error messages.  Bodies of non-2xx
 * responses are never handed on, only kept in part.
 */
#ifndef INVDUMP_HTTP_H
#define INVDUMP_HTTP_H

#include <stddef.h>

#include <stdatomic.h>

#include <curl/curl.h>

struct http_conf {
	const char *userpwd;            /* "user:secret" for Basic, or NULL */
	const struct curl_slist *headers; /* -H headers */
	long connect_timeout;           /* seconds */
	long speed_limit, speed_time;   /* a stall: below B bytes/s for S s */
	long long max_body;             /* bytes of a (decoded) body; 0: none */
	long max_redirs;
	const char *cacert, *capath;    /* extra trust, or NULL */
	int insecure;                   /* --insecure: no verification */
	int netrc;                      /* credentials from a netrc file */
	const char *netrc_file;         /* NULL: ~/.netrc */
	const atomic_int *cancel;       /* a transfer stops when *cancel != 0 */
	const char *origin;             /* the user's URL's origin (origin.h):
	                                   redirects elsewhere are refused */
	const struct curl_slist *allow_origins; /* --allow-origin */
	struct http_jar *jar;           /* cookies answers set are kept here
	                                   and sent back, from every client
	                                   with this jar; NULL: none */
	const char *auth_cookie;        /* once the jar holds this cookie for
	                                   the URL's host, it stands for
	                                   userpwd (Infoblox's ibapauth); a
	                                   401 without Basic asks again with
	                                   it */
};

struct http_client;
struct http_multi;

/*
 * A cookie jar: the cookies of one login (a target's, or those of the
 * targets that share its session), never another's, shared by its
 * clients (a libcurl share of its own, which also shares DNS answers and
 * TLS sessions among them).  Freed after its clients.
 */
struct http_jar;
struct http_jar *http_jar_new(void);    /* NULL with a message on stderr */
void http_jar_free(struct http_jar *j);

/* The body callback: returns 0 to go on, -1 to abort the transfer. */
typedef int (*http_body_fn)(void *ctx, const char *data, size_t n);

/* Called on the client's thread while a request is out and no byte of
 * its answer has come: sent, at once (what it returns is not looked at);
 * idle, once it has waited HTTP_IDLE_MS (time the thread would spend
 * waiting anyway), and again each HTTP_IDLE_MS while it returns 0 ("not
 * yet"). */
typedef int (*http_sent_fn)(void *arg);
#define HTTP_IDLE_MS    20

/*
 * A second request for a page whose first one has stalled: sent on the
 * spare client (another connection) when the first has received nothing
 * for after_s seconds and allow(arg) says the budget has room; the first
 * complete response wins and the other transfer is aborted.
 */
struct http_hedge {
	struct http_client *spare;      /* in the same http_multi */
	http_body_fn fn;                /* the spare's body callback */
	void *ctx;
	double after_s;
	int (*allow)(void *arg);
	void *arg;
	int sent;                       /* out: the second request went */
	int won;                        /* out: res is the spare's */
};


enum http_outcome {
	http_outcome_ok,         /* a complete 2xx response */
	http_outcome_status,     /* a complete non-2xx response */
	http_outcome_transport,  /* no (complete) response: curl error */
	http_outcome_aborted,    /* the body callback said stop, or the
	                            body passed max_body (too_big) */
	http_outcome_cancelled,  /* *cancel was set */
	http_outcome_refused     /* a redirect we will not follow (another
	                            origin, a downgrade, too many): error says
	                            which */
};

struct http_result {
	enum http_outcome outcome;
	long status;             /* HTTP status, 0 if none */
	CURLcode curl;           /* libcurl's code for http_outcome_transport */
	char error[CURL_ERROR_SIZE + 64]; /* libcurl's message, for transport */
	size_t body_bytes;       /* bytes of body received (decoded) */
	int too_big;             /* aborted: the body passed max_body */
	long long retry_after;   /* CURLINFO_RETRY_AFTER: seconds, 0 if none
	                            (negative: a date in the past) */
	double seconds;          /* total time of the request */
	long os_errno;           /* CURLINFO_OS_ERRNO for transport errors */
	int redirects;           /* redirects followed */
};

/* Returns 0, or -1 with a message on stderr. */
int http_global_init(void);
void http_global_cleanup(void);
/* "libcurl/7.88.1 OpenSSL/3.0.x ..." */
const char *http_version(void);

/* A client, or NULL with a message on stderr (libcurl refused an option
 * that security depends on: too old a libcurl). */
struct http_client *http_client_new(const struct http_conf *conf);
void http_client_free(struct http_client *c);

/*
 * Clients made with a multi run their requests through it (libcurl's
 * multi interface) and share its connections: two of them can hedge for
 * each other.  Used by one thread at a time; freed after its clients.
 */
struct http_multi *http_multi_new(void);
void http_multi_free(struct http_multi *m);
struct http_client *http_client_new_multi(const struct http_conf *conf,
    struct http_multi *m);
/* sent(arg) when each request of c is out, idle(arg) when it has waited
 * HTTP_IDLE_MS more with no answer (either may be NULL; a client made
 * with a multi only: curl_easy_perform has no such moments). */
void http_on_sent(struct http_client *c, http_sent_fn sent,
    http_sent_fn idle, void *arg);

/*
 * GET url (headers: conf's, then extra), following redirects to the same
 * origin (or an allowed one) up to conf->max_redirs: libcurl's own
 * following is off, since it would carry -H headers to any host.  The result says how it ended;
 * response headers stay readable with http_header() until the next request.
 */
void http_get(struct http_client *c, const char *url,
    const struct curl_slist *extra, http_body_fn fn, void *ctx,
    struct http_result *res);
/* The same, with a second request on hg->spare if the first stalls (c
 * and hg->spare made with the same multi).  When hg->won, the response
 * (headers, snippet, effective URL) is hg->spare's. */
void http_get_hedged(struct http_client *c, const char *url,
    const struct curl_slist *extra, http_body_fn fn, void *ctx,
    struct http_hedge *hg, struct http_result *res);

/*
 * One request of method (POST, DELETE) to url with body (NULL: none),
 * headers extra alone (not conf's), following no redirect: a login or a
 * logout.  fn receives a 2xx body (fn NULL: none wanted).
 */
void http_send(struct http_client *c, const char *method, const char *url,
    const struct curl_slist *extra, const char *body, http_body_fn fn,
    void *ctx, struct http_result *res);

/* The value of response header name (case-insensitive) of the last
 * request, the last one if it came several times; NULL if absent.  Valid
 * until the next request on c. */
const char *http_header(struct http_client *c, const char *name);

/* All values of header name joined with ", " (as for Link), newly allocated
 * or NULL if absent. */
char *http_header_all(struct http_client *c, const char *name);

/* jar's cookies for url's host in the Netscape format, newly allocated
 * (the caller publishes it: writer_put). */
char *http_cookies_text(struct http_jar *jar, const char *url);

/* The first bytes of the last body, made printable (for error messages). */
const char *http_snippet(struct http_client *c);

/* The effective URL after redirects, redacted, newly allocated. */
char *http_effective_url(struct http_client *c);

#endif
