/* arb-config.c: settings of one dashboard: listen address, database, tokens, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-config"

#include "config.h"

#include <string.h>

#include "arb-config.h"

static const char *role_names[] = { "none", "viewer", "operator", "bot" };

const char *
arb_role_name (ArbRole role)
{
  g_return_val_if_fail (role <= ARB_ROLE_BOT, "none");
  return role_names[role];
}

gboolean
arb_role_allows (ArbRole have,
                 ArbRole need)
{
  if (need == ARB_ROLE_NONE)
    return TRUE;
  if (need == ARB_ROLE_VIEWER)
    return have == ARB_ROLE_VIEWER || have == ARB_ROLE_OPERATOR;
  return have == need;
}

static void
token_free (ArbToken *t)
{
  g_free (t->name);
  /* secrets do not linger in freed memory */
  if (t->secret != NULL)
    memset (t->secret, 0, strlen (t->secret));
  g_free (t->secret);
  g_free (t);
}

ArbConfig *
arb_config_new (void)
{
  ArbConfig *c = g_new0 (ArbConfig, 1);

  c->listen_address = g_strdup ("127.0.0.1");
  c->port = 8080;
  c->db_path = arb_config_default_db_path ();
  c->demo = TRUE;
  c->sample_interval_ms = 1000;
  c->command_timeout_ms = 10000;
  c->allowed_origins = g_new0 (char *, 1);
  arb_limits_init_default (&c->limits);
  arb_alert_thresholds_init_default (&c->alerts);
  c->tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) token_free);
  return c;
}

void
arb_config_free (ArbConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->listen_address);
  g_free (c->db_path);
  g_strfreev (c->allowed_origins);
  g_ptr_array_unref (c->tokens);
  g_free (c->config_path);
  g_free (c);
}

char *
arb_config_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "arbdash", "arbdash.db", NULL);
}

void
arb_config_add_token (ArbConfig  *config,
                      const char *name,
                      ArbRole     role,
                      const char *secret)
{
  ArbToken *t;

  g_return_if_fail (role != ARB_ROLE_NONE);
  if (secret == NULL || *secret == '\0')
    return;
  t = g_new0 (ArbToken, 1);
  t->name = g_strdup (name);
  t->role = role;
  t->secret = g_strdup (secret);
  g_ptr_array_add (config->tokens, t);
}

gboolean
arb_config_has_role_token (ArbConfig *config,
                           ArbRole    role)
{
  for (guint i = 0; i < config->tokens->len; i++)
    if (((ArbToken *) g_ptr_array_index (config->tokens, i))->role == role)
      return TRUE;
  return FALSE;
}

/* Compares in time that depends only on the lengths, so a client cannot
 * find a secret byte by byte from response times. */
static gboolean
secret_equal (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i % (lb ? lb : 1)];
  return diff == 0;
}

ArbRole
arb_config_check_token (ArbConfig   *config,
                        const char  *secret,
                        const char **name)
{
  ArbRole role = ARB_ROLE_NONE;

  if (name != NULL)
    *name = NULL;
  if (secret == NULL || *secret == '\0')
    return ARB_ROLE_NONE;
  for (guint i = 0; i < config->tokens->len; i++)
    {
      ArbToken *t = g_ptr_array_index (config->tokens, i);

      if (secret_equal (secret, t->secret) && role == ARB_ROLE_NONE)
        {
          role = t->role;
          if (name != NULL)
            *name = t->name;
        }
    }
  return role;
}

void
arb_config_load_env (ArbConfig *config)
{
  static const struct { const char *var; ArbRole role; const char *name; } vars[] = {
    { "ARBDASH_BOT_TOKEN", ARB_ROLE_BOT, "bot (environment)" },
    { "ARBDASH_VIEWER_TOKEN", ARB_ROLE_VIEWER, "viewer (environment)" },
    { "ARBDASH_OPERATOR_TOKEN", ARB_ROLE_OPERATOR, "operator (environment)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    arb_config_add_token (config, vars[i].name, vars[i].role, g_getenv (vars[i].var));
}

static gboolean
load_server (ArbConfig *config, GKeyFile *kf, GError **error)
{
  g_autofree char *listen = g_key_file_get_string (kf, "server", "listen", NULL);
  g_autofree char *db = g_key_file_get_string (kf, "server", "database", NULL);
  g_auto(GStrv) origins = g_key_file_get_string_list (kf, "server", "allowed-origins", NULL, NULL);
  g_autoptr(GError) local = NULL;
  int port;

  if (listen != NULL)
    g_free (config->listen_address), config->listen_address = g_steal_pointer (&listen);
  if (db != NULL)
    g_free (config->db_path), config->db_path = g_steal_pointer (&db);
  if (origins != NULL)
    g_strfreev (config->allowed_origins), config->allowed_origins = g_steal_pointer (&origins);
  /* a value that does not parse is an error, not the default in disguise */
  if (g_key_file_has_key (kf, "server", "port", NULL))
    {
      port = g_key_file_get_integer (kf, "server", "port", &local);
      if (local != NULL || port < 0 || port > 65535)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[server] port must be 0 to 65535");
          return FALSE;
        }
      config->port = port;
    }
  if (g_key_file_has_key (kf, "server", "demo", NULL))
    {
      gboolean demo = g_key_file_get_boolean (kf, "server", "demo", &local);

      if (local != NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[server] demo must be true or false");
          return FALSE;
        }
      config->demo = demo;
    }
  return TRUE;
}

/* [tokens] NAME = ROLE:SECRET, e.g. "alice = operator:s3cret". */
static gboolean
load_tokens (ArbConfig *config, GKeyFile *kf, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, "tokens", NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *value = g_key_file_get_string (kf, "tokens", *k, NULL);
      char *colon = value != NULL ? strchr (value, ':') : NULL;
      ArbRole role = ARB_ROLE_NONE;

      if (colon != NULL)
        {
          *colon = '\0';
          for (guint r = ARB_ROLE_VIEWER; r <= ARB_ROLE_BOT; r++)
            if (strcmp (value, role_names[r]) == 0)
              role = r;
        }
      if (role == ARB_ROLE_NONE || colon[1] == '\0')
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[tokens] %s must be ROLE:SECRET with ROLE viewer, operator or bot", *k);
          return FALSE;
        }
      arb_config_add_token (config, *k, role, colon + 1);
    }
  return TRUE;
}

static void
load_double (GKeyFile *kf, const char *key, double min, double max, double *out)
{
  g_autoptr(GError) error = NULL;
  double v = g_key_file_get_double (kf, "alerts", key, &error);

  if (error == NULL)
    *out = CLAMP (v, min, max);
}

static void
load_uint (GKeyFile *kf, const char *key, guint min, guint max, guint *out)
{
  g_autoptr(GError) error = NULL;
  gint64 v = g_key_file_get_int64 (kf, "alerts", key, &error);

  if (error == NULL)
    *out = CLAMP (v, (gint64) min, (gint64) max);
}

/* [alerts] thresholds, clamped to sensible ranges. */
static void
load_alerts (ArbConfig *config, GKeyFile *kf)
{
  ArbAlertThresholds *t = &config->alerts;

  load_double (kf, "cpu-percent", 1, 100, &t->cpu_percent);
  load_uint (kf, "cpu-seconds", 0, 86400, &t->cpu_seconds);
  load_double (kf, "memory-percent", 1, 100, &t->memory_percent);
  load_uint (kf, "memory-seconds", 0, 86400, &t->memory_seconds);
  load_double (kf, "disk-percent", 1, 100, &t->disk_percent);
  load_uint (kf, "losing-streak", 1, 10000, &t->losing_streak);
  load_double (kf, "gas-spike-gwei", 0, 1e6, &t->gas_spike_gwei);
  load_uint (kf, "error-window-seconds", 1, 86400, &t->error_window_s);
}

gboolean
arb_config_load_file (ArbConfig   *config,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  if (!load_server (config, kf, error) || !load_tokens (config, kf, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  load_alerts (config, kf);
  if (g_key_file_has_key (kf, "limits", "command-timeout-ms", NULL))
    config->command_timeout_ms =
      CLAMP (g_key_file_get_integer (kf, "limits", "command-timeout-ms", NULL), 100, 600000);
  g_free (config->config_path);
  config->config_path = g_strdup (path);
  return TRUE;
}
