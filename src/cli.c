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

#include <yajl/yajl_version.h>
#include <zlib.h>

#include "cli.h"
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
	opt_connect_timeout
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
"      --level N            gzip level 1..9 (default 6)\n"
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
"\n"
"HTTP:\n"
"  -u, --user USER:SECRET   HTTP Basic credentials (SoftLayer: user name:API key)\n"
"  -H, --header 'NAME: VALUE'  extra request header (repeatable)\n"
"      --connect-timeout S  seconds allowed to connect (default 30)\n"
"\n"
"Messages:\n"
"  -q, --quiet              no warnings, only errors\n"
"  -v, --verbose            one line per request on stderr (twice: more)\n"
"  -V, --version            print version information and exit\n"
"  -h, --help               print this help and exit\n"
"\n"
"Exit status: 0 success, 1 network or HTTP failure, 2 usage error,\n"
"3 published but the item count does not match the total, 4 authentication\n"
"or TLS failure, 5 rate-limited, 6 output error, 7 unusable response,\n"
"130/143 interrupted.  See invdump(1).\n");
}

static void
cli_version(void)
{
	printf("invdump %s\n%s yajl/%d.%d.%d zlib/%s\n", PACKAGE_VERSION,
	    http_version(), YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO, zlibVersion());
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

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum cli_result
cli_parse(int argc, char **argv, struct options *o)
{
	enum compress_mode compress = compress_auto;
	const struct profile *row;
	const char *profile_name = "offset";
	const char *total_header = NULL, *offset_param = NULL, *limit_param = NULL;
	const char *items_path = NULL;
	struct curl_slist *tmp;
	long v;
	int c;

	memset(o, 0, sizeof *o);
	o->output = "-";
	o->level = 6;
	o->workers = 10;
	o->limit = 100;
	o->connect_timeout = 30;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:w:l:p:u:H:qvVh", long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			if (*optarg == '\0') {
				log_error("--output: empty path");
				return cli_exit_usage;
			}
			o->output = optarg;
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
			o->limit = v;
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
			free(o->userpwd);
			o->userpwd = xstrdup(optarg);
			/* Shorten the window in which ps(1) shows the secret. */
			memset(strchr(optarg, ':') + 1, '*',
			    strlen(strchr(optarg, ':') + 1));
			break;
		case 'H':
			if (cli_header_name("--header", optarg) < 0)
				return cli_exit_usage;
			if ((tmp = curl_slist_append(o->headers, optarg)) == NULL) {
				log_error("out of memory");
				return cli_exit_usage;
			}
			o->headers = tmp;
			break;
		case opt_connect_timeout:
			if (cli_number("--connect-timeout", optarg, 1, 3600, &v) < 0)
				return cli_exit_usage;
			o->connect_timeout = v;
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
	o->url = argv[optind];

	if ((row = profile_find(profile_name)) == NULL) {
		log_error("--profile: no profile named '%s' (see invdump --help)",
		    profile_name);
		return cli_exit_usage;
	}
	o->profile = *row;
	if (total_header != NULL)
		o->profile.total_header = total_header;
	if (offset_param != NULL)
		o->profile.offset_param = offset_param;
	if (limit_param != NULL) {
		if (o->profile.style == profile_style_softlayer) {
			log_error("--limit-param: the softlayer profile sends "
			    "offset and limit together in resultLimit");
			return cli_exit_usage;
		}
		o->profile.limit_param = limit_param;
	}
	if (items_path != NULL)
		o->profile.items_path = items_path;

	if (compress == compress_auto)
		o->gzip = ends_with(o->output, ".gz");
	else
		o->gzip = compress == compress_gzip;
	if (o->quiet && o->verbose) {
		log_error("--quiet and --verbose do not go together");
		return cli_exit_usage;
	}
	return cli_run;
}

void
cli_free(struct options *o)
{
	if (o->userpwd != NULL) {
		/* Do not leave the secret lying in freed memory. */
		memset(o->userpwd, 0, strlen(o->userpwd));
		free(o->userpwd);
	}
	curl_slist_free_all(o->headers);
	memset(o, 0, sizeof *o);
}
