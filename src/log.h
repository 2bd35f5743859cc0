/*
 * log.h - what the person at the terminal sees, and redaction.
 *
 * Every message goes to stderr prefixed "invdump: ", one line each, written
 * with a single write so lines from several threads never interleave.
 * Nothing here ever prints a credential: URLs pass through log_redact_url()
 * and header lines through log_redact_header() before they reach a message.
 */
#ifndef INVDUMP_LOG_H
#define INVDUMP_LOG_H

#include <stdatomic.h>
#include <stddef.h>

enum log_level { log_level_quiet = -1, log_level_normal = 0, log_level_verbose = 1 };

/* Set once by main before any thread starts. */
void log_set_level(int level);
/* With a progress line on the terminal: erase it before each message. */
void log_set_erase_line(int on);
int log_get_level(void);
/*
 * Messages of this thread name the target they are about ("invdump:
 * [name] ..."), or none (NULL), and the first error of any thread with
 * the same first (or NULL) is kept there: set by each thread of an
 * export.  first->text is read once those threads are done.
 */
struct log_first {
	atomic_int taken;
	char text[1024];
};
void log_set_target(const char *name, struct log_first *first);

/* Errors are printed at every level. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Errors with strerror(errno) appended, as tmux's fatal() vs fatalx(). */
void log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warnings are silenced by -q. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Information for -v. */
/* A line for the person at the normal level (not with -q), such as the
 * summary: the warnings' level and form, under a name that says what it
 * is. */
#define log_note log_warn
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A name is a secret's when, percent-decoded, lowercased and with all but
 * letters and digits dropped, it contains token, secret, passw, passphrase,
 * signature, credential, apikey, accesskey, privatekey, sessionid, sessid,
 * authorization, cookie or bearer, or ends (a plural 's' aside) in key,
 * sig, pass, pwd, auth, session, sid or jwt: "api_token", "X-Amz-Signature"
 * and "Proxy-Authorization" are, and so is "monkey" (too much rather than
 * too little), but not "keyword".
 */

/*
 * Returns a newly allocated copy of url fit to print: the password in the
 * userinfo (or the user, when alone, as in https://TOKEN@host/) and the
 * values of query parameters with a secret's name, in the query and in a
 * fragment that holds parameters, are replaced by "***"; empty values stay
 * empty.  An unparsable URL comes back as "(unprintable URL)".
 */
char *log_redact_url(const char *url);

/*
 * Returns a newly allocated copy of a header line, "Name: value" with or
 * without its CR LF, fit to print: when Name is a secret's, the value
 * becomes "***".  Other lines come back as they were.
 */
char *log_redact_header(const char *line);

/* Copies at most n bytes of data into dst (of size dstsz) as printable
 * ASCII: other bytes become \xNN, quotes and backslashes are escaped. */
void log_snippet(char *dst, size_t dstsz, const char *data, size_t n);

#endif
