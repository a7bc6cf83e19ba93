/* arb-store-rows.h: what the store's reads return, as typed values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The views read these in process; the REST API serialises the same values
 * (the *_write_json functions), so its field names are the protocol's only.
 */
#pragma once

#include <glib.h>

#include "arb-event.h"

G_BEGIN_DECLS

/* One stored trade, opportunity or log, with the bot it came from. */
typedef struct
{
  char     *bot_id;    /* NULL: the dashboard's own log */
  gint64    hub_seq;
  ArbEvent *event;
} ArbStoredEvent;

ArbStoredEvent *arb_stored_event_new       (const char           *bot_id,
                                            gint64                hub_seq,
                                            ArbEvent             *event);
void            arb_stored_event_free      (ArbStoredEvent       *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbStoredEvent, arb_stored_event_free)

/* A page of the trade history, in the order of its query. */
typedef struct
{
  GPtrArray *trades;       /* ArbStoredEvent*, each a trade */
  char      *next_cursor;  /* for arb_trade_query_set_cursor(); NULL on the last page */
} ArbTradePage;

ArbTradePage   *arb_trade_page_new         (void);
void            arb_trade_page_free        (ArbTradePage         *page);
/* {"trades":[...],"next_cursor":...}, as GET /api/v1/trades answers */
void            arb_trade_page_write_json  (const ArbTradePage   *page,
                                            GString              *out);
char           *arb_trade_page_to_json     (const ArbTradePage   *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbTradePage, arb_trade_page_free)

/* A page of the log of refused messages, newest first. */
typedef struct
{
  GPtrArray *rejected;     /* ArbRejected* */
  gint64     next_row;     /* the before_row of the next page; 0 on the last */
} ArbRejectedPage;

/* The cursor of the page after @row ("r1:ROW", opaque as the trade cursors) */
char           *arb_rejected_cursor_encode (gint64                row);
gboolean        arb_rejected_cursor_parse  (const char           *cursor,
                                            gint64               *row);
void            arb_rejected_page_free     (ArbRejectedPage      *page);
/* {"rejected":[...],"next_cursor":...}, as GET /api/v1/rejected answers */
char           *arb_rejected_page_to_json  (const ArbRejectedPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbRejectedPage, arb_rejected_page_free)

G_END_DECLS
