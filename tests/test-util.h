/* test-util.h: small helpers every test executable may share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "arb-event.h"
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

G_END_DECLS
