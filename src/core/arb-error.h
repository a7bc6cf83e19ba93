/* arb-error.h: the protocol's error codes, and the error frames and bodies that carry them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARB_ERROR (arb_error_quark ())
GQuark arb_error_quark (void);

/* The protocol's error codes, in the order of PROTOCOL.md. */
typedef enum
{
  ARB_ERROR_BAD_REQUEST,
  ARB_ERROR_UNAUTHORIZED,
  ARB_ERROR_FORBIDDEN,
  ARB_ERROR_NOT_FOUND,
  ARB_ERROR_TOO_LARGE,
  ARB_ERROR_RATE_LIMITED,
  ARB_ERROR_CONFLICT,
  ARB_ERROR_UNAVAILABLE,
  ARB_ERROR_INTERNAL,
} ArbErrorCode;

const char *arb_error_code_name        (ArbErrorCode  code);
guint       arb_error_code_http_status (ArbErrorCode  code);

/* Adds code, message, field (when not NULL) and seq (when > 0), the members
 * every error shape shares, to the object @b is building. */
void        arb_error_add_members      (JsonBuilder  *b,
                                        ArbErrorCode  code,
                                        const char   *field,
                                        const char   *message,
                                        gint64        seq);

/* JSON text of a protocol error frame / error body. */
char       *arb_error_frame            (ArbErrorCode  code,
                                        const char   *field,
                                        const char   *message,
                                        gint64        seq);
JsonNode   *arb_error_body             (ArbErrorCode  code,
                                        const char   *field,
                                        const char   *message);

G_END_DECLS
