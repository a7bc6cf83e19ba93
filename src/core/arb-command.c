/* arb-command.c: a command from the dashboard to a bot, and its audit record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-command"

#include "config.h"

#include <string.h>

#include "arb-command.h"

/* "done" for a command the bot carried out, as PROTOCOL.md names it; the
 * records stored before were "ok", which still reads back as done. */
static const char *status_names[] = { "pending", "done", "failed", "timeout", "rejected" };

ArbCommand *
arb_command_new (const char *id,
                 const char *bot_id,
                 const char *name,
                 const char *args_json,
                 const char *role,
                 const char *token_name,
                 gint64      created_ms)
{
  ArbCommand *c = g_new0 (ArbCommand, 1);

  c->id = g_strdup (id);
  c->bot_id = g_strdup (bot_id);
  c->name = g_strdup (name);
  c->args_json = g_strdup (args_json != NULL ? args_json : "{}");
  c->role = g_strdup (role);
  c->token_name = g_strdup (token_name);
  c->created_ms = created_ms;
  c->status = ARB_COMMAND_PENDING;
  return c;
}

ArbCommand *
arb_command_copy (const ArbCommand *command)
{
  ArbCommand *c = arb_command_new (command->id, command->bot_id, command->name,
                                   command->args_json, command->role, command->token_name,
                                   command->created_ms);

  c->finished_ms = command->finished_ms;
  c->status = command->status;
  c->message = g_strdup (command->message);
  c->hub_seq = command->hub_seq;
  return c;
}

void
arb_command_free (ArbCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->id);
  g_free (command->bot_id);
  g_free (command->name);
  g_free (command->args_json);
  g_free (command->role);
  g_free (command->token_name);
  g_free (command->message);
  g_free (command);
}

void
arb_command_finish (ArbCommand      *command,
                    ArbCommandStatus status,
                    const char      *message,
                    gint64           finished_ms)
{
  command->status = status;
  g_free (command->message);
  command->message = g_strdup (message);
  command->finished_ms = finished_ms;
}

const char *
arb_command_status_name (ArbCommandStatus status)
{
  g_return_val_if_fail (status <= ARB_COMMAND_REJECTED, "failed");
  return status_names[status];
}

gboolean
arb_command_status_parse (const char       *name,
                          ArbCommandStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_strcmp0 (name, status_names[i]) == 0)
      {
        *status = i;
        return TRUE;
      }
  if (g_strcmp0 (name, "ok") == 0)
    {
      *status = ARB_COMMAND_OK;
      return TRUE;
    }
  return FALSE;
}

JsonNode *
arb_command_to_json (const ArbCommand *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, c->id);
  json_builder_set_member_name (b, "bot_id");
  json_builder_add_string_value (b, c->bot_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "args");
  if (json_parser_load_from_data (parser, c->args_json, -1, NULL))
    json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "who");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, c->role);
  json_builder_set_member_name (b, "token");
  if (c->token_name != NULL)
    json_builder_add_string_value (b, c->token_name);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, c->created_ms);
  json_builder_set_member_name (b, "finished");
  if (c->finished_ms > 0)
    json_builder_add_int_value (b, c->finished_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, arb_command_status_name (c->status));
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, c->status == ARB_COMMAND_OK);
  json_builder_set_member_name (b, "message");
  if (c->message != NULL)
    json_builder_add_string_value (b, c->message);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
