/*
 * details.c - the detail and relation endpoints of the dataset (invdump's
 * --expand), and their ground truth.
 *
 *   /items/ID              the item with that id, wire form (as a list
 *                          sends it: escapes, some pretty-printed)
 *   /items/ID/rel/NAME     a small JSON value derived from ID and NAME
 *                          (rel_value below); NAME of [a-z0-9_]
 *   /truth-expand?rel=A,B  /truth with each relation appended to its item
 *                          as "A":value,"B":value, canonical
 *
 * Detail requests are list requests (counted, delayed, rate limited, auth,
 * faulted with the item's generator index as the fault's offset); an id not
 * in the dataset, and --detail-fail's, answer 404.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/xalloc.h"
#include "data.h"
#include "faults.h"
#include "profiles.h"
#include "reply.h"

#define JSON "application/json"

/*
 * Relation NAME of item g: names starting with "list" are arrays of
 * g % 3 objects {"of":ID,"i":I}; the others an object
 * {"of":ID,"rel":"NAME","n":g % 7,"s":"x/\"y\""}.
 */
static void
rel_value(struct buf *b, uint64_t g, const char *name, size_t nlen)
{
	char num[64];
	uint64_t i;

	if (nlen >= 4 && strncmp(name, "list", 4) == 0) {
		buf_addc(b, '[');
		for (i = 0; i < g % 3; i++) {
			snprintf(num, sizeof num, "%s{\"of\":%" PRIu64 ",\"i\":%"
			    PRIu64 "}", i ? "," : "", DATA_ID_BASE + g, i);
			buf_adds(b, num);
		}
		buf_addc(b, ']');
		return;
	}
	snprintf(num, sizeof num, "{\"of\":%" PRIu64 ",\"rel\":\"",
	    DATA_ID_BASE + g);
	buf_adds(b, num);
	buf_add(b, name, nlen);
	snprintf(num, sizeof num, "\",\"n\":%" PRIu64 ",\"s\":\"x/\\\"y\\\"\"}",
	    g % 7);
	buf_adds(b, num);
}

static int
rel_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '_'))
			return 0;
	return 1;
}

/* The generator index of a present item with this id, or -1. */
static int
find_gen(const struct data_view *v, const char *s, uint64_t *g)
{
	unsigned long long id;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	id = strtoull(s, &end, 10);
	if ((*end != '\0' && *end != '/') || id < DATA_ID_BASE)
		return -1;
	*g = id - DATA_ID_BASE;
	/* Present: an original item not deleted, or an inserted one. */
	if (*g < v->items ? *g >= v->keep : *g >= v->items + v->ins)
		return -1;
	return 0;
}

enum MHD_Result
prof_detail(struct req *r)
{
	const char *p = r->path + strlen("/items/"), *rel;
	enum MHD_Result ret;
	struct buf b;
	uint64_t g;
	int i;

	if (find_gen(&r->view, p, &g) < 0)
		return reply_error(r, 404, "no such item");
	for (i = 0; i < mock_cfg.ndetail_fail; i++)
		if (mock_cfg.detail_fail[i] == g)
			return reply_error(r, 404, "no such item (--detail-fail)");
	if (fault_gate(r, g, &ret))
		return ret;
	rel = strchr(p, '/');
	buf_init(&b, 0);
	if (rel == NULL)
		data_item(&b, &r->view, g, data_form_wire, 0);
	else if (strncmp(rel, "/rel/", 5) == 0 && rel_name_ok(rel + 5))
		rel_value(&b, g, rel + 5, strlen(rel + 5));
	else {
		buf_free(&b);
		return reply_error(r, 404, "no such relation");
	}
	return reply_queue(r, 200, reply_body(r, &b, JSON, 1));
}

/* /truth-expand?rel=A,B: small datasets only (built whole). */
enum MHD_Result
svc_truth_expand(struct req *r)
{
	const char *rels = reply_arg(r, "rel"), *s, *e;
	struct buf b;
	uint64_t pos, g;

	buf_init(&b, 0);
	for (pos = 0; pos < r->view.n; pos++) {
		g = data_gen(&r->view, pos);
		data_item(&b, &r->view, g, data_form_canon, 0);
		if (rels != NULL && *rels != '\0') {
			b.len--;        /* the item's closing brace */
			for (s = rels; ; s = e + 1) {
				if ((e = strchr(s, ',')) == NULL)
					e = s + strlen(s);
				buf_addc(&b, ',');
				buf_addc(&b, '"');
				buf_add(&b, s, (size_t)(e - s));
				buf_adds(&b, "\":");
				rel_value(&b, g, s, (size_t)(e - s));
				if (*e == '\0')
					break;
			}
			buf_addc(&b, '}');
		}
		buf_addc(&b, '\n');
	}
	return reply_queue(r, 200, reply_body(r, &b, "text/plain", 0));
}
