/* test-server.c: the embedded server, driven by libsoup's own client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real ArbEngine on a temporary database, an ArbServer on an ephemeral
 * loopback port, and a SoupSession in the same main context (see
 * server-fixture.h).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "arb-json.h"
#include "arb-service.h"
#include "server-fixture.h"

/* ---------------------------------------------------------------- basics */

static void
test_health (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) r = http (fx, "GET", "/api/v1/health", NULL, NULL);
  g_autoptr(Reply) head = http (fx, "HEAD", "/api/v1/health", NULL, NULL);
  JsonObject *o = assert_ok (r);

  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (o, "uptime_s"), >=, 0);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (r->msg),
                                                 "Cache-Control"), ==, "no-store");
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_null (head->json);
}

static void
test_routes (Fixture *fx, gconstpointer data)
{
  static const char *const missing[] = {
    "/api/v1/nope", "/nope", "/api/v2/health", "/api/v1/healthz", "/api/v1/bots/",
  };
  g_autoptr(Reply) events = http (fx, "GET", "/api/v1/events", BOT_TOKEN, NULL);
  g_autoptr(Reply) trades = http (fx, "DELETE", "/api/v1/trades", VIEWER_TOKEN, NULL);
  g_autoptr(Reply) bot = http (fx, "POST", "/api/v1/bot", BOT_TOKEN, "{}");
  g_autoptr(Reply) cmd = http (fx, "GET", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, NULL);
  g_autoptr(Reply) cmd_path = http (fx, "POST", "/api/v1/bots/" BOT "/other", OPERATOR_TOKEN,
                                    "{\"name\":\"pause\"}");

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autoptr(Reply) r = http (fx, "GET", missing[i], VIEWER_TOKEN, NULL);
      assert_http_error (r, 404, "not_found", NULL);
    }
  assert_http_error (events, 405, "bad_request", NULL);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (events->msg),
                                                 "Allow"), ==, "POST");
  assert_http_error (trades, 405, "bad_request", NULL);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (trades->msg),
                                                 "Allow"), ==, "GET");
  assert_http_error (bot, 405, "bad_request", NULL);
  assert_http_error (cmd, 405, "bad_request", NULL);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (cmd->msg),
                                                 "Allow"), ==, "POST");
  assert_http_error (cmd_path, 404, "not_found", NULL);
}

static void
test_unparsable (Fixture *fx, gconstpointer data)
{
  g_autofree char *bad = raw_request (fx, "GET /api/v1/trades?cursor=%%%garbage HTTP/1.1\r\n"
                                          "Host: 127.0.0.1\r\n\r\n");
  g_autofree char *good = raw_request (fx, "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Connection: close\r\n\r\n");

  g_assert_true (g_str_has_prefix (bad, "HTTP/1.1 400"));
  g_assert_nonnull (strstr (bad, "\"code\":\"bad_request\""));
  g_assert_nonnull (g_strrstr (bad, "Connection: close"));
  g_assert_true (g_str_has_prefix (good, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (good, "\"status\":\"ok\""));
  g_assert_null (strstr (good, "bad_request"));
}

static void
test_urls (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbServer) other = NULL;
  g_autoptr(ArbEngine) wild = NULL;
  g_autofree char *url = NULL;

  g_assert_false (arb_server_listen (fx->server, "not-an-address", 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (arb_server_listen (fx->server, "127.0.0.1", 70000, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* the port is taken by the server itself */
  g_assert_null (arb_server_bind_socket ("127.0.0.1", arb_server_get_port (fx->server), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);
  g_assert_true (arb_server_get_engine (fx->server) == fx->engine);

  /* a wildcard address is not a URL a browser can open; IPv6 gets brackets */
  g_clear_object (&fx->server);
  g_clear_object (&fx->engine);
  wild = new_engine (fx, "0.0.0.0");
  other = arb_server_new (wild);
  url = arb_server_dup_url (other);
  g_assert_cmpstr (url, ==, "http://127.0.0.1:0/");
  g_clear_object (&other);
  g_clear_object (&wild);
  g_free (url);
  wild = new_engine (fx, "::1");
  other = arb_server_new (wild);
  url = arb_server_dup_url (other);
  g_assert_cmpstr (url, ==, "http://[::1]:0/");
  g_clear_object (&other);
  g_clear_object (&wild);
  fx->engine = new_engine (fx, "127.0.0.1");
  fx->server = arb_server_new (fx->engine);
}

/* ---------------------------------------------------------------- the bot socket */

static void
test_bot_hello_ack (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(Reply) trades = NULL;
  JsonArray *rows;

  g_assert_cmpuint (arb_server_get_n_sockets (fx->server), ==, 1);
  g_assert_cmpint (client_hello (c, BOT), ==, 0);
  for (gint64 seq = 1; seq <= 20; seq++)
    client_trade (c, seq);
  wait_ack (c, 20);
  g_assert_cmpuint (count_frames (c, "error"), ==, 0);
  /* acked means readable */
  trades = http (fx, "GET", "/api/v1/trades?limit=1000", VIEWER_TOKEN, NULL);
  rows = json_object_get_array_member (assert_ok (trades), "trades");
  g_assert_cmpuint (json_array_get_length (rows), ==, 20);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (rows, 0), "seq"),
                   ==, 20);
}

static void
test_bot_resend (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  Client *again;
  g_autoptr(Reply) trades = NULL;

  client_hello (c, BOT);
  for (gint64 seq = 1; seq <= 5; seq++)
    client_trade (c, seq);
  wait_ack (c, 5);
  soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_assert_true (spin_until (client_closed, c, SPIN_MS));

  /* the bot comes back, hears where it stands, resends a few, goes on */
  again = client_connect (fx);
  g_assert_cmpint (client_hello (again, BOT), ==, 5);
  for (gint64 seq = 3; seq <= 8; seq++)
    client_trade (again, seq);
  wait_ack (again, 8);
  g_assert_cmpuint (count_frames (again, "error"), ==, 0);
  trades = http (fx, "GET", "/api/v1/trades", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (assert_ok (trades),
                                                                         "trades")), ==, 8);
}

static void
test_bot_bad_message (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autofree char *big = g_strnfill (100 * 1024, 'x');

  client_hello (c, BOT);
  client_trade (c, 1);
  client_send (c, "{\"type\":\"trade\",\"seq\":2,\"ts\":5,\"id\":\"t-2\",\"pair\":\"A/B\","
               "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\"}");
  client_trade (c, 3);
  wait_ack (c, 3);
  assert_ws_error (last_error (c), "bad_request", "profit", 2);

  /* a binary frame: an error, and the connection stays */
  soup_websocket_connection_send_binary (c->ws, "\x01\x02", 2);
  assert_ws_error (wait_frame (c, "error", 2), "bad_request", NULL, 0);
  client_trade (c, 4);
  wait_ack (c, 4);

  /* a frame over 64 KiB: too_large, and the connection stays */
  client_send (c, "{\"type\":\"log\",\"seq\":5,\"ts\":1,\"level\":\"info\",\"message\":\"%s\"}",
               big);
  assert_ws_error (wait_frame (c, "error", 3), "too_large", NULL, 0);
  client_trade (c, 5);
  wait_ack (c, 5);
  g_assert_false (c->closed);
  g_assert_cmpint (soup_websocket_connection_get_state (c->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
}

static void
test_bot_auth (Fixture *fx, gconstpointer data)
{
  static const struct { const char *token; guint status; } refused[] = {
    { NULL, 401 },
    { "wrong-token", 401 },
    { VIEWER_TOKEN, 403 },
    { OPERATOR_TOKEN, 403 },
  };
  const char *bearer[] = { "arbdash.v1", "bearer." BOT_TOKEN, NULL };
  const char *bad_bearer[] = { "arbdash.v1", "bearer.nope", NULL };
  const char *only_v1[] = { "arbdash.v1", NULL };
  g_autoptr(Reply) basic = NULL;
  SoupMessage *msg;
  Client *c;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      c = client_connect_full (fx, "/api/v1/bot", refused[i].token, NULL, NULL);
      g_assert_null (c->ws);
      g_assert_nonnull (c->error);
      g_assert_cmpuint (c->status, ==, refused[i].status);
    }
  g_assert_cmpstr (soup_message_headers_get_one (
                     soup_message_get_response_headers (
                       ((Client *) g_ptr_array_index (fx->clients, 0))->msg),
                     "WWW-Authenticate"), !=, NULL);

  /* not a bearer token */
  msg = new_msg (fx, "GET", "/api/v1/trades", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Basic dXNlcjpwYXNz");
  basic = send_msg (fx, msg, NULL);
  assert_http_error (basic, 401, "unauthorized", NULL);

  /* browsers send the token as a subprotocol; the server answers arbdash.v1 */
  c = client_connect_full (fx, "/api/v1/bot", NULL, fx->origin, (char **) bearer);
  g_assert_no_error (c->error);
  g_assert_cmpstr (soup_websocket_connection_get_protocol (c->ws), ==, "arbdash.v1");
  g_assert_cmpint (client_hello (c, BOT), ==, 0);
  c = client_connect_full (fx, "/api/v1/bot", NULL, fx->origin, (char **) bad_bearer);
  g_assert_null (c->ws);
  g_assert_cmpuint (c->status, ==, 401);
  c = client_connect_full (fx, "/api/v1/bot", NULL, fx->origin, (char **) only_v1);
  g_assert_cmpuint (c->status, ==, 401);
}

static void
test_bot_origin (Fixture *fx, gconstpointer data)
{
  g_autofree char *other_port = g_strdup_printf ("http://127.0.0.1:%u",
                                                 arb_server_get_port (fx->server) + 1);
  const char *refused[] = { "http://evil.example.com", other_port, "null",
                            "https://127.0.0.1" };
  const char *accepted[] = { fx->origin, NULL, "https://dash.example.org" };
  Client *c;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      c = client_connect_full (fx, "/api/v1/bot", BOT_TOKEN, refused[i], NULL);
      g_assert_null (c->ws);
      g_assert_cmpuint (c->status, ==, 403);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      c = client_connect_full (fx, "/api/v1/bot", BOT_TOKEN, accepted[i], NULL);
      g_assert_no_error (c->error);
      g_assert_cmpint (client_hello (c, BOT), ==, 0);
    }
}

static gboolean
no_sockets (gpointer data)
{
  return arb_server_get_n_sockets (((Fixture *) data)->server) == 0;
}

static void
test_bot_shutdown (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  Client *idle = client_connect (fx);
  g_autoptr(Reply) health = NULL;

  client_hello (c, BOT);
  for (gint64 seq = 1; seq <= 50; seq++)
    client_trade (c, seq);
  /* the events are on the wire: let the server read some, then stop it */
  wait_frame (c, "ack", 1);
  arb_server_shutdown (fx->server);
  g_assert_true (spin_until (client_closed, c, SPIN_MS));
  g_assert_true (spin_until (client_closed, idle, SPIN_MS));
  g_assert_cmpuint (c->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (idle->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpint (c->last_ack, >=, 1);
  /* the server's side of a connection ends when it has read the client's
   * answer to its close, which may come after the client saw it end */
  g_assert_true (spin_until (no_sockets, fx, SPIN_MS));
  /* no longer listening */
  health = http (fx, "GET", "/api/v1/health", NULL, NULL);
  g_assert_nonnull (health->error);
}

/* ---------------------------------------------------------------- ArbService */

static void
service_stopped (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (arb_service_shutdown_finish (ARB_SERVICE (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Serves fx from @service instead of the fixture's own engine and server. */
static void
serve_from (Fixture *fx, ArbService *service)
{
  arb_server_shutdown (fx->server);
  g_clear_object (&fx->server);
  arb_engine_shutdown (fx->engine);
  g_clear_object (&fx->engine);
  fx->engine = g_object_ref (arb_service_get_engine (service));
  fx->server = g_object_ref (arb_service_get_server (service));
  g_free (fx->base);
  g_free (fx->origin);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u", arb_server_get_port (fx->server));
  fx->origin = g_strdup (fx->base);
}

/* The owner of start-up and shutdown: its shutdown commits and acks what the
 * bots sent before it closes their connections (1001), then stops listening. */
static void
test_service_shutdown (Fixture *fx, gconstpointer data)
{
  g_autoptr(ArbConfig) config = arb_config_copy (arb_engine_get_config (fx->engine));
  g_autoptr(ArbService) service = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) health = NULL;
  ArbServiceStep failed = ARB_SERVICE_STEP_SERVE;
  ArbBotLink *link;
  Client *c, *idle;
  gboolean stopped = FALSE;

  g_free (config->db_path);
  config->db_path = g_build_filename (fx->dir, "service.db", NULL);
  config->port = 0;
  service = arb_service_new (config, &failed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (service);
  g_assert_false (arb_service_is_shut_down (service));
  serve_from (fx, service);

  c = client_connect (fx);
  idle = client_connect (fx);
  client_hello (c, BOT);
  for (gint64 seq = 1; seq <= 50; seq++)
    client_trade (c, seq);
  wait_frame (c, "ack", 1);
  arb_service_shutdown_async (service, NULL, service_stopped, &stopped);
  g_assert_true (arb_service_is_shut_down (service));
  g_assert_true (spin_until (flag_set, &stopped, SPIN_MS));
  g_assert_true (spin_until (client_closed, c, SPIN_MS));
  g_assert_true (spin_until (client_closed, idle, SPIN_MS));
  g_assert_cmpuint (c->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  g_assert_cmpuint (idle->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  /* everything the engine took is stored, and the bot was told so before the goodbye */
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (fx->engine), BOT);
  g_assert_nonnull (link);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, arb_bot_link_get_accepted_seq (link));
  g_assert_cmpint (c->last_ack, ==, arb_bot_link_get_stored_seq (link));
  g_assert_cmpint (c->last_ack, >=, 1);
  /* no longer listening; a second shutdown does nothing */
  health = http (fx, "GET", "/api/v1/health", NULL, NULL);
  g_assert_nonnull (health->error);
  arb_service_shutdown (service);
}

/* A start-up that fails says at which step and leaves nothing running. */
static void
test_service_start_errors (Fixture *fx, gconstpointer data)
{
  g_autoptr(ArbConfig) config = arb_config_copy (arb_engine_get_config (fx->engine));
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (fx->dir, "a-file", NULL);
  ArbServiceStep failed = ARB_SERVICE_STEP_SERVE;

  /* the fixture's server holds its port */
  config->port = arb_server_get_port (fx->server);
  g_assert_null (arb_service_new (config, &failed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpint (failed, ==, ARB_SERVICE_STEP_LISTEN);
  g_clear_error (&error);

  /* a database under a regular file cannot open; the port it bound is free again */
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  g_free (config->db_path);
  config->db_path = g_build_filename (file, "arbdash.db", NULL);
  config->port = 0;
  failed = ARB_SERVICE_STEP_SERVE;
  g_assert_null (arb_service_new (config, &failed, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (failed, ==, ARB_SERVICE_STEP_DATABASE);
}

/* ---------------------------------------------------------------- POST /events */

static void
test_events (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) bad_token = http (fx, "POST", "/api/v1/events", "nope", "{}");
  g_autoptr(Reply) viewer = http (fx, "POST", "/api/v1/events", VIEWER_TOKEN, "{}");
  g_autoptr(Reply) empty = http (fx, "POST", "/api/v1/events", BOT_TOKEN, "");
  g_autoptr(Reply) no_bot = http (fx, "POST", "/api/v1/events", BOT_TOKEN, "{\"events\":[]}");
  g_autoptr(Reply) mixed = NULL;
  g_autofree char *t4 = trade_json (4, T0, "A/B", "failed");
  g_autofree char *body = NULL;
  JsonObject *o;
  JsonObject *e;

  assert_http_error (bad_token, 401, "unauthorized", NULL);
  assert_http_error (viewer, 403, "forbidden", NULL);
  assert_http_error (empty, 400, "bad_request", NULL);
  assert_http_error (no_bot, 400, "bad_request", "bot_id");

  g_assert_cmpint (post_trades (fx, BOT, 1, 3, "WETH/USDC", "filled"), ==, 3);
  /* the same batch again is harmless */
  g_assert_cmpint (post_trades (fx, BOT, 1, 3, "WETH/USDC", "filled"), ==, 3);

  body = g_strdup_printf ("{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"hello\","
                          "\"bot_id\":\"" BOT "\",\"name\":\"HTTP bot\"},%s,"
                          "{\"type\":\"trade\",\"seq\":5,\"ts\":1,\"pair\":\"A/B\"},"
                          "{\"type\":\"log\",\"seq\":6,\"ts\":1,\"level\":\"info\","
                          "\"message\":\"ok\"}]}", t4);
  mixed = http (fx, "POST", "/api/v1/events", BOT_TOKEN, body);
  o = assert_ok (mixed);
  g_assert_cmpint (json_object_get_int_member (o, "ack"), ==, 6);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "errors")), ==, 1);
  e = json_array_get_object_element (json_object_get_array_member (o, "errors"), 0);
  g_assert_cmpint (json_object_get_int_member (e, "index"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (e, "field"), ==, "id");
  g_assert_cmpint (json_object_get_int_member (e, "seq"), ==, 5);
}

static void
test_events_limits (Fixture *fx, gconstpointer data)
{
  gsize size = 1024 * 1024 + 10;
  char *huge = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(Reply) length = NULL;
  g_autoptr(Reply) chunked = NULL;
  g_autoptr(Reply) deep = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(GString) nested = g_string_new ("{\"bot_id\":\"" BOT "\",\"events\":[");
  SoupMessage *msg;

  memset (huge, ' ', size);
  huge[0] = '{';
  huge[size - 1] = '}';
  bytes = g_bytes_new_take (huge, size);

  /* with Content-Length: refused before the body is read */
  msg = new_msg (fx, "POST", "/api/v1/events", BOT_TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  length = send_msg (fx, msg, NULL);
  assert_http_error (length, 413, "too_large", NULL);

  /* chunked: refused once the body went over while being read */
  msg = new_msg (fx, "POST", "/api/v1/events", BOT_TOKEN);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  soup_message_set_request_body (msg, "application/json", stream, -1);
  chunked = send_msg (fx, msg, NULL);
  g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_request_headers (msg)), ==,
                   SOUP_ENCODING_CHUNKED);
  assert_http_error (chunked, 413, "too_large", NULL);

  for (guint i = 0; i < 100; i++)
    g_string_append_c (nested, '[');
  deep = http (fx, "POST", "/api/v1/events", BOT_TOKEN, nested->str);
  assert_http_error (deep, 413, "too_large", NULL);

  /* and the server is fine afterwards */
  g_assert_cmpint (post_trades (fx, BOT, 1, 2, "WETH/USDC", "filled"), ==, 2);
  after = http (fx, "GET", "/api/v1/health", NULL, NULL);
  assert_ok (after);
}

/* ---------------------------------------------------------------- queries */

static GPtrArray *
get_trades (Fixture *fx, const char *query, char **next_cursor)
{
  g_autofree char *path = g_strconcat ("/api/v1/trades", query, NULL);
  g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);
  JsonObject *o = assert_ok (r);
  JsonArray *rows = json_object_get_array_member (o, "trades");
  GPtrArray *seqs = g_ptr_array_new ();
  JsonNode *cursor = json_object_get_member (o, "next_cursor");

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *t = json_array_get_object_element (rows, i);
      g_ptr_array_add (seqs, GINT_TO_POINTER (json_object_get_int_member (t, "seq")));
    }
  g_assert_nonnull (cursor);
  if (next_cursor != NULL)
    *next_cursor = JSON_NODE_HOLDS_NULL (cursor) ? NULL : g_strdup (json_node_get_string (cursor));
  return seqs;
}

static guint
n_trades (Fixture *fx, const char *query)
{
  g_autoptr(GPtrArray) seqs = get_trades (fx, query, NULL);

  return seqs->len;
}

static void
test_trades (Fixture *fx, gconstpointer data)
{
  static const struct { const char *query; const char *field; } bad[] = {
    { "?limit=0", "limit" },
    { "?limit=1001", "limit" },
    { "?limit=ten", "limit" },
    { "?limit=", "limit" },
    { "?after=yesterday", "after" },
    { "?before=1e9", "before" },
    { "?bot_id=a%20b", "bot_id" },
    { "?status=pending", "status" },
    { "?pair=", "pair" },
    { "?pair=%FF", "pair" },
    { "?cursor=nonsense!", "cursor" },
    { "?cursor=djE6eDp5", "cursor" },
  };
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autofree char *cursor = NULL;
  g_autofree char *query = NULL;
  gint64 prev = G_MAXINT64;
  guint pages = 0;

  post_trades (fx, BOT, 1, 5, "WETH/USDC", "filled");
  post_trades (fx, BOT, 6, 7, "WBTC/USDT", "reverted");
  post_trades (fx, "bot-2", 1, 3, "WETH/USDC", "failed");

  g_assert_cmpuint (n_trades (fx, ""), ==, 10);
  g_assert_cmpuint (n_trades (fx, "?bot_id=" BOT), ==, 7);
  g_assert_cmpuint (n_trades (fx, "?bot_id=bot-2"), ==, 3);
  g_assert_cmpuint (n_trades (fx, "?bot_id=bot-3"), ==, 0);
  g_assert_cmpuint (n_trades (fx, "?pair=WBTC%2FUSDT"), ==, 2);
  g_assert_cmpuint (n_trades (fx, "?status=failed"), ==, 3);
  g_assert_cmpuint (n_trades (fx, "?status=filled&pair=WETH/USDC&bot_id=" BOT), ==, 5);
  /* ts of seq s is T0 + s seconds */
  query = g_strdup_printf ("?bot_id=" BOT "&after=%" G_GINT64_FORMAT "&before=%" G_GINT64_FORMAT,
                           T0 + 2000, T0 + 6000);
  g_assert_cmpuint (n_trades (fx, query), ==, 3);
  g_assert_cmpuint (n_trades (fx, "?limit=1"), ==, 1);
  g_assert_cmpuint (n_trades (fx, "?limit=1000&unknown=ignored"), ==, 10);

  /* paging: every trade once, newest first, then no cursor */
  do
    {
      g_autofree char *page_query = cursor != NULL
                                    ? g_strdup_printf ("?bot_id=" BOT "&limit=3&cursor=%s", cursor)
                                    : g_strdup ("?bot_id=" BOT "&limit=3");
      g_autoptr(GPtrArray) seqs = NULL;

      g_clear_pointer (&cursor, g_free);
      seqs = get_trades (fx, page_query, &cursor);
      g_assert_cmpuint (seqs->len, ==, pages < 2 ? 3 : 1);
      for (guint i = 0; i < seqs->len; i++)
        {
          gint64 seq = GPOINTER_TO_INT (g_ptr_array_index (seqs, i));
          g_assert_cmpint (seq, <, prev);
          prev = seq;
          g_assert_true (g_hash_table_add (seen, GINT_TO_POINTER (seq)));
        }
      g_assert_cmpuint (++pages, <=, 3);
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 7);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/trades", bad[i].query, NULL);
      g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);

      assert_http_error (r, 400, "bad_request", bad[i].field);
    }
}

static void
test_summary (Fixture *fx, gconstpointer data)
{
  static const char *const windows[] = { "1h", "24h", "7d", "all" };
  g_autoptr(Reply) all = NULL;
  g_autoptr(Reply) one = NULL;
  g_autoptr(Reply) bad = NULL;
  g_autoptr(Reply) bad_bot = NULL;
  g_autoptr(Reply) no_token = NULL;
  JsonObject *o;

  post_trades (fx, BOT, 1, 4, "WETH/USDC", "filled");
  post_trades (fx, "bot-2", 1, 1, "WETH/USDC", "failed");
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/summary?window=", windows[i], NULL);
      g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);

      o = assert_ok (r);
      g_assert_cmpstr (json_object_get_string_member (o, "window"), ==, windows[i]);
      g_assert_true (json_object_has_member (o, "complete"));
      g_assert_true (json_object_has_member (o, "net_profit"));
    }
  all = http (fx, "GET", "/api/v1/summary", VIEWER_TOKEN, NULL);
  o = assert_ok (all);
  g_assert_cmpstr (json_object_get_string_member (o, "window"), ==, "all");
  /* the trades are from 2023: only "all" holds them */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "total"), ==, 5);
  one = http (fx, "GET", "/api/v1/summary?window=all&bot_id=" BOT, OPERATOR_TOKEN, NULL);
  o = assert_ok (one);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "total"), ==, 4);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "net_profit"), 10.0, 1e-9);
  bad = http (fx, "GET", "/api/v1/summary?window=2h", VIEWER_TOKEN, NULL);
  assert_http_error (bad, 400, "bad_request", "window");
  g_assert_nonnull (strstr (json_object_get_string_member (
    json_object_get_object_member (reply_object (bad), "error"), "message"), "window"));
  bad_bot = http (fx, "GET", "/api/v1/summary?bot_id=%2F", VIEWER_TOKEN, NULL);
  assert_http_error (bad_bot, 400, "bad_request", "bot_id");
  no_token = http (fx, "GET", "/api/v1/summary", NULL, NULL);
  assert_http_error (no_token, 401, "unauthorized", NULL);
}

static gboolean
system_ready (gpointer data)
{
  Fixture *fx = data;
  g_autoptr(Reply) r = http (fx, "GET", "/api/v1/system", VIEWER_TOKEN, NULL);

  if (r->status == 503)
    {
      assert_http_error (r, 503, "unavailable", NULL);
      spin_for (20);
    }
  return r->status == 200;
}

static void
test_bots_and_system (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(Reply) bots = NULL;
  g_autoptr(Reply) system = NULL;
  JsonArray *rows;
  JsonObject *b;

  client_hello (c, BOT);
  client_trade (c, 1);
  wait_ack (c, 1);
  post_trades (fx, "bot-0", 1, 1, "A/B", "filled");
  bots = http (fx, "GET", "/api/v1/bots", VIEWER_TOKEN, NULL);
  rows = json_object_get_array_member (assert_ok (bots), "bots");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  /* by id */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "bot_id"), ==, "bot-0");
  b = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (b, "bot_id"), ==, BOT);
  g_assert_cmpstr (json_object_get_string_member (b, "name"), ==, "Server test bot");
  g_assert_cmpstr (json_object_get_string_member (b, "state"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (b, "last_seq"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (b, "commands")), ==, 2);

  g_assert_true (spin_until (system_ready, fx, SPIN_MS));
  system = http (fx, "GET", "/api/v1/system", OPERATOR_TOKEN, NULL);
  g_assert_cmpuint (json_object_get_size (assert_ok (system)), >, 0);
}

static void
test_audit_roles (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) viewer = http (fx, "GET", "/api/v1/audit", VIEWER_TOKEN, NULL);
  g_autoptr(Reply) bot = http (fx, "GET", "/api/v1/audit", BOT_TOKEN, NULL);
  g_autoptr(Reply) op = http (fx, "GET", "/api/v1/audit?limit=5", OPERATOR_TOKEN, NULL);
  g_autoptr(Reply) bad = http (fx, "GET", "/api/v1/audit?limit=0", OPERATOR_TOKEN, NULL);
  g_autoptr(Reply) bot_trades = http (fx, "GET", "/api/v1/trades", BOT_TOKEN, NULL);

  assert_http_error (viewer, 403, "forbidden", NULL);
  assert_http_error (bot, 403, "forbidden", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (assert_ok (op),
                                                                         "commands")), ==, 0);
  assert_http_error (bad, 400, "bad_request", "limit");
  assert_http_error (bot_trades, 403, "forbidden", NULL);
}

/* ---------------------------------------------------------------- commands */

static JsonObject *
command_of (Reply *r)
{
  JsonObject *command = json_object_get_object_member (reply_object (r), "command");

  g_assert_nonnull (command);
  return command;
}

static guint
n_audit_rows (Fixture *fx)
{
  g_autoptr(Reply) r = http (fx, "GET", "/api/v1/audit", OPERATOR_TOKEN, NULL);

  return json_array_get_length (json_object_get_array_member (assert_ok (r), "commands"));
}

static gboolean
audit_has_two (gpointer data)
{
  if (n_audit_rows (data) >= 2)
    return TRUE;
  spin_for (10);
  return FALSE;
}

static void
test_command_round_trip (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(Reply) ok = NULL;
  g_autoptr(Reply) audit = NULL;
  g_autoptr(Reply) not_taken = NULL;
  g_autoptr(Reply) viewer = NULL;
  g_autoptr(Reply) unknown = NULL;
  g_autoptr(Reply) bad_body = NULL;
  g_autoptr(Reply) bad_name = NULL;
  g_autoptr(Reply) bad_args = NULL;
  JsonObject *command;
  JsonObject *sent;
  JsonArray *rows;

  c->answer_commands = TRUE;
  client_hello (c, BOT);
  ok = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
             "{\"name\":\"pause\",\"args\":{\"minutes\":5}}");
  command = command_of (ok);
  assert_ok (ok);
  g_assert_cmpstr (json_object_get_string_member (command, "status"), ==, "done");
  g_assert_true (json_object_get_boolean_member (command, "ok"));
  g_assert_cmpstr (json_object_get_string_member (command, "message"), ==, "done: pause");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (command, "who"),
                                                  "token"), ==, "the-operator");
  sent = wait_frame (c, "command", 1);
  g_assert_cmpstr (json_object_get_string_member (sent, "id"), ==,
                   json_object_get_string_member (command, "id"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (sent, "args"),
                                               "minutes"), ==, 5);

  not_taken = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
                    "{\"name\":\"stop\"}");
  /* the field at fault: the command's name */
  assert_http_error (not_taken, 409, "conflict", "name");
  g_assert_cmpstr (json_object_get_string_member (command_of (not_taken), "status"), ==,
                   "rejected");

  viewer = http (fx, "POST", "/api/v1/bots/" BOT "/commands", VIEWER_TOKEN, "{\"name\":\"pause\"}");
  assert_http_error (viewer, 403, "forbidden", NULL);
  unknown = http (fx, "POST", "/api/v1/bots/ghost/commands", OPERATOR_TOKEN, "{\"name\":\"pause\"}");
  assert_http_error (unknown, 404, "not_found", "bot_id");
  bad_body = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, "pause");
  assert_http_error (bad_body, 400, "bad_request", NULL);
  bad_name = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, "{\"name\":1}");
  assert_http_error (bad_name, 400, "bad_request", "name");
  bad_args = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
                   "{\"name\":\"pause\",\"args\":[]}");
  assert_http_error (bad_args, 400, "bad_request", "args");
  g_assert_cmpuint (count_frames (c, "command"), ==, 1);

  /* the audit keeps both, newest first, with who sent them (it is written
   * beside the answer, not before it: wait for the disk) */
  g_assert_true (spin_until (audit_has_two, fx, SPIN_MS));
  audit = http (fx, "GET", "/api/v1/audit?bot_id=" BOT, OPERATOR_TOKEN, NULL);
  rows = json_object_get_array_member (assert_ok (audit), "commands");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "status"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                  "status"), ==, "done");
}


/* The engine holds no connection of BOT any more. */
static gboolean
bot_disconnected (gpointer data)
{
  Fixture *fx = data;
  ArbBotLink *link = arb_ingest_lookup_bot (arb_engine_get_ingest (fx->engine), BOT);

  return link != NULL && arb_bot_link_get_n_connections (link) == 0;
}

static void
test_command_timeout (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) gone = NULL;
  JsonObject *command;

  arb_ingest_set_command_timeout (arb_engine_get_ingest (fx->engine), 200);
  client_hello (c, BOT);
  r = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, "{\"name\":\"resume\"}");
  command = command_of (r);
  assert_ok (r);
  g_assert_cmpstr (json_object_get_string_member (command, "status"), ==, "timeout");
  g_assert_false (json_object_get_boolean_member (command, "ok"));
  g_assert_cmpuint (count_frames (c, "command"), ==, 1);

  /* the bot disconnected: refused at once */
  soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_assert_true (spin_until (client_closed, c, SPIN_MS));
  /* the server sees the close on its own side a moment later */
  g_assert_true (spin_until (bot_disconnected, fx, SPIN_MS));
  gone = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, "{\"name\":\"pause\"}");
  assert_http_error (gone, 409, "conflict", "bot_id");
  g_assert_nonnull (strstr (json_object_get_string_member (command_of (gone), "message"),
                            "not connected"));
}

static gboolean
audit_says_ok (gpointer data)
{
  g_autoptr(Reply) r = http (data, "GET", "/api/v1/audit", OPERATOR_TOKEN, NULL);
  JsonArray *rows = json_object_get_array_member (assert_ok (r), "commands");

  if (json_array_get_length (rows) > 0 &&
      g_str_equal (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "status"), "done"))
    return TRUE;
  spin_for (10);
  return FALSE;
}

static gboolean
cancel_when_sent (gpointer data)
{
  Client *c = data;

  return count_frames (c, "command") > 0;
}

static void
test_command_client_gone (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Reply) later = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"name\":\"pause\"}", 16);
  Reply *r = g_new0 (Reply, 1);
  JsonObject *sent;

  client_hello (c, BOT);
  r->msg = new_msg (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN);
  soup_message_set_request_body_from_bytes (r->msg, "application/json", body);
  soup_session_send_and_read_async (fx->session, r->msg, G_PRIORITY_DEFAULT, cancellable,
                                    reply_ready, r);
  g_assert_true (spin_until (cancel_when_sent, c, SPIN_MS));
  /* the operator gives up; then the bot answers: nobody is left to tell */
  g_cancellable_cancel (cancellable);
  g_assert_true (spin_until (reply_done, r, SPIN_MS));
  g_assert_error (r->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  spin_for (50);
  sent = wait_frame (c, "command", 1);
  client_send (c, "{\"type\":\"command_result\",\"id\":\"%s\",\"ok\":true}",
               json_object_get_string_member (sent, "id"));
  reply_free (r);
  /* the server is fine, and the outcome is in the audit */
  g_assert_true (spin_until (audit_says_ok, fx, SPIN_MS));
  later = http (fx, "GET", "/api/v1/health", NULL, NULL);
  assert_ok (later);
}

/* Issue 9, revision 1.1: a bot token bound to its bot_ids, over the real
 * WebSocket and POST /events. */
#define EU_TOKEN "eu-bot-secret-0123456789"

static void
test_bot_ids (Fixture *fx, gconstpointer data)
{
  ArbConfig *config = (ArbConfig *) arb_engine_get_config (fx->engine);
  const char *const eu[] = { "bot-eu", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) other = NULL;
  g_autoptr(Reply) own = NULL;
  g_autoptr(Reply) bots = NULL;
  g_autofree char *trade = trade_json (1, T0, "WETH/USDC", "filled");
  g_autofree char *body_other = g_strdup_printf ("{\"bot_id\":\"" BOT "\",\"events\":[%s]}", trade);
  g_autofree char *body_own = g_strdup_printf ("{\"bot_id\":\"bot-eu\",\"events\":[%s]}", trade);
  Client *real = client_connect (fx);
  Client *c;

  arb_config_add_token (config, "eu", ARB_ROLE_BOT, EU_TOKEN);
  g_assert_true (arb_config_bind_bot_ids (config, "eu", eu, &error));
  g_assert_no_error (error);
  client_hello (real, BOT);

  c = client_connect_full (fx, "/api/v1/bot", EU_TOKEN, NULL, NULL);
  g_assert_no_error (c->error);
  client_send (c, "{\"type\":\"hello\",\"bot_id\":\"" BOT "\",\"name\":\"thief\"}");
  assert_ws_error (wait_frame (c, "error", 1), "forbidden", "bot_id", 0);
  /* the real bot keeps its connection */
  spin_for (50);
  g_assert_false (real->closed);
  g_assert_cmpint (client_hello (c, "bot-eu"), ==, 0);

  other = http (fx, "POST", "/api/v1/events", EU_TOKEN, body_other);
  assert_http_error (other, 403, "forbidden", "bot_id");
  own = http (fx, "POST", "/api/v1/events", EU_TOKEN, body_own);
  g_assert_cmpint (json_object_get_int_member (assert_ok (own), "ack"), ==, 1);
  bots = http (fx, "GET", "/api/v1/bots", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (assert_ok (bots), "bots")),
                    ==, 2);
}

/* Issue 9: a result is taken only on the connection the command went to;
 * an HTTP batch in the bot's name cannot forge it. */
static void
test_command_forged_result (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  Reply *r = g_new0 (Reply, 1);
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"name\":\"pause\"}", 16);
  g_autoptr(Reply) forged = NULL;
  g_autofree char *forged_body = NULL;
  const char *id;
  JsonObject *command, *e;

  client_hello (c, BOT);
  r->msg = new_msg (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN);
  soup_message_set_request_body_from_bytes (r->msg, "application/json", body);
  soup_session_send_and_read_async (fx->session, r->msg, G_PRIORITY_DEFAULT, NULL, reply_ready, r);
  id = json_object_get_string_member (wait_frame (c, "command", 1), "id");

  forged_body = g_strdup_printf ("{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"command_result\","
                                 "\"id\":\"%s\",\"ok\":false,\"message\":\"forged\"}]}", id);
  forged = http (fx, "POST", "/api/v1/events", BOT_TOKEN, forged_body);
  e = json_array_get_object_element (json_object_get_array_member (assert_ok (forged), "errors"),
                                     0);
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "not_found");
  g_assert_cmpstr (json_object_get_string_member (e, "field"), ==, "id");
  g_assert_false (r->done);

  client_send (c, "{\"type\":\"command_result\",\"id\":\"%s\",\"ok\":true,\"message\":\"paused\"}",
               id);
  g_assert_true (spin_until (reply_done, r, SPIN_MS));
  command = command_of (r);
  g_assert_cmpstr (json_object_get_string_member (command, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (command, "message"), ==, "paused");
  reply_free (r);
}

/* ---------------------------------------------------------------- more routes */

static char *
reply_text (Reply *r)
{
  g_assert_nonnull (r->body);
  return g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
}

static void
test_trades_csv (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) all = NULL;
  g_autoptr(Reply) filtered = NULL;
  g_autoptr(Reply) limited = NULL;
  g_autoptr(Reply) bad = NULL;
  g_autoptr(Reply) anon = NULL;
  g_autofree char *text = NULL;
  g_autofree char *few = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) seqs = g_hash_table_new (NULL, NULL);

  /* more than one page of the export */
  for (gint64 first = 1; first <= 2500; first += 1000)
    post_trades (fx, BOT, first, MIN (first + 999, 2500), "WETH/USDC", "filled");
  post_trades (fx, "bot-2", 1, 2, "=cmd|' /C calc'!A0", "failed");

  all = http (fx, "GET", "/api/v1/trades.csv", VIEWER_TOKEN, NULL);
  g_assert_no_error (all->error);
  g_assert_cmpuint (all->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (
                     soup_message_get_response_headers (all->msg), NULL), ==, "text/csv");
  text = reply_text (all);
  lines = g_strsplit (text, "\r\n", -1);
  /* header, 2502 rows, and the empty string after the last CRLF */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2502 + 1);
  g_assert_true (g_str_has_prefix (lines[0], "bot_id,seq,ts,"));
  g_assert_cmpstr (lines[2503], ==, "");
  for (guint i = 1; i <= 2502; i++)
    if (g_str_has_prefix (lines[i], BOT ","))
      g_assert_true (g_hash_table_add (seqs, GINT_TO_POINTER (atoi (lines[i] + strlen (BOT) + 1))));
  g_assert_cmpuint (g_hash_table_size (seqs), ==, 2500);
  /* a pair a bot chose that a spreadsheet would run is defused */
  g_assert_nonnull (strstr (text, "'=cmd"));

  filtered = http (fx, "GET", "/api/v1/trades.csv?bot_id=bot-2&status=failed", VIEWER_TOKEN, NULL);
  few = reply_text (filtered);
  g_strfreev (lines);
  lines = g_strsplit (few, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2 + 1);

  limited = http (fx, "GET", "/api/v1/trades.csv?limit=5", VIEWER_TOKEN, NULL);
  assert_http_error (limited, 400, "bad_request", "limit");
  bad = http (fx, "GET", "/api/v1/trades.csv?status=won", VIEWER_TOKEN, NULL);
  assert_http_error (bad, 400, "bad_request", "status");
  anon = http (fx, "GET", "/api/v1/trades.csv", NULL, NULL);
  assert_http_error (anon, 401, "unauthorized", NULL);
}

/* Posts trades @first..@last of BOT, one a second, with profits that tie
 * often: (seq * 7) % 13 - 6. */
static void
post_profits (Fixture *fx, gint64 first, gint64 last)
{
  g_autoptr(GString) body = g_string_new ("{\"bot_id\":\"" BOT "\",\"events\":[");
  g_autoptr(Reply) r = NULL;

  for (gint64 seq = first; seq <= last; seq++)
    g_string_append_printf (body, "%s{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                            G_GINT64_FORMAT ",\"id\":\"t\",\"pair\":\"A/B\",\"buy_venue\":\"x\","
                            "\"sell_venue\":\"y\",\"status\":\"filled\",\"profit\":%d}",
                            seq > first ? "," : "", seq, T0 + seq * 1000,
                            (int) ((seq * 7) % 13) - 6);
  g_string_append (body, "]}");
  r = http (fx, "POST", "/api/v1/events", BOT_TOKEN, body->str);
  g_assert_cmpint (json_object_get_int_member (assert_ok (r), "ack"), ==, last);
}

static int
profit_of (gint64 seq)
{
  return (int) ((seq * 7) % 13) - 6;
}

/* GET /trades?sort=&order=: every trade once, by the key then by arrival,
 * page after page; a cursor is only good for its own order. */
static void
test_trades_sorted (Fixture *fx, gconstpointer data)
{
  static const struct { const char *query; const char *field; } bad[] = {
    { "?sort=price", "sort" },
    { "?sort=", "sort" },
    { "?sort=Profit", "sort" },
    { "?order=up", "order" },
    { "?sort=profit&order=", "order" },
  };
  g_autofree char *cursor = NULL;
  g_autofree char *time_cursor = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gint64 prev_seq = 0;
  int prev_profit = G_MININT;
  guint pages = 0;

  post_profits (fx, 1, 20);

  /* ascending profit, ties in arrival (here seq) order, 6 a page */
  do
    {
      g_autofree char *page_query = cursor != NULL
        ? g_strdup_printf ("?sort=profit&order=asc&limit=6&cursor=%s", cursor)
        : g_strdup ("?sort=profit&order=asc&limit=6");
      g_autoptr(GPtrArray) seqs = NULL;

      g_clear_pointer (&cursor, g_free);
      seqs = get_trades (fx, page_query, &cursor);
      for (guint i = 0; i < seqs->len; i++)
        {
          gint64 seq = GPOINTER_TO_INT (g_ptr_array_index (seqs, i));
          int profit = profit_of (seq);

          g_assert_true (profit > prev_profit || (profit == prev_profit && seq > prev_seq));
          prev_profit = profit;
          prev_seq = seq;
          g_assert_true (g_hash_table_add (seen, GINT_TO_POINTER (seq)));
        }
      g_assert_cmpuint (++pages, <=, 4);
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 4);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 20);

  /* the order defaults to descending: the largest profit first */
  first = get_trades (fx, "?sort=profit&limit=1", &cursor);
  g_assert_cmpint (profit_of (GPOINTER_TO_INT (first->pdata[0])), ==, 6);
  /* the newest first as always, and its cursors as they were */
  g_clear_pointer (&first, g_ptr_array_unref);
  first = get_trades (fx, "?sort=time&order=desc&limit=1", &time_cursor);
  g_assert_cmpint (GPOINTER_TO_INT (first->pdata[0]), ==, 20);
  {
    g_autofree char *q = g_strdup_printf ("?limit=1&cursor=%s", time_cursor);
    g_autoptr(GPtrArray) next = get_trades (fx, q, NULL);
    g_assert_cmpint (GPOINTER_TO_INT (next->pdata[0]), ==, 19);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strconcat ("/api/v1/trades", bad[i].query, NULL);
      g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);

      assert_http_error (r, 400, "bad_request", bad[i].field);
    }
  /* a cursor of one order is refused for another */
  {
    g_autofree char *other = g_strdup_printf ("/api/v1/trades?sort=pair&cursor=%s", cursor);
    g_autofree char *asc = g_strdup_printf ("/api/v1/trades?sort=profit&order=asc&cursor=%s",
                                            cursor);
    g_autofree char *by_time = g_strdup_printf ("/api/v1/trades?sort=profit&cursor=%s",
                                                time_cursor);
    g_autoptr(Reply) r1 = http (fx, "GET", other, VIEWER_TOKEN, NULL);
    g_autoptr(Reply) r2 = http (fx, "GET", asc, VIEWER_TOKEN, NULL);
    g_autoptr(Reply) r3 = http (fx, "GET", by_time, VIEWER_TOKEN, NULL);

    g_assert_nonnull (cursor);
    assert_http_error (r1, 400, "bad_request", "cursor");
    assert_http_error (r2, 400, "bad_request", "cursor");
    assert_http_error (r3, 400, "bad_request", "cursor");
  }
}

/* GET /trades.csv?sort=: every row in that order, across pages of 1,000. */
static void
test_trades_csv_sorted (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) r = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(Reply) bad = NULL;
  int prev_profit = G_MAXINT;
  gint64 prev_seq = G_MAXINT64;

  for (gint64 from = 1; from <= 2100; from += 700)
    post_profits (fx, from, from + 699);
  r = http (fx, "GET", "/api/v1/trades.csv?sort=profit&order=desc", VIEWER_TOKEN, NULL);
  text = reply_text (r);
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 2100 + 1);
  for (guint i = 1; i <= 2100; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      gint64 seq = g_ascii_strtoll (cells[1], NULL, 10);
      int profit = atoi (cells[9]);

      g_assert_cmpint (profit, ==, profit_of (seq));
      /* descending: ties newest row first */
      g_assert_true (profit < prev_profit || (profit == prev_profit && seq < prev_seq));
      prev_profit = profit;
      prev_seq = seq;
    }
  bad = http (fx, "GET", "/api/v1/trades.csv?order=sideways", VIEWER_TOKEN, NULL);
  assert_http_error (bad, 400, "bad_request", "order");
}

static gboolean
series_ready (gpointer data)
{
  Fixture *fx = data;
  g_autoptr(Reply) r = http (fx, "GET", "/api/v1/series?metric=mem.used", VIEWER_TOKEN, NULL);

  if (r->status != 200)
    spin_for (20);
  return r->status == 200;
}

static void
test_series (Fixture *fx, gconstpointer data)
{
  static const struct { const char *query; guint status; const char *field; } bad[] = {
    { "", 400, "metric" },
    { "?metric=", 400, "metric" },
    { "?metric=no.such.thing", 404, "metric" },
    { "?metric=mem.used&points=0", 400, "points" },
    { "?metric=mem.used&points=10001", 400, "points" },
    { "?metric=mem.used&after=2000&before=1000", 400, "after" },
    { "?metric=mem.used&before=soon", 400, "before" },
    { "?metric=mem.used&count=2", 400, "count" },
    { "?metric=mem.used&count=yes", 400, "count" },
  };
  g_autoptr(Reply) r = NULL;
  JsonObject *o;
  JsonArray *points;
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *path = NULL;

  g_assert_true (spin_until (series_ready, fx, SPIN_MS));
  path = g_strdup_printf ("/api/v1/series?metric=mem.used&after=%" G_GINT64_FORMAT
                          "&before=%" G_GINT64_FORMAT "&points=50", now - 60000, now + 60000);
  r = http (fx, "GET", path, VIEWER_TOKEN, NULL);
  o = assert_ok (r);
  g_assert_cmpstr (json_object_get_string_member (o, "metric"), ==, "mem.used");
  g_assert_cmpstr (json_object_get_string_member (o, "unit"), ==, "bytes");
  points = json_object_get_array_member (o, "points");
  g_assert_cmpuint (json_array_get_length (points), >=, 1);
  g_assert_cmpuint (json_array_get_length (points), <=, 50);
  /* [ts, min, avg, max] */
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (points, 0)), ==, 4);

  /* count=1 adds each bucket's number of values: [ts, min, avg, max, count] */
  g_free (path);
  path = g_strdup_printf ("/api/v1/series?metric=mem.used&after=%" G_GINT64_FORMAT
                          "&before=%" G_GINT64_FORMAT "&points=50&count=1", now - 60000, now + 60000);
  g_clear_pointer (&r, reply_free);
  r = http (fx, "GET", path, VIEWER_TOKEN, NULL);
  o = assert_ok (r);
  points = json_object_get_array_member (o, "points");
  g_assert_cmpuint (json_array_get_length (points), >=, 1);
  for (guint i = 0; i < json_array_get_length (points); i++)
    {
      JsonArray *p = json_array_get_array_element (points, i);

      g_assert_cmpuint (json_array_get_length (p), ==, 5);
      /* a bucket with values has a count; a gap (null average) has none */
      if (json_array_get_null_element (p, 2))
        g_assert_cmpint (json_array_get_int_element (p, 4), ==, 0);
      else
        g_assert_cmpint (json_array_get_int_element (p, 4), >=, 1);
    }

  /* the names of the series that exist, all or by prefix */
  {
    g_autoptr(Reply) all = http (fx, "GET", "/api/v1/series/names", VIEWER_TOKEN, NULL);
    g_autoptr(Reply) mem = http (fx, "GET", "/api/v1/series/names?prefix=mem.", VIEWER_TOKEN, NULL);
    g_autoptr(Reply) none = http (fx, "GET", "/api/v1/series/names?prefix=no.such.", VIEWER_TOKEN, NULL);
    g_autoptr(Reply) anonymous = http (fx, "GET", "/api/v1/series/names", NULL, NULL);
    JsonArray *names = json_object_get_array_member (assert_ok (all), "names");
    gboolean found = FALSE;

    for (guint i = 0; i < json_array_get_length (names); i++)
      {
        found = found || g_str_equal (json_array_get_string_element (names, i), "mem.used");
        if (i > 0)
          g_assert_cmpint (strcmp (json_array_get_string_element (names, i - 1),
                                   json_array_get_string_element (names, i)), <, 0);
      }
    g_assert_true (found);
    names = json_object_get_array_member (assert_ok (mem), "names");
    g_assert_cmpuint (json_array_get_length (names), >=, 1);
    for (guint i = 0; i < json_array_get_length (names); i++)
      g_assert_true (g_str_has_prefix (json_array_get_string_element (names, i), "mem."));
    names = json_object_get_array_member (assert_ok (none), "names");
    g_assert_cmpuint (json_array_get_length (names), ==, 0);
    assert_http_error (anonymous, 401, "unauthorized", NULL);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *p = g_strconcat ("/api/v1/series", bad[i].query, NULL);
      g_autoptr(Reply) e = http (fx, "GET", p, VIEWER_TOKEN, NULL);

      assert_http_error (e, bad[i].status, bad[i].status == 404 ? "not_found" : "bad_request",
                         bad[i].field);
    }
}

static void
test_resources_and_alerts (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) before = NULL;
  g_autoptr(Reply) after = NULL;
  g_autoptr(Reply) alerts = NULL;
  g_autoptr(Reply) bad = NULL;
  g_autoptr(Reply) batch = NULL;
  JsonArray *bots;
  JsonObject *o;

  before = http (fx, "GET", "/api/v1/resources", VIEWER_TOKEN, NULL);
  o = assert_ok (before);
  g_assert_true (json_object_has_member (json_object_get_object_member (o, "dashboard"),
                                         "store_queue"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "bots")), ==, 0);
  batch = http (fx, "POST", "/api/v1/events", BOT_TOKEN,
                "{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"resources\",\"seq\":1,\"ts\":5,"
                "\"pool\":{\"size\":8,\"in_use\":3,\"waiting\":0}}]}");
  assert_ok (batch);
  after = http (fx, "GET", "/api/v1/resources", VIEWER_TOKEN, NULL);
  bots = json_object_get_array_member (assert_ok (after), "bots");
  g_assert_cmpuint (json_array_get_length (bots), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (bots, 0),
                                                  "bot_id"), ==, BOT);

  alerts = http (fx, "GET", "/api/v1/alerts", VIEWER_TOKEN, NULL);
  o = assert_ok (alerts);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "active")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "recent")));
  bad = http (fx, "GET", "/api/v1/alerts?limit=0", VIEWER_TOKEN, NULL);
  assert_http_error (bad, 400, "bad_request", "limit");
}

static Reply *
with_cookie (Fixture *fx, const char *method, const char *path, const char *cookie)
{
  SoupMessage *msg = new_msg (fx, method, path, NULL);

  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  /* as the dashboard's page sends it: a cookie request that changes something needs it */
  if (strcmp (method, "GET") != 0)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", fx->origin);
  return send_msg (fx, msg, NULL);
}

static void
test_session (Fixture *fx, gconstpointer data)
{
  static const struct { const char *body; guint status; const char *field; } bad[] = {
    { "", 400, NULL },
    { "[]", 400, NULL },
    { "{}", 400, "token" },
    { "{\"token\":42}", 400, "token" },
    { "{\"token\":[\"" VIEWER_TOKEN "\"]}", 400, "token" },
    { "{\"token\":\"nope\"}", 401, "token" },
    { "{\"token\":\"" BOT_TOKEN "\"}", 401, "token" },
  };
  g_autoptr(Reply) login = NULL;
  g_autoptr(Reply) used = NULL;
  g_autoptr(Reply) audit = NULL;
  g_autoptr(Reply) logout = NULL;
  g_autoptr(Reply) stale = NULL;
  g_autoptr(Reply) op = NULL;
  g_autoptr(Reply) op_audit = NULL;
  const char *set_cookie;
  g_autofree char *cookie = NULL;
  g_autofree char *op_cookie = NULL;
  JsonObject *o;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(Reply) r = http (fx, "POST", "/api/v1/session", NULL, bad[i].body);
      assert_http_error (r, bad[i].status, bad[i].status == 401 ? "unauthorized" : "bad_request",
                         bad[i].field);
      g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (r->msg),
                                                   "Set-Cookie"));
    }

  login = http (fx, "POST", "/api/v1/session", NULL, "{\"token\":\"" VIEWER_TOKEN "\"}");
  o = assert_ok (login);
  g_assert_cmpstr (json_object_get_string_member (o, "role"), ==, "viewer");
  set_cookie = soup_message_headers_get_one (soup_message_get_response_headers (login->msg),
                                             "Set-Cookie");
  g_assert_nonnull (set_cookie);
  g_assert_nonnull (strstr (set_cookie, "HttpOnly"));
  g_assert_nonnull (strstr (set_cookie, "SameSite=Strict"));
  g_assert_null (strstr (set_cookie, VIEWER_TOKEN));
  cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));

  /* the cookie stands for the viewer token, no more */
  used = with_cookie (fx, "GET", "/api/v1/trades", cookie);
  assert_ok (used);
  audit = with_cookie (fx, "GET", "/api/v1/audit", cookie);
  assert_http_error (audit, 403, "forbidden", NULL);
  logout = with_cookie (fx, "DELETE", "/api/v1/session", cookie);
  assert_ok (logout);
  g_assert_nonnull (strstr (soup_message_headers_get_one (
                      soup_message_get_response_headers (logout->msg), "Set-Cookie"),
                    "Max-Age=0"));
  stale = with_cookie (fx, "GET", "/api/v1/trades", cookie);
  assert_http_error (stale, 401, "unauthorized", NULL);

  op = http (fx, "POST", "/api/v1/session", NULL, "{\"token\":\"" OPERATOR_TOKEN "\"}");
  g_assert_cmpstr (json_object_get_string_member (assert_ok (op), "role"), ==, "operator");
  set_cookie = soup_message_headers_get_one (soup_message_get_response_headers (op->msg),
                                             "Set-Cookie");
  op_cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  op_audit = with_cookie (fx, "GET", "/api/v1/audit", op_cookie);
  assert_ok (op_audit);
}

/* Prometheus's own linter (Debian package prometheus), when the build found it. */
static void
check_with_promtool (const char *text)
{
  const char *promtool = g_getenv ("PROMTOOL");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (promtool == NULL || *promtool == '\0')
    {
      g_test_message ("promtool not found: the exposition was checked line by line only");
      return;
    }
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, promtool, "check", "metrics",
                           NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, text, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("promtool check metrics failed:\n%s%s", out, err);
}

static void
test_metrics (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) anon = http (fx, "GET", "/metrics", NULL, NULL);
  g_autoptr(Reply) post = http (fx, "POST", "/metrics", VIEWER_TOKEN, "{}");
  g_autoptr(Reply) batch = NULL;
  g_autoptr(Reply) forbidden = NULL;
  g_autoptr(Reply) bad_logs = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  post_trades (fx, BOT, 1, 2, "WETH/USDC", "filled");
  /* a pair that needs escaping in a label value */
  post_trades (fx, BOT, 3, 3, "W\\\"E\\\\TH", "filled");
  g_assert_true (spin_until (system_ready, fx, SPIN_MS));
  batch = http (fx, "POST", "/api/v1/events", BOT_TOKEN,
                "{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"resources\",\"seq\":4,\"ts\":5,"
                "\"pool\":{\"size\":8,\"in_use\":3,\"waiting\":0},\"memory\":{\"rss_bytes\":1000}}]}");
  assert_ok (batch);
  /* an error on the operator's route is counted under its own name */
  forbidden = http (fx, "GET", "/api/v1/rejected", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (forbidden->status, ==, 403);
  bad_logs = http (fx, "GET", "/api/v1/logs?limit=0", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (bad_logs->status, ==, 400);
  r = http (fx, "GET", "/metrics", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (
                     soup_message_get_response_headers (r->msg), NULL), ==, "text/plain");
  text = reply_text (r);
  g_assert_nonnull (strstr (text, "# TYPE arbdash_trades_total counter\n"));
  g_assert_nonnull (strstr (text, "bot_id=\"" BOT "\""));
  g_assert_nonnull (strstr (text, "pair=\"W\\\"E\\\\TH\""));
  g_assert_nonnull (strstr (text, "# TYPE arbdash_cpu_busy_percent gauge\n"));
  g_assert_nonnull (strstr (text, "endpoint=\"/api/v1/rejected\""));
  g_assert_nonnull (strstr (text, "endpoint=\"/api/v1/logs\""));
  /* the POST above: a path served outside the REST table has its own label too */
  g_assert_nonnull (strstr (text, "endpoint=\"/metrics\""));
  /* every line is a comment or "name{labels} value" */
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      const char *space;

      if (**l == '\0' || **l == '#')
        continue;
      g_assert_true (g_str_has_prefix (*l, "arbdash_"));
      space = strrchr (*l, ' ');
      g_assert_nonnull (space);
      g_assert_true (g_ascii_isdigit (space[1]) || space[1] == '-' || space[1] == '+' ||
                     g_str_equal (space + 1, "NaN"));
    }
  assert_http_error (anon, 401, "unauthorized", NULL);
  assert_http_error (post, 405, "bad_request", NULL);
  check_with_promtool (text);
}

static void
test_command_empty_body (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autoptr(Reply) r = NULL;

  client_hello (c, BOT);
  r = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, "");
  assert_http_error (r, 400, "bad_request", NULL);
  g_assert_cmpuint (count_frames (c, "command"), ==, 0);
}

/* ---------------------------------------------------------------- stored logs */

static JsonArray *
log_rows (Reply *r)
{
  return json_object_get_array_member (assert_ok (r), "logs");
}

typedef struct
{
  Fixture    *fx;
  const char *path;
  guint       n;
} LogWait;

static gboolean
has_logs (gpointer data)
{
  LogWait *w = data;
  g_autoptr(Reply) r = http (w->fx, "GET", w->path, VIEWER_TOKEN, NULL);

  if (json_array_get_length (log_rows (r)) >= w->n)
    return TRUE;
  spin_for (10);
  return FALSE;
}

static const char *
log_message (Reply *r, guint i)
{
  return json_object_get_string_member (json_array_get_object_element (log_rows (r), i),
                                        "message");
}

static void
test_logs (Fixture *fx, gconstpointer data)
{
  static const char *levels[] = { "debug", "info", "warning", "error", "critical" };
  LogWait w = { fx, "/api/v1/logs?bot_id=" BOT "&limit=500", 10 };
  GString *body = g_string_new ("{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"hello\","
                                "\"bot_id\":\"" BOT "\",\"name\":\"Log bot\"}");
  g_autoptr(Reply) post = NULL;
  g_autoptr(Reply) all = NULL;
  g_autoptr(Reply) page1 = NULL;
  g_autoptr(Reply) page2 = NULL;
  g_autoptr(Reply) page3 = NULL;
  g_autoptr(Reply) errors = NULL;
  g_autoptr(Reply) component = NULL;
  g_autoptr(Reply) text = NULL;
  g_autoptr(Reply) none = NULL;
  g_autoptr(Reply) operator = NULL;
  g_autoptr(Reply) no_token = NULL;
  g_autoptr(Reply) bot = NULL;
  g_autofree char *body_text = NULL;
  g_autofree char *next = NULL;
  JsonObject *o;

  /* ten lines: levels in turn, two components, "needle" in two of them */
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (body, ",{\"type\":\"log\",\"seq\":%u,\"ts\":%" G_GINT64_FORMAT ","
                            "\"level\":\"%s\",\"component\":\"%s\",\"message\":\"line %u%s\"}",
                            i + 1, T0 + i, levels[i % 5], i % 2 ? "executor" : "scanner", i,
                            i == 3 || i == 8 ? " has a NEEDLE" : "");
  g_string_append (body, "]}");
  body_text = g_string_free (body, FALSE);
  post = http (fx, "POST", "/api/v1/events", BOT_TOKEN, body_text);
  assert_ok (post);
  g_assert_true (spin_until (has_logs, &w, SPIN_MS));

  /* every line, newest first, as the stream's log items */
  all = http (fx, "GET", "/api/v1/logs?bot_id=" BOT, VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (all)), ==, 10);
  g_assert_true (json_object_get_null_member (reply_object (all), "next_cursor"));
  o = json_array_get_object_element (log_rows (all), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "line 9");
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, BOT);
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (o, "ts"), ==, T0 + 9);
  g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (o, "component"), ==, "executor");
  g_assert_cmpstr (log_message (all, 9), ==, "line 0");

  /* pages by cursor: 4 + 4 + 2, none twice, none missed */
  page1 = http (fx, "GET", "/api/v1/logs?bot_id=" BOT "&limit=4", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (page1)), ==, 4);
  g_assert_cmpstr (log_message (page1, 3), ==, "line 6");
  next = g_strdup_printf ("/api/v1/logs?bot_id=" BOT "&limit=4&cursor=%s",
                          json_object_get_string_member (reply_object (page1), "next_cursor"));
  page2 = http (fx, "GET", next, VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (page2)), ==, 4);
  g_assert_cmpstr (log_message (page2, 0), ==, "line 5");
  g_assert_cmpstr (log_message (page2, 3), ==, "line 2");
  g_free (next);
  next = g_strdup_printf ("/api/v1/logs?bot_id=" BOT "&limit=4&cursor=%s",
                          json_object_get_string_member (reply_object (page2), "next_cursor"));
  page3 = http (fx, "GET", next, VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (page3)), ==, 2);
  g_assert_cmpstr (log_message (page3, 1), ==, "line 0");
  g_assert_true (json_object_get_null_member (reply_object (page3), "next_cursor"));

  /* filters: level and above, component, text (case ignored), together */
  errors = http (fx, "GET", "/api/v1/logs?bot_id=" BOT "&level=error", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (errors)), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const char *level = json_object_get_string_member (
        json_array_get_object_element (log_rows (errors), i), "level");
      g_assert_true (g_str_equal (level, "error") || g_str_equal (level, "critical"));
    }
  component = http (fx, "GET", "/api/v1/logs?bot_id=" BOT "&component=scanner&level=info",
                    VIEWER_TOKEN, NULL);
  /* lines 0 2 4 6 8 are the scanner's; 0 and 5 are debug */
  g_assert_cmpuint (json_array_get_length (log_rows (component)), ==, 4);
  g_assert_cmpstr (log_message (component, 3), ==, "line 2");
  text = http (fx, "GET", "/api/v1/logs?text=needle", VIEWER_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (text)), ==, 2);
  g_assert_cmpstr (log_message (text, 0), ==, "line 8 has a NEEDLE");
  none = http (fx, "GET", "/api/v1/logs?text=needle&component=nothing-logs-here", VIEWER_TOKEN,
               NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (none)), ==, 0);
  g_assert_true (json_object_get_null_member (reply_object (none), "next_cursor"));

  /* roles: viewer and operator; never a bot token or none */
  operator = http (fx, "GET", "/api/v1/logs?limit=1", OPERATOR_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (log_rows (operator)), ==, 1);
  no_token = http (fx, "GET", "/api/v1/logs", NULL, NULL);
  assert_http_error (no_token, 401, "unauthorized", NULL);
  bot = http (fx, "GET", "/api/v1/logs", BOT_TOKEN, NULL);
  assert_http_error (bot, 403, "forbidden", NULL);

  /* every parameter is checked */
  {
    static const struct { const char *query; const char *field; } bad[] = {
      { "limit=0", "limit" }, { "limit=501", "limit" }, { "limit=x", "limit" },
      { "level=loud", "level" }, { "level=", "level" }, { "bot_id=a%20b", "bot_id" },
      { "component=", "component" }, { "text=", "text" }, { "cursor=", "cursor" },
      /* bytes that are not UTF-8 once decoded; a lead byte whose sequence the
       * end of the text cuts (g_utf8_strlen() would read past it) */
      { "text=%FF%FE", "text" }, { "text=ab%F0", "text" }, { "component=%C3", "component" },
      { "cursor=garbage!", "cursor" },
      /* base64url of "r1:1" (a /rejected cursor), "l1:0", "l1:x" */
      { "cursor=cjE6MQ", "cursor" }, { "cursor=bDE6MA", "cursor" }, { "cursor=bDE6eA", "cursor" },
      { "cursor=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "cursor" },
    };
    g_autofree char *long_text = g_strnfill (201, 'a');
    g_autofree char *long_path = g_strconcat ("/api/v1/logs?text=", long_text, NULL);
    g_autoptr(Reply) too_long = http (fx, "GET", long_path, VIEWER_TOKEN, NULL);

    assert_http_error (too_long, 400, "bad_request", "text");
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strconcat ("/api/v1/logs?", bad[i].query, NULL);
        g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);

        assert_http_error (r, 400, "bad_request", bad[i].field);
      }
  }
}

/* ---------------------------------------------------------------- refused messages */

static JsonArray *
rejected_rows (Reply *r)
{
  return json_object_get_array_member (assert_ok (r), "rejected");
}

typedef struct
{
  Fixture *fx;
  guint    n;
} RejectedWait;

static gboolean
has_rejected (gpointer data)
{
  RejectedWait *w = data;
  g_autoptr(Reply) r = http (w->fx, "GET", "/api/v1/rejected", OPERATOR_TOKEN, NULL);

  if (json_array_get_length (rejected_rows (r)) >= w->n)
    return TRUE;
  spin_for (10);
  return FALSE;
}

static void
test_rejected (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  RejectedWait w = { fx, 4 };
  g_autoptr(Reply) all = NULL;
  g_autoptr(Reply) viewer = http (fx, "GET", "/api/v1/rejected", VIEWER_TOKEN, NULL);
  g_autoptr(Reply) bot = http (fx, "GET", "/api/v1/rejected", BOT_TOKEN, NULL);
  g_autoptr(Reply) post = NULL;
  g_autoptr(Reply) unparsable = NULL;
  g_autoptr(Reply) page1 = NULL;
  g_autoptr(Reply) page2 = NULL;
  g_autoptr(Reply) one_bot = NULL;
  g_autoptr(Reply) metrics = NULL;
  g_autofree char *text = NULL;
  g_autofree char *metrics_text = NULL;
  g_autofree char *next = NULL;
  JsonArray *rows;
  JsonObject *o;

  assert_http_error (viewer, 403, "forbidden", NULL);
  assert_http_error (bot, 403, "forbidden", NULL);

  /* a bad trade over the WebSocket, a binary frame that is not UTF-8 */
  client_hello (c, BOT);
  client_send (c, "{\"type\":\"trade\",\"seq\":1,\"ts\":5,\"id\":\"t-1\",\"pair\":\"A/B\","
               "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\"}");
  wait_ack (c, 1);
  soup_websocket_connection_send_binary (c->ws, "\x01\xff", 2);
  assert_ws_error (wait_frame (c, "error", 2), "bad_request", NULL, 0);
  /* a bad element of a batch, and a body that is not JSON */
  post = http (fx, "POST", "/api/v1/events", BOT_TOKEN,
               "{\"bot_id\":\"bot-2\",\"events\":[{\"type\":\"metric\",\"seq\":1,\"ts\":1,"
               "\"name\":\"gas\"}]}");
  assert_ok (post);
  unparsable = http (fx, "POST", "/api/v1/events", BOT_TOKEN, "{\"bot_id\":");
  assert_http_error (unparsable, 400, "bad_request", NULL);
  g_assert_true (spin_until (has_rejected, &w, SPIN_MS));

  all = http (fx, "GET", "/api/v1/rejected", OPERATOR_TOKEN, NULL);
  text = reply_text (all);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  rows = rejected_rows (all);
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  g_assert_true (json_object_get_null_member (reply_object (all), "next_cursor"));
  /* newest first */
  o = json_array_get_object_element (rows, 0);
  g_assert_true (json_object_get_null_member (o, "bot_id"));
  g_assert_true (json_object_get_null_member (o, "seq"));
  g_assert_cmpstr (json_object_get_string_member (o, "raw"), ==, "{\"bot_id\":");
  o = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "bot-2");
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "field"), ==, "value");
  o = json_array_get_object_element (rows, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, BOT);
  g_assert_true (json_object_get_null_member (o, "field"));
  /* not UTF-8: each bad byte is U+FFFD */
  g_assert_cmpstr (json_object_get_string_member (o, "raw"), ==, "\x01\xef\xbf\xbd");
  g_assert_cmpint (json_object_get_int_member (o, "raw_bytes"), ==, 2);
  o = json_array_get_object_element (rows, 3);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, BOT);
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (o, "field"), ==, "profit");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), !=, "");
  g_assert_nonnull (strstr (json_object_get_string_member (o, "raw"), "\"id\":\"t-1\""));
  g_assert_false (json_object_get_boolean_member (o, "truncated"));
  g_assert_cmpint (json_object_get_int_member (o, "ts"), >, T0);

  /* pages by cursor, and one bot */
  page1 = http (fx, "GET", "/api/v1/rejected?limit=3", OPERATOR_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (rejected_rows (page1)), ==, 3);
  next = g_strdup_printf ("/api/v1/rejected?limit=3&cursor=%s",
                          json_object_get_string_member (reply_object (page1), "next_cursor"));
  page2 = http (fx, "GET", next, OPERATOR_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (rejected_rows (page2)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     rejected_rows (page2), 0), "field"), ==, "profit");
  g_assert_true (json_object_get_null_member (reply_object (page2), "next_cursor"));
  one_bot = http (fx, "GET", "/api/v1/rejected?bot_id=bot-2", OPERATOR_TOKEN, NULL);
  g_assert_cmpuint (json_array_get_length (rejected_rows (one_bot)), ==, 1);

  /* parameters */
  {
    static const struct { const char *query; const char *field; } bad[] = {
      { "limit=0", "limit" }, { "limit=1001", "limit" }, { "bot_id=a%20b", "bot_id" },
      { "cursor=garbage!", "cursor" }, { "cursor=djE6MTox", "cursor" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strconcat ("/api/v1/rejected?", bad[i].query, NULL);
        g_autoptr(Reply) r = http (fx, "GET", path, OPERATOR_TOKEN, NULL);

        assert_http_error (r, 400, "bad_request", bad[i].field);
      }
  }

  /* counted per known bot and code */
  metrics = http (fx, "GET", "/metrics", VIEWER_TOKEN, NULL);
  metrics_text = reply_text (metrics);
  g_assert_nonnull (strstr (metrics_text, "# TYPE arbdash_rejected_events_total counter\n"));
  g_assert_nonnull (strstr (metrics_text, "arbdash_rejected_events_total{bot_id=\"" BOT "\","
                                          "code=\"bad_request\"} 2\n"));
  g_assert_nonnull (strstr (metrics_text, "arbdash_rejected_events_total{bot_id=\"bot-2\","
                                          "code=\"bad_request\"} 1\n"));
  g_assert_nonnull (strstr (metrics_text, "arbdash_rejected_events_total{bot_id=\"\","
                                          "code=\"bad_request\"} 1\n"));
  g_assert_nonnull (strstr (metrics_text, "arbdash_rejected_events_not_kept_total 0\n"));
  check_with_promtool (metrics_text);
}

/* ---------------------------------------------------------------- text (issue 9) */

typedef struct
{
  Client *c;
  gint64  seq;
} TradeWait;

/* Whether @w->c received a trade item of the bot's seq @w->seq. */
static gboolean
has_trade_item (gpointer data)
{
  TradeWait *w = data;

  for (guint i = 0; i < w->c->frames->len; i++)
    {
      JsonObject *f = json_node_get_object (g_ptr_array_index (w->c->frames, i));
      JsonArray *items;

      if (g_strcmp0 (json_object_get_string_member (f, "type"), "batch") != 0)
        continue;
      items = json_object_get_array_member (f, "items");
      for (guint j = 0; j < json_array_get_length (items); j++)
        {
          JsonObject *item = json_array_get_object_element (items, j);
          JsonObject *d = json_object_get_object_member (item, "data");

          if (g_str_equal (json_object_get_string_member (item, "kind"), "trade") &&
              json_object_get_int_member (d, "seq") == w->seq)
            return TRUE;
        }
    }
  return FALSE;
}

static void
wait_trade_item (Client *c, gint64 seq)
{
  TradeWait w = { c, seq };

  g_assert_true (spin_until (has_trade_item, &w, SPIN_MS));
}

static Client *
viewer_subscribed (Fixture *fx, const char *subscribe)
{
  Client *v = client_connect_full (fx, "/api/v1/stream", VIEWER_TOKEN, NULL, NULL);

  g_assert_nonnull (v->ws);
  client_send (v, "%s", subscribe);
  wait_frame (v, "snapshot", 1);
  return v;
}

/* A trade whose pair is a lone surrogate escape used to be acked and stored
 * as bytes that are not UTF-8: libsoup then refused every text frame that
 * carried it. It is refused naming the field, with its seq, which the ack
 * passes; the neighbours are stored, and viewers go on. */
static void
test_bot_string_not_text (Fixture *fx, gconstpointer data)
{
  Client *v = viewer_subscribed (fx, "{\"type\":\"subscribe\",\"topics\":[\"trading\"]}");
  Client *c = client_connect (fx);
  Client *late = NULL;
  g_autoptr(Reply) trades = NULL;
  g_autofree char *text = NULL;

  client_hello (c, BOT);
  client_trade (c, 1);
  client_send (c, "{\"type\":\"trade\",\"seq\":2,\"ts\":5,\"id\":\"t-2\",\"pair\":\"X\\ud800Y\","
               "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\",\"profit\":1}");
  client_trade (c, 3);
  wait_ack (c, 3);
  assert_ws_error (last_error (c), "bad_request", "pair", 2);
  client_send (c, "{\"type\":\"trade\",\"seq\":4,\"ts\":5,\"id\":\"t-4\",\"pair\":\"A\\u0000B\","
               "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\",\"profit\":1}");
  client_send (c, "{\"type\":\"trade\",\"seq\":5,\"ts\":5,\"id\":\"t-5\",\"pair\":\"A/B\","
               "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\","
               "\"profit\":99999999999999999999999}");
  client_trade (c, 6);
  wait_ack (c, 6);
  assert_ws_error (wait_frame (c, "error", 2), "bad_request", "pair", 4);
  assert_ws_error (wait_frame (c, "error", 3), "bad_request", "profit", 5);

  /* the viewer keeps receiving frames, and a new one gets its snapshot */
  wait_trade_item (v, 1);
  wait_trade_item (v, 3);
  wait_trade_item (v, 6);
  g_assert_false (v->closed);
  late = viewer_subscribed (fx, "{\"type\":\"subscribe\",\"topics\":[\"trading\"]}");
  g_assert_false (late->closed);

  trades = http (fx, "GET", "/api/v1/trades", VIEWER_TOKEN, NULL);
  assert_ok (trades);
  text = reply_text (trades);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_object (trades),
                                                                         "trades")), ==, 3);
}

/* The other messages from outside: the same strictness, naming the field. */
static void
test_bodies_not_text (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  Client *v = client_connect_full (fx, "/api/v1/stream", OPERATOR_TOKEN, NULL, NULL);
  g_autoptr(Reply) login = http (fx, "POST", "/api/v1/session", NULL,
                                 "{\"token\":\"" VIEWER_TOKEN "\\u0000x\"}");
  g_autoptr(Reply) comment = http (fx, "POST", "/api/v1/session", NULL,
                                   "{\"token\":\"" VIEWER_TOKEN "\"} /* c */");
  g_autoptr(Reply) command = NULL;
  g_autoptr(Reply) quotes = NULL;

  assert_http_error (login, 400, "bad_request", "token");
  assert_http_error (comment, 400, "bad_request", NULL);
  c->answer_commands = TRUE;
  client_hello (c, BOT);
  command = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
                  "{\"name\":\"pause\",\"args\":{\"why\":\"\\udc00\"}}");
  assert_http_error (command, 400, "bad_request", "why");
  g_clear_pointer (&command, reply_free);
  /* a number out of range was passed on to the bot as -1 (or null) */
  command = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
                  "{\"name\":\"pause\",\"args\":{\"minutes\":99999999999999999999}}");
  assert_http_error (command, 400, "bad_request", "minutes");
  quotes = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN,
                 "{'name':'pause'}");
  assert_http_error (quotes, 400, "bad_request", NULL);
  g_assert_cmpuint (count_frames (c, "command"), ==, 0);

  /* the viewer stream */
  g_assert_nonnull (v->ws);
  client_send (v, "{\"type\":\"subscribe\",\"topics\":[\"trading\\u0000x\"]}");
  assert_ws_error (wait_frame (v, "error", 1), "bad_request", "topics", 0);
  client_send (v, "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"since\":18446744073709551616}");
  assert_ws_error (wait_frame (v, "error", 2), "bad_request", "since", 0);
  client_send (v, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\","
               "\"args\":{\"x\":\"\\ud800\"}}");
  assert_ws_error (wait_frame (v, "error", 3), "bad_request", "x", 0);
  client_send (v, "{\"type\":\"subscribe\",\"topics\":[\"trading\"]} x");
  assert_ws_error (wait_frame (v, "error", 4), "bad_request", NULL, 0);
  g_assert_cmpuint (count_frames (c, "command"), ==, 0);
}

static void
sql (Fixture *fx, const char *statements)
{
  g_autofree char *path = g_build_filename (fx->dir, "arbdash.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* the running engine's writer may hold the database (its first prune at
   * start, say): wait for it rather than fail with "database is locked" */
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, statements, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);
}

static char *
get_text (Fixture *fx, const char *path)
{
  g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);
  char *text;

  g_assert_cmpuint (r->status, ==, 200);
  text = reply_text (r);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_autofree char *shown = g_strescape (text, NULL);
      g_error ("%s is not UTF-8: %s", path, shown);
    }
  return text;
}

/* The second wall: whatever a database holds (from before the checks, or
 * written by hand), what the server writes is UTF-8, in every format. */
static void
test_second_wall (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) posted = NULL;
  g_autofree char *trades = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *bots = NULL;
  g_autofree char *log_text = NULL;
  g_autoptr(JsonNode) trades_json = NULL;
  g_autoptr(JsonNode) summary_json = NULL;
  Client *v;
  g_autofree char *snapshot = NULL;

  posted = http (fx, "POST", "/api/v1/events", BOT_TOKEN,
                 "{\"bot_id\":\"" BOT "\",\"events\":[{\"type\":\"hello\",\"bot_id\":\"" BOT "\","
                 "\"name\":\"N\"},{\"type\":\"log\",\"seq\":1,\"ts\":1700000000000,"
                 "\"level\":\"error\",\"message\":\"m\",\"component\":\"c\"}]}");
  assert_ok (posted);
  post_trades (fx, BOT, 2, 4, "A/B", "filled");
  fixture_restart (fx, NULL);
  /* what json-glib made of "X\ud800Y"; a byte that is no UTF-8 and a control
   * character; an overlong '/'; a sequence cut short; a text that would be a
   * spreadsheet formula */
  sql (fx, "UPDATE trades SET pair = CAST(X'58EDA08059' AS TEXT),"
           " buy_venue = CAST(X'FF01' AS TEXT) WHERE seq = 2;"
           "UPDATE trades SET id = CAST(X'2D41C0AF' AS TEXT), tx_hash = CAST(X'0A22E282' AS TEXT),"
           " chain = CAST(X'411F42' AS TEXT), pair = CAST(X'E282' AS TEXT) WHERE seq = 3;"
           "UPDATE logs SET message = CAST(X'6DFFFE0D0A' AS TEXT), component = CAST(X'ED' AS TEXT);"
           "UPDATE bots SET name = CAST(X'4EFF' AS TEXT), version = CAST(X'C0' AS TEXT);");
  fixture_restart (fx, NULL);

  trades = get_text (fx, "/api/v1/trades");
  trades_json = json_from_string (trades, NULL);
  g_assert_nonnull (trades_json);
  g_assert_nonnull (strstr (trades, "\"pair\":\"X" ARB_UTF8_REPLACEMENT ARB_UTF8_REPLACEMENT
                                    ARB_UTF8_REPLACEMENT "Y\""));
  csv = get_text (fx, "/api/v1/trades.csv");
  g_assert_nonnull (strstr (csv, ",'-A" ARB_UTF8_REPLACEMENT ARB_UTF8_REPLACEMENT ","));
  /* a control character is always quoted */
  g_assert_nonnull (strstr (csv, ",\"A\x1f" "B\","));
  summary = get_text (fx, "/api/v1/summary");
  summary_json = json_from_string (summary, NULL);
  g_assert_nonnull (summary_json);
  metrics = get_text (fx, "/metrics");
  g_assert_nonnull (strstr (metrics, "pair=\"X" ARB_UTF8_REPLACEMENT));
  check_with_promtool (metrics);
  bots = get_text (fx, "/api/v1/bots");
  g_assert_nonnull (strstr (bots, "\"name\":\"N" ARB_UTF8_REPLACEMENT "\""));

  /* the stream: replay from the database, then the snapshot (the fixture's
   * client checks that every frame is UTF-8 JSON) */
  v = viewer_subscribed (fx, "{\"type\":\"subscribe\",\"topics\":[\"trading\",\"log\",\"bots\"],"
                             "\"since\":0}");
  wait_trade_item (v, 2);
  wait_trade_item (v, 3);
  snapshot = json_to_string (json_object_get_member (wait_frame (v, "snapshot", 1), "topics"),
                             FALSE);
  g_assert_nonnull (strstr (snapshot, "\"name\":\"N" ARB_UTF8_REPLACEMENT "\""));
  g_assert_nonnull (strstr (snapshot, "\"pair\":\"X" ARB_UTF8_REPLACEMENT));
  /* the log, replayed */
  for (guint i = 0; i < v->frames->len && log_text == NULL; i++)
    {
      g_autofree char *frame = json_to_string (g_ptr_array_index (v->frames, i), FALSE);

      if (strstr (frame, "\"kind\":\"log\"") != NULL)
        log_text = g_steal_pointer (&frame);
    }
  g_assert_nonnull (log_text);
  g_assert_nonnull (strstr (log_text, "m" ARB_UTF8_REPLACEMENT ARB_UTF8_REPLACEMENT "\\r\\n"));
  g_assert_false (v->closed);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/arb/server/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("health", test_health);
  ADD ("routes", test_routes);
  ADD ("unparsable", test_unparsable);
  ADD ("urls", test_urls);
  ADD ("bot/hello-ack", test_bot_hello_ack);
  ADD ("bot/resend", test_bot_resend);
  ADD ("bot/bad-message", test_bot_bad_message);
  ADD ("bot/auth", test_bot_auth);
  ADD ("bot/origin", test_bot_origin);
  ADD ("bot/shutdown", test_bot_shutdown);
  ADD ("service/shutdown", test_service_shutdown);
  ADD ("service/start-errors", test_service_start_errors);
  ADD ("bot/bot-ids", test_bot_ids);
  ADD ("events", test_events);
  ADD ("events/limits", test_events_limits);
  ADD ("trades", test_trades);
  ADD ("trades-sorted", test_trades_sorted);
  ADD ("summary", test_summary);
  ADD ("bots-and-system", test_bots_and_system);
  ADD ("audit-roles", test_audit_roles);
  ADD ("command/round-trip", test_command_round_trip);
  ADD ("command/timeout", test_command_timeout);
  ADD ("command/client-gone", test_command_client_gone);
  ADD ("command/empty-body", test_command_empty_body);
  ADD ("command/forged-result", test_command_forged_result);
  ADD ("trades-csv", test_trades_csv);
  ADD ("trades-csv-sorted", test_trades_csv_sorted);
  ADD ("series", test_series);
  ADD ("resources-and-alerts", test_resources_and_alerts);
  ADD ("session", test_session);
  ADD ("metrics", test_metrics);
  ADD ("rejected", test_rejected);
  ADD ("logs", test_logs);
  ADD ("bot/string-not-text", test_bot_string_not_text);
  ADD ("bodies-not-text", test_bodies_not_text);
  ADD ("second-wall", test_second_wall);
#undef ADD

  return g_test_run ();
}
