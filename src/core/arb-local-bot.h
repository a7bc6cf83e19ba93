/* arb-local-bot.h: a demo bot that talks to the ingest in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-demo-bot.h"
#include "arb-ingest.h"

G_BEGIN_DECLS

typedef struct _ArbLocalBot ArbLocalBot;

ArbLocalBot *arb_local_bot_new            (ArbIngest   *ingest,
                                           ArbDemoBot  *bot);
void         arb_local_bot_free           (ArbLocalBot *self);
ArbDemoBot  *arb_local_bot_get_bot        (ArbLocalBot *self);
gboolean     arb_local_bot_is_open        (ArbLocalBot *self);
gint64       arb_local_bot_get_acked      (ArbLocalBot *self);
guint        arb_local_bot_get_n_errors   (ArbLocalBot *self);
gushort      arb_local_bot_get_close_code (ArbLocalBot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbLocalBot, arb_local_bot_free)

G_END_DECLS
