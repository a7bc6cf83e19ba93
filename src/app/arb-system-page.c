/* arb-system-page.c: the machine, the dashboard itself, and the bots' network status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The charts read the engine's series over the range of the switch, from
 * the tier that covers it; the rows read the sampler's latest sample and
 * the latest value of the bots' "rpc_latency_ms.<venue>" and "block_lag"
 * metrics. Everything is refreshed on each sample, but only while the page
 * is mapped and its window is not minimised: widgets stay mapped in a
 * minimised window, so the page watches the toplevel's state itself. On
 * mapping, on a change of range and on restoring the window, the page
 * reloads from the series, so nothing is missed.
 *
 * Rows are rebuilt only when what they list changes (the cores, the
 * interfaces, the bots and their venues); otherwise only their subtitles
 * change. The venues are looked for again only when the number of series
 * changes, since a new venue or bot is a new series.
 */
#define G_LOG_DOMAIN "arb-system-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "arb-chart.h"
#include "arb-format.h"
#include "arb-range-switch.h"
#include "arb-system-page.h"
#include "arb-toplevel-watch.h"

/* Up to this many cores share the CPU chart with the total; more get a chart
 * of their own, so that the total stays readable. */
#define MAX_CORES_WITH_TOTAL 8
#define HIGH_LATENCY_MS      500.0
#define HIGH_BLOCK_LAG       1.0
#define LATENCY_METRIC       ".rpc_latency_ms."
#define CHART_HEIGHT         180

typedef struct
{
  char         *venue;
  char         *series;    /* bot.<id>.rpc_latency_ms.<venue> */
  AdwActionRow *row;
  GtkWidget    *warning;
} VenueView;

typedef struct
{
  char           *bot_id;
  char           *lag_series;   /* bot.<id>.block_lag */
  AdwExpanderRow *row;
  GtkWidget      *warning;
  GPtrArray      *venues;       /* VenueView, by name */
  ArbChart       *chart;        /* NULL without venues */
} BotView;

struct _ArbSystemPage
{
  AdwBin               parent_instance;

  ArbRangeSwitch      *range_switch;
  GtkBox              *charts;
  AdwActionRow        *memory_row;
  AdwActionRow        *swap_row;
  AdwActionRow        *load_row;
  AdwActionRow        *uptime_row;
  AdwActionRow        *disk_row;
  AdwPreferencesGroup *cores_group;
  AdwPreferencesGroup *ifaces_group;
  AdwActionRow        *self_cpu_row;
  AdwActionRow        *self_memory_row;
  AdwActionRow        *self_threads_row;
  AdwPreferencesGroup *status_group;
  AdwActionRow        *no_status_row;

  ArbChart            *cpu_chart;
  ArbChart            *cores_chart;     /* NULL while the cores are on the CPU chart */
  ArbChart            *mem_chart;
  ArbChart            *net_chart;
  ArbChart            *self_cpu_chart;
  ArbChart            *self_mem_chart;

  guint                n_cores;         /* in the charts and rows */
  GPtrArray           *core_rows;       /* AdwActionRow */
  GPtrArray           *iface_names;     /* char*, the non-loopback interfaces shown */
  GPtrArray           *iface_rows;      /* AdwActionRow */
  GPtrArray           *bots;            /* BotView, by id */
  guint                n_series_seen;   /* at the last search for venues */

  ArbEngine           *engine;
  ArbToplevelWatch    *window_watch;
  guint                n_samples;       /* samples shown */
};

G_DEFINE_FINAL_TYPE (ArbSystemPage, arb_system_page, ADW_TYPE_BIN)

static void
venue_view_free (VenueView *view)
{
  g_free (view->venue);
  g_free (view->series);
  g_free (view);
}

static void
bot_view_free (BotView *view)
{
  g_free (view->bot_id);
  g_free (view->lag_series);
  g_ptr_array_unref (view->venues);
  g_free (view);
}

/* ---------------------------------------------------------------- building */

static ArbChart *
new_chart (const char *title, const char *unit, const char *const *labels)
{
  ArbChart *chart = arb_chart_new ();

  arb_chart_set_title (chart, title);
  arb_chart_set_unit (chart, unit);
  for (guint i = 0; labels[i] != NULL; i++)
    arb_chart_add_series (chart, labels[i]);
  arb_chart_set_empty_text (chart, _("Waiting for the first samples"));
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, CHART_HEIGHT);
  gtk_widget_add_css_class (GTK_WIDGET (chart), "card");
  return chart;
}

static void
set_subtitle_take (AdwActionRow *row, char *text)
{
  adw_action_row_set_subtitle (row, text);
  g_free (text);
}

/* A row whose title comes from outside (an interface, a venue): no markup. */
static AdwActionRow *
new_row (const char *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "—");
  gtk_widget_add_css_class (row, "numeric");
  return ADW_ACTION_ROW (row);
}

static GtkWidget *
new_warning (const char *text)
{
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_set_tooltip_text (icon, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_set_visible (icon, FALSE);
  return icon;
}

static void
remove_rows (AdwPreferencesGroup *group, GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static char *
core_label (guint core)
{
  /* Translators: a processor core, numbered from 0 as the kernel does: "Core 3" */
  return g_strdup_printf (_("Core %u"), core);
}

/* The CPU chart (and the cores' own chart with many cores) and the core
 * rows, for @n_cores cores; they come first in the charts box. */
static void
build_cores (ArbSystemPage *self, guint n_cores)
{
  const char *const labels[] = { _("Total"), NULL };
  gboolean together = n_cores <= MAX_CORES_WITH_TOTAL;

  if (self->cpu_chart != NULL)
    gtk_box_remove (self->charts, GTK_WIDGET (self->cpu_chart));
  if (self->cores_chart != NULL)
    gtk_box_remove (self->charts, GTK_WIDGET (self->cores_chart));
  self->cores_chart = NULL;
  remove_rows (self->cores_group, self->core_rows);
  self->n_cores = n_cores;

  self->cpu_chart = new_chart (_("CPU"), "%", labels);
  arb_chart_set_value_range (self->cpu_chart, 0, 100);
  if (!together)
    {
      const char *const none[] = { NULL };

      self->cores_chart = new_chart (_("CPU per Core"), "%", none);
      arb_chart_set_value_range (self->cores_chart, 0, 100);
      gtk_box_prepend (self->charts, GTK_WIDGET (self->cores_chart));
    }
  gtk_box_prepend (self->charts, GTK_WIDGET (self->cpu_chart));

  for (guint i = 0; i < n_cores; i++)
    {
      g_autofree char *label = core_label (i);
      AdwActionRow *row = new_row (label);

      arb_chart_add_series (together ? self->cpu_chart : self->cores_chart, label);
      adw_preferences_group_add (self->cores_group, GTK_WIDGET (row));
      g_ptr_array_add (self->core_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->cores_group), n_cores > 0);
}

static gboolean
same_ifaces (ArbSystemPage *self, const ArbSystemSample *s)
{
  guint n = 0;

  for (guint i = 0; i < s->n_ifaces; i++)
    {
      if (s->ifaces[i].loopback)
        continue;
      if (n >= self->iface_names->len
          || strcmp (g_ptr_array_index (self->iface_names, n), s->ifaces[i].name) != 0)
        return FALSE;
      n++;
    }
  return n == self->iface_names->len;
}

static void
build_ifaces (ArbSystemPage *self, const ArbSystemSample *s)
{
  remove_rows (self->ifaces_group, self->iface_rows);
  g_ptr_array_set_size (self->iface_names, 0);
  for (guint i = 0; i < s->n_ifaces; i++)
    {
      AdwActionRow *row;

      if (s->ifaces[i].loopback)
        continue;
      row = new_row (s->ifaces[i].name);
      adw_preferences_group_add (self->ifaces_group, GTK_WIDGET (row));
      g_ptr_array_add (self->iface_rows, row);
      g_ptr_array_add (self->iface_names, g_strdup (s->ifaces[i].name));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->ifaces_group), self->iface_rows->len > 0);
}

/* ---------------------------------------------------------------- the machine's figures */

static char *
format_rate (double bytes_per_s)
{
  g_autofree char *size = g_format_size ((guint64) MAX (bytes_per_s, 0));

  /* Translators: a rate, such as "1.2 kB/s"; %s is a size */
  return g_strdup_printf (_("%s/s"), size);
}

static void
show_memory (ArbSystemPage *self, const ArbSystemSample *s)
{
  g_autofree char *used = g_format_size (s->mem_used);
  g_autofree char *total = g_format_size (s->mem_total);
  g_autofree char *cached = g_format_size (s->mem_cached);

  /* Translators: memory in use, the total and the cache: "3.2 GB of 16.0 GB · 5.1 GB cached" */
  set_subtitle_take (self->memory_row, g_strdup_printf (_("%s of %s · %s cached"),
                                                        used, total, cached));
  if (s->swap_total > 0)
    {
      g_autofree char *swap_used = g_format_size (s->swap_used);
      g_autofree char *swap_total = g_format_size (s->swap_total);

      /* Translators: swap in use and its total, such as "0 bytes of 2.0 GB" */
      set_subtitle_take (self->swap_row, g_strdup_printf (_("%s of %s"), swap_used, swap_total));
    }
  else
    adw_action_row_set_subtitle (self->swap_row, _("No swap"));
  if (MAX (s->mem_total, s->swap_total) > 0)
    arb_chart_set_value_range (self->mem_chart, 0, (double) MAX (s->mem_total, s->swap_total));
}

static void
show_process (ArbSystemPage *self, const ArbProcStats *p)
{
  set_subtitle_take (self->self_cpu_row, arb_format_percent (p->cpu_pct / 100.0));
  set_subtitle_take (self->self_memory_row, g_format_size (p->rss_bytes));
  set_subtitle_take (self->self_threads_row, g_strdup_printf ("%u", p->threads));
}

static void
show_figures (ArbSystemPage *self, const ArbSystemSample *s)
{
  if ((s->parts & ARB_SAMPLE_CPU) && s->n_cores != self->n_cores)
    build_cores (self, s->n_cores);
  if ((s->parts & ARB_SAMPLE_NET) && !same_ifaces (self, s))
    build_ifaces (self, s);

  if (s->parts & ARB_SAMPLE_MEMORY)
    show_memory (self, s);
  if (s->parts & ARB_SAMPLE_LOAD)
    set_subtitle_take (self->load_row,
                       g_strdup_printf ("%.2f  %.2f  %.2f", s->load1, s->load5, s->load15));
  if (s->parts & ARB_SAMPLE_UPTIME)
    set_subtitle_take (self->uptime_row, arb_format_duration (s->uptime_s));
  if (s->parts & ARB_SAMPLE_DISK)
    {
      g_autofree char *used = g_format_size (s->disk_used);
      g_autofree char *total = g_format_size (s->disk_total);
      /* Translators: "3.2 GB of 16.0 GB used (/home)" */
      set_subtitle_take (self->disk_row, g_strdup_printf (_("%s of %s used (%s)"), used, total,
                                                          s->disk_path));
    }
  /* rates and percentages need two readings */
  if ((s->parts & ARB_SAMPLE_CPU) && s->interval_ms > 0)
    for (guint i = 0; i < s->n_cores && i < self->core_rows->len; i++)
      set_subtitle_take (g_ptr_array_index (self->core_rows, i),
                         arb_format_percent (s->cpu_core[i] / 100.0));
  if ((s->parts & ARB_SAMPLE_NET) && s->interval_ms > 0)
    for (guint i = 0, n = 0; i < s->n_ifaces && n < self->iface_rows->len; i++)
      {
        g_autofree char *rx = NULL;
        g_autofree char *tx = NULL;

        if (s->ifaces[i].loopback)
          continue;
        rx = format_rate (s->ifaces[i].rx_rate);
        tx = format_rate (s->ifaces[i].tx_rate);
        /* Translators: an interface's rates, such as "Received 1.2 kB/s · Sent 300 bytes/s" */
        set_subtitle_take (g_ptr_array_index (self->iface_rows, n++),
                           g_strdup_printf (_("Received %s · Sent %s"), rx, tx));
      }
  if ((s->parts & ARB_SAMPLE_PROCESS) && s->interval_ms > 0)
    show_process (self, &s->self);
}

/* ---------------------------------------------------------------- the bots' network status */

typedef struct
{
  GHashTable *venues;   /* bot id -> GPtrArray of venue names */
} VenueSearch;

/* Adds "bot.<id>.rpc_latency_ms.<venue>" of a known bot. */
static void
find_venue (ArbSeries *series, gpointer data)
{
  VenueSearch *search = data;
  const char *name = arb_series_get_name (series);
  const char *metric;
  g_autofree char *bot_id = NULL;
  GPtrArray *venues;

  if (!g_str_has_prefix (name, "bot.") || (metric = strstr (name + 4, LATENCY_METRIC)) == NULL)
    return;
  bot_id = g_strndup (name + 4, (gsize) (metric - name - 4));
  venues = g_hash_table_lookup (search->venues, bot_id);
  if (venues != NULL && metric[strlen (LATENCY_METRIC)] != '\0')
    g_ptr_array_add (venues, g_strdup (metric + strlen (LATENCY_METRIC)));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static BotView *
find_bot (ArbSystemPage *self, const char *bot_id)
{
  for (guint i = 0; i < self->bots->len; i++)
    {
      BotView *view = g_ptr_array_index (self->bots, i);

      if (g_str_equal (view->bot_id, bot_id))
        return view;
    }
  return NULL;
}

/* Whether @view shows exactly @venues, sorted. */
static gboolean
bot_view_matches (BotView *view, GPtrArray *venues)
{
  if (view->venues->len != venues->len)
    return FALSE;
  for (guint i = 0; i < venues->len; i++)
    if (strcmp (((VenueView *) g_ptr_array_index (view->venues, i))->venue,
                g_ptr_array_index (venues, i)) != 0)
      return FALSE;
  return TRUE;
}

static BotView *
bot_view_new (ArbSystemPage *self, const char *bot_id, GPtrArray *venues)
{
  BotView *view = g_new0 (BotView, 1);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_null_terminated (venues->len, NULL, TRUE);
  g_autofree char *title = NULL;

  view->bot_id = g_strdup (bot_id);
  view->lag_series = g_strconcat ("bot.", bot_id, ".block_lag", NULL);
  view->venues = g_ptr_array_new_with_free_func ((GDestroyNotify) venue_view_free);
  view->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (view->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (view->row), bot_id);
  adw_expander_row_set_expanded (view->row, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (view->row), "numeric");
  view->warning = new_warning (_("The bot is more than one block behind"));
  adw_expander_row_add_action (view->row, view->warning);

  for (guint i = 0; i < venues->len; i++)
    {
      VenueView *venue = g_new0 (VenueView, 1);

      venue->venue = g_strdup (g_ptr_array_index (venues, i));
      venue->series = g_strconcat ("bot.", bot_id, LATENCY_METRIC, venue->venue, NULL);
      venue->row = new_row (venue->venue);
      venue->warning = new_warning (_("High RPC latency"));
      adw_action_row_add_suffix (venue->row, venue->warning);
      adw_expander_row_add_row (view->row, GTK_WIDGET (venue->row));
      g_ptr_array_add (view->venues, venue);
      g_ptr_array_add (labels, venue->venue);
    }
  adw_preferences_group_add (self->status_group, GTK_WIDGET (view->row));

  if (venues->len > 0)
    {
      /* Translators: the title of a chart; %s is a bot's id */
      title = g_strdup_printf (_("RPC Latency of %s"), bot_id);
      view->chart = new_chart (title, "ms", (const char *const *) labels->pdata);
      arb_chart_set_empty_text (view->chart, _("Waiting for the first reports"));
      arb_chart_set_value_range (view->chart, 0, NAN);
      /* the group puts it right below the rows */
      gtk_widget_set_margin_top (GTK_WIDGET (view->chart), 12);
      adw_preferences_group_add (self->status_group, GTK_WIDGET (view->chart));
    }
  return view;
}

static void
remove_bot_views (ArbSystemPage *self)
{
  for (guint i = 0; i < self->bots->len; i++)
    {
      BotView *view = g_ptr_array_index (self->bots, i);

      adw_preferences_group_remove (self->status_group, GTK_WIDGET (view->row));
      if (view->chart != NULL)
        adw_preferences_group_remove (self->status_group, GTK_WIDGET (view->chart));
    }
  g_ptr_array_set_size (self->bots, 0);
}

/* Finds the bots that report a latency or a block lag, and rebuilds their
 * rows if that changed. */
static void
find_bots (ArbSystemPage *self)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  g_autoptr(GPtrArray) links = arb_ingest_list_bots (arb_engine_get_ingest (self->engine));
  g_autoptr(GPtrArray) reporting = g_ptr_array_new ();   /* bot ids, borrowed from links */
  g_autoptr(GHashTable) venues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
  VenueSearch search = { venues };
  gboolean same;

  self->n_series_seen = arb_series_set_get_n_series (set);
  for (guint i = 0; i < links->len; i++)
    g_hash_table_insert (venues, (gpointer) arb_bot_link_get_bot_id (g_ptr_array_index (links, i)),
                         g_ptr_array_new_with_free_func (g_free));
  arb_series_set_foreach (set, find_venue, &search);

  /* the links come sorted by id */
  for (guint i = 0; i < links->len; i++)
    {
      const char *bot_id = arb_bot_link_get_bot_id (g_ptr_array_index (links, i));
      g_autofree char *lag = g_strconcat ("bot.", bot_id, ".block_lag", NULL);
      GPtrArray *bot_venues = g_hash_table_lookup (venues, bot_id);

      g_ptr_array_sort (bot_venues, compare_strings);
      if (bot_venues->len > 0 || arb_series_set_lookup (set, lag) != NULL)
        g_ptr_array_add (reporting, (gpointer) bot_id);
    }

  same = reporting->len == self->bots->len;
  for (guint i = 0; same && i < reporting->len; i++)
    {
      BotView *view = g_ptr_array_index (self->bots, i);

      same = g_str_equal (view->bot_id, g_ptr_array_index (reporting, i))
             && bot_view_matches (view, g_hash_table_lookup (venues, view->bot_id));
    }
  if (same)
    return;

  remove_bot_views (self);
  for (guint i = 0; i < reporting->len; i++)
    {
      const char *bot_id = g_ptr_array_index (reporting, i);
      GPtrArray *bot_venues = g_hash_table_lookup (venues, bot_id);

      g_ptr_array_add (self->bots, bot_view_new (self, bot_id, bot_venues));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->no_status_row), self->bots->len == 0);
}

static char *
format_block_lag (double lag)
{
  gulong n = (gulong) MAX (lag, 0);

  /* Translators: how many blocks a bot's node is behind the chain */
  return g_strdup_printf (ngettext ("Block lag: %lu block", "Block lag: %lu blocks", n), n);
}

static void
show_status (ArbSystemPage *self)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);

  for (guint i = 0; i < self->bots->len; i++)
    {
      BotView *view = g_ptr_array_index (self->bots, i);
      ArbSeries *series = arb_series_set_lookup (set, view->lag_series);
      double value;
      g_autofree char *lag = NULL;

      if (series != NULL && arb_series_latest (series, NULL, &value))
        {
          lag = format_block_lag (value);
          gtk_widget_set_visible (view->warning, value > HIGH_BLOCK_LAG);
        }
      else
        gtk_widget_set_visible (view->warning, FALSE);
      adw_expander_row_set_subtitle (view->row, lag != NULL ? lag : _("Block lag not reported"));

      for (guint k = 0; k < view->venues->len; k++)
        {
          VenueView *venue = g_ptr_array_index (view->venues, k);

          series = arb_series_set_lookup (set, venue->series);
          if (series != NULL && arb_series_latest (series, NULL, &value))
            {
              /* Translators: a round trip in milliseconds, such as "45.2 ms" */
              set_subtitle_take (venue->row, g_strdup_printf (_("%.1f ms"), value));
              gtk_widget_set_visible (venue->warning, value > HIGH_LATENCY_MS);
            }
          else
            {
              adw_action_row_set_subtitle (venue->row, "—");
              gtk_widget_set_visible (venue->warning, FALSE);
            }
        }
    }
}

/* ---------------------------------------------------------------- charts */

static void
show_series (ArbChart *chart, guint index, ArbSeriesSet *set, const char *name,
             gint64 from, gint64 to)
{
  arb_chart_show_series (chart, index, arb_series_set_lookup (set, name), from, to);
}

static void
load_charts (ArbSystemPage *self)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  gint64 to = g_get_real_time () / 1000;
  gint64 from = to - arb_range_switch_get_span_ms (self->range_switch);
  ArbChart *charts[] = {
    self->cpu_chart, self->cores_chart, self->mem_chart, self->net_chart,
    self->self_cpu_chart, self->self_mem_chart,
  };

  show_series (self->cpu_chart, 0, set, "cpu.total", from, to);
  for (guint i = 0; i < self->n_cores; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "cpu.core.%u", i);
      if (self->cores_chart != NULL)
        show_series (self->cores_chart, i, set, name, from, to);
      else
        show_series (self->cpu_chart, i + 1, set, name, from, to);
    }
  show_series (self->mem_chart, 0, set, "mem.used", from, to);
  show_series (self->mem_chart, 1, set, "mem.swap_used", from, to);
  show_series (self->net_chart, 0, set, "net.rx", from, to);
  show_series (self->net_chart, 1, set, "net.tx", from, to);
  show_series (self->self_cpu_chart, 0, set, "process.cpu", from, to);
  show_series (self->self_mem_chart, 0, set, "process.rss", from, to);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    if (charts[i] != NULL)
      arb_chart_set_time_range (charts[i], from, to);

  for (guint i = 0; i < self->bots->len; i++)
    {
      BotView *view = g_ptr_array_index (self->bots, i);

      if (view->chart == NULL)
        continue;
      for (guint k = 0; k < view->venues->len; k++)
        {
          VenueView *venue = g_ptr_array_index (view->venues, k);

          show_series (view->chart, k, set, venue->series, from, to);
        }
      arb_chart_set_time_range (view->chart, from, to);
    }
}

/* ---------------------------------------------------------------- updates */

static gboolean
is_awake (ArbSystemPage *self)
{
  return self->engine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         !arb_toplevel_watch_get_minimized (self->window_watch);
}

/* Shows @sample (or the latest one), the bots' figures and the charts. */
static void
update (ArbSystemPage *self, const ArbSystemSample *sample)
{
  if (sample == NULL)
    sample = arb_sampler_get_latest (arb_engine_get_sampler (self->engine));
  if (sample != NULL)
    show_figures (self, sample);
  if (arb_series_set_get_n_series (arb_engine_get_series (self->engine)) != self->n_series_seen)
    find_bots (self);
  show_status (self);
  load_charts (self);
}

static void
on_sampled (ArbSampler *sampler, const ArbSystemSample *sample, ArbSystemPage *self)
{
  if (!is_awake (self))
    return;
  self->n_samples++;
  update (self, sample);
}

static void
on_range_changed (ArbSystemPage *self)
{
  if (is_awake (self))
    load_charts (self);
}

static void
on_minimized (ArbSystemPage *self)
{
  /* shown again: catch up at once rather than at the next sample */
  if (is_awake (self))
    update (self, NULL);
}

/* ---------------------------------------------------------------- the widget */

static void
arb_system_page_map (GtkWidget *widget)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (widget);

  GTK_WIDGET_CLASS (arb_system_page_parent_class)->map (widget);
  arb_toplevel_watch_attach (self->window_watch, widget);
  if (is_awake (self))
    update (self, NULL);
}

static void
arb_system_page_unmap (GtkWidget *widget)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (widget);

  arb_toplevel_watch_detach (self->window_watch);

  GTK_WIDGET_CLASS (arb_system_page_parent_class)->unmap (widget);
}

static void
arb_system_page_dispose (GObject *object)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (object);

  g_clear_object (&self->window_watch);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_system_page_parent_class)->dispose (object);
}

static void
arb_system_page_finalize (GObject *object)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (object);

  g_ptr_array_unref (self->core_rows);
  g_ptr_array_unref (self->iface_names);
  g_ptr_array_unref (self->iface_rows);
  g_ptr_array_unref (self->bots);

  G_OBJECT_CLASS (arb_system_page_parent_class)->finalize (object);
}

static void
arb_system_page_class_init (ArbSystemPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_system_page_dispose;
  object_class->finalize = arb_system_page_finalize;
  widget_class->map = arb_system_page_map;
  widget_class->unmap = arb_system_page_unmap;

  g_type_ensure (ARB_TYPE_RANGE_SWITCH);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-system-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, range_switch);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, charts);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, swap_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, load_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, uptime_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, disk_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, cores_group);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, ifaces_group);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, self_cpu_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, self_memory_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, self_threads_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, status_group);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, no_status_row);
}

static void
arb_system_page_init (ArbSystemPage *self)
{
  const char *const memory[] = { _("Used"), _("Swap Used"), NULL };
  const char *const network[] = { _("Received"), _("Sent"), NULL };
  const char *const none[] = { NULL };
  GtkWidget *process;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->window_watch = arb_toplevel_watch_new ();
  g_signal_connect_object (self->window_watch, "notify::minimized", G_CALLBACK (on_minimized),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->range_switch, "notify::range", G_CALLBACK (on_range_changed),
                            self);

  self->core_rows = g_ptr_array_new ();
  self->iface_names = g_ptr_array_new_with_free_func (g_free);
  self->iface_rows = g_ptr_array_new ();
  self->bots = g_ptr_array_new_with_free_func ((GDestroyNotify) bot_view_free);
  /* nothing looked for yet */
  self->n_series_seen = G_MAXUINT;

  self->mem_chart = new_chart (_("Memory"), "bytes", memory);
  self->net_chart = new_chart (_("Network"), "bytes/s", network);
  self->self_cpu_chart = new_chart (_("Dashboard CPU"), "%", none);
  self->self_mem_chart = new_chart (_("Dashboard Memory"), "bytes", none);
  arb_chart_add_series (self->self_cpu_chart, NULL);
  arb_chart_add_series (self->self_mem_chart, NULL);
  arb_chart_set_value_range (self->net_chart, 0, NAN);
  arb_chart_set_value_range (self->self_cpu_chart, 0, NAN);
  arb_chart_set_value_range (self->self_mem_chart, 0, NAN);
  gtk_box_append (self->charts, GTK_WIDGET (self->mem_chart));
  gtk_box_append (self->charts, GTK_WIDGET (self->net_chart));
  /* the dashboard's own two charts side by side: they are one subject */
  process = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_set_homogeneous (GTK_BOX (process), TRUE);
  gtk_box_append (GTK_BOX (process), GTK_WIDGET (self->self_cpu_chart));
  gtk_box_append (GTK_BOX (process), GTK_WIDGET (self->self_mem_chart));
  gtk_box_append (self->charts, process);
  /* the CPU chart comes first: its per-core series wait for the first sample */
  build_cores (self, 0);
}

/**
 * arb_system_page_set_engine:
 * @engine: the engine whose samples to show
 *
 * Shows @engine's samples and series from now on; can be called once.
 */
void
arb_system_page_set_engine (ArbSystemPage *self,
                            ArbEngine     *engine)
{
  g_return_if_fail (ARB_IS_SYSTEM_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  g_signal_connect_object (arb_engine_get_sampler (engine), "sampled",
                           G_CALLBACK (on_sampled), self, 0);
  if (is_awake (self))
    update (self, NULL);
}

/**
 * arb_system_page_get_range_switch:
 *
 * Returns: (transfer none): the switch of the charts' time range
 */
ArbRangeSwitch *
arb_system_page_get_range_switch (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), NULL);
  return self->range_switch;
}

/**
 * arb_system_page_get_n_samples:
 *
 * For tests.
 *
 * Returns: how many samples the page showed (only while it was mapped and
 *   its window was not minimised)
 */
guint
arb_system_page_get_n_samples (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), 0);
  return self->n_samples;
}

/**
 * arb_system_page_get_n_core_rows:
 *
 * For tests.
 *
 * Returns: how many rows show a core's busy percentage
 */
guint
arb_system_page_get_n_core_rows (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), 0);
  return self->core_rows->len;
}

/**
 * arb_system_page_get_iface_row:
 * @index: a row's index, from 0
 *
 * For tests.
 *
 * Returns: (transfer none) (nullable): the row of the @index-th network
 *   interface shown (loopback is not), or %NULL past the last
 */
AdwActionRow *
arb_system_page_get_iface_row (ArbSystemPage *self,
                               guint          index)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), NULL);
  return index < self->iface_rows->len ? g_ptr_array_index (self->iface_rows, index) : NULL;
}

/**
 * arb_system_page_get_chart:
 * @name: "cpu", "cores", "memory", "network", "process-cpu" or "process-memory"
 *
 * For tests. The CPU chart holds the total and, with few cores, one series
 * per core; with more, the cores have a chart of their own.
 *
 * Returns: (transfer none) (nullable): the chart, or %NULL for "cores"
 *   while the cores are on the CPU chart
 */
ArbChart *
arb_system_page_get_chart (ArbSystemPage *self,
                           const char    *name)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "cpu"))
    return self->cpu_chart;
  if (g_str_equal (name, "cores"))
    return self->cores_chart;
  if (g_str_equal (name, "memory"))
    return self->mem_chart;
  if (g_str_equal (name, "network"))
    return self->net_chart;
  if (g_str_equal (name, "process-cpu"))
    return self->self_cpu_chart;
  if (g_str_equal (name, "process-memory"))
    return self->self_mem_chart;
  g_return_val_if_reached (NULL);
}

/**
 * arb_system_page_get_n_status_bots:
 *
 * For tests.
 *
 * Returns: how many bots the Network Status group shows
 */
guint
arb_system_page_get_n_status_bots (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), 0);
  return self->bots->len;
}

/**
 * arb_system_page_says_no_status:
 *
 * For tests.
 *
 * Returns: whether the Network Status group says that no bot reports its
 *   network status
 */
gboolean
arb_system_page_says_no_status (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->no_status_row));
}

/**
 * arb_system_page_get_n_venue_rows:
 * @bot_id: a bot's id
 *
 * For tests.
 *
 * Returns: how many venues' RPC latency the page shows for the bot
 */
guint
arb_system_page_get_n_venue_rows (ArbSystemPage *self,
                                  const char    *bot_id)
{
  BotView *view;

  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), 0);
  g_return_val_if_fail (bot_id != NULL, 0);

  view = find_bot (self, bot_id);
  return view != NULL ? view->venues->len : 0;
}

/**
 * arb_system_page_get_status:
 * @bot_id: a bot's id
 * @venue: (nullable): a venue, or %NULL for the bot's block lag
 * @warning: (out) (optional): whether the page warns about the figure
 *
 * For tests.
 *
 * Returns: (nullable): the text the page shows for the venue's latency or
 *   the bot's block lag, or %NULL when it shows no such row
 */
const char *
arb_system_page_get_status (ArbSystemPage *self,
                            const char    *bot_id,
                            const char    *venue,
                            gboolean      *warning)
{
  BotView *view;

  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), NULL);
  g_return_val_if_fail (bot_id != NULL, NULL);

  view = find_bot (self, bot_id);
  if (view == NULL)
    return NULL;
  if (venue == NULL)
    {
      if (warning != NULL)
        *warning = gtk_widget_get_visible (view->warning);
      return adw_expander_row_get_subtitle (view->row);
    }
  for (guint i = 0; i < view->venues->len; i++)
    {
      VenueView *v = g_ptr_array_index (view->venues, i);

      if (!g_str_equal (v->venue, venue))
        continue;
      if (warning != NULL)
        *warning = gtk_widget_get_visible (v->warning);
      return adw_action_row_get_subtitle (v->row);
    }
  return NULL;
}

/**
 * arb_system_page_get_status_chart:
 * @bot_id: a bot's id
 *
 * For tests.
 *
 * Returns: (transfer none) (nullable): the chart of the bot's RPC latency,
 *   one series per venue
 */
ArbChart *
arb_system_page_get_status_chart (ArbSystemPage *self,
                                  const char    *bot_id)
{
  BotView *view;

  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), NULL);
  g_return_val_if_fail (bot_id != NULL, NULL);

  view = find_bot (self, bot_id);
  return view != NULL ? view->chart : NULL;
}
