/* arb-rejected.c: one bot message the dashboard refused, kept with its error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A refused message may be anything a bot (or an attacker with a bot token)
 * sent: not UTF-8, with NULs, megabytes long. What is kept is bounded (the
 * message limit, cut where a character starts), and every text made of it
 * for JSON or the desktop app is valid UTF-8 whatever the bytes were.
 */
#define G_LOG_DOMAIN "arb-rejected"

#include "config.h"

#include <string.h>

#include "arb-json.h"
#include "arb-rejected.h"

gsize
arb_utf8_cut (const char *text,
              gsize       len,
              gsize       max)
{
  gsize cut;

  if (len <= max)
    return len;
  cut = max;
  /* back over at most three continuation bytes to the start of the
   * character that straddles the cut (a longer run is not UTF-8 anyway) */
  for (guint i = 0; i < 3 && cut > 0 && ((guchar) text[cut] & 0xc0) == 0x80; i++)
    cut--;
  if (((guchar) text[cut] & 0xc0) == 0x80)
    cut = max;
  return cut;
}

char *
arb_utf8_sanitize (const char *bytes,
                   gsize       len)
{
  GString *out = g_string_sized_new (len + 1);
  const char *p = bytes;
  const char *end = bytes + len;

  while (p < end)
    {
      const char *valid_end = NULL;

      /* a NUL counts as invalid for g_utf8_validate_len */
      if (g_utf8_validate_len (p, end - p, &valid_end))
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, valid_end - p);
      g_string_append (out, "\xef\xbf\xbd");
      p = valid_end + 1;
    }
  return g_string_free (out, FALSE);
}

static char *
dup_bounded (const char *text, gsize max)
{
  if (text == NULL)
    return NULL;
  return arb_utf8_sanitize (text, arb_utf8_cut (text, strlen (text), max));
}

/**
 * arb_rejected_new:
 * @raw: (array length=raw_len) (nullable): the message as received
 * @max_raw: how much of it to keep: a longer one is cut where a UTF-8
 *   character starts
 *
 * Returns: (transfer full): a refused message; its field and message are
 *   valid UTF-8, bounded
 */
ArbRejected *
arb_rejected_new (const char   *bot_id,
                  gint64        seq,
                  gint64        ts,
                  ArbErrorCode  code,
                  const char   *field,
                  const char   *message,
                  const char   *raw,
                  gsize         raw_len,
                  gsize         max_raw)
{
  ArbRejected *r = g_new0 (ArbRejected, 1);

  if (raw == NULL)
    raw_len = 0;
  r->bot_id = g_strdup (bot_id);
  r->seq = MAX (seq, 0);
  r->ts = ts;
  r->code = code;
  r->field = dup_bounded (field, ARB_REJECTED_MAX_FIELD);
  r->message = dup_bounded (message != NULL ? message : "", ARB_REJECTED_MAX_MESSAGE);
  r->raw = g_bytes_new (raw, raw != NULL ? arb_utf8_cut (raw, raw_len, max_raw) : 0);
  r->raw_bytes = raw_len;
  return r;
}

ArbRejected *
arb_rejected_copy (const ArbRejected *rejected)
{
  ArbRejected *r = g_memdup2 (rejected, sizeof *rejected);

  r->bot_id = g_strdup (rejected->bot_id);
  r->field = g_strdup (rejected->field);
  r->message = g_strdup (rejected->message);
  r->raw = g_bytes_ref (rejected->raw);
  return r;
}

void
arb_rejected_free (ArbRejected *rejected)
{
  if (rejected == NULL)
    return;
  g_free (rejected->bot_id);
  g_free (rejected->field);
  g_free (rejected->message);
  g_bytes_unref (rejected->raw);
  g_free (rejected);
}

/* Returns: whether less than the whole message was kept */
gboolean
arb_rejected_is_truncated (const ArbRejected *rejected)
{
  return g_bytes_get_size (rejected->raw) < rejected->raw_bytes;
}

/**
 * arb_rejected_dup_raw_text:
 *
 * Returns: (transfer full): what was kept of the message as valid UTF-8
 *   (each invalid byte and NUL as U+FFFD)
 */
char *
arb_rejected_dup_raw_text (const ArbRejected *rejected)
{
  gsize len;
  const char *data = g_bytes_get_data (rejected->raw, &len);

  return arb_utf8_sanitize (data != NULL ? data : "", len);
}

/* {"bot_id","seq","ts","code","field","message","raw","raw_bytes","truncated"} */
void
arb_rejected_write_json (const ArbRejected *r,
                         GString           *out)
{
  g_autofree char *raw = arb_rejected_dup_raw_text (r);

  arb_json_object_begin (out);
  arb_json_member_string (out, "bot_id", r->bot_id);
  arb_json_key (out, "seq");
  if (r->seq > 0)
    arb_json_int (out, r->seq);
  else
    arb_json_null (out);
  arb_json_member_int (out, "ts", r->ts);
  arb_json_member_string (out, "code", arb_error_code_name (r->code));
  arb_json_member_string (out, "field", r->field);
  arb_json_member_string (out, "message", r->message);
  arb_json_member_string (out, "raw", raw);
  arb_json_member_int (out, "raw_bytes", r->raw_bytes);
  arb_json_member_bool (out, "truncated", arb_rejected_is_truncated (r));
  arb_json_object_end (out);
}
