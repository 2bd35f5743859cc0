/*
 * test_tmpl.c - --expand's URL templates: parsing, the startup check,
 * filling from an item (percent-encoding, numbers as written, dotted
 * paths, what cannot fill a field) and the label for messages; an
 * item's top-level members (tmpl_members), for relations that would
 * repeat a key.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tmpl.h"

/* Fills text from item; want NULL: must fail with a message containing
 * why. */
static int
fills(const char *text, const char *item, const char *want, const char *why)
{
	char err[256] = "", label[96];
	struct tmpl *t = tmpl_new(text, err, sizeof err);
	char *url;
	int r;

	if (t == NULL) {
		printf("# %s: %s\n", text, err);
		return 0;
	}
	url = tmpl_fill(t, item, strlen(item), label, sizeof label, err,
	    sizeof err);
	if (want != NULL)
		r = url != NULL && strcmp(url, want) == 0;
	else
		r = url == NULL && strstr(err, why) != NULL;
	if (!r)
		printf("# %s from %s: got %s (%s)\n", text, item,
		    url ? url : "NULL", err);
	free(url);
	tmpl_free(t);
	return r;
}

static int
bad(const char *text, int check, const char *why)
{
	char err[256] = "";
	struct tmpl *t = tmpl_new(text, err, sizeof err);
	int r;

	if (t != NULL && check)
		r = tmpl_check(t, err, sizeof err) < 0;
	else
		r = t == NULL;
	r = r && strstr(err, why) != NULL;
	if (!r)
		printf("# %s: %s\n", text, err);
	tmpl_free(t);
	return r;
}

static int
label_is(const char *text, const char *item, const char *want)
{
	char err[256], label[96];
	struct tmpl *t = tmpl_new(text, err, sizeof err);
	char *url = tmpl_fill(t, item, strlen(item), label, sizeof label, err,
	    sizeof err);
	int r = strcmp(label, want) == 0;

	if (!r)
		printf("# label %s, expected %s\n", label, want);
	free(url);
	tmpl_free(t);
	return r;
}

/* tmpl_members for the names "tags", "id" and "a_1": want is, for
 * each, COUNT:VALUE (the first one's value bytes) joined by spaces, or
 * "-1" when the item must be refused. */
static int
members_are(const char *item, const char *want)
{
	static const char *const names[] = { "tags", "id", "a_1" };
	static const size_t lens[] = { 4, 2, 3 };
	struct tmpl_member m[3];
	char got[512] = "";
	size_t n = 0;
	int i;

	if (tmpl_members(item, strlen(item), names, lens, 3, m) < 0)
		snprintf(got, sizeof got, "-1");
	else
		for (i = 0; i < 3 && n < sizeof got; i++)
			n += (size_t)snprintf(got + n, sizeof got - n, "%s%d:%.*s",
			    i ? " " : "", m[i].count,
			    (int)(m[i].count ? m[i].end - m[i].start : 0),
			    item + m[i].start);
	if (strcmp(got, want) != 0)
		printf("# %s: got %s, expected %s\n", item, got, want);
	return strcmp(got, want) == 0;
}

static void
test_members(void)
{
	ok(members_are("{\"id\":123,\"tags\":[\"a\",\"b\"],\"x\":1}",
	    "1:[\"a\",\"b\"] 1:123 0:"), "members: an array and a number");
	ok(members_are("{\"x\":{\"tags\":1,\"id\":2},\"l\":[{\"a_1\":3}]}",
	    "0: 0: 0:"), "members: keys deeper down are not the item's");
	ok(members_are("{\"tags\":{\"a\":{\"tags\":[]}},\"id\":\"x}\\\"y\"}",
	    "1:{\"a\":{\"tags\":[]}} 1:\"x}\\\"y\" 0:"),
	    "members: an object value whole, a string with '}' and an escape");
	ok(members_are("{\"a_1\":null,\"id\":true,\"tags\":false}",
	    "1:false 1:true 1:null"), "members: null, true, false");
	ok(members_are("{\"id\":-1.5e3}", "0: 1:-1.5e3 0:"),
	    "members: a number last");
	ok(members_are("{\"t\\u0061gs\":7}", "1:7 0: 0:"),
	    "members: a key compared as decoded (t\\u0061gs is tags)");
	ok(members_are("{\"tags\":1,\"tags\":2}", "2:1 0: 0:"),
	    "members: a key twice is counted, the first one's value kept");
	ok(members_are("{ \"id\" : 5 , \"tags\":\t[ ] }", "1:[ ] 1:5 0:"),
	    "members: blanks around the colon are not the value");
	ok(members_are("{\"ta\":1,\"tagsx\":2,\"a_\":3}", "0: 0: 0:"),
	    "members: a prefix or a longer key is another key");
	ok(members_are("{}", "0: 0: 0:"), "members: an empty object");
	ok(members_are("[{\"id\":1}]", "-1"), "members: an array is refused");
	ok(members_are("{\"id\":", "-1"), "members: broken JSON is refused");
}

int
main(void)
{
	const char *sl = "https://api.softlayer.com/rest/v3.1/"
	    "SoftLayer_Network_Bandwidth_Version1_Allotment/{id}/"
	    "getObject.json";
	char err[256];
	struct tmpl *t;

	ok(fills(sl, "{\"id\":123,\"name\":\"x\"}\n",
	    "https://api.softlayer.com/rest/v3.1/"
	    "SoftLayer_Network_Bandwidth_Version1_Allotment/123/"
	    "getObject.json", NULL), "SoftLayer: a number as written");
	ok(fills("http://h/{id}", "{\"id\":9007199254740993}",
	    "http://h/9007199254740993", NULL), "2^53 + 1 exactly");
	ok(fills("http://h/{id}", "{\"id\":1e400}", "http://h/1e400", NULL),
	    "a number out of double range as written");
	ok(fills("http://h/{id}", "{\"id\":-0.0}", "http://h/-0.0", NULL),
	    "-0.0 as written");
	ok(fills("http://h/x?q={name}", "{\"name\":\"a b/c?d&e=f#g%\"}",
	    "http://h/x?q=a%20b%2Fc%3Fd%26e%3Df%23g%25", NULL),
	    "a string percent-encoded: reserved characters too");
	ok(fills("http://h/{name}", "{\"name\":\"AZaz09-._~\"}",
	    "http://h/AZaz09-._~", NULL), "unreserved characters kept");
	ok(fills("http://h/{name}", "{\"name\":\"caf\\u00e9\"}",
	    "http://h/caf%C3%A9", NULL), "an escape decoded, then UTF-8 "
	    "percent-encoded");
	ok(fills("http://h/{name}", "{\"name\":\"\"}", "http://h/", NULL),
	    "an empty string is empty");
	ok(fills("http://h/{owner.id}/{id}",
	    "{\"id\":1,\"owner\":{\"name\":\"n\",\"id\":42}}",
	    "http://h/42/1", NULL), "a dotted path");
	ok(fills("http://h/{a.b.c}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}",
	    "http://h/deep", NULL), "three levels");
	ok(fills("http://h/{id}", "{\"x\":{\"id\":7},\"id\":8}",
	    "http://h/8", NULL), "a field's name deeper down does not match");
	ok(fills("http://h/{id}", "{\"list\":[{\"id\":7}],\"id\":8}",
	    "http://h/8", NULL), "nothing inside an array matches");
	ok(fills("http://h/{ok}", "{\"ok\":true}", "http://h/true", NULL),
	    "true as written");
	ok(fills("http://h/{id}/{id}", "{\"id\":5}", "http://h/5/5", NULL),
	    "a field used twice");
	ok(fills("http://h/static", "{\"id\":5}", "http://h/static", NULL),
	    "no field at all");
	ok(fills("http://h/{id}", "{\"name\":\"x\"}", NULL, "id is missing"),
	    "a missing field fails, naming it");
	ok(fills("http://h/{id}", "{\"id\":null}", NULL, "id is null"),
	    "null fails");
	ok(fills("http://h/{id}", "{\"id\":{\"a\":1}}", NULL,
	    "id is an object"), "an object fails");
	ok(fills("http://h/{id}", "{\"id\":[1]}", NULL, "id is an array"),
	    "an array fails");
	ok(fills("http://h/{a.b}", "{\"a\":5}", NULL, "a.b is missing"),
	    "a path through a number is missing");
	ok(fills("http://h/{id}", "[1,2]", NULL, "not a JSON object"),
	    "an item that is not an object");
	ok(fills("http://h/{id}", "{\"id\":", NULL, "not JSON"),
	    "an item that is not JSON");

	ok(label_is(sl, "{\"id\":123}", "id=123"), "label: the first field");
	ok(label_is("http://h/{name}/{id}", "{\"id\":1,\"name\":\"a b\"}",
	    "name=a b"), "label: the string as found");
	ok(label_is("http://h/{id}", "{\"x\":1}", ""),
	    "label: empty when the field is missing");

	ok(bad("http://h/{id", 0, "never closed"), "an open brace");
	ok(bad("http://h/id}", 0, "without its '{'"), "a lone closing brace");
	ok(bad("http://h/{}", 0, "not a field name"), "an empty field");
	ok(bad("http://h/{a..b}", 0, "not a field name"), "an empty path step");
	ok(bad("http://h/{a{b}", 0, "not a field name"), "a nested brace");
	ok(bad("{host}/x", 1, "not an absolute http or https URL"),
	    "the check: a field where the scheme belongs");
	ok(bad("ftp://h/{id}", 1, "not an absolute http or https URL"),
	    "the check: ftp");
	ok(bad("http://h x/{id}", 1, "not an absolute"), "the check: a space");
	t = tmpl_new(sl, err, sizeof err);
	ok(t != NULL && tmpl_check(t, err, sizeof err) == 0 &&
	    strcmp(tmpl_first_field(t), "id") == 0,
	    "the SoftLayer template passes the check; its first field is id");
	tmpl_free(t);
	t = tmpl_new("https://{host}.example.com/{id}", err, sizeof err);
	ok(t != NULL && tmpl_check(t, err, sizeof err) == 0,
	    "a field in the host passes the check");
	tmpl_free(t);
	test_members();
	return tap_done();
}
