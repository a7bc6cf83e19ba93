/* arb-proc-file.c: reading /proc files, and the parsing helpers of their text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each file is opened once and re-read from offset 0 into one buffer that
 * only grows, so the steady state makes no allocation.
 */
#define G_LOG_DOMAIN "arb-sampler"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "arb-proc-file.h"

#define BUF_INITIAL_SIZE 4096
/* Far above any real /proc file we read: past it something is wrong. */
#define BUF_MAX_SIZE     (8 * 1024 * 1024)

void
arb_proc_buf_init (ArbProcBuf *buf)
{
  buf->size = BUF_INITIAL_SIZE;
  buf->data = g_malloc (buf->size);
}

void
arb_proc_buf_clear (ArbProcBuf *buf)
{
  g_clear_pointer (&buf->data, g_free);
  buf->size = 0;
}

/* Takes @path. */
void
arb_proc_file_init (ArbProcFile *file,
                    char     *path)
{
  file->path = path;
  file->fd = -1;
}

void
arb_proc_file_close (ArbProcFile *file)
{
  if (file->fd >= 0)
    close (file->fd);
  file->fd = -1;
}

void
arb_proc_file_clear (ArbProcFile *file)
{
  arb_proc_file_close (file);
  g_clear_pointer (&file->path, g_free);
}

gboolean
arb_proc_set_errno_error (GError     **error,
                          int          errsv,
                          const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", path, g_strerror (errsv));
  return FALSE;
}

gboolean
arb_proc_set_parse_error (GError     **error,
                          const char  *path,
                          const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: cannot parse %s", path, what);
  return FALSE;
}

/* Reads the whole of @file into @buf, NUL-terminated. The file stays
 * open: /proc files give fresh contents on every read from offset 0. */
gboolean
arb_proc_file_read (ArbProcFile  *file,
                    ArbProcBuf   *buf,
                    GError      **error)
{
  if (file->fd < 0)
    {
      file->fd = open (file->path, O_RDONLY | O_CLOEXEC);
      if (file->fd < 0)
        return arb_proc_set_errno_error (error, errno, file->path);
    }

  for (;;)
    {
      gsize len = 0;

      if (lseek (file->fd, 0, SEEK_SET) < 0)
        return arb_proc_set_errno_error (error, errno, file->path);

      while (len < buf->size - 1)
        {
          gssize n = read (file->fd, buf->data + len, buf->size - 1 - len);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return arb_proc_set_errno_error (error, errno, file->path);
          if (n == 0)
            break;
          len += n;
        }

      if (len < buf->size - 1)
        {
          buf->data[len] = '\0';
          return TRUE;
        }

      /* Full buffer: the file may go on. Read it again, whole, into a larger
       * one rather than stitching two different moments together. */
      if (buf->size >= BUF_MAX_SIZE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s: larger than %d bytes", file->path, BUF_MAX_SIZE);
          return FALSE;
        }
      buf->size *= 2;
      buf->data = g_realloc (buf->data, buf->size);
    }
}

/* ---------------------------------------------------------------------------
 * Parsing helpers: they work in place on the buffer and never allocate.
 */

char *
arb_proc_next_line (char **cursor)
{
  char *line = *cursor;
  char *nl;

  if (*line == '\0')
    return NULL;

  nl = strchr (line, '\n');
  if (nl != NULL)
    {
      *nl = '\0';
      *cursor = nl + 1;
    }
  else
    {
      *cursor = line + strlen (line);
    }

  return line;
}

gboolean
arb_proc_parse_u64 (char    **p,
                    guint64  *out)
{
  char *end;

  while (**p == ' ' || **p == '\t')
    (*p)++;
  /* g_ascii_strtoull() would take a sign and negate */
  if (!g_ascii_isdigit (**p))
    return FALSE;

  *out = g_ascii_strtoull (*p, &end, 10);
  *p = end;

  return TRUE;
}

gboolean
arb_proc_parse_double (char   **p,
                       double  *out)
{
  char *end;

  while (**p == ' ' || **p == '\t')
    (*p)++;
  /* g_ascii_strtod() also takes "nan", "inf", "0x1p3" and a sign; the
   * figures read here are plain decimals, and JSON has no NaN or infinity */
  if (!g_ascii_isdigit (**p))
    return FALSE;
  *out = g_ascii_strtod (*p, &end);
  if (!isfinite (*out))
    return FALSE;
  *p = end;

  return TRUE;
}

gboolean
arb_proc_skip_field (char **p)
{
  while (**p == ' ')
    (*p)++;
  if (**p == '\0')
    return FALSE;
  while (**p != ' ' && **p != '\0')
    (*p)++;

  return TRUE;
}

double
arb_proc_counter_rate (guint64 prev,
                       guint64 cur,
                       gint64  dt_us)
{
  /* A counter that went back was reset (interface re-created, driver reloaded). */
  if (dt_us <= 0 || cur < prev)
    return 0.0;

  return (double) (cur - prev) * G_USEC_PER_SEC / (double) dt_us;
}

