/* test-event.c: validation of every bot message type and limit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "arb-event.h"

static ArbLimits limits;

static const char *good_trade =
  "{\"type\":\"trade\",\"seq\":7,\"ts\":1700000000000,\"id\":\"b1:7\",\"pair\":\"WETH/USDC\","
  "\"buy_venue\":\"uniswap_v3\",\"sell_venue\":\"curve\",\"status\":\"filled\",\"profit\":12.5,"
  "\"chain\":\"ethereum\",\"amount_in\":\"1000000000000000000000\",\"amount_out\":\"25000\","
  "\"gas_used\":150000,\"gas_price_gwei\":12.5,\"gas_cost\":3.1,\"fees\":0.9,\"latency_ms\":240,"
  "\"tx_hash\":\"0xabc\",\"future\":{\"x\":[1,2]}}";

/* Parses @text and validates it; returns the event or NULL with code/field. */
static ArbEvent *
parse (const char *text, int *code, char **field, gint64 *seq)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  ArbEvent *event;

  *code = -1;
  *field = NULL;
  *seq = 0;
  root = arb_json_parse_text (parser, text, strlen (text), &limits, field, &error);
  if (root == NULL)
    {
      g_assert_error (error, ARB_ERROR, error->code);
      *code = error->code;
      return NULL;
    }
  event = arb_event_from_json (json_node_get_object (root), &limits, field, seq, &error);
  if (event == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == ARB_ERROR);
      *code = error->code;
      /* the message names the field so a human reading it knows what to fix */
      if (*field != NULL)
        g_assert_nonnull (strstr (error->message, *field));
    }
  else
    g_assert_no_error (error);
  return event;
}

static char *
patch_trade (const char *member, const char *json_value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (parser, good_trade, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_value == NULL)
    json_object_remove_member (o, member);
  else
    {
      g_autoptr(JsonParser) vp = json_parser_new ();
      g_assert_true (json_parser_load_from_data (vp, json_value, -1, NULL));
      json_object_set_member (o, member, json_node_copy (json_parser_get_root (vp)));
    }
  json_generator_set_root (gen, json_parser_get_root (parser));
  return json_generator_to_data (gen, NULL);
}

static void
expect_bad (const char *text, int want_code, const char *want_field)
{
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  g_autoptr(ArbEvent) event = parse (text, &code, &field, &seq);

  g_assert_null (event);
  g_assert_cmpint (code, ==, want_code);
  g_assert_cmpstr (field, ==, want_field);
}

static void
test_trade_good (void)
{
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  g_autoptr(ArbEvent) e = parse (good_trade, &code, &field, &seq);
  g_autofree char *out = NULL;

  g_assert_nonnull (e);
  g_assert_cmpint (e->type, ==, ARB_MSG_TRADE);
  g_assert_cmpint (e->seq, ==, 7);
  g_assert_cmpint (e->ts, ==, 1700000000000);
  g_assert_cmpstr (e->trade.id, ==, "b1:7");
  g_assert_cmpint (e->trade.status, ==, ARB_TRADE_FILLED);
  g_assert_cmpfloat (e->trade.profit, ==, 12.5);
  g_assert_cmpstr (e->trade.amount_in, ==, "1000000000000000000000");
  g_assert_cmpint (e->trade.gas_used, ==, 150000);
  g_assert_cmpfloat (e->trade.latency_ms, ==, 240);

  out = arb_event_to_json (e, "b1");
  /* unknown fields are not carried over; known ones are */
  g_assert_null (strstr (out, "future"));
  g_assert_nonnull (strstr (out, "\"bot_id\":\"b1\""));
  g_assert_nonnull (strstr (out, "\"amount_in\":\"1000000000000000000000\""));
  g_assert_nonnull (strstr (out, "\"status\":\"filled\""));
}

static void
test_trade_optional_absent (void)
{
  const char *t = "{\"type\":\"trade\",\"seq\":1,\"ts\":5,\"id\":\"x\",\"pair\":\"A/B\","
                  "\"buy_venue\":\"v1\",\"sell_venue\":\"v2\",\"status\":\"reverted\","
                  "\"profit\":-3,\"gas_cost\":null}";
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  g_autoptr(ArbEvent) e = parse (t, &code, &field, &seq);

  g_assert_nonnull (e);
  g_assert_cmpint (e->trade.status, ==, ARB_TRADE_REVERTED);
  g_assert_cmpint (e->trade.gas_used, ==, -1);
  g_assert_true (isnan (e->trade.gas_cost));
  g_assert_null (e->trade.chain);
}

static void
test_trade_bad_fields (void)
{
  static const struct { const char *member, *value; int code; } cases[] = {
    { "pair", NULL, ARB_ERROR_BAD_REQUEST },
    { "ts", NULL, ARB_ERROR_BAD_REQUEST },
    { "ts", "1700000000000.5", ARB_ERROR_BAD_REQUEST },
    { "ts", "-1", ARB_ERROR_BAD_REQUEST },
    { "profit", "\"12.5\"", ARB_ERROR_BAD_REQUEST },
    { "gas_used", "\"lots\"", ARB_ERROR_BAD_REQUEST },
    { "gas_used", "1.5", ARB_ERROR_BAD_REQUEST },
    { "amount_in", "1000000000000000000", ARB_ERROR_BAD_REQUEST },
    { "profit", "1e300", ARB_ERROR_BAD_REQUEST },
    { "amount_in", "\"12abc\"", ARB_ERROR_BAD_REQUEST },
    { "status", "\"won\"", ARB_ERROR_BAD_REQUEST },
    { "id", "\"has space/and!\"", ARB_ERROR_BAD_REQUEST },
    { "seq", "\"2\"", ARB_ERROR_BAD_REQUEST },
    { "seq", NULL, ARB_ERROR_BAD_REQUEST },
    { "seq", "0", ARB_ERROR_BAD_REQUEST },
    { "type", NULL, ARB_ERROR_BAD_REQUEST },
    { "type", "\"frobnicate\"", ARB_ERROR_BAD_REQUEST },
    { "type", "42", ARB_ERROR_BAD_REQUEST },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = patch_trade (cases[i].member, cases[i].value);
      g_test_message ("case %s = %s", cases[i].member, cases[i].value ? cases[i].value : "(absent)");
      expect_bad (text, cases[i].code, cases[i].member);
    }
}

static void
test_seq_consumed (void)
{
  int code;
  g_autofree char *field = NULL;
  g_autofree char *t1 = patch_trade ("pair", NULL);
  g_autofree char *t2 = patch_trade ("type", "\"frobnicate\"");
  g_autofree char *t3 = patch_trade ("seq", "\"7\"");
  gint64 seq;
  ArbEvent *e;

  /* a bad message with a valid seq reports it, so the caller may consume it */
  e = parse (t1, &code, &field, &seq);
  g_assert_null (e);
  g_assert_cmpint (seq, ==, 7);
  g_clear_pointer (&field, g_free);
  e = parse (t2, &code, &field, &seq);
  g_assert_null (e);
  g_assert_cmpint (seq, ==, 7);
  g_clear_pointer (&field, g_free);
  e = parse (t3, &code, &field, &seq);
  g_assert_null (e);
  g_assert_cmpint (seq, ==, 0);
}

static void
test_identifier (void)
{
  g_autofree char *long_ok = g_strnfill (128, 'a');
  g_autofree char *too_long = g_strnfill (129, 'a');

  g_assert_true (arb_is_identifier ("bot-1.a_b:c"));
  g_assert_true (arb_is_identifier (long_ok));
  g_assert_false (arb_is_identifier (too_long));
  g_assert_false (arb_is_identifier (""));
  g_assert_false (arb_is_identifier ("a b"));
  g_assert_false (arb_is_identifier ("é"));
  g_assert_false (arb_is_identifier (NULL));
}

static void
test_limits (void)
{
  g_autofree char *big_string = NULL;
  g_autoptr(GString) deep = g_string_new ("{\"type\":\"trade\",\"x\":");
  g_autoptr(GString) huge_depth = g_string_new (NULL);
  g_autoptr(GString) big_frame = g_string_new ("{\"type\":\"log\",\"pad\":\"");
  g_autofree char *s4k = g_strnfill (4096, 'f');
  g_autofree char *s4k1 = g_strnfill (4097, 'f');
  g_autofree char *ok_text = NULL;
  g_autofree char *q = NULL;

  q = g_strdup_printf ("\"%s\"", s4k1);
  big_string = patch_trade ("tx_hash", q);
  expect_bad (big_string, ARB_ERROR_TOO_LARGE, "tx_hash");
  g_free (q);
  q = g_strdup_printf ("\"%s\"", s4k);
  ok_text = patch_trade ("tx_hash", q);
  {
    int code;
    g_autofree char *field = NULL;
    gint64 seq;
    g_autoptr(ArbEvent) e = parse (ok_text, &code, &field, &seq);
    g_assert_nonnull (e);
  }

  for (int i = 0; i < 40; i++)
    g_string_append (deep, "{\"a\":");
  g_string_append (deep, "1");
  for (int i = 0; i < 41; i++)
    g_string_append (deep, "}");
  expect_bad (deep->str, ARB_ERROR_TOO_LARGE, NULL);

  for (int i = 0; i < 20000; i++)
    g_string_append_c (huge_depth, '[');
  for (int i = 0; i < 20000; i++)
    g_string_append_c (huge_depth, ']');
  expect_bad (huge_depth->str, ARB_ERROR_TOO_LARGE, NULL);

  for (int i = 0; i < 70000; i++)
    g_string_append_c (big_frame, 'p');
  g_string_append (big_frame, "\"}");
  expect_bad (big_frame->str, ARB_ERROR_TOO_LARGE, NULL);

  /* brackets inside strings do not count as nesting */
  g_assert_true (arb_json_prescan_depth ("{\"a\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}", 33, 2));
  g_assert_false (arb_json_prescan_depth ("[[[]]]", 6, 2));
}

static void
test_not_objects (void)
{
  expect_bad ("{\"type\":\"trade\",\"seq\":2,", ARB_ERROR_BAD_REQUEST, NULL);
  expect_bad ("[1,2,3]", ARB_ERROR_BAD_REQUEST, NULL);
  expect_bad ("\"trade\"", ARB_ERROR_BAD_REQUEST, NULL);
  expect_bad ("{\"type\":\"trade\",\"profit\":NaN}", ARB_ERROR_BAD_REQUEST, NULL);
  expect_bad ("{\"\xff\xfe\":1}", ARB_ERROR_BAD_REQUEST, NULL);
  expect_bad ("", ARB_ERROR_BAD_REQUEST, NULL);
}

static void
test_hello (void)
{
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  g_autoptr(ArbEvent) e = parse ("{\"type\":\"hello\",\"bot_id\":\"b-1\",\"name\":\"Bot\","
                                 "\"commands\":[\"pause\",\"stop\"],\"pid\":42}",
                                 &code, &field, &seq);
  g_assert_nonnull (e);
  g_assert_cmpint (e->type, ==, ARB_MSG_HELLO);
  g_assert_cmpstr (e->hello.identity.quote, ==, "USD");
  g_assert_cmpint (g_strv_length (e->hello.identity.commands), ==, 2);
  g_assert_cmpint (e->hello.pid, ==, 42);

  expect_bad ("{\"type\":\"hello\",\"name\":\"x\"}", ARB_ERROR_BAD_REQUEST, "bot_id");
  expect_bad ("{\"type\":\"hello\",\"bot_id\":\"b\"}", ARB_ERROR_BAD_REQUEST, "name");
  expect_bad ("{\"type\":\"hello\",\"bot_id\":\"bad id!\",\"name\":\"x\"}",
              ARB_ERROR_BAD_REQUEST, "bot_id");
  expect_bad ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\",\"commands\":\"pause\"}",
              ARB_ERROR_BAD_REQUEST, "commands");
  expect_bad ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\",\"commands\":[1]}",
              ARB_ERROR_BAD_REQUEST, "commands");
  expect_bad ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\",\"pid\":0}",
              ARB_ERROR_BAD_REQUEST, "pid");
}

/* revision 1.1: hello may say how often the bot beats */
static void
test_hello_heartbeat_ms (void)
{
  static const char *bad[] = { "99", "0", "-1", "600001", "1e300", "1.5", "\"1000\"", "true" };
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  g_autoptr(ArbEvent) absent = parse ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\"}",
                                      &code, &field, &seq);
  g_autoptr(ArbEvent) low = parse ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\","
                                   "\"heartbeat_ms\":100}", &code, &field, &seq);
  g_autoptr(ArbEvent) high = parse ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\","
                                    "\"heartbeat_ms\":600000}", &code, &field, &seq);
  g_autoptr(ArbEvent) null = parse ("{\"type\":\"hello\",\"bot_id\":\"b\",\"name\":\"x\","
                                    "\"heartbeat_ms\":null}", &code, &field, &seq);

  g_assert_cmpint (absent->hello.heartbeat_ms, ==, 0);
  g_assert_cmpint (low->hello.heartbeat_ms, ==, 100);
  g_assert_cmpint (high->hello.heartbeat_ms, ==, 600000);
  g_assert_cmpint (null->hello.heartbeat_ms, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"type\":\"hello\",\"bot_id\":\"b\","
                                               "\"name\":\"x\",\"heartbeat_ms\":%s}", bad[i]);
      expect_bad (text, ARB_ERROR_BAD_REQUEST, "heartbeat_ms");
    }
}

typedef struct { const char *text; ArbMsgType type; } Good;

static void
test_other_types (void)
{
  static const Good good[] = {
    { "{\"type\":\"heartbeat\",\"seq\":1,\"ts\":1,\"state\":\"paused\",\"message\":\"m\"}",
      ARB_MSG_HEARTBEAT },
    { "{\"type\":\"opportunity\",\"seq\":1,\"ts\":1,\"pair\":\"A/B\",\"buy_venue\":\"a\","
      "\"sell_venue\":\"b\",\"spread_bps\":12.5,\"expected_profit\":3,\"taken\":false,"
      "\"reason\":\"gas\"}", ARB_MSG_OPPORTUNITY },
    { "{\"type\":\"resources\",\"seq\":1,\"ts\":1,\"pool\":{\"size\":8,\"in_use\":3,"
      "\"waiting\":0},\"cache\":{\"entries\":5,\"hits\":1.5}}", ARB_MSG_RESOURCES },
    { "{\"type\":\"resources\",\"seq\":1,\"ts\":1}", ARB_MSG_RESOURCES },
    { "{\"type\":\"metric\",\"seq\":1,\"ts\":1,\"name\":\"rpc_latency_ms.curve\",\"value\":3,"
      "\"unit\":\"ms\"}", ARB_MSG_METRIC },
    { "{\"type\":\"log\",\"seq\":1,\"ts\":1,\"level\":\"error\",\"message\":\"boom\","
      "\"component\":\"rpc\"}", ARB_MSG_LOG },
    { "{\"type\":\"command_result\",\"id\":\"c-1\",\"ok\":true}", ARB_MSG_COMMAND_RESULT },
  };
  static const struct { const char *text, *field; } bad[] = {
    { "{\"type\":\"heartbeat\",\"seq\":1,\"ts\":1,\"state\":\"sleeping\"}", "state" },
    { "{\"type\":\"heartbeat\",\"seq\":1,\"ts\":1}", "state" },
    { "{\"type\":\"opportunity\",\"seq\":1,\"ts\":1,\"pair\":\"A/B\",\"buy_venue\":\"a\","
      "\"sell_venue\":\"b\",\"spread_bps\":1,\"expected_profit\":3,\"taken\":\"yes\"}", "taken" },
    { "{\"type\":\"resources\",\"seq\":1,\"ts\":1,\"pool\":[1]}", "pool" },
    { "{\"type\":\"resources\",\"seq\":1,\"ts\":1,\"pool\":{\"size\":\"8\"}}", "pool.size" },
    { "{\"type\":\"metric\",\"seq\":1,\"ts\":1,\"name\":\"a b\",\"value\":1}", "name" },
    { "{\"type\":\"metric\",\"seq\":1,\"ts\":1,\"name\":\"x\",\"value\":true}", "value" },
    { "{\"type\":\"log\",\"seq\":1,\"ts\":1,\"level\":\"loud\",\"message\":\"m\"}", "level" },
    { "{\"type\":\"log\",\"seq\":1,\"ts\":1,\"level\":\"info\"}", "message" },
    { "{\"type\":\"command_result\",\"ok\":true}", "id" },
    { "{\"type\":\"command_result\",\"id\":\"c\",\"ok\":1}", "ok" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      int code;
      g_autofree char *field = NULL;
      gint64 seq;
      g_autoptr(ArbEvent) e = parse (good[i].text, &code, &field, &seq);
      g_autofree char *json = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_nonnull (e);
      g_assert_cmpint (e->type, ==, good[i].type);
      /* what we write reads back as one JSON object */
      json = arb_event_to_json (e, "b");
      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    expect_bad (bad[i].text, ARB_ERROR_BAD_REQUEST, bad[i].field);
}

/* The good trade with one member's raw JSON text @raw added last (json-glib
 * keeps the last of two members of a name, RFC 8259 leaves that open). */
static char *
trade_with (const char *member, const char *raw)
{
  g_autofree char *head = g_strndup (good_trade, strlen (good_trade) - 1);

  return g_strdup_printf ("%s,\"%s\":%s}", head, member, raw);
}

static ArbEvent *
parse_ok (const char *text)
{
  int code;
  g_autofree char *field = NULL;
  gint64 seq;
  ArbEvent *e = parse (text, &code, &field, &seq);

  if (e == NULL)
    g_error ("refused (%d, %s): %s", code, field, text);
  return e;
}

/* Every decoded string must be UTF-8 text: what json-glib would decode
 * into other bytes, or truncate, is refused naming the member. */
static void
test_strings_not_text (void)
{
  static const struct { const char *member, *raw; } cases[] = {
    { "pair", "\"X\\ud800Y\"" },               /* a lone high surrogate */
    { "pair", "\"X\\udc00Y\"" },               /* a lone low one */
    { "pair", "\"X\\ud800\"" },                /* at the end */
    { "pair", "\"\\ud800\\ud800\"" },          /* high after high */
    { "pair", "\"\\ud800\\u0041\"" },          /* high, then not low */
    { "pair", "\"\\udc00\\ud800\"" },          /* a pair the wrong way round */
    { "pair", "\"WETH\\u0000/USDC\"" },        /* \u0000 truncated the string */
    { "pair", "\"\\u0000\"" },
    { "buy_venue", "\"a\tb\"" },               /* raw control characters */
    { "buy_venue", "\"a\nb\"" },
    { "buy_venue", "\"a\x01" "b\"" },
    { "tx_hash", "\"0x\xff\xfe\"" },           /* bytes that are not UTF-8 */
    { "tx_hash", "\"\xc0\xaf\"" },             /* an overlong '/' */
    { "tx_hash", "\"\xed\xa0\x80\"" },         /* a surrogate in raw UTF-8 */
    { "tx_hash", "\"\xf4\x90\x80\x80\"" },     /* past U+10FFFF */
    { "tx_hash", "\"\xe2\x82\"" },             /* cut short */
    { "chain", "\"\\u0000\"" },
    { "future", "{\"x\":\"\\ud800\"}" },       /* unknown members too */
    { "future", "[\"ok\",\"\\u0000\"]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = trade_with (cases[i].member, cases[i].raw);
      const char *want = strcmp (cases[i].member, "future") == 0 &&
                         cases[i].raw[0] == '{' ? "x" : cases[i].member;
      g_autofree char *shown = g_strescape (cases[i].raw, NULL);

      g_test_message ("case %s = %s", cases[i].member, shown);
      expect_bad (text, ARB_ERROR_BAD_REQUEST, want);
    }
  /* member names too: named by the member that holds them, if any */
  {
    g_autofree char *text = trade_with ("future", "{\"a\\u0000b\":1}");
    expect_bad (text, ARB_ERROR_BAD_REQUEST, "future");
  }
  {
    g_autofree char *text = trade_with ("a\\ud800", "1");
    expect_bad (text, ARB_ERROR_BAD_REQUEST, NULL);
  }
}

/* What is valid text passes, whatever its escapes. */
static void
test_strings_text (void)
{
  static const struct { const char *raw, *decoded; } cases[] = {
    { "\"\\ud83d\\ude80\"", "\xf0\x9f\x9a\x80" },
    { "\"\xf0\x9f\x9a\x80\"", "\xf0\x9f\x9a\x80" },
    { "\"caf\\u00e9 \xe2\x82\xac\"", "caf\xc3\xa9 \xe2\x82\xac" },
    { "\"a\\/b\\\\c\\\"d\"", "a/b\\c\"d" },
    { "\"\\b\\f\\n\\r\\t\\u0001\\u001F\"", "\b\f\n\r\t\x01\x1f" },
    { "\"\\uFFFF\\uDBFF\\uDFFF\"", "\xef\xbf\xbf\xf4\x8f\xbf\xbf" },
    { "\"\x7f\"", "\x7f" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = trade_with ("pair", cases[i].raw);
      g_autoptr(ArbEvent) e = parse_ok (text);

      g_assert_cmpstr (e->trade.pair, ==, cases[i].decoded);
    }
}

/* Numbers json-glib would wrap or lose are refused naming the member. */
static void
test_numbers_out_of_range (void)
{
  static const struct { const char *member, *raw; } cases[] = {
    { "profit", "99999999999999999999999" },
    { "profit", "-99999999999999999999999" },
    { "profit", "1e400" },
    { "profit", "-1e400" },
    { "profit", "1000000000000001" },
    { "gas_used", "18446744073709551615" },
    { "gas_used", "18446744073709551616" },
    { "gas_used", "9223372036854775808" },
    { "gas_used", "99999999999999999999999999999999999999999" },
    { "gas_used", "9007199254740993.0" },
    { "gas_used", "1e19" },
    { "ts", "9223372036854775808" },
    { "ts", "-9223372036854775809" },
    { "ts", "1e400" },
    { "latency_ms", "1e400" },
    { "fees", "-1e999" },
    { "future", "{\"x\":[1e400]}" },           /* unknown members too */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = trade_with (cases[i].member, cases[i].raw);

      g_test_message ("case %s = %s", cases[i].member, cases[i].raw);
      expect_bad (text, ARB_ERROR_BAD_REQUEST,
                  g_str_equal (cases[i].member, "future") ? "x" : cases[i].member);
    }

  /* the edges that fit are taken exactly */
  {
    g_autofree char *text = trade_with ("gas_used", "9223372036854775807");
    g_autoptr(ArbEvent) e = parse_ok (text);
    g_assert_cmpint (e->trade.gas_used, ==, G_MAXINT64);
  }
  {
    g_autofree char *text = trade_with ("gas_used", "9007199254740991.0");
    g_autoptr(ArbEvent) e = parse_ok (text);
    g_assert_cmpint (e->trade.gas_used, ==, G_GINT64_CONSTANT (9007199254740991));
  }
  {
    g_autofree char *text = trade_with ("profit", "-1e15");
    g_autoptr(ArbEvent) e = parse_ok (text);
    g_assert_cmpfloat (e->trade.profit, ==, -1e15);
  }
  {
    g_autofree char *text = trade_with ("profit", "1E-400");
    g_autoptr(ArbEvent) e = parse_ok (text);
    g_assert_cmpfloat (e->trade.profit, ==, 0);
  }
}

/* A seq beyond 2^64 used to wrap to a small one that could be stored. */
static void
test_seq_out_of_range (void)
{
  static const char *seqs[] = { "18446744073709551617", "9223372036854775808", "1e400",
                                "9007199254740993.0" };

  for (guint i = 0; i < G_N_ELEMENTS (seqs); i++)
    {
      g_autofree char *text = trade_with ("seq", seqs[i]);
      int code;
      g_autofree char *field = NULL;
      gint64 seq;
      g_autoptr(ArbEvent) e = parse (text, &code, &field, &seq);

      g_test_message ("seq %s", seqs[i]);
      g_assert_null (e);
      g_assert_cmpint (code, ==, ARB_ERROR_BAD_REQUEST);
      g_assert_cmpstr (field, ==, "seq");
      g_assert_cmpint (seq, ==, 0);
    }
}

/* amount_in and amount_out: 1*DIGIT [ "." 1*DIGIT ] (docs/api.md). */
static void
test_amounts (void)
{
  static const char *good[] = { "0", "7", "1500", "0.25", "007", "1.0",
    "115792089237316195423570985008687907853269984665640564039457584007913129639935" };
  static const char *bad[] = { "1.2.3", "1.", ".5", "-1", "+1", "1e5", "1E5", " 1", "1 ",
                               "", ".", "1,5", "0x10", "NaN", "\xd9\xa1" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *raw = g_strdup_printf ("\"%s\"", good[i]);
      g_autofree char *text = trade_with ("amount_out", raw);
      g_autoptr(ArbEvent) e = parse_ok (text);

      g_assert_cmpstr (e->trade.amount_out, ==, good[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *raw = g_strdup_printf ("\"%s\"", bad[i]);
      g_autofree char *text = trade_with ("amount_in", raw);

      g_test_message ("amount '%s'", bad[i]);
      expect_bad (text, ARB_ERROR_BAD_REQUEST, "amount_in");
    }
}

/* What RFC 8259 refuses is refused whole, whatever json-glib would take. */
static void
test_rfc8259 (void)
{
  static const char *bad[] = {
    "{\"type\":\"log\" /* c */}",
    "{\"type\":\"log\"} // c",
    "# c\n{\"type\":\"log\"}",
    "{'type':'log'}",
    "{\"type\":'log'}",
    "{type:\"log\"}",
    "{\"type\":\"log\"} x",
    "{\"type\":\"log\"}}",
    "{\"type\":\"log\"}{}",
    "{\"type\":\"log\",}",
    "{\"a\":[1,2,]}",
    "{\"a\":[,1]}",
    "{,}",
    "{\"a\" 1}",
    "{\"a\":1 \"b\":2}",
    "{\"a\":0x10}",
    "{\"a\":012}",
    "{\"a\":-012}",
    "{\"a\":+1}",
    "{\"a\":.5}",
    "{\"a\":1.}",
    "{\"a\":1.e5}",
    "{\"a\":1e}",
    "{\"a\":1e+}",
    "{\"a\":-}",
    "{\"a\":--1}",
    "{\"a\":1.5.3}",
    "{\"a\":NaN}",
    "{\"a\":Infinity}",
    "{\"a\":-Infinity}",
    "{\"a\":undefined}",
    "{\"a\":True}",
    "{\"a\":nul}",
    "{\"a\":\"\\x41\"}",
    "{\"a\":\"\\a\"}",
    "{\"a\":\"\\'\"}",
    "{\"a\":\"\\u12\"}",
    "{\"a\":\"\\u12G4\"}",
    "{\"a\":\"\\U0041\"}",
    "{\"a\":\"\\ud800\\u12\"}",
    "{\"a\":\"abc}",
    "{\"a\":\"abc\\\"}",
    "\xef\xbb\xbf{\"a\":1}",
    "{\"a\":1,\xff:2}",
    "{\"a\"\xc2\xa0:1}",
    "\x0c{\"a\":1}",
    "{\"a\":1}\x0b",
    "   ",
    "{",
    "}",
  };
  static const char *good[] = {
    " \t\r\n{ \"type\" : \"log\" , \"a\" : [ 1 , -0 , 0.5 , -1.5e-3 , 1E+2 , 2e2 , true , "
    "false , null , { } , [ ] , \"\" ] } \n",
    "{\"a\":{\"b\":{\"c\":[[[[[[[[[[[[[1]]]]]]]]]]]]]}}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gsize len = strlen (bad[i]);
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) error = NULL;
      g_autofree char *field = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *shown = g_strescape (bad[i], NULL);

      g_test_message ("bad %u: %s", i, shown);
      root = arb_json_parse_text (parser, bad[i], len, &limits, &field, &error);
      g_assert_null (root);
      g_assert_error (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST);
      g_assert_null (field);
    }
  /* a NUL byte after the value */
  {
    g_autoptr(JsonParser) parser = json_parser_new_immutable ();
    g_autoptr(GError) error = NULL;
    g_autofree char *field = NULL;
    g_autoptr(JsonNode) root = arb_json_parse_text (parser, "{\"a\":1}\0", 8, &limits, &field,
                                                    &error);
    g_assert_null (root);
    g_assert_error (error, ARB_ERROR, ARB_ERROR_BAD_REQUEST);
  }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) error = NULL;
      g_autofree char *field = NULL;
      g_autoptr(JsonNode) root = NULL;

      root = arb_json_parse_text (parser, good[i], strlen (good[i]), &limits, &field, &error);
      g_assert_no_error (error);
      g_assert_nonnull (root);
    }
}

static void
test_error_codes (void)
{
  g_assert_cmpstr (arb_error_code_name (ARB_ERROR_TOO_LARGE), ==, "too_large");
  g_assert_cmpuint (arb_error_code_http_status (ARB_ERROR_TOO_LARGE), ==, 413);
  g_assert_cmpuint (arb_error_code_http_status (ARB_ERROR_UNAUTHORIZED), ==, 401);
  g_assert_cmpstr (arb_error_code_name (ARB_ERROR_INTERNAL), ==, "internal");
  g_assert_cmpstr (arb_trade_status_name (ARB_TRADE_REVERTED), ==, "reverted");
  g_assert_cmpstr (arb_bot_run_state_name (ARB_BOT_PAUSED), ==, "paused");
  g_assert_cmpstr (arb_log_level_name (ARB_LOG_CRITICAL), ==, "critical");
  g_assert_cmpstr (arb_msg_type_name (ARB_MSG_COMMAND_RESULT), ==, "command_result");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  arb_limits_init_default (&limits);

  g_test_add_func ("/arb/event/trade/good", test_trade_good);
  g_test_add_func ("/arb/event/trade/optional-absent", test_trade_optional_absent);
  g_test_add_func ("/arb/event/trade/bad-fields", test_trade_bad_fields);
  g_test_add_func ("/arb/event/seq-consumed", test_seq_consumed);
  g_test_add_func ("/arb/event/identifier", test_identifier);
  g_test_add_func ("/arb/event/limits", test_limits);
  g_test_add_func ("/arb/event/not-objects", test_not_objects);
  g_test_add_func ("/arb/event/hello", test_hello);
  g_test_add_func ("/arb/event/hello-heartbeat-ms", test_hello_heartbeat_ms);
  g_test_add_func ("/arb/event/other-types", test_other_types);
  g_test_add_func ("/arb/event/error-codes", test_error_codes);
  g_test_add_func ("/arb/event/strings/not-text", test_strings_not_text);
  g_test_add_func ("/arb/event/strings/text", test_strings_text);
  g_test_add_func ("/arb/event/numbers/out-of-range", test_numbers_out_of_range);
  g_test_add_func ("/arb/event/numbers/seq-out-of-range", test_seq_out_of_range);
  g_test_add_func ("/arb/event/amounts", test_amounts);
  g_test_add_func ("/arb/event/rfc8259", test_rfc8259);

  return g_test_run ();
}
