/* arb-range-switch.h: the linked buttons that choose a chart's time range
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ARB_TYPE_RANGE_SWITCH (arb_range_switch_get_type ())

G_DECLARE_FINAL_TYPE (ArbRangeSwitch, arb_range_switch, ARB, RANGE_SWITCH, GtkWidget)

GtkWidget  *arb_range_switch_new          (void);
const char *arb_range_switch_get_range    (ArbRangeSwitch *self);
void        arb_range_switch_set_range    (ArbRangeSwitch *self,
                                           const char     *range);
gint64      arb_range_switch_get_span_ms  (ArbRangeSwitch *self);

gint64      arb_range_span_ms             (const char     *range);

G_END_DECLS
