/* arb-trade-list.c: the stored trades as a list model, a page at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store may hold millions of trades: the list holds only the pages asked
 * for (newest first, or in the order set), each read in the store's reader
 * thread, and the view asks for the next one as it scrolls near the end.
 * The store sorts: each page continues from a keyset cursor, so the list
 * neither repeats nor skips a trade while new ones arrive.
 */
#define G_LOG_DOMAIN "arb-trade-list"

#include "config.h"

#include <math.h>

#include "arb-trade-list.h"

/* ---------------------------------------------------------------- the item */

struct _ArbTradeItem
{
  GObject  parent_instance;

  gint64   ts;
  char    *bot_id;
  char    *pair;
  char    *buy_venue;
  char    *sell_venue;
  char    *status;
  double   profit;
  double   gas_cost;   /* NAN when the bot did not say */
};

G_DEFINE_FINAL_TYPE (ArbTradeItem, arb_trade_item, G_TYPE_OBJECT)

static void
arb_trade_item_finalize (GObject *object)
{
  ArbTradeItem *self = ARB_TRADE_ITEM (object);

  g_free (self->bot_id);
  g_free (self->pair);
  g_free (self->buy_venue);
  g_free (self->sell_venue);
  g_free (self->status);

  G_OBJECT_CLASS (arb_trade_item_parent_class)->finalize (object);
}

static void
arb_trade_item_class_init (ArbTradeItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_trade_item_finalize;
}

static void
arb_trade_item_init (ArbTradeItem *self)
{
  self->gas_cost = NAN;
}

/* The trade of a page of the store's, as the list shows it */
static ArbTradeItem *
item_from_stored (const ArbStoredEvent *stored)
{
  ArbTradeItem *self = g_object_new (ARB_TYPE_TRADE_ITEM, NULL);
  const ArbTrade *trade = &stored->event->trade;

  g_assert (stored->event->type == ARB_MSG_TRADE);

  self->ts = stored->event->ts;
  self->bot_id = g_strdup (stored->bot_id != NULL ? stored->bot_id : "");
  self->pair = g_strdup (trade->pair);
  self->buy_venue = g_strdup (trade->buy_venue);
  self->sell_venue = g_strdup (trade->sell_venue);
  self->status = g_strdup (arb_trade_status_name (trade->status));
  self->profit = trade->profit;
  self->gas_cost = trade->gas_cost;
  return self;
}

/** arb_trade_item_get_ts: Returns: the trade's time, in ms since the epoch */
gint64
arb_trade_item_get_ts (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), 0);
  return self->ts;
}

const char *
arb_trade_item_get_bot_id (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NULL);
  return self->bot_id;
}

const char *
arb_trade_item_get_pair (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NULL);
  return self->pair;
}

const char *
arb_trade_item_get_buy_venue (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NULL);
  return self->buy_venue;
}

const char *
arb_trade_item_get_sell_venue (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NULL);
  return self->sell_venue;
}

/** arb_trade_item_get_status: Returns: "filled", "failed" or "reverted" */
const char *
arb_trade_item_get_status (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NULL);
  return self->status;
}

double
arb_trade_item_get_profit (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NAN);
  return self->profit;
}

/** arb_trade_item_get_gas_cost: Returns: the gas cost, or NAN when the bot did not say */
double
arb_trade_item_get_gas_cost (ArbTradeItem *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_ITEM (self), NAN);
  return self->gas_cost;
}

/* ---------------------------------------------------------------- the list */

struct _ArbTradeList
{
  GObject       parent_instance;

  ArbStore     *store;
  GPtrArray    *items;        /* ArbTradeItem */
  char         *bot_id;       /* filters; NULL: any */
  char         *pair;
  int           status;       /* -1: any */
  gint64        after;        /* trades after this time only; G_MININT64: any time */
  ArbTradeSort  sort;
  gboolean      ascending;
  char         *cursor;       /* where the next page starts; NULL: at the first trade */
  gboolean      has_more;
  guint         n_pages;
  GCancellable *cancellable;  /* of the page being read, else NULL */
  GError       *error;
};

enum { PROP_0, PROP_LOADING, N_PROPS };
static GParamSpec *props[N_PROPS];

static GType
arb_trade_list_get_item_type (GListModel *model)
{
  return ARB_TYPE_TRADE_ITEM;
}

static guint
arb_trade_list_get_n_items (GListModel *model)
{
  return ARB_TRADE_LIST (model)->items->len;
}

static gpointer
arb_trade_list_get_item (GListModel *model, guint position)
{
  ArbTradeList *self = ARB_TRADE_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
arb_trade_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = arb_trade_list_get_item_type;
  iface->get_n_items = arb_trade_list_get_n_items;
  iface->get_item = arb_trade_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ArbTradeList, arb_trade_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      arb_trade_list_model_init))

static void
arb_trade_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArbTradeList *self = ARB_TRADE_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, arb_trade_list_is_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stop_loading (ArbTradeList *self)
{
  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void
arb_trade_list_dispose (GObject *object)
{
  ArbTradeList *self = ARB_TRADE_LIST (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (arb_trade_list_parent_class)->dispose (object);
}

static void
arb_trade_list_finalize (GObject *object)
{
  ArbTradeList *self = ARB_TRADE_LIST (object);

  g_ptr_array_unref (self->items);
  g_free (self->bot_id);
  g_free (self->pair);
  g_free (self->cursor);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (arb_trade_list_parent_class)->finalize (object);
}

static void
arb_trade_list_class_init (ArbTradeListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = arb_trade_list_get_property;
  object_class->dispose = arb_trade_list_dispose;
  object_class->finalize = arb_trade_list_finalize;

  /**
   * ArbTradeList:loading:
   *
   * Whether a page is being read from the store.
   */
  props[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                              G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
arb_trade_list_init (ArbTradeList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->status = -1;
  self->after = G_MININT64;
  self->sort = ARB_TRADE_SORT_TIME;
  self->has_more = TRUE;
}

/**
 * arb_trade_list_new:
 * @store: the store to read the trades from
 *
 * The list starts empty: arb_trade_list_load_more() reads the first page.
 *
 * Returns: (transfer full): a new list
 */
ArbTradeList *
arb_trade_list_new (ArbStore *store)
{
  ArbTradeList *self;

  g_return_val_if_fail (ARB_IS_STORE (store), NULL);

  self = g_object_new (ARB_TYPE_TRADE_LIST, NULL);
  self->store = g_object_ref (store);
  return self;
}

static void
append_page (ArbTradeList *self, ArbTradePage *page)
{
  guint before = self->items->len;

  for (guint i = 0; i < page->trades->len; i++)
    g_ptr_array_add (self->items, item_from_stored (g_ptr_array_index (page->trades, i)));
  g_free (self->cursor);
  self->cursor = g_steal_pointer (&page->next_cursor);
  self->has_more = self->cursor != NULL;
  self->n_pages++;
  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->items->len - before);
}

static void
page_read (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(ArbTradeList) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbTradePage) page = arb_store_query_trades_finish (ARB_STORE (source), result,
                                                                &error);

  /* a reload or the end of the list went past this page */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (page == NULL)
    {
      g_warning ("Cannot read the trades: %s", error->message);
      self->error = g_steal_pointer (&error);
      self->has_more = FALSE;
    }
  else
    append_page (self, page);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

/**
 * arb_trade_list_load_more:
 *
 * Starts reading the next page of ARB_TRADE_LIST_PAGE_SIZE trades, unless
 * one is being read already or the last one has been.
 *
 * Returns: whether a page is now being read
 */
gboolean
arb_trade_list_load_more (ArbTradeList *self)
{
  ArbTradeQuery query;

  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), FALSE);

  if (self->cancellable != NULL)
    return TRUE;
  if (!self->has_more || self->store == NULL)
    return FALSE;
  arb_trade_list_init_query (self, &query);
  if (self->cursor != NULL && !arb_trade_query_set_cursor (&query, self->cursor))
    g_warn_if_reached ();
  self->cancellable = g_cancellable_new ();
  arb_store_query_trades_async (self->store, &query, self->cancellable, page_read,
                                g_object_ref (self));
  arb_trade_query_clear (&query);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
  return TRUE;
}

/**
 * arb_trade_list_reload:
 *
 * Forgets the pages read and reads the first one again.
 */
void
arb_trade_list_reload (ArbTradeList *self)
{
  guint removed;

  g_return_if_fail (ARB_IS_TRADE_LIST (self));

  stop_loading (self);
  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  g_clear_pointer (&self->cursor, g_free);
  g_clear_error (&self->error);
  self->has_more = TRUE;
  self->n_pages = 0;
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  arb_trade_list_load_more (self);
}

static char *
filter_text (const char *s)
{
  g_autofree char *copy = g_strstrip (g_strdup (s != NULL ? s : ""));

  return *copy != '\0' ? g_steal_pointer (&copy) : NULL;
}

/**
 * arb_trade_list_set_filter:
 * @bot_id: (nullable): only this bot's trades; NULL or "": any bot's
 * @pair: (nullable): only trades of this pair; NULL or "": any pair
 * @status: an #ArbTradeStatus, or -1 for any
 *
 * Reloads the list when the filter changed.
 */
void
arb_trade_list_set_filter (ArbTradeList *self,
                           const char   *bot_id,
                           const char   *pair,
                           int           status)
{
  g_autofree char *bot = filter_text (bot_id);
  g_autofree char *p = filter_text (pair);

  g_return_if_fail (ARB_IS_TRADE_LIST (self));
  g_return_if_fail (status >= -1 && status < ARB_TRADE_N_STATUS);

  if (g_strcmp0 (bot, self->bot_id) == 0 && g_strcmp0 (p, self->pair) == 0 &&
      status == self->status && self->n_pages > 0)
    return;
  g_free (self->bot_id);
  self->bot_id = g_steal_pointer (&bot);
  g_free (self->pair);
  self->pair = g_steal_pointer (&p);
  self->status = status;
  arb_trade_list_reload (self);
}

/**
 * arb_trade_list_set_after:
 * @after_ms: only trades after this time (ms since the epoch); %G_MININT64
 *   for any time
 *
 * Reloads the list when the time changed. The time is fixed until the next
 * call, so that the pages read one after the other keep one range.
 */
void
arb_trade_list_set_after (ArbTradeList *self,
                          gint64        after_ms)
{
  g_return_if_fail (ARB_IS_TRADE_LIST (self));

  if (after_ms == self->after && self->n_pages > 0)
    return;
  self->after = after_ms;
  arb_trade_list_reload (self);
}

/**
 * arb_trade_list_set_sort:
 * @sort: the column to sort by; ties in arrival order
 * @ascending: whether the smallest key (the oldest trade) comes first
 *
 * Reads the trades in this order from now on: when the order changed and
 * pages were read (or were being read), reloads the list from the first.
 */
void
arb_trade_list_set_sort (ArbTradeList *self,
                         ArbTradeSort  sort,
                         gboolean      ascending)
{
  g_return_if_fail (ARB_IS_TRADE_LIST (self));
  g_return_if_fail ((guint) sort < ARB_TRADE_N_SORTS);

  ascending = !!ascending;
  if (sort == self->sort && ascending == self->ascending)
    return;
  self->sort = sort;
  self->ascending = ascending;
  if (self->n_pages > 0 || arb_trade_list_is_loading (self))
    arb_trade_list_reload (self);
}

/** arb_trade_list_get_sort: Returns: the column the list is sorted by */
ArbTradeSort
arb_trade_list_get_sort (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), ARB_TRADE_SORT_TIME);
  return self->sort;
}

/** arb_trade_list_get_ascending: Returns: whether the smallest key comes first */
gboolean
arb_trade_list_get_ascending (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), FALSE);
  return self->ascending;
}

gboolean
arb_trade_list_is_loading (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), FALSE);
  return self->cancellable != NULL;
}

/** arb_trade_list_has_more: Returns: whether trades past the list's last remain to be read */
gboolean
arb_trade_list_has_more (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), FALSE);
  return self->has_more;
}

/** arb_trade_list_get_n_pages: Returns: how many pages were read since the last reload */
guint
arb_trade_list_get_n_pages (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), 0);
  return self->n_pages;
}

/** arb_trade_list_get_error: Returns: (nullable): why the last page could not be read */
const GError *
arb_trade_list_get_error (ArbTradeList *self)
{
  g_return_val_if_fail (ARB_IS_TRADE_LIST (self), NULL);
  return self->error;
}

/**
 * arb_trade_list_init_query:
 * @query: (out caller-allocates): the query to fill; clear it with arb_trade_query_clear()
 *
 * Fills @query with the list's filter, order and page size, from the first
 * trade on.
 */
void
arb_trade_list_init_query (ArbTradeList  *self,
                           ArbTradeQuery *query)
{
  g_return_if_fail (ARB_IS_TRADE_LIST (self));
  g_return_if_fail (query != NULL);

  arb_trade_query_init (query);
  query->bot_id = g_strdup (self->bot_id);
  query->pair = g_strdup (self->pair);
  query->status = self->status;
  query->after = self->after;
  query->sort = self->sort;
  query->ascending = self->ascending;
  query->limit = ARB_TRADE_LIST_PAGE_SIZE;
}
