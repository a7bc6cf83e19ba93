/* arb-http.c: helpers shared by the server's routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-http"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "arb-http.h"
#include "arb-ingest.h"
#include "arb-json.h"
#include "arb-peer-limit.h"

#define PAUSED_KEY   "arb-paused"
#define FINISHED_KEY "arb-finished"

static void
on_finished (SoupServerMessage *msg, gpointer data)
{
  g_object_set_data (G_OBJECT (msg), FINISHED_KEY, GINT_TO_POINTER (1));
}

void
arb_http_pause (SoupServerMessage *msg)
{
  g_object_ref (msg);
  /* the key holds the "finished" handler's id (never 0), to disconnect it by */
  g_object_set_data (G_OBJECT (msg), PAUSED_KEY,
                     GSIZE_TO_POINTER (g_signal_connect (msg, "finished",
                                                         G_CALLBACK (on_finished), NULL)));
  soup_server_message_pause (msg);
}

/* Ends a pause: returns FALSE (and drops the message) when the client is gone. */
gboolean
arb_http_resume (SoupServerMessage *msg)
{
  gulong finished_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), PAUSED_KEY));
  gboolean alive;

  if (finished_id == 0)
    return TRUE;
  g_object_set_data (G_OBJECT (msg), PAUSED_KEY, NULL);
  alive = g_object_get_data (G_OBJECT (msg), FINISHED_KEY) == NULL;
  if (alive)
    soup_server_message_unpause (msg);
  g_signal_handler_disconnect (msg, finished_id);
  g_object_unref (msg);
  return alive;
}

void
arb_http_send_json (SoupServerMessage *msg,
                    guint              status,
                    JsonNode          *body)
{
  arb_http_send_text (msg, status, arb_json_node_to_string (body));
}

void
arb_http_send_text (SoupServerMessage *msg,
                    guint              status,
                    char              *text)
{
  SoupMessageHeaders *headers;
  gsize len = strlen (text);

  /* keep the message alive across resume, which may drop our reference */
  g_object_ref (msg);
  if (g_object_get_data (G_OBJECT (msg), FINISHED_KEY) != NULL)
    {
      g_free (text);
      arb_http_resume (msg);
      g_object_unref (msg);
      return;
    }
  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* libsoup 3.2 has no phrase for 429 and would say "Unknown Error" */
  soup_server_message_set_status (msg, status, status == 429 ? "Too Many Requests" : NULL);
  /* set_response appends: drop the default body the server put there */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
  arb_http_resume (msg);
  g_object_unref (msg);
}

/* Errors answered, by code and endpoint, for /metrics. One table for the
 * process: every server answers from the main thread. */
static GHashTable *error_counts;

/* The paths errors are counted under: each place that serves a path names
 * it (arb_http_name_endpoint()) as it registers, so the list cannot miss a
 * route. Anything else is "other": a client's path is not a label. */
static GHashTable *endpoints;

/**
 * arb_http_name_endpoint:
 * @path: (not nullable): an exact path a handler serves, kept as it is
 *
 * Errors answered on @path are counted under it in /metrics.
 */
void
arb_http_name_endpoint (const char *path)
{
  if (endpoints == NULL)
    endpoints = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_add (endpoints, (gpointer) path);
}

static const char *
endpoint_of (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  const char *known;

  if (path == NULL)
    return "other";
  if (endpoints != NULL && (known = g_hash_table_lookup (endpoints, path)) != NULL)
    return known;
  if (g_str_has_prefix (path, "/api/v1/bots/"))
    return "/api/v1/bots/{bot_id}/commands";
  return "other";
}

static void
count_error (SoupServerMessage *msg, ArbErrorCode code)
{
  g_autofree char *key = g_strconcat (arb_error_code_name (code), "\x1f", endpoint_of (msg), NULL);
  guint64 *n;

  if (error_counts == NULL)
    error_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  n = g_hash_table_lookup (error_counts, key);
  if (n == NULL)
    {
      n = g_new0 (guint64, 1);
      g_hash_table_insert (error_counts, g_steal_pointer (&key), n);
    }
  (*n)++;
}

/* Appends one sample of @family per (code, endpoint) counted so far. */
void
arb_http_foreach_error (GString    *out,
                        const char *family)
{
  GHashTableIter iter;
  gpointer key, value;

  if (error_counts == NULL)
    return;
  g_hash_table_iter_init (&iter, error_counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *sep = strchr (key, '\x1f');
      g_string_append_printf (out, "%s{code=\"%.*s\",endpoint=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              family, (int) (sep - (const char *) key), (const char *) key,
                              sep + 1, *(guint64 *) value);
    }
}

void
arb_http_send_error_status (SoupServerMessage *msg,
                            guint              status,
                            ArbErrorCode       code,
                            const char        *field,
                            const char        *message)
{
  g_autoptr(JsonNode) body = arb_error_body (code, field, message);

  count_error (msg, code);
  arb_http_send_json (msg, status, body);
}

void
arb_http_send_error (SoupServerMessage *msg,
                     ArbErrorCode       code,
                     const char        *field,
                     const char        *message)
{
  arb_http_send_error_status (msg, arb_error_code_http_status (code), code, field, message);
}

/* ---------------------------------------------------------------- sessions */

typedef struct
{
  ArbRole  role;
  char    *token_name;
  guint    token_serial;  /* the token that made it: when it is removed, the session ends */
  gboolean from_link;     /* made by a one-time sign-in link, not by a token */
  gint64   expires_us;
} Session;

/* Sessions of this process (they end with it): id -> Session. */
static GHashTable *sessions;

static void
session_free (Session *s)
{
  g_free (s->token_name);
  g_free (s);
}

static void
prune_sessions (void)
{
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Session *) value)->expires_us < now)
      g_hash_table_iter_remove (&iter);
}

/* The oldest session (of the token @name and @serial; of any when @name is
 * NULL) once there are @max of them, to make room for a new one. */
static void
evict_oldest (const char *name, guint serial, guint max)
{
  GHashTableIter iter;
  gpointer key, value;
  gpointer oldest = NULL;
  gint64 oldest_us = G_MAXINT64;
  guint n = 0;

  g_hash_table_iter_init (&iter, sessions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Session *s = value;

      if (name != NULL && (s->token_serial != serial || g_strcmp0 (s->token_name, name) != 0))
        continue;
      n++;
      /* the same lifetime for all: the first to expire is the oldest */
      if (s->expires_us < oldest_us)
        {
          oldest_us = s->expires_us;
          oldest = key;
        }
    }
  if (n >= max && oldest != NULL)
    g_hash_table_remove (sessions, oldest);
}

guint
arb_http_get_n_sessions (void)
{
  if (sessions == NULL)
    return 0;
  prune_sessions ();
  return g_hash_table_size (sessions);
}

/* Returns the new session's id (owned by the table). */
const char *
arb_http_session_start (ArbConfig  *config,
                        ArbRole     role,
                        const char *token_name)
{
  const ArbToken *token = token_name != NULL ? arb_config_find_token (config, token_name) : NULL;
  Session *s = g_new0 (Session, 1);
  char *id;
  guint8 raw[32];

  if (sessions == NULL)
    sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) session_free);
  prune_sessions ();
  /* sessions are memory a token holder can make at will: bounded per token
   * and in all, the newest sign-in pushing out the oldest session */
  evict_oldest (token_name != NULL ? token_name : ARB_SESSION_LINK_NAME,
                token != NULL ? token->serial : 0, ARB_SESSIONS_PER_TOKEN);
  evict_oldest (NULL, 0, ARB_SESSIONS_MAX);
  /* 256 bits from the kernel's CSPRNG, not GLib's predictable PRNG */
  if (getentropy (raw, sizeof raw) != 0)
    g_error ("getentropy() failed: %s", g_strerror (errno));
  id = g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw, sizeof raw);
  s->role = role;
  s->from_link = token_name == NULL;
  s->token_name = g_strdup (token_name != NULL ? token_name : ARB_SESSION_LINK_NAME);
  s->token_serial = token != NULL ? token->serial : 0;
  s->expires_us = g_get_monotonic_time () + (gint64) ARB_SESSION_SECONDS * G_USEC_PER_SEC;
  g_hash_table_insert (sessions, id, s);
  return id;
}

static char *
cookie_session (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = soup_message_headers_get_list (headers, "Cookie");
  GHashTable *params;
  char *id;

  if (header == NULL)
    return NULL;
  params = soup_header_parse_semi_param_list (header);
  id = g_strdup (g_hash_table_lookup (params, ARB_SESSION_COOKIE));
  soup_header_free_param_list (params);
  return id;
}

/* A session lasts as long as the token that made it: a token removed in the
 * Access page (or removed and made again under its name) ends its sessions. */
static gboolean
session_token_alive (Session *s, ArbConfig *config)
{
  const ArbToken *token;

  if (s->from_link)
    return TRUE;
  token = arb_config_find_token (config, s->token_name);
  return token != NULL && token->serial == s->token_serial && token->role == s->role;
}

static Session *
lookup_session (SoupServerMessage *msg,
                ArbConfig         *config)
{
  g_autofree char *id = cookie_session (msg);
  Session *s;

  if (id == NULL || sessions == NULL)
    return NULL;
  s = g_hash_table_lookup (sessions, id);
  if (s != NULL && (s->expires_us < g_get_monotonic_time () || !session_token_alive (s, config)))
    {
      g_hash_table_remove (sessions, id);
      return NULL;
    }
  return s;
}

static gboolean
changes_state (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  return strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0;
}

/* The cookie comes with every request to us, whichever page made it, and
 * SameSite does not tell ports apart: a page on another port of this host
 * could send commands with it. Browsers send Origin with every POST and
 * DELETE, so a state-changing cookie request without ours is not our page's. */
static gboolean
check_cookie_origin (SoupServerMessage *msg,
                     ArbConfig         *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (!changes_state (msg))
    return TRUE;
  if (soup_message_headers_get_one (headers, "Origin") != NULL &&
      arb_http_origin_allowed (msg, config))
    return TRUE;
  arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL,
                       "a request with the session cookie that changes something must come "
                       "from the dashboard's own page (its Origin header), or use a bearer token");
  return FALSE;
}

gboolean
arb_http_session_end (SoupServerMessage *msg,
                      ArbConfig         *config)
{
  g_autofree char *id = cookie_session (msg);

  if (id == NULL)
    return TRUE;
  if (!check_cookie_origin (msg, config))
    return FALSE;
  if (sessions != NULL)
    g_hash_table_remove (sessions, id);
  return TRUE;
}

/* ---------------------------------------------------------------- failed authentication */

/* Wrong tokens a peer may send at once, and then one more every 6 s (10 a
 * minute): a person who mistypes is not hindered, a guesser is. */
#define AUTH_BURST      10
#define AUTH_REFILL_MS  6000
#define AUTH_MAX_PEERS  4096

static ArbPeerLimit *auth_limit;

/* IPv4-mapped IPv6 addresses (a dual-stack socket) as the IPv4 address. */
static GInetAddress *
unmap (GInetAddress *inet)
{
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  const guint8 *bytes = g_inet_address_to_bytes (inet);

  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 &&
      memcmp (bytes, mapped, sizeof mapped) == 0)
    return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
  return g_object_ref (inet);
}

/* Who is counted: an IPv4 address, or the /64 of an IPv6 one (which one
 * machine often has whole). IPv4-mapped IPv6 addresses count as IPv4. */
static char *
peer_key (SoupServerMessage *msg)
{
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GInetAddress) net = NULL;
  g_autofree char *text = NULL;
  guint8 prefix[16] = { 0 };

  if (!G_IS_INET_SOCKET_ADDRESS (addr))
    return g_strdup ("unknown");
  inet = unmap (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
  if (g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6 ||
      g_inet_address_get_is_loopback (inet))
    return g_inet_address_to_string (inet);
  memcpy (prefix, g_inet_address_to_bytes (inet), 8);
  net = g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
  text = g_inet_address_to_string (net);
  return g_strconcat (text, "/64", NULL);
}

void
arb_http_forget_failures (void)
{
  g_clear_pointer (&auth_limit, arb_peer_limit_free);
}

gboolean
arb_http_verify_token (SoupServerMessage *msg,
                       ArbConfig         *config,
                       const char        *token,
                       ArbRole           *role,
                       const char       **name)
{
  g_autofree char *peer = peer_key (msg);
  gint64 now = g_get_monotonic_time ();
  guint wait;

  if (auth_limit == NULL)
    auth_limit = arb_peer_limit_new (AUTH_BURST, AUTH_REFILL_MS, AUTH_MAX_PEERS);
  /* while blocked no token is even compared: a right guess must not show */
  wait = arb_peer_limit_wait (auth_limit, peer, now);
  if (wait > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait);
      g_autofree char *m = g_strdup_printf ("too many wrong tokens from %s: try again in %u s",
                                            peer, wait);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", seconds);
      arb_http_send_error (msg, ARB_ERROR_RATE_LIMITED, NULL, m);
      return FALSE;
    }
  *role = arb_config_check_token (config, token, name);
  /* one line per episode, never the token; structured, with the peer as a field of its own */
  if (*role == ARB_ROLE_NONE && arb_peer_limit_take (auth_limit, peer, now))
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "ARB_PEER", peer,
                      "MESSAGE", "Too many wrong tokens from %s: its tokens are refused (HTTP 429) "
                      "until it tries at most one every %d s", peer, AUTH_REFILL_MS / 1000);
  return TRUE;
}

char *
arb_http_dup_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  const char *protocols;
  g_auto(GStrv) offered = NULL;

  if (auth != NULL)
    {
      if (g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
        return NULL;
      return g_strstrip (g_strdup (auth + 7));
    }
  /* browsers cannot set headers on a WebSocket: "arbdash.v1, bearer.TOKEN" */
  protocols = soup_message_headers_get_list (headers, "Sec-WebSocket-Protocol");
  if (protocols == NULL)
    return NULL;
  offered = g_strsplit (protocols, ",", -1);
  for (char **p = offered; *p != NULL; p++)
    {
      const char *item = g_strstrip (*p);
      if (g_str_has_prefix (item, "bearer."))
        return g_strdup (item + 7);
    }
  return NULL;
}

/* The role the request's token or session cookie has: ARB_ROLE_NONE when
 * there is none (or only a bot token). Answers only a blocked peer (429). */
gboolean
arb_http_peek_role (SoupServerMessage *msg,
                    ArbConfig         *config,
                    ArbRole           *role)
{
  g_autofree char *token = arb_http_dup_token (msg);
  Session *session;

  if (token != NULL)
    {
      /* a comparison like any other: counted against the peer's wrong tokens */
      if (!arb_http_verify_token (msg, config, token, role, NULL))
        return FALSE;
      if (*role == ARB_ROLE_BOT)
        *role = ARB_ROLE_NONE;
      return TRUE;
    }
  session = lookup_session (msg, config);
  *role = session != NULL ? session->role : ARB_ROLE_NONE;
  return TRUE;
}

gboolean
arb_http_authorize (SoupServerMessage *msg,
                    ArbConfig         *config,
                    ArbRole            need,
                    ArbRole           *role_out,
                    const char       **name)
{
  g_autofree char *token = arb_http_dup_token (msg);
  Session *session = token == NULL ? lookup_session (msg, config) : NULL;
  ArbRole role;

  if (session != NULL)
    {
      /* a browser's session cookie: as good as the token that made it, from our page */
      if (!check_cookie_origin (msg, config))
        return FALSE;
      if (!arb_role_allows (session->role, need))
        {
          arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL,
                               "this session's role cannot do this");
          return FALSE;
        }
      if (role_out != NULL)
        *role_out = session->role;
      if (name != NULL)
        *name = session->token_name;
      return TRUE;
    }
  if (token == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"arbdash\"");
      arb_http_send_error (msg, ARB_ERROR_UNAUTHORIZED, NULL,
                           "a bearer token is required (Authorization: Bearer TOKEN)");
      return FALSE;
    }
  if (!arb_http_verify_token (msg, config, token, &role, name))
    return FALSE;
  if (role == ARB_ROLE_NONE)
    {
      arb_http_send_error (msg, ARB_ERROR_UNAUTHORIZED, NULL, "the token is not valid");
      return FALSE;
    }
  if (!arb_role_allows (role, need))
    {
      g_autofree char *m = g_strdup_printf ("a %s token cannot do this: it needs the %s role",
                                            arb_role_name (role), arb_role_name (need));
      arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL, m);
      return FALSE;
    }
  if (role_out != NULL)
    *role_out = role;
  return TRUE;
}

/* ---------------------------------------------------------------- Host and Origin */

/* The names of the address this connection reached: that address itself,
 * and on loopback "localhost", "127.0.0.1" and "::1". Taken from the
 * connection, not the configuration, so that a wildcard listen address
 * answers to the address each client used. */
static gboolean
is_own_name (SoupServerMessage *msg,
             const char        *name,
             int               *local_port)
{
  GSocketAddress *addr = soup_server_message_get_local_address (msg);
  g_autoptr(GInetAddress) local = NULL;
  g_autoptr(GInetAddress) named = NULL;
  g_autoptr(GInetAddress) asked = NULL;

  *local_port = -1;
  if (!G_IS_INET_SOCKET_ADDRESS (addr))
    return FALSE;
  *local_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
  local = unmap (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
  named = g_inet_address_new_from_string (name);
  if (named != NULL)
    {
      asked = unmap (named);
      if (g_inet_address_equal (asked, local))
        return TRUE;
    }
  if (!g_inet_address_get_is_loopback (local))
    return FALSE;
  return strcmp (name, "localhost") == 0 || strcmp (name, "127.0.0.1") == 0 ||
         strcmp (name, "::1") == 0;
}

/* An entry of allowed-hosts that names @name: its port, -1 for any; -2 for none. */
static int
allowed_host_port (ArbConfig  *config,
                   const char *name)
{
  for (char **h = config->allowed_hosts; h != NULL && *h != NULL; h++)
    {
      g_autofree char *entry = NULL;
      int port;

      if (arb_host_parse (*h, &entry, &port) && strcmp (entry, name) == 0)
        return port;
    }
  return -2;
}

/* A Host: one of our names with no port or the port this connection reached,
 * or an allowed host (with its port when the entry gives one). */
static gboolean
authority_allowed (SoupServerMessage *msg,
                   ArbConfig         *config,
                   const char        *name,
                   int                port)
{
  int local_port, allowed;

  if (is_own_name (msg, name, &local_port) && (port == -1 || port == local_port))
    return TRUE;
  allowed = allowed_host_port (config, name);
  return allowed == -1 || (allowed >= 0 && allowed == port);
}

gboolean
arb_http_host_allowed (SoupServerMessage *msg,
                       ArbConfig         *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  /* two Host headers come back joined by a comma, which no name has */
  const char *host = soup_message_headers_get_list (headers, "Host");
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *name = NULL;
  g_autofree char *uri_name = NULL;
  int port;

  if (host != NULL &&
      (!arb_host_parse (host, &name, &port) || !authority_allowed (msg, config, name, port)))
    return FALSE;
  /* libsoup routes on the URL it made from Host, or from an absolute URL in
   * the request line (which then wins), or, for HTTP/1.0 without Host, from
   * the connection's address: check it too when it names another host */
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return TRUE;
  uri_name = g_ascii_strdown (g_uri_get_host (uri), -1);
  if (g_strcmp0 (uri_name, name) == 0)
    return TRUE;
  /* libsoup normalises a missing port to the scheme's */
  port = g_uri_get_port (uri) == 80 ? -1 : g_uri_get_port (uri);
  return authority_allowed (msg, config, uri_name, port);
}

gboolean
arb_http_refuse_foreign_host (SoupServerMessage *msg,
                              ArbConfig         *config)
{
  /* answered already (a request libsoup could not parse, an early check) */
  if (soup_server_message_get_status (msg) != 0 || arb_http_host_allowed (msg, config))
    return FALSE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  arb_http_send_error (msg, ARB_ERROR_FORBIDDEN, NULL,
                       "the Host header names no address of this dashboard: list the name in "
                       "[server] allowed-hosts to reach it by that name");
  return TRUE;
}


/* "http://name:port" or "https://name:port" (no path), as browsers send it. */
static gboolean
parse_origin (const char *origin, gboolean *https, char **name, int *port)
{
  const char *authority;

  if (g_ascii_strncasecmp (origin, "http://", 7) == 0)
    *https = FALSE, authority = origin + 7;
  else if (g_ascii_strncasecmp (origin, "https://", 8) == 0)
    *https = TRUE, authority = origin + 8;
  else
    return FALSE;
  if (!arb_host_parse (authority, name, port))
    return FALSE;
  if (*port == -1)
    *port = *https ? 443 : 80;
  return TRUE;
}

/* Our own origins are derived from the names we answer to, never from the
 * request's Host: a rebinding page would send its own name in both. */
gboolean
arb_http_origin_allowed (SoupServerMessage *msg,
                         ArbConfig         *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  g_autofree char *name = NULL;
  gboolean https;
  int port, local_port, allowed;

  /* non-browser clients send no Origin; browsers always do */
  if (origin == NULL)
    return TRUE;
  for (char **o = config->allowed_origins; o != NULL && *o != NULL; o++)
    if (g_ascii_strcasecmp (origin, *o) == 0)
      return TRUE;
  if (!parse_origin (origin, &https, &name, &port))
    return FALSE;
  /* the dashboard speaks plain HTTP: its own pages are http:// on its port */
  if (!https && is_own_name (msg, name, &local_port) && port == local_port)
    return TRUE;
  /* a name in allowed-hosts is ours on either scheme (a TLS proxy), on the
   * entry's port or, for an entry without one, the scheme's default port */
  allowed = allowed_host_port (config, name);
  if (allowed == -1)
    return port == (https ? 443 : 80);
  return allowed >= 0 && allowed == port;
}
