/* arb-login-codes.h: one-time sign-in codes for the browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "arb-config.h"

G_BEGIN_DECLS

/* How long a code signs in: PROTOCOL.md 1.1 says ten minutes. */
#define ARB_LOGIN_CODE_SECONDS 600

typedef enum
{
  ARB_LOGIN_CODE_OK,
  ARB_LOGIN_CODE_UNKNOWN,
  ARB_LOGIN_CODE_EXPIRED,
  ARB_LOGIN_CODE_USED,
} ArbLoginCodeResult;

#define ARB_TYPE_LOGIN_CODES (arb_login_codes_get_type ())

G_DECLARE_FINAL_TYPE (ArbLoginCodes, arb_login_codes, ARB, LOGIN_CODES, GObject)

ArbLoginCodes      *arb_login_codes_new           (const char     *shared_path,
                                                   gint64          lifetime_us);
char               *arb_login_codes_issue         (ArbLoginCodes  *self,
                                                   gint64          now_us);
ArbLoginCodeResult  arb_login_codes_redeem        (ArbLoginCodes  *self,
                                                   const char     *code,
                                                   gint64          now_us,
                                                   ArbRole        *role);
const char         *arb_login_codes_result_message (ArbLoginCodeResult result);

char               *arb_login_codes_path_for_db   (const char     *db_path);
char               *arb_login_codes_issue_shared  (const char     *shared_path,
                                                   gint64          now_us,
                                                   gint64          lifetime_us,
                                                   GError        **error);

G_END_DECLS
