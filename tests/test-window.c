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
#include "arb-log-page.h"
#include "arb-main-window.h"
#include "arb-overview-page.h"
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

  /* settle the fast bot (see live_body) so that the export can be counted */
  arb_demo_bot_stop (f->fast);
  WAIT_UNTIL (arb_bot_link_get_stored_seq (link) == arb_bot_link_get_accepted_seq (link));

  /* the Refresh button reads the newest page again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "trading.reload", NULL));
  g_assert_cmpuint (arb_trade_list_get_n_pages (list), ==, 0);
  WAIT_UNTIL (arb_trade_list_get_n_pages (list) == 1);

  /* the filter, typed in the Bot entry: the fast bot's trades only */
  {
    /* the history: the filter bar, then the scrolled column view */
    GtkWidget *view = find_child (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW);
    GtkWidget *history = gtk_widget_get_parent (gtk_widget_get_parent (view));
    GtkWidget *bot_entry = gtk_widget_get_first_child (gtk_widget_get_first_child (history));

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
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  ArbLimits limits;
  ArbEvent *e;
  gint64 got_seq;

  arb_limits_init_default (&limits);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  e = arb_event_from_json (json_node_get_object (json_parser_get_root (parser)), &limits, &field,
                           &got_seq, &error);
  g_assert_no_error (error);
  return e;
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
  ADD ("/arb/window/trading", test_trading);
  ADD ("/arb/window/port-in-use", test_port_in_use);
  ADD ("/arb/window/bad-db", test_bad_db);
#undef ADD
  g_test_add_func ("/arb/window/settings", test_settings);
  g_test_add_func ("/arb/window/trade-list", test_trade_list);

  return g_test_run ();
}
