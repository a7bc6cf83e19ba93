/* arb-hub.c: the one place where facts are published
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every item gets the next global seq. Items that must wait for the disk
 * (bot events are published only once committed, so a viewer never sees a
 * trade that a crash could take back) hold a ticket; items behind an
 * unreleased ticket wait too, so subscribers always see seqs rising.
 */
#define G_LOG_DOMAIN "arb-hub"

#include "config.h"

#include <string.h>

#include "arb-hub.h"
#include "arb-json.h"

#define RESERVE_BLOCK 1000000

struct _ArbHubTicket
{
  GPtrArray *items;
  gboolean   released;
  ArbHub    *hub;
};

struct _ArbHub
{
  GObject     parent_instance;

  gint64      next_seq;
  gint64      reserved;      /* seqs up to this are persisted as used */
  GQueue      tickets;       /* ArbHubTicket*, in seq order */
  GPtrArray  *out;           /* released, not yet emitted */
  guint       flush_source;
  GHashTable *latest;        /* "topic\x1fkind\x1fkey" -> ArbHubItem* */

  ArbHubItem **journal;      /* ring of discrete items */
  guint       journal_size;
  guint       journal_head;  /* next slot to write */
  guint       journal_len;
  gint64      first_seq;     /* of this run: earlier items are only in the store */
  gint64      last_emitted;  /* seq of the last item given to "published" */
};

G_DEFINE_FINAL_TYPE (ArbHub, arb_hub, G_TYPE_OBJECT)

enum { PUBLISHED, RESERVE, N_SIGNALS };
static guint signals[N_SIGNALS];

ArbHubItem *
arb_hub_item_ref (ArbHubItem *item)
{
  g_atomic_int_inc (&item->ref_count);
  return item;
}

void
arb_hub_item_unref (ArbHubItem *item)
{
  if (!g_atomic_int_dec_and_test (&item->ref_count))
    return;
  g_free (item->key);
  g_free (item->json);
  g_free (item->envelope);
  g_free (item);
}

/**
 * arb_hub_item_new:
 * @json: (transfer full): the data, a JSON object
 *
 * Returns: (transfer full): an item (for replays from the store; published
 *   items come from arb_hub_ticket_add() and arb_hub_publish())
 */
ArbHubItem *
arb_hub_item_new (gint64      seq,
                  const char *topic,
                  const char *kind,
                  gint64      ts,
                  const char *key,
                  char       *json)
{
  ArbHubItem *item = g_new0 (ArbHubItem, 1);

  item->ref_count = 1;
  item->seq = seq;
  item->topic = g_intern_string (topic);
  item->kind = g_intern_string (kind);
  item->ts = ts;
  item->key = g_strdup (key);
  item->json = json;
  item->json_len = strlen (json);
  return item;
}

/**
 * arb_hub_item_get_envelope:
 *
 * The item as a viewer receives it in a batch,
 * {"topic":..,"seq":..,"ts":..,"kind":..,"data":{..}}: built once, on first
 * use, and shared by every viewer. Not thread-safe: main thread only.
 */
const char *
arb_hub_item_get_envelope (ArbHubItem *item,
                           gsize      *len)
{
  if (item->envelope == NULL)
    {
      GString *s = g_string_sized_new (item->json_len + 96);

      g_string_append (s, "{\"topic\":\"");
      g_string_append (s, item->topic);
      g_string_append_printf (s, "\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                              ",\"kind\":\"", item->seq, item->ts);
      g_string_append (s, item->kind);
      g_string_append (s, "\",\"data\":");
      g_string_append_len (s, item->json, item->json_len);
      g_string_append_c (s, '}');
      item->envelope_len = s->len;
      item->envelope = g_string_free (s, FALSE);
    }
  if (len != NULL)
    *len = item->envelope_len;
  return item->envelope;
}

gboolean
arb_hub_item_is_discrete (const ArbHubItem *item)
{
  return item->key == NULL;
}

static char *
latest_key (const char *topic, const char *kind, const char *key)
{
  return g_strconcat (topic, "\x1f", kind, "\x1f", key, NULL);
}

static void
arb_hub_finalize (GObject *object)
{
  ArbHub *self = ARB_HUB (object);
  ArbHubTicket *t;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  while ((t = g_queue_pop_head (&self->tickets)) != NULL)
    {
      g_ptr_array_unref (t->items);
      g_free (t);
    }
  g_ptr_array_unref (self->out);
  g_hash_table_unref (self->latest);
  for (guint i = 0; i < self->journal_size; i++)
    g_clear_pointer (&self->journal[i], arb_hub_item_unref);
  g_free (self->journal);

  G_OBJECT_CLASS (arb_hub_parent_class)->finalize (object);
}

static void
arb_hub_class_init (ArbHubClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_hub_finalize;

  /**
   * ArbHub::published:
   * @items: (element-type ArbHubItem): the items, in seq order
   *
   * Everything released since the last emission, once per main-loop turn.
   */
  signals[PUBLISHED] = g_signal_new ("published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
  signals[RESERVE] = g_signal_new ("reserve", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
arb_hub_init (ArbHub *self)
{
  g_queue_init (&self->tickets);
  self->out = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  self->latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) arb_hub_item_unref);
}

/**
 * arb_hub_new:
 * @first_seq: the seq of the first item (above anything used before)
 * @journal_size: how many discrete items to keep for replay
 *
 * Returns: (transfer full): a new hub
 */
ArbHub *
arb_hub_new (gint64 first_seq,
             guint  journal_size)
{
  ArbHub *self = g_object_new (ARB_TYPE_HUB, NULL);

  self->next_seq = MAX (first_seq, 1);
  self->first_seq = self->next_seq;
  self->last_emitted = self->next_seq - 1;
  self->reserved = G_MAXINT64;
  self->journal_size = MAX (journal_size, 1);
  self->journal = g_new0 (ArbHubItem *, self->journal_size);
  return self;
}

void
arb_hub_set_reserved (ArbHub *self,
                      gint64  reserved)
{
  self->reserved = reserved;
}

gint64
arb_hub_get_last_seq (ArbHub *self)
{
  return self->next_seq - 1;
}

/* Every item up to this seq has reached the "published" subscribers. */
gint64
arb_hub_get_last_emitted_seq (ArbHub *self)
{
  return self->last_emitted;
}

gint64
arb_hub_get_first_seq (ArbHub *self)
{
  return self->first_seq;
}

gint64
arb_hub_get_next_seq (ArbHub *self)
{
  return self->next_seq;
}

static gint64
take_seq (ArbHub *self)
{
  /* ask for the next block while half of this one is left */
  if (self->reserved != G_MAXINT64 && self->next_seq + RESERVE_BLOCK / 2 > self->reserved)
    {
      gint64 up_to = self->next_seq + RESERVE_BLOCK;
      g_signal_emit (self, signals[RESERVE], 0, up_to);
    }
  return self->next_seq++;
}

ArbHubTicket *
arb_hub_stage (ArbHub *self)
{
  ArbHubTicket *t = g_new0 (ArbHubTicket, 1);

  t->items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  t->hub = self;
  g_queue_push_tail (&self->tickets, t);
  return t;
}

gint64
arb_hub_ticket_add (ArbHubTicket *ticket,
                    const char   *topic,
                    const char   *kind,
                    gint64        ts,
                    const char   *key,
                    char         *json)
{
  ArbHubItem *item = arb_hub_item_new (take_seq (ticket->hub), topic, kind, ts, key, json);

  g_ptr_array_add (ticket->items, item);
  return item->seq;
}

static void
journal_add (ArbHub *self, ArbHubItem *item)
{
  g_clear_pointer (&self->journal[self->journal_head], arb_hub_item_unref);
  self->journal[self->journal_head] = arb_hub_item_ref (item);
  self->journal_head = (self->journal_head + 1) % self->journal_size;
  self->journal_len = MIN (self->journal_len + 1, self->journal_size);
}

static gboolean
flush_cb (gpointer data)
{
  ArbHub *self = data;

  self->flush_source = 0;
  arb_hub_flush (self);
  return G_SOURCE_REMOVE;
}

static void
emit_item (ArbHub *self, ArbHubItem *item)
{
  if (item->key != NULL)
    g_hash_table_replace (self->latest, latest_key (item->topic, item->kind, item->key),
                          arb_hub_item_ref (item));
  else
    journal_add (self, item);
  g_ptr_array_add (self->out, arb_hub_item_ref (item));
}

static void
drain_tickets (ArbHub *self)
{
  ArbHubTicket *t;

  while ((t = g_queue_peek_head (&self->tickets)) != NULL && t->released)
    {
      g_queue_pop_head (&self->tickets);
      for (guint i = 0; i < t->items->len; i++)
        emit_item (self, g_ptr_array_index (t->items, i));
      g_ptr_array_unref (t->items);
      g_free (t);
    }
  if (self->out->len > 0 && self->flush_source == 0)
    {
      self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->flush_source),
                                "[arb-hub] flush");
    }
}

void
arb_hub_release (ArbHub       *self,
                 ArbHubTicket *ticket)
{
  g_return_if_fail (ARB_IS_HUB (self));
  ticket->released = TRUE;
  drain_tickets (self);
}

void
arb_hub_drop (ArbHub       *self,
              ArbHubTicket *ticket)
{
  g_return_if_fail (ARB_IS_HUB (self));
  /* its seqs are never delivered: a gap that viewers tolerate */
  g_ptr_array_set_size (ticket->items, 0);
  ticket->released = TRUE;
  drain_tickets (self);
}

gint64
arb_hub_publish (ArbHub     *self,
                 const char *topic,
                 const char *kind,
                 gint64      ts,
                 const char *key,
                 char       *json)
{
  ArbHubTicket *t = arb_hub_stage (self);
  gint64 seq = arb_hub_ticket_add (t, topic, kind, ts, key, json);

  arb_hub_release (self, t);
  return seq;
}

gint64
arb_hub_publish_node (ArbHub     *self,
                      const char *topic,
                      const char *kind,
                      gint64      ts,
                      const char *key,
                      JsonNode   *data)
{
  char *json = arb_json_node_to_string (data);

  json_node_unref (data);
  return arb_hub_publish (self, topic, kind, ts, key, json);
}

void
arb_hub_flush (ArbHub *self)
{
  g_autoptr(GPtrArray) items = NULL;

  g_return_if_fail (ARB_IS_HUB (self));
  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->out->len == 0)
    return;
  items = g_steal_pointer (&self->out);
  self->out = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  self->last_emitted = ((ArbHubItem *) g_ptr_array_index (items, items->len - 1))->seq;
  g_signal_emit (self, signals[PUBLISHED], 0, items);
}

static gint
compare_seq (gconstpointer a, gconstpointer b)
{
  const ArbHubItem *x = *(ArbHubItem **) a;
  const ArbHubItem *y = *(ArbHubItem **) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/**
 * arb_hub_get_latest:
 *
 * Returns: (transfer container) (element-type ArbHubItem): the latest gauges
 */
GPtrArray *
arb_hub_get_latest (ArbHub     *self,
                    const char *topic)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  GHashTableIter iter;
  gpointer value;
  const char *interned = g_intern_string (topic);

  g_hash_table_iter_init (&iter, self->latest);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((ArbHubItem *) value)->topic == interned)
      g_ptr_array_add (items, arb_hub_item_ref (value));
  g_ptr_array_sort (items, compare_seq);
  return items;
}

ArbHubItem *
arb_hub_lookup_latest (ArbHub     *self,
                       const char *topic,
                       const char *kind,
                       const char *key)
{
  g_autofree char *k = latest_key (topic, kind, key);

  return g_hash_table_lookup (self->latest, k);
}

gint64
arb_hub_get_journal_first_seq (ArbHub *self)
{
  guint first;

  if (self->journal_len == 0)
    return self->next_seq;
  first = (self->journal_head + self->journal_size - self->journal_len) % self->journal_size;
  return self->journal[first]->seq;
}

/**
 * arb_hub_replay_since:
 *
 * Returns: (transfer container) (nullable) (element-type ArbHubItem): the
 *   discrete items with seq above @since, or %NULL when some may be missing
 */
/* The journal holds every discrete item from this seq on. */
gint64
arb_hub_get_journal_covered_from (ArbHub *self)
{
  /* once the ring has wrapped, items before its first one are gone */
  if (self->journal_len == self->journal_size)
    return arb_hub_get_journal_first_seq (self);
  return self->first_seq;
}

GPtrArray *
arb_hub_replay_since (ArbHub *self,
                      gint64  since)
{
  GPtrArray *items;

  /* (not since + 1: a viewer's since may be G_MAXINT64) */
  if (since < arb_hub_get_journal_covered_from (self) - 1)
    return NULL;
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  for (guint i = 0; i < self->journal_len; i++)
    {
      guint slot = (self->journal_head + self->journal_size - self->journal_len + i) %
                   self->journal_size;
      ArbHubItem *item = self->journal[slot];

      if (item->seq > since)
        g_ptr_array_add (items, arb_hub_item_ref (item));
    }
  return items;
}
