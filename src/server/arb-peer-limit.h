/* arb-peer-limit.h: a token bucket per peer address, in bounded memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ArbPeerLimit ArbPeerLimit;

ArbPeerLimit *arb_peer_limit_new       (guint          burst,
                                        guint          refill_ms,
                                        guint          max_peers);
void          arb_peer_limit_free      (ArbPeerLimit  *self);
/* 0 when @peer may try now, else the seconds until it may (for Retry-After). */
guint         arb_peer_limit_wait      (ArbPeerLimit  *self,
                                        const char    *peer,
                                        gint64         now_us);
/* Takes one try from @peer's bucket. Returns TRUE when the bucket just ran
 * empty for the first time since it was last full: a new episode, to log. */
gboolean      arb_peer_limit_take      (ArbPeerLimit  *self,
                                        const char    *peer,
                                        gint64         now_us);
/* The peers remembered: those whose bucket is not full again. */
guint         arb_peer_limit_get_size  (ArbPeerLimit  *self,
                                        gint64         now_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbPeerLimit, arb_peer_limit_free)

G_END_DECLS
