/*
 * sink_file.c - one file, published by renaming a temporary file beside it
 * (see sink.h and writer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "log.h"
#include "sink.h"
#include "tempfile.h"
#include "xalloc.h"

struct sink_file {
	struct sink sink;
	int fd;
	int mode;
	int done;               /* published, or failed to */
	struct slot *slot;
	char *path, *dir, *tmp;
};

static void
file_free(struct sink_file *f)
{
	free(f->path);
	free(f->dir);
	free(f->tmp);
	free(f);
}

static enum writer_status
file_begin(struct sink *s, const char *name)
{
	log_error("%s: one file cannot begin another (%s)",
	    ((struct sink_file *)s)->path, name);
	return writer_error;
}

static enum writer_status
file_write(struct sink *s, const void *data, size_t n)
{
	struct sink_file *f = (struct sink_file *)s;

	if (tempfile_write(f->fd, data, n) == 0)
		return writer_ok;
	log_errno("%s: write to the temporary file %s failed", f->path, f->tmp);
	return writer_error;
}

static enum writer_status
file_page_end(struct sink *s, int cut)
{
	(void)s;
	(void)cut;
	return writer_ok;
}

static enum writer_status
file_publish(struct sink *s)
{
	struct sink_file *f = (struct sink_file *)s;
	enum writer_status st;

	st = tempfile_close(f->fd, f->mode, f->path, f->tmp);
	f->fd = -1;
	f->done = 1;
	if (!slot_move(f->slot, slot_renaming)) {
		/* The signal thread removed it and is ending the process. */
		return writer_error;
	}
	if (st == writer_ok && rename(f->tmp, f->path) < 0) {
		log_errno("%s: cannot rename the temporary file %s to it",
		    f->path, f->tmp);
		st = writer_error;
	}
	if (st != writer_ok) {
		unlink(f->tmp);
		slot_set(f->slot, slot_free);
		return st;
	}
	slot_set(f->slot, slot_published);
	f->sink.placed = 1;
	return tempfile_sync_dir(f->dir, f->path, 0, 0);
}

static void
file_abandon(struct sink *s, int keep)
{
	struct sink_file *f = (struct sink_file *)s;

	if (f->fd >= 0)
		close(f->fd);
	if (keep)
		slot_set(f->slot, slot_free);
	else if (!f->done && slot_move(f->slot, slot_removing)) {
		unlink(f->tmp);
		slot_set(f->slot, slot_free);
	}
	file_free(f);
}

static int
file_sync(struct sink *s)
{
	struct sink_file *f = (struct sink_file *)s;

	if (f->fd >= 0 && fdatasync(f->fd) < 0) {
		log_errno("%s: cannot sync the temporary file %s", f->path,
		    f->tmp);
		return -1;
	}
	return 0;
}

static const char *
file_temp_path(const struct sink *s)
{
	return ((const struct sink_file *)s)->tmp;
}

static const struct sink_ops file_ops = {
	file_begin, file_write, file_page_end, file_publish, file_abandon,
	file_sync, file_temp_path, NULL
};

static struct sink_file *
file_new(const char *path, int mode)
{
	struct sink_file *f = xcalloc(1, sizeof *f);

	f->sink.ops = &file_ops;
	f->fd = -1;
	f->mode = mode;
	f->path = xstrdup(path);
	f->dir = tempfile_dir(path);
	return f;
}

struct sink *
sink_file_open(const char *path, int mode)
{
	struct sink_file *f;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", path);
		return NULL;
	}
	f = file_new(path, mode);
	f->tmp = tempfile_name(f->dir, path, "XXXXXX");
	f->slot = slot_take(strlen(f->tmp));
	/* mkostemp creates the file 0600: inventories are sensitive. */
	if ((f->fd = mkostemp(f->tmp, O_CLOEXEC)) < 0) {
		log_errno("%s: cannot create a temporary file in %s", path,
		    f->dir);
		slot_set(f->slot, slot_free);
		file_free(f);
		return NULL;
	}
	slot_arm(f->slot, f->tmp, 0);
	return &f->sink;
}

/* Reads the first bytes of fd into dg; 0, or -1 when fewer were read. */
static int
digest_prefix(int fd, unsigned long long left, struct digest *dg)
{
	char buf[65536];
	ssize_t r;

	while (left > 0 && (r = read(fd, buf, left < sizeof buf ?
	    (size_t)left : sizeof buf)) > 0) {
		if (digest_update(dg, buf, (size_t)r) < 0)
			return -1;
		left -= (unsigned long long)r;
	}
	return left > 0 ? -1 : 0;
}

/*
 * The temporary file of an earlier run, beside the destination, cut back
 * to what its journal says was synced; its SHA-256 is taken over again
 * from the bytes kept.
 */
struct sink *
sink_file_resume(const char *path, int mode, const char *tmp,
    unsigned long long bytes, struct digest *dg)
{
	struct sink_file *f = file_new(path, mode);
	char *dir = tempfile_dir(tmp);
	struct stat st;
	int same = strcmp(dir, f->dir) == 0;

	free(dir);
	if (!same) {
		log_error("%s: cannot resume from %s: not a temporary file "
		    "beside it", path, tmp);
		file_free(f);
		return NULL;
	}
	f->tmp = xstrdup(tmp);
	f->slot = slot_take(strlen(tmp));
	if ((f->fd = open(tmp, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0 ||
	    fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size < bytes) {
		if (f->fd < 0)
			log_errno("%s: cannot resume: %s", path, tmp);
		else
			log_error("%s: cannot resume: %s is shorter than its "
			    "journal says (%llu bytes)", path, tmp, bytes);
	} else if (ftruncate(f->fd, (off_t)bytes) < 0 ||
	    digest_reset(dg) < 0)
		log_errno("%s: cannot resume: %s", path, tmp);
	else if (digest_prefix(f->fd, bytes, dg) < 0 ||
	    lseek(f->fd, 0, SEEK_END) < 0)
		log_errno("%s: cannot resume: reading %s", path, tmp);
	else {
		slot_arm(f->slot, f->tmp, 0);
		return &f->sink;
	}
	if (f->fd >= 0)
		close(f->fd);
	slot_set(f->slot, slot_free);
	file_free(f);
	return NULL;
}
