/*
 * fuzz_session.c - libFuzzer target for the login answer's parser
 * (session_parse), which reads what a login endpoint answers: the token
 * that then goes into a header of every request, and its lifetime.
 *
 * Input: the answer's body (any bytes).
 *
 * These must hold for every input, for the paths of every built-in
 * profile (token.token/token.timeout, access_token/expires_in) and one
 * absent path:
 *   - 0 gives a token that session_token_ok accepts (nothing that could
 *     end a header or a cookie: no CR, LF, space, ';', ',', '"' or '\'),
 *     of at most 16 KiB, and a lifetime of 0 or more;
 *   - -1 gives no token and a message;
 *   - reading it twice gives the same token and lifetime.
 *
 * Build: ./configure --enable-fuzz --enable-asan CC=clang &&
 *        make tests/fuzz/fuzz_session
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "session.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[][2] = {
		{ "token.token", "token.timeout" },
		{ "access_token", "expires_in" },
		{ "a.b.c", NULL },
	};
	const char *body = (const char *)data;
	struct session_answer one, two;
	char err[256];
	size_t i;
	int r1, r2;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		err[0] = '\0';
		r1 = session_parse(body, size, paths[i][0], paths[i][1], &one,
		    err, sizeof err);
		r2 = session_parse(body, size, paths[i][0], paths[i][1], &two,
		    err, sizeof err);
		CHECK(r1 == r2);
		if (r1 == 0) {
			CHECK(one.token != NULL && two.token != NULL);
			CHECK(session_token_ok(one.token, strlen(one.token)));
			CHECK(strlen(one.token) <= 16 * 1024);
			CHECK(strcmp(one.token, two.token) == 0);
			CHECK(one.lifetime >= 0 && one.lifetime == two.lifetime);
		} else {
			CHECK(r1 == -1 && one.token == NULL && err[0] != '\0');
		}
		session_answer_clear(&one);
		session_answer_clear(&two);
	}
	return 0;
}
