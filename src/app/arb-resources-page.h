/* arb-resources-page.h: each bot's connection pool, tasks, memory and cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"
#include "arb-range-switch.h"

G_BEGIN_DECLS

#define ARB_TYPE_RESOURCES_PAGE (arb_resources_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbResourcesPage, arb_resources_page, ARB, RESOURCES_PAGE, AdwBin)

void        arb_resources_page_set_engine  (ArbResourcesPage *self,
                                            ArbEngine        *engine);
guint       arb_resources_page_get_n_bots  (ArbResourcesPage *self);
const char *arb_resources_page_get_figure  (ArbResourcesPage *self,
                                            const char       *bot_id,
                                            const char       *figure);
ArbRangeSwitch *arb_resources_page_get_range_switch (ArbResourcesPage *self);

G_END_DECLS
