/*
 * test_tmpl.c - --expand's URL templates: parsing, the startup check,
 * filling from an item (percent-encoding, numbers as written, dotted
 * paths, what cannot fill a field) and the label for messages.
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
	return tap_done();
}
