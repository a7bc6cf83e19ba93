/* arb-market.h: the simulated market of the demo bot and the feeder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A simulation, not market data: prices, pool deviations and gas prices of a
 * few real-looking chains, venues and pairs, driven by one GRand so that a
 * seed gives the same market every time. ArbDemoBot trades on it; the
 * feeder's --rate load trades draw from it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ARB_CHAIN_ETHEREUM,
  ARB_CHAIN_ARBITRUM,
  ARB_CHAIN_OPTIMISM,
  ARB_CHAIN_BSC,
  ARB_N_CHAINS
} ArbChain;

typedef struct
{
  const char *name;
  double      gas_gwei;          /* typical gas price */
  guint       gas_min;           /* gas used by a two-swap transaction */
  guint       gas_max;
  guint       inclusion_min_ms;  /* detection to inclusion */
  guint       inclusion_max_ms;
  double      notional_min;      /* trade size in USD */
  double      notional_max;
  guint       native_pair;       /* the pair whose base token pays for gas */
} ArbChainInfo;

typedef struct
{
  const char *name;
  guint       fee_bps;
  double      rpc_ms;            /* typical RPC round trip */
} ArbVenueInfo;

#define ARB_N_VENUES        7
#define ARB_N_PAIRS         6
#define ARB_MAX_PAIR_VENUES 4

typedef struct
{
  const char *name;
  ArbChain    chain;
  guint       decimals;          /* of the base token, in which amounts are counted */
  double      price;             /* initial price of the base token in USD */
  double      volatility;        /* per square root of a second */
  guint       weight;            /* share of the opportunities */
  guint       n_venues;
  guint       venues[ARB_MAX_PAIR_VENUES];
} ArbPairInfo;

extern const ArbChainInfo arb_chains[ARB_N_CHAINS];
extern const ArbVenueInfo arb_venues[ARB_N_VENUES];
extern const ArbPairInfo  arb_pairs[ARB_N_PAIRS];

/* The market's state: plain values, no allocation. */
typedef struct
{
  double   price[ARB_N_PAIRS];                     /* of each pair's base token, USD */
  double   deviation_bps[ARB_N_PAIRS][ARB_N_VENUES];  /* of each pool from the price */
  double   gas_base[ARB_N_CHAINS];                 /* log deviation from the typical gas */
  double   gas_gwei[ARB_N_CHAINS];
  gint64   spike_start_ms;                         /* of the ethereum gas spike */
  gint64   spike_end_ms;
  double   spike_peak;
  gboolean gas_high;                               /* ethereum gas above the high mark */
} ArbMarket;

/* What a tick did to ethereum's gas, for the bot's log. */
typedef enum
{
  ARB_MARKET_GAS_SAME,
  ARB_MARKET_GAS_HIGH,    /* rose above the high mark */
  ARB_MARKET_GAS_NORMAL,  /* fell back below the normal mark */
} ArbMarketGas;

void          arb_market_init          (ArbMarket  *market,
                                        GRand      *rand);
/* Moves prices, deviations and gas on by @dt_s simulated seconds at @now_ms. */
ArbMarketGas  arb_market_tick          (ArbMarket  *market,
                                        GRand      *rand,
                                        double      dt_s,
                                        gint64      now_ms);
/* Starts an ethereum gas spike at @now_ms, at least @min_ms long and shorter
 * as @speed grows; returns when it ends. */
gint64        arb_market_start_spike   (ArbMarket  *market,
                                        GRand      *rand,
                                        gint64      now_ms,
                                        double      speed,
                                        gint64      min_ms);
/* USD price of the token that pays for gas on @chain. */
double        arb_market_native_price  (const ArbMarket *market,
                                        ArbChain         chain);
/* A pair, drawn by the pairs' weights. */
guint         arb_market_pick_pair     (GRand      *rand);

/* A standard normal draw (Box-Muller). */
double        arb_market_gaussian      (GRand      *rand);
/* "0x" and @n_digits random hex digits: a transaction hash's shape. */
char         *arb_market_random_hex    (GRand      *rand,
                                        guint       n_digits);
/* A token amount in base units as a decimal string (see arb-market.c). */
char         *arb_market_token_amount  (GRand      *rand,
                                        double      tokens,
                                        guint       decimals);

G_END_DECLS
