/* test-access.c: who may reach the server: Host, Origin, cookies, wrong tokens, sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test reproduces a weakness of issue 9 on a real server on a loopback
 * port: a page on another port of this host sending commands with the
 * operator's cookie, a DNS-rebinding page, a token guesser, a session maker.
 */
#include "config.h"

#include <string.h>

#include "arb-http.h"
#include "arb-peer-limit.h"
#include "server-fixture.h"

/* Warnings of arb-http go here while it is set. */
static GPtrArray *warnings;

/* ---------------------------------------------------------------- helpers */

static ArbConfig *
server_config (Fixture *fx)
{
  /* the server checks the engine's settings on every request */
  return (ArbConfig *) arb_engine_get_config (fx->engine);
}

static char *
sign_in (Fixture *fx, const char *token)
{
  g_autofree char *body = g_strdup_printf ("{\"token\":\"%s\"}", token);
  g_autoptr(Reply) r = http (fx, "POST", "/api/v1/session", NULL, body);
  const char *set_cookie;

  assert_ok (r);
  set_cookie = soup_message_headers_get_one (soup_message_get_response_headers (r->msg),
                                             "Set-Cookie");
  g_assert_nonnull (set_cookie);
  return g_strndup (set_cookie, strcspn (set_cookie, ";"));
}

/* A request as a browser would make it with the session cookie. */
static Reply *
browser (Fixture *fx, const char *method, const char *path, const char *cookie,
         const char *origin, const char *content_type, const char *body)
{
  SoupMessage *msg = new_msg (fx, method, path, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_replace (headers, "Cookie", cookie);
  if (origin != NULL)
    soup_message_headers_replace (headers, "Origin", origin);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  return send_msg (fx, msg, NULL);
}

/* The status of a GET of @path with the given Host (NULL: none) and extra header lines. */
static guint
get_with_host (Fixture *fx, const char *path, const char *host, const char *extra, char **answer)
{
  g_autofree char *request = NULL;
  g_autofree char *text = NULL;
  guint status = 0;

  request = g_strdup_printf ("GET %s HTTP/1.1\r\n%s%s%s%sConnection: close\r\n\r\n", path,
                             host != NULL ? "Host: " : "", host != NULL ? host : "",
                             host != NULL ? "\r\n" : "", extra != NULL ? extra : "");
  text = raw_request (fx, request);
  if (g_str_has_prefix (text, "HTTP/1.1 "))
    status = (guint) g_ascii_strtoull (text + 9, NULL, 10);
  if (answer != NULL)
    *answer = g_steal_pointer (&text);
  return status;
}

/* ---------------------------------------------------------------- CSRF */

/* The operator's cookie, a page on another port of this host, a text/plain
 * body: the bot was paused. Now only the dashboard's own origin (or an
 * allowed one) may change anything with the cookie. */
static void
test_csrf (Fixture *fx, gconstpointer data)
{
  Client *c = client_connect (fx);
  g_autofree char *cookie = sign_in (fx, OPERATOR_TOKEN);
  g_autofree char *other_port = g_strdup_printf ("http://127.0.0.1:%u",
                                                 arb_server_get_port (fx->server) + 1);
  const char *refused[] = { "http://127.0.0.1:3000", other_port, "http://evil.example",
                            "null", NULL };
  const char *pause = "{\"name\":\"pause\"}";
  g_autoptr(Reply) own = NULL;
  g_autoptr(Reply) allowed = NULL;
  g_autoptr(Reply) bearer = NULL;
  g_autoptr(Reply) read = NULL;

  c->answer_commands = TRUE;
  client_hello (c, BOT);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(Reply) r = browser (fx, "POST", "/api/v1/bots/" BOT "/commands", cookie,
                                    refused[i], "text/plain", pause);

      g_test_message ("Origin %s", refused[i] != NULL ? refused[i] : "(none)");
      assert_http_error (r, 403, "forbidden", NULL);
    }
  spin_for (50);
  g_assert_cmpuint (count_frames (c, "command"), ==, 0);

  /* the dashboard's own page, and an allowed origin; a bearer token needs none */
  own = browser (fx, "POST", "/api/v1/bots/" BOT "/commands", cookie, fx->origin,
                 "application/json", pause);
  assert_ok (own);
  allowed = browser (fx, "POST", "/api/v1/bots/" BOT "/commands", cookie,
                     "https://dash.example.org", "application/json", pause);
  assert_ok (allowed);
  bearer = http (fx, "POST", "/api/v1/bots/" BOT "/commands", OPERATOR_TOKEN, pause);
  assert_ok (bearer);
  g_assert_cmpuint (count_frames (c, "command"), ==, 3);
  /* reading needs no Origin: it changes nothing */
  read = browser (fx, "GET", "/api/v1/audit", cookie, NULL, NULL, NULL);
  assert_ok (read);
}

/* Signing out is a change too; signing in is not bound to an origin. */
static void
test_csrf_session_end (Fixture *fx, gconstpointer data)
{
  g_autofree char *cookie = sign_in (fx, VIEWER_TOKEN);
  g_autoptr(Reply) foreign = browser (fx, "DELETE", "/api/v1/session", cookie,
                                      "http://127.0.0.1:3000", NULL, NULL);
  g_autoptr(Reply) none = browser (fx, "DELETE", "/api/v1/session", cookie, NULL, NULL, NULL);
  g_autoptr(Reply) still = browser (fx, "GET", "/api/v1/trades", cookie, NULL, NULL, NULL);
  g_autoptr(Reply) own = browser (fx, "DELETE", "/api/v1/session", cookie, fx->origin, NULL,
                                  NULL);
  g_autoptr(Reply) gone = browser (fx, "GET", "/api/v1/trades", cookie, NULL, NULL, NULL);
  g_autoptr(Reply) no_cookie = http (fx, "DELETE", "/api/v1/session", NULL, NULL);

  assert_http_error (foreign, 403, "forbidden", NULL);
  assert_http_error (none, 403, "forbidden", NULL);
  assert_ok (still);
  assert_ok (own);
  assert_http_error (gone, 401, "unauthorized", NULL);
  assert_ok (no_cookie);
}

/* ---------------------------------------------------------------- Host */

/* A DNS-rebinding page reaches 127.0.0.1 under its own name: every route,
 * the upgrades and /health included, refuses a Host that is not ours. */
static void
test_host (Fixture *fx, gconstpointer data)
{
  guint port = arb_server_get_port (fx->server);
  g_autofree char *own = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *localhost = g_strdup_printf ("LocalHost:%u", port);
  g_autofree char *v6 = g_strdup_printf ("[::1]:%u", port);
  g_autofree char *evil = g_strdup_printf ("evil.example:%u", port);
  g_autofree char *other_port = g_strdup_printf ("127.0.0.1:%u", port + 1);
  g_autofree char *allowed = g_strdup_printf ("dash.example.org:%u", port);
  g_autofree char *allowed_port = g_strdup_printf ("[2001:db8::1]:%u", port);
  const char *accepted[] = { own, localhost, v6, "127.0.0.1", "localhost", allowed,
                             "dash.example.org", "ops.example.org:8443", allowed_port };
  const char *refused[] = { evil, other_port, "evil.example", "127.0.0.2", "localhost.",
                            "ops.example.org", "ops.example.org:443", "user@127.0.0.1",
                            "127.0.0.1:" };
  /* libsoup answers 400 to these before any handler */
  const char *malformed[] = { "127.0.0.1:0x50", "[::1", "", "127.0.0.1/x" };
  const char *paths[] = { "/api/v1/health", "/api/v1/trades", "/metrics", "/nothing" };
  const char *auth = "Authorization: Bearer " VIEWER_TOKEN "\r\n";
  const char *upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  g_autofree char *v6_answer = NULL;
  g_autofree char *bot_auth = g_strconcat ("Authorization: Bearer " BOT_TOKEN "\r\n", upgrade,
                                           NULL);
  g_autofree char *viewer_upgrade = g_strconcat (auth, upgrade, NULL);

  g_strfreev (server_config (fx)->allowed_hosts);
  server_config (fx)->allowed_hosts = g_strsplit ("dash.example.org;ops.example.org:8443;"
                                                  "[2001:DB8::1]", ";", -1);
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_test_message ("Host: %s", accepted[i]);
      g_assert_cmpuint (get_with_host (fx, "/api/v1/health", accepted[i], NULL, NULL), ==, 200);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    for (guint j = 0; j < G_N_ELEMENTS (paths); j++)
      {
        g_autofree char *answer = NULL;

        g_test_message ("Host: %s, %s", refused[i], paths[j]);
        g_assert_cmpuint (get_with_host (fx, paths[j], refused[i], auth, &answer), ==, 403);
        g_assert_nonnull (strstr (answer, "\r\nConnection: close\r\n"));
        g_assert_nonnull (strstr (answer, "{\"error\":{\"code\":\"forbidden\""));
        g_assert_nonnull (strstr (answer, "allowed-hosts"));
      }
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      guint status = get_with_host (fx, "/api/v1/health", malformed[i], auth, NULL);

      g_test_message ("Host: %s", malformed[i]);
      g_assert_true (status == 400 || status == 403);
    }
  /* the upgrades: refused before the handshake, with a valid token */
  g_assert_cmpuint (get_with_host (fx, "/api/v1/stream", evil, viewer_upgrade, NULL), ==, 403);
  g_assert_cmpuint (get_with_host (fx, "/api/v1/bot", evil, bot_auth, NULL), ==, 403);
  g_assert_cmpuint (get_with_host (fx, "/api/v1/stream", own, viewer_upgrade, NULL), ==, 101);
  /* two Hosts are ambiguous framing (a smuggling shape): 400 before the Host check */
  g_assert_cmpuint (get_with_host (fx, "/api/v1/health", own, "Host: evil.example\r\n", NULL),
                    ==, 400);
  /* an absolute URL in the request line wins over Host in libsoup: checked too */
  g_assert_cmpuint (get_with_host (fx, "http://evil.example/api/v1/health", own, NULL, NULL), ==,
                    403);
  g_assert_cmpuint (get_with_host (fx, "http://localhost/api/v1/health", own, NULL, NULL), ==,
                    200);
  /* HTTP/1.0 without Host: the connection's own address */
  v6_answer = raw_request (fx, "GET /api/v1/health HTTP/1.0\r\n\r\n");
  g_assert_true (g_str_has_prefix (v6_answer, "HTTP/1.0 200") ||
                 g_str_has_prefix (v6_answer, "HTTP/1.1 200"));
}

/* Our own origin comes from our names, not from the request's Host (the
 * rebinding page sends its name in both); allowed hosts are ours on http
 * and https. */
static void
test_host_origin (Fixture *fx, gconstpointer data)
{
  guint port = arb_server_get_port (fx->server);
  g_autofree char *localhost = g_strdup_printf ("http://localhost:%u", port);
  g_autofree char *v6 = g_strdup_printf ("http://[::1]:%u", port);
  g_autofree char *https_own = g_strdup_printf ("https://127.0.0.1:%u", port);
  g_autofree char *path_too = g_strdup_printf ("%s/", fx->origin);
  const char *accepted[] = { fx->origin, localhost, v6, "https://ops.example.org",
                             "http://ops.example.org", "https://alt.example.org:8443",
                             "https://dash.example.org" };
  const char *refused[] = { "http://localhost:3000", https_own, path_too,
                            "https://ops.example.org:8443", "https://alt.example.org",
                            "http://evil.example" };
  g_autofree char *request = NULL;
  g_autofree char *answer = NULL;

  /* before: Host evil.example made http://evil.example the "own" origin */
  request = g_strdup_printf ("GET /api/v1/stream HTTP/1.1\r\nHost: evil.example:%u\r\n"
                             "Origin: http://evil.example:%u\r\n"
                             "Authorization: Bearer " VIEWER_TOKEN "\r\n"
                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", port, port);
  answer = raw_request (fx, request);
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 403"));

  g_strfreev (server_config (fx)->allowed_hosts);
  server_config (fx)->allowed_hosts = g_strsplit ("ops.example.org,alt.example.org:8443", ",",
                                                  -1);
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      Client *c = client_connect_full (fx, "/api/v1/stream", VIEWER_TOKEN, accepted[i], NULL);

      g_test_message ("Origin %s", accepted[i]);
      g_assert_no_error (c->error);
      g_assert_nonnull (c->ws);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      Client *c = client_connect_full (fx, "/api/v1/stream", VIEWER_TOKEN, refused[i], NULL);

      g_test_message ("Origin %s", refused[i]);
      g_assert_null (c->ws);
      g_assert_cmpuint (c->status, ==, 403);
    }
}

/* ---------------------------------------------------------------- wrong tokens */

static guint
status_with_token (Fixture *fx, const char *token)
{
  g_autoptr(Reply) r = http (fx, "GET", "/api/v1/trades", token, NULL);

  return r->status;
}

/* 200 wrong tokens in 40 ms, nothing logged: now a peer gets ten, then 429
 * with Retry-After, and one line in the log that names it, not the token. */
static void
test_rate_limit (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cookie = sign_in (fx, VIEWER_TOKEN);
  g_autoptr(Reply) limited = NULL;
  g_autoptr(Reply) sign_in_limited = NULL;
  g_autoptr(Reply) by_cookie = NULL;
  const char *retry;
  const char *bad[] = { "arbdash.v1", "bearer.guess-over-websocket", NULL };
  Client *c;
  guint64 seconds;

  warnings = logged;
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *guess = g_strdup_printf ("guess-number-%02u-of-many", i);

      g_assert_cmpuint (status_with_token (fx, guess), ==, 401);
    }
  g_assert_cmpuint (logged->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (logged, 0), "127.0.0.1"));
  g_assert_null (strstr (g_ptr_array_index (logged, 0), "guess"));

  limited = http (fx, "GET", "/api/v1/trades", "guess-number-10-of-many", NULL);
  assert_http_error (limited, 429, "rate_limited", NULL);
  g_assert_cmpstr (soup_message_get_reason_phrase (limited->msg), ==, "Too Many Requests");
  retry = soup_message_headers_get_one (soup_message_get_response_headers (limited->msg),
                                        "Retry-After");
  g_assert_nonnull (retry);
  g_assert_true (g_ascii_string_to_unsigned (retry, 10, 1, 6, &seconds, NULL));
  /* while blocked, even the right token is not compared (a right guess must not show) */
  g_assert_cmpuint (status_with_token (fx, VIEWER_TOKEN), ==, 429);
  c = client_connect_full (fx, "/api/v1/stream", VIEWER_TOKEN, NULL, NULL);
  g_assert_cmpuint (c->status, ==, 429);
  c = client_connect_full (fx, "/api/v1/bot", NULL, NULL, (char **) bad);
  g_assert_cmpuint (c->status, ==, 429);
  sign_in_limited = http (fx, "POST", "/api/v1/session", NULL,
                          "{\"token\":\"" OPERATOR_TOKEN "\"}");
  assert_http_error (sign_in_limited, 429, "rate_limited", NULL);
  /* a session made before needs no token: it still works; no token at all is a 401 */
  by_cookie = browser (fx, "GET", "/api/v1/trades", cookie, NULL, NULL, NULL);
  assert_ok (by_cookie);
  g_assert_cmpuint (status_with_token (fx, NULL), ==, 401);
  /* one line per episode */
  g_assert_cmpuint (logged->len, ==, 1);
  warnings = NULL;
}

/* Wrong tokens for a session count too; a right token of the wrong role does not. */
/* "Am I signed in?" (GET /api/v1/session) with a bearer token compares the
 * token too: it counts as a try, or it would be a guessing oracle that the
 * limit does not see. */
static void
test_rate_limit_peek (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Reply) limited = NULL;
  g_autoptr(Reply) right = NULL;

  warnings = logged;
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *guess = g_strdup_printf ("guess-number-%02u-of-many", i);
      g_autoptr(Reply) r = http (fx, "GET", "/api/v1/session", guess, NULL);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_true (json_object_get_null_member (reply_object (r), "role"));
    }
  g_assert_cmpuint (logged->len, ==, 1);
  limited = http (fx, "GET", "/api/v1/session", "guess-number-10-of-many", NULL);
  assert_http_error (limited, 429, "rate_limited", NULL);
  right = http (fx, "GET", "/api/v1/session", VIEWER_TOKEN, NULL);
  assert_http_error (right, 429, "rate_limited", NULL);
  warnings = NULL;
}

static void
test_rate_limit_sign_in (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) logged = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Reply) limited = NULL;

  warnings = logged;
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(Reply) r = http (fx, "POST", "/api/v1/session", NULL,
                                 "{\"token\":\"" BOT_TOKEN "\"}");
      assert_http_error (r, 401, "unauthorized", "token");
    }
  g_assert_cmpuint (logged->len, ==, 0);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(Reply) r = http (fx, "POST", "/api/v1/session", NULL,
                                 "{\"token\":\"not-the-right-one-at-all\"}");
      assert_http_error (r, 401, "unauthorized", "token");
    }
  limited = http (fx, "POST", "/api/v1/session", NULL, "{\"token\":\"" VIEWER_TOKEN "\"}");
  assert_http_error (limited, 429, "rate_limited", NULL);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (limited->msg),
                                               "Set-Cookie"));
  g_assert_cmpuint (logged->len, ==, 1);
  warnings = NULL;
}

#define S G_USEC_PER_SEC

/* The bucket: a burst, then one try per refill period; memory bounded. */
static void
test_peer_limit (void)
{
  g_autoptr(ArbPeerLimit) limit = arb_peer_limit_new (3, 6000, 4);
  gint64 t = 1000 * S;

  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t), ==, 0);
  g_assert_false (arb_peer_limit_take (limit, "a", t));
  g_assert_false (arb_peer_limit_take (limit, "a", t));
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t), ==, 0);
  /* the third empties it: a new episode, once */
  g_assert_true (arb_peer_limit_take (limit, "a", t));
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t), ==, 6);
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t + 1 * S), ==, 5);
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t + 5 * S + 1), ==, 1);
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t + 6 * S), ==, 0);
  /* another peer is not affected */
  g_assert_cmpuint (arb_peer_limit_wait (limit, "b", t), ==, 0);
  /* one try regained, taken: blocked again, but the same episode */
  g_assert_false (arb_peer_limit_take (limit, "a", t + 6 * S));
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t + 6 * S), ==, 6);
  /* full again after burst × refill: forgotten, and a new episode later */
  g_assert_cmpuint (arb_peer_limit_get_size (limit, t + 23 * S), ==, 1);
  g_assert_cmpuint (arb_peer_limit_get_size (limit, t + 24 * S), ==, 0);
  t += 24 * S;
  g_assert_false (arb_peer_limit_take (limit, "a", t));
  g_assert_false (arb_peer_limit_take (limit, "a", t));
  g_assert_true (arb_peer_limit_take (limit, "a", t));

  /* at most 4 peers: "a" (empty) stays, the fullest others make room */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *peer = g_strdup_printf ("10.0.0.%u", i);

      arb_peer_limit_take (limit, peer, t + i);
      g_assert_cmpuint (arb_peer_limit_get_size (limit, t + i), <=, 4);
    }
  g_assert_cmpuint (arb_peer_limit_wait (limit, "a", t + 100), ==, 6);
}

/* ---------------------------------------------------------------- sessions */

static guint
status_with_cookie (Fixture *fx, const char *cookie)
{
  g_autoptr(Reply) r = browser (fx, "GET", "/api/v1/trades", cookie, NULL, NULL, NULL);

  return r->status;
}

/* 3,000 sessions of 12 h were made with one token; now a token has at most
 * 32, and a new one ends the oldest. */
static void
test_session_cap (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) cookies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *operator = sign_in (fx, OPERATOR_TOKEN);
  guint before = arb_http_get_n_sessions ();

  for (guint i = 0; i < ARB_SESSIONS_PER_TOKEN + 8; i++)
    g_ptr_array_add (cookies, sign_in (fx, VIEWER_TOKEN));
  g_assert_cmpuint (arb_http_get_n_sessions (), ==, before + ARB_SESSIONS_PER_TOKEN);
  for (guint i = 0; i < cookies->len; i++)
    g_assert_cmpuint (status_with_cookie (fx, g_ptr_array_index (cookies, i)), ==,
                      i < 8 ? 401 : 200);
  /* another token's session is not pushed out */
  g_assert_cmpuint (status_with_cookie (fx, operator), ==, 200);
}

/* And in all: many tokens cannot fill the memory either. */
static void
test_session_total (Fixture *fx, gconstpointer data)
{
  ArbConfig *config = server_config (fx);

  for (guint i = 0; i < ARB_SESSIONS_MAX + 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("token-%u", i / 8);

      arb_http_session_start (config, ARB_ROLE_VIEWER, name);
    }
  g_assert_cmpuint (arb_http_get_n_sessions (), ==, ARB_SESSIONS_MAX);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  test_capture_log ("arb-http", G_LOG_LEVEL_WARNING, &warnings);

#define ADD(path, func) \
  g_test_add ("/arb/access/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("csrf", test_csrf);
  ADD ("csrf-session-end", test_csrf_session_end);
  ADD ("host", test_host);
  ADD ("host-origin", test_host_origin);
  ADD ("rate-limit", test_rate_limit);
  ADD ("rate-limit-sign-in", test_rate_limit_sign_in);
  ADD ("rate-limit-peek", test_rate_limit_peek);
  g_test_add_func ("/arb/access/peer-limit", test_peer_limit);
  ADD ("session-cap", test_session_cap);
  ADD ("session-total", test_session_total);
#undef ADD

  return g_test_run ();
}
