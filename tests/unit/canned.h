/*
 * canned.h - a loopback HTTP server for unit tests: one thread that answers
 * each connection with the next reply of a script, so that the modules
 * that read responses (verdict, fetch, cursor, expand) are tested against
 * real libcurl transfers without the test server (mockapi) or a network.
 *
 * Every reply closes its connection (Connection: close), so one request is
 * one connection and the script's order is the requests' order; or, for
 * clients that ask at once, each reply is a path's (canned_start_paths).  A
 * request past the end of the script gets a 500 whose body says so, which
 * makes a test that asks more than it expected fail visibly.  The request
 * lines ("GET /path HTTP/1.1") are kept for the test to compare.
 */
#ifndef INVDUMP_CANNED_H
#define INVDUMP_CANNED_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CANNED_MAX_REQ  32

enum canned_how {
	canned_reply,           /* the head, Content-Length, the body */
	canned_cut,             /* the head with a Content-Length larger than
	                           the body sent, then close: a cut body */
	canned_reset,           /* read what came, then reset (RST) */
	canned_hang             /* answer nothing until the client goes away
	                           (3 s at most) */
};

struct canned_reply {
	const char *head;       /* "200 OK\r\nX-A: b" (no final CRLF) */
	const char *body;
	enum canned_how how;
};

struct canned {
	int fd;
	int port;
	pthread_t tid;
	const struct canned_reply *replies;
	const char *const *paths;               /* or NULL: by order */
	int n;
	atomic_int stop;
	pthread_mutex_t lock;
	int nreq;                               /* lock */
	char req[CANNED_MAX_REQ][256];          /* lock: request lines */
};

/* Reads the request's head (up to 8 KiB, 2 s at most) into buf. */
static size_t
canned_read_head(int fd, char *buf, size_t n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got + 1 < n && poll(&p, 1, 2000) == 1) {
		if ((r = read(fd, buf + got, n - 1 - got)) <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		/* A head's end; or a TLS handshake (a record of type 22),
		 * which has none: answered at once, not after 2 s. */
		if (strstr(buf, "\r\n\r\n") != NULL || buf[0] == 0x16)
			break;
	}
	buf[got] = '\0';
	return got;
}

/* MSG_NOSIGNAL: a client that hung up (a run that stopped) is no
 * SIGPIPE, which would end the whole test. */
static void
canned_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

/* With paths: the reply whose path the request's target starts with. */
static const struct canned_reply *
canned_route(const struct canned *c, const char *head)
{
	static const struct canned_reply none = {
		"404 Not Found", "canned: no such path", canned_reply
	};
	const char *target = strchr(head, ' ');
	int i;

	for (i = 0; target != NULL && i < c->n; i++)
		if (strncmp(target + 1, c->paths[i], strlen(c->paths[i])) == 0)
			return &c->replies[i];
	return &none;
}

static void
canned_serve(struct canned *c, int fd)
{
	static const struct canned_reply over = {
		"500 Internal Server Error", "canned: no reply left", canned_reply
	};
	const struct canned_reply *r;
	char head[8192], out[4096];
	struct linger lg = { 1, 0 };
	const char *eol;
	int i;

	canned_read_head(fd, head, sizeof head);
	pthread_mutex_lock(&c->lock);
	i = c->nreq++;
	if (i < CANNED_MAX_REQ) {
		eol = strstr(head, "\r\n");
		snprintf(c->req[i], sizeof c->req[i], "%.*s",
		    (int)(eol != NULL ? eol - head : (long)strlen(head)), head);
	}
	pthread_mutex_unlock(&c->lock);
	r = i < c->n ? &c->replies[i] : &over;
	if (c->paths != NULL)
		r = canned_route(c, head);
	if (r->how == canned_reset) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		return;
	}
	if (r->how == canned_hang) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		(void)poll(&p, 1, 3000);
		return;
	}
	snprintf(out, sizeof out, "HTTP/1.1 %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", r->head,
	    strlen(r->body) + (r->how == canned_cut ? 100 : 0));
	canned_write_all(fd, out, strlen(out));
	canned_write_all(fd, r->body, strlen(r->body));
}

static void *
canned_thread(void *arg)
{
	struct canned *c = arg;
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int fd;

	while (!atomic_load(&c->stop)) {
		if (poll(&p, 1, 20) != 1)
			continue;
		if ((fd = accept(c->fd, NULL, NULL)) < 0)
			continue;
		canned_serve(c, fd);
		close(fd);
	}
	return NULL;
}

/* A loopback socket bound to a free port: its fd, the port in *port. */
static int
canned_listen(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port nothing listens on (bound, then closed): connections refused. */
static __attribute__((unused)) int
canned_dead_port(void)
{
	int port = 0, fd = canned_listen(&port);

	if (fd >= 0)
		close(fd);
	return port;
}

/* Serves replies[i] to every request for a path that starts with
 * paths[i], in any order and as often as asked (for concurrent clients);
 * another path gets a 404.  0, or -1. */
static __attribute__((unused)) int
canned_start_paths(struct canned *c, const struct canned_reply *replies,
    const char *const *paths, int n)
{
	memset(c, 0, sizeof *c);
	c->replies = replies;
	c->paths = paths;
	c->n = n;
	pthread_mutex_init(&c->lock, NULL);
	if ((c->fd = canned_listen(&c->port)) < 0)
		return -1;
	if (pthread_create(&c->tid, NULL, canned_thread, c) != 0) {
		close(c->fd);
		return -1;
	}
	return 0;
}

/* Starts serving replies[0..n-1], in order; 0, or -1. */
static __attribute__((unused)) int
canned_start(struct canned *c, const struct canned_reply *replies, int n)
{
	return canned_start_paths(c, replies, NULL, n);
}

/* Requests served so far. */
static __attribute__((unused)) int
canned_requests(struct canned *c)
{
	int n;

	pthread_mutex_lock(&c->lock);
	n = c->nreq;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* Request line i ("GET /x HTTP/1.1"), copied into buf. */
static __attribute__((unused)) const char *
canned_request(struct canned *c, int i, char *buf, size_t n)
{
	pthread_mutex_lock(&c->lock);
	snprintf(buf, n, "%s", i < c->nreq && i < CANNED_MAX_REQ ?
	    c->req[i] : "");
	pthread_mutex_unlock(&c->lock);
	return buf;
}

static __attribute__((unused)) void
canned_stop(struct canned *c)
{
	atomic_store(&c->stop, 1);
	pthread_join(c->tid, NULL);
	close(c->fd);
	pthread_mutex_destroy(&c->lock);
}

#endif
