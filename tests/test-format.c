/* test-format.c: the words and numbers the views show (src/app/arb-format.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "arb-format.h"

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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/format/money", test_money);
  g_test_add_func ("/arb/format/currency-symbol", test_currency_symbol);

  return g_test_run ();
}
