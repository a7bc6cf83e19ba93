/* arb-proc-file.h: reading /proc files, and the parsing helpers of their text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain helpers of the sampler, not a public API.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A file kept open between readings. */
typedef struct
{
  char *path;
  int   fd;
} ArbProcFile;

/* The one buffer the readings go into; it only grows. */
typedef struct
{
  char  *data;
  gsize  size;
} ArbProcBuf;

void      arb_proc_buf_init        (ArbProcBuf   *buf);
void      arb_proc_buf_clear       (ArbProcBuf   *buf);

/* Takes @path. */
void      arb_proc_file_init       (ArbProcFile  *file,
                                    char         *path);
void      arb_proc_file_close      (ArbProcFile  *file);
void      arb_proc_file_clear      (ArbProcFile  *file);
gboolean  arb_proc_file_read       (ArbProcFile  *file,
                                    ArbProcBuf   *buf,
                                    GError      **error);

/* Both set @error and return FALSE. */
gboolean  arb_proc_set_errno_error (GError      **error,
                                    int           errsv,
                                    const char   *path);
gboolean  arb_proc_set_parse_error (GError      **error,
                                    const char   *path,
                                    const char   *what);

/* In place, without allocating: each moves *@p / *@cursor past what it read. */
char     *arb_proc_next_line       (char        **cursor);
gboolean  arb_proc_parse_u64       (char        **p,
                                    guint64      *out);
gboolean  arb_proc_parse_double    (char        **p,
                                    double       *out);
gboolean  arb_proc_skip_field      (char        **p);

/* Per second, from two readings of a counter @dt_us apart; 0 after a reset. */
double    arb_proc_counter_rate    (guint64       prev,
                                    guint64       cur,
                                    gint64        dt_us);

G_END_DECLS
