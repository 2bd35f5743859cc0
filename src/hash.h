/*
 * hash.h - one 64-bit hash of a byte string, for recognising an item (or a
 * cursor) seen before.  Not cryptographic: the bytes come from a server we
 * do not trust, but a collision can only make a check speak up when it
 * need not (never hide a problem), since equal bytes always hash equal.
 */
#ifndef INVDUMP_HASH_H
#define INVDUMP_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

/* Eight bytes a step, then the tail, then the length, then a finaliser
 * (murmur3's): fast on long lines, well spread. */
static inline uint64_t
hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ hash_mix(w)) * 0x100000001b3ULL;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ hash_mix(w ^ (uint64_t)n)) * 0x100000001b3ULL;
	return hash_mix(h);
}

#endif
