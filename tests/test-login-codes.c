/* test-login-codes.c: one-time sign-in codes, with the clock in the test's hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "arb-login-codes.h"
#include "test-util.h"

#define LIFETIME (G_GINT64_CONSTANT (600) * G_USEC_PER_SEC)
#define NOW      G_GINT64_CONSTANT (1800000000000000)

static GPtrArray *warnings;

static void
test_issue (void)
{
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (NULL, LIFETIME);
  g_autofree char *a = arb_login_codes_issue (codes, NOW);
  g_autofree char *b = arb_login_codes_issue (codes, NOW);

  /* 192 random bits, in hex */
  g_assert_cmpuint (strlen (a), ==, 48);
  for (const char *c = a; *c != '\0'; c++)
    g_assert_true (g_ascii_isxdigit (*c));
  g_assert_cmpstr (a, !=, b);
}

static void
test_single_use (void)
{
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (NULL, LIFETIME);
  g_autofree char *code = arb_login_codes_issue (codes, NOW);
  ArbRole role = ARB_ROLE_NONE;

  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW + 1, &role), ==, ARB_LOGIN_CODE_OK);
  g_assert_cmpint (role, ==, ARB_ROLE_OPERATOR);
  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW + 2, &role), ==,
                   ARB_LOGIN_CODE_USED);
  g_assert_nonnull (strstr (arb_login_codes_result_message (ARB_LOGIN_CODE_USED),
                            "already used"));
}

static void
test_expiry (void)
{
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (NULL, LIFETIME);
  g_autofree char *late = arb_login_codes_issue (codes, NOW);
  g_autofree char *just = arb_login_codes_issue (codes, NOW);

  g_assert_cmpint (arb_login_codes_redeem (codes, just, NOW + LIFETIME - 1, NULL), ==,
                   ARB_LOGIN_CODE_OK);
  g_assert_cmpint (arb_login_codes_redeem (codes, late, NOW + LIFETIME, NULL), ==,
                   ARB_LOGIN_CODE_EXPIRED);
  g_assert_nonnull (strstr (arb_login_codes_result_message (ARB_LOGIN_CODE_EXPIRED),
                            "expired"));
  /* an expired code stays expired: it does not count as used by the refusal */
  g_assert_cmpint (arb_login_codes_redeem (codes, late, NOW + LIFETIME + 1, NULL), ==,
                   ARB_LOGIN_CODE_EXPIRED);
}

static void
test_unknown (void)
{
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (NULL, LIFETIME);
  g_autofree char *code = arb_login_codes_issue (codes, NOW);
  g_autofree char *other = g_strdup (code);

  other[0] = other[0] == 'a' ? 'b' : 'a';
  g_assert_cmpint (arb_login_codes_redeem (codes, other, NOW, NULL), ==, ARB_LOGIN_CODE_UNKNOWN);
  g_assert_cmpint (arb_login_codes_redeem (codes, "", NOW, NULL), ==, ARB_LOGIN_CODE_UNKNOWN);
  g_assert_cmpint (arb_login_codes_redeem (codes, NULL, NOW, NULL), ==, ARB_LOGIN_CODE_UNKNOWN);
  /* the wrong guesses did not use up the real code */
  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW, NULL), ==, ARB_LOGIN_CODE_OK);
}

static void
test_shared (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-codes-XXXXXX", &error);
  g_autofree char *db = g_build_filename (dir, "arbdash.db", NULL);
  g_autofree char *path = arb_login_codes_path_for_db (db);
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (path, LIFETIME);
  g_autofree char *code = NULL;
  g_autofree char *long_lived = NULL;
  struct stat st;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (path, dir));
  code = arb_login_codes_issue_shared (path, NOW, LIFETIME, &error);
  g_assert_no_error (error);
  /* another process's code that claims a longer life gets ours at most */
  long_lived = arb_login_codes_issue_shared (path, NOW, 100 * LIFETIME, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW + 1, NULL), ==, ARB_LOGIN_CODE_OK);
  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW + 2, NULL), ==, ARB_LOGIN_CODE_USED);
  g_assert_cmpint (arb_login_codes_redeem (codes, long_lived, NOW + LIFETIME + 1, NULL), ==,
                   ARB_LOGIN_CODE_EXPIRED);
  remove_dir (dir);
}

/* A file that others could have written is not trusted. */
static void
test_shared_mode (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-codes-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "login-codes", NULL);
  g_autoptr(ArbLoginCodes) codes = arb_login_codes_new (path, LIFETIME);
  g_autofree char *code = arb_login_codes_issue_shared (path, NOW, LIFETIME, &error);
  g_autofree char *refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0666), ==, 0);
  g_ptr_array_set_size (warnings, 0);
  g_assert_cmpint (arb_login_codes_redeem (codes, code, NOW, NULL), ==, ARB_LOGIN_CODE_UNKNOWN);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "mode 0600"));
  /* nor does the command line add to it */
  refused = arb_login_codes_issue_shared (path, NOW, LIFETIME, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  remove_dir (dir);
}

static void
test_path_for_db (void)
{
  g_autofree char *p = arb_login_codes_path_for_db ("/var/lib/arbdash/arbdash.db");

  g_assert_cmpstr (p, ==, "/var/lib/arbdash/login-codes");
  g_assert_null (arb_login_codes_path_for_db (":memory:"));
  g_assert_null (arb_login_codes_path_for_db (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  warnings = g_ptr_array_new_with_free_func (g_free);
  test_capture_log ("arb-login-codes", G_LOG_LEVEL_WARNING, &warnings);

  g_test_add_func ("/arb/login-codes/issue", test_issue);
  g_test_add_func ("/arb/login-codes/single-use", test_single_use);
  g_test_add_func ("/arb/login-codes/expiry", test_expiry);
  g_test_add_func ("/arb/login-codes/unknown", test_unknown);
  g_test_add_func ("/arb/login-codes/shared", test_shared);
  g_test_add_func ("/arb/login-codes/shared-mode", test_shared_mode);
  g_test_add_func ("/arb/login-codes/path-for-db", test_path_for_db);

  return g_test_run ();
}
