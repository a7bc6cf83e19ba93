/* test-engine.c: the core wired together, on a real database, fed by demo bots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine starts its own demo bot at the normal speed; its first
 * opportunity is scheduled at that speed (seconds away), so the trades of
 * these tests come from a second demo bot at speed 1000, connected to the
 * engine's ingest exactly as the engine connects its own.
 */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "arb-engine.h"
#include "arb-local-bot.h"

#define SEQ_META_KEY  "hub_seq_reserved"
#define RESERVE_BLOCK 1000000

typedef struct
{
  ArbLocalBot *fast;        /* the fast bot and its session */

  /* what the hub published */
  gint64      last_seq;
  gint64      first_seq;
  guint       trades;
  guint       system;
  guint       items;
} Feed;

typedef struct
{
  char      *dir;
  ArbConfig *config;
  ArbEngine *engine;
  Feed       feed;
} Fixture;

/* libarbcore logs structured, so g_log_set_handler() does not see its
 * messages: while this is set, the engine's messages go here. */
static GPtrArray *engine_messages;


static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* ---------------------------------------------------------------- the fast bot */

static void
on_published (ArbHub *hub, GPtrArray *items, Feed *feed)
{
  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);

      /* one sequence, rising, over everything */
      g_assert_cmpint (item->seq, >, feed->last_seq);
      if (feed->first_seq == 0)
        feed->first_seq = item->seq;
      feed->last_seq = item->seq;
      feed->items++;
      if (g_str_equal (item->kind, "trade"))
        feed->trades++;
      else if (item->topic == g_intern_static_string (ARB_TOPIC_SYSTEM))
        feed->system++;
    }
}

static void
start_engine (Fixture *f, gboolean demo, gboolean fast_bot)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbDemoBot) bot = NULL;

  memset (&f->feed, 0, sizeof f->feed);
  f->config->demo = demo;
  f->engine = arb_engine_new (f->config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->engine);
  g_signal_connect (arb_engine_get_hub (f->engine), "published", G_CALLBACK (on_published),
                    &f->feed);
  if (!fast_bot)
    return;
  bot = arb_demo_bot_new ("fast", 1234);
  arb_demo_bot_set_speed (bot, 1000);
  f->feed.fast = arb_local_bot_new (arb_engine_get_ingest (f->engine), bot);
}

/* Shuts the engine down and drops it; checks that nothing keeps it alive. */
static void
stop_engine (Fixture *f)
{
  gpointer weak = f->engine;

  arb_engine_shutdown (f->engine);
  arb_engine_shutdown (f->engine);   /* a second time is a no-op */
  g_object_add_weak_pointer (G_OBJECT (f->engine), &weak);
  g_clear_object (&f->engine);
  g_assert_null (weak);
  g_clear_pointer (&f->feed.fast, arb_local_bot_free);
  /* let idle sources of dead objects run out */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("arb-test-engine-XXXXXX", &error);
  g_assert_no_error (error);
  f->config = arb_config_new ();
  g_free (f->config->db_path);
  f->config->db_path = g_build_filename (f->dir, "db", "arbdash.db", NULL);
  f->config->sample_interval_ms = 100;
  f->config->command_timeout_ms = 3000;
  arb_config_add_token (f->config, "viewer", ARB_ROLE_VIEWER, "v-secret");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *db_dir = g_build_filename (f->dir, "db", NULL);

  if (f->engine != NULL)
    stop_engine (f);
  arb_config_free (f->config);
  remove_dir (db_dir);
  remove_dir (f->dir);
  g_free (f->dir);
}

/* ---------------------------------------------------------------- helpers */

static gint64
sql_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  if (sqlite3_step (s) == SQLITE_ROW)
    v = sqlite3_column_int64 (s, 0);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return v;
}

static char *
summary (ArbEngine *engine, ArbWindow window, const char *bot_id, gint64 now)
{
  g_autoptr(JsonNode) node = arb_ledger_summary_json (arb_engine_get_ledger (engine), window,
                                                      bot_id, now);

  return json_to_string (node, FALSE);
}

static guint64
ledger_trades (ArbEngine *engine)
{
  g_autoptr(ArbLedgerSummary) s = arb_ledger_get_summary (arb_engine_get_ledger (engine),
                                                          ARB_WINDOW_ALL, NULL, now_ms ());

  return s->trades_total;
}

static guint64
ledger_opportunities (ArbEngine *engine)
{
  g_autoptr(ArbLedgerSummary) s = arb_ledger_get_summary (arb_engine_get_ledger (engine),
                                                          ARB_WINDOW_ALL, NULL, now_ms ());

  return s->opportunities_seen;
}

/* Trades in the latest "summary" gauge on the hub (-1 when there is none). */
static gint64
summary_trades (ArbEngine *engine)
{
  ArbHubItem *item = arb_hub_lookup_latest (arb_engine_get_hub (engine), ARB_TOPIC_TRADING,
                                            "summary", "all");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *trades;

  if (item == NULL)
    return -1;
  node = json_from_string (item->json, NULL);
  trades = json_object_get_object_member (json_node_get_object (node), "trades");
  return json_object_get_int_member (trades, "total");
}

static gint64
store_meta (ArbEngine *engine, const char *key)
{
  gint64 v = -1;

  g_assert_true (arb_store_get_meta (arb_engine_get_store (engine), key, &v));
  return v;
}

static void
on_command_done (const ArbCommand *command, gpointer data)
{
  ArbCommand **out = data;

  *out = arb_command_copy (command);
}

/* ---------------------------------------------------------------- tests */

static void
test_run (Fixture *f, gconstpointer data)
{
  ArbEngine *e;
  ArbHubItem *latest;
  ArbBotLink *fast, *demo;
  g_autoptr(JsonNode) sample = NULL;
  g_autoptr(ArbCommand) paused = NULL;
  g_autoptr(GPtrArray) bots = NULL;
  ArbIngestStats stats;
  gint64 t = now_ms ();
  const char *path = f->config->db_path;

  start_engine (f, TRUE, TRUE);
  e = f->engine;
  g_assert_nonnull (arb_engine_get_store (e));
  g_assert_nonnull (arb_engine_get_sampler (e));
  g_assert_nonnull (arb_engine_get_series (e));
  g_assert_nonnull (arb_engine_get_demo_bot (e));
  g_assert_nonnull (arb_engine_get_alerts (e));
  g_assert_cmpstr (arb_engine_get_config (e)->db_path, ==, path);
  /* the engine keeps its own copy of the settings */
  g_assert_true (arb_engine_get_config (e) != f->config);
  g_assert_cmpuint (arb_engine_get_config (e)->tokens->len, ==, 1);
  g_assert_cmpint (arb_engine_get_started_ms (e), >=, t);
  g_assert_cmpint (arb_engine_get_started_ms (e), <=, now_ms ());
  /* the folder of the database was made */
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  /* the first seqs are reserved durably before any is used */
  g_assert_cmpint (store_meta (e, SEQ_META_KEY), ==, 1 + RESERVE_BLOCK);

  WAIT_UNTIL (arb_engine_is_ledger_ready (e) && f->feed.trades >= 30 && f->feed.system >= 3 &&
              arb_series_set_lookup (arb_engine_get_series (e), "cpu.total") != NULL);
  /* a fresh database: the hub starts at seq 1 */
  g_assert_cmpint (f->feed.first_seq, ==, 1);

  /* the hub publishes system samples as the latest "host" gauge */
  latest = arb_hub_lookup_latest (arb_engine_get_hub (e), ARB_TOPIC_SYSTEM, "system", "host");
  g_assert_nonnull (latest);
  sample = json_from_string (latest->json, NULL);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (sample));
  g_assert_nonnull (arb_series_set_lookup (arb_engine_get_series (e), "mem.used"));
  g_assert_nonnull (arb_series_set_lookup (arb_engine_get_series (e), "bot.fast.profit"));

  /* telemetry (once a second of wall clock) goes to the bot's series */
  WAIT_UNTIL (arb_series_set_lookup (arb_engine_get_series (e), "bot.fast.tasks.running") != NULL &&
              arb_series_set_lookup (arb_engine_get_series (e), "bot.fast.block_lag") != NULL);
  /* the summary gauge follows the trades, at most once a second */
  WAIT_UNTIL (summary_trades (e) > 0);

  /* both bots are connected */
  fast = arb_ingest_lookup_bot (arb_engine_get_ingest (e), "fast");
  demo = arb_ingest_lookup_bot (arb_engine_get_ingest (e), "demo");
  g_assert_nonnull (fast);
  g_assert_nonnull (demo);
  g_assert_cmpint (arb_bot_link_get_state (fast), ==, ARB_LINK_CONNECTED);
  g_assert_cmpint (arb_bot_link_get_state (demo), ==, ARB_LINK_CONNECTED);

  /* a command reaches the engine's own demo bot and its answer comes back */
  arb_ingest_send_command (arb_engine_get_ingest (e), "demo", "pause", NULL, "desktop", NULL,
                           on_command_done, &paused);
  WAIT_UNTIL (paused != NULL);
  g_assert_cmpint (paused->status, ==, ARB_COMMAND_OK);

  arb_engine_shutdown (e);
  arb_hub_flush (arb_engine_get_hub (e));
  /* the shutdown closed the bot's session with "going away" */
  g_assert_cmpuint (arb_local_bot_get_close_code (f->feed.fast), ==, 1001);
  g_assert_cmpint (arb_bot_link_get_state (fast), ==, ARB_LINK_DISCONNECTED);

  /* every trade is stored once, counted once by the ledger and published once */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, ledger_trades (e));
  g_assert_cmpint (f->feed.trades, ==, ledger_trades (e));
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM opportunities"), ==,
                   ledger_opportunities (e));
  /* no protocol errors, nothing lost: the store has 1..last_seq of the fast bot */
  arb_ingest_get_stats (arb_engine_get_ingest (e), &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (arb_local_bot_get_n_errors (f->feed.fast), ==, 0);
  g_assert_cmpint (arb_local_bot_get_acked (f->feed.fast), ==, arb_bot_link_get_stored_seq (fast));
  bots = arb_store_load_bots (arb_engine_get_store (e), NULL);
  g_assert_cmpuint (bots->len, ==, 2);
  g_assert_cmpstr (((ArbStoredBot *) bots->pdata[1])->identity.bot_id, ==, "fast");
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[1])->last_seq, ==,
                   arb_bot_link_get_stored_seq (fast));
  /* every hub seq handed out is below the stored reservation */
  g_assert_cmpint (f->feed.last_seq, <, store_meta (e, SEQ_META_KEY));
  /* the series were saved on the way out */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM series WHERE name = 'mem.used'"), >, 0);

  stop_engine (f);
}

static void
test_restart (Fixture *f, gconstpointer data)
{
  const char *path = f->config->db_path;
  gint64 now = now_ms () + 1000;
  g_autofree char *all_before = NULL, *hour_before = NULL, *fast_before = NULL;
  g_autofree char *all_after = NULL, *hour_after = NULL, *fast_after = NULL;
  gint64 last_seq_1, reserved_1, fast_seq, demo_seq, reserved_2, last_seq_2;
  guint64 trades_1;
  ArbBotLink *link;
  ArbSeries *mem;
  ArbIngestStats stats;

  /* run 1: some trading */
  start_engine (f, TRUE, TRUE);
  WAIT_UNTIL (arb_engine_is_ledger_ready (f->engine) && f->feed.trades >= 20 &&
              f->feed.system >= 1);
  arb_engine_shutdown (f->engine);
  arb_hub_flush (arb_engine_get_hub (f->engine));
  last_seq_1 = f->feed.last_seq;
  g_assert_cmpint (last_seq_1, ==, arb_hub_get_last_seq (arb_engine_get_hub (f->engine)));
  reserved_1 = store_meta (f->engine, SEQ_META_KEY);
  trades_1 = ledger_trades (f->engine);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, trades_1);
  all_before = summary (f->engine, ARB_WINDOW_ALL, NULL, now);
  hour_before = summary (f->engine, ARB_WINDOW_1H, NULL, now);
  fast_before = summary (f->engine, ARB_WINDOW_ALL, "fast", now);
  fast_seq = arb_bot_link_get_stored_seq (arb_ingest_lookup_bot (arb_engine_get_ingest (f->engine),
                                                                 "fast"));
  demo_seq = arb_bot_link_get_stored_seq (arb_ingest_lookup_bot (arb_engine_get_ingest (f->engine),
                                                                 "demo"));
  g_assert_cmpint (fast_seq, >, 20);
  stop_engine (f);

  /* run 2: no bots; everything comes from the store */
  start_engine (f, FALSE, FALSE);
  g_assert_null (arb_engine_get_demo_bot (f->engine));
  /* seqs go on above anything run 1 may have shown, and a new block is reserved */
  g_assert_cmpint (arb_hub_get_next_seq (arb_engine_get_hub (f->engine)), ==, reserved_1 + 1);
  g_assert_cmpint (reserved_1 + 1, >, last_seq_1);
  reserved_2 = store_meta (f->engine, SEQ_META_KEY);
  g_assert_cmpint (reserved_2, ==, reserved_1 + 1 + RESERVE_BLOCK);

  /* the ledger is rebuilt from the store, exactly */
  g_assert_false (arb_engine_is_ledger_ready (f->engine));
  WAIT_UNTIL (arb_engine_is_ledger_ready (f->engine) && f->feed.system >= 1);
  all_after = summary (f->engine, ARB_WINDOW_ALL, NULL, now);
  hour_after = summary (f->engine, ARB_WINDOW_1H, NULL, now);
  fast_after = summary (f->engine, ARB_WINDOW_ALL, "fast", now);
  g_assert_cmpstr (all_after, ==, all_before);
  g_assert_cmpstr (hour_after, ==, hour_before);
  g_assert_cmpstr (fast_after, ==, fast_before);
  g_assert_cmpuint (ledger_trades (f->engine), ==, trades_1);
  /* the rebuilt ledger is announced on the hub, above the old seqs */
  g_assert_nonnull (arb_hub_lookup_latest (arb_engine_get_hub (f->engine), ARB_TOPIC_TRADING,
                                           "summary", "all"));
  g_assert_cmpint (f->feed.first_seq, >, last_seq_1);

  /* the bots come back with their stored seqs, not connected */
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (f->engine), "fast");
  g_assert_nonnull (link);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, fast_seq);
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (f->engine), "demo");
  g_assert_nonnull (link);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, demo_seq);
  g_assert_true (arb_bot_link_takes_command (link, "pause"));

  /* the series saved by run 1 are restored */
  mem = arb_series_set_lookup (arb_engine_get_series (f->engine), "mem.used");
  g_assert_nonnull (mem);
  g_assert_cmpuint (arb_series_get_tier_n_points (mem, 0), >, 0);

  /* the hub's "reserve" goes to the store before the hub may use the block */
  g_signal_emit_by_name (arb_engine_get_hub (f->engine), "reserve",
                         (gint64) (reserved_2 + 5 * RESERVE_BLOCK));
  g_assert_cmpint (store_meta (f->engine, SEQ_META_KEY), ==, reserved_2 + 5 * RESERVE_BLOCK);
  reserved_2 += 5 * RESERVE_BLOCK;
  arb_engine_shutdown (f->engine);
  arb_hub_flush (arb_engine_get_hub (f->engine));
  last_seq_2 = f->feed.last_seq;
  stop_engine (f);

  /* run 3: the bots reconnect and go on from their stored seqs */
  start_engine (f, TRUE, TRUE);
  WAIT_UNTIL (arb_engine_is_ledger_ready (f->engine) && f->feed.trades >= 10);
  g_assert_cmpint (f->feed.first_seq, ==, reserved_2 + 1);
  g_assert_cmpint (reserved_2 + 1, >, last_seq_2);
  arb_engine_shutdown (f->engine);
  arb_ingest_get_stats (arb_engine_get_ingest (f->engine), &stats);
  g_assert_cmpuint (stats.rejected, ==, 0);
  g_assert_cmpuint (arb_local_bot_get_n_errors (f->feed.fast), ==, 0);
  link = arb_ingest_lookup_bot (arb_engine_get_ingest (f->engine), "fast");
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), >, fast_seq);
  /* the bot went on after its stored seq: nothing resent, nothing skipped */
  g_assert_cmpuint (stats.duplicates, ==, 0);
  g_assert_cmpint (arb_local_bot_get_acked (f->feed.fast), ==, arb_bot_link_get_stored_seq (link));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT min(seq) FROM trades WHERE bot_id = 'fast'"
                                            " AND hub_seq > %" G_GINT64_FORMAT, reserved_2);
    g_assert_cmpint (sql_int (path, sql), >, fast_seq);
  }
  /* replayed rows plus live ones: each trade counted once */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, ledger_trades (f->engine));
  g_assert_cmpuint (ledger_trades (f->engine), >=, trades_1 + 10);
  stop_engine (f);
}

static void
test_bad_database (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbEngine) engine = NULL;
  g_autofree char *file = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *under_file = g_build_filename (file, "sub", "arbdash.db", NULL);

  /* a folder that cannot be made */
  g_file_set_contents (file, "x", 1, NULL);
  g_free (f->config->db_path);
  f->config->db_path = g_strdup (under_file);
  engine = arb_engine_new (f->config, &error);
  g_assert_null (engine);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_clear_error (&error);

  /* a database of a newer arbdash */
  g_free (f->config->db_path);
  f->config->db_path = g_build_filename (f->dir, "db", "arbdash.db", NULL);
  {
    g_autofree char *db_dir = g_build_filename (f->dir, "db", NULL);
    sqlite3 *db = NULL;

    g_mkdir_with_parents (db_dir, 0700);
    g_assert_cmpint (sqlite3_open (f->config->db_path, &db), ==, SQLITE_OK);
    sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close (db);
  }
  engine = arb_engine_new (f->config, &error);
  g_assert_null (engine);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_CONFLICT);
  g_unlink (file);
}

/* Prepares the database of the fixture with @sql run on a fresh store. */
static void
prepare_db (Fixture *f, const char *sql)
{
  g_autofree char *db_dir = g_path_get_dirname (f->config->db_path);
  g_autoptr(ArbStore) store = NULL;
  sqlite3 *db = NULL;

  g_mkdir_with_parents (db_dir, 0700);
  store = arb_store_open (f->config->db_path, NULL);
  g_assert_nonnull (store);
  arb_store_close (store);
  g_assert_cmpint (sqlite3_open (f->config->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_broken_tables (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbEngine) engine = NULL;

  /* tables missing (a damaged or foreign file): the store refuses it, so does the engine */
  prepare_db (f, "DROP TABLE meta");
  engine = arb_engine_new (f->config, &error);
  g_assert_null (engine);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);

  g_unlink (f->config->db_path);
  prepare_db (f, "DROP TABLE bots");
  engine = arb_engine_new (f->config, &error);
  g_assert_null (engine);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
}

/* Problems that do not stop the engine are warned about; the subprocess
 * lets warnings through to check that it goes on. */
static void
test_warnings (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GBytes) junk = g_bytes_new_static ("not a series", 12);
      ArbStoreBatch *b = arb_store_batch_new (NULL);
      g_autoptr(ArbStore) store = NULL;
      g_autoptr(GError) error = NULL;
      ArbHub *hub;

      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      g_log_set_fatal_mask ("arb-engine", G_LOG_FATAL_MASK);
      prepare_db (f, "SELECT 1");
      store = arb_store_open (f->config->db_path, NULL);
      arb_store_batch_put_series (b, "mem.used", 0, junk);
      arb_store_submit (store, b, NULL, NULL);
      arb_store_close (store);

      start_engine (f, FALSE, FALSE);
      WAIT_UNTIL (f->feed.system >= 1 && arb_engine_is_ledger_ready (f->engine));
      /* the series starts empty rather than half restored, and fills from now on */
      g_assert_nonnull (arb_series_set_lookup (arb_engine_get_series (f->engine), "mem.used"));

      /* a reservation that cannot be stored is not used */
      hub = arb_engine_get_hub (f->engine);
      {
        sqlite3 *db = NULL;
        sqlite3_open (f->config->db_path, &db);
        sqlite3_busy_timeout (db, 5000);
        sqlite3_exec (db, "DROP TABLE meta", NULL, NULL, NULL);
        sqlite3_close (db);
      }
      g_signal_emit_by_name (hub, "reserve", (gint64) 99000000);
      stop_engine (f);
      g_print ("engine went on\n");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*engine went on*");
  g_test_trap_assert_stderr ("*Series mem.used tier 0 not restored*");
  g_test_trap_assert_stderr ("*Could not reserve hub seqs*");
}

/* ---------------------------------------------------------------- retention */


static ArbEvent *
stored_trade (gint64 seq, gint64 ts)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                     ",\"id\":\"t\",\"pair\":\"WETH/USDC\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"status\":\"filled\",\"profit\":2.5}", seq, ts);

  return test_event_from_json (json);
}

static ArbEvent *
stored_opportunity (gint64 seq, gint64 ts)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"opportunity\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                     G_GINT64_FORMAT ",\"pair\":\"WETH/USDC\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"spread_bps\":10,\"expected_profit\":1,"
                     "\"taken\":false}", seq, ts);

  return test_event_from_json (json);
}

/* Stores, before the engine starts, trades of @ages hours ago and
 * opportunities of @opportunity_ages hours ago, one bot, seqs from 1. */
static void
store_history (Fixture *f, const guint *ages, guint n_ages, const guint *opportunity_ages,
               guint n_opportunity_ages)
{
  g_autofree char *db_dir = g_path_get_dirname (f->config->db_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbStore) store = NULL;
  ArbStoreBatch *b = arb_store_batch_new ("old-bot");
  gint64 now = now_ms ();
  gint64 seq = 0;

  g_mkdir_with_parents (db_dir, 0700);
  store = arb_store_open (f->config->db_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_ages; i++, seq++)
    arb_store_batch_add_event (b, stored_trade (seq + 1, now - ages[i] * 3600000), seq + 1);
  for (guint i = 0; i < n_opportunity_ages; i++, seq++)
    arb_store_batch_add_event (b, stored_opportunity (seq + 1,
                                                      now - opportunity_ages[i] * 3600000),
                               seq + 1);
  arb_store_batch_set_last_seq (b, 0, seq);
  arb_store_submit (store, b, NULL, NULL);
  /* commits what is queued */
  arb_store_close (store);
}


/* The engine deletes what is older than the retention at start, so that
 * neither the store nor the ledger's "all" has it; a shorter retention set
 * later prunes a moment after. */
static void
test_retention (Fixture *f, gconstpointer data)
{
  /* hours ago: 3 days (gone with 2 days), 36 h (gone with 1 day), 1 h (kept) */
  static const guint trade_ages[] = { 72, 72, 72, 72, 72, 36, 36, 36, 1, 1 };
  static const guint opportunity_ages[] = { 72, 72, 1 };
  const char *path = f->config->db_path;
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cut_2d = NULL;
  g_autofree char *cut_1d = NULL;

  store_history (f, trade_ages, G_N_ELEMENTS (trade_ages), opportunity_ages,
                 G_N_ELEMENTS (opportunity_ages));
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, 10);
  engine_messages = messages;

  f->config->retention_days = 2;
  start_engine (f, FALSE, FALSE);
  g_assert_cmpuint (arb_engine_get_retention_days (f->engine), ==, 2);
  WAIT_UNTIL (arb_engine_is_ledger_ready (f->engine) && messages->len == 1);
  g_assert_cmpstr (messages->pdata[0], ==, "Deleted 7 rows older than 2 days: 5 trades, "
                                           "2 opportunities, 0 logs, 0 commands, 0 alerts");
  cut_2d = g_strdup_printf ("SELECT count(*) FROM trades WHERE ts < %" G_GINT64_FORMAT,
                            now_ms () - 2 * 86400000);
  g_assert_cmpint (sql_int (path, cut_2d), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, 5);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM opportunities"), ==, 1);
  /* the ledger was rebuilt from the kept rows only, and says so on the hub */
  g_assert_cmpuint (ledger_trades (f->engine), ==, 5);
  g_assert_cmpuint (ledger_opportunities (f->engine), ==, 1);
  g_assert_cmpint (summary_trades (f->engine), ==, 5);

  /* the same value again changes nothing; a shorter one prunes soon */
  arb_engine_set_retention_days (f->engine, 2);
  arb_engine_set_retention_days (f->engine, 1);
  g_assert_cmpuint (arb_engine_get_retention_days (f->engine), ==, 1);
  g_assert_cmpuint (arb_engine_get_config (f->engine)->retention_days, ==, 1);
  WAIT_UNTIL (messages->len == 2);
  g_assert_cmpstr (messages->pdata[1], ==, "Deleted 3 rows older than 1 day: 3 trades, "
                                           "0 opportunities, 0 logs, 0 commands, 0 alerts");
  cut_1d = g_strdup_printf ("SELECT count(*) FROM trades WHERE ts < %" G_GINT64_FORMAT,
                            now_ms () - 86400000);
  g_assert_cmpint (sql_int (path, cut_1d), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, 2);
  /* the running ledger keeps what it counted: only the next start forgets it */
  g_assert_cmpuint (ledger_trades (f->engine), ==, 5);
  stop_engine (f);
  engine_messages = NULL;
  g_ptr_array_unref (messages);

  start_engine (f, FALSE, FALSE);
  WAIT_UNTIL (arb_engine_is_ledger_ready (f->engine));
  g_assert_cmpuint (ledger_trades (f->engine), ==, 2);
  g_assert_cmpuint (ledger_opportunities (f->engine), ==, 1);
  stop_engine (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_capture_log ("arb-engine", G_LOG_LEVEL_MESSAGE, &engine_messages);

  g_test_add ("/arb/engine/run", Fixture, NULL, fixture_setup, test_run, fixture_teardown);
  g_test_add ("/arb/engine/restart", Fixture, NULL, fixture_setup, test_restart,
              fixture_teardown);
  g_test_add ("/arb/engine/bad-database", Fixture, NULL, fixture_setup, test_bad_database,
              fixture_teardown);
  g_test_add ("/arb/engine/broken-tables", Fixture, NULL, fixture_setup, test_broken_tables,
              fixture_teardown);
  g_test_add ("/arb/engine/warnings", Fixture, NULL, fixture_setup, test_warnings,
              fixture_teardown);
  g_test_add ("/arb/engine/retention", Fixture, NULL, fixture_setup, test_retention,
              fixture_teardown);

  return g_test_run ();
}
