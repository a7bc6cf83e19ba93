/* arb-ledger-summary.c: the summary of a window, collected from the ledger's buckets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window reads the finest tier that reaches back far enough (minute
 * buckets, hour buckets, or the all-time aggregate) and sums the buckets it
 * covers; latency percentiles are read from the merged histogram.
 */
#define G_LOG_DOMAIN "arb-ledger"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-ledger-private.h"

static const char * const status_names[ARB_TRADE_N_STATUS] = { "filled", "failed", "reverted" };

typedef enum
{
  TIER_MINUTES,
  TIER_HOURS,
  TIER_ALL,
} Tier;

typedef struct
{
  Tier   tier;
  gint64 lo_key;
  gint64 hi_key;
} Range;

typedef struct
{
  const Label *label;
  guint64      trades;
  gint64       profit;
} Row;

typedef struct
{
  Totals      totals;
  gint64      first_ts;
  guint64     latency[LAT_N_BINS];
  GHashTable *pairs;    /* key -> Row*, NULL when rows are not wanted */
  GHashTable *venues;
  Row         other_pair;
  Row         other_venues;
} Collector;

static Range
window_range (ArbWindow  window,
              gint64     now_ms,
              gint64    *from_ms)
{
  gint64 now_minute = floor_div (now_ms, MINUTE_MS);
  gint64 now_hour = floor_div (now_ms, HOUR_MS);
  gint64 ahead = now_ms + ARB_LEDGER_FUTURE_SLACK_MS;
  Range range = { TIER_ALL, G_MININT64, G_MAXINT64 };

  switch (window)
    {
    case ARB_WINDOW_1H:
    case ARB_WINDOW_24H:
      range.tier = TIER_MINUTES;
      range.lo_key = now_minute - (window == ARB_WINDOW_1H ? 60 : 1440) + 1;
      range.hi_key = floor_div (ahead, MINUTE_MS);
      *from_ms = range.lo_key * MINUTE_MS;
      break;

    case ARB_WINDOW_7D:
      range.tier = TIER_HOURS;
      range.lo_key = now_hour - HOUR_KEEP + 1;
      range.hi_key = floor_div (ahead, HOUR_MS);
      *from_ms = range.lo_key * HOUR_MS;
      break;

    case ARB_WINDOW_ALL:
    default:
      *from_ms = G_MAXINT64;
      break;
    }

  return range;
}

static void
collect_rows (GHashTable   *rows,
              Row          *other,
              const Labels *labels,
              const GArray *stats)
{
  if (stats == NULL)
    return;

  for (guint i = 0; i < stats->len; i++)
    {
      const PairStat *stat = &g_array_index (stats, PairStat, i);
      const Label *label = labels->labels->pdata[stat->id];
      Row *row;

      if (stat->id == labels->other_id)
        row = other;
      else if ((row = g_hash_table_lookup (rows, label->key)) == NULL)
        {
          row = g_new0 (Row, 1);
          row->label = label;
          g_hash_table_insert (rows, label->key, row);
        }

      row->trades += stat->trades;
      row->profit = sat_add (row->profit, stat->profit);
    }
}

static void
collect_agg (Collector       *c,
             const BotLedger *bot,
             const Agg       *agg)
{
  _arb_ledger_totals_merge (&c->totals, &agg->totals);

  if (agg->latency != NULL)
    for (guint i = 0; i < agg->latency->len; i++)
      {
        const LatencyBin *bin = &g_array_index (agg->latency, LatencyBin, i);

        c->latency[bin->bin] += bin->count;
      }

  if (c->pairs != NULL)
    {
      collect_rows (c->pairs, &c->other_pair, &bot->pairs, agg->pairs);
      collect_rows (c->venues, &c->other_venues, &bot->venues, agg->venues);
    }
}

static void
collect_bot (Collector       *c,
             const BotLedger *bot,
             const Range     *range)
{
  const GPtrArray *buckets;

  c->first_ts = MIN (c->first_ts, bot->first_ts);

  if (range->tier == TIER_ALL)
    {
      collect_agg (c, bot, &bot->all);
      return;
    }

  buckets = range->tier == TIER_MINUTES ? bot->minutes : bot->hours;
  for (guint i = 0; i < buckets->len; i++)
    {
      const Agg *agg = buckets->pdata[i];

      if (agg->key >= range->lo_key && agg->key <= range->hi_key)
        collect_agg (c, bot, agg);
    }
}

static void
collect (ArbLedger   *self,
         Collector   *c,
         const char  *bot_id,
         const Range *range)
{
  c->first_ts = G_MAXINT64;

  if (bot_id != NULL)
    {
      const BotLedger *bot = g_hash_table_lookup (self->bots, bot_id);

      if (bot != NULL)
        collect_bot (c, bot, range);
    }
  else
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->bots);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        collect_bot (c, value, range);
    }
}

/* The nearest-rank percentile: the smallest sample with at least @pct % of them at or below. */
static double
latency_percentile (const guint64 *hist,
                    guint64        n,
                    guint          pct)
{
  guint64 rank = MAX ((pct * n + 99) / 100, 1);
  guint64 seen = 0;

  for (guint bin = 0; bin < LAT_N_BINS; bin++)
    {
      seen += hist[bin];
      if (seen >= rank)
        return _arb_ledger_latency_bin_value (bin);
    }
  return _arb_ledger_latency_bin_value (LAT_N_BINS - 1);
}

static void
pair_stat_free (gpointer data)
{
  ArbLedgerPairStat *stat = data;

  g_free (stat->name);
  g_free (stat->buy_venue);
  g_free (stat->sell_venue);
  g_free (stat);
}

static void
add_pair_stat (GPtrArray *out,
               const Row *row,
               gboolean   venues)
{
  ArbLedgerPairStat *stat = g_new0 (ArbLedgerPairStat, 1);

  if (row->label != NULL)
    {
      stat->name = g_strdup (row->label->name);
      stat->buy_venue = g_strdup (row->label->buy_venue);
      stat->sell_venue = g_strdup (row->label->sell_venue);
    }
  else
    {
      stat->name = g_strdup (ARB_LEDGER_OTHER);
      stat->buy_venue = venues ? g_strdup (ARB_LEDGER_OTHER) : NULL;
      stat->sell_venue = venues ? g_strdup (ARB_LEDGER_OTHER) : NULL;
    }
  stat->trades = row->trades;
  stat->net_profit = nano_to_money (row->profit);
  g_ptr_array_add (out, stat);
}

static gint
compare_pair_stats (gconstpointer a,
                    gconstpointer b)
{
  const ArbLedgerPairStat *x = *(ArbLedgerPairStat * const *) a;
  const ArbLedgerPairStat *y = *(ArbLedgerPairStat * const *) b;

  if (x->net_profit != y->net_profit)
    return x->net_profit > y->net_profit ? -1 : 1;
  if (x->trades != y->trades)
    return x->trades > y->trades ? -1 : 1;
  return g_strcmp0 (x->name, y->name) != 0 ? g_strcmp0 (x->name, y->name)
                                           : g_strcmp0 (x->buy_venue, y->buy_venue);
}

static GPtrArray *
rows_to_stats (GHashTable *rows,
               const Row  *other,
               gboolean    venues)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (pair_stat_free);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    add_pair_stat (out, value, venues);
  if (other->trades > 0)
    add_pair_stat (out, other, venues);

  g_ptr_array_sort (out, compare_pair_stats);
  return out;
}

/**
 * arb_ledger_get_summary:
 * @self: a ledger
 * @window: the window
 * @bot_id: (nullable): one bot, or %NULL for all of them
 * @now_ms: the current time
 *
 * Returns: (transfer full): the figures of @window ending at @now_ms; zeros for an unknown bot
 */
ArbLedgerSummary *
arb_ledger_get_summary (ArbLedger  *self,
                        ArbWindow   window,
                        const char *bot_id,
                        gint64      now_ms)
{
  g_autoptr(GHashTable) pairs = NULL;
  g_autoptr(GHashTable) venues = NULL;
  g_autofree Collector *c = NULL;
  ArbLedgerSummary *s;
  Range range;
  guint64 n_latency = 0;
  double minutes;

  g_return_val_if_fail (ARB_IS_LEDGER (self), NULL);
  g_return_val_if_fail ((guint) window <= ARB_WINDOW_ALL, NULL);

  pairs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  venues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  c = g_new0 (Collector, 1);
  c->pairs = pairs;
  c->venues = venues;

  s = g_new0 (ArbLedgerSummary, 1);
  s->window = window;
  s->to_ms = now_ms;
  range = window_range (window, now_ms, &s->from_ms);
  collect (self, c, bot_id, &range);
  if (window == ARB_WINDOW_ALL)
    s->from_ms = c->first_ts != G_MAXINT64 ? c->first_ts : now_ms;

  s->net_profit = nano_to_money (c->totals.profit);
  for (guint i = 0; i < ARB_TRADE_N_STATUS; i++)
    {
      s->trades[i] = c->totals.status[i];
      s->trades_total += c->totals.status[i];
    }
  s->success_rate = s->trades_total > 0
    ? (double) s->trades[ARB_TRADE_FILLED] / (double) s->trades_total
    : NAN;
  s->gas_used = c->totals.gas_used;
  s->gas_cost = nano_to_money (c->totals.gas_cost);
  s->fees = nano_to_money (c->totals.fees);
  s->opportunities_seen = c->totals.opp_seen;
  s->opportunities_taken = c->totals.opp_taken;

  for (guint bin = 0; bin < LAT_N_BINS; bin++)
    n_latency += c->latency[bin];
  s->latency_count = n_latency;
  s->latency_p50 = n_latency > 0 ? latency_percentile (c->latency, n_latency, 50) : NAN;
  s->latency_p90 = n_latency > 0 ? latency_percentile (c->latency, n_latency, 90) : NAN;
  s->latency_p99 = n_latency > 0 ? latency_percentile (c->latency, n_latency, 99) : NAN;

  minutes = MAX ((double) (s->to_ms - s->from_ms) / MINUTE_MS, 1.0);
  s->trades_per_minute = (double) s->trades_total / minutes;

  s->pairs = rows_to_stats (pairs, &c->other_pair, FALSE);
  s->venue_pairs = rows_to_stats (venues, &c->other_venues, TRUE);

  return s;
}

/**
 * arb_ledger_summary_free:
 * @summary: (nullable): a summary
 */
void
arb_ledger_summary_free (ArbLedgerSummary *summary)
{
  if (summary == NULL)
    return;

  g_clear_pointer (&summary->pairs, g_ptr_array_unref);
  g_clear_pointer (&summary->venue_pairs, g_ptr_array_unref);
  g_free (summary);
}

static void
add_nullable_double (JsonBuilder *builder,
                     const char  *member,
                     double       value)
{
  json_builder_set_member_name (builder, member);
  if (isnan (value))
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, value);
}

static void
add_pair_rows (JsonBuilder     *builder,
               const GPtrArray *stats,
               gboolean         venues)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < stats->len; i++)
    {
      const ArbLedgerPairStat *stat = stats->pdata[i];

      json_builder_begin_object (builder);
      if (venues)
        {
          json_builder_set_member_name (builder, "buy_venue");
          json_builder_add_string_value (builder, stat->buy_venue);
          json_builder_set_member_name (builder, "sell_venue");
          json_builder_add_string_value (builder, stat->sell_venue);
        }
      else
        {
          json_builder_set_member_name (builder, "pair");
          json_builder_add_string_value (builder, stat->name);
        }
      json_builder_set_member_name (builder, "trades");
      json_builder_add_int_value (builder, (gint64) stat->trades);
      json_builder_set_member_name (builder, "net_profit");
      json_builder_add_double_value (builder, stat->net_profit);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/**
 * arb_ledger_summary_to_json:
 * @summary: a summary
 * @bot_id: (nullable): the bot it is of, or %NULL for all bots
 *
 * Returns: (transfer full): the summary as the REST API serves it (see the header)
 */
JsonNode *
arb_ledger_summary_to_json (const ArbLedgerSummary *summary,
                            const char             *bot_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const ArbLedgerSummary *s = summary;

  g_return_val_if_fail (summary != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "window");
  json_builder_add_string_value (builder, arb_window_name (s->window));
  json_builder_set_member_name (builder, "bot_id");
  if (bot_id != NULL)
    json_builder_add_string_value (builder, bot_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "from");
  json_builder_add_int_value (builder, s->from_ms);
  json_builder_set_member_name (builder, "to");
  json_builder_add_int_value (builder, s->to_ms);
  json_builder_set_member_name (builder, "net_profit");
  json_builder_add_double_value (builder, s->net_profit);

  json_builder_set_member_name (builder, "trades");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, (gint64) s->trades_total);
  for (guint i = 0; i < ARB_TRADE_N_STATUS; i++)
    {
      json_builder_set_member_name (builder, status_names[i]);
      json_builder_add_int_value (builder, (gint64) s->trades[i]);
    }
  json_builder_end_object (builder);

  add_nullable_double (builder, "success_rate", s->success_rate);

  json_builder_set_member_name (builder, "gas");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "used");
  json_builder_add_int_value (builder, s->gas_used);
  json_builder_set_member_name (builder, "cost");
  json_builder_add_double_value (builder, s->gas_cost);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "fees");
  json_builder_add_double_value (builder, s->fees);

  json_builder_set_member_name (builder, "pairs");
  add_pair_rows (builder, s->pairs, FALSE);
  json_builder_set_member_name (builder, "venue_pairs");
  add_pair_rows (builder, s->venue_pairs, TRUE);

  json_builder_set_member_name (builder, "opportunities");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seen");
  json_builder_add_int_value (builder, (gint64) s->opportunities_seen);
  json_builder_set_member_name (builder, "taken");
  json_builder_add_int_value (builder, (gint64) s->opportunities_taken);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "latency_ms");
  if (s->latency_count == 0)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      add_nullable_double (builder, "p50", s->latency_p50);
      add_nullable_double (builder, "p90", s->latency_p90);
      add_nullable_double (builder, "p99", s->latency_p99);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "trades_per_minute");
  json_builder_add_double_value (builder, s->trades_per_minute);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * arb_ledger_summary_json:
 * @self: a ledger
 * @window: the window
 * @bot_id: (nullable): one bot, or %NULL for all of them
 * @now_ms: the current time
 *
 * Returns: (transfer full): the body of GET /api/v1/summary
 */
JsonNode *
arb_ledger_summary_json (ArbLedger  *self,
                         ArbWindow   window,
                         const char *bot_id,
                         gint64      now_ms)
{
  g_autoptr(ArbLedgerSummary) summary = NULL;

  g_return_val_if_fail (ARB_IS_LEDGER (self), NULL);

  summary = arb_ledger_get_summary (self, window, bot_id, now_ms);
  return summary != NULL ? arb_ledger_summary_to_json (summary, bot_id) : NULL;
}

static double
net_profit_of (ArbLedger   *self,
               const char  *bot_id,
               const Range *range)
{
  g_autofree Collector *c = g_new0 (Collector, 1);

  collect (self, c, bot_id, range);
  return nano_to_money (c->totals.profit);
}

/**
 * arb_ledger_get_net_profit:
 * @self: a ledger
 * @window: the window
 * @bot_id: (nullable): one bot, or %NULL for all of them
 * @now_ms: the current time
 *
 * Returns: the net profit in @window, as in arb_ledger_get_summary() but cheaper
 */
double
arb_ledger_get_net_profit (ArbLedger  *self,
                           ArbWindow   window,
                           const char *bot_id,
                           gint64      now_ms)
{
  gint64 from_ms;
  Range range;

  g_return_val_if_fail (ARB_IS_LEDGER (self), 0);
  g_return_val_if_fail ((guint) window <= ARB_WINDOW_ALL, 0);

  range = window_range (window, now_ms, &from_ms);
  return net_profit_of (self, bot_id, &range);
}

/**
 * arb_ledger_get_profit_today:
 * @self: a ledger
 * @bot_id: (nullable): one bot, or %NULL for all of them
 * @now_ms: the current time
 * @tz: (nullable): the time zone whose midnight starts the day, %NULL for the local one
 *
 * Returns: the net profit since the last midnight in @tz, to the minute
 */
double
arb_ledger_get_profit_today (ArbLedger  *self,
                             const char *bot_id,
                             gint64      now_ms,
                             GTimeZone  *tz)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) midnight = NULL;
  Range range = { TIER_MINUTES, 0, 0 };
  gint64 now_minute = floor_div (now_ms, MINUTE_MS);

  g_return_val_if_fail (ARB_IS_LEDGER (self), 0);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();

  utc = g_date_time_new_from_unix_utc (floor_div (now_ms, 1000));
  g_return_val_if_fail (utc != NULL, 0);
  now = g_date_time_to_timezone (utc, tz);
  midnight = g_date_time_new (tz,
                              g_date_time_get_year (now),
                              g_date_time_get_month (now),
                              g_date_time_get_day_of_month (now),
                              0, 0, 0);
  g_return_val_if_fail (midnight != NULL, 0);

  range.lo_key = MAX (floor_div (g_date_time_to_unix (midnight) * 1000, MINUTE_MS),
                      now_minute - (MINUTE_KEEP - 1));
  range.hi_key = floor_div (now_ms + ARB_LEDGER_FUTURE_SLACK_MS, MINUTE_MS);
  return net_profit_of (self, bot_id, &range);
}

