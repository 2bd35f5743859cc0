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
/* One page of ListMultipartUploads. */
struct s3upload {
	char *key, *id;
	long long initiated_ms; /* Initiated, Unix milliseconds; 0: none or
	                           not an instant */
};
struct s3uploads {
	struct s3upload *v;     /* every <Upload> with a Key and an UploadId */
	size_t n;
	int truncated;          /* IsTruncated is true: another page follows */
	char *next_key, *next_id;       /* NextKeyMarker, NextUploadIdMarker,
	                                   or NULL */
};
/* The page in body into *u (s3xml_uploads_free frees it); u->n. */
size_t s3xml_uploads(const char *body, size_t n, struct s3uploads *u);
void s3xml_uploads_free(struct s3uploads *u);
/* An ISO 8601 instant in UTC (2026-12-07T20:48:33.250Z, or +00:00 for
 * the Z, as S3's listings and the credentials endpoints write it) in Unix
 * milliseconds, or 0 when it is not one. */
long long s3xml_time_ms(const char *s);

#endif
