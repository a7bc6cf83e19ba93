/* arb-sql.h: small SQLite helpers shared by the store and its readers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not API.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets @error from @db's last error (ARB_ERROR_UNAVAILABLE when the disk is
 * full, busy or unreadable, else ARB_ERROR_INTERNAL); returns FALSE. */
gboolean      _arb_sql_error          (sqlite3        *db,
                                       GError        **error,
                                       const char     *what);
/* Prepares @sql into @s; on failure sets @error as _arb_sql_error() does,
 * with @s NULL (nothing to finalize), and returns FALSE. */
gboolean      _arb_sql_prepare        (sqlite3        *db,
                                       const char     *sql,
                                       sqlite3_stmt  **s,
                                       GError        **error,
                                       const char     *what);
gboolean      _arb_sql_exec           (sqlite3        *db,
                                       const char     *sql,
                                       GError        **error);
/* NULL binds NULL; the text must outlive the statement's step. */
void          _arb_sql_bind_text      (sqlite3_stmt   *s,
                                       int             i,
                                       const char     *v);
/* NaN binds NULL. */
void          _arb_sql_bind_double    (sqlite3_stmt   *s,
                                       int             i,
                                       double          v);
/* A negative value binds NULL. */
void          _arb_sql_bind_opt_int   (sqlite3_stmt   *s,
                                       int             i,
                                       gint64          v);
const char   *_arb_sql_col_text       (sqlite3_stmt   *s,
                                       int             i);
/* NULL reads as NaN. */
double        _arb_sql_col_double     (sqlite3_stmt   *s,
                                       int             i);
/* NULL reads as -1. */
gint64        _arb_sql_col_opt_int    (sqlite3_stmt   *s,
                                       int             i);

G_END_DECLS
