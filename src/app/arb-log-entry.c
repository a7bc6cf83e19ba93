/* arb-log-entry.c: one log message, an item of the Log page's model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Immutable once made. The text search folds the case of what it searches
 * once, on the first search, not on every keystroke.
 */
#define G_LOG_DOMAIN "arb-log-entry"

#include "config.h"

#include <string.h>

#include "arb-log-entry.h"

struct _ArbLogEntry
{
  GObject      parent_instance;

  gint64       ts;
  char        *bot_id;
  char        *component;
  char        *message;
  char        *folded;    /* bot, component and message, case-folded; on demand */
  ArbLogLevel  level;
};

G_DEFINE_FINAL_TYPE (ArbLogEntry, arb_log_entry, G_TYPE_OBJECT)

static void
arb_log_entry_finalize (GObject *object)
{
  ArbLogEntry *self = ARB_LOG_ENTRY (object);

  g_free (self->bot_id);
  g_free (self->component);
  g_free (self->message);
  g_free (self->folded);

  G_OBJECT_CLASS (arb_log_entry_parent_class)->finalize (object);
}

static void
arb_log_entry_class_init (ArbLogEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_log_entry_finalize;
}

static void
arb_log_entry_init (ArbLogEntry *self)
{
}

/**
 * arb_log_entry_new:
 * @ts: when the message was logged, ms since the Unix epoch
 * @bot_id: (nullable): the bot that logged it, %NULL for the dashboard itself
 * @component: (nullable): the part of the bot that logged it
 * @message: the text
 *
 * Returns: (transfer full): a new entry
 */
ArbLogEntry *
arb_log_entry_new (gint64       ts,
                   const char  *bot_id,
                   ArbLogLevel  level,
                   const char  *component,
                   const char  *message)
{
  ArbLogEntry *self = g_object_new (ARB_TYPE_LOG_ENTRY, NULL);

  self->ts = ts;
  self->bot_id = g_strdup (bot_id);
  self->level = level;
  self->component = g_strdup (component);
  self->message = g_strdup (message != NULL ? message : "");
  return self;
}

/**
 * arb_log_entry_new_from_event:
 * @bot_id: (nullable): the bot that logged it, %NULL for the dashboard itself
 * @event: a log event
 *
 * Returns: (transfer full): the entry
 */
ArbLogEntry *
arb_log_entry_new_from_event (const char     *bot_id,
                              const ArbEvent *event)
{
  g_return_val_if_fail (event != NULL && event->type == ARB_MSG_LOG, NULL);

  return arb_log_entry_new (event->ts, bot_id, event->log.level, event->log.component,
                            event->log.message);
}

gint64
arb_log_entry_get_ts (ArbLogEntry *self)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), 0);
  return self->ts;
}

/**
 * arb_log_entry_get_bot_id:
 *
 * Returns: (nullable): the bot, %NULL for the dashboard's own messages
 */
const char *
arb_log_entry_get_bot_id (ArbLogEntry *self)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), NULL);
  return self->bot_id;
}

ArbLogLevel
arb_log_entry_get_level (ArbLogEntry *self)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), ARB_LOG_INFO);
  return self->level;
}

/**
 * arb_log_entry_get_component:
 *
 * Returns: (nullable): the component, if the bot named one
 */
const char *
arb_log_entry_get_component (ArbLogEntry *self)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), NULL);
  return self->component;
}

const char *
arb_log_entry_get_message (ArbLogEntry *self)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), NULL);
  return self->message;
}

/**
 * arb_log_entry_matches:
 * @folded: the text to look for, already passed through g_utf8_casefold()
 *
 * Returns: whether the message, the bot or the component contain @folded,
 *   ignoring case
 */
gboolean
arb_log_entry_matches (ArbLogEntry *self,
                       const char  *folded)
{
  g_return_val_if_fail (ARB_IS_LOG_ENTRY (self), FALSE);

  if (folded == NULL || *folded == '\0')
    return TRUE;
  if (self->folded == NULL)
    {
      /* joined by a newline, which a one-line search text does not hold, so
       * no match spans two fields */
      g_autofree char *all = g_strjoin ("\n", self->bot_id != NULL ? self->bot_id : "",
                                        self->component != NULL ? self->component : "",
                                        self->message, NULL);
      self->folded = g_utf8_casefold (all, -1);
    }
  return strstr (self->folded, folded) != NULL;
}
