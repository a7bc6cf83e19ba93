/* arb-demo-bot.h: a simulated arbitrage bot that speaks protocol v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arb-market.h"

G_BEGIN_DECLS

#define ARB_TYPE_DEMO_BOT (arb_demo_bot_get_type ())

G_DECLARE_FINAL_TYPE (ArbDemoBot, arb_demo_bot, ARB, DEMO_BOT, GObject)

/**
 * ArbDemoBotSendFunc:
 * @message: (transfer none): one protocol message (a JSON object); ref it to keep it
 * @user_data: the data given to arb_demo_bot_set_send_func()
 *
 * Receives each message the bot sends to the dashboard, in order.
 */
typedef void (*ArbDemoBotSendFunc) (JsonNode *message,
                                    gpointer  user_data);

ArbDemoBot *arb_demo_bot_new                       (const char         *bot_id,
                                                    guint32             seed);
void        arb_demo_bot_set_send_func             (ArbDemoBot         *self,
                                                    ArbDemoBotSendFunc  func,
                                                    gpointer            user_data,
                                                    GDestroyNotify      destroy);

JsonNode   *arb_demo_bot_hello                     (ArbDemoBot         *self);
void        arb_demo_bot_start                     (ArbDemoBot         *self,
                                                    gint64              next_seq);
void        arb_demo_bot_start_full                (ArbDemoBot         *self,
                                                    gint64              next_seq,
                                                    gboolean            send_hello);
void        arb_demo_bot_stop                      (ArbDemoBot         *self);
gboolean    arb_demo_bot_is_started                (ArbDemoBot         *self);
void        arb_demo_bot_step                      (ArbDemoBot         *self,
                                                    gint64              now_ms);
void        arb_demo_bot_handle_command            (ArbDemoBot         *self,
                                                    const char         *id,
                                                    const char         *name,
                                                    JsonObject         *args);

const char *arb_demo_bot_get_bot_id                (ArbDemoBot         *self);
guint32     arb_demo_bot_get_seed                  (ArbDemoBot         *self);
double      arb_demo_bot_get_speed                 (ArbDemoBot         *self);
void        arb_demo_bot_set_speed                 (ArbDemoBot         *self,
                                                    double              speed);
guint       arb_demo_bot_get_heartbeat_interval_ms (ArbDemoBot         *self);
void        arb_demo_bot_set_heartbeat_interval_ms (ArbDemoBot         *self,
                                                    guint               interval_ms);
const char *arb_demo_bot_get_state                 (ArbDemoBot         *self);
gint64      arb_demo_bot_get_next_seq              (ArbDemoBot         *self);
void        arb_demo_bot_set_next_seq              (ArbDemoBot         *self,
                                                    gint64              next_seq);
const ArbMarket *arb_demo_bot_get_market           (ArbDemoBot         *self);

G_END_DECLS
