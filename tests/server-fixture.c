/* server-fixture.c: a real engine and server on a loopback port, and libsoup clients for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "server-fixture.h"

#include "arb-http.h"

/* ---------------------------------------------------------------- spinning */

/* ---------------------------------------------------------------- HTTP */

void
reply_free (Reply *r)
{
  g_clear_object (&r->msg);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_error (&r->error);
  g_free (r);
}

void
reply_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  Reply *r = data;

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->status = soup_message_get_status (r->msg);
  if (r->body != NULL && g_bytes_get_size (r->body) > 0)
    {
      gsize len;
      const char *text = g_bytes_get_data (r->body, &len);
      g_autofree char *copy = g_strndup (text, len);

      r->json = json_from_string (copy, NULL);
    }
  r->done = TRUE;
}

gboolean
reply_done (gpointer data)
{
  return ((Reply *) data)->done;
}

Reply *
send_msg (Fixture *fx, SoupMessage *msg, GCancellable *cancellable)
{
  Reply *r = g_new0 (Reply, 1);

  r->msg = msg;
  soup_session_send_and_read_async (fx->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    reply_ready, r);
  g_assert_true (spin_until (reply_done, r, SPIN_MS));
  return r;
}

SoupMessage *
new_msg (Fixture *fx, const char *method, const char *path, const char *token)
{
  g_autofree char *url = g_strconcat (fx->base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    auth);
    }
  return msg;
}

Reply *
http (Fixture *fx, const char *method, const char *path, const char *token, const char *body)
{
  SoupMessage *msg = new_msg (fx, method, path, token);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return send_msg (fx, msg, NULL);
}

JsonObject *
reply_object (Reply *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

void
assert_http_error (Reply *r, guint status, const char *code, const char *field)
{
  JsonObject *e;

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (r->msg),
                                                          NULL), ==, "application/json");
  e = json_object_get_object_member (reply_object (r), "error");
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (e, "field", NULL), ==, field);
  g_assert_cmpstr (json_object_get_string_member (e, "message"), !=, "");
}

JsonObject *
assert_ok (Reply *r)
{
  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 200);
  return reply_object (r);
}

/* ---------------------------------------------------------------- WebSocket clients */

void
client_free (Client *c)
{
  if (c->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (c->ws, c);
      if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (c->ws);
    }
  g_clear_object (&c->msg);
  g_clear_error (&c->error);
  g_ptr_array_unref (c->frames);
  g_free (c);
}

void
client_send (Client *c, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_assert_cmpint (soup_websocket_connection_get_state (c->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (c->ws, text);
}

static void
on_ws_message (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message,
               Client *c)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  JsonObject *o;
  const char *kind;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  /* whatever the server holds, what it sends is text (issue 9) */
  g_assert_true (g_utf8_validate (data, len, NULL));
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_ptr_array_add (c->frames, node);
  o = json_node_get_object (node);
  kind = json_object_get_string_member (o, "type");
  if (g_str_equal (kind, "ack"))
    {
      gint64 seq = json_object_get_int_member (o, "seq");
      g_assert_cmpint (seq, >=, c->last_ack);
      c->last_ack = seq;
    }
  else if (g_str_equal (kind, "command") && c->answer_commands)
    client_send (c, "{\"type\":\"command_result\",\"id\":\"%s\",\"ok\":true,"
                 "\"message\":\"done: %s\"}", json_object_get_string_member (o, "id"),
                 json_object_get_string_member (o, "name"));
}

static void
on_ws_closed (SoupWebsocketConnection *ws, Client *c)
{
  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
ws_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *c = data;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &c->error);
  c->status = soup_message_get_status (c->msg);
  if (c->ws != NULL)
    {
      g_signal_connect (c->ws, "message", G_CALLBACK (on_ws_message), c);
      g_signal_connect (c->ws, "closed", G_CALLBACK (on_ws_closed), c);
    }
  c->connecting = FALSE;
}

static gboolean
client_connected (gpointer data)
{
  return !((Client *) data)->connecting;
}

Client *
client_connect_full (Fixture *fx, const char *path, const char *token, const char *origin,
                     char **protocols)
{
  Client *c = g_new0 (Client, 1);

  c->fx = fx;
  c->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  c->msg = new_msg (fx, "GET", path, token);
  c->connecting = TRUE;
  g_ptr_array_add (fx->clients, c);
  soup_session_websocket_connect_async (fx->session, c->msg, origin, protocols,
                                        G_PRIORITY_DEFAULT, NULL, ws_ready, c);
  g_assert_true (spin_until (client_connected, c, SPIN_MS));
  return c;
}

Client *
client_connect (Fixture *fx)
{
  Client *c = client_connect_full (fx, "/api/v1/bot", BOT_TOKEN, NULL, NULL);

  g_assert_no_error (c->error);
  g_assert_nonnull (c->ws);
  return c;
}

typedef struct
{
  Client     *c;
  const char *type;
  guint       n;
} FrameWait;

guint
count_frames (Client *c, const char *type)
{
  guint n = 0;

  for (guint i = 0; i < c->frames->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (c->frames, i));
      n += g_str_equal (json_object_get_string_member (o, "type"), type);
    }
  return n;
}

static gboolean
has_frames (gpointer data)
{
  FrameWait *w = data;

  return count_frames (w->c, w->type) >= w->n;
}

JsonObject *
wait_frame (Client *c, const char *type, guint n)
{
  FrameWait w = { c, type, n };

  g_assert_true (spin_until (has_frames, &w, SPIN_MS));
  for (guint i = 0; i < c->frames->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (c->frames, i));
      if (g_str_equal (json_object_get_string_member (o, "type"), type) && --n == 0)
        return o;
    }
  g_assert_not_reached ();
}

static gboolean
client_acked (gpointer data)
{
  FrameWait *w = data;

  return w->c->last_ack >= (gint64) w->n || w->c->closed;
}

void
wait_ack (Client *c, gint64 seq)
{
  FrameWait w = { c, NULL, seq };

  g_assert_true (spin_until (client_acked, &w, SPIN_MS));
  g_assert_cmpint (c->last_ack, ==, seq);
}

gboolean
client_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

gint64
client_hello (Client *c, const char *bot_id)
{
  JsonObject *welcome;

  client_send (c, "{\"type\":\"hello\",\"bot_id\":\"%s\",\"name\":\"Server test bot\","
               "\"commands\":[\"pause\",\"resume\"]}", bot_id);
  welcome = wait_frame (c, "welcome", count_frames (c, "welcome") + 1);
  g_assert_cmpstr (json_object_get_string_member (welcome, "bot_id"), ==, bot_id);
  return json_object_get_int_member (welcome, "last_seq");
}

char *
trade_json (gint64 seq, gint64 ts, const char *pair, const char *status)
{
  return g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                          G_GINT64_FORMAT ",\"id\":\"t-%" G_GINT64_FORMAT "\",\"pair\":\"%s\","
                          "\"buy_venue\":\"uniswap_v3\",\"sell_venue\":\"curve\","
                          "\"status\":\"%s\",\"profit\":2.5,\"gas_used\":21000}",
                          seq, ts, seq, pair, status);
}

void
client_trade (Client *c, gint64 seq)
{
  g_autofree char *t = trade_json (seq, T0 + seq, "WETH/USDC", "filled");

  client_send (c, "%s", t);
}

JsonObject *
last_error (Client *c)
{
  return wait_frame (c, "error", count_frames (c, "error"));
}

void
assert_ws_error (JsonObject *e, const char *code, const char *field, gint64 seq)
{
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (e, "field", NULL), ==, field);
  g_assert_cmpint (json_object_get_int_member_with_default (e, "seq", 0), ==, seq);
}

/* ---------------------------------------------------------------- fixture */

ArbEngine *
new_engine (Fixture *fx, const char *listen)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  ArbEngine *engine;

  g_free (config->db_path);
  config->db_path = g_build_filename (fx->dir, "arbdash.db", NULL);
  g_free (config->listen_address);
  config->listen_address = g_strdup (listen);
  config->port = 0;
  config->demo = FALSE;
  config->sample_interval_ms = 100;
  /* the tests' events are of November 2023 (T0): older than the default
   * retention, and the engine prunes at start */
  config->retention_days = ARB_RETENTION_DAYS_MAX;
  g_strfreev (config->allowed_origins);
  config->allowed_origins = g_strsplit ("https://dash.example.org", ",", -1);
  arb_config_add_token (config, "the-bot", ARB_ROLE_BOT, BOT_TOKEN);
  arb_config_add_token (config, "the-viewer", ARB_ROLE_VIEWER, VIEWER_TOKEN);
  arb_config_add_token (config, "the-operator", ARB_ROLE_OPERATOR, OPERATOR_TOKEN);
  engine = arb_engine_new (config, &error);
  g_assert_no_error (error);
  return engine;
}

/* A server for fx->engine on a free loopback port, named by fx->base and fx->origin. */
static void
fixture_serve (Fixture *fx)
{
  g_autoptr(GError) error = NULL;

  fx->server = arb_server_new (fx->engine);
  g_assert_true (arb_server_listen (fx->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (arb_server_get_port (fx->server), >, 0);
  g_free (fx->base);
  g_free (fx->origin);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u", arb_server_get_port (fx->server));
  fx->origin = g_strdup (fx->base);
}

void
fixture_restart (Fixture *fx,
                 void    (*tune) (Fixture *fx))
{
  g_ptr_array_set_size (fx->clients, 0);
  arb_server_shutdown (fx->server);
  spin_for (20);
  g_clear_object (&fx->server);
  arb_engine_shutdown (fx->engine);
  g_clear_object (&fx->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  fx->engine = new_engine (fx, "127.0.0.1");
  if (tune != NULL)
    tune (fx);
  fixture_serve (fx);
}

void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  fx->dir = g_dir_make_tmp ("arb-test-server-XXXXXX", &error);
  g_assert_no_error (error);
  /* every test's clients come from 127.0.0.1: wrong tokens of one test must not block the next */
  arb_http_forget_failures ();
  fx->engine = new_engine (fx, "127.0.0.1");
  fixture_serve (fx);
  url = arb_server_dup_url (fx->server);
  g_assert_true (g_str_has_prefix (url, fx->base));
  g_assert_cmpstr (url + strlen (fx->base), ==, "/");
  fx->session = soup_session_new ();
  fx->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
}

void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_ptr_array_unref (fx->clients);
  arb_server_shutdown (fx->server);
  spin_for (20);
  g_clear_object (&fx->session);
  g_clear_object (&fx->server);
  g_clear_object (&fx->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_dir (fx->dir);
  g_free (fx->base);
  g_free (fx->origin);
  g_free (fx->dir);
}

gint64
post_trades (Fixture *fx, const char *bot_id, gint64 first, gint64 last, const char *pair,
             const char *status)
{
  GString *body = g_string_new (NULL);
  g_autoptr(Reply) r = NULL;
  g_autofree char *text = NULL;
  JsonObject *o;

  g_string_printf (body, "{\"bot_id\":\"%s\",\"events\":[", bot_id);
  for (gint64 seq = first; seq <= last; seq++)
    {
      g_autofree char *t = trade_json (seq, T0 + seq * 1000, pair, status);
      g_string_append_printf (body, "%s%s", seq > first ? "," : "", t);
    }
  g_string_append (body, "]}");
  text = g_string_free (body, FALSE);
  r = http (fx, "POST", "/api/v1/events", BOT_TOKEN, text);
  o = assert_ok (r);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "errors")), ==, 0);
  return json_object_get_int_member (o, "ack");
}

/* Writes @request on a raw connection and returns all that comes back
 * until the server closes (at most 5 s), or the headers of a 101. */
char *
raw_request (Fixture *fx, const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  GInputStream *in;
  char buf[4096];
  gssize n;

  g_socket_client_set_timeout (client, 5);
  conn = g_socket_client_connect_to_host (client, fx->base + strlen ("http://"), 0, NULL, &error);
  g_assert_no_error (error);
  /* the server runs in this thread: let it answer while we wait */
  g_socket_set_blocking (g_socket_connection_get_socket (conn), FALSE);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  for (gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       g_get_monotonic_time () < end;)
    {
      g_clear_error (&error);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buf, sizeof buf,
                                                    NULL, &error);
      if (n == 0)
        break;
      if (n > 0)
        {
          g_string_append_len (answer, buf, n);
          /* an upgraded connection stays open: its headers are the answer */
          if (g_str_has_prefix (answer->str, "HTTP/1.1 101") && strstr (answer->str, "\r\n\r\n"))
            break;
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
    }
  return g_string_free (g_steal_pointer (&answer), FALSE);
}
