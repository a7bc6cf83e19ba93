/* arb-config.c: settings of one dashboard: listen address, database, tokens, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-config"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "arb-config.h"

#define TOKENS_GROUP   "tokens"
#define BOT_IDS_GROUP  "bot-ids"
#define BOT_IDS_ENV    "ARBDASH_BOT_IDS"
#define MAX_NAME_BYTES 64

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

/* Secrets do not linger in freed memory. */
static void
secret_free (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

typedef char ArbSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbSecret, secret_free)

static void
token_free (ArbToken *t)
{
  g_free (t->name);
  secret_free (t->secret);
  g_strfreev (t->bot_ids);
  g_free (t);
}

static ArbToken *
token_new (const char *name, ArbRole role, const char *secret, ArbTokenSource source)
{
  static gint last_serial;
  ArbToken *t = g_new0 (ArbToken, 1);

  t->name = g_strdup (name);
  t->role = role;
  t->secret = g_strdup (secret);
  t->source = source;
  t->serial = (guint) g_atomic_int_add (&last_serial, 1) + 1;
  return t;
}

ArbConfig *
arb_config_new (void)
{
  ArbConfig *c = g_new0 (ArbConfig, 1);

  c->listen_address = g_strdup ("127.0.0.1");
  c->port = 8080;
  c->db_path = arb_config_default_db_path ();
  c->retention_days = ARB_RETENTION_DAYS_DEFAULT;
  c->demo = TRUE;
  c->sample_interval_ms = 1000;
  c->command_timeout_ms = 10000;
  c->max_connections = ARB_MAX_CONNECTIONS_DEFAULT;
  c->request_timeout_ms = ARB_REQUEST_TIMEOUT_MS_DEFAULT;
  c->allowed_origins = g_new0 (char *, 1);
  c->allowed_hosts = g_new0 (char *, 1);
  arb_limits_init_default (&c->limits);
  arb_alert_thresholds_init_default (&c->alerts);
  c->tokens = g_ptr_array_new_with_free_func ((GDestroyNotify) token_free);
  return c;
}

/**
 * arb_config_copy:
 * @config: the settings to copy
 *
 * Tokens keep their source and serial: a browser session made with one
 * stays valid in the copy.
 *
 * Returns: (transfer full): a deep copy
 */
ArbConfig *
arb_config_copy (const ArbConfig *c)
{
  ArbConfig *copy;

  g_return_val_if_fail (c != NULL, NULL);

  copy = arb_config_new ();
  g_free (copy->listen_address);
  copy->listen_address = g_strdup (c->listen_address);
  copy->port = c->port;
  g_free (copy->db_path);
  copy->db_path = g_strdup (c->db_path);
  copy->retention_days = c->retention_days;
  copy->demo = c->demo;
  copy->sample_interval_ms = c->sample_interval_ms;
  copy->command_timeout_ms = c->command_timeout_ms;
  copy->max_connections = c->max_connections;
  copy->request_timeout_ms = c->request_timeout_ms;
  g_strfreev (copy->allowed_origins);
  copy->allowed_origins = g_strdupv (c->allowed_origins);
  g_strfreev (copy->allowed_hosts);
  copy->allowed_hosts = g_strdupv (c->allowed_hosts);
  copy->limits = c->limits;
  copy->alerts = c->alerts;
  for (guint i = 0; i < c->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (c->tokens, i);
      ArbToken *dup = token_new (t->name, t->role, t->secret, t->source);

      dup->serial = t->serial;
      dup->bot_ids = g_strdupv (t->bot_ids);
      g_ptr_array_add (copy->tokens, dup);
    }
  copy->config_path = g_strdup (c->config_path);
  return copy;
}

void
arb_config_free (ArbConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->listen_address);
  g_free (c->db_path);
  g_strfreev (c->allowed_origins);
  g_strfreev (c->allowed_hosts);
  g_ptr_array_unref (c->tokens);
  g_free (c->config_path);
  g_free (c);
}

char *
arb_config_default_db_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "arbdash", "arbdash.db", NULL);
}

/**
 * arb_config_default_path:
 *
 * The configuration file that both the desktop app and `--headless` read
 * when it exists and no `--config` was given, and where the Access page
 * saves tokens when no file was read.
 *
 * Returns: (transfer full): `$CREDENTIALS_DIRECTORY/arbdash.conf` when
 *   systemd passed that credential, else `$XDG_CONFIG_HOME/arbdash/arbdash.conf`
 */
char *
arb_config_default_path (void)
{
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");

  /* systemd's LoadCredential=arbdash.conf:...: the service's file (data/arbdash.service) */
  if (credentials != NULL && g_path_is_absolute (credentials))
    {
      g_autofree char *path = g_build_filename (credentials, "arbdash.conf", NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return g_build_filename (g_get_user_config_dir (), "arbdash", "arbdash.conf", NULL);
}

void
arb_config_add_token (ArbConfig  *config,
                      const char *name,
                      ArbRole     role,
                      const char *secret)
{
  g_return_if_fail (role != ARB_ROLE_NONE);
  if (secret == NULL || *secret == '\0')
    return;
  g_ptr_array_add (config->tokens, token_new (name, role, secret, ARB_TOKEN_FROM_FILE));
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

/* ARBDASH_BOT_IDS binds the token of ARBDASH_BOT_TOKEN. A value that does
 * not parse binds it to no bot_id at all: a typo must not leave it open to
 * every bot_id (this runs where no error can stop the start: say it loudly). */
static void
load_env_bot_ids (ArbConfig *config, const char *name)
{
  const char *text = g_getenv (BOT_IDS_ENV);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  ArbToken *t = (ArbToken *) arb_config_find_token (config, name);

  if (text == NULL)
    return;
  if (t == NULL)
    {
      g_warning (BOT_IDS_ENV " is set, but ARBDASH_BOT_TOKEN is not: it binds nothing");
      return;
    }
  ids = arb_config_parse_bot_ids (text, &error);
  if (ids == NULL)
    {
      g_warning (BOT_IDS_ENV ": %s; the token of ARBDASH_BOT_TOKEN may speak for no bot",
                 error->message);
      ids = g_new0 (char *, 1);
    }
  g_strfreev (t->bot_ids);
  t->bot_ids = g_steal_pointer (&ids);
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
    {
      const char *secret = g_getenv (vars[i].var);

      if (secret != NULL && *secret != '\0')
        g_ptr_array_add (config->tokens, token_new (vars[i].name, vars[i].role, secret,
                                                    ARB_TOKEN_FROM_ENVIRONMENT));
    }
  load_env_bot_ids (config, vars[0].name);
}

/**
 * arb_config_env_var:
 * @role: a role other than %ARB_ROLE_NONE
 *
 * Returns: the environment variable a token of @role may come from
 */
const char *
arb_config_env_var (ArbRole role)
{
  static const char *vars[] = {
    NULL, "ARBDASH_VIEWER_TOKEN", "ARBDASH_OPERATOR_TOKEN", "ARBDASH_BOT_TOKEN",
  };

  g_return_val_if_fail (role > ARB_ROLE_NONE && role <= ARB_ROLE_BOT, NULL);
  return vars[role];
}

/* [server] allowed-hosts: names a proxy or a DNS name reaches the dashboard by.
 * Checked here, so that a typo stops the start instead of refusing every request. */
static gboolean
load_hosts (ArbConfig *config, char **hosts, GError **error)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (char **h = hosts; *h != NULL; h++)
    {
      g_autofree char *name = NULL;
      int port;

      g_strstrip (*h);
      if (**h == '\0')
        continue;
      if (!arb_host_parse (*h, &name, &port))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[server] allowed-hosts: “%s” is not a host name or address, with an "
                       "optional :port (e.g. dash.example.org or dash.example.org:8443)", *h);
          return FALSE;
        }
      g_ptr_array_add (kept, g_strdup (*h));
    }
  g_ptr_array_add (kept, NULL);
  g_strfreev (config->allowed_hosts);
  config->allowed_hosts = (char **) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
  return TRUE;
}

static gboolean
load_server (ArbConfig *config, GKeyFile *kf, GError **error)
{
  g_autofree char *listen = g_key_file_get_string (kf, "server", "listen", NULL);
  g_autofree char *db = g_key_file_get_string (kf, "server", "database", NULL);
  g_auto(GStrv) origins = g_key_file_get_string_list (kf, "server", "allowed-origins", NULL, NULL);
  g_auto(GStrv) hosts = g_key_file_get_string_list (kf, "server", "allowed-hosts", NULL, NULL);
  g_autoptr(GError) local = NULL;
  int port;

  if (listen != NULL)
    g_free (config->listen_address), config->listen_address = g_steal_pointer (&listen);
  if (db != NULL)
    g_free (config->db_path), config->db_path = g_steal_pointer (&db);
  if (origins != NULL)
    g_strfreev (config->allowed_origins), config->allowed_origins = g_steal_pointer (&origins);
  if (hosts != NULL && !load_hosts (config, hosts, error))
    return FALSE;
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
  if (g_key_file_has_key (kf, "server", "retention-days", NULL))
    {
      gint64 days = g_key_file_get_int64 (kf, "server", "retention-days", &local);

      if (local != NULL || days < 0 || days > ARB_RETENTION_DAYS_MAX)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[server] retention-days must be 1 to %d days (0: the default, %d)",
                       ARB_RETENTION_DAYS_MAX, ARB_RETENTION_DAYS_DEFAULT);
          return FALSE;
        }
      config->retention_days = days != 0 ? (guint) days : ARB_RETENTION_DAYS_DEFAULT;
    }
  return TRUE;
}

static void
remove_file_token (ArbConfig *config, const char *name)
{
  for (guint i = 0; i < config->tokens->len; i++)
    {
      ArbToken *t = g_ptr_array_index (config->tokens, i);

      if (t->source == ARB_TOKEN_FROM_FILE && strcmp (t->name, name) == 0)
        {
          g_ptr_array_remove_index (config->tokens, i);
          return;
        }
    }
}

/* [tokens] NAME = ROLE:SECRET, e.g. "alice = operator:s3cret". */
static gboolean
load_tokens (ArbConfig *config, GKeyFile *kf, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, TOKENS_GROUP, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autoptr(ArbSecret) value = g_key_file_get_string (kf, TOKENS_GROUP, *k, NULL);
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
      if (!arb_config_is_token_name (*k))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[tokens] %s: a name is 1 to %d letters, digits, '.', '_', '-' or '@'",
                       *k, MAX_NAME_BYTES);
          return FALSE;
        }
      /* a later file overrides a token of the same name: names stay unique */
      remove_file_token (config, *k);
      arb_config_add_token (config, *k, role, colon + 1);
    }
  return TRUE;
}

/* [bot-ids] NAME = BOT_ID;BOT_ID: the bot token NAME (of [tokens], in this
 * file or an earlier one) speaks for these bot_ids only. */
static gboolean
load_bot_ids (ArbConfig *config, GKeyFile *kf, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, BOT_IDS_GROUP, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *value = g_key_file_get_string (kf, BOT_IDS_GROUP, *k, NULL);
      g_autoptr(GError) local = NULL;
      g_auto(GStrv) ids = arb_config_parse_bot_ids (value != NULL ? value : "", &local);

      if (ids == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[bot-ids] %s: %s", *k, local->message);
          return FALSE;
        }
      if (!arb_config_bind_bot_ids (config, *k, (const char *const *) ids, &local))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "[bot-ids] %s: %s", *k, local->message);
          return FALSE;
        }
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

/* The environment's tokens are named after their variable in messages: the
 * name in the audit log ("bot (environment)") is not what a user sets. */
static char *
describe_token (const ArbToken *t)
{
  if (t->source == ARB_TOKEN_FROM_ENVIRONMENT)
    return g_strdup (arb_config_env_var (t->role));
  return g_strdup_printf ("the token “%s” (%s)", t->name, arb_role_name (t->role));
}

/**
 * arb_config_check_tokens:
 * @config: the settings, with every token loaded
 * @error: where to put an error
 *
 * Refuses what would silently weaken access: a secret shorter than
 * %ARB_TOKEN_MIN_CHARS (a guessable one), and one secret for two tokens
 * (arb_config_check_token() would give the first one's role and name to
 * both). Messages name the tokens, never their secrets. Tokens added with
 * arb_config_add_token() are checked only here.
 *
 * Returns: whether the tokens may be used
 */
gboolean
arb_config_check_tokens (ArbConfig  *config,
                         GError    **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  for (guint i = 0; i < config->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (config->tokens, i);
      g_autofree char *what = describe_token (t);
      gsize len = strlen (t->secret);

      if (len < ARB_TOKEN_MIN_CHARS)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s is %" G_GSIZE_FORMAT " characters long: a token needs at least %d "
                       "(a random one: head -c 32 /dev/urandom | basenc --base64url | tr -d =)",
                       what, len, ARB_TOKEN_MIN_CHARS);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        {
          const ArbToken *u = g_ptr_array_index (config->tokens, j);
          g_autofree char *first = NULL;

          if (strcmp (t->secret, u->secret) != 0)
            continue;
          first = describe_token (u);
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s and %s have the same secret: a request with it would count as the "
                       "first one only%s; give each token its own secret", first, what,
                       t->role != u->role ? ", with its role" : "");
          return FALSE;
        }
    }
  return TRUE;
}

/* Secrets in a file others can read are not secret: say so, and how to fix it. */
static void
warn_if_readable (GKeyFile *kf, const char *path)
{
  g_auto(GStrv) keys = g_key_file_get_keys (kf, TOKENS_GROUP, NULL, NULL);
  GStatBuf st;

  if (keys == NULL || keys[0] == NULL || g_stat (path, &st) != 0 || (st.st_mode & 0077) == 0)
    return;
  g_warning ("%s holds token secrets and can be read by %s (mode %04o): run “chmod 600 %s”",
             path, (st.st_mode & 0007) != 0 ? "every user of this machine" : "its group",
             (guint) (st.st_mode & 07777), path);
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
  if (!load_server (config, kf, error) || !load_tokens (config, kf, error) ||
      !load_bot_ids (config, kf, error) || !arb_config_check_tokens (config, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  warn_if_readable (kf, path);
  load_alerts (config, kf);
  if (g_key_file_has_key (kf, "limits", "command-timeout-ms", NULL))
    config->command_timeout_ms =
      CLAMP (g_key_file_get_integer (kf, "limits", "command-timeout-ms", NULL), 100, 600000);
  if (g_key_file_has_key (kf, "limits", "max-connections", NULL))
    config->max_connections =
      CLAMP (g_key_file_get_integer (kf, "limits", "max-connections", NULL), 1, 1000000);
  if (g_key_file_has_key (kf, "limits", "request-timeout-ms", NULL))
    config->request_timeout_ms =
      CLAMP (g_key_file_get_integer (kf, "limits", "request-timeout-ms", NULL), 100, 3600000);
  g_free (config->config_path);
  config->config_path = g_strdup (path);
  return TRUE;
}

/* ---------------------------------------------------------------- bot_ids of bot tokens */

/**
 * arb_config_parse_bot_ids:
 * @text: bot_ids separated by ';', ',' or white space ("arb-eu-1; arb-eu-2")
 * @error: where to put an error
 *
 * The syntax of [bot-ids], of `ARBDASH_BOT_IDS` and of the Access page.
 * Duplicates are dropped; the order is kept.
 *
 * Returns: (transfer full) (nullable): one bot_id or more, or %NULL with
 *   @error set when there is none, or one is not an identifier
 */
char **
arb_config_parse_bot_ids (const char  *text,
                          GError     **error)
{
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ";, \t", -1);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (char **p = parts; *p != NULL; p++)
    {
      if (**p == '\0')
        continue;
      if (!arb_is_identifier (*p))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%.128s” is not a bot_id: use 1 to 128 of A-Z a-z 0-9 . _ : -", *p);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (ids, *p, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (*p));
    }
  if (ids->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "no bot_id: list one or more, separated by ';'");
      return NULL;
    }
  if (ids->len > ARB_TOKEN_MAX_BOT_IDS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "more than %d bot_ids for one token", ARB_TOKEN_MAX_BOT_IDS);
      return NULL;
    }
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

/**
 * arb_config_bind_bot_ids:
 * @config: the settings
 * @name: the name of a bot token
 * @bot_ids: (nullable): the bot_ids it may speak for; %NULL: any
 * @error: where to put an error
 *
 * In memory only: for new connections and batches with the token (those
 * already open keep what they had).
 *
 * Returns: whether @name is a bot token, now bound to @bot_ids
 */
gboolean
arb_config_bind_bot_ids (ArbConfig          *config,
                         const char         *name,
                         const char *const  *bot_ids,
                         GError            **error)
{
  ArbToken *t = (ArbToken *) arb_config_find_token (config, name);

  g_return_val_if_fail (config != NULL, FALSE);

  if (t == NULL || t->role != ARB_ROLE_BOT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "there is no bot token named “%s” (in [tokens], with role bot)",
                   name != NULL ? name : "");
      return FALSE;
    }
  for (guint i = 0; bot_ids != NULL && bot_ids[i] != NULL; i++)
    if (!arb_is_identifier (bot_ids[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "“%.128s” is not a bot_id", bot_ids[i]);
        return FALSE;
      }
  g_strfreev (t->bot_ids);
  t->bot_ids = g_strdupv ((char **) bot_ids);
  return TRUE;
}

/* ---------------------------------------------------------------- host names */

static gboolean
parse_port (const char *text, int *port)
{
  guint64 value;

  /* digits only: no sign, no space, no hex */
  if (*text == '\0' || strlen (text) > 5 || strspn (text, "0123456789") != strlen (text))
    return FALSE;
  value = g_ascii_strtoull (text, NULL, 10);
  if (value == 0 || value > 65535)
    return FALSE;
  *port = (int) value;
  return TRUE;
}

/**
 * arb_token_speaks_for:
 * @token: a token
 * @bot_id: a bot_id
 *
 * Returns: whether a bot connection or batch with @token may speak for
 *   @bot_id: any bot_id when the token is bound to none
 */
gboolean
arb_token_speaks_for (const ArbToken *token,
                      const char     *bot_id)
{
  g_return_val_if_fail (token != NULL, FALSE);

  return token->bot_ids == NULL || g_strv_contains ((const char *const *) token->bot_ids, bot_id);
}

/**
 * arb_host_parse:
 * @text: a Host header's value, or an entry of `allowed-hosts`
 * @name: (out) (transfer full): the host name or address, lowercased, without brackets
 * @port: (out): the port, or -1 when @text has none
 *
 * Strict on purpose: a Host value is compared with names, so anything a
 * browser would not send (user info, a path, spaces, an empty port) is
 * refused rather than guessed at.
 *
 * Returns: whether @text is a name or an address with an optional port
 */
gboolean
arb_host_parse (const char  *text,
                char       **name,
                int         *port)
{
  g_autofree char *host = NULL;
  const char *rest;

  g_return_val_if_fail (name != NULL && port != NULL, FALSE);

  *name = NULL;
  *port = -1;
  if (text == NULL || *text == '\0')
    return FALSE;
  if (*text == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end == text + 1)
        return FALSE;
      host = g_ascii_strdown (text + 1, end - text - 1);
      if (strspn (host, "0123456789abcdef:.") != strlen (host) || strchr (host, ':') == NULL)
        return FALSE;
      rest = end + 1;
    }
  else
    {
      const char *colon = strchr (text, ':');

      host = g_ascii_strdown (text, colon != NULL ? colon - text : -1);
      if (*host == '\0' || strlen (host) > 253 ||
          strspn (host, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen (host))
        return FALSE;
      rest = colon != NULL ? colon : "";
    }
  if (*rest != '\0' && (*rest != ':' || !parse_port (rest + 1, port)))
    return FALSE;
  *name = g_steal_pointer (&host);
  return TRUE;
}

/* ---------------------------------------------------------------- managing tokens */

/**
 * arb_config_is_token_name:
 * @name: (nullable): a token's name
 *
 * The rule of the [tokens] group and of the Access page: 1 to 64 ASCII
 * letters, digits, '.', '_', '-' or '@'. Nothing that GKeyFile reads as a
 * comment, a group or a translation ("name[fr]"), nothing to escape in the
 * audit log, and never the name of a token from the environment.
 */
gboolean
arb_config_is_token_name (const char *name)
{
  gsize len;

  if (name == NULL)
    return FALSE;
  len = strlen (name);
  if (len == 0 || len > MAX_NAME_BYTES)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-@", *p) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * arb_config_find_token:
 * @config: the settings
 * @name: a token's name
 *
 * Returns: (transfer none) (nullable): the token called @name
 */
const ArbToken *
arb_config_find_token (ArbConfig  *config,
                       const char *name)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (name == NULL)
    return NULL;
  for (guint i = 0; i < config->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (config->tokens, i);

      if (strcmp (t->name, name) == 0)
        return t;
    }
  return NULL;
}

/**
 * arb_config_generate_secret:
 *
 * %ARB_SECRET_BYTES bytes from the kernel's CSPRNG (getrandom(2) through
 * getentropy(3)), not GLib's predictable PRNG, as base64url without padding:
 * safe in a header, a WebSocket subprotocol ("bearer.SECRET") and an INI value.
 *
 * Returns: (transfer full): a new secret
 */
char *
arb_config_generate_secret (void)
{
  guint8 raw[ARB_SECRET_BYTES];
  char *text;
  gsize len;

  if (getentropy (raw, sizeof raw) != 0)
    g_error ("getentropy() failed: %s", g_strerror (errno));
  text = g_base64_encode (raw, sizeof raw);
  explicit_bzero (raw, sizeof raw);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '=')
    text[--len] = '\0';
  for (char *p = text; *p != '\0'; p++)
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
  return text;
}

/**
 * arb_config_dup_save_path:
 * @config: the settings
 *
 * Returns: (transfer full): the file the Access page writes: the one read
 *   (`--config`, or the default when it existed), else arb_config_default_path()
 */
char *
arb_config_dup_save_path (const ArbConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->config_path != NULL)
    return g_strdup (config->config_path);
  return arb_config_default_path ();
}

/* The file as it is now, comments included; an empty one when it does not
 * exist yet. One that does not parse is not overwritten: it may hold work. */
static GKeyFile *
open_for_update (const char *path, gboolean *is_new, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;

  *is_new = FALSE;
  if (g_key_file_load_from_file (kf, path, G_KEY_FILE_KEEP_COMMENTS |
                                 G_KEY_FILE_KEEP_TRANSLATIONS, &local))
    return g_steal_pointer (&kf);
  if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
      return NULL;
    }
  *is_new = TRUE;
  return g_steal_pointer (&kf);
}

/* Replaces the file in one rename, readable by its owner only: it holds secrets. */
static gboolean
write_key_file (GKeyFile *kf, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(ArbSecret) data = NULL;
  gsize len;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create the folder %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  data = g_key_file_to_data (kf, &len, NULL);
  return g_file_set_contents_full (path, data, len,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/**
 * arb_config_create_token:
 * @config: the settings the server checks
 * @name: a new name (see arb_config_is_token_name())
 * @role: viewer, operator or bot
 * @error: where to put an error
 *
 * Makes a token with a new secret, writes it to the [tokens] group of
 * arb_config_dup_save_path() (the rest of the file, comments included, is
 * kept; GKeyFile writes "key=value" without spaces), then adds it to @config,
 * so that arb_config_check_token() accepts it at once. When the file cannot
 * be written, nothing changes.
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL with @error set
 */
char *
arb_config_create_token (ArbConfig   *config,
                         const char  *name,
                         ArbRole      role,
                         GError     **error)
{
  return arb_config_create_token_full (config, name, role, NULL, error);
}

/**
 * arb_config_create_token_full:
 * @config: the settings the server checks
 * @name: a new name (see arb_config_is_token_name())
 * @role: viewer, operator or bot
 * @bot_ids: (nullable): for a bot token, the bot_ids it may speak for
 *   (written to [bot-ids]); %NULL: any
 * @error: where to put an error
 *
 * As arb_config_create_token(), binding a bot token to @bot_ids.
 *
 * Returns: (transfer full) (nullable): the secret, or %NULL with @error set
 */
char *
arb_config_create_token_full (ArbConfig          *config,
                              const char         *name,
                              ArbRole             role,
                              const char *const  *bot_ids,
                              GError            **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  g_autoptr(ArbSecret) secret = NULL;
  g_autoptr(ArbSecret) value = NULL;
  ArbToken *token;
  gboolean is_new;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (role > ARB_ROLE_NONE && role <= ARB_ROLE_BOT, NULL);
  g_return_val_if_fail (bot_ids == NULL || role == ARB_ROLE_BOT, NULL);

  for (guint i = 0; bot_ids != NULL && bot_ids[i] != NULL; i++)
    if (!arb_is_identifier (bot_ids[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "“%.128s” is not a bot_id: use 1 to 128 of A-Z a-z 0-9 . _ : -",
                     bot_ids[i]);
        return NULL;
      }
  if (!arb_config_is_token_name (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a token name: use 1 to %d letters, digits, '.', '_', '-' or '@'",
                   name != NULL ? name : "", MAX_NAME_BYTES);
      return NULL;
    }
  path = arb_config_dup_save_path (config);
  if (arb_config_find_token (config, name) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "a token named “%s” exists already",
                   name);
      return NULL;
    }
  kf = open_for_update (path, &is_new, error);
  if (kf == NULL)
    return NULL;
  /* added to the file by hand since the start: not ours to overwrite */
  if (g_key_file_has_key (kf, TOKENS_GROUP, name, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s has a token named “%s” already",
                   path, name);
      return NULL;
    }
  secret = arb_config_generate_secret ();
  value = g_strconcat (arb_role_name (role), ":", secret, NULL);
  g_key_file_set_string (kf, TOKENS_GROUP, name, value);
  /* a binding of the name added by hand since the start must not bind the new token */
  g_key_file_remove_key (kf, BOT_IDS_GROUP, name, NULL);
  if (bot_ids != NULL)
    {
      g_autofree char *ids = g_strjoinv (";", (char **) bot_ids);
      gboolean new_group = !g_key_file_has_group (kf, BOT_IDS_GROUP);

      g_key_file_set_string (kf, BOT_IDS_GROUP, name, ids);
      if (new_group)
        g_key_file_set_comment (kf, BOT_IDS_GROUP, NULL, " NAME = BOT_ID;BOT_ID: the bot token "
                                "NAME of [tokens] speaks for these bot_ids only", NULL);
    }
  /* a file made here says what it is to whoever opens it next */
  if (is_new)
    {
      g_key_file_set_comment (kf, NULL, NULL, " arbdash: see docs/deployment.md. It holds "
                              "secrets: keep it readable by its owner only.", NULL);
      g_key_file_set_comment (kf, TOKENS_GROUP, NULL, " NAME = ROLE:SECRET, ROLE one of "
                              "viewer, operator, bot", NULL);
    }
  if (!write_key_file (kf, path, error))
    return NULL;
  if (config->config_path == NULL)
    config->config_path = g_steal_pointer (&path);
  token = token_new (name, role, secret, ARB_TOKEN_FROM_FILE);
  token->bot_ids = g_strdupv ((char **) bot_ids);
  g_ptr_array_add (config->tokens, token);
  return g_steal_pointer (&secret);
}

/**
 * arb_config_remove_token:
 * @config: the settings the server checks
 * @name: the name of a token from the file
 * @error: where to put an error
 *
 * Removes the token from the file (as arb_config_create_token() writes it),
 * then from @config: new connections with its secret are refused at once,
 * and browser sessions made with it end. Tokens from the environment cannot
 * be removed: the environment would bring them back at the next start.
 *
 * Returns: whether the token is gone
 */
gboolean
arb_config_remove_token (ArbConfig   *config,
                         const char  *name,
                         GError     **error)
{
  const ArbToken *t;
  g_autofree char *path = NULL;
  g_autoptr(GKeyFile) kf = NULL;
  gboolean is_new;

  g_return_val_if_fail (config != NULL, FALSE);

  t = arb_config_find_token (config, name);
  if (t == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "there is no token named “%s”",
                   name != NULL ? name : "");
      return FALSE;
    }
  if (t->source == ARB_TOKEN_FROM_ENVIRONMENT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "the token “%s” comes from %s: unset it and restart arbdash", name,
                   arb_config_env_var (t->role));
      return FALSE;
    }
  path = arb_config_dup_save_path (config);
  kf = open_for_update (path, &is_new, error);
  if (kf == NULL)
    return FALSE;
  if (g_key_file_has_key (kf, TOKENS_GROUP, name, NULL) ||
      g_key_file_has_key (kf, BOT_IDS_GROUP, name, NULL))
    {
      g_key_file_remove_key (kf, TOKENS_GROUP, name, NULL);
      /* its binding goes with it: it must not bind a later token of the name */
      g_key_file_remove_key (kf, BOT_IDS_GROUP, name, NULL);
      if (!write_key_file (kf, path, error))
        return FALSE;
    }
  remove_file_token (config, name);
  return TRUE;
}

/* ---------------------------------------------------------------- reloading tokens */

static gboolean
token_same (const ArbToken *a, const ArbToken *b)
{
  return strcmp (a->name, b->name) == 0 && a->role == b->role &&
         strcmp (a->secret, b->secret) == 0;
}

static const ArbToken *
find_same (GPtrArray *tokens, const ArbToken *t)
{
  for (guint i = 0; i < tokens->len; i++)
    {
      const ArbToken *u = g_ptr_array_index (tokens, i);

      if (u->source == ARB_TOKEN_FROM_FILE && token_same (u, t))
        return u;
    }
  return NULL;
}

/* The file's tokens as they are now, with the environment's tokens of
 * @config, checked together as at start (short or shared secrets refused). */
static ArbConfig *
read_file_tokens (ArbConfig *config, const char *path, GError **error)
{
  g_autoptr(ArbConfig) fresh = arb_config_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      /* a removed file takes its tokens with it */
      if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
          return NULL;
        }
    }
  else if (!load_tokens (fresh, kf, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  for (guint i = 0; i < config->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (config->tokens, i);
      ArbToken *dup;

      if (t->source != ARB_TOKEN_FROM_ENVIRONMENT)
        continue;
      dup = token_new (t->name, t->role, t->secret, t->source);
      dup->bot_ids = g_strdupv (t->bot_ids);
      g_ptr_array_add (fresh->tokens, dup);
    }
  if (!load_bot_ids (fresh, kf, error) || !arb_config_check_tokens (fresh, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  warn_if_readable (kf, path);
  return g_steal_pointer (&fresh);
}

/**
 * arb_config_reload_tokens:
 * @config: the settings the running server checks
 * @path: the configuration file
 * @n_added: (out) (optional): tokens new or changed in the file
 * @n_removed: (out) (optional): tokens gone or changed
 * @error: where to put an error
 *
 * Makes the file tokens of @config those of @path's [tokens] and
 * [bot-ids] (a missing file has none); the environment's stay. A token
 * whose name, role and secret are unchanged keeps its serial, so its
 * browser sessions go on; a removed or changed one gets a new serial or
 * none, which ends the sessions made with it. A file that does not parse,
 * or whose secrets are short or shared, changes nothing.
 *
 * Returns: whether @config now has the file's tokens
 */
gboolean
arb_config_reload_tokens (ArbConfig   *config,
                          const char  *path,
                          guint       *n_added,
                          guint       *n_removed,
                          GError     **error)
{
  g_autoptr(ArbConfig) fresh = NULL;
  guint added = 0, removed = 0;

  g_return_val_if_fail (config != NULL && path != NULL, FALSE);

  fresh = read_file_tokens (config, path, error);
  if (fresh == NULL)
    return FALSE;
  for (guint i = config->tokens->len; i > 0; i--)
    {
      ArbToken *t = g_ptr_array_index (config->tokens, i - 1);
      const ArbToken *now;

      if (t->source != ARB_TOKEN_FROM_FILE)
        continue;
      now = find_same (fresh->tokens, t);
      if (now == NULL)
        {
          g_ptr_array_remove_index (config->tokens, i - 1);
          removed++;
          continue;
        }
      /* a new binding applies to new connections, as at start */
      g_strfreev (t->bot_ids);
      t->bot_ids = g_strdupv (now->bot_ids);
    }
  for (guint i = 0; i < fresh->tokens->len; i++)
    {
      ArbToken *t = g_ptr_array_index (fresh->tokens, i);

      if (t->source != ARB_TOKEN_FROM_FILE || find_same (config->tokens, t) != NULL)
        continue;
      g_ptr_array_add (config->tokens, g_ptr_array_steal_index (fresh->tokens, i));
      i--;
      added++;
    }
  if (n_added != NULL)
    *n_added = added;
  if (n_removed != NULL)
    *n_removed = removed;
  return TRUE;
}
