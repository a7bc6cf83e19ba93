/* arb-series.h: a metric's history in fixed-size rings, one per retention tier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every value goes into every tier (by default 1 s for 1 h, 1 min for 48 h,
 * 1 h for 90 days), so a coarse bucket is exactly the merge of the fine ones.
 * All memory is taken at creation. Not thread-safe: use from one thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One bucket of a tier. @ts is the start of the bucket (ms since the epoch,
 * a multiple of the tier's step). A bucket with @count 0 is a gap: no value
 * arrived in it, and its min/avg/max are NAN. */
typedef struct
{
  gint64  ts;
  double  min;
  double  avg;
  double  max;
  guint32 count;
} ArbPoint;

/* One retention tier: @capacity buckets of @step_ms each. */
typedef struct
{
  gint64 step_ms;
  guint  capacity;
} ArbSeriesTierSpec;

/* Bounds that keep every timestamp computation far from overflow. */
#define ARB_SERIES_MAX_TIERS    8
#define ARB_SERIES_MAX_CAPACITY (1u << 22)
#define ARB_SERIES_MAX_STEP_MS  (G_GINT64_CONSTANT (366) * 24 * 3600 * 1000)
#define ARB_SERIES_MAX_TS       (G_GINT64_CONSTANT (1) << 53)
/* Larger magnitudes are dropped, so that no sum of a bucket can overflow. */
#define ARB_SERIES_MAX_ABS_VALUE 1e290

/* The version of the layout written by arb_series_serialize_tier(). */
#define ARB_SERIES_BLOB_VERSION 1

#define ARB_SERIES_ERROR (arb_series_error_quark ())
GQuark arb_series_error_quark (void);

typedef enum
{
  ARB_SERIES_ERROR_CORRUPT,   /* truncated, bad magic, bad checksum, impossible values */
  ARB_SERIES_ERROR_VERSION,   /* written by a layout version this build does not read */
  ARB_SERIES_ERROR_MISMATCH,  /* valid, but for a tier of another step */
} ArbSeriesError;

typedef struct _ArbSeries ArbSeries;

/* Called after values were stored or a tier was restored. */
typedef void (*ArbSeriesChangedFunc) (ArbSeries *series,
                                      gpointer   user_data);

const ArbSeriesTierSpec *arb_series_default_tiers (guint *n_tiers);

ArbSeries       *arb_series_new                (const char              *name,
                                                const char              *unit,
                                                const ArbSeriesTierSpec *tiers,
                                                guint                    n_tiers);
void             arb_series_free               (ArbSeries               *series);

const char      *arb_series_get_name           (ArbSeries               *series);
const char      *arb_series_get_unit           (ArbSeries               *series);
void             arb_series_set_unit           (ArbSeries               *series,
                                                const char              *unit);
void             arb_series_set_changed_func   (ArbSeries               *series,
                                                ArbSeriesChangedFunc     func,
                                                gpointer                 user_data,
                                                GDestroyNotify           destroy);

gboolean         arb_series_add                (ArbSeries               *series,
                                                gint64                   ts_ms,
                                                double                   value);
gboolean         arb_series_latest             (ArbSeries               *series,
                                                gint64                  *ts_ms,
                                                double                  *value);

guint            arb_series_get_n_tiers        (ArbSeries               *series);
gint64           arb_series_get_tier_step      (ArbSeries               *series,
                                                guint                    tier);
guint            arb_series_get_tier_capacity  (ArbSeries               *series,
                                                guint                    tier);
guint            arb_series_get_tier_n_points  (ArbSeries               *series,
                                                guint                    tier);
void             arb_series_get_tier_point     (ArbSeries               *series,
                                                guint                    tier,
                                                guint                    index,
                                                ArbPoint                *point);
guint            arb_series_get_tier_points    (ArbSeries               *series,
                                                guint                    tier,
                                                GArray                  *out_points);

int              arb_series_pick_tier          (ArbSeries               *series,
                                                gint64                   after_ms);
gint64           arb_series_query              (ArbSeries               *series,
                                                gint64                   after_ms,
                                                gint64                   before_ms,
                                                guint                    max_points,
                                                GArray                  *out_points);

GBytes          *arb_series_serialize_tier     (ArbSeries               *series,
                                                guint                    tier);
gboolean         arb_series_restore_tier       (ArbSeries               *series,
                                                guint                    tier,
                                                GBytes                  *bytes,
                                                GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbSeries, arb_series_free)

G_END_DECLS
