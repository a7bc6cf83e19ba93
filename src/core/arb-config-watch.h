/* arb-config-watch.h: a running dashboard follows the tokens of its configuration file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "arb-config.h"

G_BEGIN_DECLS

#define ARB_TYPE_CONFIG_WATCH (arb_config_watch_get_type ())

G_DECLARE_FINAL_TYPE (ArbConfigWatch, arb_config_watch, ARB, CONFIG_WATCH, GObject)

/* @config must outlive the watch (the engine's: arb_engine_get_config()). */
ArbConfigWatch *arb_config_watch_new      (ArbConfig      *config);
const char     *arb_config_watch_get_path (ArbConfigWatch *self);
/* Reads the file now (SIGHUP); the monitor calls it after each change. */
gboolean        arb_config_watch_reload   (ArbConfigWatch *self,
                                           GError        **error);

G_END_DECLS
