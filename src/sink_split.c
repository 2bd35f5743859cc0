/*
 * sink_split.c - a split output's parts, written in one temporary
 * directory beside the destination and published all or none (see sink.h
 * and writer.h).
 *
 * Part i is the file NNNNN (i, five digits or more) in the directory
 * .NAME.invdump-XXXXXX/ (mode 0700): removing what a run leaves is then
 * removing one directory's files, and the signal thread can do it knowing
 * only the directory and the count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"
#include "tempfile.h"
#include "xalloc.h"

struct sink_split {
	struct sink sink;
	int fd;                 /* the current part's; -1 between parts */
	int mode;
	int done;               /* published, or failed to */
	struct slot *slot;
	char *path, *dir, *tmpdir;
	/* names[i]: part i's name; tmps[i]: its temporary file; olds[i]: the
	 * older file of its name, linked aside while publishing */
	char **names, **tmps, **olds;
	size_t n, cap;
};

static void
split_free(struct sink_split *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++) {
		free(sp->names[i]);
		free(sp->tmps[i]);
		free(sp->olds[i]);
	}
	free(sp->names);
	free(sp->tmps);
	free(sp->olds);
	free(sp->path);
	free(sp->dir);
	free(sp->tmpdir);
	free(sp);
}

/* Removes the temporary files from the first-th on, what was linked
 * aside, and the temporary directory. */
static void
split_remove(struct sink_split *sp, size_t first)
{
	size_t i;

	for (i = first; i < sp->n; i++)
		unlink(sp->tmps[i]);
	for (i = 0; i < sp->n; i++)
		if (sp->olds[i] != NULL) {
			unlink(sp->olds[i]);
			free(sp->olds[i]);
			sp->olds[i] = NULL;
		}
	rmdir(sp->tmpdir);
}

/* Creates part n's file in the directory; the slot is in "creating". */
static enum writer_status
split_create(struct sink_split *sp, const char *name)
{
	char *tmp = xasprintf("%s/%05zu", sp->tmpdir, sp->n);

	/* Created 0600 like mkostemp's; the mode is set when it is closed. */
	sp->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (sp->fd < 0) {
		log_errno("%s: cannot create a temporary file in %s", name,
		    sp->tmpdir);
		free(tmp);
		return writer_error;
	}
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? 2 * sp->cap : 4;
		sp->names = xrealloc(sp->names, sp->cap * sizeof *sp->names);
		sp->tmps = xrealloc(sp->tmps, sp->cap * sizeof *sp->tmps);
		sp->olds = xrealloc(sp->olds, sp->cap * sizeof *sp->olds);
	}
	sp->names[sp->n] = xstrdup(name);
	sp->tmps[sp->n] = tmp;
	sp->olds[sp->n] = NULL;
	sp->n++;
	slot_parts(sp->slot, (unsigned long)sp->n);
	return writer_ok;
}

static enum writer_status
split_begin(struct sink *s, const char *name)
{
	struct sink_split *sp = (struct sink_split *)s;
	enum writer_status st;

	if (!slot_move(sp->slot, slot_creating)) {
		/* The signal thread removed the directory and is ending
		 * the process. */
		log_error("%s: the temporary files were removed", sp->path);
		return writer_error;
	}
	st = split_create(sp, name);
	slot_set(sp->slot, slot_active);
	return st;
}

static enum writer_status
split_write(struct sink *s, const void *data, size_t n)
{
	struct sink_split *sp = (struct sink_split *)s;

	if (tempfile_write(sp->fd, data, n) == 0)
		return writer_ok;
	log_errno("%s: write to the temporary file %s failed",
	    sp->names[sp->n - 1], sp->tmps[sp->n - 1]);
	return writer_error;
}

static enum writer_status
split_page_end(struct sink *s, int cut)
{
	struct sink_split *sp = (struct sink_split *)s;
	enum writer_status st;

	if (!cut || sp->fd < 0)
		return writer_ok;
	st = tempfile_close(sp->fd, sp->mode, sp->names[sp->n - 1],
	    sp->tmps[sp->n - 1]);
	sp->fd = -1;
	return st;
}

/*
 * The first k parts were renamed and the (k+1)-th could not be: puts the
 * older files back where there were some and removes the new ones
 * elsewhere.  Returns 0 when the directory is as it was.
 */
static int
split_take_back(struct sink_split *sp, size_t k, const int *lost)
{
	size_t i;
	int clean = 1;

	for (i = 0; i < k; i++) {
		if (sp->olds[i] != NULL) {
			if (rename(sp->olds[i], sp->names[i]) < 0) {
				/* Keep it where it is rather than lose it. */
				log_errno("%s: cannot put the older file back "
				    "from %s", sp->names[i], sp->olds[i]);
				clean = 0;
			}
			free(sp->olds[i]);
			sp->olds[i] = NULL;
		} else if (unlink(sp->names[i]) < 0) {
			log_errno("%s: cannot remove this part of a failed "
			    "publication", sp->names[i]);
			clean = 0;
		} else if (lost[i]) {
			log_error("%s: the older file of this name is lost: it "
			    "could not be linked aside", sp->names[i]);
			clean = 0;
		}
	}
	return clean ? 0 : -1;
}

/* Links each older file of a part's name aside, so that it can be put
 * back; lost[i] when one is there but could not be. */
static void
split_keep_olds(struct sink_split *sp, int *lost)
{
	size_t i;

	for (i = 0; i < sp->n; i++) {
		sp->olds[i] = xasprintf("%s/old-%05zu", sp->tmpdir, i);
		if (linkat(AT_FDCWD, sp->names[i], AT_FDCWD, sp->olds[i],
		    0) == 0)
			continue;
		/* ENOENT: nothing there to keep. */
		lost[i] = errno != ENOENT;
		free(sp->olds[i]);
		sp->olds[i] = NULL;
	}
}

/* Every part synced, every older file linked aside, every part renamed
 * into place - or the ones renamed taken back. */
static enum writer_status
split_publish(struct sink *s)
{
	struct sink_split *sp = (struct sink_split *)s;
	enum writer_status st = split_page_end(s, 1);
	int *lost;
	size_t i;

	sp->done = 1;
	if (!slot_move(sp->slot, slot_renaming))
		return writer_error;
	if (st != writer_ok) {
		split_remove(sp, 0);
		slot_set(sp->slot, slot_free);
		return st;
	}
	lost = xcalloc(sp->n, sizeof *lost);
	split_keep_olds(sp, lost);
	for (i = 0; i < sp->n; i++)
		if (rename(sp->tmps[i], sp->names[i]) < 0) {
			log_errno("%s: cannot rename the temporary file %s to it",
			    sp->names[i], sp->tmps[i]);
			break;
		}
	if (i < sp->n) {
		if (split_take_back(sp, i, lost) == 0)
			log_error("%s: none of the %zu parts was published",
			    sp->path, sp->n);
		else
			log_error("%s: the parts could not all be taken back: "
			    "see the messages above", sp->path);
		split_remove(sp, i);
		free(lost);
		/* The taking back should last too; it is an error anyway. */
		tempfile_sync_dir(sp->dir, sp->path, sp->n, 1);
		slot_set(sp->slot, slot_free);
		return writer_error;
	}
	free(lost);
	split_remove(sp, sp->n);
	slot_set(sp->slot, slot_published);
	sp->sink.placed = 1;
	if (access(sp->tmpdir, F_OK) == 0)
		log_warn("%s: published, but the temporary directory %s could "
		    "not be removed", sp->path, sp->tmpdir);
	return tempfile_sync_dir(sp->dir, sp->path, sp->n, 0);
}

static void
split_abandon(struct sink *s, int keep)
{
	struct sink_split *sp = (struct sink_split *)s;

	(void)keep;             /* a split output is never resumed */
	if (sp->fd >= 0)
		close(sp->fd);
	if (!sp->done && slot_move(sp->slot, slot_removing)) {
		split_remove(sp, 0);
		slot_set(sp->slot, slot_free);
	}
	split_free(sp);
}

static int
split_sync(struct sink *s)
{
	struct sink_split *sp = (struct sink_split *)s;

	if (sp->fd >= 0 && fdatasync(sp->fd) < 0) {
		log_errno("%s: cannot sync the temporary file %s", sp->path,
		    sp->tmps[sp->n - 1]);
		return -1;
	}
	return 0;
}

static const char *
split_temp_path(const struct sink *s)
{
	(void)s;
	return NULL;
}

static const struct sink_ops split_ops = {
	split_begin, split_write, split_page_end, split_publish, split_abandon,
	split_sync, split_temp_path, NULL
};

struct sink *
sink_split_open(const char *path, const char *part0, int mode)
{
	struct sink_split *sp;
	struct stat st;

	if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
		log_error("%s: is a directory", path);
		return NULL;
	}
	if (stat(part0, &st) == 0 && S_ISDIR(st.st_mode)) {
		log_error("%s: is a directory", part0);
		return NULL;
	}
	sp = xcalloc(1, sizeof *sp);
	sp->sink.ops = &split_ops;
	sp->fd = -1;
	sp->mode = mode;
	sp->path = xstrdup(path);
	sp->dir = tempfile_dir(path);
	sp->tmpdir = tempfile_name(sp->dir, path, "invdump-XXXXXX");
	sp->slot = slot_take(strlen(sp->tmpdir));
	/* mkdtemp makes it 0700: inventories are sensitive. */
	if (mkdtemp(sp->tmpdir) == NULL) {
		log_errno("%s: cannot create a temporary directory in %s",
		    path, sp->dir);
		slot_set(sp->slot, slot_free);
		split_free(sp);
		return NULL;
	}
	if (split_create(sp, part0) != writer_ok) {
		split_remove(sp, 0);
		slot_set(sp->slot, slot_free);
		split_free(sp);
		return NULL;
	}
	slot_arm(sp->slot, sp->tmpdir, 1);
	return &sp->sink;
}
