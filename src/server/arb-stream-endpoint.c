/* arb-stream-endpoint.c: the viewers' WebSocket, /api/v1/stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gate before the upgrade (Origin, token, role) and the hand-over of
 * the connection to the server's ArbStream. Kept apart from arb-stream.c so
 * that the stream knows nothing of the server that owns it.
 */
#define G_LOG_DOMAIN "arb-stream"

#include "config.h"

#include "arb-http.h"
#include "arb-server-private.h"
#include "arb-stream.h"

#define ROLE_KEY  "arb-role"
#define TOKEN_KEY "arb-token-name"

/* Runs before the upgrade, for the exact path (the server's /api
 * dispatcher): refuse here, with a plain HTTP status. */
void
_arb_stream_endpoint_gate (ArbServer         *server,
                           SoupServerMessage *msg)
{
  ArbConfig *config = _arb_server_get_config (server);
  ArbRole role = ARB_ROLE_NONE;
  const char *name = NULL;

  if (!arb_http_origin_allowed (msg, config))
    {
      arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL,
                           "WebSocket upgrades from another origin are refused");
      return;
    }
  if (!arb_http_authorize (msg, config, ARB_ROLE_VIEWER, &role, &name))
    return;
  g_object_set_data (G_OBJECT (msg), ROLE_KEY, GINT_TO_POINTER (role));
  g_object_set_data_full (G_OBJECT (msg), TOKEN_KEY, g_strdup (name), g_free);
}

static void
stream_socket (SoupServer *soup, SoupServerMessage *msg, const char *path,
               SoupWebsocketConnection *ws, gpointer data)
{
  ArbServer *server = data;

  _arb_server_track_socket (server, ws);
  arb_stream_add_viewer (_arb_server_get_stream (server), ws,
                         _arb_server_get_message_socket (server, msg),
                         GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), ROLE_KEY)),
                         g_object_get_data (G_OBJECT (msg), TOKEN_KEY));
}

void
_arb_stream_endpoint_register (ArbServer  *server,
                               SoupServer *soup)
{
  static const char *protocols[] = { ARB_WS_PROTOCOL, NULL };

  arb_http_name_endpoint ("/api/v1/stream");
  soup_server_add_websocket_handler (soup, "/api/v1/stream", NULL, (char **) protocols,
                                     stream_socket, server, NULL);
}
