/*
 * session.h - the test server's logins and tokens (session.c): --session
 * SPEC, the login, logout and counter endpoints, and the gate every list
 * request passes when sessions are on.
 */
#ifndef MOCKAPI_SESSION_H
#define MOCKAPI_SESSION_H

#include "mockapi.h"

/* Reads --session SPEC; -1 when it cannot be read. */
int mock_session_config(const char *spec);
/* Was --session given? */
int mock_session_on(void);
/* Is method url one of the session's endpoints (a login, a logout,
 * /session/counter)? */
int mock_session_route(const char *method, const char *url);
/* Answers it (r->upload holds a login's body). */
enum MHD_Result mock_session_serve(struct req *r, const char *method,
    const char *url);
/* A list request's token (or cookie, or Basic credentials): 0 when it
 * may pass, 1 when it was refused (*ret: the queued answer's result). */
int mock_session_gate(struct req *r, enum MHD_Result *ret);

#endif
