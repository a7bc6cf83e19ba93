/* arb-store-items.c: the store's other reads: the audit log, alerts,
 * refused messages, and the hub's discrete items and logs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-hub.h"
#include "arb-json.h"
#include "arb-store-private.h"

/* ---------------------------------------------------------------- audit */

#define COMMAND_COLUMNS \
  "id, bot_id, name, args, role, token_name, created, finished, status, message, hub_seq"

/* A command from a row of COMMAND_COLUMNS starting at column @first. */
static ArbCommand *
command_from_row (sqlite3_stmt *s, int first)
{
  ArbCommand *c = arb_command_new (_arb_sql_col_text (s, first), _arb_sql_col_text (s, first + 1),
                                   _arb_sql_col_text (s, first + 2),
                                   _arb_sql_col_text (s, first + 3),
                                   _arb_sql_col_text (s, first + 4),
                                   _arb_sql_col_text (s, first + 5),
                                   sqlite3_column_int64 (s, first + 6));

  c->finished_ms = sqlite3_column_int64 (s, first + 7);
  arb_command_status_parse (_arb_sql_col_text (s, first + 8), &c->status);
  c->message = g_strdup (_arb_sql_col_text (s, first + 9));
  c->hub_seq = sqlite3_column_int64 (s, first + 10);
  return c;
}

/**
 * arb_store_query_audit:
 * @bot_id: (nullable): only this bot's commands
 *
 * Returns: (transfer container) (element-type ArbCommand) (nullable): the
 *   @limit newest commands, newest first
 */
GPtrArray *
arb_store_query_audit (ArbStore    *self,
                       const char  *bot_id,
                       guint        limit,
                       GError     **error)
{
  g_autoptr(GPtrArray) commands = NULL;
  sqlite3_stmt *s = NULL;
  int rc;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);

  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_command_free);
  if (!_arb_sql_prepare (self->db, "SELECT " COMMAND_COLUMNS " FROM commands"
                         " WHERE ?1 IS NULL OR bot_id = ?1 ORDER BY created DESC, rowid DESC"
                         " LIMIT ?2", &s, error, "reading the audit log"))
    return NULL;
  _arb_sql_bind_text (s, 1, bot_id);
  sqlite3_bind_int (s, 2, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (commands, command_from_row (s, 0));
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      _arb_sql_error (self->db, error, "reading the audit log");
      return NULL;
    }
  return g_steal_pointer (&commands);
}

/* ---------------------------------------------------------------- alerts */

/* The alerts still active (cleared is NULL), oldest first. */
GPtrArray *
arb_store_load_active_alerts (ArbStore *self)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v2 (self->db, "SELECT " ARB_STORE_ALERT_COLUMNS " FROM alerts"
                          " WHERE cleared IS NULL ORDER BY raised", -1, &s, NULL) == SQLITE_OK)
    while (sqlite3_step (s) == SQLITE_ROW)
      g_ptr_array_add (alerts, _arb_store_alert_from_row (s));
  sqlite3_finalize (s);
  return alerts;
}

/**
 * arb_store_query_alerts:
 *
 * Returns: (transfer container) (element-type ArbAlert) (nullable): the
 *   @limit most recently raised alerts, newest first
 */
GPtrArray *
arb_store_query_alerts (ArbStore  *self,
                        guint      limit,
                        GError   **error)
{
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_alert_free);
  sqlite3_stmt *s = NULL;
  int rc;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);

  if (!_arb_sql_prepare (self->db, "SELECT " ARB_STORE_ALERT_COLUMNS " FROM alerts"
                         " ORDER BY raised DESC, rowid DESC LIMIT ?", &s, error, "reading alerts"))
    return NULL;
  sqlite3_bind_int (s, 1, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (alerts, _arb_store_alert_from_row (s));
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      _arb_sql_error (self->db, error, "reading alerts");
      return NULL;
    }
  return g_steal_pointer (&alerts);
}

/* ---------------------------------------------------------------- refused messages */

/* A page of raw messages is bounded in bytes too, as each may be 64 KiB. */
#define REJECTED_PAGE_BYTES (4 * 1024 * 1024)

static ArbRejected *
rejected_from_row (sqlite3_stmt *s)
{
  ArbRejected *r = g_new0 (ArbRejected, 1);
  const char *code = _arb_sql_col_text (s, 4);

  r->row = sqlite3_column_int64 (s, 0);
  r->bot_id = g_strdup (_arb_sql_col_text (s, 1));
  r->seq = sqlite3_column_int64 (s, 2);
  r->ts = sqlite3_column_int64 (s, 3);
  r->code = ARB_ERROR_INTERNAL;
  for (guint c = 0; c <= ARB_ERROR_INTERNAL; c++)
    if (g_strcmp0 (code, arb_error_code_name (c)) == 0)
      r->code = c;
  r->field = g_strdup (_arb_sql_col_text (s, 5));
  r->message = g_strdup (_arb_sql_col_text (s, 6));
  r->raw = g_bytes_new (sqlite3_column_blob (s, 7), sqlite3_column_bytes (s, 7));
  r->raw_bytes = sqlite3_column_int64 (s, 8);
  return r;
}

/* A page query run on a reader connection: @query is its own query struct. */
typedef GPtrArray *(*PageQuery) (sqlite3       *db,
                                 gconstpointer  query,
                                 gint64        *next_row,
                                 GError       **error);

/* Takes a reader connection from the pool for @run and gives it back, so
 * that the paged queries may run in any thread. */
static GPtrArray *
query_page (ArbStore *self, PageQuery run, gconstpointer query, gint64 *next_row, GError **error)
{
  sqlite3 *db = _arb_store_get_reader (self, error);
  GPtrArray *page;

  *next_row = 0;
  if (db == NULL)
    return NULL;
  page = run (db, query, next_row, error);
  _arb_store_put_reader (self, db);
  return page;
}

static GPtrArray *
run_rejected_query (sqlite3 *db, gconstpointer query, gint64 *next_row, GError **error)
{
  const ArbRejectedQuery *q = query;
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_rejected_free);
  sqlite3_stmt *s = NULL;
  gsize bytes = 0;
  int rc;

  *next_row = 0;
  /* the bot's index (bot_id, row) or the table's row order: no sort */
  if (!_arb_sql_prepare (db, "SELECT row, bot_id, seq, ts, code, field, message, raw, raw_bytes"
                         " FROM rejected WHERE (?1 IS NULL OR bot_id = ?1) AND row < ?2"
                         " ORDER BY row DESC LIMIT ?3", &s, error, "reading refused messages"))
    return NULL;
  _arb_sql_bind_text (s, 1, q->bot_id);
  sqlite3_bind_int64 (s, 2, q->before_row > 0 ? q->before_row : G_MAXINT64);
  sqlite3_bind_int64 (s, 3, (gint64) q->limit + 1);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      ArbRejected *last = page->len > 0 ? g_ptr_array_index (page, page->len - 1) : NULL;

      /* one row more than asked, or past the bytes: there is a next page */
      if (page->len == q->limit || (q->max_bytes > 0 && bytes >= q->max_bytes))
        {
          *next_row = last->row;
          break;
        }
      g_ptr_array_add (page, rejected_from_row (s));
      bytes += sqlite3_column_bytes (s, 7);
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _arb_sql_error (db, error, "reading refused messages");
      return NULL;
    }
  return g_steal_pointer (&page);
}

/**
 * arb_store_query_rejected:
 * @next_row: (out): the before_row of the next page, 0 on the last
 *
 * Reads on a reader connection: may be called from any thread.
 *
 * Returns: (transfer container) (element-type ArbRejected) (nullable): a
 *   page of refused messages, newest first
 */
GPtrArray *
arb_store_query_rejected (ArbStore               *self,
                          const ArbRejectedQuery *query,
                          gint64                 *next_row,
                          GError                **error)
{
  g_return_val_if_fail (ARB_IS_STORE (self), NULL);
  g_return_val_if_fail (query->limit >= 1, NULL);

  return query_page (self, run_rejected_query, query, next_row, error);
}

typedef struct
{
  char             *bot_id;
  ArbRejectedQuery  query;
} RejectedTask;

static void
rejected_task_free (RejectedTask *t)
{
  g_free (t->bot_id);
  g_free (t);
}

static void
query_rejected_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  RejectedTask *t = data;
  GError *error = NULL;
  g_autoptr(ArbRejectedPage) page = g_new0 (ArbRejectedPage, 1);

  page->rejected = arb_store_query_rejected (source, &t->query, &page->next_row, &error);
  _arb_store_task_return (task, page->rejected != NULL ? g_steal_pointer (&page) : NULL,
                          (GDestroyNotify) arb_rejected_page_free, error);
}

/**
 * arb_store_query_rejected_async:
 *
 * Reads a page in a reader thread, at most REJECTED_PAGE_BYTES of raw
 * messages unless @query bounds it lower.
 */
void
arb_store_query_rejected_async (ArbStore               *self,
                                const ArbRejectedQuery *query,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RejectedTask *t = g_new0 (RejectedTask, 1);

  g_return_if_fail (query->limit >= 1);

  t->bot_id = g_strdup (query->bot_id);
  t->query = *query;
  t->query.bot_id = t->bot_id;
  if (t->query.max_bytes == 0 || t->query.max_bytes > REJECTED_PAGE_BYTES)
    t->query.max_bytes = REJECTED_PAGE_BYTES;
  g_task_set_source_tag (task, ARB_STORE_TASK_TAG (arb_store_query_rejected_async));
  g_task_set_task_data (task, t, (GDestroyNotify) rejected_task_free);
  g_task_run_in_thread (task, query_rejected_thread);
}

/**
 * arb_store_query_rejected_finish:
 *
 * Returns: (transfer full) (nullable): the page
 */
ArbRejectedPage *
arb_store_query_rejected_finish (ArbStore      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------- hub items */

/* The stored discrete items as the hub published them: kind and topic of
 * each table, and the query of those in a range of hub seqs (the hub seq
 * is the last column). */
typedef struct
{
  const char *sql;
  const char *topic;
  const char *kind;
} ItemTable;

enum { ITEM_ALERT, ITEM_TRADE, ITEM_OPPORTUNITY, ITEM_LOG, ITEM_COMMAND };

static const ItemTable item_tables[] = {
  [ITEM_ALERT] =
  { "SELECT " ARB_STORE_ALERT_COLUMNS " FROM alerts WHERE hub_seq > ?1 AND hub_seq <= ?2"
    " ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_ALERTS, "alert" },
  [ITEM_TRADE] =
  { "SELECT " ARB_STORE_TRADE_COLUMNS ", hub_seq FROM trades WHERE hub_seq > ?1"
    " AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_TRADING, "trade" },
  [ITEM_OPPORTUNITY] =
  { "SELECT " ARB_STORE_OPPORTUNITY_COLUMNS ", hub_seq FROM opportunities WHERE hub_seq > ?1"
    " AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_TRADING, "opportunity" },
  [ITEM_LOG] =
  { "SELECT " ARB_STORE_LOG_COLUMNS ", hub_seq FROM logs"
    " WHERE hub_seq > ?1 AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_LOG, "log" },
  [ITEM_COMMAND] =
  { "SELECT rowid, " COMMAND_COLUMNS " FROM commands WHERE hub_seq > ?1 AND hub_seq <= ?2"
    " ORDER BY hub_seq LIMIT ?3", ARB_TOPIC_BOTS, "command" },
};

/* The JSON of the current row of a query of @table, and its time. */
static char *
item_from_row (sqlite3_stmt *s, guint table, gint64 *ts)
{
  ArbEvent e = { 0 };

  switch (table)
    {
    case ITEM_ALERT:
      {
        g_autoptr(ArbAlert) a = _arb_store_alert_from_row (s);

        *ts = a->cleared_ms > 0 ? a->cleared_ms : a->raised_ms;
        return arb_alert_to_json (a);
      }
    case ITEM_COMMAND:
      {
        g_autoptr(ArbCommand) c = command_from_row (s, 1);
        g_autoptr(JsonNode) node = arb_command_to_json (c);

        *ts = c->finished_ms > 0 ? c->finished_ms : c->created_ms;
        return arb_json_node_to_string (node);
      }
    case ITEM_TRADE:
      _arb_store_trade_from_row (s, &e);
      break;
    case ITEM_OPPORTUNITY:
      _arb_store_opportunity_from_row (s, &e);
      break;
    case ITEM_LOG:
    default:
      _arb_store_log_from_row (s, &e);
      break;
    }
  *ts = e.ts;
  return arb_event_to_json (&e, _arb_store_bot_from_row (s));
}

static gboolean
query_item_table (sqlite3 *db, guint table, gint64 since, gint64 upto, guint limit,
                  GPtrArray *items, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (!_arb_sql_prepare (db, item_tables[table].sql, &s, error, "replaying items"))
    return FALSE;
  sqlite3_bind_int64 (s, 1, since);
  sqlite3_bind_int64 (s, 2, upto);
  sqlite3_bind_int64 (s, 3, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      gint64 ts = 0;
      char *json = item_from_row (s, table, &ts);
      gint64 seq = sqlite3_column_int64 (s, sqlite3_column_count (s) - 1);

      g_ptr_array_add (items, arb_hub_item_new (seq, item_tables[table].topic,
                                                item_tables[table].kind, ts, NULL, json));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return _arb_sql_error (db, error, "replaying items");
  return TRUE;
}

static gint
compare_item_seq (gconstpointer a, gconstpointer b)
{
  const ArbHubItem *x = *(ArbHubItem **) a;
  const ArbHubItem *y = *(ArbHubItem **) b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/**
 * arb_store_query_items:
 * @since: items after this hub seq
 * @upto: and at most this one
 * @limit: at most this many
 *
 * The stored discrete items (trades, opportunities, logs, commands) with a
 * hub seq in (@since, @upto], in seq order, as the hub published them.
 *
 * Returns: (transfer container) (element-type ArbHubItem) (nullable): the items
 */
GPtrArray *
arb_store_query_items (ArbStore  *self,
                       gint64     since,
                       gint64     upto,
                       guint      limit,
                       GError   **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_hub_item_unref);
  sqlite3 *db = _arb_store_get_reader (self, error);
  gboolean ok = TRUE;

  if (db == NULL)
    return NULL;
  /* one snapshot for the four tables */
  _arb_sql_exec (db, "BEGIN", NULL);
  for (guint t = 0; ok && t < G_N_ELEMENTS (item_tables); t++)
    ok = query_item_table (db, t, since, upto, limit, items, error);
  _arb_sql_exec (db, "COMMIT", NULL);
  _arb_store_put_reader (self, db);
  if (!ok)
    return NULL;
  g_ptr_array_sort (items, compare_item_seq);
  if (items->len > limit)
    g_ptr_array_set_size (items, limit);
  return g_steal_pointer (&items);
}

/* A row selected as ARB_STORE_LOG_COLUMNS ", hub_seq": both log readers
 * select that, so one place turns it into a stored event. */
static ArbStoredEvent *
stored_log_from_row (sqlite3_stmt *s)
{
  ArbEvent e = { 0 };

  _arb_store_log_from_row (s, &e);
  return arb_stored_event_new (_arb_store_bot_from_row (s), sqlite3_column_int64 (s, 7),
                               _arb_store_event_dup (&e));
}

/**
 * arb_store_read_recent_logs:
 * @upto: the newest hub seq to include
 * @limit: at most this many
 *
 * The @limit newest stored logs with a hub seq of at most @upto, in seq
 * order: what a log view shows at start. Small and indexed, so it runs on
 * the calling thread.
 *
 * Returns: (transfer container) (element-type ArbStoredEvent) (nullable):
 *   the logs
 */
GPtrArray *
arb_store_read_recent_logs (ArbStore  *self,
                            gint64     upto,
                            guint      limit,
                            GError   **error)
{
  g_autoptr(GPtrArray) logs = NULL;
  sqlite3_stmt *s = NULL;
  int rc;

  g_return_val_if_fail (ARB_IS_STORE (self), NULL);

  logs = g_ptr_array_new_with_free_func ((GDestroyNotify) arb_stored_event_free);
  if (!_arb_sql_prepare (self->db, "SELECT " ARB_STORE_LOG_COLUMNS ", hub_seq FROM logs"
                         " WHERE hub_seq <= ?1 ORDER BY hub_seq DESC LIMIT ?2", &s, error,
                         "reading logs"))
    return NULL;
  sqlite3_bind_int64 (s, 1, upto);
  sqlite3_bind_int64 (s, 2, limit);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (logs, stored_log_from_row (s));
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    {
      _arb_sql_error (self->db, error, "reading logs");
      return NULL;
    }
  /* newest first from the index; the caller wants them as published */
  for (guint i = 0; i < logs->len / 2; i++)
    {
      gpointer t = logs->pdata[i];

      logs->pdata[i] = logs->pdata[logs->len - 1 - i];
      logs->pdata[logs->len - 1 - i] = t;
    }
  return g_steal_pointer (&logs);
}

static GPtrArray *
run_log_query (sqlite3 *db, gconstpointer log_query, gint64 *next_row, GError **error)
{
  const ArbLogQuery *query = log_query;
  g_autoptr(GPtrArray) page =
    g_ptr_array_new_with_free_func ((GDestroyNotify) arb_stored_event_free);
  sqlite3_stmt *s = NULL;
  gint64 last_row = 0;
  int rc;

  /* one more row than the page tells whether another page follows; the
   * CASE ranks the stored level names in the order of ArbLogLevel */
  if (!_arb_sql_prepare (db, "SELECT " ARB_STORE_LOG_COLUMNS ", hub_seq FROM logs"
                         " WHERE (?1 = 0 OR row < ?1)"
                         " AND (CASE level WHEN 'info' THEN 1 WHEN 'warning' THEN 2"
                         " WHEN 'error' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END) >= ?2"
                         " AND (?3 IS NULL OR component = ?3) AND (?4 IS NULL OR bot_id = ?4)"
                         " AND (?5 IS NULL OR instr(lower(message), lower(?5)) > 0)"
                         " ORDER BY row DESC LIMIT ?6", &s, error, "reading logs"))
    return NULL;
  sqlite3_bind_int64 (s, 1, query->before_row);
  sqlite3_bind_int (s, 2, query->min_level);
  _arb_sql_bind_text (s, 3, query->component);
  _arb_sql_bind_text (s, 4, query->bot_id);
  _arb_sql_bind_text (s, 5, query->text);
  sqlite3_bind_int64 (s, 6, (gint64) query->limit + 1);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      if (page->len == query->limit)
        {
          *next_row = last_row;
          break;
        }
      last_row = sqlite3_column_int64 (s, 0);
      g_ptr_array_add (page, stored_log_from_row (s));
    }
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _arb_sql_error (db, error, "reading logs");
      return NULL;
    }
  return g_steal_pointer (&page);
}

/**
 * arb_store_query_logs:
 * @query: the filters, the row to start below and the page size
 * @next_row: (out): the row to continue below, or 0 on the last page
 *
 * A page of stored log messages, newest first (by row, the order they were
 * stored in), that match @query: what GET /api/v1/logs serves. Reads on a
 * reader connection, so it may run in a thread. A filter on text scans the
 * table from @query->before_row down, stopping at the page's end.
 *
 * Returns: (transfer container) (element-type ArbStoredEvent) (nullable): the logs
 */
GPtrArray *
arb_store_query_logs (ArbStore           *self,
                      const ArbLogQuery  *query,
                      gint64             *next_row,
                      GError            **error)
{
  return query_page (self, run_log_query, query, next_row, error);
}

/**
 * arb_store_query_recent_logs:
 *
 * The logs of arb_store_read_recent_logs() as the hub published them.
 *
 * Returns: (transfer container) (element-type ArbHubItem) (nullable): the items
 */
GPtrArray *
arb_store_query_recent_logs (ArbStore  *self,
                             gint64     upto,
                             guint      limit,
                             GError   **error)
{
  g_autoptr(GPtrArray) logs = arb_store_read_recent_logs (self, upto, limit, error);
  GPtrArray *items;

  if (logs == NULL)
    return NULL;
  items = g_ptr_array_new_full (logs->len, (GDestroyNotify) arb_hub_item_unref);
  for (guint i = 0; i < logs->len; i++)
    {
      const ArbStoredEvent *log = g_ptr_array_index (logs, i);

      g_ptr_array_add (items, arb_hub_item_new (log->hub_seq, ARB_TOPIC_LOG, "log",
                                                log->event->ts, NULL,
                                                arb_event_to_json (log->event, log->bot_id)));
    }
  return items;
}

typedef struct
{
  gint64 since;
  gint64 upto;
  guint  limit;
} ItemQuery;

static void
query_items_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ItemQuery *q = data;
  GError *error = NULL;
  GPtrArray *items = arb_store_query_items (source, q->since, q->upto, q->limit, &error);

  _arb_store_task_return (task, items, (GDestroyNotify) g_ptr_array_unref, error);
}

void
arb_store_query_items_async (ArbStore            *self,
                             gint64               since,
                             gint64               upto,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ItemQuery *q = g_new (ItemQuery, 1);

  q->since = since;
  q->upto = upto;
  q->limit = limit;
  g_task_set_source_tag (task, ARB_STORE_TASK_TAG (arb_store_query_items_async));
  g_task_set_task_data (task, q, g_free);
  g_task_run_in_thread (task, query_items_thread);
}

GPtrArray *
arb_store_query_items_finish (ArbStore      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

