/*
 * cli.c - getopt_long, --help text, validation of every flag (see cli.h).
 *
 * Every flag is one row of cli_opts[] below: its long name, short letter,
 * argument, --help lines, and what it does - store a checked number, size,
 * string, enum or flag in a field (named by offset, its type checked at
 * compile time), or call a handler for the few that do more.  getopt_long's
 * option array, its short-option string and --help are all made from that
 * table, so a flag cannot exist without its help text, nor help text
 * without its flag.
 *
 * Messages name the flag and the value at fault.  A secret given on the
 * command line (-u) is copied and the argv copy wiped, so that ps(1) shows
 * it for as short a time as possible.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <yajl/yajl_version.h>
#include <zlib.h>

#include "cli.h"
#include "origin.h"
#include "gzmember.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "progress.h"
#include "state.h"
#include "tmpl.h"
#include "xalloc.h"

/* What one parse has read so far beyond struct options and the target:
 * what can only be resolved once every flag is read (the profile is
 * chosen by -p wherever it stands, then overridden). */
struct cli_state {
	struct options *o;
	struct target *t;
	int compress;                   /* enum compress_mode */
	const char *profile_name;
	const char *total_header;       /* profile overrides, or NULL */
	const char *offset_param;
	const char *limit_param;
	const char *items_path;
	const char *total_path;
	const char *next_path;
	const char *cursor_param;
	const char *sort_param;
	const char *jobs_path;          /* --jobs */
	const char *target_flag;        /* the first flag of a target's given
	                                   on the command line, or NULL */
};

/* What a flag does with its argument. */
enum cli_kind {
	kind_int,       /* int field, a number in [min, max] */
	kind_long,      /* long field, a number in [min, max] */
	kind_size,      /* long long field, 1..1T with a K, M or G suffix */
	kind_string,    /* const char * field, after check() if any */
	kind_flag,      /* int field set to min; no argument */
	kind_count,     /* int field incremented; no argument */
	kind_enum,      /* int field, the value of the name in names[] */
	kind_call       /* call(): anything else */
};

/* Which struct a field is in. */
enum cli_base { base_options, base_target, base_state };

struct cli_name {
	const char *name;
	int value;
};

typedef enum cli_result cli_handler(struct cli_state *s, const char *flag,
    char *arg);

struct cli_opt {
	const char *name;               /* long name, without the dashes */
	int letter;                     /* short option, or 0 */
	const char *arg;                /* the argument in --help; NULL: none */
	const char *help;               /* --help lines, '\n' between them */
	const char *section;            /* starts a --help section, or NULL */
	void (*help_more)(FILE *);      /* lines printed after help, or NULL */
	enum cli_kind kind;
	enum cli_base base;
	size_t off;                     /* of the field in its struct */
	long min, max;                  /* numbers; kind_flag: the value */
	int (*check)(const char *flag, const char *arg); /* kind_string */
	const struct cli_name *names;   /* kind_enum; ends with a NULL name */
	cli_handler *call;              /* kind_call */
	int optional;                   /* the argument may be left out
	                                   (--name or --name=ARG) */
};

/*
 * Field designators for the table.  _Generic with a single association
 * makes a field of the wrong type a compile error, so the kind and the
 * field cannot disagree.
 */
#define FIELD(b, st, type, f) \
	.base = (b), .off = _Generic(((st *)0)->f, type: offsetof(st, f))
#define OPTIONS(type, f)        FIELD(base_options, struct options, type, f)
#define TARGET(type, f)         FIELD(base_target, struct target, type, f)
#define STATE(type, f)          FIELD(base_state, struct cli_state, type, f)

#define INT(in, f, lo, hi)      .kind = kind_int, in(int, f), .min = (lo), .max = (hi)
#define LONG(in, f, lo, hi)     .kind = kind_long, in(long, f), .min = (lo), .max = (hi)
#define SIZE(in, f)             .kind = kind_size, in(long long, f)
#define STRING(in, f, chk)      .kind = kind_string, in(const char *, f), .check = (chk)
#define FLAG(in, f, v)          .kind = kind_flag, in(int, f), .min = (v)
#define COUNT(in, f)            .kind = kind_count, in(int, f)
#define ENUM(in, f, n)          .kind = kind_enum, in(int, f), .names = (n)
#define CALL(fn)                .kind = kind_call, .call = (fn)

/* Columns of --help: the text of every option starts at HELP_COL; no
 * line is longer than HELP_WIDTH. */
#define HELP_COL        27
#define HELP_WIDTH      80
#define PROFILE_COL     29      /* a profile's name, under -p */
#define PROFILE_TEXT    40      /* and its summary */

/* Parses a whole decimal number in [min, max] for flag; -1 on error. */
static int
cli_number(const char *flag, const char *arg, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || !isdigit((unsigned char)*arg) ||
	    v < min || v > max) {
		log_error("%s: '%s' is not a number from %ld to %ld", flag, arg,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parses a size with an optional K, M or G suffix (powers of 1024). */
static int
cli_size(const char *flag, const char *arg, long long *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && end[0] != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K': shift = 10; end++; break;
		case 'm': case 'M': shift = 20; end++; break;
		case 'g': case 'G': shift = 30; end++; break;
		}
	}
	if (errno != 0 || end == arg || *end != '\0' ||
	    !isdigit((unsigned char)*arg) || v == 0 || v > (1ULL << 40) >> shift) {
		log_error("%s: '%s' is not a size from 1 to 1T (suffixes K, M, G)",
		    flag, arg);
		return -1;
	}
	*out = (long long)(v << shift);
	return 0;
}

/* A rate in requests per second: a fraction is allowed. */
static int
cli_rate(const char *flag, const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v >= 0.01) ||
	    v > 100000) {
		log_error("%s: '%s' is not a rate from 0.01 to 100000", flag, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* Opens a file that holds secrets; like ssh, warns (and goes on) when
 * others may read it.  NULL after a message. */
static FILE *
cli_open_secret(const char *flag, const char *path)
{
	FILE *f;
	struct stat st;

	if ((f = fopen(path, "r")) == NULL) {
		log_errno("%s: cannot open %s", flag, path);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		log_warn("%s: %s is readable by others (chmod 600 it)", flag, path);
	return f;
}

/* getline(3) without the line ending; -1 at the end of the file. */
static ssize_t
cli_getline(FILE *f, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, f);

	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = '\0';
	return n;
}

/* The first line of path, newly allocated; NULL after a message. */
static char *
cli_read_line(const char *flag, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((f = cli_open_secret(flag, path)) == NULL)
		return NULL;
	n = cli_getline(f, &line, &cap);
	fclose(f);
	if (n <= 0) {
		log_error("%s: %s is empty", flag, path);
		free(line);
		return NULL;
	}
	return line;
}

/* Query parameter names are appended to URLs unencoded: keep them tame. */
static int
cli_param_name(const char *flag, const char *arg)
{
	const char *p;

	if (*arg == '\0')
		goto bad;
	for (p = arg; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_-.$~[]", *p) == NULL)
			goto bad;
	return 0;
bad:
	log_error("%s: '%s' is not a usable query parameter name", flag, arg);
	return -1;
}

static int
cli_header_name(const char *flag, const char *arg)
{
	const char *p;

	for (p = arg; *p != '\0' && *p != ':'; p++)
		if (!isgraph((unsigned char)*p))
			break;
	if (p == arg || *p != ':' || strpbrk(arg, "\r\n") != NULL) {
		log_error("%s: expected 'Name: value', got '%.*s'", flag,
		    (int)(p - arg), arg);
		return -1;
	}
	return 0;
}

/* Replaces *slot by value (which the options now own), wiping the old. */
static void
cli_set_secret(char **slot, char *value)
{
	if (*slot != NULL) {
		memset(*slot, 0, strlen(*slot));
		free(*slot);
	}
	*slot = value;
}

static int
cli_add_header(struct target *t, const char *flag, const char *h)
{
	struct curl_slist *tmp;

	if (cli_header_name(flag, h) < 0)
		return -1;
	if ((tmp = curl_slist_append(t->headers, h)) == NULL) {
		log_error("out of memory");
		return -1;
	}
	t->headers = tmp;
	return 0;
}

/* Headers from a file, one per line; blank lines and # comments skipped. */
static int
cli_header_file(struct target *t, const char *flag, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if ((f = cli_open_secret(flag, path)) == NULL)
		return -1;
	while (rc == 0 && (n = cli_getline(f, &line, &cap)) >= 0) {
		if (n == 0 || line[0] == '#')
			continue;
		rc = cli_add_header(t, flag, line);
	}
	if (line != NULL) {
		memset(line, 0, cap);
		free(line);
	}
	fclose(f);
	return rc;
}

static int
has_header(const struct curl_slist *l, const char *name)
{
	size_t n = strlen(name);

	for (; l != NULL; l = l->next)
		if (strncasecmp(l->data, name, n) == 0 && l->data[n] == ':')
			return 1;
	return 0;
}

/* Credentials from the environment, where ps(1) does not show them; the
 * command line wins over the environment. */
static int
cli_env(struct target *t)
{
	const char *user = getenv("INVDUMP_USER");
	const char *pass = getenv("INVDUMP_PASSWORD");
	const char *token = getenv("INVDUMP_TOKEN");
	char *h;
	int rc;

	/* A session's login is the target's credential: the environment's
	 * Basic credentials and token would go beside its token. */
	if (t->session.profile != NULL)
		return 0;
	if (t->userpwd == NULL && user != NULL && *user != '\0') {
		if (pass != NULL)
			cli_set_secret(&t->userpwd, xasprintf("%s:%s", user, pass));
		else if (strchr(user, ':') != NULL)
			cli_set_secret(&t->userpwd, xstrdup(user));
		else {
			log_error("INVDUMP_USER is set without a secret: set "
			    "INVDUMP_PASSWORD too, or INVDUMP_USER=user:secret");
			return -1;
		}
	}
	if (token != NULL && *token != '\0' &&
	    !has_header(t->headers, "Authorization")) {
		h = xasprintf("Authorization: Bearer %s", token);
		rc = cli_add_header(t, "INVDUMP_TOKEN", h);
		memset(h, 0, strlen(h));
		free(h);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}


/* Checks of string arguments (kind_string): 0, or -1 after a message. */

static int
cli_check_path(const char *flag, const char *arg)
{
	if (*arg == '\0') {
		log_error("%s: empty path", flag);
		return -1;
	}
	return 0;
}

static int
cli_check_field(const char *flag, const char *arg)
{
	if (*arg == '\0') {
		log_error("%s: empty field name", flag);
		return -1;
	}
	return 0;
}

/* A label's value: not empty. */
static int
cli_check_label(const char *flag, const char *arg)
{
	if (*arg == '\0') {
		log_error("%s: empty name", flag);
		return -1;
	}
	return 0;
}

/* A response header's name alone, as --total-header takes it. */
static int
cli_check_header_name(const char *flag, const char *arg)
{
	if (*arg == '\0' || strpbrk(arg, ": \t\r\n") != NULL) {
		log_error("%s: '%s' is not a header name", flag, arg);
		return -1;
	}
	return 0;
}

/* NAME=VALUE with a tame NAME, or '' (drop the profile's). */
static int
cli_check_sort_param(const char *flag, const char *arg)
{
	char *name;
	int rc;

	if (*arg == '\0')
		return 0;
	if (strchr(arg, '=') == NULL) {
		log_error("%s: expected NAME=VALUE, got '%s'", flag, arg);
		return -1;
	}
	name = xstrndup(arg, strcspn(arg, "="));
	rc = cli_param_name(flag, name);
	free(name);
	return rc;
}

static int cli_url_ok(const char *url, const char *where);

/* --session's profile. */
static int
cli_check_session(const char *flag, const char *arg)
{
	if (!session_profile_known(arg)) {
		log_error("%s: no session profile named '%s' (one of %s)", flag,
		    arg, session_profile_names());
		return -1;
	}
	return 0;
}

/* A login or logout URL: absolute, or a path on the target's origin;
 * --logout-url '' says there is none. */
static int
cli_check_login_url(const char *flag, const char *arg)
{
	if ((*arg == '\0' && strcmp(flag, "--logout-url") == 0) || *arg == '/')
		return 0;
	return cli_url_ok(arg, flag);
}

/* The name of an environment variable (never a secret itself: not shown). */
static int
cli_check_env_name(const char *flag, const char *arg)
{
	size_t i;

	for (i = 0; arg[i] != '\0'; i++)
		if (!(isalnum((unsigned char)arg[i]) || arg[i] == '_'))
			break;
	if (i == 0 || arg[i] != '\0' || isdigit((unsigned char)arg[0])) {
		log_error("%s: not the name of an environment variable (the "
		    "secret goes in the variable, never on the command line)",
		    flag);
		return -1;
	}
	return 0;
}

static int
cli_check_login_body(const char *flag, const char *arg)
{
	if (strcmp(arg, "json") != 0 && strcmp(arg, "form") != 0) {
		log_error("%s: '%s' is not json or form", flag, arg);
		return -1;
	}
	return 0;
}

/* USERFIELD,SECRETFIELD (USERFIELD may be empty: an API key alone). */
static int
cli_check_login_fields(const char *flag, const char *arg)
{
	const char *comma = strchr(arg, ',');

	if (comma == NULL || comma[1] == '\0' || strchr(comma + 1, ',')) {
		log_error("%s: '%s' is not USERFIELD,SECRETFIELD (e.g. "
		    "username,password, or ,apikey)", flag, arg);
		return -1;
	}
	return 0;
}

static int
cli_check_token_send(const char *flag, const char *arg)
{
	if (strcasecmp(arg, "bearer") == 0 ||
	    ((strncasecmp(arg, "header:", 7) == 0 ||
	    strncasecmp(arg, "cookie:", 7) == 0) &&
	    cli_check_header_name(flag, arg + 7) == 0))
		return 0;
	log_error("%s: '%s' is not bearer, header:NAME or cookie:NAME", flag,
	    arg);
	return -1;
}

/* Handlers (kind_call): the flags that do more than store a value. */

/* --login-field NAME=VALUE: a field every login sends as it is. */
static enum cli_result
cli_opt_login_field(struct cli_state *s, const char *flag, char *arg)
{
	struct curl_slist *tmp;

	if (arg[0] == '=' || strchr(arg, '=') == NULL) {
		log_error("%s: expected NAME=VALUE, got '%s'", flag, arg);
		return cli_exit_usage;
	}
	if ((tmp = curl_slist_append(s->t->session.consts, arg)) == NULL) {
		log_error("%s: out of memory", flag);
		return cli_exit_usage;
	}
	s->t->session.consts = tmp;
	return cli_run;
}

static enum cli_result
cli_opt_progress(struct cli_state *s, const char *flag, char *arg)
{
	if (arg == NULL || strcmp(arg, "tty") == 0)
		s->o->progress = progress_tty;
	else if (strcmp(arg, "plain") == 0)
		s->o->progress = progress_plain;
	else {
		log_error("%s: '%s' is not tty or plain", flag, arg);
		return cli_exit_usage;
	}
	return cli_run;
}

/* --s3-part-size: S3's minimum part (5 MiB) at least, 5 GiB at most. */
static enum cli_result
cli_opt_s3_part(struct cli_state *s, const char *flag, char *arg)
{
	long long v;

	if (cli_size(flag, arg, &v) < 0)
		return cli_exit_usage;
	if (v < 5LL << 20 || v > 5LL << 30) {
		log_error("%s: %s is not a part size S3 takes: 5M to 5G",
		    flag, arg);
		return cli_exit_usage;
	}
	s->t->s3_part_size = v;
	return cli_run;
}

static enum cli_result
cli_opt_mode(struct cli_state *s, const char *flag, char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 8);
	if (errno != 0 || end == arg || *end != '\0' || v < 0 || v > 0777 ||
	    !isdigit((unsigned char)*arg)) {
		log_error("%s: '%s' is not an octal mode from 0 to 0777 (e.g. "
		    "0640)", flag, arg);
		return cli_exit_usage;
	}
	if (v & 0002)
		log_warn("%s %s: the output will be writable by everyone",
		    flag, arg);
	s->t->mode = (int)v;
	return cli_run;
}

static enum cli_result
cli_opt_shard(struct cli_state *s, const char *flag, char *arg)
{
	long long i, n;
	char tail;

	if (sscanf(arg, "%lld/%lld%c", &i, &n, &tail) != 2 || n < 1 ||
	    n > 100000 || i < 0 || i >= n || !isdigit((unsigned char)*arg)) {
		log_error("%s: '%s' is not I/N with 0 <= I < N <= 100000 (e.g. "
		    "0/4 for the first of four)", flag, arg);
		return cli_exit_usage;
	}
	s->t->shard_index = i;
	s->t->shard_count = n;
	return cli_run;
}

/*
 * --expand URL-TEMPLATE, or (repeatable) --expand NAME=URL-TEMPLATE: the
 * form is the argument's start (http://, https:// or '{' is a template;
 * a plain identifier and '=' a relation), the two are not mixed, and each
 * template must fill in to an absolute http(s) URL.
 */
static enum cli_result
cli_opt_expand(struct cli_state *s, const char *flag, char *arg)
{
	struct target *t = s->t;
	const char *tpl = arg, *p;
	struct tmpl *tm;
	char err[256];
	int named = 0, i;

	if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0 &&
	    *arg != '{') {
		for (p = arg; *p == '_' || isalpha((unsigned char)*p) ||
		    (p > arg && isdigit((unsigned char)*p)); p++)
			;
		if (p == arg || *p != '=') {
			log_error("%s: '%s' is neither a URL template (http://..., "
			    "https://...) nor NAME=URL-TEMPLATE", flag, arg);
			return cli_exit_usage;
		}
		named = 1;
		tpl = p + 1;
		for (i = 0; i < t->nexpand; i++)
			if (strncmp(t->expand[i], arg, (size_t)(p - arg + 1)) == 0) {
				log_error("%s: %.*s is given twice", flag,
				    (int)(p - arg), arg);
				return cli_exit_usage;
			}
	}
	if (t->nexpand > 0 && (named != t->expand_named || !named)) {
		log_error("%s: %s", flag, named != t->expand_named ? "a URL "
		    "template and NAME=URL-TEMPLATE do not go together (the "
		    "first replaces each item by its detail, the second attaches "
		    "relations to it)" : "one detail template only (several "
		    "relations: NAME=URL-TEMPLATE, repeated)");
		return cli_exit_usage;
	}
	if (t->nexpand == TARGET_MAX_EXPAND) {
		log_error("%s: %d relations at most", flag, TARGET_MAX_EXPAND);
		return cli_exit_usage;
	}
	if ((tm = tmpl_new(tpl, err, sizeof err)) == NULL ||
	    tmpl_check(tm, err, sizeof err) < 0) {
		log_error("%s %s: %s", flag, arg, err);
		tmpl_free(tm);
		return cli_exit_usage;
	}
	tmpl_free(tm);
	t->expand[t->nexpand++] = arg;
	t->expand_named = named;
	return cli_run;
}

/* What --expand cannot be combined with. */
static enum cli_result
cli_check_expand(const struct target *t)
{
	if (t->expand_replace && !t->expand_named) {
		log_error("--expand-replace: only with --expand NAME=URL-TEMPLATE "
		    "(a relation replaces the item's member of its NAME; the "
		    "detail form replaces the whole item)");
		return cli_exit_usage;
	}
	if (t->nexpand == 0)
		return cli_run;
	if (t->resume || t->shard_count > 0) {
		log_error("--expand: not with %s (the details are not journaled "
		    "or split among shards)", t->resume ? "--resume" : "--shard");
		return cli_exit_usage;
	}
	return cli_run;
}

static enum cli_result
cli_opt_user(struct cli_state *s, const char *flag, char *arg)
{
	char *secret = strchr(arg, ':');

	if (secret == NULL) {
		log_error("%s: expected USER:SECRET", flag);
		return cli_exit_usage;
	}
	cli_set_secret(&s->t->userpwd, xstrdup(arg));
	/* Shorten the window in which ps(1) shows the secret. */
	memset(secret + 1, '*', strlen(secret + 1));
	return cli_run;
}

static enum cli_result
cli_opt_user_file(struct cli_state *s, const char *flag, char *arg)
{
	char *line = cli_read_line(flag, arg);

	if (line == NULL)
		return cli_exit_usage;
	if (strchr(line, ':') == NULL) {
		log_error("%s: %s: expected USER:SECRET on its first line",
		    flag, arg);
		cli_set_secret(&line, NULL);
		return cli_exit_usage;
	}
	cli_set_secret(&s->t->userpwd, line);
	return cli_run;
}

static enum cli_result
cli_opt_netrc_file(struct cli_state *s, const char *flag, char *arg)
{
	(void)flag;
	s->t->netrc = 1;
	s->t->netrc_file = arg;
	return cli_run;
}

static enum cli_result
cli_opt_header(struct cli_state *s, const char *flag, char *arg)
{
	return cli_add_header(s->t, flag, arg) < 0 ? cli_exit_usage : cli_run;
}

static enum cli_result
cli_opt_header_file(struct cli_state *s, const char *flag, char *arg)
{
	return cli_header_file(s->t, flag, arg) < 0 ? cli_exit_usage : cli_run;
}

static enum cli_result
cli_opt_allow_origin(struct cli_state *s, const char *flag, char *arg)
{
	char *origin = origin_of(arg);
	struct curl_slist *tmp;

	if (origin == NULL) {
		log_error("%s: '%s' is not an http or https URL (e.g. "
		    "https://api2.example.com)", flag, arg);
		return cli_exit_usage;
	}
	tmp = curl_slist_append(s->t->allow_origins, origin);
	free(origin);
	if (tmp == NULL) {
		log_error("%s: out of memory", flag);
		return cli_exit_usage;
	}
	s->t->allow_origins = tmp;
	return cli_run;
}

static enum cli_result
cli_opt_rate(struct cli_state *s, const char *flag, char *arg)
{
	return cli_rate(flag, arg, &s->o->rate) < 0 ? cli_exit_usage : cli_run;
}

static enum cli_result
cli_opt_max_drop(struct cli_state *s, const char *flag, char *arg)
{
	if (state_parse_drop(arg, &s->t->max_drop, &s->t->max_drop_pct) < 0) {
		log_error("%s: '%s' is neither a count (1000) nor a percentage "
		    "of 0%% to 100%% (50%%)", flag, arg);
		return cli_exit_usage;
	}
	s->t->max_drop_set = 1;
	return cli_run;
}

static enum cli_result
cli_opt_lookback(struct cli_state *s, const char *flag, char *arg)
{
	if ((s->t->lookback = state_parse_duration(arg)) < 0) {
		log_error("%s: '%s' is not a duration (90, 90s, 10m, 2h, 1d)",
		    flag, arg);
		return cli_exit_usage;
	}
	return cli_run;
}

static void cli_usage(FILE *f);
static void cli_help_profiles(FILE *f);

static enum cli_result
cli_opt_version(struct cli_state *s, const char *flag, char *arg)
{
	(void)s, (void)flag, (void)arg;
	printf("invdump %s\n%s yajl/%d.%d.%d zlib/%s\ngzip members: %s\n",
	    PACKAGE_VERSION, http_version(), YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO,
	    zlibVersion(), gzmember_engine());
	return cli_exit_ok;
}

static enum cli_result
cli_opt_help(struct cli_state *s, const char *flag, char *arg)
{
	(void)s, (void)flag, (void)arg;
	cli_usage(stdout);
	return cli_exit_ok;
}

static const struct cli_name compress_names[] = {
	{ "gzip", compress_gzip },
	{ "none", compress_none },
	{ NULL, 0 }
};

static const struct cli_name sse_names[] = {
	{ "AES256", 1 },
	{ "aws:kms", 2 },
	{ NULL, 0 }
};

static const struct cli_name acl_names[] = {
	{ "bucket-owner-full-control", 1 },
	{ NULL, 0 }
};

/* Every flag, in --help order. */
static const struct cli_opt cli_opts[] = {
	{ "output", 'o', "PATH",
	  "write to PATH (default -, standard output) or to\n"
	  "s3://BUCKET/KEY; the file or object appears only when\n"
	  "complete (temp file + rename; multipart upload)",
	  .section = "Output", STRING(TARGET, output, cli_check_path) },
	{ "compress", 0, "MODE",
	  "gzip or none (default: gzip when PATH ends in .gz)",
	  ENUM(STATE, compress, compress_names) },
	{ "level", 0, "N",
	  "gzip level 1 (fastest, the default) .. 9 (smallest)",
	  INT(OPTIONS, level, 1, 9) },
	{ "mode", 0, "OCTAL",
	  "mode of the published files (default 0600)",
	  CALL(cli_opt_mode) },
	{ "split-items", 0, "N",
	  "cut the output into NAME-00000.ndjson.gz, ... of at\n"
	  "least N items each, on page boundaries",
	  SIZE(TARGET, split_items) },
	{ "split-bytes", 0, "SIZE",
	  "... or of at least SIZE bytes each (e.g. 256M)",
	  SIZE(TARGET, split_bytes) },
	{ "s3-part-size", 0, "SIZE",
	  "s3://BUCKET/KEY: upload in parts of SIZE (5M .. 5G,\n"
	  "default 8M; doubled every 1000 parts)",
	  CALL(cli_opt_s3_part) },
	{ "s3-upload-cutoff", 0, "SIZE",
	  "s3://: an object up to SIZE is held, then sent\n"
	  "in one PUT once complete; a larger one in parts as\n"
	  "the export runs (default and most: 5 parts, 40M)",
	  SIZE(TARGET, s3_cutoff) },
	{ "s3-sse", 0, "MODE",
	  "s3://: server-side encryption, AES256 or aws:kms",
	  ENUM(OPTIONS, s3_sse, sse_names) },
	{ "s3-sse-kms-key-id", 0, "ID",
	  "s3://: aws:kms with the KMS key ID",
	  STRING(OPTIONS, s3_kms_key, cli_check_field) },
	{ "s3-acl", 0, "ACL",
	  "s3://: the canned ACL bucket-owner-full-control",
	  ENUM(OPTIONS, s3_acl, acl_names) },
	{ "manifest", 0, "PATH",
	  "write a JSON manifest of the run (files, counts,\n"
	  "SHA-256) to PATH, last, once the files are in place",
	  STRING(TARGET, manifest, cli_check_path) },
	{ "metrics", 0, "FILE",
	  "write the run's figures to FILE, Prometheus text\n"
	  "(node_exporter's textfile collector), last and\n"
	  "atomically, on success and on failure",
	  STRING(OPTIONS, metrics, cli_check_path) },
	{ "metrics-target", 0, "NAME",
	  "the target label of --metrics (default: the URL's\n"
	  "host and path; with --jobs, each section's name)",
	  STRING(OPTIONS, metrics_target, cli_check_label) },
	{ "resume", 0, NULL,
	  "continue an export killed part-way (its journal and\n"
	  "temporary file are kept beside the output)",
	  FLAG(TARGET, resume, 1) },
	{ "shard", 0, "I/N",
	  "export only the I-th (0-based) of N contiguous page\n"
	  "ranges; the N outputs, concatenated in order, are\n"
	  "the whole export",
	  CALL(cli_opt_shard) },

	{ "profile", 'p', "NAME",
	  "how the API pages (default offset):",
	  .section = "Paging", .help_more = cli_help_profiles,
	  STRING(STATE, profile_name, NULL) },
	{ "limit", 'l', "N",
	  "items per page (default 100)",
	  LONG(TARGET, limit, 1, 1000000) },
	{ "workers", 'w', "N",
	  "concurrent requests, 1..256 (default 10)",
	  INT(OPTIONS, workers, 1, 256) },
	{ "per-host", 0, "N",
	  "at most N requests at once to any one host (default:\n"
	  "no cap but --workers)",
	  INT(OPTIONS, per_host, 1, 256) },
	{ "window-bytes", 0, "SIZE",
	  "bytes of finished pages held while an earlier one is\n"
	  "still fetched (default 8M; pages behind a slow one\n"
	  "are fetched meanwhile while they fit)",
	  SIZE(OPTIONS, window_bytes) },
	{ "total-header", 0, "NAME",
	  "response header holding the total item count",
	  STRING(STATE, total_header, cli_check_header_name) },
	{ "offset-param", 0, "NAME",
	  "query parameter for the offset",
	  STRING(STATE, offset_param, cli_param_name) },
	{ "limit-param", 0, "NAME",
	  "query parameter for the page size",
	  STRING(STATE, limit_param, cli_param_name) },
	{ "items-path", 0, "PATH",
	  "dotted path to the items array in an object body\n"
	  "(e.g. results, data.items; default: the body is it)",
	  STRING(STATE, items_path, NULL) },
	{ "total-path", 0, "PATH",
	  "body field holding the total (e.g. count, meta.total)",
	  STRING(STATE, total_path, NULL) },
	{ "no-total", 0, NULL,
	  "the API gives no total: fetch ahead until an\n"
	  "empty page",
	  FLAG(TARGET, no_total, 1) },
	{ "next-path", 0, "PATH",
	  "cursor: body field with the next page's URL or token",
	  STRING(STATE, next_path, NULL) },
	{ "cursor-param", 0, "NAME",
	  "cursor: send the token from --next-path back as NAME=",
	  STRING(STATE, cursor_param, cli_param_name) },
	{ "sort-param", 0, "NAME=VALUE",
	  "ask for a stable order (e.g. ordering=id); ''\n"
	  "drops the profile's own",
	  STRING(STATE, sort_param, cli_check_sort_param) },
	{ "key", 0, "FIELD",
	  "drop items whose FIELD repeats across a page boundary\n"
	  "(data shifted during the export)",
	  STRING(TARGET, key, cli_check_field) },
	{ "expand", 0, "[NAME=]URL",
	  "fetch each item's detail, URL (a template) filled\n"
	  "from its fields ({id}, {owner.id}), and write it;\n"
	  "NAME=... (repeatable): attach it as the item's NAME",
	  CALL(cli_opt_expand) },
	{ "expand-replace", 0, NULL,
	  "NAME=... replaces the item's own member NAME, in\n"
	  "its place (without this flag: an error, exit 7)",
	  FLAG(TARGET, expand_replace, 1) },
	{ "keep-mismatch", 0, NULL,
	  "publish the file even when the count does not add\n"
	  "up (the exit status is 3 all the same)",
	  FLAG(TARGET, keep_mismatch, 1) },

	{ "min-items", 0, "N",
	  "fail (exit 3, nothing published) a run of fewer\n"
	  "than N items",
	  .section = "Night after night", SIZE(TARGET, min_items) },
	{ "max-drop", 0, "N|P%",
	  "fail (exit 3, nothing published) a full run with N\n"
	  "(or P%) fewer items than the previous one (from\n"
	  "--state, or else the previous --manifest)",
	  CALL(cli_opt_max_drop) },
	{ "state", 0, "FILE",
	  "keep the bookmark and the count for the next run in\n"
	  "FILE (written after publishing; locked while a run\n"
	  "of the job is under way)",
	  STRING(TARGET, state, cli_check_path) },
	{ "bookmark", 0, "FIELD",
	  "incremental: ask only for items whose FIELD (a time\n"
	  "or number, such as updated_at) is at or after the\n"
	  "largest value the last run saw ({since} in the URL,\n"
	  "or the profile's own filter)",
	  STRING(TARGET, bookmark, cli_check_field) },
	{ "since", 0, "VALUE",
	  "the bookmark of a run with none kept yet (default:\n"
	  "every item)",
	  STRING(TARGET, since, cli_check_field) },
	{ "lookback", 0, "DURATION",
	  "ask from that much before the bookmark (90s, 10m,\n"
	  "2h, 1d): late commits and clocks that disagree",
	  CALL(cli_opt_lookback) },
	{ "full", 0, NULL,
	  "ask for every item, whatever the bookmark (a weekly\n"
	  "full run sees deletions); keeps the new bookmark",
	  FLAG(TARGET, full, 1) },

	{ "user", 'u', "USER:SECRET",
	  "HTTP Basic credentials (SoftLayer: user name and\n"
	  "API key); also INVDUMP_USER and INVDUMP_PASSWORD",
	  .section = "HTTP and credentials", CALL(cli_opt_user) },
	{ "user-file", 0, "FILE",
	  "read USER:SECRET from the first line of FILE",
	  CALL(cli_opt_user_file) },
	{ "netrc", 0, NULL,
	  "take credentials from ~/.netrc",
	  FLAG(TARGET, netrc, 1) },
	{ "netrc-file", 0, "FILE",
	  "take credentials from FILE in netrc format",
	  CALL(cli_opt_netrc_file) },
	{ "header", 'H', "'NAME: VALUE'",
	  "extra request header (repeatable); INVDUMP_TOKEN\n"
	  "sends 'Authorization: Bearer TOKEN'",
	  CALL(cli_opt_header) },
	{ "header-file", 0, "FILE",
	  "extra request headers, one per line",
	  CALL(cli_opt_header_file) },
	{ "cacert", 0, "FILE",
	  "trust the CA certificates in FILE (PEM)",
	  STRING(TARGET, cacert, NULL) },
	{ "capath", 0, "DIR",
	  "trust the CA certificates in DIR",
	  STRING(TARGET, capath, NULL) },
	{ "insecure", 0, NULL,
	  "do not verify TLS certificates (never do this)",
	  FLAG(OPTIONS, insecure, 1) },
	{ "max-redirs", 0, "N",
	  "redirects followed, 0..50 (default 5); only to\n"
	  "the URL's own origin",
	  LONG(OPTIONS, max_redirs, 0, 50) },
	{ "cookies", 0, NULL,
	  "keep the cookies answers set and send them back (on\n"
	  "for -p infoblox, whose ibapauth then replaces -u)",
	  FLAG(TARGET, cookies, 1) },
	{ "cookie-jar", 0, "FILE",
	  "at the end, write the cookies to FILE (0600)",
	  STRING(TARGET, cookie_jar, cli_check_path) },
	{ "allow-origin", 0, "URL",
	  "also follow next links and redirects to URL's\n"
	  "origin, with the credentials (repeatable)",
	  CALL(cli_opt_allow_origin) },

	{ "session", 0, "NAME",
	  "log in once and send the token with every request,\n"
	  "renewed before it expires: f5, ibm-iam, oauth2, or\n"
	  "login (any other: the options below say how)",
	  .section = "Sessions (see SESSIONS in invdump(1))",
	  STRING(TARGET, session.profile, cli_check_session) },
	{ "login-url", 0, "URL",
	  "where to log in (a path: on the URL's origin)",
	  STRING(TARGET, session.login_url, cli_check_login_url) },
	{ "login-user-env", 0, "VAR",
	  "the user (client id) is in VAR\n"
	  "(default INVDUMP_LOGIN_USER)",
	  STRING(TARGET, session.user_env, cli_check_env_name) },
	{ "login-secret-env", 0, "VAR",
	  "the password (secret, API key) is\n"
	  "in VAR (default INVDUMP_LOGIN_SECRET)",
	  STRING(TARGET, session.secret_env, cli_check_env_name) },
	{ "login-secret-file", 0, "FILE",
	  "... or on the first line of FILE",
	  STRING(TARGET, session.secret_file, cli_check_path) },
	{ "login-body", 0, "TYPE",
	  "the login's body: json or form",
	  STRING(TARGET, session.body, cli_check_login_body) },
	{ "login-fields", 0, "USER,SECRET",
	  "the body's names for the user and\n"
	  "the secret",
	  STRING(TARGET, session.fields, cli_check_login_fields) },
	{ "login-field", 0, "NAME=VALUE",
	  "one more field of the login's body\n"
	  "(repeatable)",
	  CALL(cli_opt_login_field) },
	{ "token-path", 0, "PATH",
	  "where the answer has the token: a dotted path\n"
	  "(token.token), or header:NAME",
	  STRING(TARGET, session.token_path, cli_check_path) },
	{ "token-send", 0, "HOW",
	  "bearer, header:NAME or cookie:NAME",
	  STRING(TARGET, session.send, cli_check_token_send) },
	{ "token-lifetime", 0, "S|PATH",
	  "the token's life: seconds, or where\n"
	  "the answer says it (expires_in); renewed at 80% of it",
	  STRING(TARGET, session.lifetime, cli_check_path) },
	{ "logout-url", 0, "URL",
	  "DELETE it at the end ({token}: the token); ''\n"
	  "for none",
	  STRING(TARGET, session.logout_url, cli_check_login_url) },

	{ "retries", 0, "N",
	  "retries of a failed page, 0..100 (default 5)",
	  .section = "Retries, rate limits and timeouts",
	  INT(OPTIONS, retries, 0, 100) },
	{ "no-hedge", 0, NULL,
	  "never ask a stalled page again on another connection\n"
	  "(by default a page with no byte for 4 x the recent\n"
	  "p95, at least 1 s, is; at most 5% of requests)",
	  FLAG(OPTIONS, hedge, 0) },
	{ "retry-max-time", 0, "S",
	  "seconds a page may keep retrying (default 600)",
	  LONG(OPTIONS, retry_max_time, 0, 86400) },
	{ "rate", 0, "N",
	  "at most N requests per second, all workers together",
	  CALL(cli_opt_rate) },
	{ "connect-timeout", 0, "S",
	  "seconds allowed to connect (default 30)",
	  LONG(OPTIONS, connect_timeout, 1, 3600) },
	{ "speed-limit", 0, "B",
	  "a transfer slower than B bytes/s ...",
	  LONG(OPTIONS, speed_limit, 1, 1L << 30) },
	{ "speed-time", 0, "S",
	  "... for S seconds is a stall, retried\n"
	  "(defaults 1000 and 30; 3 timeouts end a page)",
	  LONG(OPTIONS, speed_time, 1, 86400) },
	{ "max-time", 0, "S",
	  "seconds the whole run may take (default: no limit)",
	  LONG(OPTIONS, max_time, 1, 7 * 86400) },
	{ "max-body", 0, "SIZE",
	  "largest response body (default 1G)",
	  SIZE(OPTIONS, max_body) },
	{ "max-item", 0, "SIZE",
	  "largest single item (default 64M)",
	  SIZE(OPTIONS, max_item) },
	{ "max-depth", 0, "N",
	  "deepest JSON nesting, 2..128 (default 64)",
	  INT(OPTIONS, max_depth, 2, 128) },

	{ "quiet", 'q', NULL,
	  "no warnings, only errors",
	  .section = "Messages", FLAG(OPTIONS, quiet, 1) },
	{ "progress", 0, "WHEN",
	  "progress on stderr: tty, one line rewritten in place\n"
	  "(the default when stderr is a terminal and neither\n"
	  "-q nor -v is given), or plain, a line every 5 s\n"
	  "(cron, CI, kubectl logs)",
	  CALL(cli_opt_progress), .optional = 1 },
	{ "no-progress", 0, NULL,
	  "no progress line",
	  FLAG(OPTIONS, progress, 0) },
	{ "verbose", 'v', NULL,
	  "one line per request on stderr",
	  COUNT(OPTIONS, verbose) },
	{ "version", 'V', NULL,
	  "print version information and exit",
	  CALL(cli_opt_version) },
	{ "help", 'h', NULL,
	  "print this help and exit",
	  CALL(cli_opt_help) },

	{ "jobs", 0, "FILE",
	  "many exports in one run, one section of FILE each\n"
	  "(INI style: see JOBS FILE in invdump(1)); they run\n"
	  "side by side, --workers requests in flight in all",
	  .section = "Many targets", STRING(STATE, jobs_path, cli_check_path) },
};
#define NOPTS (sizeof cli_opts / sizeof cli_opts[0])

/* getopt_long's val for a long-only flag: past every char. */
#define LONG_ONLY_VAL 256

static const char usage_head[] =
"Usage: invdump [OPTIONS] URL\n"
"Export every item of a paginated REST API to (gzip-compressed) NDJSON,\n"
"fetching pages concurrently and writing them in order.\n";

static const char usage_tail[] =
"\n"
"Exit status: 0 success, 1 network or HTTP failure, 2 usage error,\n"
"3 the items do not add up (nothing published), 4 authentication\n"
"or TLS failure, 5 rate-limited, 6 output error, 7 unusable response,\n"
"130/143 interrupted.  See invdump(1).\n";

/* Prints text from column col (where the caller has put the cursor),
 * wrapped at word boundaries to HELP_WIDTH, continuing at column col. */
static void
help_wrap(FILE *f, const char *text, int col)
{
	int at = col;
	size_t n;

	for (;;) {
		text += strspn(text, " ");
		if (*text == '\0')
			break;
		n = strcspn(text, " ");
		if (at > col && at + 1 + (int)n > HELP_WIDTH) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", (int)n, text);
		at += (int)n;
		text += n;
	}
	fputc('\n', f);
}

/* The profiles under -p, one a line, their summaries wrapped. */
static void
cli_help_profiles(FILE *f)
{
	const struct profile *p;

	for (p = profile_table(); p->name != NULL; p++) {
		fprintf(f, "%*s%-*s ", PROFILE_COL, "",
		    PROFILE_TEXT - PROFILE_COL - 1, p->name);
		help_wrap(f, p->summary, PROFILE_TEXT);
	}
}

/* One flag: "  -o, --output PATH", then its help lines from HELP_COL. */
static void
cli_usage_opt(FILE *f, const struct cli_opt *d)
{
	const char *line = d->help;
	size_t len;
	int n;

	if (d->letter != 0)
		n = fprintf(f, "  -%c, --%s", d->letter, d->name);
	else
		n = fprintf(f, "      --%s", d->name);
	if (d->arg != NULL)
		n += fprintf(f, d->optional ? "[=%s]" : " %s", d->arg);
	for (;;) {
		len = strcspn(line, "\n");
		fprintf(f, "%*s%.*s\n", n <= HELP_COL - 2 ? HELP_COL - n : 2, "",
		    (int)len, line);
		if (line[len] == '\0')
			break;
		line += len + 1;
		n = 0;
	}
}

static void
cli_usage(FILE *f)
{
	const struct cli_opt *d;

	fputs(usage_head, f);
	for (d = cli_opts; d < cli_opts + NOPTS; d++) {
		if (d->section != NULL)
			fprintf(f, "\n%s:\n", d->section);
		cli_usage_opt(f, d);
		if (d->help_more != NULL)
			d->help_more(f);
	}
	fputs(usage_tail, f);
}

/* getopt_long's option array and short-option string, from the table. */
static void
cli_getopt_tables(struct option *longopts, char *shortopts)
{
	const struct cli_opt *d;
	char *s = shortopts;
	size_t i;

	*s++ = ':';     /* ':' for a missing value, not '?' */
	for (i = 0; i < NOPTS; i++) {
		d = &cli_opts[i];
		longopts[i].name = d->name;
		longopts[i].has_arg = d->optional ? optional_argument :
		    d->arg != NULL ? required_argument : no_argument;
		longopts[i].flag = NULL;
		longopts[i].val = d->letter != 0 ? d->letter :
		    LONG_ONLY_VAL + (int)i;
		if (d->letter != 0) {
			*s++ = (char)d->letter;
			if (d->arg != NULL)
				*s++ = ':';
		}
	}
	memset(&longopts[NOPTS], 0, sizeof longopts[NOPTS]);
	*s = '\0';
}

/* The row getopt_long's c stands for, or NULL. */
static const struct cli_opt *
cli_find(int c)
{
	size_t i;

	if (c >= LONG_ONLY_VAL)
		return (size_t)(c - LONG_ONLY_VAL) < NOPTS ?
		    &cli_opts[c - LONG_ONLY_VAL] : NULL;
	for (i = 0; i < NOPTS; i++)
		if (cli_opts[i].letter != 0 && cli_opts[i].letter == c)
			return &cli_opts[i];
	return NULL;
}

/* The value of name in names, or -1 after a message listing them. */
static int
cli_enum(const char *flag, const char *arg, const struct cli_name *names,
    int *out)
{
	const struct cli_name *n;
	char list[256] = "";

	for (n = names; n->name != NULL; n++)
		if (strcmp(arg, n->name) == 0) {
			*out = n->value;
			return 0;
		}
	for (n = names; n->name != NULL; n++) {
		if (n != names)
			strncat(list, n[1].name != NULL ? ", " : " or ",
			    sizeof list - strlen(list) - 1);
		strncat(list, n->name, sizeof list - strlen(list) - 1);
	}
	log_error("%s: '%s' is not %s", flag, arg, list);
	return -1;
}

/* Does what row d says with arg (NULL for a flag without a value). */
static enum cli_result
cli_apply(struct cli_state *s, const struct cli_opt *d, char *arg)
{
	char flag[64];
	char *base[] = { (char *)s->o, (char *)s->t, (char *)s };
	void *field = base[d->base] + d->off;
	long v;

	snprintf(flag, sizeof flag, "--%s", d->name);
	switch (d->kind) {
	case kind_int:
	case kind_long:
		if (cli_number(flag, arg, d->min, d->max, &v) < 0)
			return cli_exit_usage;
		if (d->kind == kind_int)
			*(int *)field = (int)v;
		else
			*(long *)field = v;
		return cli_run;
	case kind_size:
		return cli_size(flag, arg, field) < 0 ? cli_exit_usage : cli_run;
	case kind_string:
		if (d->check != NULL && d->check(flag, arg) < 0)
			return cli_exit_usage;
		*(const char **)field = arg;
		return cli_run;
	case kind_flag:
		*(int *)field = (int)d->min;
		return cli_run;
	case kind_count:
		(*(int *)field)++;
		return cli_run;
	case kind_enum:
		return cli_enum(flag, arg, d->names, field) < 0 ?
		    cli_exit_usage : cli_run;
	case kind_call:
		return d->call(s, flag, arg);
	}
	return cli_exit_usage;
}

/* getopt_long's complaint, as a message. */
static void
cli_bad_option(int c, char **argv)
{
	const char *word = argv[optind - 1];
	const struct cli_opt *d;

	if (c == ':')
		log_error("%s needs a value (see invdump --help)", word);
	else if (optopt != 0 && (d = cli_find(optopt)) != NULL)
		/* Only a long flag can be given a value it does not take. */
		log_error("--%s takes no value (see invdump --help)", d->name);
	else if (optopt != 0 && optopt < UCHAR_MAX)
		log_error("unknown option -%c (see invdump --help)", optopt);
	else
		log_error("unknown option %s (see invdump --help)", word);
}

static void
cli_defaults(struct options *o, struct target *t)
{
	t->output = "-";
	t->limit = 100;
	o->level = 1;
	o->workers = 10;
	o->connect_timeout = 30;
	o->speed_limit = 1000;
	o->speed_time = 30;
	o->retries = 5;
	o->retry_max_time = 600;
	o->max_body = 1LL << 30;
	o->max_item = 64LL << 20;
	o->max_depth = 64;
	o->max_redirs = 5;
	o->window_bytes = 8LL << 20;
	o->hedge = 1;
	o->progress = -1;
}

/* The profile named by -p, with the overrides given. */
static enum cli_result
cli_profile(struct cli_state *s)
{
	struct target *t = s->t;
	const struct profile *row;

	if ((row = profile_find(s->profile_name)) == NULL) {
		log_error("--profile: no profile named '%s' (see invdump --help)",
		    s->profile_name);
		return cli_exit_usage;
	}
	t->profile = *row;
	if (s->total_header != NULL)
		t->profile.total_header = s->total_header;
	if (s->offset_param != NULL)
		t->profile.offset_param = s->offset_param;
	if (s->limit_param != NULL) {
		if (t->profile.style == profile_style_softlayer) {
			log_error("--limit-param: the softlayer profile sends "
			    "offset and limit together in resultLimit");
			return cli_exit_usage;
		}
		t->profile.limit_param = s->limit_param;
	}
	if (s->items_path != NULL)
		t->profile.items_path = s->items_path;
	if (s->total_path != NULL)
		t->profile.total_path = *s->total_path ? s->total_path : NULL;
	if (s->next_path != NULL)
		t->profile.next_path = s->next_path;
	if (s->cursor_param != NULL)
		t->profile.cursor_param = s->cursor_param;
	if (s->sort_param != NULL)
		t->profile.sort_param = s->sort_param;
	if ((s->next_path != NULL || s->cursor_param != NULL) &&
	    !profile_sequential(&t->profile)) {
		log_error("%s: only for cursor profiles (cursor, infoblox, meraki)",
		    s->next_path != NULL ? "--next-path" : "--cursor-param");
		return cli_exit_usage;
	}
	if (t->profile.cursor_param != NULL && t->profile.next_path == NULL) {
		log_error("--cursor-param: name the token's field with --next-path");
		return cli_exit_usage;
	}
	if (t->no_total && profile_sequential(&t->profile)) {
		log_error("--no-total: the %s profile has no total anyway",
		    t->profile.name);
		return cli_exit_usage;
	}
	return cli_run;
}

/*
 * A URL begins with http:// or https://.  A word alone ("items") or a host
 * without its scheme would otherwise reach libcurl and come back as "Bad
 * scheme".  where says where the URL was given.  The URL is shown as
 * given when nothing in it can be a secret (no user, query or fragment),
 * redacted otherwise.
 */
static int
cli_url_ok(const char *url, const char *where)
{
	char *shown, *tmp;

	if (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0)
		return 0;
	if (strpbrk(url, "@?#") == NULL)
		shown = xstrdup(url);
	else {
		shown = log_redact_url(url);
		/* the redactor guessed http:// for a URL without a scheme */
		if (strncmp(shown, "http://", 7) == 0 &&
		    strncasecmp(url, "http://", 7) != 0) {
			tmp = xstrdup(shown + 7);
			free(shown);
			shown = tmp;
		}
	}
	log_error("%s '%s' does not start with http:// or https://: invdump "
	    "needs the whole URL, such as https://api.example.com/v1/items",
	    where, shown);
	free(shown);
	return -1;
}

static int
cli_same(const char *a, const char *b)
{
	return b != NULL && strcmp(a, b) == 0;
}

/* --metrics: never on the standard output the data goes to, nor on a
 * target's output or a manifest. */
static enum cli_result
cli_check_metrics(const struct options *o)
{
	int i;

	if (o->metrics == NULL) {
		if (o->metrics_target != NULL) {
			log_error("--metrics-target: only with --metrics FILE");
			return cli_exit_usage;
		}
		return cli_run;
	}
	for (i = 0; i < o->ntargets; i++)
		if (strcmp(o->metrics, o->targets[i].output) == 0 ||
		    cli_same(o->metrics, o->targets[i].manifest) ||
		    cli_same(o->metrics, o->manifest)) {
			log_error("--metrics %s: %s", o->metrics,
			    strcmp(o->metrics, "-") == 0 ? "the data goes to "
			    "standard output (-o -): give the metrics a file" :
			    "that is where the export or its manifest goes: give "
			    "the metrics a file of their own (e.g. invdump.prom)");
			return cli_exit_usage;
		}
	return cli_run;
}

/* Login options need --session. */
static enum cli_result
cli_check_session_opts(const struct target *t)
{
	const struct session_conf *c = &t->session;

	if (c->profile == NULL && (c->login_url || c->user_env ||
	    c->secret_env || c->secret_file || c->body || c->fields ||
	    c->consts || c->token_path || c->send || c->lifetime ||
	    c->logout_url)) {
		log_error("the --login-*, --token-* and --logout-url options "
		    "need --session (e.g. --session login)");
		return cli_exit_usage;
	}
	return cli_run;
}

/* Everything that needs every flag read: the URL, the profile, the
 * compression, the environment, flags that do not go together. */
static enum cli_result
cli_finish(struct cli_state *s, int argc, char **argv)
{
	struct target *t = s->t;

	if (optind >= argc) {
		log_error("no URL given (see invdump --help)");
		return cli_exit_usage;
	}
	if (optind + 1 < argc) {
		log_error("one URL only; unexpected '%s'", argv[optind + 1]);
		return cli_exit_usage;
	}
	t->url = argv[optind];
	if (cli_url_ok(t->url, "the URL argument") < 0)
		return cli_exit_usage;
	if (cli_profile(s) != cli_run || cli_check_expand(t) != cli_run ||
	    cli_check_session_opts(t) != cli_run ||
	    state_check_target(t, t->manifest != NULL) < 0)
		return cli_exit_usage;
	if (s->compress == compress_auto)
		t->gzip = ends_with(t->output, ".gz");
	else
		t->gzip = s->compress == compress_gzip;
	if (cli_env(t) < 0)
		return cli_exit_usage;
	if (s->o->insecure)
		log_error("WARNING: --insecure: TLS certificates are NOT verified; "
		    "anyone on the network path can read and change this export");
	if (s->o->quiet && s->o->verbose) {
		log_error("--quiet and --verbose do not go together");
		return cli_exit_usage;
	}
	return cli_check_metrics(s->o);
}

/* The row of a long option name, or NULL. */
static const struct cli_opt *
cli_find_name(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(cli_opts[i].name, name) == 0)
			return &cli_opts[i];
	return NULL;
}

/* One target of a jobs file, its pairs fed through the option table. */
static enum cli_result
cli_job(struct cli_state *run, const struct jobs_file *jf,
    const struct jobs_target *jt, struct target *t)
{
	struct cli_state s;
	const struct cli_opt *d;
	char where[256];
	size_t i;

	memset(&s, 0, sizeof s);
	s.o = run->o;
	s.t = t;
	s.compress = compress_auto;
	s.profile_name = "offset";
	t->name = jt->name;
	t->output = "-";
	t->limit = 100;
	for (i = 0; i < jt->npairs; i++) {
		const struct jobs_pair *p = &jt->pairs[i];

		if (strcmp(p->key, "url") == 0) {
			t->url = p->value;
			snprintf(where, sizeof where, "%s:%d: [%s] url",
			    jf->path, p->line, jt->name);
			if (cli_url_ok(t->url, where) < 0)
				return cli_exit_usage;
			continue;
		}
		/* jobs.c admits only per-target keys. */
		if ((d = cli_find_name(p->key)) == NULL) {
			log_error("%s:%d: '%s' is not an option a target may set",
			    jf->path, p->line, p->key);
			return cli_exit_usage;
		}
		if (cli_apply(&s, d, p->value) != cli_run) {
			log_error("%s:%d: in [%s]", jf->path, p->line, jt->name);
			return cli_exit_usage;
		}
	}
	if (t->url == NULL) {
		log_error("%s:%d: [%s] has no url", jf->path, jt->line, jt->name);
		return cli_exit_usage;
	}
	if (cli_profile(&s) != cli_run || cli_check_expand(t) != cli_run ||
	    cli_check_session_opts(t) != cli_run ||
	    state_check_target(t, run->o->manifest != NULL) < 0) {
		log_error("%s:%d: in [%s]", jf->path, jt->line, jt->name);
		return cli_exit_usage;
	}
	t->gzip = s.compress == compress_auto ? ends_with(t->output, ".gz") :
	    s.compress == compress_gzip;
	return cli_run;
}

static void cli_free_targets(struct options *o);

/* --jobs FILE: the targets come from the file, none from the command line. */
static enum cli_result
cli_jobs(struct cli_state *s, int argc, char **argv)
{
	struct options *o = s->o;
	const struct jobs_target *jt;
	char err[512];
	size_t i;
	int k;

	if (optind < argc) {
		log_error("--jobs: the URLs come from %s; unexpected '%s'",
		    s->jobs_path, argv[optind]);
		return cli_exit_usage;
	}
	if (s->target_flag != NULL) {
		log_error("--%s is a target's option: with --jobs, set it in %s "
		    "(in [defaults] for every target)", s->target_flag,
		    s->jobs_path);
		return cli_exit_usage;
	}
	o->jobs_path = s->jobs_path;
	o->manifest = s->t->manifest;
	o->manifest_mode = s->t->mode;
	o->jobs = xcalloc(1, sizeof *o->jobs);
	if (jobs_parse(s->jobs_path, o->jobs, err, sizeof err) < 0) {
		log_error("%s", err);
		return cli_exit_usage;
	}
	for (i = 0; i < o->jobs->nwarnings; i++)
		log_warn("%s", o->jobs->warnings[i]);
	if (o->jobs->ntargets == 0) {
		log_error("%s: no targets", s->jobs_path);
		return cli_exit_usage;
	}
	cli_free_targets(o);
	o->targets = xcalloc(o->jobs->ntargets, sizeof *o->targets);
	o->ntargets = (int)o->jobs->ntargets;
	for (k = 0, jt = jobs_next(o->jobs, NULL); jt != NULL;
	    k++, jt = jobs_next(o->jobs, jt))
		if (cli_job(s, o->jobs, jt, &o->targets[k]) != cli_run)
			return cli_exit_usage;
	if (o->metrics_target != NULL) {
		log_error("--metrics-target: with --jobs, each target's label is "
		    "its section's name in %s", s->jobs_path);
		return cli_exit_usage;
	}
	return cli_check_metrics(o);
}

enum cli_result
cli_parse(int argc, char **argv, struct options *o)
{
	struct option longopts[NOPTS + 1];
	char shortopts[2 * NOPTS + 2];
	struct cli_state s;
	const struct cli_opt *d;
	enum cli_result r;
	int c;

	memset(o, 0, sizeof *o);
	/* One target for now; a jobs file will make a list. */
	o->targets = xcalloc(1, sizeof *o->targets);
	o->ntargets = 1;
	cli_defaults(o, o->targets);
	memset(&s, 0, sizeof s);
	s.o = o;
	s.t = o->targets;
	s.compress = compress_auto;
	s.profile_name = "offset";

	cli_getopt_tables(longopts, shortopts);
	opterr = 0;
	optind = 0;     /* GNU: start afresh, also on a second call */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == ':' || c == '?' || (d = cli_find(c)) == NULL) {
			cli_bad_option(c, argv);
			return cli_exit_usage;
		}
		if ((r = cli_apply(&s, d, optarg)) != cli_run)
			return r;
		if (s.target_flag == NULL && (d->base == base_target ||
		    jobs_key_known(d->name)) && strcmp(d->name, "manifest") != 0 &&
		    strcmp(d->name, "mode") != 0)
			s.target_flag = d->name;
	}
	if (s.jobs_path != NULL)
		return cli_jobs(&s, argc, argv);
	return cli_finish(&s, argc, argv);
}

/* Frees the targets' own memory and the list. */
static void
cli_free_targets(struct options *o)
{
	struct target *t;
	int i;

	for (i = 0; o->targets != NULL && i < o->ntargets; i++) {
		t = &o->targets[i];
		if (t->userpwd != NULL) {
			/* Do not leave the secret lying in freed memory. */
			memset(t->userpwd, 0, strlen(t->userpwd));
			free(t->userpwd);
		}
		curl_slist_free_all(t->headers);
		curl_slist_free_all(t->allow_origins);
		curl_slist_free_all(t->session.consts);
	}
	free(o->targets);
	o->targets = NULL;
	o->ntargets = 0;
}

void
cli_free(struct options *o)
{
	cli_free_targets(o);
	if (o->jobs != NULL) {
		jobs_free(o->jobs);
		free(o->jobs);
	}
	memset(o, 0, sizeof *o);
}
