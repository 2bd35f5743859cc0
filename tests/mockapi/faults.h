/*
 * faults.h - faults injected into list responses on demand (--fault).
 *
 * A fault spec is KIND[:RATE[:TIMES]][@FROM[-[TO]]].  A page (identified by
 * its offset in the dataset) is picked when a hash of (seed, kind, offset)
 * falls below RATE, and then faulted for the first TIMES requests of that
 * page only, so a client that retries gets the good page and the data stays
 * unchanged.  With @, only pages whose offset is FROM (@FROM), FROM..TO
 * (@FROM-TO, inclusive) or at least FROM (@FROM-) can be picked.
 */
#ifndef MOCKAPI_FAULTS_H
#define MOCKAPI_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "mockapi.h"

enum fault_kind {
	fault_none = 0,
	/* replace the whole answer */
	fault_500,
	fault_503,
	fault_429,
	fault_429date,
	fault_403rl,
	fault_403ra,
	fault_503ra0,
	fault_503ra1,
	fault_404,
	fault_html502,
	fault_errorobj,
	fault_huge,
	fault_deep,
	/* change the good answer's body or its delivery */
	fault_drop,
	fault_stall,
	fault_gzip_trunc,
	fault_gzip_half,
	fault_badutf8
};

/* Parses and records one --fault spec; returns -1 when it is not valid. */
int fault_add(const char *spec);
/* Frees what the fault table holds; the daemon must be stopped. */
void fault_free(void);

/*
 * Decides whether the page at offset `key` is faulted for this request,
 * having first let --hold-first hold it (mock_hold; key 0 only).
 * Returns 1 when a replacement answer was queued (its result in *ret);
 * returns 0 otherwise, having set r->fault to a body fault or fault_none.
 */
int fault_gate(struct req *r, uint64_t key, enum MHD_Result *ret);

/* A response delivering data (len bytes, taken over) with the drop or stall
 * fault: the full Content-Length is declared either way. */
struct MHD_Response *fault_stream(int kind, char *data, size_t len);

#endif
