/* arb-json-check.h: RFC 8259 checks of outside JSON, before json-glib reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 takes much that RFC 8259 refuses (comments, single quotes,
 * hex and octal numbers, unknown escapes) and decodes some valid JSON into
 * wrong values: "\u0000" truncates a string, a lone surrogate escape becomes
 * bytes that are not UTF-8, an integer beyond 2^63 wraps. Every text from
 * outside goes through arb_json_load(), which refuses the first kind whole
 * and marks the second so that the tree walk of arb_json_check_limits()
 * refuses it naming the member (and the message's seq is still known).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Checks @text against RFC 8259 and nesting deeper than @max_depth. On
 * success returns TRUE and sets *marked to NULL when json-glib may read
 * @text as it is, or to a copy (*marked_len bytes) in which each string
 * that is not valid text carries a marker (see arb_json_text_problem())
 * and each integer out of the range of gint64 is written as 1e999, which
 * json-glib reads as an infinity that every number check refuses. */
gboolean    arb_json_check_text    (const char  *text,
                                    gsize        len,
                                    guint        max_depth,
                                    char       **marked,
                                    gsize       *marked_len,
                                    GError     **error);

/* Checks @text as arb_json_check_text() does and loads it into @parser.
 * Returns the root (a new reference, of any kind) or NULL with an
 * ARB_ERROR: bad_request for JSON that RFC 8259 refuses, too_large for
 * nesting deeper than @max_depth. */
JsonNode   *arb_json_load          (JsonParser  *parser,
                                    const char  *text,
                                    gsize        len,
                                    guint        max_depth,
                                    GError     **error);

/* NULL when @s is valid UTF-8 text; else what is wrong with it, to follow
 * "field 'NAME' " in an error message. */
const char *arb_json_text_problem  (const char  *s);

G_END_DECLS
