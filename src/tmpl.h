/*
 * tmpl.h - --expand's URL templates: "https://host/items/{id}/rel/{a.b}",
 * each {field} filled from one listing item.
 *
 * A field is a dotted path into the item object (through objects only, as
 * page.h's paths).  A string value is percent-encoded (RFC 3986's
 * unreserved characters kept, by curl_easy_escape); a number, true or
 * false goes in as written; a missing field, null, an object or an array
 * cannot be filled in.  Never does I/O; a template is read-only once made
 * and may be shared by threads.
 */
#ifndef INVDUMP_TMPL_H
#define INVDUMP_TMPL_H

#include <stddef.h>

struct tmpl;

/* Parses text (copied); NULL with a message in err when a brace is
 * unbalanced or a field name empty or malformed. */
struct tmpl *tmpl_new(const char *text, char *err, size_t errsz);
void tmpl_free(struct tmpl *t);

/* Would the template, filled in, be an absolute http(s) URL?  0, or -1
 * with a message in err.  (Filled with a dummy value "1".) */
int tmpl_check(const struct tmpl *t, char *err, size_t errsz);

/* The first field's name, or NULL when the template has none. */
const char *tmpl_first_field(const struct tmpl *t);

/*
 * Fills the template from item (one compact JSON value, len bytes, a
 * trailing newline allowed).  Returns the URL (the caller frees it with
 * free()), or NULL with a message in err naming the field.  label, when
 * not NULL, receives "FIELD=VALUE" for the first field (its value as
 * found, cut short to fit), or "" without one - for messages, even when
 * filling fails for another field.
 */
char *tmpl_fill(const struct tmpl *t, const char *item, size_t len,
    char *label, size_t labelsz, char *err, size_t errsz);

/* A top-level member of an item, for --expand NAME='s relations. */
struct tmpl_member {
	int count;              /* top-level members with that key */
	size_t start, end;      /* the first one's value: item[start, end) */
};

/*
 * Finds the top-level keys names[0..n-1] (lens[i] bytes each, compared
 * with the keys as decoded) in item, one JSON object of len bytes: m[i]
 * receives how often names[i] is a key of the object itself (not of a
 * value inside it) and where the first such member's value lies.  One
 * walk with yajl.  0, or -1 when item is not a JSON object yajl can read.
 */
int tmpl_members(const char *item, size_t len, const char *const *names,
    const size_t *lens, int n, struct tmpl_member *m);

#endif
