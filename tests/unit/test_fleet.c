/*
 * test_fleet.c - a run of many targets (fleet.c): which target a runner
 * takes next (fleet_pick: a target of a host slow to answer first, else one
 * of the host with the fewest targets begun, file order breaking ties; each
 * target once, however many runners ask at once), how many workers each
 * export gets (fleet_workers), and how many targets run at once
 * (fleet_width).
 *
 * These are fleet.c's own static functions: the file is compiled into this
 * test (its fleet_run then comes from here, not from the library), so that
 * the order is tested without running exports over a network, where it
 * would depend on their timing.  fleet_run itself runs three real exports
 * against canned.h's loopback server.
 */
#include "../../src/fleet.c"

#include <sys/stat.h>
#include <unistd.h>

#include "canned.h"
#include "clock.h"
#include "http.h"
#include "tap.h"

static atomic_int no_cancel;

/* A fleet of the targets at urls (NULL-terminated), k runners, as
 * fleet_run makes it. */
static void
fleet_make(struct fleet *fl, struct options *o, struct target *t,
    const char *const *urls, int k)
{
	int n;

	memset(o, 0, sizeof *o);
	for (n = 0; urls[n] != NULL; n++) {
		memset(&t[n], 0, sizeof t[n]);
		t[n].url = urls[n];
	}
	o->targets = t;
	o->ntargets = n;
	o->workers = 8;
	memset(fl, 0, sizeof *fl);
	fl->o = o;
	fl->k = k;
	hosts_init(&fl->hosts, 0, 0, o->workers);
	fleet_hosts(fl);
	thread_mutex_init(&fl->lock);
}

static void
fleet_unmake(struct fleet *fl)
{
	hosts_destroy(&fl->hosts);
	free(fl->hidx);
	free(fl->hlist);
	free(fl->hbegun);
	free(fl->taken);
	thread_mutex_destroy(&fl->lock);
}

/* The order of every pick, as "0 2 3 1". */
static const char *
picks(struct fleet *fl, char *out, size_t n)
{
	double busy[8];
	int i;

	out[0] = '\0';
	while ((i = fleet_pick(fl, busy)) >= 0)
		snprintf(out + strlen(out), n - strlen(out), "%s%d",
		    out[0] ? " " : "", i);
	return out;
}

static void
test_order(void)
{
	static const char *const urls[] = {
		"https://a.example/1", "https://a.example/2", "https://a.example/3",
		"https://b.example/1", "https://b.example/2", "https://c.example/1",
		NULL
	};
	struct options o;
	struct target t[8];
	struct fleet fl;
	char got[64];

	fleet_make(&fl, &o, t, urls, 2);
	ok(fl.nhosts == 3, "six targets on three hosts");
	picks(&fl, got, sizeof got);
	ok(strcmp(got, "0 3 5 1 4 2") == 0, "nothing slow: every host once "
	    "(a, b, c) before any twice, file order within (got %s)", got);
	fleet_unmake(&fl);
}

/* A host with a request unanswered for a while goes first. */
static void
test_slow(void)
{
	static const char *const urls[] = {
		"https://a.example/1", "https://b.example/1", "https://c.example/1",
		"https://c.example/2", "https://b.example/2", NULL
	};
	struct options o;
	struct target t[8];
	struct fleet fl;
	struct hosts_member m;
	struct host *b, *c;
	double busy[8];
	char got[64];
	int first;

	fleet_make(&fl, &o, t, urls, 2);
	hosts_join(&fl.hosts, &m);
	b = hosts_get(&fl.hosts, "https://b.example/");
	c = hosts_get(&fl.hosts, "https://c.example/");
	host_enter(&fl.hosts, c, &m, &no_cancel);
	first = fleet_pick(&fl, busy);
	ok(first == 0, "c has a request under way, but not for 0.1 s: still "
	    "file order (got %d)", first);
	/* c's request has been under way for a second: slow. */
	c->busy_since = clock_now() - 1.0;
	first = fleet_pick(&fl, busy);
	ok(first == 2, "a host with a request unanswered for 1 s: its "
	    "target first, before b's untouched one (got %d)", first);
	host_enter(&fl.hosts, b, &m, &no_cancel);
	b->busy_since = clock_now() - 2.0;
	first = fleet_pick(&fl, busy);
	ok(first == 1, "two slow hosts: the one unanswered the longest (b, "
	    "2 s, over c, 1 s) first (got %d)", first);
	host_leave(&fl.hosts, b, &m);
	host_leave(&fl.hosts, c, &m);
	picks(&fl, got, sizeof got);
	ok(strcmp(got, "3 4") == 0, "answered again: the fewest begun, then "
	    "file order (b and c have one each; got %s)", got);
	hosts_part(&fl.hosts, &m);
	fleet_unmake(&fl);
}

/* A target whose URL has no host fails at once: taken first. */
static void
test_no_host(void)
{
	static const char *const urls[] = {
		"https://a.example/1", "https://a.example/2", "not a url", NULL
	};
	struct options o;
	struct target t[4];
	struct fleet fl;
	char got[64];

	fleet_make(&fl, &o, t, urls, 2);
	picks(&fl, got, sizeof got);
	ok(strcmp(got, "2 0 1") == 0, "a target without a host (it fails at "
	    "once, waiting for no host) is taken before any other (got %s)",
	    got);
	fleet_unmake(&fl);
}

/* Many runners at once: every target taken exactly once. */
#define NT 40
#define NR 8

struct runner {
	struct fleet *fl;
	int got[NT];
};

static void *
runner(void *arg)
{
	struct runner *r = arg;
	double busy[8];
	int i;

	while ((i = fleet_pick(r->fl, busy)) >= 0)
		r->got[i]++;
	return NULL;
}

static void
test_once(void)
{
	static const char *hosts[] = {
		"https://a.example/", "https://b.example/", "https://c.example/"
	};
	static char urlbuf[NT][32];
	const char *urls[NT + 1];
	struct options o;
	struct target t[NT];
	struct fleet fl;
	struct runner r[NR];
	pthread_t tid[NR];
	int i, j, n, bad = 0, started = 0;

	for (i = 0; i < NT; i++) {
		snprintf(urlbuf[i], sizeof urlbuf[i], "%s%d", hosts[i % 3], i);
		urls[i] = urlbuf[i];
	}
	urls[NT] = NULL;
	fleet_make(&fl, &o, t, urls, NR);
	memset(r, 0, sizeof r);
	for (i = 0; i < NR; i++) {
		r[i].fl = &fl;
		if (pthread_create(&tid[i], NULL, runner, &r[i]) == 0)
			started = i + 1;
		else
			break;
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (j = 0; j < NT; j++) {
		for (n = 0, i = 0; i < NR; i++)
			n += r[i].got[j];
		bad += n != 1;
	}
	ok(started == NR && bad == 0, "8 runners picking 40 targets at once: "
	    "each target taken exactly once (%d not)", bad);
	fleet_unmake(&fl);
}

static void
test_workers(void)
{
	ok(fleet_workers(16, 1) == 16, "one target at once: all 16 workers");
	ok(fleet_workers(256, 64) == 8, "256 workers, 64 at once: twice the "
	    "share of 4 (got %d)", fleet_workers(256, 64));
	ok(fleet_workers(8, 16) == 8, "8 workers, 16 at once: 256/16 = 16 at "
	    "least, but never more than the run's 8");
	ok(fleet_workers(256, 512) == 2, "256 workers, 512 at once: 2 (twice "
	    "a share of 1; got %d)", fleet_workers(256, 512));
	ok(fleet_workers(64, 8) == 32, "64 workers, 8 at once: 256/8 = 32 at "
	    "least (got %d)", fleet_workers(64, 8));
}

/* Targets at once: one per thread that runs tasks, half as many when a
 * target has --expand (its listing is a task of its own); never more
 * than the targets. */
static void
test_width(void)
{
	struct options o;
	struct target t[40];

	memset(&o, 0, sizeof o);
	memset(t, 0, sizeof t);
	o.targets = t;
	o.ntargets = 40;
	ok(fleet_width(&o, 17) == 17, "40 targets, 17 threads: 17 at once "
	    "(got %d)", fleet_width(&o, 17));
	o.ntargets = 3;
	ok(fleet_width(&o, 17) == 3, "3 targets: 3 (got %d)",
	    fleet_width(&o, 17));
	o.ntargets = 40;
	t[39].nexpand = 1;
	ok(fleet_width(&o, 17) == 8, "one target with --expand: 8 (got %d)",
	    fleet_width(&o, 17));
	ok(fleet_width(&o, 2) == 1, "... and 1 of 2 threads (got %d)",
	    fleet_width(&o, 2));
}

/* A whole run: one target's failure stops no other; the run's status is
 * the first failed target's in the file's order, not the worst. */
static void
test_run(void)
{
	static const struct canned_reply r[] = {
		{ "200 OK", "{\"x\":1}", canned_reply },
		{ "404 Not Found", "no", canned_reply },
		{ "401 Unauthorized", "who", canned_reply },
		{ "200 OK", "{\"x\":4}", canned_reply },
	};
	static const char *const paths[] = { "/a", "/b", "/c", "/d" };
	static const char *const names[] = { "a", "b", "c", "d" };
	const char *tmp = getenv("TMPDIR");
	char dir[64], jobs[128], path[128], text[64], *argv[8];
	struct options o;
	struct canned c;
	struct crew *crew;
	enum exit_status st;
	atomic_int stop = 0;
	FILE *f;
	size_t n;
	int i, good;

	snprintf(dir, sizeof dir, "%s/test_fleet.XXXXXX",
	    tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!ok(mkdtemp(dir) != NULL && canned_start_paths(&c, r, paths, 4) ==
	    0, "a directory and the canned server"))
		return;
	snprintf(jobs, sizeof jobs, "%s/jobs.ini", dir);
	if ((f = fopen(jobs, "w")) != NULL) {
		fprintf(f, "[defaults]\nprofile = object\n");
		for (i = 0; i < 4; i++)
			fprintf(f, "\n[%s]\nurl = http://127.0.0.1:%d/%s\n"
			    "output = %s/%s.ndjson\n", names[i], c.port, names[i],
			    dir, names[i]);
		fclose(f);
	}
	chmod(jobs, 0600);
	argv[0] = (char *)"invdump";
	argv[1] = (char *)"-q";
	argv[2] = (char *)"-w";
	argv[3] = (char *)"2";
	argv[4] = (char *)"--jobs";
	argv[5] = jobs;
	argv[6] = NULL;
	if (!ok(cli_parse(6, argv, &o) == cli_run && o.ntargets == 4,
	    "a jobs file of four targets")) {
		cli_free(&o);
		canned_stop(&c);
		return;
	}
	if ((crew = crew_new(2, NULL)) == NULL) {
		ok(0, "a crew of two threads");
		cli_free(&o);
		canned_stop(&c);
		return;
	}
	st = fleet_run(&o, crew, &stop, NULL);
	crew_free(crew);
	ok(st == exit_failure, "b failed with a 404 (1), c with a 401 (4): "
	    "the run's status is b's, the first in the file (got %d)", (int)st);
	for (good = 0, i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s.ndjson", dir, names[i]);
		text[0] = '\0';
		if ((f = fopen(path, "rb")) != NULL) {
			n = fread(text, 1, sizeof text - 1, f);
			text[n] = '\0';
			fclose(f);
			unlink(path);
		}
		good += (i == 0 && strcmp(text, "{\"x\":1}\n") == 0) ||
		    (i == 3 && strcmp(text, "{\"x\":4}\n") == 0) ||
		    ((i == 1 || i == 2) && text[0] == '\0');
	}
	ok(good == 4, "the failures stopped no other target: a and d "
	    "published, b and c not (%d of 4 as they should be)", good);
	ok(canned_requests(&c) == 4, "one request a target (got %d)",
	    canned_requests(&c));
	cli_free(&o);
	canned_stop(&c);
	unlink(jobs);
	rmdir(dir);
}

int
main(void)
{
	log_set_level(log_level_quiet);
	test_order();
	test_slow();
	test_no_host();
	test_once();
	test_workers();
	test_width();
	if (http_global_init() == 0) {
		test_run();
		http_global_cleanup();
	}
	return tap_done();
}
