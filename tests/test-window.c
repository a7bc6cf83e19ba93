/* test-window.c: the desktop application and its window, on a real engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb (tests/meson.build). Each case runs the application on a
 * fresh database with the demo bot and an ephemeral port; the case's body
 * runs once the window is up, spinning the main context until what it
 * waits for shows in the widgets. As in test-engine, the trades come from a
 * second demo bot at speed 1000: the engine's own starts at normal speed.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "arb-alerts-page.h"
#include "arb-application.h"
#include "arb-bots-page.h"
#include "arb-log-page.h"
#include "arb-main-window.h"
#include "arb-overview-page.h"
#include "arb-resources-page.h"
#include "arb-system-page.h"

typedef struct _Fixture Fixture;
typedef void (*Body) (Fixture *f);

struct _Fixture
{
  char           *dir;
  ArbConfig      *config;
  ArbApplication *app;
  ArbMainWindow  *window;
  Body            body;
  gboolean        scheduled;
  gboolean        ran;

  ArbDemoBot     *fast;
  ArbSession     *fast_session;
};

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the default context until @cond holds, at most 8 s. */
#define WAIT_UNTIL(cond)                                                      \
  G_STMT_START {                                                              \
    gint64 deadline_ = g_get_monotonic_time () + 8 * G_USEC_PER_SEC;          \
    guint wake_ = g_timeout_add (10, wake, NULL);                             \
    while (!(cond))                                                           \
      {                                                                       \
        if (g_get_monotonic_time () > deadline_)                              \
          g_error ("timed out waiting for: %s", #cond);                       \
        g_main_context_iteration (NULL, TRUE);                                \
      }                                                                       \
    g_source_remove (wake_);                                                  \
  } G_STMT_END

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, name, NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

/* ---------------------------------------------------------------- the fast bot */

static void
fast_send (gpointer transport, const char *text, gsize len)
{
  Fixture *f = transport;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *msg;

  g_assert_true (json_parser_load_from_data (parser, text, len, NULL));
  msg = json_node_get_object (json_parser_get_root (parser));
  if (g_str_equal (json_object_get_string_member (msg, "type"), "welcome") &&
      !arb_demo_bot_is_started (f->fast))
    arb_demo_bot_start_full (f->fast, json_object_get_int_member (msg, "last_seq") + 1, FALSE);
}

static void
fast_close (gpointer transport, gushort code, const char *reason)
{
  Fixture *f = transport;

  arb_demo_bot_stop (f->fast);
  if (f->fast_session != NULL)
    arb_session_closed (g_steal_pointer (&f->fast_session));
}

static const ArbSessionVTable fast_vtable = { fast_send, fast_close };

static void
fast_message (JsonNode *message, gpointer data)
{
  Fixture *f = data;

  if (f->fast_session != NULL)
    arb_session_receive_node (f->fast_session, message);
}

static void
start_fast_bot (Fixture *f)
{
  ArbEngine *engine = arb_application_get_engine (f->app);
  g_autoptr(JsonNode) hello = NULL;

  f->fast = arb_demo_bot_new ("fast", 4321);
  arb_demo_bot_set_speed (f->fast, 1000);
  arb_demo_bot_set_send_func (f->fast, fast_message, f, NULL);
  f->fast_session = arb_ingest_open_session (arb_engine_get_ingest (engine), &fast_vtable, f);
  hello = arb_demo_bot_hello (f->fast);
  arb_session_receive_node (f->fast_session, hello);
}

/* ---------------------------------------------------------------- running the app */

static gboolean
run_body (gpointer data)
{
  Fixture *f = data;

  f->window = ARB_MAIN_WINDOW (arb_application_get_main_window (f->app));
  g_assert_nonnull (f->window);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  f->body (f);
  f->ran = TRUE;
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

/* later activations (app.show-page activates) only present the window */
static void
on_activate (GApplication *app, Fixture *f)
{
  if (!f->scheduled)
    g_idle_add (run_body, f);
  f->scheduled = TRUE;
}

static void
run_app (Fixture *f, Body body)
{
  f->app = arb_application_new (g_steal_pointer (&f->config));
  /* no bus name: tests run side by side, and without a session bus */
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  f->body = body;
  g_signal_connect_after (f->app, "activate", G_CALLBACK (on_activate), f);
  g_assert_cmpint (g_application_run (G_APPLICATION (f->app), 0, NULL), ==, 0);
  g_assert_true (f->ran);
  /* shut down: the engine is gone, every window too */
  g_assert_null (arb_application_get_engine (f->app));
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (f->app)));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("arb-window-XXXXXX", &error);
  g_assert_no_error (error);
  f->config = arb_config_new ();
  g_free (f->config->listen_address);
  f->config->listen_address = g_strdup ("127.0.0.1");
  f->config->port = 0;
  g_free (f->config->db_path);
  f->config->db_path = g_build_filename (f->dir, "arbdash.db", NULL);
  f->config->demo = TRUE;
  f->config->sample_interval_ms = 100;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->app);
  g_clear_pointer (&f->config, arb_config_free);
  g_assert_null (f->fast_session);
  g_clear_object (&f->fast);
  /* let idle sources of dead objects run out */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  remove_dir (f->dir);
  g_free (f->dir);
}

/* ---------------------------------------------------------------- cases */

/* Returns: (transfer none) (nullable): a toplevel window of @type */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static void
live_body (Fixture *f)
{
  ArbOverviewPage *overview = ARB_OVERVIEW_PAGE (arb_main_window_get_page (f->window, "overview"));
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  ArbLogPage *log = ARB_LOG_PAGE (arb_main_window_get_page (f->window, "log"));
  ArbServer *server = arb_application_get_server (f->app);
  ArbBotLink *link;
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/",
                                               arb_server_get_port (server));

  g_assert_false (arb_main_window_is_showing_error (f->window));
  g_assert_cmpstr (arb_main_window_get_visible_page (f->window), ==, "overview");
  g_assert_cmpuint (arb_server_get_port (server), >, 0);
  g_assert_cmpstr (arb_main_window_get_url (f->window), ==, expected);

  start_fast_bot (f);
  WAIT_UNTIL (arb_overview_page_get_trades (overview) > 0);
  WAIT_UNTIL (arb_overview_page_get_n_bots (overview) == 2);
  g_assert_true (arb_bots_page_has_bot (bots, "demo"));
  g_assert_true (arb_bots_page_has_bot (bots, "fast"));
  g_assert_cmpuint (arb_bots_page_get_n_bots (bots), ==, 2);
  /* log items arrive whether or not the page is shown */
  WAIT_UNTIL (g_list_model_get_n_items (arb_log_page_get_model (log)) > 0);

  /* Let the fast bot's events settle before the app quits: a trade committed during the
   * engine's shutdown arms its summary timer again, which would fire after the engine is
   * gone (see the report on arb-engine.c) in the next case of this process. */
  arb_demo_bot_stop (f->fast);
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (arb_application_get_engine (f->app)),
                                "fast");
  WAIT_UNTIL (arb_bot_link_get_stored_seq (link) == arb_bot_link_get_accepted_seq (link));

  /* the copy button: the address goes to the clipboard, and a toast says so */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.copy-url", NULL));
  {
    g_autoptr(AdwToast) toast = arb_main_window_get_last_toast (f->window);
    g_assert_nonnull (toast);
    g_assert_cmpstr (adw_toast_get_title (toast), ==, "Address copied");
  }
}

static void
test_live (Fixture *f, gconstpointer data)
{
  run_app (f, live_body);
}

static void
pause_body (Fixture *f)
{
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  ArbEngine *engine = arb_application_get_engine (f->app);
  ArbBotLink *link;
  GtkWindow *dialog;

  arb_main_window_show_page (f->window, "bots");
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (bots)));
  WAIT_UNTIL (arb_bots_page_has_bot (bots, "demo"));
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (engine), "demo");
  WAIT_UNTIL (arb_bot_link_get_n_connections (link) > 0);

  /* the row's Pause button: through the page's action, as a click goes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bots), "bots.command", "(ss)",
                                             "demo", "pause"));
  g_assert_cmpuint (arb_bots_page_get_n_pending (bots, "demo"), ==, 1);
  WAIT_UNTIL (arb_bots_page_get_n_pending (bots, "demo") == 0);
  g_assert_cmpstr (arb_demo_bot_get_state (arb_engine_get_demo_bot (engine)), ==, "paused");
  {
    g_autoptr(AdwToast) toast = arb_main_window_get_last_toast (f->window);
    g_assert_nonnull (toast);
    g_assert_cmpstr (adw_toast_get_title (toast), ==, "demo: paused");
  }

  /* a bot that is not there: rejected at once, said in a toast */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bots), "bots.command", "(ss)",
                                             "ghost", "resume"));
  {
    g_autoptr(AdwToast) toast = arb_main_window_get_last_toast (f->window);
    g_assert_nonnull (toast);
    g_assert_true (g_str_has_prefix (adw_toast_get_title (toast), "Not sent to ghost: "));
  }

  /* Stop asks first */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bots), "bots.command", "(ss)",
                                             "demo", "stop"));
  g_assert_cmpuint (arb_bots_page_get_n_pending (bots, "demo"), ==, 0);
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  g_assert_cmpuint (arb_bots_page_get_n_pending (bots, "demo"), ==, 1);
  WAIT_UNTIL (arb_bots_page_get_n_pending (bots, "demo") == 0);
  g_assert_cmpstr (arb_demo_bot_get_state (arb_engine_get_demo_bot (engine)), ==, "stopped");
}

static void
test_pause (Fixture *f, gconstpointer data)
{
  run_app (f, pause_body);
}

static void
pages_body (Fixture *f)
{
  static const char *const names[] = {
    "overview", "system", "resources", "bots", "alerts", "log",
  };
  ArbSystemPage *system = ARB_SYSTEM_PAGE (arb_main_window_get_page (f->window, "system"));
  ArbAlertsPage *alerts = ARB_ALERTS_PAGE (arb_main_window_get_page (f->window, "alerts"));
  GtkApplication *app = GTK_APPLICATION (f->app);
  ArbEngine *engine = arb_application_get_engine (f->app);
  GSettings *settings = arb_application_get_settings (f->app);
  guint n_windows;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *page = arb_main_window_get_page (f->window, names[i]);

      g_assert_nonnull (page);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s",
                                                 names[i]));
      g_assert_cmpstr (arb_main_window_get_visible_page (f->window), ==, names[i]);
      WAIT_UNTIL (gtk_widget_get_mapped (page));
    }
  arb_main_window_show_page (f->window, "no-such-page");
  g_assert_cmpstr (arb_main_window_get_visible_page (f->window), ==, "log");

  /* the System page takes samples only while shown */
  arb_main_window_show_page (f->window, "system");
  WAIT_UNTIL (arb_system_page_get_n_samples (system) >= 3);
  g_assert_cmpuint (arb_alerts_page_get_n_alerts (alerts), ==, 0);

  /* the interval and the thresholds apply at once */
  g_settings_set_uint (settings, "sample-interval-ms", 250);
  g_settings_set_uint (settings, "losing-streak", 9);
  WAIT_UNTIL (arb_sampler_get_interval (arb_engine_get_sampler (engine)) == 250);
  WAIT_UNTIL (arb_alerts_get_thresholds (arb_engine_get_alerts (engine))->losing_streak == 9);
  g_settings_reset (settings, "sample-interval-ms");
  g_settings_reset (settings, "losing-streak");

  /* the menu's windows open */
  n_windows = g_list_length (gtk_application_get_windows (app));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (app)), ==, n_windows + 3);
  g_assert_nonnull (find_toplevel (ADW_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_assert_nonnull (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));

  /* a notification's action shows the Alerts page */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-page",
                                  g_variant_new_string ("alerts"));
  g_assert_cmpstr (arb_main_window_get_visible_page (f->window), ==, "alerts");
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  run_app (f, pages_body);
}

static void
resources_body (Fixture *f)
{
  ArbResourcesPage *page =
    ARB_RESOURCES_PAGE (arb_main_window_get_page (f->window, "resources"));
  g_autofree char *tasks = NULL;

  g_assert_nonnull (page);
  g_assert_null (arb_resources_page_get_figure (page, "no-such-bot", "pool"));

  /* the demo bot reports about once a second; its pool holds 16 connections */
  arb_main_window_show_page (f->window, "resources");
  WAIT_UNTIL (arb_resources_page_get_figure (page, "demo", "pool") != NULL);
  g_assert_nonnull (strstr (arb_resources_page_get_figure (page, "demo", "pool"), "Size 16 "));
  g_assert_cmpuint (arb_resources_page_get_n_bots (page), ==, 1);
  g_assert_nonnull (strstr (arb_resources_page_get_figure (page, "demo", "tasks"), "Running "));
  g_assert_nonnull (strstr (arb_resources_page_get_figure (page, "demo", "memory"), "Resident "));
  g_assert_nonnull (strstr (arb_resources_page_get_figure (page, "demo", "cache"), "Entries "));
  g_assert_true (g_str_has_suffix (arb_resources_page_get_figure (page, "demo", "hit-rate"), "%"));

  /* later reports update the figures: the completed tasks only grow */
  tasks = g_strdup (arb_resources_page_get_figure (page, "demo", "tasks"));
  WAIT_UNTIL (g_strcmp0 (arb_resources_page_get_figure (page, "demo", "tasks"), tasks) != 0);

  /* shown again, the page reloads the same bot, not a second one */
  arb_main_window_show_page (f->window, "log");
  WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  arb_main_window_show_page (f->window, "resources");
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpuint (arb_resources_page_get_n_bots (page), ==, 1);
  g_assert_nonnull (strstr (arb_resources_page_get_figure (page, "demo", "pool"), "Size 16 "));
}

static void
test_resources (Fixture *f, gconstpointer data)
{
  run_app (f, resources_body);
}

static void
port_in_use_body (Fixture *f)
{
  g_assert_true (arb_main_window_is_showing_error (f->window));
  g_assert_null (arb_application_get_engine (f->app));
  g_assert_cmpstr (arb_application_get_error_title (f->app), ==, "The Port Is in Use");
  g_assert_nonnull (strstr (arb_application_get_error_description (f->app), "--port"));
  g_assert_null (arb_main_window_get_url (f->window));
}

static void
test_port_in_use (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) taken = arb_server_bind_socket ("127.0.0.1", 0, &error);
  g_autoptr(GSocketAddress) local = NULL;

  g_assert_no_error (error);
  local = g_socket_get_local_address (taken, &error);
  g_assert_no_error (error);
  f->config->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  run_app (f, port_in_use_body);
}

static void
bad_db_body (Fixture *f)
{
  g_assert_true (arb_main_window_is_showing_error (f->window));
  g_assert_cmpstr (arb_application_get_error_title (f->app), ==, "Cannot Open the Database");
  g_assert_nonnull (strstr (arb_application_get_error_description (f->app), "--db"));
}

static void
test_bad_db (Fixture *f, gconstpointer data)
{
  /* a file where the database's folder should be */
  g_autofree char *blocker = g_build_filename (f->dir, "file", NULL);

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_free (f->config->db_path);
  f->config->db_path = g_build_filename (blocker, "arbdash.db", NULL);
  run_app (f, bad_db_body);
  g_unlink (blocker);
}

/* The settings seed the configuration the GUI starts with. */
static void
test_settings (void)
{
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(GSettings) settings = arb_application_new_settings ();

  g_assert_nonnull (settings);
  g_assert_true (g_settings_set_value (settings, "port", g_variant_new_uint16 (9123)));
  g_assert_true (g_settings_set_uint (settings, "losing-streak", 7));
  g_assert_true (g_settings_set_boolean (settings, "demo-bot", FALSE));
  arb_application_load_settings (config);
  g_assert_cmpuint (config->port, ==, 9123);
  g_assert_cmpuint (config->alerts.losing_streak, ==, 7);
  g_assert_false (config->demo);
  g_assert_cmpstr (config->listen_address, ==, "127.0.0.1");
  g_settings_reset (settings, "port");
  g_settings_reset (settings, "losing-streak");
  g_settings_reset (settings, "demo-bot");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/arb/window/live", test_live);
  ADD ("/arb/window/pause", test_pause);
  ADD ("/arb/window/pages", test_pages);
  ADD ("/arb/window/resources", test_resources);
  ADD ("/arb/window/port-in-use", test_port_in_use);
  ADD ("/arb/window/bad-db", test_bad_db);
#undef ADD
  g_test_add_func ("/arb/window/settings", test_settings);

  return g_test_run ();
}
