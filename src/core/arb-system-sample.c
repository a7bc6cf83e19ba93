/* arb-system-sample.c: one sample of the machine's figures, and its JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "arb-sampler"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "arb-system-sample-private.h"

/* Written out rather than G_DEFINE_BOXED_TYPE, whose GCC form converts the
 * copy and free functions to a transparent union, which ISO C (-pedantic)
 * does not allow. */
GType
arb_system_sample_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType id = g_boxed_type_register_static (g_intern_static_string ("ArbSystemSample"),
                                               (GBoxedCopyFunc) arb_system_sample_copy,
                                               (GBoxedFreeFunc) arb_system_sample_free);

      g_once_init_leave (&type_id, id);
    }
  return type_id;
}

GHashTable *
_arb_system_sample_procs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
_arb_system_sample_clear (ArbSystemSample *sample)
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
  copy->procs = _arb_system_sample_procs_new ();

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

  _arb_system_sample_clear (sample);
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

