/* arb-store-private.h: what the files of the store share, and what its
 * tests look at inside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: the store is one object split by concern into arb-store.c (the
 * writer thread, group commit, the reader pool, start-up reads),
 * arb-store-batch.c, arb-store-schema.c (connections, migrations, SQL
 * helpers), arb-store-write.c (a batch's rows), arb-store-prune.c,
 * arb-trade-query.c (sorts, cursors, the page statements), arb-store-rows.c
 * (typed rows), arb-store-trades.c (trade pages, CSV, ledger replay) and
 * arb-store-items.c (audit, alerts, refused messages, hub items, logs).
 */
#pragma once

#include <sqlite3.h>

#include "arb-store.h"

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

/* ---------------------------------------------------------------- the batch */

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

/* ---------------------------------------------------------------- SQL (arb-store-schema.c) */

gboolean      _arb_sql_error          (sqlite3        *db,
                                       GError        **error,
                                       const char     *what);
gboolean      _arb_sql_exec           (sqlite3        *db,
                                       const char     *sql,
                                       GError        **error);
void          _arb_sql_bind_text      (sqlite3_stmt   *s,
                                       int             i,
                                       const char     *v);
void          _arb_sql_bind_double    (sqlite3_stmt   *s,
                                       int             i,
                                       double          v);
void          _arb_sql_bind_opt_int   (sqlite3_stmt   *s,
                                       int             i,
                                       gint64          v);
const char   *_arb_sql_col_text       (sqlite3_stmt   *s,
                                       int             i);
double        _arb_sql_col_double     (sqlite3_stmt   *s,
                                       int             i);
gint64        _arb_sql_col_opt_int    (sqlite3_stmt   *s,
                                       int             i);

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

/* arb-store-rows.c: an event from a row of these columns, its strings
 * borrowed from the statement until its next step */
#define ARB_STORE_TRADE_COLUMNS \
  "row, bot_id, seq, ts, id, pair, buy_venue, sell_venue, status, profit, chain, amount_in," \
  " amount_out, gas_used, gas_price_gwei, gas_cost, fees, latency_ms, tx_hash"
#define ARB_STORE_OPPORTUNITY_COLUMNS \
  "row, bot_id, seq, ts, pair, buy_venue, sell_venue, spread_bps, expected_profit, taken, reason"
#define ARB_STORE_LOG_COLUMNS \
  "row, bot_id, seq, ts, level, component, message"
#define ARB_STORE_ALERT_COLUMNS \
  "id, rule, subject, severity, message, value, threshold, raised, cleared, hub_seq"

void          _arb_store_trade_from_row       (sqlite3_stmt *s,
                                               ArbEvent     *e);
void          _arb_store_opportunity_from_row (sqlite3_stmt *s,
                                               ArbEvent     *e);
void          _arb_store_log_from_row         (sqlite3_stmt *s,
                                               ArbEvent     *e);
/* The bot of a row of these columns; NULL for the dashboard's own logs. */
const char   *_arb_store_bot_from_row         (sqlite3_stmt *s);
/* A copy of @borrowed (a trade, an opportunity or a log) that owns its strings. */
ArbEvent     *_arb_store_event_dup            (const ArbEvent *borrowed);
/* Owned values from a row of ARB_STORE_ALERT_COLUMNS. */
ArbAlert     *_arb_store_alert_from_row       (sqlite3_stmt *s);

/* arb-trade-query.c */

/* URL-safe base64 of @plain, so clients treat a cursor as opaque. */
char         *_arb_cursor_from_text   (const char     *plain);
/* Returns: (nullable): the text of @cursor, NULL if it is not ours */
char         *_arb_cursor_to_text     (const char     *cursor);

ArbTradeQuery *_arb_trade_query_copy  (const ArbTradeQuery *query);
void          _arb_trade_query_free   (ArbTradeQuery  *query);

/* Called for each trade of a page, the event borrowed from the row. */
typedef void (*ArbTradeRowFunc) (const char     *bot_id,
                                 const ArbEvent *event,
                                 gpointer        data);
/* Reads one page of @query on @db; *more tells whether rows follow, and
 * then *next_cursor is the cursor after the last one. */
gboolean      _arb_trade_query_run    (sqlite3        *db,
                                       const ArbTradeQuery *query,
                                       ArbTradeRowFunc row,
                                       gpointer        data,
                                       gboolean       *more,
                                       char          **next_cursor,
                                       GError        **error);

G_END_DECLS
