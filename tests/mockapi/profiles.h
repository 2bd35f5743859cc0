/*
 * profiles.h - one handler per pagination convention, all over the same
 * dataset and wire encoding; and the service endpoints (/truth, /stats,
 * /redirect, /redirect-keep, /status/NNN) that are not lists.
 *
 * A handler is called once per request with r->view already taken and,
 * for lists, auth, rate limit and latency already applied.  It queues
 * exactly one answer.
 *
 * quirks.c holds the servers that page in ways a client must not take on
 * trust (offsets ignored, pages too big, next links in unusual fields or
 * on other origins, errors dressed as 200).
 * vendors.c holds vendor APIs copied from the real ones (F5 iControl REST,
 * the ServiceNow Table API).
 */
#ifndef MOCKAPI_PROFILES_H
#define MOCKAPI_PROFILES_H

#include "mockapi.h"

typedef enum MHD_Result (*prof_handler)(struct req *r);

/* Helpers shared by profiles.c and quirks.c. */
uint64_t prof_clamp(uint64_t lim);              /* to --max-limit */
/* How many items a page of lim items at off really holds. */
uint64_t prof_avail(const struct data_view *v, uint64_t off, uint64_t lim);
int prof_flags(const struct req *r);            /* data_array() flags */
void prof_add_u64(struct buf *b, uint64_t x);
/* Appends the URL as a JSON string, or null when u is empty. */
void prof_add_url_or_null(struct buf *b, struct buf *u);
/* Queues a dataset page; counts it for the drift when no fault touched it. */
enum MHD_Result prof_serve(struct req *r, unsigned status,
    struct MHD_Response *resp);

enum MHD_Result prof_offset(struct req *r);
enum MHD_Result prof_nototal(struct req *r);
enum MHD_Result prof_softlayer(struct req *r);
enum MHD_Result prof_html(struct req *r);
enum MHD_Result prof_object(struct req *r);
/* details.c: /items/ID[/rel/NAME], /truth-expand */
enum MHD_Result prof_detail(struct req *r);
enum MHD_Result svc_truth_expand(struct req *r);
enum MHD_Result prof_range(struct req *r);
enum MHD_Result prof_page(struct req *r);
enum MHD_Result prof_drf(struct req *r);
enum MHD_Result prof_drf_late(struct req *r);
enum MHD_Result prof_odata(struct req *r);
enum MHD_Result prof_scim(struct req *r);
enum MHD_Result prof_cursor(struct req *r);
enum MHD_Result prof_cursor_url(struct req *r);
enum MHD_Result prof_cursor_loop(struct req *r);
enum MHD_Result prof_infoblox(struct req *r);
enum MHD_Result prof_meraki(struct req *r);

enum MHD_Result prof_ignore(struct req *r);
enum MHD_Result prof_ignore_nototal(struct req *r);
enum MHD_Result prof_jsonserver(struct req *r);
enum MHD_Result prof_drf_page(struct req *r);
enum MHD_Result prof_biglimit(struct req *r);
enum MHD_Result prof_next_page(struct req *r);
enum MHD_Result prof_odata_next(struct req *r);
enum MHD_Result prof_links_next(struct req *r);
enum MHD_Result prof_has_more(struct req *r);
enum MHD_Result prof_detail_error(struct req *r);

/* vendors.c: vendor APIs as the real ones answer. */
enum MHD_Result prof_f5_pool(struct req *r);
enum MHD_Result prof_f5_version(struct req *r);
enum MHD_Result prof_f5_failover(struct req *r);
enum MHD_Result prof_servicenow(struct req *r);

/* changing.c: a dataset that changes between runs on request. */
enum MHD_Result prof_changing(struct req *r);
enum MHD_Result prof_feathers(struct req *r);
enum MHD_Result svc_changing_reset(struct req *r);
enum MHD_Result svc_changing_mutate(struct req *r);
enum MHD_Result svc_changing_truth(struct req *r);

enum MHD_Result svc_truth(struct req *r);
enum MHD_Result svc_truth_object(struct req *r);
enum MHD_Result svc_stats(struct req *r);
enum MHD_Result svc_redirect(struct req *r);
enum MHD_Result svc_redirect_keep(struct req *r);
enum MHD_Result svc_status(struct req *r);

#endif
