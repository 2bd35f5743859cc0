/*
 * log.c - messages on stderr and redaction (see log.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "query.h"
#include "xalloc.h"

static int log_level;
static int log_erase;

void
log_set_erase_line(int on)
{
	log_erase = on;
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

/* One write(2) per line, so that threads never interleave inside a line. */
static void
log_emit(const char *fmt, va_list ap, const char *suffix)
{
	char line[4096];
	int n, m;

	n = snprintf(line, sizeof line, "%sinvdump: ", log_erase ? "\r\033[K" :
	    "");
	m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof line - 2)
		n = sizeof line - 2;
	if (suffix != NULL) {
		m = snprintf(line + n, sizeof line - 1 - n, ": %s", suffix);
		n = (size_t)(n + m) >= sizeof line - 2 ? (int)sizeof line - 2 : n + m;
	}
	line[n++] = '\n';
	/* Nothing useful to do if stderr itself fails. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

void
log_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_emit(fmt, ap, strerror(e));
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < log_level_normal)
		return;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < log_level_verbose)
		return;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL);
	va_end(ap);
}

/* Query parameter names whose values are secrets, compared without case
 * and ignoring '-' and '_' (so "api-key", "api_key" and "apiKey" match). */
static const char *const secret_params[] = {
	"apikey", "key", "token", "accesstoken", "authtoken", "password",
	"passwd", "pass", "secret", "clientsecret", "sig", "signature",
	"privatetoken", "sessionid", "auth", "credential", "credentials",
	NULL
};

static int
secret_param(const char *name, size_t n)
{
	char norm[64];
	size_t i, j;

	for (i = j = 0; i < n && j < sizeof norm - 1; i++) {
		if (name[i] == '-' || name[i] == '_')
			continue;
		norm[j++] = tolower((unsigned char)name[i]);
	}
	norm[j] = '\0';
	for (i = 0; secret_params[i] != NULL; i++)
		if (strcmp(norm, secret_params[i]) == 0)
			return 1;
	return 0;
}

char *
log_redact_url(const char *url)
{
	CURLU *u;
	char *query = NULL, *out = NULL, *result;
	const char *p;
	struct query_param qp;
	char *nq;
	size_t qlen;

	if ((u = curl_url()) == NULL)
		return xstrdup("(unprintable URL)");
	if (curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(unprintable URL)");
	}
	curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		qlen = strlen(query);
		nq = xmalloc(qlen * 2 + 4);
		nq[0] = '\0';
		for (p = query; query_next(&p, &qp); ) {
			if (*nq != '\0')
				strcat(nq, "&");
			if (qp.value != NULL && secret_param(qp.start, qp.name_len)) {
				strncat(nq, qp.start, qp.name_len + 1);
				strcat(nq, "***");
			} else
				strncat(nq, qp.start, qp.len);
		}
		curl_url_set(u, CURLUPART_QUERY, nq, 0);
		free(nq);
		curl_free(query);
	}
	if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(unprintable URL)");
	}
	/* A user name alone is not a secret, but "user:" would look odd;
	 * curl prints the user without a password, which is what we want. */
	result = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return result;
}

void
log_snippet(char *dst, size_t dstsz, const char *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, j = 0;
	unsigned char c;

	if (dstsz == 0)
		return;
	for (i = 0; i < n && j + 5 < dstsz; i++) {
		c = (unsigned char)data[i];
		if (c == '"' || c == '\\') {
			dst[j++] = '\\';
			dst[j++] = c;
		} else if (c == '\n') {
			dst[j++] = '\\';
			dst[j++] = 'n';
		} else if (c >= 0x20 && c < 0x7f)
			dst[j++] = c;
		else {
			dst[j++] = '\\';
			dst[j++] = 'x';
			dst[j++] = hex[c >> 4];
			dst[j++] = hex[c & 15];
		}
	}
	dst[j] = '\0';
}
