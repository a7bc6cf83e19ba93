/* arb-demo-bot.c: a simulated arbitrage bot that speaks protocol v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bot is a small discrete-event simulation. Every kind of activity has
 * its next due time in simulated milliseconds; arb_demo_bot_step() runs them
 * in time order up to "now", so the output depends only on the seed and on
 * the commands received, never on how finely the caller steps the clock.
 * When started, one GLib timeout armed for the next due time drives it from
 * the wall clock.
 *
 * "speed" compresses market time: opportunities, trades, logs and gas spikes
 * come that much faster, while the telemetry cadence (heartbeats, resources
 * and metrics) stays at wall-clock rate, as the dashboard expects.
 */
#define G_LOG_DOMAIN "arb-demo-bot"

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "arb-demo-bot.h"
#include "arb-event.h"

#define DEFAULT_BOT_ID           "demo"
#define DEFAULT_HEARTBEAT_MS     5000
#define TELEMETRY_INTERVAL_MS    1000
#define OPPORTUNITY_MEAN_MS      3000.0        /* 20 a minute at speed 1 */
#define LOG_MEAN_MS              30000.0
#define SPIKE_MEAN_MS            (10 * 60 * 1000.0)
#define CATCH_UP_LIMIT_MS        5000
#define MAX_IN_FLIGHT            3
#define MIN_PROFIT_USD           1.0
#define MIN_MARGIN_BPS           2.0
#define GAS_CEILING_GWEI         120.0
#define POOL_SIZE                16
#define CACHE_CAPACITY           20000
#define BASE_RSS_BYTES           (150.0 * 1024 * 1024)


static const char *const commands[] = { "pause", "resume", "stop", NULL };

typedef struct
{
  gint64          due_ms;
  gint64          opportunity_seq;   /* names the trade, unique per bot across restarts */
  guint           pair;
  guint           buy_venue;
  guint           sell_venue;
  double          notional;          /* USD */
  double          spread_bps;
  double          price;             /* of the base token at detection */
  double          native_price;      /* of the gas token at detection */
  double          gas_gwei;
  guint           gas_estimate;
  guint           latency_ms;
  ArbTradeStatus  outcome;           /* decided up front so pending_txs counts sent ones */
  const char     *failure;
} PendingTrade;

typedef struct
{
  gint64  due_ms;
  char   *id;
  char   *name;
} PendingCommand;

struct _ArbDemoBot
{
  GObject             parent_instance;

  char               *bot_id;
  guint32             seed;
  double              speed;
  guint               heartbeat_interval_ms;
  ArbBotRunState      state;
  gint64              next_seq;

  ArbDemoBotSendFunc  send_func;
  gpointer            send_data;
  GDestroyNotify      send_destroy;

  GRand              *rand;
  GMainContext       *context;
  GSource            *timer;
  gboolean            started;

  /* Simulated clock and the next due time of each periodic activity. */
  gboolean            clock_set;
  gint64              now_ms;
  gint64              next_heartbeat_ms;
  gint64              next_telemetry_ms;
  gint64              next_opportunity_ms;
  gint64              next_log_ms;
  gint64              next_spike_ms;
  GQueue              trades;        /* PendingTrade, by due time */
  GQueue              commands;      /* PendingCommand, by due time */

  ArbMarket           market;
  double              rpc_ms[ARB_N_VENUES];

  /* Resources: cumulative counters only ever grow. */
  guint64             tasks_completed;
  guint64             tasks_failed;
  guint64             cache_entries;
  guint64             cache_hits;
  guint64             cache_misses;
  guint64             cache_evictions;
  double              heap_bytes;
  double              rss_bytes;
};

G_DEFINE_FINAL_TYPE (ArbDemoBot, arb_demo_bot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BOT_ID,
  PROP_SEED,
  PROP_SPEED,
  PROP_HEARTBEAT_INTERVAL_MS,
  PROP_STATE,
  PROP_NEXT_SEQ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void rearm (ArbDemoBot *self);

/* ------------------------------------------------------------------ random */

static double
uniform (ArbDemoBot *self, double lo, double hi)
{
  return g_rand_double_range (self->rand, lo, hi);
}

static gboolean
chance (ArbDemoBot *self, double p)
{
  return g_rand_double (self->rand) < p;
}

static double
gaussian (ArbDemoBot *self)
{
  return arb_market_gaussian (self->rand);
}

/* Waiting time of a Poisson process, at least 1 ms so time always moves. */
static gint64
exponential_ms (ArbDemoBot *self, double mean_ms)
{
  double u = 1.0 - g_rand_double (self->rand);

  return MAX (1, (gint64) (-log (u) * mean_ms));
}

static double
round_to (double value, double step)
{
  return round (value / step) * step;
}

/* ------------------------------------------------------------------ output */

static void
send_object (ArbDemoBot *self,
             JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  if (self->send_func != NULL)
    self->send_func (node, self->send_data);
}

/* An event takes the next seq at once, so every one made must be sent. */
static JsonObject *
event_new (ArbDemoBot *self,
           const char *type)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", type);
  json_object_set_int_member (object, "seq", self->next_seq++);
  json_object_set_int_member (object, "ts", self->now_ms);
  return object;
}

static void
send_heartbeat (ArbDemoBot *self)
{
  JsonObject *object = event_new (self, "heartbeat");

  json_object_set_string_member (object, "state", arb_bot_run_state_name (self->state));
  if (self->state == ARB_BOT_PAUSED)
    json_object_set_string_member (object, "message", "paused by operator");
  else if (self->state == ARB_BOT_STOPPED)
    json_object_set_string_member (object, "message", "stopped by operator");
  send_object (self, object);
}

G_GNUC_PRINTF (4, 5)
static void
send_log (ArbDemoBot  *self,
          ArbLogLevel  level,
          const char  *component,
          const char  *format,
          ...)
{
  JsonObject *object = event_new (self, "log");
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  json_object_set_string_member (object, "level", arb_log_level_name (level));
  json_object_set_string_member (object, "message", message);
  json_object_set_string_member (object, "component", component);
  send_object (self, object);
}

static void
send_metric (ArbDemoBot *self,
             const char *name,
             double      value,
             const char *unit)
{
  JsonObject *object = event_new (self, "metric");

  json_object_set_string_member (object, "name", name);
  json_object_set_double_member (object, "value", value);
  if (unit != NULL)
    json_object_set_string_member (object, "unit", unit);
  send_object (self, object);
}

/* ------------------------------------------------------------------ market */

static void
market_tick (ArbDemoBot *self)
{
  double dt_s = TELEMETRY_INTERVAL_MS / 1000.0 * self->speed;
  double eth_gwei;

  switch (arb_market_tick (&self->market, self->rand, dt_s, self->now_ms))
    {
    case ARB_MARKET_GAS_HIGH:
      eth_gwei = self->market.gas_gwei[ARB_CHAIN_ETHEREUM];
      send_log (self, ARB_LOG_WARNING, "gas", "gas price spike on ethereum: %.1f gwei", eth_gwei);
      break;
    case ARB_MARKET_GAS_NORMAL:
      eth_gwei = self->market.gas_gwei[ARB_CHAIN_ETHEREUM];
      send_log (self, ARB_LOG_INFO, "gas", "gas price on ethereum back to %.1f gwei", eth_gwei);
      break;
    case ARB_MARKET_GAS_SAME:
    default:
      break;
    }
}

static void
start_spike (ArbDemoBot *self)
{
  gint64 end_ms = arb_market_start_spike (&self->market, self->rand, self->now_ms, self->speed,
                                          TELEMETRY_INTERVAL_MS * 3);

  self->next_spike_ms = end_ms + exponential_ms (self, SPIKE_MEAN_MS / self->speed);
}

/* ------------------------------------------------------------------ trades */

static gint
compare_trades (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  /* <= keeps equal due times in insertion order. */
  return ((const PendingTrade *) a)->due_ms <= ((const PendingTrade *) b)->due_ms ? -1 : 1;
}

static gint
compare_commands (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return ((const PendingCommand *) a)->due_ms <= ((const PendingCommand *) b)->due_ms ? -1 : 1;
}

static void
pending_command_free (PendingCommand *command)
{
  g_free (command->id);
  g_free (command->name);
  g_free (command);
}

static guint
in_flight (ArbDemoBot *self,
           gboolean    sent_only)
{
  guint n = 0;

  for (GList *l = self->trades.head; l != NULL; l = l->next)
    if (!sent_only || ((PendingTrade *) l->data)->outcome != ARB_TRADE_FAILED)
      n++;
  return n;
}

static void
take_opportunity (ArbDemoBot *self,
                  gint64      opportunity_seq,
                  guint       pair,
                  guint       buy_venue,
                  guint       sell_venue,
                  double      notional,
                  double      spread_bps,
                  guint       gas_estimate)
{
  ArbChain chain = arb_pairs[pair].chain;
  PendingTrade *trade = g_new0 (PendingTrade, 1);
  double revert_chance = self->market.gas_high ? 0.25 : 0.09;

  trade->opportunity_seq = opportunity_seq;
  trade->pair = pair;
  trade->buy_venue = buy_venue;
  trade->sell_venue = sell_venue;
  trade->notional = notional;
  trade->spread_bps = spread_bps;
  trade->price = self->market.price[pair];
  trade->native_price = arb_market_native_price (&self->market, chain);
  trade->gas_estimate = gas_estimate;
  /* A priority tip on top of the base fee, to land in the next block. */
  trade->gas_gwei = self->market.gas_gwei[chain] * (chain == ARB_CHAIN_ETHEREUM ? 1.0 : 1.1) +
                    (chain == ARB_CHAIN_ETHEREUM ? uniform (self, 0.5, 3.0) : 0.0);

  if (chance (self, 0.08))
    {
      static const char *const failures[] = {
        "slippage exceeded", "quote expired", "nonce too low", "simulation failed",
      };
      trade->outcome = ARB_TRADE_FAILED;
      trade->failure = failures[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (failures))];
      trade->latency_ms = (guint) uniform (self, 80.0, 600.0);
    }
  else
    {
      trade->outcome = chance (self, revert_chance) ? ARB_TRADE_REVERTED : ARB_TRADE_FILLED;
      trade->latency_ms = (guint) uniform (self, arb_chains[chain].inclusion_min_ms,
                                           arb_chains[chain].inclusion_max_ms);
      /* Now and then the transaction misses its block and waits for the next. */
      if (chain == ARB_CHAIN_ETHEREUM && chance (self, 0.1))
        trade->latency_ms += 12000;
    }
  trade->due_ms = self->now_ms + MAX (1, (gint64) (trade->latency_ms / self->speed));
  g_queue_insert_sorted (&self->trades, trade, compare_trades, NULL);
}

static void
settle_trade (ArbDemoBot   *self,
              PendingTrade *trade)
{
  const ArbPairInfo *pair = &arb_pairs[trade->pair];
  const ArbChainInfo *chain = &arb_chains[pair->chain];
  JsonObject *object = event_new (self, "trade");
  g_autofree char *id = g_strdup_printf ("trade-%" G_GINT64_FORMAT, trade->opportunity_seq);
  g_autofree char *amount_in = NULL;
  g_autofree char *tx_hash = NULL;
  double tokens_in = trade->notional / trade->price;
  double fee_bps = arb_venues[trade->buy_venue].fee_bps + arb_venues[trade->sell_venue].fee_bps;
  double gas_used = 0, gas_cost = 0, fees = 0, profit = 0;

  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "pair", pair->name);
  json_object_set_string_member (object, "buy_venue", arb_venues[trade->buy_venue].name);
  json_object_set_string_member (object, "sell_venue", arb_venues[trade->sell_venue].name);
  json_object_set_string_member (object, "status", arb_trade_status_name (trade->outcome));
  json_object_set_string_member (object, "chain", chain->name);
  amount_in = arb_market_token_amount (self->rand, tokens_in, pair->decimals);
  json_object_set_string_member (object, "amount_in", amount_in);

  if (trade->outcome != ARB_TRADE_FAILED)
    {
      tx_hash = arb_market_random_hex (self->rand, 64);
      gas_used = trade->gas_estimate * (trade->outcome == ARB_TRADE_REVERTED ?
                                        uniform (self, 0.3, 0.6) : uniform (self, 0.85, 1.0));
      gas_used = round (gas_used);
      gas_cost = gas_used * trade->gas_gwei * 1e-9 * trade->native_price;
    }

  if (trade->outcome == ARB_TRADE_FILLED)
    {
      /* The spread shrinks while the transaction waits, so some fills lose. */
      double realized_bps = trade->spread_bps * uniform (self, 0.6, 1.05);
      double swap_usd = trade->notional * (realized_bps - fee_bps) / 1e4;
      g_autofree char *amount_out = arb_market_token_amount (self->rand,
                                                             (trade->notional + swap_usd) /
                                                             trade->price, pair->decimals);

      fees = trade->notional * fee_bps / 1e4;
      profit = swap_usd - gas_cost;
      json_object_set_string_member (object, "amount_out", amount_out);
    }
  else if (trade->outcome == ARB_TRADE_REVERTED)
    profit = -gas_cost;

  json_object_set_double_member (object, "profit", round_to (profit, 1e-4));
  json_object_set_int_member (object, "gas_used", (gint64) gas_used);
  json_object_set_double_member (object, "gas_price_gwei", round_to (trade->gas_gwei, 1e-4));
  json_object_set_double_member (object, "gas_cost", round_to (gas_cost, 1e-4));
  json_object_set_double_member (object, "fees", round_to (fees, 1e-4));
  json_object_set_int_member (object, "latency_ms", trade->latency_ms);
  if (tx_hash != NULL)
    json_object_set_string_member (object, "tx_hash", tx_hash);
  send_object (self, object);

  switch (trade->outcome)
    {
    case ARB_TRADE_FILLED:
      send_log (self, ARB_LOG_INFO, "executor",
                "%s filled: %s buy on %s, sell on %s, net %+.2f USD (tx %.12s...)", id,
                pair->name, arb_venues[trade->buy_venue].name, arb_venues[trade->sell_venue].name,
                profit, tx_hash);
      break;
    case ARB_TRADE_REVERTED:
      send_log (self, ARB_LOG_WARNING, "executor",
                "%s reverted on %s: execution reverted: insufficient output amount; "
                "lost %.2f USD of gas (tx %.12s...)", id, chain->name, gas_cost, tx_hash);
      break;
    case ARB_TRADE_FAILED:
    case ARB_TRADE_N_STATUS:
    default:
      send_log (self, ARB_LOG_WARNING, "executor", "%s not sent: %s", id, trade->failure);
      break;
    }
}

/* ----------------------------------------------------------- opportunities */

static const char *
decide (ArbDemoBot *self,
        ArbChain       chain,
        double      net_bps,
        double      notional,
        double      expected_profit)
{
  if (self->state == ARB_BOT_PAUSED)
    return "paused";
  if (net_bps < MIN_MARGIN_BPS || notional * net_bps / 1e4 < MIN_PROFIT_USD)
    return "spread below threshold";
  if (self->market.gas_gwei[chain] > GAS_CEILING_GWEI || expected_profit < MIN_PROFIT_USD)
    return "gas too high";
  /* Bigger trades find thin pools more often. */
  if (chance (self, 0.04 + 0.06 * notional / arb_chains[chain].notional_max))
    return "insufficient liquidity";
  if (in_flight (self, FALSE) >= MAX_IN_FLIGHT)
    return "max concurrent trades";
  return NULL;
}

static void
scan_opportunity (ArbDemoBot *self)
{
  guint p = arb_market_pick_pair (self->rand);
  const ArbPairInfo *pair = &arb_pairs[p];
  ArbChain chain = pair->chain;
  guint i = g_rand_int_range (self->rand, 0, pair->n_venues);
  guint j = (i + g_rand_int_range (self->rand, 1, pair->n_venues)) % pair->n_venues;
  guint a = pair->venues[i], b = pair->venues[j];
  /* A swap elsewhere just moved one pool away from the others. */
  double dislocation = -log (1.0 - g_rand_double (self->rand)) * 12.0;
  double diff = self->market.deviation_bps[p][a] +
                (chance (self, 0.5) ? dislocation : -dislocation) -
                self->market.deviation_bps[p][b];
  guint buy = diff < 0 ? a : b, sell = diff < 0 ? b : a;
  double spread_bps = round_to (fabs (diff), 0.01);
  double notional = arb_chains[chain].notional_min *
                    pow (arb_chains[chain].notional_max / arb_chains[chain].notional_min,
                         g_rand_double (self->rand));
  double net_bps = spread_bps - arb_venues[buy].fee_bps - arb_venues[sell].fee_bps;
  guint gas_estimate = g_rand_int_range (self->rand, arb_chains[chain].gas_min,
                                         arb_chains[chain].gas_max);
  double gas_cost = gas_estimate * self->market.gas_gwei[chain] * 1e-9 *
                    arb_market_native_price (&self->market, chain);
  double expected_profit = round_to (notional * net_bps / 1e4 - gas_cost, 1e-4);
  const char *reason = decide (self, chain, net_bps, notional, expected_profit);
  gint64 seq = self->next_seq;
  JsonObject *object = event_new (self, "opportunity");

  json_object_set_string_member (object, "pair", pair->name);
  json_object_set_string_member (object, "buy_venue", arb_venues[buy].name);
  json_object_set_string_member (object, "sell_venue", arb_venues[sell].name);
  json_object_set_double_member (object, "spread_bps", spread_bps);
  json_object_set_double_member (object, "expected_profit", expected_profit);
  json_object_set_boolean_member (object, "taken", reason == NULL);
  if (reason != NULL)
    json_object_set_string_member (object, "reason", reason);
  send_object (self, object);

  if (reason == NULL)
    take_opportunity (self, seq, p, buy, sell, notional, spread_bps, gas_estimate);
}

/* --------------------------------------------------------------- telemetry */

static void
send_resources (ArbDemoBot *self)
{
  JsonObject *object = event_new (self, "resources");
  JsonObject *pool = json_object_new ();
  JsonObject *tasks = json_object_new ();
  JsonObject *memory = json_object_new ();
  JsonObject *cache = json_object_new ();
  gboolean active = self->state != ARB_BOT_STOPPED;
  double load = active ? 3.0 + 2.5 * in_flight (self, FALSE) : 1.0;
  /* Drawn outside CLAMP and MAX, which evaluate their arguments twice. */
  gint64 in_use = (gint64) round (load + 1.5 * gaussian (self));
  gint64 queued = (gint64) round (2.0 + 2.0 * gaussian (self));
  gint64 waiting;
  guint64 new_entries;

  in_use = CLAMP (in_use, 0, POOL_SIZE);
  waiting = in_use == POOL_SIZE ? g_rand_int_range (self->rand, 1, 6) : 0;
  queued = MAX (0, queued) + 2 * waiting;

  /* Quote fetches and pool refreshes; far fewer once the scanner stops. */
  self->tasks_completed += active ? g_rand_int_range (self->rand, 30, 70) :
                                    g_rand_int_range (self->rand, 2, 6);
  if (chance (self, 0.05))
    self->tasks_failed += g_rand_int_range (self->rand, 1, 4);
  self->cache_hits += active ? g_rand_int_range (self->rand, 200, 400) :
                               g_rand_int_range (self->rand, 0, 10);
  new_entries = active ? g_rand_int_range (self->rand, 10, 40) : 0;
  self->cache_misses += new_entries;
  self->cache_entries += new_entries;
  if (self->cache_entries > CACHE_CAPACITY)
    {
      self->cache_evictions += self->cache_entries - CACHE_CAPACITY;
      self->cache_entries = CACHE_CAPACITY;
    }
  /* The heap grows until the allocator trims it, a saw-tooth. */
  self->heap_bytes += uniform (self, 20e3, 120e3);
  if (self->heap_bytes > 96e6 || chance (self, 0.01))
    self->heap_bytes = uniform (self, 40e6, 50e6);
  self->rss_bytes = BASE_RSS_BYTES + self->heap_bytes + self->cache_entries * 640.0 +
                    uniform (self, 0, 2e6);

  json_object_set_int_member (pool, "size", POOL_SIZE);
  json_object_set_int_member (pool, "in_use", in_use);
  json_object_set_int_member (pool, "waiting", waiting);
  json_object_set_int_member (tasks, "running", in_use);
  json_object_set_int_member (tasks, "queued", queued);
  json_object_set_int_member (tasks, "completed", self->tasks_completed);
  json_object_set_int_member (tasks, "failed", self->tasks_failed);
  json_object_set_int_member (memory, "rss_bytes", (gint64) self->rss_bytes);
  json_object_set_int_member (memory, "heap_bytes", (gint64) self->heap_bytes);
  json_object_set_int_member (cache, "entries", self->cache_entries);
  json_object_set_int_member (cache, "bytes", self->cache_entries * 640);
  json_object_set_int_member (cache, "hits", self->cache_hits);
  json_object_set_int_member (cache, "misses", self->cache_misses);
  json_object_set_int_member (cache, "evictions", self->cache_evictions);
  json_object_set_object_member (object, "pool", pool);
  json_object_set_object_member (object, "tasks", tasks);
  json_object_set_object_member (object, "memory", memory);
  json_object_set_object_member (object, "cache", cache);
  send_object (self, object);
}

static void
send_metrics (ArbDemoBot *self)
{
  double lag_draw = g_rand_double (self->rand);
  gint64 block_lag = lag_draw < 0.85 ? 0 : lag_draw < 0.97 ? 1 : lag_draw < 0.995 ? 2 : 4;

  for (guint v = 0; v < ARB_N_VENUES; v++)
    {
      g_autofree char *name = g_strdup_printf ("rpc_latency_ms.%s", arb_venues[v].name);

      self->rpc_ms[v] = arb_venues[v].rpc_ms * exp (0.25 * gaussian (self));
      /* Now and then a node stalls. */
      if (chance (self, 0.004))
        self->rpc_ms[v] *= uniform (self, 5.0, 15.0);
      send_metric (self, name, round_to (self->rpc_ms[v], 0.1), "ms");
    }
  send_metric (self, "block_lag", block_lag, "blocks");
  send_metric (self, "gas_price_gwei",
               round_to (self->market.gas_gwei[ARB_CHAIN_ETHEREUM], 1e-3), "gwei");
  send_metric (self, "pending_txs", in_flight (self, TRUE), NULL);
}

static void
send_ambient_log (ArbDemoBot *self)
{
  guint v = g_rand_int_range (self->rand, 0, ARB_N_VENUES);
  double r = g_rand_double (self->rand);
  gboolean scanning = self->state != ARB_BOT_STOPPED;

  if (r < 0.45 && scanning)
    send_log (self, ARB_LOG_INFO, "scanner", "scanned %d pools on %d venues in %d ms",
              g_rand_int_range (self->rand, 380, 460), ARB_N_VENUES,
              g_rand_int_range (self->rand, 40, 160));
  else if (r < 0.70)
    send_log (self, ARB_LOG_DEBUG, "rpc", "refreshed reserves of %d pools from %s",
              g_rand_int_range (self->rand, 20, 90), arb_venues[v].name);
  else if (r < 0.85)
    send_log (self, ARB_LOG_WARNING, "rpc", "%s RPC slow: %.0f ms", arb_venues[v].name,
              self->rpc_ms[v] * uniform (self, 4.0, 10.0));
  else if (r < 0.96)
    send_log (self, ARB_LOG_ERROR, "rpc", "request to %s RPC timed out after 3000 ms; retrying",
              arb_venues[v].name);
  else if (r < 0.99)
    send_log (self, ARB_LOG_ERROR, "executor", "nonce gap detected on %s; resyncing",
              arb_chains[g_rand_int_range (self->rand, 0, ARB_N_CHAINS)].name);
  else
    send_log (self, ARB_LOG_CRITICAL, "rpc", "all %s endpoints failing; using fallback provider",
              arb_chains[g_rand_int_range (self->rand, 0, ARB_N_CHAINS)].name);
}

/* ---------------------------------------------------------------- commands */

static void
set_state (ArbDemoBot     *self,
           ArbBotRunState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
run_command (ArbDemoBot     *self,
             PendingCommand *command)
{
  ArbBotRunState old_state = self->state;
  JsonObject *result = json_object_new ();
  g_autofree char *message = NULL;
  gboolean ok = TRUE;

  if (g_str_equal (command->name, "pause"))
    {
      if (self->state == ARB_BOT_STOPPED)
        {
          ok = FALSE;
          message = g_strdup ("cannot pause: the bot is stopped (resume starts it)");
        }
      else
        {
          message = g_strdup (self->state == ARB_BOT_PAUSED ? "already paused" : "paused");
          set_state (self, ARB_BOT_PAUSED);
        }
    }
  else if (g_str_equal (command->name, "resume"))
    {
      message = g_strdup (self->state == ARB_BOT_RUNNING ? "already running" : "resumed");
      set_state (self, ARB_BOT_RUNNING);
    }
  else if (g_str_equal (command->name, "stop"))
    {
      message = g_strdup (self->state == ARB_BOT_STOPPED ? "already stopped" :
                          "stopped; trades in flight will still settle");
      set_state (self, ARB_BOT_STOPPED);
    }
  else
    {
      ok = FALSE;
      message = g_strdup_printf ("unknown command \"%.64s\"; this bot takes pause, resume and stop",
                                 command->name);
    }

  json_object_set_string_member (result, "type", "command_result");
  json_object_set_string_member (result, "id", command->id);
  json_object_set_boolean_member (result, "ok", ok);
  json_object_set_string_member (result, "message", message);
  send_object (self, result);

  if (self->state != old_state)
    {
      send_log (self, ARB_LOG_INFO, "control", "%s by operator (command %s)",
                arb_bot_run_state_name (self->state), command->id);
      /* Tell the dashboard at once rather than at the next beat. */
      send_heartbeat (self);
      self->next_heartbeat_ms = self->now_ms + self->heartbeat_interval_ms;
    }
}

/* ------------------------------------------------------------------ engine */

typedef enum
{
  DUE_COMMAND,
  DUE_HEARTBEAT,
  DUE_TELEMETRY,
  DUE_TRADE,
  DUE_SPIKE,
  DUE_OPPORTUNITY,
  DUE_LOG,
  N_DUE
} Due;

/* The earliest activity; ties go in the order of Due, which fixes the
 * order of events that fall on the same millisecond. */
static Due
next_due (ArbDemoBot *self,
          gint64     *due_ms)
{
  gint64 times[N_DUE] = {
    [DUE_COMMAND] = self->commands.head ?
                    ((PendingCommand *) self->commands.head->data)->due_ms : G_MAXINT64,
    [DUE_HEARTBEAT] = self->next_heartbeat_ms,
    [DUE_TELEMETRY] = self->next_telemetry_ms,
    [DUE_TRADE] = self->trades.head ?
                  ((PendingTrade *) self->trades.head->data)->due_ms : G_MAXINT64,
    [DUE_SPIKE] = self->next_spike_ms,
    [DUE_OPPORTUNITY] = self->next_opportunity_ms,
    [DUE_LOG] = self->next_log_ms,
  };
  Due best = DUE_COMMAND;

  for (guint d = 1; d < N_DUE; d++)
    if (times[d] < times[best])
      best = d;
  *due_ms = times[best];
  return best;
}

static void
run_due (ArbDemoBot *self,
         Due         due)
{
  switch (due)
    {
    case DUE_COMMAND:
      {
        PendingCommand *command = g_queue_pop_head (&self->commands);
        run_command (self, command);
        pending_command_free (command);
      }
      break;
    case DUE_HEARTBEAT:
      send_heartbeat (self);
      self->next_heartbeat_ms += self->heartbeat_interval_ms;
      break;
    case DUE_TELEMETRY:
      market_tick (self);
      send_resources (self);
      send_metrics (self);
      self->next_telemetry_ms += TELEMETRY_INTERVAL_MS;
      break;
    case DUE_TRADE:
      {
        PendingTrade *trade = g_queue_pop_head (&self->trades);
        settle_trade (self, trade);
        g_free (trade);
      }
      break;
    case DUE_SPIKE:
      start_spike (self);
      break;
    case DUE_OPPORTUNITY:
      /* A stopped bot does not scan; the clock of arrivals runs on anyway. */
      if (self->state != ARB_BOT_STOPPED)
        scan_opportunity (self);
      self->next_opportunity_ms += exponential_ms (self, OPPORTUNITY_MEAN_MS / self->speed);
      break;
    case DUE_LOG:
      send_ambient_log (self);
      self->next_log_ms += exponential_ms (self, LOG_MEAN_MS / self->speed);
      break;
    case N_DUE:
    default:
      g_assert_not_reached ();
    }
}

static void
init_clock (ArbDemoBot *self,
            gint64      now_ms)
{
  self->clock_set = TRUE;
  self->now_ms = now_ms;
  self->next_heartbeat_ms = now_ms;
  self->next_telemetry_ms = now_ms + TELEMETRY_INTERVAL_MS;
  self->next_opportunity_ms = now_ms + exponential_ms (self, OPPORTUNITY_MEAN_MS / self->speed);
  self->next_log_ms = now_ms + exponential_ms (self, LOG_MEAN_MS / self->speed);
  self->next_spike_ms = now_ms + exponential_ms (self, SPIKE_MEAN_MS / self->speed);
}

/* Moves the whole schedule, so time the bot spent stopped (or a suspended
 * machine) is skipped rather than replayed as a burst of events. */
static void
shift_clock (ArbDemoBot *self,
             gint64      now_ms)
{
  gint64 delta = now_ms - self->now_ms;

  self->now_ms = now_ms;
  self->next_heartbeat_ms += delta;
  self->next_telemetry_ms += delta;
  self->next_opportunity_ms += delta;
  self->next_log_ms += delta;
  self->next_spike_ms += delta;
  self->market.spike_start_ms += delta;
  self->market.spike_end_ms += delta;
  for (GList *l = self->trades.head; l != NULL; l = l->next)
    ((PendingTrade *) l->data)->due_ms += delta;
  for (GList *l = self->commands.head; l != NULL; l = l->next)
    ((PendingCommand *) l->data)->due_ms += delta;
}

static gint64
wall_clock_ms (void)
{
  return g_get_real_time () / 1000;
}

static gboolean
on_timer (gpointer user_data)
{
  ArbDemoBot *self = user_data;
  gint64 now_ms = wall_clock_ms ();

  /* The context destroys this source when we return; drop our reference. */
  g_clear_pointer (&self->timer, g_source_unref);
  /* The send function may drop the last reference to us. */
  g_object_ref (self);
  if (now_ms - self->now_ms > CATCH_UP_LIMIT_MS)
    shift_clock (self, now_ms - TELEMETRY_INTERVAL_MS);
  arb_demo_bot_step (self, now_ms);
  rearm (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
clear_timer (ArbDemoBot *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static void
rearm (ArbDemoBot *self)
{
  gint64 due_ms;
  gint64 delay_ms;

  clear_timer (self);
  if (!self->started)
    return;
  next_due (self, &due_ms);
  delay_ms = CLAMP (due_ms - wall_clock_ms (), 0, G_MAXUINT);
  self->timer = g_timeout_source_new ((guint) delay_ms);
  g_source_set_static_name (self->timer, "[arbdash] demo bot");
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_attach (self->timer, self->context);
}

/* ------------------------------------------------------------------ public */

/**
 * arb_demo_bot_new:
 * @bot_id: (nullable): the bot's id, an identifier of the protocol; %NULL for "demo"
 * @seed: seeds the simulation; the same seed and commands give the same messages
 *
 * Returns: (transfer full): a new, idle demo bot
 */
ArbDemoBot *
arb_demo_bot_new (const char *bot_id,
                  guint32     seed)
{
  g_return_val_if_fail (bot_id == NULL || arb_is_identifier (bot_id), NULL);

  return g_object_new (ARB_TYPE_DEMO_BOT,
                       "bot-id", bot_id != NULL ? bot_id : DEFAULT_BOT_ID,
                       "seed", seed,
                       NULL);
}

/**
 * arb_demo_bot_set_send_func:
 * @self: a bot
 * @func: (nullable) (scope notified): receives every message; %NULL drops them
 * @user_data: (closure): data for @func
 * @destroy: (nullable): frees @user_data when replaced or when the bot goes away
 *
 * Sets where the messages go. The simulation runs and spends its seq numbers
 * whether or not a function is set.
 */
void
arb_demo_bot_set_send_func (ArbDemoBot         *self,
                            ArbDemoBotSendFunc  func,
                            gpointer            user_data,
                            GDestroyNotify      destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (ARB_IS_DEMO_BOT (self));

  old_destroy = self->send_destroy;
  old_data = self->send_data;
  self->send_func = func;
  self->send_data = user_data;
  self->send_destroy = destroy;
  if (old_destroy != NULL)
    old_destroy (old_data);
}

/**
 * arb_demo_bot_hello:
 * @self: a bot
 *
 * Builds the bot's `hello` message, for a caller that sends it itself and
 * waits for the dashboard's `welcome` before starting the events.
 *
 * Returns: (transfer full): the hello message
 */
JsonNode *
arb_demo_bot_hello (ArbDemoBot *self)
{
  JsonObject *object;
  JsonArray *names;
  JsonNode *node;

  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), NULL);

  object = json_object_new ();
  names = json_array_new ();
  for (guint i = 0; commands[i] != NULL; i++)
    json_array_add_string_element (names, commands[i]);
  json_object_set_string_member (object, "type", "hello");
  json_object_set_string_member (object, "bot_id", self->bot_id);
  json_object_set_string_member (object, "name", "Demo bot (simulated)");
  json_object_set_string_member (object, "version", PACKAGE_VERSION);
  json_object_set_string_member (object, "strategy", "cross-dex spread");
  json_object_set_string_member (object, "quote", "USD");
  json_object_set_array_member (object, "commands", names);
  json_object_set_int_member (object, "pid", getpid ());
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/**
 * arb_demo_bot_start:
 * @self: a bot
 * @next_seq: the seq of the first event, at least 1
 *
 * Sends `hello`, then runs the simulation on the thread-default main context
 * from the wall clock, sending events numbered from @next_seq.
 */
void
arb_demo_bot_start (ArbDemoBot *self,
                    gint64      next_seq)
{
  arb_demo_bot_start_full (self, next_seq, TRUE);
}

/**
 * arb_demo_bot_start_full:
 * @self: a bot
 * @next_seq: the seq of the first event, at least 1: the `welcome`'s
 *   `last_seq` plus one when the dashboard said where to resume
 * @send_hello: whether to send `hello` first (%FALSE when the caller already did)
 *
 * Starts (or restarts) the timers on the thread-default main context. A
 * heartbeat goes out at once. Time spent stopped is skipped, not replayed.
 */
void
arb_demo_bot_start_full (ArbDemoBot *self,
                         gint64      next_seq,
                         gboolean    send_hello)
{
  gint64 now_ms;

  g_return_if_fail (ARB_IS_DEMO_BOT (self));
  g_return_if_fail (next_seq >= 1);

  g_object_ref (self);
  arb_demo_bot_stop (self);
  arb_demo_bot_set_next_seq (self, next_seq);
  if (send_hello)
    {
      g_autoptr(JsonNode) hello = arb_demo_bot_hello (self);
      if (self->send_func != NULL)
        self->send_func (hello, self->send_data);
    }

  now_ms = wall_clock_ms ();
  if (!self->clock_set)
    init_clock (self, now_ms);
  else
    shift_clock (self, now_ms);
  /* A new connection learns the state at once. */
  self->next_heartbeat_ms = now_ms;
  self->context = g_main_context_ref_thread_default ();
  self->started = TRUE;
  arb_demo_bot_step (self, now_ms);
  rearm (self);
  g_object_unref (self);
}

/**
 * arb_demo_bot_stop:
 * @self: a bot
 *
 * Stops the timers; nothing more is sent until the next start. This is not
 * the protocol's `stop` command, which a running bot answers.
 */
void
arb_demo_bot_stop (ArbDemoBot *self)
{
  g_return_if_fail (ARB_IS_DEMO_BOT (self));

  self->started = FALSE;
  clear_timer (self);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/**
 * arb_demo_bot_is_started:
 * @self: a bot
 *
 * Returns: whether the timers run
 */
gboolean
arb_demo_bot_is_started (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), FALSE);

  return self->started;
}

/**
 * arb_demo_bot_step:
 * @self: a bot
 * @now_ms: the simulated time, milliseconds since the Unix epoch
 *
 * Runs the simulation up to @now_ms, sending every event due by then with
 * its simulated time as `ts`. The first call sets the clock (and sends the
 * first heartbeat); a time before the clock does nothing.
 */
void
arb_demo_bot_step (ArbDemoBot *self,
                   gint64      now_ms)
{
  gint64 due_ms;

  g_return_if_fail (ARB_IS_DEMO_BOT (self));

  /* The send function may drop the last reference to us. */
  g_object_ref (self);
  if (!self->clock_set)
    init_clock (self, now_ms);
  for (Due due = next_due (self, &due_ms); due_ms <= now_ms; due = next_due (self, &due_ms))
    {
      self->now_ms = due_ms;
      run_due (self, due);
    }
  self->now_ms = MAX (self->now_ms, now_ms);
  g_object_unref (self);
}

/**
 * arb_demo_bot_handle_command:
 * @self: a bot
 * @id: the command's id, an identifier of the protocol
 * @name: the command's name: `pause`, `resume` or `stop`
 * @args: (nullable): the command's arguments (none are used)
 *
 * Takes a command from the dashboard. Its `command_result` follows after a
 * short simulated delay (50 to 300 ms): from the timers when started, else
 * from the arb_demo_bot_step() that reaches it. An unknown name is answered
 * with `ok` false.
 */
void
arb_demo_bot_handle_command (ArbDemoBot *self,
                             const char *id,
                             const char *name,
                             JsonObject *args)
{
  PendingCommand *command;

  g_return_if_fail (ARB_IS_DEMO_BOT (self));
  g_return_if_fail (id != NULL && arb_is_identifier (id));
  g_return_if_fail (name != NULL);

  if (!self->clock_set)
    init_clock (self, wall_clock_ms ());
  command = g_new0 (PendingCommand, 1);
  command->id = g_strdup (id);
  command->name = g_strdup (name);
  command->due_ms = self->now_ms + g_rand_int_range (self->rand, 50, 301);
  g_queue_insert_sorted (&self->commands, command, compare_commands, NULL);
  rearm (self);
}

const char *
arb_demo_bot_get_bot_id (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), NULL);

  return self->bot_id;
}

/**
 * arb_demo_bot_get_market:
 *
 * Returns: (transfer none): the simulated market the bot trades on, as of
 *   its last step
 */
const ArbMarket *
arb_demo_bot_get_market (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), NULL);

  return &self->market;
}

guint32
arb_demo_bot_get_seed (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), 0);

  return self->seed;
}

double
arb_demo_bot_get_speed (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), 1.0);

  return self->speed;
}

/**
 * arb_demo_bot_set_speed:
 * @self: a bot
 * @speed: how much faster than real time the market runs, 0.01 to 1000
 *
 * Scales the rate of opportunities, trades, logs and gas spikes (and the
 * wait for a trade to land); heartbeats, resources and metrics keep their
 * wall-clock cadence. Takes effect from the next scheduled activity.
 */
void
arb_demo_bot_set_speed (ArbDemoBot *self,
                        double      speed)
{
  g_return_if_fail (ARB_IS_DEMO_BOT (self));
  g_return_if_fail (speed >= 0.01 && speed <= 1000.0);

  if (self->speed == speed)
    return;
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

guint
arb_demo_bot_get_heartbeat_interval_ms (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), DEFAULT_HEARTBEAT_MS);

  return self->heartbeat_interval_ms;
}

/**
 * arb_demo_bot_set_heartbeat_interval_ms:
 * @self: a bot
 * @interval_ms: milliseconds between heartbeats, 100 to 3600000
 */
void
arb_demo_bot_set_heartbeat_interval_ms (ArbDemoBot *self,
                                        guint       interval_ms)
{
  g_return_if_fail (ARB_IS_DEMO_BOT (self));
  g_return_if_fail (interval_ms >= 100 && interval_ms <= 3600000);

  if (self->heartbeat_interval_ms == interval_ms)
    return;
  if (self->clock_set)
    self->next_heartbeat_ms += (gint64) interval_ms - self->heartbeat_interval_ms;
  self->heartbeat_interval_ms = interval_ms;
  rearm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEARTBEAT_INTERVAL_MS]);
}

/**
 * arb_demo_bot_get_state:
 * @self: a bot
 *
 * Returns: the simulated state as the heartbeats say it: `running`, `paused`
 *   or `stopped`
 */
const char *
arb_demo_bot_get_state (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), NULL);

  return arb_bot_run_state_name (self->state);
}

gint64
arb_demo_bot_get_next_seq (ArbDemoBot *self)
{
  g_return_val_if_fail (ARB_IS_DEMO_BOT (self), 0);

  return self->next_seq;
}

/**
 * arb_demo_bot_set_next_seq:
 * @self: a bot
 * @next_seq: the seq the next event gets, at least 1
 */
void
arb_demo_bot_set_next_seq (ArbDemoBot *self,
                           gint64      next_seq)
{
  g_return_if_fail (ARB_IS_DEMO_BOT (self));
  g_return_if_fail (next_seq >= 1);

  if (self->next_seq == next_seq)
    return;
  self->next_seq = next_seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_SEQ]);
}

/* ----------------------------------------------------------------- GObject */

static void
arb_demo_bot_constructed (GObject *object)
{
  ArbDemoBot *self = ARB_DEMO_BOT (object);

  G_OBJECT_CLASS (arb_demo_bot_parent_class)->constructed (object);

  self->rand = g_rand_new_with_seed (self->seed);
  arb_market_init (&self->market, self->rand);
  for (guint v = 0; v < ARB_N_VENUES; v++)
    self->rpc_ms[v] = arb_venues[v].rpc_ms;
  self->heap_bytes = uniform (self, 40e6, 50e6);
  self->rss_bytes = BASE_RSS_BYTES + self->heap_bytes;
}

static void
arb_demo_bot_dispose (GObject *object)
{
  ArbDemoBot *self = ARB_DEMO_BOT (object);

  arb_demo_bot_stop (self);
  arb_demo_bot_set_send_func (self, NULL, NULL, NULL);

  G_OBJECT_CLASS (arb_demo_bot_parent_class)->dispose (object);
}

static void
arb_demo_bot_finalize (GObject *object)
{
  ArbDemoBot *self = ARB_DEMO_BOT (object);

  g_queue_clear_full (&self->trades, g_free);
  g_queue_clear_full (&self->commands, (GDestroyNotify) pending_command_free);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->bot_id, g_free);

  G_OBJECT_CLASS (arb_demo_bot_parent_class)->finalize (object);
}

static void
arb_demo_bot_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ArbDemoBot *self = ARB_DEMO_BOT (object);

  switch (prop_id)
    {
    case PROP_BOT_ID:
      g_value_set_string (value, self->bot_id);
      break;
    case PROP_SEED:
      g_value_set_uint (value, self->seed);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_HEARTBEAT_INTERVAL_MS:
      g_value_set_uint (value, self->heartbeat_interval_ms);
      break;
    case PROP_STATE:
      g_value_set_string (value, arb_demo_bot_get_state (self));
      break;
    case PROP_NEXT_SEQ:
      g_value_set_int64 (value, self->next_seq);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_demo_bot_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ArbDemoBot *self = ARB_DEMO_BOT (object);

  switch (prop_id)
    {
    case PROP_BOT_ID:
      g_free (self->bot_id);
      self->bot_id = g_value_dup_string (value);
      if (self->bot_id == NULL || !arb_is_identifier (self->bot_id))
        {
          g_critical ("invalid bot id; using \"%s\"", DEFAULT_BOT_ID);
          g_free (self->bot_id);
          self->bot_id = g_strdup (DEFAULT_BOT_ID);
        }
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint (value);
      break;
    case PROP_SPEED:
      arb_demo_bot_set_speed (self, g_value_get_double (value));
      break;
    case PROP_HEARTBEAT_INTERVAL_MS:
      arb_demo_bot_set_heartbeat_interval_ms (self, g_value_get_uint (value));
      break;
    case PROP_NEXT_SEQ:
      arb_demo_bot_set_next_seq (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_demo_bot_class_init (ArbDemoBotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = arb_demo_bot_constructed;
  object_class->dispose = arb_demo_bot_dispose;
  object_class->finalize = arb_demo_bot_finalize;
  object_class->get_property = arb_demo_bot_get_property;
  object_class->set_property = arb_demo_bot_set_property;

  properties[PROP_BOT_ID] =
    g_param_spec_string ("bot-id", NULL, NULL, DEFAULT_BOT_ID,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEED] =
    g_param_spec_uint ("seed", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0.01, 1000.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEARTBEAT_INTERVAL_MS] =
    g_param_spec_uint ("heartbeat-interval-ms", NULL, NULL, 100, 3600000, DEFAULT_HEARTBEAT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "running",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_SEQ] =
    g_param_spec_int64 ("next-seq", NULL, NULL, 1, G_MAXINT64, 1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arb_demo_bot_init (ArbDemoBot *self)
{
  self->bot_id = g_strdup (DEFAULT_BOT_ID);
  self->speed = 1.0;
  self->heartbeat_interval_ms = DEFAULT_HEARTBEAT_MS;
  self->state = ARB_BOT_RUNNING;
  self->next_seq = 1;
  g_queue_init (&self->trades);
  g_queue_init (&self->commands);
}
