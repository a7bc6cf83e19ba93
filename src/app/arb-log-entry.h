/* arb-log-entry.h: one log message, an item of the Log page's model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "arb-event.h"

G_BEGIN_DECLS

#define ARB_TYPE_LOG_ENTRY (arb_log_entry_get_type ())

G_DECLARE_FINAL_TYPE (ArbLogEntry, arb_log_entry, ARB, LOG_ENTRY, GObject)

ArbLogEntry *arb_log_entry_new           (gint64            ts,
                                          const char       *bot_id,
                                          ArbLogLevel       level,
                                          const char       *component,
                                          const char       *message);
ArbLogEntry *arb_log_entry_new_from_event (const char     *bot_id,
                                          const ArbEvent   *event);
gint64       arb_log_entry_get_ts        (ArbLogEntry      *self);
const char  *arb_log_entry_get_bot_id    (ArbLogEntry      *self);
ArbLogLevel  arb_log_entry_get_level     (ArbLogEntry      *self);
const char  *arb_log_entry_get_component (ArbLogEntry      *self);
const char  *arb_log_entry_get_message   (ArbLogEntry      *self);
gboolean     arb_log_entry_matches       (ArbLogEntry      *self,
                                          const char       *folded);

G_END_DECLS
