/* test_writer.c - the output file, its publication, and standard output. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	test_emergency();
	test_stdout();

	unlink(in_dir("new.gz"));
	unlink(in_dir("target"));
	unlink(in_dir("link.gz"));
	unlink(in_dir("aborted.gz"));
	unlink(in_dir("stdout"));
	rmdir(dir);
	return tap_done();
}
