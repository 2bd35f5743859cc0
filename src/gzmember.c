/*
 * gzmember.c - one buffer to one gzip member (see gzmember.h).
 *
 * Two engines, chosen at configure time: libdeflate, which compresses a
 * whole buffer at once (exactly our case: one member per page) several
 * times faster than zlib at the same level; and zlib, the baseline, with a
 * z_stream kept between pages (deflateReset, not deflateInit).  Both write
 * the gzip header and trailer themselves.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#include <zlib.h>

#include "gzmember.h"
#include "xalloc.h"

struct gzmember {
#ifdef HAVE_LIBDEFLATE
	struct libdeflate_compressor *ld;
#else
	z_stream zs;
#endif
};

const char *
gzmember_engine(void)
{
#ifdef HAVE_LIBDEFLATE
	return "libdeflate";
#else
	return "zlib";
#endif
}

struct gzmember *
gzmember_new(int level)
{
	struct gzmember *gz = xcalloc(1, sizeof *gz);

#ifdef HAVE_LIBDEFLATE
	if ((gz->ld = libdeflate_alloc_compressor(level)) == NULL) {
		fprintf(stderr, "invdump: libdeflate: cannot allocate a "
		    "compressor\n");
		exit(1);
	}
#else
	int rc = deflateInit2(&gz->zs, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY);

	if (rc != Z_OK) {
		/* Only Z_MEM_ERROR is possible with valid arguments. */
		fprintf(stderr, "invdump: zlib: cannot start deflate (%d)\n", rc);
		exit(1);
	}
#endif
	return gz;
}

void
gzmember_free(struct gzmember *gz)
{
	if (gz == NULL)
		return;
#ifdef HAVE_LIBDEFLATE
	libdeflate_free_compressor(gz->ld);
#else
	deflateEnd(&gz->zs);
#endif
	free(gz);
}

#ifdef HAVE_LIBDEFLATE
int
gzmember_compress(struct gzmember *gz, const void *in, size_t len,
    struct buf *out)
{
	size_t bound = libdeflate_gzip_compress_bound(gz->ld, len), n;
	char *dst;

	if ((dst = buf_reserve(out, bound)) == NULL)
		return -1;
	/* With the bound's room, compression cannot run out of space. */
	if ((n = libdeflate_gzip_compress(gz->ld, in, len, dst, bound)) == 0)
		return -1;
	out->len += n;
	return 0;
}
#else
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
#endif
