/* arb-range-switch.c: the linked buttons that choose a chart's time range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The range is a short name ("5m", "1h", "24h", "7d"), the form the
 * "chart-range" setting keeps, so the main window can bind the property to
 * GSettings and every page shows the range the operator chose last.
 */
#define G_LOG_DOMAIN "arb-range-switch"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arb-range-switch.h"

#define DEFAULT_RANGE "1h"

static const struct
{
  const char *range;
  gint64      span_ms;
  const char *label;
  const char *tooltip;
} ranges[] = {
  /* Translators: short for "5 minutes", on a button that sets a chart's range */
  { "5m", 5 * 60 * 1000, N_("5 min"), N_("Last 5 Minutes") },
  /* Translators: short for "1 hour" */
  { "1h", 3600 * 1000, N_("1 h"), N_("Last Hour") },
  /* Translators: short for "24 hours" */
  { "24h", 24 * 3600 * 1000, N_("24 h"), N_("Last 24 Hours") },
  /* Translators: short for "7 days" */
  { "7d", G_GINT64_CONSTANT (7) * 24 * 3600 * 1000, N_("7 d"), N_("Last 7 Days") },
};

struct _ArbRangeSwitch
{
  GtkWidget  parent_instance;

  GtkWidget *buttons[G_N_ELEMENTS (ranges)];
  guint      selected;
};

enum { PROP_0, PROP_RANGE, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ArbRangeSwitch, arb_range_switch, GTK_TYPE_WIDGET)

static int
find_range (const char *range)
{
  for (guint i = 0; range != NULL && i < G_N_ELEMENTS (ranges); i++)
    if (g_str_equal (ranges[i].range, range))
      return (int) i;
  return -1;
}

/**
 * arb_range_span_ms:
 * @range: a range's short name, such as "1h"
 *
 * Returns: the span of @range in milliseconds, or 0 for an unknown name
 */
gint64
arb_range_span_ms (const char *range)
{
  int i = find_range (range);

  return i < 0 ? 0 : ranges[i].span_ms;
}

static void
on_toggled (GtkToggleButton *button, ArbRangeSwitch *self)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    if (self->buttons[i] == GTK_WIDGET (button) && self->selected != i)
      {
        self->selected = i;
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RANGE]);
      }
}

static void
arb_range_switch_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArbRangeSwitch *self = ARB_RANGE_SWITCH (object);

  switch (prop_id)
    {
    case PROP_RANGE:
      g_value_set_string (value, arb_range_switch_get_range (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_range_switch_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  ArbRangeSwitch *self = ARB_RANGE_SWITCH (object);

  switch (prop_id)
    {
    case PROP_RANGE:
      arb_range_switch_set_range (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_range_switch_dispose (GObject *object)
{
  ArbRangeSwitch *self = ARB_RANGE_SWITCH (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  memset (self->buttons, 0, sizeof self->buttons);

  G_OBJECT_CLASS (arb_range_switch_parent_class)->dispose (object);
}

static void
arb_range_switch_class_init (ArbRangeSwitchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = arb_range_switch_get_property;
  object_class->set_property = arb_range_switch_set_property;
  object_class->dispose = arb_range_switch_dispose;

  /**
   * ArbRangeSwitch:range:
   *
   * The chosen range: "5m", "1h", "24h" or "7d". Other names are ignored.
   */
  properties[PROP_RANGE] =
    g_param_spec_string ("range", NULL, NULL, DEFAULT_RANGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "box");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
arb_range_switch_init (ArbRangeSwitch *self)
{
  self->selected = (guint) find_range (DEFAULT_RANGE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "linked");
  gtk_widget_set_halign (GTK_WIDGET (self), GTK_ALIGN_END);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Time Range"), -1);
  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (_(ranges[i].label));

      gtk_widget_set_tooltip_text (button, _(ranges[i].tooltip));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _(ranges[i].tooltip), -1);
      if (i > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button),
                                     GTK_TOGGLE_BUTTON (self->buttons[0]));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), i == self->selected);
      g_signal_connect (button, "toggled", G_CALLBACK (on_toggled), self);
      gtk_widget_set_parent (button, GTK_WIDGET (self));
      self->buttons[i] = button;
    }
}

/**
 * arb_range_switch_new:
 *
 * Returns: (transfer floating): a new switch showing the last hour
 */
GtkWidget *
arb_range_switch_new (void)
{
  return g_object_new (ARB_TYPE_RANGE_SWITCH, NULL);
}

/**
 * arb_range_switch_get_range:
 *
 * Returns: the chosen range's short name
 */
const char *
arb_range_switch_get_range (ArbRangeSwitch *self)
{
  g_return_val_if_fail (ARB_IS_RANGE_SWITCH (self), NULL);
  return ranges[self->selected].range;
}

/**
 * arb_range_switch_set_range:
 * @range: "5m", "1h", "24h" or "7d"
 *
 * Chooses @range; an unknown name changes nothing.
 */
void
arb_range_switch_set_range (ArbRangeSwitch *self,
                            const char     *range)
{
  int i;

  g_return_if_fail (ARB_IS_RANGE_SWITCH (self));

  i = find_range (range);
  if (i < 0)
    {
      g_warning ("unknown chart range “%s”", range != NULL ? range : "(null)");
      return;
    }
  /* the toggled handler notifies */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->buttons[i]), TRUE);
}

/**
 * arb_range_switch_get_span_ms:
 *
 * Returns: the chosen range's span in milliseconds
 */
gint64
arb_range_switch_get_span_ms (ArbRangeSwitch *self)
{
  g_return_val_if_fail (ARB_IS_RANGE_SWITCH (self), 0);
  return ranges[self->selected].span_ms;
}
