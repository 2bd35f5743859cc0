/*
 * profile.c - the table of pagination conventions (see profile.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile.h"
#include "query.h"
#include "xalloc.h"

/*
 * name, summary, style, offset, limit, base, extra query, sort,
 * total header, pages header, link_last, items, total path, next path,
 * cursor param, link_next
 */
static const struct profile profiles[] = {
	{ "offset", "offset=/limit=, total in X-Total-Count",
	  profile_style_offset, "offset", "limit", 0, NULL, NULL,
	  "X-Total-Count", NULL, 0, "", NULL, NULL, NULL, 0 },
	{ "softlayer", "SoftLayer/IBM Cloud: resultLimit=OFFSET,LIMIT, "
	  "total in softlayer-total-items",
	  profile_style_softlayer, "resultLimit", NULL, 0, NULL, NULL,
	  "softlayer-total-items", NULL, 0, "", NULL, NULL, NULL, 0 },
	{ "range", "PostgREST: Range: A-B, total in Content-Range",
	  profile_style_range, NULL, NULL, 0, NULL, NULL,
	  "Content-Range", NULL, 0, "", NULL, NULL, NULL, 0 },
	{ "page", "page=/per_page=, page count from Link rel=last "
	  "(GitHub) or X-Total-Pages (GitLab)",
	  profile_style_page, "page", "per_page", 1, NULL, NULL,
	  "X-Total", "X-Total-Pages", 1, "", NULL, NULL, NULL, 0 },
	{ "drf", "Django REST Framework, NetBox: offset=/limit=, "
	  "{\"count\",\"results\"}",
	  profile_style_offset, "offset", "limit", 0, NULL, "ordering=id",
	  NULL, NULL, 0, "results", "count", NULL, NULL, 0 },
	{ "odata", "OData: $skip=/$top=, {\"@odata.count\",\"value\"}",
	  profile_style_offset, "$skip", "$top", 0, "$count=true", NULL,
	  NULL, NULL, 0, "value", "@odata.count", NULL, NULL, 0 },
	{ "scim", "SCIM 2.0: startIndex= (1-based)/count=, "
	  "{\"totalResults\",\"Resources\"}",
	  profile_style_offset, "startIndex", "count", 1, NULL, NULL,
	  NULL, NULL, 0, "Resources", "totalResults", NULL, NULL, 0 },
	{ "cursor", "no total, one page after another: next from Link "
	  "rel=next or --next-path",
	  profile_style_cursor, NULL, "limit", 0, NULL, NULL,
	  NULL, NULL, 0, "", NULL, NULL, NULL, 1 },
	{ "infoblox", "Infoblox WAPI: _paging=1, next_page_id sent back "
	  "as _page_id, items in result",
	  profile_style_cursor, NULL, "_max_results", 0,
	  "_paging=1&_return_as_object=1", NULL,
	  NULL, NULL, 0, "result", NULL, "next_page_id", "_page_id", 0 },
	{ "meraki", "Cisco Meraki: perPage=, next from Link rel=next",
	  profile_style_cursor, NULL, "perPage", 0, NULL, NULL,
	  NULL, NULL, 0, "", NULL, NULL, NULL, 1 },
	{ "f5", "F5 BIG-IP iControl REST: $skip=/$top=, "
	  "{\"totalItems\",\"items\"}",
	  profile_style_offset, "$skip", "$top", 0, NULL, NULL,
	  NULL, NULL, 0, "items", "totalItems", NULL, NULL, 0 },
	{ "servicenow", "ServiceNow Table API: sysparm_offset=/sysparm_limit=, "
	  "X-Total-Count, {\"result\"}",
	  profile_style_offset, "sysparm_offset", "sysparm_limit", 0, NULL,
	  "sysparm_query=ORDERBYsys_id",
	  "X-Total-Count", NULL, 0, "result", NULL, NULL, NULL, 0 },
	{ "object", "one request; the body, a single object, is one line "
	  "(F5 /mgmt/tm/sys/version)",
	  profile_style_single, NULL, NULL, 0, NULL, NULL,
	  NULL, NULL, 0, "", NULL, NULL, NULL, 0 },
	{ NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL,
	  NULL, NULL, 0 }
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

/* Is qp a parameter the profile sets itself? */
static int
param_is_ours(const struct profile *pr, const struct query_param *qp)
{
	return query_name_is(qp, pr->offset_param) ||
	    query_name_is(qp, pr->limit_param) ||
	    query_name_is(qp, pr->cursor_param);
}

/* Does query hold a parameter named like want's? */
static int
query_has(const char *query, const struct query_param *want)
{
	struct query_param qp;

	while (query_next(&query, &qp))
		if (qp.name_len == want->name_len &&
		    memcmp(qp.start, want->start, qp.name_len) == 0)
			return 1;
	return 0;
}

/* Appends each parameter of params ("a=1&b=2") the query *q lacks. */
static void
add_missing(char **q, const char *params)
{
	struct query_param qp;
	char *tmp;

	while (query_next(&params, &qp))
		if (qp.len > 0 && !query_has(*q, &qp)) {
			tmp = xasprintf("%s%s%.*s", *q, **q ? "&" : "",
			    (int)qp.len, qp.start);
			free(*q);
			*q = tmp;
		}
}

/* Replaces u's query with query (which may be empty) by parsing a whole new
 * URL: libcurl 7.88 lowercases percent-escapes when a query is set on its
 * own, not when a whole URL is parsed, and we keep the user's bytes. */
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

int
profile_own_params(const struct profile *pr, const char *url, char *buf,
    size_t n)
{
	CURLU *u = curl_url();
	char *query = NULL;
	const char *p;
	struct query_param qp;
	size_t len = 0;
	int found = 0;

	if (n > 0)
		buf[0] = '\0';
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK)
		for (p = query; query_next(&p, &qp); ) {
			if (qp.len == 0 || !param_is_ours(pr, &qp))
				continue;
			if (len < n)
				len += (size_t)snprintf(buf + len, n - len, "%s%.*s",
				    found ? "&" : "", (int)(qp.len > 40 ? 40 :
				    qp.len), qp.start);
			found++;
		}
	curl_free(query);
	curl_url_cleanup(u);
	return found;
}

CURLU *
profile_base_url(const struct profile *pr, const char *url, char *err,
    size_t errsz)
{
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL, *query = NULL;
	char *q = NULL;
	const char *p;
	struct query_param qp;

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
	/* Fragments are never sent; dropping one keeps the rebuild simple. */
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);

	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	q = xstrdup("");
	for (p = query ? query : ""; query_next(&p, &qp); ) {
		char *tmp;

		if (qp.len == 0 || param_is_ours(pr, &qp))
			continue;
		tmp = xasprintf("%s%s%.*s", q, *q ? "&" : "", (int)qp.len,
		    qp.start);
		free(q);
		q = tmp;
	}
	if (pr->extra_query != NULL)
		add_missing(&q, pr->extra_query);
	if (pr->sort_param != NULL && *pr->sort_param != '\0')
		add_missing(&q, pr->sort_param);
	if (strcmp(q, query ? query : "") != 0 && rebuild_url(u, q) < 0) {
		snprintf(err, errsz, "cannot rebuild the URL");
		goto fail;
	}
	free(q);
	curl_free(query);
	curl_free(scheme);
	return u;
fail:
	free(q);
	curl_free(query);
	curl_free(scheme);
	curl_url_cleanup(u);
	return NULL;
}

static void
append(CURLU *u, const char *name, const char *fmt, long long v)
{
	char param[300];

	snprintf(param, sizeof param, "%s=", name);
	snprintf(param + strlen(param), sizeof param - strlen(param), fmt, v);
	curl_url_set(u, CURLUPART_QUERY, param, CURLU_APPENDQUERY);
}

static char *
url_of(CURLU *u)
{
	char *url = NULL;

	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		url = NULL;
	curl_url_cleanup(u);
	return url;
}

char *
profile_page_url(const struct profile *pr, const CURLU *base, long long offset,
    long limit)
{
	/* libcurl 7.88 declares curl_url_dup without const; it only reads. */
	CURLU *u = curl_url_dup((CURLU *)(uintptr_t)base);
	char param[300];

	if (u == NULL)
		return NULL;
	switch (pr->style) {
	case profile_style_softlayer:
		snprintf(param, sizeof param, "%s=%lld,%ld", pr->offset_param,
		    offset, limit);
		curl_url_set(u, CURLUPART_QUERY, param, CURLU_APPENDQUERY);
		break;
	case profile_style_offset:
		append(u, pr->offset_param, "%lld", offset + pr->base);
		append(u, pr->limit_param, "%lld", limit);
		break;
	case profile_style_page:
		append(u, pr->offset_param, "%lld", offset / limit + pr->base);
		append(u, pr->limit_param, "%lld", limit);
		break;
	case profile_style_cursor:
		if (pr->limit_param != NULL)
			append(u, pr->limit_param, "%lld", limit);
		break;
	case profile_style_range:
	case profile_style_single:
		break;
	}
	return url_of(u);
}

char *
profile_next_url(const struct profile *pr, const CURLU *base, const char *cur,
    const char *next, long limit)
{
	CURLU *u;
	char *param;

	if (pr->cursor_param == NULL) {
		/* A URL, maybe relative: resolve it against the current one. */
		if ((u = curl_url()) == NULL)
			return NULL;
		if (curl_url_set(u, CURLUPART_URL, cur, 0) != CURLUE_OK ||
		    curl_url_set(u, CURLUPART_URL, next, 0) != CURLUE_OK) {
			curl_url_cleanup(u);
			return NULL;
		}
		return url_of(u);
	}
	if ((u = curl_url_dup((CURLU *)(uintptr_t)base)) == NULL)
		return NULL;
	if (pr->limit_param != NULL)
		append(u, pr->limit_param, "%lld", limit);
	/* A token is opaque: encode it. */
	param = xasprintf("%s=%s", pr->cursor_param, next);
	curl_url_set(u, CURLUPART_QUERY, param,
	    CURLU_APPENDQUERY | CURLU_URLENCODE);
	free(param);
	return url_of(u);
}

struct curl_slist *
profile_page_headers(const struct profile *pr, long long offset, long limit)
{
	struct curl_slist *l = NULL, *tmp;
	char range[80];

	if (pr->style != profile_style_range)
		return NULL;
	snprintf(range, sizeof range, "Range: %lld-%lld", offset,
	    offset + limit - 1);
	if ((tmp = curl_slist_append(l, "Range-Unit: items")) != NULL)
		l = tmp;
	if ((tmp = curl_slist_append(l, range)) != NULL)
		l = tmp;
	if (pr->total_header != NULL &&
	    (tmp = curl_slist_append(l, "Prefer: count=exact")) != NULL)
		l = tmp;
	return l;
}

const char *
profile_auth_cookie(const struct profile *pr)
{
	/* Infoblox WAPI: the grid answers Basic credentials with ibapauth,
	 * which then spares it an authentication (RADIUS, AD) a request. */
	return pr->name != NULL && strcmp(pr->name, "infoblox") == 0 ?
	    "ibapauth" : NULL;
}
