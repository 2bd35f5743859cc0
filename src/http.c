/*
 * http.c - libcurl: global init, share handle, per-worker clients.
 *
 * Security defaults live here and nowhere else: only http and https, also
 * after a redirect; a bounded number of redirects, followed here rather
 * than by libcurl, and only to the user's own origin or one allowed with
 * --allow-origin (libcurl would carry -H headers such as an API key to any
 * host); TLS verification always on; every option checked as it is set.
 * CURLOPT_NOSIGNAL is set on every handle because we are threaded.
 *
 * A client made with a multi (http_client_new_multi) runs its transfers
 * through it rather than curl_easy_perform, so that a second client of
 * the same multi can hedge for it: when the first has received nothing
 * for hg->after_s, the same request goes out on the second (its own
 * connection), both are driven until one answers, and the other is
 * removed, which aborts it.  The two share the multi's connections.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "origin.h"
#include "xalloc.h"
#include "thread.h"

#define HTTP_SNIPPET 160        /* bytes of a body kept for messages */

struct http_multi {
	CURLM *m;
};

struct http_client {
	CURL *curl;
	struct http_multi *multi;       /* NULL: curl_easy_perform */
	const struct http_conf *conf;
	http_body_fn fn;
	void *ctx;
	int checked;            /* status looked at for this response */
	int pass;               /* this response's body goes to fn */
	int aborted;            /* fn said stop */
	int too_big;            /* the body passed conf->max_body */
	int prereq;             /* libcurl is sending this request */
	int said;               /* 1: on_sent was called for it, 2: on_idle */
	int basic_off;          /* userpwd left out: the jar's auth_cookie
	                           stands for it */
	double sent_at;         /* when it was seen out */
	http_sent_fn on_sent, on_idle;
	void *on_sent_arg;
	size_t body_bytes;
	double last_byte;       /* when the last body byte came (monotonic) */
	char raw[HTTP_SNIPPET]; /* first bytes of the body */
	size_t rawlen;
	char snippet[HTTP_SNIPPET * 4 + 1];
	char errbuf[CURL_ERROR_SIZE];
};

static CURLSH *share;

static pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

static void
share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *u)
{
	(void)h;
	(void)access;
	(void)u;
	thread_lock(&share_locks[data]);
}

static void
share_unlock(CURL *h, curl_lock_data data, void *u)
{
	(void)h;
	(void)u;
	thread_unlock(&share_locks[data]);
}

int
http_global_init(void)
{
	CURLcode rc;
	int i;

	if ((rc = curl_global_init(CURL_GLOBAL_ALL)) != CURLE_OK) {
		log_error("cannot initialise libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		thread_mutex_init(&share_locks[i]);
	if ((share = curl_share_init()) == NULL) {
		log_error("cannot create a libcurl share handle");
		return -1;
	}
	curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return 0;
}

struct http_jar {
	CURLSH *sh;
};

struct http_jar *
http_jar_new(void)
{
	struct http_jar *j = xcalloc(1, sizeof *j);

	if ((j->sh = curl_share_init()) == NULL) {
		log_error("cannot create a libcurl share handle");
		free(j);
		return NULL;
	}
	/* The same locks as the run's share: one per kind of data. */
	curl_share_setopt(j->sh, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(j->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(j->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(j->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(j->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
	return j;
}

void
http_jar_free(struct http_jar *j)
{
	if (j == NULL)
		return;
	curl_share_cleanup(j->sh);
	free(j);
}

void
http_global_cleanup(void)
{
	int i;

	if (share != NULL)
		curl_share_cleanup(share);
	share = NULL;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		thread_mutex_destroy(&share_locks[i]);
	curl_global_cleanup();
}

const char *
http_version(void)
{
	return curl_version();
}

static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_client *c = arg;
	size_t n = size * nmemb, keep;
	long status = 0;

	if (!c->checked) {
		/* Headers are complete once the body starts. */
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
		c->pass = status >= 200 && status < 300;
		c->checked = 1;
	}
	if (c->rawlen < sizeof c->raw) {
		keep = sizeof c->raw - c->rawlen;
		if (keep > n)
			keep = n;
		memcpy(c->raw + c->rawlen, data, keep);
		c->rawlen += keep;
	}
	c->body_bytes += n;
	if (c->multi != NULL)
		c->last_byte = clock_now();
	/* libcurl 7.88 does not enforce CURLOPT_MAXFILESIZE on bodies of
	 * unknown length nor on decoded bytes: count them here. */
	if (c->conf->max_body > 0 && c->body_bytes > (size_t)c->conf->max_body) {
		c->aborted = c->too_big = 1;
		return 0;
	}
	if (c->pass && c->fn != NULL && c->fn(c->ctx, data, n) != 0) {
		c->aborted = 1;
		return 0;       /* CURLE_WRITE_ERROR */
	}
	return n;
}

static int
http_xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_client *c = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return c->conf->cancel != NULL && atomic_load(c->conf->cancel);
}

/* Sets one option; a refusal is remembered in *bad (the first one's name). */
#define SETOPT(h, opt, val, bad)                                         \
	do {                                                             \
		if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK &&   \
		    *(bad) == NULL)                                      \
			*(bad) = #opt;                                   \
	} while (0)

/* libcurl is about to send the request (connected, or reusing a
 * connection). */
static int
http_prereq_cb(void *arg, char *remote_ip, char *local_ip, int remote_port,
    int local_port)
{
	struct http_client *c = arg;

	(void)remote_ip;
	(void)local_ip;
	(void)remote_port;
	(void)local_port;
	c->prereq = 1;
	return CURL_PREREQFUNC_OK;
}

struct http_client *
http_client_new(const struct http_conf *conf)
{
	struct http_client *c = xcalloc(1, sizeof *c);
	const char *bad = NULL;
	CURL *h;

	if ((h = curl_easy_init()) == NULL) {
		log_error("cannot create a libcurl handle");
		free(c);
		return NULL;
	}
	c->curl = h;
	c->conf = conf;
	/* Every option is checked: an old libcurl that ignored the protocol
	 * or verification options would quietly lose a security rule. */
	SETOPT(h, CURLOPT_NOSIGNAL, 1L, &bad);
	SETOPT(h, CURLOPT_SHARE, conf->jar != NULL ? conf->jar->sh : share,
	    &bad);
	SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https", &bad);
	SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https", &bad);
	SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L, &bad);
	SETOPT(h, CURLOPT_UNRESTRICTED_AUTH, 0L, &bad);
	SETOPT(h, CURLOPT_SSL_VERIFYPEER, conf->insecure ? 0L : 1L, &bad);
	SETOPT(h, CURLOPT_SSL_VERIFYHOST, conf->insecure ? 0L : 2L, &bad);
	if (conf->cacert != NULL)
		SETOPT(h, CURLOPT_CAINFO, conf->cacert, &bad);
	if (conf->capath != NULL)
		SETOPT(h, CURLOPT_CAPATH, conf->capath, &bad);
	if (conf->netrc) {
		SETOPT(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL, &bad);
		if (conf->netrc_file != NULL)
			SETOPT(h, CURLOPT_NETRC_FILE, conf->netrc_file, &bad);
	}
	SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, conf->speed_limit, &bad);
	SETOPT(h, CURLOPT_LOW_SPEED_TIME, conf->speed_time, &bad);
	SETOPT(h, CURLOPT_ACCEPT_ENCODING, "", &bad);
	SETOPT(h, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION, &bad);
	SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L, &bad);
	SETOPT(h, CURLOPT_BUFFERSIZE, 128L * 1024, &bad);
	SETOPT(h, CURLOPT_CONNECTTIMEOUT, conf->connect_timeout, &bad);
	SETOPT(h, CURLOPT_ERRORBUFFER, c->errbuf, &bad);
	SETOPT(h, CURLOPT_WRITEFUNCTION, http_write_cb, &bad);
	SETOPT(h, CURLOPT_WRITEDATA, c, &bad);
	SETOPT(h, CURLOPT_NOPROGRESS, 0L, &bad);
	SETOPT(h, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb, &bad);
	SETOPT(h, CURLOPT_XFERINFODATA, c, &bad);
	SETOPT(h, CURLOPT_PREREQFUNCTION, http_prereq_cb, &bad);
	SETOPT(h, CURLOPT_PREREQDATA, c, &bad);
	if (conf->userpwd != NULL) {
		SETOPT(h, CURLOPT_USERPWD, conf->userpwd, &bad);
		SETOPT(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC, &bad);
	}
	if (conf->jar != NULL)  /* the engine on, in memory: no file read */
		SETOPT(h, CURLOPT_COOKIEFILE, "", &bad);
	if (bad != NULL) {
		log_error("libcurl %s refused %s: invdump needs libcurl 7.85 "
		    "or later", curl_version_info(CURLVERSION_NOW)->version,
		    bad);
		http_client_free(c);
		return NULL;
	}
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

struct http_multi *
http_multi_new(void)
{
	struct http_multi *m = xcalloc(1, sizeof *m);

	if ((m->m = curl_multi_init()) == NULL) {
		log_error("cannot create a libcurl multi handle");
		free(m);
		return NULL;
	}
	return m;
}

void
http_multi_free(struct http_multi *m)
{
	if (m == NULL)
		return;
	curl_multi_cleanup(m->m);
	free(m);
}

struct http_client *
http_client_new_multi(const struct http_conf *conf, struct http_multi *m)
{
	struct http_client *c = http_client_new(conf);

	if (c != NULL)
		c->multi = m;
	return c;
}

void
http_on_sent(struct http_client *c, http_sent_fn sent, http_sent_fn idle,
    void *arg)
{
	c->on_sent = sent;
	c->on_idle = idle;
	c->on_sent_arg = arg;
}

/*
 * The moments while c's request waits for its answer (http_on_sent): how
 * long the next poll may sleep, in ms.  Nothing of the answer has come
 * while the write callback has not run (checked).
 */
static int
http_waiting(struct http_client *c)
{
	double waited;

	if (!c->prereq || c->checked || c->said == 2)
		return 100;
	if (c->said == 0) {
		c->said = 1;
		c->sent_at = clock_now();
		if (c->on_sent != NULL)
			(void)c->on_sent(c->on_sent_arg);
	}
	if (c->on_idle == NULL) {
		c->said = 2;
		return 100;
	}
	waited = (clock_now() - c->sent_at) * 1e3;
	if (waited < HTTP_IDLE_MS)
		return HTTP_IDLE_MS - (int)waited;
	if (c->on_idle(c->on_sent_arg)) {
		c->said = 2;
		return 100;
	}
	c->sent_at = clock_now();        /* not yet: ask again later */
	return HTTP_IDLE_MS;
}

static int
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/* Readies c for one request to url; 0, or -1 when libcurl refused it. */
static int
http_prepare(struct http_client *c, const char *url, struct curl_slist *hdrs)
{
	c->checked = c->pass = c->aborted = c->too_big = 0;
	c->prereq = c->said = 0;
	c->body_bytes = 0;
	c->rawlen = 0;
	c->errbuf[0] = '\0';
	c->snippet[0] = '\0';
	c->last_byte = clock_now();
	if (curl_easy_setopt(c->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK) {
		snprintf(c->errbuf, sizeof c->errbuf, "libcurl refused the URL");
		return -1;
	}
	return 0;
}

/* Did this transfer end in an answer to judge (not a broken one)? */
static int
http_answered(const struct http_client *c, CURLcode rc)
{
	return rc == CURLE_OK || c->aborted || rc == CURLE_ABORTED_BY_CALLBACK;
}

/* The transfers of one request: c's, and the spare s's when hedged. */
struct drive {
	CURLcode rc_c, rc_s;
	int done_c, done_s;
	int sent;               /* the spare's request went out */
};

/* Reads what the multi says has ended, for c and for s. */
static void
drive_read(CURLM *m, struct http_client *c, struct http_client *s,
    struct drive *d)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (msg->easy_handle == c->curl) {
			d->done_c = 1;
			d->rc_c = msg->data.result;
		} else if (s != NULL && msg->easy_handle == s->curl) {
			d->done_s = 1;
			d->rc_s = msg->data.result;
		}
	}
}

/* Sends the spare's request when c has stalled for hg's time and hg
 * allows another request. */
static void
drive_hedge(CURLM *m, struct http_client *c, struct http_hedge *hg,
    const char *url, struct curl_slist *hdrs, struct drive *d)
{
	struct http_client *s = hg != NULL ? hg->spare : NULL;

	if (s == NULL || d->sent || d->done_c || hg->after_s <= 0 ||
	    clock_now() - c->last_byte < hg->after_s || !hg->allow(hg->arg))
		return;
	s->fn = hg->fn;
	s->ctx = hg->ctx;
	if (http_prepare(s, url, hdrs) == 0 &&
	    curl_multi_add_handle(m, s->curl) == CURLM_OK)
		d->sent = hg->sent = 1;
}

/*
 * Runs c's transfer in its multi, with hg's second request when the first
 * stalls.  The first answer wins; a transfer that broke waits for the
 * other if it still runs.  Returns the winner's code (hg->won: the
 * spare's); the other transfer is aborted.
 */
static CURLcode
http_drive(struct http_client *c, const char *url, struct curl_slist *hdrs,
    struct http_hedge *hg)
{
	CURLM *m = c->multi->m;
	struct http_client *s = hg != NULL ? hg->spare : NULL;
	struct drive d = { CURLE_OK, CURLE_OK, 0, 0, 0 };
	int running, wait_ms;

	if (curl_multi_add_handle(m, c->curl) != CURLM_OK)
		return curl_easy_perform(c->curl);
	for (;;) {
		(void)curl_multi_perform(m, &running);
		wait_ms = http_waiting(c);
		drive_read(m, c, s, &d);
		if (d.done_c && (http_answered(c, d.rc_c) || !d.sent ||
		    d.done_s))
			break;
		if (d.done_s && http_answered(s, d.rc_s)) {
			hg->won = 1;
			break;
		}
		drive_hedge(m, c, hg, url, hdrs, &d);
		(void)curl_multi_poll(m, NULL, 0, wait_ms, NULL);
	}
	(void)curl_multi_remove_handle(m, c->curl);
	if (d.sent) {
		(void)curl_multi_remove_handle(m, s->curl);
		(void)curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
	}
	return hg != NULL && hg->won ? d.rc_s : d.rc_c;
}

/* What c's request came to, into res. */
static void
http_collect(struct http_client *c, CURLcode rc, struct http_result *res)
{
	double secs = 0;
	curl_off_t ra = 0;
	long oserr = 0;

	res->status = 0;
	(void)curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &res->status);
	(void)curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME, &secs);
	res->seconds += secs;
	res->curl = rc;
	res->body_bytes = c->body_bytes;
	res->too_big = c->too_big;
	res->retry_after = 0;
	if (curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK)
		res->retry_after = ra;
	if (curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr) == CURLE_OK)
		res->os_errno = oserr;
	log_snippet(c->snippet, sizeof c->snippet, c->raw, c->rawlen);

	if (c->aborted)
		res->outcome = http_outcome_aborted;
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		res->outcome = http_outcome_cancelled;
	else if (rc != CURLE_OK) {
		res->outcome = http_outcome_transport;
		snprintf(res->error, sizeof res->error, "%s",
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	} else if (res->status >= 200 && res->status < 300)
		res->outcome = http_outcome_ok;
	else
		res->outcome = http_outcome_status;
	/* A 2xx response with an empty body never called the write callback. */
}

/* One request to url, without following anything; fills res.  Returns the
 * client the response is on (hg's spare when it won). */
static struct http_client *
http_once(struct http_client *c, const char *url, struct curl_slist *hdrs,
    struct http_hedge *hg, struct http_result *res)
{
	CURLcode rc;

	if (http_prepare(c, url, hdrs) < 0)
		rc = CURLE_URL_MALFORMAT;
	else if (c->multi != NULL)
		rc = http_drive(c, url, hdrs, hg);
	else
		rc = curl_easy_perform(c->curl);
	(void)curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	if (hg != NULL && hg->won)
		c = hg->spare;
	http_collect(c, rc, res);
	return c;
}

/* Where a redirect response points, checked against the origin rule;
 * NULL (and res refused) when it may not be followed. */
static char *
http_redirect_target(struct http_client *c, struct http_result *res)
{
	const struct http_conf *conf = c->conf;
	enum origin_verdict v;
	char *to = NULL, *shown;

	if (curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &to) !=
	    CURLE_OK || to == NULL)
		return NULL;    /* a 3xx without Location: the caller's to judge */
	if (conf->origin != NULL)
		v = origin_check(conf->origin, to, conf->allow_origins);
	else {
		/* No credentials to guard (--expand's details on another
		 * origin): any origin, but never from https down to http. */
		char *from = NULL, *own;

		curl_easy_getinfo(c->curl, CURLINFO_EFFECTIVE_URL, &from);
		own = from != NULL ? origin_of(from) : NULL;
		v = own != NULL ? origin_check(own, to, NULL) : origin_bad;
		if (v == origin_foreign)
			v = origin_same;
		free(own);
	}
	if (v == origin_same || v == origin_allowed) {
		if (res->redirects < conf->max_redirs)
			return xstrdup(to);
		res->outcome = http_outcome_refused;
		snprintf(res->error, sizeof res->error, "more than %ld "
		    "redirects (--max-redirs)", conf->max_redirs);
		return NULL;
	}
	shown = log_redact_url(to);
	res->outcome = http_outcome_refused;
	snprintf(res->error, sizeof res->error, "HTTP %ld redirect to %s: %s",
	    res->status, shown, origin_verdict_text(v));
	free(shown);
	return NULL;
}

/* The host of url, lower case, newly allocated (or NULL). */
static char *
http_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *out = NULL, *p;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		out = xstrdup(host);
		for (p = out; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return out;
}

/* Is a jar line (Netscape format) a cookie of host?  Its domain may say
 * "#HttpOnly_" and a leading dot. */
static int
http_cookie_of(const char *line, const char *host, size_t *domlen)
{
	const char *d = line;

	if (strncmp(d, "#HttpOnly_", 10) == 0)
		d += 10;
	if (*d == '.')
		d++;
	*domlen = strcspn(d, "\t");
	return *domlen == strlen(host) && strncasecmp(d, host, *domlen) == 0;
}

/* Does the run's jar hold cookie name, with a value, for url's host? */
static int
http_jar_has(struct http_client *c, const char *name, const char *url)
{
	struct curl_slist *list = NULL, *l;
	char *host = http_host(url);
	const char *f;
	size_t dl, n = strlen(name);
	int i, has = 0;

	if (host == NULL || curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST,
	    &list) != CURLE_OK)
		list = NULL;
	for (l = list; l != NULL && !has; l = l->next) {
		if (!http_cookie_of(l->data, host, &dl))
			continue;
		/* domain, subdomains, path, secure, expiry, name, value */
		for (f = l->data, i = 0; i < 5 && f != NULL; i++)
			if ((f = strchr(f, '\t')) != NULL)
				f++;
		has = f != NULL && strncmp(f, name, n) == 0 && f[n] == '\t' &&
		    f[n + 1] != '\0';
	}
	curl_slist_free_all(list);
	free(host);
	return has;
}

/* Basic credentials with this request, unless the jar's auth_cookie
 * stands for them (or force: a 401 without them). */
static void
http_auth_for(struct http_client *c, const char *url, int force)
{
	const struct http_conf *conf = c->conf;
	int off;

	if (conf->userpwd == NULL || conf->auth_cookie == NULL ||
	    conf->jar == NULL)
		return;
	off = !force && http_jar_has(c, conf->auth_cookie, url);
	if (off != c->basic_off)
		(void)curl_easy_setopt(c->curl, CURLOPT_USERPWD, off ? NULL :
		    conf->userpwd);
	c->basic_off = off;
}

char *
http_cookies_text(struct http_jar *jar, const char *url)
{
	struct curl_slist *list = NULL, *l;
	char *host = http_host(url);
	CURL *h = curl_easy_init();
	struct buf b;
	size_t dl;

	buf_init(&b, 0);
	buf_adds(&b, "# Netscape HTTP Cookie File (invdump)\n");
	/* A handle of the jar's share sees its cookies. */
	if (h == NULL || jar == NULL ||
	    curl_easy_setopt(h, CURLOPT_SHARE, jar->sh) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "") != CURLE_OK ||
	    curl_easy_getinfo(h, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		list = NULL;
	for (l = list; l != NULL; l = l->next)
		if (host != NULL && http_cookie_of(l->data, host, &dl)) {
			buf_adds(&b, l->data);
			buf_adds(&b, "\n");
		}
	buf_add(&b, "", 1);
	curl_slist_free_all(list);
	curl_easy_cleanup(h);
	free(host);
	return b.data;
}

/* One request (and its redirects), Basic as http_auth_for says. */
static void
http_get_auth(struct http_client *c, const char *url,
    const struct curl_slist *extra, http_body_fn fn, void *ctx,
    struct http_hedge *hg, struct http_result *res, int force)
{
	struct curl_slist *hdrs = NULL, *tmp;
	const struct curl_slist *s;
	char *next = NULL;

	c->fn = fn;
	c->ctx = ctx;
	if (hg != NULL) {
		hg->sent = hg->won = 0;
		if (hg->spare == NULL || hg->spare->multi != c->multi ||
		    c->multi == NULL)
			hg = NULL;
	}
	for (s = c->conf->headers; s != NULL; s = s->next)
		if ((tmp = curl_slist_append(hdrs, s->data)) != NULL)
			hdrs = tmp;
	for (s = extra; s != NULL; s = s->next)
		if ((tmp = curl_slist_append(hdrs, s->data)) != NULL)
			hdrs = tmp;

	memset(res, 0, sizeof *res);
	http_auth_for(c, url, force);
	if (hg != NULL)
		http_auth_for(hg->spare, url, force);
	for (;;) {
		/* Only the first hop is hedged; the rest follow the winner. */
		c = http_once(c, next != NULL ? next : url, hdrs,
		    res->redirects == 0 ? hg : NULL, res);
		free(next);
		next = NULL;
		if (res->outcome != http_outcome_status ||
		    !is_redirect(res->status) ||
		    (next = http_redirect_target(c, res)) == NULL)
			break;
		res->redirects++;
	}
	curl_slist_free_all(hdrs);
}

void
http_get_hedged(struct http_client *c, const char *url,
    const struct curl_slist *extra, http_body_fn fn, void *ctx,
    struct http_hedge *hg, struct http_result *res)
{
	struct http_client *w;

	http_get_auth(c, url, extra, fn, ctx, hg, res, 0);
	w = hg != NULL && hg->won ? hg->spare : c;
	/* A cookie that stood for Basic credentials and was refused (it
	 * expired): once more with the credentials, which renew it. */
	if (res->outcome == http_outcome_status && res->status == 401 &&
	    w->basic_off)
		http_get_auth(c, url, extra, fn, ctx, hg, res, 1);
}

void
http_send(struct http_client *c, const char *method, const char *url,
    const struct curl_slist *extra, const char *body, http_body_fn fn,
    void *ctx, struct http_result *res)
{
	struct curl_slist *hdrs = NULL, *tmp;

	c->fn = fn;
	c->ctx = ctx;
	for (; extra != NULL; extra = extra->next)
		if ((tmp = curl_slist_append(hdrs, extra->data)) != NULL)
			hdrs = tmp;
	memset(res, 0, sizeof *res);
	if (body != NULL) {
		(void)curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
		(void)curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	}
	(void)curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	(void)http_once(c, url, hdrs, NULL, res);
	/* Back to a GET, and the body (a secret) no longer pointed at. */
	(void)curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	(void)curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	curl_slist_free_all(hdrs);
}

void
http_get(struct http_client *c, const char *url, const struct curl_slist *extra,
    http_body_fn fn, void *ctx, struct http_result *res)
{
	http_get_hedged(c, url, extra, fn, ctx, NULL, res);
}

const char *
http_header(struct http_client *c, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(c->curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	if (h->amount > 1 &&
	    curl_easy_header(c->curl, name, h->amount - 1, CURLH_HEADER, -1,
	    &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

char *
http_header_all(struct http_client *c, const char *name)
{
	struct curl_header *h;
	size_t i, amount;
	char *all = NULL, *tmp;

	if (curl_easy_header(c->curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	amount = h->amount;
	all = xstrdup(h->value);
	for (i = 1; i < amount; i++) {
		if (curl_easy_header(c->curl, name, i, CURLH_HEADER, -1, &h) !=
		    CURLHE_OK)
			break;
		tmp = xasprintf("%s, %s", all, h->value);
		free(all);
		all = tmp;
	}
	return all;
}

const char *
http_snippet(struct http_client *c)
{
	return c->snippet;
}

char *
http_effective_url(struct http_client *c)
{
	char *url = NULL;

	if (curl_easy_getinfo(c->curl, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK ||
	    url == NULL)
		return xstrdup("(unknown URL)");
	return log_redact_url(url);
}
