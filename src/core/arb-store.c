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
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arb-hub.h"
#include "arb-json.h"
#include "arb-store.h"
#include "arb-store-private.h"

struct _ArbStoreBatch
{
  char              *bot_id;
  GPtrArray         *events;     /* ArbEvent*, owned */
  GArray            *hub_seqs;   /* gint64, parallel to events */
  gint64             prev_seq;   /* the stored last_seq this batch continues */
  gint64             last_seq;   /* 0: unchanged */
  ArbHello          *hello;      /* owned copy of the strings, or NULL */
  gint64             seen_ms;
  GPtrArray         *commands;   /* ArbCommand*, owned */
  GPtrArray         *series;     /* SeriesBlob*, owned */
  GArray            *meta;       /* MetaValue */
  GPtrArray         *alerts;     /* ArbAlert*, owned */
  GPtrArray         *rejected;   /* ArbRejected*, owned */
  ArbStoreBatchDone  done;
  gpointer           done_data;
};

typedef struct
{
  char   *name;
  guint   tier;
  GBytes *blob;
} SeriesBlob;

typedef struct
{
  char   *key;
  gint64  value;
} MetaValue;

enum {
  STMT_TRADE,
  STMT_OPPORTUNITY,
  STMT_LOG,
  STMT_LAST_SEQ,
  STMT_ADVANCE_SEQ,
  STMT_HELLO,
  STMT_COMMAND,
  STMT_SERIES,
  STMT_META,
  STMT_ALERT,
  STMT_REJECTED,
  N_STMTS
};

static const char *stmt_sql[N_STMTS] = {
  [STMT_TRADE] =
    "INSERT INTO trades (bot_id, seq, hub_seq, ts, id, pair, buy_venue, sell_venue,"
    " status, profit, chain, amount_in, amount_out, gas_used, gas_price_gwei, gas_cost, fees,"
    " latency_ms, tx_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (bot_id, seq) DO NOTHING",
  [STMT_OPPORTUNITY] =
    "INSERT INTO opportunities (bot_id, seq, hub_seq, ts, pair, buy_venue, sell_venue,"
    " spread_bps, expected_profit, taken, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (bot_id, seq) DO NOTHING",
  [STMT_LOG] =
    "INSERT INTO logs (bot_id, seq, hub_seq, ts, level, component, message)"
    " VALUES (?,?,?,?,?,?,?)",
  [STMT_LAST_SEQ] =
    "INSERT INTO bots (bot_id, last_seq) SELECT ?1, ?2 WHERE ?3 = 0 ON CONFLICT (bot_id)"
    " DO NOTHING",
  [STMT_ADVANCE_SEQ] =
    "UPDATE bots SET last_seq = ?2 WHERE bot_id = ?1 AND last_seq = ?3",
  [STMT_HELLO] =
    "INSERT INTO bots (bot_id, name, version, strategy, quote, commands, last_seen)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT (bot_id) DO UPDATE SET name = excluded.name,"
    " version = excluded.version, strategy = excluded.strategy, quote = excluded.quote,"
    " commands = excluded.commands, last_seen = excluded.last_seen",
  [STMT_COMMAND] =
    "INSERT INTO commands (id, bot_id, name, args, role, token_name, created, finished, status,"
    " message, hub_seq) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT (id) DO UPDATE"
    " SET finished = excluded.finished, status = excluded.status, message = excluded.message,"
    " hub_seq = excluded.hub_seq",
  [STMT_SERIES] =
    "INSERT INTO series (name, tier, data) VALUES (?1,?2,?3) ON CONFLICT (name, tier)"
    " DO UPDATE SET data = excluded.data",
  [STMT_ALERT] =
    "INSERT INTO alerts (id, rule, subject, severity, message, value, threshold, raised, cleared,"
    " hub_seq) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT (id) DO UPDATE SET"
    " message = excluded.message, value = excluded.value, cleared = excluded.cleared,"
    " hub_seq = excluded.hub_seq",
  [STMT_REJECTED] =
    "INSERT INTO rejected (bot_id, seq, ts, code, field, message, raw, raw_bytes)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
  [STMT_META] =
    "INSERT INTO meta (key, value) VALUES (?1,?2) ON CONFLICT (key)"
    " DO UPDATE SET value = excluded.value",
};

/* Each entry upgrades the schema by one version; never edit a released one. */
static const char *migrations[] = {
  /* 1 */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE bots (bot_id TEXT PRIMARY KEY, name TEXT, version TEXT, strategy TEXT,"
  " quote TEXT, commands TEXT, last_seq INTEGER NOT NULL DEFAULT 0,"
  " last_seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
  "CREATE TABLE trades (row INTEGER PRIMARY KEY, bot_id TEXT NOT NULL, seq INTEGER NOT NULL,"
  " hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, id TEXT NOT NULL, pair TEXT NOT NULL,"
  " buy_venue TEXT NOT NULL, sell_venue TEXT NOT NULL, status TEXT NOT NULL,"
  " profit REAL NOT NULL, chain TEXT, amount_in TEXT, amount_out TEXT, gas_used INTEGER,"
  " gas_price_gwei REAL, gas_cost REAL, fees REAL, latency_ms REAL, tx_hash TEXT,"
  " UNIQUE (bot_id, seq));"
  "CREATE INDEX trades_bot_ts ON trades (bot_id, ts, row);"
  "CREATE INDEX trades_ts ON trades (ts, row);"
  "CREATE TABLE opportunities (row INTEGER PRIMARY KEY, bot_id TEXT NOT NULL,"
  " seq INTEGER NOT NULL, hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, pair TEXT NOT NULL,"
  " buy_venue TEXT NOT NULL, sell_venue TEXT NOT NULL, spread_bps REAL NOT NULL,"
  " expected_profit REAL NOT NULL, taken INTEGER NOT NULL, reason TEXT, UNIQUE (bot_id, seq));"
  "CREATE INDEX opportunities_ts ON opportunities (ts);"
  "CREATE TABLE logs (row INTEGER PRIMARY KEY, bot_id TEXT, seq INTEGER,"
  " hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, level TEXT NOT NULL, component TEXT,"
  " message TEXT NOT NULL);"
  "CREATE INDEX logs_ts ON logs (ts);"
  "CREATE TABLE commands (id TEXT PRIMARY KEY, bot_id TEXT NOT NULL, name TEXT NOT NULL,"
  " args TEXT NOT NULL, role TEXT, token_name TEXT, created INTEGER NOT NULL,"
  " finished INTEGER, status TEXT NOT NULL, message TEXT, hub_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX commands_created ON commands (created);"
  "CREATE TABLE series (name TEXT NOT NULL, tier INTEGER NOT NULL, data BLOB NOT NULL,"
  " PRIMARY KEY (name, tier)) WITHOUT ROWID;",
  /* 2: viewers that come back with `since` are replayed from the store by hub seq */
  "CREATE INDEX trades_hub_seq ON trades (hub_seq);"
  "CREATE INDEX opportunities_hub_seq ON opportunities (hub_seq);"
  "CREATE INDEX logs_hub_seq ON logs (hub_seq);"
  "CREATE INDEX commands_hub_seq ON commands (hub_seq);",
  /* 3: alerts */
  "CREATE TABLE alerts (id TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT NOT NULL,"
  " severity TEXT NOT NULL, message TEXT NOT NULL, value REAL, threshold REAL,"
  " raised INTEGER NOT NULL, cleared INTEGER, hub_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX alerts_raised ON alerts (raised);"
  "CREATE INDEX alerts_hub_seq ON alerts (hub_seq);",
  /* 4: the log of refused bot messages (raw is a BLOB: it may not be UTF-8) */
  "CREATE TABLE rejected (row INTEGER PRIMARY KEY, bot_id TEXT, seq INTEGER,"
  " ts INTEGER NOT NULL, code TEXT NOT NULL, field TEXT, message TEXT NOT NULL,"
  " raw BLOB NOT NULL, raw_bytes INTEGER NOT NULL);"
  "CREATE INDEX rejected_ts ON rejected (ts);"
  "CREATE INDEX rejected_bot ON rejected (bot_id, row);",
  /* No index per sort column of the trade history: five of them took 40 % of
   * the ingest rate (47,000 to 28,000 events/s, harness ingest, one bot), while
   * sorting the matches of a page costs ~45 ms at 315,000 trades. */
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ARB_STORE_SCHEMA_VERSION);

const double arb_store_commit_bounds[ARB_STORE_COMMIT_BUCKETS] = {
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, G_MAXDOUBLE,
};

/* trades, opportunities, logs, commands, alerts, rejected: see prune_tables */
#define N_PRUNE_TABLES 6
#define PRUNE_REJECTED 5

struct _ArbStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;        /* main thread: start-up reads, set_meta_now */
  GMainContext *context;   /* where batch callbacks run */

  /* writer */
  GThread      *writer;
  sqlite3      *wdb;
  sqlite3_stmt *stmts[N_STMTS];
  GMutex        lock;
  GCond         cond;
  GQueue        queue;     /* ArbStoreBatch*, guarded by lock */
  guint         in_flight; /* batches taken by the writer, not yet called back */
  gboolean      stopping;
  ArbStoreStats stats;     /* guarded by lock */

  /* completions waiting for the main context */
  GQueue        done;      /* ArbStoreBatch*, guarded by lock; error set on each */
  GCond         done_cond;
  guint         done_source;

  GAsyncQueue  *readers;   /* idle read-only connections */

  /* pruning, on the writer thread between commits */
  GQueue        prunes;    /* GTask*, guarded by lock; the head is under way */
  sqlite3_stmt *prune_stmts[N_PRUNE_TABLES];  /* prepared on first use */
  guint         prune_chunk;

  /* the log of refused messages: its caps (guarded by lock), and what it
   * holds (writer thread only; -1: to be counted again) */
  guint         rejected_max_rows;
  gsize         rejected_max_bytes;
  gint64        rejected_rows;
  gint64        rejected_bytes;
};

G_DEFINE_FINAL_TYPE (ArbStore, arb_store, G_TYPE_OBJECT)

/* ---------------------------------------------------------------- batches */

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
  g_free (h->bot_id);
  g_free (h->name);
  g_free (h->version);
  g_free (h->strategy);
  g_free (h->quote);
  g_strfreev (h->commands);
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

  copy->bot_id = g_strdup (hello->bot_id);
  copy->name = g_strdup (hello->name);
  copy->version = g_strdup (hello->version);
  copy->strategy = g_strdup (hello->strategy);
  copy->quote = g_strdup (hello->quote);
  copy->commands = g_strdupv (hello->commands);
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

void
arb_stored_bot_free (ArbStoredBot *bot)
{
  if (bot == NULL)
    return;
  g_free (bot->bot_id);
  g_free (bot->name);
  g_free (bot->version);
  g_free (bot->strategy);
  g_free (bot->quote);
  g_strfreev (bot->commands);
  g_free (bot);
}

/* ---------------------------------------------------------------- sqlite helpers */

static gboolean
sql_error (sqlite3 *db, GError **error, const char *what)
{
  int code = sqlite3_extended_errcode (db);
  ArbErrorCode arb = (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_BUSY ||
                     (code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_READONLY ||
                     (code & 0xff) == SQLITE_CANTOPEN
                     ? ARB_ERROR_UNAVAILABLE : ARB_ERROR_INTERNAL;

  g_set_error (error, ARB_ERROR, arb, "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

static gboolean
exec_sql (sqlite3 *db, const char *sql, GError **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return sql_error (db, error, "database");
  return TRUE;
}

static void
bind_text (sqlite3_stmt *s, int i, const char *v)
{
  if (v != NULL)
    sqlite3_bind_text (s, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, i);
}

static void
bind_double (sqlite3_stmt *s, int i, double v)
{
  if (isnan (v))
    sqlite3_bind_null (s, i);
  else
    sqlite3_bind_double (s, i, v);
}

static void
bind_opt_int (sqlite3_stmt *s, int i, gint64 v)
{
  if (v < 0)
    sqlite3_bind_null (s, i);
  else
    sqlite3_bind_int64 (s, i, v);
}

static const char *
col_text (sqlite3_stmt *s, int i)
{
  return (const char *) sqlite3_column_text (s, i);
}

static double
col_double (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_NULL ? NAN : sqlite3_column_double (s, i);
}

static gint64
col_opt_int (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64 (s, i);
}

/* SQLite creates a missing database with the umask's mode (0644 as a rule),
 * and its -wal and -shm files with the database's. The file holds trading
 * data and the audit log: make it first, readable by its owner only. One that
 * exists keeps its mode: someone chose it. */
static gboolean
create_private (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  if (errno == EEXIST)
    return TRUE;
  g_set_error (error, ARB_ERROR, ARB_ERROR_UNAVAILABLE, "cannot create database %s: %s", path,
               g_strerror (errno));
  return FALSE;
}

static sqlite3 *
open_db (const char *path, gboolean create, GError **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_UNAVAILABLE, "cannot open database %s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  /* WAL lets readers run beside the writer; FULL makes each commit survive
   * power loss, not only a crash of the process. */
  if (!exec_sql (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

static gboolean
migrate (sqlite3 *db, GError **error)
{
  sqlite3_stmt *s = NULL;
  int version = 0;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return sql_error (db, error, "reading the schema version");
  if (sqlite3_step (s) == SQLITE_ROW)
    version = sqlite3_column_int (s, 0);
  sqlite3_finalize (s);

  if (version > ARB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_CONFLICT,
                   "the database has schema version %d, newer than this arbdash knows (%d); "
                   "use a newer arbdash or another --db", version, ARB_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  for (; version < ARB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], error) || !exec_sql (db, bump, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "migrating the database to version %d: ", version + 1);
          return FALSE;
        }
      if (!exec_sql (db, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- writer */

static gboolean
step (ArbStore *self, int which, GError **error)
{
  sqlite3_stmt *s = self->stmts[which];
  int rc = sqlite3_step (s);

  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  if (rc != SQLITE_DONE)
    return sql_error (self->wdb, error, "writing");
  return TRUE;
}

static gboolean
write_trade (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
             GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_TRADE];
  const ArbTrade *t = &e->trade;

  bind_text (s, 1, bot_id);
  sqlite3_bind_int64 (s, 2, e->seq);
  sqlite3_bind_int64 (s, 3, hub_seq);
  sqlite3_bind_int64 (s, 4, e->ts);
  bind_text (s, 5, t->id);
  bind_text (s, 6, t->pair);
  bind_text (s, 7, t->buy_venue);
  bind_text (s, 8, t->sell_venue);
  bind_text (s, 9, arb_trade_status_name (t->status));
  sqlite3_bind_double (s, 10, t->profit);
  bind_text (s, 11, t->chain);
  bind_text (s, 12, t->amount_in);
  bind_text (s, 13, t->amount_out);
  bind_opt_int (s, 14, t->gas_used);
  bind_double (s, 15, t->gas_price_gwei);
  bind_double (s, 16, t->gas_cost);
  bind_double (s, 17, t->fees);
  bind_double (s, 18, t->latency_ms);
  bind_text (s, 19, t->tx_hash);
  return step (self, STMT_TRADE, error);
}

static gboolean
write_opportunity (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
                   GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_OPPORTUNITY];
  const ArbOpportunity *o = &e->opportunity;

  bind_text (s, 1, bot_id);
  sqlite3_bind_int64 (s, 2, e->seq);
  sqlite3_bind_int64 (s, 3, hub_seq);
  sqlite3_bind_int64 (s, 4, e->ts);
  bind_text (s, 5, o->pair);
  bind_text (s, 6, o->buy_venue);
  bind_text (s, 7, o->sell_venue);
  sqlite3_bind_double (s, 8, o->spread_bps);
  sqlite3_bind_double (s, 9, o->expected_profit);
  sqlite3_bind_int (s, 10, o->taken ? 1 : 0);
  bind_text (s, 11, o->reason);
  return step (self, STMT_OPPORTUNITY, error);
}

static gboolean
write_log (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
           GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_LOG];

  bind_text (s, 1, bot_id);
  if (e->seq > 0)
    sqlite3_bind_int64 (s, 2, e->seq);
  sqlite3_bind_int64 (s, 3, hub_seq);
  sqlite3_bind_int64 (s, 4, e->ts);
  bind_text (s, 5, arb_log_level_name (e->log.level));
  bind_text (s, 6, e->log.component);
  bind_text (s, 7, e->log.message);
  return step (self, STMT_LOG, error);
}

static gboolean
write_events (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; i < b->events->len; i++)
    {
      const ArbEvent *e = g_ptr_array_index (b->events, i);
      gint64 hub_seq = g_array_index (b->hub_seqs, gint64, i);
      gboolean ok = TRUE;

      if (e->type == ARB_MSG_TRADE)
        ok = write_trade (self, b->bot_id, e, hub_seq, error);
      else if (e->type == ARB_MSG_OPPORTUNITY)
        ok = write_opportunity (self, b->bot_id, e, hub_seq, error);
      else if (e->type == ARB_MSG_LOG)
        ok = write_log (self, b->bot_id, e, hub_seq, error);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_hello (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_HELLO];
  g_autofree char *commands = g_strjoinv (",", b->hello->commands);

  bind_text (s, 1, b->hello->bot_id);
  bind_text (s, 2, b->hello->name);
  bind_text (s, 3, b->hello->version);
  bind_text (s, 4, b->hello->strategy);
  bind_text (s, 5, b->hello->quote);
  bind_text (s, 6, commands);
  sqlite3_bind_int64 (s, 7, b->seen_ms);
  return step (self, STMT_HELLO, error);
}

static gboolean
write_command (ArbStore *self, const ArbCommand *c, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_COMMAND];

  bind_text (s, 1, c->id);
  bind_text (s, 2, c->bot_id);
  bind_text (s, 3, c->name);
  bind_text (s, 4, c->args_json);
  bind_text (s, 5, c->role);
  bind_text (s, 6, c->token_name);
  sqlite3_bind_int64 (s, 7, c->created_ms);
  if (c->finished_ms > 0)
    sqlite3_bind_int64 (s, 8, c->finished_ms);
  bind_text (s, 9, arb_command_status_name (c->status));
  bind_text (s, 10, c->message);
  sqlite3_bind_int64 (s, 11, c->hub_seq);
  return step (self, STMT_COMMAND, error);
}

static gboolean
write_alert (ArbStore *self, const ArbAlert *a, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_ALERT];

  bind_text (s, 1, a->id);
  bind_text (s, 2, a->rule);
  bind_text (s, 3, a->subject);
  bind_text (s, 4, arb_alert_severity_name (a->severity));
  bind_text (s, 5, a->message);
  bind_double (s, 6, a->value);
  bind_double (s, 7, a->threshold);
  sqlite3_bind_int64 (s, 8, a->raised_ms);
  if (a->cleared_ms > 0)
    sqlite3_bind_int64 (s, 9, a->cleared_ms);
  sqlite3_bind_int64 (s, 10, a->hub_seq);
  return step (self, STMT_ALERT, error);
}

static gboolean
write_extras (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; b->alerts != NULL && i < b->alerts->len; i++)
    if (!write_alert (self, g_ptr_array_index (b->alerts, i), error))
      return FALSE;
  for (guint i = 0; b->commands != NULL && i < b->commands->len; i++)
    if (!write_command (self, g_ptr_array_index (b->commands, i), error))
      return FALSE;
  for (guint i = 0; b->series != NULL && i < b->series->len; i++)
    {
      SeriesBlob *sb = g_ptr_array_index (b->series, i);
      sqlite3_stmt *s = self->stmts[STMT_SERIES];
      gsize len;
      gconstpointer data = g_bytes_get_data (sb->blob, &len);

      bind_text (s, 1, sb->name);
      sqlite3_bind_int (s, 2, sb->tier);
      /* a NULL pointer would bind NULL, which the column refuses: "" is an empty blob */
      sqlite3_bind_blob (s, 3, data != NULL ? data : "", len, SQLITE_STATIC);
      if (!step (self, STMT_SERIES, error))
        return FALSE;
    }
  for (guint i = 0; b->meta != NULL && i < b->meta->len; i++)
    {
      MetaValue *m = &g_array_index (b->meta, MetaValue, i);
      sqlite3_stmt *s = self->stmts[STMT_META];

      bind_text (s, 1, m->key);
      sqlite3_bind_int64 (s, 2, m->value);
      if (!step (self, STMT_META, error))
        return FALSE;
    }
  return TRUE;
}

/* A batch applies only on top of the very last_seq it was built on, so a
 * batch behind a failed one can never leave a hole below last_seq. */
static gboolean
write_last_seq (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_LAST_SEQ];

  bind_text (s, 1, b->bot_id);
  sqlite3_bind_int64 (s, 2, b->last_seq);
  sqlite3_bind_int64 (s, 3, b->prev_seq);
  if (!step (self, STMT_LAST_SEQ, error))
    return FALSE;
  if (sqlite3_changes (self->wdb) == 1)
    return TRUE;
  s = self->stmts[STMT_ADVANCE_SEQ];
  bind_text (s, 1, b->bot_id);
  sqlite3_bind_int64 (s, 2, b->last_seq);
  sqlite3_bind_int64 (s, 3, b->prev_seq);
  if (!step (self, STMT_ADVANCE_SEQ, error))
    return FALSE;
  if (sqlite3_changes (self->wdb) == 1)
    return TRUE;
  g_set_error (error, ARB_ERROR, ARB_ERROR_CONFLICT,
               "bot %s: events after seq %" G_GINT64_FORMAT " do not continue the stored seq",
               b->bot_id, b->prev_seq);
  return FALSE;
}

static gboolean
write_rejected (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; b->rejected != NULL && i < b->rejected->len; i++)
    {
      ArbRejected *r = g_ptr_array_index (b->rejected, i);
      sqlite3_stmt *s = self->stmts[STMT_REJECTED];
      gsize len;
      gconstpointer data = g_bytes_get_data (r->raw, &len);

      bind_text (s, 1, r->bot_id);
      if (r->seq > 0)
        sqlite3_bind_int64 (s, 2, r->seq);
      sqlite3_bind_int64 (s, 3, r->ts);
      bind_text (s, 4, arb_error_code_name (r->code));
      bind_text (s, 5, r->field);
      bind_text (s, 6, r->message);
      sqlite3_bind_blob (s, 7, data != NULL ? data : "", len, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 8, r->raw_bytes);
      if (!step (self, STMT_REJECTED, error))
        return FALSE;
      r->row = sqlite3_last_insert_rowid (self->wdb);
    }
  return TRUE;
}

static gboolean
write_batch (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  if (b->hello != NULL && !write_hello (self, b, error))
    return FALSE;
  if (!write_events (self, b, error))
    return FALSE;
  if (b->last_seq > 0 && !write_last_seq (self, b, error))
    return FALSE;
  if (!write_rejected (self, b, error))
    return FALSE;
  return write_extras (self, b, error);
}

/* What the log of refused messages holds, counted once and then kept up to
 * date by the writer, so that a flood of refusals costs no scan per commit. */
static gboolean
count_rejected (ArbStore *self)
{
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;

  if (self->rejected_rows >= 0)
    return TRUE;
  if (sqlite3_prepare_v2 (self->wdb, "SELECT count(*), total(length(raw)) FROM rejected", -1, &s,
                          NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    {
      self->rejected_rows = sqlite3_column_int64 (s, 0);
      self->rejected_bytes = (gint64) sqlite3_column_double (s, 1);
      ok = TRUE;
    }
  sqlite3_finalize (s);
  return ok;
}

/* Deletes the oldest refused messages until the log is within its caps,
 * inside the group's transaction: the log never passes them on disk. */
static void
cap_rejected (ArbStore *self, guint max_rows, gsize max_bytes)
{
  while (count_rejected (self) &&
         (self->rejected_rows > max_rows || self->rejected_bytes > (gint64) max_bytes))
    {
      sqlite3_stmt *s = NULL;
      gint64 last = 0, rows = self->rejected_rows, bytes = self->rejected_bytes;
      g_autofree char *sql = NULL;

      if (sqlite3_prepare_v2 (self->wdb, "SELECT row, length(raw) FROM rejected ORDER BY row"
                              " LIMIT 1000", -1, &s, NULL) != SQLITE_OK)
        break;
      while ((rows > max_rows || bytes > (gint64) max_bytes) && sqlite3_step (s) == SQLITE_ROW)
        {
          last = sqlite3_column_int64 (s, 0);
          rows--;
          bytes -= sqlite3_column_int64 (s, 1);
        }
      sqlite3_finalize (s);
      sql = g_strdup_printf ("DELETE FROM rejected WHERE row <= %" G_GINT64_FORMAT, last);
      if (last == 0 || !exec_sql (self->wdb, sql, NULL))
        {
          self->rejected_rows = -1;
          break;
        }
      self->rejected_rows = rows;
      self->rejected_bytes = bytes;
    }
}

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

  if (!exec_sql (self->wdb, "BEGIN IMMEDIATE", &commit_error))
    goto out;
  for (GList *l = work->head; l != NULL; l = l->next)
    {
      Done d = { l->data, NULL };

      exec_sql (self->wdb, "SAVEPOINT b", NULL);
      if (!write_batch (self, d.batch, &d.error))
        exec_sql (self->wdb, "ROLLBACK TO b", NULL);
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
      exec_sql (self->wdb, "RELEASE b", NULL);
      g_array_append_val (results, d);
    }
  if (rejected)
    cap_rejected (self, max_rows, max_bytes);
  if (!exec_sql (self->wdb, "COMMIT", &commit_error))
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

/* ---------------------------------------------------------------- pruning (writer side) */

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

/* Rows deleted per transaction: small enough that batches behind a chunk
 * wait milliseconds, not the whole prune. */
#define PRUNE_CHUNK 5000

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
        return sql_error (self->wdb, error, "deleting old rows");
      self->prune_stmts[p->table] = s;
    }
  if (!exec_sql (self->wdb, "BEGIN IMMEDIATE", error))
    return FALSE;
  sqlite3_bind_int64 (s, 1, p->cutoff_ms);
  sqlite3_bind_int64 (s, 2, p->chunk);
  rc = sqlite3_step (s);
  sqlite3_reset (s);
  n = sqlite3_changes64 (self->wdb);
  if (rc != SQLITE_DONE)
    sql_error (self->wdb, error, "deleting old rows");
  if (rc != SQLITE_DONE || !exec_sql (self->wdb, "COMMIT", error))
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
static void
prune_step (ArbStore *self, GTask *task)
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
          prune_step (self, prune);
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
  g_task_set_source_tag (task, arb_store_prune_async);
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

void
_arb_store_set_rejected_caps (ArbStore *self,
                              guint     rows,
                              gsize     bytes)
{
  g_mutex_lock (&self->lock);
  self->rejected_max_rows = rows;
  self->rejected_max_bytes = bytes;
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
  self->prune_chunk = PRUNE_CHUNK;
  self->rejected_max_rows = ARB_STORE_REJECTED_MAX_ROWS;
  self->rejected_max_bytes = ARB_STORE_REJECTED_MAX_BYTES;
  self->rejected_rows = -1;
  self->readers = g_async_queue_new_full (close_reader);
}

static gboolean
prepare_writer (ArbStore *self, GError **error)
{
  self->wdb = open_db (self->path, FALSE, error);
  if (self->wdb == NULL)
    return FALSE;
  for (guint i = 0; i < N_STMTS; i++)
    if (sqlite3_prepare_v3 (self->wdb, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &self->stmts[i], NULL) != SQLITE_OK)
      return sql_error (self->wdb, error, "preparing statements");
  return TRUE;
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
  if (!create_private (path, error))
    return NULL;
  self->db = open_db (path, TRUE, error);
  if (self->db == NULL)
    return NULL;
  if (!migrate (self->db, error))
    return NULL;
  if (!prepare_writer (self, error))
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

  if (sqlite3_prepare_v2 (self->db, "SELECT bot_id, name, version, strategy, quote, commands,"
                          " last_seq, last_seen FROM bots ORDER BY bot_id", -1, &s,
                          NULL) != SQLITE_OK)
    {
      sql_error (self->db, error, "reading bots");
      return NULL;
    }
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbStoredBot *b = g_new0 (ArbStoredBot, 1);
      const char *commands = col_text (s, 5);

      b->bot_id = g_strdup (col_text (s, 0));
      b->name = g_strdup (col_text (s, 1));
      b->version = g_strdup (col_text (s, 2));
      b->strategy = g_strdup (col_text (s, 3));
      b->quote = g_strdup (col_text (s, 4));
      b->commands = commands != NULL && *commands != '\0' ? g_strsplit (commands, ",", -1)
                                                          : g_new0 (char *, 1);
      b->last_seq = sqlite3_column_int64 (s, 6);
      b->last_seen_ms = sqlite3_column_int64 (s, 7);
      g_ptr_array_add (bots, b);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      sql_error (self->db, error, "reading bots");
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
  bind_text (s, 1, key);
  if (sqlite3_step (s) == SQLITE_ROW)
    {
      *value = sqlite3_column_int64 (s, 0);
      found = TRUE;
    }
  sqlite3_finalize (s);
  return found;
}

gboolean
arb_store_set_meta_now (ArbStore    *self,
                        const char  *key,
                        gint64       value,
                        GError     **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, stmt_sql[STMT_META], -1, &s, NULL) != SQLITE_OK)
    return sql_error (self->db, error, "writing meta");
  bind_text (s, 1, key);
  sqlite3_bind_int64 (s, 2, value);
  rc = sqlite3_step (s);
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return sql_error (self->db, error, "writing meta");
  return TRUE;
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
  bind_text (s, 1, name);
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
      g_strv_builder_add (names, col_text (s, 0));
  sqlite3_finalize (s);
  return g_strv_builder_end (names);
}

/* ---------------------------------------------------------------- readers */

static sqlite3 *
get_reader (ArbStore *self, GError **error)
{
  sqlite3 *db = g_async_queue_try_pop (self->readers);

  if (db != NULL)
    return db;
  db = open_db (self->path, FALSE, error);
  if (db != NULL)
    exec_sql (db, "PRAGMA query_only=1", NULL);
  return db;
}

static void
put_reader (ArbStore *self, sqlite3 *db)
{
  g_async_queue_push (self->readers, db);
}

/* ---------------------------------------------------------------- trade queries */

typedef enum
{
  KEY_INT,
  KEY_NUMBER,
  KEY_TEXT,
} KeyType;

/* SQLite cannot compare a NULL with a cursor's key, so a trade without a gas
 * cost sorts as -inf, below every cost. */
#define GAS_COST_KEY "ifnull(gas_cost, -1e999)"

/* What each order sorts by: an SQL expression; only the time has an index
 * on (key, row) (trades_ts, and trades_bot_ts for one bot). */
static const struct
{
  const char *name;   /* in cursors and the REST API */
  const char *key;
  KeyType     type;
} trade_sorts[ARB_TRADE_N_SORTS] = {
  [ARB_TRADE_SORT_TIME] = { "time", "ts", KEY_INT },
  [ARB_TRADE_SORT_PROFIT] = { "profit", "profit", KEY_NUMBER },
  [ARB_TRADE_SORT_GAS_COST] = { "gas_cost", GAS_COST_KEY, KEY_NUMBER },
  [ARB_TRADE_SORT_PAIR] = { "pair", "pair", KEY_TEXT },
  [ARB_TRADE_SORT_BOT] = { "bot_id", "bot_id", KEY_TEXT },
  [ARB_TRADE_SORT_STATUS] = { "status", "status", KEY_TEXT },
};

/**
 * arb_trade_sort_name:
 *
 * Returns: the name of @sort in the REST API: "time", "profit", "gas_cost",
 *   "pair", "bot_id" or "status"
 */
const char *
arb_trade_sort_name (ArbTradeSort sort)
{
  g_return_val_if_fail ((guint) sort < ARB_TRADE_N_SORTS, NULL);
  return trade_sorts[sort].name;
}

/**
 * arb_trade_sort_parse:
 * @sort: (out): the order named @name
 *
 * Returns: whether @name is the name of an order
 */
gboolean
arb_trade_sort_parse (const char   *name,
                      ArbTradeSort *sort)
{
  for (guint i = 0; i < ARB_TRADE_N_SORTS; i++)
    if (g_strcmp0 (name, trade_sorts[i].name) == 0)
      {
        *sort = (ArbTradeSort) i;
        return TRUE;
      }
  return FALSE;
}

void
arb_trade_query_init (ArbTradeQuery *q)
{
  memset (q, 0, sizeof *q);
  q->status = -1;
  q->after = G_MININT64;
  q->before = G_MAXINT64;
  q->limit = 100;
  q->sort = ARB_TRADE_SORT_TIME;
  q->ascending = FALSE;
}

void
arb_trade_query_clear (ArbTradeQuery *q)
{
  g_clear_pointer (&q->bot_id, g_free);
  g_clear_pointer (&q->pair, g_free);
  g_clear_pointer (&q->cursor_text, g_free);
}

static ArbTradeQuery *
trade_query_copy (const ArbTradeQuery *q)
{
  ArbTradeQuery *c = g_memdup2 (q, sizeof *q);

  c->bot_id = g_strdup (q->bot_id);
  c->pair = g_strdup (q->pair);
  c->cursor_text = g_strdup (q->cursor_text);
  return c;
}

static void
trade_query_free (ArbTradeQuery *q)
{
  arb_trade_query_clear (q);
  g_free (q);
}

static gboolean
is_default_order (const ArbTradeQuery *q)
{
  return q->sort == ARB_TRADE_SORT_TIME && !q->ascending;
}

/* Longer than any cursor of ours: a text key is one string of a trade. */
#define CURSOR_MAX_LEN 16384

/* A cursor is text in URL-safe base64, so clients treat it as opaque and
 * cannot build one by accident. */
static char *
cursor_from_text (const char *plain)
{
  char *b64 = g_base64_encode ((const guchar *) plain, strlen (plain));

  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return b64;
}

/* Returns: (nullable): the text of @cursor, or NULL if it is not base64url
 * of UTF-8 without NULs */
static char *
cursor_to_text (const char *cursor)
{
  gsize len = strlen (cursor);
  g_autofree char *b64 = NULL;
  g_autofree guchar *plain = NULL;
  gsize plain_len = 0;

  if (len == 0 || len > CURSOR_MAX_LEN)
    return NULL;
  b64 = g_malloc0 (len + 4);
  for (gsize i = 0; i < len; i++)
    {
      char c = cursor[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      b64[i] = c;
    }
  while (len % 4 != 0)
    b64[len++] = '=';
  plain = g_base64_decode (b64, &plain_len);
  if (memchr (plain, '\0', plain_len) != NULL ||
      !g_utf8_validate ((const char *) plain, (gssize) plain_len, NULL))
    return NULL;
  return g_strndup ((const char *) plain, plain_len);
}

/* The cursor of the default order (newest first) is "v1:TS:ROW", as it
 * was before there were other orders. */
char *
arb_trade_cursor_encode (gint64 ts,
                         gint64 row)
{
  g_autofree char *plain = g_strdup_printf ("v1:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, ts, row);

  return cursor_from_text (plain);
}

#define TRADE_COLUMNS \
  "row, bot_id, seq, ts, id, pair, buy_venue, sell_venue, status, profit, chain, amount_in," \
  " amount_out, gas_used, gas_price_gwei, gas_cost, fees, latency_ms, tx_hash"

/* The sort key follows TRADE_COLUMNS in a trade query. */
#define TRADE_KEY_COLUMN 19

/* The cursor after the current row of @s, a row of a query of @q. Other
 * orders than the default are "v2:SORT:asc|desc:ROW:KEY": the order is in
 * it, so that a cursor of one order is not taken for another; KEY comes
 * last as a text key may hold ':'. A number is written to round-trip. */
static char *
cursor_after_row (const ArbTradeQuery *q, sqlite3_stmt *s)
{
  gint64 row = sqlite3_column_int64 (s, 0);
  g_autoptr(GString) plain = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (is_default_order (q))
    return arb_trade_cursor_encode (sqlite3_column_int64 (s, TRADE_KEY_COLUMN), row);
  plain = g_string_new (NULL);
  g_string_printf (plain, "v2:%s:%s:%" G_GINT64_FORMAT ":", trade_sorts[q->sort].name,
                   q->ascending ? "asc" : "desc", row);
  switch (trade_sorts[q->sort].type)
    {
    case KEY_INT:
      g_string_append_printf (plain, "%" G_GINT64_FORMAT,
                              (gint64) sqlite3_column_int64 (s, TRADE_KEY_COLUMN));
      break;
    case KEY_NUMBER:
      g_string_append (plain, g_ascii_dtostr (buf, sizeof buf,
                                              sqlite3_column_double (s, TRADE_KEY_COLUMN)));
      break;
    case KEY_TEXT:
    default:
      g_string_append (plain, col_text (s, TRADE_KEY_COLUMN));
      break;
    }
  return cursor_from_text (plain->str);
}

static gboolean
parse_number (const char *text, double *out)
{
  char *end = NULL;

  if (*text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && !isnan (*out);
}

/* Parses "v2:SORT:ORDER:ROW:KEY" of @q's order into the cursor fields. */
static gboolean
parse_cursor_v2 (ArbTradeQuery *q, const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 5);
  gint64 row, ts = 0;
  double number = 0;

  if (is_default_order (q) || g_strv_length (parts) != 5 || !g_str_equal (parts[0], "v2") ||
      !g_str_equal (parts[1], trade_sorts[q->sort].name) ||
      !g_str_equal (parts[2], q->ascending ? "asc" : "desc") ||
      !g_ascii_string_to_signed (parts[3], 10, 1, G_MAXINT64, &row, NULL))
    return FALSE;
  if (trade_sorts[q->sort].type == KEY_INT &&
      !g_ascii_string_to_signed (parts[4], 10, G_MININT64, G_MAXINT64, &ts, NULL))
    return FALSE;
  if (trade_sorts[q->sort].type == KEY_NUMBER && !parse_number (parts[4], &number))
    return FALSE;
  q->has_cursor = TRUE;
  q->cursor_row = row;
  q->cursor_ts = ts;
  q->cursor_number = number;
  g_free (q->cursor_text);
  q->cursor_text = trade_sorts[q->sort].type == KEY_TEXT ? g_strdup (parts[4]) : NULL;
  return TRUE;
}

/**
 * arb_trade_query_set_cursor:
 * @cursor: a next_cursor of a page of this query
 *
 * Makes @q read the page after @cursor. The cursor holds its order: set
 * @q's sort and direction first.
 *
 * Returns: whether @cursor is one of ours, of @q's order
 */
gboolean
arb_trade_query_set_cursor (ArbTradeQuery *q,
                            const char    *cursor)
{
  g_autofree char *text = cursor_to_text (cursor);
  g_auto(GStrv) parts = NULL;
  gint64 ts, row;

  if (text == NULL)
    return FALSE;
  if (!g_str_has_prefix (text, "v1:"))
    return parse_cursor_v2 (q, text);
  /* not sscanf(): a number beyond 64 bits is undefined behaviour there */
  parts = g_strsplit (text, ":", 4);
  if (!is_default_order (q) || g_strv_length (parts) != 3 ||
      !g_ascii_string_to_signed (parts[1], 10, G_MININT64, G_MAXINT64, &ts, NULL) ||
      !g_ascii_string_to_signed (parts[2], 10, 1, G_MAXINT64, &row, NULL))
    return FALSE;
  q->has_cursor = TRUE;
  q->cursor_ts = ts;
  q->cursor_row = row;
  return TRUE;
}

/* Fills @e (a trade) from a row of TRADE_COLUMNS; the strings are borrowed
 * from the statement, valid until the next step. */
static void
trade_from_row (sqlite3_stmt *s, ArbEvent *e)
{
  ArbTrade *t = &e->trade;

  e->type = ARB_MSG_TRADE;
  e->seq = sqlite3_column_int64 (s, 2);
  e->ts = sqlite3_column_int64 (s, 3);
  t->id = (char *) col_text (s, 4);
  t->pair = (char *) col_text (s, 5);
  t->buy_venue = (char *) col_text (s, 6);
  t->sell_venue = (char *) col_text (s, 7);
  arb_trade_status_parse (col_text (s, 8), &t->status);
  t->profit = sqlite3_column_double (s, 9);
  t->chain = (char *) col_text (s, 10);
  t->amount_in = (char *) col_text (s, 11);
  t->amount_out = (char *) col_text (s, 12);
  t->gas_used = col_opt_int (s, 13);
  t->gas_price_gwei = col_double (s, 14);
  t->gas_cost = col_double (s, 15);
  t->fees = col_double (s, 16);
  t->latency_ms = col_double (s, 17);
  t->tx_hash = (char *) col_text (s, 18);
}

#define OPPORTUNITY_COLUMNS \
  "row, bot_id, seq, ts, pair, buy_venue, sell_venue, spread_bps, expected_profit, taken, reason"

/* Fills @e (an opportunity) from a row of OPPORTUNITY_COLUMNS; the strings
 * are borrowed from the statement, valid until the next step. */
static void
opportunity_from_row (sqlite3_stmt *s, ArbEvent *e)
{
  ArbOpportunity *o = &e->opportunity;

  e->type = ARB_MSG_OPPORTUNITY;
  e->seq = sqlite3_column_int64 (s, 2);
  e->ts = sqlite3_column_int64 (s, 3);
  o->pair = (char *) col_text (s, 4);
  o->buy_venue = (char *) col_text (s, 5);
  o->sell_venue = (char *) col_text (s, 6);
  o->spread_bps = sqlite3_column_double (s, 7);
  o->expected_profit = sqlite3_column_double (s, 8);
  o->taken = sqlite3_column_int (s, 9) != 0;
  o->reason = (char *) col_text (s, 10);
}

/* The statements that read a page. The first page reads from the start of
 * the order; a later one reads the trades that tie with the cursor's key
 * and come after its row, then those past its key. Each is a seek in the
 * order's index: SQLite does not seek to a row value (key, row) when row is
 * the rowid (it walks all the ties instead), but does to "key = ? AND
 * row < ?" and to "key < ?". */
typedef enum
{
  PART_FROM_START,
  PART_TIES,
  PART_PAST_KEY,
  N_PARTS
} PagePart;

static void
add_term (GString *sql, gboolean *first, const char *term)
{
  g_string_append (sql, *first ? " WHERE " : " AND ");
  g_string_append (sql, term);
  *first = FALSE;
}

static char *
trade_query_sql (const ArbTradeQuery *q, PagePart part)
{
  const char *key = trade_sorts[q->sort].key;
  const char *desc = q->ascending ? "" : " DESC";
  const char *past = q->ascending ? ">" : "<";
  gboolean by_time = q->sort == ARB_TRADE_SORT_TIME;
  /* where the cursor's key is no bound to seek to instead */
  gboolean seek_after = by_time && (part == PART_FROM_START ||
                                    (part == PART_PAST_KEY && !q->ascending));
  gboolean seek_before = by_time && (part == PART_FROM_START ||
                                     (part == PART_PAST_KEY && q->ascending));
  GString *sql = g_string_new (NULL);
  gboolean first = TRUE;
  g_autofree char *ties = g_strdup_printf ("%s = ?6 AND row %s ?7", key, past);
  g_autofree char *past_key = g_strdup_printf ("%s %s ?6", key, past);

  g_string_printf (sql, "SELECT " TRADE_COLUMNS ", %s FROM trades", key);
  /* The time order walks trades_ts (trades_bot_ts for a bot) and seeks to
   * its range: SQLite seeks to one bound a side only, so the other is written
   * "+ts", which it checks on the way. Other orders have no index of their
   * own: SQLite finds the matches (by bot or time where it can) and keeps
   * the page's first rows in order. */
  if (q->after != G_MININT64)
    add_term (sql, &first, seek_after || !by_time ? "ts > ?1" : "+ts > ?1");
  if (q->before != G_MAXINT64)
    add_term (sql, &first, seek_before || !by_time ? "ts < ?2" : "+ts < ?2");
  if (q->bot_id != NULL)
    add_term (sql, &first, "bot_id = ?3");
  if (q->pair != NULL)
    add_term (sql, &first, "pair = ?4");
  if (q->status >= 0)
    add_term (sql, &first, "status = ?5");
  if (part == PART_TIES)
    add_term (sql, &first, ties);
  else if (part == PART_PAST_KEY)
    add_term (sql, &first, past_key);
  /* the cursor key's ties, by row */
  if (part == PART_TIES)
    g_string_append_printf (sql, " ORDER BY row%s LIMIT ?8", desc);
  else
    g_string_append_printf (sql, " ORDER BY %s%s, row%s LIMIT ?8", key, desc, desc);
  return g_string_free (sql, FALSE);
}

static sqlite3_stmt *
prepare_trade_query (sqlite3 *db, const ArbTradeQuery *q, PagePart part, guint limit,
                     GError **error)
{
  g_autofree char *sql = trade_query_sql (q, part);
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (db, error, "querying trades");
      return NULL;
    }
  /* parameters the statement does not use are bound all the same: harmless */
  sqlite3_bind_int64 (s, 1, q->after);
  sqlite3_bind_int64 (s, 2, q->before);
  bind_text (s, 3, q->bot_id);
  bind_text (s, 4, q->pair);
  if (q->status >= 0)
    bind_text (s, 5, arb_trade_status_name (q->status));
  switch (trade_sorts[q->sort].type)
    {
    case KEY_INT:
      sqlite3_bind_int64 (s, 6, q->cursor_ts);
      break;
    case KEY_NUMBER:
      sqlite3_bind_double (s, 6, q->cursor_number);
      break;
    case KEY_TEXT:
    default:
      bind_text (s, 6, q->cursor_text);
      break;
    }
  sqlite3_bind_int64 (s, 7, q->cursor_row);
  sqlite3_bind_int64 (s, 8, limit);
  return s;
}

typedef void (*TradeRowFunc) (sqlite3_stmt *s, const ArbEvent *e, GString *out);

/* Runs @q, writing each row with @row into @out; returns whether there are
 * more rows, and then the cursor after the last one written. */
static gboolean
each_trade (sqlite3 *db, const ArbTradeQuery *q, TradeRowFunc row, GString *out,
            gboolean *more, char **next_cursor, GError **error)
{
  static const PagePart from_start[] = { PART_FROM_START };
  static const PagePart after_cursor[] = { PART_TIES, PART_PAST_KEY };
  const PagePart *parts = q->has_cursor ? after_cursor : from_start;
  guint n_parts = q->has_cursor ? G_N_ELEMENTS (after_cursor) : G_N_ELEMENTS (from_start);
  g_autofree char *cursor = NULL;
  guint n = 0;

  *more = FALSE;
  for (guint p = 0; p < n_parts && !*more; p++)
    {
      /* one row more than asked tells whether there is a next page */
      sqlite3_stmt *s = prepare_trade_query (db, q, parts[p], q->limit + 1 - n, error);
      int rc;

      if (s == NULL)
        return FALSE;
      while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        {
          ArbEvent e = { 0 };

          if (n == q->limit)
            {
              *more = TRUE;
              break;
            }
          trade_from_row (s, &e);
          row (s, &e, out);
          if (++n == q->limit)
            cursor = cursor_after_row (q, s);
        }
      sqlite3_finalize (s);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sql_error (db, error, "querying trades");
    }
  *next_cursor = *more ? g_steal_pointer (&cursor) : NULL;
  return TRUE;
}

static void
json_row (sqlite3_stmt *s, const ArbEvent *e, GString *out)
{
  arb_event_write_json (e, col_text (s, 1), out);
}

static char *
run_trade_query (sqlite3 *db, const ArbTradeQuery *q, GError **error)
{
  g_autoptr(GString) out = g_string_sized_new (512 * (q->limit + 1));
  g_autofree char *cursor = NULL;
  gboolean more;

  arb_json_object_begin (out);
  arb_json_key (out, "trades");
  arb_json_array_begin (out);
  if (!each_trade (db, q, json_row, out, &more, &cursor, error))
    return NULL;
  arb_json_array_end (out);
  arb_json_key (out, "next_cursor");
  if (cursor != NULL)
    arb_json_string (out, cursor);
  else
    arb_json_null (out);
  arb_json_object_end (out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/*
 * _arb_store_explain_trade_query:
 *
 * For tests: the query plans (EXPLAIN QUERY PLAN) of the statements that
 * read a page of @q, from the start and after a cursor, one line each step.
 */
char *
_arb_store_explain_trade_query (ArbStore             *self,
                                const ArbTradeQuery  *q,
                                GError              **error)
{
  sqlite3 *db = get_reader (self, error);
  g_autoptr(GString) out = g_string_new (NULL);

  if (db == NULL)
    return NULL;
  for (PagePart part = PART_FROM_START; part < N_PARTS; part++)
    {
      g_autofree char *sql = trade_query_sql (q, part);
      g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
      sqlite3_stmt *s = NULL;

      if (sqlite3_prepare_v2 (db, explain, -1, &s, NULL) != SQLITE_OK)
        {
          sql_error (db, error, "explaining a trade query");
          put_reader (self, db);
          return NULL;
        }
      while (sqlite3_step (s) == SQLITE_ROW)
        g_string_append_printf (out, "%d: %s\n", part, col_text (s, 3));
      sqlite3_finalize (s);
    }
  put_reader (self, db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
arb_store_query_trades (ArbStore             *self,
                        const ArbTradeQuery  *query,
                        GError              **error)
{
  sqlite3 *db = get_reader (self, error);
  char *result;

  if (db == NULL)
    return NULL;
  result = run_trade_query (db, query, error);
  put_reader (self, db);
  return result;
}

static void
query_trades_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  char *result = arb_store_query_trades (source, data, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, g_free);
  else
    g_task_return_error (task, error);
}

/* Runs @func in a reader thread on a copy of @query. */
static void
run_trade_task (ArbStore            *self,
                const ArbTradeQuery *query,
                GTaskThreadFunc      func,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, trade_query_copy (query), (GDestroyNotify) trade_query_free);
  g_task_run_in_thread (task, func);
}

void
arb_store_query_trades_async (ArbStore            *self,
                              const ArbTradeQuery *query,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  run_trade_task (self, query, query_trades_thread, arb_store_query_trades_async, cancellable,
                  callback, user_data);
}

char *
arb_store_query_trades_finish (ArbStore      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- ledger replay */

typedef struct
{
  ArbStoreTradeFunc func;
  gpointer          data;
  gint64            min_ts;
  gint64            max_trade_row;
  gint64            max_opportunity_row;
} Replay;

static gboolean
replay_table (sqlite3 *db, const char *sql, gboolean trades, Replay *r,
              GCancellable *cancellable, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) != SQLITE_OK)
    return sql_error (db, error, "reading the ledger");
  sqlite3_bind_int64 (s, 1, trades ? r->max_trade_row : r->max_opportunity_row);
  sqlite3_bind_int64 (s, 2, r->min_ts);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbEvent e = { 0 };

      if (trades)
        trade_from_row (s, &e);
      else
        {
          opportunity_from_row (s, &e);
        }
      r->func (col_text (s, 1), &e, r->data);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return sql_error (db, error, "reading the ledger");
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gint64
max_row (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *s = NULL;
  gint64 row = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    row = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  return row;
}

static void
replay_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ArbStore *self = source;
  GError *error = NULL;
  sqlite3 *db = get_reader (self, &error);
  gboolean ok;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  ok = replay_table (db, "SELECT " TRADE_COLUMNS " FROM trades WHERE row <= ?1 AND ts >= ?2"
                         " ORDER BY row", TRUE, data, cancellable, &error) &&
       replay_table (db, "SELECT " OPPORTUNITY_COLUMNS " FROM opportunities WHERE row <= ?1"
                         " AND ts >= ?2 ORDER BY row", FALSE, data, cancellable, &error);
  put_reader (self, db);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * arb_store_replay_ledger_async:
 * @min_ts: only rows with a `ts` of at least this (G_MININT64: all)
 *
 * Calls @func in a worker thread for every trade and opportunity stored
 * when this is called; rows committed later are not seen, so a caller that
 * feeds rows committed from now on to a live ledger counts each row once.
 * With the cutoff of a prune as @min_ts, it sees exactly the rows that the
 * prune keeps, whichever of the two runs first.
 */
void
arb_store_replay_ledger_async (ArbStore            *self,
                               gint64               min_ts,
                               ArbStoreTradeFunc    func,
                               gpointer             func_data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Replay *r = g_new (Replay, 1);

  r->func = func;
  r->data = func_data;
  r->min_ts = min_ts;
  /* the writer may be committing: let it finish so the boundary is exact */
  arb_store_flush (self);
  r->max_trade_row = max_row (self->db, "SELECT coalesce(max(row), 0) FROM trades");
  r->max_opportunity_row = max_row (self->db, "SELECT coalesce(max(row), 0) FROM opportunities");
  g_task_set_source_tag (task, arb_store_replay_ledger_async);
  g_task_set_task_data (task, r, g_free);
  g_task_run_in_thread (task, replay_thread);
}

gboolean
arb_store_replay_ledger_finish (ArbStore      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------- audit */

JsonNode *
arb_store_query_audit (ArbStore    *self,
                       const char  *bot_id,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, bot_id, name, args, role, token_name, created, finished,"
                          " status, message, hub_seq FROM commands"
                          " WHERE ?1 IS NULL OR bot_id = ?1 ORDER BY created DESC, rowid DESC"
                          " LIMIT ?2", -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (self->db, error, "reading the audit log");
      return NULL;
    }
  bind_text (s, 1, bot_id);
  sqlite3_bind_int (s, 2, limit);
  json_builder_begin_array (b);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      g_autoptr(ArbCommand) c = arb_command_new (col_text (s, 0), col_text (s, 1),
                                                 col_text (s, 2), col_text (s, 3),
                                                 col_text (s, 4), col_text (s, 5),
                                                 sqlite3_column_int64 (s, 6));
      c->finished_ms = sqlite3_column_int64 (s, 7);
      arb_command_status_parse (col_text (s, 8), &c->status);
      c->message = g_strdup (col_text (s, 9));
      c->hub_seq = sqlite3_column_int64 (s, 10);
      json_builder_add_value (b, arb_command_to_json (c));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      sql_error (self->db, error, "reading the audit log");
      return NULL;
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------- item replay */

typedef struct
{
  const char *sql;
  const char *topic;
  const char *kind;
} ItemTable;

#define ALERT_COLUMNS \
  "id, rule, subject, severity, message, value, threshold, raised, cleared, hub_seq"

static ArbAlert *
alert_from_row (sqlite3_stmt *s)
{
  ArbAlert *a = g_new0 (ArbAlert, 1);

  a->id = g_strdup (col_text (s, 0));
  a->rule = g_strdup (col_text (s, 1));
  a->subject = g_strdup (col_text (s, 2));
  a->severity = g_strcmp0 (col_text (s, 3), "critical") == 0 ? ARB_ALERT_CRITICAL
                                                             : ARB_ALERT_WARNING;
  a->message = g_strdup (col_text (s, 4));
  a->value = col_double (s, 5);
  a->threshold = col_double (s, 6);
  a->raised_ms = sqlite3_column_int64 (s, 7);
  a->cleared_ms = sqlite3_column_int64 (s, 8);
  a->hub_seq = sqlite3_column_int64 (s, 9);
  return a;
}

/* The alerts still active (cleared is NULL), oldest first. */
GPtrArray *
arb_store_load_active_alerts (ArbStore *self)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT " ALERT_COLUMNS " FROM alerts WHERE cleared IS NULL"
                          " ORDER BY raised", -1, &s, NULL) == SQLITE_OK)
    while (sqlite3_step (s) == SQLITE_ROW)
      g_ptr_array_add (alerts, alert_from_row (s));
  sqlite3_finalize (s);
  return alerts;
}

/* The @limit most recently raised alerts, newest first, as a JSON array. */
char *
arb_store_query_alerts (ArbStore  *self,
                        guint      limit,
                        GError   **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, "SELECT " ALERT_COLUMNS " FROM alerts"
                          " ORDER BY raised DESC, rowid DESC LIMIT ?", -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (self->db, error, "reading alerts");
      return NULL;
    }
  sqlite3_bind_int (s, 1, limit);
  arb_json_array_begin (out);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      g_autoptr(ArbAlert) a = alert_from_row (s);
      g_autofree char *json = arb_alert_to_json (a);
      arb_json_raw (out, json);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      sql_error (self->db, error, "reading alerts");
      return NULL;
    }
  arb_json_array_end (out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---------------------------------------------------------------- refused messages */

/* A page of raw messages is bounded in bytes too, as each may be 64 KiB. */
#define REJECTED_PAGE_BYTES (4 * 1024 * 1024)

/* "r1:ROW", in URL-safe base64 as the trade cursors */
char *
arb_rejected_cursor_encode (gint64 row)
{
  g_autofree char *plain = g_strdup_printf ("r1:%" G_GINT64_FORMAT, row);

  return cursor_from_text (plain);
}

gboolean
arb_rejected_cursor_parse (const char *cursor,
                           gint64     *row)
{
  g_autofree char *text = cursor_to_text (cursor);

  return text != NULL && g_str_has_prefix (text, "r1:") &&
         g_ascii_string_to_signed (text + 3, 10, 1, G_MAXINT64, row, NULL);
}

static ArbRejected *
rejected_from_row (sqlite3_stmt *s)
{
  ArbRejected *r = g_new0 (ArbRejected, 1);
  const char *code = col_text (s, 4);

  r->row = sqlite3_column_int64 (s, 0);
  r->bot_id = g_strdup (col_text (s, 1));
  r->seq = sqlite3_column_int64 (s, 2);
  r->ts = sqlite3_column_int64 (s, 3);
  r->code = ARB_ERROR_INTERNAL;
  for (guint c = 0; c <= ARB_ERROR_INTERNAL; c++)
    if (g_strcmp0 (code, arb_error_code_name (c)) == 0)
      r->code = c;
  r->field = g_strdup (col_text (s, 5));
  r->message = g_strdup (col_text (s, 6));
  r->raw = g_bytes_new (sqlite3_column_blob (s, 7), sqlite3_column_bytes (s, 7));
  r->raw_bytes = sqlite3_column_int64 (s, 8);
  return r;
}

static GPtrArray *
run_rejected_query (sqlite3 *db, const ArbRejectedQuery *q, gint64 *next_row, GError **error)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_rejected_free);
  sqlite3_stmt *s = NULL;
  gsize bytes = 0;
  int rc;

  *next_row = 0;
  /* the bot's index (bot_id, row) or the table's row order: no sort */
  if (sqlite3_prepare_v2 (db, "SELECT row, bot_id, seq, ts, code, field, message, raw, raw_bytes"
                          " FROM rejected WHERE (?1 IS NULL OR bot_id = ?1) AND row < ?2"
                          " ORDER BY row DESC LIMIT ?3", -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (db, error, "reading refused messages");
      return NULL;
    }
  bind_text (s, 1, q->bot_id);
  sqlite3_bind_int64 (s, 2, q->before_row > 0 ? q->before_row : G_MAXINT64);
  sqlite3_bind_int64 (s, 3, (gint64) q->limit + 1);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbRejected *last = page->len > 0 ? g_ptr_array_index (page, page->len - 1) : NULL;

      /* one row more than asked, or past the bytes: there is a next page */
      if (page->len == q->limit || (q->max_bytes > 0 && bytes >= q->max_bytes))
        {
          *next_row = last->row;
          break;
        }
      g_ptr_array_add (page, rejected_from_row (s));
      bytes += sqlite3_column_bytes (s, 7);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      sql_error (db, error, "reading refused messages");
      return NULL;
    }
  return g_steal_pointer (&page);
}

/**
 * arb_store_query_rejected:
 * @next_row: (out): the before_row of the next page, 0 on the last
 *
 * Reads on a reader connection: may be called from any thread.
 *
 * Returns: (transfer container) (element-type ArbRejected) (nullable): a
 *   page of refused messages, newest first
 */
GPtrArray *
arb_store_query_rejected (ArbStore               *self,
                          const ArbRejectedQuery *query,
                          gint64                 *next_row,
                          GError                **error)
{
  sqlite3 *db;
  GPtrArray *page;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);
  g_return_val_if_fail (query->limit >= 1, NULL);

  db = get_reader (self, error);
  if (db == NULL)
    return NULL;
  page = run_rejected_query (db, query, next_row, error);
  put_reader (self, db);
  return page;
}

typedef struct
{
  char             *bot_id;
  ArbRejectedQuery  query;
} RejectedTask;

static void
rejected_task_free (RejectedTask *t)
{
  g_free (t->bot_id);
  g_free (t);
}

static void
query_rejected_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  RejectedTask *t = data;
  GError *error = NULL;
  gint64 next_row = 0;
  g_autoptr(GPtrArray) page = arb_store_query_rejected (source, &t->query, &next_row, &error);
  GString *out;

  if (page == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  out = g_string_sized_new (1024);
  arb_json_object_begin (out);
  arb_json_key (out, "rejected");
  arb_json_array_begin (out);
  for (guint i = 0; i < page->len; i++)
    arb_rejected_write_json (g_ptr_array_index (page, i), out);
  arb_json_array_end (out);
  arb_json_key (out, "next_cursor");
  if (next_row > 0)
    {
      g_autofree char *cursor = arb_rejected_cursor_encode (next_row);
      arb_json_string (out, cursor);
    }
  else
    arb_json_null (out);
  arb_json_object_end (out);
  g_task_return_pointer (task, g_string_free (out, FALSE), g_free);
}

/**
 * arb_store_query_rejected_async:
 *
 * Reads a page in a reader thread, at most REJECTED_PAGE_BYTES of raw
 * messages unless @query bounds it lower.
 */
void
arb_store_query_rejected_async (ArbStore               *self,
                                const ArbRejectedQuery *query,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RejectedTask *t = g_new0 (RejectedTask, 1);

  g_return_if_fail (query->limit >= 1);

  t->bot_id = g_strdup (query->bot_id);
  t->query = *query;
  t->query.bot_id = t->bot_id;
  if (t->query.max_bytes == 0 || t->query.max_bytes > REJECTED_PAGE_BYTES)
    t->query.max_bytes = REJECTED_PAGE_BYTES;
  g_task_set_source_tag (task, arb_store_query_rejected_async);
  g_task_set_task_data (task, t, (GDestroyNotify) rejected_task_free);
  g_task_run_in_thread (task, query_rejected_thread);
}

char *
arb_store_query_rejected_finish (ArbStore      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
item_from_row (sqlite3_stmt *s, int table, gint64 *ts)
{
  ArbEvent e = { 0 };
  g_autoptr(ArbCommand) c = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (table == 0)
    {
      g_autoptr(ArbAlert) a = alert_from_row (s);
      *ts = a->cleared_ms > 0 ? a->cleared_ms : a->raised_ms;
      return arb_alert_to_json (a);
    }
  switch (table - 1)
    {
    case 0:
      trade_from_row (s, &e);
      break;
    case 1:
      opportunity_from_row (s, &e);
      break;
    case 2:
      e.type = ARB_MSG_LOG;
      e.seq = sqlite3_column_int64 (s, 2);
      e.ts = sqlite3_column_int64 (s, 3);
      arb_log_level_parse (col_text (s, 4), &e.log.level);
      e.log.component = (char *) col_text (s, 5);
      e.log.message = (char *) col_text (s, 6);
      break;
    default:
      c = arb_command_new (col_text (s, 1), col_text (s, 2), col_text (s, 3), col_text (s, 4),
                           col_text (s, 5), col_text (s, 6), sqlite3_column_int64 (s, 7));
      c->finished_ms = sqlite3_column_int64 (s, 8);
      arb_command_status_parse (col_text (s, 9), &c->status);
      c->message = g_strdup (col_text (s, 10));
      *ts = c->finished_ms > 0 ? c->finished_ms : c->created_ms;
      node = arb_command_to_json (c);
      return arb_json_node_to_string (node);
    }
  *ts = e.ts;
  /* a log of the dashboard itself has no bot */
  return arb_event_to_json (&e, table == 3 && sqlite3_column_type (s, 1) == SQLITE_NULL
                                  ? NULL : col_text (s, 1));
}

static const ItemTable item_tables[] = {
  { "SELECT " ALERT_COLUMNS " FROM alerts WHERE hub_seq > ?1 AND hub_seq <= ?2"
    " ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_ALERTS, "alert" },
  { "SELECT " TRADE_COLUMNS ", hub_seq FROM trades WHERE hub_seq > ?1 AND hub_seq <= ?2"
    " ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_TRADING, "trade" },
  { "SELECT " OPPORTUNITY_COLUMNS ", hub_seq FROM opportunities WHERE hub_seq > ?1"
    " AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_TRADING, "opportunity" },
  { "SELECT row, bot_id, seq, ts, level, component, message, hub_seq FROM logs"
    " WHERE hub_seq > ?1 AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_LOG, "log" },
  { "SELECT rowid, id, bot_id, name, args, role, token_name, created, finished, status, message,"
    " hub_seq FROM commands WHERE hub_seq > ?1 AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3",
    ARB_TOPIC_BOTS, "command" },
};

static gboolean
query_item_table (sqlite3 *db, guint table, gint64 since, gint64 upto, guint limit,
                  GPtrArray *items, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, item_tables[table].sql, -1, &s, NULL) != SQLITE_OK)
    return sql_error (db, error, "replaying items");
  sqlite3_bind_int64 (s, 1, since);
  sqlite3_bind_int64 (s, 2, upto);
  sqlite3_bind_int64 (s, 3, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      gint64 ts = 0;
      char *json = item_from_row (s, table, &ts);
      gint64 seq = sqlite3_column_int64 (s, sqlite3_column_count (s) - 1);

      g_ptr_array_add (items, arb_hub_item_new (seq, item_tables[table].topic,
                                                item_tables[table].kind, ts, NULL, json));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return sql_error (db, error, "replaying items");
  return TRUE;
}

static gint
compare_item_seq (gconstpointer a, gconstpointer b)
{
  const ArbHubItem *x = *(ArbHubItem **) a;
  const ArbHubItem *y = *(ArbHubItem **) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/**
 * arb_store_query_items:
 * @since: items after this hub seq
 * @upto: and at most this one
 * @limit: at most this many
 *
 * The stored discrete items (trades, opportunities, logs, commands) with a
 * hub seq in (@since, @upto], in seq order, as the hub published them.
 *
 * Returns: (transfer container) (element-type ArbHubItem) (nullable): the items
 */
GPtrArray *
arb_store_query_items (ArbStore  *self,
                       gint64     since,
                       gint64     upto,
                       guint      limit,
                       GError   **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  sqlite3 *db = get_reader (self, error);
  gboolean ok = TRUE;

  if (db == NULL)
    return NULL;
  /* one snapshot for the four tables */
  exec_sql (db, "BEGIN", NULL);
  for (guint t = 0; ok && t < G_N_ELEMENTS (item_tables); t++)
    ok = query_item_table (db, t, since, upto, limit, items, error);
  exec_sql (db, "COMMIT", NULL);
  put_reader (self, db);
  if (!ok)
    return NULL;
  g_ptr_array_sort (items, compare_item_seq);
  if (items->len > limit)
    g_ptr_array_set_size (items, limit);
  return g_steal_pointer (&items);
}

/**
 * arb_store_query_recent_logs:
 * @upto: the newest hub seq to include
 * @limit: at most this many
 *
 * The @limit newest stored log items with a hub seq of at most @upto, in
 * seq order, as the hub published them: what a log view shows at start.
 * Small and indexed, so it runs on the calling thread.
 *
 * Returns: (transfer container) (element-type ArbHubItem) (nullable): the items
 */
GPtrArray *
arb_store_query_recent_logs (ArbStore  *self,
                             gint64     upto,
                             guint      limit,
                             GError   **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  sqlite3_stmt *s = NULL;
  int rc;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);

  if (sqlite3_prepare_v2 (self->db, "SELECT row, bot_id, seq, ts, level, component, message,"
                          " hub_seq FROM logs WHERE hub_seq <= ?1 ORDER BY hub_seq DESC"
                          " LIMIT ?2", -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (self->db, error, "reading logs");
      return NULL;
    }
  sqlite3_bind_int64 (s, 1, upto);
  sqlite3_bind_int64 (s, 2, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      gint64 ts = 0;
      /* the columns of item_tables[3], the logs */
      char *json = item_from_row (s, 3, &ts);

      g_ptr_array_add (items, arb_hub_item_new (sqlite3_column_int64 (s, 7), ARB_TOPIC_LOG, "log",
                                                ts, NULL, json));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      sql_error (self->db, error, "reading logs");
      return NULL;
    }
  /* newest first from the index; the caller wants them as published */
  for (guint i = 0; i < items->len / 2; i++)
    {
      gpointer t = items->pdata[i];

      items->pdata[i] = items->pdata[items->len - 1 - i];
      items->pdata[items->len - 1 - i] = t;
    }
  return g_steal_pointer (&items);
}

/**
 * arb_store_query_logs:
 * @query: the filters, the row to start below and the page size
 * @next_row: (out): the row to continue below, or 0 on the last page
 *
 * A page of stored log messages, newest first (by row, the order they were
 * stored in), that match @query: what GET /api/v1/logs serves. Reads on a
 * reader connection, so it may run in a thread. A filter on text scans the
 * table from @query->before_row down, stopping at the page's end.
 *
 * Returns: (transfer container) (element-type utf8) (nullable): the items'
 *   JSON, as the stream's log items carry them
 */
GPtrArray *
arb_store_query_logs (ArbStore           *self,
                      const ArbLogQuery  *query,
                      gint64             *next_row,
                      GError            **error)
{
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = get_reader (self, error);
  sqlite3_stmt *s = NULL;
  gint64 last_row = 0;
  int rc;

  *next_row = 0;
  if (db == NULL)
    return NULL;
  /* one more row than the page tells whether another page follows */
  if (sqlite3_prepare_v2 (db, "SELECT row, bot_id, seq, ts, level, component, message FROM logs"
                          " WHERE (?1 = 0 OR row < ?1)"
                          " AND (CASE level WHEN 'info' THEN 1 WHEN 'warning' THEN 2"
                          " WHEN 'error' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END) >= ?2"
                          " AND (?3 IS NULL OR component = ?3) AND (?4 IS NULL OR bot_id = ?4)"
                          " AND (?5 IS NULL OR instr(lower(message), lower(?5)) > 0)"
                          " ORDER BY row DESC LIMIT ?6", -1, &s, NULL) != SQLITE_OK)
    {
      sql_error (db, error, "reading logs");
      put_reader (self, db);
      return NULL;
    }
  sqlite3_bind_int64 (s, 1, query->before_row);
  sqlite3_bind_int (s, 2, query->min_level);
  bind_text (s, 3, query->component);
  bind_text (s, 4, query->bot_id);
  bind_text (s, 5, query->text);
  sqlite3_bind_int64 (s, 6, (gint64) query->limit + 1);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbEvent e = { 0 };

      if (page->len == query->limit)
        {
          *next_row = last_row;
          break;
        }
      last_row = sqlite3_column_int64 (s, 0);
      e.type = ARB_MSG_LOG;
      e.seq = sqlite3_column_int64 (s, 2);
      e.ts = sqlite3_column_int64 (s, 3);
      arb_log_level_parse (col_text (s, 4), &e.log.level);
      e.log.component = (char *) col_text (s, 5);
      e.log.message = (char *) col_text (s, 6);
      /* a log of the dashboard itself has no bot */
      g_ptr_array_add (page, arb_event_to_json (&e, sqlite3_column_type (s, 1) == SQLITE_NULL
                                                      ? NULL : col_text (s, 1)));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      sql_error (db, error, "reading logs");
      put_reader (self, db);
      return NULL;
    }
  put_reader (self, db);
  return g_steal_pointer (&page);
}

typedef struct
{
  gint64 since;
  gint64 upto;
  guint  limit;
} ItemQuery;

static void
query_items_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ItemQuery *q = data;
  GError *error = NULL;
  GPtrArray *items = arb_store_query_items (source, q->since, q->upto, q->limit, &error);

  if (items != NULL)
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
arb_store_query_items_async (ArbStore            *self,
                             gint64               since,
                             gint64               upto,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ItemQuery *q = g_new (ItemQuery, 1);

  q->since = since;
  q->upto = upto;
  q->limit = limit;
  g_task_set_source_tag (task, arb_store_query_items_async);
  g_task_set_task_data (task, q, g_free);
  g_task_run_in_thread (task, query_items_thread);
}

GPtrArray *
arb_store_query_items_finish (ArbStore      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- CSV */

const char arb_trade_csv_header[] =
  "bot_id,seq,ts,time,id,pair,buy_venue,sell_venue,status,profit,chain,amount_in,amount_out,"
  "gas_used,gas_price_gwei,gas_cost,fees,latency_ms,tx_hash\r\n";

/* RFC 4180 quoting; a text that a spreadsheet would run as a formula gets a
 * leading apostrophe, since bots choose these strings (OWASP CSV injection).
 * Whatever the database holds, the text written is UTF-8 (U+FFFD for bytes
 * that are not), and a control character is always inside quotes. */
static void
csv_text (GString *out, const char *v, gboolean last)
{
  gboolean quote = FALSE;

  if (v != NULL)
    {
      for (const char *p = v; *p && !quote; p++)
        quote = *p == ',' || *p == '"' || (guchar) *p < 0x20 || *p == 0x7f;
      if (quote)
        g_string_append_c (out, '"');
      if (strchr ("=+-@\t\r", *v) != NULL && *v != '\0')
        g_string_append_c (out, '\'');
      for (const char *p = v; *p; )
        {
          guint n = arb_utf8_char_len (p);

          if (n == 0)
            {
              g_string_append (out, ARB_UTF8_REPLACEMENT);
              p++;
              continue;
            }
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_len (out, p, n);
          p += n;
        }
      if (quote)
        g_string_append_c (out, '"');
    }
  g_string_append (out, last ? "\r\n" : ",");
}

static void
csv_double (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isnan (v))
    g_string_append (out, arb_json_format_double (buf, sizeof buf, v));
  g_string_append_c (out, ',');
}

static void
csv_row (sqlite3_stmt *s, const ArbEvent *e, GString *out)
{
  const ArbTrade *t = &e->trade;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (e->ts / 1000);
  g_autofree char *iso = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : NULL;

  csv_text (out, col_text (s, 1), FALSE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",", e->seq, e->ts);
  if (iso != NULL)
    g_string_append_printf (out, "%s.%03dZ", iso, (int) (e->ts % 1000));
  g_string_append_c (out, ',');
  csv_text (out, t->id, FALSE);
  csv_text (out, t->pair, FALSE);
  csv_text (out, t->buy_venue, FALSE);
  csv_text (out, t->sell_venue, FALSE);
  csv_text (out, arb_trade_status_name (t->status), FALSE);
  csv_double (out, t->profit);
  csv_text (out, t->chain, FALSE);
  csv_text (out, t->amount_in, FALSE);
  csv_text (out, t->amount_out, FALSE);
  if (t->gas_used >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, t->gas_used);
  g_string_append_c (out, ',');
  csv_double (out, t->gas_price_gwei);
  csv_double (out, t->gas_cost);
  csv_double (out, t->fees);
  csv_double (out, t->latency_ms);
  csv_text (out, t->tx_hash, TRUE);
}

void
arb_csv_page_free (ArbCsvPage *page)
{
  if (page == NULL)
    return;
  g_free (page->text);
  g_free (page->next_cursor);
  g_free (page);
}

/**
 * arb_store_query_trades_csv:
 *
 * One page (query->limit rows) of the trades as CSV rows, without the
 * header; the page tells whether more follow and the cursor to them.
 */
ArbCsvPage *
arb_store_query_trades_csv (ArbStore             *self,
                            const ArbTradeQuery  *query,
                            GError              **error)
{
  sqlite3 *db = get_reader (self, error);
  g_autoptr(GString) out = g_string_sized_new (300 * (query->limit + 1));
  ArbCsvPage *page;
  gboolean ok;

  if (db == NULL)
    return NULL;
  page = g_new0 (ArbCsvPage, 1);
  ok = each_trade (db, query, csv_row, out, &page->more, &page->next_cursor, error);
  put_reader (self, db);
  if (!ok)
    {
      arb_csv_page_free (page);
      return NULL;
    }
  page->text = g_string_free (g_steal_pointer (&out), FALSE);
  return page;
}

static void
csv_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  ArbCsvPage *page = arb_store_query_trades_csv (source, data, &error);

  if (page != NULL)
    g_task_return_pointer (task, page, (GDestroyNotify) arb_csv_page_free);
  else
    g_task_return_error (task, error);
}

void
arb_store_query_trades_csv_async (ArbStore            *self,
                                  const ArbTradeQuery *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  run_trade_task (self, query, csv_thread, arb_store_query_trades_csv_async, cancellable,
                  callback, user_data);
}

ArbCsvPage *
arb_store_query_trades_csv_finish (ArbStore      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
