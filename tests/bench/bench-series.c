/* bench-series.c: the cost of adding a value and of querying an hour of points
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not a test: run it by hand, e.g. `_build/tests/bench-series`, on a quiet
 * machine and with an optimised build.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "arb-series.h"
#include "arb-series-set.h"

#define N_ADDS    10000000
#define N_QUERIES 20000
#define HOUR_MS   G_GINT64_CONSTANT (3600000)

static double
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Keeps the compiler from dropping work whose result is unused. */
static volatile double sink;

static void
bench_add (void)
{
  g_autoptr(ArbSeries) series = arb_series_new ("bench", NULL, NULL, 0);
  gint64 ts = G_GINT64_CONSTANT (1700000000000);
  double start, elapsed;

  start = now_ns ();
  /* Four values a second: most land in an existing 1 s bucket, every
   * fourth moves the ring on. */
  for (guint i = 0; i < N_ADDS; i++)
    arb_series_add (series, ts + (gint64) i * 250, (double) (i % 1000));
  elapsed = now_ns () - start;

  printf ("add (3 default tiers):          %8.1f ns per value\n", elapsed / N_ADDS);
}

static void
bench_set_add (void)
{
  g_autoptr(ArbSeriesSet) set = arb_series_set_new (NULL, 0, 0);
  const char *names[] = { "cpu.total", "mem.used", "net.rx", "net.tx", "bot.alpha.spread" };
  gint64 ts = G_GINT64_CONSTANT (1700000000000);
  double start, elapsed;

  start = now_ns ();
  for (guint i = 0; i < N_ADDS; i++)
    arb_series_set_add_value (set, names[i % G_N_ELEMENTS (names)], NULL,
                              ts + (gint64) (i / G_N_ELEMENTS (names)) * 250, (double) i);
  elapsed = now_ns () - start;

  printf ("set add by name (5 series):     %8.1f ns per value\n", elapsed / N_ADDS);
}

static void
bench_query (guint max_points)
{
  g_autoptr(ArbSeries) series = arb_series_new ("bench", NULL, NULL, 0);
  g_autoptr(GArray) points = g_array_sized_new (FALSE, FALSE, sizeof (ArbPoint), 3600);
  gint64 end = G_GINT64_CONSTANT (1700000000000);
  double start, elapsed;

  /* A full hour of 1 s buckets: the 3,600 points of the finest tier. */
  for (gint64 ts = end - HOUR_MS + 1000; ts <= end; ts += 1000)
    arb_series_add (series, ts, (double) (ts % 977));

  start = now_ns ();
  for (guint i = 0; i < N_QUERIES; i++)
    {
      g_array_set_size (points, 0);
      arb_series_query (series, end - HOUR_MS, end, max_points, points);
      sink = g_array_index (points, ArbPoint, 0).avg;
    }
  elapsed = now_ns () - start;

  printf ("query 3,600 points -> %4u:      %8.1f ns per query (%u points out)\n",
          max_points, elapsed / N_QUERIES, points->len);
}

static void
bench_serialize (void)
{
  g_autoptr(ArbSeries) series = arb_series_new ("bench", NULL, NULL, 0);
  g_autoptr(GError) error = NULL;
  gint64 end = G_GINT64_CONSTANT (1700000000000);
  double start, elapsed;
  gsize size = 0;

  for (gint64 ts = end - HOUR_MS + 1000; ts <= end; ts += 1000)
    arb_series_add (series, ts, (double) (ts % 977));

  start = now_ns ();
  for (guint i = 0; i < N_QUERIES / 10; i++)
    {
      g_autoptr(GBytes) blob = arb_series_serialize_tier (series, 0);

      size = g_bytes_get_size (blob);
      if (!arb_series_restore_tier (series, 0, blob, &error))
        g_error ("restore failed: %s", error->message);
    }
  elapsed = now_ns () - start;

  printf ("serialize + restore 3,600 pts:  %8.1f ns per round trip (%" G_GSIZE_FORMAT " bytes)\n",
          elapsed / (N_QUERIES / 10), size);
}

int
main (int   argc,
      char *argv[])
{
  bench_add ();
  bench_set_add ();
  bench_query (0);
  bench_query (300);
  bench_query (60);
  bench_serialize ();
  return 0;
}
