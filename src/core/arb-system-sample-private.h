/* arb-system-sample-private.h: what ArbSampler needs of ArbSystemSample
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-system-sample.h"

G_BEGIN_DECLS

/* key (char*) -> ArbProcStats*, both owned */
GHashTable *_arb_system_sample_procs_new (void);
/* Frees what @sample points to, not @sample. */
void        _arb_system_sample_clear     (ArbSystemSample *sample);

G_END_DECLS
