/* test-transport.c: the server's connections seen from raw sockets: descriptors, the cap,
 * timeouts, bodies refused from the headers, request framing, ranges, WebSocket handshakes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "server-fixture.h"

/* ---------------------------------------------------------------- setup */

typedef struct
{
  guint max_connections;
  guint request_timeout_ms;
} Settings;

static GPtrArray *logged;   /* messages of the listener */

static void
setup (Fixture *fx, gconstpointer data)
{
  const Settings *settings = data;
  g_autoptr(GError) error = NULL;
  ArbConfig *config;

  fx->dir = g_dir_make_tmp ("arb-test-transport-XXXXXX", &error);
  g_assert_no_error (error);
  fx->engine = new_engine (fx, "127.0.0.1");
  config = arb_engine_get_config (fx->engine);
  if (settings != NULL && settings->max_connections > 0)
    config->max_connections = settings->max_connections;
  if (settings != NULL && settings->request_timeout_ms > 0)
    config->request_timeout_ms = settings->request_timeout_ms;
  fx->server = arb_server_new (fx->engine);
  g_assert_true (arb_server_listen (fx->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  fx->base = g_strdup_printf ("http://127.0.0.1:%u", arb_server_get_port (fx->server));
  fx->origin = g_strdup (fx->base);
  fx->session = soup_session_new ();
  fx->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  g_ptr_array_set_size (logged, 0);
}

/* ---------------------------------------------------------------- raw clients */

typedef struct
{
  GSocket *sock;
  GString *in;
  gboolean eof;
} Raw;

static void
raw_free (Raw *r)
{
  g_clear_object (&r->sock);
  g_string_free (r->in, TRUE);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

/* NULL when this process is out of descriptors. */
static Raw *
raw_open (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) where =
    g_inet_socket_address_new (lo, arb_server_get_port (fx->server));
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, &error);
  Raw *r;

  if (sock == NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES);
      return NULL;
    }
  /* loopback: the kernel completes the handshake before any accept() */
  g_assert_true (g_socket_connect (sock, where, NULL, &error));
  g_socket_set_blocking (sock, FALSE);
  r = g_new0 (Raw, 1);
  r->sock = g_steal_pointer (&sock);
  r->in = g_string_new (NULL);
  return r;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the server (in this thread) until @cond holds; raw sockets are not
 * in the main context, so wake up often to look at them. */
static gboolean
raw_spin (Cond cond, gpointer data, guint timeout_ms)
{
  guint id = g_timeout_add (5, tick, NULL);
  gboolean ok = spin_until (cond, data, timeout_ms);

  g_source_remove (id);
  return ok;
}

static void
raw_pump (Raw *r)
{
  char buf[65536];

  while (!r->eof)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (r->sock, buf, sizeof buf, NULL, &error);

      if (n > 0)
        g_string_append_len (r->in, buf, n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        r->eof = TRUE;   /* the end, or a reset */
      else
        break;
    }
}

static gboolean
raw_closed (gpointer data)
{
  raw_pump (data);
  return ((Raw *) data)->eof;
}

/* An answer's head and its Content-Length bytes. */
static gboolean
raw_answered (gpointer data)
{
  Raw *r = data;
  const char *end, *length;

  raw_pump (r);
  end = strstr (r->in->str, "\r\n\r\n");
  if (end == NULL)
    return r->eof;
  length = g_strstr_len (r->in->str, end - r->in->str, "Content-Length: ");
  if (length == NULL)
    return TRUE;
  return (gsize) (end + 4 - r->in->str) + g_ascii_strtoull (length + 16, NULL, 10) <= r->in->len;
}

static void
raw_send (Raw *r, const char *data, gsize len)
{
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (r->sock, data, len, NULL, &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      data += n;
      len -= n;
    }
}

static void
raw_send_text (Raw *r, const char *text)
{
  raw_send (r, text, strlen (text));
}

/* Sends @request on a new connection and waits for the whole answer. */
static Raw *
raw_exchange (Fixture *fx, const char *request)
{
  Raw *r = raw_open (fx);

  raw_send_text (r, request);
  g_assert_true (raw_spin (raw_answered, r, SPIN_MS));
  return r;
}

static void
assert_refused (Raw *r, const char *status, const char *code)
{
  g_autofree char *want = g_strdup_printf ("\"code\":\"%s\"", code);

  g_assert_true (g_str_has_prefix (r->in->str, status));
  g_assert_nonnull (strstr (r->in->str, "\r\nConnection: close\r\n"));
  g_assert_nonnull (strstr (r->in->str, want));
  /* and the connection ends, without the server reading on */
  g_assert_true (raw_spin (raw_closed, r, SPIN_MS));
}

#define HOST "Host: 127.0.0.1\r\n"

static void
assert_health (Fixture *fx)
{
  g_autoptr(Raw) r = raw_exchange (fx, "GET /api/v1/health HTTP/1.1\r\n" HOST
                                       "Connection: close\r\n\r\n");

  g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 200"));
  g_assert_nonnull (strstr (r->in->str, "\"status\":\"ok\""));
}

/* ---------------------------------------------------------------- descriptors */

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
listener_complained (gpointer data)
{
  for (guint i = 0; i < logged->len; i++)
    if (strstr (g_ptr_array_index (logged, i), "cannot accept") != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
no_connections (gpointer data)
{
  return arb_server_get_n_connections (((Fixture *) data)->server) == 0;
}

/* Out of descriptors, then free again: the listener takes connections
 * again by itself (libsoup's own stopped for good). */
static void
test_fd_exhaustion (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) raws = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  struct rlimit saved, low;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  low = saved;
  low.rlim_cur = count_open_fds () + 24;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low), ==, 0);

  for (guint i = 0; i < 400 && !listener_complained (NULL); i++)
    {
      Raw *r = raw_open (fx);

      if (r == NULL)
        {
          /* this process is full too: let one go to make room */
          g_assert_cmpuint (raws->len, >, 0);
          g_ptr_array_remove_index (raws, 0);
        }
      else
        g_ptr_array_add (raws, r);
      raw_spin (listener_complained, NULL, 20);
    }
  g_assert_true (listener_complained (NULL));

  g_ptr_array_set_size (raws, 0);
  g_assert_true (raw_spin (no_connections, fx, SPIN_MS));
  /* still under the low limit, with descriptors free again */
  assert_health (fx);
  assert_health (fx);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
}

/* ---------------------------------------------------------------- the cap */

typedef struct
{
  Fixture *fx;
  guint    n;
} Count;

static gboolean
n_connections (gpointer data)
{
  Count *c = data;

  return arb_server_get_n_connections (c->fx->server) == c->n;
}

static guint
count_cap_lines (void)
{
  guint n = 0;

  for (guint i = 0; i < logged->len; i++)
    if (strstr (g_ptr_array_index (logged, i), "max-connections") != NULL)
      n++;
  return n;
}

static void
test_connection_cap (Fixture *fx, gconstpointer data)
{
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  g_autoptr(Raw) waiting = NULL;
  g_autoptr(Raw) also = NULL;
  Count three = { fx, 3 };

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (idle, raw_open (fx));
  g_assert_true (raw_spin (n_connections, &three, SPIN_MS));

  /* a fourth waits in the kernel's queue, unanswered */
  waiting = raw_open (fx);
  raw_send_text (waiting, "GET /api/v1/health HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n");
  also = raw_open (fx);
  spin_for (300);
  raw_pump (waiting);
  g_assert_cmpuint (waiting->in->len, ==, 0);
  g_assert_cmpuint (arb_server_get_n_connections (fx->server), ==, 3);
  /* said once, not once per connection */
  g_assert_cmpuint (count_cap_lines (), ==, 1);

  /* one goes: the waiting one is served */
  g_ptr_array_remove_index (idle, 0);
  g_assert_true (raw_spin (raw_answered, waiting, SPIN_MS));
  g_assert_true (g_str_has_prefix (waiting->in->str, "HTTP/1.1 200"));
  g_assert_cmpuint (count_cap_lines (), ==, 1);
}

/* A client that closes its kept-alive connection between requests frees its
 * place at once: libsoup 3.2 alone never lets such a connection go, so the
 * cap filled up with closed connections and the server stopped accepting. */
static void
test_closed_between_requests (Fixture *fx, gconstpointer data)
{
  Count none = { fx, 0 };

  /* twice the cap, one after another, each closed by the client */
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(Raw) kept = raw_exchange (fx, "GET /api/v1/health HTTP/1.1\r\n" HOST "\r\n");

      g_assert_true (g_str_has_prefix (kept->in->str, "HTTP/1.1 200"));
      g_assert_false (kept->eof);
    }
  g_assert_true (raw_spin (n_connections, &none, SPIN_MS));
  assert_health (fx);
}

/* ---------------------------------------------------------------- timeouts */

static void
test_idle_timeout (Fixture *fx, gconstpointer data)
{
  g_autoptr(Raw) silent = raw_open (fx);
  g_autoptr(Raw) headers = raw_open (fx);
  g_autoptr(Raw) body = raw_open (fx);
  g_autoptr(Raw) kept = NULL;
  Count none = { fx, 0 };
  gint64 start = g_get_monotonic_time ();

  /* nothing at all; half the headers; half the body */
  raw_send_text (headers, "GET /api/v1/health HTTP/1.1\r\n" HOST "X-Slow: 1");
  raw_send_text (body, "POST /api/v1/session HTTP/1.1\r\n" HOST
                       "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tok");
  g_assert_true (raw_spin (raw_closed, silent, SPIN_MS));
  g_assert_true (raw_spin (raw_closed, headers, SPIN_MS));
  g_assert_true (raw_spin (raw_closed, body, SPIN_MS));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_null (strstr (body->in->str, "200 OK"));

  /* a keep-alive connection is answered, then let go once idle */
  kept = raw_exchange (fx, "GET /api/v1/health HTTP/1.1\r\n" HOST "\r\n");
  g_assert_true (g_str_has_prefix (kept->in->str, "HTTP/1.1 200"));
  g_assert_false (kept->eof);
  g_assert_true (raw_spin (raw_closed, kept, SPIN_MS));
  /* and its place is free again, not only its socket shut */
  g_assert_true (raw_spin (n_connections, &none, SPIN_MS));
  assert_health (fx);
}

/* ---------------------------------------------------------------- bodies */

static void
test_body_from_headers (Fixture *fx, gconstpointer data)
{
  g_autoptr(Raw) session = NULL;
  g_autoptr(Raw) expect = NULL;
  g_autoptr(Raw) get = NULL;
  g_autoptr(Raw) del = NULL;
  g_autoptr(Raw) chunked = NULL;
  g_autoptr(Raw) command = NULL;
  g_autofree char *chunk = g_strnfill (8192, 'x');

  /* 1 GiB announced, none sent: answered at once, nothing buffered */
  session = raw_exchange (fx, "POST /api/v1/session HTTP/1.1\r\n" HOST
                              "Content-Type: application/json\r\n"
                              "Content-Length: 1073741824\r\n\r\n");
  assert_refused (session, "HTTP/1.1 413", "too_large");

  /* no "100 Continue" for 93 GB */
  expect = raw_exchange (fx, "POST /api/v1/session HTTP/1.1\r\n" HOST
                             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                             "Content-Length: 93000000000\r\n\r\n");
  g_assert_null (strstr (expect->in->str, "100 Continue"));
  assert_refused (expect, "HTTP/1.1 413", "too_large");

  /* a command, before any authentication */
  command = raw_exchange (fx, "POST /api/v1/bots/" BOT "/commands HTTP/1.1\r\n" HOST
                              "Content-Type: application/json\r\n"
                              "Content-Length: 20000000\r\n\r\n");
  assert_refused (command, "HTTP/1.1 413", "too_large");

  /* routes that take no body take none */
  get = raw_exchange (fx, "GET /api/v1/health HTTP/1.1\r\n" HOST
                          "Content-Length: 5\r\n\r\nhello");
  assert_refused (get, "HTTP/1.1 400", "bad_request");
  del = raw_exchange (fx, "DELETE /api/v1/session HTTP/1.1\r\n" HOST
                          "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  assert_refused (del, "HTTP/1.1 400", "bad_request");

  /* chunked: cut off once past the route's limit, before the end */
  chunked = raw_open (fx);
  raw_send_text (chunked, "POST /api/v1/session HTTP/1.1\r\n" HOST
                          "Content-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n");
  for (guint i = 0; i < 4; i++)
    {
      raw_send_text (chunked, "2000\r\n");
      raw_send_text (chunked, chunk);
      raw_send_text (chunked, "\r\n");
    }
  g_assert_true (raw_spin (raw_answered, chunked, SPIN_MS));
  assert_refused (chunked, "HTTP/1.1 413", "too_large");

  assert_health (fx);
}

/* ---------------------------------------------------------------- framing */

static void
test_ambiguous_framing (Fixture *fx, gconstpointer data)
{
  const char *requests[] = {
    "POST /api/v1/session HTTP/1.1\r\n" HOST "Content-Length: 5\r\n"
    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "POST /api/v1/session HTTP/1.1\r\n" HOST "Content-Length: 5\r\n"
    "Content-Length: 6\r\n\r\nabcdef",
    "POST /api/v1/session HTTP/1.1\r\n" HOST "Transfer-Encoding : chunked\r\n\r\n"
    "0\r\n\r\n",
    "GET /api/v1/health HTTP/1.1\r\n" HOST "Host: other.example\r\n\r\n",
    "POST /api/v1/session HTTP/1.1\r\n" HOST "Content-Length: -1\r\n\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(Raw) r = raw_exchange (fx, requests[i]);

      g_test_message ("request %u", i);
      assert_refused (r, "HTTP/1.1 400", "bad_request");
      /* one answer only: nothing of the body was taken for a request */
      g_assert_null (strstr (strstr (r->in->str, "\r\n\r\n"), "HTTP/1."));
    }
}

static void
test_range_ignored (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) ranges = g_string_new ("bytes=0-");

  for (guint i = 0; i < 500; i++)
    g_string_append (ranges, ",0-40");
  {
    g_autofree char *request =
      g_strdup_printf ("GET /api/v1/health HTTP/1.1\r\n" HOST "Range: %s\r\n"
                       "Connection: close\r\n\r\n", ranges->str);
    g_autoptr(Raw) r = raw_exchange (fx, request);

    g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 200"));
    g_assert_null (strstr (r->in->str, "Content-Range"));
    g_assert_null (strstr (r->in->str, "multipart"));
    g_assert_true (g_str_has_suffix (r->in->str, "}"));
    g_assert_nonnull (strstr (r->in->str, "\r\n\r\n{\"status\":\"ok\""));
  }
}

/* ---------------------------------------------------------------- WebSocket handshakes */

#define UPGRADE "Upgrade: websocket\r\nConnection: Upgrade\r\n" \
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" \
  "Sec-WebSocket-Protocol: arbdash.v1\r\n"

static void
test_upgrade_no_deflate (Fixture *fx, gconstpointer data)
{
  g_autoptr(Raw) r = raw_open (fx);

  raw_send_text (r, "GET /api/v1/stream HTTP/1.1\r\n" HOST UPGRADE
                    "Authorization: Bearer " VIEWER_TOKEN "\r\n"
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    "\r\n");
  g_assert_true (raw_spin (raw_answered, r, SPIN_MS));
  g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 101"));
  g_assert_null (strstr (r->in->str, "Sec-WebSocket-Extensions"));
}

static void
test_refused_upgrade_closes (Fixture *fx, gconstpointer data)
{
  g_autoptr(Raw) none = raw_exchange (fx, "GET /api/v1/bot HTTP/1.1\r\n" HOST UPGRADE "\r\n");
  g_autoptr(Raw) wrong = raw_exchange (fx, "GET /api/v1/stream HTTP/1.1\r\n" HOST UPGRADE
                                           "Authorization: Bearer not-the-token-at-all\r\n\r\n");
  g_autoptr(Raw) origin = raw_exchange (fx, "GET /api/v1/stream HTTP/1.1\r\n" HOST UPGRADE
                                            "Authorization: Bearer " VIEWER_TOKEN "\r\n"
                                            "Origin: http://evil.example\r\n\r\n");

  assert_refused (none, "HTTP/1.1 401", "unauthorized");
  assert_refused (wrong, "HTTP/1.1 401", "unauthorized");
  assert_refused (origin, "HTTP/1.1 403", "forbidden");
}

/* ---------------------------------------------------------------- fragmented messages */

static void
ws_frame (GByteArray *out, gboolean fin, guint opcode, const guint8 *payload, gsize len)
{
  static const guint8 key[4] = { 0x11, 0x22, 0x33, 0x44 };
  guint8 head[14];
  gsize n = 0;
  gsize start;

  head[n++] = (fin ? 0x80 : 0) | opcode;
  if (len < 126)
    head[n++] = 0x80 | len;
  else if (len < 65536)
    {
      head[n++] = 0x80 | 126;
      head[n++] = len >> 8;
      head[n++] = len & 0xff;
    }
  else
    {
      head[n++] = 0x80 | 127;
      for (gint i = 7; i >= 0; i--)
        head[n++] = ((guint64) len >> (8 * i)) & 0xff;
    }
  memcpy (head + n, key, 4);
  n += 4;
  g_byte_array_append (out, head, n);
  start = out->len;
  g_byte_array_append (out, payload, len);
  for (gsize i = 0; i < len; i++)
    out->data[start + i] ^= key[i % 4];
}

/* A WebSocket after its 101, with the answer's head consumed. */
static Raw *
ws_open (Fixture *fx, const char *path, const char *token)
{
  Raw *r = raw_open (fx);
  g_autofree char *request =
    g_strdup_printf ("GET %s HTTP/1.1\r\n" HOST UPGRADE "Authorization: Bearer %s\r\n\r\n",
                     path, token);
  const char *end;

  raw_send_text (r, request);
  g_assert_true (raw_spin (raw_answered, r, SPIN_MS));
  g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 101"));
  end = strstr (r->in->str, "\r\n\r\n");
  g_string_erase (r->in, 0, end + 4 - r->in->str);
  return r;
}

/* Sends what it can of @data until the server stops the connection. */
static gsize
raw_send_until_closed (Raw *r, const guint8 *data, gsize len)
{
  gsize sent = 0;

  while (sent < len && !r->eof)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (r->sock, (const char *) data + sent, MIN (len - sent, 65536),
                                NULL, &error);

      if (n > 0)
        sent += n;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_main_context_iteration (NULL, FALSE);
          raw_pump (r);
        }
      else
        break;   /* reset or broken pipe: the server is gone */
    }
  return sent;
}

static gboolean
has_text_frame (gpointer data)
{
  Raw *r = data;

  raw_pump (r);
  return strstr (r->in->str, "\"welcome\"") != NULL || r->eof;
}

static void
test_fragmented_message (Fixture *fx, gconstpointer data)
{
  static const char hello[] = "{\"type\":\"hello\",\"bot_id\":\"" BOT "\",\"name\":\"raw\"}";
  g_autoptr(Raw) ok = ws_open (fx, "/api/v1/bot", BOT_TOKEN);
  g_autoptr(Raw) bomb = ws_open (fx, "/api/v1/bot", BOT_TOKEN);
  g_autoptr(Raw) viewer = ws_open (fx, "/api/v1/stream", VIEWER_TOKEN);
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  g_autofree guint8 *mib = g_malloc0 (1024 * 1024);
  gsize sent;
  const guint8 *in;

  /* a message in three fragments, under the limit, still works */
  ws_frame (frames, FALSE, 0x1, (const guint8 *) hello, 10);
  ws_frame (frames, FALSE, 0x0, (const guint8 *) hello + 10, 10);
  ws_frame (frames, TRUE, 0x0, (const guint8 *) hello + 20, strlen (hello) - 20);
  raw_send (ok, (const char *) frames->data, frames->len);
  g_assert_true (raw_spin (has_text_frame, ok, SPIN_MS));
  g_assert_false (ok->eof);
  g_assert_nonnull (strstr (ok->in->str, "\"welcome\""));

  /* 24 MiB in 1 MiB fragments: cut at 4 MiB with a close frame (1009) */
  g_byte_array_set_size (frames, 0);
  memset (mib, ' ', 1024 * 1024);
  ws_frame (frames, FALSE, 0x1, mib, 1024 * 1024);
  for (guint i = 1; i < 24; i++)
    ws_frame (frames, i == 23, 0x0, mib, 1024 * 1024);
  sent = raw_send_until_closed (bomb, frames->data, frames->len);
  g_assert_true (raw_spin (raw_closed, bomb, SPIN_MS));
  g_test_message ("sent %" G_GSIZE_FORMAT " of %u bytes before the server closed", sent,
                  frames->len);
  g_assert_cmpuint (sent, <, frames->len);
  g_assert_cmpuint (bomb->in->len, >=, 4);
  in = (const guint8 *) bomb->in->str;
  g_assert_cmpuint (in[0], ==, 0x88);
  g_assert_cmpuint ((guint) in[2] << 8 | in[3], ==, 1009);

  /* the same on the viewers' endpoint */
  raw_send_until_closed (viewer, frames->data, frames->len);
  g_assert_true (raw_spin (raw_closed, viewer, SPIN_MS));
  in = (const guint8 *) strstr (viewer->in->str, "\x88\x02");
  g_assert_nonnull (in);
  g_assert_cmpuint ((guint) in[2] << 8 | in[3], ==, 1009);
  /* and the bot that stayed under the limit is still connected */
  raw_pump (ok);
  g_assert_false (ok->eof);
}

/* Frames sent together with the upgrade request, in one write: libsoup
 * reads them with the headers, and they must still be followed. */
static void
test_frames_with_upgrade (Fixture *fx, gconstpointer data)
{
  static const char hello[] = "{\"type\":\"hello\",\"bot_id\":\"" BOT "\",\"name\":\"raw\"}";
  static const char request[] = "GET /api/v1/bot HTTP/1.1\r\n" HOST UPGRADE
                                "Authorization: Bearer " BOT_TOKEN "\r\n\r\n";
  g_autoptr(Raw) ok = raw_open (fx);
  g_autoptr(Raw) bomb = raw_open (fx);
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autofree guint8 *big = g_malloc0 (3 * 1024 * 1024);
  const char *close;

  g_byte_array_append (first, (const guint8 *) request, strlen (request));
  ws_frame (first, FALSE, 0x1, (const guint8 *) hello, 10);
  ws_frame (first, TRUE, 0x0, (const guint8 *) hello + 10, strlen (hello) - 10);
  raw_send (ok, (const char *) first->data, first->len);
  g_assert_true (raw_spin (has_text_frame, ok, SPIN_MS));
  g_assert_true (g_str_has_prefix (ok->in->str, "HTTP/1.1 101"));
  g_assert_nonnull (strstr (ok->in->str, "\"welcome\""));

  /* the start of a message in the same write as the request, the rest after */
  g_byte_array_append (second, (const guint8 *) request, strlen (request));
  ws_frame (second, FALSE, 0x1, big, 3 * 1024 * 1024);
  raw_send_until_closed (bomb, second->data, second->len);
  g_byte_array_set_size (second, 0);
  ws_frame (second, TRUE, 0x0, big, 3 * 1024 * 1024);
  raw_send_until_closed (bomb, second->data, second->len);
  g_assert_true (raw_spin (raw_closed, bomb, SPIN_MS));
  g_assert_true (g_str_has_prefix (bomb->in->str, "HTTP/1.1 101"));
  close = strstr (bomb->in->str, "\r\n\r\n") + 4;
  g_assert_cmpuint ((guint8) close[0], ==, 0x88);
  g_assert_cmpuint ((guint) (guint8) close[2] << 8 | (guint8) close[3], ==, 1009);
}

int
main (int argc, char *argv[])
{
  static const Settings cap = { 3, 0 };
  static const Settings quick = { 0, 300 };

  g_test_init (&argc, &argv, NULL);
  logged = g_ptr_array_new_with_free_func (g_free);
  test_capture_log ("arb-listener", G_LOG_LEVEL_MESSAGE, &logged);
  g_test_add ("/transport/fd-exhaustion", Fixture, NULL, setup, test_fd_exhaustion,
              fixture_teardown);
  g_test_add ("/transport/connection-cap", Fixture, &cap, setup, test_connection_cap,
              fixture_teardown);
  g_test_add ("/transport/closed-between-requests", Fixture, &cap, setup,
              test_closed_between_requests, fixture_teardown);
  g_test_add ("/transport/idle-timeout", Fixture, &quick, setup, test_idle_timeout,
              fixture_teardown);
  g_test_add ("/transport/body-from-headers", Fixture, NULL, setup, test_body_from_headers,
              fixture_teardown);
  g_test_add ("/transport/ambiguous-framing", Fixture, NULL, setup, test_ambiguous_framing,
              fixture_teardown);
  g_test_add ("/transport/range-ignored", Fixture, NULL, setup, test_range_ignored,
              fixture_teardown);
  g_test_add ("/transport/upgrade-no-deflate", Fixture, NULL, setup, test_upgrade_no_deflate,
              fixture_teardown);
  g_test_add ("/transport/refused-upgrade-closes", Fixture, NULL, setup,
              test_refused_upgrade_closes, fixture_teardown);
  g_test_add ("/transport/fragmented-message", Fixture, NULL, setup, test_fragmented_message,
              fixture_teardown);
  g_test_add ("/transport/frames-with-upgrade", Fixture, NULL, setup, test_frames_with_upgrade,
              fixture_teardown);
  return g_test_run ();
}
