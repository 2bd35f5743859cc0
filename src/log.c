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
#include "xalloc.h"

static int log_level;
static int log_erase;
static _Thread_local const char *log_target;
static _Thread_local struct log_first *log_first;

void
log_set_target(const char *name, struct log_first *first)
{
	log_target = name;
	log_first = first;
}

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

/* One write(2) per line, so that threads never interleave inside a line.
 * An error (is_error) is also the target's first, if none was before. */
static void
log_emit(const char *fmt, va_list ap, const char *suffix, int is_error)
{
	char line[4096];
	int n, m, start, zero = 0;

	n = snprintf(line, sizeof line, "%sinvdump: %s%s%s", log_erase ?
	    "\r\033[K" : "", log_target != NULL ? "[" : "", log_target != NULL ?
	    log_target : "", log_target != NULL ? "] " : "");
	if ((size_t)n >= sizeof line / 2)
		n = sizeof line / 2;
	start = n;
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
	if (is_error && log_first != NULL &&
	    atomic_compare_exchange_strong(&log_first->taken, &zero, 1)) {
		m = n - start < (int)sizeof log_first->text ? n - start :
		    (int)sizeof log_first->text - 1;
		memcpy(log_first->text, line + start, (size_t)m);
		log_first->text[m] = '\0';
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
	log_emit(fmt, ap, NULL, 1);
	va_end(ap);
}

void
log_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	log_emit(fmt, ap, strerror(e), 1);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_level < log_level_normal)
		return;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < log_level_verbose)
		return;
	va_start(ap, fmt);
	log_emit(fmt, ap, NULL, 0);
	va_end(ap);
}

/*
 * Is a parameter or header name one whose value is a secret?  The name is
 * percent-decoded, lowercased and stripped of everything but letters and
 * digits ("X-Amz-Signature", "api_token", "user[password]", "api%5Fkey"
 * all count), then tried against two lists: words that give a secret away
 * wherever they appear in a name, and short words that do so only at its
 * end (after a plural 's' is dropped), where "key" in "monkey" or "pass"
 * in "bypass" is redacted too - better too much than too little - but
 * "keyword", "signal" or "passenger" are not.
 */
static const char *const secret_anywhere[] = {
	"token", "secret", "passw", "passphrase", "signature", "credential",
	"apikey", "accesskey", "privatekey", "sessionid", "sessid",
	"authorization", "cookie", "bearer", NULL
};
static const char *const secret_suffix[] = {
	"key", "sig", "pass", "pwd", "auth", "session", "sid", "jwt", NULL
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int
secret_name(const char *name, size_t n)
{
	char *norm = xmalloc(n + 1);
	size_t i, j;
	int c, hi, lo, found = 0;

	for (i = j = 0; i < n; i++) {
		c = (unsigned char)name[i];
		if (c == '%' && i + 2 < n &&
		    (hi = hexval((unsigned char)name[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)name[i + 2])) >= 0) {
			c = hi * 16 + lo;
			i += 2;
		}
		if (isalnum(c))
			norm[j++] = tolower(c);
	}
	norm[j] = '\0';
	for (i = 0; !found && secret_anywhere[i] != NULL; i++)
		found = strstr(norm, secret_anywhere[i]) != NULL;
	if (j > 1 && norm[j - 1] == 's')
		for (i = 0; !found && secret_suffix[i] != NULL; i++)
			found = ends_with(norm, j - 1, secret_suffix[i]);
	for (i = 0; !found && secret_suffix[i] != NULL; i++)
		found = ends_with(norm, j, secret_suffix[i]);
	free(norm);
	return found;
}

/*
 * Rewrites "a=1&token=2" with the secret values replaced by "***".  ';'
 * separates parameters too, as some servers have it, so that "a=1;key=2"
 * cannot hide a key inside the value of "a".  Empty values stay empty
 * (there is nothing to hide, and "token=" is worth seeing).
 */
static char *
redact_params(const char *q)
{
	size_t n = strlen(q), name_len, len;
	char *out = xmalloc(4 * n + 8), *o = out;
	const char *p = q, *end, *eq;

	while (*p != '\0') {
		len = strcspn(p, "&;");
		end = p + len;
		eq = memchr(p, '=', len);
		name_len = eq != NULL ? (size_t)(eq - p) : len;
		if (eq != NULL && eq + 1 < end && secret_name(p, name_len)) {
			memcpy(o, p, name_len + 1);
			o += name_len + 1;
			memcpy(o, "***", 3);
			o += 3;
		} else {
			memcpy(o, p, len);
			o += len;
		}
		if (*end == '\0')
			break;
		*o++ = *end;
		p = end + 1;
	}
	*o = '\0';
	return out;
}

/* Redacts the URL part of u by redact_params. */
static void
redact_part(CURLU *u, CURLUPart part)
{
	char *v = NULL, *nv;

	if (curl_url_get(u, part, &v, 0) != CURLUE_OK || v == NULL)
		return;
	if (part == CURLUPART_QUERY || strchr(v, '=') != NULL) {
		nv = redact_params(v);
		curl_url_set(u, part, nv, 0);
		free(nv);
	}
	curl_free(v);
}

char *
log_redact_url(const char *url)
{
	CURLU *u;
	char *out = NULL, *pw = NULL, *result;

	if ((u = curl_url()) == NULL)
		return xstrdup("(unprintable URL)");
	if (curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(unprintable URL)");
	}
	/*
	 * user:password@ keeps the user; a user alone is often a token
	 * (https://TOKEN@host/), so it goes.
	 */
	if (curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_PASSWORD, "***", 0);
		curl_free(pw);
	} else if (curl_url_get(u, CURLUPART_USER, &pw, 0) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_USER, "***", 0);
		curl_free(pw);
	}
	redact_part(u, CURLUPART_QUERY);
	/* Tokens travel in fragments too (OAuth's #access_token=). */
	redact_part(u, CURLUPART_FRAGMENT);
	if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup("(unprintable URL)");
	}
	result = xstrdup(out);
	curl_free(out);
	curl_url_cleanup(u);
	return result;
}

char *
log_redact_header(const char *line)
{
	const char *colon;
	size_t n = strlen(line), eol;

	/* HTTP/2 pseudo-headers (":authority: x") begin with their colon. */
	colon = strchr(line + (line[0] == ':'), ':');
	if (colon == NULL || !secret_name(line, colon - line))
		return xstrdup(line);
	/* Keep the line's end, so that the caller can print it as it was. */
	for (eol = n; eol > (size_t)(colon - line) + 1 &&
	    (line[eol - 1] == '\r' || line[eol - 1] == '\n'); eol--)
		;
	/* An empty value stays empty, as in a query. */
	if (colon + 1 + strspn(colon + 1, " \t") >= line + eol)
		return xstrdup(line);
	return xasprintf("%.*s: ***%s", (int)(colon - line), line, line + eol);
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
