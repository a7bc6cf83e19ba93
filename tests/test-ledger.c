/* test-ledger.c: trading aggregates, windows, pruning, percentiles, merge
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-ledger.h"

#define MIN_MS  G_GINT64_CONSTANT (60000)
#define HOUR_MS G_GINT64_CONSTANT (3600000)
#define DAY_MS  G_GINT64_CONSTANT (86400000)

/* 2023-11-14 22:13:20 UTC; tests pick now relative to this. */
#define T0 G_GINT64_CONSTANT (1700000000000)

static ArbTrade
make_trade (const char     *pair,
            const char     *buy,
            const char     *sell,
            ArbTradeStatus  status,
            double          profit)
{
  ArbTrade t = { 0, };

  t.id = (char *) "t";
  t.pair = (char *) pair;
  t.buy_venue = (char *) buy;
  t.sell_venue = (char *) sell;
  t.status = status;
  t.profit = profit;
  t.gas_used = -1;
  t.gas_price_gwei = NAN;
  t.gas_cost = NAN;
  t.fees = NAN;
  t.latency_ms = NAN;
  return t;
}

static void
add (ArbLedger      *ledger,
     const char     *bot,
     gint64          ts,
     ArbTradeStatus  status,
     double          profit,
     gint64          now)
{
  ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", status, profit);

  arb_ledger_add_trade (ledger, bot, ts, &t, now);
}

static void
add_opportunity (ArbLedger  *ledger,
                 const char *bot,
                 gint64      ts,
                 gboolean    taken,
                 gint64      now)
{
  ArbOpportunity o = { (char *) "WETH/USDC", (char *) "uniswap", (char *) "curve", 12.0, 1.5,
                       taken, NULL };

  arb_ledger_add_opportunity (ledger, bot, ts, &o, now);
}

static char *
to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static char *
summary_string (ArbLedger  *ledger,
                ArbWindow   window,
                const char *bot,
                gint64      now)
{
  g_autoptr(JsonNode) node = arb_ledger_summary_json (ledger, window, bot, now);

  return to_string (node);
}

static const ArbLedgerPairStat *
find_row (GPtrArray  *rows,
          const char *name)
{
  for (guint i = 0; i < rows->len; i++)
    {
      const ArbLedgerPairStat *row = rows->pdata[i];

      if (g_str_equal (row->name, name))
        return row;
    }
  return NULL;
}

static void
test_window_names (void)
{
  ArbWindow w = ARB_WINDOW_ALL;

  for (ArbWindow i = ARB_WINDOW_1H; i <= ARB_WINDOW_ALL; i++)
    {
      g_assert_true (arb_window_parse (arb_window_name (i), &w));
      g_assert_cmpint (w, ==, i);
    }
  g_assert_cmpstr (arb_window_name (ARB_WINDOW_24H), ==, "24h");
  g_assert_true (arb_window_parse ("7d", &w));
  g_assert_cmpint (w, ==, ARB_WINDOW_7D);

  w = ARB_WINDOW_1H;
  g_assert_false (arb_window_parse ("1d", &w));
  g_assert_false (arb_window_parse ("", &w));
  g_assert_false (arb_window_parse ("ALL", &w));
  g_assert_false (arb_window_parse (NULL, &w));
  g_assert_cmpint (w, ==, ARB_WINDOW_1H);
}

static void
test_arithmetic (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) empty = NULL;
  g_autoptr(ArbLedgerSummary) s = NULL;
  g_autoptr(JsonNode) node = NULL;
  const double profits[] = { 0.1, 0.2, -0.35, 10.05, -3.0, 1e-9, -1e-9, -0.3 };
  const ArbTradeStatus status[] = { ARB_TRADE_FILLED, ARB_TRADE_FILLED, ARB_TRADE_FAILED,
                                    ARB_TRADE_FILLED, ARB_TRADE_REVERTED, ARB_TRADE_FILLED,
                                    ARB_TRADE_FAILED, ARB_TRADE_FILLED };
  gint64 now = T0;
  JsonObject *o;

  empty = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, NULL, now);
  g_assert_cmpuint (empty->trades_total, ==, 0);
  g_assert_true (isnan (empty->success_rate));
  g_assert_cmpfloat (empty->net_profit, ==, 0.0);
  g_assert_cmpfloat (empty->trades_per_minute, ==, 0.0);
  g_assert_cmpint (empty->from_ms, ==, now);
  node = arb_ledger_summary_to_json (empty, NULL);
  o = json_node_get_object (node);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (o, "success_rate")));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (o, "latency_ms")));
  g_clear_pointer (&node, json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (profits); i++)
    add (ledger, "b1", now - 1000 * i, status[i], profits[i], now);

  /* Naive double sums give 6.7 or 6.700000000000001 here depending on the order; fixed point
   * gives 6.7 in any order. */
  for (ArbWindow w = ARB_WINDOW_1H; w <= ARB_WINDOW_ALL; w++)
    {
      g_autoptr(ArbLedgerSummary) ws = arb_ledger_get_summary (ledger, w, "b1", now);

      g_assert_cmpfloat (ws->net_profit, ==, 6.7);
      g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, w, NULL, now), ==, 6.7);
    }

  s = arb_ledger_get_summary (ledger, ARB_WINDOW_24H, NULL, now);
  g_assert_cmpuint (s->trades_total, ==, 8);
  g_assert_cmpuint (s->trades[ARB_TRADE_FILLED], ==, 5);
  g_assert_cmpuint (s->trades[ARB_TRADE_FAILED], ==, 2);
  g_assert_cmpuint (s->trades[ARB_TRADE_REVERTED], ==, 1);
  g_assert_cmpfloat (s->success_rate, ==, 0.625);

  node = arb_ledger_summary_to_json (s, NULL);
  o = json_node_get_object (node);
  g_assert_cmpfloat (json_object_get_double_member (o, "net_profit"), ==, 6.7);
  g_assert_cmpfloat (json_object_get_double_member (o, "success_rate"), ==, 0.625);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "reverted"), ==, 1);
}

static void
test_saturation (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  double max = (double) G_MAXINT64 / 1e9;

  add (ledger, "b1", T0, ARB_TRADE_FILLED, 1e300, T0);
  add (ledger, "b1", T0, ARB_TRADE_FILLED, INFINITY, T0);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_ALL, "b1", T0), ==, max);
  add (ledger, "b2", T0, ARB_TRADE_FILLED, -1e300, T0);
  add (ledger, "b2", T0, ARB_TRADE_FILLED, -1e300, T0);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_ALL, "b2", T0), ==,
                     (double) G_MININT64 / 1e9);
  /* NAN profit counts the trade but adds nothing */
  add (ledger, "b3", T0, ARB_TRADE_FAILED, NAN, T0);
  add (ledger, "b3", T0, ARB_TRADE_FILLED, 2.5, T0);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_1H, "b3", T0), ==, 2.5);
}

static void
test_gas_fees (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) s = NULL;
  g_autoptr(JsonNode) node = NULL;
  ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 1.0);
  JsonObject *gas;

  t.gas_used = 150000;
  t.gas_cost = 0.1;
  t.fees = 0.7;
  arb_ledger_add_trade (ledger, "b1", T0, &t, T0);

  /* all absent */
  t.gas_used = -1;
  t.gas_cost = NAN;
  t.fees = NAN;
  arb_ledger_add_trade (ledger, "b1", T0, &t, T0);

  t.gas_used = 50000;
  t.gas_cost = 0.2;
  t.fees = NAN;
  arb_ledger_add_trade (ledger, "b1", T0, &t, T0);

  t.gas_used = -1;
  t.gas_cost = NAN;
  t.fees = 0.05;
  t.status = ARB_TRADE_REVERTED;
  arb_ledger_add_trade (ledger, "b1", T0, &t, T0);

  s = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "b1", T0);
  g_assert_cmpint (s->gas_used, ==, 200000);
  g_assert_cmpfloat (s->gas_cost, ==, 0.3);
  g_assert_cmpfloat (s->fees, ==, 0.75);
  g_assert_cmpuint (s->trades_total, ==, 4);
  g_assert_cmpfloat (s->success_rate, ==, 0.75);

  node = arb_ledger_summary_to_json (s, "b1");
  gas = json_object_get_object_member (json_node_get_object (node), "gas");
  g_assert_cmpint (json_object_get_int_member (gas, "used"), ==, 200000);
  g_assert_cmpfloat (json_object_get_double_member (gas, "cost"), ==, 0.3);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (node), "fees"), ==,
                     0.75);
}

static void
test_pairs (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) s = NULL;
  g_autoptr(JsonNode) node = NULL;
  const struct {
    const char *pair, *buy, *sell;
    double profit;
  } trades[] = {
    { "WETH/USDC", "uniswap", "curve", 5.0 },
    { "WETH/USDC", "uniswap", "curve", -1.0 },
    { "WETH/USDC", "curve", "uniswap", 0.5 },
    { "WBTC/USDT", "sushi", "curve", 10.0 },
    { "LINK/USDC", "uniswap", "curve", -2.0 },
    /* "a->" + "b" and "a" + "->b" share the display name but are different venue pairs */
    { "X/Y", "a->", "b", 0.25 },
    { "X/Y", "a", "->b", 0.125 },
  };
  const ArbLedgerPairStat *row;
  JsonArray *rows;
  JsonObject *first;

  for (guint i = 0; i < G_N_ELEMENTS (trades); i++)
    {
      ArbTrade t = make_trade (trades[i].pair, trades[i].buy, trades[i].sell, ARB_TRADE_FILLED,
                               trades[i].profit);

      arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
    }

  s = arb_ledger_get_summary (ledger, ARB_WINDOW_24H, NULL, T0);
  g_assert_cmpuint (s->pairs->len, ==, 4);
  row = s->pairs->pdata[0];
  g_assert_cmpstr (row->name, ==, "WBTC/USDT");
  g_assert_null (row->buy_venue);
  g_assert_cmpfloat (row->net_profit, ==, 10.0);
  row = s->pairs->pdata[1];
  g_assert_cmpstr (row->name, ==, "WETH/USDC");
  g_assert_cmpuint (row->trades, ==, 3);
  g_assert_cmpfloat (row->net_profit, ==, 4.5);
  g_assert_cmpstr (((ArbLedgerPairStat *) s->pairs->pdata[2])->name, ==, "X/Y");
  g_assert_cmpstr (((ArbLedgerPairStat *) s->pairs->pdata[3])->name, ==, "LINK/USDC");

  /* uniswap->curve: 5 - 1 - 2 */
  g_assert_cmpuint (s->venue_pairs->len, ==, 5);
  row = s->venue_pairs->pdata[0];
  g_assert_cmpstr (row->name, ==, "sushi->curve");
  g_assert_cmpstr (row->buy_venue, ==, "sushi");
  g_assert_cmpstr (row->sell_venue, ==, "curve");
  row = find_row (s->venue_pairs, "uniswap->curve");
  g_assert_nonnull (row);
  g_assert_cmpuint (row->trades, ==, 3);
  g_assert_cmpfloat (row->net_profit, ==, 2.0);
  row = s->venue_pairs->pdata[1];
  g_assert_cmpstr (row->name, ==, "uniswap->curve");
  row = s->venue_pairs->pdata[2];
  g_assert_cmpstr (row->name, ==, "curve->uniswap");
  g_assert_cmpfloat (row->net_profit, ==, 0.5);
  row = s->venue_pairs->pdata[3];
  g_assert_cmpstr (row->name, ==, "a->->b");
  g_assert_cmpstr (row->buy_venue, ==, "a->");
  g_assert_cmpfloat (row->net_profit, ==, 0.25);
  row = s->venue_pairs->pdata[4];
  g_assert_cmpstr (row->name, ==, "a->->b");
  g_assert_cmpstr (row->buy_venue, ==, "a");
  g_assert_cmpstr (row->sell_venue, ==, "->b");

  node = arb_ledger_summary_to_json (s, NULL);
  rows = json_object_get_array_member (json_node_get_object (node), "venue_pairs");
  g_assert_cmpuint (json_array_get_length (rows), ==, 5);
  first = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "buy_venue"), ==, "sushi");
  g_assert_cmpstr (json_object_get_string_member (first, "sell_venue"), ==, "curve");
  g_assert_cmpint (json_object_get_int_member (first, "trades"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (first, "net_profit"), ==, 10.0);
  g_assert_false (json_object_has_member (first, "pair"));
  rows = json_object_get_array_member (json_node_get_object (node), "pairs");
  first = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "pair"), ==, "WBTC/USDT");
  g_assert_false (json_object_has_member (first, "buy_venue"));
}

static void
test_windows (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  gint64 now = T0 + 30 * 1000;  /* 30 s into a minute */
  gint64 now_min = now / MIN_MS;
  const struct { ArbWindow w; double profit; guint64 trades; gint64 from; } expect[] = {
    { ARB_WINDOW_1H, 1 + 16, 2, (now_min - 59) * MIN_MS },
    { ARB_WINDOW_24H, 1 + 2 + 16, 3, (now_min - 1439) * MIN_MS },
    { ARB_WINDOW_7D, 1 + 2 + 4 + 16, 4, (now / HOUR_MS - 167) * HOUR_MS },
    { ARB_WINDOW_ALL, 1 + 2 + 4 + 8 + 16 + 32, 6, now - 10 * DAY_MS },
  };

  add (ledger, "b1", now - 30 * MIN_MS, ARB_TRADE_FILLED, 1, now);
  add (ledger, "b1", now - 2 * HOUR_MS, ARB_TRADE_FILLED, 2, now);
  add (ledger, "b1", now - 3 * DAY_MS, ARB_TRADE_FILLED, 4, now);
  add (ledger, "b1", now - 10 * DAY_MS, ARB_TRADE_FILLED, 8, now);
  /* clock skew within a minute counts as now; beyond, only in "all" */
  add (ledger, "b1", now + 30 * 1000, ARB_TRADE_FILLED, 16, now);
  add (ledger, "b1", now + 2 * MIN_MS, ARB_TRADE_FILLED, 32, now);

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autoptr(ArbLedgerSummary) s = arb_ledger_get_summary (ledger, expect[i].w, "b1", now);

      g_assert_cmpfloat (s->net_profit, ==, expect[i].profit);
      g_assert_cmpuint (s->trades_total, ==, expect[i].trades);
      g_assert_cmpint (s->from_ms, ==, expect[i].from);
      g_assert_cmpint (s->to_ms, ==, now);
    }

  /* an hour later the 30-minute-old trade has left the 1h window, the early one not yet */
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_1H, "b1", now + HOUR_MS), ==,
                     16);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_24H, "b1", now + HOUR_MS), ==,
                     1 + 2 + 16);
}

static void
test_window_edges (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  gint64 now = T0 - T0 % HOUR_MS + 15 * MIN_MS + 10 * 1000;
  gint64 now_min = now / MIN_MS;
  gint64 now_hour = now / HOUR_MS;

  /* 1h: the current minute and the 59 before it */
  add (ledger, "b1", (now_min - 59) * MIN_MS, ARB_TRADE_FILLED, 1, now);
  add (ledger, "b1", (now_min - 59) * MIN_MS - 1, ARB_TRADE_FILLED, 2, now);
  /* 24h */
  add (ledger, "b1", (now_min - 1439) * MIN_MS, ARB_TRADE_FILLED, 4, now);
  add (ledger, "b1", (now_min - 1439) * MIN_MS - 1, ARB_TRADE_FILLED, 8, now);
  /* 7d: hour precision */
  add (ledger, "b1", (now_hour - 167) * HOUR_MS, ARB_TRADE_FILLED, 16, now);
  add (ledger, "b1", (now_hour - 167) * HOUR_MS - 1, ARB_TRADE_FILLED, 32, now);
  /* the future slack is exact to the millisecond */
  add (ledger, "b1", now + 60 * 1000, ARB_TRADE_FILLED, 64, now);
  add (ledger, "b1", now + 60 * 1000 + 1, ARB_TRADE_FILLED, 128, now);

  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_1H, "b1", now), ==, 1 + 64);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_24H, "b1", now), ==,
                     1 + 2 + 4 + 64);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_7D, "b1", now), ==,
                     1 + 2 + 4 + 8 + 16 + 64);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_ALL, "b1", now), ==, 255);
}

static void
test_trades_per_minute (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) hour = NULL;
  g_autoptr(ArbLedgerSummary) all = NULL;
  gint64 now = T0 - T0 % MIN_MS + 30 * 1000;

  /* 119 trades over the 59.5 minutes of the 1h window */
  for (guint i = 0; i < 119; i++)
    add (ledger, "b1", now - i * 30 * 1000, ARB_TRADE_FILLED, 0.5, now);

  hour = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "b1", now);
  g_assert_cmpuint (hour->trades_total, ==, 119);
  g_assert_cmpfloat_with_epsilon (hour->trades_per_minute, 2.0, 1e-12);

  /* all: from the first event (59 minutes ago) to now */
  all = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, "b1", now);
  g_assert_cmpint (all->from_ms, ==, now - 118 * 30 * 1000);
  g_assert_cmpfloat_with_epsilon (all->trades_per_minute, 119.0 / 59.0, 1e-12);
}

static void
test_opportunities (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) s = NULL;
  g_autoptr(ArbLedgerSummary) week = NULL;

  add_opportunity (ledger, "b1", T0, TRUE, T0);
  add_opportunity (ledger, "b1", T0 - 1000, FALSE, T0);
  add_opportunity (ledger, "b1", T0 - 2 * HOUR_MS, FALSE, T0);
  add_opportunity (ledger, "b1", T0 - 2 * DAY_MS, TRUE, T0);
  add_opportunity (ledger, "b2", T0, TRUE, T0);

  s = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "b1", T0);
  g_assert_cmpuint (s->opportunities_seen, ==, 2);
  g_assert_cmpuint (s->opportunities_taken, ==, 1);
  g_assert_cmpuint (s->trades_total, ==, 0);
  g_assert_cmpuint (s->pairs->len, ==, 0);

  week = arb_ledger_get_summary (ledger, ARB_WINDOW_7D, NULL, T0);
  g_assert_cmpuint (week->opportunities_seen, ==, 5);
  g_assert_cmpuint (week->opportunities_taken, ==, 3);
}

static void
test_pruning (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  gint64 start = T0;
  guint at_day_8 = 0;
  guint max_buckets = 0;
  gint64 now = start;

  /* ten days of one trade every 20 s from one bot and a few opportunities from another */
  for (gint64 t = start; t < start + 10 * DAY_MS; t += 20 * 1000)
    {
      now = t;
      add (ledger, "busy", t, ARB_TRADE_FILLED, 0.01, now);
      if (t < start + DAY_MS)
        add_opportunity (ledger, "quiet", t, FALSE, now);
      max_buckets = MAX (max_buckets, arb_ledger_get_n_buckets (ledger));
      if (at_day_8 == 0 && t >= start + 8 * DAY_MS)
        at_day_8 = arb_ledger_get_n_buckets (ledger);
    }

  /* flat in the steady state: 25 h of minutes and 7 d of hours, plus up to a minute of
   * pruning slack each, and the quiet bot's buckets went once it stopped */
  g_assert_cmpuint (max_buckets, <=, 2 * (1500 + 1 + 168 + 1));
  g_assert_cmpuint (at_day_8, >=, 1500 + 168);
  g_assert_cmpuint (at_day_8, <=, 1500 + 1 + 168 + 1);
  g_assert_cmpuint (arb_ledger_get_n_buckets (ledger), >=, 1500 + 168);
  g_assert_cmpuint (arb_ledger_get_n_buckets (ledger), <=, 1500 + 1 + 168 + 1);

  /* the windows are still right after all that pruning: now is the first trade of its minute,
   * the minutes before it had three each */
  g_assert_cmpint (now % MIN_MS, ==, 0);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_1H, "busy", now), ==, 1.78);
  g_assert_cmpfloat (arb_ledger_get_net_profit (ledger, ARB_WINDOW_24H, "busy", now), ==, 43.18);
  {
    g_autoptr(ArbLedgerSummary) busy = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, "busy",
                                                               now);
    g_autoptr(ArbLedgerSummary) quiet = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, "quiet",
                                                                now);
    g_autoptr(ArbLedgerSummary) quiet_week = arb_ledger_get_summary (ledger, ARB_WINDOW_7D,
                                                                     "quiet", now);

    g_assert_cmpuint (quiet->opportunities_seen, ==, 24 * 180);
    g_assert_cmpuint (busy->trades_total, ==, 10 * 24 * 180);
    g_assert_cmpuint (quiet_week->opportunities_seen, ==, 0);
  }

  /* everything goes quiet: an explicit prune drops every bucket, "all" stays */
  arb_ledger_prune (ledger, now + 8 * DAY_MS);
  g_assert_cmpuint (arb_ledger_get_n_buckets (ledger), ==, 0);
  g_assert_cmpfloat_with_epsilon (arb_ledger_get_net_profit (ledger, ARB_WINDOW_ALL, "busy", now),
                                  10 * 24 * 180 * 0.01, 1e-9);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
check_percentiles (const double *sorted,
                   guint         n,
                   const ArbLedgerSummary *s)
{
  const guint pcts[] = { 50, 90, 99 };
  const double got[] = { s->latency_p50, s->latency_p90, s->latency_p99 };

  g_assert_cmpuint (s->latency_count, ==, n);
  for (guint i = 0; i < G_N_ELEMENTS (pcts); i++)
    {
      /* nearest rank: the smallest sample with at least pct % at or below it */
      guint rank = MAX ((pcts[i] * n + 99) / 100, 1);
      double exact = sorted[rank - 1];

      g_assert_cmpfloat (fabs (got[i] - exact) / exact, <=, ARB_LEDGER_LATENCY_REL_ERROR);
    }
}

static void
test_percentiles (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (20231114);
  g_autoptr(ArbLedgerSummary) none = NULL;
  const guint n = 5000;
  g_autofree double *samples = g_new (double, n);
  g_autofree double *recent = g_new (double, n);
  guint n_recent = 0;
  gint64 now = T0;

  none = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, NULL, now);
  g_assert_true (isnan (none->latency_p50));
  g_assert_cmpuint (none->latency_count, ==, 0);

  for (guint i = 0; i < n; i++)
    {
      ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 0);
      gint64 ts = now - g_rand_int_range (rand, 0, 120) * MIN_MS;

      /* log-uniform from 1 ms to 60 s, with heavy ties on a few values */
      samples[i] = i % 7 == 0 ? 250.0 : exp (g_rand_double_range (rand, 0, log (60000.0)));
      t.latency_ms = samples[i];
      arb_ledger_add_trade (ledger, "b1", ts, &t, now);
      if (ts > now - 60 * MIN_MS)
        recent[n_recent++] = samples[i];
    }
  /* absent and negative latencies are not samples */
  {
    ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 0);

    arb_ledger_add_trade (ledger, "b1", now, &t, now);
    t.latency_ms = -5;
    arb_ledger_add_trade (ledger, "b1", now, &t, now);
  }

  qsort (samples, n, sizeof (double), compare_doubles);
  qsort (recent, n_recent, sizeof (double), compare_doubles);
  {
    g_autoptr(ArbLedgerSummary) all = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, "b1", now);
    g_autoptr(ArbLedgerSummary) day = arb_ledger_get_summary (ledger, ARB_WINDOW_24H, "b1", now);
    g_autoptr(ArbLedgerSummary) hour = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "b1", now);

    check_percentiles (samples, n, all);
    check_percentiles (samples, n, day);
    check_percentiles (recent, n_recent, hour);
    g_assert_cmpuint (hour->latency_count, <, n);
    g_assert_cmpfloat (all->latency_p50, <=, all->latency_p90);
    g_assert_cmpfloat (all->latency_p90, <=, all->latency_p99);
  }
}

static void
test_percentile_extremes (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) one = NULL;
  g_autoptr(ArbLedgerSummary) ends = NULL;
  ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 0);

  t.latency_ms = 1234.5;
  arb_ledger_add_trade (ledger, "one", T0, &t, T0);
  one = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "one", T0);
  g_assert_cmpfloat (fabs (one->latency_p50 - 1234.5) / 1234.5, <=, 0.025);
  g_assert_cmpfloat (one->latency_p50, ==, one->latency_p99);

  /* below the first bucket: read as 0.05 ms; far above the last: clamped */
  for (guint i = 0; i < 50; i++)
    {
      t.latency_ms = i < 49 ? 0.0 : 1e12;
      arb_ledger_add_trade (ledger, "ends", T0, &t, T0);
    }
  t.latency_ms = INFINITY;
  arb_ledger_add_trade (ledger, "ends", T0, &t, T0);
  ends = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "ends", T0);
  g_assert_cmpfloat (ends->latency_p50, ==, 0.05);
  g_assert_cmpfloat (ends->latency_p90, ==, 0.05);
  g_assert_cmpfloat (ends->latency_p99, >=, 1e8);
  g_assert_cmpfloat (ends->latency_p99, <, 1.1e8);
}

typedef struct
{
  const char *bot;
  gint64      ts;
  ArbTrade    trade;
  gboolean    opportunity;
  gboolean    taken;
} RandomEvent;

static void
random_events (RandomEvent *events,
               guint        n,
               gint64       now,
               GRand       *rand)
{
  static const char *bots[] = { "alpha", "beta", "gamma" };
  static const char *pairs[] = { "WETH/USDC", "WBTC/USDC", "LINK/ETH", "ARB/USDC", "OP/USDC" };
  static const char *venues[] = { "uniswap", "sushi", "curve", "balancer" };

  for (guint i = 0; i < n; i++)
    {
      RandomEvent *e = &events[i];

      e->bot = bots[g_rand_int_range (rand, 0, G_N_ELEMENTS (bots))];
      /* from 10 days ago to 2 minutes ahead, so every tier and the future rule are hit */
      e->ts = now - g_rand_int_range (rand, -120, 10 * 24 * 3600) * G_GINT64_CONSTANT (1000);
      e->opportunity = g_rand_int_range (rand, 0, 4) == 0;
      e->taken = g_rand_boolean (rand);
      e->trade = make_trade (pairs[g_rand_int_range (rand, 0, G_N_ELEMENTS (pairs))],
                             venues[g_rand_int_range (rand, 0, G_N_ELEMENTS (venues))],
                             venues[g_rand_int_range (rand, 0, G_N_ELEMENTS (venues))],
                             g_rand_int_range (rand, 0, ARB_TRADE_N_STATUS),
                             g_rand_int_range (rand, -100000, 100000) / 1000.0);
      e->trade.gas_used = g_rand_boolean (rand) ? g_rand_int_range (rand, 21000, 500000) : -1;
      e->trade.gas_cost = g_rand_boolean (rand) ? g_rand_double_range (rand, 0, 5) : NAN;
      e->trade.fees = g_rand_boolean (rand) ? g_rand_double_range (rand, 0, 1) : NAN;
      e->trade.latency_ms = g_rand_boolean (rand) ? g_rand_double_range (rand, 1, 9000) : NAN;
    }
}

static void
add_event (ArbLedger         *ledger,
           const RandomEvent *e,
           gint64             now)
{
  if (e->opportunity)
    {
      ArbOpportunity o = { e->trade.pair, e->trade.buy_venue, e->trade.sell_venue, 3, 1,
                           e->taken, NULL };

      arb_ledger_add_opportunity (ledger, e->bot, e->ts, &o, now);
    }
  else
    arb_ledger_add_trade (ledger, e->bot, e->ts, &e->trade, now);
}

static void
count_changed (ArbLedger  *ledger,
               const char *bot_id,
               gpointer    user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (bot_id));
}

static void
test_merge (void)
{
  g_autoptr(ArbLedger) one = arb_ledger_new ();
  g_autoptr(ArbLedger) live = arb_ledger_new ();
  g_autoptr(ArbLedger) rebuilt = arb_ledger_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autofree RandomEvent *events = NULL;
  g_autofree char *rebuilt_before = NULL;
  const char *bots[] = { NULL, "alpha", "beta", "gamma", "nobody" };
  const guint n = 4000;
  gint64 now = T0;

  events = g_new0 (RandomEvent, n);
  random_events (events, n, now, rand);
  for (guint i = 0; i < n; i++)
    {
      add_event (one, &events[i], now);
      add_event (i % 3 == 0 ? live : rebuilt, &events[i], now);
    }

  rebuilt_before = summary_string (rebuilt, ARB_WINDOW_ALL, NULL, now);
  g_signal_connect (live, "changed", G_CALLBACK (count_changed), changes);
  arb_ledger_merge (live, rebuilt);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_null (changes->pdata[0]);

  for (guint b = 0; b < G_N_ELEMENTS (bots); b++)
    for (ArbWindow w = ARB_WINDOW_1H; w <= ARB_WINDOW_ALL; w++)
      {
        g_autofree char *expected = summary_string (one, w, bots[b], now);
        g_autofree char *merged = summary_string (live, w, bots[b], now);

        g_assert_cmpstr (merged, ==, expected);
      }
  g_assert_cmpuint (arb_ledger_get_n_buckets (live), ==, arb_ledger_get_n_buckets (one));

  /* the source is left as it was */
  {
    g_autofree char *rebuilt_after = summary_string (rebuilt, ARB_WINDOW_ALL, NULL, now);

    g_assert_cmpstr (rebuilt_after, ==, rebuilt_before);
  }

  /* merging an empty ledger changes nothing and says nothing */
  {
    g_autoptr(ArbLedger) empty = arb_ledger_new ();
    g_autofree char *before = summary_string (live, ARB_WINDOW_7D, NULL, now);
    g_autofree char *after = NULL;

    arb_ledger_merge (live, empty);
    after = summary_string (live, ARB_WINDOW_7D, NULL, now);
    g_assert_cmpstr (after, ==, before);
    g_assert_cmpuint (changes->len, ==, 1);
  }
}

static void
test_per_bot (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ArbLedgerSummary) a = NULL;
  g_autoptr(ArbLedgerSummary) both = NULL;
  g_autoptr(ArbLedgerSummary) nobody = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(JsonNode) node = NULL;
  ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 3);

  g_signal_connect (ledger, "changed", G_CALLBACK (count_changed), changes);

  arb_ledger_add_trade (ledger, "b", T0, &t, T0);
  t.profit = 2;
  t.status = ARB_TRADE_FAILED;
  arb_ledger_add_trade (ledger, "a", T0, &t, T0);
  t.pair = (char *) "WBTC/USDC";
  arb_ledger_add_trade (ledger, "a", T0, &t, T0);
  add_opportunity (ledger, "b", T0, TRUE, T0);

  g_assert_cmpuint (changes->len, ==, 4);
  g_assert_cmpstr (changes->pdata[0], ==, "b");
  g_assert_cmpstr (changes->pdata[1], ==, "a");
  g_assert_cmpstr (changes->pdata[3], ==, "b");

  a = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, "a", T0);
  g_assert_cmpfloat (a->net_profit, ==, 4);
  g_assert_cmpuint (a->trades[ARB_TRADE_FAILED], ==, 2);
  g_assert_cmpuint (a->opportunities_seen, ==, 0);
  g_assert_cmpfloat (a->success_rate, ==, 0);

  /* all bots: rows of the same name add up */
  both = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, NULL, T0);
  g_assert_cmpfloat (both->net_profit, ==, 7);
  g_assert_cmpuint (both->trades_total, ==, 3);
  g_assert_cmpuint (both->opportunities_seen, ==, 1);
  g_assert_cmpuint (both->pairs->len, ==, 2);
  g_assert_cmpfloat (find_row (both->pairs, "WETH/USDC")->net_profit, ==, 5);
  g_assert_cmpuint (find_row (both->pairs, "WETH/USDC")->trades, ==, 2);
  g_assert_cmpuint (both->venue_pairs->len, ==, 1);
  g_assert_cmpuint (find_row (both->venue_pairs, "uniswap->curve")->trades, ==, 3);

  nobody = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, "nobody", T0);
  g_assert_cmpuint (nobody->trades_total, ==, 0);
  g_assert_cmpuint (nobody->pairs->len, ==, 0);
  g_assert_cmpint (nobody->from_ms, ==, T0);
  node = arb_ledger_summary_to_json (nobody, "nobody");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "bot_id"), ==,
                   "nobody");

  ids = arb_ledger_dup_bot_ids (ledger);
  g_assert_cmpuint (g_strv_length (ids), ==, 2);
  g_assert_cmpstr (ids[0], ==, "a");
  g_assert_cmpstr (ids[1], ==, "b");
}

static void
test_pair_bound (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(ArbLedger) merged = arb_ledger_new ();
  g_autoptr(ArbLedgerSummary) s = NULL;
  g_autoptr(ArbLedgerSummary) m = NULL;
  g_autoptr(ArbLedgerSummary) other_bot = NULL;
  const ArbLedgerPairStat *other;
  const guint n = ARB_LEDGER_MAX_PAIRS + 44;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *pair = g_strdup_printf ("P%03u/USDC", i);
      g_autofree char *venue = g_strdup_printf ("venue%03u", i);
      ArbTrade t = make_trade (pair, venue, "curve", ARB_TRADE_FILLED, 1);

      arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
      /* a second trade of a known pair still lands on its own row */
      if (i == n - 1)
        {
          t.pair = (char *) "P000/USDC";
          t.buy_venue = (char *) "venue000";
          arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
        }
    }
  /* a bot calling a pair "(other)" shares the overflow row */
  {
    ArbTrade t = make_trade (ARB_LEDGER_OTHER, ARB_LEDGER_OTHER, ARB_LEDGER_OTHER,
                             ARB_TRADE_FAILED, -0.5);

    arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
    /* the bound is per bot */
    t = make_trade ("P299/USDC", "venue299", "curve", ARB_TRADE_FILLED, 1);
    arb_ledger_add_trade (ledger, "b2", T0, &t, T0);
  }

  s = arb_ledger_get_summary (ledger, ARB_WINDOW_24H, "b1", T0);
  g_assert_cmpuint (s->pairs->len, ==, ARB_LEDGER_MAX_PAIRS + 1);
  g_assert_cmpuint (s->venue_pairs->len, ==, ARB_LEDGER_MAX_PAIRS + 1);
  other = find_row (s->pairs, ARB_LEDGER_OTHER);
  g_assert_nonnull (other);
  g_assert_cmpuint (other->trades, ==, 45);
  g_assert_cmpfloat (other->net_profit, ==, 43.5);
  g_assert_null (other->buy_venue);
  g_assert_cmpuint (find_row (s->pairs, "P000/USDC")->trades, ==, 2);
  g_assert_null (find_row (s->pairs, "P299/USDC"));
  other = find_row (s->venue_pairs, ARB_LEDGER_OTHER);
  g_assert_nonnull (other);
  g_assert_cmpuint (other->trades, ==, 45);
  g_assert_cmpstr (other->buy_venue, ==, ARB_LEDGER_OTHER);
  g_assert_cmpstr (other->sell_venue, ==, ARB_LEDGER_OTHER);
  g_assert_cmpuint (find_row (s->venue_pairs, "venue000->curve")->trades, ==, 2);

  other_bot = arb_ledger_get_summary (ledger, ARB_WINDOW_24H, "b2", T0);
  g_assert_nonnull (find_row (other_bot->pairs, "P299/USDC"));

  /* merging keeps the bound and carries the overflow row over */
  arb_ledger_merge (merged, ledger);
  m = arb_ledger_get_summary (merged, ARB_WINDOW_ALL, "b1", T0);
  g_assert_cmpuint (m->pairs->len, ==, ARB_LEDGER_MAX_PAIRS + 1);
  g_assert_cmpuint (find_row (m->pairs, ARB_LEDGER_OTHER)->trades, ==, 45);
  g_assert_cmpuint (find_row (m->venue_pairs, ARB_LEDGER_OTHER)->trades, ==, 45);
}

static void
test_today (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GTimeZone) plus5 = g_time_zone_new_offset (5 * 3600);
  /* T0 is 22:13:20 UTC, so 03:13:20 the next day at +05:00 */
  gint64 utc_midnight = T0 - (22 * 3600 + 13 * 60 + 20) * G_GINT64_CONSTANT (1000);
  gint64 plus5_midnight = utc_midnight + 19 * HOUR_MS;

  add (ledger, "b1", utc_midnight - 1, ARB_TRADE_FILLED, 1, T0);
  add (ledger, "b1", utc_midnight, ARB_TRADE_FILLED, 2, T0);
  add (ledger, "b1", plus5_midnight - 1, ARB_TRADE_FILLED, 4, T0);
  add (ledger, "b1", plus5_midnight, ARB_TRADE_FILLED, 8, T0);
  add (ledger, "b1", T0, ARB_TRADE_FILLED, 16, T0);

  g_assert_cmpfloat (arb_ledger_get_profit_today (ledger, "b1", T0, utc), ==, 2 + 4 + 8 + 16);
  g_assert_cmpfloat (arb_ledger_get_profit_today (ledger, NULL, T0, plus5), ==, 8 + 16);
  g_assert_cmpfloat (arb_ledger_get_profit_today (ledger, "other", T0, utc), ==, 0);
  /* the local zone: whatever it is, the result is one of the day's partial sums */
  {
    double local = arb_ledger_get_profit_today (ledger, "b1", T0, NULL);

    g_assert_cmpfloat (local, >=, 16);
    g_assert_cmpfloat (local, <=, 31);
  }
}

static void
test_json_shape (void)
{
  g_autoptr(ArbLedger) ledger = arb_ledger_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_FILLED, 1.25);
  const char *members[] = { "window", "bot_id", "from", "to", "net_profit", "trades",
                            "success_rate", "gas", "fees", "pairs", "venue_pairs",
                            "opportunities", "latency_ms", "trades_per_minute" };
  JsonObject *o;
  JsonObject *latency;
  GList *names;

  t.latency_ms = 800;
  t.gas_used = 100000;
  t.gas_cost = 2.5;
  arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
  add_opportunity (ledger, "b1", T0, TRUE, T0);

  node = arb_ledger_summary_json (ledger, ARB_WINDOW_7D, NULL, T0);
  text = to_string (node);
  /* what a client sees: parse the text back */
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));

  names = json_object_get_members (o);
  g_assert_cmpuint (g_list_length (names), ==, G_N_ELEMENTS (members));
  g_list_free (names);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (o, members[i]));

  g_assert_cmpstr (json_object_get_string_member (o, "window"), ==, "7d");
  g_assert_true (json_object_get_null_member (o, "bot_id"));
  g_assert_cmpint (json_object_get_int_member (o, "to"), ==, T0);
  g_assert_cmpint (json_object_get_int_member (o, "from"), ==,
                   (T0 / HOUR_MS - 167) * HOUR_MS);
  g_assert_cmpfloat (json_object_get_double_member (o, "net_profit"), ==, 1.25);
  g_assert_cmpfloat (json_object_get_double_member (o, "success_rate"), ==, 1.0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "total"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "filled"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "trades"),
                                               "failed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "gas"),
                                               "used"), ==, 100000);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o,
                                                                              "opportunities"),
                                               "taken"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o,
                                                                              "opportunities"),
                                               "seen"), ==, 1);
  latency = json_object_get_object_member (o, "latency_ms");
  g_assert_nonnull (latency);
  g_assert_cmpuint (json_object_get_size (latency), ==, 3);
  g_assert_cmpfloat (fabs (json_object_get_double_member (latency, "p90") - 800) / 800, <=,
                     ARB_LEDGER_LATENCY_REL_ERROR);
  g_assert_true (json_object_has_member (latency, "p50"));
  g_assert_true (json_object_has_member (latency, "p99"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "pairs")), ==, 1);
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (
                      json_object_get_array_member (o, "pairs"), 0)), ==, 3);
  g_assert_cmpuint (json_object_get_size (json_array_get_object_element (
                      json_object_get_array_member (o, "venue_pairs"), 0)), ==, 4);
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "trades_per_minute")));
}

static void
test_invalid (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ArbLedger) ledger = arb_ledger_new ();
      ArbTrade t = make_trade ("WETH/USDC", "uniswap", "curve", ARB_TRADE_N_STATUS, 1);

      arb_ledger_add_trade (ledger, "b1", T0, &t, T0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*status*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/ledger/window-names", test_window_names);
  g_test_add_func ("/arb/ledger/arithmetic", test_arithmetic);
  g_test_add_func ("/arb/ledger/saturation", test_saturation);
  g_test_add_func ("/arb/ledger/gas-fees", test_gas_fees);
  g_test_add_func ("/arb/ledger/pairs", test_pairs);
  g_test_add_func ("/arb/ledger/windows", test_windows);
  g_test_add_func ("/arb/ledger/window-edges", test_window_edges);
  g_test_add_func ("/arb/ledger/trades-per-minute", test_trades_per_minute);
  g_test_add_func ("/arb/ledger/opportunities", test_opportunities);
  g_test_add_func ("/arb/ledger/pruning", test_pruning);
  g_test_add_func ("/arb/ledger/percentiles", test_percentiles);
  g_test_add_func ("/arb/ledger/percentile-extremes", test_percentile_extremes);
  g_test_add_func ("/arb/ledger/merge", test_merge);
  g_test_add_func ("/arb/ledger/per-bot", test_per_bot);
  g_test_add_func ("/arb/ledger/pair-bound", test_pair_bound);
  g_test_add_func ("/arb/ledger/today", test_today);
  g_test_add_func ("/arb/ledger/json-shape", test_json_shape);
  g_test_add_func ("/arb/ledger/invalid", test_invalid);

  return g_test_run ();
}
