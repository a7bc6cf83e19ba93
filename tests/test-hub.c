/* test-hub.c: seqs, tickets, emission per main-loop turn, latest gauges, journal, reservations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "arb-hub.h"

/* Records every "published" emission and checks that seqs only rise. */
typedef struct
{
  GArray *seqs;        /* gint64, every item delivered */
  GArray *sizes;       /* guint, items per emission */
  gint64  last;
} Recorder;

static void
on_published (ArbHub *hub, GPtrArray *items, Recorder *r)
{
  g_assert_cmpuint (items->len, >, 0);
  for (guint i = 0; i < items->len; i++)
    {
      ArbHubItem *item = g_ptr_array_index (items, i);

      g_assert_cmpint (item->seq, >, r->last);
      r->last = item->seq;
      g_array_append_val (r->seqs, item->seq);
    }
  g_array_append_val (r->sizes, items->len);
}

static void
recorder_init (Recorder *r, ArbHub *hub)
{
  r->seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  r->sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  r->last = 0;
  g_signal_connect (hub, "published", G_CALLBACK (on_published), r);
}

static void
recorder_clear (Recorder *r)
{
  g_array_unref (r->seqs);
  g_array_unref (r->sizes);
}

static void
assert_seqs (Recorder *r, const gint64 *expected, guint n)
{
  g_assert_cmpuint (r->seqs->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (r->seqs, gint64, i), ==, expected[i]);
}

/* Runs what is due on the default context now: one main-loop turn's worth. */
static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gint64
publish_log (ArbHub *hub, const char *text)
{
  return arb_hub_publish (hub, ARB_TOPIC_LOG, "log", 1000, NULL,
                          g_strdup_printf ("{\"message\":\"%s\"}", text));
}

static void
test_seqs_rise (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 16);
  g_autoptr(ArbHub) zero = arb_hub_new (0, 0);
  g_autoptr(ArbHub) negative = arb_hub_new (-5, 1);
  Recorder r;
  static const gint64 expected[] = { 1, 2, 3, 4 };

  recorder_init (&r, hub);
  g_assert_cmpint (arb_hub_get_next_seq (hub), ==, 1);
  g_assert_cmpint (arb_hub_get_last_seq (hub), ==, 0);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (publish_log (hub, "x"), ==, expected[i]);
  g_assert_cmpint (arb_hub_get_last_seq (hub), ==, 4);
  g_assert_cmpint (arb_hub_get_next_seq (hub), ==, 5);
  /* nothing is emitted before the main loop runs */
  g_assert_cmpuint (r.seqs->len, ==, 0);
  spin ();
  assert_seqs (&r, expected, 4);
  g_assert_cmpuint (r.sizes->len, ==, 1);

  /* seq 0 is never used: it means "nothing" on the wire */
  g_assert_cmpint (arb_hub_get_next_seq (zero), ==, 1);
  g_assert_cmpint (arb_hub_get_next_seq (negative), ==, 1);
  recorder_clear (&r);
}

static void
test_item (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (7, 4);
  g_autoptr(GPtrArray) replay = NULL;
  ArbHubItem *item;
  ArbHubItem *gauge;
  g_autoptr(JsonBuilder) b = json_builder_new ();

  arb_hub_publish (hub, ARB_TOPIC_TRADING, "trade", 123, NULL, g_strdup ("{\"a\":1}"));
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpu");
  json_builder_add_double_value (b, 0.5);
  json_builder_end_object (b);
  g_assert_cmpint (arb_hub_publish_node (hub, ARB_TOPIC_SYSTEM, "system", 456, "host",
                                         json_builder_get_root (b)), ==, 8);
  replay = arb_hub_replay_since (hub, 6);
  g_assert_nonnull (replay);
  g_assert_cmpuint (replay->len, ==, 1);
  item = g_ptr_array_index (replay, 0);
  g_assert_cmpint (item->seq, ==, 7);
  /* topics and kinds are interned: pointers compare */
  g_assert_true (item->topic == g_intern_static_string (ARB_TOPIC_TRADING));
  g_assert_true (item->kind == g_intern_static_string ("trade"));
  g_assert_cmpint (item->ts, ==, 123);
  g_assert_null (item->key);
  g_assert_true (arb_hub_item_is_discrete (item));
  g_assert_cmpstr (item->json, ==, "{\"a\":1}");
  g_assert_cmpuint (item->json_len, ==, strlen ("{\"a\":1}"));

  gauge = arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "system", "host");
  g_assert_nonnull (gauge);
  g_assert_false (arb_hub_item_is_discrete (gauge));
  g_assert_cmpstr (gauge->key, ==, "host");
  g_assert_cmpint (gauge->ts, ==, 456);
  g_assert_cmpstr (gauge->json, ==, "{\"cpu\":0.5}");

  /* a reference outlives the hub's own */
  arb_hub_item_ref (gauge);
  g_clear_object (&hub);
  g_assert_cmpstr (gauge->json, ==, "{\"cpu\":0.5}");
  arb_hub_item_unref (gauge);
}

static void
test_item_new_and_envelope (void)
{
  ArbHubItem *item = arb_hub_item_new (42, ARB_TOPIC_TRADING, "trade", 1700000000000, NULL,
                                       g_strdup ("{\"id\":\"t-1\",\"q\":\"a\\\"b\"}"));
  g_autoptr(JsonNode) env = NULL;
  JsonObject *o;
  const char *text;
  gsize len = 0;

  g_assert_cmpint (item->seq, ==, 42);
  g_assert_true (item->topic == g_intern_static_string (ARB_TOPIC_TRADING));
  g_assert_cmpuint (item->json_len, ==, strlen (item->json));
  g_assert_true (arb_hub_item_is_discrete (item));

  /* the frame a viewer gets, built once and shared */
  text = arb_hub_item_get_envelope (item, &len);
  g_assert_cmpstr (text, ==, "{\"topic\":\"trading\",\"seq\":42,\"ts\":1700000000000,"
                             "\"kind\":\"trade\",\"data\":{\"id\":\"t-1\",\"q\":\"a\\\"b\"}}");
  g_assert_cmpuint (len, ==, strlen (text));
  g_assert_true (arb_hub_item_get_envelope (item, NULL) == text);
  env = json_from_string (text, NULL);
  o = json_node_get_object (env);
  g_assert_cmpint (json_object_get_int_member (o, "seq"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "data"),
                                                  "q"), ==, "a\"b");
  arb_hub_item_unref (item);
}

static void
test_emitted_and_covered (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (50, 3);
  ArbHubTicket *t;

  g_assert_cmpint (arb_hub_get_first_seq (hub), ==, 50);
  g_assert_cmpint (arb_hub_get_last_emitted_seq (hub), ==, 49);
  g_assert_cmpint (arb_hub_get_journal_covered_from (hub), ==, 50);

  publish_log (hub, "a");                       /* 50 */
  t = arb_hub_stage (hub);
  arb_hub_ticket_add (t, ARB_TOPIC_LOG, "log", 1, NULL, g_strdup ("{}"));  /* 51 */
  publish_log (hub, "c");                       /* 52, held */
  /* only what reached the subscribers counts as emitted */
  g_assert_cmpint (arb_hub_get_last_emitted_seq (hub), ==, 49);
  g_assert_cmpint (arb_hub_get_journal_covered_from (hub), ==, 50);
  spin ();
  g_assert_cmpint (arb_hub_get_last_emitted_seq (hub), ==, 50);
  arb_hub_release (hub, t);
  g_assert_cmpint (arb_hub_get_last_emitted_seq (hub), ==, 50);
  arb_hub_flush (hub);
  g_assert_cmpint (arb_hub_get_last_emitted_seq (hub), ==, 52);

  /* full (50, 51, 52): still everything since the start of the run */
  g_assert_cmpint (arb_hub_get_journal_covered_from (hub), ==, 50);
  /* wrapped: from the ring's first item on */
  publish_log (hub, "d");                       /* 53 */
  g_assert_cmpint (arb_hub_get_journal_covered_from (hub), ==, 51);
  publish_log (hub, "e");                       /* 54 */
  g_assert_cmpint (arb_hub_get_journal_covered_from (hub), ==, 52);
  g_assert_cmpint (arb_hub_get_first_seq (hub), ==, 50);
  spin ();
}

static void
test_ticket_holds_back (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 16);
  ArbHubTicket *t1, *t2;
  Recorder r;
  static const gint64 all[] = { 1, 2, 3, 4, 5, 6 };

  recorder_init (&r, hub);
  t1 = arb_hub_stage (hub);
  g_assert_cmpint (arb_hub_ticket_add (t1, ARB_TOPIC_TRADING, "trade", 1, NULL,
                                       g_strdup ("{}")), ==, 1);
  g_assert_cmpint (arb_hub_ticket_add (t1, ARB_TOPIC_TRADING, "trade", 1, NULL,
                                       g_strdup ("{}")), ==, 2);
  t2 = arb_hub_stage (hub);
  g_assert_cmpint (arb_hub_ticket_add (t2, ARB_TOPIC_LOG, "log", 1, NULL, g_strdup ("{}")),
                   ==, 3);
  /* published now, but behind the two tickets */
  g_assert_cmpint (publish_log (hub, "behind"), ==, 4);
  spin ();
  g_assert_cmpuint (r.seqs->len, ==, 0);
  arb_hub_flush (hub);
  g_assert_cmpuint (r.seqs->len, ==, 0);

  /* releasing the later ticket first releases nothing: t1 still holds the line */
  arb_hub_release (hub, t2);
  spin ();
  g_assert_cmpuint (r.seqs->len, ==, 0);
  {
    /* not even as a gauge or in the journal */
    g_autoptr(GPtrArray) replay = arb_hub_replay_since (hub, 0);
    g_assert_cmpuint (replay->len, ==, 0);
  }

  arb_hub_release (hub, t1);
  g_assert_cmpint (publish_log (hub, "after"), ==, 5);
  g_assert_cmpint (publish_log (hub, "after"), ==, 6);
  spin ();
  assert_seqs (&r, all, 6);
  /* all of that in one turn: one emission */
  g_assert_cmpuint (r.sizes->len, ==, 1);
  recorder_clear (&r);
}

static void
test_drop_leaves_gap (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 16);
  ArbHubTicket *t;
  Recorder r;
  static const gint64 expected[] = { 1, 4, 5 };
  g_autoptr(GPtrArray) replay = NULL;

  recorder_init (&r, hub);
  publish_log (hub, "first");
  t = arb_hub_stage (hub);
  arb_hub_ticket_add (t, ARB_TOPIC_TRADING, "trade", 1, NULL, g_strdup ("{}"));
  arb_hub_ticket_add (t, ARB_TOPIC_TRADING, "trade", 1, NULL, g_strdup ("{}"));
  publish_log (hub, "behind");
  publish_log (hub, "behind");
  spin ();
  g_assert_cmpuint (r.seqs->len, ==, 1);

  /* the dropped seqs are never delivered; what waited behind goes out */
  arb_hub_drop (hub, t);
  spin ();
  assert_seqs (&r, expected, 3);
  replay = arb_hub_replay_since (hub, 0);
  g_assert_cmpuint (replay->len, ==, 3);
  g_assert_cmpint (((ArbHubItem *) g_ptr_array_index (replay, 1))->seq, ==, 4);
  /* the numbering goes on after the gap */
  g_assert_cmpint (publish_log (hub, "next"), ==, 6);
  recorder_clear (&r);
}

static void
test_one_emission_per_turn (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 64);
  Recorder r;

  recorder_init (&r, hub);
  for (guint turn = 0; turn < 3; turn++)
    {
      ArbHubTicket *a = arb_hub_stage (hub);
      ArbHubTicket *b = arb_hub_stage (hub);

      arb_hub_ticket_add (a, ARB_TOPIC_TRADING, "trade", 1, NULL, g_strdup ("{}"));
      arb_hub_ticket_add (b, ARB_TOPIC_TRADING, "trade", 1, NULL, g_strdup ("{}"));
      publish_log (hub, "x");
      arb_hub_release (hub, b);
      arb_hub_release (hub, a);
      arb_hub_publish (hub, ARB_TOPIC_SYSTEM, "system", 1, "host", g_strdup ("{}"));
      spin ();
      g_assert_cmpuint (r.sizes->len, ==, turn + 1);
      g_assert_cmpuint (g_array_index (r.sizes, guint, turn), ==, 4);
    }
  g_assert_cmpuint (r.seqs->len, ==, 12);
  g_assert_cmpint (r.last, ==, 12);

  /* an explicit flush emits at once, and the idle source then has nothing to do */
  publish_log (hub, "now");
  arb_hub_flush (hub);
  g_assert_cmpuint (r.sizes->len, ==, 4);
  spin ();
  g_assert_cmpuint (r.sizes->len, ==, 4);
  /* a flush with nothing released emits nothing */
  arb_hub_flush (hub);
  g_assert_cmpuint (r.sizes->len, ==, 4);
  recorder_clear (&r);
}

static void
test_latest_gauges (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 8);
  g_autoptr(GPtrArray) system = NULL;
  g_autoptr(GPtrArray) resources = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) replay = NULL;
  ArbHubTicket *t;
  ArbHubItem *item;

  arb_hub_publish (hub, ARB_TOPIC_SYSTEM, "system", 1, "host", g_strdup ("{\"v\":1}"));
  arb_hub_publish (hub, ARB_TOPIC_RESOURCES, "resources", 1, "bot-b", g_strdup ("{\"v\":2}"));
  arb_hub_publish (hub, ARB_TOPIC_RESOURCES, "resources", 1, "bot-a", g_strdup ("{\"v\":3}"));
  arb_hub_publish (hub, ARB_TOPIC_SYSTEM, "system", 2, "host", g_strdup ("{\"v\":4}"));
  arb_hub_publish (hub, ARB_TOPIC_RESOURCES, "resources", 2, "bot-b", g_strdup ("{\"v\":5}"));
  /* the same key under another kind is another gauge */
  arb_hub_publish (hub, ARB_TOPIC_TRADING, "summary", 2, "all", g_strdup ("{\"v\":6}"));
  arb_hub_publish (hub, ARB_TOPIC_TRADING, "other", 2, "all", g_strdup ("{\"v\":7}"));

  item = arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "system", "host");
  g_assert_cmpint (item->seq, ==, 4);
  g_assert_cmpstr (item->json, ==, "{\"v\":4}");
  g_assert_null (arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "system", "other-host"));
  g_assert_null (arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "resources", "host"));
  g_assert_cmpint (arb_hub_lookup_latest (hub, ARB_TOPIC_TRADING, "summary", "all")->seq, ==, 6);
  g_assert_cmpint (arb_hub_lookup_latest (hub, ARB_TOPIC_TRADING, "other", "all")->seq, ==, 7);

  system = arb_hub_get_latest (hub, ARB_TOPIC_SYSTEM);
  g_assert_cmpuint (system->len, ==, 1);
  /* one per key, in seq order (bot-a's latest is older than bot-b's) */
  resources = arb_hub_get_latest (hub, "resources");
  g_assert_cmpuint (resources->len, ==, 2);
  g_assert_cmpstr (((ArbHubItem *) g_ptr_array_index (resources, 0))->key, ==, "bot-a");
  g_assert_cmpint (((ArbHubItem *) g_ptr_array_index (resources, 0))->seq, ==, 3);
  g_assert_cmpstr (((ArbHubItem *) g_ptr_array_index (resources, 1))->key, ==, "bot-b");
  g_assert_cmpint (((ArbHubItem *) g_ptr_array_index (resources, 1))->seq, ==, 5);
  none = arb_hub_get_latest (hub, ARB_TOPIC_ALERTS);
  g_assert_cmpuint (none->len, ==, 0);

  /* gauges are not journaled */
  replay = arb_hub_replay_since (hub, 0);
  g_assert_cmpuint (replay->len, ==, 0);

  /* a gauge held by a ticket is not the latest until released */
  t = arb_hub_stage (hub);
  arb_hub_ticket_add (t, ARB_TOPIC_SYSTEM, "system", 3, "host", g_strdup ("{\"v\":8}"));
  g_assert_cmpint (arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "system", "host")->seq, ==, 4);
  arb_hub_release (hub, t);
  g_assert_cmpint (arb_hub_lookup_latest (hub, ARB_TOPIC_SYSTEM, "system", "host")->seq, ==, 8);
  spin ();
}

static gint64
replay_first (GPtrArray *items)
{
  return ((ArbHubItem *) g_ptr_array_index (items, 0))->seq;
}

static void
test_replay_since (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (1, 4);
  GPtrArray *items;

  /* empty: from the start of the run nothing is missing */
  g_assert_cmpint (arb_hub_get_journal_first_seq (hub), ==, 1);
  items = arb_hub_replay_since (hub, 0);
  g_assert_cmpuint (items->len, ==, 0);
  g_ptr_array_unref (items);

  publish_log (hub, "1");
  publish_log (hub, "2");
  arb_hub_publish (hub, ARB_TOPIC_SYSTEM, "system", 1, "host", g_strdup ("{}"));  /* 3 */
  publish_log (hub, "4");
  g_assert_cmpint (arb_hub_get_journal_first_seq (hub), ==, 1);

  items = arb_hub_replay_since (hub, 0);
  g_assert_cmpuint (items->len, ==, 3);
  g_assert_cmpint (replay_first (items), ==, 1);
  g_ptr_array_unref (items);
  items = arb_hub_replay_since (hub, 2);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (replay_first (items), ==, 4);
  g_ptr_array_unref (items);
  items = arb_hub_replay_since (hub, 4);
  g_assert_cmpuint (items->len, ==, 0);
  g_ptr_array_unref (items);
  /* a viewer ahead of us (from the future) gets nothing, not an error */
  items = arb_hub_replay_since (hub, 1000);
  g_assert_cmpuint (items->len, ==, 0);
  g_ptr_array_unref (items);
  /* whatever number a viewer sends (UBSan checks for overflow) */
  items = arb_hub_replay_since (hub, G_MAXINT64);
  g_assert_cmpuint (items->len, ==, 0);
  g_ptr_array_unref (items);
  g_assert_null (arb_hub_replay_since (hub, G_MININT64));

  /* wrap the ring of 4: holds 4, 5, 6, 7; 1 and 2 are gone (3 was a gauge) */
  publish_log (hub, "5");
  publish_log (hub, "6");
  publish_log (hub, "7");
  g_assert_cmpint (arb_hub_get_journal_first_seq (hub), ==, 4);
  items = arb_hub_replay_since (hub, 3);
  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (((ArbHubItem *) g_ptr_array_index (items, i))->seq, ==, 4 + i);
  g_ptr_array_unref (items);
  items = arb_hub_replay_since (hub, 5);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpint (replay_first (items), ==, 6);
  g_ptr_array_unref (items);
  /* too old (seq 2 is gone): the caller must read the store instead */
  g_assert_null (arb_hub_replay_since (hub, 1));
  g_assert_null (arb_hub_replay_since (hub, 0));

  /* keep wrapping: the window keeps moving */
  for (guint i = 0; i < 10; i++)
    publish_log (hub, "more");
  g_assert_cmpint (arb_hub_get_journal_first_seq (hub), ==, 14);
  g_assert_null (arb_hub_replay_since (hub, 12));
  items = arb_hub_replay_since (hub, 13);
  g_assert_cmpuint (items->len, ==, 4);
  g_assert_cmpint (replay_first (items), ==, 14);
  g_ptr_array_unref (items);
  spin ();
}

static void
test_replay_after_restart (void)
{
  /* a hub started after a restart: seqs before 1000 belong to the previous run */
  g_autoptr(ArbHub) hub = arb_hub_new (1000, 8);
  GPtrArray *items;

  g_assert_cmpint (arb_hub_get_journal_first_seq (hub), ==, 1000);
  g_assert_null (arb_hub_replay_since (hub, 500));
  g_assert_null (arb_hub_replay_since (hub, 998));
  items = arb_hub_replay_since (hub, 999);
  g_assert_nonnull (items);
  g_assert_cmpuint (items->len, ==, 0);
  g_ptr_array_unref (items);

  g_assert_cmpint (publish_log (hub, "a"), ==, 1000);
  g_assert_cmpint (publish_log (hub, "b"), ==, 1001);
  g_assert_null (arb_hub_replay_since (hub, 998));
  items = arb_hub_replay_since (hub, 999);
  g_assert_cmpuint (items->len, ==, 2);
  g_ptr_array_unref (items);
  /* also while the journal is not full and its first item is a later one */
  arb_hub_drop (hub, arb_hub_stage (hub));
  spin ();
}

typedef struct
{
  ArbHub *hub;
  GArray *up_to;        /* gint64 per emission */
  GArray *next_at;      /* the hub's next seq when the signal came */
  gboolean  accept;
} Reserve;

static void
on_reserve (ArbHub *hub, gint64 up_to, Reserve *r)
{
  gint64 next = arb_hub_get_next_seq (hub);

  g_array_append_val (r->up_to, up_to);
  g_array_append_val (r->next_at, next);
  if (r->accept)
    arb_hub_set_reserved (hub, up_to);
}

static void
test_reserve (void)
{
  g_autoptr(ArbHub) hub = arb_hub_new (10000000, 4);
  Reserve r = { hub, g_array_new (FALSE, FALSE, sizeof (gint64)),
                g_array_new (FALSE, FALSE, sizeof (gint64)), TRUE };

  g_signal_connect (hub, "reserve", G_CALLBACK (on_reserve), &r);
  /* nothing reserved yet (G_MAXINT64): the owner has not asked for reservations */
  publish_log (hub, "x");
  g_assert_cmpuint (r.up_to->len, ==, 0);

  /* reserved far enough ahead: no signal while half a block (500000) is left */
  arb_hub_set_reserved (hub, 10500005);
  for (guint i = 0; i < 5; i++)
    publish_log (hub, "x");
  g_assert_cmpint (arb_hub_get_next_seq (hub), ==, 10000006);
  g_assert_cmpuint (r.up_to->len, ==, 0);

  /* the next seq would leave less than half a block: reserve first, then hand it out */
  g_assert_cmpint (publish_log (hub, "x"), ==, 10000006);
  g_assert_cmpuint (r.up_to->len, ==, 1);
  g_assert_cmpint (g_array_index (r.next_at, gint64, 0), ==, 10000006);
  g_assert_cmpint (g_array_index (r.up_to, gint64, 0), ==, 10000006 + 1000000);
  for (guint i = 0; i < 100; i++)
    publish_log (hub, "x");
  g_assert_cmpuint (r.up_to->len, ==, 1);

  /* an owner that could not store the reservation is asked again for the next seq */
  arb_hub_set_reserved (hub, arb_hub_get_next_seq (hub) + 10);
  r.accept = FALSE;
  publish_log (hub, "x");
  publish_log (hub, "x");
  g_assert_cmpuint (r.up_to->len, ==, 3);
  /* reservations are always ahead of the seq being handed out */
  for (guint i = 0; i < r.up_to->len; i++)
    g_assert_cmpint (g_array_index (r.up_to, gint64, i), >,
                     g_array_index (r.next_at, gint64, i));

  /* staged items take seqs too, so they reserve as well */
  r.accept = TRUE;
  arb_hub_set_reserved (hub, arb_hub_get_next_seq (hub));
  {
    ArbHubTicket *t = arb_hub_stage (hub);
    arb_hub_ticket_add (t, ARB_TOPIC_LOG, "log", 1, NULL, g_strdup ("{}"));
    arb_hub_release (hub, t);
  }
  g_assert_cmpuint (r.up_to->len, ==, 4);

  spin ();
  g_array_unref (r.up_to);
  g_array_unref (r.next_at);
}

static void
test_finalize_pending (void)
{
  ArbHub *hub = arb_hub_new (1, 2);
  ArbHubTicket *t;
  Recorder r;

  recorder_init (&r, hub);
  publish_log (hub, "released");
  t = arb_hub_stage (hub);
  arb_hub_ticket_add (t, ARB_TOPIC_LOG, "log", 1, NULL, g_strdup ("{}"));
  publish_log (hub, "waiting");
  arb_hub_release (hub, arb_hub_stage (hub));
  /* released-but-unemitted items, unreleased tickets and the idle source: all freed
   * (ASan would see a leak), and nothing is emitted after the hub is gone */
  g_object_unref (hub);
  spin ();
  g_assert_cmpuint (r.seqs->len, ==, 0);
  recorder_clear (&r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arb/hub/seqs-rise", test_seqs_rise);
  g_test_add_func ("/arb/hub/item", test_item);
  g_test_add_func ("/arb/hub/item-new-and-envelope", test_item_new_and_envelope);
  g_test_add_func ("/arb/hub/emitted-and-covered", test_emitted_and_covered);
  g_test_add_func ("/arb/hub/ticket-holds-back", test_ticket_holds_back);
  g_test_add_func ("/arb/hub/drop-leaves-gap", test_drop_leaves_gap);
  g_test_add_func ("/arb/hub/one-emission-per-turn", test_one_emission_per_turn);
  g_test_add_func ("/arb/hub/latest-gauges", test_latest_gauges);
  g_test_add_func ("/arb/hub/replay-since", test_replay_since);
  g_test_add_func ("/arb/hub/replay-after-restart", test_replay_after_restart);
  g_test_add_func ("/arb/hub/reserve", test_reserve);
  g_test_add_func ("/arb/hub/finalize-pending", test_finalize_pending);

  return g_test_run ();
}
