/* test_gzmember.c - pages become gzip members that zlib reads back. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "gzmember.h"
#include "tap.h"

/* Inflates every concatenated member of in with zlib's own gzip reader. */
static int
gunzip_all(const struct buf *in, struct buf *out)
{
	z_stream zs;
	char chunk[4096];
	size_t used = 0;
	int rc;

	while (used < in->len) {
		memset(&zs, 0, sizeof zs);
		if (inflateInit2(&zs, 15 + 16) != Z_OK)
			return -1;
		zs.next_in = (Bytef *)in->data + used;
		zs.avail_in = in->len - used;
		do {
			zs.next_out = (Bytef *)chunk;
			zs.avail_out = sizeof chunk;
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END) {
				inflateEnd(&zs);
				return -1;
			}
			buf_add(out, chunk, sizeof chunk - zs.avail_out);
		} while (rc != Z_STREAM_END);
		used = in->len - zs.avail_in;
		inflateEnd(&zs);
	}
	return 0;
}

int
main(void)
{
	struct gzmember *gz = gzmember_new(6);
	struct buf out, back, text;
	unsigned long x = 12345;
	size_t i;

	buf_init(&out, 0);
	buf_init(&back, 0);
	buf_init(&text, 0);

	ok(gzmember_compress(gz, "", 0, &out) == 0 && out.len >= 18 &&
	    (unsigned char)out.data[0] == 0x1f && (unsigned char)out.data[1] == 0x8b,
	    "an empty page is a valid gzip member (%zu bytes)", out.len);
	ok(gunzip_all(&out, &back) == 0 && back.len == 0, "and inflates to nothing");

	/* Incompressible-ish data plus text, in three members. */
	for (i = 0; i < 200000; i++) {
		x = x * 1103515245 + 12345;
		buf_addc(&text, (char)(i % 7 == 0 ? '\n' : 'a' + (x >> 16) % 26));
	}
	buf_reset(&out);
	ok(gzmember_compress(gz, text.data, 1000, &out) == 0 &&
	    gzmember_compress(gz, text.data + 1000, 150000, &out) == 0 &&
	    gzmember_compress(gz, text.data + 151000, text.len - 151000, &out) == 0,
	    "three members compressed with one stream");
	buf_reset(&back);
	ok(gunzip_all(&out, &back) == 0 && back.len == text.len &&
	    memcmp(back.data, text.data, text.len) == 0,
	    "concatenated members inflate to the original bytes");

	buf_free(&out);
	buf_init(&out, 50);
	ok(gzmember_compress(gz, text.data, text.len, &out) == -1 && out.toobig,
	    "an output cap is honoured");
	gzmember_free(gz);

	gz = gzmember_new(1);
	buf_free(&out);
	buf_init(&out, 0);
	buf_reset(&back);
	ok(gzmember_compress(gz, text.data, text.len, &out) == 0 &&
	    gunzip_all(&out, &back) == 0 && back.len == text.len,
	    "level 1 round-trips too");
	gzmember_free(gz);
	buf_free(&out);
	buf_free(&back);
	buf_free(&text);
	return tap_done();
}
