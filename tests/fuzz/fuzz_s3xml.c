/*
 * fuzz_s3xml.c - libFuzzer target for S3's XML answers as s3xml.c reads
 * them: an error's Code and Message, CreateMultipartUpload's UploadId, a
 * ListMultipartUploads page (its uploads with their Initiated, IsTruncated,
 * NextKeyMarker and NextUploadIdMarker).  They come from the network, from a store
 * that may be anyone's S3-compatible server.
 *
 * Input: the answer's bytes, as received.
 *
 * These must hold for every input:
 *   - nothing crashes, leaks or reads out of bounds (ASan);
 *   - reading twice gives the same answers;
 *   - every upload listed has a key and an id; an Initiated read is an
 *     instant after 1970 or none (0); a page read twice reads the same;
 *   - a text found is a string no longer than the input could make it
 *     (UTF-16 becomes UTF-8: 3 bytes for 2 at most), since a document with
 *     a DTD, where entities could multiply it, is refused.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_s3xml
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3xml.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
text_twice(const uint8_t *data, size_t size, const char *name)
{
	char *a = s3xml_text((const char *)data, size, name);
	char *b = s3xml_text((const char *)data, size, name);

	CHECK((a == NULL) == (b == NULL));
	if (a != NULL) {
		CHECK(strcmp(a, b) == 0);
		CHECK(strlen(a) <= 2 * size);
	}
	free(a);
	free(b);
}

/* Two readings of one page agree. */
static void
same_page(const struct s3uploads *a, const struct s3uploads *b)
{
	size_t i;

	CHECK(a->n == b->n && a->truncated == b->truncated);
	CHECK((a->next_key == NULL) == (b->next_key == NULL));
	CHECK((a->next_id == NULL) == (b->next_id == NULL));
	CHECK(a->next_key == NULL || strcmp(a->next_key, b->next_key) == 0);
	CHECK(a->next_id == NULL || strcmp(a->next_id, b->next_id) == 0);
	for (i = 0; i < a->n; i++) {
		CHECK(a->v[i].key != NULL && a->v[i].id != NULL);
		CHECK(strcmp(a->v[i].key, b->v[i].key) == 0);
		CHECK(strcmp(a->v[i].id, b->v[i].id) == 0);
		CHECK(a->v[i].initiated_ms == b->v[i].initiated_ms);
		CHECK(a->v[i].initiated_ms >= 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3uploads a, b;
	size_t n;

	s3xml_init();
	text_twice(data, size, "Code");
	text_twice(data, size, "UploadId");
	n = s3xml_uploads((const char *)data, size, &a);
	CHECK(n == a.n);
	s3xml_uploads((const char *)data, size, &b);
	same_page(&a, &b);
	s3xml_uploads_free(&a);
	s3xml_uploads_free(&b);
	return 0;
}
