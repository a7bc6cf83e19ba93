/* arb-store-private.h: what the files of the store share, and what its
 * tests look at inside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: the store is one object split by concern into arb-store.c (the
 * writer thread, group commit, the reader pool, start-up reads),
 * arb-store-batch.c, arb-store-schema.c (connections, migrations),
 * arb-store-write.c (a batch's rows), arb-store-prune.c,
 * arb-trade-query.c (sorts, cursors, the page statements), arb-store-rows.c
 * (typed rows), arb-store-trades.c (trade pages, CSV, ledger replay) and
 * arb-store-items.c (audit, alerts, refused messages, hub items, logs).
 *
 * The batch, the rows and the trade queries are units below the store
 * (arb-store.h includes their headers): their private headers, and the SQL
 * and cursor helpers (arb-sql.c, arb-cursor.c), never include this one.
 */
#pragma once

#include <sqlite3.h>

#include "arb-sql.h"
#include "arb-store.h"
#include "arb-store-batch-private.h"
#include "arb-store-rows-private.h"
#include "arb-trade-query-private.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------- for the tests */

char *_arb_store_explain_trade_query (ArbStore             *self,
                                      const ArbTradeQuery  *query,
                                      GError              **error);
/* Rows per transaction of a prune, for prunes started after the call. */
void  _arb_store_set_prune_chunk     (ArbStore             *self,
                                      guint                 rows);

/* Caps of the log of refused messages, for the commits after the call. */
void  _arb_store_set_rejected_caps   (ArbStore             *self,
                                      guint                 rows,
                                      gsize                 bytes);

/* GTask source tags are the _async functions, as in GLib; ISO C converts a
 * function pointer to a gpointer only as an extension, asked for here. */
#define ARB_STORE_TASK_TAG(func) (G_GNUC_EXTENSION (gpointer) (func))

/* ---------------------------------------------------------------- the store */

/* the writer's prepared statements (arb-store-write.c) */
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

/* Rows deleted per transaction: small enough that batches behind a chunk
 * wait milliseconds, not the whole prune. */
#define ARB_STORE_PRUNE_CHUNK 5000

/* ---------------------------------------------------------------- connections (arb-store-schema.c) */

gboolean      _arb_store_create_private (const char   *path,
                                       GError        **error);
sqlite3      *_arb_store_open_db      (const char     *path,
                                       gboolean        create,
                                       GError        **error);
gboolean      _arb_store_migrate      (sqlite3        *db,
                                       GError        **error);

/* ---------------------------------------------------------------- writer side */

/* arb-store-write.c */
gboolean      _arb_store_prepare_writer (ArbStore     *self,
                                       GError        **error);
gboolean      _arb_store_write_batch  (ArbStore       *self,
                                       ArbStoreBatch  *batch,
                                       GError        **error);
void          _arb_store_cap_rejected (ArbStore       *self,
                                       guint           max_rows,
                                       gsize           max_bytes);
/* arb-store-prune.c: one chunk of the oldest prune, on the writer thread */
void          _arb_store_prune_step   (ArbStore       *self,
                                       GTask          *task);

/* ---------------------------------------------------------------- reader side */

/* A read-only connection of the pool, for any thread; give it back. */
sqlite3      *_arb_store_get_reader   (ArbStore       *self,
                                       GError        **error);
void          _arb_store_put_reader   (ArbStore       *self,
                                       sqlite3        *db);
/* Ends a reader thread's task: @result (freed by @free_func) or, when it
 * is NULL, @error, which the task takes. */
void          _arb_store_task_return  (GTask          *task,
                                       gpointer        result,
                                       GDestroyNotify  free_func,
                                       GError         *error);

G_END_DECLS
