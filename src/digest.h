/*
 * digest.h - SHA-256 of a byte stream, fed as it goes, by libcrypto.
 *
 * A thin wrapper over OpenSSL's EVP_Digest* so that the rest of the program
 * neither sees OpenSSL's types nor hashes by hand.  A digest is owned by
 * one thread at a time.  Every function but digest_free returns 0, or -1
 * when libcrypto refused (which it does not do for SHA-256 in practice);
 * none of them prints anything.
 */
#ifndef INVDUMP_DIGEST_H
#define INVDUMP_DIGEST_H

#include <stddef.h>

/* Lowercase hex of a SHA-256 and its terminating NUL. */
#define DIGEST_HEX_SIZE 65

struct digest;

/* Never returns NULL: allocation failure ends the process (xalloc.h). */
struct digest *digest_new(void);
void digest_free(struct digest *d);

/* Starts over, forgetting what was fed. */
int digest_reset(struct digest *d);
int digest_update(struct digest *d, const void *data, size_t n);
/* Writes the lowercase hex of what was fed since the reset to hex; the
 * digest must be reset before it is fed again. */
int digest_final(struct digest *d, char hex[DIGEST_HEX_SIZE]);

/* The SHA-256 of data[0..n) in one call. */
int digest_sha256_hex(const void *data, size_t n, char hex[DIGEST_HEX_SIZE]);

#endif
