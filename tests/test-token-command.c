/* test-token-command.c: `arbdash token add|list|remove`, and a running server that follows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built executable (ARBDASH_BIN): the command's answers, exit
 * statuses and the file it writes (mode 0600, the secret printed once), then
 * a real `arbdash --headless` on that file: a token added while it runs is
 * accepted, a removed one is refused and its browser session ends, a file
 * that no longer parses changes nothing; no restart in between.
 */
#include "config.h"

#include "test-util.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define SPIN_MS 20000

typedef struct
{
  char     *dir;
  char     *conf;
  gboolean  default_path;  /* no --config: both use $XDG_CONFIG_HOME/arbdash/arbdash.conf */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("arbdash-token-XXXXXX", &error);
  g_assert_no_error (error);
  f->default_path = data != NULL;
  if (f->default_path)
    f->conf = g_build_filename (f->dir, "xdg", "arbdash", "arbdash.conf", NULL);
  else
    f->conf = g_build_filename (f->dir, "etc", "arbdash.conf", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->conf);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (Fixture *f, GSubprocessFlags flags)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (flags);
  g_autofree char *xdg = g_build_filename (f->dir, "xdg", NULL);

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  /* only the file's tokens; and English messages */
  g_subprocess_launcher_unsetenv (l, "ARBDASH_BOT_TOKEN");
  g_subprocess_launcher_unsetenv (l, "ARBDASH_VIEWER_TOKEN");
  g_subprocess_launcher_unsetenv (l, "ARBDASH_OPERATOR_TOKEN");
  g_subprocess_launcher_unsetenv (l, "ARBDASH_BOT_IDS");
  g_subprocess_launcher_unsetenv (l, "LANGUAGE");
  g_subprocess_launcher_setenv (l, "LC_ALL", "C.UTF-8", TRUE);
  /* never the user's own configuration */
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", xdg, TRUE);
  g_subprocess_launcher_unsetenv (l, "CREDENTIALS_DIRECTORY");
  return l;
}

/* `arbdash token ARGS... --config CONF`: its exit status, stdout and stderr. */
static int
run_token (Fixture *f, char **out, char **err, ...)
{
  g_autoptr(GSubprocessLauncher) l = launcher_new (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("ARBDASH_BIN"));
  g_ptr_array_add (argv, (gpointer) "token");
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  if (!f->default_path)
    {
      g_ptr_array_add (argv, (gpointer) "--config");
      g_ptr_array_add (argv, f->conf);
    }
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* Adds a token; returns its secret, checked for what a secret must be. */
static char *
add_token (Fixture *f, const char *name, const char *role)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_token (f, &out, &err, "add", name, "--role", role, NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, name));
  g_strchomp (out);
  /* 32 random bytes, base64url without padding: one line, nothing else on stdout */
  g_assert_cmpuint (strlen (out), ==, 43);
  g_assert_cmpuint (strspn (out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_"), ==, 43);
  return g_steal_pointer (&out);
}

static void
assert_mode_0600 (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
}

static void
test_add_list_remove (Fixture *f, gconstpointer data)
{
  g_autofree char *alice = add_token (f, "alice", "operator");
  g_autofree char *out = NULL, *err = NULL, *contents = NULL;
  g_autofree char *bot = NULL;
  int status;

  assert_mode_0600 (f->conf);
  g_assert_true (g_file_get_contents (f->conf, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, alice));

  /* a bot token bound to two bot_ids, given one by one */
  status = run_token (f, &bot, &err, "add", "bot-eu-1", "--role", "bot", "--bot-id", "arb-eu-1",
                      "--bot-id", "arb-eu-2", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpstr (g_strchomp (bot), !=, alice);

  status = run_token (f, &out, &err, "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_regex_match_simple ("^alice +operator +-$", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^bot-eu-1 +bot +arb-eu-1;arb-eu-2$", out,
                                       G_REGEX_MULTILINE, 0));
  /* never a secret */
  g_assert_null (strstr (out, alice));
  g_assert_null (strstr (out, bot));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* refused: a duplicate (1), a bad name, a bad role, --bot-id of a viewer (2) */
  g_assert_cmpint (run_token (f, &out, &err, "add", "alice", "--role", "viewer", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "already"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "add", "a b", "--role", "viewer", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not a token name"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "add", "carol", "--role", "admin", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not a role"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "add", "carol", "--role", "viewer", "--bot-id",
                              "x", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "add", "carol", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "frobnicate", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_token (f, &out, &err, "remove", "alice", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_token (f, &out, &err, "remove", "alice", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "no token named"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  assert_mode_0600 (f->conf);

  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (f->conf, &contents, NULL, NULL));
  g_assert_null (strstr (contents, alice));
  g_assert_nonnull (strstr (contents, bot));
  g_assert_nonnull (strstr (contents, "bot-eu-1=arb-eu-1;arb-eu-2"));
  g_assert_cmpint (run_token (f, &out, &err, "list", NULL), ==, 0);
  g_assert_null (strstr (out, "alice"));
  g_assert_nonnull (strstr (out, "bot-eu-1"));
}

/* ---------------------------------------------------------------- the running server */

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  GDataInputStream *err;
  char             *base;
  GPtrArray        *err_lines;
  gboolean          out_done;
  gboolean          exited;
} Server;

static void
out_line (GObject *source, GAsyncResult *result, gpointer data)
{
  Server *s = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                      result, NULL, NULL);
  const char *url = line != NULL ? strstr (line, "serving http://") : NULL;

  if (line == NULL)
    {
      s->out_done = TRUE;
      return;
    }
  if (url != NULL && s->base == NULL)
    {
      const char *start = url + strlen ("serving ");
      const char *end = strchr (start + strlen ("http://"), '/');

      g_assert_nonnull (end);
      s->base = g_strndup (start, end - start);
    }
  g_data_input_stream_read_line_async (s->out, G_PRIORITY_DEFAULT, NULL, out_line, s);
}

static void
err_line (GObject *source, GAsyncResult *result, gpointer data)
{
  Server *s = data;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, NULL);

  if (line == NULL)
    return;
  g_test_message ("arbdash: %s", line);
  g_ptr_array_add (s->err_lines, line);
  g_data_input_stream_read_line_async (s->err, G_PRIORITY_DEFAULT, NULL, err_line, s);
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  ((Server *) data)->exited = TRUE;
}

static gboolean
serving (gpointer data)
{
  Server *s = data;

  return s->base != NULL || s->out_done || s->exited;
}

static gboolean
has_exited (gpointer data)
{
  return ((Server *) data)->exited;
}

static Server *
server_start (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) l = launcher_new (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *db = g_build_filename (f->dir, "arbdash.db", NULL);
  g_autoptr(GError) error = NULL;
  Server *s = g_new0 (Server, 1);

  s->err_lines = g_ptr_array_new_with_free_func (g_free);
  s->proc = g_subprocess_launcher_spawn (l, &error, g_getenv ("ARBDASH_BIN"), "--headless",
                                         "--no-demo", "--port", "0", "--db", db,
                                         f->default_path ? NULL : "--config", f->conf, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (s->proc, NULL, on_exited, s);
  s->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  s->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (s->proc));
  g_data_input_stream_read_line_async (s->out, G_PRIORITY_DEFAULT, NULL, out_line, s);
  g_data_input_stream_read_line_async (s->err, G_PRIORITY_DEFAULT, NULL, err_line, s);
  g_assert_true (spin_until (serving, s, SPIN_MS));
  g_assert_nonnull (s->base);
  return s;
}

static void
server_free (Server *s)
{
  if (!s->exited)
    {
      g_subprocess_send_signal (s->proc, SIGTERM);
      if (!spin_until (has_exited, s, SPIN_MS))
        g_subprocess_force_exit (s->proc);
      spin_until (has_exited, s, SPIN_MS);
    }
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
  g_clear_object (&s->out);
  g_clear_object (&s->err);
  g_clear_object (&s->proc);
  g_ptr_array_unref (s->err_lines);
  g_free (s->base);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

typedef struct
{
  Server     *server;
  guint       from;
  const char *needle;
} Wait;

/* A line of the server's stderr, from line @from on, holds @needle. */
static gboolean
logged (gpointer data)
{
  Wait *w = data;

  for (guint i = w->from; i < w->server->err_lines->len; i++)
    if (strstr (g_ptr_array_index (w->server->err_lines, i), w->needle) != NULL)
      return TRUE;
  return w->server->exited;
}

/* Each change is awaited in the server's log, not polled with requests: a
 * token the server does not know yet counts as a wrong one, and those are
 * rate-limited. */
static void
wait_logged (Server *s, guint from, const char *needle)
{
  Wait w = { s, from, needle };

  g_assert_true (spin_until (logged, &w, SPIN_MS));
  g_assert_false (s->exited);
}

/* GET @path with the bearer @secret or the session @cookie: the status. */
static guint
get (Server *s, const char *path, const char *secret, const char *cookie, char **set_cookie)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (s->base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (secret != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", secret, NULL);
      soup_message_headers_replace (headers, "Authorization", auth);
    }
  if (cookie != NULL)
    soup_message_headers_replace (headers, "Cookie", cookie);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (set_cookie != NULL)
    *set_cookie = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                          "Set-Cookie"));
  return soup_message_get_status (msg);
}

/* Signs a browser in with @secret: its cookie ("arbdash_session=..."). */
static char *
sign_in (Server *s, const char *secret)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (s->base, "/api/v1/session", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *json = g_strdup_printf ("{\"token\":\"%s\"}", secret);
  g_autoptr(GBytes) request = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *set_cookie;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  set_cookie = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                             "Set-Cookie");
  g_assert_nonnull (set_cookie);
  return g_strndup (set_cookie, strcspn (set_cookie, ";"));
}

static void
test_running_server (Fixture *f, gconstpointer data)
{
  g_autofree char *alice = add_token (f, "alice", "viewer");
  g_autofree char *bob = NULL;
  g_autofree char *cookie = NULL;
  g_autoptr(Server) s = server_start (f);
  guint from;

  g_assert_cmpuint (get (s, "/api/v1/summary", alice, NULL, NULL), ==, 200);
  cookie = sign_in (s, alice);
  g_assert_cmpuint (get (s, "/api/v1/summary", NULL, cookie, NULL), ==, 200);

  /* added while it runs: accepted without a restart */
  from = s->err_lines->len;
  bob = add_token (f, "bob", "viewer");
  wait_logged (s, from, "1 added, 0 removed");
  g_assert_cmpuint (get (s, "/api/v1/summary", bob, NULL, NULL), ==, 200);
  /* alice was not touched: her session goes on */
  g_assert_cmpuint (get (s, "/api/v1/summary", NULL, cookie, NULL), ==, 200);

  /* removed while it runs: refused, and her browser session ends */
  from = s->err_lines->len;
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_token (f, &out, &err, "remove", "alice", NULL), ==, 0);
  }
  wait_logged (s, from, "0 added, 1 removed");
  g_assert_cmpuint (get (s, "/api/v1/summary", alice, NULL, NULL), ==, 401);
  g_assert_cmpuint (get (s, "/api/v1/summary", NULL, cookie, NULL), ==, 401);
  g_assert_cmpuint (get (s, "/api/v1/summary", bob, NULL, NULL), ==, 200);

  /* a file that no longer parses changes nothing, and says so */
  from = s->err_lines->len;
  {
    g_autoptr(GError) error = NULL;
    g_file_set_contents_full (f->conf, "[tokens\nbroken", -1, G_FILE_SET_CONTENTS_CONSISTENT,
                              0600, &error);
    g_assert_no_error (error);
  }
  wait_logged (s, from, "was not read");
  g_assert_cmpuint (get (s, "/api/v1/summary", bob, NULL, NULL), ==, 200);
}

/* The server started before any file existed, with no --config; the first
 * `arbdash token add` (no --config either) creates the default file and its
 * folder, and the server follows it (GLib polls for a folder that is missing). */
static void
test_first_token (Fixture *f, gconstpointer data)
{
  g_autoptr(Server) s = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *dir = g_path_get_dirname (f->conf);
  guint from;

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  s = server_start (f);
  from = s->err_lines->len;
  secret = add_token (f, "first", "operator");
  assert_mode_0600 (f->conf);
  wait_logged (s, from, "1 added, 0 removed");
  g_assert_cmpuint (get (s, "/api/v1/audit", secret, NULL, NULL), ==, 200);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("ARBDASH_BIN") == NULL)
    {
      g_test_skip ("ARBDASH_BIN is not set: run through meson test");
      return 77;
    }
  g_test_add ("/token/add-list-remove", Fixture, NULL, fixture_setup, test_add_list_remove,
              fixture_teardown);
  g_test_add ("/token/running-server", Fixture, NULL, fixture_setup, test_running_server,
              fixture_teardown);
  g_test_add ("/token/first-token", Fixture, "default", fixture_setup, test_first_token,
              fixture_teardown);
  return g_test_run ();
}
