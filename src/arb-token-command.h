/* arb-token-command.h: `arbdash token add|list|remove`, tokens without the desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @argv[0] is the program, @argv[1] "token". Returns the exit status:
 * 0 done, 1 refused or failed (a duplicate, no such token, the file), 2 bad usage. */
int arb_token_command_run (int argc, char **argv);

G_END_DECLS
