/*
 * test_cli.c - cli_parse on argv arrays: defaults, every number at its
 * bounds and one past, sizes, -u masking its argv, profile overrides,
 * --allow-origin, files of secrets, the environment, usage errors, and
 * --help (every flag, 80 columns at most).
 *
 * Refused flags print their message on stderr, which the TAP driver keeps
 * in the log; --help and --version go to a file, not into the TAP stream.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"
#include "xalloc.h"
#include "tap.h"

/* One parse: its own copy of argv (the options point into it). */
struct run {
	char *argv[32];
	int argc;
	struct options o;
	enum cli_result r;
};

static struct run R;
static char tmpdir[] = "/tmp/test_cli.XXXXXX";

static void
done(struct run *r)
{
	int i;

	cli_free(&r->o);
	for (i = 0; i < r->argc; i++)
		free(r->argv[i]);
	r->argc = 0;
}

/* Parses "invdump" and the arguments up to NULL, after releasing the
 * previous parse; the result stays in R until the next one. */
static enum cli_result
parse(const char *arg, ...)
{
	va_list ap;

	done(&R);
	R.argv[R.argc++] = xstrdup("invdump");
	va_start(ap, arg);
	for (; arg != NULL; arg = va_arg(ap, const char *))
		R.argv[R.argc++] = xstrdup(arg);
	va_end(ap);
	R.argv[R.argc] = NULL;
	R.r = cli_parse(R.argc, R.argv, &R.o);
	return R.r;
}
#define PARSE(...) parse(__VA_ARGS__, (const char *)NULL)
#define T0 (R.o.targets[0])
#define URL "https://api.example.com/items"

static int
is(const char *got, const char *want)
{
	if (got == want || (got != NULL && want != NULL && strcmp(got, want) == 0))
		return 1;
	tap_diag("got '%s', want '%s'", got ? got : "(null)",
	    want ? want : "(null)");
	return 0;
}

/* Whether argv[i] of the last parse, wherever getopt put it, is s. */
static int
argv_has(const char *s)
{
	int i;

	for (i = 0; i < R.argc; i++)
		if (strcmp(R.argv[i], s) == 0)
			return 1;
	return 0;
}

static char *
write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void
test_defaults(void)
{
	const struct options *o = &R.o;

	ok(PARSE(URL) == cli_run && o->ntargets == 1 && is(T0.url, URL),
	    "a URL alone: run it");
	ok(is(T0.output, "-") && T0.gzip == 0 && T0.limit == 100,
	    "defaults: standard output, no gzip, 100 a page");
	ok(o->level == 1 && o->workers == 10 && o->connect_timeout == 30 &&
	    o->max_time == 0 && o->speed_limit == 1000 && o->speed_time == 30,
	    "defaults: level 1, 10 workers, timeouts 30/none/1000 B/s for 30 s");
	ok(o->retries == 5 && o->retry_max_time == 600 && o->rate == 0,
	    "defaults: 5 retries for 600 s, no rate ceiling");
	ok(o->max_body == 1LL << 30 && o->max_item == 64LL << 20 &&
	    o->max_depth == 64 && o->max_redirs == 5,
	    "defaults: 1G bodies, 64M items, depth 64, 5 redirects");
	ok(o->progress == -1 && o->verbose == 0 && o->quiet == 0 &&
	    o->insecure == 0 && T0.cacert == NULL && T0.capath == NULL,
	    "defaults: progress when a terminal, not quiet or verbose, TLS on");
	ok(o->per_host == 0 && o->window_bytes == 8LL << 20 && o->hedge == 1,
	    "defaults: no per-host cap, an 8M window, hedging on");
	ok(is(T0.profile.name, "offset") && T0.userpwd == NULL &&
	    T0.headers == NULL && T0.netrc == 0 && T0.allow_origins == NULL &&
	    T0.no_total == 0 && T0.key == NULL && T0.keep_mismatch == 0,
	    "defaults: the offset profile, no credentials, no extras");
}

/* Every numeric flag: its field, where it lives, its range. */
static const struct num {
	const char *flag;
	long lo, hi;
	int in_target;
	size_t off, size;
} nums[] = {
#define O(f) 0, offsetof(struct options, f), sizeof(((struct options *)0)->f)
#define T(f) 1, offsetof(struct target, f), sizeof(((struct target *)0)->f)
	{ "--level", 1, 9, O(level) },
	{ "--workers", 1, 256, O(workers) },
	{ "-w", 1, 256, O(workers) },
	{ "--limit", 1, 1000000, T(limit) },
	{ "-l", 1, 1000000, T(limit) },
	{ "--connect-timeout", 1, 3600, O(connect_timeout) },
	{ "--max-time", 1, 7 * 86400, O(max_time) },
	{ "--speed-limit", 1, 1L << 30, O(speed_limit) },
	{ "--speed-time", 1, 86400, O(speed_time) },
	{ "--retries", 0, 100, O(retries) },
	{ "--retry-max-time", 0, 86400, O(retry_max_time) },
	{ "--max-depth", 2, 128, O(max_depth) },
	{ "--max-redirs", 0, 50, O(max_redirs) },
#undef O
#undef T
};

static long
num_value(const struct num *n)
{
	const char *p = n->in_target ? (const char *)&T0 : (const char *)&R.o;

	p += n->off;
	return n->size == sizeof(int) ? *(const int *)p : *(const long *)p;
}

static int
num_takes(const struct num *n, long v)
{
	char arg[32];

	snprintf(arg, sizeof arg, "%ld", v);
	return PARSE(n->flag, arg, URL) == cli_run && num_value(n) == v;
}

static int
num_refuses(const struct num *n, const char *arg)
{
	return PARSE(n->flag, arg, URL) == cli_exit_usage;
}

static void
test_numbers(void)
{
	const struct num *n;
	char below[32], above[32];

	for (n = nums; n < nums + sizeof nums / sizeof nums[0]; n++) {
		snprintf(below, sizeof below, "%ld", n->lo - 1);
		snprintf(above, sizeof above, "%ld", n->hi + 1);
		ok(num_takes(n, n->lo), "%s %ld: taken", n->flag, n->lo);
		ok(num_takes(n, n->hi), "%s %ld: taken", n->flag, n->hi);
		ok(num_refuses(n, below), "%s %s: refused", n->flag, below);
		ok(num_refuses(n, above), "%s %s: refused", n->flag, above);
	}
	n = &nums[0];
	ok(num_refuses(n, "abc") && num_refuses(n, "") && num_refuses(n, "+5") &&
	    num_refuses(n, " 5") && num_refuses(n, "5x") &&
	    num_refuses(n, "0x5") && num_refuses(n, "99999999999999999999"),
	    "--level: not whole decimal numbers are refused");
	ok(PARSE("--level=7", URL) == cli_run && R.o.level == 7,
	    "--level=7: the value after '='");

	ok(PARSE("--rate", "0.01", URL) == cli_run && R.o.rate == 0.01,
	    "--rate 0.01: taken");
	ok(PARSE("--rate", "100000", URL) == cli_run && R.o.rate == 100000,
	    "--rate 100000: taken");
	ok(PARSE("--rate", "2.5", URL) == cli_run && R.o.rate == 2.5,
	    "--rate 2.5: a fraction");
	ok(PARSE("--rate", "0.009", URL) == cli_exit_usage &&
	    PARSE("--rate", "100000.5", URL) == cli_exit_usage &&
	    PARSE("--rate", "0", URL) == cli_exit_usage,
	    "--rate 0.009, 100000.5, 0: refused");
	ok(PARSE("--rate", "nan", URL) == cli_exit_usage &&
	    PARSE("--rate", "inf", URL) == cli_exit_usage &&
	    PARSE("--rate", "fast", URL) == cli_exit_usage &&
	    PARSE("--rate", "1/s", URL) == cli_exit_usage,
	    "--rate nan, inf, fast, 1/s: refused");
}

static int
size_is(const char *flag, const char *arg, long long want)
{
	long long got;

	if (PARSE(flag, arg, URL) != cli_run) {
		tap_diag("%s %s: refused", flag, arg);
		return 0;
	}
	got = strcmp(flag, "--max-body") == 0 ? R.o.max_body : R.o.max_item;
	if (got != want)
		tap_diag("%s %s: %lld, want %lld", flag, arg, got, want);
	return got == want;
}

static void
test_sizes(void)
{
	static const char *const bad[] = {
		"0", "0K", "-1", "K", "5X", "1KB", "1.5M", " 1", "1099511627777",
		"1025G", "1048577M", "", "18446744073709551616"
	};
	const char *flag[] = { "--max-body", "--max-item" };
	size_t i, j, refused;

	for (j = 0; j < 2; j++) {
		ok(size_is(flag[j], "1", 1) && size_is(flag[j], "1000", 1000),
		    "%s: plain bytes", flag[j]);
		ok(size_is(flag[j], "1k", 1024) && size_is(flag[j], "1K", 1024) &&
		    size_is(flag[j], "64M", 64LL << 20) &&
		    size_is(flag[j], "64m", 64LL << 20) &&
		    size_is(flag[j], "2G", 2LL << 30) &&
		    size_is(flag[j], "2g", 2LL << 30),
		    "%s: K, M, G (either case) are powers of 1024", flag[j]);
		ok(size_is(flag[j], "1024G", 1LL << 40) &&
		    size_is(flag[j], "1048576M", 1LL << 40) &&
		    size_is(flag[j], "1099511627776", 1LL << 40),
		    "%s: 1T, however written, is the largest", flag[j]);
		for (i = refused = 0; i < sizeof bad / sizeof bad[0]; i++) {
			if (PARSE(flag[j], bad[i], URL) == cli_exit_usage)
				refused++;
			else
				tap_diag("%s '%s' was taken", flag[j], bad[i]);
		}
		ok(refused == sizeof bad / sizeof bad[0],
		    "%s: 0, negatives, bad suffixes and past 1T are refused",
		    flag[j]);
	}
}

static void
test_user(void)
{
	ok(PARSE("-u", "alice:s3cret", URL) == cli_run &&
	    is(T0.userpwd, "alice:s3cret"), "-u: the credentials are taken");
	ok(argv_has("alice:******") && !argv_has("alice:s3cret"),
	    "-u: the secret is masked in the argv it was given");
	ok(PARSE("-ualice:pw", URL) == cli_run && is(T0.userpwd, "alice:pw") &&
	    argv_has("-ualice:**"), "-uUSER:SECRET: masked too");
	ok(PARSE("--user=alice:a:b", URL) == cli_run &&
	    is(T0.userpwd, "alice:a:b") && argv_has("--user=alice:***"),
	    "--user=USER:SECRET: masked after the first colon");
	ok(PARSE("-u", "alice:", URL) == cli_run && is(T0.userpwd, "alice:"),
	    "-u with an empty secret: taken");
	ok(PARSE("-u", "alice:one", "-u", "bob:two", URL) == cli_run &&
	    is(T0.userpwd, "bob:two") && argv_has("alice:***"),
	    "-u twice: the last wins, both masked");
	ok(PARSE("-u", "alice", URL) == cli_exit_usage && argv_has("alice"),
	    "-u without a colon: refused");
}

static void
test_profiles(void)
{
	/* targets[0] is new on every parse: no pointer into it is kept. */
#define p (&T0.profile)
	ok(PARSE("--offset-param", "start", "--limit-param", "count",
	    "--total-header", "X-Count", "--items-path", "data.items",
	    "--total-path", "meta.total", "--sort-param", "order=name",
	    "-p", "drf", URL) == cli_run && is(p->name, "drf") &&
	    is(p->offset_param, "start") && is(p->limit_param, "count") &&
	    is(p->total_header, "X-Count") && is(p->items_path, "data.items") &&
	    is(p->total_path, "meta.total") && is(p->sort_param, "order=name"),
	    "overrides before -p land in targets[0].profile");
	ok(PARSE("-p", "drf", URL) == cli_run && is(p->offset_param, "offset") &&
	    is(p->items_path, "results") && is(p->total_path, "count") &&
	    is(p->sort_param, "ordering=id"), "-p drf alone: the table's row");
	ok(PARSE("-p", "drf", "--total-path", "", "--sort-param", "", URL) ==
	    cli_run && p->total_path == NULL && is(p->sort_param, ""),
	    "--total-path '' drops the total, --sort-param '' the order");
	ok(PARSE("--profile=DRF", URL) == cli_run && is(p->name, "drf"),
	    "--profile=DRF: any case");
	ok(PARSE("-p", "cursor", "--next-path", "meta.next", "--cursor-param",
	    "cursor", URL) == cli_run && is(p->next_path, "meta.next") &&
	    is(p->cursor_param, "cursor"), "-p cursor: --next-path, --cursor-param");
	ok(PARSE("-p", "infoblox", "--cursor-param", "pid", URL) == cli_run &&
	    is(p->cursor_param, "pid") && is(p->next_path, "next_page_id"),
	    "-p infoblox: its own --next-path serves --cursor-param");
	ok(PARSE("-p", "nope", URL) == cli_exit_usage, "-p nope: refused");
	ok(PARSE("-p", "nope") == cli_exit_usage, "-p nope and no URL: refused");
	ok(PARSE("--next-path", "next", URL) == cli_exit_usage &&
	    PARSE("--cursor-param", "c", URL) == cli_exit_usage,
	    "--next-path, --cursor-param on an offset profile: refused");
	ok(PARSE("-p", "cursor", "--cursor-param", "c", URL) == cli_exit_usage,
	    "--cursor-param without --next-path: refused");
	ok(PARSE("-p", "meraki", "--no-total", URL) == cli_exit_usage,
	    "--no-total with a cursor profile: refused");
	ok(PARSE("--no-total", URL) == cli_run && T0.no_total == 1,
	    "--no-total with an offset profile: taken");
	ok(PARSE("-p", "softlayer", "--limit-param", "x", URL) == cli_exit_usage,
	    "--limit-param with softlayer: refused");
	ok(PARSE("--offset-param", "a b", URL) == cli_exit_usage &&
	    PARSE("--limit-param", "", URL) == cli_exit_usage &&
	    PARSE("--cursor-param", "a&b", URL) == cli_exit_usage,
	    "parameter names with a space, '&' or nothing: refused");
	ok(PARSE("--offset-param", "$skip", URL) == cli_run &&
	    is(p->offset_param, "$skip") &&
	    PARSE("--offset-param", "page[offset]", URL) == cli_run,
	    "parameter names with $ and []: taken");
	ok(PARSE("--total-header", "X-Total: 1", URL) == cli_exit_usage &&
	    PARSE("--total-header", "", URL) == cli_exit_usage,
	    "--total-header with a colon, or empty: refused");
	ok(PARSE("--sort-param", "ordering", URL) == cli_exit_usage &&
	    PARSE("--sort-param", "a b=c", URL) == cli_exit_usage &&
	    PARSE("--sort-param", "=id", URL) == cli_exit_usage,
	    "--sort-param without NAME=, or with a bad NAME: refused");
}
#undef p

static void
test_origins(void)
{
	const struct curl_slist *l;

	ok(PARSE("--allow-origin", "HTTPS://API2.Example.COM/v2/x?y=1",
	    "--allow-origin", "http://b.example.com:8080", URL) == cli_run &&
	    (l = T0.allow_origins) != NULL &&
	    is(l->data, "https://api2.example.com:443") && l->next != NULL &&
	    is(l->next->data, "http://b.example.com:8080") && l->next->next == NULL,
	    "--allow-origin: normalised to scheme://host:port, in order");
	ok(PARSE("--allow-origin", "ftp://a.example.com", URL) == cli_exit_usage &&
	    PARSE("--allow-origin", "a.example.com", URL) == cli_exit_usage,
	    "--allow-origin: not http or https, or not a URL: refused");
}

static void
test_headers_and_files(void)
{
	char *hf = write_file("headers", "# keys\nX-Api-Key: k1\n\nX-Other: 2\r\n",
	    0600);
	char *uf = write_file("user", "bob:pw\nignored\n", 0600);
	char *nocolon = write_file("nocolon", "bob\n", 0600);
	char *empty = write_file("empty", "", 0600);
	char *missing = xasprintf("%s/missing", tmpdir);
	const struct curl_slist *h;

	ok(PARSE("-H", "X-A: 1", "--header", "X-B: 2", URL) == cli_run &&
	    (h = T0.headers) != NULL && is(h->data, "X-A: 1") &&
	    h->next != NULL && is(h->next->data, "X-B: 2"),
	    "-H, --header: kept in order");
	ok(PARSE("-H", "NoColon", URL) == cli_exit_usage &&
	    PARSE("-H", ": value", URL) == cli_exit_usage &&
	    PARSE("-H", "Bad Name: x", URL) == cli_exit_usage,
	    "-H without a name and a colon: refused");
	ok(PARSE("--header-file", hf, URL) == cli_run &&
	    (h = T0.headers) != NULL && is(h->data, "X-Api-Key: k1") &&
	    h->next != NULL && is(h->next->data, "X-Other: 2") &&
	    h->next->next == NULL,
	    "--header-file: comments and blank lines skipped, CR LF taken off");
	ok(PARSE("--header-file", missing, URL) == cli_exit_usage,
	    "--header-file that does not exist: refused");
	ok(PARSE("--user-file", uf, URL) == cli_run && is(T0.userpwd, "bob:pw"),
	    "--user-file: its first line");
	ok(PARSE("-u", "a:b", "--user-file", uf, URL) == cli_run &&
	    is(T0.userpwd, "bob:pw"), "--user-file after -u: the last wins");
	ok(PARSE("--user-file", nocolon, URL) == cli_exit_usage &&
	    PARSE("--user-file", empty, URL) == cli_exit_usage &&
	    PARSE("--user-file", missing, URL) == cli_exit_usage,
	    "--user-file without a colon, empty or missing: refused");
	ok(PARSE("--netrc", URL) == cli_run && T0.netrc == 1 &&
	    T0.netrc_file == NULL, "--netrc");
	ok(PARSE("--netrc-file", "/x/netrc", URL) == cli_run && T0.netrc == 1 &&
	    is(T0.netrc_file, "/x/netrc"), "--netrc-file: implies --netrc");
	ok(PARSE("--cacert", "ca.pem", "--capath", "/etc/ssl/certs", URL) ==
	    cli_run && is(T0.cacert, "ca.pem") &&
	    is(T0.capath, "/etc/ssl/certs"), "--cacert, --capath: the target's");
	ok(PARSE("--per-host", "3", "--window-bytes", "64K", "--no-hedge",
	    URL) == cli_run && R.o.per_host == 3 &&
	    R.o.window_bytes == 64 * 1024 && R.o.hedge == 0,
	    "--per-host, --window-bytes, --no-hedge");
	ok(PARSE("--per-host", "0", URL) == cli_exit_usage &&
	    PARSE("--per-host", "257", URL) == cli_exit_usage,
	    "--per-host 0 or past 256: refused");
	ok(PARSE("--insecure", URL) == cli_run && R.o.insecure == 1,
	    "--insecure: taken (with a warning)");
	free(hf), free(uf), free(nocolon), free(empty), free(missing);
}

static void
test_environment(void)
{
	setenv("INVDUMP_USER", "carol", 1);
	setenv("INVDUMP_PASSWORD", "envpw", 1);
	ok(PARSE(URL) == cli_run && is(T0.userpwd, "carol:envpw"),
	    "INVDUMP_USER + INVDUMP_PASSWORD");
	ok(PARSE("-u", "alice:pw", URL) == cli_run && is(T0.userpwd, "alice:pw"),
	    "-u wins over the environment");
	unsetenv("INVDUMP_PASSWORD");
	ok(PARSE(URL) == cli_exit_usage,
	    "INVDUMP_USER without a secret: refused");
	setenv("INVDUMP_USER", "carol:pw2", 1);
	ok(PARSE(URL) == cli_run && is(T0.userpwd, "carol:pw2"),
	    "INVDUMP_USER=user:secret");
	unsetenv("INVDUMP_USER");
	setenv("INVDUMP_TOKEN", "tok", 1);
	ok(PARSE(URL) == cli_run && T0.headers != NULL &&
	    is(T0.headers->data, "Authorization: Bearer tok"),
	    "INVDUMP_TOKEN: a bearer token header");
	ok(PARSE("-H", "authorization: Token x", URL) == cli_run &&
	    T0.headers->next == NULL,
	    "INVDUMP_TOKEN: not when -H gives an Authorization header");
	unsetenv("INVDUMP_TOKEN");
}

static void
test_output_and_messages(void)
{
	ok(PARSE("-o", "x.ndjson.gz", URL) == cli_run && T0.gzip == 1 &&
	    is(T0.output, "x.ndjson.gz"), "-o *.gz: gzip");
	ok(PARSE("-o", "x.ndjson", URL) == cli_run && T0.gzip == 0,
	    "-o other: no gzip");
	ok(PARSE("--compress", "none", "-o", "x.gz", URL) == cli_run &&
	    T0.gzip == 0, "--compress none wins over .gz");
	ok(PARSE("--compress=gzip", URL) == cli_run && T0.gzip == 1,
	    "--compress=gzip to standard output");
	ok(PARSE("--compress", "zip", URL) == cli_exit_usage &&
	    PARSE("--compress", "GZIP", URL) == cli_exit_usage,
	    "--compress zip, GZIP: refused");
	ok(PARSE("-o", "", URL) == cli_exit_usage, "-o '': refused");
	ok(PARSE("--key", "id", "--keep-mismatch", URL) == cli_run &&
	    is(T0.key, "id") && T0.keep_mismatch == 1, "--key, --keep-mismatch");
	ok(PARSE("--key", "", URL) == cli_exit_usage, "--key '': refused");
	ok(PARSE("--expand-replace", "--expand", "tags=" URL "/{id}/tags",
	    "--expand", "a=" URL "/{id}/a", URL) == cli_run &&
	    T0.expand_replace == 1 && T0.nexpand == 2 && T0.expand_named == 1,
	    "--expand-replace with relations");
	ok(PARSE("--expand", "a=" URL "/{id}/a", URL) == cli_run &&
	    T0.expand_replace == 0, "relations: no replacement by default");
	ok(PARSE("--expand-replace", "--expand", URL "/{id}", URL) ==
	    cli_exit_usage && PARSE("--expand-replace", URL) == cli_exit_usage,
	    "--expand-replace without a relation: refused");
	ok(PARSE("-v", "-v", "--verbose", URL) == cli_run && R.o.verbose == 3,
	    "-v counts");
	ok(PARSE("-qv", URL) == cli_exit_usage &&
	    PARSE("--quiet", "--verbose", URL) == cli_exit_usage,
	    "-q with -v: refused");
	ok(PARSE("-q", URL) == cli_run && R.o.quiet == 1, "-q");
	ok(PARSE("--progress", "--no-progress", URL) == cli_run &&
	    R.o.progress == 0 && PARSE("--no-progress", "--progress", URL) ==
	    cli_run && R.o.progress == 1, "--progress, --no-progress: the last wins");
}

static void
test_usage_errors(void)
{
	ok(PARSE("--frobnicate", URL) == cli_exit_usage, "an unknown flag");
	ok(PARSE("-x", URL) == cli_exit_usage, "an unknown short flag");
	ok(PARSE("--pro", URL) == cli_exit_usage,
	    "an ambiguous abbreviation (--profile, --progress)");
	ok(PARSE("--prof", "drf", URL) == cli_run && is(T0.profile.name, "drf"),
	    "an unambiguous abbreviation (--prof)");
	ok(PARSE("--quiet=1", URL) == cli_exit_usage &&
	    PARSE("--insecure=yes", URL) == cli_exit_usage,
	    "a value for a flag that takes none");
	ok(PARSE(URL, "--limit") == cli_exit_usage &&
	    PARSE(URL, "-o") == cli_exit_usage, "a missing value");
	ok(PARSE("-o", "x.gz") == cli_exit_usage && PARSE(NULL) == cli_exit_usage,
	    "no URL");
	ok(PARSE(URL, "https://b.example.com/") == cli_exit_usage, "two URLs");
	ok(PARSE(URL, "-q") == cli_run && R.o.quiet == 1 && is(T0.url, URL),
	    "a flag after the URL");
	ok(PARSE("--", "-odd") == cli_exit_usage && R.o.targets != NULL &&
	    is(T0.url, "-odd"),
	    "after --, what starts with - is the URL (refused: not http(s))");
	ok(PARSE("items") == cli_exit_usage &&
	    PARSE("api.example.com/items") == cli_exit_usage &&
	    PARSE("ftp://api.example.com/items") == cli_exit_usage,
	    "a URL without http:// or https://: refused");
	ok(PARSE("HTTPS://api.example.com/items") == cli_run &&
	    PARSE("http://127.0.0.1:8080/items") == cli_run,
	    "http:// and https://, in any case: taken");
}

/* Parses arg (and arg2, unless NULL) with stdout in a file; returns what
 * was printed (the caller frees it). */
static char *
captured(const char *arg, const char *arg2, enum cli_result *r)
{
	char *path = xasprintf("%s/stdout", tmpdir);
	int fd, saved;
	char *text;
	long n;
	FILE *f;

	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	*r = PARSE(arg, arg2);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		text[0] = '\0';
	fclose(f);
	free(path);
	return text;
}

/* The longest line of text, in characters (the help is ASCII). */
static size_t
widest(const char *text)
{
	size_t n, max = 0;

	for (; *text != '\0'; text += n + (text[n] == '\n')) {
		n = strcspn(text, "\n");
		if (n > max)
			max = n;
	}
	return max;
}

static void
test_help(void)
{
	static const char *const flags[] = {
		"-o, --output PATH", "--compress MODE", "--level N",
		"-p, --profile NAME", "-l, --limit N", "-w, --workers N",
		"--total-header NAME", "--offset-param NAME", "--limit-param NAME",
		"--items-path PATH", "--total-path PATH", "--no-total",
		"--next-path PATH", "--cursor-param NAME", "--sort-param NAME=VALUE",
		"--key FIELD", "--keep-mismatch", "-u, --user USER:SECRET",
		"--user-file FILE", "--netrc ", "--netrc-file FILE",
		"-H, --header 'NAME: VALUE'", "--header-file FILE", "--cacert FILE",
		"--capath DIR", "--insecure", "--max-redirs N", "--allow-origin URL",
		"--retries N", "--retry-max-time S", "--rate N",
		"--connect-timeout S", "--speed-limit B", "--speed-time S",
		"--max-time S", "--max-body SIZE", "--max-item SIZE",
		"--max-depth N", "-q, --quiet", "--progress", "--no-progress",
		"-v, --verbose", "-V, --version", "-h, --help"
	};
	const struct profile *p;
	enum cli_result r;
	char *help, *line;
	size_t i, missing = 0;

	help = captured("--help", NULL, &r);
	ok(r == cli_exit_ok && strncmp(help, "Usage: invdump", 14) == 0,
	    "--help: printed, exit 0");
	ok(widest(help) <= 80, "--help: no line wider than 80 columns (%zu)",
	    widest(help));
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (strstr(help, flags[i]) == NULL) {
			tap_diag("--help lacks '%s'", flags[i]);
			missing++;
		}
	ok(missing == 0, "--help: every flag with its argument");
	for (p = profile_table(), missing = 0; p->name != NULL; p++) {
		line = xasprintf("\n%29s%-10s ", "", p->name);
		if (strstr(help, line) == NULL) {
			tap_diag("--help lacks the %s profile", p->name);
			missing++;
		}
		free(line);
	}
	ok(missing == 0, "--help: every profile, under -p");
	free(help);
	help = captured("-h", "--frobnicate", &r);
	ok(r == cli_exit_ok && strncmp(help, "Usage: invdump", 14) == 0,
	    "-h before an unknown flag: help, exit 0");
	free(help);
	help = captured("--version", NULL, &r);
	ok(r == cli_exit_ok && strncmp(help, "invdump ", 8) == 0 &&
	    strstr(help, "libcurl/") != NULL && strstr(help, "zlib/") != NULL,
	    "--version: printed with the libraries, exit 0");
	free(help);
	help = captured("-V", NULL, &r);
	ok(r == cli_exit_ok && strncmp(help, "invdump ", 8) == 0, "-V");
	free(help);
}

int
main(void)
{
	static const char *const files[] = {
		"headers", "user", "nocolon", "empty", "stdout"
	};
	char *path;
	size_t i;

	unsetenv("INVDUMP_USER");
	unsetenv("INVDUMP_PASSWORD");
	unsetenv("INVDUMP_TOKEN");
	unsetenv("POSIXLY_CORRECT");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: cannot make %s\n", tmpdir);
		return 1;
	}
	test_defaults();
	test_numbers();
	test_sizes();
	test_user();
	test_profiles();
	test_origins();
	test_headers_and_files();
	test_environment();
	test_output_and_messages();
	test_usage_errors();
	test_help();
	done(&R);

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		path = xasprintf("%s/%s", tmpdir, files[i]);
		unlink(path);
		free(path);
	}
	rmdir(tmpdir);
	return tap_done();
}
