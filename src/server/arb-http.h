/* arb-http.h: helpers shared by the server's routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "arb-config.h"
#include "arb-event.h"

G_BEGIN_DECLS

/* A WebSocket message, all its fragments together, on either endpoint: frames
 * above the protocol's 64 KiB get an error and the connection stays; only
 * messages above this are cut with 1009, to bound memory per connection. */
#define ARB_WS_MAX_MESSAGE_BYTES (4 * 1024 * 1024)
/* Pings that keep idle WebSockets open through proxies, in seconds. */
#define ARB_WS_KEEPALIVE_S       20
/* The WebSocket subprotocol of both endpoints (PROTOCOL.md). */
#define ARB_WS_PROTOCOL          "arbdash.v1"

void      arb_http_send_json     (SoupServerMessage *msg,
                                  guint              status,
                                  JsonNode          *body);
/* Takes @json, the text of a JSON value. */
void      arb_http_send_text     (SoupServerMessage *msg,
                                  guint              status,
                                  char              *json);
void      arb_http_send_error    (SoupServerMessage *msg,
                                  ArbErrorCode       code,
                                  const char        *field,
                                  const char        *message);
void      arb_http_send_error_status (SoupServerMessage *msg,
                                  guint              status,
                                  ArbErrorCode       code,
                                  const char        *field,
                                  const char        *message);
/* The bearer token of a request: the Authorization header, else the
 * bearer.TOKEN WebSocket subprotocol. NULL if none. */
char     *arb_http_dup_token     (SoupServerMessage *msg);
/* Checks the token against @need; on refusal answers 401/403 and returns
 * FALSE. @name gets the token's name. */
gboolean  arb_http_authorize     (SoupServerMessage *msg,
                                  ArbConfig         *config,
                                  ArbRole            need,
                                  ArbRole           *role,
                                  const char       **name);
/* Checks @token as arb_config_check_token() does, for its peer: a peer that
 * sent too many wrong ones gets 429 (Retry-After) and FALSE, without the
 * token being compared. Otherwise TRUE, with @role ARB_ROLE_NONE for a wrong
 * token (counted). */
gboolean  arb_http_verify_token  (SoupServerMessage *msg,
                                  ArbConfig         *config,
                                  const char        *token,
                                  ArbRole           *role,
                                  const char       **name);
/* Forgets the wrong tokens counted so far (a server made again in one process: tests). */
void      arb_http_forget_failures (void);
/* Browsers send Origin; a page of another origin must not reach us. A
 * missing Origin is accepted (non-browser clients). Ours: http:// with one of
 * the names arb_http_host_allowed() takes and the connection's port, a name
 * of allowed-hosts, or an entry of allowed-origins. */
gboolean  arb_http_origin_allowed (SoupServerMessage *msg,
                                  ArbConfig         *config);
/* Whether the Host names this dashboard: the address the connection reached
 * (with no port or its port), "localhost", "127.0.0.1" and "::1" on loopback,
 * or an entry of allowed-hosts. Anything else may be a DNS-rebinding page. */
gboolean  arb_http_host_allowed  (SoupServerMessage *msg,
                                  ArbConfig         *config);
/* Answers 403 (and closes) when the Host is foreign; returns whether it did. */
gboolean  arb_http_refuse_foreign_host (SoupServerMessage *msg,
                                  ArbConfig         *config);

/* Browser sessions: a cookie that stands for a viewer or operator token. */
#define ARB_SESSION_COOKIE  "arbdash_session"
#define ARB_SESSION_SECONDS (12 * 3600)
/* At most this many per token and in all: a new one ends the oldest. */
#define ARB_SESSIONS_PER_TOKEN 32
#define ARB_SESSIONS_MAX       4096
/* The session ends with the token called @token_name (arb_config_remove_token()). */
const char *arb_http_session_start (ArbConfig         *config,
                                    ArbRole            role,
                                    const char        *token_name);
/* Ends the request's session; with a cookie, only from our own Origin: else
 * answers 403 and returns FALSE. */
gboolean  arb_http_session_end   (SoupServerMessage *msg,
                                  ArbConfig         *config);
guint     arb_http_get_n_sessions (void);
/* A session from a one-time sign-in link has no token: it is named so in the audit. */
#define ARB_SESSION_LINK_NAME "sign-in link"
/* The role of the request's token or session (ARB_ROLE_NONE: signed out), or
 * FALSE after answering 429 when the peer sent too many wrong tokens. */
gboolean  arb_http_peek_role     (SoupServerMessage *msg,
                                  ArbConfig         *config,
                                  ArbRole           *role);

/* An exact path a handler serves, kept as it is: its errors are counted
 * under it (the rest under "other"). */
void      arb_http_name_endpoint (const char        *path);

/* /metrics: one sample of @family per (code, endpoint) of the errors answered. */
void      arb_http_foreach_error (GString           *out,
                                  const char        *family);

/* Pausing for asynchronous answers, safe if the client went away. */
void      arb_http_pause         (SoupServerMessage *msg);
gboolean  arb_http_resume        (SoupServerMessage *msg);

G_END_DECLS
