/* fuzz-stream-message.c: a viewer's messages on /api/v1/stream, one per line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is one viewer (an operator, so that commands are taken too)
 * added to the real ArbStream of a real engine, its connection a
 * SoupWebsocketConnection over a socket pair; each line of the input is one
 * text message, delivered through the connection's "message" signal as
 * libsoup delivers a frame it read. The engine's hub holds a few events of
 * a bot, so that snapshots and replays (`since`) have something to send.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "arb-engine.h"
#include "arb-stream.h"
#include "fuzz-common.h"

static ArbEngine *engine;
static ArbConfig *config;
static ArbStream *stream;
static ArbSession *bot;

static void
ignore_send (gpointer transport, const char *text, gsize len)
{
}

static void
ignore_close (gpointer transport, gushort code, const char *reason)
{
}

static const ArbSessionVTable bot_vtable = { ignore_send, ignore_close };

/* A bot with a few events of each kind, committed and published. */
static void
feed_bot (void)
{
  static const char *messages[] = {
    "{\"type\":\"hello\",\"bot_id\":\"bot-1\",\"name\":\"Fuzz\",\"commands\":[\"pause\"]}",
    "{\"type\":\"trade\",\"seq\":1,\"ts\":1700000000000,\"id\":\"t-1\",\"pair\":\"A/B\","
    "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"status\":\"filled\",\"profit\":1.5}",
    "{\"type\":\"opportunity\",\"seq\":2,\"ts\":1700000000001,\"pair\":\"A/B\","
    "\"buy_venue\":\"x\",\"sell_venue\":\"y\",\"spread_bps\":3,\"expected_profit\":1,"
    "\"taken\":false}",
    "{\"type\":\"log\",\"seq\":3,\"ts\":1700000000002,\"level\":\"info\",\"message\":\"hi\"}",
    "{\"type\":\"metric\",\"seq\":4,\"ts\":1700000000003,\"name\":\"q\",\"value\":2}",
    "{\"type\":\"resources\",\"seq\":5,\"ts\":1700000000004,\"pool\":{\"size\":4}}",
  };
  ArbIngest *ingest = arb_engine_get_ingest (engine);
  ArbSession *session = bot = arb_ingest_open_session (ingest, &bot_vtable, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    arb_session_receive_text (session, messages[i], strlen (messages[i]));
  arb_ingest_submit_pending (ingest);
  arb_store_flush (arb_engine_get_store (engine));
  fuzz_drain ();
  /* it stays connected: commands to it are sent */
}

/* The engine's history grows with every input (commands, their timeouts,
 * what they publish), and a `since` replays all of it from the store: a new
 * engine over a new database every so many inputs keeps an input's cost
 * bounded. */
#define INPUTS_PER_ENGINE 1000

static guint n_inputs;
static gboolean stop_registered;

static void
stop_engine (void)
{
  g_autofree char *db_path = config != NULL ? g_strdup (config->db_path) : NULL;

  g_clear_object (&stream);
  g_clear_pointer (&bot, arb_session_closed);
  if (engine != NULL)
    arb_engine_shutdown (engine);
  g_clear_object (&engine);
  g_clear_pointer (&config, arb_config_free);
  fuzz_drain ();
  if (db_path != NULL)
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
    }
}

static void
start_engine (void)
{
  g_autoptr(GError) error = NULL;

  config = arb_config_new ();
  g_free (config->db_path);
  config->db_path = g_build_filename (fuzz_tmp_dir (), "stream.db", NULL);
  config->demo = FALSE;
  config->sample_interval_ms = 3600 * 1000;
  engine = arb_engine_new (config, &error);
  if (engine == NULL)
    {
      fprintf (stderr, "fuzz: cannot start the engine: %s\n", error->message);
      abort ();
    }
  stream = arb_stream_new (engine, arb_engine_get_config (engine));
  feed_bot ();
  n_inputs = 0;
  /* after fuzz_tmp_dir() registered the folder's removal: runs before it */
  if (!stop_registered)
    atexit (stop_engine);
  stop_registered = TRUE;
}

typedef struct
{
  SoupWebsocketConnection *ws;
} Viewer;

static void
deliver_line (const char *line, gsize len, gpointer data)
{
  Viewer *v = data;
  /* libsoup's messages end with a NUL that is not part of them */
  g_autofree char *copy = g_malloc (len + 1);
  g_autoptr(GBytes) message = NULL;

  memcpy (copy, line, len);
  copy[len] = '\0';
  message = g_bytes_new_take (g_steal_pointer (&copy), len);
  g_signal_emit_by_name (v->ws, "message", SOUP_WEBSOCKET_DATA_TEXT, message);
  fuzz_drain ();
}

static gboolean closed;

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  closed = TRUE;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fds[2];
  g_autoptr(GSocket) ours = NULL;
  g_autoptr(GSocket) peer = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GUri) uri = g_uri_parse ("ws://127.0.0.1/api/v1/stream", G_URI_FLAGS_NONE, NULL);
  Viewer v;

  if (engine != NULL && ++n_inputs >= INPUTS_PER_ENGINE)
    stop_engine ();
  if (engine == NULL)
    start_engine ();
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    abort ();
  ours = g_socket_new_from_fd (fds[0], NULL);
  peer = g_socket_new_from_fd (fds[1], NULL);
  conn = g_socket_connection_factory_create_connection (ours);
  v.ws = soup_websocket_connection_new (G_IO_STREAM (conn), uri,
                                        SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, "arbdash.v1",
                                        NULL);
  closed = FALSE;
  g_signal_connect (v.ws, "closed", G_CALLBACK (on_closed), NULL);
  arb_stream_add_viewer (stream, v.ws, NULL, ARB_ROLE_OPERATOR, "fuzz");
  fuzz_foreach_line (data, size, deliver_line, &v);
  /* the viewer goes away: its end of the pair is closed, libsoup reads the
   * end of the stream and reports the connection closed */
  g_socket_close (peer, NULL);
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (v.ws);
  return 0;
}
