/* arb-series-set.h: the series of a dashboard by name, with a bound on their number
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-series.h"

G_BEGIN_DECLS

#define ARB_SERIES_SET_DEFAULT_MAX_SERIES 4096
/* Longest name and unit in bytes; longer ones come from a confused or
 * hostile sender. */
#define ARB_SERIES_NAME_MAX 255
#define ARB_SERIES_UNIT_MAX 32

typedef enum
{
  ARB_SERIES_ADD_OK,
  ARB_SERIES_ADD_DROPPED,   /* the series took no value: see arb_series_add() */
  ARB_SERIES_ADD_FULL,      /* a new name, and the set holds its maximum of series */
  ARB_SERIES_ADD_INVALID,   /* the name or unit is empty, too long, not UTF-8, or has controls */
} ArbSeriesAddResult;

typedef struct _ArbSeriesSet ArbSeriesSet;

typedef void (*ArbSeriesSetForeachFunc) (ArbSeries *series,
                                         gpointer   user_data);

ArbSeriesSet       *arb_series_set_new             (const ArbSeriesTierSpec *tiers,
                                                    guint                    n_tiers,
                                                    guint                    max_series);
void                arb_series_set_free            (ArbSeriesSet            *set);

guint               arb_series_set_get_max_series  (ArbSeriesSet            *set);
guint               arb_series_set_get_n_series    (ArbSeriesSet            *set);

ArbSeries          *arb_series_set_lookup          (ArbSeriesSet            *set,
                                                    const char              *name);
ArbSeries          *arb_series_set_ensure          (ArbSeriesSet            *set,
                                                    const char              *name,
                                                    const char              *unit,
                                                    ArbSeriesAddResult      *result);
ArbSeriesAddResult  arb_series_set_add_value       (ArbSeriesSet            *set,
                                                    const char              *name,
                                                    const char              *unit,
                                                    gint64                   ts_ms,
                                                    double                   value);
gboolean            arb_series_set_remove          (ArbSeriesSet            *set,
                                                    const char              *name);

void                arb_series_set_foreach         (ArbSeriesSet            *set,
                                                    ArbSeriesSetForeachFunc  func,
                                                    gpointer                 user_data);
char              **arb_series_set_dup_names       (ArbSeriesSet            *set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbSeriesSet, arb_series_set_free)

G_END_DECLS
