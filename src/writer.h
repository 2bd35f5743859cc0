/*
 * writer.h - the output files and their atomic publication.
 *
 * Every byte that leaves the process goes through a writer.  The writer
 * counts, hashes and cuts; it stores through one sink (sink.h), chosen
 * when it is opened from the destination: sink_file.c for one file,
 * sink_split.c for split parts, sink_stdout.c for "-" and devices,
 * sink_s3.c for s3://BUCKET/KEY (see there: the same contract, made of
 * multipart uploads completed or aborted).  What
 * follows is the contract all of them keep.
 *
 * One file.  A file destination is written as a temporary file beside it
 * (same directory, so rename(2) is atomic), .NAME.XXXXXX, created mode
 * 0600, and only writer_publish() - fchmod to the chosen mode, fsync,
 * close, rename, fsync of the directory - makes it appear under its name.
 * writer_abort() removes the temporary file, so a failed or interrupted run
 * leaves the destination as it was.  A symlink at the destination is
 * replaced, never followed.  "-" writes to standard output, where nothing
 * can be taken back; its errors (but EPIPE) count as much as a file's, the
 * final close(2) of descriptor 1 included.  So is a destination that is
 * neither a regular file nor a directory (/dev/null, a FIFO, /dev/stdout
 * leading to a pipe): it is written in place, keeps its own mode and
 * cannot be split, since renaming over it would replace the node itself.
 *
 * Split output.  Opened with split settings, the writer cuts the output
 * into parts, but only where the caller says a page ends
 * (writer_page_end): a part is closed once it holds at least split_items
 * items or split_bytes bytes (the bytes given to writer_write, compressed
 * already), so every part but the last holds at least that much, in whole
 * pages.  Parts are named from the destination: the number goes before
 * the first of the extensions .ndjson.gz .ndjson .jsonl.gz .jsonl .json.gz
 * .gz that ends the file name (after at least one other character), or is
 * appended when none does:
 *
 *   out/inv.ndjson.gz -> out/inv-00000.ndjson.gz, out/inv-00001.ndjson.gz
 *   out/inv.csv       -> out/inv.csv-00000, out/inv.csv-00001
 *
 * Five digits, more past 99999 parts (then names no longer sort as
 * numbers).  The destination's own name is not touched.  Older files
 * named like parts are replaced when this run has a part of that number;
 * higher-numbered ones from an older, longer run are left alone: the list
 * of what a run published is writer_parts() (and the manifest).
 *
 * While a split output is written, its parts are files 00000, 00001, ...
 * in one temporary directory beside the destination,
 * .NAME.invdump-XXXXXX/ (mode 0700): removing what a run leaves is then
 * removing one directory's files, with no cap on their number, and the
 * signal thread can do it knowing only the directory and the count.  A
 * part is fsynced, given its mode and closed when it is cut; the next one
 * is created at the next write.  writer_publish() then publishes all parts
 * or none: every part synced, then each old file of a part's name
 * hard-linked into the temporary directory (so that it can be put back),
 * then every part renamed into place, then the temporary directory
 * removed and the destination's directory synced.  When a rename fails
 * half way, the parts already renamed are taken back - the older file put
 * back where there was one, else the new one removed - so the directory
 * shows what it showed before; where an older file could not be linked
 * aside (a file system without hard links), it is lost, and the message
 * says so.  A crash or SIGKILL during the renames can leave some parts in
 * place and the others in the temporary directory: no rename of several
 * files is atomic, and what says a run is complete is the manifest
 * (manifest.h), published after the parts.
 *
 * Mode.  Published files get exactly the mode asked for (0600 by
 * default), set with fchmod(2) before the rename, which the umask does not
 * touch: --mode 0640 gives 0640 under umask 077, and a umask cannot widen
 * it either.  fchmod is skipped when the file has that mode already, so
 * the default works as before on file systems that refuse chmod.
 *
 * Every part - standard output's single one too - has its item count
 * (the sum of writer_page_end's), byte count and SHA-256 (of the bytes as
 * written, computed as they are written): writer_parts().
 *
 * Used by one thread only, but for writer_emergency_unlink().  Every
 * function prints its own message (naming the path and the failing call)
 * before returning an error.
 */
#ifndef INVDUMP_WRITER_H
#define INVDUMP_WRITER_H

#include <stddef.h>

#include "digest.h"

struct writer;

#define WRITER_MODE_DEFAULT 0600

struct writer_opts {
	int mode;                       /* of published files: 0 for 0600;
	                                   permission bits only (0..0777) */
	unsigned long long split_items; /* cut a part at the first page end
	                                   once it holds this many items; 0:
	                                   never for items */
	unsigned long long split_bytes; /* ... this many bytes; 0: never for
	                                   bytes */
	const char *resume_tmp;         /* --resume: go on writing this
	                                   temporary file of an earlier run
	                                   (beside path, one file only) ... */
	unsigned long long resume_bytes;/* ... cut back to this many bytes
	                                   (a torn tail goes) ... */
	unsigned long long resume_items;/* ... which hold this many items */
	unsigned long long s3_part_size;/* s3://: bytes per part; 0: the
	                                   default (sink.h) */
	unsigned long long s3_cutoff;   /* s3://: a single object of up to
	                                   this many bytes is one PUT; 0:
	                                   the default (sink.h) */
	int *refused;                   /* when not NULL: set to 1 when the
	                                   destination refused the credentials
	                                   (an S3 bucket's 403 at the open) */
};

/*
 * NULL (after a message) when the temporary file (or directory) cannot be
 * created, the mode is not 0..0777, a split is asked of "-" or of a
 * device, or an S3 bucket cannot be used (opts->refused says whether it
 * refused the credentials).  opts NULL is {0}: one file, 0600.
 */
struct writer *writer_open_opts(const char *path, const struct writer_opts *opts);
/* What every s3:// object of the run is created with; NULL: none. */
struct writer_s3 {
	const char *sse;                /* x-amz-server-side-encryption */
	const char *kms_key;            /* ... -aws-kms-key-id */
	const char *acl;                /* x-amz-acl */
};
/* Sets them, once, before any thread opens a writer; s is copied (its
 * strings are not: they must outlive the run). */
void writer_s3_set(const struct writer_s3 *s);

/* Whether path is a local file or device: not "-", not s3://. */
int writer_local(const char *path);
/* writer_open_opts(path, NULL): today's callers. */
struct writer *writer_open(const char *path);

enum writer_status {
	writer_ok = 0,
	writer_error = -1,      /* a message was printed */
	writer_closed = -2      /* stdout's (or a FIFO's) reader went away
	                           (EPIPE) */
};

enum writer_status writer_write(struct writer *w, const void *data, size_t n);
/*
 * A page ends here: items of it were written since the last call.  Counts
 * them in the current part and, when split settings say the part is full,
 * closes it (fchmod, fsync, close); the next write starts the next part.
 * Without split settings it only counts.
 */
enum writer_status writer_page_end(struct writer *w, unsigned long long items);

/*
 * Publishes the file, or all parts (see above); w stays, for
 * writer_parts(), until writer_abort().  writer_error either before the
 * renames (the destination is as it was, the temporary files are gone) or
 * after them, when the directory could not be synced: the new files are
 * then in place but may not survive a crash, and the message says so.
 * For standard output or a device: its fsync (where it has one) and its
 * close.  To be called once.
 */
enum writer_status writer_publish(struct writer *w);
/* writer_publish(w), then writer_abort(w): today's callers. */
enum writer_status writer_commit(struct writer *w);
/*
 * Removes every temporary file (and directory) not published; frees w.
 * After writer_publish() there is none left, so it only frees.  Safe on
 * NULL.
 */
void writer_abort(struct writer *w);
/*
 * A small file written whole: n bytes of data published at path with mode
 * (0 for 0600), all or nothing, as an output is (the manifest, the state
 * file, the metrics, a cookie jar).  0, or -1 after a message.
 */
int writer_put(const char *path, const void *data, size_t n, int mode);

/* Closes w and frees it, leaving its temporary file where it is (for
 * --resume); safe on NULL. */
void writer_leave(struct writer *w);

/* The temporary file being written (one file only), or NULL: what a
 * resume journal records. */
const char *writer_temp_path(const struct writer *w);
/* Makes the bytes written so far durable (fdatasync): 0 or -1 with a
 * message. */
int writer_sync(struct writer *w);

/* Bytes written so far, all parts together. */
unsigned long long writer_bytes(const struct writer *w);

/* A published file. */
struct writer_part {
	char *path;                     /* as published; "-" for standard
	                                   output */
	unsigned long long items;       /* the sum of writer_page_end()'s */
	unsigned long long bytes;
	char sha256[DIGEST_HEX_SIZE];   /* lowercase hex */
	char etag[128];                 /* an object store's ETag, checked
	                                   against the bytes sent; "" for a
	                                   file */
};

/*
 * Once writer_publish() has put the files in place: the published files in
 * order, *n of them (one without split settings).  That includes a
 * writer_error from the directory's fsync after the renames, or from
 * standard output's close (its bytes went out).  Owned by w, valid until
 * writer_abort(w).  NULL, *n = 0, before that or when nothing was
 * published.
 */
const struct writer_part *writer_parts(const struct writer *w, size_t *n);

/*
 * For the thread that takes signals, while the thread that owns the writer
 * may be anywhere: removes the temporary file - or the temporary directory
 * with every part in it - of the writer that is open, if any.  It only
 * reads static buffers and atomics and calls unlink(2) and rmdir(2), so it
 * is async-signal-safe too.  The answer says whether the process may now
 * _exit() without leaving anything behind.  Every writer open at once is
 * covered (up to 256: one per export of a run of many targets).
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
