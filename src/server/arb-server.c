/* arb-server.c: the embedded HTTP and WebSocket server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-server"

#include "config.h"

#include <string.h>

#include "arb-http.h"
#include "arb-listener.h"
#include "arb-login-codes.h"
#include "arb-server-private.h"
#include "arb-stream.h"

/* Bodies of the routes that take one besides POST /events (whose limit is
 * the configuration's): a session token, a command. */
#define SMALL_BODY_BYTES (16 * 1024)

struct _ArbServer
{
  GObject     parent_instance;

  ArbEngine  *engine;
  ArbConfig  *config;    /* the engine's, borrowed */
  SoupServer *soup;
  GPtrArray  *sockets;   /* SoupWebsocketConnection*, open ones */
  ArbStream  *stream;
  ArbListener *listener;
  ArbLoginCodes *login_codes;
  guint       port;
};

G_DEFINE_FINAL_TYPE (ArbServer, arb_server, G_TYPE_OBJECT)

static void
arb_server_dispose (GObject *object)
{
  ArbServer *self = ARB_SERVER (object);

  /* its own connections only: the engine is not the server's to stop */
  if (self->soup != NULL)
    arb_server_shutdown (self);
  g_clear_pointer (&self->listener, arb_listener_free);
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

#define BODY_LEFT_KEY "arb-body-left"

/* The most a request may carry, from its method and path: 0 for none. */
static gsize
body_limit (ArbServer *self, SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  if (g_strcmp0 (method, "POST") != 0 && g_strcmp0 (method, "PUT") != 0 &&
      g_strcmp0 (method, "PATCH") != 0)
    return 0;
  if (g_strcmp0 (path, "/api/v1/events") == 0)
    return self->config->limits.max_body_bytes;
  /* the session, commands, and whatever gets a 404 or 405 */
  return SMALL_BODY_BYTES;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL;
}

/* What request smuggling needs: framing that two parsers may read two
 * ways. libsoup takes some of these shapes without a word. */
static const char *
ambiguous_framing (SoupMessageHeaders *headers)
{
  SoupMessageHeadersIter iter;
  const char *name, *value, *length = NULL;
  guint n_host = 0, n_encoding = 0;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      for (const char *p = name; *p != '\0'; p++)
        if (!is_token_char (*p))
          return "a header name is not a token (a space before the colon?)";
      if (g_ascii_strcasecmp (name, "Host") == 0)
        n_host++;
      else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
        n_encoding++;
      else if (g_ascii_strcasecmp (name, "Content-Length") == 0)
        {
          if (*value == '\0' || strspn (value, "0123456789") != strlen (value) ||
              strlen (value) > 18)
            return "Content-Length is not a number of bytes";
          if (length != NULL && strcmp (length, value) != 0)
            return "two different Content-Lengths";
          length = value;
        }
    }
  if (n_host > 1)
    return "more than one Host";
  if (n_encoding > 0 && length != NULL)
    return "both Content-Length and Transfer-Encoding";
  return NULL;
}

static void
on_got_chunk (SoupServerMessage *msg, GBytes *chunk, ArbServer *self)
{
  gsize *left = g_object_get_data (G_OBJECT (msg), BODY_LEFT_KEY);
  gsize len = g_bytes_get_size (chunk);

  if (left == NULL || soup_server_message_get_status (msg) != 0)
    return;
  if (len <= *left)
    {
      *left -= len;
      return;
    }
  /* a chunked body past the limit: stop reading it (the status set here
   * makes this handler ignore the chunks that still come) */
  arb_http_send_error (msg, ARB_ERROR_TOO_LARGE, NULL, "the body is larger than this route takes");
  arb_listener_refuse (self->listener, msg);
}

/* Everything decided from the request line and headers alone, before
 * libsoup reads a body and before any authentication work. */
static void
on_got_headers (SoupServerMessage *msg, ArbServer *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (request);
  goffset length = soup_message_headers_get_content_length (request);
  const char *problem;
  gsize limit;

  /* an early handler may have answered already: keep its answer, and do
   * not read a body for it */
  if (soup_server_message_get_status (msg) != 0)
    {
      if (encoding == SOUP_ENCODING_CHUNKED || length > 0)
        arb_listener_refuse (self->listener, msg);
      return;
    }
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_remove (headers, "Content-Type");
  soup_message_headers_remove (headers, "Connection");

  problem = ambiguous_framing (request);
  if (problem != NULL)
    {
      g_autofree char *text = g_strdup_printf ("ambiguous request framing: %s", problem);
      arb_http_send_error (msg, ARB_ERROR_BAD_REQUEST, NULL, text);
      arb_listener_refuse (self->listener, msg);
      return;
    }
  /* before any route: a Host that is not ours (DNS rebinding) gets 403 */
  if (arb_http_refuse_foreign_host (msg, self->config))
    {
      arb_listener_refuse (self->listener, msg);
      return;
    }
  /* no route needs ranges, and many overlapping ones multiply the answer */
  soup_message_headers_remove (request, "Range");
  soup_message_headers_remove (request, "If-Range");

  limit = body_limit (self, msg);
  /* libsoup drops a header line it cannot parse ("Transfer-Encoding :
   * chunked"), which leaves a POST without framing: its body would be
   * read as the next request */
  if (limit > 0 && encoding == SOUP_ENCODING_NONE &&
      soup_message_headers_get_one (request, "Content-Length") == NULL)
    {
      arb_http_send_error (msg, ARB_ERROR_BAD_REQUEST, NULL,
                           "a body needs Content-Length or Transfer-Encoding: chunked");
      arb_listener_refuse (self->listener, msg);
      return;
    }
  if ((encoding == SOUP_ENCODING_CHUNKED || length > 0) && limit == 0)
    {
      arb_http_send_error (msg, ARB_ERROR_BAD_REQUEST, NULL, "this request takes no body");
      arb_listener_refuse (self->listener, msg);
      return;
    }
  if (encoding == SOUP_ENCODING_CONTENT_LENGTH && length > (goffset) limit)
    {
      g_autofree char *text = g_strdup_printf ("the body is larger than this route takes (%"
                                               G_GSIZE_FORMAT " bytes)", limit);
      arb_http_send_error (msg, ARB_ERROR_TOO_LARGE, NULL, text);
      arb_listener_refuse (self->listener, msg);
      return;
    }
  /* from here on the client may send frames, whether the upgrade is
   * granted or not (a refusal closes the connection) */
  if (soup_message_headers_get_one (request, "Upgrade") != NULL)
    arb_listener_set_websocket (self->listener, msg, ARB_WS_MAX_MESSAGE_BYTES);
  if (encoding == SOUP_ENCODING_CHUNKED)
    {
      gsize *left = g_new (gsize, 1);

      *left = limit;
      g_object_set_data_full (G_OBJECT (msg), BODY_LEFT_KEY, left, g_free);
      g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), self);
    }
}

static void
on_got_body (SoupServerMessage *msg, ArbServer *self)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);

  arb_listener_request_read (self->listener, msg);
  /* a refused upgrade closes the connection, so that a WebSocket client
   * sees the status at once instead of waiting for more */
  if (soup_message_headers_get_one (request, "Upgrade") != NULL &&
      soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                  "close");
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, ArbServer *self)
{
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, unparsable,
                                    sizeof unparsable - 1);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers), self, 0);
  g_signal_connect_object (msg, "got-body", G_CALLBACK (on_got_body), self, 0);
}

static void
on_request_done (SoupServer *soup, SoupServerMessage *msg, ArbServer *self)
{
  arb_listener_request_done (self->listener, msg);
}

/* Every /api request, routed by its exact path. libsoup picks a handler by
 * the longest registered prefix, so /api/v1/bots… would reach the bot
 * endpoint's handler: each /api prefix that has a handler of its own (the
 * WebSocket upgrades, the early body limit of /events) gets this one too,
 * and the WebSocket gates run only for their own path. */
static void
api_dispatch (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  ArbServer *self = data;

  if (g_strcmp0 (path, "/api/v1/bot") == 0)
    _arb_bot_endpoint_gate (self, msg);
  else if (g_strcmp0 (path, "/api/v1/stream") == 0)
    _arb_stream_endpoint_gate (self, msg);
  else
    _arb_rest_handle (self, msg, path);
}

static void
register_routes (ArbServer *self)
{
  static const char *const api_prefixes[] = {
    "/api", "/api/v1/bot", "/api/v1/stream", "/api/v1/events",
  };

  for (guint i = 0; i < G_N_ELEMENTS (api_prefixes); i++)
    soup_server_add_handler (self->soup, api_prefixes[i], api_dispatch, self, NULL);
  _arb_rest_register (self, self->soup);
  _arb_bot_endpoint_register (self, self->soup);
  _arb_stream_endpoint_register (self, self->soup);
  _arb_metrics_register (self, self->soup);
  _arb_web_register (self, self->soup);
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
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  /* a 64 KiB frame can inflate to gigabytes (a compression bomb) */
  soup_server_remove_websocket_extension (self->soup, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  self->stream = arb_stream_new (engine, self->config);
  register_routes (self);
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

  g_return_val_if_fail (self->listener == NULL, FALSE);

  if (local == NULL)
    return FALSE;
  arb_listener_raise_fd_limit ();
  self->listener = arb_listener_new (self->soup, sock, self->config->max_connections,
                                     self->config->request_timeout_ms, error);
  if (self->listener == NULL)
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
  /* the engine is its owner's (ArbService) to stop, before this: whatever
   * it still acks goes out on these connections */
  for (guint i = self->sockets->len; i > 0; i--)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (self->sockets, i - 1);
      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (ws, 1001, "the dashboard is shutting down");
    }
  if (self->listener != NULL)
    arb_listener_stop (self->listener);
  soup_server_disconnect (self->soup);
}

GSocket *
_arb_server_get_message_socket (ArbServer         *self,
                                SoupServerMessage *msg)
{
  return self->listener != NULL ? arb_listener_get_socket (self->listener, msg) : NULL;
}

guint
arb_server_get_n_connections (ArbServer *self)
{
  return self->listener != NULL ? arb_listener_get_n_connections (self->listener) : 0;
}
