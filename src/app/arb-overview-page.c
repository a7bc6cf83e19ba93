/* arb-overview-page.c: profit, trades, bots and the machine at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Trades may come by the thousand a second: the ledger's "changed" arms a
 * short one-shot timer and the figures are read once when it fires. The
 * sparklines take the sampler's points only while the page is mapped and
 * catch up from the series when it is shown again.
 */
#define G_LOG_DOMAIN "arb-overview-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "arb-chart.h"
#include "arb-format.h"
#include "arb-overview-page.h"
#include "arb-toplevel-watch.h"

#define REFRESH_DELAY_MS 250
#define SPARK_SPAN_MS    (5 * 60 * 1000)

struct _ArbOverviewPage
{
  AdwBin       parent_instance;

  GtkFlowBox  *figures;
  GtkBox      *charts;
  GtkListBox  *bot_list;
  AdwActionRow *url_row;

  GtkLabel    *profit_today;
  GtkLabel    *profit_total;
  GtkLabel    *success_rate;
  GtkLabel    *trades_per_minute;
  GtkLabel    *trades;
  GtkLabel    *alerts;
  ArbChart    *cpu_chart;
  ArbChart    *mem_chart;

  ArbEngine   *engine;
  GHashTable  *bot_rows;     /* bot_id -> AdwActionRow */
  GTimeZone   *tz;
  guint        refresh_id;
  guint64      n_trades;
  ArbToplevelWatch *window_watch;   /* minimised: nobody to update for */
};

G_DEFINE_FINAL_TYPE (ArbOverviewPage, arb_overview_page, ADW_TYPE_BIN)

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static GtkLabel *
add_figure (ArbOverviewPage *self, const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *caption = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("—");

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "figure");
  gtk_widget_add_css_class (caption, "caption-heading");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (value, "title-2");
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value);
  gtk_flow_box_append (self->figures, box);
  return GTK_LABEL (value);
}

static ArbChart *
add_chart (ArbOverviewPage *self, const char *title, const char *unit)
{
  ArbChart *chart = arb_chart_new ();

  arb_chart_set_title (chart, title);
  arb_chart_set_unit (chart, unit);
  arb_chart_set_sparkline (chart, TRUE);
  arb_chart_add_series (chart, title);
  arb_chart_set_empty_text (chart, _("Waiting for the first samples"));
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 96);
  gtk_widget_add_css_class (GTK_WIDGET (chart), "card");
  gtk_box_append (self->charts, GTK_WIDGET (chart));
  return chart;
}

static void
set_label_take (GtkLabel *label, char *text)
{
  gtk_label_set_label (label, text);
  g_free (text);
}

/* ---------------------------------------------------------------- trading figures */

static void
refresh_trading (ArbOverviewPage *self)
{
  ArbLedger *ledger = arb_engine_get_ledger (self->engine);
  gint64 now = now_ms ();
  g_autoptr(ArbLedgerSummary) all = arb_ledger_get_summary (ledger, ARB_WINDOW_ALL, NULL, now);
  g_autoptr(ArbLedgerSummary) hour = arb_ledger_get_summary (ledger, ARB_WINDOW_1H, NULL, now);
  const char *quote = arb_ingest_get_common_quote (arb_engine_get_ingest (self->engine));

  self->n_trades = all->trades_total;
  set_label_take (self->profit_today,
                  arb_format_money (arb_ledger_get_profit_today (ledger, NULL, now, self->tz),
                                    quote));
  set_label_take (self->profit_total, arb_format_money (all->net_profit, quote));
  set_label_take (self->success_rate, arb_format_percent (all->success_rate));
  set_label_take (self->trades_per_minute, g_strdup_printf ("%.1f", hour->trades_per_minute));
  set_label_take (self->trades, g_strdup_printf ("%" G_GUINT64_FORMAT, all->trades_total));
}

static gboolean
refresh_due (gpointer data)
{
  ArbOverviewPage *self = data;

  self->refresh_id = 0;
  refresh_trading (self);
  return G_SOURCE_REMOVE;
}

/* Hidden or minimised, the page does nothing: showing it again refreshes. */
static gboolean
is_awake (ArbOverviewPage *self)
{
  return self->engine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
         !arb_toplevel_watch_get_minimized (self->window_watch);
}

static void
on_ledger_changed (ArbLedger *ledger, const char *bot_id, ArbOverviewPage *self)
{
  if (self->refresh_id == 0 && is_awake (self))
    self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh_due, self);
}

static void
on_alerts_changed (ArbAlerts *alerts, gpointer alert, ArbOverviewPage *self)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (alerts);

  set_label_take (self->alerts, g_strdup_printf ("%u", active->len));
}

/* ---------------------------------------------------------------- bots */

static void
on_bot_changed (ArbIngest *ingest, ArbBotLink *link, ArbOverviewPage *self)
{
  const char *bot_id = arb_bot_link_get_bot_id (link);
  const char *name = arb_bot_link_get_name (link);
  GtkWidget *row = g_hash_table_lookup (self->bot_rows, bot_id);

  if (row == NULL)
    {
      row = adw_action_row_new ();
      gtk_list_box_append (self->bot_list, row);
      g_hash_table_insert (self->bot_rows, g_strdup (bot_id), row);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? name : bot_id);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), arb_format_bot_state (link));
}

/* ---------------------------------------------------------------- charts */

/* The sparklines show the last minutes from the finest tier. */
static void
load_charts (ArbOverviewPage *self)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  const ArbSystemSample *latest = arb_sampler_get_latest (arb_engine_get_sampler (self->engine));
  gint64 to = now_ms ();
  gint64 from = to - SPARK_SPAN_MS;

  arb_chart_show_series (self->cpu_chart, 0, arb_series_set_lookup (set, "cpu.total"), from, to);
  arb_chart_set_time_range (self->cpu_chart, from, to);
  arb_chart_show_series (self->mem_chart, 0, arb_series_set_lookup (set, "mem.used"), from, to);
  arb_chart_set_time_range (self->mem_chart, from, to);
  if (latest != NULL && (latest->parts & ARB_SAMPLE_MEMORY) && latest->mem_total > 0)
    arb_chart_set_value_range (self->mem_chart, 0, (double) latest->mem_total);
}

static void
on_sampled (ArbSampler *sampler, const ArbSystemSample *sample, ArbOverviewPage *self)
{
  if (is_awake (self))
    load_charts (self);
}

static void
wake_up (ArbOverviewPage *self)
{
  if (is_awake (self))
    {
      load_charts (self);
      refresh_trading (self);
    }
}

static void
arb_overview_page_map (GtkWidget *widget)
{
  ArbOverviewPage *self = ARB_OVERVIEW_PAGE (widget);

  GTK_WIDGET_CLASS (arb_overview_page_parent_class)->map (widget);
  arb_toplevel_watch_attach (self->window_watch, widget);
  wake_up (self);
}

static void
arb_overview_page_unmap (GtkWidget *widget)
{
  arb_toplevel_watch_detach (ARB_OVERVIEW_PAGE (widget)->window_watch);
  GTK_WIDGET_CLASS (arb_overview_page_parent_class)->unmap (widget);
}

/* ---------------------------------------------------------------- life cycle */

static void
arb_overview_page_dispose (GObject *object)
{
  ArbOverviewPage *self = ARB_OVERVIEW_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->window_watch);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_overview_page_parent_class)->dispose (object);
}

static void
arb_overview_page_finalize (GObject *object)
{
  ArbOverviewPage *self = ARB_OVERVIEW_PAGE (object);

  g_hash_table_unref (self->bot_rows);
  g_time_zone_unref (self->tz);

  G_OBJECT_CLASS (arb_overview_page_parent_class)->finalize (object);
}

static void
arb_overview_page_class_init (ArbOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_overview_page_dispose;
  object_class->finalize = arb_overview_page_finalize;
  widget_class->map = arb_overview_page_map;
  widget_class->unmap = arb_overview_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbOverviewPage, figures);
  gtk_widget_class_bind_template_child (widget_class, ArbOverviewPage, charts);
  gtk_widget_class_bind_template_child (widget_class, ArbOverviewPage, bot_list);
  gtk_widget_class_bind_template_child (widget_class, ArbOverviewPage, url_row);
}

static void
arb_overview_page_init (ArbOverviewPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->window_watch = arb_toplevel_watch_new ();
  g_signal_connect_object (self->window_watch, "notify::minimized", G_CALLBACK (wake_up), self,
                           G_CONNECT_SWAPPED);
  self->bot_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->tz = g_time_zone_new_local ();
  self->profit_today = add_figure (self, _("Net Profit Today"));
  self->profit_total = add_figure (self, _("Net Profit in Total"));
  self->success_rate = add_figure (self, _("Success Rate"));
  self->trades_per_minute = add_figure (self, _("Trades per Minute"));
  self->trades = add_figure (self, _("Trades"));
  self->alerts = add_figure (self, _("Active Alerts"));
  self->cpu_chart = add_chart (self, _("CPU"), "%");
  self->mem_chart = add_chart (self, _("Memory"), "bytes");
  arb_chart_set_value_range (self->cpu_chart, 0, 100);
}

/**
 * arb_overview_page_set_engine:
 * @engine: the engine to show
 * @url: the address of its server
 *
 * Shows @engine from now on; can be called once.
 */
void
arb_overview_page_set_engine (ArbOverviewPage *self,
                              ArbEngine       *engine,
                              const char      *url)
{
  g_autoptr(GPtrArray) bots = NULL;

  g_return_if_fail (ARB_IS_OVERVIEW_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->url_row), url);
  g_signal_connect_object (arb_engine_get_ledger (engine), "changed",
                           G_CALLBACK (on_ledger_changed), self, 0);
  g_signal_connect_object (arb_engine_get_alerts (engine), "changed",
                           G_CALLBACK (on_alerts_changed), self, 0);
  g_signal_connect_object (arb_engine_get_ingest (engine), "bot-changed",
                           G_CALLBACK (on_bot_changed), self, 0);
  g_signal_connect_object (arb_engine_get_sampler (engine), "sampled",
                           G_CALLBACK (on_sampled), self, 0);
  bots = arb_ingest_list_bots (arb_engine_get_ingest (engine));
  for (guint i = 0; i < bots->len; i++)
    on_bot_changed (NULL, g_ptr_array_index (bots, i), self);
  on_alerts_changed (arb_engine_get_alerts (engine), NULL, self);
  refresh_trading (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    load_charts (self);
}

/**
 * arb_overview_page_get_trades:
 *
 * Returns: the number of trades the page shows
 */
guint64
arb_overview_page_get_trades (ArbOverviewPage *self)
{
  g_return_val_if_fail (ARB_IS_OVERVIEW_PAGE (self), 0);
  return self->n_trades;
}

guint
arb_overview_page_get_n_bots (ArbOverviewPage *self)
{
  g_return_val_if_fail (ARB_IS_OVERVIEW_PAGE (self), 0);
  return g_hash_table_size (self->bot_rows);
}
