/* arb-toplevel-watch.c: whether the window of a mapped widget is minimised
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8 leaves the widgets of a minimised window mapped, so a widget that
 * must not work for nobody watches its toplevel surface's state itself:
 * attach when mapped, detach when unmapped, and follow "notify::minimized".
 */
#define G_LOG_DOMAIN "arb-toplevel-watch"

#include "config.h"

#include "arb-toplevel-watch.h"

struct _ArbToplevelWatch
{
  GObject     parent_instance;

  GdkSurface *toplevel;
  gulong      state_handler;
  gboolean    minimized;
};

enum { PROP_0, PROP_MINIMIZED, N_PROPS };

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ArbToplevelWatch, arb_toplevel_watch, G_TYPE_OBJECT)

static void
set_minimized (ArbToplevelWatch *self, gboolean minimized)
{
  if (minimized == self->minimized)
    return;
  self->minimized = minimized;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MINIMIZED]);
}

static void
on_state (ArbToplevelWatch *self)
{
  set_minimized (self, (gdk_toplevel_get_state (GDK_TOPLEVEL (self->toplevel))
                        & GDK_TOPLEVEL_STATE_MINIMIZED) != 0);
}

static void
arb_toplevel_watch_dispose (GObject *object)
{
  arb_toplevel_watch_detach (ARB_TOPLEVEL_WATCH (object));

  G_OBJECT_CLASS (arb_toplevel_watch_parent_class)->dispose (object);
}

static void
arb_toplevel_watch_get_property (GObject *object, guint prop_id, GValue *value,
                                 GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_MINIMIZED:
      g_value_set_boolean (value, ARB_TOPLEVEL_WATCH (object)->minimized);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_toplevel_watch_class_init (ArbToplevelWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arb_toplevel_watch_dispose;
  object_class->get_property = arb_toplevel_watch_get_property;

  /**
   * ArbToplevelWatch:minimized:
   *
   * Whether the attached widget's window is minimised; %FALSE while detached.
   */
  properties[PROP_MINIMIZED] =
    g_param_spec_boolean ("minimized", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arb_toplevel_watch_init (ArbToplevelWatch *self)
{
}

/**
 * arb_toplevel_watch_new:
 *
 * Returns: (transfer full): a watch, detached
 */
ArbToplevelWatch *
arb_toplevel_watch_new (void)
{
  return g_object_new (ARB_TYPE_TOPLEVEL_WATCH, NULL);
}

/**
 * arb_toplevel_watch_attach:
 * @widget: a mapped widget
 *
 * Follows the state of @widget's window (also for a widget in a popover,
 * whose own surface is not a toplevel: then it stays "not minimised").
 */
void
arb_toplevel_watch_attach (ArbToplevelWatch *self,
                           GtkWidget        *widget)
{
  GtkRoot *root;
  GdkSurface *surface = NULL;

  g_return_if_fail (ARB_IS_TOPLEVEL_WATCH (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  arb_toplevel_watch_detach (self);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_NATIVE (root))
    surface = gtk_native_get_surface (GTK_NATIVE (root));
  if (!GDK_IS_TOPLEVEL (surface))
    return;
  self->toplevel = g_object_ref (surface);
  self->state_handler = g_signal_connect_object (surface, "notify::state", G_CALLBACK (on_state),
                                                 self, G_CONNECT_SWAPPED);
  on_state (self);
}

/**
 * arb_toplevel_watch_detach:
 *
 * Stops following the window, as its widget is unmapped.
 */
void
arb_toplevel_watch_detach (ArbToplevelWatch *self)
{
  g_return_if_fail (ARB_IS_TOPLEVEL_WATCH (self));

  if (self->toplevel != NULL)
    g_clear_signal_handler (&self->state_handler, self->toplevel);
  g_clear_object (&self->toplevel);
  set_minimized (self, FALSE);
}

/**
 * arb_toplevel_watch_get_minimized:
 *
 * Returns: whether the attached widget's window is minimised
 */
gboolean
arb_toplevel_watch_get_minimized (ArbToplevelWatch *self)
{
  g_return_val_if_fail (ARB_IS_TOPLEVEL_WATCH (self), FALSE);
  return self->minimized;
}
