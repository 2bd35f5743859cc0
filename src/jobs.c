/*
 * jobs.c - the jobs file (see jobs.h for its format).
 *
 * Three steps, each complete before the next begins: read (the file and
 * its owner and mode), parse (bytes to sections of raw key/value entries:
 * syntax, known keys, repeats, literal secrets), and build (each section
 * merged with [defaults], its credentials resolved from the environment,
 * expanded over its hosts, and the outputs compared).  The parser proper
 * (parse_text) does no I/O; a hosts-file is read while building.
 * jobs_parse() is the read, then jobs_parse_text() the other two.
 *
 * Never: fill a struct target (cli.c does, from the pairs), print (the
 * caller prints err and the warnings), or keep a secret it did not need:
 * the secrets it reads from the environment are wiped when freed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "jobs.h"
#include "log.h"
#include "xalloc.h"

#define JOBS_MAX_FILE (1 << 20)        /* bytes of a jobs or hosts file */
#define JOBS_MAX_HOST 255

/* --- the keys ------------------------------------------------------------- */

enum {
	key_repeat = 0x01,      /* may be given more than once */
	key_flag = 0x02,        /* a flag: bare or true/false */
	key_empty = 0x04,       /* may be "" */
	key_unset = 0x08,       /* "" undoes [defaults]' value: no pair */
	key_cred = 0x10,        /* a source of credentials */
	key_secret_file = 0x20, /* names a file that holds secrets */
	key_section = 0x40,     /* only in a target's section */
	key_env = 0x80,         /* names an environment variable */
	key_template = 0x100    /* --expand's URL template: its {field}s are
	                           its own; only {host} is the file's */
};

struct jobs_key {
	const char *name;
	int flags;
};

static const struct jobs_key jobs_keys[] = {
	{ "url", 0 },
	{ "output", 0 },
	{ "profile", 0 },
	{ "limit", 0 },
	{ "offset-param", 0 },
	{ "limit-param", 0 },
	{ "items-path", key_empty },
	{ "total-path", key_empty },
	{ "total-header", 0 },
	{ "next-path", 0 },
	{ "cursor-param", 0 },
	{ "sort-param", key_empty },
	{ "no-total", key_flag },
	{ "key", 0 },
	{ "expand", key_repeat | key_template },
	{ "expand-replace", key_flag },
	{ "header", key_repeat },
	{ "header-file", key_secret_file },
	{ "user-file", key_cred | key_secret_file },
	{ "netrc", key_cred | key_flag },
	{ "netrc-file", key_cred | key_secret_file },
	{ "allow-origin", key_repeat },
	{ "keep-mismatch", key_flag },
	{ "min-items", 0 },
	{ "max-drop", 0 },
	{ "state", 0 },
	{ "bookmark", 0 },
	{ "since", 0 },
	{ "lookback", 0 },
	{ "full", key_flag },
	{ "compress", 0 },
	{ "user", key_cred },
	{ "user-env", key_cred | key_env },
	{ "password-env", key_cred | key_env },
	{ "token-env", key_cred | key_env },
	{ "hosts", key_section },
	{ "hosts-file", key_section },
	{ "cookies", key_flag },
	{ "cookie-jar", key_secret_file },
	{ "session", 0 },
	{ "login-url", 0 },
	{ "login-user-env", 0 },
	{ "login-secret-env", 0 },
	{ "login-secret-file", key_secret_file },
	{ "login-body", 0 },
	{ "login-fields", 0 },
	{ "login-field", key_repeat },
	{ "token-path", 0 },
	{ "token-send", 0 },
	{ "token-lifetime", 0 },
	{ "logout-url", key_empty },
	{ "cacert", key_unset },
	{ "capath", key_unset },
	{ NULL, 0 }
};

/* Keys that would hold a secret in the file itself. */
static const char *const secret_keys[] = {
	"password", "passwd", "pass", "secret", "token", "api-key", "apikey",
	"api_key", "bearer", "authorization", NULL
};

#define SECRETS_ADVICE "never put secrets in the jobs file; use user-env, " \
	"user-file or netrc"

static const struct jobs_key *
key_find(const char *name)
{
	const struct jobs_key *k;

	for (k = jobs_keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int
jobs_key_known(const char *name)
{
	const struct jobs_key *k = key_find(name);

	return k != NULL && !(k->flags & (key_section | key_env));
}

/* Levenshtein distance of a and b, capped at 3 (enough for "did you mean"). */
static int
distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), i, j;
	int d[64], prev, tmp, best;

	if (n >= sizeof d / sizeof d[0] || (n > m ? n - m : m - n) > 2)
		return 3;
	for (j = 0; j <= n; j++)
		d[j] = (int)j;
	for (i = 1; i <= m; i++) {
		prev = d[0];
		d[0] = (int)i;
		best = d[0];
		for (j = 1; j <= n; j++) {
			tmp = d[j];
			d[j] = prev + (tolower((unsigned char)a[j - 1]) !=
			    tolower((unsigned char)b[i - 1]));
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (tmp + 1 < d[j])
				d[j] = tmp + 1;
			prev = tmp;
			if (d[j] < best)
				best = d[j];
		}
		if (best > 2)
			return 3;
	}
	return d[n] > 3 ? 3 : d[n];
}

static const char *
key_suggest(const char *name)
{
	const struct jobs_key *k, *best = NULL;
	int d, bestd = 3;

	for (k = jobs_keys; k->name != NULL; k++)
		if ((d = distance(k->name, name)) < bestd) {
			bestd = d;
			best = k;
		}
	return best != NULL ? best->name : NULL;
}

/* --- what parsing produces ------------------------------------------------ */

struct entry {
	const struct jobs_key *key;
	char *value;            /* flags: "1" or "0" */
	int line;
};

struct section {
	char *name;
	int line;
	struct entry *e;
	size_t n, cap;
};

struct ctx {
	const char *path;
	char *err;
	size_t errsz;
	struct section *secs;
	size_t nsecs, capsecs;
	size_t defaults;                /* index into secs + 1, or 0: an index,
	                                   since secs moves as it grows */
	struct jobs_file *out;
	size_t captargets;
};

static int ctx_fail(struct ctx *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "PATH:LINE: message" (no line when 0) to err; returns -1. */
static int
ctx_fail(struct ctx *c, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(c->err, c->errsz, "%s:%d: %s", c->path, line, msg);
	else
		snprintf(c->err, c->errsz, "%s: %s", c->path, msg);
	return -1;
}

static void ctx_warn(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ctx_warn(struct ctx *c, const char *fmt, ...)
{
	struct jobs_file *jf = c->out;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	jf->warnings = xrealloc(jf->warnings,
	    (jf->nwarnings + 1) * sizeof *jf->warnings);
	jf->warnings[jf->nwarnings++] = xstrdup(msg);
}

/* --- reading a file that says where credentials go ------------------------ */

/*
 * Reads the whole of path (what names it for messages, line where the
 * jobs file named it, or 0) into a NUL-terminated *data of *len bytes,
 * refusing what anyone but the user (or root) could have written.  *mode
 * gets its permission bits.
 */
static int
read_trusted(struct ctx *c, const char *path, int line, char **data,
    size_t *len, mode_t *mode)
{
	struct stat st;
	char *p = NULL, pfx[300] = "";
	size_t n = 0;
	ssize_t got;
	int fd, rc = -1;

	/* The jobs file's messages begin with its name already. */
	if (line > 0)
		snprintf(pfx, sizeof pfx, "%s: ", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return ctx_fail(c, line, "%s%s", pfx, strerror(errno));
	if (fstat(fd, &st) != 0) {
		ctx_fail(c, line, "%s%s", pfx, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ctx_fail(c, line, "%snot a regular file", pfx);
		goto out;
	}
	if ((st.st_mode & 022) != 0) {
		ctx_fail(c, line, "%swritable by group or others (chmod go-w "
		    "%s): refused, since it says where credentials are sent",
		    pfx, path);
		goto out;
	}
	if (st.st_uid != getuid() && st.st_uid != 0) {
		ctx_fail(c, line, "%sowned by uid %ld, not by you or root: "
		    "refused, since it says where credentials are sent", pfx,
		    (long)st.st_uid);
		goto out;
	}
	p = xmalloc(JOBS_MAX_FILE + 1);
	for (;;) {
		got = read(fd, p + n, JOBS_MAX_FILE + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ctx_fail(c, line, "%s%s", pfx, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > JOBS_MAX_FILE) {
			ctx_fail(c, line, "%slarger than %d bytes", pfx,
			    JOBS_MAX_FILE);
			goto out;
		}
	}
	p[n] = '\0';
	*data = p;
	*len = n;
	*mode = st.st_mode;
	p = NULL;
	rc = 0;
out:
	free(p);
	close(fd);
	return rc;
}

/* --- parsing ---------------------------------------------------------------- */

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

static int
name_char(int ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

static int
env_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Trims blanks at both ends of [*s, *e). */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

/*
 * The value in [s, e) (already trimmed at its start): quoted, or up to an
 * inline comment (a # after a blank).  Newly allocated, or NULL after a
 * message.
 */
static char *
parse_value(struct ctx *c, int line, const char *s, const char *e)
{
	struct buf b;
	const char *p;
	char *v;

	if (s < e && *s == '"') {
		buf_init(&b, 0);
		for (p = s + 1; p < e && *p != '"'; p++) {
			if (*p == '\\') {
				if (p + 1 >= e || (p[1] != '"' && p[1] != '\\')) {
					buf_free(&b);
					ctx_fail(c, line, "unknown escape in a quoted "
					    "value (only \\\" and \\\\)");
					return NULL;
				}
				p++;
			}
			buf_addc(&b, *p);
		}
		if (p >= e) {
			buf_free(&b);
			ctx_fail(c, line, "no closing quote");
			return NULL;
		}
		for (p++; p < e && is_blank(*p); p++)
			;
		if (p < e && *p != '#' && *p != ';') {
			buf_free(&b);
			ctx_fail(c, line, "text after the closing quote");
			return NULL;
		}
		v = xstrdup(buf_cstr(&b));
		buf_free(&b);
		return v;
	}
	for (p = s; p < e; p++)
		if (*p == '#' && (p == s || is_blank(p[-1]))) {
			e = p;
			break;
		}
	trim(&s, &e);
	return xstrndup(s, (size_t)(e - s));
}

/* "true"/"false" and their friends, or an empty value (a bare flag). */
static int
parse_flag(const char *v)
{
	static const char *const yes[] = { "", "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	return -1;
}

static struct section *
section_add(struct ctx *c, const char *name, size_t n, int line)
{
	struct section *s;

	if (c->nsecs == c->capsecs) {
		c->capsecs = c->capsecs ? 2 * c->capsecs : 8;
		c->secs = xrealloc(c->secs, c->capsecs * sizeof *c->secs);
	}
	s = &c->secs[c->nsecs++];
	memset(s, 0, sizeof *s);
	s->name = xstrndup(name, n);
	s->line = line;
	return s;
}

static const struct entry *
section_get(const struct section *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->e[i].key->name, key) == 0)
			return &s->e[i];
	return NULL;
}

/* A "[name]" line, s..e trimmed. */
static int
parse_section(struct ctx *c, int line, const char *s, const char *e,
    struct section **cur)
{
	const char *close = memchr(s, ']', (size_t)(e - s));
	const char *n, *ne, *p;
	size_t i;

	if (close == NULL)
		return ctx_fail(c, line, "no ']' closing the section name");
	for (p = close + 1; p < e && is_blank(*p); p++)
		;
	if (p < e && *p != '#' && *p != ';')
		return ctx_fail(c, line, "text after the section name");
	n = s + 1;
	ne = close;
	trim(&n, &ne);
	if (n == ne)
		return ctx_fail(c, line, "an empty section name");
	for (p = n; p < ne; p++)
		if (!name_char((unsigned char)*p))
			return ctx_fail(c, line, "section [%.*s]: a name is "
			    "letters, digits, '-', '_' and '.'",
			    (int)(ne - n), n);
	for (i = 0; i < c->nsecs; i++)
		if (strlen(c->secs[i].name) == (size_t)(ne - n) &&
		    memcmp(c->secs[i].name, n, (size_t)(ne - n)) == 0)
			return ctx_fail(c, line, "section [%.*s] again (first "
			    "at line %d)", (int)(ne - n), n, c->secs[i].line);
	*cur = section_add(c, n, (size_t)(ne - n), line);
	if (strcmp((*cur)->name, "defaults") == 0)
		c->defaults = c->nsecs;
	return 0;
}

/* Refuses what a value of key k must never be.  v is the parsed value. */
static int
check_value(struct ctx *c, int line, const struct section *sec,
    const struct jobs_key *k, const char *v)
{
	int is_defaults = strcmp(sec->name, "defaults") == 0;
	char *red;

	if ((k->flags & key_section) && is_defaults)
		return ctx_fail(c, line, "%s belongs in a target's section, "
		    "not in [defaults]", k->name);
	if (*v == '\0' && !(k->flags & (key_empty | key_flag | key_unset)))
		return ctx_fail(c, line, "%s needs a value", k->name);
	if (k->flags & key_env) {
		/* not shown: it could be the secret itself */
		if (!env_name_ok(v))
			return ctx_fail(c, line, "%s: not the name of an "
			    "environment variable (%s)", k->name,
			    SECRETS_ADVICE);
		return 0;
	}
	if (strcmp(k->name, "user") == 0 && strchr(v, ':') != NULL)
		return ctx_fail(c, line, "user holds a secret after its ':': "
		    SECRETS_ADVICE);
	if (strcmp(k->name, "header") == 0) {
		red = log_redact_header(v);
		if (strcmp(red, v) != 0) {
			ctx_fail(c, line, "header '%.*s' carries a secret: never "
			    "put secrets in the jobs file; use header-file or "
			    "token-env", (int)strcspn(v, ":"), v);
			free(red);
			return -1;
		}
		free(red);
	}
	return 0;
}

/* The key named key, or NULL after saying why it is not one (a secret's
 * name, an unknown key, not a key at all). */
static const struct jobs_key *
entry_key(struct ctx *c, int line, const char *key)
{
	const struct jobs_key *k;
	const char *hint;
	size_t i;

	for (i = 0; secret_keys[i] != NULL; i++)
		if (strcasecmp(key, secret_keys[i]) == 0) {
			ctx_fail(c, line, "%s: " SECRETS_ADVICE ", or "
			    "token-env", key);
			return NULL;
		}
	if ((k = key_find(key)) != NULL)
		return k;
	for (i = 0; i < strlen(key); i++)
		if (!name_char((unsigned char)key[i]))
			break;
	if (*key == '\0' || i < strlen(key))
		ctx_fail(c, line, "expected 'key = value', '[section]' or a "
		    "comment");
	else if ((hint = key_suggest(key)) != NULL)
		ctx_fail(c, line, "unknown key '%s' (did you mean '%s'?)", key,
		    hint);
	else
		ctx_fail(c, line, "unknown key '%s'", key);
	return NULL;
}

/* The value after eq (NULL: a bare key) up to e, for key k: a flag's as
 * "1" or "0".  NULL after saying why not. */
static char *
entry_value(struct ctx *c, int line, const struct jobs_key *k,
    const char *eq, const char *e)
{
	char *v;
	int flag;

	if (eq == NULL && !(k->flags & key_flag)) {
		ctx_fail(c, line, "%s needs a value (%s = ...)", k->name,
		    k->name);
		return NULL;
	}
	if (eq == NULL)
		return xstrdup(k->flags & key_flag ? "1" : "");
	for (eq++; eq < e && is_blank(*eq); eq++)
		;
	if ((v = parse_value(c, line, eq, e)) == NULL ||
	    !(k->flags & key_flag))
		return v;
	if ((flag = parse_flag(v)) < 0) {
		ctx_fail(c, line, "%s is a flag: true or false, not '%s'",
		    k->name, v);
		free(v);
		return NULL;
	}
	free(v);
	return xstrdup(flag ? "1" : "0");
}

/* Appends k = v (taken) to sec. */
static void
entry_add(struct section *sec, const struct jobs_key *k, char *v, int line)
{
	struct entry *en;

	if (sec->n == sec->cap) {
		sec->cap = sec->cap ? 2 * sec->cap : 8;
		sec->e = xrealloc(sec->e, sec->cap * sizeof *sec->e);
	}
	en = &sec->e[sec->n++];
	en->key = k;
	en->value = v;
	en->line = line;
}

/* A "key = value" or bare "key" line, s..e trimmed, in section sec. */
static int
parse_entry(struct ctx *c, int line, const char *s, const char *e,
    struct section *sec)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	const char *ks = s, *ke = eq != NULL ? eq : e;
	const struct jobs_key *k;
	const struct entry *prev;
	char *key, *v = NULL;

	trim(&ks, &ke);
	key = xstrndup(ks, (size_t)(ke - ks));
	if (sec == NULL)
		ctx_fail(c, line, "'%s' before any [section] (start with "
		    "[defaults] or [name])", key);
	else if ((k = entry_key(c, line, key)) == NULL ||
	    (v = entry_value(c, line, k, eq, e)) == NULL)
		;
	else if (check_value(c, line, sec, k, v) < 0) {
		memset(v, 0, strlen(v));
		free(v);
	} else if (!(k->flags & key_repeat) &&
	    (prev = section_get(sec, k->name)) != NULL) {
		ctx_fail(c, line, "%s again in [%s] (first at line %d)", key,
		    sec->name, prev->line);
		free(v);
	} else {
		entry_add(sec, k, v, line);
		free(key);
		return 0;
	}
	free(key);
	return -1;
}

/* Bytes of a jobs file into sections; no I/O. */
static int
parse_text(struct ctx *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *eol, *s, *e;
	struct section *cur = NULL;
	int line = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < end; p = eol < end ? eol + 1 : end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		s = p;
		e = eol;
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '\0', (size_t)(e - s)) != NULL ||
		    memchr(s, '\r', (size_t)(e - s)) != NULL)
			return ctx_fail(c, line, "a NUL or CR byte inside a "
			    "line: not a text file?");
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			if (parse_section(c, line, s, e, &cur) < 0)
				return -1;
		} else if (parse_entry(c, line, s, e, cur) < 0)
			return -1;
	}
	return 0;
}

/* --- building the targets ---------------------------------------------- */

/* One section merged with [defaults], before hosts and the environment. */
struct merged {
	const struct section *sec;
	const struct entry **e;
	size_t n;
};

static int
has_cred(const struct section *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].key->flags & key_cred)
			return 1;
	return 0;
}

static void
merge(const struct section *defaults, const struct section *sec,
    struct merged *m)
{
	const struct entry *d;
	size_t i, total = sec->n + (defaults ? defaults->n : 0);
	int cred = has_cred(sec);

	m->sec = sec;
	m->e = xcalloc(total ? total : 1, sizeof *m->e);
	m->n = 0;
	for (i = 0; defaults != NULL && i < defaults->n; i++) {
		d = &defaults->e[i];
		if ((d->key->flags & key_cred) && cred)
			continue;
		if (!(d->key->flags & key_repeat) &&
		    section_get(sec, d->key->name) != NULL)
			continue;
		m->e[m->n++] = d;
	}
	for (i = 0; i < sec->n; i++)
		m->e[m->n++] = &sec->e[i];
}

static const struct entry *
merged_get(const struct merged *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->e[i]->key->name, key) == 0)
			return m->e[i];
	return NULL;
}

/* "[x]" or "[x] (from [defaults])" for messages about entry en of m. */
static const char *
where(const struct merged *m, const struct entry *en, char *buf, size_t n)
{
	const struct section *s = m->sec;
	size_t i;

	for (i = 0; i < s->n && &s->e[i] != en; i++)
		;
	snprintf(buf, n, "[%s]%s", s->name, i < s->n ? "" :
	    " (from [defaults])");
	return buf;
}

/* Finds a {name} placeholder in v: returns a pointer to its '{' and its
 * length in *n, or NULL. */
static const char *
placeholder(const char *v, size_t *n)
{
	const char *p, *q;

	for (p = strchr(v, '{'); p != NULL; p = strchr(p + 1, '{')) {
		q = p + 1;
		if (!isalpha((unsigned char)*q) && *q != '_')
			continue;
		while (isalnum((unsigned char)*q) || *q == '_' || *q == '-')
			q++;
		if (*q == '}') {
			*n = (size_t)(q - p + 1);
			return p;
		}
	}
	return NULL;
}

/* Checks the placeholders of every value: only {host}, and only with
 * hosts; and the url's {since}, --bookmark's (state.c fills it). */
static int
check_placeholders(struct ctx *c, const struct merged *m, int hosts)
{
	const struct entry *en;
	const char *p;
	char w[128];
	size_t i, n;

	for (i = 0; i < m->n; i++) {
		en = m->e[i];
		for (p = en->value; (p = placeholder(p, &n)) != NULL; p += n) {
			if ((n != 6 || memcmp(p, "{host}", 6) != 0) &&
			    (en->key->flags & key_template))
				continue;
			if (n == 7 && memcmp(p, "{since}", 7) == 0 &&
			    strcmp(en->key->name, "url") == 0)
				continue;
			if (n != 6 || memcmp(p, "{host}", 6) != 0)
				return ctx_fail(c, en->line, "%s: unknown "
				    "placeholder '%.*s' (there is only {host})",
				    en->key->name, (int)n, p);
			if (!hosts)
				return ctx_fail(c, en->line, "{host} in %s, but "
				    "%s has no hosts (or hosts-file)",
				    en->key->name, where(m, en, w, sizeof w));
		}
	}
	return 0;
}

static char *
substitute(const char *v, const char *host)
{
	struct buf b;
	const char *p;
	char *out;
	size_t n;

	if (host == NULL)
		return xstrdup(v);
	buf_init(&b, 0);
	while ((p = placeholder(v, &n)) != NULL) {
		/* Only {host}: an --expand template's {field}s stay. */
		buf_add(&b, v, (size_t)(p + (n != 6 ||
		    memcmp(p, "{host}", 6) != 0 ? n : 0) - v));
		if (n == 6 && memcmp(p, "{host}", 6) == 0)
			buf_adds(&b, host);
		v = p + n;
	}
	buf_adds(&b, v);
	out = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return out;
}

static int
host_ok(const char *h)
{
	size_t n = strlen(h), colons = 0;
	const char *p;

	if (n == 0 || n > JOBS_MAX_HOST ||
	    (!isalnum((unsigned char)h[0]) && h[0] != '['))
		return 0;
	for (p = h; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-_:[]", *p) == NULL)
			return 0;
		colons += *p == ':';
	}
	/* "..", and an IPv6 address without its brackets */
	return strstr(h, "..") == NULL && (colons <= 1 || h[0] == '[');
}

struct hosts {
	char **h;
	size_t n;
};

static void
hosts_free(struct hosts *hs)
{
	size_t i;

	for (i = 0; i < hs->n; i++)
		free(hs->h[i]);
	free(hs->h);
	hs->h = NULL;
	hs->n = 0;
}

/* Adds the host [s, e) (named in file:line, for messages). */
static int
hosts_add(struct ctx *c, struct hosts *hs, const char *s, const char *e,
    const char *file, int line)
{
	char *h = xstrndup(s, (size_t)(e - s));
	size_t i;

	if (!host_ok(h)) {
		snprintf(c->err, c->errsz, "%s:%d: '%s' is not a host name "
		    "(letters, digits, '.', '-', '_', a :port, [IPv6])", file,
		    line, h);
		free(h);
		return -1;
	}
	for (i = 0; i < hs->n; i++)
		if (strcmp(hs->h[i], h) == 0) {
			snprintf(c->err, c->errsz, "%s:%d: host %s is listed "
			    "twice", file, line, h);
			free(h);
			return -1;
		}
	hs->h = xrealloc(hs->h, (hs->n + 1) * sizeof *hs->h);
	hs->h[hs->n++] = h;
	return 0;
}

/* hosts = a, b c: commas and blanks separate. */
static int
hosts_from_value(struct ctx *c, struct hosts *hs, const struct entry *en)
{
	const char *p = en->value, *s;

	for (;;) {
		while (*p == ',' || is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		for (s = p; *p != '\0' && *p != ',' && !is_blank(*p); p++)
			;
		if (hosts_add(c, hs, s, p, c->path, en->line) < 0)
			return -1;
	}
	return 0;
}

/* hosts-file = FILE: one host per line, # comments, blank lines. */
static int
hosts_from_file(struct ctx *c, struct hosts *hs, const struct entry *en)
{
	char *data, *line, *next, *hash;
	const char *s, *e;
	size_t len;
	mode_t mode;
	int n = 0, rc = 0;

	if (read_trusted(c, en->value, en->line, &data, &len, &mode) < 0)
		return -1;
	if (memchr(data, '\0', len) != NULL) {
		free(data);
		return ctx_fail(c, en->line, "hosts-file %s: a NUL byte: not a "
		    "text file?", en->value);
	}
	for (line = data; rc == 0 && line != NULL && *line != '\0';
	    line = next) {
		n++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = line;
		e = line + strlen(line);
		while (e > s && (e[-1] == '\r' || is_blank(e[-1])))
			e--;
		while (s < e && is_blank(*s))
			s++;
		if (s < e)
			rc = hosts_add(c, hs, s, e, en->value, n);
	}
	free(data);
	return rc;
}

static void
target_add_pair(struct jobs_target *t, const char *key, char *value,
    int line, int secret)
{
	struct jobs_pair *p;

	t->pairs = xrealloc(t->pairs, (t->npairs + 1) * sizeof *t->pairs);
	p = &t->pairs[t->npairs++];
	p->key = key;
	p->value = value;
	p->line = line;
	p->secret = secret;
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

/*
 * A variable's name as messages show it: a conventional name (upper case,
 * digits, '_') as it is; another could be the secret itself, written where
 * its name belongs, and is not shown.
 */
static const char *
env_shown(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_')
			return "the variable it names (not shown: not in upper "
			    "case)";
	return name;
}

/* An environment variable named by the entry, or NULL after a message. */
static const char *
env_value(struct ctx *c, const struct entry *en)
{
	const char *v = getenv(en->value);
	const char *shown = env_shown(en->value);
	const char *dollar = shown == en->value ? "$" : "";

	if (v == NULL)
		ctx_fail(c, en->line, "%s: %s%s is not set", en->key->name,
		    dollar, shown);
	else if (*v == '\0')
		ctx_fail(c, en->line, "%s: %s%s is empty", en->key->name,
		    dollar, shown);
	else
		return v;
	return NULL;
}

/* The user entry u's USER:SECRET (ue: from the environment, else un's
 * value, with pe's secret when given) into *userpwd; 0, or -1 after
 * saying why. */
static int
cred_userpwd(struct ctx *c, const struct entry *u, const struct entry *ue,
    const struct entry *pe, char **userpwd)
{
	const char *user, *pass;
	const char *var = env_shown(u->value) == u->value ? "$" : "";

	if (ue != NULL) {
		if ((user = env_value(c, ue)) == NULL)
			return -1;
	} else
		user = u->value;
	if (pe != NULL) {
		if (strchr(user, ':') != NULL)
			return ctx_fail(c, u->line, "user-env: %s%s holds "
			    "USER:SECRET already, and password-env is given too",
			    var, env_shown(u->value));
		if ((pass = env_value(c, pe)) == NULL)
			return -1;
		*userpwd = xasprintf("%s:%s", user, pass);
	} else if (strchr(user, ':') == NULL)
		return ctx_fail(c, u->line, "user-env: %s%s holds no ':': set "
		    "it to USER:SECRET, or name the secret's variable with "
		    "password-env", var, env_shown(u->value));
	else
		*userpwd = xstrdup(user);
	return 0;
}

/* The sources of credentials m names (user or user-env, user-file, netrc
 * or netrc-file, token-env), into src and names; how many. */
static int
cred_sources(const struct merged *m, const struct entry *u,
    const struct entry **src, const char **names)
{
	const struct entry *uf = merged_get(m, "user-file");
	const struct entry *nr = merged_get(m, "netrc");
	const struct entry *nf = merged_get(m, "netrc-file");
	const struct entry *te = merged_get(m, "token-env");
	int n = 0;

	if (nr != NULL && strcmp(nr->value, "0") == 0)
		nr = NULL;
	if (u != NULL) {
		src[n] = u;
		names[n++] = u->key->name;
	}
	if (uf != NULL) {
		src[n] = uf;
		names[n++] = "user-file";
	}
	if (nr != NULL || nf != NULL) {
		src[n] = nf != NULL ? nf : nr;
		names[n++] = nf != NULL ? "netrc-file" : "netrc";
	}
	if (te != NULL) {
		src[n] = te;
		names[n++] = "token-env";
	}
	return n;
}

/*
 * The merged section's credentials: at most one source; user-env/user with
 * password-env and token-env resolved now.  *userpwd and *bearer get the
 * secrets (or NULL), *user_line and *token_line their lines.
 */
static int
credentials(struct ctx *c, const struct merged *m, char **userpwd,
    int *user_line, char **bearer, int *token_line)
{
	const struct entry *ue = merged_get(m, "user-env");
	const struct entry *un = merged_get(m, "user");
	const struct entry *pe = merged_get(m, "password-env");
	const struct entry *te = merged_get(m, "token-env");
	const struct entry *src[4], *u = ue != NULL ? ue : un;
	const char *names[4], *pass;
	char w[128];
	int nsrc = cred_sources(m, u, src, names);

	*userpwd = *bearer = NULL;
	if (ue != NULL && un != NULL)
		return ctx_fail(c, un->line, "user and user-env in %s: one or "
		    "the other", where(m, un, w, sizeof w));
	if (nsrc > 1)
		return ctx_fail(c, src[1]->line, "%s and %s in %s: one source "
		    "of credentials per target", names[0], names[1],
		    where(m, src[1], w, sizeof w));
	if (pe != NULL && u == NULL)
		return ctx_fail(c, pe->line, "password-env needs user-env or "
		    "user beside it in %s", where(m, pe, w, sizeof w));
	if (un != NULL && pe == NULL)
		return ctx_fail(c, un->line, "user = %s needs password-env: "
		    SECRETS_ADVICE, un->value);
	if (u != NULL) {
		if (cred_userpwd(c, u, ue, pe, userpwd) < 0)
			return -1;
		*user_line = u->line;
	}
	if (te != NULL) {
		if ((pass = env_value(c, te)) == NULL) {
			wipe_free(*userpwd);
			*userpwd = NULL;
			return -1;
		}
		*bearer = xasprintf("Authorization: Bearer %s", pass);
		*token_line = te->line;
	}
	return 0;
}

/* A URL with credentials in it (user:password@, or a user alone, often
 * a token) is refused; a query parameter whose name is a secret's draws a
 * warning. */
static int
check_url(struct ctx *c, const struct jobs_target *t, const char *url,
    int line)
{
	CURLU *u = curl_url();
	char *pw = NULL, *query = NULL, *red;
	int rc = 0;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;       /* the command line will say what is wrong */
	if (curl_url_get(u, CURLUPART_USER, &pw, 0) == CURLUE_OK) {
		rc = ctx_fail(c, line, "the url of [%s] holds credentials "
		    "(user@ or user:password@): " SECRETS_ADVICE, t->name);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		red = log_redact_url(url);
		if (strstr(red, "=***") != NULL)
			ctx_warn(c, "%s:%d: the url of [%s] has a query "
			    "parameter named like a credential (%s): the jobs "
			    "file is no place for secrets", c->path, line,
			    t->name, red);
		free(red);
	}
out:
	curl_free(pw);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

static struct jobs_target *
target_new(struct ctx *c)
{
	struct jobs_file *jf = c->out;
	struct jobs_target *t;

	if (jf->ntargets == c->captargets) {
		c->captargets = c->captargets ? 2 * c->captargets : 8;
		jf->targets = xrealloc(jf->targets,
		    c->captargets * sizeof *jf->targets);
	}
	t = &jf->targets[jf->ntargets++];
	memset(t, 0, sizeof *t);
	return t;
}

/* One target of m for host (or NULL), with the credentials resolved;
 * first: the section's first, whose url is checked for the others. */
static int
build_target(struct ctx *c, const struct merged *m, const char *host,
    int first, const char *userpwd, int user_line, const char *bearer,
    int token_line)
{
	struct jobs_target *t = target_new(c);
	const struct entry *en;
	const char *k;
	size_t i;

	t->name = host ? xasprintf("%s@%s", m->sec->name, host) :
	    xstrdup(m->sec->name);
	t->host = host ? xstrdup(host) : NULL;
	t->line = m->sec->line;
	for (i = 0; i < m->n; i++) {
		en = m->e[i];
		k = en->key->name;
		if (en->key->flags & key_section)
			continue;       /* hosts, hosts-file: done */
		if ((en->key->flags & key_env) || strcmp(k, "user") == 0) {
			if (strcmp(k, "user-env") == 0 ||
			    strcmp(k, "user") == 0)
				target_add_pair(t, "user", xstrdup(userpwd),
				    user_line, 1);
			else if (strcmp(k, "token-env") == 0)
				target_add_pair(t, "header", xstrdup(bearer),
				    token_line, 1);
			continue;       /* password-env went into user */
		}
		if (en->key->flags & key_flag) {
			if (strcmp(en->value, "1") == 0)
				target_add_pair(t, k, NULL, en->line, 0);
			continue;
		}
		if ((en->key->flags & key_unset) && *en->value == '\0')
			continue;
		target_add_pair(t, k, substitute(en->value, host), en->line,
		    0);
	}
	en = merged_get(m, "url");
	return first ? check_url(c, t, jobs_get(t, "url"), en->line) : 0;
}

/* A merged section's hosts (hosts = or hosts-file =) into hs, checked
 * against its url; 0, or -1 after saying why. */
static int
build_hosts(struct ctx *c, const struct merged *m, const struct entry *url,
    struct hosts *hs)
{
	const struct entry *he = merged_get(m, "hosts");
	const struct entry *hf = merged_get(m, "hosts-file");
	char w[128];

	if (he != NULL && hf != NULL)
		return ctx_fail(c, hf->line, "hosts and hosts-file in [%s]: one "
		    "or the other", m->sec->name);
	if (check_placeholders(c, m, he != NULL || hf != NULL) < 0)
		return -1;
	if ((he != NULL && hosts_from_value(c, hs, he) < 0) ||
	    (hf != NULL && hosts_from_file(c, hs, hf) < 0))
		return -1;
	if ((he != NULL || hf != NULL) && hs->n == 0)
		return ctx_fail(c, (he ? he : hf)->line, "[%s] lists no hosts",
		    m->sec->name);
	if (hs->n > 0 && strstr(url->value, "{host}") == NULL)
		return ctx_fail(c, url->line, "%s has hosts, but its url has no "
		    "{host}: every host would be asked the same URL",
		    where(m, url, w, sizeof w));
	return 0;
}

/* The first key naming a file of secrets, for the file's mode warning. */
static void
note_secret_file(const struct merged *m, const char **name, int *line)
{
	size_t j;

	for (j = 0; j < m->n && *name == NULL; j++)
		if (m->e[j]->key->flags & key_secret_file) {
			*name = m->e[j]->key->name;
			*line = m->e[j]->line;
		}
}

/* One merged section into its targets (one, or one a host). */
static int
build_section(struct ctx *c, const struct merged *m, const struct entry *url)
{
	struct hosts hs = { 0 };
	char *userpwd = NULL, *bearer = NULL;
	int user_line = 0, token_line = 0, rc = -1;
	size_t j;

	if (build_hosts(c, m, url, &hs) < 0 || credentials(c, m, &userpwd,
	    &user_line, &bearer, &token_line) < 0)
		goto out;
	if (hs.n == 0 && build_target(c, m, NULL, 1, userpwd, user_line,
	    bearer, token_line) < 0)
		goto out;
	for (j = 0; j < hs.n; j++)
		if (build_target(c, m, hs.h[j], j == 0, userpwd, user_line,
		    bearer, token_line) < 0)
			goto out;
	rc = 0;
out:
	wipe_free(userpwd);
	wipe_free(bearer);
	hosts_free(&hs);
	return rc;
}

/* Every section but [defaults] into targets. */
static int
build(struct ctx *c, mode_t mode)
{
	const struct entry *url;
	struct merged m = { 0 };
	const char *secret_file = NULL;
	int secret_line = 0, rc = -1;
	size_t i;

	for (i = 0; i < c->nsecs; i++) {
		if (i + 1 == c->defaults)
			continue;
		merge(c->defaults ? &c->secs[c->defaults - 1] : NULL,
		    &c->secs[i], &m);
		if ((url = merged_get(&m, "url")) == NULL) {
			ctx_fail(c, c->secs[i].line, "section [%s] has no url",
			    c->secs[i].name);
			goto out;
		}
		if (build_section(c, &m, url) < 0)
			goto out;
		note_secret_file(&m, &secret_file, &secret_line);
		free(m.e);
		m.e = NULL;
	}
	if (c->out->ntargets == 0) {
		ctx_fail(c, 0, "no targets (a [name] section with a url)");
		goto out;
	}
	if (secret_file != NULL && (mode & 044) != 0)
		ctx_warn(c, "%s is readable by others and names files that "
		    "hold secrets (%s at line %d); chmod go-r %s", c->path,
		    secret_file, secret_line, c->path);
	rc = 0;
out:
	free(m.e);
	return rc;
}

/* No two targets write the same output ("-" when none is named). */
static int
check_outputs(struct ctx *c)
{
	const struct jobs_file *jf = c->out;
	const char *a, *b;
	size_t i, j;
	int same_section;

	for (i = 0; i < jf->ntargets; i++) {
		a = jobs_get(&jf->targets[i], "output");
		for (j = 0; j < i; j++) {
			b = jobs_get(&jf->targets[j], "output");
			if (strcmp(a ? a : "-", b ? b : "-") != 0)
				continue;
			same_section = jf->targets[i].line ==
			    jf->targets[j].line;
			return ctx_fail(c, jf->targets[i].line, "[%s] and [%s] "
			    "(line %d) both write to %s%s",
			    jf->targets[i].name, jf->targets[j].name,
			    jf->targets[j].line, a ? a : "standard output",
			    same_section ? " (put {host} in output)" :
			    a ? "" : " (give each an output)");
		}
	}
	return 0;
}

static void
sections_free(struct ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->nsecs; i++) {
		for (j = 0; j < c->secs[i].n; j++)
			free(c->secs[i].e[j].value);
		free(c->secs[i].e);
		free(c->secs[i].name);
	}
	free(c->secs);
	c->secs = NULL;
	c->nsecs = 0;
}

static void
ctx_init(struct ctx *c, const char *path, struct jobs_file *out, char *err,
    size_t errsz)
{
	memset(out, 0, sizeof *out);
	memset(c, 0, sizeof *c);
	c->path = path;
	c->err = err;
	c->errsz = errsz;
	c->out = out;
}

int
jobs_parse_text(const char *name, const char *text, size_t len, mode_t mode,
    struct jobs_file *out, char *err, size_t errsz)
{
	struct ctx c;
	int rc = -1;

	ctx_init(&c, name, out, err, errsz);
	out->path = xstrdup(name);
	if (parse_text(&c, text, len) == 0 && build(&c, mode) == 0 &&
	    check_outputs(&c) == 0)
		rc = 0;
	sections_free(&c);
	if (rc < 0)
		jobs_free(out);
	return rc;
}

int
jobs_parse(const char *path, struct jobs_file *out, char *err, size_t errsz)
{
	struct ctx c;
	char *text;
	size_t len;
	mode_t mode;
	int rc;

	ctx_init(&c, path, out, err, errsz);
	if (read_trusted(&c, path, 0, &text, &len, &mode) < 0)
		return -1;
	rc = jobs_parse_text(path, text, len, mode, out, err, errsz);
	free(text);
	return rc;
}

const struct jobs_target *
jobs_next(const struct jobs_file *jf, const struct jobs_target *t)
{
	if (jf->ntargets == 0)
		return NULL;
	if (t == NULL)
		return jf->targets;
	return t + 1 < jf->targets + jf->ntargets ? t + 1 : NULL;
}

const char *
jobs_get(const struct jobs_target *t, const char *key)
{
	size_t i;

	for (i = t->npairs; i-- > 0; )
		if (strcmp(t->pairs[i].key, key) == 0)
			return t->pairs[i].value;
	return NULL;
}

int
jobs_has(const struct jobs_target *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->npairs; i++)
		if (strcmp(t->pairs[i].key, key) == 0)
			return 1;
	return 0;
}

static void
pairs_free(struct jobs_pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].secret)
			wipe_free(p[i].value);
		else
			free(p[i].value);
	free(p);
}

void
jobs_free(struct jobs_file *jf)
{
	size_t i;

	for (i = 0; i < jf->ntargets; i++) {
		pairs_free(jf->targets[i].pairs, jf->targets[i].npairs);
		free(jf->targets[i].name);
		free(jf->targets[i].host);
	}
	free(jf->targets);
	for (i = 0; i < jf->nwarnings; i++)
		free(jf->warnings[i]);
	free(jf->warnings);
	free(jf->path);
	memset(jf, 0, sizeof *jf);
}
