/* arb-alert.c: one alert, raised and perhaps cleared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-alert"

#include "config.h"

#include "arb-alert.h"
#include "arb-json.h"

void
arb_alert_thresholds_init_default (ArbAlertThresholds *t)
{
  t->cpu_percent = 90;
  t->cpu_seconds = 60;
  t->memory_percent = 90;
  t->memory_seconds = 60;
  t->disk_percent = 90;
  t->losing_streak = 5;
  t->gas_spike_gwei = 200;
  t->error_window_s = 300;
}

/**
 * arb_alert_write_array:
 * @s: where to append
 * @alerts: (element-type ArbAlert): the alerts, in the order to write
 *
 * Appends @alerts as a JSON array of arb_alert_to_json() objects: the REST
 * alerts page and the stream's alerts snapshot write the same shape.
 */
void
arb_alert_write_array (GString   *s,
                       GPtrArray *alerts)
{
  arb_json_array_begin (s);
  for (guint i = 0; i < alerts->len; i++)
    {
      g_autofree char *json = arb_alert_to_json (g_ptr_array_index (alerts, i));

      arb_json_raw (s, json);
    }
  arb_json_array_end (s);
}

const char *
arb_alert_severity_name (ArbAlertSeverity severity)
{
  return severity == ARB_ALERT_CRITICAL ? "critical" : "warning";
}

ArbAlert *
arb_alert_copy (const ArbAlert *a)
{
  ArbAlert *c = g_memdup2 (a, sizeof *a);

  c->id = g_strdup (a->id);
  c->rule = g_strdup (a->rule);
  c->subject = g_strdup (a->subject);
  c->message = g_strdup (a->message);
  return c;
}

void
arb_alert_free (ArbAlert *a)
{
  if (a == NULL)
    return;
  g_free (a->id);
  g_free (a->rule);
  g_free (a->subject);
  g_free (a->message);
  g_free (a);
}

/* The `alert` item's data and the /alerts row. */
char *
arb_alert_to_json (const ArbAlert *a)
{
  GString *s = g_string_sized_new (256);

  arb_json_object_begin (s);
  arb_json_member_string (s, "id", a->id);
  arb_json_member_string (s, "rule", a->rule);
  arb_json_member_string (s, "subject", a->subject);
  arb_json_member_string (s, "severity", arb_alert_severity_name (a->severity));
  arb_json_member_string (s, "state", a->cleared_ms > 0 ? "cleared" : "active");
  arb_json_member_string (s, "message", a->message);
  arb_json_member_double (s, "value", a->value);
  arb_json_member_double (s, "threshold", a->threshold);
  arb_json_member_int (s, "raised", a->raised_ms);
  arb_json_key (s, "cleared");
  if (a->cleared_ms > 0)
    arb_json_int (s, a->cleared_ms);
  else
    arb_json_null (s);
  arb_json_object_end (s);
  return g_string_free (s, FALSE);
}
