/* arb-trade-query.c: the orders of the trade history, its keyset cursors,
 * and the statements that read one page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-cursor.h"
#include "arb-sql.h"
#include "arb-store-rows-private.h"
#include "arb-trade-query-private.h"

typedef enum
{
  KEY_INT,
  KEY_NUMBER,
  KEY_TEXT,
} KeyType;

/* SQLite cannot compare a NULL with a cursor's key, so a trade without a gas
 * cost sorts as -inf, below every cost. */
#define GAS_COST_KEY "ifnull(gas_cost, -1e999)"

/* What each order sorts by: an SQL expression; only the time has an index
 * on (key, row) (trades_ts, and trades_bot_ts for one bot). */
static const struct
{
  const char *name;   /* in cursors and the REST API */
  const char *key;
  KeyType     type;
} trade_sorts[ARB_TRADE_N_SORTS] = {
  [ARB_TRADE_SORT_TIME] = { "time", "ts", KEY_INT },
  [ARB_TRADE_SORT_PROFIT] = { "profit", "profit", KEY_NUMBER },
  [ARB_TRADE_SORT_GAS_COST] = { "gas_cost", GAS_COST_KEY, KEY_NUMBER },
  [ARB_TRADE_SORT_PAIR] = { "pair", "pair", KEY_TEXT },
  [ARB_TRADE_SORT_BOT] = { "bot_id", "bot_id", KEY_TEXT },
  [ARB_TRADE_SORT_STATUS] = { "status", "status", KEY_TEXT },
};

/**
 * arb_trade_sort_name:
 *
 * Returns: the name of @sort in the REST API: "time", "profit", "gas_cost",
 *   "pair", "bot_id" or "status"
 */
const char *
arb_trade_sort_name (ArbTradeSort sort)
{
  g_return_val_if_fail ((guint) sort < ARB_TRADE_N_SORTS, NULL);
  return trade_sorts[sort].name;
}

/**
 * arb_trade_sort_parse:
 * @sort: (out): the order named @name
 *
 * Returns: whether @name is the name of an order
 */
gboolean
arb_trade_sort_parse (const char   *name,
                      ArbTradeSort *sort)
{
  for (guint i = 0; i < ARB_TRADE_N_SORTS; i++)
    if (g_strcmp0 (name, trade_sorts[i].name) == 0)
      {
        *sort = (ArbTradeSort) i;
        return TRUE;
      }
  return FALSE;
}

void
arb_trade_query_init (ArbTradeQuery *q)
{
  memset (q, 0, sizeof *q);
  q->status = -1;
  q->after = G_MININT64;
  q->before = G_MAXINT64;
  q->limit = 100;
  q->sort = ARB_TRADE_SORT_TIME;
  q->ascending = FALSE;
}

void
arb_trade_query_clear (ArbTradeQuery *q)
{
  g_clear_pointer (&q->bot_id, g_free);
  g_clear_pointer (&q->pair, g_free);
  g_clear_pointer (&q->cursor_text, g_free);
}

ArbTradeQuery *
_arb_trade_query_copy (const ArbTradeQuery *q)
{
  ArbTradeQuery *c = g_memdup2 (q, sizeof *q);

  c->bot_id = g_strdup (q->bot_id);
  c->pair = g_strdup (q->pair);
  c->cursor_text = g_strdup (q->cursor_text);
  return c;
}

void
_arb_trade_query_free (ArbTradeQuery *q)
{
  arb_trade_query_clear (q);
  g_free (q);
}

static gboolean
is_default_order (const ArbTradeQuery *q)
{
  return q->sort == ARB_TRADE_SORT_TIME && !q->ascending;
}

/* The cursor of the default order (newest first) is "v1:TS:ROW", as it
 * was before there were other orders. */
char *
arb_trade_cursor_encode (gint64 ts,
                         gint64 row)
{
  g_autofree char *plain = g_strdup_printf ("v1:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, ts, row);

  return _arb_cursor_from_text (plain);
}

/* The sort key follows ARB_STORE_TRADE_COLUMNS in a trade query. */
#define TRADE_KEY_COLUMN 19

/* The cursor after the current row of @s, a row of a query of @q. Other
 * orders than the default are "v2:SORT:asc|desc:ROW:KEY": the order is in
 * it, so that a cursor of one order is not taken for another; KEY comes
 * last as a text key may hold ':'. A number is written to round-trip. */
static char *
cursor_after_row (const ArbTradeQuery *q, sqlite3_stmt *s)
{
  gint64 row = sqlite3_column_int64 (s, 0);
  g_autoptr(GString) plain = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (is_default_order (q))
    return arb_trade_cursor_encode (sqlite3_column_int64 (s, TRADE_KEY_COLUMN), row);
  plain = g_string_new (NULL);
  g_string_printf (plain, "v2:%s:%s:%" G_GINT64_FORMAT ":", trade_sorts[q->sort].name,
                   q->ascending ? "asc" : "desc", row);
  switch (trade_sorts[q->sort].type)
    {
    case KEY_INT:
      g_string_append_printf (plain, "%" G_GINT64_FORMAT,
                              (gint64) sqlite3_column_int64 (s, TRADE_KEY_COLUMN));
      break;
    case KEY_NUMBER:
      g_string_append (plain, g_ascii_dtostr (buf, sizeof buf,
                                              sqlite3_column_double (s, TRADE_KEY_COLUMN)));
      break;
    case KEY_TEXT:
    default:
      g_string_append (plain, _arb_sql_col_text (s, TRADE_KEY_COLUMN));
      break;
    }
  return _arb_cursor_from_text (plain->str);
}

static gboolean
parse_number (const char *text, double *out)
{
  char *end = NULL;

  if (*text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return *end == '\0' && !isnan (*out);
}

/* Parses "v2:SORT:ORDER:ROW:KEY" of @q's order into the cursor fields. */
static gboolean
parse_cursor_v2 (ArbTradeQuery *q, const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 5);
  gint64 row, ts = 0;
  double number = 0;

  if (is_default_order (q) || g_strv_length (parts) != 5 || !g_str_equal (parts[0], "v2") ||
      !g_str_equal (parts[1], trade_sorts[q->sort].name) ||
      !g_str_equal (parts[2], q->ascending ? "asc" : "desc") ||
      !g_ascii_string_to_signed (parts[3], 10, 1, G_MAXINT64, &row, NULL))
    return FALSE;
  if (trade_sorts[q->sort].type == KEY_INT &&
      !g_ascii_string_to_signed (parts[4], 10, G_MININT64, G_MAXINT64, &ts, NULL))
    return FALSE;
  if (trade_sorts[q->sort].type == KEY_NUMBER && !parse_number (parts[4], &number))
    return FALSE;
  q->has_cursor = TRUE;
  q->cursor_row = row;
  q->cursor_ts = ts;
  q->cursor_number = number;
  g_free (q->cursor_text);
  q->cursor_text = trade_sorts[q->sort].type == KEY_TEXT ? g_strdup (parts[4]) : NULL;
  return TRUE;
}

/**
 * arb_trade_query_set_cursor:
 * @cursor: a next_cursor of a page of this query
 *
 * Makes @q read the page after @cursor. The cursor holds its order: set
 * @q's sort and direction first.
 *
 * Returns: whether @cursor is one of ours, of @q's order
 */
gboolean
arb_trade_query_set_cursor (ArbTradeQuery *q,
                            const char    *cursor)
{
  g_autofree char *text = _arb_cursor_to_text (cursor);
  g_auto(GStrv) parts = NULL;
  gint64 ts, row;

  if (text == NULL)
    return FALSE;
  if (!g_str_has_prefix (text, "v1:"))
    return parse_cursor_v2 (q, text);
  /* not sscanf(): a number beyond 64 bits is undefined behaviour there */
  parts = g_strsplit (text, ":", 4);
  if (!is_default_order (q) || g_strv_length (parts) != 3 ||
      !g_ascii_string_to_signed (parts[1], 10, G_MININT64, G_MAXINT64, &ts, NULL) ||
      !g_ascii_string_to_signed (parts[2], 10, 1, G_MAXINT64, &row, NULL))
    return FALSE;
  q->has_cursor = TRUE;
  q->cursor_ts = ts;
  q->cursor_row = row;
  return TRUE;
}

/* The statements that read a page. The first page reads from the start of
 * the order; a later one reads the trades that tie with the cursor's key
 * and come after its row, then those past its key. Each is a seek in the
 * order's index: SQLite does not seek to a row value (key, row) when row is
 * the rowid (it walks all the ties instead), but does to "key = ? AND
 * row < ?" and to "key < ?". */
typedef enum
{
  PART_FROM_START,
  PART_TIES,
  PART_PAST_KEY,
  N_PARTS
} PagePart;

static void
add_term (GString *sql, gboolean *first, const char *term)
{
  g_string_append (sql, *first ? " WHERE " : " AND ");
  g_string_append (sql, term);
  *first = FALSE;
}

static char *
trade_query_sql (const ArbTradeQuery *q, PagePart part)
{
  const char *key = trade_sorts[q->sort].key;
  const char *desc = q->ascending ? "" : " DESC";
  const char *past = q->ascending ? ">" : "<";
  gboolean by_time = q->sort == ARB_TRADE_SORT_TIME;
  /* where the cursor's key is no bound to seek to instead */
  gboolean seek_after = by_time && (part == PART_FROM_START ||
                                    (part == PART_PAST_KEY && !q->ascending));
  gboolean seek_before = by_time && (part == PART_FROM_START ||
                                     (part == PART_PAST_KEY && q->ascending));
  GString *sql = g_string_new (NULL);
  gboolean first = TRUE;
  g_autofree char *ties = g_strdup_printf ("%s = ?6 AND row %s ?7", key, past);
  g_autofree char *past_key = g_strdup_printf ("%s %s ?6", key, past);

  g_string_printf (sql, "SELECT " ARB_STORE_TRADE_COLUMNS ", %s FROM trades", key);
  /* The time order walks trades_ts (trades_bot_ts for a bot) and seeks to
   * its range: SQLite seeks to one bound a side only, so the other is written
   * "+ts", which it checks on the way. Other orders have no index of their
   * own: SQLite finds the matches (by bot or time where it can) and keeps
   * the page's first rows in order. */
  if (q->after != G_MININT64)
    add_term (sql, &first, seek_after || !by_time ? "ts > ?1" : "+ts > ?1");
  if (q->before != G_MAXINT64)
    add_term (sql, &first, seek_before || !by_time ? "ts < ?2" : "+ts < ?2");
  if (q->bot_id != NULL)
    add_term (sql, &first, "bot_id = ?3");
  if (q->pair != NULL)
    add_term (sql, &first, "pair = ?4");
  if (q->status >= 0)
    add_term (sql, &first, "status = ?5");
  if (part == PART_TIES)
    add_term (sql, &first, ties);
  else if (part == PART_PAST_KEY)
    add_term (sql, &first, past_key);
  /* the cursor key's ties, by row */
  if (part == PART_TIES)
    g_string_append_printf (sql, " ORDER BY row%s LIMIT ?8", desc);
  else
    g_string_append_printf (sql, " ORDER BY %s%s, row%s LIMIT ?8", key, desc, desc);
  return g_string_free (sql, FALSE);
}

static sqlite3_stmt *
prepare_trade_query (sqlite3 *db, const ArbTradeQuery *q, PagePart part, guint limit,
                     GError **error)
{
  g_autofree char *sql = trade_query_sql (q, part);
  sqlite3_stmt *s = NULL;

  if (!_arb_sql_prepare (db, sql, &s, error, "querying trades"))
    return NULL;
  /* parameters the statement does not use are bound all the same: harmless */
  sqlite3_bind_int64 (s, 1, q->after);
  sqlite3_bind_int64 (s, 2, q->before);
  _arb_sql_bind_text (s, 3, q->bot_id);
  _arb_sql_bind_text (s, 4, q->pair);
  if (q->status >= 0)
    _arb_sql_bind_text (s, 5, arb_trade_status_name (q->status));
  switch (trade_sorts[q->sort].type)
    {
    case KEY_INT:
      sqlite3_bind_int64 (s, 6, q->cursor_ts);
      break;
    case KEY_NUMBER:
      sqlite3_bind_double (s, 6, q->cursor_number);
      break;
    case KEY_TEXT:
    default:
      _arb_sql_bind_text (s, 6, q->cursor_text);
      break;
    }
  sqlite3_bind_int64 (s, 7, q->cursor_row);
  sqlite3_bind_int64 (s, 8, limit);
  return s;
}

/* Runs @q, calling @row for each trade of the page; returns whether it
 * could, *more whether rows follow, and then the cursor after the last. */
gboolean
_arb_trade_query_run (sqlite3              *db,
                      const ArbTradeQuery  *q,
                      ArbTradeRowFunc       row,
                      gpointer              data,
                      gboolean             *more,
                      char                **next_cursor,
                      GError              **error)
{
  static const PagePart from_start[] = { PART_FROM_START };
  static const PagePart after_cursor[] = { PART_TIES, PART_PAST_KEY };
  const PagePart *parts = q->has_cursor ? after_cursor : from_start;
  guint n_parts = q->has_cursor ? G_N_ELEMENTS (after_cursor) : G_N_ELEMENTS (from_start);
  g_autofree char *cursor = NULL;
  guint n = 0;

  *more = FALSE;
  for (guint p = 0; p < n_parts && !*more; p++)
    {
      /* one row more than asked tells whether there is a next page */
      sqlite3_stmt *s = prepare_trade_query (db, q, parts[p], q->limit + 1 - n, error);
      int rc;

      if (s == NULL)
        return FALSE;
      while ((rc = sqlite3_step (s)) == SQLITE_ROW)
        {
          ArbEvent e = { 0 };

          if (n == q->limit)
            {
              *more = TRUE;
              break;
            }
          _arb_store_trade_from_row (s, &e);
          row (_arb_sql_col_text (s, 1), &e, data);
          if (++n == q->limit)
            cursor = cursor_after_row (q, s);
        }
      sqlite3_finalize (s);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return _arb_sql_error (db, error, "querying trades");
    }
  *next_cursor = *more ? g_steal_pointer (&cursor) : NULL;
  return TRUE;
}

/* For tests: the query plans (EXPLAIN QUERY PLAN) of the statements that
 * read a page of @q, from the start and after a cursor, one line each step. */
char *
_arb_trade_query_explain (sqlite3              *db,
                          const ArbTradeQuery  *q,
                          GError              **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (PagePart part = PART_FROM_START; part < N_PARTS; part++)
    {
      g_autofree char *sql = trade_query_sql (q, part);
      g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
      sqlite3_stmt *s = NULL;

      if (!_arb_sql_prepare (db, explain, &s, error, "explaining a trade query"))
        return NULL;
      while (sqlite3_step (s) == SQLITE_ROW)
        g_string_append_printf (out, "%d: %s\n", part, _arb_sql_col_text (s, 3));
      sqlite3_finalize (s);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
