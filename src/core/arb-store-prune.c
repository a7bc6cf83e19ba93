/* arb-store-prune.c: retention, deleting what is older on the writer thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-store-private.h"

/* Rows older than the retention, a bounded chunk per statement; each
 * subquery reads an index on the time (commands_created, alerts_raised:
 * a command finishes after it was made, an alert clears after it was
 * raised). A NULL finished or cleared compares as unknown, so pending
 * commands and active alerts are never deleted, whatever their age.
 *
 * No VACUUM and no incremental_vacuum afterwards: the freed pages go to
 * SQLite's free list and the rows that keep coming are written into them,
 * so the file stops growing once it holds retention_days of data, which is
 * what matters. Giving the pages back to the file system would need either
 * auto_vacuum (set before the first table exists, so not for the databases
 * out there, and it costs on every commit) or a VACUUM, which rewrites the
 * whole file and holds the writer, and with it every ack, for as long. */
static const struct
{
  const char *sql;
  gsize       count;   /* the counter in ArbStorePruned */
} prune_tables[N_PRUNE_TABLES] = {
  { "DELETE FROM trades WHERE row IN"
    " (SELECT row FROM trades WHERE ts < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, trades) },
  { "DELETE FROM opportunities WHERE row IN"
    " (SELECT row FROM opportunities WHERE ts < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, opportunities) },
  { "DELETE FROM logs WHERE row IN (SELECT row FROM logs WHERE ts < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, logs) },
  { "DELETE FROM commands WHERE rowid IN"
    " (SELECT rowid FROM commands WHERE created < ?1 AND finished < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, commands) },
  { "DELETE FROM alerts WHERE rowid IN"
    " (SELECT rowid FROM alerts WHERE raised < ?1 AND cleared < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, alerts) },
  [PRUNE_REJECTED] =
  { "DELETE FROM rejected WHERE row IN (SELECT row FROM rejected WHERE ts < ?1 LIMIT ?2)",
    G_STRUCT_OFFSET (ArbStorePruned, rejected) },
};

typedef struct
{
  gint64         cutoff_ms;
  guint          chunk;
  guint          table;    /* the table being pruned; N_PRUNE_TABLES: done */
  ArbStorePruned pruned;
} Prune;

/* One transaction: deletes at most p->chunk rows of the current table. */
static gboolean
prune_chunk (ArbStore *self, Prune *p, GError **error)
{
  sqlite3_stmt *s = self->prune_stmts[p->table];
  guint64 *count = G_STRUCT_MEMBER_P (&p->pruned, prune_tables[p->table].count);
  gint64 n;
  int rc;

  if (s == NULL)
    {
      if (sqlite3_prepare_v3 (self->wdb, prune_tables[p->table].sql, -1,
                              SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return _arb_sql_error (self->wdb, error, "deleting old rows");
      self->prune_stmts[p->table] = s;
    }
  if (!_arb_sql_exec (self->wdb, "BEGIN IMMEDIATE", error))
    return FALSE;
  sqlite3_bind_int64 (s, 1, p->cutoff_ms);
  sqlite3_bind_int64 (s, 2, p->chunk);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  n = sqlite3_changes64 (self->wdb);
  if (rc != SQLITE_DONE)
    _arb_sql_error (self->wdb, error, "deleting old rows");
  if (rc != SQLITE_DONE || !_arb_sql_exec (self->wdb, "COMMIT", error))
    {
      sqlite3_exec (self->wdb, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  *count += n;
  p->pruned.chunks++;
  if (p->table == PRUNE_REJECTED && n > 0)
    self->rejected_rows = -1;
  /* a short chunk was the last of this table */
  if (n < p->chunk)
    p->table++;
  return TRUE;
}

/* Runs one chunk of the oldest prune, and answers it once it is done,
 * failed or cancelled. */
void
_arb_store_prune_step (ArbStore *self, GTask *task)
{
  Prune *p = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    prune_chunk (self, p, &error);
  if (error == NULL && p->table < N_PRUNE_TABLES)
    return;
  g_mutex_lock (&self->lock);
  g_assert (g_queue_peek_head (&self->prunes) == task);
  g_queue_pop_head (&self->prunes);
  g_mutex_unlock (&self->lock);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* ---------------------------------------------------------------- pruning */

/**
 * arb_store_prune_async:
 * @cutoff_ms: rows older than this time (ms since the epoch) go
 * @cancellable: (nullable): stops the prune between two chunks
 *
 * Deletes the trades, opportunities, logs and refused messages with a `ts`
 * before @cutoff_ms,
 * and the commands finished and the alerts cleared before it; pending
 * commands and active alerts stay, whatever their age. The writer thread
 * does it in transactions of a bounded number of rows, committing the
 * batches that come meanwhile between two of them. @callback runs on the
 * caller's thread-default main context.
 */
void
arb_store_prune_async (ArbStore            *self,
                       gint64               cutoff_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Prune *p;

  g_return_if_fail (ARB_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ARB_STORE_TASK_TAG (arb_store_prune_async));
  p = g_new0 (Prune, 1);
  p->cutoff_ms = cutoff_ms;
  p->chunk = self->prune_chunk;
  g_task_set_task_data (task, p, g_free);
  g_mutex_lock (&self->lock);
  if (self->writer == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_task_return_new_error (task, ARB_ERROR, ARB_ERROR_UNAVAILABLE, "the database is closed");
      return;
    }
  g_queue_push_tail (&self->prunes, g_steal_pointer (&task));
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

/**
 * arb_store_prune_finish:
 * @pruned: (out) (optional): how many rows of each table went
 *
 * Returns: whether the prune ran to its end
 */
gboolean
arb_store_prune_finish (ArbStore        *self,
                        GAsyncResult    *result,
                        ArbStorePruned  *pruned,
                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arb_store_prune_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (pruned != NULL)
    *pruned = ((Prune *) g_task_get_task_data (G_TASK (result)))->pruned;
  return TRUE;
}

guint64
arb_store_pruned_total (const ArbStorePruned *pruned)
{
  return pruned->trades + pruned->opportunities + pruned->logs + pruned->commands +
         pruned->alerts + pruned->rejected;
}

/* The tests go through several chunks with a few rows. */
void
_arb_store_set_prune_chunk (ArbStore *self,
                            guint     rows)
{
  g_return_if_fail (rows > 0);
  self->prune_chunk = rows;
}
