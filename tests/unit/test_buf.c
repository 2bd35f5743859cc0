/* test_buf.c - capped growable buffers. */
#include <string.h>

#include "buf.h"
#include "tap.h"

int
main(void)
{
	struct buf b;
	char big[1000];
	int i, rc = 0;

	buf_init(&b, 0);
	for (i = 0; i < 10000 && rc == 0; i++)
		rc = buf_add(&b, "abc", 3);
	ok(rc == 0 && b.len == 30000, "uncapped buffer grows to 30000 bytes");
	ok(memcmp(b.data + 29997, "abc", 3) == 0, "content kept across growth");
	ok(strcmp(buf_cstr(&b) + 29997, "abc") == 0 && b.len == 30000,
	    "buf_cstr terminates without counting the NUL");
	buf_free(&b);

	buf_init(&b, 100);
	memset(big, 'x', sizeof big);
	ok(buf_add(&b, big, 100) == 0 && b.len == 100, "exactly the cap fits");
	ok(buf_add(&b, "y", 1) == -1 && b.toobig && b.len == 100,
	    "one byte past the cap is refused, toobig set, buffer unchanged");
	ok(buf_reserve(&b, 1) == NULL, "reserve past the cap is refused");
	buf_reset(&b);
	ok(b.len == 0 && !b.toobig, "reset empties and clears toobig");
	ok(buf_add(&b, big, 101) == -1 && b.len == 0, "an append over the cap at once is refused");
	ok(buf_adds(&b, "hello") == 0 && buf_addc(&b, '!') == 0 &&
	    b.len == 6 && memcmp(b.data, "hello!", 6) == 0, "adds and addc");
	buf_free(&b);
	ok(b.data == NULL && b.len == 0, "free leaves an empty buffer");
	return tap_done();
}
