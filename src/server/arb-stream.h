/* arb-stream.h: the viewers' live stream, /api/v1/stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "arb-engine.h"

G_BEGIN_DECLS

#define ARB_TYPE_STREAM (arb_stream_get_type ())

G_DECLARE_FINAL_TYPE (ArbStream, arb_stream, ARB, STREAM, GObject)

/* Per-viewer buffer limits: past the soft one a viewer's gauges are
 * dropped (latest wins); a discrete item past the hard one closes it
 * (ARB_STREAM_CLOSE_SLOW). */
/* The close code of a viewer too slow to keep up: 1013 ("try again later")
 * moved to the application range, since libsoup 3.2 cannot send 1013. */
#define ARB_STREAM_CLOSE_SLOW 4013

#define ARB_STREAM_SOFT_LIMIT (1024 * 1024)
#define ARB_STREAM_HARD_LIMIT (8 * 1024 * 1024)

typedef struct
{
  guint   viewers;
  guint64 frames;
  guint64 bytes;
  guint64 gauges_dropped;
  guint64 closed_slow;
  guint64 replayed;
} ArbStreamStats;

ArbStream *arb_stream_new        (ArbEngine   *engine,
                                  ArbConfig   *config);
/* Takes over an upgraded connection of a viewer with @role. */
void       arb_stream_add_viewer (ArbStream   *self,
                                  SoupWebsocketConnection *ws,
                                  GSocket     *sock,
                                  ArbRole      role,
                                  const char  *token_name);
void       arb_stream_get_stats  (ArbStream   *self,
                                  ArbStreamStats *stats);

G_END_DECLS
