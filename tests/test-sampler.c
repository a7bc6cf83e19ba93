/* test-sampler.c: ArbSampler against recorded /proc fixtures and the real /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/fixtures/proc/a was recorded on a Debian 12 machine (2 cores); b is a
 * copy with known deltas, 2 s later:
 *
 *   stat      cpu0 +200 ticks of which idle+iowait 150  -> 25 % busy
 *             cpu1 +200 ticks of which idle 20          -> 90 % busy (guest +20 is inside user)
 *             cpu  the sum                              -> 230 / 400 = 57.5 %
 *   net/dev   lo +1000 B each way -> 500 B/s; eth0 rx +2048000 -> 1024000 B/s,
 *             tx +30000 -> 15000 B/s; ifb1 gone; docker0 new (rate 0)
 *   self      utime+stime +100 ticks -> 50 % of a core (at USER_HZ 100)
 *   4242      +200 ticks -> 100 %, its children's cutime +500 must not count
 *   4243      a zombie in b
 *   meminfo, loadavg, uptime: new values, asserted as read.
 */

#include "config.h"

#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "arb-sampler-private.h"

#define KIB G_GUINT64_CONSTANT (1024)
#define T0_US  G_GINT64_CONSTANT (5000000)
#define T1_US  (T0_US + 2 * G_USEC_PER_SEC)
#define T0_MS  G_GINT64_CONSTANT (1700000000000)

/* In GLib 2.74 g_test_expect_message() does not see structured log messages,
 * and libarbcore logs structured: the sampler's warnings are counted here
 * instead, and every other warning still aborts the test. */
static GPtrArray *sampler_warnings;

static gboolean
warned_about (const char *needle)
{
  for (guint i = 0; i < sampler_warnings->len; i++)
    if (strstr (g_ptr_array_index (sampler_warnings, i), needle) != NULL)
      return TRUE;

  return FALSE;
}

/* ---------------------------------------------------------------------------
 * Files
 */

/* Writes in place, keeping the inode: the sampler holds its files open, and
 * g_file_set_contents() would swap in a new inode it never sees. */
static void
put_file (const char *path,
          const char *contents,
          gsize       len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  while (len > 0)
    {
      gssize n = write (fd, contents, len);

      g_assert_cmpint (n, >, 0);
      contents += n;
      len -= n;
    }
  g_assert_no_errno (close (fd));
}

static void
copy_tree (const char *src,
           const char *dst)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (src, 0, &error);
  const char *name;

  g_assert_no_error (error);
  g_assert_no_errno (g_mkdir_with_parents (dst, 0755));

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (src, name, NULL);
      g_autofree char *to = g_build_filename (dst, name, NULL);
      g_autofree char *contents = NULL;
      gsize len;

      if (g_file_test (from, G_FILE_TEST_IS_DIR))
        {
          copy_tree (from, to);
          continue;
        }
      g_assert_true (g_file_get_contents (from, &contents, &len, &error));
      put_file (to, contents, len);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_assert_no_errno (g_unlink (child));
        }
      g_assert_no_errno (g_rmdir (path));
    }
}

/* ---------------------------------------------------------------------------
 * The fixture: a private copy of snapshot a, and a sampler reading it
 */

typedef struct
{
  char       *root;
  ArbSampler *sampler;
  guint       expected_warnings;
} Fixture;

static void
load_snapshot (Fixture    *fixture,
               const char *snapshot)
{
  g_autofree char *src = g_test_build_filename (G_TEST_DIST, "fixtures", "proc", snapshot, NULL);

  copy_tree (src, fixture->root);
}

static void
write_root_file (Fixture    *fixture,
                 const char *rel,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);

  put_file (path, contents, strlen (contents));
}

static void
remove_root_file (Fixture    *fixture,
                  const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);

  g_assert_no_errno (g_unlink (path));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_ptr_array_set_size (sampler_warnings, 0);
  fixture->root = g_dir_make_tmp ("arb-sampler-XXXXXX", &error);
  g_assert_no_error (error);
  load_snapshot (fixture, "a");
  fixture->sampler = arb_sampler_new (fixture->root, fixture->root);
  fixture->expected_warnings = 0;
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_assert_finalize_object (fixture->sampler);
  remove_tree (fixture->root);
  g_free (fixture->root);
  g_assert_cmpuint (sampler_warnings->len, ==, fixture->expected_warnings);
}

static const ArbProcStats *
lookup_proc (const ArbSystemSample *sample,
             const char            *key)
{
  return g_hash_table_lookup (sample->procs, key);
}

/* ---------------------------------------------------------------------------
 * Tests
 */

static void
test_parse_snapshots (Fixture       *fixture,
                      gconstpointer  data)
{
  const ArbSystemSample *s;
  double self_pct;

  g_assert_null (arb_sampler_get_latest (fixture->sampler));
  g_assert_cmpstr (arb_sampler_get_proc_root (fixture->sampler), ==, fixture->root);
  g_assert_cmpstr (arb_sampler_get_disk_path (fixture->sampler), ==, fixture->root);

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_true (s == arb_sampler_get_latest (fixture->sampler));
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);
  g_assert_cmpint (s->ts_ms, ==, T0_MS);
  g_assert_cmpint (s->interval_ms, ==, 0);

  /* No rates on a first reading */
  g_assert_cmpuint (s->n_cores, ==, 2);
  g_assert_cmpfloat (s->cpu_total, ==, 0.0);
  g_assert_cmpfloat (s->cpu_core[0], ==, 0.0);
  g_assert_cmpfloat (s->cpu_core[1], ==, 0.0);

  g_assert_cmpuint (s->mem_total, ==, 24684100 * KIB);
  g_assert_cmpuint (s->mem_available, ==, 24337120 * KIB);
  g_assert_cmpuint (s->mem_used, ==, (24684100 - 24337120) * KIB);
  g_assert_cmpuint (s->mem_cached, ==, (15332 + 377824 + 64392) * KIB);
  g_assert_cmpuint (s->swap_total, ==, 0);
  g_assert_cmpuint (s->swap_used, ==, 0);

  g_assert_cmpfloat (s->load1, ==, 0.02);
  g_assert_cmpfloat (s->load5, ==, 0.03);
  g_assert_cmpfloat (s->load15, ==, 0.0);
  g_assert_cmpfloat (s->uptime_s, ==, 451.29);

  g_assert_cmpuint (s->n_ifaces, ==, 4);
  g_assert_cmpstr (s->ifaces[0].name, ==, "lo");
  g_assert_true (s->ifaces[0].loopback);
  g_assert_cmpuint (s->ifaces[0].rx_bytes, ==, 3267);
  g_assert_cmpuint (s->ifaces[0].tx_bytes, ==, 3267);
  g_assert_cmpstr (s->ifaces[1].name, ==, "ifb0");
  g_assert_cmpstr (s->ifaces[2].name, ==, "ifb1");
  g_assert_cmpstr (s->ifaces[3].name, ==, "eth0");
  g_assert_false (s->ifaces[3].loopback);
  g_assert_cmpuint (s->ifaces[3].rx_bytes, ==, 99000000);
  g_assert_cmpuint (s->ifaces[3].tx_bytes, ==, 78953);
  for (guint i = 0; i < s->n_ifaces; i++)
    {
      g_assert_cmpfloat (s->ifaces[i].rx_rate, ==, 0.0);
      g_assert_cmpfloat (s->ifaces[i].tx_rate, ==, 0.0);
    }

  g_assert_true (s->self.alive);
  g_assert_cmpfloat (s->self.cpu_pct, ==, 0.0);
  g_assert_cmpuint (s->self.rss_bytes, ==, 1744 * KIB);
  g_assert_cmpuint (s->self.threads, ==, 1);
  g_assert_cmpuint (g_hash_table_size (s->procs), ==, 0);

  load_snapshot (fixture, "b");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);
  g_assert_cmpint (s->ts_ms, ==, T0_MS + 2000);
  g_assert_cmpint (s->interval_ms, ==, 2000);

  g_assert_cmpfloat (s->cpu_total, ==, 57.5);
  g_assert_cmpuint (s->n_cores, ==, 2);
  g_assert_cmpfloat (s->cpu_core[0], ==, 25.0);
  g_assert_cmpfloat (s->cpu_core[1], ==, 90.0);

  g_assert_cmpuint (s->mem_total, ==, 24684100 * KIB);
  g_assert_cmpuint (s->mem_available, ==, 20000000 * KIB);
  g_assert_cmpuint (s->mem_used, ==, 4684100 * KIB);
  g_assert_cmpuint (s->mem_cached, ==, (30000 + 600000 + 70000) * KIB);
  g_assert_cmpuint (s->swap_total, ==, 2097148 * KIB);
  g_assert_cmpuint (s->swap_used, ==, (2097148 - 1048576) * KIB);

  g_assert_cmpfloat (s->load1, ==, 0.52);
  g_assert_cmpfloat (s->load5, ==, 0.31);
  g_assert_cmpfloat (s->load15, ==, 0.12);
  g_assert_cmpfloat (s->uptime_s, ==, 453.29);

  g_assert_cmpuint (s->n_ifaces, ==, 4);
  g_assert_cmpstr (s->ifaces[0].name, ==, "lo");
  g_assert_cmpfloat (s->ifaces[0].rx_rate, ==, 500.0);
  g_assert_cmpfloat (s->ifaces[0].tx_rate, ==, 500.0);
  g_assert_cmpstr (s->ifaces[1].name, ==, "ifb0");
  g_assert_cmpfloat (s->ifaces[1].rx_rate, ==, 0.0);
  /* The 9-digit counter touches the colon in b; found by name at another index */
  g_assert_cmpstr (s->ifaces[2].name, ==, "eth0");
  g_assert_cmpuint (s->ifaces[2].rx_bytes, ==, 101048000);
  g_assert_cmpfloat (s->ifaces[2].rx_rate, ==, 1024000.0);
  g_assert_cmpfloat (s->ifaces[2].tx_rate, ==, 15000.0);
  g_assert_cmpstr (s->ifaces[3].name, ==, "docker0");
  g_assert_cmpuint (s->ifaces[3].rx_bytes, ==, 5000);
  g_assert_cmpfloat (s->ifaces[3].rx_rate, ==, 0.0);
  g_assert_cmpfloat (s->ifaces[3].tx_rate, ==, 0.0);

  /* 100 ticks in 2 s; USER_HZ is 100 on Linux, the formula keeps it general */
  self_pct = 100.0 * 100 / ((double) sysconf (_SC_CLK_TCK) * 2.0);
  g_assert_cmpfloat (self_pct, ==, 50.0);
  g_assert_true (s->self.alive);
  g_assert_cmpfloat (s->self.cpu_pct, ==, self_pct);
  g_assert_cmpuint (s->self.rss_bytes, ==, 2048 * KIB);
  g_assert_cmpuint (s->self.threads, ==, 3);

  /* Same instant again: no interval, so no rates, but the figures stay */
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);
  g_assert_cmpint (s->interval_ms, ==, 0);
  g_assert_cmpfloat (s->cpu_total, ==, 0.0);
  g_assert_cmpfloat (s->ifaces[2].rx_rate, ==, 0.0);
  g_assert_cmpfloat (s->self.cpu_pct, ==, 0.0);
  g_assert_cmpuint (s->mem_available, ==, 20000000 * KIB);
}

static void
test_counters_going_back (Fixture       *fixture,
                          gconstpointer  data)
{
  const ArbSystemSample *s;

  /* b, then a: every counter goes back, as after a reset; no negative rates */
  load_snapshot (fixture, "b");
  _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  load_snapshot (fixture, "a");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);

  g_assert_cmpfloat (s->cpu_total, ==, 0.0);
  g_assert_cmpfloat (s->cpu_core[0], ==, 0.0);
  g_assert_cmpfloat (s->cpu_core[1], ==, 0.0);
  g_assert_cmpstr (s->ifaces[0].name, ==, "lo");
  g_assert_cmpfloat (s->ifaces[0].rx_rate, ==, 0.0);
  g_assert_cmpfloat (s->ifaces[3].rx_rate, ==, 0.0);
  g_assert_cmpfloat (s->self.cpu_pct, ==, 0.0);
}

static void
test_watch_pids (Fixture       *fixture,
                 gconstpointer  data)
{
  const ArbSystemSample *s;
  const ArbProcStats *bot;
  double bot_pct;

  arb_sampler_watch_pid (fixture->sampler, "bot-1", 4242);
  arb_sampler_watch_pid (fixture->sampler, "bot-2", 4243);
  arb_sampler_watch_pid (fixture->sampler, "ghost", 999999);

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpuint (g_hash_table_size (s->procs), ==, 3);

  bot = lookup_proc (s, "bot-1");
  g_assert_nonnull (bot);
  g_assert_true (bot->alive);
  g_assert_cmpfloat (bot->cpu_pct, ==, 0.0);
  g_assert_cmpuint (bot->rss_bytes, ==, 4072 * KIB);
  g_assert_cmpuint (bot->threads, ==, 5);

  bot = lookup_proc (s, "bot-2");
  g_assert_true (bot->alive);
  g_assert_cmpuint (bot->rss_bytes, ==, 2000 * KIB);
  g_assert_cmpuint (bot->threads, ==, 2);

  /* Never there: gone, quietly */
  bot = lookup_proc (s, "ghost");
  g_assert_nonnull (bot);
  g_assert_false (bot->alive);
  g_assert_cmpuint (bot->rss_bytes, ==, 0);
  g_assert_cmpuint (bot->threads, ==, 0);

  load_snapshot (fixture, "b");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);

  /* 200 ticks of its own in 2 s; the comm "arb (bot) 1" has spaces and parentheses */
  bot_pct = 100.0 * 200 / ((double) sysconf (_SC_CLK_TCK) * 2.0);
  g_assert_cmpfloat (bot_pct, ==, 100.0);
  bot = lookup_proc (s, "bot-1");
  g_assert_true (bot->alive);
  g_assert_cmpfloat (bot->cpu_pct, ==, bot_pct);
  g_assert_cmpuint (bot->rss_bytes, ==, 123456 * KIB);
  g_assert_cmpuint (bot->threads, ==, 7);

  /* A zombie has exited */
  bot = lookup_proc (s, "bot-2");
  g_assert_false (bot->alive);
  g_assert_cmpfloat (bot->cpu_pct, ==, 0.0);
  g_assert_cmpuint (bot->rss_bytes, ==, 0);
  g_assert_cmpuint (bot->threads, ==, 0);

  /* Gone stays gone, even if the pid shows up again (it would be another process) */
  load_snapshot (fixture, "a");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US + G_USEC_PER_SEC, T0_MS + 3000);
  g_assert_false (lookup_proc (s, "bot-2")->alive);

  /* Watching again replaces the old watch; its stats leave the latest sample at once */
  arb_sampler_watch_pid (fixture->sampler, "bot-2", 4242);
  g_assert_null (lookup_proc (arb_sampler_get_latest (fixture->sampler), "bot-2"));
  s = _arb_sampler_collect_at (fixture->sampler, T1_US + 2 * G_USEC_PER_SEC, T0_MS + 4000);
  bot = lookup_proc (s, "bot-2");
  g_assert_true (bot->alive);
  g_assert_cmpfloat (bot->cpu_pct, ==, 0.0);
  g_assert_cmpuint (bot->threads, ==, 5);

  arb_sampler_unwatch (fixture->sampler, "ghost");
  g_assert_null (lookup_proc (arb_sampler_get_latest (fixture->sampler), "ghost"));
  arb_sampler_unwatch (fixture->sampler, "never-watched");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US + 3 * G_USEC_PER_SEC, T0_MS + 5000);
  g_assert_cmpuint (g_hash_table_size (s->procs), ==, 2);
  g_assert_null (lookup_proc (s, "ghost"));

  /* None of this is worth a warning */
  g_assert_cmpuint (sampler_warnings->len, ==, 0);
}

static void
test_missing_files (Fixture       *fixture,
                    gconstpointer  data)
{
  const ArbSystemSample *s;
  ArbSampleParts expected = ARB_SAMPLE_ALL & ~(ARB_SAMPLE_MEMORY | ARB_SAMPLE_NET);

  remove_root_file (fixture, "meminfo");
  remove_root_file (fixture, "net/dev");

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpint (s->parts, ==, expected);
  g_assert_cmpuint (sampler_warnings->len, ==, 2);
  g_assert_true (warned_about ("meminfo"));
  g_assert_true (warned_about ("net/dev"));
  g_assert_cmpuint (s->mem_total, ==, 0);
  g_assert_cmpuint (s->n_ifaces, ==, 0);

  /* The rest works, rates included */
  load_snapshot (fixture, "b");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);
  g_assert_cmpint (s->parts, ==, expected);
  g_assert_cmpfloat (s->cpu_total, ==, 57.5);
  g_assert_cmpfloat (s->load1, ==, 0.52);
  g_assert_cmpfloat (s->uptime_s, ==, 453.29);
  g_assert_true (s->self.alive);

  /* Disabled for good, even now that the files exist: one warning each, ever */
  g_assert_cmpuint (s->mem_total, ==, 0);
  g_assert_cmpuint (s->n_ifaces, ==, 0);
  g_assert_cmpuint (sampler_warnings->len, ==, 2);
  fixture->expected_warnings = 2;
}

static void
test_bad_files (Fixture       *fixture,
                gconstpointer  data)
{
  const ArbSystemSample *s;

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);

  /* Files that went bad after a good start: their figures must not linger */
  write_root_file (fixture, "stat", "cpu  1 2\nintr 0\n");
  write_root_file (fixture, "meminfo", "Nonsense: 12 kB\nno colon here\n");
  write_root_file (fixture, "loadavg", "garbage\n");
  write_root_file (fixture, "uptime", "");
  write_root_file (fixture, "self/status", "Name:\tcat\nVmRSS:\t 12 kB\n");

  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_NET | ARB_SAMPLE_DISK);
  g_assert_cmpuint (sampler_warnings->len, ==, 5);
  g_assert_true (warned_about ("cpu collector"));
  g_assert_true (warned_about ("MemTotal"));
  g_assert_true (warned_about ("load averages"));
  g_assert_true (warned_about ("uptime"));
  g_assert_true (warned_about ("Threads"));

  g_assert_cmpuint (s->n_cores, ==, 0);
  g_assert_null (s->cpu_core);
  g_assert_cmpfloat (s->cpu_total, ==, 0.0);
  g_assert_cmpuint (s->mem_total, ==, 0);
  g_assert_cmpuint (s->mem_cached, ==, 0);
  g_assert_cmpfloat (s->load1, ==, 0.0);
  g_assert_cmpfloat (s->uptime_s, ==, 0.0);
  g_assert_false (s->self.alive);
  g_assert_cmpuint (s->self.rss_bytes, ==, 0);

  /* Good again, but disabled collectors stay disabled and quiet */
  load_snapshot (fixture, "b");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US + G_USEC_PER_SEC, T0_MS + 3000);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_NET | ARB_SAMPLE_DISK);
  g_assert_cmpuint (sampler_warnings->len, ==, 5);
  fixture->expected_warnings = 5;
}

static void
test_bad_pid_files (Fixture       *fixture,
                    gconstpointer  data)
{
  const ArbSystemSample *s;

  /* Unparsable stat files: the process collector goes, and a bot is just gone */
  write_root_file (fixture, "self/stat", "7118 (cat R 1 2\n");
  write_root_file (fixture, "4242/stat", "4242 (bot) S 1 2 3\n");
  write_root_file (fixture, "net/dev", "Inter-|\n face |\n  eth0: 12 x\n");
  arb_sampler_watch_pid (fixture->sampler, "bot-1", 4242);

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL & ~(ARB_SAMPLE_PROCESS | ARB_SAMPLE_NET));
  g_assert_cmpuint (sampler_warnings->len, ==, 2);
  g_assert_true (warned_about ("process collector"));
  g_assert_true (warned_about ("eth0"));
  g_assert_false (lookup_proc (s, "bot-1")->alive);
  fixture->expected_warnings = 2;
}

static void
test_parse_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct
  {
    const char     *file;
    const char     *contents;
    ArbSampleParts  part;
    const char     *warning;
  } cases[] = {
    { "stat", "intr 1 2\n", ARB_SAMPLE_CPU, "cannot parse the cpu line" },
    { "stat", "cpu  1 2 3 4\ncpu0 1 2\n", ARB_SAMPLE_CPU, "cannot parse cpu0" },
    { "stat", "cpu  1 2 3 4\ncpuX 1 2 3 4\n", ARB_SAMPLE_CPU, "cannot parse cpuX" },
    { "meminfo", "MemTotal: lots\n", ARB_SAMPLE_MEMORY, "cannot parse MemTotal" },
    { "self/stat", "1 (x) R 1 2 3 4 5 6 7 8 9 10 11\n", ARB_SAMPLE_PROCESS, "CPU times" },
    { "self/status", "Threads:\tmany\n", ARB_SAMPLE_PROCESS, "cannot parse Threads" },
    { "self/status", "VmRSS:\t-1 kB\nThreads:\t1\n", ARB_SAMPLE_PROCESS, "cannot parse VmRSS" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ArbSampler) sampler = arb_sampler_new (fixture->root, fixture->root);
      const ArbSystemSample *s;

      g_test_message ("%s: %s", cases[i].file, cases[i].contents);
      load_snapshot (fixture, "a");
      write_root_file (fixture, cases[i].file, cases[i].contents);
      g_ptr_array_set_size (sampler_warnings, 0);

      s = arb_sampler_sample_now (sampler);
      g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL & ~cases[i].part);
      g_assert_cmpuint (sampler_warnings->len, ==, 1);
      g_assert_true (warned_about (cases[i].warning));
    }
  g_ptr_array_set_size (sampler_warnings, 0);
}

static void
test_old_kernel_meminfo (Fixture       *fixture,
                         gconstpointer  data)
{
  const ArbSystemSample *s;

  /* Before Linux 3.14 there is no MemAvailable: free + buffers + cache. No
   * SwapTotal either, on a kernel built without swap. */
  write_root_file (fixture, "meminfo",
                   "MemTotal:        1000 kB\n"
                   "MemFree:          100 kB\n"
                   "Buffers:           20 kB\n"
                   "Cached:           300 kB");   /* and no final newline */
  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_true (s->parts & ARB_SAMPLE_MEMORY);
  g_assert_cmpuint (s->mem_total, ==, 1000 * KIB);
  g_assert_cmpuint (s->mem_available, ==, 420 * KIB);
  g_assert_cmpuint (s->mem_used, ==, 580 * KIB);
  g_assert_cmpuint (s->mem_cached, ==, 320 * KIB);
  g_assert_cmpuint (s->swap_total, ==, 0);
  g_assert_cmpuint (s->swap_used, ==, 0);
}

static void
test_disk (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(ArbSampler) missing = NULL;
  g_autofree char *nowhere = g_build_filename (fixture->root, "no", "such", "dir", NULL);
  const ArbSystemSample *s;
  struct statvfs st;
  guint64 frsize;

  s = arb_sampler_sample_now (fixture->sampler);
  g_assert_no_errno (statvfs (fixture->root, &st));
  frsize = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  g_assert_true (s->parts & ARB_SAMPLE_DISK);
  g_assert_cmpstr (s->disk_path, ==, fixture->root);
  g_assert_cmpuint (s->disk_total, ==, (guint64) st.f_blocks * frsize);
  g_assert_cmpuint (s->disk_total, >, 0);
  g_assert_cmpuint (s->disk_used + s->disk_free, <=, s->disk_total);

  missing = arb_sampler_new (fixture->root, nowhere);
  s = arb_sampler_sample_now (missing);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL & ~ARB_SAMPLE_DISK);
  g_assert_cmpuint (s->disk_total, ==, 0);
  g_assert_cmpuint (sampler_warnings->len, ==, 1);
  g_assert_true (warned_about ("disk collector"));
  g_assert_true (warned_about (nowhere));
  fixture->expected_warnings = 1;
}

static GString *
big_stat (guint    n_cores,
          guint64  base,
          gboolean busy)
{
  GString *str = g_string_new (NULL);
  guint64 total_busy = 0;

  /* Core i gets 100 more ticks, i % 101 of them busy */
  for (guint i = 0; i < n_cores; i++)
    total_busy += busy ? i % 101 : 0;
  g_string_append_printf (str, "cpu  %" G_GUINT64_FORMAT " 0 0 %" G_GUINT64_FORMAT " 0 0 0 0 0 0\n",
                          base * n_cores + total_busy,
                          base * n_cores + (busy ? 100 * n_cores - total_busy : 0));
  for (guint i = 0; i < n_cores; i++)
    g_string_append_printf (str, "cpu%u %" G_GUINT64_FORMAT " 0 0 %" G_GUINT64_FORMAT
                            " 0 0 0 0 0 0\n", i,
                            base + (busy ? i % 101 : 0), base + (busy ? 100 - i % 101 : 0));
  g_string_append (str, "intr 1 2 3\nctxt 42\n");

  return str;
}

static GString *
big_net_dev (guint   n_ifaces,
             guint64 rx)
{
  GString *str = g_string_new ("Inter-|   Receive |  Transmit\n"
                               " face |bytes packets|bytes packets\n");

  for (guint i = 0; i < n_ifaces; i++)
    g_string_append_printf (str, "veth%05u: %" G_GUINT64_FORMAT " 1 0 0 0 0 0 0 %" G_GUINT64_FORMAT
                            " 1 0 0 0 0 0 0\n", i, rx * i, 2 * rx * i);

  return str;
}

static void
test_big_machine (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GString) stat = NULL;
  g_autoptr(GString) dev = NULL;
  const ArbSystemSample *s;

  /* Larger than the sampler's first buffer: it must grow and re-read whole */
  stat = big_stat (300, 1000000, FALSE);
  dev = big_net_dev (40, 1000);
  g_assert_cmpuint (stat->len, >, 2 * 4096);
  write_root_file (fixture, "stat", stat->str);
  write_root_file (fixture, "net/dev", dev->str);

  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);
  g_assert_cmpuint (s->n_cores, ==, 300);
  g_assert_cmpuint (s->n_ifaces, ==, 40);
  g_assert_cmpstr (s->ifaces[39].name, ==, "veth00039");
  g_assert_cmpuint (s->ifaces[39].rx_bytes, ==, 39000);
  g_assert_cmpuint (s->ifaces[39].tx_bytes, ==, 78000);

  g_string_free (stat, TRUE);
  g_string_free (dev, TRUE);
  stat = big_stat (300, 1000000, TRUE);
  dev = big_net_dev (40, 3000);
  write_root_file (fixture, "stat", stat->str);
  write_root_file (fixture, "net/dev", dev->str);

  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);
  for (guint i = 0; i < 300; i++)
    g_assert_cmpfloat (s->cpu_core[i], ==, (double) (i % 101));
  g_assert_cmpfloat (s->ifaces[39].rx_rate, ==, 39000.0);   /* (117000 - 39000) / 2 */
  g_assert_cmpfloat (s->ifaces[39].tx_rate, ==, 78000.0);

  /* A CPU went offline: the per-core figures skip a beat, the total does not */
  g_string_free (stat, TRUE);
  stat = big_stat (299, 2000000, FALSE);
  write_root_file (fixture, "stat", stat->str);
  s = _arb_sampler_collect_at (fixture->sampler, T1_US + G_USEC_PER_SEC, T0_MS + 3000);
  g_assert_cmpuint (s->n_cores, ==, 299);
  for (guint i = 0; i < 299; i++)
    g_assert_cmpfloat (s->cpu_core[i], ==, 0.0);
  g_assert_cmpfloat (s->cpu_total, >, 0.0);
  g_assert_cmpfloat (s->cpu_total, <, 100.0);
}

static guint
count_cores (const char *stat)
{
  g_auto(GStrv) lines = g_strsplit (stat, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "cpu") && g_ascii_isdigit (lines[i][3]))
      n++;

  return n;
}

static guint64
meminfo_total (const char *meminfo)
{
  const char *p = strstr (meminfo, "MemTotal:");

  g_assert_nonnull (p);
  return g_ascii_strtoull (p + strlen ("MemTotal:"), NULL, 10) * 1024;
}

static void
test_real_proc (void)
{
  g_autoptr(ArbSampler) sampler = arb_sampler_new (NULL, NULL);
  g_autofree char *stat = NULL;
  g_autofree char *meminfo = NULL;
  const ArbSystemSample *s;
  gboolean have_lo = FALSE;
  gint64 before_ms = g_get_real_time () / 1000;

  g_ptr_array_set_size (sampler_warnings, 0);
  g_assert_cmpstr (arb_sampler_get_proc_root (sampler), ==, "/proc");
  g_assert_cmpstr (arb_sampler_get_disk_path (sampler), ==, "/");

  arb_sampler_sample_now (sampler);
  g_usleep (20 * 1000);
  s = arb_sampler_sample_now (sampler);
  g_assert_true (g_file_get_contents ("/proc/stat", &stat, NULL, NULL));
  g_assert_true (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL));

  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);
  g_assert_cmpint (s->ts_ms, >=, before_ms);
  g_assert_cmpint (s->interval_ms, >=, 20);
  g_assert_cmpuint (s->n_cores, ==, count_cores (stat));
  g_assert_cmpfloat (s->cpu_total, >=, 0.0);
  g_assert_cmpfloat (s->cpu_total, <=, 100.0);
  g_assert_cmpuint (s->mem_total, ==, meminfo_total (meminfo));
  g_assert_cmpuint (s->mem_used + s->mem_available, ==, s->mem_total);
  g_assert_cmpfloat (s->uptime_s, >, 0.0);
  g_assert_cmpuint (s->disk_total, >, 0);
  for (guint i = 0; i < s->n_ifaces; i++)
    if (strcmp (s->ifaces[i].name, "lo") == 0)
      have_lo = s->ifaces[i].loopback;
  g_assert_true (have_lo);

  g_assert_true (s->self.alive);
  g_assert_cmpuint (s->self.threads, >=, 1);
  g_assert_cmpuint (s->self.rss_bytes, >, 0);
  g_assert_cmpuint (sampler_warnings->len, ==, 0);
}

static void
test_real_child_exits (void)
{
  g_autoptr(ArbSampler) sampler = arb_sampler_new (NULL, NULL);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  const ArbProcStats *bot;
  const ArbSystemSample *s;
  gint64 pid;

  g_ptr_array_set_size (sampler_warnings, 0);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "60", NULL);
  g_assert_no_error (error);
  pid = g_ascii_strtoll (g_subprocess_get_identifier (child), NULL, 10);

  arb_sampler_watch_pid (sampler, "bot-1", pid);
  s = arb_sampler_sample_now (sampler);
  bot = lookup_proc (s, "bot-1");
  g_assert_true (bot->alive);
  g_assert_cmpuint (bot->threads, ==, 1);
  g_assert_cmpuint (bot->rss_bytes, >, 0);

  /* Killed and reaped: the held files now fail to read */
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);

  s = arb_sampler_sample_now (sampler);
  bot = lookup_proc (s, "bot-1");
  g_assert_false (bot->alive);
  g_assert_cmpuint (bot->threads, ==, 0);
  g_assert_cmpint (s->parts, ==, ARB_SAMPLE_ALL);
  g_assert_cmpuint (sampler_warnings->len, ==, 0);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_interval (void)
{
  g_autoptr(ArbSampler) sampler = arb_sampler_new (NULL, NULL);
  guint notified = 0;
  guint value = 0;
  g_autofree char *proc_root = NULL;
  g_autofree char *disk_path = NULL;

  g_assert_cmpuint (arb_sampler_get_interval (sampler), ==, 1000);
  g_signal_connect (sampler, "notify::interval-ms", G_CALLBACK (on_notify), &notified);

  arb_sampler_set_interval (sampler, 50);
  g_assert_cmpuint (arb_sampler_get_interval (sampler), ==, ARB_SAMPLER_INTERVAL_MIN);
  g_assert_cmpuint (notified, ==, 1);
  arb_sampler_set_interval (sampler, 100);
  g_assert_cmpuint (notified, ==, 1);
  arb_sampler_set_interval (sampler, 0);
  g_assert_cmpuint (arb_sampler_get_interval (sampler), ==, 100);
  g_assert_cmpuint (notified, ==, 1);

  arb_sampler_set_interval (sampler, 100000);
  g_assert_cmpuint (arb_sampler_get_interval (sampler), ==, ARB_SAMPLER_INTERVAL_MAX);
  g_assert_cmpuint (notified, ==, 2);
  arb_sampler_set_interval (sampler, G_MAXUINT);
  g_assert_cmpuint (arb_sampler_get_interval (sampler), ==, 60000);
  g_assert_cmpuint (notified, ==, 2);

  g_object_set (sampler, "interval-ms", 250, NULL);
  g_object_get (sampler, "interval-ms", &value, NULL);
  g_assert_cmpuint (value, ==, 250);
  g_assert_cmpuint (notified, ==, 3);

  g_object_get (sampler, "proc-root", &proc_root, "disk-path", &disk_path, NULL);
  g_assert_cmpstr (proc_root, ==, "/proc");
  g_assert_cmpstr (disk_path, ==, "/");
}

typedef struct
{
  guint                  count;
  const ArbSystemSample *last;
  GMainLoop             *loop;
  guint                  quit_after;
} SampledData;

static void
on_sampled (ArbSampler            *sampler,
            const ArbSystemSample *sample,
            gpointer               user_data)
{
  SampledData *data = user_data;

  data->count++;
  data->last = sample;
  if (data->loop != NULL && data->count == data->quit_after)
    g_main_loop_quit (data->loop);
}

static gboolean
on_guard (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_signal (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "fixtures", "proc", "a", NULL);
  g_autoptr(ArbSampler) sampler = arb_sampler_new (root, NULL);
  SampledData data = { 0, };
  const ArbSystemSample *s;

  g_signal_connect (sampler, "sampled", G_CALLBACK (on_sampled), &data);
  g_assert_null (arb_sampler_get_latest (sampler));

  s = arb_sampler_sample_now (sampler);
  g_assert_cmpuint (data.count, ==, 1);
  g_assert_true (data.last == s);
  g_assert_true (arb_sampler_get_latest (sampler) == s);

  s = _arb_sampler_collect_at (sampler, T0_US, T0_MS);
  g_assert_cmpuint (data.count, ==, 2);
  g_assert_true (data.last == s);
}

static void
test_main_loop (void)
{
  g_autoptr(ArbSampler) sampler = arb_sampler_new (NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SampledData data = { 0, };
  guint guard;
  guint count;

  g_signal_connect (sampler, "sampled", G_CALLBACK (on_sampled), &data);
  data.loop = loop;
  data.quit_after = 3;

  arb_sampler_set_interval (sampler, 100);
  g_assert_false (arb_sampler_is_running (sampler));
  arb_sampler_start (sampler);
  arb_sampler_start (sampler);
  g_assert_true (arb_sampler_is_running (sampler));

  guard = g_timeout_add_seconds (5, on_guard, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (data.count, ==, 3);
  g_clear_handle_id (&guard, g_source_remove);
  /* GLib timeouts never fire early */
  g_assert_cmpint (data.last->interval_ms, >=, 95);
  g_assert_true (data.last == arb_sampler_get_latest (sampler));

  /* A new interval while running reschedules; whole seconds go through
   * g_timeout_add_seconds(), and it still fires */
  arb_sampler_set_interval (sampler, 1000);
  g_assert_true (arb_sampler_is_running (sampler));
  data.quit_after = 4;
  guard = g_timeout_add_seconds (5, on_guard, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (data.count, ==, 4);
  g_clear_handle_id (&guard, g_source_remove);

  arb_sampler_set_interval (sampler, 100);
  arb_sampler_stop (sampler);
  g_assert_false (arb_sampler_is_running (sampler));
  count = data.count;
  guard = g_timeout_add (350, on_guard, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (data.count, ==, count);

  /* Dropping a running sampler removes its timeout (else the loop would call freed memory) */
  arb_sampler_start (sampler);
  g_clear_object (&sampler);
  guard = g_timeout_add (250, on_guard, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (data.count, ==, count);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_node_get_array (node);
}

static void
assert_members (JsonObject         *object,
                const char * const *names)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_true (json_object_has_member (object, names[i]));
}

static char *
sample_json_string (const ArbSystemSample *sample)
{
  g_autoptr(JsonNode) node = arb_system_sample_to_json (sample);

  return json_to_string (node, FALSE);
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  static const char * const top[] = {
    "ts", "interval_ms", "cpu", "memory", "load", "uptime_s", "disk", "net", "process", "bots", NULL
  };
  static const char * const memory_members[] = {
    "total", "used", "available", "cached", "swap_total", "swap_used", NULL
  };
  static const char * const iface_members[] = {
    "name", "loopback", "rx_bytes", "tx_bytes", "rx_rate", "tx_rate", NULL
  };
  static const char * const bot_members[] = { "cpu_pct", "rss_bytes", "threads", "alive", NULL };
  static const char * const process_members[] = { "cpu_pct", "rss_bytes", "threads", NULL };
  static const char * const bot_keys[] = {
    "alpha", "beta", "delta", "gamma", "omega", "zeta", NULL
  };
  g_autoptr(ArbSystemSample) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copy_text = NULL;
  const ArbSystemSample *s;
  JsonObject *root;
  JsonObject *object;
  JsonArray *array;
  g_autoptr(GList) bots = NULL;

  /* Watched in an order that the hash table will not keep */
  arb_sampler_watch_pid (fixture->sampler, "zeta", 4243);
  arb_sampler_watch_pid (fixture->sampler, "omega", 999001);
  arb_sampler_watch_pid (fixture->sampler, "gamma", 999002);
  arb_sampler_watch_pid (fixture->sampler, "alpha", 4242);
  arb_sampler_watch_pid (fixture->sampler, "delta", 999003);
  arb_sampler_watch_pid (fixture->sampler, "beta", 999004);
  _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  load_snapshot (fixture, "b");
  s = _arb_sampler_collect_at (fixture->sampler, T1_US, T0_MS + 2000);

  node = arb_system_sample_to_json (s);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  root = json_node_get_object (node);
  assert_members (root, top);
  g_assert_cmpint (json_object_get_int_member (root, "ts"), ==, T0_MS + 2000);
  g_assert_cmpint (json_object_get_int_member (root, "interval_ms"), ==, 2000);

  object = member_object (root, "cpu");
  g_assert_cmpfloat (json_object_get_double_member (object, "total"), ==, 57.5);
  array = member_array (object, "cores");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpfloat (json_array_get_double_element (array, 0), ==, 25.0);
  g_assert_cmpfloat (json_array_get_double_element (array, 1), ==, 90.0);

  object = member_object (root, "memory");
  assert_members (object, memory_members);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 24684100 * KIB);
  g_assert_cmpint (json_object_get_int_member (object, "used"), ==, 4684100 * KIB);
  g_assert_cmpint (json_object_get_int_member (object, "swap_used"), ==, 1048572 * KIB);

  array = member_array (root, "load");
  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  g_assert_cmpfloat (json_array_get_double_element (array, 0), ==, 0.52);
  g_assert_cmpfloat (json_array_get_double_element (array, 2), ==, 0.12);
  g_assert_cmpfloat (json_object_get_double_member (root, "uptime_s"), ==, 453.29);

  object = member_object (root, "disk");
  g_assert_cmpstr (json_object_get_string_member (object, "path"), ==, fixture->root);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, s->disk_total);
  g_assert_cmpint (json_object_get_int_member (object, "used"), ==, s->disk_used);
  g_assert_cmpint (json_object_get_int_member (object, "free"), ==, s->disk_free);

  array = member_array (root, "net");
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  object = json_array_get_object_element (array, 0);
  assert_members (object, iface_members);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "lo");
  g_assert_true (json_object_get_boolean_member (object, "loopback"));
  object = json_array_get_object_element (array, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "eth0");
  g_assert_false (json_object_get_boolean_member (object, "loopback"));
  g_assert_cmpint (json_object_get_int_member (object, "rx_bytes"), ==, 101048000);
  g_assert_cmpfloat (json_object_get_double_member (object, "rx_rate"), ==, 1024000.0);
  g_assert_cmpfloat (json_object_get_double_member (object, "tx_rate"), ==, 15000.0);

  object = member_object (root, "process");
  assert_members (object, process_members);
  g_assert_cmpfloat (json_object_get_double_member (object, "cpu_pct"), ==, s->self.cpu_pct);
  g_assert_cmpint (json_object_get_int_member (object, "rss_bytes"), ==, 2048 * KIB);
  g_assert_cmpint (json_object_get_int_member (object, "threads"), ==, 3);

  object = member_object (root, "bots");
  bots = json_object_get_members (object);
  g_assert_cmpuint (g_list_length (bots), ==, g_strv_length ((char **) bot_keys));
  for (GList *l = bots; l != NULL; l = l->next)   /* sorted */
    g_assert_cmpstr (l->data, ==, bot_keys[g_list_position (bots, l)]);
  assert_members (member_object (object, "alpha"), bot_members);
  g_assert_true (json_object_get_boolean_member (member_object (object, "alpha"), "alive"));
  g_assert_cmpint (json_object_get_int_member (member_object (object, "alpha"), "threads"), ==, 7);
  g_assert_false (json_object_get_boolean_member (member_object (object, "zeta"), "alive"));

  /* A copy outlives the sampler's next collection and serialises the same */
  copy = arb_system_sample_copy (s);
  text = sample_json_string (s);
  _arb_sampler_collect_at (fixture->sampler, T1_US + G_USEC_PER_SEC, T0_MS + 3000);
  copy_text = sample_json_string (copy);
  g_assert_cmpstr (copy_text, ==, text);
  g_assert_cmpstr (copy->disk_path, ==, fixture->root);
  g_assert_true (copy->cpu_core != s->cpu_core);
}

static void
test_json_disabled_parts (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char * const nullable[] = {
    "cpu", "memory", "load", "uptime_s", "disk", "net", "process", NULL
  };
  g_autofree char *nowhere = g_build_filename (fixture->root, "nowhere", NULL);
  g_autoptr(ArbSampler) sampler = arb_sampler_new (nowhere, nowhere);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ArbSystemSample) copy = NULL;
  const ArbSystemSample *s;
  JsonObject *root;

  s = arb_sampler_sample_now (sampler);
  g_assert_cmpint (s->parts, ==, 0);
  g_assert_cmpuint (sampler_warnings->len, ==, 7);
  fixture->expected_warnings = 7;

  node = arb_system_sample_to_json (s);
  root = json_node_get_object (node);
  for (guint i = 0; nullable[i] != NULL; i++)
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (root, nullable[i])));
  g_assert_cmpuint (json_object_get_size (member_object (root, "bots")), ==, 0);

  copy = arb_system_sample_copy (s);
  g_assert_null (copy->cpu_core);
  g_assert_null (copy->ifaces);
  arb_system_sample_free (NULL);
}

/* Found by tests/fuzz (fuzz-proc): "nan", "inf" or "1e999" in loadavg or uptime
 * were taken as numbers, and json-glib writes them as "nan.0" and "inf.0": the
 * system sample was no longer JSON for /api/v1/system or the stream. */
static void
test_non_finite_numbers (Fixture       *fixture,
                         gconstpointer  data)
{
  const ArbSystemSample *s;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;

  write_root_file (fixture, "loadavg", "nan inf 1e999 1/2 3\n");
  write_root_file (fixture, "uptime", "-inf 5.0\n");
  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpint (s->parts & (ARB_SAMPLE_LOAD | ARB_SAMPLE_UPTIME), ==, 0);
  g_assert_true (warned_about ("load averages"));
  g_assert_true (warned_about ("uptime"));
  fixture->expected_warnings = 2;
  node = arb_system_sample_to_json (s);
  json = json_to_string (node, FALSE);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
}

/* Found by tests/fuzz (fuzz-proc): an interface name is bytes to the kernel
 * (any but '/', ':' and white space), and one that is not UTF-8, or cut in
 * the middle of a character by the name's buffer, made /api/v1/system,
 * the stream's system frames and /metrics invalid UTF-8. */
static void
test_iface_names_utf8 (Fixture       *fixture,
                       gconstpointer  data)
{
  const ArbSystemSample *s;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  write_root_file (fixture, "net/dev",
                   "Inter-|   Receive |  Transmit\n"
                   " face |bytes packets errs drop fifo frame compressed multicast|bytes\n"
                   "  \xff\xfe" "0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n"
                   "  abcdefghijklmnopqrstuvwxyz0123\xc3\xa9" "0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n"
                   "  caf\xc3\xa9: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n");
  s = _arb_sampler_collect_at (fixture->sampler, T0_US, T0_MS);
  g_assert_cmpuint (s->n_ifaces, ==, 3);
  for (guint i = 0; i < s->n_ifaces; i++)
    g_assert_true (g_utf8_validate (s->ifaces[i].name, -1, NULL));
  g_assert_cmpstr (s->ifaces[0].name, ==, "??0");
  g_assert_cmpstr (s->ifaces[1].name, ==, "abcdefghijklmnopqrstuvwxyz0123?");
  /* a valid name is left as it is */
  g_assert_cmpstr (s->ifaces[2].name, ==, "caf\xc3\xa9");
  node = arb_system_sample_to_json (s);
  json = json_to_string (node, FALSE);
  g_assert_true (g_utf8_validate (json, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  sampler_warnings = g_ptr_array_new_with_free_func (g_free);
  test_capture_log ("arb-sampler", G_LOG_LEVEL_WARNING, &sampler_warnings);

#define ADD_FIXTURE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/parse", test_parse_snapshots);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/counters-going-back", test_counters_going_back);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/watch-pids", test_watch_pids);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/missing-files", test_missing_files);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/bad-files", test_bad_files);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/bad-pid-files", test_bad_pid_files);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/parse-errors", test_parse_errors);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/old-kernel-meminfo", test_old_kernel_meminfo);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/disk", test_disk);
  ADD_FIXTURE_TEST ("/arb/sampler/fixtures/big-machine", test_big_machine);
  ADD_FIXTURE_TEST ("/arb/sampler/json/shape", test_json);
  ADD_FIXTURE_TEST ("/arb/sampler/json/disabled-parts", test_json_disabled_parts);
  ADD_FIXTURE_TEST ("/arb/sampler/json/iface-names-utf8", test_iface_names_utf8);
  ADD_FIXTURE_TEST ("/arb/sampler/json/non-finite-numbers", test_non_finite_numbers);
  g_test_add_func ("/arb/sampler/real/proc", test_real_proc);
  g_test_add_func ("/arb/sampler/real/child-exits", test_real_child_exits);
  g_test_add_func ("/arb/sampler/interval", test_interval);
  g_test_add_func ("/arb/sampler/signal", test_signal);
  g_test_add_func ("/arb/sampler/main-loop", test_main_loop);

  return g_test_run ();
}
