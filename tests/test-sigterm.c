/* test-sigterm.c: the real arbdash executable stops cleanly and loses nothing acked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built `arbdash --headless` (its path comes in ARBDASH_BIN) on a
 * free loopback port with a temporary database, streams trades into it over
 * the bot WebSocket, sends SIGTERM mid-stream and expects the socket to be
 * closed with 1001 (going away) and the process to exit 0. A second run on
 * the same database must know every acked event, once. It also checks that
 * start-up errors exit 2 with a one-line message.
 */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#define BOT_TOKEN    "sigterm-bot-token-0123456789"
#define VIEWER_TOKEN "sigterm-viewer-token-0123456789"
#define BOT          "stream-bot"
#define SPIN_MS      10000
#define EXIT_MS      5000
#define BURST        200

static const char *
arbdash_bin (void)
{
  return g_getenv ("ARBDASH_BIN");
}

/* ---------------------------------------------------------------- the process */

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  char             *base;    /* "http://127.0.0.1:PORT" once it serves */
  gboolean          reading;
  gboolean          exited;
  GString          *err;
} Dashboard;

/* A dashboard must not outlive a test that failed: it would hold the test's
 * output pipe open and make the run wait for its timeout. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);

  g_subprocess_launcher_setenv (l, "ARBDASH_BOT_TOKEN", BOT_TOKEN, TRUE);
  g_subprocess_launcher_setenv (l, "ARBDASH_VIEWER_TOKEN", VIEWER_TOKEN, TRUE);
  g_subprocess_launcher_unsetenv (l, "ARBDASH_OPERATOR_TOKEN");
  return l;
}

static void
line_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Dashboard *d = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, NULL);
  const char *url;

  d->reading = FALSE;
  if (line == NULL)
    return;
  /* "arbdash 0.1.0: serving http://127.0.0.1:PORT/ (database ...)" */
  url = strstr (line, "serving http://");
  if (url != NULL && d->base == NULL)
    {
      const char *start = url + strlen ("serving ");
      const char *end = strchr (start + strlen ("http://"), '/');

      g_assert_nonnull (end);
      d->base = g_strndup (start, end - start);
    }
  if (d->base == NULL)
    {
      d->reading = TRUE;
      g_data_input_stream_read_line_async (d->out, G_PRIORITY_DEFAULT, NULL, line_read, d);
    }
}

static gboolean
serving (gpointer data)
{
  Dashboard *d = data;

  return d->base != NULL || !d->reading;
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer data)
{
  Dashboard *d = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  d->exited = TRUE;
}

static gboolean
has_exited (gpointer data)
{
  return ((Dashboard *) data)->exited;
}

static Dashboard *
dashboard_start (const char *db)
{
  g_autoptr(GSubprocessLauncher) l = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  Dashboard *d = g_new0 (Dashboard, 1);

  /* the events below are of November 2023: older than the default retention */
  d->proc = g_subprocess_launcher_spawn (l, &error, arbdash_bin (), "--headless", "--no-demo",
                                         "--port", "0", "--db", db, "--retention-days", "3650",
                                         NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (d->proc, NULL, on_exited, d);
  d->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->proc));
  d->reading = TRUE;
  g_data_input_stream_read_line_async (d->out, G_PRIORITY_DEFAULT, NULL, line_read, d);
  g_assert_true (spin_until (serving, d, SPIN_MS));
  g_assert_nonnull (d->base);
  g_assert_false (d->exited);
  return d;
}

/* SIGTERM (unless @signalled already: a second one is not a request to
 * shut down gracefully), then waits; asserts a clean exit 0. */
static void
dashboard_stop (Dashboard *d, gboolean signalled)
{
  gint64 t0 = g_get_monotonic_time ();

  if (!d->exited && !signalled)
    g_subprocess_send_signal (d->proc, SIGTERM);
  if (!spin_until (has_exited, d, EXIT_MS))
    {
      g_subprocess_force_exit (d->proc);
      spin_until (has_exited, d, EXIT_MS);
      g_assert_not_reached ();
    }
  g_assert_cmpint (g_get_monotonic_time () - t0, <, EXIT_MS * 1000);
  if (g_subprocess_get_if_signaled (d->proc))
    g_test_message ("arbdash died of signal %d", g_subprocess_get_term_sig (d->proc));
  g_assert_true (g_subprocess_get_if_exited (d->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (d->proc), ==, 0);
}

static void
dashboard_free (Dashboard *d)
{
  if (!d->exited)
    {
      g_subprocess_force_exit (d->proc);
      spin_until (has_exited, d, EXIT_MS);
    }
  g_clear_object (&d->out);
  g_clear_object (&d->proc);
  g_free (d->base);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dashboard, dashboard_free)

/* ---------------------------------------------------------------- the bot */

typedef struct
{
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 connecting;
  gint64                   last_seq;     /* welcome */
  gboolean                 welcomed;
  gint64                   next_seq;     /* the next to send */
  gint64                   last_ack;
  guint                    errors;
  gboolean                 closed;
  gushort                  close_code;
  guint                    pump_id;
} Bot;

static void
on_message (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message, Bot *b)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *o;
  const char *kind;

  g_assert_nonnull (node);
  o = json_node_get_object (node);
  kind = json_object_get_string_member (o, "type");
  if (g_str_equal (kind, "welcome"))
    {
      b->welcomed = TRUE;
      b->last_seq = json_object_get_int_member (o, "last_seq");
      /* here, not after the wait for it: an ack may come in the same turn */
      b->next_seq = b->last_seq + 1;
    }
  else if (g_str_equal (kind, "ack"))
    {
      gint64 seq = json_object_get_int_member (o, "seq");

      g_assert_cmpint (seq, >=, b->last_ack);
      g_assert_cmpint (seq, <, b->next_seq);
      b->last_ack = seq;
    }
  else if (g_str_equal (kind, "error"))
    {
      g_test_message ("error frame: %s", text);
      b->errors++;
    }
}

static void
on_closed (SoupWebsocketConnection *ws, Bot *b)
{
  b->closed = TRUE;
  b->close_code = soup_websocket_connection_get_close_code (ws);
  g_clear_handle_id (&b->pump_id, g_source_remove);
}

static void
connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Bot *b = data;

  b->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &b->error);
  if (b->ws != NULL)
    {
      g_signal_connect (b->ws, "message", G_CALLBACK (on_message), b);
      g_signal_connect (b->ws, "closed", G_CALLBACK (on_closed), b);
    }
  b->connecting = FALSE;
}

static gboolean
not_connecting (gpointer data)
{
  return !((Bot *) data)->connecting;
}

static gboolean
welcomed (gpointer data)
{
  return ((Bot *) data)->welcomed;
}

static Bot *
bot_connect (Dashboard *d)
{
  Bot *b = g_new0 (Bot, 1);
  g_autofree char *url = g_strconcat (d->base, "/api/v1/bot", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " BOT_TOKEN);
  b->session = soup_session_new ();
  b->connecting = TRUE;
  soup_session_websocket_connect_async (b->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected, b);
  g_assert_true (spin_until (not_connecting, b, SPIN_MS));
  g_assert_no_error (b->error);
  soup_websocket_connection_send_text (b->ws, "{\"type\":\"hello\",\"bot_id\":\"" BOT "\","
                                       "\"name\":\"SIGTERM test\"}");
  g_assert_true (spin_until (welcomed, b, SPIN_MS));
  return b;
}

static void
bot_free (Bot *b)
{
  g_clear_handle_id (&b->pump_id, g_source_remove);
  if (b->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (b->ws, b);
      if (soup_websocket_connection_get_state (b->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (b->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (b->ws);
    }
  g_clear_object (&b->session);
  g_clear_error (&b->error);
  g_free (b);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bot, bot_free)

/* Keeps a burst of trades going out every millisecond: a bot in full flow. */
static gboolean
pump (gpointer data)
{
  Bot *b = data;

  /* the dashboard said goodbye: a bot stops sending, then reconnects */
  if (soup_websocket_connection_get_state (b->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      b->pump_id = 0;
      return G_SOURCE_REMOVE;
    }
  /* stay a bounded distance ahead of the acks, as a real bot's buffer is */
  for (guint i = 0; i < BURST && b->next_seq - b->last_ack < 5000; i++, b->next_seq++)
    {
      g_autofree char *t =
        g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                         G_GINT64_FORMAT ",\"id\":\"t-%" G_GINT64_FORMAT "\","
                         "\"pair\":\"WETH/USDC\",\"buy_venue\":\"uniswap_v3\","
                         "\"sell_venue\":\"curve\",\"status\":\"filled\",\"profit\":0.5}",
                         b->next_seq, G_GINT64_CONSTANT (1700000000000) + b->next_seq,
                         b->next_seq);
      soup_websocket_connection_send_text (b->ws, t);
    }
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  Bot    *b;
  gint64  ack;
} AckWait;

static gboolean
acked_past (gpointer data)
{
  AckWait *w = data;

  return w->b->last_ack >= w->ack || w->b->closed;
}

static gboolean
bot_closed (gpointer data)
{
  return ((Bot *) data)->closed;
}

/* ---------------------------------------------------------------- reading back */

typedef struct
{
  gboolean  done;
  guint     status;
  JsonNode *json;
} Get;

static void
got (GObject *source, GAsyncResult *result, gpointer data)
{
  Get *g = data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              NULL);

  if (body != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g->json = json_from_string (text, NULL);
    }
  g->done = TRUE;
}

static gboolean
get_done (gpointer data)
{
  return ((Get *) data)->done;
}

static JsonNode *
get_json (SoupSession *session, Dashboard *d, const char *path)
{
  g_autofree char *url = g_strconcat (d->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Get g = { 0 };

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " VIEWER_TOKEN);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, got, &g);
  g_assert_true (spin_until (get_done, &g, SPIN_MS));
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (g.json);
  return g.json;
}

/* Every stored trade seq of the bot, by paging through GET /trades. */
static GArray *
stored_seqs (Dashboard *d)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *cursor = NULL;
  guint pages = 0;

  do
    {
      g_autofree char *path = cursor != NULL
        ? g_strdup_printf ("/api/v1/trades?bot_id=" BOT "&limit=1000&cursor=%s", cursor)
        : g_strdup ("/api/v1/trades?bot_id=" BOT "&limit=1000");
      g_autoptr(JsonNode) page = get_json (session, d, path);
      JsonObject *o = json_node_get_object (page);
      JsonArray *trades = json_object_get_array_member (o, "trades");
      JsonNode *next = json_object_get_member (o, "next_cursor");

      for (guint i = 0; i < json_array_get_length (trades); i++)
        {
          gint64 seq = json_object_get_int_member (json_array_get_object_element (trades, i),
                                                   "seq");
          g_array_append_val (seqs, seq);
        }
      g_clear_pointer (&cursor, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        cursor = g_strdup (json_node_get_string (next));
      g_assert_cmpuint (++pages, <, 1000);
    }
  while (cursor != NULL);
  return seqs;
}

static gint
compare_seq (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------------- tests */

static char *
make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("arb-test-sigterm-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_sigterm_mid_stream (void)
{
  g_autofree char *dir = make_tmp ();
  g_autofree char *db = g_build_filename (dir, "arbdash.db", NULL);
  g_autoptr(Dashboard) d = NULL;
  g_autoptr(Dashboard) again = NULL;
  g_autoptr(Bot) b = NULL;
  g_autoptr(Bot) back = NULL;
  g_autoptr(GArray) seqs = NULL;
  AckWait w;
  gint64 highest_ack;

  if (arbdash_bin () == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set: run through meson test");
      return;
    }

  d = dashboard_start (db);
  b = bot_connect (d);
  g_assert_cmpint (b->last_seq, ==, 0);
  b->pump_id = g_timeout_add (1, pump, b);
  w = (AckWait) { b, 2000 };
  g_assert_true (spin_until (acked_past, &w, SPIN_MS));
  g_assert_false (b->closed);

  /* stop it while events are still coming in */
  g_subprocess_send_signal (d->proc, SIGTERM);
  g_assert_true (spin_until (bot_closed, b, EXIT_MS));
  g_assert_cmpuint (b->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  dashboard_stop (d, TRUE);
  g_assert_cmpuint (b->errors, ==, 0);
  highest_ack = b->last_ack;
  g_test_message ("sent up to %" G_GINT64_FORMAT ", acked %" G_GINT64_FORMAT,
                  b->next_seq - 1, highest_ack);
  g_assert_cmpint (highest_ack, >=, 2000);

  /* the next run knows every acked event, exactly once */
  again = dashboard_start (db);
  back = bot_connect (again);
  g_assert_cmpint (back->last_seq, >=, highest_ack);
  g_assert_cmpint (back->last_seq, <, b->next_seq);
  seqs = stored_seqs (again);
  g_array_sort (seqs, compare_seq);
  /* stored and last_seq commit together: exactly 1..last_seq, no hole, no twin */
  g_assert_cmpuint (seqs->len, ==, back->last_seq);
  for (guint i = 0; i < seqs->len; i++)
    g_assert_cmpint (g_array_index (seqs, gint64, i), ==, i + 1);

  /* it goes on from there */
  back->pump_id = g_timeout_add (1, pump, back);
  w = (AckWait) { back, back->last_seq + 100 };
  g_assert_true (spin_until (acked_past, &w, SPIN_MS));
  g_clear_handle_id (&back->pump_id, g_source_remove);
  dashboard_stop (again, FALSE);
  g_assert_cmpuint (back->errors, ==, 0);
  remove_dir (dir);
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Run;

static void
communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *r = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Runs arbdash with @args (NULL-terminated), and @var set to @value when not
 * NULL; returns its exit status. */
static int
run_arbdash_env (const char *var, const char *value, const char *const *args, char **out,
                 char **err)
{
  g_autoptr(GSubprocessLauncher) l = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Run r = { 0 };

  if (var != NULL)
    g_subprocess_launcher_setenv (l, var, value, TRUE);
  g_ptr_array_add (argv, (gpointer) arbdash_bin ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicated, &r);
  if (!spin_until (run_done, &r, EXIT_MS))
    {
      g_subprocess_force_exit (proc);
      spin_until (run_done, &r, EXIT_MS);
      g_assert_not_reached ();
    }
  g_assert_true (g_subprocess_get_if_exited (proc));
  *out = r.out;
  *err = r.err;
  return g_subprocess_get_exit_status (proc);
}

static int
run_arbdash (const char *const *args, char **out, char **err)
{
  return run_arbdash_env (NULL, NULL, args, out, err);
}

/* Exit 2, nothing on stdout, one line on stderr that says @words. */
static void
assert_refused_env (const char *var, const char *value, const char *const *args,
                    const char *words)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_arbdash_env (var, value, args, &out, &err);

  g_test_message ("%s → %d: %s", args[0], status, err);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "arbdash: "));
  /* exactly one line */
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
  g_assert_nonnull (strstr (err, words));
}

static void
assert_refused (const char *const *args, const char *words)
{
  assert_refused_env (NULL, NULL, args, words);
}

/* Weak or shared secrets stop the start, and the message never shows them. */
static void
test_weak_tokens (void)
{
  g_autofree char *dir = make_tmp ();
  g_autofree char *db = g_build_filename (dir, "ok.db", NULL);
  g_autofree char *conf = g_build_filename (dir, "arbdash.conf", NULL);
  g_autoptr(GError) error = NULL;
  const char *const args[] = { "--headless", "--no-demo", "--port", "0", "--db", db,
                               "--config", conf, NULL };

  if (arbdash_bin () == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set: run through meson test");
      return;
    }
  g_assert_true (g_file_set_contents_full (conf, "[server]\ndemo = false\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  assert_refused_env ("ARBDASH_OPERATOR_TOKEN", "x", args,
                      "ARBDASH_OPERATOR_TOKEN is 1 characters long: a token needs at least 16");
  assert_refused_env ("ARBDASH_OPERATOR_TOKEN", VIEWER_TOKEN, args,
                      "ARBDASH_VIEWER_TOKEN and ARBDASH_OPERATOR_TOKEN have the same secret");

  g_assert_true (g_file_set_contents_full (conf, "[tokens]\nalice = operator:pass\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, &error));
  assert_refused (args, "the token “alice” (operator) is 4 characters long");
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  remove_dir (dir);
}

static void
test_startup_errors (void)
{
  g_autofree char *dir = make_tmp ();
  g_autofree char *db = g_build_filename (dir, "ok.db", NULL);
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "sub", "arbdash.db", NULL);
  g_autoptr(GSocket) taken = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (arbdash_bin () == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set: run through meson test");
      return;
    }

  {
    const char *const args[] = { "--no-such-flag", NULL };
    assert_refused (args, "no-such-flag");
  }
  {
    const char *const args[] = { "--headless", "--port", "70000", "--db", db, NULL };
    assert_refused (args, "--port");
  }
  {
    const char *const args[] = { "--headless", "--sample-interval", "5", "--db", db, NULL };
    assert_refused (args, "--sample-interval");
  }
  {
    const char *const args[] = { "--headless", "--retention-days", "0", "--db", db, NULL };
    assert_refused (args, "--retention-days must be 1 to 3650");
  }
  {
    const char *const args[] = { "--headless", "--retention-days", "3651", "--db", db, NULL };
    assert_refused (args, "--retention-days must be 1 to 3650");
  }
  {
    const char *const args[] = { "--headless", "stray", NULL };
    assert_refused (args, "stray");
  }

  /* a port in use */
  taken = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                        &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (taken, any, FALSE, &error));
  g_assert_true (g_socket_listen (taken, &error));
  local = g_socket_get_local_address (taken, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  {
    const char *const args[] = { "--headless", "--no-demo", "--port", port, "--db", db, NULL };
    assert_refused (args, "cannot listen");
  }

  /* a database where no folder can be made */
  g_assert_true (g_file_set_contents (file, "not a folder", -1, &error));
  {
    const char *const args[] = { "--headless", "--no-demo", "--port", "0", "--db", under_file,
                                 NULL };
    assert_refused (args, "database");
  }
  /* a database file that is not one */
  {
    const char *const args[] = { "--headless", "--no-demo", "--port", "0", "--db", file, NULL };
    assert_refused (args, "database");
  }

  {
    const char *const args[] = { "--version", NULL };
    g_assert_cmpint (run_arbdash (args, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, "arbdash " PACKAGE_VERSION "\n");
  }
  remove_dir (dir);
}


/* ---------------------------------------------------------------- CSV in bounded memory */

static guint64
rss_bytes (GSubprocess *proc)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (proc));
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

static void
post_batch (SoupSession *session, const char *base, gint64 first, guint n)
{
  g_autoptr(GString) body = g_string_new ("{\"bot_id\":\"csv-bot\",\"events\":[");
  g_autofree char *url = g_strconcat (base, "/api/v1/events", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (body, "%s{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                            G_GINT64_FORMAT ",\"id\":\"t-%" G_GINT64_FORMAT "\",\"pair\":\"WETH/USDC\","
                            "\"buy_venue\":\"uniswap_v3\",\"sell_venue\":\"curve\",\"status\":\"filled\","
                            "\"profit\":1.25,\"amount_in\":\"1000000000000000000\",\"gas_used\":150000,"
                            "\"tx_hash\":\"0x%064" G_GINT64_MODIFIER "x\"}", i ? "," : "", first + i,
                            1700000000000 + first + i, first + i, first + i);
  g_string_append (body, "]}");
  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization",
                               "Bearer " BOT_TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json",
                                            g_bytes_new (body->str, body->len));
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

/* 100,000 trades (~20 MB of CSV) stream out while the dashboard's memory
 * grows by far less than the export: it never holds the whole result. */
static void
test_csv_bounded (void)
{
  g_autofree char *dir = g_dir_make_tmp ("arbdash-csv-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "csv.db", NULL);
  g_autoptr(Dashboard) d = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *buf = g_malloc (65536);
  guint64 rss_before, rss_max, total = 0, next_sample = 0;
  guint lines = 0;
  gssize n;

  if (arbdash_bin () == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set: run through meson test");
      return;
    }
  d = dashboard_start (db);
  for (gint64 first = 1; first <= 100000; first += 1000)
    post_batch (session, d->base, first, 1000);
  url = g_strconcat (d->base, "/api/v1/trades.csv", NULL);
  msg = soup_message_new ("GET", url);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization",
                               "Bearer " VIEWER_TOKEN);
  rss_before = rss_max = rss_bytes (d->proc);
  in = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  while ((n = g_input_stream_read (in, buf, 65536, NULL, &error)) > 0)
    {
      for (gssize i = 0; i < n; i++)
        lines += buf[i] == '\n';
      total += n;
      if (total >= next_sample)
        {
          rss_max = MAX (rss_max, rss_bytes (d->proc));
          next_sample += 1024 * 1024;
        }
    }
  g_assert_no_error (error);
  g_test_message ("%" G_GUINT64_FORMAT " bytes of CSV; server RSS %" G_GUINT64_FORMAT
                  " KiB before, %" G_GUINT64_FORMAT " KiB at most", total, rss_before / 1024,
                  rss_max / 1024);
  g_assert_cmpuint (lines, ==, 1 + 100000);
  g_assert_cmpuint (total, >, 15 * 1024 * 1024);
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer keeps freed memory in quarantine: RSS says nothing
   * there; the bound is checked in the normal build */
  g_test_message ("AddressSanitizer build: the memory bound is not checked");
#else
  /* a page is ~200 KB; the whole export is about 20 MB */
  g_assert_cmpuint (rss_max - rss_before, <, 8 * 1024 * 1024);
#endif
  dashboard_stop (d, FALSE);
  remove_dir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/sigterm/mid-stream", test_sigterm_mid_stream);
  g_test_add_func ("/arb/sigterm/startup-errors", test_startup_errors);
  g_test_add_func ("/arb/sigterm/weak-tokens", test_weak_tokens);
  g_test_add_func ("/arb/binary/csv-100k-bounded-memory", test_csv_bounded);

  return g_test_run ();
}
