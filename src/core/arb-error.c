/* arb-error.c: the protocol's error codes, as a GError domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from arb-event.c so that the JSON checks, which arb-event.c uses,
 * can report in the same domain without including the messages' types.
 */
#define G_LOG_DOMAIN "arb-error"

#include "config.h"

#include "arb-error.h"

G_DEFINE_QUARK (arb-error-quark, arb_error)

/* in the order of ArbErrorCode */
static const char *error_names[] = {
  "bad_request", "unauthorized", "forbidden", "not_found", "too_large",
  "rate_limited", "conflict", "unavailable", "internal",
};

static const guint error_status[] = { 400, 401, 403, 404, 413, 429, 409, 503, 500 };

/**
 * arb_error_code_name:
 *
 * Returns: the code's name on the wire ("bad_request", …)
 */
const char *
arb_error_code_name (ArbErrorCode code)
{
  g_return_val_if_fail (code <= ARB_ERROR_INTERNAL, "internal");
  return error_names[code];
}

/**
 * arb_error_code_http_status:
 *
 * Returns: the HTTP status that goes with the code
 */
guint
arb_error_code_http_status (ArbErrorCode code)
{
  g_return_val_if_fail (code <= ARB_ERROR_INTERNAL, 500);
  return error_status[code];
}
