/* arb-log-page.c: the bots' latest log messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Log messages come as the ingest commits them ("event-committed", typed,
 * in order; taken a main-loop turn at a time), and are
 * kept as ArbLogEntry items in a GListStore of at most
 * ARB_LOG_PAGE_MAX_ITEMS, the newest at the bottom; at start it holds the
 * newest stored ones, so the log survives a restart. A GtkFilterListModel
 * shows what passes three filters (lowest level, component, text), each a
 * GtkCustomFilter of one GtkEveryFilter, so a filter made stricter only
 * re-checks what it showed. The view follows the bottom while the user has
 * not scrolled up.
 */
#define G_LOG_DOMAIN "arb-log-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "arb-format.h"
#include "arb-log-entry.h"
#include "arb-log-page.h"

/* the newest stored messages shown at start */
#define LOAD_AT_START 500

/* the level dropdown's items, in order: the lowest level each shows */
static const ArbLogLevel min_levels[] = {
  ARB_LOG_DEBUG, ARB_LOG_INFO, ARB_LOG_WARNING, ARB_LOG_ERROR,
};

struct _ArbLogPage
{
  AdwBin              parent_instance;

  GtkSearchEntry     *search_entry;
  GtkDropDown        *level_dropdown;
  GtkDropDown        *component_dropdown;
  GtkStringList      *components;   /* "All Components", then the names seen, sorted */
  GtkStack           *stack;
  GtkScrolledWindow  *scroller;
  GtkListView        *list_view;

  ArbEngine          *engine;
  GListStore         *entries;      /* ArbLogEntry, oldest first */
  GtkFilterListModel *filtered;
  GtkFilter          *level_filter;
  GtkFilter          *component_filter;
  GtkFilter          *text_filter;
  GHashTable         *seen;         /* the components in @components */

  ArbLogLevel         min_level;
  char               *component;    /* NULL: all */
  char               *folded_text;  /* case-folded search text; NULL: all */
  gboolean            follow;

  GPtrArray          *pending;      /* ArbLogEntry committed, not yet in @entries */
  guint               flush_id;
};

G_DEFINE_FINAL_TYPE (ArbLogPage, arb_log_page, ADW_TYPE_BIN)

/* ---------------------------------------------------------------- the model */

static void
update_stack (ArbLogPage *self)
{
  const char *name = "list";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->entries)) == 0)
    name = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    name = "no-match";
  gtk_stack_set_visible_child_name (self->stack, name);
}

static void
note_component (ArbLogPage *self, const char *component)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->components));
  guint pos = 1;

  if (component == NULL || g_hash_table_contains (self->seen, component))
    return;
  g_hash_table_add (self->seen, g_strdup (component));
  /* sorted after "All Components"; the dropdown's selection moves with its item */
  while (pos < n && g_utf8_collate (gtk_string_list_get_string (self->components, pos),
                                    component) < 0)
    pos++;
  gtk_string_list_splice (self->components, pos, 0, (const char *const[]) { component, NULL });
}

/* Appends @added (ArbLogEntry, oldest first): at most one removal and one
 * addition (one items-changed each). */
static void
add_entries (ArbLogPage *self, GPtrArray *added)
{
  guint n, skip, drop;

  for (guint i = 0; i < added->len; i++)
    note_component (self, arb_log_entry_get_component (g_ptr_array_index (added, i)));
  if (added->len == 0)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  skip = added->len > ARB_LOG_PAGE_MAX_ITEMS ? added->len - ARB_LOG_PAGE_MAX_ITEMS : 0;
  drop = n + added->len - skip > ARB_LOG_PAGE_MAX_ITEMS
         ? n + added->len - skip - ARB_LOG_PAGE_MAX_ITEMS : 0;
  if (drop > 0)
    g_list_store_splice (self->entries, 0, drop, NULL, 0);
  g_list_store_splice (self->entries, n - drop, 0, added->pdata + skip, added->len - skip);
}

static gboolean
flush_pending (gpointer data)
{
  ArbLogPage *self = data;
  g_autoptr(GPtrArray) added = g_steal_pointer (&self->pending);

  self->flush_id = 0;
  add_entries (self, added);
  return G_SOURCE_REMOVE;
}

/* A bot's messages come one event at a time; the list takes those of a
 * main-loop turn as one change of its model. */
static void
on_event_committed (ArbIngest *ingest, const char *bot_id, gpointer data, ArbLogPage *self)
{
  const ArbEvent *event = data;

  if (event->type != ARB_MSG_LOG)
    return;
  if (self->pending == NULL)
    self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  /* the list keeps no more than this: older ones would go at once */
  if (self->pending->len >= 2 * ARB_LOG_PAGE_MAX_ITEMS)
    g_ptr_array_remove_range (self->pending, 0, ARB_LOG_PAGE_MAX_ITEMS);
  g_ptr_array_add (self->pending, arb_log_entry_new_from_event (bot_id, event));
  if (self->flush_id == 0)
    self->flush_id = g_idle_add_full (G_PRIORITY_DEFAULT, flush_pending, self, NULL);
}

static void
load_stored (ArbLogPage *self)
{
  ArbHub *hub = arb_engine_get_hub (self->engine);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GPtrArray) added = NULL;

  /* the ingest released what the hub emitted so far (its commit is done,
   * "event-committed" went out before this page listened): it is in the
   * store; what commits from now on comes as "event-committed" */
  logs = arb_store_read_recent_logs (arb_engine_get_store (self->engine),
                                     arb_hub_get_last_emitted_seq (hub), LOAD_AT_START, &error);
  if (logs == NULL)
    {
      g_warning ("Could not read the latest log messages: %s", error->message);
      return;
    }
  added = g_ptr_array_new_full (logs->len, g_object_unref);
  for (guint i = 0; i < logs->len; i++)
    {
      const ArbStoredEvent *log = g_ptr_array_index (logs, i);

      g_ptr_array_add (added, arb_log_entry_new_from_event (log->bot_id, log->event));
    }
  add_entries (self, added);
}

/* ---------------------------------------------------------------- filters */

static gboolean
level_passes (gpointer item, gpointer data)
{
  ArbLogPage *self = data;

  return arb_log_entry_get_level (item) >= self->min_level;
}

static gboolean
component_passes (gpointer item, gpointer data)
{
  ArbLogPage *self = data;

  return self->component == NULL ||
         g_strcmp0 (arb_log_entry_get_component (item), self->component) == 0;
}

static gboolean
text_passes (gpointer item, gpointer data)
{
  ArbLogPage *self = data;

  return arb_log_entry_matches (item, self->folded_text);
}

static void
on_level_selected (ArbLogPage *self)
{
  guint i = gtk_drop_down_get_selected (self->level_dropdown);
  ArbLogLevel level = i < G_N_ELEMENTS (min_levels) ? min_levels[i] : ARB_LOG_DEBUG;

  GtkFilterChange change = level > self->min_level ? GTK_FILTER_CHANGE_MORE_STRICT
                                                   : GTK_FILTER_CHANGE_LESS_STRICT;

  if (level == self->min_level)
    return;
  self->min_level = level;
  gtk_filter_changed (self->level_filter, change);
}

static void
on_component_selected (ArbLogPage *self)
{
  guint i = gtk_drop_down_get_selected (self->component_dropdown);
  const char *name = i > 0 && i != GTK_INVALID_LIST_POSITION
                     ? gtk_string_list_get_string (self->components, i) : NULL;
  GtkFilterChange change;

  /* a name inserted before the selection moves it: same component, nothing to do */
  if (g_strcmp0 (name, self->component) == 0)
    return;
  change = self->component == NULL ? GTK_FILTER_CHANGE_MORE_STRICT
           : name == NULL ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_DIFFERENT;
  g_free (self->component);
  self->component = g_strdup (name);
  gtk_filter_changed (self->component_filter, change);
}

static void
on_search_changed (ArbLogPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *folded = *text != '\0' ? g_utf8_casefold (text, -1) : NULL;
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (g_strcmp0 (folded, self->folded_text) == 0)
    return;
  /* "eth" to "ethe" only narrows; "ethe" to "eth" only widens */
  if (self->folded_text == NULL || (folded != NULL && strstr (folded, self->folded_text)))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (folded == NULL || strstr (self->folded_text, folded))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  g_free (self->folded_text);
  self->folded_text = g_steal_pointer (&folded);
  gtk_filter_changed (self->text_filter, change);
}

static void
on_stop_search (ArbLogPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
clear_filters (GtkWidget *widget, const char *action, GVariant *param)
{
  ArbLogPage *self = ARB_LOG_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  /* at once, not after the search entry's delay */
  on_search_changed (self);
  gtk_drop_down_set_selected (self->level_dropdown, 0);
  gtk_drop_down_set_selected (self->component_dropdown, 0);
}

static gboolean
focus_search (GtkWidget *widget, GVariant *args, gpointer data)
{
  ArbLogPage *self = ARB_LOG_PAGE (widget);

  /* the shortcut is the window's: leave it to others while this page is hidden */
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return TRUE;
}

/* ---------------------------------------------------------------- following the bottom */

static void
on_value_changed (GtkAdjustment *adj, ArbLogPage *self)
{
  self->follow = gtk_adjustment_get_value (adj) >=
                 gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4;
}

static void
on_adjustment_changed (GtkAdjustment *adj, ArbLogPage *self)
{
  if (self->follow)
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) -
                              gtk_adjustment_get_page_size (adj));
}

/* ---------------------------------------------------------------- rows */

enum { COL_TIME, COL_BOT, COL_LEVEL, COL_COMPONENT, COL_MESSAGE, N_COLS };

static const char *
level_label (ArbLogLevel level)
{
  switch (level)
    {
    case ARB_LOG_DEBUG:
      return _("Debug");
    case ARB_LOG_INFO:
      return _("Info");
    case ARB_LOG_WARNING:
      return _("Warning");
    case ARB_LOG_ERROR:
      return _("Error");
    case ARB_LOG_CRITICAL:
    default:
      return _("Critical");
    }
}

/* style classes of the named colours, so both light and dark styles work */
static const char *const *
level_classes (ArbLogLevel level)
{
  static const char *const debug[] = { "dim-label", NULL };
  static const char *const info[] = { NULL };
  static const char *const warning[] = { "warning", NULL };
  static const char *const error[] = { "error", NULL };
  static const char *const critical[] = { "error", NULL };

  switch (level)
    {
    case ARB_LOG_DEBUG:
      return debug;
    case ARB_LOG_INFO:
      return info;
    case ARB_LOG_WARNING:
      return warning;
    case ARB_LOG_ERROR:
      return error;
    case ARB_LOG_CRITICAL:
    default:
      return critical;
    }
}

static GtkWidget *
column_label (guint width, const char *style)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  if (width > 0)
    {
      gtk_label_set_width_chars (GTK_LABEL (label), width);
      gtk_label_set_max_width_chars (GTK_LABEL (label), width);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
    }
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *message = column_label (0, NULL);

  gtk_widget_add_css_class (box, "monospace");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), column_label (8, "dim-label"));
  gtk_box_append (GTK_BOX (box), column_label (10, NULL));
  gtk_box_append (GTK_BOX (box), column_label (8, NULL));
  gtk_box_append (GTK_BOX (box), column_label (10, "dim-label"));
  gtk_label_set_wrap (GTK_LABEL (message), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (message), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (message, TRUE);
  gtk_box_append (GTK_BOX (box), message);
  gtk_list_item_set_child (item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  ArbLogEntry *entry = gtk_list_item_get_item (item);
  GtkWidget *labels[N_COLS];
  GtkWidget *child = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (arb_log_entry_get_ts (entry)
                                                               / 1000);
  g_autofree char *time = arb_format_time (arb_log_entry_get_ts (entry));
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%c") : NULL;
  const char *bot_id = arb_log_entry_get_bot_id (entry);
  const char *component = arb_log_entry_get_component (entry);
  g_autoptr(PangoAttrList) bold = NULL;

  for (guint i = 0; i < N_COLS; i++, child = gtk_widget_get_next_sibling (child))
    labels[i] = child;
  gtk_label_set_label (GTK_LABEL (labels[COL_TIME]), time);
  gtk_widget_set_tooltip_text (labels[COL_TIME], date);
  /* Translators: the sender of the dashboard's own log messages */
  gtk_label_set_label (GTK_LABEL (labels[COL_BOT]), bot_id != NULL ? bot_id : _("Dashboard"));
  gtk_widget_set_tooltip_text (labels[COL_BOT], bot_id);
  gtk_label_set_label (GTK_LABEL (labels[COL_LEVEL]),
                       level_label (arb_log_entry_get_level (entry)));
  gtk_widget_set_css_classes (labels[COL_LEVEL],
                              (const char **) level_classes (arb_log_entry_get_level (entry)));
  /* bold, not .heading: a larger font would push the columns out of line */
  if (arb_log_entry_get_level (entry) == ARB_LOG_CRITICAL)
    {
      bold = pango_attr_list_new ();
      pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
    }
  gtk_label_set_attributes (GTK_LABEL (labels[COL_LEVEL]), bold);
  gtk_label_set_label (GTK_LABEL (labels[COL_COMPONENT]), component != NULL ? component : "");
  gtk_widget_set_tooltip_text (labels[COL_COMPONENT], component);
  gtk_label_set_label (GTK_LABEL (labels[COL_MESSAGE]), arb_log_entry_get_message (entry));
}

/* ---------------------------------------------------------------- life cycle */

static void
arb_log_page_dispose (GObject *object)
{
  ArbLogPage *self = ARB_LOG_PAGE (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_object (&self->engine);
  g_clear_object (&self->filtered);
  g_clear_object (&self->entries);

  G_OBJECT_CLASS (arb_log_page_parent_class)->dispose (object);
}

static void
arb_log_page_finalize (GObject *object)
{
  ArbLogPage *self = ARB_LOG_PAGE (object);

  g_hash_table_unref (self->seen);
  g_free (self->component);
  g_free (self->folded_text);

  G_OBJECT_CLASS (arb_log_page_parent_class)->finalize (object);
}

static void
arb_log_page_class_init (ArbLogPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_log_page_dispose;
  object_class->finalize = arb_log_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-log-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, level_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, component_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, components);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_level_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_component_selected);
  gtk_widget_class_install_action (widget_class, "log.clear-filters", NULL, clear_filters);
}

static void
add_search_shortcut (ArbLogPage *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  /* global: Ctrl+F works wherever the focus is while the page shows */
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (
                                                            "<Control>f"),
                                                          gtk_callback_action_new (focus_search,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
arb_log_page_init (ArbLogPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEveryFilter *every = gtk_every_filter_new ();
  GtkAdjustment *adj;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->follow = TRUE;
  self->min_level = ARB_LOG_DEBUG;
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->entries = g_list_store_new (ARB_TYPE_LOG_ENTRY);

  /* the page outlives neither its filters nor its model: no reference to it */
  self->level_filter = GTK_FILTER (gtk_custom_filter_new (level_passes, self, NULL));
  self->component_filter = GTK_FILTER (gtk_custom_filter_new (component_passes, self, NULL));
  self->text_filter = GTK_FILTER (gtk_custom_filter_new (text_passes, self, NULL));
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), self->level_filter);
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), self->component_filter);
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), self->text_filter);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->entries)),
                                              GTK_FILTER (every));
  g_signal_connect_object (self->entries, "items-changed", G_CALLBACK (update_stack), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_stack), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                             G_LIST_MODEL (g_object_ref (self->filtered)))));
  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (adj, "changed", G_CALLBACK (on_adjustment_changed), self, 0);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  add_search_shortcut (self);
  update_stack (self);
}

/**
 * arb_log_page_set_engine:
 * @engine: the engine whose log items to show
 *
 * Shows the newest stored log messages of @engine, then those its ingest
 * commits from now on; can be called once.
 */
void
arb_log_page_set_engine (ArbLogPage *self,
                         ArbEngine  *engine)
{
  g_return_if_fail (ARB_IS_LOG_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  load_stored (self);
  g_signal_connect_object (arb_engine_get_ingest (engine), "event-committed",
                           G_CALLBACK (on_event_committed), self, 0);
}

/**
 * arb_log_page_get_model:
 *
 * Returns: (transfer none): every message kept, as #ArbLogEntry, oldest first
 */
GListModel *
arb_log_page_get_model (ArbLogPage *self)
{
  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), NULL);
  return G_LIST_MODEL (self->entries);
}

/**
 * arb_log_page_get_filtered_model:
 *
 * Returns: (transfer none): the messages that pass the filters, as
 *   #ArbLogEntry, oldest first: the rows shown
 */
GListModel *
arb_log_page_get_filtered_model (ArbLogPage *self)
{
  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/**
 * arb_log_page_get_components:
 *
 * Returns: (transfer none): the component dropdown's items, "All
 *   Components" first, as #GtkStringObject
 */
GListModel *
arb_log_page_get_components (ArbLogPage *self)
{
  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), NULL);
  return G_LIST_MODEL (self->components);
}

/**
 * arb_log_page_set_min_level:
 * @level: the lowest level to show
 *
 * Selects the level dropdown's item that shows @level and above (errors
 * and critical messages share one).
 */
void
arb_log_page_set_min_level (ArbLogPage  *self,
                            ArbLogLevel  level)
{
  guint i = G_N_ELEMENTS (min_levels) - 1;

  g_return_if_fail (ARB_IS_LOG_PAGE (self));

  while (i > 0 && min_levels[i] > level)
    i--;
  gtk_drop_down_set_selected (self->level_dropdown, i);
}

/**
 * arb_log_page_set_component:
 * @component: (nullable): a component seen so far, or %NULL for all
 *
 * Returns: whether the component dropdown lists @component
 */
gboolean
arb_log_page_set_component (ArbLogPage *self,
                            const char *component)
{
  guint n;

  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->components));
  for (guint i = 1; component != NULL && i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->components, i), component))
      {
        gtk_drop_down_set_selected (self->component_dropdown, i);
        return TRUE;
      }
  gtk_drop_down_set_selected (self->component_dropdown, 0);
  return component == NULL;
}

/**
 * arb_log_page_set_search_text:
 * @text: the text to look for
 *
 * Types @text into the search entry; the filter follows after the entry's
 * usual short delay.
 */
void
arb_log_page_set_search_text (ArbLogPage *self,
                              const char *text)
{
  g_return_if_fail (ARB_IS_LOG_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
}

/**
 * arb_log_page_get_shown:
 *
 * Returns: what the page shows: "list", "empty" (no messages yet) or
 *   "no-match" (the filters hide every message)
 */
const char *
arb_log_page_get_shown (ArbLogPage *self)
{
  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
