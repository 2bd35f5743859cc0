/*
 * fuzz_awscred.c - libFuzzer target for a credentials endpoint's answer
 * as awscred.c reads it (the container endpoint's, IMDS's): JSON with
 * AccessKeyId, SecretAccessKey, Token and Expiration.  It comes from the
 * network, from whatever serves that address.
 *
 * Input: the answer's bytes, as received (cut at a NUL, as the fetch
 * collects a C string).
 *
 * These must hold for every input:
 *   - nothing crashes, leaks or reads out of bounds (ASan);
 *   - 0 means a key and a secret were read; -1 leaves none of the
 *     strings set;
 *   - reading twice gives the same answer, expiry included; an expiry is
 *     an instant after 1970 or none (0).
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_awscred
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awscred.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct awscred a, b;
	char *body = malloc(size + 1);
	int ra, rb;

	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	body[size] = '\0';
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	ra = awscred_json(body, &a);
	rb = awscred_json(body, &b);
	CHECK(ra == 0 || ra == -1);
	CHECK(ra == rb);
	if (ra == 0)
		CHECK(a.akid != NULL && a.secret != NULL);
	else
		CHECK(a.akid == NULL && a.secret == NULL && a.token == NULL);
	CHECK(same(a.akid, b.akid) && same(a.secret, b.secret) &&
	    same(a.token, b.token) && a.expires == b.expires);
	CHECK(a.expires >= 0);
	awscred_free(&a);
	awscred_free(&b);
	free(body);
	return 0;
}
