/*
 * cli.c - getopt_long, --help text, validation of every flag (see cli.h).
 *
 * Messages name the flag and the value at fault.  A secret given on the
 * command line (-u) is copied and the argv copy wiped, so that ps(1) shows
 * it for as short a time as possible.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
#include "log.h"
#include "xalloc.h"

enum {
	opt_compress = 256,
	opt_level,
	opt_total_header,
	opt_offset_param,
	opt_limit_param,
	opt_items_path,
	opt_connect_timeout,
	opt_max_time,
	opt_speed_limit,
	opt_speed_time,
	opt_retries,
	opt_retry_max_time,
	opt_rate,
	opt_max_body,
	opt_max_item,
	opt_max_depth,
	opt_max_redirs,
	opt_cacert,
	opt_capath,
	opt_insecure,
	opt_netrc,
	opt_netrc_file,
	opt_user_file,
	opt_header_file,
	opt_no_total,
	opt_allow_origin,
	opt_keep_mismatch,
	opt_total_path,
	opt_next_path,
	opt_cursor_param,
	opt_sort_param,
	opt_key,
	opt_progress,
	opt_no_progress
};

static const struct option long_options[] = {
	{ "output",          required_argument, NULL, 'o' },
	{ "compress",        required_argument, NULL, opt_compress },
	{ "level",           required_argument, NULL, opt_level },
	{ "workers",         required_argument, NULL, 'w' },
	{ "limit",           required_argument, NULL, 'l' },
	{ "profile",         required_argument, NULL, 'p' },
	{ "total-header",    required_argument, NULL, opt_total_header },
	{ "offset-param",    required_argument, NULL, opt_offset_param },
	{ "limit-param",     required_argument, NULL, opt_limit_param },
	{ "items-path",      required_argument, NULL, opt_items_path },
	{ "user",            required_argument, NULL, 'u' },
	{ "header",          required_argument, NULL, 'H' },
	{ "connect-timeout", required_argument, NULL, opt_connect_timeout },
	{ "max-time",        required_argument, NULL, opt_max_time },
	{ "speed-limit",     required_argument, NULL, opt_speed_limit },
	{ "speed-time",      required_argument, NULL, opt_speed_time },
	{ "retries",         required_argument, NULL, opt_retries },
	{ "retry-max-time",  required_argument, NULL, opt_retry_max_time },
	{ "rate",            required_argument, NULL, opt_rate },
	{ "max-body",        required_argument, NULL, opt_max_body },
	{ "max-item",        required_argument, NULL, opt_max_item },
	{ "max-depth",       required_argument, NULL, opt_max_depth },
	{ "max-redirs",      required_argument, NULL, opt_max_redirs },
	{ "cacert",          required_argument, NULL, opt_cacert },
	{ "capath",          required_argument, NULL, opt_capath },
	{ "insecure",        no_argument,       NULL, opt_insecure },
	{ "netrc",           no_argument,       NULL, opt_netrc },
	{ "netrc-file",      required_argument, NULL, opt_netrc_file },
	{ "user-file",       required_argument, NULL, opt_user_file },
	{ "header-file",     required_argument, NULL, opt_header_file },
	{ "no-total",        no_argument,       NULL, opt_no_total },
	{ "allow-origin",    required_argument, NULL, opt_allow_origin },
	{ "keep-mismatch",   no_argument,       NULL, opt_keep_mismatch },
	{ "total-path",      required_argument, NULL, opt_total_path },
	{ "next-path",       required_argument, NULL, opt_next_path },
	{ "cursor-param",    required_argument, NULL, opt_cursor_param },
	{ "sort-param",      required_argument, NULL, opt_sort_param },
	{ "key",             required_argument, NULL, opt_key },
	{ "progress",        no_argument,       NULL, opt_progress },
	{ "no-progress",     no_argument,       NULL, opt_no_progress },
	{ "quiet",           no_argument,       NULL, 'q' },
	{ "verbose",         no_argument,       NULL, 'v' },
	{ "version",         no_argument,       NULL, 'V' },
	{ "help",            no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
cli_usage(FILE *f)
{
	const struct profile *p;

	fprintf(f,
"Usage: invdump [OPTIONS] URL\n"
"Export every item of a paginated REST API to (gzip-compressed) NDJSON,\n"
"fetching pages concurrently and writing them in order.\n"
"\n"
"Output:\n"
"  -o, --output PATH        write to PATH (default -, standard output); the file\n"
"                           appears only when complete (temp file + rename)\n"
"      --compress MODE      gzip or none (default: gzip when PATH ends in .gz)\n"
"      --level N            gzip level 1 (fastest, the default) .. 9 (smallest)\n"
"\n"
"Paging:\n"
"  -p, --profile NAME       how the API pages (default offset):\n");
	for (p = profile_table(); p->name != NULL; p++)
		fprintf(f, "                             %-10s %s\n", p->name, p->summary);
	fprintf(f,
"  -l, --limit N            items per page (default 100)\n"
"  -w, --workers N          concurrent requests, 1..256 (default 10)\n"
"      --total-header NAME  response header holding the total item count\n"
"      --offset-param NAME  query parameter for the offset\n"
"      --limit-param NAME   query parameter for the page size\n"
"      --items-path PATH    dotted path to the items array in an object body\n"
"                           (e.g. results, data.items; default: the body is it)\n"
"      --total-path PATH    body field holding the total (e.g. count, meta.total)\n"
"      --no-total           the API gives no total: fetch ahead until an empty page\n"
"      --next-path PATH     cursor: body field with the next page's URL or token\n"
"      --cursor-param NAME  cursor: send the token from --next-path back as NAME=\n"
"      --sort-param NAME=VALUE  ask for a stable order (e.g. ordering=id); ''\n"
"                           drops the profile's own\n"
"      --key FIELD          drop items whose FIELD repeats across a page boundary\n"
"                           (data shifted during the export)\n"
"      --keep-mismatch      publish the file even when the count does not add\n"
"                           up (the exit status is 3 all the same)\n"
"\n"
"HTTP and credentials:\n"
"  -u, --user USER:SECRET   HTTP Basic credentials (SoftLayer: user name:API key);\n"
"                           also INVDUMP_USER and INVDUMP_PASSWORD\n"
"      --user-file FILE     read USER:SECRET from the first line of FILE\n"
"      --netrc              take credentials from ~/.netrc\n"
"      --netrc-file FILE    take credentials from FILE in netrc format\n"
"  -H, --header 'NAME: VALUE'  extra request header (repeatable); INVDUMP_TOKEN\n"
"                           sends 'Authorization: Bearer TOKEN'\n"
"      --header-file FILE   extra request headers, one per line\n"
"      --cacert FILE        trust the CA certificates in FILE (PEM)\n"
"      --capath DIR         trust the CA certificates in DIR\n"
"      --insecure           do not verify TLS certificates (never do this)\n"
"      --max-redirs N       redirects followed, 0..50 (default 5); only to\n"
"                           the URL's own origin\n"
"      --allow-origin URL   also follow next links and redirects to URL's\n"
"                           origin, with the credentials (repeatable)\n"
"\n"
"Retries, rate limits and timeouts:\n"
"      --retries N          retries of a failed page, 0..100 (default 5)\n"
"      --retry-max-time S   seconds a page may keep retrying (default 600)\n"
"      --rate N             at most N requests per second, all workers together\n"
"      --connect-timeout S  seconds allowed to connect (default 30)\n"
"      --speed-limit B      a transfer slower than B bytes/s ...\n"
"      --speed-time S       ... for S seconds is a stall, retried\n"
"                           (defaults 1000 and 30; 3 timeouts end a page)\n"
"      --max-time S         seconds the whole run may take (default: no limit)\n"
"      --max-body SIZE      largest response body (default 1G)\n"
"      --max-item SIZE      largest single item (default 64M)\n"
"      --max-depth N        deepest JSON nesting, 2..128 (default 64)\n"
"\n"
"Messages:\n"
"  -q, --quiet              no warnings, only errors\n"
"      --progress           a progress line on stderr (default: when stderr is\n"
"                           a terminal and neither -q nor -v is given)\n"
"      --no-progress        no progress line\n"
"  -v, --verbose            one line per request on stderr\n"
"  -V, --version            print version information and exit\n"
"  -h, --help               print this help and exit\n"
"\n"
"Exit status: 0 success, 1 network or HTTP failure, 2 usage error,\n"
"3 the items do not add up (nothing published), 4 authentication\n"
"or TLS failure, 5 rate-limited, 6 output error, 7 unusable response,\n"
"130/143 interrupted.  See invdump(1).\n");
}

static void
cli_version(void)
{
	printf("invdump %s\n%s yajl/%d.%d.%d zlib/%s\ngzip members: %s\n",
	    PACKAGE_VERSION, http_version(), YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO,
	    zlibVersion(), gzmember_engine());
}

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
cli_header_file(struct target *t, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if ((f = cli_open_secret("--header-file", path)) == NULL)
		return -1;
	while (rc == 0 && (n = cli_getline(f, &line, &cap)) >= 0) {
		if (n == 0 || line[0] == '#')
			continue;
		rc = cli_add_header(t, "--header-file", line);
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

enum cli_result
cli_parse(int argc, char **argv, struct options *o)
{
	struct target *t;
	enum compress_mode compress = compress_auto;
	const struct profile *row;
	const char *profile_name = "offset";
	const char *total_header = NULL, *offset_param = NULL, *limit_param = NULL;
	const char *items_path = NULL, *total_path = NULL, *next_path = NULL;
	const char *cursor_param = NULL, *sort_param = NULL;
	char *sort_name = NULL;
	long v;
	int c;

	memset(o, 0, sizeof *o);
	/* One target for now; a jobs file will make a list. */
	o->targets = t = xcalloc(1, sizeof *t);
	o->ntargets = 1;
	t->output = "-";
	o->level = 1;
	o->workers = 10;
	t->limit = 100;
	o->connect_timeout = 30;
	o->speed_limit = 1000;
	o->speed_time = 30;
	o->retries = 5;
	o->retry_max_time = 600;
	o->max_body = 1LL << 30;
	o->max_item = 64LL << 20;
	o->max_depth = 64;
	o->max_redirs = 5;
	o->progress = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:w:l:p:u:H:qvVh", long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			if (*optarg == '\0') {
				log_error("--output: empty path");
				return cli_exit_usage;
			}
			t->output = optarg;
			break;
		case opt_compress:
			if (strcmp(optarg, "gzip") == 0)
				compress = compress_gzip;
			else if (strcmp(optarg, "none") == 0)
				compress = compress_none;
			else {
				log_error("--compress: '%s' is not gzip or none", optarg);
				return cli_exit_usage;
			}
			break;
		case opt_level:
			if (cli_number("--level", optarg, 1, 9, &v) < 0)
				return cli_exit_usage;
			o->level = (int)v;
			break;
		case 'w':
			if (cli_number("--workers", optarg, 1, 256, &v) < 0)
				return cli_exit_usage;
			o->workers = (int)v;
			break;
		case 'l':
			if (cli_number("--limit", optarg, 1, 1000000, &v) < 0)
				return cli_exit_usage;
			t->limit = v;
			break;
		case 'p':
			profile_name = optarg;
			break;
		case opt_total_header:
			if (*optarg == '\0' || strpbrk(optarg, ": \t\r\n") != NULL) {
				log_error("--total-header: '%s' is not a header name",
				    optarg);
				return cli_exit_usage;
			}
			total_header = optarg;
			break;
		case opt_offset_param:
			if (cli_param_name("--offset-param", optarg) < 0)
				return cli_exit_usage;
			offset_param = optarg;
			break;
		case opt_limit_param:
			if (cli_param_name("--limit-param", optarg) < 0)
				return cli_exit_usage;
			limit_param = optarg;
			break;
		case opt_items_path:
			items_path = optarg;
			break;
		case 'u':
			if (strchr(optarg, ':') == NULL) {
				log_error("--user: expected USER:SECRET");
				return cli_exit_usage;
			}
			cli_set_secret(&t->userpwd, xstrdup(optarg));
			/* Shorten the window in which ps(1) shows the secret. */
			memset(strchr(optarg, ':') + 1, '*',
			    strlen(strchr(optarg, ':') + 1));
			break;
		case 'H':
			if (cli_add_header(t, "--header", optarg) < 0)
				return cli_exit_usage;
			break;
		case opt_connect_timeout:
			if (cli_number("--connect-timeout", optarg, 1, 3600, &v) < 0)
				return cli_exit_usage;
			o->connect_timeout = v;
			break;
		case opt_max_time:
			if (cli_number("--max-time", optarg, 1, 7 * 86400, &v) < 0)
				return cli_exit_usage;
			o->max_time = v;
			break;
		case opt_speed_limit:
			if (cli_number("--speed-limit", optarg, 1, 1L << 30, &v) < 0)
				return cli_exit_usage;
			o->speed_limit = v;
			break;
		case opt_speed_time:
			if (cli_number("--speed-time", optarg, 1, 86400, &v) < 0)
				return cli_exit_usage;
			o->speed_time = v;
			break;
		case opt_retries:
			if (cli_number("--retries", optarg, 0, 100, &v) < 0)
				return cli_exit_usage;
			o->retries = (int)v;
			break;
		case opt_retry_max_time:
			if (cli_number("--retry-max-time", optarg, 0, 86400, &v) < 0)
				return cli_exit_usage;
			o->retry_max_time = v;
			break;
		case opt_rate:
			if (cli_rate("--rate", optarg, &o->rate) < 0)
				return cli_exit_usage;
			break;
		case opt_max_body:
			if (cli_size("--max-body", optarg, &o->max_body) < 0)
				return cli_exit_usage;
			break;
		case opt_max_item:
			if (cli_size("--max-item", optarg, &o->max_item) < 0)
				return cli_exit_usage;
			break;
		case opt_max_depth:
			if (cli_number("--max-depth", optarg, 2, 128, &v) < 0)
				return cli_exit_usage;
			o->max_depth = (int)v;
			break;
		case opt_max_redirs:
			if (cli_number("--max-redirs", optarg, 0, 50, &v) < 0)
				return cli_exit_usage;
			o->max_redirs = v;
			break;
		case opt_cacert:
			o->cacert = optarg;
			break;
		case opt_capath:
			o->capath = optarg;
			break;
		case opt_insecure:
			o->insecure = 1;
			break;
		case opt_netrc:
			t->netrc = 1;
			break;
		case opt_netrc_file:
			t->netrc = 1;
			t->netrc_file = optarg;
			break;
		case opt_user_file: {
			char *line = cli_read_line("--user-file", optarg);

			if (line == NULL)
				return cli_exit_usage;
			if (strchr(line, ':') == NULL) {
				log_error("--user-file: %s: expected USER:SECRET on "
				    "its first line", optarg);
				free(line);
				return cli_exit_usage;
			}
			cli_set_secret(&t->userpwd, line);
			break;
		}
		case opt_header_file:
			if (cli_header_file(t, optarg) < 0)
				return cli_exit_usage;
			break;
		case opt_no_total:
			t->no_total = 1;
			break;
		case opt_keep_mismatch:
			t->keep_mismatch = 1;
			break;
		case opt_allow_origin: {
			char *origin = origin_of(optarg);
			struct curl_slist *tmp;

			if (origin == NULL) {
				log_error("--allow-origin: '%s' is not an http or "
				    "https URL (e.g. https://api2.example.com)",
				    optarg);
				return cli_exit_usage;
			}
			tmp = curl_slist_append(t->allow_origins, origin);
			free(origin);
			if (tmp == NULL) {
				log_error("--allow-origin: out of memory");
				return cli_exit_usage;
			}
			t->allow_origins = tmp;
			break;
		}
		case opt_total_path:
			total_path = optarg;
			break;
		case opt_next_path:
			next_path = optarg;
			break;
		case opt_cursor_param:
			if (cli_param_name("--cursor-param", optarg) < 0)
				return cli_exit_usage;
			cursor_param = optarg;
			break;
		case opt_sort_param:
			if (*optarg != '\0' && (strchr(optarg, '=') == NULL ||
			    cli_param_name("--sort-param", (sort_name = xstrndup(optarg,
			    strcspn(optarg, "=")))) < 0)) {
				if (sort_name == NULL)
					log_error("--sort-param: expected NAME=VALUE, "
					    "got '%s'", optarg);
				free(sort_name);
				return cli_exit_usage;
			}
			free(sort_name);
			sort_name = NULL;
			sort_param = optarg;
			break;
		case opt_key:
			if (*optarg == '\0') {
				log_error("--key: empty field name");
				return cli_exit_usage;
			}
			t->key = optarg;
			break;
		case opt_progress:
			o->progress = 1;
			break;
		case opt_no_progress:
			o->progress = 0;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			cli_version();
			return cli_exit_ok;
		case 'h':
			cli_usage(stdout);
			return cli_exit_ok;
		case ':':
			log_error("%s needs a value (see invdump --help)",
			    argv[optind - 1]);
			return cli_exit_usage;
		default:
			if (optopt != 0)
				log_error("unknown option -%c (see invdump --help)",
				    optopt);
			else
				log_error("unknown option %s (see invdump --help)",
				    argv[optind - 1]);
			return cli_exit_usage;
		}
	}
	if (optind >= argc) {
		log_error("no URL given (see invdump --help)");
		return cli_exit_usage;
	}
	if (optind + 1 < argc) {
		log_error("one URL only; unexpected '%s'", argv[optind + 1]);
		return cli_exit_usage;
	}
	t->url = argv[optind];

	if ((row = profile_find(profile_name)) == NULL) {
		log_error("--profile: no profile named '%s' (see invdump --help)",
		    profile_name);
		return cli_exit_usage;
	}
	t->profile = *row;
	if (total_header != NULL)
		t->profile.total_header = total_header;
	if (offset_param != NULL)
		t->profile.offset_param = offset_param;
	if (limit_param != NULL) {
		if (t->profile.style == profile_style_softlayer) {
			log_error("--limit-param: the softlayer profile sends "
			    "offset and limit together in resultLimit");
			return cli_exit_usage;
		}
		t->profile.limit_param = limit_param;
	}
	if (items_path != NULL)
		t->profile.items_path = items_path;
	if (total_path != NULL)
		t->profile.total_path = *total_path ? total_path : NULL;
	if (next_path != NULL)
		t->profile.next_path = next_path;
	if (cursor_param != NULL)
		t->profile.cursor_param = cursor_param;
	if (sort_param != NULL)
		t->profile.sort_param = sort_param;
	if ((next_path != NULL || cursor_param != NULL) &&
	    t->profile.style != profile_style_cursor) {
		log_error("%s: only for cursor profiles (cursor, infoblox, meraki)",
		    next_path != NULL ? "--next-path" : "--cursor-param");
		return cli_exit_usage;
	}
	if (t->profile.cursor_param != NULL && t->profile.next_path == NULL) {
		log_error("--cursor-param: name the token's field with --next-path");
		return cli_exit_usage;
	}
	if (t->no_total && t->profile.style == profile_style_cursor) {
		log_error("--no-total: the %s profile has no total anyway",
		    t->profile.name);
		return cli_exit_usage;
	}

	if (compress == compress_auto)
		t->gzip = ends_with(t->output, ".gz");
	else
		t->gzip = compress == compress_gzip;
	if (cli_env(t) < 0)
		return cli_exit_usage;
	if (o->insecure)
		log_error("WARNING: --insecure: TLS certificates are NOT verified; "
		    "anyone on the network path can read and change this export");
	if (o->quiet && o->verbose) {
		log_error("--quiet and --verbose do not go together");
		return cli_exit_usage;
	}
	return cli_run;
}

void
cli_free(struct options *o)
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
	}
	free(o->targets);
	memset(o, 0, sizeof *o);
}
