/* test-store.c: SQLite storage: schema, batches, seq continuity, group commit, queries, replay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "arb-hub.h"
#include "arb-store.h"
#include "arb-store-private.h"

#define T0 G_GINT64_CONSTANT (1700000000000)

typedef struct
{
  char     *dir;
  char     *path;
  ArbStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("arb-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "arbdash.db", NULL);
  f->store = arb_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (f->store != NULL)
    arb_store_close (f->store);
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static void
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  arb_store_close (f->store);
  g_clear_object (&f->store);
  f->store = arb_store_open (f->path, &error);
  g_assert_no_error (error);
}

/* ---------------------------------------------------------------- helpers */


/* The outcome of one batch. */
typedef struct
{
  gboolean  called;
  GError   *error;
  gint64    last_seq;
} Outcome;

static void
on_done (ArbStoreBatch *batch, const GError *error, gpointer data)
{
  Outcome *o = data;

  g_assert_false (o->called);
  o->called = TRUE;
  o->error = error != NULL ? g_error_copy (error) : NULL;
  o->last_seq = arb_store_batch_get_last_seq (batch);
}

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
  o->called = FALSE;
}

static void
submit_and_wait (ArbStore *store, ArbStoreBatch *batch)
{
  Outcome o = { 0 };

  arb_store_submit (store, batch, on_done, &o);
  WAIT_UNTIL (o.called);
  g_assert_no_error (o.error);
}


static ArbEvent *
make_trade (gint64 seq, gint64 ts, const char *pair, const char *status, double profit)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                     ",\"id\":\"t-%" G_GINT64_FORMAT "\",\"pair\":\"%s\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"status\":\"%s\",\"profit\":%.2f}",
                     seq, ts, seq, pair, status, profit);

  return test_event_from_json (json);
}

static ArbEvent *
make_opportunity (gint64 seq, gint64 ts, gboolean taken)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"opportunity\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                     G_GINT64_FORMAT ",\"pair\":\"WETH/USDC\",\"buy_venue\":\"uniswap\","
                     "\"sell_venue\":\"curve\",\"spread_bps\":12.5,\"expected_profit\":3.25,"
                     "\"taken\":%s%s}", seq, ts, taken ? "true" : "false",
                     taken ? "" : ",\"reason\":\"gas too high\"");

  return test_event_from_json (json);
}

static ArbEvent *
make_log (gint64 seq, gint64 ts, const char *message)
{
  g_autofree char *json =
    g_strdup_printf ("{\"type\":\"log\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT
                     ",\"level\":\"warning\",\"message\":\"%s\",\"component\":\"rpc\"}",
                     seq, ts, message);

  return test_event_from_json (json);
}

/* A batch of @n trades of @bot with seqs from @first, continuing @prev. */
static ArbStoreBatch *
trade_batch (const char *bot, gint64 prev, gint64 first, guint n, gint64 ts)
{
  ArbStoreBatch *b = arb_store_batch_new (bot);

  for (guint i = 0; i < n; i++)
    arb_store_batch_add_event (b, make_trade (first + i, ts + i, "WETH/USDC", "filled", 1.5),
                               1000 + first + i);
  arb_store_batch_set_last_seq (b, prev, first + n - 1);
  return b;
}

static JsonNode *
query (ArbStore *store, const ArbTradeQuery *q)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = test_trade_page_json (arb_store_query_trades (store, q, &error));
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  g_assert_nonnull (text);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static JsonArray *
trades_of (JsonNode *root)
{
  return json_object_get_array_member (json_node_get_object (root), "trades");
}

static const char *
next_cursor (JsonNode *root)
{
  return json_object_get_string_member_with_default (json_node_get_object (root), "next_cursor",
                                                     NULL);
}

static guint
count_trades (ArbStore *store, const ArbTradeQuery *q)
{
  g_autoptr(JsonNode) root = query (store, q);

  return json_array_get_length (trades_of (root));
}

/* Runs one SQL statement on a connection of our own; returns the first
 * column of the first row as an integer. */
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

static void
sql_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
  sqlite3_close (db);
}

/* ---------------------------------------------------------------- open and schema */

static void
test_open_creates (Fixture *f, gconstpointer data)
{
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (arb_store_get_path (f->store), ==, f->path);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, ARB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                     " AND name IN ('meta','bots','trades','opportunities','logs',"
                                     "'commands','series')"), ==, 7);
  /* WAL: readers beside the writer */
  g_assert_true (g_file_test (f->path, G_FILE_TEST_EXISTS));
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;

    sqlite3_open (f->path, &db);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &s, NULL);
    g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (s, 0), ==, "wal");
    sqlite3_finalize (s);
    sqlite3_close (db);
  }
  g_assert_cmpuint (arb_store_get_queue_length (f->store), ==, 0);
}

static void
test_reopen_noop (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 0;

  g_assert_true (arb_store_set_meta_now (f->store, "k", 5, &error));
  reopen (f);
  reopen (f);
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, ARB_STORE_SCHEMA_VERSION);
  g_assert_true (arb_store_get_meta (f->store, "k", &v));
  g_assert_cmpint (v, ==, 5);
}

static void
test_newer_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA user_version = %d",
                                          ARB_STORE_SCHEMA_VERSION + 1);
  g_autoptr(ArbStore) store = NULL;

  arb_store_close (f->store);
  g_clear_object (&f->store);
  sql_exec (f->path, sql);
  store = arb_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "newer"));
  /* refused, not touched */
  g_assert_cmpint (sql_int (f->path, "PRAGMA user_version"), ==, ARB_STORE_SCHEMA_VERSION + 1);
}

static void
test_migration_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "clash.db", NULL);
  g_autoptr(ArbStore) store = NULL;

  /* a version-0 file that already has a table of ours: the migration cannot run */
  sql_exec (path, "CREATE TABLE meta (x TEXT)");
  store = arb_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "version 1"));
  /* rolled back as a whole: still version 0, no half schema */
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_master WHERE name = 'trades'"),
                   ==, 0);
}

/* The schema of version 1 as released: a file written by that arbdash. */
static const char *schema_v1 =
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE bots (bot_id TEXT PRIMARY KEY, name TEXT, version TEXT, strategy TEXT,"
  " quote TEXT, commands TEXT, last_seq INTEGER NOT NULL DEFAULT 0,"
  " last_seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
  "CREATE TABLE trades (row INTEGER PRIMARY KEY, bot_id TEXT NOT NULL, seq INTEGER NOT NULL,"
  " hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, id TEXT NOT NULL, pair TEXT NOT NULL,"
  " buy_venue TEXT NOT NULL, sell_venue TEXT NOT NULL, status TEXT NOT NULL,"
  " profit REAL NOT NULL, chain TEXT, amount_in TEXT, amount_out TEXT, gas_used INTEGER,"
  " gas_price_gwei REAL, gas_cost REAL, fees REAL, latency_ms REAL, tx_hash TEXT,"
  " UNIQUE (bot_id, seq));"
  "CREATE INDEX trades_bot_ts ON trades (bot_id, ts, row);"
  "CREATE INDEX trades_ts ON trades (ts, row);"
  "CREATE TABLE opportunities (row INTEGER PRIMARY KEY, bot_id TEXT NOT NULL,"
  " seq INTEGER NOT NULL, hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, pair TEXT NOT NULL,"
  " buy_venue TEXT NOT NULL, sell_venue TEXT NOT NULL, spread_bps REAL NOT NULL,"
  " expected_profit REAL NOT NULL, taken INTEGER NOT NULL, reason TEXT, UNIQUE (bot_id, seq));"
  "CREATE INDEX opportunities_ts ON opportunities (ts);"
  "CREATE TABLE logs (row INTEGER PRIMARY KEY, bot_id TEXT, seq INTEGER,"
  " hub_seq INTEGER NOT NULL, ts INTEGER NOT NULL, level TEXT NOT NULL, component TEXT,"
  " message TEXT NOT NULL);"
  "CREATE INDEX logs_ts ON logs (ts);"
  "CREATE TABLE commands (id TEXT PRIMARY KEY, bot_id TEXT NOT NULL, name TEXT NOT NULL,"
  " args TEXT NOT NULL, role TEXT, token_name TEXT, created INTEGER NOT NULL,"
  " finished INTEGER, status TEXT NOT NULL, message TEXT, hub_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX commands_created ON commands (created);"
  "CREATE TABLE series (name TEXT NOT NULL, tier INTEGER NOT NULL, data BLOB NOT NULL,"
  " PRIMARY KEY (name, tier)) WITHOUT ROWID;"
  "INSERT INTO bots (bot_id, name, last_seq) VALUES ('old-bot', 'Old', 7);"
  "INSERT INTO trades (bot_id, seq, hub_seq, ts, id, pair, buy_venue, sell_venue, status,"
  " profit) VALUES ('old-bot', 7, 70, 1700000000000, 't-7', 'A/B', 'x', 'y', 'filled', 2.5);"
  "PRAGMA user_version = 1;";

static void
test_migrate_from_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "v1.db", NULL);
  g_autoptr(ArbStore) store = NULL;
  g_autoptr(GPtrArray) bots = NULL;
  g_autoptr(GPtrArray) items = NULL;
  ArbTradeQuery q;

  sql_exec (path, schema_v1);
  store = arb_store_open (path, &error);
  g_assert_no_error (error);
  /* upgraded step by step to the current version, the old rows kept */
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, ARB_STORE_SCHEMA_VERSION);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_master WHERE name IN"
                                  " ('trades_hub_seq','alerts')"), ==, 2);
  bots = arb_store_load_bots (store, &error);
  g_assert_cmpuint (bots->len, ==, 1);
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[0])->last_seq, ==, 7);
  arb_trade_query_init (&q);
  g_assert_cmpuint (count_trades (store, &q), ==, 1);
  /* and the new features work on the old rows */
  items = arb_store_query_items (store, 0, 100, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (((ArbHubItem *) items->pdata[0])->seq, ==, 70);
  arb_store_close (store);
}

/* Versions 2 and 3 as released, over version 1: a file written by the
 * arbdash before the trade history could be sorted. */
static const char *schema_v2_v3 =
  "CREATE INDEX trades_hub_seq ON trades (hub_seq);"
  "CREATE INDEX opportunities_hub_seq ON opportunities (hub_seq);"
  "CREATE INDEX logs_hub_seq ON logs (hub_seq);"
  "CREATE INDEX commands_hub_seq ON commands (hub_seq);"
  "CREATE TABLE alerts (id TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT NOT NULL,"
  " severity TEXT NOT NULL, message TEXT NOT NULL, value REAL, threshold REAL,"
  " raised INTEGER NOT NULL, cleared INTEGER, hub_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX alerts_raised ON alerts (raised);"
  "CREATE INDEX alerts_hub_seq ON alerts (hub_seq);"
  "INSERT INTO trades (bot_id, seq, hub_seq, ts, id, pair, buy_venue, sell_venue, status,"
  " profit, gas_cost) VALUES"
  " ('old-bot', 8, 80, 1700000001000, 't-8', 'C/D', 'x', 'y', 'failed', -1.5, NULL),"
  " ('old-bot', 9, 90, 1700000002000, 't-9', 'A/B', 'x', 'y', 'filled', 4.0, 0.5);"
  "UPDATE bots SET last_seq = 9;"
  "PRAGMA user_version = 3;";

/* The seqs of the trades of a query of the old file, in its order. */
static char *
old_seqs (ArbStore *store, ArbTradeSort sort, gboolean ascending)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *trades;
  ArbTradeQuery q;

  arb_trade_query_init (&q);
  q.sort = sort;
  q.ascending = ascending;
  root = query (store, &q);
  trades = trades_of (root);
  for (guint i = 0; i < json_array_get_length (trades); i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            json_object_get_int_member (json_array_get_object_element (trades, i),
                                                        "seq"));
  arb_trade_query_clear (&q);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Rows written by an older arbdash (no gas cost, say) sort like new ones. */
static void
test_sort_v3_rows (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "v3.db", NULL);
  g_autoptr(ArbStore) store = NULL;
  g_autofree char *by_gas = NULL;
  g_autofree char *by_profit = NULL;
  g_autofree char *by_pair = NULL;
  g_autofree char *newest = NULL;

  sql_exec (path, schema_v1);
  sql_exec (path, schema_v2_v3);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM trades"), ==, 3);
  store = arb_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, "PRAGMA user_version"), ==, ARB_STORE_SCHEMA_VERSION);
  /* no gas cost is below any */
  by_gas = old_seqs (store, ARB_TRADE_SORT_GAS_COST, FALSE);
  g_assert_cmpstr (by_gas, ==, "9,8,7");
  by_profit = old_seqs (store, ARB_TRADE_SORT_PROFIT, TRUE);
  g_assert_cmpstr (by_profit, ==, "8,7,9");
  by_pair = old_seqs (store, ARB_TRADE_SORT_PAIR, TRUE);
  g_assert_cmpstr (by_pair, ==, "7,9,8");
  newest = old_seqs (store, ARB_TRADE_SORT_TIME, FALSE);
  g_assert_cmpstr (newest, ==, "9,8,7");
  arb_store_close (store);
}

static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbStore) store = arb_store_open ("/nonexistent-arbdash-dir/sub/x.db", &error);

  g_assert_null (store);
  g_assert_error (error, ARB_ERROR, ARB_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "/nonexistent-arbdash-dir/sub/x.db"));
}

static void
test_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "junk.db", NULL);
  g_autoptr(ArbStore) store = NULL;

  g_file_set_contents (path, "this is certainly not an SQLite file, it is text and more text "
                             "and then some more so that the header is long enough", -1, NULL);
  store = arb_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  g_assert_true (error->domain == ARB_ERROR);
  remove_dir (dir);
}

/* The database holds trading data: readable by its owner only, whatever the
 * umask, and so are the -wal and -shm files SQLite makes beside it. */
static void
test_private_files (void)
{
  static const char *suffixes[] = { "", "-wal", "-shm" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "fresh.db", NULL);
  g_autoptr(ArbStore) store = NULL;
  mode_t saved = umask (022);

  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  store = arb_store_open (path, &error);
  umask (saved);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (file, &st), ==, 0);
      if ((st.st_mode & 0077) != 0)
        g_error ("%s has mode %04o, not 0600", file, (guint) (st.st_mode & 07777));
    }
  arb_store_close (store);
  remove_dir (dir);
}

/* ---------------------------------------------------------------- batches */

static void
test_batch_accessors (void)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  ArbStoreBatch *empty = arb_store_batch_new (NULL);
  char *commands[] = { (char *) "pause", NULL };
  ArbHello hello = { { (char *) "bot-a", (char *) "A", NULL, NULL, (char *) "USD", commands }, -1 };
  g_autoptr(ArbCommand) cmd = arb_command_new ("c1", "bot-a", "pause", "{}", "operator", NULL, 1);
  g_autoptr(GBytes) blob = g_bytes_new_static ("xyz", 3);
  gint64 hub_seq = 0;
  ArbEvent *e;

  g_assert_cmpstr (arb_store_batch_get_bot_id (b), ==, "bot-a");
  g_assert_null (arb_store_batch_get_bot_id (empty));
  g_assert_true (arb_store_batch_is_empty (b));
  g_assert_true (arb_store_batch_is_empty (empty));
  g_assert_cmpuint (arb_store_batch_get_n_events (b), ==, 0);
  g_assert_cmpint (arb_store_batch_get_last_seq (b), ==, 0);

  arb_store_batch_add_event (b, make_trade (1, T0, "A/B", "filled", 1), 11);
  arb_store_batch_add_event (b, make_log (2, T0, "hi"), 12);
  g_assert_false (arb_store_batch_is_empty (b));
  g_assert_cmpuint (arb_store_batch_get_n_events (b), ==, 2);
  e = arb_store_batch_get_event (b, 1, &hub_seq);
  g_assert_cmpint (e->type, ==, ARB_MSG_LOG);
  g_assert_cmpint (hub_seq, ==, 12);
  e = arb_store_batch_get_event (b, 0, NULL);
  g_assert_cmpint (e->type, ==, ARB_MSG_TRADE);

  /* a second set_last_seq extends the range; the first prev stays */
  arb_store_batch_set_last_seq (b, 0, 1);
  arb_store_batch_set_last_seq (b, 1, 2);
  g_assert_cmpint (arb_store_batch_get_last_seq (b), ==, 2);

  /* each kind of content makes a batch non-empty */
  {
    ArbStoreBatch *x = arb_store_batch_new ("bot-a");
    arb_store_batch_set_last_seq (x, 3, 4);
    g_assert_false (arb_store_batch_is_empty (x));
    arb_store_batch_free (x);
    x = arb_store_batch_new ("bot-a");
    arb_store_batch_set_hello (x, &hello, 5);
    arb_store_batch_set_hello (x, &hello, 6);   /* replaces, no leak */
    g_assert_false (arb_store_batch_is_empty (x));
    arb_store_batch_free (x);
    x = arb_store_batch_new (NULL);
    arb_store_batch_put_command (x, cmd);
    g_assert_false (arb_store_batch_is_empty (x));
    arb_store_batch_free (x);
    x = arb_store_batch_new (NULL);
    arb_store_batch_put_series (x, "cpu", 0, blob);
    g_assert_false (arb_store_batch_is_empty (x));
    arb_store_batch_free (x);
    x = arb_store_batch_new (NULL);
    arb_store_batch_set_meta (x, "k", 1);
    arb_store_batch_set_meta (x, "k2", 2);
    g_assert_false (arb_store_batch_is_empty (x));
    arb_store_batch_free (x);
  }
  arb_store_batch_free (b);
  arb_store_batch_free (empty);
  arb_store_batch_free (NULL);
}

static void
test_batch_bad_seq_range (void)
{
  if (g_test_subprocess ())
    {
      ArbStoreBatch *b = arb_store_batch_new ("bot-a");
      arb_store_batch_set_last_seq (b, 5, 5);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*last_seq > prev_seq*");
}

/* ---------------------------------------------------------------- round trips */

static const char *full_trade =
  "{\"type\":\"trade\",\"seq\":1,\"ts\":1700000000123,\"id\":\"tx-1\",\"pair\":\"WETH/USDC\","
  "\"buy_venue\":\"uniswap\",\"sell_venue\":\"sushiswap\",\"status\":\"reverted\","
  "\"profit\":-3.75,\"chain\":\"ethereum\",\"amount_in\":\"123456789012345678901234567890\","
  "\"amount_out\":\"123456789012345678901234567891\",\"gas_used\":210000,"
  "\"gas_price_gwei\":31.5,\"gas_cost\":4.25,\"fees\":0.3,\"latency_ms\":850.5,"
  "\"tx_hash\":\"0xabc\\\"def\"}";

static void
test_trade_round_trip (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  ArbTradeQuery q;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *want, *got;
  g_autoptr(GList) members = NULL;

  arb_store_batch_add_event (b, test_event_from_json (full_trade), 500);
  /* a minimal trade: every optional field absent */
  arb_store_batch_add_event (b, make_trade (2, T0 + 1000, "WBTC/USDT", "filled", 0.5), 501);
  arb_store_batch_set_last_seq (b, 0, 2);
  submit_and_wait (f->store, b);

  arb_trade_query_init (&q);
  root = query (f->store, &q);
  g_assert_cmpuint (json_array_get_length (trades_of (root)), ==, 2);
  g_assert_null (next_cursor (root));
  g_assert_true (json_object_get_null_member (json_node_get_object (root), "next_cursor"));

  /* newest first: the minimal trade, then the full one */
  got = json_array_get_object_element (trades_of (root), 0);
  g_assert_cmpstr (json_object_get_string_member (got, "id"), ==, "t-2");
  g_assert_cmpstr (json_object_get_string_member (got, "bot_id"), ==, "bot-a");
  g_assert_false (json_object_has_member (got, "gas_used"));
  g_assert_false (json_object_has_member (got, "gas_cost"));
  g_assert_false (json_object_has_member (got, "chain"));
  g_assert_false (json_object_has_member (got, "tx_hash"));
  g_assert_false (json_object_has_member (got, "latency_ms"));

  /* every field of the full trade comes back as it was sent */
  got = json_array_get_object_element (trades_of (root), 1);
  json_parser_load_from_data (parser, full_trade, -1, NULL);
  want = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (want);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *w = json_object_get_member (want, l->data);
      JsonNode *g = json_object_get_member (got, l->data);

      if (g_str_equal (l->data, "type"))
        continue;
      g_assert_nonnull (g);
      if (json_node_get_value_type (w) == G_TYPE_DOUBLE)
        g_assert_cmpfloat (json_node_get_double (w), ==, json_node_get_double (g));
      else
        g_assert_true (json_node_equal (w, g));
    }
  g_assert_cmpuint (json_object_get_size (got), ==, json_object_get_size (want));
  g_assert_cmpint (sql_int (f->path, "SELECT hub_seq FROM trades WHERE seq = 1"), ==, 500);
  arb_trade_query_clear (&q);
}

static void
test_opportunities_and_logs (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  ArbEvent *heartbeat = test_event_from_json ("{\"type\":\"heartbeat\",\"seq\":4,\"ts\":1700000000000,"
                                    "\"state\":\"running\"}");
  ArbEvent *log_no_seq = make_log (5, T0, "x");
  ArbTradeQuery q;

  log_no_seq->seq = 0;   /* dashboard logs carry no bot seq */
  arb_store_batch_add_event (b, make_opportunity (1, T0, TRUE), 10);
  arb_store_batch_add_event (b, make_opportunity (2, T0 + 1, FALSE), 11);
  /* the message is JSON-escaped text here */
  arb_store_batch_add_event (b, make_log (3, T0 + 2, "quote \\\"x\\\" failed"), 12);
  /* events that are not kept in tables pass through without a row */
  arb_store_batch_add_event (b, heartbeat, 13);
  arb_store_batch_add_event (b, log_no_seq, 14);
  arb_store_batch_set_last_seq (b, 0, 5);
  submit_and_wait (f->store, b);

  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM opportunities"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT taken FROM opportunities WHERE seq = 1"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM opportunities WHERE seq = 2 AND"
                                     " taken = 0 AND reason = 'gas too high' AND spread_bps = 12.5"
                                     " AND expected_profit = 3.25"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM logs"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM logs WHERE seq = 3 AND"
                                     " level = 'warning' AND component = 'rpc' AND"
                                     " message = 'quote \"x\" failed' AND hub_seq = 12"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM logs WHERE seq IS NULL"), ==, 1);
  arb_trade_query_init (&q);
  g_assert_cmpuint (count_trades (f->store, &q), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT last_seq FROM bots WHERE bot_id = 'bot-a'"), ==, 5);
}

static void
test_duplicates_ignored (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = trade_batch ("bot-a", 0, 1, 3, T0);
  ArbTradeQuery q;

  submit_and_wait (f->store, b);
  /* the same (bot, seq) again is not stored twice; another bot's seq 1 is its own */
  b = arb_store_batch_new ("bot-a");
  arb_store_batch_add_event (b, make_trade (2, T0 + 50, "X/Y", "failed", -1), 1);
  arb_store_batch_add_event (b, make_trade (4, T0 + 60, "X/Y", "failed", -1), 2);
  arb_store_batch_set_last_seq (b, 3, 4);
  submit_and_wait (f->store, b);
  submit_and_wait (f->store, trade_batch ("bot-b", 0, 1, 1, T0));

  arb_trade_query_init (&q);
  g_assert_cmpuint (count_trades (f->store, &q), ==, 5);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades WHERE pair = 'X/Y'"), ==, 1);
}

/* ---------------------------------------------------------------- queries */

static void
fill_for_filters (Fixture *f)
{
  ArbStoreBatch *a = arb_store_batch_new ("bot-a");
  ArbStoreBatch *b = arb_store_batch_new ("bot-b");

  /* bot-a: 6 trades, one per second from T0; bot-b: 4 trades at the same seconds */
  arb_store_batch_add_event (a, make_trade (1, T0 + 0, "WETH/USDC", "filled", 1), 1);
  arb_store_batch_add_event (a, make_trade (2, T0 + 1000, "WETH/USDC", "failed", -1), 2);
  arb_store_batch_add_event (a, make_trade (3, T0 + 2000, "WBTC/USDC", "filled", 2), 3);
  arb_store_batch_add_event (a, make_trade (4, T0 + 3000, "WBTC/USDC", "reverted", -2), 4);
  arb_store_batch_add_event (a, make_trade (5, T0 + 4000, "WETH/USDC", "filled", 3), 5);
  arb_store_batch_add_event (a, make_trade (6, T0 + 5000, "WETH/USDC", "filled", 4), 6);
  arb_store_batch_set_last_seq (a, 0, 6);
  arb_store_batch_add_event (b, make_trade (1, T0 + 0, "WETH/USDC", "filled", 1), 7);
  arb_store_batch_add_event (b, make_trade (2, T0 + 1000, "WBTC/USDC", "failed", -1), 8);
  arb_store_batch_add_event (b, make_trade (3, T0 + 2000, "WETH/USDC", "filled", 1), 9);
  arb_store_batch_add_event (b, make_trade (4, T0 + 3000, "WETH/USDC", "reverted", -1), 10);
  arb_store_batch_set_last_seq (b, 0, 4);
  arb_store_submit (f->store, a, NULL, NULL);
  arb_store_submit (f->store, b, NULL, NULL);
  arb_store_flush (f->store);
}

static void
test_query_filters (Fixture *f, gconstpointer data)
{
  ArbTradeQuery q;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *trades;
  gint64 prev_ts = G_MAXINT64;

  fill_for_filters (f);

  arb_trade_query_init (&q);
  g_assert_cmpint (q.status, ==, -1);
  g_assert_cmpuint (q.limit, ==, 100);
  g_assert_cmpuint (count_trades (f->store, &q), ==, 10);

  /* newest first; ties on ts by insertion, newest row first */
  root = query (f->store, &q);
  trades = trades_of (root);
  for (guint i = 0; i < json_array_get_length (trades); i++)
    {
      gint64 ts = json_object_get_int_member (json_array_get_object_element (trades, i), "ts");
      g_assert_cmpint (ts, <=, prev_ts);
      prev_ts = ts;
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (trades, 0),
                                                  "bot_id"), ==, "bot-a");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (trades, 0), "seq"),
                   ==, 6);
  /* at T0 + 3000 both bots: bot-b's row is newer */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (trades, 2),
                                                  "bot_id"), ==, "bot-b");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (trades, 3),
                                                  "bot_id"), ==, "bot-a");

  q.bot_id = g_strdup ("bot-b");
  g_assert_cmpuint (count_trades (f->store, &q), ==, 4);
  q.pair = g_strdup ("WETH/USDC");
  g_assert_cmpuint (count_trades (f->store, &q), ==, 3);
  q.status = ARB_TRADE_REVERTED;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 1);
  arb_trade_query_clear (&q);
  g_assert_null (q.bot_id);
  g_assert_null (q.pair);

  arb_trade_query_init (&q);
  q.status = ARB_TRADE_FILLED;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 6);
  q.status = ARB_TRADE_FAILED;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 2);
  q.status = -1;

  /* after and before are exclusive */
  q.after = T0 + 1000;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 6);
  q.before = T0 + 3000;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 2);
  q.after = T0 + 5000;
  q.before = G_MAXINT64;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 0);
  q.after = G_MININT64;
  q.before = T0;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 0);
  q.before = T0 + 1;
  g_assert_cmpuint (count_trades (f->store, &q), ==, 2);

  /* limit, with a cursor to go on */
  arb_trade_query_init (&q);
  q.limit = 3;
  {
    g_autoptr(JsonNode) page = query (f->store, &q);
    g_assert_cmpuint (json_array_get_length (trades_of (page)), ==, 3);
    g_assert_nonnull (next_cursor (page));
  }
  q.limit = 10;
  {
    /* exactly as many as there are: no next page */
    g_autoptr(JsonNode) page = query (f->store, &q);
    g_assert_cmpuint (json_array_get_length (trades_of (page)), ==, 10);
    g_assert_null (next_cursor (page));
  }
  q.bot_id = g_strdup ("nobody");
  g_assert_cmpuint (count_trades (f->store, &q), ==, 0);
  arb_trade_query_clear (&q);
}

static void
test_paging (Fixture *f, gconstpointer data)
{
  const guint n = 2500;
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *seqs = g_new (gint64, n);
  g_autofree char *cursor = NULL;
  guint pages = 0, total = 0;
  gint64 expect = n;

  /* many trades share a ts: the cursor must split ties without dups or gaps */
  for (guint i = 1; i <= n; i++)
    arb_store_batch_add_event (b, make_trade (i, T0 + (i / 7) * 1000, "WETH/USDC", "filled", 1),
                               i);
  arb_store_batch_set_last_seq (b, 0, n);
  submit_and_wait (f->store, b);

  do
    {
      ArbTradeQuery q;
      g_autoptr(JsonNode) page = NULL;
      JsonArray *trades;

      arb_trade_query_init (&q);
      q.limit = 1000;
      if (cursor != NULL)
        g_assert_true (arb_trade_query_set_cursor (&q, cursor));
      page = query (f->store, &q);
      trades = trades_of (page);
      for (guint i = 0; i < json_array_get_length (trades); i++)
        {
          gint64 seq = json_object_get_int_member (json_array_get_object_element (trades, i),
                                                   "seq");
          /* rows were inserted in seq order with non-decreasing ts: newest first is
           * exactly descending seq */
          g_assert_cmpint (seq, ==, expect);
          expect--;
          seqs[total] = seq;
          g_assert_false (g_hash_table_contains (seen, &seqs[total]));
          g_hash_table_add (seen, &seqs[total]);
          total++;
        }
      g_clear_pointer (&cursor, g_free);
      cursor = g_strdup (next_cursor (page));
      pages++;
      g_assert_cmpuint (pages, <=, 3);
      arb_trade_query_clear (&q);
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (total, ==, n);
  g_assert_cmpint (expect, ==, 0);
}

static void
test_cursor (void)
{
  static const gint64 values[][2] = {
    { 0, 1 }, { T0, 42 }, { -5, 7 }, { G_MAXINT64, G_MAXINT64 }, { G_MININT64, 1 },
  };
  static const char *bad[] = { "", "abc$", "a b", "a+b", "a/b", "a=", "!!!!", "AAAA", "é" };
  ArbTradeQuery q;

  arb_trade_query_init (&q);
  g_assert_false (q.has_cursor);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *c = arb_trade_cursor_encode (values[i][0], values[i][1]);

      /* URL-safe: nothing to escape in a query string */
      for (const char *p = c; *p != '\0'; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
      g_assert_true (arb_trade_query_set_cursor (&q, c));
      g_assert_true (q.has_cursor);
      g_assert_cmpint (q.cursor_ts, ==, values[i][0]);
      g_assert_cmpint (q.cursor_row, ==, values[i][1]);
    }
  /* opaque to clients, but plain base64url of "v1:TS:ROW" underneath */
  g_assert_true (arb_trade_query_set_cursor (&q, "djE6MTox"));
  g_assert_cmpint (q.cursor_ts, ==, 1);
  g_assert_cmpint (q.cursor_row, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ArbTradeQuery fresh;

      arb_trade_query_init (&fresh);
      g_assert_false (arb_trade_query_set_cursor (&fresh, bad[i]));
      g_assert_false (fresh.has_cursor);
    }

  /* well-formed base64 of the wrong text */
  {
    static const char *texts[] = {
      "v2:1:1", "v1:1", "v1:1:0", "v1:1:-3", "v1:x:1", "v1:1:1x", "v1:1:1:1", "hello", "",
      /* beyond 64 bits (sscanf's undefined behaviour; glibc clamped them), white
       * space: never written by the store (seen reviewing what fuzz-query reaches) */
      "v1:99999999999999999999:1", "v1:1:99999999999999999999", "v1:-99999999999999999999:1",
      "v1: 1:1", "v1:1: 1", "v1:\t1:1",
    };
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        ArbTradeQuery fresh;
        g_autofree char *b64 = g_base64_encode ((const guchar *) texts[i], strlen (texts[i]));
        char *eq = strchr (b64, '=');

        if (eq != NULL)
          *eq = '\0';
        arb_trade_query_init (&fresh);
        if (*b64 != '\0')
          g_assert_false (arb_trade_query_set_cursor (&fresh, b64));
        g_assert_false (fresh.has_cursor);
      }
  }

  /* too long to be one of ours */
  {
    g_autofree char *longer = g_strnfill (65, 'A');
    g_assert_false (arb_trade_query_set_cursor (&q, longer));
  }
  arb_trade_query_clear (&q);
}

/* base64url without padding, as a cursor is */
static char *
b64url (const char *text)
{
  char *b64 = g_base64_encode ((const guchar *) text, strlen (text));

  for (char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return b64;
}

/* Returns: whether the cursor made of @text is taken by a query of @sort */
static gboolean
takes_cursor (ArbTradeSort sort, gboolean ascending, const char *text, ArbTradeQuery *out)
{
  g_autofree char *cursor = b64url (text);
  gboolean ok;

  arb_trade_query_init (out);
  out->sort = sort;
  out->ascending = ascending;
  ok = arb_trade_query_set_cursor (out, cursor);
  g_assert_true (ok == out->has_cursor);
  return ok;
}

static void
test_sort_cursor (void)
{
  static const struct
  {
    ArbTradeSort  sort;
    gboolean      ascending;
    const char   *text;
  } bad[] = {
    /* each order takes only its own cursors */
    { ARB_TRADE_SORT_PROFIT, TRUE, "v2:profit:desc:5:1.5" },
    { ARB_TRADE_SORT_GAS_COST, FALSE, "v2:profit:desc:5:1.5" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v1:5:5" },
    { ARB_TRADE_SORT_TIME, TRUE, "v1:5:5" },
    /* the default order's cursor is v1 only */
    { ARB_TRADE_SORT_TIME, FALSE, "v2:time:desc:5:5" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:0:1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:-1:1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:x:1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:1:nan" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:1:" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:1: 1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:1:1x" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:up:1:1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:1" },
    { ARB_TRADE_SORT_PROFIT, FALSE, "v3:profit:desc:1:1" },
    { ARB_TRADE_SORT_TIME, TRUE, "v2:time:asc:1:1.5" },
  };
  ArbTradeQuery q;

  g_assert_cmpstr (arb_trade_sort_name (ARB_TRADE_SORT_GAS_COST), ==, "gas_cost");
  for (guint i = 0; i < ARB_TRADE_N_SORTS; i++)
    {
      ArbTradeSort sort = ARB_TRADE_N_SORTS;

      g_assert_true (arb_trade_sort_parse (arb_trade_sort_name (i), &sort));
      g_assert_cmpint (sort, ==, i);
    }
  g_assert_false (arb_trade_sort_parse ("Profit", &(ArbTradeSort) { 0 }));
  g_assert_false (arb_trade_sort_parse (NULL, &(ArbTradeSort) { 0 }));

  /* by default newest first */
  arb_trade_query_init (&q);
  g_assert_cmpint (q.sort, ==, ARB_TRADE_SORT_TIME);
  g_assert_false (q.ascending);

  g_assert_true (takes_cursor (ARB_TRADE_SORT_PROFIT, FALSE, "v2:profit:desc:5:-1.25", &q));
  g_assert_cmpint (q.cursor_row, ==, 5);
  g_assert_cmpfloat (q.cursor_number, ==, -1.25);
  arb_trade_query_clear (&q);
  g_assert_true (takes_cursor (ARB_TRADE_SORT_GAS_COST, TRUE, "v2:gas_cost:asc:3:-inf", &q));
  g_assert_true (isinf (q.cursor_number) && q.cursor_number < 0);
  arb_trade_query_clear (&q);
  g_assert_true (takes_cursor (ARB_TRADE_SORT_TIME, TRUE, "v2:time:asc:9:-17", &q));
  g_assert_cmpint (q.cursor_ts, ==, -17);
  g_assert_cmpint (q.cursor_row, ==, 9);
  arb_trade_query_clear (&q);
  /* a text key may hold anything, ':' too */
  g_assert_true (takes_cursor (ARB_TRADE_SORT_PAIR, TRUE, "v2:pair:asc:4:A:B/C é", &q));
  g_assert_cmpstr (q.cursor_text, ==, "A:B/C é");
  /* taking another cursor replaces the text */
  {
    g_autofree char *other = b64url ("v2:pair:asc:5:X");
    g_assert_true (arb_trade_query_set_cursor (&q, other));
    g_assert_cmpstr (q.cursor_text, ==, "X");
    g_assert_cmpint (q.cursor_row, ==, 5);
  }
  arb_trade_query_clear (&q);
  g_assert_null (q.cursor_text);
  g_assert_true (takes_cursor (ARB_TRADE_SORT_STATUS, FALSE, "v2:status:desc:4:", &q));
  g_assert_cmpstr (q.cursor_text, ==, "");
  arb_trade_query_clear (&q);
  /* the default order's cursors are as they always were */
  g_assert_true (takes_cursor (ARB_TRADE_SORT_TIME, FALSE, "v1:1:1", &q));
  arb_trade_query_clear (&q);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (takes_cursor (bad[i].sort, bad[i].ascending, bad[i].text, &q));
      arb_trade_query_clear (&q);
    }
  /* not UTF-8 */
  g_assert_false (takes_cursor (ARB_TRADE_SORT_PAIR, TRUE, "v2:pair:asc:4:\xff", &q));
  arb_trade_query_clear (&q);
  /* too long to be one of ours */
  {
    g_autofree char *key = g_strnfill (20000, 'x');
    g_autofree char *text = g_strconcat ("v2:pair:asc:4:", key, NULL);

    g_assert_false (takes_cursor (ARB_TRADE_SORT_PAIR, TRUE, text, &q));
    arb_trade_query_clear (&q);
  }
}

/* A trade of the sort tests as the test knows it; its row is read back. */
typedef struct
{
  const char *bot;
  gint64      seq;
  gint64      ts;
  const char *pair;
  const char *status;
  double      profit;
  double      gas_cost;  /* NAN: none */
  gint64      row;
} SortTrade;

typedef struct
{
  SortTrade *trades;
  guint      n;
} SortData;

static void
sort_data_free (SortData *d)
{
  g_free (d->trades);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SortData, sort_data_free)

static ArbEvent *
make_sort_trade (const SortTrade *t)
{
  g_autoptr(GString) json = g_string_new (NULL);
  char profit[G_ASCII_DTOSTR_BUF_SIZE];
  char gas[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_printf (json, "{\"type\":\"trade\",\"seq\":%" G_GINT64_FORMAT ",\"ts\":%"
                   G_GINT64_FORMAT ",\"id\":\"t\",\"pair\":\"%s\",\"buy_venue\":\"u\","
                   "\"sell_venue\":\"c\",\"status\":\"%s\",\"profit\":%s", t->seq, t->ts, t->pair,
                   t->status, g_ascii_dtostr (profit, sizeof profit, t->profit));
  if (!isnan (t->gas_cost))
    g_string_append_printf (json, ",\"gas_cost\":%s",
                            g_ascii_dtostr (gas, sizeof gas, t->gas_cost));
  g_string_append_c (json, '}');
  return test_event_from_json (json->str);
}

/* Reads back the row the store gave each of @trades. */
static void
read_rows (const char *path, SortTrade *trades, guint n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT row FROM trades WHERE bot_id = ? AND seq = ?",
                                       -1, &s, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n; i++)
    {
      sqlite3_bind_text (s, 1, trades[i].bot, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 2, trades[i].seq);
      g_assert_cmpint (sqlite3_step (s), ==, SQLITE_ROW);
      trades[i].row = sqlite3_column_int64 (s, 0);
      sqlite3_reset (s);
    }
  sqlite3_finalize (s);
  sqlite3_close (db);
}

/* Stores @n trades of three bots, in small batches so that the bots'
 * rows interleave, with many ties on every key (the gas cost is often
 * missing) and text keys with ':' and non-ASCII letters. */
static SortData *
fill_for_sorting (Fixture *f, guint n, guint first_seq, gint64 ts0)
{
  static const char *bots[] = { "bot-a", "bot-b", "bot:c" };
  static const char *pairs[] = { "WETH/USDC", "WBTC/USDC", "A:B/C", "ÉTH/USDC" };
  static const char *statuses[] = { "filled", "failed", "reverted", "filled" };
  static const double gas[] = { NAN, 0.5, 0.25, 1e-9, 12.75 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7 + first_seq);
  SortData *d = g_new0 (SortData, 1);

  d->n = n;
  d->trades = g_new0 (SortTrade, n);
  for (guint i = 0; i < n; i++)
    {
      SortTrade *t = &d->trades[i];

      t->bot = bots[i % G_N_ELEMENTS (bots)];
      t->seq = first_seq + i / G_N_ELEMENTS (bots);
      /* three trades a second: ties on the time too */
      t->ts = ts0 + (gint64) (i / 3) * 1000;
      t->pair = pairs[g_rand_int_range (rand, 0, G_N_ELEMENTS (pairs))];
      t->status = statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))];
      t->profit = g_rand_int_range (rand, -8, 8) * 0.25;
      t->gas_cost = gas[g_rand_int_range (rand, 0, G_N_ELEMENTS (gas))];
    }
  for (guint i = 0; i < n; i += 12)
    for (guint b = 0; b < G_N_ELEMENTS (bots); b++)
      {
        ArbStoreBatch *batch = arb_store_batch_new (bots[b]);
        gint64 prev = -1, last = 0;

        for (guint j = i + b; j < MIN (i + 12, n); j += G_N_ELEMENTS (bots))
          {
            arb_store_batch_add_event (batch, make_sort_trade (&d->trades[j]), j + 1);
            if (prev < 0)
              prev = d->trades[j].seq - 1;
            last = d->trades[j].seq;
          }
        if (prev >= 0)
          arb_store_batch_set_last_seq (batch, prev, last);
        arb_store_submit (f->store, batch, NULL, NULL);
      }
  arb_store_flush (f->store);
  read_rows (f->path, d->trades, n);
  return d;
}

typedef struct
{
  const char *bot;
  const char *pair;
  int         status;
  gint64      after;
  gint64      before;
} SortFilter;

static gboolean
filter_matches (const SortFilter *filter, const SortTrade *t)
{
  return (filter->bot == NULL || g_str_equal (filter->bot, t->bot)) &&
         (filter->pair == NULL || g_str_equal (filter->pair, t->pair)) &&
         (filter->status < 0 || g_str_equal (arb_trade_status_name (filter->status), t->status)) &&
         t->ts > filter->after && t->ts < filter->before;
}

typedef struct
{
  ArbTradeSort sort;
  gboolean     ascending;
} SortOrder;

static int
compare_numbers (double a, double b)
{
  return a < b ? -1 : a > b ? 1 : 0;
}

/* The order the store must give, worked out here: the key, then the row,
 * a missing gas cost below every cost, text by its bytes (as strcmp). */
static int
compare_sort_trades (gconstpointer a, gconstpointer b, gpointer data)
{
  const SortTrade *x = *(SortTrade * const *) a;
  const SortTrade *y = *(SortTrade * const *) b;
  const SortOrder *order = data;
  int c = 0;

  switch (order->sort)
    {
    case ARB_TRADE_SORT_TIME:
      c = x->ts < y->ts ? -1 : x->ts > y->ts ? 1 : 0;
      break;
    case ARB_TRADE_SORT_PROFIT:
      c = compare_numbers (x->profit, y->profit);
      break;
    case ARB_TRADE_SORT_GAS_COST:
      c = compare_numbers (isnan (x->gas_cost) ? -INFINITY : x->gas_cost,
                           isnan (y->gas_cost) ? -INFINITY : y->gas_cost);
      break;
    case ARB_TRADE_SORT_PAIR:
      c = strcmp (x->pair, y->pair);
      break;
    case ARB_TRADE_SORT_BOT:
      c = strcmp (x->bot, y->bot);
      break;
    case ARB_TRADE_SORT_STATUS:
      c = strcmp (x->status, y->status);
      break;
    case ARB_TRADE_N_SORTS:
    default:
      g_assert_not_reached ();
    }
  if (c == 0)
    c = x->row < y->row ? -1 : x->row > y->row ? 1 : 0;
  return order->ascending ? c : -c;
}

static void
init_sorted_query (ArbTradeQuery *q, const SortFilter *filter, const SortOrder *order,
                   guint limit)
{
  arb_trade_query_init (q);
  q->bot_id = g_strdup (filter->bot);
  q->pair = g_strdup (filter->pair);
  q->status = filter->status;
  q->after = filter->after;
  q->before = filter->before;
  q->sort = order->sort;
  q->ascending = order->ascending;
  q->limit = limit;
}

/* Reads every page of @order and @filter, @limit trades a page, and checks
 * that together they are @d's matching trades in the order worked out. */
static void
check_sorted_pages (Fixture *f, const SortData *d, const SortFilter *filter,
                    const SortOrder *order, guint limit)
{
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autofree char *cursor = NULL;
  guint got = 0, pages = 0;

  for (guint i = 0; i < d->n; i++)
    if (filter_matches (filter, &d->trades[i]))
      g_ptr_array_add (expected, &d->trades[i]);
  g_ptr_array_sort_with_data (expected, compare_sort_trades, (gpointer) order);
  do
    {
      ArbTradeQuery q;
      g_autoptr(JsonNode) page = NULL;
      JsonArray *trades;

      init_sorted_query (&q, filter, order, limit);
      if (cursor != NULL)
        g_assert_true (arb_trade_query_set_cursor (&q, cursor));
      page = query (f->store, &q);
      trades = trades_of (page);
      for (guint i = 0; i < json_array_get_length (trades); i++)
        {
          JsonObject *t = json_array_get_object_element (trades, i);
          const SortTrade *want;

          g_assert_cmpuint (got, <, expected->len);
          want = expected->pdata[got++];
          g_assert_cmpstr (json_object_get_string_member (t, "bot_id"), ==, want->bot);
          g_assert_cmpint (json_object_get_int_member (t, "seq"), ==, want->seq);
        }
      g_clear_pointer (&cursor, g_free);
      cursor = g_strdup (next_cursor (page));
      /* full pages until the last */
      g_assert_cmpuint (json_array_get_length (trades), ==,
                        cursor != NULL ? limit : expected->len - pages * limit);
      pages++;
      arb_trade_query_clear (&q);
    }
  while (cursor != NULL);
  g_assert_cmpuint (got, ==, expected->len);
  g_assert_cmpuint (pages, ==, MAX (1, (expected->len + limit - 1) / limit));
}

static const SortFilter sort_filters[] = {
  { NULL, NULL, -1, G_MININT64, G_MAXINT64 },
  { "bot-a", NULL, -1, G_MININT64, G_MAXINT64 },
  { "bot:c", NULL, -1, G_MININT64, G_MAXINT64 },
  { NULL, "A:B/C", -1, G_MININT64, G_MAXINT64 },
  { NULL, NULL, ARB_TRADE_FAILED, G_MININT64, G_MAXINT64 },
  { "bot-b", "ÉTH/USDC", ARB_TRADE_FILLED, G_MININT64, G_MAXINT64 },
  { NULL, NULL, -1, T0 + 20000, T0 + 71000 },
  { "bot-a", NULL, ARB_TRADE_REVERTED, T0 + 5000, G_MAXINT64 },
  { "nobody", NULL, -1, G_MININT64, G_MAXINT64 },
};

/* Every order, both ways, with filters, paged with small limits, is the
 * order worked out independently. */
static void
test_sort_paging (Fixture *f, gconstpointer data)
{
  g_autoptr(SortData) d = fill_for_sorting (f, 300, 1, T0);

  for (guint s = 0; s < ARB_TRADE_N_SORTS; s++)
    for (guint dir = 0; dir < 2; dir++)
      {
        SortOrder order = { s, dir == 1 };

        for (guint i = 0; i < G_N_ELEMENTS (sort_filters); i++)
          check_sorted_pages (f, d, &sort_filters[i], &order, 7);
        /* one page holds all; a page of one */
        check_sorted_pages (f, d, &sort_filters[0], &order, 1000);
        check_sorted_pages (f, d, &sort_filters[5], &order, 1);
      }
}

/* The trades of @q's pages from @cursor on, as (bot_id, seq) keys. */
static void
read_pages (Fixture *f, const ArbTradeQuery *base, char **cursor, guint n_pages, GPtrArray *keys)
{
  for (guint p = 0; p < n_pages && (p == 0 || *cursor != NULL); p++)
    {
      ArbTradeQuery q = *base;
      g_autoptr(JsonNode) page = NULL;
      JsonArray *trades;

      /* shallow copy: only the cursor fields are ours */
      q.cursor_text = NULL;
      if (*cursor != NULL)
        g_assert_true (arb_trade_query_set_cursor (&q, *cursor));
      page = query (f->store, &q);
      g_free (q.cursor_text);
      trades = trades_of (page);
      for (guint i = 0; i < json_array_get_length (trades); i++)
        {
          JsonObject *t = json_array_get_object_element (trades, i);
          g_ptr_array_add (keys, g_strdup_printf ("%s/%" G_GINT64_FORMAT,
                                                  json_object_get_string_member (t, "bot_id"),
                                                  json_object_get_int_member (t, "seq")));
        }
      g_free (*cursor);
      *cursor = g_strdup (next_cursor (page));
    }
}

/* Trades that arrive between two pages, with keys before, at and past the
 * cursor's, never make a page repeat or skip a trade: the pages go on in
 * the order of all the trades, old and new. */
static void
test_sort_inserts_between_pages (Fixture *f, gconstpointer data)
{
  static const SortOrder orders[] = {
    { ARB_TRADE_SORT_PROFIT, FALSE },
    { ARB_TRADE_SORT_PAIR, TRUE },
    { ARB_TRADE_SORT_GAS_COST, FALSE },
    { ARB_TRADE_SORT_STATUS, TRUE },
    { ARB_TRADE_SORT_TIME, FALSE },
  };
  g_autoptr(SortData) d = fill_for_sorting (f, 120, 1, T0);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) sort_data_free);
  guint next_seq = 41;

  for (guint o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      g_autoptr(GHashTable) rank = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autofree char *cursor = NULL;
      SortData *more;
      guint prev = 0;
      ArbTradeQuery q;

      init_sorted_query (&q, &sort_filters[0], &orders[o], 25);
      read_pages (f, &q, &cursor, 2, keys);
      g_assert_nonnull (cursor);
      /* 30 more trades (10 a bot) of the same keys, at the same times and later */
      more = fill_for_sorting (f, 30, next_seq, T0 + 20000);
      g_ptr_array_add (batches, more);
      next_seq += 10;
      read_pages (f, &q, &cursor, G_MAXUINT, keys);
      g_assert_null (cursor);

      /* where each stored trade comes in the order */
      for (guint i = 0; i < d->n; i++)
        g_ptr_array_add (all, &d->trades[i]);
      for (guint b = 0; b < batches->len; b++)
        for (guint i = 0; i < ((SortData *) batches->pdata[b])->n; i++)
          g_ptr_array_add (all, &((SortData *) batches->pdata[b])->trades[i]);
      g_ptr_array_sort_with_data (all, compare_sort_trades, (gpointer) &orders[o]);
      for (guint i = 0; i < all->len; i++)
        {
          const SortTrade *t = all->pdata[i];
          g_hash_table_insert (rank, g_strdup_printf ("%s/%" G_GINT64_FORMAT, t->bot, t->seq),
                               GUINT_TO_POINTER (i + 1));
        }
      /* strictly onwards: no repeats, nothing out of order */
      for (guint i = 0; i < keys->len; i++)
        {
          guint r = GPOINTER_TO_UINT (g_hash_table_lookup (rank, keys->pdata[i]));

          g_assert_cmpuint (r, >, prev);
          prev = r;
        }
      /* every trade that was there at the start is read, and some new ones past the cursor */
      for (guint i = 0; i < d->n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, d->trades[i].bot,
                                                  d->trades[i].seq);
          gboolean found = FALSE;

          for (guint k = 0; k < keys->len && !found; k++)
            found = g_str_equal (keys->pdata[k], key);
          g_assert_true (found);
        }
      g_assert_cmpuint (keys->len, >, d->n);
      arb_trade_query_clear (&q);
    }
}

/* Whether a line of a query plan reads the index @name. */
static gboolean
plan_uses (const char *line, const char *name)
{
  g_autofree char *word = g_strconcat ("INDEX ", name, NULL);
  const char *at = strstr (line, word);

  return at != NULL && (at[strlen (word)] == ' ' || at[strlen (word)] == '\0');
}

/* The time order, with any filter, is a walk along one index: no sorting.
 * The other orders have no index of their own, but find a bot's trades or a
 * time range through one rather than reading every trade. */
static void
test_sort_plans (Fixture *f, gconstpointer data)
{
  g_autoptr(SortData) d = fill_for_sorting (f, 30, 1, T0);

  for (guint s = 0; s < ARB_TRADE_N_SORTS; s++)
    for (guint dir = 0; dir < 2; dir++)
      for (guint i = 0; i < G_N_ELEMENTS (sort_filters); i++)
        {
          SortOrder order = { s, dir == 1 };
          g_autoptr(GError) error = NULL;
          g_autofree char *plan = NULL;
          g_auto(GStrv) lines = NULL;
          const char *index = NULL;
          gboolean ok = TRUE;
          ArbTradeQuery q;

          init_sorted_query (&q, &sort_filters[i], &order, 100);
          plan = _arb_store_explain_trade_query (f->store, &q, &error);
          g_assert_no_error (error);
          /* for the time order, the index it walks; for the others, one that narrows */
          if (q.bot_id != NULL)
            index = "trades_bot_ts";
          else if (s == ARB_TRADE_SORT_TIME || q.after != G_MININT64 || q.before != G_MAXINT64)
            index = "trades_ts";
          lines = g_strsplit (g_strchomp (plan), "\n", -1);
          if (s == ARB_TRADE_SORT_TIME)
            {
              /* the first page, the ties of a cursor, past its key */
              ok = strstr (plan, "TEMP B-TREE") == NULL && g_strv_length (lines) == 3;
              for (guint l = 0; lines[l] != NULL; l++)
                ok = ok && plan_uses (lines[l], index);
            }
          else if (index != NULL)
            /* searches (by an index, or by row for a cursor's ties), never every trade */
            ok = strstr (plan, "SCAN trades") == NULL && strstr (plan, "SEARCH trades") != NULL;
          if (!ok)
            g_error ("%s %s, filter %u, not along %s:\n%s", arb_trade_sort_name (s),
                     dir ? "asc" : "desc", i, index != NULL ? index : "(any)", plan);
          arb_trade_query_clear (&q);
        }
}

static void
on_query_done (GObject *source, GAsyncResult *result, gpointer data)
{
  char **out = data;
  g_autoptr(GError) error = NULL;

  *out = test_trade_page_json (arb_store_query_trades_finish (ARB_STORE (source), result,
                                                             &error));
  g_assert_no_error (error);
}

static void
test_query_async (Fixture *f, gconstpointer data)
{
  ArbTradeQuery q;
  g_autofree char *async_text = NULL;
  g_autofree char *sync_text = NULL;
  g_autoptr(ArbTradePage) page = NULL;

  fill_for_filters (f);
  arb_trade_query_init (&q);
  q.bot_id = g_strdup ("bot-a");
  q.limit = 4;
  arb_store_query_trades_async (f->store, &q, NULL, on_query_done, &async_text);
  /* the query holds its own copy */
  arb_trade_query_clear (&q);
  WAIT_UNTIL (async_text != NULL);

  arb_trade_query_init (&q);
  q.bot_id = g_strdup ("bot-a");
  q.limit = 4;
  sync_text = test_trade_page_json (arb_store_query_trades (f->store, &q, NULL));
  g_assert_cmpstr (async_text, ==, sync_text);
  g_assert_nonnull (strstr (async_text, "\"next_cursor\":\""));

  /* what the trade list reads: the same page, typed, newest first */
  page = arb_store_query_trades (f->store, &q, NULL);
  g_assert_cmpuint (page->trades->len, ==, 4);
  g_assert_nonnull (page->next_cursor);
  g_assert_nonnull (strstr (sync_text, page->next_cursor));
  for (guint i = 0; i < page->trades->len; i++)
    {
      const ArbStoredEvent *t = g_ptr_array_index (page->trades, i);

      g_assert_cmpstr (t->bot_id, ==, "bot-a");
      g_assert_cmpint (t->event->type, ==, ARB_MSG_TRADE);
      g_assert_true (isnan (t->event->trade.gas_cost));
      g_assert_nonnull (t->event->trade.pair);
      if (i > 0)
        g_assert_cmpint (t->event->ts, <=,
                         ((ArbStoredEvent *) g_ptr_array_index (page->trades, i - 1))->event->ts);
    }
  arb_trade_query_clear (&q);
}

/* ---------------------------------------------------------------- seq continuity */

static void
test_seq_continuity (Fixture *f, gconstpointer data)
{
  Outcome plug = { 0 }, a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
  ArbStoreBatch *pb = arb_store_batch_new (NULL);
  ArbStoreStats before, after;
  ArbTradeQuery q;
  g_autoptr(GPtrArray) bots = NULL;
  sqlite3 *lock = NULL;

  arb_store_get_stats (f->store, &before);

  /* hold the write lock so that everything below queues up and goes in one group */
  g_assert_cmpint (sqlite3_open (f->path, &lock), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  arb_store_batch_set_meta (pb, "plug", 1);
  arb_store_submit (f->store, pb, on_done, &plug);
  g_usleep (50000);

  /* a: 1..3 on 0, fine; b: claims to continue 0 again, a conflict once a committed;
   * c: 4..5 on 3, fine; d: another bot, fine */
  arb_store_submit (f->store, trade_batch ("bot-a", 0, 1, 3, T0), on_done, &a);
  arb_store_submit (f->store, trade_batch ("bot-a", 0, 10, 2, T0 + 100), on_done, &b);
  arb_store_submit (f->store, trade_batch ("bot-a", 3, 4, 2, T0 + 200), on_done, &c);
  arb_store_submit (f->store, trade_batch ("bot-z", 0, 1, 2, T0), on_done, &d);
  g_assert_cmpuint (arb_store_get_queue_length (f->store), ==, 5);
  g_assert_cmpint (sqlite3_exec (lock, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (lock);

  WAIT_UNTIL (plug.called && a.called && b.called && c.called && d.called);
  g_assert_no_error (plug.error);
  g_assert_no_error (a.error);
  g_assert_error (b.error, ARB_ERROR, ARB_ERROR_CONFLICT);
  g_assert_nonnull (strstr (b.error->message, "bot-a"));
  g_assert_no_error (c.error);
  g_assert_no_error (d.error);
  g_assert_cmpint (c.last_seq, ==, 5);

  /* all of it in at most two commits (the plug may have gone alone) */
  arb_store_get_stats (f->store, &after);
  g_assert_cmpuint (after.batches - before.batches, ==, 5);
  g_assert_cmpuint (after.commits - before.commits, <=, 2);
  g_assert_cmpuint (after.errors, ==, before.errors);
  /* the failed batch's rows are not counted as written */
  g_assert_cmpuint (after.rows - before.rows, ==, 3 + 2 + 2);

  /* b stored nothing: neither its trades nor its seq */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades WHERE bot_id = 'bot-a'"), ==, 5);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades WHERE seq >= 10"), ==, 0);
  arb_trade_query_init (&q);
  q.bot_id = g_strdup ("bot-a");
  g_assert_cmpuint (count_trades (f->store, &q), ==, 5);
  arb_trade_query_clear (&q);

  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 2);
  g_assert_cmpstr (((ArbStoredBot *) bots->pdata[0])->identity.bot_id, ==, "bot-a");
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[0])->last_seq, ==, 5);
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[1])->last_seq, ==, 2);

  /* going on from the stored seq works; from an old one does not */
  outcome_clear (&a);
  arb_store_submit (f->store, trade_batch ("bot-a", 3, 6, 1, T0), on_done, &a);
  WAIT_UNTIL (a.called);
  g_assert_error (a.error, ARB_ERROR, ARB_ERROR_CONFLICT);
  submit_and_wait (f->store, trade_batch ("bot-a", 5, 6, 1, T0));
  g_assert_cmpint (sql_int (f->path, "SELECT last_seq FROM bots WHERE bot_id = 'bot-a'"), ==, 6);

  outcome_clear (&plug);
  outcome_clear (&a);
  outcome_clear (&b);
  outcome_clear (&c);
  outcome_clear (&d);
}

static void
test_failed_batch_alone (Fixture *f, gconstpointer data)
{
  Outcome good = { 0 }, bad = { 0 };
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  ArbEvent *broken = make_log (2, T0, "x");
  ArbStoreStats stats;

  /* a log without its required message: the database refuses the whole batch */
  g_clear_pointer (&broken->log.message, g_free);
  arb_store_batch_add_event (b, make_trade (1, T0, "A/B", "filled", 1), 1);
  arb_store_batch_add_event (b, broken, 2);
  arb_store_submit (f->store, b, on_done, &bad);
  arb_store_submit (f->store, trade_batch ("bot-b", 0, 1, 2, T0), on_done, &good);
  arb_store_flush (f->store);
  g_assert_true (bad.called && good.called);
  g_assert_error (bad.error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_assert_no_error (good.error);
  /* the trade before the broken log was rolled back with it */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM logs"), ==, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades WHERE bot_id = 'bot-a'"), ==, 0);
  arb_store_get_stats (f->store, &stats);
  g_assert_cmpuint (stats.rows, ==, 2);
  g_assert_cmpuint (stats.errors, ==, 0);
  outcome_clear (&good);
  outcome_clear (&bad);
}

/* ---------------------------------------------------------------- bots, meta, series */

static void
test_hello_and_bots (Fixture *f, gconstpointer data)
{
  char *commands[] = { (char *) "pause", (char *) "resume", (char *) "stop", NULL };
  char *none[] = { NULL };
  ArbHello hello = { { (char *) "bot-a", (char *) "Bot A", (char *) "1.0", (char *) "cex-dex",
                       (char *) "EUR", commands }, 123 };
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  g_autoptr(GPtrArray) bots = NULL;
  ArbStoredBot *bot;

  arb_store_batch_set_hello (b, &hello, T0);
  arb_store_batch_add_event (b, make_trade (1, T0, "A/B", "filled", 1), 1);
  arb_store_batch_set_last_seq (b, 0, 1);
  submit_and_wait (f->store, b);

  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 1);
  bot = bots->pdata[0];
  g_assert_cmpstr (bot->identity.bot_id, ==, "bot-a");
  g_assert_cmpstr (bot->identity.name, ==, "Bot A");
  g_assert_cmpstr (bot->identity.version, ==, "1.0");
  g_assert_cmpstr (bot->identity.strategy, ==, "cex-dex");
  g_assert_cmpstr (bot->identity.quote, ==, "EUR");
  g_assert_cmpuint (g_strv_length (bot->identity.commands), ==, 3);
  g_assert_cmpstr (bot->identity.commands[2], ==, "stop");
  g_assert_cmpint (bot->last_seq, ==, 1);
  g_assert_cmpint (bot->last_seen_ms, ==, T0);
  g_clear_pointer (&bots, g_ptr_array_unref);

  /* a later hello updates the row and keeps last_seq */
  hello.identity.name = (char *) "Bot A2";
  hello.identity.version = NULL;
  hello.identity.commands = none;
  b = arb_store_batch_new ("bot-a");
  arb_store_batch_set_hello (b, &hello, T0 + 5000);
  submit_and_wait (f->store, b);
  /* a bot known only by its seq (no hello yet) */
  submit_and_wait (f->store, trade_batch ("bot-0", 0, 1, 1, T0));

  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 2);
  bot = bots->pdata[0];
  g_assert_cmpstr (bot->identity.bot_id, ==, "bot-0");
  g_assert_null (bot->identity.name);
  g_assert_nonnull (bot->identity.commands);
  g_assert_null (bot->identity.commands[0]);
  g_assert_cmpint (bot->last_seq, ==, 1);
  g_assert_cmpint (bot->last_seen_ms, ==, 0);
  bot = bots->pdata[1];
  g_assert_cmpstr (bot->identity.name, ==, "Bot A2");
  g_assert_null (bot->identity.version);
  g_assert_null (bot->identity.commands[0]);
  g_assert_cmpint (bot->last_seq, ==, 1);
  g_assert_cmpint (bot->last_seen_ms, ==, T0 + 5000);

  arb_stored_bot_free (NULL);
}

static void
test_hello_then_first_seq (Fixture *f, gconstpointer data)
{
  char *none[] = { NULL };
  ArbHello hello = { { (char *) "bot-h", (char *) "H", NULL, NULL, (char *) "USD", none }, -1 };
  ArbStoreBatch *b = arb_store_batch_new ("bot-h");

  /* hello first (row with last_seq 0), events later continue 0 */
  arb_store_batch_set_hello (b, &hello, T0);
  submit_and_wait (f->store, b);
  submit_and_wait (f->store, trade_batch ("bot-h", 0, 1, 2, T0));
  g_assert_cmpint (sql_int (f->path, "SELECT last_seq FROM bots WHERE bot_id = 'bot-h'"), ==, 2);
}

static void
test_meta (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  ArbStoreBatch *b = arb_store_batch_new (NULL);
  gint64 v = -7;

  g_assert_false (arb_store_get_meta (f->store, "missing", &v));
  g_assert_cmpint (v, ==, -7);

  arb_store_batch_set_meta (b, "a", 1);
  arb_store_batch_set_meta (b, "b", G_MAXINT64);
  arb_store_batch_set_meta (b, "a", 2);   /* the last write wins */
  submit_and_wait (f->store, b);
  g_assert_true (arb_store_get_meta (f->store, "a", &v));
  g_assert_cmpint (v, ==, 2);
  g_assert_true (arb_store_get_meta (f->store, "b", &v));
  g_assert_cmpint (v, ==, G_MAXINT64);

  g_assert_true (arb_store_set_meta_now (f->store, "a", -3, &error));
  g_assert_no_error (error);
  g_assert_true (arb_store_get_meta (f->store, "a", &v));
  g_assert_cmpint (v, ==, -3);
  /* durable at once: another connection sees it */
  g_assert_cmpint (sql_int (f->path, "SELECT value FROM meta WHERE key = 'a'"), ==, -3);
}

static void
test_series (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = arb_store_batch_new (NULL);
  g_autoptr(GBytes) one = g_bytes_new ("\x00\x01\x02\xff", 4);
  g_autoptr(GBytes) two = g_bytes_new ("tier one", 8);
  g_autoptr(GBytes) three = g_bytes_new ("replaced", 8);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) got = NULL;
  g_auto(GStrv) names = NULL;

  names = arb_store_list_series (f->store);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_clear_pointer (&names, g_strfreev);

  arb_store_batch_put_series (b, "net.rx", 0, one);
  arb_store_batch_put_series (b, "net.rx", 1, two);
  arb_store_batch_put_series (b, "cpu.total", 0, two);
  arb_store_batch_put_series (b, "empty", 0, empty);
  submit_and_wait (f->store, b);

  got = arb_store_load_series (f->store, "net.rx", 0);
  g_assert_true (g_bytes_equal (got, one));
  g_clear_pointer (&got, g_bytes_unref);
  got = arb_store_load_series (f->store, "net.rx", 1);
  g_assert_true (g_bytes_equal (got, two));
  g_clear_pointer (&got, g_bytes_unref);
  got = arb_store_load_series (f->store, "empty", 0);
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);
  g_clear_pointer (&got, g_bytes_unref);
  g_assert_null (arb_store_load_series (f->store, "net.rx", 2));
  g_assert_null (arb_store_load_series (f->store, "nope", 0));

  names = arb_store_list_series (f->store);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_cmpstr (names[0], ==, "cpu.total");
  g_assert_cmpstr (names[1], ==, "empty");
  g_assert_cmpstr (names[2], ==, "net.rx");

  /* saving again replaces */
  b = arb_store_batch_new (NULL);
  arb_store_batch_put_series (b, "net.rx", 0, three);
  submit_and_wait (f->store, b);
  got = arb_store_load_series (f->store, "net.rx", 0);
  g_assert_true (g_bytes_equal (got, three));
}

/* ---------------------------------------------------------------- commands and audit */

static void
test_audit (Fixture *f, gconstpointer data)
{
  g_autoptr(ArbCommand) c1 = arb_command_new ("c-1", "bot-a", "pause", "{\"why\":1}", "operator",
                                              "alice", T0);
  g_autoptr(ArbCommand) c2 = arb_command_new ("c-2", "bot-b", "stop", "{}", "desktop", NULL,
                                              T0 + 1000);
  g_autoptr(ArbCommand) c3 = arb_command_new ("c-3", "bot-a", "resume", "{}", "operator",
                                              "bob", T0 + 2000);
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) only_a = NULL;
  g_autoptr(JsonNode) limited = NULL;
  g_autoptr(JsonNode) none = NULL;
  g_autoptr(GPtrArray) typed = NULL;
  g_autoptr(GError) error = NULL;
  ArbStoreBatch *b = arb_store_batch_new (NULL);
  const ArbCommand *command;
  JsonArray *rows;
  JsonObject *o;

  arb_store_batch_put_command (b, c1);
  arb_store_batch_put_command (b, c2);
  submit_and_wait (f->store, b);

  /* the outcome updates the same row */
  arb_command_finish (c1, ARB_COMMAND_OK, "paused", T0 + 300);
  c1->hub_seq = 99;
  b = arb_store_batch_new (NULL);
  arb_store_batch_put_command (b, c1);
  arb_store_batch_put_command (b, c3);
  submit_and_wait (f->store, b);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM commands"), ==, 3);

  all = test_audit_json (arb_store_query_audit (f->store, NULL, 100, &error));
  g_assert_no_error (error);
  rows = json_node_get_array (all);
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  /* newest first */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "id"),
                   ==, "c-3");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1), "id"),
                   ==, "c-2");
  o = json_array_get_object_element (rows, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "c-1");
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "done");
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "paused");
  g_assert_cmpint (json_object_get_int_member (o, "finished"), ==, T0 + 300);
  g_assert_cmpint (json_object_get_int_member (o, "created"), ==, T0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "args"), "why"),
                   ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "who"),
                                                  "token"), ==, "alice");
  g_assert_cmpint (sql_int (f->path, "SELECT hub_seq FROM commands WHERE id = 'c-1'"), ==, 99);
  /* still pending: no finished time */
  o = json_array_get_object_element (rows, 1);
  g_assert_true (json_object_get_null_member (o, "finished"));
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "pending");
  g_assert_true (json_object_get_null_member (json_object_get_object_member (o, "who"), "token"));

  only_a = test_audit_json (arb_store_query_audit (f->store, "bot-a", 100, &error));
  rows = json_node_get_array (only_a);
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "id"),
                   ==, "c-3");
  limited = test_audit_json (arb_store_query_audit (f->store, NULL, 1, &error));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (limited)), ==, 1);
  none = test_audit_json (arb_store_query_audit (f->store, "bot-none", 10, &error));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (none)), ==, 0);
  g_assert_no_error (error);

  /* what the views read: the commands themselves, every field of them */
  typed = arb_store_query_audit (f->store, NULL, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (typed->len, ==, 3);
  command = g_ptr_array_index (typed, 2);
  g_assert_cmpstr (command->id, ==, "c-1");
  g_assert_cmpstr (command->bot_id, ==, "bot-a");
  g_assert_cmpstr (command->name, ==, "pause");
  g_assert_cmpstr (command->args_json, ==, "{\"why\":1}");
  g_assert_cmpstr (command->role, ==, "operator");
  g_assert_cmpstr (command->token_name, ==, "alice");
  g_assert_cmpint (command->created_ms, ==, T0);
  g_assert_cmpint (command->finished_ms, ==, T0 + 300);
  g_assert_cmpint (command->status, ==, ARB_COMMAND_OK);
  g_assert_cmpstr (command->message, ==, "paused");
  g_assert_cmpint (command->hub_seq, ==, 99);
}

/* ---------------------------------------------------------------- flush, group commit */

typedef struct
{
  ArbStore *store;
  guint     done;
  gboolean  resubmitted;
} FlushData;

static void
on_done_resubmit (ArbStoreBatch *batch, const GError *error, gpointer data)
{
  FlushData *fd = data;

  g_assert_null (error);
  fd->done++;
  /* a callback that stores more (as a command outcome does) */
  if (!fd->resubmitted)
    {
      ArbStoreBatch *more = arb_store_batch_new (NULL);

      fd->resubmitted = TRUE;
      arb_store_batch_set_meta (more, "from-callback", 1);
      arb_store_submit (fd->store, more, on_done_resubmit, fd);
    }
}

static void
test_flush (Fixture *f, gconstpointer data)
{
  FlushData fd = { f->store, 0, FALSE };
  gint64 v = 0;

  for (guint i = 0; i < 5; i++)
    {
      ArbStoreBatch *b = arb_store_batch_new (NULL);
      arb_store_batch_set_meta (b, "i", i);
      arb_store_submit (f->store, b, on_done_resubmit, &fd);
    }
  /* no main loop: flush itself runs every callback, including those of what they submit */
  arb_store_flush (f->store);
  g_assert_cmpuint (fd.done, ==, 6);
  g_assert_cmpuint (arb_store_get_queue_length (f->store), ==, 0);
  g_assert_true (arb_store_get_meta (f->store, "from-callback", &v));
  g_assert_true (arb_store_get_meta (f->store, "i", &v));
  g_assert_cmpint (v, ==, 4);
  /* nothing left for the main loop */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fd.done, ==, 6);
  /* flushing an idle store returns at once */
  arb_store_flush (f->store);
}

static void
count_done (ArbStoreBatch *batch, const GError *error, gpointer data)
{
  g_assert_null (error);
  (*(guint *) data)++;
}

static void
test_group_commit (Fixture *f, gconstpointer data)
{
  const guint n = 300;
  ArbStoreStats before, after;
  guint done = 0;

  g_autofree ArbStoreBatch **batches = g_new (ArbStoreBatch *, n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *bot = g_strdup_printf ("bot-%u", i % 10);
      gint64 first = i / 10 * 2 + 1;
      /* each bot's batches continue its previous one */
      batches[i] = trade_batch (bot, first - 1, first, 2, T0 + i);
    }
  arb_store_get_stats (f->store, &before);
  /* as ingest does within one main-loop turn: submit, and do not wait */
  for (guint i = 0; i < n; i++)
    arb_store_submit (f->store, batches[i], count_done, &done);
  WAIT_UNTIL (done == n);
  arb_store_get_stats (f->store, &after);
  g_assert_cmpuint (after.batches - before.batches, ==, n);
  g_assert_cmpuint (after.rows - before.rows, ==, 2 * n);
  /* queued while the writer was busy: they share commits */
  g_assert_cmpuint (after.commits - before.commits, <, n / 10);
  g_assert_cmpuint (after.commits - before.commits, >=, 1);
  g_assert_cmpint (after.max_commit_us, >=, after.last_commit_us);
  g_assert_cmpint (after.last_commit_us, >, 0);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 2 * n);
  g_assert_cmpint (sql_int (f->path, "SELECT min(last_seq) FROM bots"), ==, 2 * n / 10);
}

/* ---------------------------------------------------------------- ledger replay */

typedef struct
{
  GMutex    lock;
  guint     trades;
  guint     opportunities;
  gint64    last_trade_seq;
  gboolean  order_ok;
  gboolean  fields_ok;
  gboolean  finished;
  GError   *error;
} ReplayData;

static void
replay_func (const char *bot_id, const ArbEvent *e, gpointer data)
{
  ReplayData *r = data;

  g_mutex_lock (&r->lock);
  if (e->type == ARB_MSG_TRADE)
    {
      if (r->opportunities > 0 || e->seq <= r->last_trade_seq)
        r->order_ok = FALSE;
      r->last_trade_seq = e->seq;
      if (g_strcmp0 (bot_id, "bot-a") != 0 || g_strcmp0 (e->trade.pair, "WETH/USDC") != 0 ||
          e->trade.status != ARB_TRADE_FILLED || e->trade.profit != 1.5 ||
          e->trade.gas_used != -1 || !isnan (e->trade.gas_cost))
        r->fields_ok = FALSE;
      r->trades++;
    }
  else if (e->type == ARB_MSG_OPPORTUNITY)
    {
      if (e->opportunity.spread_bps != 12.5 || g_strcmp0 (e->opportunity.pair, "WETH/USDC") != 0)
        r->fields_ok = FALSE;
      r->opportunities++;
    }
  else
    r->fields_ok = FALSE;
  g_mutex_unlock (&r->lock);
}

static void
on_replay_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ReplayData *r = data;

  arb_store_replay_ledger_finish (ARB_STORE (source), result, &r->error);
  r->finished = TRUE;
}

static void
test_replay_ledger (Fixture *f, gconstpointer data)
{
  ReplayData r = { .order_ok = TRUE, .fields_ok = TRUE };
  ArbStoreBatch *b = trade_batch ("bot-a", 0, 1, 200, T0);

  g_mutex_init (&r.lock);
  for (guint i = 0; i < 30; i++)
    arb_store_batch_add_event (b, make_opportunity (201 + i, T0, i % 2), 0);
  arb_store_batch_add_event (b, make_log (231, T0, "not replayed"), 0);
  arb_store_batch_set_last_seq (b, 0, 231);
  /* submitted, not yet committed: the replay still sees it (it flushes first) */
  arb_store_submit (f->store, b, NULL, NULL);

  arb_store_replay_ledger_async (f->store, G_MININT64, replay_func, &r, NULL, on_replay_done,
                                 &r);
  g_assert_cmpuint (arb_store_get_queue_length (f->store), ==, 0);
  /* committed after the call: not seen, whenever the reader gets to it */
  b = trade_batch ("bot-a", 231, 232, 100, T0 + 500);
  arb_store_batch_add_event (b, make_opportunity (332, T0, TRUE), 0);
  arb_store_batch_set_last_seq (b, 231, 332);
  arb_store_submit (f->store, b, NULL, NULL);
  arb_store_flush (f->store);

  WAIT_UNTIL (r.finished);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.trades, ==, 200);
  g_assert_cmpuint (r.opportunities, ==, 30);
  g_assert_true (r.order_ok);
  g_assert_true (r.fields_ok);
  g_mutex_clear (&r.lock);
}

static void
test_replay_cancelled (Fixture *f, gconstpointer data)
{
  ReplayData r = { .order_ok = TRUE, .fields_ok = TRUE };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_mutex_init (&r.lock);
  submit_and_wait (f->store, trade_batch ("bot-a", 0, 1, 50, T0));
  g_cancellable_cancel (cancellable);
  arb_store_replay_ledger_async (f->store, G_MININT64, replay_func, &r, cancellable,
                                 on_replay_done, &r);
  WAIT_UNTIL (r.finished);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* it stops at the first row it sees cancelled */
  g_assert_cmpuint (r.trades, <=, 1);
  g_clear_error (&r.error);

  /* an empty store: nothing to call, and still cancelled */
  sql_exec (f->path, "DELETE FROM trades");
  r.finished = FALSE;
  r.trades = 0;
  arb_store_replay_ledger_async (f->store, G_MININT64, replay_func, &r, cancellable,
                                 on_replay_done, &r);
  WAIT_UNTIL (r.finished);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (r.trades, ==, 0);
  g_clear_error (&r.error);
  g_mutex_clear (&r.lock);
}

/* ---------------------------------------------------------------- alerts */

static ArbAlert *
make_alert (const char *id, const char *rule, ArbAlertSeverity severity, gint64 raised,
            double value, gint64 hub_seq)
{
  ArbAlert a = { (char *) id, (char *) rule, (char *) "host", severity, (char *) "too busy",
                 value, 90, raised, 0, hub_seq };

  return arb_alert_copy (&a);
}

static void
test_alerts (Fixture *f, gconstpointer data)
{
  g_autoptr(ArbAlert) cpu = make_alert ("a-1", "cpu", ARB_ALERT_WARNING, T0, 97.5, 10);
  g_autoptr(ArbAlert) lost = make_alert ("a-2", "bot_lost", ARB_ALERT_CRITICAL, T0 + 1000, NAN,
                                         11);
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *one = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbStoreBatch *b = arb_store_batch_new (NULL);
  JsonArray *rows;
  JsonObject *o;
  ArbAlert *got;

  arb_store_batch_put_alert (b, cpu);
  g_assert_false (arb_store_batch_is_empty (b));
  arb_store_batch_put_alert (b, lost);
  submit_and_wait (f->store, b);
  active = arb_store_load_active_alerts (f->store);
  g_assert_cmpuint (active->len, ==, 2);
  g_clear_pointer (&active, g_ptr_array_unref);

  /* clearing updates the same row: message, value, cleared and hub seq */
  cpu->cleared_ms = T0 + 5000;
  cpu->hub_seq = 12;
  g_free (cpu->message);
  cpu->message = g_strdup ("back to normal");
  cpu->value = 40;
  b = arb_store_batch_new (NULL);
  arb_store_batch_put_alert (b, cpu);
  submit_and_wait (f->store, b);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM alerts"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT hub_seq FROM alerts WHERE id = 'a-1'"), ==, 12);

  /* only the active one is loaded at start-up, as it was */
  active = arb_store_load_active_alerts (f->store);
  g_assert_cmpuint (active->len, ==, 1);
  got = active->pdata[0];
  g_assert_cmpstr (got->id, ==, "a-2");
  g_assert_cmpstr (got->rule, ==, "bot_lost");
  g_assert_cmpstr (got->subject, ==, "host");
  g_assert_cmpint (got->severity, ==, ARB_ALERT_CRITICAL);
  g_assert_cmpstr (got->message, ==, "too busy");
  g_assert_true (isnan (got->value));
  g_assert_cmpfloat (got->threshold, ==, 90);
  g_assert_cmpint (got->raised_ms, ==, T0 + 1000);
  g_assert_cmpint (got->cleared_ms, ==, 0);
  g_assert_cmpint (got->hub_seq, ==, 11);

  /* the history, newest first */
  text = test_alerts_json (arb_store_query_alerts (f->store, 10, &error));
  g_assert_no_error (error);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  rows = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  o = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "a-2");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (o, "severity"), ==, "critical");
  g_assert_true (json_object_get_null_member (o, "value"));
  g_assert_true (json_object_get_null_member (o, "cleared"));
  o = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "a-1");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "cleared");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "back to normal");
  g_assert_cmpfloat (json_object_get_double_member (o, "value"), ==, 40);
  g_assert_cmpint (json_object_get_int_member (o, "cleared"), ==, T0 + 5000);

  one = test_alerts_json (arb_store_query_alerts (f->store, 1, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (one, "\"a-2\""));
  g_assert_null (strstr (one, "\"a-1\""));
}

/* ---------------------------------------------------------------- item replay */

/* One item of every kind, hub seqs 20..26 (and a trade at 5, before the range). */
static void
fill_items (Fixture *f)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  g_autoptr(ArbCommand) cmd = arb_command_new ("c-1", "bot-a", "pause", "{}", "operator", "al",
                                               T0 + 30);
  g_autoptr(ArbAlert) alert = make_alert ("a-1", "cpu", ARB_ALERT_WARNING, T0 + 40, 95, 25);

  arb_store_batch_add_event (b, make_trade (1, T0, "A/B", "filled", 1), 5);
  arb_store_batch_add_event (b, make_trade (2, T0 + 10, "A/B", "failed", -1), 0);
  /* hub seqs are given once known (when the ticket is staged) */
  arb_store_batch_set_hub_seq (b, 1, 20);
  arb_store_batch_add_event (b, make_opportunity (3, T0 + 11, FALSE), 21);
  arb_store_batch_add_event (b, make_log (4, T0 + 12, "slow rpc"), 22);
  arb_store_batch_set_last_seq (b, 0, 4);
  cmd->hub_seq = 24;
  arb_command_finish (cmd, ARB_COMMAND_OK, "paused", T0 + 35);
  arb_store_batch_put_command (b, cmd);
  arb_store_batch_put_alert (b, alert);
  submit_and_wait (f->store, b);
  /* a log of the dashboard itself: no bot, no bot seq */
  sql_exec (f->path, "INSERT INTO logs (bot_id, seq, hub_seq, ts, level, component, message)"
                     " VALUES (NULL, NULL, 23, 1700000000013, 'error', 'store', 'disk full')");
  /* not an item: nothing published it (hub seq 0) */
  b = arb_store_batch_new (NULL);
  {
    g_autoptr(ArbCommand) unpublished = arb_command_new ("c-0", "bot-a", "stop", "{}", "x",
                                                         NULL, T0);
    arb_store_batch_put_command (b, unpublished);
  }
  submit_and_wait (f->store, b);
}

static void
assert_item (ArbHubItem *item, gint64 seq, const char *topic, const char *kind, gint64 ts)
{
  g_autoptr(JsonNode) data = json_from_string (item->json, NULL);

  g_assert_cmpint (item->seq, ==, seq);
  g_assert_true (item->topic == g_intern_string (topic));
  g_assert_true (item->kind == g_intern_string (kind));
  g_assert_cmpint (item->ts, ==, ts);
  g_assert_null (item->key);
  g_assert_true (arb_hub_item_is_discrete (item));
  g_assert_nonnull (data);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (data));
  g_assert_cmpuint (item->json_len, ==, strlen (item->json));
}

static void
test_query_items (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) some = NULL;
  g_autoptr(GPtrArray) limited = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(JsonNode) trade = NULL;
  g_autoptr(JsonNode) log = NULL;
  g_autoptr(JsonNode) cmd = NULL;
  JsonObject *o;

  fill_items (f);
  all = arb_store_query_items (f->store, 0, 1000, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 7);
  assert_item (all->pdata[0], 5, ARB_TOPIC_TRADING, "trade", T0);
  assert_item (all->pdata[1], 20, ARB_TOPIC_TRADING, "trade", T0 + 10);
  assert_item (all->pdata[2], 21, ARB_TOPIC_TRADING, "opportunity", T0 + 11);
  assert_item (all->pdata[3], 22, ARB_TOPIC_LOG, "log", T0 + 12);
  assert_item (all->pdata[4], 23, ARB_TOPIC_LOG, "log", T0 + 13);
  /* a finished command and an alert carry the time of their last change */
  assert_item (all->pdata[5], 24, ARB_TOPIC_BOTS, "command", T0 + 35);
  assert_item (all->pdata[6], 25, ARB_TOPIC_ALERTS, "alert", T0 + 40);

  /* the data are what the hub published: the event as JSON with its bot */
  trade = json_from_string (((ArbHubItem *) all->pdata[1])->json, NULL);
  o = json_node_get_object (trade);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "bot-a");
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "failed");
  log = json_from_string (((ArbHubItem *) all->pdata[4])->json, NULL);
  o = json_node_get_object (log);
  g_assert_false (json_object_has_member (o, "bot_id"));
  g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "disk full");
  cmd = json_from_string (((ArbHubItem *) all->pdata[5])->json, NULL);
  o = json_node_get_object (cmd);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "c-1");
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "done");

  /* (since, upto] */
  some = arb_store_query_items (f->store, 20, 23, 100, &error);
  g_assert_cmpuint (some->len, ==, 3);
  g_assert_cmpint (((ArbHubItem *) some->pdata[0])->seq, ==, 21);
  g_assert_cmpint (((ArbHubItem *) some->pdata[2])->seq, ==, 23);
  /* the limit counts over all tables together, lowest seqs first */
  limited = arb_store_query_items (f->store, 0, 1000, 3, &error);
  g_assert_cmpuint (limited->len, ==, 3);
  g_assert_cmpint (((ArbHubItem *) limited->pdata[2])->seq, ==, 21);
  none = arb_store_query_items (f->store, 25, 1000, 100, &error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_no_error (error);
}

/* The newest logs up to a hub seq, oldest of them first, only logs. */
static void
test_recent_logs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) newest = NULL;
  g_autoptr(GPtrArray) upto = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) typed = NULL;
  g_autoptr(JsonNode) log = NULL;
  const ArbStoredEvent *stored;
  ArbStoreBatch *b;
  JsonObject *o;

  fill_items (f);
  b = arb_store_batch_new ("bot-a");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *message = g_strdup_printf ("line %u", i);
      arb_store_batch_add_event (b, make_log (5 + i, T0 + 50 + i, message), 30 + i);
    }
  arb_store_batch_set_last_seq (b, 4, 7);
  submit_and_wait (f->store, b);

  /* the five logs (22, 23, 30..32) and nothing of the other tables */
  all = arb_store_query_recent_logs (f->store, G_MAXINT64, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 5);
  assert_item (all->pdata[0], 22, ARB_TOPIC_LOG, "log", T0 + 12);
  assert_item (all->pdata[1], 23, ARB_TOPIC_LOG, "log", T0 + 13);
  assert_item (all->pdata[4], 32, ARB_TOPIC_LOG, "log", T0 + 52);

  /* the limit keeps the newest, still in seq order */
  newest = arb_store_query_recent_logs (f->store, G_MAXINT64, 2, &error);
  g_assert_cmpuint (newest->len, ==, 2);
  assert_item (newest->pdata[0], 31, ARB_TOPIC_LOG, "log", T0 + 51);
  assert_item (newest->pdata[1], 32, ARB_TOPIC_LOG, "log", T0 + 52);
  log = json_from_string (((ArbHubItem *) newest->pdata[1])->json, NULL);
  o = json_node_get_object (log);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "bot-a");
  g_assert_cmpstr (json_object_get_string_member (o, "level"), ==, "warning");
  g_assert_cmpstr (json_object_get_string_member (o, "component"), ==, "rpc");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "line 2");
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 7);

  /* nothing above @upto: those are not published yet */
  upto = arb_store_query_recent_logs (f->store, 30, 2, &error);
  g_assert_cmpuint (upto->len, ==, 2);
  g_assert_cmpint (((ArbHubItem *) upto->pdata[0])->seq, ==, 23);
  g_assert_cmpint (((ArbHubItem *) upto->pdata[1])->seq, ==, 30);
  none = arb_store_query_recent_logs (f->store, 21, 100, &error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_no_error (error);

  /* what the Log page reads: the same logs, typed */
  typed = arb_store_read_recent_logs (f->store, G_MAXINT64, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (typed->len, ==, 2);
  stored = g_ptr_array_index (typed, 1);
  g_assert_cmpint (stored->hub_seq, ==, 32);
  g_assert_cmpstr (stored->bot_id, ==, "bot-a");
  g_assert_cmpint (stored->event->type, ==, ARB_MSG_LOG);
  g_assert_cmpint (stored->event->seq, ==, 7);
  g_assert_cmpint (stored->event->ts, ==, T0 + 52);
  g_assert_cmpint (stored->event->log.level, ==, ARB_LOG_WARNING);
  g_assert_cmpstr (stored->event->log.component, ==, "rpc");
  g_assert_cmpstr (stored->event->log.message, ==, "line 2");
  g_assert_cmpint (((ArbStoredEvent *) g_ptr_array_index (typed, 0))->hub_seq, ==, 31);
}

static void
on_items_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GPtrArray **out = data;
  g_autoptr(GError) error = NULL;

  *out = arb_store_query_items_finish (ARB_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_query_items_async (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) sync = NULL;

  fill_items (f);
  arb_store_query_items_async (f->store, 20, 24, 100, NULL, on_items_done, &items);
  WAIT_UNTIL (items != NULL);
  sync = arb_store_query_items (f->store, 20, 24, 100, NULL);
  g_assert_cmpuint (items->len, ==, 4);
  g_assert_cmpuint (items->len, ==, sync->len);
  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *a = items->pdata[i], *b = sync->pdata[i];
      g_assert_cmpint (a->seq, ==, b->seq);
      g_assert_cmpstr (a->json, ==, b->json);
    }
}

/* ---------------------------------------------------------------- CSV */

/* An RFC 4180 reader, enough to check what the writer wrote: rows of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = NULL;
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gboolean quoted = FALSE;

      if (row == NULL)
        row = g_ptr_array_new_with_free_func (g_free);
      g_string_truncate (field, 0);
      if (*p == '"')
        {
          quoted = TRUE;
          for (p++; *p != '\0'; p++)
            {
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                break;
              else
                g_string_append_c (field, *p);
            }
          g_assert_true (*p == '"');
          p++;
        }
      else
        while (*p != '\0' && *p != ',' && *p != '\r')
          g_string_append_c (field, *p++);
      g_assert_true (quoted || strchr (field->str, '\n') == NULL);
      g_ptr_array_add (row, g_strdup (field->str));
      if (*p == ',')
        p++;
      else
        {
          /* every line ends with CRLF */
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          g_ptr_array_add (rows, row);
          row = NULL;
        }
    }
  g_assert_null (row);
  g_string_free (field, TRUE);
  return rows;
}

static const char *
cell (GPtrArray *rows, guint r, guint c)
{
  return g_ptr_array_index ((GPtrArray *) g_ptr_array_index (rows, r), c);
}

static void
test_csv (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbCsvPage) page = NULL;
  g_autoptr(GPtrArray) header = parse_csv (arb_trade_csv_header);
  g_autoptr(GPtrArray) rows = NULL;
  ArbTradeQuery q;

  /* strings a bot chose: commas, quotes, line breaks, and would-be formulas */
  arb_store_batch_add_event (b, test_event_from_json (
    "{\"type\":\"trade\",\"seq\":1,\"ts\":1700000000123,\"id\":\"-1.a\","
    "\"pair\":\"WETH,USDC\",\"buy_venue\":\"=uni()\",\"sell_venue\":\"@curve\","
    "\"status\":\"filled\",\"profit\":-0.1,\"chain\":\"a\\\"b\",\"amount_in\":\"5\","
    "\"amount_out\":\"6\",\"gas_used\":21000,\"gas_price_gwei\":30.5,"
    "\"gas_cost\":0.1,\"fees\":0.7999999999999999,\"latency_ms\":12,"
    "\"tx_hash\":\"+line\\nbreak\"}"), 1);
  arb_store_batch_add_event (b, make_trade (2, T0 + 2000, "A/B", "reverted", 3), 2);
  arb_store_batch_set_last_seq (b, 0, 2);
  submit_and_wait (f->store, b);

  g_assert_cmpuint (header->len, ==, 1);
  g_assert_cmpuint (((GPtrArray *) header->pdata[0])->len, ==, 19);
  g_assert_cmpstr (cell (header, 0, 0), ==, "bot_id");
  g_assert_cmpstr (cell (header, 0, 3), ==, "time");
  g_assert_cmpstr (cell (header, 0, 18), ==, "tx_hash");

  arb_trade_query_init (&q);
  page = arb_store_query_trades_csv (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_false (page->more);
  rows = parse_csv (page->text);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint r = 0; r < rows->len; r++)
    g_assert_cmpuint (((GPtrArray *) rows->pdata[r])->len, ==, 19);

  /* newest first: the plain one, with its absent fields empty */
  g_assert_cmpstr (page->text, ==,
                   "bot-a,2,1700000002000,2023-11-14T22:13:22.000Z,t-2,A/B,uniswap,curve,"
                   "reverted,3,,,,,,,,,\r\n"
                   "bot-a,1,1700000000123,2023-11-14T22:13:20.123Z,'-1.a,\"WETH,USDC\","
                   "'=uni(),'@curve,filled,-0.1,\"a\"\"b\",5,6,21000,30.5,0.1,"
                   "0.7999999999999999,12,\"'+line\nbreak\"\r\n");
  g_assert_cmpstr (cell (rows, 1, 5), ==, "WETH,USDC");
  g_assert_cmpstr (cell (rows, 1, 10), ==, "a\"b");
  g_assert_cmpstr (cell (rows, 1, 18), ==, "'+line\nbreak");
  arb_trade_query_clear (&q);
}

static void
on_csv_done (GObject *source, GAsyncResult *result, gpointer data)
{
  ArbCsvPage **out = data;
  g_autoptr(GError) error = NULL;

  *out = arb_store_query_trades_csv_finish (ARB_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_csv_paging (Fixture *f, gconstpointer data)
{
  ArbTradeQuery q;
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GPtrArray) rows = NULL;
  guint pages = 0;
  gboolean more = TRUE;

  submit_and_wait (f->store, trade_batch ("bot-a", 0, 1, 25, T0));
  arb_trade_query_init (&q);
  q.limit = 10;
  while (more)
    {
      ArbCsvPage *page = NULL;

      /* the REST route goes page by page in a worker thread */
      arb_store_query_trades_csv_async (f->store, &q, NULL, on_csv_done, &page);
      WAIT_UNTIL (page != NULL);
      g_string_append (all, page->text);
      more = page->more;
      g_assert_true ((page->next_cursor != NULL) == more);
      if (more)
        g_assert_true (arb_trade_query_set_cursor (&q, page->next_cursor));
      arb_csv_page_free (page);
      pages++;
    }
  g_assert_cmpuint (pages, ==, 3);
  rows = parse_csv (all->str);
  g_assert_cmpuint (rows->len, ==, 25);
  for (guint r = 0; r < rows->len; r++)
    {
      g_autofree char *seq = g_strdup_printf ("%u", 25 - r);
      g_assert_cmpstr (cell (rows, r, 1), ==, seq);
    }
  arb_csv_page_free (NULL);
  arb_trade_query_clear (&q);
}

/* ---------------------------------------------------------------- stats */

static void
test_commit_histogram (Fixture *f, gconstpointer data)
{
  ArbStoreStats stats;
  guint64 sum = 0;

  for (guint i = 1; i < ARB_STORE_COMMIT_BUCKETS; i++)
    g_assert_cmpfloat (arb_store_commit_bounds[i], >, arb_store_commit_bounds[i - 1]);
  for (guint i = 0; i < 5; i++)
    submit_and_wait (f->store, trade_batch ("bot-a", i, i + 1, 1, T0));
  arb_store_get_stats (f->store, &stats);
  g_assert_cmpuint (stats.commits, ==, 5);
  for (guint i = 0; i < ARB_STORE_COMMIT_BUCKETS; i++)
    sum += stats.commit_buckets[i];
  /* each commit in exactly one bucket, and the sum of durations adds up */
  g_assert_cmpuint (sum, ==, stats.commits);
  g_assert_cmpfloat (stats.commit_seconds, >, 0);
  g_assert_cmpfloat (stats.commit_seconds, >=, stats.max_commit_us / 1e6);
  g_assert_cmpfloat (stats.commit_seconds, <=, 5 * stats.max_commit_us / 1e6 + 1e-9);
}

static void
test_batch_bad_hub_seq_index (void)
{
  if (g_test_subprocess ())
    {
      ArbStoreBatch *b = arb_store_batch_new ("bot-a");
      arb_store_batch_set_hub_seq (b, 0, 5);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*index < batch->hub_seqs->len*");
}

/* ---------------------------------------------------------------- close */

static void
test_close_reopen (Fixture *f, gconstpointer data)
{
  char *none[] = { NULL };
  ArbHello hello = { { (char *) "bot-a", (char *) "A", NULL, NULL, (char *) "USD", none }, -1 };
  g_autoptr(ArbCommand) cmd = arb_command_new ("c-1", "bot-a", "pause", "{}", "desktop", NULL,
                                               T0);
  g_autoptr(GBytes) blob = g_bytes_new_static ("blob", 4);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GPtrArray) bots = NULL;
  g_autoptr(JsonNode) audit = NULL;
  ArbStoreBatch *b = trade_batch ("bot-a", 0, 1, 10, T0);
  ArbTradeQuery q;
  gint64 v = 0;
  guint done = 0;

  arb_store_batch_set_hello (b, &hello, T0);
  arb_store_batch_put_command (b, cmd);
  arb_store_batch_put_series (b, "s", 0, blob);
  arb_store_batch_set_meta (b, "m", 11);
  arb_store_submit (f->store, b, count_done, &done);
  /* close commits what is queued and runs its callback */
  arb_store_close (f->store);
  g_assert_cmpuint (done, ==, 1);
  /* closing twice is harmless */
  arb_store_close (f->store);
  g_clear_object (&f->store);

  f->store = arb_store_open (f->path, NULL);
  g_assert_nonnull (f->store);
  arb_trade_query_init (&q);
  g_assert_cmpuint (count_trades (f->store, &q), ==, 10);
  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 1);
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[0])->last_seq, ==, 10);
  got = arb_store_load_series (f->store, "s", 0);
  g_assert_true (g_bytes_equal (got, blob));
  g_assert_true (arb_store_get_meta (f->store, "m", &v));
  g_assert_cmpint (v, ==, 11);
  audit = test_audit_json (arb_store_query_audit (f->store, NULL, 10, NULL));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (audit)), ==, 1);
}

static void
test_submit_after_close (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_dir_make_tmp ("arb-test-store-XXXXXX", NULL);
      g_autofree char *path = g_build_filename (dir, "x.db", NULL);
      g_autoptr(ArbStore) store = arb_store_open (path, NULL);

      arb_store_close (store);
      /* the batch is freed, not leaked, and the caller is told loudly */
      arb_store_submit (store, arb_store_batch_new (NULL), NULL, NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*after arb_store_close*");
}

/* ---------------------------------------------------------------- errors from the database */

static void
test_broken_schema (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  Outcome o = { 0 };
  ArbTradeQuery q;
  ArbStoreBatch *b;
  g_auto(GStrv) names = NULL;
  gint64 v = 5;
  ReplayData r = { .order_ok = TRUE, .fields_ok = TRUE };

  submit_and_wait (f->store, trade_batch ("bot-a", 0, 1, 1, T0));
  /* someone else's hands on the file: every table gone */
  sql_exec (f->path, "DROP TABLE trades; DROP TABLE bots; DROP TABLE meta; DROP TABLE series;"
                     " DROP TABLE commands; DROP TABLE alerts;");

  arb_trade_query_init (&q);
  g_assert_null (arb_store_query_trades (f->store, &q, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_null (arb_store_load_bots (f->store, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_null (arb_store_query_audit (f->store, NULL, 10, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_false (arb_store_set_meta_now (f->store, "k", 1, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_false (arb_store_get_meta (f->store, "k", &v));
  g_assert_cmpint (v, ==, 5);
  g_assert_null (arb_store_load_series (f->store, "s", 0));
  names = arb_store_list_series (f->store);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_null (arb_store_query_items (f->store, 0, 100, 10, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_null (arb_store_query_alerts (f->store, 10, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  g_assert_null (arb_store_query_trades_csv (f->store, &q, &error));
  g_assert_error (error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&error);
  {
    g_autoptr(GPtrArray) active = arb_store_load_active_alerts (f->store);
    g_assert_cmpuint (active->len, ==, 0);
  }

  g_mutex_init (&r.lock);
  arb_store_replay_ledger_async (f->store, G_MININT64, replay_func, &r, NULL, on_replay_done,
                                 &r);
  WAIT_UNTIL (r.finished);
  g_assert_error (r.error, ARB_ERROR, ARB_ERROR_INTERNAL);
  g_clear_error (&r.error);
  g_mutex_clear (&r.lock);

  /* writes of each kind fail alone, with an error, and nothing hangs */
  b = trade_batch ("bot-a", 1, 2, 1, T0);
  arb_store_submit (f->store, b, on_done, &o);
  WAIT_UNTIL (o.called);
  g_assert_error (o.error, ARB_ERROR, ARB_ERROR_INTERNAL);
  outcome_clear (&o);
  {
    g_autoptr(ArbCommand) cmd = arb_command_new ("c", "b", "pause", "{}", NULL, NULL, 1);
    g_autoptr(GBytes) blob = g_bytes_new_static ("x", 1);
    char *none[] = { NULL };
    ArbHello hello = { { (char *) "bot-a", (char *) "A", NULL, NULL, (char *) "USD", none }, -1 };

    b = arb_store_batch_new (NULL);
    arb_store_batch_put_command (b, cmd);
    arb_store_submit (f->store, b, on_done, &o);
    WAIT_UNTIL (o.called);
    g_assert_nonnull (o.error);
    outcome_clear (&o);
    b = arb_store_batch_new (NULL);
    arb_store_batch_put_series (b, "s", 0, blob);
    arb_store_submit (f->store, b, on_done, &o);
    WAIT_UNTIL (o.called);
    g_assert_nonnull (o.error);
    outcome_clear (&o);
    b = arb_store_batch_new (NULL);
    arb_store_batch_set_meta (b, "k", 1);
    arb_store_submit (f->store, b, on_done, &o);
    WAIT_UNTIL (o.called);
    g_assert_nonnull (o.error);
    outcome_clear (&o);
    b = arb_store_batch_new (NULL);
    {
      g_autoptr(ArbAlert) alert = make_alert ("a", "cpu", ARB_ALERT_WARNING, 1, 1, 1);
      arb_store_batch_put_alert (b, alert);
    }
    arb_store_submit (f->store, b, on_done, &o);
    WAIT_UNTIL (o.called);
    g_assert_nonnull (o.error);
    outcome_clear (&o);
    b = arb_store_batch_new ("bot-a");
    arb_store_batch_set_hello (b, &hello, 1);
    arb_store_submit (f->store, b, on_done, &o);
    WAIT_UNTIL (o.called);
    g_assert_nonnull (o.error);
    outcome_clear (&o);
  }
}

/* ---------------------------------------------------------------- retention */

/* The time the prunes below cut at. */
#define CUT (T0 + 1000000)

typedef struct
{
  gboolean        called;
  gboolean        ok;
  ArbStorePruned  pruned;
  GError         *error;
} PruneOutcome;

static void
on_pruned (GObject *source, GAsyncResult *result, gpointer data)
{
  PruneOutcome *p = data;

  g_assert_false (p->called);
  p->called = TRUE;
  p->ok = arb_store_prune_finish (ARB_STORE (source), result, &p->pruned, &p->error);
}

static void
prune_and_wait (ArbStore *store, gint64 cutoff, PruneOutcome *p)
{
  memset (p, 0, sizeof *p);
  arb_store_prune_async (store, cutoff, NULL, on_pruned, p);
  WAIT_UNTIL (p->called);
  g_assert_no_error (p->error);
  g_assert_true (p->ok);
}

static ArbCommand *
make_command (const char *id, gint64 created, gint64 finished, gint64 hub_seq)
{
  ArbCommand *c = arb_command_new (id, "bot-a", "pause", "{}", "operator", "al", created);

  c->hub_seq = hub_seq;
  if (finished > 0)
    arb_command_finish (c, ARB_COMMAND_OK, "paused", finished);
  return c;
}

static ArbAlert *
make_cleared_alert (const char *id, gint64 raised, gint64 cleared, gint64 hub_seq)
{
  ArbAlert *a = make_alert (id, "cpu", ARB_ALERT_WARNING, raised, 95, hub_seq);

  a->cleared_ms = cleared;
  return a;
}

/* Rows on both sides of CUT in every table; the old ones have hub seqs
 * below 1000, the kept ones from 1000. */
static void
fill_for_prune (Fixture *f)
{
  ArbStoreBatch *b = arb_store_batch_new ("bot-a");
  static const struct { const char *id; gint64 created, finished, hub_seq; } commands[] = {
    { "c-old-done", CUT - 5000, CUT - 4000, 900 },     /* goes */
    { "c-old-timeout", CUT - 3000, CUT - 2000, 901 },  /* goes */
    { "c-old-pending", CUT - 5000, 0, 1100 },          /* pending: stays, whatever its age */
    { "c-straddle", CUT - 5000, CUT + 10, 1101 },      /* finished after the cut */
    { "c-new", CUT + 1, CUT + 2, 1102 },
  };
  static const struct { const char *id; gint64 raised, cleared, hub_seq; } alerts[] = {
    { "a-old-cleared", CUT - 9000, CUT - 8000, 910 },  /* goes */
    { "a-old-active", CUT - 9000, 0, 1200 },           /* active: stays */
    { "a-straddle", CUT - 9000, CUT + 5, 1201 },
    { "a-new", CUT + 1, CUT + 3, 1202 },
  };

  /* trades: 24 before the cut (the last 1 ms before it), one on it, 5 after */
  for (gint64 seq = 1; seq <= 30; seq++)
    {
      gint64 ts = seq <= 24 ? CUT - 25 + seq : CUT + (seq - 25);
      arb_store_batch_add_event (b, make_trade (seq, ts, "WETH/USDC", "filled", 1.5),
                                 seq <= 24 ? seq : 1000 + seq);
    }
  /* opportunities: 7 before, 3 after */
  for (gint64 seq = 31; seq <= 40; seq++)
    arb_store_batch_add_event (b, make_opportunity (seq, seq <= 37 ? CUT - 100 : CUT + 100,
                                                    FALSE),
                               seq <= 37 ? seq : 1000 + seq);
  /* logs: 2 before, 3 after */
  for (gint64 seq = 41; seq <= 45; seq++)
    arb_store_batch_add_event (b, make_log (seq, seq <= 42 ? CUT - 1 : CUT, "slow rpc"),
                               seq <= 42 ? seq : 1000 + seq);
  arb_store_batch_set_last_seq (b, 0, 45);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(ArbCommand) c = make_command (commands[i].id, commands[i].created,
                                              commands[i].finished, commands[i].hub_seq);
      arb_store_batch_put_command (b, c);
    }
  for (guint i = 0; i < G_N_ELEMENTS (alerts); i++)
    {
      g_autoptr(ArbAlert) a = make_cleared_alert (alerts[i].id, alerts[i].raised,
                                                  alerts[i].cleared, alerts[i].hub_seq);
      arb_store_batch_put_alert (b, a);
    }
  /* refused messages: 2 before the cut, 1 on it */
  for (gint64 i = 0; i < 3; i++)
    arb_store_batch_add_rejected (b, arb_rejected_new (i == 0 ? NULL : "bot-a", 0,
                                                       i < 2 ? CUT - 10 + i : CUT,
                                                       ARB_ERROR_BAD_REQUEST, NULL, "bad",
                                                       "{", 1, 65536));
  submit_and_wait (f->store, b);
  /* an old log of the dashboard itself: no bot */
  sql_exec (f->path, "INSERT INTO logs (bot_id, seq, hub_seq, ts, level, component, message)"
                     " VALUES (NULL, NULL, 950, 1700000000000, 'error', 'store', 'disk full')");
}

static char *
sql_ids (const char *path, const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT group_concat(id, ',') FROM"
                                          " (SELECT id FROM %s ORDER BY id)", table);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  char *ids = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  if (sqlite3_step (s) == SQLITE_ROW)
    ids = g_strdup ((const char *) sqlite3_column_text (s, 0));
  sqlite3_finalize (s);
  sqlite3_close (db);
  return ids;
}

static void
test_prune (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) from_old = NULL;
  g_autoptr(GPtrArray) bots = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  g_autofree char *alerts = NULL;
  ReplayData r = { .order_ok = TRUE, .fields_ok = TRUE };
  PruneOutcome p;

  fill_for_prune (f);
  _arb_store_set_prune_chunk (f->store, 7);

  /* the ledger replay with the cutoff sees now what the prune will keep */
  g_mutex_init (&r.lock);
  arb_store_replay_ledger_async (f->store, CUT, replay_func, &r, NULL, on_replay_done, &r);
  WAIT_UNTIL (r.finished);
  g_assert_no_error (r.error);
  g_assert_true (r.order_ok);
  g_assert_true (r.fields_ok);
  g_assert_cmpuint (r.trades, ==, 6);
  g_assert_cmpuint (r.opportunities, ==, 3);
  g_mutex_clear (&r.lock);

  prune_and_wait (f->store, CUT, &p);
  /* exactly the rows before the cut, finished commands and cleared alerts only */
  g_assert_cmpuint (p.pruned.trades, ==, 24);
  g_assert_cmpuint (p.pruned.opportunities, ==, 7);
  g_assert_cmpuint (p.pruned.logs, ==, 3);
  g_assert_cmpuint (p.pruned.commands, ==, 2);
  g_assert_cmpuint (p.pruned.alerts, ==, 1);
  g_assert_cmpuint (p.pruned.rejected, ==, 2);
  g_assert_cmpuint (arb_store_pruned_total (&p.pruned), ==, 37 + 2);
  /* 7 rows a transaction: trades 7+7+7+3, opportunities 7+0, one each for the rest */
  g_assert_cmpuint (p.pruned.chunks, ==, 4 + 2 + 1 + 1 + 1 + 1);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected"), ==, 1);
  g_assert_cmpint (sql_int (f->path, "SELECT min(ts) FROM rejected"), ==, CUT);

  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 6);
  g_assert_cmpint (sql_int (f->path, "SELECT min(ts) FROM trades"), ==, CUT);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM opportunities"), ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT min(ts) FROM opportunities"), ==, CUT + 100);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM logs"), ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT min(ts) FROM logs"), ==, CUT);
  commands = sql_ids (f->path, "commands");
  g_assert_cmpstr (commands, ==, "c-new,c-old-pending,c-straddle");
  alerts = sql_ids (f->path, "alerts");
  g_assert_cmpstr (alerts, ==, "a-new,a-old-active,a-straddle");
  /* the bot's seq is not data: the next batch still has to continue 45 */
  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 1);
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[0])->last_seq, ==, 45);

  /* a viewer's `since` older than what is kept gets what is kept, in seq
   * order, as one with since 0 does (then its snapshot, as always) */
  items = arb_store_query_items (f->store, 0, G_MAXINT64, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 6 + 3 + 3 + 3 + 3);
  for (guint i = 0; i < items->len; i++)
    {
      g_assert_cmpint (((ArbHubItem *) items->pdata[i])->seq, >=, 1000);
      if (i > 0)
        g_assert_cmpint (((ArbHubItem *) items->pdata[i])->seq, >,
                         ((ArbHubItem *) items->pdata[i - 1])->seq);
    }
  g_assert_cmpint (((ArbHubItem *) items->pdata[0])->seq, ==, 1025);
  from_old = arb_store_query_items (f->store, 12, G_MAXINT64, 100, &error);
  g_assert_cmpuint (from_old->len, ==, items->len);

  /* nothing left to delete: one empty look at each table */
  prune_and_wait (f->store, CUT, &p);
  g_assert_cmpuint (arb_store_pruned_total (&p.pruned), ==, 0);
  g_assert_cmpuint (p.pruned.chunks, ==, 6);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 6);
}

typedef struct
{
  guint        acked;
  guint        acked_early;   /* before the prune was answered */
  PruneOutcome prune;
} IngestDuringPrune;

static void
on_ingest_done (ArbStoreBatch *batch, const GError *error, gpointer data)
{
  IngestDuringPrune *state = data;

  g_assert_no_error (error);
  state->acked++;
  if (!state->prune.called)
    state->acked_early++;
}

/* Batches that arrive during a prune are committed between its chunks, not
 * after it, and the seq continuity guard holds as before. */
static void
test_prune_beside_ingest (Fixture *f, gconstpointer data)
{
  IngestDuringPrune state = { 0 };
  ArbStoreStats before, after;
  g_autoptr(GPtrArray) bots = NULL;
  Outcome o = { 0 };
  sqlite3 *other = NULL;

  /* 45 old trades: 5 chunks of 10 */
  submit_and_wait (f->store, trade_batch ("bot-old", 0, 1, 45, T0));
  _arb_store_set_prune_chunk (f->store, 10);
  /* the order in which the writer inserted and deleted trades */
  sql_exec (f->path, "CREATE TABLE journal (n INTEGER PRIMARY KEY, what TEXT NOT NULL);"
                     "CREATE TRIGGER journal_insert AFTER INSERT ON trades"
                     " BEGIN INSERT INTO journal (what) VALUES ('insert'); END;"
                     "CREATE TRIGGER journal_delete AFTER DELETE ON trades"
                     " BEGIN INSERT INTO journal (what) VALUES ('delete'); END;");

  /* another connection holds the write lock, so that the first chunk waits
   * until the batches below are queued */
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  arb_store_prune_async (f->store, T0 + 1000, NULL, on_pruned, &state.prune);
  g_usleep (50 * 1000);
  arb_store_get_stats (f->store, &before);
  for (guint i = 0; i < 5; i++)
    arb_store_submit (f->store, trade_batch ("bot-a", i * 4, i * 4 + 1, 4, T0 + 5000),
                      on_ingest_done, &state);
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);

  WAIT_UNTIL (state.prune.called && state.acked == 5);
  g_assert_no_error (state.prune.error);
  g_assert_true (state.prune.ok);
  /* the acks did not wait for the prune to end: the batches went in after
   * its first chunk at most, before the other four */
  g_assert_cmpuint (state.acked_early, ==, 5);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM journal WHERE what = 'insert'"), ==, 20);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM journal WHERE what = 'delete'"
                                     " AND n > (SELECT max(n) FROM journal"
                                     " WHERE what = 'insert')"), >=, 35);
  arb_store_get_stats (f->store, &after);
  g_assert_cmpuint (after.batches - before.batches, ==, 5);
  g_assert_cmpuint (after.errors, ==, before.errors);
  g_assert_cmpuint (state.prune.pruned.trades, ==, 45);
  g_assert_cmpuint (state.prune.pruned.chunks, ==, 6 + 4);

  /* every batch continued the one before: 1..20, nothing lost */
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 20);
  g_assert_cmpint (sql_int (f->path, "SELECT count(DISTINCT seq) FROM trades"
                                     " WHERE bot_id = 'bot-a' AND seq BETWEEN 1 AND 20"), ==, 20);
  bots = arb_store_load_bots (f->store, NULL);
  g_assert_cmpuint (bots->len, ==, 2);
  g_assert_cmpstr (((ArbStoredBot *) bots->pdata[0])->identity.bot_id, ==, "bot-a");
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[0])->last_seq, ==, 20);
  g_assert_cmpint (((ArbStoredBot *) bots->pdata[1])->last_seq, ==, 45);

  /* the guard still refuses a batch that does not continue the stored seq */
  arb_store_submit (f->store, trade_batch ("bot-old", 30, 31, 2, T0 + 5000), on_done, &o);
  WAIT_UNTIL (o.called);
  g_assert_error (o.error, ARB_ERROR, ARB_ERROR_CONFLICT);
  outcome_clear (&o);
  submit_and_wait (f->store, trade_batch ("bot-old", 45, 46, 2, T0 + 5000));
  g_assert_cmpint (sql_int (f->path, "SELECT last_seq FROM bots WHERE bot_id = 'bot-old'"), ==, 47);
}

typedef struct
{
  const char *path;
  gint        locked;
} Blocker;

/* Holds the database's write lock for a moment, from another thread. */
static gpointer
block_writes (gpointer data)
{
  Blocker *b = data;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (b->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_atomic_int_set (&b->locked, 1);
  g_usleep (300 * 1000);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  return NULL;
}

static void
test_prune_cancelled_closed (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  PruneOutcome p = { 0 }, first = { 0 }, second = { 0 };
  Blocker blocker = { f->path, 0 };
  GThread *thread;
  gint64 left;

  submit_and_wait (f->store, trade_batch ("bot-a", 0, 1, 45, T0));
  _arb_store_set_prune_chunk (f->store, 10);

  /* cancelled before it ran: nothing deleted */
  g_cancellable_cancel (cancellable);
  arb_store_prune_async (f->store, T0 + 1000, cancellable, on_pruned, &p);
  WAIT_UNTIL (p.called);
  g_assert_false (p.ok);
  g_assert_error (p.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&p.error);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM trades"), ==, 45);

  /* closed while a prune waits for the lock and another is queued: the
   * close does not wait for them, both are told, no chunk is half done */
  thread = g_thread_new ("block-writes", block_writes, &blocker);
  while (!g_atomic_int_get (&blocker.locked))
    g_usleep (1000);
  arb_store_prune_async (f->store, T0 + 1000, NULL, on_pruned, &first);
  arb_store_prune_async (f->store, T0 + 1000, NULL, on_pruned, &second);
  g_usleep (50 * 1000);
  arb_store_close (f->store);
  g_thread_join (thread);
  WAIT_UNTIL (first.called && second.called);
  g_assert_error (first.error, ARB_ERROR, ARB_ERROR_UNAVAILABLE);
  g_assert_error (second.error, ARB_ERROR, ARB_ERROR_UNAVAILABLE);
  g_clear_error (&first.error);
  g_clear_error (&second.error);
  left = sql_int (f->path, "SELECT count(*) FROM trades");
  g_assert_true (left == 45 || left == 35);

  /* and after the close, at once */
  memset (&p, 0, sizeof p);
  arb_store_prune_async (f->store, T0 + 1000, NULL, on_pruned, &p);
  WAIT_UNTIL (p.called);
  g_assert_error (p.error, ARB_ERROR, ARB_ERROR_UNAVAILABLE);
  g_clear_error (&p.error);
}

/* ---------------------------------------------------------------- refused messages */

static void
test_utf8_cut (void)
{
  /* "aé€" is 1 + 2 + 3 bytes: a cut never splits a character */
  static const char text[] = "a\xc3\xa9\xe2\x82\xac";
  g_autofree char *clean = NULL;

  g_assert_cmpuint (arb_utf8_cut (text, 6, 10), ==, 6);
  g_assert_cmpuint (arb_utf8_cut (text, 6, 6), ==, 6);
  g_assert_cmpuint (arb_utf8_cut (text, 6, 5), ==, 3);
  g_assert_cmpuint (arb_utf8_cut (text, 6, 4), ==, 3);
  g_assert_cmpuint (arb_utf8_cut (text, 6, 2), ==, 1);
  g_assert_cmpuint (arb_utf8_cut (text, 6, 0), ==, 0);
  /* not UTF-8 at all: a run of continuation bytes is cut where asked */
  g_assert_cmpuint (arb_utf8_cut ("\x80\x80\x80\x80\x80\x80", 6, 5), ==, 5);

  clean = arb_utf8_sanitize ("a\xff" "b\0c\xed\xa0\x80", 8);
  g_assert_true (g_utf8_validate (clean, -1, NULL));
  g_assert_cmpstr (clean, ==, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c"
                              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
on_json_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  char **json = data;

  *json = test_rejected_page_json (arb_store_query_rejected_finish (ARB_STORE (source), result,
                                                                    &error));
  g_assert_no_error (error);
}

static ArbRejected *
make_rejected (const char *bot_id, gint64 seq, gint64 ts, const char *raw, gsize len)
{
  return arb_rejected_new (bot_id, seq, ts, ARB_ERROR_BAD_REQUEST, "pair",
                           "field 'pair' must be a string", raw, len, 65536);
}

static void
test_rejected (Fixture *f, gconstpointer data)
{
  ArbStoreBatch *b = arb_store_batch_new (NULL);
  ArbRejectedQuery q = { NULL, 2, 0, 0 };
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) bot_page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *big = g_malloc (70000);
  g_autofree char *raw_text = NULL;
  g_autofree char *cursor = NULL;
  JsonArray *rows;
  JsonObject *o;
  gint64 next = -1, row = 0;

  /* 65535 'x' then "é" across the 64 KiB limit: cut before the é */
  memset (big, 'x', 70000);
  big[65535] = '\xc3';
  big[65536] = '\xa9';
  arb_store_batch_add_rejected (b, make_rejected (NULL, 0, T0, "not json \xff\0!", 12));
  arb_store_batch_add_rejected (b, make_rejected ("bot-a", 7, T0 + 1, big, 70000));
  arb_store_batch_add_rejected (b, make_rejected ("bot-b", 3, T0 + 2, "{\"seq\":3}", 9));
  g_assert_cmpuint (arb_store_batch_get_n_rejected (b), ==, 3);
  g_assert_false (arb_store_batch_is_empty (b));
  g_assert_true (arb_rejected_is_truncated (arb_store_batch_get_rejected (b, 1)));
  submit_and_wait (f->store, b);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected"), ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT length(raw) FROM rejected WHERE seq = 7"), ==, 65535);
  g_assert_cmpint (sql_int (f->path, "SELECT raw_bytes FROM rejected WHERE seq = 7"), ==, 70000);

  /* newest first, two a page */
  page = arb_store_query_rejected (f->store, &q, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((ArbRejected *) page->pdata[0])->bot_id, ==, "bot-b");
  g_assert_cmpint (((ArbRejected *) page->pdata[0])->seq, ==, 3);
  g_assert_cmpint (((ArbRejected *) page->pdata[0])->ts, ==, T0 + 2);
  g_assert_cmpint (((ArbRejected *) page->pdata[0])->code, ==, ARB_ERROR_BAD_REQUEST);
  g_assert_cmpstr (((ArbRejected *) page->pdata[0])->field, ==, "pair");
  g_assert_cmpstr (((ArbRejected *) page->pdata[1])->bot_id, ==, "bot-a");
  g_assert_true (arb_rejected_is_truncated (page->pdata[1]));
  g_assert_cmpint (next, ==, ((ArbRejected *) page->pdata[1])->row);
  g_clear_pointer (&page, g_ptr_array_unref);
  q.before_row = next;
  page = arb_store_query_rejected (f->store, &q, &next, &error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_null (((ArbRejected *) page->pdata[0])->bot_id);
  g_assert_cmpint (((ArbRejected *) page->pdata[0])->seq, ==, 0);
  g_assert_cmpint (next, ==, 0);
  raw_text = arb_rejected_dup_raw_text (page->pdata[0]);
  g_assert_cmpstr (raw_text, ==, "not json \xef\xbf\xbd\xef\xbf\xbd!");

  /* one bot */
  q.bot_id = "bot-a";
  q.before_row = 0;
  bot_page = arb_store_query_rejected (f->store, &q, &next, &error);
  g_assert_cmpuint (bot_page->len, ==, 1);
  g_assert_cmpint (((ArbRejected *) bot_page->pdata[0])->seq, ==, 7);

  /* the JSON of the REST route: valid UTF-8 whatever the bytes were */
  q.bot_id = NULL;
  q.limit = 10;
  arb_store_query_rejected_async (f->store, &q, NULL, on_json_done, &json);
  WAIT_UNTIL (json != NULL);
  g_assert_true (g_utf8_validate (json, -1, NULL));
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_null_member (o, "next_cursor"));
  rows = json_object_get_array_member (o, "rejected");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  o = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "bot-a");
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (o, "code"), ==, "bad_request");
  g_assert_cmpstr (json_object_get_string_member (o, "field"), ==, "pair");
  g_assert_cmpint (strlen (json_object_get_string_member (o, "raw")), ==, 65535);
  g_assert_cmpint (json_object_get_int_member (o, "raw_bytes"), ==, 70000);
  g_assert_true (json_object_get_boolean_member (o, "truncated"));
  o = json_array_get_object_element (rows, 2);
  g_assert_true (json_object_get_null_member (o, "bot_id"));
  g_assert_true (json_object_get_null_member (o, "seq"));
  g_assert_cmpstr (json_object_get_string_member (o, "raw"), ==,
                   "not json \xef\xbf\xbd\xef\xbf\xbd!");
  g_assert_false (json_object_get_boolean_member (o, "truncated"));

  /* cursors */
  cursor = arb_rejected_cursor_encode (42);
  g_assert_true (arb_rejected_cursor_parse (cursor, &row));
  g_assert_cmpint (row, ==, 42);
  g_assert_false (arb_rejected_cursor_parse ("djE6MTox", &row));  /* a trade cursor */
  g_assert_false (arb_rejected_cursor_parse ("%%%", &row));
}

static void
test_rejected_caps (Fixture *f, gconstpointer data)
{
  char raw[300];

  memset (raw, 'r', sizeof raw);
  _arb_store_set_rejected_caps (f->store, 5, 1000000);
  for (guint i = 0; i < 4; i++)
    {
      ArbStoreBatch *b = arb_store_batch_new (NULL);

      for (guint j = 0; j < 3; j++)
        arb_store_batch_add_rejected (b, make_rejected ("bot-a", i * 3 + j + 1, T0, "x", 1));
      submit_and_wait (f->store, b);
      g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected"), <=, 5);
    }
  /* the newest stay */
  g_assert_cmpint (sql_int (f->path, "SELECT min(seq) FROM rejected"), ==, 8);
  g_assert_cmpint (sql_int (f->path, "SELECT max(seq) FROM rejected"), ==, 12);

  /* bytes: 1000 of raw messages hold three of 300 */
  _arb_store_set_rejected_caps (f->store, 100, 1000);
  for (guint i = 0; i < 4; i++)
    {
      ArbStoreBatch *b = arb_store_batch_new (NULL);

      arb_store_batch_add_rejected (b, make_rejected ("bot-b", 100 + i, T0, raw, sizeof raw));
      submit_and_wait (f->store, b);
    }
  g_assert_cmpint (sql_int (f->path, "SELECT total(length(raw)) FROM rejected"), <=, 1000);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected WHERE bot_id = 'bot-b'"),
                   ==, 3);
  g_assert_cmpint (sql_int (f->path, "SELECT min(seq) FROM rejected"), ==, 101);

  /* after a restart the log is counted again, and still bounded */
  reopen (f);
  _arb_store_set_rejected_caps (f->store, 2, 1000000);
  {
    ArbStoreBatch *b = arb_store_batch_new (NULL);

    arb_store_batch_add_rejected (b, make_rejected (NULL, 0, T0, "y", 1));
    submit_and_wait (f->store, b);
  }
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected"), ==, 2);
  g_assert_cmpint (sql_int (f->path, "SELECT count(*) FROM rejected WHERE bot_id IS NULL"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/arb/store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("open-creates", test_open_creates);
  ADD ("reopen-noop", test_reopen_noop);
  ADD ("newer-refused", test_newer_refused);
  ADD ("migration-fails", test_migration_fails);
  ADD ("migrate-from-v1", test_migrate_from_v1);
  ADD ("sort-v3-rows", test_sort_v3_rows);
  g_test_add_func ("/arb/store/unwritable", test_unwritable);
  g_test_add_func ("/arb/store/not-a-database", test_not_a_database);
  g_test_add_func ("/arb/store/private-files", test_private_files);
  g_test_add_func ("/arb/store/batch-accessors", test_batch_accessors);
  g_test_add_func ("/arb/store/batch-bad-seq-range", test_batch_bad_seq_range);
  ADD ("trade-round-trip", test_trade_round_trip);
  ADD ("opportunities-and-logs", test_opportunities_and_logs);
  ADD ("duplicates-ignored", test_duplicates_ignored);
  ADD ("query-filters", test_query_filters);
  ADD ("paging", test_paging);
  g_test_add_func ("/arb/store/cursor", test_cursor);
  g_test_add_func ("/arb/store/sort-cursor", test_sort_cursor);
  ADD ("sort-paging", test_sort_paging);
  ADD ("sort-inserts-between-pages", test_sort_inserts_between_pages);
  ADD ("sort-plans", test_sort_plans);
  ADD ("query-async", test_query_async);
  ADD ("seq-continuity", test_seq_continuity);
  ADD ("failed-batch-alone", test_failed_batch_alone);
  ADD ("hello-and-bots", test_hello_and_bots);
  ADD ("hello-then-first-seq", test_hello_then_first_seq);
  ADD ("meta", test_meta);
  ADD ("series", test_series);
  ADD ("audit", test_audit);
  ADD ("flush", test_flush);
  ADD ("group-commit", test_group_commit);
  ADD ("replay-ledger", test_replay_ledger);
  ADD ("replay-cancelled", test_replay_cancelled);
  ADD ("alerts", test_alerts);
  ADD ("query-items", test_query_items);
  ADD ("query-items-async", test_query_items_async);
  ADD ("recent-logs", test_recent_logs);
  ADD ("csv", test_csv);
  ADD ("csv-paging", test_csv_paging);
  ADD ("commit-histogram", test_commit_histogram);
  g_test_add_func ("/arb/store/batch-bad-hub-seq-index", test_batch_bad_hub_seq_index);
  ADD ("close-reopen", test_close_reopen);
  g_test_add_func ("/arb/store/submit-after-close", test_submit_after_close);
  ADD ("broken-schema", test_broken_schema);
  ADD ("prune", test_prune);
  ADD ("prune-beside-ingest", test_prune_beside_ingest);
  ADD ("prune-cancelled-closed", test_prune_cancelled_closed);
  g_test_add_func ("/arb/store/utf8-cut", test_utf8_cut);
  ADD ("rejected", test_rejected);
  ADD ("rejected-caps", test_rejected_caps);

#undef ADD

  return g_test_run ();
}
