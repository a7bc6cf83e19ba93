/* fuzz-config.c: the configuration file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the file: written to disk and read by arb_config_load_file(),
 * then used as the server uses it (copied, tokens checked). Each input is
 * read twice into the same configuration, as a later file is read over an
 * earlier one.
 */
#include "config.h"

#include <stdlib.h>

#include "arb-config.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static char *path;
  g_autoptr(ArbConfig) config = arb_config_new ();
  g_autoptr(ArbConfig) copy = NULL;
  const char *name = NULL;

  if (path == NULL)
    path = g_build_filename (fuzz_tmp_dir (), "arbdash.conf", NULL);
  fuzz_write_file (path, data, size);
  if (!arb_config_load_file (config, path, NULL))
    return 0;
  if (!arb_config_load_file (config, path, NULL))
    abort ();  /* what loaded once loads again */
  copy = arb_config_copy (config);
  for (guint i = 0; i < config->tokens->len; i++)
    {
      const ArbToken *t = g_ptr_array_index (config->tokens, i);

      /* names are unique, and each secret finds a role (maybe another
       * token's, when two tokens share a secret) */
      if (arb_config_find_token (copy, t->name) == NULL ||
          arb_config_check_token (copy, t->secret, &name) == ARB_ROLE_NONE)
        abort ();
    }
  arb_config_check_token (copy, "not-a-token-of-this-file", &name);
  arb_config_has_role_token (copy, ARB_ROLE_OPERATOR);
  g_free (arb_config_dup_save_path (copy));
  return 0;
}
