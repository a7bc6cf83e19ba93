/* arb-rejected.h: one bot message the dashboard refused, kept with its error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-event.h"

G_BEGIN_DECLS

/* The longest error message and field name kept with a refused message. */
#define ARB_REJECTED_MAX_MESSAGE 1024
#define ARB_REJECTED_MAX_FIELD   256

typedef struct
{
  gint64        row;        /* its place in the log (rising); 0 until stored */
  char         *bot_id;     /* NULL: not known (refused before a hello or a bot_id) */
  gint64        seq;        /* 0: none */
  gint64        ts;         /* when it was received, ms since the epoch */
  ArbErrorCode  code;
  char         *field;      /* nullable */
  char         *message;
  GBytes       *raw;        /* the message as received, perhaps cut; any bytes */
  gsize         raw_bytes;  /* its length as received */
} ArbRejected;

ArbRejected *arb_rejected_new          (const char        *bot_id,
                                        gint64             seq,
                                        gint64             ts,
                                        ArbErrorCode       code,
                                        const char        *field,
                                        const char        *message,
                                        const char        *raw,
                                        gsize              raw_len,
                                        gsize              max_raw);
ArbRejected *arb_rejected_copy         (const ArbRejected *rejected);
void         arb_rejected_free         (ArbRejected       *rejected);
gboolean     arb_rejected_is_truncated (const ArbRejected *rejected);
char        *arb_rejected_dup_raw_text (const ArbRejected *rejected);
void         arb_rejected_write_json   (const ArbRejected *rejected,
                                        GString           *out);

/* Valid UTF-8 without NULs from any bytes: each byte that is not part of a
 * valid character, and each NUL, becomes U+FFFD. */
char        *arb_utf8_sanitize         (const char        *bytes,
                                        gsize              len);
/* The length of the longest start of @text of at most @max bytes that does
 * not cut a UTF-8 character. */
gsize        arb_utf8_cut              (const char        *text,
                                        gsize              len,
                                        gsize              max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArbRejected, arb_rejected_free)

G_END_DECLS
