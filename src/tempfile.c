/*
 * tempfile.c - temporary files beside a destination (see tempfile.h).
 *
 * The temporary file's name - or, for a split output, the temporary
 * directory's, with the number of parts in it - is kept in static storage,
 * announced by an atomic state, so that the signal thread can remove it
 * while its owner is stuck.  There is a slot for each of WRITER_SLOTS
 * temporary files at once (a run of many targets has one per export under
 * way, and its manifest); one opened while every slot is taken is not
 * registered.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tempfile.h"
#include "xalloc.h"

#define WRITER_SLOTS 256          /* --workers' most: an export each */
static struct slot {
	atomic_int state;
	atomic_int is_dir;              /* path is a split's directory */
	atomic_ulong nparts;            /* files 00000.. in it */
	char path[PATH_MAX];
} slots[WRITER_SLOTS];
static char slot_scratch[PATH_MAX];     /* the signal thread's, once */

struct slot *
slot_take(size_t pathlen)
{
	int i, s;

	if (pathlen + SLOT_NUM_ROOM >= PATH_MAX)
		return NULL;
	for (i = 0; i < WRITER_SLOTS; i++) {
		s = slot_free;
		if (atomic_compare_exchange_strong(&slots[i].state, &s,
		    slot_creating))
			return &slots[i];
		s = slot_published;
		if (atomic_compare_exchange_strong(&slots[i].state, &s,
		    slot_creating))
			return &slots[i];
	}
	return NULL;
}

int
slot_move(struct slot *sl, int next)
{
	int s = slot_active;

	if (sl == NULL)
		return 1;
	return atomic_compare_exchange_strong(&sl->state, &s, next);
}

void
slot_set(struct slot *sl, int next)
{
	if (sl != NULL)
		atomic_store(&sl->state, next);
}

void
slot_arm(struct slot *sl, const char *path, int is_dir)
{
	if (sl == NULL)
		return;
	memcpy(sl->path, path, strlen(path) + 1);
	atomic_store(&sl->is_dir, is_dir);
	atomic_store(&sl->state, slot_active);
}

void
slot_parts(struct slot *sl, unsigned long n)
{
	if (sl != NULL)
		atomic_store(&sl->nparts, n);
}

/* Writes "/NNNNN" (at least five digits) at p; async-signal-safe. */
static void
slot_num(char *p, unsigned long n)
{
	char digits[24];
	int len = 0;

	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	while (len < 5)
		digits[len++] = '0';
	*p++ = '/';
	while (len > 0)
		*p++ = digits[--len];
	*p = '\0';
}

/* Removes what slot sl holds if it is active; its state (before). */
static int
slot_unlink(struct slot *sl)
{
	unsigned long i, n;
	size_t len;
	int s = slot_active;

	if (!atomic_compare_exchange_strong(&sl->state, &s, slot_gone))
		return s;
	if (!atomic_load(&sl->is_dir)) {
		unlink(sl->path);
		return slot_active;
	}
	n = atomic_load(&sl->nparts);
	for (len = 0; sl->path[len] != '\0'; len++)
		slot_scratch[len] = sl->path[len];
	for (i = 0; i < n; i++) {
		slot_num(slot_scratch + len, i);
		unlink(slot_scratch);
	}
	rmdir(sl->path);
	return slot_active;
}

enum writer_emergency
slot_sweep(void)
{
	int i, busy = 0, published = 0, removed = 0;

	for (i = 0; i < WRITER_SLOTS; i++)
		switch (slot_unlink(&slots[i])) {
		case slot_active:
			removed = 1;
			break;
		case slot_creating:
		case slot_removing:
		case slot_renaming:
			busy = 1;
			break;
		case slot_published:
			published = 1;
			break;
		}
	if (busy)
		return writer_emergency_busy;
	/* One writer's files in place, none removed: its run is ending. */
	if (published && !removed)
		return writer_emergency_published;
	return writer_emergency_clean;
}

char *
tempfile_dir(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

char *
tempfile_name(const char *dir, const char *path, const char *suffix)
{
	char *copy = xstrdup(path), *name;

	name = xasprintf("%s/.%s.%s", dir, basename(copy), suffix);
	free(copy);
	return name;
}

int
tempfile_write(int fd, const void *data, size_t n)
{
	const char *p = data;
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
tempfile_mode(int fd, int mode)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && (int)(st.st_mode & 07777) == mode)
		return 0;
	return fchmod(fd, (mode_t)mode);
}

enum writer_status
tempfile_close(int fd, int mode, const char *part, const char *tmp)
{
	enum writer_status st = writer_ok;

	if (tempfile_mode(fd, mode) < 0) {
		log_errno("%s: cannot set mode %04o on the temporary file %s",
		    part, (unsigned)mode, tmp);
		st = writer_error;
	}
	if (st == writer_ok && fsync(fd) < 0) {
		log_errno("%s: fsync of the temporary file %s failed", part, tmp);
		st = writer_error;
	}
	/* Linux releases the descriptor even when close fails. */
	if (close(fd) < 0 && st == writer_ok) {
		log_errno("%s: close of the temporary file %s failed", part, tmp);
		st = writer_error;
	}
	return st;
}

/*
 * The files are in place by now, so a failure cannot be undone: it is an
 * error all the same, since a crash could still bring the old files back.
 */
enum writer_status
tempfile_sync_dir(const char *dir, const char *path, size_t nparts, int quiet)
{
	enum writer_status st = writer_ok;
	int dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (!quiet)
			log_warn("%s: cannot open its directory %s to sync it: %s",
			    path, dir, strerror(errno));
		return writer_ok;
	}
	if (fsync(dfd) < 0 && errno != EINVAL && !quiet) {
		if (nparts > 0)
			log_errno("%s: %zu parts published, but the fsync of "
			    "their directory %s failed, so the new names may "
			    "not survive a crash", path, nparts, dir);
		else
			log_errno("%s: published, but the fsync of its directory "
			    "%s failed, so the new name may not survive a crash",
			    path, dir);
		st = writer_error;
	}
	close(dfd);
	return st;
}
