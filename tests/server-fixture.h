/* server-fixture.h: a real engine and server on a loopback port, and libsoup clients for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the server tests. Each request or connection is made
 * asynchronously and the main context is spun until its answer came,
 * bounded by a timeout (as libsoup's tests/test-utils.c does).
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arb-server.h"
#include "test-util.h"

G_BEGIN_DECLS

#define SPIN_MS        10000
#define BOT            "bot-1"
#define BOT_TOKEN      "bot-secret-0123456789"
#define VIEWER_TOKEN   "viewer-secret-0123456789"
#define OPERATOR_TOKEN "operator-secret-0123456789"
#define T0             G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char        *dir;
  ArbEngine   *engine;
  ArbServer   *server;
  SoupSession *session;
  char        *base;       /* "http://127.0.0.1:PORT" */
  char        *origin;     /* the same, the server's own origin */
  GPtrArray   *clients;    /* Client* */
} Fixture;


/* An HTTP answer. */
typedef struct
{
  gboolean     done;
  SoupMessage *msg;
  guint        status;
  GBytes      *body;
  GError      *error;
  JsonNode    *json;       /* the body, when it is JSON */
} Reply;

/* A WebSocket client (a bot on /api/v1/bot, a viewer on /api/v1/stream). */
typedef struct
{
  Fixture                 *fx;
  SoupMessage             *msg;
  SoupWebsocketConnection *ws;
  gboolean                 connecting;
  GError                  *error;
  guint                    status;       /* of the handshake */
  GPtrArray               *frames;       /* JsonNode*, every frame received */
  gboolean                 closed;
  gushort                  close_code;
  gint64                   last_ack;
  gboolean                 answer_commands;
} Client;


/* Stops the server and the engine and starts new ones on the same database
 * (a new port); @tune, if any, adjusts the new engine before it serves. */
void         fixture_restart     (Fixture      *fx,
                                  void        (*tune) (Fixture *fx));
void         fixture_setup       (Fixture      *fx,
                                  gconstpointer data);
void         fixture_teardown    (Fixture      *fx,
                                  gconstpointer data);
ArbEngine   *new_engine          (Fixture      *fx,
                                  const char   *listen);

void         reply_free          (Reply        *r);
gboolean     reply_done          (gpointer      data);
void         reply_ready         (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      data);
SoupMessage *new_msg             (Fixture      *fx,
                                  const char   *method,
                                  const char   *path,
                                  const char   *token);
/* Sends @msg (taking it) and waits for the whole answer. */
Reply       *send_msg            (Fixture      *fx,
                                  SoupMessage  *msg,
                                  GCancellable *cancellable);
Reply       *http                (Fixture      *fx,
                                  const char   *method,
                                  const char   *path,
                                  const char   *token,
                                  const char   *body);
JsonObject  *reply_object        (Reply        *r);
JsonObject  *assert_ok           (Reply        *r);
/* Asserts an error answer in the protocol's shape. */
void         assert_http_error   (Reply        *r,
                                  guint         status,
                                  const char   *code,
                                  const char   *field);

/* Connects a WebSocket to @path; on refusal c->ws is NULL and c->status says why. */
Client      *client_connect_full (Fixture      *fx,
                                  const char   *path,
                                  const char   *token,
                                  const char   *origin,
                                  char        **protocols);
/* A bot on /api/v1/bot with the bot token. */
Client      *client_connect      (Fixture      *fx);
void         client_free         (Client       *c);
void         client_send         (Client       *c,
                                  const char   *format,
                                  ...) G_GNUC_PRINTF (2, 3);
guint        count_frames        (Client       *c,
                                  const char   *type);
/* Waits for the @n-th frame (from 1) of @type and returns it. */
JsonObject  *wait_frame          (Client       *c,
                                  const char   *type,
                                  guint         n);
void         wait_ack            (Client       *c,
                                  gint64        seq);
gboolean     client_closed       (gpointer      data);
/* hello; returns welcome.last_seq. */
gint64       client_hello        (Client       *c,
                                  const char   *bot_id);
void         client_trade        (Client       *c,
                                  gint64        seq);
JsonObject  *last_error          (Client       *c);
void         assert_ws_error     (JsonObject   *e,
                                  const char   *code,
                                  const char   *field,
                                  gint64        seq);

char        *trade_json          (gint64        seq,
                                  gint64        ts,
                                  const char   *pair,
                                  const char   *status);
/* POSTs trades first..last (ts T0 + seq seconds) as the bot; returns the ack. */
gint64       post_trades         (Fixture      *fx,
                                  const char   *bot_id,
                                  gint64        first,
                                  gint64        last,
                                  const char   *pair,
                                  const char   *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* Writes @request on a raw connection and returns all that comes back until
 * the server closes (at most 5 s), or the headers of a 101. */
char        *raw_request         (Fixture       *fx,
                                  const char    *request);

G_END_DECLS
