/* fuzz-ingest.c: an ingest over a real store, fresh for each input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening a store (SQLite, its schema, a writer thread) costs milliseconds, so
 * one store lives as long as the process, in RAM; the ingest, the hub, the
 * ledger and the series are new for each input, and the store's rows are
 * deleted after it: an input's outcome does not depend on the ones before
 * (a seq that was new is new again), which libFuzzer needs.
 */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "arb-ledger.h"
#include "arb-series-set.h"
#include "arb-store.h"
#include "fuzz-common.h"
#include "fuzz-ingest.h"

typedef struct
{
  ArbLedger    *ledger;
  ArbSeriesSet *series;
} Consumers;

static ArbStore *store;
static sqlite3 *wiper;

static void
close_store (void)
{
  g_clear_pointer (&wiper, sqlite3_close);
  if (store != NULL)
    arb_store_close (store);
  g_clear_object (&store);
}

static void
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fuzz_tmp_dir (), "ingest.db", NULL);

  store = arb_store_open (path, &error);
  if (store == NULL || sqlite3_open (path, &wiper) != SQLITE_OK)
    {
      fprintf (stderr, "fuzz: cannot open the store: %s\n",
               error != NULL ? error->message : sqlite3_errmsg (wiper));
      abort ();
    }
  sqlite3_busy_timeout (wiper, 5000);
  sqlite3_exec (wiper, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
  atexit (close_store);
}

static void
wipe_store (void)
{
  char *message = NULL;

  if (sqlite3_exec (wiper, "BEGIN; DELETE FROM trades; DELETE FROM opportunities;"
                           " DELETE FROM logs; DELETE FROM commands; DELETE FROM bots;"
                           " DELETE FROM alerts; DELETE FROM series; COMMIT;",
                    NULL, NULL, &message) != SQLITE_OK)
    {
      fprintf (stderr, "fuzz: cannot empty the store: %s\n", message);
      abort ();
    }
}

static void
add_series (Consumers *c, const char *bot_id, const char *name, const char *unit, gint64 ts,
            double value)
{
  g_autofree char *full = g_strconcat ("bot.", bot_id, ".", name, NULL);

  if (!isnan (value))
    arb_series_set_add_value (c->series, full, unit, ts, value);
}

/* What the engine does with a committed event (arb-engine.c). */
static void
on_event_committed (ArbIngest *ingest, const char *bot_id, gpointer data, Consumers *c)
{
  const ArbEvent *e = data;
  gint64 now = g_get_real_time () / 1000;

  switch (e->type)
    {
    case ARB_MSG_TRADE:
      arb_ledger_add_trade (c->ledger, bot_id, e->ts, &e->trade, now);
      add_series (c, bot_id, "profit", "USD", e->ts, e->trade.profit);
      break;
    case ARB_MSG_OPPORTUNITY:
      arb_ledger_add_opportunity (c->ledger, bot_id, e->ts, &e->opportunity, now);
      break;
    case ARB_MSG_METRIC:
      add_series (c, bot_id, e->metric.name, e->metric.unit, e->ts, e->metric.value);
      break;
    case ARB_MSG_RESOURCES:
      add_series (c, bot_id, "pool.in_use", "connections", e->ts, e->resources.pool_in_use);
      add_series (c, bot_id, "memory.rss_bytes", "bytes", e->ts, e->resources.memory_rss_bytes);
      break;
    default:
      break;
    }
}

/* What a viewer would get: every item's envelope, as the stream sends it. */
static void
on_published (ArbHub *hub, GPtrArray *items, gpointer unused)
{
  for (guint i = 0; i < items->len; i++)
    {
      gsize len;
      const char *env = arb_hub_item_get_envelope (g_ptr_array_index (items, i), &len);

      fuzz_check_output ("a hub item", env, len);
      if (fuzz_strict_output ())
        {
          g_autofree char *text = g_strndup (env, len);
          fuzz_check_json ("a hub item", text);
        }
    }
}

void
fuzz_ingest_begin (FuzzIngest *fi)
{
  Consumers *c = g_new0 (Consumers, 1);

  if (store == NULL)
    open_store ();
  c->ledger = arb_ledger_new ();
  c->series = arb_series_set_new (NULL, 0, 64);
  fi->priv = c;
  fi->hub = arb_hub_new (1, 256);
  fi->ingest = arb_ingest_new (store, fi->hub, NULL);
  g_signal_connect (fi->hub, "published", G_CALLBACK (on_published), NULL);
  g_signal_connect (fi->ingest, "event-committed", G_CALLBACK (on_event_committed), c);
}

void
fuzz_ingest_end (FuzzIngest *fi)
{
  Consumers *c = fi->priv;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *json = NULL;

  arb_ingest_submit_pending (fi->ingest);
  arb_store_flush (store);
  fuzz_drain ();
  summary = arb_ledger_summary_json (c->ledger, ARB_WINDOW_ALL, NULL, g_get_real_time () / 1000);
  json = json_to_string (summary, FALSE);
  if (g_getenv ("ARB_FUZZ_VERBOSE") != NULL)
    fprintf (stderr, "summary: %s\n", json);
  fuzz_check_output ("the trading summary", json, -1);
  if (fuzz_strict_output ())
    fuzz_check_json ("the trading summary", json);
  g_signal_handlers_disconnect_by_data (fi->ingest, c);
  g_clear_object (&fi->ingest);
  g_clear_object (&fi->hub);
  g_clear_object (&c->ledger);
  g_clear_pointer (&c->series, arb_series_set_free);
  g_free (c);
  fi->priv = NULL;
  arb_store_flush (store);
  fuzz_drain ();
  wipe_store ();
}
