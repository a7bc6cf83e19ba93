/* arb-json.c: writing JSON text straight from C values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-json"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "arb-json.h"

static void
separate (GString *s)
{
  char last;

  if (s->len == 0)
    return;
  last = s->str[s->len - 1];
  if (last != '{' && last != '[' && last != ':')
    g_string_append_c (s, ',');
}

void
arb_json_object_begin (GString *s)
{
  separate (s);
  g_string_append_c (s, '{');
}

void
arb_json_object_end (GString *s)
{
  g_string_append_c (s, '}');
}

void
arb_json_array_begin (GString *s)
{
  separate (s);
  g_string_append_c (s, '[');
}

void
arb_json_array_end (GString *s)
{
  g_string_append_c (s, ']');
}

static void
append_escaped (GString *s, const char *value)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = value;

  g_string_append_c (s, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (s, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': g_string_append (s, "\\\""); break;
        case '\\': g_string_append (s, "\\\\"); break;
        case '\n': g_string_append (s, "\\n"); break;
        case '\r': g_string_append (s, "\\r"); break;
        case '\t': g_string_append (s, "\\t"); break;
        default:
          g_string_append (s, "\\u00");
          g_string_append_c (s, hex[c >> 4]);
          g_string_append_c (s, hex[c & 0xf]);
        }
    }
  g_string_append (s, run);
  g_string_append_c (s, '"');
}

void
arb_json_key (GString    *s,
              const char *key)
{
  separate (s);
  append_escaped (s, key);
  g_string_append_c (s, ':');
}

void
arb_json_string (GString    *s,
                 const char *value)
{
  separate (s);
  if (value == NULL)
    g_string_append (s, "null");
  else
    append_escaped (s, value);
}

void
arb_json_int (GString *s,
              gint64   value)
{
  separate (s);
  g_string_append_printf (s, "%" G_GINT64_FORMAT, value);
}

/* The shortest of 15, 16 or 17 significant digits that reads back exactly
 * (for a normal double, no shorter text reads back: %g drops trailing zeros,
 * and any 15-digit decimal survives the trip through a double). */
void
arb_json_double (GString *s,
                 double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  separate (s);
  if (!isfinite (value))
    {
      g_string_append (s, "null");
      return;
    }
  g_string_append (s, arb_json_format_double (buf, sizeof buf, value));
}

/* The shortest of 15, 16 or 17 significant digits that reads back exactly. */
char *
arb_json_format_double (char   *buf,
                        gsize   len,
                        double  value)
{
  g_ascii_formatd (buf, len, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, len, "%.16g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, len, "%.17g", value);
  return buf;
}

void
arb_json_bool (GString  *s,
               gboolean  value)
{
  separate (s);
  g_string_append (s, value ? "true" : "false");
}

void
arb_json_null (GString *s)
{
  separate (s);
  g_string_append (s, "null");
}

void
arb_json_raw (GString    *s,
              const char *json)
{
  separate (s);
  g_string_append (s, json);
}

void
arb_json_raw_len (GString    *s,
                  const char *json,
                  gsize       len)
{
  separate (s);
  g_string_append_len (s, json, len);
}

void
arb_json_member_string (GString *s, const char *key, const char *value)
{
  arb_json_key (s, key);
  arb_json_string (s, value);
}

void
arb_json_member_int (GString *s, const char *key, gint64 value)
{
  arb_json_key (s, key);
  arb_json_int (s, value);
}

void
arb_json_member_double (GString *s, const char *key, double value)
{
  arb_json_key (s, key);
  arb_json_double (s, value);
}

void
arb_json_member_bool (GString *s, const char *key, gboolean value)
{
  arb_json_key (s, key);
  arb_json_bool (s, value);
}

void
arb_json_opt_string (GString *s, const char *key, const char *value)
{
  if (value != NULL)
    arb_json_member_string (s, key, value);
}

void
arb_json_opt_double (GString *s, const char *key, double value)
{
  if (!isnan (value))
    arb_json_member_double (s, key, value);
}
