/* arb-system-sample.h: one sample of the machine's figures, and its JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * ArbSampleParts:
 * @ARB_SAMPLE_CPU: `cpu_total`, `cpu_core` (from `/proc/stat`)
 * @ARB_SAMPLE_MEMORY: `mem_*`, `swap_*` (from `/proc/meminfo`)
 * @ARB_SAMPLE_NET: `ifaces` (from `/proc/net/dev`)
 * @ARB_SAMPLE_LOAD: `load1`, `load5`, `load15` (from `/proc/loadavg`)
 * @ARB_SAMPLE_UPTIME: `uptime_s` (from `/proc/uptime`)
 * @ARB_SAMPLE_DISK: `disk_*` (statvfs of the disk path)
 * @ARB_SAMPLE_PROCESS: `self` (from `/proc/self/stat` and `/proc/self/status`)
 *
 * Which parts of a sample hold values. A collector that failed once is
 * disabled for the life of the sampler, and its part stays unset.
 */
typedef enum
{
  ARB_SAMPLE_CPU     = 1 << 0,
  ARB_SAMPLE_MEMORY  = 1 << 1,
  ARB_SAMPLE_NET     = 1 << 2,
  ARB_SAMPLE_LOAD    = 1 << 3,
  ARB_SAMPLE_UPTIME  = 1 << 4,
  ARB_SAMPLE_DISK    = 1 << 5,
  ARB_SAMPLE_PROCESS = 1 << 6,
} ArbSampleParts;

#define ARB_SAMPLE_ALL (ARB_SAMPLE_CPU | ARB_SAMPLE_MEMORY | ARB_SAMPLE_NET | ARB_SAMPLE_LOAD | \
                        ARB_SAMPLE_UPTIME | ARB_SAMPLE_DISK | ARB_SAMPLE_PROCESS)

typedef struct
{
  char     name[32];
  gboolean loopback;
  guint64  rx_bytes;  /* counters since the interface came up */
  guint64  tx_bytes;
  double   rx_rate;   /* bytes/s over the last interval */
  double   tx_rate;
} ArbNetIface;

typedef struct
{
  double   cpu_pct;    /* % of one core: a busy process with 4 threads may show 400 */
  guint64  rss_bytes;
  guint    threads;
  gboolean alive;      /* FALSE once the pid has exited (its figures are then 0) */
} ArbProcStats;

/* Rates and percentages need two readings: they are 0 in the first sample
 * (where interval_ms is 0), for an interface seen for the first time and for
 * a pid in its first sample after arb_sampler_watch_pid(). */
typedef struct
{
  gint64          ts_ms;          /* wall clock, ms since the Unix epoch */
  gint64          interval_ms;    /* measured time since the previous sample, 0 on the first */
  ArbSampleParts  parts;          /* which of the parts below hold values */

  double          cpu_total;      /* busy %, 0..100 */
  guint           n_cores;
  double         *cpu_core;       /* n_cores entries, busy % each */

  guint64         mem_total;      /* bytes */
  guint64         mem_used;       /* mem_total - mem_available */
  guint64         mem_available;
  guint64         mem_cached;     /* Buffers + Cached + SReclaimable, as free(1) shows it */
  guint64         swap_total;
  guint64         swap_used;

  double          load1;
  double          load5;
  double          load15;
  double          uptime_s;

  char           *disk_path;
  guint64         disk_total;     /* bytes */
  guint64         disk_used;      /* as df(1): total - free for root */
  guint64         disk_free;      /* free for unprivileged users */

  guint           n_ifaces;
  ArbNetIface    *ifaces;         /* in the kernel's order, loopback included */

  ArbProcStats    self;           /* the dashboard's own process */
  GHashTable     *procs;          /* key (char*) -> ArbProcStats*: the watched pids */
} ArbSystemSample;

#define ARB_TYPE_SYSTEM_SAMPLE (arb_system_sample_get_type ())

GType            arb_system_sample_get_type (void) G_GNUC_CONST;
ArbSystemSample *arb_system_sample_copy     (const ArbSystemSample *sample);
void             arb_system_sample_free     (ArbSystemSample       *sample);
JsonNode        *arb_system_sample_to_json  (const ArbSystemSample *sample);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbSystemSample, arb_system_sample_free)

G_END_DECLS
