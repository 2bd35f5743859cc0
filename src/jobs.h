/*
 * jobs.h - the jobs file (--jobs FILE): many exports in one INI-style file,
 * one section per target, as git config and rclone write theirs.
 *
 *   [defaults]                       keys every target gets, unless its
 *   profile = f5                     own section sets them
 *   user-env = F5_USER               credentials from the environment
 *   password-env = F5_PASSWORD
 *   cacert = /etc/invdump/bigip-ca.pem
 *
 *   [pools]                          one target per host: pools@a..., ...
 *   hosts = a.example.com, b.example.com
 *   url = https://{host}/mgmt/tm/ltm/pool
 *   output = /data/{host}-pools.ndjson.gz
 *
 * jobs_parse() reads and checks the file and turns it into targets, each a
 * list of (long option name, value) pairs in the order the command line
 * would give them.  It fills no struct target: cli.c feeds every pair
 * through its own option table, so that a value means the same in the file
 * as on the command line and is checked in one place.  What the parser
 * checks itself is what the command line cannot see: the file's syntax,
 * unknown and repeated keys, secrets written into the file, the hosts
 * template, targets that would write the same output, and who may write
 * the file (it says where credentials are sent).
 *
 * SYNTAX
 *   Lines are "[name]", "key = value", "key" alone (a flag), blank, or
 *   comments: a line whose first non-blank character is # or ;, and the
 *   rest of a line from a # that follows a blank.  Names are letters,
 *   digits, '-', '_' and '.'.  A value is trimmed; in double quotes it keeps
 *   blanks and " #" (\" and \\ are its only escapes).  CR LF line ends and
 *   a UTF-8 byte order mark are accepted.
 *
 * KEYS
 *   The long names of the per-target options: url (the URL argument),
 *   output, profile, limit, offset-param, limit-param, items-path,
 *   total-path, total-header, next-path, cursor-param, sort-param, no-total,
 *   key, header, header-file, user-file, netrc, netrc-file, allow-origin,
 *   keep-mismatch, compress, cacert, capath.  header and allow-origin may
 *   repeat; any other key is given once per section.  no-total,
 *   keep-mismatch and netrc are flags: bare, or = true/false (yes/no,
 *   on/off, 1/0).  Only items-path, total-path and sort-param may be
 *   empty (""); cacert = "" and capath = "" undo [defaults]' (the system's
 *   CAs again, for a SaaS API beside a fleet behind a private CA).
 *   Credentials: user-env = VAR (VAR holds USER:SECRET, or USER with
 *   password-env = VAR2 holding the secret), user = NAME with password-env,
 *   token-env = VAR ("Authorization: Bearer" + its value); at most one
 *   source (user-env/user, user-file, netrc/netrc-file, token-env) per
 *   target.  A secret written in the file is refused: password, token and
 *   the like as keys, "user = name:secret", user@ or user:password@ in
 *   the URL, a header whose name is a secret's (log.h).
 *   Only in a target's section: hosts = H1, H2 ... (commas or blanks) or
 *   hosts-file = FILE (one host per line, # comments), and then {host} in
 *   any value becomes each host in turn: section NAME gives targets
 *   NAME@H1, NAME@H2 ...  The url must hold {host}; {host} elsewhere
 *   without hosts is an error.
 *
 * MERGING
 *   A target is [defaults] then its section.  A key the section sets
 *   replaces the default; header and allow-origin add to the defaults'; a
 *   section that names any credential key replaces all of the defaults'
 *   credentials.  Every target needs a url; no two may write the same
 *   output (no output: standard output).
 *
 * FILES
 *   The jobs file and a hosts-file must be regular files, owned by the user
 *   or root, and not writable by group or others: they decide where
 *   credentials go.  Relative paths in values are the command line's,
 *   relative to the current directory.  A jobs file readable by others that
 *   names user-file, netrc-file or header-file draws a warning.
 */
#ifndef INVDUMP_JOBS_H
#define INVDUMP_JOBS_H

#include <stddef.h>
#include <sys/types.h>

/* One option of a target, as the command line would give it. */
struct jobs_pair {
	const char *key;        /* long option name ("url" for the URL);
	                           never user-env, token-env, hosts...: those
	                           are resolved into user, header and the
	                           targets themselves */
	char *value;            /* NULL for a flag that is on (a flag that
	                           is off gives no pair at all) */
	int line;               /* where the file says it, for messages */
	int secret;             /* value holds a credential taken from the
	                           environment: never print it */
};

/* One export. */
struct jobs_target {
	char *name;             /* the section's, or NAME@host */
	char *host;             /* what {host} became, or NULL */
	int line;               /* the section's [name] line */
	struct jobs_pair *pairs;        /* npairs of them, in order */
	size_t npairs;
};

/* A parsed jobs file; read-only for its users, freed by jobs_free(). */
struct jobs_file {
	char *path;                     /* as given, for messages */
	struct jobs_target *targets;    /* ntargets, in file order (a hosts
	                                   section's in its hosts' order) */
	size_t ntargets;
	char **warnings;                /* nwarnings messages for the person
	                                   (without "invdump: "); print them
	                                   unless -q */
	size_t nwarnings;
};

/*
 * Reads, checks and expands the jobs file at path into *out.  Returns 0, or
 * -1 with one message in err (of size errsz) that names the file and line
 * ("jobs.ini:12: unknown key 'urll' (did you mean 'url'?)"); *out is then
 * empty (jobs_free on it is harmless).  *out is overwritten, not freed:
 * jobs_free() a previous one first.  Environment variables named by
 * user-env, password-env and token-env are read here.
 */
int jobs_parse(const char *path, struct jobs_file *out, char *err,
    size_t errsz);

/*
 * jobs_parse() without reading the file: text (len bytes, not necessarily
 * NUL-terminated) is what a file called name holds, with permission bits
 * mode (which only decide a warning; the trust checks are jobs_parse()'s).
 * A hosts-file it names is read all the same.  For tests and fuzzing.
 */
int jobs_parse_text(const char *name, const char *text, size_t len,
    mode_t mode, struct jobs_file *out, char *err, size_t errsz);

/* The target after t, or the first when t is NULL; NULL after the last. */
const struct jobs_target *jobs_next(const struct jobs_file *jf,
    const struct jobs_target *t);

/* The value of the target's last pair named key, or NULL (also for a flag
 * that is on: test jobs_has() for flags). */
const char *jobs_get(const struct jobs_target *t, const char *key);
/* Whether the target has a pair named key. */
int jobs_has(const struct jobs_target *t, const char *key);

/* Frees everything, wiping the secrets first; *jf is left empty. */
void jobs_free(struct jobs_file *jf);

/* 1 when name (an option's long name) is a key a jobs file may set for a
 * target: with --jobs, such an option belongs in the file. */
int jobs_key_known(const char *name);

#endif
