/* arb-log-page.h: the bots' latest log messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_LOG_PAGE_MAX_ITEMS 1000

#define ARB_TYPE_LOG_PAGE (arb_log_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbLogPage, arb_log_page, ARB, LOG_PAGE, AdwBin)

void        arb_log_page_set_engine          (ArbLogPage  *self,
                                              ArbEngine   *engine);
GListModel *arb_log_page_get_model           (ArbLogPage  *self);
GListModel *arb_log_page_get_filtered_model  (ArbLogPage  *self);
GListModel *arb_log_page_get_components      (ArbLogPage  *self);
void        arb_log_page_set_min_level       (ArbLogPage  *self,
                                              ArbLogLevel  level);
gboolean    arb_log_page_set_component       (ArbLogPage  *self,
                                              const char  *component);
void        arb_log_page_set_search_text     (ArbLogPage  *self,
                                              const char  *text);
const char *arb_log_page_get_shown           (ArbLogPage  *self);

G_END_DECLS
