/*
 * hashset.h - one set of 64-bit hashes (hash.h), for "seen before?":
 * cursors already followed, keys on the page before (--key).
 *
 * Open addressing with linear probing, at most half full, growing by
 * doubling; clearing keeps the memory, so a set reused page after page
 * allocates only while pages grow.  Slot value 0 means empty, so the hash 0
 * is stored as 1: a collision can only make a check speak up, never hide
 * a problem.  One owner at a time; no locking.
 */
#ifndef INVDUMP_HASHSET_H
#define INVDUMP_HASHSET_H

#include <stddef.h>
#include <stdint.h>

struct hashset {
	uint64_t *slot;
	size_t n, cap;          /* cap: 0 or a power of two */
};

#define HASHSET_INIT { NULL, 0, 0 }

/* Adds h; returns 1 if it was there already, 0 if it is new. */
int hashset_add(struct hashset *s, uint64_t h);
/* Is h in the set? */
int hashset_has(const struct hashset *s, uint64_t h);
size_t hashset_count(const struct hashset *s);
/* Empties the set, keeping its memory. */
void hashset_clear(struct hashset *s);
void hashset_free(struct hashset *s);

#endif
