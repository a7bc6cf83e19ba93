/* test-demo-bot.c: the simulated bot speaks protocol v1 and behaves like a bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "arb-demo-bot.h"
#include "arb-event.h"

#include "test-util.h"

#define T0      G_GINT64_CONSTANT (1700000000000)
#define MINUTE  (60 * 1000)
#define HOUR    (60 * MINUTE)

static const char *const venue_names[] = {
  "uniswap_v3", "sushiswap", "curve", "balancer", "pancakeswap", "camelot", "velodrome",
};

static ArbLimits limits;

/* ------------------------------------------------------------ collecting */

static void
collect (JsonNode *message,
         gpointer  user_data)
{
  g_ptr_array_add (user_data, json_node_ref (message));
}

static GPtrArray *
attach_collector (ArbDemoBot *bot)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  arb_demo_bot_set_send_func (bot, collect, g_ptr_array_ref (messages),
                              (GDestroyNotify) g_ptr_array_unref);
  return messages;
}

static JsonObject *
msg (GPtrArray *messages,
     guint      i)
{
  return json_node_get_object (g_ptr_array_index (messages, i));
}

static const char *
type_of (JsonObject *object)
{
  return json_object_get_string_member_with_default (object, "type", "(group)");
}

static gboolean
is_type (JsonObject *object,
         const char *type)
{
  return g_str_equal (type_of (object), type);
}

static guint
count_type (GPtrArray  *messages,
            guint       from,
            const char *type)
{
  guint n = 0;

  for (guint i = from; i < messages->len; i++)
    n += is_type (msg (messages, i), type);
  return n;
}

static char *
to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* ------------------------------------------------------------- validation */

static void
assert_members (JsonObject        *object,
                const char *const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      g_error ("%s has an unexpected member %s", type_of (object), (char *) l->data);
}

static JsonNode *
member (JsonObject *object,
        const char *name,
        gboolean    required)
{
  JsonNode *node = json_object_get_member (object, name);

  if (required && node == NULL)
    g_error ("%s lacks required %s", type_of (object), name);
  return node;
}

static const char *
check_string (JsonObject *object,
              const char *name,
              gboolean    required)
{
  JsonNode *node = member (object, name, required);

  if (node == NULL)
    return NULL;
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  g_assert_cmpuint (strlen (json_node_get_string (node)), >, 0);
  g_assert_cmpuint (strlen (json_node_get_string (node)), <=, 4096);
  g_assert_true (g_utf8_validate (json_node_get_string (node), -1, NULL));
  return json_node_get_string (node);
}

static gint64
check_int (JsonObject *object,
           const char *name,
           gboolean    required,
           gint64      min)
{
  JsonNode *node = member (object, name, required);

  if (node == NULL)
    return G_MININT64;
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  if (json_node_get_int (node) < min)
    g_error ("%s.%s is %" G_GINT64_FORMAT, type_of (object), name, json_node_get_int (node));
  return json_node_get_int (node);
}

static double
check_number (JsonObject *object,
              const char *name,
              gboolean    required)
{
  JsonNode *node = member (object, name, required);
  GType type;

  if (node == NULL)
    return NAN;
  type = json_node_get_value_type (node);
  g_assert_true (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE);
  g_assert_true (isfinite (json_node_get_double (node)));
  g_assert_cmpfloat (fabs (json_node_get_double (node)), <=, ARB_MAX_NUMBER);
  return json_node_get_double (node);
}

static gboolean
check_bool (JsonObject *object,
            const char *name)
{
  JsonNode *node = member (object, name, TRUE);

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  return json_node_get_boolean (node);
}

static const char *
check_enum (JsonObject        *object,
            const char        *name,
            const char *const *values)
{
  const char *s = check_string (object, name, TRUE);

  if (!g_strv_contains (values, s))
    g_error ("%s.%s has the value %s", type_of (object), name, s);
  return s;
}

static const char *
check_ident (JsonObject *object,
             const char *name)
{
  const char *s = check_string (object, name, TRUE);

  g_assert_true (arb_is_identifier (s));
  return s;
}

static const char *
check_amount (JsonObject *object,
              const char *name)
{
  const char *s = check_string (object, name, FALSE);

  if (s == NULL)
    return NULL;
  for (const char *p = s; *p; p++)
    g_assert_true (g_ascii_isdigit (*p));
  g_assert_true (s[0] != '0' || s[1] == '\0');
  return s;
}

static void
check_group (JsonObject        *object,
             const char        *name,
             const char *const *fields)
{
  JsonNode *node = member (object, name, TRUE);
  JsonObject *group;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  group = json_node_get_object (node);
  assert_members (group, fields);
  for (guint i = 0; fields[i] != NULL; i++)
    g_assert_cmpint (check_int (group, fields[i], TRUE, 0), >=, 0);
}

/* Checks one message field by field against PROTOCOL.md, then through
 * the dashboard's own parser over the same bytes a network bot would send. */
static void
assert_valid (JsonNode *node)
{
  static const char *const states[] = { "running", "paused", "stopped", "error", NULL };
  static const char *const statuses[] = { "filled", "failed", "reverted", NULL };
  static const char *const levels[] = { "debug", "info", "warning", "error", "critical", NULL };
  JsonObject *o;
  const char *type;
  g_autofree char *text = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(ArbEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq = 0;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  o = json_node_get_object (node);
  type = check_string (o, "type", TRUE);

  if (g_str_equal (type, "hello") || g_str_equal (type, "command_result"))
    g_assert_false (json_object_has_member (o, "seq"));
  else
    {
      check_int (o, "seq", TRUE, 1);
      check_int (o, "ts", TRUE, 0);
    }

  if (g_str_equal (type, "hello"))
    {
      static const char *const allowed[] = {
        "type", "bot_id", "name", "version", "strategy", "quote", "commands", "pid", NULL };
      JsonArray *commands;

      assert_members (o, allowed);
      check_ident (o, "bot_id");
      check_string (o, "name", TRUE);
      check_string (o, "version", FALSE);
      check_string (o, "strategy", FALSE);
      check_string (o, "quote", FALSE);
      check_int (o, "pid", FALSE, 1);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (member (o, "commands", TRUE)));
      commands = json_object_get_array_member (o, "commands");
      for (guint i = 0; i < json_array_get_length (commands); i++)
        g_assert_true (arb_is_identifier (json_array_get_string_element (commands, i)));
    }
  else if (g_str_equal (type, "heartbeat"))
    {
      static const char *const allowed[] = { "type", "seq", "ts", "state", "message", NULL };

      assert_members (o, allowed);
      check_enum (o, "state", states);
      check_string (o, "message", FALSE);
    }
  else if (g_str_equal (type, "trade"))
    {
      static const char *const allowed[] = {
        "type", "seq", "ts", "id", "pair", "buy_venue", "sell_venue", "status", "profit",
        "chain", "amount_in", "amount_out", "gas_used", "gas_price_gwei", "gas_cost", "fees",
        "latency_ms", "tx_hash", NULL };

      assert_members (o, allowed);
      check_ident (o, "id");
      check_string (o, "pair", TRUE);
      check_enum (o, "buy_venue", venue_names);
      check_enum (o, "sell_venue", venue_names);
      g_assert_cmpstr (json_object_get_string_member (o, "buy_venue"), !=,
                       json_object_get_string_member (o, "sell_venue"));
      check_enum (o, "status", statuses);
      check_number (o, "profit", TRUE);
      check_string (o, "chain", FALSE);
      check_amount (o, "amount_in");
      check_amount (o, "amount_out");
      check_int (o, "gas_used", FALSE, 0);
      g_assert_cmpfloat (check_number (o, "gas_price_gwei", FALSE), >, 0);
      g_assert_cmpfloat (check_number (o, "gas_cost", FALSE), >=, 0);
      g_assert_cmpfloat (check_number (o, "fees", FALSE), >=, 0);
      g_assert_cmpfloat (check_number (o, "latency_ms", FALSE), >, 0);
      check_string (o, "tx_hash", FALSE);
    }
  else if (g_str_equal (type, "opportunity"))
    {
      static const char *const allowed[] = {
        "type", "seq", "ts", "pair", "buy_venue", "sell_venue", "spread_bps", "expected_profit",
        "taken", "reason", NULL };

      assert_members (o, allowed);
      check_string (o, "pair", TRUE);
      check_enum (o, "buy_venue", venue_names);
      check_enum (o, "sell_venue", venue_names);
      g_assert_cmpfloat (check_number (o, "spread_bps", TRUE), >=, 0);
      check_number (o, "expected_profit", TRUE);
      /* A reason exactly when the opportunity was let go. */
      g_assert_true (check_bool (o, "taken") == (check_string (o, "reason", FALSE) == NULL));
    }
  else if (g_str_equal (type, "resources"))
    {
      static const char *const allowed[] = {
        "type", "seq", "ts", "pool", "tasks", "memory", "cache", NULL };
      static const char *const pool[] = { "size", "in_use", "waiting", NULL };
      static const char *const tasks[] = { "running", "queued", "completed", "failed", NULL };
      static const char *const memory[] = { "rss_bytes", "heap_bytes", NULL };
      static const char *const cache[] = {
        "entries", "bytes", "hits", "misses", "evictions", NULL };

      assert_members (o, allowed);
      check_group (o, "pool", pool);
      check_group (o, "tasks", tasks);
      check_group (o, "memory", memory);
      check_group (o, "cache", cache);
    }
  else if (g_str_equal (type, "metric"))
    {
      static const char *const allowed[] = { "type", "seq", "ts", "name", "value", "unit", NULL };

      assert_members (o, allowed);
      check_string (o, "name", TRUE);
      check_number (o, "value", TRUE);
      check_string (o, "unit", FALSE);
    }
  else if (g_str_equal (type, "log"))
    {
      static const char *const allowed[] = {
        "type", "seq", "ts", "level", "message", "component", NULL };

      assert_members (o, allowed);
      check_enum (o, "level", levels);
      check_string (o, "message", TRUE);
      check_string (o, "component", FALSE);
    }
  else if (g_str_equal (type, "command_result"))
    {
      static const char *const allowed[] = { "type", "id", "ok", "message", NULL };

      assert_members (o, allowed);
      check_ident (o, "id");
      check_bool (o, "ok");
      check_string (o, "message", FALSE);
    }
  else
    g_error ("unknown message type %s", type);

  /* The dashboard's ingest path: serialised, parsed under limits, validated. */
  text = to_text (node);
  g_assert_cmpuint (strlen (text), <=, limits.max_message_bytes);
  parsed = arb_json_parse_text (parser, text, strlen (text), &limits, &field, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);
  event = arb_event_from_json (json_node_get_object (parsed), &limits, &field, &seq, &error);
  g_assert_no_error (error);
  g_assert_nonnull (event);
  g_assert_cmpstr (arb_msg_type_name (event->type), ==, type);
  if (json_object_has_member (o, "seq"))
    g_assert_cmpint (seq, ==, json_object_get_int_member (o, "seq"));
}

/* Checks every message and that seq rises by 1 from @first_seq with ts never
 * going back. */
static void
assert_stream (GPtrArray *messages,
               gint64     first_seq)
{
  gint64 seq = first_seq;
  gint64 ts = 0;

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);

      assert_valid (g_ptr_array_index (messages, i));
      if (!json_object_has_member (o, "seq"))
        continue;
      g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, seq);
      g_assert_cmpint (json_object_get_int_member (o, "ts"), >=, ts);
      seq++;
      ts = json_object_get_int_member (o, "ts");
    }
}

/* ------------------------------------------------------------------ hello */

static void
test_hello (void)
{
  g_autoptr(ArbDemoBot) bot = arb_demo_bot_new (NULL, 1);
  g_autoptr(ArbDemoBot) named = arb_demo_bot_new ("demo-2.b", 1);
  g_autoptr(JsonNode) hello = arb_demo_bot_hello (bot);
  g_autoptr(JsonNode) hello2 = arb_demo_bot_hello (named);
  JsonObject *o = json_node_get_object (hello);
  JsonArray *commands;

  assert_valid (hello);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "hello");
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "demo");
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Demo bot (simulated)");
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (o, "strategy"), ==, "cross-dex spread");
  g_assert_cmpstr (json_object_get_string_member (o, "quote"), ==, "USD");
  g_assert_cmpint (json_object_get_int_member (o, "pid"), ==, getpid ());
  commands = json_object_get_array_member (o, "commands");
  g_assert_cmpuint (json_array_get_length (commands), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (commands, 0), ==, "pause");
  g_assert_cmpstr (json_array_get_string_element (commands, 1), ==, "resume");
  g_assert_cmpstr (json_array_get_string_element (commands, 2), ==, "stop");

  assert_valid (hello2);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (hello2), "bot_id"), ==,
                   "demo-2.b");
  g_assert_cmpstr (arb_demo_bot_get_bot_id (named), ==, "demo-2.b");
  /* Building a hello spends no seq. */
  g_assert_cmpint (arb_demo_bot_get_next_seq (bot), ==, 1);
}

static void
test_invalid_id (void)
{
  ArbDemoBot *bot;

  g_test_expect_message ("arb-demo-bot", G_LOG_LEVEL_CRITICAL, "*arb_is_identifier*");
  bot = arb_demo_bot_new ("no spaces", 1);
  g_test_assert_expected_messages ();
  g_assert_null (bot);
}

/* ------------------------------------------------------------- an hour */

static GPtrArray *
run (guint32 seed,
     gint64  first_seq,
     gint64  duration_ms,
     gint64  step_ms)
{
  g_autoptr(ArbDemoBot) bot = arb_demo_bot_new (NULL, seed);
  GPtrArray *messages = attach_collector (bot);

  arb_demo_bot_set_next_seq (bot, first_seq);
  for (gint64 t = 0; t < duration_ms; t += step_ms)
    arb_demo_bot_step (bot, T0 + t);
  arb_demo_bot_step (bot, T0 + duration_ms);
  return messages;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  guint opportunities, taken, trades, by_status[3], losing_fills;
  double profit;
  GHashTable *reasons;       /* reason -> count */
  GHashTable *taken_seqs;    /* "trade-<seq>" of taken opportunities -> ts */
  GHashTable *metrics;       /* name -> count */
  GHashTable *components;    /* component -> count */
  guint levels[5];
  guint heartbeats, resources;
  gboolean huge_amount;
} Tally;

static void
tally_trade (Tally      *t,
             JsonObject *o)
{
  const char *status = json_object_get_string_member (o, "status");
  const char *id = json_object_get_string_member (o, "id");
  const char *amount_in = json_object_get_string_member (o, "amount_in");
  double profit = json_object_get_double_member (o, "profit");
  double gas_cost = json_object_get_double_member (o, "gas_cost");
  gpointer opp_ts;
  ArbTradeStatus st;

  g_assert_true (arb_trade_status_parse (status, &st));
  t->trades++;
  t->by_status[st]++;
  t->profit += profit;
  /* Each trade comes from a taken opportunity, after it. */
  g_assert_true (g_hash_table_lookup_extended (t->taken_seqs, id, NULL, &opp_ts));
  g_assert_cmpint (json_object_get_int_member (o, "ts"), >=, *(gint64 *) opp_ts);
  g_assert_true (g_hash_table_remove (t->taken_seqs, id));
  g_assert_nonnull (amount_in);
  /* 2^53 has 16 digits: 17 or more cannot be a double without loss. */
  t->huge_amount |= strlen (amount_in) > 16;

  switch (st)
    {
    case ARB_TRADE_FILLED:
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "tx_hash")), ==, 66);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "tx_hash"), "0x"));
      g_assert_nonnull (json_object_get_string_member (o, "amount_out"));
      g_assert_cmpint (json_object_get_int_member (o, "gas_used"), >, 0);
      g_assert_cmpfloat (gas_cost, >, 0);
      g_assert_cmpfloat (json_object_get_double_member (o, "fees"), >, 0);
      t->losing_fills += profit < 0;
      break;
    case ARB_TRADE_REVERTED:
      /* Gas spent on chain, nothing swapped. */
      g_assert_nonnull (json_object_get_string_member (o, "tx_hash"));
      g_assert_false (json_object_has_member (o, "amount_out"));
      g_assert_cmpint (json_object_get_int_member (o, "gas_used"), >, 0);
      g_assert_cmpfloat (gas_cost, >, 0);
      g_assert_cmpfloat_with_epsilon (profit, -gas_cost, 1e-3);
      break;
    case ARB_TRADE_FAILED:
      /* Never sent: no transaction, no gas. */
      g_assert_false (json_object_has_member (o, "tx_hash"));
      g_assert_false (json_object_has_member (o, "amount_out"));
      g_assert_cmpint (json_object_get_int_member (o, "gas_used"), ==, 0);
      g_assert_cmpfloat (gas_cost, ==, 0);
      g_assert_cmpfloat (profit, ==, 0);
      break;
    case ARB_TRADE_N_STATUS:
    default:
      g_assert_not_reached ();
    }
}

static void
count_key (GHashTable *table,
           const char *key)
{
  g_hash_table_insert (table, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (table, key)) + 1));
}

static guint
get_count (GHashTable *table,
           const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (table, key));
}

static void
tally (Tally     *t,
       GPtrArray *messages)
{
  static const char *const levels[] = { "debug", "info", "warning", "error", "critical" };

  t->reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->taken_seqs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->components = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);
      const char *type = type_of (o);

      if (g_str_equal (type, "opportunity"))
        {
          t->opportunities++;
          if (json_object_get_boolean_member (o, "taken"))
            {
              gint64 *ts = g_new (gint64, 1);

              *ts = json_object_get_int_member (o, "ts");
              t->taken++;
              g_hash_table_insert (t->taken_seqs,
                                   g_strdup_printf ("trade-%" G_GINT64_FORMAT,
                                                    json_object_get_int_member (o, "seq")), ts);
            }
          else
            count_key (t->reasons, json_object_get_string_member (o, "reason"));
        }
      else if (g_str_equal (type, "trade"))
        tally_trade (t, o);
      else if (g_str_equal (type, "metric"))
        count_key (t->metrics, json_object_get_string_member (o, "name"));
      else if (g_str_equal (type, "log"))
        {
          for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
            t->levels[l] += g_str_equal (json_object_get_string_member (o, "level"), levels[l]);
          count_key (t->components, json_object_get_string_member (o, "component"));
        }
      else if (g_str_equal (type, "heartbeat"))
        t->heartbeats++;
      else if (g_str_equal (type, "resources"))
        t->resources++;
    }
}

static void
tally_clear (Tally *t)
{
  g_clear_pointer (&t->reasons, g_hash_table_unref);
  g_clear_pointer (&t->taken_seqs, g_hash_table_unref);
  g_clear_pointer (&t->metrics, g_hash_table_unref);
  g_clear_pointer (&t->components, g_hash_table_unref);
}

static gint64
group_int (JsonObject *o,
           const char *group,
           const char *name)
{
  return json_object_get_int_member (json_object_get_object_member (o, group), name);
}

static void
assert_resources_plausible (GPtrArray *messages)
{
  static const struct { const char *group, *name; } counters[] = {
    { "tasks", "completed" }, { "tasks", "failed" }, { "cache", "hits" },
    { "cache", "misses" }, { "cache", "evictions" },
  };
  gint64 last[G_N_ELEMENTS (counters)] = { 0 };
  gint64 first_completed = -1;
  gboolean grew = FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);

      if (!is_type (o, "resources"))
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (counters); c++)
        {
          gint64 v = group_int (o, counters[c].group, counters[c].name);

          g_assert_cmpint (v, >=, last[c]);
          last[c] = v;
        }
      if (first_completed < 0)
        first_completed = group_int (o, "tasks", "completed");
      g_assert_cmpint (group_int (o, "pool", "in_use"), <=, group_int (o, "pool", "size"));
      if (group_int (o, "pool", "waiting") > 0)
        g_assert_cmpint (group_int (o, "pool", "in_use"), ==, group_int (o, "pool", "size"));
      g_assert_cmpint (group_int (o, "memory", "heap_bytes"), <,
                       group_int (o, "memory", "rss_bytes"));
      g_assert_cmpint (group_int (o, "memory", "rss_bytes"), >, 50 * 1024 * 1024);
      g_assert_cmpint (group_int (o, "memory", "rss_bytes"), <, 2048ll * 1024 * 1024);
      g_assert_cmpint (group_int (o, "cache", "entries"), <=, 20000);
      grew |= group_int (o, "cache", "evictions") > 0;
    }
  /* Over an hour the cache fills up and the counters move. */
  g_assert_true (grew);
  g_assert_cmpint (last[0], >, first_completed + 3600 * 10);
  g_assert_cmpint (last[2], >, last[3]);
}

/* The gas price spikes: its top is well above its usual level. */
static void
assert_gas_spikes (GPtrArray *messages)
{
  g_autoptr(GArray) gas = g_array_new (FALSE, FALSE, sizeof (double));
  double median;
  double top;

  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);

      if (is_type (o, "metric") &&
          g_str_equal (json_object_get_string_member (o, "name"), "gas_price_gwei"))
        {
          double v = json_object_get_double_member (o, "value");

          g_assert_cmpstr (json_object_get_string_member (o, "unit"), ==, "gwei");
          g_array_append_val (gas, v);
        }
    }
  g_assert_cmpuint (gas->len, >, 0);
  g_array_sort (gas, compare_doubles);
  median = g_array_index (gas, double, gas->len / 2);
  top = g_array_index (gas, double, gas->len - 1);
  g_assert_cmpfloat (median, >, 5);
  g_assert_cmpfloat (median, <, 60);
  g_assert_cmpfloat (top, >, 2.5 * median);
}

static void
test_hour (void)
{
  g_autoptr(GPtrArray) messages = run (42, 1000, HOUR, 250);
  Tally t = { 0 };
  const char *const units[][2] = {
    { "block_lag", "blocks" }, { "gas_price_gwei", "gwei" },
  };

  assert_stream (messages, 1000);
  g_assert_cmpint (json_object_get_int_member (msg (messages, 0), "ts"), ==, T0);
  g_assert_cmpint (json_object_get_int_member (msg (messages, messages->len - 1), "ts"), <=,
                   T0 + HOUR);
  tally (&t, messages);

  /* 10 to 30 opportunities and 1 to 3 trades a minute. */
  g_assert_cmpuint (t.opportunities, >=, 600);
  g_assert_cmpuint (t.opportunities, <=, 1800);
  g_assert_cmpuint (t.trades, >=, 60);
  g_assert_cmpuint (t.trades, <=, 180);
  /* At most a few are still in flight at the end. */
  g_assert_cmpuint (t.taken - t.trades, <=, 3);
  g_assert_cmpuint (g_hash_table_size (t.taken_seqs), ==, t.taken - t.trades);
  g_assert_cmpuint (t.opportunities - t.taken, >, t.taken);

  /* Mostly filled, some failed and reverted; a fill can still lose. */
  g_assert_cmpuint (t.by_status[ARB_TRADE_FILLED], >, t.trades / 2);
  g_assert_cmpuint (t.by_status[ARB_TRADE_FAILED], >, 0);
  g_assert_cmpuint (t.by_status[ARB_TRADE_REVERTED], >, 0);
  g_assert_cmpuint (t.losing_fills, >, 0);
  g_assert_cmpuint (t.losing_fills, <, t.by_status[ARB_TRADE_FILLED] / 2);
  g_assert_cmpfloat (t.profit, >, 0);
  g_assert_true (t.huge_amount);

  g_assert_cmpuint (get_count (t.reasons, "spread below threshold"), >, 0);
  g_assert_cmpuint (get_count (t.reasons, "gas too high"), >, 0);
  g_assert_cmpuint (get_count (t.reasons, "insufficient liquidity"), >, 0);
  g_assert_cmpuint (get_count (t.reasons, "paused"), ==, 0);

  /* Heartbeats every 5 s from the start, telemetry every second. */
  g_assert_cmpuint (t.heartbeats, ==, HOUR / 5000 + 1);
  g_assert_cmpuint (t.resources, ==, HOUR / 1000);
  for (guint v = 0; v < G_N_ELEMENTS (venue_names); v++)
    {
      g_autofree char *name = g_strdup_printf ("rpc_latency_ms.%s", venue_names[v]);
      g_assert_cmpuint (get_count (t.metrics, name), ==, HOUR / 1000);
    }
  g_assert_cmpuint (get_count (t.metrics, "block_lag"), ==, HOUR / 1000);
  g_assert_cmpuint (get_count (t.metrics, "gas_price_gwei"), ==, HOUR / 1000);
  g_assert_cmpuint (get_count (t.metrics, "pending_txs"), ==, HOUR / 1000);
  g_assert_cmpuint (g_hash_table_size (t.metrics), ==, G_N_ELEMENTS (venue_names) + 3);
  for (guint i = 0; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);
      const char *name;

      if (!is_type (o, "metric"))
        continue;
      name = json_object_get_string_member (o, "name");
      if (g_str_has_prefix (name, "rpc_latency_ms."))
        g_assert_cmpstr (json_object_get_string_member (o, "unit"), ==, "ms");
      for (guint u = 0; u < G_N_ELEMENTS (units); u++)
        if (g_str_equal (name, units[u][0]))
          g_assert_cmpstr (json_object_get_string_member (o, "unit"), ==, units[u][1]);
      if (g_str_equal (name, "pending_txs"))
        g_assert_cmpfloat (json_object_get_double_member (o, "value"), <=, 3);
    }

  /* Logs at a plausible rate: every trade, plus the odd warning and error. */
  g_assert_cmpuint (t.levels[1], >=, t.by_status[ARB_TRADE_FILLED]);
  g_assert_cmpuint (t.levels[2], >=, t.by_status[ARB_TRADE_REVERTED] +
                                     t.by_status[ARB_TRADE_FAILED]);
  g_assert_cmpuint (t.levels[3], >, 0);
  g_assert_cmpuint (t.levels[0] + t.levels[1] + t.levels[2] + t.levels[3] + t.levels[4], <,
                    HOUR / 1000);
  g_assert_cmpuint (get_count (t.components, "executor"), >, 0);
  g_assert_cmpuint (get_count (t.components, "scanner"), >, 0);
  g_assert_cmpuint (get_count (t.components, "rpc"), >, 0);
  g_assert_cmpuint (get_count (t.components, "gas"), >, 0);

  assert_resources_plausible (messages);
  assert_gas_spikes (messages);
  tally_clear (&t);
}

/* --------------------------------------------------------- determinism */

static char *
serialise (GPtrArray *messages)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    {
      g_autofree char *text = to_text (g_ptr_array_index (messages, i));
      g_string_append (s, text);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static void
test_determinism (void)
{
  g_autoptr(GPtrArray) fine = run (7, 1, 10 * MINUTE, 100);
  g_autoptr(GPtrArray) coarse = run (7, 1, 10 * MINUTE, 7000);
  g_autoptr(GPtrArray) once = run (7, 1, 10 * MINUTE, 10 * MINUTE);
  g_autoptr(GPtrArray) other = run (8, 1, 10 * MINUTE, 100);
  g_autofree char *a = serialise (fine);
  g_autofree char *b = serialise (coarse);
  g_autofree char *c = serialise (once);
  g_autofree char *d = serialise (other);

  /* The same seed gives the same messages however finely the clock moves. */
  g_assert_cmpuint (fine->len, >, 1000);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, ==, c);
  g_assert_cmpstr (a, !=, d);
}

/* -------------------------------------------------------------- commands */

typedef struct
{
  ArbDemoBot *bot;
  GPtrArray  *messages;
  gint64      now;
  guint       state_notifies;
} Sim;

static void
on_state_notify (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  ((Sim *) user_data)->state_notifies++;
}

static void
sim_init (Sim *sim, double speed)
{
  sim->bot = arb_demo_bot_new ("cmd-bot", 99);
  sim->messages = attach_collector (sim->bot);
  sim->now = T0;
  sim->state_notifies = 0;
  arb_demo_bot_set_speed (sim->bot, speed);
  g_signal_connect (sim->bot, "notify::state", G_CALLBACK (on_state_notify), sim);
  arb_demo_bot_step (sim->bot, sim->now);
}

static void
sim_clear (Sim *sim)
{
  assert_stream (sim->messages, 1);
  g_clear_object (&sim->bot);
  g_clear_pointer (&sim->messages, g_ptr_array_unref);
}

static void
sim_advance (Sim *sim, gint64 ms)
{
  for (gint64 end = sim->now + ms; sim->now < end; )
    {
      sim->now = MIN (end, sim->now + 500);
      arb_demo_bot_step (sim->bot, sim->now);
    }
}

/* Sends a command, checks that its answer is not instant, and returns the
 * index of the command_result. */
static guint
sim_command (Sim        *sim,
             const char *id,
             const char *name,
             gboolean    want_ok)
{
  guint from = sim->messages->len;
  g_autoptr(JsonObject) args = json_object_new ();

  arb_demo_bot_handle_command (sim->bot, id, name, args);
  sim->now += 49;
  arb_demo_bot_step (sim->bot, sim->now);
  g_assert_cmpuint (count_type (sim->messages, from, "command_result"), ==, 0);
  sim->now += 252;
  arb_demo_bot_step (sim->bot, sim->now);
  g_assert_cmpuint (count_type (sim->messages, from, "command_result"), ==, 1);
  for (guint i = from; i < sim->messages->len; i++)
    {
      JsonObject *o = msg (sim->messages, i);

      if (!is_type (o, "command_result"))
        continue;
      g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, id);
      g_assert_cmpint (json_object_get_boolean_member (o, "ok"), ==, want_ok);
      g_assert_nonnull (json_object_get_string_member (o, "message"));
      return i;
    }
  g_assert_not_reached ();
}

/* The state the next message after @index reports, from a heartbeat. */
static void
assert_heartbeat_after (Sim        *sim,
                        guint       index,
                        const char *state)
{
  for (guint i = index + 1; i < sim->messages->len; i++)
    {
      JsonObject *o = msg (sim->messages, i);

      if (is_type (o, "heartbeat"))
        {
          g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, state);
          /* Sent with the change, not at the next beat. */
          g_assert_cmpint (json_object_get_int_member (o, "ts"), <=, sim->now);
          return;
        }
    }
  g_error ("no heartbeat after the command");
}

static void
assert_all_heartbeats (GPtrArray *messages, guint from, const char *state, guint min_count)
{
  guint n = 0;

  for (guint i = from; i < messages->len; i++)
    if (is_type (msg (messages, i), "heartbeat"))
      {
        g_assert_cmpstr (json_object_get_string_member (msg (messages, i), "state"), ==, state);
        n++;
      }
  g_assert_cmpuint (n, >=, min_count);
}

static guint
count_taken (GPtrArray *messages, guint from, const char *reason, guint *missed_other)
{
  guint taken = 0;

  *missed_other = 0;
  for (guint i = from; i < messages->len; i++)
    {
      JsonObject *o = msg (messages, i);

      if (!is_type (o, "opportunity"))
        continue;
      if (json_object_get_boolean_member (o, "taken"))
        taken++;
      else if (reason == NULL ||
               !g_str_equal (json_object_get_string_member (o, "reason"), reason))
        (*missed_other)++;
    }
  return taken;
}

static void
test_commands (void)
{
  Sim sim;
  guint i, from, missed_other;
  g_autofree char *state = NULL;

  sim_init (&sim, 10.0);
  sim_advance (&sim, MINUTE);
  g_assert_cmpuint (count_type (sim.messages, 0, "trade"), >, 0);
  g_assert_cmpstr (arb_demo_bot_get_state (sim.bot), ==, "running");

  /* pause: opportunities are let go with reason "paused", beats say so. */
  i = sim_command (&sim, "c-1", "pause", TRUE);
  g_assert_cmpstr (json_object_get_string_member (msg (sim.messages, i), "message"), ==, "paused");
  g_assert_cmpstr (arb_demo_bot_get_state (sim.bot), ==, "paused");
  g_object_get (sim.bot, "state", &state, NULL);
  g_assert_cmpstr (state, ==, "paused");
  g_assert_cmpuint (sim.state_notifies, ==, 1);
  assert_heartbeat_after (&sim, i, "paused");
  sim_advance (&sim, 5 * 1000);   /* trades in flight settle */
  from = sim.messages->len;
  sim_advance (&sim, MINUTE);
  g_assert_cmpuint (count_type (sim.messages, from, "opportunity"), >, 50);
  g_assert_cmpuint (count_taken (sim.messages, from, "paused", &missed_other), ==, 0);
  g_assert_cmpuint (missed_other, ==, 0);
  g_assert_cmpuint (count_type (sim.messages, from, "trade"), ==, 0);
  assert_all_heartbeats (sim.messages, from, "paused", 12);

  i = sim_command (&sim, "c-2", "pause", TRUE);
  g_assert_cmpstr (json_object_get_string_member (msg (sim.messages, i), "message"), ==,
                   "already paused");
  g_assert_cmpuint (sim.state_notifies, ==, 1);

  /* resume: taking and trading again. */
  i = sim_command (&sim, "c-3", "resume", TRUE);
  assert_heartbeat_after (&sim, i, "running");
  from = sim.messages->len;
  sim_advance (&sim, MINUTE);
  g_assert_cmpuint (count_taken (sim.messages, from, NULL, &missed_other), >, 0);
  g_assert_cmpuint (count_type (sim.messages, from, "trade"), >, 0);
  assert_all_heartbeats (sim.messages, from, "running", 12);
  i = sim_command (&sim, "c-4", "resume", TRUE);
  g_assert_cmpstr (json_object_get_string_member (msg (sim.messages, i), "message"), ==,
                   "already running");

  /* stop: no scanning, no trades once those in flight have landed. */
  i = sim_command (&sim, "c-5", "stop", TRUE);
  assert_heartbeat_after (&sim, i, "stopped");
  g_assert_cmpstr (arb_demo_bot_get_state (sim.bot), ==, "stopped");
  g_assert_cmpuint (count_type (sim.messages, i, "opportunity"), ==, 0);
  sim_advance (&sim, 5 * 1000);
  from = sim.messages->len;
  sim_advance (&sim, MINUTE);
  g_assert_cmpuint (count_type (sim.messages, from, "opportunity"), ==, 0);
  g_assert_cmpuint (count_type (sim.messages, from, "trade"), ==, 0);
  g_assert_cmpuint (count_type (sim.messages, from, "resources"), ==, 60);
  assert_all_heartbeats (sim.messages, from, "stopped", 12);
  sim_command (&sim, "c-6", "stop", TRUE);
  i = sim_command (&sim, "c-7", "pause", FALSE);
  g_assert_cmpstr (arb_demo_bot_get_state (sim.bot), ==, "stopped");

  /* resume restarts a stopped bot. */
  i = sim_command (&sim, "c-8", "resume", TRUE);
  assert_heartbeat_after (&sim, i, "running");
  from = sim.messages->len;
  sim_advance (&sim, MINUTE);
  g_assert_cmpuint (count_type (sim.messages, from, "opportunity"), >, 50);
  g_assert_cmpuint (count_type (sim.messages, from, "trade"), >, 0);

  /* An unknown command is refused by name and changes nothing. */
  from = sim.messages->len;
  i = sim_command (&sim, "c-9", "self-destruct", FALSE);
  g_assert_nonnull (strstr (json_object_get_string_member (msg (sim.messages, i), "message"),
                            "self-destruct"));
  g_assert_cmpstr (arb_demo_bot_get_state (sim.bot), ==, "running");
  g_assert_cmpuint (count_type (sim.messages, from, "heartbeat"), <=, 1);

  /* Two at once: both answered, each once. */
  from = sim.messages->len;
  arb_demo_bot_handle_command (sim.bot, "c-10", "pause", NULL);
  arb_demo_bot_handle_command (sim.bot, "c-11", "resume", NULL);
  sim_advance (&sim, 1000);
  g_assert_cmpuint (count_type (sim.messages, from, "command_result"), ==, 2);

  /* The control log names who asked. */
  from = 0;
  for (guint k = 0; k < sim.messages->len; k++)
    {
      JsonObject *o = msg (sim.messages, k);

      if (is_type (o, "log") && g_strcmp0 (json_object_get_string_member (o, "component"),
                                           "control") == 0)
        {
          g_assert_nonnull (strstr (json_object_get_string_member (o, "message"), "c-"));
          from++;
        }
    }
  g_assert_cmpuint (from, >=, 5);
  g_assert_cmpuint (sim.state_notifies, >=, 5);
  sim_clear (&sim);
}

/* ------------------------------------------------------- seq and options */

static guint destroyed;

static void
count_destroy (gpointer data)
{
  destroyed++;
}

static void
test_properties (void)
{
  g_autoptr(ArbDemoBot) bot = arb_demo_bot_new (NULL, 5);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) slow = NULL;
  g_autoptr(GPtrArray) fast = NULL;
  g_autofree char *bot_id = NULL;
  guint seed;
  double speed;
  guint interval;
  gint64 next_seq;
  Tally t_slow = { 0 }, t_fast = { 0 };

  g_object_get (bot, "bot-id", &bot_id, "seed", &seed, "speed", &speed,
                "heartbeat-interval-ms", &interval, "next-seq", &next_seq, NULL);
  g_assert_cmpstr (bot_id, ==, "demo");
  g_assert_cmpuint (seed, ==, 5);
  g_assert_cmpuint (arb_demo_bot_get_seed (bot), ==, 5);
  g_assert_cmpfloat (speed, ==, 1.0);
  g_assert_cmpuint (interval, ==, 5000);
  g_assert_cmpint (next_seq, ==, 1);
  g_assert_false (arb_demo_bot_is_started (bot));

  /* A send function is replaced cleanly, its data freed. */
  destroyed = 0;
  arb_demo_bot_set_send_func (bot, collect, NULL, count_destroy);
  arb_demo_bot_set_send_func (bot, NULL, NULL, NULL);
  g_assert_cmpuint (destroyed, ==, 1);

  /* Events resume from the seq the dashboard asks for. */
  g_object_set (bot, "next-seq", (gint64) 42, "heartbeat-interval-ms", 1000u, NULL);
  g_assert_cmpuint (arb_demo_bot_get_heartbeat_interval_ms (bot), ==, 1000);
  messages = attach_collector (bot);
  arb_demo_bot_step (bot, T0);
  arb_demo_bot_step (bot, T0 + MINUTE);
  assert_stream (messages, 42);
  g_assert_cmpint (json_object_get_int_member (msg (messages, 0), "seq"), ==, 42);
  g_assert_cmpuint (count_type (messages, 0, "heartbeat"), ==, 61);
  g_assert_cmpint (arb_demo_bot_get_next_seq (bot), ==, 42 + (gint64) messages->len);

  /* A later interval counts from the last beat. */
  arb_demo_bot_set_heartbeat_interval_ms (bot, 10000);
  g_ptr_array_set_size (messages, 0);
  arb_demo_bot_step (bot, T0 + 2 * MINUTE);
  g_assert_cmpuint (count_type (messages, 0, "heartbeat"), ==, 6);

  /* Time going back does nothing. */
  g_ptr_array_set_size (messages, 0);
  arb_demo_bot_step (bot, T0);
  g_assert_cmpuint (messages->len, ==, 0);

  /* Speed multiplies market activity, not the telemetry cadence. */
  slow = run (11, 1, 10 * MINUTE, 1000);
  {
    g_autoptr(ArbDemoBot) quick = arb_demo_bot_new (NULL, 11);

    g_object_set (quick, "speed", 10.0, NULL);
    g_assert_cmpfloat (arb_demo_bot_get_speed (quick), ==, 10.0);
    fast = attach_collector (quick);
    for (gint64 t = 0; t <= 10 * MINUTE; t += 1000)
      arb_demo_bot_step (quick, T0 + t);
  }
  assert_stream (fast, 1);
  tally (&t_slow, slow);
  tally (&t_fast, fast);
  g_assert_cmpuint (t_fast.opportunities, >, 6 * t_slow.opportunities);
  g_assert_cmpuint (t_fast.trades, >, 4 * t_slow.trades);
  g_assert_cmpuint (t_fast.resources, ==, t_slow.resources);
  g_assert_cmpuint (t_fast.heartbeats, ==, t_slow.heartbeats);
  tally_clear (&t_slow);
  tally_clear (&t_fast);
}

/* ------------------------------------------------------------ main loop */

typedef struct
{
  GPtrArray  *messages;
  ArbDemoBot *bot;
  gboolean    stop_on_first;
} LoopData;

static void
collect_and_stop (JsonNode *message,
                  gpointer  user_data)
{
  LoopData *data = user_data;

  g_ptr_array_add (data->messages, json_node_ref (message));
  /* Reentrancy: stopping from inside the send function is allowed. */
  if (data->stop_on_first)
    arb_demo_bot_stop (data->bot);
}

static gboolean
has_all_types (GPtrArray *messages, guint from, const char *const *types)
{
  for (guint t = 0; types[t] != NULL; t++)
    if (count_type (messages, from, types[t]) == 0)
      return FALSE;
  return TRUE;
}

static void
spin (GMainContext *context,
      gint64        ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_usleep (1000);
      while (g_main_context_iteration (context, FALSE))
        ;
    }
}


static void
test_main_loop (void)
{
  static const char *const wanted[] = {
    "heartbeat", "resources", "metric", "opportunity", "trade", "log", NULL };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (
    (GDestroyNotify) json_node_unref);
  ArbDemoBot *bot = arb_demo_bot_new (NULL, 3);
  LoopData data = { messages, bot, FALSE };
  gint64 started_ms;
  gint64 last_seq;
  guint n, i;

  g_main_context_push_thread_default (context);
  arb_demo_bot_set_speed (bot, 200.0);
  arb_demo_bot_set_heartbeat_interval_ms (bot, 200);
  arb_demo_bot_set_send_func (bot, collect_and_stop, &data, NULL);

  started_ms = g_get_real_time () / 1000;
  arb_demo_bot_start (bot, 7);
  g_assert_true (arb_demo_bot_is_started (bot));
  g_assert_cmpstr (type_of (msg (messages, 0)), ==, "hello");
  /* The state goes out with the hello, not a beat later. */
  g_assert_cmpuint (messages->len, >=, 2);
  g_assert_cmpstr (type_of (msg (messages, 1)), ==, "heartbeat");
  g_assert_cmpint (json_object_get_int_member (msg (messages, 1), "seq"), ==, 7);

  WAIT_UNTIL_IN (context, has_all_types (messages, 0, wanted) &&
                       count_type (messages, 0, "heartbeat") >= 3);
  g_assert_cmpint (json_object_get_int_member (msg (messages, 1), "ts"), >=, started_ms);
  g_assert_cmpint (json_object_get_int_member (msg (messages, messages->len - 1), "ts"), <=,
                   g_get_real_time () / 1000);

  /* A command is answered by the timers, after a moment. */
  n = messages->len;
  arb_demo_bot_handle_command (bot, "c-1", "pause", NULL);
  g_assert_cmpuint (count_type (messages, n, "command_result"), ==, 0);
  WAIT_UNTIL_IN (context, count_type (messages, n, "command_result") == 1);
  g_assert_cmpstr (arb_demo_bot_get_state (bot), ==, "paused");

  /* Stopped timers send nothing. */
  arb_demo_bot_stop (bot);
  g_assert_false (arb_demo_bot_is_started (bot));
  n = messages->len;
  spin (context, 300);
  g_assert_cmpuint (messages->len, ==, n);
  assert_stream (messages, 7);

  /* After a reconnect the caller sent hello itself: events resume at the
   * welcome's last_seq + 1, and the time away is skipped, not replayed. */
  last_seq = arb_demo_bot_get_next_seq (bot) - 1;
  started_ms = g_get_real_time () / 1000;
  arb_demo_bot_start_full (bot, last_seq + 1, FALSE);
  g_assert_cmpstr (type_of (msg (messages, n)), ==, "heartbeat");
  g_assert_cmpint (json_object_get_int_member (msg (messages, n), "ts"), >=, started_ms);
  g_assert_cmpstr (json_object_get_string_member (msg (messages, n), "state"), ==, "paused");
  WAIT_UNTIL_IN (context, count_type (messages, n, "heartbeat") >= 3);
  g_assert_cmpuint (count_type (messages, n, "hello"), ==, 0);
  for (i = n; i < messages->len; i++)
    g_assert_cmpint (json_object_get_int_member (msg (messages, i), "ts"), >=, started_ms);
  assert_stream (messages, 7);

  /* Stopping from inside the send function ends the run. */
  data.stop_on_first = TRUE;
  n = messages->len;
  spin (context, 300);
  g_assert_false (arb_demo_bot_is_started (bot));
  g_assert_cmpuint (messages->len, >, n);
  n = messages->len;
  spin (context, 300);
  g_assert_cmpuint (messages->len, ==, n);

  /* Dropping a running bot removes its timer. */
  data.stop_on_first = FALSE;
  arb_demo_bot_start_full (bot, arb_demo_bot_get_next_seq (bot), FALSE);
  g_object_unref (bot);
  n = messages->len;
  spin (context, 300);
  g_assert_cmpuint (messages->len, ==, n);

  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  arb_limits_init_default (&limits);

  g_test_add_func ("/arb/demo-bot/hello", test_hello);
  g_test_add_func ("/arb/demo-bot/invalid-id", test_invalid_id);
  g_test_add_func ("/arb/demo-bot/hour", test_hour);
  g_test_add_func ("/arb/demo-bot/determinism", test_determinism);
  g_test_add_func ("/arb/demo-bot/commands", test_commands);
  g_test_add_func ("/arb/demo-bot/properties", test_properties);
  g_test_add_func ("/arb/demo-bot/main-loop", test_main_loop);

  return g_test_run ();
}
