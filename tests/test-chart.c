/* test-chart.c: the chart widget, drawn to image surfaces and checked by pixel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with TZ=UTC and under Xvfb (GTK needs a display to make a widget).
 */
#include "config.h"

#include <signal.h>

#include <math.h>
#include <string.h>

#include <gdk/x11/gdkx.h>

#include "arb-chart.h"
#include "arb-chart-private.h"

/* 2023-11-14 12:00:00 UTC */
#define T0      G_GINT64_CONSTANT (1699963200000)
#define HOUR_MS G_GINT64_CONSTANT (3600000)
#define WIDTH   600
#define HEIGHT  300

typedef struct
{
  cairo_surface_t *surface;
  const guchar    *data;
  int              stride;
  gboolean         dark;
} Canvas;

static void
canvas_free (Canvas *canvas)
{
  cairo_surface_destroy (canvas->surface);
  g_free (canvas);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Canvas, canvas_free)

/* Draws @chart over an opaque window background, as the app shows it. */
static Canvas *
render (ArbChart *chart, int width, int height, gboolean dark)
{
  Canvas *canvas = g_new0 (Canvas, 1);
  cairo_t *cr;

  canvas->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  canvas->dark = dark;
  cr = cairo_create (canvas->surface);
  if (dark)
    cairo_set_source_rgb (cr, 0x24 / 255.0, 0x24 / 255.0, 0x24 / 255.0);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  arb_chart_draw (chart, cr, width, height, dark);
  cairo_destroy (cr);
  cairo_surface_flush (canvas->surface);
  canvas->data = cairo_image_surface_get_data (canvas->surface);
  canvas->stride = cairo_image_surface_get_stride (canvas->surface);
  if (g_getenv ("ARB_TEST_CHART_DUMP") != NULL)
    {
      /* To look at what the tests check: ARB_TEST_CHART_DUMP=dir */
      static guint counter;
      g_autofree char *name = g_strdup_printf ("%s/chart-%02u.png",
                                               g_getenv ("ARB_TEST_CHART_DUMP"), counter++);

      cairo_surface_write_to_png (canvas->surface, name);
    }
  return canvas;
}

static void
pixel (const Canvas *canvas, int x, int y, double rgb[3])
{
  guint32 p = *(const guint32 *) (gconstpointer) (canvas->data + y * canvas->stride + 4 * x);

  /* Opaque background: no premultiplication to undo. */
  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

static double
distance (const double rgb[3], const GdkRGBA *color)
{
  return MAX (MAX (fabs (rgb[0] - color->red), fabs (rgb[1] - color->green)),
              fabs (rgb[2] - color->blue));
}

/* The mean row, in pixel centres, of the pixels of column @x in @color. */
static double
find_color_row_within (const Canvas *canvas, int x, int y_from, int y_to, const GdkRGBA *color,
                       double tolerance)
{
  double sum = 0, rgb[3];
  int n = 0;

  y_to = MIN (y_to, cairo_image_surface_get_height (canvas->surface));
  for (int y = MAX (y_from, 0); y < y_to; y++)
    {
      pixel (canvas, x, y, rgb);
      if (distance (rgb, color) < tolerance)
        {
          sum += y + 0.5;
          n++;
        }
    }
  return n > 0 ? sum / n : NAN;
}

static double
find_color_row (const Canvas *canvas, int x, int y_from, int y_to, const GdkRGBA *color)
{
  return find_color_row_within (canvas, x, y_from, y_to, color, 0.1);
}

static guint
count_ink (const Canvas *canvas, int x0, int y0, int x1, int y1)
{
  double rgb[3], bg = canvas->dark ? 0x24 / 255.0 : 1;
  guint n = 0;

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        pixel (canvas, x, y, rgb);
        if (fabs (rgb[0] - bg) > 0.1 || fabs (rgb[1] - bg) > 0.1 || fabs (rgb[2] - bg) > 0.1)
          n++;
      }
  return n;
}

static ArbPoint
point (gint64 ts, double min, double avg, double max)
{
  return (ArbPoint) { ts, min, avg, max, 1 };
}

/* One point a second over the hour from T0, all at @value. */
static GArray *
flat_points (double min, double value, double max)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));

  for (guint i = 0; i < 3600; i++)
    {
      ArbPoint p = point (T0 + i * 1000, min, value, max);

      p.count = min < max ? 10 : 1;
      g_array_append_val (points, p);
    }
  return points;
}

static ArbChart *
make_chart (const char *unit)
{
  ArbChart *chart = g_object_ref_sink (arb_chart_new ());

  arb_chart_set_title (chart, "CPU");
  arb_chart_set_unit (chart, unit);
  arb_chart_set_time_range (chart, T0, T0 + HOUR_MS);
  return chart;
}

static double
plot_y (const graphene_rect_t *plot, double fraction)
{
  return plot->origin.y + plot->size.height * (1 - fraction);
}

/* gtk_test_accessible_assert_property() cannot take a value with a "%". */
static void
assert_description (ArbChart *chart, const char *expected)
{
  g_autofree char *found = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart),
                                                               GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                               expected);

  if (found != NULL)
    g_error ("the description is \"%s\", not \"%s\"", found, expected);
}

/* ---------------------------------------------------------------- scale */

static void
test_nice_ticks (void)
{
  double first, step, lo, hi;
  guint n;

  g_assert_true (_arb_chart_nice_ticks (0, 100, 5, &first, &step, &n));
  g_assert_cmpfloat (first, ==, 0);
  g_assert_cmpfloat (step, ==, 25);
  g_assert_cmpuint (n, ==, 5);

  g_assert_true (_arb_chart_nice_ticks (0, 100, 6, &first, &step, &n));
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpuint (n, ==, 6);

  g_assert_true (_arb_chart_nice_ticks (0, 1, 6, &first, &step, &n));
  g_assert_cmpfloat_with_epsilon (step, 0.2, 1e-12);
  g_assert_cmpuint (n, ==, 6);

  /* Inside a range that does not start on a tick */
  g_assert_true (_arb_chart_nice_ticks (13, 87, 5, &first, &step, &n));
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpfloat (first, ==, 20);
  g_assert_cmpuint (n, ==, 4);

  g_assert_true (_arb_chart_nice_ticks (-50, 50, 5, &first, &step, &n));
  g_assert_cmpfloat (first, ==, -50);
  g_assert_cmpfloat (step, ==, 25);
  g_assert_cmpuint (n, ==, 5);

  g_assert_false (_arb_chart_nice_ticks (5, 5, 5, &first, &step, &n));
  g_assert_false (_arb_chart_nice_ticks (0, NAN, 5, &first, &step, &n));
  g_assert_false (_arb_chart_nice_ticks (0, 1, 1, &first, &step, &n));

  lo = 3, hi = 97;
  g_assert_cmpfloat (_arb_chart_nice_range (&lo, &hi, 5), ==, 25);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 100);

  /* 0.5..100.5 would need six ticks of 25: the step grows instead */
  lo = 0.5, hi = 100.5;
  g_assert_cmpfloat (_arb_chart_nice_range (&lo, &hi, 5), ==, 50);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 150);

  /* One value: widened around it */
  lo = hi = 50;
  _arb_chart_nice_range (&lo, &hi, 5);
  g_assert_cmpfloat (lo, <, 50);
  g_assert_cmpfloat (hi, >, 50);
  lo = hi = 0;
  _arb_chart_nice_range (&lo, &hi, 3);
  g_assert_cmpfloat (lo, ==, -1);
  g_assert_cmpfloat (hi, ==, 1);

  lo = NAN, hi = 1;
  g_assert_cmpfloat (_arb_chart_nice_range (&lo, &hi, 5), ==, 0);
}

static void
assert_format (double value, const char *unit, const char *expected)
{
  g_autofree char *text = _arb_chart_format_value (value, unit);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_format_value (void)
{
  assert_format (23.4, "%", "23.4 %");
  assert_format (20, "%", "20 %");
  assert_format (99.96, "%", "100 %");
  assert_format (0, "%", "0 %");
  assert_format (1.5 * 1024 * 1024 * 1024, "bytes", "1.5 GiB");
  assert_format (512, "bytes", "512 B");
  assert_format (2048, "bytes", "2 KiB");
  assert_format (3.2e6, "bytes/s", "3.2 MB/s");
  assert_format (999, "bytes/s", "999 B/s");
  assert_format (1200, "USD", "$1.2k");
  assert_format (-3.4, "USD", "-$3.4");
  assert_format (0.0123, "USD", "$0.0123");
  assert_format (2.5e6, "USD", "$2.5M");
  assert_format (3e9, "USD", "$3B");
  assert_format (10, "EUR", "€10");
  assert_format (850, "ms", "850 ms");
  assert_format (1500, "ms", "1.5 s");
  assert_format (90000, "ms", "1.5 min");
  assert_format (0.25, "s", "250 ms");
  assert_format (7200, "s", "2 h");
  assert_format (0, "s", "0 s");
  assert_format (1500, NULL, "1.5k");
  assert_format (42, "", "42");
  assert_format (12, "gwei", "12 gwei");
  assert_format (12000, "gwei", "12k gwei");
  assert_format (NAN, "%", "—");
  assert_format (INFINITY, NULL, "—");
}

static void
test_format_tick (void)
{
  ArbChartUnit unit;
  char *text;

  g_assert_cmpint (_arb_chart_step_decimals (25), ==, 0);
  g_assert_cmpint (_arb_chart_step_decimals (2.5), ==, 1);
  g_assert_cmpint (_arb_chart_step_decimals (0.25), ==, 2);
  g_assert_cmpint (_arb_chart_step_decimals (0.2 * 3), ==, 1);
  g_assert_cmpint (_arb_chart_step_decimals (0), ==, 0);

  /* All labels of an axis share the prefix of its largest value. */
  _arb_chart_unit_for ("bytes", 2.0 * 1024 * 1024 * 1024, &unit);
  g_assert_cmpfloat (unit.divisor, ==, 1024.0 * 1024 * 1024);
  text = _arb_chart_format_with (&unit, 0.5 * 1024 * 1024 * 1024, 1);
  g_assert_cmpstr (text, ==, "0.5 GiB");
  g_free (text);
  text = _arb_chart_format_with (&unit, 0, 1);
  g_assert_cmpstr (text, ==, "0.0 GiB");
  g_free (text);

  /* No "-0" */
  _arb_chart_unit_for ("%", 1, &unit);
  text = _arb_chart_format_with (&unit, -0.001, 0);
  g_assert_cmpstr (text, ==, "0 %");
  g_free (text);

  g_assert_true (_arb_chart_unit_starts_at_zero ("%"));
  g_assert_true (_arb_chart_unit_starts_at_zero ("bytes/s"));
  g_assert_false (_arb_chart_unit_starts_at_zero ("USD"));
  g_assert_false (_arb_chart_unit_starts_at_zero (NULL));
}

static char *
tick_label (GArray *ticks, guint i, gint64 step)
{
  return _arb_chart_format_time (g_array_index (ticks, gint64, i), step);
}

static void
test_time_ticks (void)
{
  g_autoptr(GArray) ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 step;
  char *label;

  /* An hour with room for 7 labels: every 10 minutes, on the minute */
  step = _arb_chart_time_ticks (T0 + 1234, T0 + HOUR_MS + 1234, 7, ticks);
  g_assert_cmpint (step, ==, 10 * 60000);
  g_assert_cmpuint (ticks->len, ==, 6);
  g_assert_cmpint (g_array_index (ticks, gint64, 0), ==, T0 + 10 * 60000);
  label = tick_label (ticks, 0, step);
  g_assert_cmpstr (label, ==, "12:10");
  g_free (label);

  /* Five minutes: with seconds when the step is under a minute */
  g_array_set_size (ticks, 0);
  step = _arb_chart_time_ticks (T0, T0 + 5 * 60000, 12, ticks);
  g_assert_cmpint (step, ==, 30000);
  g_assert_cmpuint (ticks->len, ==, 11);
  label = tick_label (ticks, 1, step);
  g_assert_cmpstr (label, ==, "12:00:30");
  g_free (label);

  /* A day: midnight shows the date */
  g_array_set_size (ticks, 0);
  step = _arb_chart_time_ticks (T0, T0 + 24 * HOUR_MS, 9, ticks);
  g_assert_cmpint (step, ==, 3 * HOUR_MS);
  g_assert_cmpint (g_array_index (ticks, gint64, 0), ==, T0);
  label = tick_label (ticks, 4, step);
  g_assert_cmpstr (label, ==, "Nov 15");
  g_free (label);
  label = tick_label (ticks, 5, step);
  g_assert_cmpstr (label, ==, "03:00");
  g_free (label);

  /* A week: local midnights */
  g_array_set_size (ticks, 0);
  step = _arb_chart_time_ticks (T0, T0 + 7 * 24 * HOUR_MS, 8, ticks);
  g_assert_cmpint (step, ==, 24 * HOUR_MS);
  g_assert_cmpuint (ticks->len, ==, 7);
  g_assert_cmpint (g_array_index (ticks, gint64, 0), ==, T0 + 12 * HOUR_MS);
  label = tick_label (ticks, 0, step);
  g_assert_cmpstr (label, ==, "Nov 15");
  g_free (label);

  /* A year with room for 4 labels: steps of whole days beyond the table */
  g_array_set_size (ticks, 0);
  step = _arb_chart_time_ticks (T0, T0 + 365 * 24 * HOUR_MS, 4, ticks);
  g_assert_cmpint (step % (24 * HOUR_MS), ==, 0);
  g_assert_cmpint (step, >, 14 * 24 * HOUR_MS);
  g_assert_cmpuint (ticks->len, >=, 3);
  g_assert_cmpuint (ticks->len, <=, 5);

  g_array_set_size (ticks, 0);
  g_assert_cmpint (_arb_chart_time_ticks (T0, T0, 5, ticks), ==, 0);
  g_assert_cmpuint (ticks->len, ==, 0);

  label = _arb_chart_format_instant (T0 + 1000, HOUR_MS);
  g_assert_cmpstr (label, ==, "12:00:01");
  g_free (label);
  label = _arb_chart_format_instant (T0, 7 * 24 * HOUR_MS);
  g_assert_cmpstr (label, ==, "Tue Nov 14, 12:00");
  g_free (label);
}

static void
assert_span (gint64 span, const char *expected)
{
  g_autofree char *text = _arb_chart_format_span (span);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_format_span (void)
{
  assert_span (HOUR_MS, "over the last hour");
  assert_span (24 * HOUR_MS, "over the last 24 hours");
  assert_span (7 * 24 * HOUR_MS, "over the last 7 days");
  assert_span (5 * 60000, "over the last 5 minutes");
  assert_span (60000, "over the last minute");
  assert_span (90000, "over the last 90 seconds");
}

/* ---------------------------------------------------------------- drawing */

static void
test_flat_line (gconstpointer data)
{
  gboolean dark = GPOINTER_TO_INT (data);
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (50, 50, 50);
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA color;
  double row;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, dark);

  g_assert_false (_arb_chart_is_empty (chart));
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  g_assert_cmpfloat (plot.size.width, >, WIDTH / 2);
  g_assert_cmpfloat (plot.size.height, >, HEIGHT / 2);

  _arb_chart_series_color (0, dark, &color);
  for (double f = 0.1; f < 1; f += 0.2)
    {
      int x = (int) (plot.origin.x + plot.size.width * f);

      row = find_color_row (canvas, x, 0, HEIGHT, &color);
      g_assert_false (isnan (row));
      g_assert_cmpfloat_with_epsilon (row, plot_y (&plot, 0.5), 1.0);
    }
  /* Nothing of the series' colour away from its line */
  g_assert_true (isnan (find_color_row (canvas, (int) (plot.origin.x + plot.size.width / 2), 0,
                                        (int) plot_y (&plot, 0.6), &color)));
}

/* On a 2x surface the line is drawn at device resolution: a 1x image shown
 * at 2x would have every aligned 2x2 block of one colour. */
static void
test_hidpi (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                         2 * WIDTH, 2 * HEIGHT);
  Canvas canvas = { surface, NULL, 0, FALSE };
  graphene_rect_t plot;
  GdkRGBA color;
  guint mixed = 0;
  double row;
  cairo_t *cr;

  for (guint i = 0; i < 3600; i += 10)
    {
      ArbPoint p = point (T0 + i * 1000, i / 36.0, i / 36.0, i / 36.0);

      g_array_append_val (points, p);
    }
  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);

  cairo_surface_set_device_scale (surface, 2, 2);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  arb_chart_draw (chart, cr, WIDTH, HEIGHT, FALSE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  canvas.data = cairo_image_surface_get_data (surface);
  canvas.stride = cairo_image_surface_get_stride (surface);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  _arb_chart_series_color (0, FALSE, &color);

  /* The line where its value says, in device pixels */
  row = find_color_row (&canvas, (int) (2 * (plot.origin.x + plot.size.width / 2)), 0, 2 * HEIGHT,
                        &color);
  g_assert_cmpfloat_with_epsilon (row, 2 * plot_y (&plot, 0.5), 2.0);

  for (int y = (int) (2 * plot.origin.y); y + 1 < (int) (2 * (plot.origin.y + plot.size.height));
       y += 2)
    for (int x = (int) (2 * plot.origin.x); x + 1 < (int) (2 * (plot.origin.x + plot.size.width));
         x += 2)
      {
        double a[3], b[3], c[3], d[3];

        pixel (&canvas, x, y, a);
        pixel (&canvas, x + 1, y, b);
        pixel (&canvas, x, y + 1, c);
        pixel (&canvas, x + 1, y + 1, d);
        if (distance (a, &color) < 0.5
            && (memcmp (a, b, sizeof a) != 0 || memcmp (a, c, sizeof a) != 0
                || memcmp (a, d, sizeof a) != 0))
          mixed++;
      }
  g_assert_cmpuint (mixed, >, 100);
  cairo_surface_destroy (surface);
}

static void
test_two_series (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) low = flat_points (25, 25, 25);
  g_autoptr(GArray) high = flat_points (75, 75, 75);
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA first, second;
  int x;

  g_assert_cmpuint (arb_chart_add_series (chart, "User"), ==, 0);
  g_assert_cmpuint (arb_chart_add_series (chart, "System"), ==, 1);
  g_assert_cmpuint (arb_chart_get_n_series (chart), ==, 2);
  arb_chart_set_points (chart, 0, (ArbPoint *) low->data, low->len);
  arb_chart_set_points (chart, 1, (ArbPoint *) high->data, high->len);
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));

  _arb_chart_series_color (0, FALSE, &first);
  _arb_chart_series_color (1, FALSE, &second);
  g_assert_false (gdk_rgba_equal (&first, &second));
  x = (int) (plot.origin.x + plot.size.width / 3);
  g_assert_cmpfloat_with_epsilon (find_color_row (canvas, x, (int) plot.origin.y, HEIGHT, &first),
                                  plot_y (&plot, 0.25), 1.0);
  g_assert_cmpfloat_with_epsilon (find_color_row (canvas, x, 0, HEIGHT, &second),
                                  plot_y (&plot, 0.75), 1.0);

  /* The legend: both colours show in the header, above the plot */
  {
    guint with_first = 0, with_second = 0;
    double rgb[3];

    for (int y = 0; y < plot.origin.y; y++)
      for (int i = 0; i < WIDTH; i++)
        {
          pixel (canvas, i, y, rgb);
          with_first += distance (rgb, &first) < 0.05;
          with_second += distance (rgb, &second) < 0.05;
        }
    g_assert_cmpuint (with_first, >, 50);
    g_assert_cmpuint (with_second, >, 50);
  }
}

static void
test_band (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (20, 50, 80);
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA color;
  double inside[3], outside[3];
  int x;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  _arb_chart_series_color (0, FALSE, &color);
  x = (int) (plot.origin.x + plot.size.width / 2);

  /* The line is at the average */
  g_assert_cmpfloat_with_epsilon (find_color_row (canvas, x, 0, HEIGHT, &color),
                                  plot_y (&plot, 0.5), 1.0);
  /* A tint of the series' colour (blue) between min and max, white outside */
  for (double f = 0.3; f < 0.75; f += 0.35)
    {
      pixel (canvas, x, (int) plot_y (&plot, f), inside);
      g_assert_cmpfloat (inside[2] - inside[0], >, 0.1);
      g_assert_cmpfloat (inside[0], >, 0.6);
    }
  pixel (canvas, x, (int) plot_y (&plot, 0.1), outside);
  g_assert_cmpfloat (fabs (outside[2] - outside[0]), <, 0.02);
  pixel (canvas, x, (int) plot_y (&plot, 0.9), outside);
  g_assert_cmpfloat (fabs (outside[2] - outside[0]), <, 0.02);
}

static void
test_gaps (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA color;
  double x_of_minute;

  /* 0-15 min: values; 15-30: buckets with count 0; 30-45: values;
   * 45-60: no points at all (a jump in time). */
  for (guint i = 0; i < 3600; i++)
    {
      ArbPoint p = point (T0 + i * 1000, 50, 50, 50);

      if (i >= 900 && i < 1800)
        p = (ArbPoint) { T0 + i * 1000, NAN, NAN, NAN, 0 };
      if (i >= 2700 && i < 3590)
        continue;
      g_array_append_val (points, p);
    }
  arb_chart_add_series (chart, NULL);
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  _arb_chart_series_color (0, FALSE, &color);
  x_of_minute = plot.size.width / 60;

  g_assert_false (isnan (find_color_row (canvas, (int) (plot.origin.x + 7 * x_of_minute), 0,
                                         HEIGHT, &color)));
  g_assert_true (isnan (find_color_row (canvas, (int) (plot.origin.x + 22 * x_of_minute), 0,
                                        HEIGHT, &color)));
  g_assert_false (isnan (find_color_row (canvas, (int) (plot.origin.x + 37 * x_of_minute), 0,
                                         HEIGHT, &color)));
  g_assert_true (isnan (find_color_row (canvas, (int) (plot.origin.x + 52 * x_of_minute), 0,
                                        HEIGHT, &color)));
}

static void
test_isolated_point (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  ArbPoint points[] = {
    point (T0, 50, 50, 50),
    { T0 + 1000, NAN, NAN, NAN, 0 },
    point (T0 + 30 * 60000, 50, 50, 50),
    { T0 + 30 * 60000 + 1000, NAN, NAN, NAN, 0 },
    { T0 + 45 * 60000, 30, 50, 70, 5 },
    { T0 + 45 * 60000 + 1000, NAN, NAN, NAN, 0 },
  };
  double rgb[3];
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA color;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  _arb_chart_series_color (0, FALSE, &color);
  /* A lone point still shows, as a dot */
  g_assert_cmpfloat_with_epsilon (find_color_row (canvas,
                                                  (int) (plot.origin.x + plot.size.width / 2),
                                                  0, HEIGHT, &color),
                                  plot_y (&plot, 0.5), 1.0);
  /* ... and a lone band as a bar */
  pixel (canvas, (int) (plot.origin.x + plot.size.width * 0.75), (int) plot_y (&plot, 0.62), rgb);
  g_assert_cmpfloat (rgb[2] - rgb[0], >, 0.1);
}

static void
test_empty (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(Canvas) canvas = NULL;
  g_autoptr(Canvas) blank = NULL;
  g_autoptr(Canvas) old = NULL;
  ArbPoint stale = point (T0 - 2 * HOUR_MS, 5, 5, 5);
  guint ink;

  g_assert_cmpstr (arb_chart_get_empty_text (chart), ==, "No data yet");
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_is_empty (chart));
  ink = count_ink (canvas, WIDTH / 4, HEIGHT / 3, 3 * WIDTH / 4, 2 * HEIGHT / 3);
  g_assert_cmpuint (ink, >, 30);
  g_assert_null (_arb_chart_get_value_labels (chart)[0]);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==, "No data yet");

  /* Without the text, the centre is blank: the ink above was the text */
  arb_chart_set_empty_text (chart, "");
  blank = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_cmpuint (count_ink (blank, WIDTH / 4, HEIGHT / 3, 3 * WIDTH / 4, 2 * HEIGHT / 3), ==, 0);

  /* A series whose only point is outside the time range is empty too */
  arb_chart_set_empty_text (chart, NULL);
  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, &stale, 1);
  old = render (chart, WIDTH, HEIGHT, TRUE);
  g_assert_true (_arb_chart_is_empty (chart));
  g_assert_cmpuint (count_ink (old, WIDTH / 4, HEIGHT / 3, 3 * WIDTH / 4, 2 * HEIGHT / 3), >, 30);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==, "No data yet");

  /* ... and once a point is inside, it is not */
  arb_chart_set_time_range (chart, 0, 0);
  g_clear_pointer (&old, canvas_free);
  old = render (chart, WIDTH, HEIGHT, TRUE);
  g_assert_false (_arb_chart_is_empty (chart));
}

static gboolean
all_labels_end_with (const char *const *labels, const char *suffix)
{
  for (guint i = 0; labels[i] != NULL; i++)
    if (!g_str_has_suffix (labels[i], suffix))
      return FALSE;
  return labels[0] != NULL;
}

static void
test_axis_labels (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (3, 40, 97);
  g_autoptr(Canvas) canvas = NULL;
  const char *const *labels;
  guint n;
  double step;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);

  /* Round steps from "0 %" to "100 %", evenly spaced */
  labels = _arb_chart_get_value_labels (chart);
  n = g_strv_length ((char **) labels);
  g_assert_cmpuint (n, >=, 3);
  g_assert_cmpstr (labels[0], ==, "0 %");
  g_assert_cmpstr (labels[n - 1], ==, "100 %");
  step = 100.0 / (n - 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%g %%", i * step);

      g_assert_cmpstr (labels[i], ==, expected);
    }

  /* The time axis: "HH:MM" in the hour shown, in order */
  labels = _arb_chart_get_time_labels (chart);
  g_assert_cmpuint (g_strv_length ((char **) labels), >=, 3);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      g_assert_true (g_regex_match_simple ("^1[23]:[0-5][0-9]$", labels[i], 0, 0));
      if (i > 0)
        g_assert_cmpint (strcmp (labels[i - 1], labels[i]), <, 0);
    }

  /* Automatic: 3..97 % is drawn from 0 % (a quantity) to 100 % */
  arb_chart_set_value_range (chart, NAN, NAN);
  g_clear_pointer (&canvas, canvas_free);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  labels = _arb_chart_get_value_labels (chart);
  n = g_strv_length ((char **) labels);
  g_assert_cmpstr (labels[0], ==, "0 %");
  g_assert_cmpstr (labels[n - 1], ==, "100 %");

  /* Memory in GiB; the same number of decimals on every label */
  g_array_unref (points);
  points = flat_points (0, 1.0 * 1024 * 1024 * 1024, 1.5 * 1024 * 1024 * 1024);
  arb_chart_set_unit (chart, "bytes");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  g_clear_pointer (&canvas, canvas_free);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  labels = _arb_chart_get_value_labels (chart);
  g_assert_true (all_labels_end_with (labels, " GiB"));
  g_assert_cmpfloat (g_ascii_strtod (labels[0], NULL), ==, 0);
  g_assert_cmpfloat (g_ascii_strtod (labels[g_strv_length ((char **) labels) - 1], NULL), ==, 1.5);
  for (guint i = 1; labels[i] != NULL; i++)
    g_assert_cmpuint (strlen (labels[i]), ==, strlen (labels[0]));

  /* Prices keep to their extent; one end can be fixed */
  g_array_unref (points);
  points = flat_points (1010, 1020, 1030);
  arb_chart_set_unit (chart, "USD");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  g_clear_pointer (&canvas, canvas_free);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  labels = _arb_chart_get_value_labels (chart);
  g_assert_true (g_str_has_prefix (labels[0], "$1.0"));
  g_assert_true (all_labels_end_with (labels, "k"));
  arb_chart_set_value_range (chart, 0, NAN);
  g_clear_pointer (&canvas, canvas_free);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  labels = _arb_chart_get_value_labels (chart);
  g_assert_cmpstr (labels[0], ==, "$0.0k");
}

static void
test_negative (void)
{
  g_autoptr(ArbChart) chart = make_chart ("USD");
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));
  g_autoptr(Canvas) canvas = NULL;
  const char *const *labels;
  graphene_rect_t plot;
  double rgb[3];
  int zero_row;

  for (guint i = 0; i < 360; i++)
    {
      double v = 40 * sin (i / 20.0);
      ArbPoint p = point (T0 + i * 10000, v, v, v);

      g_array_append_val (points, p);
    }
  arb_chart_add_series (chart, "Profit");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  labels = _arb_chart_get_value_labels (chart);
  g_assert_true (g_str_has_prefix (labels[0], "-$"));
  g_assert_true (g_str_has_prefix (labels[g_strv_length ((char **) labels) - 1], "$"));

  /* The zero line is darker than the grid */
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  zero_row = (int) floor (plot_y (&plot, 0.5));
  /* where the series is at its top, far from zero */
  pixel (canvas, (int) (plot.origin.x + plot.size.width * 314 / 3600), zero_row, rgb);
  g_assert_cmpfloat (rgb[0], <, 0.85);
}

/* No title and no legend: the plot starts near the top, and the summary
 * names the values generically. */
static void
test_untitled (void)
{
  g_autoptr(ArbChart) chart = g_object_ref_sink (arb_chart_new ());
  g_autoptr(GArray) points = flat_points (50, 50, 50);
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;

  arb_chart_add_series (chart, NULL);
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  g_assert_cmpfloat (plot.origin.y, <, 20);
  g_assert_nonnull (_arb_chart_get_time_labels (chart)[0]);
  g_assert_true (g_str_has_prefix (_arb_chart_get_summary (chart), "Values: latest 50, min 50, max 50 over the last "));
}

static void
test_sparkline (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (50, 50, 50);
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  GdkRGBA color;
  int min_w, nat_w;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_value_range (chart, 0, 100);
  arb_chart_set_sparkline (chart, TRUE);
  g_assert_true (arb_chart_get_sparkline (chart));
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w,
                      NULL, NULL);
  g_assert_cmpint (min_w, <, 100);

  canvas = render (chart, 200, 60, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  /* No axes: the plot spans the width, and no time labels */
  g_assert_cmpfloat (plot.origin.x, <=, 4);
  g_assert_cmpfloat (plot.size.width, >=, 192);
  g_assert_null (_arb_chart_get_time_labels (chart)[0]);
  _arb_chart_series_color (0, FALSE, &color);
  /* A thinner line: no pixel has all of its colour */
  g_assert_cmpfloat_with_epsilon (find_color_row_within (canvas, 100, (int) plot.origin.y, 60,
                                                         &color, 0.25),
                                  plot_y (&plot, 0.5), 1.0);
  /* The title and the latest value in the top line */
  g_assert_cmpuint (count_ink (canvas, 0, 0, 60, (int) plot.origin.y), >, 10);
  g_assert_cmpuint (count_ink (canvas, 140, 0, 200, (int) plot.origin.y), >, 10);

  arb_chart_set_sparkline (chart, FALSE);
  gtk_widget_measure (GTK_WIDGET (chart), GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w,
                      NULL, NULL);
  g_assert_cmpint (min_w, >=, 100);
}

static void
test_hover (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (20, 50, 80);
  g_autoptr(GArray) second = flat_points (10, 10, 10);
  g_autoptr(Canvas) before = NULL;
  g_autoptr(Canvas) after = NULL;
  graphene_rect_t plot;
  char *text;
  double x;

  arb_chart_add_series (chart, "CPU");
  arb_chart_add_series (chart, "Steal");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_points (chart, 1, (ArbPoint *) second->data, second->len);
  arb_chart_set_value_range (chart, 0, 100);

  /* Nothing to hover before the chart is drawn */
  _arb_chart_hover_at (chart, 100, 100);
  g_assert_null (_arb_chart_get_hover_text (chart));
  _arb_chart_hover_end (chart);

  before = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  x = plot.origin.x + plot.size.width / 2;
  _arb_chart_hover_at (chart, x, plot.origin.y + plot.size.height / 2);
  text = _arb_chart_get_hover_text (chart);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "12:30:0") || g_str_has_prefix (text, "12:29:5"));
  g_assert_nonnull (strstr (text, "\nCPU: 50 % (20 % – 80 %)"));
  g_assert_nonnull (strstr (text, "\nSteal: 10 %"));
  g_free (text);

  /* The crosshair and the label change the pixels near the point */
  after = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_cmpuint (count_ink (after, (int) x + 12, (int) plot.origin.y + 6, (int) x + 60,
                               (int) plot.origin.y + 20), >,
                    count_ink (before, (int) x + 12, (int) plot.origin.y + 6, (int) x + 60,
                               (int) plot.origin.y + 20));
  {
    double rgb[3];

    pixel (after, (int) floor (x), (int) plot_y (&plot, 0.95), rgb);
    g_assert_cmpfloat (rgb[0], <, 0.85);
  }

  /* Near the right edge the label flips to the left of the crosshair */
  _arb_chart_hover_at (chart, plot.origin.x + plot.size.width - 1, plot.origin.y + 10);
  g_clear_pointer (&after, canvas_free);
  after = render (chart, WIDTH, HEIGHT, TRUE);
  text = _arb_chart_get_hover_text (chart);
  g_assert_true (g_str_has_prefix (text, "12:59:5"));
  g_free (text);

  /* Outside the plot, and after leaving: nothing */
  _arb_chart_hover_at (chart, x, plot.origin.y + plot.size.height + 10);
  g_assert_null (_arb_chart_get_hover_text (chart));
  _arb_chart_hover_at (chart, x, plot.origin.y + 10);
  _arb_chart_hover_end (chart);
  g_assert_null (_arb_chart_get_hover_text (chart));
}

/* Pages replace a series' points as values arrive (arb_chart_show_series()):
 * each set replaces the last, whatever its size. */
static void
test_replace (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(GArray) points = flat_points (10, 10, 10);
  ArbPoint p;
  guint n;

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, 100);
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), ==, 100);
  arb_chart_set_time_range (chart, 0, 0);

  /* A later window of 4,096 points replaces the first set */
  g_array_set_size (points, 0);
  for (guint i = 5000 - 4096; i < 5000; i++)
    {
      p = point (T0 + i * 1000, 10, 10, 10);
      g_array_append_val (points, p);
    }
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), ==, 4096);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==,
                   "CPU: latest 10 %, min 10 %, max 10 % over the last 4095 seconds");

  /* The newest bucket changed (a coarse tier's bucket grows as values arrive) */
  g_array_index (points, ArbPoint, points->len - 1) = point (T0 + 4999 * 1000, 5, 30, 90);
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  n = _arb_chart_get_n_points (chart, 0);
  g_assert_cmpuint (n, ==, 4096);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==,
                   "CPU: latest 30 %, min 5 %, max 90 % over the last 4095 seconds");

  /* A larger set grows the copy, an empty one empties it */
  g_array_set_size (points, 0);
  for (guint i = 0; i < 5000; i++)
    {
      p = point (T0 + i * 1000, 1, 1, 1);
      g_array_append_val (points, p);
    }
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), ==, 5000);
  arb_chart_set_points (chart, 0, NULL, 0);
  g_assert_cmpuint (_arb_chart_get_n_points (chart, 0), ==, 0);
}

static void
test_unsorted (void)
{
  g_autoptr(ArbChart) chart = make_chart (NULL);
  ArbPoint points[] = {
    point (T0 + 3000, 3, 3, 3),
    point (T0 + 1000, 1, 1, 1),
    point (T0 + 2000, 2, 2, 2),
  };
  g_autoptr(Canvas) canvas = NULL;
  graphene_rect_t plot;
  char *text;

  arb_chart_add_series (chart, "Rate");
  arb_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));
  arb_chart_set_time_range (chart, T0, T0 + 4000);
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_true (_arb_chart_get_plot_area (chart, &plot));
  _arb_chart_hover_at (chart, plot.origin.x + plot.size.width / 4, plot.origin.y + 5);
  text = _arb_chart_get_hover_text (chart);
  g_assert_cmpstr (text, ==, "12:00:01\nRate: 1");
  g_free (text);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==,
                   "Rate: latest 3, min 1, max 3 over the last 4 seconds");
}

static void
test_summary (void)
{
  g_autoptr(ArbChart) chart = make_chart ("%");
  g_autoptr(Canvas) canvas = NULL;
  ArbPoint points[] = {
    point (T0 + 600000, 4, 10, 40),
    point (T0 + 1200000, 50, 60, 97),
    point (T0 + 1800000, 23, 23, 23),
  };

  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, points, G_N_ELEMENTS (points));
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==,
                   "CPU: latest 23 %, min 4 %, max 97 % over the last hour");
  assert_description (chart, "CPU: latest 23 %, min 4 %, max 97 % over the last hour");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "CPU");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG);

  /* A second series without data, and a wider range */
  arb_chart_add_series (chart, "Swap");
  arb_chart_set_time_range (chart, T0 - 6 * 24 * HOUR_MS, T0 + 24 * HOUR_MS);
  g_assert_cmpstr (_arb_chart_get_summary (chart), ==,
                   "CPU: latest 23 %, min 4 %, max 97 %; Swap: no data over the last 7 days");
  canvas = render (chart, WIDTH, HEIGHT, FALSE);
  g_assert_false (_arb_chart_is_empty (chart));
  g_assert_cmpstr (_arb_chart_get_value_labels (chart)[0], ==, "0 %");

  /* A series without a label is named after the chart */
  arb_chart_set_title (chart, NULL);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (chart),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  arb_chart_set_title (chart, "Memory");
  arb_chart_set_unit (chart, "bytes");
  g_assert_true (g_str_has_prefix (_arb_chart_get_summary (chart), "CPU: latest 23 B"));
}

static void
on_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  (*count)++;
}

static void
test_properties (void)
{
  g_autoptr(ArbChart) chart = g_object_ref_sink (arb_chart_new ());
  g_autofree char *title = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *empty = NULL;
  gboolean sparkline;
  guint count = 0;

  g_signal_connect (chart, "notify", G_CALLBACK (on_notify), &count);
  g_object_set (chart, "title", "Network", "unit", "bytes/s", "empty-text", "Nothing",
                "sparkline", TRUE, NULL);
  g_assert_cmpuint (count, ==, 4);
  /* Setting the same values again notifies nothing */
  g_object_set (chart, "title", "Network", "unit", "bytes/s", "empty-text", "Nothing",
                "sparkline", TRUE, NULL);
  g_assert_cmpuint (count, ==, 4);

  g_object_get (chart, "title", &title, "unit", &unit, "empty-text", &empty,
                "sparkline", &sparkline, NULL);
  g_assert_cmpstr (title, ==, "Network");
  g_assert_cmpstr (unit, ==, "bytes/s");
  g_assert_cmpstr (empty, ==, "Nothing");
  g_assert_true (sparkline);
  g_assert_cmpstr (arb_chart_get_title (chart), ==, "Network");
  g_assert_cmpstr (arb_chart_get_unit (chart), ==, "bytes/s");

  /* An empty time range means "follow the data"; an infinite end, "fit the data" */
  arb_chart_set_time_range (chart, 5, 1);
  arb_chart_set_value_range (chart, 0, INFINITY);
  arb_chart_set_value_range (chart, 0, NAN);
  arb_chart_set_empty_text (chart, NULL);
  g_assert_cmpstr (arb_chart_get_empty_text (chart), ==, "No data yet");
}

/* ---------------------------------------------------------------- in a window */

static gboolean
timed_out (gpointer data)
{
  g_error ("timed out waiting for the window");
  return G_SOURCE_REMOVE;
}

static void
wait_for (GtkWidget *widget, gboolean mapped)
{
  /* bounded, but generous: a first map under AddressSanitizer on a busy
   * 2-core machine took more than 10 s */
  guint id = g_timeout_add_seconds (30, timed_out, NULL);

  while (gtk_widget_get_mapped (widget) != mapped
         || (mapped && gtk_widget_get_width (widget) == 0))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
test_widget (void)
{
  GtkWidget *window = gtk_window_new ();
  ArbChart *chart = arb_chart_new ();
  g_autoptr(GArray) points = flat_points (50, 50, 50);
  GtkSnapshot *snapshot;
  GskRenderNode *first, *second;
  cairo_surface_t *surface;
  cairo_t *cr;
  Canvas canvas = { 0, };
  GdkRGBA color;
  ArbPoint p;
  int width, height;

  arb_chart_set_title (chart, "CPU");
  arb_chart_set_unit (chart, "%");
  arb_chart_add_series (chart, "CPU");
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  arb_chart_set_time_range (chart, T0, T0 + HOUR_MS);
  arb_chart_set_value_range (chart, 0, 100);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (GTK_WIDGET (chart), TRUE);

  /* Shown: the summary follows new data by itself */
  p = point (T0 + HOUR_MS - 500, 70, 70, 70);
  g_array_append_val (points, p);
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  assert_description (chart, "CPU: latest 70 %, min 50 %, max 70 % over the last hour");

  /* Drawn by the widget: the style's colours, the line where its values say */
  width = gtk_widget_get_width (GTK_WIDGET (chart));
  height = gtk_widget_get_height (GTK_WIDGET (chart));
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (chart)->snapshot (GTK_WIDGET (chart), snapshot);
  first = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (first);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gsk_render_node_draw (first, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  canvas.surface = surface;
  canvas.data = cairo_image_surface_get_data (surface);
  canvas.stride = cairo_image_surface_get_stride (surface);
  {
    graphene_rect_t plot;

    g_assert_true (_arb_chart_get_plot_area (chart, &plot));
    _arb_chart_series_color (0, FALSE, &color);
    g_assert_cmpfloat_with_epsilon (find_color_row (&canvas,
                                                    (int) (plot.origin.x + plot.size.width / 2),
                                                    0, height, &color),
                                    plot_y (&plot, 0.5), 1.0);
  }
  cairo_surface_destroy (surface);

  /* Nothing changed: the same drawing is reused */
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (chart)->snapshot (GTK_WIDGET (chart), snapshot);
  second = gtk_snapshot_free_to_node (snapshot);
  g_assert_true (first == second);
  gsk_render_node_unref (second);

  /* A hover draws over the same cached drawing */
  {
    graphene_rect_t plot;
    GskRenderNode *hovered;

    g_assert_true (_arb_chart_get_plot_area (chart, &plot));
    _arb_chart_hover_at (chart, plot.origin.x + plot.size.width / 2, plot.origin.y + 20);
    snapshot = gtk_snapshot_new ();
    GTK_WIDGET_GET_CLASS (chart)->snapshot (GTK_WIDGET (chart), snapshot);
    hovered = gtk_snapshot_free_to_node (snapshot);
    g_assert_cmpint (gsk_render_node_get_node_type (hovered), ==, GSK_CONTAINER_NODE);
    g_assert_true (gsk_container_node_get_child (hovered, 0) == first);
    gsk_render_node_unref (hovered);
    _arb_chart_hover_end (chart);
  }
  gsk_render_node_unref (first);

  /* The mouse, through the chart's own motion controller */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));
    graphene_rect_t plot;
    char *text;

    g_assert_true (_arb_chart_get_plot_area (chart, &plot));
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_EVENT_CONTROLLER_MOTION (controller))
          continue;
        g_signal_emit_by_name (controller, "motion", plot.origin.x + plot.size.width / 2,
                               plot.origin.y + 20);
        text = _arb_chart_get_hover_text (chart);
        g_assert_true (g_str_has_prefix (text, "12:30:00\nCPU: 50 %"));
        g_free (text);
        g_signal_emit_by_name (controller, "leave");
        g_assert_null (_arb_chart_get_hover_text (chart));
      }
  }

  /* A change of the window's state that is not a minimising changes nothing */
  g_object_notify (G_OBJECT (gtk_native_get_surface (GTK_NATIVE (window))), "state");
  assert_description (chart, "CPU: latest 70 %, min 50 %, max 70 % over the last hour");

  /* Hidden: changes wait; the summary is not even computed */
  gtk_widget_set_visible (GTK_WIDGET (chart), FALSE);
  wait_for (GTK_WIDGET (chart), FALSE);
  p = point (T0 + HOUR_MS, 90, 90, 90);
  g_array_append_val (points, p);
  arb_chart_set_points (chart, 0, (ArbPoint *) points->data, points->len);
  assert_description (chart, "CPU: latest 70 %, min 50 %, max 70 % over the last hour");
  /* ... until it shows again */
  gtk_widget_set_visible (GTK_WIDGET (chart), TRUE);
  wait_for (GTK_WIDGET (chart), TRUE);
  assert_description (chart, "CPU: latest 90 %, min 50 %, max 90 % over the last hour");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
wait_timed_out (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main context until @chart is awake or not, at most @ms. */
static gboolean
wait_awake (ArbChart *chart, gboolean awake, guint ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, wait_timed_out, &timed_out);

  while (_arb_chart_is_awake (chart) != awake && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

/* Whether a window manager runs on the display, after at most 10 s. */
static gboolean
wait_window_manager (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (!GDK_IS_X11_DISPLAY (display))
    return FALSE;
  /* GDK looks for the window manager again at most once a second */
  while (g_strcmp0 (gdk_x11_screen_get_window_manager_name (
                      gdk_x11_display_get_screen (display)), "unknown") == 0)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (100 * 1000);
    }
  return TRUE;
}

/* A minimised window keeps its widgets mapped (GTK 4.8): the chart must watch
 * the window to stop drawing. Minimising needs a window manager in Xvfb. */
static void
test_minimised (void)
{
  g_autofree char *wm = g_find_program_in_path ("openbox");
  const char *argv[] = { wm, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) points = flat_points (50, 50, 50);
  GtkWidget *window;
  ArbChart *chart;
  GPid pid;

  if (wm == NULL)
    {
      g_test_skip ("openbox is not installed: no window manager to minimise a window");
      return;
    }
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  /* a window mapped while the window manager starts may never be managed */
  g_assert_true (wait_window_manager ());

  window = gtk_window_new ();
  chart = arb_chart_new ();
  arb_chart_add_series (chart, "a");
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 200);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (GTK_WIDGET (chart), TRUE);
  g_assert_true (_arb_chart_is_awake (chart));

  /* the window manager may still be starting: ask until it minimises */
  for (guint i = 0; i < 20 && _arb_chart_is_awake (chart); i++)
    {
      gtk_window_minimize (GTK_WINDOW (window));
      wait_awake (chart, FALSE, 500);
    }
  g_assert_false (_arb_chart_is_awake (chart));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (chart)));

  /* new data while minimised wait for the window to come back */
  arb_chart_set_points (chart, 0, (const ArbPoint *) points->data, points->len);
  g_assert_true (_arb_chart_get_redraw_pending (chart));
  gtk_window_unminimize (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_awake (chart, TRUE, 10000));
  g_assert_false (_arb_chart_get_redraw_pending (chart));

  gtk_window_destroy (GTK_WINDOW (window));
  kill (pid, SIGTERM);
  g_spawn_close_pid (pid);
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "UTC", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/chart/nice-ticks", test_nice_ticks);
  g_test_add_func ("/arb/chart/format-value", test_format_value);
  g_test_add_func ("/arb/chart/format-tick", test_format_tick);
  g_test_add_func ("/arb/chart/time-ticks", test_time_ticks);
  g_test_add_func ("/arb/chart/format-span", test_format_span);
  g_test_add_data_func ("/arb/chart/flat-line/light", GINT_TO_POINTER (FALSE), test_flat_line);
  g_test_add_data_func ("/arb/chart/flat-line/dark", GINT_TO_POINTER (TRUE), test_flat_line);
  g_test_add_func ("/arb/chart/hidpi", test_hidpi);
  g_test_add_func ("/arb/chart/two-series", test_two_series);
  g_test_add_func ("/arb/chart/band", test_band);
  g_test_add_func ("/arb/chart/gaps", test_gaps);
  g_test_add_func ("/arb/chart/isolated-point", test_isolated_point);
  g_test_add_func ("/arb/chart/empty", test_empty);
  g_test_add_func ("/arb/chart/axis-labels", test_axis_labels);
  g_test_add_func ("/arb/chart/negative", test_negative);
  g_test_add_func ("/arb/chart/untitled", test_untitled);
  g_test_add_func ("/arb/chart/sparkline", test_sparkline);
  g_test_add_func ("/arb/chart/hover", test_hover);
  g_test_add_func ("/arb/chart/replace", test_replace);
  g_test_add_func ("/arb/chart/unsorted", test_unsorted);
  g_test_add_func ("/arb/chart/summary", test_summary);
  g_test_add_func ("/arb/chart/properties", test_properties);
  g_test_add_func ("/arb/chart/widget", test_widget);
  g_test_add_func ("/arb/chart/minimised", test_minimised);

  return g_test_run ();
}
