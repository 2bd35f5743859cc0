/*
 * fuzz_cli.c - libFuzzer target for the option parser (cli.h).
 *
 * Input: argv, its words separated by NUL bytes (64 words at most: more is
 * skipped).  argv[0], the program's name to cli_parse(), picks the
 * environment by its first byte: bits 0-1 {nothing, INVDUMP_USER=me:PW,
 * INVDUMP_USER=me and INVDUMP_PASSWORD=PW, INVDUMP_USER=me alone}, bit 2
 * INVDUMP_TOKEN=PW; FUZZ_USER=me and FUZZ_PW=PW are always there, for the
 * jobs files.  That environment is swapped in for the call, so that the
 * process's own does not count.
 *
 * Files: each call runs in a private directory made at start and removed
 * at exit, which holds jobs.ini (two targets, one over hosts.txt),
 * open.ini (writable by others: refused), user.txt, nocolon.txt,
 * headers.txt and empty.  An input with a word that starts with '/' or
 * holds "=/" or ".." is skipped: the files cli_parse() opens (--jobs,
 * --user-file, --header-file, a jobs file's hosts-file) are then in that
 * directory, and no FIFO or terminal is opened to block on.  A crash in
 * the parser happens in that directory: give -artifact_prefix=DIR/
 * (absolute) to keep the crash files.
 *
 * Output: --help and --version go to /dev/null (standard output is
 * pointed there at start); cli's messages too, standard error being
 * pointed there for the call (FUZZ_CLI_STDERR=1 keeps them).  Sanitizer
 * reports still reach the real standard error.  cli_parse() never exits:
 * --help and --version are cli_exit_ok, as main.c takes them.
 *
 * These must hold:
 *   - the result is cli_run, cli_exit_ok or cli_exit_usage, and the same
 *     when the same words are parsed again (getopt_long restarts);
 *   - cli_run: one target (with --jobs: one per target of the file), each
 *     with a URL, an output and a profile; every string the options hold
 *     can be read (ASan: none points into freed memory); the numbers are
 *     within the ranges of cli.h; not both --quiet and --verbose;
 *   - after cli_parse, no word of argv holds PW where the input had none
 *     (-u's secret is masked in argv), and no message does (they are not
 *     checked: they are not kept);
 *   - cli_free() releases everything (LeakSanitizer), whatever the result,
 *     and leaves *o empty.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_cli
 * Run:   tests/fuzz/fuzz_cli -dict=tests/fuzz/cli.dict corpus-cli/
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jobs.h"

#include "fuzz_check.h"

#define MAX_WORDS 64
#define PW "pw-of-the-fuzzer"

extern char **environ;
/* The sanitizers' reports' file descriptor, when a sanitizer is there. */
extern void __sanitizer_set_report_fd(void *) __attribute__((weak));

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/fuzz_cli.XXXXXX";
static int dirfd_, cwdfd, nullfd, errfd;
static int quiet = 1;

static const char *const files[][3] = {
	{ "jobs.ini", "[defaults]\nuser-env = FUZZ_USER\npassword-env = "
	    "FUZZ_PW\nlimit = 50\n\n[a]\nurl = https://a.example.com/items\n"
	    "output = a.ndjson.gz\nexpand = https://a.example.com/items/{id}\n"
	    "\n[b]\nhosts-file = hosts.txt\nurl = https://{host}/v1/things\n"
	    "output = {host}.ndjson\nprofile = drf\n", "600" },
	{ "open.ini", "[a]\nurl = https://a.example.com/\n", "666" },
	{ "hosts.txt", "h1.example.com\nh2.example.com:8443\n", "600" },
	{ "user.txt", "me:" PW "\n", "600" },
	{ "nocolon.txt", "me\n", "600" },
	{ "headers.txt", "X-A: 1\n# a comment\n\nAuthorization: Bearer " PW
	    "\n", "644" },
	{ "empty", "", "600" },
};
#define NFILES (sizeof files / sizeof files[0])

static void
put(const char *name, const char *text, const char *mode)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0 ||
	    chmod(name, (mode_t)strtol(mode, NULL, 8)) != 0) {
		perror(name);
		exit(1);
	}
}

static void
cleanup(void)
{
	size_t i;

	if (fchdir(dirfd_) == 0)
		for (i = 0; i < NFILES; i++)
			unlink(files[i][0]);
	if (fchdir(cwdfd) == 0)
		rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *keep = getenv("FUZZ_CLI_STDERR");
	size_t i;

	(void)argc, (void)argv;
	if ((cwdfd = open(".", O_RDONLY | O_DIRECTORY)) < 0 ||
	    mkdtemp(dir) == NULL || (dirfd_ = open(dir, O_RDONLY)) < 0 ||
	    fchdir(dirfd_) != 0) {
		perror(dir);
		exit(1);
	}
	for (i = 0; i < NFILES; i++)
		put(files[i][0], files[i][1], files[i][2]);
	if (fchdir(cwdfd) != 0 || (nullfd = open("/dev/null", O_WRONLY)) < 0 ||
	    (errfd = dup(STDERR_FILENO)) < 0 || dup2(nullfd, STDOUT_FILENO) < 0) {
		perror("fuzz_cli");
		exit(1);
	}
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(intptr_t)errfd);
	quiet = keep == NULL || strcmp(keep, "1") != 0;
	atexit(cleanup);
	return 0;
}

/* Splits the input into words (a copy of it, NUL-terminated); 0 when it
 * is to be skipped. */
static int
split(const uint8_t *data, size_t size, char *copy, char **argv, int *argc)
{
	char *p = copy, *end = copy + size;
	int n = 0;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (;;) {
		if (n == MAX_WORDS)
			return 0;
		argv[n++] = p;
		if (p[0] == '/' || strstr(p, "=/") != NULL ||
		    strstr(p, "..") != NULL)
			return 0;
		p += strlen(p);
		if (p >= end)
			break;
		p++;
	}
	argv[n] = NULL;
	*argc = n;
	return 1;
}

/* The environment picked by argv[0]'s first byte. */
static char **
environment(unsigned char pick)
{
	static char *env[8];
	int n = 0;

	env[n++] = "FUZZ_USER=me";
	env[n++] = "FUZZ_PW=" PW;
	switch (pick & 3) {
	case 1:
		env[n++] = "INVDUMP_USER=me:" PW;
		break;
	case 2:
		env[n++] = "INVDUMP_USER=me";
		env[n++] = "INVDUMP_PASSWORD=" PW;
		break;
	case 3:
		env[n++] = "INVDUMP_USER=me";
		break;
	}
	if (pick & 4)
		env[n++] = "INVDUMP_TOKEN=" PW;
	env[n] = NULL;
	return env;
}

static enum cli_result
parse(int argc, char **argv, struct options *o)
{
	enum cli_result r;
	char **saved = environ;

	environ = environment((unsigned char)argv[0][0]);
	CHECK(fchdir(dirfd_) == 0);
	if (quiet)
		CHECK(dup2(nullfd, STDERR_FILENO) >= 0);
	r = cli_parse(argc, argv, o);
	if (quiet)
		CHECK(dup2(errfd, STDERR_FILENO) >= 0);
	CHECK(fchdir(cwdfd) == 0);
	environ = saved;
	return r;
}

/* Reads a string the options hold: ASan speaks up if it is freed. */
static size_t
touch(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static void
check_target(const struct target *t)
{
	const struct curl_slist *l;
	int i;

	CHECK(t->url != NULL && t->output != NULL);
	CHECK(t->profile.name != NULL);
	CHECK(t->gzip == 0 || t->gzip == 1);
	CHECK(t->limit >= 1 && t->limit <= 1000000);
	CHECK(t->mode >= 0 && t->mode <= 0777);
	CHECK(t->shard_count == 0 ||
	    (t->shard_index >= 0 && t->shard_index < t->shard_count));
	CHECK(t->nexpand >= 0 && t->nexpand <= TARGET_MAX_EXPAND);
	CHECK(t->nexpand == 0 || (!t->resume && t->shard_count == 0));
	touch(t->name);
	touch(t->url);
	touch(t->output);
	touch(t->key);
	touch(t->manifest);
	touch(t->netrc_file);
	touch(t->cacert);
	touch(t->capath);
	touch(t->userpwd);
	touch(t->profile.offset_param);
	touch(t->profile.limit_param);
	touch(t->profile.items_path);
	touch(t->profile.total_path);
	touch(t->profile.total_header);
	touch(t->profile.next_path);
	touch(t->profile.cursor_param);
	touch(t->profile.sort_param);
	for (i = 0; i < t->nexpand; i++)
		CHECK(touch(t->expand[i]) > 0);
	for (l = t->headers; l != NULL; l = l->next)
		CHECK(strchr(l->data, ':') != NULL);
	for (l = t->allow_origins; l != NULL; l = l->next)
		touch(l->data);
}

static void
check_options(const struct options *o)
{
	int i;

	CHECK(o->targets != NULL && o->ntargets >= 1);
	CHECK(o->jobs != NULL ? (size_t)o->ntargets == o->jobs->ntargets :
	    o->ntargets == 1);
	CHECK(o->level >= 1 && o->level <= 9);
	CHECK(o->workers >= 1 && o->workers <= 256);
	CHECK(o->per_host >= 0 && o->per_host <= 256);
	CHECK(o->max_depth >= 2 && o->max_depth <= 128);
	CHECK(o->retries >= 0 && o->retries <= 100);
	CHECK(o->window_bytes > 0 && o->max_body > 0 && o->max_item > 0);
	CHECK(!(o->quiet && o->verbose));
	touch(o->jobs_path);
	touch(o->manifest);
	for (i = 0; i < o->ntargets; i++)
		check_target(&o->targets[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *again, *argv[MAX_WORDS + 1], *argv2[MAX_WORDS + 1];
	struct options o, o2;
	enum cli_result r, r2;
	int argc, argc2, i, pw_in_input;

	copy = malloc(size + 1);
	again = malloc(size + 1);
	if (!split(data, size, copy, argv, &argc) ||
	    !split(data, size, again, argv2, &argc2)) {
		free(copy);
		free(again);
		return 0;
	}
	pw_in_input = memmem(data, size, PW, strlen(PW)) != NULL;

	r = parse(argc, argv, &o);
	CHECK(r == cli_run || r == cli_exit_ok || r == cli_exit_usage);
	if (r == cli_run)
		check_options(&o);
	for (i = 0; i < argc && !pw_in_input; i++)
		CHECK(strstr(argv[i], PW) == NULL);

	/* Again, on a fresh copy, after a parse that may have stopped in
	 * the middle of a word ("-qx"). */
	r2 = parse(argc2, argv2, &o2);
	CHECK(r2 == r);
	CHECK(o2.ntargets == o.ntargets);
	cli_free(&o2);
	cli_free(&o);
	CHECK(o.targets == NULL && o.ntargets == 0 && o.jobs == NULL);
	cli_free(&o);
	free(copy);
	free(again);
	return 0;
}
