/* arb-store-trades.c: the trade history read back: pages, CSV and the
 * ledger's replay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each runs on a reader connection, in a worker thread for the _async
 * forms, beside the writer (WAL).
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-json.h"
#include "arb-store-private.h"

/* ---------------------------------------------------------------- pages */

static void
add_trade (const char *bot_id, const ArbEvent *e, gpointer data)
{
  ArbTradePage *page = data;

  g_ptr_array_add (page->trades, arb_stored_event_new (bot_id, 0, _arb_store_event_dup (e)));
}

static ArbTradePage *
run_trade_query (sqlite3 *db, const ArbTradeQuery *q, GError **error)
{
  g_autoptr(ArbTradePage) page = arb_trade_page_new ();
  gboolean more;

  if (!_arb_trade_query_run (db, q, add_trade, page, &more, &page->next_cursor, error))
    return NULL;
  return g_steal_pointer (&page);
}

/**
 * arb_store_query_trades:
 *
 * Reads a page of @query on a reader connection: may be called from any
 * thread.
 *
 * Returns: (transfer full) (nullable): the page
 */
ArbTradePage *
arb_store_query_trades (ArbStore             *self,
                        const ArbTradeQuery  *query,
                        GError              **error)
{
  sqlite3 *db;
  ArbTradePage *page;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);

  db = _arb_store_get_reader (self, error);
  if (db == NULL)
    return NULL;
  page = run_trade_query (db, query, error);
  _arb_store_put_reader (self, db);
  return page;
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
  sqlite3 *db = _arb_store_get_reader (self, error);
  char *plans;

  if (db == NULL)
    return NULL;
  plans = _arb_trade_query_explain (db, q, error);
  _arb_store_put_reader (self, db);
  return plans;
}

static void
query_trades_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  ArbTradePage *page = arb_store_query_trades (source, data, &error);

  _arb_store_task_return (task, page, (GDestroyNotify) arb_trade_page_free, error);
}

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
  g_task_set_task_data (task, _arb_trade_query_copy (query),
                        (GDestroyNotify) _arb_trade_query_free);
  g_task_run_in_thread (task, func);
}

void
arb_store_query_trades_async (ArbStore            *self,
                              const ArbTradeQuery *query,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  run_trade_task (self, query, query_trades_thread,
                  ARB_STORE_TASK_TAG (arb_store_query_trades_async), cancellable, callback,
                  user_data);
}

/**
 * arb_store_query_trades_finish:
 *
 * Returns: (transfer full) (nullable): the page
 */
ArbTradePage *
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

  if (!_arb_sql_prepare (db, sql, &s, error, "reading the ledger"))
    return FALSE;
  sqlite3_bind_int64 (s, 1, trades ? r->max_trade_row : r->max_opportunity_row);
  sqlite3_bind_int64 (s, 2, r->min_ts);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbEvent e = { 0 };

      if (trades)
        _arb_store_trade_from_row (s, &e);
      else
        _arb_store_opportunity_from_row (s, &e);
      r->func (_arb_sql_col_text (s, 1), &e, r->data);
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _arb_sql_error (db, error, "reading the ledger");
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
  sqlite3 *db = _arb_store_get_reader (self, &error);
  gboolean ok;

  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  ok = replay_table (db, "SELECT " ARB_STORE_TRADE_COLUMNS " FROM trades"
                         " WHERE row <= ?1 AND ts >= ?2 ORDER BY row",
                     TRUE, data, cancellable, &error) &&
       replay_table (db, "SELECT " ARB_STORE_OPPORTUNITY_COLUMNS " FROM opportunities"
                         " WHERE row <= ?1 AND ts >= ?2 ORDER BY row",
                     FALSE, data, cancellable, &error);
  _arb_store_put_reader (self, db);
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
  g_task_set_source_tag (task, ARB_STORE_TASK_TAG (arb_store_replay_ledger_async));
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
csv_row (const char *bot_id, const ArbEvent *e, gpointer data)
{
  GString *out = data;
  const ArbTrade *t = &e->trade;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (e->ts / 1000);
  g_autofree char *iso = dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S") : NULL;

  csv_text (out, bot_id, FALSE);
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
  sqlite3 *db = _arb_store_get_reader (self, error);
  g_autoptr(GString) out = g_string_sized_new (300 * (query->limit + 1));
  ArbCsvPage *page;
  gboolean ok;

  if (db == NULL)
    return NULL;
  page = g_new0 (ArbCsvPage, 1);
  ok = _arb_trade_query_run (db, query, csv_row, out, &page->more, &page->next_cursor, error);
  _arb_store_put_reader (self, db);
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

  _arb_store_task_return (task, page, (GDestroyNotify) arb_csv_page_free, error);
}

void
arb_store_query_trades_csv_async (ArbStore            *self,
                                  const ArbTradeQuery *query,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  run_trade_task (self, query, csv_thread,
                  ARB_STORE_TASK_TAG (arb_store_query_trades_csv_async), cancellable, callback,
                  user_data);
}

ArbCsvPage *
arb_store_query_trades_csv_finish (ArbStore      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
