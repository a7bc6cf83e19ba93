/* arb-listener.c: the accept loop of the server, which survives running out of descriptors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2's own listener gives up for good after one failed accept()
 * (EMFILE, say), and has no cap and no timeout. So the server accepts by
 * itself and hands each connection to libsoup with
 * soup_server_accept_iostream(). A connection is counted from accept()
 * until its GSocket is finalized, which is when its descriptor goes.
 */
#define G_LOG_DOMAIN "arb-listener"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "arb-conn-input.h"
#include "arb-listener.h"

/* How long to wait before accepting again after an accept() error. */
#define RETRY_MS       250
/* A refused request's unread body: how much and how long to drain before
 * closing, so that the client reads the answer instead of a reset. */
#define DRAIN_BYTES    (4 * 1024 * 1024)
#define DRAIN_MS       3000

typedef struct
{
  ArbListener *owner;
  GSocket     *sock;    /* weak: the connection ends when it goes */
  ArbConnInput *input;  /* weak */
  char        *key;     /* the peer's address and port */
  guint        timeout_id;
} Conn;

struct _ArbListener
{
  SoupServer *soup;
  GSocket    *sock;
  GSource    *source;         /* NULL while not accepting */
  guint       retry_id;
  GHashTable *conns;          /* key -> Conn*, the newest for a key */
  GPtrArray  *all;            /* Conn*, owned */
  guint       max_connections;
  guint       timeout_ms;
  guint       log_level;      /* connections open when the pause was logged; 0: none */
  gboolean    stopped;
  GSocket    *placeholder[2];
};

static void resume (ArbListener *self);

/* ---------------------------------------------------------------- connections */

static char *
address_key (GSocketAddress *address)
{
  g_autofree char *host = NULL;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  host = g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s|%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static Conn *
conn_of (ArbListener *self, SoupServerMessage *msg)
{
  g_autofree char *key = NULL;

  if (self == NULL)
    return NULL;
  key = address_key (soup_server_message_get_remote_address (msg));
  return key != NULL ? g_hash_table_lookup (self->conns, key) : NULL;
}

static void
conn_free (Conn *c)
{
  if (c->input != NULL)
    g_object_remove_weak_pointer (G_OBJECT (c->input), (gpointer *) &c->input);
  g_clear_handle_id (&c->timeout_id, g_source_remove);
  g_free (c->key);
  g_free (c);
}

static gboolean
on_timeout (gpointer data)
{
  Conn *c = data;

  c->timeout_id = 0;
  g_debug ("closing %s: no whole request within %u ms", c->key, c->owner->timeout_ms);
  /* libsoup still owns the descriptor: it sees the end of the stream and
   * lets the connection go */
  g_socket_shutdown (c->sock, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
conn_arm (Conn *c)
{
  g_clear_handle_id (&c->timeout_id, g_source_remove);
  if (c->owner->timeout_ms > 0)
    c->timeout_id = g_timeout_add (c->owner->timeout_ms, on_timeout, c);
}

/* One log line per episode of pressure, not one per connection: the
 * episode ends once half the connections open then have gone. */
static void
maybe_end_episode (ArbListener *self)
{
  if (self->log_level > 0 && self->all->len <= self->log_level / 2)
    self->log_level = 0;
}

static void
on_socket_gone (gpointer data, GObject *where_the_socket_was)
{
  Conn *c = data;
  ArbListener *self = c->owner;

  if (g_hash_table_lookup (self->conns, c->key) == c)
    g_hash_table_remove (self->conns, c->key);
  g_ptr_array_remove_fast (self->all, c);
  conn_free (c);
  maybe_end_episode (self);
  /* a descriptor is free again: accept at once if we stopped for it */
  if (self->source == NULL && !self->stopped)
    resume (self);
}

static gboolean
hand_over (ArbListener *self, GSocket *client)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (client, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
  g_autoptr(GSocketConnection) base = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Conn *c;

  /* the peer may be gone already */
  if (local == NULL || remote == NULL)
    return FALSE;
  g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  c = g_new0 (Conn, 1);
  c->owner = self;
  c->sock = client;
  c->key = address_key (remote);
  g_object_weak_ref (G_OBJECT (client), on_socket_gone, c);
  g_ptr_array_add (self->all, c);
  g_hash_table_replace (self->conns, c->key, c);
  conn_arm (c);
  base = g_socket_connection_factory_create_connection (client);
  input = arb_conn_input_new (G_IO_STREAM (base));
  c->input = ARB_CONN_INPUT (input);
  g_object_add_weak_pointer (G_OBJECT (input), (gpointer *) &c->input);
  stream = g_simple_io_stream_new (input, g_io_stream_get_output_stream (G_IO_STREAM (base)));
  if (!soup_server_accept_iostream (self->soup, stream, local, remote, &error))
    g_debug ("libsoup refused a connection: %s", error->message);
  return TRUE;
}

/* ---------------------------------------------------------------- accepting */

static gboolean
on_retry (gpointer data)
{
  ArbListener *self = data;

  self->retry_id = 0;
  resume (self);
  return G_SOURCE_REMOVE;
}

static void
pause_accepting (ArbListener *self, const GError *error)
{
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  if (self->log_level == 0)
    {
      self->log_level = MAX (self->all->len, 1);
      if (error != NULL)
        g_message ("cannot accept connections (%s) with %u open: new ones wait until "
                   "descriptors are free", error->message, self->all->len);
      else
        g_message ("%u connections open, the limit (max-connections): new ones wait until "
                   "one closes", self->all->len);
    }
  /* at the cap, the next close resumes; after an error, retry too (the
   * descriptors may belong to something else) */
  if (error != NULL && self->retry_id == 0)
    self->retry_id = g_timeout_add (RETRY_MS, on_retry, self);
}

static gboolean
on_incoming (GSocket *sock, GIOCondition condition, gpointer data)
{
  ArbListener *self = data;

  /* a few at a time, so that a flood does not starve the main loop */
  for (guint i = 0; i < 32; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = NULL;

      if (self->all->len >= self->max_connections)
        {
          pause_accepting (self, NULL);
          return G_SOURCE_REMOVE;
        }
      client = g_socket_accept (self->sock, NULL, &error);
      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return G_SOURCE_CONTINUE;
          /* EMFILE, ENFILE, ENOBUFS: the pending connection stays queued and
           * the socket stays readable, so stop watching it for a while */
          pause_accepting (self, error);
          return G_SOURCE_REMOVE;
        }
      hand_over (self, client);
    }
  return G_SOURCE_CONTINUE;
}

static void
resume (ArbListener *self)
{
  if (self->source != NULL || self->stopped || self->all->len >= self->max_connections)
    return;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->source = g_socket_create_source (self->sock, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_incoming), self, NULL);
  g_source_attach (self->source, g_main_context_get_thread_default ());
}

/* libsoup keeps connections alive only while it has a listener of its
 * own; give it one that never receives anything (one end of a pair). */
static gboolean
add_placeholder (ArbListener *self, GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "socketpair: %s",
                   g_strerror (saved));
      return FALSE;
    }
  self->placeholder[0] = g_socket_new_from_fd (fds[0], NULL);
  self->placeholder[1] = g_socket_new_from_fd (fds[1], NULL);
  if (self->placeholder[0] == NULL || self->placeholder[1] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "socketpair: not a socket");
      return FALSE;
    }
  return soup_server_listen_socket (self->soup, self->placeholder[0], 0, error);
}

ArbListener *
arb_listener_new (SoupServer *soup,
                  GSocket    *sock,
                  guint       max_connections,
                  guint       timeout_ms,
                  GError    **error)
{
  g_autoptr(ArbListener) self = g_new0 (ArbListener, 1);

  self->soup = g_object_ref (soup);
  self->sock = g_object_ref (sock);
  self->conns = g_hash_table_new (g_str_hash, g_str_equal);
  self->all = g_ptr_array_new ();
  self->max_connections = MAX (max_connections, 1);
  self->timeout_ms = timeout_ms;
  g_socket_set_blocking (sock, FALSE);
  if (!add_placeholder (self, error))
    return NULL;
  resume (self);
  return g_steal_pointer (&self);
}

void
arb_listener_stop (ArbListener *self)
{
  self->stopped = TRUE;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->sock != NULL)
    g_socket_close (self->sock, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (self->placeholder); i++)
    if (self->placeholder[i] != NULL)
      g_socket_close (self->placeholder[i], NULL);
}

void
arb_listener_free (ArbListener *self)
{
  if (self == NULL)
    return;
  arb_listener_stop (self);
  for (guint i = 0; i < self->all->len; i++)
    {
      Conn *c = g_ptr_array_index (self->all, i);
      g_object_weak_unref (G_OBJECT (c->sock), on_socket_gone, c);
    }
  g_clear_pointer (&self->conns, g_hash_table_unref);
  g_ptr_array_set_free_func (self->all, (GDestroyNotify) conn_free);
  g_clear_pointer (&self->all, g_ptr_array_unref);
  g_clear_object (&self->placeholder[0]);
  g_clear_object (&self->placeholder[1]);
  g_clear_object (&self->sock);
  g_clear_object (&self->soup);
  g_free (self);
}

guint
arb_listener_get_n_connections (ArbListener *self)
{
  return self->all->len;
}

GSocket *
arb_listener_get_socket (ArbListener       *self,
                         SoupServerMessage *msg)
{
  Conn *c = conn_of (self, msg);

  return c != NULL ? c->sock : NULL;
}

void
arb_listener_request_read (ArbListener       *self,
                           SoupServerMessage *msg)
{
  Conn *c = conn_of (self, msg);

  if (c != NULL)
    g_clear_handle_id (&c->timeout_id, g_source_remove);
}

void
arb_listener_request_done (ArbListener       *self,
                           SoupServerMessage *msg)
{
  Conn *c = conn_of (self, msg);

  if (c == NULL || self->stopped || g_socket_is_closed (c->sock))
    return;
  conn_arm (c);
  if (c->input != NULL)
    arb_conn_input_set_idle (c->input);
}

void
arb_listener_set_websocket (ArbListener       *self,
                            SoupServerMessage *msg,
                            guint64            max_message)
{
  Conn *c = conn_of (self, msg);

  if (c != NULL && c->input != NULL)
    arb_conn_input_set_websocket (c->input, max_message);
}

/* ---------------------------------------------------------------- refusing */

typedef struct
{
  GIOStream *stream;
  GSocket   *sock;
  char      *text;
  gsize      drained;
  GCancellable *cancel;
  guint      deadline_id;
  char       buf[16384];
} Refusal;

static void
refusal_free (Refusal *r)
{
  g_clear_handle_id (&r->deadline_id, g_source_remove);
  g_clear_object (&r->cancel);
  g_clear_object (&r->stream);
  g_clear_object (&r->sock);
  g_free (r->text);
  g_free (r);
}

static void
closed_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  refusal_free (data);
}

static void
finish_refusal (Refusal *r)
{
  g_clear_handle_id (&r->deadline_id, g_source_remove);
  g_io_stream_close_async (r->stream, G_PRIORITY_DEFAULT, NULL, closed_cb, r);
}

static void
drained_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Refusal *r = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || (r->drained += n) > DRAIN_BYTES)
    {
      finish_refusal (r);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), r->buf, sizeof r->buf, G_PRIORITY_DEFAULT,
                             r->cancel, drained_cb, r);
}

static gboolean
on_drain_deadline (gpointer data)
{
  Refusal *r = data;

  r->deadline_id = 0;
  g_cancellable_cancel (r->cancel);
  return G_SOURCE_REMOVE;
}

static void
written_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Refusal *r = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL) ||
      r->sock == NULL)
    {
      finish_refusal (r);
      return;
    }
  /* say we are done, then read (and drop) what the client is still
   * sending for a moment: closing with unread data would reset the
   * connection and could lose the answer */
  g_socket_shutdown (r->sock, FALSE, TRUE, NULL);
  r->cancel = g_cancellable_new ();
  r->deadline_id = g_timeout_add (DRAIN_MS, on_drain_deadline, r);
  g_input_stream_read_async (g_io_stream_get_input_stream (r->stream), r->buf, sizeof r->buf,
                             G_PRIORITY_DEFAULT, r->cancel, drained_cb, r);
}

static char *
format_response (SoupServerMessage *msg)
{
  guint status = soup_server_message_get_status (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  const char *server = soup_message_headers_get_one (headers, "Server");
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  if (server != NULL)
    g_string_append_printf (out, "Server: %s\r\n", server);
  if (type != NULL && len > 0)
    g_string_append_printf (out, "Content-Type: %s\r\n", type);
  g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\nConnection: close\r\n\r\n", len);
  g_string_append_len (out, data, len);
  return g_string_free (out, FALSE);
}

void
arb_listener_refuse (ArbListener       *self,
                     SoupServerMessage *msg)
{
  g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
  GSocket *sock = arb_listener_get_socket (self, msg);
  Refusal *r = g_new0 (Refusal, 1);

  r->text = format_response (msg);
  r->sock = sock != NULL ? g_object_ref (sock) : NULL;
  if (sock != NULL)
    {
      Conn *c = conn_of (self, msg);
      g_clear_handle_id (&c->timeout_id, g_source_remove);
    }
  /* from here on libsoup forgets the connection: it reads nothing more */
  r->stream = soup_server_message_steal_connection (msg);
  if (r->stream == NULL)
    {
      refusal_free (r);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (r->stream), r->text,
                                   strlen (r->text), G_PRIORITY_DEFAULT, NULL, written_cb, r);
}

/* ---------------------------------------------------------------- limits */

void
arb_listener_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_printerr ("arbdash: warning: cannot raise the limit of open files: %s\n",
                g_strerror (errno));
}
