/* arbdash-feeder.c: a bot process that feeds an arbdash dashboard over protocol v1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This is the demo bot run out of process, for tests, for load tests, and as
 * the example to copy when you write your own bot. It does everything a
 * well-behaved bot does (see PROTOCOL.md, "Bot → dashboard"):
 *
 *  1. Connect a WebSocket to /api/v1/bot with `Authorization: Bearer TOKEN`.
 *  2. Send `hello`. The dashboard answers `welcome` with `last_seq`, the
 *     highest seq it has stored durably for this bot.
 *  3. Send events numbered from `last_seq + 1`, one per text frame, and keep
 *     each one in an outbox until the dashboard acknowledges it: `ack` N says
 *     that every event up to N is on its disk, so all of those leave the
 *     outbox at once.
 *  4. When the connection drops, reconnect with exponential backoff and
 *     jitter, say `hello` again and resend the outbox from the new welcome's
 *     `last_seq + 1`. Events keep their seq, so the dashboard stores each one
 *     exactly once however often it is sent.
 *  5. Bound the outbox: when the dashboard falls behind or is away, stop
 *     producing rather than grow without limit.
 *  6. Answer each `command` with a `command_result`.
 *
 * The events come from ArbDemoBot, a simulated arbitrage bot; a real bot puts
 * its own trades, opportunities and telemetry in their place. A real bot
 * would also keep its outbox and its next seq on disk, so that a restart of
 * the bot itself loses nothing; this one keeps them in memory and starts over
 * from the dashboard's `last_seq` when it is run again.
 *
 * Everything runs on one GLib main loop: libsoup's WebSocket client, the
 * simulation's timers and our own. No threads, no locks.
 */
#define G_LOG_DOMAIN "arbdash-feeder"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <signal.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "arb-demo-bot.h"
#include "arb-event.h"
#include "arb-json.h"

#define PROGRAM                 "arbdash-feeder"
#define DEFAULT_BOT_ID          "feeder"
#define BOT_PATH                "/api/v1/bot"

#define OUTBOX_WINDOW           1000   /* unacknowledged events before production pauses */
#define OUTBOX_RESUME           (OUTBOX_WINDOW / 2)
#define BACKOFF_MIN_MS          100
#define BACKOFF_MAX_MS          10000
#define HTTP_TIMEOUT_S          15     /* connect and handshake */
#define WELCOME_TIMEOUT_S       10
#define ACK_TIMEOUT_S           30
#define DRAIN_TIMEOUT_S         10     /* for the last acks after --duration or --events */
#define SIGNAL_DRAIN_TIMEOUT_S  5      /* the same after Ctrl-C, which wants a prompt exit */
#define CLOSE_TIMEOUT_S         3
#define STATUS_INTERVAL_S       5
#define REPEAT_QUIET_S          60     /* how long the same retry message stays unrepeated */
#define RATE_TICK_MS            10
#define MAX_RATE                1e6
#define MAX_DURATION_S          (30 * 24 * 3600.0)

#define EXIT_FATAL              1
#define EXIT_USAGE              2

typedef struct
{
  char     *url;
  char     *token;
  char     *bot_id;
  gint64    seed;         /* -1: pick one at random */
  double    speed;
  double    duration_s;   /* 0: until interrupted */
  gint64    max_events;   /* 0: no limit */
  double    rate;         /* 0: the simulation's own pace */
  gboolean  quiet;
  gboolean  same_host;
} Options;

typedef enum
{
  LINK_DOWN,              /* no usable connection; a reconnect may be scheduled */
  LINK_CONNECTING,        /* HTTP upgrade in progress */
  LINK_HELLO,             /* hello sent, waiting for welcome */
  LINK_READY,             /* welcomed: events flow */
} Link;

typedef enum
{
  PHASE_RUNNING,          /* producing events */
  PHASE_DRAINING,         /* production over; waiting for the last acks */
  PHASE_CLOSING,          /* closing the connection, then exit */
} Phase;

/* An event sent (or to be sent) and not yet acknowledged, serialised once. */
typedef struct
{
  gint64    seq;
  char     *text;
  gboolean  sent;         /* at least once, so sending it again is a resend */
} OutEvent;

typedef struct
{
  Options                  opt;
  GMainLoop               *loop;
  int                      exit_code;
  Phase                    phase;

  ArbDemoBot              *bot;
  gboolean                 started;        /* production began (at the first welcome) */
  gboolean                 window_full;    /* the simulation waits for acks */
  GRand                   *rand;           /* content of the --rate trades */

  /* The connection. */
  SoupSession             *session;
  GUri                    *endpoint;
  char                    *authorization;
  SoupMessage             *upgrade;        /* the handshake in flight */
  GCancellable            *cancellable;
  SoupWebsocketConnection *ws;
  Link                     link;
  guint                    backoff_ms;
  char                    *drop_reason;    /* why we closed it ourselves */
  char                    *last_report;    /* to not print the same failure at every retry */
  gint64                   last_report_us;

  /* The outbox holds the events after `acked` up to `last_made`, in seq order. */
  GQueue                   outbox;
  gint64                   acked;
  gint64                   last_made;
  gint64                   ack_progress_us;

  /* Sources. */
  guint                    reconnect_id;
  guint                    welcome_timeout_id;
  guint                    tick_id;
  guint                    duration_id;
  guint                    drain_id;
  guint                    close_id;
  guint                    rate_id;
  guint                    sigint_id;
  guint                    sigterm_id;
  gint64                   rate_epoch_us;
  gint64                   rate_emitted;

  /* Figures for the status line. */
  gint64                   n_made;
  guint64                  n_sent;
  guint64                  n_resent;
  guint                    n_reconnects;
  gint64                   status_made;
  gint64                   status_us;
} Feeder;

static void close_and_quit (Feeder *self,
                            int     exit_code);

/* ------------------------------------------------------------------ output */

G_GNUC_PRINTF (2, 3)
static void
say (Feeder     *self,
     const char *format,
     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (self->opt.quiet)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_print ("%s: %s\n", PROGRAM, message);
}

/* Text from the network, made safe for one line of a terminal. */
static char *
one_line (const char *text)
{
  GString *s = g_string_new (NULL);

  if (text == NULL)
    return g_string_free (s, FALSE);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_string_free (s, TRUE);
      return g_strdup ("(not UTF-8)");
    }
  for (const char *p = text; *p != '\0' && s->len < 400; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      g_string_append_unichar (s, g_unichar_iscntrl (c) ? ' ' : c);
    }
  return g_string_free (s, FALSE);
}

static const char *
link_name (Link link)
{
  switch (link)
    {
    case LINK_DOWN:
      return "down";
    case LINK_CONNECTING:
      return "connecting";
    case LINK_HELLO:
      return "hello";
    case LINK_READY:
      return "connected";
    default:
      g_assert_not_reached ();
    }
}

static void
print_status (Feeder *self,
              gint64  now_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (time, "%H:%M:%S");
  double elapsed_s = MAX (1e-3, (now_us - self->status_us) / (double) G_USEC_PER_SEC);

  g_print ("%s %-10s seq %" G_GINT64_FORMAT "  acked %" G_GINT64_FORMAT "  outbox %u%s"
           "  sent %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " resent)  %.0f ev/s"
           "  reconnects %u\n",
           clock, link_name (self->link), self->last_made, self->acked, self->outbox.length,
           self->window_full ? " (full)" : "", self->n_sent, self->n_resent,
           (self->n_made - self->status_made) / elapsed_s, self->n_reconnects);
  self->status_made = self->n_made;
  self->status_us = now_us;
}

/* ------------------------------------------------------------------ outbox */

static void
out_event_free (gpointer data)
{
  OutEvent *event = data;

  g_free (event->text);
  g_free (event);
}

static gboolean
link_open (Feeder *self)
{
  return self->ws != NULL &&
         soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_text (Feeder     *self,
           const char *text)
{
  if (link_open (self))
    soup_websocket_connection_send_text (self->ws, text);
}

static void
send_event (Feeder   *self,
            OutEvent *event)
{
  /* libsoup queues what the socket cannot take yet; the outbox window is
   * what bounds that queue. */
  send_text (self, event->text);
  if (event->sent)
    self->n_resent++;
  event->sent = TRUE;
  self->n_sent++;
}

/* Events up to @seq are stored by the dashboard: forget them. */
static void
outbox_drop_through (Feeder *self,
                     gint64  seq)
{
  while (self->outbox.head != NULL && ((OutEvent *) self->outbox.head->data)->seq <= seq)
    out_event_free (g_queue_pop_head (&self->outbox));
  if (seq > self->acked)
    {
      self->acked = seq;
      self->ack_progress_us = g_get_monotonic_time ();
    }
}

static void
maybe_finish (Feeder *self)
{
  if (self->phase != PHASE_DRAINING || self->outbox.length > 0)
    return;
  if (self->n_made > 0)
    say (self, "all acknowledged: seq %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
         " (%" G_GINT64_FORMAT " %s)", self->last_made - self->n_made + 1, self->last_made,
         self->n_made, self->n_made == 1 ? "event" : "events");
  close_and_quit (self, 0);
}

static void
pause_production (Feeder *self)
{
  if (self->window_full)
    return;
  self->window_full = TRUE;
  arb_demo_bot_stop (self->bot);
  g_debug ("outbox full (%u events): pausing the simulation", self->outbox.length);
}

/* Runs after acks: space in the window lets production go on. */
static void
after_ack (Feeder *self)
{
  if (self->window_full && self->outbox.length <= OUTBOX_RESUME && self->phase == PHASE_RUNNING)
    {
      self->window_full = FALSE;
      g_debug ("outbox at %u events: resuming the simulation", self->outbox.length);
      /* Keeps the bot's own numbering; time spent paused is skipped. */
      arb_demo_bot_start_full (self->bot, arb_demo_bot_get_next_seq (self->bot), FALSE);
    }
  maybe_finish (self);
}

static void begin_drain (Feeder     *self,
                         const char *why,
                         guint       timeout_s);

static void
outbox_push (Feeder *self,
             gint64  seq,
             char   *text)
{
  OutEvent *event = g_new (OutEvent, 1);

  /* The outbox relies on it: one event per seq, in order, none skipped. */
  g_assert (seq == self->last_made + 1);

  event->seq = seq;
  event->text = text;
  event->sent = FALSE;
  if (self->outbox.length == 0)
    self->ack_progress_us = g_get_monotonic_time ();
  g_queue_push_tail (&self->outbox, event);
  self->last_made = seq;
  self->n_made++;
  /* Before the welcome the event only waits: the welcome resends the outbox. */
  if (self->link == LINK_READY)
    send_event (self, event);

  if (self->opt.max_events > 0 && self->n_made >= self->opt.max_events)
    begin_drain (self, "event limit reached", DRAIN_TIMEOUT_S);
  else if (self->outbox.length >= OUTBOX_WINDOW)
    pause_production (self);
}

/* The simulation's send function: every message it makes comes here. */
static void
on_bot_message (JsonNode *message,
                gpointer  user_data)
{
  Feeder *self = user_data;
  JsonObject *object = json_node_get_object (message);
  g_autofree char *text = json_to_string (message, FALSE);

  /* A command_result answers a command of this connection: it has no seq,
   * is not acknowledged and is not worth resending on another connection
   * (the dashboard has timed the command out by then). */
  if (!json_object_has_member (object, "seq"))
    {
      if (self->link == LINK_READY)
        send_text (self, text);
      else
        g_debug ("not connected: dropping %s", text);
      return;
    }

  /* Past the end of the run. Nothing with a higher seq follows it, so
   * dropping it leaves no gap in what the dashboard sees. */
  if (self->phase != PHASE_RUNNING)
    return;

  outbox_push (self, json_object_get_int_member (object, "seq"), g_steal_pointer (&text));
}

/* ------------------------------------------------------- load trades --rate */

static double
round4 (double value)
{
  return round (value * 1e4) / 1e4;
}

/* One trade with the field set of the simulation's trades, on the
 * simulation's own market (its pairs, venues, prices and gas). It takes the
 * simulation's next seq, so the two share one unbroken sequence. */
static void
emit_load_trade (Feeder *self)
{
  GRand *rand = self->rand;
  const ArbMarket *market = arb_demo_bot_get_market (self->bot);
  guint p = arb_market_pick_pair (rand);
  const ArbPairInfo *pair = &arb_pairs[p];
  const ArbChainInfo *chain = &arb_chains[pair->chain];
  gint64 seq = arb_demo_bot_get_next_seq (self->bot);
  guint buy = g_rand_int_range (rand, 0, pair->n_venues);
  guint sell = (buy + g_rand_int_range (rand, 1, pair->n_venues)) % pair->n_venues;
  double notional = g_rand_double_range (rand, chain->notional_min, chain->notional_max);
  double draw = g_rand_double (rand);
  ArbTradeStatus status = draw < 0.85 ? ARB_TRADE_FILLED :
                          draw < 0.94 ? ARB_TRADE_REVERTED : ARB_TRADE_FAILED;
  double price = market->price[p];
  double gas_gwei = market->gas_gwei[pair->chain] * g_rand_double_range (rand, 1.0, 1.2);
  double native_price = arb_market_native_price (market, pair->chain);
  double gas_used = 0, gas_cost = 0, fees = 0, profit = 0;
  g_autofree char *id = g_strdup_printf ("load-%" G_GINT64_FORMAT, seq);
  g_autofree char *amount_in = arb_market_token_amount (rand, notional / price, pair->decimals);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  arb_demo_bot_set_next_seq (self->bot, seq + 1);

  json_object_set_string_member (object, "type", "trade");
  json_object_set_int_member (object, "seq", seq);
  json_object_set_int_member (object, "ts", g_get_real_time () / 1000);
  json_object_set_string_member (object, "id", id);
  json_object_set_string_member (object, "pair", pair->name);
  json_object_set_string_member (object, "buy_venue", arb_venues[pair->venues[buy]].name);
  json_object_set_string_member (object, "sell_venue", arb_venues[pair->venues[sell]].name);
  json_object_set_string_member (object, "status", arb_trade_status_name (status));
  json_object_set_string_member (object, "chain", chain->name);
  json_object_set_string_member (object, "amount_in", amount_in);

  if (status != ARB_TRADE_FAILED)
    {
      g_autofree char *tx_hash = arb_market_random_hex (rand, 64);

      gas_used = round (g_rand_double_range (rand, chain->gas_min, chain->gas_max) *
                        (status == ARB_TRADE_REVERTED ? 0.5 : 1.0));
      gas_cost = gas_used * gas_gwei * 1e-9 * native_price;
      json_object_set_string_member (object, "tx_hash", tx_hash);
    }
  if (status == ARB_TRADE_FILLED)
    {
      double net_bps = g_rand_double_range (rand, -1.0, 12.0);
      g_autofree char *amount_out = arb_market_token_amount (rand, notional *
                                                             (1 + net_bps / 1e4) / price,
                                                             pair->decimals);

      fees = notional * 10.0 / 1e4;
      profit = notional * net_bps / 1e4 - gas_cost;
      json_object_set_string_member (object, "amount_out", amount_out);
    }
  else if (status == ARB_TRADE_REVERTED)
    profit = -gas_cost;

  json_object_set_double_member (object, "profit", round4 (profit));
  json_object_set_int_member (object, "gas_used", (gint64) gas_used);
  json_object_set_double_member (object, "gas_price_gwei", round4 (gas_gwei));
  json_object_set_double_member (object, "gas_cost", round4 (gas_cost));
  json_object_set_double_member (object, "fees", round4 (fees));
  json_object_set_int_member (object, "latency_ms", g_rand_int_range (rand, 200, 4000));

  json_node_take_object (node, object);
  on_bot_message (node, self);
}

static gboolean
on_rate_tick (gpointer user_data)
{
  Feeder *self = user_data;
  gint64 now_us = g_get_monotonic_time ();
  gint64 due = (gint64) ((now_us - self->rate_epoch_us) / (double) G_USEC_PER_SEC *
                         self->opt.rate) - self->rate_emitted;
  /* A paused or stopped bot does not trade, so operators' commands work here too. */
  gboolean trading = g_str_equal (arb_demo_bot_get_state (self->bot), "running");

  for (; due > 0 && trading && self->phase == PHASE_RUNNING; due--)
    {
      if (self->outbox.length >= OUTBOX_WINDOW)
        break;
      emit_load_trade (self);
      self->rate_emitted++;
    }
  /* Behind (window full, paused): start counting afresh rather than catch
   * up later with a burst. */
  if (due > 0)
    {
      self->rate_epoch_us = now_us;
      self->rate_emitted = 0;
    }
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------- shutdown */

static void
maybe_quit (Feeder *self)
{
  if (self->phase == PHASE_CLOSING && self->ws == NULL && self->upgrade == NULL)
    g_main_loop_quit (self->loop);
}

static gboolean
on_close_timeout (gpointer user_data)
{
  Feeder *self = user_data;

  /* A dashboard that never answers our close must not keep us here. */
  self->close_id = 0;
  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static void
close_and_quit (Feeder *self,
                int     exit_code)
{
  if (self->phase == PHASE_CLOSING)
    return;
  self->phase = PHASE_CLOSING;
  self->exit_code = exit_code;
  arb_demo_bot_stop (self->bot);
  g_clear_handle_id (&self->rate_id, g_source_remove);
  g_clear_handle_id (&self->duration_id, g_source_remove);
  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (link_open (self))
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, "bot shutting down");
  self->link = LINK_DOWN;
  self->close_id = g_timeout_add_seconds (CLOSE_TIMEOUT_S, on_close_timeout, self);
  maybe_quit (self);
}

G_GNUC_PRINTF (2, 3)
static void
fail (Feeder     *self,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", PROGRAM, message);
  close_and_quit (self, EXIT_FATAL);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  Feeder *self = user_data;
  OutEvent *first = g_queue_peek_head (&self->outbox);

  self->drain_id = 0;
  g_printerr ("%s: gave up waiting for acks: %u events not acknowledged (seq %" G_GINT64_FORMAT
              " to %" G_GINT64_FORMAT ")\n", PROGRAM, self->outbox.length,
              first != NULL ? first->seq : 0, self->last_made);
  close_and_quit (self, EXIT_FATAL);
  return G_SOURCE_REMOVE;
}

/* Stops producing; exits once the dashboard has acknowledged everything, or
 * after @timeout_s with an error. */
static void
begin_drain (Feeder     *self,
             const char *why,
             guint       timeout_s)
{
  if (self->phase != PHASE_RUNNING)
    return;
  self->phase = PHASE_DRAINING;
  arb_demo_bot_stop (self->bot);
  g_clear_handle_id (&self->rate_id, g_source_remove);
  g_clear_handle_id (&self->duration_id, g_source_remove);
  if (self->outbox.length > 0)
    say (self, "%s; waiting up to %u s for the last %u acks", why, timeout_s, self->outbox.length);
  else
    say (self, "%s", why);
  self->drain_id = g_timeout_add_seconds (timeout_s, on_drain_timeout, self);
  maybe_finish (self);
}

static gboolean
on_duration_over (gpointer user_data)
{
  Feeder *self = user_data;

  self->duration_id = 0;
  begin_drain (self, "duration reached", DRAIN_TIMEOUT_S);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer user_data)
{
  Feeder *self = user_data;

  if (self->phase == PHASE_RUNNING)
    {
      begin_drain (self, "interrupted", SIGNAL_DRAIN_TIMEOUT_S);
      return G_SOURCE_CONTINUE;
    }
  /* The second Ctrl-C: the user does not want to wait. */
  g_printerr ("%s: interrupted again; exiting with %u events not acknowledged\n",
              PROGRAM, self->outbox.length);
  if (self->outbox.length > 0)
    self->exit_code = EXIT_FATAL;
  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

/* -------------------------------------------------------------- connection */

static void connect_now (Feeder *self);

static gboolean
on_reconnect_timer (gpointer user_data)
{
  Feeder *self = user_data;

  self->reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (Feeder     *self,
                    const char *why)
{
  gint64 now_us = g_get_monotonic_time ();
  guint delay_ms;

  g_assert (self->reconnect_id == 0);

  if (self->phase == PHASE_CLOSING)
    {
      maybe_quit (self);
      return;
    }
  /* Half the delay fixed, half random ("jitter"): bots that lost the same
   * dashboard do not all come back in the same millisecond. */
  delay_ms = self->backoff_ms / 2 + (guint) g_random_int_range (0, self->backoff_ms / 2 + 1);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);

  /* A dashboard that stays away would otherwise print one line per retry. */
  if (g_strcmp0 (why, self->last_report) != 0 ||
      now_us - self->last_report_us >= REPEAT_QUIET_S * G_USEC_PER_SEC)
    {
      g_printerr ("%s: %s; retrying in %.1f s\n", PROGRAM, why, delay_ms / 1000.0);
      g_free (self->last_report);
      self->last_report = g_strdup (why);
      self->last_report_us = now_us;
    }
  self->reconnect_id = g_timeout_add (delay_ms, on_reconnect_timer, self);
}

/* Closes the connection on our side; on_ws_closed() then reconnects. */
static void
drop_connection (Feeder                  *self,
                 SoupWebsocketCloseCode   code,
                 const char              *why)
{
  g_free (self->drop_reason);
  self->drop_reason = g_strdup (why);
  self->link = LINK_DOWN;
  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  if (link_open (self))
    soup_websocket_connection_close (self->ws, code, NULL);
}

static void
send_hello (Feeder *self)
{
  g_autoptr(JsonNode) hello = arb_demo_bot_hello (self->bot);
  g_autofree char *text = NULL;

  /* The pid lets the dashboard sample this process, which it can only do
   * on its own machine; elsewhere the number would name a stranger. */
  if (!self->opt.same_host)
    json_object_remove_member (json_node_get_object (hello), "pid");
  text = json_to_string (hello, FALSE);
  send_text (self, text);
}

static void
start_production (Feeder *self,
                  gint64  last_seq)
{
  self->started = TRUE;
  self->acked = last_seq;
  self->last_made = last_seq;
  say (self, "welcome: the dashboard has this bot's events up to seq %" G_GINT64_FORMAT
       "; sending from %" G_GINT64_FORMAT, last_seq, last_seq + 1);
  if (self->opt.duration_s > 0)
    self->duration_id = g_timeout_add ((guint) (self->opt.duration_s * 1000), on_duration_over,
                                       self);
  if (self->opt.rate > 0)
    {
      self->rate_epoch_us = g_get_monotonic_time ();
      self->rate_emitted = 0;
      self->rate_id = g_timeout_add (RATE_TICK_MS, on_rate_tick, self);
    }
  arb_demo_bot_start_full (self->bot, last_seq + 1, FALSE);
}

static void
handle_welcome (Feeder     *self,
                JsonObject *welcome)
{
  const char *bot_id = arb_json_get_string (welcome, "bot_id");
  gint64 last_seq;

  if (self->link != LINK_HELLO)
    {
      g_printerr ("%s: ignoring an unexpected welcome\n", PROGRAM);
      return;
    }
  if (!arb_json_get_int (welcome, "last_seq", &last_seq) || last_seq < 0)
    {
      drop_connection (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                       "the dashboard's welcome has no valid last_seq");
      return;
    }
  if (bot_id != NULL && !g_str_equal (bot_id, self->opt.bot_id))
    {
      g_autofree char *safe = one_line (bot_id);
      g_printerr ("%s: warning: the dashboard welcomes this bot as \"%s\"\n", PROGRAM, safe);
    }
  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);

  if (self->started)
    {
      /* The dashboard stored everything it acked and nothing we never sent.
       * Otherwise our seq and its store disagree, and resending could only
       * mix two histories: stop and say so. */
      if (last_seq < self->acked)
        {
          fail (self, "the dashboard now has this bot's events only up to seq %" G_GINT64_FORMAT
                " but acknowledged up to %" G_GINT64_FORMAT " before (was its database reset?); "
                "run the feeder again to start over from its last_seq", last_seq, self->acked);
          return;
        }
      if (last_seq > self->last_made)
        {
          fail (self, "the dashboard has events up to seq %" G_GINT64_FORMAT " for bot \"%s\" "
                "but this feeder sent only up to %" G_GINT64_FORMAT "; is another bot (or a "
                "previous run still connected) using the same --bot-id?",
                last_seq, self->opt.bot_id, self->last_made);
          return;
        }
      outbox_drop_through (self, last_seq);
    }

  self->link = LINK_READY;
  self->backoff_ms = BACKOFF_MIN_MS;
  self->ack_progress_us = g_get_monotonic_time ();
  g_clear_pointer (&self->last_report, g_free);

  if (self->started)
    {
      self->n_reconnects++;
      say (self, "reconnected: the dashboard has up to seq %" G_GINT64_FORMAT
           "; sending the %u events after it", last_seq, self->outbox.length);
      /* In seq order, before anything new. */
      for (GList *l = self->outbox.head; l != NULL; l = l->next)
        send_event (self, l->data);
      after_ack (self);
    }
  else if (self->phase == PHASE_RUNNING)
    start_production (self, last_seq);
  else
    maybe_finish (self);
}

static void
handle_ack (Feeder     *self,
            JsonObject *ack)
{
  gint64 seq;

  if (self->link != LINK_READY)
    return;
  if (!arb_json_get_int (ack, "seq", &seq))
    {
      g_printerr ("%s: ignoring an ack without a valid seq\n", PROGRAM);
      return;
    }
  /* Someone else wrote under our bot id: what we send next with those
   * seqs would be taken for duplicates and silently dropped. */
  if (seq > self->last_made)
    {
      fail (self, "the dashboard acknowledged seq %" G_GINT64_FORMAT " for bot \"%s\" but this "
            "feeder sent only up to %" G_GINT64_FORMAT "; is another bot (or a previous run "
            "still connected) using the same --bot-id?", seq, self->opt.bot_id, self->last_made);
      return;
    }
  outbox_drop_through (self, seq);
  after_ack (self);
}

static void
send_command_result (Feeder     *self,
                     const char *id,
                     gboolean    ok,
                     const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "command_result");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  text = json_to_string (node, FALSE);
  send_text (self, text);
}

static void
handle_command (Feeder     *self,
                JsonObject *command)
{
  const char *id = arb_json_get_string (command, "id");
  const char *name = arb_json_get_string (command, "name");
  JsonNode *args = json_object_get_member (command, "args");
  g_autofree char *safe_name = NULL;

  if (id == NULL || !arb_is_identifier (id) || name == NULL)
    {
      g_printerr ("%s: ignoring a command without a valid id and name\n", PROGRAM);
      return;
    }
  safe_name = one_line (name);
  say (self, "command %s: %s", id, safe_name);
  if (self->phase != PHASE_RUNNING)
    {
      send_command_result (self, id, FALSE, "the bot is shutting down");
      return;
    }
  /* The simulation answers after a short delay, through on_bot_message().
   * While the outbox is full the simulation waits, and so does the answer. */
  arb_demo_bot_handle_command (self->bot, id, name,
                               args != NULL && JSON_NODE_HOLDS_OBJECT (args) ?
                               json_node_get_object (args) : NULL);
}

static void
handle_error (Feeder     *self,
              JsonObject *error)
{
  g_autofree char *code = one_line (arb_json_get_string (error, "code"));
  g_autofree char *message = one_line (arb_json_get_string (error, "message"));
  gint64 seq;

  if (arb_json_get_int (error, "seq", &seq))
    g_printerr ("%s: dashboard error %s (seq %" G_GINT64_FORMAT "): %s\n",
                PROGRAM, code, seq, message);
  else
    g_printerr ("%s: dashboard error %s: %s\n", PROGRAM, code, message);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  Feeder *self = user_data;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  JsonNode *root;
  JsonObject *object;
  const char *kind;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || len == 0)
    {
      g_printerr ("%s: ignoring a binary or empty frame\n", PROGRAM);
      return;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      g_printerr ("%s: ignoring a frame that is not JSON: %s\n", PROGRAM, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_printerr ("%s: ignoring a frame that is not a JSON object\n", PROGRAM);
      return;
    }
  object = json_node_get_object (root);
  kind = arb_json_get_string (object, "type");
  if (kind == NULL)
    g_printerr ("%s: ignoring a message without a type\n", PROGRAM);
  else if (g_str_equal (kind, "ack"))
    handle_ack (self, object);
  else if (g_str_equal (kind, "welcome"))
    handle_welcome (self, object);
  else if (g_str_equal (kind, "command"))
    handle_command (self, object);
  else if (g_str_equal (kind, "error"))
    handle_error (self, object);
  else
    /* A newer dashboard may say more; ignoring it is what v1 asks. */
    g_debug ("ignoring a message of type \"%s\"", kind);
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             gpointer                 user_data)
{
  /* "closed" follows and says what matters. */
  g_debug ("WebSocket error: %s", error->message);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Feeder *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (ws);
  g_autofree char *reason = one_line (soup_websocket_connection_get_close_data (ws));
  g_autofree char *why = g_steal_pointer (&self->drop_reason);

  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (ws, self);
  g_clear_object (&self->ws);   /* libsoup holds its own reference while it emits */
  self->link = LINK_DOWN;

  if (self->phase == PHASE_CLOSING)
    {
      maybe_quit (self);
      return;
    }
  if (why == NULL && (code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL))
    why = g_strdup ("connection lost");
  else if (why == NULL)
    why = g_strdup_printf ("the dashboard closed the connection (code %u%s%s)", code,
                           *reason != '\0' ? ": " : "", reason);
  schedule_reconnect (self, why);
}

static gboolean
on_welcome_timeout (gpointer user_data)
{
  Feeder *self = user_data;

  self->welcome_timeout_id = 0;
  drop_connection (self, SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR, "no welcome from the dashboard");
  return G_SOURCE_REMOVE;
}

/* Whether a failed handshake can succeed by trying again. */
static gboolean
handshake_refused (Feeder *self,
                   guint   status)
{
  g_autofree char *url = g_uri_to_string (self->endpoint);

  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      if (self->authorization == NULL)
        fail (self, "the dashboard wants a bot token (401 Unauthorized): "
              "set ARBDASH_BOT_TOKEN or pass --token");
      else
        fail (self, "the dashboard refused the bot token (401 Unauthorized): check "
              "ARBDASH_BOT_TOKEN or --token against the dashboard's bot token");
      return TRUE;
    case SOUP_STATUS_FORBIDDEN:
      fail (self, "the dashboard refused this bot (403 Forbidden): the token is valid but not "
            "a bot token, or the dashboard does not take bots from here");
      return TRUE;
    case SOUP_STATUS_NOT_FOUND:
      fail (self, "no bot endpoint at %s (404 Not Found): is --url the address of an arbdash "
            "dashboard?", url);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Feeder *self = user_data;
  g_autoptr(SoupMessage) upgrade = g_steal_pointer (&self->upgrade);
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;
  SoupWebsocketConnection *ws;
  guint status;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_clear_object (&self->cancellable);
  self->link = LINK_DOWN;

  if (ws == NULL)
    {
      if (self->phase == PHASE_CLOSING)
        {
          maybe_quit (self);
          return;
        }
      status = soup_message_get_status (upgrade);
      if (handshake_refused (self, status))
        return;
      if (error->domain == G_TLS_ERROR)
        {
          fail (self, "TLS with the dashboard failed: %s", error->message);
          return;
        }
      if (status >= 100 && status != SOUP_STATUS_SWITCHING_PROTOCOLS)
        why = g_strdup_printf ("the dashboard answered %u %s", status,
                               soup_message_get_reason_phrase (upgrade));
      else
        why = g_strdup_printf ("cannot connect: %s", error->message);
      schedule_reconnect (self, why);
      return;
    }

  self->ws = ws;
  if (self->phase == PHASE_CLOSING)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, "bot shutting down");
      g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
      return;
    }
  self->link = LINK_HELLO;
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_debug ("connected; sending hello");
  send_hello (self);
  self->welcome_timeout_id = g_timeout_add_seconds (WELCOME_TIMEOUT_S, on_welcome_timeout, self);
}

static void
connect_now (Feeder *self)
{
  /* We authenticate with the header; the subprotocol only names the
   * protocol, and a dashboard that does not answer with it is fine too. */
  static const char *const protocols[] = { "arbdash.v1", NULL };

  g_assert (self->link == LINK_DOWN && self->ws == NULL && self->upgrade == NULL);

  self->upgrade = soup_message_new_from_uri (SOUP_METHOD_GET, self->endpoint);
  if (self->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (self->upgrade),
                                  "Authorization", self->authorization);
  self->cancellable = g_cancellable_new ();
  self->link = LINK_CONNECTING;
  /* No Origin: that header is for browsers, and a dashboard checks it only
   * when it is sent. */
  soup_session_websocket_connect_async (self->session, self->upgrade, NULL, (char **) protocols,
                                        G_PRIORITY_DEFAULT, self->cancellable, on_connected, self);
}

static gboolean
on_tick (gpointer user_data)
{
  Feeder *self = user_data;
  gint64 now_us = g_get_monotonic_time ();

  /* A dashboard that takes events and never acks them is as good as gone;
   * a half-open TCP connection looks just like this. Start over. */
  if (self->link == LINK_READY && self->outbox.length > 0 &&
      now_us - self->ack_progress_us > ACK_TIMEOUT_S * G_USEC_PER_SEC)
    drop_connection (self, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                     "no ack from the dashboard for " G_STRINGIFY (ACK_TIMEOUT_S) " s");

  if (!self->opt.quiet && now_us - self->status_us >= STATUS_INTERVAL_S * G_USEC_PER_SEC)
    print_status (self, now_us);
  return G_SOURCE_CONTINUE;
}

/* ----------------------------------------------------------------- options */

/* The bot endpoint under the dashboard's address: http(s) becomes ws(s),
 * and a path prefix (a dashboard behind a reverse proxy) is kept. */
static GUri *
bot_endpoint (const char  *url,
              GError     **error)
{
  g_autoptr(GUri) base = g_uri_parse (url, G_URI_FLAGS_ENCODED, error);
  const char *scheme;
  const char *path;
  g_autofree char *full_path = NULL;

  if (base == NULL)
    return NULL;
  scheme = g_uri_get_scheme (base);
  if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    scheme = "ws";
  else if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    scheme = "wss";
  else
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
                   "--url must start with http://, https://, ws:// or wss://");
      return NULL;
    }
  if (g_uri_get_host (base) == NULL || *g_uri_get_host (base) == '\0')
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST, "--url has no host");
      return NULL;
    }
  path = g_uri_get_path (base);
  if (g_str_has_suffix (path, BOT_PATH))
    full_path = g_strdup (path);
  else if (g_str_has_suffix (path, "/"))
    full_path = g_strconcat (path, BOT_PATH + 1, NULL);
  else
    full_path = g_strconcat (path, BOT_PATH, NULL);
  return g_uri_build (G_URI_FLAGS_ENCODED, scheme, NULL, g_uri_get_host (base),
                      g_uri_get_port (base), full_path, NULL, NULL);
}

/* What may follow "Bearer " in a header: visible ASCII, no spaces. */
static gboolean
valid_token (const char *token)
{
  for (const char *p = token; *p != '\0'; p++)
    if (*p < 0x21 || *p > 0x7e)
      return FALSE;
  return *token != '\0';
}

static gboolean
parse_options (Options  *opt,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &opt->url,
      "The dashboard's address, e.g. http://127.0.0.1:8080 (required)", "URL" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &opt->token,
      "The dashboard's bot token (better: set ARBDASH_BOT_TOKEN, unseen by ps)", "TOKEN" },
    { "bot-id", 0, 0, G_OPTION_ARG_STRING, &opt->bot_id,
      "The bot's id (default: " DEFAULT_BOT_ID ")", "ID" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &opt->seed,
      "Seed of the simulation, 0 to 4294967295 (default: random)", "N" },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &opt->speed,
      "Run the market this much faster than real time, 0.01 to 1000 (default: 1)", "X" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &opt->duration_s,
      "Produce events for S seconds from the first welcome, then exit once all are "
      "acknowledged", "S" },
    { "events", 0, 0, G_OPTION_ARG_INT64, &opt->max_events,
      "Produce N events, then exit once all are acknowledged", "N" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt->rate,
      "Load test: add R trades a second on top of the simulation", "R" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt->quiet,
      "Print only errors", NULL },
    { "same-host", 0, 0, G_OPTION_ARG_NONE, &opt->same_host,
      "Send this process's pid in hello, so the dashboard on this machine samples it", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  opt->seed = -1;
  opt->speed = 1.0;
  g_option_context_set_summary (context,
    "Feed an arbdash dashboard like a bot: the simulated demo bot, out of process, over\n"
    "protocol v1 (WebSocket /api/v1/bot). It resumes from the dashboard's last seq,\n"
    "resends what was not acknowledged after a reconnect, and answers commands.");
  g_option_context_set_description (context,
    "Examples:\n"
    "  ARBDASH_BOT_TOKEN=secret " PROGRAM " --url http://127.0.0.1:8080\n"
    "  " PROGRAM " --url https://dash.example.org --bot-id load-1 --rate 2000 --duration 60\n"
    "\n"
    "Exit status: 0 when everything produced was acknowledged, 1 on a fatal error\n"
    "(token refused, acks missing at the end), 2 for bad options.\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

#define BAD_OPTION(...) \
  (g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__), FALSE)

  if (*argc > 1)
    return BAD_OPTION ("unexpected argument \"%s\"", (*argv)[1]);
  if (opt->url == NULL)
    return BAD_OPTION ("--url is required, e.g. --url http://127.0.0.1:8080");
  if (opt->bot_id == NULL)
    opt->bot_id = g_strdup (DEFAULT_BOT_ID);
  if (!arb_is_identifier (opt->bot_id))
    return BAD_OPTION ("--bot-id must be 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  if (opt->seed < -1 || opt->seed > G_MAXUINT32)
    return BAD_OPTION ("--seed must be between 0 and 4294967295");
  if (!(opt->speed >= 0.01 && opt->speed <= 1000))
    return BAD_OPTION ("--speed must be between 0.01 and 1000");
  if (!(opt->duration_s >= 0 && opt->duration_s <= MAX_DURATION_S))
    return BAD_OPTION ("--duration must be between 0 (no limit) and 2592000 seconds");
  if (opt->max_events < 0)
    return BAD_OPTION ("--events must be 0 (no limit) or more");
  if (!(opt->rate >= 0 && opt->rate <= MAX_RATE))
    return BAD_OPTION ("--rate must be between 0 (the simulation's pace) and 1000000");
  if (opt->token == NULL && g_getenv ("ARBDASH_BOT_TOKEN") != NULL)
    opt->token = g_strdup (g_getenv ("ARBDASH_BOT_TOKEN"));
  if (opt->token != NULL)
    {
      g_strstrip (opt->token);   /* a token read from a file often ends in a newline */
      if (*opt->token == '\0')
        g_clear_pointer (&opt->token, g_free);
      else if (!valid_token (opt->token))
        return BAD_OPTION ("the bot token may only hold visible ASCII characters");
    }
#undef BAD_OPTION
  return TRUE;
}

/* -------------------------------------------------------------------- main */

static void
feeder_free (Feeder *self)
{
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->close_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_clear_handle_id (&self->welcome_timeout_id, g_source_remove);
  g_clear_handle_id (&self->drain_id, g_source_remove);
  g_clear_handle_id (&self->duration_id, g_source_remove);
  g_clear_handle_id (&self->rate_id, g_source_remove);
  if (self->ws != NULL)
    g_signal_handlers_disconnect_by_data (self->ws, self);
  g_clear_object (&self->ws);
  g_clear_object (&self->upgrade);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->bot);
  g_clear_object (&self->session);
  g_queue_clear_full (&self->outbox, out_event_free);
  g_clear_pointer (&self->endpoint, g_uri_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_free (self->authorization);
  g_free (self->drop_reason);
  g_free (self->last_report);
  g_free (self->opt.url);
  g_free (self->opt.token);
  g_free (self->opt.bot_id);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Feeder, feeder_free)

int
main (int    argc,
      char **argv)
{
  g_autoptr(Feeder) self = g_new0 (Feeder, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint32 seed;

  setlocale (LC_ALL, "");
  g_queue_init (&self->outbox);

  if (!parse_options (&self->opt, &argc, &argv, &error) ||
      (self->endpoint = bot_endpoint (self->opt.url, &error)) == NULL)
    {
      g_printerr ("%s: %s (see --help)\n", PROGRAM, error->message);
      return EXIT_USAGE;
    }

  seed = self->opt.seed >= 0 ? (guint32) self->opt.seed : g_random_int ();
  if (self->opt.token != NULL)
    self->authorization = g_strconcat ("Bearer ", self->opt.token, NULL);
  self->loop = g_main_loop_new (NULL, FALSE);
  self->backoff_ms = BACKOFF_MIN_MS;
  self->rand = g_rand_new_with_seed (seed ^ 0x5eed5eedu);
  self->session = soup_session_new_with_options ("user-agent", PROGRAM "/" PACKAGE_VERSION,
                                                 "timeout", HTTP_TIMEOUT_S,
                                                 NULL);

  self->bot = arb_demo_bot_new (self->opt.bot_id, seed);
  arb_demo_bot_set_speed (self->bot, self->opt.speed);
  arb_demo_bot_set_send_func (self->bot, on_bot_message, self, NULL);

  self->sigint_id = g_unix_signal_add (SIGINT, on_signal, self);
  self->sigterm_id = g_unix_signal_add (SIGTERM, on_signal, self);
  self->status_us = g_get_monotonic_time ();
  self->tick_id = g_timeout_add_seconds (1, on_tick, self);

  url = g_uri_to_string (self->endpoint);
  say (self, "bot \"%s\" (seed %u%s) to %s", self->opt.bot_id, seed,
       self->authorization != NULL ? "" : ", no token", url);
  connect_now (self);
  g_main_loop_run (self->loop);
  return self->exit_code;
}
