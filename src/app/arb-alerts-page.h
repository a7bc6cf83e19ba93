/* arb-alerts-page.h: the active alerts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_ALERTS_PAGE (arb_alerts_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbAlertsPage, arb_alerts_page, ARB, ALERTS_PAGE, AdwBin)

void   arb_alerts_page_set_engine    (ArbAlertsPage *self,
                                      ArbEngine     *engine);
guint  arb_alerts_page_get_n_alerts  (ArbAlertsPage *self);

G_END_DECLS
