/* test-util.h: small helpers every test executable may share (GLib only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes a temporary folder of a test, its files and empty sub-folders. */
void remove_dir (const char *dir);

G_END_DECLS
