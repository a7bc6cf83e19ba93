/* arb-chart-scale.c: the ticks and labels of the chart's axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions, so that the tests check them without drawing. Values are
 * scaled to one prefix per axis before the ticks are chosen, so a memory
 * axis steps by whole GiB rather than by powers of ten of bytes. Numbers
 * print with the locale's decimal separator (printf), as the rest of the UI.
 */
#define G_LOG_DOMAIN "arb-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "arb-chart-private.h"
#include "arb-format.h"

#define MAX_DECIMALS 6

static const char *si_prefixes[] = { "", "k", "M", "G", "T", "P", "E" };
static const char *iec_prefixes[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
/* Money reads better with "B" for billions than with "G". */
static const char *money_prefixes[] = { "", "k", "M", "B", "T" };

static const struct
{
  double      ms;
  const char *suffix;
} durations[] = {
  { ARB_CHART_HOUR_MS, " h" },
  { ARB_CHART_MINUTE_MS, " min" },
  { 1000, " s" },
  { 1, " ms" },
};


/* The power of @base that keeps |value| / base^k below @base. */
static guint
pick_power (double magnitude, double base, guint max_power)
{
  guint k = 0;
  double limit = base;

  while (k < max_power && isfinite (magnitude) && magnitude >= limit)
    {
      k++;
      limit *= base;
    }
  return k;
}

/**
 * _arb_chart_unit_for:
 * @unit: (nullable): the series' unit: "%", "bytes", "bytes/s", "ms", "s",
 *   a currency code such as "USD", any other word, or %NULL for a count
 * @magnitude: the largest absolute value that will be printed with it
 * @out: (out caller-allocates): the divisor and the text around the number
 *
 * Picks the prefix that prints @magnitude with at most three digits before
 * the separator.
 */
void
_arb_chart_unit_for (const char *unit, double magnitude, ArbChartUnit *out)
{
  guint k;

  g_return_if_fail (out != NULL);

  out->divisor = 1;
  out->prefix = "";
  out->suffix[0] = '\0';
  magnitude = fabs (magnitude);

  if (unit == NULL || unit[0] == '\0')
    {
      k = pick_power (magnitude, 1000, G_N_ELEMENTS (si_prefixes) - 1);
      out->divisor = pow (1000, k);
      g_strlcpy (out->suffix, si_prefixes[k], sizeof out->suffix);
      return;
    }
  if (strcmp (unit, "%") == 0)
    {
      g_strlcpy (out->suffix, " %", sizeof out->suffix);
      return;
    }
  if (strcmp (unit, "bytes") == 0)
    {
      k = pick_power (magnitude, 1024, G_N_ELEMENTS (iec_prefixes) - 1);
      out->divisor = pow (1024, k);
      g_snprintf (out->suffix, sizeof out->suffix, " %sB", iec_prefixes[k]);
      return;
    }
  if (strcmp (unit, "bytes/s") == 0)
    {
      k = pick_power (magnitude, 1000, G_N_ELEMENTS (si_prefixes) - 1);
      out->divisor = pow (1000, k);
      g_snprintf (out->suffix, sizeof out->suffix, " %sB/s", si_prefixes[k]);
      return;
    }
  if (strcmp (unit, "ms") == 0 || strcmp (unit, "s") == 0)
    {
      /* Durations: in ms first, then the largest unit that fits; zero keeps
       * the series' own unit. */
      double to_ms = unit[0] == 'm' ? 1 : 1000;
      double ms = magnitude * to_ms;
      guint i = 0;

      if (ms == 0)
        {
          g_snprintf (out->suffix, sizeof out->suffix, " %s", unit);
          return;
        }
      while (i + 1 < G_N_ELEMENTS (durations) && ms < durations[i].ms)
        i++;
      out->divisor = durations[i].ms / to_ms;
      g_strlcpy (out->suffix, durations[i].suffix, sizeof out->suffix);
      return;
    }
  if (arb_format_currency_symbol (unit) != NULL)
    {
      k = pick_power (magnitude, 1000, G_N_ELEMENTS (money_prefixes) - 1);
      out->divisor = pow (1000, k);
      out->prefix = arb_format_currency_symbol (unit);
      g_strlcpy (out->suffix, money_prefixes[k], sizeof out->suffix);
      return;
    }
  k = pick_power (magnitude, 1000, G_N_ELEMENTS (si_prefixes) - 1);
  out->divisor = pow (1000, k);
  g_snprintf (out->suffix, sizeof out->suffix, "%s %s", si_prefixes[k], unit);
}

/**
 * _arb_chart_unit_starts_at_zero:
 * @unit: (nullable): a unit
 *
 * Quantities (a share, an amount of memory, a rate, a duration) are shown
 * from zero, so that a small change does not look like a large one; prices
 * and counts of other kinds use the extent of their values.
 *
 * Returns: whether an automatic value axis includes zero
 */
gboolean
_arb_chart_unit_starts_at_zero (const char *unit)
{
  static const char *quantities[] = { "%", "bytes", "bytes/s", "ms", "s" };

  if (unit == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (quantities); i++)
    if (strcmp (unit, quantities[i]) == 0)
      return TRUE;
  return FALSE;
}

/**
 * _arb_chart_format_with:
 * @unit: how to print, from _arb_chart_unit_for()
 * @value: the value, in the series' unit
 * @decimals: digits after the separator
 *
 * Returns: (transfer full): @value as text, "-$1.5k" or "20 %"
 */
char *
_arb_chart_format_with (const ArbChartUnit *unit, double value, int decimals)
{
  double v;

  g_return_val_if_fail (unit != NULL, NULL);

  if (!isfinite (value))
    return g_strdup ("—");
  decimals = CLAMP (decimals, 0, MAX_DECIMALS);
  v = value / unit->divisor;
  /* No "-0": a value that rounds to zero prints as zero. */
  if (fabs (v) < 0.5 * pow (10, -decimals))
    v = 0;
  return g_strdup_printf ("%s%s%.*f%s", v < 0 ? "-" : "", unit->prefix, decimals, fabs (v),
                          unit->suffix);
}

/* Three significant digits, without the zeros that end a fraction. */
static int
significant_decimals (double v)
{
  double a = fabs (v), r;
  int d;

  if (a == 0 || !isfinite (a))
    return 0;
  d = CLAMP (2 - (int) floor (log10 (a)), 0, MAX_DECIMALS);
  r = round (a * pow (10, d));
  while (d > 0 && fmod (r, 10) == 0)
    {
      r /= 10;
      d--;
    }
  return d;
}

/**
 * _arb_chart_format_value:
 * @value: a value
 * @unit: (nullable): its unit
 *
 * Formats one value on its own (a hover label, the accessible summary):
 * its own prefix and three significant digits: "1.5 GiB", "3.2 MB/s",
 * "$1.2k", "23.4 %".
 *
 * Returns: (transfer full): the text; "—" for a value that is not finite
 */
char *
_arb_chart_format_value (double value, const char *unit)
{
  ArbChartUnit u;

  _arb_chart_unit_for (unit, value, &u);
  return _arb_chart_format_with (&u, value, significant_decimals (value / u.divisor));
}

/**
 * _arb_chart_step_decimals:
 * @step: the distance between two ticks, already scaled by the unit's divisor
 *
 * Returns: how many decimals every tick label needs, so that all labels of
 *   an axis print with the same number of them
 */
int
_arb_chart_step_decimals (double step)
{
  step = fabs (step);
  if (step == 0 || !isfinite (step))
    return 0;
  for (int d = 0; d < MAX_DECIMALS; d++)
    {
      double scaled = step * pow (10, d);

      if (fabs (scaled - round (scaled)) < 1e-6 * scaled)
        return d;
    }
  return MAX_DECIMALS;
}

/* The smallest of 1, 2, 2.5, 5 times a power of ten that is at least @raw. */
static double
nice_step (double raw)
{
  static const double mantissas[] = { 1, 2, 2.5, 5, 10 };
  double p = pow (10, floor (log10 (raw)));

  for (guint i = 0; i < G_N_ELEMENTS (mantissas); i++)
    if (mantissas[i] * p >= raw * (1 - 1e-9))
      return mantissas[i] * p;
  return 10 * p;
}

/**
 * _arb_chart_nice_ticks:
 * @min: the bottom of the axis
 * @max: the top of the axis
 * @max_ticks: the most ticks that fit, at least 2
 * @first: (out): the lowest tick, at or above @min
 * @step: (out): the distance between ticks
 * @n_ticks: (out): how many ticks lie from @min to @max
 *
 * Ticks at round numbers inside a fixed range: 0..100 with room for five
 * gives 0, 25, 50, 75, 100.
 *
 * Returns: %FALSE if the range is empty or not finite
 */
gboolean
_arb_chart_nice_ticks (double  min,
                       double  max,
                       guint   max_ticks,
                       double *first,
                       double *step,
                       guint  *n_ticks)
{
  double s, f;

  g_return_val_if_fail (first != NULL && step != NULL && n_ticks != NULL, FALSE);

  if (!isfinite (min) || !isfinite (max) || !(max > min) || max_ticks < 2)
    return FALSE;

  s = nice_step ((max - min) / (max_ticks - 1));
  f = ceil (min / s - 1e-9) * s;
  *first = f == 0 ? 0 : f;
  *step = s;
  *n_ticks = (guint) floor ((max - f) / s + 1e-9) + 1;
  return TRUE;
}

/**
 * _arb_chart_nice_range:
 * @min: (inout): the lowest value to show; becomes the bottom of the axis
 * @max: (inout): the highest value to show; becomes the top of the axis
 * @max_ticks: the most ticks that fit, at least 2
 *
 * Widens a range of data to round numbers at both ends, with at most
 * @max_ticks ticks from one end to the other. A range of one value is
 * widened around it first.
 *
 * Returns: the distance between ticks, or 0 if the values are not finite
 */
double
_arb_chart_nice_range (double *min, double *max, guint max_ticks)
{
  double lo, hi, s;

  g_return_val_if_fail (min != NULL && max != NULL, 0);

  if (!isfinite (*min) || !isfinite (*max))
    return 0;
  lo = MIN (*min, *max);
  hi = MAX (*min, *max);
  max_ticks = MAX (max_ticks, 2);
  if (hi - lo <= fabs (hi) * 1e-12)
    {
      double d = fabs (lo) > 0 ? fabs (lo) * 0.1 : 1;

      lo -= d;
      hi += d;
    }

  s = nice_step ((hi - lo) / (max_ticks - 1));
  for (guint i = 0; i < 8; i++)
    {
      double a = floor (lo / s + 1e-9) * s;
      double b = ceil (hi / s - 1e-9) * s;

      if ((b - a) / s + 1 <= max_ticks + 1e-9 || i == 7)
        {
          *min = a == 0 ? 0 : a;
          *max = b;
          break;
        }
      s = nice_step (s * 1.0001);
    }
  return s;
}

static const gint64 time_steps[] = {
  1000, 2000, 5000, 10000, 15000, 30000,
  ARB_CHART_MINUTE_MS, 2 * ARB_CHART_MINUTE_MS, 5 * ARB_CHART_MINUTE_MS,
  10 * ARB_CHART_MINUTE_MS, 15 * ARB_CHART_MINUTE_MS, 30 * ARB_CHART_MINUTE_MS,
  ARB_CHART_HOUR_MS, 2 * ARB_CHART_HOUR_MS, 3 * ARB_CHART_HOUR_MS, 6 * ARB_CHART_HOUR_MS,
  12 * ARB_CHART_HOUR_MS,
  ARB_CHART_DAY_MS, 2 * ARB_CHART_DAY_MS, 7 * ARB_CHART_DAY_MS, 14 * ARB_CHART_DAY_MS,
};

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static gint64
utc_offset_ms (gint64 ts_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (floor_div (ts_ms, 1000));

  return dt != NULL ? g_date_time_get_utc_offset (dt) / 1000 : 0;
}

/**
 * _arb_chart_time_ticks:
 * @from_ms: the left end of the axis, ms since the epoch
 * @to_ms: the right end
 * @max_ticks: the most labels that fit
 * @out_ticks: (element-type gint64): where to append the ticks, oldest first
 *
 * Ticks at round local times: whole minutes, hours, or local midnights for
 * steps of a day or more (so a 7-day axis marks the start of each day even
 * across a daylight saving change).
 *
 * Returns: the step in ms, or 0 (and no ticks) for an empty range
 */
gint64
_arb_chart_time_ticks (gint64 from_ms, gint64 to_ms, guint max_ticks, GArray *out_ticks)
{
  gint64 span = to_ms - from_ms;
  gint64 step = 0;

  g_return_val_if_fail (out_ticks != NULL, 0);
  g_return_val_if_fail (g_array_get_element_size (out_ticks) == sizeof (gint64), 0);

  if (to_ms <= from_ms || max_ticks == 0)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (time_steps) && step == 0; i++)
    if (span / time_steps[i] < (gint64) max_ticks)
      step = time_steps[i];
  if (step == 0)
    step = (span / max_ticks / ARB_CHART_DAY_MS + 1) * ARB_CHART_DAY_MS;

  if (step < ARB_CHART_DAY_MS)
    {
      gint64 off = utc_offset_ms (from_ms);

      for (gint64 t = (floor_div (from_ms + off - 1, step) + 1) * step - off; t <= to_ms; t += step)
        g_array_append_val (out_ticks, t);
    }
  else
    {
      g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (floor_div (from_ms, 1000));
      g_autoptr(GDateTime) midnight = NULL;
      int days = (int) (step / ARB_CHART_DAY_MS);

      if (start == NULL)
        return 0;
      midnight = g_date_time_new_local (g_date_time_get_year (start),
                                        g_date_time_get_month (start),
                                        g_date_time_get_day_of_month (start), 0, 0, 0);
      for (int i = 0; i <= (int) max_ticks + 1; i++)
        {
          g_autoptr(GDateTime) dt = g_date_time_add_days (midnight, i * days);
          gint64 t;

          if (dt == NULL)
            break;
          t = g_date_time_to_unix (dt) * 1000;
          if (t > to_ms)
            break;
          if (t >= from_ms)
            g_array_append_val (out_ticks, t);
        }
    }
  return step;
}

static char *
format_local (gint64 ts_ms, const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (floor_div (ts_ms, 1000));

  return dt != NULL ? g_date_time_format (dt, format) : g_strdup ("—");
}

/**
 * _arb_chart_format_time:
 * @ts_ms: a tick, ms since the epoch
 * @step_ms: the step between ticks
 *
 * A tick's label: with seconds for steps under a minute, the time of day
 * for steps under a day (the date at midnight), the date otherwise.
 *
 * Returns: (transfer full): the label, in local time
 */
char *
_arb_chart_format_time (gint64 ts_ms, gint64 step_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (floor_div (ts_ms, 1000));
  gboolean midnight;

  if (dt == NULL)
    return g_strdup ("—");
  midnight = g_date_time_get_hour (dt) == 0 && g_date_time_get_minute (dt) == 0
             && g_date_time_get_second (dt) == 0;

  if (step_ms < ARB_CHART_MINUTE_MS)
    /* Translators: a time on the chart's time axis, see g_date_time_format() */
    return g_date_time_format (dt, C_("chart time axis", "%H:%M:%S"));
  if (step_ms < ARB_CHART_DAY_MS && !midnight)
    /* Translators: a time on the chart's time axis, see g_date_time_format() */
    return g_date_time_format (dt, C_("chart time axis", "%H:%M"));
  /* Translators: a day on the chart's time axis, see g_date_time_format() */
  /* xgettext:no-c-format */
  return g_date_time_format (dt, C_("chart time axis", "%b %-d"));
}

/**
 * _arb_chart_format_instant:
 * @ts_ms: a point's time, ms since the epoch
 * @span_ms: the span of the chart's time axis
 *
 * Returns: (transfer full): the time shown beside the hover crosshair, with
 *   the date when the chart spans more than a day
 */
char *
_arb_chart_format_instant (gint64 ts_ms, gint64 span_ms)
{
  if (span_ms > ARB_CHART_DAY_MS)
    /* Translators: the time of a point under the mouse, see g_date_time_format() */
    /* xgettext:no-c-format */
    return format_local (ts_ms, C_("chart hover", "%a %b %-d, %H:%M"));
  /* Translators: the time of a point under the mouse, see g_date_time_format() */
  return format_local (ts_ms, C_("chart hover", "%H:%M:%S"));
}

/**
 * _arb_chart_format_span:
 * @span_ms: the span of the chart's time axis
 *
 * Returns: (transfer full): the span in words, for the accessible summary:
 *   "over the last hour", "over the last 7 days"
 */
char *
_arb_chart_format_span (gint64 span_ms)
{
  gint64 s = MAX ((span_ms + 500) / 1000, 0);
  guint n;

  if (s >= 2 * 86400 && s % 86400 == 0)
    {
      n = (guint) MIN (s / 86400, G_MAXUINT);
      return g_strdup_printf (ngettext ("over the last %u day", "over the last %u days", n), n);
    }
  if (s == 3600)
    return g_strdup (_("over the last hour"));
  if (s >= 3600 && s % 3600 == 0)
    {
      n = (guint) MIN (s / 3600, G_MAXUINT);
      return g_strdup_printf (ngettext ("over the last %u hour", "over the last %u hours", n), n);
    }
  if (s == 60)
    return g_strdup (_("over the last minute"));
  if (s >= 60 && s % 60 == 0)
    {
      n = (guint) MIN (s / 60, G_MAXUINT);
      return g_strdup_printf (ngettext ("over the last %u minute", "over the last %u minutes", n),
                              n);
    }
  n = (guint) MIN (s, G_MAXUINT);
  return g_strdup_printf (ngettext ("over the last %u second", "over the last %u seconds", n), n);
}
