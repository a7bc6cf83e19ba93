/* arb-series-set.c: the series of a dashboard by name, with a bound on their number
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-series-set"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arb-series-set.h"

struct _ArbSeriesSet
{
  /* name (owned by the series) -> ArbSeries */
  GHashTable        *by_name;
  ArbSeriesTierSpec  tiers[ARB_SERIES_MAX_TIERS];
  guint              n_tiers;
  guint              max_series;
};

/**
 * arb_series_set_new:
 * @tiers: (nullable) (array length=n_tiers): the tiers of every series made,
 *   as for arb_series_new(); %NULL for the defaults
 * @n_tiers: the number of @tiers
 * @max_series: the most series the set makes; 0 for
 *   %ARB_SERIES_SET_DEFAULT_MAX_SERIES
 *
 * Returns: (transfer full): a new, empty set
 */
ArbSeriesSet *
arb_series_set_new (const ArbSeriesTierSpec *tiers,
                    guint                    n_tiers,
                    guint                    max_series)
{
  ArbSeriesSet *set;

  if (tiers == NULL)
    tiers = arb_series_default_tiers (&n_tiers);

  g_return_val_if_fail (n_tiers > 0 && n_tiers <= ARB_SERIES_MAX_TIERS, NULL);
  for (guint i = 0; i < n_tiers; i++)
    {
      g_return_val_if_fail (tiers[i].step_ms > 0 &&
                            tiers[i].step_ms <= ARB_SERIES_MAX_STEP_MS, NULL);
      g_return_val_if_fail (tiers[i].capacity > 0 &&
                            tiers[i].capacity <= ARB_SERIES_MAX_CAPACITY, NULL);
      g_return_val_if_fail (i == 0 || tiers[i].step_ms > tiers[i - 1].step_ms, NULL);
    }

  set = g_new0 (ArbSeriesSet, 1);
  set->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) arb_series_free);
  memcpy (set->tiers, tiers, n_tiers * sizeof *tiers);
  set->n_tiers = n_tiers;
  set->max_series = max_series > 0 ? max_series : ARB_SERIES_SET_DEFAULT_MAX_SERIES;

  return set;
}

/**
 * arb_series_set_free:
 * @set: (transfer full) (nullable): a set
 *
 * Frees @set and all its series.
 */
void
arb_series_set_free (ArbSeriesSet *set)
{
  if (set == NULL)
    return;

  g_hash_table_unref (set->by_name);
  g_free (set);
}

/**
 * arb_series_set_get_max_series:
 * @set: a set
 *
 * Returns: the most series @set makes
 */
guint
arb_series_set_get_max_series (ArbSeriesSet *set)
{
  g_return_val_if_fail (set != NULL, 0);

  return set->max_series;
}

/**
 * arb_series_set_get_n_series:
 * @set: a set
 *
 * Returns: the number of series in @set
 */
guint
arb_series_set_get_n_series (ArbSeriesSet *set)
{
  g_return_val_if_fail (set != NULL, 0);

  return g_hash_table_size (set->by_name);
}

/**
 * arb_series_set_lookup:
 * @set: a set
 * @name: a series name
 *
 * Returns: (transfer none) (nullable): the series of @name, or %NULL
 */
ArbSeries *
arb_series_set_lookup (ArbSeriesSet *set,
                       const char   *name)
{
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (set->by_name, name);
}

static gboolean
label_is_valid (const char *s,
                gsize       max_len)
{
  gsize len = strlen (s);

  if (len == 0 || len > max_len || !g_utf8_validate (s, (gssize) len, NULL))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_iscntrl (s[i]))
        return FALSE;
    }
  return TRUE;
}

/**
 * arb_series_set_ensure:
 * @set: a set
 * @name: a series name
 * @unit: (nullable): its unit; sets the unit of a series that has none
 * @result: (out) (optional): %ARB_SERIES_ADD_OK, or why no series is returned
 *
 * Gets the series of @name, making it if it is new and the set is not full,
 * e.g. before restoring its tiers from the store.
 *
 * Returns: (transfer none) (nullable): the series, or %NULL if @name or @unit
 *   is invalid or the set is full
 */
ArbSeries *
arb_series_set_ensure (ArbSeriesSet       *set,
                       const char         *name,
                       const char         *unit,
                       ArbSeriesAddResult *result)
{
  ArbSeries *series;
  ArbSeriesAddResult dummy;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (result == NULL)
    result = &dummy;

  if (unit != NULL && unit[0] != '\0' && !label_is_valid (unit, ARB_SERIES_UNIT_MAX))
    {
      *result = ARB_SERIES_ADD_INVALID;
      return NULL;
    }
  if (unit != NULL && unit[0] == '\0')
    unit = NULL;

  series = g_hash_table_lookup (set->by_name, name);
  if (series != NULL)
    {
      if (unit != NULL && arb_series_get_unit (series) == NULL)
        arb_series_set_unit (series, unit);
      *result = ARB_SERIES_ADD_OK;
      return series;
    }

  if (!label_is_valid (name, ARB_SERIES_NAME_MAX))
    {
      *result = ARB_SERIES_ADD_INVALID;
      return NULL;
    }
  if (g_hash_table_size (set->by_name) >= set->max_series)
    {
      *result = ARB_SERIES_ADD_FULL;
      return NULL;
    }

  series = arb_series_new (name, unit, set->tiers, set->n_tiers);
  g_hash_table_insert (set->by_name, (gpointer) arb_series_get_name (series), series);
  *result = ARB_SERIES_ADD_OK;
  return series;
}

/**
 * arb_series_set_add_value:
 * @set: a set
 * @name: a series name, e.g. `bot.alpha.spread`
 * @unit: (nullable): its unit
 * @ts_ms: when the value was measured, ms since the epoch
 * @value: the value
 *
 * Adds a value to the series of @name, making the series on first use.
 * Allocates nothing once the series exists.
 *
 * Returns: %ARB_SERIES_ADD_OK if the value was stored, or why not
 */
ArbSeriesAddResult
arb_series_set_add_value (ArbSeriesSet *set,
                          const char   *name,
                          const char   *unit,
                          gint64        ts_ms,
                          double        value)
{
  ArbSeriesAddResult result;
  ArbSeries *series;

  g_return_val_if_fail (set != NULL, ARB_SERIES_ADD_INVALID);
  g_return_val_if_fail (name != NULL, ARB_SERIES_ADD_INVALID);

  series = arb_series_set_ensure (set, name, unit, &result);
  if (series == NULL)
    return result;

  return arb_series_add (series, ts_ms, value) ? ARB_SERIES_ADD_OK : ARB_SERIES_ADD_DROPPED;
}

/**
 * arb_series_set_remove:
 * @set: a set
 * @name: a series name
 *
 * Frees the series of @name, e.g. when its bot is forgotten.
 *
 * Returns: %TRUE if there was such a series
 */
gboolean
arb_series_set_remove (ArbSeriesSet *set,
                       const char   *name)
{
  g_return_val_if_fail (set != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_remove (set->by_name, name);
}

/**
 * arb_series_set_foreach:
 * @set: a set
 * @func: (scope call): called for each series, in no particular order; it
 *   must not add or remove series
 * @user_data: data for @func
 */
void
arb_series_set_foreach (ArbSeriesSet            *set,
                        ArbSeriesSetForeachFunc  func,
                        gpointer                 user_data)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (set != NULL);
  g_return_if_fail (func != NULL);

  g_hash_table_iter_init (&iter, set->by_name);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    func (value, user_data);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * arb_series_set_dup_names:
 * @set: a set
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of all
 *   series, sorted by byte value
 */
char **
arb_series_set_dup_names (ArbSeriesSet *set)
{
  GHashTableIter iter;
  gpointer key;
  char **names;
  guint n = 0;

  g_return_val_if_fail (set != NULL, NULL);

  names = g_new (char *, g_hash_table_size (set->by_name) + 1);
  g_hash_table_iter_init (&iter, set->by_name);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    names[n++] = g_strdup (key);
  names[n] = NULL;

  qsort (names, n, sizeof *names, compare_names);
  return names;
}
