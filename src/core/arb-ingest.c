/* arb-ingest.c: bot messages in, durable events and hub items out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each session (one bot connection) collects the events of a main-loop turn
 * into a pending store batch; when it goes to the store's writer thread its
 * hub items get their seqs, in a ticket. Once the batch is durable, the
 * ticket's items are released to the hub, the bot gets its cumulative ack,
 * and "event-committed" tells the ledger and the series. So nothing is acked
 * or shown before it is on disk, and a crash loses nothing that was acked.
 *
 * A message that fails validation but carries the next valid seq consumes
 * that seq (it is acked, nothing is stored): a bot is never stuck resending
 * an event the dashboard will always refuse. See docs/api.md.
 */
#define G_LOG_DOMAIN "arb-ingest"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arb-ingest-private.h"
#include "arb-json.h"
#include "arb-json-check.h"

#define DEFAULT_COMMAND_TIMEOUT_MS 10000
#define DEFAULT_MAX_IN_FLIGHT      50000
#define MAX_BATCH_EVENTS           2000
#define MAX_BOTS                   100000
/* Refused messages waiting for the disk: past either bound (a flood of bad
 * messages faster than the disk) they are counted and answered, not kept. */
#define MAX_REJECTED_QUEUED        1000
#define MAX_REJECTED_QUEUED_BYTES  (8 * 1024 * 1024)


G_DEFINE_FINAL_TYPE (ArbIngest, arb_ingest, G_TYPE_OBJECT)

enum { EVENT_COMMITTED, BOT_CHANGED, COMMAND_CHANGED, MESSAGE_REJECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

gint64
_arb_ingest_now_ms (void)
{
  return g_get_real_time () / 1000;
}


void
_arb_ingest_command_changed (ArbIngest *self, ArbCommand *command)
{
  g_signal_emit (self, signals[COMMAND_CHANGED], 0, command);
}

/* ---------------------------------------------------------------- refused messages */

static gboolean submit_cb (gpointer data);

static void
schedule_submit (ArbIngest *self)
{
  /* after everything the main loop has ready this turn */
  if (self->submit_id == 0)
    self->submit_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, submit_cb, self, NULL);
}

static void
count_rejection (ArbIngest *self, const char *bot_id, ArbErrorCode code)
{
  guint64 *counts = self->rejected_unknown;

  /* one label per known bot at most: a claimed bot_id is not a new series */
  if (bot_id != NULL && g_hash_table_contains (self->links, bot_id))
    {
      counts = g_hash_table_lookup (self->rejected_counts, bot_id);
      if (counts == NULL)
        {
          counts = g_new0 (guint64, N_ERROR_CODES);
          g_hash_table_insert (self->rejected_counts, g_strdup (bot_id), counts);
        }
    }
  counts[MIN ((guint) code, N_ERROR_CODES - 1)]++;
}

static void submit_rejected (ArbIngest *self);

/* Keeps a refused message with its error in the log (see arb-rejected.h),
 * in @batch when the message's seq moves in one (so both are durable
 * together), else in the batch of refusals of this turn. Either way it goes
 * to disk with the group commit of the events: never a write of its own. */
void
_arb_ingest_record_rejection (ArbIngest *self, ArbStoreBatch *batch, const char *bot_id, gint64 seq,
                              ArbErrorCode code, const char *field, const char *message,
                              const char *raw, gsize len, JsonNode *node)
{
  g_autofree char *text = NULL;
  ArbRejected *r;

  if (self->shut_down)
    return;
  count_rejection (self, bot_id, code);
  if (self->rejected_queued >= MAX_REJECTED_QUEUED ||
      self->rejected_queued_bytes >= MAX_REJECTED_QUEUED_BYTES)
    {
      self->stats.rejected_dropped++;
      return;
    }
  if (raw == NULL && node != NULL)
    {
      text = json_to_string (node, FALSE);
      raw = text;
      len = strlen (text);
    }
  r = arb_rejected_new (bot_id, seq, _arb_ingest_now_ms (), code, field, message, raw, len,
                        self->limits.max_message_bytes);
  self->rejected_queued++;
  self->rejected_queued_bytes += g_bytes_get_size (r->raw);
  if (batch == NULL)
    {
      if (self->rejected_batch == NULL)
        self->rejected_batch = arb_store_batch_new (NULL);
      batch = self->rejected_batch;
      schedule_submit (self);
    }
  else
    {
      /* the log keeps the order of arrival: the refusals before this one
       * go to the disk ahead of @batch */
      submit_rejected (self);
    }
  arb_store_batch_add_rejected (batch, r);
}

/* @batch is durable (or failed): its refusals leave the queue, and the
 * durable ones are announced, with their row. */
static void
rejections_committed (ArbIngest *self, ArbStoreBatch *batch, const GError *error)
{
  for (guint i = 0; i < arb_store_batch_get_n_rejected (batch); i++)
    {
      const ArbRejected *r = arb_store_batch_get_rejected (batch, i);

      self->rejected_queued--;
      self->rejected_queued_bytes -= g_bytes_get_size (r->raw);
      if (error == NULL)
        g_signal_emit (self, signals[MESSAGE_REJECTED], 0, r);
    }
}

static void
rejected_batch_done (ArbStoreBatch *batch, const GError *error, gpointer user_data)
{
  g_autoptr(ArbIngest) self = user_data;

  if (error != NULL)
    g_warning ("Refused messages were not kept: %s", error->message);
  rejections_committed (self, batch, error);
}

static void
submit_rejected (ArbIngest *self)
{
  if (self->rejected_batch != NULL)
    arb_store_submit (self->store, g_steal_pointer (&self->rejected_batch), rejected_batch_done,
                      g_object_ref (self));
}

static int
compare_ids (const void *a, const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * arb_ingest_foreach_rejected:
 * @func: called for each bot (by id; "" for messages of no known bot) and
 *   error code that refused messages
 *
 * The count of refused messages since the start, for /metrics.
 */
void
arb_ingest_foreach_rejected (ArbIngest            *self,
                             ArbRejectedCountFunc  func,
                             gpointer              user_data)
{
  g_autofree gpointer *ids = NULL;
  guint n = 0;

  g_return_if_fail (ARB_IS_INGEST (self));

  for (guint c = 0; c < N_ERROR_CODES; c++)
    if (self->rejected_unknown[c] > 0)
      func ("", c, self->rejected_unknown[c], user_data);
  ids = g_hash_table_get_keys_as_array (self->rejected_counts, &n);
  qsort (ids, n, sizeof (gpointer), compare_ids);
  for (guint i = 0; i < n; i++)
    {
      const guint64 *counts = g_hash_table_lookup (self->rejected_counts, ids[i]);

      for (guint c = 0; c < N_ERROR_CODES; c++)
        if (counts[c] > 0)
          func (ids[i], c, counts[c], user_data);
    }
}

/* ---------------------------------------------------------------- bots */

void
_arb_ingest_emit_bot_changed (ArbIngest *self, ArbBotLink *link)
{
  arb_hub_publish_node (self->hub, ARB_TOPIC_BOTS, "bot", _arb_ingest_now_ms (), NULL,
                   arb_bot_link_to_json (link));
  g_signal_emit (self, signals[BOT_CHANGED], 0, link);
}

ArbBotLink *
_arb_ingest_ensure_link (ArbIngest *self, const char *bot_id)
{
  ArbBotLink *link = g_hash_table_lookup (self->links, bot_id);

  if (link == NULL && g_hash_table_size (self->links) < MAX_BOTS)
    {
      link = arb_bot_link_new (bot_id);
      g_hash_table_insert (self->links, g_strdup (bot_id), link);
    }
  return link;
}

void
arb_ingest_load_bots (ArbIngest *self,
                      GPtrArray *stored_bots)
{
  for (guint i = 0; i < stored_bots->len; i++)
    {
      ArbStoredBot *b = g_ptr_array_index (stored_bots, i);
      ArbBotLink *link = _arb_ingest_ensure_link (self, b->identity.bot_id);
      ArbHello hello = { b->identity, -1, 0 };

      if (hello.identity.name == NULL)
        hello.identity.name = b->identity.bot_id;

      if (link == NULL)
        break;
      arb_bot_link_apply_hello (link, &hello);
      arb_bot_link_set_stored_seq (link, b->last_seq);
    }
}

ArbBotLink *
arb_ingest_lookup_bot (ArbIngest  *self,
                       const char *bot_id)
{
  return g_hash_table_lookup (self->links, bot_id);
}

static gint
compare_links (gconstpointer a, gconstpointer b)
{
  return strcmp (arb_bot_link_get_bot_id (*(ArbBotLink **) a),
                 arb_bot_link_get_bot_id (*(ArbBotLink **) b));
}

/**
 * arb_ingest_list_bots:
 *
 * Returns: (transfer container) (element-type ArbBotLink): every bot, by id
 */
GPtrArray *
arb_ingest_list_bots (ArbIngest *self)
{
  GPtrArray *bots = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (bots, g_object_ref (value));
  g_ptr_array_sort (bots, compare_links);
  return bots;
}

/**
 * arb_ingest_get_common_quote:
 *
 * Sums over several bots are in one currency only when the bots share it.
 *
 * Returns: (nullable): the quote currency every known bot reports in, the
 *   protocol's default "USD" while no bot is known, or %NULL when they differ
 */
const char *
arb_ingest_get_common_quote (ArbIngest *self)
{
  const char *quote = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (ARB_IS_INGEST (self), NULL);

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *q = arb_bot_link_get_quote (value);

      if (quote == NULL)
        quote = q;
      else if (g_strcmp0 (quote, q) != 0)
        return NULL;
    }
  return quote != NULL ? quote : "USD";
}

void
arb_ingest_check_bots (ArbIngest *self,
                       gint64     now)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (arb_bot_link_check (value, now))
      _arb_ingest_emit_bot_changed (self, value);
}

static guint
in_flight (ArbIngest *self, ArbBotLink *link)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->in_flight, link));
}

static void
add_in_flight (ArbIngest *self, ArbBotLink *link, int delta)
{
  guint n = in_flight (self, link) + delta;

  if (n == 0)
    g_hash_table_remove (self->in_flight, link);
  else
    g_hash_table_insert (self->in_flight, link, GUINT_TO_POINTER (n));
}

/* ---------------------------------------------------------------- pending batches */

Pending *
_arb_pending_new (ArbIngest *self, ArbSession *session, ArbBotLink *link)
{
  Pending *p = g_new0 (Pending, 1);

  p->ingest = g_object_ref (self);
  p->session = session != NULL ? _arb_session_ref (session) : NULL;
  p->link = g_object_ref (link);
  p->batch = arb_store_batch_new (arb_bot_link_get_bot_id (link));
  return p;
}

static void
pending_free (Pending *p)
{
  g_clear_pointer (&p->session, _arb_session_unref);
  g_clear_object (&p->link);
  g_clear_object (&p->errors);
  g_clear_object (&p->ingest);
  g_free (p);
}

Pending *
_arb_session_pending (ArbSession *s)
{
  ArbIngest *self = s->ingest;

  if (s->pending == NULL)
    {
      s->pending = _arb_pending_new (self, s, s->link);
      g_ptr_array_add (self->open, s->pending);
      schedule_submit (self);
    }
  return s->pending;
}

static const char *
event_kind (const ArbEvent *e, const char **topic)
{
  switch (e->type)
    {
    case ARB_MSG_TRADE: *topic = ARB_TOPIC_TRADING; return "trade";
    case ARB_MSG_OPPORTUNITY: *topic = ARB_TOPIC_TRADING; return "opportunity";
    case ARB_MSG_LOG: *topic = ARB_TOPIC_LOG; return "log";
    case ARB_MSG_RESOURCES: *topic = ARB_TOPIC_RESOURCES; return "resources";
    case ARB_MSG_METRIC: *topic = ARB_TOPIC_SYSTEM; return "metric";
    case ARB_MSG_HEARTBEAT:
    case ARB_MSG_HELLO:
    case ARB_MSG_COMMAND_RESULT:
    default:
      *topic = NULL;
      return NULL;
    }
}

static void
pending_add_event (Pending *p, ArbEvent *event)
{
  arb_store_batch_add_event (p->batch, event, 0);
  p->n_accepted++;
  add_in_flight (p->ingest, p->link, 1);
}

/* The batch's hub items get their seqs now, all at once: each ticket holds
 * one unbroken run of seqs, so releasing tickets in order keeps every
 * subscriber's seqs rising (batches of several sessions fill at once). */
static void
pending_stage (Pending *p)
{
  const char *bot_id = arb_bot_link_get_bot_id (p->link);

  p->ticket = arb_hub_stage (p->ingest->hub);
  for (guint i = 0; i < arb_store_batch_get_n_events (p->batch); i++)
    {
      ArbEvent *event = arb_store_batch_get_event (p->batch, i, NULL);
      const char *topic = NULL;
      const char *kind = event_kind (event, &topic);
      g_autofree char *key = NULL;

      if (kind == NULL)
        continue;
      /* gauges: one latest value per bot (and metric name) */
      if (event->type == ARB_MSG_RESOURCES)
        key = g_strdup (bot_id);
      else if (event->type == ARB_MSG_METRIC)
        key = g_strconcat (bot_id, "/", event->metric.name, NULL);
      arb_store_batch_set_hub_seq (p->batch, i,
                                   arb_hub_ticket_add (p->ticket, topic, kind, event->ts, key,
                                                       arb_event_to_json (event, bot_id)));
    }
}

static void commit_done (ArbStoreBatch *batch, const GError *error, gpointer user_data);

static void
pending_submit (Pending *p)
{
  if (p->session != NULL && p->session->pending == p)
    p->session->pending = NULL;
  pending_stage (p);
  arb_store_submit (p->ingest->store, p->batch, commit_done, p);
  p->batch = NULL;
}

/* A bot's seqs may sit in the open batches of two connections (it
 * reconnected before its old connection was seen closed), and the store
 * takes a batch only on top of the seq it continues: so the open batches
 * of @p's bot that hold lower seqs go first, lowest first, then @p. */
void
_arb_ingest_submit_in_order (GPtrArray *open, Pending *p)
{
  gint64 last = arb_store_batch_get_last_seq (p->batch);

  while (last > 0)
    {
      Pending *first = NULL;
      gint64 first_last = G_MAXINT64;

      for (guint i = 0; i < open->len; i++)
        {
          Pending *q = g_ptr_array_index (open, i);
          gint64 q_last;

          if (q == p || q->batch == NULL || q->link != p->link)
            continue;
          q_last = arb_store_batch_get_last_seq (q->batch);
          if (q_last > 0 && q_last < last && q_last < first_last)
            {
              first = q;
              first_last = q_last;
            }
        }
      if (first == NULL)
        break;
      pending_submit (first);
    }
  pending_submit (p);
}

/* Drops the batches of @open that went to the store (their batch is gone). */
void
_arb_ingest_drop_submitted (GPtrArray *open)
{
  for (guint i = open->len; i > 0; i--)
    if (((Pending *) g_ptr_array_index (open, i - 1))->batch == NULL)
      g_ptr_array_remove_index (open, i - 1);
}

void
arb_ingest_submit_pending (ArbIngest *self)
{
  g_autoptr(GPtrArray) open = g_steal_pointer (&self->open);

  self->open = g_ptr_array_new ();
  g_clear_handle_id (&self->submit_id, g_source_remove);
  for (guint i = 0; i < open->len; i++)
    {
      Pending *p = g_ptr_array_index (open, i);

      if (p->batch != NULL)
        _arb_ingest_submit_in_order (open, p);
    }
  submit_rejected (self);
}

static gboolean
submit_cb (gpointer data)
{
  ArbIngest *self = data;

  self->submit_id = 0;
  arb_ingest_submit_pending (self);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------- commit */

static void
send_ack (ArbSession *s, gint64 seq)
{
  char frame[64];

  g_snprintf (frame, sizeof frame, "{\"type\":\"ack\",\"seq\":%" G_GINT64_FORMAT "}", seq);
  _arb_session_send (s, frame);
  s->ingest->stats.acks++;
}

static void
answer_post (Pending *p, guint status, JsonNode *answer)
{
  if (p->post_done != NULL)
    p->post_done (status, answer, p->post_data);
  p->post_done = NULL;
}

static void
commit_failed (Pending *p, const GError *error)
{
  ArbIngest *self = p->ingest;
  g_autofree char *message = g_strdup_printf ("the dashboard could not store these events (%s); "
                                              "resend them", error->message);

  self->stats.commits_failed++;
  arb_hub_drop (self->hub, p->ticket);
  arb_bot_link_set_accepted_seq (p->link, arb_bot_link_get_stored_seq (p->link));
  if (p->session != NULL && !p->session->closed)
    {
      /* the bot must resend from welcome.last_seq: make it reconnect */
      arb_session_send_error (p->session, ARB_ERROR_UNAVAILABLE, NULL, message);
      p->session->vtable->close (p->session->transport, 1011, "storage failed");
    }
  if (p->post_done != NULL)
    {
      g_autoptr(JsonNode) body = arb_error_body (ARB_ERROR_UNAVAILABLE, NULL, message);
      answer_post (p, 503, body);
    }
}

static void
answer_post_ok (Pending *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) answer = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ack");
  json_builder_add_int_value (b, arb_bot_link_get_stored_seq (p->link));
  json_builder_set_member_name (b, "errors");
  json_builder_end_array (p->errors);
  json_builder_add_value (b, json_builder_get_root (p->errors));
  json_builder_end_object (b);
  answer = json_builder_get_root (b);
  answer_post (p, 200, answer);
}

static void
commit_done (ArbStoreBatch *batch,
             const GError  *error,
             gpointer       user_data)
{
  Pending *p = user_data;
  ArbIngest *self = p->ingest;
  const char *bot_id = arb_bot_link_get_bot_id (p->link);
  gint64 now = _arb_ingest_now_ms ();
  gboolean changed = FALSE;

  rejections_committed (self, batch, error);
  add_in_flight (self, p->link, -(int) p->n_accepted);
  if (error != NULL)
    {
      commit_failed (p, error);
      pending_free (p);
      return;
    }
  if (arb_store_batch_get_last_seq (batch) > 0)
    arb_bot_link_set_stored_seq (p->link, arb_store_batch_get_last_seq (batch));
  arb_hub_release (self->hub, p->ticket);
  for (guint i = 0; i < arb_store_batch_get_n_events (batch); i++)
    {
      ArbEvent *event = arb_store_batch_get_event (batch, i, NULL);

      if (event->type == ARB_MSG_HEARTBEAT)
        changed |= arb_bot_link_heartbeat (p->link, &event->heartbeat, event->ts, now);
      g_signal_emit (self, signals[EVENT_COMMITTED], 0, bot_id, event);
    }
  arb_bot_link_seen (p->link, now);
  changed |= arb_bot_link_check (p->link, now);
  if (changed)
    _arb_ingest_emit_bot_changed (self, p->link);
  /* a batch of a new bot's hello alone stores no event: an ack 0 would say nothing */
  if (p->session != NULL && !p->session->closed && arb_bot_link_get_stored_seq (p->link) > 0)
    send_ack (p->session, arb_bot_link_get_stored_seq (p->link));
  if (p->post_done != NULL)
    answer_post_ok (p);
  pending_free (p);
}

/* ---------------------------------------------------------------- one event */

static Pending *
origin_pending (Origin *o)
{
  return o->session != NULL ? _arb_session_pending (o->session) : o->post;
}

void
_arb_origin_error (Origin *o, ArbErrorCode code, const char *field, const char *message, gint64 seq)
{
  JsonBuilder *b;

  if (o->session != NULL)
    {
      _arb_session_send_error_seq (o->session, code, field, message, seq);
      /* backpressure: the bot sends the same event again, nothing was lost */
      if (code != ARB_ERROR_RATE_LIMITED)
        _arb_session_record (o->session, code, field, message, seq);
      return;
    }
  o->ingest->stats.rejected++;
  b = o->post->errors;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, o->index);
  arb_error_add_members (b, code, field, message, seq);
  json_builder_end_object (b);
  if (code != ARB_ERROR_RATE_LIMITED)
    _arb_ingest_record_rejection (o->ingest, o->post->batch,
                                  arb_bot_link_get_bot_id (o->post->link), seq, code, field,
                                  message, NULL, 0, o->raw_node);
}

/* Moves the bot's accepted seq by one, into the batch of this turn. */
static Pending *
advance (Origin *o, ArbBotLink *link, gint64 seq)
{
  Pending *p = origin_pending (o);

  arb_store_batch_set_last_seq (p->batch, seq - 1, seq);
  arb_bot_link_set_accepted_seq (link, seq);
  return p;
}

/* Group commit: while the writer is busy, events gather into the next
 * batch; when it is idle, the batch goes at once, so the disk never waits
 * for the end of a main-loop turn and acks keep flowing. A huge turn is
 * committed in slices too. */
static void
maybe_submit_early (Origin *o, Pending *p)
{
  if (o->session == NULL)
    return;
  if (p->n_accepted >= MAX_BATCH_EVENTS || arb_store_get_queue_length (o->ingest->store) == 0)
    {
      _arb_ingest_submit_in_order (o->ingest->open, p);
      _arb_ingest_drop_submitted (o->ingest->open);
    }
}

/* Classifies a seq against the bot's accepted seq; FALSE if it was answered. */
static gboolean
seq_is_next (Origin *o, ArbBotLink *link, gint64 seq)
{
  gint64 accepted = arb_bot_link_get_accepted_seq (link);

  if (seq <= accepted)
    {
      /* already handled: acked (once durable), not stored again */
      o->ingest->stats.duplicates++;
      origin_pending (o);
      return FALSE;
    }
  if (seq > accepted + 1)
    {
      g_autofree char *message = g_strdup_printf ("seq %" G_GINT64_FORMAT " skips ahead: the next "
                                                  "seq of this bot is %" G_GINT64_FORMAT,
                                                  seq, accepted + 1);
      _arb_origin_error (o, ARB_ERROR_BAD_REQUEST, "seq", message, seq);
      return FALSE;
    }
  if (in_flight (o->ingest, link) >= o->ingest->max_in_flight)
    {
      _arb_origin_error (o, ARB_ERROR_RATE_LIMITED, "seq",
                         "too many events are waiting for the disk: wait for acks, then resend",
                         seq);
      return FALSE;
    }
  return TRUE;
}

void
_arb_origin_ingest_event (Origin *o, ArbBotLink *link, ArbEvent *event)
{
  Pending *p;

  if (!seq_is_next (o, link, event->seq))
    {
      arb_event_free (event);
      return;
    }
  p = advance (o, link, event->seq);
  pending_add_event (p, event);
  o->ingest->stats.events++;
  maybe_submit_early (o, p);
}

void
_arb_origin_ingest_invalid (Origin       *o,
                            ArbBotLink   *link,
                            const GError *error,
                            const char   *field,
                            gint64        seq)
{
  /* the next seq is consumed so the bot can go on; others only get the error */
  if (seq > 0 && seq == arb_bot_link_get_accepted_seq (link) + 1 &&
      in_flight (o->ingest, link) < o->ingest->max_in_flight)
    advance (o, link, seq);
  _arb_origin_error (o, error->code, field, error->message, seq);
}

/* ---------------------------------------------------------------- life cycle */

void
arb_ingest_shutdown (ArbIngest *self)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  GList *commands;

  /* what still arrives on the closing sockets would be committed after the
   * owners of "event-committed" are gone, and could not be acked anyway: the
   * bots resend it from welcome.last_seq */
  self->shut_down = TRUE;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sessions, key);
  /* no result can come any more: the waiters hear so, and the audit too */
  commands = g_hash_table_get_values (self->commands);
  for (GList *l = commands; l != NULL; l = l->next)
    _arb_ingest_finish_command (self, l->data, ARB_COMMAND_TIMEOUT,
                                "the dashboard shut down before the bot answered");
  g_list_free (commands);
  arb_ingest_submit_pending (self);
  arb_store_flush (self->store);
  for (guint i = 0; i < sessions->len; i++)
    {
      ArbSession *s = g_ptr_array_index (sessions, i);

      if (!s->closed)
        s->vtable->close (s->transport, 1001, "the dashboard is shutting down");
    }
}

void
arb_ingest_set_command_timeout (ArbIngest *self,
                                guint      timeout_ms)
{
  self->command_timeout_ms = MAX (timeout_ms, 1);
}

void
arb_ingest_set_max_in_flight (ArbIngest *self,
                              guint      max_events)
{
  self->max_in_flight = MAX (max_events, 1);
}

void
arb_ingest_get_stats (ArbIngest      *self,
                      ArbIngestStats *stats)
{
  *stats = self->stats;
  stats->sessions = g_hash_table_size (self->sessions);
}

const ArbLimits *
arb_ingest_get_limits (ArbIngest *self)
{
  return &self->limits;
}

static void
arb_ingest_dispose (GObject *object)
{
  ArbIngest *self = ARB_INGEST (object);
  GHashTableIter iter;
  gpointer key;

  if (self->open != NULL)
    arb_ingest_submit_pending (self);
  if (self->store != NULL)
    arb_store_flush (self->store);
  g_clear_handle_id (&self->submit_id, g_source_remove);
  if (self->sessions != NULL)
    {
      /* the transports may outlive us: cut them loose */
      g_hash_table_iter_init (&iter, self->sessions);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        ((ArbSession *) key)->ingest = NULL;
      g_hash_table_remove_all (self->sessions);
    }
  g_clear_pointer (&self->commands, g_hash_table_unref);
  g_clear_pointer (&self->rejected_counts, g_hash_table_unref);
  /* none when the store took it above; without a store it has nowhere to go */
  g_clear_pointer (&self->rejected_batch, arb_store_batch_free);
  g_clear_pointer (&self->live, g_hash_table_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->links, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->open, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->hub);

  G_OBJECT_CLASS (arb_ingest_parent_class)->dispose (object);
}

static void
arb_ingest_class_init (ArbIngestClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_ingest_dispose;

  /**
   * ArbIngest::event-committed:
   * @bot_id: the bot
   * @event: (type gpointer): the ArbEvent, durable now; borrowed
   */
  signals[EVENT_COMMITTED] =
    g_signal_new ("event-committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
  signals[BOT_CHANGED] =
    g_signal_new ("bot-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, ARB_TYPE_BOT_LINK);
  /**
   * ArbIngest::command-changed:
   * @command: (type gpointer): the ArbCommand, borrowed
   */
  signals[COMMAND_CHANGED] =
    g_signal_new ("command-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * ArbIngest::message-rejected:
   * @rejected: (type gpointer): the ArbRejected, durable now (its row set); borrowed
   *
   * A refused message is in the log of refused messages.
   */
  signals[MESSAGE_REJECTED] =
    g_signal_new ("message-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
arb_ingest_init (ArbIngest *self)
{
  self->command_timeout_ms = DEFAULT_COMMAND_TIMEOUT_MS;
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->in_flight = g_hash_table_new (NULL, NULL);
  self->live = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->open = g_ptr_array_new ();
  self->sessions = g_hash_table_new (NULL, NULL);
  self->commands = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) _arb_pending_command_free);
  self->rejected_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

ArbIngest *
arb_ingest_new (ArbStore        *store,
                ArbHub          *hub,
                const ArbLimits *limits)
{
  ArbIngest *self = g_object_new (ARB_TYPE_INGEST, NULL);

  self->store = g_object_ref (store);
  self->hub = g_object_ref (hub);
  if (limits != NULL)
    self->limits = *limits;
  else
    arb_limits_init_default (&self->limits);
  return self;
}
