/*
 * writer.h - the output file and its atomic publication.
 *
 * A file destination is written as a temporary file beside it (same
 * directory, so rename(2) is atomic), created mode 0600, and only
 * writer_commit() - fsync, close, rename, fsync of the directory - makes it
 * appear under its name.  writer_abort() removes the temporary file, so a
 * failed or interrupted run leaves the destination as it was.  A symlink at
 * the destination is replaced, never followed.  "-" writes to standard
 * output, where nothing can be taken back; its errors (but EPIPE) count as
 * much as a file's, the final close(2) of descriptor 1 included.
 *
 * Used by one thread only, but for writer_emergency_unlink().  Every
 * function prints its own message (naming the path and the failing call)
 * before returning an error.
 */
#ifndef INVDUMP_WRITER_H
#define INVDUMP_WRITER_H

#include <stddef.h>

struct writer;

/* NULL (after a message) when the temporary file cannot be created. */
struct writer *writer_open(const char *path);

enum writer_status {
	writer_ok = 0,
	writer_error = -1,      /* a message was printed */
	writer_closed = -2      /* stdout's reader went away (EPIPE) */
};

enum writer_status writer_write(struct writer *w, const void *data, size_t n);
/*
 * Publishes the file; frees w whatever happens.  writer_error either
 * before the rename (the destination is as it was, the temporary file is
 * gone) or after it, when the directory could not be synced: the new file
 * is then in place but may not survive a crash, and the message says so.
 * For standard output: its fsync (where it has one) and its close.
 */
enum writer_status writer_commit(struct writer *w);
/* Removes the temporary file; frees w.  Safe on NULL. */
void writer_abort(struct writer *w);
/* Bytes written so far. */
unsigned long long writer_bytes(const struct writer *w);

/*
 * For the thread that takes signals, while the thread that owns the writer
 * may be anywhere: removes the temporary file of the writer that is open,
 * if any.  It only reads a static buffer and atomics and calls unlink(2),
 * so it is async-signal-safe too.  The answer says whether the process may
 * now _exit() without leaving anything behind.  Only the first of several
 * writers open at once is covered.
 */
enum writer_emergency {
	writer_emergency_clean,     /* nothing of ours is left: exit at will */
	writer_emergency_busy,      /* a creation, rename or removal is under
	                               way: ask again in a moment */
	writer_emergency_published  /* the file is (being) published: let the
	                               run end on its own */
};
enum writer_emergency writer_emergency_unlink(void);

#endif
