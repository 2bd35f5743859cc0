/*
 * session.h - a login shared by every request of a target (or of every
 * target with the same origin and credentials): the token it hands out,
 * its renewal before it expires or once the server refuses it, and the
 * logout at the end.
 *
 * A session sits between the requests and http: a fetcher asks it for the
 * header that carries the current token (session_attach), tells it when
 * the server refused that token (session_refused) and when it took it
 * (session_accepted).  One thread logs in at a time (single flight); the
 * others go on with the old token while it is valid, or wait for the new
 * one.  Credentials come from the environment or a file, never from the
 * command line, and are never printed; the token goes only to the origin
 * of the target it was made for.
 */
#ifndef INVDUMP_SESSION_H
#define INVDUMP_SESSION_H

#include <stdatomic.h>
#include <stddef.h>

#include <curl/curl.h>

#include "http.h"
#include "status.h"

/* How a target logs in, as the options or the jobs file give it; every
 * field NULL (or 0) takes the profile's. */
struct session_conf {
	const char *profile;            /* "f5", "ibm-iam", "oauth2", "login";
	                                   NULL: no session */
	const char *login_url;          /* absolute, or a path on the target's
	                                   origin */
	const char *user_env;           /* the user's (or client id's) variable */
	const char *secret_env;         /* the secret's variable */
	const char *secret_file;        /* ... or the file whose first line is
	                                   the secret */
	const char *body;               /* "json" or "form" */
	const char *fields;             /* "USERFIELD,SECRETFIELD" */
	struct curl_slist *consts;      /* --login-field NAME=VALUE */
	const char *token_path;         /* dotted JSON path, or header:NAME */
	const char *send;               /* bearer, header:NAME or cookie:NAME */
	const char *lifetime;           /* seconds, or a dotted JSON path */
	const char *logout_url;         /* {token} replaced; "" none */
};

/* What a login answer holds (session_parse). */
struct session_answer {
	char *token;                    /* newly allocated */
	double lifetime;                /* seconds; 0: not said */
};

struct session;

/* Is name a profile of sessions?  For the options' check. */
int session_profile_known(const char *name);
/* The profiles' names, ", " between them (static). */
const char *session_profile_names(void);

struct options;
struct target;

/*
 * The session of target t, logged in at its first use: its credentials
 * are read now (from the environment or the file).  The login uses the
 * target's TLS settings and the run's timeouts, not its headers or Basic
 * credentials; *cancel (or NULL) interrupts it.  NULL with why in err.
 */
struct session *session_new(const struct options *o, const struct target *t,
    const atomic_int *cancel, char *err, size_t errsz);

/* Do a and b log in as one (same origin, login, credentials)?  Targets
 * whose sessions match share one. */
int session_same(const struct session *a, const struct session *b);

/*
 * Appends the token's header for url to *hdrs (none when url is not on
 * the session's origin: *gen is then 0), logging in or renewing first if
 * the token is missing or due; *gen receives the token's generation.
 * exit_ok, or the login's failure (exit_auth, exit_protocol, ...) with a
 * message in msg.
 */
enum exit_status session_attach(struct session *s, const char *url,
    struct curl_slist **hdrs, unsigned long *gen, char *msg, size_t msgsz);

/* The server took the token of generation gen. */
void session_accepted(struct session *s, unsigned long gen);

/*
 * The server refused the token of generation gen (a 401, or a 403 about
 * the token): exit_ok when the request may go again with a new token (a
 * renewal made, or made already by another thread); exit_auth when the
 * token was fresh from a login and never taken (the credentials are
 * wrong: asking again would loop).
 */
enum exit_status session_refused(struct session *s, unsigned long gen,
    char *msg, size_t msgsz);

/* Does a 403's body speak of the token (expired, invalid), rather than
 * of a permission or a rate limit? */
int session_token_refusal(long status, const char *snippet);

/* Ends the session: logs out if it logged in (once). */
void session_logout(struct session *s);
/* Logs out if not yet, wipes the credentials, frees. */
void session_free(struct session *s);

/* The cookie jar of the session's login (the target's --cookies), for
 * its pages' clients; NULL when it keeps none. */
struct http_jar *session_jar(struct session *s);

/* Logins made (for the summary and the tests). */
long session_logins(const struct session *s);

/*
 * The sessions of a run of many targets: one per target that logs in, or
 * one shared by the targets with the same origin and credentials (made
 * before the targets run).  sessions_done(i) says target i is over: the
 * last target of a session logs it out.  NULL with why in err.
 */
struct sessions;
struct sessions *sessions_new(const struct options *o,
    const atomic_int *cancel, char *err, size_t errsz);
struct session *sessions_of(struct sessions *ss, int i);
void sessions_done(struct sessions *ss, int i);
/* Logs out every session left and frees them.  ss may be NULL. */
void sessions_free(struct sessions *ss);
/* Logins made by all of them. */
long sessions_logins(const struct sessions *ss);

/*
 * Reads a login answer's body: the token at token_path (dotted) and the
 * lifetime at lifetime_path (a number, or a string of digits; NULL: not
 * read).  0, or -1 with why in err (not JSON, no token, a token that
 * could not go in a header).  No I/O: the fuzzer's entry.
 */
int session_parse(const char *body, size_t len, const char *token_path,
    const char *lifetime_path, struct session_answer *ans, char *err,
    size_t errsz);
void session_answer_clear(struct session_answer *ans);

/* Is a token obtained at issued, living lifetime seconds, due for
 * renewal at now (80% of its life)?  lifetime 0: never by time. */
int session_due(double issued, double lifetime, double now);
/* Could tok go in a header (and a cookie) as it is? */
int session_token_ok(const char *tok, size_t len);

#endif
