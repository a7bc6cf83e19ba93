/* arb-config-watch.c: a running dashboard follows the tokens of its configuration file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `arbdash token add|remove` (or an editor) rewrites the file the server
 * read; a GFileMonitor sees the rename and the tokens are read again, so a
 * new token works and a removed one stops working without a restart.
 * Only [tokens] and [bot-ids] are followed: the listen address, the
 * database and the limits are fixed for the life of the process.
 */
#define G_LOG_DOMAIN "arb-config"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "arb-config-watch.h"

/* An editor or a rename sends several events: read once they are over. */
#define SETTLE_MS 100

struct _ArbConfigWatch
{
  GObject       parent_instance;
  ArbConfig    *config;   /* not ours */
  char         *path;
  GFileMonitor *monitor;
  guint         settle_id;
};

enum { TOKENS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ArbConfigWatch, arb_config_watch, G_TYPE_OBJECT)

static void
arb_config_watch_dispose (GObject *object)
{
  ArbConfigWatch *self = ARB_CONFIG_WATCH (object);

  g_clear_handle_id (&self->settle_id, g_source_remove);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (arb_config_watch_parent_class)->dispose (object);
}

static void
arb_config_watch_finalize (GObject *object)
{
  ArbConfigWatch *self = ARB_CONFIG_WATCH (object);

  g_free (self->path);
  G_OBJECT_CLASS (arb_config_watch_parent_class)->finalize (object);
}

static void
arb_config_watch_class_init (ArbConfigWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arb_config_watch_dispose;
  object_class->finalize = arb_config_watch_finalize;

  /**
   * ArbConfigWatch::tokens-changed:
   *
   * Tokens were added to or removed from the configuration (a list of
   * them, like the Access page's, is out of date).
   */
  signals[TOKENS_CHANGED] = g_signal_new ("tokens-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
arb_config_watch_init (ArbConfigWatch *self)
{
}

/**
 * arb_config_watch_reload:
 * @self: the watch
 * @error: where to put an error
 *
 * Reads the tokens of the file again (arb_config_reload_tokens()). On
 * error the tokens in use stay as they were.
 *
 * Returns: whether the file was read
 */
gboolean
arb_config_watch_reload (ArbConfigWatch  *self,
                         GError         **error)
{
  guint added = 0, removed = 0;

  g_return_val_if_fail (ARB_IS_CONFIG_WATCH (self), FALSE);

  if (!arb_config_reload_tokens (self->config, self->path, &added, &removed, error))
    return FALSE;
  if (added == 0 && removed == 0)
    return TRUE;
  g_message (_("%s: tokens read again: %u added, %u removed"), self->path, added, removed);
  g_signal_emit (self, signals[TOKENS_CHANGED], 0);
  return TRUE;
}

static gboolean
settled (gpointer data)
{
  ArbConfigWatch *self = data;
  g_autoptr(GError) error = NULL;

  self->settle_id = 0;
  if (!arb_config_watch_reload (self, &error))
    g_warning (_("The configuration file changed but was not read, the tokens in use stay: %s"),
               error->message);
  return G_SOURCE_REMOVE;
}

static void
on_changed (GFileMonitor      *monitor,
            GFile             *file,
            GFile             *other,
            GFileMonitorEvent  event,
            gpointer           data)
{
  ArbConfigWatch *self = data;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (SETTLE_MS, settled, self);
}

/**
 * arb_config_watch_new:
 * @config: the settings the running server checks, which must outlive the watch
 *
 * Watches arb_config_dup_save_path(): the file read at start, else the
 * default one, which `arbdash token add` creates.
 *
 * Returns: (transfer full): a new watch
 */
ArbConfigWatch *
arb_config_watch_new (ArbConfig *config)
{
  ArbConfigWatch *self;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (ARB_TYPE_CONFIG_WATCH, NULL);
  self->config = config;
  self->path = arb_config_dup_save_path (config);
  file = g_file_new_for_path (self->path);
  /* the watch follows the directory, so a file replaced by rename is seen too */
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (self->monitor == NULL)
    g_warning (_("Changes to %s will not be followed, restart arbdash after editing it: %s"),
               self->path, error->message);
  else
    g_signal_connect (self->monitor, "changed", G_CALLBACK (on_changed), self);
  return self;
}

const char *
arb_config_watch_get_path (ArbConfigWatch *self)
{
  g_return_val_if_fail (ARB_IS_CONFIG_WATCH (self), NULL);

  return self->path;
}
