/*
 * profiles.h - one handler per pagination convention, all over the same
 * dataset and wire encoding; and the service endpoints (/truth, /stats,
 * /redirect, /status/NNN) that are not lists.
 *
 * A handler is called once per request with r->view already taken and,
 * for lists, auth, rate limit and latency already applied.  It queues
 * exactly one answer.
 */
#ifndef MOCKAPI_PROFILES_H
#define MOCKAPI_PROFILES_H

#include "mockapi.h"

typedef enum MHD_Result (*prof_handler)(struct req *r);

enum MHD_Result prof_offset(struct req *r);
enum MHD_Result prof_nototal(struct req *r);
enum MHD_Result prof_softlayer(struct req *r);
enum MHD_Result prof_html(struct req *r);
enum MHD_Result prof_object(struct req *r);
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

enum MHD_Result svc_truth(struct req *r);
enum MHD_Result svc_stats(struct req *r);
enum MHD_Result svc_redirect(struct req *r);
enum MHD_Result svc_status(struct req *r);

#endif
