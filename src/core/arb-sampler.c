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

#include "arb-proc-file.h"
#include "arb-proc-watch.h"
#include "arb-sampler-private.h"
#include "arb-system-sample-private.h"

typedef struct
{
  guint64 busy;
  guint64 total;
} CpuTicks;

struct _ArbSampler
{
  GObject          parent_instance;

  char            *proc_root;
  guint            interval_ms;
  guint            timeout_id;
  long             clk_tck;

  ArbProcBuf       buf;

  ArbProcFile      stat_file;
  ArbProcFile      meminfo_file;
  ArbProcFile      netdev_file;
  ArbProcFile      loadavg_file;
  ArbProcFile      uptime_file;
  ArbProcWatch     self_proc;
  GHashTable      *watches;         /* key -> ArbProcWatch*, the key is owned by the value */

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

  while (n < G_N_ELEMENTS (v) && arb_proc_parse_u64 (&p, &v[n]))
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

  if (!arb_proc_file_read (&self->stat_file, &self->buf, error))
    return FALSE;

  /* The cpu lines come first; stop at the first other one (intr, ctxt...). */
  cursor = self->buf.data;
  while ((line = arb_proc_next_line (&cursor)) != NULL && g_str_has_prefix (line, "cpu"))
    {
      char *p = line + 3;

      if (*p == ' ')
        {
          if (!parse_cpu_line (p, &total))
            return arb_proc_set_parse_error (error, self->stat_file.path, "the cpu line");
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
        return arb_proc_set_parse_error (error, self->stat_file.path, line);
      n++;
    }

  if (!have_total)
    return arb_proc_set_parse_error (error, self->stat_file.path, "the cpu line");

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

  if (!arb_proc_file_read (&self->meminfo_file, &self->buf, error))
    return FALSE;

  cursor = self->buf.data;
  while (found != (1u << N_MEM) - 1 && (line = arb_proc_next_line (&cursor)) != NULL)
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
      if (!arb_proc_parse_u64 (&p, &v[i]))
        return arb_proc_set_parse_error (error, self->meminfo_file.path, mem_keys[i]);
      v[i] *= 1024;   /* "kB" that means KiB */
      found |= 1u << i;
    }

  if (!(found & (1u << MEM_TOTAL)))
    return arb_proc_set_parse_error (error, self->meminfo_file.path, "MemTotal");
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

  if (!arb_proc_file_read (&self->netdev_file, &self->buf, error))
    return FALSE;

  cursor = self->buf.data;
  while ((line = arb_proc_next_line (&cursor)) != NULL)
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
        if (!arb_proc_parse_u64 (&p, &v[i]))
          return arb_proc_set_parse_error (error, self->netdev_file.path, g_strstrip (line));

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
      iface->rx_rate = prev != NULL
                       ? arb_proc_counter_rate (prev->rx_bytes, v[0], self->dt_us) : 0.0;
      iface->tx_rate = prev != NULL
                       ? arb_proc_counter_rate (prev->tx_bytes, v[8], self->dt_us) : 0.0;
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

  if (!arb_proc_file_read (&self->loadavg_file, &self->buf, error))
    return FALSE;

  p = self->buf.data;
  for (guint i = 0; i < G_N_ELEMENTS (load); i++)
    if (!arb_proc_parse_double (&p, &load[i]))
      return arb_proc_set_parse_error (error, self->loadavg_file.path, "the load averages");

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

  if (!arb_proc_file_read (&self->uptime_file, &self->buf, error))
    return FALSE;

  p = self->buf.data;
  if (!arb_proc_parse_double (&p, &self->sample.uptime_s))
    return arb_proc_set_parse_error (error, self->uptime_file.path, "the uptime");

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
    return arb_proc_set_errno_error (error, errno, sample->disk_path);

  frsize = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  sample->disk_total = (guint64) st.f_blocks * frsize;
  sample->disk_free = (guint64) st.f_bavail * frsize;
  sample->disk_used = (guint64) (st.f_blocks - MIN (st.f_bfree, st.f_blocks)) * frsize;

  return TRUE;
}

/* ---------------------------------------------------------------------------
 * Processes: this one, a collector; the watched ones, news about the bots
 */

static gboolean
collect_self (ArbSampler  *self,
              GError     **error)
{
  if (!arb_proc_watch_read (&self->self_proc, &self->buf, self->now_us, self->clk_tck, error))
    return FALSE;

  self->sample.self = self->self_proc.stats;

  return TRUE;
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
      arb_proc_file_close (&self->stat_file);
      sample->cpu_total = 0.0;
      sample->n_cores = 0;
      g_clear_pointer (&sample->cpu_core, g_free);
      break;
    case ARB_SAMPLE_MEMORY:
      arb_proc_file_close (&self->meminfo_file);
      sample->mem_total = sample->mem_used = sample->mem_available = sample->mem_cached = 0;
      sample->swap_total = sample->swap_used = 0;
      break;
    case ARB_SAMPLE_NET:
      arb_proc_file_close (&self->netdev_file);
      sample->n_ifaces = 0;
      break;
    case ARB_SAMPLE_LOAD:
      arb_proc_file_close (&self->loadavg_file);
      sample->load1 = sample->load5 = sample->load15 = 0.0;
      break;
    case ARB_SAMPLE_UPTIME:
      arb_proc_file_close (&self->uptime_file);
      sample->uptime_s = 0.0;
      break;
    case ARB_SAMPLE_DISK:
      sample->disk_total = sample->disk_used = sample->disk_free = 0;
      break;
    case ARB_SAMPLE_PROCESS:
      arb_proc_watch_set_gone (&self->self_proc);
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

  /* not a collector that can be disabled: a pid that cannot be read is gone */
  arb_proc_watches_collect (self->watches, self->sample.procs, &self->buf, self->now_us,
                            self->clk_tck);

  self->prev_us = mono_us;
  self->have_prev = TRUE;
  self->have_sample = TRUE;

  g_signal_emit (self, signals[SAMPLED], 0, sample);

  return sample;
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

  arb_proc_file_init (&self->stat_file, g_build_filename (self->proc_root, "stat", NULL));
  arb_proc_file_init (&self->meminfo_file, g_build_filename (self->proc_root, "meminfo", NULL));
  arb_proc_file_init (&self->netdev_file, g_build_filename (self->proc_root, "net", "dev", NULL));
  arb_proc_file_init (&self->loadavg_file, g_build_filename (self->proc_root, "loadavg", NULL));
  arb_proc_file_init (&self->uptime_file, g_build_filename (self->proc_root, "uptime", NULL));
  /* <root>/self is opened once, so it keeps meaning this process. */
  arb_proc_watch_init (&self->self_proc, self->proc_root, "self", "self");
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

  arb_proc_file_clear (&self->stat_file);
  arb_proc_file_clear (&self->meminfo_file);
  arb_proc_file_clear (&self->netdev_file);
  arb_proc_file_clear (&self->loadavg_file);
  arb_proc_file_clear (&self->uptime_file);
  arb_proc_watch_clear (&self->self_proc);
  g_clear_pointer (&self->watches, g_hash_table_unref);

  arb_proc_buf_clear (&self->buf);
  g_clear_pointer (&self->cores, g_free);
  g_clear_pointer (&self->prev_cores, g_free);
  g_clear_pointer (&self->prev_ifaces, g_free);
  _arb_system_sample_clear (&self->sample);
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
  arb_proc_buf_init (&self->buf);
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, arb_proc_watch_free);
  self->sample.procs = _arb_system_sample_procs_new ();
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
  ArbProcWatch *watch;

  g_return_if_fail (ARB_IS_SAMPLER (self));
  g_return_if_fail (key != NULL && *key != '\0');
  g_return_if_fail (pid > 0);

  dir = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  watch = g_new (ArbProcWatch, 1);
  arb_proc_watch_init (watch, self->proc_root, key, dir);
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

