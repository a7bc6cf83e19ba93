/* arb-ledger.h: trading aggregates per bot and per time window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arb-event.h"

G_BEGIN_DECLS

/* At most this many distinct pairs, and as many venue pairs, per bot; trades of further ones
 * are counted under ARB_LEDGER_OTHER. */
#define ARB_LEDGER_MAX_PAIRS 256
#define ARB_LEDGER_OTHER     "(other)"

/* Events this far ahead of "now" still count as recent (bot clock skew). */
#define ARB_LEDGER_FUTURE_SLACK_MS (60 * 1000)

/* Relative error of the latency percentiles, see ArbLedgerSummary. */
#define ARB_LEDGER_LATENCY_REL_ERROR 0.025

typedef enum
{
  ARB_WINDOW_1H,
  ARB_WINDOW_24H,
  ARB_WINDOW_7D,
  ARB_WINDOW_ALL,
} ArbWindow;

gboolean     arb_window_parse (const char *s,
                               ArbWindow  *out);
const char  *arb_window_name  (ArbWindow   window);

/* One row of the per-pair or per-venue-pair breakdown. */
typedef struct
{
  char    *name;        /* "WETH/USDC", or "buy->sell" for a venue pair, or ARB_LEDGER_OTHER */
  char    *buy_venue;   /* venue pairs only, else NULL */
  char    *sell_venue;  /* venue pairs only, else NULL */
  guint64  trades;
  double   net_profit;
} ArbLedgerPairStat;

/* The figures of one window, for one bot or for all of them.
 *
 * Money is summed in fixed point of 1e-9 quote units, so sums are exact and do not depend on
 * the order of the trades (nor on merging); an aggregate saturates at about ±9.2e9 units.
 *
 * Latency percentiles come from a histogram of buckets 1.05x wide, starting at 0.1 ms: each
 * reads within ARB_LEDGER_LATENCY_REL_ERROR (2.5 %) of the exact nearest-rank percentile of
 * the samples, for latencies from 0.1 ms to 1e8 ms; below 0.1 ms it reads 0.05, above 1e8 ms
 * it reads about 1.01e8. */
typedef struct
{
  ArbWindow  window;
  gint64     from_ms;              /* start of the window; all: the first event, or now */
  gint64     to_ms;                /* now */
  double     net_profit;
  guint64    trades_total;
  guint64    trades[ARB_TRADE_N_STATUS];  /* by ArbTradeStatus */
  double     success_rate;         /* filled / total, NAN when there are no trades */
  gint64     gas_used;
  double     gas_cost;
  double     fees;
  guint64    opportunities_seen;
  guint64    opportunities_taken;
  guint64    latency_count;        /* trades that had latency_ms */
  double     latency_p50;          /* NAN when latency_count is 0 */
  double     latency_p90;
  double     latency_p99;
  double     trades_per_minute;    /* trades_total over (to_ms - from_ms), at least a minute */
  GPtrArray *pairs;                /* ArbLedgerPairStat, by net profit descending */
  GPtrArray *venue_pairs;          /* ArbLedgerPairStat, by net profit descending */
} ArbLedgerSummary;

void         arb_ledger_summary_free    (ArbLedgerSummary       *summary);

/* The REST body of GET /api/v1/summary (docs/api.md copies this):
 *
 * {"window":"1h","bot_id":null,"from":T,"to":T,
 *  "net_profit":12.5,
 *  "trades":{"total":40,"filled":37,"failed":2,"reverted":1},
 *  "success_rate":0.925,                          (null when there are no trades)
 *  "gas":{"used":5200000,"cost":3.1},             (sums of the trades that had them)
 *  "fees":0.8,
 *  "pairs":[{"pair":"WETH/USDC","trades":30,"net_profit":10.0},...],
 *  "venue_pairs":[{"buy_venue":"uniswap","sell_venue":"sushiswap","trades":25,
 *                  "net_profit":9.0},...],
 *  "opportunities":{"seen":120,"taken":40},
 *  "latency_ms":{"p50":850.2,"p90":1900.4,"p99":4100.9},   (null when no trade had latency_ms)
 *  "trades_per_minute":0.67}
 *
 * window: "1h" (the last 60 minute buckets, the current one included), "24h" (1440 minute
 * buckets), "7d" (168 hour buckets), "all" (since the first event). from is the start of the
 * first bucket (all: the first event's ts, or now when there is none), to is now; events up to
 * a minute ahead of now count in every window. Events more than a minute in the future, or older
 * than the 7d window, when they were added count only in "all". pairs and venue_pairs are sorted
 * by net_profit descending (ties by trades descending, then by name); past 256 distinct pairs
 * (or venue pairs) a bot's further ones are counted under "(other)". */
JsonNode    *arb_ledger_summary_to_json (const ArbLedgerSummary *summary,
                                         const char             *bot_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbLedgerSummary, arb_ledger_summary_free)

#define ARB_TYPE_LEDGER (arb_ledger_get_type ())

G_DECLARE_FINAL_TYPE (ArbLedger, arb_ledger, ARB, LEDGER, GObject)

ArbLedger        *arb_ledger_new              (void);

void              arb_ledger_add_trade        (ArbLedger            *self,
                                               const char           *bot_id,
                                               gint64                ts_ms,
                                               const ArbTrade       *trade,
                                               gint64                now_ms);
void              arb_ledger_add_opportunity  (ArbLedger            *self,
                                               const char           *bot_id,
                                               gint64                ts_ms,
                                               const ArbOpportunity *opportunity,
                                               gint64                now_ms);
void              arb_ledger_merge            (ArbLedger            *into,
                                               ArbLedger            *from);
void              arb_ledger_prune            (ArbLedger            *self,
                                               gint64                now_ms);

ArbLedgerSummary *arb_ledger_get_summary      (ArbLedger            *self,
                                               ArbWindow             window,
                                               const char           *bot_id,
                                               gint64                now_ms);
JsonNode         *arb_ledger_summary_json     (ArbLedger            *self,
                                               ArbWindow             window,
                                               const char           *bot_id,
                                               gint64                now_ms);
double            arb_ledger_get_net_profit   (ArbLedger            *self,
                                               ArbWindow             window,
                                               const char           *bot_id,
                                               gint64                now_ms);
double            arb_ledger_get_profit_today (ArbLedger            *self,
                                               const char           *bot_id,
                                               gint64                now_ms,
                                               GTimeZone            *tz);
char            **arb_ledger_dup_bot_ids      (ArbLedger            *self);
guint             arb_ledger_get_n_buckets    (ArbLedger            *self);

G_END_DECLS
