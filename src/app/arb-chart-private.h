/* arb-chart-private.h: the chart's internals, for arb-chart*.c and the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-chart.h"

G_BEGIN_DECLS

#define ARB_CHART_MINUTE_MS G_GINT64_CONSTANT (60000)
#define ARB_CHART_HOUR_MS   G_GINT64_CONSTANT (3600000)
#define ARB_CHART_DAY_MS    G_GINT64_CONSTANT (86400000)

/* How a unit prints at one magnitude: "$" + number + "k", number + " GiB". */
typedef struct
{
  double      divisor;
  const char *prefix;
  char        suffix[48];
} ArbChartUnit;

/* One pixel column of a decimated series, for the rasteriser. */
typedef struct
{
  double   x;             /* device pixels from the plot's left edge */
  double   first, last;   /* averages of the first and last point */
  double   lo, hi;        /* lowest and highest average */
  double   min, max;      /* the band: lowest minimum, highest maximum */
  guint    n;             /* points merged into the column */
  gboolean gap_before;    /* no line from the previous column */
} ArbChartColumn;

typedef struct
{
  const ArbChartColumn *columns;
  guint                 n_columns;
  GdkRGBA               color;
  double                band_alpha;   /* 0: no band */
} ArbChartTrace;

/* arb-chart-raster.c */
void      _arb_chart_raster_draw      (cairo_t               *cr,
                                       const graphene_rect_t *plot,
                                       double                 vmin,
                                       double                 vmax,
                                       double                 scale,
                                       double                 line_width,
                                       const ArbChartTrace   *traces,
                                       guint                  n_traces);

/* arb-chart-scale.c: axes and labels, no widget needed */
void      _arb_chart_unit_for         (const char         *unit,
                                       double              magnitude,
                                       ArbChartUnit       *out);
gboolean  _arb_chart_unit_starts_at_zero (const char      *unit);
char     *_arb_chart_format_with      (const ArbChartUnit *unit,
                                       double              value,
                                       int                 decimals);
char     *_arb_chart_format_value     (double              value,
                                       const char         *unit);
int       _arb_chart_step_decimals    (double              step);
gboolean  _arb_chart_nice_ticks       (double              min,
                                       double              max,
                                       guint               max_ticks,
                                       double             *first,
                                       double             *step,
                                       guint              *n_ticks);
double    _arb_chart_nice_range       (double             *min,
                                       double             *max,
                                       guint               max_ticks);
gint64    _arb_chart_time_ticks       (gint64              from_ms,
                                       gint64              to_ms,
                                       guint               max_ticks,
                                       GArray             *out_ticks);
char     *_arb_chart_format_time      (gint64              ts_ms,
                                       gint64              step_ms);
char     *_arb_chart_format_instant   (gint64              ts_ms,
                                       gint64              span_ms);
char     *_arb_chart_format_span      (gint64              span_ms);

/* arb-chart.c */
void      _arb_chart_series_color     (guint               index,
                                       gboolean            dark,
                                       GdkRGBA            *color);
gboolean  _arb_chart_get_plot_area    (ArbChart           *self,
                                       graphene_rect_t    *plot);
const char *const *_arb_chart_get_value_labels (ArbChart  *self);
const char *const *_arb_chart_get_time_labels  (ArbChart  *self);
gboolean  _arb_chart_is_empty         (ArbChart           *self);
const char *_arb_chart_get_summary    (ArbChart           *self);
void      _arb_chart_hover_at         (ArbChart           *self,
                                       double              x,
                                       double              y);
void      _arb_chart_hover_end        (ArbChart           *self);
char     *_arb_chart_get_hover_text   (ArbChart           *self);
guint     _arb_chart_get_n_points     (ArbChart           *self,
                                       guint               series);
gboolean  _arb_chart_is_awake         (ArbChart           *self);
const char *_arb_chart_get_series_label (ArbChart         *self,
                                       guint               series);
void      _arb_chart_get_point        (ArbChart           *self,
                                       guint               series,
                                       guint               index,
                                       ArbPoint           *point);
gboolean  _arb_chart_get_redraw_pending (ArbChart         *self);

G_END_DECLS
