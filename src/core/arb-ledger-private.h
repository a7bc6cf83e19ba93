/* arb-ledger-private.h: what the files of ArbLedger share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * arb-ledger.c adds trades and opportunities into buckets;
 * arb-ledger-summary.c collects the buckets of a window into a summary.
 */
#pragma once

#include "arb-ledger.h"

G_BEGIN_DECLS

/* Each bot keeps an all-time aggregate plus sparse, sorted arrays of minute and hour buckets.
 * Minute buckets are kept for 25 h rather than 24 h so that "today" stays exact on the 25-hour
 * day of a DST change; hour buckets for the 168 hours of the 7d window. A window sums the
 * buckets it covers, so nothing is ever subtracted and the windows need no store. */
#define MINUTE_MS   G_GINT64_CONSTANT (60000)
#define HOUR_MS     G_GINT64_CONSTANT (3600000)
#define MINUTE_KEEP 1500
#define HOUR_KEEP   168
#define PRUNE_EVERY MINUTE_MS

/* Latency histogram: bin 0 holds [0, 0.1 ms), bin k in 1..LAT_N_LOG holds
 * [0.1 * 1.05^(k-1), 0.1 * 1.05^k), the last bin everything above. A value read back as the
 * geometric middle of its bin is within sqrt(1.05) - 1 = 2.47 % of the sample. */
#define LAT_MIN_MS 0.1
#define LAT_GROWTH 1.05
#define LAT_N_LOG  425
#define LAT_N_BINS (LAT_N_LOG + 2)

#define NANO 1e9



/* A pair or venue pair of one bot, by id. */
typedef struct
{
  char *key;
  char *name;
  char *buy_venue;
  char *sell_venue;
} Label;

typedef struct
{
  GHashTable *by_key;    /* key (owned by the Label) -> id + 1 */
  GPtrArray  *labels;    /* Label*, indexed by id */
  guint       other_id;  /* G_MAXUINT until first needed */
  guint       n_named;
} Labels;

typedef struct
{
  guint   id;
  guint64 trades;
  gint64  profit;
} PairStat;

typedef struct
{
  guint   bin;
  guint64 count;
} LatencyBin;

typedef struct
{
  guint64 status[ARB_TRADE_N_STATUS];
  gint64  profit;
  gint64  gas_used;
  gint64  gas_cost;
  gint64  fees;
  guint64 opp_seen;
  guint64 opp_taken;
} Totals;

typedef struct
{
  gint64  key;       /* minute or hour since the epoch; unused for the all-time one */
  Totals  totals;
  GArray *pairs;     /* PairStat sorted by id, NULL until used */
  GArray *venues;    /* PairStat sorted by id, NULL until used */
  GArray *latency;   /* LatencyBin sorted by bin, NULL until used */
} Agg;

typedef struct
{
  Labels     pairs;
  Labels     venues;
  Agg        all;
  gint64     first_ts;  /* G_MAXINT64 when no event yet */
  GPtrArray *minutes;   /* Agg*, sorted by key */
  GPtrArray *hours;     /* Agg*, sorted by key */
} BotLedger;

struct _ArbLedger
{
  GObject     parent_instance;

  GHashTable *bots;          /* bot_id -> BotLedger* */
  gint64      next_prune_ms;
};


static inline gint64
sat_add (gint64 a,
         gint64 b)
{
  if (b > 0 && a > G_MAXINT64 - b)
    return G_MAXINT64;
  if (b < 0 && a < G_MININT64 - b)
    return G_MININT64;
  return a + b;
}

static inline double
nano_to_money (gint64 nano)
{
  return (double) nano / NANO;
}

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The value a latency bin reads back as: the geometric middle of the bin. */
double _arb_ledger_latency_bin_value (guint         bin);
void   _arb_ledger_totals_merge      (Totals       *into,
                                      const Totals *from);

G_END_DECLS
