/* main.c: the arbdash executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arbdash"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "arb-config-watch.h"
#include "arb-engine.h"
#include "arb-login-codes.h"
#include "arb-server.h"
#include "arb-service.h"
#include "arb-token-command.h"
#if ARB_HAVE_GUI
#include "arb-application.h"
#include "arb-renderer.h"
#endif

typedef struct
{
  gboolean  headless;
  gboolean  no_demo;
  gboolean  version;
  gboolean  login_link;
  int       port;
  char     *db;
  char     *listen;
  char     *config;
  int       sample_ms;
  int       retention_days;
  int       max_connections;
} Options;

static void
options_clear (Options *o)
{
  g_clear_pointer (&o->db, g_free);
  g_clear_pointer (&o->listen, g_free);
  g_clear_pointer (&o->config, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

typedef struct
{
  GMainLoop      *loop;
  ArbService     *service;
  ArbConfigWatch *watch;
  gboolean        stopping;
} Running;

static int
fail (const char *what, const char *detail)
{
  if (detail != NULL)
    /* Translators: an error on the command line: what failed, then why */
    g_printerr (_("arbdash: %s: %s\n"), what, detail);
  else
    /* Translators: an error on the command line */
    g_printerr (_("arbdash: %s\n"), what);
  return 2;
}

/* ARBDASH_LOCALEDIR points gettext at the build tree's catalogs, for the tests
 * that check the translations are loaded; installed, the prefix's are used. */
static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("ARBDASH_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}

static gboolean
parse_options (int *argc, char ***argv, Options *o, GError **error)
{
  GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &o->headless,
      N_("Run the server without a window"), NULL },
    /* Translators: the words in capitals (N, ADDR, PATH, MS) name an option's value in
     * --help, as in "--port=N"; they may be translated, in capitals and without spaces */
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, N_("Port to listen on (default 8080)"), N_("N") },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &o->listen,
      N_("Address to listen on (default 127.0.0.1)"), N_("ADDR") },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &o->db, N_("Database file"), N_("PATH") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
      N_("Configuration file (default ~/.config/arbdash/arbdash.conf)"), N_("PATH") },
    { "no-demo", 0, 0, G_OPTION_ARG_NONE, &o->no_demo,
      N_("Do not run the built-in demo bot (a simulator)"), NULL },
    { "sample-interval", 0, 0, G_OPTION_ARG_INT, &o->sample_ms,
      N_("System sampling interval in ms (100 to 60000, default 1000)"), N_("MS") },
    { "retention-days", 0, 0, G_OPTION_ARG_INT, &o->retention_days,
      N_("Days of trades, logs and commands the database keeps (1 to 3650, default 90)"), N_("N") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &o->max_connections,
      N_("Connections open at once (default 1000)"), N_("N") },
    { "login-link", 0, 0, G_OPTION_ARG_NONE, &o->login_link,
      N_("Print a one-time sign-in link for a browser to the running arbdash and exit"), NULL },
    { "version", 'v', 0, G_OPTION_ARG_NONE, &o->version, N_("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context,
                                _("A real-time dashboard for arbitrage trading bots.\n\n"
                                  "Tokens come from ARBDASH_BOT_TOKEN, ARBDASH_VIEWER_TOKEN and "
                                  "ARBDASH_OPERATOR_TOKEN, or from the configuration file."));
  /* --help translates the entries and the summary through this domain */
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
                                    _("Tokens of the configuration file: arbdash token add NAME "
                                      "--role bot|viewer|operator, arbdash token list, arbdash "
                                      "token remove NAME (arbdash token --help)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  o->port = -1;
  o->sample_ms = -1;
  o->retention_days = -1;
  o->max_connections = -1;
  return g_option_context_parse (context, argc, argv, error);
}

static gboolean
apply_options (Options *o, ArbConfig *config, GError **error)
{
  /* the same default for the desktop app and --headless: the Access page saves tokens there */
  g_autofree char *fallback = arb_config_default_path ();

  if (o->config != NULL && !arb_config_load_file (config, o->config, error))
    return FALSE;
  if (o->config == NULL && g_file_test (fallback, G_FILE_TEST_EXISTS) &&
      !arb_config_load_file (config, fallback, error))
    return FALSE;
  arb_config_load_env (config);
  /* the environment's tokens against the file's: a start with a weak or shared secret is refused */
  if (!arb_config_check_tokens (config, error))
    return FALSE;
  if (o->port != -1)
    {
      if (o->port < 0 || o->port > 65535)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--port must be 0 to 65535"));
          return FALSE;
        }
      config->port = o->port;
    }
  if (o->sample_ms != -1)
    {
      if (o->sample_ms < 100 || o->sample_ms > 60000)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--sample-interval must be 100 to 60000"));
          return FALSE;
        }
      config->sample_interval_ms = o->sample_ms;
    }
  if (o->retention_days != -1)
    {
      if (o->retention_days < 1 || o->retention_days > ARB_RETENTION_DAYS_MAX)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--retention-days must be 1 to %d"), ARB_RETENTION_DAYS_MAX);
          return FALSE;
        }
      config->retention_days = o->retention_days;
    }
  if (o->max_connections != -1)
    {
      if (o->max_connections < 1)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--max-connections must be at least 1"));
          return FALSE;
        }
      config->max_connections = o->max_connections;
    }
  if (o->listen != NULL)
    {
      g_free (config->listen_address);
      config->listen_address = g_strdup (o->listen);
    }
  if (o->db != NULL)
    {
      g_free (config->db_path);
      config->db_path = g_strdup (o->db);
    }
  if (o->no_demo)
    config->demo = FALSE;
  return TRUE;
}

static void
stopped (GObject *source, GAsyncResult *result, gpointer data)
{
  Running *r = data;

  /* the wait for the close frames cannot fail: it has no cancellable */
  arb_service_shutdown_finish (ARB_SERVICE (source), result, NULL);
  g_main_loop_quit (r->loop);
}

static gboolean
on_signal (gpointer data)
{
  Running *r = data;

  if (r->stopping)
    return G_SOURCE_CONTINUE;
  r->stopping = TRUE;
  g_printerr (_("arbdash: shutting down\n"));
  arb_service_shutdown_async (r->service, NULL, stopped, r);
  return G_SOURCE_CONTINUE;
}

/* SIGHUP: read the tokens again now (the file monitor does it on every change). */
static gboolean
on_hangup (gpointer data)
{
  Running *r = data;
  g_autoptr(GError) error = NULL;

  if (!arb_config_watch_reload (r->watch, &error))
    g_printerr (_("arbdash: the tokens in use stay: %s\n"), error->message);
  return G_SOURCE_CONTINUE;
}

static void
print_banner (ArbServer *server, const ArbConfig *config)
{
  g_autofree char *url = arb_server_dup_url (server);
  g_autofree char *link = arb_server_new_login_link (server);

  if (config->demo)
    /* Translators: the first %s is the version, the second the address, the third a file */
    g_print (_("arbdash %s: serving %s (database %s), with the demo bot (a simulator)\n"),
             PACKAGE_VERSION, url, config->db_path);
  else
    /* Translators: the first %s is the version, the second the address, the third a file */
    g_print (_("arbdash %s: serving %s (database %s)\n"), PACKAGE_VERSION, url, config->db_path);
  if (config->tokens->len == 0)
    g_print ("%s\n", _("arbdash: no tokens are configured, so no bot or viewer can connect "
                       "over the network; set ARBDASH_BOT_TOKEN, ARBDASH_VIEWER_TOKEN and "
                       "ARBDASH_OPERATOR_TOKEN (or see docs/deployment.md)"));
  /* the code is in the fragment, which browsers never send: it reaches no log but this one */
  g_print (_("arbdash: sign in with a browser (once, within 10 minutes): %s\n"), link);
}

/* --login-link: a code for the arbdash that runs with this configuration. It
 * shares the code through a 0600 file next to the database, which that
 * arbdash reads when a browser sends the code (docs/api.md). */
static int
print_login_link (ArbConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = arb_login_codes_path_for_db (config->db_path);
  g_autofree char *code = NULL;
  const char *address = config->listen_address;

  if (path == NULL)
    return fail (_("the database is in memory: sign-in links can only come from the "
                   "running arbdash"), NULL);
  code = arb_login_codes_issue_shared (path, g_get_real_time (),
                                       (gint64) ARB_LOGIN_CODE_SECONDS * G_USEC_PER_SEC, &error);
  if (code == NULL)
    return fail (_("cannot make a sign-in link"), error->message);
  /* a wildcard address is not somewhere a browser can go */
  if (g_strcmp0 (address, "0.0.0.0") == 0 || g_strcmp0 (address, "::") == 0)
    address = "127.0.0.1";
  if (strchr (address, ':') != NULL)
    g_print ("http://[%s]:%u/#login=%s\n", address, config->port, code);
  else
    g_print ("http://%s:%u/#login=%s\n", address, config->port, code);
  return 0;
}

static int
run_headless (ArbConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbConfigWatch) watch = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  ArbServiceStep failed = ARB_SERVICE_STEP_LISTEN;
  Running running = { loop, NULL, NULL, FALSE };
  guint sigint, sigterm, sighup;

  running.service = arb_service_new (config, &failed, &error);
  if (running.service == NULL)
    {
      g_autofree char *where = NULL;

      switch (failed)
        {
        case ARB_SERVICE_STEP_LISTEN:
          /* Translators: %s is an address, %u a port */
          where = g_strdup_printf (_("cannot listen on %s port %u"), config->listen_address,
                                   config->port);
          return fail (where, error->message);
        case ARB_SERVICE_STEP_DATABASE:
          return fail (_("cannot open the database"), error->message);
        case ARB_SERVICE_STEP_SERVE:
        default:
          return fail (_("cannot serve"), error->message);
        }
    }
  /* `arbdash token add|remove` changes the file: new and removed tokens apply at once */
  watch = arb_config_watch_new (arb_engine_get_config (arb_service_get_engine (running.service)));
  running.watch = watch;
  /* before the banner: whoever waits for it may stop us at once, and must get a clean stop */
  sigint = g_unix_signal_add (SIGINT, on_signal, &running);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &running);
  sighup = g_unix_signal_add (SIGHUP, on_hangup, &running);
  print_banner (arb_service_get_server (running.service),
                arb_engine_get_config (arb_service_get_engine (running.service)));
  g_main_loop_run (loop);
  g_source_remove (sighup);
  /* the engine owns the configuration the watch changes */
  g_clear_object (&watch);
  /* a second signal while the last commits finish must not kill us */
  g_clear_object (&running.service);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return 0;
}

#if ARB_HAVE_GUI
/* GDK opens a display only where one is named; without one the server still runs. */
static gboolean
has_display (void)
{
  const char *names[] = { "WAYLAND_DISPLAY", "DISPLAY", "GDK_BACKEND" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = g_getenv (names[i]);
      if (value != NULL && *value != '\0')
        return gtk_init_check ();
    }
  return FALSE;
}

static int
run_gui (ArbConfig *config, int argc, char **argv)
{
  g_autoptr(ArbApplication) app = NULL;

  arb_renderer_avoid_software_gl ();
  app = arb_application_new (config);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
#endif

int
main (int argc, char *argv[])
{
  g_auto(Options) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbConfig) config = arb_config_new ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc > 1 && strcmp (argv[1], "token") == 0)
    return arb_token_command_run (argc, argv);

  if (!parse_options (&argc, &argv, &o, &error))
    return fail (error->message, NULL);
  if (o.version)
    {
      g_print ("arbdash %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    return fail (_("unexpected argument"), argv[1]);
  if (o.login_link)
    {
      if (!apply_options (&o, config, &error))
        return fail (error->message, NULL);
      return print_login_link (config);
    }
#if ARB_HAVE_GUI
  if (!o.headless && has_display ())
    {
      /* settings first: the file, the environment and the command line override them */
      arb_application_load_settings (config);
      if (!apply_options (&o, config, &error))
        return fail (error->message, NULL);
      return run_gui (g_steal_pointer (&config), argc, argv);
    }
  if (!apply_options (&o, config, &error))
    return fail (error->message, NULL);
  if (!o.headless)
    g_printerr ("%s\n", _("arbdash: no display found; running headless (--headless says "
                          "so and silences this)"));
#else
  if (!apply_options (&o, config, &error))
    return fail (error->message, NULL);
  if (!o.headless)
    g_printerr ("%s\n", _("arbdash: this build has no desktop window; running headless"));
#endif
  return run_headless (config);
}
