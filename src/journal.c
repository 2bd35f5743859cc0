/*
 * journal.c - the resume journal (see journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "xalloc.h"

struct journal {
	int fd;
	char *path;
	struct buf line;
};

char *
journal_path(const char *dest)
{
	char *d = xstrdup(dest), *b = xstrdup(dest), *p;

	p = xasprintf("%s/.%s.invdump-journal", dirname(d), basename(b));
	free(d);
	free(b);
	return p;
}

static int
journal_write(struct journal *j, const char *data, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(j->fd, data, n)) < 0) {
			if (errno == EINTR)
				continue;
			log_errno("%s: cannot write the journal", j->path);
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

static struct journal *
journal_open(const char *path, int flags)
{
	struct journal *j = xcalloc(1, sizeof *j);

	if ((j->fd = open(path, flags | O_WRONLY | O_CLOEXEC, 0600)) < 0) {
		log_errno("%s: cannot open the journal", path);
		free(j);
		return NULL;
	}
	j->path = xstrdup(path);
	buf_init(&j->line, 0);
	return j;
}

struct journal *
journal_create(const char *path, uint64_t id, const char *url,
    const char *tmp, long long total, long page_size)
{
	struct journal *j = journal_open(path, O_CREAT | O_TRUNC);
	char *head;
	int rc;

	if (j == NULL)
		return NULL;
	head = xasprintf("invdump-journal 1\nid %016" PRIx64 "\nurl %s\ntmp %s\n"
	    "total %lld\npage-size %ld\n", id, url, tmp, total, page_size);
	rc = journal_write(j, head, strlen(head));
	free(head);
	if (rc < 0 || fdatasync(j->fd) < 0) {
		if (rc == 0)
			log_errno("%s: cannot sync the journal", path);
		journal_close(j, 1);
		return NULL;
	}
	return j;
}

struct journal *
journal_append(const char *path)
{
	return journal_open(path, O_APPEND);
}

static void
add_hashes(struct buf *b, const char *tag, const struct buf *h)
{
	const unsigned char *p = (const unsigned char *)h->data;
	size_t i;
	uint64_t v;
	char hex[20];

	buf_adds(b, tag);
	for (i = 0; i + sizeof v <= h->len; i += sizeof v) {
		memcpy(&v, p + i, sizeof v);
		snprintf(hex, sizeof hex, " %" PRIx64, v);
		buf_adds(b, hex);
	}
	buf_addc(b, '\n');
}

int
journal_checkpoint(struct journal *j, long long seq, long long items,
    unsigned long long bytes, const char *next, const struct buf *keys,
    const struct buf *lines)
{
	char at[96];

	buf_reset(&j->line);
	/* The hashes first: a checkpoint counts only once its "at" line is
	 * whole, so what precedes it must be complete by then. */
	if (keys != NULL)
		add_hashes(&j->line, "keys", keys);
	if (lines != NULL)
		add_hashes(&j->line, "lines", lines);
	snprintf(at, sizeof at, "at %lld %lld %llu", seq, items, bytes);
	buf_adds(&j->line, at);
	if (next != NULL && strpbrk(next, "\r\n ") == NULL) {
		buf_addc(&j->line, ' ');
		buf_adds(&j->line, next);
	}
	buf_addc(&j->line, '\n');
	if (journal_write(j, j->line.data, j->line.len) < 0)
		return -1;
	if (fdatasync(j->fd) < 0) {
		log_errno("%s: cannot sync the journal", j->path);
		return -1;
	}
	return 0;
}

void
journal_close(struct journal *j, int remove)
{
	if (j == NULL)
		return;
	close(j->fd);
	if (remove)
		unlink(j->path);
	buf_free(&j->line);
	free(j->path);
	free(j);
}

/* Parses " hex hex ..." into b. */
static int
parse_hashes(const char *s, struct buf *b)
{
	char *end;
	uint64_t v;

	buf_reset(b);
	while (*s == ' ') {
		errno = 0;
		v = strtoull(s + 1, &end, 16);
		if (end == s + 1 || errno != 0)
			return -1;
		buf_add(b, &v, sizeof v);
		s = end;
	}
	return *s == '\0' ? 0 : -1;
}

/* One complete line of the journal into st; -1 if it is not a line of
 * ours. */
static int
journal_line(struct journal_state *st, const char *l, struct buf *keys,
    struct buf *lines)
{
	char next[4096];
	int n;

	if (strncmp(l, "id ", 3) == 0)
		return sscanf(l + 3, "%" SCNx64, &st->id) == 1 ? 0 : -1;
	if (strncmp(l, "url ", 4) == 0) {
		free(st->url);
		st->url = xstrdup(l + 4);
		return 0;
	}
	if (strncmp(l, "tmp ", 4) == 0) {
		free(st->tmp);
		st->tmp = xstrdup(l + 4);
		return 0;
	}
	if (strncmp(l, "total ", 6) == 0)
		return sscanf(l + 6, "%lld", &st->total) == 1 ? 0 : -1;
	if (strncmp(l, "page-size ", 10) == 0)
		return sscanf(l + 10, "%ld", &st->page_size) == 1 ? 0 : -1;
	if (strncmp(l, "keys", 4) == 0)
		return parse_hashes(l + 4, keys);
	if (strncmp(l, "lines", 5) == 0)
		return parse_hashes(l + 5, lines);
	if (strncmp(l, "at ", 3) != 0)
		return -1;
	next[0] = '\0';
	n = sscanf(l + 3, "%lld %lld %llu %4095s", &st->seq, &st->items,
	    &st->bytes, next);
	if (n < 3)
		return -1;
	st->has_at = 1;
	free(st->next);
	st->next = n == 4 ? xstrdup(next) : NULL;
	/* The hashes written with this checkpoint are its own. */
	buf_reset(&st->keys);
	buf_add(&st->keys, keys->data, keys->len);
	buf_reset(&st->lines);
	buf_add(&st->lines, lines->data, lines->len);
	buf_reset(keys);
	buf_reset(lines);
	return 0;
}

int
journal_read(const char *path, struct journal_state *st, char *err,
    size_t errsz)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct buf keys, lines;
	int rc = 1, first = 1;

	memset(st, 0, sizeof *st);
	st->total = -1;
	buf_init(&st->keys, 0);
	buf_init(&st->lines, 0);
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&keys, 0);
	buf_init(&lines, 0);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break;          /* torn by a crash: the end */
		line[n - 1] = '\0';
		if (first) {
			first = 0;
			if (strcmp(line, "invdump-journal 1") != 0)
				break;
			continue;
		}
		if (journal_line(st, line, &keys, &lines) < 0)
			break;
	}
	if (first || st->tmp == NULL || st->page_size <= 0) {
		snprintf(err, errsz, "%s: not an invdump journal (or cut short "
		    "before its header was whole)", path);
		rc = -1;
	}
	free(line);
	buf_free(&keys);
	buf_free(&lines);
	fclose(f);
	return rc;
}

void
journal_state_free(struct journal_state *st)
{
	free(st->url);
	free(st->tmp);
	free(st->next);
	buf_free(&st->keys);
	buf_free(&st->lines);
	memset(st, 0, sizeof *st);
}
