/* arb-main-window.c: the dashboard window: a header bar, the pages, the server's address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-main-window"

#include "config.h"

#include <glib/gi18n.h>

#include "arb-alerts-page.h"
#include "arb-bots-page.h"
#include "arb-log-page.h"
#include "arb-overview-page.h"
#include "arb-resources-page.h"
#include "arb-system-page.h"
#include "arb-trading-page.h"
#include "arb-main-window.h"

struct _ArbMainWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkWidget            *switcher_bar;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwViewStack         *view_stack;
  ArbOverviewPage      *overview_page;
  ArbSystemPage        *system_page;
  ArbTradingPage       *trading_page;
  ArbResourcesPage     *resources_page;
  ArbBotsPage          *bots_page;
  ArbAlertsPage        *alerts_page;
  ArbLogPage           *log_page;
  GtkWidget            *status_line;
  GtkLabel             *url_label;
  GtkWidget            *demo_label;

  char                 *url;
  ArbServer            *server;
  GSettings            *settings;   /* the window's size is saved there */
  ArbUriOpener          open_uri;
  GWeakRef              last_toast;
};

G_DEFINE_FINAL_TYPE (ArbMainWindow, arb_main_window, ADW_TYPE_APPLICATION_WINDOW)

static void
copy_url_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbMainWindow *self = ARB_MAIN_WINDOW (widget);

  if (self->url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->url);
  arb_main_window_add_toast (self, adw_toast_new (_("Address copied")));
}

static void
show_page_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  arb_main_window_show_page (ARB_MAIN_WINDOW (widget), g_variant_get_string (param, NULL));
}

/* win.toast((sb)): a page's message and whether it is urgent. The pages
 * post through the action, so that none of them needs this window's type. */
static void
toast_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  const char *text = NULL;
  gboolean urgent = FALSE;
  AdwToast *toast;

  g_variant_get (param, "(&sb)", &text, &urgent);
  toast = adw_toast_new (text);
  if (urgent)
    adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  arb_main_window_add_toast (ARB_MAIN_WINDOW (widget), toast);
}

static void
launched (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(ArbMainWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      /* Translators: %s says why, e.g. "No application is registered as handling this file" */
      g_autofree char *title = g_strdup_printf (_("Cannot open a browser: %s"), error->message);
      arb_main_window_add_toast (self, adw_toast_new (title));
    }
}

static void
open_with_default_browser (ArbMainWindow *self, const char *uri)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (display);

  /* GtkUriLauncher is GTK 4.10: GIO with GDK's launch context does the same here */
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, launched,
                                           g_object_ref (self));
}

/* A fresh one-time sign-in link each time: a link signs in only once. */
static void
open_in_browser_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbMainWindow *self = ARB_MAIN_WINDOW (widget);
  g_autofree char *link = NULL;

  if (self->server == NULL)
    return;
  link = arb_server_new_login_link (self->server);
  self->open_uri (self, link);
}

/**
 * arb_main_window_show_error:
 * @title: the headline of what failed at start-up
 * @description: what failed and what to do about it
 *
 * Shows, instead of the dashboard, why the service did not start.
 */
void
arb_main_window_show_error (ArbMainWindow *self,
                            const char    *title,
                            const char    *description)
{
  g_return_if_fail (ARB_IS_MAIN_WINDOW (self));

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
  gtk_widget_set_visible (self->status_line, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-url", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-in-browser", FALSE);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  gtk_widget_set_visible (self->switcher_bar, FALSE);
}

static void
show_dashboard (ArbMainWindow *self, ArbEngine *engine, ArbServer *server)
{
  g_autofree char *line = NULL;

  self->url = arb_server_dup_url (server);
  /* the service owns the server: the window must not keep it (and its engine) alive */
  g_set_weak_pointer (&self->server, server);
  /* Translators: %s is a web address such as http://127.0.0.1:8080/ */
  line = g_strdup_printf (_("Serving %s"), self->url);
  gtk_label_set_label (self->url_label, line);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->url_label),
                               _("Bots and browsers connect to this address"));
  gtk_widget_set_visible (self->demo_label, arb_engine_get_demo_bot (engine) != NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "dashboard");
  arb_overview_page_set_engine (self->overview_page, engine, self->url);
  arb_system_page_set_engine (self->system_page, engine);
  arb_trading_page_set_engine (self->trading_page, engine);
  arb_resources_page_set_engine (self->resources_page, engine);
  arb_bots_page_set_engine (self->bots_page, engine);
  arb_alerts_page_set_engine (self->alerts_page, engine);
  arb_log_page_set_engine (self->log_page, engine);
}

static void
bind_window_state (ArbMainWindow *self, GSettings *settings)
{
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  /* one setting for every page's switch: the pages show the same span */
  g_settings_bind (settings, "chart-range", arb_system_page_get_range_switch (self->system_page),
                   "range", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "chart-range", arb_resources_page_get_range_switch (self->resources_page),
                   "range", G_SETTINGS_BIND_DEFAULT);
}

static gboolean
arb_main_window_close_request (GtkWindow *window)
{
  GSettings *settings = ARB_MAIN_WINDOW (window)->settings;
  int width, height;

  if (settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }
  return GTK_WINDOW_CLASS (arb_main_window_parent_class)->close_request (window);
}

static void
arb_main_window_dispose (GObject *object)
{
  ArbMainWindow *self = ARB_MAIN_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arb_main_window_parent_class)->dispose (object);
}

static void
arb_main_window_finalize (GObject *object)
{
  ArbMainWindow *self = ARB_MAIN_WINDOW (object);

  g_clear_pointer (&self->url, g_free);
  g_clear_weak_pointer (&self->server);
  g_weak_ref_clear (&self->last_toast);

  G_OBJECT_CLASS (arb_main_window_parent_class)->finalize (object);
}

static void
arb_main_window_class_init (ArbMainWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = arb_main_window_dispose;
  object_class->finalize = arb_main_window_finalize;
  window_class->close_request = arb_main_window_close_request;

  g_type_ensure (ARB_TYPE_OVERVIEW_PAGE);
  g_type_ensure (ARB_TYPE_SYSTEM_PAGE);
  g_type_ensure (ARB_TYPE_TRADING_PAGE);
  g_type_ensure (ARB_TYPE_RESOURCES_PAGE);
  g_type_ensure (ARB_TYPE_BOTS_PAGE);
  g_type_ensure (ARB_TYPE_ALERTS_PAGE);
  g_type_ensure (ARB_TYPE_LOG_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-main-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, system_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, trading_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, resources_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, bots_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, alerts_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, log_page);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, status_line);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, url_label);
  gtk_widget_class_bind_template_child (widget_class, ArbMainWindow, demo_label);

  gtk_widget_class_install_action (widget_class, "win.copy-url", NULL, copy_url_activated);
  gtk_widget_class_install_action (widget_class, "win.open-in-browser", NULL,
                                   open_in_browser_activated);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_activated);
  gtk_widget_class_install_action (widget_class, "win.toast", "(sb)", toast_activated);
}

static void
arb_main_window_init (ArbMainWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_weak_ref_init (&self->last_toast, NULL);
  self->open_uri = open_with_default_browser;
#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * arb_main_window_new:
 * @application: the application, started up
 * @settings: (nullable): where the window's size and the charts' range are kept
 * @service: (nullable): the running service, or %NULL when it could not start
 *   (then arb_main_window_show_error() says why)
 *
 * Shows the dashboard of the service's engine.
 *
 * Returns: (transfer none): a new window, owned by its application
 */
ArbMainWindow *
arb_main_window_new (GtkApplication *application,
                     GSettings      *settings,
                     ArbService     *service)
{
  ArbMainWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (service == NULL || ARB_IS_SERVICE (service), NULL);

  self = g_object_new (ARB_TYPE_MAIN_WINDOW, "application", application, NULL);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    bind_window_state (self, settings);
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1200, 800);
  if (service != NULL)
    show_dashboard (self, arb_service_get_engine (service), arb_service_get_server (service));
  return self;
}

void
arb_main_window_show_page (ArbMainWindow  *self,
                      const char *name)
{
  g_return_if_fail (ARB_IS_MAIN_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/**
 * arb_main_window_get_visible_page:
 *
 * Returns: (nullable): the name of the page shown, such as "overview"
 */
const char *
arb_main_window_get_visible_page (ArbMainWindow *self)
{
  g_return_val_if_fail (ARB_IS_MAIN_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->view_stack);
}

/**
 * arb_main_window_get_page:
 * @name: a page's name, such as "bots"
 *
 * Returns: (transfer none) (nullable): the page's widget
 */
GtkWidget *
arb_main_window_get_page (ArbMainWindow  *self,
                     const char *name)
{
  g_return_val_if_fail (ARB_IS_MAIN_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->view_stack, name);
}

gboolean
arb_main_window_is_showing_error (ArbMainWindow *self)
{
  g_return_val_if_fail (ARB_IS_MAIN_WINDOW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "error") == 0;
}

/**
 * arb_main_window_add_toast:
 * @toast: (transfer full): the toast
 */
void
arb_main_window_add_toast (ArbMainWindow *self,
                      AdwToast  *toast)
{
  g_return_if_fail (ARB_IS_MAIN_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  g_weak_ref_set (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * arb_main_window_get_last_toast:
 *
 * Returns: (transfer full) (nullable): the toast added last, while it exists
 */
AdwToast *
arb_main_window_get_last_toast (ArbMainWindow *self)
{
  g_return_val_if_fail (ARB_IS_MAIN_WINDOW (self), NULL);
  return g_weak_ref_get (&self->last_toast);
}

/**
 * arb_main_window_get_url:
 *
 * Returns: (nullable): the address the embedded server serves
 */
/**
 * arb_main_window_set_uri_opener:
 * @self: a window
 * @opener: what "Open in Browser" does with a sign-in link (tests keep it)
 */
void
arb_main_window_set_uri_opener (ArbMainWindow *self,
                                ArbUriOpener   opener)
{
  g_return_if_fail (ARB_IS_MAIN_WINDOW (self));

  self->open_uri = opener != NULL ? opener : open_with_default_browser;
}

const char *
arb_main_window_get_url (ArbMainWindow *self)
{
  g_return_val_if_fail (ARB_IS_MAIN_WINDOW (self), NULL);
  return self->url;
}
