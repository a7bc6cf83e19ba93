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
/* Browsers send Origin; a page of another origin must not reach us. */
gboolean  arb_http_origin_allowed (SoupServerMessage *msg,
                                  ArbConfig         *config);

/* Browser sessions: a cookie that stands for a viewer or operator token. */
#define ARB_SESSION_COOKIE  "arbdash_session"
#define ARB_SESSION_SECONDS (12 * 3600)
/* The session ends with the token called @token_name (arb_config_remove_token()).
 * A %NULL @token_name is a session from a one-time sign-in link, named so in the audit. */
#define ARB_SESSION_LINK_NAME "sign-in link"
const char *arb_http_session_start (ArbConfig         *config,
                                    ArbRole            role,
                                    const char        *token_name);
void      arb_http_session_end   (SoupServerMessage *msg);
ArbRole   arb_http_peek_role     (SoupServerMessage *msg,
                                  ArbConfig         *config);

/* /metrics: one sample of @family per (code, endpoint) of the errors answered. */
void      arb_http_foreach_error (GString           *out,
                                  const char        *family);

/* Pausing for asynchronous answers, safe if the client went away. */
void      arb_http_pause         (SoupServerMessage *msg);
gboolean  arb_http_resume        (SoupServerMessage *msg);

G_END_DECLS
