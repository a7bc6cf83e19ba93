/* fuzz-query.c: the query string of the REST routes, and /trades cursors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the query string of a request (what follows '?'), as libsoup
 * hands it to the routes: decoded by the routes' own parser, then read as the
 * filters of GET /trades (and /trades.csv) by the route's code, answering a
 * bad parameter on a message; a good query runs on a store holding a few
 * trades, as JSON and as CSV, and a next_cursor of the answer is followed.
 * A `cursor` parameter is also tried against every order (it must be refused
 * by all orders but its own), and `window` as /summary reads it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "arb-ledger.h"
#include "arb-rest-private.h"
#include "arb-store.h"
#include "fuzz-common.h"

static ArbStore *store;

static void
close_store (void)
{
  if (store != NULL)
    arb_store_close (store);
  g_clear_object (&store);
}

/* Trades of two bots and three pairs, some without a gas cost, with ties. */
static void
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fuzz_tmp_dir (), "query.db", NULL);
  static const char *pairs[] = { "A/B", "WETH/USDC", "\xc3\xa9/:x" };
  static const char *statuses[] = { "filled", "failed", "reverted" };
  ArbLimits limits;

  store = arb_store_open (path, &error);
  if (store == NULL)
    {
      fprintf (stderr, "fuzz: cannot open the store: %s\n", error->message);
      abort ();
    }
  atexit (close_store);
  arb_limits_init_default (&limits);
  for (guint b = 0; b < 2; b++)
    {
      ArbStoreBatch *batch = arb_store_batch_new (b == 0 ? "bot-1" : "bot:2");

      for (guint i = 1; i <= 12; i++)
        {
          g_autofree char *json =
            g_strdup_printf ("{\"type\":\"trade\",\"seq\":%u,\"ts\":%u,\"id\":\"t%u\","
                             "\"pair\":\"%s\",\"buy_venue\":\"x\",\"sell_venue\":\"y\","
                             "\"status\":\"%s\",\"profit\":%g%s}",
                             i, 1000 + i / 2, i, pairs[i % 3], statuses[i % 3],
                             (i % 4) * 0.5 - 0.75, i % 5 == 0 ? "" : ",\"gas_cost\":0.25");
          g_autoptr(JsonNode) node = json_from_string (json, NULL);
          g_autofree char *field = NULL;
          gint64 seq;

          arb_store_batch_add_event (batch, arb_event_from_json (json_node_get_object (node),
                                                                 &limits, &field, &seq, NULL),
                                     i);
        }
      arb_store_batch_set_last_seq (batch, 0, 12);
      arb_store_submit (store, batch, NULL, NULL);
    }
  arb_store_flush (store);
}

static void
run_query (const ArbTradeQuery *q)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbTradePage) trades = arb_store_query_trades (store, q, &error);
  g_autofree char *json = NULL;
  g_autoptr(ArbCsvPage) page = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *next;
  ArbTradeQuery again;

  if (trades == NULL)
    {
      fprintf (stderr, "fuzz: a query the route took failed: %s\n", error->message);
      abort ();
    }
  /* as the route writes it */
  json = arb_trade_page_to_json (trades);
  fuzz_check_output ("a /trades page", json, -1);
  page = arb_store_query_trades_csv (store, q, NULL);
  if (page != NULL)
    fuzz_check_output ("a /trades.csv page", page->text, -1);
  /* the store's own next_cursor must be taken for the same order */
  root = json_from_string (json, NULL);
  next = root != NULL ? json_object_get_string_member_with_default (json_node_get_object (root),
                                                                     "next_cursor", NULL)
                      : NULL;
  if (next == NULL)
    return;
  arb_trade_query_init (&again);
  again.sort = q->sort;
  again.ascending = q->ascending;
  if (!arb_trade_query_set_cursor (&again, next))
    {
      fprintf (stderr, "fuzz: the store's own cursor %s was refused\n", next);
      abort ();
    }
  arb_trade_query_clear (&again);
}

/* A cursor is taken by the order it was given out for, and by no other. */
static void
try_cursor_everywhere (const char *cursor)
{
  for (ArbTradeSort sort = 0; sort < ARB_TRADE_N_SORTS; sort++)
    for (int ascending = 0; ascending <= 1; ascending++)
      {
        ArbTradeQuery q;

        arb_trade_query_init (&q);
        q.sort = sort;
        q.ascending = ascending;
        if (arb_trade_query_set_cursor (&q, cursor))
          {
            g_autoptr(ArbTradePage) trades = arb_store_query_trades (store, &q, NULL);

            if (trades == NULL)
              abort ();
          }
        arb_trade_query_clear (&q);
      }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* a URI's query holds no NUL: libsoup's ends at the first */
  g_autofree char *raw = g_strndup ((const char *) data, size);
  g_autofree char *bad_key = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(SoupServerMessage) msg = NULL;
  const char *cursor, *window;
  ArbTradeQuery q;
  ArbWindow w;

  if (store == NULL)
    open_store ();
  params = _arb_rest_parse_query (raw, &bad_key);
  if (params == NULL)
    {
      /* the route names the parameter in its answer: it must be text */
      if (bad_key == NULL)
        abort ();
      return 0;
    }
  cursor = g_hash_table_lookup (params, "cursor");
  if (cursor != NULL)
    try_cursor_everywhere (cursor);
  window = g_hash_table_lookup (params, "window");
  if (window != NULL)
    arb_window_parse (window, &w);
  msg = g_object_new (SOUP_TYPE_SERVER_MESSAGE, NULL);
  arb_trade_query_init (&q);
  if (_arb_rest_trade_filters (msg, params, &q))
    run_query (&q);
  else if (soup_server_message_get_status (msg) != SOUP_STATUS_BAD_REQUEST)
    {
      /* a refused parameter is answered 400, naming it */
      fprintf (stderr, "fuzz: a refused query was answered %u\n",
               soup_server_message_get_status (msg));
      abort ();
    }
  arb_trade_query_clear (&q);
  return 0;
}
