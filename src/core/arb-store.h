/* arb-store.h: durable storage in SQLite (WAL) with group commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "arb-alert.h"
#include "arb-command.h"
#include "arb-event.h"
#include "arb-rejected.h"
#include "arb-store-batch.h"
#include "arb-store-rows.h"
#include "arb-trade-query.h"

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
  ArbBotIdentity  identity;
  gint64          last_seq;
  gint64          last_seen_ms;
} ArbStoredBot;

void arb_stored_bot_free (ArbStoredBot *bot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbStoredBot, arb_stored_bot_free)

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

/* Reads a page of trades in a reader thread. */
void           arb_store_query_trades_async (ArbStore          *self,
                                             const ArbTradeQuery *query,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
ArbTradePage  *arb_store_query_trades_finish (ArbStore         *self,
                                             GAsyncResult      *result,
                                             GError           **error);
ArbTradePage  *arb_store_query_trades       (ArbStore          *self,
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

/* The audit log, newest first: (element-type ArbCommand). */
GPtrArray     *arb_store_query_audit        (ArbStore          *self,
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
/* The same as typed rows: (element-type ArbStoredEvent), each a log. */
GPtrArray     *arb_store_read_recent_logs   (ArbStore          *self,
                                             gint64             upto,
                                             guint              limit,
                                             GError           **error);

/* Stored log messages, newest first, paged by row (GET /api/v1/logs):
 * (element-type ArbStoredEvent), each a log. */
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
 * (keyset: the row of the last one served; arb_rejected_cursor_encode()
 * and _parse() are in arb-store-rows.h, beside the page). */
typedef struct
{
  const char *bot_id;      /* NULL: any */
  guint       limit;       /* 1..1000 */
  gint64      before_row;  /* 0: from the newest */
  gsize       max_bytes;   /* a page ends early past this many raw bytes; 0: no bound */
} ArbRejectedQuery;

/* Returns: (element-type ArbRejected): the page; *next_row is the
 * before_row of the next page, 0 after the last. */
GPtrArray     *arb_store_query_rejected     (ArbStore          *self,
                                             const ArbRejectedQuery *query,
                                             gint64            *next_row,
                                             GError           **error);
/* The same in a reader thread. */
void           arb_store_query_rejected_async (ArbStore        *self,
                                             const ArbRejectedQuery *query,
                                             GCancellable      *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer           user_data);
ArbRejectedPage *arb_store_query_rejected_finish (ArbStore       *self,
                                             GAsyncResult      *result,
                                             GError           **error);

GPtrArray     *arb_store_load_active_alerts (ArbStore         *self);
/* The most recently raised alerts, newest first: (element-type ArbAlert). */
GPtrArray     *arb_store_query_alerts       (ArbStore          *self,
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
