/* arb-ledger.c: trading aggregates per bot and per time window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-ledger"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-ledger-private.h"

G_DEFINE_FINAL_TYPE (ArbLedger, arb_ledger, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Arithmetic */

static gint64
money_to_nano (double value)
{
  double scaled = round (value * NANO);

  if (scaled >= 9.2e18)
    return G_MAXINT64;
  if (scaled <= -9.2e18)
    return G_MININT64;
  return (gint64) scaled;
}

static guint
latency_bin (double ms)
{
  double x;

  if (ms < LAT_MIN_MS)
    return 0;
  x = log (ms / LAT_MIN_MS) / log (LAT_GROWTH);
  if (x >= LAT_N_LOG)
    return LAT_N_BINS - 1;
  return 1 + (guint) x;
}

double
_arb_ledger_latency_bin_value (guint bin)
{
  if (bin == 0)
    return LAT_MIN_MS / 2;
  if (bin == LAT_N_BINS - 1)
    return LAT_MIN_MS * pow (LAT_GROWTH, LAT_N_LOG);
  return LAT_MIN_MS * pow (LAT_GROWTH, bin - 0.5);
}

/* Labels */

static void
label_free (gpointer data)
{
  Label *label = data;

  g_free (label->key);
  g_free (label->name);
  g_free (label->buy_venue);
  g_free (label->sell_venue);
  g_free (label);
}

static void
labels_init (Labels *labels)
{
  labels->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  labels->labels = g_ptr_array_new_with_free_func (label_free);
  labels->other_id = G_MAXUINT;
  labels->n_named = 0;
}

static void
labels_clear (Labels *labels)
{
  g_clear_pointer (&labels->by_key, g_hash_table_unref);
  g_clear_pointer (&labels->labels, g_ptr_array_unref);
}

static guint
labels_append (Labels     *labels,
               const char *key,
               const char *name,
               const char *buy_venue,
               const char *sell_venue)
{
  Label *label = g_new0 (Label, 1);

  label->key = g_strdup (key);
  label->name = g_strdup (name);
  label->buy_venue = g_strdup (buy_venue);
  label->sell_venue = g_strdup (sell_venue);
  g_ptr_array_add (labels->labels, label);
  return labels->labels->len - 1;
}

static guint
labels_other (Labels   *labels,
              gboolean  venues)
{
  if (labels->other_id == G_MAXUINT)
    labels->other_id = labels_append (labels, NULL, ARB_LEDGER_OTHER,
                                      venues ? ARB_LEDGER_OTHER : NULL,
                                      venues ? ARB_LEDGER_OTHER : NULL);
  return labels->other_id;
}

/* The key of a venue pair carries the length of the buy venue, so that no two distinct venue
 * pairs share one whatever characters the names hold. */
static char *
venue_key (const char *buy_venue,
           const char *sell_venue)
{
  return g_strdup_printf ("%zu:%s%s", strlen (buy_venue), buy_venue, sell_venue);
}

static guint
labels_intern (Labels     *labels,
               const char *key,
               const char *name,
               const char *buy_venue,
               const char *sell_venue)
{
  gpointer value;
  guint id;

  /* A bot naming something "(other)" itself shares the overflow row rather than showing two. */
  if (g_str_equal (name, ARB_LEDGER_OTHER))
    return labels_other (labels, buy_venue != NULL);

  if (g_hash_table_lookup_extended (labels->by_key, key, NULL, &value))
    return GPOINTER_TO_UINT (value) - 1;

  if (labels->n_named >= ARB_LEDGER_MAX_PAIRS)
    return labels_other (labels, buy_venue != NULL);

  id = labels_append (labels, key, name, buy_venue, sell_venue);
  labels->n_named++;
  g_hash_table_insert (labels->by_key, ((Label *) labels->labels->pdata[id])->key,
                       GUINT_TO_POINTER (id + 1));
  return id;
}

static guint
labels_intern_pair (Labels     *labels,
                    const char *pair)
{
  return labels_intern (labels, pair, pair, NULL, NULL);
}

static guint
labels_intern_venues (Labels     *labels,
                      const char *buy_venue,
                      const char *sell_venue)
{
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;

  if (g_str_equal (buy_venue, ARB_LEDGER_OTHER) && g_str_equal (sell_venue, ARB_LEDGER_OTHER))
    return labels_other (labels, TRUE);

  key = venue_key (buy_venue, sell_venue);
  name = g_strconcat (buy_venue, "->", sell_venue, NULL);
  return labels_intern (labels, key, name, buy_venue, sell_venue);
}

/* Maps each label of @from to its id in @into, interning as needed. */
static guint *
labels_map (Labels       *into,
            const Labels *from,
            gboolean      venues)
{
  guint *map = g_new (guint, MAX (from->labels->len, 1));

  for (guint i = 0; i < from->labels->len; i++)
    {
      const Label *label = from->labels->pdata[i];

      if (i == from->other_id)
        map[i] = labels_other (into, venues);
      else if (venues)
        map[i] = labels_intern_venues (into, label->buy_venue, label->sell_venue);
      else
        map[i] = labels_intern_pair (into, label->name);
    }
  return map;
}

/* Sorted sparse arrays */

/* PairStat and LatencyBin arrays are both kept sorted by their first member,
 * a guint key, so one binary search serves both.  Returns the element whose
 * key is the first member of @fresh, inserting a copy of @fresh at its place
 * when there is none; @found says which happened. */
G_STATIC_ASSERT (G_STRUCT_OFFSET (PairStat, id) == 0);
G_STATIC_ASSERT (G_STRUCT_OFFSET (LatencyBin, bin) == 0);

static gpointer
sorted_get (GArray        **array,
            guint           element_size,
            gconstpointer   fresh,
            gboolean       *found)
{
  guint key = *(const guint *) fresh;
  guint lo = 0;
  guint hi;

  if (*array == NULL)
    *array = g_array_new (FALSE, FALSE, element_size);
  hi = (*array)->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gpointer entry = (*array)->data + (gsize) mid * element_size;
      guint mid_key = *(const guint *) entry;

      *found = mid_key == key;
      if (*found)
        return entry;
      if (mid_key < key)
        lo = mid + 1;
      else
        hi = mid;
    }

  *found = FALSE;
  g_array_insert_vals (*array, lo, fresh, 1);
  return (*array)->data + (gsize) lo * element_size;
}

static PairStat *
pair_stat_get (GArray **array,
               guint    id)
{
  PairStat fresh = { id, 0, 0 };
  gboolean found;

  return sorted_get (array, sizeof (PairStat), &fresh, &found);
}

static void
latency_add (GArray  **array,
             guint     bin,
             guint64   count)
{
  LatencyBin fresh = { bin, count };
  gboolean found;
  LatencyBin *entry = sorted_get (array, sizeof (LatencyBin), &fresh, &found);

  if (found)
    entry->count += count;
}

/* Aggregates */

void
_arb_ledger_totals_merge (Totals       *into,
                          const Totals *from)
{
  for (guint i = 0; i < ARB_TRADE_N_STATUS; i++)
    into->status[i] += from->status[i];
  into->profit = sat_add (into->profit, from->profit);
  into->gas_used = sat_add (into->gas_used, from->gas_used);
  into->gas_cost = sat_add (into->gas_cost, from->gas_cost);
  into->fees = sat_add (into->fees, from->fees);
  into->opp_seen += from->opp_seen;
  into->opp_taken += from->opp_taken;
}

static void
agg_clear (Agg *agg)
{
  g_clear_pointer (&agg->pairs, g_array_unref);
  g_clear_pointer (&agg->venues, g_array_unref);
  g_clear_pointer (&agg->latency, g_array_unref);
}

static void
agg_free (gpointer data)
{
  agg_clear (data);
  g_free (data);
}

typedef struct
{
  ArbTradeStatus status;
  gint64         profit;
  gint64         gas_used;
  gint64         gas_cost;
  gint64         fees;
  guint          pair_id;
  guint          venue_id;
  gboolean       has_latency;
  guint          latency_bin;
} TradeFacts;

static void
agg_add_trade (Agg              *agg,
               const TradeFacts *facts)
{
  PairStat *stat;

  agg->totals.status[facts->status]++;
  agg->totals.profit = sat_add (agg->totals.profit, facts->profit);
  agg->totals.gas_used = sat_add (agg->totals.gas_used, facts->gas_used);
  agg->totals.gas_cost = sat_add (agg->totals.gas_cost, facts->gas_cost);
  agg->totals.fees = sat_add (agg->totals.fees, facts->fees);

  stat = pair_stat_get (&agg->pairs, facts->pair_id);
  stat->trades++;
  stat->profit = sat_add (stat->profit, facts->profit);

  stat = pair_stat_get (&agg->venues, facts->venue_id);
  stat->trades++;
  stat->profit = sat_add (stat->profit, facts->profit);

  if (facts->has_latency)
    latency_add (&agg->latency, facts->latency_bin, 1);
}

static void
pair_stats_merge (GArray       **into,
                  const GArray  *from,
                  const guint   *map)
{
  if (from == NULL)
    return;

  for (guint i = 0; i < from->len; i++)
    {
      const PairStat *src = &g_array_index (from, PairStat, i);
      PairStat *dst = pair_stat_get (into, map[src->id]);

      dst->trades += src->trades;
      dst->profit = sat_add (dst->profit, src->profit);
    }
}

static void
agg_merge (Agg         *into,
           const Agg   *from,
           const guint *pair_map,
           const guint *venue_map)
{
  _arb_ledger_totals_merge (&into->totals, &from->totals);
  pair_stats_merge (&into->pairs, from->pairs, pair_map);
  pair_stats_merge (&into->venues, from->venues, venue_map);

  if (from->latency != NULL)
    for (guint i = 0; i < from->latency->len; i++)
      {
        const LatencyBin *bin = &g_array_index (from->latency, LatencyBin, i);

        latency_add (&into->latency, bin->bin, bin->count);
      }
}

/* Finds the bucket of @key in @buckets (sorted by key), creating it if needed. Events mostly
 * come in time order, so the last bucket is tried first. */
static Agg *
buckets_get (GPtrArray *buckets,
             gint64     key)
{
  Agg *agg;
  guint lo = 0;
  guint hi = buckets->len;

  if (hi > 0 && ((Agg *) buckets->pdata[hi - 1])->key == key)
    return buckets->pdata[hi - 1];
  if (hi > 0 && ((Agg *) buckets->pdata[hi - 1])->key < key)
    lo = hi;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 mid_key = ((Agg *) buckets->pdata[mid])->key;

      if (mid_key == key)
        return buckets->pdata[mid];
      if (mid_key < key)
        lo = mid + 1;
      else
        hi = mid;
    }

  agg = g_new0 (Agg, 1);
  agg->key = key;
  g_ptr_array_insert (buckets, lo, agg);
  return agg;
}

/* Drops the buckets whose key is below @min_key. */
static void
buckets_prune (GPtrArray *buckets,
               gint64     min_key)
{
  guint n = 0;

  while (n < buckets->len && ((Agg *) buckets->pdata[n])->key < min_key)
    n++;
  if (n > 0)
    g_ptr_array_remove_range (buckets, 0, n);
}

/* Bots */

static BotLedger *
bot_ledger_new (void)
{
  BotLedger *bot = g_new0 (BotLedger, 1);

  labels_init (&bot->pairs);
  labels_init (&bot->venues);
  bot->first_ts = G_MAXINT64;
  bot->minutes = g_ptr_array_new_with_free_func (agg_free);
  bot->hours = g_ptr_array_new_with_free_func (agg_free);
  return bot;
}

static void
bot_ledger_free (gpointer data)
{
  BotLedger *bot = data;

  labels_clear (&bot->pairs);
  labels_clear (&bot->venues);
  agg_clear (&bot->all);
  g_ptr_array_unref (bot->minutes);
  g_ptr_array_unref (bot->hours);
  g_free (bot);
}

static void
bot_ledger_prune (BotLedger *bot,
                  gint64     now_ms)
{
  buckets_prune (bot->minutes, floor_div (now_ms, MINUTE_MS) - (MINUTE_KEEP - 1));
  buckets_prune (bot->hours, floor_div (now_ms, HOUR_MS) - (HOUR_KEEP - 1));
}

static BotLedger *
ensure_bot (ArbLedger  *self,
            const char *bot_id)
{
  BotLedger *bot = g_hash_table_lookup (self->bots, bot_id);

  if (bot == NULL)
    {
      bot = bot_ledger_new ();
      g_hash_table_insert (self->bots, g_strdup (bot_id), bot);
    }
  return bot;
}

/* The buckets an event at @ts_ms goes into besides the all-time one, or NULL for none. */
static void
event_buckets (BotLedger  *bot,
               gint64      ts_ms,
               gint64      now_ms,
               Agg       **minute,
               Agg       **hour)
{
  gint64 minute_key = floor_div (ts_ms, MINUTE_MS);
  gint64 hour_key = floor_div (ts_ms, HOUR_MS);

  *minute = NULL;
  *hour = NULL;
  bot->first_ts = MIN (bot->first_ts, ts_ms);

  if (ts_ms > now_ms + ARB_LEDGER_FUTURE_SLACK_MS)
    return;
  if (minute_key >= floor_div (now_ms, MINUTE_MS) - (MINUTE_KEEP - 1))
    *minute = buckets_get (bot->minutes, minute_key);
  if (hour_key >= floor_div (now_ms, HOUR_MS) - (HOUR_KEEP - 1))
    *hour = buckets_get (bot->hours, hour_key);
}

static void
maybe_prune (ArbLedger *self,
             gint64     now_ms)
{
  if (now_ms >= self->next_prune_ms)
    arb_ledger_prune (self, now_ms);
}

/* GObject */

static void
arb_ledger_finalize (GObject *object)
{
  ArbLedger *self = (ArbLedger *) object;

  g_clear_pointer (&self->bots, g_hash_table_unref);

  G_OBJECT_CLASS (arb_ledger_parent_class)->finalize (object);
}

static void
arb_ledger_class_init (ArbLedgerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arb_ledger_finalize;

  /**
   * ArbLedger::changed:
   * @self: the ledger
   * @bot_id: (nullable): the bot whose figures changed, or %NULL when several may have
   *
   * Emitted after each trade or opportunity is added, and after a merge.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0,
                                   NULL, NULL,
                                   NULL,
                                   G_TYPE_NONE, 1,
                                   G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
arb_ledger_init (ArbLedger *self)
{
  self->bots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, bot_ledger_free);
  self->next_prune_ms = G_MININT64;
}

/* Public API */

/**
 * arb_window_parse:
 * @s: (nullable): "1h", "24h", "7d" or "all"
 * @out: (out): the window
 *
 * Returns: %TRUE if @s names a window
 */
gboolean
arb_window_parse (const char *s,
                  ArbWindow  *out)
{
  for (ArbWindow w = ARB_WINDOW_1H; w <= ARB_WINDOW_ALL; w++)
    if (g_strcmp0 (s, arb_window_name (w)) == 0)
      {
        *out = w;
        return TRUE;
      }
  return FALSE;
}

/**
 * arb_window_name:
 * @window: a window
 *
 * Returns: (transfer none): its name on the wire, e.g. "24h"
 */
const char *
arb_window_name (ArbWindow window)
{
  static const char * const names[] = { "1h", "24h", "7d", "all" };

  g_return_val_if_fail ((guint) window <= ARB_WINDOW_ALL, NULL);

  return names[window];
}

/**
 * arb_ledger_new:
 *
 * Returns: (transfer full): an empty ledger
 */
ArbLedger *
arb_ledger_new (void)
{
  return g_object_new (ARB_TYPE_LEDGER, NULL);
}

/**
 * arb_ledger_add_trade:
 * @self: a ledger
 * @bot_id: the bot that made the trade
 * @ts_ms: the trade's ts
 * @trade: the trade
 * @now_ms: the current time, which decides the time buckets the trade goes into
 *
 * Counts one trade. A trade more than a minute ahead of @now_ms, or older than the 7d window,
 * counts only in the all-time figures. Absent gas_used, gas_cost, fees and latency_ms
 * (-1 or NAN) are left out of their sums.
 */
void
arb_ledger_add_trade (ArbLedger      *self,
                      const char     *bot_id,
                      gint64          ts_ms,
                      const ArbTrade *trade,
                      gint64          now_ms)
{
  BotLedger *bot;
  TradeFacts facts = { 0, };
  Agg *minute;
  Agg *hour;

  g_return_if_fail (ARB_IS_LEDGER (self));
  g_return_if_fail (bot_id != NULL);
  g_return_if_fail (trade != NULL);
  g_return_if_fail ((guint) trade->status < ARB_TRADE_N_STATUS);
  g_return_if_fail (trade->pair != NULL && trade->buy_venue != NULL && trade->sell_venue != NULL);

  maybe_prune (self, now_ms);
  bot = ensure_bot (self, bot_id);

  facts.status = trade->status;
  facts.profit = isnan (trade->profit) ? 0 : money_to_nano (trade->profit);
  facts.gas_used = trade->gas_used >= 0 ? trade->gas_used : 0;
  facts.gas_cost = isnan (trade->gas_cost) ? 0 : money_to_nano (trade->gas_cost);
  facts.fees = isnan (trade->fees) ? 0 : money_to_nano (trade->fees);
  facts.pair_id = labels_intern_pair (&bot->pairs, trade->pair);
  facts.venue_id = labels_intern_venues (&bot->venues, trade->buy_venue, trade->sell_venue);
  /* A negative latency is a bot's clock error, not a measurement. */
  facts.has_latency = !isnan (trade->latency_ms) && trade->latency_ms >= 0;
  facts.latency_bin = facts.has_latency ? latency_bin (trade->latency_ms) : 0;

  agg_add_trade (&bot->all, &facts);
  event_buckets (bot, ts_ms, now_ms, &minute, &hour);
  if (minute != NULL)
    agg_add_trade (minute, &facts);
  if (hour != NULL)
    agg_add_trade (hour, &facts);

  g_signal_emit (self, signals[CHANGED], 0, bot_id);
}

/**
 * arb_ledger_add_opportunity:
 * @self: a ledger
 * @bot_id: the bot that saw the opportunity
 * @ts_ms: the opportunity's ts
 * @opportunity: the opportunity
 * @now_ms: the current time
 *
 * Counts one opportunity as seen, and as taken if it was; the time rules are those of
 * arb_ledger_add_trade().
 */
void
arb_ledger_add_opportunity (ArbLedger            *self,
                            const char           *bot_id,
                            gint64                ts_ms,
                            const ArbOpportunity *opportunity,
                            gint64                now_ms)
{
  Totals one = { { 0, }, };
  BotLedger *bot;
  Agg *minute;
  Agg *hour;

  g_return_if_fail (ARB_IS_LEDGER (self));
  g_return_if_fail (bot_id != NULL);
  g_return_if_fail (opportunity != NULL);

  maybe_prune (self, now_ms);
  bot = ensure_bot (self, bot_id);

  one.opp_seen = 1;
  one.opp_taken = opportunity->taken ? 1 : 0;

  _arb_ledger_totals_merge (&bot->all.totals, &one);
  event_buckets (bot, ts_ms, now_ms, &minute, &hour);
  if (minute != NULL)
    _arb_ledger_totals_merge (&minute->totals, &one);
  if (hour != NULL)
    _arb_ledger_totals_merge (&hour->totals, &one);

  g_signal_emit (self, signals[CHANGED], 0, bot_id);
}

static void
buckets_merge (GPtrArray       *into,
               const GPtrArray *from,
               const guint     *pair_map,
               const guint     *venue_map)
{
  for (guint i = 0; i < from->len; i++)
    {
      const Agg *src = from->pdata[i];

      agg_merge (buckets_get (into, src->key), src, pair_map, venue_map);
    }
}

/**
 * arb_ledger_merge:
 * @into: the ledger to add to
 * @from: a ledger, left unchanged
 *
 * Adds every figure of @from to @into, as if the events added to @from had been added to @into
 * (with the same now). The result is that of adding everything to one ledger, except which
 * names get their own row once a bot passes %ARB_LEDGER_MAX_PAIRS distinct pairs. This lets a
 * rebuild from the store run in a worker thread into a private ledger while live events go into
 * the main one; merge in the main thread once the worker is done.
 */
void
arb_ledger_merge (ArbLedger *into,
                  ArbLedger *from)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_if_fail (ARB_IS_LEDGER (into));
  g_return_if_fail (ARB_IS_LEDGER (from));
  g_return_if_fail (into != from);

  if (g_hash_table_size (from->bots) == 0)
    return;

  g_hash_table_iter_init (&iter, from->bots);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const BotLedger *src = value;
      BotLedger *dst = ensure_bot (into, key);
      g_autofree guint *pair_map = labels_map (&dst->pairs, &src->pairs, FALSE);
      g_autofree guint *venue_map = labels_map (&dst->venues, &src->venues, TRUE);

      dst->first_ts = MIN (dst->first_ts, src->first_ts);
      agg_merge (&dst->all, &src->all, pair_map, venue_map);
      buckets_merge (dst->minutes, src->minutes, pair_map, venue_map);
      buckets_merge (dst->hours, src->hours, pair_map, venue_map);
    }

  g_signal_emit (into, signals[CHANGED], 0, NULL);
}

/**
 * arb_ledger_prune:
 * @self: a ledger
 * @now_ms: the current time
 *
 * Drops the time buckets that no window can reach any more. Adding events does this by itself
 * at most once a minute of @now_ms; call it from a timer as well so that the buckets of bots
 * that went quiet go too. Prune with a later now than the queries that follow only loses
 * buckets those queries would have counted.
 */
void
arb_ledger_prune (ArbLedger *self,
                  gint64     now_ms)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (ARB_IS_LEDGER (self));

  g_hash_table_iter_init (&iter, self->bots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    bot_ledger_prune (value, now_ms);

  self->next_prune_ms = now_ms + PRUNE_EVERY;
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/**
 * arb_ledger_dup_bot_ids:
 * @self: a ledger
 *
 * Returns: (transfer full): the bots that have figures, sorted
 */
char **
arb_ledger_dup_bot_ids (ArbLedger *self)
{
  g_autoptr(GPtrArray) ids = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (ARB_IS_LEDGER (self), NULL);

  ids = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->bots);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (ids, g_strdup (key));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/**
 * arb_ledger_get_n_buckets:
 * @self: a ledger
 *
 * Returns: how many minute and hour buckets the ledger holds, over all bots (memory use)
 */
guint
arb_ledger_get_n_buckets (ArbLedger *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (ARB_IS_LEDGER (self), 0);

  g_hash_table_iter_init (&iter, self->bots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const BotLedger *bot = value;

      n += bot->minutes->len + bot->hours->len;
    }
  return n;
}

