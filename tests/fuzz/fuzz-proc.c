/* fuzz-proc.c: the /proc parsers of the sampler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is two readings of the files the sampler reads, separated by
 * NUL bytes, in the order of `files` below: the first reading is written
 * under a proc root of our own, a sampler over that root (watching pid 4242,
 * as for a bot's `pid`) collects, then the second reading overwrites the
 * files in place (the sampler keeps them open) and it collects again, which
 * computes the rates and CPU shares; the sample is then written as JSON, as
 * /api/v1/system and the stream send it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arb-sampler-private.h"
#include "fuzz-common.h"

static const char *files[] = {
  "stat", "meminfo", "net/dev", "loadavg", "uptime", "self/stat", "self/status",
  "4242/stat", "4242/status",
};

/* Writes reading @n (0 or 1) of @data; parts that are missing are empty. */
static void
write_reading (const char *root, const uint8_t *data, size_t size, guint n)
{
  const char *p = (const char *) data;
  const char *end = p + size;

  for (guint i = 0; i < 2 * G_N_ELEMENTS (files); i++)
    {
      const char *nul = p < end ? memchr (p, '\0', end - p) : NULL;
      const char *stop = nul != NULL ? nul : end;

      if (i / G_N_ELEMENTS (files) == n)
        {
          g_autofree char *path = g_build_filename (root, files[i % G_N_ELEMENTS (files)], NULL);

          fuzz_write_file (path, p, p < end ? stop - p : 0);
        }
      p = nul != NULL ? nul + 1 : end;
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char *root;
  g_autoptr(ArbSampler) sampler = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  const ArbSystemSample *s;

  if (root == NULL)
    root = g_build_filename (fuzz_tmp_dir (), "proc", NULL);
  write_reading (root, data, size, 0);
  sampler = arb_sampler_new (root, root);
  arb_sampler_watch_pid (sampler, "bot-1", 4242);
  s = _arb_sampler_collect_at (sampler, G_GINT64_CONSTANT (1000000000), 1700000000000);
  json = arb_system_sample_to_json (s);
  g_clear_pointer (&json, json_node_unref);
  write_reading (root, data, size, 1);
  s = _arb_sampler_collect_at (sampler, G_GINT64_CONSTANT (1002000000), 1700000002000);
  json = arb_system_sample_to_json (s);
  text = json_to_string (json, FALSE);
  fuzz_check_output ("a system sample", text, -1);
  if (g_getenv ("ARB_FUZZ_VERBOSE") != NULL)
    fprintf (stderr, "%s\n", text);
  /* what /api/v1/system and the stream send must parse as JSON */
  if (fuzz_strict_output ())
    fuzz_check_json ("a system sample", text);
  return 0;
}
