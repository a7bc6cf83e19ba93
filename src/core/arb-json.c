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

/**
 * arb_utf8_char_len:
 * @p: a NUL-terminated string, not at its end
 *
 * Returns: the length of the UTF-8 character at @p (1 for ASCII), or 0 when
 * the bytes there are not one (RFC 3629: no overlong forms, surrogates or
 * values past U+10FFFF).
 */
guint
arb_utf8_char_len (const char *p)
{
  gunichar c;

  if ((guchar) *p < 0x80)
    return 1;
  c = g_utf8_get_char_validated (p, -1);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    return 0;
  return g_utf8_skip[(guchar) *p];
}

/* Whatever a database or a bug let through, what is written is UTF-8:
 * each byte that is not part of a character becomes U+FFFD. */
static void
append_escaped (GString *s, const char *value)
{
  static const char hex[] = "0123456789abcdef";
  const char *run = value;
  const char *p = value;

  g_string_append_c (s, '"');
  while (*p != '\0')
    {
      guchar c = *p;
      guint n;

      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
        {
          p++;
          continue;
        }
      if (c >= 0x80)
        {
          if ((n = arb_utf8_char_len (p)) != 0)
            {
              p += n;
              continue;
            }
          g_string_append_len (s, run, p - run);
          g_string_append (s, ARB_UTF8_REPLACEMENT);
          run = ++p;
          continue;
        }
      g_string_append_len (s, run, p - run);
      run = ++p;
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
  g_string_append_len (s, run, p - run);
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

static void write_node (GString *s, JsonNode *node);

static void
write_member (JsonObject *object, const char *name, JsonNode *node, gpointer data)
{
  arb_json_key (data, name);
  write_node (data, node);
}

static void
write_element (JsonArray *array, guint index, JsonNode *node, gpointer data)
{
  write_node (data, node);
}

static void
write_node (GString *s, JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      arb_json_object_begin (s);
      json_object_foreach_member (json_node_get_object (node), write_member, s);
      arb_json_object_end (s);
      break;
    case JSON_NODE_ARRAY:
      arb_json_array_begin (s);
      json_array_foreach_element (json_node_get_array (node), write_element, s);
      arb_json_array_end (s);
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64: arb_json_int (s, json_node_get_int (node)); break;
        case G_TYPE_DOUBLE: arb_json_double (s, json_node_get_double (node)); break;
        case G_TYPE_BOOLEAN: arb_json_bool (s, json_node_get_boolean (node)); break;
        case G_TYPE_STRING: arb_json_string (s, json_node_get_string (node)); break;
        default: arb_json_null (s); break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      arb_json_null (s);
      break;
    }
}

/**
 * arb_json_node:
 * @s: where to append
 * @node: the tree
 *
 * Writes @node as the other writers do: strings always UTF-8, doubles
 * short and valid (json-glib 1.6's generator writes neither: it passes
 * any bytes through and writes 1e18 as "1e+18.0").
 */
void
arb_json_node (GString  *s,
               JsonNode *node)
{
  g_return_if_fail (node != NULL);
  write_node (s, node);
}

/**
 * arb_json_node_to_string:
 * @node: the tree
 *
 * Returns: (transfer full): @node as JSON text, as arb_json_node() writes it
 */
char *
arb_json_node_to_string (JsonNode *node)
{
  GString *s = g_string_sized_new (256);

  arb_json_node (s, node);
  return g_string_free (s, FALSE);
}

/* ---------------------------------------------------------------- reading */

static JsonNode *
get_value (JsonObject *object,
           const char *name,
           GType       type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
arb_json_get_string (JsonObject *object,
                     const char *name)
{
  JsonNode *node = get_value (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

gboolean
arb_json_get_int (JsonObject *object,
                  const char *name,
                  gint64     *value)
{
  JsonNode *node = get_value (object, name, G_TYPE_INT64);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

double
arb_json_get_number (JsonObject *object,
                     const char *name)
{
  JsonNode *node = get_value (object, name, G_TYPE_INT64);

  if (node == NULL)
    node = get_value (object, name, G_TYPE_DOUBLE);
  return node != NULL ? json_node_get_double (node) : NAN;
}

JsonObject *
arb_json_get_object (JsonObject *object,
                     const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}
