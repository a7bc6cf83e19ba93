/* arb-store.h: durable storage in SQLite (WAL) with group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arb-alert.h"
#include "arb-command.h"
#include "arb-event.h"
#include "arb-rejected.h"

G_BEGIN_DECLS

#define ARB_TYPE_STORE (arb_store_get_type ())

G_DECLARE_FINAL_TYPE (ArbStore, arb_store, ARB, STORE, GObject)

#define ARB_STORE_SCHEMA_VERSION 4

/* The log of refused bot messages keeps at most this many rows, and at most
 * this many bytes of raw messages; the oldest go first. */
#define ARB_STORE_REJECTED_MAX_ROWS  10000
#define ARB_STORE_REJECTED_MAX_BYTES (64 * 1024 * 1024)

/* What one bot's row in the store says. */
typedef struct
{
  char    *bot_id;
  char    *name;
  char    *version;
  char    *strategy;
  char    *quote;
  char   **commands;
  gint64   last_seq;
  gint64   last_seen_ms;
} ArbStoredBot;

void arb_stored_bot_free (ArbStoredBot *bot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbStoredBot, arb_stored_bot_free)

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

ArbStore      *arb_store_open               (const char        *path,
                                             GError           **error);
const char    *arb_store_get_path           (ArbStore          *self);
/* Queues @batch (taking it) for the next commit; @done runs on the main
 * context of the caller once the batch is durable or failed. */
void           arb_store_submit             (ArbStore          *self,
                                             ArbStoreBatch     *batch,
                                             ArbStoreBatchDone  done,
                                             gpointer           user_data);
/* Commits everything queued and runs the callbacks before returning. */
void           arb_store_flush              (ArbStore          *self);
/* Flushes, stops the writer and closes the database. */
void           arb_store_close              (ArbStore          *self);
guint          arb_store_get_queue_length   (ArbStore          *self);

/* Synchronous reads at start-up (small, bounded). */
GPtrArray     *arb_store_load_bots          (ArbStore          *self,
                                             GError           **error);
gboolean       arb_store_get_meta           (ArbStore          *self,
                                             const char        *key,
                                             gint64            *value);
/* Sets a meta value durably, now (outside any batch). */
gboolean       arb_store_set_meta_now       (ArbStore          *self,
                                             const char        *key,
                                             gint64             value,
                                             GError           **error);
GBytes        *arb_store_load_series        (ArbStore          *self,
                                             const char        *name,
                                             guint              tier);
char         **arb_store_list_series        (ArbStore          *self);

/* The orders trades can be read in: by one column, ties broken by arrival
 * (the row), the direction applying to both. A trade without a gas cost
 * sorts below every gas cost. Text sorts by its bytes (UTF-8). */
typedef enum
{
  ARB_TRADE_SORT_TIME,
  ARB_TRADE_SORT_PROFIT,
  ARB_TRADE_SORT_GAS_COST,
  ARB_TRADE_SORT_PAIR,
  ARB_TRADE_SORT_BOT,
  ARB_TRADE_SORT_STATUS,
  ARB_TRADE_N_SORTS
} ArbTradeSort;

const char    *arb_trade_sort_name          (ArbTradeSort       sort);
gboolean       arb_trade_sort_parse         (const char        *name,
                                             ArbTradeSort      *sort);

/* Trade queries: newest first unless told otherwise, paged by an opaque
 * cursor (keyset: the sort key and row of the last trade served). */
typedef struct
{
  char   *bot_id;   /* NULL: any */
  char   *pair;
  int     status;   /* -1: any, else ArbTradeStatus */
  gint64  after;    /* ts > after; G_MININT64: unbounded */
  gint64  before;   /* ts < before; G_MAXINT64: unbounded */
  guint   limit;    /* 1..1000 */
  ArbTradeSort sort;       /* ARB_TRADE_SORT_TIME */
  gboolean ascending;      /* FALSE: the largest key (the newest trade) first */
  gboolean has_cursor;
  gint64  cursor_ts;       /* the key the page follows, by the sort: time */
  gint64  cursor_row;
  double  cursor_number;   /* profit, gas cost (-inf: no gas cost) */
  char   *cursor_text;     /* pair, bot, status */
} ArbTradeQuery;

void           arb_trade_query_init         (ArbTradeQuery     *query);
void           arb_trade_query_clear        (ArbTradeQuery     *query);
/* Set the sort and the direction first: a cursor of another order is refused. */
gboolean       arb_trade_query_set_cursor   (ArbTradeQuery     *query,
                                             const char        *cursor);
/* The cursor after (ts, row) in the default order, newest first. */
char          *arb_trade_cursor_encode      (gint64             ts,
                                             gint64             row);

/* Runs in a reader thread; the result is the JSON text
 * {"trades":[...],"next_cursor":...}. */
void           arb_store_query_trades_async (ArbStore          *self,
                                             const ArbTradeQuery *query,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
char          *arb_store_query_trades_finish (ArbStore         *self,
                                             GAsyncResult      *result,
                                             GError           **error);
char          *arb_store_query_trades       (ArbStore          *self,
                                             const ArbTradeQuery *query,
                                             GError           **error);

/* CSV export, a page at a time (RFC 4180, CRLF line ends). */
extern const char arb_trade_csv_header[];

typedef struct
{
  char     *text;         /* the rows of this page */
  gboolean  more;         /* rows follow: continue from next_cursor */
  char     *next_cursor;  /* for arb_trade_query_set_cursor(); NULL on the last page */
} ArbCsvPage;

void           arb_csv_page_free            (ArbCsvPage        *page);
ArbCsvPage    *arb_store_query_trades_csv   (ArbStore          *self,
                                             const ArbTradeQuery *query,
                                             GError           **error);
void           arb_store_query_trades_csv_async (ArbStore      *self,
                                             const ArbTradeQuery *query,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
ArbCsvPage    *arb_store_query_trades_csv_finish (ArbStore     *self,
                                             GAsyncResult      *result,
                                             GError           **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbCsvPage, arb_csv_page_free)

/* Called in a reader thread for each stored trade/opportunity in store
 * order, up to the rows present when the call starts. */
typedef void (*ArbStoreTradeFunc) (const char     *bot_id,
                                   const ArbEvent *event,
                                   gpointer        user_data);
void           arb_store_replay_ledger_async (ArbStore         *self,
                                              gint64            min_ts,
                                              ArbStoreTradeFunc func,
                                              gpointer          func_data,
                                              GCancellable     *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer          user_data);
gboolean       arb_store_replay_ledger_finish (ArbStore        *self,
                                               GAsyncResult    *result,
                                               GError         **error);

/* The audit log, newest first. */
JsonNode      *arb_store_query_audit        (ArbStore          *self,
                                             const char        *bot_id,
                                             guint              limit,
                                             GError           **error);

/* Stored discrete items with a hub seq in (since, upto], in seq order:
 * GPtrArray of ArbHubItem (see arb-hub.h). */
GPtrArray     *arb_store_query_items        (ArbStore          *self,
                                             gint64             since,
                                             gint64             upto,
                                             guint              limit,
                                             GError           **error);
void           arb_store_query_items_async  (ArbStore          *self,
                                             gint64             since,
                                             gint64             upto,
                                             guint              limit,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
GPtrArray     *arb_store_query_items_finish (ArbStore          *self,
                                             GAsyncResult      *result,
                                             GError           **error);

/* The newest log items with a hub seq of at most @upto, in seq order. */
GPtrArray     *arb_store_query_recent_logs  (ArbStore          *self,
                                             gint64             upto,
                                             guint              limit,
                                             GError           **error);

/* Stored log messages, newest first, paged by row (GET /api/v1/logs). */
typedef struct
{
  const char *bot_id;      /* NULL: every bot */
  const char *component;   /* NULL: every component */
  const char *text;        /* NULL: any message; else a part of it, ASCII case ignored */
  int         min_level;   /* ArbLogLevel: this level and above */
  gint64      before_row;  /* 0: from the newest */
  guint       limit;
} ArbLogQuery;

GPtrArray     *arb_store_query_logs         (ArbStore          *self,
                                             const ArbLogQuery *query,
                                             gint64            *next_row,
                                             GError           **error);

/* The log of refused messages, newest first, paged by an opaque cursor
 * (keyset: the row of the last one served). */
typedef struct
{
  const char *bot_id;      /* NULL: any */
  guint       limit;       /* 1..1000 */
  gint64      before_row;  /* 0: from the newest */
  gsize       max_bytes;   /* a page ends early past this many raw bytes; 0: no bound */
} ArbRejectedQuery;

char          *arb_rejected_cursor_encode   (gint64             row);
gboolean       arb_rejected_cursor_parse    (const char        *cursor,
                                             gint64            *row);
/* Returns: (element-type ArbRejected): the page; *next_row is the
 * before_row of the next page, 0 after the last. */
GPtrArray     *arb_store_query_rejected     (ArbStore          *self,
                                             const ArbRejectedQuery *query,
                                             gint64            *next_row,
                                             GError           **error);
/* In a reader thread; the result is the JSON text
 * {"rejected":[...],"next_cursor":...}. */
void           arb_store_query_rejected_async (ArbStore        *self,
                                             const ArbRejectedQuery *query,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
char          *arb_store_query_rejected_finish (ArbStore       *self,
                                             GAsyncResult      *result,
                                             GError           **error);

GPtrArray     *arb_store_load_active_alerts (ArbStore         *self);
char          *arb_store_query_alerts       (ArbStore          *self,
                                             guint              limit,
                                             GError           **error);

/* Retention: what one prune deleted. */
typedef struct
{
  guint64 trades;
  guint64 opportunities;
  guint64 logs;
  guint64 commands;   /* finished ones */
  guint64 alerts;     /* cleared ones */
  guint64 rejected;   /* refused messages */
  guint   chunks;     /* transactions it took */
} ArbStorePruned;

/* Deletes the rows older than @cutoff_ms on the writer thread, a bounded
 * chunk per transaction, between the commits of the batches. */
void           arb_store_prune_async        (ArbStore          *self,
                                             gint64             cutoff_ms,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
gboolean       arb_store_prune_finish       (ArbStore          *self,
                                             GAsyncResult      *result,
                                             ArbStorePruned    *pruned,
                                             GError           **error);
guint64        arb_store_pruned_total       (const ArbStorePruned *pruned);

/* Counters for /metrics and the UI. */
#define ARB_STORE_COMMIT_BUCKETS 12

/* Upper bounds, in seconds, of the commit duration histogram's buckets
 * (the last is +Inf). */
extern const double arb_store_commit_bounds[ARB_STORE_COMMIT_BUCKETS];

typedef struct
{
  guint64 commits;
  guint64 batches;
  guint64 rows;
  guint64 errors;
  gint64  last_commit_us;
  gint64  max_commit_us;
  guint64 commit_buckets[ARB_STORE_COMMIT_BUCKETS];  /* not cumulative */
  double  commit_seconds;                            /* sum */
} ArbStoreStats;

void           arb_store_get_stats          (ArbStore          *self,
                                             ArbStoreStats     *stats);

G_END_DECLS
