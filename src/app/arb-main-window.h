/* arb-main-window.h: the dashboard window: a header bar, the pages, the server's address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * (ArbWindow is the ledger's time window, hence the name.)
 */
#pragma once

#include <adwaita.h>

#include "arb-service.h"

G_BEGIN_DECLS

#define ARB_TYPE_MAIN_WINDOW (arb_main_window_get_type ())

G_DECLARE_FINAL_TYPE (ArbMainWindow, arb_main_window, ARB, MAIN_WINDOW, AdwApplicationWindow)

ArbMainWindow *arb_main_window_new              (GtkApplication *application,
                                                 GSettings      *settings,
                                                 ArbService     *service);
void           arb_main_window_show_error       (ArbMainWindow  *self,
                                                 const char     *title,
                                                 const char     *description);
typedef void (*ArbUriOpener) (ArbMainWindow *self, const char *uri);
void           arb_main_window_set_uri_opener   (ArbMainWindow  *self,
                                                 ArbUriOpener    opener);
void           arb_main_window_show_page        (ArbMainWindow  *self,
                                                 const char     *name);
const char    *arb_main_window_get_visible_page (ArbMainWindow  *self);
GtkWidget     *arb_main_window_get_page         (ArbMainWindow  *self,
                                                 const char     *name);
gboolean       arb_main_window_is_showing_error (ArbMainWindow  *self);
void           arb_main_window_add_toast        (ArbMainWindow  *self,
                                                 AdwToast       *toast);
AdwToast      *arb_main_window_get_last_toast   (ArbMainWindow  *self);
const char    *arb_main_window_get_url          (ArbMainWindow  *self);

G_END_DECLS
