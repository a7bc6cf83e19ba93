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

#include "arb-ingest.h"
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
#define N_ERROR_CODES              (ARB_ERROR_INTERNAL + 1)

typedef struct _Pending Pending;

struct _ArbSession
{
  gint                    ref_count;
  ArbIngest              *ingest;    /* NULL once the ingest is gone */
  const ArbSessionVTable *vtable;
  gpointer                transport;
  gboolean                closed;
  gboolean                replaced;  /* a newer connection speaks for its bot */
  JsonParser             *parser;
  ArbBotLink             *link;      /* after hello */
  Pending                *pending;   /* open batch of this turn */
  /* the message being handled, for the log of refused messages */
  const char             *raw;
  gsize                   raw_len;
  JsonNode               *raw_node;
  char                  **bot_ids;   /* its token's bot_ids; NULL: any */
};

/* One store batch on its way: who to ack, and what to publish. */
struct _Pending
{
  ArbIngest         *ingest;
  ArbSession        *session;   /* NULL for HTTP */
  ArbBotLink        *link;
  ArbStoreBatch     *batch;
  ArbHubTicket      *ticket;
  guint              n_accepted;
  /* HTTP only */
  JsonBuilder       *errors;
  ArbIngestPostDone  post_done;
  gpointer           post_data;
};

typedef struct
{
  ArbIngest      *ingest;
  ArbCommand     *command;
  ArbSession     *session;
  guint           timeout_id;
  ArbCommandDone  done;
  gpointer        done_data;
} PendingCommand;

struct _ArbIngest
{
  GObject         parent_instance;

  ArbStore       *store;
  ArbHub         *hub;
  ArbLimits       limits;
  guint           command_timeout_ms;
  guint           max_in_flight;

  GHashTable     *links;        /* bot_id -> ArbBotLink */
  GHashTable     *in_flight;    /* ArbBotLink -> events queued, not committed (GUINT) */
  GHashTable     *live;         /* bot_id -> ArbSession* most recent connection */
  GPtrArray      *open;         /* Pending* waiting for the end of the turn */
  guint           submit_id;
  GHashTable     *sessions;     /* ArbSession* set, for shutdown */
  GHashTable     *commands;     /* id -> PendingCommand* */
  guint           command_counter;
  gboolean        shut_down;     /* takes nothing more: it said goodbye */
  ArbIngestStats  stats;

  /* refused messages: those of no session batch, and those not yet durable */
  ArbStoreBatch  *rejected_batch;
  guint           rejected_queued;
  gsize           rejected_queued_bytes;
  GHashTable     *rejected_counts;  /* bot_id (a known bot) -> guint64[N_ERROR_CODES] */
  guint64         rejected_unknown[N_ERROR_CODES];
};

G_DEFINE_FINAL_TYPE (ArbIngest, arb_ingest, G_TYPE_OBJECT)

enum { EVENT_COMMITTED, BOT_CHANGED, COMMAND_CHANGED, MESSAGE_REJECTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* ---------------------------------------------------------------- errors */

/* code, message, field and seq: the members every error shape shares */
static void
add_error_members (JsonBuilder *b, ArbErrorCode code, const char *field, const char *message,
                   gint64 seq)
{
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, arb_error_code_name (code));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
    }
  if (seq > 0)
    {
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, seq);
    }
}

char *
arb_error_frame (ArbErrorCode  code,
                 const char   *field,
                 const char   *message,
                 gint64        seq)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "error");
  add_error_members (b, code, field, message, seq);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  /* the message may quote what the bot sent, cut at a byte count */
  return arb_json_node_to_string (root);
}

JsonNode *
arb_error_body (ArbErrorCode  code,
                const char   *field,
                const char   *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  add_error_members (b, code, field, message, 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
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
static void
record_rejection (ArbIngest *self, ArbStoreBatch *batch, const char *bot_id, gint64 seq,
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
  r = arb_rejected_new (bot_id, seq, now_ms (), code, field, message, raw, len,
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

/* ---------------------------------------------------------------- sessions */

static ArbSession *
session_ref (ArbSession *s)
{
  s->ref_count++;
  return s;
}

static void
session_unref (ArbSession *s)
{
  if (--s->ref_count > 0)
    return;
  g_clear_object (&s->parser);
  g_clear_object (&s->link);
  g_strfreev (s->bot_ids);
  g_free (s);
}

static void
session_send (ArbSession *s, const char *text)
{
  if (!s->closed && !s->replaced)
    s->vtable->send (s->transport, text, strlen (text));
}

void
arb_session_send_error (ArbSession   *session,
                        ArbErrorCode  code,
                        const char   *field,
                        const char   *message)
{
  g_autofree char *frame = arb_error_frame (code, field, message, 0);

  if (session->ingest != NULL)
    session->ingest->stats.rejected++;
  session_send (session, frame);
}

static void
session_send_error_seq (ArbSession *s, ArbErrorCode code, const char *field,
                        const char *message, gint64 seq)
{
  g_autofree char *frame = arb_error_frame (code, field, message, seq);

  s->ingest->stats.rejected++;
  session_send (s, frame);
}

const char *
arb_session_get_bot_id (ArbSession *session)
{
  return session->link != NULL ? arb_bot_link_get_bot_id (session->link) : NULL;
}

/* Keeps the message being handled in the log of refused messages. */
static void
session_record (ArbSession *s, ArbErrorCode code, const char *field, const char *message,
                gint64 seq)
{
  record_rejection (s->ingest, s->pending != NULL ? s->pending->batch : NULL,
                    arb_session_get_bot_id (s), seq, code, field, message, s->raw, s->raw_len,
                    s->raw_node);
}

/* Refuses the message being handled: the error to the bot (with the
 * message's seq when it had one: an error about an event names it), the
 * message to the log. */
static void
session_reject (ArbSession *s, ArbErrorCode code, const char *field, const char *message,
                gint64 seq)
{
  session_send_error_seq (s, code, field, message, seq);
  session_record (s, code, field, message, seq);
}

/**
 * arb_session_reject:
 * @raw: (array length=len): the refused message as received
 *
 * Refuses a message that the transport took but the ingest never sees (a
 * binary frame): the bot gets the error, the message goes to the log of
 * refused messages.
 */
void
arb_session_reject (ArbSession   *session,
                    ArbErrorCode  code,
                    const char   *field,
                    const char   *message,
                    const char   *raw,
                    gsize         len)
{
  g_return_if_fail (session != NULL);

  arb_session_send_error (session, code, field, message);
  if (session->ingest != NULL && !session->closed && !session->replaced)
    record_rejection (session->ingest, NULL, arb_session_get_bot_id (session), 0, code, field,
                      message, raw, len, NULL);
}

void
arb_session_set_bot_ids (ArbSession        *session,
                         const char *const *bot_ids)
{
  g_strfreev (session->bot_ids);
  session->bot_ids = g_strdupv ((char **) bot_ids);
}

/* A bot token bound to bot_ids (revision 1.1) speaks for those only. */
static gboolean
may_speak_for (char **bot_ids, const char *bot_id)
{
  return bot_ids == NULL || g_strv_contains ((const char *const *) bot_ids, bot_id);
}

static char *
forbidden_bot_id (const char *bot_id)
{
  return g_strdup_printf ("this bot token may not speak for bot_id %s: the configuration binds "
                          "it to other bot_ids", bot_id);
}

ArbSession *
arb_ingest_open_session (ArbIngest              *self,
                         const ArbSessionVTable *vtable,
                         gpointer                transport)
{
  ArbSession *s = g_new0 (ArbSession, 1);

  g_return_val_if_fail (ARB_IS_INGEST (self), NULL);

  s->ref_count = 1;
  s->ingest = self;
  s->vtable = vtable;
  s->transport = transport;
  s->parser = json_parser_new_immutable ();
  g_hash_table_add (self->sessions, s);
  self->stats.sessions++;
  return s;
}

/* ---------------------------------------------------------------- bots */

static void
emit_bot_changed (ArbIngest *self, ArbBotLink *link)
{
  arb_hub_publish_node (self->hub, ARB_TOPIC_BOTS, "bot", now_ms (), NULL,
                   arb_bot_link_to_json (link));
  g_signal_emit (self, signals[BOT_CHANGED], 0, link);
}

static ArbBotLink *
ensure_link (ArbIngest *self, const char *bot_id)
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
      ArbBotLink *link = ensure_link (self, b->bot_id);
      ArbHello hello = { b->bot_id, b->name ? b->name : b->bot_id, b->version, b->strategy,
                         b->quote, b->commands, -1 };

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
      emit_bot_changed (self, value);
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

static Pending *
pending_new (ArbIngest *self, ArbSession *session, ArbBotLink *link)
{
  Pending *p = g_new0 (Pending, 1);

  p->ingest = g_object_ref (self);
  p->session = session != NULL ? session_ref (session) : NULL;
  p->link = g_object_ref (link);
  p->batch = arb_store_batch_new (arb_bot_link_get_bot_id (link));
  return p;
}

static void
pending_free (Pending *p)
{
  g_clear_pointer (&p->session, session_unref);
  g_clear_object (&p->link);
  g_clear_object (&p->errors);
  g_clear_object (&p->ingest);
  g_free (p);
}

static Pending *
session_pending (ArbSession *s)
{
  ArbIngest *self = s->ingest;

  if (s->pending == NULL)
    {
      s->pending = pending_new (self, s, s->link);
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
static void
submit_in_order (GPtrArray *open, Pending *p)
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
static void
drop_submitted (GPtrArray *open)
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
        submit_in_order (open, p);
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
  session_send (s, frame);
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
  gint64 now = now_ms ();
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
    emit_bot_changed (self, p->link);
  /* a batch of a new bot's hello alone stores no event: an ack 0 would say nothing */
  if (p->session != NULL && !p->session->closed && arb_bot_link_get_stored_seq (p->link) > 0)
    send_ack (p->session, arb_bot_link_get_stored_seq (p->link));
  if (p->post_done != NULL)
    answer_post_ok (p);
  pending_free (p);
}

/* ---------------------------------------------------------------- one event */

/* Where an event came from, and where its errors go. */
typedef struct
{
  ArbIngest  *ingest;
  ArbSession *session;   /* a connection, or */
  Pending    *post;      /* an HTTP batch */
  guint       index;     /* of the event in the HTTP batch */
  JsonNode   *raw_node;  /* the event in the HTTP batch */
} Origin;

static Pending *
origin_pending (Origin *o)
{
  return o->session != NULL ? session_pending (o->session) : o->post;
}

static void
origin_error (Origin *o, ArbErrorCode code, const char *field, const char *message, gint64 seq)
{
  JsonBuilder *b;

  if (o->session != NULL)
    {
      session_send_error_seq (o->session, code, field, message, seq);
      /* backpressure: the bot sends the same event again, nothing was lost */
      if (code != ARB_ERROR_RATE_LIMITED)
        session_record (o->session, code, field, message, seq);
      return;
    }
  o->ingest->stats.rejected++;
  b = o->post->errors;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, o->index);
  add_error_members (b, code, field, message, seq);
  json_builder_end_object (b);
  if (code != ARB_ERROR_RATE_LIMITED)
    record_rejection (o->ingest, o->post->batch, arb_bot_link_get_bot_id (o->post->link), seq,
                      code, field, message, NULL, 0, o->raw_node);
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
      submit_in_order (o->ingest->open, p);
      drop_submitted (o->ingest->open);
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
      origin_error (o, ARB_ERROR_BAD_REQUEST, "seq", message, seq);
      return FALSE;
    }
  if (in_flight (o->ingest, link) >= o->ingest->max_in_flight)
    {
      origin_error (o, ARB_ERROR_RATE_LIMITED, "seq",
                    "too many events are waiting for the disk: wait for acks, then resend", seq);
      return FALSE;
    }
  return TRUE;
}

static void
ingest_event (Origin *o, ArbBotLink *link, ArbEvent *event)
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

static void
ingest_invalid (Origin *o, ArbBotLink *link, const GError *error, const char *field, gint64 seq)
{
  /* the next seq is consumed so the bot can go on; others only get the error */
  if (seq > 0 && seq == arb_bot_link_get_accepted_seq (link) + 1 &&
      in_flight (o->ingest, link) < o->ingest->max_in_flight)
    advance (o, link, seq);
  origin_error (o, error->code, field, error->message, seq);
}

/* ---------------------------------------------------------------- commands */

static void
pending_command_free (PendingCommand *pc)
{
  g_clear_handle_id (&pc->timeout_id, g_source_remove);
  g_clear_pointer (&pc->session, session_unref);
  arb_command_free (pc->command);
  g_free (pc);
}

/* A command's every state is published and kept in the audit table. */
static void
record_command (ArbIngest *self, ArbCommand *command)
{
  ArbStoreBatch *batch = arb_store_batch_new (NULL);

  command->hub_seq = arb_hub_publish_node (self->hub, ARB_TOPIC_BOTS, "command", now_ms (), NULL,
                                      arb_command_to_json (command));
  arb_store_batch_put_command (batch, command);
  arb_store_submit (self->store, batch, NULL, NULL);
  g_signal_emit (self, signals[COMMAND_CHANGED], 0, command);
}

static void
finish_command (ArbIngest *self, PendingCommand *pc, ArbCommandStatus status, const char *message)
{
  arb_command_finish (pc->command, status, message, now_ms ());
  record_command (self, pc->command);
  if (pc->done != NULL)
    pc->done (pc->command, pc->done_data);
  g_hash_table_remove (self->commands, pc->command->id);
}

static gboolean
command_timeout (gpointer data)
{
  PendingCommand *pc = data;
  g_autofree char *message = g_strdup_printf ("no result from bot %s within %u ms",
                                              pc->command->bot_id,
                                              pc->ingest->command_timeout_ms);

  pc->timeout_id = 0;
  finish_command (pc->ingest, pc, ARB_COMMAND_TIMEOUT, message);
  return G_SOURCE_REMOVE;
}

static char *
command_frame (const ArbCommand *c)
{
  return g_strdup_printf ("{\"type\":\"command\",\"id\":\"%s\",\"name\":\"%s\",\"args\":%s}",
                          c->id, c->name, c->args_json);
}

static char *
reject_reason (ArbIngest *self, const char *bot_id, const char *name, ArbSession **session)
{
  ArbBotLink *link = g_hash_table_lookup (self->links, bot_id);
  g_autofree char *takes = NULL;

  *session = g_hash_table_lookup (self->live, bot_id);
  if (self->shut_down)
    return g_strdup ("the dashboard is shutting down");
  if (!arb_is_identifier (name))
    return g_strdup ("a command name is 1 to 128 characters of [A-Za-z0-9._:-]");
  if (link == NULL)
    return g_strdup_printf ("there is no bot %s", bot_id);
  if (*session == NULL)
    return g_strdup_printf ("bot %s is not connected", bot_id);
  if (arb_bot_link_takes_command (link, name))
    return NULL;
  takes = g_strjoinv (", ", (char **) arb_bot_link_get_commands (link));
  return g_strdup_printf ("bot %s does not take the command %s (it takes: %s)", bot_id, name,
                          *takes != '\0' ? takes : "none");
}

void
arb_ingest_send_command (ArbIngest      *self,
                         const char     *bot_id,
                         const char     *name,
                         JsonNode       *args,
                         const char     *role,
                         const char     *token_name,
                         ArbCommandDone  done,
                         gpointer        user_data)
{
  g_autofree char *id = g_strdup_printf ("c-%" G_GINT64_FORMAT "-%u", now_ms (),
                                         ++self->command_counter);
  g_autofree char *args_json = args != NULL && JSON_NODE_HOLDS_OBJECT (args)
                               ? arb_json_node_to_string (args) : g_strdup ("{}");
  g_autofree char *reason = NULL;
  g_autofree char *frame = NULL;
  ArbSession *session = NULL;
  PendingCommand *pc = g_new0 (PendingCommand, 1);

  pc->ingest = self;
  pc->command = arb_command_new (id, bot_id, name, args_json, role, token_name, now_ms ());
  pc->done = done;
  pc->done_data = user_data;
  g_hash_table_insert (self->commands, pc->command->id, pc);

  reason = reject_reason (self, bot_id, name, &session);
  if (reason == NULL && args != NULL && !JSON_NODE_HOLDS_OBJECT (args))
    reason = g_strdup ("the args of a command must be a JSON object");
  if (reason != NULL)
    {
      finish_command (self, pc, ARB_COMMAND_REJECTED, reason);
      return;
    }
  pc->session = session_ref (session);
  record_command (self, pc->command);
  frame = command_frame (pc->command);
  session_send (session, frame);
  pc->timeout_id = g_timeout_add (self->command_timeout_ms, command_timeout, pc);
}

/* A result counts only from the connection its command was sent on (@s;
 * NULL for an HTTP batch, which never carries a command): another
 * connection, even one of the same bot_id (a second process, or one that
 * took the bot_id over since), cannot forge the outcome the operator sees. */
static gboolean
take_command_result (ArbIngest *self, ArbSession *s, const ArbCommandResult *r)
{
  PendingCommand *pc = g_hash_table_lookup (self->commands, r->id);

  if (pc == NULL || s == NULL || pc->session != s)
    return FALSE;
  finish_command (self, pc, r->ok ? ARB_COMMAND_OK : ARB_COMMAND_FAILED,
                  r->message != NULL ? r->message : (r->ok ? "done" : "failed"));
  return TRUE;
}

/* ---------------------------------------------------------------- connections */

static void
send_welcome (ArbSession *s)
{
  g_autofree char *frame =
    g_strdup_printf ("{\"type\":\"welcome\",\"bot_id\":\"%s\",\"last_seq\":%" G_GINT64_FORMAT "}",
                     arb_bot_link_get_bot_id (s->link), arb_bot_link_get_stored_seq (s->link));
  session_send (s, frame);
}

/* One connection speaks for a bot: the newest. An older one (a reconnect
 * while the old socket is not yet seen as dead, or a second process with the
 * same bot_id) is told so and closed, and whatever it still sends is dropped,
 * so two senders never mix their events under one seq. */
static void
replace_older (ArbIngest *self, const char *bot_id, ArbSession *s)
{
  ArbSession *old = g_hash_table_lookup (self->live, bot_id);

  if (old == NULL || old == s)
    return;
  arb_session_send_error (old, ARB_ERROR_CONFLICT, "bot_id",
                          "a newer connection speaks for this bot_id: this one is closed");
  old->replaced = TRUE;
  old->vtable->close (old->transport, ARB_CLOSE_REPLACED, "replaced by a newer connection");
}

static void
session_hello (ArbSession *s, ArbEvent *event)
{
  ArbIngest *self = s->ingest;
  ArbHello *hello = &event->hello;
  ArbBotLink *link;

  /* before anything else: a refused hello must not touch the bot it names */
  if (!may_speak_for (s->bot_ids, hello->bot_id))
    {
      g_autofree char *message = forbidden_bot_id (hello->bot_id);

      session_reject (s, ARB_ERROR_FORBIDDEN, "bot_id", message, 0);
      return;
    }
  if (s->link != NULL && g_strcmp0 (arb_bot_link_get_bot_id (s->link), hello->bot_id) != 0)
    {
      session_reject (s, ARB_ERROR_CONFLICT, "bot_id",
                      "this connection already speaks for another bot_id", 0);
      return;
    }
  link = ensure_link (self, hello->bot_id);
  if (link == NULL)
    {
      session_reject (s, ARB_ERROR_UNAVAILABLE, "bot_id",
                      "the dashboard tracks too many bots to take a new one", 0);
      return;
    }
  arb_bot_link_apply_hello (link, hello);
  if (s->link == NULL)
    {
      s->link = g_object_ref (link);
      arb_bot_link_attach (link, now_ms ());
    }
  replace_older (self, hello->bot_id, s);
  g_hash_table_insert (self->live, g_strdup (hello->bot_id), s);
  arb_store_batch_set_hello (session_pending (s)->batch, hello, now_ms ());
  send_welcome (s);
  emit_bot_changed (self, link);
}

static void
session_invalid (ArbSession *s, JsonObject *object, const GError *error, const char *field,
                 gint64 seq)
{
  Origin o = { s->ingest, s, NULL, 0 };

  if (s->link == NULL)
    {
      session_reject (s, error->code, field, error->message, seq);
      return;
    }
  ingest_invalid (&o, s->link, error, field, seq);
}

static void
session_message (ArbSession *s, JsonObject *object)
{
  ArbIngest *self = s->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  gint64 seq = 0;
  ArbEvent *event = arb_event_from_json (object, &self->limits, &field, &seq, &error);
  Origin o = { self, s, NULL, 0 };

  if (event == NULL)
    {
      session_invalid (s, object, error, field, seq);
      return;
    }
  if (event->type == ARB_MSG_HELLO)
    {
      session_hello (s, event);
      arb_event_free (event);
      return;
    }
  if (s->link == NULL)
    {
      session_reject (s, ARB_ERROR_BAD_REQUEST, "type",
                      "send hello first: the bot must introduce itself", event->seq);
      arb_event_free (event);
      return;
    }
  if (event->type == ARB_MSG_COMMAND_RESULT)
    {
      if (!take_command_result (self, s, &event->command_result))
        session_reject (s, ARB_ERROR_NOT_FOUND, "id",
                        "no command in flight has this id on this connection", 0);
      arb_event_free (event);
      return;
    }
  ingest_event (&o, s->link, event);
}

/* The seq of a parsed message that breaks a string or depth limit: like
 * any other bad event's, it is consumed when it is the next one. */
static gint64
message_seq (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "seq");

  if (node != NULL && json_node_get_value_type (node) == G_TYPE_INT64 &&
      json_node_get_int (node) >= 1)
    return json_node_get_int (node);
  return 0;
}

static void
session_message_checked (ArbSession *s, JsonNode *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JsonObject *object = json_node_get_object (message);

  if (!arb_json_check_limits (message, &s->ingest->limits, &field, &error))
    {
      session_invalid (s, object, error, field, message_seq (object));
      return;
    }
  session_message (s, object);
}

void
arb_session_receive_text (ArbSession *session,
                          const char *text,
                          gsize       len)
{
  ArbIngest *self = session->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (self == NULL || session->closed || session->replaced || self->shut_down)
    return;
  session->raw = text;
  session->raw_len = len;
  if (len > self->limits.max_message_bytes)
    {
      message = g_strdup_printf ("message of %" G_GSIZE_FORMAT " bytes is over the limit of %"
                                 G_GSIZE_FORMAT, len, self->limits.max_message_bytes);
      session_reject (session, ARB_ERROR_TOO_LARGE, NULL, message, 0);
    }
  else
    {
      /* strings are checked (arb_json_check_limits) once the message's seq
       * is known, so that a string over the limit or not valid text
       * consumes its seq instead of blocking the bot */
      root = arb_json_load (session->parser, text, len, self->limits.max_depth, &error);
      if (root == NULL)
        session_reject (session, error->code, NULL, error->message, 0);
      else
        arb_session_receive_node (session, root);
    }
  session->raw = NULL;
  session->raw_len = 0;
}

void
arb_session_receive_node (ArbSession *session,
                          JsonNode   *message)
{
  if (session->ingest == NULL || session->closed || session->replaced ||
      session->ingest->shut_down)
    return;
  session->raw_node = message;
  if (!JSON_NODE_HOLDS_OBJECT (message))
    session_reject (session, ARB_ERROR_BAD_REQUEST, NULL, "a message must be a JSON object", 0);
  else
    session_message_checked (session, message);
  session->raw_node = NULL;
}

void
arb_session_closed (ArbSession *session)
{
  ArbIngest *self = session->ingest;

  if (session->closed)
    return;
  session->closed = TRUE;
  if (self != NULL)
    {
      g_hash_table_remove (self->sessions, session);
      if (session->link != NULL)
        {
          const char *bot_id = arb_bot_link_get_bot_id (session->link);

          if (g_hash_table_lookup (self->live, bot_id) == session)
            g_hash_table_remove (self->live, bot_id);
          if (arb_bot_link_detach (session->link, now_ms ()))
            emit_bot_changed (self, session->link);
        }
    }
  session_unref (session);
}

/* ---------------------------------------------------------------- HTTP batches */

static void
post_fail (ArbIngestPostDone done, gpointer data, guint status, ArbErrorCode code,
           const char *field, const char *message)
{
  g_autoptr(JsonNode) body = arb_error_body (code, field, message);

  done (status != 0 ? status : arb_error_code_http_status (code), body, data);
}

/* Refuses a whole body: the answer, and the body (its start, up to the
 * message limit) to the log of refused messages. */
static void
post_refuse (ArbIngest *self, ArbIngestPostDone done, gpointer data, ArbErrorCode code,
             const char *field, const char *message, const char *bot_id, const char *body,
             gsize len)
{
  record_rejection (self, NULL, bot_id != NULL && arb_is_identifier (bot_id) ? bot_id : NULL, 0,
                    code, field, message, body, len, NULL);
  post_fail (done, data, 0, code, field, message);
}

static void
post_element (Origin *o, ArbBotLink *link, JsonNode *node)
{
  ArbIngest *self = o->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  gint64 seq = 0;
  ArbEvent *event;

  o->raw_node = node;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      origin_error (o, ARB_ERROR_BAD_REQUEST, NULL, "an event must be a JSON object", 0);
      return;
    }
  if (!arb_json_check_limits (node, &self->limits, &field, &error))
    {
      ingest_invalid (o, link, error, field, message_seq (json_node_get_object (node)));
      return;
    }
  event = arb_event_from_json (json_node_get_object (node), &self->limits, &field, &seq, &error);
  if (event == NULL)
    {
      ingest_invalid (o, link, error, field, seq);
      return;
    }
  if (event->type == ARB_MSG_HELLO)
    {
      if (o->index != 0 || g_strcmp0 (event->hello.bot_id, arb_bot_link_get_bot_id (link)) != 0)
        origin_error (o, ARB_ERROR_BAD_REQUEST, "type",
                      "a hello may only be the first event, with the batch's bot_id", 0);
      else
        {
          arb_bot_link_apply_hello (link, &event->hello);
          arb_store_batch_set_hello (o->post->batch, &event->hello, now_ms ());
        }
      arb_event_free (event);
      return;
    }
  if (event->type == ARB_MSG_COMMAND_RESULT)
    {
      /* commands go out on a WebSocket only, and their results come back on it */
      if (!take_command_result (self, NULL, &event->command_result))
        origin_error (o, ARB_ERROR_NOT_FOUND, "id",
                      "no command in flight has this id on this connection: a result is "
                      "taken only on the WebSocket connection its command was sent on", 0);
      arb_event_free (event);
      return;
    }
  ingest_event (o, link, event);
}

static gboolean
post_envelope (ArbIngest *self, JsonNode *root, const char **bot_id, JsonArray **events,
               ArbErrorCode *code, const char **field, const char **message)
{
  JsonObject *object;
  JsonNode *node;

  *code = ARB_ERROR_BAD_REQUEST;
  *field = NULL;
  /* an empty body parses to no root at all */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return (*message = "the body must be a JSON object {\"bot_id\":...,\"events\":[...]}", FALSE);
  object = json_node_get_object (root);
  node = json_object_get_member (object, "bot_id");
  *field = "bot_id";
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return (*message = "field 'bot_id' is required and must be a string", FALSE);
  *bot_id = json_node_get_string (node);
  if (!arb_is_identifier (*bot_id))
    return (*message = "field 'bot_id' must be 1 to 128 characters of [A-Za-z0-9._:-]", FALSE);
  node = json_object_get_member (object, "events");
  *field = "events";
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return (*message = "field 'events' is required and must be an array", FALSE);
  *events = json_node_get_array (node);
  if (json_array_get_length (*events) > self->limits.max_batch_events)
    {
      *code = ARB_ERROR_TOO_LARGE;
      return (*message = "field 'events' holds more events than the limit of one batch", FALSE);
    }
  *field = NULL;
  return TRUE;
}

void
arb_ingest_post (ArbIngest         *self,
                 const char        *body,
                 gsize              len,
                 ArbIngestPostDone  done,
                 gpointer           user_data)
{
  arb_ingest_post_full (self, body, len, NULL, done, user_data);
}

/**
 * arb_ingest_post_full:
 * @bot_ids: (nullable): the bot_ids the sender's token may speak for; %NULL: any
 *
 * As arb_ingest_post(); a batch for another bot_id is refused whole with
 * 403 `forbidden` naming `bot_id`, before anything of it is looked at.
 */
void
arb_ingest_post_full (ArbIngest         *self,
                      const char        *body,
                      gsize              len,
                      const char *const *bot_ids,
                      ArbIngestPostDone  done,
                      gpointer           user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbErrorCode code;
  const char *field, *message, *bot_id = NULL;
  JsonArray *events = NULL;
  ArbBotLink *link;
  Origin o = { self, NULL, NULL, 0 };

  if (self->shut_down)
    return post_fail (done, user_data, 0, ARB_ERROR_UNAVAILABLE, NULL,
                      "the dashboard is shutting down: resend to it once it is back");
  if (len > self->limits.max_body_bytes)
    return post_refuse (self, done, user_data, ARB_ERROR_TOO_LARGE, NULL,
                        "the body is larger than the limit of one batch", NULL, body, len);
  /* an empty body may come as NULL, which json-glib refuses outright */
  if (len == 0)
    return post_refuse (self, done, user_data, ARB_ERROR_BAD_REQUEST, NULL,
                        "the body is empty: send {\"bot_id\":...,\"events\":[...]}", NULL,
                        body, 0);
  /* the envelope adds two levels (object, events array) above each event;
   * a string of an event that is not valid text is refused with that event */
  root = arb_json_load (parser, body, len, self->limits.max_depth + 2, &error);
  if (root == NULL)
    return post_refuse (self, done, user_data, error->code, NULL, error->message, NULL, body,
                        len);
  if (!post_envelope (self, root, &bot_id, &events, &code, &field, &message))
    return post_refuse (self, done, user_data, code, field, message, bot_id, body, len);
  if (!may_speak_for ((char **) bot_ids, bot_id))
    {
      g_autofree char *m = forbidden_bot_id (bot_id);
      return post_refuse (self, done, user_data, ARB_ERROR_FORBIDDEN, "bot_id", m, bot_id, body,
                          len);
    }
  link = ensure_link (self, bot_id);
  if (link == NULL)
    return post_refuse (self, done, user_data, ARB_ERROR_UNAVAILABLE, "bot_id",
                        "the dashboard tracks too many bots to take a new one", NULL, body, len);

  o.post = pending_new (self, NULL, link);
  o.post->errors = json_builder_new_immutable ();
  json_builder_begin_array (o.post->errors);
  o.post->post_done = done;
  o.post->post_data = user_data;
  for (o.index = 0; o.index < json_array_get_length (events); o.index++)
    post_element (&o, link, json_array_get_element (events, o.index));
  arb_bot_link_seen (link, now_ms ());
  submit_in_order (self->open, o.post);
  drop_submitted (self->open);
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
    finish_command (self, l->data, ARB_COMMAND_TIMEOUT,
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
                                          (GDestroyNotify) pending_command_free);
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
