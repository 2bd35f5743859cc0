/* test_query.c - walking a query string's parameters. */
#include <string.h>

#include "query.h"
#include "tap.h"

static int
is(const struct query_param *qp, const char *whole, size_t name_len,
    const char *value)
{
	return qp->len == strlen(whole) && memcmp(qp->start, whole, qp->len) == 0 &&
	    qp->name_len == name_len &&
	    (value == NULL ? qp->value == NULL : qp->value != NULL &&
	    qp->value_len == strlen(value) &&
	    memcmp(qp->value, value, qp->value_len) == 0);
}

int
main(void)
{
	const char *c = "a=1&&flag&x=%20y=z&empty=";
	struct query_param qp;

	ok(query_next(&c, &qp) && is(&qp, "a=1", 1, "1"), "name=value");
	ok(query_name_is(&qp, "a") && !query_name_is(&qp, "a=") &&
	    !query_name_is(&qp, "ab") && !query_name_is(&qp, NULL),
	    "query_name_is compares the whole name");
	ok(query_next(&c, &qp) && is(&qp, "", 0, NULL), "an empty parameter");
	ok(query_next(&c, &qp) && is(&qp, "flag", 4, NULL), "a name alone");
	ok(query_next(&c, &qp) && is(&qp, "x=%20y=z", 1, "%20y=z"),
	    "the value runs to the '&', '=' and escapes included");
	ok(query_next(&c, &qp) && is(&qp, "empty=", 5, ""), "an empty value");
	ok(!query_next(&c, &qp) && !query_next(&c, &qp) && *c == '\0',
	    "then the end, and it stays there");
	c = "";
	ok(!query_next(&c, &qp), "an empty query has no parameters");
	c = "a&";
	ok(query_next(&c, &qp) && is(&qp, "a", 1, NULL) && !query_next(&c, &qp),
	    "a trailing '&' adds nothing");
	return tap_done();
}
