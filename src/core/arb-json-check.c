/* arb-json-check.c: RFC 8259 checks of outside JSON, before json-glib reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the bytes, recursive descent bounded by the depth limit
 * (json-glib recurses as deep afterwards). Nothing is copied unless a
 * string or a number needs a marker, which valid messages never do.
 */
#define G_LOG_DOMAIN "arb-json-check"

#include "config.h"

#include <string.h>

#include "arb-error.h"
#include "arb-json-check.h"

/* What a marker says, by its code point: U+DC80 + the reason. json-glib
 * decodes a lone surrogate escape to its three bytes (ED B2 8x), which are
 * not UTF-8, so a marked string can never pass for valid text. It then
 * takes the next character as the would-be pair: a closing quote there
 * makes the string unterminated, a backslash must start a low surrogate,
 * anything else it drops. Hence the '_' after each marker. */
typedef enum
{
  MARK_NUL,
  MARK_SURROGATE,
  MARK_CONTROL,
  MARK_BYTES,
  N_MARKS
} Mark;

static const char *const mark_text[] = { "\\udc80_", "\\udc81_", "\\udc82_", "\\udc83_" };

static const char *const mark_problem[] = {
  "holds \\u0000, which no string may",
  "holds a lone surrogate escape (\\ud800 to \\udfff without its pair): it is not Unicode text",
  "holds a raw control character: write it escaped (\\n, \\t, \\u001b ...)",
  "holds bytes that are not UTF-8",
};

typedef struct
{
  const char *text;
  gsize       len;
  gsize       pos;
  guint       depth;
  guint       max_depth;
  GString    *copy;     /* NULL until something needs a marker */
  gsize       copied;   /* bytes of text already in copy */
  GError    **error;
} Check;

static gboolean check_value (Check *c);

static gboolean
fail (Check *c, const char *what)
{
  if (c->pos >= c->len)
    g_set_error (c->error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "invalid JSON: %s at the end", what);
  else
    g_set_error (c->error, ARB_ERROR, ARB_ERROR_BAD_REQUEST,
                 "invalid JSON: %s at byte %" G_GSIZE_FORMAT, what, c->pos);
  return FALSE;
}

/* Replaces text[start, c->pos) with @with in the copy json-glib will read. */
static void
replace (Check *c, gsize start, const char *with)
{
  if (c->copy == NULL)
    c->copy = g_string_sized_new (c->len + 16);
  g_string_append_len (c->copy, c->text + c->copied, start - c->copied);
  g_string_append (c->copy, with);
  c->copied = c->pos;
}

static void
skip_space (Check *c)
{
  while (c->pos < c->len)
    {
      char ch = c->text[c->pos];
      if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t')
        break;
      c->pos++;
    }
}

/* The length of the UTF-8 sequence at @p (at most @n bytes), or 0 when
 * it is not one (RFC 3629: no overlong forms, surrogates or values past
 * U+10FFFF). */
static guint
utf8_length (const guchar *p, gsize n)
{
  guchar lo = 0x80, hi = 0xbf;
  guint len;

  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    len = 2;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    {
      len = 3;
      if (p[0] == 0xe0)
        lo = 0xa0;
      else if (p[0] == 0xed)
        hi = 0x9f;
    }
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    {
      len = 4;
      if (p[0] == 0xf0)
        lo = 0x90;
      else if (p[0] == 0xf4)
        hi = 0x8f;
    }
  else
    return 0;
  if (n < len || p[1] < lo || p[1] > hi)
    return 0;
  for (guint i = 2; i < len; i++)
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  return len;
}

static int
hex_value (char ch)
{
  return g_ascii_xdigit_value (ch);
}

/* Reads the four hex digits after "\u" at c->pos; -1 if they are not. */
static int
read_hex4 (Check *c)
{
  int v = 0;

  if (c->len - c->pos < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      int d = hex_value (c->text[c->pos + i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  c->pos += 4;
  return v;
}

/* An escape, c->pos just after the backslash. */
static gboolean
check_escape (Check *c)
{
  gsize start = c->pos - 1;
  int u, low;

  if (c->pos >= c->len)
    return fail (c, "unfinished escape");
  switch (c->text[c->pos++])
    {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      return TRUE;
    case 'u':
      break;
    default:
      c->pos--;
      return fail (c, "unknown escape (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
  if ((u = read_hex4 (c)) < 0)
    return fail (c, "\\u not followed by four hex digits");
  if (u == 0)
    replace (c, start, mark_text[MARK_NUL]);
  else if (u >= 0xdc00 && u <= 0xdfff)
    replace (c, start, mark_text[MARK_SURROGATE]);
  else if (u >= 0xd800 && u <= 0xdbff)
    {
      gsize after_high = c->pos;

      /* a high surrogate must be followed by a low one; else only the
       * high one is marked, and what follows is read as usual */
      if (c->len - c->pos >= 6 && c->text[c->pos] == '\\' && c->text[c->pos + 1] == 'u')
        {
          c->pos += 2;
          low = read_hex4 (c);
          if (low >= 0xdc00 && low <= 0xdfff)
            return TRUE;
        }
      c->pos = after_high;
      replace (c, start, mark_text[MARK_SURROGATE]);
    }
  return TRUE;
}

/* A string, c->pos at its opening quote. */
static gboolean
check_string (Check *c)
{
  const guchar *t = (const guchar *) c->text;

  c->pos++;
  for (;;)
    {
      guchar ch;

      /* the common case: printable ASCII */
      while (c->pos < c->len && t[c->pos] >= 0x20 && t[c->pos] < 0x80 &&
             t[c->pos] != '"' && t[c->pos] != '\\')
        c->pos++;
      if (c->pos >= c->len)
        return fail (c, "unterminated string");
      ch = t[c->pos];
      if (ch == '"')
        {
          c->pos++;
          return TRUE;
        }
      if (ch == '\\')
        {
          c->pos++;
          if (!check_escape (c))
            return FALSE;
        }
      else if (ch < 0x20)
        {
          c->pos++;
          replace (c, c->pos - 1, mark_text[MARK_CONTROL]);
        }
      else
        {
          guint n = utf8_length (t + c->pos, c->len - c->pos);

          c->pos += n != 0 ? n : 1;
          if (n == 0)
            replace (c, c->pos - 1, mark_text[MARK_BYTES]);
        }
    }
}

static gboolean
digits (Check *c)
{
  gsize start = c->pos;

  while (c->pos < c->len && g_ascii_isdigit (c->text[c->pos]))
    c->pos++;
  return c->pos > start;
}

/* A number, c->pos at its first character. An integer (no fraction, no
 * exponent) must fit a gint64: json-glib wraps those that do not. */
static gboolean
check_number (Check *c)
{
  static const char max_int[] = "9223372036854775807";
  gsize start = c->pos, int_start, int_len;
  gboolean integer = TRUE;

  if (c->text[c->pos] == '-')
    c->pos++;
  int_start = c->pos;
  if (c->pos < c->len && c->text[c->pos] == '0')
    c->pos++;
  else if (!digits (c))
    return fail (c, "a number needs digits");
  int_len = c->pos - int_start;
  if (c->pos < c->len && c->text[c->pos] == '.')
    {
      c->pos++;
      integer = FALSE;
      if (!digits (c))
        return fail (c, "a fraction needs digits");
    }
  if (c->pos < c->len && (c->text[c->pos] == 'e' || c->text[c->pos] == 'E'))
    {
      c->pos++;
      integer = FALSE;
      if (c->pos < c->len && (c->text[c->pos] == '+' || c->text[c->pos] == '-'))
        c->pos++;
      if (!digits (c))
        return fail (c, "an exponent needs digits");
    }
  if (c->pos < c->len && (g_ascii_isalnum (c->text[c->pos]) || c->text[c->pos] == '.'))
    return fail (c, "malformed number");
  if (integer && (int_len > strlen (max_int) ||
                  (int_len == strlen (max_int) &&
                   memcmp (c->text + int_start, max_int, int_len) > 0)))
    replace (c, start, c->text[start] == '-' ? "-1e999" : "1e999");
  return TRUE;
}

static gboolean
literal (Check *c, const char *word)
{
  gsize n = strlen (word);

  if (c->len - c->pos < n || memcmp (c->text + c->pos, word, n) != 0)
    return fail (c, "expected a value");
  c->pos += n;
  return TRUE;
}

static gboolean
enter (Check *c)
{
  if (++c->depth > c->max_depth)
    {
      g_set_error (c->error, ARB_ERROR, ARB_ERROR_TOO_LARGE,
                   "JSON nested deeper than the limit of %u levels", c->max_depth);
      return FALSE;
    }
  c->pos++;
  skip_space (c);
  return TRUE;
}

/* One object member, c->pos at its opening '"': name, ':' and value. */
static gboolean
check_member (Check *c)
{
  if (c->pos >= c->len || c->text[c->pos] != '"')
    return fail (c, "expected a member name in double quotes");
  if (!check_string (c))
    return FALSE;
  skip_space (c);
  if (c->pos >= c->len || c->text[c->pos] != ':')
    return fail (c, "expected ':' after a member name");
  c->pos++;
  skip_space (c);
  return check_value (c);
}

/* Objects and arrays share one frame, so that nesting depth, the empty case
 * and the ',' separators are checked in one place: c->pos is on the opening
 * character; @item checks one member or element; @expected is the problem
 * named when neither ',' nor @close follows an item. */
static gboolean
check_list (Check       *c,
            char         close,
            gboolean   (*item) (Check *c),
            const char  *expected)
{
  if (!enter (c))
    return FALSE;
  if (c->pos < c->len && c->text[c->pos] == close)
    goto done;
  for (;;)
    {
      if (!item (c))
        return FALSE;
      skip_space (c);
      if (c->pos < c->len && c->text[c->pos] == close)
        break;
      if (c->pos >= c->len || c->text[c->pos] != ',')
        return fail (c, expected);
      c->pos++;
      skip_space (c);
    }
done:
  c->pos++;
  c->depth--;
  return TRUE;
}

/* A value, c->pos at its first character (space skipped). */
static gboolean
check_value (Check *c)
{
  if (c->pos >= c->len)
    return fail (c, "expected a value");
  switch (c->text[c->pos])
    {
    case '{': return check_list (c, '}', check_member, "expected ',' or '}' in an object");
    case '[': return check_list (c, ']', check_value, "expected ',' or ']' in an array");
    case '"': return check_string (c);
    case 't': return literal (c, "true");
    case 'f': return literal (c, "false");
    case 'n': return literal (c, "null");
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return check_number (c);
    default:
      return fail (c, "expected a value");
    }
}

/**
 * arb_json_check_text:
 * @text: the bytes
 * @len: their length
 * @max_depth: the deepest nesting allowed
 * @marked: (out) (transfer full) (nullable): the copy for json-glib, or NULL
 * @marked_len: (out): its length
 * @error: an ARB_ERROR
 *
 * Returns: whether @text is one JSON value that RFC 8259 allows.
 */
gboolean
arb_json_check_text (const char  *text,
                     gsize        len,
                     guint        max_depth,
                     char       **marked,
                     gsize       *marked_len,
                     GError     **error)
{
  Check c = { text, len, 0, 0, max_depth, NULL, 0, error };

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  *marked = NULL;
  *marked_len = 0;
  skip_space (&c);
  if (!check_value (&c))
    goto failed;
  skip_space (&c);
  if (c.pos < len)
    {
      fail (&c, "more after the value");
      goto failed;
    }
  if (c.copy != NULL)
    {
      g_string_append_len (c.copy, text + c.copied, len - c.copied);
      *marked_len = c.copy->len;
      *marked = g_string_free (g_steal_pointer (&c.copy), FALSE);
    }
  return TRUE;

failed:
  if (c.copy != NULL)
    g_string_free (c.copy, TRUE);
  return FALSE;
}

/**
 * arb_json_load:
 * @parser: the parser to load into
 * @text: the bytes
 * @len: their length
 * @max_depth: the deepest nesting allowed
 * @error: an ARB_ERROR
 *
 * Returns: (transfer full) (nullable): the root node
 */
JsonNode *
arb_json_load (JsonParser  *parser,
               const char  *text,
               gsize        len,
               guint        max_depth,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *marked = NULL;
  gsize marked_len;
  JsonNode *root;

  g_return_val_if_fail (JSON_IS_PARSER (parser), NULL);

  if (!arb_json_check_text (text, len, max_depth, &marked, &marked_len, error))
    return NULL;
  if (marked != NULL)
    {
      text = marked;
      len = marked_len;
    }
  /* what passed the check is JSON that json-glib reads; this is a safety net */
  if (!json_parser_load_from_data (parser, text, len, &local_error))
    {
      g_set_error (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "invalid JSON: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST, "invalid JSON: no value");
      return NULL;
    }
  return json_node_ref (root);
}

const char *
arb_json_text_problem (const char *s)
{
  const guchar *end;
  guint code;

  g_return_val_if_fail (s != NULL, NULL);

  if (g_utf8_validate (s, -1, (const char **) &end))
    return NULL;
  /* the three bytes of a lone surrogate U+D800..U+DFFF */
  if (end[0] == 0xed && end[1] >= 0xa0 && end[1] <= 0xbf && (end[2] & 0xc0) == 0x80)
    {
      code = 0xd000 | ((end[1] & 0x3f) << 6) | (end[2] & 0x3f);
      if (code >= 0xdc80 && code < 0xdc80 + N_MARKS)
        return mark_problem[code - 0xdc80];
    }
  return "is not valid UTF-8";
}
