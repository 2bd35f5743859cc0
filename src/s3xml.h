/*
 * s3xml.h - S3's XML answers and errors, read with libxml2.
 *
 * Never fetches anything (no network, no external entities); an answer
 * that is not XML, or has a DTD, reads as one without the element asked
 * for.
 */
#ifndef INVDUMP_S3XML_H
#define INVDUMP_S3XML_H

#include <stddef.h>

/* Once, before any thread parses: libxml2's own set-up. */
void s3xml_init(void);
/* The text of the first element named name (any namespace), or NULL;
 * the caller frees it. */
char *s3xml_text(const char *body, size_t n, const char *name);
/* ListMultipartUploads: the Key and UploadId of every <Upload>, in *keys
 * and *ids (the caller frees each and both arrays); their number. */
size_t s3xml_uploads(const char *body, size_t n, char ***keys,
    char ***ids);

#endif
