/* arb-server.c: the embedded HTTP and WebSocket server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-server"

#include "config.h"

#include <string.h>

#include "arb-login-codes.h"
#include "arb-server-private.h"
#include "arb-stream.h"

struct _ArbServer
{
  GObject     parent_instance;

  ArbEngine  *engine;
  ArbConfig  *config;    /* the engine's, borrowed */
  SoupServer *soup;
  GPtrArray  *sockets;   /* SoupWebsocketConnection*, open ones */
  ArbStream  *stream;
  ArbLoginCodes *login_codes;
  guint       port;
};

G_DEFINE_FINAL_TYPE (ArbServer, arb_server, G_TYPE_OBJECT)

static void
arb_server_dispose (GObject *object)
{
  ArbServer *self = ARB_SERVER (object);

  arb_server_shutdown (self);
  g_clear_object (&self->soup);
  g_clear_object (&self->stream);
  g_clear_object (&self->login_codes);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->sockets, g_ptr_array_unref);

  G_OBJECT_CLASS (arb_server_parent_class)->dispose (object);
}

static void
arb_server_class_init (ArbServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_server_dispose;
}

static void
arb_server_init (ArbServer *self)
{
  self->sockets = g_ptr_array_new_with_free_func (g_object_unref);
}

/* libsoup answers a request it cannot parse (a malformed %-escape in the
 * URL, say) with a bare 400 before any handler runs, and then closes the
 * connection without saying so, which makes keep-alive clients fail their
 * next request. So every response starts out as that error, with the
 * protocol's body and "Connection: close", and a request that parses
 * ("got-headers") takes both away again. */
static const char unparsable[] =
  "{\"error\":{\"code\":\"bad_request\",\"message\":\"the request is not valid HTTP (for "
  "instance a malformed %-escape in the URL)\"}}";

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* an early handler may have answered already: keep its answer */
  if (soup_server_message_get_status (msg) != 0)
    return;
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_remove (headers, "Content-Type");
  soup_message_headers_remove (headers, "Connection");
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, ArbServer *self)
{
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, unparsable,
                                    sizeof unparsable - 1);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), NULL);
}

/**
 * arb_server_new:
 * @engine: the core to serve
 *
 * Returns: (transfer full): a server, not yet listening
 */
ArbServer *
arb_server_new (ArbEngine *engine)
{
  ArbServer *self = g_object_new (ARB_TYPE_SERVER, NULL);
  g_autofree char *header = g_strdup_printf ("arbdash/%s ", PACKAGE_VERSION);

  self->engine = g_object_ref (engine);
  self->config = (ArbConfig *) arb_engine_get_config (engine);
  self->soup = soup_server_new ("server-header", header, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  _arb_rest_register (self, self->soup);
  _arb_bot_endpoint_register (self, self->soup);
  self->stream = arb_stream_new (engine, self->config);
  _arb_stream_register (self, self->soup);
  _arb_metrics_register (self, self->soup);
  _arb_web_register (self, self->soup);
  {
    g_autofree char *codes = arb_login_codes_path_for_db (self->config->db_path);
    self->login_codes = arb_login_codes_new (codes,
                                             (gint64) ARB_LOGIN_CODE_SECONDS * G_USEC_PER_SEC);
  }
  return self;
}

ArbEngine *
arb_server_get_engine (ArbServer *self)
{
  return self->engine;
}

ArbStream *
_arb_server_get_stream (ArbServer *self)
{
  return self->stream;
}

ArbConfig *
_arb_server_get_config (ArbServer *self)
{
  return self->config;
}

static void
socket_closed (SoupWebsocketConnection *ws, ArbServer *self)
{
  g_ptr_array_remove_fast (self->sockets, ws);
}

void
_arb_server_track_socket (ArbServer               *self,
                          SoupWebsocketConnection *ws)
{
  g_ptr_array_add (self->sockets, g_object_ref (ws));
  g_signal_connect_object (ws, "closed", G_CALLBACK (socket_closed), self, 0);
}

static gboolean
is_loopback (GInetAddress *address)
{
  return g_inet_address_get_is_loopback (address);
}

/**
 * arb_server_bind_socket:
 * @address: an IP address
 * @port: a port, or 0 for a free one
 * @error: where to put an error
 *
 * Binds and listens before anything else is ready: the kernel then queues
 * connections that come while the dashboard starts (after a crash, say),
 * instead of refusing them.
 *
 * Returns: (transfer full) (nullable): the listening socket
 */
GSocket *
arb_server_bind_socket (const char  *address,
                        guint        port,
                        GError     **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) where = NULL;
  g_autoptr(GSocket) sock = NULL;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address to listen on", address);
      return NULL;
    }
  if (port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "port %u is out of range",
                   port);
      return NULL;
    }
  where = g_inet_socket_address_new (inet, port);
  sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL || !g_socket_bind (sock, where, TRUE, error))
    return NULL;
  g_socket_set_listen_backlog (sock, 128);
  if (!g_socket_listen (sock, error))
    return NULL;
  return g_steal_pointer (&sock);
}

gboolean
arb_server_listen_socket (ArbServer  *self,
                          GSocket    *sock,
                          GError    **error)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (sock, error);
  GInetAddress *inet;

  g_return_val_if_fail (ARB_IS_SERVER (self), FALSE);

  if (local == NULL || !soup_server_listen_socket (self->soup, sock, 0, error))
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  if (!is_loopback (inet))
    {
      g_autofree char *text = g_inet_address_to_string (inet);
      g_printerr ("arbdash: warning: listening on %s without TLS: tokens and trading data "
                  "cross the network in clear text; put a TLS proxy in front (see "
                  "docs/deployment.md)%s\n", text,
                  self->config->tokens->len == 0 ? ", and no tokens are configured" : "");
    }
  return TRUE;
}

gboolean
arb_server_listen (ArbServer   *self,
                   const char  *address,
                   guint        port,
                   GError     **error)
{
  g_autoptr(GSocket) sock = arb_server_bind_socket (address, port, error);

  return sock != NULL && arb_server_listen_socket (self, sock, error);
}

guint
arb_server_get_port (ArbServer *self)
{
  return self->port;
}

char *
arb_server_dup_url (ArbServer *self)
{
  const char *address = self->config->listen_address;

  /* a wildcard address is not somewhere a browser can go */
  if (g_strcmp0 (address, "0.0.0.0") == 0 || g_strcmp0 (address, "::") == 0)
    address = "127.0.0.1";
  if (strchr (address, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%u/", address, self->port);
  return g_strdup_printf ("http://%s:%u/", address, self->port);
}

ArbLoginCodes *
_arb_server_get_login_codes (ArbServer *self)
{
  return self->login_codes;
}

/**
 * arb_server_new_login_link:
 * @self: a listening server
 *
 * Returns: (transfer full): a one-time sign-in link for the operator role,
 *   http://HOST:PORT/#login=CODE (the fragment never reaches a server log)
 */
char *
arb_server_new_login_link (ArbServer *self)
{
  g_autofree char *url = arb_server_dup_url (self);
  g_autofree char *code = arb_login_codes_issue (self->login_codes, g_get_real_time ());

  return g_strconcat (url, "#login=", code, NULL);
}

guint
arb_server_get_n_sockets (ArbServer *self)
{
  return self->sockets->len;
}

void
arb_server_shutdown (ArbServer *self)
{
  g_return_if_fail (ARB_IS_SERVER (self));

  if (self->soup == NULL)
    return;
  /* commit and ack what the bots sent, then say goodbye */
  if (self->engine != NULL)
    arb_engine_shutdown (self->engine);
  for (guint i = self->sockets->len; i > 0; i--)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (self->sockets, i - 1);
      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (ws, 1001, "the dashboard is shutting down");
    }
  soup_server_disconnect (self->soup);
}
