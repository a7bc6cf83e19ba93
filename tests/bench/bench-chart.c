/* bench-chart.c: the time to draw a frame of a chart of 3 x 3,600 points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not a test: run it by hand on an optimised build. GTK needs a display to
 * make a widget, so without one: `xvfb-run -a _build/tests/bench-chart`.
 * The aim is a frame in under 2 ms. With a file name, it also writes the
 * last frame there as a PNG, to see what was measured.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "arb-chart.h"

#define WIDTH     1200
#define HEIGHT    400
#define N_SERIES  3
#define N_POINTS  3600
#define N_FRAMES  1000
#define T0        G_GINT64_CONSTANT (1700000000000)

static double
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static ArbPoint
make_point (guint series, guint i)
{
  double base = 30 + 20 * series + 15 * sin (i / (40.0 + series * 7));
  double noise = 5 * sin (i * 12.9898 + series) * cos (i * 78.233);

  return (ArbPoint) { T0 + (gint64) i * 1000, base + noise - 4, base + noise, base + noise + 4,
                      10 };
}

/* Draws @n_frames frames; with @live, a new point arrives in every series
 * before each frame and the window moves on, as in a live chart: the page
 * gives the chart the hour's points again (arb_chart_show_series()). */
static void
bench (ArbChart *chart, cairo_t *cr, gboolean live, const char *what)
{
  g_autofree double *times = g_new (double, N_FRAMES);
  g_autofree ArbPoint *window = g_new (ArbPoint, N_POINTS);
  double sum = 0;

  for (guint f = 0; f < N_FRAMES; f++)
    {
      double start;

      if (live)
        {
          guint i = N_POINTS + f;

          for (guint s = 0; s < N_SERIES; s++)
            {
              for (guint k = 0; k < N_POINTS; k++)
                window[k] = make_point (s, i + 1 - N_POINTS + k);
              arb_chart_set_points (chart, s, window, N_POINTS);
            }
          arb_chart_set_time_range (chart, T0 + (gint64) (i - N_POINTS + 1) * 1000,
                                    T0 + (gint64) i * 1000);
        }
      start = now_ns ();
      cairo_save (cr);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_restore (cr);
      arb_chart_draw (chart, cr, WIDTH, HEIGHT, FALSE);
      times[f] = now_ns () - start;
      sum += times[f];
    }
  qsort (times, N_FRAMES, sizeof (double), compare_doubles);
  printf ("%-34s mean %6.3f ms   p99 %6.3f ms\n", what, sum / N_FRAMES / 1e6,
          times[(guint) (N_FRAMES * 0.99)] / 1e6);
}

int
main (int argc, char **argv)
{
  g_autoptr(ArbChart) chart = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;

  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-chart: no display; run it as `xvfb-run -a %s`\n", argv[0]);
      return 77;
    }

  chart = g_object_ref_sink (arb_chart_new ());
  arb_chart_set_title (chart, "CPU");
  arb_chart_set_unit (chart, "%");
  for (guint s = 0; s < N_SERIES; s++)
    {
      g_autofree char *label = g_strdup_printf ("Series %u", s + 1);
      g_autoptr(GArray) points = g_array_sized_new (FALSE, FALSE, sizeof (ArbPoint), N_POINTS);

      arb_chart_add_series (chart, label);
      for (guint i = 0; i < N_POINTS; i++)
        {
          ArbPoint p = make_point (s, i);

          g_array_append_val (points, p);
        }
      arb_chart_set_points (chart, s, (const ArbPoint *) points->data, points->len);
    }
  arb_chart_set_time_range (chart, T0, T0 + (N_POINTS - 1) * 1000);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cr = cairo_create (surface);
  printf ("arb_chart_draw, %dx%d, %d series of %d points, %d frames each\n",
          WIDTH, HEIGHT, N_SERIES, N_POINTS, N_FRAMES);
  bench (chart, cr, FALSE, "redraw (same data):");
  bench (chart, cr, TRUE, "live (a new point every frame):");
  if (argc > 1)
    cairo_surface_write_to_png (surface, argv[1]);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
