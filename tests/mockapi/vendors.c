/*
 * vendors.c - vendor APIs served the way the real ones answer (see
 * profiles.h): F5 BIG-IP iControl REST and the ServiceNow Table API, plus
 * two iControl endpoints whose answer is a single object, not a list.
 *
 * Same rules as profiles.c: page sizes clamped to --max-limit, fault_gate()
 * asked with the page's offset, totals true, pages served from the
 * request's dataset snapshot.  What is copied from the real APIs, and why:
 *
 *   iControl REST  collections are {"kind","selfLink",...,"items"}; with
 *                  $top the paging fields come before the items and
 *                  nextLink/previousLink after them.  Every link a BIG-IP
 *                  writes says https://localhost, whatever address it was
 *                  asked on, and carries ver=.  A page with no items has no
 *                  "items" member at all (clients written against BIG-IP
 *                  test for it).  Errors are {"code","message","errorStack",
 *                  "apiError"}.
 *   ServiceNow     {"result":[...]}, the total in X-Total-Count, and a Link
 *                  header written without spaces (<URL>;rel="first",...)
 *                  whose URLs keep the other parameters and end with
 *                  sysparm_offset and sysparm_limit; prev and next only
 *                  when they exist, no Link at all when one page holds
 *                  everything.  sysparm_limit defaults to 10000.
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
#define F5_VER "17.1.1"
#define F5_ORIGIN "https://localhost"

/* --- F5 BIG-IP iControl REST --------------------------------------------- */

static enum MHD_Result
f5_error(struct req *r, unsigned status, const char *msg)
{
	struct buf b;
	char tmp[16];

	buf_init(&b, 0);
	snprintf(tmp, sizeof(tmp), "%u", status);
	buf_adds(&b, "{\"code\":");
	buf_adds(&b, tmp);
	buf_adds(&b, ",\"message\":");
	data_json_str(&b, msg);
	buf_adds(&b, ",\"errorStack\":[],\"apiError\":1}");
	return reply_queue(r, status, reply_body(r, &b, JSON, 0));
}

/* Appends, as a JSON string, this request's URL with $skip and $top set
 * (skip NULL: as sent) and ver= added, on https://localhost and without
 * the /f5 prefix, as a BIG-IP writes it. */
static void
f5_link(struct req *r, struct buf *out, const char *skip, const char *top)
{
	struct buf origin, url, link;

	buf_init(&origin, 0);
	buf_init(&url, 0);
	buf_init(&link, 0);
	reply_link_origin(r, &origin);  /* what url starts with */
	if (skip != NULL)
		reply_url(r, &url, "$skip", skip, "$top", top, "ver", F5_VER,
		    NULL);
	else
		reply_url(r, &url, "ver", F5_VER, NULL);
	buf_adds(&link, F5_ORIGIN);
	/* the path a BIG-IP knows: without this server's /f5 */
	if (url.len - origin.len > 3 &&
	    memcmp(url.data + origin.len, "/f5/", 4) == 0)
		origin.len += 3;
	buf_add(&link, url.data + origin.len, url.len - origin.len);
	data_json_str(out, buf_cstr(&link));
	buf_free(&link);
	buf_free(&url);
	buf_free(&origin);
}

/* /f5/mgmt/tm/ltm/pool?$top=N&$skip=M: without $top every item from $skip
 * on, and no paging fields. */
enum MHD_Result
prof_f5_pool(struct req *r)
{
	enum MHD_Result ret;
	uint64_t n = r->view.n, off = 0, lim = 0, cnt;
	char o[24], l[24];
	struct buf b;
	int paged;

	if (reply_arg_u64(r, "$skip", &off) < 0 ||
	    (paged = reply_arg_u64(r, "$top", &lim)) < 0 ||
	    (paged && lim == 0))
		return f5_error(r, 400, "Query parameter $top or $skip is "
		    "not a positive number");
	lim = paged ? prof_clamp(lim) : (off < n ? n - off : 0);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"kind\":\"tm:ltm:pool:poolcollectionstate\","
	    "\"selfLink\":");
	f5_link(r, &b, NULL, NULL);
	if (paged) {
		buf_adds(&b, ",\"currentItemCount\":");
		prof_add_u64(&b, cnt);
		buf_adds(&b, ",\"itemsPerPage\":");
		prof_add_u64(&b, lim);
		buf_adds(&b, ",\"pageIndex\":");
		prof_add_u64(&b, off / lim + 1);
		buf_adds(&b, ",\"startIndex\":");
		prof_add_u64(&b, off + 1);
		buf_adds(&b, ",\"totalItems\":");
		prof_add_u64(&b, n);
		buf_adds(&b, ",\"totalPages\":");
		prof_add_u64(&b, n == 0 ? 0 : (n - 1) / lim + 1);
	}
	if (cnt > 0) {
		buf_adds(&b, ",\"items\":");
		data_array(&b, &r->view, off, cnt, prof_flags(r));
	}
	if (paged) {
		snprintf(l, sizeof(l), "%" PRIu64, lim);
		if (off + cnt < n) {
			snprintf(o, sizeof(o), "%" PRIu64, off + cnt);
			buf_adds(&b, ",\"nextLink\":");
			f5_link(r, &b, o, l);
		}
		if (off > 0) {
			snprintf(o, sizeof(o), "%" PRIu64,
			    off > lim ? off - lim : 0);
			buf_adds(&b, ",\"previousLink\":");
			f5_link(r, &b, o, l);
		}
	}
	buf_addc(&b, '}');
	return prof_serve(r, 200, reply_body(r, &b, JSON, 1));
}

/*
 * /f5/mgmt/tm/sys/version: one object.  The wire form is pretty-printed
 * with escaped slashes; /truth-object serves the canonical line invdump
 * must write for it.  Keep the two in step.
 */
static const char f5_version_wire[] =
    "{\n"
    "    \"kind\": \"tm:sys:version:versionstats\",\n"
    "    \"selfLink\": \"https:\\/\\/localhost\\/mgmt\\/tm\\/sys\\/version"
    "?ver=" F5_VER "\",\n"
    "    \"entries\": {\n"
    "        \"https:\\/\\/localhost\\/mgmt\\/tm\\/sys\\/version\\/0\": {\n"
    "            \"nestedStats\": {\n"
    "                \"entries\": {\n"
    "                    \"Build\": { \"description\": \"0.0.4\" },\n"
    "                    \"Date\": { \"description\": "
    "\"Wed Nov 22 05:49:11 PST 2023\" },\n"
    "                    \"Edition\": { \"description\": "
    "\"Point Release 1\" },\n"
    "                    \"Product\": { \"description\": \"BIG-IP\" },\n"
    "                    \"Title\": { \"description\": \"Main Package\" },\n"
    "                    \"Version\": { \"description\": \"" F5_VER "\" }\n"
    "                }\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n";

static const char f5_version_canon[] =
    "{\"kind\":\"tm:sys:version:versionstats\","
    "\"selfLink\":\"https://localhost/mgmt/tm/sys/version?ver=" F5_VER "\","
    "\"entries\":{\"https://localhost/mgmt/tm/sys/version/0\":"
    "{\"nestedStats\":{\"entries\":{"
    "\"Build\":{\"description\":\"0.0.4\"},"
    "\"Date\":{\"description\":\"Wed Nov 22 05:49:11 PST 2023\"},"
    "\"Edition\":{\"description\":\"Point Release 1\"},"
    "\"Product\":{\"description\":\"BIG-IP\"},"
    "\"Title\":{\"description\":\"Main Package\"},"
    "\"Version\":{\"description\":\"" F5_VER "\"}}}}}}\n";

/* /f5/mgmt/tm/cm/failover-status: the other object a fleet script asks
 * every appliance for; the same wire style as the version's. */
static const char f5_failover_wire[] =
    "{\n"
    "    \"kind\": \"tm:cm:failover-status:failover-statusstats\",\n"
    "    \"selfLink\": \"https:\\/\\/localhost\\/mgmt\\/tm\\/cm\\/"
    "failover-status?ver=" F5_VER "\",\n"
    "    \"entries\": {\n"
    "        \"https:\\/\\/localhost\\/mgmt\\/tm\\/cm\\/failover-status"
    "\\/0\": {\n"
    "            \"nestedStats\": {\n"
    "                \"entries\": {\n"
    "                    \"color\": { \"description\": \"green\" },\n"
    "                    \"status\": { \"description\": \"ACTIVE\" },\n"
    "                    \"summary\": { \"description\": "
    "\"1\\/1 active\" }\n"
    "                }\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n";

static const char f5_failover_canon[] =
    "{\"kind\":\"tm:cm:failover-status:failover-statusstats\","
    "\"selfLink\":\"https://localhost/mgmt/tm/cm/failover-status?ver="
    F5_VER "\","
    "\"entries\":{\"https://localhost/mgmt/tm/cm/failover-status/0\":"
    "{\"nestedStats\":{\"entries\":{"
    "\"color\":{\"description\":\"green\"},"
    "\"status\":{\"description\":\"ACTIVE\"},"
    "\"summary\":{\"description\":\"1/1 active\"}}}}}}\n";

static enum MHD_Result
f5_object(struct req *r, const char *wire)
{
	enum MHD_Result ret;
	struct buf b;

	if (fault_gate(r, 0, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, wire);
	return reply_queue(r, 200, reply_body(r, &b, JSON, 1));
}

enum MHD_Result
prof_f5_version(struct req *r)
{
	return f5_object(r, f5_version_wire);
}

enum MHD_Result
prof_f5_failover(struct req *r)
{
	return f5_object(r, f5_failover_wire);
}

/* /truth-object[?path=P]: the canonical line of the object at P (default
 * /f5/mgmt/tm/sys/version); 404 for a path that serves no object. */
enum MHD_Result
svc_truth_object(struct req *r)
{
	const char *path = reply_arg(r, "path");
	struct buf b;

	buf_init(&b, 0);
	if (path == NULL || strcmp(path, "/f5/mgmt/tm/sys/version") == 0)
		buf_adds(&b, f5_version_canon);
	else if (strcmp(path, "/f5/mgmt/tm/cm/failover-status") == 0)
		buf_adds(&b, f5_failover_canon);
	else {
		buf_free(&b);
		return reply_error(r, 404, "no object at this path");
	}
	return reply_queue(r, 200, reply_body(r, &b,
	    "text/plain; charset=utf-8", 0));
}

/* --- ServiceNow Table API ------------------------------------------------ */

static enum MHD_Result
snow_error(struct req *r, unsigned status, const char *msg)
{
	struct buf b;

	buf_init(&b, 0);
	buf_adds(&b, "{\"error\":{\"message\":");
	data_json_str(&b, msg);
	buf_adds(&b, ",\"detail\":null},\"status\":\"failure\"}");
	return reply_queue(r, status, reply_body(r, &b, JSON, 0));
}

/* Appends <URL>;rel="REL" to link: this request's other parameters, then
 * sysparm_offset and sysparm_limit, as ServiceNow orders them. */
static void
snow_link(struct req *r, struct buf *link, const char *rel, uint64_t off,
    uint64_t lim)
{
	struct buf url;
	char tmp[64];

	buf_init(&url, 0);
	reply_url(r, &url, "sysparm_offset", NULL, "sysparm_limit", NULL,
	    NULL);
	snprintf(tmp, sizeof(tmp), "%csysparm_offset=%" PRIu64
	    "&sysparm_limit=%" PRIu64, strchr(buf_cstr(&url), '?') ? '&' : '?',
	    off, lim);
	buf_adds(&url, tmp);
	if (link->len != 0)
		buf_addc(link, ',');
	buf_addc(link, '<');
	buf_add(link, url.data, url.len);
	buf_adds(link, ">;rel=\"");
	buf_adds(link, rel);
	buf_addc(link, '"');
	buf_free(&url);
}

/* /servicenow/api/now/table/cmdb_ci?sysparm_offset=O&sysparm_limit=L. */
enum MHD_Result
prof_servicenow(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	uint64_t n = r->view.n, off = 0, lim = 10000, cnt;
	struct buf b, link;

	if (reply_arg_u64(r, "sysparm_offset", &off) < 0 ||
	    reply_arg_u64(r, "sysparm_limit", &lim) < 0 || lim == 0)
		return snow_error(r, 400, "Invalid sysparm_offset or "
		    "sysparm_limit");
	lim = prof_clamp(lim);
	cnt = prof_avail(&r->view, off, lim);
	if (fault_gate(r, off, &ret))
		return ret;
	buf_init(&b, 0);
	buf_adds(&b, "{\"result\":");
	data_array(&b, &r->view, off, cnt, prof_flags(r));
	buf_addc(&b, '}');
	resp = reply_body(r, &b, JSON, 1);
	reply_header(resp, "X-Total-Count", "%" PRIu64, n);
	if (n > 0 && (off > 0 || n > lim)) {
		buf_init(&link, 0);
		snow_link(r, &link, "first", 0, lim);
		if (off > 0)
			snow_link(r, &link, "prev", off > lim ? off - lim : 0,
			    lim);
		if (off + cnt < n)
			snow_link(r, &link, "next", off + lim, lim);
		snow_link(r, &link, "last", (n - 1) / lim * lim, lim);
		MHD_add_response_header(resp, "Link", buf_cstr(&link));
		buf_free(&link);
	}
	return prof_serve(r, 200, resp);
}
