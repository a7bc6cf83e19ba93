/* arb-bot-endpoint.c: the bots' WebSocket, /api/v1/bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each connection is a transport for one ArbSession of the ingest: text
 * frames go in, the session's frames go out. Refusals (token, role,
 * Origin) happen before the upgrade, as plain HTTP answers.
 */
#define G_LOG_DOMAIN "arb-bot-endpoint"

#include "config.h"

#include "arb-http.h"
#include "arb-server-private.h"

#define BOT_IDS_KEY     "arb-bot-ids"

typedef struct
{
  SoupWebsocketConnection *ws;
  ArbSession              *session;
} BotConn;

static void
conn_send (gpointer transport, const char *text, gsize len)
{
  BotConn *c = transport;

  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (c->ws, text);
}

static void
conn_close (gpointer transport, gushort code, const char *reason)
{
  BotConn *c = transport;

  if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (c->ws, code, reason);
}

static const ArbSessionVTable conn_vtable = { conn_send, conn_close };

static void
on_message (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message,
            BotConn *c)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (c->session == NULL)
    return;
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      arb_session_reject (c->session, ARB_ERROR_BAD_REQUEST, NULL,
                          "binary frames are not part of the protocol: send JSON text", data,
                          len);
      return;
    }
  arb_session_receive_text (c->session, data, len);
}

static void
on_closed (SoupWebsocketConnection *ws, BotConn *c)
{
  if (c->session != NULL)
    arb_session_closed (g_steal_pointer (&c->session));
}

static void
conn_free (gpointer data, GClosure *closure)
{
  BotConn *c = data;

  if (c->session != NULL)
    arb_session_closed (g_steal_pointer (&c->session));
  g_free (c);
}

static void
bot_socket (SoupServer *soup, SoupServerMessage *msg, const char *path,
            SoupWebsocketConnection *ws, gpointer data)
{
  ArbServer *self = data;
  ArbIngest *ingest = arb_engine_get_ingest (arb_server_get_engine (self));
  BotConn *c = g_new0 (BotConn, 1);

  c->ws = ws;
  c->session = arb_ingest_open_session (ingest, &conn_vtable, c);
  arb_session_set_bot_ids (c->session, g_object_get_data (G_OBJECT (msg), BOT_IDS_KEY));
  soup_websocket_connection_set_max_incoming_payload_size (ws, ARB_WS_MAX_MESSAGE_BYTES);
  soup_websocket_connection_set_keepalive_interval (ws, ARB_WS_KEEPALIVE_S);
  _arb_server_track_socket (self, ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), c);
  /* the connection holds the BotConn; it goes when the connection goes */
  g_signal_connect_data (ws, "closed", G_CALLBACK (on_closed), c, conn_free, 0);
}

/* Runs before the upgrade, for the exact path (the server's /api
 * dispatcher): refuse here, with a plain HTTP status. */
void
_arb_bot_endpoint_gate (ArbServer         *self,
                        SoupServerMessage *msg)
{
  ArbConfig *config = _arb_server_get_config (self);
  const char *name = NULL;
  const ArbToken *token;

  if (!arb_http_origin_allowed (msg, config))
    {
      arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL,
                           "WebSocket upgrades from another origin are refused");
      return;
    }
  if (!arb_http_authorize (msg, config, ARB_ROLE_BOT, NULL, &name))
    return;
  /* the token's binding as it is now: the connection keeps it, as it keeps its role */
  token = arb_config_find_token (config, name);
  if (token != NULL && token->bot_ids != NULL)
    g_object_set_data_full (G_OBJECT (msg), BOT_IDS_KEY, g_strdupv (token->bot_ids),
                            (GDestroyNotify) g_strfreev);
  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    arb_http_send_error_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, ARB_ERROR_BAD_REQUEST, NULL,
                                "the bot endpoint is a WebSocket (GET with Upgrade)");
}

void
_arb_bot_endpoint_register (ArbServer  *self,
                            SoupServer *soup)
{
  /* a client that offers subprotocols ("arbdash.v1, bearer.TOKEN") must get
   * one chosen in the answer, or browsers drop the connection */
  char *protocols[] = { (char *) ARB_WS_PROTOCOL, NULL };

  arb_http_name_endpoint ("/api/v1/bot");
  soup_server_add_websocket_handler (soup, "/api/v1/bot", NULL, protocols, bot_socket, self,
                                     NULL);
}
