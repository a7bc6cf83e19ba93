/* arb-proc-watch.h: one process's CPU, memory and threads, read from /proc/<pid>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain helpers of the sampler, not a public API.
 */
#pragma once

#include "arb-proc-file.h"
#include "arb-system-sample.h"

G_BEGIN_DECLS

/* One process read from <root>/<pid>/{stat,status}; also used for "self". */
typedef struct
{
  char         *key;
  ArbProcFile   stat;
  ArbProcFile   status;
  gint64        prev_us;
  guint64       prev_ticks;
  gboolean      have_prev;
  gboolean      gone;
  ArbProcStats  stats;
} ArbProcWatch;

void      arb_proc_watch_init      (ArbProcWatch  *watch,
                                    const char    *root,
                                    const char    *key,
                                    const char    *dir);
void      arb_proc_watch_clear     (ArbProcWatch  *watch);
void      arb_proc_watch_free      (gpointer       data);
void      arb_proc_watch_set_gone  (ArbProcWatch  *watch);
/* Reads the figures into watch->stats; CPU % from the ticks since the
 * previous reading, at @now_us on the monotonic clock. */
gboolean  arb_proc_watch_read      (ArbProcWatch  *watch,
                                    ArbProcBuf    *buf,
                                    gint64         now_us,
                                    long           clk_tck,
                                    GError       **error);
/* Reads every watch of @watches (key -> ArbProcWatch*) into @procs
 * (key -> ArbProcStats*); a process that cannot be read is gone for good. */
void      arb_proc_watches_collect (GHashTable    *watches,
                                    GHashTable    *procs,
                                    ArbProcBuf    *buf,
                                    gint64         now_us,
                                    long           clk_tck);

G_END_DECLS
