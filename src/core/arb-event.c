/* arb-event.c: parsing and validation of the bot messages of protocol v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-event"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-event.h"
#include "arb-json.h"
#include "arb-json-check.h"

static int find_name (const char *const *names, guint n_names, const char *s);

static const char *trade_status_names[] = { "filled", "failed", "reverted" };
static const char *run_state_names[] = { "running", "paused", "stopped", "error" };
static const char *log_level_names[] = { "debug", "info", "warning", "error", "critical" };

void
arb_limits_init_default (ArbLimits *limits)
{
  limits->max_message_bytes = 64 * 1024;
  limits->max_body_bytes = 1024 * 1024;
  limits->max_batch_events = 1000;
  limits->max_string_bytes = 4 * 1024;
  limits->max_depth = 16;
}

const char *
arb_trade_status_name (ArbTradeStatus status)
{
  g_return_val_if_fail (status < ARB_TRADE_N_STATUS, "failed");
  return trade_status_names[status];
}

gboolean
arb_trade_status_parse (const char     *name,
                        ArbTradeStatus *status)
{
  int i = name != NULL ? find_name (trade_status_names, G_N_ELEMENTS (trade_status_names), name)
                       : -1;

  if (i < 0)
    return FALSE;
  *status = i;
  return TRUE;
}

const char *
arb_bot_run_state_name (ArbBotRunState state)
{
  g_return_val_if_fail (state <= ARB_BOT_ERROR, "error");
  return run_state_names[state];
}

const char *
arb_log_level_name (ArbLogLevel level)
{
  g_return_val_if_fail (level <= ARB_LOG_CRITICAL, "error");
  return log_level_names[level];
}

gboolean
arb_log_level_parse (const char  *name,
                     ArbLogLevel *level)
{
  int i = name != NULL ? find_name (log_level_names, G_N_ELEMENTS (log_level_names), name) : -1;

  if (i < 0)
    return FALSE;
  *level = i;
  return TRUE;
}

gboolean
arb_is_identifier (const char *s)
{
  gsize n = 0;

  if (s == NULL)
    return FALSE;
  for (; s[n] != '\0'; n++)
    {
      char c = s[n];
      if (!(g_ascii_isalnum (c) || c == '.' || c == '_' || c == ':' || c == '-'))
        return FALSE;
      if (n >= 128)
        return FALSE;
    }
  return n >= 1;
}

static int
find_name (const char *const *names, guint n_names, const char *s)
{
  for (guint i = 0; i < n_names; i++)
    if (strcmp (names[i], s) == 0)
      return (int) i;
  return -1;
}

/* ---------------------------------------------------------------- limits */

static gboolean
check_node (JsonNode        *node,
            const ArbLimits *limits,
            guint            depth,
            const char      *member,
            char           **field,
            GError         **error);

/* A string that json-glib could not decode as it was sent, or a number it
 * could not hold (see arb-json-check.h): the message is refused naming the
 * member. */
static gboolean
fail_text (char **field, const char *member, GError **error, const char *problem)
{
  if (field != NULL)
    *field = g_strdup (member);
  if (member != NULL)
    g_set_error (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "field '%s' %s", member, problem);
  else
    g_set_error (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "a string %s", problem);
  return FALSE;
}

static gboolean
fail_limit (char **field, const char *member, GError **error, const char *what)
{
  if (field != NULL)
    *field = g_strdup (member);
  g_set_error (error, ARB_ERROR, ARB_ERROR_TOO_LARGE, "%s%s%s", what,
               member != NULL ? ": " : "", member != NULL ? member : "");
  return FALSE;
}

typedef struct
{
  const ArbLimits *limits;
  guint            depth;
  const char      *member;   /* of the object or array walked */
  char           **field;
  GError         **error;
  gboolean         ok;
} LimitWalk;

static void
check_member (JsonObject *object, const char *name, JsonNode *node, gpointer user_data)
{
  LimitWalk *w = user_data;
  const char *problem;

  if (!w->ok)
    return;
  /* a bad member name is named by the member that holds it */
  if ((problem = arb_json_text_problem (name)) != NULL)
    w->ok = fail_text (w->field, w->member, w->error, problem);
  else if (strlen (name) > w->limits->max_string_bytes)
    w->ok = fail_limit (w->field, NULL, w->error, "member name longer than the string limit");
  else
    w->ok = check_node (node, w->limits, w->depth, name, w->field, w->error);
}

static void
check_element (JsonArray *array, guint index, JsonNode *node, gpointer user_data)
{
  LimitWalk *w = user_data;

  if (w->ok)
    w->ok = check_node (node, w->limits, w->depth, w->member, w->field, w->error);
}

static gboolean
check_node (JsonNode        *node,
            const ArbLimits *limits,
            guint            depth,
            const char      *member,
            char           **field,
            GError         **error)
{
  LimitWalk w = { limits, depth + 1, member, field, error, TRUE };
  const char *problem;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      if (depth + 1 > limits->max_depth)
        return fail_limit (field, member, error, "JSON nested deeper than the limit");
      json_object_foreach_member (json_node_get_object (node), check_member, &w);
      return w.ok;
    case JSON_NODE_ARRAY:
      if (depth + 1 > limits->max_depth)
        return fail_limit (field, member, error, "JSON nested deeper than the limit");
      json_array_foreach_element (json_node_get_array (node), check_element, &w);
      return w.ok;
    case JSON_NODE_VALUE:
      /* an integer beyond gint64 (see arb-json-check.h) or a number beyond
       * a double: refused wherever it is, even where the dashboard only
       * passes it on (command args), rather than written as null */
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE &&
          !isfinite (json_node_get_double (node)))
        return fail_text (field, member, error, "is out of range: beyond ±(2^63 - 1) for an "
                          "integer, beyond about ±1.8e308 for a number");
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return TRUE;
      if ((problem = arb_json_text_problem (json_node_get_string (node))) != NULL)
        return fail_text (field, member, error, problem);
      if (strlen (json_node_get_string (node)) > limits->max_string_bytes)
        return fail_limit (field, member, error, "string longer than the limit");
      return TRUE;
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

gboolean
arb_json_check_limits (JsonNode        *node,
                       const ArbLimits *limits,
                       char           **field,
                       GError         **error)
{
  g_return_val_if_fail (node != NULL, FALSE);
  return check_node (node, limits, 0, NULL, field, error);
}

/* json-glib's parser recurses once per nesting level, so a hostile frame of
 * thousands of '[' could exhaust the stack before any tree check runs: count
 * the depth on the raw bytes first. */
gboolean
arb_json_prescan_depth (const char *text,
                        gsize       len,
                        guint       max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
arb_json_parse_text (JsonParser      *parser,
                     const char      *text,
                     gsize            len,
                     const ArbLimits *limits,
                     char           **field,
                     GError         **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (len > limits->max_message_bytes)
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_TOO_LARGE,
                   "message of %" G_GSIZE_FORMAT " bytes is over the limit of %" G_GSIZE_FORMAT,
                   len, limits->max_message_bytes);
      return NULL;
    }
  root = arb_json_load (parser, text, len, limits->max_depth, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST,
                           "a message must be a JSON object");
      return NULL;
    }
  if (!arb_json_check_limits (root, limits, field, error))
    return NULL;
  return g_steal_pointer (&root);
}

/* ---------------------------------------------------------------- fields */

typedef struct
{
  JsonObject      *object;
  const ArbLimits *limits;
  char           **field;
  GError         **error;
} Fields;

static gboolean
field_error (Fields *f, const char *name, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
field_error (Fields *f, const char *name, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, fmt);
  what = g_strdup_vprintf (fmt, args);
  va_end (args);
  if (f->field != NULL)
    *f->field = g_strdup (name);
  g_set_error (f->error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "field '%s' %s", name, what);
  return FALSE;
}

/* Returns the member, or NULL when absent or JSON null (an optional field
 * sent as null counts as absent). */
static JsonNode *
member (Fields *f, const char *name, gboolean required, gboolean *ok)
{
  JsonNode *node = json_object_get_member (f->object, name);

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        *ok = field_error (f, name, "is required");
      return NULL;
    }
  return node;
}

static gboolean
get_string (Fields *f, const char *name, gboolean required, char **out)
{
  gboolean ok;
  JsonNode *node = member (f, name, required, &ok);

  *out = NULL;
  if (node == NULL)
    return ok;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return field_error (f, name, "must be a string");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_ident (Fields *f, const char *name, gboolean required, char **out)
{
  if (!get_string (f, name, required, out))
    return FALSE;
  if (*out != NULL && !arb_is_identifier (*out))
    {
      g_clear_pointer (out, g_free);
      return field_error (f, name, "must be 1 to 128 characters of [A-Za-z0-9._:-]");
    }
  return TRUE;
}

static gboolean
get_nonempty (Fields *f, const char *name, gboolean required, char **out)
{
  if (!get_string (f, name, required, out))
    return FALSE;
  if (*out != NULL && **out == '\0')
    {
      g_clear_pointer (out, g_free);
      return field_error (f, name, "must not be empty");
    }
  return TRUE;
}

/* Integers must be JSON integers (arb_json_load() makes one out of the range
 * of gint64 an infinity), or numbers with no fractional part that a double
 * holds exactly: below 2^53, since 2^53 + 1 reads as 2^53. */
static gboolean
get_int (Fields *f, const char *name, gboolean required, gint64 *out)
{
  gboolean ok;
  JsonNode *node = member (f, name, required, &ok);
  GType type;

  *out = -1;
  if (node == NULL)
    return ok;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);
      if (isfinite (d) && d == floor (d) && fabs (d) < 9007199254740992.0)
        {
          *out = (gint64) d;
          return TRUE;
        }
      if (!isfinite (d) || fabs (d) >= 9007199254740992.0)
        return field_error (f, name, "is out of range: an integer within ±(2^63 - 1), or "
                            "below 2^53 when written with a fraction or an exponent");
    }
  return field_error (f, name, "must be an integer");
}

/* For counters where absent is -1 and present must be at least @min. */
static gboolean
get_int_min (Fields *f, const char *name, gboolean required, gint64 min, gint64 *out)
{
  gboolean present = json_object_get_member (f->object, name) != NULL &&
                     !JSON_NODE_HOLDS_NULL (json_object_get_member (f->object, name));

  if (!get_int (f, name, required, out))
    return FALSE;
  if (present && *out < min)
    return field_error (f, name, "must be at least %" G_GINT64_FORMAT, min);
  return TRUE;
}

static gboolean
get_number (Fields *f, const char *name, gboolean required, double *out)
{
  gboolean ok;
  JsonNode *node = member (f, name, required, &ok);
  GType type;

  *out = NAN;
  if (node == NULL)
    return ok;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return field_error (f, name, "must be a number");
  /* json-glib 1.6 writes doubles of 1e17 and more as invalid JSON ("1e+18.0"),
   * and no money, gas or gauge figure needs that range. */
  if (!isfinite (*out) || fabs (*out) > ARB_MAX_NUMBER)
    return field_error (f, name, "must be a finite number within ±1e15");
  return TRUE;
}

static gboolean
get_bool (Fields *f, const char *name, gboolean required, gboolean *out)
{
  gboolean ok;
  JsonNode *node = member (f, name, required, &ok);

  *out = FALSE;
  if (node == NULL)
    return ok;
  if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return field_error (f, name, "must be true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_enum (Fields *f, const char *name, const char *const *names, guint n_names, int *out)
{
  g_autofree char *s = NULL;
  g_autofree char *choices = NULL;

  if (!get_string (f, name, TRUE, &s))
    return FALSE;
  *out = find_name (names, n_names, s);
  if (*out >= 0)
    return TRUE;
  choices = g_strjoinv (", ", (char **) names);
  return field_error (f, name, "must be one of: %s", choices);
}

/* An amount of tokens is a decimal string, since it may exceed 2^53:
 * 1*DIGIT [ "." 1*DIGIT ], no sign, no exponent (docs/api.md). */
static gboolean
is_amount (const char *s)
{
  const char *p = s;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == s)
    return FALSE;
  if (*p == '.')
    {
      const char *fraction = ++p;
      while (g_ascii_isdigit (*p))
        p++;
      if (p == fraction)
        return FALSE;
    }
  return *p == '\0';
}

static gboolean
get_amount (Fields *f, const char *name, char **out)
{
  if (!get_string (f, name, FALSE, out))
    return FALSE;
  if (*out == NULL || is_amount (*out))
    return TRUE;
  g_clear_pointer (out, g_free);
  return field_error (f, name, "must be a non-negative decimal string: digits, optionally "
                      "with a point and more digits (\"1500\", \"0.25\")");
}

/* ---------------------------------------------------------------- messages */

static gboolean
parse_hello (Fields *f, ArbHello *h)
{
  gboolean ok;
  JsonNode *node;

  if (!get_ident (f, "bot_id", TRUE, &h->bot_id) ||
      !get_nonempty (f, "name", TRUE, &h->name) ||
      !get_string (f, "version", FALSE, &h->version) ||
      !get_string (f, "strategy", FALSE, &h->strategy) ||
      !get_nonempty (f, "quote", FALSE, &h->quote) ||
      !get_int_min (f, "pid", FALSE, 1, &h->pid) ||
      !get_int_min (f, "heartbeat_ms", FALSE, ARB_HEARTBEAT_MS_MIN, &h->heartbeat_ms))
    return FALSE;
  /* bounded: stale after 3 intervals must stay within sight (and within gint64) */
  if (h->heartbeat_ms > ARB_HEARTBEAT_MS_MAX)
    return field_error (f, "heartbeat_ms", "must be at most %d", ARB_HEARTBEAT_MS_MAX);
  h->heartbeat_ms = MAX (h->heartbeat_ms, 0);
  if (h->quote == NULL)
    h->quote = g_strdup ("USD");

  node = member (f, "commands", FALSE, &ok);
  if (node == NULL)
    {
      h->commands = g_new0 (char *, 1);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return field_error (f, "commands", "must be an array of command names");
  {
    JsonArray *array = json_node_get_array (node);
    guint n = json_array_get_length (array);
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

    if (n > 64)
      return field_error (f, "commands", "must list at most 64 commands");
    for (guint i = 0; i < n; i++)
      {
        JsonNode *el = json_array_get_element (array, i);
        if (json_node_get_value_type (el) != G_TYPE_STRING ||
            !arb_is_identifier (json_node_get_string (el)))
          return field_error (f, "commands", "must be an array of command names");
        g_strv_builder_add (builder, json_node_get_string (el));
      }
    h->commands = g_strv_builder_end (builder);
  }
  return TRUE;
}

static gboolean
parse_trade (Fields *f, ArbTrade *t)
{
  int status;

  if (!get_ident (f, "id", TRUE, &t->id) ||
      !get_nonempty (f, "pair", TRUE, &t->pair) ||
      !get_nonempty (f, "buy_venue", TRUE, &t->buy_venue) ||
      !get_nonempty (f, "sell_venue", TRUE, &t->sell_venue) ||
      !get_enum (f, "status", trade_status_names, G_N_ELEMENTS (trade_status_names), &status) ||
      !get_number (f, "profit", TRUE, &t->profit) ||
      !get_string (f, "chain", FALSE, &t->chain) ||
      !get_amount (f, "amount_in", &t->amount_in) ||
      !get_amount (f, "amount_out", &t->amount_out) ||
      !get_int_min (f, "gas_used", FALSE, 0, &t->gas_used) ||
      !get_number (f, "gas_price_gwei", FALSE, &t->gas_price_gwei) ||
      !get_number (f, "gas_cost", FALSE, &t->gas_cost) ||
      !get_number (f, "fees", FALSE, &t->fees) ||
      !get_number (f, "latency_ms", FALSE, &t->latency_ms) ||
      !get_string (f, "tx_hash", FALSE, &t->tx_hash))
    return FALSE;
  t->status = status;
  return TRUE;
}

static gboolean
parse_opportunity (Fields *f, ArbOpportunity *o)
{
  return get_nonempty (f, "pair", TRUE, &o->pair) &&
         get_nonempty (f, "buy_venue", TRUE, &o->buy_venue) &&
         get_nonempty (f, "sell_venue", TRUE, &o->sell_venue) &&
         get_number (f, "spread_bps", TRUE, &o->spread_bps) &&
         get_number (f, "expected_profit", TRUE, &o->expected_profit) &&
         get_bool (f, "taken", TRUE, &o->taken) &&
         get_string (f, "reason", FALSE, &o->reason);
}

typedef struct
{
  const char *name;
  gsize       offset;
} GroupField;

#define RF(n, m) { n, G_STRUCT_OFFSET (ArbResources, m) }

static const GroupField pool_fields[] = {
  RF ("size", pool_size), RF ("in_use", pool_in_use), RF ("waiting", pool_waiting), { NULL, 0 } };
static const GroupField task_fields[] = {
  RF ("running", tasks_running), RF ("queued", tasks_queued),
  RF ("completed", tasks_completed), RF ("failed", tasks_failed), { NULL, 0 } };
static const GroupField memory_fields[] = {
  RF ("rss_bytes", memory_rss_bytes), RF ("heap_bytes", memory_heap_bytes), { NULL, 0 } };
static const GroupField cache_fields[] = {
  RF ("entries", cache_entries), RF ("bytes", cache_bytes), RF ("hits", cache_hits),
  RF ("misses", cache_misses), RF ("evictions", cache_evictions), { NULL, 0 } };

#undef RF

static gboolean
parse_group (Fields *f, ArbResources *r, const char *group, const GroupField *fields,
             gboolean *has)
{
  gboolean ok;
  JsonNode *node = member (f, group, FALSE, &ok);
  JsonObject *object;

  for (const GroupField *gf = fields; gf->name != NULL; gf++)
    G_STRUCT_MEMBER (double, r, gf->offset) = NAN;
  *has = node != NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return field_error (f, group, "must be an object");
  object = json_node_get_object (node);
  for (const GroupField *gf = fields; gf->name != NULL; gf++)
    {
      JsonNode *value = json_object_get_member (object, gf->name);
      GType type;

      if (value == NULL || JSON_NODE_HOLDS_NULL (value))
        continue;
      type = json_node_get_value_type (value);
      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        {
          g_autofree char *name = g_strdup_printf ("%s.%s", group, gf->name);
          return field_error (f, name, "must be a number");
        }
      G_STRUCT_MEMBER (double, r, gf->offset) = json_node_get_double (value);
      if (fabs (G_STRUCT_MEMBER (double, r, gf->offset)) > ARB_MAX_NUMBER)
        {
          g_autofree char *name = g_strdup_printf ("%s.%s", group, gf->name);
          return field_error (f, name, "must be a finite number within ±1e15");
        }
    }
  return TRUE;
}

static gboolean
parse_resources (Fields *f, ArbResources *r)
{
  return parse_group (f, r, "pool", pool_fields, &r->has_pool) &&
         parse_group (f, r, "tasks", task_fields, &r->has_tasks) &&
         parse_group (f, r, "memory", memory_fields, &r->has_memory) &&
         parse_group (f, r, "cache", cache_fields, &r->has_cache);
}

static gboolean
parse_metric (Fields *f, ArbMetric *m)
{
  if (!get_nonempty (f, "name", TRUE, &m->name) ||
      !get_number (f, "value", TRUE, &m->value) ||
      !get_string (f, "unit", FALSE, &m->unit))
    return FALSE;
  if (strlen (m->name) > 128)
    return field_error (f, "name", "must be at most 128 characters");
  for (const char *p = m->name; *p; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("._:-/", *p) != NULL))
      return field_error (f, "name", "must be characters of [A-Za-z0-9._:/-]");
  return TRUE;
}

static gboolean
parse_log (Fields *f, ArbLog *l)
{
  int level;

  if (!get_enum (f, "level", log_level_names, G_N_ELEMENTS (log_level_names), &level) ||
      !get_string (f, "message", TRUE, &l->message) ||
      !get_string (f, "component", FALSE, &l->component))
    return FALSE;
  l->level = level;
  return TRUE;
}

static gboolean
parse_command_result (Fields *f, ArbCommandResult *c)
{
  return get_ident (f, "id", TRUE, &c->id) &&
         get_bool (f, "ok", TRUE, &c->ok) &&
         get_string (f, "message", FALSE, &c->message);
}

static gboolean
parse_heartbeat (Fields *f, ArbHeartbeat *h)
{
  int state;

  if (!get_enum (f, "state", run_state_names, G_N_ELEMENTS (run_state_names), &state) ||
      !get_string (f, "message", FALSE, &h->message))
    return FALSE;
  h->state = state;
  return TRUE;
}

static const char *type_names[] = {
  "hello", "heartbeat", "trade", "opportunity", "resources", "metric", "log", "command_result",
};

const char *
arb_msg_type_name (ArbMsgType type)
{
  g_return_val_if_fail (type <= ARB_MSG_COMMAND_RESULT, "unknown");
  return type_names[type];
}

static gboolean
parse_body (Fields *f, ArbEvent *event)
{
  switch (event->type)
    {
    case ARB_MSG_HELLO: return parse_hello (f, &event->hello);
    case ARB_MSG_HEARTBEAT: return parse_heartbeat (f, &event->heartbeat);
    case ARB_MSG_TRADE: return parse_trade (f, &event->trade);
    case ARB_MSG_OPPORTUNITY: return parse_opportunity (f, &event->opportunity);
    case ARB_MSG_RESOURCES: return parse_resources (f, &event->resources);
    case ARB_MSG_METRIC: return parse_metric (f, &event->metric);
    case ARB_MSG_LOG: return parse_log (f, &event->log);
    case ARB_MSG_COMMAND_RESULT: return parse_command_result (f, &event->command_result);
    default: g_assert_not_reached ();
    }
}

static gboolean
parse_type (Fields *f, ArbMsgType *type)
{
  g_autofree char *name = NULL;
  int index;

  if (!get_string (f, "type", TRUE, &name))
    return FALSE;
  index = find_name (type_names, G_N_ELEMENTS (type_names), name);
  if (index < 0)
    return field_error (f, "type", "'%.64s' is not a bot message type", name);
  *type = index;
  return TRUE;
}

static gboolean
has_seq (ArbMsgType type)
{
  return type != ARB_MSG_HELLO && type != ARB_MSG_COMMAND_RESULT;
}

ArbEvent *
arb_event_from_json (JsonObject      *object,
                     const ArbLimits *limits,
                     char           **field,
                     gint64          *seq_out,
                     GError         **error)
{
  Fields f = { object, limits, field, error };
  g_autoptr(ArbEvent) event = g_new0 (ArbEvent, 1);

  g_return_val_if_fail (object != NULL, NULL);

  if (seq_out != NULL)
    *seq_out = 0;
  if (field != NULL)
    *field = NULL;
  if (!parse_type (&f, &event->type))
    {
      /* An unknown type with a valid seq still consumes it (see docs/api.md),
       * so a bot from a newer protocol version is not stuck on it. */
      JsonNode *seq = json_object_get_member (object, "seq");
      if (seq_out != NULL && seq != NULL && json_node_get_value_type (seq) == G_TYPE_INT64 &&
          json_node_get_int (seq) >= 1)
        *seq_out = json_node_get_int (seq);
      return NULL;
    }
  if (has_seq (event->type))
    {
      if (!get_int_min (&f, "seq", TRUE, 1, &event->seq))
        return NULL;
      /* From here on the seq is valid: the caller may consume it even when
       * the rest of the message is bad, so one bad event cannot block a bot. */
      if (seq_out != NULL)
        *seq_out = event->seq;
      if (!get_int_min (&f, "ts", TRUE, 0, &event->ts))
        return NULL;
    }
  if (!parse_body (&f, event))
    return NULL;
  return g_steal_pointer (&event);
}

void
arb_event_free (ArbEvent *event)
{
  if (event == NULL)
    return;
  switch (event->type)
    {
    case ARB_MSG_HELLO:
      g_free (event->hello.bot_id);
      g_free (event->hello.name);
      g_free (event->hello.version);
      g_free (event->hello.strategy);
      g_free (event->hello.quote);
      g_strfreev (event->hello.commands);
      break;
    case ARB_MSG_HEARTBEAT:
      g_free (event->heartbeat.message);
      break;
    case ARB_MSG_TRADE:
      g_free (event->trade.id);
      g_free (event->trade.pair);
      g_free (event->trade.buy_venue);
      g_free (event->trade.sell_venue);
      g_free (event->trade.chain);
      g_free (event->trade.amount_in);
      g_free (event->trade.amount_out);
      g_free (event->trade.tx_hash);
      break;
    case ARB_MSG_OPPORTUNITY:
      g_free (event->opportunity.pair);
      g_free (event->opportunity.buy_venue);
      g_free (event->opportunity.sell_venue);
      g_free (event->opportunity.reason);
      break;
    case ARB_MSG_METRIC:
      g_free (event->metric.name);
      g_free (event->metric.unit);
      break;
    case ARB_MSG_LOG:
      g_free (event->log.message);
      g_free (event->log.component);
      break;
    case ARB_MSG_COMMAND_RESULT:
      g_free (event->command_result.id);
      g_free (event->command_result.message);
      break;
    case ARB_MSG_RESOURCES:
    default:
      break;
    }
  g_free (event);
}

/* ---------------------------------------------------------------- to JSON */

static void
trade_to_json (GString *s, const ArbTrade *t)
{
  arb_json_member_string (s, "id", t->id);
  arb_json_member_string (s, "pair", t->pair);
  arb_json_member_string (s, "buy_venue", t->buy_venue);
  arb_json_member_string (s, "sell_venue", t->sell_venue);
  arb_json_member_string (s, "status", arb_trade_status_name (t->status));
  arb_json_member_double (s, "profit", t->profit);
  arb_json_opt_string (s, "chain", t->chain);
  arb_json_opt_string (s, "amount_in", t->amount_in);
  arb_json_opt_string (s, "amount_out", t->amount_out);
  if (t->gas_used >= 0)
    arb_json_member_int (s, "gas_used", t->gas_used);
  arb_json_opt_double (s, "gas_price_gwei", t->gas_price_gwei);
  arb_json_opt_double (s, "gas_cost", t->gas_cost);
  arb_json_opt_double (s, "fees", t->fees);
  arb_json_opt_double (s, "latency_ms", t->latency_ms);
  arb_json_opt_string (s, "tx_hash", t->tx_hash);
}

static void
group_to_json (GString *s, const ArbResources *r, const char *group,
               const GroupField *fields, gboolean has)
{
  if (!has)
    return;
  arb_json_key (s, group);
  arb_json_object_begin (s);
  for (const GroupField *gf = fields; gf->name != NULL; gf++)
    arb_json_opt_double (s, gf->name, G_STRUCT_MEMBER (double, r, gf->offset));
  arb_json_object_end (s);
}

static void
body_to_json (GString *s, const ArbEvent *e)
{
  switch (e->type)
    {
    case ARB_MSG_HELLO:
      arb_json_member_string (s, "name", e->hello.name);
      arb_json_opt_string (s, "version", e->hello.version);
      arb_json_opt_string (s, "strategy", e->hello.strategy);
      arb_json_member_string (s, "quote", e->hello.quote);
      arb_json_key (s, "commands");
      arb_json_array_begin (s);
      for (char **c = e->hello.commands; c && *c; c++)
        arb_json_string (s, *c);
      arb_json_array_end (s);
      break;
    case ARB_MSG_HEARTBEAT:
      arb_json_member_string (s, "state", arb_bot_run_state_name (e->heartbeat.state));
      arb_json_opt_string (s, "message", e->heartbeat.message);
      break;
    case ARB_MSG_TRADE:
      trade_to_json (s, &e->trade);
      break;
    case ARB_MSG_OPPORTUNITY:
      arb_json_member_string (s, "pair", e->opportunity.pair);
      arb_json_member_string (s, "buy_venue", e->opportunity.buy_venue);
      arb_json_member_string (s, "sell_venue", e->opportunity.sell_venue);
      arb_json_member_double (s, "spread_bps", e->opportunity.spread_bps);
      arb_json_member_double (s, "expected_profit", e->opportunity.expected_profit);
      arb_json_member_bool (s, "taken", e->opportunity.taken);
      arb_json_opt_string (s, "reason", e->opportunity.reason);
      break;
    case ARB_MSG_RESOURCES:
      group_to_json (s, &e->resources, "pool", pool_fields, e->resources.has_pool);
      group_to_json (s, &e->resources, "tasks", task_fields, e->resources.has_tasks);
      group_to_json (s, &e->resources, "memory", memory_fields, e->resources.has_memory);
      group_to_json (s, &e->resources, "cache", cache_fields, e->resources.has_cache);
      break;
    case ARB_MSG_METRIC:
      arb_json_member_string (s, "name", e->metric.name);
      arb_json_member_double (s, "value", e->metric.value);
      arb_json_opt_string (s, "unit", e->metric.unit);
      break;
    case ARB_MSG_LOG:
      arb_json_member_string (s, "level", arb_log_level_name (e->log.level));
      arb_json_member_string (s, "message", e->log.message);
      arb_json_opt_string (s, "component", e->log.component);
      break;
    case ARB_MSG_COMMAND_RESULT:
      arb_json_member_string (s, "id", e->command_result.id);
      arb_json_member_bool (s, "ok", e->command_result.ok);
      arb_json_opt_string (s, "message", e->command_result.message);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * arb_event_write_json:
 * @event: a validated event
 * @bot_id: (nullable): the bot it came from, written as "bot_id"
 * @out: where to append the JSON object
 *
 * Writes the event's data as the hub publishes and REST serves it: the
 * protocol's fields, without the "type", and without unknown fields.
 */
void
arb_event_write_json (const ArbEvent *event,
                      const char     *bot_id,
                      GString        *out)
{
  g_return_if_fail (event != NULL);

  arb_json_object_begin (out);
  if (bot_id != NULL)
    arb_json_member_string (out, "bot_id", bot_id);
  if (has_seq (event->type))
    {
      arb_json_member_int (out, "seq", event->seq);
      arb_json_member_int (out, "ts", event->ts);
    }
  body_to_json (out, event);
  arb_json_object_end (out);
}

char *
arb_event_to_json (const ArbEvent *event,
                   const char     *bot_id)
{
  GString *s = g_string_sized_new (512);

  arb_event_write_json (event, bot_id, s);
  return g_string_free (s, FALSE);
}
