/* arb-sql.c: small SQLite helpers shared by the store and its readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A unit of its own, below the store: the row decoders (arb-store-rows.c)
 * and the trade queries (arb-trade-query.c) use them without the store's
 * private header.
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <math.h>

#include "arb-error.h"
#include "arb-sql.h"

gboolean
_arb_sql_error (sqlite3 *db, GError **error, const char *what)
{
  int code = sqlite3_extended_errcode (db);
  ArbErrorCode arb = (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_BUSY ||
                     (code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_READONLY ||
                     (code & 0xff) == SQLITE_CANTOPEN
                     ? ARB_ERROR_UNAVAILABLE : ARB_ERROR_INTERNAL;

  g_set_error (error, ARB_ERROR, arb, "%s: %s", what, sqlite3_errmsg (db));
  return FALSE;
}

gboolean
_arb_sql_prepare (sqlite3 *db, const char *sql, sqlite3_stmt **s, GError **error,
                  const char *what)
{
  if (sqlite3_prepare_v2 (db, sql, -1, s, NULL) != SQLITE_OK)
    return _arb_sql_error (db, error, what);
  return TRUE;
}

gboolean
_arb_sql_exec (sqlite3 *db, const char *sql, GError **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return _arb_sql_error (db, error, "database");
  return TRUE;
}

void
_arb_sql_bind_text (sqlite3_stmt *s, int i, const char *v)
{
  if (v != NULL)
    sqlite3_bind_text (s, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (s, i);
}

void
_arb_sql_bind_double (sqlite3_stmt *s, int i, double v)
{
  if (isnan (v))
    sqlite3_bind_null (s, i);
  else
    sqlite3_bind_double (s, i, v);
}

void
_arb_sql_bind_opt_int (sqlite3_stmt *s, int i, gint64 v)
{
  if (v < 0)
    sqlite3_bind_null (s, i);
  else
    sqlite3_bind_int64 (s, i, v);
}

const char *
_arb_sql_col_text (sqlite3_stmt *s, int i)
{
  return (const char *) sqlite3_column_text (s, i);
}

double
_arb_sql_col_double (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_NULL ? NAN : sqlite3_column_double (s, i);
}

gint64
_arb_sql_col_opt_int (sqlite3_stmt *s, int i)
{
  return sqlite3_column_type (s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64 (s, i);
}
