/*
 * inject.c - an LD_PRELOAD shim that makes chosen system calls fail, as
 * jq's src/inject_errors.c does, so that the tests can see what invdump
 * does when the disk fills up or a thread cannot be started.
 *
 * Environment (all optional; without INJECT_FAIL and INJECT_SLEEP the
 * shim only passes calls on):
 *
 *   INJECT_FAIL=CALL:ERRNO[:N][,...]
 *       CALL fails with ERRNO (a name such as ENOSPC, or a number) once N
 *       matching calls (default 0) have gone through, and every time after.
 *       CALL is one of write, fsync, fdatasync, close, rename, unlink,
 *       open, mkostemp, pthread_create.  A failing close still closes, as
 *       Linux's does; pthread_create returns the number instead of -1.
 *   INJECT_SLEEP=CALL:SECONDS[:N][,...]
 *       matching calls after the first N sleep first, then go through;
 *       "inject: CALL sleeps" is written to stderr as the sleep begins.
 *   INJECT_PATH=TEXT
 *       only paths containing TEXT match, and only descriptors that open,
 *       openat, creat or mkostemp (and relatives) returned for such a path.
 *       Without it, path calls all match, and descriptor calls match the
 *       regular files above 2: never sockets, pipes, eventfds or terminals,
 *       so libcurl is left alone however it does its I/O.
 *   INJECT_FD=N
 *       descriptor N matches too, whatever it is (1: standard output).
 *   INJECT_PROG=NAME
 *       the program to act in (default invdump): under valgrind the shim
 *       is loaded into valgrind's launcher as well, where it must not act.
 *
 * Every wrapper finds the real function with dlsym(RTLD_NEXT), so that
 * sanitizer interceptors (ASan's in libasan, TSan's in the executable
 * itself) and the shim chain up in either order.  Nothing here allocates.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum call {
	c_write, c_fsync, c_fdatasync, c_close, c_rename, c_unlink, c_open,
	c_mkostemp, c_pthread_create, ncalls
};
static const char *const call_names[ncalls] = {
	"write", "fsync", "fdatasync", "close", "rename", "unlink", "open",
	"mkostemp", "pthread_create"
};

struct rule {
	int err;                /* INJECT_FAIL: errno to fail with, 0: none */
	long after_fail;
	int sleep_sec;          /* INJECT_SLEEP */
	long after_sleep;
	atomic_long seen;       /* matching calls so far */
};

static struct rule rules[ncalls];
static char path_filter[4096];
static int fd_filter = -1;
static int active;
static atomic_int init_state;   /* 0 not yet, 1 under way, 2 done */

#define MAXFD 65536
static atomic_char tracked[MAXFD];

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EXDEV", EXDEV },
	{ "EAGAIN", EAGAIN }, { "EDQUOT", EDQUOT }, { "EROFS", EROFS },
	{ "EACCES", EACCES }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM },
	{ "EFBIG", EFBIG }, { "EPIPE", EPIPE }, { "EINTR", EINTR },
	{ "EMFILE", EMFILE }, { "ENOENT", ENOENT },
};

static int
parse_errno(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
		if (strlen(errnos[i].name) == n &&
		    strncmp(errnos[i].name, s, n) == 0)
			return errnos[i].value;
	return atoi(s);
}

/* "CALL:VALUE[:N],..." into rules[]; sleeping selects the other fields. */
static void
parse_rules(const char *spec, int sleeping)
{
	const char *p = spec, *colon, *end;
	size_t n;
	int c, value;
	long after;

	while (p != NULL && *p != '\0') {
		end = p + strcspn(p, ",");
		colon = memchr(p, ':', end - p);
		if (colon == NULL)
			break;
		n = colon - p;
		for (c = 0; c < ncalls; c++)
			if (strlen(call_names[c]) == n &&
			    strncmp(call_names[c], p, n) == 0)
				break;
		p = colon + 1;
		n = strcspn(p, ":,");
		value = sleeping ? atoi(p) : parse_errno(p, n);
		after = p[n] == ':' ? atol(p + n + 1) : 0;
		if (c < ncalls) {
			if (sleeping) {
				rules[c].sleep_sec = value;
				rules[c].after_sleep = after;
			} else {
				rules[c].err = value;
				rules[c].after_fail = after;
			}
		}
		p = *end == ',' ? end + 1 : NULL;
	}
}

static void
inject_init(void)
{
	const char *v, *prog;
	int s = 0;

	if (atomic_load(&init_state) == 2)
		return;
	if (!atomic_compare_exchange_strong(&init_state, &s, 1)) {
		while (atomic_load(&init_state) != 2)
			;
		return;
	}
	prog = getenv("INJECT_PROG");
	active = strcmp(program_invocation_short_name,
	    prog != NULL ? prog : "invdump") == 0;
	if (active) {
		parse_rules(getenv("INJECT_FAIL"), 0);
		parse_rules(getenv("INJECT_SLEEP"), 1);
		if ((v = getenv("INJECT_PATH")) != NULL)
			snprintf(path_filter, sizeof path_filter, "%s", v);
		if ((v = getenv("INJECT_FD")) != NULL)
			fd_filter = atoi(v);
	}
	atomic_store(&init_state, 2);
}

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		fprintf(stderr, "inject: no next %s\n", name);
		abort();
	}
	return f;
}
#define REAL(name) \
	static __typeof__(&name) real_##name; \
	if (real_##name == NULL) \
		real_##name = (__typeof__(&name))real(#name)

static int
path_matches(const char *path)
{
	return path_filter[0] == '\0' ||
	    (path != NULL && strstr(path, path_filter) != NULL);
}

static int
fd_matches(int fd)
{
	struct stat st;

	if (fd < 0)
		return 0;
	if (fd == fd_filter)
		return 1;
	if (path_filter[0] != '\0')
		return fd < MAXFD && atomic_load(&tracked[fd]);
	return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static void
track(int fd, const char *path)
{
	if (fd >= 0 && fd < MAXFD)
		atomic_store(&tracked[fd], path_filter[0] != '\0' &&
		    path_matches(path));
}

static void
say(const char *what, const char *call)
{
	char line[128];
	int n;
	REAL(write);

	n = snprintf(line, sizeof line, "inject: %s %s\n", call, what);
	if (n > 0 && real_write(2, line, n) < 0)
		return;
}

/*
 * Called by every wrapper whose call matches the filters: sleeps if told
 * to, and returns the errno the call is to fail with, or 0.
 */
static int
injected(enum call c)
{
	struct rule *r = &rules[c];
	struct timespec ts;
	long n;

	if (!active || (r->err == 0 && r->sleep_sec == 0))
		return 0;
	n = atomic_fetch_add(&r->seen, 1);
	if (r->sleep_sec > 0 && n >= r->after_sleep) {
		say("sleeps", call_names[c]);
		ts.tv_sec = r->sleep_sec;
		ts.tv_nsec = 0;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return r->err != 0 && n >= r->after_fail ? r->err : 0;
}

/* ------------------------------------------------------------ wrappers */

ssize_t
write(int fd, const void *buf, size_t n)
{
	int e;
	REAL(write);

	inject_init();
	if (active && fd_matches(fd) && (e = injected(c_write)) != 0) {
		errno = e;
		return -1;
	}
	return real_write(fd, buf, n);
}

int
fsync(int fd)
{
	int e;
	REAL(fsync);

	inject_init();
	if (active && fd_matches(fd) && (e = injected(c_fsync)) != 0) {
		errno = e;
		return -1;
	}
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	int e;
	REAL(fdatasync);

	inject_init();
	if (active && fd_matches(fd) && (e = injected(c_fdatasync)) != 0) {
		errno = e;
		return -1;
	}
	return real_fdatasync(fd);
}

int
close(int fd)
{
	int e = 0, rc;
	REAL(close);

	inject_init();
	if (active && fd_matches(fd))
		e = injected(c_close);
	if (fd >= 0 && fd < MAXFD)
		atomic_store(&tracked[fd], 0);
	rc = real_close(fd);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return rc;
}

int
rename(const char *from, const char *to)
{
	int e;
	REAL(rename);

	inject_init();
	if (active && (path_matches(from) || path_matches(to)) &&
	    (e = injected(c_rename)) != 0) {
		errno = e;
		return -1;
	}
	return real_rename(from, to);
}

int
unlink(const char *path)
{
	int e;
	REAL(unlink);

	inject_init();
	if (active && path_matches(path) && (e = injected(c_unlink)) != 0) {
		errno = e;
		return -1;
	}
	return real_unlink(path);
}

/*
 * ThreadSanitizer starts a thread of its own before the program's first;
 * its interceptor (named pthread_create, in the executable) calls here for
 * the program's threads, its runtime directly for its own.  Those are not
 * counted, so that "the Nth thread" means the same in every build.
 */
static int
sanitizer_thread(void *caller)
{
	static int tsan = -1;
	Dl_info di;

	if (tsan < 0)
		tsan = dlsym(RTLD_DEFAULT, "__tsan_init") != NULL;
	return tsan && !(dladdr(caller, &di) != 0 && di.dli_sname != NULL &&
	    strstr(di.dli_sname, "pthread_create") != NULL);
}

int
pthread_create(pthread_t *t, const pthread_attr_t *attr,
    void *(*fn)(void *), void *arg)
{
	int e;
	REAL(pthread_create);

	inject_init();
	if (active && !sanitizer_thread(__builtin_return_address(0)) &&
	    (e = injected(c_pthread_create)) != 0)
		return e;
	return real_pthread_create(t, attr, fn, arg);
}

/*
 * The calls that make descriptors: each tracks the descriptor it returns
 * for a matching path, and can fail as "open" (or "mkostemp").
 */
#define OPEN_LIKE(name, args, call_args, path, call) \
	int name args; \
	int name args \
	{ \
		int e, fd; \
		REAL(name); \
		inject_init(); \
		if (active && path_matches(path) && \
		    (e = injected(call)) != 0) { \
			errno = e; \
			return -1; \
		} \
		fd = real_##name call_args; \
		if (active) \
			track(fd, path); \
		return fd; \
	}

/* open(2) and openat(2) take a mode only with O_CREAT or O_TMPFILE. */
static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	    (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_VARIADIC(name) \
	int name(const char *path, int flags, ...) \
	{ \
		int e, fd; \
		va_list ap; \
		mode_t mode; \
		REAL(name); \
		va_start(ap, flags); \
		mode = mode_arg(flags, ap); \
		va_end(ap); \
		inject_init(); \
		if (active && path_matches(path) && \
		    (e = injected(c_open)) != 0) { \
			errno = e; \
			return -1; \
		} \
		fd = real_##name(path, flags, mode); \
		if (active) \
			track(fd, path); \
		return fd; \
	}

#define OPENAT_VARIADIC(name) \
	int name(int dirfd, const char *path, int flags, ...) \
	{ \
		int e, fd; \
		va_list ap; \
		mode_t mode; \
		REAL(name); \
		va_start(ap, flags); \
		mode = mode_arg(flags, ap); \
		va_end(ap); \
		inject_init(); \
		if (active && path_matches(path) && \
		    (e = injected(c_open)) != 0) { \
			errno = e; \
			return -1; \
		} \
		fd = real_##name(dirfd, path, flags, mode); \
		if (active) \
			track(fd, path); \
		return fd; \
	}

OPEN_VARIADIC(open)
OPEN_VARIADIC(open64)
OPENAT_VARIADIC(openat)
OPENAT_VARIADIC(openat64)
/* What _FORTIFY_SOURCE builds call instead of open(). */
OPEN_LIKE(__open_2, (const char *path, int flags), (path, flags), path, c_open)
OPEN_LIKE(__open64_2, (const char *path, int flags), (path, flags), path,
    c_open)
OPEN_LIKE(creat, (const char *path, mode_t mode), (path, mode), path, c_open)
OPEN_LIKE(creat64, (const char *path, mode_t mode), (path, mode), path, c_open)
OPEN_LIKE(mkstemp, (char *tmpl), (tmpl), tmpl, c_mkostemp)
OPEN_LIKE(mkstemp64, (char *tmpl), (tmpl), tmpl, c_mkostemp)
OPEN_LIKE(mkostemp, (char *tmpl, int flags), (tmpl, flags), tmpl, c_mkostemp)
OPEN_LIKE(mkostemp64, (char *tmpl, int flags), (tmpl, flags), tmpl,
    c_mkostemp)
OPEN_LIKE(mkstemps, (char *tmpl, int len), (tmpl, len), tmpl, c_mkostemp)
OPEN_LIKE(mkostemps, (char *tmpl, int len, int flags), (tmpl, len, flags),
    tmpl, c_mkostemp)

/* A descriptor replaced by dup2/dup3 is no longer the file it was. */
int
dup2(int fd, int to)
{
	REAL(dup2);

	if (to >= 0 && to < MAXFD)
		atomic_store(&tracked[to], 0);
	return real_dup2(fd, to);
}

int
dup3(int fd, int to, int flags)
{
	REAL(dup3);

	if (to >= 0 && to < MAXFD)
		atomic_store(&tracked[to], 0);
	return real_dup3(fd, to, flags);
}
