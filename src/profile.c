/*
 * profile.c - the table of pagination conventions (see profile.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile.h"
#include "xalloc.h"

static const struct profile profiles[] = {
	{ "offset", "offset=/limit= query parameters, total in X-Total-Count",
	  profile_style_offset, "offset", "limit", "X-Total-Count", "", NULL },
	{ "softlayer", "SoftLayer/IBM Cloud REST: resultLimit=OFFSET,LIMIT, "
	  "total in softlayer-total-items",
	  profile_style_softlayer, "resultLimit", NULL, "softlayer-total-items",
	  "", NULL },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL }
};

const struct profile *
profile_find(const char *name)
{
	const struct profile *p;

	for (p = profiles; p->name != NULL; p++)
		if (strcasecmp(p->name, name) == 0)
			return p;
	return NULL;
}

const struct profile *
profile_table(void)
{
	return profiles;
}

/* Is the query parameter p..end (name[=value]) one the profile sets? */
static int
param_is_ours(const struct profile *pr, const char *p, const char *end)
{
	const char *eq = memchr(p, '=', end - p);
	size_t n = (eq != NULL ? eq : end) - p;

	if (pr->offset_param != NULL && strlen(pr->offset_param) == n &&
	    strncmp(p, pr->offset_param, n) == 0)
		return 1;
	if (pr->limit_param != NULL && strlen(pr->limit_param) == n &&
	    strncmp(p, pr->limit_param, n) == 0)
		return 1;
	return 0;
}

/* Replaces u's query with query (which may be empty) by parsing a whole new
 * URL, so that the query's bytes are kept as they are. */
static int
rebuild_url(CURLU *u, const char *query)
{
	char *bare = NULL, *url;
	int rc;

	if (curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &bare, 0) != CURLUE_OK)
		return -1;
	url = *query ? xasprintf("%s?%s", bare, query) : xstrdup(bare);
	rc = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK ? 0 : -1;
	curl_free(bare);
	free(url);
	return rc;
}

CURLU *
profile_base_url(const struct profile *pr, const char *url, char *err,
    size_t errsz)
{
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL, *query = NULL, *nq;
	const char *p, *amp;
	size_t len;

	if ((u = curl_url()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc != CURLUE_OK) {
		snprintf(err, errsz, "not a valid URL: %s", curl_url_strerror(rc));
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
		snprintf(err, errsz, "only http:// and https:// URLs are supported");
		goto fail;
	}
	curl_free(scheme);
	scheme = NULL;

	/* Fragments are never sent; dropping one keeps the rebuild simple. */
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	/* Drop parameters we are about to set; keep the rest byte for byte.
	 * libcurl 7.88 lowercases percent-escapes when a query is set on its
	 * own, not when a whole URL is parsed: so rebuild the whole URL, and
	 * only when something was dropped. */
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		len = strlen(query);
		nq = xmalloc(len + 1);
		nq[0] = '\0';
		for (p = query; *p != '\0'; p = *amp ? amp + 1 : amp) {
			if ((amp = strchr(p, '&')) == NULL)
				amp = p + strlen(p);
			if (amp == p || param_is_ours(pr, p, amp))
				continue;
			if (*nq != '\0')
				strcat(nq, "&");
			strncat(nq, p, amp - p);
		}
		if (strcmp(nq, query) != 0 && rebuild_url(u, nq) < 0) {
			snprintf(err, errsz, "cannot rebuild the URL");
			free(nq);
			goto fail;
		}
		free(nq);
		curl_free(query);
	}
	return u;
fail:
	curl_free(scheme);
	curl_free(query);
	curl_url_cleanup(u);
	return NULL;
}

char *
profile_page_url(const struct profile *pr, const CURLU *base, long long offset,
    long limit)
{
	/* libcurl 7.88 declares curl_url_dup without const; it only reads. */
	CURLU *u = curl_url_dup((CURLU *)(uintptr_t)base);
	char param[256], *url = NULL;

	if (u == NULL)
		return NULL;
	switch (pr->style) {
	case profile_style_softlayer:
		snprintf(param, sizeof param, "%s=%lld,%ld", pr->offset_param,
		    offset, limit);
		curl_url_set(u, CURLUPART_QUERY, param, CURLU_APPENDQUERY);
		break;
	case profile_style_offset:
		snprintf(param, sizeof param, "%s=%lld", pr->offset_param, offset);
		curl_url_set(u, CURLUPART_QUERY, param, CURLU_APPENDQUERY);
		snprintf(param, sizeof param, "%s=%ld", pr->limit_param, limit);
		curl_url_set(u, CURLUPART_QUERY, param, CURLU_APPENDQUERY);
		break;
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		url = NULL;
	curl_url_cleanup(u);
	return url;
}
