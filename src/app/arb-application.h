/* arb-application.h: the desktop application: one engine, one server, its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "arb-config.h"
#include "arb-engine.h"
#include "arb-server.h"
#include "arb-service.h"

G_BEGIN_DECLS

#define ARB_TYPE_APPLICATION (arb_application_get_type ())

G_DECLARE_FINAL_TYPE (ArbApplication, arb_application, ARB, APPLICATION, AdwApplication)

ArbApplication *arb_application_new               (ArbConfig      *config);
ArbEngine      *arb_application_get_engine        (ArbApplication *self);
ArbServer      *arb_application_get_server        (ArbApplication *self);
const char     *arb_application_get_error_title   (ArbApplication *self);
const char     *arb_application_get_error_description (ArbApplication *self);
GSettings      *arb_application_get_settings      (ArbApplication *self);
GtkWindow      *arb_application_get_main_window   (ArbApplication *self);

GSettings      *arb_application_new_settings      (void);
void            arb_application_load_settings     (ArbConfig      *config);

G_END_DECLS
