/* test-util.h: small helpers every test executable may share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-event.h"
#include "arb-alerts.h"
#include "arb-store.h"

G_BEGIN_DECLS

/* Removes a temporary folder of a test, its files and empty sub-folders. */
void remove_dir (const char *dir);

/* The event of a protocol message in JSON; the test fails if it is not valid. */
ArbEvent *test_event_from_json (const char *json);

/* GLib 2.74's g_test_expect_message() does not see structured log messages, and
 * libarbcore logs structured: messages of @domain at one of @levels go to *@sink
 * while it is not NULL (as copies), every other message to the default writer.
 * Call once, from main(). */
void test_capture_log (const char      *domain,
                       GLogLevelFlags   levels,
                       GPtrArray      **sink);

/* The JSON the REST API makes of the store's typed reads, for the tests
 * that check it; each takes its argument and passes NULL through. */
char     *test_trade_page_json    (ArbTradePage    *page);
char     *test_rejected_page_json (ArbRejectedPage *page);
JsonNode *test_audit_json         (GPtrArray       *commands);
char     *test_alerts_json        (GPtrArray       *alerts);

/* Waiting for a condition by spinning a main context, as libsoup's tests
 * do: never a fixed sleep, always a bound in time. */
typedef gboolean (*Cond) (gpointer data);

/* Runs the default main context until @cond holds or @timeout_ms pass;
 * returns whether it holds. */
gboolean spin_until (Cond      cond,
                     gpointer  data,
                     guint     timeout_ms);
/* Lets @ms of main-loop time pass (for "nothing more happens" checks). */
void     spin_for   (guint     ms);

/* The state of one WAIT_UNTIL. A timer wakes the context now and then, so
 * a condition that no source of the context changes is looked at too. */
typedef struct
{
  GMainContext *context;
  gint64        deadline_us;
  GSource      *wake;
} TestWait;

void     test_wait_begin (TestWait     *wait,
                          GMainContext *context,
                          guint         timeout_ms);
/* One iteration of the context; FALSE once the deadline has passed. */
gboolean test_wait_step  (TestWait     *wait);
void     test_wait_end   (TestWait     *wait);

/* Generous: a 2-core machine shared by several builds is slow, and a wait
 * that holds returns at once. */
#define WAIT_UNTIL_MS 10000

/* Spins @context (NULL: the default one) until @cond holds; the test fails,
 * naming @cond, if it does not within WAIT_UNTIL_MS. */
#define WAIT_UNTIL_IN(context, cond)                                            \
  G_STMT_START {                                                                \
    TestWait wait_;                                                             \
    test_wait_begin (&wait_, (context), WAIT_UNTIL_MS);                         \
    while (!(cond))                                                             \
      if (!test_wait_step (&wait_))                                             \
        g_assertion_message_expr (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,  \
                                  "timed out waiting for: " #cond);             \
    test_wait_end (&wait_);                                                     \
  } G_STMT_END

#define WAIT_UNTIL(cond) WAIT_UNTIL_IN (NULL, cond)

/* A trade of @bot_id at @now with @profit and a gas price of @gas_gwei (the
 * rest unset), as @alerts observes committed events: for the alert rules. */
void test_observe_trade (ArbAlerts  *alerts,
                         const char *bot_id,
                         gint64      now,
                         double      profit,
                         double      gas_gwei);

G_END_DECLS
