/* arb-server.h: the embedded HTTP and WebSocket server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_SERVER (arb_server_get_type ())

G_DECLARE_FINAL_TYPE (ArbServer, arb_server, ARB, SERVER, GObject)

ArbServer  *arb_server_new         (ArbEngine   *engine);
/* Listens on @address:@port (port 0 picks a free one). Listening on an
 * address that is not loopback prints a warning when there is no TLS. */
gboolean    arb_server_listen      (ArbServer   *self,
                                    const char  *address,
                                    guint        port,
                                    GError     **error);
GSocket    *arb_server_bind_socket (const char  *address,
                                    guint        port,
                                    GError     **error);
gboolean    arb_server_listen_socket (ArbServer *self,
                                    GSocket     *sock,
                                    GError     **error);
guint       arb_server_get_port    (ArbServer   *self);
/* The base URL, e.g. "http://127.0.0.1:8080/". */
char       *arb_server_dup_url     (ArbServer   *self);
/* A one-time sign-in link for a browser (operator role, 10 minutes). */
char       *arb_server_new_login_link (ArbServer *self);
ArbEngine  *arb_server_get_engine  (ArbServer   *self);
guint       arb_server_get_n_sockets (ArbServer *self);
/* Connections accepted and not yet closed, of any kind. */
guint       arb_server_get_n_connections (ArbServer *self);
/* Stops listening and closes every connection (1001 for WebSockets). The
 * engine is not stopped: ArbService stops it first, so that its last acks
 * go out before the connections close. */
void        arb_server_shutdown    (ArbServer   *self);

G_END_DECLS
