/*
 * fuzz_jobs.c - libFuzzer target for the jobs file parser (jobs.h).
 *
 * Input: the whole of a jobs file, parsed by jobs_parse_text() as
 * "jobs.ini" with mode 0600 (0644 when the input's length is odd, for the
 * warning about files of secrets).  The text is handed over as it is,
 * without a terminating NUL, so that nothing may read past its end.
 *
 * Determinism: the environment the parser sees (user-env, password-env,
 * token-env) is a fixed one, swapped in for the call: FUZZ_USER=fuzz,
 * FUZZ_PAIR=fuzz:PW, FUZZ_PW=PW, FUZZ_TOKEN=PW, FUZZ_EMPTY= (PW a
 * marker, below).  Files: each call runs in a private directory made at
 * start and removed at exit, which holds hosts.txt (three hosts) and
 * bad-hosts (one bad name); an input with a hosts-file line that holds a
 * '/' is skipped, so that nothing outside that directory is opened (a
 * FIFO would block).  A crash in the parser happens in that directory:
 * give -artifact_prefix=DIR/ (absolute) to keep the crash files.
 *
 * These must hold:
 *   - a success has targets, each with a name and a non-empty url; a
 *     target of a hosts section is named SECTION@HOST; jobs_next() walks
 *     them all; only user and header pairs are secret;
 *   - a failure leaves *out empty, with one line of error that starts
 *     "jobs.ini:" (or "hosts.txt:"/"bad-hosts:" for a hosts-file's line);
 *   - the secret of the environment (PW) shows in no error, no warning and
 *     no pair that is not marked secret, unless the file itself holds it;
 *   - jobs_free() leaves *out empty, and twice is harmless (no leak:
 *     LeakSanitizer).
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_jobs
 * Run:   tests/fuzz/fuzz_jobs -dict=tests/fuzz/jobs.dict corpus-jobs/
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobs.h"

#include "fuzz_check.h"

/* Of no character a host name may hold: {host} cannot make it up. */
#define PW "!%~!*~!%*^"

extern char **environ;

static char *fuzz_env[] = {
	"FUZZ_USER=fuzz",
	"FUZZ_PAIR=fuzz:" PW,
	"FUZZ_PW=" PW,
	"FUZZ_TOKEN=" PW,
	"FUZZ_EMPTY=",
	NULL
};

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0 ||
	    chmod(name, 0600) != 0) {
		perror(name);
		exit(1);
	}
}

static char dir[] = "/tmp/fuzz_jobs.XXXXXX";
static int dirfd_, cwdfd;

static void
cleanup(void)
{
	if (fchdir(dirfd_) == 0) {
		unlink("hosts.txt");
		unlink("bad-hosts");
	}
	if (fchdir(cwdfd) == 0)
		rmdir(dir);
}

/* The private directory, made once; the calls run in it, while libFuzzer
 * (its crash files) stays where it was started. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if ((cwdfd = open(".", O_RDONLY | O_DIRECTORY)) < 0 ||
	    mkdtemp(dir) == NULL || (dirfd_ = open(dir, O_RDONLY)) < 0 ||
	    fchdir(dirfd_) != 0) {
		perror(dir);
		exit(1);
	}
	put("hosts.txt", "a.example.com\n# a comment\nb.example.com:8443\n"
	    "\n[::1]:8080\n");
	put("bad-hosts", "good.example.com\nnot a host\n");
	if (fchdir(cwdfd) != 0) {
		perror(".");
		exit(1);
	}
	atexit(cleanup);
	return 0;
}

/* Whether a line of the input names a hosts-file with a '/' in it. */
static int
names_a_path(const char *s, size_t n)
{
	const char *e = s + n, *eol, *k, *slash;

	for (; s < e; s = eol + 1) {
		if ((eol = memchr(s, '\n', (size_t)(e - s))) == NULL)
			eol = e;
		k = memmem(s, (size_t)(eol - s), "hosts-file", 10);
		slash = memchr(s, '/', (size_t)(eol - s));
		if (k != NULL && slash != NULL)
			return 1;
		if (eol == e)
			break;
	}
	return 0;
}

static int
has(const char *s, const char *what)
{
	return s != NULL && strstr(s, what) != NULL;
}

static void
check_target(const struct jobs_target *t, int pw_in_text)
{
	const char *url = jobs_get(t, "url"), *at;
	size_t i;

	CHECK(t->name != NULL && t->name[0] != '\0');
	CHECK(url != NULL && url[0] != '\0');
	CHECK(jobs_has(t, "url"));
	if (t->host != NULL) {
		at = strrchr(t->name, '@');
		CHECK(at != NULL && strcmp(at + 1, t->host) == 0);
		CHECK(strstr(url, "{host}") == NULL);
	}
	for (i = 0; i < t->npairs; i++) {
		CHECK(t->pairs[i].key != NULL && t->pairs[i].line > 0);
		CHECK(jobs_key_known(t->pairs[i].key) ||
		    strcmp(t->pairs[i].key, "url") == 0);
		if (t->pairs[i].secret)
			CHECK(strcmp(t->pairs[i].key, "user") == 0 ||
			    strcmp(t->pairs[i].key, "header") == 0);
		else if (!pw_in_text)
			CHECK(!has(t->pairs[i].value, PW));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jobs_file jf;
	const struct jobs_target *t;
	char err[512], **saved;
	char *text;
	size_t i, n;
	int rc, pw_in_text;

	if (names_a_path((const char *)data, size))
		return 0;
	/* A copy of exactly size bytes: ASan sees a read past the end. */
	text = malloc(size ? size : 1);
	memcpy(text, data, size);
	pw_in_text = memmem(data, size, PW, strlen(PW)) != NULL;
	memset(err, 0x55, sizeof err);

	saved = environ;
	environ = fuzz_env;
	CHECK(fchdir(dirfd_) == 0);
	rc = jobs_parse_text("jobs.ini", text, size, size & 1 ? 0644 : 0600,
	    &jf, err, sizeof err);
	CHECK(fchdir(cwdfd) == 0);
	environ = saved;
	free(text);

	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(jf.ntargets > 0 && jf.targets != NULL);
		CHECK(jf.path != NULL && strcmp(jf.path, "jobs.ini") == 0);
		for (n = 0, t = jobs_next(&jf, NULL); t != NULL;
		    t = jobs_next(&jf, t), n++) {
			CHECK(t == &jf.targets[n]);
			check_target(t, pw_in_text);
		}
		CHECK(n == jf.ntargets);
		for (i = 0; i < jf.nwarnings; i++) {
			CHECK(jf.warnings[i] != NULL);
			CHECK(strchr(jf.warnings[i], '\n') == NULL);
			CHECK(pw_in_text || !has(jf.warnings[i], PW));
		}
	} else {
		CHECK(memchr(err, '\0', sizeof err) != NULL);
		CHECK(strchr(err, '\n') == NULL);
		CHECK(strncmp(err, "jobs.ini:", 9) == 0 ||
		    strncmp(err, "hosts.txt:", 10) == 0 ||
		    strncmp(err, "bad-hosts:", 10) == 0);
		CHECK(pw_in_text || !has(err, PW));
		CHECK(jf.ntargets == 0 && jf.targets == NULL &&
		    jf.nwarnings == 0 && jf.warnings == NULL &&
		    jf.path == NULL);
	}
	jobs_free(&jf);
	CHECK(jf.ntargets == 0 && jf.targets == NULL && jf.path == NULL);
	jobs_free(&jf);
	return 0;
}
