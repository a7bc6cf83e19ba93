/* arb-trade-query.h: which stored trades to read, in which order, from where
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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


G_END_DECLS
