/* test_log.c - redaction of URLs and header lines. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tap.h"

static int
url_is(const char *url, const char *want)
{
	char *got = log_redact_url(url);
	int same = strcmp(got, want) == 0;

	if (!same)
		tap_diag("%s -> %s, expected %s", url, got, want);
	free(got);
	return same;
}

static int
header_is(const char *line, const char *want)
{
	char *got = log_redact_header(line);
	int same = strcmp(got, want) == 0;

	if (!same)
		tap_diag("'%s' -> '%s', expected '%s'", line, got, want);
	free(got);
	return same;
}

/* Is the parameter "name=v" redacted, alone in a query? */
static int
secret(const char *name)
{
	char url[256], want[256];

	snprintf(url, sizeof url, "https://h/p?%s=v", name);
	snprintf(want, sizeof want, "https://h/p?%s=***", name);
	return url_is(url, want);
}

static int
kept(const char *name)
{
	char url[256];

	snprintf(url, sizeof url, "https://h/p?%s=v", name);
	return url_is(url, url);
}

int
main(void)
{
	static const char *const secrets[] = {
		/* the names the issue found printed in clear */
		"api_token", "access_key", "X-Amz-Signature",
		/* whole names */
		"token", "key", "secret", "password", "passwd", "pass", "pwd",
		"sig", "signature", "auth", "apikey", "credential",
		"credentials", "session", "sid", "jwt", "cookie", "bearer",
		/* suffixes, any case and separator */
		"Access_Token", "refresh-token", "client_secret", "clientSecret",
		"API-KEY", "x-api-key", "private_key", "AWSAccessKeyId",
		"X-Amz-Security-Token", "X-Amz-Credential", "oauth",
		"user_password", "db.pass", "JSESSIONID", "PHPSESSID",
		"session_id", "adminPwd", "sharedSig", "basicauth",
		"Proxy-Authorization", "passphrase", "user[password]",
		/* plurals */
		"api_keys", "tokens", "secrets", "sigs",
		/* a secret word inside a name */
		"token_type", "secret_value", "password2", "apikey_v2",
		/* redacted although harmless: a suffix is a suffix */
		"monkey", "bypass", "hotkey",
		NULL
	};
	static const char *const plain[] = {
		"limit", "offset", "page", "keyword", "keyboard", "signal",
		"design", "passenger", "compass_heading", "author", "authority",
		"status", "address", "class", "sort", "keys_only", "id", "q",
		NULL
	};
	size_t i;

	for (i = 0; secrets[i] != NULL; i++)
		ok(secret(secrets[i]), "'%s' is a secret's name", secrets[i]);
	for (i = 0; plain[i] != NULL; i++)
		ok(kept(plain[i]), "'%s' is not", plain[i]);

	/* percent-encoded names */
	ok(url_is("https://h/?api%5ftoken=abc", "https://h/?api%5ftoken=***"),
	    "a percent-encoded '_' in the name");
	ok(url_is("https://h/?%74%6fken=abc", "https://h/?%74%6fken=***"),
	    "a name percent-encoded throughout");
	ok(url_is("https://h/?%4b%45%59=abc", "https://h/?%4b%45%59=***"),
	    "percent-encoded capitals (curl writes escapes in lower case)");
	ok(url_is("https://h/?to%zzken=abc&x=%", "https://h/?to%zzken=abc&x=%"),
	    "a broken escape is taken as it is");

	/* the query's shape */
	ok(url_is("https://h/p?limit=10&token=abc&offset=20",
	    "https://h/p?limit=10&token=***&offset=20"),
	    "only the secret value goes, the order stays");
	ok(url_is("https://h/p?token=a&token=b", "https://h/p?token=***&token=***"),
	    "a repeated parameter");
	ok(url_is("https://h/p?token=&key", "https://h/p?token=&key"),
	    "an empty value or no value: nothing to hide");
	ok(url_is("https://h/p?token==x=y", "https://h/p?token=***"),
	    "the value runs to the '&'");
	ok(url_is("https://h/p?a=1;sig=abc", "https://h/p?a=1;sig=***"),
	    "';' separates parameters too");
	ok(url_is("https://h/p?a=1&&sig=abc&", "https://h/p?a=1&&sig=***&"),
	    "empty parameters are kept");
	ok(url_is("https://h/p", "https://h/p"), "no query");
	ok(url_is("https://h/p?", "https://h/p"), "an empty query");
	ok(url_is("https://h/items?limit=5", "https://h/items?limit=5"),
	    "nothing secret: unchanged");

	/* fragments */
	ok(url_is("https://h/cb?x=1#access_token=abc&state=s",
	    "https://h/cb?x=1#access_token=***&state=s"),
	    "a fragment with parameters is redacted like a query");
	ok(url_is("https://h/p?token=abc#section-2",
	    "https://h/p?token=***#section-2"),
	    "a plain fragment is kept");

	/* userinfo */
	ok(url_is("https://alice:s3cret@h/p", "https://alice:***@h/p"),
	    "user:password@ keeps the user");
	ok(url_is("https://ghp_abcdef@h/p", "https://***@h/p"),
	    "a user alone may be a token: it goes");
	ok(url_is("https://alice:s3cret@h/p?api_key=k",
	    "https://alice:***@h/p?api_key=***"),
	    "userinfo and query together");
	ok(url_is("h:8080/p?token=x", "http://h:8080/p?token=***"),
	    "no scheme: guessed, and redacted all the same");
	ok(url_is("ht tp://bad url", "(unprintable URL)"),
	    "an unparsable URL is not printed");

	/* header lines */
	ok(header_is("Authorization: Bearer abc", "Authorization: ***"),
	    "Authorization");
	ok(header_is("proxy-authorization: Basic YWxp", "proxy-authorization: ***"),
	    "Proxy-Authorization, lower case");
	ok(header_is("Cookie: a=b; c=d", "Cookie: ***"), "Cookie");
	ok(header_is("Set-Cookie: id=1; HttpOnly\r\n", "Set-Cookie: ***\r\n"),
	    "Set-Cookie, its CR LF kept");
	ok(header_is("X-API-Key: k", "X-API-Key: ***"), "X-API-Key");
	ok(header_is("X-Auth-Token:abc", "X-Auth-Token: ***"),
	    "no space after the colon");
	ok(header_is("Private-Token: glpat", "Private-Token: ***"),
	    "Private-Token");
	ok(header_is("X-Amz-Security-Token: t\n", "X-Amz-Security-Token: ***\n"),
	    "a LF alone is kept too");
	ok(header_is("Content-Type: application/json",
	    "Content-Type: application/json"), "an ordinary header is kept");
	ok(header_is("Keywords: a, b", "Keywords: a, b"),
	    "a name that only begins with a word is kept");
	ok(header_is("Authorization:\r\n", "Authorization:\r\n"),
	    "an empty value stays empty");
	ok(header_is(":authority: h", ":authority: h"),
	    "an HTTP/2 pseudo-header");
	ok(header_is("HTTP/1.1 200 OK", "HTTP/1.1 200 OK"),
	    "a status line has no name: kept");
	ok(header_is("", ""), "an empty line");
	return tap_done();
}
