/*
 * session.c - logins, tokens, renewal, logout (see session.h).
 *
 * DESIGN
 * A session holds one token at a time, its generation (1, 2, ... one per
 * login), when it was issued and how long it lives.  session_attach hands
 * the current token out under session.lock; when it is due (80% of its
 * life gone), missing, or marked stale by a refusal, the first thread to
 * see it becomes the renewer: it logs in with the lock released while the
 * others go on with the old token if it is still valid, or wait on
 * session.cond for the new one.  So one login serves every worker however
 * many see the expiry together, and renewal stalls no request that holds
 * a valid token.  A refusal names the generation it was made with: a
 * refusal of an older token than the current one is already answered (the
 * request just goes again); a refusal of a token no request has been
 * accepted with is a wrong credential, not an expiry (exit 4), so that a
 * server that refuses every token cannot make a loop.  A login that fails
 * for good, with no valid token left, fails the session: every later
 * request fails at once with the same message, no login storm.
 *
 * The login has its own client (no -H headers, no Basic credentials: they
 * are not the login's), its own tries (transport errors, 429 and 5xx, with
 * backoff or the server's Retry-After) and its own limiter (the pages'
 * limiters never see it), follows no redirect, and is not a page: the run's request
 * counters never see it.  Bodies are built by yajl_gen or curl_easy_escape
 * (no secret pasted into a format); the secret is wiped when freed.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "log.h"
#include "origin.h"
#include "limiter.h"
#include "retry.h"
#include "session.h"
#include "thread.h"
#include "xalloc.h"

#define SESSION_RENEW_SHARE     0.8     /* of the lifetime: renew then */
#define SESSION_MAX_ANSWER      (64 * 1024)     /* bytes of a login answer */
#define SESSION_MAX_TOKEN       (16 * 1024)
#define SESSION_LOGIN_TRIES     4
#define SESSION_RETRY_SOON      5.0     /* s: a failed renewal, again */
#define SESSION_RETRY_CAP_MS    30000   /* the longest wait between tries
                                           (a Retry-After up to it) */

/* A profile: how a well-known API logs in. */
struct session_profile {
	const char *name;
	const char *login_url;          /* a path: on the target's origin */
	const char *body;
	const char *fields;             /* "USER,SECRET" or ",SECRET" */
	const char *consts;             /* "a=b&c=d" fixed fields, or NULL */
	const char *token_path;
	const char *send;
	const char *lifetime;
	const char *logout_url;         /* NULL: none */
};

static const struct session_profile session_profiles[] = {
	{ "f5", "/mgmt/shared/authn/login", "json", "username,password",
	  "loginProviderName=tmos", "token.token", "header:X-F5-Auth-Token",
	  "token.timeout", "/mgmt/shared/authz/tokens/{token}" },
	{ "ibm-iam", "https://iam.cloud.ibm.com/identity/token", "form",
	  ",apikey", "grant_type=urn:ibm:params:oauth:grant-type:apikey",
	  "access_token", "bearer", "expires_in", NULL },
	{ "oauth2", NULL, "form", "client_id,client_secret",
	  "grant_type=client_credentials", "access_token", "bearer",
	  "expires_in", NULL },
	{ "login", NULL, "json", "username,password", NULL, "token", "bearer",
	  NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

enum session_send { send_bearer, send_header, send_cookie };

struct session {
	/* Read-only once made. */
	char *origin;                   /* the target's: the token goes there */
	char *login_url, *logout_url;   /* logout: NULL for none */
	int form;                       /* the body is a form, not JSON */
	char *user_field, *secret_field;
	struct curl_slist *consts;      /* "NAME=VALUE" */
	char *user, *secret;            /* wiped when freed */
	char *token_path;               /* NULL: token_header */
	char *token_header;
	enum session_send send;
	char *send_name;                /* header or cookie name */
	char *lifetime_path;            /* NULL: lifetime_given */
	double lifetime_given;
	struct http_conf conf;
	struct http_client *http;       /* the renewer's (or logout's) alone */
	struct http_jar *jar;           /* the cookies of this login (--cookies),
	                                   or NULL */
	struct limiter limiter;         /* the login's own: what its endpoint
	                                   accepts (learned from its 429s) */
	/* Under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *token;                    /* NULL: none yet */
	unsigned long gen;
	double issued, life, retry_at;
	int stale;                      /* refused: renew before using it */
	int proven;                     /* a request was accepted with it */
	int renewing;
	enum exit_status failed;        /* the session is dead: why */
	char failmsg[512];
	int closed;
	long logins;
	char **retired;                 /* tokens a renewal replaced, for the
	                                   logout to delete too (with a
	                                   logout URL only) */
	size_t nretired;
};

int
session_profile_known(const char *name)
{
	const struct session_profile *p;

	for (p = session_profiles; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return 1;
	return 0;
}

const char *
session_profile_names(void)
{
	return "f5, ibm-iam, oauth2, login";
}

int
session_due(double issued, double lifetime, double now)
{
	return lifetime > 0 && now >= issued + SESSION_RENEW_SHARE * lifetime;
}

int
session_token_ok(const char *tok, size_t len)
{
	size_t i;

	if (len == 0 || len > SESSION_MAX_TOKEN)
		return 0;
	/* Visible ASCII only: nothing that could end a header or a cookie. */
	for (i = 0; i < len; i++)
		if (tok[i] < 0x21 || tok[i] > 0x7e || tok[i] == '"' ||
		    tok[i] == ';' || tok[i] == ',' || tok[i] == '\\')
			return 0;
	return 1;
}

void
session_answer_clear(struct session_answer *ans)
{
	if (ans->token != NULL) {
		memset(ans->token, 0, strlen(ans->token));
		free(ans->token);
	}
	memset(ans, 0, sizeof *ans);
}

/* The value at a dotted path of tree, or NULL. */
static yajl_val
session_path(yajl_val tree, const char *path)
{
	const char *parts[16];
	char *copy = xstrdup(path), *p, *save = NULL;
	yajl_val v;
	int n = 0;

	for (p = strtok_r(copy, ".", &save); p != NULL && n < 15;
	    p = strtok_r(NULL, ".", &save))
		parts[n++] = p;
	parts[n] = NULL;
	v = n > 0 ? yajl_tree_get(tree, parts, yajl_t_any) : NULL;
	free(copy);
	return v;
}

/* A lifetime from v: a positive number, or a string of digits. */
static double
session_seconds(yajl_val v)
{
	char *end;
	double d;

	if (YAJL_IS_NUMBER(v))
		d = YAJL_IS_DOUBLE(v) ? YAJL_GET_DOUBLE(v) :
		    (double)YAJL_GET_INTEGER(v);
	else if (YAJL_IS_STRING(v) && isdigit((unsigned char)*v->u.string)) {
		errno = 0;
		d = strtod(v->u.string, &end);
		if (errno != 0 || *end != '\0')
			return 0;
	} else
		return 0;
	return d > 0 && d < 1e9 ? d : 0;
}

int
session_parse(const char *body, size_t len, const char *token_path,
    const char *lifetime_path, struct session_answer *ans, char *err,
    size_t errsz)
{
	char *text, yerr[128];
	yajl_val tree, v;
	int rc = -1;

	memset(ans, 0, sizeof *ans);
	if (memchr(body, '\0', len) != NULL) {
		snprintf(err, errsz, "the login answer is not JSON (a NUL byte)");
		return -1;
	}
	text = xstrndup(body, len);
	tree = yajl_tree_parse(text, yerr, sizeof yerr);
	memset(text, 0, len);
	free(text);
	if (tree == NULL) {
		snprintf(err, errsz, "the login answer is not JSON");
		return -1;
	}
	v = session_path(tree, token_path);
	if (v == NULL || !YAJL_IS_STRING(v))
		snprintf(err, errsz, "the login answer has no token at %s%s",
		    token_path, v != NULL ? " (not a string)" : "");
	else if (!session_token_ok(v->u.string, strlen(v->u.string)))
		snprintf(err, errsz, "the login answer's token at %s is empty, "
		    "too long, or has characters a header cannot carry",
		    token_path);
	else {
		ans->token = xstrdup(v->u.string);
		if (lifetime_path != NULL &&
		    (v = session_path(tree, lifetime_path)) != NULL)
			ans->lifetime = session_seconds(v);
		rc = 0;
	}
	yajl_tree_free(tree);
	return rc;
}

/* --- making one ------------------------------------------------------------ */

static const struct session_profile *
session_profile(const char *name)
{
	const struct session_profile *p;

	for (p = session_profiles; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* The first line of file, newly allocated, or NULL with why in err. */
static char *
session_read_secret(const char *file, char *err, size_t errsz)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	size_t n;

	if (f == NULL) {
		snprintf(err, errsz, "--login-secret-file %s: %s", file,
		    strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0) {
		snprintf(err, errsz, "--login-secret-file %s: the first line "
		    "is empty", file);
		return NULL;
	}
	return xstrdup(line);
}

/* The credentials, from the environment or the file. */
static int
session_credentials(struct session *s, const struct session_conf *sc,
    char *err, size_t errsz)
{
	const char *ue = sc->user_env ? sc->user_env : "INVDUMP_LOGIN_USER";
	const char *se = sc->secret_env ? sc->secret_env :
	    "INVDUMP_LOGIN_SECRET";
	const char *v;

	if (s->user_field != NULL) {
		if ((v = getenv(ue)) == NULL || *v == '\0') {
			snprintf(err, errsz, "the login needs a user: set %s "
			    "(or name another variable with --login-user-env)",
			    ue);
			return -1;
		}
		s->user = xstrdup(v);
	}
	if (sc->secret_file != NULL)
		return (s->secret = session_read_secret(sc->secret_file, err,
		    errsz)) != NULL ? 0 : -1;
	if ((v = getenv(se)) == NULL || *v == '\0') {
		snprintf(err, errsz, "the login needs a secret: set %s (or "
		    "use --login-secret-env or --login-secret-file)", se);
		return -1;
	}
	s->secret = xstrdup(v);
	return 0;
}

/* A URL of the session: absolute, or a path on the target's origin. */
static char *
session_url(const char *origin, const char *u)
{
	return u[0] == '/' ? xasprintf("%s%s", origin, u) : xstrdup(u);
}

/* Does more (--login-field) name the field of "NAME=VALUE" p? */
static int
session_field_given(const struct curl_slist *more, const char *p)
{
	size_t n = strcspn(p, "=");

	for (; more != NULL; more = more->next)
		if (strncmp(more->data, p, n) == 0 && more->data[n] == '=')
			return 1;
	return 0;
}

/* "USER,SECRET" and "a=b&c=d" into the session's fields; a field of the
 * profile's that --login-field gives is the user's (F5's
 * loginProviderName=tmos, for one). */
static void
session_fields(struct session *s, const char *fields, const char *consts,
    const struct curl_slist *more)
{
	const char *comma = strchr(fields, ',');
	char *copy, *p, *save = NULL;

	if (comma == NULL)
		comma = fields + strlen(fields);
	if (comma > fields)
		s->user_field = xstrndup(fields, (size_t)(comma - fields));
	s->secret_field = xstrdup(*comma == ',' ? comma + 1 : "password");
	if (consts != NULL) {
		copy = xstrdup(consts);
		for (p = strtok_r(copy, "&", &save); p != NULL;
		    p = strtok_r(NULL, "&", &save))
			if (!session_field_given(more, p))
				s->consts = curl_slist_append(s->consts, p);
		free(copy);
	}
	for (; more != NULL; more = more->next)
		s->consts = curl_slist_append(s->consts, more->data);
}

/* Where the token is read and where it goes; -1 with why in err. */
static int
session_places(struct session *s, const struct session_conf *sc,
    const struct session_profile *p, char *err, size_t errsz)
{
	const char *tp = sc->token_path ? sc->token_path : p->token_path;
	const char *send = sc->send ? sc->send : p->send;
	const char *life = sc->lifetime ? sc->lifetime : p->lifetime;
	char *end;

	if (strncasecmp(tp, "header:", 7) == 0)
		s->token_header = xstrdup(tp + 7);
	else
		s->token_path = xstrdup(tp);
	if (strcasecmp(send, "bearer") == 0)
		s->send = send_bearer;
	else if (strncasecmp(send, "header:", 7) == 0 && send[7] != '\0')
		s->send = send_header;
	else if (strncasecmp(send, "cookie:", 7) == 0 && send[7] != '\0')
		s->send = send_cookie;
	else {
		snprintf(err, errsz, "--token-send %s: bearer, header:NAME or "
		    "cookie:NAME", send);
		return -1;
	}
	if (s->send != send_bearer)
		s->send_name = xstrdup(send + 7);
	if (life != NULL && isdigit((unsigned char)*life)) {
		s->lifetime_given = strtod(life, &end);
		if (*end != '\0' || s->lifetime_given <= 0) {
			snprintf(err, errsz, "--token-lifetime %s: seconds, or a "
			    "path in the login answer", life);
			return -1;
		}
	} else if (life != NULL)
		s->lifetime_path = xstrdup(life);
	return 0;
}

/* The login's HTTP settings: the target's trust, the run's timeouts, the
 * run's cookie jar when the target keeps cookies (what a login sets goes
 * back with the pages); no -H headers, Basic credentials or netrc (they
 * are not the login's). */
static void
session_http_conf(struct session *s, const struct options *o,
    const struct target *t, const atomic_int *cancel)
{
	struct http_conf *h = &s->conf;

	memset(h, 0, sizeof *h);
	h->connect_timeout = o->connect_timeout;
	h->speed_limit = o->speed_limit;
	h->speed_time = o->speed_time;
	h->max_body = SESSION_MAX_ANSWER;
	h->cacert = t->cacert;
	h->capath = t->capath;
	h->insecure = o->insecure;
	h->cancel = cancel;
}

struct session *
session_new(const struct options *o, const struct target *t,
    const atomic_int *cancel, char *err, size_t errsz)
{
	const struct session_conf *sc = &t->session;
	const struct session_profile *p = session_profile(sc->profile);
	struct session *s = xcalloc(1, sizeof *s);
	const char *lu, *lo, *url = t->url;

	thread_mutex_init(&s->lock);
	thread_cond_init(&s->cond);
	limiter_init(&s->limiter, 0);
	if (p == NULL || (s->origin = origin_of(url)) == NULL) {
		snprintf(err, errsz, "--session %s: %s", sc->profile, p == NULL ?
		    "not a profile of sessions" : "not an http or https URL");
		goto fail;
	}
	lu = sc->login_url != NULL ? sc->login_url : p->login_url;
	if (lu == NULL) {
		snprintf(err, errsz, "--session %s needs --login-url (the token "
		    "endpoint)", p->name);
		goto fail;
	}
	s->login_url = session_url(s->origin, lu);
	lo = sc->logout_url != NULL ? sc->logout_url : p->logout_url;
	if (lo != NULL && *lo != '\0')
		s->logout_url = session_url(s->origin, lo);
	s->form = strcmp(sc->body ? sc->body : p->body, "form") == 0;
	session_fields(s, sc->fields ? sc->fields : p->fields, p->consts,
	    sc->consts);
	if (session_places(s, sc, p, err, errsz) < 0 ||
	    session_credentials(s, sc, err, errsz) < 0)
		goto fail;
	session_http_conf(s, o, t, cancel);
	if ((t->cookies || t->cookie_jar != NULL) &&
	    (s->jar = s->conf.jar = http_jar_new()) == NULL) {
		snprintf(err, errsz, "cannot make the session's cookie jar");
		goto fail;
	}
	if ((s->http = http_client_new(&s->conf)) == NULL) {
		snprintf(err, errsz, "cannot make the login's HTTP client");
		goto fail;
	}
	return s;
fail:
	s->closed = 1;
	session_free(s);
	return NULL;
}

static int
str_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
session_same(const struct session *a, const struct session *b)
{
	const struct curl_slist *x = a->consts, *y = b->consts;

	for (; x != NULL && y != NULL; x = x->next, y = y->next)
		if (strcmp(x->data, y->data) != 0)
			return 0;
	return x == NULL && y == NULL && strcmp(a->origin, b->origin) == 0 &&
	    strcmp(a->login_url, b->login_url) == 0 &&
	    str_same(a->logout_url, b->logout_url) && a->form == b->form &&
	    str_same(a->user_field, b->user_field) &&
	    str_same(a->secret_field, b->secret_field) &&
	    str_same(a->user, b->user) && str_same(a->secret, b->secret) &&
	    str_same(a->token_path, b->token_path) &&
	    str_same(a->token_header, b->token_header) && a->send == b->send &&
	    str_same(a->send_name, b->send_name) &&
	    str_same(a->lifetime_path, b->lifetime_path) &&
	    a->lifetime_given == b->lifetime_given;
}

/* --- the login ------------------------------------------------------------- */

/* The login's body (JSON by yajl_gen, or a form by curl_easy_escape),
 * newly allocated; the caller wipes it. */
static char *
session_body(const struct session *s)
{
	const char *names[18], *values[18];
	const struct curl_slist *c;
	char *out, *kn, *kv;
	int n = 0, i;
	struct buf b;

	if (s->user_field != NULL) {
		names[n] = s->user_field;
		values[n++] = s->user;
	}
	names[n] = s->secret_field;
	values[n++] = s->secret;
	for (c = s->consts; c != NULL && n < 18; c = c->next) {
		names[n] = xstrndup(c->data, strcspn(c->data, "="));
		values[n++] = c->data + strcspn(c->data, "=") +
		    (strchr(c->data, '=') != NULL);
	}
	buf_init(&b, SESSION_MAX_ANSWER);
	if (!s->form) {
		yajl_alloc_funcs funcs;
		yajl_gen g;
		const unsigned char *text;
		size_t len;

		xalloc_yajl_funcs(&funcs);
		g = yajl_gen_alloc(&funcs);
		yajl_gen_map_open(g);
		for (i = 0; i < n; i++) {
			yajl_gen_string(g, (const unsigned char *)names[i],
			    strlen(names[i]));
			yajl_gen_string(g, (const unsigned char *)values[i],
			    strlen(values[i]));
		}
		yajl_gen_map_close(g);
		yajl_gen_get_buf(g, &text, &len);
		(void)buf_add(&b, text, len);
		memset((void *)text, 0, len);
		yajl_gen_free(g);
	} else
		for (i = 0; i < n; i++) {
			kn = curl_easy_escape(NULL, names[i], 0);
			kv = curl_easy_escape(NULL, values[i], 0);
			if (i > 0)
				(void)buf_add(&b, "&", 1);
			(void)buf_add(&b, kn, strlen(kn));
			(void)buf_add(&b, "=", 1);
			(void)buf_add(&b, kv, strlen(kv));
			memset(kv, 0, strlen(kv));
			curl_free(kn);
			curl_free(kv);
		}
	out = xstrndup(b.data != NULL ? b.data : "", b.len);
	if (b.data != NULL)
		memset(b.data, 0, b.len);
	buf_free(&b);
	for (i = s->user_field != NULL ? 2 : 1; i < n; i++)
		free((char *)names[i]);
	return out;
}

static int
session_collect(void *ctx, const char *data, size_t n)
{
	return buf_add(ctx, data, n) < 0 ? -1 : 0;
}

/* Is a failed login worth another try? */
static int
session_transient(const struct http_result *res)
{
	if (res->outcome == http_outcome_transport)
		return retry_transient(res->curl);
	return res->outcome == http_outcome_status &&
	    (res->status == 429 || res->status >= 500);
}

/* One answer of the login judged: exit_ok with the token in ans. */
static enum exit_status
session_judge(struct session *s, const struct http_result *res,
    const struct buf *body, struct session_answer *ans, char *msg,
    size_t msgsz)
{
	char *shown = log_redact_url(s->login_url), why[256];
	enum exit_status st = exit_ok;
	const char *h;

	memset(ans, 0, sizeof *ans);
	if (res->outcome == http_outcome_transport ||
	    res->outcome == http_outcome_cancelled) {
		snprintf(msg, msgsz, "login POST %s: %s", shown,
		    res->outcome == http_outcome_cancelled ? "interrupted" :
		    res->error);
		st = res->outcome == http_outcome_cancelled ?
		    exit_interrupted : exit_failure;
	} else if (res->too_big || res->outcome != http_outcome_ok) {
		st = res->too_big ? exit_protocol : res->status == 401 ||
		    res->status == 403 || res->status == 400 ? exit_auth :
		    exit_failure;
		snprintf(msg, msgsz, "login POST %s: HTTP %ld: %s", shown,
		    res->status, res->too_big ? "the answer is over 64 KiB" :
		    st == exit_auth ? "the server refused the login (check the "
		    "credentials and the session's profile)" : "the login "
		    "failed (is --login-url the token endpoint?)");
	} else if (s->token_header != NULL) {
		if ((h = http_header(s->http, s->token_header)) != NULL &&
		    session_token_ok(h, strlen(h)))
			ans->token = xstrdup(h);
		else {
			snprintf(msg, msgsz, "login POST %s: HTTP %ld but no "
			    "usable token in header %s", shown, res->status,
			    s->token_header);
			st = exit_protocol;
		}
	} else if (session_parse(body->data != NULL ? body->data : "",
	    body->len, s->token_path, s->lifetime_path, ans, why,
	    sizeof why) < 0) {
		snprintf(msg, msgsz, "login POST %s: HTTP %ld: %s (%s)", shown,
		    res->status, why, strstr(why, "not JSON") != NULL ?
		    "is --login-url the token endpoint?" : "check --token-path");
		st = exit_protocol;
	}
	free(shown);
	return st;
}

/* Logs in, with tries; exit_ok with the token in ans.  Runs on the
 * renewer's thread alone, the lock released. */
static enum exit_status
session_login(struct session *s, struct session_answer *ans, char *msg,
    size_t msgsz)
{
	struct curl_slist *h = NULL;
	struct http_result res;
	enum exit_status st = exit_failure;
	struct buf body;
	char *req = session_body(s);
	unsigned int seed = (unsigned int)(size_t)s;
	int i;

	h = curl_slist_append(h, s->form ? "Content-Type: application/"
	    "x-www-form-urlencoded" : "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	buf_init(&body, SESSION_MAX_ANSWER);
	for (i = 0; i < SESSION_LOGIN_TRIES; i++) {
		buf_reset(&body);
		if (limiter_acquire(&s->limiter, s->conf.cancel) < 0) {
			snprintf(msg, msgsz, "login: interrupted");
			st = exit_interrupted;
			break;
		}
		http_send(s->http, "POST", s->login_url, h, req,
		    session_collect, &body, &res);
		limiter_update(&s->limiter, res.outcome == http_outcome_status &&
		    res.status == 429);
		st = session_judge(s, &res, &body, ans, msg, msgsz);
		if (st == exit_ok || !session_transient(&res) ||
		    i + 1 == SESSION_LOGIN_TRIES)
			break;
		log_info("%s; login try %d of %d", msg, i + 2,
		    SESSION_LOGIN_TRIES);
		if (retry_sleep_ms(retry_delay_ms(i + 1, retry_hint_ms(
		    res.retry_after, NULL, (long long)time(NULL)), 250,
		    SESSION_RETRY_CAP_MS, &seed), s->conf.cancel) < 0)
			break;
	}
	if (body.data != NULL)
		memset(body.data, 0, body.len);
	buf_free(&body);
	memset(req, 0, strlen(req));
	free(req);
	curl_slist_free_all(h);
	if (st == exit_ok && ans->lifetime == 0)
		ans->lifetime = s->lifetime_given;
	return st;
}

/* --- handing the token out ------------------------------------------------ */

/* A usable token now (under the lock)? */
static int
session_valid(const struct session *s, double now)
{
	return s->token != NULL && !s->stale &&
	    (s->life <= 0 || now < s->issued + s->life);
}

/* Installs a new token (under the lock). */
static void
session_install(struct session *s, struct session_answer *ans, double now)
{
	if (s->token != NULL && s->logout_url != NULL) {
		/* Still valid a while (renewed ahead of expiry): deleted at
		 * the logout, so that nightly runs leave no token behind. */
		s->retired = xrealloc(s->retired, (s->nretired + 1) *
		    sizeof *s->retired);
		s->retired[s->nretired++] = s->token;
	} else if (s->token != NULL) {
		memset(s->token, 0, strlen(s->token));
		free(s->token);
	}
	s->token = ans->token;
	ans->token = NULL;
	s->life = ans->lifetime;
	s->issued = now;
	s->gen++;
	s->stale = s->proven = 0;
	s->logins++;
}

/* Logs in as the renewer: the lock is released meanwhile. */
static void
session_renew(struct session *s)
{
	struct session_answer ans;
	char msg[512];
	enum exit_status st;

	s->renewing = 1;
	thread_unlock(&s->lock);
	st = session_login(s, &ans, msg, sizeof msg);
	thread_lock(&s->lock);
	s->renewing = 0;
	if (st == exit_ok) {
		session_install(s, &ans, clock_now());
		log_info("logged in (%s a token)", s->gen > 1 ? "renewed" :
		    "got");
	} else if (session_valid(s, clock_now())) {
		/* Ahead of expiry: the old token serves a while yet. */
		s->retry_at = clock_now() + SESSION_RETRY_SOON;
		log_warn("%s; the current token is used meanwhile", msg);
	} else if (s->failed == exit_ok) {
		s->failed = st;
		snprintf(s->failmsg, sizeof s->failmsg, "%s", msg);
	}
	session_answer_clear(&ans);
	thread_broadcast(&s->cond);
}

/* Waits until the session has a token to hand out (under the lock). */
static enum exit_status
session_ready(struct session *s, char *msg, size_t msgsz)
{
	double now;

	for (;;) {
		if (s->failed != exit_ok) {
			snprintf(msg, msgsz, "%s", s->failmsg);
			return s->failed;
		}
		if (s->closed) {
			snprintf(msg, msgsz, "the session has ended");
			return exit_failure;
		}
		now = clock_now();
		if (session_valid(s, now) && (!session_due(s->issued, s->life,
		    now) || now < s->retry_at || s->renewing))
			return exit_ok;
		if (s->renewing)
			thread_wait_ms(&s->cond, &s->lock, 1000);
		else
			session_renew(s);
	}
}

/* The header line carrying tok. */
static char *
session_header(const struct session *s, const char *tok)
{
	switch (s->send) {
	case send_header:
		return xasprintf("%s: %s", s->send_name, tok);
	case send_cookie:
		return xasprintf("Cookie: %s=%s", s->send_name, tok);
	case send_bearer:
		break;
	}
	return xasprintf("Authorization: Bearer %s", tok);
}

enum exit_status
session_attach(struct session *s, const char *url, struct curl_slist **hdrs,
    unsigned long *gen, char *msg, size_t msgsz)
{
	enum exit_status st;
	char *line;

	*gen = 0;
	if (origin_check(s->origin, url, NULL) != origin_same)
		return exit_ok;         /* the token is for its origin alone */
	thread_lock(&s->lock);
	st = session_ready(s, msg, msgsz);
	if (st == exit_ok) {
		line = session_header(s, s->token);
		*gen = s->gen;
		*hdrs = curl_slist_append(*hdrs, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	thread_unlock(&s->lock);
	return st;
}

void
session_accepted(struct session *s, unsigned long gen)
{
	if (gen == 0)
		return;
	thread_lock(&s->lock);
	if (gen == s->gen)
		s->proven = 1;
	thread_unlock(&s->lock);
}

enum exit_status
session_refused(struct session *s, unsigned long gen, char *msg,
    size_t msgsz)
{
	enum exit_status st = exit_ok;
	char *shown;

	thread_lock(&s->lock);
	if (gen == s->gen && !s->proven) {
		/* Fresh from a login and refused at once: another login
		 * would be refused the same way. */
		shown = log_redact_url(s->login_url);
		snprintf(s->failmsg, sizeof s->failmsg, "the server refused "
		    "the token its login (%s) had just given: the account may "
		    "lack the rights, or the token goes in the wrong place "
		    "(--token-send)", shown);
		free(shown);
		if (s->failed == exit_ok)
			s->failed = exit_auth;
	} else if (gen == s->gen)
		s->stale = 1;           /* the next attach renews it */
	if (s->failed != exit_ok) {
		snprintf(msg, msgsz, "%s", s->failmsg);
		st = s->failed;
	}
	thread_unlock(&s->lock);
	return st;
}

int
session_token_refusal(long status, const char *snippet)
{
	/* Words of a refused credential; a 403 about rights or a rate
	 * limit has none of them. */
	static const char *const words[] = {
		"token", "expired", "not authenticated", "unauthorized",
		"authentication", NULL
	};
	char low[1024];
	size_t i;

	if (status == 401)
		return 1;
	if (status != 403 || snippet == NULL)
		return 0;
	for (i = 0; snippet[i] != '\0' && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)snippet[i]);
	low[i] = '\0';
	for (i = 0; words[i] != NULL; i++)
		if (strstr(low, words[i]) != NULL)
			return 1;
	return 0;
}

struct http_jar *
session_jar(struct session *s)
{
	return s->jar;
}

long
session_logins(const struct session *s)
{
	return s->logins;
}

/* --- a run's sessions ----------------------------------------------------- */

struct sessions {
	int n;                          /* targets */
	struct session **of;            /* each target's, or NULL */
	int *left;                      /* per target: its session's targets
	                                   not yet done (the first of them
	                                   holds the count) */
	int *owner;                     /* the target whose left[] counts */
	pthread_mutex_t lock;
};

struct sessions *
sessions_new(const struct options *o, const atomic_int *cancel, char *err,
    size_t errsz)
{
	struct sessions *ss = xcalloc(1, sizeof *ss);
	struct session *s;
	int i, j;

	ss->n = o->ntargets;
	ss->of = xcalloc((size_t)ss->n + 1, sizeof *ss->of);
	ss->left = xcalloc((size_t)ss->n + 1, sizeof *ss->left);
	ss->owner = xcalloc((size_t)ss->n + 1, sizeof *ss->owner);
	thread_mutex_init(&ss->lock);
	for (i = 0; i < ss->n; i++) {
		if (o->targets[i].session.profile == NULL)
			continue;
		if ((s = session_new(o, &o->targets[i], cancel, err, errsz)) ==
		    NULL) {
			sessions_free(ss);
			return NULL;
		}
		for (j = 0; j < i; j++)
			if (ss->of[j] != NULL && ss->owner[j] == j &&
			    session_same(ss->of[j], s))
				break;
		if (j < i) {
			session_free(s);        /* never logged in */
			ss->of[i] = ss->of[j];
			ss->owner[i] = j;
			ss->left[j]++;
		} else {
			ss->of[i] = s;
			ss->owner[i] = i;
			ss->left[i] = 1;
		}
	}
	return ss;
}

struct session *
sessions_of(struct sessions *ss, int i)
{
	return ss != NULL && i >= 0 && i < ss->n ? ss->of[i] : NULL;
}

void
sessions_done(struct sessions *ss, int i)
{
	int last;

	if (ss == NULL || i < 0 || i >= ss->n || ss->of[i] == NULL)
		return;
	thread_lock(&ss->lock);
	last = --ss->left[ss->owner[i]] == 0;
	thread_unlock(&ss->lock);
	if (last)
		session_logout(ss->of[i]);
}

long
sessions_logins(const struct sessions *ss)
{
	long n = 0;
	int i;

	for (i = 0; ss != NULL && i < ss->n; i++)
		if (ss->of[i] != NULL && ss->owner[i] == i)
			n += ss->of[i]->logins;
	return n;
}

void
sessions_free(struct sessions *ss)
{
	int i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->n; i++)
		if (ss->of[i] != NULL && ss->owner[i] == i)
			session_free(ss->of[i]);
	free(ss->of);
	free(ss->left);
	free(ss->owner);
	thread_mutex_destroy(&ss->lock);
	free(ss);
}

/* --- the end --------------------------------------------------------------- */

static void
wipe_free(char *p)
{
	if (p != NULL) {
		memset(p, 0, strlen(p));
		free(p);
	}
}

/* DELETEs tok at the logout URL; its outcome (1: deleted).  A replaced
 * token that had expired already is no news (quiet). */
static int
session_delete(struct session *s, const char *tok, int quiet)
{
	struct curl_slist *h = NULL;
	struct http_result res;
	char *url, *esc, *line, *shown;
	const char *at;

	esc = curl_easy_escape(NULL, tok, 0);
	at = strstr(s->logout_url, "{token}");
	url = at != NULL ? xasprintf("%.*s%s%s", (int)(at - s->logout_url),
	    s->logout_url, esc, at + 7) : xstrdup(s->logout_url);
	line = session_header(s, tok);
	h = curl_slist_append(h, line);
	http_send(s->http, "DELETE", url, h, NULL, NULL, NULL, &res);
	shown = log_redact_url(s->logout_url);
	if (res.outcome == http_outcome_ok)
		log_info("logged out (DELETE %s)", shown);
	else if (!quiet)
		log_warn("logout DELETE %s: %s%ld: the token stays until it "
		    "expires", shown, res.status ? "HTTP " : "no answer, ",
		    res.status);
	free(shown);
	wipe_free(line);
	wipe_free(url);
	memset(esc, 0, strlen(esc));
	curl_free(esc);
	curl_slist_free_all(h);
	return res.outcome == http_outcome_ok;
}

void
session_logout(struct session *s)
{
	size_t i;

	thread_lock(&s->lock);
	if (s->closed || s->token == NULL || s->logout_url == NULL) {
		s->closed = 1;
		thread_unlock(&s->lock);
		return;
	}
	s->closed = 1;
	thread_unlock(&s->lock);
	/* Nobody else uses the session once it is closed.  The logout goes
	 * even when the run was stopped (a failure, a signal): its tries
	 * are bounded by the timeouts, not by the stop flag. */
	s->conf.cancel = NULL;
	(void)session_delete(s, s->token, 0);
	for (i = 0; i < s->nretired; i++)
		(void)session_delete(s, s->retired[i], 1);
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_logout(s);
	wipe_free(s->user);
	wipe_free(s->secret);
	wipe_free(s->token);
	while (s->nretired > 0)
		wipe_free(s->retired[--s->nretired]);
	free(s->retired);
	http_client_free(s->http);
	http_jar_free(s->jar);          /* after its client */
	free(s->origin);
	free(s->login_url);
	free(s->logout_url);
	free(s->user_field);
	free(s->secret_field);
	curl_slist_free_all(s->consts);
	free(s->token_path);
	free(s->token_header);
	free(s->send_name);
	free(s->lifetime_path);
	limiter_destroy(&s->limiter);
	thread_cond_destroy(&s->cond);
	thread_mutex_destroy(&s->lock);
	free(s);
}
