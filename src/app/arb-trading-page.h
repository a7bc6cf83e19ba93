/* arb-trading-page.h: the trading figures of a window, and the trade history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-chart.h"
#include "arb-engine.h"
#include "arb-trade-list.h"

G_BEGIN_DECLS

#define ARB_TYPE_TRADING_PAGE (arb_trading_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbTradingPage, arb_trading_page, ARB, TRADING_PAGE, AdwBin)

void          arb_trading_page_set_engine     (ArbTradingPage *self,
                                               ArbEngine      *engine);
void          arb_trading_page_set_window     (ArbTradingPage *self,
                                               ArbWindow       window);
void          arb_trading_page_export         (ArbTradingPage *self,
                                               GFile          *file);
gboolean      arb_trading_page_is_exporting   (ArbTradingPage *self);
guint64       arb_trading_page_get_trades     (ArbTradingPage *self);
guint         arb_trading_page_get_n_pairs    (ArbTradingPage *self);
ArbTradeList *arb_trading_page_get_trade_list (ArbTradingPage *self);
ArbChart     *arb_trading_page_get_profit_chart (ArbTradingPage *self);

G_END_DECLS
