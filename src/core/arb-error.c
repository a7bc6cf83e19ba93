/* arb-error.c: the protocol's error codes, and the error frames and bodies that carry them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-error"

#include "config.h"

#include "arb-error.h"
#include "arb-json.h"

G_DEFINE_QUARK (arb-error-quark, arb_error)

static const char *error_names[] = {
  "bad_request", "unauthorized", "forbidden", "not_found", "too_large",
  "rate_limited", "conflict", "unavailable", "internal",
};

static const guint error_status[] = { 400, 401, 403, 404, 413, 429, 409, 503, 500 };

const char *
arb_error_code_name (ArbErrorCode code)
{
  g_return_val_if_fail (code <= ARB_ERROR_INTERNAL, "internal");
  return error_names[code];
}

guint
arb_error_code_http_status (ArbErrorCode code)
{
  g_return_val_if_fail (code <= ARB_ERROR_INTERNAL, 500);
  return error_status[code];
}

void
arb_error_add_members (JsonBuilder  *b,
                       ArbErrorCode  code,
                       const char   *field,
                       const char   *message,
                       gint64        seq)
{
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, arb_error_code_name (code));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
    }
  if (seq > 0)
    {
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, seq);
    }
}

char *
arb_error_frame (ArbErrorCode  code,
                 const char   *field,
                 const char   *message,
                 gint64        seq)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "error");
  arb_error_add_members (b, code, field, message, seq);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  /* the message may quote what the bot sent, cut at a byte count */
  return arb_json_node_to_string (root);
}

JsonNode *
arb_error_body (ArbErrorCode  code,
                const char   *field,
                const char   *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  arb_error_add_members (b, code, field, message, 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

