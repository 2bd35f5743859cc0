/*
 * session.c - logins, tokens that expire, logouts (--session SPEC).
 *
 * SPEC is a comma-separated list: mode=f5|oauth|iam|infoblox, ttl=S (a
 * token dies S seconds after its login; 0: never), tell=S (the lifetime
 * the answer says; default ttl), uses=N (a token serves N list requests,
 * then is refused), fail=N (the first N logins answer 503), throttle=N
 * (the first N answer 429 with Retry-After: 1), deny (every
 * login answers 401), answer=nonjson|notoken (a 200 login answer without
 * a usable token), revoke=N (after N list requests accepted, every token
 * is revoked, once), user=U, secret=S (the credentials expected; default
 * admin and s3cr"et&=%+PW), provider=P (F5's loginProviderName expected,
 * once; default tmos).
 *
 * The logins are the real ones' shapes:
 *   POST /mgmt/shared/authn/login   F5: JSON {"username","password",
 *                                   "loginProviderName"} -> {"token":
 *                                   {"token","timeout",...}}
 *   DELETE /mgmt/shared/authz/tokens/TOKEN   F5's logout
 *   POST /identity/token            IBM Cloud IAM: form grant_type=urn:ibm:
 *                                   params:oauth:grant-type:apikey&apikey=
 *   POST /oauth_token.do            ServiceNow OAuth: form grant_type=
 *                                   client_credentials&client_id&client_secret
 * A list request's token goes in X-F5-Auth-Token (f5) or Authorization:
 * Bearer (oauth, iam); a stale one is answered 401 with F5's or
 * ServiceNow's body; F5's login also sets a BIGipServer cookie.
 * mode=infoblox: Basic credentials (user:secret) are
 * checked and answered with an ibapauth cookie; the cookie, sent back,
 * stands for them.  GET /session/counter says {"logins","logouts",
 * "refused","login_failures","basic","cookie","live"}.
 *
 * One mutex guards the tokens and counters.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../../src/xalloc.h"
#include "mockapi.h"
#include "reply.h"
#include "session.h"

#define MAX_TOKENS 4096

enum mode { mode_off, mode_f5, mode_oauth, mode_iam, mode_infoblox };

struct token {
	char tok[48];
	double issued;
	unsigned long uses;
	int dead;               /* revoked or logged out */
};

static struct {
	enum mode mode;
	double ttl, tell;
	int tell_set;
	unsigned long uses, fail, throttle, revoke;
	int deny;
	char answer[16];
	char user[64], secret[64], provider[32];
	char *basic64;                  /* base64(user:secret) */
	pthread_mutex_t lock;
	struct token tokens[MAX_TOKENS];
	unsigned long ntokens, accepted;
	unsigned long logins, logouts, refused, failures, basic, cookie;
	int revoked;
} ms = {
	.user = "admin", .secret = "s3cr\"et&=%+PW", .provider = "tmos",
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One NAME[=VALUE] of the spec; -1 when it is not one. */
static int
spec_pair(const char *p, const char *v)
{
	static const char *const modes[] = { "", "f5", "oauth", "iam",
	    "infoblox" };
	size_t i;

	if (strcmp(p, "deny") == 0) {
		ms.deny = 1;
		return 0;
	}
	if (v == NULL)
		return -1;
	if (strcmp(p, "mode") == 0) {
		for (i = 1; i < sizeof modes / sizeof modes[0]; i++)
			if (strcmp(v, modes[i]) == 0)
				ms.mode = (enum mode)i;
		return ms.mode != mode_off ? 0 : -1;
	}
	if (strcmp(p, "ttl") == 0)
		ms.ttl = atof(v);
	else if (strcmp(p, "tell") == 0) {
		ms.tell = atof(v);
		ms.tell_set = 1;
	} else if (strcmp(p, "uses") == 0)
		ms.uses = strtoul(v, NULL, 10);
	else if (strcmp(p, "fail") == 0)
		ms.fail = strtoul(v, NULL, 10);
	else if (strcmp(p, "throttle") == 0)
		ms.throttle = strtoul(v, NULL, 10);
	else if (strcmp(p, "revoke") == 0)
		ms.revoke = strtoul(v, NULL, 10);
	else if (strcmp(p, "answer") == 0)
		snprintf(ms.answer, sizeof ms.answer, "%s", v);
	else if (strcmp(p, "user") == 0)
		snprintf(ms.user, sizeof ms.user, "%s", v);
	else if (strcmp(p, "secret") == 0)
		snprintf(ms.secret, sizeof ms.secret, "%s", v);
	else if (strcmp(p, "provider") == 0)
		snprintf(ms.provider, sizeof ms.provider, "%s", v);
	else
		return -1;
	return 0;
}

int
mock_session_config(const char *spec)
{
	char *copy = xstrdup(spec), *p, *save = NULL, *v, want[160];
	int rc = 0;

	for (p = strtok_r(copy, ",", &save); p != NULL && rc == 0;
	    p = strtok_r(NULL, ",", &save)) {
		if ((v = strchr(p, '=')) != NULL)
			*v++ = '\0';
		rc = spec_pair(p, v);
	}
	free(copy);
	if (!ms.tell_set)
		ms.tell = ms.ttl;
	snprintf(want, sizeof want, "%s:%s", ms.user, ms.secret);
	free(ms.basic64);
	ms.basic64 = mock_base64(want);
	return rc == 0 && ms.mode != mode_off ? 0 : -1;
}

int
mock_session_on(void)
{
	return ms.mode != mode_off;
}

/* A new token (under the lock), copied into out. */
static void
token_new(char *out, size_t outsz)
{
	struct token *t = &ms.tokens[ms.ntokens % MAX_TOKENS];

	snprintf(t->tok, sizeof t->tok, "tok%04lu%016llx", ms.ntokens,
	    (unsigned long long)mock_mix(ms.ntokens ^ mock_cfg.seed));
	t->issued = now_s();
	t->uses = 0;
	t->dead = 0;
	ms.ntokens++;
	ms.logins++;
	snprintf(out, outsz, "%s", t->tok);
}

/* The token tok, if alive (under the lock). */
static struct token *
token_find(const char *tok)
{
	unsigned long i, n = ms.ntokens < MAX_TOKENS ? ms.ntokens : MAX_TOKENS;

	for (i = 0; i < n; i++)
		if (strcmp(ms.tokens[i].tok, tok) == 0)
			return &ms.tokens[i];
	return NULL;
}

static int
token_alive(const struct token *t, double now)
{
	return t != NULL && !t->dead && (ms.ttl <= 0 || now < t->issued +
	    ms.ttl) && (ms.uses == 0 || t->uses < ms.uses);
}

/* JSON's escaping of s, as yajl_gen writes it, into out. */
static void
json_escaped(const char *s, struct buf *out)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
}

/* Does body (JSON) carry "name":"value"? */
static int
json_has(const char *body, const char *name, const char *value)
{
	struct buf want;
	int ok;

	buf_init(&want, 0);
	buf_addc(&want, '"');
	buf_adds(&want, name);
	buf_adds(&want, "\":\"");
	json_escaped(value, &want);
	buf_addc(&want, '"');
	buf_addc(&want, '\0');
	ok = strstr(body, want.data) != NULL;
	buf_free(&want);
	return ok;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Does the form body carry name=value (percent-decoded)? */
static int
form_has(const char *body, const char *name, const char *value)
{
	char *copy = xstrdup(body), *p, *save = NULL, *v, *d, *s;
	int ok = 0;

	for (p = strtok_r(copy, "&", &save); p != NULL && !ok;
	    p = strtok_r(NULL, "&", &save)) {
		if ((v = strchr(p, '=')) == NULL)
			continue;
		*v++ = '\0';
		for (s = d = v; *s != '\0'; s++, d++) {
			if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				*d = (char)(hexval(s[1]) * 16 + hexval(s[2]));
				s += 2;
			} else
				*d = *s == '+' ? ' ' : *s;
		}
		*d = '\0';
		ok = strcmp(p, name) == 0 && strcmp(v, value) == 0;
	}
	free(copy);
	return ok;
}

/* Are the login's credentials those expected? */
static int
login_ok(const char *url, const char *body)
{
	if (strcmp(url, "/mgmt/shared/authn/login") == 0)
		return json_has(body, "username", ms.user) &&
		    json_has(body, "password", ms.secret) &&
		    json_has(body, "loginProviderName", ms.provider) &&
		    strstr(strstr(body, "loginProviderName") + 1,
		    "loginProviderName") == NULL;
	if (strcmp(url, "/identity/token") == 0)
		return form_has(body, "grant_type",
		    "urn:ibm:params:oauth:grant-type:apikey") &&
		    form_has(body, "apikey", ms.secret);
	return form_has(body, "grant_type", "client_credentials") &&
	    form_has(body, "client_id", ms.user) &&
	    form_has(body, "client_secret", ms.secret);
}

/* The answer of a login that worked, with token tok. */
static void
login_answer(const char *url, const char *tok, struct buf *b)
{
	char n[64];

	if (strcmp(ms.answer, "nonjson") == 0) {
		buf_adds(b, "<html><body>Welcome</body></html>");
		return;
	}
	if (strcmp(ms.answer, "notoken") == 0) {
		buf_adds(b, "{\"username\":\"admin\",\"token\":{}}");
		return;
	}
	snprintf(n, sizeof n, "%.0f", ms.tell);
	if (strcmp(url, "/mgmt/shared/authn/login") == 0) {
		buf_adds(b, "{\"username\":\"admin\",\"loginReference\":{\"link\":"
		    "\"https://localhost/mgmt/cm/system/authn/providers/tmos/1f"
		    "44a60e/login\"},\"loginProviderName\":\"tmos\",\"token\":"
		    "{\"token\":\"");
		buf_adds(b, tok);
		buf_adds(b, "\",\"name\":\"");
		buf_adds(b, tok);
		buf_adds(b, "\",\"userName\":\"admin\",\"timeout\":");
		buf_adds(b, n);
		buf_adds(b, ",\"kind\":\"shared:authz:tokens:authtokenitemstate"
		    "\"},\"generation\":0,\"lastUpdateMicros\":0}");
		return;
	}
	buf_adds(b, "{\"access_token\":\"");
	buf_adds(b, tok);
	buf_adds(b, "\",\"refresh_token\":\"not_supported\",\"token_type\":"
	    "\"Bearer\",\"expires_in\":");
	buf_adds(b, n);
	buf_adds(b, ",\"scope\":\"ibm openid\"}");
}

static enum MHD_Result
serve_login(struct req *r, const char *url)
{
	struct MHD_Response *resp;
	char tok[48];
	struct buf b;
	int ok;

	buf_addc(&r->upload, '\0');
	pthread_mutex_lock(&ms.lock);
	if (ms.throttle > 0) {
		ms.throttle--;
		ms.failures++;
		pthread_mutex_unlock(&ms.lock);
		buf_init(&b, 0);
		buf_adds(&b, "{\"error\":\"too many logins\",\"status\":429}");
		resp = reply_body(r, &b, "application/json", 0);
		MHD_add_response_header(resp, "Retry-After", "1");
		return reply_queue(r, 429, resp);
	}
	if (ms.fail > 0 || ms.deny || !login_ok(url, r->upload.data)) {
		ok = ms.fail > 0 ? 503 : 401;
		if (ms.fail > 0)
			ms.fail--;
		ms.failures++;
		pthread_mutex_unlock(&ms.lock);
		return reply_error(r, (unsigned)ok, ok == 503 ? "try later" :
		    "Authentication failed.");
	}
	token_new(tok, sizeof tok);
	pthread_mutex_unlock(&ms.lock);
	buf_init(&b, 0);
	login_answer(url, tok, &b);
	/* F5's management load balancer pins the session's connections
	 * with a cookie of its own. */
	if (ms.mode == mode_f5)
		snprintf(r->set_cookie, sizeof r->set_cookie,
		    "BIGipServer~Common~mgmt=1677787402.20480.0000; path=/; "
		    "Httponly");
	resp = reply_body(r, &b, "application/json", 0);
	return reply_queue(r, 200, resp);
}

static enum MHD_Result
serve_logout(struct req *r, const char *url)
{
	const char *tok = url + strlen("/mgmt/shared/authz/tokens/");
	const char *h = reply_hdr(r, "X-F5-Auth-Token");
	struct token *t;
	int ok;

	pthread_mutex_lock(&ms.lock);
	t = token_find(tok);
	ok = t != NULL && !t->dead && h != NULL && strcmp(h, tok) == 0;
	if (ok) {
		t->dead = 1;
		ms.logouts++;
	}
	pthread_mutex_unlock(&ms.lock);
	return ok ? reply_error(r, 200, "deleted") :
	    reply_error(r, 404, "no such token");
}

static enum MHD_Result
serve_counter(struct req *r)
{
	struct MHD_Response *resp;
	struct buf b;
	char line[512];
	unsigned long live = 0, i, n;
	double now = now_s();

	pthread_mutex_lock(&ms.lock);
	n = ms.ntokens < MAX_TOKENS ? ms.ntokens : MAX_TOKENS;
	for (i = 0; i < n; i++)
		live += token_alive(&ms.tokens[i], now);
	snprintf(line, sizeof line, "{\"logins\":%lu,\"logouts\":%lu,"
	    "\"refused\":%lu,\"login_failures\":%lu,\"basic\":%lu,"
	    "\"cookie\":%lu,\"live\":%lu}\n", ms.logins, ms.logouts,
	    ms.refused, ms.failures, ms.basic, ms.cookie, live);
	pthread_mutex_unlock(&ms.lock);
	buf_init(&b, 0);
	buf_adds(&b, line);
	resp = reply_body(r, &b, "application/json", 0);
	return reply_queue(r, 200, resp);
}

int
mock_session_route(const char *method, const char *url)
{
	if (strcmp(url, "/session/counter") == 0)
		return strcmp(method, "GET") == 0;
	if (strcmp(method, "POST") == 0)
		return strcmp(url, "/mgmt/shared/authn/login") == 0 ||
		    strcmp(url, "/identity/token") == 0 ||
		    strcmp(url, "/oauth_token.do") == 0;
	return strcmp(method, "DELETE") == 0 &&
	    strncmp(url, "/mgmt/shared/authz/tokens/", 26) == 0;
}

enum MHD_Result
mock_session_serve(struct req *r, const char *method, const char *url)
{
	if (strcmp(url, "/session/counter") == 0)
		return serve_counter(r);
	if (strcmp(method, "DELETE") == 0)
		return serve_logout(r, url);
	return serve_login(r, url);
}

/* 401 as the vendor says it. */
static enum MHD_Result
refuse(struct req *r)
{
	struct MHD_Response *resp;
	struct buf b;

	buf_init(&b, 0);
	if (ms.mode == mode_f5)
		buf_adds(&b, "{\"code\":401,\"message\":\"X-F5-Auth-Token has "
		    "expired.\",\"referer\":\"127.0.0.1\",\"restOperationId\":"
		    "4242,\"kind\":\":resterrorresponse\"}");
	else if (ms.mode == mode_infoblox)
		buf_adds(&b, "{ \"Error\": \"AdmConProtoError: Authentication "
		    "required\", \"code\": \"Client.Ibap.Proto\" }");
	else
		buf_adds(&b, "{\"error\":{\"message\":\"User Not Authenticated\","
		    "\"detail\":\"Required to provide Auth information\"},"
		    "\"status\":\"failure\"}");
	resp = reply_body(r, &b, "application/json", 0);
	if (ms.mode != mode_f5)
		MHD_add_response_header(resp, "WWW-Authenticate",
		    ms.mode == mode_infoblox ? "Basic realm=\"InfoBlox ONE "
		    "Platform\"" : "Bearer realm=\"mock\"");
	return reply_queue(r, 401, resp);
}

/* Infoblox: a live ibapauth cookie, or Basic credentials (answered with
 * a new cookie); under the lock. */
static int
infoblox_ok(struct req *r)
{
	const char *c = reply_hdr(r, "Cookie"), *h, *p;
	char tok[48];
	struct token *t;
	size_t n;

	if (c != NULL && (p = strstr(c, "ibapauth=")) != NULL) {
		p += 9;
		n = strcspn(p, "; ");
		snprintf(tok, sizeof tok, "%.*s", (int)(n < 47 ? n : 47), p);
		if (token_alive(t = token_find(tok), now_s())) {
			t->uses++;
			ms.cookie++;
			return 1;
		}
	}
	h = reply_hdr(r, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0 ||
	    strcmp(h + 6, ms.basic64) != 0)
		return 0;
	ms.basic++;
	token_new(tok, sizeof tok);
	snprintf(r->set_cookie, sizeof r->set_cookie, "ibapauth=%s; "
	    "httponly; Path=/", tok);
	return 1;
}

int
mock_session_gate(struct req *r, enum MHD_Result *ret)
{
	const char *h = NULL, *tok = NULL;
	struct token *t;
	unsigned long i, n;
	int ok;

	pthread_mutex_lock(&ms.lock);
	if (ms.mode == mode_infoblox)
		ok = infoblox_ok(r);
	else {
		if (ms.mode == mode_f5)
			tok = reply_hdr(r, "X-F5-Auth-Token");
		else if ((h = reply_hdr(r, MHD_HTTP_HEADER_AUTHORIZATION)) !=
		    NULL && strncmp(h, "Bearer ", 7) == 0)
			tok = h + 7;
		t = tok != NULL ? token_find(tok) : NULL;
		if ((ok = token_alive(t, now_s())) != 0) {
			t->uses++;
			ms.accepted++;
		}
	}
	if (ok && ms.revoke > 0 && !ms.revoked && ms.accepted >= ms.revoke) {
		/* this request passes; every later one needs a new login */
		n = ms.ntokens < MAX_TOKENS ? ms.ntokens : MAX_TOKENS;
		for (i = 0; i < n; i++)
			ms.tokens[i].dead = 1;
		ms.revoked = 1;
	}
	if (!ok)
		ms.refused++;
	pthread_mutex_unlock(&ms.lock);
	if (ok)
		return 0;
	*ret = refuse(r);
	return 1;
}
