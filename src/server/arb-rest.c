/* arb-rest.c: the REST routes under /api/v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every route validates its parameters and answers errors in the
 * protocol's shape; queries that may take long run in the store's reader
 * threads, so the main loop keeps taking events meanwhile.
 */
#define G_LOG_DOMAIN "arb-rest"

#include "config.h"

#include <string.h>

#include "arb-http.h"
#include "arb-json.h"
#include "arb-rest-private.h"
#include "arb-server-private.h"

#define BODY_KEY "arb-body"

typedef struct
{
  ArbServer         *server;
  ArbEngine         *engine;
  SoupServerMessage *msg;
  GHashTable        *query;   /* decoded parameters */
  const char        *token_name;
  ArbRole            role;
} Request;

typedef void (*RouteFunc) (Request *r);

typedef struct
{
  const char *method;
  const char *path;      /* exact, or a prefix when it ends with '/' */
  ArbRole     role;
  RouteFunc   func;
} Route;

/* ---------------------------------------------------------------- parameters */

/* Decodes a query string strictly: a malformed escape is an error naming
 * its parameter, not a silently dropped value. */
GHashTable *
_arb_rest_parse_query (const char *raw, char **bad_key)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) pairs = NULL;

  *bad_key = NULL;
  if (raw == NULL)
    return g_steal_pointer (&params);
  pairs = g_strsplit (raw, "&", -1);
  for (char **p = pairs; *p != NULL; p++)
    {
      char *eq = strchr (*p, '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (**p == '\0')
        continue;
      if (eq != NULL)
        *eq = '\0';
      g_strdelimit (*p, "+", ' ');
      key = g_uri_unescape_string (*p, NULL);
      if (eq != NULL)
        {
          g_strdelimit (eq + 1, "+", ' ');
          value = g_uri_unescape_string (eq + 1, NULL);
        }
      else
        value = g_strdup ("");
      if (key == NULL || value == NULL || !g_utf8_validate (value, -1, NULL))
        {
          *bad_key = g_strdup (key != NULL ? key : *p);
          return NULL;
        }
      g_hash_table_replace (params, g_steal_pointer (&key), g_steal_pointer (&value));
    }
  return g_steal_pointer (&params);
}

static void
bad_param (Request *r, const char *name, const char *what)
{
  g_autofree char *m = g_strdup_printf ("parameter '%s' %s", name, what);

  arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, name, m);
}

static gboolean
param_int (Request *r, const char *name, gint64 min, gint64 max, gint64 *out)
{
  const char *v = g_hash_table_lookup (r->query, name);
  g_autofree char *what = NULL;

  if (v == NULL)
    return TRUE;
  if (g_ascii_string_to_signed (v, 10, min, max, out, NULL))
    return TRUE;
  what = g_strdup_printf ("must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                          min, max);
  bad_param (r, name, what);
  return FALSE;
}

static gboolean
param_ident (Request *r, const char *name, const char **out)
{
  const char *v = g_hash_table_lookup (r->query, name);

  *out = v;
  if (v == NULL || arb_is_identifier (v))
    return TRUE;
  bad_param (r, name, "must be 1 to 128 characters of [A-Za-z0-9._:-]");
  return FALSE;
}

/* ---------------------------------------------------------------- routes */

static void
route_health (Request *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "uptime_s");
  json_builder_add_int_value (b, (g_get_real_time () / 1000 -
                                  arb_engine_get_started_ms (r->engine)) / 1000);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  arb_http_send_json (r->msg, SOUP_STATUS_OK, body);
}

static void
events_done (guint status, JsonNode *answer, gpointer data)
{
  SoupServerMessage *msg = data;

  arb_http_send_json (msg, status, answer);
  g_object_unref (msg);
}

typedef struct
{
  GByteArray *data;
  gsize       limit;
  gboolean    overflow;
} Body;

static void
body_free (Body *b)
{
  g_byte_array_unref (b->data);
  g_free (b);
}

static void
route_events (Request *r)
{
  Body *body = g_object_get_data (G_OBJECT (r->msg), BODY_KEY);
  ArbIngest *ingest = arb_engine_get_ingest (r->engine);
  const ArbToken *token = arb_config_find_token (_arb_server_get_config (r->server),
                                                 r->token_name);

  if (body == NULL || body->overflow)
    {
      arb_http_send_error (r->msg, ARB_ERROR_TOO_LARGE, NULL,
                           "the body is larger than the limit of one batch (1 MiB)");
      return;
    }
  arb_http_pause (r->msg);
  arb_ingest_post_full (ingest, (const char *) body->data->data, body->data->len,
                        token != NULL ? (const char *const *) token->bot_ids : NULL, events_done,
                        g_object_ref (r->msg));
}

static void
trades_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(SoupServerMessage) msg = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbTradePage) page = arb_store_query_trades_finish (ARB_STORE (source), result,
                                                                &error);

  if (page != NULL)
    arb_http_send_text (msg, SOUP_STATUS_OK, arb_trade_page_to_json (page));
  else
    arb_http_send_error (msg, error->domain == ARB_ERROR ? error->code : ARB_ERROR_INTERNAL,
                         NULL, error->message);
}

static gboolean
trade_filters (Request *r, ArbTradeQuery *q)
{
  const char *bot_id, *pair = g_hash_table_lookup (r->query, "pair");
  const char *status = g_hash_table_lookup (r->query, "status");
  const char *cursor = g_hash_table_lookup (r->query, "cursor");
  const char *sort = g_hash_table_lookup (r->query, "sort");
  const char *order = g_hash_table_lookup (r->query, "order");
  gint64 limit = 100;
  ArbTradeStatus st;

  if (!param_ident (r, "bot_id", &bot_id) ||
      !param_int (r, "after", G_MININT64, G_MAXINT64, &q->after) ||
      !param_int (r, "before", G_MININT64, G_MAXINT64, &q->before) ||
      !param_int (r, "limit", 1, 1000, &limit))
    return FALSE;
  if (pair != NULL && (*pair == '\0' || strlen (pair) > 128))
    {
      bad_param (r, "pair", "must be 1 to 128 characters");
      return FALSE;
    }
  if (status != NULL && !arb_trade_status_parse (status, &st))
    {
      bad_param (r, "status", "must be filled, failed or reverted");
      return FALSE;
    }
  if (sort != NULL && !arb_trade_sort_parse (sort, &q->sort))
    {
      bad_param (r, "sort", "must be time, profit, gas_cost, pair, bot_id or status");
      return FALSE;
    }
  if (order != NULL && !g_str_equal (order, "asc") && !g_str_equal (order, "desc"))
    {
      bad_param (r, "order", "must be asc or desc");
      return FALSE;
    }
  q->ascending = g_strcmp0 (order, "asc") == 0;
  /* after the order: a cursor holds the order it was given out for */
  if (cursor != NULL && !arb_trade_query_set_cursor (q, cursor))
    {
      bad_param (r, "cursor", "is not a cursor this server gave out for this order");
      return FALSE;
    }
  q->bot_id = g_strdup (bot_id);
  q->pair = g_strdup (pair);
  q->status = status != NULL ? (int) st : -1;
  q->limit = limit;
  return TRUE;
}

gboolean
_arb_rest_trade_filters (SoupServerMessage *msg, GHashTable *query, ArbTradeQuery *q)
{
  Request r = { NULL, NULL, msg, query, NULL, ARB_ROLE_NONE };

  return trade_filters (&r, q);
}

static void
route_trades (Request *r)
{
  ArbTradeQuery q;

  arb_trade_query_init (&q);
  if (trade_filters (r, &q))
    {
      arb_http_pause (r->msg);
      arb_store_query_trades_async (arb_engine_get_store (r->engine), &q, NULL, trades_done,
                                    g_object_ref (r->msg));
    }
  arb_trade_query_clear (&q);
}


/* GET /trades.csv: the same filters as /trades, every matching row, sent
 * in chunks of a page each, so the whole result is never in memory. */
typedef struct
{
  SoupServerMessage *msg;
  ArbStore          *store;
  ArbTradeQuery      query;
  GCancellable      *cancellable;
  gboolean           more;
  gboolean           busy;
} CsvJob;

static void csv_next (CsvJob *job);

static void
csv_job_free (CsvJob *job)
{
  g_cancellable_cancel (job->cancellable);
  g_clear_object (&job->cancellable);
  arb_trade_query_clear (&job->query);
  g_clear_object (&job->store);
  g_free (job);
}

static void
csv_page_done (GObject *source, GAsyncResult *result, gpointer data)
{
  CsvJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbCsvPage) page = arb_store_query_trades_csv_finish (ARB_STORE (source), result,
                                                                  &error);
  SoupMessageBody *body;

  if (page == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  job->busy = FALSE;
  body = soup_server_message_get_response_body (job->msg);
  if (page == NULL)
    {
      /* the header went out already: all we can do is end the body short */
      g_warning ("CSV export failed: %s", error->message);
      job->more = FALSE;
    }
  else
    {
      gsize len = strlen (page->text);

      if (len > 0)
        soup_message_body_append (body, SOUP_MEMORY_TAKE, g_steal_pointer (&page->text), len);
      job->more = page->more;
      /* the store's own cursor, of this order: refused only by a bug */
      if (job->more && !arb_trade_query_set_cursor (&job->query, page->next_cursor))
        {
          g_warning ("CSV export: the store's cursor was refused");
          job->more = FALSE;
        }
    }
  if (!job->more)
    soup_message_body_complete (body);
  soup_server_message_unpause (job->msg);
}

static void
csv_next (CsvJob *job)
{
  job->busy = TRUE;
  soup_server_message_pause (job->msg);
  arb_store_query_trades_csv_async (job->store, &job->query, job->cancellable, csv_page_done,
                                    job);
}

static void
csv_wrote_chunk (SoupServerMessage *msg, CsvJob *job)
{
  if (job->more && !job->busy)
    csv_next (job);
}

static void
csv_finished (SoupServerMessage *msg, CsvJob *job)
{
  g_signal_handlers_disconnect_by_data (msg, job);
  g_object_set_data (G_OBJECT (msg), "arb-csv-job", NULL);   /* frees the job */
}

static void
route_trades_csv (Request *r)
{
  CsvJob *job = g_new0 (CsvJob, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (r->msg);
  SoupMessageBody *body = soup_server_message_get_response_body (r->msg);

  arb_trade_query_init (&job->query);
  if (!trade_filters (r, &job->query) || g_hash_table_contains (r->query, "limit"))
    {
      if (g_hash_table_contains (r->query, "limit") &&
          soup_server_message_get_status (r->msg) == 0)
        bad_param (r, "limit", "does not apply to the CSV export: it has every row");
      arb_trade_query_clear (&job->query);
      g_free (job);
      return;
    }
  job->query.limit = 1000;
  job->msg = r->msg;
  job->store = g_object_ref (arb_engine_get_store (r->engine));
  job->cancellable = g_cancellable_new ();
  job->more = TRUE;
  soup_server_message_set_status (r->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_replace (headers, "Content-Type", "text/csv; charset=utf-8");
  soup_message_headers_replace (headers, "Content-Disposition",
                                "attachment; filename=\"trades.csv\"");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_body_truncate (body);
  /* sent chunks are not kept: memory stays at one page */
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, arb_trade_csv_header,
                            strlen (arb_trade_csv_header));
  /* the message owns the job: a message dropped without "finished" (a
   * shutdown in the middle of an export) takes it along */
  g_object_set_data_full (G_OBJECT (r->msg), "arb-csv-job", job, (GDestroyNotify) csv_job_free);
  g_signal_connect (r->msg, "wrote-chunk", G_CALLBACK (csv_wrote_chunk), job);
  g_signal_connect (r->msg, "finished", G_CALLBACK (csv_finished), job);
}

static void
route_summary (Request *r)
{
  const char *window_name = g_hash_table_lookup (r->query, "window");
  const char *tz_name = g_hash_table_lookup (r->query, "tz");
  const char *bot_id;
  ArbWindow window = ARB_WINDOW_ALL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  gint64 now_ms = g_get_real_time () / 1000;

  if (!param_ident (r, "bot_id", &bot_id))
    return;
  if (window_name != NULL && !arb_window_parse (window_name, &window))
    {
      bad_param (r, "window", "must be 1h, 24h, 7d or all");
      return;
    }
  /* the browser's time zone, whose midnight starts its "today" */
  if (tz_name != NULL && (strlen (tz_name) > 64 || strchr (tz_name, '.') != NULL ||
                          tz_name[0] == '/' ||
                          (tz = g_time_zone_new_identifier (tz_name)) == NULL))
    {
      bad_param (r, "tz", "must be a time zone such as Europe/Berlin or UTC");
      return;
    }
  body = arb_ledger_summary_json (arb_engine_get_ledger (r->engine), window, bot_id, now_ms);
  if (tz != NULL)
    json_object_set_double_member (json_node_get_object (body), "net_profit_today",
                                   arb_ledger_get_profit_today (arb_engine_get_ledger (r->engine),
                                                                bot_id, now_ms, tz));
  /* right after a start the figures are still being rebuilt from disk */
  json_object_set_boolean_member (json_node_get_object (body), "complete",
                                  arb_engine_is_ledger_ready (r->engine));
  arb_http_send_json (r->msg, SOUP_STATUS_OK, body);
}

static void
route_system (Request *r)
{
  const ArbSystemSample *s = arb_sampler_get_latest (arb_engine_get_sampler (r->engine));
  g_autoptr(JsonNode) body = NULL;

  if (s == NULL)
    {
      arb_http_send_error (r->msg, ARB_ERROR_UNAVAILABLE, NULL,
                           "no system sample yet: try again in a second");
      return;
    }
  body = arb_system_sample_to_json (s);
  arb_http_send_json (r->msg, SOUP_STATUS_OK, body);
}

static void
route_bots (Request *r)
{
  g_autoptr(GPtrArray) bots = arb_ingest_list_bots (arb_engine_get_ingest (r->engine));
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bots");
  json_builder_begin_array (b);
  for (guint i = 0; i < bots->len; i++)
    json_builder_add_value (b, arb_bot_link_to_json (g_ptr_array_index (bots, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  arb_http_send_json (r->msg, SOUP_STATUS_OK, body);
}

static void
route_audit (Request *r)
{
  const char *bot_id;
  gint64 limit = 100;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) commands = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) body = NULL;

  if (!param_ident (r, "bot_id", &bot_id) || !param_int (r, "limit", 1, 1000, &limit))
    return;
  commands = arb_store_query_audit (arb_engine_get_store (r->engine), bot_id, limit, &error);
  if (commands == NULL)
    {
      arb_http_send_error (r->msg, ARB_ERROR_INTERNAL, NULL, error->message);
      return;
    }
  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (guint i = 0; i < commands->len; i++)
    json_builder_add_value (b, arb_command_to_json (g_ptr_array_index (commands, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  arb_http_send_json (r->msg, SOUP_STATUS_OK, body);
}

static void
rejected_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(SoupServerMessage) msg = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArbRejectedPage) page = arb_store_query_rejected_finish (ARB_STORE (source), result,
                                                                     &error);

  if (page != NULL)
    arb_http_send_text (msg, SOUP_STATUS_OK, arb_rejected_page_to_json (page));
  else
    arb_http_send_error (msg, error->domain == ARB_ERROR ? error->code : ARB_ERROR_INTERNAL,
                         NULL, error->message);
}

/* GET /rejected: the log of refused bot messages, newest first. */
static void
route_rejected (Request *r)
{
  const char *cursor = g_hash_table_lookup (r->query, "cursor");
  ArbRejectedQuery q = { NULL, 100, 0, 0 };
  gint64 limit = 100;

  if (!param_ident (r, "bot_id", &q.bot_id) || !param_int (r, "limit", 1, 1000, &limit))
    return;
  if (cursor != NULL && !arb_rejected_cursor_parse (cursor, &q.before_row))
    {
      bad_param (r, "cursor", "is not a cursor of /rejected that this server gave out");
      return;
    }
  q.limit = limit;
  arb_http_pause (r->msg);
  arb_store_query_rejected_async (arb_engine_get_store (r->engine), &q, NULL, rejected_done,
                                  g_object_ref (r->msg));
}

/* GET /logs: stored log messages, newest first, paged by an opaque cursor
 * (base64url of "l1:ROW", the row to continue below). */
#define LOG_CURSOR_MAX_LEN 40

static char *
log_cursor_encode (gint64 row)
{
  g_autofree char *plain = g_strdup_printf ("l1:%" G_GINT64_FORMAT, row);
  char *b64 = g_base64_encode ((const guchar *) plain, strlen (plain));

  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  if (strchr (b64, '=') != NULL)
    *strchr (b64, '=') = '\0';
  return b64;
}

static gboolean
log_cursor_parse (const char *cursor, gint64 *row)
{
  gsize len = strlen (cursor), plain_len = 0;
  char b64[LOG_CURSOR_MAX_LEN + 4] = { 0 };
  g_autofree guchar *plain = NULL;
  g_autofree char *text = NULL;

  if (len == 0 || len > LOG_CURSOR_MAX_LEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = cursor[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '_')
        return FALSE;
      b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
  while (len % 4 != 0)
    b64[len++] = '=';
  plain = g_base64_decode (b64, &plain_len);
  text = g_strndup ((const char *) plain, plain_len);
  return strlen (text) == plain_len && g_str_has_prefix (text, "l1:") &&
         g_ascii_string_to_signed (text + 3, 10, 1, G_MAXINT64, row, NULL);
}

typedef struct
{
  ArbLogQuery query;
  char       *bot_id;
  char       *component;
  char       *text;
} LogJob;

static void
log_job_free (LogJob *job)
{
  g_free (job->bot_id);
  g_free (job->component);
  g_free (job->text);
  g_free (job);
}

static void
logs_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LogJob *job = data;
  GError *error = NULL;
  gint64 next_row = 0;
  g_autoptr(GPtrArray) page = arb_store_query_logs (source, &job->query, &next_row, &error);
  GString *s;

  if (page == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  s = g_string_new (NULL);
  arb_json_object_begin (s);
  arb_json_key (s, "logs");
  arb_json_array_begin (s);
  for (guint i = 0; i < page->len; i++)
    {
      ArbStoredEvent *log = g_ptr_array_index (page, i);
      g_autofree char *json = arb_event_to_json (log->event, log->bot_id);

      arb_json_raw (s, json);
    }
  arb_json_array_end (s);
  arb_json_key (s, "next_cursor");
  if (next_row > 0)
    {
      g_autofree char *cursor = log_cursor_encode (next_row);
      arb_json_string (s, cursor);
    }
  else
    arb_json_raw (s, "null");
  arb_json_object_end (s);
  g_task_return_pointer (task, g_string_free (s, FALSE), g_free);
}

static void
logs_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(SoupServerMessage) msg = data;
  g_autoptr(GError) error = NULL;
  char *answer = g_task_propagate_pointer (G_TASK (result), &error);

  if (answer != NULL)
    arb_http_send_text (msg, SOUP_STATUS_OK, answer);
  else
    arb_http_send_error (msg, error->domain == ARB_ERROR ? error->code : ARB_ERROR_INTERNAL,
                         NULL, error->message);
}

static void
route_logs (Request *r)
{
  const char *level = g_hash_table_lookup (r->query, "level");
  const char *component = g_hash_table_lookup (r->query, "component");
  const char *text = g_hash_table_lookup (r->query, "text");
  const char *cursor = g_hash_table_lookup (r->query, "cursor");
  const char *bot_id;
  ArbLogLevel min_level = ARB_LOG_DEBUG;
  gint64 limit = 100, before_row = 0;
  g_autoptr(GTask) task = NULL;
  LogJob *job;

  if (!param_ident (r, "bot_id", &bot_id) || !param_int (r, "limit", 1, 500, &limit))
    return;
  if (level != NULL && !arb_log_level_parse (level, &min_level))
    {
      bad_param (r, "level", "must be debug, info, warning, error or critical");
      return;
    }
  /* a query parameter is any bytes once decoded: UTF-8 first, then its length */
  if (component != NULL && (*component == '\0' || strlen (component) > 128 ||
                            !g_utf8_validate (component, -1, NULL)))
    {
      bad_param (r, "component", "must be 1 to 128 characters");
      return;
    }
  if (text != NULL && (*text == '\0' || !g_utf8_validate (text, -1, NULL) ||
                       g_utf8_strlen (text, -1) > 200))
    {
      bad_param (r, "text", "must be 1 to 200 characters");
      return;
    }
  if (cursor != NULL && !log_cursor_parse (cursor, &before_row))
    {
      bad_param (r, "cursor", "is not a cursor of /logs that this server gave out");
      return;
    }
  job = g_new0 (LogJob, 1);
  job->bot_id = g_strdup (bot_id);
  job->component = g_strdup (component);
  job->text = g_strdup (text);
  job->query = (ArbLogQuery) { job->bot_id, job->component, job->text, min_level, before_row,
                               (guint) limit };
  arb_http_pause (r->msg);
  task = g_task_new (arb_engine_get_store (r->engine), NULL, logs_done, g_object_ref (r->msg));
  g_task_set_task_data (task, job, (GDestroyNotify) log_job_free);
  g_task_run_in_thread (task, logs_thread);
}

static void
route_series (Request *r)
{
  const char *metric = g_hash_table_lookup (r->query, "metric");
  gint64 now = g_get_real_time () / 1000;
  gint64 before = now, after = G_MININT64, points = 300, width, count = 0;
  ArbSeries *series;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (ArbPoint));
  GString *s;

  if (metric == NULL || *metric == '\0')
    {
      bad_param (r, "metric", "is required, e.g. cpu.total");
      return;
    }
  if (!param_int (r, "before", 0, G_MAXINT64 / 2, &before) ||
      !param_int (r, "after", 0, G_MAXINT64 / 2, &after) ||
      !param_int (r, "points", 1, 10000, &points) ||
      !param_int (r, "count", 0, 1, &count))
    return;
  if (after == G_MININT64)
    after = before - 3600 * 1000;
  if (after >= before)
    {
      bad_param (r, "after", "must be before 'before'");
      return;
    }
  series = arb_series_set_lookup (arb_engine_get_series (r->engine), metric);
  if (series == NULL)
    {
      g_autofree char *m = g_strdup_printf ("there is no series '%s'", metric);
      arb_http_send_error (r->msg, ARB_ERROR_NOT_FOUND, "metric", m);
      return;
    }
  width = arb_series_query (series, after, before, points, out);
  s = g_string_sized_new (64 + out->len * 64);
  arb_json_object_begin (s);
  arb_json_member_string (s, "metric", metric);
  arb_json_member_string (s, "unit", arb_series_get_unit (series));
  arb_json_member_int (s, "step_ms", width);
  arb_json_key (s, "points");
  arb_json_array_begin (s);
  for (guint i = 0; i < out->len; i++)
    {
      ArbPoint *p = &g_array_index (out, ArbPoint, i);

      arb_json_array_begin (s);
      arb_json_int (s, p->ts);
      arb_json_double (s, p->min);
      arb_json_double (s, p->avg);
      arb_json_double (s, p->max);
      /* count=1: a sum over a bucket (the profit of its trades) is avg × count */
      if (count)
        arb_json_int (s, p->count);
      arb_json_array_end (s);
    }
  arb_json_array_end (s);
  arb_json_object_end (s);
  arb_http_send_text (r->msg, SOUP_STATUS_OK, g_string_free (s, FALSE));
}

/* The names of the series that exist (sorted), those starting with `prefix`
 * when given: a page asks for these only, instead of meeting 404s for the
 * series that have no value yet (a bot's, swap, the CPU before its second
 * sample). */
static void
route_series_names (Request *r)
{
  const char *prefix = g_hash_table_lookup (r->query, "prefix");
  g_auto(GStrv) names = arb_series_set_dup_names (arb_engine_get_series (r->engine));
  GString *s = g_string_sized_new (256);

  arb_json_object_begin (s);
  arb_json_key (s, "names");
  arb_json_array_begin (s);
  for (guint i = 0; names[i] != NULL; i++)
    if (prefix == NULL || g_str_has_prefix (names[i], prefix))
      arb_json_string (s, names[i]);
  arb_json_array_end (s);
  arb_json_object_end (s);
  arb_http_send_text (r->msg, SOUP_STATUS_OK, g_string_free (s, FALSE));
}

static void
route_resources (Request *r)
{
  g_autoptr(GPtrArray) latest = arb_hub_get_latest (arb_engine_get_hub (r->engine),
                                                    ARB_TOPIC_RESOURCES);
  const ArbSystemSample *sample = arb_sampler_get_latest (arb_engine_get_sampler (r->engine));
  ArbStoreStats st;
  GString *s = g_string_sized_new (1024);

  arb_store_get_stats (arb_engine_get_store (r->engine), &st);
  arb_json_object_begin (s);
  arb_json_key (s, "dashboard");
  arb_json_object_begin (s);
  if (sample != NULL)
    {
      arb_json_member_double (s, "cpu_pct", sample->self.cpu_pct);
      arb_json_member_int (s, "rss_bytes", sample->self.rss_bytes);
      arb_json_member_int (s, "threads", sample->self.threads);
    }
  arb_json_member_int (s, "store_queue", arb_store_get_queue_length (arb_engine_get_store (r->engine)));
  arb_json_member_int (s, "commits", st.commits);
  arb_json_member_double (s, "last_commit_ms", st.last_commit_us / 1000.0);
  arb_json_object_end (s);
  arb_json_key (s, "bots");
  arb_json_array_begin (s);
  for (guint i = 0; i < latest->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (latest, i);
      arb_json_raw_len (s, item->json, item->json_len);
    }
  arb_json_array_end (s);
  arb_json_object_end (s);
  arb_http_send_text (r->msg, SOUP_STATUS_OK, g_string_free (s, FALSE));
}

static void
route_alerts (Request *r)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (arb_engine_get_alerts (r->engine));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  gint64 limit = 100;
  GString *s;

  if (!param_int (r, "limit", 1, 1000, &limit))
    return;
  recent = arb_store_query_alerts (arb_engine_get_store (r->engine), limit, &error);
  if (recent == NULL)
    {
      arb_http_send_error (r->msg, ARB_ERROR_INTERNAL, NULL, error->message);
      return;
    }
  s = g_string_new (NULL);
  arb_json_object_begin (s);
  arb_json_key (s, "active");
  arb_alert_write_array (s, active);
  arb_json_key (s, "recent");
  arb_alert_write_array (s, recent);
  arb_json_object_end (s);
  arb_http_send_text (r->msg, SOUP_STATUS_OK, g_string_free (s, FALSE));
}

/* Signs the browser in: the answer sets the session cookie. */
static void
start_session (Request *r, ArbRole role, const char *name)
{
  ArbConfig *config = _arb_server_get_config (r->server);
  g_autofree char *cookie = NULL;
  g_autofree char *answer = NULL;

  cookie = g_strdup_printf (ARB_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
                            "SameSite=Strict",
                            arb_http_session_start (config, role, name), ARB_SESSION_SECONDS);
  soup_message_headers_append (soup_server_message_get_response_headers (r->msg), "Set-Cookie",
                               cookie);
  answer = g_strdup_printf ("{\"role\":\"%s\",\"expires_in_s\":%d}", arb_role_name (role),
                            ARB_SESSION_SECONDS);
  arb_http_send_text (r->msg, SOUP_STATUS_OK, g_steal_pointer (&answer));
}

/* {"login_code":"..."}: a one-time code from a sign-in link. The code is
 * never logged, and neither is a failed one. */
static void
session_from_code (Request *r, JsonNode *node)
{
  ArbLoginCodes *codes = _arb_server_get_login_codes (r->server);
  ArbLoginCodeResult result;
  ArbRole role = ARB_ROLE_NONE;

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, "login_code",
                           "field 'login_code' must be a string");
      return;
    }
  result = arb_login_codes_redeem (codes, json_node_get_string (node), g_get_real_time (), &role);
  if (result != ARB_LOGIN_CODE_OK)
    {
      arb_http_send_error (r->msg, ARB_ERROR_UNAUTHORIZED, "login_code",
                           arb_login_codes_result_message (result));
      return;
    }
  start_session (r, role, NULL);
}

/* POST: a token or a one-time code in the body buys an HttpOnly session
 * cookie (for browsers, which cannot put a token on a WebSocket); DELETE ends
 * it; GET says which role the cookie (or token) has, for the page. */
static void
route_session (Request *r)
{
  SoupMessageBody *body = soup_server_message_get_request_body (r->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  const char *token = NULL, *name = NULL;
  ArbLimits limits;
  const char *method = soup_server_message_get_method (r->msg);
  JsonNode *node;
  JsonObject *o;
  ArbRole role;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0)
    {
      /* signed out is an answer, not an error: the page asks before it signs in */
      if (!arb_http_peek_role (r->msg, _arb_server_get_config (r->server), &role))
        return;
      if (role == ARB_ROLE_NONE)
        {
          arb_http_send_text (r->msg, SOUP_STATUS_OK, g_strdup ("{\"role\":null}"));
          return;
        }
      arb_http_send_text (r->msg, SOUP_STATUS_OK,
                          g_strdup_printf ("{\"role\":\"%s\"}", arb_role_name (role)));
      return;
    }
  if (strcmp (method, "DELETE") == 0)
    {
      if (!arb_http_session_end (r->msg, _arb_server_get_config (r->server)))
        return;
      soup_message_headers_append (soup_server_message_get_response_headers (r->msg),
                                   "Set-Cookie", ARB_SESSION_COOKIE "=; Path=/; Max-Age=0; "
                                   "HttpOnly; SameSite=Strict");
      arb_http_send_text (r->msg, SOUP_STATUS_OK, g_strdup ("{\"ok\":true}"));
      return;
    }
  /* strictly RFC 8259, every string valid text (a bad one is named) */
  arb_limits_init_default (&limits);
  limits.max_message_bytes = 4096;
  root = arb_json_parse_text (parser, data, len, &limits, &field, &error);
  if (root == NULL)
    {
      g_autofree char *message = g_strdup_printf ("the body must be {\"token\":\"...\"} or "
                                                  "{\"login_code\":\"...\"}: %s",
                                                  error->message);
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, field, message);
      return;
    }
  o = json_node_get_object (root);
  node = json_object_get_member (o, "login_code");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      session_from_code (r, node);
      return;
    }
  node = json_object_get_member (o, "token");
  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    token = json_node_get_string (node);
  if (token == NULL)
    {
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, "token",
                           "field 'token' must be a string");
      return;
    }
  if (!arb_http_verify_token (r->msg, _arb_server_get_config (r->server), token, &role, &name))
    return;
  if (role == ARB_ROLE_NONE || role == ARB_ROLE_BOT)
    {
      arb_http_send_error (r->msg, ARB_ERROR_UNAUTHORIZED, "token",
                           "the token is not a viewer or operator token");
      return;
    }
  start_session (r, role, name);
}

typedef struct
{
  SoupServerMessage *msg;
  ArbIngest         *ingest;
} CommandCall;

/* The field at fault in a command that was never sent: the bot (not
 * connected) or the name (a command the bot does not take). */
static const char *
refused_field (ArbIngest *ingest, const ArbCommand *command)
{
  ArbBotLink *link = arb_ingest_lookup_bot (ingest, command->bot_id);

  if (link == NULL || arb_bot_link_get_n_connections (link) == 0)
    return "bot_id";
  if (!arb_bot_link_takes_command (link, command->name))
    return "name";
  return NULL;
}

static void
command_done (const ArbCommand *command, gpointer data)
{
  CommandCall *call = data;
  g_autoptr(SoupServerMessage) msg = call->msg;
  g_autoptr(ArbIngest) ingest = call->ingest;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *o = json_object_new ();
  guint status = SOUP_STATUS_OK;

  g_free (call);
  json_object_set_member (o, "command", arb_command_to_json (command));
  if (command->status == ARB_COMMAND_REJECTED)
    {
      /* an error body that also carries the audit record */
      g_autoptr(JsonNode) error = arb_error_body (ARB_ERROR_CONFLICT,
                                                  refused_field (ingest, command),
                                                  command->message);
      json_object_set_member (o, "error", json_object_dup_member (json_node_get_object (error),
                                                                  "error"));
      status = SOUP_STATUS_CONFLICT;
    }
  body = json_node_init_object (json_node_alloc (), o);
  json_object_unref (o);
  arb_http_send_json (msg, status, body);
}

static gboolean
command_body (Request *r, const char **name, JsonNode **args, JsonParser *parser)
{
  SoupMessageBody *body = soup_server_message_get_request_body (r->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GError) error = NULL;
  g_autofree char *field = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbLimits limits;
  JsonObject *o;
  JsonNode *node;

  /* the command goes to the bot as one message: the protocol's limit of one */
  arb_limits_init_default (&limits);
  if (len > limits.max_message_bytes)
    {
      arb_http_send_error (r->msg, ARB_ERROR_TOO_LARGE, NULL, "the body is too large");
      return FALSE;
    }
  /* strictly RFC 8259, every string valid text (a bad one is named); the
   * args go to the bot as they came, so no limit on their strings here */
  limits.max_string_bytes = G_MAXSIZE;
  root = arb_json_parse_text (parser, data, len, &limits, &field, &error);
  if (root == NULL && error->code == ARB_ERROR_TOO_LARGE)
    {
      arb_http_send_error (r->msg, ARB_ERROR_TOO_LARGE, field, "the body is too large");
      return FALSE;
    }
  if (root == NULL)
    {
      g_autofree char *message = g_strdup_printf ("the body must be a JSON object "
                                                  "{\"name\":...,\"args\":{}}: %s",
                                                  error->message);
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, field, message);
      return FALSE;
    }
  o = json_node_get_object (root);
  node = json_object_get_member (o, "name");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING ||
      !arb_is_identifier (json_node_get_string (node)))
    {
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, "name",
                           "field 'name' must be a command name such as \"pause\"");
      return FALSE;
    }
  *name = json_node_get_string (node);
  *args = json_object_get_member (o, "args");
  if (*args != NULL && !JSON_NODE_HOLDS_OBJECT (*args))
    {
      arb_http_send_error (r->msg, ARB_ERROR_BAD_REQUEST, "args",
                           "field 'args' must be an object");
      return FALSE;
    }
  return TRUE;
}

/* POST /api/v1/bots/{bot_id}/commands */
static void
route_command (Request *r)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (r->msg));
  const char *rest = path + strlen ("/api/v1/bots/");
  const char *slash = strchr (rest, '/');
  g_autofree char *bot_id = slash != NULL ? g_strndup (rest, slash - rest) : NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  CommandCall *call;
  const char *name;
  JsonNode *args;

  if (bot_id == NULL || g_strcmp0 (slash, "/commands") != 0 || !arb_is_identifier (bot_id))
    {
      arb_http_send_error (r->msg, ARB_ERROR_NOT_FOUND, NULL,
                           "no such route: commands go to /api/v1/bots/BOT_ID/commands");
      return;
    }
  if (arb_ingest_lookup_bot (arb_engine_get_ingest (r->engine), bot_id) == NULL)
    {
      g_autofree char *m = g_strdup_printf ("there is no bot %s", bot_id);
      arb_http_send_error (r->msg, ARB_ERROR_NOT_FOUND, "bot_id", m);
      return;
    }
  if (!command_body (r, &name, &args, parser))
    return;
  call = g_new0 (CommandCall, 1);
  call->msg = g_object_ref (r->msg);
  call->ingest = g_object_ref (arb_engine_get_ingest (r->engine));
  arb_http_pause (r->msg);
  arb_ingest_send_command (call->ingest, bot_id, name, args, arb_role_name (r->role),
                           r->token_name, command_done, call);
}

static const Route routes[] = {
  { "GET", "/api/v1/health", ARB_ROLE_NONE, route_health },
  { "POST", "/api/v1/events", ARB_ROLE_BOT, route_events },
  { "GET", "/api/v1/trades", ARB_ROLE_VIEWER, route_trades },
  { "GET", "/api/v1/trades.csv", ARB_ROLE_VIEWER, route_trades_csv },
  { "GET", "/api/v1/summary", ARB_ROLE_VIEWER, route_summary },
  { "GET", "/api/v1/system", ARB_ROLE_VIEWER, route_system },
  { "GET", "/api/v1/bots", ARB_ROLE_VIEWER, route_bots },
  { "POST", "/api/v1/bots/", ARB_ROLE_OPERATOR, route_command },
  { "GET", "/api/v1/audit", ARB_ROLE_OPERATOR, route_audit },
  { "GET", "/api/v1/rejected", ARB_ROLE_OPERATOR, route_rejected },
  { "GET", "/api/v1/series", ARB_ROLE_VIEWER, route_series },
  { "GET", "/api/v1/series/names", ARB_ROLE_VIEWER, route_series_names },
  { "GET", "/api/v1/resources", ARB_ROLE_VIEWER, route_resources },
  { "GET", "/api/v1/alerts", ARB_ROLE_VIEWER, route_alerts },
  { "GET", "/api/v1/logs", ARB_ROLE_VIEWER, route_logs },
  { "GET", "/api/v1/session", ARB_ROLE_NONE, route_session },
  { "POST", "/api/v1/session", ARB_ROLE_NONE, route_session },
  { "DELETE", "/api/v1/session", ARB_ROLE_NONE, route_session },
};

static gboolean
route_matches (const Route *route, const char *path)
{
  gsize n = strlen (route->path);

  if (route->path[n - 1] == '/')
    return strncmp (path, route->path, n) == 0 && path[n] != '\0';
  return strcmp (path, route->path) == 0;
}

static void
method_not_allowed (SoupServerMessage *msg, const char *path)
{
  g_autoptr(GString) allow = g_string_new (NULL);
  g_autofree char *m = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (route_matches (&routes[i], path))
      g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", routes[i].method);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                allow->str);
  m = g_strdup_printf ("%s takes %s", path, allow->str);
  arb_http_send_error_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, ARB_ERROR_BAD_REQUEST, NULL,
                              m);
}

static const Route *
find_route (SoupServerMessage *msg, const char *path, gboolean *path_known)
{
  const char *method = soup_server_message_get_method (msg);

  *path_known = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (route_matches (&routes[i], path))
      {
        *path_known = TRUE;
        if (strcmp (method, routes[i].method) == 0 ||
            (strcmp (method, "HEAD") == 0 && strcmp (routes[i].method, "GET") == 0))
          return &routes[i];
      }
  return NULL;
}

/**
 * _arb_rest_handle:
 * @path: the request's path, under /api
 *
 * Finds the route of @path in the table and runs it, once its role is
 * authorised and its query parsed.
 */
void
_arb_rest_handle (ArbServer         *self,
                  SoupServerMessage *msg,
                  const char        *path)
{
  Request r = { self, arb_server_get_engine (self), msg, NULL, NULL, ARB_ROLE_NONE };
  gboolean known;
  const Route *route = find_route (msg, path, &known);
  g_autofree char *bad_key = NULL;
  g_autoptr(GHashTable) query = NULL;

  if (route == NULL && known)
    {
      method_not_allowed (msg, path);
      return;
    }
  if (route == NULL)
    {
      arb_http_send_error (msg, ARB_ERROR_NOT_FOUND, NULL, "no such route in API v1");
      return;
    }
  if (route->role != ARB_ROLE_NONE &&
      !arb_http_authorize (msg, _arb_server_get_config (r.server), route->role, &r.role,
                           &r.token_name))
    return;
  query = _arb_rest_parse_query (g_uri_get_query (soup_server_message_get_uri (msg)), &bad_key);
  if (query == NULL)
    {
      g_autofree char *m = g_strdup_printf ("parameter '%s' is not validly URL-encoded", bad_key);
      arb_http_send_error (msg, ARB_ERROR_BAD_REQUEST, bad_key, m);
      return;
    }
  r.query = query;
  route->func (&r);
}

static void
on_body_chunk (SoupServerMessage *msg, GBytes *chunk, Body *body)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (chunk, &len);

  if (body->overflow)
    return;
  if (body->data->len + len > body->limit)
    {
      /* stop keeping it, and answer once the client has sent it all */
      body->overflow = TRUE;
      g_byte_array_set_size (body->data, 0);
      return;
    }
  g_byte_array_append (body->data, data, len);
}

/* Before the body is read: bound what POST /events keeps in memory. */
static void
events_early (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer data)
{
  ArbConfig *config = _arb_server_get_config (data);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);
  Body *body;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      length > (goffset) config->limits.max_body_bytes)
    {
      arb_http_send_error (msg, ARB_ERROR_TOO_LARGE, NULL,
                           "the body is larger than the limit of one batch (1 MiB)");
      return;
    }
  body = g_new0 (Body, 1);
  body->data = g_byte_array_new ();
  body->limit = config->limits.max_body_bytes;
  g_object_set_data_full (G_OBJECT (msg), BODY_KEY, body, (GDestroyNotify) body_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_body_chunk), body);
}

static void
not_found (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer data)
{
  arb_http_send_error (msg, ARB_ERROR_NOT_FOUND, NULL, "nothing here");
}

/* The /api paths come through the server's dispatcher (_arb_rest_handle);
 * here only what runs before it or outside /api. */
void
_arb_rest_register (ArbServer  *self,
                    SoupServer *soup)
{
  soup_server_add_early_handler (soup, "/api/v1/events", events_early, self, NULL);
  soup_server_add_handler (soup, NULL, not_found, self, NULL);
  /* "/api/v1/bots/" is a prefix: its errors go under its template */
  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (!g_str_has_suffix (routes[i].path, "/"))
      arb_http_name_endpoint (routes[i].path);
}
