/* arb-store-schema.c: the store's connections, its schema and migrations,
 * (the SQL helpers they share are in arb-sql.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "arb-store-private.h"

/* Each entry upgrades the schema by one version; never edit a released one. */
static const char *migrations[] = {
  /* 1 */
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
  " PRIMARY KEY (name, tier)) WITHOUT ROWID;",
  /* 2: viewers that come back with `since` are replayed from the store by hub seq */
  "CREATE INDEX trades_hub_seq ON trades (hub_seq);"
  "CREATE INDEX opportunities_hub_seq ON opportunities (hub_seq);"
  "CREATE INDEX logs_hub_seq ON logs (hub_seq);"
  "CREATE INDEX commands_hub_seq ON commands (hub_seq);",
  /* 3: alerts */
  "CREATE TABLE alerts (id TEXT PRIMARY KEY, rule TEXT NOT NULL, subject TEXT NOT NULL,"
  " severity TEXT NOT NULL, message TEXT NOT NULL, value REAL, threshold REAL,"
  " raised INTEGER NOT NULL, cleared INTEGER, hub_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE INDEX alerts_raised ON alerts (raised);"
  "CREATE INDEX alerts_hub_seq ON alerts (hub_seq);",
  /* 4: the log of refused bot messages (raw is a BLOB: it may not be UTF-8) */
  "CREATE TABLE rejected (row INTEGER PRIMARY KEY, bot_id TEXT, seq INTEGER,"
  " ts INTEGER NOT NULL, code TEXT NOT NULL, field TEXT, message TEXT NOT NULL,"
  " raw BLOB NOT NULL, raw_bytes INTEGER NOT NULL);"
  "CREATE INDEX rejected_ts ON rejected (ts);"
  "CREATE INDEX rejected_bot ON rejected (bot_id, row);",
  /* No index per sort column of the trade history: five of them took 40 % of
   * the ingest rate (47,000 to 28,000 events/s, harness ingest, one bot), while
   * sorting the matches of a page costs ~45 ms at 315,000 trades. */
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == ARB_STORE_SCHEMA_VERSION);

/* SQLite creates a missing database with the umask's mode (0644 as a rule),
 * and its -wal and -shm files with the database's. The file holds trading
 * data and the audit log: make it first, readable by its owner only. One that
 * exists keeps its mode: someone chose it. */
gboolean
_arb_store_create_private (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  if (errno == EEXIST)
    return TRUE;
  g_set_error (error, ARB_ERROR, ARB_ERROR_UNAVAILABLE, "cannot create database %s: %s", path,
               g_strerror (errno));
  return FALSE;
}

sqlite3 *
_arb_store_open_db (const char *path, gboolean create, GError **error)
{
  sqlite3 *db = NULL;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_UNAVAILABLE, "cannot open database %s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  /* WAL lets readers run beside the writer; FULL makes each commit survive
   * power loss, not only a crash of the process. */
  if (!_arb_sql_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

gboolean
_arb_store_migrate (sqlite3 *db, GError **error)
{
  sqlite3_stmt *s = NULL;
  int version = 0;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return _arb_sql_error (db, error, "reading the schema version");
  if (sqlite3_step (s) == SQLITE_ROW)
    version = sqlite3_column_int (s, 0);
  sqlite3_finalize (s);

  if (version > ARB_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_CONFLICT,
                   "the database has schema version %d, newer than this arbdash knows (%d); "
                   "use a newer arbdash or another --db", version, ARB_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  for (; version < ARB_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!_arb_sql_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!_arb_sql_exec (db, migrations[version], error) || !_arb_sql_exec (db, bump, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "migrating the database to version %d: ", version + 1);
          return FALSE;
        }
      if (!_arb_sql_exec (db, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}
