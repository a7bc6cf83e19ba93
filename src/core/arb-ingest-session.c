/* arb-ingest-session.c: one bot connection: its messages in, acks and errors out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-ingest"

#include "config.h"

#include "arb-ingest-private.h"
#include "arb-json.h"
#include "arb-json-check.h"

/* ---------------------------------------------------------------- sessions */

ArbSession *
_arb_session_ref (ArbSession *s)
{
  s->ref_count++;
  return s;
}

void
_arb_session_unref (ArbSession *s)
{
  if (--s->ref_count > 0)
    return;
  g_clear_object (&s->parser);
  g_clear_object (&s->link);
  g_strfreev (s->bot_ids);
  g_free (s);
}

void
_arb_session_send (ArbSession *s, const char *text)
{
  if (!s->closed && !s->replaced)
    s->vtable->send (s->transport, text, strlen (text));
}

void
arb_session_send_error (ArbSession   *session,
                        ArbErrorCode  code,
                        const char   *field,
                        const char   *message)
{
  g_autofree char *frame = arb_error_frame (code, field, message, 0);

  if (session->ingest != NULL)
    session->ingest->stats.rejected++;
  _arb_session_send (session, frame);
}

void
_arb_session_send_error_seq (ArbSession *s, ArbErrorCode code, const char *field,
                             const char *message, gint64 seq)
{
  g_autofree char *frame = arb_error_frame (code, field, message, seq);

  s->ingest->stats.rejected++;
  _arb_session_send (s, frame);
}

const char *
arb_session_get_bot_id (ArbSession *session)
{
  return session->link != NULL ? arb_bot_link_get_bot_id (session->link) : NULL;
}

/* Keeps the message being handled in the log of refused messages. */
void
_arb_session_record (ArbSession *s, ArbErrorCode code, const char *field, const char *message,
                     gint64 seq)
{
  _arb_ingest_record_rejection (s->ingest, s->pending != NULL ? s->pending->batch : NULL,
                                arb_session_get_bot_id (s), seq, code, field, message, s->raw,
                                s->raw_len, s->raw_node);
}

/* Refuses the message being handled: the error to the bot (with the
 * message's seq when it had one: an error about an event names it), the
 * message to the log. */
static void
session_reject (ArbSession *s, ArbErrorCode code, const char *field, const char *message,
                gint64 seq)
{
  _arb_session_send_error_seq (s, code, field, message, seq);
  _arb_session_record (s, code, field, message, seq);
}

/**
 * arb_session_reject:
 * @raw: (array length=len): the refused message as received
 *
 * Refuses a message that the transport took but the ingest never sees (a
 * binary frame): the bot gets the error, the message goes to the log of
 * refused messages.
 */
void
arb_session_reject (ArbSession   *session,
                    ArbErrorCode  code,
                    const char   *field,
                    const char   *message,
                    const char   *raw,
                    gsize         len)
{
  g_return_if_fail (session != NULL);

  arb_session_send_error (session, code, field, message);
  if (session->ingest != NULL && !session->closed && !session->replaced)
    _arb_ingest_record_rejection (session->ingest, NULL, arb_session_get_bot_id (session), 0,
                                  code, field, message, raw, len, NULL);
}

void
arb_session_set_bot_ids (ArbSession        *session,
                         const char *const *bot_ids)
{
  g_strfreev (session->bot_ids);
  session->bot_ids = g_strdupv ((char **) bot_ids);
}

/* A bot token bound to bot_ids (revision 1.1) speaks for those only. */
gboolean
_arb_may_speak_for (char **bot_ids, const char *bot_id)
{
  return bot_ids == NULL || g_strv_contains ((const char *const *) bot_ids, bot_id);
}

char *
_arb_forbidden_bot_id (const char *bot_id)
{
  return g_strdup_printf ("this bot token may not speak for bot_id %s: the configuration binds "
                          "it to other bot_ids", bot_id);
}

ArbSession *
arb_ingest_open_session (ArbIngest              *self,
                         const ArbSessionVTable *vtable,
                         gpointer                transport)
{
  ArbSession *s = g_new0 (ArbSession, 1);

  g_return_val_if_fail (ARB_IS_INGEST (self), NULL);

  s->ref_count = 1;
  s->ingest = self;
  s->vtable = vtable;
  s->transport = transport;
  s->parser = json_parser_new_immutable ();
  g_hash_table_add (self->sessions, s);
  self->stats.sessions++;
  return s;
}

/* ---------------------------------------------------------------- connections */

static void
send_welcome (ArbSession *s)
{
  g_autofree char *frame =
    g_strdup_printf ("{\"type\":\"welcome\",\"bot_id\":\"%s\",\"last_seq\":%" G_GINT64_FORMAT "}",
                     arb_bot_link_get_bot_id (s->link), arb_bot_link_get_stored_seq (s->link));
  _arb_session_send (s, frame);
}

/* One connection speaks for a bot: the newest. An older one (a reconnect
 * while the old socket is not yet seen as dead, or a second process with the
 * same bot_id) is told so and closed, and whatever it still sends is dropped,
 * so two senders never mix their events under one seq. */
static void
replace_older (ArbIngest *self, const char *bot_id, ArbSession *s)
{
  ArbSession *old = g_hash_table_lookup (self->live, bot_id);

  if (old == NULL || old == s)
    return;
  arb_session_send_error (old, ARB_ERROR_CONFLICT, "bot_id",
                          "a newer connection speaks for this bot_id: this one is closed");
  old->replaced = TRUE;
  old->vtable->close (old->transport, ARB_CLOSE_REPLACED, "replaced by a newer connection");
}

static void
session_hello (ArbSession *s, ArbEvent *event)
{
  ArbIngest *self = s->ingest;
  ArbHello *hello = &event->hello;
  const char *bot_id = hello->identity.bot_id;
  ArbBotLink *link;

  /* before anything else: a refused hello must not touch the bot it names */
  if (!_arb_may_speak_for (s->bot_ids, bot_id))
    {
      g_autofree char *message = _arb_forbidden_bot_id (bot_id);

      session_reject (s, ARB_ERROR_FORBIDDEN, "bot_id", message, 0);
      return;
    }
  if (s->link != NULL && g_strcmp0 (arb_bot_link_get_bot_id (s->link), bot_id) != 0)
    {
      session_reject (s, ARB_ERROR_CONFLICT, "bot_id",
                      "this connection already speaks for another bot_id", 0);
      return;
    }
  link = _arb_ingest_ensure_link (self, bot_id);
  if (link == NULL)
    {
      session_reject (s, ARB_ERROR_UNAVAILABLE, "bot_id",
                      "the dashboard tracks too many bots to take a new one", 0);
      return;
    }
  arb_bot_link_apply_hello (link, hello);
  if (s->link == NULL)
    {
      s->link = g_object_ref (link);
      arb_bot_link_attach (link, _arb_ingest_now_ms ());
    }
  replace_older (self, bot_id, s);
  g_hash_table_insert (self->live, g_strdup (bot_id), s);
  arb_store_batch_set_hello (_arb_session_pending (s)->batch, hello, _arb_ingest_now_ms ());
  send_welcome (s);
  _arb_ingest_emit_bot_changed (self, link);
}

static void
session_invalid (ArbSession *s, JsonObject *object, const GError *error, const char *field,
                 gint64 seq)
{
  Origin o = { s->ingest, s, NULL, 0 };

  if (s->link == NULL)
    {
      session_reject (s, error->code, field, error->message, seq);
      return;
    }
  _arb_origin_ingest_invalid (&o, s->link, error, field, seq);
}

static void
session_message (ArbSession *s, JsonObject *object)
{
  ArbIngest *self = s->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  gint64 seq = 0;
  ArbEvent *event = arb_event_from_json (object, &self->limits, &field, &seq, &error);
  Origin o = { self, s, NULL, 0 };

  if (event == NULL)
    {
      session_invalid (s, object, error, field, seq);
      return;
    }
  if (event->type == ARB_MSG_HELLO)
    {
      session_hello (s, event);
      arb_event_free (event);
      return;
    }
  if (s->link == NULL)
    {
      session_reject (s, ARB_ERROR_BAD_REQUEST, "type",
                      "send hello first: the bot must introduce itself", event->seq);
      arb_event_free (event);
      return;
    }
  if (event->type == ARB_MSG_COMMAND_RESULT)
    {
      if (!_arb_ingest_take_command_result (self, s, &event->command_result))
        session_reject (s, ARB_ERROR_NOT_FOUND, "id",
                        "no command in flight has this id on this connection", 0);
      arb_event_free (event);
      return;
    }
  _arb_origin_ingest_event (&o, s->link, event);
}

/* The seq of a parsed message that breaks a string or depth limit: like
 * any other bad event's, it is consumed when it is the next one. */
gint64
_arb_message_seq (JsonObject *object)
{
  gint64 seq;

  return arb_json_get_int (object, "seq", &seq) && seq >= 1 ? seq : 0;
}

static void
session_message_checked (ArbSession *s, JsonNode *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  JsonObject *object = json_node_get_object (message);

  if (!arb_json_check_limits (message, &s->ingest->limits, &field, &error))
    {
      session_invalid (s, object, error, field, _arb_message_seq (object));
      return;
    }
  session_message (s, object);
}

void
arb_session_receive_text (ArbSession *session,
                          const char *text,
                          gsize       len)
{
  ArbIngest *self = session->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (self == NULL || session->closed || session->replaced || self->shut_down)
    return;
  session->raw = text;
  session->raw_len = len;
  if (len > self->limits.max_message_bytes)
    {
      message = g_strdup_printf ("message of %" G_GSIZE_FORMAT " bytes is over the limit of %"
                                 G_GSIZE_FORMAT, len, self->limits.max_message_bytes);
      session_reject (session, ARB_ERROR_TOO_LARGE, NULL, message, 0);
    }
  else
    {
      /* strings are checked (arb_json_check_limits) once the message's seq
       * is known, so that a string over the limit or not valid text
       * consumes its seq instead of blocking the bot */
      root = arb_json_load (session->parser, text, len, self->limits.max_depth, &error);
      if (root == NULL)
        session_reject (session, error->code, NULL, error->message, 0);
      else
        arb_session_receive_node (session, root);
    }
  session->raw = NULL;
  session->raw_len = 0;
}

void
arb_session_receive_node (ArbSession *session,
                          JsonNode   *message)
{
  if (session->ingest == NULL || session->closed || session->replaced ||
      session->ingest->shut_down)
    return;
  session->raw_node = message;
  if (!JSON_NODE_HOLDS_OBJECT (message))
    session_reject (session, ARB_ERROR_BAD_REQUEST, NULL, "a message must be a JSON object", 0);
  else
    session_message_checked (session, message);
  session->raw_node = NULL;
}

void
arb_session_closed (ArbSession *session)
{
  ArbIngest *self = session->ingest;

  if (session->closed)
    return;
  session->closed = TRUE;
  if (self != NULL)
    {
      g_hash_table_remove (self->sessions, session);
      if (session->link != NULL)
        {
          const char *bot_id = arb_bot_link_get_bot_id (session->link);

          if (g_hash_table_lookup (self->live, bot_id) == session)
            g_hash_table_remove (self->live, bot_id);
          if (arb_bot_link_detach (session->link, _arb_ingest_now_ms ()))
            _arb_ingest_emit_bot_changed (self, session->link);
        }
    }
  _arb_session_unref (session);
}

