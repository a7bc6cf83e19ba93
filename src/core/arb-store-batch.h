/* arb-store-batch.h: a unit of work for the store's writer thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-alert.h"
#include "arb-command.h"
#include "arb-event.h"
#include "arb-rejected.h"

G_BEGIN_DECLS

/* A unit of work for the writer thread. Several batches share one
 * transaction (group commit); each is told when it is durable. */
typedef struct _ArbStoreBatch ArbStoreBatch;

typedef void (*ArbStoreBatchDone) (ArbStoreBatch *batch,
                                   const GError  *error,
                                   gpointer       user_data);

ArbStoreBatch *arb_store_batch_new          (const char        *bot_id);
void           arb_store_batch_free         (ArbStoreBatch     *batch);
const char    *arb_store_batch_get_bot_id   (ArbStoreBatch     *batch);
/* Takes ownership of @event; trades, opportunities and logs are stored. */
void           arb_store_batch_add_event    (ArbStoreBatch     *batch,
                                             ArbEvent          *event,
                                             gint64             hub_seq);
void           arb_store_batch_set_hub_seq  (ArbStoreBatch     *batch,
                                             guint              index,
                                             gint64             hub_seq);
guint          arb_store_batch_get_n_events (ArbStoreBatch     *batch);
ArbEvent      *arb_store_batch_get_event    (ArbStoreBatch     *batch,
                                             guint              index,
                                             gint64            *hub_seq);
/* The batch moves the bot's stored last_seq from @prev_seq (the value it
 * must have when the batch commits) to @last_seq. */
void           arb_store_batch_set_last_seq (ArbStoreBatch     *batch,
                                             gint64             prev_seq,
                                             gint64             last_seq);
gint64         arb_store_batch_get_last_seq (ArbStoreBatch     *batch);
void           arb_store_batch_set_hello    (ArbStoreBatch     *batch,
                                             const ArbHello    *hello,
                                             gint64             seen_ms);
/* Takes a copy of @command (insert or update by id). */
void           arb_store_batch_put_command  (ArbStoreBatch     *batch,
                                             const ArbCommand  *command);
/* Takes a copy of @alert (insert or update by id). */
void           arb_store_batch_put_alert    (ArbStoreBatch     *batch,
                                             const ArbAlert    *alert);
void           arb_store_batch_put_series   (ArbStoreBatch     *batch,
                                             const char        *name,
                                             guint              tier,
                                             GBytes            *blob);
void           arb_store_batch_set_meta     (ArbStoreBatch     *batch,
                                             const char        *key,
                                             gint64             value);
/* Takes ownership of @rejected; its row is set once the batch is durable. */
void           arb_store_batch_add_rejected (ArbStoreBatch     *batch,
                                             ArbRejected       *rejected);
guint          arb_store_batch_get_n_rejected (ArbStoreBatch   *batch);
const ArbRejected *arb_store_batch_get_rejected (ArbStoreBatch *batch,
                                             guint              index);
gboolean       arb_store_batch_is_empty     (ArbStoreBatch     *batch);

G_END_DECLS
