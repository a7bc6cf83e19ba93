/* arb-store-rows.c: the store's rows as typed values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The decoders read a row into an ArbEvent whose strings stay the
 * statement's (no copy for a replay of millions of rows); what a read
 * returns owns its strings (_arb_store_event_dup()).
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-cursor.h"
#include "arb-json.h"
#include "arb-rejected.h"
#include "arb-sql.h"
#include "arb-store-rows-private.h"

/* ---------------------------------------------------------------- row decoders */

/* Fills @e (a trade) from a row of ARB_STORE_TRADE_COLUMNS; the strings are borrowed
 * from the statement, valid until the next step. */
void
_arb_store_trade_from_row (sqlite3_stmt *s, ArbEvent *e)
{
  ArbTrade *t = &e->trade;

  e->type = ARB_MSG_TRADE;
  e->seq = sqlite3_column_int64 (s, 2);
  e->ts = sqlite3_column_int64 (s, 3);
  t->id = (char *) _arb_sql_col_text (s, 4);
  t->pair = (char *) _arb_sql_col_text (s, 5);
  t->buy_venue = (char *) _arb_sql_col_text (s, 6);
  t->sell_venue = (char *) _arb_sql_col_text (s, 7);
  arb_trade_status_parse (_arb_sql_col_text (s, 8), &t->status);
  t->profit = sqlite3_column_double (s, 9);
  t->chain = (char *) _arb_sql_col_text (s, 10);
  t->amount_in = (char *) _arb_sql_col_text (s, 11);
  t->amount_out = (char *) _arb_sql_col_text (s, 12);
  t->gas_used = _arb_sql_col_opt_int (s, 13);
  t->gas_price_gwei = _arb_sql_col_double (s, 14);
  t->gas_cost = _arb_sql_col_double (s, 15);
  t->fees = _arb_sql_col_double (s, 16);
  t->latency_ms = _arb_sql_col_double (s, 17);
  t->tx_hash = (char *) _arb_sql_col_text (s, 18);
}

/* Fills @e (an opportunity) from a row of ARB_STORE_OPPORTUNITY_COLUMNS; the strings
 * are borrowed from the statement, valid until the next step. */
void
_arb_store_opportunity_from_row (sqlite3_stmt *s, ArbEvent *e)
{
  ArbOpportunity *o = &e->opportunity;

  e->type = ARB_MSG_OPPORTUNITY;
  e->seq = sqlite3_column_int64 (s, 2);
  e->ts = sqlite3_column_int64 (s, 3);
  o->pair = (char *) _arb_sql_col_text (s, 4);
  o->buy_venue = (char *) _arb_sql_col_text (s, 5);
  o->sell_venue = (char *) _arb_sql_col_text (s, 6);
  o->spread_bps = sqlite3_column_double (s, 7);
  o->expected_profit = sqlite3_column_double (s, 8);
  o->taken = sqlite3_column_int (s, 9) != 0;
  o->reason = (char *) _arb_sql_col_text (s, 10);
}

/* Fills @e (a log) from a row of ARB_STORE_LOG_COLUMNS; the strings are
 * borrowed from the statement, valid until the next step. */
void
_arb_store_log_from_row (sqlite3_stmt *s, ArbEvent *e)
{
  e->type = ARB_MSG_LOG;
  e->seq = sqlite3_column_int64 (s, 2);
  e->ts = sqlite3_column_int64 (s, 3);
  arb_log_level_parse (_arb_sql_col_text (s, 4), &e->log.level);
  e->log.component = (char *) _arb_sql_col_text (s, 5);
  e->log.message = (char *) _arb_sql_col_text (s, 6);
}

const char *
_arb_store_bot_from_row (sqlite3_stmt *s)
{
  /* a log of the dashboard itself has no bot */
  return sqlite3_column_type (s, 1) == SQLITE_NULL ? NULL : _arb_sql_col_text (s, 1);
}

ArbAlert *
_arb_store_alert_from_row (sqlite3_stmt *s)
{
  ArbAlert *a = g_new0 (ArbAlert, 1);

  a->id = g_strdup (_arb_sql_col_text (s, 0));
  a->rule = g_strdup (_arb_sql_col_text (s, 1));
  a->subject = g_strdup (_arb_sql_col_text (s, 2));
  a->severity = g_strcmp0 (_arb_sql_col_text (s, 3), "critical") == 0 ? ARB_ALERT_CRITICAL
                                                             : ARB_ALERT_WARNING;
  a->message = g_strdup (_arb_sql_col_text (s, 4));
  a->value = _arb_sql_col_double (s, 5);
  a->threshold = _arb_sql_col_double (s, 6);
  a->raised_ms = sqlite3_column_int64 (s, 7);
  a->cleared_ms = sqlite3_column_int64 (s, 8);
  a->hub_seq = sqlite3_column_int64 (s, 9);
  return a;
}

ArbEvent *
_arb_store_event_dup (const ArbEvent *borrowed)
{
  ArbEvent *e = g_memdup2 (borrowed, sizeof *borrowed);

  switch (e->type)
    {
    case ARB_MSG_TRADE:
      e->trade.id = g_strdup (e->trade.id);
      e->trade.pair = g_strdup (e->trade.pair);
      e->trade.buy_venue = g_strdup (e->trade.buy_venue);
      e->trade.sell_venue = g_strdup (e->trade.sell_venue);
      e->trade.chain = g_strdup (e->trade.chain);
      e->trade.amount_in = g_strdup (e->trade.amount_in);
      e->trade.amount_out = g_strdup (e->trade.amount_out);
      e->trade.tx_hash = g_strdup (e->trade.tx_hash);
      break;
    case ARB_MSG_OPPORTUNITY:
      e->opportunity.pair = g_strdup (e->opportunity.pair);
      e->opportunity.buy_venue = g_strdup (e->opportunity.buy_venue);
      e->opportunity.sell_venue = g_strdup (e->opportunity.sell_venue);
      e->opportunity.reason = g_strdup (e->opportunity.reason);
      break;
    case ARB_MSG_LOG:
      e->log.component = g_strdup (e->log.component);
      e->log.message = g_strdup (e->log.message);
      break;
    case ARB_MSG_HELLO:
    case ARB_MSG_HEARTBEAT:
    case ARB_MSG_RESOURCES:
    case ARB_MSG_METRIC:
    case ARB_MSG_COMMAND_RESULT:
    default:
      /* the store reads no other kind back */
      g_assert_not_reached ();
    }
  return e;
}

/* ---------------------------------------------------------------- stored events */

/**
 * arb_stored_event_new:
 * @bot_id: (nullable): the bot, %NULL for the dashboard's own log
 * @event: (transfer full): the event
 *
 * Returns: (transfer full): a new stored event
 */
ArbStoredEvent *
arb_stored_event_new (const char *bot_id,
                      gint64      hub_seq,
                      ArbEvent   *event)
{
  ArbStoredEvent *stored = g_new (ArbStoredEvent, 1);

  g_return_val_if_fail (event != NULL, NULL);

  stored->bot_id = g_strdup (bot_id);
  stored->hub_seq = hub_seq;
  stored->event = event;
  return stored;
}

void
arb_stored_event_free (ArbStoredEvent *stored)
{
  if (stored == NULL)
    return;
  g_free (stored->bot_id);
  arb_event_free (stored->event);
  g_free (stored);
}

/* ---------------------------------------------------------------- pages */

ArbTradePage *
arb_trade_page_new (void)
{
  ArbTradePage *page = g_new0 (ArbTradePage, 1);

  page->trades = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_stored_event_free);
  return page;
}

void
arb_trade_page_free (ArbTradePage *page)
{
  if (page == NULL)
    return;
  g_ptr_array_unref (page->trades);
  g_free (page->next_cursor);
  g_free (page);
}

void
arb_trade_page_write_json (const ArbTradePage *page,
                           GString            *out)
{
  arb_json_object_begin (out);
  arb_json_key (out, "trades");
  arb_json_array_begin (out);
  for (guint i = 0; i < page->trades->len; i++)
    {
      const ArbStoredEvent *t = g_ptr_array_index (page->trades, i);

      arb_event_write_json (t->event, t->bot_id, out);
    }
  arb_json_array_end (out);
  arb_json_key (out, "next_cursor");
  if (page->next_cursor != NULL)
    arb_json_string (out, page->next_cursor);
  else
    arb_json_null (out);
  arb_json_object_end (out);
}

/**
 * arb_trade_page_to_json:
 *
 * Returns: (transfer full): @page as GET /api/v1/trades answers it
 */
char *
arb_trade_page_to_json (const ArbTradePage *page)
{
  GString *out = g_string_sized_new (512 * (page->trades->len + 1));

  arb_trade_page_write_json (page, out);
  return g_string_free (out, FALSE);
}

/* "r1:ROW", in URL-safe base64 as the trade cursors */
char *
arb_rejected_cursor_encode (gint64 row)
{
  g_autofree char *plain = g_strdup_printf ("r1:%" G_GINT64_FORMAT, row);

  return _arb_cursor_from_text (plain);
}

gboolean
arb_rejected_cursor_parse (const char *cursor,
                           gint64     *row)
{
  g_autofree char *text = _arb_cursor_to_text (cursor);

  return text != NULL && g_str_has_prefix (text, "r1:") &&
         g_ascii_string_to_signed (text + 3, 10, 1, G_MAXINT64, row, NULL);
}

void
arb_rejected_page_free (ArbRejectedPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->rejected, g_ptr_array_unref);
  g_free (page);
}

/**
 * arb_rejected_page_to_json:
 *
 * Returns: (transfer full): @page as GET /api/v1/rejected answers it
 */
char *
arb_rejected_page_to_json (const ArbRejectedPage *page)
{
  GString *out = g_string_sized_new (1024);

  arb_json_object_begin (out);
  arb_json_key (out, "rejected");
  arb_json_array_begin (out);
  for (guint i = 0; i < page->rejected->len; i++)
    arb_rejected_write_json (g_ptr_array_index (page->rejected, i), out);
  arb_json_array_end (out);
  arb_json_key (out, "next_cursor");
  if (page->next_row > 0)
    {
      g_autofree char *cursor = arb_rejected_cursor_encode (page->next_row);
      arb_json_string (out, cursor);
    }
  else
    arb_json_null (out);
  arb_json_object_end (out);
  return g_string_free (out, FALSE);
}
