/* arb-chart.c: a live time-series chart widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The chart keeps a copy of each series' points, which the pages replace
 * from the series (arb_chart_show_series()) as new values arrive. Drawing
 * goes through three caches, each dropped only by what changes it:
 *
 *  - the scan: which points fall in the time range, and their extent
 *    (dropped by new points or a new time range);
 *  - the columns: the points decimated to one column per pixel, keeping the
 *    first, last, lowest and highest average and the band's min and max, so
 *    3,600 points draw as about as many segments as the plot is wide
 *    (dropped by the scan or a new plot width);
 *  - the render node of the whole chart (dropped by any change that shows).
 *
 * The hover crosshair is drawn over the cached node, so moving the mouse
 * redraws only the overlay, and only when the point under it changes.
 *
 * Nothing is drawn or scanned while the widget is unmapped or its window is
 * minimised: changes only mark the caches stale and the redraw (and the
 * accessible summary) waits until the chart shows again.
 */
#define G_LOG_DOMAIN "arb-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arb-chart.h"
#include "arb-chart-private.h"
#include "arb-toplevel-watch.h"

#define MIN_CAPACITY     256
/* A jump of more than this many times the local spacing is a missing point. */
#define GAP_FACTOR       1.5
#define PAD              8.0
#define SPARK_PAD        2.0
#define LABEL_GAP        6.0
#define LINE_WIDTH       2.0
#define SPARK_LINE_WIDTH 1.5
#define SWATCH           10.0
#define HOVER_SNAP_PX    12.0
#define MAX_VALUE_TICKS  8
#define NO_HOVER         G_MININT64

typedef struct
{
  char     *label;
  ArbPoint *points;       /* oldest first */
  guint     capacity;     /* allocated; kept when a smaller set replaces a larger one */
  guint     n;

  /* the scan, for the current time range */
  guint     scan_start;   /* first point to draw: one before the range, for the line */
  guint     scan_end;     /* one after the range */
  guint     n_visible;    /* valid points inside the range */
  double    lo, hi;       /* their extent, band included */
  double    min, max;     /* the lowest minimum and highest maximum, for the summary */
  int       latest;       /* index of the newest valid point inside, or -1 */

  GArray   *columns;      /* ArbChartColumn */
  gboolean  has_band;
} Series;

typedef struct
{
  GdkRGBA  fg;
  gboolean dark;
} Colors;

typedef struct
{
  PangoLayout *small;     /* axis labels, legend, hover */
  PangoLayout *large;     /* title, empty text */
  int          small_height;
  int          large_height;
} Text;

/* Where the last drawing put things: the hover and the tests read it. */
typedef struct
{
  gboolean        valid;
  gboolean        empty;
  double          width, height;
  graphene_rect_t plot;
  gint64          from, to;
  double          vmin, vmax;
  GPtrArray      *value_labels;
  GPtrArray      *time_labels;
} Layout;

struct _ArbChart
{
  GtkWidget      parent_instance;

  char          *title;
  char          *unit;
  char          *empty_text;     /* NULL: the default */
  gboolean       sparkline;
  GPtrArray     *series;         /* Series */
  gint64         from_ms, to_ms; /* to <= from: the extent of the data */
  double         fixed_min, fixed_max;

  gboolean       scan_valid;
  gint64         scan_from, scan_to;
  gboolean       columns_valid;
  double         columns_width;

  Layout         layout;
  GskRenderNode *node;
  int            node_width, node_height, node_scale;

  gboolean       hovering;
  double         hover_x, hover_y;
  gint64         hover_ts;

  char          *summary;
  gboolean       summary_dirty;
  gboolean       redraw_pending;
  ArbToplevelWatch *window_watch;   /* no drawing while the window is minimised */
};

G_DEFINE_FINAL_TYPE (ArbChart, arb_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_UNIT,
  PROP_EMPTY_TEXT,
  PROP_SPARKLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GNOME palette: the darker shade on a light background, the lighter one
 * on a dark background, so every line keeps its contrast. */
static const struct
{
  guint32 light;
  guint32 dark;
} palette[] = {
  { 0x1c71d8, 0x62a0ea },  /* blue */
  { 0xe66100, 0xffa348 },  /* orange */
  { 0x26a269, 0x57e389 },  /* green */
  { 0x813d9c, 0xc061cb },  /* purple */
  { 0xc01c28, 0xf66151 },  /* red */
  { 0x986a44, 0xcdab8f },  /* brown */
  { 0x2190a4, 0x5bc8af },  /* teal */
};

/**
 * _arb_chart_series_color:
 * @index: the series' index
 * @dark: whether the background is dark
 * @color: (out caller-allocates): its colour
 */
void
_arb_chart_series_color (guint index, gboolean dark, GdkRGBA *color)
{
  guint32 rgb = dark ? palette[index % G_N_ELEMENTS (palette)].dark
                     : palette[index % G_N_ELEMENTS (palette)].light;

  color->red = ((rgb >> 16) & 0xff) / 255.0f;
  color->green = ((rgb >> 8) & 0xff) / 255.0f;
  color->blue = (rgb & 0xff) / 255.0f;
  color->alpha = 1;
}

/* g_set_str() is GLib 2.76. */
static gboolean
set_str (char **str, const char *value)
{
  if (g_strcmp0 (*str, value) == 0)
    return FALSE;
  g_free (*str);
  *str = g_strdup (value);
  return TRUE;
}

static void
set_source (cairo_t *cr, const GdkRGBA *color, double alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* ---------------------------------------------------------------- series */

static Series *
series_new (const char *label)
{
  Series *s = g_new0 (Series, 1);

  s->label = g_strdup (label);
  s->columns = g_array_sized_new (FALSE, FALSE, sizeof (ArbChartColumn), 512);
  s->latest = -1;
  return s;
}

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->label);
  g_free (s->points);
  g_array_unref (s->columns);
  g_free (s);
}

static inline ArbPoint *
series_at (const Series *s, guint i)
{
  return &s->points[i];
}

static inline gboolean
point_valid (const ArbPoint *p)
{
  return p->count > 0 && isfinite (p->avg);
}

static inline double
point_min (const ArbPoint *p)
{
  return isfinite (p->min) ? MIN (p->min, p->avg) : p->avg;
}

static inline double
point_max (const ArbPoint *p)
{
  return isfinite (p->max) ? MAX (p->max, p->avg) : p->avg;
}

/* The first point at or after @ts. */
static guint
series_lower_bound (const Series *s, gint64 ts)
{
  guint lo = 0, hi = s->n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (series_at (s, mid)->ts < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static int
compare_points (gconstpointer a, gconstpointer b, gpointer user_data)
{
  gint64 ta = ((const ArbPoint *) a)->ts, tb = ((const ArbPoint *) b)->ts;

  return ta < tb ? -1 : ta > tb;
}

static void
series_set_points (Series *s, const ArbPoint *points, guint n_points)
{
  gboolean sorted = TRUE;

  /* a series shown live grows by a point a sample: doubling keeps that to
   * a few allocations, not one per sample */
  if (n_points > s->capacity)
    {
      g_free (s->points);
      s->capacity = MAX (n_points, MAX (2 * s->capacity, MIN_CAPACITY));
      s->points = g_new (ArbPoint, s->capacity);
    }
  if (n_points > 0)
    memcpy (s->points, points, n_points * sizeof (ArbPoint));
  s->n = n_points;
  for (guint i = 1; i < n_points && sorted; i++)
    sorted = s->points[i - 1].ts <= s->points[i].ts;
  if (!sorted)
    g_qsort_with_data (s->points, n_points, sizeof (ArbPoint), compare_points, NULL);
}

/* Whether the jump from point @j to the next valid point @i skips points:
 * longer than GAP_FACTOR times the spacing on either side of it. */
static gboolean
series_is_gap (const Series *s, guint j, guint i)
{
  gint64 delta = series_at (s, i)->ts - series_at (s, j)->ts;
  gint64 before = j > 0 ? series_at (s, j)->ts - series_at (s, j - 1)->ts : 0;
  gint64 after = i + 1 < s->n ? series_at (s, i + 1)->ts - series_at (s, i)->ts : 0;
  gint64 spacing = MAX (before, after);

  return spacing > 0 && (double) delta > GAP_FACTOR * (double) spacing;
}

static void
series_scan (Series *s, gint64 from, gint64 to)
{
  guint first = series_lower_bound (s, from);
  guint end = to < G_MAXINT64 ? series_lower_bound (s, to + 1) : s->n;

  s->scan_start = first > 0 ? first - 1 : 0;
  s->scan_end = end < s->n ? end + 1 : s->n;
  s->n_visible = 0;
  s->lo = s->min = INFINITY;
  s->hi = s->max = -INFINITY;
  s->latest = -1;

  for (guint i = first; i < end; i++)
    {
      const ArbPoint *p = series_at (s, i);

      if (!point_valid (p))
        continue;
      s->n_visible++;
      s->lo = MIN (s->lo, point_min (p));
      s->hi = MAX (s->hi, point_max (p));
      s->latest = (int) i;
    }
  s->min = s->lo;
  s->max = s->hi;
}

/* One column per pixel; @width is the plot's width. */
static void
series_decimate (Series *s, gint64 from, gint64 to, double width)
{
  double kx = width / (double) (to - from);
  ArbChartColumn *c = NULL;
  gint64 column = 0;
  gboolean gap = TRUE;
  int prev = -1;

  g_array_set_size (s->columns, 0);
  s->has_band = FALSE;

  for (guint i = s->scan_start; i < s->scan_end; i++)
    {
      const ArbPoint *p = series_at (s, i);
      double x, lo, hi;
      gint64 col;

      if (!point_valid (p))
        {
          gap = TRUE;
          continue;
        }
      if (prev >= 0 && series_is_gap (s, (guint) prev, i))
        gap = TRUE;

      x = (double) (p->ts - from) * kx;
      col = (gint64) floor (x);
      lo = point_min (p);
      hi = point_max (p);
      s->has_band |= hi > lo;

      if (!gap && c != NULL && col == column)
        {
          c->n++;
          c->x = (double) col + 0.5;
          c->last = p->avg;
          c->lo = MIN (c->lo, p->avg);
          c->hi = MAX (c->hi, p->avg);
          c->min = MIN (c->min, lo);
          c->max = MAX (c->max, hi);
        }
      else
        {
          ArbChartColumn fresh = { x, p->avg, p->avg, p->avg, p->avg, lo, hi, 1, gap };

          g_array_append_val (s->columns, fresh);
          c = &g_array_index (s->columns, ArbChartColumn, s->columns->len - 1);
          column = col;
        }
      gap = FALSE;
      prev = (int) i;
    }
}

/* The valid point inside @from..@to nearest to @ts, or -1. */
static int
series_nearest (const Series *s, gint64 ts, gint64 from, gint64 to)
{
  guint i = series_lower_bound (s, ts);
  int left = -1, right = -1;

  for (guint k = i; k > 0; k--)
    {
      const ArbPoint *p = series_at (s, k - 1);

      if (p->ts < from)
        break;
      if (point_valid (p) && p->ts <= to)
        {
          left = (int) k - 1;
          break;
        }
    }
  for (guint k = i; k < s->n; k++)
    {
      const ArbPoint *p = series_at (s, k);

      if (p->ts > to)
        break;
      if (point_valid (p) && p->ts >= from)
        {
          right = (int) k;
          break;
        }
    }
  if (left < 0 || right < 0)
    return MAX (left, right);
  return ts - series_at (s, (guint) left)->ts <= series_at (s, (guint) right)->ts - ts ? left
                                                                                        : right;
}

static Series *
get_series (ArbChart *self, guint index)
{
  return g_ptr_array_index (self->series, index);
}

/* ---------------------------------------------------------------- caches */

/* The time range drawn: the one set, or the extent of the data. */
static gboolean
resolve_time_range (ArbChart *self, gint64 *from, gint64 *to)
{
  gint64 lo = G_MAXINT64, hi = G_MININT64;

  if (self->to_ms > self->from_ms)
    {
      *from = self->from_ms;
      *to = self->to_ms;
      return TRUE;
    }
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = get_series (self, i);

      for (guint k = 0; k < s->n; k++)
        if (point_valid (series_at (s, k)))
          {
            lo = MIN (lo, series_at (s, k)->ts);
            break;
          }
      for (guint k = s->n; k > 0; k--)
        if (point_valid (series_at (s, k - 1)))
          {
            hi = MAX (hi, series_at (s, k - 1)->ts);
            break;
          }
    }
  if (lo > hi)
    return FALSE;
  if (lo == hi)
    {
      lo -= 30000;
      hi += 30000;
    }
  *from = lo;
  *to = hi;
  return TRUE;
}

static guint
update_scan (ArbChart *self, gint64 from, gint64 to)
{
  guint n_visible = 0;

  if (!self->scan_valid || self->scan_from != from || self->scan_to != to)
    {
      for (guint i = 0; i < self->series->len; i++)
        series_scan (get_series (self, i), from, to);
      self->scan_valid = TRUE;
      self->scan_from = from;
      self->scan_to = to;
      self->columns_valid = FALSE;
    }
  for (guint i = 0; i < self->series->len; i++)
    n_visible += get_series (self, i)->n_visible;
  return n_visible;
}

static void
update_columns (ArbChart *self, double width)
{
  g_assert (self->scan_valid);

  if (self->columns_valid && self->columns_width == width)
    return;
  for (guint i = 0; i < self->series->len; i++)
    series_decimate (get_series (self, i), self->scan_from, self->scan_to, width);
  self->columns_valid = TRUE;
  self->columns_width = width;
}

static void
layout_reset (Layout *layout)
{
  layout->valid = FALSE;
  layout->empty = TRUE;
  g_clear_pointer (&layout->value_labels, g_ptr_array_unref);
  g_clear_pointer (&layout->time_labels, g_ptr_array_unref);
  layout->value_labels = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  layout->time_labels = g_ptr_array_new_null_terminated (16, g_free, TRUE);
}

/* ---------------------------------------------------------------- redraws */

static gboolean
is_awake (ArbChart *self)
{
  return gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         !arb_toplevel_watch_get_minimized (self->window_watch);
}

static void refresh_summary (ArbChart *self);

/* Does what waited while the chart was hidden. */
static void
wake (ArbChart *self)
{
  if (!is_awake (self))
    return;
  if (self->summary_dirty)
    refresh_summary (self);
  if (self->redraw_pending)
    {
      self->redraw_pending = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

typedef enum
{
  CHANGE_VIEW = 0,          /* only how it looks */
  CHANGE_DATA = 1 << 0,     /* the points or the time range */
  CHANGE_SUMMARY = 1 << 1,  /* what the summary says */
} Change;

static void
changed (ArbChart *self, Change what)
{
  if (what & CHANGE_DATA)
    {
      self->scan_valid = FALSE;
      self->columns_valid = FALSE;
      what |= CHANGE_SUMMARY;
    }
  if (what & CHANGE_SUMMARY)
    self->summary_dirty = TRUE;
  g_clear_pointer (&self->node, gsk_render_node_unref);
  self->redraw_pending = TRUE;
  wake (self);
}

/* ---------------------------------------------------------------- summary */

static const char *
effective_empty_text (ArbChart *self)
{
  return self->empty_text != NULL ? self->empty_text : _("No data yet");
}

static const char *
series_name (ArbChart *self, Series *s)
{
  if (s->label != NULL && s->label[0] != '\0')
    return s->label;
  if (self->title != NULL && self->title[0] != '\0')
    return self->title;
  return C_("chart", "Values");
}

static char *
compute_summary (ArbChart *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *span = NULL;
  gint64 from, to;

  if (!resolve_time_range (self, &from, &to) || update_scan (self, from, to) == 0)
    return g_strdup (effective_empty_text (self));

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = get_series (self, i);

      if (text->len > 0)
        g_string_append (text, "; ");
      if (s->n_visible == 0)
        {
          /* Translators: a series of a chart that has no values, "Swap: no data" */
          g_string_append_printf (text, _("%s: no data"), series_name (self, s));
        }
      else
        {
          g_autofree char *latest = _arb_chart_format_value (series_at (s, (guint) s->latest)->avg,
                                                             self->unit);
          g_autofree char *min = _arb_chart_format_value (s->min, self->unit);
          g_autofree char *max = _arb_chart_format_value (s->max, self->unit);

          /* Translators: a chart's series for screen readers,
           * "CPU: latest 23 %, min 4 %, max 97 %" */
          g_string_append_printf (text, _("%s: latest %s, min %s, max %s"),
                                  series_name (self, s), latest, min, max);
        }
    }
  span = _arb_chart_format_span (to - from);
  /* Translators: the values of a chart, then the time they span:
   * "CPU: latest 23 %, …" "over the last hour" */
  return g_strdup_printf (C_("chart summary", "%s %s"), text->str, span);
}

static void
refresh_summary (ArbChart *self)
{
  g_autofree char *summary = compute_summary (self);

  self->summary_dirty = FALSE;
  if (g_strcmp0 (summary, self->summary) == 0)
    return;
  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary,
                                  -1);
}

/* ---------------------------------------------------------------- drawing */

static void
text_init (ArbChart *self, Text *text)
{
  PangoFontDescription *desc;
  PangoAttrList *attrs = pango_attr_list_new ();
  int size;

  text->large = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  text->small = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);

  desc = pango_font_description_copy (pango_context_get_font_description (
      pango_layout_get_context (text->small)));
  pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (text->large, desc);

  size = pango_font_description_get_size (desc);
  if (size <= 0)
    size = 10 * PANGO_SCALE;
  if (pango_font_description_get_size_is_absolute (desc))
    pango_font_description_set_absolute_size (desc, size * 0.85);
  else
    pango_font_description_set_size (desc, (int) (size * 0.85));
  pango_font_description_set_weight (desc, PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (text->small, desc);
  pango_font_description_free (desc);
  /* Digits of one width, so that labels do not jitter as values change. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (text->small, attrs);
  pango_attr_list_unref (attrs);

  pango_layout_set_text (text->small, "0", -1);
  pango_layout_get_pixel_size (text->small, NULL, &text->small_height);
  pango_layout_set_text (text->large, "0", -1);
  pango_layout_get_pixel_size (text->large, NULL, &text->large_height);
}

static void
text_clear (Text *text)
{
  g_clear_object (&text->small);
  g_clear_object (&text->large);
}

static int
text_width (PangoLayout *layout, const char *str)
{
  int width;

  pango_layout_set_text (layout, str, -1);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Shows @layout's current text with its top left corner at @x, @y. */
static void
show_at (cairo_t *cr, PangoLayout *layout, double x, double y)
{
  cairo_move_to (cr, round (x), round (y));
  pango_cairo_show_layout (cr, layout);
}

static gboolean
wants_legend (ArbChart *self)
{
  Series *first;

  if (self->sparkline || self->series->len == 0)
    return FALSE;
  if (self->series->len > 1)
    return TRUE;
  first = get_series (self, 0);
  return first->label != NULL && first->label[0] != '\0'
         && g_strcmp0 (first->label, self->title) != 0;
}

static void
draw_legend (ArbChart *self, cairo_t *cr, Text *text, const Colors *colors, double left,
             double right, double y)
{
  double x = right;

  /* Right-aligned, the first series leftmost: lay out from the last one back,
   * and leave out the ones that do not fit beside the title. */
  for (guint i = self->series->len; i > 0; i--)
    {
      Series *s = get_series (self, i - 1);
      const char *name = series_name (self, s);
      double w = text_width (text->small, name);
      GdkRGBA color;

      if (x - w - SWATCH - 4 < left)
        break;
      x -= w;
      set_source (cr, &colors->fg, 0.8);
      show_at (cr, text->small, x, y);
      x -= 4 + SWATCH;
      _arb_chart_series_color (i - 1, colors->dark, &color);
      set_source (cr, &color, 1);
      cairo_rectangle (cr, round (x), round (y + (text->small_height - SWATCH) / 2),
                       SWATCH, SWATCH);
      cairo_fill (cr);
      x -= 12;
    }
}

/* The title, the legend, and in a sparkline the latest value; returns the
 * height they take. */
static double
draw_header (ArbChart *self, cairo_t *cr, Text *text, const Colors *colors, double width,
             gboolean has_data)
{
  double pad = self->sparkline ? SPARK_PAD : PAD;
  double title_right = pad;
  gboolean has_title = self->title != NULL && self->title[0] != '\0';
  gboolean legend = wants_legend (self);

  if (!has_title && !legend)
    return 0;

  if (self->sparkline)
    {
      Series *first = self->series->len > 0 ? get_series (self, 0) : NULL;

      if (has_title)
        {
          pango_layout_set_text (text->small, self->title, -1);
          set_source (cr, &colors->fg, 0.7);
          show_at (cr, text->small, pad + 2, pad);
        }
      if (has_data && first->n_visible > 0)
        {
          g_autofree char *latest = _arb_chart_format_value (
              series_at (first, (guint) first->latest)->avg, self->unit);
          double w = text_width (text->large, latest);

          set_source (cr, &colors->fg, 1);
          show_at (cr, text->large, width - pad - 2 - w, pad);
        }
      return MAX (text->small_height, text->large_height) + 2;
    }

  if (has_title)
    {
      title_right += text_width (text->large, self->title);
      set_source (cr, &colors->fg, 1);
      show_at (cr, text->large, pad, pad);
    }
  if (legend)
    draw_legend (self, cr, text, colors, title_right + 16, width - pad,
                 pad + (text->large_height - text->small_height) / 2.0);
  return text->large_height + LABEL_GAP;
}

static void
draw_empty (ArbChart *self, cairo_t *cr, Text *text, const Colors *colors,
            const graphene_rect_t *area)
{
  const char *message = effective_empty_text (self);
  PangoLayout *layout = self->sparkline ? text->small : text->large;
  int w, h;

  if (message[0] == '\0' || area->size.width < 8 || area->size.height < 4)
    return;
  if (layout == text->large)
    pango_layout_set_font_description (layout, NULL);  /* the widget's own font */
  pango_layout_set_text (layout, message, -1);
  pango_layout_set_width (layout, (int) (area->size.width * PANGO_SCALE));
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &w, &h);
  set_source (cr, &colors->fg, 0.55);
  show_at (cr, layout, area->origin.x, area->origin.y + (area->size.height - h) / 2);
}

static inline double
value_to_y (const Layout *layout, double v)
{
  return layout->plot.origin.y
         + layout->plot.size.height * (layout->vmax - v) / (layout->vmax - layout->vmin);
}

static inline double
time_to_x (const Layout *layout, gint64 ts)
{
  return layout->plot.origin.x
         + layout->plot.size.width * (double) (ts - layout->from)
           / (double) (layout->to - layout->from);
}

/* The value axis: the range, its ticks, and their labels. */
static void
compute_value_axis (ArbChart *self, guint max_ticks, double *first, double *step,
                    guint *n_ticks, ArbChartUnit *unit)
{
  Layout *layout = &self->layout;
  gboolean auto_min = !isfinite (self->fixed_min), auto_max = !isfinite (self->fixed_max);
  double lo = INFINITY, hi = -INFINITY;
  int decimals;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = get_series (self, i);

      if (s->n_visible == 0)
        continue;
      lo = MIN (lo, s->lo);
      hi = MAX (hi, s->hi);
    }
  if (!auto_min)
    lo = self->fixed_min;
  if (!auto_max)
    hi = self->fixed_max;
  if (!isfinite (lo))
    lo = hi;
  if (!isfinite (hi))
    hi = lo;
  if (_arb_chart_unit_starts_at_zero (self->unit))
    {
      if (auto_min && lo > 0)
        lo = 0;
      if (auto_max && hi < 0)
        hi = 0;
    }

  _arb_chart_unit_for (self->unit, MAX (fabs (lo), fabs (hi)), unit);
  lo /= unit->divisor;
  hi /= unit->divisor;
  if (auto_min || auto_max || !(hi > lo))
    {
      double a = lo, b = hi;

      _arb_chart_nice_range (&a, &b, max_ticks);
      if (auto_min)
        lo = a;
      if (auto_max)
        hi = b;
      if (!(hi > lo))
        {
          lo = a;
          hi = b;
        }
    }
  if (!_arb_chart_nice_ticks (lo, hi, max_ticks, first, step, n_ticks))
    *n_ticks = 0;

  layout->vmin = lo * unit->divisor;
  layout->vmax = hi * unit->divisor;
  decimals = _arb_chart_step_decimals (*step);
  for (guint i = 0; i < *n_ticks; i++)
    g_ptr_array_add (layout->value_labels,
                     _arb_chart_format_with (unit, (*first + i * *step) * unit->divisor, decimals));
}

static void
draw_grid (ArbChart *self, cairo_t *cr, const Colors *colors, double first, double step,
           guint n_ticks, double divisor, GArray *time_ticks)
{
  const Layout *layout = &self->layout;
  const graphene_rect_t *plot = &layout->plot;
  double left = plot->origin.x, right = plot->origin.x + plot->size.width;
  double top = plot->origin.y, bottom = plot->origin.y + plot->size.height;

  cairo_set_line_width (cr, 1);
  set_source (cr, &colors->fg, colors->dark ? 0.12 : 0.1);
  for (guint i = 0; i < n_ticks; i++)
    {
      double y = floor (value_to_y (layout, (first + i * step) * divisor)) + 0.5;

      cairo_move_to (cr, left, y);
      cairo_line_to (cr, right, y);
    }
  for (guint i = 0; i < time_ticks->len; i++)
    {
      double x = floor (time_to_x (layout, g_array_index (time_ticks, gint64, i))) + 0.5;

      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, bottom);
    }
  cairo_stroke (cr);

  /* The base line, and the zero line when values go below zero. */
  set_source (cr, &colors->fg, 0.3);
  cairo_move_to (cr, left, floor (bottom) + 0.5);
  cairo_line_to (cr, right, floor (bottom) + 0.5);
  if (layout->vmin < 0 && layout->vmax > 0)
    {
      double y = floor (value_to_y (layout, 0)) + 0.5;

      cairo_move_to (cr, left, y);
      cairo_line_to (cr, right, y);
    }
  cairo_stroke (cr);
}

static void
draw_plot (ArbChart *self, cairo_t *cr, const Colors *colors, double scale)
{
  g_autofree ArbChartTrace *traces = g_new0 (ArbChartTrace, self->series->len + 1);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = get_series (self, i);

      traces[i].columns = (const ArbChartColumn *) (gpointer) s->columns->data;
      traces[i].n_columns = s->columns->len;
      traces[i].band_alpha = s->has_band ? (colors->dark ? 0.3 : 0.22) : 0;
      _arb_chart_series_color (i, colors->dark, &traces[i].color);
    }
  _arb_chart_raster_draw (cr, &self->layout.plot, self->layout.vmin, self->layout.vmax, scale,
                          self->sparkline ? SPARK_LINE_WIDTH : LINE_WIDTH,
                          traces, self->series->len);
}

static void
draw_axes_labels (ArbChart *self, cairo_t *cr, Text *text, const Colors *colors,
                  double first, double step, double divisor, GArray *time_ticks,
                  gint64 time_step)
{
  Layout *layout = &self->layout;
  const graphene_rect_t *plot = &layout->plot;
  double bottom = plot->origin.y + plot->size.height;

  set_source (cr, &colors->fg, 0.7);
  for (guint i = 0; i < layout->value_labels->len; i++)
    {
      const char *label = g_ptr_array_index (layout->value_labels, i);
      double w = text_width (text->small, label);
      double y = value_to_y (layout, (first + i * step) * divisor);

      show_at (cr, text->small, plot->origin.x - LABEL_GAP - w, y - text->small_height / 2.0);
    }
  for (guint i = 0; i < time_ticks->len; i++)
    {
      gint64 ts = g_array_index (time_ticks, gint64, i);
      g_autofree char *label = _arb_chart_format_time (ts, time_step);
      double w = text_width (text->small, label);
      double x = time_to_x (layout, ts) - w / 2;

      /* Clear of the value labels on the left and of the edge on the right. */
      if (x < plot->origin.x - LABEL_GAP || x + w > layout->width - 1)
        continue;
      show_at (cr, text->small, x, bottom + LABEL_GAP / 2);
      g_ptr_array_add (layout->time_labels, g_steal_pointer (&label));
    }
}

static void
draw_base (ArbChart *self, cairo_t *cr, double width, double height, double scale,
           const Colors *colors)
{
  Layout *layout = &self->layout;
  double pad = self->sparkline ? SPARK_PAD : PAD;
  double header, bottom_h, sample_w, first = 0, step = 1;
  guint n_visible = 0, n_ticks = 0, max_ticks;
  gint64 from = 0, to = 0, time_step = 0;
  g_autoptr(GArray) time_ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  graphene_rect_t *plot = &layout->plot;
  ArbChartUnit unit;
  Text text;

  layout_reset (layout);
  layout->width = width;
  layout->height = height;
  text_init (self, &text);

  if (resolve_time_range (self, &from, &to))
    n_visible = update_scan (self, from, to);
  layout->from = from;
  layout->to = to;

  header = draw_header (self, cr, &text, colors, width, n_visible > 0);
  if (!self->sparkline && header == 0)
    header = text.small_height / 2.0;  /* room for the top value label */
  bottom_h = self->sparkline ? 0 : text.small_height + LABEL_GAP;
  graphene_rect_init (plot, pad, round (pad + header), MAX (width - 2 * pad, 1),
                      MAX (round (height - pad - header - bottom_h - pad), 1));
  layout->valid = TRUE;

  if (n_visible == 0)
    {
      draw_empty (self, cr, &text, colors, plot);
      text_clear (&text);
      return;
    }
  layout->empty = FALSE;

  max_ticks = self->sparkline ? 2 : CLAMP ((guint) (plot->size.height / (text.small_height * 2.2)),
                                           2, MAX_VALUE_TICKS);
  compute_value_axis (self, max_ticks, &first, &step, &n_ticks, &unit);

  if (!self->sparkline)
    {
      double axis_w = 0;

      for (guint i = 0; i < layout->value_labels->len; i++)
        axis_w = MAX (axis_w, text_width (text.small, g_ptr_array_index (layout->value_labels, i)));
      sample_w = text_width (text.small, "00:00:00");
      plot->origin.x = round (pad + axis_w + LABEL_GAP);
      plot->size.width = MAX (round (width - plot->origin.x - MAX (pad, sample_w / 2)), 1);
      time_step = _arb_chart_time_ticks (from, to,
                                         MAX ((guint) (plot->size.width / (sample_w + 24)), 2),
                                         time_ticks);
      draw_grid (self, cr, colors, first, step, n_ticks, unit.divisor, time_ticks);
    }

  /* One column per device pixel */
  update_columns (self, plot->size.width * scale);
  draw_plot (self, cr, colors, scale);

  if (!self->sparkline)
    draw_axes_labels (self, cr, &text, colors, first, step, unit.divisor, time_ticks, time_step);
  text_clear (&text);
}

/* ---------------------------------------------------------------- hover */

/* The time of the point under the mouse, and each series' point there. */
static gint64
find_hover (ArbChart *self, const ArbPoint **points)
{
  const Layout *layout = &self->layout;
  const graphene_rect_t *plot = &layout->plot;
  double kx, x = self->hover_x, y = self->hover_y;
  gint64 t, best = NO_HOVER;

  if (!self->hovering || !layout->valid || layout->empty || layout->to <= layout->from
      || x < plot->origin.x - HOVER_SNAP_PX || x > plot->origin.x + plot->size.width + HOVER_SNAP_PX
      || y < plot->origin.y || y > plot->origin.y + plot->size.height)
    return NO_HOVER;

  kx = plot->size.width / (double) (layout->to - layout->from);
  t = layout->from + (gint64) ((x - plot->origin.x) / kx);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *s = get_series (self, i);
      int k = series_nearest (s, t, layout->from, layout->to);

      gint64 ts = k >= 0 ? series_at (s, (guint) k)->ts : 0;

      if (k >= 0 && (best == NO_HOVER || llabs (ts - t) < llabs (best - t)))
        best = ts;
    }
  if (best == NO_HOVER || fabs ((double) (best - t) * kx) > HOVER_SNAP_PX)
    return NO_HOVER;

  for (guint i = 0; i < self->series->len && points != NULL; i++)
    {
      Series *s = get_series (self, i);
      int k = series_nearest (s, best, layout->from, layout->to);

      points[i] = NULL;
      if (k >= 0 && fabs ((double) (series_at (s, (guint) k)->ts - best) * kx) <= HOVER_SNAP_PX)
        points[i] = series_at (s, (guint) k);
    }
  return best;
}

/* The lines of the hover label; with a coloured bullet per series in markup. */
static char *
hover_text (ArbChart *self, gint64 ts, const ArbPoint **points, const Colors *colors)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *when = _arb_chart_format_instant (ts, self->layout.to - self->layout.from);
  gboolean markup = colors != NULL;

  if (markup)
    {
      g_autofree char *escaped = g_markup_escape_text (when, -1);

      g_string_append (text, escaped);
    }
  else
    g_string_append (text, when);
  for (guint i = 0; i < self->series->len; i++)
    {
      const ArbPoint *p = points[i];
      g_autofree char *value = NULL;
      g_autofree char *line = NULL;

      if (p == NULL)
        continue;
      value = _arb_chart_format_value (p->avg, self->unit);
      if (p->count > 1 && point_max (p) > point_min (p))
        {
          g_autofree char *min = _arb_chart_format_value (point_min (p), self->unit);
          g_autofree char *max = _arb_chart_format_value (point_max (p), self->unit);
          char *with_range;

          /* Translators: a value, then the lowest and highest in its interval,
           * "23 % (4 % – 97 %)" */
          with_range = g_strdup_printf (_("%s (%s – %s)"), value, min, max);
          g_free (value);
          value = with_range;
        }
      /* Translators: a series and its value under the mouse: "CPU: 23 %" */
      line = g_strdup_printf (_("%s: %s"), series_name (self, get_series (self, i)), value);
      g_string_append_c (text, '\n');
      if (markup)
        {
          g_autofree char *escaped = g_markup_escape_text (line, -1);
          GdkRGBA color;

          _arb_chart_series_color (i, colors->dark, &color);
          g_string_append_printf (text, "<span foreground=\"#%02x%02x%02x\">●</span> %s",
                                  (guint) (color.red * 255 + 0.5),
                                  (guint) (color.green * 255 + 0.5),
                                  (guint) (color.blue * 255 + 0.5), escaped);
        }
      else
        g_string_append (text, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
draw_hover (ArbChart *self, cairo_t *cr, const Colors *colors)
{
  const Layout *layout = &self->layout;
  const graphene_rect_t *plot = &layout->plot;
  g_autofree const ArbPoint **points = g_new0 (const ArbPoint *, self->series->len + 1);
  g_autofree char *markup = NULL;
  g_autoptr(PangoLayout) label = NULL;
  GdkRGBA background = { 1, 1, 1, 0.95 };
  gint64 ts = find_hover (self, points);
  double x, bx, by;
  int w, h;

  if (ts == NO_HOVER)
    return;
  if (colors->dark)
    background = (GdkRGBA) { 0.19f, 0.19f, 0.19f, 0.95f };

  x = floor (time_to_x (layout, ts)) + 0.5;
  cairo_set_line_width (cr, 1);
  set_source (cr, &colors->fg, 0.45);
  cairo_move_to (cr, x, plot->origin.y);
  cairo_line_to (cr, x, plot->origin.y + plot->size.height);
  cairo_stroke (cr);

  for (guint i = 0; i < self->series->len; i++)
    {
      GdkRGBA color;

      if (points[i] == NULL)
        continue;
      _arb_chart_series_color (i, colors->dark, &color);
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, value_to_y (layout, points[i]->avg), 3.5, 0, 2 * G_PI);
      set_source (cr, &color, 1);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      set_source (cr, &background, 1);
      cairo_stroke (cr);
    }

  markup = hover_text (self, ts, points, colors);
  label = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  pango_layout_set_markup (label, markup, -1);
  pango_layout_get_pixel_size (label, &w, &h);
  bx = x + 10;
  if (bx + w + 12 > layout->width - 2)
    bx = MAX (x - 10 - w - 12, 2);
  by = plot->origin.y + 4;

  cairo_new_sub_path (cr);
  cairo_arc (cr, bx + 6, by + 6, 6, G_PI, 1.5 * G_PI);
  cairo_arc (cr, bx + w + 6, by + 6, 6, 1.5 * G_PI, 2 * G_PI);
  cairo_arc (cr, bx + w + 6, by + h + 6, 6, 0, 0.5 * G_PI);
  cairo_arc (cr, bx + 6, by + h + 6, 6, 0.5 * G_PI, G_PI);
  cairo_close_path (cr);
  set_source (cr, &background, 1);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, 1);
  set_source (cr, &colors->fg, 0.15);
  cairo_stroke (cr);
  set_source (cr, &colors->fg, 1);
  show_at (cr, label, bx + 6, by + 6);
}

/* ---------------------------------------------------------------- widget */

static void
style_colors (ArbChart *self, Colors *colors)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &colors->fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  /* A light foreground means a dark background. */
  colors->dark = 0.2126 * colors->fg.red + 0.7152 * colors->fg.green + 0.0722 * colors->fg.blue
                 > 0.5;
}

static void
default_colors (gboolean dark, Colors *colors)
{
  colors->dark = dark;
  colors->fg = dark ? (GdkRGBA) { 1, 1, 1, 1 } : (GdkRGBA) { 0, 0, 0, 0.8f };
}

static void
arb_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ArbChart *self = ARB_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Colors colors;
  cairo_t *cr;

  self->redraw_pending = FALSE;
  if (width <= 0 || height <= 0)
    return;
  style_colors (self, &colors);

  if (self->node == NULL || self->node_width != width || self->node_height != height
      || self->node_scale != gtk_widget_get_scale_factor (widget))
    {
      g_clear_pointer (&self->node, gsk_render_node_unref);
      self->node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (0, 0, width, height));
      cr = gsk_cairo_node_get_draw_context (self->node);
      draw_base (self, cr, width, height, gtk_widget_get_scale_factor (widget), &colors);
      cairo_destroy (cr);
      self->node_width = width;
      self->node_height = height;
      self->node_scale = gtk_widget_get_scale_factor (widget);
    }
  gtk_snapshot_append_node (snapshot, self->node);

  if (find_hover (self, NULL) != NO_HOVER)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      draw_hover (self, cr, &colors);
      cairo_destroy (cr);
    }
}

static void
arb_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  ArbChart *self = ARB_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->sparkline ? 32 : 160;
      *natural = self->sparkline ? 160 : 480;
    }
  else
    {
      *minimum = self->sparkline ? 24 : 120;
      *natural = self->sparkline ? 48 : 240;
    }
}

static void
arb_chart_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (arb_chart_parent_class)->css_changed (widget, change);
  /* Colours and fonts may have changed: dark mode, high contrast, text size. */
  changed (ARB_CHART (widget), CHANGE_VIEW);
}

static void
arb_chart_map (GtkWidget *widget)
{
  ArbChart *self = ARB_CHART (widget);

  GTK_WIDGET_CLASS (arb_chart_parent_class)->map (widget);
  arb_toplevel_watch_attach (self->window_watch, widget);
  wake (self);
}

static void
arb_chart_unmap (GtkWidget *widget)
{
  ArbChart *self = ARB_CHART (widget);

  arb_toplevel_watch_detach (self->window_watch);
  self->hovering = FALSE;
  self->hover_ts = NO_HOVER;
  GTK_WIDGET_CLASS (arb_chart_parent_class)->unmap (widget);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, ArbChart *self)
{
  _arb_chart_hover_at (self, x, y);
}

static void
on_leave (GtkEventControllerMotion *motion, ArbChart *self)
{
  _arb_chart_hover_end (self);
}

static void
arb_chart_dispose (GObject *object)
{
  ArbChart *self = ARB_CHART (object);

  g_clear_object (&self->window_watch);
  g_clear_pointer (&self->node, gsk_render_node_unref);

  G_OBJECT_CLASS (arb_chart_parent_class)->dispose (object);
}

static void
arb_chart_finalize (GObject *object)
{
  ArbChart *self = ARB_CHART (object);

  g_free (self->title);
  g_free (self->unit);
  g_free (self->empty_text);
  g_free (self->summary);
  g_ptr_array_unref (self->series);
  g_clear_pointer (&self->layout.value_labels, g_ptr_array_unref);
  g_clear_pointer (&self->layout.time_labels, g_ptr_array_unref);

  G_OBJECT_CLASS (arb_chart_parent_class)->finalize (object);
}

static void
arb_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArbChart *self = ARB_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_EMPTY_TEXT:
      g_value_set_string (value, arb_chart_get_empty_text (self));
      break;
    case PROP_SPARKLINE:
      g_value_set_boolean (value, self->sparkline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ArbChart *self = ARB_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      arb_chart_set_title (self, g_value_get_string (value));
      break;
    case PROP_UNIT:
      arb_chart_set_unit (self, g_value_get_string (value));
      break;
    case PROP_EMPTY_TEXT:
      arb_chart_set_empty_text (self, g_value_get_string (value));
      break;
    case PROP_SPARKLINE:
      arb_chart_set_sparkline (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_chart_class_init (ArbChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_chart_dispose;
  object_class->finalize = arb_chart_finalize;
  object_class->get_property = arb_chart_get_property;
  object_class->set_property = arb_chart_set_property;

  widget_class->snapshot = arb_chart_snapshot;
  widget_class->measure = arb_chart_measure;
  widget_class->css_changed = arb_chart_css_changed;
  widget_class->map = arb_chart_map;
  widget_class->unmap = arb_chart_unmap;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNIT] =
    g_param_spec_string ("unit", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMPTY_TEXT] =
    g_param_spec_string ("empty-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPARKLINE] =
    g_param_spec_boolean ("sparkline", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
arb_chart_init (ArbChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->series = g_ptr_array_new_with_free_func (series_free);
  self->fixed_min = NAN;
  self->fixed_max = NAN;
  self->hover_ts = NO_HOVER;
  self->summary_dirty = TRUE;
  layout_reset (&self->layout);
  self->window_watch = arb_toplevel_watch_new ();
  /* shown again: draw what came meanwhile */
  g_signal_connect_object (self->window_watch, "notify::minimized", G_CALLBACK (wake), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

/* ---------------------------------------------------------------- public API */

/**
 * arb_chart_new:
 *
 * Creates a chart with no series: add them with arb_chart_add_series().
 *
 * Returns: (transfer floating): a new #ArbChart
 */
ArbChart *
arb_chart_new (void)
{
  return g_object_new (ARB_TYPE_CHART, NULL);
}

/**
 * arb_chart_set_title:
 * @self: a chart
 * @title: (nullable): its title, shown at the top and read by screen readers
 */
void
arb_chart_set_title (ArbChart *self, const char *title)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (!set_str (&self->title, title))
    return;
  if (title != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
  changed (self, CHANGE_SUMMARY);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/**
 * arb_chart_get_title:
 * @self: a chart
 *
 * Returns: (nullable): the title
 */
const char *
arb_chart_get_title (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  return self->title;
}

/**
 * arb_chart_set_unit:
 * @self: a chart
 * @unit: (nullable): the values' unit: "%", "bytes", "bytes/s", "ms", "s",
 *   a currency code ("USD"), any other word, or %NULL for plain numbers
 *
 * The unit picks how values print ("1.5 GiB", "3.2 MB/s", "$1.2k") and
 * whether an automatic value axis starts at zero.
 */
void
arb_chart_set_unit (ArbChart *self, const char *unit)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (!set_str (&self->unit, unit))
    return;
  changed (self, CHANGE_SUMMARY);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT]);
}

/**
 * arb_chart_get_unit:
 * @self: a chart
 *
 * Returns: (nullable): the unit
 */
const char *
arb_chart_get_unit (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  return self->unit;
}

/**
 * arb_chart_set_empty_text:
 * @self: a chart
 * @text: (nullable): what the chart says when it has nothing to draw in its
 *   time range; %NULL for the default, "No data yet", "" for nothing
 */
void
arb_chart_set_empty_text (ArbChart *self, const char *text)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (!set_str (&self->empty_text, text))
    return;
  changed (self, CHANGE_SUMMARY);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMPTY_TEXT]);
}

/**
 * arb_chart_get_empty_text:
 * @self: a chart
 *
 * Returns: what the chart says when it has nothing to draw
 */
const char *
arb_chart_get_empty_text (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  return effective_empty_text (self);
}

/**
 * arb_chart_set_sparkline:
 * @self: a chart
 * @sparkline: whether to draw only the lines, for a small overview tile
 *
 * A sparkline has no axes, grid or legend; its title and latest value sit
 * in a small line at the top.
 */
void
arb_chart_set_sparkline (ArbChart *self, gboolean sparkline)
{
  g_return_if_fail (ARB_IS_CHART (self));

  sparkline = !!sparkline;
  if (self->sparkline == sparkline)
    return;
  self->sparkline = sparkline;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  changed (self, CHANGE_VIEW);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPARKLINE]);
}

/**
 * arb_chart_get_sparkline:
 * @self: a chart
 *
 * Returns: whether the chart is a sparkline
 */
gboolean
arb_chart_get_sparkline (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), FALSE);
  return self->sparkline;
}

/**
 * arb_chart_add_series:
 * @self: a chart
 * @label: (nullable): the series' name in the legend and the hover label
 *
 * Adds an empty series, drawn in the next colour of the palette.
 *
 * Returns: its index, for arb_chart_set_points() and arb_chart_show_series()
 */
guint
arb_chart_add_series (ArbChart *self, const char *label)
{
  g_return_val_if_fail (ARB_IS_CHART (self), 0);

  g_ptr_array_add (self->series, series_new (label));
  changed (self, CHANGE_DATA);
  return self->series->len - 1;
}

/**
 * arb_chart_get_n_series:
 * @self: a chart
 *
 * Returns: how many series the chart has
 */
guint
arb_chart_get_n_series (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), 0);
  return self->series->len;
}

/**
 * arb_chart_set_points:
 * @self: a chart
 * @series: a series' index
 * @points: (array length=n_points) (nullable): the points, oldest first, as
 *   arb_series_query() gives them; a point with count 0 is a gap
 * @n_points: how many
 *
 * Replaces the series' points with a copy of @points.
 */
void
arb_chart_set_points (ArbChart *self, guint series, const ArbPoint *points, guint n_points)
{
  g_return_if_fail (ARB_IS_CHART (self));
  g_return_if_fail (series < self->series->len);
  g_return_if_fail (points != NULL || n_points == 0);

  series_set_points (get_series (self, series), points, n_points);
  changed (self, CHANGE_DATA);
}

/**
 * arb_chart_show_series:
 * @self: a chart
 * @series: a series' index
 * @source: (nullable): the history to show, %NULL while it has no values yet
 * @from_ms: the left end of the range, ms since the epoch
 * @to_ms: the right end
 *
 * Replaces the points of @series with those of @source in the range, from
 * the finest tier that reaches back to @from_ms, merged down to at most
 * %ARB_CHART_MAX_POINTS buckets (so a week reads the hourly tier). Pages call
 * it again for each new sample rather than appending one: the newest bucket of
 * a coarse tier keeps changing while values arrive.
 */
void
arb_chart_show_series (ArbChart  *self,
                       guint      series,
                       ArbSeries *source,
                       gint64     from_ms,
                       gint64     to_ms)
{
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));

  g_return_if_fail (ARB_IS_CHART (self));
  g_return_if_fail (series < self->series->len);

  if (source != NULL)
    arb_series_query (source, from_ms, to_ms, ARB_CHART_MAX_POINTS, points);
  arb_chart_set_points (self, series, (const ArbPoint *) points->data, points->len);
}

/**
 * arb_chart_set_time_range:
 * @self: a chart
 * @from_ms: the left end, ms since the epoch
 * @to_ms: the right end; not after @from_ms (e.g. 0, 0) to follow the data
 *
 * Sets the time range drawn. For a switch of range, query the matching
 * tier (arb_series_query()) and pass its points to arb_chart_set_points().
 */
void
arb_chart_set_time_range (ArbChart *self, gint64 from_ms, gint64 to_ms)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (to_ms <= from_ms)
    from_ms = to_ms = 0;
  if (self->from_ms == from_ms && self->to_ms == to_ms)
    return;
  self->from_ms = from_ms;
  self->to_ms = to_ms;
  changed (self, CHANGE_DATA);
}

/**
 * arb_chart_get_time_range:
 * @from_ms: (out) (optional): the left end, 0 when the chart follows its data
 * @to_ms: (out) (optional): the right end, 0 when the chart follows its data
 */
void
arb_chart_get_time_range (ArbChart *self, gint64 *from_ms, gint64 *to_ms)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (from_ms != NULL)
    *from_ms = self->from_ms;
  if (to_ms != NULL)
    *to_ms = self->to_ms;
}

/**
 * arb_chart_set_value_range:
 * @self: a chart
 * @min: the bottom of the value axis, or NAN to fit the data
 * @max: the top, or NAN to fit the data
 *
 * Fixes either end of the value axis; an end left to the data is rounded
 * to a tick.
 */
void
arb_chart_set_value_range (ArbChart *self, double min, double max)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (!isfinite (min))
    min = NAN;
  if (!isfinite (max))
    max = NAN;
  if ((self->fixed_min == min || (isnan (min) && isnan (self->fixed_min)))
      && (self->fixed_max == max || (isnan (max) && isnan (self->fixed_max))))
    return;
  self->fixed_min = min;
  self->fixed_max = max;
  changed (self, CHANGE_VIEW);
}

/**
 * arb_chart_draw:
 * @self: a chart
 * @cr: where to draw
 * @width: the width to draw in
 * @height: the height
 * @dark: whether the background is dark
 *
 * Draws the chart, and the hover crosshair if the mouse is over a point,
 * on top of what @cr holds (the chart has no background of its own), with
 * the default colours for a light or dark style. The widget draws the same
 * way with its style's colours; this entry point is for tests, benchmarks
 * and exports, and needs no display of its own.
 */
void
arb_chart_draw (ArbChart *self, cairo_t *cr, int width, int height, gboolean dark)
{
  Colors colors;
  double dx = 1, dy = 0, sx = 1, sy = 1;

  g_return_if_fail (ARB_IS_CHART (self));
  g_return_if_fail (cr != NULL);

  if (width <= 0 || height <= 0)
    return;
  default_colors (dark, &colors);
  /* The series are drawn as an image: at the resolution @cr will show it */
  cairo_user_to_device_distance (cr, &dx, &dy);
  cairo_surface_get_device_scale (cairo_get_target (cr), &sx, &sy);
  /* The widget's cached drawing goes with the layout this one replaces. */
  g_clear_pointer (&self->node, gsk_render_node_unref);
  cairo_save (cr);
  draw_base (self, cr, width, height, CLAMP (round (hypot (dx, dy) * sx), 1, 4), &colors);
  cairo_restore (cr);
  if (find_hover (self, NULL) != NO_HOVER)
    {
      cairo_save (cr);
      draw_hover (self, cr, &colors);
      cairo_restore (cr);
    }
}

/* ---------------------------------------------------------------- private API */

gboolean
_arb_chart_get_plot_area (ArbChart *self, graphene_rect_t *plot)
{
  g_return_val_if_fail (ARB_IS_CHART (self), FALSE);

  if (!self->layout.valid)
    return FALSE;
  *plot = self->layout.plot;
  return TRUE;
}

static const char *const *
labels_or_none (GPtrArray *labels)
{
  static const char *const none[] = { NULL };

  return labels->pdata != NULL ? (const char *const *) labels->pdata : none;
}

const char *const *
_arb_chart_get_value_labels (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  return labels_or_none (self->layout.value_labels);
}

const char *const *
_arb_chart_get_time_labels (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  return labels_or_none (self->layout.time_labels);
}

gboolean
_arb_chart_is_empty (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), TRUE);
  return self->layout.empty;
}

/* The summary, brought up to date even while the chart is hidden. */
const char *
_arb_chart_get_summary (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);

  if (self->summary_dirty)
    refresh_summary (self);
  return self->summary;
}

void
_arb_chart_hover_at (ArbChart *self, double x, double y)
{
  gint64 ts;

  g_return_if_fail (ARB_IS_CHART (self));

  self->hovering = TRUE;
  self->hover_x = x;
  self->hover_y = y;
  ts = find_hover (self, NULL);
  /* Redraw only when the crosshair moves to another point. */
  if (ts == self->hover_ts)
    return;
  self->hover_ts = ts;
  if (is_awake (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
_arb_chart_hover_end (ArbChart *self)
{
  g_return_if_fail (ARB_IS_CHART (self));

  if (!self->hovering)
    return;
  self->hovering = FALSE;
  if (self->hover_ts != NO_HOVER && is_awake (self))
    gtk_widget_queue_draw (GTK_WIDGET (self));
  self->hover_ts = NO_HOVER;
}

char *
_arb_chart_get_hover_text (ArbChart *self)
{
  g_autofree const ArbPoint **points = NULL;
  gint64 ts;

  g_return_val_if_fail (ARB_IS_CHART (self), NULL);

  points = g_new0 (const ArbPoint *, self->series->len + 1);
  ts = find_hover (self, points);
  if (ts == NO_HOVER)
    return NULL;
  return hover_text (self, ts, points, NULL);
}

guint
_arb_chart_get_n_points (ArbChart *self, guint series)
{
  g_return_val_if_fail (ARB_IS_CHART (self), 0);
  g_return_val_if_fail (series < self->series->len, 0);
  return get_series (self, series)->n;
}

/* The name of @series in the legend. */
const char *
_arb_chart_get_series_label (ArbChart *self, guint series)
{
  g_return_val_if_fail (ARB_IS_CHART (self), NULL);
  g_return_val_if_fail (series < self->series->len, NULL);
  return get_series (self, series)->label;
}

/* The @index-th point of @series, oldest first. */
void
_arb_chart_get_point (ArbChart *self, guint series, guint index, ArbPoint *point)
{
  Series *s;

  g_return_if_fail (ARB_IS_CHART (self));
  g_return_if_fail (series < self->series->len);
  s = get_series (self, series);
  g_return_if_fail (index < s->n);
  *point = *series_at (s, index);
}

/* Whether the chart draws now: mapped, in a window that is not minimised. */
gboolean
_arb_chart_is_awake (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), FALSE);
  return is_awake (self);
}

/* Whether a change waits for the chart to be shown again. */
gboolean
_arb_chart_get_redraw_pending (ArbChart *self)
{
  g_return_val_if_fail (ARB_IS_CHART (self), FALSE);
  return self->redraw_pending;
}
