/*
 * test_session.c - login answers read (F5's, IAM's, OAuth's, and the ones
 * that cannot be used), the renewal decision, which refusals name the
 * token, and which targets share a session (no network: a session logs
 * in at its first use only).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "session.h"
#include "tap.h"

static const char f5[] =
    "{\"username\":\"admin\",\"loginProviderName\":\"tmos\",\"token\":"
    "{\"token\":\"OVSXJ2ZJ3MMTS3YMOIMYZO4TFV\",\"name\":\"OVSX\","
    "\"timeout\":1200,\"kind\":\"shared:authz:tokens:authtokenitemstate\"}}";
static const char iam[] =
    "{\"access_token\":\"eyJraWQiOiIyMDI0.eyJpYW1faWQiOiJJQk1p.c2lnbg-_\","
    "\"refresh_token\":\"not_supported\",\"token_type\":\"Bearer\","
    "\"expires_in\":3600,\"expiration\":1733590000,\"scope\":\"ibm openid\"}";

/* Parses body; returns 0 and fills tok/life, or -1 and err. */
static int
parse(const char *body, const char *tp, const char *lp, char *tok,
    double *life, char *err)
{
	struct session_answer a;
	int rc = session_parse(body, strlen(body), tp, lp, &a, err, 256);

	tok[0] = '\0';
	*life = -1;
	if (rc == 0) {
		snprintf(tok, 256, "%s", a.token);
		*life = a.lifetime;
	}
	session_answer_clear(&a);
	return rc;
}

static void
test_answers(void)
{
	char tok[256], err[256];
	double life;

	ok(parse(f5, "token.token", "token.timeout", tok, &life, err) == 0 &&
	    strcmp(tok, "OVSXJ2ZJ3MMTS3YMOIMYZO4TFV") == 0 && life == 1200,
	    "F5: token.token and token.timeout");
	ok(parse(iam, "access_token", "expires_in", tok, &life, err) == 0 &&
	    strncmp(tok, "eyJraWQi", 8) == 0 && life == 3600,
	    "IAM: a JWT access_token and expires_in");
	ok(parse("{\"access_token\":\"abc\",\"expires_in\":\"1799\"}",
	    "access_token", "expires_in", tok, &life, err) == 0 &&
	    life == 1799, "a lifetime written as a string of digits");
	ok(parse("{\"access_token\":\"abc\"}", "access_token", "expires_in",
	    tok, &life, err) == 0 && life == 0, "no lifetime: 0 (not said)");
	ok(parse("{\"t\":\"abc\",\"e\":-5}", "t", "e", tok, &life, err) == 0 &&
	    life == 0, "a negative lifetime is not one");
	ok(parse("<html>Welcome</html>", "token", NULL, tok, &life, err) < 0 &&
	    strstr(err, "not JSON") != NULL, "an HTML answer: not JSON");
	ok(parse("", "token", NULL, tok, &life, err) < 0 &&
	    strstr(err, "not JSON") != NULL, "an empty answer: not JSON");
	ok(parse("{\"token\":{}}", "token.token", NULL, tok, &life, err) < 0 &&
	    strstr(err, "no token at token.token") != NULL,
	    "no token where it should be");
	ok(parse("{\"token\":42}", "token", NULL, tok, &life, err) < 0 &&
	    strstr(err, "not a string") != NULL, "a token that is a number");
	ok(parse("{\"token\":\"\"}", "token", NULL, tok, &life, err) < 0,
	    "an empty token");
	ok(parse("{\"token\":\"a\\r\\nX-Evil: 1\"}", "token", NULL, tok, &life,
	    err) < 0, "a token with CR LF (header injection) is refused");
	ok(parse("{\"token\":\"a b\"}", "token", NULL, tok, &life, err) < 0,
	    "a token with a space is refused");
	ok(parse("{\"token\":\"a;b\"}", "token", NULL, tok, &life, err) < 0,
	    "a token with ';' (a cookie's end) is refused");
	ok(session_parse("{\"t\":\"a\"}\0x", 11, "t", NULL,
	    &(struct session_answer){ 0 }, err, sizeof err) < 0,
	    "a NUL byte in the answer");
}

static void
test_due(void)
{
	ok(!session_due(100, 1200, 100), "a fresh token is not due");
	ok(!session_due(100, 1200, 100 + 959), "at 79.9%% of its life: not due");
	ok(session_due(100, 1200, 100 + 960), "at 80%% of its life: due");
	ok(session_due(100, 1200, 100 + 5000), "long expired: due");
	ok(!session_due(100, 0, 1e9), "no lifetime: never due by time");
	ok(session_due(0, 1, 0.8), "a 1 s token: due at 0.8 s");
}

static void
test_refusals(void)
{
	ok(session_token_refusal(401, "{}"), "401: the token");
	ok(session_token_refusal(401, NULL), "401 without a body: the token");
	ok(session_token_refusal(403, "{\"code\":403,\"message\":\"X-F5-Auth-"
	    "Token has expired.\"}"), "403 about an expired token");
	ok(session_token_refusal(403, "{\"error\":{\"message\":\"User Not "
	    "Authenticated\"}}"), "403: not authenticated");
	ok(!session_token_refusal(403, "{\"message\":\"You have exceeded a "
	    "secondary rate limit. Please wait a few minutes.\"}"),
	    "GitHub's 403 rate limit is not about the token");
	ok(!session_token_refusal(403, "{\"error\":\"Forbidden: no rights on "
	    "cmdb_ci\"}"), "a 403 about rights is not about the token");
	ok(!session_token_refusal(500, "token"), "a 500 is never a refusal");
	ok(!session_token_refusal(403, "{\"detail\":\"Invalid page.\"}"),
	    "a 403 that says invalid of something else is not about the token");
}

static void
test_sharing(void)
{
	struct options o;
	struct target t[4];
	struct sessions *ss;
	char err[256];
	int i;

	memset(&o, 0, sizeof o);
	memset(t, 0, sizeof t);
	setenv("T_USER", "admin", 1);
	setenv("T_PW_A", "secret-a", 1);
	setenv("T_PW_B", "secret-b", 1);
	for (i = 0; i < 4; i++) {
		t[i].session.profile = "f5";
		t[i].session.user_env = "T_USER";
		t[i].session.secret_env = "T_PW_A";
	}
	t[0].url = "https://bigip-1.example.com/mgmt/tm/ltm/pool";
	t[1].url = "https://bigip-1.example.com/mgmt/tm/sys/version";
	t[2].url = "https://bigip-2.example.com/mgmt/tm/ltm/pool";
	t[3].url = "https://bigip-1.example.com:443/mgmt/tm/net/self";
	t[3].session.secret_env = "T_PW_B";
	o.targets = t;
	o.ntargets = 4;
	o.connect_timeout = 5;
	ss = sessions_new(&o, NULL, err, sizeof err);
	ok(ss != NULL, "sessions made without a network (login at first use)");
	if (ss == NULL)
		return;
	ok(sessions_of(ss, 0) == sessions_of(ss, 1),
	    "one origin, one account: one session");
	ok(sessions_of(ss, 2) != sessions_of(ss, 0), "another appliance: its own");
	ok(sessions_of(ss, 3) != sessions_of(ss, 0),
	    "the same origin with other credentials: its own");
	ok(sessions_logins(ss) == 0, "no login before a request");
	sessions_done(ss, 0);
	sessions_free(ss);

	t[0].session.secret_env = "T_NOT_SET_ANYWHERE";
	unsetenv("T_NOT_SET_ANYWHERE");
	ss = sessions_new(&o, NULL, err, sizeof err);
	ok(ss == NULL && strstr(err, "T_NOT_SET_ANYWHERE") != NULL,
	    "an unset variable is named (never its value)");
	t[0].session.secret_env = "T_PW_A";
	t[0].session.profile = "oauth2";
	ss = sessions_new(&o, NULL, err, sizeof err);
	ok(ss == NULL && strstr(err, "--login-url") != NULL,
	    "oauth2 without a token URL: said so");
}

int
main(void)
{
	test_answers();
	test_due();
	test_refusals();
	test_sharing();
	return tap_done();
}
