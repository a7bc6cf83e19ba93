/* arb-trading-page.c: the trading figures of a window, and the trade history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures come from the ledger, which may change a thousand times a
 * second: they are redrawn at most once a second, and only while the page is
 * shown (on mapping, at once). The history is an ArbTradeList that reads the
 * store a page at a time as the view scrolls, so it stays quick with any
 * number of trades; it shows the trades as they were when it was (re)loaded.
 * A click on a column header sorts it: the store sorts, along an index, and
 * the list reads again from the first page.
 */
#define G_LOG_DOMAIN "arb-trading-page"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "arb-chart.h"
#include "arb-format.h"
#include "arb-trading-page.h"

#define REFRESH_INTERVAL_MS 1000
#define CHART_POINTS        300
#define EXPORT_PAGE_ROWS    1000

typedef enum
{
  COLUMN_TIME,
  COLUMN_BOT,
  COLUMN_PAIR,
  COLUMN_VENUES,
  COLUMN_STATUS,
  COLUMN_PROFIT,
  COLUMN_GAS_COST,
} Column;

struct _ArbTradingPage
{
  AdwBin             parent_instance;

  GtkDropDown       *window_dropdown;
  AdwActionRow      *profit_row;
  AdwActionRow      *trades_row;
  AdwActionRow      *success_row;
  AdwActionRow      *gas_row;
  AdwActionRow      *fees_row;
  AdwActionRow      *latency_row;
  AdwActionRow      *opportunities_row;
  GtkBox            *charts;
  GtkListBox        *pairs_list;
  GtkListBox        *venues_list;
  GtkSearchEntry    *bot_entry;
  GtkSearchEntry    *pair_entry;
  GtkDropDown       *status_dropdown;
  GtkDropDown       *period_dropdown;
  GtkScrolledWindow *history_scroller;
  GtkColumnView     *column_view;
  GtkLabel          *history_label;
  ArbChart          *profit_chart;

  ArbEngine         *engine;
  ArbTradeList      *trades;
  ArbTradeSort       sort;            /* of the history, from its column headers */
  gboolean           ascending;
  ArbTradeSort       probed;          /* see on_sorter_changed() */
  GHashTable        *chart_series;   /* bot id -> its series in profit_chart, plus one */
  guint              refresh_id;
  gint64             refreshed_us;   /* monotonic */
  guint64            n_trades;       /* shown */
  guint              n_pairs;
  GtkNativeDialog   *chooser;
  GCancellable      *export_cancellable;
  guint              n_exports;       /* under way */
};

G_DEFINE_FINAL_TYPE (ArbTradingPage, arb_trading_page, ADW_TYPE_BIN)

/* ---------------------------------------------------------------- the figures */

static void
set_subtitle_take (AdwActionRow *row, char *text)
{
  adw_action_row_set_subtitle (row, text);
  g_free (text);
}

static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  /* gtk_list_box_remove_all() is GTK 4.12 */
  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static char *
count_text (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

static void
fill_list (GtkListBox *list, GPtrArray *stats, const char *quote)
{
  clear_list (list);
  for (guint i = 0; i < stats->len; i++)
    {
      const ArbLedgerPairStat *stat = g_ptr_array_index (stats, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *count = count_text (stat->trades);
      g_autofree char *trades = NULL;
      g_autofree char *profit = arb_format_money (stat->net_profit, quote);
      GtkWidget *label = gtk_label_new (profit);
      g_autofree char *title = stat->buy_venue != NULL && stat->sell_venue != NULL
                               ? g_strdup_printf ("%s → %s", stat->buy_venue, stat->sell_venue)
                               : g_strdup (stat->name);

      /* Translators: how many trades a pair had, such as "12 trades" */
      trades = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s trade", "%s trades",
                                             stat->trades > G_MAXULONG ? G_MAXULONG
                                                                       : (gulong) stat->trades),
                                count);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), trades);
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_add_css_class (label, stat->net_profit < 0 ? "error" : "success");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (list, row);
    }
}

static void
show_counts (ArbTradingPage *self, const ArbLedgerSummary *s)
{
  g_autofree char *total = count_text (s->trades_total);
  g_autofree char *filled = count_text (s->trades[ARB_TRADE_FILLED]);
  g_autofree char *failed = count_text (s->trades[ARB_TRADE_FAILED]);
  g_autofree char *reverted = count_text (s->trades[ARB_TRADE_REVERTED]);
  g_autofree char *seen = count_text (s->opportunities_seen);
  g_autofree char *taken = count_text (s->opportunities_taken);

  /* Translators: trades by status: "40: 37 filled, 2 failed, 1 reverted" */
  set_subtitle_take (self->trades_row, g_strdup_printf (_("%s: %s filled, %s failed, %s reverted"),
                                                        total, filled, failed, reverted));
  set_subtitle_take (self->success_row, arb_format_percent (s->success_rate));
  /* Translators: seen opportunities, then how many became trades */
  set_subtitle_take (self->opportunities_row,
                     g_strdup_printf (_("%s seen, %s taken"), seen, taken));
}

static void
show_costs (ArbTradingPage *self, const ArbLedgerSummary *s, const char *quote)
{
  g_autofree char *gas_cost = arb_format_money (s->gas_cost, quote);
  g_autofree char *gas_used = g_strdup_printf ("%" G_GINT64_FORMAT, s->gas_used);

  set_subtitle_take (self->profit_row, arb_format_money (s->net_profit, quote));
  /* Translators: gas used and what it cost, such as "5200000 gas, costing $3.10" */
  set_subtitle_take (self->gas_row, g_strdup_printf (_("%s gas, costing %s"), gas_used, gas_cost));
  set_subtitle_take (self->fees_row, arb_format_money (s->fees, quote));
  if (s->latency_count == 0)
    adw_action_row_set_subtitle (self->latency_row, "—");
  else
    /* Translators: latency percentiles in milliseconds */
    set_subtitle_take (self->latency_row,
                       g_strdup_printf (_("p50 %.0f ms, p90 %.0f ms, p99 %.0f ms"),
                                        s->latency_p50, s->latency_p90, s->latency_p99));
}

/* Turns @points, the buckets of a bot's profit per trade, into the running
 * sum: a bucket's sum (its average times its count) is reached at its end,
 * which is the next bucket's start (@to_ms for the last), and the line
 * starts at 0 where the first bucket starts. Empty buckets keep the sum flat. */
static void
accumulate (GArray *points, gint64 to_ms)
{
  ArbPoint start = { 0, 0, 0, 0, 1 };
  double sum = 0;

  if (points->len == 0)
    return;   /* no trade in the window: the chart says so */
  start.ts = g_array_index (points, ArbPoint, 0).ts;
  for (guint i = 0; i < points->len; i++)
    {
      ArbPoint *p = &g_array_index (points, ArbPoint, i);

      if (p->count > 0)
        sum += p->avg * p->count;
      p->min = p->avg = p->max = sum;
      p->count = 1;
      p->ts = i + 1 < points->len ? g_array_index (points, ArbPoint, i + 1).ts
                                  : MAX (to_ms, p->ts);
    }
  g_array_prepend_val (points, start);
}

static guint
chart_index (ArbTradingPage *self, const char *bot_id)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (self->chart_series, bot_id));

  if (index == 0)
    {
      index = arb_chart_add_series (self->profit_chart, bot_id) + 1;
      g_hash_table_insert (self->chart_series, g_strdup (bot_id), GUINT_TO_POINTER (index));
    }
  return index - 1;
}

/* Each bot's net profit since the start of the window, from the series
 * "bot.<id>.profit" (a value per trade), so zooming out reads a coarser tier. */
static void
show_chart (ArbTradingPage *self, const ArbLedgerSummary *s, const char *quote)
{
  ArbSeriesSet *set = arb_engine_get_series (self->engine);
  g_auto(GStrv) bots = arb_ledger_dup_bot_ids (arb_engine_get_ledger (self->engine));

  arb_chart_set_unit (self->profit_chart, quote);
  for (guint i = 0; bots[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("bot.%s.profit", bots[i]);
      ArbSeries *series = arb_series_set_lookup (set, name);
      g_autoptr(GArray) points = NULL;

      if (series == NULL)
        continue;
      points = g_array_new (FALSE, FALSE, sizeof (ArbPoint));
      arb_series_query (series, s->from_ms, s->to_ms, CHART_POINTS, points);
      accumulate (points, s->to_ms);
      arb_chart_set_points (self->profit_chart, chart_index (self, bots[i]),
                            (const ArbPoint *) points->data, points->len);
    }
  arb_chart_set_time_range (self->profit_chart, s->from_ms, s->to_ms);
}

static void
refresh (ArbTradingPage *self)
{
  ArbWindow window = gtk_drop_down_get_selected (self->window_dropdown);
  gint64 now = g_get_real_time () / 1000;
  const char *quote = arb_ingest_get_common_quote (arb_engine_get_ingest (self->engine));
  g_autoptr(ArbLedgerSummary) s = NULL;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (window > ARB_WINDOW_ALL)
    window = ARB_WINDOW_1H;
  s = arb_ledger_get_summary (arb_engine_get_ledger (self->engine), window, NULL, now);
  self->refreshed_us = g_get_monotonic_time ();
  self->n_trades = s->trades_total;
  self->n_pairs = s->pairs->len;
  show_counts (self, s);
  show_costs (self, s, quote);
  show_chart (self, s, quote);
  fill_list (self->pairs_list, s->pairs, quote);
  fill_list (self->venues_list, s->venue_pairs, quote);
}

static gboolean
refresh_due (gpointer data)
{
  ArbTradingPage *self = data;

  self->refresh_id = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static void
on_ledger_changed (ArbLedger *ledger, const char *bot_id, ArbTradingPage *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->refreshed_us) / 1000;

  if (self->refresh_id != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->refresh_id = g_timeout_add (since_ms >= REFRESH_INTERVAL_MS ? 0
                                    : (guint) (REFRESH_INTERVAL_MS - since_ms),
                                    refresh_due, self);
}

static void
on_window_selected (ArbTradingPage *self)
{
  if (self->engine != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

/* ---------------------------------------------------------------- the history */

static char *
format_timestamp (gint64 ms)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (ms / 1000);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S") : g_strdup ("—");
}

static const char *
status_text (const char *status)
{
  ArbTradeStatus value;

  if (!arb_trade_status_parse (status, &value))
    return status;
  switch (value)
    {
    case ARB_TRADE_FILLED:
      return _("Filled");
    case ARB_TRADE_FAILED:
      return _("Failed");
    case ARB_TRADE_REVERTED:
      return _("Reverted");
    case ARB_TRADE_N_STATUS:
    default:
      return status;
    }
}

/* Each bot reports money in its own quote currency. */
static const char *
quote_of (ArbTradingPage *self, ArbTradeItem *item)
{
  ArbBotLink *link = arb_ingest_lookup_bot (arb_engine_get_ingest (self->engine),
                                            arb_trade_item_get_bot_id (item));

  return link != NULL ? arb_bot_link_get_quote (link) : NULL;
}

static char *
cell_text (ArbTradingPage *self, ArbTradeItem *item, Column column)
{
  switch (column)
    {
    case COLUMN_TIME:
      return format_timestamp (arb_trade_item_get_ts (item));
    case COLUMN_BOT:
      return g_strdup (arb_trade_item_get_bot_id (item));
    case COLUMN_PAIR:
      return g_strdup (arb_trade_item_get_pair (item));
    case COLUMN_VENUES:
      return g_strdup_printf ("%s → %s", arb_trade_item_get_buy_venue (item),
                              arb_trade_item_get_sell_venue (item));
    case COLUMN_STATUS:
      return g_strdup (status_text (arb_trade_item_get_status (item)));
    case COLUMN_PROFIT:
      return arb_format_money (arb_trade_item_get_profit (item), quote_of (self, item));
    case COLUMN_GAS_COST:
      return arb_format_money (arb_trade_item_get_gas_cost (item), quote_of (self, item));
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  Column column = GPOINTER_TO_INT (data);
  GtkWidget *label = gtk_label_new (NULL);

  if (column == COLUMN_PROFIT || column == COLUMN_GAS_COST)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    }
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  ArbTradeItem *item = gtk_list_item_get_item (list_item);
  ArbTradingPage *self = g_object_get_data (G_OBJECT (factory), "arb-page");
  g_autofree char *text = cell_text (self, item, GPOINTER_TO_INT (data));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

/* Returns: whether the store can sort by @column, and then by what */
static gboolean
column_sort (Column column, ArbTradeSort *sort)
{
  switch (column)
    {
    case COLUMN_TIME:
      *sort = ARB_TRADE_SORT_TIME;
      return TRUE;
    case COLUMN_BOT:
      *sort = ARB_TRADE_SORT_BOT;
      return TRUE;
    case COLUMN_PAIR:
      *sort = ARB_TRADE_SORT_PAIR;
      return TRUE;
    case COLUMN_STATUS:
      *sort = ARB_TRADE_SORT_STATUS;
      return TRUE;
    case COLUMN_PROFIT:
      *sort = ARB_TRADE_SORT_PROFIT;
      return TRUE;
    case COLUMN_GAS_COST:
      *sort = ARB_TRADE_SORT_GAS_COST;
      return TRUE;
    case COLUMN_VENUES:
    default:
      return FALSE;
    }
}

/* What a column's sorter stands for: an order of the store. */
typedef struct
{
  ArbTradingPage *page;
  ArbTradeSort    sort;
} ColumnSort;

static int
probe_column (gconstpointer a, gconstpointer b, gpointer data)
{
  ColumnSort *cs = data;

  cs->page->probed = cs->sort;
  return -1;
}

/* Which column the history is sorted by, and which way. GTK 4.8's column
 * view sorter keeps that to itself (its getters came in 4.10), and GTK does
 * not sort this list anyway: the store does, over far more trades than the
 * list holds. So a column's sorter only notes that it was asked and answers
 * "smaller"; the view's sorter asks the primary column's sorter first, stops
 * at the first answer other than "equal", and inverts it when that column
 * is sorted descending. Comparing two probes thus tells both. */
static void
on_sorter_changed (GtkSorter *sorter, GtkSorterChange change, ArbTradingPage *self)
{
  GtkOrdering order;

  self->probed = ARB_TRADE_N_SORTS;
  /* two distinct objects: a sorter takes an item as equal to itself unasked */
  order = gtk_sorter_compare (sorter, self, self->column_view);
  if (self->probed == ARB_TRADE_N_SORTS)
    {
      /* no column: the store's default, newest first */
      self->sort = ARB_TRADE_SORT_TIME;
      self->ascending = FALSE;
    }
  else
    {
      self->sort = self->probed;
      self->ascending = order == GTK_ORDERING_SMALLER;
    }
  if (self->trades != NULL)
    arb_trade_list_set_sort (self->trades, self->sort, self->ascending);
}

/* Makes @view_column's header sort the history, when the store can. */
static void
set_column_sorter (ArbTradingPage *self, GtkColumnViewColumn *view_column, Column column)
{
  g_autoptr(GtkCustomSorter) sorter = NULL;
  ColumnSort *cs;
  ArbTradeSort sort;

  if (!column_sort (column, &sort))
    return;
  cs = g_new (ColumnSort, 1);
  cs->page = self;
  cs->sort = sort;
  sorter = gtk_custom_sorter_new (probe_column, cs, g_free);
  gtk_column_view_column_set_sorter (view_column, GTK_SORTER (sorter));
}

static void
add_column (ArbTradingPage *self, const char *title, Column column, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  /* the factory lives in the page's column view, never longer than the page */
  g_object_set_data (G_OBJECT (factory), "arb-page", self);
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  set_column_sorter (self, view_column, column);
  gtk_column_view_append_column (self->column_view, view_column);
}

static void
update_history_label (ArbTradingPage *self)
{
  guint n;
  g_autofree char *text = NULL;

  if (self->trades == NULL)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->trades));
  if (arb_trade_list_get_error (self->trades) != NULL)
    /* Translators: %s says why the trades could not be read */
    text = g_strdup_printf (_("Cannot read the trades: %s"),
                            arb_trade_list_get_error (self->trades)->message);
  else if (arb_trade_list_is_loading (self->trades))
    text = g_strdup (_("Loading…"));
  else if (n == 0)
    text = g_strdup (_("No trades"));
  else if (arb_trade_list_has_more (self->trades) && self->sort == ARB_TRADE_SORT_TIME &&
           !self->ascending)
    /* Translators: the newest trades are shown; older ones load on scrolling */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The newest %u trade",
                                         "The newest %u trades", n), n);
  else if (arb_trade_list_has_more (self->trades))
    /* Translators: the first trades in the order of the column the history is
     * sorted by are shown; the others load on scrolling */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The first %u trade",
                                         "The first %u trades", n), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u trade", "%u trades", n), n);
  gtk_label_set_label (self->history_label, text);
}

/* Reads the next page when the view comes within a screenful of the end. */
static void
maybe_load_more (ArbTradingPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->history_scroller);
  double left = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_value (adj) -
                gtk_adjustment_get_page_size (adj);

  if (self->trades != NULL && arb_trade_list_get_n_pages (self->trades) > 0 &&
      left < gtk_adjustment_get_page_size (adj))
    arb_trade_list_load_more (self->trades);
}

/* The start of the history's time range, as its drop-down says, from now. */
static gint64
period_start (ArbTradingPage *self)
{
  static const gint64 spans_ms[] = { 0, 3600 * 1000, 24 * 3600 * 1000,
                                     G_GINT64_CONSTANT (7) * 24 * 3600 * 1000 };
  guint period = gtk_drop_down_get_selected (self->period_dropdown);

  if (period == 0 || period >= G_N_ELEMENTS (spans_ms))
    return G_MININT64;
  return g_get_real_time () / 1000 - spans_ms[period];
}

static void
filter_changed (ArbTradingPage *self)
{
  int status = (int) gtk_drop_down_get_selected (self->status_dropdown) - 1;

  if (self->trades == NULL)
    return;
  if (status >= ARB_TRADE_N_STATUS)
    status = -1;
  arb_trade_list_set_filter (self->trades, gtk_editable_get_text (GTK_EDITABLE (self->bot_entry)),
                             gtk_editable_get_text (GTK_EDITABLE (self->pair_entry)), status);
  arb_trade_list_set_after (self->trades, period_start (self));
}

static void
reload_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbTradingPage *self = ARB_TRADING_PAGE (widget);

  if (self->trades == NULL)
    return;
  /* "the last hour" from now, not from when it was chosen */
  arb_trade_list_set_after (self->trades, period_start (self));
  arb_trade_list_reload (self->trades);
}

/* ---------------------------------------------------------------- CSV export */

typedef struct
{
  ArbStore      *store;
  ArbTradeQuery  query;
  GFile         *file;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_object_unref (job->store);
  arb_trade_query_clear (&job->query);
  g_object_unref (job->file);
  g_free (job);
}

static gboolean
export_pages (ExportJob *job, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  if (!g_output_stream_write_all (out, arb_trade_csv_header, strlen (arb_trade_csv_header), NULL,
                                  cancellable, error))
    return FALSE;
  for (;;)
    {
      g_autoptr(ArbCsvPage) page = arb_store_query_trades_csv (job->store, &job->query, error);

      if (page == NULL ||
          !g_output_stream_write_all (out, page->text, strlen (page->text), NULL, cancellable,
                                      error))
        return FALSE;
      if (!page->more)
        return TRUE;
      /* the store's own cursor, of this order: refused only by a bug */
      if (!arb_trade_query_set_cursor (&job->query, page->next_cursor))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The next trades could not be found"));
          return FALSE;
        }
    }
}

static void
export_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ExportJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = g_file_replace (job->file, NULL, FALSE,
                                                     G_FILE_CREATE_REPLACE_DESTINATION,
                                                     cancellable, &error);

  if (out == NULL || !export_pages (job, G_OUTPUT_STREAM (out), cancellable, &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* through the window's action: outside a window there is nobody to tell */
static void
toast (ArbTradingPage *self, const char *text)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "(sb)", text, FALSE);
}

static void
export_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(ArbTradingPage) self = data;
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (job->file);
  g_autofree char *text = NULL;

  self->n_exports--;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    /* Translators: %s is a file name */
    text = g_strdup_printf (_("Trades exported to %s"), name);
  else
    /* Translators: the first %s is a file name, the second why it failed */
    text = g_strdup_printf (_("Cannot export to %s: %s"), name, error->message);
  toast (self, text);
}

static void
on_chooser_response (GtkNativeDialog *chooser, int response, ArbTradingPage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    arb_trading_page_export (self, file);
}

static void
export_activated (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbTradingPage *self = ARB_TRADING_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL || self->trades == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Trades"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "trades.csv");
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_chooser_response), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* ---------------------------------------------------------------- the widget */

static void
load_history (ArbTradingPage *self)
{
  if (arb_trade_list_get_n_pages (self->trades) == 0 && !arb_trade_list_is_loading (self->trades))
    filter_changed (self);
}

static void
arb_trading_page_map (GtkWidget *widget)
{
  ArbTradingPage *self = ARB_TRADING_PAGE (widget);

  GTK_WIDGET_CLASS (arb_trading_page_parent_class)->map (widget);
  if (self->engine == NULL)
    return;
  refresh (self);
  load_history (self);
}

static void
arb_trading_page_unmap (GtkWidget *widget)
{
  ArbTradingPage *self = ARB_TRADING_PAGE (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (arb_trading_page_parent_class)->unmap (widget);
}

static void
arb_trading_page_dispose (GObject *object)
{
  ArbTradingPage *self = ARB_TRADING_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->column_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view),
                                            self);
      gtk_column_view_set_model (self->column_view, NULL);
    }
  g_clear_object (&self->trades);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->chart_series, g_hash_table_unref);

  G_OBJECT_CLASS (arb_trading_page_parent_class)->dispose (object);
}

static void
arb_trading_page_class_init (ArbTradingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_trading_page_dispose;
  widget_class->map = arb_trading_page_map;
  widget_class->unmap = arb_trading_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-trading-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, window_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, profit_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, trades_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, success_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, gas_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, fees_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, latency_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, opportunities_row);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, charts);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, pairs_list);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, venues_list);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, bot_entry);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, pair_entry);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, history_scroller);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, ArbTradingPage, history_label);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed);

  gtk_widget_class_install_action (widget_class, "trading.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "trading.export", NULL, export_activated);
}

static GtkWidget *
placeholder (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  return label;
}

static void
arb_trading_page_init (ArbTradingPage *self)
{
  g_autoptr(GtkColumnViewColumn) time_column = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chart_series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->profit_chart = arb_chart_new ();
  arb_chart_set_title (self->profit_chart, _("Cumulative Profit"));
  arb_chart_set_empty_text (self->profit_chart, _("No trades in this window"));
  gtk_widget_set_size_request (GTK_WIDGET (self->profit_chart), -1, 200);
  gtk_widget_add_css_class (GTK_WIDGET (self->profit_chart), "card");
  gtk_box_append (self->charts, GTK_WIDGET (self->profit_chart));

  gtk_list_box_set_placeholder (self->pairs_list, placeholder (_("No trades in this window")));
  gtk_list_box_set_placeholder (self->venues_list, placeholder (_("No trades in this window")));
  g_signal_connect_swapped (self->window_dropdown, "notify::selected",
                            G_CALLBACK (on_window_selected), self);

  add_column (self, _("Time"), COLUMN_TIME, FALSE);
  add_column (self, _("Bot"), COLUMN_BOT, FALSE);
  add_column (self, _("Pair"), COLUMN_PAIR, TRUE);
  add_column (self, _("Venues"), COLUMN_VENUES, TRUE);
  add_column (self, _("Status"), COLUMN_STATUS, FALSE);
  add_column (self, _("Profit"), COLUMN_PROFIT, FALSE);
  add_column (self, _("Gas Cost"), COLUMN_GAS_COST, FALSE);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (on_sorter_changed), self);
  /* the store's default order, shown in the header */
  time_column = g_list_model_get_item (gtk_column_view_get_columns (self->column_view),
                                       COLUMN_TIME);
  gtk_column_view_sort_by_column (self->column_view, time_column, GTK_SORT_DESCENDING);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->history_scroller),
                            "value-changed", G_CALLBACK (maybe_load_more), self);
}

/**
 * arb_trading_page_set_engine:
 * @engine: the engine whose ledger and store to show
 *
 * Shows @engine's trading from now on; can be called once.
 */
void
arb_trading_page_set_engine (ArbTradingPage *self,
                             ArbEngine      *engine)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (ARB_IS_TRADING_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->trades = arb_trade_list_new (arb_engine_get_store (engine));
  arb_trade_list_set_sort (self->trades, self->sort, self->ascending);
  g_signal_connect_object (self->trades, "items-changed", G_CALLBACK (update_history_label),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->trades, "notify::loading", G_CALLBACK (update_history_label),
                           self, G_CONNECT_SWAPPED);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->trades)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_object (arb_engine_get_ledger (engine), "changed",
                           G_CALLBACK (on_ledger_changed), self, 0);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      refresh (self);
      load_history (self);
    }
}

/**
 * arb_trading_page_set_window:
 * @window: the time window of the figures
 */
void
arb_trading_page_set_window (ArbTradingPage *self,
                             ArbWindow       window)
{
  g_return_if_fail (ARB_IS_TRADING_PAGE (self));
  g_return_if_fail (window <= ARB_WINDOW_ALL);

  gtk_drop_down_set_selected (self->window_dropdown, window);
}

/**
 * arb_trading_page_export:
 * @file: where to write the trades of the history's filter, as CSV
 *
 * Writes in a thread, a page at a time; a toast says when it is done.
 */
void
arb_trading_page_export (ArbTradingPage *self,
                         GFile          *file)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (ARB_IS_TRADING_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->trades != NULL);

  job = g_new0 (ExportJob, 1);
  job->store = g_object_ref (arb_engine_get_store (self->engine));
  job->file = g_object_ref (file);
  arb_trade_list_init_query (self->trades, &job->query);
  job->query.limit = EXPORT_PAGE_ROWS;
  if (self->export_cancellable == NULL)
    self->export_cancellable = g_cancellable_new ();
  self->n_exports++;
  task = g_task_new (NULL, self->export_cancellable, export_done, g_object_ref (self));
  /* a name, not a source tag: -pedantic refuses a function as a gpointer */
  g_task_set_name (task, "arb_trading_page_export");
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * arb_trading_page_is_exporting:
 *
 * Returns: whether an export is under way
 */
gboolean
arb_trading_page_is_exporting (ArbTradingPage *self)
{
  g_return_val_if_fail (ARB_IS_TRADING_PAGE (self), FALSE);
  return self->n_exports > 0;
}

/**
 * arb_trading_page_get_trades:
 *
 * Returns: the number of trades the figures show
 */
guint64
arb_trading_page_get_trades (ArbTradingPage *self)
{
  g_return_val_if_fail (ARB_IS_TRADING_PAGE (self), 0);
  return self->n_trades;
}

/**
 * arb_trading_page_get_n_pairs:
 *
 * Returns: the number of rows of the per-pair list
 */
guint
arb_trading_page_get_n_pairs (ArbTradingPage *self)
{
  g_return_val_if_fail (ARB_IS_TRADING_PAGE (self), 0);
  return self->n_pairs;
}

/**
 * arb_trading_page_get_trade_list:
 *
 * Returns: (transfer none) (nullable): the history's model, once the engine is set
 */
ArbTradeList *
arb_trading_page_get_trade_list (ArbTradingPage *self)
{
  g_return_val_if_fail (ARB_IS_TRADING_PAGE (self), NULL);
  return self->trades;
}

/**
 * arb_trading_page_get_profit_chart:
 *
 * Returns: (transfer none): the chart of each bot's cumulative profit
 */
ArbChart *
arb_trading_page_get_profit_chart (ArbTradingPage *self)
{
  g_return_val_if_fail (ARB_IS_TRADING_PAGE (self), NULL);
  return self->profit_chart;
}
