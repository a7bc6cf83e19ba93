/* arb-dialogs.h: the app's dialogs that are not types of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWidget *arb_confirm_dialog_new (GtkWindow  *parent,
                                   const char *heading,
                                   const char *body,
                                   const char *response,
                                   const char *label);

G_END_DECLS
