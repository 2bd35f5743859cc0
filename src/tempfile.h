/*
 * tempfile.h - what the file-system sinks share: temporary files beside a
 * destination that the signal thread can remove, the published mode, and
 * the directory's fsync.
 *
 * A sink that writes a temporary file (or a temporary directory of parts)
 * takes a slot for it, so that writer_emergency_unlink() can remove it
 * while the sink's owner is stuck.  A slot's state moves:
 *
 *   free -> creating -> free                              (creation failed)
 *                    -> active -> removing -> free        (abandoned)
 *                              -> renaming -> published   (published)
 *                                          -> free        (it failed)
 *                              -> creating -> active      (the next part)
 *                              -> gone                    (signal thread)
 *
 * Only the signal thread takes "active" to "gone", only the owner takes it
 * anywhere else, each with a compare-and-swap, so the files are unlinked
 * or renamed by exactly one of them.  A directory's part count is stored
 * before the state goes back to "active", so the signal thread, which acts
 * only on "active", sees every part that exists.
 */
#ifndef INVDUMP_TEMPFILE_H
#define INVDUMP_TEMPFILE_H

#include "writer.h"

struct slot;

enum {
	slot_free,
	slot_creating,
	slot_active,            /* the slot's path exists and is ours */
	slot_removing,
	slot_renaming,
	slot_published,
	slot_gone               /* removed by writer_emergency_unlink */
};

/* Room left in a slot's path for "/" and a part number. */
#define SLOT_NUM_ROOM 24

/* A slot in "creating" for a temporary file (or directory) of pathlen
 * bytes about to be created; NULL when none is free or the path is too
 * long (then the file is not covered). */
struct slot *slot_take(size_t pathlen);
/* From "active" to next; 0 when the signal thread got there first.  A
 * NULL slot always moves. */
int slot_move(struct slot *sl, int next);
void slot_set(struct slot *sl, int next);
/* Makes the slot active for path, a file or a directory of parts. */
void slot_arm(struct slot *sl, const char *path, int is_dir);
/* A directory's part count, for the signal thread. */
void slot_parts(struct slot *sl, unsigned long n);
/* The signal thread's sweep over every slot (writer_emergency_unlink). */
enum writer_emergency slot_sweep(void);

/* The directory part of path, newly allocated. */
char *tempfile_dir(const char *path);
/* dir/.BASE.suffix (suffix: mkostemp's or mkdtemp's XXXXXX pattern). */
char *tempfile_name(const char *dir, const char *path, const char *suffix);
/* Writes all n bytes to fd (again after EINTR): 0, or -1 with errno. */
int tempfile_write(int fd, const void *data, size_t n);
/* Gives a file the published mode; skipped when it has it already. */
int tempfile_mode(int fd, int mode);
/*
 * Mode, fsync and close of a finished temporary file; messages name part
 * (the destination) and tmp.  The descriptor is closed whatever happens.
 */
enum writer_status tempfile_close(int fd, int mode, const char *part,
    const char *tmp);
/*
 * Makes new names in dir durable: path's, or the nparts parts' of it (0:
 * one file).  quiet after a failure that was said already.  writer_error
 * when the fsync failed (the files are in place by then).
 */
enum writer_status tempfile_sync_dir(const char *dir, const char *path,
    size_t nparts, int quiet);

#endif
