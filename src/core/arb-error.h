/* arb-error.h: the protocol's error codes, as a GError domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

const char      *arb_error_code_name        (ArbErrorCode code);
guint            arb_error_code_http_status (ArbErrorCode code);

G_END_DECLS
