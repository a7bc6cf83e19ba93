/* arb-alerts.c: alert rules over what the dashboard observes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules read typed facts in process (system samples, committed bot
 * events, bot link states) rather than re-parsing hub items. An alert is
 * raised once per rule and subject; its raising and its clearing are each
 * an `alert` item on the `alerts` topic, stored, with the same id.
 */
#define G_LOG_DOMAIN "arb-alerts"

#include "config.h"

#include <math.h>

#include "arb-alerts.h"

struct _ArbAlerts
{
  GObject             parent_instance;

  ArbHub             *hub;
  ArbStore           *store;
  ArbAlertThresholds  t;
  GHashTable         *active;        /* "rule\x1fsubject" -> ArbAlert* */
  gint64              cpu_above_ms;  /* since when CPU is above, 0 if not */
  gint64              mem_above_ms;
  GHashTable         *streaks;       /* bot_id -> losing trades in a row (GUINT) */
  GHashTable         *last_error;    /* bot_id -> ms of its last error log (gint64*) */
  guint               counter;
};

G_DEFINE_FINAL_TYPE (ArbAlerts, arb_alerts, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static char *
active_key (const char *rule, const char *subject)
{
  return g_strconcat (rule, "\x1f", subject, NULL);
}

/* Publishes the alert's state and stores it; the hub seq goes with it. */
static void
record (ArbAlerts *self, ArbAlert *a)
{
  ArbStoreBatch *batch = arb_store_batch_new (NULL);
  gint64 ts = a->cleared_ms > 0 ? a->cleared_ms : a->raised_ms;

  a->hub_seq = arb_hub_publish (self->hub, ARB_TOPIC_ALERTS, "alert", ts, NULL,
                                arb_alert_to_json (a));
  arb_store_batch_put_alert (batch, a);
  arb_store_submit (self->store, batch, NULL, NULL);
  g_signal_emit (self, signals[CHANGED], 0, a);
}

static void
raise_alert (ArbAlerts *self, const char *rule, const char *subject, ArbAlertSeverity severity,
             double value, double threshold, gint64 now_ms, const char *message)
{
  g_autofree char *key = active_key (rule, subject);
  ArbAlert *a;

  if (g_hash_table_contains (self->active, key))
    return;
  a = g_new0 (ArbAlert, 1);
  a->id = g_strdup_printf ("a-%" G_GINT64_FORMAT "-%u", now_ms, ++self->counter);
  a->rule = g_strdup (rule);
  a->subject = g_strdup (subject);
  a->severity = severity;
  a->message = g_strdup (message);
  a->value = value;
  a->threshold = threshold;
  a->raised_ms = now_ms;
  g_hash_table_insert (self->active, g_steal_pointer (&key), a);
  record (self, a);
}

static void
clear_alert (ArbAlerts *self, const char *rule, const char *subject, double value, gint64 now_ms)
{
  g_autofree char *key = active_key (rule, subject);
  ArbAlert *a = g_hash_table_lookup (self->active, key);

  if (a == NULL)
    return;
  a->cleared_ms = MAX (now_ms, a->raised_ms);
  if (!isnan (value))
    a->value = value;
  record (self, a);
  g_hash_table_remove (self->active, key);
}

/* ---------------------------------------------------------------- the host */

/* Over @threshold for @seconds raises; back under clears. */
static void
sustained (ArbAlerts *self, const char *rule, double value, double threshold, guint seconds,
           gint64 *above_since, gint64 now, const char *what)
{
  if (value <= threshold)
    {
      *above_since = 0;
      clear_alert (self, rule, "host", value, now);
      return;
    }
  if (*above_since == 0)
    *above_since = now;
  if (now - *above_since >= (gint64) seconds * 1000)
    {
      g_autofree char *m = g_strdup_printf ("%s at %.0f %% for %u s (threshold %.0f %%)", what,
                                            value, seconds, threshold);
      raise_alert (self, rule, "host", ARB_ALERT_WARNING, value, threshold, now, m);
    }
}

void
arb_alerts_observe_sample (ArbAlerts             *self,
                           const ArbSystemSample *s)
{
  gint64 now = s->ts_ms;

  if ((s->parts & ARB_SAMPLE_CPU) && s->interval_ms > 0)
    sustained (self, "cpu", s->cpu_total, self->t.cpu_percent, self->t.cpu_seconds,
               &self->cpu_above_ms, now, "CPU busy");
  if ((s->parts & ARB_SAMPLE_MEMORY) && s->mem_total > 0)
    sustained (self, "memory", 100.0 * s->mem_used / s->mem_total, self->t.memory_percent,
               self->t.memory_seconds, &self->mem_above_ms, now, "Memory used");
  if ((s->parts & ARB_SAMPLE_DISK) && s->disk_total > 0)
    {
      double pct = 100.0 * s->disk_used / s->disk_total;

      if (pct >= self->t.disk_percent)
        {
          g_autofree char *m = g_strdup_printf ("The disk of the database (%s) is %.0f %% full",
                                                s->disk_path ? s->disk_path : "?", pct);
          raise_alert (self, "disk", "host", ARB_ALERT_CRITICAL, pct, self->t.disk_percent, now,
                       m);
        }
      else
        clear_alert (self, "disk", "host", pct, now);
    }
}

/* ---------------------------------------------------------------- bots */

static void
observe_trade (ArbAlerts *self, const char *bot_id, const ArbTrade *t, gint64 now)
{
  guint streak = GPOINTER_TO_UINT (g_hash_table_lookup (self->streaks, bot_id));

  streak = t->profit < 0 ? streak + 1 : 0;
  g_hash_table_insert (self->streaks, g_strdup (bot_id), GUINT_TO_POINTER (streak));
  if (streak >= self->t.losing_streak && self->t.losing_streak > 0)
    {
      g_autofree char *m = g_strdup_printf ("Bot %s lost money on %u trades in a row", bot_id,
                                            streak);
      raise_alert (self, "losing_streak", bot_id, ARB_ALERT_WARNING, streak,
                   self->t.losing_streak, now, m);
    }
  else if (streak == 0)
    clear_alert (self, "losing_streak", bot_id, 0, now);
  if (!isnan (t->gas_price_gwei))
    {
      if (t->gas_price_gwei >= self->t.gas_spike_gwei)
        {
          g_autofree char *m = g_strdup_printf ("Bot %s paid %.1f gwei for gas on %s",
                                                bot_id, t->gas_price_gwei, t->pair);
          raise_alert (self, "gas_spike", bot_id, ARB_ALERT_WARNING, t->gas_price_gwei,
                       self->t.gas_spike_gwei, now, m);
        }
      else
        clear_alert (self, "gas_spike", bot_id, t->gas_price_gwei, now);
    }
}

static void
observe_log (ArbAlerts *self, const char *bot_id, const ArbLog *l, gint64 now)
{
  g_autofree char *m = NULL;
  const char *end = l->message;

  if (l->level < ARB_LOG_ERROR)
    return;
  g_hash_table_insert (self->last_error, g_strdup (bot_id), g_memdup2 (&now, sizeof now));
  /* 200 characters, not bytes: a cut inside one would make the JSON invalid UTF-8 */
  for (guint i = 0; i < 200 && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  m = g_strdup_printf ("Bot %s logged %s: %.*s", bot_id, arb_log_level_name (l->level),
                       (int) (end - l->message), l->message);
  raise_alert (self, "error_log", bot_id,
               l->level == ARB_LOG_CRITICAL ? ARB_ALERT_CRITICAL : ARB_ALERT_WARNING,
               l->level, ARB_LOG_ERROR, now, m);
}

void
arb_alerts_observe_event (ArbAlerts      *self,
                          const char     *bot_id,
                          const ArbEvent *event,
                          gint64          now_ms)
{
  if (event->type == ARB_MSG_TRADE)
    observe_trade (self, bot_id, &event->trade, now_ms);
  else if (event->type == ARB_MSG_LOG)
    observe_log (self, bot_id, &event->log, now_ms);
}

void
arb_alerts_observe_bot (ArbAlerts  *self,
                        ArbBotLink *link,
                        gint64      now_ms)
{
  const char *bot_id = arb_bot_link_get_bot_id (link);
  ArbLinkState state = arb_bot_link_get_state (link);

  if (state == ARB_LINK_STALE)
    {
      g_autofree char *m = g_strdup_printf ("Bot %s sent no heartbeat for %" G_GINT64_FORMAT " s",
                                            bot_id, (now_ms - arb_bot_link_get_last_seen (link)) / 1000);
      raise_alert (self, "bot_stale", bot_id, ARB_ALERT_WARNING, 0, 0, now_ms, m);
    }
  else if (state == ARB_LINK_LOST)
    {
      g_autofree char *m = g_strdup_printf ("Bot %s is lost: no heartbeat for %" G_GINT64_FORMAT
                                            " s", bot_id,
                                            (now_ms - arb_bot_link_get_last_seen (link)) / 1000);
      clear_alert (self, "bot_stale", bot_id, NAN, now_ms);
      raise_alert (self, "bot_lost", bot_id, ARB_ALERT_CRITICAL, 0, 0, now_ms, m);
    }
  else
    {
      /* connected again, or closed on purpose: a disconnect is not an alarm */
      clear_alert (self, "bot_stale", bot_id, NAN, now_ms);
      clear_alert (self, "bot_lost", bot_id, NAN, now_ms);
    }
}

void
arb_alerts_tick (ArbAlerts *self,
                 gint64     now_ms)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->last_error);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (now_ms - *(gint64 *) value >= (gint64) self->t.error_window_s * 1000)
      {
        clear_alert (self, "error_log", key, NAN, now_ms);
        g_hash_table_iter_remove (&iter);
      }
}

/* ---------------------------------------------------------------- life cycle */

void
arb_alerts_load (ArbAlerts *self)
{
  g_autoptr(GPtrArray) alerts = arb_store_load_active_alerts (self->store);

  for (guint i = 0; i < alerts->len; i++)
    {
      ArbAlert *a = g_ptr_array_index (alerts, i);

      g_hash_table_insert (self->active, active_key (a->rule, a->subject), arb_alert_copy (a));
      /* an error-log alert from before a restart ends on time too */
      if (g_str_equal (a->rule, "error_log"))
        g_hash_table_insert (self->last_error, g_strdup (a->subject),
                             g_memdup2 (&a->raised_ms, sizeof a->raised_ms));
    }
}

static gint
compare_raised (gconstpointer a, gconstpointer b)
{
  const ArbAlert *x = *(ArbAlert **) a;
  const ArbAlert *y = *(ArbAlert **) b;

  return x->raised_ms < y->raised_ms ? -1 : x->raised_ms > y->raised_ms;
}

GPtrArray *
arb_alerts_list_active (ArbAlerts *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->active);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_raised);
  return list;
}

void
arb_alerts_set_thresholds (ArbAlerts                *self,
                           const ArbAlertThresholds *t)
{
  self->t = *t;
}

const ArbAlertThresholds *
arb_alerts_get_thresholds (ArbAlerts *self)
{
  return &self->t;
}

static void
arb_alerts_finalize (GObject *object)
{
  ArbAlerts *self = ARB_ALERTS (object);

  g_clear_object (&self->hub);
  g_clear_object (&self->store);
  g_hash_table_unref (self->active);
  g_hash_table_unref (self->streaks);
  g_hash_table_unref (self->last_error);

  G_OBJECT_CLASS (arb_alerts_parent_class)->finalize (object);
}

static void
arb_alerts_class_init (ArbAlertsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_alerts_finalize;

  /**
   * ArbAlerts::changed:
   * @alert: (type gpointer): the ArbAlert raised or cleared, borrowed
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
arb_alerts_init (ArbAlerts *self)
{
  arb_alert_thresholds_init_default (&self->t);
  self->active = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) arb_alert_free);
  self->streaks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->last_error = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

ArbAlerts *
arb_alerts_new (ArbHub                   *hub,
                ArbStore                 *store,
                const ArbAlertThresholds *thresholds)
{
  ArbAlerts *self = g_object_new (ARB_TYPE_ALERTS, NULL);

  self->hub = g_object_ref (hub);
  self->store = g_object_ref (store);
  if (thresholds != NULL)
    self->t = *thresholds;
  return self;
}
