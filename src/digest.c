/*
 * digest.c - SHA-256 by libcrypto's EVP interface (see digest.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "digest.h"
#include "xalloc.h"

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *
digest_new(void)
{
	struct digest *d = xcalloc(1, sizeof *d);

	/* EVP_MD_CTX_new fails only when memory does. */
	if ((d->ctx = EVP_MD_CTX_new()) == NULL) {
		fputs("invdump: out of memory (EVP_MD_CTX_new)\n", stderr);
		exit(1);
	}
	return d;
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

int
digest_reset(struct digest *d)
{
	return EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

int
digest_update(struct digest *d, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return EVP_DigestUpdate(d->ctx, data, n) == 1 ? 0 : -1;
}

int
digest_final(struct digest *d, char hex[DIGEST_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	if (EVP_DigestFinal_ex(d->ctx, md, &len) != 1 ||
	    len * 2 + 1 != DIGEST_HEX_SIZE) {
		hex[0] = '\0';
		return -1;
	}
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
	return 0;
}

int
digest_sha256_hex(const void *data, size_t n, char hex[DIGEST_HEX_SIZE])
{
	struct digest *d = digest_new();
	int r;

	r = digest_reset(d) == 0 && digest_update(d, data, n) == 0 &&
	    digest_final(d, hex) == 0 ? 0 : -1;
	digest_free(d);
	return r;
}
