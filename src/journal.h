/*
 * journal.h - the record of what an export has durably written, so that a
 * run killed at 90 % (SIGKILL, a power cut) resumes instead of starting
 * over (--resume).
 *
 * The journal is a small text file beside the destination,
 * ".NAME.invdump-journal", append-only:
 *
 *   invdump-journal 1
 *   id <16 hex digits>       what the command asks for (URL, profile, page
 *                            size, items path, --key, compression): a
 *                            resume must ask for the same
 *   url <the URL, redacted>  for messages only
 *   tmp <path>               the temporary output being written
 *   total <n>                the total at the start (-1: none)
 *   page-size <n>            the page size really used
 *   at <seq> <items> <bytes> [<next>]
 *                            a checkpoint: pages 0..seq are in the
 *                            temporary file, its first <bytes> bytes
 *                            hold <items> items, all synced to disk
 *                            before this line was written; <next> is a
 *                            cursor's next page
 *   keys <hex> ...           --key: the key hashes of page seq
 *   lines <hex> ...          the item hashes of page seq (the boundary
 *                            check)
 *
 * A line cut short by a crash (no newline) and anything after it are
 * ignored: the last complete checkpoint wins.  This module owns the format;
 * it never decides whether a resume is allowed (the run does).
 */
#ifndef INVDUMP_JOURNAL_H
#define INVDUMP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct journal;

/* What a journal says. */
struct journal_state {
	uint64_t id;
	char *url, *tmp;
	long long total;
	long page_size;
	int has_at;             /* a checkpoint was found */
	long long seq, items;
	unsigned long long bytes;
	char *next;             /* or NULL */
	struct buf keys;        /* uint64_t hashes of page seq's keys */
	struct buf lines;       /* uint64_t hashes of page seq's items */
};

/* The journal's path for a destination, newly allocated. */
char *journal_path(const char *dest);

/* Starts a journal at path (replacing any), with the header; NULL and a
 * message on failure. */
struct journal *journal_create(const char *path, uint64_t id, const char *url,
    const char *tmp, long long total, long page_size);

/* Reopens an existing journal for appending (after journal_read). */
struct journal *journal_append(const char *path);

/* Appends a checkpoint and syncs the journal.  The caller has synced the
 * output first.  keys and lines may be NULL.  Returns 0 or -1 (with a
 * message). */
int journal_checkpoint(struct journal *j, long long seq, long long items,
    unsigned long long bytes, const char *next, const struct buf *keys,
    const struct buf *lines);

/* Closes the journal; with remove, deletes it (the export was
 * published or abandoned). */
void journal_close(struct journal *j, int remove);

/* Reads the journal at path into *st: 1 read, 0 there is none, -1 it is
 * unreadable or not a journal (a message in err). */
int journal_read(const char *path, struct journal_state *st, char *err,
    size_t errsz);
void journal_state_free(struct journal_state *st);

#endif
