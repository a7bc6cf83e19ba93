/* arb-ingest-commands.c: operators' commands to a bot, their timeouts and their audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A command goes out on the WebSocket connection of its bot; its result
 * counts only from that connection. Every state it goes through is
 * published and kept in the audit table.
 */
#define G_LOG_DOMAIN "arb-ingest"

#include "config.h"

#include "arb-ingest-private.h"
#include "arb-json.h"
#include "arb-json-check.h"

/* ---------------------------------------------------------------- commands */

void
_arb_pending_command_free (PendingCommand *pc)
{
  g_clear_handle_id (&pc->timeout_id, g_source_remove);
  g_clear_pointer (&pc->session, _arb_session_unref);
  arb_command_free (pc->command);
  g_free (pc);
}

/* A command's every state is published and kept in the audit table. */
static void
record_command (ArbIngest *self, ArbCommand *command)
{
  ArbStoreBatch *batch = arb_store_batch_new (NULL);

  command->hub_seq = arb_hub_publish_node (self->hub, ARB_TOPIC_BOTS, "command",
                                           _arb_ingest_now_ms (), NULL,
                                           arb_command_to_json (command));
  arb_store_batch_put_command (batch, command);
  arb_store_submit (self->store, batch, NULL, NULL);
  _arb_ingest_command_changed (self, command);
}

void
_arb_ingest_finish_command (ArbIngest        *self,
                            PendingCommand   *pc,
                            ArbCommandStatus  status,
                            const char       *message)
{
  arb_command_finish (pc->command, status, message, _arb_ingest_now_ms ());
  record_command (self, pc->command);
  if (pc->done != NULL)
    pc->done (pc->command, pc->done_data);
  g_hash_table_remove (self->commands, pc->command->id);
}

static gboolean
command_timeout (gpointer data)
{
  PendingCommand *pc = data;
  g_autofree char *message = g_strdup_printf ("no result from bot %s within %u ms",
                                              pc->command->bot_id,
                                              pc->ingest->command_timeout_ms);

  pc->timeout_id = 0;
  _arb_ingest_finish_command (pc->ingest, pc, ARB_COMMAND_TIMEOUT, message);
  return G_SOURCE_REMOVE;
}

static char *
command_frame (const ArbCommand *c)
{
  return g_strdup_printf ("{\"type\":\"command\",\"id\":\"%s\",\"name\":\"%s\",\"args\":%s}",
                          c->id, c->name, c->args_json);
}

static char *
reject_reason (ArbIngest *self, const char *bot_id, const char *name, ArbSession **session)
{
  ArbBotLink *link = g_hash_table_lookup (self->links, bot_id);
  g_autofree char *takes = NULL;

  *session = g_hash_table_lookup (self->live, bot_id);
  if (self->shut_down)
    return g_strdup ("the dashboard is shutting down");
  if (!arb_is_identifier (name))
    return g_strdup ("a command name is 1 to 128 characters of [A-Za-z0-9._:-]");
  if (link == NULL)
    return g_strdup_printf ("there is no bot %s", bot_id);
  if (*session == NULL)
    return g_strdup_printf ("bot %s is not connected", bot_id);
  if (arb_bot_link_takes_command (link, name))
    return NULL;
  takes = g_strjoinv (", ", (char **) arb_bot_link_get_commands (link));
  return g_strdup_printf ("bot %s does not take the command %s (it takes: %s)", bot_id, name,
                          *takes != '\0' ? takes : "none");
}

void
arb_ingest_send_command (ArbIngest      *self,
                         const char     *bot_id,
                         const char     *name,
                         JsonNode       *args,
                         const char     *role,
                         const char     *token_name,
                         ArbCommandDone  done,
                         gpointer        user_data)
{
  g_autofree char *id = g_strdup_printf ("c-%" G_GINT64_FORMAT "-%u", _arb_ingest_now_ms (),
                                         ++self->command_counter);
  g_autofree char *args_json = args != NULL && JSON_NODE_HOLDS_OBJECT (args)
                               ? arb_json_node_to_string (args) : g_strdup ("{}");
  g_autofree char *reason = NULL;
  g_autofree char *frame = NULL;
  ArbSession *session = NULL;
  PendingCommand *pc = g_new0 (PendingCommand, 1);

  pc->ingest = self;
  pc->command = arb_command_new (id, bot_id, name, args_json, role, token_name,
                                 _arb_ingest_now_ms ());
  pc->done = done;
  pc->done_data = user_data;
  g_hash_table_insert (self->commands, pc->command->id, pc);

  reason = reject_reason (self, bot_id, name, &session);
  if (reason == NULL && args != NULL && !JSON_NODE_HOLDS_OBJECT (args))
    reason = g_strdup ("the args of a command must be a JSON object");
  if (reason != NULL)
    {
      _arb_ingest_finish_command (self, pc, ARB_COMMAND_REJECTED, reason);
      return;
    }
  pc->session = _arb_session_ref (session);
  record_command (self, pc->command);
  frame = command_frame (pc->command);
  _arb_session_send (session, frame);
  pc->timeout_id = g_timeout_add (self->command_timeout_ms, command_timeout, pc);
}

/* A result counts only from the connection its command was sent on (@s;
 * NULL for an HTTP batch, which never carries a command): another
 * connection, even one of the same bot_id (a second process, or one that
 * took the bot_id over since), cannot forge the outcome the operator sees. */
gboolean
_arb_ingest_take_command_result (ArbIngest *self, ArbSession *s, const ArbCommandResult *r)
{
  PendingCommand *pc = g_hash_table_lookup (self->commands, r->id);

  if (pc == NULL || s == NULL || pc->session != s)
    return FALSE;
  _arb_ingest_finish_command (self, pc, r->ok ? ARB_COMMAND_OK : ARB_COMMAND_FAILED,
                              r->message != NULL ? r->message : (r->ok ? "done" : "failed"));
  return TRUE;
}

