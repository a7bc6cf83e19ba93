/* arb-ingest-private.h: what the files of ArbIngest share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * arb-ingest.c holds the batches, commits and the ingest's life cycle;
 * arb-ingest-session.c the bot connections; arb-ingest-commands.c the
 * operators' commands; arb-ingest-http.c the HTTP batches.
 */
#pragma once

#include "arb-ingest.h"

G_BEGIN_DECLS

#define N_ERROR_CODES              (ARB_ERROR_INTERNAL + 1)

typedef struct _Pending Pending;

struct _ArbSession
{
  gint                    ref_count;
  ArbIngest              *ingest;    /* NULL once the ingest is gone */
  const ArbSessionVTable *vtable;
  gpointer                transport;
  gboolean                closed;
  gboolean                replaced;  /* a newer connection speaks for its bot */
  JsonParser             *parser;
  ArbBotLink             *link;      /* after hello */
  Pending                *pending;   /* open batch of this turn */
  /* the message being handled, for the log of refused messages */
  const char             *raw;
  gsize                   raw_len;
  JsonNode               *raw_node;
  char                  **bot_ids;   /* its token's bot_ids; NULL: any */
};

/* One store batch on its way: who to ack, and what to publish. */
struct _Pending
{
  ArbIngest         *ingest;
  ArbSession        *session;   /* NULL for HTTP */
  ArbBotLink        *link;
  ArbStoreBatch     *batch;
  ArbHubTicket      *ticket;
  guint              n_accepted;
  /* HTTP only */
  JsonBuilder       *errors;
  ArbIngestPostDone  post_done;
  gpointer           post_data;
};

typedef struct
{
  ArbIngest      *ingest;
  ArbCommand     *command;
  ArbSession     *session;
  guint           timeout_id;
  ArbCommandDone  done;
  gpointer        done_data;
} PendingCommand;

struct _ArbIngest
{
  GObject         parent_instance;

  ArbStore       *store;
  ArbHub         *hub;
  ArbLimits       limits;
  guint           command_timeout_ms;
  guint           max_in_flight;

  GHashTable     *links;        /* bot_id -> ArbBotLink */
  GHashTable     *in_flight;    /* ArbBotLink -> events queued, not committed (GUINT) */
  GHashTable     *live;         /* bot_id -> ArbSession* most recent connection */
  GPtrArray      *open;         /* Pending* waiting for the end of the turn */
  guint           submit_id;
  GHashTable     *sessions;     /* ArbSession* set, for shutdown */
  GHashTable     *commands;     /* id -> PendingCommand* */
  guint           command_counter;
  gboolean        shut_down;     /* takes nothing more: it said goodbye */
  ArbIngestStats  stats;

  /* refused messages: those of no session batch, and those not yet durable */
  ArbStoreBatch  *rejected_batch;
  guint           rejected_queued;
  gsize           rejected_queued_bytes;
  GHashTable     *rejected_counts;  /* bot_id (a known bot) -> guint64[N_ERROR_CODES] */
  guint64         rejected_unknown[N_ERROR_CODES];
};

/* Where an event came from, and where its errors go. */
typedef struct
{
  ArbIngest  *ingest;
  ArbSession *session;   /* a connection, or */
  Pending    *post;      /* an HTTP batch */
  guint       index;     /* of the event in the HTTP batch */
  JsonNode   *raw_node;  /* the event in the HTTP batch */
} Origin;

gint64      _arb_ingest_now_ms              (void);

/* refused messages and bots (arb-ingest.c) */
void        _arb_ingest_record_rejection    (ArbIngest        *self,
                                             ArbStoreBatch    *batch,
                                             const char       *bot_id,
                                             gint64            seq,
                                             ArbErrorCode      code,
                                             const char       *field,
                                             const char       *message,
                                             const char       *raw,
                                             gsize             len,
                                             JsonNode         *node);
void        _arb_ingest_emit_bot_changed    (ArbIngest        *self,
                                             ArbBotLink       *link);
void        _arb_ingest_command_changed     (ArbIngest        *self,
                                             ArbCommand       *command);
ArbBotLink *_arb_ingest_ensure_link         (ArbIngest        *self,
                                             const char       *bot_id);

/* pending batches (arb-ingest.c) */
Pending    *_arb_pending_new                (ArbIngest        *self,
                                             ArbSession       *session,
                                             ArbBotLink       *link);
Pending    *_arb_session_pending            (ArbSession       *s);
void        _arb_ingest_submit_in_order     (GPtrArray        *open,
                                             Pending          *p);
void        _arb_ingest_drop_submitted      (GPtrArray        *open);

/* one event, from a connection or an HTTP batch (arb-ingest.c) */
void        _arb_origin_error               (Origin           *o,
                                             ArbErrorCode      code,
                                             const char       *field,
                                             const char       *message,
                                             gint64            seq);
void        _arb_origin_ingest_event        (Origin           *o,
                                             ArbBotLink       *link,
                                             ArbEvent         *event);
void        _arb_origin_ingest_invalid      (Origin           *o,
                                             ArbBotLink       *link,
                                             const GError     *error,
                                             const char       *field,
                                             gint64            seq);

/* sessions (arb-ingest-session.c) */
ArbSession *_arb_session_ref                (ArbSession       *s);
void        _arb_session_unref              (ArbSession       *s);
void        _arb_session_send               (ArbSession       *s,
                                             const char       *text);
void        _arb_session_send_error_seq     (ArbSession       *s,
                                             ArbErrorCode      code,
                                             const char       *field,
                                             const char       *message,
                                             gint64            seq);
void        _arb_session_record             (ArbSession       *s,
                                             ArbErrorCode      code,
                                             const char       *field,
                                             const char       *message,
                                             gint64            seq);
gboolean    _arb_may_speak_for              (char            **bot_ids,
                                             const char       *bot_id);
char       *_arb_forbidden_bot_id           (const char       *bot_id);
gint64      _arb_message_seq                (JsonObject       *object);

/* commands (arb-ingest-commands.c) */
void        _arb_pending_command_free       (PendingCommand   *pc);
void        _arb_ingest_finish_command      (ArbIngest        *self,
                                             PendingCommand   *pc,
                                             ArbCommandStatus  status,
                                             const char       *message);
gboolean    _arb_ingest_take_command_result (ArbIngest        *self,
                                             ArbSession       *s,
                                             const ArbCommandResult *r);

G_END_DECLS
