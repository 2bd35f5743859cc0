/*
 * writer.c - output file and atomic publication (see writer.h).
 *
 * The temporary file's name is also kept in a static buffer, announced by
 * an atomic state, so that the signal thread can remove it while this
 * module's owner is stuck (writer_emergency_unlink).  The state moves:
 *
 *   free -> creating -> free                              (mkostemp failed)
 *                    -> active -> removing -> free        (writer_abort)
 *                              -> renaming -> published   (writer_commit)
 *                                          -> free        (it failed)
 *                              -> gone                    (signal thread)
 *
 * A writer opened while the slot is taken is not registered.
 *
 * Only the signal thread takes "active" to "gone", only the owner takes it
 * anywhere else, each with a compare-and-swap, so the file is unlinked or
 * renamed by exactly one of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
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
	int direct;             /* a device or FIFO: written in place */
	int registered;         /* owns the emergency slot */
	char *path;             /* destination */
	char *tmp;              /* temporary file, NULL for stdout */
	char *dir;              /* destination's directory, for its fsync */
	unsigned long long bytes;
};

enum {
	slot_free,
	slot_creating,
	slot_active,            /* slot_path exists and is ours */
	slot_removing,
	slot_renaming,
	slot_published,
	slot_gone               /* removed by writer_emergency_unlink */
};
static atomic_int slot_state;
static char slot_path[PATH_MAX];

/* Takes the slot for a writer about to create its temporary file. */
static int
slot_take(void)
{
	int s;

	s = slot_free;
	if (atomic_compare_exchange_strong(&slot_state, &s, slot_creating))
		return 1;
	s = slot_published;
	return atomic_compare_exchange_strong(&slot_state, &s, slot_creating);
}

/* From slot_active to next; 0 when the signal thread got there first. */
static int
slot_move(struct writer *w, int next)
{
	int s = slot_active;

	if (!w->registered)
		return 1;
	return atomic_compare_exchange_strong(&slot_state, &s, next);
}

static void
slot_set(struct writer *w, int next)
{
	if (w->registered)
		atomic_store(&slot_state, next);
}

enum writer_emergency
writer_emergency_unlink(void)
{
	int s = slot_active;

	if (atomic_compare_exchange_strong(&slot_state, &s, slot_gone)) {
		unlink(slot_path);
		return writer_emergency_clean;
	}
	switch (s) {
	case slot_creating:
	case slot_removing:
	case slot_renaming:
		return writer_emergency_busy;
	case slot_published:
		return writer_emergency_published;
	default:
		return writer_emergency_clean;
	}
}

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
	/* A device or a FIFO (/dev/null, a named pipe) is written in place:
	 * renaming a file over it would replace the device itself. */
	if (lstat(path, &st) == 0 && (S_ISCHR(st.st_mode) ||
	    S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))) {
		if ((w->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
			log_errno("%s: cannot open", path);
			free(w);
			return NULL;
		}
		w->direct = 1;
		w->path = xstrdup(path);
		return w;
	}
	w->path = xstrdup(path);
	copy = xstrdup(path);
	w->dir = xstrdup(dirname(copy));
	free(copy);
	copy = xstrdup(path);
	base = basename(copy);
	w->tmp = xasprintf("%s/.%s.XXXXXX", w->dir, base);
	free(copy);
	w->registered = strlen(w->tmp) < sizeof slot_path && slot_take();
	/* mkostemp creates the file 0600: inventories are sensitive. */
	if ((w->fd = mkostemp(w->tmp, O_CLOEXEC)) < 0) {
		log_errno("%s: cannot create a temporary file in %s", path, w->dir);
		slot_set(w, slot_free);
		writer_free(w);
		return NULL;
	}
	if (w->registered) {
		memcpy(slot_path, w->tmp, strlen(w->tmp) + 1);
		atomic_store(&slot_state, slot_active);
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
	if (w->direct) {
		if (close(w->fd) < 0 && errno != EINTR) {
			log_errno("%s: close failed", w->path);
			st = writer_error;
		}
		writer_free(w);
		return st;
	}
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
	if (!slot_move(w, slot_renaming)) {
		/* The signal thread removed it and is ending the process. */
		writer_free(w);
		return writer_error;
	}
	if (st == writer_ok && rename(w->tmp, w->path) < 0) {
		log_errno("%s: cannot rename the temporary file %s to it",
		    w->path, w->tmp);
		st = writer_error;
	}
	if (st != writer_ok) {
		unlink(w->tmp);
		slot_set(w, slot_free);
		writer_free(w);
		return st;
	}
	slot_set(w, slot_published);
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
	if (w->direct)
		close(w->fd);
	else if (!w->is_stdout) {
		if (w->fd >= 0)
			close(w->fd);
		if (slot_move(w, slot_removing)) {
			unlink(w->tmp);
			slot_set(w, slot_free);
		}
	}
	writer_free(w);
}

unsigned long long
writer_bytes(const struct writer *w)
{
	return w->bytes;
}
