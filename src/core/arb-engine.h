/* arb-engine.h: the dashboard's core, wired together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "arb-alerts.h"
#include "arb-config.h"
#include "arb-demo-bot.h"
#include "arb-hub.h"
#include "arb-ingest.h"
#include "arb-ledger.h"
#include "arb-sampler.h"
#include "arb-series-set.h"
#include "arb-store.h"

G_BEGIN_DECLS

#define ARB_TYPE_ENGINE (arb_engine_get_type ())

G_DECLARE_FINAL_TYPE (ArbEngine, arb_engine, ARB, ENGINE, GObject)

/* Opens the store at config->db_path and starts the sampler, the bot
 * checks and (when config->demo) the in-process demo bot. */
ArbEngine      *arb_engine_new            (const ArbConfig *config,
                                           GError         **error);
/* The server checks tokens against it on every request: the desktop app's
 * Access page adds and removes them here, and they apply at once. */
ArbConfig      *arb_engine_get_config     (ArbEngine       *self);
ArbStore       *arb_engine_get_store      (ArbEngine       *self);
ArbHub         *arb_engine_get_hub        (ArbEngine       *self);
ArbIngest      *arb_engine_get_ingest     (ArbEngine       *self);
ArbLedger      *arb_engine_get_ledger     (ArbEngine       *self);
ArbSampler     *arb_engine_get_sampler    (ArbEngine       *self);
ArbSeriesSet   *arb_engine_get_series     (ArbEngine       *self);
ArbDemoBot     *arb_engine_get_demo_bot   (ArbEngine       *self);
ArbAlerts      *arb_engine_get_alerts     (ArbEngine       *self);
/* FALSE until the ledger has been rebuilt from the store. */
gboolean        arb_engine_is_ledger_ready (ArbEngine      *self);
gint64          arb_engine_get_started_ms (ArbEngine       *self);
/* Days of data the database keeps; a change prunes a moment later. */
guint           arb_engine_get_retention_days (ArbEngine   *self);
void            arb_engine_set_retention_days (ArbEngine   *self,
                                               guint        days);
/* Commits everything, saves the series, closes bot connections (1001). */
void            arb_engine_shutdown       (ArbEngine       *self);

G_END_DECLS
