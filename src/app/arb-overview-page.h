/* arb-overview-page.h: profit, trades, bots and the machine at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_OVERVIEW_PAGE (arb_overview_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbOverviewPage, arb_overview_page, ARB, OVERVIEW_PAGE, AdwBin)

void     arb_overview_page_set_engine     (ArbOverviewPage *self,
                                           ArbEngine       *engine,
                                           const char      *url);
guint64  arb_overview_page_get_trades     (ArbOverviewPage *self);
guint    arb_overview_page_get_n_bots     (ArbOverviewPage *self);

G_END_DECLS
