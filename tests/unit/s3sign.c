/*
 * s3sign.c - prints the request invdump sends to S3 for the inputs given,
 * signed by s3req.c (libcurl's SigV4) at a fixed date, for
 * tests/integration/s3sign.sh to sign again with botocore and compare.
 *
 *   s3sign METHOD KEY QUERY BODY MD5 TOKEN [pieces]     ("-" for none)
 *
 * With "pieces", BODY goes in three pieces (s3_call_pieces, the way a held
 * object's buffers go), its SHA-256 computed over them.
 *
 * It listens on a loopback port of its own; a child process makes the
 * request there and the parent prints the request line and every header
 * as they arrived, then the body, after a line "--".  Credentials are
 * AKID/SECRET, region us-east-1, bucket bkt, path-style.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "s3req.h"
#include "xalloc.h"

static const char *
arg(const char *a)
{
	return strcmp(a, "-") == 0 ? NULL : a;
}

static void
request(int port, char **argv, int pieces)
{
	struct s3conf c;
	struct s3ans a;
	CURL *h = curl_easy_init();
	const char *body = arg(argv[4]);

	memset(&c, 0, sizeof c);
	c.base = xasprintf("http://127.0.0.1:%d/bkt", port);
	c.bucket = xstrdup("bkt");
	c.userpwd = xstrdup("AKID:SECRET");
	c.sigv4 = xstrdup("aws:amz:us-east-1:s3");
	c.token = arg(argv[6]) != NULL ? xstrdup(argv[6]) : NULL;
	c.date = "20261207T120000Z";
	if (pieces && body != NULL) {
		size_t n = strlen(body), third = n / 3;
		struct iovec v[3] = {
			{ (void *)body, third },
			{ (void *)(body + third), third },
			{ (void *)(body + 2 * third), n - 2 * third },
		};
		struct s3body b = { v, 3, NULL };

		s3_call_pieces(h, &c, argv[1], arg(argv[2]), arg(argv[3]), &b,
		    arg(argv[5]), &a, "s3sign");
	} else
		s3_request(h, &c, argv[1], arg(argv[2]), arg(argv[3]),
		    body != NULL ? body : (strcmp(argv[1], "POST") == 0 ||
		    strcmp(argv[1], "PUT") == 0 ? "" : NULL), body != NULL ?
		    strlen(body) : 0, arg(argv[5]), &a);
	s3ans_free(&a);
	curl_easy_cleanup(h);
	s3conf_free(&c);
}

/* Copies what the client sends until it has sent its body (asked for
 * with 100 Continue when it expects that). */
static int
relay(int fd)
{
	char buf[65536], *end;
	size_t len = 0, want = (size_t)-1;
	ssize_t r;

	while (len < sizeof buf - 1 && len < want &&
	    (r = read(fd, buf + len, sizeof buf - 1 - len)) > 0) {
		len += (size_t)r;
		buf[len] = '\0';
		if (want == (size_t)-1 && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			want = (size_t)(end + 4 - buf) +
			    (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
			if (strcasestr(buf, "\r\nExpect: 100-continue") != NULL &&
			    write(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 25)
				return -1;
		}
	}
	if ((end = strstr(buf, "\r\n\r\n")) == NULL)
		return -1;
	fwrite(buf, 1, (size_t)(end - buf) + 2, stdout);
	printf("--\n");
	fwrite(end + 4, 1, len - (size_t)(end + 4 - buf), stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int s, fd, rc;
	pid_t pid;

	if (argc != 7 && !(argc == 8 && strcmp(argv[7], "pieces") == 0)) {
		fprintf(stderr, "usage: s3sign METHOD KEY QUERY BODY MD5 TOKEN "
		    "[pieces]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 1) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) < 0) {
		perror("s3sign: socket");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_ALL);
	if ((pid = fork()) == 0) {
		close(s);
		request(ntohs(sa.sin_port), argv, argc == 8);
		_exit(0);
	}
	if (pid < 0 || (fd = accept(s, NULL, NULL)) < 0) {
		perror("s3sign: fork or accept");
		return 1;
	}
	rc = relay(fd);
	close(fd);
	waitpid(pid, NULL, 0);
	return rc == 0 ? 0 : 1;
}
