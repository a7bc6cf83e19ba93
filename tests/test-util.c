/* test-util.c: small helpers every test executable may share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "arb-json.h"
#include "test-util.h"

void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_rmdir (path) != 0)
        g_remove (path);
    }
  g_rmdir (dir);
}

ArbEvent *
test_event_from_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  g_autofree char *field = NULL;
  ArbLimits limits;
  ArbEvent *e;
  gint64 seq;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  arb_limits_init_default (&limits);
  e = arb_event_from_json (json_node_get_object (node), &limits, &field, &seq, &error);
  g_assert_no_error (error);
  return e;
}

static struct
{
  char            *domain;
  GLogLevelFlags   levels;
  GPtrArray      **sink;
} capture;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if (*capture.sink != NULL && (log_level & capture.levels) &&
      g_strcmp0 (domain, capture.domain) == 0)
    {
      g_ptr_array_add (*capture.sink, g_strdup (message));
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
test_capture_log (const char      *domain,
                  GLogLevelFlags   levels,
                  GPtrArray      **sink)
{
  g_assert_null (capture.sink);
  capture.domain = g_strdup (domain);
  capture.levels = levels;
  capture.sink = sink;
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

char *
test_trade_page_json (ArbTradePage *page)
{
  g_autoptr(ArbTradePage) owned = page;

  return page != NULL ? arb_trade_page_to_json (page) : NULL;
}

char *
test_rejected_page_json (ArbRejectedPage *page)
{
  g_autoptr(ArbRejectedPage) owned = page;

  return page != NULL ? arb_rejected_page_to_json (page) : NULL;
}

JsonNode *
test_audit_json (GPtrArray *commands)
{
  g_autoptr(GPtrArray) owned = commands;
  g_autoptr(JsonBuilder) b = NULL;

  if (commands == NULL)
    return NULL;
  b = json_builder_new_immutable ();
  json_builder_begin_array (b);
  for (guint i = 0; i < commands->len; i++)
    json_builder_add_value (b, arb_command_to_json (g_ptr_array_index (commands, i)));
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

char *
test_alerts_json (GPtrArray *alerts)
{
  g_autoptr(GPtrArray) owned = alerts;
  GString *out;

  if (alerts == NULL)
    return NULL;
  out = g_string_new (NULL);
  arb_json_array_begin (out);
  for (guint i = 0; i < alerts->len; i++)
    {
      g_autofree char *json = arb_alert_to_json (g_ptr_array_index (alerts, i));
      arb_json_raw (out, json);
    }
  arb_json_array_end (out);
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------- waiting */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_wait_begin (TestWait     *wait,
                 GMainContext *context,
                 guint         timeout_ms)
{
  wait->context = context;
  wait->deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  wait->wake = g_timeout_source_new (10);
  g_source_set_callback (wait->wake, wake_cb, NULL, NULL);
  g_source_attach (wait->wake, context);
}

gboolean
test_wait_step (TestWait *wait)
{
  if (g_get_monotonic_time () >= wait->deadline_us)
    return FALSE;
  g_main_context_iteration (wait->context, TRUE);
  return TRUE;
}

void
test_wait_end (TestWait *wait)
{
  g_source_destroy (wait->wake);
  g_clear_pointer (&wait->wake, g_source_unref);
}

gboolean
spin_until (Cond     cond,
            gpointer data,
            guint    timeout_ms)
{
  TestWait wait;

  test_wait_begin (&wait, NULL, timeout_ms);
  while (!cond (data) && test_wait_step (&wait))
    ;
  test_wait_end (&wait);
  return cond (data);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
spin_for (guint ms)
{
  spin_until (never, NULL, ms);
}

void
test_observe_trade (ArbAlerts  *alerts,
                    const char *bot_id,
                    gint64      now,
                    double      profit,
                    double      gas_gwei)
{
  ArbEvent e;

  memset (&e, 0, sizeof e);
  e.type = ARB_MSG_TRADE;
  e.seq = 1;
  e.ts = now;
  e.trade.id = (char *) "t";
  e.trade.pair = (char *) "ETH/USDC";
  e.trade.buy_venue = (char *) "uniswap";
  e.trade.sell_venue = (char *) "sushiswap";
  e.trade.status = profit < 0 ? ARB_TRADE_FAILED : ARB_TRADE_FILLED;
  e.trade.profit = profit;
  e.trade.gas_used = -1;
  e.trade.gas_price_gwei = gas_gwei;
  e.trade.gas_cost = NAN;
  e.trade.fees = NAN;
  e.trade.latency_ms = NAN;
  arb_alerts_observe_event (alerts, bot_id, &e, now);
}
