/* arb-web.c: the browser dashboard's page and assets, from a GResource
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page (web/) and Chart.js (Debian's libjs-chart.js) are compiled into the
 * program, so what is served always matches the server. Every answer names its
 * type from a fixed table (browsers refuse module scripts sent as
 * application/octet-stream, which guessing gives without shared-mime-info),
 * carries a strong ETag computed once from the content, and the headers that
 * keep the page to its own origin: no inline script or style, no framing.
 */
#define G_LOG_DOMAIN "arb-web"

#include "config.h"

#include <string.h>

#include "arb-http.h"
#include "arb-server-private.h"

#if ARB_HAVE_WEB
#include "arb-web-resources.h"
#endif

#define WEB_PREFIX "/io/github/arbdash/web"

static const char csp[] =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

static const struct
{
  const char *suffix;
  const char *type;
} types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".json", "application/json" },
};

typedef struct
{
  GBytes     *bytes;
  char       *etag;
  GBytes     *gzip;      /* nullable: the same, compressed, for clients that take it */
  char       *gzip_etag; /* another representation, another strong ETag */
  const char *type;
  gboolean    is_index;
} Asset;

/* URL path -> Asset, built once for the process: the resource never changes. */
static GHashTable *assets;

static void
asset_free (Asset *a)
{
  g_bytes_unref (a->bytes);
  g_free (a->etag);
  g_clear_pointer (&a->gzip, g_bytes_unref);
  g_free (a->gzip_etag);
  g_free (a);
}

static const char *
type_of (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (path, types[i].suffix))
      return types[i].type;
  return NULL;
}

#if ARB_HAVE_WEB
/* Chart.js is most of the page's bytes, and compresses to a quarter: compressed
 * once, when the first request comes, at the best level. */
static GBytes *
gzip_bytes (GBytes *bytes)
{
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GByteArray) out = NULL;
  gsize len;
  const guint8 *in = g_bytes_get_data (bytes, &len);
  GConverterResult result;

  out = g_byte_array_sized_new (len / 3 + 64);
  do
    {
      guint8 buf[16384];
      gsize read = 0, written = 0;

      result = g_converter_convert (G_CONVERTER (z), in, len, buf, sizeof buf,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, NULL);
      if (result == G_CONVERTER_ERROR)
        return NULL;
      g_byte_array_append (out, buf, written);
      in += read;
      len -= read;
    }
  while (result != G_CONVERTER_FINISHED);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
add_tree (GResource *resource, const char *dir)
{
  g_auto(GStrv) children = g_resource_enumerate_children (resource, dir, 0, NULL);

  for (char **c = children; c != NULL && *c != NULL; c++)
    {
      g_autofree char *full = g_strconcat (dir, "/", *c, NULL);
      const char *type;
      GBytes *bytes;
      Asset *a;

      if (g_str_has_suffix (*c, "/"))
        {
          full[strlen (full) - 1] = '\0';
          add_tree (resource, full);
          continue;
        }
      type = type_of (full);
      bytes = type != NULL ? g_resource_lookup_data (resource, full, 0, NULL) : NULL;
      if (bytes == NULL)
        continue;
      a = g_new0 (Asset, 1);
      a->bytes = bytes;
      a->type = type;
      {
        g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
        /* 128 bits of the content's SHA-256: strong, and short */
        a->etag = g_strdup_printf ("\"%.32s\"", sum);
        a->gzip_etag = g_strdup_printf ("\"%.32s-gzip\"", sum);
      }
      /* images are compressed already */
      if (g_bytes_get_size (bytes) > 1024 && !g_str_has_prefix (type, "image/png"))
        a->gzip = gzip_bytes (bytes);
      a->is_index = strcmp (full, WEB_PREFIX "/index.html") == 0;
      g_hash_table_insert (assets, g_strdup (full + strlen (WEB_PREFIX)), a);
    }
}
#endif

static void
load_assets (void)
{
  if (assets != NULL)
    return;
  assets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) asset_free);
#if ARB_HAVE_WEB
  add_tree (arb_web_get_resource (), WEB_PREFIX);
#endif
}

static void
add_page_headers (SoupMessageHeaders *headers)
{
  soup_message_headers_replace (headers, "Content-Security-Policy", csp);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
}

/* If-None-Match uses the weak comparison (RFC 9110 13.1.2). */
static gboolean
etag_matches (const char *header, const char *etag)
{
  g_auto(GStrv) tags = NULL;

  if (header == NULL)
    return FALSE;
  tags = g_strsplit (header, ",", -1);
  for (char **t = tags; *t != NULL; t++)
    {
      const char *tag = g_strstrip (*t);
      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
accepts_gzip (SoupMessageHeaders *req)
{
  const char *header = soup_message_headers_get_list (req, "Accept-Encoding");
  GSList *acceptable;
  gboolean gzip = FALSE;

  if (header == NULL)
    return FALSE;
  /* without the ones of quality 0 */
  acceptable = soup_header_parse_quality_list (header, NULL);
  for (GSList *l = acceptable; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, "gzip") == 0 || g_ascii_strcasecmp (l->data, "x-gzip") == 0)
      gzip = TRUE;
  soup_header_free_list (acceptable);
  return gzip;
}

static void
serve_asset (SoupServerMessage *msg, const Asset *a)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gboolean gzip = a->gzip != NULL && accepts_gzip (req);
  const char *etag = gzip ? a->gzip_etag : a->etag;
  gsize len;
  gconstpointer data = g_bytes_get_data (gzip ? a->gzip : a->bytes, &len);

  add_page_headers (headers);
  soup_message_headers_replace (headers, "ETag", etag);
  if (a->gzip != NULL)
    soup_message_headers_replace (headers, "Vary", "Accept-Encoding");
  /* the page always asks (it names the assets, which are not versioned); the
   * assets may be reused for a moment but are revalidated after */
  soup_message_headers_replace (headers, "Cache-Control",
                                a->is_index ? "no-cache" : "max-age=60, must-revalidate");
  /* the body the server set for unparsable requests */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_remove (headers, "Content-Type");
  if (etag_matches (soup_message_headers_get_list (req, "If-None-Match"), etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (gzip)
    soup_message_headers_replace (headers, "Content-Encoding", "gzip");
  soup_server_message_set_response (msg, a->type, SOUP_MEMORY_STATIC, data, len);
}

static void
web_handler (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
             gpointer data)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const Asset *a;

  load_assets ();
  a = g_hash_table_lookup (assets, strcmp (path, "/") == 0 ? "/index.html" : path);
  add_page_headers (headers);
  if (a == NULL)
    {
#if ARB_HAVE_WEB
      arb_http_send_error (msg, ARB_ERROR_NOT_FOUND, NULL, "nothing here");
#else
      arb_http_send_error (msg, ARB_ERROR_NOT_FOUND, NULL,
                           "nothing here: this arbdash was built without the browser "
                           "dashboard (Chart.js was missing at build time)");
#endif
      return;
    }
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      g_autofree char *m = g_strdup_printf ("%s takes GET, HEAD", path);
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      arb_http_send_error_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                  ARB_ERROR_BAD_REQUEST, NULL, m);
      return;
    }
  serve_asset (msg, a);
}

/* Answers every path that no other handler takes: "/" and the page's assets,
 * or 404 in the protocol's shape. */
void
_arb_web_register (ArbServer  *self,
                   SoupServer *soup)
{
  soup_server_add_handler (soup, "/", web_handler, self, NULL);
}
