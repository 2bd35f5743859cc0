/*
 * check.c - what every page must be, whatever the server says.
 *
 * Owns the checks that catch a server paging differently from what the
 * profile says: a page larger than asked for, a page that starts with the
 * first page's first item (the paging parameter is ignored), a first page
 * whose next link moves with another parameter.  Pure functions of what
 * was fetched: they never fetch, never write, and only the caller decides
 * the exit status (see doc/DESIGN.md, "Checks").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "log.h"
#include "query.h"
#include "run.h"

/* How the profile names the position of a page, for messages: "offset=",
 * "page=", "resultLimit=", "the Range header". */
static const char *
position_name(const struct profile *pr, char *buf, size_t n)
{
	if (pr->style == profile_style_range)
		return "the Range header";
	if (profile_sequential(pr))
		return "the cursor";
	snprintf(buf, n, "%s=", pr->offset_param);
	return buf;
}

static const char *
size_name(const struct profile *pr, char *buf, size_t n)
{
	if (pr->style == profile_style_range)
		return "the Range header";
	if (pr->style == profile_style_softlayer)
		return "resultLimit=";
	snprintf(buf, n, "%s=", pr->limit_param ? pr->limit_param : "limit");
	return buf;
}

/* What the usual way out is when a server does not page as the profile
 * says. */
#define PAGING_HINTS "json-server pages with --offset-param _start " \
	"--limit-param _limit; an API whose pages name their next one (DRF " \
	"page numbers, OData server paging) is followed with -p cursor"


/*
 * The checks every page must pass, whatever the plan: no more items than
 * asked for, and (past the first) not the first page's first item again.
 * Returns 0, or -1 with the reason in msg (exit_protocol).
 */
int
check_page(const struct export *ex, long long seq, long long offset,
    const struct pool_page *page, char *msg, size_t msgsz)
{
	const struct profile *pr = &ex->t->profile;
	uint64_t h;
	char name[80];

	if (!profile_sequential(pr) &&
	    page->items > ex->plan.page_size) {
		snprintf(msg, msgsz, "offset %lld: %lld items where at most %ld "
		    "were asked for: the server does not honour %s (check "
		    "--limit-param and -p; %s)", offset, page->items,
		    ex->plan.page_size, size_name(pr, name, sizeof name),
		    PAGING_HINTS);
		return -1;
	}
	if (seq > 0 && ex->has_first && page->hashes.len >= sizeof h) {
		memcpy(&h, page->hashes.data, sizeof h);
		if (h == ex->first_hash) {
			if (profile_sequential(pr))
				snprintf(msg, msgsz, "page %lld starts with the "
				    "first page's first item: the server ignores "
				    "the cursor it was sent (check --cursor-param "
				    "and --next-path)", seq + 1);
			else
				snprintf(msg, msgsz, "offset %lld starts with the "
				    "same item as offset 0: the server ignores %s "
				    "(check --offset-param and -p; %s)", offset,
				    position_name(pr, name, sizeof name),
				    PAGING_HINTS);
			return -1;
		}
	}
	return 0;
}

/* Resolves next against the URL it came from; curl-allocated or NULL. */
char *
check_resolve_url(const char *from, const char *next)
{
	CURLU *u = curl_url();
	char *url = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, from, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, next, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		url = NULL;
	curl_url_cleanup(u);
	return url;
}

/*
 * How next's query differs from page's: *moved is set when the parameter
 * name has a value in next other than in page (or only in next); the
 * first other parameter that differs goes to buf as "name=value".
 * Returns 1 when such another parameter exists.
 */
static int
changed_params(const char *page, const char *next, const char *name,
    int *moved, char *buf, size_t n)
{
	CURLU *u = curl_url(), *v = curl_url();
	char *q1 = NULL, *q2 = NULL;
	const char *c1, *c2;
	struct query_param a, b;
	int found = 0, same;

	*moved = 0;
	if (u == NULL || v == NULL ||
	    curl_url_set(u, CURLUPART_URL, page, 0) != CURLUE_OK ||
	    curl_url_set(v, CURLUPART_URL, next, 0) != CURLUE_OK ||
	    curl_url_get(v, CURLUPART_QUERY, &q2, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_QUERY, &q1, 0) != CURLUE_OK)
		q1 = NULL;
	for (c2 = q2; query_next(&c2, &b); ) {
		same = 0;
		for (c1 = q1 != NULL ? q1 : ""; !same && query_next(&c1, &a); )
			same = a.len == b.len && memcmp(a.start, b.start,
			    a.len) == 0;
		if (same)
			continue;
		if (query_name_is(&b, name))
			*moved = 1;
		else if (!found) {
			snprintf(buf, n, "%.*s", (int)(b.len > 60 ? 60 : b.len),
			    b.start);
			found = 1;
		}
	}
out:
	curl_free(q1);
	curl_free(q2);
	curl_url_cleanup(u);
	curl_url_cleanup(v);
	return found;
}

/*
 * The first page of an offset-style profile named its next page (a body
 * field or Link rel="next"): if that link moves with a parameter other than
 * the profile's, the server pages another way and every page we would ask
 * for by offset could be the first one again.  Returns 0, or -1 after
 * saying so.
 */
int
check_next_link(const struct export *ex, const struct fetch_info *info)
{
	const struct profile *pr = &ex->t->profile;
	const char *next, *from;
	char *url, *shown, param[80], name[80];
	int bad, moved;

	if (profile_sequential(pr) || pr->style == profile_style_range)
		return 0;
	if (info->guesses == 1 && info->guess != NULL) {
		next = info->guess;
		from = info->guess_name;
	} else if (info->link_next != NULL) {
		next = info->link_next;
		from = "Link rel=\"next\"";
	} else
		return 0;
	if ((url = check_resolve_url(info->url, next)) == NULL)
		return 0;       /* a token, not a link: nothing to compare */
	bad = changed_params(info->url, url, pr->offset_param, &moved, param,
	    sizeof param) && !moved;
	if (bad) {
		shown = log_redact_url(url);
		log_error("offset 0: the response's next page (%s: %s) moves "
		    "with %s, not with %s: the server does not page the way "
		    "-p %s says, and asking by offset would fetch the first "
		    "page again and again; follow its next links instead: -p "
		    "cursor%s%s%s%s%s", from, shown, param,
		    position_name(pr, name, sizeof name), pr->name,
		    info->link_next != NULL && next == info->link_next ? "" :
		    " --next-path ", info->link_next != NULL &&
		    next == info->link_next ? "" : from,
		    pr->items_path != NULL && *pr->items_path != '\0' ?
		    " --items-path " : "", pr->items_path != NULL ?
		    pr->items_path : "", pr->total_path != NULL ?
		    " (and --total-path to keep the count checked)" : "");
		free(shown);
	}
	curl_free(url);
	return bad ? -1 : 0;
}

/* Is a page of n items, job seq, the end of a planned or probed run? */
enum pool_work
check_end(struct export *ex, long long seq, long long offset, long long n)
{
	long long min, max;

	if (ex->npages == POOL_NO_END) {
		/* Probing: the first page that is not full is the last. */
		if (n == 0)
			return pool_work_end;
		return n < ex->plan.page_size ? pool_work_last : pool_work_done;
	}
	plan_expect(&ex->plan, seq, &min, &max);
	if (n < min) {
		atomic_fetch_add(&ex->short_pages, 1);
		fail_warn(ex, "offset %lld: %lld items where %lld were due "
		    "(page %lld of %lld)%s", offset, n, min, seq + 1, ex->npages,
		    seq + 1 < ex->npages ? ": the run ends here (the total was "
		    "wrong, or items were deleted during the export)" : "");
		/* Nothing past a page that is not full can be trusted to
		 * follow on from it: no requests to a planned end that a
		 * bogus total put at 2^63. */
		if (seq + 1 < ex->npages)
			return n == 0 ? pool_work_end : pool_work_last;
	} else if (n > max) {
		atomic_fetch_add(&ex->long_pages, 1);
		fail_warn(ex, "offset %lld: %lld items where %lld were due (items were "
		    "added during the export?)", offset, n, max);
	}
	return pool_work_done;
}
