/* arb-store-batch.c: a unit of work for the store's writer thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What one bot's message (or the engine) asks to be stored: its events
 * with their hub seqs, the seq it moves the bot to, and the rows that go
 * with it. The writer commits several in one transaction (arb-store.c).
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-store-batch-private.h"

ArbStoreBatch *
arb_store_batch_new (const char *bot_id)
{
  ArbStoreBatch *batch = g_new0 (ArbStoreBatch, 1);

  batch->bot_id = g_strdup (bot_id);
  batch->events = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_event_free);
  batch->hub_seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  return batch;
}

static void
series_blob_free (SeriesBlob *s)
{
  g_free (s->name);
  g_bytes_unref (s->blob);
  g_free (s);
}

static void
hello_free (ArbHello *h)
{
  arb_bot_identity_clear (&h->identity);
  g_free (h);
}

void
arb_store_batch_free (ArbStoreBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->bot_id);
  g_ptr_array_unref (batch->events);
  g_array_unref (batch->hub_seqs);
  g_clear_pointer (&batch->hello, hello_free);
  g_clear_pointer (&batch->commands, g_ptr_array_unref);
  g_clear_pointer (&batch->series, g_ptr_array_unref);
  g_clear_pointer (&batch->alerts, g_ptr_array_unref);
  g_clear_pointer (&batch->rejected, g_ptr_array_unref);
  if (batch->meta != NULL)
    {
      for (guint i = 0; i < batch->meta->len; i++)
        g_free (g_array_index (batch->meta, MetaValue, i).key);
      g_array_unref (batch->meta);
    }
  g_free (batch);
}

const char *
arb_store_batch_get_bot_id (ArbStoreBatch *batch)
{
  return batch->bot_id;
}

void
arb_store_batch_add_event (ArbStoreBatch *batch,
                           ArbEvent      *event,
                           gint64         hub_seq)
{
  g_return_if_fail (batch->bot_id != NULL);
  g_ptr_array_add (batch->events, event);
  g_array_append_val (batch->hub_seqs, hub_seq);
}

void
arb_store_batch_set_hub_seq (ArbStoreBatch *batch,
                             guint          index,
                             gint64         hub_seq)
{
  g_return_if_fail (index < batch->hub_seqs->len);
  g_array_index (batch->hub_seqs, gint64, index) = hub_seq;
}

guint
arb_store_batch_get_n_events (ArbStoreBatch *batch)
{
  return batch->events->len;
}

ArbEvent *
arb_store_batch_get_event (ArbStoreBatch *batch,
                           guint          index,
                           gint64        *hub_seq)
{
  g_return_val_if_fail (index < batch->events->len, NULL);
  if (hub_seq != NULL)
    *hub_seq = g_array_index (batch->hub_seqs, gint64, index);
  return g_ptr_array_index (batch->events, index);
}

void
arb_store_batch_set_last_seq (ArbStoreBatch *batch,
                              gint64         prev_seq,
                              gint64         last_seq)
{
  g_return_if_fail (batch->bot_id != NULL);
  g_return_if_fail (last_seq > prev_seq);
  if (batch->last_seq == 0)
    batch->prev_seq = prev_seq;
  batch->last_seq = last_seq;
}

gint64
arb_store_batch_get_last_seq (ArbStoreBatch *batch)
{
  return batch->last_seq;
}

void
arb_store_batch_set_hello (ArbStoreBatch  *batch,
                           const ArbHello *hello,
                           gint64          seen_ms)
{
  ArbHello *copy = g_new0 (ArbHello, 1);

  arb_bot_identity_copy (&copy->identity, &hello->identity);
  copy->pid = hello->pid;
  g_clear_pointer (&batch->hello, hello_free);
  batch->hello = copy;
  batch->seen_ms = seen_ms;
}

void
arb_store_batch_put_command (ArbStoreBatch    *batch,
                             const ArbCommand *command)
{
  if (batch->commands == NULL)
    batch->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_command_free);
  g_ptr_array_add (batch->commands, arb_command_copy (command));
}

void
arb_store_batch_put_alert (ArbStoreBatch  *batch,
                           const ArbAlert *alert)
{
  if (batch->alerts == NULL)
    batch->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  g_ptr_array_add (batch->alerts, arb_alert_copy (alert));
}

void
arb_store_batch_put_series (ArbStoreBatch *batch,
                            const char    *name,
                            guint          tier,
                            GBytes        *blob)
{
  SeriesBlob *s = g_new0 (SeriesBlob, 1);

  if (batch->series == NULL)
    batch->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_blob_free);
  s->name = g_strdup (name);
  s->tier = tier;
  s->blob = g_bytes_ref (blob);
  g_ptr_array_add (batch->series, s);
}

void
arb_store_batch_set_meta (ArbStoreBatch *batch,
                          const char    *key,
                          gint64         value)
{
  MetaValue m = { g_strdup (key), value };

  if (batch->meta == NULL)
    batch->meta = g_array_new (FALSE, FALSE, sizeof (MetaValue));
  g_array_append_val (batch->meta, m);
}

void
arb_store_batch_add_rejected (ArbStoreBatch *batch,
                              ArbRejected   *rejected)
{
  if (batch->rejected == NULL)
    batch->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_rejected_free);
  g_ptr_array_add (batch->rejected, rejected);
}

guint
arb_store_batch_get_n_rejected (ArbStoreBatch *batch)
{
  return batch->rejected != NULL ? batch->rejected->len : 0;
}

const ArbRejected *
arb_store_batch_get_rejected (ArbStoreBatch *batch,
                              guint          index)
{
  g_return_val_if_fail (index < arb_store_batch_get_n_rejected (batch), NULL);
  return g_ptr_array_index (batch->rejected, index);
}

gboolean
arb_store_batch_is_empty (ArbStoreBatch *batch)
{
  return batch->events->len == 0 && batch->last_seq == 0 && batch->hello == NULL &&
         batch->commands == NULL && batch->series == NULL && batch->meta == NULL &&
         batch->alerts == NULL && batch->rejected == NULL;
}
