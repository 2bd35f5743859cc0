/*
 * pack.h - the one compress stage: NDJSON lines in, the bytes for the
 * writer out - one gzip member per page or batch, or the lines themselves
 * when the output is not compressed.
 *
 * Every member in an output is made by pack_lines(), in one of two places
 * that pack_on_worker() chooses for a target: on the worker that fetched a
 * page, in parallel with the others, when the lines reach the writer as
 * they were parsed; or on the emitter, in page order, when the emitter
 * changes the lines first (--key drops repeats, --expand attaches
 * relations or writes details in batches).  A packer belongs to one
 * thread.
 */
#ifndef INVDUMP_PACK_H
#define INVDUMP_PACK_H

#include "buf.h"

struct packer;
struct target;

/* Does a page of t leave its worker compressed (else the emitter packs
 * what it writes)? */
int pack_on_worker(const struct target *t);

/* A packer at level 1..9 whose members are at most cap bytes (0: no
 * cap); NULL when gzip is off, which pack_lines takes as "as they are". */
struct packer *packer_new(int gzip, int level, size_t cap);
void packer_free(struct packer *p);

/* The bytes for the writer: one gzip member of lines in p's buffer (valid
 * until the next call), or lines itself when p is NULL.  NULL when the
 * member would pass p's cap. */
const struct buf *pack_lines(struct packer *p, const struct buf *lines);

#endif
