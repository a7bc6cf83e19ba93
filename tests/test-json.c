/* test-json.c: the JSON writer: escaping, numbers, commas, and agreement with json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "arb-json.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    g_error ("not valid JSON (%s): %s", error->message, text);
  return json_node_ref (json_parser_get_root (parser));
}

/* The text of one string value, and what json-glib reads back from it. */
static char *
string_text (const char *value)
{
  GString *s = g_string_new (NULL);

  arb_json_string (s, value);
  return g_string_free (s, FALSE);
}

static char *
string_round_trip (const char *value)
{
  g_autofree char *text = string_text (value);
  g_autofree char *doc = g_strconcat ("[", text, "]", NULL);
  g_autoptr(JsonNode) root = parse (doc);

  return g_strdup (json_array_get_string_element (json_node_get_array (root), 0));
}

static void
test_escape (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "", "\"\"" },
    { "plain", "\"plain\"" },
    { "say \"hi\"", "\"say \\\"hi\\\"\"" },
    { "C:\\dir\\", "\"C:\\\\dir\\\\\"" },
    { "a\nb\rc\td", "\"a\\nb\\rc\\td\"" },
    { "\x01\x1f", "\"\\u0001\\u001f\"" },
    { "\b\f", "\"\\u0008\\u000c\"" },
    { "bell\x07!", "\"bell\\u0007!\"" },
    /* UTF-8 and DEL pass through unchanged: JSON allows them raw */
    { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80",
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"" },
    { "\x7f", "\"\x7f\"" },
    { "/", "\"/\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = string_text (cases[i].in);
      g_autofree char *back = string_round_trip (cases[i].in);

      g_assert_cmpstr (text, ==, cases[i].out);
      g_assert_cmpstr (back, ==, cases[i].in);
    }
}

static void
test_escape_every_control (void)
{
  char in[2] = { 0, 0 };

  for (int c = 1; c < 0x20; c++)
    {
      g_autofree char *text = NULL;
      g_autofree char *back = NULL;

      in[0] = (char) c;
      text = string_text (in);
      back = string_round_trip (in);
      /* never a raw control character in the output */
      for (const char *p = text; *p != '\0'; p++)
        g_assert_cmpint ((guchar) *p, >=, 0x20);
      g_assert_cmpstr (back, ==, in);
    }
}

static void
test_null_string (void)
{
  g_autoptr(GString) s = g_string_new (NULL);

  arb_json_string (s, NULL);
  g_assert_cmpstr (s->str, ==, "null");
}

static char *
double_text (double value)
{
  GString *s = g_string_new (NULL);

  arb_json_double (s, value);
  return g_string_free (s, FALSE);
}

static void
test_doubles (void)
{
  static const struct { double in; const char *out; } cases[] = {
    { 0.1, "0.1" },
    { 0.5, "0.5" },
    { 1.0, "1" },
    { -2.25, "-2.25" },
    { 1e-7, "1e-07" },
    { 1e300, "1e+300" },
    { 1e15, "1e+15" },
    { 123456.789, "123456.789" },
    { 0.1 + 0.2, "0.30000000000000004" },   /* needs all 17 digits */
    { 0.1 + 0.7, "0.7999999999999999" },    /* 16 are enough, and shorter */
    { 1.7976931348623157e308, "1.7976931348623157e+308" },
    { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    { 0.0, "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = double_text (cases[i].in);

      g_assert_cmpstr (text, ==, cases[i].out);
      g_assert_true (g_ascii_strtod (text, NULL) == cases[i].in);
    }
}

static void
test_negative_zero (void)
{
  g_autofree char *text = double_text (-0.0);

  /* the sign survives: JSON.parse("-0") is -0 */
  g_assert_cmpstr (text, ==, "-0");
  g_assert_true (signbit (g_ascii_strtod (text, NULL)));
}

static void
test_non_finite (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  arb_json_array_begin (s);
  arb_json_double (s, NAN);
  arb_json_double (s, INFINITY);
  arb_json_double (s, -INFINITY);
  arb_json_double (s, 1.5);
  arb_json_array_end (s);
  g_assert_cmpstr (s->str, ==, "[null,null,null,1.5]");
  root = parse (s->str);
  array = json_node_get_array (root);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (array, 0)));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (array, 2)));
}

/* Shortest: no text with fewer significant digits reads back the same. */
static void
test_doubles_shortest (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);

  for (guint i = 0; i < 3000; i++)
    {
      double v;
      g_autofree char *text = NULL;
      char mantissa[64];
      guint digits = 0;
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      char fmt[8];

      switch (i % 3)
        {
        case 0: /* arbitrary bits, normal numbers only */
          do
            {
              guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
              memcpy (&v, &bits, sizeof v);
            }
          while (!isnormal (v));
          break;
        case 1: /* money-like values, the common case */
          v = g_rand_int_range (rand, -10000000, 10000000) / 100.0;
          break;
        default: /* sums that pick up binary noise */
          v = g_rand_double (rand) + g_rand_double (rand);
          break;
        }
      text = double_text (v);
      g_assert_true (g_ascii_strtod (text, NULL) == v);
      /* count significant digits of the mantissa */
      g_strlcpy (mantissa, text, sizeof mantissa);
      for (char *p = mantissa; *p != '\0' && *p != 'e'; p++)
        if (g_ascii_isdigit (*p) && (digits > 0 || *p != '0'))
          digits++;
      g_assert_cmpuint (digits, <=, 17);
      /* up to 15 digits, %g is already the shortest; beyond, one digit less must not do */
      if (digits > 15)
        {
          g_snprintf (fmt, sizeof fmt, "%%.%ug", digits - 1);
          g_ascii_formatd (buf, sizeof buf, fmt, v);
          g_assert_false (g_ascii_strtod (buf, NULL) == v);
        }
    }
}

static void
test_format_double (void)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autoptr(GString) s = g_string_new (NULL);

  /* the same text as arb_json_double, into a caller's buffer (CSV, metrics) */
  g_assert_true (arb_json_format_double (buf, sizeof buf, 0.1) == buf);
  g_assert_cmpstr (buf, ==, "0.1");
  g_assert_cmpstr (arb_json_format_double (buf, sizeof buf, 0.1 + 0.2), ==,
                   "0.30000000000000004");
  g_assert_cmpstr (arb_json_format_double (buf, sizeof buf, 0.1 + 0.7), ==,
                   "0.7999999999999999");
  g_assert_cmpstr (arb_json_format_double (buf, sizeof buf, -1e-300), ==, "-1e-300");
  for (double v = -1000; v < 1000; v += 0.37)
    {
      g_string_truncate (s, 0);
      arb_json_double (s, v);
      g_assert_cmpstr (arb_json_format_double (buf, sizeof buf, v), ==, s->str);
    }
}

static void
test_raw_len (void)
{
  g_autoptr(GString) s = g_string_new (NULL);

  arb_json_array_begin (s);
  arb_json_raw_len (s, "{\"a\":1}garbage", 7);
  arb_json_raw_len (s, "[2]", 3);
  arb_json_raw (s, "3");
  arb_json_array_end (s);
  g_assert_cmpstr (s->str, ==, "[{\"a\":1},[2],3]");
}

static char *
int_text (gint64 value)
{
  GString *s = g_string_new (NULL);

  arb_json_int (s, value);
  return g_string_free (s, FALSE);
}

static void
test_ints (void)
{
  g_autofree char *zero = int_text (0);
  g_autofree char *neg = int_text (-42);
  g_autofree char *max = int_text (G_MAXINT64);
  g_autofree char *min = int_text (G_MININT64);

  g_assert_cmpstr (zero, ==, "0");
  g_assert_cmpstr (neg, ==, "-42");
  g_assert_cmpstr (max, ==, "9223372036854775807");
  g_assert_cmpstr (min, ==, "-9223372036854775808");
}

static void
test_nesting (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  JsonArray *a;

  arb_json_object_begin (s);
  arb_json_member_string (s, "name", "x");
  arb_json_member_int (s, "n", 3);
  arb_json_member_double (s, "d", 0.25);
  arb_json_member_bool (s, "yes", TRUE);
  arb_json_member_bool (s, "no", FALSE);
  arb_json_key (s, "nothing");
  arb_json_null (s);
  arb_json_key (s, "list");
  arb_json_array_begin (s);
  arb_json_int (s, 1);
  arb_json_array_begin (s);
  arb_json_array_end (s);
  arb_json_object_begin (s);
  arb_json_object_end (s);
  arb_json_object_begin (s);
  arb_json_member_int (s, "deep", 7);
  arb_json_object_end (s);
  arb_json_raw (s, "{\"raw\":[1,2]}");
  arb_json_string (s, "end");
  arb_json_array_end (s);
  arb_json_opt_string (s, "absent", NULL);
  arb_json_opt_string (s, "present", "p");
  arb_json_opt_double (s, "nan", NAN);
  arb_json_opt_double (s, "half", 0.5);
  arb_json_object_end (s);

  g_assert_cmpstr (s->str, ==,
                   "{\"name\":\"x\",\"n\":3,\"d\":0.25,\"yes\":true,\"no\":false,\"nothing\":null,"
                   "\"list\":[1,[],{},{\"deep\":7},{\"raw\":[1,2]},\"end\"],"
                   "\"present\":\"p\",\"half\":0.5}");
  root = parse (s->str);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "x");
  g_assert_cmpint (json_object_get_int_member (o, "n"), ==, 3);
  g_assert_true (json_object_get_boolean_member (o, "yes"));
  g_assert_false (json_object_has_member (o, "absent"));
  g_assert_false (json_object_has_member (o, "nan"));
  a = json_object_get_array_member (o, "list");
  g_assert_cmpuint (json_array_get_length (a), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (a, 3), "deep"),
                   ==, 7);
}

static void
test_key_escaped (void)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;

  arb_json_object_begin (s);
  arb_json_member_int (s, "we\"ird\n", 1);
  arb_json_object_end (s);
  g_assert_cmpstr (s->str, ==, "{\"we\\\"ird\\n\":1}");
  root = parse (s->str);
  g_assert_true (json_object_has_member (json_node_get_object (root), "we\"ird\n"));
}

/* ---------------------------------------------------------------- property test */

/* A random value written with arb_json_* and, in parallel, as a JsonNode:
 * parsing the text must give a tree equal to the node. */
static const char *alphabet[] = {
  "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\x01", "\x1f", "\x7f",
  "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x9a\x80", "\xe2\x80\xa8", "{", "]", ":", ",",
};

static char *
random_string (GRand *rand)
{
  GString *s = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 0, 12);

  for (guint i = 0; i < n; i++)
    g_string_append (s, alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);
  return g_string_free (s, FALSE);
}

static double
random_double (GRand *rand)
{
  double v;

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      do
        {
          guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
          memcpy (&v, &bits, sizeof v);
        }
      while (!isfinite (v));
      return v;
    case 1:
      return g_rand_double_range (rand, -1e6, 1e6);
    case 2:
      return g_rand_int_range (rand, -1000, 1000) / 10.0;
    default:
      return ldexp (g_rand_double (rand), g_rand_int_range (rand, -1070, 1020));
    }
}

static JsonNode *
random_value (GRand *rand, GString *s, guint depth)
{
  int kind = g_rand_int_range (rand, 0, depth < 4 ? 8 : 6);

  switch (kind)
    {
    case 0:
      {
        g_autofree char *v = random_string (rand);
        arb_json_string (s, v);
        return json_node_init_string (json_node_alloc (), v);
      }
    case 1:
      {
        gint64 v;
        switch (g_rand_int_range (rand, 0, 3))
          {
          case 0: v = G_MAXINT64; break;
          case 1: v = G_MININT64; break;
          default: v = (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand)); break;
          }
        arb_json_int (s, v);
        return json_node_init_int (json_node_alloc (), v);
      }
    case 2:
      {
        double v = random_double (rand);
        arb_json_double (s, v);
        return json_node_init_double (json_node_alloc (), v);
      }
    case 3:
      {
        gboolean v = g_rand_boolean (rand);
        arb_json_bool (s, v);
        return json_node_init_boolean (json_node_alloc (), v);
      }
    case 4:
      arb_json_null (s);
      return json_node_init_null (json_node_alloc ());
    case 5:
      arb_json_string (s, NULL);
      return json_node_init_null (json_node_alloc ());
    case 6:
      {
        JsonArray *a = json_array_new ();
        guint n = g_rand_int_range (rand, 0, 5);

        arb_json_array_begin (s);
        for (guint i = 0; i < n; i++)
          json_array_add_element (a, random_value (rand, s, depth + 1));
        arb_json_array_end (s);
        return json_node_init_array (json_node_alloc (), a);
      }
    default:
      {
        JsonObject *o = json_object_new ();
        guint n = g_rand_int_range (rand, 0, 5);

        arb_json_object_begin (s);
        for (guint i = 0; i < n; i++)
          {
            /* unique keys: json-glib keeps the last of duplicates */
            g_autofree char *r = random_string (rand);
            g_autofree char *key = g_strdup_printf ("%u%s", i, r);

            arb_json_key (s, key);
            json_object_set_member (o, key, random_value (rand, s, depth + 1));
          }
        arb_json_object_end (s);
        return json_node_init_object (json_node_alloc (), o);
      }
    }
}

static void
assert_same (JsonNode *expected, JsonNode *got)
{
  if (JSON_NODE_HOLDS_NULL (expected))
    {
      g_assert_true (JSON_NODE_HOLDS_NULL (got));
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (expected))
    {
      JsonArray *e = json_node_get_array (expected);
      JsonArray *g;

      g_assert_true (JSON_NODE_HOLDS_ARRAY (got));
      g = json_node_get_array (got);
      g_assert_cmpuint (json_array_get_length (e), ==, json_array_get_length (g));
      for (guint i = 0; i < json_array_get_length (e); i++)
        assert_same (json_array_get_element (e, i), json_array_get_element (g, i));
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (expected))
    {
      JsonObject *e = json_node_get_object (expected);
      JsonObject *g;
      g_autoptr(GList) members = json_object_get_members (e);
      g_autoptr(GList) got_members = NULL;
      GList *gl;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (got));
      g = json_node_get_object (got);
      g_assert_cmpuint (json_object_get_size (e), ==, json_object_get_size (g));
      got_members = json_object_get_members (g);
      /* same members in the same order */
      gl = got_members;
      for (GList *l = members; l != NULL; l = l->next, gl = gl->next)
        {
          g_assert_cmpstr (l->data, ==, gl->data);
          assert_same (json_object_get_member (e, l->data), json_object_get_member (g, l->data));
        }
      return;
    }
  switch (json_node_get_value_type (expected))
    {
    case G_TYPE_STRING:
      g_assert_cmpstr (json_node_get_string (expected), ==, json_node_get_string (got));
      break;
    case G_TYPE_INT64:
      g_assert_true (json_node_get_value_type (got) == G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (expected), ==, json_node_get_int (got));
      break;
    case G_TYPE_DOUBLE:
      /* an integral double may come back as an integer ("3"); the value is the same */
      g_assert_true (json_node_get_double (expected) == json_node_get_double (got));
      break;
    case G_TYPE_BOOLEAN:
      g_assert_cmpint (json_node_get_boolean (expected), ==, json_node_get_boolean (got));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
test_random_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      g_autoptr(JsonNode) expected = NULL;
      g_autoptr(JsonNode) got = NULL;

      /* a top-level container, as every message is */
      if (g_rand_boolean (rand))
        {
          JsonArray *a = json_array_new ();
          guint n = g_rand_int_range (rand, 0, 6);

          arb_json_array_begin (s);
          for (guint k = 0; k < n; k++)
            json_array_add_element (a, random_value (rand, s, 1));
          arb_json_array_end (s);
          expected = json_node_init_array (json_node_alloc (), a);
        }
      else
        {
          expected = random_value (rand, s, 0);
          if (!JSON_NODE_HOLDS_OBJECT (expected) && !JSON_NODE_HOLDS_ARRAY (expected))
            {
              /* wrap scalars: json-glib 1.6 parses them, but keep to containers */
              g_autoptr(GString) w = g_string_new ("[");
              JsonArray *a = json_array_new ();

              g_string_append (w, s->str);
              g_string_append_c (w, ']');
              json_array_add_element (a, g_steal_pointer (&expected));
              expected = json_node_init_array (json_node_alloc (), a);
              g_string_assign (s, w->str);
            }
        }
      g_assert_true (g_utf8_validate (s->str, s->len, NULL));
      got = parse (s->str);
      assert_same (expected, got);
    }
}

#define FFFD "\xef\xbf\xbd"

/* Issue 9, the second wall: whatever bytes a string holds (from a database
 * written before the input checks, or by hand), what is written is UTF-8. */
static void
test_not_utf8 (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "\xff", "\"" FFFD "\"" },
    { "X\xed\xa0\x80Y", "\"X" FFFD FFFD FFFD "Y\"" },    /* what "\ud800" was stored as */
    { "\xc0\xaf", "\"" FFFD FFFD "\"" },                 /* an overlong '/' */
    { "a\xe2\x82", "\"a" FFFD FFFD "\"" },               /* cut short at the end */
    { "\xe2\x82z", "\"" FFFD FFFD "z\"" },               /* cut short before ASCII */
    { "\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"" }, /* past U+10FFFF */
    { "\xf8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"" },
    { "\x80\"\x01", "\"" FFFD "\\\"\\u0001\"" },
    { "caf\xc3\xa9\xff\xf0\x9f\x9a\x80", "\"caf\xc3\xa9" FFFD "\xf0\x9f\x9a\x80\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = string_text (cases[i].in);
      g_autoptr(GString) key = g_string_new ("{");

      g_assert_cmpstr (text, ==, cases[i].out);
      arb_json_key (key, cases[i].in);
      arb_json_int (key, 1);
      arb_json_object_end (key);
      g_assert_true (g_utf8_validate (key->str, key->len, NULL));
      g_assert_true (g_str_has_prefix (key->str + 1, cases[i].out));
    }
}

/* Random bytes: the text is always UTF-8 JSON, and valid text reads back. */
static void
test_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());

  for (guint i = 0; i < 5000; i++)
    {
      char bytes[16];
      guint n = g_rand_int_range (rand, 1, sizeof bytes);
      g_autofree char *text = NULL;
      g_autofree char *back = NULL;

      for (guint k = 0; k < n; k++)
        bytes[k] = (char) g_rand_int_range (rand, 1, 256);
      bytes[n] = '\0';
      text = string_text (bytes);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      back = string_round_trip (bytes);
      if (g_utf8_validate (bytes, -1, NULL))
        g_assert_cmpstr (back, ==, bytes);
    }
}

/* Trees are written by the same writers: json-glib 1.6's generator passes
 * bytes through and writes 1e18 as "1e+18.0". */
static void
test_node (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) back = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "s\xff");
  json_builder_add_string_value (b, "a\xed\xa0\x80\x1f");
  json_builder_set_member_name (b, "n");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, G_MININT64);
  json_builder_add_double_value (b, 0.1);
  json_builder_add_double_value (b, 1e18);
  json_builder_add_double_value (b, NAN);
  json_builder_add_boolean_value (b, TRUE);
  json_builder_add_null_value (b);
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = arb_json_node_to_string (root);
  g_assert_cmpstr (text, ==, "{\"s" FFFD "\":\"a" FFFD FFFD FFFD "\\u001f\","
                   "\"n\":[-9223372036854775808,0.1,1e+18,null,true,null,{}]}");
  back = parse (text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (back));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/json/escape", test_escape);
  g_test_add_func ("/arb/json/escape-every-control", test_escape_every_control);
  g_test_add_func ("/arb/json/null-string", test_null_string);
  g_test_add_func ("/arb/json/doubles", test_doubles);
  g_test_add_func ("/arb/json/doubles-shortest", test_doubles_shortest);
  g_test_add_func ("/arb/json/negative-zero", test_negative_zero);
  g_test_add_func ("/arb/json/non-finite", test_non_finite);
  g_test_add_func ("/arb/json/format-double", test_format_double);
  g_test_add_func ("/arb/json/raw-len", test_raw_len);
  g_test_add_func ("/arb/json/ints", test_ints);
  g_test_add_func ("/arb/json/nesting", test_nesting);
  g_test_add_func ("/arb/json/key-escaped", test_key_escaped);
  g_test_add_func ("/arb/json/random-round-trip", test_random_round_trip);
  g_test_add_func ("/arb/json/not-utf8", test_not_utf8);
  g_test_add_func ("/arb/json/random-bytes", test_random_bytes);
  g_test_add_func ("/arb/json/node", test_node);

  return g_test_run ();
}
