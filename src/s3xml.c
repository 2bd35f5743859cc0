/*
 * s3xml.c - S3's XML answers with libxml2 (see s3xml.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

size_t
s3xml_uploads(const char *body, size_t n, char ***keys, char ***ids)
{
	xmlDocPtr doc = parse(body, n);
	xmlNodePtr root, x;
	size_t k = 0;
	char *kx, *id;

	*keys = *ids = NULL;
	if (doc == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	for (x = root != NULL ? root->children : NULL; x != NULL; x = x->next) {
		if (!named(x, "Upload"))
			continue;
		kx = child_text(x, "Key");
		id = child_text(x, "UploadId");
		if (kx != NULL && id != NULL) {
			*keys = xrealloc(*keys, (k + 1) * sizeof **keys);
			*ids = xrealloc(*ids, (k + 1) * sizeof **ids);
			(*keys)[k] = kx;
			(*ids)[k++] = id;
			kx = id = NULL;
		}
		free(kx);
		free(id);
	}
	xmlFreeDoc(doc);
	return k;
}
