/* test-config.c: defaults, the key file, tokens from the environment, roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "arb-config.h"

/* Writes @contents to a fresh file in the test's temporary dir. */
static char *
write_conf (const char *contents)
{
  g_autoptr(GError) error = NULL;
  static guint n;
  char *path = g_build_filename (g_get_tmp_dir (), "arbdash-test-config", NULL);
  char *file;

  g_mkdir_with_parents (path, 0700);
  file = g_strdup_printf ("%s/conf-%u-%u.ini", path, (guint) getpid (), n++);
  g_free (path);
  g_file_set_contents (file, contents, -1, &error);
  g_assert_no_error (error);
  return file;
}

static gboolean
load (ArbConfig *config, const char *contents, GError **error)
{
  g_autofree char *path = write_conf (contents);
  gboolean ok = arb_config_load_file (config, path, error);

  g_unlink (path);
  return ok;
}

static void
test_defaults (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autofree char *expected_db = g_build_filename (g_get_user_data_dir (), "arbdash",
                                                   "arbdash.db", NULL);
  g_autofree char *default_db = arb_config_default_db_path ();
  ArbLimits limits;

  arb_limits_init_default (&limits);
  g_assert_cmpstr (config->listen_address, ==, "127.0.0.1");
  g_assert_cmpuint (config->port, ==, 8080);
  g_assert_cmpstr (config->db_path, ==, expected_db);
  g_assert_cmpstr (default_db, ==, expected_db);
  g_assert_true (config->demo);
  g_assert_cmpuint (config->sample_interval_ms, ==, 1000);
  g_assert_cmpuint (config->command_timeout_ms, ==, 10000);
  g_assert_nonnull (config->allowed_origins);
  g_assert_null (config->allowed_origins[0]);
  g_assert_cmpuint (config->limits.max_message_bytes, ==, limits.max_message_bytes);
  g_assert_cmpuint (config->limits.max_body_bytes, ==, limits.max_body_bytes);
  g_assert_cmpuint (config->limits.max_batch_events, ==, limits.max_batch_events);
  g_assert_cmpuint (config->limits.max_string_bytes, ==, limits.max_string_bytes);
  g_assert_cmpuint (config->limits.max_depth, ==, limits.max_depth);
  g_assert_cmpuint (limits.max_message_bytes, ==, 64 * 1024);
  g_assert_cmpuint (config->tokens->len, ==, 0);
  g_assert_null (config->config_path);
  for (ArbRole r = ARB_ROLE_VIEWER; r <= ARB_ROLE_BOT; r++)
    g_assert_false (arb_config_has_role_token (config, r));

  arb_config_free (NULL);
}

static void
test_load_file (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_conf (
    "# a comment\n"
    "[server]\n"
    "listen = 0.0.0.0\n"
    "port = 9091\n"
    "database = /var/lib/arbdash/x.db\n"
    "demo = false\n"
    "allowed-origins = https://a.example;http://b.example:8000;\n"
    "\n"
    "[tokens]\n"
    "alice = operator:s3cret\n"
    "bob = viewer:look\n"
    "feeder = bot:b0t:with:colons\n"
    "\n"
    "[limits]\n"
    "command-timeout-ms = 2500\n");
  const char *name = NULL;

  g_assert_true (arb_config_load_file (config, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->config_path, ==, path);
  g_assert_cmpstr (config->listen_address, ==, "0.0.0.0");
  g_assert_cmpuint (config->port, ==, 9091);
  g_assert_cmpstr (config->db_path, ==, "/var/lib/arbdash/x.db");
  g_assert_false (config->demo);
  g_assert_cmpuint (g_strv_length (config->allowed_origins), ==, 2);
  g_assert_cmpstr (config->allowed_origins[0], ==, "https://a.example");
  g_assert_cmpstr (config->allowed_origins[1], ==, "http://b.example:8000");
  g_assert_cmpuint (config->command_timeout_ms, ==, 2500);
  g_assert_cmpuint (config->tokens->len, ==, 3);
  g_assert_true (arb_config_has_role_token (config, ARB_ROLE_OPERATOR));
  g_assert_true (arb_config_has_role_token (config, ARB_ROLE_VIEWER));
  g_assert_true (arb_config_has_role_token (config, ARB_ROLE_BOT));

  g_assert_cmpint (arb_config_check_token (config, "s3cret", &name), ==, ARB_ROLE_OPERATOR);
  g_assert_cmpstr (name, ==, "alice");
  g_assert_cmpint (arb_config_check_token (config, "look", &name), ==, ARB_ROLE_VIEWER);
  g_assert_cmpstr (name, ==, "bob");
  /* only the first colon separates the role: the secret may hold more */
  g_assert_cmpint (arb_config_check_token (config, "b0t:with:colons", &name), ==, ARB_ROLE_BOT);
  g_assert_cmpstr (name, ==, "feeder");
  g_assert_cmpint (arb_config_check_token (config, "b0t", &name), ==, ARB_ROLE_NONE);
  g_assert_null (name);

  /* a second file overrides what it sets and adds its tokens */
  g_unlink (path);
  g_assert_true (load (config, "[server]\nport = 0\n[tokens]\ncarol = viewer:c\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->port, ==, 0);
  g_assert_cmpstr (config->listen_address, ==, "0.0.0.0");
  g_assert_cmpuint (config->tokens->len, ==, 4);
}

static void
test_load_partial (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_strdup (config->db_path);

  /* an empty file, and unknown groups and keys, change nothing */
  g_assert_true (load (config, "", &error));
  g_assert_true (load (config, "[other]\nx = 1\n[server]\nunknown = 3\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->port, ==, 8080);
  g_assert_cmpstr (config->listen_address, ==, "127.0.0.1");
  g_assert_cmpstr (config->db_path, ==, db);
  g_assert_true (config->demo);
  g_assert_cmpuint (config->tokens->len, ==, 0);
  g_assert_cmpuint (config->command_timeout_ms, ==, 10000);
}

static void
test_limits_clamped (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (load (config, "[limits]\ncommand-timeout-ms = 5\n", &error));
  g_assert_cmpuint (config->command_timeout_ms, ==, 100);
  g_assert_true (load (config, "[limits]\ncommand-timeout-ms = 999999999\n", &error));
  g_assert_cmpuint (config->command_timeout_ms, ==, 600000);
  g_assert_no_error (error);
}

static void
test_alerts (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  ArbAlertThresholds def;

  arb_alert_thresholds_init_default (&def);
  g_assert_cmpfloat (config->alerts.cpu_percent, ==, def.cpu_percent);
  g_assert_cmpuint (config->alerts.cpu_seconds, ==, def.cpu_seconds);
  g_assert_cmpfloat (config->alerts.memory_percent, ==, def.memory_percent);
  g_assert_cmpuint (config->alerts.memory_seconds, ==, def.memory_seconds);
  g_assert_cmpfloat (config->alerts.disk_percent, ==, def.disk_percent);
  g_assert_cmpuint (config->alerts.losing_streak, ==, def.losing_streak);
  g_assert_cmpfloat (config->alerts.gas_spike_gwei, ==, def.gas_spike_gwei);
  g_assert_cmpuint (config->alerts.error_window_s, ==, def.error_window_s);

  g_assert_true (load (config,
                       "[alerts]\n"
                       "cpu-percent = 75.5\n"
                       "cpu-seconds = 30\n"
                       "memory-percent = 80\n"
                       "memory-seconds = 10\n"
                       "disk-percent = 95\n"
                       "losing-streak = 3\n"
                       "gas-spike-gwei = 150.25\n"
                       "error-window-seconds = 60\n", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (config->alerts.cpu_percent, ==, 75.5);
  g_assert_cmpuint (config->alerts.cpu_seconds, ==, 30);
  g_assert_cmpfloat (config->alerts.memory_percent, ==, 80);
  g_assert_cmpuint (config->alerts.memory_seconds, ==, 10);
  g_assert_cmpfloat (config->alerts.disk_percent, ==, 95);
  g_assert_cmpuint (config->alerts.losing_streak, ==, 3);
  g_assert_cmpfloat (config->alerts.gas_spike_gwei, ==, 150.25);
  g_assert_cmpuint (config->alerts.error_window_s, ==, 60);

  /* out of range: clamped to what makes sense */
  g_assert_true (load (config,
                       "[alerts]\n"
                       "cpu-percent = 250\n"
                       "cpu-seconds = -5\n"
                       "memory-percent = 0\n"
                       "memory-seconds = 9999999999\n"
                       "losing-streak = 0\n"
                       "gas-spike-gwei = -1\n"
                       "error-window-seconds = 0\n", &error));
  g_assert_cmpfloat (config->alerts.cpu_percent, ==, 100);
  g_assert_cmpuint (config->alerts.cpu_seconds, ==, 0);
  g_assert_cmpfloat (config->alerts.memory_percent, ==, 1);
  g_assert_cmpuint (config->alerts.memory_seconds, ==, 86400);
  g_assert_cmpuint (config->alerts.losing_streak, ==, 1);
  g_assert_cmpfloat (config->alerts.gas_spike_gwei, ==, 0);
  g_assert_cmpuint (config->alerts.error_window_s, ==, 1);
  /* what was not in this file stays as the last one set it */
  g_assert_cmpfloat (config->alerts.disk_percent, ==, 95);

  /* a value that does not parse leaves the setting alone */
  g_assert_true (load (config, "[alerts]\ndisk-percent = lots\nlosing-streak = few\n", &error));
  g_assert_cmpfloat (config->alerts.disk_percent, ==, 95);
  g_assert_cmpuint (config->alerts.losing_streak, ==, 1);
}

static void
test_bad_files (void)
{
  static const struct { const char *contents; const char *needle; } cases[] = {
    { "[server]\nport = 70000\n", "port" },
    { "[server]\nport = -1\n", "port" },
    { "[server]\nport = eighty\n", "port" },
    { "[server]\nport = 8o\n", "port" },
    { "[server]\ndemo = maybe\n", "demo" },
    { "[tokens]\nmallory = admin:x\n", "mallory" },
    { "[tokens]\nnocolon = operator\n", "nocolon" },
    { "[tokens]\nempty = operator:\n", "empty" },
    { "[tokens]\nnone = none:x\n", "none" },
    { "[tokens]\nblank =\n", "blank" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ArbConfig) config = arb_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_conf (cases[i].contents);

      if (arb_config_load_file (config, path, &error))
        g_error ("accepted: %s", cases[i].contents);
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      /* the message names the file and the offending key */
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_null (config->config_path);
      g_assert_cmpuint (config->port, ==, 8080);
      g_assert_cmpuint (config->tokens->len, ==, 0);
      g_unlink (path);
    }
}

static void
test_unreadable (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "no-such-arbdash.ini", NULL);

  g_assert_false (arb_config_load_file (config, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_true (g_str_has_prefix (error->message, missing));
  g_clear_error (&error);

  g_assert_false (load (config, "this is not [an ini file\n", &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
  g_assert_null (config->config_path);
}

static void
test_env_tokens (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  const char *name = NULL;

  g_setenv ("ARBDASH_BOT_TOKEN", "env-bot", TRUE);
  g_setenv ("ARBDASH_VIEWER_TOKEN", "", TRUE);       /* empty: no token */
  g_unsetenv ("ARBDASH_OPERATOR_TOKEN");             /* unset: no token */
  arb_config_load_env (config);
  g_assert_cmpuint (config->tokens->len, ==, 1);
  g_assert_true (arb_config_has_role_token (config, ARB_ROLE_BOT));
  g_assert_false (arb_config_has_role_token (config, ARB_ROLE_VIEWER));
  g_assert_false (arb_config_has_role_token (config, ARB_ROLE_OPERATOR));
  g_assert_cmpint (arb_config_check_token (config, "env-bot", &name), ==, ARB_ROLE_BOT);
  g_assert_cmpstr (name, ==, "bot (environment)");

  g_setenv ("ARBDASH_VIEWER_TOKEN", "env-view", TRUE);
  g_setenv ("ARBDASH_OPERATOR_TOKEN", "env-op", TRUE);
  arb_config_load_env (config);
  g_assert_cmpint (arb_config_check_token (config, "env-view", &name), ==, ARB_ROLE_VIEWER);
  g_assert_cmpstr (name, ==, "viewer (environment)");
  g_assert_cmpint (arb_config_check_token (config, "env-op", &name), ==, ARB_ROLE_OPERATOR);
  g_assert_cmpstr (name, ==, "operator (environment)");

  g_unsetenv ("ARBDASH_BOT_TOKEN");
  g_unsetenv ("ARBDASH_VIEWER_TOKEN");
  g_unsetenv ("ARBDASH_OPERATOR_TOKEN");
}

static void
test_check_token (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  const char *name = "untouched";

  arb_config_add_token (config, "op", ARB_ROLE_OPERATOR, "secret-op");
  arb_config_add_token (config, "view", ARB_ROLE_VIEWER, "secret-view");
  /* the same secret twice: the first one counts */
  arb_config_add_token (config, "op-again", ARB_ROLE_VIEWER, "secret-op");
  /* empty and missing secrets are never tokens */
  arb_config_add_token (config, "empty", ARB_ROLE_BOT, "");
  arb_config_add_token (config, "null", ARB_ROLE_BOT, NULL);
  g_assert_cmpuint (config->tokens->len, ==, 3);
  g_assert_false (arb_config_has_role_token (config, ARB_ROLE_BOT));

  g_assert_cmpint (arb_config_check_token (config, "secret-op", &name), ==, ARB_ROLE_OPERATOR);
  g_assert_cmpstr (name, ==, "op");
  g_assert_cmpint (arb_config_check_token (config, "secret-view", NULL), ==, ARB_ROLE_VIEWER);

  /* unknown, prefix, extension, case: nothing */
  name = "untouched";
  g_assert_cmpint (arb_config_check_token (config, "secret", &name), ==, ARB_ROLE_NONE);
  g_assert_null (name);
  g_assert_cmpint (arb_config_check_token (config, "secret-op2", &name), ==, ARB_ROLE_NONE);
  g_assert_cmpint (arb_config_check_token (config, "SECRET-OP", &name), ==, ARB_ROLE_NONE);
  g_assert_cmpint (arb_config_check_token (config, "x", &name), ==, ARB_ROLE_NONE);
  name = "untouched";
  g_assert_cmpint (arb_config_check_token (config, "", &name), ==, ARB_ROLE_NONE);
  g_assert_null (name);
  g_assert_cmpint (arb_config_check_token (config, NULL, &name), ==, ARB_ROLE_NONE);
  g_assert_null (name);
}

static void
test_no_tokens (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();

  g_assert_cmpint (arb_config_check_token (config, "anything", NULL), ==, ARB_ROLE_NONE);
}

static void
test_roles (void)
{
  g_assert_cmpstr (arb_role_name (ARB_ROLE_NONE), ==, "none");
  g_assert_cmpstr (arb_role_name (ARB_ROLE_VIEWER), ==, "viewer");
  g_assert_cmpstr (arb_role_name (ARB_ROLE_OPERATOR), ==, "operator");
  g_assert_cmpstr (arb_role_name (ARB_ROLE_BOT), ==, "bot");

  /* nothing needed: anyone */
  for (ArbRole r = ARB_ROLE_NONE; r <= ARB_ROLE_BOT; r++)
    g_assert_true (arb_role_allows (r, ARB_ROLE_NONE));

  /* viewing: viewers and operators, not bots, not anonymous */
  g_assert_true (arb_role_allows (ARB_ROLE_VIEWER, ARB_ROLE_VIEWER));
  g_assert_true (arb_role_allows (ARB_ROLE_OPERATOR, ARB_ROLE_VIEWER));
  g_assert_false (arb_role_allows (ARB_ROLE_BOT, ARB_ROLE_VIEWER));
  g_assert_false (arb_role_allows (ARB_ROLE_NONE, ARB_ROLE_VIEWER));

  /* operating: operators only */
  g_assert_true (arb_role_allows (ARB_ROLE_OPERATOR, ARB_ROLE_OPERATOR));
  g_assert_false (arb_role_allows (ARB_ROLE_VIEWER, ARB_ROLE_OPERATOR));
  g_assert_false (arb_role_allows (ARB_ROLE_BOT, ARB_ROLE_OPERATOR));
  g_assert_false (arb_role_allows (ARB_ROLE_NONE, ARB_ROLE_OPERATOR));

  /* the bot role is separate: an operator is not a bot */
  g_assert_true (arb_role_allows (ARB_ROLE_BOT, ARB_ROLE_BOT));
  g_assert_false (arb_role_allows (ARB_ROLE_OPERATOR, ARB_ROLE_BOT));
  g_assert_false (arb_role_allows (ARB_ROLE_VIEWER, ARB_ROLE_BOT));
  g_assert_false (arb_role_allows (ARB_ROLE_NONE, ARB_ROLE_BOT));
}

static void
test_role_name_invalid (void)
{
  if (g_test_subprocess ())
    {
      g_assert_cmpstr (arb_role_name ((ArbRole) 42), ==, "none");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*role <= ARB_ROLE_BOT*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/config/defaults", test_defaults);
  g_test_add_func ("/arb/config/load-file", test_load_file);
  g_test_add_func ("/arb/config/load-partial", test_load_partial);
  g_test_add_func ("/arb/config/limits-clamped", test_limits_clamped);
  g_test_add_func ("/arb/config/alerts", test_alerts);
  g_test_add_func ("/arb/config/bad-files", test_bad_files);
  g_test_add_func ("/arb/config/unreadable", test_unreadable);
  g_test_add_func ("/arb/config/env-tokens", test_env_tokens);
  g_test_add_func ("/arb/config/check-token", test_check_token);
  g_test_add_func ("/arb/config/no-tokens", test_no_tokens);
  g_test_add_func ("/arb/config/roles", test_roles);
  g_test_add_func ("/arb/config/role-name-invalid", test_role_name_invalid);

  return g_test_run ();
}
