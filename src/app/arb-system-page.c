/* arb-system-page.c: the machine: CPU, memory, load, uptime, disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Samples are taken only while the page is mapped; on mapping, the charts
 * reload the last minutes from the series, so nothing is missed.
 */
#define G_LOG_DOMAIN "arb-system-page"

#include "config.h"

#include <glib/gi18n.h>

#include "arb-chart.h"
#include "arb-format.h"
#include "arb-system-page.h"

#define SPAN_MS (10 * 60 * 1000)

struct _ArbSystemPage
{
  AdwBin        parent_instance;

  GtkBox       *charts;
  AdwActionRow *memory_row;
  AdwActionRow *load_row;
  AdwActionRow *uptime_row;
  AdwActionRow *disk_row;
  ArbChart     *cpu_chart;
  ArbChart     *mem_chart;

  ArbEngine    *engine;
  guint         n_samples;   /* samples shown while mapped */
};

G_DEFINE_FINAL_TYPE (ArbSystemPage, arb_system_page, ADW_TYPE_BIN)

static ArbChart *
add_chart (ArbSystemPage *self, const char *title, const char *unit)
{
  ArbChart *chart = arb_chart_new ();

  arb_chart_set_title (chart, title);
  arb_chart_set_unit (chart, unit);
  arb_chart_add_series (chart, title);
  arb_chart_set_empty_text (chart, _("Waiting for the first samples"));
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 180);
  gtk_widget_add_css_class (GTK_WIDGET (chart), "card");
  gtk_box_append (self->charts, GTK_WIDGET (chart));
  return chart;
}

static void
set_subtitle_take (AdwActionRow *row, char *text)
{
  adw_action_row_set_subtitle (row, text);
  g_free (text);
}

static void
show_figures (ArbSystemPage *self, const ArbSystemSample *s)
{
  if (s->parts & ARB_SAMPLE_MEMORY)
    {
      g_autofree char *used = g_format_size (s->mem_used);
      g_autofree char *total = g_format_size (s->mem_total);
      /* Translators: memory in use, such as "3.2 GB of 16.0 GB" */
      set_subtitle_take (self->memory_row, g_strdup_printf (_("%s of %s"), used, total));
      if (s->mem_total > 0)
        arb_chart_set_value_range (self->mem_chart, 0, (double) s->mem_total);
    }
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
}

static void
load_chart (ArbChart *chart, ArbSeries *series, gint64 from, gint64 to)
{
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));

  if (series != NULL)
    arb_series_query (series, from, to, 600, points);
  arb_chart_set_points (chart, 0, (const ArbPoint *) points->data, points->len);
  arb_chart_set_time_range (chart, from, to);
}

static void
reload (ArbSystemPage *self)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  const ArbSystemSample *latest = arb_sampler_get_latest (arb_engine_get_sampler (self->engine));
  gint64 to = g_get_real_time () / 1000;

  load_chart (self->cpu_chart, arb_series_set_lookup (set, "cpu.total"), to - SPAN_MS, to);
  load_chart (self->mem_chart, arb_series_set_lookup (set, "mem.used"), to - SPAN_MS, to);
  if (latest != NULL)
    show_figures (self, latest);
}

static void
append_value (ArbChart *chart, gint64 ts, double value)
{
  ArbPoint point = { ts, value, value, value, 1 };

  arb_chart_append_point (chart, 0, &point);
  arb_chart_set_time_range (chart, ts - SPAN_MS, ts);
}

static void
on_sampled (ArbSampler *sampler, const ArbSystemSample *s, ArbSystemPage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->n_samples++;
  if ((s->parts & ARB_SAMPLE_CPU) && s->interval_ms > 0)
    append_value (self->cpu_chart, s->ts_ms, s->cpu_total);
  if (s->parts & ARB_SAMPLE_MEMORY)
    append_value (self->mem_chart, s->ts_ms, (double) s->mem_used);
  show_figures (self, s);
}

static void
arb_system_page_map (GtkWidget *widget)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (widget);

  GTK_WIDGET_CLASS (arb_system_page_parent_class)->map (widget);
  if (self->engine != NULL)
    reload (self);
}

static void
arb_system_page_dispose (GObject *object)
{
  ArbSystemPage *self = ARB_SYSTEM_PAGE (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_system_page_parent_class)->dispose (object);
}

static void
arb_system_page_class_init (ArbSystemPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_system_page_dispose;
  widget_class->map = arb_system_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-system-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, charts);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, memory_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, load_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, uptime_row);
  gtk_widget_class_bind_template_child (widget_class, ArbSystemPage, disk_row);
}

static void
arb_system_page_init (ArbSystemPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cpu_chart = add_chart (self, _("CPU"), "%");
  self->mem_chart = add_chart (self, _("Memory in Use"), "bytes");
  arb_chart_set_value_range (self->cpu_chart, 0, 100);
}

/**
 * arb_system_page_set_engine:
 * @engine: the engine whose samples to show
 *
 * Shows @engine's samples from now on; can be called once.
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
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload (self);
}

/**
 * arb_system_page_get_n_samples:
 *
 * Returns: how many samples the page took while it was mapped
 */
guint
arb_system_page_get_n_samples (ArbSystemPage *self)
{
  g_return_val_if_fail (ARB_IS_SYSTEM_PAGE (self), 0);
  return self->n_samples;
}
