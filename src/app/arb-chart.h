/* arb-chart.h: a live time-series chart widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "arb-series.h"

G_BEGIN_DECLS

/* The most points a chart asks a series for: about one per two pixels of a wide chart. */
#define ARB_CHART_MAX_POINTS 600

#define ARB_TYPE_CHART (arb_chart_get_type ())

G_DECLARE_FINAL_TYPE (ArbChart, arb_chart, ARB, CHART, GtkWidget)

ArbChart   *arb_chart_new              (void);

void        arb_chart_set_title        (ArbChart       *self,
                                        const char     *title);
const char *arb_chart_get_title        (ArbChart       *self);
void        arb_chart_set_unit         (ArbChart       *self,
                                        const char     *unit);
const char *arb_chart_get_unit         (ArbChart       *self);
void        arb_chart_set_empty_text   (ArbChart       *self,
                                        const char     *text);
const char *arb_chart_get_empty_text   (ArbChart       *self);
void        arb_chart_set_sparkline    (ArbChart       *self,
                                        gboolean        sparkline);
gboolean    arb_chart_get_sparkline    (ArbChart       *self);

guint       arb_chart_add_series       (ArbChart       *self,
                                        const char     *label);
guint       arb_chart_get_n_series     (ArbChart       *self);
void        arb_chart_set_points       (ArbChart       *self,
                                        guint           series,
                                        const ArbPoint *points,
                                        guint           n_points);

void        arb_chart_show_series      (ArbChart       *self,
                                        guint           series,
                                        ArbSeries      *source,
                                        gint64          from_ms,
                                        gint64          to_ms);

void        arb_chart_set_time_range   (ArbChart       *self,
                                        gint64          from_ms,
                                        gint64          to_ms);
void        arb_chart_get_time_range   (ArbChart       *self,
                                        gint64         *from_ms,
                                        gint64         *to_ms);
void        arb_chart_set_value_range  (ArbChart       *self,
                                        double          min,
                                        double          max);

void        arb_chart_draw             (ArbChart       *self,
                                        cairo_t        *cr,
                                        int             width,
                                        int             height,
                                        gboolean        dark);

G_END_DECLS
