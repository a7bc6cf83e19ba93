/* arb-json.h: writing JSON text straight from C values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For the hot paths (every bot event becomes JSON for the hub and the
 * stream) and for numbers: json-glib 1.6 writes doubles with 17 digits
 * ("0.1" becomes "0.10000000000000001") and large ones as invalid JSON
 * ("1e+18.0"), and pass bytes that are not UTF-8 through. Every writer
 * here writes UTF-8 whatever it is given (U+FFFD for the bytes that are not),
 * so nothing the dashboard sends can break a WebSocket text frame or a
 * reader. Parsing outside input: arb-json-check.h.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Each call adds the comma a value needs after a sibling by itself. */
void arb_json_object_begin   (GString    *s);
void arb_json_object_end     (GString    *s);
void arb_json_array_begin    (GString    *s);
void arb_json_array_end      (GString    *s);
void arb_json_key            (GString    *s,
                              const char *key);
void arb_json_string         (GString    *s,
                              const char *value);   /* NULL writes null */
void arb_json_int            (GString    *s,
                              gint64      value);
void arb_json_double         (GString    *s,
                              double      value);   /* NaN and infinities write null */
/* Writes @value into @buf as arb_json_double() would; returns @buf. */
char *arb_json_format_double (char      *buf,
                              gsize      len,
                              double     value);
void arb_json_bool           (GString    *s,
                              gboolean    value);
void arb_json_null           (GString    *s);
/* Appends @json, which must be one complete JSON value. */
void arb_json_raw            (GString    *s,
                              const char *json);

void arb_json_raw_len        (GString    *s,
                              const char *json,
                              gsize       len);

void arb_json_member_string  (GString    *s,
                              const char *key,
                              const char *value);
void arb_json_member_int     (GString    *s,
                              const char *key,
                              gint64      value);
void arb_json_member_double  (GString    *s,
                              const char *key,
                              double      value);
void arb_json_member_bool    (GString    *s,
                              const char *key,
                              gboolean    value);
/* Members that are left out when absent (NULL, NAN or negative). */
void arb_json_opt_string     (GString    *s,
                              const char *key,
                              const char *value);
void arb_json_opt_double     (GString    *s,
                              const char *key,
                              double      value);

/* Any JSON tree, with the writers above: for trees json_to_string() would write. */
void arb_json_node           (GString    *s,
                              JsonNode   *node);
char *arb_json_node_to_string (JsonNode  *node);

/* U+FFFD, which stands for bytes that are not UTF-8 in what is written. */
#define ARB_UTF8_REPLACEMENT "\xef\xbf\xbd"

guint arb_utf8_char_len      (const char *p);

/* Strict readers of an object's members: a member that is absent or of
 * another JSON type reads as absent (NULL, FALSE, NAN). */
const char *arb_json_get_string (JsonObject *object,
                                 const char *name);
gboolean    arb_json_get_int    (JsonObject *object,
                                 const char *name,
                                 gint64     *value);
double      arb_json_get_number (JsonObject *object,
                                 const char *name);
JsonObject *arb_json_get_object (JsonObject *object,
                                 const char *name);

G_END_DECLS
