/* arb-proc-watch.c: one process's CPU, memory and threads, read from /proc/<pid>
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-sampler"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "arb-proc-watch.h"

void
arb_proc_watch_init (ArbProcWatch  *watch,
                     const char *root,
                     const char *key,
                     const char *dir)
{
  memset (watch, 0, sizeof *watch);
  watch->key = g_strdup (key);
  arb_proc_file_init (&watch->stat, g_build_filename (root, dir, "stat", NULL));
  arb_proc_file_init (&watch->status, g_build_filename (root, dir, "status", NULL));
}

void
arb_proc_watch_clear (ArbProcWatch *watch)
{
  arb_proc_file_clear (&watch->stat);
  arb_proc_file_clear (&watch->status);
  g_clear_pointer (&watch->key, g_free);
}

void
arb_proc_watch_free (gpointer data)
{
  ArbProcWatch *watch = data;

  arb_proc_watch_clear (watch);
  g_free (watch);
}

/* Once gone, always gone: the held file descriptors pinned that very process,
 * and a new one that reuses the pid is not the bot we were told about. */
void
arb_proc_watch_set_gone (ArbProcWatch *watch)
{
  arb_proc_file_close (&watch->stat);
  arb_proc_file_close (&watch->status);
  memset (&watch->stats, 0, sizeof watch->stats);
  watch->gone = TRUE;
}

static gboolean
parse_pid_stat (ArbProcBuf  *buf,
                const char  *path,
                char        *state,
                guint64     *ticks,
                GError     **error)
{
  /* The comm field may hold spaces and parentheses: fields restart after the last ')'. */
  char *p = strrchr (buf->data, ')');
  guint64 utime;
  guint64 stime;

  if (p == NULL || p[1] != ' ' || p[2] == '\0')
    return arb_proc_set_parse_error (error, path, "the process state");
  p += 2;
  *state = *p++;

  /* Fields 4 (ppid) to 13 (cmajflt), then 14 utime and 15 stime. */
  for (guint i = 4; i <= 13; i++)
    if (!arb_proc_skip_field (&p))
      return arb_proc_set_parse_error (error, path, "the process fields");
  if (!arb_proc_parse_u64 (&p, &utime) || !arb_proc_parse_u64 (&p, &stime))
    return arb_proc_set_parse_error (error, path, "the process CPU times");

  *ticks = utime + stime;

  return TRUE;
}

/* RSS from status, not from stat: status gives kB, stat gives pages, whose
 * size differs between machines. */
static gboolean
parse_pid_status (ArbProcBuf  *buf,
                  const char  *path,
                  guint64     *rss_bytes,
                  guint       *threads,
                  GError     **error)
{
  char *cursor = buf->data;
  char *line;

  /* Kernel threads and zombies have no VmRSS line. */
  *rss_bytes = 0;

  while ((line = arb_proc_next_line (&cursor)) != NULL)
    {
      guint64 value;
      char *p;

      if (g_str_has_prefix (line, "VmRSS:"))
        {
          p = line + strlen ("VmRSS:");
          if (!arb_proc_parse_u64 (&p, &value))
            return arb_proc_set_parse_error (error, path, "VmRSS");
          *rss_bytes = value * 1024;
        }
      else if (g_str_has_prefix (line, "Threads:"))
        {
          p = line + strlen ("Threads:");
          if (!arb_proc_parse_u64 (&p, &value))
            return arb_proc_set_parse_error (error, path, "Threads");
          *threads = (guint) value;
          return TRUE;   /* after VmRSS, and the last line we need */
        }
    }

  return arb_proc_set_parse_error (error, path, "Threads");
}

gboolean
arb_proc_watch_read (ArbProcWatch  *watch,
                     ArbProcBuf    *buf,
                     gint64         now_us,
                     long           clk_tck,
                     GError       **error)
{
  guint64 ticks = 0;
  guint64 rss_bytes = 0;
  guint threads = 0;
  char state = '\0';

  if (!arb_proc_file_read (&watch->stat, buf, error) ||
      !parse_pid_stat (buf, watch->stat.path, &state, &ticks, error))
    return FALSE;

  /* A zombie has exited and only waits for its parent to reap it. */
  if (state == 'Z' || state == 'X')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: the process has exited", watch->stat.path);
      return FALSE;
    }

  if (!arb_proc_file_read (&watch->status, buf, error) ||
      !parse_pid_status (buf, watch->status.path, &rss_bytes, &threads, error))
    return FALSE;

  if (watch->have_prev && now_us > watch->prev_us && ticks >= watch->prev_ticks)
    {
      double dt_s = (double) (now_us - watch->prev_us) / G_USEC_PER_SEC;

      watch->stats.cpu_pct = 100.0 * (double) (ticks - watch->prev_ticks)
                             / ((double) clk_tck * dt_s);
    }
  else
    {
      watch->stats.cpu_pct = 0.0;
    }
  watch->stats.rss_bytes = rss_bytes;
  watch->stats.threads = threads;
  watch->stats.alive = TRUE;
  watch->prev_ticks = ticks;
  watch->prev_us = now_us;
  watch->have_prev = TRUE;

  return TRUE;
}

/* Not a collector that can be disabled: a pid that cannot be read is gone,
 * which is news about the bot, not a fault of the sampler. */
void
arb_proc_watches_collect (GHashTable *watches,
                          GHashTable *procs,
                          ArbProcBuf *buf,
                          gint64      now_us,
                          long        clk_tck)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(GError) error = NULL;
      ArbProcWatch *watch = value;
      ArbProcStats *stats;

      if (!watch->gone && !arb_proc_watch_read (watch, buf, now_us, clk_tck, &error))
        {
          g_debug ("Watched process %s is gone: %s", watch->key, error->message);
          arb_proc_watch_set_gone (watch);
        }

      stats = g_hash_table_lookup (procs, watch->key);
      if (stats == NULL)
        {
          stats = g_new (ArbProcStats, 1);
          g_hash_table_insert (procs, g_strdup (watch->key), stats);
        }
      *stats = watch->stats;
    }
}

