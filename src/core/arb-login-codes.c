/* arb-login-codes.c: one-time sign-in codes for the browser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A code is 192 random bits from the kernel, shown once in a link
 * (http://HOST:PORT/#login=CODE) and kept here only as its SHA-256, so that
 * neither this table nor the shared file can sign anyone in. A code signs in
 * once, as an operator, within its lifetime.
 *
 * `arbdash --login-link` runs in another process than the server. It appends
 * the hash of a fresh code and its expiry to a file next to the database
 * (mode 0600, so only the user who runs arbdash can add codes: the same user
 * who could read the database anyway). The server takes that file's lines
 * into its own table, under a lock, when a code it does not know comes in,
 * and empties the file: from then on only the server's memory decides
 * whether a code was used.
 */
#define G_LOG_DOMAIN "arb-login-codes"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arb-login-codes.h"

#define CODE_BYTES 24
/* How long a used or expired code is remembered, to say so instead of "unknown". */
#define REMEMBER_US ((gint64) G_USEC_PER_SEC * 3600)
#define MAX_ENTRIES 4096

typedef struct
{
  gint64   expires_us;
  gboolean used;
} Entry;

struct _ArbLoginCodes
{
  GObject     parent_instance;

  char       *shared_path;   /* nullable */
  gint64      lifetime_us;
  GHashTable *entries;       /* SHA-256 hex of the code -> Entry */
};

G_DEFINE_FINAL_TYPE (ArbLoginCodes, arb_login_codes, G_TYPE_OBJECT)

static void
arb_login_codes_finalize (GObject *object)
{
  ArbLoginCodes *self = ARB_LOGIN_CODES (object);

  g_free (self->shared_path);
  g_hash_table_unref (self->entries);
  G_OBJECT_CLASS (arb_login_codes_parent_class)->finalize (object);
}

static void
arb_login_codes_class_init (ArbLoginCodesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arb_login_codes_finalize;
}

static void
arb_login_codes_init (ArbLoginCodes *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * arb_login_codes_new:
 * @shared_path: (nullable): the file `arbdash --login-link` adds codes to
 * @lifetime_us: how long a code is valid (tests make it short)
 *
 * Returns: (transfer full): an empty table of codes
 */
ArbLoginCodes *
arb_login_codes_new (const char *shared_path,
                     gint64      lifetime_us)
{
  ArbLoginCodes *self = g_object_new (ARB_TYPE_LOGIN_CODES, NULL);

  self->shared_path = g_strdup (shared_path);
  self->lifetime_us = lifetime_us;
  return self;
}

static char *
hash_code (const char *code)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, code, -1);
}

static char *
new_code (void)
{
  guint8 raw[CODE_BYTES];
  GString *s = g_string_sized_new (2 * CODE_BYTES);

  /* the kernel's CSPRNG, not GLib's predictable PRNG */
  if (getentropy (raw, sizeof raw) != 0)
    g_error ("getentropy() failed: %s", g_strerror (errno));
  for (guint i = 0; i < sizeof raw; i++)
    g_string_append_printf (s, "%02x", raw[i]);
  memset (raw, 0, sizeof raw);
  return g_string_free (s, FALSE);
}

static void
prune (ArbLoginCodes *self, gint64 now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Entry *) value)->expires_us + REMEMBER_US < now_us)
      g_hash_table_iter_remove (&iter);
}

static void
add_entry (ArbLoginCodes *self, char *hash, gint64 expires_us, gint64 now_us)
{
  Entry *e;

  if (g_hash_table_contains (self->entries, hash))
    {
      g_free (hash);
      return;
    }
  prune (self, now_us);
  if (g_hash_table_size (self->entries) >= MAX_ENTRIES)
    {
      g_free (hash);
      return;
    }
  e = g_new0 (Entry, 1);
  e->expires_us = expires_us;
  g_hash_table_insert (self->entries, hash, e);
}

/**
 * arb_login_codes_issue:
 * @self: the table
 * @now_us: the wall-clock time (g_get_real_time())
 *
 * Returns: (transfer full): a fresh code, valid once for the operator role
 */
char *
arb_login_codes_issue (ArbLoginCodes *self,
                       gint64         now_us)
{
  char *code = new_code ();

  g_return_val_if_fail (ARB_IS_LOGIN_CODES (self), NULL);
  add_entry (self, hash_code (code), now_us + self->lifetime_us, now_us);
  return code;
}

/* Opens the shared file only if it is ours and nobody else can write it. */
static int
open_shared (const char *path, int flags, GError **error)
{
  int fd = g_open (path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
  struct stat st;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return -1;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () ||
      (st.st_mode & 0077) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "%s is not a file of this user with mode 0600", path);
      close (fd);
      return -1;
    }
  if (flock (fd, LOCK_EX) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      close (fd);
      return -1;
    }
  return fd;
}

/* Takes the codes that other processes added into the table, and empties the file. */
static void
take_shared (ArbLoginCodes *self, gint64 now_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  char buf[4096];
  ssize_t n;
  int fd;

  if (self->shared_path == NULL || !g_file_test (self->shared_path, G_FILE_TEST_EXISTS))
    return;
  fd = open_shared (self->shared_path, O_RDWR, &error);
  if (fd < 0)
    {
      g_warning ("sign-in links from --login-link are ignored: %s", error->message);
      return;
    }
  while ((n = read (fd, buf, sizeof buf)) > 0 && text->len < 1024 * 1024)
    g_string_append_len (text, buf, n);
  if (ftruncate (fd, 0) != 0)
    g_warning ("cannot empty %s: %s", self->shared_path, g_strerror (errno));
  close (fd);
  lines = g_strsplit (text->str, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      char hash[65];
      gint64 expires;

      /* the CLI's lifetime, but never longer than ours */
      if (sscanf (*l, "%64[0-9a-f] %" G_GINT64_FORMAT, hash, &expires) == 2 &&
          strlen (hash) == 64)
        add_entry (self, g_strdup (hash), MIN (expires, now_us + self->lifetime_us), now_us);
    }
}

/**
 * arb_login_codes_redeem:
 * @self: the table
 * @code: what the browser sent
 * @now_us: the wall-clock time
 * @role: (out): the role the code signs in with
 *
 * Uses up @code when it is valid.
 *
 * Returns: whether it signs in, or why not
 */
ArbLoginCodeResult
arb_login_codes_redeem (ArbLoginCodes *self,
                        const char    *code,
                        gint64         now_us,
                        ArbRole       *role)
{
  g_autofree char *hash = NULL;
  Entry *e;

  g_return_val_if_fail (ARB_IS_LOGIN_CODES (self), ARB_LOGIN_CODE_UNKNOWN);

  if (code == NULL || strlen (code) != 2 * CODE_BYTES)
    return ARB_LOGIN_CODE_UNKNOWN;
  hash = hash_code (code);
  e = g_hash_table_lookup (self->entries, hash);
  if (e == NULL)
    {
      take_shared (self, now_us);
      e = g_hash_table_lookup (self->entries, hash);
    }
  if (e == NULL)
    return ARB_LOGIN_CODE_UNKNOWN;
  if (e->used)
    return ARB_LOGIN_CODE_USED;
  if (e->expires_us <= now_us)
    return ARB_LOGIN_CODE_EXPIRED;
  e->used = TRUE;
  if (role != NULL)
    *role = ARB_ROLE_OPERATOR;
  return ARB_LOGIN_CODE_OK;
}

const char *
arb_login_codes_result_message (ArbLoginCodeResult result)
{
  switch (result)
    {
    case ARB_LOGIN_CODE_OK:
      return "signed in";
    case ARB_LOGIN_CODE_EXPIRED:
      return "this sign-in link has expired (links are valid for 10 minutes): "
             "run arbdash --login-link for a new one";
    case ARB_LOGIN_CODE_USED:
      return "this sign-in link was already used (each link signs in once): "
             "run arbdash --login-link for a new one";
    case ARB_LOGIN_CODE_UNKNOWN:
    default:
      return "this sign-in link is not valid: it may come from an arbdash that has "
             "restarted since; run arbdash --login-link for a new one";
    }
}

/**
 * arb_login_codes_path_for_db:
 * @db_path: the database's file
 *
 * Returns: (transfer full) (nullable): the shared file of codes, next to the
 *   database, or %NULL for a database in memory
 */
char *
arb_login_codes_path_for_db (const char *db_path)
{
  g_autofree char *dir = NULL;

  if (db_path == NULL || *db_path == '\0' || g_str_has_prefix (db_path, ":memory:") ||
      g_str_has_prefix (db_path, "file:"))
    return NULL;
  dir = g_path_get_dirname (db_path);
  return g_build_filename (dir, "login-codes", NULL);
}

/**
 * arb_login_codes_issue_shared:
 * @shared_path: the file the running server reads
 * @now_us: the wall-clock time
 * @lifetime_us: how long the code is valid
 * @error: where to put an error
 *
 * Adds a fresh code for a running server (which takes it when the browser
 * sends it). Only the code's hash is written.
 *
 * Returns: (transfer full) (nullable): the code
 */
char *
arb_login_codes_issue_shared (const char  *shared_path,
                              gint64       now_us,
                              gint64       lifetime_us,
                              GError     **error)
{
  g_autofree char *code = new_code ();
  g_autofree char *hash = hash_code (code);
  g_autofree char *line = g_strdup_printf ("%s %" G_GINT64_FORMAT "\n", hash,
                                           now_us + lifetime_us);
  g_autofree char *dir = g_path_get_dirname (shared_path);
  gsize len = strlen (line);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }
  fd = open_shared (shared_path, O_WRONLY | O_APPEND | O_CREAT, error);
  if (fd < 0)
    return NULL;
  if (write (fd, line, len) != (ssize_t) len)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", shared_path,
                   g_strerror (saved));
      close (fd);
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&code);
}
