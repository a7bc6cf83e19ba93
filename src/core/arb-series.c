/* arb-series.c: a metric's history in fixed-size rings, one per retention tier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-series"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-series.h"

/* A bucket as stored: the sum rather than the average, so that merging
 * buckets and restoring them is exact. */
typedef struct
{
  double  min;
  double  max;
  double  sum;
  guint32 count;
} Slot;

/* The ring holds the buckets head_ts - (n_used - 1) * step .. head_ts; the
 * slot of the bucket of age a (0 = newest) is slots[(head + capacity - a) %
 * capacity]. Slots of age >= n_used hold nothing meaningful. */
typedef struct
{
  gint64  step;
  guint   capacity;
  guint   head;
  guint   n_used;
  gint64  head_ts;
  Slot   *slots;
} Tier;

struct _ArbSeries
{
  char                 *name;
  char                 *unit;

  guint                 n_tiers;
  Tier                  tiers[ARB_SERIES_MAX_TIERS];
  Slot                 *storage;

  gboolean              has_latest;
  gint64                latest_ts;
  double                latest_value;

  ArbSeriesChangedFunc  changed_func;
  gpointer              changed_data;
  GDestroyNotify        changed_destroy;
};

/* Layout of a serialised tier, all integers little-endian, doubles as
 * IEEE 754 binary64 in little-endian byte order:
 *
 *   0  "ARBS"
 *   4  u16 version (ARB_SERIES_BLOB_VERSION)
 *   6  u16 flags, 0
 *   8  i64 step_ms
 *  16  i64 head_ts: start of the newest bucket
 *  24  u32 n_points, oldest first
 *  28  n_points records: u32 count, then if count > 0: f64 min, f64 sum, f64 max
 *   …  u32 FNV-1a of every byte before it
 *
 * Gaps take four bytes, so a sparse tier stays small. */
#define BLOB_MAGIC        "ARBS"
#define BLOB_HEADER_SIZE  28
#define BLOB_TRAILER_SIZE 4
#define BLOB_RECORD_EMPTY 4
#define BLOB_RECORD_FULL  (4 + 3 * 8)

static const ArbSeriesTierSpec default_tiers[] = {
  { 1000, 3600 },      /* 1 s for 1 h */
  { 60000, 2880 },     /* 1 min for 48 h */
  { 3600000, 2160 },   /* 1 h for 90 days */
};

G_DEFINE_QUARK (arb-series-error-quark, arb_series_error)

/**
 * arb_series_default_tiers:
 * @n_tiers: (out): the number of tiers
 *
 * Returns: (transfer none) (array length=n_tiers): the tiers a series gets
 *   when none are given: 1 s for 1 h, 1 min for 48 h, 1 h for 90 days
 */
const ArbSeriesTierSpec *
arb_series_default_tiers (guint *n_tiers)
{
  g_return_val_if_fail (n_tiers != NULL, NULL);

  *n_tiers = G_N_ELEMENTS (default_tiers);
  return default_tiers;
}

static inline gint64
bucket_of (gint64 ts,
           gint64 step)
{
  /* Callers keep ts >= 0, where % is a floor. */
  return ts - ts % step;
}

static inline Slot *
tier_slot_at_age (const Tier *tier,
                  guint       age)
{
  g_assert (age < tier->capacity);
  return &tier->slots[(tier->head + tier->capacity - age) % tier->capacity];
}

static inline Slot *
tier_slot_at_ts (const Tier *tier,
                 gint64      ts)
{
  return tier_slot_at_age (tier, (guint) ((tier->head_ts - ts) / tier->step));
}

static inline gint64
tier_oldest_ts (const Tier *tier)
{
  return tier->head_ts - (gint64) (tier->n_used - 1) * tier->step;
}

static inline void
slot_add (Slot   *slot,
          double  value)
{
  if (slot->count == 0)
    {
      slot->min = slot->max = slot->sum = value;
      slot->count = 1;
      return;
    }

  slot->min = MIN (slot->min, value);
  slot->max = MAX (slot->max, value);
  /* Past 2^32 values in one bucket the average stops moving, rather than
   * the count wrapping. */
  if (slot->count < G_MAXUINT32)
    {
      slot->sum += value;
      slot->count++;
    }
}

static void
slot_to_point (const Slot *slot,
               gint64      ts,
               ArbPoint   *point)
{
  point->ts = ts;
  point->count = slot->count;
  if (slot->count == 0)
    {
      point->min = point->avg = point->max = NAN;
      return;
    }
  point->min = slot->min;
  point->max = slot->max;
  /* Rounding of the sum may put the quotient a hair outside the range. */
  point->avg = CLAMP (slot->sum / slot->count, slot->min, slot->max);
}

static gboolean
tier_add (Tier   *tier,
          gint64  ts,
          double  value)
{
  gint64 bucket = bucket_of (ts, tier->step);
  gint64 age;

  if (tier->n_used == 0 || bucket > tier->head_ts)
    {
      gint64 advance = tier->n_used == 0 ? G_MAXINT64 : (bucket - tier->head_ts) / tier->step;

      if (advance >= tier->capacity)
        {
          /* Everything in the ring is older than the window now. */
          tier->head = 0;
          tier->n_used = 1;
        }
      else
        {
          /* Skipped buckets become gaps. */
          for (gint64 i = 0; i < advance; i++)
            {
              tier->head = (tier->head + 1) % tier->capacity;
              tier->slots[tier->head].count = 0;
            }
          tier->n_used = (guint) MIN ((gint64) tier->n_used + advance, (gint64) tier->capacity);
        }
      tier->slots[tier->head].count = 0;
      tier->head_ts = bucket;
      slot_add (&tier->slots[tier->head], value);
      return TRUE;
    }

  /* Late data, or the clock went back: fold it into its bucket while the
   * ring still holds it. */
  age = (tier->head_ts - bucket) / tier->step;
  if (age >= tier->capacity)
    return FALSE;

  for (guint a = tier->n_used; a <= age; a++)
    tier_slot_at_age (tier, a)->count = 0;
  tier->n_used = MAX (tier->n_used, (guint) age + 1);

  slot_add (tier_slot_at_age (tier, (guint) age), value);
  return TRUE;
}

static gboolean
tier_spec_is_valid (const ArbSeriesTierSpec *spec)
{
  return spec->step_ms > 0 && spec->step_ms <= ARB_SERIES_MAX_STEP_MS &&
         spec->capacity > 0 && spec->capacity <= ARB_SERIES_MAX_CAPACITY;
}

/**
 * arb_series_new:
 * @name: the metric's name, e.g. `cpu.total`
 * @unit: (nullable): its unit, e.g. `%`
 * @tiers: (nullable) (array length=n_tiers): the tiers, finest first, with
 *   strictly rising steps; %NULL for arb_series_default_tiers()
 * @n_tiers: the number of @tiers, 1 to %ARB_SERIES_MAX_TIERS
 *
 * Allocates all the rings at once; adding values later allocates nothing.
 *
 * Returns: (transfer full): a new series
 */
ArbSeries *
arb_series_new (const char              *name,
                const char              *unit,
                const ArbSeriesTierSpec *tiers,
                guint                    n_tiers)
{
  ArbSeries *series;
  gsize total = 0;
  Slot *next;

  g_return_val_if_fail (name != NULL, NULL);

  if (tiers == NULL)
    tiers = arb_series_default_tiers (&n_tiers);

  g_return_val_if_fail (n_tiers > 0 && n_tiers <= ARB_SERIES_MAX_TIERS, NULL);
  for (guint i = 0; i < n_tiers; i++)
    {
      g_return_val_if_fail (tier_spec_is_valid (&tiers[i]), NULL);
      g_return_val_if_fail (i == 0 || tiers[i].step_ms > tiers[i - 1].step_ms, NULL);
      total += tiers[i].capacity;
    }

  series = g_new0 (ArbSeries, 1);
  series->name = g_strdup (name);
  series->unit = g_strdup (unit);
  series->n_tiers = n_tiers;
  series->storage = g_new0 (Slot, total);

  next = series->storage;
  for (guint i = 0; i < n_tiers; i++)
    {
      series->tiers[i].step = tiers[i].step_ms;
      series->tiers[i].capacity = tiers[i].capacity;
      series->tiers[i].slots = next;
      next += tiers[i].capacity;
    }

  return series;
}

/**
 * arb_series_free:
 * @series: (transfer full) (nullable): a series
 *
 * Frees @series and calls the destroy notify of its changed function.
 */
void
arb_series_free (ArbSeries *series)
{
  if (series == NULL)
    return;

  if (series->changed_destroy != NULL)
    series->changed_destroy (series->changed_data);
  g_free (series->storage);
  g_free (series->unit);
  g_free (series->name);
  g_free (series);
}

/**
 * arb_series_get_name:
 * @series: a series
 *
 * Returns: (transfer none): the metric's name
 */
const char *
arb_series_get_name (ArbSeries *series)
{
  g_return_val_if_fail (series != NULL, NULL);

  return series->name;
}

/**
 * arb_series_get_unit:
 * @series: a series
 *
 * Returns: (transfer none) (nullable): the unit, or %NULL if none is known
 */
const char *
arb_series_get_unit (ArbSeries *series)
{
  g_return_val_if_fail (series != NULL, NULL);

  return series->unit;
}

/**
 * arb_series_set_unit:
 * @series: a series
 * @unit: (nullable): the unit
 */
void
arb_series_set_unit (ArbSeries  *series,
                     const char *unit)
{
  g_return_if_fail (series != NULL);

  if (g_strcmp0 (series->unit, unit) == 0)
    return;
  g_free (series->unit);
  series->unit = g_strdup (unit);
}

/**
 * arb_series_set_changed_func:
 * @series: a series
 * @func: (nullable) (scope notified): called after values were stored or a
 *   tier restored; it must not free @series
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when replaced or when @series is freed
 *
 * Sets the one function told of changes, e.g. to queue a chart's redraw.
 */
void
arb_series_set_changed_func (ArbSeries            *series,
                             ArbSeriesChangedFunc  func,
                             gpointer              user_data,
                             GDestroyNotify        destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (series != NULL);

  old_destroy = series->changed_destroy;
  old_data = series->changed_data;

  series->changed_func = func;
  series->changed_data = user_data;
  series->changed_destroy = destroy;

  if (old_destroy != NULL)
    old_destroy (old_data);
}

static void
arb_series_emit_changed (ArbSeries *series)
{
  if (series->changed_func != NULL)
    series->changed_func (series, series->changed_data);
}

/**
 * arb_series_add:
 * @series: a series
 * @ts_ms: when the value was measured, ms since the epoch
 * @value: the value
 *
 * Puts @value into the bucket of @ts_ms of every tier. A value newer than a
 * tier's newest bucket moves that tier on, leaving gaps for the buckets
 * skipped; an older one joins its bucket if the tier still holds it.
 * Allocates nothing.
 *
 * Returns: %TRUE if some tier took the value; %FALSE if it was dropped
 *   (not finite, beyond ±%ARB_SERIES_MAX_ABS_VALUE, @ts_ms outside 0 to
 *   %ARB_SERIES_MAX_TS, or older than every tier holds)
 */
gboolean
arb_series_add (ArbSeries *series,
                gint64     ts_ms,
                double     value)
{
  gboolean stored = FALSE;

  g_return_val_if_fail (series != NULL, FALSE);

  if (ts_ms < 0 || ts_ms > ARB_SERIES_MAX_TS)
    return FALSE;
  if (!isfinite (value) || fabs (value) > ARB_SERIES_MAX_ABS_VALUE)
    return FALSE;

  for (guint i = 0; i < series->n_tiers; i++)
    stored |= tier_add (&series->tiers[i], ts_ms, value);

  if (!stored)
    return FALSE;

  if (!series->has_latest || ts_ms >= series->latest_ts)
    {
      series->has_latest = TRUE;
      series->latest_ts = ts_ms;
      series->latest_value = value;
    }

  arb_series_emit_changed (series);
  return TRUE;
}

/**
 * arb_series_latest:
 * @series: a series
 * @ts_ms: (out) (optional): the time of the newest value
 * @value: (out) (optional): the newest value
 *
 * Gets the value with the newest time added since @series was created
 * (restored tiers do not count: their buckets hold no single value).
 *
 * Returns: %TRUE if a value was added, else %FALSE and the outputs are untouched
 */
gboolean
arb_series_latest (ArbSeries *series,
                   gint64    *ts_ms,
                   double    *value)
{
  g_return_val_if_fail (series != NULL, FALSE);

  if (!series->has_latest)
    return FALSE;
  if (ts_ms != NULL)
    *ts_ms = series->latest_ts;
  if (value != NULL)
    *value = series->latest_value;
  return TRUE;
}

/**
 * arb_series_get_n_tiers:
 * @series: a series
 *
 * Returns: the number of tiers, finest first
 */
guint
arb_series_get_n_tiers (ArbSeries *series)
{
  g_return_val_if_fail (series != NULL, 0);

  return series->n_tiers;
}

/**
 * arb_series_get_tier_step:
 * @series: a series
 * @tier: a tier index
 *
 * Returns: the tier's bucket width in ms
 */
gint64
arb_series_get_tier_step (ArbSeries *series,
                          guint      tier)
{
  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (tier < series->n_tiers, 0);

  return series->tiers[tier].step;
}

/**
 * arb_series_get_tier_capacity:
 * @series: a series
 * @tier: a tier index
 *
 * Returns: the number of buckets the tier keeps
 */
guint
arb_series_get_tier_capacity (ArbSeries *series,
                              guint      tier)
{
  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (tier < series->n_tiers, 0);

  return series->tiers[tier].capacity;
}

/**
 * arb_series_get_tier_n_points:
 * @series: a series
 * @tier: a tier index
 *
 * Returns: the number of buckets from the oldest held to the newest, gaps
 *   included; 0 while the tier is empty
 */
guint
arb_series_get_tier_n_points (ArbSeries *series,
                              guint      tier)
{
  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (tier < series->n_tiers, 0);

  return series->tiers[tier].n_used;
}

/**
 * arb_series_get_tier_point:
 * @series: a series
 * @tier: a tier index
 * @index: 0 for the oldest bucket, up to arb_series_get_tier_n_points() - 1
 * @point: (out caller-allocates): the bucket; a gap has count 0 and NAN values
 *
 * Reads one bucket without copying the tier, e.g. while drawing.
 */
void
arb_series_get_tier_point (ArbSeries *series,
                           guint      tier,
                           guint      index,
                           ArbPoint  *point)
{
  const Tier *t;
  guint age;

  g_return_if_fail (series != NULL);
  g_return_if_fail (tier < series->n_tiers);
  g_return_if_fail (point != NULL);
  t = &series->tiers[tier];
  g_return_if_fail (index < t->n_used);

  age = t->n_used - 1 - index;
  slot_to_point (tier_slot_at_age (t, age), t->head_ts - (gint64) age * t->step, point);
}

/**
 * arb_series_get_tier_points:
 * @series: a series
 * @tier: a tier index
 * @out_points: (element-type ArbPoint): where to append the buckets,
 *   oldest first, gaps included
 *
 * Returns: the number of points appended
 */
guint
arb_series_get_tier_points (ArbSeries *series,
                            guint      tier,
                            GArray    *out_points)
{
  guint n;

  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (tier < series->n_tiers, 0);
  g_return_val_if_fail (out_points != NULL, 0);
  g_return_val_if_fail (g_array_get_element_size (out_points) == sizeof (ArbPoint), 0);

  n = series->tiers[tier].n_used;
  for (guint i = 0; i < n; i++)
    {
      ArbPoint point;

      arb_series_get_tier_point (series, tier, i, &point);
      g_array_append_val (out_points, point);
    }
  return n;
}

/**
 * arb_series_pick_tier:
 * @series: a series
 * @after_ms: the start of a range that ends now
 *
 * Picks the finest tier whose ring reaches back to @after_ms, allowing the
 * bucket holding @after_ms itself to be missing (so that 3,600 buckets of
 * 1 s serve "the last hour"). If none does, picks the coarsest tier that has
 * data.
 *
 * Returns: the tier index, or -1 if no tier has data
 */
int
arb_series_pick_tier (ArbSeries *series,
                      gint64     after_ms)
{
  g_return_val_if_fail (series != NULL, -1);

  after_ms = CLAMP (after_ms, 0, ARB_SERIES_MAX_TS);

  for (guint i = 0; i < series->n_tiers; i++)
    {
      const Tier *t = &series->tiers[i];
      gint64 window_start;

      if (t->n_used == 0)
        continue;
      window_start = t->head_ts - (gint64) (t->capacity - 1) * t->step;
      if (bucket_of (after_ms, t->step) + t->step >= window_start)
        return (int) i;
    }

  for (guint i = series->n_tiers; i > 0; i--)
    {
      if (series->tiers[i - 1].n_used > 0)
        return (int) i - 1;
    }

  return -1;
}

/* Accumulates buckets into one output point. */
typedef struct
{
  gint64  ts;
  double  min;
  double  max;
  double  sum;
  guint64 count;
} Merge;

static void
merge_emit (const Merge *merge,
            GArray      *out_points)
{
  ArbPoint point;

  point.ts = merge->ts;
  point.min = merge->min;
  point.max = merge->max;
  point.avg = CLAMP (merge->sum / (double) merge->count, merge->min, merge->max);
  point.count = (guint32) MIN (merge->count, (guint64) G_MAXUINT32);
  g_array_append_val (out_points, point);
}

/* How many output points buckets first..last make in groups of width. */
static inline gint64
n_groups (gint64 first,
          gint64 last,
          gint64 width)
{
  return last / width - first / width + 1;
}

/**
 * arb_series_query:
 * @series: a series
 * @after_ms: the start of the range, ms since the epoch
 * @before_ms: the end of the range (inclusive); %G_MAXINT64 for "up to now"
 * @max_points: the most points wanted; 0 for no limit
 * @out_points: (element-type ArbPoint): where to append the points, oldest first
 *
 * Reads the buckets that overlap @after_ms to @before_ms from the tier
 * arb_series_pick_tier() picks. When there are more than @max_points, merges
 * runs of adjacent buckets (min of the minima, max of the maxima, average
 * weighted by count), aligned on multiples of the merged width so that the
 * points stay put as time moves on. Gaps are skipped: a missing point
 * (a jump of more than the returned step) means no data.
 *
 * Returns: the width in ms of the points appended (the tier's step times
 *   the number of buckets merged into each), or 0 if @series has no data
 */
gint64
arb_series_query (ArbSeries *series,
                  gint64     after_ms,
                  gint64     before_ms,
                  guint      max_points,
                  GArray    *out_points)
{
  const Tier *t;
  int tier;
  gint64 first, last, n_buckets, merged = 1, width;
  guint index;
  Merge merge = { 0, };

  g_return_val_if_fail (series != NULL, 0);
  g_return_val_if_fail (out_points != NULL, 0);
  g_return_val_if_fail (g_array_get_element_size (out_points) == sizeof (ArbPoint), 0);

  tier = arb_series_pick_tier (series, after_ms);
  if (tier < 0)
    return 0;
  t = &series->tiers[tier];

  if (before_ms < after_ms || before_ms < 0 || after_ms > ARB_SERIES_MAX_TS)
    return t->step;
  after_ms = MAX (after_ms, 0);
  before_ms = MIN (before_ms, ARB_SERIES_MAX_TS);

  /* Clip to the ring, then to the buckets that hold values, so that the
   * points are spent where the data is. */
  first = MAX (bucket_of (after_ms, t->step), tier_oldest_ts (t));
  last = MIN (bucket_of (before_ms, t->step), t->head_ts);
  while (first <= last && tier_slot_at_ts (t, first)->count == 0)
    first += t->step;
  while (last > first && tier_slot_at_ts (t, last)->count == 0)
    last -= t->step;
  if (first > last)
    return t->step;

  n_buckets = (last - first) / t->step + 1;
  if (max_points > 0 && n_buckets > max_points)
    {
      merged = (n_buckets + max_points - 1) / max_points;
      /* Aligned groups may straddle one more point than the bucket count
       * suggests. */
      while (n_groups (first, last, merged * t->step) > max_points)
        merged++;
    }
  width = merged * t->step;

  /* Walk the ring by index: no division per bucket but for the group. */
  index = (guint) (tier_slot_at_ts (t, first) - t->slots);
  for (gint64 ts = first; ts <= last; ts += t->step)
    {
      const Slot *slot = &t->slots[index];
      gint64 group;

      index = index + 1 == t->capacity ? 0 : index + 1;
      if (slot->count == 0)
        continue;
      group = bucket_of (ts, width);

      if (merge.count > 0 && group != merge.ts)
        {
          merge_emit (&merge, out_points);
          merge.count = 0;
        }

      if (merge.count == 0)
        {
          merge.ts = group;
          merge.min = slot->min;
          merge.max = slot->max;
          merge.sum = slot->sum;
          merge.count = slot->count;
        }
      else
        {
          merge.min = MIN (merge.min, slot->min);
          merge.max = MAX (merge.max, slot->max);
          merge.sum += slot->sum;
          merge.count += slot->count;
        }
    }
  merge_emit (&merge, out_points);

  return width;
}

static guint32
fnv1a (const guint8 *data,
       gsize         len)
{
  guint32 hash = 2166136261u;

  for (gsize i = 0; i < len; i++)
    {
      hash ^= data[i];
      hash *= 16777619u;
    }
  return hash;
}

static inline guint8 *
put_u16 (guint8  *p,
         guint16  v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, sizeof v);
  return p + sizeof v;
}

static inline guint8 *
put_u32 (guint8  *p,
         guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, sizeof v);
  return p + sizeof v;
}

static inline guint8 *
put_u64 (guint8  *p,
         guint64  v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, sizeof v);
  return p + sizeof v;
}

static inline guint8 *
put_f64 (guint8 *p,
         double  d)
{
  guint64 v;

  G_STATIC_ASSERT (sizeof d == sizeof v);
  memcpy (&v, &d, sizeof v);
  return put_u64 (p, v);
}

static inline guint16
get_u16 (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return GUINT16_FROM_LE (v);
}

static inline guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static inline double
get_f64 (const guint8 *p)
{
  guint64 v = get_u64 (p);
  double d;

  memcpy (&d, &v, sizeof d);
  return d;
}

/**
 * arb_series_serialize_tier:
 * @series: a series
 * @tier: a tier index
 *
 * Writes the tier in a compact, versioned, little-endian layout with a
 * checksum, for the store to keep; arb_series_restore_tier() reads it back.
 *
 * Returns: (transfer full): the tier's bytes
 */
GBytes *
arb_series_serialize_tier (ArbSeries *series,
                           guint      tier)
{
  const Tier *t;
  gsize size = BLOB_HEADER_SIZE + BLOB_TRAILER_SIZE;
  guint8 *data, *p;

  g_return_val_if_fail (series != NULL, NULL);
  g_return_val_if_fail (tier < series->n_tiers, NULL);

  t = &series->tiers[tier];
  for (guint age = 0; age < t->n_used; age++)
    size += tier_slot_at_age (t, age)->count > 0 ? BLOB_RECORD_FULL : BLOB_RECORD_EMPTY;

  p = data = g_malloc (size);
  memcpy (p, BLOB_MAGIC, 4);
  p += 4;
  p = put_u16 (p, ARB_SERIES_BLOB_VERSION);
  p = put_u16 (p, 0);
  p = put_u64 (p, (guint64) t->step);
  p = put_u64 (p, (guint64) (t->n_used > 0 ? t->head_ts : 0));
  p = put_u32 (p, t->n_used);

  for (guint age = t->n_used; age > 0; age--)
    {
      const Slot *slot = tier_slot_at_age (t, age - 1);

      p = put_u32 (p, slot->count);
      if (slot->count == 0)
        continue;
      p = put_f64 (p, slot->min);
      p = put_f64 (p, slot->sum);
      p = put_f64 (p, slot->max);
    }

  p = put_u32 (p, fnv1a (data, size - BLOB_TRAILER_SIZE));
  g_assert ((gsize) (p - data) == size);

  return g_bytes_new_take (data, size);
}

static gboolean
record_is_valid (guint32 count,
                 double  min,
                 double  sum,
                 double  max)
{
  double avg, slack;

  if (!isfinite (min) || !isfinite (sum) || !isfinite (max) || min > max)
    return FALSE;
  if (fabs (min) > ARB_SERIES_MAX_ABS_VALUE || fabs (max) > ARB_SERIES_MAX_ABS_VALUE)
    return FALSE;

  /* The average of values within min..max lies within min..max, up to the
   * rounding of a long sum. */
  avg = sum / count;
  slack = 1e-6 * MAX (fabs (min), fabs (max));
  return avg >= min - slack && avg <= max + slack;
}

/* Checks the records of a blob, whose header is valid, without storing
 * anything, so that a bad blob leaves the tier as it was. */
static gboolean
check_records (const guint8 *data,
               gsize         body_end,
               guint32       n_points)
{
  gsize pos = BLOB_HEADER_SIZE;

  for (guint32 i = 0; i < n_points; i++)
    {
      guint32 count;

      if (body_end - pos < BLOB_RECORD_EMPTY)
        return FALSE;
      count = get_u32 (data + pos);
      if (count == 0)
        {
          pos += BLOB_RECORD_EMPTY;
          continue;
        }
      if (body_end - pos < BLOB_RECORD_FULL)
        return FALSE;
      if (!record_is_valid (count, get_f64 (data + pos + 4), get_f64 (data + pos + 12),
                            get_f64 (data + pos + 20)))
        return FALSE;
      pos += BLOB_RECORD_FULL;
    }

  return pos == body_end;
}

static gboolean
check_header (const Tier    *t,
              const guint8  *data,
              gsize          size,
              GError       **error)
{
  guint16 version;
  gint64 step, head_ts;
  guint32 n_points;

  if (size < BLOB_HEADER_SIZE + BLOB_TRAILER_SIZE || memcmp (data, BLOB_MAGIC, 4) != 0)
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_CORRUPT,
                   "Not a series tier (%" G_GSIZE_FORMAT " bytes)", size);
      return FALSE;
    }

  version = get_u16 (data + 4);
  if (version != ARB_SERIES_BLOB_VERSION)
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_VERSION,
                   "Series tier layout version %u is not supported (this build reads %u)",
                   version, ARB_SERIES_BLOB_VERSION);
      return FALSE;
    }

  if (get_u32 (data + size - BLOB_TRAILER_SIZE) != fnv1a (data, size - BLOB_TRAILER_SIZE))
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_CORRUPT,
                   "Series tier checksum mismatch");
      return FALSE;
    }

  step = (gint64) get_u64 (data + 8);
  head_ts = (gint64) get_u64 (data + 16);
  n_points = get_u32 (data + 24);

  if (get_u16 (data + 6) != 0 || step <= 0 || step > ARB_SERIES_MAX_STEP_MS ||
      n_points > ARB_SERIES_MAX_CAPACITY || head_ts < 0 || head_ts > ARB_SERIES_MAX_TS ||
      head_ts % step != 0 || (n_points > 0 && head_ts / step < (gint64) n_points - 1))
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_CORRUPT,
                   "Series tier header is invalid");
      return FALSE;
    }

  if (step != t->step)
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_MISMATCH,
                   "Series tier has a step of %" G_GINT64_FORMAT " ms, not %" G_GINT64_FORMAT,
                   step, t->step);
      return FALSE;
    }

  return TRUE;
}

/**
 * arb_series_restore_tier:
 * @series: a series
 * @tier: a tier index
 * @bytes: what arb_series_serialize_tier() wrote for a tier of the same step
 * @error: return location for an error in %ARB_SERIES_ERROR
 *
 * Replaces the tier's contents with @bytes. Everything is checked first;
 * on error the tier is left as it was. If @bytes holds more buckets than the
 * tier's capacity, the newest are kept.
 *
 * Returns: %TRUE on success
 */
gboolean
arb_series_restore_tier (ArbSeries  *series,
                         guint       tier,
                         GBytes     *bytes,
                         GError    **error)
{
  Tier *t;
  const guint8 *data;
  gsize size, pos = BLOB_HEADER_SIZE;
  guint32 n_points, skip;

  g_return_val_if_fail (series != NULL, FALSE);
  g_return_val_if_fail (tier < series->n_tiers, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  t = &series->tiers[tier];
  data = g_bytes_get_data (bytes, &size);
  if (!check_header (t, data, size, error))
    return FALSE;

  n_points = get_u32 (data + 24);
  if (!check_records (data, size - BLOB_TRAILER_SIZE, n_points))
    {
      g_set_error (error, ARB_SERIES_ERROR, ARB_SERIES_ERROR_CORRUPT,
                   "Series tier records are invalid");
      return FALSE;
    }

  /* Lay the kept buckets out oldest first from slot 0. */
  skip = n_points > t->capacity ? n_points - t->capacity : 0;
  t->n_used = n_points - skip;
  t->head = t->n_used > 0 ? t->n_used - 1 : 0;
  t->head_ts = (gint64) get_u64 (data + 16);

  for (guint32 i = 0; i < n_points; i++)
    {
      guint32 count = get_u32 (data + pos);
      Slot *slot = i >= skip ? &t->slots[i - skip] : NULL;

      if (slot != NULL)
        {
          slot->count = count;
          if (count > 0)
            {
              slot->min = get_f64 (data + pos + 4);
              slot->sum = get_f64 (data + pos + 12);
              slot->max = get_f64 (data + pos + 20);
            }
        }
      pos += count > 0 ? BLOB_RECORD_FULL : BLOB_RECORD_EMPTY;
    }

  arb_series_emit_changed (series);
  return TRUE;
}
