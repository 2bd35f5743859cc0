/*
 * s3req.h - one S3 request, signed with SigV4 by libcurl, and the retry
 * loop around it.
 *
 * Every request carries its payload's SHA-256 in x-amz-content-sha256,
 * a Content-Type and its body through CURLOPT_POSTFIELDS, since libcurl
 * 7.88 signs the hash of the body it holds (and the Content-Type it
 * would send) - or, for a body in pieces (s3_call_pieces), read by
 * libcurl piece after piece, the hash given in that header, which
 * libcurl then signs as it is - and no header is removed with an empty "Name:" line (7.88
 * signs that line though it never sends it); `?uploads` is written
 * `?uploads=`, the canonical form libcurl 7.88 leaves as it is.  The
 * bucket's credentials go only to the bucket's endpoint, on handles of
 * its own: no handle of the API's is ever given to this module, nor this
 * module's to the API's.  Nothing here prints a secret or a signature.
 *
 * Credentials with an Expiration (a container endpoint's, IMDS's) are
 * loaded again (awscred_load) before a request is signed once fewer than
 * S3_CRED_MARGIN seconds of their life remain, at most once a second; a
 * failed reload keeps the old ones (they may still do).  Every thread
 * signing with one s3conf takes them from its struct s3live, under its
 * lock, which the reload holds: one reload at a time, the others wait for
 * its credentials (a reload is bounded by the endpoints' 5 s timeouts).
 */
#ifndef INVDUMP_S3REQ_H
#define INVDUMP_S3REQ_H

#include <stddef.h>

#include <pthread.h>
#include <sys/uio.h>
#include <time.h>

#include <curl/curl.h>

#define S3_CRED_MARGIN 300

/* Credentials that expire: the live copy every signing thread reads. */
struct s3live {
	pthread_mutex_t lock;   /* guards the rest; held by a reload */
	char *userpwd, *token;
	time_t expires;         /* UTC */
	time_t tried;           /* the last reload, done or failed */
	unsigned reloads;       /* done */
};

struct s3conf {
	char *base;             /* scheme://host[:port][/path], no '/' at the
	                           end: the bucket's root */
	char *bucket;
	char *userpwd;          /* "AKID:SECRET", for CURLOPT_USERPWD */
	char *sigv4;            /* "aws:amz:REGION:s3" */
	char *token;            /* session token, or NULL */
	struct s3live *live;    /* credentials that expire (then userpwd and
	                           token are unused), or NULL */
	const char *date;       /* tests: a fixed x-amz-date, else NULL */
	char *newobj[4];        /* header lines for a new object (PUT of a
	                           whole object, CreateMultipartUpload):
	                           encryption, ACL; NULL-ended */
	int retries;            /* tries after the first, for 5xx and
	                           dropped connections */
	long backoff_ms;        /* the first wait; doubled each time */
};

struct s3ans {
	long status;            /* HTTP status; 0 when none came */
	int curl_rc;
	char *body;             /* NUL-terminated; at most 1 MiB kept */
	size_t len;
	char etag[128];         /* without its quotes */
	long long length;       /* Content-Length, or -1 */
	char err[CURL_ERROR_SIZE];
};

/* c from the AWS environment (awscred.h) for bucket; 0, or -1 after a
 * message. */
int s3conf_init(struct s3conf *c, const char *bucket);
void s3conf_free(struct s3conf *c);
/* key percent-encoded as S3 wants it ('/' kept); the caller frees it. */
char *s3_encode_key(const char *key);
/* The URL of key (NULL: the bucket) with query (NULL: none). */
char *s3_url(const struct s3conf *c, const char *key, const char *query);
/* One try of method on key?query with body[0..n) (body NULL: none) and,
 * when md5 is not NULL, its Content-MD5 (base64).  a is filled and must
 * be freed; 0 when the answer is 2xx. */
int s3_request(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const void *body, size_t n,
    const char *md5, struct s3ans *a);
/* s3_request, tried again after 5xx and dropped connections (waiting
 * backoff_ms, doubled each time); a 4xx fails at once.  0, or -1 after
 * a message naming what (the object and the request). */
int s3_call(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const void *body, size_t n,
    const char *md5, struct s3ans *a, const char *what);

/* A body in pieces, sent one after the other without being copied
 * together (libcurl reads them), with its SHA-256 (lowercase hex) when
 * the caller has it already (NULL: computed here). */
struct s3body {
	const struct iovec *v;
	int nv;
	const char *sha256;
};
/* s3_call with a body in pieces. */
int s3_call_pieces(CURL *h, const struct s3conf *c, const char *method,
    const char *key, const char *query, const struct s3body *b,
    const char *md5, struct s3ans *a, const char *what);
void s3ans_free(struct s3ans *a);

#endif
