/* arb-preferences-window.c: the settings a user may change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row is bound to a key of the io.github.arbdash.Arbdash schema. The
 * sample interval and the alert thresholds apply at once; the listen address,
 * the port and the demo bot at the next start, and their rows say so.
 */
#define G_LOG_DOMAIN "arb-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "arb-preferences-window.h"

struct _ArbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  GtkEntry             *address_entry;
};

G_DEFINE_FINAL_TYPE (ArbPreferencesWindow, arb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static GtkWidget *
add_row (AdwPreferencesGroup *group, const char *title, const char *subtitle, GtkWidget *suffix)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), suffix);
  adw_preferences_group_add (group, row);
  return row;
}

static void
add_spin_row (ArbPreferencesWindow *self, AdwPreferencesGroup *group, const char *title,
              const char *subtitle, const char *key, double min, double max, double step,
              guint digits)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  add_row (group, title, subtitle, spin);
}

/* Only a valid IP address is stored: a half-typed one would stop the next start. */
static void
on_address_changed (GtkEditable *editable, ArbPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (editable);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);

  if (address == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  g_settings_set_string (self->settings, "listen-address", text);
}

static AdwPreferencesGroup *
add_group (AdwPreferencesPage *page, const char *title, const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));
  return ADW_PREFERENCES_GROUP (group);
}

static AdwPreferencesPage *
add_page (ArbPreferencesWindow *self, const char *title, const char *icon)
{
  GtkWidget *page = adw_preferences_page_new ();

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), title);
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), icon);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
  return ADW_PREFERENCES_PAGE (page);
}

static void
build_general (ArbPreferencesWindow *self)
{
  AdwPreferencesPage *page = add_page (self, _("General"), "emblem-system-symbolic");
  AdwPreferencesGroup *group;
  GtkWidget *demo = gtk_switch_new ();
  g_autofree char *address = g_settings_get_string (self->settings, "listen-address");

  group = add_group (page, _("Server"),
                     _("Bots and browsers connect to the dashboard at this address."));
  self->address_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), address);
  gtk_editable_set_width_chars (GTK_EDITABLE (self->address_entry), 15);
  g_signal_connect_object (self->address_entry, "changed", G_CALLBACK (on_address_changed),
                           self, 0);
  add_row (group, _("Listen Address"),
           _("127.0.0.1 accepts connections from this computer only, 0.0.0.0 from the "
             "network. Applies after a restart."),
           GTK_WIDGET (self->address_entry));
  add_spin_row (self, group, _("Port"), _("Applies after a restart."), "port", 1, 65535, 1, 0);

  group = add_group (page, _("Data"), NULL);
  add_spin_row (self, group, _("Sample Interval"),
                _("Milliseconds between two readings of CPU, memory, network and disks."),
                "sample-interval-ms", 100, 60000, 100, 0);
  g_settings_bind (self->settings, "demo-bot", demo, "active", G_SETTINGS_BIND_DEFAULT);
  add_row (group, _("Demo Bot"),
           _("A simulated bot, so the dashboard shows data before a real bot connects. It "
             "trades nothing. Applies after a restart."),
           demo);
}

static void
build_alerts (ArbPreferencesWindow *self)
{
  AdwPreferencesPage *page = add_page (self, _("Alerts"), "dialog-warning-symbolic");
  AdwPreferencesGroup *group;

  group = add_group (page, _("This Computer"), _("Changes apply at once."));
  add_spin_row (self, group, _("CPU Usage"), _("Percent of all cores."),
                "cpu-alert-percent", 1, 100, 1, 0);
  add_spin_row (self, group, _("CPU Usage Duration"),
                _("Seconds the CPU usage must stay above its threshold."),
                "cpu-alert-seconds", 1, 86400, 1, 0);
  add_spin_row (self, group, _("Memory Usage"), _("Percent of the memory in use."),
                "memory-alert-percent", 1, 100, 1, 0);
  add_spin_row (self, group, _("Disk Usage"), _("Percent of the database’s disk in use."),
                "disk-alert-percent", 1, 100, 1, 0);

  group = add_group (page, _("Bots"), _("Changes apply at once."));
  add_spin_row (self, group, _("Losing Streak"),
                _("Trades in a row that lost money or failed."),
                "losing-streak", 1, 10000, 1, 0);
  add_spin_row (self, group, _("Gas Price Spike"), _("Gas price in gwei."),
                "gas-spike-gwei", 0, 1000000, 1, 0);
}

static void
arb_preferences_window_dispose (GObject *object)
{
  ArbPreferencesWindow *self = ARB_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (arb_preferences_window_parent_class)->dispose (object);
}

static void
arb_preferences_window_class_init (ArbPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arb_preferences_window_dispose;
}

static void
arb_preferences_window_init (ArbPreferencesWindow *self)
{
}

/**
 * arb_preferences_window_new:
 * @settings: the io.github.arbdash.Arbdash settings
 *
 * Returns: (transfer none): a new preferences window
 */
ArbPreferencesWindow *
arb_preferences_window_new (GSettings *settings)
{
  ArbPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARB_TYPE_PREFERENCES_WINDOW,
                       "modal", TRUE,
                       "search-enabled", FALSE,
                       NULL);
  self->settings = g_object_ref (settings);
  build_general (self);
  build_alerts (self);
  return self;
}
