/* arb-store-write.c: a batch's rows, written by the store's writer thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The writer's statements are prepared once (persistent) and run for every
 * row of every batch; the group's transaction is arb-store.c's.
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include "arb-store-private.h"

static const char *stmt_sql[N_STMTS] = {
  [STMT_TRADE] =
    "INSERT INTO trades (bot_id, seq, hub_seq, ts, id, pair, buy_venue, sell_venue,"
    " status, profit, chain, amount_in, amount_out, gas_used, gas_price_gwei, gas_cost, fees,"
    " latency_ms, tx_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (bot_id, seq) DO NOTHING",
  [STMT_OPPORTUNITY] =
    "INSERT INTO opportunities (bot_id, seq, hub_seq, ts, pair, buy_venue, sell_venue,"
    " spread_bps, expected_profit, taken, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (bot_id, seq) DO NOTHING",
  [STMT_LOG] =
    "INSERT INTO logs (bot_id, seq, hub_seq, ts, level, component, message)"
    " VALUES (?,?,?,?,?,?,?)",
  [STMT_LAST_SEQ] =
    "INSERT INTO bots (bot_id, last_seq) SELECT ?1, ?2 WHERE ?3 = 0 ON CONFLICT (bot_id)"
    " DO NOTHING",
  [STMT_ADVANCE_SEQ] =
    "UPDATE bots SET last_seq = ?2 WHERE bot_id = ?1 AND last_seq = ?3",
  [STMT_HELLO] =
    "INSERT INTO bots (bot_id, name, version, strategy, quote, commands, last_seen)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7) ON CONFLICT (bot_id) DO UPDATE SET name = excluded.name,"
    " version = excluded.version, strategy = excluded.strategy, quote = excluded.quote,"
    " commands = excluded.commands, last_seen = excluded.last_seen",
  [STMT_COMMAND] =
    "INSERT INTO commands (id, bot_id, name, args, role, token_name, created, finished, status,"
    " message, hub_seq) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT (id) DO UPDATE"
    " SET finished = excluded.finished, status = excluded.status, message = excluded.message,"
    " hub_seq = excluded.hub_seq",
  [STMT_SERIES] =
    "INSERT INTO series (name, tier, data) VALUES (?1,?2,?3) ON CONFLICT (name, tier)"
    " DO UPDATE SET data = excluded.data",
  [STMT_ALERT] =
    "INSERT INTO alerts (id, rule, subject, severity, message, value, threshold, raised, cleared,"
    " hub_seq) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT (id) DO UPDATE SET"
    " message = excluded.message, value = excluded.value, cleared = excluded.cleared,"
    " hub_seq = excluded.hub_seq",
  [STMT_REJECTED] =
    "INSERT INTO rejected (bot_id, seq, ts, code, field, message, raw, raw_bytes)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
  [STMT_META] =
    "INSERT INTO meta (key, value) VALUES (?1,?2) ON CONFLICT (key)"
    " DO UPDATE SET value = excluded.value",
};

/* ---------------------------------------------------------------- writer */

static gboolean
step (ArbStore *self, int which, GError **error)
{
  sqlite3_stmt *s = self->stmts[which];
  int rc = sqlite3_step (s);

  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  if (rc != SQLITE_DONE)
    return _arb_sql_error (self->wdb, error, "writing");
  return TRUE;
}

/* trades, opportunities and log lines share their first four columns */
static void
bind_event_head (sqlite3_stmt *s, const char *bot_id, const ArbEvent *e, gint64 hub_seq)
{
  _arb_sql_bind_text (s, 1, bot_id);
  sqlite3_bind_int64 (s, 2, e->seq);
  sqlite3_bind_int64 (s, 3, hub_seq);
  sqlite3_bind_int64 (s, 4, e->ts);
}

/* The statements are stepped before @bytes is released, so SQLITE_STATIC
 * is safe.  A NULL pointer would bind NULL, which the blob columns refuse:
 * "" is an empty blob. */
static void
bind_bytes (sqlite3_stmt *s, int index, GBytes *bytes)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (bytes, &len);

  sqlite3_bind_blob (s, index, data != NULL ? data : "", len, SQLITE_STATIC);
}

static gboolean
write_trade (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
             GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_TRADE];
  const ArbTrade *t = &e->trade;

  bind_event_head (s, bot_id, e, hub_seq);
  _arb_sql_bind_text (s, 5, t->id);
  _arb_sql_bind_text (s, 6, t->pair);
  _arb_sql_bind_text (s, 7, t->buy_venue);
  _arb_sql_bind_text (s, 8, t->sell_venue);
  _arb_sql_bind_text (s, 9, arb_trade_status_name (t->status));
  sqlite3_bind_double (s, 10, t->profit);
  _arb_sql_bind_text (s, 11, t->chain);
  _arb_sql_bind_text (s, 12, t->amount_in);
  _arb_sql_bind_text (s, 13, t->amount_out);
  _arb_sql_bind_opt_int (s, 14, t->gas_used);
  _arb_sql_bind_double (s, 15, t->gas_price_gwei);
  _arb_sql_bind_double (s, 16, t->gas_cost);
  _arb_sql_bind_double (s, 17, t->fees);
  _arb_sql_bind_double (s, 18, t->latency_ms);
  _arb_sql_bind_text (s, 19, t->tx_hash);
  return step (self, STMT_TRADE, error);
}

static gboolean
write_opportunity (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
                   GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_OPPORTUNITY];
  const ArbOpportunity *o = &e->opportunity;

  bind_event_head (s, bot_id, e, hub_seq);
  _arb_sql_bind_text (s, 5, o->pair);
  _arb_sql_bind_text (s, 6, o->buy_venue);
  _arb_sql_bind_text (s, 7, o->sell_venue);
  sqlite3_bind_double (s, 8, o->spread_bps);
  sqlite3_bind_double (s, 9, o->expected_profit);
  sqlite3_bind_int (s, 10, o->taken ? 1 : 0);
  _arb_sql_bind_text (s, 11, o->reason);
  return step (self, STMT_OPPORTUNITY, error);
}

static gboolean
write_log (ArbStore *self, const char *bot_id, const ArbEvent *e, gint64 hub_seq,
           GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_LOG];

  bind_event_head (s, bot_id, e, hub_seq);
  /* a log line may come without a seq: it is stored as NULL, not 0 */
  if (e->seq <= 0)
    sqlite3_bind_null (s, 2);
  _arb_sql_bind_text (s, 5, arb_log_level_name (e->log.level));
  _arb_sql_bind_text (s, 6, e->log.component);
  _arb_sql_bind_text (s, 7, e->log.message);
  return step (self, STMT_LOG, error);
}

static gboolean
write_events (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; i < b->events->len; i++)
    {
      const ArbEvent *e = g_ptr_array_index (b->events, i);
      gint64 hub_seq = g_array_index (b->hub_seqs, gint64, i);
      gboolean ok = TRUE;

      if (e->type == ARB_MSG_TRADE)
        ok = write_trade (self, b->bot_id, e, hub_seq, error);
      else if (e->type == ARB_MSG_OPPORTUNITY)
        ok = write_opportunity (self, b->bot_id, e, hub_seq, error);
      else if (e->type == ARB_MSG_LOG)
        ok = write_log (self, b->bot_id, e, hub_seq, error);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_hello (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_HELLO];
  g_autofree char *commands = g_strjoinv (",", b->hello->identity.commands);

  _arb_sql_bind_text (s, 1, b->hello->identity.bot_id);
  _arb_sql_bind_text (s, 2, b->hello->identity.name);
  _arb_sql_bind_text (s, 3, b->hello->identity.version);
  _arb_sql_bind_text (s, 4, b->hello->identity.strategy);
  _arb_sql_bind_text (s, 5, b->hello->identity.quote);
  _arb_sql_bind_text (s, 6, commands);
  sqlite3_bind_int64 (s, 7, b->seen_ms);
  return step (self, STMT_HELLO, error);
}

static gboolean
write_command (ArbStore *self, const ArbCommand *c, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_COMMAND];

  _arb_sql_bind_text (s, 1, c->id);
  _arb_sql_bind_text (s, 2, c->bot_id);
  _arb_sql_bind_text (s, 3, c->name);
  _arb_sql_bind_text (s, 4, c->args_json);
  _arb_sql_bind_text (s, 5, c->role);
  _arb_sql_bind_text (s, 6, c->token_name);
  sqlite3_bind_int64 (s, 7, c->created_ms);
  if (c->finished_ms > 0)
    sqlite3_bind_int64 (s, 8, c->finished_ms);
  _arb_sql_bind_text (s, 9, arb_command_status_name (c->status));
  _arb_sql_bind_text (s, 10, c->message);
  sqlite3_bind_int64 (s, 11, c->hub_seq);
  return step (self, STMT_COMMAND, error);
}

static gboolean
write_alert (ArbStore *self, const ArbAlert *a, GError **error)
{
  sqlite3_stmt *s = self->stmts[STMT_ALERT];

  _arb_sql_bind_text (s, 1, a->id);
  _arb_sql_bind_text (s, 2, a->rule);
  _arb_sql_bind_text (s, 3, a->subject);
  _arb_sql_bind_text (s, 4, arb_alert_severity_name (a->severity));
  _arb_sql_bind_text (s, 5, a->message);
  _arb_sql_bind_double (s, 6, a->value);
  _arb_sql_bind_double (s, 7, a->threshold);
  sqlite3_bind_int64 (s, 8, a->raised_ms);
  if (a->cleared_ms > 0)
    sqlite3_bind_int64 (s, 9, a->cleared_ms);
  sqlite3_bind_int64 (s, 10, a->hub_seq);
  return step (self, STMT_ALERT, error);
}

static gboolean
write_extras (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; b->alerts != NULL && i < b->alerts->len; i++)
    if (!write_alert (self, g_ptr_array_index (b->alerts, i), error))
      return FALSE;
  for (guint i = 0; b->commands != NULL && i < b->commands->len; i++)
    if (!write_command (self, g_ptr_array_index (b->commands, i), error))
      return FALSE;
  for (guint i = 0; b->series != NULL && i < b->series->len; i++)
    {
      SeriesBlob *sb = g_ptr_array_index (b->series, i);
      sqlite3_stmt *s = self->stmts[STMT_SERIES];

      _arb_sql_bind_text (s, 1, sb->name);
      sqlite3_bind_int (s, 2, sb->tier);
      bind_bytes (s, 3, sb->blob);
      if (!step (self, STMT_SERIES, error))
        return FALSE;
    }
  for (guint i = 0; b->meta != NULL && i < b->meta->len; i++)
    {
      MetaValue *m = &g_array_index (b->meta, MetaValue, i);
      sqlite3_stmt *s = self->stmts[STMT_META];

      _arb_sql_bind_text (s, 1, m->key);
      sqlite3_bind_int64 (s, 2, m->value);
      if (!step (self, STMT_META, error))
        return FALSE;
    }
  return TRUE;
}

/* Both last_seq statements take the same parameters; @moved says whether
 * the statement found the row it may advance. */
static gboolean
step_last_seq (ArbStore *self, int which, ArbStoreBatch *b, gboolean *moved, GError **error)
{
  sqlite3_stmt *s = self->stmts[which];

  _arb_sql_bind_text (s, 1, b->bot_id);
  sqlite3_bind_int64 (s, 2, b->last_seq);
  sqlite3_bind_int64 (s, 3, b->prev_seq);
  if (!step (self, which, error))
    return FALSE;
  *moved = sqlite3_changes (self->wdb) == 1;
  return TRUE;
}

/* A batch applies only on top of the very last_seq it was built on, so a
 * batch behind a failed one can never leave a hole below last_seq. */
static gboolean
write_last_seq (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  gboolean moved = FALSE;

  if (!step_last_seq (self, STMT_LAST_SEQ, b, &moved, error))
    return FALSE;
  if (moved)
    return TRUE;
  if (!step_last_seq (self, STMT_ADVANCE_SEQ, b, &moved, error))
    return FALSE;
  if (moved)
    return TRUE;
  g_set_error (error, ARB_ERROR, ARB_ERROR_CONFLICT,
               "bot %s: events after seq %" G_GINT64_FORMAT " do not continue the stored seq",
               b->bot_id, b->prev_seq);
  return FALSE;
}

static gboolean
write_rejected (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  for (guint i = 0; b->rejected != NULL && i < b->rejected->len; i++)
    {
      ArbRejected *r = g_ptr_array_index (b->rejected, i);
      sqlite3_stmt *s = self->stmts[STMT_REJECTED];

      _arb_sql_bind_text (s, 1, r->bot_id);
      if (r->seq > 0)
        sqlite3_bind_int64 (s, 2, r->seq);
      sqlite3_bind_int64 (s, 3, r->ts);
      _arb_sql_bind_text (s, 4, arb_error_code_name (r->code));
      _arb_sql_bind_text (s, 5, r->field);
      _arb_sql_bind_text (s, 6, r->message);
      bind_bytes (s, 7, r->raw);
      sqlite3_bind_int64 (s, 8, r->raw_bytes);
      if (!step (self, STMT_REJECTED, error))
        return FALSE;
      r->row = sqlite3_last_insert_rowid (self->wdb);
    }
  return TRUE;
}

gboolean
_arb_store_write_batch (ArbStore *self, ArbStoreBatch *b, GError **error)
{
  if (b->hello != NULL && !write_hello (self, b, error))
    return FALSE;
  if (!write_events (self, b, error))
    return FALSE;
  if (b->last_seq > 0 && !write_last_seq (self, b, error))
    return FALSE;
  if (!write_rejected (self, b, error))
    return FALSE;
  return write_extras (self, b, error);
}

/* What the log of refused messages holds, counted once and then kept up to
 * date by the writer, so that a flood of refusals costs no scan per commit. */
static gboolean
count_rejected (ArbStore *self)
{
  sqlite3_stmt *s = NULL;
  gboolean ok = FALSE;

  if (self->rejected_rows >= 0)
    return TRUE;
  if (sqlite3_prepare_v2 (self->wdb, "SELECT count(*), total(length(raw)) FROM rejected", -1, &s,
                          NULL) == SQLITE_OK && sqlite3_step (s) == SQLITE_ROW)
    {
      self->rejected_rows = sqlite3_column_int64 (s, 0);
      self->rejected_bytes = (gint64) sqlite3_column_double (s, 1);
      ok = TRUE;
    }
  sqlite3_finalize (s);
  return ok;
}

/* Deletes the oldest refused messages until the log is within its caps,
 * inside the group's transaction: the log never passes them on disk. */
void
_arb_store_cap_rejected (ArbStore *self, guint max_rows, gsize max_bytes)
{
  while (count_rejected (self) &&
         (self->rejected_rows > max_rows || self->rejected_bytes > (gint64) max_bytes))
    {
      sqlite3_stmt *s = NULL;
      gint64 last = 0, rows = self->rejected_rows, bytes = self->rejected_bytes;
      g_autofree char *sql = NULL;

      if (sqlite3_prepare_v2 (self->wdb, "SELECT row, length(raw) FROM rejected ORDER BY row"
                              " LIMIT 1000", -1, &s, NULL) != SQLITE_OK)
        break;
      while ((rows > max_rows || bytes > (gint64) max_bytes) && sqlite3_step (s) == SQLITE_ROW)
        {
          last = sqlite3_column_int64 (s, 0);
          rows--;
          bytes -= sqlite3_column_int64 (s, 1);
        }
      sqlite3_finalize (s);
      sql = g_strdup_printf ("DELETE FROM rejected WHERE row <= %" G_GINT64_FORMAT, last);
      if (last == 0 || !_arb_sql_exec (self->wdb, sql, NULL))
        {
          self->rejected_rows = -1;
          break;
        }
      self->rejected_rows = rows;
      self->rejected_bytes = bytes;
    }
}
gboolean
_arb_store_prepare_writer (ArbStore *self, GError **error)
{
  self->wdb = _arb_store_open_db (self->path, FALSE, error);
  if (self->wdb == NULL)
    return FALSE;
  for (guint i = 0; i < N_STMTS; i++)
    if (sqlite3_prepare_v3 (self->wdb, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &self->stmts[i], NULL) != SQLITE_OK)
      return _arb_sql_error (self->wdb, error, "preparing statements");
  return TRUE;
}

/* Sets a meta value on the main connection, outside any batch. */
gboolean
arb_store_set_meta_now (ArbStore    *self,
                        const char  *key,
                        gint64       value,
                        GError     **error)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (sqlite3_prepare_v2 (self->db, stmt_sql[STMT_META], -1, &s, NULL) != SQLITE_OK)
    return _arb_sql_error (self->db, error, "writing meta");
  _arb_sql_bind_text (s, 1, key);
  sqlite3_bind_int64 (s, 2, value);
  rc = sqlite3_step (s);
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return _arb_sql_error (self->db, error, "writing meta");
  return TRUE;
}

void
_arb_store_set_rejected_caps (ArbStore *self,
                              guint     rows,
                              gsize     bytes)
{
  g_mutex_lock (&self->lock);
  self->rejected_max_rows = rows;
  self->rejected_max_bytes = bytes;
  g_mutex_unlock (&self->lock);
}
