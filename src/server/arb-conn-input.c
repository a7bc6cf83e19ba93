/* arb-conn-input.c: what a client sends, as libsoup reads it, with WebSocket messages bounded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 bounds each WebSocket frame but reassembles a fragmented
 * message whole, however long (CVE-2025-32049). So every connection's
 * input goes through this stream, which follows the frame headers once
 * the connection is upgraded and, when a message's fragments add up to
 * more than the limit, gives libsoup a close frame (1009) from the client
 * instead of the frame that went over: libsoup answers it with a close
 * frame and lets the connection go, having read none of the excess.
 *
 * Before the upgrade, a read never goes past the end of a header block
 * (an empty line): the bytes after the upgrade request's headers are then
 * still here, not in libsoup's buffer, when the switch to frames comes.
 */
#define G_LOG_DOMAIN "arb-conn-input"

#include "config.h"

#include <string.h>

#include "arb-conn-input.h"

#define CHUNK 16384

struct _ArbConnInput
{
  GInputStream  parent_instance;

  GIOStream    *base;
  GInputStream *base_in;
  GByteArray   *buf;         /* read from the base, not yet given out, from @off */
  gsize         off;
  gboolean      eof;

  /* HTTP: the last two bytes given out, to find an empty line across reads */
  guint8        p1, p2;
  /* between two requests of a kept-alive connection: nothing given out since
   * the last answer (see closed_between_requests()) */
  gboolean      idle;
  gsize         hung_up;     /* bytes of the empty line given out */

  /* WebSocket */
  gboolean      websocket;
  guint64       max_message;
  guint64       frame_left;  /* bytes of the current frame still to give out */
  guint64       message;     /* bytes of the current message so far */
  gboolean      refused;
  guint8        close_frame[8];
  gsize         close_len, close_off;
};

static void arb_conn_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArbConnInput, arb_conn_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      arb_conn_input_pollable_init))

/* ---------------------------------------------------------------- framing */

/* How many of the buffered bytes may go out now (0: more are needed). */
static gsize
http_deliverable (ArbConnInput *self)
{
  const guint8 *data = self->buf->data + self->off;
  gsize avail = self->buf->len - self->off;
  guint8 p1 = self->p1, p2 = self->p2;

  for (gsize i = 0; i < avail; i++)
    {
      /* libsoup ends a header block at "\n\n" or "\n\r\n" */
      if (data[i] == '\n' && (p1 == '\n' || (p1 == '\r' && p2 == '\n')))
        return i + 1;
      p2 = p1;
      p1 = data[i];
    }
  return avail;
}

static void
refuse_message (ArbConnInput *self)
{
  static const guint8 frame[] = {
    0x88, 0x82, 0, 0, 0, 0,   /* FIN, close; masked (with a zero key), 2 bytes */
    1009 >> 8, 1009 & 0xff,   /* the message is too big */
  };

  self->refused = TRUE;
  memcpy (self->close_frame, frame, sizeof frame);
  self->close_len = sizeof frame;
  g_debug ("a WebSocket message over %" G_GUINT64_FORMAT " bytes: closing with 1009",
           self->max_message);
}

static gsize
ws_deliverable (ArbConnInput *self)
{
  const guint8 *h = self->buf->data + self->off;
  gsize avail = self->buf->len - self->off;
  gsize need = 2;
  guint64 len;
  guint opcode;

  if (self->frame_left > 0)
    return MIN (self->frame_left, avail);
  /* a frame starts: wait for its whole header before giving out any of it */
  if (avail < need)
    return 0;
  len = h[1] & 0x7f;
  need += (len == 126 ? 2 : len == 127 ? 8 : 0) + ((h[1] & 0x80) ? 4 : 0);
  if (avail < need)
    return 0;
  if (len == 126)
    len = (guint64) h[2] << 8 | h[3];
  else if (len == 127)
    {
      len = 0;
      for (guint i = 0; i < 8; i++)
        len = len << 8 | h[2 + i];
    }
  opcode = h[0] & 0x0f;
  if (opcode < 8)
    {
      /* a data frame: a new message, or a continuation of the current one */
      if (opcode != 0)
        self->message = 0;
      if (len > self->max_message || self->message + len > self->max_message)
        {
          refuse_message (self);
          return 0;
        }
      self->message += len;
      if (h[0] & 0x80)
        self->message = 0;
    }
  /* libsoup refuses a frame longer than its own limit: G_MAXUINT64 cannot come */
  self->frame_left = need + MIN (len, G_MAXUINT64 - need);
  return MIN (self->frame_left, avail);
}

static gsize
deliverable (ArbConnInput *self)
{
  if (self->off >= self->buf->len)
    return 0;
  return self->websocket ? ws_deliverable (self) : http_deliverable (self);
}

static gssize
give_out (ArbConnInput *self, guint8 *out, gsize count, gsize n)
{
  const guint8 *data = self->buf->data + self->off;

  n = MIN (n, count);
  memcpy (out, data, n);
  self->idle = FALSE;
  if (self->websocket)
    self->frame_left -= n;
  else if (n >= 2)
    self->p2 = data[n - 2], self->p1 = data[n - 1];
  else
    self->p2 = self->p1, self->p1 = data[0];
  self->off += n;
  if (self->off == self->buf->len)
    {
      g_byte_array_set_size (self->buf, 0);
      self->off = 0;
    }
  return n;
}

/* libsoup 3.2 starts a kept-alive connection's next request only once it
 * has read a line of it; an end of stream before that finishes a request
 * nobody waits for, and the connection is never let go (its descriptor and
 * its place under the cap stay taken). So a client that hangs up between
 * requests is given an empty line and then an error: libsoup starts the
 * request, fails it unanswered, and drops the connection as for any broken
 * request. Only between requests: inside one, the end of stream is libsoup's. */
static gssize
closed_between_requests (ArbConnInput *self, guint8 *out, gsize count, GError **error)
{
  static const guint8 line[] = { '\r', '\n' };

  if (self->hung_up < sizeof line)
    {
      gsize n = MIN (count, sizeof line - self->hung_up);

      memcpy (out, line + self->hung_up, n);
      self->hung_up += n;
      return n;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "the client closed the connection");
  return -1;
}

static gssize
produce (ArbConnInput  *self,
         void          *buffer,
         gsize          count,
         gboolean       blocking,
         GCancellable  *cancellable,
         GError       **error)
{
  if (count == 0)
    return 0;
  for (;;)
    {
      gsize n;
      gssize got;
      guint8 chunk[CHUNK];

      if (self->close_off < self->close_len)
        {
          n = MIN (count, self->close_len - self->close_off);
          memcpy (buffer, self->close_frame + self->close_off, n);
          self->close_off += n;
          return n;
        }
      if (self->refused)
        {
          /* nothing more from this client: libsoup closes after its answer */
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "the connection is closing");
          return -1;
        }
      n = deliverable (self);
      if (n > 0)
        return give_out (self, buffer, count, n);
      if (self->refused)
        continue;
      if (self->eof && self->idle && !self->websocket)
        return closed_between_requests (self, buffer, count, error);
      if (self->eof)
        {
          /* the client went away in the middle of a frame header */
          g_byte_array_set_size (self->buf, 0);
          self->off = 0;
          return 0;
        }
      got = blocking
        ? g_input_stream_read (self->base_in, chunk, sizeof chunk, cancellable, error)
        : g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base_in),
                                                    chunk, sizeof chunk, cancellable, error);
      if (got < 0)
        return -1;
      if (got == 0)
        self->eof = TRUE;
      g_byte_array_append (self->buf, chunk, got);
    }
}

/* ---------------------------------------------------------------- GInputStream */

static gssize
arb_conn_input_read (GInputStream  *stream,
                     void          *buffer,
                     gsize          count,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return produce (ARB_CONN_INPUT (stream), buffer, count, TRUE, cancellable, error);
}

static gboolean
arb_conn_input_close (GInputStream  *stream,
                      GCancellable  *cancellable,
                      GError       **error)
{
  ArbConnInput *self = ARB_CONN_INPUT (stream);

  /* the socket goes with the input: libsoup closes the input last */
  return g_io_stream_close (self->base, cancellable, error);
}

static gboolean
arb_conn_input_is_readable (GPollableInputStream *stream)
{
  ArbConnInput *self = ARB_CONN_INPUT (stream);

  if (self->close_off < self->close_len)
    return TRUE;
  if (self->refused)
    return FALSE;
  /* deliverable() may find a message too big: then the close frame is ready */
  if (self->eof || deliverable (self) > 0 || self->close_len > 0)
    return TRUE;
  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base_in));
}

static GSource *
arb_conn_input_create_source (GPollableInputStream *stream,
                              GCancellable         *cancellable)
{
  ArbConnInput *self = ARB_CONN_INPUT (stream);
  g_autoptr(GSource) inner = NULL;

  if (arb_conn_input_is_readable (stream))
    inner = g_timeout_source_new (0);
  else if (!self->refused)
    inner = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base_in),
                                                   NULL);
  /* refused: a source that never fires (but for @cancellable) */
  return g_pollable_source_new_full (stream, inner, cancellable);
}

static gssize
arb_conn_input_read_nonblocking (GPollableInputStream  *stream,
                                 void                  *buffer,
                                 gsize                  count,
                                 GError               **error)
{
  return produce (ARB_CONN_INPUT (stream), buffer, count, FALSE, NULL, error);
}

static gboolean
arb_conn_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static void
arb_conn_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = arb_conn_input_can_poll;
  iface->is_readable = arb_conn_input_is_readable;
  iface->create_source = arb_conn_input_create_source;
  iface->read_nonblocking = arb_conn_input_read_nonblocking;
}

static void
arb_conn_input_finalize (GObject *object)
{
  ArbConnInput *self = ARB_CONN_INPUT (object);

  g_clear_pointer (&self->buf, g_byte_array_unref);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (arb_conn_input_parent_class)->finalize (object);
}

static void
arb_conn_input_class_init (ArbConnInputClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = arb_conn_input_finalize;
  stream_class->read_fn = arb_conn_input_read;
  stream_class->close_fn = arb_conn_input_close;
}

static void
arb_conn_input_init (ArbConnInput *self)
{
  self->buf = g_byte_array_new ();
}

GInputStream *
arb_conn_input_new (GIOStream *base)
{
  ArbConnInput *self;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);

  self = g_object_new (ARB_TYPE_CONN_INPUT, NULL);
  self->base = g_object_ref (base);
  self->base_in = g_io_stream_get_input_stream (base);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (self->base_in), NULL);
  return G_INPUT_STREAM (self);
}

void
arb_conn_input_set_websocket (ArbConnInput *self,
                              guint64       max_message)
{
  g_return_if_fail (ARB_IS_CONN_INPUT (self));

  self->websocket = TRUE;
  self->max_message = max_message;
  self->frame_left = 0;
  self->message = 0;
}

gboolean
arb_conn_input_get_refused (ArbConnInput *self)
{
  g_return_val_if_fail (ARB_IS_CONN_INPUT (self), FALSE);

  return self->refused;
}

/**
 * arb_conn_input_set_idle:
 * @self: a connection's input
 *
 * Says that the connection's last request has been answered and it is kept
 * alive: until the next byte is given out, an end of stream means the client
 * has hung up between requests.
 */
void
arb_conn_input_set_idle (ArbConnInput *self)
{
  g_return_if_fail (ARB_IS_CONN_INPUT (self));

  self->idle = TRUE;
}
