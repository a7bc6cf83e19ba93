/* arb-server-private.h: what the route files of the server share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-login-codes.h"
#include "arb-server.h"

G_BEGIN_DECLS

ArbConfig *_arb_server_get_config     (ArbServer         *self);
/* The accepted socket a request came on (for TCP_INFO), or NULL. */
GSocket   *_arb_server_get_message_socket (ArbServer     *self,
                                       SoupServerMessage *msg);
/* Keeps a WebSocket so that shutdown can close it with 1001. */
void       _arb_server_track_socket   (ArbServer         *self,
                                       SoupWebsocketConnection *ws);

/* arb-bot-endpoint.c */
void       _arb_bot_endpoint_register (ArbServer         *self,
                                       SoupServer        *soup);
void       _arb_bot_endpoint_gate     (ArbServer         *self,
                                       SoupServerMessage *msg);

/* arb-stream-endpoint.c */
struct _ArbStream;
struct _ArbStream *_arb_server_get_stream (ArbServer *self);
void       _arb_stream_endpoint_register (ArbServer      *self,
                                       SoupServer        *soup);
void       _arb_stream_endpoint_gate  (ArbServer         *self,
                                       SoupServerMessage *msg);

/* arb-metrics.c */
void       _arb_metrics_register      (ArbServer         *self,
                                       SoupServer        *soup);

/* arb-rest.c */
void       _arb_rest_register         (ArbServer         *self,
                                       SoupServer        *soup);
void       _arb_rest_handle           (ArbServer         *self,
                                       SoupServerMessage *msg,
                                       const char        *path);

/* arb-web.c */
void       _arb_web_register          (ArbServer         *self,
                                       SoupServer        *soup);
ArbLoginCodes *_arb_server_get_login_codes (ArbServer    *self);

G_END_DECLS
