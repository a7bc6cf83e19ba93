/* arb-toplevel-watch.h: whether the window of a mapped widget is minimised
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ARB_TYPE_TOPLEVEL_WATCH (arb_toplevel_watch_get_type ())

G_DECLARE_FINAL_TYPE (ArbToplevelWatch, arb_toplevel_watch, ARB, TOPLEVEL_WATCH, GObject)

ArbToplevelWatch *arb_toplevel_watch_new           (void);
void              arb_toplevel_watch_attach        (ArbToplevelWatch *self,
                                                    GtkWidget        *widget);
void              arb_toplevel_watch_detach        (ArbToplevelWatch *self);
gboolean          arb_toplevel_watch_get_minimized (ArbToplevelWatch *self);

G_END_DECLS
