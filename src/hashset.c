/*
 * hashset.c - a set of 64-bit hashes (see hashset.h).
 */
#include <stdlib.h>
#include <string.h>

#include "hashset.h"
#include "xalloc.h"

static size_t
hashset_find(const struct hashset *s, uint64_t h)
{
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slot[i] != 0 && s->slot[i] != h)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void
hashset_grow(struct hashset *s)
{
	uint64_t *old = s->slot;
	size_t i, oldcap = s->cap;

	s->cap = s->cap ? 2 * s->cap : 64;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
	for (i = 0; i < oldcap; i++)
		if (old[i] != 0)
			s->slot[hashset_find(s, old[i])] = old[i];
	free(old);
}

int
hashset_add(struct hashset *s, uint64_t h)
{
	size_t i;

	if (h == 0)
		h = 1;
	if (2 * (s->n + 1) > s->cap)
		hashset_grow(s);
	i = hashset_find(s, h);
	if (s->slot[i] == h)
		return 1;
	s->slot[i] = h;
	s->n++;
	return 0;
}

int
hashset_has(const struct hashset *s, uint64_t h)
{
	if (h == 0)
		h = 1;
	return s->cap > 0 && s->slot[hashset_find(s, h)] == h;
}

size_t
hashset_count(const struct hashset *s)
{
	return s->n;
}

void
hashset_clear(struct hashset *s)
{
	if (s->cap > 0)
		memset(s->slot, 0, s->cap * sizeof *s->slot);
	s->n = 0;
}

void
hashset_free(struct hashset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = s->cap = 0;
}
