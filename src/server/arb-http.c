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
  g_object_set_data (G_OBJECT (msg), PAUSED_KEY, GINT_TO_POINTER (1));
  g_signal_connect (msg, "finished", G_CALLBACK (on_finished), NULL);
  soup_server_message_pause (msg);
}

/* Ends a pause: returns FALSE (and drops the message) when the client is gone. */
gboolean
arb_http_resume (SoupServerMessage *msg)
{
  gboolean alive;

  if (g_object_get_data (G_OBJECT (msg), PAUSED_KEY) == NULL)
    return TRUE;
  g_object_set_data (G_OBJECT (msg), PAUSED_KEY, NULL);
  alive = g_object_get_data (G_OBJECT (msg), FINISHED_KEY) == NULL;
  if (alive)
    soup_server_message_unpause (msg);
  g_signal_handlers_disconnect_by_func (msg, on_finished, NULL);
  g_object_unref (msg);
  return alive;
}

void
arb_http_send_json (SoupServerMessage *msg,
                    guint              status,
                    JsonNode          *body)
{
  arb_http_send_text (msg, status, json_to_string (body, FALSE));
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
  soup_server_message_set_status (msg, status, NULL);
  /* set_response appends: drop the default body the server put there */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
  arb_http_resume (msg);
  g_object_unref (msg);
}

/* Errors answered, by code and endpoint, for /metrics. One table for the
 * process: every server answers from the main thread. */
static GHashTable *error_counts;

static const char *
endpoint_of (SoupServerMessage *msg)
{
  static const char *known[] = {
    "/api/v1/health", "/api/v1/events", "/api/v1/trades", "/api/v1/trades.csv",
    "/api/v1/summary", "/api/v1/system", "/api/v1/series", "/api/v1/resources",
    "/api/v1/bots", "/api/v1/audit", "/api/v1/alerts", "/api/v1/session", "/api/v1/bot",
    "/api/v1/stream", "/metrics",
  };
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;

  if (path == NULL)
    return "other";
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (path, known[i]) == 0)
      return known[i];
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

void
arb_http_session_end (SoupServerMessage *msg)
{
  g_autofree char *id = cookie_session (msg);

  if (id != NULL && sessions != NULL)
    g_hash_table_remove (sessions, id);
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

/* The role the request's token or session cookie has, without answering:
 * ARB_ROLE_NONE when there is none (or only a bot token). */
ArbRole
arb_http_peek_role (SoupServerMessage *msg,
                    ArbConfig         *config)
{
  g_autofree char *token = arb_http_dup_token (msg);
  Session *session;
  ArbRole role;

  if (token != NULL)
    {
      role = arb_config_check_token (config, token, NULL);
      return role == ARB_ROLE_BOT ? ARB_ROLE_NONE : role;
    }
  session = lookup_session (msg, config);
  return session != NULL ? session->role : ARB_ROLE_NONE;
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
      /* a browser's session cookie: as good as the token that made it */
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
  role = arb_config_check_token (config, token, name);
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

gboolean
arb_http_origin_allowed (SoupServerMessage *msg,
                         ArbConfig         *config)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");
  g_autofree char *own = NULL;

  /* non-browser clients send no Origin; browsers always do */
  if (origin == NULL)
    return TRUE;
  if (host != NULL)
    {
      own = g_strconcat ("http://", host, NULL);
      if (g_ascii_strcasecmp (origin, own) == 0)
        return TRUE;
    }
  for (char **o = config->allowed_origins; o != NULL && *o != NULL; o++)
    if (g_ascii_strcasecmp (origin, *o) == 0)
      return TRUE;
  return FALSE;
}
