/* arb-cursor.h: the text of the store's opaque page cursors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API: the trade cursors (arb-trade-query.c) and those of the log of
 * refused messages (arb-store-rows.c) share the encoding.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* URL-safe base64 of @plain, so clients treat a cursor as opaque. */
char         *_arb_cursor_from_text   (const char     *plain);
/* Returns: (nullable): the text of @cursor, NULL if it is not ours */
char         *_arb_cursor_to_text     (const char     *cursor);

G_END_DECLS
