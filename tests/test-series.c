/* test-series.c: ring buffers with retention tiers, queries, saving, and the set of series
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arb-series.h"
#include "arb-series-set.h"

#define SEC    G_GINT64_CONSTANT (1000)
#define MINUTE (60 * SEC)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

/* A plausible "now": 2023-11-14 22:13:20 UTC, on no round boundary. */
#define T0 G_GINT64_CONSTANT (1700000000123)

/* Counting allocations: the test executable replaces malloc and friends with
 * wrappers around glibc's own, so adding values can be shown to allocate
 * nothing. AddressSanitizer owns malloc itself, so there the long loop runs
 * under its checks instead. */
#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define ARB_TEST_ASAN 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__)
# define ARB_TEST_ASAN 1
#endif

#if defined(__GLIBC__) && !defined(ARB_TEST_ASAN)
# define COUNT_ALLOCS 1

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *mem, size_t size);

static volatile gboolean counting_allocs;
static volatile guint n_allocs;

void *
malloc (size_t size)
{
  if (counting_allocs)
    n_allocs++;
  return __libc_malloc (size);
}

void *
calloc (size_t n,
        size_t size)
{
  if (counting_allocs)
    n_allocs++;
  return __libc_calloc (n, size);
}

void *
realloc (void   *mem,
         size_t  size)
{
  if (counting_allocs)
    n_allocs++;
  return __libc_realloc (mem, size);
}
#endif

static GArray *
points_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (ArbPoint));
}

static ArbPoint *
point_at (GArray *points,
          guint   i)
{
  g_assert_cmpuint (i, <, points->len);
  return &g_array_index (points, ArbPoint, i);
}

static ArbSeries *
small_series (guint capacity)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, capacity } };

  return arb_series_new ("test", NULL, tiers, 1);
}

static void
test_bucket (void)
{
  g_autoptr(ArbSeries) series = arb_series_new ("cpu.total", "%", NULL, 0);
  g_autoptr(GArray) points = points_new ();
  gint64 t = 1700000000000;   /* a whole hour, minute and second */

  g_assert_cmpuint (arb_series_get_n_tiers (series), ==, 3);
  g_assert_cmpint (arb_series_get_tier_step (series, 0), ==, SEC);
  g_assert_cmpint (arb_series_get_tier_step (series, 1), ==, MINUTE);
  g_assert_cmpint (arb_series_get_tier_step (series, 2), ==, HOUR);
  g_assert_cmpuint (arb_series_get_tier_capacity (series, 0), ==, 3600);
  g_assert_cmpuint (arb_series_get_tier_capacity (series, 1), ==, 2880);
  g_assert_cmpuint (arb_series_get_tier_capacity (series, 2), ==, 2160);
  g_assert_cmpstr (arb_series_get_name (series), ==, "cpu.total");
  g_assert_cmpstr (arb_series_get_unit (series), ==, "%");
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 0);

  /* t itself is 22:13:20, so take the hour's start for clean arithmetic. */
  t -= t % HOUR;
  g_assert_true (arb_series_add (series, t + 999, 1));
  g_assert_true (arb_series_add (series, t, 2));
  g_assert_true (arb_series_add (series, t + 1000, 3));
  g_assert_true (arb_series_add (series, t + 59999, 4));
  g_assert_true (arb_series_add (series, t + 60000, 5));

  /* 1 s tier: buckets t, t+1 s, gaps, t+59 s, t+60 s. */
  g_assert_cmpuint (arb_series_get_tier_points (series, 0, points), ==, 61);
  g_assert_cmpint (point_at (points, 0)->ts, ==, t);
  g_assert_cmpuint (point_at (points, 0)->count, ==, 2);
  g_assert_cmpint (point_at (points, 1)->ts, ==, t + 1000);
  g_assert_cmpuint (point_at (points, 1)->count, ==, 1);
  g_assert_cmpint (point_at (points, 59)->ts, ==, t + 59000);
  g_assert_cmpuint (point_at (points, 59)->count, ==, 1);
  g_assert_cmpint (point_at (points, 60)->ts, ==, t + 60000);
  for (guint i = 2; i < 59; i++)
    g_assert_cmpuint (point_at (points, i)->count, ==, 0);

  /* 1 min tier: t (4 values), t+1 min (1 value). */
  g_array_set_size (points, 0);
  g_assert_cmpuint (arb_series_get_tier_points (series, 1, points), ==, 2);
  g_assert_cmpint (point_at (points, 0)->ts, ==, t);
  g_assert_cmpuint (point_at (points, 0)->count, ==, 4);
  g_assert_cmpint (point_at (points, 1)->ts, ==, t + MINUTE);
  g_assert_cmpuint (point_at (points, 1)->count, ==, 1);

  /* 1 h tier: everything in one bucket. */
  g_array_set_size (points, 0);
  g_assert_cmpuint (arb_series_get_tier_points (series, 2, points), ==, 1);
  g_assert_cmpint (point_at (points, 0)->ts, ==, t);
  g_assert_cmpuint (point_at (points, 0)->count, ==, 5);

  /* Out of range values and times are dropped and change nothing. */
  g_assert_false (arb_series_add (series, t + 2000, NAN));
  g_assert_false (arb_series_add (series, t + 2000, INFINITY));
  g_assert_false (arb_series_add (series, t + 2000, -INFINITY));
  g_assert_false (arb_series_add (series, t + 2000, 1e300));
  g_assert_false (arb_series_add (series, -1, 1));
  g_assert_false (arb_series_add (series, ARB_SERIES_MAX_TS + 1, 1));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 61);
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 2), ==, 1);

  /* Time 0 is a valid time. */
  {
    g_autoptr(ArbSeries) zero = small_series (4);
    ArbPoint p;

    g_assert_true (arb_series_add (zero, 0, 7));
    arb_series_get_tier_point (zero, 0, 0, &p);
    g_assert_cmpint (p.ts, ==, 0);
    g_assert_cmpfloat (p.avg, ==, 7);
  }
}

static void
test_min_avg_max (void)
{
  g_autoptr(ArbSeries) series = small_series (8);
  const double values[] = { 1.5, -2.25, 4, 10, 0 };
  ArbPoint p;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_true (arb_series_add (series, T0 + i * 100, values[i]));

  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 1);
  arb_series_get_tier_point (series, 0, 0, &p);
  g_assert_cmpint (p.ts, ==, T0 - T0 % SEC);
  g_assert_cmpuint (p.count, ==, 5);
  g_assert_cmpfloat (p.min, ==, -2.25);
  g_assert_cmpfloat (p.max, ==, 10);
  g_assert_cmpfloat (p.avg, ==, 13.25 / 5);

  /* One value: all three equal it. */
  g_assert_true (arb_series_add (series, T0 + SEC, -0.125));
  arb_series_get_tier_point (series, 0, 1, &p);
  g_assert_cmpuint (p.count, ==, 1);
  g_assert_cmpfloat (p.min, ==, -0.125);
  g_assert_cmpfloat (p.avg, ==, -0.125);
  g_assert_cmpfloat (p.max, ==, -0.125);

  /* The average never leaves min..max, however the sum rounds. */
  for (guint i = 0; i < 1000; i++)
    g_assert_true (arb_series_add (series, T0 + 2 * SEC, 0.1));
  arb_series_get_tier_point (series, 0, 2, &p);
  g_assert_cmpuint (p.count, ==, 1000);
  g_assert_cmpfloat (p.avg, >=, p.min);
  g_assert_cmpfloat (p.avg, <=, p.max);
  g_assert_cmpfloat_with_epsilon (p.avg, 0.1, 1e-12);
}

static void
test_wrap (void)
{
  const guint capacity = 50;
  g_autoptr(ArbSeries) series = small_series (capacity);
  gint64 start = T0 - T0 % SEC;

  /* Many times round the ring; after each value the ring holds exactly the
   * newest buckets, oldest first, each with its own value. */
  for (guint i = 0; i < capacity * 40 + 7; i++)
    {
      guint n, expected_n = MIN (i + 1, capacity);
      ArbPoint first, last;

      g_assert_true (arb_series_add (series, start + i * SEC + 500, i));

      n = arb_series_get_tier_n_points (series, 0);
      g_assert_cmpuint (n, ==, expected_n);
      arb_series_get_tier_point (series, 0, 0, &first);
      arb_series_get_tier_point (series, 0, n - 1, &last);
      g_assert_cmpint (last.ts, ==, start + i * SEC);
      g_assert_cmpfloat (last.avg, ==, i);
      g_assert_cmpint (first.ts, ==, start + (gint64) (i + 1 - n) * SEC);
      g_assert_cmpfloat (first.avg, ==, i + 1 - n);
    }

  for (guint i = 0; i < capacity; i++)
    {
      ArbPoint p;

      arb_series_get_tier_point (series, 0, i, &p);
      g_assert_cmpuint (p.count, ==, 1);
      g_assert_cmpint (p.ts, ==, start + (gint64) (capacity * 39 + 7 + i) * SEC);
      g_assert_cmpfloat (p.min, ==, p.ts / SEC - start / SEC);
    }

  /* A jump forward of more than the ring empties it but for the new value. */
  g_assert_true (arb_series_add (series, start + 10 * DAY, -1));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 1);
  g_assert_cmpuint (arb_series_get_tier_capacity (series, 0), ==, capacity);

  /* A late value then grows the ring back over slots of the old lap: what
   * they held is gone. */
  g_assert_true (arb_series_add (series, start + 10 * DAY - 10 * SEC, -2));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 11);
  for (guint i = 1; i < 10; i++)
    {
      ArbPoint p;

      arb_series_get_tier_point (series, 0, i, &p);
      g_assert_cmpuint (p.count, ==, 0);
    }
}

static void
test_gaps (void)
{
  g_autoptr(ArbSeries) series = small_series (100);
  g_autoptr(GArray) points = points_new ();
  gint64 start = T0 - T0 % SEC;
  ArbPoint p;

  g_assert_true (arb_series_add (series, start, 1));
  g_assert_true (arb_series_add (series, start + 5 * SEC, 0));

  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 6);
  for (guint i = 1; i < 5; i++)
    {
      arb_series_get_tier_point (series, 0, i, &p);
      g_assert_cmpint (p.ts, ==, start + i * SEC);
      g_assert_cmpuint (p.count, ==, 0);
      g_assert_true (isnan (p.min) && isnan (p.avg) && isnan (p.max));
    }
  /* A zero is a value, not a gap. */
  arb_series_get_tier_point (series, 0, 5, &p);
  g_assert_cmpuint (p.count, ==, 1);
  g_assert_cmpfloat (p.avg, ==, 0);

  /* Queries skip gaps: two points, five seconds apart. */
  g_assert_cmpint (arb_series_query (series, start, start + 10 * SEC, 0, points), ==, SEC);
  g_assert_cmpuint (points->len, ==, 2);
  g_assert_cmpint (point_at (points, 0)->ts, ==, start);
  g_assert_cmpint (point_at (points, 1)->ts, ==, start + 5 * SEC);

  /* A range that ends in a gap. */
  g_array_set_size (points, 0);
  g_assert_cmpint (arb_series_query (series, start, start + 3 * SEC, 2, points), ==, SEC);
  g_assert_cmpuint (points->len, ==, 1);
  g_assert_cmpint (point_at (points, 0)->ts, ==, start);

  /* Advancing over a slot reused from an earlier lap clears it. */
  for (guint i = 6; i < 100; i++)
    g_assert_true (arb_series_add (series, start + i * SEC, i));
  g_assert_true (arb_series_add (series, start + 103 * SEC, 3));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 100);
  /* start + 100 s took the slot of start, which held a value. */
  arb_series_get_tier_point (series, 0, 96, &p);
  g_assert_cmpint (p.ts, ==, start + 100 * SEC);
  g_assert_cmpuint (p.count, ==, 0);
}

static void
test_late (void)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, 10 }, { 10 * SEC, 10 } };
  g_autoptr(ArbSeries) series = arb_series_new ("late", NULL, tiers, 2);
  gint64 start = 1000 * SEC;
  gint64 ts;
  double value;
  ArbPoint p;

  g_assert_true (arb_series_add (series, start + 5 * SEC, 5));
  /* Older than the oldest bucket held, but within the ring: the ring grows
   * back, with gaps between. */
  g_assert_true (arb_series_add (series, start + 2 * SEC, 2));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 4);
  arb_series_get_tier_point (series, 0, 0, &p);
  g_assert_cmpint (p.ts, ==, start + 2 * SEC);
  g_assert_cmpfloat (p.avg, ==, 2);
  arb_series_get_tier_point (series, 0, 1, &p);
  g_assert_cmpuint (p.count, ==, 0);

  g_assert_true (arb_series_add (series, start + 8 * SEC, 8));
  /* Late into a gap, and late into a bucket with a value. */
  g_assert_true (arb_series_add (series, start + 6 * SEC + 1, 6));
  g_assert_true (arb_series_add (series, start + 5 * SEC + 999, 7));
  arb_series_get_tier_point (series, 0, 4, &p);
  g_assert_cmpint (p.ts, ==, start + 6 * SEC);
  g_assert_cmpfloat (p.avg, ==, 6);
  arb_series_get_tier_point (series, 0, 3, &p);
  g_assert_cmpint (p.ts, ==, start + 5 * SEC);
  g_assert_cmpuint (p.count, ==, 2);
  g_assert_cmpfloat (p.min, ==, 5);
  g_assert_cmpfloat (p.max, ==, 7);
  g_assert_cmpfloat (p.avg, ==, 6);

  /* The latest value is the one with the newest time, not the last added. */
  g_assert_true (arb_series_latest (series, &ts, &value));
  g_assert_cmpint (ts, ==, start + 8 * SEC);
  g_assert_cmpfloat (value, ==, 8);

  /* The clock goes back past the 1 s ring: only the 10 s tier keeps it. */
  g_assert_true (arb_series_add (series, start - 10 * SEC, 100));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 7);
  arb_series_get_tier_point (series, 0, 0, &p);
  g_assert_cmpint (p.ts, ==, start + 2 * SEC);
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 1), ==, 2);
  arb_series_get_tier_point (series, 1, 0, &p);
  g_assert_cmpint (p.ts, ==, start - 10 * SEC);
  g_assert_cmpfloat (p.avg, ==, 100);

  /* Past every ring: dropped. */
  g_assert_false (arb_series_add (series, start - 100 * SEC, 1));
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 1), ==, 2);
  g_assert_true (arb_series_latest (series, &ts, NULL));
  g_assert_cmpint (ts, ==, start + 8 * SEC);
}

/* Checks that each bucket of tier @coarse is the merge of the buckets of tier
 * @fine it spans. */
static void
check_aggregation (ArbSeries *series,
                   guint      fine,
                   guint      coarse)
{
  g_autoptr(GArray) fp = points_new ();
  g_autoptr(GArray) cp = points_new ();
  gint64 cstep = arb_series_get_tier_step (series, coarse);
  guint j = 0, n_checked = 0;

  arb_series_get_tier_points (series, fine, fp);
  arb_series_get_tier_points (series, coarse, cp);

  for (guint i = 0; i < cp->len; i++)
    {
      const ArbPoint *c = point_at (cp, i);
      double min = INFINITY, max = -INFINITY, weighted = 0;
      guint count = 0;

      while (j < fp->len && point_at (fp, j)->ts < c->ts)
        j++;
      /* Only buckets that the fine ring still holds in full. */
      if (fp->len == 0 || point_at (fp, 0)->ts > c->ts)
        continue;
      for (; j < fp->len && point_at (fp, j)->ts < c->ts + cstep; j++)
        {
          const ArbPoint *f = point_at (fp, j);

          if (f->count == 0)
            continue;
          min = MIN (min, f->min);
          max = MAX (max, f->max);
          weighted += f->avg * f->count;
          count += f->count;
        }
      g_assert_cmpuint (c->count, ==, count);
      if (count == 0)
        continue;
      g_assert_cmpfloat (c->min, ==, min);
      g_assert_cmpfloat (c->max, ==, max);
      g_assert_cmpfloat_with_epsilon (c->avg, weighted / count, 1e-9);
      n_checked++;
    }

  g_assert_cmpuint (n_checked, >, 0);
}

static void
test_tier_aggregation (void)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, 7200 }, { 10 * SEC, 1000 }, { MINUTE, 500 } };
  g_autoptr(ArbSeries) series = arb_series_new ("agg", NULL, tiers, 3);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GArray) cp = points_new ();
  gint64 start = T0 - T0 % MINUTE;
  gint64 ts = start;
  /* Reference of the first minute, from the raw values. */
  double min = INFINITY, max = -INFINITY, sum = 0;
  guint count = 0;

  /* Irregular times, now and then several values a second, now and then a
   * gap of many seconds; values multiples of 1/8 so that sums are exact. */
  while (ts < start + HOUR)
    {
      double value = g_rand_int_range (rand, -4000, 4000) / 8.0;

      g_assert_true (arb_series_add (series, ts, value));
      if (ts < start + MINUTE)
        {
          min = MIN (min, value);
          max = MAX (max, value);
          sum += value;
          count++;
        }
      ts += g_rand_int_range (rand, 0, 10) == 0 ? g_rand_int_range (rand, 5000, 40000)
                                                 : g_rand_int_range (rand, 0, 1500);
    }

  check_aggregation (series, 0, 1);
  check_aggregation (series, 1, 2);
  check_aggregation (series, 0, 2);

  arb_series_get_tier_points (series, 2, cp);
  g_assert_cmpuint (cp->len, ==, 60);
  g_assert_cmpint (point_at (cp, 0)->ts, ==, start);
  g_assert_cmpuint (point_at (cp, 0)->count, ==, count);
  g_assert_cmpfloat (point_at (cp, 0)->min, ==, min);
  g_assert_cmpfloat (point_at (cp, 0)->max, ==, max);
  g_assert_cmpfloat (point_at (cp, 0)->avg, ==, CLAMP (sum / count, min, max));
}

/* Fills the default tiers with one value a second over @span up to @end. */
static ArbSeries *
filled_default_series (gint64 end,
                       gint64 span)
{
  ArbSeries *series = arb_series_new ("cpu.total", "%", NULL, 0);

  for (gint64 ts = end - span; ts <= end; ts += SEC)
    g_assert_true (arb_series_add (series, ts, (double) (ts / SEC % 100)));
  return series;
}

static void
test_query_tier_choice (void)
{
  gint64 now = T0;
  g_autoptr(ArbSeries) series = filled_default_series (now, 8 * DAY);
  g_autoptr(ArbSeries) young = filled_default_series (now, 10 * MINUTE);
  g_autoptr(ArbSeries) empty = arb_series_new ("empty", NULL, NULL, 0);
  g_autoptr(GArray) points = points_new ();
  gint64 step;

  g_assert_cmpint (arb_series_pick_tier (series, now - 5 * MINUTE), ==, 0);
  g_assert_cmpint (arb_series_pick_tier (series, now - HOUR), ==, 0);
  g_assert_cmpint (arb_series_pick_tier (series, now - HOUR - 2 * SEC), ==, 1);
  g_assert_cmpint (arb_series_pick_tier (series, now - 24 * HOUR), ==, 1);
  g_assert_cmpint (arb_series_pick_tier (series, now - 48 * HOUR), ==, 1);
  g_assert_cmpint (arb_series_pick_tier (series, now - 49 * HOUR), ==, 2);
  g_assert_cmpint (arb_series_pick_tier (series, now - 7 * DAY), ==, 2);
  /* Beyond every ring: the coarsest. */
  g_assert_cmpint (arb_series_pick_tier (series, now - 365 * DAY), ==, 2);
  g_assert_cmpint (arb_series_pick_tier (series, G_MININT64), ==, 2);
  /* A range in the future is in every ring. */
  g_assert_cmpint (arb_series_pick_tier (series, G_MAXINT64), ==, 0);

  /* 5 min at 1 s: 301 buckets overlap the closed range; one value each. */
  step = arb_series_query (series, now - 5 * MINUTE, now, 0, points);
  g_assert_cmpint (step, ==, SEC);
  g_assert_cmpuint (points->len, ==, 301);
  g_assert_cmpint (point_at (points, 0)->ts, ==, (now - 5 * MINUTE) - (now - 5 * MINUTE) % SEC);
  g_assert_cmpint (point_at (points, 300)->ts, ==, now - now % SEC);

  /* 1 h at 1 s: the ring holds all but the bucket at the very start. */
  g_array_set_size (points, 0);
  step = arb_series_query (series, now - HOUR, now, 0, points);
  g_assert_cmpint (step, ==, SEC);
  g_assert_cmpuint (points->len, ==, 3600);

  /* 24 h at 1 min. */
  g_array_set_size (points, 0);
  step = arb_series_query (series, now - DAY, now, 0, points);
  g_assert_cmpint (step, ==, MINUTE);
  g_assert_cmpuint (points->len, ==, 24 * 60 + 1);
  g_assert_cmpuint (point_at (points, 1)->count, ==, 60);

  /* 7 d at 1 h. */
  g_array_set_size (points, 0);
  step = arb_series_query (series, now - 7 * DAY, now, 0, points);
  g_assert_cmpint (step, ==, HOUR);
  g_assert_cmpuint (points->len, ==, 7 * 24 + 1);
  g_assert_cmpuint (point_at (points, 1)->count, ==, 3600);

  /* A series younger than the range still answers from its finest tier, and
   * points are spent only where data is. */
  g_assert_cmpint (arb_series_pick_tier (young, now - HOUR), ==, 0);
  g_array_set_size (points, 0);
  step = arb_series_query (young, now - HOUR, now, 300, points);
  g_assert_cmpint (step, <=, 3 * SEC);
  g_assert_cmpuint (points->len, <=, 300);
  g_assert_cmpuint (points->len, >, 150);

  /* Nothing in range, backwards range, no data. */
  g_array_set_size (points, 0);
  g_assert_cmpint (arb_series_query (series, now + HOUR, now + 2 * HOUR, 0, points), ==, SEC);
  g_assert_cmpint (arb_series_query (series, now, now - HOUR, 0, points), ==, SEC);
  g_assert_cmpint (arb_series_query (series, -2 * HOUR, -HOUR, 0, points), ==, HOUR);
  g_assert_cmpuint (points->len, ==, 0);
  g_assert_cmpint (arb_series_pick_tier (empty, now), ==, -1);
  g_assert_cmpint (arb_series_query (empty, 0, G_MAXINT64, 100, points), ==, 0);
  g_assert_cmpuint (points->len, ==, 0);

  /* Open ends. */
  g_assert_cmpint (arb_series_query (series, now - 5 * MINUTE, G_MAXINT64, 0, points), ==, SEC);
  g_assert_cmpuint (points->len, ==, 301);
}

static void
test_downsample (void)
{
  g_autoptr(ArbSeries) series = small_series (3600);
  g_autoptr(GArray) points = points_new ();
  gint64 start = 1000 * HOUR;
  guint total = 0;

  /* value = second index; every 7th second missing. */
  for (guint i = 0; i < 3600; i++)
    {
      if (i % 7 == 3)
        continue;
      g_assert_true (arb_series_add (series, start + i * SEC, i));
      total++;
    }

  /* 300 points out of 3,600 buckets: 12 buckets each, aligned. */
  g_assert_cmpint (arb_series_query (series, start, start + HOUR - 1, 300, points), ==, 12 * SEC);
  g_assert_cmpuint (points->len, ==, 300);
  for (guint k = 0; k < points->len; k++)
    {
      const ArbPoint *p = point_at (points, k);
      double lo = INFINITY, hi = -INFINITY, sum = 0;
      guint n = 0;

      g_assert_cmpint (p->ts, ==, start + k * 12 * SEC);
      for (guint i = k * 12; i < k * 12 + 12; i++)
        {
          if (i % 7 == 3)
            continue;
          lo = MIN (lo, i);
          hi = MAX (hi, i);
          sum += i;
          n++;
        }
      g_assert_cmpuint (p->count, ==, n);
      g_assert_cmpfloat (p->min, ==, lo);
      g_assert_cmpfloat (p->max, ==, hi);
      g_assert_cmpfloat (p->avg, ==, sum / n);
    }

  /* Any limit: never more points than asked, nothing lost. */
  for (guint max_points = 1; max_points <= 3700; max_points += (max_points < 64 ? 1 : 97))
    {
      guint64 count = 0;
      double lo = INFINITY, hi = -INFINITY;
      gint64 width;

      g_array_set_size (points, 0);
      width = arb_series_query (series, 0, G_MAXINT64, max_points, points);
      g_assert_cmpuint (points->len, <=, max_points);
      g_assert_cmpuint (points->len, >, 0);
      g_assert_cmpint (width % SEC, ==, 0);
      for (guint k = 0; k < points->len; k++)
        {
          const ArbPoint *p = point_at (points, k);

          g_assert_cmpint (p->ts % width, ==, 0);
          g_assert_true (k == 0 || p->ts > point_at (points, k - 1)->ts);
          count += p->count;
          lo = MIN (lo, p->min);
          hi = MAX (hi, p->max);
        }
      g_assert_cmpuint (count, ==, total);
      g_assert_cmpfloat (lo, ==, 0);
      g_assert_cmpfloat (hi, ==, 3599);
    }

  /* Leading gaps in the range cost no resolution. */
  {
    g_autoptr(ArbSeries) late_start = small_series (100);

    g_assert_true (arb_series_add (late_start, start, 1));
    for (guint i = 50; i < 60; i++)
      g_assert_true (arb_series_add (late_start, start + i * SEC, i));
    g_array_set_size (points, 0);
    g_assert_cmpint (arb_series_query (late_start, start + SEC, start + 59 * SEC, 10, points), ==,
                     SEC);
    g_assert_cmpuint (points->len, ==, 10);
    g_assert_cmpint (point_at (points, 0)->ts, ==, start + 50 * SEC);
  }

  /* Groups made only of gaps give no point. */
  {
    g_autoptr(ArbSeries) sparse = small_series (100);

    g_assert_true (arb_series_add (sparse, start, 1));
    g_assert_true (arb_series_add (sparse, start + 90 * SEC, 2));
    g_array_set_size (points, 0);
    g_assert_cmpint (arb_series_query (sparse, start, start + 99 * SEC, 10, points), ==, 10 * SEC);
    g_assert_cmpuint (points->len, ==, 2);
  }
}

static void
fill_with_gaps (ArbSeries *series,
                gint64     start,
                guint      n)
{
  for (guint i = 0; i < n; i++)
    {
      if (i % 5 == 1)
        continue;
      g_assert_true (arb_series_add (series, start + i * 1000 + 10, i * 0.5 - 3));
      g_assert_true (arb_series_add (series, start + i * 1000 + 20, i * 0.25 + 1e-3));
    }
}

static void
assert_same_tier (ArbSeries *a,
                  ArbSeries *b,
                  guint      tier)
{
  g_autoptr(GArray) pa = points_new ();
  g_autoptr(GArray) pb = points_new ();

  arb_series_get_tier_points (a, tier, pa);
  arb_series_get_tier_points (b, tier, pb);
  g_assert_cmpuint (pa->len, ==, pb->len);
  for (guint i = 0; i < pa->len; i++)
    {
      const ArbPoint *x = point_at (pa, i);
      const ArbPoint *y = point_at (pb, i);

      g_assert_cmpint (x->ts, ==, y->ts);
      g_assert_cmpuint (x->count, ==, y->count);
      if (x->count == 0)
        continue;
      g_assert_cmpfloat (x->min, ==, y->min);
      g_assert_cmpfloat (x->avg, ==, y->avg);
      g_assert_cmpfloat (x->max, ==, y->max);
    }
}

static void
test_serialize_roundtrip (void)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, 300 }, { 10 * SEC, 100 } };
  g_autoptr(ArbSeries) a = arb_series_new ("rt", NULL, tiers, 2);
  g_autoptr(ArbSeries) b = arb_series_new ("rt", NULL, tiers, 2);
  g_autoptr(ArbSeries) empty = arb_series_new ("rt", NULL, tiers, 2);
  g_autoptr(GError) error = NULL;
  gint64 start = T0 - T0 % SEC;

  /* More than the ring, so that it has wrapped. */
  fill_with_gaps (a, start, 700);

  for (guint tier = 0; tier < 2; tier++)
    {
      g_autoptr(GBytes) blob = arb_series_serialize_tier (a, tier);
      g_autoptr(GBytes) again = NULL;
      guint n = arb_series_get_tier_n_points (a, tier);
      guint n_gaps = 0;

      for (guint i = 0; i < n; i++)
        {
          ArbPoint p;

          arb_series_get_tier_point (a, tier, i, &p);
          n_gaps += p.count == 0;
        }
      /* Compact: 4 bytes a gap, 28 a bucket, 32 of framing. */
      g_assert_cmpuint (g_bytes_get_size (blob), ==, 32 + 4 * n_gaps + 28 * (n - n_gaps));

      g_assert_true (arb_series_restore_tier (b, tier, blob, &error));
      g_assert_no_error (error);
      assert_same_tier (a, b, tier);

      /* What was restored serialises to the same bytes. */
      again = arb_series_serialize_tier (b, tier);
      g_assert_true (g_bytes_equal (blob, again));
    }
  g_assert_cmpuint (arb_series_get_tier_n_points (b, 0), ==, 300);

  /* The restored rings carry on as if never interrupted. */
  g_assert_true (arb_series_add (a, start + 800 * SEC, 1));
  g_assert_true (arb_series_add (b, start + 800 * SEC, 1));
  g_assert_true (arb_series_add (a, start + 650 * SEC, 2));
  g_assert_true (arb_series_add (b, start + 650 * SEC, 2));
  assert_same_tier (a, b, 0);
  assert_same_tier (a, b, 1);

  /* An empty tier round-trips, and restoring it empties a full one. */
  {
    g_autoptr(GBytes) blob = arb_series_serialize_tier (empty, 0);

    g_assert_cmpuint (g_bytes_get_size (blob), ==, 32);
    g_assert_true (arb_series_restore_tier (b, 0, blob, &error));
    g_assert_cmpuint (arb_series_get_tier_n_points (b, 0), ==, 0);
  }

  /* Into a smaller ring: the newest buckets are kept. */
  {
    const ArbSeriesTierSpec small_tiers[] = { { SEC, 40 } };
    g_autoptr(ArbSeries) c = arb_series_new ("rt", NULL, small_tiers, 1);
    g_autoptr(GBytes) blob = arb_series_serialize_tier (a, 0);
    g_autoptr(GArray) pa = points_new ();
    g_autoptr(GArray) pc = points_new ();

    g_assert_true (arb_series_restore_tier (c, 0, blob, &error));
    arb_series_get_tier_points (a, 0, pa);
    arb_series_get_tier_points (c, 0, pc);
    g_assert_cmpuint (pc->len, ==, 40);
    for (guint i = 0; i < 40; i++)
      {
        const ArbPoint *x = point_at (pa, pa->len - 40 + i);
        const ArbPoint *y = point_at (pc, i);

        g_assert_cmpint (x->ts, ==, y->ts);
        g_assert_cmpuint (x->count, ==, y->count);
        g_assert_true (x->count == 0 || x->avg == y->avg);
      }
  }
}

static guint32
test_fnv1a (const guint8 *data,
            gsize         len)
{
  guint32 hash = 2166136261u;

  for (gsize i = 0; i < len; i++)
    hash = (hash ^ data[i]) * 16777619u;
  return hash;
}

/* Makes a blob from @data with a correct checksum over it, so that checks
 * beyond the checksum are reached. */
static GBytes *
resealed (const guint8 *data,
          gsize         len)
{
  guint8 *copy = g_memdup2 (data, len);
  guint32 sum = GUINT32_TO_LE (test_fnv1a (copy, len - 4));

  memcpy (copy + len - 4, &sum, 4);
  return g_bytes_new_take (copy, len);
}

static guint32
read_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static void
assert_rejected (ArbSeries *series,
                 GBytes    *blob,
                 int        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = arb_series_serialize_tier (series, 0);
  g_autoptr(GBytes) after = NULL;

  g_assert_false (arb_series_restore_tier (series, 0, blob, &error));
  g_assert_error (error, ARB_SERIES_ERROR, code);
  /* A rejected blob leaves the tier as it was. */
  after = arb_series_serialize_tier (series, 0);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_restore_reject (void)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, 64 }, { 10 * SEC, 16 } };
  g_autoptr(ArbSeries) src = arb_series_new ("src", NULL, tiers, 2);
  g_autoptr(ArbSeries) dst = arb_series_new ("dst", NULL, tiers, 2);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) coarse = NULL;
  const guint8 *data;
  gsize len;
  guint8 *work;

  fill_with_gaps (src, 5000 * SEC, 30);
  fill_with_gaps (dst, 9000 * SEC, 10);
  blob = arb_series_serialize_tier (src, 0);
  coarse = arb_series_serialize_tier (src, 1);
  data = g_bytes_get_data (blob, &len);
  work = g_memdup2 (data, len);

  /* Every truncation. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);

      assert_rejected (dst, part, ARB_SERIES_ERROR_CORRUPT);
    }

  /* Every single byte corrupted. */
  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GBytes) bad = NULL;

      memcpy (work, data, len);
      work[i] ^= 0x5a;
      bad = g_bytes_new (work, len);
      assert_rejected (dst, bad, (i == 4 || i == 5) ? ARB_SERIES_ERROR_VERSION
                                                    : ARB_SERIES_ERROR_CORRUPT);
    }

  /* A later version, even with a valid checksum. */
  {
    g_autoptr(GBytes) bad = NULL;

    memcpy (work, data, len);
    work[4] = ARB_SERIES_BLOB_VERSION + 1;
    bad = resealed (work, len);
    assert_rejected (dst, bad, ARB_SERIES_ERROR_VERSION);
  }

  /* Another tier's step. */
  assert_rejected (dst, coarse, ARB_SERIES_ERROR_MISMATCH);

  /* Well sealed but impossible contents. The first record is a bucket with
   * a value: count at 28, min at 32, sum at 40, max at 48. */
  {
    struct { gsize offset; guint64 value; } edits[] = {
      { 6, 1 },                                   /* flags */
      { 16, 5000 * SEC + 1 },                     /* head_ts not on a bucket */
      { 16, G_GUINT64_CONSTANT (0x8000000000000000) }, /* head_ts negative */
      { 16, 3 * SEC },                            /* oldest bucket before 1970 */
      { 8, 0 },                                   /* step 0 */
      { 8, G_GUINT64_CONSTANT (0x8000000000000000) }, /* step negative */
      { 24, 31 },                                 /* n_points one too many */
      { 24, 29 },                                 /* n_points one too few */
      { 24, ARB_SERIES_MAX_CAPACITY + 1 },
      { 28, 0 },                                  /* count 0: records misaligned */
      { 32, G_GUINT64_CONSTANT (0x7ff8000000000000) }, /* min NaN */
      { 40, G_GUINT64_CONSTANT (0x7ff0000000000000) }, /* sum infinite */
      { 48, G_GUINT64_CONSTANT (0xfff0000000000000) }, /* max -infinite */
      { 32, G_GUINT64_CONSTANT (0x4059000000000000) }, /* min 100 > max */
      { 40, G_GUINT64_CONSTANT (0x40c3880000000000) }, /* sum 10000: avg > max */
      { 48, G_GUINT64_CONSTANT (0x7fefffffffffffff) }, /* max beyond the bound */
    };

    g_assert_cmpuint (read_u32 (data + 24), ==, 30);
    g_assert_cmpuint (read_u32 (data + 28), ==, 2);

    for (guint e = 0; e < G_N_ELEMENTS (edits); e++)
      {
        g_autoptr(GBytes) bad = NULL;
        gsize offset = edits[e].offset;
        gsize width = offset == 6 ? 2 : (offset == 24 || offset == 28) ? 4 : 8;
        guint64 le = GUINT64_TO_LE (edits[e].value);

        memcpy (work, data, len);
        /* Little-endian: the low bytes come first whatever the width. */
        memcpy (work + edits[e].offset, &le, width);
        bad = resealed (work, len);
        g_test_message ("edit %u at %" G_GSIZE_FORMAT, e, edits[e].offset);
        assert_rejected (dst, bad, ARB_SERIES_ERROR_CORRUPT);
      }
  }

  /* The last record cut short, resealed. */
  {
    g_autoptr(GBytes) bad = NULL;

    g_assert_cmpuint (read_u32 (data + len - 4 - 28), ==, 2);
    memcpy (work, data, len);
    bad = resealed (work, len - 8);
    assert_rejected (dst, bad, ARB_SERIES_ERROR_CORRUPT);
  }

  /* Trailing bytes. */
  {
    g_autoptr(GBytes) bad = NULL;
    guint8 *longer = g_malloc0 (len + 4);

    memcpy (longer, data, len - 4);
    bad = resealed (longer, len + 4);
    g_free (longer);
    assert_rejected (dst, bad, ARB_SERIES_ERROR_CORRUPT);
  }

  /* After all that, the genuine blob still restores. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (arb_series_restore_tier (dst, 0, blob, &error));
    g_assert_no_error (error);
    assert_same_tier (src, dst, 0);
  }

  g_free (work);
}

static void
test_set_bound (void)
{
  const ArbSeriesTierSpec tiers[] = { { SEC, 10 } };
  g_autoptr(ArbSeriesSet) set = arb_series_set_new (tiers, 1, 10);
  g_autoptr(ArbSeriesSet) defaults = arb_series_set_new (NULL, 0, 0);
  g_auto(GStrv) names = NULL;
  char long_name[ARB_SERIES_NAME_MAX + 2];
  ArbSeriesAddResult result;
  ArbSeries *series;

  g_assert_cmpuint (arb_series_set_get_max_series (defaults), ==, 4096);
  g_assert_cmpuint (arb_series_set_get_max_series (set), ==, 10);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("bot.b%u.spread", 9 - i);

      g_assert_cmpint (arb_series_set_add_value (set, name, "bps", T0, i), ==, ARB_SERIES_ADD_OK);
    }
  g_assert_cmpuint (arb_series_set_get_n_series (set), ==, 10);

  /* Full: new names are refused, known ones still take values. */
  g_assert_cmpint (arb_series_set_add_value (set, "bot.x.new", NULL, T0, 1), ==,
                   ARB_SERIES_ADD_FULL);
  g_assert_null (arb_series_set_lookup (set, "bot.x.new"));
  g_assert_null (arb_series_set_ensure (set, "bot.x.new", NULL, &result));
  g_assert_cmpint (result, ==, ARB_SERIES_ADD_FULL);
  g_assert_cmpint (arb_series_set_add_value (set, "bot.b3.spread", NULL, T0 + SEC, 1), ==,
                   ARB_SERIES_ADD_OK);
  g_assert_cmpuint (arb_series_set_get_n_series (set), ==, 10);

  /* A value the series drops. */
  g_assert_cmpint (arb_series_set_add_value (set, "bot.b3.spread", NULL, T0, NAN), ==,
                   ARB_SERIES_ADD_DROPPED);

  series = arb_series_set_lookup (set, "bot.b3.spread");
  g_assert_nonnull (series);
  g_assert_cmpstr (arb_series_get_name (series), ==, "bot.b3.spread");
  g_assert_cmpstr (arb_series_get_unit (series), ==, "bps");
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, 2);
  g_assert_cmpuint (arb_series_get_tier_capacity (series, 0), ==, 10);

  /* Sorted names. */
  names = arb_series_set_dup_names (set);
  g_assert_cmpuint (g_strv_length (names), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("bot.b%u.spread", i);

      g_assert_cmpstr (names[i], ==, name);
    }

  /* Removing makes room. */
  g_assert_true (arb_series_set_remove (set, "bot.b0.spread"));
  g_assert_false (arb_series_set_remove (set, "bot.b0.spread"));
  g_assert_cmpint (arb_series_set_add_value (set, "bot.x.new", NULL, T0, 1), ==,
                   ARB_SERIES_ADD_OK);

  /* Names and units from a sender are checked. */
  memset (long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  g_assert_cmpint (arb_series_set_add_value (defaults, "", NULL, T0, 1), ==,
                   ARB_SERIES_ADD_INVALID);
  g_assert_cmpint (arb_series_set_add_value (defaults, long_name, NULL, T0, 1), ==,
                   ARB_SERIES_ADD_INVALID);
  long_name[ARB_SERIES_NAME_MAX] = '\0';
  g_assert_cmpint (arb_series_set_add_value (defaults, long_name, NULL, T0, 1), ==,
                   ARB_SERIES_ADD_OK);
  g_assert_cmpint (arb_series_set_add_value (defaults, "bad\xff", NULL, T0, 1), ==,
                   ARB_SERIES_ADD_INVALID);
  g_assert_cmpint (arb_series_set_add_value (defaults, "bad\nname", NULL, T0, 1), ==,
                   ARB_SERIES_ADD_INVALID);
  g_assert_cmpint (arb_series_set_add_value (defaults, "ok", "a unit of more than thirty-two bytes",
                                             T0, 1), ==, ARB_SERIES_ADD_INVALID);
  g_assert_cmpint (arb_series_set_add_value (defaults, "ok", "\t", T0, 1), ==,
                   ARB_SERIES_ADD_INVALID);
  g_assert_null (arb_series_set_lookup (defaults, "ok"));
  g_assert_cmpuint (arb_series_set_get_n_series (defaults), ==, 1);

  /* The first unit known sticks; an empty unit is no unit. */
  g_assert_cmpint (arb_series_set_add_value (defaults, "ok", "", T0, 1), ==, ARB_SERIES_ADD_OK);
  series = arb_series_set_lookup (defaults, "ok");
  g_assert_null (arb_series_get_unit (series));
  g_assert_nonnull (arb_series_set_ensure (defaults, "ok", "USD", NULL));
  g_assert_cmpstr (arb_series_get_unit (series), ==, "USD");
  g_assert_true (arb_series_set_ensure (defaults, "ok", "EUR", &result) == series);
  g_assert_cmpint (result, ==, ARB_SERIES_ADD_OK);
  g_assert_cmpstr (arb_series_get_unit (series), ==, "USD");
  g_assert_cmpuint (arb_series_get_n_tiers (series), ==, 3);
}

static void
count_series (ArbSeries *series,
              gpointer   user_data)
{
  guint *n = user_data;

  g_assert_nonnull (arb_series_get_name (series));
  (*n)++;
}

static void
test_set_foreach (void)
{
  g_autoptr(ArbSeriesSet) set = arb_series_set_new (NULL, 0, 0);
  g_auto(GStrv) names = arb_series_set_dup_names (set);
  guint n = 0;

  g_assert_cmpuint (g_strv_length (names), ==, 0);
  arb_series_set_foreach (set, count_series, &n);
  g_assert_cmpuint (n, ==, 0);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("cpu.core.%u", i);

      g_assert_cmpint (arb_series_set_add_value (set, name, "%", T0, i), ==, ARB_SERIES_ADD_OK);
    }
  arb_series_set_foreach (set, count_series, &n);
  g_assert_cmpuint (n, ==, 100);
}

static void
count_changes (ArbSeries *series,
               gpointer   user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
bump (gpointer data)
{
  guint *n = data;

  (*n)++;
}

static void
test_changed_func (void)
{
  ArbSeries *series = small_series (10);
  g_autoptr(GBytes) blob = NULL;
  guint changes = 0, other = 0, unused = 0;
  gint64 ts;
  double value;

  g_assert_false (arb_series_latest (series, &ts, &value));

  arb_series_set_changed_func (series, count_changes, &changes, NULL);
  g_assert_true (arb_series_add (series, T0, 1));
  g_assert_false (arb_series_add (series, T0, NAN));
  g_assert_cmpuint (changes, ==, 1);

  /* Replacing the function frees the old data. */
  arb_series_set_changed_func (series, count_changes, &other, NULL);
  arb_series_set_changed_func (series, count_changes, &changes, bump);
  arb_series_set_changed_func (series, count_changes, &unused, NULL);
  g_assert_cmpuint (changes, ==, 2);
  arb_series_set_changed_func (series, count_changes, &changes, bump);

  blob = arb_series_serialize_tier (series, 0);
  g_assert_true (arb_series_restore_tier (series, 0, blob, NULL));
  g_assert_cmpuint (changes, ==, 3);
  g_assert_cmpuint (other, ==, 0);

  arb_series_set_unit (series, "ms");
  arb_series_set_unit (series, "ms");
  g_assert_cmpstr (arb_series_get_unit (series), ==, "ms");
  arb_series_set_unit (series, NULL);
  g_assert_null (arb_series_get_unit (series));

  g_assert_true (arb_series_latest (series, NULL, NULL));
  g_assert_true (arb_series_latest (series, &ts, &value));
  g_assert_cmpint (ts, ==, T0);
  g_assert_cmpfloat (value, ==, 1);

  /* Freeing frees the data too. */
  g_assert_cmpuint (unused, ==, 0);
  arb_series_free (series);
  g_assert_cmpuint (changes, ==, 4);
  arb_series_free (NULL);
  arb_series_set_free (NULL);
}

static void
test_no_alloc (void)
{
  g_autoptr(ArbSeriesSet) set = arb_series_set_new (NULL, 0, 0);
  g_autoptr(GArray) points = g_array_sized_new (FALSE, FALSE, sizeof (ArbPoint), 400);
  ArbSeries *series;
  guint capacities[ARB_SERIES_MAX_TIERS];
  gint64 start = T0;
  gint64 ts = start;
  guint n_tiers;

  g_assert_cmpint (arb_series_set_add_value (set, "cpu.total", "%", ts, 0), ==,
                   ARB_SERIES_ADD_OK);
  series = arb_series_set_lookup (set, "cpu.total");
  n_tiers = arb_series_get_n_tiers (series);
  for (guint i = 0; i < n_tiers; i++)
    capacities[i] = arb_series_get_tier_capacity (series, i);

#ifdef COUNT_ALLOCS
  n_allocs = 0;
  counting_allocs = TRUE;
#endif

  /* Days of values at 10 Hz and 1 Hz, with late ones and jumps, through the
   * set and straight into the series, with queries into a big enough array. */
  for (guint i = 0; i < 500000; i++)
    {
      ts += i % 1000 == 999 ? 17 * SEC : 400;
      if (arb_series_set_add_value (set, "cpu.total", NULL, ts, i % 101) != ARB_SERIES_ADD_OK)
        g_assert_not_reached ();
      if (!arb_series_add (series, ts - 30 * SEC, -1.0 * (i % 7)))
        g_assert_not_reached ();
      if (i % 10000 == 0)
        {
          g_array_set_size (points, 0);
          if (arb_series_query (series, ts - HOUR, ts, 300, points) == 0 || points->len > 300)
            g_assert_not_reached ();
        }
    }

#ifdef COUNT_ALLOCS
  counting_allocs = FALSE;
  g_assert_cmpuint (n_allocs, ==, 0);
#else
  g_test_message ("allocation counting unavailable (sanitizer build); ran the loop only");
#endif

  for (guint i = 0; i < n_tiers; i++)
    {
      g_assert_cmpuint (arb_series_get_tier_capacity (series, i), ==, capacities[i]);
      g_assert_cmpuint (arb_series_get_tier_n_points (series, i), <=, capacities[i]);
    }
  g_assert_cmpuint (arb_series_get_tier_n_points (series, 0), ==, capacities[0]);
  g_assert_cmpint (ts - start, >, 2 * DAY);

#ifdef COUNT_ALLOCS
  /* The counter itself works: creating a series allocates. */
  counting_allocs = TRUE;
  g_assert_cmpint (arb_series_set_add_value (set, "mem.used", NULL, ts, 0), ==,
                   ARB_SERIES_ADD_OK);
  counting_allocs = FALSE;
  g_assert_cmpuint (n_allocs, >, 0);
#endif
}

static void
test_custom_tiers (void)
{
  const ArbSeriesTierSpec tiers[] = { { 100, 5 }, { 250, 3 } };
  g_autoptr(ArbSeries) series = arb_series_new ("fast", NULL, tiers, 2);
  g_autoptr(GArray) points = points_new ();
  guint n;
  const ArbSeriesTierSpec *def = arb_series_default_tiers (&n);

  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (def[0].step_ms, ==, 1000);
  g_assert_cmpuint (def[2].capacity, ==, 2160);

  /* Steps need not divide each other: each value goes into every tier. */
  for (gint64 ts = 1000; ts < 2000; ts += 50)
    g_assert_true (arb_series_add (series, ts, (double) ts));

  g_assert_cmpuint (arb_series_get_tier_points (series, 0, points), ==, 5);
  g_assert_cmpint (point_at (points, 0)->ts, ==, 1500);
  g_assert_cmpfloat (point_at (points, 4)->avg, ==, 1925);
  g_array_set_size (points, 0);
  g_assert_cmpuint (arb_series_get_tier_points (series, 1, points), ==, 3);
  g_assert_cmpint (point_at (points, 0)->ts, ==, 1250);
  g_assert_cmpuint (point_at (points, 2)->count, ==, 5);
  g_assert_cmpfloat (point_at (points, 2)->min, ==, 1750);
  g_assert_cmpfloat (point_at (points, 2)->max, ==, 1950);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/series/bucket", test_bucket);
  g_test_add_func ("/arb/series/min-avg-max", test_min_avg_max);
  g_test_add_func ("/arb/series/wrap", test_wrap);
  g_test_add_func ("/arb/series/gaps", test_gaps);
  g_test_add_func ("/arb/series/late", test_late);
  g_test_add_func ("/arb/series/tier-aggregation", test_tier_aggregation);
  g_test_add_func ("/arb/series/query-tier-choice", test_query_tier_choice);
  g_test_add_func ("/arb/series/downsample", test_downsample);
  g_test_add_func ("/arb/series/serialize-roundtrip", test_serialize_roundtrip);
  g_test_add_func ("/arb/series/restore-reject", test_restore_reject);
  g_test_add_func ("/arb/series/set-bound", test_set_bound);
  g_test_add_func ("/arb/series/set-foreach", test_set_foreach);
  g_test_add_func ("/arb/series/changed-func", test_changed_func);
  g_test_add_func ("/arb/series/no-alloc", test_no_alloc);
  g_test_add_func ("/arb/series/custom-tiers", test_custom_tiers);

  return g_test_run ();
}
