/*
 * query.c - walking the parameters of a query string (see query.h).
 */
#include <string.h>

#include "query.h"

int
query_next(const char **cursor, struct query_param *qp)
{
	const char *p = *cursor, *amp, *eq;

	if (*p == '\0')
		return 0;
	if ((amp = strchr(p, '&')) == NULL)
		amp = p + strlen(p);
	eq = memchr(p, '=', amp - p);
	qp->start = p;
	qp->len = amp - p;
	qp->name_len = (eq != NULL ? eq : amp) - p;
	qp->value = eq != NULL ? eq + 1 : NULL;
	qp->value_len = eq != NULL ? (size_t)(amp - eq - 1) : 0;
	*cursor = *amp != '\0' ? amp + 1 : amp;
	return 1;
}

int
query_name_is(const struct query_param *qp, const char *name)
{
	return name != NULL && strlen(name) == qp->name_len &&
	    memcmp(qp->start, name, qp->name_len) == 0;
}
