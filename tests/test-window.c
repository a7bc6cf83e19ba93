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

#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "arb-alerts-page.h"
#include "arb-application.h"
#include "arb-bots-page.h"
#include "arb-chart.h"
#include "arb-chart-private.h"
#include "arb-local-bot.h"
#include "arb-log-entry.h"
#include "arb-log-page.h"
#include "arb-main-window.h"
#include "arb-overview-page.h"
#include "arb-preferences-window.h"
#include "arb-resources-page.h"
#include "arb-system-page.h"
#include "arb-trading-page.h"

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

  ArbLocalBot    *fast;
};


/* ---------------------------------------------------------------- the fast bot */

static void
start_fast_bot (Fixture *f)
{
  ArbEngine *engine = arb_application_get_engine (f->app);
  g_autoptr(ArbDemoBot) bot = arb_demo_bot_new ("fast", 4321);

  arb_demo_bot_set_speed (bot, 1000);
  f->fast = arb_local_bot_new (arb_engine_get_ingest (engine), bot);
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
  /* the app's shutdown closed the fast bot's session */
  g_assert_true (f->fast == NULL || !arb_local_bot_is_open (f->fast));
  g_clear_pointer (&f->fast, arb_local_bot_free);
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


static guint ask_server (Fixture *f, const char *method, const char *path, const char *token,
                         const char *cookie, const char *body, char **set_cookie);

/* "Open in Browser" without a browser: the links it would open. */
static GPtrArray *opened;

static void
keep_uri (ArbMainWindow *self, const char *uri)
{
  if (opened == NULL)
    opened = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (opened, g_strdup (uri));
}

static void
live_body (Fixture *f)
{
  ArbOverviewPage *overview = ARB_OVERVIEW_PAGE (arb_main_window_get_page (f->window, "overview"));
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  ArbLogPage *log = ARB_LOG_PAGE (arb_main_window_get_page (f->window, "log"));
  ArbServer *server = arb_application_get_server (f->app);
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

  /* the copy button: the address goes to the clipboard, and a toast says so */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.copy-url", NULL));
  {
    g_autoptr(AdwToast) toast = arb_main_window_get_last_toast (f->window);
    g_assert_nonnull (toast);
    g_assert_cmpstr (adw_toast_get_title (toast), ==, "Address copied");
  }

  /* Open in Browser: a fresh one-time sign-in link each time */
  arb_main_window_set_uri_opener (f->window, keep_uri);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-in-browser",
                                             NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-in-browser",
                                             NULL));
  g_assert_cmpuint (opened->len, ==, 2);
  for (guint i = 0; i < opened->len; i++)
    {
      g_autofree char *prefix = g_strconcat (expected, "#login=", NULL);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (opened, i), prefix));
      g_assert_cmpuint (strlen (g_ptr_array_index (opened, i)), ==, strlen (prefix) + 48);
    }
  g_assert_cmpstr (g_ptr_array_index (opened, 0), !=, g_ptr_array_index (opened, 1));
  /* each signs a browser in as the page does with it, once: one click to a signed-in dashboard */
  for (guint i = 0; i < opened->len; i++)
    {
      const char *code = strstr (g_ptr_array_index (opened, i), "#login=") + strlen ("#login=");
      g_autofree char *body = g_strdup_printf ("{\"login_code\":\"%s\"}", code);
      g_autofree char *cookie = NULL;

      g_assert_cmpuint (ask_server (f, "POST", "api/v1/session", NULL, NULL, body, &cookie), ==, 200);
      g_assert_nonnull (cookie);
      g_assert_cmpuint (ask_server (f, "GET", "api/v1/session", NULL, cookie, NULL, NULL), ==, 200);
      g_assert_cmpuint (ask_server (f, "POST", "api/v1/session", NULL, NULL, body, NULL), ==, 401);
    }
  g_ptr_array_set_size (opened, 0);
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

static GtkWidget *find_child (GtkWidget *widget, GType type);

static int
min_width (GtkWidget *widget)
{
  int minimum;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  return minimum;
}

/* Which descendants of @widget need more than @width. */
static void
print_wide (GtkWidget *widget, int width)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (min_width (c) > width)
      {
        g_printerr ("%s (%s) needs %d px\n", G_OBJECT_TYPE_NAME (c),
                    GTK_IS_LABEL (c) ? gtk_label_get_label (GTK_LABEL (c)) : "",
                    min_width (c));
        print_wide (c, width);
      }
}

static guint
n_active_alerts (ArbEngine *engine)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (arb_engine_get_alerts (engine));

  return active->len;
}

static void
pages_body (Fixture *f)
{
  static const char *const names[] = {
    "overview", "system", "trading", "resources", "bots", "alerts", "log",
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
  /* every page and the window fit a 360 px wide phone screen (whose header bars have
   * GNOME's buttons: a close button only, not Xvfb's default three) */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *page = arb_main_window_get_page (f->window, names[i]);
      TestWait wait;

      /* measured once the page has settled: rows that arrive meanwhile are
       * laid out on a later frame (it was once 384 px for a moment, on a
       * busy machine); a page that stays too wide fails, saying what is */
      test_wait_begin (&wait, NULL, WAIT_UNTIL_MS);
      while (min_width (page) > 360)
        if (!test_wait_step (&wait))
          {
            print_wide (page, 360);
            g_error ("the %s page needs %d px", names[i], min_width (page));
          }
      test_wait_end (&wait);
    }
  {
    int minimum;

    /* the window's content: its frame (a shadow, or Xvfb's border) is the theme's */
    gtk_widget_measure (gtk_window_get_child (GTK_WINDOW (f->window)),
                        GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }
  gtk_settings_reset_property (gtk_settings_get_default (), "gtk-decoration-layout");
  arb_main_window_show_page (f->window, "no-such-page");
  g_assert_cmpstr (arb_main_window_get_visible_page (f->window), ==, "log");

  /* the System page takes samples only while shown */
  arb_main_window_show_page (f->window, "system");
  WAIT_UNTIL (arb_system_page_get_n_samples (system) >= 3);
  /* the Alerts page lists exactly the engine's active alerts: none on a fresh
   * database, unless the demo bot (a simulator) has logged an error or lost
   * a streak by now, which a slow run (AddressSanitizer, a busy machine) gives
   * it the time for */
  WAIT_UNTIL (arb_alerts_page_get_n_alerts (alerts) == n_active_alerts (engine));

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

static gint64
chart_span (ArbChart *chart)
{
  gint64 from, to;

  arb_chart_get_time_range (chart, &from, &to);
  return to - from;
}

static void
resources_body (Fixture *f)
{
  ArbResourcesPage *page =
    ARB_RESOURCES_PAGE (arb_main_window_get_page (f->window, "resources"));
  g_autofree char *tasks = NULL;
  g_autofree char *range = NULL;
  ArbChart *chart;

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

  /* the range follows the setting, and the chart reads that span */
  chart = ARB_CHART (find_child (GTK_WIDGET (page), ARB_TYPE_CHART));
  g_assert_cmpint (chart_span (chart), ==, 3600 * 1000);
  g_settings_set_string (arb_application_get_settings (f->app), "chart-range", "7d");
  g_assert_cmpstr (arb_range_switch_get_range (arb_resources_page_get_range_switch (page)), ==,
                   "7d");
  /* one setting: the System page shows the same span */
  g_assert_cmpstr (arb_range_switch_get_range (arb_system_page_get_range_switch (
                     ARB_SYSTEM_PAGE (arb_main_window_get_page (f->window, "system")))), ==, "7d");
  g_assert_cmpint (chart_span (chart), ==, G_GINT64_CONSTANT (7) * 24 * 3600 * 1000);
  arb_range_switch_set_range (arb_resources_page_get_range_switch (page), "5m");
  range = g_settings_get_string (arb_application_get_settings (f->app), "chart-range");
  g_assert_cmpstr (range, ==, "5m");
  g_assert_cmpint (chart_span (chart), ==, 5 * 60 * 1000);
  /* at most one point a second over five minutes: the finest tier */
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), >, 0);
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), <=, 301);
  g_settings_reset (arb_application_get_settings (f->app), "chart-range");
}

static void
test_resources (Fixture *f, gconstpointer data)
{
  run_app (f, resources_body);
}

/* Returns: (transfer none) (nullable): the first widget of @type under @widget, depth first */
static GtkWidget *
find_child (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    n++;
  return n;
}

static guint64
count_trades (ArbEngine *engine, const char *bot_id)
{
  g_autoptr(ArbLedgerSummary) s = arb_ledger_get_summary (arb_engine_get_ledger (engine),
                                                          ARB_WINDOW_ALL, bot_id,
                                                          g_get_real_time () / 1000);
  return s->trades_total;
}

static void
trading_body (Fixture *f)
{
  ArbTradingPage *page = ARB_TRADING_PAGE (arb_main_window_get_page (f->window, "trading"));
  ArbEngine *engine = arb_application_get_engine (f->app);
  ArbTradeList *list = arb_trading_page_get_trade_list (page);
  GListModel *model = G_LIST_MODEL (list);
  g_autofree char *csv_path = g_build_filename (f->dir, "trades.csv", NULL);
  g_autoptr(GFile) csv = g_file_new_for_path (csv_path);
  g_autofree char *text = NULL;
  GtkAdjustment *adj;
  ArbBotLink *link;
  gint64 accepted;

  g_assert_nonnull (list);
  start_fast_bot (f);
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (engine), "fast");
  /* more than two pages of trades in the store */
  WAIT_UNTIL (count_trades (engine, "fast") > 2 * ARB_TRADE_LIST_PAGE_SIZE);
  accepted = arb_bot_link_get_accepted_seq (link);
  WAIT_UNTIL (arb_bot_link_get_stored_seq (link) >= accepted);

  /* the figures and the first page of the history come on showing the page */
  g_assert_cmpuint (arb_trading_page_get_trades (page), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  arb_main_window_show_page (f->window, "trading");
  WAIT_UNTIL (arb_trading_page_get_trades (page) > 0);
  g_assert_cmpuint (arb_trading_page_get_n_pairs (page), >, 0);
  WAIT_UNTIL (g_list_model_get_n_items (model) == ARB_TRADE_LIST_PAGE_SIZE);
  g_assert_true (arb_trade_list_has_more (list));

  /* the figures follow the ledger, at most once a second */
  {
    guint64 before = arb_trading_page_get_trades (page);
    WAIT_UNTIL (arb_trading_page_get_trades (page) > before);
  }
  arb_trading_page_set_window (page, ARB_WINDOW_ALL);
  g_assert_cmpuint (arb_trading_page_get_trades (page), >, 0);

  /* scrolled to the end, the history reads the next page */
  gtk_stack_set_visible_child_name (GTK_STACK (find_child (GTK_WIDGET (page), GTK_TYPE_STACK)),
                                    "history");
  adj = gtk_scrollable_get_vadjustment (
          GTK_SCROLLABLE (find_child (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW)));
  WAIT_UNTIL (gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj));
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  WAIT_UNTIL (g_list_model_get_n_items (model) == 2 * ARB_TRADE_LIST_PAGE_SIZE);
  g_assert_cmpuint (arb_trade_list_get_n_pages (list), ==, 2);

  /* settle the fast bot, so that the export can be counted */
  arb_demo_bot_stop (arb_local_bot_get_bot (f->fast));
  WAIT_UNTIL (arb_bot_link_get_stored_seq (link) == arb_bot_link_get_accepted_seq (link));

  /* the chart climbs from 0 at the window's start to the bot's net profit */
  {
    g_autoptr(ArbLedgerSummary) all = arb_ledger_get_summary (arb_engine_get_ledger (engine),
                                                              ARB_WINDOW_ALL, "fast",
                                                              g_get_real_time () / 1000);
    ArbChart *chart = arb_trading_page_get_profit_chart (page);
    ArbPoint first, last;
    guint fast = G_MAXUINT;
    guint n;

    /* another window and back: the page reads the settled ledger again */
    arb_trading_page_set_window (page, ARB_WINDOW_1H);
    arb_trading_page_set_window (page, ARB_WINDOW_ALL);
    for (guint i = 0; i < arb_chart_get_n_series (chart); i++)
      if (g_str_equal (_arb_chart_get_series_label (chart, i), "fast"))
        fast = i;
    g_assert_cmpuint (fast, !=, G_MAXUINT);
    n = _arb_chart_get_n_points (chart, fast);
    g_assert_cmpuint (n, >=, 2);
    _arb_chart_get_point (chart, fast, 0, &first);
    _arb_chart_get_point (chart, fast, n - 1, &last);
    g_assert_cmpfloat (first.avg, ==, 0);
    g_assert_cmpfloat_with_epsilon (last.avg, all->net_profit, 1e-6 * MAX (1, fabs (all->net_profit)));
  }

  /* the Refresh button reads the newest page again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "trading.reload", NULL));
  g_assert_cmpuint (arb_trade_list_get_n_pages (list), ==, 0);
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1);

  /* the filter, typed in the Bot entry: the fast bot's trades only */
  {
    /* the history: the filter bar, then the scrolled column view */
    GtkWidget *view = find_child (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW);
    GtkWidget *history = gtk_widget_get_parent (gtk_widget_get_parent (view));
    GtkWidget *bot_entry = find_child (gtk_widget_get_first_child (history),
                                       GTK_TYPE_SEARCH_ENTRY);

    g_assert_true (GTK_IS_SEARCH_ENTRY (bot_entry));
    gtk_editable_set_text (GTK_EDITABLE (bot_entry), " fast ");
  }
  WAIT_UNTIL (arb_trade_list_is_loading (list));
  WAIT_UNTIL (!arb_trade_list_is_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArbTradeItem) item = g_list_model_get_item (model, i);
      g_assert_cmpstr (arb_trade_item_get_bot_id (item), ==, "fast");
    }

  /* the export writes every trade of the filter, not only the pages read */
  arb_trading_page_export (page, csv);
  g_assert_true (arb_trading_page_is_exporting (page));
  WAIT_UNTIL (!arb_trading_page_is_exporting (page));
  g_assert_true (g_file_get_contents (csv_path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, arb_trade_csv_header));
  g_assert_cmpuint (count_lines (text) - 1, ==, count_trades (engine, "fast"));
  {
    g_autoptr(AdwToast) toast = arb_main_window_get_last_toast (f->window);
    g_assert_nonnull (toast);
    g_assert_cmpstr (adw_toast_get_title (toast), ==, "Trades exported to trades.csv");
  }

  /* a file that cannot be written: said in a toast */
  {
    g_autofree char *bad_path = g_build_filename (f->dir, "no-such-dir", "t.csv", NULL);
    g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
    g_autoptr(AdwToast) toast = NULL;

    arb_trading_page_export (page, bad);
    WAIT_UNTIL (!arb_trading_page_is_exporting (page));
    toast = arb_main_window_get_last_toast (f->window);
    g_assert_true (g_str_has_prefix (adw_toast_get_title (toast), "Cannot export to t.csv: "));
  }
}

static void
test_trading (Fixture *f, gconstpointer data)
{
  run_app (f, trading_body);
}

/* ---------------------------------------------------------------- the trade list alone */

static ArbEvent *
trade_event (gint64 seq, gint64 ts, const char *pair, const char *status)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                     ",\"id\":\"t-%" G_GINT64_FORMAT "\",\"pair\":\"%s\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"status\":\"%s\",\"profit\":1.5%s}",
                     seq, ts, seq, pair, status, seq % 2 == 0 ? ",\"gas_cost\":0.25" : "");

  return test_event_from_json (json);
}

/* Waits for the page being read; returns the number of rows then. */
static guint
wait_loaded (ArbTradeList *list)
{
  WAIT_UNTIL (!arb_trade_list_is_loading (list));
  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

static void
test_trade_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-trade-list-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "arbdash.db", NULL);
  g_autoptr(ArbStore) store = NULL;
  g_autoptr(ArbTradeList) list = NULL;
  ArbStoreBatch *batch;
  const gint64 t0 = 1700000000000;

  g_assert_no_error (error);
  store = arb_store_open (path, &error);
  g_assert_no_error (error);
  /* 250 trades, every fifth failed, every tenth of another pair */
  batch = arb_store_batch_new ("bot-a");
  for (guint i = 1; i <= 250; i++)
    arb_store_batch_add_event (batch, trade_event (i, t0 + i * 1000,
                                                   i % 10 == 0 ? "WBTC/USDT" : "WETH/USDC",
                                                   i % 5 == 0 ? "failed" : "filled"), i);
  arb_store_batch_set_last_seq (batch, 0, 250);
  arb_store_submit (store, batch, NULL, NULL);
  arb_store_flush (store);

  list = arb_trade_list_new (store);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == ARB_TYPE_TRADE_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  /* three pages: 100, 100, 50, newest first */
  g_assert_true (arb_trade_list_load_more (list));
  g_assert_true (arb_trade_list_load_more (list));  /* one at a time */
  g_assert_cmpuint (wait_loaded (list), ==, 100);
  g_assert_true (arb_trade_list_has_more (list));
  g_assert_true (arb_trade_list_load_more (list));
  g_assert_cmpuint (wait_loaded (list), ==, 200);
  g_assert_true (arb_trade_list_load_more (list));
  g_assert_cmpuint (wait_loaded (list), ==, 250);
  g_assert_cmpuint (arb_trade_list_get_n_pages (list), ==, 3);
  g_assert_false (arb_trade_list_has_more (list));
  g_assert_false (arb_trade_list_load_more (list));
  g_assert_null (arb_trade_list_get_error (list));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 250));
  for (guint i = 0; i < 250; i++)
    {
      g_autoptr(ArbTradeItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);
      gint64 seq = 250 - i;

      g_assert_cmpint (arb_trade_item_get_ts (item), ==, t0 + seq * 1000);
      g_assert_cmpstr (arb_trade_item_get_bot_id (item), ==, "bot-a");
      g_assert_cmpstr (arb_trade_item_get_buy_venue (item), ==, "uniswap");
      g_assert_cmpstr (arb_trade_item_get_sell_venue (item), ==, "curve");
      g_assert_cmpfloat (arb_trade_item_get_profit (item), ==, 1.5);
      if (seq % 2 == 0)
        g_assert_cmpfloat (arb_trade_item_get_gas_cost (item), ==, 0.25);
      else
        g_assert_true (isnan (arb_trade_item_get_gas_cost (item)));
    }

  /* filters: 50 failed trades make one page; 25 of them of WBTC/USDT (i % 10 == 0) */
  arb_trade_list_set_filter (list, "bot-a", NULL, ARB_TRADE_FAILED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (wait_loaded (list), ==, 50);
  g_assert_false (arb_trade_list_has_more (list));
  {
    g_autoptr(ArbTradeItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_cmpstr (arb_trade_item_get_status (item), ==, "failed");
  }
  arb_trade_list_set_filter (list, "", "WBTC/USDT", ARB_TRADE_FAILED);
  g_assert_cmpuint (wait_loaded (list), ==, 25);
  {
    g_autoptr(ArbTradeItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_cmpstr (arb_trade_item_get_pair (item), ==, "WBTC/USDT");
  }
  /* the same filter again reads nothing */
  arb_trade_list_set_filter (list, NULL, " WBTC/USDT ", ARB_TRADE_FAILED);
  g_assert_false (arb_trade_list_is_loading (list));
  arb_trade_list_set_filter (list, "bot-b", NULL, -1);
  g_assert_cmpuint (wait_loaded (list), ==, 0);
  g_assert_false (arb_trade_list_has_more (list));

  /* a reload while a page is read drops that page */
  arb_trade_list_set_filter (list, NULL, NULL, -1);
  arb_trade_list_reload (list);
  g_assert_cmpuint (wait_loaded (list), ==, 100);
  g_assert_cmpuint (arb_trade_list_get_n_pages (list), ==, 1);

  /* a time range: the trades after the 200th second, of which every fifth failed */
  arb_trade_list_set_after (list, t0 + 200 * 1000);
  g_assert_cmpuint (wait_loaded (list), ==, 50);
  g_assert_false (arb_trade_list_has_more (list));
  {
    g_autoptr(ArbTradeItem) oldest = g_list_model_get_item (G_LIST_MODEL (list), 49);
    g_assert_cmpint (arb_trade_item_get_ts (oldest), ==, t0 + 201 * 1000);
  }
  arb_trade_list_set_filter (list, NULL, NULL, ARB_TRADE_FAILED);
  g_assert_cmpuint (wait_loaded (list), ==, 10);
  arb_trade_list_set_after (list, G_MININT64);
  g_assert_cmpuint (wait_loaded (list), ==, 50);

  g_clear_object (&list);
  g_clear_object (&store);
  remove_dir (dir);
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
/* Preferences that apply at once reach the running engine. */
static void
settings_live_body (Fixture *f)
{
  GSettings *settings = arb_application_get_settings (f->app);
  ArbEngine *engine = arb_application_get_engine (f->app);

  g_assert_cmpuint (arb_engine_get_retention_days (engine), ==, 90);
  g_assert_true (g_settings_set_uint (settings, "retention-days", 30));
  WAIT_UNTIL (arb_engine_get_retention_days (engine) == 30);
  g_settings_reset (settings, "retention-days");
  WAIT_UNTIL (arb_engine_get_retention_days (engine) == 90);
}

static void
test_settings_live (Fixture *f, gconstpointer data)
{
  run_app (f, settings_live_body);
}

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

static void
system_body (Fixture *f)
{
  ArbSystemPage *page = ARB_SYSTEM_PAGE (arb_main_window_get_page (f->window, "system"));
  ArbSampler *sampler = arb_engine_get_sampler (arb_application_get_engine (f->app));
  ArbRangeSwitch *range = arb_system_page_get_range_switch (page);
  const ArbSystemSample *sample;
  ArbChart *cpu;
  ArbChart *cores;
  guint n = 0;

  arb_range_switch_set_range (range, "5m");
  arb_main_window_show_page (f->window, "system");
  WAIT_UNTIL (arb_system_page_get_n_samples (page) >= 2);

  /* one row per core and per interface of the machine's sample, loopback left out */
  sample = arb_sampler_get_latest (sampler);
  g_assert_true (sample->parts & ARB_SAMPLE_CPU);
  g_assert_cmpuint (sample->n_cores, >, 0);
  g_assert_cmpuint (arb_system_page_get_n_core_rows (page), ==, sample->n_cores);
  cpu = arb_system_page_get_chart (page, "cpu");
  cores = arb_system_page_get_chart (page, "cores");
  if (cores == NULL)
    g_assert_cmpuint (arb_chart_get_n_series (cpu), ==, 1 + sample->n_cores);
  else
    g_assert_cmpuint (arb_chart_get_n_series (cores), ==, sample->n_cores);
  for (guint i = 0; i < sample->n_ifaces; i++)
    {
      AdwActionRow *row;

      if (sample->ifaces[i].loopback)
        continue;
      row = arb_system_page_get_iface_row (page, n++);
      g_assert_nonnull (row);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                       sample->ifaces[i].name);
      g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (row), "Received "));
      g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (row), "/s"));
    }
  g_assert_null (arb_system_page_get_iface_row (page, n));

  /* five minutes read the 1 s tier: a point a second, at most 300 */
  g_assert_cmpint (chart_span (cpu), ==, 5 * 60 * 1000);
  WAIT_UNTIL (_arb_chart_get_n_points (cpu, 0) >= 3);
  g_assert_cmpuint (_arb_chart_get_n_points (cpu, 0), <=, 300);
  g_assert_cmpint (chart_span (arb_system_page_get_chart (page, "memory")), ==, 5 * 60 * 1000);

  /* seven days read the hourly tier: the seconds of this run fall in one or two hours */
  arb_range_switch_set_range (range, "7d");
  g_assert_cmpint (chart_span (cpu), ==, G_GINT64_CONSTANT (7) * 24 * 3600 * 1000);
  g_assert_cmpint (chart_span (arb_system_page_get_chart (page, "network")), ==,
                   G_GINT64_CONSTANT (7) * 24 * 3600 * 1000);
  g_assert_cmpuint (_arb_chart_get_n_points (cpu, 0), >=, 1);
  g_assert_cmpuint (_arb_chart_get_n_points (cpu, 0), <=, 2);
  arb_range_switch_set_range (range, "5m");
  g_assert_cmpuint (_arb_chart_get_n_points (cpu, 0), >=, 3);

  /* the demo bot's network status: its seven venues and its block lag */
  WAIT_UNTIL (arb_system_page_get_n_venue_rows (page, "demo") == 7);
  g_assert_true (g_str_has_suffix (arb_system_page_get_status (page, "demo", "uniswap_v3", NULL),
                                   " ms"));
  g_assert_true (g_str_has_prefix (arb_system_page_get_status (page, "demo", NULL, NULL),
                                   "Block lag: "));
  g_assert_null (arb_system_page_get_status (page, "demo", "no-such-venue", NULL));
  g_assert_cmpuint (arb_chart_get_n_series (arb_system_page_get_status_chart (page, "demo")), ==,
                    7);
  g_assert_cmpint (chart_span (arb_system_page_get_status_chart (page, "demo")), ==,
                   5 * 60 * 1000);
  g_assert_cmpuint (arb_system_page_get_n_status_bots (page), ==, 1);
  g_assert_false (arb_system_page_says_no_status (page));

  g_settings_reset (arb_application_get_settings (f->app), "chart-range");
}

static void
test_system (Fixture *f, gconstpointer data)
{
  run_app (f, system_body);
}

static void
raw_send (gpointer transport, const char *text, gsize len)
{
}

static void
raw_close (gpointer transport, gushort code, const char *reason)
{
  ArbSession **session = transport;

  if (*session != NULL)
    arb_session_closed (g_steal_pointer (session));
}

static const ArbSessionVTable raw_vtable = { raw_send, raw_close };

G_GNUC_PRINTF (2, 3)
static void
raw_say (ArbSession *session, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  arb_session_receive_text (session, text, strlen (text));
}

static void
raw_metric (ArbSession *session, gint64 seq, gint64 ts, const char *name, double value)
{
  raw_say (session, "{\"type\":\"metric\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
           ",\"name\":\"%s\",\"value\":%g}", seq, ts, name, value);
}

/* Without the demo bot: a bot whose node is slow and behind, then catches up. */
static void
network_status_body (Fixture *f)
{
  ArbSystemPage *page = ARB_SYSTEM_PAGE (arb_main_window_get_page (f->window, "system"));
  ArbIngest *ingest = arb_engine_get_ingest (arb_application_get_engine (f->app));
  ArbSession *session = NULL;
  gint64 now = g_get_real_time () / 1000;
  gboolean warning = FALSE;
  g_autoptr(ArbChart) chart = NULL;

  arb_main_window_show_page (f->window, "system");
  WAIT_UNTIL (arb_system_page_get_n_samples (page) >= 1);
  g_assert_true (arb_system_page_says_no_status (page));
  g_assert_cmpuint (arb_system_page_get_n_status_bots (page), ==, 0);

  session = arb_ingest_open_session (ingest, &raw_vtable, &session);
  raw_say (session, "{\"type\":\"hello\",\"bot_id\":\"laggy\",\"name\":\"Laggy\"}");
  raw_metric (session, 1, now, "rpc_latency_ms.testnet", 900);
  raw_metric (session, 2, now, "block_lag", 3);
  WAIT_UNTIL (g_strcmp0 (arb_system_page_get_status (page, "laggy", NULL, &warning),
                         "Block lag: 3 blocks") == 0);
  g_assert_true (warning);
  g_assert_cmpstr (arb_system_page_get_status (page, "laggy", "testnet", &warning), ==,
                   "900.0 ms");
  g_assert_true (warning);
  g_assert_cmpuint (arb_system_page_get_n_venue_rows (page, "laggy"), ==, 1);
  g_assert_false (arb_system_page_says_no_status (page));
  /* held, so that a rebuilt chart cannot take its address */
  chart = g_object_ref (arb_system_page_get_status_chart (page, "laggy"));

  /* better figures clear the warnings; the same venue keeps its rows and chart */
  raw_metric (session, 3, now + 1000, "rpc_latency_ms.testnet", 40);
  raw_metric (session, 4, now + 1000, "block_lag", 1);
  WAIT_UNTIL (g_strcmp0 (arb_system_page_get_status (page, "laggy", "testnet", &warning),
                         "40.0 ms") == 0);
  g_assert_false (warning);
  WAIT_UNTIL (g_strcmp0 (arb_system_page_get_status (page, "laggy", NULL, &warning),
                         "Block lag: 1 block") == 0);
  g_assert_false (warning);
  g_assert_true (arb_system_page_get_status_chart (page, "laggy") == chart);
  g_assert_nonnull (gtk_widget_get_parent (GTK_WIDGET (chart)));

  /* a second venue rebuilds the bot's rows */
  raw_metric (session, 5, now + 2000, "rpc_latency_ms.alpha", 30);
  WAIT_UNTIL (arb_system_page_get_n_venue_rows (page, "laggy") == 2);
  g_assert_cmpstr (arb_system_page_get_status (page, "laggy", "alpha", NULL), ==, "30.0 ms");
  g_assert_cmpuint (arb_chart_get_n_series (arb_system_page_get_status_chart (page, "laggy")), ==,
                    2);

  arb_session_closed (g_steal_pointer (&session));
}

static void
test_network_status (Fixture *f, gconstpointer data)
{
  f->config->demo = FALSE;
  run_app (f, network_status_body);
}

/* ---------------------------------------------------------------- audit log and log filters */

static gboolean
subtitle_has (GtkWidget *row, const char *text)
{
  return strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), text) != NULL;
}

/* The label showing @text, anywhere below @widget. */
static GtkWidget *
find_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
audit_body (Fixture *f)
{
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  ArbEngine *engine = arb_application_get_engine (f->app);
  ArbBotLink *link;
  GtkWidget *row;

  arb_main_window_show_page (f->window, "bots");
  WAIT_UNTIL (arb_bots_page_has_bot (bots, "demo"));
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (engine), "demo");
  WAIT_UNTIL (arb_bot_link_get_n_connections (link) > 0);
  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 0);
  g_assert_null (arb_bots_page_get_audit_row (bots, 0));

  /* a command shows at once, pending, then with its outcome */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bots), "bots.command", "(ss)",
                                             "demo", "pause"));
  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 1);
  row = arb_bots_page_get_audit_row (bots, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Pause · demo");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "From this window · "));
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 0), ==, "Pending");
  WAIT_UNTIL (g_strcmp0 (arb_bots_page_get_audit_status (bots, 0), "Pending") != 0);
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 0), ==, "Done");
  g_assert_true (gtk_widget_has_css_class (find_label (row, "Done"), "success"));
  g_assert_true (subtitle_has (row, "\npaused"));
  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 1);

  /* one that is never sent: the reason shows */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (bots), "bots.command", "(ss)",
                                             "ghost", "resume"));
  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 2);
  row = arb_bots_page_get_audit_row (bots, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   "Resume · ghost");
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 0), ==, "Not Sent");
  g_assert_true (subtitle_has (row, "there is no bot ghost"));

  /* another sender's command (as REST sends them) shows who sent it */
  arb_ingest_send_command (arb_engine_get_ingest (engine), "demo", "resume", NULL, "operator",
                           "ci", NULL, NULL);
  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 3);
  row = arb_bots_page_get_audit_row (bots, 0);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "By ci (operator) · "));
  WAIT_UNTIL (g_strcmp0 (arb_bots_page_get_audit_status (bots, 0), "Done") == 0);
  /* the older rows stay as they were */
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 1), ==, "Not Sent");
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 2), ==, "Done");
  g_assert_cmpstr (arb_demo_bot_get_state (arb_engine_get_demo_bot (engine)), ==, "running");
}

static void
test_audit (Fixture *f, gconstpointer data)
{
  run_app (f, audit_body);
}

static void
post_done (guint status, JsonNode *answer, gpointer data)
{
  *(guint *) data = status;
}

/* POSTs @body to the ingest as a bot would, and waits for the answer. */
static guint
post_events (Fixture *f, const char *body)
{
  ArbIngest *ingest = arb_engine_get_ingest (arb_application_get_engine (f->app));
  guint status = 0;

  arb_ingest_post (ingest, body, strlen (body), post_done, &status);
  WAIT_UNTIL (status != 0);
  return status;
}

static void
rejected_body (Fixture *f)
{
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  GtkWidget *row;

  arb_main_window_show_page (f->window, "bots");
  g_assert_cmpuint (arb_bots_page_get_n_rejected (bots), ==, 0);
  g_assert_null (arb_bots_page_get_rejected_row (bots, 0));

  /* a body that is not JSON: no bot known; shown once it is in the log */
  g_assert_cmpuint (post_events (f, "{\"bot_id\":"), ==, 400);
  WAIT_UNTIL (arb_bots_page_get_n_rejected (bots) == 1);
  row = arb_bots_page_get_rejected_row (bots, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Unknown bot");
  g_assert_true (subtitle_has (row, "\n{\"bot_id\":"));
  g_assert_nonnull (find_label (row, "bad_request"));

  /* an event refused for a field, the newest first; what the bot wrote is
   * text, not markup, and bytes that are not UTF-8 show as U+FFFD */
  g_assert_cmpuint (post_events (f, "{\"bot_id\":\"web\",\"events\":[{\"type\":\"metric\","
                                    "\"seq\":1,\"ts\":1,\"name\":\"<b>x</b>\",\"value\":\"1\"}]}"),
                    ==, 200);
  WAIT_UNTIL (arb_bots_page_get_n_rejected (bots) == 2);
  row = arb_bots_page_get_rejected_row (bots, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "web · seq 1");
  g_assert_true (subtitle_has (row, "\nvalue: "));
  g_assert_true (subtitle_has (row, "<b>x</b>"));
  g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
  g_assert_cmpstr (adw_preferences_row_get_title (
                     ADW_PREFERENCES_ROW (arb_bots_page_get_rejected_row (bots, 1))), ==,
                   "Unknown bot");
}

static void
test_rejected (Fixture *f, gconstpointer data)
{
  run_app (f, rejected_body);
}

/* A log message of @bot, committed as a bot's messages are: the Log page
 * follows what the ingest commits. (Not the demo bot: its seqs are its own.) */
static void
publish_log (Fixture *f, const char *bot, const char *level, const char *component,
             const char *message)
{
  ArbIngest *ingest = arb_engine_get_ingest (arb_application_get_engine (f->app));
  ArbBotLink *link = arb_ingest_lookup_bot (ingest, bot);
  /* a bot's seqs follow on without a gap */
  gint64 seq = link != NULL ? arb_bot_link_get_accepted_seq (link) : 0;
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *body =
    g_strdup_printf ("{\"bot_id\":\"%s\",\"events\":[{\"type\":\"log\",\"seq\":%" G_GINT64_FORMAT
                     ",\"ts\":%" G_GINT64_FORMAT ",\"level\":\"%s\",\"message\":\"%s\","
                     "\"component\":\"%s\"}]}", bot, ++seq, now, level, message, component);

  g_assert_cmpuint (post_events (f, body), ==, 200);
}

static guint
find_string (GListModel *strings, const char *s)
{
  for (guint i = 0; i < g_list_model_get_n_items (strings); i++)
    {
      g_autoptr(GtkStringObject) o = g_list_model_get_item (strings, i);
      if (g_str_equal (gtk_string_object_get_string (o), s))
        return i;
    }
  return G_MAXUINT;
}

/* How many messages of @model pass the filters, counted here. */
static guint
count_passing (GListModel *model, ArbLogLevel min_level, const char *component, const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArbLogEntry) e = g_list_model_get_item (model, i);
      g_autofree char *message = g_utf8_casefold (arb_log_entry_get_message (e), -1);

      if (arb_log_entry_get_level (e) >= min_level &&
          (component == NULL || g_strcmp0 (arb_log_entry_get_component (e), component) == 0) &&
          strstr (message, folded) != NULL)
        n++;
    }
  return n;
}

/* The widget with the style class @name, anywhere below @widget. */
static GtkWidget *
find_styled (GtkWidget *widget, const char *name)
{
  if (gtk_widget_has_css_class (widget, name))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_styled (c, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
at_bottom (GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) >=
         gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 1;
}

/* Spins the main context for @ms. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  WAIT_UNTIL (g_get_monotonic_time () >= end);
}

static void
log_filters_body (Fixture *f)
{
  ArbLogPage *log = ARB_LOG_PAGE (arb_main_window_get_page (f->window, "log"));
  GListModel *all = arb_log_page_get_model (log);
  GListModel *shown = arb_log_page_get_filtered_model (log);
  GListModel *components = arb_log_page_get_components (log);
  GtkWidget *message, *level;
  GtkAdjustment *adj;
  guint n0;

  arb_main_window_show_page (f->window, "log");
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (log)));
  /* the demo bot logs now and then, so this counts what came before */
  n0 = g_list_model_get_n_items (all);
  g_assert_cmpstr (arb_log_page_get_shown (log), ==, n0 == 0 ? "empty" : "list");
  g_assert_cmpuint (find_string (components, "All Components"), ==, 0);

  publish_log (f, "alpha", "debug", "test-rpc", "refreshed the zebra pool");
  publish_log (f, "alpha", "info", "test-scanner", "scanned 400 pools");
  publish_log (f, "alpha", "warning", "test-rpc", "Zebra RPC slow: 900 ms");
  publish_log (f, "beta", "error", "test-executor", "nonce gap on the zebra chain");
  publish_log (f, "beta", "critical", "test-rpc", "all endpoints failing");
  WAIT_UNTIL (g_list_model_get_n_items (all) >= n0 + 5);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, g_list_model_get_n_items (all));
  g_assert_cmpstr (arb_log_page_get_shown (log), ==, "list");

  /* the row shows the level in words, and a warning in the warning colour */
  WAIT_UNTIL ((message = find_label (GTK_WIDGET (log), "Zebra RPC slow: 900 ms")) != NULL);
  level = gtk_widget_get_prev_sibling (gtk_widget_get_prev_sibling (message));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (level)), ==, "Warning");
  g_assert_true (gtk_widget_has_css_class (level, "warning"));

  /* the components seen, sorted after "All Components" */
  g_assert_cmpuint (find_string (components, "test-executor"), >, 0);
  g_assert_cmpuint (find_string (components, "test-executor"), <,
                    find_string (components, "test-rpc"));
  g_assert_cmpuint (find_string (components, "test-rpc"), <,
                    find_string (components, "test-scanner"));
  g_assert_cmpuint (find_string (components, "test-scanner"), <, G_MAXUINT);

  /* Warning and above: the warnings, errors and critical messages, nothing else */
  arb_log_page_set_min_level (log, ARB_LOG_WARNING);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==,
                    count_passing (all, ARB_LOG_WARNING, NULL, ""));
  g_assert_cmpuint (g_list_model_get_n_items (shown), >=, 3);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(ArbLogEntry) e = g_list_model_get_item (shown, i);
      g_assert_cmpint (arb_log_entry_get_level (e), >=, ARB_LOG_WARNING);
    }

  /* text: in any case, in the message or the bot; the level filter still holds */
  arb_log_page_set_search_text (log, "ZEBRA");
  WAIT_UNTIL (g_list_model_get_n_items (shown) == 2);
  g_assert_cmpuint (count_passing (shown, ARB_LOG_WARNING, NULL, "zebra"), ==, 2);
  arb_log_page_set_search_text (log, "beta");
  WAIT_UNTIL (g_list_model_get_n_items (shown) == 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(ArbLogEntry) e = g_list_model_get_item (shown, i);
      g_assert_cmpstr (arb_log_entry_get_bot_id (e), ==, "beta");
    }

  /* a component, all levels: its three messages */
  arb_log_page_set_search_text (log, "");
  arb_log_page_set_min_level (log, ARB_LOG_DEBUG);
  g_assert_true (arb_log_page_set_component (log, "test-rpc"));
  g_assert_false (arb_log_page_set_component (log, "no-such-component"));
  g_assert_true (arb_log_page_set_component (log, "test-rpc"));
  WAIT_UNTIL (g_list_model_get_n_items (shown) == 3);
  g_assert_cmpuint (count_passing (all, ARB_LOG_DEBUG, "test-rpc", ""), ==, 3);

  /* nothing matches: a state of its own, and its button clears every filter */
  arb_log_page_set_search_text (log, "no such words");
  WAIT_UNTIL (g_list_model_get_n_items (shown) == 0);
  g_assert_cmpstr (arb_log_page_get_shown (log), ==, "no-match");
  arb_log_page_set_min_level (log, ARB_LOG_ERROR);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log), "log.clear-filters", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, g_list_model_get_n_items (all));
  g_assert_cmpstr (arb_log_page_get_shown (log), ==, "list");

  /* the view follows the newest message until the operator scrolls up */
  adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (find_styled (GTK_WIDGET (log),
                                                                      "log-view")));
  n0 = g_list_model_get_n_items (all);
  for (guint i = 0; i < 100; i++)
    publish_log (f, "alpha", "info", "test-scanner", "scanned a pool");
  WAIT_UNTIL (g_list_model_get_n_items (all) >= n0 + 100);
  WAIT_UNTIL (gtk_adjustment_get_upper (adj) > 2 * gtk_adjustment_get_page_size (adj) &&
              at_bottom (adj));
  gtk_adjustment_set_value (adj, 0);
  n0 = g_list_model_get_n_items (all);
  publish_log (f, "alpha", "info", "test-scanner", "scanned one more pool");
  WAIT_UNTIL (g_list_model_get_n_items (all) > n0);
  spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, 0);
  /* back at the bottom, it follows again */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  publish_log (f, "alpha", "info", "test-scanner", "the last pool");
  WAIT_UNTIL ((message = find_label (GTK_WIDGET (log), "the last pool")) != NULL &&
              at_bottom (adj));
}

static void
test_log_filters (Fixture *f, gconstpointer data)
{
  run_app (f, log_filters_body);
}

static guint
index_of_message (GListModel *model, const char *message)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArbLogEntry) e = g_list_model_get_item (model, i);
      if (g_str_equal (arb_log_entry_get_message (e), message))
        return i;
    }
  return G_MAXUINT;
}

/* The logs and the commands of an earlier run show after a restart. */
static void
seed_history (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbStore) store = arb_store_open (f->config->db_path, &error);
  g_autoptr(ArbCommand) command = NULL;
  gint64 now = g_get_real_time () / 1000;
  ArbStoreBatch *b = arb_store_batch_new ("old");

  g_assert_no_error (error);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *json =
        g_strdup_printf ("{\"type\":\"log\",\"seq\":%u,\"ts\":%" G_GINT64_FORMAT ",\"level\":"
                         "\"error\",\"component\":\"vault\",\"message\":\"before the restart %u\"}",
                         i, now - 60000 + i, i);

      arb_store_batch_add_event (b, test_event_from_json (json), 10 + i);
    }
  arb_store_batch_set_last_seq (b, 0, 2);
  command = arb_command_new ("c-old", "old", "pause", "{}", "operator", "ci", now - 50000);
  arb_command_finish (command, ARB_COMMAND_FAILED, "not while settling", now - 49000);
  command->hub_seq = 13;
  arb_store_batch_put_command (b, command);
  /* as the engine reserves them (arb-engine.c): the next run's seqs come after these */
  arb_store_batch_set_meta (b, "hub_seq_reserved", 1000);
  arb_store_submit (store, b, NULL, NULL);
  arb_store_close (store);
}

static void
history_body (Fixture *f)
{
  ArbBotsPage *bots = ARB_BOTS_PAGE (arb_main_window_get_page (f->window, "bots"));
  ArbLogPage *log = ARB_LOG_PAGE (arb_main_window_get_page (f->window, "log"));
  GListModel *all = arb_log_page_get_model (log);
  g_autoptr(ArbLogEntry) first = NULL;
  g_autoptr(ArbLogEntry) second = NULL;
  GtkWidget *row;

  /* at once: the pages read the store when the window gets the engine */
  g_assert_cmpuint (g_list_model_get_n_items (all), >=, 2);
  first = g_list_model_get_item (all, 0);
  second = g_list_model_get_item (all, 1);
  g_assert_cmpstr (arb_log_entry_get_message (first), ==, "before the restart 1");
  g_assert_cmpstr (arb_log_entry_get_message (second), ==, "before the restart 2");
  g_assert_cmpstr (arb_log_entry_get_bot_id (first), ==, "old");
  g_assert_cmpstr (arb_log_entry_get_component (first), ==, "vault");
  g_assert_cmpint (arb_log_entry_get_level (first), ==, ARB_LOG_ERROR);
  g_assert_cmpuint (find_string (arb_log_page_get_components (log), "vault"), >, 0);

  g_assert_cmpuint (arb_bots_page_get_n_audit (bots), ==, 1);
  row = arb_bots_page_get_audit_row (bots, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Pause · old");
  g_assert_cmpstr (arb_bots_page_get_audit_status (bots, 0), ==, "Failed");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "By ci (operator) · "));
  g_assert_true (subtitle_has (row, "\nnot while settling"));

  /* live messages follow the stored ones */
  publish_log (f, "alpha", "info", "test", "after the restart");
  WAIT_UNTIL (index_of_message (all, "after the restart") != G_MAXUINT);
  g_assert_cmpuint (index_of_message (all, "after the restart"), >, 1);
}

static void
test_history (Fixture *f, gconstpointer data)
{
  seed_history (f);
  run_app (f, history_body);
}

/* ---------------------------------------------------------------- sorting the history */

/* A trade of bot-a at @ts with @profit: ties are many (profits repeat) */
static ArbEvent *
profit_event (gint64 seq, gint64 ts, double profit)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                     ",\"id\":\"t\",\"pair\":\"WETH/USDC\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"status\":\"filled\",\"profit\":%s%s}",
                     seq, ts, g_ascii_dtostr (number, sizeof number, profit),
                     seq % 3 == 0 ? "" : seq % 3 == 1 ? ",\"gas_cost\":0.5" : ",\"gas_cost\":2");

  return test_event_from_json (json);
}

static double
profit_of_seq (gint64 seq)
{
  return (double) ((seq * 37) % 23) - 11.5;
}

/* Stores bot-a's trades @first..@last, a second apart from @t0 + first. */
static void
store_profits (ArbStore *store, gint64 first, gint64 last, gint64 t0)
{
  ArbStoreBatch *batch = arb_store_batch_new ("bot-a");

  for (gint64 seq = first; seq <= last; seq++)
    arb_store_batch_add_event (batch, profit_event (seq, t0 + seq * 1000, profit_of_seq (seq)),
                               seq);
  arb_store_batch_set_last_seq (batch, first - 1, last);
  arb_store_submit (store, batch, NULL, NULL);
  arb_store_flush (store);
}

/* Checks that the list's items from @from on follow by (profit, ts), the
 * given way, and (with @seen) that none repeats. */
static void
assert_profit_order (GListModel *model, guint from, gboolean ascending, GHashTable *seen)
{
  for (guint i = from; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArbTradeItem) item = g_list_model_get_item (model, i);
      gint64 ts = arb_trade_item_get_ts (item);

      g_assert_true (g_hash_table_add (seen, g_memdup2 (&ts, sizeof ts)));
      if (i > 0)
        {
          g_autoptr(ArbTradeItem) prev = g_list_model_get_item (model, i - 1);
          double a = arb_trade_item_get_profit (prev), b = arb_trade_item_get_profit (item);
          /* ties in arrival order, here that of the times */
          gboolean before = a < b || (a == b && arb_trade_item_get_ts (prev) < ts);

          g_assert_true (before == ascending);
        }
    }
}

static void
test_trade_list_sort (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-trade-list-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "arbdash.db", NULL);
  g_autoptr(ArbStore) store = NULL;
  g_autoptr(ArbTradeList) list = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GListModel *model;
  const gint64 t0 = 1700000000000;

  g_assert_no_error (error);
  store = arb_store_open (path, &error);
  g_assert_no_error (error);
  store_profits (store, 1, 300, t0);
  list = arb_trade_list_new (store);
  model = G_LIST_MODEL (list);
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_TIME);
  g_assert_false (arb_trade_list_get_ascending (list));

  /* set before the first page: nothing to read again yet */
  arb_trade_list_set_sort (list, ARB_TRADE_SORT_PROFIT, TRUE);
  g_assert_false (arb_trade_list_is_loading (list));
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_PROFIT);
  g_assert_true (arb_trade_list_get_ascending (list));
  g_assert_true (arb_trade_list_load_more (list));
  g_assert_cmpuint (wait_loaded (list), ==, ARB_TRADE_LIST_PAGE_SIZE);
  {
    g_autoptr(ArbTradeItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpfloat (arb_trade_item_get_profit (item), ==, -11.5);
  }
  assert_profit_order (model, 0, TRUE, seen);

  /* trades that arrive meanwhile: the next pages go on from where the first stopped */
  store_profits (store, 301, 360, t0);
  g_assert_true (arb_trade_list_load_more (list));
  g_assert_cmpuint (wait_loaded (list), ==, 2 * ARB_TRADE_LIST_PAGE_SIZE);
  assert_profit_order (model, ARB_TRADE_LIST_PAGE_SIZE, TRUE, seen);
  while (arb_trade_list_load_more (list))
    wait_loaded (list);
  assert_profit_order (model, 2 * ARB_TRADE_LIST_PAGE_SIZE, TRUE, seen);
  /* the 300 all once, and the new ones that sort after the first page */
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 300);
  g_assert_cmpuint (g_list_model_get_n_items (model), <=, 360);
  for (gint64 seq = 1; seq <= 300; seq++)
    {
      gint64 ts = t0 + seq * 1000;
      g_assert_true (g_hash_table_contains (seen, &ts));
    }

  /* the same order again reads nothing; the other way reads from the top */
  arb_trade_list_set_sort (list, ARB_TRADE_SORT_PROFIT, TRUE);
  g_assert_false (arb_trade_list_is_loading (list));
  arb_trade_list_set_sort (list, ARB_TRADE_SORT_PROFIT, FALSE);
  g_assert_true (arb_trade_list_is_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_cmpuint (wait_loaded (list), ==, ARB_TRADE_LIST_PAGE_SIZE);
  g_hash_table_remove_all (seen);
  assert_profit_order (model, 0, FALSE, seen);
  {
    g_autoptr(ArbTradeItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpfloat (arb_trade_item_get_profit (item), ==, 10.5);
  }

  g_clear_object (&list);
  g_clear_object (&store);
  remove_dir (dir);
}

static GtkColumnViewColumn *
column_titled (GtkColumnView *view, const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_assert_not_reached ();
}

/* Sorting the history by its column headers, as a click does. */
static void
trading_sort_body (Fixture *f)
{
  ArbTradingPage *page = ARB_TRADING_PAGE (arb_main_window_get_page (f->window, "trading"));
  ArbEngine *engine = arb_application_get_engine (f->app);
  ArbTradeList *list = arb_trading_page_get_trade_list (page);
  GListModel *model = G_LIST_MODEL (list);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GtkColumnView *view;

  store_profits (arb_engine_get_store (engine), 1, 250, g_get_real_time () / 1000 - 3600000);
  arb_main_window_show_page (f->window, "trading");
  view = GTK_COLUMN_VIEW (find_child (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1 && !arb_trade_list_is_loading (list));
  /* newest first, as the Time header shows */
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_TIME);
  g_assert_false (arb_trade_list_get_ascending (list));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, ARB_TRADE_LIST_PAGE_SIZE);
  {
    g_autoptr(ArbTradeItem) first = g_list_model_get_item (model, 0);
    g_autoptr(ArbTradeItem) second = g_list_model_get_item (model, 1);
    g_assert_cmpint (arb_trade_item_get_ts (first), >, arb_trade_item_get_ts (second));
  }
  /* only what the store can sort by has a sorter */
  g_assert_null (gtk_column_view_column_get_sorter (column_titled (view, "Venues")));

  gtk_column_view_sort_by_column (view, column_titled (view, "Profit"), GTK_SORT_ASCENDING);
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_PROFIT);
  g_assert_true (arb_trade_list_get_ascending (list));
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1 && !arb_trade_list_is_loading (list));
  assert_profit_order (model, 0, TRUE, seen);
  g_assert_true (arb_trade_list_load_more (list));
  WAIT_UNTIL (!arb_trade_list_is_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2 * ARB_TRADE_LIST_PAGE_SIZE);
  assert_profit_order (model, ARB_TRADE_LIST_PAGE_SIZE, TRUE, seen);

  gtk_column_view_sort_by_column (view, column_titled (view, "Profit"), GTK_SORT_DESCENDING);
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_PROFIT);
  g_assert_false (arb_trade_list_get_ascending (list));
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1 && !arb_trade_list_is_loading (list));
  g_hash_table_remove_all (seen);
  assert_profit_order (model, 0, FALSE, seen);

  /* every sortable header stands for its order */
  {
    static const struct { const char *title; ArbTradeSort sort; } headers[] = {
      { "Time", ARB_TRADE_SORT_TIME },
      { "Bot", ARB_TRADE_SORT_BOT },
      { "Pair", ARB_TRADE_SORT_PAIR },
      { "Status", ARB_TRADE_SORT_STATUS },
      { "Gas Cost", ARB_TRADE_SORT_GAS_COST },
    };

    for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
      {
        gtk_column_view_sort_by_column (view, column_titled (view, headers[i].title),
                                        GTK_SORT_ASCENDING);
        g_assert_cmpint (arb_trade_list_get_sort (list), ==, headers[i].sort);
        g_assert_true (arb_trade_list_get_ascending (list));
      }
  }
  /* gas cost ascending: the trades without one first */
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1 && !arb_trade_list_is_loading (list));
  {
    g_autoptr(ArbTradeItem) first = g_list_model_get_item (model, 0);
    g_autoptr(ArbTradeItem) last = g_list_model_get_item (model, ARB_TRADE_LIST_PAGE_SIZE - 1);
    g_assert_true (isnan (arb_trade_item_get_gas_cost (first)));
    /* 83 of the 250 have none (seq % 3 == 0); then the cost of 0.5 */
    g_assert_cmpfloat (arb_trade_item_get_gas_cost (last), ==, 0.5);
  }
  /* no sort column: the store's default */
  gtk_column_view_sort_by_column (view, NULL, GTK_SORT_ASCENDING);
  g_assert_cmpint (arb_trade_list_get_sort (list), ==, ARB_TRADE_SORT_TIME);
  g_assert_false (arb_trade_list_get_ascending (list));
  WAIT_UNTIL (!arb_trade_list_is_loading (list));
}

static void
test_trading_sort (Fixture *f, gconstpointer data)
{
  /* only the trades of the test */
  f->config->demo = FALSE;
  run_app (f, trading_sort_body);
}

/* ---------------------------------------------------------------- access tokens */

typedef struct
{
  gboolean  done;
  guint     status;
  char     *cookie;   /* "arbdash_session=ID" when the answer set one */
} Answer;

static void
answer_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Answer *a = data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              NULL);
  const char *cookie = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                     "Set-Cookie");

  a->status = soup_message_get_status (msg);
  if (cookie != NULL)
    a->cookie = g_strndup (cookie, strcspn (cookie, ";"));
  a->done = TRUE;
}

/* Asks the app's own server, spinning the context that serves the answer. */
static guint
ask_server (Fixture *f, const char *method, const char *path, const char *token,
            const char *cookie, const char *body, char **set_cookie)
{
  g_autofree char *base = arb_server_dup_url (arb_application_get_server (f->app));
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  Answer a = { FALSE, 0, NULL };

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }
  if (cookie != NULL)
    soup_message_headers_replace (headers, "Cookie", cookie);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, answer_done, &a);
  WAIT_UNTIL (a.done);
  if (set_cookie != NULL)
    *set_cookie = a.cookie;
  else
    g_free (a.cookie);
  return a.status;
}

/* The button labelled @label below @widget (a dialog's response, say). */
static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Answers @dialog as a click does: the dialog closes, then says which. */
static void
click (AdwMessageDialog *dialog, const char *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
got_text (GObject *source, GAsyncResult *result, gpointer data)
{
  char **text = data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("(nothing)");
}

static ArbPreferencesWindow *
open_access_page (Fixture *f)
{
  ArbPreferencesWindow *prefs;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "preferences", NULL);
  prefs = ARB_PREFERENCES_WINDOW (find_toplevel (ARB_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "access");
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (prefs)));
  return prefs;
}

static const char *
row_subtitle (ArbPreferencesWindow *prefs, const char *name)
{
  GtkWidget *row = arb_preferences_window_get_token_row (prefs, name);

  g_assert_nonnull (row);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Adds "ci-operator" through the Add Token dialog; returns the secret the dialog showed. */
static char *
add_through_dialog (Fixture *f, ArbPreferencesWindow *prefs)
{
  ArbConfig *config = arb_engine_get_config (arb_application_get_engine (f->app));
  AdwMessageDialog *dialog;
  AdwMessageDialog *shown;
  GtkWidget *name_row;
  const ArbToken *token;
  char *copied = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.add", NULL));
  dialog = arb_preferences_window_get_dialog (prefs);
  g_assert_nonnull (dialog);
  name_row = find_child (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  /* no name, a bad one, one in use: Add stays off */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "bad name");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  g_assert_true (gtk_widget_has_css_class (name_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "alice");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "ci-operator");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
  g_assert_false (gtk_widget_has_css_class (name_row, "error"));
  /* Viewer, Operator, Bot */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_child (GTK_WIDGET (dialog),
                                                         ADW_TYPE_COMBO_ROW)), 1);
  click (dialog, "_Add");

  /* the server takes it at once, as an operator token */
  token = arb_config_find_token (config, "ci-operator");
  g_assert_nonnull (token);
  g_assert_cmpint (arb_config_check_token (config, token->secret, NULL), ==, ARB_ROLE_OPERATOR);
  g_assert_cmpstr (row_subtitle (prefs, "ci-operator"), ==, "Operator · Configuration file");
  g_assert_nonnull (find_child (arb_preferences_window_get_token_row (prefs, "ci-operator"),
                                GTK_TYPE_BUTTON));

  /* the secret, shown once, and copied */
  shown = arb_preferences_window_get_dialog (prefs);
  g_assert_nonnull (shown);
  g_assert_true (shown != dialog);
  g_assert_nonnull (find_label (GTK_WIDGET (shown), token->secret));
  click (shown, "_Copy");
  g_assert_nonnull (find_button (GTK_WIDGET (shown), "Copied"));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (prefs)), NULL, got_text,
                                 &copied);
  WAIT_UNTIL (copied != NULL);
  g_assert_cmpstr (copied, ==, token->secret);
  g_free (copied);
  click (shown, "_Done");
  g_assert_null (arb_preferences_window_get_dialog (prefs));
  return g_strdup (token->secret);
}

/* The entry row titled @title below @widget. */
static GtkWidget *
find_entry_row (GtkWidget *widget, const char *title)
{
  if (ADW_IS_ENTRY_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_entry_row (c, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Issue 9, revision 1.1: a bot token bound to its bot IDs through the Add
 * Token dialog; shown in its row, kept in the file, and the server holds it
 * to them. */
static void
add_bound_bot (Fixture *f, ArbPreferencesWindow *prefs)
{
  ArbConfig *config = arb_engine_get_config (arb_application_get_engine (f->app));
  const char *const expected[] = { "arb-eu-1", "arb-eu-2", NULL };
  AdwMessageDialog *dialog;
  GtkWidget *role_row, *ids_row;
  const ArbToken *token;
  g_autofree char *contents = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.add", NULL));
  dialog = arb_preferences_window_get_dialog (prefs);
  gtk_editable_set_text (GTK_EDITABLE (find_child (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW)),
                         "eu-bot");
  role_row = find_child (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW);
  ids_row = find_entry_row (GTK_WIDGET (dialog), "Bot IDs (any if empty)");
  g_assert_nonnull (ids_row);
  /* only for a bot token */
  g_assert_false (gtk_widget_get_visible (ids_row));
  adw_combo_row_set_selected (ADW_COMBO_ROW (role_row), 2);
  g_assert_true (gtk_widget_get_visible (ids_row));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (GTK_EDITABLE (ids_row), "arb-eu-1, bad id!");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  g_assert_true (gtk_widget_has_css_class (ids_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (ids_row), "arb-eu-1, arb-eu-2");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
  g_assert_false (gtk_widget_has_css_class (ids_row, "error"));
  click (dialog, "_Add");
  click (arb_preferences_window_get_dialog (prefs), "_Done");

  token = arb_config_find_token (config, "eu-bot");
  g_assert_nonnull (token);
  g_assert_cmpint (token->role, ==, ARB_ROLE_BOT);
  g_assert_cmpstrv (token->bot_ids, expected);
  g_assert_cmpstr (row_subtitle (prefs, "eu-bot"), ==,
                   "Bot · Configuration file · Bots arb-eu-1, arb-eu-2");
  g_assert_true (g_file_get_contents (config->config_path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "[bot-ids]"));
  g_assert_nonnull (strstr (contents, "eu-bot=arb-eu-1;arb-eu-2\n"));

  secret = g_strdup (token->secret);
  g_assert_cmpuint (ask_server (f, "POST", "api/v1/events", secret, NULL,
                                "{\"bot_id\":\"arb-us-1\",\"events\":[]}", NULL), ==, 403);
  g_assert_cmpuint (ask_server (f, "POST", "api/v1/events", secret, NULL,
                                "{\"bot_id\":\"arb-eu-2\",\"events\":[]}", NULL), ==, 200);

  /* removed with its binding */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.remove", "s", "eu-bot"));
  click (arb_preferences_window_get_dialog (prefs), "_Remove");
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (config->config_path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "eu-bot"));
}

static void
tokens_body (Fixture *f)
{
  ArbConfig *config = arb_engine_get_config (arb_application_get_engine (f->app));
  ArbPreferencesWindow *prefs = open_access_page (f);
  const char *path = config->config_path;
  AdwMessageDialog *dialog;
  g_autofree char *secret = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *line = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *session_body = NULL;
  GStatBuf st;

  /* the file's token and the environment's, which says where it comes from and stays */
  g_assert_cmpstr (row_subtitle (prefs, "alice"), ==, "Viewer · Configuration file");
  g_assert_cmpstr (row_subtitle (prefs, "viewer (environment)"), ==,
                   "Viewer · Environment variable ARBDASH_VIEWER_TOKEN");
  g_assert_null (find_child (arb_preferences_window_get_token_row (prefs, "viewer (environment)"),
                             GTK_TYPE_BUTTON));
  g_assert_null (arb_preferences_window_get_token_row (prefs, "ci-operator"));

  secret = add_through_dialog (f, prefs);

  /* saved: readable by the owner only, the rest of the file kept */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  line = g_strdup_printf ("ci-operator=operator:%s\n", secret);
  g_assert_nonnull (strstr (contents, line));
  g_assert_true (g_str_has_prefix (contents, "# the dashboard's tokens\n"));
  g_assert_nonnull (strstr (contents, "alice=viewer:alice-secret-0123456789\n"));

  /* the running server lets it in, by header and by a browser session */
  g_assert_cmpuint (ask_server (f, "GET", "api/v1/bots", secret, NULL, NULL, NULL), ==, 200);
  session_body = g_strdup_printf ("{\"token\":\"%s\"}", secret);
  g_assert_cmpuint (ask_server (f, "POST", "api/v1/session", NULL, NULL, session_body, &cookie),
                    ==, 200);
  g_assert_nonnull (cookie);
  g_assert_cmpuint (ask_server (f, "GET", "api/v1/bots", NULL, cookie, NULL, NULL), ==, 200);

  /* Remove Token asks first; then the row goes, and the server refuses it and its session */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.remove", "s",
                                             "ci-operator"));
  dialog = arb_preferences_window_get_dialog (prefs);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove Token “ci-operator”?");
  click (dialog, "_Remove");
  g_assert_null (arb_preferences_window_get_token_row (prefs, "ci-operator"));
  g_assert_cmpint (arb_config_check_token (config, secret, NULL), ==, ARB_ROLE_NONE);
  g_assert_cmpuint (ask_server (f, "GET", "api/v1/bots", secret, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ask_server (f, "GET", "api/v1/bots", NULL, cookie, NULL, NULL), ==, 401);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "ci-operator"));
  g_assert_nonnull (strstr (contents, "alice=viewer:alice-secret-0123456789\n"));
  g_assert_cmpuint (ask_server (f, "GET", "api/v1/bots", "alice-secret-0123456789", NULL, NULL,
                                NULL), ==, 200);

  add_bound_bot (f, prefs);

  /* the environment's token cannot go: the window says why */
  g_assert_null (arb_preferences_window_get_error (prefs));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.remove", "s",
                                             "viewer (environment)"));
  g_assert_null (arb_preferences_window_get_dialog (prefs));
  g_assert_nonnull (strstr (arb_preferences_window_get_error (prefs), "ARBDASH_VIEWER_TOKEN"));
  g_assert_cmpint (arb_config_check_token (config, "env-viewer-0123456789", NULL), ==,
                   ARB_ROLE_VIEWER);

  /* a file arbdash cannot read back is left alone, and the window says what to do */
  g_assert_true (g_file_set_contents (path, "not [an ini file\n", -1, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "tokens.add", NULL));
  dialog = arb_preferences_window_get_dialog (prefs);
  gtk_editable_set_text (GTK_EDITABLE (find_child (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW)),
                         "late");
  click (dialog, "_Add");
  g_assert_null (arb_preferences_window_get_token_row (prefs, "late"));
  g_assert_null (arb_config_find_token (config, "late"));
  g_assert_true (g_str_has_prefix (arb_preferences_window_get_error (prefs),
                                   "Cannot add the token: "));
  g_assert_true (g_str_has_suffix (arb_preferences_window_get_error (prefs),
                                   "Correct the file in a text editor, then try again."));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not [an ini file\n");
}

/* The Access page of the preferences: tokens added and removed while the server runs. */
static void
test_tokens (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "arbdash.conf", NULL);

  g_assert_true (g_file_set_contents_full (path, "# the dashboard's tokens\n"
                                           "[tokens]\n"
                                           "alice = viewer:alice-secret-0123456789\n", -1,
                                           G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_true (arb_config_load_file (f->config, path, &error));
  g_assert_no_error (error);
  g_setenv ("ARBDASH_VIEWER_TOKEN", "env-viewer-0123456789", TRUE);
  arb_config_load_env (f->config);
  g_unsetenv ("ARBDASH_VIEWER_TOKEN");
  run_app (f, tokens_body);
  g_unlink (path);
}

/* GLib writes TAP with g_print(): the app's own lines ("arbdash: ...", its
 * sign-in link) become TAP comments, the rest passes as it is. */
static void
print_as_test_message (const char *text)
{
  if (g_str_has_prefix (text, "arbdash: "))
    fputs ("# ", stdout);
  fputs (text, stdout);
  fflush (stdout);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* the app prints its sign-in link on stdout, which carries TAP here */
  g_set_print_handler (print_as_test_message);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/arb/window/app/live", test_live);
  ADD ("/arb/window/app/pause", test_pause);
  ADD ("/arb/window/app/pages", test_pages);
  ADD ("/arb/window/views/resources", test_resources);
  ADD ("/arb/window/app/settings-live", test_settings_live);
  ADD ("/arb/window/views/trading", test_trading);
  ADD ("/arb/window/app/port-in-use", test_port_in_use);
  ADD ("/arb/window/app/bad-db", test_bad_db);
  ADD ("/arb/window/views/system", test_system);
  ADD ("/arb/window/views/network-status", test_network_status);
  ADD ("/arb/window/views/audit", test_audit);
  ADD ("/arb/window/views/rejected", test_rejected);
  ADD ("/arb/window/views/log-filters", test_log_filters);
  ADD ("/arb/window/views/history", test_history);
  ADD ("/arb/window/views/trading-sort", test_trading_sort);
  ADD ("/arb/window/app/tokens", test_tokens);
#undef ADD
  g_test_add_func ("/arb/window/app/settings", test_settings);
  g_test_add_func ("/arb/window/views/trade-list", test_trade_list);
  g_test_add_func ("/arb/window/views/trade-list-sort", test_trade_list_sort);

  return g_test_run ();
}
