/* arb-bots-page.h: the bots, their state, and commands to them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_BOTS_PAGE (arb_bots_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbBotsPage, arb_bots_page, ARB, BOTS_PAGE, AdwBin)

void        arb_bots_page_set_engine       (ArbBotsPage *self,
                                            ArbEngine   *engine);
guint       arb_bots_page_get_n_bots       (ArbBotsPage *self);
gboolean    arb_bots_page_has_bot          (ArbBotsPage *self,
                                            const char  *bot_id);
guint       arb_bots_page_get_n_pending    (ArbBotsPage *self,
                                            const char  *bot_id);
guint       arb_bots_page_get_n_audit      (ArbBotsPage *self);
GtkWidget  *arb_bots_page_get_audit_row    (ArbBotsPage *self,
                                            guint        index);
const char *arb_bots_page_get_audit_status (ArbBotsPage *self,
                                            guint        index);
guint       arb_bots_page_get_n_rejected   (ArbBotsPage *self);
GtkWidget  *arb_bots_page_get_rejected_row (ArbBotsPage *self,
                                            guint        index);

G_END_DECLS
