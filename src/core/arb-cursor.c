/* arb-cursor.c: the text of the store's opaque page cursors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-store"

#include "config.h"

#include <string.h>

#include "arb-cursor.h"

/* Longer than any cursor of ours: a text key is one string of a trade. */
#define CURSOR_MAX_LEN 16384

/* A cursor is text in URL-safe base64, so clients treat it as opaque and
 * cannot build one by accident. */
char *
_arb_cursor_from_text (const char *plain)
{
  char *b64 = g_base64_encode ((const guchar *) plain, strlen (plain));

  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return b64;
}

/* Returns: (nullable): the text of @cursor, or NULL if it is not base64url
 * of UTF-8 without NULs */
char *
_arb_cursor_to_text (const char *cursor)
{
  gsize len = strlen (cursor);
  g_autofree char *b64 = NULL;
  g_autofree guchar *plain = NULL;
  gsize plain_len = 0;

  if (len == 0 || len > CURSOR_MAX_LEN)
    return NULL;
  b64 = g_malloc0 (len + 4);
  for (gsize i = 0; i < len; i++)
    {
      char c = cursor[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      b64[i] = c;
    }
  while (len % 4 != 0)
    b64[len++] = '=';
  plain = g_base64_decode (b64, &plain_len);
  if (memchr (plain, '\0', plain_len) != NULL ||
      !g_utf8_validate ((const char *) plain, (gssize) plain_len, NULL))
    return NULL;
  return g_strndup ((const char *) plain, plain_len);
}
