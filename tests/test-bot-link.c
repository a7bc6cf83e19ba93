/* test-bot-link.c: connection states, heartbeat intervals, seqs, the JSON row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "arb-bot-link.h"

/* An arbitrary wall clock; each test moves "now" by hand. */
#define T0 G_GINT64_CONSTANT (1700000000000)

static ArbHeartbeat
beat (ArbBotRunState state)
{
  ArbHeartbeat hb = { state, NULL };

  return hb;
}

static void
count_notify (GObject *object, GParamSpec *pspec, guint *count)
{
  g_assert_cmpstr (pspec->name, ==, "state");
  (*count)++;
}

static void
test_new (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  int state = -1;

  g_assert_cmpstr (arb_bot_link_get_bot_id (link), ==, "bot-1");
  g_assert_cmpstr (arb_bot_link_get_name (link), ==, "bot-1");
  g_assert_null (arb_bot_link_get_version (link));
  g_assert_null (arb_bot_link_get_strategy (link));
  g_assert_cmpstr (arb_bot_link_get_quote (link), ==, "USD");
  g_assert_nonnull (arb_bot_link_get_commands (link));
  g_assert_null (arb_bot_link_get_commands (link)[0]);
  g_assert_false (arb_bot_link_takes_command (link, "pause"));
  g_assert_cmpint (arb_bot_link_get_pid (link), ==, -1);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, 0);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 0);
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  g_assert_cmpint (arb_bot_link_get_run_state (link), ==, ARB_BOT_RUNNING);
  g_assert_false (arb_bot_link_has_heartbeat (link));
  g_assert_cmpint (arb_bot_link_get_last_heartbeat (link), ==, 0);
  g_assert_cmpint (arb_bot_link_get_last_seen (link), ==, 0);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 5000);
  g_assert_cmpuint (arb_bot_link_get_n_connections (link), ==, 0);
  g_object_get (link, "state", &state, NULL);
  g_assert_cmpint (state, ==, ARB_LINK_DISCONNECTED);
  /* nothing to re-evaluate for a bot that never came */
  g_assert_false (arb_bot_link_check (link, T0));
}

static void
test_state_names (void)
{
  g_assert_cmpstr (arb_link_state_name (ARB_LINK_CONNECTED), ==, "connected");
  g_assert_cmpstr (arb_link_state_name (ARB_LINK_STALE), ==, "stale");
  g_assert_cmpstr (arb_link_state_name (ARB_LINK_LOST), ==, "lost");
  g_assert_cmpstr (arb_link_state_name (ARB_LINK_DISCONNECTED), ==, "disconnected");
  if (g_test_subprocess ())
    {
      arb_link_state_name ((ArbLinkState) 9);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*state <= ARB_LINK_DISCONNECTED*");
}

static void
test_hello (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  char *commands[] = { (char *) "pause", (char *) "resume", NULL };
  char *none[] = { NULL };
  ArbHello hello = { { (char *) "bot-1", (char *) "Bot One", (char *) "1.2.3", (char *) "cex-dex",
                       (char *) "EUR", commands }, 4242 };

  arb_bot_link_apply_hello (link, &hello);
  g_assert_cmpstr (arb_bot_link_get_name (link), ==, "Bot One");
  g_assert_cmpstr (arb_bot_link_get_version (link), ==, "1.2.3");
  g_assert_cmpstr (arb_bot_link_get_strategy (link), ==, "cex-dex");
  g_assert_cmpstr (arb_bot_link_get_quote (link), ==, "EUR");
  g_assert_cmpint (arb_bot_link_get_pid (link), ==, 4242);
  g_assert_cmpuint (g_strv_length ((char **) arb_bot_link_get_commands (link)), ==, 2);
  g_assert_true (arb_bot_link_takes_command (link, "pause"));
  g_assert_true (arb_bot_link_takes_command (link, "resume"));
  g_assert_false (arb_bot_link_takes_command (link, "stop"));
  /* the link keeps copies */
  g_assert_true ((char **) arb_bot_link_get_commands (link) != commands);

  /* a later hello replaces everything; a missing quote is USD again */
  hello.identity.name = (char *) "Renamed";
  hello.identity.version = NULL;
  hello.identity.strategy = NULL;
  hello.identity.quote = NULL;
  hello.identity.commands = none;
  hello.pid = -1;
  arb_bot_link_apply_hello (link, &hello);
  g_assert_cmpstr (arb_bot_link_get_name (link), ==, "Renamed");
  g_assert_null (arb_bot_link_get_version (link));
  g_assert_null (arb_bot_link_get_strategy (link));
  g_assert_cmpstr (arb_bot_link_get_quote (link), ==, "USD");
  g_assert_false (arb_bot_link_takes_command (link, "pause"));
  g_assert_cmpint (arb_bot_link_get_pid (link), ==, -1);
}

static void
test_hello_wrong_bot (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
      char *none[] = { NULL };
      ArbHello hello = { { (char *) "bot-2", (char *) "Other", NULL, NULL, NULL, none }, -1 };

      arb_bot_link_apply_hello (link, &hello);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*hello->identity.bot_id*");
}

static void
test_attach_detach (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  guint notified = 0;

  g_signal_connect (link, "notify::state", G_CALLBACK (count_notify), &notified);
  g_assert_true (arb_bot_link_attach (link, T0));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  g_assert_cmpint (arb_bot_link_get_last_seen (link), ==, T0);
  g_assert_cmpuint (notified, ==, 1);

  /* a second connection of the same bot changes no state */
  g_assert_false (arb_bot_link_attach (link, T0 + 10));
  g_assert_cmpuint (arb_bot_link_get_n_connections (link), ==, 2);
  g_assert_false (arb_bot_link_detach (link, T0 + 20));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  g_assert_cmpuint (notified, ==, 1);

  /* the last one closing: disconnected, whatever the age */
  g_assert_true (arb_bot_link_detach (link, T0 + 30));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  g_assert_cmpuint (arb_bot_link_get_n_connections (link), ==, 0);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_false (arb_bot_link_check (link, T0 + 10000000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  g_assert_cmpuint (notified, ==, 2);

  /* reconnecting after a long time counts as fresh */
  g_assert_true (arb_bot_link_attach (link, T0 + 20000000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
}

static void
test_detach_unattached (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
      arb_bot_link_detach (link, T0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*n_connections > 0*");
}

static void
test_stale_lost (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  ArbHeartbeat hb = beat (ARB_BOT_RUNNING);
  guint notified = 0;

  g_signal_connect (link, "notify::state", G_CALLBACK (count_notify), &notified);
  arb_bot_link_attach (link, T0);
  g_assert_cmpuint (notified, ==, 1);

  /* default interval 5 s: stale after 3 of them, lost after 12 */
  g_assert_false (arb_bot_link_check (link, T0 + 15000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  g_assert_true (arb_bot_link_check (link, T0 + 15001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_false (arb_bot_link_check (link, T0 + 30000));
  g_assert_false (arb_bot_link_check (link, T0 + 60000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  g_assert_true (arb_bot_link_check (link, T0 + 60001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);
  g_assert_cmpuint (notified, ==, 3);

  /* events on a connection do not prove life: only heartbeats do */
  arb_bot_link_seen (link, T0 + 70000);
  g_assert_cmpint (arb_bot_link_get_last_seen (link), ==, T0 + 70000);
  g_assert_false (arb_bot_link_check (link, T0 + 70000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);

  /* a heartbeat brings it back at once */
  g_assert_true (arb_bot_link_heartbeat (link, &hb, T0, T0 + 71000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  g_assert_cmpint (arb_bot_link_get_last_heartbeat (link), ==, T0 + 71000);
  g_assert_cmpint (arb_bot_link_get_last_seen (link), ==, T0 + 71000);
  g_assert_cmpuint (notified, ==, 4);

  /* a clock going backwards does not make a bot stale */
  g_assert_false (arb_bot_link_check (link, T0));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
}

static void
test_interval_learning (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  ArbHeartbeat hb = beat (ARB_BOT_RUNNING);
  gint64 now = T0;
  gint64 interval;

  arb_bot_link_attach (link, now);
  /* the first heartbeat has no gap to learn from */
  arb_bot_link_heartbeat (link, &hb, 0, now);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 5000);

  now += 2000;
  arb_bot_link_heartbeat (link, &hb, 0, now);
  /* a slow average: (5000 * 7 + 2000) / 8 */
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 4625);

  for (guint i = 0; i < 100; i++)
    {
      now += 2000;
      g_assert_false (arb_bot_link_heartbeat (link, &hb, 0, now));
    }
  interval = arb_bot_link_get_heartbeat_interval (link);
  g_assert_cmpint (interval, >=, 2000);
  g_assert_cmpint (interval, <=, 2010);

  /* the deadlines follow the learnt interval: stale after 3 x 2 s */
  g_assert_false (arb_bot_link_check (link, now + 3 * interval));
  g_assert_true (arb_bot_link_check (link, now + 3 * interval + 1));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  g_assert_true (arb_bot_link_check (link, now + 12 * interval + 1));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);

  /* one very late heartbeat stretches the interval by at most an eighth of 60 s */
  now += 10 * 60 * 1000;
  g_assert_true (arb_bot_link_heartbeat (link, &hb, 0, now));
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, (interval * 7 + 60000) / 8);

  /* gaps below 1 s count as 1 s */
  interval = arb_bot_link_get_heartbeat_interval (link);
  now += 10;
  arb_bot_link_heartbeat (link, &hb, 0, now);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, (interval * 7 + 1000) / 8);

  /* a heartbeat received at the same instant (or earlier) teaches nothing */
  interval = arb_bot_link_get_heartbeat_interval (link);
  arb_bot_link_heartbeat (link, &hb, 0, now);
  arb_bot_link_heartbeat (link, &hb, 0, now - 500);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, interval);
}

/* revision 1.1: a declared heartbeat_ms sets the deadlines at once, and
 * the gaps do not move them; a hello without it goes back to learning. */
static void
test_declared_interval (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  ArbHeartbeat hb = beat (ARB_BOT_RUNNING);
  char *commands[] = { NULL };
  ArbHello hello = { { (char *) "bot-1", (char *) "Bot", NULL, NULL, (char *) "USD", commands }, -1,
                     1000 };
  gint64 now = T0;

  arb_bot_link_apply_hello (link, &hello);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 1000);
  arb_bot_link_attach (link, now);
  for (guint i = 0; i < 10; i++)
    {
      now += i == 5 ? 7000 : 1000;   /* one late beat teaches nothing */
      arb_bot_link_heartbeat (link, &hb, 0, now);
    }
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 1000);
  g_assert_false (arb_bot_link_check (link, now + 3000));
  g_assert_true (arb_bot_link_check (link, now + 3001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  g_assert_false (arb_bot_link_check (link, now + 12000));
  g_assert_true (arb_bot_link_check (link, now + 12001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);

  hello.heartbeat_ms = 0;
  arb_bot_link_apply_hello (link, &hello);
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 5000);
  now += 13000;
  arb_bot_link_heartbeat (link, &hb, 0, now);
  arb_bot_link_heartbeat (link, &hb, 0, now + 2000);
  /* learnt again: (5000 * 7 + 13000) / 8, then (6000 * 7 + 2000) / 8 */
  g_assert_cmpint (arb_bot_link_get_heartbeat_interval (link), ==, 5500);
}

static void
test_heartbeat_run_state (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  ArbHeartbeat running = beat (ARB_BOT_RUNNING);
  ArbHeartbeat paused = beat (ARB_BOT_PAUSED);

  arb_bot_link_attach (link, T0);
  /* the first heartbeat is news even when the state is the default */
  g_assert_true (arb_bot_link_heartbeat (link, &running, 0, T0 + 1000));
  g_assert_true (arb_bot_link_has_heartbeat (link));
  g_assert_false (arb_bot_link_heartbeat (link, &running, 0, T0 + 2000));
  g_assert_true (arb_bot_link_heartbeat (link, &paused, 0, T0 + 3000));
  g_assert_cmpint (arb_bot_link_get_run_state (link), ==, ARB_BOT_PAUSED);
  g_assert_false (arb_bot_link_heartbeat (link, &paused, 0, T0 + 4000));
  /* the bot's own ts does not matter: receipt time does */
  g_assert_false (arb_bot_link_heartbeat (link, &paused, 1, T0 + 5000));
  g_assert_cmpint (arb_bot_link_get_last_heartbeat (link), ==, T0 + 5000);
}

static void
test_via_http (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-http");
  ArbHeartbeat hb = beat (ARB_BOT_RUNNING);

  /* a bot that posts events has no connection, yet is there */
  arb_bot_link_seen (link, T0);
  g_assert_true (arb_bot_link_check (link, T0));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
  g_assert_cmpuint (arb_bot_link_get_n_connections (link), ==, 0);

  /* events count as proof of life for it */
  arb_bot_link_seen (link, T0 + 14000);
  g_assert_false (arb_bot_link_check (link, T0 + 20000));
  g_assert_true (arb_bot_link_check (link, T0 + 29001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_STALE);
  /* silence makes it lost, never "disconnected": there was no connection to close */
  g_assert_true (arb_bot_link_check (link, T0 + 14000 + 60001));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);
  g_assert_false (arb_bot_link_check (link, T0 + 100000000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_LOST);

  /* a heartbeat over HTTP revives it */
  g_assert_true (arb_bot_link_heartbeat (link, &hb, 0, T0 + 100000000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);

  /* once it connects and that connection closes, it is disconnected */
  g_assert_false (arb_bot_link_attach (link, T0 + 100001000));
  g_assert_true (arb_bot_link_detach (link, T0 + 100002000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_DISCONNECTED);
  /* and posting again makes it connected by HTTP */
  arb_bot_link_seen (link, T0 + 100003000);
  g_assert_true (arb_bot_link_check (link, T0 + 100003000));
  g_assert_cmpint (arb_bot_link_get_state (link), ==, ARB_LINK_CONNECTED);
}

static void
test_seqs (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");

  arb_bot_link_set_accepted_seq (link, 10);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 10);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, 0);

  arb_bot_link_set_stored_seq (link, 5);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, 5);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 10);

  /* a failed commit takes accepted back, but never below what is stored */
  arb_bot_link_set_accepted_seq (link, 3);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 5);
  arb_bot_link_set_accepted_seq (link, 7);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 7);

  /* stored never goes back, and pulls accepted up */
  arb_bot_link_set_stored_seq (link, 4);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, 5);
  arb_bot_link_set_stored_seq (link, 20);
  g_assert_cmpint (arb_bot_link_get_stored_seq (link), ==, 20);
  g_assert_cmpint (arb_bot_link_get_accepted_seq (link), ==, 20);
}

static void
test_to_json (void)
{
  g_autoptr(ArbBotLink) link = arb_bot_link_new ("bot-1");
  g_autoptr(JsonNode) fresh = arb_bot_link_to_json (link);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *o = json_node_get_object (fresh);
  JsonArray *commands;
  char *cmds[] = { (char *) "pause", (char *) "stop", NULL };
  ArbHello hello = { { (char *) "bot-1", (char *) "Bot One", (char *) "2.0", (char *) "triangular",
                       NULL, cmds }, 99 };
  ArbHeartbeat hb = beat (ARB_BOT_ERROR);
  static const char *members[] = {
    "bot_id", "name", "version", "strategy", "quote", "state", "run_state", "last_heartbeat",
    "heartbeat_interval_ms", "last_seq", "connections", "commands", "pid",
  };

  /* every member is always there (null when unknown) */
  g_assert_cmpuint (json_object_get_size (o), ==, G_N_ELEMENTS (members));
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (o, members[i]));
  g_assert_cmpstr (json_object_get_string_member (o, "bot_id"), ==, "bot-1");
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "bot-1");
  g_assert_true (json_object_get_null_member (o, "version"));
  g_assert_true (json_object_get_null_member (o, "strategy"));
  g_assert_cmpstr (json_object_get_string_member (o, "quote"), ==, "USD");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "disconnected");
  g_assert_true (json_object_get_null_member (o, "run_state"));
  g_assert_true (json_object_get_null_member (o, "last_heartbeat"));
  g_assert_cmpint (json_object_get_int_member (o, "heartbeat_interval_ms"), ==, 5000);
  g_assert_cmpint (json_object_get_int_member (o, "last_seq"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "connections"), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "commands")), ==, 0);
  g_assert_true (json_object_get_null_member (o, "pid"));

  arb_bot_link_apply_hello (link, &hello);
  arb_bot_link_attach (link, T0);
  arb_bot_link_heartbeat (link, &hb, 0, T0 + 500);
  arb_bot_link_set_accepted_seq (link, 50);
  arb_bot_link_set_stored_seq (link, 42);
  node = arb_bot_link_to_json (link);
  o = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Bot One");
  g_assert_cmpstr (json_object_get_string_member (o, "version"), ==, "2.0");
  g_assert_cmpstr (json_object_get_string_member (o, "strategy"), ==, "triangular");
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "connected");
  g_assert_cmpstr (json_object_get_string_member (o, "run_state"), ==, "error");
  g_assert_cmpint (json_object_get_int_member (o, "last_heartbeat"), ==, T0 + 500);
  /* last_seq is what is durable, not what was merely accepted */
  g_assert_cmpint (json_object_get_int_member (o, "last_seq"), ==, 42);
  g_assert_cmpint (json_object_get_int_member (o, "connections"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "pid"), ==, 99);
  commands = json_object_get_array_member (o, "commands");
  g_assert_cmpuint (json_array_get_length (commands), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (commands, 0), ==, "pause");
  g_assert_cmpstr (json_array_get_string_element (commands, 1), ==, "stop");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/bot-link/new", test_new);
  g_test_add_func ("/arb/bot-link/state-names", test_state_names);
  g_test_add_func ("/arb/bot-link/hello", test_hello);
  g_test_add_func ("/arb/bot-link/hello-wrong-bot", test_hello_wrong_bot);
  g_test_add_func ("/arb/bot-link/attach-detach", test_attach_detach);
  g_test_add_func ("/arb/bot-link/detach-unattached", test_detach_unattached);
  g_test_add_func ("/arb/bot-link/stale-lost", test_stale_lost);
  g_test_add_func ("/arb/bot-link/interval-learning", test_interval_learning);
  g_test_add_func ("/arb/bot-link/declared-interval", test_declared_interval);
  g_test_add_func ("/arb/bot-link/heartbeat-run-state", test_heartbeat_run_state);
  g_test_add_func ("/arb/bot-link/via-http", test_via_http);
  g_test_add_func ("/arb/bot-link/seqs", test_seqs);
  g_test_add_func ("/arb/bot-link/to-json", test_to_json);

  return g_test_run ();
}
