/* arb-engine.c: the dashboard's core, wired together
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine owns one of each core part and connects them: committed bot
 * events go to the ledger and the series, samples to the hub and the series,
 * the hub's seq reservations to the store. The server and the GTK app both
 * sit on top of one engine.
 */
#define G_LOG_DOMAIN "arb-engine"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "arb-engine.h"
#include "arb-local-bot.h"

#define JOURNAL_SIZE       4096
#define MAX_SERIES         256
#define SERIES_SAVE_S      60
#define SUMMARY_MIN_GAP_MS 1000
#define SEQ_META_KEY       "hub_seq_reserved"
#define PRUNE_EVERY_S      3600
#define PRUNE_SOON_MS      2000
#define DAY_MS             G_GINT64_CONSTANT (86400000)

struct _ArbEngine
{
  GObject       parent_instance;

  ArbConfig    *config;
  ArbStore     *store;
  ArbHub       *hub;
  ArbIngest    *ingest;
  ArbLedger    *ledger;
  ArbLedger    *rebuilt;      /* filled by the replay thread */
  GCancellable *cancellable;
  gboolean      ledger_ready;
  ArbSampler   *sampler;
  ArbAlerts    *alerts;
  ArbSeriesSet *series;
  ArbLocalBot  *demo;
  guint         tick_id;
  guint         save_id;
  guint         summary_id;
  guint         prune_id;     /* hourly */
  guint         prune_soon_id;
  gboolean      pruning;
  gboolean      prune_again;  /* asked for while a prune ran */
  gint64        last_summary_ms;
  gint64        started_ms;
  guint         ticks;
  gboolean      shut_down;
};

G_DEFINE_FINAL_TYPE (ArbEngine, arb_engine, G_TYPE_OBJECT)

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* ---------------------------------------------------------------- seq reservations */

static void
on_reserve (ArbHub *hub, gint64 up_to, ArbEngine *self)
{
  g_autoptr(GError) error = NULL;

  /* rare (once per half a million items) and must be durable before use */
  if (arb_store_set_meta_now (self->store, SEQ_META_KEY, up_to, &error))
    arb_hub_set_reserved (hub, up_to);
  else
    g_warning ("Could not reserve hub seqs: %s", error->message);
}

static gboolean
create_hub (ArbEngine *self, GError **error)
{
  gint64 reserved = 0;
  gint64 first;

  arb_store_get_meta (self->store, SEQ_META_KEY, &reserved);
  /* everything up to the reservation may have been shown before a crash */
  first = reserved + 1;
  self->hub = arb_hub_new (first, JOURNAL_SIZE);
  if (!arb_store_set_meta_now (self->store, SEQ_META_KEY, first + 1000000, error))
    return FALSE;
  arb_hub_set_reserved (self->hub, first + 1000000);
  g_signal_connect (self->hub, "reserve", G_CALLBACK (on_reserve), self);
  return TRUE;
}

/* ---------------------------------------------------------------- ledger */

static void
replay_row (const char *bot_id, const ArbEvent *event, gpointer data)
{
  ArbLedger *ledger = data;
  gint64 now = now_ms ();

  if (event->type == ARB_MSG_TRADE)
    arb_ledger_add_trade (ledger, bot_id, event->ts, &event->trade, now);
  else if (event->type == ARB_MSG_OPPORTUNITY)
    arb_ledger_add_opportunity (ledger, bot_id, event->ts, &event->opportunity, now);
}

static void
publish_summary (ArbEngine *self)
{
  self->last_summary_ms = now_ms ();
  arb_hub_publish_node (self->hub, ARB_TOPIC_TRADING, "summary", self->last_summary_ms, "all",
                   arb_ledger_summary_json (self->ledger, ARB_WINDOW_ALL, NULL,
                                            self->last_summary_ms));
}

static void
replay_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(ArbEngine) self = data;
  g_autoptr(GError) error = NULL;

  if (!arb_store_replay_ledger_finish (ARB_STORE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not rebuild the trading figures from the store: %s", error->message);
      return;
    }
  arb_ledger_merge (self->ledger, self->rebuilt);
  g_clear_object (&self->rebuilt);
  self->ledger_ready = TRUE;
  publish_summary (self);
}

static gboolean
summary_due (gpointer data)
{
  ArbEngine *self = data;

  self->summary_id = 0;
  publish_summary (self);
  return G_SOURCE_REMOVE;
}

/* Trades can come by the thousand a second: the summary gauge follows at
 * most once a second. */
static void
schedule_summary (ArbEngine *self)
{
  gint64 wait;

  /* commits that land during shutdown must not restart the timer */
  if (self->summary_id != 0 || self->shut_down)
    return;
  wait = self->last_summary_ms + SUMMARY_MIN_GAP_MS - now_ms ();
  self->summary_id = g_timeout_add (CLAMP (wait, 0, SUMMARY_MIN_GAP_MS), summary_due, self);
}

/* ---------------------------------------------------------------- events */

static void
add_bot_series (ArbEngine *self, const char *bot_id, const char *name, const char *unit,
                gint64 ts, double value)
{
  g_autofree char *full = g_strconcat ("bot.", bot_id, ".", name, NULL);

  if (!isnan (value))
    arb_series_set_add_value (self->series, full, unit, ts, value);
}

static void
add_resources_series (ArbEngine *self, const char *bot_id, const ArbEvent *e)
{
  const ArbResources *r = &e->resources;

  add_bot_series (self, bot_id, "pool.in_use", "connections", e->ts, r->pool_in_use);
  add_bot_series (self, bot_id, "tasks.running", "tasks", e->ts, r->tasks_running);
  add_bot_series (self, bot_id, "tasks.queued", "tasks", e->ts, r->tasks_queued);
  add_bot_series (self, bot_id, "memory.rss_bytes", "bytes", e->ts, r->memory_rss_bytes);
  add_bot_series (self, bot_id, "cache.entries", "entries", e->ts, r->cache_entries);
}

static void
on_event_committed (ArbIngest *ingest, const char *bot_id, gpointer data, ArbEngine *self)
{
  const ArbEvent *e = data;
  gint64 now = now_ms ();

  arb_alerts_observe_event (self->alerts, bot_id, e, now);
  switch (e->type)
    {
    case ARB_MSG_TRADE:
      arb_ledger_add_trade (self->ledger, bot_id, e->ts, &e->trade, now);
      add_bot_series (self, bot_id, "profit", "USD", e->ts, e->trade.profit);
      schedule_summary (self);
      break;
    case ARB_MSG_OPPORTUNITY:
      arb_ledger_add_opportunity (self->ledger, bot_id, e->ts, &e->opportunity, now);
      break;
    case ARB_MSG_METRIC:
      add_bot_series (self, bot_id, e->metric.name, e->metric.unit, e->ts, e->metric.value);
      break;
    case ARB_MSG_RESOURCES:
      add_resources_series (self, bot_id, e);
      break;
    case ARB_MSG_HELLO:
    case ARB_MSG_HEARTBEAT:
    case ARB_MSG_LOG:
    case ARB_MSG_COMMAND_RESULT:
    default:
      break;
    }
}

static void
on_bot_changed (ArbIngest *ingest, ArbBotLink *link, ArbEngine *self)
{
  const char *bot_id = arb_bot_link_get_bot_id (link);

  arb_alerts_observe_bot (self->alerts, link, now_ms ());
  /* a pid in hello means "same host": sample that process too */
  if (arb_bot_link_get_pid (link) > 0 && arb_bot_link_get_n_connections (link) > 0)
    arb_sampler_watch_pid (self->sampler, bot_id, arb_bot_link_get_pid (link));
  else if (arb_bot_link_get_state (link) == ARB_LINK_DISCONNECTED)
    arb_sampler_unwatch (self->sampler, bot_id);
}

/* ---------------------------------------------------------------- system samples */

static void
add_system_series (ArbEngine *self, const ArbSystemSample *s)
{
  gint64 ts = s->ts_ms;
  double rx = 0, tx = 0;

  if (s->parts & ARB_SAMPLE_MEMORY)
    {
      arb_series_set_add_value (self->series, "mem.used", "bytes", ts, s->mem_used);
      arb_series_set_add_value (self->series, "mem.swap_used", "bytes", ts, s->swap_used);
    }
  if (s->parts & ARB_SAMPLE_LOAD)
    arb_series_set_add_value (self->series, "load.1", NULL, ts, s->load1);
  if (s->parts & ARB_SAMPLE_DISK)
    arb_series_set_add_value (self->series, "disk.used", "bytes", ts, s->disk_used);
  /* rates and CPU need two readings: the first sample has none */
  if (s->interval_ms == 0)
    return;
  if (s->parts & ARB_SAMPLE_CPU)
    {
      arb_series_set_add_value (self->series, "cpu.total", "%", ts, s->cpu_total);
      for (guint i = 0; i < s->n_cores; i++)
        {
          char name[32];
          g_snprintf (name, sizeof name, "cpu.core.%u", i);
          arb_series_set_add_value (self->series, name, "%", ts, s->cpu_core[i]);
        }
    }
  for (guint i = 0; (s->parts & ARB_SAMPLE_NET) && i < s->n_ifaces; i++)
    if (!s->ifaces[i].loopback)
      {
        rx += s->ifaces[i].rx_rate;
        tx += s->ifaces[i].tx_rate;
      }
  if (s->parts & ARB_SAMPLE_NET)
    {
      arb_series_set_add_value (self->series, "net.rx", "bytes/s", ts, rx);
      arb_series_set_add_value (self->series, "net.tx", "bytes/s", ts, tx);
    }
  if (s->parts & ARB_SAMPLE_PROCESS)
    {
      arb_series_set_add_value (self->series, "process.cpu", "%", ts, s->self.cpu_pct);
      arb_series_set_add_value (self->series, "process.rss", "bytes", ts, s->self.rss_bytes);
    }
}

static void
on_sampled (ArbSampler *sampler, const ArbSystemSample *sample, ArbEngine *self)
{
  arb_hub_publish_node (self->hub, ARB_TOPIC_SYSTEM, "system", sample->ts_ms, "host",
                   arb_system_sample_to_json (sample));
  add_system_series (self, sample);
  arb_alerts_observe_sample (self->alerts, sample);
}

/* ---------------------------------------------------------------- the demo bot */

static void
start_demo (ArbEngine *self)
{
  g_autoptr(ArbDemoBot) bot = arb_demo_bot_new ("demo", (guint32) g_get_real_time ());

  self->demo = arb_local_bot_new (self->ingest, bot);
}

/* ---------------------------------------------------------------- series persistence */

static void
save_one_series (ArbSeries *series, gpointer data)
{
  ArbStoreBatch *batch = data;

  for (guint t = 0; t < arb_series_get_n_tiers (series); t++)
    {
      g_autoptr(GBytes) blob = arb_series_serialize_tier (series, t);
      arb_store_batch_put_series (batch, arb_series_get_name (series), t, blob);
    }
}

static void
save_series (ArbEngine *self)
{
  ArbStoreBatch *batch = arb_store_batch_new (NULL);

  arb_series_set_foreach (self->series, save_one_series, batch);
  arb_store_submit (self->store, batch, NULL, NULL);
}

static gboolean
save_series_cb (gpointer data)
{
  save_series (data);
  return G_SOURCE_CONTINUE;
}

static void
restore_series (ArbEngine *self)
{
  g_auto(GStrv) names = arb_store_list_series (self->store);

  for (char **n = names; *n != NULL; n++)
    {
      ArbSeriesAddResult result;
      ArbSeries *series = arb_series_set_ensure (self->series, *n, NULL, &result);

      for (guint t = 0; series != NULL && t < arb_series_get_n_tiers (series); t++)
        {
          g_autoptr(GBytes) blob = arb_store_load_series (self->store, *n, t);
          g_autoptr(GError) error = NULL;

          if (blob != NULL && !arb_series_restore_tier (series, t, blob, &error))
            g_warning ("Series %s tier %u not restored: %s", *n, t, error->message);
        }
    }
}

/* ---------------------------------------------------------------- retention */

static guint
retention_days (ArbEngine *self)
{
  guint days = self->config->retention_days;

  return days != 0 ? MIN (days, ARB_RETENTION_DAYS_MAX) : ARB_RETENTION_DAYS_DEFAULT;
}

static gint64
retention_cutoff (ArbEngine *self)
{
  return now_ms () - retention_days (self) * DAY_MS;
}

static void start_prune (ArbEngine *self, gint64 cutoff);

static const char *
days_word (guint days)
{
  return days == 1 ? "day" : "days";
}

/* The store answers on the main context; a cancelled prune (the engine shut
 * down, maybe gone) touches nothing of it. */
static void
prune_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ArbEngine *self = data;
  g_autoptr(GError) error = NULL;
  ArbStorePruned pruned;
  guint days;

  if (!arb_store_prune_finish (ARB_STORE (source), result, &pruned, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  days = retention_days (self);
  if (error != NULL)
    g_warning ("Could not delete the data older than %u %s: %s", days, days_word (days),
               error->message);
  else if (arb_store_pruned_total (&pruned) > 0)
    g_message ("Deleted %" G_GUINT64_FORMAT " rows older than %u %s: %" G_GUINT64_FORMAT
               " trades, %" G_GUINT64_FORMAT " opportunities, %" G_GUINT64_FORMAT " logs, %"
               G_GUINT64_FORMAT " commands, %" G_GUINT64_FORMAT " alerts",
               arb_store_pruned_total (&pruned), days, days_word (days), pruned.trades,
               pruned.opportunities, pruned.logs, pruned.commands, pruned.alerts);
  else
    g_debug ("Nothing older than %u %s to delete", days, days_word (days));
  self->pruning = FALSE;
  if (self->prune_again && !self->shut_down)
    {
      self->prune_again = FALSE;
      start_prune (self, retention_cutoff (self));
    }
}

/* One prune at a time: the next waits for the one under way. */
static void
start_prune (ArbEngine *self, gint64 cutoff)
{
  if (self->pruning)
    {
      self->prune_again = TRUE;
      return;
    }
  self->pruning = TRUE;
  arb_store_prune_async (self->store, cutoff, self->cancellable, prune_done, self);
}

static gboolean
prune_due (gpointer data)
{
  ArbEngine *self = data;

  start_prune (self, retention_cutoff (self));
  return G_SOURCE_CONTINUE;
}

static gboolean
prune_soon_due (gpointer data)
{
  ArbEngine *self = data;

  self->prune_soon_id = 0;
  start_prune (self, retention_cutoff (self));
  return G_SOURCE_REMOVE;
}

/**
 * arb_engine_set_retention_days:
 * @days: 1 to 3650
 *
 * Keeps @days of trades, opportunities, logs, commands and alerts from now
 * on; rows older than that are deleted two seconds later: a spin button
 * passes through every value on the way to the one wanted, and only the one
 * it rests on counts.
 */
void
arb_engine_set_retention_days (ArbEngine *self,
                               guint      days)
{
  g_return_if_fail (ARB_IS_ENGINE (self));
  g_return_if_fail (days >= 1 && days <= ARB_RETENTION_DAYS_MAX);

  if (self->shut_down || days == retention_days (self))
    return;
  self->config->retention_days = days;
  g_clear_handle_id (&self->prune_soon_id, g_source_remove);
  self->prune_soon_id = g_timeout_add (PRUNE_SOON_MS, prune_soon_due, self);
}

guint
arb_engine_get_retention_days (ArbEngine *self)
{
  g_return_val_if_fail (ARB_IS_ENGINE (self), 0);
  return retention_days (self);
}

/* ---------------------------------------------------------------- life cycle */

static gboolean
tick (gpointer data)
{
  ArbEngine *self = data;

  arb_ingest_check_bots (self->ingest, now_ms ());
  arb_alerts_tick (self->alerts, now_ms ());
  if (++self->ticks % 60 == 0)
    arb_ledger_prune (self->ledger, now_ms ());
  return G_SOURCE_CONTINUE;
}

void
arb_engine_shutdown (ArbEngine *self)
{
  g_return_if_fail (ARB_IS_ENGINE (self));

  if (self->shut_down)
    return;
  self->shut_down = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_clear_handle_id (&self->summary_id, g_source_remove);
  g_clear_handle_id (&self->prune_id, g_source_remove);
  g_clear_handle_id (&self->prune_soon_id, g_source_remove);
  if (self->sampler != NULL)
    arb_sampler_stop (self->sampler);
  if (self->demo != NULL)
    arb_demo_bot_stop (arb_local_bot_get_bot (self->demo));
  save_series (self);
  arb_ingest_shutdown (self->ingest);
  arb_store_flush (self->store);
}

static void
arb_engine_dispose (GObject *object)
{
  ArbEngine *self = ARB_ENGINE (object);

  if (self->ingest != NULL)
    {
      arb_engine_shutdown (self);
      /* commits that still complete must not reach parts cleared below */
      g_signal_handlers_disconnect_by_data (self->ingest, self);
    }
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_clear_pointer (&self->demo, arb_local_bot_free);
  g_clear_object (&self->sampler);
  g_clear_object (&self->alerts);
  g_clear_object (&self->ingest);
  g_clear_object (&self->hub);
  g_clear_object (&self->ledger);
  g_clear_object (&self->rebuilt);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    arb_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_pointer (&self->series, arb_series_set_free);
  g_clear_pointer (&self->config, arb_config_free);

  G_OBJECT_CLASS (arb_engine_parent_class)->dispose (object);
}

static void
arb_engine_class_init (ArbEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_engine_dispose;
}

static void
arb_engine_init (ArbEngine *self)
{
  self->cancellable = g_cancellable_new ();
}

static gboolean
open_store (ArbEngine *self, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (self->config->db_path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create the folder %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  self->store = arb_store_open (self->config->db_path, error);
  return self->store != NULL;
}

static void
wire (ArbEngine *self)
{
  g_autofree char *dir = g_path_get_dirname (self->config->db_path);

  self->ledger = arb_ledger_new ();
  self->rebuilt = arb_ledger_new ();
  self->series = arb_series_set_new (NULL, 0, MAX_SERIES);
  restore_series (self);
  self->alerts = arb_alerts_new (self->hub, self->store, &self->config->alerts);
  arb_alerts_load (self->alerts);
  self->ingest = arb_ingest_new (self->store, self->hub, &self->config->limits);
  arb_ingest_set_command_timeout (self->ingest, self->config->command_timeout_ms);
  g_signal_connect (self->ingest, "event-committed", G_CALLBACK (on_event_committed), self);
  g_signal_connect (self->ingest, "bot-changed", G_CALLBACK (on_bot_changed), self);
  self->sampler = arb_sampler_new (NULL, dir);
  arb_sampler_set_interval (self->sampler, self->config->sample_interval_ms);
  g_signal_connect (self->sampler, "sampled", G_CALLBACK (on_sampled), self);
}

/**
 * arb_engine_new:
 * @config: the settings (copied)
 * @error: where to put an error
 *
 * Returns: (transfer full) (nullable): the running engine
 */
ArbEngine *
arb_engine_new (const ArbConfig  *config,
                GError          **error)
{
  g_autoptr(ArbEngine) self = g_object_new (ARB_TYPE_ENGINE, NULL);
  g_autoptr(GPtrArray) bots = NULL;
  gint64 cutoff;

  self->config = arb_config_copy (config);
  self->started_ms = now_ms ();
  if (!open_store (self, error) || !create_hub (self, error))
    return NULL;
  bots = arb_store_load_bots (self->store, error);
  if (bots == NULL)
    return NULL;
  wire (self);
  arb_ingest_load_bots (self->ingest, bots);
  /* The ledger is rebuilt from what the retention keeps, so that "all" is
   * the same before and after the prune. Both take the one cutoff, so the
   * order does not matter: the replay (a reader) starts first and does not
   * wait for the prune (the writer), which may take long on a database
   * that was never pruned. */
  cutoff = retention_cutoff (self);
  arb_store_replay_ledger_async (self->store, cutoff, replay_row, self->rebuilt,
                                 self->cancellable, replay_done, g_object_ref (self));
  start_prune (self, cutoff);
  self->prune_id = g_timeout_add_seconds (PRUNE_EVERY_S, prune_due, self);
  arb_sampler_start (self->sampler);
  self->tick_id = g_timeout_add_seconds (1, tick, self);
  self->save_id = g_timeout_add_seconds (SERIES_SAVE_S, save_series_cb, self);
  if (self->config->demo)
    start_demo (self);
  return g_steal_pointer (&self);
}

ArbConfig *arb_engine_get_config (ArbEngine *self) { return self->config; }
ArbStore *arb_engine_get_store (ArbEngine *self) { return self->store; }
ArbHub *arb_engine_get_hub (ArbEngine *self) { return self->hub; }
ArbIngest *arb_engine_get_ingest (ArbEngine *self) { return self->ingest; }
ArbLedger *arb_engine_get_ledger (ArbEngine *self) { return self->ledger; }
ArbSampler *arb_engine_get_sampler (ArbEngine *self) { return self->sampler; }
ArbSeriesSet *arb_engine_get_series (ArbEngine *self) { return self->series; }

ArbDemoBot *
arb_engine_get_demo_bot (ArbEngine *self)
{
  return self->demo != NULL ? arb_local_bot_get_bot (self->demo) : NULL;
}
ArbAlerts *arb_engine_get_alerts (ArbEngine *self) { return self->alerts; }
gboolean arb_engine_is_ledger_ready (ArbEngine *self) { return self->ledger_ready; }
gint64 arb_engine_get_started_ms (ArbEngine *self) { return self->started_ms; }
