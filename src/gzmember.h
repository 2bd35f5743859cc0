/*
 * gzmember.h - one buffer in, one complete gzip member (RFC 1952) out.
 *
 * The engine (libdeflate when configure found it, else zlib) writes the gzip
 * header and trailer.  A gzmember keeps its compressor between calls, so
 * each worker owns one and compresses its pages in parallel with the
 * others.  Concatenated members are one valid gzip file.
 */
#ifndef INVDUMP_GZMEMBER_H
#define INVDUMP_GZMEMBER_H

#include <stddef.h>

#include "buf.h"

struct gzmember;

/* "libdeflate" or "zlib": what makes the members in this build. */
const char *gzmember_engine(void);

/* level 1..9.  Never returns NULL (allocation failure ends the process). */
struct gzmember *gzmember_new(int level);
void gzmember_free(struct gzmember *gz);

/* Appends the member holding in[0..len) to out.  Returns 0, or -1 when out
 * would pass its cap (out->toobig is set). */
int gzmember_compress(struct gzmember *gz, const void *in, size_t len,
    struct buf *out);

#endif
