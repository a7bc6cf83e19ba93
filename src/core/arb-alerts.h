/* arb-alerts.h: alert rules over what the dashboard observes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "arb-alert.h"
#include "arb-bot-link.h"
#include "arb-event.h"
#include "arb-hub.h"
#include "arb-sampler.h"
#include "arb-store.h"

G_BEGIN_DECLS


#define ARB_TYPE_ALERTS (arb_alerts_get_type ())

G_DECLARE_FINAL_TYPE (ArbAlerts, arb_alerts, ARB, ALERTS, GObject)

ArbAlerts  *arb_alerts_new            (ArbHub                   *hub,
                                       ArbStore                 *store,
                                       const ArbAlertThresholds *thresholds);
void        arb_alerts_set_thresholds (ArbAlerts                *self,
                                       const ArbAlertThresholds *thresholds);
const ArbAlertThresholds *arb_alerts_get_thresholds (ArbAlerts *self);
/* Restores the alerts that were active when the store was last used. */
void        arb_alerts_load           (ArbAlerts                *self);
void        arb_alerts_observe_sample (ArbAlerts                *self,
                                       const ArbSystemSample    *sample);
void        arb_alerts_observe_event  (ArbAlerts                *self,
                                       const char               *bot_id,
                                       const ArbEvent           *event,
                                       gint64                    now_ms);
void        arb_alerts_observe_bot    (ArbAlerts                *self,
                                       ArbBotLink               *link,
                                       gint64                    now_ms);
/* Clears alerts that end with time (error logs). */
void        arb_alerts_tick           (ArbAlerts                *self,
                                       gint64                    now_ms);
/* (element-type ArbAlert) (transfer container): the active alerts, oldest first */
GPtrArray  *arb_alerts_list_active    (ArbAlerts                *self);

G_END_DECLS
