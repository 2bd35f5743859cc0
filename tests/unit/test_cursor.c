/*
 * test_cursor.c - the cursor plan (cursor_run): pages one after another,
 * each asked at the next page its predecessor named (Link rel="next", or
 * the one common next-page field of a body), written in order, until a
 * page names none; refused with exit 7, and no request more, when a
 * cursor comes back (a loop), the next page is on another origin, a body
 * says there is more but names nothing to follow, a body's next field is
 * a token with no --cursor-param to send it back, or a later page starts
 * with the first page's first item.  Real transfers against canned.h's
 * loopback server; a real writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canned.h"
#include "log.h"
#include "origin.h"
#include "run.h"
#include "tap.h"

static struct options opt;
static struct target tgt;
static struct export ex;
static atomic_int stop;
static struct hosts hosts;
static char url[128], dir[64], path[128];

/* An export of the cursor profile against port (items_path: where a
 * body's items are, "" for a body that is the array). */
static struct fetcher *
ex_make(int port, const char *items_path, int resume)
{
	struct writer_opts wo;
	char err[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/items", port);
	memset(&opt, 0, sizeof opt);
	opt.workers = 1;
	opt.max_item = 1 << 20;
	opt.max_depth = 64;
	opt.level = 1;
	memset(&tgt, 0, sizeof tgt);
	tgt.url = url;
	tgt.output = path;
	tgt.profile = *profile_find("cursor");
	tgt.profile.items_path = items_path;
	tgt.limit = 2;
	tgt.resume = resume;
	memset(&ex, 0, sizeof ex);
	atomic_store(&stop, 0);
	ex.o = &opt;
	ex.t = &tgt;
	ex.stop = &stop;
	ex.last_seq = -1;
	ex.origin = origin_of(url);
	pthread_mutex_init(&ex.fail_lock, NULL);
	buf_init(&ex.prev_hashes, 1 << 20);
	progress_init(&ex.progress, progress_off);
	ex.run.o = &opt;
	ex.run.t = &tgt;
	ex.run.base = profile_base_url(&tgt.profile, url, err, sizeof err);
	ex.run.http.connect_timeout = 5;
	ex.run.http.speed_limit = 1;
	ex.run.http.speed_time = 5;
	ex.run.http.cancel = &stop;
	ex.run.http.origin = ex.origin;
	ex.run.max_page = 1 << 20;
	ex.run.cancel = &stop;
	hosts_init(&hosts, 0, 0, 0);
	hosts_join(&hosts, &ex.member);
	ex.run.hosts = &hosts;
	ex.run.home = hosts_get(&hosts, url);
	ex.run.member = &ex.member;
	memset(&wo, 0, sizeof wo);
	if (resume_open(&ex, &wo) == exit_ok)
		ex.w = writer_open_opts(path, &wo);
	return ex.run.base != NULL && ex.w != NULL ? fetcher_new(&ex.run) :
	    NULL;
}

/* Ends the export: its files removed, or (leave) left as a killed run
 * leaves them. */
static void
ex_free(struct fetcher *f, int leave)
{
	fetcher_free(f);
	if (leave)
		writer_leave(ex.w);
	else
		writer_abort(ex.w);
	resume_close(&ex);
	hosts_part(&hosts, &ex.member);
	hosts_destroy(&hosts);
	curl_url_cleanup((CURLU *)ex.run.base);
	free(ex.origin);
	buf_free(&ex.prev_hashes);
	pthread_mutex_destroy(&ex.fail_lock);
}

/* cursor_run over the canned replies r; the output when it succeeded,
 * the requests served, and the request lines joined by '|'. */
static enum exit_status
walk(const struct canned_reply *r, int nr, const char *items_path,
    char *text, size_t n, int *requests, char *lines, size_t ln)
{
	struct canned c;
	struct fetcher *f;
	enum exit_status st = exit_failure;
	char line[256];
	FILE *fp;
	size_t got = 0;
	int i;

	text[0] = lines[0] = '\0';
	*requests = -1;
	if (canned_start(&c, r, nr) < 0)
		return st;
	if ((f = ex_make(c.port, items_path, 0)) != NULL) {
		st = cursor_run(&ex, f);
		if (st == exit_ok && writer_publish(ex.w) == writer_ok &&
		    (fp = fopen(path, "rb")) != NULL) {
			got = fread(text, 1, n - 1, fp);
			fclose(fp);
		}
	}
	text[got] = '\0';
	unlink(path);
	ex_free(f, 0);
	*requests = canned_requests(&c);
	for (i = 0; i < *requests; i++)
		snprintf(lines + strlen(lines), ln - strlen(lines), "%s%s",
		    i ? "|" : "", canned_request(&c, i, line, sizeof line));
	canned_stop(&c);
	return st;
}

static void
test_follow(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK\r\nLink: </items?limit=2&after=b>; rel=\"next\"",
		    "[{\"id\":\"a\"},{\"id\":\"b\"}]", canned_reply },
		{ "200 OK\r\nLink: </items?limit=2&after=d>; rel=\"next\"",
		    "[{\"id\":\"c\"},{\"id\":\"d\"}]", canned_reply },
		{ "200 OK", "[{\"id\":\"e\"}]", canned_reply },
	};
	static const struct canned_reply body[] = {
		{ "200 OK", "{\"data\":[{\"id\":1}],\"next\":\"/items?p=2\"}",
		    canned_reply },
		{ "200 OK", "{\"data\":[{\"id\":2}],\"next\":null}", canned_reply },
	};
	char text[512], lines[512];
	enum exit_status st;
	int n;

	st = walk(r, 3, "", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_ok && n == 3, "three pages, each naming the next with "
	    "Link rel=\"next\" but the last: 3 requests, exit 0 (%d)", (int)st);
	ok(strcmp(lines, "GET /items?limit=2 HTTP/1.1|GET /items?limit=2&"
	    "after=b HTTP/1.1|GET /items?limit=2&after=d HTTP/1.1") == 0,
	    "... each asked at the URL its predecessor named (%s)", lines);
	ok(strcmp(text, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n"
	    "{\"id\":\"d\"}\n{\"id\":\"e\"}\n") == 0 && ex.items == 5 &&
	    ex.pages_written == 3, "... written in order: 5 items, 3 pages");

	st = walk(body, 2, "data", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_ok && n == 2 && strcmp(lines, "GET /items?limit=2 "
	    "HTTP/1.1|GET /items?p=2 HTTP/1.1") == 0 &&
	    strcmp(text, "{\"id\":1}\n{\"id\":2}\n") == 0,
	    "a body's one next field (a relative URL) is followed; "
	    "\"next\":null ends the walk (%d: %s)", (int)st, lines);
}

static void
test_refused(void)
{
	static const struct canned_reply loop[] = {
		{ "200 OK\r\nLink: </items?after=b>; rel=\"next\"",
		    "[{\"id\":\"a\"}]", canned_reply },
		{ "200 OK\r\nLink: </items?after=b>; rel=\"next\"",
		    "[{\"id\":\"b\"}]", canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	static const struct canned_reply bodyloop[] = {
		{ "200 OK", "{\"data\":[{\"id\":1}],\"next\":\"/items?p=2\"}",
		    canned_reply },
		{ "200 OK", "{\"data\":[{\"id\":2}],\"next\":\"/items?p=2\"}",
		    canned_reply },
		{ "200 OK", "{\"data\":[{\"id\":2}],\"next\":\"/items?p=2\"}",
		    canned_reply },
		{ "200 OK", "{\"data\":[{\"id\":2}],\"next\":\"/items?p=2\"}",
		    canned_reply },
	};
	static const struct canned_reply away[] = {
		{ "200 OK\r\nLink: <http://127.0.0.2:9/items?after=a>; "
		    "rel=\"next\"", "[{\"id\":\"a\"}]", canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	static const struct canned_reply more[] = {
		{ "200 OK", "{\"data\":[{\"id\":1}],\"has_more\":true}",
		    canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	static const struct canned_reply token[] = {
		{ "200 OK", "{\"data\":[{\"id\":1}],\"next\":\"b64tok\"}",
		    canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	static const struct canned_reply again[] = {
		{ "200 OK\r\nLink: </items?after=a>; rel=\"next\"",
		    "[{\"id\":\"a\"}]", canned_reply },
		{ "200 OK\r\nLink: </items?after=x>; rel=\"next\"",
		    "[{\"id\":\"a\"}]", canned_reply },
		{ "200 OK", "[]", canned_reply },
	};
	char text[512], lines[512];
	enum exit_status st;
	int n;

	st = walk(loop, 3, "", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_protocol && n == 2, "a cursor given twice (a loop): "
	    "exit 7 after the second page, no third request (%d, %d "
	    "requests)", (int)st, n);
	st = walk(bodyloop, 4, "data", text, sizeof text, &n, lines,
	    sizeof lines);
	/* A next page found in a body's common field is remembered like
	 * any other: the loop check is on the URL to be asked. */
	ok(st == exit_protocol && n == 2, "a body's next field that comes back "
	    "(a loop): exit 7 after the second page, no third request (%d, %d "
	    "requests)", (int)st, n);
	st = walk(away, 2, "", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_protocol && n == 1, "a next page on another origin: "
	    "exit 7, never asked (%d, %d requests)", (int)st, n);
	st = walk(more, 2, "data", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_protocol && n == 1, "has_more: true and no next page to "
	    "follow: exit 7, not taken for the end (%d, %d requests)", (int)st,
	    n);
	st = walk(token, 2, "data", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_protocol && n == 1, "a body's next field that is a "
	    "token, with no --cursor-param to send it back: exit 7 (%d, %d "
	    "requests)", (int)st, n);
	st = walk(again, 3, "", text, sizeof text, &n, lines, sizeof lines);
	ok(st == exit_protocol && n == 2, "page 2 starts with page 1's first "
	    "item (the server ignores the cursor): exit 7 (%d, %d requests)",
	    (int)st, n);
}

/* --resume: a walk that failed at page 3 keeps its work; run again, it
 * asks page 3 at the URL page 2 named, and the output is the whole walk. */
static void
test_resumed(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK\r\nLink: </items?limit=2&after=b>; rel=\"next\"",
		    "[{\"id\":\"a\"},{\"id\":\"b\"}]", canned_reply },
		{ "200 OK\r\nLink: </items?limit=2&after=d>; rel=\"next\"",
		    "[{\"id\":\"c\"},{\"id\":\"d\"}]", canned_reply },
		{ "500 Internal Server Error", "down", canned_reply },
		{ "200 OK", "[{\"id\":\"e\"}]", canned_reply },
	};
	struct canned c;
	struct fetcher *f;
	enum exit_status st;
	char text[256], line[256];
	FILE *fp;
	size_t n = 0;

	if (!ok(canned_start(&c, r, 4) == 0, "the canned server starts"))
		return;
	f = ex_make(c.port, "", 1);
	st = f != NULL ? cursor_run(&ex, f) : exit_failure;
	ok(st == exit_failure && resume_keep(&ex, st) == 1,
	    "--resume, page 3 failed (exit 1): the work is kept");
	ex_free(f, 1);

	f = ex_make(c.port, "", 1);
	ok(f != NULL && ex.resuming, "run again: the walk is taken up");
	st = f != NULL ? cursor_run(&ex, f) : exit_failure;
	ok(st == exit_ok && canned_requests(&c) == 4 &&
	    strcmp(canned_request(&c, 3, line, sizeof line),
	    "GET /items?limit=2&after=d HTTP/1.1") == 0,
	    "... at page 3, asked at the URL page 2 named, nothing asked "
	    "again (%s)", line);
	if (st == exit_ok && writer_publish(ex.w) == writer_ok &&
	    (fp = fopen(path, "rb")) != NULL) {
		n = fread(text, 1, sizeof text - 1, fp);
		fclose(fp);
	}
	text[n] = '\0';
	ok(strcmp(text, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n"
	    "{\"id\":\"d\"}\n{\"id\":\"e\"}\n") == 0 && ex.items == 5,
	    "... the output is the whole walk's, 5 items");
	ex_free(f, 0);
	unlink(path);
	canned_stop(&c);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_cursor.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL || http_global_init() < 0)
		return 1;
	snprintf(path, sizeof path, "%s/out.ndjson", dir);
	/* The refusals' messages go to stderr: not this test's output. */
	log_set_level(log_level_quiet);
	test_follow();
	test_refused();
	test_resumed();
	http_global_cleanup();
	rmdir(dir);
	return tap_done();
}
