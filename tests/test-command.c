/* test-command.c: commands to bots and their audit record
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "arb-command.h"

static char *
to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void
test_new (void)
{
  g_autoptr(ArbCommand) c = arb_command_new ("c-1", "bot-a", "pause", "{\"why\":\"test\"}",
                                             "operator", "alice", 1700000000000);
  g_autoptr(ArbCommand) no_args = arb_command_new ("c-2", "bot-a", "stop", NULL, "desktop",
                                                   NULL, 5);

  g_assert_cmpstr (c->id, ==, "c-1");
  g_assert_cmpstr (c->bot_id, ==, "bot-a");
  g_assert_cmpstr (c->name, ==, "pause");
  g_assert_cmpstr (c->args_json, ==, "{\"why\":\"test\"}");
  g_assert_cmpstr (c->role, ==, "operator");
  g_assert_cmpstr (c->token_name, ==, "alice");
  g_assert_cmpint (c->created_ms, ==, 1700000000000);
  g_assert_cmpint (c->finished_ms, ==, 0);
  g_assert_cmpint (c->status, ==, ARB_COMMAND_PENDING);
  g_assert_null (c->message);
  g_assert_cmpint (c->hub_seq, ==, 0);

  /* missing args are an empty object, never NULL */
  g_assert_cmpstr (no_args->args_json, ==, "{}");
  g_assert_null (no_args->token_name);

  arb_command_free (NULL);
}

static void
test_finish_and_copy (void)
{
  g_autoptr(ArbCommand) c = arb_command_new ("c-1", "bot-a", "pause", "{}", "operator",
                                             "alice", 1000);
  g_autoptr(ArbCommand) copy = NULL;

  arb_command_finish (c, ARB_COMMAND_FAILED, "first", 1500);
  /* finishing again replaces the outcome (the message is not leaked: ASan checks) */
  arb_command_finish (c, ARB_COMMAND_OK, "paused", 2000);
  c->hub_seq = 77;
  g_assert_cmpint (c->status, ==, ARB_COMMAND_OK);
  g_assert_cmpstr (c->message, ==, "paused");
  g_assert_cmpint (c->finished_ms, ==, 2000);

  copy = arb_command_copy (c);
  g_assert_true (copy != c);
  g_assert_true (copy->id != c->id);
  g_assert_cmpstr (copy->id, ==, "c-1");
  g_assert_cmpstr (copy->bot_id, ==, "bot-a");
  g_assert_cmpstr (copy->name, ==, "pause");
  g_assert_cmpstr (copy->args_json, ==, "{}");
  g_assert_cmpstr (copy->role, ==, "operator");
  g_assert_cmpstr (copy->token_name, ==, "alice");
  g_assert_cmpint (copy->created_ms, ==, 1000);
  g_assert_cmpint (copy->finished_ms, ==, 2000);
  g_assert_cmpint (copy->status, ==, ARB_COMMAND_OK);
  g_assert_cmpstr (copy->message, ==, "paused");
  g_assert_cmpint (copy->hub_seq, ==, 77);

  /* the copy is independent */
  arb_command_finish (c, ARB_COMMAND_TIMEOUT, NULL, 3000);
  g_assert_null (c->message);
  g_assert_cmpstr (copy->message, ==, "paused");
  g_assert_cmpint (copy->status, ==, ARB_COMMAND_OK);
}

static void
test_status_names (void)
{
  static const struct { ArbCommandStatus status; const char *name; } names[] = {
    { ARB_COMMAND_PENDING, "pending" },
    { ARB_COMMAND_OK, "done" },
    { ARB_COMMAND_FAILED, "failed" },
    { ARB_COMMAND_TIMEOUT, "timeout" },
    { ARB_COMMAND_REJECTED, "rejected" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ArbCommandStatus parsed = 99;

      g_assert_cmpstr (arb_command_status_name (names[i].status), ==, names[i].name);
      g_assert_true (arb_command_status_parse (names[i].name, &parsed));
      g_assert_cmpint (parsed, ==, names[i].status);
    }
  for (const char *const *bad = (const char *const[]) { "", "OK", "Done", "pending ", NULL };
       *bad != NULL; bad++)
    {
      ArbCommandStatus parsed = ARB_COMMAND_TIMEOUT;

      g_assert_false (arb_command_status_parse (*bad, &parsed));
      g_assert_cmpint (parsed, ==, ARB_COMMAND_TIMEOUT);
    }
  g_assert_false (arb_command_status_parse (NULL, &(ArbCommandStatus) { 0 }));
  /* the name of the records stored before PROTOCOL.md revision 1.1 */
  {
    ArbCommandStatus parsed = ARB_COMMAND_TIMEOUT;

    g_assert_true (arb_command_status_parse ("ok", &parsed));
    g_assert_cmpint (parsed, ==, ARB_COMMAND_OK);
  }
}

static void
test_status_name_invalid (void)
{
  if (g_test_subprocess ())
    {
      arb_command_status_name ((ArbCommandStatus) 17);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*status <= ARB_COMMAND_REJECTED*");
}

static void
test_to_json_pending (void)
{
  g_autoptr(ArbCommand) c = arb_command_new ("c-9", "bot-b", "resume", "{\"n\":[1,2]}",
                                             "desktop", NULL, 42);
  g_autoptr(JsonNode) node = arb_command_to_json (c);
  g_autofree char *text = to_string (node);

  g_assert_cmpstr (text, ==,
                   "{\"id\":\"c-9\",\"bot_id\":\"bot-b\",\"name\":\"resume\","
                   "\"args\":{\"n\":[1,2]},\"who\":{\"role\":\"desktop\",\"token\":null},"
                   "\"created\":42,\"finished\":null,\"status\":\"pending\",\"ok\":false,"
                   "\"message\":null}");
}

static void
test_to_json_finished (void)
{
  g_autoptr(ArbCommand) c = arb_command_new ("c-10", "bot-b", "pause", "{}", "operator",
                                             "alice", 1000);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o, *who;

  arb_command_finish (c, ARB_COMMAND_OK, "paused \"now\"", 1250);
  node = arb_command_to_json (c);
  o = json_node_get_object (node);
  who = json_object_get_object_member (o, "who");
  g_assert_cmpstr (json_object_get_string_member (who, "role"), ==, "operator");
  g_assert_cmpstr (json_object_get_string_member (who, "token"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (o, "created"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (o, "finished"), ==, 1250);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "done");
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, "paused \"now\"");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (o, "args")), ==, 0);

  /* every other outcome is not ok */
  for (ArbCommandStatus s = ARB_COMMAND_PENDING; s <= ARB_COMMAND_REJECTED; s++)
    {
      g_autoptr(JsonNode) n = NULL;

      if (s == ARB_COMMAND_OK)
        continue;
      arb_command_finish (c, s, NULL, 2000);
      n = arb_command_to_json (c);
      g_assert_false (json_object_get_boolean_member (json_node_get_object (n), "ok"));
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (n), "status"), ==,
                       arb_command_status_name (s));
    }
}

static void
test_to_json_bad_args (void)
{
  g_autoptr(ArbCommand) c = arb_command_new ("c-11", "bot-b", "pause", "{not json", NULL, NULL,
                                             1);
  g_autoptr(JsonNode) node = arb_command_to_json (c);
  JsonObject *o = json_node_get_object (node);

  /* a stored args text that does not parse shows as null, not as a broken document */
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (o, "args")));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_object_get_object_member (o,
                                                                 "who"), "role")));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/command/new", test_new);
  g_test_add_func ("/arb/command/finish-and-copy", test_finish_and_copy);
  g_test_add_func ("/arb/command/status-names", test_status_names);
  g_test_add_func ("/arb/command/status-name-invalid", test_status_name_invalid);
  g_test_add_func ("/arb/command/to-json-pending", test_to_json_pending);
  g_test_add_func ("/arb/command/to-json-finished", test_to_json_finished);
  g_test_add_func ("/arb/command/to-json-bad-args", test_to_json_bad_args);

  return g_test_run ();
}
