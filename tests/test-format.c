/* test-format.c: the words and numbers the views show (src/app/arb-format.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "arb-alerts.h"
#include "arb-format.h"
#include "test-util.h"

static void
check_money (double amount, const char *quote, const char *expected)
{
  g_autofree char *text = arb_format_money (amount, quote);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_money (void)
{
  check_money (12.5, "USD", "$12.50");
  check_money (-12.5, "USD", "−$12.50");
  check_money (0.004, "EUR", "€0.00");
  check_money (1234.567, "GBP", "£1234.57");
  /* codes without a symbol go after the number, kept with it */
  check_money (3.1, "DAI", "3.10\u00a0DAI");
  check_money (-3.1, "DAI", "−3.10\u00a0DAI");
  /* a sum over bots of different currencies has none */
  check_money (-7, NULL, "−7.00");
  check_money (NAN, "USD", "—");
}

static void
test_currency_symbol (void)
{
  g_assert_cmpstr (arb_format_currency_symbol ("USD"), ==, "$");
  g_assert_cmpstr (arb_format_currency_symbol ("EUR"), ==, "€");
  g_assert_null (arb_format_currency_symbol ("usd"));
  g_assert_null (arb_format_currency_symbol ("WETH"));
  g_assert_null (arb_format_currency_symbol (NULL));
}

/* ---------------------------------------------------------------- alerts */

#define T0 G_GINT64_CONSTANT (1700000000000)

static void
trade (ArbAlerts *alerts, const char *bot_id, gint64 now, double profit, double gas_gwei)
{
  test_observe_trade (alerts, bot_id, now, profit, gas_gwei);
}

/* Returns: (transfer full): the window's words for the active alert of @rule */
static char *
active_message (ArbAlerts *alerts, const char *rule)
{
  g_autoptr(GPtrArray) active = arb_alerts_list_active (alerts);

  for (guint i = 0; i < active->len; i++)
    {
      const ArbAlert *a = g_ptr_array_index (active, i);
      if (g_strcmp0 (a->rule, rule) == 0)
        return arb_format_alert_message (a);
    }
  g_error ("no active %s alert", rule);
}

/* The alerts the real core raises, in the window's words: the rule's fields,
 * and what only the core's message has (the bot's own text, the seconds). */
static void
test_alert_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("arb-test-format-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "arbdash.db", NULL);
  g_autoptr(ArbStore) store = arb_store_open (path, &error);
  g_autoptr(ArbHub) hub = arb_hub_new (1, 1024);
  g_autoptr(ArbAlerts) alerts = NULL;
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot1");
  ArbAlertThresholds t;
  ArbEvent log;
  const char *name;
  char *m;

  g_assert_no_error (error);
  arb_alert_thresholds_init_default (&t);
  t.losing_streak = 3;
  t.gas_spike_gwei = 100;
  alerts = arb_alerts_new (hub, store, &t);

  for (int i = 0; i < 3; i++)
    trade (alerts, "arb-eu-1", T0 + i, -1, 20);
  m = active_message (alerts, "losing_streak");
  g_assert_cmpstr (m, ==, "Bot arb-eu-1 lost money on 3 trades in a row");
  g_free (m);
  trade (alerts, "arb-eu-2", T0, 1, 150);
  m = active_message (alerts, "gas_spike");
  g_assert_cmpstr (m, ==, "Bot arb-eu-2 paid 150.0 gwei for gas (threshold 100.0 gwei)");
  g_free (m);

  memset (&log, 0, sizeof log);
  log.type = ARB_MSG_LOG;
  log.seq = 2;
  log.ts = T0;
  log.log.level = ARB_LOG_CRITICAL;
  log.log.message = (char *) "the node is gone: logged: twice";
  arb_alerts_observe_event (alerts, "arb-eu-3", &log, T0);
  m = active_message (alerts, "error_log");
  g_assert_cmpstr (m, ==, "Bot arb-eu-3 logged a critical error: the node is gone: logged: twice");
  g_free (m);

  g_assert_true (arb_bot_link_attach (link, T0));
  g_assert_true (arb_bot_link_check (link, T0 + 16000));
  arb_alerts_observe_bot (alerts, link, T0 + 16000);
  m = active_message (alerts, "bot_stale");
  g_assert_cmpstr (m, ==, "Bot bot1 sent no heartbeat for 16 seconds");
  g_free (m);
  g_assert_true (arb_bot_link_check (link, T0 + 61000));
  arb_alerts_observe_bot (alerts, link, T0 + 61000);
  m = active_message (alerts, "bot_lost");
  g_assert_cmpstr (m, ==, "Bot bot1 is lost: no heartbeat for 61 seconds");
  g_free (m);

  /* a rule the window does not know: the core's words */
  {
    ArbAlert unknown = { .rule = (char *) "new_rule", .subject = (char *) "host",
                         .message = (char *) "Something new happened" };
    g_autofree char *text = arb_format_alert_message (&unknown);

    g_assert_cmpstr (text, ==, "Something new happened");
    g_assert_cmpstr (arb_format_alert_subject (&unknown), ==, "this computer");
  }

  g_clear_object (&alerts);
  arb_store_close (store);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/format/money", test_money);
  g_test_add_func ("/arb/format/currency-symbol", test_currency_symbol);
  g_test_add_func ("/arb/format/alert-message", test_alert_message);

  return g_test_run ();
}
