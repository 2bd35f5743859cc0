/*
 * writer.c - output files and atomic publication (see writer.h).
 *
 * The temporary file's name - or, for a split output, the temporary
 * directory's, with the number of parts in it - is also kept in static
 * storage, announced by an atomic state, so that the signal thread can
 * remove it while this module's owner is stuck (writer_emergency_unlink).
 * The state moves:
 *
 *   free -> creating -> free                              (mkostemp failed)
 *                    -> active -> removing -> free        (writer_abort)
 *                              -> renaming -> published   (writer_publish)
 *                                          -> free        (it failed)
 *                              -> creating -> active      (the next part)
 *                              -> gone                    (signal thread)
 *
 * There is a slot for each of WRITER_SLOTS writers open at once (a run of
 * many targets has one per export under way); a writer opened while every
 * slot is taken is not registered.
 *
 * Only the signal thread takes "active" to "gone", only the owner takes it
 * anywhere else, each with a compare-and-swap, so the files are unlinked or
 * renamed by exactly one of them.  The part count is stored before the
 * state goes back to "active", so the signal thread, which acts only on
 * "active", sees every part that exists.
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

#include "digest.h"
#include "log.h"
#include "writer.h"
#include "xalloc.h"

struct writer {
	int fd;                 /* the current part's; -1 between parts */
	int is_stdout;
	int direct;             /* no temporary file: standard output, or a
	                           device or FIFO written in place */
	int split;
	struct slot *slot;      /* its emergency slot, or NULL */
	int done;               /* writer_publish was called */
	int published;          /* the files are in place */
	int mode;
	unsigned long long split_items, split_bytes;
	char *path;             /* destination */
	char *dir;              /* destination's directory, for its fsync */
	char *tmpdir;           /* split: the temporary directory */
	char *stem, *ext;       /* split: part i is stem-%05zu ext */
	/* Parts: parts[nparts - 1] is the current one while fd >= 0.
	 * tmps[i] is its temporary name (NULL for standard output), olds[i]
	 * the older file of its name linked aside while publishing. */
	struct writer_part *parts;
	char **tmps, **olds;
	size_t nparts, cap;
	struct digest *dg;      /* of the current part */
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
#define WRITER_SLOTS 256          /* --workers' most: an export each */
static struct slot {
	atomic_int state;
	atomic_int is_dir;              /* path is a split's directory */
	atomic_ulong nparts;            /* files 00000.. in it */
	char path[PATH_MAX];
} slots[WRITER_SLOTS];
static char slot_scratch[PATH_MAX];     /* the signal thread's, once */

/* Room left in a slot's path for "/" and a part number. */
#define SLOT_NUM_ROOM 24

/* Takes a slot for a writer about to create its temporary file (NULL
 * when none is free). */
static struct slot *
slot_take(void)
{
	int i, s;

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

/* From slot_active to next; 0 when the signal thread got there first. */
static int
slot_move(struct writer *w, int next)
{
	int s = slot_active;

	if (w->slot == NULL)
		return 1;
	return atomic_compare_exchange_strong(&w->slot->state, &s, next);
}

static void
slot_set(struct writer *w, int next)
{
	if (w->slot != NULL)
		atomic_store(&w->slot->state, next);
}

/* Makes the slot active for path, a file or a split's directory. */
static void
slot_arm(struct writer *w, const char *path, int is_dir)
{
	if (w->slot == NULL)
		return;
	memcpy(w->slot->path, path, strlen(path) + 1);
	atomic_store(&w->slot->is_dir, is_dir);
	atomic_store(&w->slot->state, slot_active);
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
writer_emergency_unlink(void)
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

static void
writer_free(struct writer *w)
{
	size_t i;

	for (i = 0; i < w->nparts; i++) {
		free(w->parts[i].path);
		free(w->tmps[i]);
		free(w->olds[i]);
	}
	free(w->parts);
	free(w->tmps);
	free(w->olds);
	digest_free(w->dg);
	free(w->path);
	free(w->dir);
	free(w->tmpdir);
	free(w->stem);
	free(w->ext);
	free(w);
}

/* Appends a part named path (taken) with temporary name tmp (taken);
 * its digest starts over. */
static void
part_add(struct writer *w, char *path, char *tmp)
{
	struct writer_part *p;

	if (w->nparts == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4;
		w->parts = xrealloc(w->parts, w->cap * sizeof *w->parts);
		w->tmps = xrealloc(w->tmps, w->cap * sizeof *w->tmps);
		w->olds = xrealloc(w->olds, w->cap * sizeof *w->olds);
	}
	p = &w->parts[w->nparts];
	memset(p, 0, sizeof *p);
	p->path = path;
	w->tmps[w->nparts] = tmp;
	w->olds[w->nparts] = NULL;
	w->nparts++;
}

static const char *const split_exts[] = {
	".ndjson.gz", ".ndjson", ".jsonl.gz", ".jsonl", ".json.gz", ".gz"
};

/* Splits path into stem and extension (see writer.h). */
static void
split_name(struct writer *w)
{
	const char *base = strrchr(w->path, '/');
	size_t len = strlen(w->path), blen, elen, i;

	base = base != NULL ? base + 1 : w->path;
	blen = strlen(base);
	for (i = 0; i < sizeof split_exts / sizeof split_exts[0]; i++) {
		elen = strlen(split_exts[i]);
		if (blen > elen &&
		    strcmp(base + blen - elen, split_exts[i]) == 0) {
			w->stem = xstrndup(w->path, len - elen);
			w->ext = xstrdup(split_exts[i]);
			return;
		}
	}
	w->stem = xstrdup(w->path);
	w->ext = xstrdup("");
}

static char *
part_name(const struct writer *w, size_t i)
{
	return xasprintf("%s-%05zu%s", w->stem, i, w->ext);
}

/* Creates the next part's file in the temporary directory; the caller
 * holds the slot in "creating". */
static enum writer_status
part_create(struct writer *w)
{
	size_t i = w->nparts;
	char *path = part_name(w, i), *tmp;

	tmp = xasprintf("%s/%05zu", w->tmpdir, i);
	/* Created 0600 like mkostemp's; the mode is set when it is closed. */
	w->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		log_errno("%s: cannot create a temporary file in %s", path,
		    w->tmpdir);
		free(path);
		free(tmp);
		return writer_error;
	}
	part_add(w, path, tmp);
	if (w->slot != NULL)
		atomic_store(&w->slot->nparts, (unsigned long)w->nparts);
	if (digest_reset(w->dg) < 0) {
		log_error("%s: SHA-256 cannot be started (libcrypto)", path);
		return writer_error;
	}
	return writer_ok;
}

/* The next part of a split output, at its first write. */
static enum writer_status
part_next(struct writer *w)
{
	enum writer_status st;

	if (!slot_move(w, slot_creating)) {
		/* The signal thread removed the directory and is ending
		 * the process. */
		log_error("%s: the temporary files were removed", w->path);
		return writer_error;
	}
	st = part_create(w);
	slot_set(w, slot_active);
	return st;
}

/* Removes the parts' temporary files from the first-th on, what was linked
 * aside, and the temporary directory. */
static void
remove_temps(struct writer *w, size_t first)
{
	size_t i;

	for (i = first; i < w->nparts; i++)
		if (w->tmps[i] != NULL)
			unlink(w->tmps[i]);
	for (i = 0; i < w->nparts; i++)
		if (w->olds[i] != NULL) {
			unlink(w->olds[i]);
			free(w->olds[i]);
			w->olds[i] = NULL;
		}
	if (w->tmpdir != NULL)
		rmdir(w->tmpdir);
}

/* A split output: the temporary directory and part 0 in it. */
static struct writer *
open_split(struct writer *w)
{
	char *copy, *p0;
	struct stat st;

	if (w->path[0] == '\0' || w->path[strlen(w->path) - 1] == '/') {
		log_error("%s: is a directory", w->path);
		writer_free(w);
		return NULL;
	}
	split_name(w);
	p0 = part_name(w, 0);
	if (stat(p0, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", p0);
		free(p0);
		writer_free(w);
		return NULL;
	}
	free(p0);
	copy = xstrdup(w->path);
	w->tmpdir = xasprintf("%s/.%s.invdump-XXXXXX", w->dir, basename(copy));
	free(copy);
	w->slot = strlen(w->tmpdir) + SLOT_NUM_ROOM < PATH_MAX ?
	    slot_take() : NULL;
	/* mkdtemp makes it 0700: inventories are sensitive. */
	if (mkdtemp(w->tmpdir) == NULL) {
		log_errno("%s: cannot create a temporary directory in %s",
		    w->path, w->dir);
		slot_set(w, slot_free);
		writer_free(w);
		return NULL;
	}
	if (part_create(w) != writer_ok) {
		if (w->fd >= 0)
			close(w->fd);
		remove_temps(w, 0);
		slot_set(w, slot_free);
		writer_free(w);
		return NULL;
	}
	slot_arm(w, w->tmpdir, 1);
	return w;
}

/*
 * A device or a FIFO (/dev/null, a named pipe, /dev/stdout when it leads
 * to one) is written in place, as standard output is: a rename would
 * replace the node itself, which root may do even in /dev.
 */
static struct writer *
open_direct(struct writer *w)
{
	if (w->split) {
		log_error("%s: is not a regular file: it cannot be split into "
		    "files", w->path);
		writer_free(w);
		return NULL;
	}
	w->direct = 1;
	if ((w->fd = open(w->path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		log_errno("%s: cannot open it for writing", w->path);
		writer_free(w);
		return NULL;
	}
	part_add(w, xstrdup(w->path), NULL);
	if (digest_reset(w->dg) < 0) {
		log_error("%s: SHA-256 cannot be started (libcrypto)", w->path);
		close(w->fd);
		writer_free(w);
		return NULL;
	}
	return w;
}

/*
 * --resume: the temporary file of an earlier run, beside the destination,
 * cut back to what its journal says was synced; its SHA-256 is taken over
 * again from the bytes kept.
 */
static struct writer *
open_resumed(struct writer *w, const struct writer_opts *opts)
{
	char *tmp = xstrdup(opts->resume_tmp), *copy = xstrdup(tmp), buf[65536];
	unsigned long long left = opts->resume_bytes;
	struct stat st;
	ssize_t r;
	int ok = 0;

	if (strcmp(dirname(copy), w->dir) != 0 || w->split) {
		log_error("%s: cannot resume from %s: not a temporary file "
		    "beside it", w->path, tmp);
		goto out;
	}
	w->slot = strlen(tmp) < PATH_MAX ? slot_take() : NULL;
	if ((w->fd = open(tmp, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(w->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size < left) {
		if (w->fd < 0)
			log_errno("%s: cannot resume: %s", w->path, tmp);
		else
			log_error("%s: cannot resume: %s is shorter than its "
			    "journal says (%llu bytes)", w->path, tmp, left);
		goto out;
	}
	if (ftruncate(w->fd, (off_t)left) < 0 || digest_reset(w->dg) < 0) {
		log_errno("%s: cannot resume: %s", w->path, tmp);
		goto out;
	}
	while (left > 0 && (r = read(w->fd, buf, left < sizeof buf ?
	    (size_t)left : sizeof buf)) > 0) {
		if (digest_update(w->dg, buf, (size_t)r) < 0)
			break;
		left -= (unsigned long long)r;
	}
	if (left > 0 || lseek(w->fd, 0, SEEK_END) < 0) {
		log_errno("%s: cannot resume: reading %s", w->path, tmp);
		goto out;
	}
	part_add(w, xstrdup(w->path), tmp);
	tmp = NULL;
	w->parts[0].bytes = w->bytes = opts->resume_bytes;
	w->parts[0].items = opts->resume_items;
	slot_arm(w, w->tmps[0], 0);
	ok = 1;
out:
	free(copy);
	free(tmp);
	if (!ok) {
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		slot_set(w, slot_free);
		writer_free(w);
		return NULL;
	}
	return w;
}

struct writer *
writer_open_opts(const char *path, const struct writer_opts *opts)
{
	struct writer *w = xcalloc(1, sizeof *w);
	char *copy, *base, *tmp;
	struct stat st;

	w->fd = -1;
	w->mode = WRITER_MODE_DEFAULT;
	if (opts != NULL) {
		if (opts->mode < 0 || opts->mode > 0777) {
			log_error("%s: mode %s%#o is not a file permission "
			    "(0..0777)", path, opts->mode < 0 ? "-" : "",
			    opts->mode < 0 ? 0u - (unsigned)opts->mode :
			    (unsigned)opts->mode);
			free(w);
			return NULL;
		}
		if (opts->mode != 0)
			w->mode = opts->mode;
		w->split_items = opts->split_items;
		w->split_bytes = opts->split_bytes;
		w->split = w->split_items > 0 || w->split_bytes > 0;
	}
	w->dg = digest_new();
	if (strcmp(path, "-") == 0) {
		if (w->split) {
			log_error("standard output cannot be split into files");
			writer_free(w);
			return NULL;
		}
		w->fd = STDOUT_FILENO;
		w->is_stdout = 1;
		w->direct = 1;
		w->path = xstrdup("standard output");
		part_add(w, xstrdup("-"), NULL);
		if (digest_reset(w->dg) < 0) {
			log_error("standard output: SHA-256 cannot be started "
			    "(libcrypto)");
			writer_free(w);
			return NULL;
		}
		return w;
	}
	w->path = xstrdup(path);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return open_direct(w);
	copy = xstrdup(path);
	w->dir = xstrdup(dirname(copy));
	free(copy);
	if (w->split)
		return open_split(w);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", path);
		writer_free(w);
		return NULL;
	}
	if (opts != NULL && opts->resume_tmp != NULL)
		return open_resumed(w, opts);
	copy = xstrdup(path);
	base = basename(copy);
	tmp = xasprintf("%s/.%s.XXXXXX", w->dir, base);
	free(copy);
	w->slot = strlen(tmp) < PATH_MAX ? slot_take() : NULL;
	/* mkostemp creates the file 0600: inventories are sensitive. */
	if ((w->fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		log_errno("%s: cannot create a temporary file in %s", path, w->dir);
		slot_set(w, slot_free);
		free(tmp);
		writer_free(w);
		return NULL;
	}
	part_add(w, xstrdup(path), tmp);
	slot_arm(w, tmp, 0);
	if (digest_reset(w->dg) < 0) {
		log_error("%s: SHA-256 cannot be started (libcrypto)", path);
		writer_abort(w);
		return NULL;
	}
	return w;
}

struct writer *
writer_open(const char *path)
{
	return writer_open_opts(path, NULL);
}

enum writer_status
writer_write(struct writer *w, const void *data, size_t n)
{
	struct writer_part *part;
	const char *p = data;
	ssize_t r;

	if (n == 0)
		return writer_ok;
	if (w->done) {
		log_error("%s: written to after its publication", w->path);
		return writer_error;
	}
	if (w->fd < 0 && part_next(w) != writer_ok)
		return writer_error;
	part = &w->parts[w->nparts - 1];
	if (digest_update(w->dg, data, n) < 0) {
		log_error("%s: SHA-256 failed (libcrypto)", part->path);
		return writer_error;
	}
	while (n > 0) {
		r = write(w->fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE && w->direct)
				return writer_closed;
			if (w->is_stdout)
				log_errno("standard output: write failed");
			else if (w->direct)
				log_errno("%s: write failed", w->path);
			else
				log_errno("%s: write to the temporary file %s failed",
				    part->path, w->tmps[w->nparts - 1]);
			return writer_error;
		}
		p += r;
		n -= r;
		part->bytes += r;
		w->bytes += r;
	}
	return writer_ok;
}

/* Gives a file the published mode; skipped when it has it already. */
static int
set_mode(int fd, int mode)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && (int)(st.st_mode & 07777) == mode)
		return 0;
	return fchmod(fd, (mode_t)mode);
}

/* Ends the current part: its SHA-256, mode, fsync and close. */
static enum writer_status
part_close(struct writer *w)
{
	struct writer_part *part = &w->parts[w->nparts - 1];
	const char *tmp = w->tmps[w->nparts - 1];
	enum writer_status st = writer_ok;

	if (digest_final(w->dg, part->sha256) < 0) {
		log_error("%s: SHA-256 failed (libcrypto)", part->path);
		st = writer_error;
	}
	if (st == writer_ok && set_mode(w->fd, w->mode) < 0) {
		log_errno("%s: cannot set mode %04o on the temporary file %s",
		    part->path, (unsigned)w->mode, tmp);
		st = writer_error;
	}
	if (st == writer_ok && fsync(w->fd) < 0) {
		log_errno("%s: fsync of the temporary file %s failed",
		    part->path, tmp);
		st = writer_error;
	}
	/* Linux releases the descriptor even when close fails. */
	if (close(w->fd) < 0 && st == writer_ok) {
		log_errno("%s: close of the temporary file %s failed",
		    part->path, tmp);
		st = writer_error;
	}
	w->fd = -1;
	return st;
}

enum writer_status
writer_page_end(struct writer *w, unsigned long long items)
{
	struct writer_part *part;

	if (w->done) {
		log_error("%s: written to after its publication", w->path);
		return writer_error;
	}
	if (w->fd < 0 && items > 0 && part_next(w) != writer_ok)
		return writer_error;
	part = &w->parts[w->nparts - 1];
	part->items += items;
	if (!w->split || w->fd < 0)
		return writer_ok;
	if ((w->split_items > 0 && part->items >= w->split_items) ||
	    (w->split_bytes > 0 && part->bytes >= w->split_bytes))
		return part_close(w);
	return writer_ok;
}

/*
 * Standard output (or a device) has no temporary file; what can still fail
 * is the sync (on a file) and the close, which is where NFS and friends
 * report delayed write errors.  Descriptor 1 is then pointed at /dev/null,
 * so that no later open() can land on it and catch stray output.
 */
static enum writer_status
publish_direct(struct writer *w)
{
	enum writer_status st = writer_ok;
	const char *name = w->is_stdout ? "standard output" : w->path;
	int fd;

	if (digest_final(w->dg, w->parts[0].sha256) < 0) {
		log_error("%s: SHA-256 failed (libcrypto)", name);
		st = writer_error;
	}
	/* fsync on a pipe or tty fails with EINVAL: nothing to sync. */
	if (fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP) {
		log_errno("%s: fsync failed", name);
		st = writer_error;
	}
	if (close(w->fd) < 0 && errno != EINTR && st == writer_ok) {
		log_errno("%s: close failed", name);
		st = writer_error;
	}
	if (w->is_stdout && (fd = open("/dev/null", O_WRONLY)) >= 0 &&
	    fd != w->fd) {
		dup2(fd, w->fd);
		close(fd);
	}
	w->fd = -1;
	/* Whatever the close said, the bytes went out. */
	w->published = 1;
	return st;
}

/*
 * Makes the new names themselves durable.  The files are in place by now,
 * so a failure cannot be undone: it is an error all the same, since a
 * crash could still bring the old files back.  quiet: after a failed
 * publication, which is an error already.
 */
static enum writer_status
sync_dir(struct writer *w, int quiet)
{
	enum writer_status st = writer_ok;
	int dfd;

	if ((dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (!quiet)
			log_warn("%s: cannot open its directory %s to sync it: %s",
			    w->path, w->dir, strerror(errno));
		return writer_ok;
	}
	if (fsync(dfd) < 0 && errno != EINVAL && !quiet) {
		if (w->split)
			log_errno("%s: %zu parts published, but the fsync of "
			    "their directory %s failed, so the new names may "
			    "not survive a crash", w->path, w->nparts, w->dir);
		else
			log_errno("%s: published, but the fsync of its directory "
			    "%s failed, so the new name may not survive a crash",
			    w->path, w->dir);
		st = writer_error;
	}
	close(dfd);
	return st;
}

static enum writer_status
publish_file(struct writer *w)
{
	enum writer_status st;

	st = part_close(w);
	if (!slot_move(w, slot_renaming)) {
		/* The signal thread removed it and is ending the process. */
		return writer_error;
	}
	if (st == writer_ok && rename(w->tmps[0], w->path) < 0) {
		log_errno("%s: cannot rename the temporary file %s to it",
		    w->path, w->tmps[0]);
		st = writer_error;
	}
	if (st != writer_ok) {
		unlink(w->tmps[0]);
		slot_set(w, slot_free);
		return st;
	}
	w->published = 1;
	slot_set(w, slot_published);
	return sync_dir(w, 0);
}

/*
 * The first k parts were renamed and the (k+1)-th could not be: puts the
 * older files back where there were some and removes the new ones
 * elsewhere.  Returns 0 when the directory is as it was.
 */
static int
take_back(struct writer *w, size_t k, const int *lost)
{
	size_t i;
	int clean = 1;

	for (i = 0; i < k; i++) {
		if (w->olds[i] != NULL) {
			if (rename(w->olds[i], w->parts[i].path) == 0) {
				free(w->olds[i]);
				w->olds[i] = NULL;
				continue;
			}
			/* Keep it where it is rather than lose it. */
			log_errno("%s: cannot put the older file back from %s",
			    w->parts[i].path, w->olds[i]);
			free(w->olds[i]);
			w->olds[i] = NULL;
			clean = 0;
			continue;
		}
		if (unlink(w->parts[i].path) < 0) {
			log_errno("%s: cannot remove this part of a failed "
			    "publication", w->parts[i].path);
			clean = 0;
		} else if (lost[i]) {
			log_error("%s: the older file of this name is lost: it "
			    "could not be linked aside", w->parts[i].path);
			clean = 0;
		}
	}
	return clean ? 0 : -1;
}

/* All parts or none (see writer.h). */
static enum writer_status
publish_split(struct writer *w)
{
	enum writer_status st = writer_ok;
	int *lost;
	size_t i;

	if (w->fd >= 0)
		st = part_close(w);
	if (!slot_move(w, slot_renaming))
		return writer_error;
	if (st != writer_ok) {
		remove_temps(w, 0);
		slot_set(w, slot_free);
		return st;
	}
	lost = xcalloc(w->nparts, sizeof *lost);
	for (i = 0; i < w->nparts; i++) {
		w->olds[i] = xasprintf("%s/old-%05zu", w->tmpdir, i);
		if (linkat(AT_FDCWD, w->parts[i].path, AT_FDCWD, w->olds[i],
		    0) == 0)
			continue;
		/* ENOENT: nothing there to keep. */
		lost[i] = errno != ENOENT;
		free(w->olds[i]);
		w->olds[i] = NULL;
	}
	for (i = 0; i < w->nparts; i++)
		if (rename(w->tmps[i], w->parts[i].path) < 0) {
			log_errno("%s: cannot rename the temporary file %s to it",
			    w->parts[i].path, w->tmps[i]);
			break;
		}
	if (i < w->nparts) {
		if (take_back(w, i, lost) == 0)
			log_error("%s: none of the %zu parts was published",
			    w->path, w->nparts);
		else
			log_error("%s: the parts could not all be taken back: "
			    "see the messages above", w->path);
		remove_temps(w, i);
		free(lost);
		/* The taking back should last too; it is an error anyway. */
		sync_dir(w, 1);
		slot_set(w, slot_free);
		return writer_error;
	}
	free(lost);
	remove_temps(w, w->nparts);
	w->published = 1;
	slot_set(w, slot_published);
	if (access(w->tmpdir, F_OK) == 0)
		log_warn("%s: published, but the temporary directory %s could "
		    "not be removed", w->path, w->tmpdir);
	return sync_dir(w, 0);
}

enum writer_status
writer_publish(struct writer *w)
{
	if (w->done) {
		log_error("%s: published twice", w->path);
		return writer_error;
	}
	w->done = 1;
	if (w->direct)
		return publish_direct(w);
	if (w->split)
		return publish_split(w);
	return publish_file(w);
}

enum writer_status
writer_commit(struct writer *w)
{
	enum writer_status st = writer_publish(w);

	writer_abort(w);
	return st;
}

void
writer_abort(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->direct && !w->is_stdout && !w->done)
		close(w->fd);
	if (!w->direct && !w->done) {
		if (w->fd >= 0)
			close(w->fd);
		if (slot_move(w, slot_removing)) {
			remove_temps(w, 0);
			slot_set(w, slot_free);
		}
	}
	writer_free(w);
}

void
writer_leave(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0 && !w->direct)
		close(w->fd);
	w->fd = -1;
	slot_set(w, slot_free);
	writer_free(w);
}

const char *
writer_temp_path(const struct writer *w)
{
	return w->direct || w->split || w->nparts != 1 ? NULL : w->tmps[0];
}

int
writer_sync(struct writer *w)
{
	if (w->fd < 0 || w->direct)
		return 0;
	if (fdatasync(w->fd) < 0) {
		log_errno("%s: cannot sync the temporary file %s", w->path,
		    w->tmps[w->nparts - 1]);
		return -1;
	}
	return 0;
}

unsigned long long
writer_bytes(const struct writer *w)
{
	return w->bytes;
}

const struct writer_part *
writer_parts(const struct writer *w, size_t *n)
{
	if (!w->published) {
		*n = 0;
		return NULL;
	}
	*n = w->nparts;
	return w->parts;
}
