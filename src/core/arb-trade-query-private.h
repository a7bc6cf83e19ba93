/* arb-trade-query-private.h: the statements that read a page of trades
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: the store runs them on its reader connections.
 */
#pragma once

#include <sqlite3.h>

#include "arb-event.h"
#include "arb-trade-query.h"

G_BEGIN_DECLS

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
/* For tests: the query plans of the statements that read a page of
 * @query on @db, from the start and after a cursor, one line a step. */
char         *_arb_trade_query_explain (sqlite3       *db,
                                       const ArbTradeQuery *query,
                                       GError        **error);

G_END_DECLS
