/*
 * gzmember.c - one buffer to one gzip member with zlib (see gzmember.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <zlib.h>

#include "gzmember.h"
#include "xalloc.h"

struct gzmember {
	z_stream zs;
};

struct gzmember *
gzmember_new(int level)
{
	struct gzmember *gz = xcalloc(1, sizeof *gz);
	int rc;

	rc = deflateInit2(&gz->zs, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY);
	if (rc != Z_OK) {
		/* Only Z_MEM_ERROR is possible with valid arguments. */
		fprintf(stderr, "invdump: zlib: cannot start deflate (%d)\n", rc);
		exit(1);
	}
	return gz;
}

void
gzmember_free(struct gzmember *gz)
{
	if (gz == NULL)
		return;
	deflateEnd(&gz->zs);
	free(gz);
}

int
gzmember_compress(struct gzmember *gz, const void *in, size_t len,
    struct buf *out)
{
	z_stream *zs = &gz->zs;
	size_t bound, left = len;
	char *dst;
	int rc;

	deflateReset(zs);
	zs->next_in = (Bytef *)(uintptr_t)in;
	/* deflateBound covers the gzip header and trailer; one call suffices
	 * unless len is past what an uInt can count. */
	do {
		uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;

		bound = deflateBound(zs, chunk);
		if (left == 0 && bound < 65536)
			bound = 65536;  /* flushing what a huge input left pending */
		if ((dst = buf_reserve(out, bound)) == NULL)
			return -1;
		zs->avail_in = chunk;
		zs->next_out = (Bytef *)dst;
		zs->avail_out = (uInt)bound;
		left -= chunk;
		rc = deflate(zs, left == 0 ? Z_FINISH : Z_NO_FLUSH);
		out->len += bound - zs->avail_out;
	} while (left > 0 || (rc == Z_OK || rc == Z_BUF_ERROR));
	return rc == Z_STREAM_END ? 0 : -1;
}
