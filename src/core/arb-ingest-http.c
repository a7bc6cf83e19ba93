/* arb-ingest-http.c: a batch of events in one HTTP request (POST /api/v1/events)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body is checked whole (size, JSON, envelope, bot_id) before any event
 * of it is looked at; then each event goes the same way as one from a
 * connection, and the answer waits until the batch is durable.
 */
#define G_LOG_DOMAIN "arb-ingest"

#include "config.h"

#include "arb-ingest-private.h"
#include "arb-json.h"
#include "arb-json-check.h"

/* ---------------------------------------------------------------- HTTP batches */

static void
post_fail (ArbIngestPostDone done, gpointer data, guint status, ArbErrorCode code,
           const char *field, const char *message)
{
  g_autoptr(JsonNode) body = arb_error_body (code, field, message);

  done (status != 0 ? status : arb_error_code_http_status (code), body, data);
}

/* Refuses a whole body: the answer, and the body (its start, up to the
 * message limit) to the log of refused messages. */
static void
post_refuse (ArbIngest *self, ArbIngestPostDone done, gpointer data, ArbErrorCode code,
             const char *field, const char *message, const char *bot_id, const char *body,
             gsize len)
{
  const char *known = bot_id != NULL && arb_is_identifier (bot_id) ? bot_id : NULL;

  _arb_ingest_record_rejection (self, NULL, known, 0, code, field, message, body, len, NULL);
  post_fail (done, data, 0, code, field, message);
}

static void
post_element (Origin *o, ArbBotLink *link, JsonNode *node)
{
  ArbIngest *self = o->ingest;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  gint64 seq = 0;
  ArbEvent *event;

  o->raw_node = node;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      _arb_origin_error (o, ARB_ERROR_BAD_REQUEST, NULL, "an event must be a JSON object", 0);
      return;
    }
  if (!arb_json_check_limits (node, &self->limits, &field, &error))
    {
      _arb_origin_ingest_invalid (o, link, error, field,
                                  _arb_message_seq (json_node_get_object (node)));
      return;
    }
  event = arb_event_from_json (json_node_get_object (node), &self->limits, &field, &seq, &error);
  if (event == NULL)
    {
      _arb_origin_ingest_invalid (o, link, error, field, seq);
      return;
    }
  if (event->type == ARB_MSG_HELLO)
    {
      if (o->index != 0 ||
          g_strcmp0 (event->hello.identity.bot_id, arb_bot_link_get_bot_id (link)) != 0)
        _arb_origin_error (o, ARB_ERROR_BAD_REQUEST, "type",
                           "a hello may only be the first event, with the batch's bot_id", 0);
      else
        {
          arb_bot_link_apply_hello (link, &event->hello);
          arb_store_batch_set_hello (o->post->batch, &event->hello, _arb_ingest_now_ms ());
        }
      arb_event_free (event);
      return;
    }
  if (event->type == ARB_MSG_COMMAND_RESULT)
    {
      /* commands go out on a WebSocket only, and their results come back on it */
      if (!_arb_ingest_take_command_result (self, NULL, &event->command_result))
        _arb_origin_error (o, ARB_ERROR_NOT_FOUND, "id",
                           "no command in flight has this id on this connection: a result is "
                           "taken only on the WebSocket connection its command was sent on", 0);
      arb_event_free (event);
      return;
    }
  _arb_origin_ingest_event (o, link, event);
}

static gboolean
post_envelope (ArbIngest *self, JsonNode *root, const char **bot_id, JsonArray **events,
               ArbErrorCode *code, const char **field, const char **message)
{
  JsonObject *object;
  JsonNode *node;

  *code = ARB_ERROR_BAD_REQUEST;
  *field = NULL;
  /* an empty body parses to no root at all */
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return (*message = "the body must be a JSON object {\"bot_id\":...,\"events\":[...]}", FALSE);
  object = json_node_get_object (root);
  node = json_object_get_member (object, "bot_id");
  *field = "bot_id";
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return (*message = "field 'bot_id' is required and must be a string", FALSE);
  *bot_id = json_node_get_string (node);
  if (!arb_is_identifier (*bot_id))
    return (*message = "field 'bot_id' must be 1 to 128 characters of [A-Za-z0-9._:-]", FALSE);
  node = json_object_get_member (object, "events");
  *field = "events";
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return (*message = "field 'events' is required and must be an array", FALSE);
  *events = json_node_get_array (node);
  if (json_array_get_length (*events) > self->limits.max_batch_events)
    {
      *code = ARB_ERROR_TOO_LARGE;
      return (*message = "field 'events' holds more events than the limit of one batch", FALSE);
    }
  *field = NULL;
  return TRUE;
}

void
arb_ingest_post (ArbIngest         *self,
                 const char        *body,
                 gsize              len,
                 ArbIngestPostDone  done,
                 gpointer           user_data)
{
  arb_ingest_post_full (self, body, len, NULL, done, user_data);
}

/**
 * arb_ingest_post_full:
 * @bot_ids: (nullable): the bot_ids the sender's token may speak for; %NULL: any
 *
 * As arb_ingest_post(); a batch for another bot_id is refused whole with
 * 403 `forbidden` naming `bot_id`, before anything of it is looked at.
 */
void
arb_ingest_post_full (ArbIngest         *self,
                      const char        *body,
                      gsize              len,
                      const char *const *bot_ids,
                      ArbIngestPostDone  done,
                      gpointer           user_data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbErrorCode code;
  const char *field, *message, *bot_id = NULL;
  JsonArray *events = NULL;
  ArbBotLink *link;
  Origin o = { self, NULL, NULL, 0 };

  if (self->shut_down)
    {
      post_fail (done, user_data, 0, ARB_ERROR_UNAVAILABLE, NULL,
                 "the dashboard is shutting down: resend to it once it is back");
      return;
    }
  if (len > self->limits.max_body_bytes)
    {
      post_refuse (self, done, user_data, ARB_ERROR_TOO_LARGE, NULL,
                   "the body is larger than the limit of one batch", NULL, body, len);
      return;
    }
  /* an empty body may come as NULL, which json-glib refuses outright */
  if (len == 0)
    {
      post_refuse (self, done, user_data, ARB_ERROR_BAD_REQUEST, NULL,
                   "the body is empty: send {\"bot_id\":...,\"events\":[...]}", NULL, body, 0);
      return;
    }
  /* the envelope adds two levels (object, events array) above each event;
   * a string of an event that is not valid text is refused with that event */
  root = arb_json_load (parser, body, len, self->limits.max_depth + 2, &error);
  if (root == NULL)
    {
      post_refuse (self, done, user_data, error->code, NULL, error->message, NULL, body, len);
      return;
    }
  if (!post_envelope (self, root, &bot_id, &events, &code, &field, &message))
    {
      post_refuse (self, done, user_data, code, field, message, bot_id, body, len);
      return;
    }
  if (!_arb_may_speak_for ((char **) bot_ids, bot_id))
    {
      g_autofree char *m = _arb_forbidden_bot_id (bot_id);

      post_refuse (self, done, user_data, ARB_ERROR_FORBIDDEN, "bot_id", m, bot_id, body, len);
      return;
    }
  link = _arb_ingest_ensure_link (self, bot_id);
  if (link == NULL)
    {
      post_refuse (self, done, user_data, ARB_ERROR_UNAVAILABLE, "bot_id",
                   "the dashboard tracks too many bots to take a new one", NULL, body, len);
      return;
    }

  o.post = _arb_pending_new (self, NULL, link);
  o.post->errors = json_builder_new_immutable ();
  json_builder_begin_array (o.post->errors);
  o.post->post_done = done;
  o.post->post_data = user_data;
  for (o.index = 0; o.index < json_array_get_length (events); o.index++)
    post_element (&o, link, json_array_get_element (events, o.index));
  arb_bot_link_seen (link, _arb_ingest_now_ms ());
  _arb_ingest_submit_in_order (self->open, o.post);
  _arb_ingest_drop_submitted (self->open);
}

