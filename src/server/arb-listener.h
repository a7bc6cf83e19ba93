/* arb-listener.h: the accept loop of the server, which survives running out of descriptors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _ArbListener ArbListener;

/* Accepts connections on @sock (listening) and hands each to @soup, at most
 * @max_connections at once; a request must arrive whole within @timeout_ms
 * of the connection opening or of the previous response. */
ArbListener *arb_listener_new            (SoupServer        *soup,
                                          GSocket           *sock,
                                          guint              max_connections,
                                          guint              timeout_ms,
                                          GError           **error);
void         arb_listener_free           (ArbListener       *self);
/* Stops accepting; the listening socket is closed. */
void         arb_listener_stop           (ArbListener       *self);
guint        arb_listener_get_n_connections (ArbListener    *self);
/* The accepted socket a request came on, or NULL. */
GSocket     *arb_listener_get_socket     (ArbListener       *self,
                                          SoupServerMessage *msg);
/* The request is read whole: its connection's timeout stops until the response is sent. */
void         arb_listener_request_read   (ArbListener       *self,
                                          SoupServerMessage *msg);
/* The response is sent: the connection may wait @timeout_ms for the next request. */
void         arb_listener_request_done   (ArbListener       *self,
                                          SoupServerMessage *msg);
/* The request asks for a WebSocket: what follows its headers are frames,
 * and a message over @max_message bytes ends the connection (1009). */
void         arb_listener_set_websocket  (ArbListener       *self,
                                          SoupServerMessage *msg,
                                          guint64            max_message);
/* Takes the connection away from libsoup, writes the response @msg holds
 * (status and body) with "Connection: close" and closes, without reading
 * the request body. Call it from got-headers or got-chunk. */
void         arb_listener_refuse         (ArbListener       *self,
                                          SoupServerMessage *msg);

/* Raises the soft limit of open files to the hard one. */
void         arb_listener_raise_fd_limit (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbListener, arb_listener_free)

G_END_DECLS
