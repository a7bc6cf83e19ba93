/* arb-trade-list.h: the stored trades as a list model, a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "arb-store.h"

G_BEGIN_DECLS

#define ARB_TRADE_LIST_PAGE_SIZE 100

/* One trade of the list: what the history's columns show. */
#define ARB_TYPE_TRADE_ITEM (arb_trade_item_get_type ())

G_DECLARE_FINAL_TYPE (ArbTradeItem, arb_trade_item, ARB, TRADE_ITEM, GObject)

gint64       arb_trade_item_get_ts         (ArbTradeItem *self);
const char  *arb_trade_item_get_bot_id     (ArbTradeItem *self);
const char  *arb_trade_item_get_pair       (ArbTradeItem *self);
const char  *arb_trade_item_get_buy_venue  (ArbTradeItem *self);
const char  *arb_trade_item_get_sell_venue (ArbTradeItem *self);
const char  *arb_trade_item_get_status     (ArbTradeItem *self);
double       arb_trade_item_get_profit     (ArbTradeItem *self);
double       arb_trade_item_get_gas_cost   (ArbTradeItem *self);

#define ARB_TYPE_TRADE_LIST (arb_trade_list_get_type ())

G_DECLARE_FINAL_TYPE (ArbTradeList, arb_trade_list, ARB, TRADE_LIST, GObject)

ArbTradeList *arb_trade_list_new          (ArbStore     *store);
void          arb_trade_list_set_filter   (ArbTradeList *self,
                                           const char   *bot_id,
                                           const char   *pair,
                                           int           status);
void          arb_trade_list_set_sort     (ArbTradeList *self,
                                           ArbTradeSort  sort,
                                           gboolean      ascending);
ArbTradeSort  arb_trade_list_get_sort     (ArbTradeList *self);
gboolean      arb_trade_list_get_ascending (ArbTradeList *self);
void          arb_trade_list_set_after    (ArbTradeList *self,
                                           gint64        after_ms);
void          arb_trade_list_reload       (ArbTradeList *self);
gboolean      arb_trade_list_load_more    (ArbTradeList *self);
gboolean      arb_trade_list_is_loading   (ArbTradeList *self);
gboolean      arb_trade_list_has_more     (ArbTradeList *self);
guint         arb_trade_list_get_n_pages  (ArbTradeList *self);
const GError *arb_trade_list_get_error    (ArbTradeList *self);
void          arb_trade_list_init_query   (ArbTradeList  *self,
                                           ArbTradeQuery *query);

G_END_DECLS
