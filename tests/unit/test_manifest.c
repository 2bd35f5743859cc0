/* test_manifest.c - the manifest's JSON, its redaction and its publication. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "manifest.h"
#include "tap.h"

static char dir[256];

static char *
in_dir(const char *name)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
	return path[i];
}

/* Entries in dir whose names begin with '.', "." and ".." aside. */
static int
temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* manifest_write, with what it prints on standard error caught in err. */
static int
write_caught(const char *path, const struct manifest_info *in, int mode,
    char *err, size_t errsz)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO), ret;
	size_t n = 0;

	fflush(stderr);
	if (f != NULL)
		dup2(fileno(f), STDERR_FILENO);
	ret = manifest_write(path, in, mode);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (f != NULL) {
		rewind(f);
		n = fread(err, 1, errsz - 1, f);
		fclose(f);
	}
	err[n] = '\0';
	return ret;
}

/* The whole file, newly allocated, or NULL. */
static char *
slurp(const char *path)
{
	char *text = NULL;
	long n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = calloc(1, (size_t)n + 1)) &&
	    fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

static yajl_val
get(yajl_val root, const char *a, const char *b)
{
	const char *path[3] = { a, b, NULL };

	return yajl_tree_get(root, path, yajl_t_any);
}

static int
is_int(yajl_val v, long long want)
{
	return v != NULL && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) == want;
}

static int
is_str(yajl_val v, const char *want)
{
	return v != NULL && YAJL_IS_STRING(v) &&
	    strcmp(v->u.string, want) == 0;
}

/* YYYY-MM-DDTHH:MM:SSZ */
static int
is_rfc3339(yajl_val v)
{
	const char *s = YAJL_GET_STRING(v);
	const char *pat = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (s == NULL || strlen(s) != strlen(pat))
		return 0;
	for (i = 0; pat[i] != '\0'; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return 0;
	return 1;
}

static struct writer_part files[2] = {
	{ "out/inv-00000.ndjson.gz", 1000, 53127,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "" },
	{ "out/inv-00001.ndjson.gz", 37, 18446744073709551615ULL,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "" },
};
static const char *const warnings[] = {
	"2 requests were retried",
	"a \"quoted\" warning\twith a tab, and \xc3\xa9"
};
static const struct manifest_shard shard = { 1, 4, 10, 19 };

static void
fill(struct manifest_info *in)
{
	memset(in, 0, sizeof *in);
	in->source_url = "https://user:pw@api.example.com/v1/items?"
	    "api_key=secret&limit=100";
	in->profile = "drf";
	in->started = 1796064348;       /* 2026-11-30T18:45:48Z */
	in->ended = 1796064723;         /* 2026-11-30T18:52:03Z */
	in->total_start = 1037;
	in->total_end = -1;
	in->items = 1037;
	in->pages = 11;
	in->requests = 13;
	in->retries = 2;
	in->throttles = 1;
	in->files = files;
	in->nfiles = 2;
	in->verified = 1;
	in->warnings = warnings;
	in->nwarnings = 2;
	in->exit_status = 0;
	in->shard = &shard;
}

static void
test_fields(void)
{
	static const char *const keys[] = {
		"schema_version", "invdump_version", "source_url", "profile",
		"started_at", "ended_at", "total_at_start", "total_at_end",
		"items_written", "pages", "requests", "retries", "throttles",
		"files", "verified", "warnings", "exit_status", "shard", "error"
	};
	struct manifest_info in;
	char err[512] = "", errbuf[256];
	char *p = in_dir("inv.manifest.json"), *text;
	yajl_val root = NULL, v, f;
	struct stat st;
	mode_t old;
	size_t i;
	int good;

	fill(&in);
	old = umask(077);
	ok(write_caught(p, &in, 0640, err, sizeof err) == 0,
	    "manifest_write: 0 (%s)", err);
	umask(old);
	ok(temps() == 0, "no temporary file left");
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "mode 0640 under umask 077");
	text = slurp(p);
	ok(text != NULL && text[0] != '\0' && strchr(text, '\n') ==
	    text + strlen(text) - 1, "one line, ending in a newline");
	if (text != NULL)
		root = yajl_tree_parse(text, errbuf, sizeof errbuf);
	ok(root != NULL && YAJL_IS_OBJECT(root), "it parses: an object");
	if (root == NULL) {
		tap_diag("%s", errbuf);
		free(text);
		return;
	}

	good = YAJL_GET_OBJECT(root)->len == sizeof keys / sizeof keys[0];
	for (i = 0; good && i < sizeof keys / sizeof keys[0]; i++)
		good = strcmp(YAJL_GET_OBJECT(root)->keys[i], keys[i]) == 0;
	ok(good, "every field, in order, and no other");

	ok(is_int(get(root, "schema_version", NULL), MANIFEST_SCHEMA_VERSION),
	    "schema_version");
	ok(is_str(get(root, "invdump_version", NULL), PACKAGE_VERSION),
	    "invdump_version: " PACKAGE_VERSION);
	v = get(root, "source_url", NULL);
	ok(is_str(v, "https://user:***@api.example.com/v1/items?"
	    "api_key=***&limit=100"), "source_url, redacted: %s",
	    v != NULL && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : "?");
	ok(strstr(text, "secret") == NULL && strstr(text, "pw@") == NULL &&
	    strstr(text, ":pw") == NULL,
	    "neither the key nor the password appears anywhere");
	ok(is_str(get(root, "profile", NULL), "drf"), "profile");
	v = get(root, "started_at", NULL);
	ok(is_str(v, "2026-11-30T18:45:48Z") && is_rfc3339(v),
	    "started_at: UTC, RFC 3339");
	v = get(root, "ended_at", NULL);
	ok(is_str(v, "2026-11-30T18:52:03Z") && is_rfc3339(v), "ended_at");
	ok(is_int(get(root, "total_at_start", NULL), 1037), "total_at_start");
	v = get(root, "total_at_end", NULL);
	ok(v != NULL && YAJL_IS_NULL(v), "total_at_end unknown: null");
	ok(is_int(get(root, "items_written", NULL), 1037) &&
	    is_int(get(root, "pages", NULL), 11) &&
	    is_int(get(root, "requests", NULL), 13) &&
	    is_int(get(root, "retries", NULL), 2) &&
	    is_int(get(root, "throttles", NULL), 1),
	    "items_written, pages, requests, retries, throttles");

	v = get(root, "files", NULL);
	ok(v != NULL && YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len == 2,
	    "files: an array of 2");
	f = v != NULL && YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len == 2 ?
	    YAJL_GET_ARRAY(v)->values[0] : NULL;
	ok(f != NULL && YAJL_GET_OBJECT(f)->len == 4 &&
	    is_str(get(f, "path", NULL), files[0].path) &&
	    is_int(get(f, "items", NULL), 1000) &&
	    is_int(get(f, "bytes", NULL), 53127) &&
	    is_str(get(f, "sha256", NULL), files[0].sha256),
	    "files[0]: path, items, bytes, sha256");
	f = f != NULL ? YAJL_GET_ARRAY(v)->values[1] : NULL;
	ok(f != NULL && is_str(get(f, "path", NULL), files[1].path) &&
	    is_int(get(f, "items", NULL), 37) &&
	    is_str(get(f, "sha256", NULL), files[1].sha256),
	    "files[1]");
	ok(strstr(text, "\"bytes\":18446744073709551615") != NULL,
	    "bytes up to 2^64 - 1 are written whole");

	v = get(root, "verified", NULL);
	ok(v != NULL && YAJL_IS_TRUE(v), "verified: true");
	v = get(root, "warnings", NULL);
	ok(v != NULL && YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len == 2 &&
	    is_str(YAJL_GET_ARRAY(v)->values[0], warnings[0]) &&
	    is_str(YAJL_GET_ARRAY(v)->values[1], warnings[1]),
	    "warnings: strings, quotes, tabs and UTF-8 kept");
	ok(is_int(get(root, "exit_status", NULL), 0), "exit_status");
	v = get(root, "error", NULL);
	ok(v != NULL && YAJL_IS_NULL(v), "error: null when it succeeded");
	v = get(root, "shard", NULL);
	ok(v != NULL && YAJL_IS_OBJECT(v) && YAJL_GET_OBJECT(v)->len == 4 &&
	    is_int(get(v, "index", NULL), 1) &&
	    is_int(get(v, "count", NULL), 4) &&
	    is_int(get(v, "first_page", NULL), 10) &&
	    is_int(get(v, "last_page", NULL), 19),
	    "shard: index, count, first_page, last_page");
	yajl_tree_free(root);
	free(text);

	/* The other shape: no shard, nothing known, a failed run. */
	fill(&in);
	in.shard = NULL;
	in.total_start = -1;
	in.ended = (time_t)-1;
	in.profile = NULL;
	in.nfiles = 0;
	in.nwarnings = 0;
	in.verified = 0;
	in.exit_status = 3;
	in.error = "offset 300: \"quoted\" caf\xc3\xa9";
	ok(write_caught(p, &in, 0, err, sizeof err) == 0,
	    "manifest_write over an older manifest (%s)", err);
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600 && temps() == 0,
	    "mode 0 is 0600; no temporary file left");
	text = slurp(p);
	root = text != NULL ? yajl_tree_parse(text, errbuf, sizeof errbuf) : NULL;
	ok(root != NULL, "it parses");
	if (root != NULL) {
		v = get(root, "shard", NULL);
		ok(v != NULL && YAJL_IS_NULL(v), "shard: null");
		v = get(root, "total_at_start", NULL);
		ok(v != NULL && YAJL_IS_NULL(v), "total_at_start: null");
		v = get(root, "ended_at", NULL);
		ok(v != NULL && YAJL_IS_NULL(v), "ended_at unknown: null");
		v = get(root, "profile", NULL);
		ok(v != NULL && YAJL_IS_NULL(v), "profile NULL: null");
		v = get(root, "files", NULL);
		ok(v != NULL && YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len == 0,
		    "files: []");
		v = get(root, "warnings", NULL);
		ok(v != NULL && YAJL_IS_ARRAY(v) && YAJL_GET_ARRAY(v)->len == 0,
		    "warnings: []");
		v = get(root, "verified", NULL);
		ok(v != NULL && YAJL_IS_FALSE(v) &&
		    is_int(get(root, "exit_status", NULL), 3),
		    "verified: false, exit_status: 3");
		ok(is_str(get(root, "error", NULL), in.error),
		    "error: the message, quotes and UTF-8 kept");
		yajl_tree_free(root);
	}
	free(text);
	unlink(p);
}

static void
test_errors(void)
{
	static const char *const bad[] = { "bad \xff byte" };
	struct manifest_info in;
	char err[512], *json;
	char *p = in_dir("bad.json");

	fill(&in);
	in.warnings = bad;
	in.nwarnings = 1;
	err[0] = '\0';
	ok(write_caught(p, &in, 0, err, sizeof err) < 0 &&
	    strstr(err, "warnings") != NULL && strstr(err, "UTF-8") != NULL,
	    "a string that is not UTF-8: an error naming the field (%s)", err);
	ok(access(p, F_OK) < 0 && temps() == 0, "and nothing written");

	fill(&in);
	err[0] = '\0';
	ok(write_caught(in_dir("no/such/dir/m.json"), &in, 0, err,
	    sizeof err) < 0 && strstr(err, "no/such/dir/m.json: ") != NULL &&
	    strstr(err, "No such file or directory") != NULL,
	    "a missing directory: named, with the reason (%s)", err);
	ok(write_caught(dir, &in, 0, err, sizeof err) < 0 &&
	    strstr(err, "is a directory") != NULL, "a directory: refused");
	ok(write_caught("-", &in, 0, err, sizeof err) < 0,
	    "\"-\": refused");
	ok(write_caught(p, &in, 01000, err, sizeof err) < 0 &&
	    access(p, F_OK) < 0, "mode 01000: refused");
	ok(temps() == 0, "nothing left");

	in.source_url = "not a url";
	json = manifest_json(&in, err, sizeof err);
	ok(json != NULL && strstr(json, "\"source_url\":\"(unprintable URL)\"")
	    != NULL, "an unparsable URL is not copied");
	free(json);
	in.source_url = NULL;
	json = manifest_json(&in, err, sizeof err);
	ok(json != NULL && strstr(json, "\"source_url\":null") != NULL,
	    "no URL: null");
	free(json);
}

/* A run of many targets: each target's object with its name first. */
static void
test_fleet(void)
{
	struct manifest_info in;
	struct manifest_target mt[3];
	char err[512], errbuf[256], *one, *two, *json;
	yajl_val root, v, t;
	const char *path[] = { "targets", NULL };

	fill(&in);
	one = manifest_json(&in, err, sizeof err);
	in.exit_status = 1;
	in.nfiles = 0;
	in.error = "offset 0: HTTP 404";
	two = manifest_json(&in, err, sizeof err);
	mt[0].name = "ltm@bigip1";
	mt[0].json = one;
	mt[0].exit_status = 0;
	mt[1].name = "quote\"d";
	mt[1].json = two;
	mt[1].exit_status = 1;
	mt[2].name = "never ran";
	mt[2].json = NULL;
	mt[2].exit_status = 130;
	json = manifest_fleet_json("fleet.ini", 0, 60, 1, mt, 3, err,
	    sizeof err);
	root = json != NULL ? yajl_tree_parse(json, errbuf, sizeof errbuf) :
	    NULL;
	{
		const char *names[] = { "never ran", "quote\"d", "other",
		    NULL, "ltm@bigip1" };
		long long pages[5] = { -1, -1, -1, -1, -1 };

		manifest_known_pages_text(json, names, 5, pages);
		ok(pages[4] == in.pages && pages[1] == 0 && pages[0] == 0 &&
		    pages[2] == 0 && pages[3] == 0, "the pages it found, by "
		    "name: the target that succeeded's; 0 for a failed one, "
		    "one without a manifest, one not in it, no name (%lld %lld "
		    "%lld %lld %lld)", pages[0], pages[1], pages[2], pages[3],
		    pages[4]);
	}
	ok(root != NULL && json[strlen(json) - 1] == '\n' &&
	    strchr(json, '\n') == json + strlen(json) - 1,
	    "the run's manifest parses, on one line (%s)", root ? "" : errbuf);
	if (root != NULL) {
		ok(is_str(get(root, "jobs_file", NULL), "fleet.ini") &&
		    is_int(get(root, "targets_total", NULL), 3) &&
		    is_int(get(root, "targets_ok", NULL), 1) &&
		    is_int(get(root, "exit_status", NULL), 1) &&
		    is_str(get(root, "ended_at", NULL), "1970-01-01T00:01:00Z"),
		    "jobs_file, targets_total, targets_ok, exit_status, times");
		v = yajl_tree_get(root, path, yajl_t_array);
		ok(v != NULL && YAJL_GET_ARRAY(v)->len == 3, "three targets");
		if (v != NULL && YAJL_GET_ARRAY(v)->len == 3) {
			t = YAJL_GET_ARRAY(v)->values[0];
			ok(YAJL_IS_OBJECT(t) && strcmp(YAJL_GET_OBJECT(t)->keys[0],
			    "target") == 0 && is_str(get(t, "target", NULL),
			    "ltm@bigip1") && is_int(get(t, "items_written", NULL),
			    in.items) && YAJL_IS_NULL(get(t, "error", NULL)),
			    "a target: its name first, then its own manifest");
			t = YAJL_GET_ARRAY(v)->values[1];
			ok(is_str(get(t, "target", NULL), "quote\"d") &&
			    is_str(get(t, "error", NULL), "offset 0: HTTP 404") &&
			    is_int(get(t, "exit_status", NULL), 1),
			    "a failed one: its error; a name escaped");
			t = YAJL_GET_ARRAY(v)->values[2];
			ok(YAJL_GET_OBJECT(t)->len == 2 &&
			    is_int(get(t, "exit_status", NULL), 130),
			    "one without a manifest: its name and status");
		}
		yajl_tree_free(root);
	}
	free(json);
	free(one);
	free(two);
}

/* Whatever the text, manifest_known_pages_text says 0 or a real count. */
static void
test_known_bad(void)
{
	static const char *texts[] = {
		"", "{", "null", "[]", "{\"targets\":{}}",
		"{\"targets\":[1,\"a\",null,[]]}",
		"{\"targets\":[{\"target\":1,\"pages\":3,\"exit_status\":0}]}",
		"{\"targets\":[{\"target\":\"a\",\"pages\":\"3\","
		    "\"exit_status\":0}]}",
		"{\"targets\":[{\"target\":\"a\",\"pages\":-3,"
		    "\"exit_status\":0}]}",
		"{\"targets\":[{\"target\":\"a\",\"pages\":3.5,"
		    "\"exit_status\":0}]}",
		"{\"targets\":[{\"target\":\"a\",\"pages\":3}]}",
	};
	const char *names[] = { "a" };
	long long pages[1];
	size_t i;
	int good = 1;

	for (i = 0; i < sizeof texts / sizeof *texts; i++) {
		pages[0] = -1;
		manifest_known_pages_text(texts[i], names, 1, pages);
		if (pages[0] != 0) {
			tap_diag("%s: %lld", texts[i], pages[0]);
			good = 0;
		}
	}
	pages[0] = -1;
	manifest_known_pages_text("{\"targets\":[{\"target\":\"a\","
	    "\"pages\":7,\"exit_status\":0}]}", names, 1, pages);
	ok(good && pages[0] == 7, "a broken manifest, or a target's pages "
	    "not a count, or no status: 0; a good one: its pages");
	pages[0] = -1;
	manifest_known_pages("/nonexistent/manifest.json", names, 1, pages);
	ok(pages[0] == 0, "no manifest file: 0");
}

static void
test_time(void)
{
	char buf[32];

	ok(manifest_time(0, buf, sizeof buf) == 0 &&
	    strcmp(buf, "1970-01-01T00:00:00Z") == 0, "the epoch");
	ok(manifest_time(951782400, buf, sizeof buf) == 0 &&
	    strcmp(buf, "2000-02-29T00:00:00Z") == 0, "a leap day");
	ok(manifest_time(0, buf, 5) < 0, "a buffer too small: -1");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_manifest.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	test_fields();
	test_errors();
	test_fleet();
	test_known_bad();
	test_time();
	rmdir(dir);
	return tap_done();
}
