/* arb-preferences-window.h: the settings a user may change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-config.h"

G_BEGIN_DECLS

#define ARB_TYPE_PREFERENCES_WINDOW (arb_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ArbPreferencesWindow, arb_preferences_window, ARB, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

ArbPreferencesWindow *arb_preferences_window_new           (GSettings            *settings,
                                                             ArbConfig            *config);
/* The Access page, for tests: its rows, its open dialog, its last error. */
GtkWidget            *arb_preferences_window_get_token_row (ArbPreferencesWindow *self,
                                                             const char           *name);
/* The configuration's tokens changed elsewhere (`arbdash token`, ArbConfigWatch). */
void                  arb_preferences_window_reload_tokens (ArbPreferencesWindow *self);
AdwMessageDialog     *arb_preferences_window_get_dialog    (ArbPreferencesWindow *self);
const char           *arb_preferences_window_get_error     (ArbPreferencesWindow *self);

G_END_DECLS
