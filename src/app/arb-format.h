/* arb-format.h: the words and numbers the views show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-alert.h"
#include "arb-bot-link.h"

G_BEGIN_DECLS

const char *arb_format_currency_symbol (const char *quote);
char       *arb_format_money      (double      amount,
                                   const char *quote);
char       *arb_format_percent    (double      fraction);
char       *arb_format_time       (gint64      ms);
char       *arb_format_duration   (double      seconds);
const char *arb_format_bot_state  (ArbBotLink *link);
char       *arb_format_bot_detail (ArbBotLink *link);
char       *arb_format_alert_message (const ArbAlert *alert);
const char *arb_format_alert_subject (const ArbAlert *alert);

G_END_DECLS
