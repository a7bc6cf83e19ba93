/* arb-bot-link.h: what the dashboard knows of one bot and its connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arb-event.h"

G_BEGIN_DECLS

typedef enum
{
  ARB_LINK_CONNECTED,
  ARB_LINK_STALE,
  ARB_LINK_LOST,
  ARB_LINK_DISCONNECTED,
} ArbLinkState;

#define ARB_TYPE_BOT_LINK (arb_bot_link_get_type ())

G_DECLARE_FINAL_TYPE (ArbBotLink, arb_bot_link, ARB, BOT_LINK, GObject)

ArbBotLink   *arb_bot_link_new                 (const char     *bot_id);
const char   *arb_bot_link_get_bot_id          (ArbBotLink     *self);
const char   *arb_bot_link_get_name            (ArbBotLink     *self);
const char   *arb_bot_link_get_version         (ArbBotLink     *self);
const char   *arb_bot_link_get_strategy        (ArbBotLink     *self);
const char   *arb_bot_link_get_quote           (ArbBotLink     *self);
const char *const *arb_bot_link_get_commands   (ArbBotLink     *self);
gboolean      arb_bot_link_takes_command       (ArbBotLink     *self,
                                                const char     *name);
gint64        arb_bot_link_get_pid             (ArbBotLink     *self);
void          arb_bot_link_apply_hello         (ArbBotLink     *self,
                                                const ArbHello *hello);

/* Highest seq committed to disk, and highest seq handed to the store. */
gint64        arb_bot_link_get_stored_seq      (ArbBotLink     *self);
void          arb_bot_link_set_stored_seq      (ArbBotLink     *self,
                                                gint64          seq);
gint64        arb_bot_link_get_accepted_seq    (ArbBotLink     *self);
void          arb_bot_link_set_accepted_seq    (ArbBotLink     *self,
                                                gint64          seq);

ArbLinkState  arb_bot_link_get_state           (ArbBotLink     *self);
const char   *arb_link_state_name              (ArbLinkState    state);
ArbBotRunState arb_bot_link_get_run_state      (ArbBotLink     *self);
gboolean      arb_bot_link_has_heartbeat       (ArbBotLink     *self);
gint64        arb_bot_link_get_last_heartbeat  (ArbBotLink     *self);
gint64        arb_bot_link_get_last_seen       (ArbBotLink     *self);
gint64        arb_bot_link_get_heartbeat_interval (ArbBotLink  *self);

/* Connections attached (WebSocket sessions); a bot with none that was
 * connected is "disconnected". Return TRUE when the state changed. */
gboolean      arb_bot_link_attach              (ArbBotLink     *self,
                                                gint64          now_ms);
gboolean      arb_bot_link_detach              (ArbBotLink     *self,
                                                gint64          now_ms);
guint         arb_bot_link_get_n_connections   (ArbBotLink     *self);
/* A heartbeat was committed; returns TRUE when state or run state changed. */
gboolean      arb_bot_link_heartbeat           (ArbBotLink     *self,
                                                const ArbHeartbeat *heartbeat,
                                                gint64          ts_ms,
                                                gint64          now_ms);
/* Any event seen (HTTP bots have no connection: their events count). */
void          arb_bot_link_seen                (ArbBotLink     *self,
                                                gint64          now_ms);
/* Re-evaluates stale/lost at @now_ms; TRUE when the state changed. */
gboolean      arb_bot_link_check               (ArbBotLink     *self,
                                                gint64          now_ms);

/* The `bot` item of the bots topic and the /bots row. */
JsonNode     *arb_bot_link_to_json             (ArbBotLink     *self);

G_END_DECLS
