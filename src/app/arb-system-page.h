/* arb-system-page.h: the machine, the dashboard itself, and the bots' network status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-chart.h"
#include "arb-engine.h"
#include "arb-range-switch.h"

G_BEGIN_DECLS

#define ARB_TYPE_SYSTEM_PAGE (arb_system_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbSystemPage, arb_system_page, ARB, SYSTEM_PAGE, AdwBin)

void            arb_system_page_set_engine        (ArbSystemPage *self,
                                                   ArbEngine     *engine);
ArbRangeSwitch *arb_system_page_get_range_switch  (ArbSystemPage *self);

/* for tests */
guint           arb_system_page_get_n_samples     (ArbSystemPage *self);
guint           arb_system_page_get_n_core_rows   (ArbSystemPage *self);
AdwActionRow   *arb_system_page_get_iface_row     (ArbSystemPage *self,
                                                   guint          index);
ArbChart       *arb_system_page_get_chart         (ArbSystemPage *self,
                                                   const char    *name);
guint           arb_system_page_get_n_status_bots (ArbSystemPage *self);
gboolean        arb_system_page_says_no_status    (ArbSystemPage *self);
guint           arb_system_page_get_n_venue_rows  (ArbSystemPage *self,
                                                   const char    *bot_id);
const char     *arb_system_page_get_status        (ArbSystemPage *self,
                                                   const char    *bot_id,
                                                   const char    *venue,
                                                   gboolean      *warning);
ArbChart       *arb_system_page_get_status_chart  (ArbSystemPage *self,
                                                   const char    *bot_id);

G_END_DECLS
