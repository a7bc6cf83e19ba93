/* arb-renderer.h: Cairo rather than software OpenGL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean arb_renderer_is_software       (const char *gl_renderer);
gboolean arb_renderer_avoid_software_gl (void);

G_END_DECLS
