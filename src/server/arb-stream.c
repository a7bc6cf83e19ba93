/* arb-stream.c: the viewers' live stream, /api/v1/stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every hub item is serialised once (its envelope, cached on the item);
 * a batch frame for a set of topics is built once per hub emission and the
 * same bytes go to every viewer that subscribed to that set. Gauges wait in
 * a per-rate group and go out at the viewers' max_rate_hz, latest wins.
 *
 * libsoup 3.2 queues outgoing frames without telling how many wait, so a
 * viewer's backlog is what we handed it minus what its TCP peer acknowledged
 * (TCP_INFO's tcpi_bytes_acked): past ARB_STREAM_SOFT_LIMIT its gauges are
 * dropped, and a discrete item that would go past ARB_STREAM_HARD_LIMIT
 * closes it with ARB_STREAM_CLOSE_SLOW (4013) so that it reconnects with
 * `since` instead. PROTOCOL.md says 1013, but libsoup 3.2 refuses to send a
 * code below 3000 that it does not know (it sends 1002 instead), so the
 * application range carries the same meaning (docs/api.md).
 */
#define G_LOG_DOMAIN "arb-stream"

#include "config.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "arb-http.h"
#include "arb-json.h"
#include "arb-stream.h"

#define REPLAY_PAGE      2000
#define DEFAULT_RATE_HZ  10.0
#define MAX_RATE_HZ      100.0
#define RECENT_LOGS      50
#define CLOSE_GRACE_S    5

static const char *topic_names[] = { "system", "trading", "resources", "bots", "alerts", "log" };
#define ALL_TOPICS ((1u << G_N_ELEMENTS (topic_names)) - 1)

typedef struct _RateGroup RateGroup;

typedef struct
{
  ArbStream               *stream;
  SoupWebsocketConnection *ws;
  GSocket                 *sock;
  ArbRole                  role;
  char                    *token_name;
  guint64                  queued;      /* bytes handed to libsoup */
  guint64                  acked_base;  /* tcpi_bytes_acked when we took over */
  guint64                  acked;       /* last read of it, minus the base */
  guint                    mask;        /* subscribed topics */
  RateGroup               *group;
  gboolean                 subscribed;
  gboolean                 closed;
  gint64                   sent_seq;    /* the highest seq of a frame sent (this subscription) */
  /* a replay from the store in progress: live items wait here */
  GPtrArray               *held_live;
  gsize                    held_bytes;
  GPtrArray               *journal_part;
  gint64                   replay_upto;
  GCancellable            *cancellable;
  GPtrArray               *calls;       /* CommandCall* waiting for a result */
  guint                    grace;       /* after our close: until the connection is cut */
} Viewer;

struct _RateGroup
{
  ArbStream  *stream;
  guint       millihz;
  guint       timer;
  GHashTable *held;      /* gauge key -> ArbHubItem */
  GPtrArray  *members;   /* Viewer* */
};

struct _ArbStream
{
  GObject         parent_instance;

  ArbEngine      *engine;
  ArbHub         *hub;
  ArbConfig      *config;
  GPtrArray      *viewers;
  GHashTable     *groups;     /* millihz -> RateGroup* */
  ArbStreamStats  stats;
};

G_DEFINE_FINAL_TYPE (ArbStream, arb_stream, G_TYPE_OBJECT)

static guint
topic_bit (const char *topic)
{
  for (guint i = 0; i < G_N_ELEMENTS (topic_names); i++)
    if (strcmp (topic, topic_names[i]) == 0)
      return 1u << i;
  return 0;
}

/* ---------------------------------------------------------------- sending */

static guint64
peer_acked (Viewer *v)
{
  struct tcp_info info;
  socklen_t len = sizeof info;

  memset (&info, 0, sizeof info);
  if (v->sock == NULL ||
      getsockopt (g_socket_get_fd (v->sock), IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return v->acked;
  return info.tcpi_bytes_acked >= v->acked_base ? info.tcpi_bytes_acked - v->acked_base : 0;
}

/* The bytes handed to libsoup that the peer has not acknowledged yet. The
 * kernel is asked only when the cheap bound says it could matter. */
static guint64
backlog (Viewer *v, guint64 threshold)
{
  if (v->queued - v->acked < threshold)
    return v->queued - v->acked;
  v->acked = MAX (v->acked, peer_acked (v));
  return v->queued > v->acked ? v->queued - v->acked : 0;
}

static void viewer_close (Viewer *v, gushort code, const char *reason);

static void
send_bytes (Viewer *v, GBytes *frame)
{
  gsize len = g_bytes_get_size (frame);

  if (v->closed || soup_websocket_connection_get_state (v->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_message (v->ws, SOUP_WEBSOCKET_DATA_TEXT, frame);
  /* plus the frame header: 2, 4 or 10 bytes */
  v->queued += len + (len < 126 ? 2 : len < 65536 ? 4 : 10);
  v->stream->stats.frames++;
  v->stream->stats.bytes += len;
}

static void
send_text (Viewer *v, char *text)
{
  g_autoptr(GBytes) frame = g_bytes_new_take (text, strlen (text));

  send_bytes (v, frame);
}

static void
send_error (Viewer *v, ArbErrorCode code, const char *field, const char *message)
{
  send_text (v, arb_error_frame (code, field, message, 0));
}

/* A frame of discrete items must not be lost: a viewer too far behind is
 * closed instead, and comes back with `since`. */
static void
send_discrete (Viewer *v, GBytes *frame)
{
  /* closed already (in its grace): counted once */
  if (v->closed)
    return;
  if (backlog (v, ARB_STREAM_HARD_LIMIT) + g_bytes_get_size (frame) > ARB_STREAM_HARD_LIMIT)
    {
      v->stream->stats.closed_slow++;
      viewer_close (v, ARB_STREAM_CLOSE_SLOW, "too slow: reconnect with since");
      return;
    }
  send_bytes (v, frame);
}

static gboolean
wanted (ArbHubItem *item, guint mask, gboolean discrete_only)
{
  return (topic_bit (item->topic) & mask) != 0 &&
         (!discrete_only || arb_hub_item_is_discrete (item));
}

/* The highest seq of the items a mask wants, or -1 for none. */
static gint64
batch_last_seq (GPtrArray *items, guint mask, gboolean discrete_only)
{
  gint64 last = -1;

  for (guint i = 0; i < items->len; i++)
    if (wanted (g_ptr_array_index (items, i), mask, discrete_only))
      last = MAX (last, ((ArbHubItem *) g_ptr_array_index (items, i))->seq);
  return last;
}

/* {"type":"batch","seq":SEQ,"items":[...]} of the items a mask wants (some). */
static GBytes *
batch_frame (GPtrArray *items, guint mask, gboolean discrete_only, gint64 seq)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"type\":\"batch\",\"seq\":%" G_GINT64_FORMAT ",\"items\":[",
                          seq);
  for (guint i = 0, n = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);
      gsize len;
      const char *env;

      if (!wanted (item, mask, discrete_only))
        continue;
      if (n++ > 0)
        g_string_append_c (s, ',');
      env = arb_hub_item_get_envelope (item, &len);
      g_string_append_len (s, env, len);
    }
  g_string_append (s, "]}");
  return g_string_free_to_bytes (s);
}

/* The frames of one emission (or gauge tick), built once per topic mask and
 * shared by the viewers of that mask that have been sent the same seqs. */
typedef struct
{
  GBytes  *frame;
  gint64   seq;
  gint64   last;      /* of the items the mask wants; -1 for none */
  gboolean scanned;
} FrameSlot;

static void
frames_clear (FrameSlot *frames)
{
  for (guint m = 0; m <= ALL_TOPICS; m++)
    g_clear_pointer (&frames[m].frame, g_bytes_unref);
}

/* A frame's own seq is the highest seq the viewer has been sent so far
 * (PROTOCOL.md revision 1.1): a gauge held for the viewer's rate keeps the
 * seq it was published at, older than the discrete items sent meanwhile,
 * and must not take the frame's seq back. A viewer that resumes with this
 * seq as `since` misses nothing: every discrete item up to it was emitted,
 * and so sent to it, before. */
static void
send_batch (Viewer *v, FrameSlot *frames, GPtrArray *items, gboolean discrete_only)
{
  FrameSlot *f = &frames[v->mask];
  gint64 seq;

  if (!f->scanned)
    {
      f->last = batch_last_seq (items, v->mask, discrete_only);
      f->scanned = TRUE;
    }
  if (f->last < 0)
    return;
  seq = MAX (f->last, v->sent_seq);
  if (f->frame == NULL || f->seq != seq)
    {
      g_clear_pointer (&f->frame, g_bytes_unref);
      f->frame = batch_frame (items, v->mask, discrete_only, seq);
      f->seq = seq;
    }
  if (discrete_only)
    send_discrete (v, f->frame);
  else
    send_bytes (v, f->frame);
  v->sent_seq = seq;
}

/* ---------------------------------------------------------------- gauges */

static char *
gauge_key (ArbHubItem *item)
{
  return g_strconcat (item->topic, "\x1f", item->kind, "\x1f", item->key, NULL);
}

static guint
group_mask (RateGroup *g)
{
  guint mask = 0;

  for (guint i = 0; i < g->members->len; i++)
    mask |= ((Viewer *) g_ptr_array_index (g->members, i))->mask;
  return mask;
}

static gboolean
group_tick (gpointer data)
{
  RateGroup *g = data;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  FrameSlot frames[ALL_TOPICS + 1] = { { NULL } };
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (g->held) == 0)
    {
      /* nothing moved: sleep until a gauge comes */
      g->timer = 0;
      return G_SOURCE_REMOVE;
    }
  g_hash_table_iter_init (&iter, g->held);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (items, arb_hub_item_ref (value));
  g_hash_table_remove_all (g->held);
  for (guint i = 0; i < g->members->len; i++)
    {
      Viewer *v = g_ptr_array_index (g->members, i);

      if (!v->subscribed)
        continue;
      if (backlog (v, ARB_STREAM_SOFT_LIMIT) > ARB_STREAM_SOFT_LIMIT)
        {
          g->stream->stats.gauges_dropped++;
          continue;
        }
      send_batch (v, frames, items, FALSE);
    }
  frames_clear (frames);
  return G_SOURCE_CONTINUE;
}

static void
group_hold (RateGroup *g, ArbHubItem *item)
{
  if (!(topic_bit (item->topic) & group_mask (g)))
    return;
  g_hash_table_replace (g->held, gauge_key (item), arb_hub_item_ref (item));
  if (g->timer == 0)
    g->timer = g_timeout_add (MAX (1000000 / g->millihz, 1), group_tick, g);
}

static void
group_free (RateGroup *g)
{
  g_clear_handle_id (&g->timer, g_source_remove);
  g_hash_table_unref (g->held);
  g_ptr_array_unref (g->members);
  g_free (g);
}

static void
group_join (ArbStream *self, Viewer *v, double rate_hz)
{
  /* a rate below 0.5 mHz would round to 0, a division by zero in group_hold */
  guint millihz = MAX ((guint) (rate_hz * 1000 + 0.5), 1);
  RateGroup *g = g_hash_table_lookup (self->groups, GUINT_TO_POINTER (millihz));

  if (g == NULL)
    {
      g = g_new0 (RateGroup, 1);
      g->stream = self;
      g->millihz = millihz;
      g->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) arb_hub_item_unref);
      g->members = g_ptr_array_new ();
      g_hash_table_insert (self->groups, GUINT_TO_POINTER (millihz), g);
    }
  g_ptr_array_add (g->members, v);
  v->group = g;
}

static void
group_leave (ArbStream *self, Viewer *v)
{
  RateGroup *g = v->group;

  if (g == NULL)
    return;
  v->group = NULL;
  g_ptr_array_remove_fast (g->members, v);
  if (g->members->len == 0)
    g_hash_table_remove (self->groups, GUINT_TO_POINTER (g->millihz));
}

/* ---------------------------------------------------------------- live items */

static void
hold_live (Viewer *v, GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);

      if (!wanted (item, v->mask, TRUE))
        continue;
      g_ptr_array_add (v->held_live, arb_hub_item_ref (item));
      v->held_bytes += item->json_len + 96;
    }
  if (v->held_bytes > ARB_STREAM_HARD_LIMIT)
    {
      v->stream->stats.closed_slow++;
      viewer_close (v, ARB_STREAM_CLOSE_SLOW,
                    "too much arrived during the replay: reconnect with since");
    }
}

static void
on_published (ArbHub *hub, GPtrArray *items, ArbStream *self)
{
  FrameSlot frames[ALL_TOPICS + 1] = { { NULL } };
  gboolean any_discrete = FALSE;
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);

      if (arb_hub_item_is_discrete (item))
        {
          any_discrete = TRUE;
          continue;
        }
      g_hash_table_iter_init (&iter, self->groups);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        group_hold (value, item);
    }
  if (!any_discrete)
    return;
  /* a viewer may be closed (and removed) while we go: walk a copy */
  for (guint i = self->viewers->len; i > 0; i--)
    {
      Viewer *v = g_ptr_array_index (self->viewers, i - 1);

      if (v->held_live != NULL)
        hold_live (v, items);
      else if (v->subscribed)
        send_batch (v, frames, items, TRUE);
    }
  frames_clear (frames);
}

/* ---------------------------------------------------------------- snapshot */

static void
append_latest (GString *s, ArbHub *hub, const char *topic, const char *kind)
{
  g_autoptr(GPtrArray) latest = arb_hub_get_latest (hub, topic);

  arb_json_array_begin (s);
  for (guint i = 0; i < latest->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (latest, i);
      if (strcmp (item->kind, kind) == 0)
        {
          arb_json_raw_len (s, item->json, item->json_len);
        }
    }
  arb_json_array_end (s);
}

/* Alerts go through the hub as discrete items, which it keeps no latest
 * state of: the active ones are the alert engine's. One raised or cleared
 * but not yet emitted also comes in the next batch; the page keeps it once. */
static void
append_active_alerts (GString *s, ArbEngine *engine)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (arb_engine_get_alerts (engine));

  arb_alert_write_array (s, active);
}

static void
append_one (GString *s, ArbHub *hub, const char *topic, const char *kind, const char *key)
{
  ArbHubItem *item = arb_hub_lookup_latest (hub, topic, kind, key);

  if (item == NULL)
    arb_json_null (s);
  else
    {
      arb_json_raw_len (s, item->json, item->json_len);
    }
}

static void
append_recent_logs (GString *s, ArbHub *hub)
{
  g_autoptr(GPtrArray) journal = arb_hub_replay_since (hub, arb_hub_get_first_seq (hub) - 1);
  guint n = 0, first;

  arb_json_array_begin (s);
  for (guint i = 0; journal != NULL && i < journal->len; i++)
    n += strcmp (((ArbHubItem *) g_ptr_array_index (journal, i))->kind, "log") == 0;
  first = n > RECENT_LOGS ? n - RECENT_LOGS : 0;
  n = 0;
  for (guint i = 0; journal != NULL && i < journal->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (journal, i);
      if (strcmp (item->kind, "log") != 0 || n++ < first)
        continue;
      arb_json_raw_len (s, item->json, item->json_len);
    }
  arb_json_array_end (s);
}

static void
append_bots (GString *s, ArbEngine *engine)
{
  g_autoptr(GPtrArray) bots = arb_ingest_list_bots (arb_engine_get_ingest (engine));

  arb_json_array_begin (s);
  for (guint i = 0; i < bots->len; i++)
    {
      g_autoptr(JsonNode) node = arb_bot_link_to_json (g_ptr_array_index (bots, i));
      g_autofree char *json = arb_json_node_to_string (node);
      arb_json_raw (s, json);
    }
  arb_json_array_end (s);
}

/* The current state of each subscribed topic. Discrete history is not in
 * it (that is what `since` is for), but for the last logs, handy on a page. */
static void
send_snapshot (Viewer *v)
{
  ArbStream *self = v->stream;
  GString *s = g_string_sized_new (4096);

  /* everything emitted so far was sent to it or is in the snapshot */
  v->sent_seq = MAX (v->sent_seq, arb_hub_get_last_emitted_seq (self->hub));
  g_string_append_printf (s, "{\"type\":\"snapshot\",\"seq\":%" G_GINT64_FORMAT ",\"topics\":{",
                          v->sent_seq);
  if (v->mask & topic_bit ("system"))
    {
      arb_json_key (s, "system");
      arb_json_object_begin (s);
      arb_json_key (s, "system");
      append_one (s, self->hub, ARB_TOPIC_SYSTEM, "system", "host");
      arb_json_key (s, "metrics");
      append_latest (s, self->hub, ARB_TOPIC_SYSTEM, "metric");
      arb_json_object_end (s);
    }
  if (v->mask & topic_bit ("trading"))
    {
      arb_json_key (s, "trading");
      arb_json_object_begin (s);
      arb_json_key (s, "summary");
      append_one (s, self->hub, ARB_TOPIC_TRADING, "summary", "all");
      arb_json_object_end (s);
    }
  if (v->mask & topic_bit ("resources"))
    {
      arb_json_key (s, "resources");
      arb_json_object_begin (s);
      arb_json_key (s, "bots");
      append_latest (s, self->hub, ARB_TOPIC_RESOURCES, "resources");
      arb_json_object_end (s);
    }
  if (v->mask & topic_bit ("bots"))
    {
      arb_json_key (s, "bots");
      arb_json_object_begin (s);
      arb_json_key (s, "bots");
      append_bots (s, self->engine);
      arb_json_object_end (s);
    }
  if (v->mask & topic_bit ("alerts"))
    {
      arb_json_key (s, "alerts");
      arb_json_object_begin (s);
      arb_json_key (s, "active");
      append_active_alerts (s, self->engine);
      arb_json_object_end (s);
    }
  if (v->mask & topic_bit ("log"))
    {
      arb_json_key (s, "log");
      arb_json_object_begin (s);
      arb_json_key (s, "recent");
      append_recent_logs (s, self->hub);
      arb_json_object_end (s);
    }
  g_string_append (s, "}}");
  send_text (v, g_string_free (s, FALSE));
}

/* ---------------------------------------------------------------- replay */

static void
send_items (Viewer *v, GPtrArray *items)
{
  FrameSlot frames[ALL_TOPICS + 1] = { { NULL } };

  if (items == NULL || items->len == 0)
    return;
  send_batch (v, frames, items, TRUE);
  if (frames[v->mask].frame != NULL)
    v->stream->stats.replayed += items->len;
  frames_clear (frames);
}

/* The replay is done: the journal part, what came live meanwhile, then the
 * snapshot. The held live items were emitted before the snapshot is taken,
 * so they go before it: every item after a snapshot has a higher seq, and a
 * viewer that reconnects with the snapshot's seq as `since` misses none. */
static void
finish_replay (Viewer *v)
{
  g_autoptr(GPtrArray) live = g_steal_pointer (&v->held_live);
  g_autoptr(GPtrArray) journal = g_steal_pointer (&v->journal_part);

  v->held_bytes = 0;
  send_items (v, journal);
  send_items (v, live);
  send_snapshot (v);
  v->subscribed = TRUE;
}

static void replay_page (Viewer *v, gint64 since);

static void
replay_page_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Viewer *v = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = arb_store_query_items_finish (ARB_STORE (source), result, &error);

  if (items == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          send_error (v, ARB_ERROR_UNAVAILABLE, "since", error->message);
          viewer_close (v, 1011, "replay failed");
        }
      return;
    }
  if (v->closed)
    return;
  send_items (v, items);
  if (items->len == REPLAY_PAGE)
    replay_page (v, ((ArbHubItem *) g_ptr_array_index (items, items->len - 1))->seq);
  else
    finish_replay (v);
}

static void
replay_page (Viewer *v, gint64 since)
{
  arb_store_query_items_async (arb_engine_get_store (v->stream->engine), since, v->replay_upto,
                               REPLAY_PAGE, v->cancellable, replay_page_done, v);
}

/* Everything discrete after @since: from the journal where it reaches,
 * from the store before that (older than the journal, or before a restart). */
static void
start_replay (Viewer *v, gint64 asked)
{
  ArbHub *hub = v->stream->hub;
  gint64 upto = arb_hub_get_last_emitted_seq (hub);
  /* nothing was emitted after upto; and since + 1 must not overflow */
  gint64 since = MIN (asked, upto);
  gint64 covered = arb_hub_get_journal_covered_from (hub);
  g_autoptr(GPtrArray) journal = arb_hub_replay_since (hub, MAX (since, covered - 1));
  guint keep = 0;

  /* released but not yet emitted items come with the next live batch */
  for (guint i = 0; journal != NULL && i < journal->len; i++)
    if (((ArbHubItem *) g_ptr_array_index (journal, i))->seq <= upto)
      keep = i + 1;
  if (journal != NULL)
    g_ptr_array_set_size (journal, keep);
  v->journal_part = g_steal_pointer (&journal);
  v->held_live = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  if (since + 1 >= covered)
    {
      finish_replay (v);
      return;
    }
  v->replay_upto = MIN (upto, covered - 1);
  replay_page (v, since);
}

/* ---------------------------------------------------------------- subscribe */

static gboolean
parse_topics (Viewer *v, JsonObject *msg, guint *mask)
{
  JsonNode *node = json_object_get_member (msg, "topics");
  JsonArray *array;

  *mask = 0;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, "topics",
                  "field 'topics' must be an array of topic names");
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      guint bit = json_node_get_value_type (el) == G_TYPE_STRING
                  ? topic_bit (json_node_get_string (el)) : 0;

      if (bit == 0)
        {
          send_error (v, ARB_ERROR_BAD_REQUEST, "topics",
                      "field 'topics' may hold system, trading, resources, bots, alerts "
                      "and log");
          return FALSE;
        }
      *mask |= bit;
    }
  if (*mask == 0)
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, "topics",
                  "field 'topics' must name at least one topic");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_rate (Viewer *v, JsonObject *msg, double *rate)
{
  JsonNode *node = json_object_get_member (msg, "max_rate_hz");
  GType type;

  *rate = DEFAULT_RATE_HZ;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  type = json_node_get_value_type (node);
  if ((type == G_TYPE_INT64 || type == G_TYPE_DOUBLE) && json_node_get_double (node) > 0 &&
      json_node_get_double (node) <= MAX_RATE_HZ)
    {
      *rate = json_node_get_double (node);
      return TRUE;
    }
  send_error (v, ARB_ERROR_BAD_REQUEST, "max_rate_hz",
              "field 'max_rate_hz' must be a number above 0 and at most 100");
  return FALSE;
}

static gboolean
parse_since (Viewer *v, JsonObject *msg, gint64 *since)
{
  JsonNode *node = json_object_get_member (msg, "since");

  *since = -1;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    {
      *since = json_node_get_int (node);
      return TRUE;
    }
  send_error (v, ARB_ERROR_BAD_REQUEST, "since",
              "field 'since' must be a seq: an integer of at least 0");
  return FALSE;
}

static void
reset_subscription (Viewer *v)
{
  g_cancellable_cancel (v->cancellable);
  g_clear_object (&v->cancellable);
  v->cancellable = g_cancellable_new ();
  g_clear_pointer (&v->held_live, g_ptr_array_unref);
  g_clear_pointer (&v->journal_part, g_ptr_array_unref);
  v->held_bytes = 0;
  v->subscribed = FALSE;
  /* a new subscription (maybe with an older since) starts its own frame seqs */
  v->sent_seq = 0;
  group_leave (v->stream, v);
}

static void
subscribe (Viewer *v, JsonObject *msg)
{
  guint mask;
  double rate;
  gint64 since;

  if (!parse_topics (v, msg, &mask) || !parse_rate (v, msg, &rate) || !parse_since (v, msg, &since))
    return;
  reset_subscription (v);
  v->mask = mask;
  group_join (v->stream, v, rate);
  if (since >= 0)
    start_replay (v, since);
  else
    {
      send_snapshot (v);
      v->subscribed = TRUE;
    }
}

/* ---------------------------------------------------------------- commands */

typedef struct
{
  ArbStream *stream;
  Viewer    *viewer;   /* NULL once it is gone */
} CommandCall;

static void
command_done (const ArbCommand *command, gpointer data)
{
  CommandCall *call = data;
  g_autoptr(JsonNode) record = NULL;
  g_autofree char *json = NULL;
  GString *s;

  if (call->viewer != NULL && !call->viewer->closed)
    {
      record = arb_command_to_json (command);
      json = arb_json_node_to_string (record);
      s = g_string_new ("{\"type\":\"command_result\"");
      arb_json_member_string (s, "id", command->id);
      arb_json_member_string (s, "bot_id", command->bot_id);
      arb_json_member_string (s, "name", command->name);
      arb_json_member_bool (s, "ok", command->status == ARB_COMMAND_OK);
      arb_json_member_string (s, "status", arb_command_status_name (command->status));
      arb_json_member_string (s, "message", command->message);
      arb_json_key (s, "command");
      arb_json_raw (s, json);
      g_string_append_c (s, '}');
      send_text (call->viewer, g_string_free (s, FALSE));
    }
  if (call->viewer != NULL)
    g_ptr_array_remove_fast (call->viewer->calls, call);
  g_free (call);
}

static void
command (Viewer *v, JsonObject *msg)
{
  JsonNode *bot = json_object_get_member (msg, "bot_id");
  JsonNode *name = json_object_get_member (msg, "name");
  JsonNode *args = json_object_get_member (msg, "args");
  CommandCall *call;

  if (!arb_role_allows (v->role, ARB_ROLE_OPERATOR))
    {
      send_error (v, ARB_ERROR_FORBIDDEN, NULL, "only an operator token may send commands");
      return;
    }
  if (bot == NULL || json_node_get_value_type (bot) != G_TYPE_STRING ||
      !arb_is_identifier (json_node_get_string (bot)))
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, "bot_id", "field 'bot_id' must name a bot");
      return;
    }
  if (name == NULL || json_node_get_value_type (name) != G_TYPE_STRING ||
      !arb_is_identifier (json_node_get_string (name)))
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, "name",
                  "field 'name' must be a command name such as \"pause\"");
      return;
    }
  if (args != NULL && !JSON_NODE_HOLDS_OBJECT (args) && !JSON_NODE_HOLDS_NULL (args))
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, "args", "field 'args' must be an object");
      return;
    }
  call = g_new0 (CommandCall, 1);
  call->stream = v->stream;
  call->viewer = v;
  g_ptr_array_add (v->calls, call);
  arb_ingest_send_command (arb_engine_get_ingest (v->stream->engine),
                           json_node_get_string (bot), json_node_get_string (name),
                           args != NULL && JSON_NODE_HOLDS_OBJECT (args) ? args : NULL,
                           arb_role_name (v->role), v->token_name, command_done, call);
}

/* ---------------------------------------------------------------- connections */

static void
on_message (SoupWebsocketConnection *ws, SoupWebsocketDataType type, GBytes *message,
            Viewer *v)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbLimits limits;
  JsonNode *type_node;
  const char *kind;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      send_error (v, ARB_ERROR_BAD_REQUEST, NULL,
                  "binary frames are not part of the protocol: send JSON text");
      return;
    }
  arb_limits_init_default (&limits);
  root = arb_json_parse_text (parser, data, len, &limits, &field, &error);
  if (root == NULL)
    {
      send_error (v, error->code, field, error->message);
      return;
    }
  /* json-glib answers NULL (or a critical) for a type that is not a string */
  type_node = json_object_get_member (json_node_get_object (root), "type");
  kind = type_node != NULL && json_node_get_value_type (type_node) == G_TYPE_STRING
         ? json_node_get_string (type_node) : "";
  if (strcmp (kind, "subscribe") == 0)
    subscribe (v, json_node_get_object (root));
  else if (strcmp (kind, "command") == 0)
    command (v, json_node_get_object (root));
  else
    send_error (v, ARB_ERROR_BAD_REQUEST, "type",
                "field 'type' must be subscribe or command");
}

/* libsoup waits for the peer's answer to a close without a timeout,
 * holding every frame still queued: a viewer that never reads again would
 * keep them for good. So once the grace is over, the socket is shut down;
 * libsoup sees the end of the stream and reports the connection closed. */
static gboolean
grace_over (gpointer data)
{
  Viewer *v = data;

  v->grace = 0;
  if (v->sock != NULL)
    g_socket_shutdown (v->sock, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
viewer_close (Viewer *v, gushort code, const char *reason)
{
  if (v->closed)
    return;
  v->closed = TRUE;
  if (soup_websocket_connection_get_state (v->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (v->ws, code, reason);
  v->grace = g_timeout_add_seconds (CLOSE_GRACE_S, grace_over, v);
}

static void
viewer_free (Viewer *v)
{
  /* results that come later find no viewer */
  for (guint i = 0; i < v->calls->len; i++)
    ((CommandCall *) g_ptr_array_index (v->calls, i))->viewer = NULL;
  g_ptr_array_unref (v->calls);
  g_clear_handle_id (&v->grace, g_source_remove);
  g_cancellable_cancel (v->cancellable);
  g_clear_object (&v->cancellable);
  g_clear_pointer (&v->held_live, g_ptr_array_unref);
  g_clear_pointer (&v->journal_part, g_ptr_array_unref);
  g_clear_object (&v->sock);
  g_clear_object (&v->ws);
  g_free (v->token_name);
  g_free (v);
}

static void
on_closed (SoupWebsocketConnection *ws, Viewer *v)
{
  ArbStream *self = v->stream;

  v->closed = TRUE;
  group_leave (self, v);
  g_ptr_array_remove_fast (self->viewers, v);
  g_signal_handlers_disconnect_by_data (ws, v);
  viewer_free (v);
}

void
arb_stream_add_viewer (ArbStream               *self,
                       SoupWebsocketConnection *ws,
                       GSocket                 *sock,
                       ArbRole                  role,
                       const char              *token_name)
{
  Viewer *v = g_new0 (Viewer, 1);

  v->stream = self;
  v->ws = g_object_ref (ws);
  v->sock = sock != NULL ? g_object_ref (sock) : NULL;
  v->role = role;
  v->token_name = g_strdup (token_name);
  v->cancellable = g_cancellable_new ();
  v->calls = g_ptr_array_new ();
  v->acked_base = peer_acked (v);
  soup_websocket_connection_set_max_incoming_payload_size (ws, ARB_WS_MAX_MESSAGE_BYTES);
  soup_websocket_connection_set_keepalive_interval (ws, ARB_WS_KEEPALIVE_S);
  g_ptr_array_add (self->viewers, v);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), v);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), v);
}

void
arb_stream_get_stats (ArbStream      *self,
                      ArbStreamStats *stats)
{
  *stats = self->stats;
  stats->viewers = self->viewers->len;
}

static void
arb_stream_dispose (GObject *object)
{
  ArbStream *self = ARB_STREAM (object);

  if (self->hub != NULL)
    g_signal_handlers_disconnect_by_data (self->hub, self);
  if (self->viewers != NULL)
    while (self->viewers->len > 0)
      on_closed (((Viewer *) g_ptr_array_index (self->viewers, 0))->ws,
                 g_ptr_array_index (self->viewers, 0));
  g_clear_pointer (&self->viewers, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_object (&self->hub);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_stream_parent_class)->dispose (object);
}

static void
arb_stream_class_init (ArbStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_stream_dispose;
}

static void
arb_stream_init (ArbStream *self)
{
  self->viewers = g_ptr_array_new ();
  self->groups = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) group_free);
}

ArbStream *
arb_stream_new (ArbEngine *engine,
                ArbConfig *config)
{
  ArbStream *self = g_object_new (ARB_TYPE_STREAM, NULL);

  self->engine = g_object_ref (engine);
  self->hub = g_object_ref (arb_engine_get_hub (engine));
  self->config = config;
  g_signal_connect (self->hub, "published", G_CALLBACK (on_published), self);
  return self;
}
