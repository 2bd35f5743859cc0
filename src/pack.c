/*
 * pack.c - the one compress stage (see pack.h).
 */
#include <stdlib.h>

#include "cli.h"
#include "gzmember.h"
#include "pack.h"
#include "xalloc.h"

struct packer {
	struct gzmember *gz;
	struct buf out;
};

int
pack_on_worker(const struct target *t)
{
	return t->key == NULL && t->nexpand == 0;
}

struct packer *
packer_new(int gzip, int level, size_t cap)
{
	struct packer *p;

	if (!gzip)
		return NULL;
	p = xcalloc(1, sizeof *p);
	p->gz = gzmember_new(level);
	buf_init(&p->out, cap);
	return p;
}

void
packer_free(struct packer *p)
{
	if (p == NULL)
		return;
	gzmember_free(p->gz);
	buf_free(&p->out);
	free(p);
}

const struct buf *
pack_lines(struct packer *p, const struct buf *lines)
{
	if (p == NULL)
		return lines;
	buf_reset(&p->out);
	if (gzmember_compress(p->gz, lines->data, lines->len, &p->out) < 0)
		return NULL;
	return &p->out;
}
