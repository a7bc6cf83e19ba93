/* arb-resources-page.c: each bot's connection pool, tasks, memory and cache
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures come from each bot's latest "resources" report as the ingest
 * commits it (typed, "event-committed"), the charts from the engine's
 * series over the range of the switch. The page keeps each bot's latest
 * report and shows updates only while it is mapped; on mapping, it shows the
 * reports kept and reloads the charts, so nothing is missed.
 */
#define G_LOG_DOMAIN "arb-resources-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "arb-chart.h"
#include "arb-format.h"
#include "arb-range-switch.h"
#include "arb-resources-page.h"

enum { POOL_SERIES, TASKS_SERIES };

typedef struct
{
  char                *bot_id;
  GtkWidget           *box;
  AdwPreferencesGroup *group;
  AdwActionRow        *pool_row;
  AdwActionRow        *tasks_row;
  AdwActionRow        *memory_row;
  AdwActionRow        *cache_row;
  AdwActionRow        *hit_rate_row;
  ArbChart            *chart;
} BotView;

struct _ArbResourcesPage
{
  AdwBin      parent_instance;

  GtkStack       *stack;
  GtkBox         *groups;
  ArbRangeSwitch *range_switch;

  ArbEngine  *engine;
  GHashTable *bots;   /* bot id -> BotView */
  GHashTable *latest; /* bot id -> ArbResources, the latest committed */
  GPtrArray  *order;  /* the bot ids of @latest, in the order of their first report */
};

G_DEFINE_FINAL_TYPE (ArbResourcesPage, arb_resources_page, ADW_TYPE_BIN)

static void
bot_view_free (BotView *view)
{
  g_free (view->bot_id);
  g_free (view);
}

static AdwActionRow *
add_row (AdwPreferencesGroup *group, const char *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "—");
  adw_preferences_group_add (group, row);
  return ADW_ACTION_ROW (row);
}

static BotView *
bot_view_new (ArbResourcesPage *self, const char *bot_id)
{
  BotView *view = g_new0 (BotView, 1);

  view->bot_id = g_strdup (bot_id);
  view->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  view->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (view->group, bot_id);
  view->pool_row = add_row (view->group, _("Connection Pool"));
  view->tasks_row = add_row (view->group, _("Tasks"));
  view->memory_row = add_row (view->group, _("Memory"));
  view->cache_row = add_row (view->group, _("Cache"));
  view->hit_rate_row = add_row (view->group, _("Cache Hit Rate"));
  gtk_box_append (GTK_BOX (view->box), GTK_WIDGET (view->group));

  view->chart = arb_chart_new ();
  arb_chart_set_title (view->chart, _("Pool and Tasks"));
  arb_chart_add_series (view->chart, _("Connections in Use"));
  arb_chart_add_series (view->chart, _("Running Tasks"));
  arb_chart_set_empty_text (view->chart, _("Waiting for the first reports"));
  gtk_widget_set_size_request (GTK_WIDGET (view->chart), -1, 160);
  gtk_widget_add_css_class (GTK_WIDGET (view->chart), "card");
  gtk_box_append (GTK_BOX (view->box), GTK_WIDGET (view->chart));

  gtk_box_append (self->groups, view->box);
  g_hash_table_insert (self->bots, view->bot_id, view);
  gtk_stack_set_visible_child_name (self->stack, "bots");
  return view;
}

/* ---------------------------------------------------------------- figures */

static char *
format_count (double value)
{
  return isnan (value) ? g_strdup ("—") : g_strdup_printf ("%.0f", value);
}

static char *
format_bytes (double value)
{
  return isnan (value) || value < 0 ? g_strdup ("—") : g_format_size ((guint64) value);
}

static void
set_subtitle_take (AdwActionRow *row, char *text)
{
  adw_action_row_set_subtitle (row, text);
  g_free (text);
}

static void
show_pool (BotView *view, const ArbResources *r)
{
  g_autofree char *size = format_count (r->pool_size);
  g_autofree char *in_use = format_count (r->pool_in_use);
  g_autofree char *waiting = format_count (r->pool_waiting);

  /* Translators: a bot's connection pool: its size, the connections in use and the
   * requests waiting for one */
  set_subtitle_take (view->pool_row, g_strdup_printf (_("Size %s · In use %s · Waiting %s"),
                                                      size, in_use, waiting));
}

static void
show_tasks (BotView *view, const ArbResources *r)
{
  g_autofree char *running = format_count (r->tasks_running);
  g_autofree char *queued = format_count (r->tasks_queued);
  g_autofree char *completed = format_count (r->tasks_completed);
  g_autofree char *failed = format_count (r->tasks_failed);

  set_subtitle_take (view->tasks_row,
                     g_strdup_printf (_("Running %s · Queued %s · Completed %s · Failed %s"),
                                      running, queued, completed, failed));
}

static void
show_memory (BotView *view, const ArbResources *r)
{
  g_autofree char *rss = format_bytes (r->memory_rss_bytes);
  g_autofree char *heap = format_bytes (r->memory_heap_bytes);

  /* Translators: a bot's resident memory and its heap, such as "Resident 120 MB · Heap 80 MB" */
  set_subtitle_take (view->memory_row, g_strdup_printf (_("Resident %s · Heap %s"), rss, heap));
}

static void
show_cache (BotView *view, const ArbResources *r)
{
  g_autofree char *entries = format_count (r->cache_entries);
  g_autofree char *bytes = format_bytes (r->cache_bytes);
  g_autofree char *evictions = format_count (r->cache_evictions);
  double hits = r->cache_hits;
  double misses = r->cache_misses;
  double lookups = hits + misses;   /* NAN when either is missing */

  set_subtitle_take (view->cache_row,
                     g_strdup_printf (_("Entries %s · Size %s · Evictions %s"),
                                      entries, bytes, evictions));
  set_subtitle_take (view->hit_rate_row, arb_format_percent (lookups > 0 ? hits / lookups : NAN));
}

static void load_chart (ArbResourcesPage *self, BotView *view);

/* Shows a bot's report; with @live, reloads the bot's chart too. */
static void
show_resources (ArbResourcesPage *self, const char *bot_id, const ArbResources *r,
                gboolean live)
{
  BotView *view = g_hash_table_lookup (self->bots, bot_id);

  if (view == NULL)
    view = bot_view_new (self, bot_id);
  show_pool (view, r);
  show_tasks (view, r);
  show_memory (view, r);
  show_cache (view, r);
  if (live)
    load_chart (self, view);
}

/* ---------------------------------------------------------------- loading */

static void
load_chart (ArbResourcesPage *self, BotView *view)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  g_autofree char *pool = g_strconcat ("bot.", view->bot_id, ".pool.in_use", NULL);
  g_autofree char *tasks = g_strconcat ("bot.", view->bot_id, ".tasks.running", NULL);
  gint64 to = g_get_real_time () / 1000;
  gint64 from = to - arb_range_switch_get_span_ms (self->range_switch);

  arb_chart_show_series (view->chart, POOL_SERIES, arb_series_set_lookup (set, pool), from, to);
  arb_chart_show_series (view->chart, TASKS_SERIES, arb_series_set_lookup (set, tasks), from, to);
  arb_chart_set_time_range (view->chart, from, to);
}

static void
reload (ArbResourcesPage *self)
{
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < self->order->len; i++)
    {
      const char *bot_id = g_ptr_array_index (self->order, i);

      show_resources (self, bot_id, g_hash_table_lookup (self->latest, bot_id), FALSE);
    }
  g_hash_table_iter_init (&iter, self->bots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    load_chart (self, value);
}

static void
on_range_changed (ArbResourcesPage *self)
{
  if (self->engine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload (self);
}

static void
on_event_committed (ArbIngest *ingest, const char *bot_id, gpointer data,
                    ArbResourcesPage *self)
{
  const ArbEvent *event = data;
  ArbResources *latest;

  if (event->type != ARB_MSG_RESOURCES)
    return;
  latest = g_hash_table_lookup (self->latest, bot_id);
  if (latest == NULL)
    {
      char *key = g_strdup (bot_id);

      latest = g_new (ArbResources, 1);
      g_hash_table_insert (self->latest, key, latest);
      g_ptr_array_add (self->order, key);
    }
  *latest = event->resources;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    show_resources (self, bot_id, latest, TRUE);
}

/* ---------------------------------------------------------------- the widget */

static void
arb_resources_page_map (GtkWidget *widget)
{
  ArbResourcesPage *self = ARB_RESOURCES_PAGE (widget);

  GTK_WIDGET_CLASS (arb_resources_page_parent_class)->map (widget);
  if (self->engine != NULL)
    reload (self);
}

static void
arb_resources_page_dispose (GObject *object)
{
  ArbResourcesPage *self = ARB_RESOURCES_PAGE (object);

  g_clear_object (&self->engine);

  G_OBJECT_CLASS (arb_resources_page_parent_class)->dispose (object);
}

static void
arb_resources_page_finalize (GObject *object)
{
  ArbResourcesPage *self = ARB_RESOURCES_PAGE (object);

  g_hash_table_unref (self->bots);
  g_ptr_array_unref (self->order);
  g_hash_table_unref (self->latest);

  G_OBJECT_CLASS (arb_resources_page_parent_class)->finalize (object);
}

static void
arb_resources_page_class_init (ArbResourcesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_resources_page_dispose;
  object_class->finalize = arb_resources_page_finalize;
  widget_class->map = arb_resources_page_map;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-resources-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbResourcesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArbResourcesPage, groups);
  gtk_widget_class_bind_template_child (widget_class, ArbResourcesPage, range_switch);

  g_type_ensure (ARB_TYPE_RANGE_SWITCH);
}

static void
arb_resources_page_init (ArbResourcesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->range_switch, "notify::range", G_CALLBACK (on_range_changed),
                            self);
  self->bots = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) bot_view_free);
  self->latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->order = g_ptr_array_new ();
}

/**
 * arb_resources_page_set_engine:
 * @engine: the engine whose bots' resources to show
 *
 * Shows the resources @engine's bots report from now on; can be called once.
 */
void
arb_resources_page_set_engine (ArbResourcesPage *self,
                               ArbEngine        *engine)
{
  g_return_if_fail (ARB_IS_RESOURCES_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  g_signal_connect_object (arb_engine_get_ingest (engine), "event-committed",
                           G_CALLBACK (on_event_committed), self, 0);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload (self);
}

/**
 * arb_resources_page_get_n_bots:
 *
 * Returns: how many bots' resources the page shows
 */
guint
arb_resources_page_get_n_bots (ArbResourcesPage *self)
{
  g_return_val_if_fail (ARB_IS_RESOURCES_PAGE (self), 0);
  return g_hash_table_size (self->bots);
}

/**
 * arb_resources_page_get_figure:
 * @bot_id: a bot's id
 * @figure: "pool", "tasks", "memory", "cache" or "hit-rate"
 *
 * Returns: (nullable): the text the page shows for the figure, or %NULL when
 *   the bot has not reported
 */
const char *
arb_resources_page_get_figure (ArbResourcesPage *self,
                               const char       *bot_id,
                               const char       *figure)
{
  BotView *view;
  AdwActionRow *row;

  g_return_val_if_fail (ARB_IS_RESOURCES_PAGE (self), NULL);
  g_return_val_if_fail (bot_id != NULL && figure != NULL, NULL);

  view = g_hash_table_lookup (self->bots, bot_id);
  if (view == NULL)
    return NULL;
  if (g_str_equal (figure, "pool"))
    row = view->pool_row;
  else if (g_str_equal (figure, "tasks"))
    row = view->tasks_row;
  else if (g_str_equal (figure, "memory"))
    row = view->memory_row;
  else if (g_str_equal (figure, "cache"))
    row = view->cache_row;
  else if (g_str_equal (figure, "hit-rate"))
    row = view->hit_rate_row;
  else
    g_return_val_if_reached (NULL);
  return adw_action_row_get_subtitle (row);
}

/**
 * arb_resources_page_get_range_switch:
 *
 * Returns: (transfer none): the switch of the charts' time range
 */
ArbRangeSwitch *
arb_resources_page_get_range_switch (ArbResourcesPage *self)
{
  g_return_val_if_fail (ARB_IS_RESOURCES_PAGE (self), NULL);
  return self->range_switch;
}
