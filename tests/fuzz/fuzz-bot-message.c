/* fuzz-bot-message.c: a bot's WebSocket session, one text frame per line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each line of the input is one text frame of a bot connection, taken by the
 * very session code of the server (arb_session_receive_text()) with a
 * transport that keeps what the dashboard answers; then the batch commits to
 * a real store and goes to the hub, the ledger and the series.
 */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-ingest.h"

typedef struct
{
  ArbSession *session;   /* NULL once the dashboard closed it */
} Transport;

static void
transport_send (gpointer transport, const char *text, gsize len)
{
  /* a frame libsoup would refuse (not UTF-8) is lost for the bot */
  fuzz_check_output ("a frame to the bot", text, len);
}

static void
transport_close (gpointer transport, gushort code, const char *reason)
{
  Transport *t = transport;

  if (t->session != NULL)
    arb_session_closed (g_steal_pointer (&t->session));
}

static const ArbSessionVTable vtable = { transport_send, transport_close };

static void
receive_line (const char *line, gsize len, gpointer data)
{
  Transport *t = data;

  if (t->session != NULL)
    arb_session_receive_text (t->session, line, len);
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
  Transport t = { NULL };

  fuzz_ingest_begin (&fi);
  t.session = arb_ingest_open_session (fi.ingest, &vtable, &t);
  fuzz_foreach_line (data, size, receive_line, &t);
  /* the frames of a turn commit together: so do the lines */
  arb_ingest_submit_pending (fi.ingest);
  fuzz_ingest_end (&fi);
  if (t.session != NULL)
    arb_session_closed (g_steal_pointer (&t.session));
  return 0;
}
