/* arb-alerts-page.c: the active alerts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * There are few active alerts (one per rule and subject), so the list is
 * rebuilt whenever one is raised or cleared.
 */
#define G_LOG_DOMAIN "arb-alerts-page"

#include "config.h"

#include <glib/gi18n.h>

#include "arb-alerts-page.h"
#include "arb-format.h"

struct _ArbAlertsPage
{
  AdwBin      parent_instance;

  GtkStack   *stack;
  GtkListBox *alert_list;

  ArbEngine  *engine;
  guint       n_alerts;
};

G_DEFINE_FINAL_TYPE (ArbAlertsPage, arb_alerts_page, ADW_TYPE_BIN)

static GtkWidget *
alert_row (const ArbAlert *alert)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (alert->severity == ARB_ALERT_CRITICAL
                                                  ? "dialog-error-symbolic"
                                                  : "dialog-warning-symbolic");
  g_autofree char *raised = arb_format_time (alert->raised_ms);
  g_autofree char *subtitle = NULL;
  g_autofree char *message = arb_format_alert_message (alert);

  gtk_widget_add_css_class (icon, alert->severity == ARB_ALERT_CRITICAL ? "error" : "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  /* Translators: "Critical · host · since 12:03:04"; the first %s is the severity */
  subtitle = g_strdup_printf (_("%s · %s · since %s"),
                              alert->severity == ARB_ALERT_CRITICAL ? _("Critical") : _("Warning"),
                              arb_format_alert_subject (alert), raised);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
rebuild (ArbAlertsPage *self)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (arb_engine_get_alerts (self->engine));
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->alert_list))) != NULL)
    gtk_list_box_remove (self->alert_list, child);
  /* newest first: the list comes oldest first */
  for (guint i = active->len; i > 0; i--)
    gtk_list_box_append (self->alert_list, alert_row (g_ptr_array_index (active, i - 1)));
  self->n_alerts = active->len;
  gtk_stack_set_visible_child_name (self->stack, active->len > 0 ? "list" : "empty");
}

static void
on_alerts_changed (ArbAlerts *alerts, gpointer alert, ArbAlertsPage *self)
{
  rebuild (self);
}

static void
arb_alerts_page_dispose (GObject *object)
{
  ArbAlertsPage *self = ARB_ALERTS_PAGE (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_alerts_page_parent_class)->dispose (object);
}

static void
arb_alerts_page_class_init (ArbAlertsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_alerts_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-alerts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbAlertsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArbAlertsPage, alert_list);
}

static void
arb_alerts_page_init (ArbAlertsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * arb_alerts_page_set_engine:
 * @engine: the engine whose alerts to show
 *
 * Shows @engine's alerts from now on; can be called once.
 */
void
arb_alerts_page_set_engine (ArbAlertsPage *self,
                            ArbEngine     *engine)
{
  g_return_if_fail (ARB_IS_ALERTS_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  g_signal_connect_object (arb_engine_get_alerts (engine), "changed",
                           G_CALLBACK (on_alerts_changed), self, 0);
  rebuild (self);
}

guint
arb_alerts_page_get_n_alerts (ArbAlertsPage *self)
{
  g_return_val_if_fail (ARB_IS_ALERTS_PAGE (self), 0);
  return self->n_alerts;
}
