/*
 * sink.h - where the writer's bytes go: the interface every destination
 * implements, and today's implementations.
 *
 * The writer (writer.c) owns the bytes: it counts them, takes each part's
 * SHA-256, decides where a split output's parts end, names the parts and
 * keeps the list of what was published.  A sink only stores bytes and
 * makes them appear under their names, all at once or not at all; it never
 * learns what a page or an item is, and nothing above the writer learns
 * which sink it has.  A new destination is one new file beside these,
 * plus its line in writer_open_opts().
 *
 *   sink_file    one file: a temporary file beside the destination,
 *                renamed over it at publication (sink_file.c)
 *   sink_split   parts: a temporary directory beside the destination, all
 *                parts renamed into place or none (sink_split.c)
 *   sink_stdout  standard output, or a device or FIFO written in place:
 *                nothing to take back (sink_stdout.c)
 *   sink_s3      s3://BUCKET/KEY: one PUT, or multipart uploads completed
 *                at publication and aborted otherwise (sink_s3.c)
 *
 * The life of a sink: opened (by its constructor, with its first part
 * begun), then write and page_end over and over - begin again after a page
 * end that cut the part -, then publish once, then abandon (which frees
 * it, and removes whatever was not published).  Every function prints its
 * own message before it returns writer_error.  One thread uses a sink
 * (sink_s3 uploads on threads of its own, behind its interface); the
 * signal thread reaches the file sinks' temporary files only through
 * tempfile.h's slots.
 */
#ifndef INVDUMP_SINK_H
#define INVDUMP_SINK_H

#include <stddef.h>

#include "writer.h"

struct digest;

struct sink {
	const struct sink_ops *ops;
	int placed;             /* set by publish: the bytes are in place
	                           (also when only the directory's fsync
	                           failed after the renames, and always for
	                           standard output: its bytes went out) */
	const char *sha256;     /* set by the writer before publish: the
	                           last part's SHA-256 (hex), which a sink
	                           need not compute again; or NULL */
};

struct sink_ops {
	/* The next part, named name (a split output's part 1, 2, ...). */
	enum writer_status (*begin)(struct sink *s, const char *name);
	/* All n bytes to the current part; writer_closed when the reader of
	 * standard output (or a FIFO) went away. */
	enum writer_status (*write)(struct sink *s, const void *data,
	    size_t n);
	/* A page ended; cut: the current part is complete (make it durable),
	 * and the next write begins another. */
	enum writer_status (*page_end)(struct sink *s, int cut);
	/* Every part in place under its name, or none (see writer.h). */
	enum writer_status (*publish)(struct sink *s);
	/* Removes what was not published - but keep: leaves a file's
	 * temporary file where it is, for --resume - and frees s. */
	void (*abandon)(struct sink *s, int keep);
	/* Makes the bytes so far durable: 0, or -1 after a message. */
	int (*sync)(struct sink *s);
	/* The temporary file a resume journal records, or NULL. */
	const char *(*temp_path)(const struct sink *s);
	/* After publish: part i's ETag as the store gave it and it was
	 * checked; NULL for a sink without (the op itself may be NULL). */
	const char *(*etag)(const struct sink *s, size_t i);
};

/* path's temporary file, created 0600; published with mode. */
struct sink *sink_file_open(const char *path, int mode);
/* --resume: the temporary file tmp of an earlier run, cut back to bytes;
 * the bytes kept are given to dg (reset first). */
struct sink *sink_file_resume(const char *path, int mode, const char *tmp,
    unsigned long long bytes, struct digest *dg);
/* A temporary directory beside path, with part 0 (named part0) in it. */
struct sink *sink_split_open(const char *path, const char *part0, int mode);
/* "-" (standard output) or a device or FIFO at path. */
struct sink *sink_stdout_open(const char *path);
/* S3's minimum part size, and the default one. */
#define S3_PART_MIN ((size_t)5 << 20)
#define S3_PART_DEFAULT ((size_t)8 << 20)
/* A single object of up to this many parts is sent in one PUT (the
 * default, and the most, of --s3-upload-cutoff). */
#define S3_HOLD_PARTS 5
/* s3://BUCKET/KEY, its first object named part0 (path itself unless
 * split); parts of part_size bytes (S3_PART_MIN at least); a single
 * object of up to cutoff bytes (0: S3_HOLD_PARTS parts) held and sent in
 * one PUT; every object created with settings' encryption and ACL.
 * Checks the
 * bucket and aborts the uploads an earlier run left, before it returns;
 * NULL with *refused set (refused may be NULL) when the bucket refused
 * the credentials. */
struct sink *sink_s3_open(const char *path, const char *part0, int split,
    size_t part_size, size_t cutoff, const struct writer_s3 *settings,
    int *refused);

#endif
