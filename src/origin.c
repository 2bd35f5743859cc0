/*
 * origin.c - origins and the credentials rule (see origin.h).
 *
 * libcurl parses the URL (CURLU), so IPv6 literals, default ports, case
 * and percent-encoding are handled as libcurl itself will when it
 * connects; nothing here splits a URL by hand.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "origin.h"
#include "xalloc.h"

char *
origin_of(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *port = NULL, *o = NULL, *p;

	if (url == NULL || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		goto out;
	o = xasprintf("%s://%s:%s", scheme, host, port);
	for (p = o; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return o;
}

enum origin_verdict
origin_check(const char *own, const char *url, const struct curl_slist *allowed)
{
	enum origin_verdict v = origin_foreign;
	char *o = origin_of(url);

	if (o == NULL || own == NULL)
		v = origin_bad;
	else if (strcmp(o, own) == 0)
		v = origin_same;
	else if (strncmp(own, "https:", 6) == 0 && strncmp(o, "http:", 5) == 0)
		v = origin_downgrade;
	else
		for (; allowed != NULL; allowed = allowed->next)
			if (strcmp(allowed->data, o) == 0) {
				v = origin_allowed;
				break;
			}
	free(o);
	return v;
}

const char *
origin_verdict_text(enum origin_verdict v)
{
	switch (v) {
	case origin_same:
		return "the same origin";
	case origin_allowed:
		return "an allowed origin";
	case origin_foreign:
		return "another origin (credentials go only to the URL's own "
		    "origin: allow it with --allow-origin)";
	case origin_downgrade:
		return "a downgrade from https to http (never followed)";
	case origin_bad:
		break;
	}
	return "not an http or https URL";
}
