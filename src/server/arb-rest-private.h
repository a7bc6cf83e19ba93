/* arb-rest-private.h: the parameter parsing of the REST routes, for the fuzzers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "arb-store.h"

G_BEGIN_DECLS

/* Decodes a query string strictly; NULL with *bad_key set on a malformed escape. */
GHashTable *_arb_rest_parse_query   (const char         *raw,
                                     char              **bad_key);
/* The filters of /trades and /trades.csv from decoded @query into @q; on a
 * bad parameter answers @msg with the error and returns FALSE. */
gboolean    _arb_rest_trade_filters (SoupServerMessage  *msg,
                                     GHashTable         *query,
                                     ArbTradeQuery      *q);

G_END_DECLS
