/* arb-system-page.h: the machine: CPU, memory, load, uptime, disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_SYSTEM_PAGE (arb_system_page_get_type ())

G_DECLARE_FINAL_TYPE (ArbSystemPage, arb_system_page, ARB, SYSTEM_PAGE, AdwBin)

void     arb_system_page_set_engine    (ArbSystemPage *self,
                                        ArbEngine     *engine);
guint    arb_system_page_get_n_samples (ArbSystemPage *self);

G_END_DECLS
