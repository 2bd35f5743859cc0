/*
 * writer.c - output file and atomic publication (see writer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "writer.h"
#include "xalloc.h"

struct writer {
	int fd;
	int is_stdout;
	char *path;             /* destination */
	char *tmp;              /* temporary file, NULL for stdout */
	char *dir;              /* destination's directory, for its fsync */
	unsigned long long bytes;
};

static void
writer_free(struct writer *w)
{
	free(w->path);
	free(w->tmp);
	free(w->dir);
	free(w);
}

struct writer *
writer_open(const char *path)
{
	struct writer *w = xcalloc(1, sizeof *w);
	char *copy, *base;
	struct stat st;

	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
		w->is_stdout = 1;
		w->path = xstrdup("standard output");
		return w;
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", path);
		free(w);
		return NULL;
	}
	w->path = xstrdup(path);
	copy = xstrdup(path);
	w->dir = xstrdup(dirname(copy));
	free(copy);
	copy = xstrdup(path);
	base = basename(copy);
	w->tmp = xasprintf("%s/.%s.XXXXXX", w->dir, base);
	free(copy);
	/* mkostemp creates the file 0600: inventories are sensitive. */
	if ((w->fd = mkostemp(w->tmp, O_CLOEXEC)) < 0) {
		log_errno("%s: cannot create a temporary file in %s", path, w->dir);
		writer_free(w);
		return NULL;
	}
	return w;
}

enum writer_status
writer_write(struct writer *w, const void *data, size_t n)
{
	const char *p = data;
	ssize_t r;

	while (n > 0) {
		r = write(w->fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE && w->is_stdout)
				return writer_closed;
			if (w->is_stdout)
				log_errno("standard output: write failed");
			else
				log_errno("%s: write to the temporary file %s failed",
				    w->path, w->tmp);
			return writer_error;
		}
		p += r;
		n -= r;
		w->bytes += r;
	}
	return writer_ok;
}

/*
 * Standard output has no temporary file; what can still fail is the sync
 * (on a file) and the close, which is where NFS and friends report delayed
 * write errors.  Descriptor 1 is then pointed at /dev/null, so that no
 * later open() can land on it and catch stray output.
 */
static enum writer_status
writer_commit_stdout(struct writer *w)
{
	enum writer_status st = writer_ok;
	int fd;

	/* fsync on a pipe or tty fails with EINVAL: nothing to sync. */
	if (fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP) {
		log_errno("standard output: fsync failed");
		st = writer_error;
	}
	if (close(w->fd) < 0 && errno != EINTR && st == writer_ok) {
		log_errno("standard output: close failed");
		st = writer_error;
	}
	if ((fd = open("/dev/null", O_WRONLY)) >= 0 && fd != w->fd) {
		dup2(fd, w->fd);
		close(fd);
	}
	writer_free(w);
	return st;
}

enum writer_status
writer_commit(struct writer *w)
{
	enum writer_status st = writer_ok;
	int dfd;

	if (w->is_stdout)
		return writer_commit_stdout(w);
	if (fsync(w->fd) < 0) {
		log_errno("%s: fsync of the temporary file %s failed", w->path,
		    w->tmp);
		st = writer_error;
	}
	/* Linux releases the descriptor even when close fails. */
	if (close(w->fd) < 0 && st == writer_ok) {
		log_errno("%s: close of the temporary file %s failed", w->path,
		    w->tmp);
		st = writer_error;
	}
	w->fd = -1;
	if (st == writer_ok && rename(w->tmp, w->path) < 0) {
		log_errno("%s: cannot rename the temporary file %s to it",
		    w->path, w->tmp);
		st = writer_error;
	}
	if (st != writer_ok) {
		unlink(w->tmp);
		writer_free(w);
		return st;
	}
	/*
	 * Make the new name itself durable.  The file is in place by now, so
	 * a failure cannot be undone: it is an error all the same, since a
	 * crash could still bring the old file back.
	 */
	if ((dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_warn("%s: cannot open its directory %s to sync it: %s",
		    w->path, w->dir, strerror(errno));
	} else {
		if (fsync(dfd) < 0 && errno != EINVAL) {
			log_errno("%s: published, but the fsync of its directory "
			    "%s failed, so the new name may not survive a crash",
			    w->path, w->dir);
			st = writer_error;
		}
		close(dfd);
	}
	writer_free(w);
	return st;
}

void
writer_abort(struct writer *w)
{
	if (w == NULL)
		return;
	if (!w->is_stdout) {
		if (w->fd >= 0)
			close(w->fd);
		unlink(w->tmp);
	}
	writer_free(w);
}

unsigned long long
writer_bytes(const struct writer *w)
{
	return w->bytes;
}
