/* fuzz-common.c: what the libFuzzer targets of arbdash share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"

static char *tmp_dir;
static int strict_output = -1;

static guint refused_frames;

static void
report_refused_frames (void)
{
  fprintf (stderr, "fuzz: libsoup refused %u text frames that were not UTF-8 "
           "(ARB_FUZZ_STRICT_OUTPUT=1 stops at the first)\n", refused_frames);
}

/* libsoup's check that a text frame is UTF-8: the frame is not sent (and
 * the CRITICAL is logged). That is output that is not UTF-8, which the
 * strict mode stops on; otherwise it is counted and reported at exit. */
static gboolean
is_refused_frame (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 &&
        strstr (fields[i].value, "soup_websocket_connection_send_message") != NULL &&
        strstr (fields[i].value, "utf8_validate") != NULL)
      return TRUE;
  return FALSE;
}

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if ((level & G_LOG_LEVEL_CRITICAL) && !fuzz_strict_output () &&
      is_refused_frame (fields, n_fields))
    {
      if (refused_frames++ == 0)
        atexit (report_refused_frames);
      return G_LOG_WRITER_HANDLED;
    }
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  if (g_getenv ("ARB_FUZZ_VERBOSE") != NULL)
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return G_LOG_WRITER_HANDLED;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
remove_tmp_dir (void)
{
  if (tmp_dir != NULL)
    remove_tree (tmp_dir);
}

void
fuzz_init (void)
{
  static gboolean done;

  if (done)
    return;
  done = TRUE;
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

const char *
fuzz_tmp_dir (void)
{
  if (tmp_dir == NULL)
    {
      /* run.sh gives a folder of its own, which it removes even after a crash */
      const char *parent = g_getenv ("ARB_FUZZ_TMPDIR");

      if (parent == NULL && access ("/dev/shm", W_OK) == 0)
        parent = "/dev/shm";
      if (parent != NULL)
        {
          tmp_dir = g_build_filename (parent, "arbdash-fuzz-XXXXXX", NULL);
          if (g_mkdtemp (tmp_dir) == NULL)
            g_clear_pointer (&tmp_dir, g_free);
        }
      if (tmp_dir == NULL)
        tmp_dir = g_dir_make_tmp ("arbdash-fuzz-XXXXXX", NULL);
      if (tmp_dir == NULL)
        {
          fprintf (stderr, "fuzz: cannot make a temporary folder: %s\n", g_strerror (errno));
          abort ();
        }
      atexit (remove_tmp_dir);
    }
  return tmp_dir;
}

void
fuzz_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

gboolean
fuzz_strict_output (void)
{
  if (strict_output < 0)
    strict_output = g_strcmp0 (g_getenv ("ARB_FUZZ_STRICT_OUTPUT"), "1") == 0;
  return strict_output;
}

void
fuzz_check_output (const char *what,
                   const char *text,
                   gssize      len)
{
  const char *end;

  if (!fuzz_strict_output ())
    return;
  if (len < 0)
    len = strlen (text);
  if (!g_utf8_validate_len (text, len, &end))
    {
      fprintf (stderr, "fuzz: %s is not valid UTF-8 at byte %zu: %.*s\n", what,
               (size_t) (end - text), (int) MIN (len, 2000), text);
      abort ();
    }
}

void
fuzz_check_json (const char *what,
                 const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      fprintf (stderr, "fuzz: %s is not JSON (%s): %.2000s\n", what, error->message, text);
      abort ();
    }
}

void
fuzz_write_file (const char *path,
                 const void *data,
                 gsize       len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0 && errno == ENOENT)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0700);
      fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    {
      fprintf (stderr, "fuzz: cannot write %s: %s\n", path, g_strerror (errno));
      abort ();
    }
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          fprintf (stderr, "fuzz: cannot write %s: %s\n", path, g_strerror (errno));
          abort ();
        }
      data = (const char *) data + n;
      len -= n;
    }
  close (fd);
}

void
fuzz_foreach_line (const uint8_t *data,
                   size_t         size,
                   FuzzLineFunc   func,
                   gpointer       user_data)
{
  const char *p = (const char *) data;
  const char *end = p + size;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl != NULL ? nl : end;

      /* a buffer of its own, of the exact size: a read past the line is
       * an overflow AddressSanitizer sees, not a read of the next line;
       * never NULL, as libsoup never gives NULL for an empty message */
      g_autofree char *line = g_malloc (MAX (stop - p, 1));

      memcpy (line, p, stop - p);

      func (line, stop - p, user_data);
      p = nl != NULL ? nl + 1 : end;
    }
}
