/*
 * sink_stdout.c - standard output, or a device or FIFO written in place
 * (see sink.h and writer.h).
 *
 * A device or a FIFO (/dev/null, a named pipe, /dev/stdout when it leads
 * to one) is written in place, as standard output is: a rename would
 * replace the node itself, which root may do even in /dev.  Nothing
 * written here can be taken back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sink.h"
#include "tempfile.h"
#include "xalloc.h"

struct sink_stdout {
	struct sink sink;
	int fd;
	int is_stdout;
	int done;
	char *name;             /* for messages */
};

static enum writer_status
stdout_begin(struct sink *s, const char *name)
{
	log_error("%s cannot be split into files (%s)",
	    ((struct sink_stdout *)s)->name, name);
	return writer_error;
}

static enum writer_status
stdout_write(struct sink *s, const void *data, size_t n)
{
	struct sink_stdout *so = (struct sink_stdout *)s;

	if (tempfile_write(so->fd, data, n) == 0)
		return writer_ok;
	if (errno == EPIPE)
		return writer_closed;
	log_errno("%s: write failed", so->name);
	return writer_error;
}

static enum writer_status
stdout_page_end(struct sink *s, int cut)
{
	(void)s;
	(void)cut;
	return writer_ok;
}

/*
 * What can still fail is the sync (on a file) and the close, which is
 * where NFS and friends report delayed write errors.  Descriptor 1 is then
 * pointed at /dev/null, so that no later open() can land on it and catch
 * stray output.
 */
static enum writer_status
stdout_publish(struct sink *s)
{
	struct sink_stdout *so = (struct sink_stdout *)s;
	enum writer_status st = writer_ok;
	int fd;

	so->done = 1;
	so->sink.placed = 1;     /* whatever the close says, the bytes went out */
	/* fsync on a pipe or tty fails with EINVAL: nothing to sync. */
	if (fsync(so->fd) < 0 && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP) {
		log_errno("%s: fsync failed", so->name);
		st = writer_error;
	}
	if (close(so->fd) < 0 && errno != EINTR && st == writer_ok) {
		log_errno("%s: close failed", so->name);
		st = writer_error;
	}
	if (so->is_stdout && (fd = open("/dev/null", O_WRONLY)) >= 0 &&
	    fd != so->fd) {
		dup2(fd, so->fd);
		close(fd);
	}
	return st;
}

static void
stdout_abandon(struct sink *s, int keep)
{
	struct sink_stdout *so = (struct sink_stdout *)s;

	(void)keep;
	if (!so->is_stdout && !so->done)
		close(so->fd);
	free(so->name);
	free(so);
}

static int
stdout_sync(struct sink *s)
{
	(void)s;
	return 0;
}

static const char *
stdout_temp_path(const struct sink *s)
{
	(void)s;
	return NULL;
}

static const struct sink_ops stdout_ops = {
	stdout_begin, stdout_write, stdout_page_end, stdout_publish,
	stdout_abandon, stdout_sync, stdout_temp_path, NULL
};

struct sink *
sink_stdout_open(const char *path)
{
	struct sink_stdout *so = xcalloc(1, sizeof *so);

	so->sink.ops = &stdout_ops;
	so->is_stdout = strcmp(path, "-") == 0;
	so->name = xstrdup(so->is_stdout ? "standard output" : path);
	if (so->is_stdout)
		so->fd = STDOUT_FILENO;
	else if ((so->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		log_errno("%s: cannot open it for writing", path);
		free(so->name);
		free(so);
		return NULL;
	}
	return &so->sink;
}
