/* arb-store-private.h: what the tests of the store look at inside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-store.h"

G_BEGIN_DECLS

char *_arb_store_explain_trade_query (ArbStore             *self,
                                      const ArbTradeQuery  *query,
                                      GError              **error);
/* Rows per transaction of a prune, for prunes started after the call. */
void  _arb_store_set_prune_chunk     (ArbStore             *self,
                                      guint                 rows);

/* Caps of the log of refused messages, for the commits after the call. */
void  _arb_store_set_rejected_caps   (ArbStore             *self,
                                      guint                 rows,
                                      gsize                 bytes);

G_END_DECLS
