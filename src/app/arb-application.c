/* arb-application.c: the desktop application: one engine, one server, its windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The primary instance runs one ArbService (the engine and the embedded
 * server), as the headless path does. A failure at start-up does not end the
 * process: the window shows what went wrong and what to do.
 */
#define G_LOG_DOMAIN "arb-application"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "arb-config-watch.h"
#include "arb-application.h"
#include "arb-format.h"
#include "arb-preferences-window.h"
#include "arb-resources.h"
#include "arb-main-window.h"

#define SCHEMA_ID     "io.github.arbdash.Arbdash"
#define RESOURCE_PATH "/io/github/arbdash/Arbdash"

struct _ArbApplication
{
  AdwApplication  parent_instance;

  ArbConfig      *config;
  GSettings      *settings;
  ArbService     *service;
  ArbConfigWatch *config_watch;   /* tokens added or removed by `arbdash token` */
  char           *error_title;
  char           *error_description;
  guint           sigint_id;
  guint           sigterm_id;
};

G_DEFINE_FINAL_TYPE (ArbApplication, arb_application, ADW_TYPE_APPLICATION)

/* ---------------------------------------------------------------- settings */

/**
 * arb_application_new_settings:
 *
 * The schema is missing when arbdash runs from a build tree without
 * GSETTINGS_SCHEMA_DIR; g_settings_new() would abort there.
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when the schema is not installed
 */
GSettings *
arb_application_new_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static void
read_thresholds (GSettings *settings, ArbAlertThresholds *t)
{
  t->cpu_percent = g_settings_get_double (settings, "cpu-alert-percent");
  t->cpu_seconds = g_settings_get_uint (settings, "cpu-alert-seconds");
  t->memory_percent = g_settings_get_double (settings, "memory-alert-percent");
  t->disk_percent = g_settings_get_double (settings, "disk-alert-percent");
  t->losing_streak = g_settings_get_uint (settings, "losing-streak");
  t->gas_spike_gwei = g_settings_get_double (settings, "gas-spike-gwei");
}

/**
 * arb_application_load_settings:
 * @config: the settings to fill
 *
 * Reads the GSettings keys into @config, when the schema is installed. The
 * configuration file, the environment and the command line come after.
 */
void
arb_application_load_settings (ArbConfig *config)
{
  g_autoptr(GSettings) settings = arb_application_new_settings ();
  g_autoptr(GVariant) port = NULL;

  g_return_if_fail (config != NULL);

  if (settings == NULL)
    return;
  g_free (config->listen_address);
  config->listen_address = g_settings_get_string (settings, "listen-address");
  port = g_settings_get_value (settings, "port");
  config->port = g_variant_get_uint16 (port);
  config->sample_interval_ms = g_settings_get_uint (settings, "sample-interval-ms");
  config->demo = g_settings_get_boolean (settings, "demo-bot");
  config->retention_days = g_settings_get_uint (settings, "retention-days");
  read_thresholds (settings, &config->alerts);
}

/* Intervals, the retention and thresholds take effect at once; the socket
 * and the demo bot at the next start. */
static void
on_setting_changed (GSettings *settings, const char *key, ArbApplication *self)
{
  ArbEngine *engine = arb_application_get_engine (self);
  ArbAlertThresholds t;

  if (engine == NULL)
    return;
  if (g_str_equal (key, "sample-interval-ms"))
    {
      arb_sampler_set_interval (arb_engine_get_sampler (engine),
                                g_settings_get_uint (settings, key));
      return;
    }
  if (g_str_equal (key, "retention-days"))
    {
      arb_engine_set_retention_days (engine, g_settings_get_uint (settings, key));
      return;
    }
  t = *arb_alerts_get_thresholds (arb_engine_get_alerts (engine));
  read_thresholds (settings, &t);
  arb_alerts_set_thresholds (arb_engine_get_alerts (engine), &t);
}

/* ---------------------------------------------------------------- start-up */

static void
set_error (ArbApplication *self, const char *title, char *description)
{
  g_free (self->error_title);
  self->error_title = g_strdup (title);
  g_free (self->error_description);
  self->error_description = description;
}

static void
listen_failed (ArbApplication *self, const GError *error)
{
  const ArbConfig *c = self->config;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    set_error (self, _("The Port Is in Use"),
               g_strdup_printf (_("Another program already uses port %u on %s, so bots and "
                                  "browsers cannot reach arbdash. Quit that program, or choose "
                                  "another port in Preferences and restart arbdash, or start it "
                                  "with --port."), c->port, c->listen_address));
  else
    set_error (self, _("Cannot Listen for Connections"),
               g_strdup_printf (_("arbdash cannot listen on %s port %u: %s. Check the listen "
                                  "address and the port in Preferences, then restart arbdash."),
                                c->listen_address, c->port, error->message));
}

static void
on_alert_changed (ArbAlerts *alerts, gpointer data, ArbApplication *self)
{
  const ArbAlert *alert = data;
  GApplication *app = G_APPLICATION (self);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;

  /* without a session bus there is nobody to show a notification */
  if (g_application_get_dbus_connection (app) == NULL)
    return;
  if (alert->cleared_ms != 0)
    {
      g_application_withdraw_notification (app, alert->id);
      return;
    }
  notification = g_notification_new (alert->severity == ARB_ALERT_CRITICAL
                                     ? _("Critical Alert") : _("Alert"));
  body = arb_format_alert_message (alert);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, alert->severity == ARB_ALERT_CRITICAL
                               ? G_NOTIFICATION_PRIORITY_URGENT
                               : G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "alerts");
  g_application_send_notification (app, alert->id, notification);
}

static void
start_engine (ArbApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  ArbServiceStep failed = ARB_SERVICE_STEP_LISTEN;

  self->service = arb_service_new (self->config, &failed, &error);
  if (self->service == NULL && failed == ARB_SERVICE_STEP_DATABASE)
    {
      set_error (self, _("Cannot Open the Database"),
                 g_strdup_printf (_("The database %s cannot be opened: %s. Check that its "
                                    "folder is writable and that no other arbdash uses it, or "
                                    "start arbdash with --db to use another file."),
                                  self->config->db_path, error->message));
      return;
    }
  if (self->service == NULL)
    {
      listen_failed (self, error);
      return;
    }
  g_signal_connect_object (arb_engine_get_alerts (arb_service_get_engine (self->service)),
                           "changed", G_CALLBACK (on_alert_changed), self, 0);
  self->config_watch =
    arb_config_watch_new (arb_engine_get_config (arb_service_get_engine (self->service)));
  /* as the headless server does: the terminal that started the app can sign a browser in */
  link = arb_server_new_login_link (arb_service_get_server (self->service));
  g_print (_("arbdash: sign in with a browser (once, within 10 minutes): %s\n"), link);
}

/* ---------------------------------------------------------------- actions */

static void
quit_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  g_application_quit (G_APPLICATION (data));
}

static void
about_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  ArbApplication *self = data;
  GtkWidget *about = adw_about_window_new ();
  const char *developers[] = { _("The arbdash developers"), NULL };

  gtk_window_set_application (GTK_WINDOW (about), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (about), arb_application_get_main_window (self));
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "arbdash");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APPLICATION_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), _("The arbdash developers"));
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), "https://github.com/arbdash/arbdash");
  adw_about_window_set_issue_url (ADW_ABOUT_WINDOW (about),
                                  "https://github.com/arbdash/arbdash/issues");
  /* Translators: put your names here, one a line */
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  ArbApplication *self = data;
  ArbEngine *engine = arb_application_get_engine (self);
  ArbPreferencesWindow *prefs;

  if (self->settings == NULL)
    return;
  /* tokens change where the server checks them; without an engine, for the next start */
  prefs = arb_preferences_window_new (self->settings,
                                      engine != NULL ? arb_engine_get_config (engine)
                                                     : self->config);
  /* its list follows tokens added or removed with `arbdash token` meanwhile */
  if (self->config_watch != NULL)
    g_signal_connect_object (self->config_watch, "tokens-changed",
                             G_CALLBACK (arb_preferences_window_reload_tokens), prefs,
                             G_CONNECT_SWAPPED);
  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (prefs), arb_application_get_main_window (self));
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
shortcuts_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  ArbApplication *self = data;
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource (RESOURCE_PATH "/ui/arb-shortcuts-window.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));

  gtk_window_set_application (window, GTK_APPLICATION (self));
  gtk_window_set_transient_for (window, arb_application_get_main_window (self));
  gtk_window_present (window);
}

static void
show_page_activated (GSimpleAction *action, GVariant *param, gpointer data)
{
  ArbApplication *self = data;

  g_application_activate (G_APPLICATION (self));
  arb_main_window_show_page (ARB_MAIN_WINDOW (arb_application_get_main_window (self)),
                             g_variant_get_string (param, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "preferences", preferences_activated },
  { "shortcuts", shortcuts_activated },
  { "show-page", show_page_activated, "s" },
};

static void
set_accels (GtkApplication *app)
{
  static const char *const pages[] = {
    "overview", "system", "trading", "resources", "bots", "alerts", "log",
  };

  gtk_application_set_accels_for_action (app, "app.quit", (const char *[]) { "<Ctrl>q", NULL });
  gtk_application_set_accels_for_action (app, "app.preferences",
                                         (const char *[]) { "<Ctrl>comma", NULL });
  gtk_application_set_accels_for_action (app, "app.shortcuts",
                                         (const char *[]) { "<Ctrl>question", NULL });
  gtk_application_set_accels_for_action (app, "window.close",
                                         (const char *[]) { "<Ctrl>w", NULL });
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *action = g_strdup_printf ("win.show-page('%s')", pages[i]);
      g_autofree char *accel = g_strdup_printf ("<Alt>%u", i + 1);
      const char *accels[] = { accel, NULL };

      gtk_application_set_accels_for_action (app, action, accels);
    }
}

/* ---------------------------------------------------------------- life cycle */

static gboolean
on_unix_signal (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
}

static void
arb_application_startup (GApplication *app)
{
  ArbApplication *self = ARB_APPLICATION (app);

  G_APPLICATION_CLASS (arb_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "preferences")),
                               self->settings != NULL);
  set_accels (GTK_APPLICATION (self));
  self->sigint_id = g_unix_signal_add (SIGINT, on_unix_signal, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_unix_signal, self);
  start_engine (self);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_setting_changed), self, 0);
}

static void
arb_application_activate (GApplication *app)
{
  ArbApplication *self = ARB_APPLICATION (app);
  GtkWindow *window = arb_application_get_main_window (self);

  if (window == NULL)
    {
      ArbMainWindow *main_window = arb_main_window_new (GTK_APPLICATION (self), self->settings,
                                                        self->service);

      if (self->service == NULL)
        arb_main_window_show_error (main_window, self->error_title, self->error_description);
      window = GTK_WINDOW (main_window);
    }
  gtk_window_present (window);
}

/* Windows go first, so that no view reads the engine while it stops; the
 * service then commits everything and closes the connections. */
static void
arb_application_shutdown (GApplication *app)
{
  ArbApplication *self = ARB_APPLICATION (app);
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (windows->data);
  /* it changes the engine's configuration: it goes first */
  g_clear_object (&self->config_watch);
  if (self->service != NULL)
    arb_service_shutdown (self->service);
  g_clear_object (&self->service);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);

  G_APPLICATION_CLASS (arb_application_parent_class)->shutdown (app);
}

static void
arb_application_finalize (GObject *object)
{
  ArbApplication *self = ARB_APPLICATION (object);

  g_clear_object (&self->config_watch);
  g_clear_object (&self->service);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->config, arb_config_free);
  g_clear_pointer (&self->error_title, g_free);
  g_clear_pointer (&self->error_description, g_free);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);

  G_OBJECT_CLASS (arb_application_parent_class)->finalize (object);
}

static void
arb_application_class_init (ArbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = arb_application_finalize;
  app_class->startup = arb_application_startup;
  app_class->activate = arb_application_activate;
  app_class->shutdown = arb_application_shutdown;

  /* the resource is in a static library: nothing would pull its constructor in */
  arb_register_resource ();
}

static void
arb_application_init (ArbApplication *self)
{
  self->settings = arb_application_new_settings ();
}

/**
 * arb_application_new:
 * @config: (transfer full): the settings the engine starts with
 *
 * Returns: (transfer full): a new application
 */
ArbApplication *
arb_application_new (ArbConfig *config)
{
  ArbApplication *self;

  g_return_val_if_fail (config != NULL, NULL);

  /* one base path for the .Devel id too: the resources are the same */
  self = g_object_new (ARB_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
  self->config = config;
  return self;
}

/**
 * arb_application_get_engine:
 *
 * Returns: (transfer none) (nullable): the engine, %NULL before start-up or when it failed
 */
ArbEngine *
arb_application_get_engine (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);
  return self->service != NULL ? arb_service_get_engine (self->service) : NULL;
}

/**
 * arb_application_get_server:
 *
 * Returns: (transfer none) (nullable): the server, %NULL before start-up or when it failed
 */
ArbServer *
arb_application_get_server (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);
  return self->service != NULL ? arb_service_get_server (self->service) : NULL;
}

/**
 * arb_application_get_error_title:
 *
 * Returns: (nullable): the headline of what failed at start-up, or %NULL
 */
const char *
arb_application_get_error_title (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);
  return self->error_title;
}

/**
 * arb_application_get_error_description:
 *
 * Returns: (nullable): what failed at start-up and what to do about it, or %NULL
 */
const char *
arb_application_get_error_description (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);
  return self->error_description;
}

/**
 * arb_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the settings, %NULL when the schema is not installed
 */
GSettings *
arb_application_get_settings (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);
  return self->settings;
}

/**
 * arb_application_get_main_window:
 *
 * Returns: (transfer none) (nullable): the dashboard window, if it is open
 */
GtkWindow *
arb_application_get_main_window (ArbApplication *self)
{
  g_return_val_if_fail (ARB_IS_APPLICATION (self), NULL);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ARB_IS_MAIN_WINDOW (l->data))
      return l->data;
  return NULL;
}
