/* arb-chart-raster.c: the chart's bands and lines, drawn into an image
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The series are rasterised here rather than stroked by cairo: cairo's
 * stroker takes about 3 ms for one line of 1,200 segments on a modest
 * machine, and a dense series is such a line plus a band. Each pixel
 * column gets one vertical span of the band, with antialiased ends. The
 * line is a square brush swept along the polyline, worked out in quarter
 * columns, so that steep segments keep their width and are antialiased
 * across as well as along. The image is made at the device scale, so it is
 * as sharp as cairo's own drawing on a HiDPI screen.
 */
#define G_LOG_DOMAIN "arb-chart"

#include "config.h"

#include <math.h>

#include "arb-chart-private.h"

/* Device rows from the plot's top edge: (vmax - v) * ky */
typedef struct
{
  double vmax;
  double ky;
} Mapping;

static inline double
to_y (const Mapping *map, double v)
{
  return (map->vmax - v) * map->ky;
}

typedef struct
{
  guint32 *data;
  int      width;
  int      height;
  int      stride;   /* in pixels */
  double   top;      /* device rows above the plot's top edge */
} Raster;

typedef struct
{
  guint a, r, g, b;  /* premultiplied, 0..255 */
} Paint;

static Paint
paint_from (const GdkRGBA *color, double alpha)
{
  double a = CLAMP (color->alpha * alpha, 0, 1);

  return (Paint) { (guint) (a * 255 + 0.5), (guint) (color->red * a * 255 + 0.5),
                   (guint) (color->green * a * 255 + 0.5), (guint) (color->blue * a * 255 + 0.5) };
}

static inline guint
div255 (guint x)
{
  return (x + 128 + ((x + 128) >> 8)) >> 8;
}

/* @coverage in 0..256 */
static inline void
blend (guint32 *pixel, const Paint *paint, guint coverage)
{
  guint a, r, g, b, inv, d = *pixel;

  if (coverage >= 256 && paint->a == 255)
    {
      *pixel = 0xff000000u | (paint->r << 16) | (paint->g << 8) | paint->b;
      return;
    }
  a = (paint->a * coverage) >> 8;
  r = (paint->r * coverage) >> 8;
  g = (paint->g * coverage) >> 8;
  b = (paint->b * coverage) >> 8;
  inv = 255 - a;
  *pixel = ((a + div255 ((d >> 24) * inv)) << 24) | ((r + div255 (((d >> 16) & 0xff) * inv)) << 16)
           | ((g + div255 (((d >> 8) & 0xff) * inv)) << 8) | (b + div255 ((d & 0xff) * inv));
}

/* Blends @paint at @coverage (0..1) into @count pixels down a column. */
static inline void
blend_run (guint32 *pixel, int stride, int count, const Paint *paint, double coverage)
{
  guint cover = (guint) (coverage * 256 + 0.5);
  guint inv, a, r, g, b;

  if (cover < 256 || paint->a == 255)
    {
      for (int i = 0; i < count; i++, pixel += stride)
        blend (pixel, paint, cover);
      return;
    }
  /* Whole pixels of a translucent paint: the band's inside, the most of it */
  a = paint->a, r = paint->r, g = paint->g, b = paint->b;
  inv = 255 - a;
  for (int i = 0; i < count; i++, pixel += stride)
    {
      guint d = *pixel;

      *pixel = ((a + div255 ((d >> 24) * inv)) << 24)
               | ((r + div255 (((d >> 16) & 0xff) * inv)) << 16)
               | ((g + div255 (((d >> 8) & 0xff) * inv)) << 8)
               | (b + div255 ((d & 0xff) * inv));
    }
}

/* Fills column @x from @y0 to @y1 (device rows from the plot's top). */
static void
raster_span (Raster *raster, int x, double y0, double y1, const Paint *paint, double alpha)
{
  guint32 *column;
  int first, last;

  if (x < 0 || x >= raster->width || !(y1 > y0))
    return;
  y0 = MAX (y0 + raster->top, 0);
  y1 = MIN (y1 + raster->top, raster->height);
  if (!(y1 > y0))
    return;
  first = (int) floor (y0);
  last = (int) ceil (y1) - 1;
  column = raster->data + x;
  if (first == last)
    {
      blend_run (column + (gsize) first * raster->stride, 0, 1, paint, (y1 - y0) * alpha);
      return;
    }
  blend_run (column + (gsize) first * raster->stride, 0, 1, paint, (first + 1 - y0) * alpha);
  blend_run (column + (gsize) (first + 1) * raster->stride, raster->stride, last - first - 1,
             paint, alpha);
  blend_run (column + (gsize) last * raster->stride, 0, 1, paint, (y1 - last) * alpha);
}

typedef struct
{
  float top;
  float bottom;
} Extent;

static inline void
extent_add (Extent *e, double top, double bottom)
{
  e->top = MIN (e->top, (float) top);
  e->bottom = MAX (e->bottom, (float) bottom);
}

static inline double
lerp (double a, double b, double t)
{
  return a + (b - a) * t;
}

static void
raster_band (Raster *raster, const ArbChartColumn *c, guint n, const Paint *paint,
             const Mapping *map, double scale)
{
  for (guint a = 0; a < n;)
    {
      guint b = a + 1, i = a;

      while (b < n && !c[b].gap_before)
        b++;
      if (b - a == 1)
        {
          /* A lone column: a bar as wide as the line */
          for (int x = (int) floor (c[a].x - scale); x <= (int) floor (c[a].x + scale); x++)
            raster_span (raster, x, to_y (map, c[a].max), to_y (map, c[a].min), paint, 1);
        }
      else
        {
          for (int x = (int) floor (c[a].x); x <= (int) floor (c[b - 1].x); x++)
            {
              double centre = CLAMP (x + 0.5, c[a].x, c[b - 1].x), t;

              while (i + 2 < b && c[i + 1].x < centre)
                i++;
              t = c[i + 1].x > c[i].x ? (centre - c[i].x) / (c[i + 1].x - c[i].x) : 0;
              raster_span (raster, x, lerp (to_y (map, c[i].max), to_y (map, c[i + 1].max), t),
                           lerp (to_y (map, c[i].min), to_y (map, c[i + 1].min), t), paint, 1);
            }
        }
      a = b;
    }
}

/* The line is rasterised in SUB columns per pixel, for antialiasing across
 * steep segments as well as along flat ones. */
#define SUB 4

/* The line's centre extent in each sub-column, before the brush. */
static void
raster_line_extents (Extent *ext, int n_sub, const ArbChartColumn *c, guint n, double half,
                     const Mapping *map)
{
  for (guint i = 0; i < n; i++)
    {
      gboolean alone = (i == 0 || c[i].gap_before) && (i + 1 == n || c[i + 1].gap_before);
      int x = (int) floor (c[i].x * SUB);

      if (alone && c[i].n == 1)
        {
          /* A point with gaps on both sides: a dot, or it would not show. */
          double y = to_y (map, c[i].first), r = half * 0.5;

          for (int k = (int) floor ((c[i].x - r) * SUB); k <= (int) floor ((c[i].x + r) * SUB); k++)
            if (k >= 0 && k < n_sub)
              extent_add (&ext[k], y - r, y + r);
          continue;
        }
      if (x >= 0 && x < n_sub)
        {
          extent_add (&ext[x], MIN (to_y (map, c[i].hi), to_y (map, c[i].first)),
                      MAX (to_y (map, c[i].lo), to_y (map, c[i].first)));
          extent_add (&ext[x], to_y (map, c[i].last), to_y (map, c[i].last));
        }
      if (i == 0 || c[i].gap_before)
        continue;

      /* The segment from the previous column's last value to this first one */
      {
        double x0 = c[i - 1].x * SUB, x1 = c[i].x * SUB;
        double y0 = to_y (map, c[i - 1].last), y1 = to_y (map, c[i].first);
        int from = MAX ((int) floor (x0), 0), to = MIN ((int) floor (x1), n_sub - 1);

        for (int k = from; k <= to; k++)
          {
            double ya = lerp (y0, y1, (MAX (x0, k) - x0) / (x1 - x0));
            double yb = lerp (y0, y1, (MIN (x1, k + 1) - x0) / (x1 - x0));

            extent_add (&ext[k], MIN (ya, yb), MAX (ya, yb));
          }
      }
    }
}

/* Adds the coverage of a span from @y0 to @y1 (raster rows): the end rows
 * to @acc directly, the whole rows between as a step in @steps (a
 * difference array, summed once per column). */
static void
accumulate_span (float *acc, float *steps, int height, double y0, double y1, float weight,
                 int *lo, int *hi)
{
  int first, last;

  y0 = MAX (y0, 0);
  y1 = MIN (y1, height);
  if (!(y1 > y0))
    return;
  first = (int) floor (y0);
  last = (int) ceil (y1) - 1;
  if (first == last)
    acc[first] += weight * (float) (y1 - y0);
  else
    {
      acc[first] += weight * (float) (first + 1 - y0);
      acc[last] += weight * (float) (y1 - last);
      steps[first + 1] += weight;
      steps[last] -= weight;
    }
  *lo = MIN (*lo, first);
  *hi = MAX (*hi, last);
}

/* Draws the line: a square brush of @half around the extents, each pixel
 * covered by the share of its sub-columns and rows that the brush reaches. */
static void
raster_line (Raster *raster, const Extent *ext, float *acc, float *steps, const Paint *paint,
             double half)
{
  int n_sub = raster->width * SUB;
  int reach = MAX ((int) round (half * SUB), 1);

  for (int x = 0; x < raster->width; x++)
    {
      int lo = G_MAXINT, hi = -1;
      float level = 0;
      guint32 *pixel;

      for (int j = x * SUB; j < (x + 1) * SUB; j++)
        {
          Extent e = { G_MAXFLOAT, -G_MAXFLOAT };

          for (int k = MAX (j - reach, 0); k < MIN (j + reach, n_sub); k++)
            extent_add (&e, ext[k].top, ext[k].bottom);
          if (e.bottom >= e.top)
            accumulate_span (acc, steps, raster->height, e.top - half + raster->top,
                             e.bottom + half + raster->top, 1.0f / SUB, &lo, &hi);
        }
      if (hi < lo)
        continue;
      pixel = raster->data + (gsize) lo * raster->stride + x;
      for (int row = lo; row <= hi; row++, pixel += raster->stride)
        {
          level += steps[row];
          blend (pixel, paint, (guint) (MIN (acc[row] + level, 1.0f) * 256 + 0.5f));
          acc[row] = 0;
          steps[row] = 0;
        }
    }
}

/**
 * _arb_chart_raster_draw:
 * @cr: where to draw
 * @plot: the plot area, in @cr's units, on whole units
 * @vmin: the value at the bottom of @plot
 * @vmax: the value at the top
 * @scale: device pixels per unit of @cr
 * @line_width: the lines' width, in units of @cr
 * @traces: (array length=n_traces): the series, decimated to one column per
 *   device pixel, column x from @plot's left edge in device pixels
 * @n_traces: how many
 *
 * Draws the bands and lines of @traces in @plot: each trace's band, then
 * its line, in order. The lines may reach a little above and below @plot.
 */
void
_arb_chart_raster_draw (cairo_t               *cr,
                        const graphene_rect_t *plot,
                        double                 vmin,
                        double                 vmax,
                        double                 scale,
                        double                 line_width,
                        const ArbChartTrace   *traces,
                        guint                  n_traces)
{
  double margin = ceil (line_width * 1.5);  /* room for half a line and a dot at the ends */
  double half = line_width * scale / 2;
  g_autofree Extent *ext = NULL;
  g_autofree float *acc = NULL;
  g_autofree float *steps = NULL;
  cairo_surface_t *surface;
  Mapping map;
  Raster raster;

  g_return_if_fail (cr != NULL && plot != NULL);
  g_return_if_fail (traces != NULL || n_traces == 0);

  if (!(vmax > vmin) || scale <= 0)
    return;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (plot->size.width * scale),
                                        (int) ((plot->size.height + 2 * margin) * scale));
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return;
    }
  raster.data = (guint32 *) (gpointer) cairo_image_surface_get_data (surface);
  raster.width = cairo_image_surface_get_width (surface);
  raster.height = cairo_image_surface_get_height (surface);
  raster.stride = cairo_image_surface_get_stride (surface) / 4;
  raster.top = margin * scale;
  map.vmax = vmax;
  map.ky = plot->size.height * scale / (vmax - vmin);
  ext = g_new (Extent, (gsize) raster.width * SUB);
  acc = g_new0 (float, raster.height);
  steps = g_new0 (float, raster.height + 1);

  cairo_surface_flush (surface);
  for (guint i = 0; i < n_traces; i++)
    {
      const ArbChartTrace *trace = &traces[i];
      Paint paint;

      if (trace->n_columns == 0)
        continue;
      if (trace->band_alpha > 0)
        {
          paint = paint_from (&trace->color, trace->band_alpha);
          raster_band (&raster, trace->columns, trace->n_columns, &paint, &map, scale);
        }
      for (int x = 0; x < raster.width * SUB; x++)
        ext[x] = (Extent) { G_MAXFLOAT, -G_MAXFLOAT };
      raster_line_extents (ext, raster.width * SUB, trace->columns, trace->n_columns, half, &map);
      paint = paint_from (&trace->color, 1);
      raster_line (&raster, ext, acc, steps, &paint, half);
    }
  cairo_surface_mark_dirty (surface);

  cairo_save (cr);
  cairo_surface_set_device_scale (surface, scale, scale);
  cairo_set_source_surface (cr, surface, plot->origin.x, plot->origin.y - margin);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);
}
