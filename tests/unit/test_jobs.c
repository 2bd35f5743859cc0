/*
 * test_jobs.c - the jobs file: sections, [defaults], comments, quoting,
 * repeatable keys, hosts and {host}, credentials from the environment and
 * secrets refused, line numbers in errors, CRLF, empty and missing files,
 * and who may write the file.
 *
 * Each case writes jobs.ini (0600 unless said) in a private directory and
 * parses it by that relative name, so messages read "jobs.ini:LINE: ...".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs.h"
#include "tap.h"

static char err[1024];
static struct jobs_file jf;
static char dir[] = "/tmp/test_jobs.XXXXXX";

static void
put(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0 ||
	    chmod(name, mode) != 0) {
		perror(name);
		exit(1);
	}
}

/* Parses text as jobs.ini with mode; 0 or -1 as jobs_parse. */
static int
parse_mode(const char *text, mode_t mode)
{
	jobs_free(&jf);
	err[0] = '\0';
	put("jobs.ini", text, mode);
	return jobs_parse("jobs.ini", &jf, err, sizeof err);
}

static int
parse(const char *text)
{
	return parse_mode(text, 0600);
}

/* The parse failed with exactly want. */
static int
fails(const char *text, const char *want)
{
	if (parse(text) == 0) {
		tap_diag("parsed, expected: %s", want);
		return 0;
	}
	if (strcmp(err, want) == 0)
		return 1;
	tap_diag("got:      %s", err);
	tap_diag("expected: %s", want);
	return 0;
}

/* The parse failed with a message that holds want. */
static int
fails_with(const char *text, const char *want)
{
	if (parse(text) == 0) {
		tap_diag("parsed, expected an error with: %s", want);
		return 0;
	}
	if (strstr(err, want) != NULL)
		return 1;
	tap_diag("got: %s", err);
	tap_diag("expected it to hold: %s", want);
	return 0;
}

static int
parses(const char *text)
{
	if (parse(text) == 0)
		return 1;
	tap_diag("error: %s", err);
	return 0;
}

static const struct jobs_target *
target(size_t i)
{
	return i < jf.ntargets ? &jf.targets[i] : NULL;
}

/* Pair i of target t is key = value (value NULL: a flag) at line. */
static int
pair(const struct jobs_target *t, size_t i, const char *key,
    const char *value, int line)
{
	const struct jobs_pair *p;

	if (t == NULL || i >= t->npairs) {
		tap_diag("no pair %zu", i);
		return 0;
	}
	p = &t->pairs[i];
	if (strcmp(p->key, key) == 0 && p->line == line &&
	    (value == NULL ? p->value == NULL :
	    p->value != NULL && strcmp(p->value, value) == 0))
		return 1;
	tap_diag("pair %zu: %s = %s at line %d; expected %s = %s at %d", i,
	    p->key, p->value ? p->value : "(flag)", p->line, key,
	    value ? value : "(flag)", line);
	return 0;
}

static int
named(size_t i, const char *name, size_t npairs)
{
	const struct jobs_target *t = target(i);

	if (t != NULL && strcmp(t->name, name) == 0 && t->npairs == npairs)
		return 1;
	tap_diag("target %zu: %s with %zu pairs; expected %s with %zu", i,
	    t ? t->name : "(none)", t ? t->npairs : 0, name, npairs);
	return 0;
}

static void
test_sections(void)
{
	const struct jobs_target *t;
	size_t n;

	ok(parses("[a]\n"
	    "url = https://a.example.com/items\n"
	    "output = a.ndjson.gz\n"
	    "\n"
	    "[b]\n"
	    "url = https://b.example.com/items\n"
	    "profile = drf\n"
	    "limit = 500\n") &&
	    jf.ntargets == 2 && named(0, "a", 2) && named(1, "b", 3) &&
	    pair(target(0), 0, "url", "https://a.example.com/items", 2) &&
	    pair(target(0), 1, "output", "a.ndjson.gz", 3) &&
	    pair(target(1), 2, "limit", "500", 8) &&
	    target(0)->line == 1 && target(1)->line == 5 &&
	    target(0)->host == NULL,
	    "sections: one target each, pairs in order with their lines");
	for (n = 0, t = jobs_next(&jf, NULL); t != NULL; t = jobs_next(&jf, t))
		n++;
	ok(n == 2 && jobs_get(target(1), "profile") != NULL &&
	    strcmp(jobs_get(target(1), "profile"), "drf") == 0 &&
	    jobs_get(target(0), "profile") == NULL &&
	    jobs_has(target(0), "output") && !jobs_has(target(1), "output"),
	    "jobs_next walks the targets; jobs_get and jobs_has read them");
	ok(parses("  [ spaced ]   # a comment\n  url = https://x/\n") &&
	    named(0, "spaced", 1), "blanks around names and keys");
	ok(fails("[a]\nurl = https://x/\n[a]\nurl = https://y/\n",
	    "jobs.ini:3: section [a] again (first at line 1)"),
	    "a section name given twice");
	ok(fails("[a b]\n", "jobs.ini:1: section [a b]: a name is letters, "
	    "digits, '-', '_' and '.'"), "a section name with a blank");
	ok(fails("[a@b]\n", "jobs.ini:1: section [a@b]: a name is letters, "
	    "digits, '-', '_' and '.'"), "'@' is kept for NAME@host");
	ok(fails("[a\n", "jobs.ini:1: no ']' closing the section name") &&
	    fails("[]\n", "jobs.ini:1: an empty section name") &&
	    fails("[a] x\n", "jobs.ini:1: text after the section name"),
	    "broken section lines");
	ok(fails("url = https://x/\n[a]\n", "jobs.ini:1: 'url' before any "
	    "[section] (start with [defaults] or [name])"),
	    "a key before any section");
	ok(fails("[a]\nprofile = drf\n\n[b]\nurl = https://x/\n",
	    "jobs.ini:1: section [a] has no url"), "a section without a url");
	ok(fails("[a]\nurl =\n", "jobs.ini:2: url needs a value") &&
	    fails("[a]\nurl\n", "jobs.ini:2: url needs a value (url = ...)"),
	    "an empty url");
	ok(fails("[a]\nurl = https://x/\n\n\nthis is not a line\n",
	    "jobs.ini:5: expected 'key = value', '[section]' or a comment"),
	    "a line that is nothing");
}

static void
test_defaults(void)
{
	ok(parses("[defaults]\n"
	    "profile = f5\n"
	    "limit = 500\n"
	    "header = Accept: application/json\n"
	    "# no cacert here\n"
	    "[a]\n"
	    "url = https://a/\n"
	    "[b]\n"
	    "limit = 50\n"
	    "header = X-Trace: 1\n"
	    "url = https://b/\n"
	    "output = b.gz\n") &&
	    named(0, "a", 4) &&
	    pair(target(0), 0, "profile", "f5", 2) &&
	    pair(target(0), 1, "limit", "500", 3) &&
	    pair(target(0), 2, "header", "Accept: application/json", 4) &&
	    pair(target(0), 3, "url", "https://a/", 7) &&
	    named(1, "b", 6) &&
	    pair(target(1), 0, "profile", "f5", 2) &&
	    pair(target(1), 1, "header", "Accept: application/json", 4) &&
	    pair(target(1), 2, "limit", "50", 9) &&
	    pair(target(1), 3, "header", "X-Trace: 1", 10),
	    "[defaults]: given to every target; a section's key replaces "
	    "the default, headers add to the defaults'");
	ok(jobs_get(target(0), "cacert") == NULL &&
	    parses("[defaults]\ncacert = /etc/ca.pem\n"
	    "[fleet]\nurl = https://f/\noutput = f\n"
	    "[saas]\nurl = https://s/\noutput = s\ncacert = \"\"\n"
	    "[other]\nurl = https://o/\ncapath = /etc/o-cas\n") &&
	    named(0, "fleet", 3) && pair(target(0), 0, "cacert", "/etc/ca.pem",
	    2) && named(1, "saas", 2) && !jobs_has(target(1), "cacert") &&
	    named(2, "other", 3) && pair(target(2), 2, "capath", "/etc/o-cas",
	    12), "cacert and capath per target; cacert = \"\" undoes "
	    "[defaults]'");
	ok(parses("[a]\nurl = https://a/\n[defaults]\nprofile = drf\n") &&
	    pair(target(0), 0, "profile", "drf", 4),
	    "[defaults] applies wherever it is in the file");
	ok(fails("[defaults]\nhosts = a, b\n[a]\nurl = https://{host}/\n",
	    "jobs.ini:2: hosts belongs in a target's section, not in "
	    "[defaults]"), "hosts in [defaults]");
	ok(fails("[defaults]\nprofile = f5\n", "jobs.ini: no targets (a "
	    "[name] section with a url)"), "[defaults] alone: no targets");
	ok(parses("[defaults]\nurl = https://one/\n[a]\noutput = a\n"
	    "[b]\noutput = b\n") && named(0, "a", 2) && named(1, "b", 2),
	    "a url in [defaults] serves every section");
}

static void
test_comments_and_quotes(void)
{
	ok(parses("# a comment\n"
	    "; another\n"
	    "   # indented\n"
	    "[a]   ; after a section\n"
	    "url = https://x/a#frag   # the # after a blank starts a comment\n"
	    "header = Accept: application/json; charset=utf-8\n") &&
	    pair(target(0), 0, "url", "https://x/a#frag", 5) &&
	    pair(target(0), 1, "header",
	    "Accept: application/json; charset=utf-8", 6),
	    "comments: # and ; lines, # after a blank; ; and # inside a "
	    "value are kept");
	ok(parses("[a]\nurl = https://x/\n"
	    "output = \"/data/my exports/a #1.gz\"   # quoted\n"
	    "key = \"say \\\"hi\\\" \\\\o/\"\n"
	    "sort-param = \"\"\n"
	    "items-path = \"\"\n") &&
	    pair(target(0), 1, "output", "/data/my exports/a #1.gz", 3) &&
	    pair(target(0), 2, "key", "say \"hi\" \\o/", 4) &&
	    pair(target(0), 3, "sort-param", "", 5) &&
	    pair(target(0), 4, "items-path", "", 6),
	    "double quotes keep blanks and #; \\\" and \\\\; \"\" is empty");
	ok(fails("[a]\nurl = \"https://x/\n", "jobs.ini:2: no closing quote") &&
	    fails("[a]\nurl = \"https://x/\" y\n",
	    "jobs.ini:2: text after the closing quote") &&
	    fails("[a]\noutput = \"c:\\data\"\n", "jobs.ini:2: unknown escape "
	    "in a quoted value (only \\\" and \\\\)"),
	    "broken quotes");
	ok(fails("[a]\nurl = https://x/\noutput = \"\"\n",
	    "jobs.ini:3: output needs a value"), "only some keys may be empty");
	ok(parses("[a]\nurl =    spaced value   \n") &&
	    pair(target(0), 0, "url", "spaced value", 2),
	    "unquoted values are trimmed");
}

static void
test_keys(void)
{
	ok(fails("[a]\nurl = https://x/\n\nurll = https://y/\n",
	    "jobs.ini:4: unknown key 'urll' (did you mean 'url'?)"),
	    "an unknown key, its line, a suggestion");
	ok(fails("[a]\nURL = https://x/\n",
	    "jobs.ini:2: unknown key 'URL' (did you mean 'url'?)"),
	    "keys are lower case, as the options");
	ok(fails("[a]\nworkers = 4\n", "jobs.ini:2: unknown key 'workers'"),
	    "a run option that is no jobs key");
	ok(parses("[a]\nurl = https://x/\n"
	    "header = A: 1\nallow-origin = https://b/\nheader = B: 2\n"
	    "allow-origin = https://c/\n") &&
	    pair(target(0), 1, "header", "A: 1", 3) &&
	    pair(target(0), 2, "allow-origin", "https://b/", 4) &&
	    pair(target(0), 3, "header", "B: 2", 5) &&
	    pair(target(0), 4, "allow-origin", "https://c/", 6),
	    "header and allow-origin repeat, in order");
	ok(fails("[a]\nurl = https://x/\nlimit = 1\n\nlimit = 2\n",
	    "jobs.ini:5: limit again in [a] (first at line 3)"),
	    "other keys are given once per section");
	ok(parses("[defaults]\nkeep-mismatch\n"
	    "[a]\nurl = https://x/\nno-total = yes\nkeep-mismatch = false\n"
	    "[b]\nurl = https://y/\noutput = b\nno-total = off\n") &&
	    named(0, "a", 2) && pair(target(0), 1, "no-total", NULL, 5) &&
	    named(1, "b", 3) && pair(target(1), 0, "keep-mismatch", NULL, 2),
	    "flags: bare or true, false gives no pair and overrides "
	    "[defaults]");
	ok(fails("[a]\nurl = https://x/\nno-total = maybe\n",
	    "jobs.ini:3: no-total is a flag: true or false, not 'maybe'"),
	    "a flag's value is true or false");
	ok(parses("[a]\nurl = https://x/\noutput = o\nprofile = f5\n"
	    "limit = 9\noffset-param = o\nlimit-param = l\nitems-path = i\n"
	    "total-path = t\ntotal-header = T\nnext-path = n\n"
	    "cursor-param = c\nsort-param = s=1\nno-total\nkey = id\n"
	    "header = H: v\nheader-file = h\nuser-file = u\n"
	    "allow-origin = https://o/\nkeep-mismatch\ncompress = none\n") &&
	    named(0, "a", 20), "every per-target option is a key");
	ok(parses("[a]\nurl = https://x/\nnetrc-file = n\n") &&
	    pair(target(0), 1, "netrc-file", "n", 3) &&
	    parses("[a]\nurl = https://x/\nnetrc\n") &&
	    pair(target(0), 1, "netrc", NULL, 3),
	    "netrc and netrc-file");
}

static void
test_hosts(void)
{
	ok(parses("[defaults]\noutput = /data/{host}-pools.ndjson.gz\n"
	    "[pools]\nhosts = a.example.com, b.example.com  c.example.com:8443\n"
	    "url = https://{host}/mgmt/tm/ltm/pool\n") &&
	    jf.ntargets == 3 && named(0, "pools@a.example.com", 2) &&
	    named(2, "pools@c.example.com:8443", 2) &&
	    strcmp(target(1)->host, "b.example.com") == 0 &&
	    target(1)->line == 3 &&
	    pair(target(0), 0, "output", "/data/a.example.com-pools.ndjson.gz",
	    2) &&
	    pair(target(1), 1, "url", "https://b.example.com/mgmt/tm/ltm/pool",
	    5) &&
	    pair(target(2), 1, "url",
	    "https://c.example.com:8443/mgmt/tm/ltm/pool", 5),
	    "hosts: NAME@host targets, {host} in url and output (also from "
	    "[defaults])");
	put("hosts.txt", "# the fleet\nbigip1.example.com\n\n  bigip2.example.com "
	    " # eu\r\n[2001:db8::1]\n", 0600);
	ok(parses("[pools]\nhosts-file = hosts.txt\n"
	    "url = https://{host}/mgmt/tm/ltm/pool\n"
	    "output = {host}.gz\nheader-file = /etc/invdump/{host}.headers\n") &&
	    jf.ntargets == 3 && named(1, "pools@bigip2.example.com", 3) &&
	    pair(target(1), 2, "header-file",
	    "/etc/invdump/bigip2.example.com.headers", 5) &&
	    named(2, "pools@[2001:db8::1]", 3),
	    "hosts-file: one per line, comments and blanks skipped; {host} "
	    "in any value");
	ok(fails("[p]\nhosts = a\nhosts-file = hosts.txt\nurl = https://{host}/\n",
	    "jobs.ini:3: hosts and hosts-file in [p]: one or the other"),
	    "hosts and hosts-file together");
	ok(fails("[p]\nhosts = a, b\nurl = https://x/\noutput = {host}\n",
	    "jobs.ini:3: [p] has hosts, but its url has no {host}: every host "
	    "would be asked the same URL"), "hosts without {host} in the url");
	ok(fails("[p]\nhosts = a, b\nurl = https://{host}/\noutput = o.gz\n",
	    "jobs.ini:1: [p@b] and [p@a] (line 1) both write to o.gz (put "
	    "{host} in output)"), "hosts without {host} in the output");
	ok(fails("[defaults]\noutput = /d/{host}.gz\n[p]\nurl = https://x/\n",
	    "jobs.ini:2: {host} in output, but [p] (from [defaults]) has no "
	    "hosts (or hosts-file)") &&
	    fails("[p]\nurl = https://{host}/\n", "jobs.ini:2: {host} in url, "
	    "but [p] has no hosts (or hosts-file)"),
	    "{host} without hosts");
	ok(fails("[p]\nhosts = a\nurl = https://{hots}/\n", "jobs.ini:3: url: "
	    "unknown placeholder '{hots}' (there is only {host})"),
	    "a misspelt placeholder");
	ok(parses("[p]\nurl = https://x/\nheader = X-Filter: {\"a\":1}\n") &&
	    pair(target(0), 1, "header", "X-Filter: {\"a\":1}", 3),
	    "braces that are no placeholder stay");
	ok(fails("[p]\nhosts = a, b, a\nurl = https://{host}/\n",
	    "jobs.ini:2: host a is listed twice"), "a host listed twice");
	ok(fails("[p]\nhosts = ../etc\nurl = https://{host}/\n",
	    "jobs.ini:2: '../etc' is not a host name (letters, digits, '.', "
	    "'-', '_', a :port, [IPv6])") &&
	    fails("[p]\nhosts = a/b\nurl = https://{host}/\n",
	    "jobs.ini:2: 'a/b' is not a host name (letters, digits, '.', '-', "
	    "'_', a :port, [IPv6])") &&
	    fails("[p]\nhosts = 2001:db8::1\nurl = https://{host}/\n",
	    "jobs.ini:2: '2001:db8::1' is not a host name (letters, digits, "
	    "'.', '-', '_', a :port, [IPv6])"),
	    "host names that could leave the output's directory or break "
	    "the URL");
	put("bad-hosts.txt", "good.example.com\nbad host\n", 0600);
	ok(fails("[p]\nhosts-file = bad-hosts.txt\nurl = https://{host}/\n",
	    "bad-hosts.txt:2: 'bad host' is not a host name (letters, digits, "
	    "'.', '-', '_', a :port, [IPv6])"),
	    "a hosts-file's errors name its own line");
	put("empty-hosts.txt", "# nobody yet\n\n", 0600);
	ok(fails("[p]\nhosts-file = empty-hosts.txt\nurl = https://{host}/\n",
	    "jobs.ini:2: [p] lists no hosts") &&
	    fails("[p]\nhosts = ,\nurl = https://{host}/\n",
	    "jobs.ini:2: [p] lists no hosts"), "no hosts at all");
	ok(fails("[p]\nhosts-file = missing.txt\nurl = https://{host}/\n",
	    "jobs.ini:2: missing.txt: No such file or directory"),
	    "a missing hosts-file");
	put("open-hosts.txt", "a\n", 0620);
	ok(fails("[p]\nhosts-file = open-hosts.txt\nurl = https://{host}/\n",
	    "jobs.ini:2: open-hosts.txt: writable by group or others (chmod "
	    "go-w open-hosts.txt): refused, since it says where credentials "
	    "are sent"), "a hosts-file others may write is refused");
}

static void
test_credentials(void)
{
	setenv("T_USER", "admin", 1);
	setenv("T_PASS", "s3cret", 1);
	setenv("T_USERPASS", "ops:pw:with:colons", 1);
	setenv("T_TOKEN", "tok", 1);
	setenv("T_EMPTY", "", 1);
	unsetenv("T_UNSET");

	ok(parses("[defaults]\nuser-env = T_USER\npassword-env = T_PASS\n"
	    "[a]\nurl = https://a/\n") && named(0, "a", 2) &&
	    pair(target(0), 0, "user", "admin:s3cret", 2) &&
	    target(0)->pairs[0].secret && !target(0)->pairs[1].secret,
	    "user-env and password-env: a user pair, marked secret");
	ok(parses("[a]\nurl = https://a/\nuser-env = T_USERPASS\n") &&
	    pair(target(0), 1, "user", "ops:pw:with:colons", 3),
	    "user-env holding USER:SECRET");
	ok(parses("[a]\nurl = https://a/\nuser = admin\npassword-env = T_PASS\n") &&
	    named(0, "a", 2) && pair(target(0), 1, "user", "admin:s3cret", 3),
	    "user = NAME with password-env");
	ok(parses("[a]\nurl = https://a/\ntoken-env = T_TOKEN\n") &&
	    pair(target(0), 1, "header", "Authorization: Bearer tok", 3) &&
	    target(0)->pairs[1].secret, "token-env: a bearer header, secret");
	ok(parses("[defaults]\nuser-env = T_USERPASS\n"
	    "[a]\nurl = https://a/\nuser-file = /etc/a.cred\n"
	    "[b]\nurl = https://b/\noutput = b\n") &&
	    named(0, "a", 2) && pair(target(0), 1, "user-file", "/etc/a.cred",
	    5) && named(1, "b", 3) && pair(target(1), 0, "user",
	    "ops:pw:with:colons", 2),
	    "a section's credentials replace all of [defaults]'");
	ok(fails("[a]\nurl = https://a/\nuser-env = T_UNSET\n",
	    "jobs.ini:3: user-env: $T_UNSET is not set") &&
	    fails("[a]\nurl = https://a/\ntoken-env = T_EMPTY\n",
	    "jobs.ini:3: token-env: $T_EMPTY is empty"),
	    "a variable not set, or empty");
	ok(fails("[a]\nurl = https://a/\nuser-env = T_USER\n",
	    "jobs.ini:3: user-env: $T_USER holds no ':': set it to "
	    "USER:SECRET, or name the secret's variable with password-env"),
	    "user-env without a secret");
	ok(fails("[a]\nurl = https://a/\nuser-env = T_USERPASS\n"
	    "password-env = T_PASS\n", "jobs.ini:3: user-env: $T_USERPASS "
	    "holds USER:SECRET already, and password-env is given too"),
	    "two secrets for one user");
	ok(fails("[a]\nurl = https://a/\npassword-env = T_PASS\n",
	    "jobs.ini:3: password-env needs user-env or user beside it in [a]"),
	    "password-env alone");
	ok(fails("[a]\nurl = https://a/\nuser-env = T_USERPASS\n"
	    "netrc\n", "jobs.ini:4: user-env and netrc in [a]: one source of "
	    "credentials per target") &&
	    fails("[a]\nurl = https://a/\nuser-file = f\ntoken-env = T_TOKEN\n",
	    "jobs.ini:4: user-file and token-env in [a]: one source of "
	    "credentials per target") &&
	    fails("[a]\nurl = https://a/\nuser = x\nuser-env = T_USER\n",
	    "jobs.ini:3: user and user-env in [a]: one or the other"),
	    "one source of credentials");
	ok(fails("[a]\nurl = https://a/\nuser = admin\n",
	    "jobs.ini:3: user = admin needs password-env: never put secrets "
	    "in the jobs file; use user-env, user-file or netrc"),
	    "user = NAME alone");
}

static void
test_secrets(void)
{
	static const char advice[] = "never put secrets in the jobs file; "
	    "use user-env, user-file or netrc";
	char want[300];

	snprintf(want, sizeof want, "jobs.ini:3: user holds a secret after its "
	    "':': %s", advice);
	ok(fails("[a]\nurl = https://a/\nuser = admin:hunter2\n", want) &&
	    strstr(err, "hunter2") == NULL,
	    "user = name:secret is refused, the secret not repeated");
	snprintf(want, sizeof want, "jobs.ini:3: password: %s, or token-env",
	    advice);
	ok(fails("[a]\nurl = https://a/\npassword = hunter2\n", want),
	    "a password key is refused");
	ok(fails_with("[a]\nurl = https://a/\ntoken = abc\n", advice) &&
	    fails_with("[a]\nurl = https://a/\nAPI_KEY = abc\n", advice),
	    "token and api key keys are refused");
	ok(fails_with("[a]\nurl = https://admin:hunter2@a.example.com/\n",
	    "jobs.ini:2: the url of [a] holds credentials (user@ or "
	    "user:password@)") && strstr(err, "hunter2") == NULL &&
	    fails_with("[a]\nurl = https://TOKEN@a.example.com/\n",
	    "holds credentials"), "credentials in the url are refused");
	ok(fails("[a]\nurl = https://a/\nheader = Authorization: Bearer abc\n",
	    "jobs.ini:3: header 'Authorization' carries a secret: never put "
	    "secrets in the jobs file; use header-file or token-env") &&
	    fails_with("[a]\nurl = https://a/\nheader = X-F5-Auth-Token: abc\n",
	    "header 'X-F5-Auth-Token' carries a secret"),
	    "a header that carries a secret is refused");
	ok(fails_with("[a]\nurl = https://a/\nuser-env = admin:hunter2\n",
	    "jobs.ini:3: user-env: not the name of an environment variable "
	    "(never put secrets") && strstr(err, "hunter2") == NULL,
	    "a secret where a variable's name belongs is refused, unrepeated");
	unsetenv("ghp_Secret123");
	ok(fails("[a]\nurl = https://a/\ntoken-env = ghp_Secret123\n",
	    "jobs.ini:3: token-env: the variable it names (not shown: not in "
	    "upper case) is not set"),
	    "a name that could be the secret itself is not repeated");
	ok(parses("[a]\nurl = https://a/items?api_key=abc&x=1\n") &&
	    jf.nwarnings == 1 && strstr(jf.warnings[0], "jobs.ini:2: the url "
	    "of [a] has a query parameter named like a credential") != NULL &&
	    strstr(jf.warnings[0], "abc") == NULL,
	    "a query parameter named like a credential: a warning, redacted");
}

static void
test_files(void)
{
	static const char lf[] = "# fleet\n[defaults]\nprofile = f5\n"
	    "[a]\nurl = https://a/\noutput = \"a b.gz\"\n";
	static const char crlf[] = "# fleet\r\n[defaults]\r\nprofile = f5\r\n"
	    "[a]\r\nurl = https://a/\r\noutput = \"a b.gz\"\r\n";

	ok(parses(crlf) && named(0, "a", 3) &&
	    pair(target(0), 1, "url", "https://a/", 5) &&
	    pair(target(0), 2, "output", "a b.gz", 6),
	    "CRLF line ends");
	ok(fails("[a]\r\nurl = https://a/\r\nurll = x\r\n",
	    "jobs.ini:3: unknown key 'urll' (did you mean 'url'?)"),
	    "CRLF: line numbers count the same");
	ok(parses("\xef\xbb\xbf[a]\nurl = https://a/\n") && named(0, "a", 1),
	    "a UTF-8 byte order mark");
	ok(parses("[a]\nurl = https://a/") && named(0, "a", 1),
	    "no newline at the end");
	ok(fails("[a]\nurl = https://a/\nout\rput = x\n", "jobs.ini:3: a NUL "
	    "or CR byte inside a line: not a text file?"), "a CR in a line");
	ok(fails("", "jobs.ini: no targets (a [name] section with a url)") &&
	    fails("# nothing\n\n; at all\n",
	    "jobs.ini: no targets (a [name] section with a url)"),
	    "an empty file, a file of comments");
	jobs_free(&jf);
	ok(jobs_parse("missing.ini", &jf, err, sizeof err) < 0 &&
	    strcmp(err, "missing.ini: No such file or directory") == 0 &&
	    jf.ntargets == 0 && jobs_next(&jf, NULL) == NULL,
	    "a missing file");
	ok(jobs_parse(".", &jf, err, sizeof err) < 0 &&
	    strcmp(err, ".: not a regular file") == 0, "a directory");
	jobs_free(&jf);
	/* From memory: len bytes, no NUL after them; the name in messages;
	 * the mode decides only the warning about files of secrets. */
	ok(jobs_parse_text("mem.ini", "[a]\nurl = https://a/\noutput = a.gz\n"
	    "[b]", 35, 0600, &jf, err, sizeof err) == 0 &&
	    strcmp(jf.path, "mem.ini") == 0 && named(0, "a", 2) &&
	    pair(target(0), 1, "output", "a.gz", 3),
	    "jobs_parse_text: the bytes given, not up to a NUL");
	jobs_free(&jf);
	ok(jobs_parse_text("mem.ini", "[a]\nurl = https://a/\nurll = x\n", 30,
	    0600, &jf, err, sizeof err) < 0 && strcmp(err, "mem.ini:3: "
	    "unknown key 'urll' (did you mean 'url'?)") == 0 &&
	    jf.ntargets == 0 && jf.path == NULL,
	    "jobs_parse_text: an error names the text's name");
	jobs_free(&jf);
	ok(jobs_parse_text("mem.ini", "[a]\nurl = https://a/\nuser-file = u\n",
	    35, 0644, &jf, err, sizeof err) == 0 && jf.nwarnings == 1 &&
	    strncmp(jf.warnings[0], "mem.ini is readable by others", 29) == 0,
	    "jobs_parse_text: the mode given decides the warning");
	ok(parse_mode(lf, 0620) < 0 && strcmp(err, "jobs.ini: writable by "
	    "group or others (chmod go-w jobs.ini): refused, since it says "
	    "where credentials are sent") == 0 &&
	    parse_mode(lf, 0602) < 0, "a jobs file others may write is refused");
	ok(parse_mode(lf, 0644) == 0 && jf.nwarnings == 0,
	    "readable by others, naming no secret files: no warning");
	ok(parse_mode("[a]\nurl = https://a/\n\nuser-file = /etc/a.cred\n",
	    0644) == 0 && jf.nwarnings == 1 &&
	    strcmp(jf.warnings[0], "jobs.ini is readable by others and names "
	    "files that hold secrets (user-file at line 4); chmod go-r "
	    "jobs.ini") == 0,
	    "readable by others, naming a user-file: a warning");
	ok(parse_mode("[defaults]\nheader-file = h\n[a]\nurl = https://a/\n",
	    0640) == 0 && jf.nwarnings == 1 &&
	    strstr(jf.warnings[0], "(header-file at line 2)") != NULL &&
	    parse_mode("[a]\nurl = https://a/\nnetrc-file = n\n", 0600) == 0 &&
	    jf.nwarnings == 0,
	    "header-file and netrc-file too; not when only the user reads it");
	if (geteuid() == 0) {
		put("theirs.ini", lf, 0600);
		jobs_free(&jf);
		ok(chown("theirs.ini", 12345, 12345) == 0 &&
		    jobs_parse("theirs.ini", &jf, err, sizeof err) < 0 &&
		    strcmp(err, "theirs.ini: owned by uid 12345, not by you or "
		    "root: refused, since it says where credentials are sent")
		    == 0, "a jobs file someone else owns is refused");
	} else
		ok(1, "# SKIP a file of another owner needs root to make");
}

static void
test_outputs(void)
{
	ok(fails("[a]\nurl = https://a/\noutput = x.gz\n"
	    "[b]\nurl = https://b/\noutput = x.gz\n",
	    "jobs.ini:4: [b] and [a] (line 1) both write to x.gz"),
	    "two targets, one output");
	ok(fails("[a]\nurl = https://a/\n[b]\nurl = https://b/\n",
	    "jobs.ini:3: [b] and [a] (line 1) both write to standard output "
	    "(give each an output)"), "two targets on standard output");
	ok(parses("[a]\nurl = https://a/\n") && jobs_get(target(0), "output") ==
	    NULL, "one target may write to standard output");
}

/* Removes the private directory and the files the cases wrote in it. */
static void
cleanup(void)
{
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(".")) != NULL) {
		while ((d = readdir(dp)) != NULL)
			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0)
				unlink(d->d_name);
		closedir(dp);
	}
	if (chdir("/") != 0 || rmdir(dir) != 0)
		tap_diag("could not remove %s", dir);
}

/* The example of invdump(1), JOBS FILE (its hosts-file here beside it). */
static void
test_man_example(void)
{
	setenv("F5_USER", "admin", 1);
	setenv("F5_PASSWORD", "pw", 1);
	put("bigips", "bigip1.example.com\nbigip2.example.com\n"
	    "bigip3.example.com\n", 0600);
	ok(parses("# the BIG-IPs and the CMDB, every night\n"
	    "[defaults]\n"
	    "profile = f5\n"
	    "user-env = F5_USER\n"
	    "password-env = F5_PASSWORD\n"
	    "cacert = /etc/invdump/bigip-ca.pem\n"
	    "limit = 500\n"
	    "\n"
	    "[pools]\n"
	    "hosts = bigip1.example.com, bigip2.example.com\n"
	    "url = https://{host}/mgmt/tm/ltm/pool?expandSubcollections=true\n"
	    "output = /data/{host}-pools.ndjson.gz\n"
	    "\n"
	    "[virtuals]\n"
	    "hosts-file = bigips\n"
	    "url = https://{host}/mgmt/tm/ltm/virtual\n"
	    "output = /data/{host}-virtuals.ndjson.gz\n"
	    "\n"
	    "[cmdb]\n"
	    "profile = servicenow\n"
	    "url = https://example.service-now.com/api/now/table/cmdb_ci\n"
	    "user-file = /etc/invdump/snow   # instead of the F5 credentials\n"
	    "cacert = \"\"                     # the system's CAs, not the "
	    "BIG-IPs'\n"
	    "limit = 1000\n"
	    "output = /data/cmdb_ci.ndjson.gz\n") &&
	    jf.ntargets == 6 && jf.nwarnings == 0 &&
	    named(0, "pools@bigip1.example.com", 6) &&
	    pair(target(0), 1, "user", "admin:pw", 4) &&
	    pair(target(0), 2, "cacert", "/etc/invdump/bigip-ca.pem", 6) &&
	    named(4, "virtuals@bigip3.example.com", 6) &&
	    pair(target(4), 4, "url",
	    "https://bigip3.example.com/mgmt/tm/ltm/virtual", 16) &&
	    named(5, "cmdb", 5) && !jobs_has(target(5), "cacert") &&
	    !jobs_has(target(5), "user") &&
	    pair(target(5), 0, "profile", "servicenow", 20) &&
	    pair(target(5), 2, "user-file", "/etc/invdump/snow", 22),
	    "the example of invdump(1)");
}

/*
 * n sections after (where 0), between (1) or before (2) a [defaults] that
 * sets the url and the limit: every target gets both, whatever the file's
 * size (the sections array moves as it grows).
 */
static int
many_sections(int n, int where)
{
	size_t cap = (size_t)n * 48 + 128, len = 0;
	char *text = malloc(cap);
	const char *defs = "[defaults]\nurl = https://d/\nlimit = 7\n";
	int i, good = 1;

	if (text == NULL)
		exit(1);
	text[0] = '\0';
	if (where == 0)
		len += (size_t)snprintf(text + len, cap - len, "%s", defs);
	for (i = 0; i < n; i++) {
		if (where == 1 && i == n / 2)
			len += (size_t)snprintf(text + len, cap - len, "%s",
			    defs);
		len += (size_t)snprintf(text + len, cap - len,
		    "[t%d]\noutput = o%d\n", i, i);
	}
	if (where == 2)
		len += (size_t)snprintf(text + len, cap - len, "%s", defs);
	if (parse(text) != 0) {
		tap_diag("%d sections, [defaults] at %d: %s", n, where, err);
		good = 0;
	}
	for (i = 0; good && i < n; i++) {
		const char *u = jobs_get(target(i), "url");
		const char *l = jobs_get(target(i), "limit");

		if (u == NULL || strcmp(u, "https://d/") != 0 || l == NULL ||
		    strcmp(l, "7") != 0) {
			tap_diag("target %d: url %s, limit %s", i,
			    u ? u : "(none)", l ? l : "(none)");
			good = 0;
		}
	}
	free(text);
	return good && (int)jf.ntargets == n;
}

static void
test_many_sections(void)
{
	ok(many_sections(8, 0) && many_sections(9, 0) &&
	    many_sections(500, 0), "[defaults] first, then 8, 9 and 500 "
	    "sections: every target has its url and limit");
	ok(many_sections(500, 1), "[defaults] among 500 sections");
	ok(many_sections(500, 2), "[defaults] after 500 sections");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		perror(dir);
		return 1;
	}
	umask(022);
	test_sections();
	test_defaults();
	test_many_sections();
	test_comments_and_quotes();
	test_keys();
	test_hosts();
	test_credentials();
	test_secrets();
	test_files();
	test_outputs();
	test_man_example();
	jobs_free(&jf);
	jobs_free(&jf);
	ok(jf.ntargets == 0 && jf.path == NULL, "jobs_free twice is harmless");
	cleanup();
	return tap_done();
}
