/*
 * sink_s3.c - an object in S3 (or an S3-compatible store), or a split
 * output's objects, published whole or not at all (see sink.h).
 *
 * Design.  The writer's thread fills one part buffer at a time; a full
 * buffer is handed, as a job, to the sink's upload threads (S3_UPLOADERS
 * of them, started with the first part, each with its own libcurl
 * handle), which take the jobs in
 * order and upload them side by side (UploadPart, with Content-MD5,
 * retried on 5xx and dropped connections by s3req.c) while the writer's
 * thread goes on filling the next buffer: uploads overlap the fetching,
 * and one slow part does not hold the others.  Buffers come from a pool
 * of S3_BUFFERS (one per upload thread, and the one being filled): when
 * all are queued or in flight, the writer's thread waits, so memory is
 * bounded by the parts in flight, never by the export.  Each part's MD5
 * is kept by its number, so the completion lists them in order whatever
 * order they finished in; the MD5 of the whole object (the ETag a single
 * PUT gets, and some stores give a multipart object) is fed by the
 * writer's thread as the bytes come.  CreateMultipartUpload,
 * CompleteMultipartUpload,
 * AbortMultipartUpload, the single PUT and the HEAD that verifies are
 * made on the writer's thread, with a handle of its own.
 *
 * A single object (not split) is first held: its full buffers stay with
 * the sink until either the export ends - then they go in one PUT, read
 * by libcurl one after the other, with that MD5 and the writer's SHA-256
 * - or its bytes pass the cutoff (at
 * most S3_HOLD_PARTS buffers, so never more memory than the parts in
 * flight) - then its multipart upload begins with them as its first parts
 * (spill).  One PUT is one request, leaves nothing when the run is
 * killed, and costs a store no concatenation at the end.
 *
 * Nothing is visible before publish: a held object is one PUT at
 * publication; anything larger, and every object of a split output, is a
 * multipart upload completed only at publication, in order, after the
 * writer has verified the count.  After each completion
 * the object is read back (HEAD): its size and its ETag (the MD5 of the
 * parts' MD5s, "-N") must be the ones computed here.  Abandoning aborts
 * every upload not completed and deletes the objects of a split output
 * completed before one failed.  A process killed with -9 leaves only an
 * incomplete upload, which the next run to the same destination lists
 * (ListMultipartUploads, every page) and aborts at its opening: only the
 * uploads of its keys begun before it opened them (their Initiated time),
 * since a newer one is another run's, still going.
 *
 * Part size: S3_PART_MIN (S3's minimum) or more, doubled every 1,000
 * parts of an object, so that S3's 10,000 parts always suffice.
 *
 * Threads and lock: s3->lock guards the job queue, the buffer pool, the
 * objects' arrays of part MD5s (which the writer's thread may grow) and
 * the failed flag; it is the only lock, and no request is made under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/mman.h>

#include <openssl/evp.h>

#include "log.h"
#include "s3req.h"
#include "s3xml.h"
#include "sink.h"
#include "thread.h"
#include "xalloc.h"

#define S3_UPLOADERS 4  /* parts in flight at once */
#define S3_BUFFERS (S3_UPLOADERS + 1)
/* The buffers held for one PUT come from the pool. */
_Static_assert(S3_HOLD_PARTS <= S3_BUFFERS, "held parts are pool buffers");
#define S3_PARTS_PER_STEP 1000
#define S3_PARTS_MAX 10000
#define S3_PART_MAX ((size_t)5 << 30)
#define S3_HUGE ((size_t)2 << 20)    /* a huge page, on x86-64 and arm64 */
#define S3_LIST_PAGES 1000      /* of leftovers listed: a million uploads */

struct s3obj {
	char *name;             /* s3://bucket/key, for messages */
	char *key;
	char *upload;           /* the multipart upload's id, or NULL */
	unsigned char (*md5)[16];       /* each part's, under the lock */
	size_t nparts, cap;
	EVP_MD_CTX *whole;      /* MD5 of the bytes, fed by the writer's
	                           thread as they come */
	unsigned long long bytes;
	int done;               /* completed: visible */
	char etag[128];         /* as stored, once verified */
};

struct s3job {
	struct s3job *next;
	size_t obj;             /* index in objs */
	size_t part;            /* 1, 2, ... */
	const char *key, *upload;
	char *data;
	size_t n, cap;
};

struct sink_s3 {
	struct sink sink;
	struct s3conf conf;
	CURL *h;                /* the writer's thread's handle */
	int split;
	int kms;                /* aws:kms: the ETag is no MD5, not checked */
	size_t part_size;       /* the first parts' */
	size_t cutoff;          /* a single object of up to this many bytes
	                           is held, then one PUT */
	struct s3job *held[S3_HOLD_PARTS];      /* its full buffers, in order */
	int nheld;
	struct s3obj *objs;     /* objs[nobj - 1]: the current */
	size_t nobj, ocap;
	struct s3job *cur;      /* the buffer being filled, or NULL */
	pthread_t threads[S3_UPLOADERS];
	int started;            /* upload threads running */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct s3job *head, *tail;      /* queued, in order */
	struct s3job *pool[S3_BUFFERS]; /* free buffers */
	int nfree, nmade, busy; /* busy: queued or in flight */
	int failed, quit;
	long long begun_ms;     /* when this run opened the sink (Unix ms):
	                           older uploads of its keys are leftovers */
};


static void
md5_of(const void *data, size_t n, unsigned char out[16])
{
	unsigned int len = 16;

	EVP_Digest(data, n, out, &len, EVP_md5(), NULL);
}

static void
hex_of(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The part size of part number part (1, 2, ...): never more than S3's
 * 5 GiB. */
static size_t
part_size(const struct sink_s3 *s, size_t part)
{
	size_t step = (part - 1) / S3_PARTS_PER_STEP, n = s->part_size;

	while (step-- > 0 && n <= S3_PART_MAX / 2)
		n *= 2;
	return n;
}

/* One part: its upload, with its MD5 kept for the completion. */
static int
upload_part(struct sink_s3 *s, CURL *h, struct s3job *j)
{
	unsigned char md5[16];
	char b64[32], *q, *what;
	struct s3ans a;
	int rc;

	md5_of(j->data, j->n, md5);
	EVP_EncodeBlock((unsigned char *)b64, md5, 16);
	q = xasprintf("partNumber=%zu&uploadId=%s", j->part, j->upload);
	what = xasprintf("s3://%s/%s: part %zu", s->conf.bucket, j->key,
	    j->part);
	rc = s3_call(h, &s->conf, "PUT", j->key, q, j->data, j->n, b64, &a,
	    what);
	s3ans_free(&a);
	free(q);
	free(what);
	thread_lock(&s->lock);
	memcpy(s->objs[j->obj].md5[j->part - 1], md5, 16);
	thread_unlock(&s->lock);
	return rc;
}

/* An upload thread: the queued parts, in order, until quit. */
static void *
uploader(void *arg)
{
	struct sink_s3 *s = arg;
	CURL *h = curl_easy_init();
	struct s3job *j;
	int failed;

	thread_lock(&s->lock);
	for (;;) {
		while (s->head == NULL && !s->quit)
			thread_wait_ms(&s->cond, &s->lock, 1000);
		if ((j = s->head) == NULL)
			break;
		if ((s->head = j->next) == NULL)
			s->tail = NULL;
		failed = s->failed;
		thread_unlock(&s->lock);
		if (!failed && (h == NULL || upload_part(s, h, j) < 0))
			failed = 1;
		thread_lock(&s->lock);
		s->failed |= failed;
		s->pool[s->nfree++] = j;
		s->busy--;
		thread_broadcast(&s->cond);
	}
	thread_unlock(&s->lock);
	if (h != NULL)
		curl_easy_cleanup(h);
	return NULL;
}

/* A buffer for the next part: a free one, a new one, or wait for one. */
static struct s3job *
buffer_take(struct sink_s3 *s)
{
	struct s3job *j = NULL;

	thread_lock(&s->lock);
	while (s->nfree == 0 && s->nmade == S3_BUFFERS)
		thread_wait_ms(&s->cond, &s->lock, 1000);
	if (s->nfree > 0)
		j = s->pool[--s->nfree];
	else {
		j = xcalloc(1, sizeof *j);
		s->nmade++;
	}
	thread_unlock(&s->lock);
	j->n = 0;
	j->next = NULL;
	return j;
}

/* An empty buffer made room for want bytes: aligned to, and asking for,
 * huge pages where the kernel gives them on request (fewer page faults
 * as the buffer fills: a 2 MiB page where there were 512). */
static void
buffer_grow(struct s3job *j, size_t want)
{
	void *p;

	free(j->data);
	p = xalign(S3_HUGE, want);
#ifdef MADV_HUGEPAGE
	madvise(p, want, MADV_HUGEPAGE);        /* a hint: may be refused */
#endif
	j->data = p;
	j->cap = want;
}

/* Waits until every queued part is uploaded; 0, or -1 when one failed. */
static int
drain(struct sink_s3 *s)
{
	int failed;

	thread_lock(&s->lock);
	while (s->busy > 0)
		thread_wait_ms(&s->cond, &s->lock, 1000);
	failed = s->failed;
	thread_unlock(&s->lock);
	return failed ? -1 : 0;
}

/* CreateMultipartUpload for the current object. */
static int
upload_begin(struct sink_s3 *s, struct s3obj *o)
{
	struct s3ans a;
	int rc = -1;

	if (s3_call(s->h, &s->conf, "POST", o->key, "uploads=", "", 0, NULL,
	    &a, o->name) == 0) {
		o->upload = s3xml_text(a.body, a.len, "UploadId");
		if (o->upload == NULL || o->upload[0] == '\0')
			log_error("%s: CreateMultipartUpload gave no UploadId",
			    o->name);
		else
			rc = 0;
	}
	s3ans_free(&a);
	return rc;
}

/* The upload threads, started with the first part: an object smaller
 * than one part (one PUT at publication) needs none, so a run of many
 * small objects has no threads but the crew's.  0, or -1 after a message
 * (those started run on until the sink is abandoned). */
static int
start_uploaders(struct sink_s3 *s, const char *path)
{
	int rc;

	for (s->started = 0; s->started < S3_UPLOADERS; s->started++)
		if ((rc = thread_create(&s->threads[s->started], uploader,
		    s)) != 0) {
			log_error("%s: cannot start an upload thread: %s", path,
			    strerror(rc));
			return -1;
		}
	return 0;
}

/* o's whole MD5 started: 0, or -1 after a message. */
static int
whole_start(struct s3obj *o)
{
	o->whole = EVP_MD_CTX_new();
	if (o->whole == NULL || !EVP_DigestInit_ex(o->whole, EVP_md5(), NULL)) {
		log_error("%s: MD5 cannot be started (libcrypto)", o->name);
		return -1;
	}
	return 0;
}

/* The object's multipart upload begun and the upload threads running:
 * 0, or -1 after a message. */
static int
upload_ready(struct sink_s3 *s, struct s3obj *o)
{
	if (o->upload == NULL && upload_begin(s, o) < 0)
		return -1;
	if (s->started == 0 && start_uploaders(s, o->name) < 0)
		return -1;
	return 0;
}

/* Queues j as the current object's next part. */
static int
part_queue(struct sink_s3 *s, struct s3job *j)
{
	struct s3obj *o = &s->objs[s->nobj - 1];

	if (o->nparts == S3_PARTS_MAX) {
		log_error("%s: more than S3's %d parts: give a larger "
		    "--s3-part-size", o->name, S3_PARTS_MAX);
		return -1;
	}
	thread_lock(&s->lock);
	if (o->nparts == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->md5 = xrealloc(o->md5, o->cap * sizeof *o->md5);
	}
	j->obj = s->nobj - 1;
	j->part = ++o->nparts;
	j->key = o->key;
	j->upload = o->upload;
	if (s->tail != NULL)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->busy++;
	thread_broadcast(&s->cond);
	thread_unlock(&s->lock);
	return 0;
}

/* Whether the current object is still held for one PUT: a single
 * object whose upload has not begun. */
static int
holding(const struct sink_s3 *s)
{
	return !s->split && s->objs[s->nobj - 1].upload == NULL;
}

/* The current buffer, full, kept for the single PUT. */
static void
hold(struct sink_s3 *s)
{
	s->held[s->nheld++] = s->cur;
	s->cur = NULL;
}

/* The object outgrew the cutoff: its multipart upload begins with the
 * held buffers as its first parts. */
static int
spill(struct sink_s3 *s)
{
	struct s3obj *o = &s->objs[s->nobj - 1];
	int i;

	if (upload_ready(s, o) < 0)
		return -1;
	for (i = 0; i < s->nheld; i++) {
		if (part_queue(s, s->held[i]) < 0)
			return -1;
		s->held[i] = NULL;      /* the queue's now */
	}
	s->nheld = 0;
	return 0;
}

/* Hands the current buffer on: held, or to the upload threads as the
 * object's next part. */
static int
part_submit(struct sink_s3 *s)
{
	struct s3job *j = s->cur;

	if (holding(s)) {
		hold(s);
		return 0;
	}
	if (upload_ready(s, &s->objs[s->nobj - 1]) < 0)
		return -1;
	if (part_queue(s, j) < 0)
		return -1;
	s->cur = NULL;
	return 0;
}

static void
obj_free(struct s3obj *o)
{
	free(o->name);
	free(o->key);
	free(o->upload);
	free(o->md5);
	EVP_MD_CTX_free(o->whole);
}

/* A new current object named name (s3://bucket/key). */
static enum writer_status
s3_begin(struct sink *sk, const char *name)
{
	struct sink_s3 *s = (struct sink_s3 *)sk;
	struct s3obj *o;

	thread_lock(&s->lock);
	if (s->nobj == s->ocap) {
		s->ocap = s->ocap ? 2 * s->ocap : 4;
		s->objs = xrealloc(s->objs, s->ocap * sizeof *s->objs);
	}
	o = &s->objs[s->nobj++];
	memset(o, 0, sizeof *o);
	thread_unlock(&s->lock);
	o->name = xstrdup(name);
	o->key = xstrdup(name + 5 + strlen(s->conf.bucket) + 1);
	return whole_start(o) == 0 ? writer_ok : writer_error;
}

static enum writer_status
s3_write(struct sink *sk, const void *data, size_t n)
{
	struct sink_s3 *s = (struct sink_s3 *)sk;
	struct s3obj *o = &s->objs[s->nobj - 1];
	const char *p = data;
	size_t want, k;

	EVP_DigestUpdate(o->whole, data, n);
	while (n > 0) {
		if (holding(s) && o->bytes + n > s->cutoff && spill(s) < 0)
			return writer_error;
		want = part_size(s, o->nparts + 1);
		if (s->cur == NULL)
			s->cur = buffer_take(s);
		if (s->cur->cap < want)
			buffer_grow(s->cur, want);
		k = want - s->cur->n < n ? want - s->cur->n : n;
		memcpy(s->cur->data + s->cur->n, p, k);
		s->cur->n += k;
		o->bytes += k;
		p += k;
		n -= k;
		if (s->cur->n == want && part_submit(s) < 0)
			return writer_error;
	}
	thread_lock(&s->lock);
	k = (size_t)s->failed;
	thread_unlock(&s->lock);
	return k ? writer_error : writer_ok;
}

/* The current object's last part: the rest of its bytes (an object
 * with no part yet gets one, even empty). */
static int
last_part(struct sink_s3 *s)
{
	struct s3obj *o = &s->objs[s->nobj - 1];

	if (s->cur == NULL && o->nparts > 0)
		return 0;
	if (s->cur == NULL)
		s->cur = buffer_take(s);
	return part_submit(s);
}

static enum writer_status
s3_page_end(struct sink *sk, int cut)
{
	struct sink_s3 *s = (struct sink_s3 *)sk;

	if (!cut)
		return writer_ok;
	return last_part(s) == 0 ? writer_ok : writer_error;
}

/* The object as S3 says it is: its size and ETag, against ours (alt:
 * another ETag a store may give, or NULL). */
static int
verify(struct sink_s3 *s, struct s3obj *o, const char *etag,
    const char *alt)
{
	struct s3ans a;
	int rc = -1;

	if (s3_call(s->h, &s->conf, "HEAD", o->key, NULL, NULL, 0, NULL, &a,
	    o->name) < 0)
		;
	else if (a.length < 0 || (unsigned long long)a.length != o->bytes)
		log_error("%s: stored with %lld bytes, not the %llu sent",
		    o->name, a.length, o->bytes);
	else if (!s->kms && strcmp(a.etag, etag) != 0 &&
	    (alt == NULL || strcmp(a.etag, alt) != 0))
		log_error("%s: stored with the ETag %s, not %s as computed here",
		    o->name, a.etag, etag);
	else {
		snprintf(o->etag, sizeof o->etag, "%s", a.etag);
		rc = 0;
	}
	s3ans_free(&a);
	return rc;
}

/* A single object held whole: one PUT of its buffers, then its check. */
static int
put_whole(struct sink_s3 *s, struct s3obj *o)
{
	struct iovec v[S3_HOLD_PARTS + 1];
	unsigned char md5[16];
	char b64[32], etag[33];
	struct s3body b = { v, 0, s->sink.sha256 };
	unsigned int len = 16;
	struct s3ans a;
	int i, rc;

	for (i = 0; i < s->nheld; i++) {
		v[i].iov_base = s->held[i]->data;
		v[i].iov_len = s->held[i]->n;
	}
	b.nv = s->nheld;
	if (s->cur != NULL) {
		v[b.nv].iov_base = s->cur->data;
		v[b.nv++].iov_len = s->cur->n;
	}
	if (!EVP_DigestFinal_ex(o->whole, md5, &len)) {
		log_error("%s: MD5 failed (libcrypto)", o->name);
		return -1;
	}
	EVP_EncodeBlock((unsigned char *)b64, md5, 16);
	hex_of(md5, 16, etag);
	rc = s3_call_pieces(s->h, &s->conf, "PUT", o->key, NULL, &b, b64, &a,
	    o->name);
	s3ans_free(&a);
	if (rc < 0)
		return -1;
	o->done = 1;
	return verify(s, o, etag, NULL);
}

/* CompleteMultipartUpload's body, and the ETag it should give. */
static char *
complete_body(const struct s3obj *o, char *etag, size_t etagsz)
{
	size_t i, len = 0, cap = 128 + o->nparts * 96;
	char *x = xmalloc(cap), hex[33];
	unsigned char *all = xmalloc(16 * o->nparts + 1), md5[16];

	len += (size_t)snprintf(x, cap, "<CompleteMultipartUpload>");
	for (i = 0; i < o->nparts; i++) {
		hex_of(o->md5[i], 16, hex);
		memcpy(all + 16 * i, o->md5[i], 16);
		len += (size_t)snprintf(x + len, cap - len, "<Part><PartNumber>"
		    "%zu</PartNumber><ETag>\"%s\"</ETag></Part>", i + 1, hex);
	}
	snprintf(x + len, cap - len, "</CompleteMultipartUpload>");
	md5_of(all, 16 * o->nparts, md5);
	hex_of(md5, 16, hex);
	snprintf(etag, etagsz, "%s-%zu", hex, o->nparts);
	free(all);
	return x;
}

/*
 * The upload made visible, then checked.  S3 gives a multipart object the
 * ETag MD5(the parts' MD5s)-N; some compatible stores (s3rver among them)
 * give the whole object's MD5, which is taken too: either way every byte
 * was checked.
 */
static int
complete(struct sink_s3 *s, struct s3obj *o)
{
	char etag[64], *body = complete_body(o, etag, sizeof etag), *q, *code;
	unsigned char md5[16];
	unsigned int len = 16;
	char whole[33];
	struct s3ans a;
	int rc;

	EVP_DigestFinal_ex(o->whole, md5, &len);
	hex_of(md5, 16, whole);
	q = xasprintf("uploadId=%s", o->upload);
	rc = s3_call(s->h, &s->conf, "POST", o->key, q, body, strlen(body),
	    NULL, &a, o->name);
	/* A 200 may still carry an error, sent after its headers. */
	if (rc == 0 && (code = s3xml_text(a.body, a.len, "Code")) != NULL) {
		log_error("%s: CompleteMultipartUpload failed: %s", o->name,
		    code);
		free(code);
		rc = -1;
	}
	s3ans_free(&a);
	free(q);
	free(body);
	if (rc < 0)
		return -1;
	o->done = 1;
	return verify(s, o, etag, whole);
}

static enum writer_status
s3_publish(struct sink *sk)
{
	struct sink_s3 *s = (struct sink_s3 *)sk;
	struct s3obj *o = &s->objs[s->nobj - 1];
	size_t i;

	if (!s->split && o->upload == NULL) {
		if (put_whole(s, o) < 0)
			return writer_error;
		s->sink.placed = 1;
		return writer_ok;
	}
	if (last_part(s) < 0 || drain(s) < 0) {
		log_error("%s: nothing was published: a part could not be "
		    "uploaded", s->objs[0].name);
		return writer_error;
	}
	for (i = 0; i < s->nobj; i++)
		if (complete(s, &s->objs[i]) < 0) {
			if (i > 0 || s->objs[i].done)
				log_error("%s: what was completed is deleted "
				    "again", s->objs[0].name);
			return writer_error;
		}
	s->sink.placed = 1;
	return writer_ok;
}

/* Takes back what is not published: uploads aborted, and the objects of
 * a set that could not all be published deleted. */
static void
take_back(struct sink_s3 *s)
{
	struct s3obj *o;
	struct s3ans a;
	char *q;
	size_t i;

	for (i = 0; i < s->nobj; i++) {
		o = &s->objs[i];
		if (o->done && !s->sink.placed) {
			s3_call(s->h, &s->conf, "DELETE", o->key, NULL, NULL, 0,
			    NULL, &a, o->name);
			s3ans_free(&a);
		} else if (!o->done && o->upload != NULL) {
			q = xasprintf("uploadId=%s", o->upload);
			s3_call(s->h, &s->conf, "DELETE", o->key, q, NULL, 0,
			    NULL, &a, o->name);
			s3ans_free(&a);
			free(q);
		}
	}
}

static void
s3_free(struct sink_s3 *s)
{
	struct s3job *j;
	size_t i;
	int k;

	for (i = 0; i < s->nobj; i++)
		obj_free(&s->objs[i]);
	free(s->objs);
	while ((j = s->head) != NULL) {
		s->head = j->next;
		free(j->data);
		free(j);
	}
	for (k = 0; k < s->nfree; k++) {
		free(s->pool[k]->data);
		free(s->pool[k]);
	}
	if (s->cur != NULL) {
		free(s->cur->data);
		free(s->cur);
	}
	for (k = 0; k < s->nheld; k++)
		if (s->held[k] != NULL) {
			free(s->held[k]->data);
			free(s->held[k]);
		}
	thread_mutex_destroy(&s->lock);
	thread_cond_destroy(&s->cond);
	if (s->h != NULL)
		curl_easy_cleanup(s->h);
	s3conf_free(&s->conf);
	free(s);
}

static void
s3_abandon(struct sink *sk, int keep)
{
	struct sink_s3 *s = (struct sink_s3 *)sk;
	int i;

	(void)keep;             /* an upload is never resumed */

	thread_lock(&s->lock);
	s->quit = 1;
	s->failed = 1;          /* the parts still queued are not sent */
	thread_broadcast(&s->cond);
	thread_unlock(&s->lock);
	for (i = 0; i < s->started; i++)
		thread_join(s->threads[i]);
	take_back(s);
	s3_free(s);
}

static int
s3_sync(struct sink *sk)
{
	(void)sk;
	return 0;
}

static const char *
s3_temp_path(const struct sink *sk)
{
	(void)sk;
	return NULL;
}

static const char *
s3_etag(const struct sink *sk, size_t i)
{
	const struct sink_s3 *s = (const struct sink_s3 *)sk;

	return i < s->nobj && s->objs[i].etag[0] != '\0' ? s->objs[i].etag :
	    NULL;
}

static const struct sink_ops s3_ops = {
	s3_begin, s3_write, s3_page_end, s3_publish, s3_abandon, s3_sync,
	s3_temp_path, s3_etag
};

/* An upload's key left by an earlier run to this destination: key
 * itself, or (split) a part of it: stem-DIGITS... */
static int
ours(const char *k, const char *key, const char *stem)
{
	size_t n = stem != NULL ? strlen(stem) : 0;

	return strcmp(k, key) == 0 || (stem != NULL &&
	    strncmp(k, stem, n) == 0 && k[n] == '-' &&
	    k[n + 1] >= '0' && k[n + 1] <= '9');
}

/* key percent-encoded for a query's value: '/' too. */
static char *
query_value(const char *key)
{
	char *k = s3_encode_key(key), *out = xmalloc(3 * strlen(k) + 1), *o;
	const char *p;

	for (p = k, o = out; *p != '\0'; p++) {
		if (*p == '/') {
			memcpy(o, "%2F", 3);
			o += 3;
		} else
			*o++ = *p;
	}
	*o = '\0';
	free(k);
	return out;
}

/* Aborts the upload id of key. */
static void
abort_upload(struct sink_s3 *s, const char *key, const char *id)
{
	char *q = xasprintf("uploadId=%s", id);
	char *what = xasprintf("s3://%s/%s", s->conf.bucket, key);
	struct s3ans a;

	s3_call(s->h, &s->conf, "DELETE", key, q, NULL, 0, NULL, &a, what);
	s3ans_free(&a);
	free(q);
	free(what);
}

/* One page of the uploads under the prefix pre (query-encoded), after
 * the markers of the page before (prev; NULL: the first); 0, or -1 after
 * a message. */
static int
list_page(struct sink_s3 *s, const char *pre, const struct s3uploads *prev,
    struct s3uploads *u)
{
	char *km = NULL, *im = NULL, *q;
	struct s3ans a;
	int rc = -1;

	if (prev != NULL && prev->next_key != NULL)
		km = query_value(prev->next_key);
	if (prev != NULL && prev->next_id != NULL)
		im = query_value(prev->next_id);
	/* The parameters in SigV4's canonical (sorted) order. */
	q = xasprintf("%s%s%sprefix=%s%s%s&uploads=", km != NULL ?
	    "key-marker=" : "", km != NULL ? km : "", km != NULL ? "&" : "",
	    pre, im != NULL ? "&upload-id-marker=" : "", im != NULL ? im : "");
	if (s3_call(s->h, &s->conf, "GET", NULL, q, NULL, 0, NULL, &a,
	    s->objs[0].name) == 0) {
		s3xml_uploads(a.body, a.len, u);
		rc = 0;
	}
	s3ans_free(&a);
	free(q);
	free(km);
	free(im);
	return rc;
}

/* The uploads of one page that are this destination's and were begun
 * before this run started, aborted; newer ones are another run's. */
static void
abort_page(struct sink_s3 *s, const struct s3uploads *u, const char *key,
    const char *stem)
{
	const struct s3upload *up;
	size_t i;

	for (i = 0; i < u->n; i++) {
		up = &u->v[i];
		if (!ours(up->key, key, stem))
			continue;
		if (up->initiated_ms == 0 || up->initiated_ms >= s->begun_ms) {
			log_info("s3://%s/%s: an upload begun after this run "
			    "started (another run's?) is left alone",
			    s->conf.bucket, up->key);
			continue;
		}
		log_info("s3://%s/%s: aborting an upload left by an earlier run",
		    s->conf.bucket, up->key);
		abort_upload(s, up->key, up->id);
	}
}

/* Whether the page after u would be asked with the same markers again (a
 * store that does not move them): the listing ends there. */
static int
same_markers(const struct s3uploads *u, const struct s3uploads *prev)
{
	return prev->next_key != NULL && strcmp(u->next_key,
	    prev->next_key) == 0 && (u->next_id == NULL) ==
	    (prev->next_id == NULL) && (u->next_id == NULL ||
	    strcmp(u->next_id, prev->next_id) == 0);
}

/* The uploads an earlier run left (a kill -9) under key or its parts,
 * aborted, page after page (ListMultipartUploads gives 1000 at most). */
static void
abort_leftovers(struct sink_s3 *s, const char *key, const char *stem)
{
	char *pre = query_value(stem != NULL ? stem : key);
	struct s3uploads u, prev;
	int pages;

	memset(&prev, 0, sizeof prev);
	for (pages = 0; pages < S3_LIST_PAGES; pages++) {
		if (list_page(s, pre, pages > 0 ? &prev : NULL, &u) < 0) {
			log_warn("%s: uploads left by an earlier run cannot be "
			    "listed: a bucket lifecycle rule must remove them",
			    s->objs[0].name);
			break;
		}
		abort_page(s, &u, key, stem);
		if (!u.truncated || u.next_key == NULL ||
		    same_markers(&u, &prev)) {
			s3xml_uploads_free(&u);
			break;
		}
		s3xml_uploads_free(&prev);
		prev = u;
	}
	s3xml_uploads_free(&prev);
	free(pre);
}

/* The bucket is there and the credentials open it: before any page of
 * the API is fetched.  0, or -1 after a message, with *refused set when
 * the bucket refused the credentials (403). */
static int
check_bucket(struct sink_s3 *s, const char *path, int *refused)
{
	struct s3ans a;
	int rc;

	rc = s3_call(s->h, &s->conf, "HEAD", NULL, NULL, NULL, 0, NULL, &a,
	    path);
	if (rc < 0 && a.curl_rc == CURLE_OK && a.status == 403) {
		log_error("s3://%s: the bucket refused its S3 credentials (HTTP "
		    "403), before any page of the API was fetched: check the "
		    "AWS credentials this run found (AWS_ACCESS_KEY_ID, "
		    "AWS_PROFILE, the container or instance role), the region, "
		    "and that the bucket's policy lets them list and write it; "
		    "the API's own credentials are not the ones refused",
		    s->conf.bucket);
		if (refused != NULL)
			*refused = 1;
	}
	s3ans_free(&a);
	return rc;
}

/* s3://BUCKET/KEY into its bucket (returned) and *key; NULL after a
 * message. */
static char *
parse_url(const char *path, const char **key)
{
	const char *b = path + 5, *slash = strchr(b, '/');

	if (slash == NULL || slash == b || slash[1] == '\0' ||
	    path[strlen(path) - 1] == '/') {
		log_error("%s: not an S3 object: write s3://BUCKET/KEY", path);
		return NULL;
	}
	*key = slash + 1;
	return xstrndup(b, (size_t)(slash - b));
}

/* The stem of a split output's parts: part0's key before "-00000". */
static char *
split_stem(const char *key0)
{
	const char *d = strstr(key0, "-00000");
	const char *next;

	while (d != NULL && (next = strstr(d + 1, "-00000")) != NULL)
		d = next;
	return d != NULL ? xstrndup(key0, (size_t)(d - key0)) : NULL;
}

/* A single object of up to cutoff bytes (0: the default) is one PUT: at
 * least one part's worth, at most S3_HOLD_PARTS parts' (no more memory
 * than the parts in flight take anyway) and S3's 5 GiB. */
static struct sink_s3 *
s3_new(size_t psize, size_t cutoff)
{
	struct sink_s3 *s = xcalloc(1, sizeof *s);
	size_t most;

	s->sink.ops = &s3_ops;
	s->part_size = psize < S3_PART_MIN ? S3_PART_MIN : psize;
	most = S3_HOLD_PARTS * s->part_size < S3_PART_MAX ?
	    S3_HOLD_PARTS * s->part_size : S3_PART_MAX;
	s->cutoff = cutoff == 0 || cutoff > most ? most : cutoff < s->part_size ?
	    s->part_size : cutoff;
	thread_mutex_init(&s->lock);
	thread_cond_init(&s->cond);
	return s;
}

/* What a new object is created with, as header lines. */
static void
settings_headers(struct sink_s3 *s, const struct writer_s3 *set)
{
	size_t k = 0;

	if (set == NULL)
		return;
	if (set->kms_key != NULL || (set->sse != NULL &&
	    strcmp(set->sse, "aws:kms") == 0)) {
		s->kms = 1;
		s->conf.newobj[k++] = xstrdup("x-amz-server-side-encryption: "
		    "aws:kms");
		if (set->kms_key != NULL)
			s->conf.newobj[k++] = xasprintf("x-amz-server-side-"
			    "encryption-aws-kms-key-id: %s", set->kms_key);
	} else if (set->sse != NULL)
		s->conf.newobj[k++] = xasprintf("x-amz-server-side-encryption: "
		    "%s", set->sse);
	if (set->acl != NULL)
		s->conf.newobj[k++] = xasprintf("x-amz-acl: %s", set->acl);
}

struct sink *
sink_s3_open(const char *path, const char *part0, int split,
    size_t psize, size_t cutoff, const struct writer_s3 *set, int *refused)
{
	struct sink_s3 *s;
	const char *key;
	char *bucket = parse_url(path, &key), *stem;
	struct timespec now;
	int rc;

	if (bucket == NULL)
		return NULL;
	s = s3_new(psize, cutoff);
	clock_gettime(CLOCK_REALTIME, &now);
	s->begun_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	s->split = split;
	rc = s3conf_init(&s->conf, bucket);
	free(bucket);
	if (rc == 0)
		settings_headers(s, set);
	if (rc < 0 || (s->h = curl_easy_init()) == NULL ||
	    check_bucket(s, path, refused) < 0) {
		s3_free(s);
		return NULL;
	}
	if (s3_begin(&s->sink, part0) != writer_ok) {
		s3_free(s);
		return NULL;
	}
	stem = split ? split_stem(s->objs[0].key) : NULL;
	abort_leftovers(s, key, stem);
	free(stem);
	return &s->sink;
}
