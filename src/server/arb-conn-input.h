/* arb-conn-input.h: what a client sends, as libsoup reads it, with WebSocket messages bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ARB_TYPE_CONN_INPUT (arb_conn_input_get_type ())

G_DECLARE_FINAL_TYPE (ArbConnInput, arb_conn_input, ARB, CONN_INPUT, GInputStream)

/* Reads from @base's input; closing it closes @base. */
GInputStream *arb_conn_input_new           (GIOStream    *base);
/* From here on the client sends WebSocket frames: a message (all its
 * fragments) over @max_message bytes ends the connection with close code
 * 1009 before libsoup sees any of it. */
void          arb_conn_input_set_websocket (ArbConnInput *self,
                                            guint64       max_message);
/* Whether a message was refused for its size. */
gboolean      arb_conn_input_get_refused   (ArbConnInput *self);
/* The last request is answered and the connection kept alive: an end of
 * stream before the next byte means the client hung up between requests. */
void          arb_conn_input_set_idle      (ArbConnInput *self);

G_END_DECLS
