/* arb-market.c: the simulated market of the demo bot and the feeder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prices follow a random walk pulled back to their start over days, each
 * pool's deviation from the price and each chain's gas an
 * Ornstein-Uhlenbeck process; ethereum's gas spikes now and then.
 */
#define G_LOG_DOMAIN "arb-market"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-market.h"

/* Ethereum gas hysteresis, so a price hovering at the line does not flood the log. */
#define GAS_HIGH_GWEI   60.0
#define GAS_NORMAL_GWEI 40.0

const ArbChainInfo arb_chains[ARB_N_CHAINS] = {
  { "ethereum", 22.0,   180000,  320000, 1500, 12000, 20000, 150000, 0 },
  { "arbitrum", 0.02,   600000, 1200000,  250,  1500,  2000,  40000, 0 },
  { "optimism", 0.005,  250000,  450000,  400,  2500,  2000,  30000, 0 },
  { "bsc",      3.0,    200000,  300000,  800,  4500,  3000,  60000, 5 },
};

enum { UNISWAP, SUSHISWAP, CURVE, BALANCER, PANCAKESWAP, CAMELOT, VELODROME, N_VENUES };
G_STATIC_ASSERT (N_VENUES == ARB_N_VENUES);

const ArbVenueInfo arb_venues[ARB_N_VENUES] = {
  { "uniswap_v3",   5, 45 },
  { "sushiswap",   30, 60 },
  { "curve",        4, 55 },
  { "balancer",    10, 70 },
  { "pancakeswap", 25, 80 },
  { "camelot",     30, 50 },
  { "velodrome",    5, 65 },
};

const ArbPairInfo arb_pairs[ARB_N_PAIRS] = {
  { "WETH/USDC", ARB_CHAIN_ETHEREUM, 18,   3200.0, 0.0004, 30, 4,
    { UNISWAP, SUSHISWAP, CURVE, BALANCER } },
  { "WBTC/USDC", ARB_CHAIN_ETHEREUM,  8,  61000.0, 0.0003, 15, 3,
    { UNISWAP, SUSHISWAP, CURVE } },
  { "WETH/DAI",  ARB_CHAIN_ETHEREUM, 18,   3200.0, 0.0004, 10, 4,
    { UNISWAP, SUSHISWAP, BALANCER, CURVE } },
  { "ARB/USDC",  ARB_CHAIN_ARBITRUM, 18,      1.1, 0.0008, 20, 4,
    { UNISWAP, SUSHISWAP, CAMELOT, BALANCER } },
  { "OP/USDT",   ARB_CHAIN_OPTIMISM, 18,      2.3, 0.0008, 10, 3,
    { UNISWAP, VELODROME, SUSHISWAP } },
  { "WBNB/USDT", ARB_CHAIN_BSC,      18,    580.0, 0.0005, 15, 3,
    { PANCAKESWAP, UNISWAP, SUSHISWAP } },
};

double
arb_market_gaussian (GRand *rand)
{
  double u = 1.0 - g_rand_double (rand);   /* in (0, 1] so the log is finite */
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

void
arb_market_init (ArbMarket *market,
                 GRand     *rand)
{
  memset (market, 0, sizeof *market);
  for (guint p = 0; p < ARB_N_PAIRS; p++)
    {
      market->price[p] = arb_pairs[p].price;
      for (guint v = 0; v < arb_pairs[p].n_venues; v++)
        market->deviation_bps[p][arb_pairs[p].venues[v]] = 3.0 * arb_market_gaussian (rand);
    }
  for (guint c = 0; c < ARB_N_CHAINS; c++)
    {
      market->gas_base[c] = 0.25 * arb_market_gaussian (rand);
      market->gas_gwei[c] = arb_chains[c].gas_gwei * exp (market->gas_base[c]);
    }
}

double
arb_market_native_price (const ArbMarket *market,
                         ArbChain         chain)
{
  return market->price[arb_chains[chain].native_pair];
}

static double
spike_factor (const ArbMarket *market,
              gint64           now_ms)
{
  double x;

  if (now_ms < market->spike_start_ms || now_ms >= market->spike_end_ms)
    return 1.0;
  /* A fast rise over the first tenth, then a linear decay. */
  x = (double) (now_ms - market->spike_start_ms) /
      (market->spike_end_ms - market->spike_start_ms);
  return 1.0 + (market->spike_peak - 1.0) * (x < 0.1 ? x / 0.1 : (1.0 - x) / 0.9);
}

/* Mean-reverting step of an Ornstein-Uhlenbeck process with stationary
 * deviation @sigma and time constant @tau_s, over @dt_s seconds. */
static double
ou_step (GRand  *rand,
         double  x,
         double  sigma,
         double  tau_s,
         double  dt_s)
{
  double decay = exp (-dt_s / tau_s);

  return x * decay + sigma * sqrt (1.0 - decay * decay) * arb_market_gaussian (rand);
}

ArbMarketGas
arb_market_tick (ArbMarket *market,
                 GRand     *rand,
                 double     dt_s,
                 gint64     now_ms)
{
  double *eth_gas = &market->gas_gwei[ARB_CHAIN_ETHEREUM];

  for (guint p = 0; p < ARB_N_PAIRS; p++)
    {
      /* A random walk pulled back to the initial price over days, so a
       * dashboard left running for weeks still shows sensible prices. */
      double x = log (market->price[p] / arb_pairs[p].price);
      double drift = -x * dt_s / (3.0 * 86400.0);

      market->price[p] = arb_pairs[p].price *
                         exp (x + drift + arb_pairs[p].volatility * sqrt (dt_s) *
                              arb_market_gaussian (rand));
      for (guint v = 0; v < arb_pairs[p].n_venues; v++)
        {
          double *dev = &market->deviation_bps[p][arb_pairs[p].venues[v]];
          *dev = ou_step (rand, *dev, 3.0, 20.0, dt_s);
        }
    }

  for (guint c = 0; c < ARB_N_CHAINS; c++)
    {
      market->gas_base[c] = ou_step (rand, market->gas_base[c], 0.25, 600.0, dt_s);
      market->gas_gwei[c] = arb_chains[c].gas_gwei * exp (market->gas_base[c]);
    }
  *eth_gas *= spike_factor (market, now_ms);

  if (!market->gas_high && *eth_gas > GAS_HIGH_GWEI)
    {
      market->gas_high = TRUE;
      return ARB_MARKET_GAS_HIGH;
    }
  if (market->gas_high && *eth_gas < GAS_NORMAL_GWEI)
    {
      market->gas_high = FALSE;
      return ARB_MARKET_GAS_NORMAL;
    }
  return ARB_MARKET_GAS_SAME;
}

gint64
arb_market_start_spike (ArbMarket *market,
                        GRand     *rand,
                        gint64     now_ms,
                        double     speed,
                        gint64     min_ms)
{
  double duration_ms = g_rand_double_range (rand, 40000.0, 150000.0) / speed;

  market->spike_start_ms = now_ms;
  market->spike_end_ms = now_ms + MAX (min_ms, (gint64) duration_ms);
  market->spike_peak = g_rand_double_range (rand, 3.5, 8.0);
  return market->spike_end_ms;
}

guint
arb_market_pick_pair (GRand *rand)
{
  guint total = 0;
  gint32 r;

  for (guint p = 0; p < ARB_N_PAIRS; p++)
    total += arb_pairs[p].weight;
  r = g_rand_int_range (rand, 0, total);
  for (guint p = 0; p < ARB_N_PAIRS; p++)
    {
      if (r < (gint32) arb_pairs[p].weight)
        return p;
      r -= arb_pairs[p].weight;
    }
  g_assert_not_reached ();
}

char *
arb_market_random_hex (GRand *rand,
                       guint  n_digits)
{
  GString *s = g_string_sized_new (n_digits + 2);

  g_string_append (s, "0x");
  for (guint i = 0; i < n_digits; i++)
    g_string_append_c (s, "0123456789abcdef"[g_rand_int_range (rand, 0, 16)]);
  return g_string_free (s, FALSE);
}

/* 18-decimal tokens give integers well above 2^53, which is why the protocol
 * carries them as text. The first nine decimals are exact, the rest random
 * digits, as a real swap's dust would be. */
char *
arb_market_token_amount (GRand  *rand,
                         double  tokens,
                         guint   decimals)
{
  guint exact = MIN (decimals, 9);
  GString *s = g_string_new (NULL);

  g_string_printf (s, "%" G_GUINT64_FORMAT, (guint64) llround (tokens * pow (10.0, exact)));
  for (guint i = exact; i < decimals; i++)
    g_string_append_c (s, '0' + g_rand_int_range (rand, 0, 10));
  return g_string_free (s, FALSE);
}
