/* arb-format.c: the words and numbers the views show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-format"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arb-format.h"
#include "arb-event.h"

static const struct
{
  const char *code;
  const char *symbol;
} currencies[] = {
  { "USD", "$" },
  { "EUR", "€" },
  { "GBP", "£" },
};

/**
 * arb_format_currency_symbol:
 * @quote: (nullable): a currency code such as "USD"
 *
 * Returns: (nullable): the symbol written before amounts of @quote, or %NULL
 *   when the code is written after them ("12.50 DAI")
 */
const char *
arb_format_currency_symbol (const char *quote)
{
  for (guint i = 0; quote != NULL && i < G_N_ELEMENTS (currencies); i++)
    if (g_str_equal (quote, currencies[i].code))
      return currencies[i].symbol;
  return NULL;
}

/**
 * arb_format_money:
 * @amount: an amount in @quote
 * @quote: (nullable): the currency code, %NULL when the amount sums bots
 *   that report in different currencies
 *
 * Returns: (transfer full): the amount with two decimals, its sign and its
 *   currency: "−$12.50", "3.10 DAI"
 */
char *
arb_format_money (double amount, const char *quote)
{
  const char *symbol = arb_format_currency_symbol (quote);
  /* the minus sign, not a hyphen */
  const char *sign = amount < 0 ? "−" : "";

  if (isnan (amount))
    return g_strdup ("—");
  if (symbol != NULL)
    return g_strdup_printf ("%s%s%.2f", sign, symbol, fabs (amount));
  if (quote != NULL)
    /* a no-break space keeps the code with its number */
    return g_strdup_printf ("%s%.2f\u00a0%s", sign, fabs (amount), quote);
  return g_strdup_printf ("%s%.2f", sign, fabs (amount));
}

/**
 * arb_format_percent:
 * @fraction: 0 to 1, or NAN when there is nothing to count
 *
 * Returns: (transfer full): the percentage, or a dash
 */
char *
arb_format_percent (double fraction)
{
  if (isnan (fraction))
    return g_strdup ("—");
  /* Translators: a percentage, such as "92.5 %"; keep the %.1f */
  return g_strdup_printf (_("%.1f %%"), fraction * 100.0);
}

/**
 * arb_format_time:
 * @ms: ms since the Unix epoch, or 0
 *
 * Returns: (transfer full): the local time of day, or "never"
 */
char *
arb_format_time (gint64 ms)
{
  g_autoptr(GDateTime) when = NULL;

  if (ms <= 0)
    return g_strdup (_("never"));
  when = g_date_time_new_from_unix_local (ms / 1000);
  return g_date_time_format (when, "%X");
}

/**
 * arb_format_duration:
 * @seconds: a length of time
 *
 * Returns: (transfer full): days, hours and minutes
 */
char *
arb_format_duration (double seconds)
{
  guint64 s = seconds > 0 ? (guint64) seconds : 0;
  /* guint, not G_GUINT64_FORMAT: xgettext cannot see through a macro in a msgid */
  guint days = (guint) MIN (s / 86400, G_MAXUINT), hours = (guint) (s / 3600 % 24);
  guint minutes = (guint) (s / 60 % 60);

  if (days > 0)
    /* Translators: an uptime such as "3 d 4 h" */
    return g_strdup_printf (_("%u d %u h"), days, hours);
  if (hours > 0)
    /* Translators: an uptime such as "4 h 12 min" */
    return g_strdup_printf (_("%u h %u min"), hours, minutes);
  /* Translators: an uptime such as "12 min" */
  return g_strdup_printf (_("%u min"), minutes);
}

/**
 * arb_format_bot_state:
 * @link: a bot
 *
 * The connection comes first: a bot that is not connected does nothing,
 * whatever it last said it was doing.
 *
 * Returns: the bot's state in a word
 */
const char *
arb_format_bot_state (ArbBotLink *link)
{
  switch (arb_bot_link_get_state (link))
    {
    case ARB_LINK_STALE:
      return C_("bot state", "Stale");
    case ARB_LINK_LOST:
      return C_("bot state", "Lost");
    case ARB_LINK_DISCONNECTED:
      return C_("bot state", "Disconnected");
    case ARB_LINK_CONNECTED:
    default:
      break;
    }
  switch (arb_bot_link_get_run_state (link))
    {
    case ARB_BOT_PAUSED:
      return C_("bot state", "Paused");
    case ARB_BOT_STOPPED:
      return C_("bot state", "Stopped");
    case ARB_BOT_ERROR:
      return C_("bot state", "Error");
    case ARB_BOT_RUNNING:
    default:
      return C_("bot state", "Running");
    }
}

/**
 * arb_format_bot_detail:
 * @link: a bot
 *
 * Returns: (transfer full): state, last heartbeat, strategy and version on one line
 */
char *
arb_format_bot_detail (ArbBotLink *link)
{
  g_autofree char *heartbeat = arb_format_time (arb_bot_link_get_last_heartbeat (link));
  GString *s = g_string_new (arb_format_bot_state (link));

  g_string_append (s, " · ");
  /* Translators: %s is the time of a bot's last heartbeat, or "never" */
  g_string_append_printf (s, _("last heartbeat %s"), heartbeat);
  if (arb_bot_link_get_strategy (link) != NULL)
    g_string_append_printf (s, " · %s", arb_bot_link_get_strategy (link));
  if (arb_bot_link_get_version (link) != NULL)
    {
      g_string_append (s, " · ");
      /* Translators: %s is a bot's version, such as "1.2.0" */
      g_string_append_printf (s, _("version %s"), arb_bot_link_get_version (link));
    }
  return g_string_free (s, FALSE);
}

/* The core's message ends in " for N s" for a silent bot: the seconds, or -1 */
static gint64
trailing_seconds (const char *message)
{
  const char *at = message != NULL ? g_strrstr (message, " for ") : NULL;
  char *end = NULL;
  gint64 seconds;

  if (at == NULL)
    return -1;
  seconds = g_ascii_strtoll (at + strlen (" for "), &end, 10);
  return end != at + strlen (" for ") && g_strcmp0 (end, " s") == 0 && seconds >= 0 ? seconds : -1;
}

/* The bot's own words in an error_log alert: what follows the core's
 * "Bot ID logged LEVEL: ", or %NULL where the message is not of that form */
static const char *
logged_text (const ArbAlert *alert)
{
  g_autofree char *prefix = NULL;

  if (alert->value < ARB_LOG_DEBUG || alert->value > ARB_LOG_CRITICAL)
    return NULL;
  prefix = g_strdup_printf ("Bot %s logged %s: ", alert->subject,
                            arb_log_level_name ((ArbLogLevel) alert->value));
  return g_str_has_prefix (alert->message, prefix) ? alert->message + strlen (prefix) : NULL;
}

static char *
format_silent_bot (const ArbAlert *alert, gboolean lost)
{
  gint64 s = trailing_seconds (alert->message);
  gulong n = (gulong) MAX (s, 0);

  if (s < 0)
    return g_strdup_printf (lost ? _("Bot %s is lost: no heartbeat")
                                 : _("Bot %s sent no heartbeat"), alert->subject);
  if (lost)
    /* Translators: a bot's id, then how long it has been silent */
    return g_strdup_printf (ngettext ("Bot %s is lost: no heartbeat for %lu second",
                                      "Bot %s is lost: no heartbeat for %lu seconds", n),
                            alert->subject, n);
  /* Translators: a bot's id, then how long it has been silent */
  return g_strdup_printf (ngettext ("Bot %s sent no heartbeat for %lu second",
                                    "Bot %s sent no heartbeat for %lu seconds", n),
                          alert->subject, n);
}

/**
 * arb_format_alert_message:
 * @alert: an alert
 *
 * The core writes each alert's message in English: it is data of the API and
 * the database, the same for every reader. The window says it in its own
 * language from the alert's rule, subject, value and threshold; a rule it
 * does not know shows the core's message.
 *
 * Returns: (transfer full): what the alert is about, in one sentence
 */
char *
arb_format_alert_message (const ArbAlert *alert)
{
  const char *rule = alert->rule != NULL ? alert->rule : "";
  const char *text;
  gulong n;

  if (strcmp (rule, "cpu") == 0)
    /* Translators: the machine's CPU use in percent, then the alert's threshold */
    return g_strdup_printf (_("CPU busy at %.0f %% (threshold %.0f %%)"), alert->value,
                            alert->threshold);
  if (strcmp (rule, "memory") == 0)
    return g_strdup_printf (_("Memory used at %.0f %% (threshold %.0f %%)"), alert->value,
                            alert->threshold);
  if (strcmp (rule, "disk") == 0)
    return g_strdup_printf (_("The database’s disk is %.0f %% full (threshold %.0f %%)"),
                            alert->value, alert->threshold);
  if (strcmp (rule, "losing_streak") == 0)
    {
      n = isfinite (alert->value) && alert->value > 0 ? (gulong) alert->value : 0;
      /* Translators: a bot's id, then how many of its trades lost money in a row */
      return g_strdup_printf (ngettext ("Bot %s lost money on %lu trade in a row",
                                        "Bot %s lost money on %lu trades in a row", n),
                              alert->subject, n);
    }
  if (strcmp (rule, "gas_spike") == 0)
    /* Translators: a bot's id, the gas price it paid, then the alert's threshold */
    return g_strdup_printf (_("Bot %s paid %.1f gwei for gas (threshold %.1f gwei)"),
                            alert->subject, alert->value, alert->threshold);
  if (strcmp (rule, "error_log") == 0 && (text = logged_text (alert)) != NULL)
    return g_strdup_printf (alert->value >= ARB_LOG_CRITICAL
                            /* Translators: a bot's id, then the message it logged */
                            ? _("Bot %s logged a critical error: %s")
                            /* Translators: a bot's id, then the message it logged */
                            : _("Bot %s logged an error: %s"), alert->subject, text);
  if (strcmp (rule, "bot_stale") == 0)
    return format_silent_bot (alert, FALSE);
  if (strcmp (rule, "bot_lost") == 0)
    return format_silent_bot (alert, TRUE);
  return g_strdup (alert->message);
}

/**
 * arb_format_alert_subject:
 * @alert: an alert
 *
 * Returns: what the alert is about: "this computer" for the host, else the bot's id
 */
const char *
arb_format_alert_subject (const ArbAlert *alert)
{
  /* Translators: the subject of an alert about the machine arbdash runs on */
  return g_strcmp0 (alert->subject, "host") == 0 ? _("this computer") : alert->subject;
}
