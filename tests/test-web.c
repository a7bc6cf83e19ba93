/* test-web.c: the browser dashboard's page and assets, and one-time sign-in links
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arb-http.h"
#include "arb-login-codes.h"
#include "server-fixture.h"

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
            "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

/* Every message logged by this process, of any domain and level. */
static GString *all_logs;

static GLogWriterOutput
record_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
               gpointer user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
      g_string_append_printf (all_logs, "%s\n", (const char *) fields[i].value);
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static const char *
header (Reply *r, const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (r->msg), name);
}

static gsize
body_len (Reply *r)
{
  return r->body != NULL ? g_bytes_get_size (r->body) : 0;
}

static char *
body_text (Reply *r)
{
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);
  return g_strndup (data, len);
}

static void
assert_page_headers (Reply *r)
{
  g_assert_cmpstr (header (r, "Content-Security-Policy"), ==, CSP);
  g_assert_cmpstr (header (r, "X-Content-Type-Options"), ==, "nosniff");
  g_assert_cmpstr (header (r, "Referrer-Policy"), ==, "no-referrer");
}

/* ------------------------------------------------------------------ the page */

static void
test_index (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) r = http (fx, "GET", "/", NULL, NULL);
  g_autoptr(Reply) same = http (fx, "GET", "/index.html", NULL, NULL);
  g_autofree char *html = NULL;
  const char *etag;

  /* no token needed to load the page */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (header (r, "Content-Type"), ==, "text/html; charset=utf-8");
  assert_page_headers (r);
  g_assert_cmpstr (header (r, "Cache-Control"), ==, "no-cache");
  etag = header (r, "ETag");
  g_assert_nonnull (etag);
  /* strong: no W/, quoted */
  g_assert_true (etag[0] == '"' && etag[strlen (etag) - 1] == '"');
  html = body_text (r);
  g_assert_nonnull (strstr (html, "<script type=\"module\" src=\"js/main.js\"></script>"));
  /* the CSP allows no inline script or style */
  g_assert_null (strstr (html, "<script>"));
  g_assert_null (strstr (html, "<style"));
  g_assert_null (strstr (html, " style="));
  /* nor event handler attributes (onclick=...) */
  g_assert_false (g_regex_match_simple ("<[^>]*\\son[a-z]+\\s*=", html, G_REGEX_CASELESS, 0));
  g_assert_cmpuint (same->status, ==, 200);
  g_assert_cmpstr (header (same, "ETag"), ==, etag);
}

static void
test_types (Fixture *fx, gconstpointer data)
{
  static const struct { const char *path; const char *type; } assets[] = {
    { "/style.css", "text/css; charset=utf-8" },
    { "/views.css", "text/css; charset=utf-8" },
    { "/favicon.svg", "image/svg+xml" },
    { "/js/main.js", "text/javascript; charset=utf-8" },
    { "/js/strings.js", "text/javascript; charset=utf-8" },
    { "/vendor/chart.mjs", "text/javascript; charset=utf-8" },
    { "/vendor/chunks/helpers.segment.mjs", "text/javascript; charset=utf-8" },
  };
  g_autoptr(GHashTable) etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (assets); i++)
    {
      g_autoptr(Reply) r = http (fx, "GET", assets[i].path, NULL, NULL);

      g_test_message ("%s", assets[i].path);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (header (r, "Content-Type"), ==, assets[i].type);
      assert_page_headers (r);
      g_assert_cmpstr (header (r, "Cache-Control"), ==, "max-age=60, must-revalidate");
      g_assert_cmpuint (body_len (r), >, 0);
      /* one ETag per content */
      g_assert_false (g_hash_table_contains (etags, header (r, "ETag")));
      g_hash_table_add (etags, g_strdup (header (r, "ETag")));
    }
}

/* Every module the page imports (relative paths) is served. */
static void
test_imports (Fixture *fx, gconstpointer data)
{
  static const char *modules[] = {
    "/js/main.js", "/js/strings.js", "/js/format.js", "/js/api.js", "/js/stream.js",
    "/js/overview.js", "/js/alerts.js", "/js/log.js", "/js/sparkline.js", "/vendor/chart.mjs",
    "/js/charts.js", "/js/units.js", "/js/view-kit.js", "/js/system.js", "/js/trading.js",
    "/js/resources.js",
  };
  /* import and export statements, not the same words in comments */
  g_autoptr(GRegex) re = g_regex_new ("^(?:import|export)\\b[^'\\n]*from '(\\.{1,2}/[^']+)'",
                                      G_REGEX_MULTILINE, 0, NULL);
  guint seen = 0;

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      g_autoptr(Reply) r = http (fx, "GET", modules[i], NULL, NULL);
      g_autofree char *text = body_text (r);
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *dir = g_path_get_dirname (modules[i]);

      g_assert_cmpuint (r->status, ==, 200);
      g_regex_match (re, text, 0, &match);
      for (; g_match_info_matches (match); g_match_info_next (match, NULL))
        {
          g_autofree char *rel = g_match_info_fetch (match, 1);
          g_autofree char *joined = g_build_filename (dir, rel, NULL);
          g_autoptr(GFile) file = g_file_new_for_path (joined);
          g_autofree char *path = g_file_get_path (file);   /* resolves . and .. */
          g_autoptr(Reply) imported = http (fx, "GET", path, NULL, NULL);

          g_test_message ("%s imports %s", modules[i], path);
          g_assert_cmpuint (imported->status, ==, 200);
          g_assert_cmpstr (header (imported, "Content-Type"), ==, "text/javascript; charset=utf-8");
          seen++;
        }
    }
  g_assert_cmpuint (seen, >=, 8);
}

static Reply *
get_if_none_match (Fixture *fx, const char *path, const char *tags)
{
  SoupMessage *msg = new_msg (fx, "GET", path, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", tags);
  return send_msg (fx, msg, NULL);
}

static void
test_etag (Fixture *fx, gconstpointer data)
{
  const char *paths[] = { "/", "/js/main.js", "/vendor/chart.mjs" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Reply) first = http (fx, "GET", paths[i], NULL, NULL);
      const char *etag = header (first, "ETag");
      g_autofree char *weak = g_strconcat ("W/", etag, NULL);
      g_autofree char *list = g_strconcat ("\"other\", ", etag, NULL);
      g_autoptr(Reply) again = get_if_none_match (fx, paths[i], etag);
      g_autoptr(Reply) weakly = get_if_none_match (fx, paths[i], weak);
      g_autoptr(Reply) listed = get_if_none_match (fx, paths[i], list);
      g_autoptr(Reply) any = get_if_none_match (fx, paths[i], "*");
      g_autoptr(Reply) changed = get_if_none_match (fx, paths[i], "\"0123456789abcdef\"");

      g_assert_cmpuint (first->status, ==, 200);
      g_assert_cmpuint (again->status, ==, 304);
      g_assert_cmpuint (body_len (again), ==, 0);
      g_assert_cmpstr (header (again, "ETag"), ==, etag);
      assert_page_headers (again);
      g_assert_nonnull (header (again, "Cache-Control"));
      g_assert_cmpuint (weakly->status, ==, 304);
      g_assert_cmpuint (listed->status, ==, 304);
      g_assert_cmpuint (any->status, ==, 304);
      g_assert_cmpuint (changed->status, ==, 200);
      g_assert_cmpuint (body_len (changed), ==, body_len (first));
    }
}

static void
test_head (Fixture *fx, gconstpointer data)
{
  g_autoptr(Reply) get = http (fx, "GET", "/js/overview.js", NULL, NULL);
  g_autoptr(Reply) head = http (fx, "HEAD", "/js/overview.js", NULL, NULL);

  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpuint (body_len (head), ==, 0);
  g_assert_cmpstr (header (head, "Content-Type"), ==, "text/javascript; charset=utf-8");
  g_assert_cmpstr (header (head, "ETag"), ==, header (get, "ETag"));
  /* the same representation as GET's (this session takes gzip) */
  g_assert_cmpint (soup_message_headers_get_content_length (
                     soup_message_get_response_headers (head->msg)), ==,
                   soup_message_headers_get_content_length (
                     soup_message_get_response_headers (get->msg)));
  assert_page_headers (head);
}

/* A GET with this Accept-Encoding, the body as it came. */
static Reply *
get_encoded (Fixture *fx, const char *path, const char *accept, const char *if_none_match)
{
  SoupMessage *msg = new_msg (fx, "GET", path, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_disable_feature (msg, SOUP_TYPE_CONTENT_DECODER);
  if (accept != NULL)
    soup_message_headers_replace (headers, "Accept-Encoding", accept);
  if (if_none_match != NULL)
    soup_message_headers_replace (headers, "If-None-Match", if_none_match);
  return send_msg (fx, msg, NULL);
}

static GBytes *
gunzip (GBytes *bytes)
{
  g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (raw, G_CONVERTER (z));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_gzip (Fixture *fx, gconstpointer data)
{
  const char *paths[] = { "/", "/style.css", "/js/overview.js", "/vendor/chart.mjs" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Reply) plain = get_encoded (fx, paths[i], NULL, NULL);
      g_autoptr(Reply) identity = get_encoded (fx, paths[i], "identity", NULL);
      g_autoptr(Reply) refused = get_encoded (fx, paths[i], "gzip;q=0, identity", NULL);
      g_autoptr(Reply) gz = get_encoded (fx, paths[i], "gzip, deflate, br", NULL);
      g_autoptr(Reply) again = NULL;
      g_autoptr(Reply) other = NULL;
      g_autoptr(GBytes) unpacked = NULL;

      g_test_message ("%s", paths[i]);
      g_assert_null (header (plain, "Content-Encoding"));
      g_assert_null (header (identity, "Content-Encoding"));
      g_assert_null (header (refused, "Content-Encoding"));
      g_assert_cmpstr (header (gz, "Content-Encoding"), ==, "gzip");
      g_assert_cmpstr (header (plain, "Vary"), ==, "Accept-Encoding");
      g_assert_cmpstr (header (gz, "Vary"), ==, "Accept-Encoding");
      g_assert_cmpstr (header (gz, "Content-Type"), ==, header (plain, "Content-Type"));
      assert_page_headers (gz);
      /* another representation, another strong ETag */
      g_assert_cmpstr (header (gz, "ETag"), !=, header (plain, "ETag"));
      g_assert_cmpstr (header (identity, "ETag"), ==, header (plain, "ETag"));
      g_assert_cmpuint (body_len (gz), <, body_len (plain));
      unpacked = gunzip (gz->body);
      g_assert_true (g_bytes_equal (unpacked, plain->body));
      /* each revalidates with its own */
      again = get_encoded (fx, paths[i], "gzip", header (gz, "ETag"));
      g_assert_cmpuint (again->status, ==, 304);
      g_assert_cmpstr (header (again, "ETag"), ==, header (gz, "ETag"));
      other = get_encoded (fx, paths[i], "gzip", header (plain, "ETag"));
      g_assert_cmpuint (other->status, ==, 200);
    }
}

static void
test_methods (Fixture *fx, gconstpointer data)
{
  const char *methods[] = { "POST", "PUT", "DELETE", "PATCH" };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      /* a DELETE takes no body; the others must frame theirs (a POST
       * without Content-Length is refused as a smuggling shape) */
      gboolean del = strcmp (methods[i], "DELETE") == 0;
      g_autoptr(Reply) r = http (fx, methods[i], "/", NULL, del ? NULL : "{}");
      g_autoptr(Reply) asset = http (fx, methods[i], "/style.css", NULL, del ? NULL : "{}");

      assert_http_error (r, 405, "bad_request", NULL);
      g_assert_cmpstr (header (r, "Allow"), ==, "GET, HEAD");
      assert_http_error (asset, 405, "bad_request", NULL);
      g_assert_cmpstr (header (asset, "Allow"), ==, "GET, HEAD");
      if (del)
        {
          /* refused from the headers, unread */
          g_autoptr(Reply) with_body = http (fx, methods[i], "/", NULL, "{}");

          assert_http_error (with_body, 400, "bad_request", NULL);
        }
    }
}

static void
test_not_found (Fixture *fx, gconstpointer data)
{
  const char *paths[] = {
    "/nope", "/nope.js", "/js/", "/js", "/vendor/chart.js", "/index.htm", "/web/index.html",
    "/io/github/arbdash/web/index.html", "/js/../../etc/passwd", "/arbdash-web.gresource.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Reply) r = http (fx, "GET", paths[i], NULL, NULL);
      g_autoptr(Reply) post = http (fx, "POST", paths[i], NULL, "{}");

      g_test_message ("%s", paths[i]);
      assert_http_error (r, 404, "not_found", NULL);
      assert_http_error (post, 404, "not_found", NULL);
      g_assert_cmpstr (header (r, "X-Content-Type-Options"), ==, "nosniff");
    }
}

/* The page's "net profit today" starts at the browser's midnight. */
static void
test_summary_today (Fixture *fx, gconstpointer data)
{
  const char *bad[] = { "Nowhere/Land", "/etc/localtime", "../../etc/passwd", "Europe/..", "" };
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *trade = trade_json (1, now, "WETH/USDC", "filled");
  g_autofree char *body = g_strdup_printf ("{\"bot_id\":\"%s\",\"events\":[%s]}", BOT, trade);
  g_autoptr(Reply) posted = http (fx, "POST", "/api/v1/events", BOT_TOKEN, body);
  g_autoptr(Reply) utc = http (fx, "GET", "/api/v1/summary?window=1h&tz=UTC", VIEWER_TOKEN, NULL);
  g_autoptr(Reply) berlin = http (fx, "GET", "/api/v1/summary?tz=Europe/Berlin", VIEWER_TOKEN,
                                  NULL);
  g_autoptr(Reply) none = http (fx, "GET", "/api/v1/summary", VIEWER_TOKEN, NULL);

  assert_ok (posted);
  /* a trade of right now is today's in any zone (but in the second after a midnight) */
  g_assert_cmpfloat (json_object_get_double_member (assert_ok (utc), "net_profit_today"), ==, 2.5);
  g_assert_true (json_object_has_member (assert_ok (berlin), "net_profit_today"));
  g_assert_false (json_object_has_member (assert_ok (none), "net_profit_today"));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/summary?tz=%s", bad[i]);
      g_autoptr(Reply) r = http (fx, "GET", path, VIEWER_TOKEN, NULL);

      g_test_message ("%s", path);
      assert_http_error (r, 400, "bad_request", "tz");
    }
}

/* ------------------------------------------------------------------ sign-in links */

static char *
code_of (const char *link)
{
  const char *hash = strstr (link, "#login=");

  g_assert_nonnull (hash);
  return g_strdup (hash + strlen ("#login="));
}

static Reply *
post_code (Fixture *fx, const char *code)
{
  g_autofree char *body = g_strdup_printf ("{\"login_code\":\"%s\"}", code);

  return http (fx, "POST", "/api/v1/session", NULL, body);
}

/* The session cookie of a sign-in answer, as "arbdash_session=ID". */
static char *
cookie_of (Reply *r)
{
  const char *set = header (r, "Set-Cookie");
  const char *semi;

  g_assert_nonnull (set);
  g_assert_true (g_str_has_prefix (set, "arbdash_session="));
  g_assert_nonnull (strstr (set, "HttpOnly"));
  g_assert_nonnull (strstr (set, "SameSite=Strict"));
  semi = strchr (set, ';');
  return g_strndup (set, semi - set);
}

static Reply *
with_cookie (Fixture *fx, const char *method, const char *path, const char *cookie,
             const char *body)
{
  SoupMessage *msg = new_msg (fx, method, path, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Cookie", cookie);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", fx->origin);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return send_msg (fx, msg, NULL);
}

static void
assert_not_logged (const char *code)
{
  g_assert_null (strstr (all_logs->str, code));
}

static void
test_link (Fixture *fx, gconstpointer data)
{
  g_autofree char *link = arb_server_new_login_link (fx->server);
  g_autofree char *code = code_of (link);
  g_autofree char *prefix = g_strconcat (fx->base, "/#login=", NULL);
  g_autofree char *cookie = NULL;
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) role = NULL;
  g_autoptr(Reply) nobody = NULL;
  g_autoptr(Reply) audit = NULL;

  g_assert_true (g_str_has_prefix (link, prefix));
  /* at least 128 random bits: 48 hex digits are 192 */
  g_assert_cmpuint (strlen (code), ==, 48);
  for (const char *c = code; *c != '\0'; c++)
    g_assert_true (g_ascii_isxdigit (*c));

  r = post_code (fx, code);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (reply_object (r), "role"), ==, "operator");
  cookie = cookie_of (r);
  role = with_cookie (fx, "GET", "/api/v1/session", cookie, NULL);
  g_assert_cmpstr (json_object_get_string_member (reply_object (role), "role"), ==, "operator");
  /* an operator route */
  audit = with_cookie (fx, "GET", "/api/v1/audit", cookie, NULL);
  g_assert_cmpuint (audit->status, ==, 200);
  /* signed out is an answer, not an error */
  nobody = http (fx, "GET", "/api/v1/session", NULL, NULL);
  g_assert_cmpuint (nobody->status, ==, 200);
  g_assert_true (json_object_get_null_member (reply_object (nobody), "role"));
  assert_not_logged (code);
}

static void
test_link_single_use (Fixture *fx, gconstpointer data)
{
  g_autofree char *link = arb_server_new_login_link (fx->server);
  g_autofree char *code = code_of (link);
  g_autoptr(Reply) first = post_code (fx, code);
  g_autoptr(Reply) second = post_code (fx, code);

  g_assert_cmpuint (first->status, ==, 200);
  assert_http_error (second, 401, "unauthorized", "login_code");
  g_assert_nonnull (strstr (json_object_get_string_member (
    json_object_get_object_member (reply_object (second), "error"), "message"), "already used"));
  g_assert_null (header (second, "Set-Cookie"));
  assert_not_logged (code);
}

/* Sessions from links are capped among themselves: the cap per token once
 * took a link's session for "every session", so each sign-in by link ended
 * the oldest session of any token. */
static void
test_link_keeps_other_sessions (Fixture *fx, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("{\"token\":\"%s\"}", VIEWER_TOKEN);
  g_autoptr(Reply) viewer = http (fx, "POST", "/api/v1/session", NULL, body);
  g_autofree char *cookie = cookie_of (viewer);
  g_autoptr(Reply) role = NULL;

  for (guint i = 0; i < ARB_SESSIONS_PER_TOKEN + 8; i++)
    {
      g_autofree char *link = arb_server_new_login_link (fx->server);
      g_autofree char *code = code_of (link);
      g_autoptr(Reply) r = post_code (fx, code);

      g_assert_cmpuint (r->status, ==, 200);
    }
  role = with_cookie (fx, "GET", "/api/v1/session", cookie, NULL);
  g_assert_cmpstr (json_object_get_string_member (reply_object (role), "role"), ==, "viewer");
}

static void
test_link_wrong (Fixture *fx, gconstpointer data)
{
  const char *wrong[] = {
    "0123456789abcdef0123456789abcdef0123456789abcdef", "short", "",
  };
  g_autoptr(Reply) number = http (fx, "POST", "/api/v1/session", NULL, "{\"login_code\":42}");

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(Reply) r = post_code (fx, wrong[i]);

      assert_http_error (r, 401, "unauthorized", "login_code");
      g_assert_nonnull (strstr (json_object_get_string_member (
        json_object_get_object_member (reply_object (r), "error"), "message"), "not valid"));
      g_assert_null (header (r, "Set-Cookie"));
      assert_not_logged (wrong[0]);
    }
  assert_http_error (number, 400, "bad_request", "login_code");
}

/* The first run: no token at all, and a link still signs in. */
static void
test_link_without_tokens (Fixture *fx, gconstpointer data)
{
  ArbConfig *config = (ArbConfig *) arb_engine_get_config (fx->engine);
  g_autofree char *link = NULL;
  g_autofree char *code = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) bots = NULL;

  g_assert_true (arb_config_remove_token (config, "the-bot", NULL));
  g_assert_true (arb_config_remove_token (config, "the-viewer", NULL));
  g_assert_true (arb_config_remove_token (config, "the-operator", NULL));
  g_assert_cmpuint (config->tokens->len, ==, 0);
  link = arb_server_new_login_link (fx->server);
  code = code_of (link);
  r = post_code (fx, code);
  g_assert_cmpuint (r->status, ==, 200);
  cookie = cookie_of (r);
  bots = with_cookie (fx, "GET", "/api/v1/bots", cookie, NULL);
  g_assert_cmpuint (bots->status, ==, 200);
}

/* What `arbdash --login-link` does: a code for a running server, through the
 * 0600 file next to its database. */
static void
test_link_shared (Fixture *fx, gconstpointer data)
{
  const ArbConfig *config = arb_engine_get_config (fx->engine);
  g_autofree char *path = arb_login_codes_path_for_db (config->db_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = arb_login_codes_issue_shared (path, g_get_real_time (),
                                                        G_GINT64_CONSTANT (600) * G_USEC_PER_SEC, &error);
  g_autofree char *contents = NULL;
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) again = NULL;
  struct stat st;

  g_assert_no_error (error);
  g_assert_nonnull (code);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* only the hash is written */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, code));
  r = post_code (fx, code);
  g_assert_cmpuint (r->status, ==, 200);
  /* taken into the server's memory: the file is empty, the code used */
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "");
  again = post_code (fx, code);
  assert_http_error (again, 401, "unauthorized", "login_code");
  assert_not_logged (code);
}

/* The real executable prints a link that the running server accepts. */
static void
test_link_cli (Fixture *fx, gconstpointer data)
{
  const ArbConfig *config = arb_engine_get_config (fx->engine);
  const char *bin = g_getenv ("ARBDASH_BIN");
  g_autofree char *port = g_strdup_printf ("%u", arb_server_get_port (fx->server));
  g_autofree char *home = g_build_filename (fx->dir, "home", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *code = NULL;
  g_autofree char *prefix = g_strconcat (fx->base, "/#login=", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(Reply) r = NULL;
  const char *argv[] = { bin, "--login-link", "--port", port, "--db", config->db_path, NULL };
  int status;

  if (bin == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set");
      return;
    }
  env = g_environ_setenv (env, "HOME", home, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", home, TRUE);
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_strstrip (out);
  g_assert_true (g_str_has_prefix (out, prefix));
  code = code_of (out);
  g_assert_null (strstr (err, code));
  r = post_code (fx, code);
  g_assert_cmpuint (r->status, ==, 200);
  assert_not_logged (code);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  all_logs = g_string_new (NULL);
  g_log_set_writer_func (record_writer, NULL, NULL);

#define ADD(path, func) \
  g_test_add ("/arb/web/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("index", test_index);
  ADD ("types", test_types);
  ADD ("imports", test_imports);
  ADD ("etag", test_etag);
  ADD ("head", test_head);
  ADD ("gzip", test_gzip);
  ADD ("methods", test_methods);
  ADD ("not-found", test_not_found);
  ADD ("summary-today", test_summary_today);
  ADD ("link", test_link);
  ADD ("link/single-use", test_link_single_use);
  ADD ("link/keeps-other-sessions", test_link_keeps_other_sessions);
  ADD ("link/wrong", test_link_wrong);
  ADD ("link/without-tokens", test_link_without_tokens);
  ADD ("link/shared", test_link_shared);
  ADD ("link/cli", test_link_cli);

  return g_test_run ();
}
