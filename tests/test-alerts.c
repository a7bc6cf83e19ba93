/* test-alerts.c: the alert rules, their raising and clearing, hub items and persistence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "arb-alerts.h"

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char       *dir;
  char       *path;
  ArbStore   *store;
  ArbHub     *hub;
  ArbAlerts  *alerts;
  GPtrArray  *changed;  /* ArbAlert*: a copy at each "changed" */
  GPtrArray  *items;    /* ArbHubItem*: every item published */
  guint       checked;  /* changes already matched with hub items */
} Fixture;

/* ---------------------------------------------------------------- fixture */

static void
on_changed (ArbAlerts *alerts, ArbAlert *alert, Fixture *f)
{
  g_ptr_array_add (f->changed, arb_alert_copy (alert));
}

static void
on_published (ArbHub *hub, GPtrArray *items, Fixture *f)
{
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (f->items, arb_hub_item_ref (g_ptr_array_index (items, i)));
}

static ArbAlertThresholds
test_thresholds (void)
{
  ArbAlertThresholds t;

  t.cpu_percent = 80;
  t.cpu_seconds = 10;
  t.memory_percent = 70;
  t.memory_seconds = 5;
  t.disk_percent = 90;
  t.losing_streak = 3;
  t.gas_spike_gwei = 100;
  t.error_window_s = 60;
  return t;
}

/* A hub, and alerts over it and the store, watched. */
static void
start_alerts (Fixture *f, gint64 first_seq)
{
  ArbAlertThresholds t = test_thresholds ();

  f->hub = arb_hub_new (first_seq, 1024);
  f->alerts = arb_alerts_new (f->hub, f->store, &t);
  g_signal_connect (f->hub, "published", G_CALLBACK (on_published), f);
  g_signal_connect (f->alerts, "changed", G_CALLBACK (on_changed), f);
}

static void
stop_alerts (Fixture *f)
{
  g_clear_object (&f->alerts);
  g_clear_object (&f->hub);
  g_ptr_array_set_size (f->changed, 0);
  g_ptr_array_set_size (f->items, 0);
  f->checked = 0;
}

static void
open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = arb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
close_store (Fixture *f)
{
  arb_store_close (f->store);
  g_clear_object (&f->store);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("arb-test-alerts-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "arbdash.db", NULL);
  f->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  f->items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  open_store (f);
  start_alerts (f, 1);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  stop_alerts (f);
  close_store (f);
  g_ptr_array_unref (f->changed);
  g_ptr_array_unref (f->items);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* ---------------------------------------------------------------- helpers */

/* Emits what the hub holds and checks that each change went out as one
 * `alert` item, in order, with rising seqs and the alert's state as data.
 * Returns how many changes there were so far. */
static guint
sync_hub (Fixture *f)
{
  arb_hub_flush (f->hub);
  g_assert_cmpuint (f->items->len, ==, f->changed->len);
  for (; f->checked < f->changed->len; f->checked++)
    {
      ArbAlert *a = g_ptr_array_index (f->changed, f->checked);
      ArbHubItem *item = g_ptr_array_index (f->items, f->checked);
      g_autofree char *json = arb_alert_to_json (a);

      g_assert_cmpstr (item->topic, ==, ARB_TOPIC_ALERTS);
      g_assert_true (item->topic == g_intern_static_string (ARB_TOPIC_ALERTS));
      g_assert_cmpstr (item->kind, ==, "alert");
      g_assert_null (item->key);
      g_assert_true (arb_hub_item_is_discrete (item));
      g_assert_cmpint (item->seq, ==, a->hub_seq);
      g_assert_cmpint (item->ts, ==, a->cleared_ms > 0 ? a->cleared_ms : a->raised_ms);
      g_assert_cmpstr (item->json, ==, json);
      if (f->checked > 0)
        {
          ArbHubItem *prev = g_ptr_array_index (f->items, f->checked - 1);
          g_assert_cmpint (item->seq, >, prev->seq);
        }
    }
  return f->changed->len;
}

static ArbAlert *
change (Fixture *f, guint i)
{
  g_assert_cmpuint (i, <, f->changed->len);
  return g_ptr_array_index (f->changed, i);
}

static void
assert_raised (const ArbAlert *a, const char *rule, const char *subject,
               ArbAlertSeverity severity, gint64 when)
{
  g_assert_cmpstr (a->rule, ==, rule);
  g_assert_cmpstr (a->subject, ==, subject);
  g_assert_cmpint (a->severity, ==, severity);
  g_assert_cmpint (a->raised_ms, ==, when);
  g_assert_cmpint (a->cleared_ms, ==, 0);
  g_assert_nonnull (a->id);
  g_assert_nonnull (a->message);
  g_assert_true (g_utf8_validate (a->message, -1, NULL));
}

static void
assert_cleared (const ArbAlert *a, const ArbAlert *raised, gint64 when)
{
  g_assert_cmpstr (a->id, ==, raised->id);
  g_assert_cmpstr (a->rule, ==, raised->rule);
  g_assert_cmpstr (a->subject, ==, raised->subject);
  g_assert_cmpint (a->raised_ms, ==, raised->raised_ms);
  g_assert_cmpint (a->cleared_ms, ==, when);
  g_assert_cmpint (a->hub_seq, >, raised->hub_seq);
}

static guint
n_active (Fixture *f)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (f->alerts);

  return active->len;
}

static void
sample_cpu (Fixture *f, gint64 ts, gint64 interval_ms, double busy)
{
  ArbSystemSample s;

  memset (&s, 0, sizeof s);
  s.ts_ms = ts;
  s.interval_ms = interval_ms;
  s.parts = ARB_SAMPLE_CPU;
  s.cpu_total = busy;
  arb_alerts_observe_sample (f->alerts, &s);
}

static void
sample_memory (Fixture *f, gint64 ts, guint64 used, guint64 total)
{
  ArbSystemSample s;

  memset (&s, 0, sizeof s);
  s.ts_ms = ts;
  s.interval_ms = 1000;
  s.parts = ARB_SAMPLE_MEMORY;
  s.mem_total = total;
  s.mem_used = used;
  s.mem_available = total - used;
  arb_alerts_observe_sample (f->alerts, &s);
}

static void
sample_disk (Fixture *f, gint64 ts, const char *path, guint64 used, guint64 total)
{
  ArbSystemSample s;

  memset (&s, 0, sizeof s);
  s.ts_ms = ts;
  s.interval_ms = 1000;
  s.parts = ARB_SAMPLE_DISK;
  s.disk_path = (char *) path;
  s.disk_total = total;
  s.disk_used = used;
  s.disk_free = total - used;
  arb_alerts_observe_sample (f->alerts, &s);
}

static void
trade (Fixture *f, const char *bot_id, gint64 now, double profit, double gas_gwei)
{
  test_observe_trade (f->alerts, bot_id, now, profit, gas_gwei);
}

static void
log_event (Fixture *f, const char *bot_id, gint64 now, ArbLogLevel level, const char *message)
{
  ArbEvent e;

  memset (&e, 0, sizeof e);
  e.type = ARB_MSG_LOG;
  e.seq = 1;
  e.ts = now;
  e.log.level = level;
  e.log.message = (char *) message;
  arb_alerts_observe_event (f->alerts, bot_id, &e, now);
}

/* ---------------------------------------------------------------- thresholds */

static void
test_thresholds_default (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 16);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-alerts-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "arbdash.db", NULL);
  g_autoptr(ArbStore) store = arb_store_open (path, &error);
  g_autoptr(ArbAlerts) alerts = NULL;
  const ArbAlertThresholds *t;

  g_assert_no_error (error);
  alerts = arb_alerts_new (hub, store, NULL);
  t = arb_alerts_get_thresholds (alerts);
  g_assert_cmpfloat (t->cpu_percent, ==, 90);
  g_assert_cmpuint (t->cpu_seconds, ==, 60);
  g_assert_cmpfloat (t->memory_percent, ==, 90);
  g_assert_cmpuint (t->memory_seconds, ==, 60);
  g_assert_cmpfloat (t->disk_percent, ==, 90);
  g_assert_cmpuint (t->losing_streak, ==, 5);
  g_assert_cmpfloat (t->gas_spike_gwei, ==, 200);
  g_assert_cmpuint (t->error_window_s, ==, 300);
  g_clear_object (&alerts);
  arb_store_close (store);
  remove_dir (dir);
}

static void
test_thresholds_set (Fixture *f, gconstpointer data)
{
  ArbAlertThresholds t = test_thresholds ();
  const ArbAlertThresholds *got = arb_alerts_get_thresholds (f->alerts);

  g_assert_cmpfloat (got->cpu_percent, ==, t.cpu_percent);
  g_assert_cmpuint (got->cpu_seconds, ==, t.cpu_seconds);
  g_assert_cmpfloat (got->memory_percent, ==, t.memory_percent);
  g_assert_cmpuint (got->memory_seconds, ==, t.memory_seconds);
  g_assert_cmpfloat (got->disk_percent, ==, t.disk_percent);
  g_assert_cmpuint (got->losing_streak, ==, t.losing_streak);
  g_assert_cmpfloat (got->gas_spike_gwei, ==, t.gas_spike_gwei);
  g_assert_cmpuint (got->error_window_s, ==, t.error_window_s);

  /* 85 % full is under the disk threshold of 90 ... */
  sample_disk (f, T0, "/db", 85, 100);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  t.disk_percent = 80;
  t.losing_streak = 1;
  arb_alerts_set_thresholds (f->alerts, &t);
  got = arb_alerts_get_thresholds (f->alerts);
  g_assert_cmpfloat (got->disk_percent, ==, 80);
  g_assert_cmpuint (got->losing_streak, ==, 1);
  g_assert_cmpfloat (got->cpu_percent, ==, 80);

  /* ... and over the new one; the alert records the threshold in force */
  sample_disk (f, T0 + 1000, "/db", 85, 100);
  trade (f, "b", T0 + 1000, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_raised (change (f, 0), "disk", "host", ARB_ALERT_CRITICAL, T0 + 1000);
  g_assert_cmpfloat (change (f, 0)->threshold, ==, 80);
  assert_raised (change (f, 1), "losing_streak", "b", ARB_ALERT_WARNING, T0 + 1000);

  /* a streak threshold of 0 disables the rule */
  t.losing_streak = 0;
  arb_alerts_set_thresholds (f->alerts, &t);
  for (int i = 0; i < 5; i++)
    trade (f, "c", T0 + 2000 + i, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 2);
}

/* ---------------------------------------------------------------- host */

static void
test_cpu (Fixture *f, gconstpointer data)
{
  ArbAlert *raised, *cleared;
  g_autofree char *first_id = NULL;

  /* the first sample has no interval: its 0 % or 100 % means nothing */
  sample_cpu (f, T0, 0, 100);
  sample_cpu (f, T0 + 1000, 1000, 95);
  /* over for 9 s: the sample at T0 would have made it 10 */
  sample_cpu (f, T0 + 10000, 1000, 95);
  g_assert_cmpuint (sync_hub (f), ==, 0);
  /* a sample without the CPU part changes nothing */
  sample_memory (f, T0 + 10500, 1, 100);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  sample_cpu (f, T0 + 11000, 1000, 97.6);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "cpu", "host", ARB_ALERT_WARNING, T0 + 11000);
  g_assert_cmpfloat (raised->value, ==, 97.6);
  g_assert_cmpfloat (raised->threshold, ==, 80);
  g_assert_nonnull (strstr (raised->message, "98 %"));
  g_assert_nonnull (strstr (raised->message, "10 s"));
  g_assert_cmpuint (n_active (f), ==, 1);

  /* still over: no second alert */
  sample_cpu (f, T0 + 12000, 1000, 99);
  sample_cpu (f, T0 + 30000, 1000, 99);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  /* at the threshold is not over it */
  sample_cpu (f, T0 + 31000, 1000, 80);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  cleared = change (f, 1);
  assert_cleared (cleared, raised, T0 + 31000);
  g_assert_cmpfloat (cleared->value, ==, 80);
  g_assert_cmpuint (n_active (f), ==, 0);
  first_id = g_strdup (raised->id);

  /* under again: nothing more to clear */
  sample_cpu (f, T0 + 32000, 1000, 10);
  g_assert_cmpuint (sync_hub (f), ==, 2);

  /* over again: the time starts anew, and a dip starts it over */
  sample_cpu (f, T0 + 40000, 1000, 90);
  sample_cpu (f, T0 + 45000, 1000, 90);
  sample_cpu (f, T0 + 46000, 1000, 50);
  sample_cpu (f, T0 + 47000, 1000, 90);
  sample_cpu (f, T0 + 56000, 1000, 90);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  sample_cpu (f, T0 + 57000, 1000, 90);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  assert_raised (change (f, 2), "cpu", "host", ARB_ALERT_WARNING, T0 + 57000);
  g_assert_cmpstr (change (f, 2)->id, !=, first_id);
}

static void
test_memory (Fixture *f, gconstpointer data)
{
  ArbAlert *raised;

  /* no total: nothing known */
  sample_memory (f, T0, 0, 0);
  sample_memory (f, T0 + 10000, 0, 0);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  /* 75 % of 8 GiB, over 70 % for 4 s, then 5 s */
  sample_memory (f, T0 + 20000, G_GUINT64_CONSTANT (6) << 30, G_GUINT64_CONSTANT (8) << 30);
  sample_memory (f, T0 + 24000, G_GUINT64_CONSTANT (6) << 30, G_GUINT64_CONSTANT (8) << 30);
  g_assert_cmpuint (sync_hub (f), ==, 0);
  sample_memory (f, T0 + 25000, G_GUINT64_CONSTANT (6) << 30, G_GUINT64_CONSTANT (8) << 30);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "memory", "host", ARB_ALERT_WARNING, T0 + 25000);
  g_assert_cmpfloat (raised->value, ==, 75);
  g_assert_cmpfloat (raised->threshold, ==, 70);
  g_assert_nonnull (strstr (raised->message, "Memory"));

  sample_memory (f, T0 + 26000, G_GUINT64_CONSTANT (7) << 30, G_GUINT64_CONSTANT (8) << 30);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  /* CPU and memory are separate: a CPU sample leaves the memory alert be */
  sample_cpu (f, T0 + 27000, 1000, 5);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  sample_memory (f, T0 + 28000, G_GUINT64_CONSTANT (4) << 30, G_GUINT64_CONSTANT (8) << 30);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_cleared (change (f, 1), raised, T0 + 28000);
  g_assert_cmpfloat (change (f, 1)->value, ==, 50);
  g_assert_cmpuint (n_active (f), ==, 0);
}

static void
test_disk (Fixture *f, gconstpointer data)
{
  ArbAlert *raised;

  /* no total: nothing known */
  sample_disk (f, T0, "/db", 0, 0);
  sample_disk (f, T0 + 1000, "/db", 899, 1000);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  /* at the threshold raises at once, critical */
  sample_disk (f, T0 + 2000, "/var/lib/arbdash", 900, 1000);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "disk", "host", ARB_ALERT_CRITICAL, T0 + 2000);
  g_assert_cmpfloat (raised->value, ==, 90);
  g_assert_cmpfloat (raised->threshold, ==, 90);
  g_assert_nonnull (strstr (raised->message, "/var/lib/arbdash"));
  g_assert_nonnull (strstr (raised->message, "90 %"));

  sample_disk (f, T0 + 3000, "/var/lib/arbdash", 990, 1000);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  /* a disk of unknown size neither raises nor clears */
  sample_disk (f, T0 + 3500, "/var/lib/arbdash", 0, 0);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  sample_disk (f, T0 + 4000, "/var/lib/arbdash", 500, 1000);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_cleared (change (f, 1), raised, T0 + 4000);
  g_assert_cmpfloat (change (f, 1)->value, ==, 50);

  /* a sample without its path still names the disk somehow */
  sample_disk (f, T0 + 5000, NULL, 950, 1000);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  g_assert_nonnull (strstr (change (f, 2)->message, "(?)"));
}

/* ---------------------------------------------------------------- bots */

static void
test_losing_streak (Fixture *f, gconstpointer data)
{
  ArbAlert *raised;

  trade (f, "a", T0 + 1, -1, NAN);
  trade (f, "a", T0 + 2, -0.5, NAN);
  /* another bot's losses are its own */
  trade (f, "b", T0 + 3, -2, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  trade (f, "a", T0 + 4, -0.01, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "losing_streak", "a", ARB_ALERT_WARNING, T0 + 4);
  g_assert_cmpfloat (raised->value, ==, 3);
  g_assert_cmpfloat (raised->threshold, ==, 3);
  g_assert_nonnull (strstr (raised->message, "Bot a"));

  trade (f, "a", T0 + 5, -1, NAN);
  trade (f, "b", T0 + 6, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  /* a win breaks b's streak before it reached 3: nothing to clear */
  trade (f, "b", T0 + 7, 1, NAN);
  trade (f, "b", T0 + 8, -1, NAN);
  trade (f, "b", T0 + 9, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  /* a trade without loss is not a losing one */
  trade (f, "a", T0 + 10, 0, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_cleared (change (f, 1), raised, T0 + 10);
  g_assert_cmpfloat (change (f, 1)->value, ==, 0);

  /* and the count starts over */
  trade (f, "a", T0 + 11, -1, NAN);
  trade (f, "a", T0 + 12, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  trade (f, "b", T0 + 13, -1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  assert_raised (change (f, 2), "losing_streak", "b", ARB_ALERT_WARNING, T0 + 13);
  g_assert_cmpuint (n_active (f), ==, 1);
}

static void
test_gas_spike (Fixture *f, gconstpointer data)
{
  ArbAlert *raised;

  trade (f, "a", T0, 1, 99.9);
  trade (f, "a", T0 + 1, 1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  trade (f, "a", T0 + 2, 1, 100);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "gas_spike", "a", ARB_ALERT_WARNING, T0 + 2);
  g_assert_cmpfloat (raised->value, ==, 100);
  g_assert_cmpfloat (raised->threshold, ==, 100);
  g_assert_nonnull (strstr (raised->message, "100.0 gwei"));
  g_assert_nonnull (strstr (raised->message, "ETH/USDC"));

  /* higher still, or no gas price at all: no change */
  trade (f, "a", T0 + 3, 1, 500);
  trade (f, "a", T0 + 4, 1, NAN);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  /* another bot's cheap gas does not clear a's alert */
  trade (f, "b", T0 + 5, 1, 10);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  trade (f, "a", T0 + 6, 1, 42);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_cleared (change (f, 1), raised, T0 + 6);
  g_assert_cmpfloat (change (f, 1)->value, ==, 42);
  g_assert_cmpuint (n_active (f), ==, 0);
}

static void
test_error_log (Fixture *f, gconstpointer data)
{
  ArbEvent opp;
  ArbAlert *raised;

  log_event (f, "a", T0, ARB_LOG_DEBUG, "fine");
  log_event (f, "a", T0, ARB_LOG_INFO, "fine");
  log_event (f, "a", T0, ARB_LOG_WARNING, "hmm");
  /* other kinds of event are not the rules' business */
  memset (&opp, 0, sizeof opp);
  opp.type = ARB_MSG_OPPORTUNITY;
  opp.opportunity.pair = (char *) "ETH/USDC";
  opp.opportunity.expected_profit = -5;
  arb_alerts_observe_event (f->alerts, "a", &opp, T0);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  log_event (f, "a", T0 + 1000, ARB_LOG_ERROR, "rpc timeout");
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  assert_raised (raised, "error_log", "a", ARB_ALERT_WARNING, T0 + 1000);
  g_assert_nonnull (strstr (raised->message, "rpc timeout"));
  g_assert_nonnull (strstr (raised->message, "error"));

  /* one alert however many errors; the last one counts for the window */
  log_event (f, "a", T0 + 31000, ARB_LOG_CRITICAL, "worse");
  g_assert_cmpuint (sync_hub (f), ==, 1);
  g_assert_cmpint (change (f, 0)->severity, ==, ARB_ALERT_WARNING);

  log_event (f, "b", T0 + 32000, ARB_LOG_CRITICAL, "out of funds");
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_raised (change (f, 1), "error_log", "b", ARB_ALERT_CRITICAL, T0 + 32000);
  g_assert_nonnull (strstr (change (f, 1)->message, "critical"));

  /* 60 s after a's first error, but not after its last */
  arb_alerts_tick (f->alerts, T0 + 61000);
  arb_alerts_tick (f->alerts, T0 + 90999);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  arb_alerts_tick (f->alerts, T0 + 91000);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  assert_cleared (change (f, 2), raised, T0 + 91000);
  /* time ends it, no new value: the alert keeps its own */
  g_assert_cmpfloat (change (f, 2)->value, ==, ARB_LOG_ERROR);
  g_assert_cmpuint (n_active (f), ==, 1);

  arb_alerts_tick (f->alerts, T0 + 91999);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  arb_alerts_tick (f->alerts, T0 + 92000);
  g_assert_cmpuint (sync_hub (f), ==, 4);
  assert_cleared (change (f, 3), change (f, 1), T0 + 92000);
  g_assert_cmpuint (n_active (f), ==, 0);

  /* nothing left to end */
  arb_alerts_tick (f->alerts, T0 + 500000);
  g_assert_cmpuint (sync_hub (f), ==, 4);

  /* a new error raises a new alert */
  log_event (f, "a", T0 + 600000, ARB_LOG_ERROR, "again");
  g_assert_cmpuint (sync_hub (f), ==, 5);
  assert_raised (change (f, 4), "error_log", "a", ARB_ALERT_WARNING, T0 + 600000);
  g_assert_cmpstr (change (f, 4)->id, !=, raised->id);
}

/* The alert's message is cut, but never inside a character: it goes out as
 * JSON text in WebSocket text frames, which must be valid UTF-8. */
static void
test_error_log_utf8 (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) text = g_string_new ("x");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  ArbAlert *raised;

  for (int i = 0; i < 300; i++)
    g_string_append (text, "\xc3\xa9");  /* é */
  log_event (f, "a", T0, ARB_LOG_ERROR, text->str);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  raised = change (f, 0);
  g_assert_true (g_utf8_validate (raised->message, -1, NULL));
  /* cut, but not to nothing */
  g_assert_nonnull (strstr (raised->message, "x\xc3\xa9\xc3\xa9"));
  g_assert_cmpuint (strlen (raised->message), <, text->len);
  g_assert_true (json_parser_load_from_data (parser, ((ArbHubItem *) f->items->pdata[0])->json,
                                             -1, &error));
  g_assert_no_error (error);
}

static void
test_bot_link (Fixture *f, gconstpointer data)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot1");
  ArbAlert *stale, *lost;

  /* disconnected from the start, then connected: nothing */
  arb_alerts_observe_bot (f->alerts, link, T0);
  g_assert_true (arb_bot_link_attach (link, T0));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  arb_alerts_observe_bot (f->alerts, link, T0);
  g_assert_cmpuint (sync_hub (f), ==, 0);

  /* no heartbeat for three intervals of 5 s */
  g_assert_true (arb_bot_link_check (link, T0 + 16000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  arb_alerts_observe_bot (f->alerts, link, T0 + 16000);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  stale = change (f, 0);
  assert_raised (stale, "bot_stale", "bot1", ARB_ALERT_WARNING, T0 + 16000);
  g_assert_nonnull (strstr (stale->message, "16 s"));
  arb_alerts_observe_bot (f->alerts, link, T0 + 17000);
  g_assert_cmpuint (sync_hub (f), ==, 1);

  /* lost: the stale alert gives way to a critical one */
  g_assert_true (arb_bot_link_check (link, T0 + 61000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);
  arb_alerts_observe_bot (f->alerts, link, T0 + 61000);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  assert_cleared (change (f, 1), stale, T0 + 61000);
  g_assert_cmpfloat (change (f, 1)->value, ==, 0);
  lost = change (f, 2);
  assert_raised (lost, "bot_lost", "bot1", ARB_ALERT_CRITICAL, T0 + 61000);
  g_assert_nonnull (strstr (lost->message, "61 s"));
  g_assert_cmpuint (n_active (f), ==, 1);
  arb_alerts_observe_bot (f->alerts, link, T0 + 62000);
  g_assert_cmpuint (sync_hub (f), ==, 3);

  /* closed on purpose: not an alarm, and the lost alert ends */
  g_assert_true (arb_bot_link_detach (link, T0 + 63000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  arb_alerts_observe_bot (f->alerts, link, T0 + 63000);
  g_assert_cmpuint (sync_hub (f), ==, 4);
  assert_cleared (change (f, 3), lost, T0 + 63000);
  g_assert_cmpuint (n_active (f), ==, 0);

  /* stale, then back: the stale alert ends */
  g_assert_true (arb_bot_link_attach (link, T0 + 70000));
  g_assert_true (arb_bot_link_check (link, T0 + 86000));
  arb_alerts_observe_bot (f->alerts, link, T0 + 86000);
  g_assert_cmpuint (sync_hub (f), ==, 5);
  assert_raised (change (f, 4), "bot_stale", "bot1", ARB_ALERT_WARNING, T0 + 86000);
  g_assert_true (arb_bot_link_attach (link, T0 + 87000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  arb_alerts_observe_bot (f->alerts, link, T0 + 87000);
  g_assert_cmpuint (sync_hub (f), ==, 6);
  assert_cleared (change (f, 5), change (f, 4), T0 + 87000);
  g_assert_cmpuint (n_active (f), ==, 0);
}

/* ---------------------------------------------------------------- state */

static void
test_list_active (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) none = NULL;

  none = arb_alerts_list_active (f->alerts);
  g_assert_cmpuint (none->len, ==, 0);

  log_event (f, "c", T0 + 3000, ARB_LOG_ERROR, "third");
  sample_disk (f, T0 + 1000, "/db", 99, 100);
  trade (f, "b", T0 + 2000, 1, 300);
  active = arb_alerts_list_active (f->alerts);
  g_assert_cmpuint (active->len, ==, 3);
  g_assert_cmpstr (((ArbAlert *) active->pdata[0])->rule, ==, "disk");
  g_assert_cmpstr (((ArbAlert *) active->pdata[1])->rule, ==, "gas_spike");
  g_assert_cmpstr (((ArbAlert *) active->pdata[2])->rule, ==, "error_log");
  /* the alert handed to "changed" is the active one */
  g_assert_cmpstr (((ArbAlert *) active->pdata[0])->id, ==, change (f, 1)->id);
  g_assert_cmpuint (sync_hub (f), ==, 3);
}

static void
test_alert_json (void)
{
  ArbAlert a = {
    .id = (char *) "a-1-1",
    .rule = (char *) "cpu",
    .subject = (char *) "host",
    .severity = ARB_ALERT_WARNING,
    .message = (char *) "CPU \"busy\"",
    .value = 97.5,
    .threshold = 90,
    .raised_ms = T0,
    .cleared_ms = 0,
    .hub_seq = 7,
  };
  g_autoptr(ArbAlert) copy = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *active = arb_alert_to_json (&a);
  g_autofree char *cleared = NULL;
  JsonObject *o;

  g_assert_cmpstr (arb_alert_severity_name (ARB_ALERT_WARNING), ==, "warning");
  g_assert_cmpstr (arb_alert_severity_name (ARB_ALERT_CRITICAL), ==, "critical");

  g_assert_true (json_parser_load_from_data (parser, active, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (o), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "a-1-1");
  g_assert_cmpstr (json_object_get_string_member (o, "rule"), ==, "cpu");
  g_assert_cmpstr (json_object_get_string_member (o, "subject"), ==, "host");
  g_assert_cmpstr (json_object_get_string_member (o, "severity"), ==, "warning");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "CPU \"busy\"");
  g_assert_cmpfloat (json_object_get_double_member (o, "value"), ==, 97.5);
  g_assert_cmpfloat (json_object_get_double_member (o, "threshold"), ==, 90);
  g_assert_cmpint (json_object_get_int_member (o, "raised"), ==, T0);
  g_assert_true (json_object_has_member (o, "cleared"));
  g_assert_true (json_object_get_null_member (o, "cleared"));

  copy = arb_alert_copy (&a);
  g_assert_true (copy->id != a.id);
  g_assert_cmpstr (copy->id, ==, a.id);
  g_assert_cmpstr (copy->message, ==, a.message);
  g_assert_cmpint (copy->hub_seq, ==, 7);
  copy->severity = ARB_ALERT_CRITICAL;
  copy->cleared_ms = T0 + 5;
  copy->value = NAN;
  cleared = arb_alert_to_json (copy);
  g_assert_true (json_parser_load_from_data (parser, cleared, -1, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "severity"), ==, "critical");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "cleared");
  g_assert_cmpint (json_object_get_int_member (o, "cleared"), ==, T0 + 5);
  g_assert_true (json_object_get_null_member (o, "value"));

  arb_alert_free (NULL);
}

/* ---------------------------------------------------------------- persistence */

static JsonArray *
query_alerts (Fixture *f, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  arb_store_flush (f->store);
  text = test_alerts_json (arb_store_query_alerts (f->store, 100, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_get_array (json_parser_get_root (parser));
}

static JsonObject *
find_stored (JsonArray *rows, const char *id)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *o = json_array_get_object_element (rows, i);

      if (g_str_equal (json_object_get_string_member (o, "id"), id))
        return o;
    }
  return NULL;
}

static void
assert_stored_state (Fixture *f, const ArbAlert *a)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *rows = query_alerts (f, parser);
  JsonObject *o = find_stored (rows, a->id);

  g_assert_nonnull (o);
  g_assert_cmpstr (json_object_get_string_member (o, "rule"), ==, a->rule);
  g_assert_cmpstr (json_object_get_string_member (o, "subject"), ==, a->subject);
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==,
                   a->cleared_ms > 0 ? "cleared" : "active");
  g_assert_cmpint (json_object_get_int_member (o, "raised"), ==, a->raised_ms);
  if (a->cleared_ms > 0)
    g_assert_cmpint (json_object_get_int_member (o, "cleared"), ==, a->cleared_ms);
  else
    g_assert_true (json_object_get_null_member (o, "cleared"));
}

/* The store replays each alert's latest state as the hub published it. */
static void
assert_replay (Fixture *f, guint n_expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) latest = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_items = 0;

  arb_store_flush (f->store);
  items = arb_store_query_items (f->store, 0, G_MAXINT64, 1000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (items);
  /* the latest change of each alert id */
  for (guint i = 0; i < f->changed->len; i++)
    g_hash_table_insert (latest, change (f, i)->id, change (f, i));
  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *json = NULL;
      ArbAlert *a;

      if (!g_str_equal (item->kind, "alert"))
        continue;
      n_items++;
      g_assert_cmpstr (item->topic, ==, ARB_TOPIC_ALERTS);
      if (i > 0)
        g_assert_cmpint (item->seq, >, ((ArbHubItem *) items->pdata[i - 1])->seq);
      g_assert_true (json_parser_load_from_data (parser, item->json, -1, &error));
      g_assert_no_error (error);
      a = g_hash_table_lookup (latest,
                               json_object_get_string_member (
                                 json_node_get_object (json_parser_get_root (parser)), "id"));
      if (a == NULL)
        continue;  /* from an earlier life of the store */
      json = arb_alert_to_json (a);
      g_assert_cmpint (item->seq, ==, a->hub_seq);
      g_assert_cmpint (item->ts, ==, a->cleared_ms > 0 ? a->cleared_ms : a->raised_ms);
      g_assert_cmpstr (item->json, ==, json);
      g_hash_table_remove (latest, a->id);
    }
  g_assert_cmpuint (g_hash_table_size (latest), ==, 0);
  g_assert_cmpuint (n_items, ==, n_expected);
}

static void
test_persistence (Fixture *f, gconstpointer data)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot1");
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  g_autoptr(GPtrArray) restored = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 last_seq;
  JsonArray *rows;
  ArbAlert *gas;

  /* raise five, clear one */
  sample_disk (f, T0, "/db", 95, 100);
  log_event (f, "a", T0 + 1000, ARB_LOG_CRITICAL, "boom");
  trade (f, "a", T0 + 2000, 1, 150);
  arb_bot_link_attach (link, T0);
  arb_bot_link_check (link, T0 + 20000);
  arb_alerts_observe_bot (f->alerts, link, T0 + 20000);
  g_assert_cmpuint (sync_hub (f), ==, 4);
  gas = change (f, 2);
  for (guint i = 0; i < 4; i++)
    assert_stored_state (f, change (f, i));
  assert_replay (f, 4);

  trade (f, "a", T0 + 21000, 1, 20);
  g_assert_cmpuint (sync_hub (f), ==, 5);
  assert_cleared (change (f, 4), gas, T0 + 21000);
  assert_stored_state (f, change (f, 4));
  /* one row per alert: the cleared one replays once, as cleared */
  assert_replay (f, 4);

  rows = query_alerts (f, parser);
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  /* newest raised first */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "rule"),
                   ==, "bot_stale");

  {
    g_autoptr(GPtrArray) active = arb_alerts_list_active (f->alerts);

    g_assert_cmpuint (active->len, ==, 3);
    for (guint i = 0; i < active->len; i++)
      g_ptr_array_add (before, arb_alert_copy (active->pdata[i]));
  }
  last_seq = arb_hub_get_last_seq (f->hub);

  /* a restart: a new store object on the same file, a new hub, new alerts */
  stop_alerts (f);
  close_store (f);
  open_store (f);
  start_alerts (f, last_seq + 1);
  restored = arb_alerts_list_active (f->alerts);
  g_assert_cmpuint (restored->len, ==, 0);
  g_clear_pointer (&restored, g_ptr_array_unref);
  arb_alerts_load (f->alerts);
  g_assert_cmpuint (sync_hub (f), ==, 0);  /* restoring is not news */
  restored = arb_alerts_list_active (f->alerts);
  g_assert_cmpuint (restored->len, ==, before->len);
  for (guint i = 0; i < before->len; i++)
    {
      ArbAlert *was = before->pdata[i];
      ArbAlert *now = restored->pdata[i];

      g_assert_cmpstr (now->id, ==, was->id);
      g_assert_cmpstr (now->rule, ==, was->rule);
      g_assert_cmpstr (now->subject, ==, was->subject);
      g_assert_cmpint (now->severity, ==, was->severity);
      g_assert_cmpstr (now->message, ==, was->message);
      g_assert_cmpfloat (now->value, ==, was->value);
      g_assert_cmpfloat (now->threshold, ==, was->threshold);
      g_assert_cmpint (now->raised_ms, ==, was->raised_ms);
      g_assert_cmpint (now->cleared_ms, ==, 0);
      g_assert_cmpint (now->hub_seq, ==, was->hub_seq);
    }
  g_clear_pointer (&restored, g_ptr_array_unref);

  /* a restored alert is not raised again ... */
  sample_disk (f, T0 + 100000, "/db", 96, 100);
  log_event (f, "a", T0 + 100000, ARB_LOG_ERROR, "still");
  g_assert_cmpuint (sync_hub (f), ==, 0);

  /* ... and clears as any other: the error log's window runs from its last error */
  sample_disk (f, T0 + 101000, "/db", 50, 100);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  assert_cleared (change (f, 0), before->pdata[0], T0 + 101000);
  g_assert_cmpint (change (f, 0)->hub_seq, >, last_seq);
  arb_alerts_tick (f->alerts, T0 + 159999);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  arb_alerts_tick (f->alerts, T0 + 160000);
  g_assert_cmpuint (sync_hub (f), ==, 2);
  assert_cleared (change (f, 1), before->pdata[1], T0 + 160000);
  g_assert_cmpstr (change (f, 1)->rule, ==, "error_log");
  g_assert_cmpint (change (f, 1)->severity, ==, ARB_ALERT_CRITICAL);

  arb_bot_link_attach (link, T0 + 170000);
  arb_alerts_observe_bot (f->alerts, link, T0 + 170000);
  g_assert_cmpuint (sync_hub (f), ==, 3);
  assert_cleared (change (f, 2), before->pdata[2], T0 + 170000);
  g_assert_cmpuint (n_active (f), ==, 0);

  for (guint i = 0; i < 3; i++)
    assert_stored_state (f, change (f, i));
  assert_replay (f, 4);
  {
    g_autoptr(GPtrArray) stored = arb_store_load_active_alerts (f->store);

    g_assert_cmpuint (stored->len, ==, 0);
  }
}

/* A restored error-log alert whose bot logs nothing more ends a window after
 * it was raised. */
static void
test_persistence_error_window (Fixture *f, gconstpointer data)
{
  g_autofree char *id = NULL;
  gint64 last_seq;

  log_event (f, "a", T0, ARB_LOG_ERROR, "boom");
  g_assert_cmpuint (sync_hub (f), ==, 1);
  id = g_strdup (change (f, 0)->id);
  last_seq = arb_hub_get_last_seq (f->hub);
  arb_store_flush (f->store);

  stop_alerts (f);
  start_alerts (f, last_seq + 1);
  arb_alerts_load (f->alerts);
  g_assert_cmpuint (n_active (f), ==, 1);
  arb_alerts_tick (f->alerts, T0 + 59999);
  g_assert_cmpuint (sync_hub (f), ==, 0);
  arb_alerts_tick (f->alerts, T0 + 60000);
  g_assert_cmpuint (sync_hub (f), ==, 1);
  g_assert_cmpstr (change (f, 0)->id, ==, id);
  g_assert_cmpint (change (f, 0)->cleared_ms, ==, T0 + 60000);
  g_assert_cmpint (change (f, 0)->hub_seq, ==, last_seq + 1);
  assert_stored_state (f, change (f, 0));
  assert_replay (f, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  g_test_add_func ("/arb/alerts/thresholds/default", test_thresholds_default);
  ADD ("/arb/alerts/thresholds/set", test_thresholds_set);
  ADD ("/arb/alerts/cpu", test_cpu);
  ADD ("/arb/alerts/memory", test_memory);
  ADD ("/arb/alerts/disk", test_disk);
  ADD ("/arb/alerts/losing-streak", test_losing_streak);
  ADD ("/arb/alerts/gas-spike", test_gas_spike);
  ADD ("/arb/alerts/error-log", test_error_log);
  ADD ("/arb/alerts/error-log-utf8", test_error_log_utf8);
  ADD ("/arb/alerts/bot-link", test_bot_link);
  ADD ("/arb/alerts/list-active", test_list_active);
  g_test_add_func ("/arb/alerts/json", test_alert_json);
  ADD ("/arb/alerts/persistence", test_persistence);
  ADD ("/arb/alerts/persistence-error-window", test_persistence_error_window);
#undef ADD

  return g_test_run ();
}
