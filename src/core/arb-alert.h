/* arb-alert.h: one alert, raised and perhaps cleared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ARB_ALERT_WARNING,
  ARB_ALERT_CRITICAL,
} ArbAlertSeverity;

typedef struct
{
  char             *id;
  char             *rule;       /* cpu, memory, disk, bot_stale, bot_lost, losing_streak,
                                 * gas_spike, error_log */
  char             *subject;    /* "host" or a bot_id */
  ArbAlertSeverity  severity;
  char             *message;
  double            value;
  double            threshold;
  gint64            raised_ms;
  gint64            cleared_ms; /* 0 while active */
  gint64            hub_seq;
} ArbAlert;

ArbAlert   *arb_alert_copy          (const ArbAlert *alert);
void        arb_alert_free          (ArbAlert       *alert);
char       *arb_alert_to_json       (const ArbAlert *alert);
void        arb_alert_write_array   (GString        *s,
                                     GPtrArray      *alerts);
const char *arb_alert_severity_name (ArbAlertSeverity severity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbAlert, arb_alert_free)

typedef struct
{
  double cpu_percent;        /* CPU busy above this ... */
  guint  cpu_seconds;        /* ... for this long */
  double memory_percent;
  guint  memory_seconds;
  double disk_percent;       /* the database's disk fuller than this */
  guint  losing_streak;      /* this many losing trades in a row */
  double gas_spike_gwei;     /* a gas price at or above this */
  guint  error_window_s;     /* error logs keep their alert this long */
} ArbAlertThresholds;

void arb_alert_thresholds_init_default (ArbAlertThresholds *t);

G_END_DECLS
