/* fuzz-ingest-body.c: the body of POST /api/v1/events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole input is one request body, given to arb_ingest_post() as the
 * route gives it; the batch commits to a real store and the answer is
 * written as the route would send it.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz-common.h"
#include "fuzz-ingest.h"

static void
post_done (guint status, JsonNode *answer, gpointer data)
{
  gboolean *answered = data;
  g_autofree char *json = json_to_string (answer, FALSE);

  fuzz_check_output ("the answer to a POST", json, -1);
  *answered = TRUE;
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
  FuzzIngest fi;
  gboolean answered = FALSE;
  /* a buffer of the exact size (libFuzzer's may be larger) */
  g_autofree char *body = g_memdup2 (data, size);

  fuzz_ingest_begin (&fi);
  arb_ingest_post (fi.ingest, body, size, post_done, &answered);
  fuzz_ingest_end (&fi);
  /* every request gets an answer */
  if (!answered)
    abort ();
  return 0;
}
