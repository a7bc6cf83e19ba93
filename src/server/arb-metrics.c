/* arb-metrics.c: /metrics, the Prometheus text exposition (version 0.0.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rendered on each scrape from the same objects the views read: the last
 * system sample, the ledger, the bot links, the latest resources items, and
 * the dashboard's own counters.
 */
#define G_LOG_DOMAIN "arb-metrics"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-http.h"
#include "arb-json.h"
#include "arb-server-private.h"
#include "arb-stream.h"

typedef struct
{
  GString    *s;
  const char *family;   /* the one whose samples come now */
} Out;

static void
family (Out *o, const char *name, const char *type, const char *help)
{
  o->family = name;
  g_string_append_printf (o->s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape backslash, double quote and newline. Whatever the
 * database or /proc held, they are UTF-8 (U+FFFD for bytes that are not),
 * and other control characters, which the format cannot escape and which
 * would break a line-based reader, become U+FFFD too. */
static void
append_label_value (GString *s, const char *v)
{
  for (const char *p = v; *p; )
    {
      guint n = arb_utf8_char_len (p);

      if (*p == '\\' || *p == '"')
        g_string_append_c (s, '\\');
      if (*p == '\n')
        g_string_append (s, "\\n");
      else if (n == 0 || (guchar) *p < 0x20 || *p == 0x7f)
        g_string_append (s, ARB_UTF8_REPLACEMENT);
      else
        g_string_append_len (s, p, n);
      p += MAX (n, 1);
    }
}

static void
append_value (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (v))
    g_string_append (s, "NaN");
  else if (isinf (v))
    g_string_append (s, v > 0 ? "+Inf" : "-Inf");
  else
    g_string_append (s, g_ascii_formatd (buf, sizeof buf, "%.17g", v));
}

/* A sample with up to two labels (NULL names end the list). */
static void
sample2 (Out *o, const char *suffix, const char *l1, const char *v1, const char *l2,
         const char *v2, double value)
{
  g_string_append (o->s, o->family);
  g_string_append (o->s, suffix != NULL ? suffix : "");
  if (l1 != NULL)
    {
      g_string_append_printf (o->s, "{%s=\"", l1);
      append_label_value (o->s, v1);
      if (l2 != NULL)
        {
          g_string_append_printf (o->s, "\",%s=\"", l2);
          append_label_value (o->s, v2);
        }
      g_string_append (o->s, "\"}");
    }
  g_string_append_c (o->s, ' ');
  append_value (o->s, value);
  g_string_append_c (o->s, '\n');
}

static void
sample (Out *o, double value)
{
  sample2 (o, NULL, NULL, NULL, NULL, NULL, value);
}

/* Most families are one unlabelled sample: both in one call. */
static void
family_value (Out *o, const char *name, const char *type, const char *help, double value)
{
  family (o, name, type, help);
  sample (o, value);
}

static void
sample1 (Out *o, const char *l, const char *v, double value)
{
  sample2 (o, NULL, l, v, NULL, NULL, value);
}

/* ---------------------------------------------------------------- the machine */

static void
render_system (Out *o, const ArbSystemSample *s)
{
  char core[16];

  if (s == NULL)
    return;
  family_value (o, "arbdash_cpu_busy_percent", "gauge",
                "CPU busy over the last sampling interval.", s->cpu_total);
  family (o, "arbdash_cpu_core_busy_percent", "gauge", "CPU busy per core.");
  for (guint i = 0; i < s->n_cores; i++)
    {
      g_snprintf (core, sizeof core, "%u", i);
      sample1 (o, "core", core, s->cpu_core[i]);
    }
  family (o, "arbdash_memory_bytes", "gauge", "Memory of the machine.");
  sample1 (o, "kind", "total", s->mem_total);
  sample1 (o, "kind", "used", s->mem_used);
  sample1 (o, "kind", "available", s->mem_available);
  sample1 (o, "kind", "cached", s->mem_cached);
  family (o, "arbdash_swap_bytes", "gauge", "Swap of the machine.");
  sample1 (o, "kind", "total", s->swap_total);
  sample1 (o, "kind", "used", s->swap_used);
  family (o, "arbdash_load_average", "gauge", "Load average.");
  sample1 (o, "period", "1m", s->load1);
  sample1 (o, "period", "5m", s->load5);
  sample1 (o, "period", "15m", s->load15);
  family_value (o, "arbdash_uptime_seconds", "gauge", "Uptime of the machine.", s->uptime_s);
  family (o, "arbdash_disk_bytes", "gauge", "The disk that holds the database.");
  sample1 (o, "kind", "total", s->disk_total);
  sample1 (o, "kind", "used", s->disk_used);
  sample1 (o, "kind", "free", s->disk_free);
  family (o, "arbdash_network_receive_bytes_total", "counter", "Bytes received per interface.");
  for (guint i = 0; i < s->n_ifaces; i++)
    sample1 (o, "interface", s->ifaces[i].name, s->ifaces[i].rx_bytes);
  family (o, "arbdash_network_transmit_bytes_total", "counter", "Bytes sent per interface.");
  for (guint i = 0; i < s->n_ifaces; i++)
    sample1 (o, "interface", s->ifaces[i].name, s->ifaces[i].tx_bytes);
  family_value (o, "arbdash_process_cpu_percent", "gauge",
                "CPU of the dashboard (100 = one core).", s->self.cpu_pct);
  family_value (o, "arbdash_process_resident_memory_bytes", "gauge",
                "RSS of the dashboard.", s->self.rss_bytes);
}

/* ---------------------------------------------------------------- trading */

/* One sample per bot and pair: its trade count, or its net profit. */
static void
per_pair (Out *o, char **bots, GPtrArray *summaries, gboolean profit)
{
  for (guint i = 0; i < summaries->len; i++)
    {
      GPtrArray *pairs = ((ArbLedgerSummary *) g_ptr_array_index (summaries, i))->pairs;

      for (guint p = 0; p < pairs->len; p++)
        {
          ArbLedgerPairStat *ps = g_ptr_array_index (pairs, p);
          sample2 (o, NULL, "bot_id", bots[i], "pair", ps->name,
                   profit ? ps->net_profit : (double) ps->trades);
        }
    }
}

static void
render_trading (Out *o, ArbLedger *ledger)
{
  g_auto(GStrv) bots = arb_ledger_dup_bot_ids (ledger);
  gint64 now = g_get_real_time () / 1000;
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) arb_ledger_summary_free);

  for (char **b = bots; *b != NULL; b++)
    g_ptr_array_add (summaries, arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, *b, now));

  family (o, "arbdash_trades_total", "counter", "Trades of each bot, by status.");
  for (guint i = 0; i < summaries->len; i++)
    {
      ArbLedgerSummary *s = g_ptr_array_index (summaries, i);
      for (guint st = 0; st < ARB_TRADE_N_STATUS; st++)
        sample2 (o, NULL, "bot_id", bots[i], "status", arb_trade_status_name (st), s->trades[st]);
    }
  family (o, "arbdash_net_profit", "gauge", "Net profit of each bot in its quote currency.");
  for (guint i = 0; i < summaries->len; i++)
    sample1 (o, "bot_id", bots[i], ((ArbLedgerSummary *) g_ptr_array_index (summaries, i))->net_profit);
  family (o, "arbdash_pair_trades_total", "counter", "Trades of each bot per pair.");
  per_pair (o, bots, summaries, FALSE);
  family (o, "arbdash_pair_net_profit", "gauge", "Net profit of each bot per pair.");
  per_pair (o, bots, summaries, TRUE);
  family (o, "arbdash_gas_used_total", "counter", "Gas used by each bot's trades.");
  for (guint i = 0; i < summaries->len; i++)
    sample1 (o, "bot_id", bots[i], ((ArbLedgerSummary *) g_ptr_array_index (summaries, i))->gas_used);
  family (o, "arbdash_gas_cost_total", "counter", "Gas cost of each bot's trades in its quote currency.");
  for (guint i = 0; i < summaries->len; i++)
    sample1 (o, "bot_id", bots[i], ((ArbLedgerSummary *) g_ptr_array_index (summaries, i))->gas_cost);
  family (o, "arbdash_opportunities_total", "counter", "Opportunities each bot saw, taken or not.");
  for (guint i = 0; i < summaries->len; i++)
    {
      ArbLedgerSummary *s = g_ptr_array_index (summaries, i);
      sample2 (o, NULL, "bot_id", bots[i], "taken", "true", s->opportunities_taken);
      sample2 (o, NULL, "bot_id", bots[i], "taken", "false",
               s->opportunities_seen - s->opportunities_taken);
    }
}

/* ---------------------------------------------------------------- bots */

static void
render_bots (Out *o, ArbIngest *ingest)
{
  g_autoptr(GPtrArray) links = arb_ingest_list_bots (ingest);
  static const char *states[] = { "connected", "stale", "lost", "disconnected" };

  family (o, "arbdash_bot_state", "gauge", "1 for the state each bot is in.");
  for (guint i = 0; i < links->len; i++)
    for (guint st = 0; st < G_N_ELEMENTS (states); st++)
      sample2 (o, NULL, "bot_id", arb_bot_link_get_bot_id (g_ptr_array_index (links, i)), "state",
               states[st], arb_bot_link_get_state (g_ptr_array_index (links, i)) == st);
  family (o, "arbdash_bot_last_seq", "gauge", "The highest seq stored for each bot.");
  for (guint i = 0; i < links->len; i++)
    sample1 (o, "bot_id", arb_bot_link_get_bot_id (g_ptr_array_index (links, i)),
             arb_bot_link_get_stored_seq (g_ptr_array_index (links, i)));
  family (o, "arbdash_bot_last_heartbeat_timestamp_seconds", "gauge",
          "When each bot's last heartbeat came (0: none yet).");
  for (guint i = 0; i < links->len; i++)
    sample1 (o, "bot_id", arb_bot_link_get_bot_id (g_ptr_array_index (links, i)),
             arb_bot_link_get_last_heartbeat (g_ptr_array_index (links, i)) / 1000.0);
}

typedef struct
{
  const char *family;
  const char *group;
  const char *help;
  const char *members[6];
} ResourceFamily;

static const ResourceFamily resource_families[] = {
  { "arbdash_bot_pool_connections", "pool", "Each bot's connection pool.",
    { "size", "in_use", "waiting", NULL } },
  { "arbdash_bot_tasks", "tasks", "Each bot's tasks.",
    { "running", "queued", "completed", "failed", NULL } },
  { "arbdash_bot_memory_bytes", "memory", "Each bot's memory as it reports it.",
    { "rss_bytes", "heap_bytes", NULL } },
  { "arbdash_bot_cache", "cache", "Each bot's cache.",
    { "entries", "bytes", "hits", "misses", "evictions", NULL } },
};

/* The latest `resources` item of each bot, as the bots reported it. */
static void
render_resources (Out *o, ArbHub *hub)
{
  g_autoptr(GPtrArray) latest = arb_hub_get_latest (hub, ARB_TOPIC_RESOURCES);
  g_autoptr(GPtrArray) parsed = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < latest->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (latest, i);
      JsonParser *parser = json_parser_new_immutable ();

      if (json_parser_load_from_data (parser, item->json, item->json_len, NULL))
        g_ptr_array_add (parsed, parser);
      else
        g_object_unref (parser);
    }
  for (guint f = 0; f < G_N_ELEMENTS (resource_families); f++)
    {
      const ResourceFamily *rf = &resource_families[f];

      family (o, rf->family, "gauge", rf->help);
      for (guint i = 0; i < parsed->len; i++)
        {
          JsonObject *data = json_node_get_object (json_parser_get_root (g_ptr_array_index (parsed, i)));
          const char *bot = json_object_get_string_member_with_default (data, "bot_id", "");
          JsonObject *group = json_object_has_member (data, rf->group)
                              ? json_object_get_object_member (data, rf->group) : NULL;

          for (guint m = 0; group != NULL && rf->members[m] != NULL; m++)
            if (json_object_has_member (group, rf->members[m]))
              sample2 (o, NULL, "bot_id", bot, "kind", rf->members[m],
                       json_object_get_double_member (group, rf->members[m]));
        }
    }
}

/* ---------------------------------------------------------------- the dashboard */

static void
render_store (Out *o, ArbStore *store)
{
  ArbStoreStats st;
  guint64 cumulative = 0;
  char le[32];

  arb_store_get_stats (store, &st);
  family_value (o, "arbdash_store_commits_total", "counter",
                "Transactions committed (group commits).", st.commits);
  family_value (o, "arbdash_store_batches_total", "counter", "Batches written.", st.batches);
  family_value (o, "arbdash_store_rows_total", "counter", "Events written.", st.rows);
  family_value (o, "arbdash_store_commit_errors_total", "counter",
                "Commits that failed.", st.errors);
  family_value (o, "arbdash_store_queue_batches", "gauge",
                "Batches waiting for, or in, a commit.", arb_store_get_queue_length (store));
  family (o, "arbdash_store_commit_duration_seconds", "histogram",
          "Time of each commit, fsync included.");
  for (guint i = 0; i < ARB_STORE_COMMIT_BUCKETS; i++)
    {
      cumulative += st.commit_buckets[i];
      if (i == ARB_STORE_COMMIT_BUCKETS - 1)
        g_strlcpy (le, "+Inf", sizeof le);
      else
        g_ascii_formatd (le, sizeof le, "%g", arb_store_commit_bounds[i]);
      sample2 (o, "_bucket", "le", le, NULL, NULL, cumulative);
    }
  sample2 (o, "_sum", NULL, NULL, NULL, NULL, st.commit_seconds);
  sample2 (o, "_count", NULL, NULL, NULL, NULL, st.commits);
}

static void
rejected_sample (const char *bot_id, ArbErrorCode code, guint64 count, gpointer data)
{
  sample2 (data, NULL, "bot_id", bot_id, "code", arb_error_code_name (code), count);
}

/* One series per known bot and code: a bot_id that no hello or batch made
 * known is "", so a flood of invented ids cannot grow the scrape. */
static void
render_rejected (Out *o, ArbIngest *ingest)
{
  ArbIngestStats in;

  arb_ingest_get_stats (ingest, &in);
  family (o, "arbdash_rejected_events_total", "counter",
          "Bot messages refused, by bot (\"\" when not known) and error code.");
  arb_ingest_foreach_rejected (ingest, rejected_sample, o);
  family_value (o, "arbdash_rejected_events_not_kept_total", "counter",
                "Refused bot messages answered but not kept in the log: "
                "too many waited for the disk.",
                in.rejected_dropped);
}

static void
render_health (Out *o, ArbServer *server)
{
  ArbEngine *engine = arb_server_get_engine (server);
  ArbIngestStats in;
  ArbStreamStats stream;

  arb_ingest_get_stats (arb_engine_get_ingest (engine), &in);
  arb_stream_get_stats (_arb_server_get_stream (server), &stream);
  family (o, "arbdash_connections", "gauge", "Open connections.");
  sample1 (o, "kind", "bot", in.sessions);
  sample1 (o, "kind", "viewer", stream.viewers);
  family_value (o, "arbdash_ingest_events_total", "counter", "Bot events accepted.", in.events);
  family_value (o, "arbdash_ingest_duplicates_total", "counter",
                "Bot events that were resent.", in.duplicates);
  family_value (o, "arbdash_ingest_acks_total", "counter", "Acks sent to bots.", in.acks);
  family_value (o, "arbdash_stream_frames_total", "counter",
                "Frames sent to viewers.", stream.frames);
  family_value (o, "arbdash_stream_bytes_total", "counter", "Bytes sent to viewers.", stream.bytes);
  family_value (o, "arbdash_stream_gauges_dropped_total", "counter",
                "Gauge frames not sent to viewers that were behind.", stream.gauges_dropped);
  family_value (o, "arbdash_stream_slow_closed_total", "counter",
                "Viewers closed as too slow (1013).", stream.closed_slow);
  family (o, "arbdash_errors_total", "counter", "Errors answered, by code and endpoint.");
  sample2 (o, NULL, "code", "any", "endpoint", "bot", in.rejected);
  arb_http_foreach_error (o->s, o->family);
}

static void
render_metrics (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer data)
{
  ArbServer *server = data;
  ArbEngine *engine = arb_server_get_engine (server);
  Out o = { g_string_sized_new (16384), NULL };
  gsize len;

  if (soup_server_message_get_method (msg) != SOUP_METHOD_GET)
    {
      g_string_free (o.s, TRUE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      arb_http_send_error_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, ARB_ERROR_BAD_REQUEST, NULL,
                                  "/metrics takes GET");
      return;
    }
  if (!arb_http_authorize (msg, _arb_server_get_config (server), ARB_ROLE_VIEWER, NULL, NULL))
    {
      g_string_free (o.s, TRUE);
      return;
    }
  render_system (&o, arb_sampler_get_latest (arb_engine_get_sampler (engine)));
  render_trading (&o, arb_engine_get_ledger (engine));
  render_bots (&o, arb_engine_get_ingest (engine));
  render_resources (&o, arb_engine_get_hub (engine));
  render_store (&o, arb_engine_get_store (engine));
  render_health (&o, server);
  render_rejected (&o, arb_engine_get_ingest (engine));
  len = o.s->len;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_string_free (o.s, FALSE), len);
}

void
_arb_metrics_register (ArbServer  *server,
                       SoupServer *soup)
{
  arb_http_name_endpoint ("/metrics");
  soup_server_add_handler (soup, "/metrics", render_metrics, server, NULL);
}
