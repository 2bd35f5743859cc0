/*
 * s3xml.c - S3's XML answers with libxml2 (see s3xml.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "s3xml.h"
#include "xalloc.h"

void
s3xml_init(void)
{
	xmlInitParser();
}

/*
 * The document, or NULL; nothing leaves the process, nothing is said.  A
 * document with a DTD is refused: S3 never sends one, and its entities,
 * expanded when a text is read, could multiply a small answer.
 */
static xmlDocPtr
parse(const char *body, size_t n)
{
	xmlDocPtr doc;

	if (body == NULL || n == 0 || n > INT_MAX)
		return NULL;
	doc = xmlReadMemory(body, (int)n, "s3.xml", NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static int
named(const xmlNode *x, const char *name)
{
	return x->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)x->name, name) == 0;
}

/* The first element named name at or under x, depth first. */
static xmlNodePtr
find(xmlNodePtr x, const char *name)
{
	xmlNodePtr c, r;

	for (; x != NULL; x = x->next) {
		if (named(x, name))
			return x;
		for (c = x->children; c != NULL; c = c->next)
			if ((r = find(c, name)) != NULL)
				return r;
	}
	return NULL;
}

/* x's text, an xalloc string. */
static char *
text(xmlNodePtr x)
{
	xmlChar *t = xmlNodeGetContent(x);
	char *s = xstrdup(t != NULL ? (const char *)t : "");

	xmlFree(t);
	return s;
}

/* The text of x's child named name, or NULL. */
static char *
child_text(xmlNodePtr x, const char *name)
{
	for (x = x->children; x != NULL; x = x->next)
		if (named(x, name))
			return text(x);
	return NULL;
}

char *
s3xml_text(const char *body, size_t n, const char *name)
{
	xmlDocPtr doc = parse(body, n);
	xmlNodePtr x;
	char *s = NULL;

	if (doc == NULL)
		return NULL;
	if ((x = find(xmlDocGetRootElement(doc), name)) != NULL)
		s = text(x);
	xmlFreeDoc(doc);
	return s;
}

long long
s3xml_time_ms(const char *s)
{
	struct tm tm;
	long long ms = 0, scale = 100;
	time_t t;
	int n = 0;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n != 19)
		return 0;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			ms += (*s - '0') * scale;
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	return t > 0 ? (long long)t * 1000 + ms : 0;       /* none before 1970 */
}

/* One <Upload> into u, when it has a Key and an UploadId. */
static void
upload_add(struct s3uploads *u, xmlNodePtr x)
{
	char *key = child_text(x, "Key"), *id = child_text(x, "UploadId");
	char *at = child_text(x, "Initiated");

	if (key != NULL && id != NULL) {
		u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
		u->v[u->n].key = key;
		u->v[u->n].id = id;
		u->v[u->n++].initiated_ms = s3xml_time_ms(at);
		key = id = NULL;
	}
	free(key);
	free(id);
	free(at);
}

size_t
s3xml_uploads(const char *body, size_t n, struct s3uploads *u)
{
	xmlDocPtr doc = parse(body, n);
	xmlNodePtr root, x;
	char *t;

	memset(u, 0, sizeof *u);
	if (doc == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	for (x = root != NULL ? root->children : NULL; x != NULL; x = x->next) {
		if (named(x, "Upload"))
			upload_add(u, x);
		else if (named(x, "IsTruncated")) {
			t = text(x);
			u->truncated = strcmp(t, "true") == 0;
			free(t);
		} else if (named(x, "NextKeyMarker") && u->next_key == NULL)
			u->next_key = text(x);
		else if (named(x, "NextUploadIdMarker") && u->next_id == NULL)
			u->next_id = text(x);
	}
	xmlFreeDoc(doc);
	return u->n;
}

void
s3xml_uploads_free(struct s3uploads *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i].key);
		free(u->v[i].id);
	}
	free(u->v);
	free(u->next_key);
	free(u->next_id);
	memset(u, 0, sizeof *u);
}
