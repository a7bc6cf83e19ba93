/* arb-sampler.c: cheap periodic collectors of the machine's figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Modelled on netdata's proc.plugin: a table of collectors run from one
 * main-loop timeout, each file opened once and re-read from offset 0 into one
 * buffer that only grows, so the steady state makes no allocation beyond the
 * sample itself. A collector that fails is disabled with one warning and the
 * others keep going. The /proc root is a construct property so that tests can
 * point the sampler at recorded fixtures.
 */

#define G_LOG_DOMAIN "arb-sampler"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gio.h>

#include "arb-sampler-private.h"

#define BUF_INITIAL_SIZE 4096
/* Far above any real /proc file we read: past it something is wrong. */
#define BUF_MAX_SIZE     (8 * 1024 * 1024)

typedef struct
{
  char *path;
  int   fd;
} ProcFile;

typedef struct
{
  guint64 busy;
  guint64 total;
} CpuTicks;

/* One process read from <root>/<pid>/{stat,status}; also used for "self". */
typedef struct
{
  char         *key;
  ProcFile      stat;
  ProcFile      status;
  gint64        prev_us;
  guint64       prev_ticks;
  gboolean      have_prev;
  gboolean      gone;
  ArbProcStats  stats;
} ProcWatch;

struct _ArbSampler
{
  GObject          parent_instance;

  char            *proc_root;
  guint            interval_ms;
  guint            timeout_id;
  long             clk_tck;

  char            *buf;
  gsize            buf_size;

  ProcFile         stat_file;
  ProcFile         meminfo_file;
  ProcFile         netdev_file;
  ProcFile         loadavg_file;
  ProcFile         uptime_file;
  ProcWatch        self_proc;
  GHashTable      *watches;         /* key -> ProcWatch*, the key is owned by the value */

  ArbSampleParts   disabled;

  /* The collection under way and the previous readings, for rates. */
  gint64           now_us;
  gint64           dt_us;           /* 0 when there is no previous collection */
  gint64           prev_us;
  gboolean         have_prev;

  gboolean         have_prev_cpu;
  CpuTicks         prev_total;
  CpuTicks        *cores;           /* this reading; cores_cap entries */
  CpuTicks        *prev_cores;      /* n_prev_cores valid of cores_cap */
  guint            n_prev_cores;
  guint            cores_cap;

  ArbNetIface     *prev_ifaces;     /* n_prev_ifaces valid of ifaces_cap */
  guint            n_prev_ifaces;
  guint            ifaces_cap;      /* of both prev_ifaces and sample.ifaces */

  ArbSystemSample  sample;
  gboolean         have_sample;
};

G_DEFINE_FINAL_TYPE (ArbSampler, arb_sampler, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (ArbSystemSample, arb_system_sample,
                     arb_system_sample_copy, arb_system_sample_free)

enum {
  PROP_0,
  PROP_PROC_ROOT,
  PROP_DISK_PATH,
  PROP_INTERVAL_MS,
  N_PROPS
};

enum {
  SAMPLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------------
 * Reading files
 */

/* Takes @path. */
static void
proc_file_init (ProcFile *file,
                char     *path)
{
  file->path = path;
  file->fd = -1;
}

static void
proc_file_close (ProcFile *file)
{
  if (file->fd >= 0)
    close (file->fd);
  file->fd = -1;
}

static void
proc_file_clear (ProcFile *file)
{
  proc_file_close (file);
  g_clear_pointer (&file->path, g_free);
}

static gboolean
set_errno_error (GError     **error,
                 int          errsv,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "%s: %s", path, g_strerror (errsv));
  return FALSE;
}

static gboolean
set_parse_error (GError     **error,
                 const char  *path,
                 const char  *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: cannot parse %s", path, what);
  return FALSE;
}

/* Reads the whole of @file into self->buf, NUL-terminated. The file stays
 * open: /proc files give fresh contents on every read from offset 0. */
static gboolean
proc_file_read (ArbSampler  *self,
                ProcFile    *file,
                GError     **error)
{
  if (file->fd < 0)
    {
      file->fd = open (file->path, O_RDONLY | O_CLOEXEC);
      if (file->fd < 0)
        return set_errno_error (error, errno, file->path);
    }

  for (;;)
    {
      gsize len = 0;

      if (lseek (file->fd, 0, SEEK_SET) < 0)
        return set_errno_error (error, errno, file->path);

      while (len < self->buf_size - 1)
        {
          gssize n = read (file->fd, self->buf + len, self->buf_size - 1 - len);

          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return set_errno_error (error, errno, file->path);
          if (n == 0)
            break;
          len += n;
        }

      if (len < self->buf_size - 1)
        {
          self->buf[len] = '\0';
          return TRUE;
        }

      /* Full buffer: the file may go on. Read it again, whole, into a larger
       * one rather than stitching two different moments together. */
      if (self->buf_size >= BUF_MAX_SIZE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s: larger than %d bytes", file->path, BUF_MAX_SIZE);
          return FALSE;
        }
      self->buf_size *= 2;
      self->buf = g_realloc (self->buf, self->buf_size);
    }
}

/* ---------------------------------------------------------------------------
 * Parsing helpers: they work in place on self->buf and never allocate.
 */

static char *
next_line (char **cursor)
{
  char *line = *cursor;
  char *nl;

  if (*line == '\0')
    return NULL;

  nl = strchr (line, '\n');
  if (nl != NULL)
    {
      *nl = '\0';
      *cursor = nl + 1;
    }
  else
    {
      *cursor = line + strlen (line);
    }

  return line;
}

static gboolean
parse_u64 (char    **p,
           guint64  *out)
{
  char *end;

  while (**p == ' ' || **p == '\t')
    (*p)++;
  /* g_ascii_strtoull() would take a sign and negate */
  if (!g_ascii_isdigit (**p))
    return FALSE;

  *out = g_ascii_strtoull (*p, &end, 10);
  *p = end;

  return TRUE;
}

static gboolean
parse_double (char   **p,
              double  *out)
{
  char *end;

  while (**p == ' ' || **p == '\t')
    (*p)++;
  /* g_ascii_strtod() also takes "nan", "inf", "0x1p3" and a sign; the
   * figures read here are plain decimals, and JSON has no NaN or infinity */
  if (!g_ascii_isdigit (**p))
    return FALSE;
  *out = g_ascii_strtod (*p, &end);
  if (!isfinite (*out))
    return FALSE;
  *p = end;

  return TRUE;
}

static gboolean
skip_field (char **p)
{
  while (**p == ' ')
    (*p)++;
  if (**p == '\0')
    return FALSE;
  while (**p != ' ' && **p != '\0')
    (*p)++;

  return TRUE;
}

static double
counter_rate (guint64 prev,
              guint64 cur,
              gint64  dt_us)
{
  /* A counter that went back was reset (interface re-created, driver reloaded). */
  if (dt_us <= 0 || cur < prev)
    return 0.0;

  return (double) (cur - prev) * G_USEC_PER_SEC / (double) dt_us;
}

/* ---------------------------------------------------------------------------
 * Collectors
 */

static gboolean
parse_cpu_line (char     *p,
                CpuTicks *out)
{
  /* user nice system idle iowait irq softirq steal guest guest_nice;
   * kernels before 2.6.33 give fewer fields. */
  guint64 v[10] = { 0, };
  guint n = 0;

  while (n < G_N_ELEMENTS (v) && parse_u64 (&p, &v[n]))
    n++;
  if (n < 4)
    return FALSE;

  /* guest and guest_nice are already counted in user and nice. */
  out->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
  out->busy = out->total - v[3] - v[4];

  return TRUE;
}

static double
busy_pct (const CpuTicks *prev,
          const CpuTicks *cur)
{
  guint64 dtotal;
  guint64 dbusy;

  /* Counters go back when a CPU went offline and came back, and with the
   * kernel's iowait accounting quirk: no figure beats a wrong one. */
  if (cur->total <= prev->total || cur->busy < prev->busy)
    return 0.0;

  dtotal = cur->total - prev->total;
  dbusy = cur->busy - prev->busy;
  if (dbusy >= dtotal)
    return 100.0;

  return 100.0 * (double) dbusy / (double) dtotal;
}

static gboolean
collect_cpu (ArbSampler  *self,
             GError     **error)
{
  ArbSystemSample *sample = &self->sample;
  CpuTicks total = { 0, };
  gboolean have_total = FALSE;
  gboolean same_cores;
  CpuTicks *swap;
  char *cursor;
  char *line;
  guint n = 0;

  if (!proc_file_read (self, &self->stat_file, error))
    return FALSE;

  /* The cpu lines come first; stop at the first other one (intr, ctxt...). */
  cursor = self->buf;
  while ((line = next_line (&cursor)) != NULL && g_str_has_prefix (line, "cpu"))
    {
      char *p = line + 3;

      if (*p == ' ')
        {
          if (!parse_cpu_line (p, &total))
            return set_parse_error (error, self->stat_file.path, "the cpu line");
          have_total = TRUE;
          continue;
        }

      while (g_ascii_isdigit (*p))
        p++;
      if (n == self->cores_cap)
        {
          self->cores_cap = MAX (8, self->cores_cap * 2);
          self->cores = g_renew (CpuTicks, self->cores, self->cores_cap);
          self->prev_cores = g_renew (CpuTicks, self->prev_cores, self->cores_cap);
        }
      if (p == line + 3 || !parse_cpu_line (p, &self->cores[n]))
        return set_parse_error (error, self->stat_file.path, line);
      n++;
    }

  if (!have_total)
    return set_parse_error (error, self->stat_file.path, "the cpu line");

  sample->cpu_total = self->have_prev_cpu ? busy_pct (&self->prev_total, &total) : 0.0;

  if (n != sample->n_cores)
    {
      sample->cpu_core = g_renew (double, sample->cpu_core, n);
      sample->n_cores = n;
    }
  /* When CPUs went on- or offline the lines no longer match up: skip a beat. */
  same_cores = self->have_prev_cpu && n == self->n_prev_cores;
  for (guint i = 0; i < n; i++)
    sample->cpu_core[i] = same_cores ? busy_pct (&self->prev_cores[i], &self->cores[i]) : 0.0;

  swap = self->prev_cores;
  self->prev_cores = self->cores;
  self->cores = swap;
  self->n_prev_cores = n;
  self->prev_total = total;
  self->have_prev_cpu = TRUE;

  return TRUE;
}

enum {
  MEM_TOTAL,
  MEM_FREE,
  MEM_AVAILABLE,
  MEM_BUFFERS,
  MEM_CACHED,
  MEM_SRECLAIMABLE,
  MEM_SWAP_TOTAL,
  MEM_SWAP_FREE,
  N_MEM
};

static const char * const mem_keys[N_MEM] = {
  "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SReclaimable",
  "SwapTotal", "SwapFree",
};

static gboolean
collect_memory (ArbSampler  *self,
                GError     **error)
{
  ArbSystemSample *sample = &self->sample;
  guint64 v[N_MEM] = { 0, };
  guint found = 0;
  char *cursor;
  char *line;

  if (!proc_file_read (self, &self->meminfo_file, error))
    return FALSE;

  cursor = self->buf;
  while (found != (1u << N_MEM) - 1 && (line = next_line (&cursor)) != NULL)
    {
      char *colon = strchr (line, ':');
      char *p;
      guint i;

      if (colon == NULL)
        continue;
      *colon = '\0';
      for (i = 0; i < N_MEM; i++)
        if (strcmp (line, mem_keys[i]) == 0)
          break;
      if (i == N_MEM)
        continue;

      p = colon + 1;
      if (!parse_u64 (&p, &v[i]))
        return set_parse_error (error, self->meminfo_file.path, mem_keys[i]);
      v[i] *= 1024;   /* "kB" that means KiB */
      found |= 1u << i;
    }

  if (!(found & (1u << MEM_TOTAL)))
    return set_parse_error (error, self->meminfo_file.path, "MemTotal");
  /* Kernels before 3.14 have no MemAvailable: the old estimate. */
  if (!(found & (1u << MEM_AVAILABLE)))
    v[MEM_AVAILABLE] = v[MEM_FREE] + v[MEM_BUFFERS] + v[MEM_CACHED];

  sample->mem_total = v[MEM_TOTAL];
  sample->mem_available = MIN (v[MEM_AVAILABLE], v[MEM_TOTAL]);
  sample->mem_used = v[MEM_TOTAL] - sample->mem_available;
  sample->mem_cached = v[MEM_BUFFERS] + v[MEM_CACHED] + v[MEM_SRECLAIMABLE];
  sample->swap_total = v[MEM_SWAP_TOTAL];
  sample->swap_used = v[MEM_SWAP_TOTAL] - MIN (v[MEM_SWAP_FREE], v[MEM_SWAP_TOTAL]);

  return TRUE;
}

static const ArbNetIface *
find_prev_iface (ArbSampler *self,
                 guint       hint,
                 const char *name)
{
  /* Interfaces keep their order from one read to the next. */
  if (hint < self->n_prev_ifaces && strcmp (self->prev_ifaces[hint].name, name) == 0)
    return &self->prev_ifaces[hint];

  for (guint i = 0; i < self->n_prev_ifaces; i++)
    if (strcmp (self->prev_ifaces[i].name, name) == 0)
      return &self->prev_ifaces[i];

  return NULL;
}

/* An interface name is bytes to the kernel (anything but '/', ':' and white
 * space), and the JSON, the stream and /metrics carry it as text: a byte
 * that is not UTF-8 (or a character cut by the name's buffer) becomes '?',
 * in place. */
static void
make_valid_utf8 (char *s)
{
  const char *end;

  while (!g_utf8_validate (s, -1, &end))
    {
      s = (char *) end;
      *s++ = '?';
    }
}

static gboolean
collect_net (ArbSampler  *self,
             GError     **error)
{
  ArbSystemSample *sample = &self->sample;
  char *cursor;
  char *line;
  guint n = 0;

  if (!proc_file_read (self, &self->netdev_file, error))
    return FALSE;

  cursor = self->buf;
  while ((line = next_line (&cursor)) != NULL)
    {
      /* rx: bytes packets errs drop fifo frame compressed multicast, then tx: bytes ... */
      guint64 v[9];
      char *colon = strchr (line, ':');
      const ArbNetIface *prev;
      ArbNetIface *iface;
      char *p;

      /* The two header lines have no colon; a large counter may touch it. */
      if (colon == NULL)
        continue;
      *colon = '\0';
      p = colon + 1;
      for (guint i = 0; i < G_N_ELEMENTS (v); i++)
        if (!parse_u64 (&p, &v[i]))
          return set_parse_error (error, self->netdev_file.path, g_strstrip (line));

      if (n == self->ifaces_cap)
        {
          self->ifaces_cap = MAX (8, self->ifaces_cap * 2);
          sample->ifaces = g_renew (ArbNetIface, sample->ifaces, self->ifaces_cap);
          self->prev_ifaces = g_renew (ArbNetIface, self->prev_ifaces, self->ifaces_cap);
        }

      iface = &sample->ifaces[n];
      g_strlcpy (iface->name, g_strstrip (line), sizeof iface->name);
      make_valid_utf8 (iface->name);
      /* "lo" is the loopback by the kernel's own naming; kept, and marked. */
      iface->loopback = strcmp (iface->name, "lo") == 0;
      iface->rx_bytes = v[0];
      iface->tx_bytes = v[8];

      prev = find_prev_iface (self, n, iface->name);
      iface->rx_rate = prev != NULL ? counter_rate (prev->rx_bytes, v[0], self->dt_us) : 0.0;
      iface->tx_rate = prev != NULL ? counter_rate (prev->tx_bytes, v[8], self->dt_us) : 0.0;
      n++;
    }

  sample->n_ifaces = n;
  if (n > 0)
    memcpy (self->prev_ifaces, sample->ifaces, n * sizeof (ArbNetIface));
  self->n_prev_ifaces = n;

  return TRUE;
}

static gboolean
collect_load (ArbSampler  *self,
              GError     **error)
{
  ArbSystemSample *sample = &self->sample;
  double load[3];
  char *p;

  if (!proc_file_read (self, &self->loadavg_file, error))
    return FALSE;

  p = self->buf;
  for (guint i = 0; i < G_N_ELEMENTS (load); i++)
    if (!parse_double (&p, &load[i]))
      return set_parse_error (error, self->loadavg_file.path, "the load averages");

  sample->load1 = load[0];
  sample->load5 = load[1];
  sample->load15 = load[2];

  return TRUE;
}

static gboolean
collect_uptime (ArbSampler  *self,
                GError     **error)
{
  char *p;

  if (!proc_file_read (self, &self->uptime_file, error))
    return FALSE;

  p = self->buf;
  if (!parse_double (&p, &self->sample.uptime_s))
    return set_parse_error (error, self->uptime_file.path, "the uptime");

  return TRUE;
}

static gboolean
collect_disk (ArbSampler  *self,
              GError     **error)
{
  ArbSystemSample *sample = &self->sample;
  struct statvfs st;
  guint64 frsize;

  if (statvfs (sample->disk_path, &st) < 0)
    return set_errno_error (error, errno, sample->disk_path);

  frsize = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  sample->disk_total = (guint64) st.f_blocks * frsize;
  sample->disk_free = (guint64) st.f_bavail * frsize;
  sample->disk_used = (guint64) (st.f_blocks - MIN (st.f_bfree, st.f_blocks)) * frsize;

  return TRUE;
}

/* ---------------------------------------------------------------------------
 * Processes
 */

static void
proc_watch_init (ProcWatch  *watch,
                 const char *root,
                 const char *key,
                 const char *dir)
{
  memset (watch, 0, sizeof *watch);
  watch->key = g_strdup (key);
  proc_file_init (&watch->stat, g_build_filename (root, dir, "stat", NULL));
  proc_file_init (&watch->status, g_build_filename (root, dir, "status", NULL));
}

static void
proc_watch_clear (ProcWatch *watch)
{
  proc_file_clear (&watch->stat);
  proc_file_clear (&watch->status);
  g_clear_pointer (&watch->key, g_free);
}

static void
proc_watch_free (gpointer data)
{
  ProcWatch *watch = data;

  proc_watch_clear (watch);
  g_free (watch);
}

/* Once gone, always gone: the held file descriptors pinned that very process,
 * and a new one that reuses the pid is not the bot we were told about. */
static void
proc_watch_set_gone (ProcWatch *watch)
{
  proc_file_close (&watch->stat);
  proc_file_close (&watch->status);
  memset (&watch->stats, 0, sizeof watch->stats);
  watch->gone = TRUE;
}

static gboolean
parse_pid_stat (ArbSampler  *self,
                const char  *path,
                char        *state,
                guint64     *ticks,
                GError     **error)
{
  /* The comm field may hold spaces and parentheses: fields restart after the last ')'. */
  char *p = strrchr (self->buf, ')');
  guint64 utime;
  guint64 stime;

  if (p == NULL || p[1] != ' ' || p[2] == '\0')
    return set_parse_error (error, path, "the process state");
  p += 2;
  *state = *p++;

  /* Fields 4 (ppid) to 13 (cmajflt), then 14 utime and 15 stime. */
  for (guint i = 4; i <= 13; i++)
    if (!skip_field (&p))
      return set_parse_error (error, path, "the process fields");
  if (!parse_u64 (&p, &utime) || !parse_u64 (&p, &stime))
    return set_parse_error (error, path, "the process CPU times");

  *ticks = utime + stime;

  return TRUE;
}

/* RSS from status, not from stat: status gives kB, stat gives pages, whose
 * size differs between machines. */
static gboolean
parse_pid_status (ArbSampler  *self,
                  const char  *path,
                  guint64     *rss_bytes,
                  guint       *threads,
                  GError     **error)
{
  char *cursor = self->buf;
  char *line;

  /* Kernel threads and zombies have no VmRSS line. */
  *rss_bytes = 0;

  while ((line = next_line (&cursor)) != NULL)
    {
      guint64 value;
      char *p;

      if (g_str_has_prefix (line, "VmRSS:"))
        {
          p = line + strlen ("VmRSS:");
          if (!parse_u64 (&p, &value))
            return set_parse_error (error, path, "VmRSS");
          *rss_bytes = value * 1024;
        }
      else if (g_str_has_prefix (line, "Threads:"))
        {
          p = line + strlen ("Threads:");
          if (!parse_u64 (&p, &value))
            return set_parse_error (error, path, "Threads");
          *threads = (guint) value;
          return TRUE;   /* after VmRSS, and the last line we need */
        }
    }

  return set_parse_error (error, path, "Threads");
}

static gboolean
proc_watch_read (ArbSampler  *self,
                 ProcWatch   *watch,
                 GError     **error)
{
  guint64 ticks = 0;
  guint64 rss_bytes = 0;
  guint threads = 0;
  char state = '\0';

  if (!proc_file_read (self, &watch->stat, error) ||
      !parse_pid_stat (self, watch->stat.path, &state, &ticks, error))
    return FALSE;

  /* A zombie has exited and only waits for its parent to reap it. */
  if (state == 'Z' || state == 'X')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: the process has exited", watch->stat.path);
      return FALSE;
    }

  if (!proc_file_read (self, &watch->status, error) ||
      !parse_pid_status (self, watch->status.path, &rss_bytes, &threads, error))
    return FALSE;

  if (watch->have_prev && self->now_us > watch->prev_us && ticks >= watch->prev_ticks)
    {
      double dt_s = (double) (self->now_us - watch->prev_us) / G_USEC_PER_SEC;

      watch->stats.cpu_pct = 100.0 * (double) (ticks - watch->prev_ticks)
                             / ((double) self->clk_tck * dt_s);
    }
  else
    {
      watch->stats.cpu_pct = 0.0;
    }
  watch->stats.rss_bytes = rss_bytes;
  watch->stats.threads = threads;
  watch->stats.alive = TRUE;
  watch->prev_ticks = ticks;
  watch->prev_us = self->now_us;
  watch->have_prev = TRUE;

  return TRUE;
}

static gboolean
collect_self (ArbSampler  *self,
              GError     **error)
{
  if (!proc_watch_read (self, &self->self_proc, error))
    return FALSE;

  self->sample.self = self->self_proc.stats;

  return TRUE;
}

/* Not a collector that can be disabled: a pid that cannot be read is gone,
 * which is news about the bot, not a fault of the sampler. */
static void
collect_watches (ArbSampler *self)
{
  GHashTable *procs = self->sample.procs;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_autoptr(GError) error = NULL;
      ProcWatch *watch = value;
      ArbProcStats *stats;

      if (!watch->gone && !proc_watch_read (self, watch, &error))
        {
          g_debug ("Watched process %s is gone: %s", watch->key, error->message);
          proc_watch_set_gone (watch);
        }

      stats = g_hash_table_lookup (procs, watch->key);
      if (stats == NULL)
        {
          stats = g_new (ArbProcStats, 1);
          g_hash_table_insert (procs, g_strdup (watch->key), stats);
        }
      *stats = watch->stats;
    }
}

/* ---------------------------------------------------------------------------
 * The collector table
 */

typedef gboolean (*CollectFunc) (ArbSampler  *self,
                                 GError     **error);

static const struct
{
  const char     *name;
  ArbSampleParts  part;
  CollectFunc     collect;
} collectors[] = {
  { "cpu",     ARB_SAMPLE_CPU,     collect_cpu },
  { "memory",  ARB_SAMPLE_MEMORY,  collect_memory },
  { "net",     ARB_SAMPLE_NET,     collect_net },
  { "load",    ARB_SAMPLE_LOAD,    collect_load },
  { "uptime",  ARB_SAMPLE_UPTIME,  collect_uptime },
  { "disk",    ARB_SAMPLE_DISK,    collect_disk },
  { "process", ARB_SAMPLE_PROCESS, collect_self },
};

/* Zeroes the part's figures, so that nobody reads stale ones, and closes its files. */
static void
clear_part (ArbSampler     *self,
            ArbSampleParts  part)
{
  ArbSystemSample *sample = &self->sample;

  switch (part)
    {
    case ARB_SAMPLE_CPU:
      proc_file_close (&self->stat_file);
      sample->cpu_total = 0.0;
      sample->n_cores = 0;
      g_clear_pointer (&sample->cpu_core, g_free);
      break;
    case ARB_SAMPLE_MEMORY:
      proc_file_close (&self->meminfo_file);
      sample->mem_total = sample->mem_used = sample->mem_available = sample->mem_cached = 0;
      sample->swap_total = sample->swap_used = 0;
      break;
    case ARB_SAMPLE_NET:
      proc_file_close (&self->netdev_file);
      sample->n_ifaces = 0;
      break;
    case ARB_SAMPLE_LOAD:
      proc_file_close (&self->loadavg_file);
      sample->load1 = sample->load5 = sample->load15 = 0.0;
      break;
    case ARB_SAMPLE_UPTIME:
      proc_file_close (&self->uptime_file);
      sample->uptime_s = 0.0;
      break;
    case ARB_SAMPLE_DISK:
      sample->disk_total = sample->disk_used = sample->disk_free = 0;
      break;
    case ARB_SAMPLE_PROCESS:
      proc_watch_set_gone (&self->self_proc);
      memset (&sample->self, 0, sizeof sample->self);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * _arb_sampler_collect_at:
 * @self: a #ArbSampler
 * @mono_us: the monotonic clock, in µs
 * @real_ms: the wall clock, in ms since the Unix epoch
 *
 * Returns: (transfer none): the new sample
 */
const ArbSystemSample *
_arb_sampler_collect_at (ArbSampler *self,
                         gint64      mono_us,
                         gint64      real_ms)
{
  ArbSystemSample *sample;

  g_return_val_if_fail (ARB_IS_SAMPLER (self), NULL);

  sample = &self->sample;
  self->now_us = mono_us;
  self->dt_us = self->have_prev && mono_us > self->prev_us ? mono_us - self->prev_us : 0;

  sample->ts_ms = real_ms;
  /* Rounded up, so that a sample with rates never claims 0. */
  sample->interval_ms = (self->dt_us + 999) / 1000;
  sample->parts = 0;

  for (guint i = 0; i < G_N_ELEMENTS (collectors); i++)
    {
      g_autoptr(GError) error = NULL;
      ArbSampleParts part = collectors[i].part;

      if (self->disabled & part)
        continue;

      if (collectors[i].collect (self, &error))
        {
          sample->parts |= part;
          continue;
        }

      g_warning ("Disabling the %s collector: %s", collectors[i].name, error->message);
      self->disabled |= part;
      clear_part (self, part);
    }

  collect_watches (self);

  self->prev_us = mono_us;
  self->have_prev = TRUE;
  self->have_sample = TRUE;

  g_signal_emit (self, signals[SAMPLED], 0, sample);

  return sample;
}

/* ---------------------------------------------------------------------------
 * ArbSystemSample
 */

static GHashTable *
procs_table_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
system_sample_clear (ArbSystemSample *sample)
{
  g_clear_pointer (&sample->cpu_core, g_free);
  g_clear_pointer (&sample->ifaces, g_free);
  g_clear_pointer (&sample->disk_path, g_free);
  g_clear_pointer (&sample->procs, g_hash_table_unref);
}

/**
 * arb_system_sample_copy:
 * @sample: a sample
 *
 * Copies a sample, for a consumer that keeps it past the "sampled" signal.
 *
 * Returns: (transfer full): a deep copy of @sample
 */
ArbSystemSample *
arb_system_sample_copy (const ArbSystemSample *sample)
{
  ArbSystemSample *copy;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (sample != NULL, NULL);

  copy = g_memdup2 (sample, sizeof *sample);
  copy->cpu_core = g_memdup2 (sample->cpu_core, sample->n_cores * sizeof (double));
  copy->ifaces = g_memdup2 (sample->ifaces, sample->n_ifaces * sizeof (ArbNetIface));
  copy->disk_path = g_strdup (sample->disk_path);
  copy->procs = procs_table_new ();

  if (sample->procs != NULL)
    {
      g_hash_table_iter_init (&iter, sample->procs);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->procs, g_strdup (key), g_memdup2 (value, sizeof (ArbProcStats)));
    }

  return copy;
}

/**
 * arb_system_sample_free:
 * @sample: (transfer full) (nullable): a sample from arb_system_sample_copy()
 *
 * Frees a copied sample.
 */
void
arb_system_sample_free (ArbSystemSample *sample)
{
  if (sample == NULL)
    return;

  system_sample_clear (sample);
  g_free (sample);
}

static void
add_proc_stats (JsonBuilder        *builder,
                const ArbProcStats *stats,
                gboolean            with_alive)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cpu_pct");
  json_builder_add_double_value (builder, stats->cpu_pct);
  json_builder_set_member_name (builder, "rss_bytes");
  json_builder_add_int_value (builder, (gint64) stats->rss_bytes);
  json_builder_set_member_name (builder, "threads");
  json_builder_add_int_value (builder, stats->threads);
  if (with_alive)
    {
      json_builder_set_member_name (builder, "alive");
      json_builder_add_boolean_value (builder, stats->alive);
    }
  json_builder_end_object (builder);
}

static void
add_cpu (JsonBuilder           *builder,
         const ArbSystemSample *sample)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_double_value (builder, sample->cpu_total);
  json_builder_set_member_name (builder, "cores");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sample->n_cores; i++)
    json_builder_add_double_value (builder, sample->cpu_core[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_memory (JsonBuilder           *builder,
            const ArbSystemSample *sample)
{
  const struct { const char *name; guint64 value; } members[] = {
    { "total", sample->mem_total },
    { "used", sample->mem_used },
    { "available", sample->mem_available },
    { "cached", sample->mem_cached },
    { "swap_total", sample->swap_total },
    { "swap_used", sample->swap_used },
  };

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      json_builder_set_member_name (builder, members[i].name);
      json_builder_add_int_value (builder, (gint64) members[i].value);
    }
  json_builder_end_object (builder);
}

static void
add_disk (JsonBuilder           *builder,
          const ArbSystemSample *sample)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, sample->disk_path);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, (gint64) sample->disk_total);
  json_builder_set_member_name (builder, "used");
  json_builder_add_int_value (builder, (gint64) sample->disk_used);
  json_builder_set_member_name (builder, "free");
  json_builder_add_int_value (builder, (gint64) sample->disk_free);
  json_builder_end_object (builder);
}

static void
add_net (JsonBuilder           *builder,
         const ArbSystemSample *sample)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < sample->n_ifaces; i++)
    {
      const ArbNetIface *iface = &sample->ifaces[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, iface->name);
      json_builder_set_member_name (builder, "loopback");
      json_builder_add_boolean_value (builder, iface->loopback);
      json_builder_set_member_name (builder, "rx_bytes");
      json_builder_add_int_value (builder, (gint64) iface->rx_bytes);
      json_builder_set_member_name (builder, "tx_bytes");
      json_builder_add_int_value (builder, (gint64) iface->tx_bytes);
      json_builder_set_member_name (builder, "rx_rate");
      json_builder_add_double_value (builder, iface->rx_rate);
      json_builder_set_member_name (builder, "tx_rate");
      json_builder_add_double_value (builder, iface->tx_rate);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_bots (JsonBuilder           *builder,
          const ArbSystemSample *sample)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  json_builder_begin_object (builder);
  if (sample->procs != NULL)
    {
      /* Sorted, so that the same sample always gives the same bytes. */
      keys = g_hash_table_get_keys_as_array (sample->procs, &n);
      qsort (keys, n, sizeof (gpointer), compare_strings);
      for (guint i = 0; i < n; i++)
        {
          json_builder_set_member_name (builder, keys[i]);
          add_proc_stats (builder, g_hash_table_lookup (sample->procs, keys[i]), TRUE);
        }
    }
  json_builder_end_object (builder);
}

/* Starts member @name and tells whether its part is there; writes null if not. */
static gboolean
begin_part (JsonBuilder           *builder,
            const ArbSystemSample *sample,
            const char            *name,
            ArbSampleParts         part)
{
  json_builder_set_member_name (builder, name);
  if (sample->parts & part)
    return TRUE;

  json_builder_add_null_value (builder);
  return FALSE;
}

/**
 * arb_system_sample_to_json:
 * @sample: a sample
 *
 * Serialises a sample as the data of the `system` topic and of
 * `GET /api/v1/system`:
 *
 * |[
 * {"ts": 1700000000000,                  // wall clock, ms since the epoch
 *  "interval_ms": 1000,                  // since the previous sample; 0: no rates yet
 *  "cpu": {"total": 57.5, "cores": [25.0, 90.0]},              // busy %
 *  "memory": {"total": B, "used": B, "available": B, "cached": B,
 *             "swap_total": B, "swap_used": B},               // bytes
 *  "load": [0.52, 0.31, 0.12],
 *  "uptime_s": 453.29,
 *  "disk": {"path": "/var/lib/arbdash", "total": B, "used": B, "free": B},
 *  "net": [{"name": "eth0", "loopback": false, "rx_bytes": N, "tx_bytes": N,
 *           "rx_rate": 1024000.0, "tx_rate": 15000.0}],       // bytes/s
 *  "process": {"cpu_pct": 50.0, "rss_bytes": B, "threads": 3},  // % of one core
 *  "bots": {"<bot_id>": {"cpu_pct": 100.0, "rss_bytes": B, "threads": 7, "alive": true}}}
 * ]|
 *
 * A part whose collector is disabled (see #ArbSampleParts) is `null`: `"cpu"`,
 * `"memory"`, `"load"`, `"uptime_s"`, `"disk"`, `"net"`, `"process"`. `"bots"`
 * is always an object, sorted by key; a bot whose pid has exited has
 * `"alive": false` and zero figures.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
arb_system_sample_to_json (const ArbSystemSample *sample)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_val_if_fail (sample != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, sample->ts_ms);
  json_builder_set_member_name (builder, "interval_ms");
  json_builder_add_int_value (builder, sample->interval_ms);

  if (begin_part (builder, sample, "cpu", ARB_SAMPLE_CPU))
    add_cpu (builder, sample);
  if (begin_part (builder, sample, "memory", ARB_SAMPLE_MEMORY))
    add_memory (builder, sample);
  if (begin_part (builder, sample, "load", ARB_SAMPLE_LOAD))
    {
      json_builder_begin_array (builder);
      json_builder_add_double_value (builder, sample->load1);
      json_builder_add_double_value (builder, sample->load5);
      json_builder_add_double_value (builder, sample->load15);
      json_builder_end_array (builder);
    }
  if (begin_part (builder, sample, "uptime_s", ARB_SAMPLE_UPTIME))
    json_builder_add_double_value (builder, sample->uptime_s);
  if (begin_part (builder, sample, "disk", ARB_SAMPLE_DISK))
    add_disk (builder, sample);
  if (begin_part (builder, sample, "net", ARB_SAMPLE_NET))
    add_net (builder, sample);
  if (begin_part (builder, sample, "process", ARB_SAMPLE_PROCESS))
    add_proc_stats (builder, &sample->self, FALSE);

  json_builder_set_member_name (builder, "bots");
  add_bots (builder, sample);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---------------------------------------------------------------------------
 * ArbSampler
 */

static gboolean
on_timeout (gpointer user_data)
{
  arb_sampler_sample_now (ARB_SAMPLER (user_data));

  return G_SOURCE_CONTINUE;
}

static void
schedule (ArbSampler *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);

  /* Whole seconds let GLib wake the process once for all its second timers;
   * rates use the measured interval, so the coarser timing costs nothing. */
  if (self->interval_ms % 1000 == 0)
    self->timeout_id = g_timeout_add_seconds (self->interval_ms / 1000, on_timeout, self);
  else
    self->timeout_id = g_timeout_add (self->interval_ms, on_timeout, self);
  g_source_set_name_by_id (self->timeout_id, "[arbdash] sampler");
}

static void
arb_sampler_constructed (GObject *object)
{
  ArbSampler *self = ARB_SAMPLER (object);

  G_OBJECT_CLASS (arb_sampler_parent_class)->constructed (object);

  if (self->proc_root == NULL)
    self->proc_root = g_strdup ("/proc");
  if (self->sample.disk_path == NULL)
    self->sample.disk_path = g_strdup ("/");

  proc_file_init (&self->stat_file, g_build_filename (self->proc_root, "stat", NULL));
  proc_file_init (&self->meminfo_file, g_build_filename (self->proc_root, "meminfo", NULL));
  proc_file_init (&self->netdev_file, g_build_filename (self->proc_root, "net", "dev", NULL));
  proc_file_init (&self->loadavg_file, g_build_filename (self->proc_root, "loadavg", NULL));
  proc_file_init (&self->uptime_file, g_build_filename (self->proc_root, "uptime", NULL));
  /* <root>/self is opened once, so it keeps meaning this process. */
  proc_watch_init (&self->self_proc, self->proc_root, "self", "self");
}

static void
arb_sampler_dispose (GObject *object)
{
  ArbSampler *self = ARB_SAMPLER (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  G_OBJECT_CLASS (arb_sampler_parent_class)->dispose (object);
}

static void
arb_sampler_finalize (GObject *object)
{
  ArbSampler *self = ARB_SAMPLER (object);

  proc_file_clear (&self->stat_file);
  proc_file_clear (&self->meminfo_file);
  proc_file_clear (&self->netdev_file);
  proc_file_clear (&self->loadavg_file);
  proc_file_clear (&self->uptime_file);
  proc_watch_clear (&self->self_proc);
  g_clear_pointer (&self->watches, g_hash_table_unref);

  g_clear_pointer (&self->buf, g_free);
  g_clear_pointer (&self->cores, g_free);
  g_clear_pointer (&self->prev_cores, g_free);
  g_clear_pointer (&self->prev_ifaces, g_free);
  system_sample_clear (&self->sample);
  g_clear_pointer (&self->proc_root, g_free);

  G_OBJECT_CLASS (arb_sampler_parent_class)->finalize (object);
}

static void
arb_sampler_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ArbSampler *self = ARB_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_PROC_ROOT:
      g_value_set_string (value, self->proc_root);
      break;
    case PROP_DISK_PATH:
      g_value_set_string (value, self->sample.disk_path);
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, self->interval_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_sampler_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ArbSampler *self = ARB_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_PROC_ROOT:
      self->proc_root = g_value_dup_string (value);
      break;
    case PROP_DISK_PATH:
      self->sample.disk_path = g_value_dup_string (value);
      break;
    case PROP_INTERVAL_MS:
      arb_sampler_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arb_sampler_class_init (ArbSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = arb_sampler_constructed;
  object_class->dispose = arb_sampler_dispose;
  object_class->finalize = arb_sampler_finalize;
  object_class->get_property = arb_sampler_get_property;
  object_class->set_property = arb_sampler_set_property;

  /**
   * ArbSampler:proc-root:
   *
   * Where procfs is mounted, `/proc` by default.
   */
  properties[PROP_PROC_ROOT] =
    g_param_spec_string ("proc-root", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ArbSampler:disk-path:
   *
   * A path on the file system whose usage is sampled, `/` by default.
   */
  properties[PROP_DISK_PATH] =
    g_param_spec_string ("disk-path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * ArbSampler:interval-ms:
   *
   * The time between two samples while running.
   */
  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL,
                       ARB_SAMPLER_INTERVAL_MIN, ARB_SAMPLER_INTERVAL_MAX,
                       ARB_SAMPLER_INTERVAL_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArbSampler::sampled:
   * @self: the sampler
   * @sample: (transfer none): the new sample, valid during the emission only
   *
   * Emitted after each collection.
   */
  signals[SAMPLED] =
    g_signal_new ("sampled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1, ARB_TYPE_SYSTEM_SAMPLE | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[SAMPLED], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);
}

static void
arb_sampler_init (ArbSampler *self)
{
  self->interval_ms = ARB_SAMPLER_INTERVAL_DEFAULT;
  self->clk_tck = sysconf (_SC_CLK_TCK);
  if (self->clk_tck <= 0)
    self->clk_tck = 100;   /* USER_HZ on every Linux architecture */
  self->buf_size = BUF_INITIAL_SIZE;
  self->buf = g_malloc (self->buf_size);
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, proc_watch_free);
  self->sample.procs = procs_table_new ();
}

/**
 * arb_sampler_new:
 * @proc_root: (nullable): where procfs is mounted, or %NULL for `/proc`
 * @disk_path: (nullable): a path whose file system usage is sampled, or %NULL for `/`
 *
 * Creates a sampler. It samples nothing until arb_sampler_start() or
 * arb_sampler_sample_now().
 *
 * Returns: (transfer full): a new #ArbSampler
 */
ArbSampler *
arb_sampler_new (const char *proc_root,
                 const char *disk_path)
{
  return g_object_new (ARB_TYPE_SAMPLER,
                       "proc-root", proc_root,
                       "disk-path", disk_path,
                       NULL);
}

/**
 * arb_sampler_get_proc_root:
 * @self: a #ArbSampler
 *
 * Returns: (transfer none): where procfs is read from
 */
const char *
arb_sampler_get_proc_root (ArbSampler *self)
{
  g_return_val_if_fail (ARB_IS_SAMPLER (self), NULL);

  return self->proc_root;
}

/**
 * arb_sampler_get_disk_path:
 * @self: a #ArbSampler
 *
 * Returns: (transfer none): the path whose file system usage is sampled
 */
const char *
arb_sampler_get_disk_path (ArbSampler *self)
{
  g_return_val_if_fail (ARB_IS_SAMPLER (self), NULL);

  return self->sample.disk_path;
}

/**
 * arb_sampler_get_interval:
 * @self: a #ArbSampler
 *
 * Returns: the time between two samples, in ms
 */
guint
arb_sampler_get_interval (ArbSampler *self)
{
  g_return_val_if_fail (ARB_IS_SAMPLER (self), 0);

  return self->interval_ms;
}

/**
 * arb_sampler_set_interval:
 * @self: a #ArbSampler
 * @interval_ms: the time between two samples, in ms
 *
 * Sets the interval, clamped to %ARB_SAMPLER_INTERVAL_MIN ..
 * %ARB_SAMPLER_INTERVAL_MAX. A running sampler takes it at once.
 */
void
arb_sampler_set_interval (ArbSampler *self,
                          guint       interval_ms)
{
  g_return_if_fail (ARB_IS_SAMPLER (self));

  interval_ms = CLAMP (interval_ms, ARB_SAMPLER_INTERVAL_MIN, ARB_SAMPLER_INTERVAL_MAX);
  if (interval_ms == self->interval_ms)
    return;

  self->interval_ms = interval_ms;
  if (self->timeout_id != 0)
    schedule (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
}

/**
 * arb_sampler_start:
 * @self: a #ArbSampler
 *
 * Samples every #ArbSampler:interval-ms from the thread-default main context,
 * the first time one interval from now. Does nothing if already running.
 */
void
arb_sampler_start (ArbSampler *self)
{
  g_return_if_fail (ARB_IS_SAMPLER (self));

  if (self->timeout_id == 0)
    schedule (self);
}

/**
 * arb_sampler_stop:
 * @self: a #ArbSampler
 *
 * Stops sampling. The latest sample stays available.
 */
void
arb_sampler_stop (ArbSampler *self)
{
  g_return_if_fail (ARB_IS_SAMPLER (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
}

/**
 * arb_sampler_is_running:
 * @self: a #ArbSampler
 *
 * Returns: whether the sampler samples periodically
 */
gboolean
arb_sampler_is_running (ArbSampler *self)
{
  g_return_val_if_fail (ARB_IS_SAMPLER (self), FALSE);

  return self->timeout_id != 0;
}

/**
 * arb_sampler_sample_now:
 * @self: a #ArbSampler
 *
 * Collects once, emits #ArbSampler::sampled and returns the sample.
 *
 * Returns: (transfer none): the new sample, owned by @self and overwritten by
 *   the next collection
 */
const ArbSystemSample *
arb_sampler_sample_now (ArbSampler *self)
{
  return _arb_sampler_collect_at (self, g_get_monotonic_time (), g_get_real_time () / 1000);
}

/**
 * arb_sampler_get_latest:
 * @self: a #ArbSampler
 *
 * Returns: (transfer none) (nullable): the latest sample, owned by @self, or
 *   %NULL before the first one
 */
const ArbSystemSample *
arb_sampler_get_latest (ArbSampler *self)
{
  g_return_val_if_fail (ARB_IS_SAMPLER (self), NULL);

  return self->have_sample ? &self->sample : NULL;
}

/**
 * arb_sampler_watch_pid:
 * @self: a #ArbSampler
 * @key: the name of the process in samples, a bot_id
 * @pid: the process id (from the bot's hello)
 *
 * Samples the process @pid as `procs[key]` from the next collection on,
 * replacing what @key watched before. Once the process exits, it is reported
 * as not alive until @key is watched again.
 */
void
arb_sampler_watch_pid (ArbSampler *self,
                       const char *key,
                       gint64      pid)
{
  g_autofree char *dir = NULL;
  ProcWatch *watch;

  g_return_if_fail (ARB_IS_SAMPLER (self));
  g_return_if_fail (key != NULL && *key != '\0');
  g_return_if_fail (pid > 0);

  dir = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  watch = g_new (ProcWatch, 1);
  proc_watch_init (watch, self->proc_root, key, dir);
  g_hash_table_replace (self->watches, watch->key, watch);
  /* The latest sample must not show the old pid's figures under this key. */
  g_hash_table_remove (self->sample.procs, key);
}

/**
 * arb_sampler_unwatch:
 * @self: a #ArbSampler
 * @key: a key given to arb_sampler_watch_pid()
 *
 * Stops sampling the process of @key and drops it from the latest sample.
 */
void
arb_sampler_unwatch (ArbSampler *self,
                     const char *key)
{
  g_return_if_fail (ARB_IS_SAMPLER (self));
  g_return_if_fail (key != NULL);

  g_hash_table_remove (self->watches, key);
  g_hash_table_remove (self->sample.procs, key);
}
