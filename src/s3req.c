/*
 * s3req.c - one signed S3 request, and its retries (see s3req.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "awscred.h"
#include "digest.h"
#include "log.h"
#include "s3req.h"
#include "s3xml.h"
#include "thread.h"
#include "xalloc.h"

#define S3_ANSWER_MAX (1024 * 1024)

/* A bucket name that can be a host name's first label. */
static int
dns_bucket(const char *b)
{
	for (; *b != '\0'; b++)
		if (!islower((unsigned char)*b) && !isdigit((unsigned char)*b) &&
		    *b != '-')
			return 0;
	return 1;
}

/* A secret string wiped and freed. */
static void
wipe(char *p)
{
	if (p != NULL)
		memset(p, 0, strlen(p));
	free(p);
}

/* cr's keys and Expiration into l (under its lock, or before any thread
 * sees it). */
static void
live_take(struct s3live *l, const struct awscred *cr)
{
	wipe(l->userpwd);
	wipe(l->token);
	l->userpwd = xasprintf("%s:%s", cr->akid, cr->secret);
	l->token = cr->token != NULL ? xstrdup(cr->token) : NULL;
	l->expires = cr->expires;
}

/* The credentials to sign with now, copies the caller wipes: c's own, or
 * its live ones, loaded again first when they are about to expire. */
static void
creds_now(const struct s3conf *c, char **userpwd, char **token)
{
	struct s3live *l = c->live;
	struct awscred cr;
	time_t now;

	if (l == NULL) {
		*userpwd = xstrdup(c->userpwd);
		*token = c->token != NULL ? xstrdup(c->token) : NULL;
		return;
	}
	thread_lock(&l->lock);
	now = time(NULL);
	if (l->expires - now < S3_CRED_MARGIN && now != l->tried) {
		l->tried = now;
		if (awscred_load(&cr) == 0 && cr.expires != 0) {
			live_take(l, &cr);
			l->reloads++;
		} else
			log_warn("s3://%s: the S3 credentials expire in %lld s "
			    "and could not be renewed", c->bucket,
			    (long long)(l->expires - now));
		awscred_free(&cr);
	}
	*userpwd = xstrdup(l->userpwd);
	*token = l->token != NULL ? xstrdup(l->token) : NULL;
	thread_unlock(&l->lock);
}

int
s3conf_init(struct s3conf *c, const char *bucket)
{
	struct awscred cr;
	size_t n;

	memset(c, 0, sizeof *c);
	if (awscred_load(&cr) < 0)
		return -1;
	c->bucket = xstrdup(bucket);
	if (cr.endpoint != NULL) {
		/* A custom endpoint (MinIO, R2, ...): path-style addressing. */
		n = strlen(cr.endpoint);
		while (n > 0 && cr.endpoint[n - 1] == '/')
			n--;
		c->base = xasprintf("%.*s/%s", (int)n, cr.endpoint, bucket);
	} else if (dns_bucket(bucket))
		c->base = xasprintf("https://%s.s3.%s.amazonaws.com", bucket,
		    cr.region);
	else
		c->base = xasprintf("https://s3.%s.amazonaws.com/%s",
		    cr.region, bucket);
	c->sigv4 = xasprintf("aws:amz:%s:s3", cr.region);
	if (cr.expires != 0) {
		c->live = xcalloc(1, sizeof *c->live);
		thread_mutex_init(&c->live->lock);
		live_take(c->live, &cr);
		c->live->tried = time(NULL);
	} else {
		c->userpwd = xasprintf("%s:%s", cr.akid, cr.secret);
		c->token = cr.token != NULL ? xstrdup(cr.token) : NULL;
	}
	c->retries = 5;
	c->backoff_ms = 200;
	awscred_free(&cr);
	return 0;
}

void
s3conf_free(struct s3conf *c)
{
	size_t i;

	free(c->base);
	free(c->bucket);
	wipe(c->userpwd);
	free(c->sigv4);
	wipe(c->token);
	if (c->live != NULL) {
		wipe(c->live->userpwd);
		wipe(c->live->token);
		thread_mutex_destroy(&c->live->lock);
		free(c->live);
	}
	for (i = 0; c->newobj[i] != NULL; i++)
		free(c->newobj[i]);
	memset(c, 0, sizeof *c);
}

char *
s3_encode_key(const char *key)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(key) + 1), *o = out;
	const unsigned char *k;

	for (k = (const unsigned char *)key; *k != '\0'; k++) {
		if (isalnum(*k) || strchr("-._~/", *k) != NULL)
			*o++ = (char)*k;
		else {
			*o++ = '%';
			*o++ = hex[*k >> 4];
			*o++ = hex[*k & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
s3_url(const struct s3conf *c, const char *key, const char *query)
{
	char *k = s3_encode_key(key != NULL ? key : "");
	char *u = xasprintf("%s/%s%s%s", c->base, k, query != NULL ? "?" : "",
	    query != NULL ? query : "");

	free(k);
	return u;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct s3ans *a = arg;
	size_t n = size * nmemb;

	if (a->len + n > S3_ANSWER_MAX)
		return n;       /* kept: what fits; the rest is not read */
	a->body = xrealloc(a->body, a->len + n + 1);
	memcpy(a->body + a->len, p, n);
	a->len += n;
	a->body[a->len] = '\0';
	return n;
}

/* The answer's ETag (quotes off) and Content-Length, read by libcurl. */
static void
answer_headers(CURL *h, struct s3ans *a)
{
	struct curl_header *hh;
	curl_off_t len;
	const char *v;

	if (curl_easy_header(h, "ETag", 0, CURLH_HEADER, -1, &hh) ==
	    CURLHE_OK) {
		v = hh->value + strspn(hh->value, " \t\"");
		snprintf(a->etag, sizeof a->etag, "%s", v);
		a->etag[strcspn(a->etag, "\"")] = '\0';
	}
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) ==
	    CURLE_OK && len >= 0)
		a->length = (long long)len;
}

/* The SHA-256 of the body b (NULL: none) in hex. */
static void
body_sha256(const struct s3body *b, char hex[DIGEST_HEX_SIZE])
{
	struct digest *d = digest_new();
	int i;

	digest_reset(d);
	for (i = 0; b != NULL && i < b->nv; i++)
		digest_update(d, b->v[i].iov_base, b->v[i].iov_len);
	digest_final(d, hex);
	digest_free(d);
}

/* The signed headers: payload hash, type, MD5, token, a new object's
 * settings, date. */
static struct curl_slist *
headers(const struct s3conf *c, const char *token, const struct s3body *b,
    const char *md5, int new_object)
{
	char hex[DIGEST_HEX_SIZE], *l;
	struct curl_slist *h = NULL;
	size_t i;

	if (b != NULL && b->sha256 != NULL)
		snprintf(hex, sizeof hex, "%s", b->sha256);
	else
		body_sha256(b, hex);
	l = xasprintf("x-amz-content-sha256: %s", hex);
	h = curl_slist_append(h, l);
	free(l);
	h = curl_slist_append(h, "Content-Type: application/octet-stream");
	/* No "Expect:" or "Accept:" to remove a header: libcurl 7.88 signs
	 * such a line though it never sends it, and S3 would refuse. */
	if (md5 != NULL) {
		l = xasprintf("Content-MD5: %s", md5);
		h = curl_slist_append(h, l);
		free(l);
	}
	if (token != NULL) {
		l = xasprintf("x-amz-security-token: %s", token);
		h = curl_slist_append(h, l);
		memset(l, 0, strlen(l));
		free(l);
	}
	for (i = 0; new_object && c->newobj[i] != NULL; i++)
		h = curl_slist_append(h, c->newobj[i]);
	if (c->date != NULL) {
		l = xasprintf("x-amz-date: %s", c->date);
		h = curl_slist_append(h, l);
		free(l);
	}
	return h;
}

/* A body in pieces as libcurl reads it: from where it left off. */
struct reader {
	const struct s3body *b;
	int i;                  /* the piece being read */
	size_t off;             /* in it */
};

static size_t
on_read(char *p, size_t size, size_t nmemb, void *arg)
{
	struct reader *r = arg;
	const struct iovec *v;
	size_t want = size * nmemb, got = 0, k;

	while (got < want && r->i < r->b->nv) {
		v = &r->b->v[r->i];
		k = v->iov_len - r->off < want - got ? v->iov_len - r->off :
		    want - got;
		memcpy(p + got, (const char *)v->iov_base + r->off, k);
		got += k;
		r->off += k;
		if (r->off == v->iov_len) {
			r->i++;
			r->off = 0;
		}
	}
	return got;
}

/* libcurl going back in the body (to send it again): offset from its
 * start. */
static int
on_seek(void *arg, curl_off_t offset, int origin)
{
	struct reader *r = arg;

	if (origin != SEEK_SET || offset < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	for (r->i = 0; r->i < r->b->nv &&
	    (size_t)offset >= r->b->v[r->i].iov_len; r->i++)
		offset -= (curl_off_t)r->b->v[r->i].iov_len;
	r->off = (size_t)offset;
	return r->i < r->b->nv || offset == 0 ? CURL_SEEKFUNC_OK :
	    CURL_SEEKFUNC_FAIL;
}

/* The body b on h: one piece (or none) through CURLOPT_POSTFIELDS, as
 * the header comment of s3req.h says; pieces read by r. */
static void
set_body(CURL *h, const struct s3body *b, struct reader *r)
{
	size_t n = 0;
	int i;

	for (i = 0; i < b->nv; i++)
		n += b->v[i].iov_len;
	if (b->nv <= 1) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, b->nv == 1 ?
		    b->v[0].iov_base : "");
		return;
	}
	r->b = b;
	r->i = 0;
	r->off = 0;
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, r);
	curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(h, CURLOPT_SEEKDATA, r);
}

/* One try with the body b (NULL: none). */
static int
request(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const struct s3body *b,
    const char *md5, struct s3ans *a)
{
	int new_object = (strcmp(method, "PUT") == 0 && query == NULL) ||
	    (strcmp(method, "POST") == 0 && query != NULL &&
	    strcmp(query, "uploads=") == 0);
	char *url = s3_url(c, key, query), *userpwd, *token;
	struct curl_slist *hl;
	struct reader r;

	creds_now(c, &userpwd, &token);
	hl = headers(c, token, b, md5, new_object);

	memset(a, 0, sizeof *a);
	a->length = -1;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (b != NULL)
		set_body(h, b, &r);
	a->curl_rc = (int)curl_easy_perform(h);
	if (a->curl_rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
		answer_headers(h, a);
	}
	curl_slist_free_all(hl);
	free(url);
	wipe(userpwd);
	wipe(token);
	return a->curl_rc == CURLE_OK && a->status / 100 == 2 ? 0 : -1;
}

int
s3_request(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const void *body, size_t n,
    const char *md5, struct s3ans *a)
{
	struct iovec v = { (void *)body, n };
	struct s3body b = { &v, 1, NULL };

	return request(h, c, method, key, query, body != NULL ? &b : NULL,
	    md5, a);
}

void
s3ans_free(struct s3ans *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

/* Worth another try: 500, 502, 503 (SlowDown), 504, or no answer. */
static int
transient(const struct s3ans *a)
{
	return a->curl_rc != CURLE_OK ? a->curl_rc != CURLE_URL_MALFORMAT &&
	    a->curl_rc != CURLE_UNSUPPORTED_PROTOCOL : a->status == 500 ||
	    a->status == 502 || a->status == 503 || a->status == 504;
}

/* What went wrong, for a message: S3's Code and Message, or curl's. */
static void
say(const struct s3ans *a, const char *method, const char *what, int final)
{
	char *code = s3xml_text(a->body, a->len, "Code");
	char *msg = s3xml_text(a->body, a->len, "Message");
	const char *fix = a->status == 403 ? " (check the credentials, the "
	    "region and the bucket's policy)" : a->status == 404 ?
	    " (is the bucket's name right?)" : "";

	if (a->curl_rc != CURLE_OK)
		(final ? log_error : log_warn)("%s: %s failed: %s%s", what,
		    method, a->err[0] != '\0' ? a->err :
		    curl_easy_strerror((CURLcode)a->curl_rc),
		    final ? "" : "; trying again");
	else
		(final ? log_error : log_warn)("%s: %s failed: HTTP %ld%s%s%s%s"
		    "%s%s", what, method, a->status, code != NULL ? " " : "",
		    code != NULL ? code : "", msg != NULL ? ": " : "",
		    msg != NULL ? msg : "", final ? fix : "",
		    final ? "" : "; trying again");
	free(code);
	free(msg);
}

int
s3_call_pieces(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const struct s3body *b,
    const char *md5, struct s3ans *a, const char *what)
{
	long wait = c->backoff_ms;
	struct timespec ts;
	int i;

	for (i = 0;; i++) {
		if (request(h, c, method, key, query, b, md5, a) == 0)
			return 0;
		if (i >= c->retries || !transient(a)) {
			say(a, method, what, 1);
			return -1;
		}
		say(a, method, what, 0);
		s3ans_free(a);
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		wait = wait * 2 > 10000 ? 10000 : wait * 2;
	}
}

int
s3_call(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const void *body, size_t n,
    const char *md5, struct s3ans *a, const char *what)
{
	struct iovec v = { (void *)body, n };
	struct s3body b = { &v, 1, NULL };

	return s3_call_pieces(h, c, method, key, query, body != NULL ? &b :
	    NULL, md5, a, what);
}
