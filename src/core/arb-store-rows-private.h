/* arb-store-rows-private.h: the store's rows read into typed values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: the column lists the readers select, and the decoders of their
 * rows (arb-store-rows.c), for the store's reads and the trade queries.
 */
#pragma once

#include <sqlite3.h>

#include "arb-alert.h"
#include "arb-event.h"
#include "arb-store-rows.h"

G_BEGIN_DECLS

/* An event from a row of these columns, its strings borrowed from the
 * statement until its next step */
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

G_END_DECLS
