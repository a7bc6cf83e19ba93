/* arb-event.h: the bot messages of protocol v1, parsed and validated
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "arb-error.h"

G_BEGIN_DECLS

typedef enum
{
  ARB_MSG_HELLO,
  ARB_MSG_HEARTBEAT,
  ARB_MSG_TRADE,
  ARB_MSG_OPPORTUNITY,
  ARB_MSG_RESOURCES,
  ARB_MSG_METRIC,
  ARB_MSG_LOG,
  ARB_MSG_COMMAND_RESULT,
} ArbMsgType;

typedef enum
{
  ARB_BOT_RUNNING,
  ARB_BOT_PAUSED,
  ARB_BOT_STOPPED,
  ARB_BOT_ERROR,
} ArbBotRunState;

typedef enum
{
  ARB_TRADE_FILLED,
  ARB_TRADE_FAILED,
  ARB_TRADE_REVERTED,
  ARB_TRADE_N_STATUS
} ArbTradeStatus;

typedef enum
{
  ARB_LOG_DEBUG,
  ARB_LOG_INFO,
  ARB_LOG_WARNING,
  ARB_LOG_ERROR,
  ARB_LOG_CRITICAL,
} ArbLogLevel;

/* Optional numbers that were absent are NAN (doubles) or -1 (integers);
 * optional strings that were absent are NULL. */

typedef struct
{
  char     *bot_id;
  char     *name;
  char     *version;
  char     *strategy;
  char     *quote;      /* "USD" when absent */
  char    **commands;   /* NULL-terminated, never NULL */
  gint64    pid;        /* -1 when absent */
  gint64    heartbeat_ms; /* the bot's heartbeat interval; 0 when absent */
} ArbHello;

/* The range of hello's heartbeat_ms (revision 1.1), in milliseconds. */
#define ARB_HEARTBEAT_MS_MIN 100
#define ARB_HEARTBEAT_MS_MAX 600000

typedef struct
{
  ArbBotRunState state;
  char          *message;
} ArbHeartbeat;

typedef struct
{
  char           *id;
  char           *pair;
  char           *buy_venue;
  char           *sell_venue;
  ArbTradeStatus  status;
  double          profit;
  char           *chain;
  char           *amount_in;
  char           *amount_out;
  gint64          gas_used;
  double          gas_price_gwei;
  double          gas_cost;
  double          fees;
  double          latency_ms;
  char           *tx_hash;
} ArbTrade;

typedef struct
{
  char     *pair;
  char     *buy_venue;
  char     *sell_venue;
  double    spread_bps;
  double    expected_profit;
  gboolean  taken;
  char     *reason;
} ArbOpportunity;

/* Each field of resources is NAN when absent; has_* tells which groups came. */
typedef struct
{
  gboolean has_pool, has_tasks, has_memory, has_cache;
  double   pool_size, pool_in_use, pool_waiting;
  double   tasks_running, tasks_queued, tasks_completed, tasks_failed;
  double   memory_rss_bytes, memory_heap_bytes;
  double   cache_entries, cache_bytes, cache_hits, cache_misses, cache_evictions;
} ArbResources;

typedef struct
{
  char   *name;
  double  value;
  char   *unit;
} ArbMetric;

typedef struct
{
  ArbLogLevel  level;
  char        *message;
  char        *component;
} ArbLog;

typedef struct
{
  char     *id;
  gboolean  ok;
  char     *message;
} ArbCommandResult;

/* One validated message. seq and ts are 0 for hello and command_result. */
typedef struct
{
  ArbMsgType type;
  gint64     seq;
  gint64     ts;
  union {
    ArbHello         hello;
    ArbHeartbeat     heartbeat;
    ArbTrade         trade;
    ArbOpportunity   opportunity;
    ArbResources     resources;
    ArbMetric        metric;
    ArbLog           log;
    ArbCommandResult command_result;
  };
} ArbEvent;

/* The largest magnitude a number field may have (see docs/api.md). */
#define ARB_MAX_NUMBER 1e15

/* Limits of the protocol; the defaults are the protocol's. */
typedef struct
{
  gsize max_message_bytes;  /* 64 KiB */
  gsize max_body_bytes;     /* 1 MiB */
  guint max_batch_events;   /* 1000 */
  gsize max_string_bytes;   /* 4 KiB */
  guint max_depth;          /* 16 */
} ArbLimits;

void             arb_limits_init_default    (ArbLimits *limits);

const char      *arb_trade_status_name      (ArbTradeStatus status);
gboolean         arb_trade_status_parse     (const char      *name,
                                             ArbTradeStatus  *status);
const char      *arb_bot_run_state_name     (ArbBotRunState state);
const char      *arb_log_level_name         (ArbLogLevel level);
gboolean         arb_log_level_parse        (const char      *name,
                                             ArbLogLevel     *level);
gboolean         arb_is_identifier          (const char *s);

/* Checks a parsed tree: depth and string lengths (too_large), and that
 * every string and member name is valid UTF-8 text without \u0000, lone
 * surrogates or raw control characters, and every number finite
 * (bad_request, see arb-json-check.h).
 * *field names the member at fault when known. */
gboolean         arb_json_check_limits      (JsonNode        *node,
                                             const ArbLimits *limits,
                                             char           **field,
                                             GError         **error);

/* Validates one message object. On error returns NULL, sets @error (domain
 * ARB_ERROR) and *field to the offending member (or NULL); *seq_out gets the
 * message's seq when it had a valid one (else 0). */
ArbEvent        *arb_event_from_json        (JsonObject      *object,
                                             const ArbLimits *limits,
                                             char           **field,
                                             gint64          *seq_out,
                                             GError         **error);
void             arb_event_free             (ArbEvent        *event);
const char      *arb_msg_type_name          (ArbMsgType       type);

/* Parses one message: size, RFC 8259 syntax and depth (on the raw bytes,
 * before json-glib recurses: arb_json_load()), object-ness, and the tree
 * walk of arb_json_check_limits(). Returns the root object node (a new
 * reference) or NULL with an ARB_ERROR. */
JsonNode        *arb_json_parse_text        (JsonParser      *parser,
                                             const char      *text,
                                             gsize            len,
                                             const ArbLimits *limits,
                                             char           **field,
                                             GError         **error);
gboolean         arb_json_prescan_depth     (const char      *text,
                                             gsize            len,
                                             guint            max_depth);

/* The event's data as a JSON object, as the hub publishes and REST serves it. */
void             arb_event_write_json       (const ArbEvent  *event,
                                             const char      *bot_id,
                                             GString         *out);
char            *arb_event_to_json          (const ArbEvent  *event,
                                             const char      *bot_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbEvent, arb_event_free)

G_END_DECLS
