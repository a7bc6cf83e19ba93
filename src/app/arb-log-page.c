/* arb-log-page.c: the bots' latest log messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Log items come from the hub's "published" signal, in seq order, and are
 * kept as lines in a GtkStringList of at most ARB_LOG_PAGE_MAX_ITEMS, the
 * newest at the bottom. The view follows the bottom while the user has not
 * scrolled up.
 */
#define G_LOG_DOMAIN "arb-log-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "arb-format.h"
#include "arb-log-page.h"

struct _ArbLogPage
{
  AdwBin             parent_instance;

  GtkStack          *stack;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;

  ArbEngine         *engine;
  GtkStringList     *lines;
  gboolean           follow;
};

G_DEFINE_FINAL_TYPE (ArbLogPage, arb_log_page, ADW_TYPE_BIN)

static char *
format_line (const ArbHubItem *item)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *o;
  g_autofree char *when = NULL;

  if (!json_parser_load_from_data (parser, item->json, item->json_len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  when = arb_format_time (json_object_get_int_member_with_default (o, "ts", item->ts));
  return g_strdup_printf ("%s  %s  %s  %s", when,
                          json_object_get_string_member_with_default (o, "bot_id", "?"),
                          json_object_get_string_member_with_default (o, "level", "info"),
                          json_object_get_string_member_with_default (o, "message", ""));
}

static void
on_published (ArbHub *hub, GPtrArray *items, ArbLogPage *self)
{
  const char *log_topic = g_intern_static_string (ARB_TOPIC_LOG);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  guint n, drop;

  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);
      char *line;

      if (item->topic == log_topic && (line = format_line (item)) != NULL)
        g_ptr_array_add (lines, line);
    }
  if (lines->len > 0)
    {
      g_ptr_array_add (lines, NULL);
      n = g_list_model_get_n_items (G_LIST_MODEL (self->lines));
      drop = n + lines->len - 1 > ARB_LOG_PAGE_MAX_ITEMS
             ? MIN (n, n + lines->len - 1 - ARB_LOG_PAGE_MAX_ITEMS) : 0;
      /* one splice: one items-changed for the whole batch */
      gtk_string_list_splice (self->lines, 0, drop, NULL);
      gtk_string_list_splice (self->lines, n - drop, 0, (const char *const *) lines->pdata);
      gtk_stack_set_visible_child_name (self->stack, "list");
    }
  g_ptr_array_unref (lines);
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

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_list_item_set_child (item, label);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkStringObject *line = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (line));
}

/* ---------------------------------------------------------------- life cycle */

static void
arb_log_page_dispose (GObject *object)
{
  ArbLogPage *self = ARB_LOG_PAGE (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->lines);

  G_OBJECT_CLASS (arb_log_page_parent_class)->dispose (object);
}

static void
arb_log_page_class_init (ArbLogPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arb_log_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/arbdash/Arbdash/ui/arb-log-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, ArbLogPage, list_view);
}

static void
arb_log_page_init (ArbLogPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkAdjustment *adj;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->follow = TRUE;
  self->lines = gtk_string_list_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                             G_LIST_MODEL (g_object_ref (self->lines)))));
  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, 0);
  g_signal_connect_object (adj, "changed", G_CALLBACK (on_adjustment_changed), self, 0);
}

/**
 * arb_log_page_set_engine:
 * @engine: the engine whose log items to show
 *
 * Shows @engine's log items from now on; can be called once.
 */
void
arb_log_page_set_engine (ArbLogPage *self,
                         ArbEngine  *engine)
{
  g_return_if_fail (ARB_IS_LOG_PAGE (self));
  g_return_if_fail (ARB_IS_ENGINE (engine));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  g_signal_connect_object (arb_engine_get_hub (engine), "published",
                           G_CALLBACK (on_published), self, 0);
}

/**
 * arb_log_page_get_model:
 *
 * Returns: (transfer none): the lines shown, oldest first
 */
GListModel *
arb_log_page_get_model (ArbLogPage *self)
{
  g_return_val_if_fail (ARB_IS_LOG_PAGE (self), NULL);
  return G_LIST_MODEL (self->lines);
}
