/* test_writer.c - the output files, their publication (split or not), their
 * mode and digests, and standard output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "digest.h"
#include "tap.h"
#include "writer.h"

static char dir[256];

/* dir/name, in one of four buffers used in turn. */
static char *
in_dir(const char *name)
{
	static char path[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
	return path[i];
}

/* Entries in dir whose names begin with '.' (temporary files), "." and
 * ".." aside. */
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

static int
holds(const char *path, const char *want)
{
	char got[256];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	n = read(fd, got, sizeof got - 1);
	close(fd);
	if (n < 0)
		return 0;
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int
publish(const char *path, const char *text)
{
	struct writer *w = writer_open(path);

	return w != NULL && writer_write(w, text, strlen(text)) == writer_ok &&
	    writer_commit(w) == writer_ok;
}

static void
test_files(void)
{
	struct writer *w;
	struct stat st;
	char *p;

	p = in_dir("new.gz");
	ok(publish(p, "first\n") && holds(p, "first\n"), "publish to a new path");
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600");
	ok(temps() == 0, "no temporary file left");

	put(p, "old\n");
	chmod(p, 0644);
	ok(publish(p, "second\n") && holds(p, "second\n"),
	    "replace an existing file");
	ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the replacement is 0600, whatever the old file was");

	put(in_dir("target"), "target\n");
	p = in_dir("link.gz");
	ok(symlink(in_dir("target"), p) == 0 && lstat(p, &st) == 0 &&
	    S_ISLNK(st.st_mode), "a symlink at the destination");
	ok(publish(p, "via link\n") && lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	    holds(p, "via link\n") && holds(in_dir("target"), "target\n"),
	    "a symlink at the destination is replaced, not followed");

	p = in_dir("aborted.gz");
	w = writer_open(p);
	ok(w != NULL && temps() == 1, "while writing: one temporary file, "
	    "beside the destination");
	ok(w != NULL && writer_write(w, "abc", 3) == writer_ok &&
	    writer_bytes(w) == 3, "writer_bytes counts");
	writer_abort(w);
	ok(access(p, F_OK) < 0 && temps() == 0, "abort leaves nothing");
	put(p, "old\n");
	w = writer_open(p);
	if (w != NULL)
		writer_write(w, "new\n", 4);
	writer_abort(w);
	ok(holds(p, "old\n") && temps() == 0, "abort leaves an older file as it was");
	writer_abort(NULL);
	ok(1, "abort takes NULL");

	ok(writer_open(in_dir("no/such/dir/x.gz")) == NULL && temps() == 0,
	    "a missing directory: NULL, nothing created");
	ok(writer_open(dir) == NULL, "a directory as destination: NULL");
}

static void
test_emergency(void)
{
	struct writer *w;
	char *p = in_dir("emergency.gz");

	/* After a publication the slot says "published"; a writer that
	 * cannot create its file leaves it free. */
	writer_abort(writer_open(in_dir("no/such/dir/x.gz")));
	ok(writer_emergency_unlink() == writer_emergency_clean,
	    "emergency with no writer open: nothing to do");
	ok(publish(p, "x") && writer_emergency_unlink() ==
	    writer_emergency_published,
	    "emergency after a publication: let the run end");
	unlink(p);
	w = writer_open(p);
	if (w != NULL)
		writer_write(w, "abc", 3);
	ok(w != NULL && temps() == 1, "a temporary file to remove");
	ok(writer_emergency_unlink() == writer_emergency_clean && temps() == 0,
	    "emergency removes it");
	ok(writer_emergency_unlink() == writer_emergency_clean,
	    "twice is harmless");
	ok(w != NULL && writer_commit(w) == writer_error &&
	    access(p, F_OK) < 0 && temps() == 0,
	    "the commit that follows fails and publishes nothing");

	/* The process is meant to end there; if it does not, later writers
	 * still work (unregistered). */
	w = writer_open(p);
	ok(w != NULL && temps() == 1, "a writer opened after that works");
	writer_abort(w);
	ok(temps() == 0 && access(p, F_OK) < 0, "and its abort cleans up");
}

/* Entries in dir whose names begin with prefix. */
static int
entries(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Writes one page of items lines "pN" (page n) and ends it. */
static int
page(struct writer *w, int n, int items)
{
	char line[32];
	int i, len;

	for (i = 0; i < items; i++) {
		len = snprintf(line, sizeof line, "p%d.%d\n", n, i);
		if (writer_write(w, line, (size_t)len) != writer_ok)
			return 0;
	}
	return writer_page_end(w, (unsigned long long)items) == writer_ok;
}

/* What page(w, n, items) writes, appended to out. */
static void
page_text(char *out, size_t outsz, int n, int items)
{
	size_t len;
	int i;

	for (i = 0; i < items; i++) {
		len = strlen(out);
		snprintf(out + len, outsz - len, "p%d.%d\n", n, i);
	}
}

static struct writer *
open_split(const char *name, unsigned long long items,
    unsigned long long bytes)
{
	struct writer_opts o = { 0, items, bytes, NULL, 0, 0, 0, 0, NULL };

	return writer_open_opts(in_dir(name), &o);
}

static void
test_split_items(void)
{
	const struct writer_part *parts;
	char want0[256] = "", want1[256] = "";
	struct writer *w;
	size_t n = 99;
	int good;

	/* Parts of at least 3 items, cut at page ends: 2+2 | 1+2. */
	w = open_split("si.ndjson.gz", 3, 0);
	ok(w != NULL && temps() == 1 && entries("si") == 0,
	    "split: one temporary directory, nothing under the parts' names");
	good = w != NULL && page(w, 0, 2) && page(w, 1, 2) && page(w, 2, 1) &&
	    page(w, 3, 2);
	page_text(want0, sizeof want0, 0, 2);
	page_text(want0, sizeof want0, 1, 2);
	page_text(want1, sizeof want1, 2, 1);
	page_text(want1, sizeof want1, 3, 2);
	ok(good && entries("si") == 0 && temps() == 1,
	    "split: nothing published while writing");
	ok(good && writer_parts(w, &n) == NULL && n == 0,
	    "writer_parts before the publication: none");
	ok(good && writer_publish(w) == writer_ok, "split by items: published");
	parts = w != NULL ? writer_parts(w, &n) : NULL;
	ok(parts != NULL && n == 2, "two parts (a page that fills one exactly "
	    "makes no empty part)");
	ok(holds(in_dir("si-00000.ndjson.gz"), want0) &&
	    holds(in_dir("si-00001.ndjson.gz"), want1),
	    "the parts hold whole pages: 2+2 items, then 1+2");
	ok(parts != NULL && n == 2 && parts[0].items == 4 &&
	    parts[1].items == 3 && parts[0].bytes == strlen(want0) &&
	    parts[1].bytes == strlen(want1),
	    "writer_parts: items and bytes of each part");
	ok(parts != NULL && n == 2 &&
	    strcmp(parts[0].path, in_dir("si-00000.ndjson.gz")) == 0 &&
	    strcmp(parts[1].path, in_dir("si-00001.ndjson.gz")) == 0,
	    "writer_parts: the published paths");
	ok(access(in_dir("si.ndjson.gz"), F_OK) < 0 &&
	    access(in_dir("si-00002.ndjson.gz"), F_OK) < 0 && temps() == 0,
	    "no file under the destination's own name, no third part, "
	    "no temporary file or directory left");
	ok(w != NULL && writer_bytes(w) == strlen(want0) + strlen(want1),
	    "writer_bytes counts all parts");
	writer_abort(w);
	ok(holds(in_dir("si-00000.ndjson.gz"), want0),
	    "writer_abort after the publication only frees");
	unlink(in_dir("si-00000.ndjson.gz"));
	unlink(in_dir("si-00001.ndjson.gz"));

	/* Every page fills a part. */
	w = open_split("one.gz", 1, 0);
	good = w != NULL && page(w, 0, 1) && page(w, 1, 5) && page(w, 2, 1);
	ok(good && writer_commit(w) == writer_ok &&
	    access(in_dir("one-00000.gz"), F_OK) == 0 &&
	    access(in_dir("one-00001.gz"), F_OK) == 0 &&
	    access(in_dir("one-00002.gz"), F_OK) == 0 &&
	    access(in_dir("one-00003.gz"), F_OK) < 0 && temps() == 0,
	    "split every item: a part per page, a page of 5 stays whole "
	    "(writer_commit)");
	unlink(in_dir("one-00000.gz"));
	unlink(in_dir("one-00001.gz"));
	unlink(in_dir("one-00002.gz"));

	/* Nothing written at all: one empty part. */
	w = open_split("empty.ndjson", 10, 0);
	ok(w != NULL && writer_publish(w) == writer_ok &&
	    writer_parts(w, &n) != NULL && n == 1 &&
	    holds(in_dir("empty-00000.ndjson"), "") && temps() == 0,
	    "an empty split export: one empty part");
	writer_abort(w);
	unlink(in_dir("empty-00000.ndjson"));
}

static void
test_split_bytes(void)
{
	const struct writer_part *parts;
	struct writer *w;
	size_t n = 0;
	int good;

	/* 10 bytes a part, but only at page ends. */
	w = open_split("sb.jsonl", 0, 10);
	good = w != NULL &&
	    writer_write(w, "123456\n", 7) == writer_ok &&
	    writer_write(w, "abcdef\n", 7) == writer_ok &&
	    writer_write(w, "ABCDEF\n", 7) == writer_ok;
	ok(good && temps() == 1, "21 bytes without a page end: no cut");
	good = good && writer_page_end(w, 3) == writer_ok &&
	    writer_write(w, "x\n", 2) == writer_ok &&
	    writer_page_end(w, 1) == writer_ok &&
	    writer_write(w, "yyyyyyy\n", 8) == writer_ok &&
	    writer_page_end(w, 1) == writer_ok &&
	    writer_write(w, "z\n", 2) == writer_ok &&
	    writer_page_end(w, 1) == writer_ok;
	ok(good && writer_publish(w) == writer_ok, "split by bytes: published");
	parts = w != NULL ? writer_parts(w, &n) : NULL;
	ok(parts != NULL && n == 3 &&
	    holds(in_dir("sb-00000.jsonl"), "123456\nabcdef\nABCDEF\n") &&
	    holds(in_dir("sb-00001.jsonl"), "x\nyyyyyyy\n") &&
	    holds(in_dir("sb-00002.jsonl"), "z\n"),
	    "cut at the first page end at or past 10 bytes: 21 | 2+8 | 2");
	ok(parts != NULL && n == 3 && parts[0].items == 3 &&
	    parts[1].items == 2 && parts[2].items == 1 &&
	    parts[0].bytes == 21 && parts[1].bytes == 10 && parts[2].bytes == 2,
	    "items and bytes of each part");
	ok(temps() == 0, "no temporary file left");
	writer_abort(w);
	unlink(in_dir("sb-00000.jsonl"));
	unlink(in_dir("sb-00001.jsonl"));
	unlink(in_dir("sb-00002.jsonl"));

	/* Either limit cuts. */
	w = open_split("both.gz", 100, 4);
	good = w != NULL && page(w, 0, 1) && page(w, 1, 1);
	ok(good && writer_commit(w) == writer_ok &&
	    access(in_dir("both-00001.gz"), F_OK) == 0 && temps() == 0,
	    "items and bytes together: whichever comes first cuts");
	unlink(in_dir("both-00000.gz"));
	unlink(in_dir("both-00001.gz"));
}

static void
test_split_names(void)
{
	static const char *const cases[][2] = {
		{ "n1.ndjson.gz", "n1-00000.ndjson.gz" },
		{ "n2.ndjson", "n2-00000.ndjson" },
		{ "n3.jsonl.gz", "n3-00000.jsonl.gz" },
		{ "n4.jsonl", "n4-00000.jsonl" },
		{ "n5.json.gz", "n5-00000.json.gz" },
		{ "n6.gz", "n6-00000.gz" },
		{ "n7.csv", "n7.csv-00000" },
		{ "n8", "n8-00000" },
		{ "n9.json", "n9.json-00000" },
		{ "n10.tar.gz", "n10.tar-00000.gz" },
		{ ".gz", ".gz-00000" },
	};
	struct writer *w;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		w = open_split(cases[i][0], 1, 0);
		ok(w != NULL && page(w, 0, 1) && writer_commit(w) == writer_ok &&
		    access(in_dir(cases[i][1]), F_OK) == 0 && temps() ==
		    (cases[i][1][0] == '.' ? 1 : 0),
		    "%s is split into %s, ...", cases[i][0], cases[i][1]);
		unlink(in_dir(cases[i][1]));
	}
	w = open_split("n11.ndjson.gz", 1, 0);
	for (i = 0; w != NULL && i < 12; i++)
		page(w, (int)i, 1);
	ok(w != NULL && writer_commit(w) == writer_ok &&
	    access(in_dir("n11-00011.ndjson.gz"), F_OK) == 0,
	    "twelve parts: the twelfth is n11-00011.ndjson.gz");
	for (i = 0; i < 12; i++) {
		char name[64];

		snprintf(name, sizeof name, "n11-%05zu.ndjson.gz", i);
		unlink(in_dir(name));
	}
	ok(temps() == 0, "nothing left");
	{
		struct writer_opts o = { 0, 1, 0, NULL, 0, 0, 0, 0, NULL };

		ok(writer_open_opts("-", &o) == NULL,
		    "standard output cannot be split");
	}
	mkdir(in_dir("isdir-00000.gz"), 0700);
	ok(open_split("isdir.gz", 1, 0) == NULL && temps() == 0,
	    "the first part's name is a directory: NULL, nothing created");
	rmdir(in_dir("isdir-00000.gz"));
}

/* Publications that fail half way: nothing appears, what was there stays. */
static void
test_split_all_or_none(void)
{
	struct writer *w;
	size_t n = 9;
	int good;

	/* An older part 0, and part 2's name is a directory: parts 0 and 1
	 * are renamed, part 2 cannot be. */
	put(in_dir("an-00000.ndjson.gz"), "old 0\n");
	mkdir(in_dir("an-00002.ndjson.gz"), 0700);
	w = open_split("an.ndjson.gz", 1, 0);
	good = w != NULL && page(w, 0, 1) && page(w, 1, 1) && page(w, 2, 1) &&
	    page(w, 3, 1);
	ok(good, "four parts written");
	ok(good && writer_publish(w) == writer_error,
	    "a rename fails half way: writer_error");
	ok(w != NULL && writer_parts(w, &n) == NULL && n == 0,
	    "writer_parts: nothing published");
	writer_abort(w);
	ok(holds(in_dir("an-00000.ndjson.gz"), "old 0\n"),
	    "the older part 0, replaced already, is put back");
	ok(access(in_dir("an-00001.ndjson.gz"), F_OK) < 0,
	    "the new part 1, renamed already, is removed");
	ok(access(in_dir("an-00003.ndjson.gz"), F_OK) < 0,
	    "part 3 never appears");
	ok(temps() == 0 && entries("an") == 2,
	    "no temporary file or directory left, no other file");
	rmdir(in_dir("an-00002.ndjson.gz"));
	unlink(in_dir("an-00000.ndjson.gz"));

	/* No older files: the parts renamed are removed. */
	mkdir(in_dir("bn-00001.gz"), 0700);
	w = open_split("bn.gz", 0, 1);
	good = w != NULL && page(w, 0, 1) && page(w, 1, 1);
	ok(good && writer_commit(w) == writer_error &&
	    access(in_dir("bn-00000.gz"), F_OK) < 0 && temps() == 0 &&
	    entries("bn") == 1,
	    "part 1's name is a directory: part 0 is taken back, nothing left");
	rmdir(in_dir("bn-00001.gz"));

	/* Abort. */
	put(in_dir("rm-00000.gz"), "old\n");
	w = open_split("rm.gz", 1, 0);
	good = w != NULL && page(w, 0, 1) && page(w, 1, 1) && page(w, 2, 1);
	ok(good && temps() == 1, "three parts written");
	writer_abort(w);
	ok(temps() == 0 && entries("rm") == 1 &&
	    holds(in_dir("rm-00000.gz"), "old\n"),
	    "abort removes every part and the directory, older files stay");
	unlink(in_dir("rm-00000.gz"));

	/* Older parts replaced on success, and the links made to keep them
	 * are gone. */
	put(in_dir("ok-00000.gz"), "old\n");
	w = open_split("ok.gz", 1, 0);
	ok(w != NULL && page(w, 0, 1) && writer_commit(w) == writer_ok &&
	    holds(in_dir("ok-00000.gz"), "p0.0\n") && temps() == 0,
	    "an older part is replaced");
	unlink(in_dir("ok-00000.gz"));
}

static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void
test_mode(void)
{
	struct writer_opts o = { 0640, 0, 0, NULL, 0, 0, 0, 0, NULL };
	struct writer *w;
	mode_t old = umask(077);
	char p[512];

	snprintf(p, sizeof p, "%s", in_dir("mode.gz"));

	w = writer_open_opts(p, &o);
	ok(w != NULL && writer_write(w, "x\n", 2) == writer_ok &&
	    writer_commit(w) == writer_ok && mode_of(p) == 0640,
	    "mode 0640 under umask 077: 0640");
	put(p, "old\n");
	chmod(p, 0666);
	o.mode = 0;
	w = writer_open_opts(p, &o);
	ok(w != NULL && writer_commit(w) == writer_ok && mode_of(p) == 0600,
	    "mode 0 is the default, 0600, whatever the older file had");
	umask(0);
	o.mode = 0604;
	w = writer_open_opts(p, &o);
	ok(w != NULL && writer_commit(w) == writer_ok && mode_of(p) == 0604,
	    "mode 0604 under umask 0: 0604");
	w = writer_open(p);
	ok(w != NULL && writer_commit(w) == writer_ok && mode_of(p) == 0600,
	    "writer_open under umask 0: 0600");
	unlink(p);
	umask(077);
	o.mode = 0644;
	o.split_items = 1;
	w = writer_open_opts(in_dir("modes.gz"), &o);
	ok(w != NULL && page(w, 0, 1) && page(w, 1, 1) &&
	    writer_commit(w) == writer_ok &&
	    mode_of(in_dir("modes-00000.gz")) == 0644 &&
	    mode_of(in_dir("modes-00001.gz")) == 0644,
	    "split: every part has the mode");
	unlink(in_dir("modes-00000.gz"));
	unlink(in_dir("modes-00001.gz"));
	umask(old);
	o.split_items = 0;
	o.mode = 01777;
	ok(writer_open_opts(p, &o) == NULL && temps() == 0,
	    "mode 01777 is refused");
	o.mode = -1;
	ok(writer_open_opts(p, &o) == NULL, "mode -1 is refused");
}

/* sha256sum's digest of path in out, or "" when it cannot be run. */
static void
sha256sum(const char *path, char out[DIGEST_HEX_SIZE])
{
	char cmd[600], line[256];
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof cmd, "sha256sum '%s' 2>/dev/null", path);
	if ((f = popen(cmd, "r")) == NULL)
		return;
	if (fgets(line, sizeof line, f) != NULL && strlen(line) > 64 &&
	    line[64] == ' ') {
		memcpy(out, line, 64);
		out[64] = '\0';
	}
	pclose(f);
}

static void
test_digest(void)
{
	static const char abc[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char empty[] =
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const struct writer_part *parts;
	char hex[DIGEST_HEX_SIZE], sum[DIGEST_HEX_SIZE];
	struct writer *w;
	size_t n = 0, i;
	int good, have_sum;

	ok(digest_sha256_hex("abc", 3, hex) == 0 && strcmp(hex, abc) == 0,
	    "SHA-256 of \"abc\" (FIPS 180-2's example)");
	ok(digest_sha256_hex("", 0, hex) == 0 && strcmp(hex, empty) == 0,
	    "SHA-256 of nothing");

	w = writer_open(in_dir("abc.gz"));
	good = w != NULL && writer_write(w, "a", 1) == writer_ok &&
	    writer_write(w, "bc", 2) == writer_ok &&
	    writer_page_end(w, 1) == writer_ok && writer_publish(w) == writer_ok;
	parts = good ? writer_parts(w, &n) : NULL;
	ok(parts != NULL && n == 1 && strcmp(parts[0].sha256, abc) == 0 &&
	    parts[0].bytes == 3 && parts[0].items == 1 &&
	    strcmp(parts[0].path, in_dir("abc.gz")) == 0,
	    "one file: its path, 1 item, 3 bytes, SHA-256 of \"abc\" fed "
	    "in two writes");
	sha256sum(in_dir("abc.gz"), sum);
	have_sum = sum[0] != '\0';
	if (have_sum)
		ok(strcmp(sum, abc) == 0, "sha256sum agrees");
	else
		ok(1, "# SKIP sha256sum cannot be run");
	writer_abort(w);
	unlink(in_dir("abc.gz"));

	w = open_split("dg.ndjson.gz", 0, 100);
	for (i = 0; w != NULL && i < 40; i++)
		page(w, (int)i, (int)(i % 7) + 1);
	good = w != NULL && writer_publish(w) == writer_ok;
	parts = good ? writer_parts(w, &n) : NULL;
	ok(parts != NULL && n > 2, "split by 100 bytes: %zu parts", n);
	for (i = 0; parts != NULL && i < n; i++) {
		sha256sum(parts[i].path, sum);
		if (have_sum)
			ok(strcmp(sum, parts[i].sha256) == 0,
			    "part %zu: sha256sum agrees", i);
		unlink(parts[i].path);
	}
	writer_abort(w);
	ok(temps() == 0, "nothing left");
}

/*
 * In a child: the emergency slot is good for one emergency per process
 * (test_emergency has the parent's).  The child answers in its exit
 * status, a bit a check.
 */
static void
test_emergency_split(void)
{
	struct writer *w;
	pid_t pid;
	int status, bits = 0;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		w = open_split("em.gz", 1, 0);
		if (w != NULL && page(w, 0, 1) && page(w, 1, 1) &&
		    page(w, 2, 1) && temps() == 1)
			bits |= 1;
		if (writer_emergency_unlink() == writer_emergency_clean &&
		    temps() == 0)
			bits |= 2;
		if (w != NULL && writer_commit(w) == writer_error &&
		    entries("em") == 0 && temps() == 0)
			bits |= 4;
		_exit(bits);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = 0;
	else
		bits = WEXITSTATUS(status);
	ok(bits & 1, "split: three parts in a temporary directory");
	ok(bits & 2, "emergency removes the directory and every part in it");
	ok(bits & 4, "the commit that follows fails and publishes nothing");
}

/* Runs writer "-" with standard output on fd; returns what each step
 * gave as "write/commit". */
static void
to_stdout(int fd, enum writer_status *wst, enum writer_status *cst)
{
	struct writer *w;
	int saved;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	w = writer_open("-");
	*wst = writer_write(w, "line\n", 5);
	if (*wst == writer_ok)
		*cst = writer_commit(w);
	else {
		*cst = writer_error;
		writer_abort(w);
	}
	dup2(saved, STDOUT_FILENO);
	close(saved);
}

static void
test_stdout_parts(void)
{
	const struct writer_part *parts;
	struct writer *w;
	size_t n = 0;
	int fd, saved, good;

	fd = open(in_dir("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	w = writer_open("-");
	good = w != NULL && writer_write(w, "ab", 2) == writer_ok &&
	    writer_write(w, "c", 1) == writer_ok &&
	    writer_page_end(w, 2) == writer_ok && writer_page_end(w, 1) ==
	    writer_ok && writer_publish(w) == writer_ok;
	parts = good ? writer_parts(w, &n) : NULL;
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ok(parts != NULL && n == 1 && strcmp(parts[0].path, "-") == 0 &&
	    parts[0].items == 3 && parts[0].bytes == 3 &&
	    strcmp(parts[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad") == 0,
	    "\"-\": one part, \"-\", its items, bytes and SHA-256");
	writer_abort(w);
}

static void
test_stdout(void)
{
	enum writer_status wst, cst;
	int fd, p[2];

	fd = open(in_dir("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	to_stdout(fd, &wst, &cst);
	close(fd);
	ok(wst == writer_ok && cst == writer_ok && holds(in_dir("stdout"), "line\n"),
	    "\"-\" to a file: written, synced, closed");
	if ((fd = open("/dev/full", O_WRONLY)) >= 0) {
		to_stdout(fd, &wst, &cst);
		close(fd);
		ok(wst == writer_error, "\"-\" to /dev/full: an error");
	} else
		ok(1, "# SKIP no /dev/full");
	if (pipe(p) == 0) {
		close(p[0]);
		to_stdout(p[1], &wst, &cst);
		close(p[1]);
		ok(wst == writer_closed, "\"-\" to a pipe nobody reads: closed");
	}
	if (pipe(p) == 0) {
		to_stdout(p[1], &wst, &cst);
		close(p[1]);
		ok(wst == writer_ok && cst == writer_ok, "\"-\" to a pipe: fine");
		close(p[0]);
	}
}

/* A FIFO at the destination is written in place, not replaced. */
static void
test_fifo(void)
{
	const struct writer_part *parts;
	struct writer_opts o = { 0, 1, 0, NULL, 0, 0, 0, 0, NULL };
	struct writer *w;
	struct stat st;
	char *p = in_dir("fifo"), got[16];
	size_t n = 0;
	ssize_t r = -1;
	int rfd, good;

	if (mkfifo(p, 0600) < 0 || (rfd = open(p, O_RDONLY | O_NONBLOCK)) < 0) {
		ok(1, "# SKIP no FIFO: %s", strerror(errno));
		return;
	}
	w = writer_open(p);
	good = w != NULL && temps() == 0 && writer_write(w, "abc", 3) ==
	    writer_ok && writer_page_end(w, 1) == writer_ok &&
	    writer_publish(w) == writer_ok;
	parts = good ? writer_parts(w, &n) : NULL;
	if (good)
		r = read(rfd, got, sizeof got);
	ok(good && r == 3 && memcmp(got, "abc", 3) == 0,
	    "a FIFO: written in place, no temporary file");
	ok(lstat(p, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (st.st_mode & 07777) == 0600,
	    "the FIFO is still there, with its own mode");
	ok(parts != NULL && n == 1 && strcmp(parts[0].path, p) == 0 &&
	    parts[0].items == 1 && parts[0].bytes == 3 &&
	    strcmp(parts[0].sha256, "ba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad") == 0,
	    "writer_parts: its path, items, bytes and SHA-256");
	writer_abort(w);
	ok(writer_open_opts(p, &o) == NULL, "a FIFO cannot be split");
	w = writer_open(p);
	close(rfd);
	ok(w != NULL && writer_write(w, "x", 1) == writer_closed,
	    "a FIFO whose reader went away: closed");
	writer_abort(w);
	ok(temps() == 0, "nothing left");
	unlink(p);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "%s/test_writer.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		return 1;
	}
	test_files();
	test_split_items();
	test_split_bytes();
	test_split_names();
	test_split_all_or_none();
	test_mode();
	test_digest();
	test_emergency_split();
	test_emergency();
	test_stdout();
	test_stdout_parts();
	test_fifo();

	unlink(in_dir("new.gz"));
	unlink(in_dir("target"));
	unlink(in_dir("link.gz"));
	unlink(in_dir("aborted.gz"));
	unlink(in_dir("stdout"));
	rmdir(dir);
	return tap_done();
}
