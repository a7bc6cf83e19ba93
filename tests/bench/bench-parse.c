/* bench-parse.c: the cost of reading one bot message and of writing it back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not a test: run it by hand, e.g. `_build/tests/bench-parse`, on a quiet
 * machine and with an optimised build. It times what the ingest does for
 * every message before the store (arb_json_parse_text: the RFC 8259 check,
 * json-glib, the tree walk; then arb_event_from_json), and what the hub and
 * REST do to write one (arb_event_write_json), on the messages of a busy bot.
 * CPU time of the process, as the machine is shared.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arb-event.h"

#define N_ROUNDS 100000

static const char *messages[] = {
  "{\"type\":\"trade\",\"seq\":7,\"ts\":1700000000000,\"id\":\"b1:7\",\"pair\":\"WETH/USDC\","
  "\"buy_venue\":\"uniswap_v3\",\"sell_venue\":\"curve\",\"status\":\"filled\",\"profit\":12.5,"
  "\"chain\":\"ethereum\",\"amount_in\":\"1000000000000000000000\",\"amount_out\":\"25000.5\","
  "\"gas_used\":150000,\"gas_price_gwei\":12.5,\"gas_cost\":3.1,\"fees\":0.9,\"latency_ms\":240,"
  "\"tx_hash\":\"0x4f1e3c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f\"}",
  "{\"type\":\"opportunity\",\"seq\":8,\"ts\":1700000000001,\"pair\":\"WBTC/USDT\","
  "\"buy_venue\":\"sushiswap\",\"sell_venue\":\"balancer\",\"spread_bps\":4.25,"
  "\"expected_profit\":-0.75,\"taken\":false,\"reason\":\"spread below the gas cost\"}",
  "{\"type\":\"log\",\"seq\":9,\"ts\":1700000000002,\"level\":\"warning\","
  "\"message\":\"mempool reorg: resubmitting \\\"0x4f1e\\\" with a higher tip (caf\xc3\xa9)\","
  "\"component\":\"executor\"}",
  "{\"type\":\"resources\",\"seq\":10,\"ts\":1700000000003,\"pool\":{\"size\":16,\"in_use\":9,"
  "\"waiting\":0},\"tasks\":{\"running\":4,\"queued\":12,\"completed\":123456,\"failed\":7},"
  "\"memory\":{\"rss_bytes\":209715200,\"heap_bytes\":104857600},\"cache\":{\"entries\":5000,"
  "\"bytes\":8388608,\"hits\":99000,\"misses\":1000,\"evictions\":50}}",
};

static double
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main (int argc, char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GString) out = g_string_sized_new (1024);
  ArbEvent *events[G_N_ELEMENTS (messages)];
  ArbLimits limits;
  gsize bytes = 0;
  double start, parse_ns, write_ns;
  guint n = G_N_ELEMENTS (messages);

  arb_limits_init_default (&limits);
  for (guint i = 0; i < n; i++)
    bytes += strlen (messages[i]);

  start = now_ns ();
  for (guint r = 0; r < N_ROUNDS; r++)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *field = NULL;
        g_autoptr(JsonNode) root = arb_json_parse_text (parser, messages[i], strlen (messages[i]),
                                                        &limits, &field, &error);
        gint64 seq;

        if (root == NULL)
          g_error ("%s", error->message);
        events[i] = arb_event_from_json (json_node_get_object (root), &limits, &field, &seq, &error);
        if (events[i] == NULL)
          g_error ("%s", error->message);
        if (r + 1 < N_ROUNDS)
          arb_event_free (events[i]);
      }
  parse_ns = (now_ns () - start) / ((double) N_ROUNDS * n);

  start = now_ns ();
  for (guint r = 0; r < N_ROUNDS; r++)
    for (guint i = 0; i < n; i++)
      {
        g_string_truncate (out, 0);
        arb_event_write_json (events[i], "bot-1", out);
      }
  write_ns = (now_ns () - start) / ((double) N_ROUNDS * n);

  printf ("parse+validate: %.0f ns/message, %.0f messages/s, %.1f MB/s\n", parse_ns,
          1e9 / parse_ns, bytes / (double) n / parse_ns * 1e3);
  printf ("write:          %.0f ns/message, %.0f messages/s\n", write_ns, 1e9 / write_ns);
  for (guint i = 0; i < n; i++)
    arb_event_free (events[i]);
  return 0;
}
