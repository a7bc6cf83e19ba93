/* arb-sampler.h: cheap periodic collectors of the machine's figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arb-system-sample.h"

G_BEGIN_DECLS

#define ARB_SAMPLER_INTERVAL_MIN     100
#define ARB_SAMPLER_INTERVAL_MAX     60000
#define ARB_SAMPLER_INTERVAL_DEFAULT 1000

#define ARB_TYPE_SAMPLER (arb_sampler_get_type ())

G_DECLARE_FINAL_TYPE (ArbSampler, arb_sampler, ARB, SAMPLER, GObject)

ArbSampler            *arb_sampler_new          (const char *proc_root,
                                                 const char *disk_path);
const char            *arb_sampler_get_proc_root (ArbSampler *self);
const char            *arb_sampler_get_disk_path (ArbSampler *self);
guint                  arb_sampler_get_interval (ArbSampler *self);
void                   arb_sampler_set_interval (ArbSampler *self,
                                                 guint       interval_ms);
void                   arb_sampler_start        (ArbSampler *self);
void                   arb_sampler_stop         (ArbSampler *self);
gboolean               arb_sampler_is_running   (ArbSampler *self);
const ArbSystemSample *arb_sampler_sample_now   (ArbSampler *self);
const ArbSystemSample *arb_sampler_get_latest   (ArbSampler *self);
void                   arb_sampler_watch_pid    (ArbSampler *self,
                                                 const char *key,
                                                 gint64      pid);
void                   arb_sampler_unwatch      (ArbSampler *self,
                                                 const char *key);

G_END_DECLS
