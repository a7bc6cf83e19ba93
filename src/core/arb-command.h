/* arb-command.h: a command from the dashboard to a bot, and its audit record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  ARB_COMMAND_PENDING,    /* sent, no result yet */
  ARB_COMMAND_OK,         /* the bot answered ok */
  ARB_COMMAND_FAILED,     /* the bot answered not ok */
  ARB_COMMAND_TIMEOUT,    /* no result within the timeout */
  ARB_COMMAND_REJECTED,   /* never sent: bot not connected, or it does not take it */
} ArbCommandStatus;

typedef struct
{
  char             *id;
  char             *bot_id;
  char             *name;
  char             *args_json;   /* the args object as JSON text */
  char             *role;        /* who: "operator", "desktop", ... */
  char             *token_name;  /* who: the token's name, or NULL */
  gint64            created_ms;
  gint64            finished_ms; /* 0 while pending */
  ArbCommandStatus  status;
  char             *message;
  gint64            hub_seq;     /* seq of its last item on the hub, 0 if none */
} ArbCommand;

ArbCommand  *arb_command_new          (const char      *id,
                                       const char      *bot_id,
                                       const char      *name,
                                       const char      *args_json,
                                       const char      *role,
                                       const char      *token_name,
                                       gint64           created_ms);
ArbCommand  *arb_command_copy         (const ArbCommand *command);
void         arb_command_free         (ArbCommand      *command);
void         arb_command_finish       (ArbCommand      *command,
                                       ArbCommandStatus status,
                                       const char      *message,
                                       gint64           finished_ms);
const char  *arb_command_status_name  (ArbCommandStatus status);
gboolean     arb_command_status_parse (const char      *name,
                                       ArbCommandStatus *status);
JsonNode    *arb_command_to_json      (const ArbCommand *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbCommand, arb_command_free)

G_END_DECLS
