/* arb-ingest.h: bot messages in, durable events and hub items out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arb-bot-link.h"
#include "arb-command.h"
#include "arb-error.h"
#include "arb-event.h"
#include "arb-hub.h"
#include "arb-store.h"

G_BEGIN_DECLS

#define ARB_TYPE_INGEST (arb_ingest_get_type ())

G_DECLARE_FINAL_TYPE (ArbIngest, arb_ingest, ARB, INGEST, GObject)

/* How a session talks back to its bot: a WebSocket in the server, a
 * function call for the in-process demo bot. */
typedef struct
{
  void (*send)  (gpointer transport, const char *text, gsize len);
  void (*close) (gpointer transport, gushort code, const char *reason);
} ArbSessionVTable;

typedef struct _ArbSession ArbSession;

/* The WebSocket close code of a connection that a newer connection of the
 * same bot replaced (application range 4000-4999). */
#define ARB_CLOSE_REPLACED 4409

/* @answer is {"ack":N,"errors":[...]} when @status is 200, else the
 * protocol's error body; borrowed for the call. */
typedef void (*ArbIngestPostDone) (guint     status,
                                   JsonNode *answer,
                                   gpointer  user_data);

/* @command is the outcome (ok, failed, timeout or rejected). */
typedef void (*ArbCommandDone)    (const ArbCommand *command,
                                   gpointer          user_data);

typedef struct
{
  guint64 events;          /* accepted events */
  guint64 duplicates;
  guint64 rejected;        /* error frames / error entries sent */
  guint64 rejected_dropped; /* refused messages not kept: too many waiting for the disk */
  guint64 acks;
  guint64 commits_failed;
  guint   sessions;
} ArbIngestStats;

ArbIngest   *arb_ingest_new               (ArbStore                *store,
                                           ArbHub                  *hub,
                                           const ArbLimits         *limits);
const ArbLimits *arb_ingest_get_limits    (ArbIngest               *self);
void         arb_ingest_load_bots         (ArbIngest               *self,
                                           GPtrArray               *stored_bots);
ArbBotLink  *arb_ingest_lookup_bot        (ArbIngest               *self,
                                           const char              *bot_id);
GPtrArray   *arb_ingest_list_bots         (ArbIngest               *self);
const char  *arb_ingest_get_common_quote  (ArbIngest               *self);
void         arb_ingest_set_command_timeout (ArbIngest             *self,
                                           guint                    timeout_ms);
void         arb_ingest_set_max_in_flight (ArbIngest               *self,
                                           guint                    max_events);
void         arb_ingest_get_stats         (ArbIngest               *self,
                                           ArbIngestStats          *stats);
/* @bot_id is "" for messages of no known bot. */
typedef void (*ArbRejectedCountFunc) (const char   *bot_id,
                                      ArbErrorCode  code,
                                      guint64       count,
                                      gpointer      user_data);
void         arb_ingest_foreach_rejected  (ArbIngest               *self,
                                           ArbRejectedCountFunc     func,
                                           gpointer                 user_data);
/* Re-evaluates stale/lost (called by a 1 s timer, or by tests). */
void         arb_ingest_check_bots        (ArbIngest               *self,
                                           gint64                   now_ms);

ArbSession  *arb_ingest_open_session      (ArbIngest               *self,
                                           const ArbSessionVTable  *vtable,
                                           gpointer                 transport);
void         arb_session_receive_text     (ArbSession              *session,
                                           const char              *text,
                                           gsize                    len);
void         arb_session_receive_node     (ArbSession              *session,
                                           JsonNode                *message);
/* Reports a transport-level problem (binary frame, ...) to the bot. */
void         arb_session_send_error       (ArbSession              *session,
                                           ArbErrorCode             code,
                                           const char              *field,
                                           const char              *message);
/* The same, for a message the ingest never saw: also kept in the log of
 * refused messages. */
void         arb_session_reject           (ArbSession              *session,
                                           ArbErrorCode             code,
                                           const char              *field,
                                           const char              *message,
                                           const char              *raw,
                                           gsize                    len);
const char  *arb_session_get_bot_id       (ArbSession              *session);
/* The bot_ids the connection's token may speak for (copied); NULL: any. */
void         arb_session_set_bot_ids      (ArbSession              *session,
                                           const char *const       *bot_ids);
/* The transport is gone: no more sends; the session is freed when no
 * commit holds it any more. */
void         arb_session_closed           (ArbSession              *session);

void         arb_ingest_post              (ArbIngest               *self,
                                           const char              *body,
                                           gsize                    len,
                                           ArbIngestPostDone        done,
                                           gpointer                 user_data);
/* The same for a token bound to @bot_ids (NULL: any). */
void         arb_ingest_post_full         (ArbIngest               *self,
                                           const char              *body,
                                           gsize                    len,
                                           const char *const       *bot_ids,
                                           ArbIngestPostDone        done,
                                           gpointer                 user_data);

void         arb_ingest_send_command      (ArbIngest               *self,
                                           const char              *bot_id,
                                           const char              *name,
                                           JsonNode                *args,
                                           const char              *role,
                                           const char              *token_name,
                                           ArbCommandDone           done,
                                           gpointer                 user_data);

/* Submits what is pending now instead of at the end of the main-loop turn. */
void         arb_ingest_submit_pending    (ArbIngest               *self);
/* Commits everything, then closes every session with 1001 (going away). */
void         arb_ingest_shutdown          (ArbIngest               *self);

G_END_DECLS
