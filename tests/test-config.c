/* test-config.c: defaults, the key file, tokens from the environment, roles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "arb-config.h"
#include "test-util.h"

/* Warnings of arb-config go here while it is set. */
static GPtrArray *warnings;

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
  /* as arbdash writes it: it holds secrets (a readable one gets a warning) */
  g_file_set_contents_full (file, contents, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
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
    "alice = operator:s3cret-0123456789abc\n"
    "bob = viewer:look-0123456789abcd\n"
    "feeder = bot:b0t:with:colons:0123456789\n"
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

  g_assert_cmpint (arb_config_check_token (config, "s3cret-0123456789abc", &name), ==,
                   ARB_ROLE_OPERATOR);
  g_assert_cmpstr (name, ==, "alice");
  g_assert_cmpint (arb_config_check_token (config, "look-0123456789abcd", &name), ==,
                   ARB_ROLE_VIEWER);
  g_assert_cmpstr (name, ==, "bob");
  /* only the first colon separates the role: the secret may hold more */
  g_assert_cmpint (arb_config_check_token (config, "b0t:with:colons:0123456789", &name), ==,
                   ARB_ROLE_BOT);
  g_assert_cmpstr (name, ==, "feeder");
  g_assert_cmpint (arb_config_check_token (config, "b0t", &name), ==, ARB_ROLE_NONE);
  g_assert_null (name);

  /* a second file overrides what it sets and adds its tokens */
  g_unlink (path);
  g_assert_true (load (config, "[server]\nport = 0\n[tokens]\ncarol = viewer:c-0123456789abcdef\n",
                       &error));
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

/* The transport's two settings: defaults, read, clamped, copied. */
static void
test_connection_limits (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) copy = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (config->max_connections, ==, ARB_MAX_CONNECTIONS_DEFAULT);
  g_assert_cmpuint (config->request_timeout_ms, ==, ARB_REQUEST_TIMEOUT_MS_DEFAULT);
  g_assert_true (load (config, "[limits]\nmax-connections = 64\nrequest-timeout-ms = 5000\n",
                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->max_connections, ==, 64);
  g_assert_cmpuint (config->request_timeout_ms, ==, 5000);
  copy = arb_config_copy (config);
  g_assert_cmpuint (copy->max_connections, ==, 64);
  g_assert_cmpuint (copy->request_timeout_ms, ==, 5000);
  g_assert_true (load (config, "[limits]\nmax-connections = 0\nrequest-timeout-ms = 1\n",
                       &error));
  g_assert_cmpuint (config->max_connections, ==, 1);
  g_assert_cmpuint (config->request_timeout_ms, ==, 100);
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
    { "[tokens]\nbad name = viewer:x\n", "bad name" },
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

/* [server] retention-days: 1 to 3650, 0 or absent the default, anything else refused. */
static void
test_retention (void)
{
  static const char *const bad[] = {
    "-1", "3651", "100000000000", "ninety", "30days", "30.5", "",
  };
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (config->retention_days, ==, ARB_RETENTION_DAYS_DEFAULT);
  g_assert_cmpuint (ARB_RETENTION_DAYS_DEFAULT, ==, 90);
  g_assert_true (load (config, "[server]\nport = 9000\n", &error));
  g_assert_cmpuint (config->retention_days, ==, 90);
  g_assert_true (load (config, "[server]\nretention-days = 30\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->retention_days, ==, 30);
  g_assert_true (load (config, "[server]\nretention-days = 1\n", &error));
  g_assert_cmpuint (config->retention_days, ==, 1);
  g_assert_true (load (config, "[server]\nretention-days = 3650\n", &error));
  g_assert_cmpuint (config->retention_days, ==, 3650);
  g_assert_true (load (config, "[server]\nretention-days = 0\n", &error));
  g_assert_cmpuint (config->retention_days, ==, 90);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ArbConfig) c = arb_config_new ();
      g_autofree char *contents = g_strdup_printf ("[server]\nretention-days = %s\n", bad[i]);
      g_autofree char *path = write_conf (contents);

      if (arb_config_load_file (c, path, &error))
        g_error ("accepted: %s", contents);
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_nonnull (strstr (error->message, "[server] retention-days must be 1 to 3650"));
      g_assert_cmpuint (c->retention_days, ==, 90);
      g_clear_error (&error);
      g_unlink (path);
    }
}

/* ---------------------------------------------------------------- managing tokens */

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
test_generate_secret (void)
{
  g_autofree char *a = arb_config_generate_secret ();
  g_autofree char *b = arb_config_generate_secret ();
  g_autofree char *padded = NULL;
  g_autofree guint8 *raw = NULL;
  gsize len = 0;

  /* 32 bytes in base64url without padding: 43 characters of [A-Za-z0-9_-] */
  g_assert_cmpuint (strlen (a), ==, 43);
  for (const char *p = a; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  padded = g_strconcat (a, "=", NULL);
  g_strdelimit (padded, "-", '+');
  g_strdelimit (padded, "_", '/');
  raw = g_base64_decode (padded, &len);
  g_assert_cmpuint (len, ==, ARB_SECRET_BYTES);
  /* random: two secrets differ (a collision of 256 bits would be news) */
  g_assert_cmpstr (a, !=, b);
}

static void
test_token_names (void)
{
  static const char *const good[] = {
    "alice", "bot-eu-1", "ci.runner_2", "ops@laptop", "A",
    "0123456789012345678901234567890123456789012345678901234567890123",
  };
  static const char *const bad[] = {
    "", "bad name", "x=y", "name[fr]", "#comment", "ünïcode", "a:b", "bot (environment)",
    "01234567890123456789012345678901234567890123456789012345678901234",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (arb_config_is_token_name (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (arb_config_is_token_name (bad[i]))
      g_error ("accepted as a name: “%s”", bad[i]);
  g_assert_false (arb_config_is_token_name (NULL));
}

/* Create, save, load, remove: the file keeps everything else, mode 0600. */
static void
test_create_remove_token (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) reloaded = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_conf ("# keep this comment\n"
                                      "[server]\n"
                                      "port = 9091\n"
                                      "\n"
                                      "[tokens]\n"
                                      "# the operator\n"
                                      "alice = operator:s3cret-0123456789abc\n"
                                      "\n"
                                      "[limits]\n"
                                      "command-timeout-ms = 2500\n");
  g_autofree char *secret = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);
  const char *name = NULL;

  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  warnings = logged;
  g_assert_true (arb_config_load_file (config, path, &error));
  warnings = NULL;
  g_assert_no_error (error);
  /* (a readable file with secrets: arbdash says so, and saving fixes it) */
  g_assert_cmpuint (logged->len, ==, 1);
  secret = arb_config_create_token (config, "ci-bot", ARB_ROLE_BOT, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);

  /* accepted at once, from the file */
  g_assert_cmpint (arb_config_check_token (config, secret, &name), ==, ARB_ROLE_BOT);
  g_assert_cmpstr (name, ==, "ci-bot");
  g_assert_cmpint (arb_config_find_token (config, "ci-bot")->source, ==, ARB_TOKEN_FROM_FILE);
  g_assert_cmpint (arb_config_check_token (config, "s3cret-0123456789abc", NULL), ==,
                   ARB_ROLE_OPERATOR);

  /* the file: readable by its owner only, everything else kept */
  g_assert_cmpuint (file_mode (path), ==, 0600);
  contents = read_file (path);
  g_assert_true (g_str_has_prefix (contents, "# keep this comment\n"));
  g_assert_nonnull (strstr (contents, "[server]\nport=9091\n"));
  g_assert_nonnull (strstr (contents, "# the operator\nalice=operator:s3cret-0123456789abc\n"));
  expected = g_strdup_printf ("ci-bot=bot:%s\n", secret);
  g_assert_nonnull (strstr (contents, expected));
  g_assert_nonnull (strstr (contents, "[limits]\ncommand-timeout-ms=2500\n"));

  /* and it loads back: the same token, the rest as before */
  g_assert_true (arb_config_load_file (reloaded, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reloaded->tokens->len, ==, 2);
  g_assert_cmpint (arb_config_check_token (reloaded, secret, &name), ==, ARB_ROLE_BOT);
  g_assert_cmpstr (name, ==, "ci-bot");
  g_assert_cmpuint (reloaded->port, ==, 9091);
  g_assert_cmpuint (reloaded->command_timeout_ms, ==, 2500);

  /* remove: refused at once, gone from the file, the rest kept */
  g_assert_true (arb_config_remove_token (config, "ci-bot", &error));
  g_assert_no_error (error);
  g_assert_cmpint (arb_config_check_token (config, secret, NULL), ==, ARB_ROLE_NONE);
  g_assert_null (arb_config_find_token (config, "ci-bot"));
  g_assert_cmpuint (config->tokens->len, ==, 1);
  g_clear_pointer (&contents, g_free);
  contents = read_file (path);
  g_assert_null (strstr (contents, "ci-bot"));
  g_assert_nonnull (strstr (contents, "alice=operator:s3cret-0123456789abc"));
  g_assert_nonnull (strstr (contents, "# keep this comment"));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_clear_pointer (&reloaded, arb_config_free);
  reloaded = arb_config_new ();
  g_assert_true (arb_config_load_file (reloaded, path, &error));
  g_assert_cmpuint (reloaded->tokens->len, ==, 1);
  g_assert_cmpint (arb_config_check_token (reloaded, secret, NULL), ==, ARB_ROLE_NONE);

  /* a token not there is an error, not a silent success */
  g_assert_false (arb_config_remove_token (config, "ci-bot", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_unlink (path);
}

static void
test_create_refused (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_conf ("[tokens]\nalice = operator:s3cret-0123456789abc\n");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (arb_config_load_file (config, path, &error));
  /* carol came into the file by hand after the start */
  g_assert_true (g_file_set_contents (path, "[tokens]\nalice = operator:s3cret-0123456789abc\n"
                                      "carol = viewer:by-hand-0123456789ab\n", -1, NULL));
  before = read_file (path);

  /* a name in use, here or in the file */
  g_assert_null (arb_config_create_token (config, "alice", ARB_ROLE_VIEWER, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (arb_config_create_token (config, "carol", ARB_ROLE_VIEWER, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  /* not a name */
  g_assert_null (arb_config_create_token (config, "bad name", ARB_ROLE_VIEWER, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (config->tokens->len, ==, 1);
  after = read_file (path);
  g_assert_cmpstr (before, ==, after);

  /* a file that does not parse is not overwritten */
  g_assert_true (g_file_set_contents (path, "this is not [an ini file\n", -1, NULL));
  g_assert_null (arb_config_create_token (config, "dave", ARB_ROLE_VIEWER, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
  g_clear_error (&error);
  g_clear_pointer (&after, g_free);
  after = read_file (path);
  g_assert_cmpstr (after, ==, "this is not [an ini file\n");
  g_assert_false (arb_config_remove_token (config, "alice", &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_nonnull (arb_config_find_token (config, "alice"));

  /* a file that cannot be written: nothing changes in memory either */
  g_unlink (path);
  g_free (config->config_path);
  config->config_path = g_build_filename (path, "under-a-file.conf", NULL);
  g_assert_true (g_file_set_contents (path, "x", -1, NULL));
  g_assert_null (arb_config_create_token (config, "dave", ARB_ROLE_VIEWER, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_clear_error (&error);
  g_assert_null (arb_config_find_token (config, "dave"));
  g_assert_cmpuint (config->tokens->len, ==, 1);
  g_unlink (path);

  /* tokens from the environment stay: it would bring them back */
  g_setenv ("ARBDASH_BOT_TOKEN", "env-bot", TRUE);
  arb_config_load_env (config);
  g_unsetenv ("ARBDASH_BOT_TOKEN");
  g_assert_cmpint (arb_config_find_token (config, "bot (environment)")->source, ==,
                   ARB_TOKEN_FROM_ENVIRONMENT);
  g_assert_false (arb_config_remove_token (config, "bot (environment)", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "ARBDASH_BOT_TOKEN"));
  g_assert_cmpint (arb_config_check_token (config, "env-bot", NULL), ==, ARB_ROLE_BOT);
  g_assert_cmpstr (arb_config_env_var (ARB_ROLE_VIEWER), ==, "ARBDASH_VIEWER_TOKEN");
  g_assert_cmpstr (arb_config_env_var (ARB_ROLE_OPERATOR), ==, "ARBDASH_OPERATOR_TOKEN");
}

/* No file read: the default one is made, with its folder, for the owner only. */
static void
test_create_default_file (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) reloaded = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = arb_config_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *save = arb_config_dup_save_path (config);
  g_autofree char *secret = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpstr (save, ==, path);
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_assert_true (g_str_has_suffix (path, "/arbdash/arbdash.conf"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  secret = arb_config_create_token (config, "viewer-1", ARB_ROLE_VIEWER, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->config_path, ==, path);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (dir), ==, 0700);
  /* a new file says what it is */
  contents = read_file (path);
  g_assert_true (g_str_has_prefix (contents, "# arbdash: see docs/deployment.md."));
  g_assert_nonnull (strstr (contents, "\n# NAME = ROLE:SECRET, ROLE one of viewer, operator, "
                                      "bot\n[tokens]\nviewer-1=viewer:"));
  g_assert_true (arb_config_load_file (reloaded, path, &error));
  g_assert_cmpint (arb_config_check_token (reloaded, secret, NULL), ==, ARB_ROLE_VIEWER);
  g_unlink (path);
  g_rmdir (dir);
}

/* The engine's copy: the same tokens, sources and serials. */
static void
test_copy (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) copy = NULL;
  const ArbToken *a, *b;

  arb_config_add_token (config, "op", ARB_ROLE_OPERATOR, "secret-op");
  g_setenv ("ARBDASH_VIEWER_TOKEN", "env-view", TRUE);
  arb_config_load_env (config);
  g_unsetenv ("ARBDASH_VIEWER_TOKEN");
  config->port = 4242;
  copy = arb_config_copy (config);
  g_assert_cmpuint (copy->port, ==, 4242);
  g_assert_cmpuint (copy->tokens->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      a = g_ptr_array_index (config->tokens, i);
      b = g_ptr_array_index (copy->tokens, i);
      g_assert_true (a != b);
      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpstr (a->secret, ==, b->secret);
      g_assert_cmpint (a->role, ==, b->role);
      g_assert_cmpint (a->source, ==, b->source);
      g_assert_cmpuint (a->serial, ==, b->serial);
    }
  /* serials tell tokens apart, even of one name */
  a = g_ptr_array_index (config->tokens, 0);
  b = g_ptr_array_index (config->tokens, 1);
  g_assert_cmpuint (a->serial, !=, b->serial);
  g_assert_cmpint (b->source, ==, ARB_TOKEN_FROM_ENVIRONMENT);
}

/* Revision 1.1: a bot token may be bound to the bot_ids it speaks for. */
static void
test_bot_ids_file (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  const ArbToken *eu, *free_bot;

  g_assert_true (load (config,
                       "[tokens]\n"
                       "eu = bot:eu-secret-0123456789\n"
                       "any = bot:any-secret-0123456789\n"
                       "alice = operator:alice-secret-0123456789\n"
                       "[bot-ids]\n"
                       "eu = arb-eu-1; arb-eu-2;arb-eu-1,\n", &error));
  g_assert_no_error (error);
  eu = arb_config_find_token (config, "eu");
  g_assert_nonnull (eu->bot_ids);
  g_assert_cmpuint (g_strv_length (eu->bot_ids), ==, 2);
  g_assert_cmpstr (eu->bot_ids[0], ==, "arb-eu-1");
  g_assert_cmpstr (eu->bot_ids[1], ==, "arb-eu-2");
  g_assert_true (arb_token_speaks_for (eu, "arb-eu-2"));
  g_assert_false (arb_token_speaks_for (eu, "arb-us-1"));
  /* unbound: any bot_id, as before revision 1.1 */
  free_bot = arb_config_find_token (config, "any");
  g_assert_null (free_bot->bot_ids);
  g_assert_true (arb_token_speaks_for (free_bot, "arb-eu-1"));

  copy = arb_config_copy (config);
  g_assert_cmpstrv (arb_config_find_token (copy, "eu")->bot_ids, eu->bot_ids);
  g_assert_true (arb_config_find_token (copy, "eu")->bot_ids != eu->bot_ids);
  g_assert_null (arb_config_find_token (copy, "any")->bot_ids);

  /* a later file's token of the name replaces the binding too */
  g_assert_true (load (config, "[tokens]\neu = bot:eu-secret-9876543210\n", &error));
  g_assert_null (arb_config_find_token (config, "eu")->bot_ids);
  /* and a later file may bind a token of an earlier one */
  g_assert_true (load (config, "[bot-ids]\nany = arb-us-1\n", &error));
  g_assert_no_error (error);
  g_assert_false (arb_token_speaks_for (arb_config_find_token (config, "any"), "arb-eu-1"));
  g_assert_true (arb_token_speaks_for (arb_config_find_token (config, "any"), "arb-us-1"));
}

static void
test_bot_ids_bad (void)
{
  static const struct { const char *text; const char *words; } bad[] = {
    { "[bot-ids]\nghost = b-1\n", "ghost" },                 /* no such token */
    { "[bot-ids]\nalice = b-1\n", "alice" },                 /* not a bot token */
    { "[bot-ids]\neu = \n", "no bot_id" },
    { "[bot-ids]\neu = ;;\n", "no bot_id" },
    { "[bot-ids]\neu = b-1;bad/id\n", "bad/id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ArbConfig) config = arb_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strconcat ("[tokens]\neu = bot:eu-secret-0123456789\n"
                                           "alice = operator:alice-secret-0123456789\n",
                                           bad[i].text, NULL);

      g_assert_false (load (config, text, &error));
      g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "[bot-ids]"));
      if (strstr (error->message, bad[i].words) == NULL)
        g_error ("“%s” does not say “%s”", error->message, bad[i].words);
    }
}

static void
test_bot_ids_env (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) typo = arb_config_new ();
  const ArbToken *t;

  g_setenv ("ARBDASH_BOT_TOKEN", "env-bot-secret-0123456789", TRUE);
  g_setenv ("ARBDASH_BOT_IDS", "arb-eu-1,arb-eu-2", TRUE);
  arb_config_load_env (config);
  t = arb_config_find_token (config, "bot (environment)");
  g_assert_true (arb_token_speaks_for (t, "arb-eu-1"));
  g_assert_true (arb_token_speaks_for (t, "arb-eu-2"));
  g_assert_false (arb_token_speaks_for (t, "arb-us-1"));

  /* a value that does not parse binds it to no bot_id, not to any */
  g_setenv ("ARBDASH_BOT_IDS", "arb eu 1!", TRUE);
  warnings = g_ptr_array_new_with_free_func (g_free);
  arb_config_load_env (typo);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "ARBDASH_BOT_IDS"));
  g_clear_pointer (&warnings, g_ptr_array_unref);
  t = arb_config_find_token (typo, "bot (environment)");
  g_assert_nonnull (t->bot_ids);
  g_assert_false (arb_token_speaks_for (t, "arb"));
  g_assert_false (arb_token_speaks_for (t, "eu"));
  g_unsetenv ("ARBDASH_BOT_IDS");
  g_unsetenv ("ARBDASH_BOT_TOKEN");
}

/* The Access page's writer: [bot-ids] beside [tokens], kept on reload,
 * removed with its token. */
static void
test_bot_ids_create_remove (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) reloaded = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_conf ("[tokens]\nalice = operator:alice-secret-0123456789\n");
  g_autofree char *secret = NULL;
  g_autofree char *contents = NULL;
  const char *const ids[] = { "arb-eu-1", "arb-eu-2", NULL };
  const char *const bad[] = { "arb eu", NULL };

  g_assert_true (arb_config_load_file (config, path, &error));
  g_assert_null (arb_config_create_token_full (config, "eu", ARB_ROLE_BOT, bad, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (arb_config_find_token (config, "eu"));
  secret = arb_config_create_token_full (config, "eu", ARB_ROLE_BOT, ids, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (arb_config_find_token (config, "eu")->bot_ids, ids);
  contents = read_file (path);
  g_assert_nonnull (strstr (contents, "[bot-ids]"));
  g_assert_nonnull (strstr (contents, "eu=arb-eu-1;arb-eu-2\n"));
  g_assert_true (arb_config_load_file (reloaded, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (arb_config_find_token (reloaded, "eu")->bot_ids, ids);
  g_assert_null (arb_config_find_token (reloaded, "alice")->bot_ids);

  g_assert_true (arb_config_remove_token (config, "eu", &error));
  g_clear_pointer (&contents, g_free);
  contents = read_file (path);
  g_assert_null (strstr (contents, "eu="));
  /* and the file still loads: no binding of a token that is gone */
  g_clear_pointer (&reloaded, arb_config_free);
  reloaded = arb_config_new ();
  g_assert_true (arb_config_load_file (reloaded, path, &error));
  g_assert_no_error (error);
  g_assert_null (arb_config_find_token (reloaded, "eu"));
  g_unlink (path);
}

/* ---------------------------------------------------------------- weak or shared secrets */

#define LONG_SECRET "a-secret-of-24-chars-xyz"

/* A one-character token was accepted; now a start with one is refused, naming the
 * token and never its secret. */
static void
test_short_secret (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) env = arb_config_new ();
  g_autofree char *path = write_conf ("[tokens]\nalice = operator:" LONG_SECRET "\n"
                                      "bob = viewer:tiny-secret\n");

  g_assert_false (arb_config_load_file (config, path, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "“bob”"));
  g_assert_nonnull (strstr (error->message, "11 characters long"));
  g_assert_nonnull (strstr (error->message, "at least 16"));
  g_assert_null (strstr (error->message, "tiny-secret"));
  g_assert_null (config->config_path);
  g_unlink (path);
  g_clear_error (&error);

  /* 16 is enough */
  g_assert_true (load (env, "[tokens]\nbob = viewer:exactly-16-chars\n", &error));
  g_assert_no_error (error);
  g_assert_true (arb_config_check_tokens (env, &error));

  /* from the environment: named by its variable */
  g_setenv ("ARBDASH_BOT_TOKEN", "x", TRUE);
  arb_config_load_env (env);
  g_unsetenv ("ARBDASH_BOT_TOKEN");
  g_assert_false (arb_config_check_tokens (env, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "ARBDASH_BOT_TOKEN is 1 characters long"));
}

/* One secret for two roles silently became the first role; now it is refused. */
static void
test_shared_secret (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) mixed = arb_config_new ();
  g_autofree char *path = write_conf ("[tokens]\nalice = operator:" LONG_SECRET "\n"
                                      "bob = viewer:" LONG_SECRET "\n");

  g_assert_false (arb_config_load_file (config, path, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "the token “alice” (operator) and the token "
                                            "“bob” (viewer) have the same secret"));
  g_assert_null (strstr (error->message, LONG_SECRET));
  g_unlink (path);
  g_clear_error (&error);

  /* the file's and the environment's together */
  g_assert_true (load (mixed, "[tokens]\nalice = operator:" LONG_SECRET "\n", &error));
  g_assert_true (arb_config_check_tokens (mixed, &error));
  g_setenv ("ARBDASH_VIEWER_TOKEN", LONG_SECRET, TRUE);
  arb_config_load_env (mixed);
  g_unsetenv ("ARBDASH_VIEWER_TOKEN");
  g_assert_false (arb_config_check_tokens (mixed, &error));
  g_assert_nonnull (strstr (error->message, "“alice” (operator) and ARBDASH_VIEWER_TOKEN"));
  g_assert_null (strstr (error->message, LONG_SECRET));
}

/* A configuration file with secrets that others can read loaded silently. */
static void
test_readable_file (void)
{
  static const struct { guint mode; gboolean tokens; const char *needle; } cases[] = {
    { 0600, TRUE, NULL },
    { 0400, TRUE, NULL },
    { 0640, TRUE, "can be read by its group (mode 0640)" },
    { 0644, TRUE, "can be read by every user of this machine (mode 0644)" },
    { 0604, TRUE, "can be read by every user of this machine (mode 0604)" },
    { 0644, FALSE, NULL },
  };
  g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ArbConfig) config = arb_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_conf (cases[i].tokens ? "[tokens]\nalice = operator:"
                                                            LONG_SECRET "\n"
                                                          : "[server]\nport = 1\n");
      g_autofree char *fix = g_strdup_printf ("run “chmod 600 %s”", path);

      g_assert_cmpint (g_chmod (path, cases[i].mode), ==, 0);
      g_ptr_array_set_size (logged, 0);
      warnings = logged;
      g_assert_true (arb_config_load_file (config, path, &error));
      warnings = NULL;
      g_assert_no_error (error);
      if (cases[i].needle == NULL)
        {
          g_assert_cmpuint (logged->len, ==, 0);
        }
      else
        {
          const char *line;

          g_assert_cmpuint (logged->len, ==, 1);
          line = g_ptr_array_index (logged, 0);
          g_assert_true (g_str_has_prefix (line, path));
          g_assert_nonnull (strstr (line, cases[i].needle));
          g_assert_nonnull (strstr (line, fix));
          g_assert_null (strstr (line, LONG_SECRET));
        }
      g_unlink (path);
    }
}

/* ---------------------------------------------------------------- allowed hosts */

static void
test_host_parse (void)
{
  static const struct { const char *text; const char *name; int port; } good[] = {
    { "localhost", "localhost", -1 },
    { "Dash.Example.ORG:8443", "dash.example.org", 8443 },
    { "127.0.0.1:8080", "127.0.0.1", 8080 },
    { "[::1]", "::1", -1 },
    { "[2001:DB8::1]:443", "2001:db8::1", 443 },
    { "host_name-1.example", "host_name-1.example", -1 },
    { "a:65535", "a", 65535 },
  };
  static const char *bad[] = {
    "", ":80", "a:", "a:0", "a:65536", "a:+80", "a: 80", "a:80x", "a:1:2", "[::1", "[]",
    "[::1]x", "[::1]:", "[zz::1]", "[127.0.0.1]", "user@host", "host/path", "ho st",
    "host,other", "h\xc3\xa9te", "a:123456",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *name = NULL;
      int port;

      g_test_message ("%s", good[i].text);
      g_assert_true (arb_host_parse (good[i].text, &name, &port));
      g_assert_cmpstr (name, ==, good[i].name);
      g_assert_cmpint (port, ==, good[i].port);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *name = NULL;
      int port = 7;

      g_test_message ("%s", bad[i]);
      g_assert_false (arb_host_parse (bad[i], &name, &port));
      g_assert_null (name);
      g_assert_cmpint (port, ==, -1);
    }
}

static void
test_allowed_hosts (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) copy = NULL;
  g_autoptr(ArbConfig) bad = arb_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (config->allowed_hosts);
  g_assert_null (config->allowed_hosts[0]);
  g_assert_true (load (config, "[server]\nallowed-hosts = dash.example.org; "
                               "[::1]:8443;;\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (config->allowed_hosts), ==, 2);
  g_assert_cmpstr (config->allowed_hosts[0], ==, "dash.example.org");
  g_assert_cmpstr (config->allowed_hosts[1], ==, "[::1]:8443");
  copy = arb_config_copy (config);
  g_assert_cmpuint (g_strv_length (copy->allowed_hosts), ==, 2);
  g_assert_true (copy->allowed_hosts != config->allowed_hosts);

  /* a typo stops the start: it would refuse every request that uses the name */
  g_assert_false (load (bad, "[server]\nallowed-hosts = https://dash.example.org\n", &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "allowed-hosts: “https://dash.example.org”"));
}

/* The file changed under a running dashboard: unchanged tokens keep their
 * serial (their sessions), changed and removed ones go, the environment's stay,
 * and a file that does not parse changes nothing. */
static void
test_reload_tokens (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_conf ("[tokens]\n"
                                      "alice = operator:alice-secret-0123456789\n"
                                      "bob = viewer:bob-secret-0123456789\n"
                                      "bot-1 = bot:bot-secret-0123456789\n");
  const ArbToken *t;
  guint alice_serial, added = 99, removed = 99;

  g_assert_true (arb_config_load_file (config, path, &error));
  g_assert_no_error (error);
  g_setenv ("ARBDASH_VIEWER_TOKEN", "env-viewer-secret-0123456789", TRUE);
  arb_config_load_env (config);
  g_unsetenv ("ARBDASH_VIEWER_TOKEN");
  alice_serial = arb_config_find_token (config, "alice")->serial;

  /* (CONSISTENT: GLib 2.74's NONE does not truncate an existing file) */
  /* bob's secret changes, bot-1 is bound, carol comes, nobody leaves */
  g_assert_true (g_file_set_contents_full (path, "[tokens]\n"
                                           "alice = operator:alice-secret-0123456789\n"
                                           "bob = viewer:bob-new-secret-0123456789\n"
                                           "bot-1 = bot:bot-secret-0123456789\n"
                                           "carol = viewer:carol-secret-0123456789\n"
                                           "[bot-ids]\nbot-1 = arb-1\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_true (arb_config_reload_tokens (config, path, &added, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 2);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (config->tokens->len, ==, 5);
  g_assert_cmpuint (arb_config_find_token (config, "alice")->serial, ==, alice_serial);
  g_assert_cmpint (arb_config_check_token (config, "bob-secret-0123456789", NULL), ==,
                   ARB_ROLE_NONE);
  g_assert_cmpint (arb_config_check_token (config, "bob-new-secret-0123456789", NULL), ==,
                   ARB_ROLE_VIEWER);
  g_assert_cmpint (arb_config_check_token (config, "carol-secret-0123456789", NULL), ==,
                   ARB_ROLE_VIEWER);
  g_assert_cmpint (arb_config_check_token (config, "env-viewer-secret-0123456789", NULL), ==,
                   ARB_ROLE_VIEWER);
  t = arb_config_find_token (config, "bot-1");
  g_assert_true (arb_token_speaks_for (t, "arb-1"));
  g_assert_false (arb_token_speaks_for (t, "arb-2"));

  /* a secret the environment uses already: refused as at start, nothing changes */
  g_assert_true (g_file_set_contents_full (path, "[tokens]\n"
                                           "mallory = operator:env-viewer-secret-0123456789\n",
                                           -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_false (arb_config_reload_tokens (config, path, NULL, NULL, &error));
  g_assert_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpuint (config->tokens->len, ==, 5);

  /* a file that does not parse: nothing changes */
  g_assert_true (g_file_set_contents_full (path, "[tokens\n", -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                           0600, &error));
  g_assert_false (arb_config_reload_tokens (config, path, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (config->tokens->len, ==, 5);

  /* a removed file takes the file's tokens with it; the environment's stay */
  g_unlink (path);
  g_assert_true (arb_config_reload_tokens (config, path, &added, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 0);
  g_assert_cmpuint (removed, ==, 4);
  g_assert_cmpuint (config->tokens->len, ==, 1);
  g_assert_cmpint (((ArbToken *) g_ptr_array_index (config->tokens, 0))->source, ==,
                   ARB_TOKEN_FROM_ENVIRONMENT);
}

/* systemd's LoadCredential=arbdash.conf:...: the default file of a service. */
static void
test_credentials_directory (void)
{
  g_autofree char *dir = g_dir_make_tmp ("arb-credentials-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "arbdash.conf", NULL);
  g_autofree char *fallback = NULL;
  g_autofree char *path = NULL;

  g_assert_nonnull (dir);
  g_setenv ("CREDENTIALS_DIRECTORY", dir, TRUE);
  /* no such credential: the user's default */
  path = arb_config_default_path ();
  g_assert_true (g_str_has_prefix (path, g_get_user_config_dir ()));
  g_clear_pointer (&path, g_free);
  g_assert_true (g_file_set_contents (conf, "[server]\n", -1, NULL));
  path = arb_config_default_path ();
  g_assert_cmpstr (path, ==, conf);
  g_clear_pointer (&path, g_free);
  /* a relative directory is nobody's credential folder */
  g_setenv ("CREDENTIALS_DIRECTORY", "relative", TRUE);
  fallback = arb_config_default_path ();
  g_assert_true (g_str_has_prefix (fallback, g_get_user_config_dir ()));
  g_unsetenv ("CREDENTIALS_DIRECTORY");
  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* the default configuration file goes to a scratch folder, never the user's; not
   * G_TEST_OPTION_ISOLATE_DIRS, whose replaced values GLib keeps (LeakSanitizer reports them) */
  g_autofree char *config_home = g_dir_make_tmp ("arb-config-home-XXXXXX", NULL);
  int status;

  g_assert_nonnull (config_home);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (&argc, &argv, NULL);
  test_capture_log ("arb-config", G_LOG_LEVEL_WARNING, &warnings);

  g_test_add_func ("/arb/config/defaults", test_defaults);
  g_test_add_func ("/arb/config/load-file", test_load_file);
  g_test_add_func ("/arb/config/load-partial", test_load_partial);
  g_test_add_func ("/arb/config/limits-clamped", test_limits_clamped);
  g_test_add_func ("/arb/config/connection-limits", test_connection_limits);
  g_test_add_func ("/arb/config/alerts", test_alerts);
  g_test_add_func ("/arb/config/bad-files", test_bad_files);
  g_test_add_func ("/arb/config/unreadable", test_unreadable);
  g_test_add_func ("/arb/config/env-tokens", test_env_tokens);
  g_test_add_func ("/arb/config/check-token", test_check_token);
  g_test_add_func ("/arb/config/no-tokens", test_no_tokens);
  g_test_add_func ("/arb/config/roles", test_roles);
  g_test_add_func ("/arb/config/role-name-invalid", test_role_name_invalid);
  g_test_add_func ("/arb/config/retention", test_retention);
  g_test_add_func ("/arb/config/generate-secret", test_generate_secret);
  g_test_add_func ("/arb/config/token-names", test_token_names);
  g_test_add_func ("/arb/config/create-remove-token", test_create_remove_token);
  g_test_add_func ("/arb/config/create-refused", test_create_refused);
  g_test_add_func ("/arb/config/create-default-file", test_create_default_file);
  g_test_add_func ("/arb/config/bot-ids/file", test_bot_ids_file);
  g_test_add_func ("/arb/config/bot-ids/bad", test_bot_ids_bad);
  g_test_add_func ("/arb/config/bot-ids/env", test_bot_ids_env);
  g_test_add_func ("/arb/config/bot-ids/create-remove", test_bot_ids_create_remove);
  g_test_add_func ("/arb/config/copy", test_copy);
  g_test_add_func ("/arb/config/short-secret", test_short_secret);
  g_test_add_func ("/arb/config/shared-secret", test_shared_secret);
  g_test_add_func ("/arb/config/readable-file", test_readable_file);
  g_test_add_func ("/arb/config/host-parse", test_host_parse);
  g_test_add_func ("/arb/config/allowed-hosts", test_allowed_hosts);
  g_test_add_func ("/arb/config/reload-tokens", test_reload_tokens);
  g_test_add_func ("/arb/config/credentials-directory", test_credentials_directory);

  status = g_test_run ();
  remove_dir (config_home);
  return status;
}
