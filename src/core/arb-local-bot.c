/* arb-local-bot.c: a demo bot that talks to the ingest in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The in-process demo bot goes through the very same session code as a
 * network bot; only the transport is a function call. The engine runs one;
 * tests run more, faster ones, beside it.
 */
#define G_LOG_DOMAIN "arb-local-bot"

#include "config.h"

#include <json-glib/json-glib.h>

#include "arb-local-bot.h"

struct _ArbLocalBot
{
  ArbDemoBot *bot;
  ArbSession *session;     /* NULL once the dashboard closed it */
  gint64      acked;       /* the highest seq acknowledged */
  guint       n_errors;
  gushort     close_code;
};

static void
local_send (gpointer transport, const char *text, gsize len)
{
  ArbLocalBot *self = transport;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *msg;
  const char *type;
  gint64 seq;

  if (!json_parser_load_from_data (parser, text, len, NULL))
    return;
  msg = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (msg, "type", "");
  if (g_str_equal (type, "welcome") && !arb_demo_bot_is_started (self->bot))
    arb_demo_bot_start_full (self->bot, json_object_get_int_member (msg, "last_seq") + 1, FALSE);
  else if (g_str_equal (type, "command"))
    arb_demo_bot_handle_command (self->bot, json_object_get_string_member (msg, "id"),
                                 json_object_get_string_member (msg, "name"),
                                 json_object_get_object_member (msg, "args"));
  else if (g_str_equal (type, "ack"))
    {
      seq = json_object_get_int_member (msg, "seq");
      if (seq < self->acked)
        g_warning ("The dashboard's ack went back from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                   self->acked, seq);
      self->acked = seq;
    }
  else if (g_str_equal (type, "error"))
    {
      self->n_errors++;
      g_warning ("The dashboard refused a message of the demo bot: %.*s", (int) len, text);
    }
}

static void
local_close (gpointer transport, gushort code, const char *reason)
{
  ArbLocalBot *self = transport;

  self->close_code = code;
  arb_demo_bot_stop (self->bot);
  if (self->session != NULL)
    arb_session_closed (g_steal_pointer (&self->session));
}

static const ArbSessionVTable local_vtable = { local_send, local_close };

static void
local_message (JsonNode *message, gpointer data)
{
  ArbLocalBot *self = data;

  if (self->session != NULL)
    arb_session_receive_node (self->session, message);
}

/**
 * arb_local_bot_new:
 * @ingest: the ingest to talk to
 * @bot: the bot; it starts once the dashboard welcomes it
 *
 * Opens a session for @bot and says its hello.
 *
 * Returns: (transfer full): the connection; free it with arb_local_bot_free()
 */
ArbLocalBot *
arb_local_bot_new (ArbIngest  *ingest,
                   ArbDemoBot *bot)
{
  ArbLocalBot *self = g_new0 (ArbLocalBot, 1);
  g_autoptr(JsonNode) hello = NULL;

  g_return_val_if_fail (ARB_IS_INGEST (ingest), NULL);
  g_return_val_if_fail (ARB_IS_DEMO_BOT (bot), NULL);

  self->bot = g_object_ref (bot);
  arb_demo_bot_set_send_func (bot, local_message, self, NULL);
  self->session = arb_ingest_open_session (ingest, &local_vtable, self);
  hello = arb_demo_bot_hello (bot);
  arb_session_receive_node (self->session, hello);
  return self;
}

/**
 * arb_local_bot_free:
 *
 * Stops the bot and closes its session if the dashboard has not.
 */
void
arb_local_bot_free (ArbLocalBot *self)
{
  if (self == NULL)
    return;
  arb_demo_bot_stop (self->bot);
  arb_demo_bot_set_send_func (self->bot, NULL, NULL, NULL);
  if (self->session != NULL)
    arb_session_closed (g_steal_pointer (&self->session));
  g_object_unref (self->bot);
  g_free (self);
}

ArbDemoBot *arb_local_bot_get_bot (ArbLocalBot *self) { return self->bot; }

/**
 * arb_local_bot_is_open:
 *
 * Returns: whether the session is open (the dashboard has not closed it)
 */
gboolean arb_local_bot_is_open (ArbLocalBot *self) { return self->session != NULL; }

/**
 * arb_local_bot_get_acked:
 *
 * Returns: the highest seq the dashboard acknowledged
 */
gint64 arb_local_bot_get_acked (ArbLocalBot *self) { return self->acked; }

/**
 * arb_local_bot_get_n_errors:
 *
 * Returns: how many error frames the dashboard sent
 */
guint arb_local_bot_get_n_errors (ArbLocalBot *self) { return self->n_errors; }

/**
 * arb_local_bot_get_close_code:
 *
 * Returns: the code the dashboard closed the session with, 0 while open
 */
gushort arb_local_bot_get_close_code (ArbLocalBot *self) { return self->close_code; }
