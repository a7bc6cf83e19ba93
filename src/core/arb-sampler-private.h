/* arb-sampler-private.h: internal API of ArbSampler, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "arb-sampler.h"

G_BEGIN_DECLS

/* Collects once as if the monotonic clock read @mono_us and the wall clock
 * @real_ms, emits ArbSampler::sampled and returns the sample. Rates are
 * computed from the difference of @mono_us between calls, so tests that feed
 * the clock get exact figures. */
const ArbSystemSample *_arb_sampler_collect_at (ArbSampler *self,
                                                gint64      mono_us,
                                                gint64      real_ms);

G_END_DECLS
