/* arb-store.c: durable storage in SQLite (WAL) with group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One writer thread owns the write connection. Batches queued while it
 * commits go into its next transaction together (group commit), so the
 * cost of the fsync is shared by everything that arrived meanwhile, and the
 * main loop never waits for the disk. Reads run on their own connections,
 * from a small pool, in worker threads (WAL lets them run beside the writer).
 * The writer also deletes what is older than the retention, a bounded chunk
 * at a time between two commits.
 *
 * The store's other concerns live beside this file (see
 * arb-store-private.h); this one keeps the object, its writer thread and
 * group commit, the pool of reader connections and the start-up reads.
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-store-private.h"

const double arb_store_commit_bounds[ARB_STORE_COMMIT_BUCKETS] = {
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, G_MAXDOUBLE,
};

G_DEFINE_FINAL_TYPE (ArbStore, arb_store, G_TYPE_OBJECT)

typedef struct
{
  ArbStoreBatch *batch;
  GError        *error;
} Done;

/* Each batch gets a savepoint, so a batch that the database refuses fails
 * alone; an error of the commit itself fails the whole group. */
static void
commit_group (ArbStore *self, GQueue *work, GArray *results)
{
  g_autoptr(GError) commit_error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  guint64 rows = 0;
  gboolean rejected = FALSE;
  guint max_rows;
  gsize max_bytes;

  g_mutex_lock (&self->lock);
  max_rows = self->rejected_max_rows;
  max_bytes = self->rejected_max_bytes;
  g_mutex_unlock (&self->lock);

  if (!_arb_sql_exec (self->wdb, "BEGIN IMMEDIATE", &commit_error))
    goto out;
  for (GList *l = work->head; l != NULL; l = l->next)
    {
      Done d = { l->data, NULL };

      _arb_sql_exec (self->wdb, "SAVEPOINT b", NULL);
      if (!_arb_store_write_batch (self, d.batch, &d.error))
        _arb_sql_exec (self->wdb, "ROLLBACK TO b", NULL);
      else
        {
          rows += d.batch->events->len;
          for (guint i = 0; i < arb_store_batch_get_n_rejected (d.batch); i++)
            {
              const ArbRejected *r = g_ptr_array_index (d.batch->rejected, i);

              /* unknown (-1): cap_rejected() counts them with the rest */
              if (self->rejected_rows >= 0)
                {
                  self->rejected_rows++;
                  self->rejected_bytes += g_bytes_get_size (r->raw);
                }
              rejected = TRUE;
            }
        }
      _arb_sql_exec (self->wdb, "RELEASE b", NULL);
      g_array_append_val (results, d);
    }
  if (rejected)
    _arb_store_cap_rejected (self, max_rows, max_bytes);
  if (!_arb_sql_exec (self->wdb, "COMMIT", &commit_error))
    {
      sqlite3_exec (self->wdb, "ROLLBACK", NULL, NULL, NULL);
      self->rejected_rows = -1;
    }

out:
  if (commit_error != NULL)
    {
      g_warning ("Commit failed: %s", commit_error->message);
      g_array_set_size (results, 0);
      for (GList *l = work->head; l != NULL; l = l->next)
        {
          Done d = { l->data, g_error_copy (commit_error) };
          g_array_append_val (results, d);
        }
    }
  g_mutex_lock (&self->lock);
  self->stats.commits++;
  self->stats.batches += work->length;
  self->stats.rows += commit_error == NULL ? rows : 0;
  self->stats.errors += commit_error != NULL ? 1 : 0;
  self->stats.last_commit_us = g_get_monotonic_time () - t0;
  self->stats.max_commit_us = MAX (self->stats.max_commit_us, self->stats.last_commit_us);
  self->stats.commit_seconds += self->stats.last_commit_us / 1e6;
  for (guint i = 0; i < ARB_STORE_COMMIT_BUCKETS; i++)
    if (self->stats.last_commit_us / 1e6 <= arb_store_commit_bounds[i])
      {
        self->stats.commit_buckets[i]++;
        break;
      }
  g_mutex_unlock (&self->lock);
}

static gboolean dispatch_done (gpointer data);

static void
post_results (ArbStore *self, GArray *results)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < results->len; i++)
    {
      Done *d = g_new (Done, 1);
      *d = g_array_index (results, Done, i);
      g_queue_push_tail (&self->done, d);
    }
  self->in_flight = 0;
  if (self->done_source == 0)
    {
      GSource *source = g_idle_source_new ();

      /* acks are the reply the bots wait for: run before ordinary work */
      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, dispatch_done, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[arb-store] commit done");
      self->done_source = g_source_attach (source, self->context);
      g_source_unref (source);
    }
  g_cond_broadcast (&self->done_cond);
  g_mutex_unlock (&self->lock);
}

static gpointer
writer_main (gpointer data)
{
  ArbStore *self = data;
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (Done));

  for (;;)
    {
      GQueue work = G_QUEUE_INIT;
      GTask *prune;

      g_mutex_lock (&self->lock);
      while (self->queue.length == 0 && self->prunes.length == 0 && !self->stopping)
        g_cond_wait (&self->cond, &self->lock);
      /* batches come first: a prune goes on a chunk at a time between
       * commits, so the acks never wait for more than one chunk; one that is
       * under way when the store closes is answered by arb_store_close() */
      if (self->queue.length == 0)
        {
          prune = self->stopping ? NULL : g_queue_peek_head (&self->prunes);
          g_mutex_unlock (&self->lock);
          if (prune == NULL)
            break;
          _arb_store_prune_step (self, prune);
          continue;
        }
      work = self->queue;
      g_queue_init (&self->queue);
      self->in_flight = work.length;
      g_mutex_unlock (&self->lock);

      g_array_set_size (results, 0);
      commit_group (self, &work, results);
      g_queue_clear (&work);
      post_results (self, results);
    }
  return NULL;
}

static void
run_done (gpointer data, gpointer unused)
{
  Done *d = data;

  if (d->batch->done != NULL)
    d->batch->done (d->batch, d->error, d->batch->done_data);
  arb_store_batch_free (d->batch);
  g_clear_error (&d->error);
  g_free (d);
}

static gboolean
dispatch_done (gpointer data)
{
  ArbStore *self = data;
  GQueue done;

  g_mutex_lock (&self->lock);
  done = self->done;
  g_queue_init (&self->done);
  self->done_source = 0;
  g_mutex_unlock (&self->lock);

  g_queue_foreach (&done, run_done, NULL);
  g_queue_clear (&done);
  return G_SOURCE_REMOVE;
}

void
arb_store_submit (ArbStore          *self,
                  ArbStoreBatch     *batch,
                  ArbStoreBatchDone  done,
                  gpointer           user_data)
{
  g_return_if_fail (ARB_IS_STORE (self));
  g_return_if_fail (batch != NULL);

  batch->done = done;
  batch->done_data = user_data;
  g_mutex_lock (&self->lock);
  if (self->writer == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_critical ("arb_store_submit() after arb_store_close()");
      arb_store_batch_free (batch);
      return;
    }
  g_queue_push_tail (&self->queue, batch);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

guint
arb_store_get_queue_length (ArbStore *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->queue.length + self->in_flight;
  g_mutex_unlock (&self->lock);
  return n;
}

void
arb_store_flush (ArbStore *self)
{
  g_return_if_fail (ARB_IS_STORE (self));

  g_mutex_lock (&self->lock);
  while (self->writer != NULL && (self->queue.length > 0 || self->in_flight > 0))
    g_cond_wait (&self->done_cond, &self->lock);
  if (self->done_source != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, self->done_source);
      if (source != NULL)
        g_source_destroy (source);
    }
  g_mutex_unlock (&self->lock);
  /* callbacks may submit more (e.g. a result that needs storing): repeat */
  dispatch_done (self);
  if (arb_store_get_queue_length (self) > 0)
    arb_store_flush (self);
}

void
arb_store_get_stats (ArbStore      *self,
                     ArbStoreStats *stats)
{
  g_mutex_lock (&self->lock);
  *stats = self->stats;
  g_mutex_unlock (&self->lock);
}

/* ---------------------------------------------------------------- life cycle */

static void
close_reader (gpointer db)
{
  sqlite3_close (db);
}

void
arb_store_close (ArbStore *self)
{
  GTask *task;

  g_return_if_fail (ARB_IS_STORE (self));

  /* without a writer (arb_store_open() failed half-way) the connections
   * opened so far still need closing */
  if (self->writer != NULL)
    {
      arb_store_flush (self);
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (self->writer);
      self->writer = NULL;
    }
  /* the writer left these for later: there is no later */
  while ((task = g_queue_pop_head (&self->prunes)) != NULL)
    {
      g_task_return_new_error (task, ARB_ERROR, ARB_ERROR_UNAVAILABLE,
                               "the database was closed before the old rows were deleted");
      g_object_unref (task);
    }
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  for (guint i = 0; i < N_PRUNE_TABLES; i++)
    g_clear_pointer (&self->prune_stmts[i], sqlite3_finalize);
  g_clear_pointer (&self->wdb, sqlite3_close);
  g_clear_pointer (&self->db, sqlite3_close);
}

static void
arb_store_finalize (GObject *object)
{
  ArbStore *self = ARB_STORE (object);

  arb_store_close (self);
  g_clear_pointer (&self->readers, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_cond_clear (&self->done_cond);
  g_free (self->path);

  G_OBJECT_CLASS (arb_store_parent_class)->finalize (object);
}

static void
arb_store_class_init (ArbStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_store_finalize;
}

static void
arb_store_init (ArbStore *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_cond_init (&self->done_cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->done);
  g_queue_init (&self->prunes);
  self->prune_chunk = ARB_STORE_PRUNE_CHUNK;
  self->rejected_max_rows = ARB_STORE_REJECTED_MAX_ROWS;
  self->rejected_max_bytes = ARB_STORE_REJECTED_MAX_BYTES;
  self->rejected_rows = -1;
  self->readers = g_async_queue_new_full (close_reader);
}

/**
 * arb_store_open:
 * @path: the database file, created when missing
 * @error: where to put an error
 *
 * Opens (creating and migrating as needed) the database and starts its
 * writer thread. Batch callbacks run on the thread-default main context of
 * the caller.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
ArbStore *
arb_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(ArbStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (ARB_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->context = g_main_context_ref_thread_default ();
  if (!_arb_store_create_private (path, error))
    return NULL;
  self->db = _arb_store_open_db (path, TRUE, error);
  if (self->db == NULL)
    return NULL;
  if (!_arb_store_migrate (self->db, error))
    return NULL;
  if (!_arb_store_prepare_writer (self, error))
    return NULL;
  self->writer = g_thread_new ("arb-store-writer", writer_main, self);
  return g_steal_pointer (&self);
}

const char *
arb_store_get_path (ArbStore *self)
{
  return self->path;
}

/* ---------------------------------------------------------------- start-up reads */

GPtrArray *
arb_store_load_bots (ArbStore  *self,
                     GError   **error)
{
  g_autoptr(GPtrArray) bots = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_stored_bot_free);
  sqlite3_stmt *s = NULL;
  int rc;

  if (!_arb_sql_prepare (self->db, "SELECT bot_id, name, version, strategy, quote, commands,"
                         " last_seq, last_seen FROM bots ORDER BY bot_id", &s, error,
                         "reading bots"))
    return NULL;
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbStoredBot *b = g_new0 (ArbStoredBot, 1);
      const char *commands = _arb_sql_col_text (s, 5);

      b->identity.bot_id = g_strdup (_arb_sql_col_text (s, 0));
      b->identity.name = g_strdup (_arb_sql_col_text (s, 1));
      b->identity.version = g_strdup (_arb_sql_col_text (s, 2));
      b->identity.strategy = g_strdup (_arb_sql_col_text (s, 3));
      b->identity.quote = g_strdup (_arb_sql_col_text (s, 4));
      b->identity.commands = commands != NULL && *commands != '\0'
                             ? g_strsplit (commands, ",", -1) : g_new0 (char *, 1);
      b->last_seq = sqlite3_column_int64 (s, 6);
      b->last_seen_ms = sqlite3_column_int64 (s, 7);
      g_ptr_array_add (bots, b);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      _arb_sql_error (self->db, error, "reading bots");
      return NULL;
    }
  return g_steal_pointer (&bots);
}

gboolean
arb_store_get_meta (ArbStore   *self,
                    const char *key,
                    gint64     *value)
{
  sqlite3_stmt *s = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?", -1, &s,
                          NULL) != SQLITE_OK)
    return FALSE;
  _arb_sql_bind_text (s, 1, key);
  if (sqlite3_step (s) == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (s, 0);
      found = TRUE;
    }
  sqlite3_finalize (s);
  return found;
}

GBytes *
arb_store_load_series (ArbStore   *self,
                       const char *name,
                       guint       tier)
{
  sqlite3_stmt *s = NULL;
  GBytes *bytes = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT data FROM series WHERE name = ? AND tier = ?", -1,
                          &s, NULL) != SQLITE_OK)
    return NULL;
  _arb_sql_bind_text (s, 1, name);
  sqlite3_bind_int (s, 2, tier);
  if (sqlite3_step (s) == SQLITE_ROW)
    bytes = g_bytes_new (sqlite3_column_blob (s, 0), sqlite3_column_bytes (s, 0));
  sqlite3_finalize (s);
  return bytes;
}

char **
arb_store_list_series (ArbStore *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT DISTINCT name FROM series ORDER BY name", -1, &s,
                          NULL) == SQLITE_OK)
    while (sqlite3_step (s) == SQLITE_ROW)
      g_strv_builder_add (names, _arb_sql_col_text (s, 0));
  sqlite3_finalize (s);
  return g_strv_builder_end (names);
}

/* ---------------------------------------------------------------- readers */

sqlite3 *
_arb_store_get_reader (ArbStore *self, GError **error)
{
  sqlite3 *db = g_async_queue_try_pop (self->readers);

  if (db != NULL)
    return db;
  db = _arb_store_open_db (self->path, FALSE, error);
  if (db != NULL)
    _arb_sql_exec (db, "PRAGMA query_only=1", NULL);
  return db;
}

void
_arb_store_put_reader (ArbStore *self, sqlite3 *db)
{
  g_async_queue_push (self->readers, db);
}

void
_arb_store_task_return (GTask *task, gpointer result, GDestroyNotify free_func, GError *error)
{
  if (result != NULL)
    g_task_return_pointer (task, result, free_func);
  else
    g_task_return_error (task, error);
}

void
arb_stored_bot_free (ArbStoredBot *bot)
{
  if (bot == NULL)
    return;
  arb_bot_identity_clear (&bot->identity);
  g_free (bot);
}
