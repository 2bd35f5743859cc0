/*
 * fuzz_s3xml.c - libFuzzer target for S3's XML answers as s3xml.c reads
 * them: an error's Code and Message, CreateMultipartUpload's UploadId, a
 * ListMultipartUploads page.  They come from the network, from a store
 * that may be anyone's S3-compatible server.
 *
 * Input: the answer's bytes, as received.
 *
 * These must hold for every input:
 *   - nothing crashes, leaks or reads out of bounds (ASan);
 *   - reading twice gives the same answers;
 *   - every upload listed has a key and an id;
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **keys, **ids;
	size_t n, i;

	s3xml_init();
	text_twice(data, size, "Code");
	text_twice(data, size, "UploadId");
	n = s3xml_uploads((const char *)data, size, &keys, &ids);
	for (i = 0; i < n; i++) {
		CHECK(keys[i] != NULL && ids[i] != NULL);
		free(keys[i]);
		free(ids[i]);
	}
	free(keys);
	free(ids);
	return 0;
}
