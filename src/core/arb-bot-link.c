/* arb-bot-link.c: what the dashboard knows of one bot and its connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * States (PROTOCOL.md): a bot is "stale" when nothing proves it alive for
 * three of its heartbeat intervals, "lost" after twelve, "disconnected" when
 * its last connection closed. The interval is the one its hello declared
 * (heartbeat_ms, revision 1.1), else learnt from the gaps between heartbeats
 * (default 5 s, so stale after 15 s and lost after 60 s). Times are
 * the dashboard's own clock at receipt, so a bot's skewed clock cannot make
 * it look alive or dead.
 */
#define G_LOG_DOMAIN "arb-bot-link"

#include "config.h"

#include "arb-bot-link.h"

#define DEFAULT_INTERVAL_MS 5000
#define MIN_INTERVAL_MS     1000
#define MAX_INTERVAL_MS     60000
#define STALE_INTERVALS     3
#define LOST_INTERVALS      12

struct _ArbBotLink
{
  GObject         parent_instance;

  ArbBotIdentity  identity;       /* from hello, or the store's last one */
  gint64          pid;

  gint64          stored_seq;
  gint64          accepted_seq;

  guint           n_connections;
  gboolean        via_http;       /* reporting without a connection */
  gint64          last_alive_ms;  /* receipt of the last proof of life */
  gint64          last_heartbeat_ms;
  gint64          last_seen_ms;
  gint64          interval_ms;
  gboolean        interval_declared; /* by hello's heartbeat_ms: not learnt */
  gboolean        has_heartbeat;
  ArbBotRunState  run_state;
  ArbLinkState    state;
};

G_DEFINE_FINAL_TYPE (ArbBotLink, arb_bot_link, G_TYPE_OBJECT)

enum { PROP_0, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *state_names[] = { "connected", "stale", "lost", "disconnected" };

const char *
arb_link_state_name (ArbLinkState state)
{
  g_return_val_if_fail (state <= ARB_LINK_DISCONNECTED, "disconnected");
  return state_names[state];
}

static void
arb_bot_link_finalize (GObject *object)
{
  ArbBotLink *self = ARB_BOT_LINK (object);

  arb_bot_identity_clear (&self->identity);

  G_OBJECT_CLASS (arb_bot_link_parent_class)->finalize (object);
}

static void
arb_bot_link_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArbBotLink *self = ARB_BOT_LINK (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_bot_link_class_init (ArbBotLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arb_bot_link_finalize;
  object_class->get_property = arb_bot_link_get_property;

  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, ARB_LINK_CONNECTED, ARB_LINK_DISCONNECTED,
                      ARB_LINK_DISCONNECTED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arb_bot_link_init (ArbBotLink *self)
{
  self->identity.commands = g_new0 (char *, 1);
  self->identity.quote = g_strdup ("USD");
  self->pid = -1;
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->state = ARB_LINK_DISCONNECTED;
  self->run_state = ARB_BOT_RUNNING;
}

ArbBotLink *
arb_bot_link_new (const char *bot_id)
{
  ArbBotLink *self = g_object_new (ARB_TYPE_BOT_LINK, NULL);

  self->identity.bot_id = g_strdup (bot_id);
  self->identity.name = g_strdup (bot_id);
  return self;
}

const char *arb_bot_link_get_bot_id (ArbBotLink *self) { return self->identity.bot_id; }
const char *arb_bot_link_get_name (ArbBotLink *self) { return self->identity.name; }
const char *arb_bot_link_get_version (ArbBotLink *self) { return self->identity.version; }
const char *arb_bot_link_get_strategy (ArbBotLink *self) { return self->identity.strategy; }
const char *arb_bot_link_get_quote (ArbBotLink *self) { return self->identity.quote; }
const char *const *
arb_bot_link_get_commands (ArbBotLink *self)
{
  return (const char *const *) self->identity.commands;
}
gint64 arb_bot_link_get_pid (ArbBotLink *self) { return self->pid; }
gint64 arb_bot_link_get_stored_seq (ArbBotLink *self) { return self->stored_seq; }
gint64 arb_bot_link_get_accepted_seq (ArbBotLink *self) { return self->accepted_seq; }
ArbLinkState arb_bot_link_get_state (ArbBotLink *self) { return self->state; }
ArbBotRunState arb_bot_link_get_run_state (ArbBotLink *self) { return self->run_state; }
gboolean arb_bot_link_has_heartbeat (ArbBotLink *self) { return self->has_heartbeat; }
gint64 arb_bot_link_get_last_heartbeat (ArbBotLink *self) { return self->last_heartbeat_ms; }
gint64 arb_bot_link_get_last_seen (ArbBotLink *self) { return self->last_seen_ms; }
gint64 arb_bot_link_get_heartbeat_interval (ArbBotLink *self) { return self->interval_ms; }
guint arb_bot_link_get_n_connections (ArbBotLink *self) { return self->n_connections; }

gboolean
arb_bot_link_takes_command (ArbBotLink *self,
                            const char *name)
{
  return g_strv_contains ((const char *const *) self->identity.commands, name);
}

void
arb_bot_link_apply_hello (ArbBotLink     *self,
                          const ArbHello *hello)
{
  g_return_if_fail (g_strcmp0 (hello->identity.bot_id, self->identity.bot_id) == 0);

  arb_bot_identity_clear (&self->identity);
  arb_bot_identity_copy (&self->identity, &hello->identity);
  if (self->identity.quote == NULL)
    self->identity.quote = g_strdup ("USD");
  self->pid = hello->pid;
  /* a bot knows its interval: learning it from the gaps took many beats */
  if (hello->heartbeat_ms > 0)
    self->interval_ms = hello->heartbeat_ms;
  else if (self->interval_declared)
    self->interval_ms = DEFAULT_INTERVAL_MS;
  self->interval_declared = hello->heartbeat_ms > 0;
}

void
arb_bot_link_set_stored_seq (ArbBotLink *self,
                             gint64      seq)
{
  self->stored_seq = MAX (self->stored_seq, seq);
  self->accepted_seq = MAX (self->accepted_seq, self->stored_seq);
}

void
arb_bot_link_set_accepted_seq (ArbBotLink *self,
                               gint64      seq)
{
  /* may go back (to stored_seq) when a commit failed */
  self->accepted_seq = MAX (seq, self->stored_seq);
}

static ArbLinkState
compute_state (ArbBotLink *self, gint64 now_ms)
{
  gint64 age;

  if (self->n_connections == 0 && !self->via_http)
    return ARB_LINK_DISCONNECTED;
  age = now_ms - self->last_alive_ms;
  if (age > LOST_INTERVALS * self->interval_ms)
    return ARB_LINK_LOST;
  if (age > STALE_INTERVALS * self->interval_ms)
    return ARB_LINK_STALE;
  return ARB_LINK_CONNECTED;
}

gboolean
arb_bot_link_check (ArbBotLink *self,
                    gint64      now_ms)
{
  ArbLinkState state = compute_state (self, now_ms);

  if (state == self->state)
    return FALSE;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return TRUE;
}

gboolean
arb_bot_link_attach (ArbBotLink *self,
                     gint64      now_ms)
{
  self->n_connections++;
  self->via_http = FALSE;
  self->last_alive_ms = now_ms;
  self->last_seen_ms = now_ms;
  return arb_bot_link_check (self, now_ms);
}

gboolean
arb_bot_link_detach (ArbBotLink *self,
                     gint64      now_ms)
{
  g_return_val_if_fail (self->n_connections > 0, FALSE);
  self->n_connections--;
  return arb_bot_link_check (self, now_ms);
}

void
arb_bot_link_seen (ArbBotLink *self,
                   gint64      now_ms)
{
  self->last_seen_ms = now_ms;
  if (self->n_connections == 0)
    {
      self->via_http = TRUE;
      self->last_alive_ms = now_ms;
    }
}

gboolean
arb_bot_link_heartbeat (ArbBotLink         *self,
                        const ArbHeartbeat *heartbeat,
                        gint64              ts_ms,
                        gint64              now_ms)
{
  gboolean run_changed = !self->has_heartbeat || self->run_state != heartbeat->state;
  gboolean state_changed;

  if (!self->interval_declared && self->has_heartbeat && now_ms > self->last_heartbeat_ms)
    {
      gint64 gap = CLAMP (now_ms - self->last_heartbeat_ms, MIN_INTERVAL_MS, MAX_INTERVAL_MS);
      /* a slow average: one late heartbeat must not stretch the deadline much */
      self->interval_ms = (self->interval_ms * 7 + gap) / 8;
    }
  self->has_heartbeat = TRUE;
  self->last_heartbeat_ms = now_ms;
  self->run_state = heartbeat->state;
  arb_bot_link_seen (self, now_ms);
  self->last_alive_ms = now_ms;
  state_changed = arb_bot_link_check (self, now_ms);
  return run_changed || state_changed;
}

static void
add_opt (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
arb_bot_link_to_json (ArbBotLink *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  add_opt (b, "bot_id", self->identity.bot_id);
  add_opt (b, "name", self->identity.name);
  add_opt (b, "version", self->identity.version);
  add_opt (b, "strategy", self->identity.strategy);
  add_opt (b, "quote", self->identity.quote);
  add_opt (b, "state", arb_link_state_name (self->state));
  add_opt (b, "run_state", self->has_heartbeat ? arb_bot_run_state_name (self->run_state) : NULL);
  json_builder_set_member_name (b, "last_heartbeat");
  if (self->has_heartbeat)
    json_builder_add_int_value (b, self->last_heartbeat_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "heartbeat_interval_ms");
  json_builder_add_int_value (b, self->interval_ms);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, self->stored_seq);
  json_builder_set_member_name (b, "connections");
  json_builder_add_int_value (b, self->n_connections);
  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (char **c = self->identity.commands; *c != NULL; c++)
    json_builder_add_string_value (b, *c);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "pid");
  if (self->pid > 0)
    json_builder_add_int_value (b, self->pid);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
