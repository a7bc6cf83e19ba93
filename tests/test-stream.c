/* test-stream.c: the viewers' live stream /api/v1/stream, under load and abuse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real engine and server (server-fixture.h); a bot speaks over its
 * WebSocket, viewers over the stream, all as libsoup clients in this main
 * context. Every batch a viewer gets is checked as it comes: the shape of
 * each item, discrete seqs strictly rising within and across batches, and
 * no item of a topic it did not subscribe to. Viewers keep what they saw
 * (trades, gauges) instead of every frame, so that megabytes of trades stay
 * cheap.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "arb-server-private.h"
#include "arb-stream.h"
#include "server-fixture.h"

#define STREAM     "/api/v1/stream"
#define BIG_STRING 4000

/* The server closes a viewer that is too slow with 4013: PROTOCOL.md's
 * 1013 is a code libsoup 3.2 will not send (docs/api.md). */
#define SLOW_CLOSE_ON_WIRE ARB_STREAM_CLOSE_SLOW

typedef struct
{
  Fixture    fx;         /* first: the shared fixture */
  GPtrArray *viewers;    /* Viewer* */
  char      *big;        /* BIG_STRING characters, for heavy trades */
} StreamFixture;

/* ---------------------------------------------------------------- the server's side */

static ArbStreamStats
stats (Fixture *fx)
{
  ArbStreamStats s;

  arb_stream_get_stats (_arb_server_get_stream (fx->server), &s);
  return s;
}

typedef struct
{
  Fixture *fx;
  guint    n;
} ViewersWait;

static gboolean
viewers_are (gpointer data)
{
  ViewersWait *w = data;

  return stats (w->fx).viewers == w->n;
}

static void
wait_viewers (Fixture *fx, guint n)
{
  ViewersWait w = { fx, n };

  g_assert_true (spin_until (viewers_are, &w, SPIN_MS));
}

/* ---------------------------------------------------------------- viewers */

typedef struct
{
  gint64 n;       /* the bot's seq of the trade ("t-N") */
  gint64 seq;     /* the hub's */
  guint  frame;   /* index of the frame that brought it */
} TradeSeen;

typedef struct
{
  gint64 mono_us;
  gint64 seq;
  gint64 test_n;  /* -1 for a sample of the real sampler */
} GaugeSeen;

typedef struct
{
  SoupMessage             *msg;
  SoupWebsocketConnection *ws;
  gboolean                 connecting;
  GError                  *error;
  guint                    status;        /* of the handshake */
  GPtrArray               *frames;        /* JsonNode*: all but batches */
  guint                    n_frames;      /* every frame */
  gboolean                 closed;
  gushort                  close_code;
  GHashTable              *topics;        /* the topics it may get items of */
  GHashTable              *next_topics;   /* those of a subscribe sent, until its snapshot */
  guint                    n_snapshots;
  guint                    snapshot_frame;
  gint64                   snapshot_seq;
  guint                    n_batches;
  gint64                   last_discrete;
  gint64                   max_seq;
  gint64                   frame_seq;     /* of the last batch or snapshot */
  guint                    frame_seq_above_items;
  GArray                  *trades;        /* TradeSeen */
  GArray                  *gauges;        /* GaugeSeen, kind "system" */
  GHashTable              *kinds;         /* kind -> count */
} Viewer;

static void
viewer_free (Viewer *v)
{
  if (v->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (v->ws, v);
      if (soup_websocket_connection_get_state (v->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (v->ws);
    }
  g_clear_object (&v->msg);
  g_clear_error (&v->error);
  g_ptr_array_unref (v->frames);
  g_hash_table_unref (v->topics);
  g_clear_pointer (&v->next_topics, g_hash_table_unref);
  g_hash_table_unref (v->kinds);
  g_array_unref (v->trades);
  g_array_unref (v->gauges);
  g_free (v);
}

static void
viewer_send (Viewer *v, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
viewer_send (Viewer *v, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_assert_cmpint (soup_websocket_connection_get_state (v->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (v->ws, text);
}

static const char *
topic_of_kind (const char *kind)
{
  static const char *const map[][2] = {
    { "system", "system" }, { "metric", "system" }, { "trade", "trading" },
    { "opportunity", "trading" }, { "summary", "trading" }, { "resources", "resources" },
    { "bot", "bots" }, { "command", "bots" }, { "alert", "alerts" }, { "log", "log" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (kind, map[i][0]))
      return map[i][1];
  g_error ("unknown item kind %s", kind);
}

static gboolean
kind_is_gauge (const char *kind)
{
  return g_str_equal (kind, "system") || g_str_equal (kind, "metric") ||
         g_str_equal (kind, "summary") || g_str_equal (kind, "resources");
}

static void
take_trade (Viewer *v, JsonObject *item, JsonObject *data, gint64 seq)
{
  const char *id = json_object_get_string_member (data, "id");
  TradeSeen t = { 0, seq, v->n_frames - 1 };

  g_assert_true (g_str_has_prefix (id, "t-"));
  t.n = g_ascii_strtoll (id + 2, NULL, 10);
  g_assert_cmpint (t.n, >, 0);
  g_assert_cmpint (json_object_get_int_member (data, "ts"), ==,
                   json_object_get_int_member (item, "ts"));
  g_assert_cmpint (json_object_get_int_member (data, "ts"), ==, T0 + t.n);
  g_assert_cmpint (json_object_get_int_member (data, "seq"), ==, t.n);
  g_assert_cmpstr (json_object_get_string_member (data, "bot_id"), ==, BOT);
  g_array_append_val (v->trades, t);
}

/* One item of a batch: its shape, its topic, the seq rules. */
static void
take_item (Viewer *v, JsonNode *node)
{
  JsonObject *item, *data;
  const char *topic, *kind;
  gint64 seq;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  item = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (item), ==, 5);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (item, "seq")), ==,
                   G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (item, "ts")), ==,
                   G_TYPE_INT64);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (item, "data")));
  topic = json_object_get_string_member (item, "topic");
  kind = json_object_get_string_member (item, "kind");
  seq = json_object_get_int_member (item, "seq");
  data = json_object_get_object_member (item, "data");
  g_assert_cmpstr (topic, ==, topic_of_kind (kind));
  if (!g_hash_table_contains (v->topics, topic))
    g_error ("an item of topic %s reached a viewer that did not subscribe to it", topic);
  g_assert_cmpint (seq, >, 0);
  v->max_seq = MAX (v->max_seq, seq);
  g_hash_table_insert (v->kinds, g_strdup (kind),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (v->kinds, kind))
                                         + 1));
  if (kind_is_gauge (kind))
    {
      GaugeSeen g = { g_get_monotonic_time (), seq, -1 };

      if (g_str_equal (kind, "system"))
        {
          g.test_n = json_object_get_int_member_with_default (data, "test_n", -1);
          g_array_append_val (v->gauges, g);
        }
      return;
    }
  /* discrete: never twice, never out of order, within and across batches */
  g_assert_cmpint (seq, >, v->last_discrete);
  v->last_discrete = seq;
  if (g_str_equal (kind, "trade"))
    take_trade (v, item, data, seq);
}

static void
take_frame (Viewer *v, JsonNode *node)
{
  JsonObject *o = json_node_get_object (node);
  const char *type = json_object_get_string_member (o, "type");

  if (g_str_equal (type, "batch"))
    {
      JsonArray *items = json_object_get_array_member (o, "items");
      gint64 max = 0;

      g_assert_nonnull (items);
      g_assert_cmpuint (json_array_get_length (items), >, 0);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          take_item (v, json_array_get_element (items, i));
          max = MAX (max, json_object_get_int_member (json_array_get_object_element (items, i),
                                                      "seq"));
        }
      /* the batch's seq is the highest seq the viewer has been sent so far:
       * its last item's, or more when a gauge held for the rate is older than
       * what came before it (revision 1.1); it never goes backwards */
      g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, MAX (max, v->frame_seq));
      v->frame_seq_above_items += v->frame_seq > max;
      v->frame_seq = json_object_get_int_member (o, "seq");
      v->n_batches++;
      json_node_unref (node);
      return;
    }
  if (g_str_equal (type, "snapshot"))
    {
      v->n_snapshots++;
      v->snapshot_frame = v->n_frames - 1;
      v->snapshot_seq = json_object_get_int_member (o, "seq");
      g_assert_cmpint (v->snapshot_seq, >=, v->frame_seq);
      v->frame_seq = v->snapshot_seq;
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "topics")));
      if (v->next_topics != NULL)
        {
          g_hash_table_unref (v->topics);
          v->topics = g_steal_pointer (&v->next_topics);
        }
      /* live items come after the state the snapshot shows */
      v->last_discrete = MAX (v->last_discrete, v->snapshot_seq);
    }
  g_ptr_array_add (v->frames, node);
}

static void
on_message (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message, Viewer *v)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  v->n_frames++;
  take_frame (v, json_node_ref (json_parser_get_root (parser)));
}

static void
on_closed (SoupWebsocketConnection *ws, Viewer *v)
{
  v->closed = TRUE;
  v->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
connect_ready (GObject *source, GAsyncResult *result, gpointer data)
{
  Viewer *v = data;

  v->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &v->error);
  v->status = soup_message_get_status (v->msg);
  if (v->ws != NULL)
    {
      /* batches of heavy trades are bigger than libsoup's default 128 KiB */
      soup_websocket_connection_set_max_incoming_payload_size (v->ws, 0);
      g_signal_connect (v->ws, "message", G_CALLBACK (on_message), v);
      g_signal_connect (v->ws, "closed", G_CALLBACK (on_closed), v);
    }
  v->connecting = FALSE;
}

static gboolean
viewer_connected (gpointer data)
{
  return !((Viewer *) data)->connecting;
}

static gboolean
viewer_closed (gpointer data)
{
  return ((Viewer *) data)->closed;
}

/* Connects to the stream; on a refusal v->ws is NULL and v->status says why. */
static Viewer *
viewer_connect_full (StreamFixture *sf, const char *token, const char *origin,
                     char **protocols)
{
  Viewer *v = g_new0 (Viewer, 1);

  v->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  v->topics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  v->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  v->trades = g_array_new (FALSE, FALSE, sizeof (TradeSeen));
  v->gauges = g_array_new (FALSE, FALSE, sizeof (GaugeSeen));
  v->msg = new_msg (&sf->fx, "GET", STREAM, token);
  v->connecting = TRUE;
  g_ptr_array_add (sf->viewers, v);
  soup_session_websocket_connect_async (sf->fx.session, v->msg, origin, protocols,
                                        G_PRIORITY_DEFAULT, NULL, connect_ready, v);
  g_assert_true (spin_until (viewer_connected, v, SPIN_MS));
  return v;
}

static Viewer *
viewer_connect (StreamFixture *sf, const char *token)
{
  Viewer *v = viewer_connect_full (sf, token, NULL, NULL);

  g_assert_no_error (v->error);
  g_assert_nonnull (v->ws);
  return v;
}

static void
viewer_close (Viewer *v)
{
  soup_websocket_connection_close (v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_assert_true (spin_until (viewer_closed, v, SPIN_MS));
}

static guint
viewer_count (Viewer *v, const char *type)
{
  guint n = 0;

  for (guint i = 0; i < v->frames->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (v->frames, i));
      n += g_str_equal (json_object_get_string_member (o, "type"), type);
    }
  return n;
}

typedef struct
{
  Viewer     *v;
  const char *type;
  guint       n;
} FrameWait;

static gboolean
has_frames (gpointer data)
{
  FrameWait *w = data;

  return viewer_count (w->v, w->type) >= w->n;
}

/* Waits for the @n-th frame (from 1) of @type and returns it. */
static JsonObject *
viewer_wait (Viewer *v, const char *type, guint n)
{
  FrameWait w = { v, type, n };

  g_assert_true (spin_until (has_frames, &w, SPIN_MS));
  for (guint i = 0; i < v->frames->len; i++)
    {
      JsonObject *o = json_node_get_object (g_ptr_array_index (v->frames, i));
      if (g_str_equal (json_object_get_string_member (o, "type"), type) && --n == 0)
        return o;
    }
  g_assert_not_reached ();
}

static JsonObject *
viewer_last (Viewer *v, const char *type)
{
  return viewer_wait (v, type, viewer_count (v, type));
}

/* Sends a subscribe of @topics (a JSON array) and, with @wait, waits for
 * its snapshot. @since < 0 leaves it out. */
static void
viewer_subscribe (Viewer *v, const char *topics, double rate, gint64 since, gboolean wait)
{
  g_autoptr(JsonNode) array = json_from_string (topics, NULL);
  JsonArray *a = json_node_get_array (array);
  GHashTable *next = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint snapshots = v->n_snapshots;
  g_autofree char *since_member = since >= 0
    ? g_strdup_printf (",\"since\":%" G_GINT64_FORMAT, since) : g_strdup ("");
  char rate_text[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      g_hash_table_add (next, g_strdup (json_array_get_string_element (a, i)));
      /* until the snapshot, items of the old and of the new topics may come */
      g_hash_table_add (v->topics, g_strdup (json_array_get_string_element (a, i)));
    }
  g_clear_pointer (&v->next_topics, g_hash_table_unref);
  v->next_topics = next;
  /* a replay from an older since starts the frame seqs over */
  if (since >= 0)
    v->frame_seq = 0;
  g_ascii_dtostr (rate_text, sizeof rate_text, rate);
  viewer_send (v, "{\"type\":\"subscribe\",\"topics\":%s,\"max_rate_hz\":%s%s}", topics,
               rate_text, since_member);
  if (wait)
    {
      viewer_wait (v, "snapshot", viewer_count (v, "snapshot") + 1);
      g_assert_cmpuint (v->n_snapshots, ==, snapshots + 1);
    }
}

static guint
count_trade (Viewer *v, gint64 n)
{
  guint count = 0;

  for (guint i = 0; i < v->trades->len; i++)
    count += g_array_index (v->trades, TradeSeen, i).n == n;
  return count;
}

typedef struct
{
  Viewer *v;
  guint   n;
} TradeWait;

static gboolean
has_trades (gpointer data)
{
  TradeWait *w = data;

  return w->v->trades->len >= w->n || w->v->closed;
}

/* Waits until @v got as many trades as first..last, then checks that each
 * of them came exactly once, and nothing else. */
static void
assert_trades (Viewer *v, gint64 first, gint64 last)
{
  TradeWait w = { v, (guint) (last - first + 1) };

  g_assert_true (spin_until (has_trades, &w, SPIN_MS));
  g_assert_false (v->closed);
  spin_for (20);
  g_assert_cmpuint (v->trades->len, ==, last - first + 1);
  for (gint64 n = first; n <= last; n++)
    if (count_trade (v, n) != 1)
      g_error ("trade %" G_GINT64_FORMAT " came %u times", n, count_trade (v, n));
}

/* The trades first..last came before the snapshot, all others after it. */
static void
assert_before_snapshot (Viewer *v, gint64 first, gint64 last)
{
  for (guint i = 0; i < v->trades->len; i++)
    {
      TradeSeen *t = &g_array_index (v->trades, TradeSeen, i);

      if (t->n >= first && t->n <= last)
        g_assert_cmpuint (t->frame, <, v->snapshot_frame);
      else
        g_assert_cmpuint (t->frame, >, v->snapshot_frame);
    }
}

static guint
kind_count (Viewer *v, const char *kind)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (v->kinds, kind));
}

typedef struct
{
  Viewer     *v;
  const char *kind;
} KindWait;

static gboolean
has_kind (gpointer data)
{
  KindWait *w = data;

  return kind_count (w->v, w->kind) > 0;
}

static void
wait_kind (Viewer *v, const char *kind)
{
  KindWait w = { v, kind };

  g_assert_true (spin_until (has_kind, &w, SPIN_MS));
}

/* Sends @text and checks the error it gets; the connection stays open. */
static void
assert_bad (Viewer *v, const char *text, const char *code, const char *field)
{
  guint n = viewer_count (v, "error") + 1;
  JsonObject *e;

  soup_websocket_connection_send_text (v->ws, text);
  e = viewer_wait (v, "error", n);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (e, "field", NULL), ==, field);
  g_assert_cmpstr (json_object_get_string_member (e, "message"), !=, "");
  g_assert_false (v->closed);
}

/* ---------------------------------------------------------------- the bot */

static Client *
bot_connect (Fixture *fx)
{
  Client *bot = client_connect (fx);

  bot->last_ack = client_hello (bot, BOT);
  return bot;
}

/* Trades first..last, each its own frame, then waits for their ack. Heavy
 * ones carry three strings of BIG_STRING bytes (about 12 KB a trade). */
static void
bot_trades (StreamFixture *sf, Client *bot, gint64 first, gint64 last, gboolean heavy)
{
  for (gint64 n = first; n <= last; n++)
    if (heavy)
      client_send (bot, "{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                   ",\"id\":\"t-%" G_GINT64_FORMAT "\",\"pair\":\"WETH/USDC%s\","
                   "\"buy_venue\":\"uniswap_v3%s\",\"sell_venue\":\"curve%s\","
                   "\"status\":\"filled\",\"profit\":2.5}",
                   n, T0 + n, n, sf->big, sf->big, sf->big);
    else
      client_trade (bot, n);
  wait_ack (bot, last);
}

/* ---------------------------------------------------------------- fixture */

/* The sampler's own "host" gauges would mix with the test's; commands
 * time out soon. */
static void
tune_engine (Fixture *fx)
{
  arb_sampler_set_interval (arb_engine_get_sampler (fx->engine), ARB_SAMPLER_INTERVAL_MAX);
  arb_ingest_set_command_timeout (arb_engine_get_ingest (fx->engine), 300);
}

static void
setup (StreamFixture *sf, gconstpointer data)
{
  fixture_setup (&sf->fx, data);
  tune_engine (&sf->fx);
  sf->viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) viewer_free);
  sf->big = g_strnfill (BIG_STRING, 'z');
}

static void
teardown (StreamFixture *sf, gconstpointer data)
{
  g_ptr_array_unref (sf->viewers);
  g_free (sf->big);
  fixture_teardown (&sf->fx, data);
}

/* Closes every client, stops server and engine (committing everything),
 * and starts new ones on the same database. */
static void
restart (StreamFixture *sf)
{
  g_ptr_array_set_size (sf->viewers, 0);
  fixture_restart (&sf->fx, tune_engine);
}

/* ---------------------------------------------------------------- auth */

static void
assert_refused (StreamFixture *sf, const char *token, const char *origin, char **protocols,
                guint status)
{
  Viewer *v = viewer_connect_full (sf, token, origin, protocols);
  SoupMessageHeaders *headers = soup_message_get_response_headers (v->msg);

  g_assert_null (v->ws);
  g_assert_nonnull (v->error);
  /* refused before the upgrade, as plain HTTP */
  g_assert_cmpuint (v->status, ==, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   "application/json");
  if (status == 401 && token == NULL && protocols == NULL)
    g_assert_cmpstr (soup_message_headers_get_one (headers, "WWW-Authenticate"), ==,
                     "Bearer realm=\"arbdash\"");
}

static void
test_auth (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  const char *browser[] = { "arbdash.v1", "bearer." VIEWER_TOKEN, NULL };
  const char *browser_op[] = { "arbdash.v1", "bearer." OPERATOR_TOKEN, NULL };
  const char *wrong[] = { "arbdash.v1", "bearer.nope", NULL };
  const char *bot[] = { "arbdash.v1", "bearer." BOT_TOKEN, NULL };
  Viewer *ok[5];

  ok[0] = viewer_connect (sf, VIEWER_TOKEN);
  ok[1] = viewer_connect_full (sf, NULL, NULL, (char **) browser);
  ok[2] = viewer_connect_full (sf, NULL, NULL, (char **) browser_op);
  ok[3] = viewer_connect_full (sf, VIEWER_TOKEN, fx->origin, NULL);
  ok[4] = viewer_connect_full (sf, VIEWER_TOKEN, "https://dash.example.org", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_assert_no_error (ok[i]->error);
      /* each of them is a working viewer */
      viewer_subscribe (ok[i], "[\"trading\"]", 10, -1, TRUE);
    }
  /* the server picks arbdash.v1 of what the browser offered */
  g_assert_cmpstr (soup_websocket_connection_get_protocol (ok[1]->ws), ==, "arbdash.v1");
  g_assert_cmpstr (soup_websocket_connection_get_protocol (ok[2]->ws), ==, "arbdash.v1");
  g_assert_cmpuint (stats (fx).viewers, ==, 5);

  assert_refused (sf, NULL, NULL, NULL, 401);
  assert_refused (sf, "nope", NULL, NULL, 401);
  assert_refused (sf, NULL, NULL, (char **) wrong, 401);
  assert_refused (sf, BOT_TOKEN, NULL, NULL, 403);
  assert_refused (sf, NULL, NULL, (char **) bot, 403);
  assert_refused (sf, VIEWER_TOKEN, "http://evil.example.com", NULL, 403);
  assert_refused (sf, VIEWER_TOKEN, "null", NULL, 403);
  /* the origin is checked first: a foreign page learns nothing about tokens */
  assert_refused (sf, NULL, "http://evil.example.com", NULL, 403);
  g_assert_cmpuint (stats (fx).viewers, ==, 5);

  viewer_close (ok[0]);
  viewer_close (ok[1]);
  wait_viewers (fx, 3);
}

/* A plain GET of the stream is no upgrade; a longer path is another route. */
static void
test_not_websocket (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  g_autoptr(Reply) plain = http (fx, "GET", STREAM, VIEWER_TOKEN, NULL);
  g_autoptr(Reply) longer = http (fx, "GET", STREAM "s", VIEWER_TOKEN, NULL);
  g_autoptr(Reply) anon = http (fx, "GET", STREAM, NULL, NULL);

  g_assert_no_error (plain->error);
  g_assert_cmpuint (plain->status, >=, 400);
  g_assert_cmpuint (plain->status, <, 500);
  assert_http_error (longer, 404, "not_found", NULL);
  assert_http_error (anon, 401, "unauthorized", NULL);
  g_assert_cmpuint (stats (fx).viewers, ==, 0);
}

/* ---------------------------------------------------------------- subscribe */

static void
assert_topics (JsonObject *snapshot, const char *const *want)
{
  JsonObject *topics = json_object_get_object_member (snapshot, "topics");

  g_assert_cmpuint (json_object_get_size (topics), ==, g_strv_length ((char **) want));
  for (guint i = 0; want[i] != NULL; i++)
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (topics, want[i])));
}

static JsonNode *
topic_member (JsonObject *snapshot, const char *topic, const char *member)
{
  JsonObject *topics = json_object_get_object_member (snapshot, "topics");

  return json_object_get_member (json_object_get_object_member (topics, topic), member);
}

static void
test_subscribe (StreamFixture *sf, gconstpointer data)
{
  static const char *const trading_log[] = { "trading", "log", NULL };
  static const char *const all[] = { "system", "trading", "resources", "bots", "alerts", "log",
                                     NULL };
  static const char *const bots[] = { "bots", NULL };
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *a = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *b = viewer_connect (sf, VIEWER_TOKEN);
  JsonObject *snap;
  gint64 before;

  bot_trades (sf, bot, 1, 3, FALSE);
  spin_for (50);
  before = arb_hub_get_last_emitted_seq (arb_engine_get_hub (fx->engine));
  viewer_subscribe (a, "[\"trading\",\"log\",\"trading\"]", 10, -1, TRUE);
  viewer_subscribe (b, "[\"system\",\"trading\",\"resources\",\"bots\",\"alerts\",\"log\"]", 2.5,
                    -1, TRUE);
  snap = viewer_last (a, "snapshot");
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (snap, "seq")), ==,
                   G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (snap, "seq"), ==, before);
  assert_topics (snap, trading_log);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (topic_member (snap, "log", "recent")));
  /* the trading state is the summary of what came before */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (topic_member (snap, "trading", "summary")) ||
                 JSON_NODE_HOLDS_NULL (topic_member (snap, "trading", "summary")));
  snap = viewer_last (b, "snapshot");
  assert_topics (snap, all);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (topic_member (snap, "bots",
                                                                             "bots"))), ==, 1);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (topic_member (snap, "system", "metrics")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (topic_member (snap, "resources", "bots")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (topic_member (snap, "alerts", "active")));

  /* the trades before the snapshot do not come again; the new ones do */
  bot_trades (sf, bot, 4, 10, FALSE);
  assert_trades (a, 4, 10);
  assert_trades (b, 4, 10);
  g_assert_cmpuint (a->n_snapshots, ==, 1);
  g_assert_cmpuint (b->n_snapshots, ==, 1);
  g_assert_cmpuint (a->n_batches, >, 0);
  for (guint i = 0; i < a->trades->len; i++)
    g_assert_cmpint (g_array_index (a->trades, TradeSeen, i).seq, >, before);

  /* a new subscribe on the same connection: a new snapshot, the new topics only */
  viewer_subscribe (a, "[\"bots\"]", 10, -1, TRUE);
  assert_topics (viewer_last (a, "snapshot"), bots);
  g_assert_cmpuint (a->n_snapshots, ==, 2);
  bot_trades (sf, bot, 11, 12, FALSE);
  assert_trades (b, 4, 12);
  g_assert_cmpuint (a->trades->len, ==, 7);
  /* the bot's state changes are on "bots" */
  client_free (g_ptr_array_steal_index (fx->clients, 0));
  wait_kind (a, "bot");
  wait_kind (b, "bot");
}

/* The snapshot holds the state of each topic: the latest metric of each
 * bot and name, the latest resources of each bot, the last 50 logs. */
static guint
n_active_alerts (Fixture *fx)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (arb_engine_get_alerts (fx->engine));

  return active->len;
}

static void
test_snapshot_state (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *late;
  JsonObject *snap;
  JsonArray *array;

  /* log 3 is an error: it raises an alert, active in the snapshot */
  for (guint n = 1; n <= 55; n++)
    client_send (bot, "{\"type\":\"log\",\"seq\":%u,\"ts\":%u,\"level\":\"%s\","
                 "\"message\":\"log %u\"}", n, n, n == 3 ? "error" : "info", n);
  client_send (bot, "{\"type\":\"metric\",\"seq\":56,\"ts\":56,\"name\":\"queue\",\"value\":4}");
  client_send (bot, "{\"type\":\"metric\",\"seq\":57,\"ts\":57,\"name\":\"queue\",\"value\":5}");
  client_send (bot, "{\"type\":\"resources\",\"seq\":58,\"ts\":58,"
               "\"pool\":{\"size\":8,\"in_use\":3,\"waiting\":0}}");
  wait_ack (bot, 58);
  spin_for (50);
  viewer_subscribe (v, "[\"system\",\"resources\",\"log\",\"bots\",\"alerts\"]", 10, -1, TRUE);
  snap = viewer_last (v, "snapshot");

  array = json_node_get_array (topic_member (snap, "alerts", "active"));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "rule"), ==, "error_log");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "subject"), ==, BOT);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "state"), ==, "active");

  array = json_node_get_array (topic_member (snap, "system", "metrics"));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "name"), ==, "queue");
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 0),
                                                    "value"), ==, 5);
  array = json_node_get_array (topic_member (snap, "resources", "bots"));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "bot_id"), ==, BOT);
  array = json_node_get_array (topic_member (snap, "log", "recent"));
  g_assert_cmpuint (json_array_get_length (array), ==, 50);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "message"), ==, "log 6");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 49),
                                                  "message"), ==, "log 55");
  array = json_node_get_array (topic_member (snap, "bots", "bots"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "bot_id"), ==, BOT);

  /* and what comes next arrives live: a log at once, a metric at the rate */
  client_send (bot, "{\"type\":\"log\",\"seq\":59,\"ts\":59,\"level\":\"error\","
               "\"message\":\"later\"}");
  client_send (bot, "{\"type\":\"metric\",\"seq\":60,\"ts\":60,\"name\":\"queue\",\"value\":6}");
  wait_ack (bot, 60);
  wait_kind (v, "log");
  wait_kind (v, "metric");
  g_assert_cmpuint (kind_count (v, "log"), ==, 1);

  /* the error raised an alert: a viewer that comes later finds it active in
   * its snapshot, however long ago it was raised */
  WAIT_UNTIL (n_active_alerts (fx) == 1);
  late = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (late, "[\"alerts\"]", 10, -1, TRUE);
  array = json_node_get_array (topic_member (viewer_last (late, "snapshot"), "alerts", "active"));
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "rule"), ==, "error_log");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                  "state"), ==, "active");
}

/* Viewers of different topic sets while trades flow in bursts: every acked
 * trade reaches every viewer that wants it exactly once, in seq order. */
static void
test_continuity (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *v[4];
  gint64 n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    v[i] = viewer_connect (sf, i == 3 ? OPERATOR_TOKEN : VIEWER_TOKEN);
  viewer_subscribe (v[0], "[\"trading\"]", 10, -1, TRUE);
  viewer_subscribe (v[1], "[\"trading\",\"bots\",\"log\"]", 50, -1, TRUE);
  viewer_subscribe (v[2], "[\"system\",\"resources\",\"alerts\"]", 10, -1, TRUE);
  viewer_subscribe (v[3], "[\"log\",\"trading\",\"system\"]", 100, -1, TRUE);
  for (guint round = 0; round < 12; round++)
    {
      gint64 size = 1 + round * 7;

      bot_trades (sf, bot, n + 1, n + size, FALSE);
      n += size;
    }
  assert_trades (v[0], 1, n);
  assert_trades (v[1], 1, n);
  assert_trades (v[3], 1, n);
  spin_for (100);
  g_assert_cmpuint (v[2]->trades->len, ==, 0);
  g_assert_cmpint (v[2]->last_discrete, ==, v[2]->snapshot_seq);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      g_assert_cmpuint (v[i]->n_snapshots, ==, 1);
      g_assert_false (v[i]->closed);
    }
  /* the items of one main-loop turn share a frame */
  g_assert_cmpuint (v[0]->n_batches, <, n);
  g_assert_cmpuint (stats (fx).closed_slow, ==, 0);
  g_assert_cmpuint (stats (fx).frames, >=, v[0]->n_batches);
  g_assert_cmpuint (stats (fx).bytes, >, 0);
}

/* ---------------------------------------------------------------- gauges */

typedef struct
{
  ArbHub *hub;
  gint64  n;
} Gauger;

/* One "host" gauge on topic system, as the sampler publishes them. */
static gboolean
gauge_tick (gpointer data)
{
  Gauger *g = data;

  g->n++;
  arb_hub_publish (g->hub, ARB_TOPIC_SYSTEM, "system", g_get_real_time () / 1000, "host",
                   g_strdup_printf ("{\"test_n\":%" G_GINT64_FORMAT "}", g->n));
  return G_SOURCE_CONTINUE;
}

static guint
gauges_between (Viewer *v, gint64 from_us, gint64 to_us)
{
  guint n = 0;

  for (guint i = 0; i < v->gauges->len; i++)
    {
      GaugeSeen *g = &g_array_index (v->gauges, GaugeSeen, i);
      n += g->mono_us >= from_us && g->mono_us < to_us;
    }
  return n;
}

/* The test_n of the last gauge @v received; 0 before any. */
static gint64
last_gauge (Viewer *v)
{
  for (guint i = v->gauges->len; i > 0; i--)
    {
      GaugeSeen *g = &g_array_index (v->gauges, GaugeSeen, i - 1);

      if (g->test_n >= 0)
        return g->test_n;
    }
  return 0;
}

/* Never an older value after a newer one, and the last one came. */
static void
assert_latest_wins (Viewer *v, gint64 last)
{
  gint64 prev = 0;

  g_assert_cmpuint (v->gauges->len, >, 0);
  for (guint i = 0; i < v->gauges->len; i++)
    {
      GaugeSeen *g = &g_array_index (v->gauges, GaugeSeen, i);

      if (g->test_n < 0)
        continue;
      g_assert_cmpint (g->test_n, >, prev);
      prev = g->test_n;
    }
  g_assert_cmpint (prev, ==, last);
}

static void
test_coalesce (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *slow = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *fast = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *trading = viewer_connect (sf, VIEWER_TOKEN);
  Gauger g = { arb_engine_get_hub (fx->engine), 0 };
  gint64 start, end, n = 0;
  guint source, count;
  JsonNode *sample;

  /* one gauge before: the snapshot holds it */
  gauge_tick (&g);
  spin_for (20);
  viewer_subscribe (slow, "[\"system\",\"trading\"]", 5, -1, TRUE);
  viewer_subscribe (fast, "[\"system\",\"trading\"]", 50, -1, TRUE);
  viewer_subscribe (trading, "[\"trading\"]", 0.5, -1, TRUE);
  sample = topic_member (viewer_last (slow, "snapshot"), "system", "system");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (sample));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (sample), "test_n"), ==, 1);

  /* 200 gauges a second for 2 s, with trades in between */
  source = g_timeout_add (5, gauge_tick, &g);
  start = g_get_monotonic_time ();
  end = start + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      bot_trades (sf, bot, n + 1, n + 5, FALSE);
      n += 5;
      spin_for (40);
    }
  g_source_remove (source);
  /* what is held goes out at the next tick, however late that is */
  WAIT_UNTIL (last_gauge (slow) == g.n && last_gauge (fast) == g.n);
  count = gauges_between (slow, start, end);
  g_test_message ("%" G_GINT64_FORMAT " gauges published, %u reached the 5 Hz viewer, "
                  "%u the 50 Hz one", g.n, count, gauges_between (fast, start, end));
  g_assert_cmpint (g.n, >=, 100);
  g_assert_cmpuint (count, <=, 2 * 8);
  g_assert_cmpuint (count, >=, 2 * 2);
  g_assert_cmpuint (gauges_between (fast, start, end), >, count);
  g_assert_cmpuint (gauges_between (fast, start, end), <=, 2 * 60);
  assert_latest_wins (slow, g.n);
  assert_latest_wins (fast, g.n);
  /* discrete items are never coalesced */
  assert_trades (slow, 1, n);
  assert_trades (fast, 1, n);
  assert_trades (trading, 1, n);
  g_assert_cmpuint (trading->gauges->len, ==, 0);
  g_assert_cmpuint (stats (fx).gauges_dropped, ==, 0);

  /* idle: nothing more comes; a new gauge still does */
  count = slow->gauges->len;
  spin_for (500);
  g_assert_cmpuint (slow->gauges->len, ==, count);
  gauge_tick (&g);
  WAIT_UNTIL (slow->gauges->len > count);
  /* and only once: one more tick (200 ms at 5 Hz) brings nothing */
  spin_for (250);
  g_assert_cmpuint (slow->gauges->len, ==, count + 1);
  assert_latest_wins (slow, g.n);
}

/* A rate so low that it rounds to 0 mHz must not divide by zero. */
static void
test_tiny_rate (StreamFixture *sf, gconstpointer data)
{
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  Gauger g = { arb_engine_get_hub (sf->fx.engine), 0 };

  viewer_subscribe (v, "[\"system\"]", 0.0001, -1, TRUE);
  gauge_tick (&g);
  spin_for (100);
  g_assert_false (v->closed);
  g_assert_cmpuint (v->gauges->len, ==, 0);
  /* still usable, and at another rate the gauges come */
  viewer_subscribe (v, "[\"system\"]", 100, -1, TRUE);
  gauge_tick (&g);
  WAIT_UNTIL (v->gauges->len > 0);
  /* and only once: a few more ticks (10 ms at 100 Hz) bring nothing */
  spin_for (50);
  g_assert_cmpuint (v->gauges->len, ==, 1);
}

/* ---------------------------------------------------------------- a raw client */

/* A WebSocket client by hand, on a plain socket that the test reads only
 * when it wants to. */
typedef struct
{
  GSocket    *sock;
  GByteArray *in;
} Raw;

static gssize
raw_read (Raw *r)
{
  guint8 buf[65536];
  g_autoptr(GError) error = NULL;
  gssize n = g_socket_receive (r->sock, (char *) buf, sizeof buf, NULL, &error);

  if (n > 0)
    g_byte_array_append (r->in, buf, n);
  else if (n < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      g_main_context_iteration (NULL, FALSE);
    }
  return n;
}

/* A client's frame is masked (RFC 6455, 5.3). */
static void
raw_send_text (Raw *r, const char *text)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  gsize len = strlen (text);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 head[4] = { 0x81, 0, 0, 0 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (len, <, 126);
  head[1] = 0x80 | len;
  g_byte_array_append (frame, head, 2);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = text[i] ^ mask[i % 4];
      g_byte_array_append (frame, &b, 1);
    }
  g_assert_cmpint (g_socket_send (r->sock, (char *) frame->data, frame->len, NULL, &error), ==,
                   frame->len);
  g_assert_no_error (error);
}

/* The handshake, with a tiny receive buffer so that the TCP window closes
 * soon once the client stops reading. */
static Raw *
raw_connect (Fixture *fx)
{
  Raw *r = g_new0 (Raw, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo,
                                                              arb_server_get_port (fx->server));
  g_autofree char *request = NULL;

  r->in = g_byte_array_new ();
  r->sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                          &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_set_option (r->sock, SOL_SOCKET, SO_RCVBUF, 4096, &error));
  g_assert_true (g_socket_connect (r->sock, addr, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (r->sock, FALSE);
  request = g_strdup_printf ("GET " STREAM " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Authorization: Bearer " VIEWER_TOKEN "\r\n\r\n",
                             arb_server_get_port (fx->server));
  g_assert_cmpint (g_socket_send (r->sock, request, strlen (request), NULL, &error), ==,
                   strlen (request));
  for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       g_get_monotonic_time () < deadline;)
    {
      const char *end = r->in->len > 0 ? g_strstr_len ((const char *) r->in->data, r->in->len,
                                                       "\r\n\r\n") : NULL;

      if (end != NULL)
        {
          g_assert_true (g_str_has_prefix ((const char *) r->in->data, "HTTP/1.1 101"));
          g_byte_array_remove_range (r->in, 0, end + 4 - (const char *) r->in->data);
          return r;
        }
      if (raw_read (r) == 0)
        break;
    }
  g_error ("no WebSocket handshake");
}

static void
raw_free (Raw *r)
{
  g_socket_close (r->sock, NULL);
  g_object_unref (r->sock);
  g_byte_array_unref (r->in);
  g_free (r);
}

/* Reads the frames that reached the client up to a close frame: its code,
 * or 0 when the connection ended without one. */
static guint
raw_read_to_close (Raw *r)
{
  for (gint64 deadline = g_get_monotonic_time () + 8 * G_USEC_PER_SEC;
       g_get_monotonic_time () < deadline;)
    {
      while (r->in->len >= 2)
        {
          guint8 *p = r->in->data;
          guint64 len = p[1] & 0x7f;
          gsize head = 2;

          g_assert_cmpuint (p[1] & 0x80, ==, 0);  /* a server never masks */
          if (len == 126)
            {
              if (r->in->len < 4)
                break;
              len = (p[2] << 8) | p[3];
              head = 4;
            }
          else if (len == 127)
            {
              if (r->in->len < 10)
                break;
              len = 0;
              for (guint i = 0; i < 8; i++)
                len = (len << 8) | p[2 + i];
              head = 10;
            }
          if (r->in->len < head + len)
            break;
          if ((p[0] & 0x0f) == 0x8)
            {
              g_assert_cmpuint (len, >=, 2);
              return (p[head] << 8) | p[head + 1];
            }
          g_byte_array_remove_range (r->in, 0, head + len);
        }
      if (raw_read (r) == 0)
        return 0;
    }
  g_error ("the slow viewer was not closed");
}

/* ---------------------------------------------------------------- since */

static void
test_since (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *first = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *again, *future, *zero;
  gint64 seen;

  viewer_subscribe (first, "[\"trading\",\"log\"]", 10, -1, TRUE);
  bot_trades (sf, bot, 1, 40, FALSE);
  assert_trades (first, 1, 40);
  seen = first->max_seq;
  viewer_close (first);

  bot_trades (sf, bot, 41, 90, FALSE);
  spin_for (20);
  again = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (again, "[\"trading\",\"log\"]", 10, seen, TRUE);
  assert_trades (again, 41, 90);
  assert_before_snapshot (again, 41, 90);
  g_assert_cmpint (again->snapshot_seq, >=, again->max_seq);
  bot_trades (sf, bot, 91, 95, FALSE);
  assert_trades (again, 41, 95);
  assert_before_snapshot (again, 41, 90);
  g_assert_cmpuint (again->n_snapshots, ==, 1);

  /* since 0: all of them, from the journal */
  zero = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (zero, "[\"trading\"]", 10, 0, TRUE);
  assert_trades (zero, 1, 95);
  assert_before_snapshot (zero, 1, 95);

  /* a since beyond every seq: nothing to replay, just the snapshot */
  future = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (future, "[\"trading\"]", 10, G_MAXINT64, TRUE);
  g_assert_cmpuint (future->trades->len, ==, 0);
  bot_trades (sf, bot, 96, 97, FALSE);
  assert_trades (future, 96, 97);
  assert_trades (again, 41, 97);
  assert_trades (zero, 1, 97);
  g_assert_cmpuint (stats (fx).replayed, >=, 50 + 95);
}

typedef struct
{
  Viewer *v;
  guint   n;
} GaugeWait;

static gboolean
has_gauges (gpointer data)
{
  GaugeWait *w = data;

  return w->v->gauges->len >= w->n;
}

/* Issue 9, revision 1.1: a viewer at 4 Hz gets gauges held for its rate
 * after trades with higher seqs; the frame seq must still never go back
 * (take_frame checks each frame: its seq is exactly the highest seq sent so
 * far), and since = the last frame's seq must lose no discrete item. */
static void
test_frame_seq (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *again;
  Gauger g = { arb_engine_get_hub (fx->engine), 0 };
  GaugeWait gw = { NULL, 0 };
  gint64 n = 0, resume;
  guint frames;

  gauge_tick (&g);
  spin_for (20);
  viewer_subscribe (v, "[\"system\",\"trading\",\"log\"]", 4, -1, TRUE);
  gw.v = v;
  /* a gauge, then trades and logs, then the tick (250 ms) sends the gauge:
   * its seq is below the trades' (a gauge published later would not be) */
  while (v->n_batches < 40 || v->frame_seq_above_items < 6)
    {
      gw.n = v->gauges->len + 1;
      gauge_tick (&g);
      for (guint i = 0; i < 3; i++)
        {
          bot_trades (sf, bot, n + 1, n + 2, FALSE);
          n += 2;
          arb_hub_publish (g.hub, ARB_TOPIC_LOG, "log", T0, NULL,
                           g_strdup ("{\"level\":\"info\",\"message\":\"between\"}"));
        }
      g_assert_true (spin_until (has_gauges, &gw, SPIN_MS));
      g_assert_cmpint (n, <, 1000);
    }
  assert_trades (v, 1, n);
  g_test_message ("%u frames, %u of them with a seq above their items'", v->n_batches,
                  v->frame_seq_above_items);

  /* the last frame a gauge frame: its items are older than the trades */
  gw.n = v->gauges->len + 1;
  gauge_tick (&g);
  g_assert_true (spin_until (has_gauges, &gw, SPIN_MS));
  frames = v->n_batches;
  resume = v->frame_seq;
  g_assert_cmpint (resume, >=, v->max_seq);
  viewer_close (v);
  g_assert_cmpuint (v->n_batches, ==, frames);

  bot_trades (sf, bot, n + 1, n + 20, FALSE);
  again = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (again, "[\"system\",\"trading\",\"log\"]", 4, resume, TRUE);
  assert_trades (again, n + 1, n + 20);
  assert_before_snapshot (again, n + 1, n + 20);
  g_assert_cmpint (again->snapshot_seq, >=, again->max_seq);
  bot_trades (sf, bot, n + 21, n + 25, FALSE);
  assert_trades (again, n + 1, n + 25);
}

/* Publishes a discrete log item bigger than a viewer's hard limit. */
static void
publish_huge_log (StreamFixture *sf)
{
  ArbHub *hub = arb_engine_get_hub (sf->fx.engine);
  GString *huge = g_string_new ("{\"message\":\"");

  while (huge->len < ARB_STREAM_HARD_LIMIT + 1024)
    g_string_append (huge, sf->big);
  g_string_append (huge, "\"}");
  arb_hub_publish (hub, ARB_TOPIC_LOG, "log", T0, NULL, g_string_free (huge, FALSE));
  arb_hub_flush (hub);
}

/* Stop and start again on the same database: a since from before is older
 * than the new journal, so it is replayed from the store, in pages. */
static void
test_restart (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *late;
  Raw *raw;
  gint64 seen, old_max, total = 2300;
  ArbStreamStats before;
  g_autofree char *subscribe = NULL;

  viewer_subscribe (v, "[\"trading\"]", 10, -1, TRUE);
  bot_trades (sf, bot, 1, 100, FALSE);
  assert_trades (v, 1, 100);
  seen = v->max_seq;
  subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"topics\":[\"trading\",\"log\"],"
                               "\"since\":%" G_GINT64_FORMAT "}", seen);
  viewer_close (v);
  for (gint64 n = 101; n <= total; n += 550)
    bot_trades (sf, bot, n, MIN (n + 549, total), FALSE);
  old_max = arb_hub_get_last_seq (arb_engine_get_hub (fx->engine));

  restart (sf);

  v = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (v, "[\"trading\",\"log\"]", 10, seen, TRUE);
  assert_trades (v, 101, total);
  assert_before_snapshot (v, 101, total);
  g_assert_cmpint (v->snapshot_seq, >=, old_max);
  g_assert_cmpuint (stats (fx).replayed, >=, total - 100);

  /* the bot comes back: what it sends now has seqs above the old ones */
  bot = bot_connect (fx);
  g_assert_cmpint (bot->last_ack, ==, total);
  bot_trades (sf, bot, total + 1, total + 3, FALSE);
  assert_trades (v, 101, total + 3);
  for (guint i = 0; i < v->trades->len; i++)
    {
      TradeSeen *t = &g_array_index (v->trades, TradeSeen, i);

      if (t->n > total)
        g_assert_cmpint (t->seq, >, old_max);
      else
        g_assert_cmpint (t->seq, <=, old_max);
    }

  /* trades that come while a replay from the store runs: once each, and
   * those emitted before the snapshot came before it (take_item checks
   * that every item after a snapshot has a higher seq than it) */
  late = viewer_connect (sf, VIEWER_TOKEN);
  viewer_subscribe (late, "[\"trading\"]", 10, seen, FALSE);
  bot_trades (sf, bot, total + 4, total + 20, FALSE);
  assert_trades (late, 101, total + 20);
  g_assert_cmpuint (late->n_snapshots, ==, 1);
  for (guint i = 0; i < late->trades->len; i++)
    {
      TradeSeen *t = &g_array_index (late->trades, TradeSeen, i);

      g_assert_cmpuint (t->frame < late->snapshot_frame, ==, t->seq <= late->snapshot_seq);
      if (t->n <= total + 3)
        g_assert_cmpuint (t->frame, <, late->snapshot_frame);
    }
  assert_trades (v, 101, total + 20);

  /* a replay that live items would make too big is closed (4013, see
   * SLOW_CLOSE_ON_WIRE); a raw client sees what is on the wire */
  viewer_close (v);
  viewer_close (late);
  wait_viewers (fx, 0);
  raw = raw_connect (fx);
  before = stats (fx);
  raw_send_text (raw, subscribe);
  for (gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       stats (fx).replayed == before.replayed && g_get_monotonic_time () < deadline;)
    g_main_context_iteration (NULL, TRUE);
  /* the first page went out, the second one is being read */
  g_assert_cmpuint (stats (fx).replayed - before.replayed, ==, 2000);
  publish_huge_log (sf);
  g_assert_cmpuint (stats (fx).closed_slow, ==, before.closed_slow + 1);
  g_assert_cmpuint (raw_read_to_close (raw), ==, SLOW_CLOSE_ON_WIRE);
  raw_free (raw);
  wait_viewers (fx, 0);
}

/* ---------------------------------------------------------------- a slow viewer */

static void
test_slow_viewer (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *normal = viewer_connect (sf, VIEWER_TOKEN);
  Raw *raw = raw_connect (fx);
  Gauger g = { arb_engine_get_hub (fx->engine), 0 };
  gint64 n = 0;

  viewer_subscribe (normal, "[\"trading\",\"system\"]", 100, -1, TRUE);
  raw_send_text (raw, "{\"type\":\"subscribe\",\"topics\":[\"trading\",\"system\"],"
                      "\"max_rate_hz\":100}");
  wait_viewers (fx, 2);
  spin_for (100);

  /* the raw client reads no more; at about 12 KB a trade, some 700 trades
   * take it past the 8 MiB limit */
  while (stats (fx).closed_slow == 0 && n < 1500)
    {
      TradeWait caught_up = { normal, 0 };

      bot_trades (sf, bot, n + 1, n + 50, TRUE);
      n += 50;
      gauge_tick (&g);
      /* the normal viewer reads in this process: let it keep up, on a busy
       * machine too, so that only the raw one falls behind */
      caught_up.n = (guint) n;
      g_assert_true (spin_until (has_trades, &caught_up, SPIN_MS));
      spin_for (15);
    }
  g_test_message ("the slow viewer was closed after %" G_GINT64_FORMAT " trades", n);
  if (stats (fx).closed_slow != 1)
    g_test_message ("closed as slow: %" G_GUINT64_FORMAT ", the in-process viewer %s",
                    stats (fx).closed_slow,
                    normal->closed ? "too" : "not");
  g_assert_cmpuint (stats (fx).closed_slow, ==, 1);
  g_assert_cmpint (n, >=, 8 * 1024 * 1024 / (3 * BIG_STRING + 300) - 50);
  /* past the soft limit its gauges were dropped first */
  g_assert_cmpuint (stats (fx).gauges_dropped, >, 0);

  /* meanwhile, and after, the normal viewer gets every trade */
  bot_trades (sf, bot, n + 1, n + 20, TRUE);
  n += 20;
  assert_trades (normal, 1, n);
  g_assert_false (normal->closed);
  /* closed once: the trades published while it is in its grace, still
   * over the limit, do not count it again */
  g_assert_cmpuint (stats (fx).closed_slow, ==, 1);
  g_assert_cmpuint (normal->n_snapshots, ==, 1);
  g_assert_cmpuint (kind_count (normal, "system"), >, 0);

  /* it never reads again: the server lets go of it (and of what it had
   * queued for it) after its grace, without the client's help */
  wait_viewers (fx, 1);
  g_assert_false (normal->closed);
  raw_free (raw);
}

/* ---------------------------------------------------------------- commands */

static JsonObject *
wait_result (Viewer *v)
{
  return viewer_wait (v, "command_result", viewer_count (v, "command_result") + 1);
}

typedef struct
{
  Client *c;
  guint   n;
} CommandWait;

static gboolean
bot_got_commands (gpointer data)
{
  CommandWait *w = data;

  return count_frames (w->c, "command") >= w->n;
}

static void
test_commands (StreamFixture *sf, gconstpointer data)
{
  Fixture *fx = &sf->fx;
  Client *bot = bot_connect (fx);
  Viewer *viewer = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *op = viewer_connect (sf, OPERATOR_TOKEN);
  CommandWait three = { bot, 3 };
  JsonObject *r, *command;

  bot->answer_commands = TRUE;
  viewer_subscribe (op, "[\"bots\"]", 10, -1, TRUE);

  assert_bad (viewer, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\","
              "\"args\":{}}", "forbidden", NULL);
  g_assert_cmpuint (count_frames (bot, "command"), ==, 0);

  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\","
               "\"args\":{\"why\":\"test\"}}");
  r = wait_result (op);
  g_assert_true (json_object_get_boolean_member (r, "ok"));
  g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (r, "bot_id"), ==, BOT);
  g_assert_cmpstr (json_object_get_string_member (r, "name"), ==, "pause");
  g_assert_cmpstr (json_object_get_string_member (r, "message"), ==, "done: pause");
  command = json_object_get_object_member (r, "command");
  g_assert_cmpstr (json_object_get_string_member (command, "id"), ==,
                   json_object_get_string_member (r, "id"));
  g_assert_cmpstr (json_object_get_string_member (
    json_object_get_object_member (command, "who"), "token"), ==, "the-operator");
  g_assert_cmpuint (count_frames (bot, "command"), ==, 1);
  /* its states reach the operator's "bots" topic too */
  wait_kind (op, "command");

  /* an unknown bot, and a command this bot does not take: rejected at once */
  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"ghost\",\"name\":\"pause\"}");
  r = wait_result (op);
  g_assert_false (json_object_get_boolean_member (r, "ok"));
  g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (r, "bot_id"), ==, "ghost");
  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"stop\","
               "\"args\":null}");
  r = wait_result (op);
  g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "rejected");
  g_assert_cmpuint (count_frames (bot, "command"), ==, 1);

  /* bad commands name their field */
  assert_bad (op, "{\"type\":\"command\",\"name\":\"pause\"}", "bad_request", "bot_id");
  assert_bad (op, "{\"type\":\"command\",\"bot_id\":\"a b\",\"name\":\"pause\"}", "bad_request",
              "bot_id");
  assert_bad (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\"}", "bad_request", "name");
  assert_bad (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":7}", "bad_request",
              "name");
  assert_bad (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\","
              "\"args\":[]}", "bad_request", "args");
  g_assert_cmpuint (count_frames (bot, "command"), ==, 1);

  /* a bot that does not answer: the operator learns of the timeout */
  bot->answer_commands = FALSE;
  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"resume\"}");
  r = wait_result (op);
  g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "timeout");
  g_assert_false (json_object_get_boolean_member (r, "ok"));

  /* the operator leaves before the outcome: nothing goes to it, nothing leaks */
  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\"}");
  g_assert_true (spin_until (bot_got_commands, &three, SPIN_MS));
  viewer_close (op);
  spin_for (450);
  wait_viewers (fx, 1);

  /* a bot that is gone: rejected */
  op = viewer_connect (sf, OPERATOR_TOKEN);
  client_free (g_ptr_array_steal_index (fx->clients, 0));
  spin_for (50);
  viewer_send (op, "{\"type\":\"command\",\"bot_id\":\"" BOT "\",\"name\":\"pause\"}");
  r = wait_result (op);
  g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "rejected");
}

/* ---------------------------------------------------------------- bad input */

static void
test_bad_input (StreamFixture *sf, gconstpointer data)
{
  static const char *const trading[] = { "trading", NULL };
  static const struct { const char *text; const char *code; const char *field; } bad[] = {
    { "{", "bad_request", NULL },
    { "[\"subscribe\"]", "bad_request", NULL },
    { "{\"topics\":[\"trading\"]}", "bad_request", "type" },
    { "{\"type\":\"dance\"}", "bad_request", "type" },
    { "{\"type\":5,\"topics\":[\"trading\"]}", "bad_request", "type" },
    { "{\"type\":{\"a\":1}}", "bad_request", "type" },
    { "{\"type\":null}", "bad_request", "type" },
    { "{\"type\":\"subscribe\"}", "bad_request", "topics" },
    { "{\"type\":\"subscribe\",\"topics\":\"trading\"}", "bad_request", "topics" },
    { "{\"type\":\"subscribe\",\"topics\":[\"weather\"]}", "bad_request", "topics" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\",3]}", "bad_request", "topics" },
    { "{\"type\":\"subscribe\",\"topics\":[]}", "bad_request", "topics" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"max_rate_hz\":0}", "bad_request",
      "max_rate_hz" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"max_rate_hz\":-1}", "bad_request",
      "max_rate_hz" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"max_rate_hz\":\"fast\"}", "bad_request",
      "max_rate_hz" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"max_rate_hz\":1000}", "bad_request",
      "max_rate_hz" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"since\":-5}", "bad_request", "since" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"since\":\"yesterday\"}", "bad_request",
      "since" },
    { "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"since\":1.5}", "bad_request", "since" },
    /* deeper than the nesting limit */
    { "{\"type\":\"subscribe\",\"topics\":[[[[[[[[[[[[[[[[[[[[\"x\"]]]]]]]]]]]]]]]]]]]]}",
      "too_large", NULL },
  };
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  GString *big = g_string_new ("{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"pad\":\"");
  guint errors;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_bad (v, bad[i].text, bad[i].code, bad[i].field);

  errors = viewer_count (v, "error");
  soup_websocket_connection_send_binary (v->ws, "\x01\x02", 2);
  g_assert_cmpstr (json_object_get_string_member (viewer_wait (v, "error", errors + 1), "code"),
                   ==, "bad_request");

  while (big->len < 100 * 1024)
    g_string_append (big, "0123456789abcdef");
  g_string_append (big, "\"}");
  assert_bad (v, big->str, "too_large", NULL);
  g_string_free (big, TRUE);

  /* none of those subscribed anything; the connection still works */
  g_assert_cmpuint (v->n_snapshots, ==, 0);
  viewer_subscribe (v, "[\"trading\"]", 10, -1, TRUE);
  assert_topics (viewer_last (v, "snapshot"), trading);
  /* null counts as absent */
  viewer_send (v, "{\"type\":\"subscribe\",\"topics\":[\"trading\"],\"max_rate_hz\":null,"
               "\"since\":null}");
  viewer_wait (v, "snapshot", 2);
  g_assert_false (v->closed);
}

/* A frame over 4 MiB is cut by the WebSocket layer (1009). */
static void
test_huge_frame (StreamFixture *sf, gconstpointer data)
{
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  g_autofree char *text = g_strnfill (5 * 1024 * 1024, ' ');

  text[0] = '{';
  text[5 * 1024 * 1024 - 1] = '}';
  soup_websocket_connection_send_text (v->ws, text);
  g_assert_true (spin_until (viewer_closed, v, SPIN_MS));
  /* the server's input stream stops it before libsoup reads it, and the
   * client gets a close frame saying why */
  g_assert_cmpuint (v->close_code, ==, 1009);
  wait_viewers (&sf->fx, 0);
}

/* A shutdown closes the viewers (1001) and frees them. */
static void
test_shutdown (StreamFixture *sf, gconstpointer data)
{
  Viewer *v = viewer_connect (sf, VIEWER_TOKEN);
  Viewer *idle = viewer_connect (sf, VIEWER_TOKEN);

  viewer_subscribe (v, "[\"trading\",\"system\"]", 10, -1, TRUE);
  g_assert_cmpuint (stats (&sf->fx).viewers, ==, 2);
  arb_server_shutdown (sf->fx.server);
  g_assert_true (spin_until (viewer_closed, v, SPIN_MS));
  g_assert_true (spin_until (viewer_closed, idle, SPIN_MS));
  g_assert_cmpuint (v->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/arb/stream/" path, StreamFixture, NULL, setup, func, teardown)

  ADD ("auth", test_auth);
  ADD ("not-websocket", test_not_websocket);
  ADD ("subscribe", test_subscribe);
  ADD ("snapshot-state", test_snapshot_state);
  ADD ("continuity", test_continuity);
  ADD ("coalesce", test_coalesce);
  ADD ("tiny-rate", test_tiny_rate);
  ADD ("since", test_since);
  ADD ("frame-seq", test_frame_seq);
  ADD ("restart", test_restart);
  ADD ("slow-viewer", test_slow_viewer);
  ADD ("commands", test_commands);
  ADD ("bad-input", test_bad_input);
  ADD ("huge-frame", test_huge_frame);
  ADD ("shutdown", test_shutdown);
#undef ADD

  return g_test_run ();
}
